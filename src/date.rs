//! [`DateTime`]: an instant with its UTC offset, in the format the engine reads and writes.
//!
//! The engine writes dates as `yyyy-MM-dd'T'HH:mm:ss.SSSZ`, e.g. `2015-10-06T16:34:42.000+0200`,
//! and rejects RFC 3339 forms such as `Z` or `+02:00`. [`DateTime`] therefore always writes the
//! engine's format and reads both that format and RFC 3339 (any fraction of a second), plus a
//! JSON integer of epoch milliseconds, which the engine also accepts in bodies.

use std::fmt;
use std::str::FromStr;

use chrono::{FixedOffset, TimeZone, Utc};

/// The engine's format: milliseconds and a `+HHMM` offset.
const ENGINE_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.3f%z";
/// Parses the engine's format (`%.f` also takes no fraction or any number of digits,
/// `%z` takes `+HHMM` and `+HH:MM`).
const ENGINE_PARSE_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.f%z";

/// An instant with its UTC offset, as the engine writes it.
///
/// ```
/// use camunda7_client::DateTime;
///
/// let d: DateTime = "2015-10-06T16:34:42.000+0200".parse()?;
/// assert_eq!(d.to_string(), "2015-10-06T16:34:42.000+0200");
/// let rfc: DateTime = "2015-10-06T14:34:42Z".parse()?;
/// assert_eq!(rfc.to_string(), "2015-10-06T14:34:42.000+0000");
/// assert_eq!(d.timestamp_millis(), rfc.timestamp_millis());
/// # Ok::<(), camunda7_client::DateParseError>(())
/// ```
///
/// Equality and ordering compare the instant and then the offset, so the same instant written
/// with two offsets is two different values; compare [`DateTime::timestamp_millis`] to compare
/// instants only.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DateTime(chrono::DateTime<FixedOffset>);

impl DateTime {
    /// The current instant, in UTC.
    pub fn now() -> Self {
        DateTime(Utc::now().fixed_offset())
    }

    /// Converts a `chrono` date-time in any time zone, keeping its offset.
    pub fn from_chrono<Tz: TimeZone>(dt: chrono::DateTime<Tz>) -> Self {
        DateTime(dt.fixed_offset())
    }

    /// The underlying `chrono` value.
    pub fn as_chrono(&self) -> &chrono::DateTime<FixedOffset> {
        &self.0
    }

    /// Converts into the underlying `chrono` value.
    pub fn into_chrono(self) -> chrono::DateTime<FixedOffset> {
        self.0
    }

    /// The instant `ms` milliseconds after the Unix epoch, in UTC; `None` when out of range.
    pub fn from_timestamp_millis(ms: i64) -> Option<Self> {
        chrono::DateTime::from_timestamp_millis(ms).map(|d| DateTime(d.fixed_offset()))
    }

    /// Milliseconds since the Unix epoch.
    pub fn timestamp_millis(&self) -> i64 {
        self.0.timestamp_millis()
    }

    /// Parses the engine's format (`2015-10-06T16:34:42.000+0200`) or RFC 3339
    /// (`2015-10-06T14:34:42Z`, `2015-10-06T16:34:42.123456+02:00`).
    pub fn parse(s: &str) -> Result<Self, DateParseError> {
        let trimmed = s.trim();
        if let Ok(d) = chrono::DateTime::parse_from_rfc3339(trimmed) {
            return Ok(DateTime(d));
        }
        match chrono::DateTime::parse_from_str(trimmed, ENGINE_PARSE_FORMAT) {
            Ok(d) => Ok(DateTime(d)),
            Err(e) => Err(DateParseError {
                input: s.chars().take(64).collect(),
                reason: e.to_string(),
            }),
        }
    }
}

impl fmt::Display for DateTime {
    /// Writes the engine's format, e.g. `2015-10-06T16:34:42.000+0200` (UTC as `+0000`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format(ENGINE_FORMAT))
    }
}

impl FromStr for DateTime {
    type Err = DateParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DateTime::parse(s)
    }
}

impl<Tz: TimeZone> From<chrono::DateTime<Tz>> for DateTime {
    fn from(dt: chrono::DateTime<Tz>) -> Self {
        DateTime::from_chrono(dt)
    }
}

impl From<DateTime> for chrono::DateTime<FixedOffset> {
    fn from(dt: DateTime) -> Self {
        dt.0
    }
}

impl serde::Serialize for DateTime {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for DateTime {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(DateTimeVisitor)
    }
}

struct DateTimeVisitor;

impl serde::de::Visitor<'_> for DateTimeVisitor {
    type Value = DateTime;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a date-time string like 2015-10-06T16:34:42.000+0200, or epoch milliseconds")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<DateTime, E> {
        DateTime::parse(v).map_err(E::custom)
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<DateTime, E> {
        DateTime::from_timestamp_millis(v)
            .ok_or_else(|| E::custom(format_args!("epoch milliseconds {v} are out of range")))
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<DateTime, E> {
        let ms = i64::try_from(v)
            .map_err(|_| E::custom(format_args!("epoch milliseconds {v} are out of range")))?;
        self.visit_i64(ms)
    }
}

/// A string that is neither the engine's date format nor RFC 3339.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateParseError {
    input: String,
    reason: String,
}

impl fmt::Display for DateParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` is not a date-time like 2015-10-06T16:34:42.000+0200 or RFC 3339: {}",
            self.input, self.reason
        )
    }
}

impl std::error::Error for DateParseError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> DateTime {
        match DateTime::parse(s) {
            Ok(d) => d,
            Err(e) => panic!("{s}: {e}"),
        }
    }

    #[test]
    fn reads_and_writes_the_engine_format() {
        let d = parse("2015-10-06T16:34:42.000+0200");
        assert_eq!(d.to_string(), "2015-10-06T16:34:42.000+0200");
        assert_eq!(d.as_chrono().offset().local_minus_utc(), 7200);
        assert_eq!(
            parse("2025-09-25T14:04:09.123-0530").to_string(),
            "2025-09-25T14:04:09.123-0530"
        );
    }

    #[test]
    fn reads_rfc3339_with_any_fraction() {
        assert_eq!(
            parse("2015-10-06T14:34:42Z").to_string(),
            "2015-10-06T14:34:42.000+0000"
        );
        assert_eq!(
            parse("2015-10-06T16:34:42.123456789+02:00").to_string(),
            "2015-10-06T16:34:42.123+0200"
        );
        assert_eq!(
            parse("2015-10-06T16:34:42.5+02:00").timestamp_millis() % 1000,
            500
        );
    }

    #[test]
    fn same_instant_in_both_formats() {
        assert_eq!(
            parse("2015-10-06T16:34:42.000+0200").timestamp_millis(),
            parse("2015-10-06T14:34:42Z").timestamp_millis()
        );
    }

    #[test]
    fn rejects_garbage_and_names_the_input() {
        for bad in [
            "",
            "yesterday",
            "2015-10-06",
            "2015-10-06T16:34:42",
            "2015-13-06T16:34:42.000+0200",
        ] {
            let err = match DateTime::parse(bad) {
                Ok(d) => panic!("{bad} parsed as {d}"),
                Err(e) => e,
            };
            assert!(err.to_string().contains(&format!("`{bad}`")), "{err}");
        }
    }

    #[test]
    fn serde_round_trip_and_epoch_millis() {
        let d: DateTime = match serde_json::from_str("\"2015-10-06T16:34:42.000+0200\"") {
            Ok(d) => d,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(
            serde_json::to_string(&d).ok().as_deref(),
            Some("\"2015-10-06T16:34:42.000+0200\"")
        );
        let from_ms: DateTime = match serde_json::from_str("1444142082000") {
            Ok(d) => d,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(from_ms.timestamp_millis(), d.timestamp_millis());
        assert_eq!(from_ms.to_string(), "2015-10-06T14:34:42.000+0000");
        assert!(serde_json::from_str::<DateTime>("true").is_err());
        assert!(serde_json::from_str::<DateTime>("\"nope\"").is_err());
    }

    #[test]
    fn timestamp_millis_round_trip() {
        let d = DateTime::from_timestamp_millis(1_444_142_082_123).map(|d| d.timestamp_millis());
        assert_eq!(d, Some(1_444_142_082_123));
        assert!(DateTime::from_timestamp_millis(i64::MAX).is_none());
    }
}
