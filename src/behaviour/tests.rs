//! Tables of cases for the estimates: monotone in how late a customer pays, short
//! histories near the shop's average, invoices judged on how long they are open,
//! classes, features, and every estimate the sum of its parts.

use chrono::{Duration, NaiveDate};

use super::*;
use crate::domain::{Money, Risk};

fn day(s: &str) -> NaiveDate {
    crate::domain::dates::parse_iso(s).unwrap()
}

const AS_OF: &str = "2026-06-30";

/// A customer who paid invoices `lates` days late, one due every 10 days going back
/// from 20 days before the date, plus open invoices `open_days` days past due.
fn customer(id: &str, lates: &[i64], open_days: &[i64]) -> CustomerHistory {
    let as_of = day(AS_OF);
    let paid = lates
        .iter()
        .enumerate()
        .map(|(i, &l)| {
            let due = as_of - Duration::days(l.max(0) + 20 + 10 * i as i64);
            PaidInvoice {
                issued: due - Duration::days(30),
                due,
                paid_on: due + Duration::days(l),
                amount: Money::from_major(1000),
                disputed: false,
                partly_paid: false,
            }
        })
        .collect();
    let open = open_days
        .iter()
        .enumerate()
        .map(|(i, &d)| {
            let due = as_of - Duration::days(d);
            OpenInvoice {
                invoice_no: format!("{id}-O{i}"),
                issued: due - Duration::days(30),
                due,
                amount: Money::from_major(1000),
                balance: Money::from_major(1000),
                disputed: false,
                partly_paid: false,
            }
        })
        .collect();
    CustomerHistory {
        id: id.to_string(),
        name: format!("{id} Ltd"),
        paid,
        open,
        ..CustomerHistory::default()
    }
}

/// A shop of regular customers paying 0, 10, 20 and 40 days late (five of each), the
/// background every case is judged against.
fn shop() -> Vec<CustomerHistory> {
    let mut out = Vec::new();
    for (k, base) in [0i64, 10, 20, 40].iter().enumerate() {
        for j in 0..5i64 {
            let lates: Vec<i64> = (0..8).map(|i| base + (i * 7 + j * 3) % 9 - 4).collect();
            out.push(customer(&format!("S{k}{j}"), &lates, &[]));
        }
    }
    out
}

fn estimates_with(extra: Vec<CustomerHistory>) -> Estimates {
    let mut customers = shop();
    customers.extend(extra);
    estimate(&Inputs {
        as_of: day(AS_OF),
        customers,
    })
}

fn of<'a>(e: &'a Estimates, id: &str) -> &'a CustomerEstimate {
    e.customers
        .iter()
        .find(|c| c.customer_id == id)
        .unwrap_or_else(|| panic!("no estimate for {id}"))
}

fn invoice<'a>(e: &'a Estimates, no: &str) -> &'a InvoiceEstimate {
    e.invoices
        .iter()
        .find(|i| i.invoice_no == no)
        .unwrap_or_else(|| panic!("no estimate for {no}"))
}

#[test]
fn a_customer_who_pays_later_gets_a_later_expected_date() {
    // (the customer's days late, each over six invoices)
    let steps = [-5i64, 0, 5, 12, 25, 40, 70];
    let extra: Vec<CustomerHistory> = steps
        .iter()
        .map(|&l| customer(&format!("C{l}"), &[l; 6], &[-10]))
        .collect();
    let e = estimates_with(extra);
    let mut last: Option<(i64, f64, f64, NaiveDate)> = None;
    for l in steps {
        let c = of(&e, &format!("C{l}"));
        let inv = invoice(&e, &format!("C{l}-O0"));
        if let Some((prev, typical, p, date)) = last {
            assert!(
                c.typical_days_late > typical,
                "{l} after {prev}: typical {} ≤ {typical}",
                c.typical_days_late
            );
            assert!(inv.expected_pay_date >= date, "{l} after {prev}: pay date");
            assert!(inv.p_late_30 >= p, "{l} after {prev}: p_late_30");
        }
        last = Some((l, c.typical_days_late, inv.p_late_30, inv.expected_pay_date));
    }
    // And the ends are far apart.
    let early = invoice(&e, "C-5-O0");
    let late = invoice(&e, "C70-O0");
    assert!(late.expected_pay_date - early.expected_pay_date > Duration::days(50));
    assert!(early.p_late_30 < 0.1 && late.p_late_30 > 0.9);
}

#[test]
fn short_histories_fall_back_to_the_shop_average() {
    // A shop whose customers pay alike on average but each very unevenly: one invoice
    // says little about a customer, so a short history stays near the shop's average.
    let mut customers: Vec<CustomerHistory> = (0..200i64)
        .map(|j| {
            let lates: Vec<i64> = (0..8i64)
                .map(|i| 10 + (i * 37 + j * 11) % 121 - 60)
                .collect();
            customer(&format!("S{j}"), &lates, &[])
        })
        .collect();
    customers.extend([
        customer("N0", &[], &[]),
        customer("N1", &[90], &[]),
        customer("N3", &[90; 3], &[]),
        customer("N12", &[90; 12], &[]),
    ]);
    let e = estimate(&Inputs {
        as_of: day(AS_OF),
        customers,
    });
    assert!(e.model.prior_weight > 2.0, "{:?}", e.model.prior_weight);
    let mean = e.model.mean_days_late;
    let n0 = of(&e, "N0");
    assert_eq!(n0.history, 0);
    assert_eq!(n0.avg_days_late, None);
    assert!(
        (n0.typical_days_late - mean).abs() < 1e-9,
        "no history is the shop"
    );
    assert_eq!(n0.class, Risk::Normal);
    let t: Vec<f64> = ["N1", "N3", "N12"]
        .iter()
        .map(|id| of(&e, id).typical_days_late)
        .collect();
    assert!(
        mean < t[0] && t[0] < t[1] && t[1] < t[2] && t[2] < 90.0,
        "{mean} {t:?}"
    );
    // One invoice moves a customer less than half way toward what it showed.
    assert!(t[0] - mean < (90.0 - mean) / 2.0, "{mean} {t:?}");
    assert_eq!(of(&e, "N1").class, Risk::Normal, "one invoice is no class");
    // In a shop of steady payers one invoice counts for more: the pull follows the data.
    let steady = estimates_with(vec![customer("N1", &[90], &[])]);
    let moved = of(&steady, "N1").typical_days_late - steady.model.mean_days_late;
    assert!(
        moved > (90.0 - steady.model.mean_days_late) / 2.0,
        "{moved}"
    );
    assert!(steady.model.prior_weight >= fit::MIN_PRIOR_WEIGHT);
}

#[test]
fn recent_payments_count_more() {
    // Both paid 0 and 40 days late six times each; one of them paid late recently.
    let as_of = day(AS_OF);
    let mut recent_late = customer("RL", &[0; 12], &[]);
    let mut recent_early = customer("RE", &[0; 12], &[]);
    for (i, p) in recent_late.paid.iter_mut().enumerate() {
        let (l, age) = if i < 6 { (40, 30) } else { (0, 500) };
        p.due = as_of - Duration::days(age + l);
        p.paid_on = p.due + Duration::days(l);
    }
    for (i, p) in recent_early.paid.iter_mut().enumerate() {
        let (l, age) = if i < 6 { (0, 30) } else { (40, 500) };
        p.due = as_of - Duration::days(age + l);
        p.paid_on = p.due + Duration::days(l);
    }
    let e = estimates_with(vec![recent_late, recent_early]);
    let (rl, re) = (of(&e, "RL"), of(&e, "RE"));
    assert_eq!(rl.avg_days_late, re.avg_days_late, "the same plain average");
    assert!(rl.typical_days_late > re.typical_days_late + 15.0);
}

#[test]
fn an_invoice_is_judged_on_how_long_it_has_been_open() {
    // A customer paying about 10 days late; its open invoices (days past due).
    let open = [-20i64, 0, 8, 15, 30, 45, 90];
    let e = estimates_with(vec![customer("T", &[6, 14, 8, 12, 10, 9, 11], &open)]);
    let mut last: Option<(i64, i64, f64)> = None;
    for (i, d) in open.iter().enumerate() {
        let inv = invoice(&e, &format!("T-O{i}"));
        assert_eq!(inv.days_past_due, *d);
        assert!(
            inv.expected_days_late > *d,
            "an open invoice is paid after today"
        );
        if let Some((prev, days, p)) = last {
            // Before its usual day an open invoice says little; past it, every day
            // unpaid pushes the expected day on.
            assert!(inv.expected_days_late >= days, "{d} after {prev}");
            if *d >= 15 {
                assert!(inv.expected_days_late > days, "{d} after {prev}");
            }
            assert!(inv.p_late_30 >= p, "{d} after {prev}");
        }
        last = Some((*d, inv.expected_days_late, inv.p_late_30));
    }
    // Not yet due: about the customer's usual 10 days; far past it: certain to be late.
    let fresh = invoice(&e, "T-O0");
    assert!((fresh.expected_days_late - 10).abs() <= 3, "{fresh:?}");
    assert!(fresh.p_late_30 < 0.1);
    assert!((invoice(&e, "T-O4").p_late_30 - 1.0).abs() < 1e-12);
    // 15 days past due for a 10-days-late payer: later than a plain average says, and
    // more likely than before to slip past 30.
    let slipping = invoice(&e, "T-O3");
    assert!(slipping.expected_days_late >= 16);
    assert!(slipping.p_late_30 > fresh.p_late_30);
}

#[test]
fn unpaid_invoices_weigh_on_a_customer_who_never_paid() {
    let e = estimates_with(vec![
        customer("NEW", &[], &[-5]),
        customer("STUCK", &[], &[75, 60, 45]),
    ]);
    let (new, stuck) = (of(&e, "NEW"), of(&e, "STUCK"));
    assert_eq!((new.late_open, stuck.late_open), (0, 3));
    assert!(stuck.typical_days_late > new.typical_days_late + 10.0);
    assert_eq!(new.class, Risk::Normal);
    assert_eq!(stuck.class, Risk::High);
}

#[test]
fn classes_follow_the_chance_of_paying_more_than_30_days_late() {
    // (days late of eight invoices, class)
    let cases = [
        ([-2i64, 0, 1, -1, 0, 2, 1, 0], Risk::Low),
        ([8, 12, 10, 15, 9, 11, 14, 10], Risk::Normal),
        ([45, 50, 38, 60, 41, 55, 47, 52], Risk::High),
    ];
    let extra = cases
        .iter()
        .enumerate()
        .map(|(i, (l, _))| customer(&format!("K{i}"), l, &[]))
        .collect();
    let e = estimates_with(extra);
    for (i, (l, want)) in cases.iter().enumerate() {
        let c = of(&e, &format!("K{i}"));
        assert_eq!(c.class, *want, "{l:?}: {c:?}");
    }
}

#[test]
fn estimates_are_the_sum_of_their_parts() {
    let e = estimates_with(vec![customer("P", &[20, 25, 30], &[-3, 12, 40])]);
    for c in &e.customers {
        let sum: f64 = c.factors.iter().map(|f| f.days).sum();
        assert!((sum - c.expected_days_late).abs() < 1e-6, "{c:?}");
    }
    for i in &e.invoices {
        let sum: f64 = i.factors.iter().map(|f| f.days).sum();
        assert!(
            (sum - i.expected_days_late as f64).abs() <= 0.5 + 1e-6,
            "{i:?}"
        );
        assert_eq!(
            i.expected_pay_date,
            i.due_date + Duration::days(i.expected_days_late)
        );
    }
    let p = of(&e, "P");
    assert!(
        p.factors[1]
            .why
            .contains("25 days late on average, 3 invoices")
    );
}

#[test]
fn disputed_invoices_are_paid_later_when_the_history_shows_it() {
    // Forty customers paying about 5 days late, except disputed invoices: 30 days later.
    let as_of = day(AS_OF);
    let mut customers = Vec::new();
    for k in 0..40 {
        let mut c = customer(&format!("D{k}"), &[5, 3, 7, 4, 6, 5], &[-5]);
        for (i, p) in c.paid.iter_mut().enumerate() {
            if (i + k) % 3 == 0 {
                p.disputed = true;
                p.paid_on += Duration::days(30);
            }
        }
        if k % 2 == 0 {
            c.open[0].disputed = true;
        }
        customers.push(c);
    }
    let inputs = Inputs { as_of, customers };
    let e = estimate_with(&fit(&inputs, Feature::ALL), &inputs);
    let shift = e
        .model
        .shifts
        .iter()
        .find(|s| s.feature == Feature::Disputed)
        .unwrap();
    assert!(shift.used && (shift.days - 30.0).abs() < 8.0, "{shift:?}");
    let disputed = invoice(&e, "D0-O0");
    let plain = invoice(&e, "D1-O0");
    assert!(disputed.expected_days_late > plain.expected_days_late + 15);
    assert!(disputed.factors.iter().any(|f| f.name == "disputed"));
}

#[test]
fn no_history_at_all_means_paying_on_the_due_date() {
    let e = estimate(&Inputs {
        as_of: day(AS_OF),
        customers: vec![customer("A", &[], &[-10]), customer("B", &[], &[5])],
    });
    assert_eq!(e.model.invoices, 0);
    assert_eq!(e.model.mean_days_late, 0.0);
    let c = of(&e, "A");
    assert_eq!(c.class, Risk::Normal);
    assert!(c.expected_days_late.abs() < 1.0);
    // Not yet due, knowing nothing: about the due date (the curve is a normal one, and
    // the invoice was not paid ten days early).
    let due_later = invoice(&e, "A-O0");
    assert!(due_later.expected_days_late.abs() <= 3, "{due_later:?}");
    // 5 days past due: paid after today.
    assert!(invoice(&e, "B-O0").expected_days_late >= 6);
}

#[test]
fn the_same_records_give_the_same_figures() {
    let a = estimates_with(vec![customer("X", &[3, 30, 12], &[4])]);
    let b = estimates_with(vec![customer("X", &[3, 30, 12], &[4])]);
    assert_eq!(a, b);
}

#[test]
fn the_daily_run_measures_again_weekly_or_when_replaying_the_past() {
    // (kept measure, run day, measure again)
    let cases = [
        (None, "2026-06-30", true),
        (Some("2026-06-30"), "2026-06-30", false),
        (Some("2026-06-24"), "2026-06-30", false),
        (Some("2026-06-23"), "2026-06-30", true),
        (Some("2026-07-02"), "2026-06-30", true),
    ];
    for (kept, on, want) in cases {
        assert_eq!(measure_due(kept.map(day), day(on)), want, "{kept:?} {on}");
    }
}
