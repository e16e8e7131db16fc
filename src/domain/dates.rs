//! Calendar arithmetic for the shop's local dates: business days and the
//! short forms people type (`2026-11-30`, `+7`, `friday`).

use chrono::{Datelike, Duration, NaiveDate, Weekday};

/// ISO `YYYY-MM-DD`, the only date form arq writes.
pub fn iso(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Parses an ISO date (`2026-11-30`); the error says what was expected.
pub fn parse_iso(s: &str) -> Result<NaiveDate, DateInputError> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| DateInputError(s.to_string()))
}

/// A date a person typed that arq could not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct DateInputError(pub String);

impl std::fmt::Display for DateInputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        const FORMS: &str = "YYYY-MM-DD, +N (days from today) or a weekday name";
        if self.0.trim().is_empty() {
            return write!(f, "a date is needed: {FORMS}");
        }
        match off_the_calendar(&self.0) {
            // Written as a date, but no such day: say which part is wrong.
            Some(why) => write!(f, "'{}' is not a date: {why} (use {FORMS})", self.0),
            None => write!(f, "'{}' is not a date: use {FORMS}", self.0),
        }
    }
}

/// Why `YYYY-MM-DD`, written in that form, names no day: the month or the day is out
/// of range. None for anything not in that form.
fn off_the_calendar(input: &str) -> Option<String> {
    let mut parts = input.trim().split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    if parts.next().is_some() || !digits(y, 4) || !digits(m, 2) || !digits(d, 2) {
        return None;
    }
    let (year, month, day): (i32, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    if !(1..=12).contains(&month) {
        return Some(format!("there is no month {month}"));
    }
    let first = NaiveDate::from_ymd_opt(year, month, 1)?;
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)?
    };
    let days = (next - first).num_days();
    if day == 0 || i64::from(day) > days {
        return Some(format!("{} has days 1 to {days}", first.format("%B %Y")));
    }
    None
}

/// Reads a date as a person types it, relative to `today`:
/// `YYYY-MM-DD`, `+N` (N days later), `today`, `tomorrow`, or a weekday name
/// (`fri`, `Friday`: the next such day after today).
pub fn parse_user_date(input: &str, today: NaiveDate) -> Result<NaiveDate, DateInputError> {
    let s = input.trim().to_ascii_lowercase();
    let err = || DateInputError(input.to_string());
    if let Some(n) = s.strip_prefix('+') {
        let days: i64 = n.trim().parse().map_err(|_| err())?;
        if !(0..=3660).contains(&days) {
            return Err(err());
        }
        return Ok(today + Duration::days(days));
    }
    match s.as_str() {
        "today" => return Ok(today),
        "tomorrow" => return Ok(today + Duration::days(1)),
        _ => {}
    }
    if let Some(wd) = weekday_named(&s) {
        let mut d = today + Duration::days(1);
        while d.weekday() != wd {
            d += Duration::days(1);
        }
        return Ok(d);
    }
    parse_iso(&s).map_err(|_| err())
}

fn weekday_named(s: &str) -> Option<Weekday> {
    const NAMES: [(&str, Weekday); 7] = [
        ("monday", Weekday::Mon),
        ("tuesday", Weekday::Tue),
        ("wednesday", Weekday::Wed),
        ("thursday", Weekday::Thu),
        ("friday", Weekday::Fri),
        ("saturday", Weekday::Sat),
        ("sunday", Weekday::Sun),
    ];
    if s.len() < 2 {
        return None;
    }
    NAMES
        .iter()
        .find(|(name, _)| name.starts_with(s))
        .map(|(_, wd)| *wd)
}

pub fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// `from` plus `n` days; with `business_days` only Monday to Friday count, and the
/// result is always a weekday (a wait of 0 from a Saturday lands on Monday).
pub fn add_days(from: NaiveDate, n: u32, business_days: bool) -> NaiveDate {
    if !business_days {
        return from + Duration::days(i64::from(n));
    }
    let mut d = from;
    let mut left = n;
    while left > 0 {
        d += Duration::days(1);
        if !is_weekend(d) {
            left -= 1;
        }
    }
    while is_weekend(d) {
        d += Duration::days(1);
    }
    d
}

/// Whole days from `a` to `b` (negative when `b` is earlier).
pub fn days_between(a: NaiveDate, b: NaiveDate) -> i64 {
    (b - a).num_days()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        parse_iso(s).unwrap_or_else(|e| panic!("{e}"))
    }

    /// A date written as one but off the calendar says which part is wrong.
    #[test]
    fn a_day_that_does_not_exist_is_named() {
        let today = d("2026-11-20");
        let cases = [
            ("2026-13-45", "there is no month 13"),
            ("2026-00-10", "there is no month 0"),
            ("2026-02-30", "February 2026 has days 1 to 28"),
            ("2028-02-30", "February 2028 has days 1 to 29"),
            ("2026-12-00", "December 2026 has days 1 to 31"),
            ("2026-04-31", "April 2026 has days 1 to 30"),
        ];
        for (typed, why) in cases {
            let e = parse_user_date(typed, today)
                .map(|_| ())
                .unwrap_err()
                .to_string();
            assert!(
                e.starts_with(&format!("'{typed}' is not a date: {why} (use YYYY-MM-DD")),
                "{e}"
            );
        }
        // Other mistakes keep the plain message.
        let e = parse_user_date("someday", today)
            .map(|_| ())
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "'someday' is not a date: use YYYY-MM-DD, +N (days from today) or a weekday name"
        );
        // Nothing typed: asked for, not quoted as an empty date.
        let e = parse_user_date("  ", today)
            .map(|_| ())
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "a date is needed: YYYY-MM-DD, +N (days from today) or a weekday name"
        );
    }

    #[test]
    fn reads_what_people_type() {
        // 2026-11-20 is a Friday.
        let today = d("2026-11-20");
        let cases = [
            ("2026-12-01", "2026-12-01"),
            ("+7", "2026-11-27"),
            ("+0", "2026-11-20"),
            ("today", "2026-11-20"),
            ("tomorrow", "2026-11-21"),
            ("mon", "2026-11-23"),
            ("Friday", "2026-11-27"),
            ("th", "2026-11-26"),
        ];
        for (input, want) in cases {
            assert_eq!(parse_user_date(input, today), Ok(d(want)), "{input}");
        }
    }

    #[test]
    fn refuses_what_is_not_a_date() {
        let today = d("2026-11-20");
        for bad in ["", "+x", "-3", "2026-13-01", "31/12/2026", "t", "+99999"] {
            assert!(parse_user_date(bad, today).is_err(), "{bad}");
        }
    }

    #[test]
    fn business_days_skip_weekends() {
        let cases = [
            // from (weekday), n, calendar, business
            ("2026-11-20", 1, "2026-11-21", "2026-11-23"), // Fri + 1
            ("2026-11-20", 5, "2026-11-25", "2026-11-27"), // Fri + 5
            ("2026-11-16", 4, "2026-11-20", "2026-11-20"), // Mon + 4
            ("2026-11-21", 0, "2026-11-21", "2026-11-23"), // Sat + 0 lands on Monday
            ("2026-11-22", 1, "2026-11-23", "2026-11-23"), // Sun + 1
        ];
        for (from, n, cal, biz) in cases {
            assert_eq!(add_days(d(from), n, false), d(cal), "{from} + {n} calendar");
            assert_eq!(add_days(d(from), n, true), d(biz), "{from} + {n} business");
        }
    }
}
