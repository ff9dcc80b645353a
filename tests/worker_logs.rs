//! At WARN level, every event of the worker about a task names the worker, the topic and the
//! task as fields of its own (the `task` span, which also carries them, is an INFO span).

#[macro_use]
mod worker_support;

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use camunda7_client::worker::{Outcome, Task, Worker};
use camunda7_client::BoxError;
use camunda7_test_engine::{Operation, TaskSpec, TestEngine};
use worker_support::check_invariant;
use worker_support::{client, wait_until};

/// A shared buffer that log lines are written to.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// What the process-wide subscriber wrote: once with WARN as the level (as `RUST_LOG=warn`,
/// where the worker's INFO spans are off), once with DEBUG. The tests of this binary share it;
/// each looks for its own worker id.
struct Logs {
    warn: Captured,
    debug: Captured,
}

fn logs() -> &'static Logs {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::Layer;
    static LOGS: OnceLock<Logs> = OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = Logs {
            warn: Captured::default(),
            debug: Captured::default(),
        };
        let (warn, debug) = (logs.warn.clone(), logs.debug.clone());
        let subscriber = tracing_subscriber::registry()
            .with(
                tracing_subscriber::fmt::layer()
                    .with_ansi(false)
                    .with_writer(move || warn.clone())
                    .with_filter(tracing_subscriber::filter::LevelFilter::WARN),
            )
            .with(
                tracing_subscriber::fmt::layer()
                    .with_ansi(false)
                    .with_writer(move || debug.clone())
                    .with_filter(tracing_subscriber::filter::LevelFilter::DEBUG),
            );
        tracing::subscriber::set_global_default(subscriber).expect("one global subscriber");
        logs
    })
}

/// A worker id of its own for each test (both flavours run at once).
fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(1);
    format!("{prefix}-{}", NEXT.fetch_add(1, Ordering::SeqCst))
}

on_both_runtimes!(
    warn_and_error_events_name_the_worker_topic_and_task,
    spans_name_the_worker_the_poll_and_the_task_with_its_outcome,
);

async fn warn_and_error_events_name_the_worker_topic_and_task() {
    let log = &logs().warn;
    let engine = TestEngine::start().await.expect("engine");
    let failing = engine.create_task(TaskSpec::new("logged")).expect("task");
    let gone = engine.create_task(TaskSpec::new("logged")).expect("task");
    engine
        .faults()
        .on(Operation::Complete)
        .fail_with_status(404)
        .once();
    let worker_id = unique("logger");
    let failing_id = failing.clone();
    let worker = Worker::builder(client(&engine))
        .worker_id(worker_id.clone())
        .subscribe("logged", move |task: Task| {
            let fail = task.id() == failing_id;
            async move {
                if fail {
                    Err::<Outcome, BoxError>("the handler's own error".into())
                } else {
                    Ok(Outcome::complete().into())
                }
            }
        })
        .build()
        .expect("worker");
    let metrics = worker.metrics();
    let shutdown = worker.shutdown_handle();
    let run = tokio::spawn(worker.run());
    wait_until("both reported", Duration::from_secs(20), || {
        let m = metrics.snapshot();
        m.failed == 1 && m.reports_not_found == 1
    })
    .await;
    shutdown.shutdown();
    run.await.expect("worker");
    let text = String::from_utf8(log.0.lock().expect("log").clone()).expect("utf-8");
    let ours: Vec<&str> = text
        .lines()
        .filter(|l| l.contains(&format!("worker_id={worker_id}")))
        .collect();
    for (id, what) in [
        (&failing, "handler failed"),
        (&gone, "task no longer exists"),
    ] {
        let line = ours
            .iter()
            .find(|l| l.contains(what))
            .unwrap_or_else(|| panic!("no `{what}` line in:\n{text}"));
        assert!(line.contains(" WARN "), "{line}");
        assert!(line.contains("topic=logged"), "{line}");
        assert!(line.contains(&format!("task_id={id}")), "{line}");
    }
}

async fn spans_name_the_worker_the_poll_and_the_task_with_its_outcome() {
    let captured = &logs().debug;
    let worker_id = unique("tracer");

    let engine = TestEngine::start().await.expect("engine");
    let id = engine.create_task(TaskSpec::new("traced")).expect("task");
    let worker = Worker::builder(client(&engine))
        .worker_id(worker_id.clone())
        .subscribe("traced", |_t: Task| async {
            Ok::<_, BoxError>(Outcome::bpmn_error("E"))
        })
        .build()
        .expect("worker");
    let metrics = worker.metrics();
    worker
        .run_until(async {
            while metrics.snapshot().bpmn_errors == 0 {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
        .await;
    let text = String::from_utf8(captured.0.lock().expect("log").clone()).expect("utf-8");
    let task_line = text
        .lines()
        .find(|l| l.contains("task done") && l.contains(&format!("worker_id={worker_id}")))
        .unwrap_or_else(|| panic!("no task line in:\n{text}"));
    for part in [
        "task{",
        &format!("worker_id={worker_id}"),
        "topic=traced",
        &format!("task_id={id}"),
        "outcome=\"bpmn_error\"",
        "report=\"confirmed\"",
    ] {
        assert!(task_line.contains(part), "{part} missing from: {task_line}");
    }
    assert!(
        text.lines().any(
            |l| l.contains(&format!("poll{{worker_id={worker_id} max_tasks=10"))
                && l.contains("polled")
        ),
        "no poll span in:\n{text}"
    );
    check_invariant(&engine, &[id], false);
}
