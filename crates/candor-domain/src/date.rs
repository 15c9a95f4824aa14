//! Calendar dates. Events carry `YYYY-MM-DD` or RFC 3339 timestamps; candor reasons in days.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;

/// A calendar date (UTC for timestamps).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(time::Date);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a date: expected YYYY-MM-DD or an RFC 3339 timestamp")]
pub struct DateError(pub String);

impl Date {
    /// 1970-01-01.
    pub const UNIX_EPOCH: Date = Date(time::macros::date!(1970 - 01 - 01));

    pub fn from_ymd(year: i32, month: u8, day: u8) -> Option<Date> {
        let m = time::Month::try_from(month).ok()?;
        time::Date::from_calendar_date(year, m, day).ok().map(Date)
    }

    /// `YYYY-MM-DD` or an RFC 3339 timestamp (converted to its UTC date).
    pub fn parse(s: &str) -> Result<Date, DateError> {
        let s = s.trim();
        let fmt = format_description!("[year]-[month]-[day]");
        if s.len() == 10 {
            // Every recipient has a few of these: read the digits directly. `time` reads the
            // same three fields and refuses the same months and days (`from_ymd`); anything
            // that is not digits and dashes goes to it for the verdict.
            let b = s.as_bytes();
            let num = |r: std::ops::Range<usize>| {
                b[r].iter().try_fold(0u16, |n, &c| {
                    c.is_ascii_digit().then(|| n * 10 + u16::from(c - b'0'))
                })
            };
            if b[4] == b'-' && b[7] == b'-' {
                if let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) {
                    return Date::from_ymd(i32::from(y), m as u8, d as u8)
                        .ok_or_else(|| DateError(s.to_string()));
                }
            }
            return time::Date::parse(s, &fmt)
                .map(Date)
                .map_err(|_| DateError(s.to_string()));
        }
        // Free text passes here too (the gate tries every attribute value as a date): the
        // shortest RFC 3339 timestamp is `YYYY-MM-DDTHH:MM:SSZ`, so anything shorter, or not
        // starting with a year and a dash, is refused without running the parser.
        let b = s.as_bytes();
        if b.len() < 20 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
            return Err(DateError(s.to_string()));
        }
        time::OffsetDateTime::parse(s, &Rfc3339)
            .map(|t| Date(t.to_offset(time::UtcOffset::UTC).date()))
            .map_err(|_| DateError(s.to_string()))
    }

    pub fn year(self) -> i32 {
        self.0.year()
    }
    pub fn month(self) -> u8 {
        self.0.month() as u8
    }
    pub fn day(self) -> u8 {
        self.0.day()
    }

    /// Days from `earlier` to `self` (positive when `self` is later).
    pub fn days_since(self, earlier: Date) -> i64 {
        (self.0 - earlier.0).whole_days()
    }

    pub fn add_days(self, days: i64) -> Option<Date> {
        self.0.checked_add(time::Duration::days(days)).map(Date)
    }

    /// Julian day number, handy as a compact integer key.
    pub fn julian_day(self) -> i32 {
        self.0.to_julian_day()
    }

    pub fn from_julian_day(jd: i32) -> Option<Date> {
        time::Date::from_julian_day(jd).ok().map(Date)
    }

    /// English month name, e.g. "March".
    pub fn month_name(self) -> &'static str {
        const NAMES: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        NAMES[(self.month() as usize).saturating_sub(1).min(11)]
    }

    /// Whole years from `self` to `later` (anniversary-based).
    pub fn whole_years_until(self, later: Date) -> i32 {
        let mut y = later.year() - self.year();
        if (later.month(), later.day()) < (self.month(), self.day()) {
            y -= 1;
        }
        y
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}",
            self.year(),
            self.month(),
            self.day()
        )
    }
}

impl FromStr for Date {
    type Err = DateError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Date::parse(s)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Date::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reading_the_digits_agrees_with_time() {
        let fmt = format_description!("[year]-[month]-[day]");
        let mut texts = Vec::new();
        for y in [
            "0000", "0001", "1900", "2000", "2024", "2026", "2100", "9999",
        ] {
            for m in 0..=13 {
                for d in 0..=32 {
                    texts.push(format!("{y}-{m:02}-{d:02}"));
                }
            }
        }
        texts.extend(
            [
                "2026-1-011",
                "2026/01/01",
                "2026-01-0a",
                "+026-01-01",
                "2026-01-01",
                "２０２６-01-1",
                "2026--1-01",
                "20260-1-01",
                "2026-01-1 ",
            ]
            .map(String::from),
        );
        for t in &texts {
            let theirs = time::Date::parse(t, &fmt).ok().map(Date);
            assert_eq!(Date::parse(t).ok(), theirs, "{t}");
        }
        // Timestamps: the length and year check refuses only what RFC 3339 refuses.
        for t in [
            "2026-03-01T23:30:00Z",
            "2026-03-01t23:30:00z",
            "2026-03-01T23:30:00.123456+05:30",
            "2026-03-01T23:30Z",
            "2026-03-01 23:30:00Z",
            "Porto",
            "26-03-01T23:30:00Z",
            "02026-03-01T23:30:00Z",
            "",
        ] {
            let theirs = time::OffsetDateTime::parse(t, &Rfc3339)
                .ok()
                .map(|x| Date(x.to_offset(time::UtcOffset::UTC).date()));
            assert_eq!(Date::parse(t).ok(), theirs, "{t}");
        }
    }

    #[test]
    fn parses_both_forms() {
        assert_eq!(
            Date::parse("2026-03-01").unwrap(),
            Date::from_ymd(2026, 3, 1).unwrap()
        );
        assert_eq!(
            Date::parse("2026-03-01T23:30:00-02:00").unwrap(),
            Date::from_ymd(2026, 3, 2).unwrap()
        );
        assert!(Date::parse("2026-02-30").is_err());
        assert!(Date::parse("01/02/2026").is_err());
        assert!(Date::parse("").is_err());
    }

    #[test]
    fn arithmetic() {
        let a = Date::from_ymd(2026, 1, 1).unwrap();
        let b = Date::from_ymd(2026, 3, 1).unwrap();
        assert_eq!(b.days_since(a), 59);
        assert_eq!(a.add_days(59), Some(b));
        assert_eq!(Date::from_ymd(2023, 3, 2).unwrap().whole_years_until(b), 2);
        assert_eq!(Date::from_ymd(2023, 3, 1).unwrap().whole_years_until(b), 3);
        assert_eq!(b.month_name(), "March");
    }
}
