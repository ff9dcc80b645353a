//! Backoff between attempts, and the retry policy for failed handlers.

use std::time::Duration;

/// How long to wait before the next attempt after `n` failed ones: exponential growth from an
/// initial delay up to a cap, with optional random jitter.
///
/// ```
/// use std::time::Duration;
/// use camunda7_client::worker::Backoff;
/// let backoff = Backoff::exponential(Duration::from_millis(100), Duration::from_secs(5))
///     .multiplier(2.0)
///     .jitter(0.0);
/// assert_eq!(backoff.delay(0), Duration::ZERO);
/// assert_eq!(backoff.delay(1), Duration::from_millis(100));
/// assert_eq!(backoff.delay(3), Duration::from_millis(400));
/// assert_eq!(backoff.delay(30), Duration::from_secs(5));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backoff {
    initial: Duration,
    max: Duration,
    multiplier: f64,
    jitter: f64,
}

impl Backoff {
    /// Waits `initial` after the first failure, multiplied by 2 after each further one, at most
    /// `max`, with ±20 % jitter.
    pub fn exponential(initial: Duration, max: Duration) -> Self {
        Backoff {
            initial,
            max: max.max(initial),
            multiplier: 2.0,
            jitter: 0.2,
        }
    }

    /// Always waits `delay` (no growth, no jitter).
    pub fn constant(delay: Duration) -> Self {
        Backoff {
            initial: delay,
            max: delay,
            multiplier: 1.0,
            jitter: 0.0,
        }
    }

    /// Never waits.
    pub fn none() -> Self {
        Backoff::constant(Duration::ZERO)
    }

    /// The growth factor per failure (values below 1 are treated as 1).
    pub fn multiplier(mut self, multiplier: f64) -> Self {
        self.multiplier = if multiplier.is_finite() {
            multiplier.max(1.0)
        } else {
            1.0
        };
        self
    }

    /// Random spread as a fraction of the delay (0.0..=1.0): `0.2` waits between 80 % and 120 %
    /// of the computed delay (never above the cap). Spreads workers that failed together.
    pub fn jitter(mut self, jitter: f64) -> Self {
        self.jitter = if jitter.is_finite() {
            jitter.clamp(0.0, 1.0)
        } else {
            0.0
        };
        self
    }

    /// The longest delay this backoff waits.
    pub fn max_delay(&self) -> Duration {
        self.max
    }

    /// The delay before the next attempt after `failures` consecutive failures (0: no wait).
    pub fn delay(&self, failures: u32) -> Duration {
        if failures == 0 || self.initial.is_zero() {
            return Duration::ZERO;
        }
        let exponent = i32::try_from(failures - 1).unwrap_or(i32::MAX);
        let base = self.initial.as_secs_f64() * self.multiplier.powi(exponent);
        let capped = base.min(self.max.as_secs_f64());
        let spread = if self.jitter > 0.0 {
            capped * (1.0 + self.jitter * (fastrand::f64() * 2.0 - 1.0))
        } else {
            capped
        };
        let secs = spread.clamp(0.0, self.max.as_secs_f64());
        Duration::try_from_secs_f64(secs).unwrap_or(self.max)
    }
}

/// How long the worker waits before it tries again: after failed fetches, after fetches that
/// returned nothing, and between attempts to report a result. [`Backoff`] is one (exponential,
/// with jitter) and [`ErrorAwareBackoff`] another (a different backoff per HTTP status);
/// implement it to decide from the error itself.
///
/// ```
/// use std::time::Duration;
/// use camunda7_client::{worker::BackoffStrategy, Error};
///
/// /// Waits longer when the engine says it is overloaded.
/// #[derive(Debug)]
/// struct PatientWhenBusy;
///
/// impl BackoffStrategy for PatientWhenBusy {
///     fn delay(&self, failures: u32, error: Option<&Error>) -> Duration {
///         let busy = error.and_then(Error::status).is_some_and(|s| s.as_u16() == 503);
///         let base = if busy { 2_000 } else { 100 };
///         Duration::from_millis(base * u64::from(failures.min(10)))
///     }
///
///     fn max_delay(&self) -> Duration {
///         Duration::from_secs(20)
///     }
/// }
/// ```
pub trait BackoffStrategy: Send + Sync + std::fmt::Debug + 'static {
    /// The wait before the next attempt after `failures` consecutive failed ones (1 after the
    /// first), the last of which failed with `error` (`None` after an empty fetch, or when
    /// there is no error to show).
    fn delay(&self, failures: u32, error: Option<&crate::Error>) -> Duration;

    /// The longest wait it ever gives; the worker checks at `build()` that it is at most 365
    /// days.
    fn max_delay(&self) -> Duration;
}

impl BackoffStrategy for Backoff {
    fn delay(&self, failures: u32, _error: Option<&crate::Error>) -> Duration {
        Backoff::delay(self, failures)
    }

    fn max_delay(&self) -> Duration {
        Backoff::max_delay(self)
    }
}

/// A [`Backoff`] per HTTP status of the failed attempt, and a default for everything else
/// (transport errors and empty fetches included).
///
/// ```
/// use std::time::Duration;
/// use camunda7_client::worker::{Backoff, ErrorAwareBackoff};
/// let backoff = ErrorAwareBackoff::new(Backoff::exponential(
///     Duration::from_millis(100),
///     Duration::from_secs(5),
/// ))
/// // An overloaded engine or gateway: wait longer, spread further.
/// .on_status(503, Backoff::exponential(Duration::from_secs(1), Duration::from_secs(30)).jitter(0.5))
/// .on_status(429, Backoff::constant(Duration::from_secs(5)));
/// # let _ = backoff;
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorAwareBackoff {
    default: Backoff,
    by_status: Vec<(u16, Backoff)>,
}

impl ErrorAwareBackoff {
    /// `default` for every failure without a backoff of its own.
    pub fn new(default: Backoff) -> Self {
        ErrorAwareBackoff {
            default,
            by_status: Vec::new(),
        }
    }

    /// `backoff` after an answer with this HTTP status (a later call for the same status
    /// replaces an earlier one).
    pub fn on_status(mut self, status: u16, backoff: Backoff) -> Self {
        self.by_status.retain(|(s, _)| *s != status);
        self.by_status.push((status, backoff));
        self
    }
}

impl BackoffStrategy for ErrorAwareBackoff {
    fn delay(&self, failures: u32, error: Option<&crate::Error>) -> Duration {
        let status = error.and_then(crate::Error::status).map(|s| s.as_u16());
        let backoff = status
            .and_then(|status| self.by_status.iter().find(|(s, _)| *s == status))
            .map_or(&self.default, |(_, backoff)| backoff);
        backoff.delay(failures)
    }

    fn max_delay(&self) -> Duration {
        self.by_status
            .iter()
            .map(|(_, b)| b.max_delay())
            .fold(self.default.max_delay(), Duration::max)
    }
}

/// What a worker reports when a handler fails by returning an error or panicking (and for an
/// [`Outcome::failure`](super::Outcome::failure) that sets no retries or retry timeout itself).
///
/// Retries: when the task's `retries` is still null (it never failed), the report sets
/// [`retries`](RetryPolicy::retries) (default 3); otherwise it counts the task's value down by one.
/// Once the report says 0, the engine raises an incident and stops offering the task.
///
/// Retry timeout (how long the engine hides the task before it can be fetched again): exponential
/// in the number of failures so far, from [`retry_timeout`](RetryPolicy::retry_timeout)'s
/// initial value (default 1 s) doubling up to its cap (default 5 min).
///
/// ```
/// use std::time::Duration;
/// use camunda7_client::worker::RetryPolicy;
/// let policy = RetryPolicy::new()
///     .retries(3)
///     .retry_timeout(Duration::from_secs(10), Duration::from_secs(600));
/// assert_eq!(policy.next(None), (3, Duration::from_secs(10)));
/// assert_eq!(policy.next(Some(3)), (2, Duration::from_secs(20)));
/// assert_eq!(policy.next(Some(1)), (0, Duration::from_secs(80)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    retries: i32,
    initial_timeout: Duration,
    max_timeout: Duration,
    multiplier: f64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            retries: 3,
            initial_timeout: Duration::from_secs(1),
            max_timeout: Duration::from_secs(300),
            multiplier: 2.0,
        }
    }
}

impl RetryPolicy {
    /// The default policy: 3 retries, retry timeout 1 s doubling up to 5 min.
    pub fn new() -> Self {
        RetryPolicy::default()
    }

    /// No retries: the first failure reports `retries: 0`, which raises an incident at once.
    pub fn no_retries() -> Self {
        RetryPolicy::default().retries(0)
    }

    /// The retries a task gets at its first failure (negative values are treated as 0).
    pub fn retries(mut self, retries: i32) -> Self {
        self.retries = retries.max(0);
        self
    }

    /// The retry timeout after the first failure, and the cap it grows to.
    pub fn retry_timeout(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_timeout = initial;
        self.max_timeout = max.max(initial);
        self
    }

    /// The growth factor of the retry timeout per failure (values below 1 are treated as 1).
    pub fn multiplier(mut self, multiplier: f64) -> Self {
        self.multiplier = if multiplier.is_finite() {
            multiplier.max(1.0)
        } else {
            1.0
        };
        self
    }

    /// The longest retry timeout this policy reports.
    pub fn max_timeout(&self) -> Duration {
        self.max_timeout
    }

    /// The retry timeout after the `failures`-th failure (1 for the first).
    fn timeout_for(&self, failures: u32) -> Duration {
        Backoff::exponential(self.initial_timeout, self.max_timeout)
            .multiplier(self.multiplier)
            .jitter(0.0)
            .delay(failures.max(1))
    }

    /// The retries and retry timeout to report for a task whose current `retries` is `current`.
    pub fn next(&self, current: Option<i32>) -> (i32, Duration) {
        let (remaining, failures) = match current {
            None => (self.retries, 1),
            Some(left) => {
                let remaining = left.saturating_sub(1).max(0);
                // Failures so far, counting this one; at least 1 when a task came with more
                // retries than the policy would have given it.
                let failures = self
                    .retries
                    .saturating_sub(remaining)
                    .saturating_add(1)
                    .max(1);
                (remaining, failures)
            }
        };
        let backoff = Backoff::exponential(self.initial_timeout, self.max_timeout)
            .multiplier(self.multiplier)
            .jitter(0.0);
        (
            remaining,
            backoff.delay(u32::try_from(failures).unwrap_or(1)),
        )
    }
}

/// The retries and retry timeouts an activity asks for in its extension properties
/// (`camunda:properties` in the BPMN model), which override the worker's [`RetryPolicy`] for
/// its tasks. The subscription must ask for them
/// ([`Subscription::include_extension_properties`](super::Subscription::include_extension_properties)).
///
/// - `retries`: how many retries the first failure leaves (`3`), or that and one retry timeout
///   for every failure (`R3/PT5M`, as in Camunda's `failedJobRetryTimeCycle`).
/// - `retryTimeouts`: the retry timeout after the first, second, … failure as ISO-8601
///   durations (`PT1M,PT5M,PT10M`; the last one repeats). Without `retries`, the number of
///   retries is the length of this list.
///
/// What neither sets comes from the worker's policy. A property that cannot be read is logged
/// and the worker's policy applies.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PropertyRetries {
    retries: Option<i32>,
    timeouts: Option<Vec<Duration>>,
}

/// The property names, as the module docs list them.
pub(crate) const RETRIES_PROPERTY: &str = "retries";
pub(crate) const RETRY_TIMEOUTS_PROPERTY: &str = "retryTimeouts";

impl PropertyRetries {
    /// The retries the properties set, `Ok(None)` when they set none, or what is wrong.
    pub(crate) fn from_properties(
        properties: &std::collections::BTreeMap<String, String>,
    ) -> Result<Option<Self>, String> {
        let retries_text = properties.get(RETRIES_PROPERTY).map(|t| t.trim());
        let timeouts_text = properties.get(RETRY_TIMEOUTS_PROPERTY).map(|t| t.trim());
        if retries_text.is_none() && timeouts_text.is_none() {
            return Ok(None);
        }
        let mut plan = PropertyRetries {
            retries: None,
            timeouts: None,
        };
        if let Some(text) = retries_text {
            if let Some(cycle) = text.strip_prefix('R') {
                let (count, duration) = cycle.split_once('/').ok_or_else(|| {
                    format!("`{RETRIES_PROPERTY}` = `{text}`: expected R<count>/<duration>, e.g. R3/PT5M")
                })?;
                plan.retries = Some(count_of(count, text)?);
                plan.timeouts = Some(vec![iso8601_duration(duration)
                    .map_err(|e| format!("`{RETRIES_PROPERTY}` = `{text}`: {e}"))?]);
            } else {
                plan.retries = Some(count_of(text, text)?);
            }
        }
        if let Some(text) = timeouts_text {
            let list = text
                .split(',')
                .map(|item| iso8601_duration(item.trim()))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| format!("`{RETRY_TIMEOUTS_PROPERTY}` = `{text}`: {e}"))?;
            if list.is_empty() {
                return Err(format!("`{RETRY_TIMEOUTS_PROPERTY}` is empty"));
            }
            plan.retries = plan
                .retries
                .or(Some(i32::try_from(list.len()).unwrap_or(i32::MAX)));
            plan.timeouts = Some(list);
        }
        Ok(Some(plan))
    }

    /// The retries and retry timeout to report for a task whose current `retries` is `current`,
    /// with what the properties leave open taken from `policy`.
    pub(crate) fn next(&self, current: Option<i32>, policy: &RetryPolicy) -> (i32, Duration) {
        let retries = self.retries.unwrap_or(policy.retries);
        let (remaining, failures) = match current {
            None => (retries, 1),
            Some(left) => {
                let remaining = left.saturating_sub(1).max(0);
                (
                    remaining,
                    retries.saturating_sub(remaining).saturating_add(1).max(1),
                )
            }
        };
        let failures = u32::try_from(failures).unwrap_or(1);
        let timeout = match &self.timeouts {
            Some(list) => {
                let index = usize::try_from(failures - 1).unwrap_or(usize::MAX);
                list.get(index)
                    .or(list.last())
                    .copied()
                    .unwrap_or(Duration::ZERO)
            }
            None => policy.timeout_for(failures),
        };
        (remaining, timeout)
    }
}

fn count_of(text: &str, whole: &str) -> Result<i32, String> {
    text.trim()
        .parse::<i32>()
        .ok()
        .filter(|n| *n >= 0)
        .ok_or_else(|| {
            format!("`{RETRIES_PROPERTY}` = `{whole}`: `{text}` is not a count of retries")
        })
}

/// An ISO-8601 duration of weeks, days, hours, minutes and seconds (`P1D`, `PT5M`, `PT1H30M`,
/// `PT0.5S`); years and months are refused, as their length varies.
pub(crate) fn iso8601_duration(text: &str) -> Result<Duration, String> {
    let bad = |why: &str| format!("`{text}` is not an ISO-8601 duration such as PT5M ({why})");
    let body = text
        .strip_prefix('P')
        .or_else(|| text.strip_prefix('p'))
        .ok_or_else(|| bad("it must start with P"))?;
    let (date, time) = match body.split_once(['T', 't']) {
        Some((date, time)) => (date, Some(time)),
        None => (body, None),
    };
    if date.is_empty() && time.map_or(true, str::is_empty) {
        return Err(bad("no amount"));
    }
    let mut seconds = 0f64;
    let mut add = |part: &str, units: &[(char, f64)], time_part: bool| -> Result<(), String> {
        let mut number = String::new();
        for c in part.chars() {
            if c.is_ascii_digit() || c == '.' || c == ',' {
                number.push(if c == ',' { '.' } else { c });
                continue;
            }
            let unit = c.to_ascii_uppercase();
            let Some((_, factor)) = units.iter().find(|(u, _)| *u == unit) else {
                return Err(bad(if !time_part && (unit == 'Y' || unit == 'M') {
                    "years and months have no fixed length"
                } else {
                    "an unknown unit"
                }));
            };
            let value: f64 = number.parse().map_err(|_| bad("a number is missing"))?;
            seconds += value * factor;
            number.clear();
        }
        if number.is_empty() {
            Ok(())
        } else {
            Err(bad("a number without its unit"))
        }
    };
    add(date, &[('W', 604_800.0), ('D', 86_400.0)], false)?;
    if let Some(time) = time {
        if time.is_empty() {
            return Err(bad("nothing after T"));
        }
        add(time, &[('H', 3_600.0), ('M', 60.0), ('S', 1.0)], true)?;
    }
    Duration::try_from_secs_f64(seconds)
        .ok()
        .filter(|d| *d <= super::config::MAX_DURATION)
        .ok_or_else(|| bad("longer than 365 days"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn props(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn iso8601_durations_are_read_and_bad_ones_named() {
        let secs = |t: &str| iso8601_duration(t).map(|d| d.as_secs_f64());
        assert_eq!(secs("PT5M"), Ok(300.0));
        assert_eq!(secs("PT1H30M"), Ok(5_400.0));
        assert_eq!(secs("P1DT2S"), Ok(86_402.0));
        assert_eq!(secs("P2W"), Ok(1_209_600.0));
        assert_eq!(secs("PT0.5S"), Ok(0.5));
        // Years and months are named as such; in the time part M is minutes, Y nothing.
        for (bad, why) in [
            ("P1Y", "years and months"),
            ("P1M", "years and months"),
            ("PT1Y", "unknown unit"),
            ("P1X", "unknown unit"),
        ] {
            let error = iso8601_duration(bad).expect_err(bad);
            assert!(error.contains(why), "{bad}: {error}");
        }
        for bad in [
            "5M", "P", "PT", "P1M", "P1Y", "PT5", "PTM", "PT5X", "P400D", "",
        ] {
            let error = iso8601_duration(bad).expect_err(bad);
            assert!(error.contains(&format!("`{bad}`")), "{error}");
        }
    }

    #[test]
    fn extension_properties_set_retries_and_timeouts() {
        let policy = RetryPolicy::new()
            .retries(5)
            .retry_timeout(Duration::from_secs(1), Duration::from_secs(8));
        assert_eq!(
            PropertyRetries::from_properties(&props(&[("other", "x")])),
            Ok(None)
        );

        let cycle = PropertyRetries::from_properties(&props(&[("retries", "R3/PT5M")]))
            .expect("valid")
            .expect("set");
        assert_eq!(cycle.next(None, &policy), (3, Duration::from_secs(300)));
        assert_eq!(cycle.next(Some(1), &policy), (0, Duration::from_secs(300)));

        let list =
            PropertyRetries::from_properties(&props(&[("retryTimeouts", "PT1M, PT5M,PT10M")]))
                .expect("valid")
                .expect("set");
        assert_eq!(list.next(None, &policy), (3, Duration::from_secs(60)));
        assert_eq!(list.next(Some(3), &policy), (2, Duration::from_secs(300)));
        assert_eq!(list.next(Some(2), &policy), (1, Duration::from_secs(600)));
        assert_eq!(list.next(Some(1), &policy), (0, Duration::from_secs(600)));

        // A count alone: the policy's timeouts.
        let count = PropertyRetries::from_properties(&props(&[("retries", "2")]))
            .expect("valid")
            .expect("set");
        assert_eq!(count.next(None, &policy), (2, Duration::from_secs(1)));
        assert_eq!(count.next(Some(2), &policy), (1, Duration::from_secs(2)));

        for bad in [
            [("retries", "R3")],
            [("retries", "three")],
            [("retries", "-1")],
            [("retryTimeouts", "PT1M,,PT2M")],
        ] {
            assert!(
                PropertyRetries::from_properties(&props(&bad)).is_err(),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn jitter_stays_within_bounds() {
        let b = Backoff::exponential(Duration::from_millis(100), Duration::from_millis(1000))
            .jitter(0.5);
        for failures in 1..20 {
            for _ in 0..50 {
                let d = b.delay(failures);
                assert!(d <= Duration::from_millis(1000), "{d:?}");
                assert!(d >= Duration::from_millis(50), "{d:?}");
            }
        }
    }

    #[test]
    fn huge_failure_counts_do_not_overflow() {
        let b = Backoff::exponential(Duration::from_secs(1), Duration::from_secs(30));
        assert!(b.delay(u32::MAX) <= Duration::from_secs(30));
        assert_eq!(Backoff::none().delay(10), Duration::ZERO);
    }

    #[test]
    fn retry_policy_counts_down_to_zero() {
        let p = RetryPolicy::new().retries(2);
        assert_eq!(p.next(None).0, 2);
        assert_eq!(p.next(Some(2)).0, 1);
        assert_eq!(p.next(Some(1)).0, 0);
        assert_eq!(p.next(Some(0)).0, 0);
        assert_eq!(p.next(Some(-5)).0, 0);
        assert_eq!(RetryPolicy::no_retries().next(None).0, 0);
    }

    #[test]
    fn a_backoff_without_jitter_is_exact() {
        let b =
            Backoff::exponential(Duration::from_millis(100), Duration::from_secs(5)).jitter(0.0);
        assert_eq!(b.delay(0), Duration::ZERO, "no failure, no wait");
        assert_eq!(b.delay(1), Duration::from_millis(100));
        assert_eq!(b.delay(3), Duration::from_millis(400));
        assert_eq!(b.delay(30), Duration::from_secs(5));
        assert_eq!(b.max_delay(), Duration::from_secs(5));
        // Through the strategy trait: the same answers.
        let strategy: &dyn BackoffStrategy = &b;
        assert_eq!(strategy.delay(3, None), Duration::from_millis(400));
        assert_eq!(strategy.max_delay(), Duration::from_secs(5));
    }

    #[test]
    fn jitter_spreads_the_delay_both_ways_around_it() {
        let b = Backoff::exponential(Duration::from_secs(1), Duration::from_secs(10)).jitter(0.5);
        let delays: Vec<f64> = (0..400).map(|_| b.delay(1).as_secs_f64()).collect();
        let (low, high) = delays
            .iter()
            .fold((f64::MAX, f64::MIN), |(l, h), d| (l.min(*d), h.max(*d)));
        assert!(low >= 0.5 && high <= 1.5, "{low}..{high}");
        assert!(low < 0.8 && high > 1.2, "spread only {low}..{high}");
    }

    fn failed_with(status: u16) -> crate::Error {
        crate::Error::UnexpectedStatus {
            request: crate::error::RequestContext::boxed(
                reqwest::Method::POST,
                "/external-task/fetchAndLock",
            ),
            status: reqwest::StatusCode::from_u16(status).expect("status"),
            content_type: None,
            snippet: String::new(),
        }
    }

    #[test]
    fn an_error_aware_backoff_picks_the_backoff_of_the_status() {
        let aware = ErrorAwareBackoff::new(Backoff::constant(Duration::from_millis(10)))
            .on_status(503, Backoff::constant(Duration::from_secs(1)))
            .on_status(429, Backoff::constant(Duration::from_secs(2)))
            // A later call for the same status replaces the earlier one.
            .on_status(503, Backoff::constant(Duration::from_secs(3)));
        assert_eq!(
            aware.delay(1, Some(&failed_with(503))),
            Duration::from_secs(3)
        );
        assert_eq!(
            aware.delay(1, Some(&failed_with(429))),
            Duration::from_secs(2)
        );
        assert_eq!(
            aware.delay(1, Some(&failed_with(502))),
            Duration::from_millis(10)
        );
        assert_eq!(aware.delay(1, None), Duration::from_millis(10));
        assert_eq!(aware.max_delay(), Duration::from_secs(3));
    }

    #[test]
    fn the_retry_timeout_grows_by_the_multiplier_up_to_its_cap() {
        let p = RetryPolicy::new()
            .retries(3)
            .multiplier(3.0)
            .retry_timeout(Duration::from_secs(1), Duration::from_secs(5));
        assert_eq!(p.next(None).1, Duration::from_secs(1));
        assert_eq!(p.next(Some(3)).1, Duration::from_secs(3));
        assert_eq!(p.next(Some(2)).1, Duration::from_secs(5), "9 s, capped");
        assert_eq!(p.max_timeout(), Duration::from_secs(5));
    }

    #[test]
    fn retry_timeout_grows_and_is_capped() {
        let p = RetryPolicy::new()
            .retries(10)
            .retry_timeout(Duration::from_secs(1), Duration::from_secs(4));
        assert_eq!(p.next(None).1, Duration::from_secs(1));
        assert_eq!(p.next(Some(10)).1, Duration::from_secs(2));
        assert_eq!(p.next(Some(9)).1, Duration::from_secs(4));
        assert_eq!(p.next(Some(2)).1, Duration::from_secs(4));
        // More retries than the policy gives: treated as a first failure.
        assert_eq!(p.next(Some(50)).1, Duration::from_secs(1));
    }
}
