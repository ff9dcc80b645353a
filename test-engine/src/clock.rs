//! The engine's clock: real time plus an adjustable offset, optionally frozen.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

/// Marker for "not frozen" in [`Clock::frozen_at`].
const NOT_FROZEN: i64 = i64::MIN;

/// A controllable clock measured in milliseconds since the Unix epoch.
///
/// By default it follows the system clock. [`Clock::advance`] moves it forward (lock expiry and
/// retry timeouts then happen without sleeping); [`Clock::freeze`] stops it at its current reading.
#[derive(Debug)]
pub struct Clock {
    offset_ms: AtomicI64,
    frozen_at: AtomicI64,
}

impl Default for Clock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock {
    /// A clock that follows real time.
    pub fn new() -> Self {
        Clock {
            offset_ms: AtomicI64::new(0),
            frozen_at: AtomicI64::new(NOT_FROZEN),
        }
    }

    /// The current engine time in milliseconds since the Unix epoch.
    pub fn now_millis(&self) -> i64 {
        let frozen = self.frozen_at.load(Ordering::SeqCst);
        if frozen != NOT_FROZEN {
            return frozen;
        }
        real_millis().saturating_add(self.offset_ms.load(Ordering::SeqCst))
    }

    /// Moves the clock forward by `by` (also when frozen).
    pub fn advance(&self, by: Duration) {
        let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        let frozen = self.frozen_at.load(Ordering::SeqCst);
        if frozen != NOT_FROZEN {
            self.frozen_at
                .store(frozen.saturating_add(ms), Ordering::SeqCst);
        } else {
            self.offset_ms.fetch_add(ms, Ordering::SeqCst);
        }
    }

    /// Stops the clock at its current reading; only [`Clock::advance`] moves it afterwards.
    pub fn freeze(&self) {
        let now = self.now_millis();
        self.frozen_at.store(now, Ordering::SeqCst);
    }

    /// Whether the clock is frozen.
    pub fn is_frozen(&self) -> bool {
        self.frozen_at.load(Ordering::SeqCst) != NOT_FROZEN
    }

    /// Lets a frozen clock run again from its frozen reading.
    pub fn unfreeze(&self) {
        let frozen = self.frozen_at.swap(NOT_FROZEN, Ordering::SeqCst);
        if frozen != NOT_FROZEN {
            self.offset_ms
                .store(frozen.saturating_sub(real_millis()), Ordering::SeqCst);
        }
    }
}

/// Real time in milliseconds since the Unix epoch.
fn real_millis() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
