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

#[cfg(test)]
mod tests {
    use super::*;

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
