//! Reading one cell: amounts as accounting exports write them (`$1,234.56`,
//! `(420.81)`, `100-`, decimal commas when the mapping says so) through the one
//! amount parser in `domain::amount`, dates in a chrono format (unpadded numbers too),
//! yes/no flags. Pure functions; each error is the tail of a sentence that starts
//! with the quoted value: `'12.3456' has more than two decimal places`.

use chrono::NaiveDate;

use crate::domain::Money;
use crate::domain::amount::parse_amount_as;

/// How numbers are written in a file (arq's `1,250.50` unless a mapping says otherwise).
pub(crate) use crate::domain::NumberFormat;

/// The largest amount an import takes: no real invoice or payment comes near it, so
/// a larger one is a column mix-up (an id or a phone number read as an amount).
pub(crate) const MAX_AMOUNT_MINOR: i64 = 100_000_000_000_000;

/// Reads an amount with arq's one amount parser (`domain::amount`), in the file's
/// number format. A blank cell is `None`; the caller decides what blank means.
/// Amounts beyond ±1,000,000,000,000.00 are refused.
pub(crate) fn parse_amount(raw: &str, fmt: NumberFormat) -> Result<Option<Money>, String> {
    let m = parse_amount_as(raw, fmt).map_err(|e| e.problem.to_string())?;
    if m.is_some_and(|m| m.to_minor().unsigned_abs() > MAX_AMOUNT_MINOR.unsigned_abs()) {
        return Err(
            "is more than 1,000,000,000,000.00: no invoice or payment is that large (is this the amount column?)"
                .to_string(),
        );
    }
    Ok(m)
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
            ("1,000.500", "1000.50"),
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
            ("12.3456", "has more than two decimal places"),
            ("1,234.567", "has more than two decimal places"),
            ("abc", "is not an amount"),
            ("12,50", "is ambiguous: '.' is the decimal point"),
            ("1.500", "is ambiguous: '.' is the decimal point"),
            ("2.552,34", "is ambiguous: '.' is the decimal point"),
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
