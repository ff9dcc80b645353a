//! Client-overhead benchmark: a sequential loop of fetchAndLock (maxTasks 1) + complete (two
//! variables) with this crate's client, for comparison with a hand-written reqwest loop doing the
//! same requests (see `docs/benchmarks.md` and `scripts/bench.sh`).
//!
//! ```text
//! BASE_URL=http://127.0.0.1:18081/engine-rest DURATION_S=10 \
//!     cargo run --release -p camunda7-bench --bin bench_loop
//! ```
//! The last stdout line is `{"iterations":N,"elapsed_s":S,"cpu_s":C}`, where `cpu_s` is the
//! process's own user+system CPU time inside the timed loop (connection set-up excluded).

use camunda7_bench::{client, cpu_seconds, duration_s, stand_in_url};
use camunda7_client::models::{
    CompleteExternalTaskDto, FetchExternalTaskTopicDto, FetchExternalTasksDto,
};
use camunda7_client::variables::Variables;
use std::time::{Duration, Instant};

const WORKER: &str = "bench-worker";

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = client(&stand_in_url())?;
    let seconds = duration_s();
    let api = client.external_task();

    // Warm-up: establishes the keep-alive connection outside the timed window.
    let warm_up = FetchExternalTasksDto {
        worker_id: WORKER.to_owned(),
        max_tasks: 1,
        ..Default::default()
    };
    api.fetch_and_lock(&warm_up).await?;

    let deadline = Duration::from_secs_f64(seconds);
    let cpu0 = cpu_seconds();
    let t0 = Instant::now();
    let mut iterations: u64 = 0;
    while t0.elapsed() < deadline {
        let request = FetchExternalTasksDto {
            worker_id: WORKER.to_owned(),
            max_tasks: 1,
            use_priority: Some(false),
            topics: Some(vec![FetchExternalTaskTopicDto {
                topic_name: "bench".to_owned(),
                lock_duration: 10_000,
                ..Default::default()
            }]),
            ..Default::default()
        };
        for task in api.fetch_and_lock(&request).await? {
            let Some(id) = task.id else {
                return Err("fetchAndLock returned a task without an id".into());
            };
            let mut variables = Variables::new();
            variables.insert("result", "ok");
            variables.insert("approved", true);
            let body = CompleteExternalTaskDto {
                worker_id: WORKER.to_owned(),
                variables: Some(variables),
                ..Default::default()
            };
            api.complete_external_task_resource(&id, &body).await?;
            iterations += 1;
        }
    }
    let elapsed = t0.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu0;
    println!("{{\"iterations\":{iterations},\"elapsed_s\":{elapsed:.4},\"cpu_s\":{cpu:.4}}}");
    Ok(())
}
