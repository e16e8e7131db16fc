//! `report risk`: how each customer pays and when each open invoice is expected to be
//! paid, as of the session's date (DESIGN §5 `report risk`), and the evaluation that
//! measures those estimates against what happened after a cutoff (docs/PREDICTION.md).
//! The shop's pattern is always learned from every customer; a collector sees only
//! the rows of their own accounts.

use chrono::NaiveDate;
use serde::Serialize;

use crate::behaviour::evaluate::{self, Scores};
use crate::behaviour::{self, Estimates, Feature, Inputs};
use crate::domain::Money;
use crate::service::{Result, ServiceError, Session};
use crate::store::behaviour::{self as records, Whose};

/// One customer's row (DESIGN §5).
pub use crate::behaviour::CustomerRow as RiskCustomer;

/// One open invoice's row (DESIGN §5).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RiskInvoice {
    pub invoice_no: String,
    pub customer_id: String,
    pub due_date: NaiveDate,
    pub balance: Money,
    pub expected_pay_date: NaiveDate,
    pub expected_days_late: i64,
    /// The chance it is paid more than 30 days after its due date, or never.
    pub p_late_30: f64,
}

/// `report risk --format json`: `{as_of, customers, invoices}`.
#[derive(Debug, Clone, Serialize)]
pub struct RiskReport {
    pub as_of: NaiveDate,
    pub customers: Vec<RiskCustomer>,
    pub invoices: Vec<RiskInvoice>,
    /// Everything behind the rows (the fitted shop model, every factor), for the
    /// explained table; not part of the JSON shape.
    #[serde(skip)]
    pub estimates: Estimates,
}

pub use crate::behaviour::days1;

/// A probability for a report: three decimals.
pub fn p3(p: f64) -> f64 {
    (p * 1000.0).round() / 1000.0
}

/// Whose rows the user may read: a collector their own accounts; a supervisor every
/// account or one collector's.
fn rows_of(s: &Session, collector: Option<&str>) -> Result<Option<String>> {
    let user = s.user();
    Ok(match collector {
        Some(c) if c != user.name => {
            s.require_supervisor("see another collector's accounts")?;
            Some(c.to_string())
        }
        Some(c) => Some(c.to_string()),
        None if user.role.sees_everything() => None,
        None => Some(user.name.clone()),
    })
}

/// The report as of the session's date; `customer` narrows the rows to one account.
pub fn risk(s: &Session, collector: Option<&str>, customer: Option<&str>) -> Result<RiskReport> {
    let only = rows_of(s, collector)?;
    let inputs = records::load(s.store().conn(), s.as_of(), Whose::All)?;
    let estimates = behaviour::estimate(&inputs);
    let keep = |i: usize| {
        let c = &inputs.customers[i];
        only.as_deref()
            .is_none_or(|o| c.owner.as_deref() == Some(o))
            && customer.is_none_or(|id| c.id == id)
    };
    if let Some(id) = customer
        && !inputs
            .customers
            .iter()
            .enumerate()
            .any(|(i, c)| c.id == id && keep(i))
    {
        return Err(ServiceError::NoCustomer(id.to_string()));
    }
    let customers = estimates
        .customers
        .iter()
        .enumerate()
        .filter(|(i, _)| keep(*i))
        .map(|(i, e)| RiskCustomer {
            customer_id: e.customer_id.clone(),
            name: inputs.customers[i].name.clone(),
            history: e.history,
            avg_days_late: e.avg_days_late.map(days1),
            expected_days_late: days1(e.expected_days_late),
            class: e.class,
        })
        .collect();
    let invoices = estimates
        .invoices
        .iter()
        .filter(|e| keep(e.customer))
        .map(|e| RiskInvoice {
            invoice_no: e.invoice_no.clone(),
            customer_id: e.customer_id.clone(),
            due_date: e.due_date,
            balance: e.balance,
            expected_pay_date: e.expected_pay_date,
            expected_days_late: e.expected_days_late,
            p_late_30: p3(e.p_late_30),
        })
        .collect();
    Ok(RiskReport {
        as_of: s.as_of(),
        customers,
        invoices,
        estimates,
    })
}

/// `report risk --evaluate`: per cutoff, the scores of the model and the two baselines.
#[derive(Debug, Clone, Serialize)]
pub struct Evaluation {
    /// The end of the history outcomes are read from.
    pub end: NaiveDate,
    pub features: Vec<Feature>,
    pub cutoffs: Vec<Scores>,
}

/// Hides everything after each cutoff, estimates the invoices open then (with the
/// `features` allowed), and compares with what happened by `end` (default: the last
/// day anything was recorded). Supervisors: it reads every account.
pub fn evaluate_cutoffs(
    s: &Session,
    cutoffs: &[NaiveDate],
    end: Option<NaiveDate>,
    features: &[Feature],
) -> Result<Evaluation> {
    s.require_supervisor("evaluate the payment estimates")?;
    let conn = s.store().conn();
    let end = match end {
        Some(e) => e,
        None => records::last_record(conn)?.ok_or_else(|| {
            ServiceError::Invalid("the database has no invoices to evaluate on".into())
        })?,
    };
    if cutoffs.is_empty() {
        return Err(ServiceError::Invalid(
            "--evaluate needs at least one --cutoff DATE".into(),
        ));
    }
    let mut out = Vec::with_capacity(cutoffs.len());
    for &cutoff in cutoffs {
        if cutoff >= end {
            return Err(ServiceError::Invalid(format!(
                "--cutoff {cutoff} is not before the end of the history ({end}): nothing happened after it to compare with"
            )));
        }
        let inputs: Inputs = records::load(conn, cutoff, Whose::All)?;
        let model = behaviour::fit(&inputs, features);
        let estimates = behaviour::estimate_with(&model, &inputs);
        let open: Vec<&str> = estimates
            .invoices
            .iter()
            .map(|i| i.invoice_no.as_str())
            .collect();
        let actual = records::outcomes(conn, end, &open)?;
        out.push(evaluate::score(&estimates, &inputs, &actual, end));
    }
    Ok(Evaluation {
        end,
        features: features.to_vec(),
        cutoffs: out,
    })
}
