//! Payment plans in figures: equal installments from a total, and where each
//! installment stands given what was paid since the plan began (payments cover the
//! installments in date order).

use chrono::{Months, NaiveDate};
use serde::Serialize;

use super::Money;
use super::dates::add_days;
use super::names::named_enum;

named_enum! {
    /// Where one installment of a plan stands on a day.
    pub enum InstallmentState ("installment state") {
        Paid = "paid",
        /// Some paid, not all, and not late yet.
        PartlyPaid = "partly_paid",
        /// Due (today or within grace) and not paid.
        Due = "due",
        /// Past its date and grace without being covered.
        Missed = "missed",
        Upcoming = "upcoming",
    }
}

named_enum! {
    /// How often generated installments fall.
    pub enum Every ("installment interval") { Week = "week", Month = "month" }
}

/// One installment with what covers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Installment {
    pub date: NaiveDate,
    pub amount: Money,
    pub paid: Money,
    pub status: InstallmentState,
}

/// `parts` installments of `total`, `every` week or month from `first`. The parts are
/// equal to the cent; what does not divide goes to the last one. None when `parts` is
/// zero or the total is too small to give every part a cent.
pub fn equal_parts(
    total: Money,
    parts: u32,
    every: Every,
    first: NaiveDate,
) -> Option<Vec<(NaiveDate, Money)>> {
    if parts == 0 || total.to_minor() < i64::from(parts) {
        return None;
    }
    let share = Money::from_minor(total.to_minor() / i64::from(parts));
    let mut out = Vec::with_capacity(parts as usize);
    let mut left = total;
    for i in 0..parts {
        let date = match every {
            Every::Week => add_days(first, 7 * i, false),
            // The same day of the month, or the month's last day when it is shorter.
            Every::Month => first.checked_add_months(Months::new(i)).unwrap_or(first),
        };
        let amount = if i + 1 == parts { left } else { share };
        left -= amount;
        out.push((date, amount));
    }
    Some(out)
}

/// Where each installment stands on `as_of`, given `paid` since the plan began.
pub fn states(
    installments: &[(NaiveDate, Money)],
    paid: Money,
    grace_days: u32,
    as_of: NaiveDate,
) -> Vec<Installment> {
    let mut left = paid;
    installments
        .iter()
        .map(|&(date, amount)| {
            let covered = left.min(amount).max(Money::ZERO);
            left -= covered;
            let status = if covered >= amount {
                InstallmentState::Paid
            } else if as_of > add_days(date, grace_days, false) {
                InstallmentState::Missed
            } else if covered.is_positive() {
                InstallmentState::PartlyPaid
            } else if date <= as_of {
                InstallmentState::Due
            } else {
                InstallmentState::Upcoming
            };
            Installment {
                date,
                amount,
                paid: covered,
                status,
            }
        })
        .collect()
}

/// The total of a list of installments.
pub fn total(installments: &[(NaiveDate, Money)]) -> Money {
    installments.iter().map(|(_, m)| *m).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::dates::parse_iso;

    fn d(s: &str) -> NaiveDate {
        parse_iso(s).unwrap()
    }

    fn m(s: &str) -> Money {
        s.parse().unwrap()
    }

    #[test]
    #[allow(clippy::type_complexity)] // a table of cases
    fn equal_parts_put_the_remainder_last_and_keep_the_total() {
        // (total, parts, every, first, expected)
        let cases: &[(&str, u32, Every, &str, &[(&str, &str)])] = &[
            (
                "100.00",
                3,
                Every::Week,
                "2026-12-01",
                &[
                    ("2026-12-01", "33.33"),
                    ("2026-12-08", "33.33"),
                    ("2026-12-15", "33.34"),
                ],
            ),
            (
                "90.00",
                3,
                Every::Month,
                "2026-01-31",
                &[
                    ("2026-01-31", "30.00"),
                    ("2026-02-28", "30.00"),
                    ("2026-03-31", "30.00"),
                ],
            ),
            (
                "0.02",
                2,
                Every::Week,
                "2026-12-01",
                &[("2026-12-01", "0.01"), ("2026-12-08", "0.01")],
            ),
        ];
        for (t, n, every, first, want) in cases {
            let got = equal_parts(m(t), *n, *every, d(first)).unwrap();
            let want: Vec<(NaiveDate, Money)> = want.iter().map(|(a, b)| (d(a), m(b))).collect();
            assert_eq!(got, want, "{t} in {n}");
            assert_eq!(total(&got), m(t));
        }
        assert_eq!(
            equal_parts(m("0.02"), 3, Every::Week, d("2026-12-01")),
            None
        );
        assert_eq!(
            equal_parts(m("10.00"), 0, Every::Week, d("2026-12-01")),
            None
        );
    }

    #[test]
    fn payments_cover_installments_in_date_order() {
        let plan = [
            (d("2026-12-01"), m("100.00")),
            (d("2026-12-15"), m("100.00")),
            (d("2027-01-01"), m("100.00")),
        ];
        // (paid, as_of, expected states)
        use InstallmentState::*;
        let cases = [
            ("0.00", "2026-11-30", [Upcoming, Upcoming, Upcoming]),
            ("0.00", "2026-12-01", [Due, Upcoming, Upcoming]),
            ("0.00", "2026-12-03", [Due, Upcoming, Upcoming]), // within two days' grace
            ("0.00", "2026-12-04", [Missed, Upcoming, Upcoming]),
            ("150.00", "2026-12-04", [Paid, PartlyPaid, Upcoming]),
            ("150.00", "2026-12-20", [Paid, Missed, Upcoming]),
            ("300.00", "2026-12-20", [Paid, Paid, Paid]),
        ];
        for (paid, as_of, want) in cases {
            let got: Vec<InstallmentState> = states(&plan, m(paid), 2, d(as_of))
                .iter()
                .map(|i| i.status)
                .collect();
            assert_eq!(got, want, "paid {paid} on {as_of}");
        }
    }
}
