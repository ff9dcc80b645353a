//! Chaos: 10,000 tasks on two topics, two workers, and an engine that gives every kind of
//! answer of the worker's decision table at random — 503s, optimistic-locking 500s, refused
//! variables, a process that cannot be resumed, 401s and a failing auth provider, 502 / 504
//! after applying, connections dropped before and after applying, answers slower than the
//! lock — while it restarts every two seconds, suspends and cancels tasks under running
//! handlers, and serves tasks the worker cannot read. Both clocks follow real time, so locks
//! run out for real unless the worker keeps them.
//!
//! What is counted is what matters: for every task, how often a handler ran and which of its
//! results the engine applied. The test ends with one line:
//! `chaos: N tasks, results dropped 0, handler re-runs caused by the worker 0, …`.

#[macro_use]
mod worker_support;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use camunda7_client::worker::{Backoff, Outcome, RetryPolicy, Task, Worker};
use camunda7_client::{Auth, BoxError, Client};
use camunda7_test_engine::{Operation, Outcome as EngineOutcome, TaskEvent, TaskSpec, TestEngine};
use serde_json::json;
use worker_support::wait_until;

on_both_runtimes!(chaos_ten_thousand_tasks_no_result_dropped_no_handler_run_twice);

const TASKS: usize = 10_000;
/// How long a handler's lock lasts; slow handlers and slow answers take longer than this.
const LOCK: Duration = Duration::from_secs(2);
// Typically under a minute in debug on 2 busy cores; the limit only catches a hang.
const LIMIT: Duration = Duration::from_secs(300);

/// The message of the failure the worker reports for a task it cannot read.
const UNREADABLE: &str = "the worker cannot read this task";

/// Where a handler asks the driver to suspend its task.
type Suspend = tokio::sync::mpsc::UnboundedSender<String>;

/// Handler runs per task id.
#[derive(Clone, Default)]
struct Runs(Arc<Mutex<HashMap<String, u64>>>);

impl Runs {
    fn record(&self, id: &str) {
        *self
            .0
            .lock()
            .expect("runs")
            .entry(id.to_owned())
            .or_default() += 1;
    }

    fn of(&self, id: &str) -> u64 {
        self.0.lock().expect("runs").get(id).copied().unwrap_or(0)
    }
}

async fn chaotic(task: Task, suspend: Suspend) -> Result<Outcome, BoxError> {
    let kind: String = task.variables().get("kind")?;
    let n: i64 = task.variables().get("n")?;
    if n % 500 == 77 {
        // Asks the driver to suspend its task now, and reports while it is suspended.
        let _ = suspend.send(task.id().to_owned());
        tokio::time::sleep(Duration::from_millis(600)).await;
    } else if n % 100 == 50 {
        // Slower than the lock: only lock extension keeps the task from another worker.
        tokio::time::sleep(LOCK + Duration::from_millis(500)).await;
    } else if n % 7 == 0 {
        tokio::time::sleep(Duration::from_millis((n % 20) as u64)).await;
    }
    match kind.as_str() {
        "fail" => Ok(Outcome::failure(format!("chaos failure {n}")).into()),
        "bpmn" => Ok(Outcome::bpmn_error("CHAOS").variable("n", n).into()),
        "error" => Err(format!("chaos error {n}").into()),
        "panic" => panic!("chaos panic {n}"),
        _ => Ok(Outcome::complete().variable("done", n).into()),
    }
}

/// A client whose auth provider fails on every 40th call.
fn client(engine: &TestEngine, provider_failures: Arc<AtomicU64>) -> Client {
    let calls = AtomicU64::new(0);
    let provider = move || {
        let fail = calls.fetch_add(1, Ordering::Relaxed) % 40 == 39;
        if fail {
            provider_failures.fetch_add(1, Ordering::Relaxed);
        }
        async move {
            if fail {
                Err::<String, BoxError>("the token service is down".into())
            } else {
                Ok("Bearer chaos".to_owned())
            }
        }
    };
    Client::builder()
        .base_url(engine.base_url())
        .auth(Auth::provider(provider))
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client")
}

fn worker(
    engine: &TestEngine,
    id: &str,
    runs: &Runs,
    provider_failures: Arc<AtomicU64>,
    suspend: Suspend,
) -> Worker {
    let quick = Backoff::exponential(Duration::from_millis(10), Duration::from_millis(200));
    let runs = runs.clone();
    let handler = move |task: Task| {
        runs.record(task.id());
        chaotic(task, suspend.clone())
    };
    Worker::builder(client(engine, provider_failures))
        .worker_id(id)
        .max_tasks(32)
        .max_concurrent_handlers(32)
        .lock_duration(LOCK)
        .long_polling(Duration::from_secs(2))
        .fetch_error_backoff(quick)
        .report_backoff(quick)
        .report_timeout(Duration::from_secs(120))
        .retry_policy(
            RetryPolicy::new()
                .retries(1)
                .retry_timeout(Duration::from_millis(200), Duration::from_millis(500)),
        )
        .subscribe("alpha", handler.clone())
        .subscribe("beta", handler)
        .build()
        .expect("worker")
}

/// How one task's history reads: the results the engine applied.
#[derive(Debug, Default)]
struct Applied {
    /// Failure reports from handler runs (not the worker's own for an unreadable task).
    failures: u64,
    /// Of those, the ones that left retries (the engine hands the task out again).
    failures_with_retries: u64,
    /// Completed or BPMN error.
    terminal: u64,
}

fn applied(history: &[TaskEvent]) -> Applied {
    let mut applied = Applied::default();
    for event in history {
        match event {
            TaskEvent::Failed {
                error_message,
                retries,
                ..
            } if !error_message
                .as_deref()
                .unwrap_or_default()
                .starts_with(UNREADABLE) =>
            {
                applied.failures += 1;
                if *retries > 0 {
                    applied.failures_with_retries += 1;
                }
            }
            TaskEvent::Completed { .. } | TaskEvent::BpmnError { .. } => applied.terminal += 1,
            _ => {}
        }
    }
    applied
}

fn is_final(outcome: Option<EngineOutcome>) -> bool {
    matches!(
        outcome,
        Some(
            EngineOutcome::Completed
                | EngineOutcome::BpmnError
                | EngineOutcome::Incident
                | EngineOutcome::Cancelled
        )
    )
}

async fn chaos_ten_thousand_tasks_no_result_dropped_no_handler_run_twice() {
    // The handlers' own panics are expected; keep them out of the output.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let text = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .unwrap_or_default();
        if !text.starts_with("chaos panic") {
            default_hook(info);
        }
    }));

    let engine = Arc::new(TestEngine::start().await.expect("engine"));
    let specs = (0..TASKS).map(|i| {
        let kind = match i % 100 {
            0..=3 => "fail",
            4..=7 => "bpmn",
            8 | 9 => "error",
            10 => "panic",
            _ => "complete",
        };
        let topic = if i % 2 == 0 { "alpha" } else { "beta" };
        let spec = TaskSpec::new(topic).variables(json!({ "kind": kind, "n": i as i64 }));
        if i % 200 == 123 {
            // A task the worker cannot read: a failure naming the field, never a handler run.
            spec.fetch_field_override("variables", json!({ "kind": { "type": 5 } }))
        } else {
            spec
        }
    });
    let ids = engine.create_tasks(specs).expect("tasks");

    let faults = engine.faults();
    let rules = [
        (
            "503",
            faults
                .on_any()
                .fail_with_status(503)
                .with_probability(0.02)
                .always(),
        ),
        (
            "500 optimistic locking",
            faults
                .on_any()
                .fail_with_error(
                    500,
                    "OptimisticLockingException",
                    "ENGINE-03005 Execution of 'UPDATE ExternalTaskEntity' failed",
                    Some(1),
                )
                .with_probability(0.01)
                .always(),
        ),
        (
            "401",
            faults
                .on_any()
                .respond_raw(401, None, String::new())
                .header("WWW-Authenticate", "Basic realm=\"default\"")
                .with_probability(0.01)
                .always(),
        ),
        (
            "fetch dropped after applying",
            faults
                .on(Operation::FetchAndLock)
                .drop_connection_after_applying()
                .with_probability(0.01)
                .always(),
        ),
        (
            "complete dropped before applying",
            faults
                .on(Operation::Complete)
                .drop_connection()
                .with_probability(0.01)
                .always(),
        ),
        (
            "complete dropped after applying",
            faults
                .on(Operation::Complete)
                .drop_connection_after_applying()
                .with_probability(0.01)
                .always(),
        ),
        (
            "refused variable (400)",
            faults
                .on(Operation::Complete)
                .fail_with_error(
                    400,
                    "InvalidRequestException",
                    "Cannot convert value 'x' of type 'Integer' to java type java.lang.Integer",
                    None,
                )
                .with_probability(0.005)
                .always(),
        ),
        (
            "process cannot be resumed (500)",
            faults
                .on(Operation::Complete)
                .fail_with_error(
                    500,
                    "ProcessEngineException",
                    "Process instance could not be resumed",
                    Some(0),
                )
                .with_probability(0.005)
                .always(),
        ),
        (
            "complete 502 after applying",
            faults
                .on(Operation::Complete)
                .respond_raw_after_applying(
                    502,
                    Some("text/html"),
                    "<html>Bad Gateway</html>".into(),
                )
                .with_probability(0.01)
                .always(),
        ),
        (
            "complete answered slower than the lock",
            faults
                .on(Operation::Complete)
                .delay(LOCK + Duration::from_millis(500))
                .with_probability(0.002)
                .always(),
        ),
        (
            "failure 504 after applying",
            faults
                .on(Operation::Failure)
                .respond_raw_after_applying(504, Some("text/plain"), "Gateway Timeout".into())
                .with_probability(0.02)
                .always(),
        ),
        (
            "failure dropped after applying",
            faults
                .on(Operation::Failure)
                .drop_connection_after_applying()
                .with_probability(0.02)
                .always(),
        ),
        (
            "bpmnError dropped after applying",
            faults
                .on(Operation::BpmnError)
                .drop_connection_after_applying()
                .with_probability(0.02)
                .always(),
        ),
        (
            "bpmnError 504 after applying",
            faults
                .on(Operation::BpmnError)
                .respond_raw_after_applying(504, Some("text/plain"), "Gateway Timeout".into())
                .with_probability(0.02)
                .always(),
        ),
    ];

    let provider_failures = Arc::new(AtomicU64::new(0));
    let (runs_a, runs_b) = (Runs::default(), Runs::default());
    let (suspend, mut to_suspend) = tokio::sync::mpsc::unbounded_channel();
    let a = worker(
        &engine,
        "chaos-a",
        &runs_a,
        provider_failures.clone(),
        suspend.clone(),
    );
    let b = worker(
        &engine,
        "chaos-b",
        &runs_b,
        provider_failures.clone(),
        suspend,
    );
    let (metrics_a, metrics_b) = (a.metrics(), b.metrics());
    let (stop_a, stop_b) = (a.shutdown_handle(), b.shutdown_handle());
    let run_a = tokio::spawn(a.run());
    let run_b = tokio::spawn(b.run());

    // The chaos driver, every 100 ms until every task is final: restart the engine every 2 s;
    // suspend a task that is being handled for 300 ms; now and then cancel one under its
    // running handler (its result then finds the task gone).
    let started = Instant::now();
    let (mut restarts, mut suspended, mut cancelled) = (0u64, Vec::new(), Vec::new());
    let mut suspensions = 0u64;
    let mut tick = 0u64;
    loop {
        let open = engine.open_tasks();
        let unfinished = ids
            .iter()
            .filter(|id| !is_final(engine.outcome(id)))
            .count();
        if unfinished == 0 {
            break;
        }
        assert!(
            started.elapsed() < LIMIT,
            "{unfinished} tasks not final after {LIMIT:?}: {:?}\nworker a: {:?}\nworker b: {:?}",
            engine.stats(),
            metrics_a.snapshot(),
            metrics_b.snapshot()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
        tick += 1;
        let locked: Vec<_> = open
            .iter()
            .filter(|t| t.locked && !t.suspended)
            .map(|t| t.id.clone())
            .collect();
        if tick % 3 == 0 {
            if let Some(id) = locked.get(tick as usize % locked.len().max(1)) {
                if engine.set_suspended(id, true) {
                    suspended.push((id.clone(), Instant::now()));
                    suspensions += 1;
                }
            }
        }
        // Tasks whose handlers asked: suspended now, activated after their report was refused.
        while let Ok(id) = to_suspend.try_recv() {
            if engine.set_suspended(&id, true) {
                suspended.push((id, Instant::now() + Duration::from_millis(600)));
                suspensions += 1;
            }
        }
        suspended.retain(|(id, since)| {
            let due = since.elapsed() >= Duration::from_millis(300);
            if due {
                engine.set_suspended(id, false);
            }
            !due
        });
        if tick % 10 == 5 && cancelled.len() < 20 {
            if let Some(id) = locked.last() {
                if engine.cancel_task(id) {
                    cancelled.push(id.clone());
                }
            }
        }
        if tick % 20 == 0 {
            engine.stop().await;
            tokio::time::sleep(Duration::from_millis(50)).await;
            engine.resume().await.expect("resume");
            restarts += 1;
        }
    }
    let elapsed = started.elapsed();
    for (id, _) in suspended.drain(..) {
        engine.set_suspended(&id, false);
    }

    // The end: tasks arrive while both workers long-poll, the engine locks them and answers
    // late, and the shutdown cancels the polls. Nothing may stay locked for a worker after
    // `run` returns.
    faults.clear();
    let late = faults
        .on(Operation::FetchAndLock)
        .delay_after_applying(Duration::from_secs(20))
        .always();
    // Both workers' next polls (those the rule delays) are waiting before the tasks come.
    wait_until("both workers poll again", Duration::from_secs(20), || {
        late.fired() >= 2
    })
    .await;
    let tail = engine
        .create_tasks((0..20).map(|i| {
            TaskSpec::new(if i % 2 == 0 { "alpha" } else { "beta" })
                .variables(json!({ "kind": "complete", "n": 1 }))
        }))
        .expect("tail tasks");
    wait_until("the tail is locked", Duration::from_secs(20), || {
        tail.iter()
            .all(|id| matches!(engine.outcome(id), Some(EngineOutcome::Locked(_))))
    })
    .await;
    stop_a.shutdown();
    stop_b.shutdown();
    let (sa, sb) = (run_a.await.expect("a"), run_b.await.expect("b"));
    late.remove();
    let stranded: Vec<_> = engine
        .open_tasks()
        .into_iter()
        .filter(|t| {
            matches!(engine.outcome(&t.id), Some(EngineOutcome::Locked(_)))
                && !sa.aborted_tasks.contains(&t.id)
                && !sb.aborted_tasks.contains(&t.id)
        })
        .map(|t| t.id)
        .collect();

    // Per task: handler runs against the results the engine applied.
    let (mut dropped, mut reruns, mut twice, mut handled_runs) = (0u64, 0u64, 0u64, 0u64);
    let mut examples = Vec::new();
    let mut ends: HashMap<&'static str, usize> = HashMap::new();
    for id in &ids {
        let runs = runs_a.of(id) + runs_b.of(id);
        handled_runs += runs;
        let history = engine.history(id);
        let got = applied(&history);
        let outcome = engine.outcome(id);
        *ends
            .entry(match outcome {
                Some(EngineOutcome::Completed) => "completed",
                Some(EngineOutcome::BpmnError) => "bpmn errors",
                Some(EngineOutcome::Incident) => "incidents",
                Some(EngineOutcome::Cancelled) => "cancelled",
                _ => "other",
            })
            .or_default() += 1;
        let results = got.failures + got.terminal;
        // A cancelled task's last result finds it gone: not a result the worker dropped.
        let gone = u64::from(outcome == Some(EngineOutcome::Cancelled));
        let task_dropped = runs.saturating_sub(results + gone);
        let task_reruns = runs.saturating_sub(1 + got.failures_with_retries);
        let task_twice = results.saturating_sub(runs);
        if task_dropped + task_reruns + task_twice > 0 && examples.len() < 5 {
            examples.push(format!(
                "{id}: runs {runs}, applied {got:?}, outcome {outcome:?}, history {history:?}"
            ));
        }
        dropped += task_dropped;
        reruns += task_reruns;
        twice += task_twice;
    }
    let (ma, mb) = (sa.metrics, sb.metrics);
    let refused = ma.results_refused + mb.results_refused;
    let unreadable = ma.undecodable_tasks + mb.undecodable_tasks;
    let fired: Vec<_> = rules
        .iter()
        .map(|(name, rule)| (*name, rule.fired()))
        .collect();
    let classes_fired = fired.iter().filter(|(_, n)| *n > 0).count();
    let stats = engine.stats();
    println!(
        "faults fired: {}",
        fired
            .iter()
            .map(|(name, n)| format!("{name} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "driver: {restarts} engine restarts, {} auth provider failures, {} suspensions, {} cancelled under a running handler; engine: {stats:?}",
        provider_failures.load(Ordering::Relaxed),
        suspensions,
        cancelled.len()
    );
    for (name, m) in [("a", ma), ("b", mb)] {
        println!("worker {name}: {m:?}");
    }
    println!(
        "ends: {ends:?}; late reports (retries after an applied result): {}",
        engine.reports_after_end().len()
    );
    println!(
        "chaos: {TASKS} tasks in {elapsed:.1?}, {handled_runs} handler runs, results dropped {dropped}, handler re-runs caused by the worker {reruns}, results applied twice {twice}, refused results failure-reported {refused}, unreadable tasks failure-reported {unreadable}, stranded locks {}, fault classes fired {classes_fired}/{}",
        stranded.len(),
        rules.len()
    );
    let _ = std::panic::take_hook();

    assert!(
        examples.is_empty(),
        "tasks whose results went wrong:\n{}",
        examples.join("\n")
    );
    assert_eq!((dropped, reruns, twice), (0, 0, 0));
    assert!(stranded.is_empty(), "left locked: {stranded:?}");
    assert_eq!(ends.get("other"), None, "{ends:?}");
    assert!(engine.tasks_completed_more_than_once().is_empty());
    assert_eq!(ma.reports_abandoned + mb.reports_abandoned, 0);
    assert_eq!(ma.reports_lock_lost + mb.reports_lock_lost, 0);
    // Every fault class happened, and so did the driver's.
    for (name, n) in &fired {
        assert!(*n > 0, "fault `{name}` never fired");
    }
    assert!(refused > 0 && unreadable > 0);
    assert!(restarts >= 1 && !cancelled.is_empty());
    assert!(provider_failures.load(Ordering::Relaxed) > 0);
    assert!(ma.report_suspended_retries + mb.report_suspended_retries > 0);
    assert!(ma.report_credential_retries + mb.report_credential_retries > 0);
    assert!(ma.reports_presumed_applied + mb.reports_presumed_applied > 0);
}
