//! The supervisor's reports on the command line: `report activity|kpi|funnel|objectives`
//! and `objective add|list|remove`, each as a table, JSON or CSV (with a header row).

use chrono::{Duration, NaiveDate};
use rust_decimal::Decimal;

use super::out::{print, println};
use super::output::json;
use super::table::{Align, Table};
use super::{Env, Format};
use crate::metrics::objective::Kpi;
use crate::report::activity::{ActivityRow, activity};
use crate::report::funnel::funnel;
use crate::report::kpi::{self, KpiReport};
use crate::report::objectives::{ObjectiveLine, objectives};

/// The period a report covers: `--to` (default: the as-of date) and `--from` (default:
/// 29 days before, so thirty days in all).
fn period(env: &Env, from: Option<NaiveDate>, to: Option<NaiveDate>) -> (NaiveDate, NaiveDate) {
    let to = to.unwrap_or(env.as_of);
    (from.unwrap_or(to - Duration::days(29)), to)
}

/// Writes rows as CSV with a header row, even when there are no rows.
fn csv_rows(header: &[&str], rows: &[Vec<String>]) -> anyhow::Result<()> {
    let mut w = ::csv::Writer::from_writer(std::io::stdout().lock());
    w.write_record(header)?;
    for r in rows {
        w.write_record(r)?;
    }
    w.flush()?;
    Ok(())
}

/// A figure for people: `45.20`, or `—` when it is undefined.
fn figure(d: Option<Decimal>) -> String {
    d.map_or_else(|| "—".to_string(), |d| d.to_string())
}

/// The same for CSV: empty when undefined.
fn cell(d: Option<Decimal>) -> String {
    d.map_or_else(String::new, |d| d.to_string())
}

pub fn activity_report(
    env: &Env,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    collector: Option<&str>,
    format: Format,
) -> anyhow::Result<()> {
    let s = env.session()?;
    let (from, to) = period(env, from, to);
    let rows = activity(&s, from, to, collector)?;
    match format {
        Format::Json => json(&rows),
        Format::Csv => {
            let out: Vec<Vec<String>> = rows.iter().map(activity_cells).collect();
            csv_rows(ACTIVITY_COLUMNS, &out)
        }
        Format::Table => {
            let mut t = Table::new(&[
                ("user", Align::Left, 10),
                ("calls", Align::Right, 6),
                ("reached", Align::Right, 7),
                ("touched", Align::Right, 7),
                ("promises", Align::Right, 8),
                ("promised", Align::Right, 14),
                ("kept %", Align::Right, 7),
                ("collected", Align::Right, 14),
                ("due", Align::Right, 5),
                ("done", Align::Right, 5),
                ("overdue", Align::Right, 7),
                ("oldest", Align::Left, 10),
                ("accounts", Align::Right, 8),
                ("open balance", Align::Right, 15),
                ("progress %", Align::Right, 10),
            ]);
            for r in &rows {
                t.row(vec![
                    r.user.clone(),
                    r.calls.to_string(),
                    r.contacts.to_string(),
                    r.accounts_touched.to_string(),
                    r.promises.to_string(),
                    r.promised_amount.grouped(),
                    figure(r.promises_kept_rate),
                    r.collected.grouped(),
                    r.tasks_due.to_string(),
                    r.tasks_done.to_string(),
                    r.tasks_overdue.to_string(),
                    r.oldest_overdue.map_or_else(String::new, |d| d.to_string()),
                    r.accounts.to_string(),
                    r.open_balance.grouped(),
                    figure(r.progress),
                ]);
            }
            println!("Activity from {from} to {to}");
            print!("{}", t.render());
            Ok(())
        }
    }
}

const ACTIVITY_COLUMNS: &[&str] = &[
    "user",
    "role",
    "calls",
    "contacts",
    "accounts_touched",
    "promises",
    "promised_amount",
    "promises_kept_rate",
    "collected",
    "tasks_due",
    "tasks_done",
    "tasks_overdue",
    "oldest_overdue",
    "accounts",
    "open_balance",
    "worklist",
    "progress",
    "disputes_opened",
    "disputes_resolved",
];

fn activity_cells(r: &ActivityRow) -> Vec<String> {
    vec![
        r.user.clone(),
        r.role.to_string(),
        r.calls.to_string(),
        r.contacts.to_string(),
        r.accounts_touched.to_string(),
        r.promises.to_string(),
        r.promised_amount.to_string(),
        cell(r.promises_kept_rate),
        r.collected.to_string(),
        r.tasks_due.to_string(),
        r.tasks_done.to_string(),
        r.tasks_overdue.to_string(),
        r.oldest_overdue.map_or_else(String::new, |d| d.to_string()),
        r.accounts.to_string(),
        r.open_balance.to_string(),
        r.worklist.to_string(),
        cell(r.progress),
        r.disputes_opened.to_string(),
        r.disputes_resolved.to_string(),
    ]
}

const KPI_COLUMNS: &[&str] = &[
    "from",
    "to",
    "days",
    "collector",
    "dso",
    "bpdso",
    "add",
    "cei",
    "promise_kept_rate",
    "ar_begin",
    "ar_end",
    "current_end",
    "past_due_end",
    "d91_plus_end",
    "credit_sales",
    "collected",
    "written_off",
    "recovered_by_agencies",
    "promises_kept",
    "promises_partially_kept",
    "promises_broken",
    "calls",
    "contacts",
];

fn kpi_cells(k: &KpiReport) -> Vec<String> {
    vec![
        k.from.to_string(),
        k.to.to_string(),
        k.days.to_string(),
        k.collector.clone().unwrap_or_default(),
        cell(k.kpis.dso),
        cell(k.kpis.bpdso),
        cell(k.kpis.add),
        cell(k.kpis.cei),
        cell(k.promise_kept_rate),
        k.ar_begin.to_string(),
        k.ar_end.to_string(),
        k.current_end.to_string(),
        k.past_due_end.to_string(),
        k.d91_plus_end.to_string(),
        k.credit_sales.to_string(),
        k.collected.to_string(),
        k.written_off.to_string(),
        k.recovered_by_agencies.to_string(),
        k.promises.kept.to_string(),
        k.promises.partially_kept.to_string(),
        k.promises.broken.to_string(),
        k.calls.to_string(),
        k.contacts.to_string(),
    ]
}

/// The KPI figures as (label, value, unit and note) lines for people: the values
/// line up in one column whatever their unit.
fn kpi_lines(k: &KpiReport) -> Vec<(&'static str, String, String)> {
    let days = |d: Option<Decimal>| match d {
        Some(d) => (d.to_string(), "days".to_string()),
        None => ("—".to_string(), "(no credit sales)".to_string()),
    };
    let plain = |label: &'static str, v: String| (label, v, String::new());
    let with = |label: &'static str, (v, unit): (String, String)| (label, v, unit);
    vec![
        with("DSO", days(k.kpis.dso)),
        with("BPDSO", days(k.kpis.bpdso)),
        with("ADD", days(k.kpis.add)),
        with(
            "CEI",
            k.kpis.cei.map_or_else(
                || ("—".into(), String::new()),
                |d| (d.to_string(), "%".into()),
            ),
        ),
        with(
            "promise-kept rate",
            k.promise_kept_rate.map_or_else(
                || ("—".into(), "(no promise judged)".into()),
                |d| {
                    (
                        d.to_string(),
                        format!(
                            "% ({} kept, {} partly, {} broken)",
                            k.promises.kept, k.promises.partially_kept, k.promises.broken
                        ),
                    )
                },
            ),
        ),
        plain("open at the start", k.ar_begin.grouped()),
        plain("open at the end", k.ar_end.grouped()),
        plain("  of which not yet due", k.current_end.grouped()),
        plain("  of which 91+ days", k.d91_plus_end.grouped()),
        plain("credit sales", k.credit_sales.grouped()),
        plain("collected", k.collected.grouped()),
        plain("written off", k.written_off.grouped()),
        plain("recovered by agencies", k.recovered_by_agencies.grouped()),
        with(
            "calls",
            (k.calls.to_string(), format!("({} reached)", k.contacts)),
        ),
    ]
}

/// A value with its unit, for a column of one figure per row.
fn value_with_unit(v: String, unit: &str) -> String {
    if unit.is_empty() {
        v
    } else {
        format!("{v} {unit}")
    }
}

pub fn kpi_report(
    env: &Env,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    compare: Option<NaiveDate>,
    collector: Option<&str>,
    format: Format,
) -> anyhow::Result<()> {
    let s = env.session()?;
    if let Some(on) = compare {
        if from.is_some() || to.is_some() {
            anyhow::bail!("--compare sets both windows itself: leave out --from and --to");
        }
        let c = kpi::compare(&s, on, collector)?;
        return match format {
            Format::Json => json(&c),
            Format::Csv => csv_rows(KPI_COLUMNS, &[kpi_cells(&c.before), kpi_cells(&c.after)]),
            Format::Table => {
                println!(
                    "Before and after {on}: {} days each{}",
                    c.window_days,
                    if c.versions.is_empty() {
                        String::new()
                    } else {
                        format!(" (new that day: {})", c.versions.join(", "))
                    }
                );
                let mut t = Table::new(&[
                    ("", Align::Left, 24),
                    ("before", Align::Right, 40),
                    ("after", Align::Right, 40),
                ]);
                t.row(vec![
                    "period".into(),
                    format!("{} – {}", c.before.from, c.before.to),
                    format!("{} – {}", c.after.from, c.after.to),
                ]);
                for ((label, b, bu), (_, a, au)) in
                    kpi_lines(&c.before).into_iter().zip(kpi_lines(&c.after))
                {
                    t.row(vec![
                        label.to_string(),
                        value_with_unit(b, &bu),
                        value_with_unit(a, &au),
                    ]);
                }
                print!("{}", t.render());
                Ok(())
            }
        };
    }
    let (from, to) = period(env, from, to);
    let k = kpi::kpi(&s, from, to, collector)?;
    match format {
        Format::Json => json(&k),
        Format::Csv => csv_rows(KPI_COLUMNS, &[kpi_cells(&k)]),
        Format::Table => {
            let whose = k
                .collector
                .as_deref()
                .map_or_else(|| "the shop".to_string(), |c| format!("{c}'s accounts"));
            println!("KPIs of {whose} from {from} to {to} ({} days)", k.days);
            let mut t = Table::new(&[
                ("", Align::Left, 24),
                ("", Align::Right, 16),
                ("", Align::Left, 40),
            ]);
            for (label, v, unit) in kpi_lines(&k) {
                t.row(vec![label.to_string(), v, unit]);
            }
            print!("{}", t.render());
            Ok(())
        }
    }
}

pub fn funnel_report(
    env: &Env,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    format: Format,
) -> anyhow::Result<()> {
    let s = env.session()?;
    let (from, to) = period(env, from, to);
    let rows = funnel(&s, from, to)?;
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.strategy.clone(),
                r.version.to_string(),
                r.step.clone(),
                r.index.to_string(),
                r.reached.to_string(),
                r.cured_before_next.to_string(),
                cell(r.cure_rate),
            ]
        })
        .collect();
    match format {
        Format::Json => json(&rows),
        Format::Csv => csv_rows(
            &[
                "strategy",
                "version",
                "step",
                "index",
                "reached",
                "cured_before_next",
                "cure_rate",
            ],
            &cells,
        ),
        Format::Table => {
            let mut t = Table::new(&[
                ("strategy", Align::Left, 14),
                ("version", Align::Right, 7),
                ("#", Align::Right, 3),
                ("step", Align::Left, 22),
                ("reached", Align::Right, 8),
                ("cured before next", Align::Right, 17),
                ("cure rate %", Align::Right, 11),
            ]);
            for r in &rows {
                t.row(vec![
                    r.strategy.clone(),
                    r.version.to_string(),
                    (r.index + 1).to_string(),
                    r.step.clone(),
                    r.reached.to_string(),
                    r.cured_before_next.to_string(),
                    figure(r.cure_rate),
                ]);
            }
            println!("Steps reached from {from} to {to}");
            print!("{}", t.render());
            Ok(())
        }
    }
}

fn objective_cells(o: &ObjectiveLine) -> Vec<String> {
    vec![
        o.id.to_string(),
        o.kpi.to_string(),
        o.collector.clone().unwrap_or_default(),
        o.baseline_on.to_string(),
        cell(o.baseline),
        cell(o.current),
        o.target.to_string(),
        o.by.to_string(),
        cell(o.projected),
        serde_json::to_value(o.standing)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
    ]
}

pub fn objectives_report(env: &Env, format: Format) -> anyhow::Result<()> {
    let s = env.session()?;
    let rows = objectives(&s)?;
    match format {
        Format::Json => json(&rows),
        Format::Csv => csv_rows(
            &[
                "id",
                "kpi",
                "collector",
                "baseline_on",
                "baseline",
                "current",
                "target",
                "by",
                "projected",
                "standing",
            ],
            &rows.iter().map(objective_cells).collect::<Vec<_>>(),
        ),
        Format::Table => {
            if rows.is_empty() {
                println!(
                    "No objectives: set one with `arq objective add --kpi dso --target 45 --by 2027-03-31`"
                );
                return Ok(());
            }
            let mut t = Table::new(&[
                ("#", Align::Right, 4),
                ("objective", Align::Left, 36),
                ("for", Align::Left, 10),
                ("baseline", Align::Right, 16),
                ("now", Align::Right, 14),
                ("target", Align::Right, 14),
                ("by", Align::Left, 10),
                ("trend reaches", Align::Right, 14),
                ("standing", Align::Left, 10),
            ]);
            for o in &rows {
                let c = objective_cells(o);
                t.row(vec![
                    o.id.to_string(),
                    o.kpi.label().to_string(),
                    o.collector.clone().unwrap_or_else(|| "shop".into()),
                    format!("{} ({})", figure(o.baseline), o.baseline_on.format("%m-%d")),
                    figure(o.current),
                    o.target.to_string(),
                    o.by.to_string(),
                    figure(o.projected),
                    c[9].replace('_', " "),
                ]);
            }
            print!("{}", t.render());
            Ok(())
        }
    }
}

pub fn add_objective(
    env: &Env,
    kpi: Kpi,
    target: &str,
    by: NaiveDate,
    collector: Option<&str>,
) -> anyhow::Result<()> {
    let target: Decimal = crate::domain::parse_amount(target)
        .map_err(|e| anyhow::anyhow!("--target: {e}"))?
        .decimal();
    let mut s = env.session()?;
    let id = s.add_objective(kpi, target, by, collector)?;
    println!("Objective #{id}: {} to {target} by {by}", kpi.label());
    Ok(())
}

pub fn remove_objective(env: &Env, id: i64) -> anyhow::Result<()> {
    let mut s = env.session()?;
    s.remove_objective(id)?;
    println!("Objective #{id} removed");
    Ok(())
}
