//! Exact money: a decimal with two places, stored in SQLite as integer minor units.
//!
//! `Money` never touches `f64`. Arithmetic is exact; conversion to minor units
//! refuses amounts with more than two decimal places instead of rounding silently.
//! Reading typed text is `domain::amount`'s job (`"1,250.50".parse::<Money>()`).

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Neg, Sub, SubAssign};
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Serialize, Serializer};

use super::amount::{AmountError, AmountProblem, parse_amount};

/// An exact amount in the database's base currency, always with two decimal places.
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(Decimal);

/// Why a text or a decimal could not be read as money.
pub type MoneyError = AmountError;

impl Money {
    pub const ZERO: Money = Money(Decimal::ZERO);

    /// Builds an amount from minor units (cents).
    pub fn from_minor(minor: i64) -> Money {
        Money(Decimal::new(minor, 2))
    }

    /// Builds an amount from whole units.
    pub fn from_major(major: i64) -> Money {
        Money::from_minor(major.saturating_mul(100))
    }

    /// Wraps a decimal; fails when it has more than two decimal places.
    pub fn from_decimal(d: Decimal) -> Result<Money, MoneyError> {
        let normal = d.normalize();
        if normal.scale() > 2 {
            return Err(AmountError::new(&d.to_string(), AmountProblem::TooPrecise));
        }
        let mut m = normal;
        m.rescale(2);
        // Keep the value in the range that fits in i64 minor units.
        if m.mantissa() > i128::from(i64::MAX) || m.mantissa() < i128::from(i64::MIN) {
            return Err(AmountError::new(&d.to_string(), AmountProblem::TooLarge));
        }
        Ok(Money(m))
    }

    /// Rounds a decimal half-away-from-zero to cents (for computed shares, never for input).
    pub fn round_from(d: Decimal) -> Money {
        let mut r =
            d.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
        r.rescale(2);
        Money(r)
    }

    /// The amount in minor units (cents).
    pub fn to_minor(self) -> i64 {
        // Every constructor keeps scale 2 and the mantissa within i64.
        i64::try_from(self.0.mantissa()).unwrap_or(if self.0.is_sign_negative() {
            i64::MIN
        } else {
            i64::MAX
        })
    }

    pub fn decimal(self) -> Decimal {
        self.0
    }

    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }

    pub fn is_positive(self) -> bool {
        self.0 > Decimal::ZERO
    }

    pub fn is_negative(self) -> bool {
        self.0 < Decimal::ZERO
    }

    pub fn max(self, other: Money) -> Money {
        if self >= other { self } else { other }
    }

    pub fn min(self, other: Money) -> Money {
        if self <= other { self } else { other }
    }

    /// For people: `1,250.00` (thousands grouped, two places, leading minus).
    pub fn grouped(self) -> String {
        let minor = self.to_minor();
        let neg = minor < 0;
        let abs = minor.unsigned_abs();
        let units = (abs / 100).to_string();
        let cents = abs % 100;
        let mut grouped = String::with_capacity(units.len() + units.len() / 3 + 4);
        for (i, ch) in units.chars().enumerate() {
            if i > 0 && (units.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(ch);
        }
        format!("{}{grouped}.{cents:02}", if neg { "-" } else { "" })
    }

    /// For people, with the currency: `1,250.00 USD`.
    pub fn with_currency(self, currency: &str) -> String {
        format!("{} {currency}", self.grouped())
    }
}

impl FromStr for Money {
    type Err = MoneyError;

    /// Reads an amount as people type it (`1250`, `1,250.50`, `-20.00`): arq's one
    /// rule for separators, see `domain::amount`.
    fn from_str(s: &str) -> Result<Money, MoneyError> {
        parse_amount(s)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Always two places: `12.50`, `-3.00`, `0.00`.
        let mut d = self.0;
        d.rescale(2);
        fmt::Display::fmt(&d, f)
    }
}

impl fmt::Debug for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Money({})", self.0)
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, rhs: Money) -> Money {
        Money(self.0 + rhs.0)
    }
}

impl AddAssign for Money {
    fn add_assign(&mut self, rhs: Money) {
        self.0 += rhs.0;
    }
}

impl Sub for Money {
    type Output = Money;
    fn sub(self, rhs: Money) -> Money {
        Money(self.0 - rhs.0)
    }
}

impl SubAssign for Money {
    fn sub_assign(&mut self, rhs: Money) {
        self.0 -= rhs.0;
    }
}

impl Neg for Money {
    type Output = Money;
    fn neg(self) -> Money {
        Money(-self.0)
    }
}

impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, Add::add)
    }
}

impl<'a> Sum<&'a Money> for Money {
    fn sum<I: Iterator<Item = &'a Money>>(iter: I) -> Money {
        iter.copied().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_and_prints_two_places() {
        let cases = [
            ("1250", "1250.00"),
            ("1250.5", "1250.50"),
            ("-20", "-20.00"),
            ("0.01", "0.01"),
            (" 7.10 ", "7.10"),
            ("1,250.50", "1250.50"),
        ];
        for (input, shown) in cases {
            let m: Money = input.parse().unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(m.to_string(), shown, "{input}");
        }
    }

    #[test]
    fn refuses_what_is_not_money() {
        for bad in ["", "abc", "1.234", "1.500", "1e5", "12,50"] {
            assert!(bad.parse::<Money>().is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn groups_thousands_for_people() {
        let cases = [
            (0, "0.00"),
            (5, "0.05"),
            (125_000, "1,250.00"),
            (-123_456_789, "-1,234,567.89"),
            (100_000_000, "1,000,000.00"),
        ];
        for (minor, shown) in cases {
            assert_eq!(Money::from_minor(minor).grouped(), shown);
        }
        assert_eq!(
            Money::from_minor(125_000).with_currency("USD"),
            "1,250.00 USD"
        );
    }

    #[test]
    fn serializes_as_a_decimal_string() {
        let json = serde_json::to_string(&Money::from_minor(1050)).unwrap_or_default();
        assert_eq!(json, "\"10.50\"");
        let empty: Money = std::iter::empty::<Money>().sum();
        assert_eq!(
            serde_json::to_string(&empty).unwrap_or_default(),
            "\"0.00\""
        );
        assert_eq!(Money::ZERO.to_string(), "0.00");
    }

    proptest! {
        #[test]
        fn minor_units_round_trip(minor in -10_000_000_000_000i64..10_000_000_000_000i64) {
            let m = Money::from_minor(minor);
            prop_assert_eq!(m.to_minor(), minor);
            let back: Money = m.to_string().parse().map_err(|e: MoneyError| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(back, m);
            prop_assert_eq!(back.to_minor(), minor);
        }

        #[test]
        fn addition_is_exact(a in -1_000_000_000i64..1_000_000_000, b in -1_000_000_000i64..1_000_000_000) {
            prop_assert_eq!((Money::from_minor(a) + Money::from_minor(b)).to_minor(), a + b);
            prop_assert_eq!((Money::from_minor(a) - Money::from_minor(b)).to_minor(), a - b);
        }
    }
}
