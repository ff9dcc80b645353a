//! An external-task worker with two topics.
//!
//! `cargo run --example worker` starts the embedded test engine and a worker, follows one task
//! through it (its variables in, the handler's variables out), then seeds 3,000 more (some
//! fail, some raise BPMN errors), processes them with a progress line on stderr, prints a
//! summary and exits 0.
//!
//! With `CAMUNDA_URL` set (e.g. `http://localhost:8080/engine-rest`, basic auth from
//! `CAMUNDA_USER` / `CAMUNDA_PASSWORD`) it works for that engine instead, until Ctrl-C
//! (a second Ctrl-C aborts the handlers still running).

use std::time::{Duration, Instant};

use camunda7_client::worker::{Metrics, MetricsSnapshot, Outcome, Task, Worker};
use camunda7_client::{Auth, BoxError, Client};
use camunda7_test_engine::{TaskSpec, TestEngine};
use serde_json::json;

const TASKS_PER_TOPIC: u64 = 1_500;

/// `charge-card`: declines every 10th amount (BPMN error), fails on every 25th (incident),
/// completes the rest with a receipt number.
async fn charge_card(task: Task) -> Result<Outcome, BoxError> {
    let amount: i64 = task.variables().get("amount")?; // missing: a handler error, retried
    tokio::time::sleep(Duration::from_millis(2)).await; // "calling the payment service"
    Ok(if amount % 25 == 0 {
        Outcome::failure("card expired")
            .details(format!("amount {amount}: the card on file expired"))
            .retries(0)
            .into()
    } else if amount % 10 == 0 {
        Outcome::bpmn_error("CARD_DECLINED")
            .message("declined by the issuer")
            .into()
    } else {
        Outcome::complete()
            .variable("receipt", format!("R-{amount:06}"))
            .into()
    })
}

/// `send-receipt`: raises `NO_EMAIL` when the customer has no address, completes otherwise.
async fn send_receipt(task: Task) -> Result<Outcome, BoxError> {
    let email: Option<String> = task.variables().get_opt("email")?;
    Ok(match email {
        Some(_) => Outcome::complete().variable("receiptSent", true).into(),
        None => Outcome::bpmn_error("NO_EMAIL")
            .message("customer has no e-mail address")
            .into(),
    })
}

fn build_worker(client: Client) -> Result<Worker, camunda7_client::Error> {
    Worker::builder(client)
        .max_tasks(50)
        .max_concurrent_handlers(50)
        .subscribe("charge-card", charge_card)
        .subscribe("send-receipt", send_receipt)
        .build()
}

fn progress_line(m: &MetricsSnapshot, total: Option<u64>, started: Instant) -> String {
    let rate = m.reported() as f64 / started.elapsed().as_secs_f64().max(1e-3);
    let of = total.map(|t| format!("/{t}")).unwrap_or_default();
    format!(
        "processed {}{of}: {} completed, {} failed, {} BPMN errors ({rate:.0} tasks/s)",
        m.reported(),
        m.completed,
        m.failed,
        m.bpmn_errors
    )
}

/// Prints a progress line to stderr every 500 ms.
fn spawn_progress(
    metrics: Metrics,
    total: Option<u64>,
    started: Instant,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_millis(500));
        // The first tick is at once, before anything happened.
        every.tick().await;
        loop {
            every.tick().await;
            eprintln!("{}", progress_line(&metrics.snapshot(), total, started));
        }
    })
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::WARN)
        .with_writer(std::io::stderr)
        .init();
    match std::env::var("CAMUNDA_URL") {
        Ok(url) => remote(&url).await,
        Err(_) => embedded().await,
    }
}

/// Works for a real engine until Ctrl-C.
async fn remote(url: &str) -> Result<(), BoxError> {
    let mut builder = Client::builder().base_url(url);
    if let Ok(user) = std::env::var("CAMUNDA_USER") {
        let password = std::env::var("CAMUNDA_PASSWORD").unwrap_or_default();
        builder = builder.auth(Auth::basic(user, password));
    }
    let worker = build_worker(builder.build()?)?;
    eprintln!(
        "worker {} polling {url}; Ctrl-C to stop",
        worker.worker_id()
    );
    let started = Instant::now();
    let progress = spawn_progress(worker.metrics(), None, started);
    let shutdown = worker.shutdown_handle();
    let signals = tokio::spawn(async move {
        // First Ctrl-C: graceful; second: abort.
        while tokio::signal::ctrl_c().await.is_ok() {
            eprintln!("shutting down…");
            shutdown.shutdown();
        }
    });
    let summary = worker.run().await;
    progress.abort();
    signals.abort();
    println!("{}", progress_line(&summary.metrics, None, started));
    println!(
        "stopped after {:.1?}; {} handlers aborted",
        summary.elapsed, summary.aborted
    );
    Ok(())
}

/// Follows one task through the worker, then seeds the embedded engine, works until every task
/// is reported, and prints a summary.
async fn embedded() -> Result<(), BoxError> {
    let engine = TestEngine::start().await?;
    eprintln!("embedded engine at {}", engine.base_url());
    let worker = build_worker(Client::new(engine.base_url())?)?;
    let metrics = worker.metrics();
    let shutdown = worker.shutdown_handle();
    let run = tokio::spawn(worker.run());

    // One task's journey: what goes in, what the handler sends back.
    let id = engine.create_task(
        TaskSpec::new("charge-card").variables(json!({ "amount": 42, "customer": "c-42" })),
    )?;
    println!("one task, {id}, topic charge-card, variables in: amount = 42, customer = \"c-42\"");
    while metrics.snapshot().reported() < 1 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let completed = engine
        .completed(&id)
        .ok_or("the first task was not completed")?;
    println!(
        "  completed by worker {}; variables out: receipt = {}",
        completed.worker_id,
        completed
            .value("receipt")
            .map(|v| v.to_string())
            .unwrap_or_default()
    );

    // Then a batch, for throughput.
    let charges = (0..TASKS_PER_TOPIC).map(|i| {
        TaskSpec::new("charge-card")
            .variables(json!({ "amount": i as i64 + 1, "customer": format!("c{i}") }))
    });
    let receipts = (0..TASKS_PER_TOPIC).map(|i| {
        let spec = TaskSpec::new("send-receipt").business_key(format!("order-{i}"));
        if i % 20 == 0 {
            spec
        } else {
            spec.variables(json!({ "email": format!("c{i}@example.com") }))
        }
    });
    let before = metrics.snapshot();
    engine.create_tasks(charges.chain(receipts))?;
    let total = 2 * TASKS_PER_TOPIC;
    eprintln!("{total} more tasks");
    let started = Instant::now();
    let progress = spawn_progress(metrics.clone(), Some(total + 1), started);
    let done = async {
        while metrics.snapshot().reported() < total + 1 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    tokio::select! {
        () = done => {}
        _ = tokio::signal::ctrl_c() => {}
    }
    let batch_secs = started.elapsed().as_secs_f64().max(1e-3);
    shutdown.shutdown();
    let summary = run.await?;
    progress.abort();

    let m = summary.metrics;
    let batch = m.reported() - before.reported();
    let stats = engine.stats();
    println!(
        "{batch} tasks in {batch_secs:.2} s: {:.0} tasks/s",
        batch as f64 / batch_secs
    );
    println!(
        "  completed {}  failed {}  BPMN errors {}  (handler errors {}, report retries {})",
        m.completed, m.failed, m.bpmn_errors, m.handler_errors, m.report_retries
    );
    println!(
        "  engine: {} completed, {} failures, {} BPMN errors; {} still open: the incidents, \
         failures reported with no retries left, which wait for a person",
        stats.completed, stats.failures, stats.bpmn_errors, stats.open
    );
    engine.shutdown().await;
    if m.reported() != total + 1 || stats.completed != m.completed {
        return Err(format!(
            "expected {} reported tasks, got {}",
            total + 1,
            m.reported()
        )
        .into());
    }
    Ok(())
}
