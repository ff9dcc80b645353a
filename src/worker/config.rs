//! Bounds every `Duration` setting of the worker is checked against, so that no arithmetic on
//! them can overflow later and a mistyped setting fails at `build()` with its name.

use std::time::Duration;

use crate::Error;

/// The longest duration any setting may have (365 days).
pub(crate) const MAX_DURATION: Duration = Duration::from_secs(365 * 24 * 3600);

/// The shortest lock the engine grants (it counts in whole milliseconds, and 0 is refused).
pub(crate) const MIN_LOCK: Duration = Duration::from_millis(1);

/// Checks that `value` (the setting `what`) lies between `min` and [`MAX_DURATION`].
pub(crate) fn check_duration(what: &str, value: Duration, min: Duration) -> Result<(), Error> {
    if value < min || value > MAX_DURATION {
        return Err(Error::config(format!(
            "worker: {what} must be between {min:?} and 365 days, got {value:?}"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_outside_the_bounds_are_named_in_the_error() {
        assert!(check_duration("lock_duration", Duration::from_secs(30), MIN_LOCK).is_ok());
        let error = check_duration("lock_duration", Duration::MAX, MIN_LOCK).unwrap_err();
        assert!(error.to_string().contains("lock_duration"), "{error}");
        assert!(check_duration("lock_duration", Duration::ZERO, MIN_LOCK).is_err());
        assert!(check_duration("x", MAX_DURATION, Duration::ZERO).is_ok());
        assert!(
            check_duration("x", MAX_DURATION + Duration::from_millis(1), Duration::ZERO).is_err()
        );
    }
}
