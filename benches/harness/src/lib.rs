//! What both benchmark programs read from their environment and how they measure CPU time.

use camunda7_client::{Client, Error};

/// A numeric setting from the environment, or `default` when unset or unreadable.
pub fn env_num<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// The stand-in's base URL (`BASE_URL`, default the peer kit's nginx on 127.0.0.1:18081).
pub fn stand_in_url() -> String {
    std::env::var("BASE_URL").unwrap_or_else(|_| "http://127.0.0.1:18081/engine-rest".to_owned())
}

/// The seconds to run (`DURATION_S`, default 10; a value that is not a positive number counts
/// as unset).
pub fn duration_s() -> f64 {
    Some(env_num("DURATION_S", 10.0))
        .filter(|s: &f64| s.is_finite() && *s > 0.0)
        .unwrap_or(10.0)
}

/// A client for `base` with the default settings, or with the request timeout off when
/// `NO_TIMEOUT` is set (as in the hand-written loop, which has none).
pub fn client(base: &str) -> Result<Client, Error> {
    let builder = Client::builder().base_url(base);
    if std::env::var_os("NO_TIMEOUT").is_some() {
        builder.no_timeout().build()
    } else {
        builder.build()
    }
}

/// User + system CPU seconds of this process so far: the sum over its threads of
/// `/proc/self/task/*/schedstat` (nanoseconds), or `/proc/self/stat` (clock ticks) without it.
pub fn cpu_seconds() -> f64 {
    let from_schedstat = || -> Option<f64> {
        let mut ns: u64 = 0;
        for entry in std::fs::read_dir("/proc/self/task").ok()? {
            let stat = std::fs::read_to_string(entry.ok()?.path().join("schedstat")).ok()?;
            ns += stat.split_whitespace().next()?.parse::<u64>().ok()?;
        }
        Some(ns as f64 / 1e9)
    };
    let from_stat = || -> Option<f64> {
        let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
        // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
        let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
        let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
        Some(ticks as f64 / 100.0) // USER_HZ is 100 on Linux
    };
    from_schedstat().or_else(from_stat).unwrap_or(0.0)
}
