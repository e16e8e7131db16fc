//! An account's position as of a date: balances, past due, disputed, DPD and aging,
//! computed from invoice balances that are already as of that date.

use chrono::NaiveDate;
use serde::Serialize;

use super::money::Money;

/// One invoice as of a date: its balance already net of payments, credits and
/// write-offs dated on or before that date, and the amount under open dispute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoicePosition {
    pub invoice_no: String,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    pub amount: Money,
    pub balance: Money,
    pub disputed: Money,
}

impl InvoicePosition {
    pub fn is_open(&self) -> bool {
        self.balance.is_positive()
    }

    /// Days past due as of `as_of`; zero when not yet due.
    pub fn days_past_due(&self, as_of: NaiveDate) -> u32 {
        u32::try_from((as_of - self.due_date).num_days()).unwrap_or(0)
    }

    pub fn is_past_due(&self, as_of: NaiveDate) -> bool {
        self.is_open() && self.due_date < as_of
    }

    /// The disputed part, never more than what is still owed.
    pub fn disputed_open(&self) -> Money {
        self.disputed.min(self.balance).max(Money::ZERO)
    }
}

/// Balances by age (days past due of each open invoice).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Aging {
    pub current: Money,
    pub d1_30: Money,
    pub d31_60: Money,
    pub d61_90: Money,
    pub d91_plus: Money,
}

impl Aging {
    pub fn add(&mut self, dpd: u32, amount: Money) {
        let bucket = match dpd {
            0 => &mut self.current,
            1..=30 => &mut self.d1_30,
            31..=60 => &mut self.d31_60,
            61..=90 => &mut self.d61_90,
            _ => &mut self.d91_plus,
        };
        *bucket += amount;
    }

    pub fn total(&self) -> Money {
        self.current + self.d1_30 + self.d31_60 + self.d61_90 + self.d91_plus
    }

    pub fn merge(&mut self, other: &Aging) {
        self.current += other.current;
        self.d1_30 += other.d1_30;
        self.d31_60 += other.d31_60;
        self.d61_90 += other.d61_90;
        self.d91_plus += other.d91_plus;
    }

    /// The buckets with their labels, in order.
    pub fn buckets(&self) -> [(&'static str, Money); 5] {
        [
            ("current", self.current),
            ("1-30", self.d1_30),
            ("31-60", self.d31_60),
            ("61-90", self.d61_90),
            ("91+", self.d91_plus),
        ]
    }
}

/// What an account owes as of a date (DESIGN §2).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AccountFigures {
    /// All open balances.
    pub balance: Money,
    /// Open balances of past-due invoices, disputed amounts included.
    pub past_due: Money,
    /// Open disputed amounts on any invoice.
    pub disputed: Money,
    /// Open disputed amounts on past-due invoices.
    pub disputed_past_due: Money,
    /// Past due minus disputed past due: what a collector can ask for.
    pub collectible_past_due: Money,
    /// Days past due of the oldest undisputed past-due invoice (0 when none).
    pub dpd: u32,
    pub aging: Aging,
}

impl AccountFigures {
    /// Figures of one account from its invoices as of `as_of`.
    pub fn of<'a>(
        invoices: impl IntoIterator<Item = &'a InvoicePosition>,
        as_of: NaiveDate,
    ) -> AccountFigures {
        let mut f = AccountFigures::default();
        for inv in invoices {
            if !inv.is_open() {
                continue;
            }
            let dpd = inv.days_past_due(as_of);
            let disputed = inv.disputed_open();
            f.balance += inv.balance;
            f.disputed += disputed;
            f.aging.add(dpd, inv.balance);
            if inv.is_past_due(as_of) {
                f.past_due += inv.balance;
                f.disputed_past_due += disputed;
                if inv.balance > disputed {
                    f.dpd = f.dpd.max(dpd);
                }
            }
        }
        f.collectible_past_due = f.past_due - f.disputed_past_due;
        f
    }
}

/// Splits a payment over open invoices, oldest due first (ties by invoice number).
/// Returns the share of each invoice (by index into `open`) and what is left unapplied.
pub fn allocate_oldest_first(
    amount: Money,
    open: &[(NaiveDate, &str, Money)],
) -> (Vec<(usize, Money)>, Money) {
    let mut order: Vec<usize> = (0..open.len())
        .filter(|&i| open[i].2.is_positive())
        .collect();
    order.sort_by(|&a, &b| {
        open[a]
            .0
            .cmp(&open[b].0)
            .then_with(|| open[a].1.cmp(open[b].1))
    });
    let mut left = amount;
    let mut shares = Vec::new();
    for i in order {
        if !left.is_positive() {
            break;
        }
        let share = left.min(open[i].2);
        shares.push((i, share));
        left -= share;
    }
    (shares, left)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::dates::parse_iso;

    fn d(s: &str) -> NaiveDate {
        parse_iso(s).unwrap_or_else(|e| panic!("{e}"))
    }

    fn inv(no: &str, due: &str, balance: i64, disputed: i64) -> InvoicePosition {
        InvoicePosition {
            invoice_no: no.into(),
            issue_date: d("2026-01-01"),
            due_date: d(due),
            amount: Money::from_major(balance.max(0) + 100),
            balance: Money::from_major(balance),
            disputed: Money::from_major(disputed),
        }
    }

    #[test]
    fn figures_follow_the_definitions() {
        let as_of = d("2026-06-30");
        // (invoices, balance, past_due, disputed_past_due, collectible, dpd)
        let cases: Vec<(Vec<InvoicePosition>, i64, i64, i64, i64, u32)> = vec![
            (vec![], 0, 0, 0, 0, 0),
            (vec![inv("A", "2026-07-10", 500, 0)], 500, 0, 0, 0, 0),
            // due today is not past due
            (vec![inv("A", "2026-06-30", 500, 0)], 500, 0, 0, 0, 0),
            (vec![inv("A", "2026-06-29", 500, 0)], 500, 500, 0, 500, 1),
            // the oldest invoice is fully disputed: DPD comes from the next one
            (
                vec![
                    inv("A", "2026-03-01", 300, 300),
                    inv("B", "2026-06-01", 200, 0),
                ],
                500,
                500,
                300,
                200,
                29,
            ),
            // a dispute larger than the balance only removes the balance
            (vec![inv("A", "2026-06-01", 100, 400)], 100, 100, 100, 0, 0),
            // paid and credit invoices are not open
            (
                vec![inv("A", "2026-01-01", 0, 0), inv("B", "2026-01-01", -50, 0)],
                0,
                0,
                0,
                0,
                0,
            ),
        ];
        for (i, (invoices, balance, past_due, disputed_pd, collectible, dpd)) in
            cases.into_iter().enumerate()
        {
            let f = AccountFigures::of(&invoices, as_of);
            assert_eq!(f.balance, Money::from_major(balance), "case {i} balance");
            assert_eq!(f.past_due, Money::from_major(past_due), "case {i} past due");
            assert_eq!(
                f.disputed_past_due,
                Money::from_major(disputed_pd),
                "case {i} disputed"
            );
            assert_eq!(
                f.collectible_past_due,
                Money::from_major(collectible),
                "case {i} collectible"
            );
            assert_eq!(f.dpd, dpd, "case {i} dpd");
        }
    }

    #[test]
    fn aging_buckets_by_days_past_due() {
        let as_of = d("2026-06-30");
        let invoices = [
            inv("A", "2026-07-01", 1, 0),  // current
            inv("B", "2026-06-29", 2, 0),  // 1
            inv("C", "2026-05-31", 4, 0),  // 30
            inv("D", "2026-05-30", 8, 0),  // 31
            inv("E", "2026-04-01", 16, 0), // 90
            inv("F", "2026-03-31", 32, 0), // 91
        ];
        let f = AccountFigures::of(&invoices, as_of);
        assert_eq!(f.aging.current, Money::from_major(1));
        assert_eq!(f.aging.d1_30, Money::from_major(6));
        assert_eq!(f.aging.d31_60, Money::from_major(8));
        assert_eq!(f.aging.d61_90, Money::from_major(16));
        assert_eq!(f.aging.d91_plus, Money::from_major(32));
        assert_eq!(f.aging.total(), f.balance);
    }

    #[test]
    fn payments_go_to_the_oldest_due_first() {
        let open = [
            (d("2026-03-01"), "B", Money::from_major(100)),
            (d("2026-02-01"), "A", Money::from_major(50)),
            (d("2026-03-01"), "A2", Money::from_major(70)),
        ];
        let (shares, left) = allocate_oldest_first(Money::from_major(130), &open);
        assert_eq!(
            shares,
            vec![
                (1, Money::from_major(50)),
                (2, Money::from_major(70)),
                (0, Money::from_major(10))
            ]
        );
        assert_eq!(left, Money::ZERO);
        let (_, left) = allocate_oldest_first(Money::from_major(300), &open);
        assert_eq!(left, Money::from_major(80));
    }
}
