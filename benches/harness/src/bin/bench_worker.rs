//! Worker benchmark: tasks/s and handler-start latency of the external-task worker with a
//! trivial handler (complete with two variables), and its peak memory with many tasks in flight.
//! Used by `scripts/bench.sh`; see `docs/benchmarks.md`.
//!
//! `BENCH_MODE` selects the scenario (`CONCURRENCY` = max concurrent handlers, default 1):
//! - `standin`: against `BASE_URL` (the canned nginx stand-in) for `DURATION_S` seconds on a
//!   current-thread runtime; prints the peer kit's line `{"iterations":N,"elapsed_s":S,"cpu_s":C}`
//!   (iterations = tasks completed), so it runs beside the peer clients.
//! - `engine`: starts the embedded test engine in this process, seeds `TASKS` tasks (default
//!   20000), runs the worker until all are completed, then measures how quickly a task created
//!   while the worker long-polls reaches its handler. Prints one JSON line: `tasks_per_s`,
//!   `start_latency_p50_ms`/`p99` (engine lock time → handler start, millisecond dates),
//!   `pickup_latency_p50_ms`/`p99` (task created → handler start, idle worker), `cpu_s`.
//! - `rss`: embedded engine, `TASKS` tasks (default 1000) all held by running handlers at once
//!   (`CONCURRENCY` defaults to `TASKS`); prints the process's peak RSS and its RSS before the
//!   worker started, in MB (the engine's own memory is in both).

use camunda7_bench::{client, cpu_seconds, duration_s, env_num, stand_in_url};
use camunda7_client::worker::{Outcome, Task, Worker};
use camunda7_client::{BoxError, Client};
use camunda7_test_engine::{TaskSpec, TestEngine};
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const TOPIC: &str = "bench";
const LOCK: Duration = Duration::from_secs(300);

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), BoxError> {
    let mode = std::env::var("BENCH_MODE").unwrap_or_else(|_| "standin".to_owned());
    match mode.as_str() {
        "standin" => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
            .block_on(standin()),
        "engine" => multi_thread()?.block_on(engine()),
        "rss" => multi_thread()?.block_on(rss()),
        other => Err(format!("unknown BENCH_MODE `{other}` (standin, engine, rss)").into()),
    }
}

fn multi_thread() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
}

/// The trivial handler: completes with two variables. With `latencies` it also records each
/// task's start latency; without (the stand-in, whose lock times are canned), it does exactly
/// what the hand-written loop it is compared with does.
fn handler(
    latencies: Option<Arc<Mutex<Vec<f64>>>>,
) -> impl Fn(Task) -> std::future::Ready<Result<Outcome, BoxError>> + Send + Sync + 'static {
    move |task: Task| {
        if let (Some(latencies), Some(expires)) =
            (&latencies, task.raw().lock_expiration_time.as_ref())
        {
            let locked_at = expires.timestamp_millis() as f64 - LOCK.as_millis() as f64;
            let delay = now_ms() - locked_at;
            if let Ok(mut l) = latencies.lock() {
                l.push(delay);
            }
        }
        std::future::ready(Ok(Outcome::complete()
            .variable("result", "ok")
            .variable("approved", true)
            .into()))
    }
}

fn worker(
    client: Client,
    concurrency: usize,
    handler: impl camunda7_client::worker::Handler,
) -> Result<Worker, BoxError> {
    Ok(Worker::builder(client)
        .worker_id("bench-worker")
        .max_tasks(u32::try_from(concurrency).unwrap_or(u32::MAX))
        .max_concurrent_handlers(concurrency)
        .lock_duration(LOCK)
        .subscribe(TOPIC, handler)
        .build()?)
}

async fn standin() -> Result<(), BoxError> {
    let seconds = duration_s();
    let concurrency: usize = env_num("CONCURRENCY", 1);
    let w = worker(client(&stand_in_url())?, concurrency, handler(None))?;
    let metrics = w.metrics();
    let cpu0 = cpu_seconds();
    let t0 = Instant::now();
    let summary = w
        .run_until(tokio::time::sleep(Duration::from_secs_f64(seconds)))
        .await;
    let elapsed = t0.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu0;
    let m = metrics.snapshot();
    println!(
        "{{\"iterations\":{},\"elapsed_s\":{elapsed:.4},\"cpu_s\":{cpu:.4},\"polls\":{},\
         \"duplicates_skipped\":{},\"shutdown_ms\":{}}}",
        summary.metrics.completed,
        m.polls,
        m.duplicates_skipped,
        summary.shutdown_duration.as_millis()
    );
    Ok(())
}

async fn engine() -> Result<(), BoxError> {
    let tasks: usize = env_num("TASKS", 20_000);
    let concurrency: usize = env_num("CONCURRENCY", 1);
    let engine = TestEngine::start().await?;
    engine.create_tasks(
        (0..tasks)
            .map(|_| TaskSpec::new(TOPIC).variables(json!({"amount": 42, "customer": "ACME"}))),
    )?;
    let latencies: Arc<Mutex<Vec<f64>>> = Arc::default();
    let w = worker(
        Client::new(engine.base_url())?,
        concurrency,
        handler(Some(latencies.clone())),
    )?;
    let metrics = w.metrics();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Instant>();

    // Phase 1: throughput over the seeded backlog.
    let cpu0 = cpu_seconds();
    let t0 = Instant::now();
    let shutdown = w.shutdown_handle();
    let run = tokio::spawn(w.run());
    while metrics.snapshot().completed < tasks as u64 {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let elapsed = t0.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu0;
    shutdown.shutdown();
    let _ = run.await;
    let mut start = latencies.lock().map(|l| l.clone()).unwrap_or_default();

    // Phase 2: pickup latency of a long-polling idle worker.
    let samples: usize = env_num("PICKUP_SAMPLES", 20);
    let idle = worker(
        Client::new(engine.base_url())?,
        concurrency,
        move |_task: Task| {
            let _ = tx.send(Instant::now());
            std::future::ready(Ok::<_, BoxError>(Outcome::complete()))
        },
    )?;
    let idle_shutdown = idle.shutdown_handle();
    let idle_run = tokio::spawn(idle.run());
    let mut pickup = Vec::with_capacity(samples);
    for _ in 0..samples {
        // Let the worker settle into its long poll.
        tokio::time::sleep(Duration::from_millis(50)).await;
        let created = Instant::now();
        engine.create_task(TaskSpec::new(TOPIC))?;
        match tokio::time::timeout(Duration::from_secs(10), rx.recv()).await {
            Ok(Some(at)) => pickup.push((at - created).as_secs_f64() * 1e3),
            _ => return Err("the idle worker did not pick up a new task within 10 s".into()),
        }
    }
    idle_shutdown.shutdown();
    let _ = idle_run.await;
    engine.shutdown().await;

    println!(
        "{{\"mode\":\"engine\",\"concurrency\":{concurrency},\"tasks\":{tasks},\"elapsed_s\":{elapsed:.4},\
         \"tasks_per_s\":{:.1},\"cpu_s\":{cpu:.4},\"start_latency_p50_ms\":{:.2},\
         \"start_latency_p99_ms\":{:.2},\"pickup_latency_p50_ms\":{:.2},\"pickup_latency_p99_ms\":{:.2}}}",
        tasks as f64 / elapsed,
        percentile(&mut start, 0.5),
        percentile(&mut start, 0.99),
        percentile(&mut pickup, 0.5),
        percentile(&mut pickup, 0.99),
    );
    Ok(())
}

async fn rss() -> Result<(), BoxError> {
    let tasks: usize = env_num("TASKS", 1000);
    let concurrency: usize = env_num("CONCURRENCY", tasks);
    let engine = TestEngine::start().await?;
    engine.create_tasks(
        (0..tasks)
            .map(|_| TaskSpec::new(TOPIC).variables(json!({"amount": 42, "customer": "ACME"}))),
    )?;
    let before_mb = status_kb("VmRSS").unwrap_or(0) as f64 / 1024.0;
    // Each handler counts itself in when it runs, then waits for the release: a watch channel,
    // so that a handler which gets to wait only after the release does not wait forever.
    let running = Arc::new(AtomicUsize::new(0));
    let (release, released) = tokio::sync::watch::channel(false);
    let running_h = running.clone();
    let w = worker(
        Client::new(engine.base_url())?,
        concurrency,
        move |_task: Task| {
            running_h.fetch_add(1, Ordering::Relaxed);
            let mut released = released.clone();
            async move {
                released.wait_for(|r| *r).await?;
                Ok::<_, BoxError>(Outcome::complete().variable("result", "ok"))
            }
        },
    )?;
    let metrics = w.metrics();
    let shutdown = w.shutdown_handle();
    let run = tokio::spawn(w.run());
    let t0 = Instant::now();
    while running.load(Ordering::Relaxed) < tasks {
        if t0.elapsed() > Duration::from_secs(60) {
            return Err(format!(
                "only {} of {tasks} handlers started within 60 s",
                running.load(Ordering::Relaxed)
            )
            .into());
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let in_flight_mb = status_kb("VmRSS").unwrap_or(0) as f64 / 1024.0;
    release.send_replace(true);
    while metrics.snapshot().completed < tasks as u64 && t0.elapsed() < Duration::from_secs(120) {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let peak_mb = status_kb("VmHWM").unwrap_or(0) as f64 / 1024.0;
    shutdown.shutdown();
    let _ = run.await;
    engine.shutdown().await;
    println!(
        "{{\"mode\":\"rss\",\"in_flight\":{tasks},\"rss_before_mb\":{before_mb:.1},\
         \"rss_in_flight_mb\":{in_flight_mb:.1},\"peak_rss_mb\":{peak_mb:.1},\"completed\":{}}}",
        metrics.snapshot().completed
    );
    Ok(())
}

fn percentile(xs: &mut [f64], q: f64) -> f64 {
    if xs.is_empty() {
        return f64::NAN;
    }
    xs.sort_by(f64::total_cmp);
    let i = ((xs.len() - 1) as f64 * q).round() as usize;
    xs[i.min(xs.len() - 1)]
}

fn now_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64() * 1e3)
        .unwrap_or(0.0)
}

/// A `kB` field of `/proc/self/status` (`VmRSS`, `VmHWM`).
fn status_kb(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
