//! A Prism process on 127.0.0.1, started for a test and stopped when dropped.

use std::io::{BufRead, BufReader, Read};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long Prism may take to load a document and listen. It needs a few seconds for a 2 MB
/// document on an idle machine; the bound is generous for a busy 2-core one.
const START_TIMEOUT: Duration = Duration::from_secs(180);

/// How many of Prism's last output lines a failure message shows.
const LOG_TAIL: usize = 25;

/// The line Prism prints once it accepts connections.
const LISTENING: &str = "Prism is listening on";

/// How Prism runs.
#[derive(Debug, Clone)]
pub enum Mode {
    /// `prism mock`: answers from the document's examples; violations go to the `sl-violations`
    /// response header.
    Mock,
    /// `prism proxy <upstream>`: forwards valid requests to `upstream` (a base URL such as
    /// `http://127.0.0.1:PORT/engine-rest`) and checks the answers. With `errors`, a request
    /// violation becomes a 422 and a response violation a 500 (`application/problem+json`).
    Proxy {
        /// The server Prism forwards to.
        upstream: String,
        /// Whether `--errors` is passed.
        errors: bool,
    },
}

/// A running Prism. Dropping it kills the process (and its process group) and reaps it.
pub struct Prism {
    child: Child,
    addr: SocketAddr,
    log: Arc<Mutex<Vec<String>>>,
    document: PathBuf,
}

impl Prism {
    /// Starts Prism serving `document` and waits until it listens (bounded by a timeout).
    /// Retries on another port when the chosen one was taken in the meantime.
    pub async fn start(bin: &Path, document: &Path, mode: Mode) -> Result<Prism, String> {
        let mut last_error = String::new();
        for _ in 0..3 {
            match Self::start_once(bin, document, &mode).await {
                Ok(prism) => return Ok(prism),
                Err(StartError::PortTaken(e)) => last_error = e,
                Err(StartError::Failed(e)) => return Err(e),
            }
        }
        Err(last_error)
    }

    async fn start_once(bin: &Path, document: &Path, mode: &Mode) -> Result<Prism, StartError> {
        let port = free_port().map_err(StartError::Failed)?;
        let mut cmd = Command::new(bin);
        match mode {
            Mode::Mock => {
                cmd.arg("mock");
            }
            Mode::Proxy { errors, .. } => {
                cmd.arg("proxy");
                if *errors {
                    cmd.arg("--errors");
                }
            }
        }
        // Positional arguments: the document, then (proxy) the upstream.
        cmd.args(["-h", "127.0.0.1", "-p", &port.to_string()])
            .arg(document);
        if let Mode::Proxy { upstream, .. } = mode {
            cmd.arg(upstream);
        }
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            // No colour codes in the log we parse and show.
            .env("FORCE_COLOR", "0")
            .env("NO_COLOR", "1");
        // Its own process group, so that dropping kills whatever node may have spawned.
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);

        let mut child = cmd
            .spawn()
            .map_err(|e| StartError::Failed(format!("cannot start {} ({e})", bin.display())))?;
        let log = Arc::new(Mutex::new(Vec::new()));
        let ready = Arc::new(AtomicBool::new(false));
        if let Some(out) = child.stdout.take() {
            drain(out, Arc::clone(&log), Arc::clone(&ready));
        }
        if let Some(err) = child.stderr.take() {
            drain(err, Arc::clone(&log), Arc::clone(&ready));
        }
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let mut prism = Prism {
            child,
            addr,
            log,
            document: document.to_path_buf(),
        };
        prism.wait_until_listening(&ready).await?;
        Ok(prism)
    }

    /// Waits for the "listening" line (and a successful connect), the process's exit, or the
    /// timeout, whichever comes first.
    async fn wait_until_listening(&mut self, ready: &AtomicBool) -> Result<(), StartError> {
        let started = Instant::now();
        loop {
            if ready.load(Ordering::SeqCst)
                && TcpStream::connect_timeout(&self.addr, Duration::from_secs(1)).is_ok()
            {
                return Ok(());
            }
            if let Some(status) = self.exit_status() {
                let tail = self.log_tail();
                let message = format!(
                    "Prism exited ({status}) before listening on {} for {}:\n{tail}",
                    self.addr,
                    self.document.display()
                );
                return Err(if tail.contains("EADDRINUSE") {
                    StartError::PortTaken(message)
                } else {
                    StartError::Failed(message)
                });
            }
            if started.elapsed() > START_TIMEOUT {
                return Err(StartError::Failed(format!(
                    "Prism did not listen on {} within {:?} for {}:\n{}",
                    self.addr,
                    START_TIMEOUT,
                    self.document.display(),
                    self.log_tail()
                )));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The exit status, once the process has ended.
    fn exit_status(&mut self) -> Option<String> {
        match self.child.try_wait() {
            Ok(Some(status)) => Some(status.to_string()),
            Ok(None) => None,
            Err(e) => Some(format!("unknown status: {e}")),
        }
    }

    /// `http://127.0.0.1:PORT`: Prism serves the document's paths at the root (`/external-task`),
    /// not under the `servers` URL's `/engine-rest`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The last lines Prism printed, for failure messages.
    pub fn log_tail(&self) -> String {
        let log = self.log.lock().unwrap_or_else(|e| e.into_inner());
        let start = log.len().saturating_sub(LOG_TAIL);
        log[start..].join("\n")
    }
}

impl Drop for Prism {
    fn drop(&mut self) {
        #[cfg(unix)]
        {
            // The negative pid addresses the whole process group made at spawn.
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", self.child.id())])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

enum StartError {
    /// Another process took the port between choosing and binding it: worth another try.
    PortTaken(String),
    Failed(String),
}

/// A port on 127.0.0.1 that was free a moment ago.
fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0")
        .map_err(|e| format!("cannot bind 127.0.0.1:0 to find a free port: {e}"))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| format!("cannot read the bound address: {e}"))
}

/// Reads a pipe line by line on a thread (Prism blocks when its pipe fills), keeping the lines
/// and raising `ready` at the "listening" line.
fn drain(pipe: impl Read + Send + 'static, log: Arc<Mutex<Vec<String>>>, ready: Arc<AtomicBool>) {
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines() {
            let Ok(line) = line else { break };
            if line.contains(LISTENING) {
                ready.store(true, Ordering::SeqCst);
            }
            let mut log = log.lock().unwrap_or_else(|e| e.into_inner());
            // Keep memory bounded: Prism logs a few lines per request.
            if log.len() >= 20_000 {
                log.drain(..10_000);
            }
            log.push(line);
        }
    });
}
