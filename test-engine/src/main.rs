//! `camunda7-test-engine`: runs the test engine as a standalone server.
//!
//! ```text
//! camunda7-test-engine [--bind ADDR] [--port PORT] [--seed TOPIC=COUNT]... [--omit-null-error-codes] [--basic-auth USER:PASSWORD]
//! ```

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::ExitCode;

use camunda7_test_engine::{TaskSpec, TestEngine};

const USAGE: &str =
    "usage: camunda7-test-engine [--bind ADDR] [--port PORT] [--seed TOPIC=COUNT]...
  --bind ADDR          address to listen on (default 127.0.0.1)
  --port PORT          port to listen on (default 8080; 0 picks a free one)
  --seed TOPIC=COUNT   create COUNT tasks on TOPIC at start (repeatable)
  --omit-null-error-codes
                       leave \"code\": null out of error bodies (for validating proxies)
  --basic-auth USER:PASSWORD
                       require HTTP basic authentication";

struct Args {
    bind: IpAddr,
    port: u16,
    seeds: Vec<(String, usize)>,
    omit_null_error_codes: bool,
    basic_auth: Option<(String, String)>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
        port: 8080,
        seeds: Vec::new(),
        omit_null_error_codes: false,
        basic_auth: None,
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
            "--omit-null-error-codes" => args.omit_null_error_codes = true,
            "--basic-auth" => {
                let v = value("--basic-auth")?;
                let (user, password) = v
                    .split_once(':')
                    .ok_or_else(|| "--basic-auth: expected USER:PASSWORD".to_owned())?;
                args.basic_auth = Some((user.to_owned(), password.to_owned()));
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
    let mut builder = TestEngine::builder()
        .bind(SocketAddr::new(args.bind, args.port))
        .omit_null_error_codes(args.omit_null_error_codes);
    if let Some((user, password)) = &args.basic_auth {
        builder = builder.basic_auth(user.clone(), password.clone());
    }
    let engine = builder.start().await;
    let engine = match engine {
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
