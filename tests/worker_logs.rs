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
use worker_support::{client, wait_until};

/// Everything written by the process-wide WARN subscriber (both tests of this binary share it,
/// each looks for its own worker id).
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

fn captured() -> &'static Captured {
    static CAPTURED: OnceLock<Captured> = OnceLock::new();
    CAPTURED.get_or_init(|| {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::WARN)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("one global subscriber");
        captured
    })
}

on_both_runtimes!(warn_and_error_events_name_the_worker_topic_and_task);

async fn warn_and_error_events_name_the_worker_topic_and_task() {
    let log = captured();
    let engine = TestEngine::start().await.expect("engine");
    let failing = engine.create_task(TaskSpec::new("logged")).expect("task");
    let gone = engine.create_task(TaskSpec::new("logged")).expect("task");
    engine
        .faults()
        .on(Operation::Complete)
        .fail_with_status(404)
        .once();
    let worker_id = format!("logger-{}", std::process::id() ^ fastrand_id());
    let failing_id = failing.clone();
    let worker = Worker::builder(client(&engine))
        .worker_id(worker_id.clone())
        .subscribe("logged", move |task: Task| {
            let fail = task.id() == failing_id;
            async move {
                if fail {
                    Err::<Outcome, BoxError>("the handler's own error".into())
                } else {
                    Ok(Outcome::complete())
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

/// A per-test suffix, so the two flavours' workers are told apart in the shared log.
fn fastrand_id() -> u32 {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(1);
    NEXT.fetch_add(1, Ordering::SeqCst) << 16
}
