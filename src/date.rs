//! [`DateTime`]: an instant with its UTC offset, in the format the engine reads and writes.
//!
//! The engine writes dates as `yyyy-MM-dd'T'HH:mm:ss.SSSZ`, e.g. `2015-10-06T16:34:42.000+0200`,
//! and rejects RFC 3339 forms such as `Z` or `+02:00`. [`DateTime`] therefore always writes the
//! engine's format and reads both that format and RFC 3339 (any fraction of a second), plus a
//! JSON integer of epoch milliseconds, which the engine also accepts in bodies.

use std::fmt;
use std::str::FromStr;

use chrono::format::{Fixed, Item, Numeric, Pad};
use chrono::{FixedOffset, NaiveDate, TimeZone, Utc};

/// The engine's date shape as pre-parsed chrono items, with `fraction` for the seconds' fraction:
/// a format string would be parsed again on every call.
const fn engine_items(fraction: Fixed) -> [Item<'static>; 13] {
    [
        Item::Numeric(Numeric::Year, Pad::Zero),
        Item::Literal("-"),
        Item::Numeric(Numeric::Month, Pad::Zero),
        Item::Literal("-"),
        Item::Numeric(Numeric::Day, Pad::Zero),
        Item::Literal("T"),
        Item::Numeric(Numeric::Hour, Pad::Zero),
        Item::Literal(":"),
        Item::Numeric(Numeric::Minute, Pad::Zero),
        Item::Literal(":"),
        Item::Numeric(Numeric::Second, Pad::Zero),
        Item::Fixed(fraction),
        Item::Fixed(Fixed::TimezoneOffset),
    ]
}

/// Writes the engine's format, `%Y-%m-%dT%H:%M:%S%.3f%z` (milliseconds and a `+HHMM` offset).
const ENGINE_FORMAT: [Item<'static>; 13] = engine_items(Fixed::Nanosecond3);

/// Reads the engine's format, `%Y-%m-%dT%H:%M:%S%.f%z` (`%.f` also takes no fraction or any
/// number of digits, `%z` takes `+HHMM` and `+HH:MM`).
const ENGINE_PARSE_FORMAT: [Item<'static>; 13] = engine_items(Fixed::Nanosecond);

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
        // The engine writes every date in one shape; read that directly. Anything else (RFC 3339
        // forms, other fraction lengths, leap seconds, out-of-range fields) goes to chrono,
        // which also words the error.
        if let Some(d) = parse_engine_fast(trimmed.as_bytes()) {
            return Ok(DateTime(d));
        }
        if let Ok(d) = chrono::DateTime::parse_from_rfc3339(trimmed) {
            return Ok(DateTime(d));
        }
        let mut parsed = chrono::format::Parsed::new();
        let result = chrono::format::parse(&mut parsed, trimmed, ENGINE_PARSE_FORMAT.iter())
            .and_then(|()| parsed.to_datetime());
        match result {
            Ok(d) => Ok(DateTime(d)),
            Err(e) => Err(DateParseError {
                input: s.chars().take(64).collect(),
                reason: e.to_string(),
            }),
        }
    }
}

/// Reads exactly `yyyy-MM-ddTHH:mm:ss[.f{1,9}](+|-)HH[:]MM`, the shape the engine writes, with
/// every field checked (calendar date, hour < 24, minute and second < 60, offset < 24 h).
/// `None` for anything else, which the general parsers then accept or reject.
fn parse_engine_fast(b: &[u8]) -> Option<chrono::DateTime<FixedOffset>> {
    /// The value of the ASCII digits `b[at..at + n]`.
    fn digits(b: &[u8], at: usize, n: usize) -> Option<u32> {
        b.get(at..at + n)?.iter().try_fold(0u32, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
        })
    }
    let punctuation = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')];
    if b.len() < 24 || punctuation.iter().any(|&(at, c)| b[at] != c) {
        return None;
    }
    let year = i32::try_from(digits(b, 0, 4)?).ok()?;
    let (month, day) = (digits(b, 5, 2)?, digits(b, 8, 2)?);
    let (hour, minute, second) = (digits(b, 11, 2)?, digits(b, 14, 2)?, digits(b, 17, 2)?);

    let mut at = 19;
    let mut nanos = 0;
    if b[at] == b'.' {
        let count = b[at + 1..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        if !(1..=9).contains(&count) {
            return None;
        }
        nanos = digits(b, at + 1, count)? * 10u32.pow(9 - count as u32);
        at += 1 + count;
    }

    let sign = match b.get(at)? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let offset = &b[at + 1..];
    let (offset_hours, offset_minutes) = match offset.len() {
        4 => (digits(offset, 0, 2)?, digits(offset, 2, 2)?),
        5 if offset[2] == b':' => (digits(offset, 0, 2)?, digits(offset, 3, 2)?),
        _ => return None,
    };
    if offset_hours > 23 || offset_minutes > 59 || second > 59 {
        return None;
    }
    let offset_seconds = i32::try_from(offset_hours * 3600 + offset_minutes * 60).ok()?;
    let offset = FixedOffset::east_opt(sign * offset_seconds)?;
    let local =
        NaiveDate::from_ymd_opt(year, month, day)?.and_hms_nano_opt(hour, minute, second, nanos)?;
    offset.from_local_datetime(&local).single()
}

impl fmt::Display for DateTime {
    /// Writes the engine's format, e.g. `2015-10-06T16:34:42.000+0200` (UTC as `+0000`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format_with_items(ENGINE_FORMAT.iter()))
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

    /// The parser before the fast path: RFC 3339, else the format string.
    fn reference(s: &str) -> Option<chrono::DateTime<FixedOffset>> {
        let s = s.trim();
        chrono::DateTime::parse_from_rfc3339(s)
            .or_else(|_| chrono::DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f%z"))
            .ok()
    }

    #[test]
    fn the_pre_parsed_items_are_the_format_strings() {
        use chrono::format::StrftimeItems;
        let items = |f| StrftimeItems::new(f).collect::<Vec<_>>();
        assert_eq!(items("%Y-%m-%dT%H:%M:%S%.3f%z"), ENGINE_FORMAT.to_vec());
        assert_eq!(
            items("%Y-%m-%dT%H:%M:%S%.f%z"),
            ENGINE_PARSE_FORMAT.to_vec()
        );
    }

    #[test]
    fn the_fast_path_agrees_with_chrono() {
        let valid = [
            "2015-10-06T16:34:42.000+0200",
            "2025-09-25T14:04:09.123-0530",
            "2026-01-01T00:00:00.000+0000",
            "2024-02-29T23:59:59.999-2359",
            "2015-10-06T16:34:42+0200",
            "2015-10-06T16:34:42.5+02:00",
            "2015-10-06T16:34:42.123456789-02:00",
            "0001-01-01T00:00:00.000+0000",
            "9999-12-31T23:59:59.999+2359",
        ];
        for s in valid {
            let fast = parse_engine_fast(s.as_bytes());
            assert!(fast.is_some(), "{s} takes the fast path");
            assert_eq!(fast, reference(s), "{s}");
        }
        // Every one-character change of an engine date: the fast path either agrees with chrono
        // or leaves the input to it.
        let base = "2024-02-29T23:59:59.999+2359";
        let replacements = [
            '0', '1', '2', '3', '5', '6', '9', '+', '-', ':', '.', 'T', 'Z', ' ', 'x',
        ];
        for i in 0..base.len() {
            for c in replacements {
                let mut changed = base.to_owned();
                changed.replace_range(i..=i, c.encode_utf8(&mut [0; 4]));
                if let Some(fast) = parse_engine_fast(changed.as_bytes()) {
                    assert_eq!(Some(fast), reference(&changed), "{changed}");
                }
                let ours = DateTime::parse(&changed).ok().map(DateTime::into_chrono);
                assert_eq!(ours, reference(&changed), "{changed}");
            }
            let mut shorter = base.to_owned();
            shorter.remove(i);
            let ours = DateTime::parse(&shorter).ok().map(DateTime::into_chrono);
            assert_eq!(ours, reference(&shorter), "{shorter}");
        }
    }

    #[test]
    fn the_fast_path_rejects_impossible_fields() {
        for s in [
            "2015-02-29T00:00:00.000+0000",
            "2015-13-01T00:00:00.000+0000",
            "2015-00-01T00:00:00.000+0000",
            "2015-04-31T00:00:00.000+0000",
            "2015-10-06T24:00:00.000+0000",
            "2015-10-06T23:60:00.000+0000",
            "2015-10-06T23:59:60.000+0000",
            "2015-10-06T16:34:42.000+2400",
            "2015-10-06T16:34:42.000+0060",
            "2015-10-06T16:34:42.+0200",
            "2015-10-06T16:34:42.1234567890+0200",
            "2015-10-06T16:34:42.000+02",
            "2015-10-06T16:34:42.000+020",
            "2015-10-06T16:34:42.000+02000",
            "2015-10-06T16:34:42.000Z",
            "+2015-10-06T16:34:42.000+0200",
        ] {
            assert_eq!(parse_engine_fast(s.as_bytes()), None, "{s}");
            let ours = DateTime::parse(s).ok().map(DateTime::into_chrono);
            assert_eq!(ours, reference(s), "{s}");
        }
    }

    #[test]
    fn timestamp_millis_round_trip() {
        let d = DateTime::from_timestamp_millis(1_444_142_082_123).map(|d| d.timestamp_millis());
        assert_eq!(d, Some(1_444_142_082_123));
        assert!(DateTime::from_timestamp_millis(i64::MAX).is_none());
    }
}
