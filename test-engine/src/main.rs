//! `camunda7-test-engine`: runs the test engine as a standalone server.
//!
//! ```text
//! camunda7-test-engine [--bind ADDR] [--port PORT] [--seed TOPIC=COUNT]...
//! ```

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::ExitCode;

use camunda7_test_engine::{TaskSpec, TestEngine};

const USAGE: &str =
    "usage: camunda7-test-engine [--bind ADDR] [--port PORT] [--seed TOPIC=COUNT]...
  --bind ADDR          address to listen on (default 127.0.0.1)
  --port PORT          port to listen on (default 8080; 0 picks a free one)
  --seed TOPIC=COUNT   create COUNT tasks on TOPIC at start (repeatable)";

struct Args {
    bind: IpAddr,
    port: u16,
    seeds: Vec<(String, usize)>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
        port: 8080,
        seeds: Vec::new(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--bind" => {
                let v = value("--bind")?;
                args.bind = v
                    .parse()
                    .map_err(|_| format!("--bind: '{v}' is not an IP address"))?;
            }
            "--port" => {
                let v = value("--port")?;
                args.port = v
                    .parse()
                    .map_err(|_| format!("--port: '{v}' is not a port number"))?;
            }
            "--seed" => {
                let v = value("--seed")?;
                let (topic, count) = v
                    .split_once('=')
                    .ok_or_else(|| format!("--seed: '{v}' is not TOPIC=COUNT"))?;
                let count = count
                    .parse()
                    .map_err(|_| format!("--seed: '{count}' is not a number"))?;
                args.seeds.push((topic.to_owned(), count));
            }
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument '{other}'")),
        }
    }
    Ok(args)
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("error: {message}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let engine = match TestEngine::start_on(SocketAddr::new(args.bind, args.port)).await {
        Ok(engine) => engine,
        Err(error) => {
            eprintln!(
                "error: cannot listen on {}:{}: {error}",
                args.bind, args.port
            );
            return ExitCode::FAILURE;
        }
    };
    for (topic, count) in &args.seeds {
        if let Err(error) = engine.create_tasks((0..*count).map(|_| TaskSpec::new(topic.clone()))) {
            eprintln!("error: seeding '{topic}': {error}");
            return ExitCode::FAILURE;
        }
    }
    println!("camunda7-test-engine serving {}", engine.base_url());
    if let Err(error) = tokio::signal::ctrl_c().await {
        eprintln!("error: waiting for Ctrl-C: {error}");
    }
    engine.shutdown().await;
    ExitCode::SUCCESS
}
