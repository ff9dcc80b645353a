//! Chaos: 10,000 tasks on two topics, two workers, and an engine that answers 503 at random,
//! drops connections before and after applying requests, restarts every two seconds and has
//! its clock pushed forward so locks expire under running work. The invariant must hold for
//! every task; the test prints its counts.

#[macro_use]
mod worker_support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use camunda7_client::worker::{Backoff, Outcome, RetryPolicy, Task, Worker};
use camunda7_client::BoxError;
use camunda7_test_engine::{Operation, TaskSpec, TestEngine};
use serde_json::json;
use worker_support::{all_final, check_invariant, client};

on_both_runtimes!(chaos_ten_thousand_tasks_none_lost_none_completed_twice,);

const TASKS: usize = 10_000;
// Typically 30-60 s in debug on 2 busy cores; the limit only catches a hang.
const LIMIT: Duration = Duration::from_secs(180);

async fn chaotic(task: Task) -> Result<Outcome, BoxError> {
    let kind: String = task.variables().get("kind")?;
    let n: i64 = task.variables().get("n")?;
    if n % 100 == 50 {
        // Slow: the engine clock runs ~12x faster than real time here, so this lock expires
        // on the engine while the handler runs, and the task may be fetched again.
        tokio::time::sleep(Duration::from_millis(1500)).await;
    } else if n % 7 == 0 {
        tokio::time::sleep(Duration::from_millis((n % 20) as u64)).await;
    }
    match kind.as_str() {
        "fail" => Ok(Outcome::failure(format!("chaos failure {n}"))),
        "bpmn" => Ok(Outcome::bpmn_error("CHAOS").variable("n", n)),
        "error" => Err(format!("chaos error {n}").into()),
        "panic" => panic!("chaos panic {n}"),
        _ => Ok(Outcome::complete().variable("done", n)),
    }
}

fn worker(engine: &TestEngine, id: &str) -> Worker {
    let quick = Backoff::exponential(Duration::from_millis(10), Duration::from_millis(200));
    Worker::builder(client(engine))
        .worker_id(id)
        .max_tasks(32)
        .max_concurrent_handlers(32)
        .lock_duration(Duration::from_secs(10))
        .long_polling(Duration::from_secs(5))
        .fetch_error_backoff(quick)
        .report_backoff(quick)
        .retry_policy(
            RetryPolicy::new()
                .retries(1)
                .retry_timeout(Duration::from_secs(1), Duration::from_secs(2)),
        )
        .subscribe("alpha", chaotic)
        .subscribe("beta", chaotic)
        .build()
        .expect("worker")
}

async fn chaos_ten_thousand_tasks_none_lost_none_completed_twice() {
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
        TaskSpec::new(topic).variables(json!({ "kind": kind, "n": i as i64 }))
    });
    let ids = engine.create_tasks(specs).expect("tasks");

    let faults = engine.faults();
    let injected = [
        faults
            .on_any()
            .fail_with_status(503)
            .with_probability(0.02)
            .always(),
        faults
            .on(Operation::FetchAndLock)
            .drop_connection_after_applying()
            .with_probability(0.02)
            .always(),
        faults
            .on(Operation::Complete)
            .drop_connection_after_applying()
            .with_probability(0.01)
            .always(),
        faults
            .on(Operation::Complete)
            .drop_connection()
            .with_probability(0.01)
            .always(),
        faults
            .on(Operation::Failure)
            .drop_connection_after_applying()
            .with_probability(0.02)
            .always(),
        faults
            .on(Operation::BpmnError)
            .drop_connection_after_applying()
            .with_probability(0.02)
            .always(),
    ];

    let (a, b) = (worker(&engine, "chaos-a"), worker(&engine, "chaos-b"));
    let (metrics_a, metrics_b) = (a.metrics(), b.metrics());
    let (stop_a, stop_b) = (a.shutdown_handle(), b.shutdown_handle());
    let run_a = tokio::spawn(a.run());
    let run_b = tokio::spawn(b.run());

    // The chaos driver: push the engine clock forward (locks of 10 s expire every ~1 s of real
    // time, retry timeouts end) and restart the engine every 2 s, until every task is final.
    let started = Instant::now();
    let mut restarts = 0;
    let mut tick = 0u64;
    while !all_final(&engine, &ids) {
        assert!(
            started.elapsed() < LIMIT,
            "not done after {LIMIT:?}: {:?}\nworker a: {:?}\nworker b: {:?}",
            engine.stats(),
            metrics_a.snapshot(),
            metrics_b.snapshot()
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
        tick += 1;
        engine.advance(Duration::from_secs(3));
        if tick % 8 == 0 {
            engine.stop().await;
            tokio::time::sleep(Duration::from_millis(50)).await;
            engine.resume().await.expect("resume");
            restarts += 1;
        }
    }
    let elapsed = started.elapsed();
    faults.clear();
    stop_a.shutdown();
    stop_b.shutdown();
    let (sa, sb) = (run_a.await.expect("a"), run_b.await.expect("b"));

    let ends = check_invariant(&engine, &ids, false);
    let stats = engine.stats();
    let (ma, mb) = (sa.metrics, sb.metrics);
    println!("chaos: {TASKS} tasks in {elapsed:.1?}, {restarts} engine restarts, {tick} clock pushes of 3 s");
    println!(
        "faults fired: 503 {}, fetch dropped after applying {}, complete dropped after/before applying {}/{}, failure dropped after applying {}, bpmnError dropped after applying {}",
        injected[0].fired(),
        injected[1].fired(),
        injected[2].fired(),
        injected[3].fired(),
        injected[4].fired(),
        injected[5].fired()
    );
    println!(
        "ends: completed {}, bpmn errors {}, incidents {} (failure-reported), lost 0, completed twice 0",
        ends.completed, ends.bpmn_errors, ends.incidents
    );
    println!("engine: {stats:?}");
    for (name, m) in [("a", ma), ("b", mb)] {
        println!(
            "worker {name}: fetched {}, completed {}, failed {}, bpmn {}, handler errors {}, panics {}, report retries {}, presumed applied {}, not found {}, lock lost {}, abandoned {}, duplicates skipped {}, fetch errors {}",
            m.fetched, m.completed, m.failed, m.bpmn_errors, m.handler_errors, m.handler_panics,
            m.report_retries, m.reports_presumed_applied, m.reports_not_found, m.reports_lock_lost,
            m.reports_abandoned, m.duplicates_skipped, m.fetch_errors
        );
    }
    let _ = std::panic::take_hook();

    assert_eq!(ends.completed + ends.bpmn_errors + ends.incidents, TASKS);
    assert_eq!(ends.completed, TASKS * 89 / 100);
    assert_eq!(ends.bpmn_errors, TASKS * 4 / 100);
    assert_eq!(ends.incidents, TASKS * 7 / 100);
    assert_eq!(stats.completed as usize, ends.completed);
    // Every fault kind actually happened.
    for (i, rule) in injected.iter().enumerate() {
        assert!(rule.fired() > 0, "fault rule {i} never fired");
    }
    assert!(restarts >= 1);
    // Locks expired under running handlers: results refused or found gone, or tasks fetched
    // again while still being handled.
    let expiry_effects = [ma, mb]
        .iter()
        .map(|m| m.reports_lock_lost + m.reports_not_found + m.duplicates_skipped)
        .sum::<u64>();
    assert!(
        expiry_effects > 0,
        "no lock expired under a running handler"
    );
    // Confirmed completions never exceed the engine's (a presumed-applied one is not counted).
    assert!(ma.completed + mb.completed <= stats.completed);
}
