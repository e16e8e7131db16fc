//! Reading one cell: amounts as accounting exports write them (`$1,234.56`,
//! `(420.81)`, `100-`, decimal commas), dates in a chrono format (unpadded numbers
//! too), yes/no flags. Pure functions; each error is the tail of a sentence that
//! starts with the quoted value: `'12.345' has more than two decimal places`.

use chrono::NaiveDate;

use crate::domain::Money;

/// How numbers are written in a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NumberFormat {
    pub decimal: char,
    /// The thousands separator, if the file uses one.
    pub thousands: Option<char>,
}

impl Default for NumberFormat {
    fn default() -> Self {
        NumberFormat {
            decimal: '.',
            thousands: Some(','),
        }
    }
}

const CURRENCY_SIGNS: &[char] = &['$', '€', '£', '¥', '₹'];
/// Spaces that may group digits (`1 234,56`); always ignored inside amounts.
const SPACES: &[char] = &[' ', '\u{a0}', '\u{202f}'];

fn strip_signs(s: &str) -> &str {
    s.trim_matches(|c: char| CURRENCY_SIGNS.contains(&c) || SPACES.contains(&c))
}

/// The largest amount an import takes: no real invoice or payment comes near it, so
/// a larger one is a column mix-up (an id or a phone number read as an amount).
pub(crate) const MAX_AMOUNT_MINOR: i64 = 100_000_000_000_000;

/// Reads an amount. A blank cell is `None`; the caller decides what blank means.
/// Amounts beyond ±1,000,000,000,000.00 are refused.
pub(crate) fn parse_amount(raw: &str, fmt: NumberFormat) -> Result<Option<Money>, String> {
    let m = parse_any_amount(raw, fmt)?;
    if m.is_some_and(|m| m.to_minor().unsigned_abs() > MAX_AMOUNT_MINOR.unsigned_abs()) {
        return Err(
            "is more than 1,000,000,000,000.00: no invoice or payment is that large (is this the amount column?)"
                .to_string(),
        );
    }
    Ok(m)
}

fn parse_any_amount(raw: &str, fmt: NumberFormat) -> Result<Option<Money>, String> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(None);
    }
    // Fast path: plain `1234.56` as machine exports write it.
    if fmt.decimal == '.'
        && let Some(m) = plain_minor(s.as_bytes())
    {
        return Ok(Some(Money::from_minor(m)));
    }
    let not_amount = || "is not an amount (expected digits like 1234.56)".to_string();
    let mut t = strip_signs(s);
    let mut negative = false;
    if let Some(rest) = t.strip_prefix('-') {
        negative = true;
        t = strip_signs(rest);
    } else if let Some(rest) = t.strip_prefix('+') {
        t = strip_signs(rest);
    } else if let Some(inner) = t.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        negative = true;
        t = strip_signs(inner);
    } else if let Some(rest) = t.strip_suffix('-') {
        negative = true;
        t = strip_signs(rest);
    }
    let minor = digits_to_minor(t, fmt).map_err(|e| match e {
        DigitsError::Invalid => not_amount(),
        DigitsError::TooPrecise => "has more than two decimal places".to_string(),
        DigitsError::TooLarge => "is too large".to_string(),
    })?;
    Ok(Some(Money::from_minor(if negative {
        -minor
    } else {
        minor
    })))
}

/// `1234`, `1234.5`, `1234.56` (ASCII digits, at most two decimals) in minor units.
fn plain_minor(b: &[u8]) -> Option<i64> {
    let (neg, b) = match b.first() {
        Some(b'-') => (true, &b[1..]),
        _ => (false, b),
    };
    if b.is_empty() || b.len() > 15 {
        return None;
    }
    let (int, frac) = match b.iter().position(|&c| c == b'.') {
        Some(i) => (&b[..i], &b[i + 1..]),
        None => (b, &b[..0]),
    };
    if int.is_empty() || frac.len() > 2 || !int.iter().chain(frac).all(u8::is_ascii_digit) {
        return None;
    }
    let mut v: i64 = 0;
    for &c in int {
        v = v * 10 + i64::from(c - b'0');
    }
    for i in 0..2 {
        v = v * 10 + frac.get(i).map_or(0, |&c| i64::from(c - b'0'));
    }
    Some(if neg { -v } else { v })
}

enum DigitsError {
    Invalid,
    TooPrecise,
    TooLarge,
}

/// Digits with optional thousands groups and decimal part, no sign, in minor units.
fn digits_to_minor(t: &str, fmt: NumberFormat) -> Result<i64, DigitsError> {
    let t: String = t.chars().filter(|c| !SPACES.contains(c)).collect();
    let (int, frac) = match t.split_once(fmt.decimal) {
        Some((i, f)) => (i, f),
        None => (t.as_str(), ""),
    };
    if int.is_empty() && frac.is_empty() {
        return Err(DigitsError::Invalid);
    }
    let int_digits = match fmt.thousands {
        Some(sep) if int.contains(sep) => {
            // Groups after the first hold exactly three digits: `12,50` is no amount.
            let groups: Vec<&str> = int.split(sep).collect();
            let first_ok = groups.first().is_some_and(|g| (1..=3).contains(&g.len()));
            if !first_ok || groups.iter().skip(1).any(|g| g.len() != 3) {
                return Err(DigitsError::Invalid);
            }
            groups.concat()
        }
        _ => int.to_string(),
    };
    if !int_digits
        .bytes()
        .chain(frac.bytes())
        .all(|c| c.is_ascii_digit())
    {
        return Err(DigitsError::Invalid);
    }
    let (cents, extra) = frac.split_at(frac.len().min(2));
    if extra.bytes().any(|c| c != b'0') {
        return Err(DigitsError::TooPrecise);
    }
    let mut v: i64 = 0;
    for c in int_digits.bytes().chain(cents.bytes()) {
        v = v
            .checked_mul(10)
            .and_then(|v| v.checked_add(i64::from(c - b'0')))
            .ok_or(DigitsError::TooLarge)?;
    }
    if cents.len() < 2 {
        v = v
            .checked_mul(if cents.is_empty() { 100 } else { 10 })
            .ok_or(DigitsError::TooLarge)?;
    }
    Ok(v)
}

/// Reads a date in `format` (a chrono format such as `%m/%d/%Y`); numbers may be
/// unpadded (`1/2/2013`).
pub(crate) fn parse_date(raw: &str, format: &str) -> Result<NaiveDate, String> {
    let s = raw.trim();
    if format == "%Y-%m-%d"
        && let Some(d) = iso_fast(s.as_bytes())
    {
        return Ok(d);
    }
    NaiveDate::parse_from_str(s, format).map_err(|_| format!("is not a date (expected {format})"))
}

fn iso_fast(b: &[u8]) -> Option<NaiveDate> {
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: &[u8]| -> Option<u32> {
        r.iter().try_fold(0u32, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
        })
    };
    let y = i32::try_from(num(&b[..4])?).ok()?;
    NaiveDate::from_ymd_opt(y, num(&b[5..7])?, num(&b[8..])?)
}

/// Checks that `format` is a usable chrono date format: it must print and read back
/// a date with a distinct day, month and year.
pub(crate) fn check_date_format(format: &str) -> Result<(), String> {
    use std::fmt::Write as _;
    let probe = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap_or_default();
    let mut shown = String::new();
    if write!(shown, "{}", probe.format(format)).is_err() {
        return Err(format!(
            "'{format}' is not a chrono date format (such as %m/%d/%Y)"
        ));
    }
    match NaiveDate::parse_from_str(&shown, format) {
        Ok(d) if d == probe => Ok(()),
        _ => Err(format!(
            "'{format}' does not read back a whole date: it needs a day, a month and a year (such as %d/%m/%Y)"
        )),
    }
}

/// Reads a yes/no flag (`yes|no`, `true|false`, `1|0`, `y|n`). Blank is `None`.
pub(crate) fn parse_flag(raw: &str) -> Result<Option<bool>, String> {
    let s = raw.trim().to_ascii_lowercase();
    match s.as_str() {
        "" => Ok(None),
        "yes" | "y" | "true" | "1" => Ok(Some(true)),
        "no" | "n" | "false" | "0" => Ok(Some(false)),
        _ => Err("is not yes or no (use yes|no, true|false or 1|0)".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn money(s: &str) -> Money {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn reads_every_amount_form_exports_use() {
        let us = NumberFormat::default();
        let cases = [
            ("1234.56", "1234.56"),
            ("1234", "1234.00"),
            ("1234.5", "1234.50"),
            ("0.07", "0.07"),
            ("1,234.56", "1234.56"),
            ("4,250.00", "4250.00"),
            ("$1,234.56", "1234.56"),
            ("$1,234,567.00", "1234567.00"),
            ("-200.00", "-200.00"),
            ("-$200.00", "-200.00"),
            ("$-200.00", "-200.00"),
            ("(420.81)", "-420.81"),
            ("$(250.00)", "-250.00"),
            ("($250.00)", "-250.00"),
            ("100-", "-100.00"),
            ("1,000.00-", "-1000.00"),
            ("+12.00", "12.00"),
            (" 12.30 ", "12.30"),
            ("1.500", "1.50"),
            (".5", "0.50"),
            ("€ 1 234.00", "1234.00"),
        ];
        for (raw, want) in cases {
            let got = parse_amount(raw, us).unwrap_or_else(|e| panic!("{raw}: {e}"));
            assert_eq!(got, Some(money(want)), "{raw}");
        }
        assert_eq!(parse_amount("", us), Ok(None));
        assert_eq!(parse_amount("   ", us), Ok(None));
    }

    #[test]
    fn reads_decimal_commas_when_told() {
        let eu = NumberFormat {
            decimal: ',',
            thousands: Some('.'),
        };
        let cases = [
            ("1.234,56", "1234.56"),
            ("1234,5", "1234.50"),
            ("-12,00", "-12.00"),
            ("(3,10)", "-3.10"),
            ("1 234,56", "1234.56"),
            ("7", "7.00"),
        ];
        for (raw, want) in cases {
            let got = parse_amount(raw, eu).unwrap_or_else(|e| panic!("{raw}: {e}"));
            assert_eq!(got, Some(money(want)), "{raw}");
        }
        assert!(parse_amount("1.234.5", eu).is_err());
    }

    #[test]
    fn refuses_what_is_not_an_amount() {
        let us = NumberFormat::default();
        let cases = [
            ("12.345", "has more than two decimal places"),
            ("1,234.567", "has more than two decimal places"),
            ("abc", "is not an amount"),
            ("12,50", "is not an amount"),
            ("1,2345.00", "is not an amount"),
            ("--5", "is not an amount"),
            ("-(5)", "is not an amount"),
            ("1.2.3", "is not an amount"),
            ("$", "is not an amount"),
            ("1e5", "is not an amount"),
            ("99999999999999999999", "is too large"),
            ("1000000000000.01", "is more than 1,000,000,000,000.00"),
            ("-1,000,000,000,001.00", "is more than 1,000,000,000,000.00"),
        ];
        for (raw, want) in cases {
            let err = parse_amount(raw, us).err().unwrap_or_default();
            assert!(err.starts_with(want), "{raw}: {err}");
        }
    }

    #[test]
    fn reads_dates_padded_or_not() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
        let cases = [
            ("2026-03-01", "%Y-%m-%d", d(2026, 3, 1)),
            ("2026-3-1", "%Y-%m-%d", d(2026, 3, 1)),
            ("1/2/2013", "%m/%d/%Y", d(2013, 1, 2)),
            ("01/02/2013", "%m/%d/%Y", d(2013, 1, 2)),
            ("12/31/2025", "%m/%d/%Y", d(2025, 12, 31)),
            ("11/06/2026", "%d/%m/%Y", d(2026, 6, 11)),
            ("5-Mar-26", "%d-%b-%y", d(2026, 3, 5)),
            (" 2026-03-01 ", "%Y-%m-%d", d(2026, 3, 1)),
        ];
        for (raw, fmt, want) in cases {
            assert_eq!(parse_date(raw, fmt), Ok(want), "{raw} {fmt}");
        }
        let bad = [
            ("31/02/2026", "%d/%m/%Y"),
            ("13/01/2026", "%m/%d/%Y"),
            ("2026-02-30", "%Y-%m-%d"),
            ("", "%Y-%m-%d"),
            ("yesterday", "%Y-%m-%d"),
        ];
        for (raw, fmt) in bad {
            let err = parse_date(raw, fmt).err().unwrap_or_default();
            assert_eq!(err, format!("is not a date (expected {fmt})"), "{raw}");
        }
    }

    #[test]
    fn date_formats_are_checked() {
        for ok in ["%Y-%m-%d", "%m/%d/%Y", "%d.%m.%y", "%d-%b-%Y"] {
            assert_eq!(check_date_format(ok), Ok(()), "{ok}");
        }
        for bad in ["%Q", "%m/%Y", "dd/mm/yyyy", ""] {
            assert!(check_date_format(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn reads_flags() {
        for (raw, want) in [
            ("yes", Some(true)),
            ("No", Some(false)),
            ("TRUE", Some(true)),
            ("false", Some(false)),
            ("1", Some(true)),
            ("0", Some(false)),
            ("", None),
        ] {
            assert_eq!(parse_flag(raw), Ok(want), "{raw}");
        }
        assert!(parse_flag("maybe").is_err());
    }
}
