//! Reading an amount as a person types it or a file writes it: the one parser behind
//! the command line, the terminal app's forms and the import.
//!
//! The rule (README "Amounts"): `.` is the decimal point with at most two digits after
//! it; `,` (or a space) only separates groups of exactly three digits. What could be
//! read two ways is refused, quoting what was typed: `25,52` (a decimal comma?),
//! `2.552,34` (European grouping), `1.500` (a thousands point?). A mapping file may
//! declare the other convention; the same rule then holds with the marks swapped.
//! Currency signs and the accounting forms of a negative (`-5`, `(5.00)`, `5-`) are
//! accepted. Pure: no I/O.

use std::fmt;

use super::money::Money;

/// How numbers are written: the decimal mark and the thousands separator, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NumberFormat {
    pub decimal: char,
    pub thousands: Option<char>,
}

impl NumberFormat {
    /// arq's own convention: `1,250.50`.
    pub const ARQ: NumberFormat = NumberFormat {
        decimal: '.',
        thousands: Some(','),
    };

    /// The mark a writer of the other convention uses for decimals.
    fn other_mark(self) -> char {
        if self.decimal == '.' { ',' } else { '.' }
    }

    /// The other convention (`1.250,50` for arq's), to say what was probably meant.
    fn swapped(self) -> NumberFormat {
        NumberFormat {
            decimal: self.other_mark(),
            thousands: Some(self.decimal),
        }
    }
}

impl Default for NumberFormat {
    fn default() -> Self {
        NumberFormat::ARQ
    }
}

/// What is wrong with a text, as the tail of a sentence that starts with the quoted
/// text (the import puts its file, line and column before it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AmountProblem {
    NotAnAmount,
    TooPrecise,
    TooLarge,
    /// Readable two ways; `meant` is the other reading (shown for arq's own convention).
    Ambiguous {
        why: Ambiguity,
        format: NumberFormat,
        meant: Option<Money>,
    },
}

/// Why a text reads two ways.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ambiguity {
    /// `25,52`: the thousands separator followed by one or two digits.
    DecimalSeparator,
    /// `2.552,34`, `1.000.000`: the other convention's grouping.
    OtherConvention,
    /// `1.500`: exactly three digits after a lone decimal mark.
    ThreeDecimals,
}

impl fmt::Display for AmountProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AmountProblem::NotAnAmount => {
                f.write_str("is not an amount (expected digits like 1250.00 or 1,250.00)")
            }
            AmountProblem::TooPrecise => f.write_str("has more than two decimal places"),
            AmountProblem::TooLarge => f.write_str("is too large"),
            AmountProblem::Ambiguous { why, format, meant } => {
                let d = format.decimal;
                let sep = match format.thousands {
                    Some(' ') => "a space".to_string(),
                    Some(t) => format!("'{t}'"),
                    None => "nothing".to_string(),
                };
                match why {
                    Ambiguity::ThreeDecimals => write!(
                        f,
                        "is ambiguous: '{d}' is the decimal point and takes at most two digits, \
                         but three digits after it look like a thousands group"
                    )?,
                    Ambiguity::DecimalSeparator | Ambiguity::OtherConvention => write!(
                        f,
                        "is ambiguous: '{d}' is the decimal point and {sep} only separates \
                         groups of three digits"
                    )?,
                }
                if *format == NumberFormat::ARQ
                    && let Some(m) = meant
                {
                    write!(f, "; did you mean {}?", plain(*m))?;
                }
                Ok(())
            }
        }
    }
}

/// An amount without needless zeros: `1500`, `25.52`, `0.5` stays `0.50`.
fn plain(m: Money) -> String {
    let s = m.to_string();
    s.strip_suffix(".00").map_or(s.clone(), str::to_string)
}

/// A text that is not an amount, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct AmountError {
    /// Exactly what was typed.
    pub text: String,
    pub problem: AmountProblem,
}

impl fmt::Display for AmountError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.problem {
            // Nothing typed: the field wants an amount, not "'' is not an amount".
            AmountProblem::NotAnAmount if self.text.trim().is_empty() => {
                f.write_str("an amount is needed (digits like 1250.00 or 1,250.00)")
            }
            _ => write!(f, "'{}' {}", self.text, self.problem),
        }
    }
}

impl AmountError {
    pub(crate) fn new(text: &str, problem: AmountProblem) -> AmountError {
        AmountError {
            text: text.to_string(),
            problem,
        }
    }
}

/// Reads an amount a person typed (command line, forms), in arq's convention.
pub fn parse_amount(text: &str) -> Result<Money, AmountError> {
    parse_amount_as(text, NumberFormat::ARQ)?
        .ok_or_else(|| AmountError::new(text, AmountProblem::NotAnAmount))
}

const CURRENCY_SIGNS: &[char] = &['$', '€', '£', '¥', '₹'];
/// Spaces that may group digits (`1 234.56`), like the thousands separator.
const SPACES: &[char] = &[' ', '\u{a0}', '\u{202f}'];

fn strip_signs(s: &str) -> &str {
    s.trim_matches(|c: char| CURRENCY_SIGNS.contains(&c) || SPACES.contains(&c))
}

/// Reads an amount written in `format`. A blank text is `None`: the caller decides
/// what blank means.
pub fn parse_amount_as(text: &str, format: NumberFormat) -> Result<Option<Money>, AmountError> {
    let s = text.trim();
    if s.is_empty() {
        return Ok(None);
    }
    // Fast path: plain `1234.56` as machine exports write it (a million rows a load).
    if format.decimal == '.'
        && let Some(m) = plain_minor(s.as_bytes())
    {
        return Ok(Some(Money::from_minor(m)));
    }
    let fail = |p| AmountError::new(text, p);
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
    if let Some(why) = ambiguity(t, format) {
        let meant = digits_to_minor(t, format.swapped())
            .ok()
            .map(|m| Money::from_minor(if negative { -m } else { m }));
        return Err(fail(AmountProblem::Ambiguous { why, format, meant }));
    }
    let minor = digits_to_minor(t, format).map_err(fail)?;
    Ok(Some(Money::from_minor(if negative {
        -minor
    } else {
        minor
    })))
}

/// Whether digits and marks (no sign) could be read two ways under `format`.
fn ambiguity(t: &str, format: NumberFormat) -> Option<Ambiguity> {
    let d = format.decimal;
    let is_sep = |c: char| c == format.other_mark() || Some(c) == format.thousands;
    let decimals = t.matches(d).count();
    let last_sep = t.rfind(is_sep);
    let first_decimal = t.find(d);
    // A separator after the decimal mark (`2.552,34`), or several decimal marks
    // (`1.000.000`): the other convention.
    if let (Some(s), Some(p)) = (last_sep, first_decimal)
        && s > p
    {
        return Some(Ambiguity::OtherConvention);
    }
    if decimals > 1 && digits_to_minor(t, format.swapped()).is_ok() {
        return Some(Ambiguity::OtherConvention);
    }
    let digits_after = |i: usize| {
        let rest = &t[i + 1..];
        (!rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit())).then_some(rest.len())
    };
    // No decimal mark, and the last separator is followed by one or two digits: `25,52`.
    if decimals == 0
        && let Some(s) = last_sep
        && t[s..].starts_with(format.other_mark())
        && matches!(digits_after(s), Some(1 | 2))
    {
        return Some(Ambiguity::DecimalSeparator);
    }
    // One decimal mark followed by exactly three digits and no grouping before it:
    // `1.500` (but `0.500` cannot be a thousands group).
    if decimals == 1
        && last_sep.is_none()
        && let Some(p) = first_decimal
        && digits_after(p) == Some(3)
        && t[..p].bytes().any(|b| b != b'0')
    {
        return Some(Ambiguity::ThreeDecimals);
    }
    None
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

/// Digits with optional thousands groups and decimal part, no sign, in minor units.
fn digits_to_minor(t: &str, format: NumberFormat) -> Result<i64, AmountProblem> {
    let (int, frac) = match t.split_once(format.decimal) {
        Some((i, f)) => (i, f),
        None => (t, ""),
    };
    if int.is_empty() && frac.is_empty() {
        return Err(AmountProblem::NotAnAmount);
    }
    let is_group_sep = |c: char| Some(c) == format.thousands || SPACES.contains(&c);
    let int_digits = if int.contains(is_group_sep) {
        // Groups after the first hold exactly three digits: `1,2345` is no amount.
        let groups: Vec<&str> = int.split(is_group_sep).collect();
        let first_ok = groups.first().is_some_and(|g| (1..=3).contains(&g.len()));
        if !first_ok || groups.iter().skip(1).any(|g| g.len() != 3) {
            return Err(AmountProblem::NotAnAmount);
        }
        groups.concat()
    } else {
        int.to_string()
    };
    if !int_digits
        .bytes()
        .chain(frac.bytes())
        .all(|c| c.is_ascii_digit())
    {
        return Err(AmountProblem::NotAnAmount);
    }
    let (cents, extra) = frac.split_at(frac.len().min(2));
    if extra.bytes().any(|c| c != b'0') {
        return Err(AmountProblem::TooPrecise);
    }
    let mut v: i64 = 0;
    for c in int_digits.bytes().chain(cents.bytes()) {
        v = v
            .checked_mul(10)
            .and_then(|v| v.checked_add(i64::from(c - b'0')))
            .ok_or(AmountProblem::TooLarge)?;
    }
    if cents.len() < 2 {
        v = v
            .checked_mul(if cents.is_empty() { 100 } else { 10 })
            .ok_or(AmountProblem::TooLarge)?;
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn money(minor: i64) -> Money {
        Money::from_minor(minor)
    }

    /// arq's rule as people type amounts: (typed, cents) or (typed, error message).
    #[test]
    fn reads_what_people_type() {
        let ok: &[(&str, i64)] = &[
            ("25.52", 2552),
            ("1250", 125_000),
            ("1250.5", 125_050),
            ("1,250.50", 125_050),
            ("1,250", 125_000),
            ("12,500", 1_250_000),
            ("1,234,567.89", 123_456_789),
            ("1 250.50", 125_050),
            ("$1,234.56", 123_456),
            ("-20", -2000),
            ("(420.81)", -42_081),
            ("100-", -10_000),
            ("+12.00", 1200),
            (".5", 50),
            ("0.07", 7),
            ("1234.5000", 123_450),
            ("1,000.500", 100_050),
            (" 7.10 ", 710),
        ];
        for (typed, cents) in ok {
            assert_eq!(parse_amount(typed), Ok(money(*cents)), "{typed}");
        }
        let refused: &[(&str, &str)] = &[
            (
                "25,52",
                "'25,52' is ambiguous: '.' is the decimal point and ',' only separates groups of three digits; did you mean 25.52?",
            ),
            (
                "2.552,34",
                "'2.552,34' is ambiguous: '.' is the decimal point and ',' only separates groups of three digits; did you mean 2552.34?",
            ),
            (
                "1.500",
                "'1.500' is ambiguous: '.' is the decimal point and takes at most two digits, but three digits after it look like a thousands group; did you mean 1500?",
            ),
            (
                "1.000.000",
                "'1.000.000' is ambiguous: '.' is the decimal point and ',' only separates groups of three digits; did you mean 1000000?",
            ),
            ("12,5", "'12,5' is ambiguous"),
            ("-25,5", "'-25,5' is ambiguous"),
            ("1.234", "'1.234' is ambiguous"),
            ("1,2345.00", "'1,2345.00' is not an amount"),
            ("12.345,678", "'12.345,678' is ambiguous"),
            ("12.345", "'12.345' is ambiguous"),
            ("12.3456", "'12.3456' has more than two decimal places"),
            ("abc", "'abc' is not an amount"),
            ("", "an amount is needed"),
            ("  ", "an amount is needed"),
            ("--5", "'--5' is not an amount"),
            ("1e5", "'1e5' is not an amount"),
            (
                "99999999999999999999",
                "'99999999999999999999' is too large",
            ),
        ];
        for (typed, want) in refused {
            let err = parse_amount(typed).err().map(|e| e.to_string());
            assert!(
                err.as_deref().is_some_and(|e| e.starts_with(want)),
                "{typed}: {err:?}"
            );
        }
    }

    #[test]
    fn a_declared_decimal_comma_swaps_the_marks() {
        let eu = NumberFormat {
            decimal: ',',
            thousands: Some('.'),
        };
        for (typed, cents) in [
            ("1.234,56", 123_456),
            ("25,52", 2552),
            ("1 234,56", 123_456),
            ("(3,10)", -310),
            ("7", 700),
        ] {
            assert_eq!(
                parse_amount_as(typed, eu),
                Ok(Some(money(cents))),
                "{typed}"
            );
        }
        for typed in ["25.52", "1,234.56", "1,500"] {
            let err = parse_amount_as(typed, eu).err().map(|e| e.to_string());
            assert!(
                err.as_deref()
                    .is_some_and(|e| e.contains("is ambiguous: ',' is the decimal point")
                        && !e.contains("did you mean")),
                "{typed}: {err:?}"
            );
        }
        let none = NumberFormat {
            decimal: '.',
            thousands: None,
        };
        assert_eq!(parse_amount_as("1234.56", none), Ok(Some(money(123_456))));
        assert!(parse_amount_as("1,234.56", none).is_err());
    }
}
