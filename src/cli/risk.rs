//! `report risk` on the command line: how customers pay and when open invoices are
//! expected to be paid (table, JSON of DESIGN §5, or CSV), one account's estimates
//! factor by factor, and `--evaluate` (the error against the two baselines per cutoff).

use chrono::NaiveDate;

use super::out::{print, println};
use super::output::{self, json};
use super::table::{Align, Table};
use super::{Env, Format};
use crate::behaviour::predict::days_text;
use crate::behaviour::{Contribution, Feature};
use crate::report::risk::{Evaluation, RiskReport, evaluate_cutoffs, risk};

/// `0.4` as `40%`.
fn percent(p: f64) -> String {
    format!("{:.0}%", p * 100.0)
}

fn opt(d: Option<f64>) -> String {
    d.map_or_else(|| "—".to_string(), days_text)
}

pub fn report(
    env: &Env,
    collector: Option<&str>,
    customer: Option<&str>,
    format: Format,
) -> anyhow::Result<()> {
    let s = env.session()?;
    let r = risk(&s, collector, customer)?;
    match format {
        Format::Json => json(&r),
        Format::Csv => csv(&r),
        Format::Table => {
            let cur = s.currency()?;
            model_lines(&r);
            if customer.is_some() {
                explained(&r, &cur);
            } else {
                tables(&r, &cur);
            }
            Ok(())
        }
    }
}

/// The shop's pattern in a few lines: what every estimate starts from.
fn model_lines(r: &RiskReport) {
    let m = &r.estimates.model;
    println!(
        "Payment behaviour as of {}: learned from {} paid invoices ({} open)",
        r.as_of, m.invoices, m.open
    );
    println!(
        "  shop average {} days late · invoices vary ± {} days around a customer's usual · customers differ by ± {} · the shop's average counts as {} invoices",
        days_text(m.mean_days_late),
        days_text(m.within_sd),
        days_text(m.between_sd),
        days_text(m.prior_weight)
    );
    for sh in &m.shifts {
        println!(
            "  {:<16} {:>6} days  ({} paid invoices, t = {:.1}){}",
            sh.feature.as_str(),
            days_text(sh.days),
            sh.invoices,
            sh.t,
            if sh.used {
                ""
            } else {
                "  not used: not clear enough"
            }
        );
    }
    println!();
}

fn tables(r: &RiskReport, cur: &str) {
    let mut t = Table::new(&[
        ("customer", Align::Left, 12),
        ("name", Align::Left, 28),
        ("history", Align::Right, 7),
        ("avg late", Align::Right, 8),
        ("expected", Align::Right, 8),
        ("class", Align::Left, 6),
    ]);
    for c in &r.customers {
        t.row(vec![
            c.customer_id.clone(),
            c.name.clone(),
            c.history.to_string(),
            opt(c.avg_days_late),
            days_text(c.expected_days_late),
            c.class.to_string(),
        ]);
    }
    println!("Customers (days late)");
    print!("{}", t.render());
    println!();
    let mut t = Table::new(&[
        ("invoice", Align::Left, 14),
        ("customer", Align::Left, 12),
        ("due", Align::Left, 10),
        (&format!("balance {cur}"), Align::Right, 40),
        ("expected paid", Align::Left, 13),
        ("days late", Align::Right, 9),
        ("P(>30 late)", Align::Right, 11),
    ]);
    for i in &r.invoices {
        t.row(vec![
            i.invoice_no.clone(),
            i.customer_id.clone(),
            i.due_date.to_string(),
            i.balance.grouped(),
            i.expected_pay_date.to_string(),
            i.expected_days_late.to_string(),
            percent(i.p_late_30),
        ]);
    }
    println!("Open invoices");
    print!("{}", t.render());
}

fn parts(factors: &[Contribution]) {
    for f in factors {
        println!("    {:<14} {:>7}  {}", f.name, days_text(f.days), f.why);
    }
}

/// One account: its figures and each factor they add up from.
fn explained(r: &RiskReport, cur: &str) {
    for (c, e) in r.customers.iter().zip(
        r.estimates
            .customers
            .iter()
            .filter(|e| r.customers.iter().any(|c| c.customer_id == e.customer_id)),
    ) {
        println!(
            "{} — {}: class {}, next invoice expected {} days late, {} chance of more than 30",
            c.customer_id,
            c.name,
            c.class,
            days_text(e.expected_days_late),
            percent(e.p_late_30)
        );
        parts(&e.factors);
    }
    for (row, e) in r.invoices.iter().zip(
        r.estimates
            .invoices
            .iter()
            .filter(|e| r.invoices.iter().any(|i| i.invoice_no == e.invoice_no)),
    ) {
        println!();
        println!(
            "{} due {} ({} {}): expected paid {} ({} days late), {} chance of more than 30",
            row.invoice_no,
            row.due_date,
            row.balance.grouped(),
            cur,
            row.expected_pay_date,
            row.expected_days_late,
            percent(row.p_late_30)
        );
        parts(&e.factors);
    }
}

const CSV_COLUMNS: &[&str] = &[
    "kind",
    "customer_id",
    "name",
    "history",
    "avg_days_late",
    "expected_days_late",
    "class",
    "invoice_no",
    "due_date",
    "balance",
    "expected_pay_date",
    "p_late_30",
];

/// One CSV: a `customer` row per customer, then an `invoice` row per open invoice.
fn csv(r: &RiskReport) -> anyhow::Result<()> {
    let customers = r.customers.iter().map(|c| {
        vec![
            "customer".to_string(),
            c.customer_id.clone(),
            c.name.clone(),
            c.history.to_string(),
            output::cell(c.avg_days_late),
            c.expected_days_late.to_string(),
            c.class.to_string(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ]
    });
    let invoices = r.invoices.iter().map(|i| {
        vec![
            "invoice".to_string(),
            i.customer_id.clone(),
            String::new(),
            String::new(),
            String::new(),
            i.expected_days_late.to_string(),
            String::new(),
            i.invoice_no.clone(),
            i.due_date.to_string(),
            i.balance.to_string(),
            i.expected_pay_date.to_string(),
            i.p_late_30.to_string(),
        ]
    });
    output::csv(CSV_COLUMNS, customers.chain(invoices))
}

fn features_of(list: Option<&str>) -> anyhow::Result<Vec<Feature>> {
    match list.map(str::trim) {
        None => Ok(Feature::KEPT.to_vec()),
        Some("none") | Some("") => Ok(Vec::new()),
        Some("all") => Ok(Feature::ALL.to_vec()),
        Some(l) => l
            .split(',')
            .map(|f| {
                f.parse::<Feature>()
                    .map_err(|e| anyhow::anyhow!("--features: {e}"))
            })
            .collect(),
    }
}

pub fn evaluate(
    env: &Env,
    cutoffs: &[NaiveDate],
    end: Option<NaiveDate>,
    features: Option<&str>,
    format: Format,
) -> anyhow::Result<()> {
    let features = features_of(features)?;
    let s = env.session()?;
    let e = evaluate_cutoffs(&s, cutoffs, end, &features)?;
    match format {
        Format::Json => json(&e),
        Format::Csv => evaluation_csv(&e),
        Format::Table => {
            evaluation_table(&e);
            Ok(())
        }
    }
}

fn fig(x: Option<f64>, places: usize) -> String {
    x.map_or_else(|| "—".to_string(), |v| format!("{v:.places$}"))
}

fn evaluation_table(e: &Evaluation) {
    let names: Vec<&str> = e.features.iter().map(|f| f.as_str()).collect();
    println!(
        "Payment estimates against what happened by {} (features: {})",
        e.end,
        if names.is_empty() {
            "none".to_string()
        } else {
            names.join(", ")
        }
    );
    println!(
        "MAE: mean absolute error of days late over invoices open on the cutoff and paid by the end (lower is better)."
    );
    println!(
        "AUC: ranking of \"paid more than 30 days late\" among those not yet 30 days past due (higher is better)."
    );
    println!("Baselines: the customer's plain average days late so far; pays on the due date.");
    let mut t = Table::new(&[
        ("cutoff", Align::Left, 10),
        ("open", Align::Right, 8),
        ("paid", Align::Right, 8),
        ("MAE model", Align::Right, 9),
        ("MAE avg", Align::Right, 9),
        ("MAE due", Align::Right, 9),
        ("judged", Align::Right, 8),
        (">30 late", Align::Right, 8),
        ("AUC model", Align::Right, 9),
        ("AUC avg", Align::Right, 9),
        ("AUC due", Align::Right, 9),
    ]);
    for c in &e.cutoffs {
        t.row(vec![
            c.cutoff.to_string(),
            c.open.to_string(),
            c.paid.to_string(),
            fig(c.mae.model, 1),
            fig(c.mae.customer_average, 1),
            fig(c.mae.due_date, 1),
            c.judged.to_string(),
            c.late.to_string(),
            fig(c.auc.model, 3),
            fig(c.auc.customer_average, 3),
            fig(c.auc.due_date, 3),
        ]);
    }
    print!("{}", t.render());
}

fn evaluation_csv(e: &Evaluation) -> anyhow::Result<()> {
    let cell = |x: Option<f64>| x.map_or_else(String::new, |v| format!("{v:.4}"));
    let rows = e.cutoffs.iter().map(|c| {
        vec![
            c.cutoff.to_string(),
            c.end.to_string(),
            c.open.to_string(),
            c.paid.to_string(),
            cell(c.mae.model),
            cell(c.mae.customer_average),
            cell(c.mae.due_date),
            c.judged.to_string(),
            c.late.to_string(),
            cell(c.auc.model),
            cell(c.auc.customer_average),
            cell(c.auc.due_date),
        ]
    });
    output::csv(
        &[
            "cutoff",
            "end",
            "open",
            "paid",
            "mae_model",
            "mae_customer_average",
            "mae_due_date",
            "judged",
            "late",
            "auc_model",
            "auc_customer_average",
            "auc_due_date",
        ],
        rows,
    )
}
