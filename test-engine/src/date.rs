//! Camunda's REST date format, `yyyy-MM-dd'T'HH:mm:ss.SSSZ`: written in UTC as `+0000`, parsed
//! the way the engine's `SimpleDateFormat` accepts it (`+0100`, `-0530`, `UTC`, `GMT`,
//! `GMT+01:00`; not `Z`, not `+01:00`, milliseconds required).

use chrono::{DateTime, NaiveDate, TimeZone, Utc};

/// Formats epoch milliseconds as `2025-09-25T12:04:09.000+0000`.
pub fn format_millis(ms: i64) -> String {
    match Utc.timestamp_millis_opt(ms).single() {
        Some(t) => t.format("%Y-%m-%dT%H:%M:%S%.3f%z").to_string(),
        None => String::new(),
    }
}

/// Converts epoch milliseconds to a chrono date-time (UTC).
pub fn to_datetime(ms: i64) -> Option<DateTime<Utc>> {
    Utc.timestamp_millis_opt(ms).single()
}

/// Parses a date in the engine's REST format into epoch milliseconds; `None` when the engine
/// would reject it.
pub fn parse_millis(text: &str) -> Option<i64> {
    let mut p = Parser {
        bytes: text.as_bytes(),
        pos: 0,
    };
    let year = p.digits(4, 4)?;
    p.expect(b'-')?;
    let month = p.digits(1, 2)?;
    p.expect(b'-')?;
    let day = p.digits(1, 2)?;
    p.expect(b'T')?;
    let hour = p.digits(1, 2)?;
    p.expect(b':')?;
    let minute = p.digits(1, 2)?;
    p.expect(b':')?;
    let second = p.digits(1, 2)?;
    p.expect(b'.')?;
    let millis = p.digits(1, 3)?;
    let offset_minutes = p.zone()?;
    if p.pos != p.bytes.len() {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?;
    let time = date.and_hms_milli_opt(hour, minute, second, millis)?;
    let utc_ms = time.and_utc().timestamp_millis();
    Some(utc_ms - i64::from(offset_minutes) * 60_000)
}

struct Parser<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn expect(&mut self, b: u8) -> Option<()> {
        if self.bytes.get(self.pos) == Some(&b) {
            self.pos += 1;
            Some(())
        } else {
            None
        }
    }

    fn digits(&mut self, min: usize, max: usize) -> Option<u32> {
        let start = self.pos;
        while self.pos < self.bytes.len()
            && self.pos - start < max
            && self.bytes[self.pos].is_ascii_digit()
        {
            self.pos += 1;
        }
        if self.pos - start < min {
            return None;
        }
        std::str::from_utf8(&self.bytes[start..self.pos])
            .ok()?
            .parse()
            .ok()
    }

    /// The zone, as an offset from UTC in minutes.
    fn zone(&mut self) -> Option<i32> {
        let rest = &self.bytes[self.pos..];
        if rest.starts_with(b"UTC") || rest.starts_with(b"GMT") {
            self.pos += 3;
            if self.pos == self.bytes.len() {
                return Some(0);
            }
            // GMT+01:00 / GMT+0100
            let sign = self.sign()?;
            let hours = self.digits(1, 2)?;
            let _ = self.expect(b':');
            let minutes = self.digits(2, 2)?;
            return Some(sign * i32::try_from(hours * 60 + minutes).ok()?);
        }
        let sign = self.sign()?;
        let hours = self.digits(2, 2)?;
        let minutes = self.digits(2, 2)?;
        Some(sign * i32::try_from(hours * 60 + minutes).ok()?)
    }

    fn sign(&mut self) -> Option<i32> {
        match self.bytes.get(self.pos) {
            Some(b'+') => {
                self.pos += 1;
                Some(1)
            }
            Some(b'-') => {
                self.pos += 1;
                Some(-1)
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_iso_zones() {
        let ms = 1_758_801_849_123;
        let text = format_millis(ms);
        assert_eq!(text, "2025-09-25T12:04:09.123+0000");
        assert_eq!(parse_millis(&text), Some(ms));
        assert_eq!(
            parse_millis("2025-09-25T14:04:09.123+0200"),
            Some(ms),
            "+HHMM offsets are accepted"
        );
        assert_eq!(parse_millis("2025-09-25T12:04:09.123UTC"), Some(ms));
        assert_eq!(parse_millis("2025-09-25T12:04:09.123Z"), None);
        assert_eq!(parse_millis("2025-09-25T14:04:09.123+02:00"), None);
        assert_eq!(parse_millis("2025-09-25T12:04:09+0000"), None);
        assert_eq!(parse_millis("2025-09-25T12:04:09.123"), None);
        assert_eq!(
            parse_millis("2025-09-25T12:04:09.5+0000"),
            Some(ms - 123 + 5)
        );
    }
}
