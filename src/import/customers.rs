//! Importing customers: new ones are inserted; for known ones only the fields the
//! file gives are updated (a blank cell never erases what arq knows). A real change
//! writes a `customer_changed` event, and an `assigned` event when the collector
//! changes; an identical row changes nothing.

use std::collections::{HashMap, HashSet};

use serde_json::json;

use super::ImportError;
use super::columns::customer as col;
use super::mapping::Mapping;
use super::source::Row;
use super::values::{parse_amount, parse_flag};
use crate::domain::{ChannelSet, Customer, EventKind, Money, Risk};
use crate::service::Tx;
use crate::store::customers;

/// One customer row, read and checked; `None` fields were blank or absent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Line {
    pub line: u64,
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub segment: Option<String>,
    pub risk: Option<Risk>,
    pub collector: Option<String>,
    pub credit_limit: Option<Money>,
    pub opt_out: Option<ChannelSet>,
    pub white_glove: Option<bool>,
    pub strategy: Option<String>,
    /// Postal address; lines separated by newlines (in a quoted cell) or by ` | `.
    pub address: Option<String>,
}

/// What the rows are checked against.
pub(crate) struct Known {
    pub users: HashSet<String>,
    pub strategies: HashSet<String>,
}

fn text(row: &Row<'_>, c: usize) -> Option<String> {
    Some(row.cell(c))
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// Reads one row (on the reader thread).
pub(crate) fn parse(
    row: &Row<'_>,
    m: &Mapping,
    known: &Known,
) -> Result<Option<Line>, ImportError> {
    let id = row.cell(col::ID);
    if id.is_empty() {
        return Err(row.error(col::ID, "is empty: every customer needs an id"));
    }
    let name = row.cell(col::NAME);
    if name.is_empty() {
        return Err(row.error(col::NAME, "is empty: every customer needs a name"));
    }
    let risk = match row.cell(col::RISK) {
        "" => None,
        v => Some(v.parse::<Risk>().map_err(|_| {
            row.error(
                col::RISK,
                format!("is not a risk class (use one of {})", Risk::choices()),
            )
        })?),
    };
    let collector = text(row, col::COLLECTOR);
    if let Some(c) = &collector
        && !known.users.contains(c)
    {
        return Err(row.error(
            col::COLLECTOR,
            format!("is not an arq user: add them with `arq user add {c} --role collector`, or leave the cell empty"),
        ));
    }
    let credit_limit = parse_amount(row.cell(col::CREDIT_LIMIT), m.number)
        .map_err(|e| row.error(col::CREDIT_LIMIT, e))?;
    if credit_limit.is_some_and(Money::is_negative) {
        return Err(row.error(
            col::CREDIT_LIMIT,
            "is negative: a credit limit is zero or more",
        ));
    }
    let opt_out = match row.cell(col::OPT_OUT) {
        "" => None,
        v => Some(ChannelSet::parse(v).map_err(|_| {
            row.error(
                col::OPT_OUT,
                "is not a list of channels (use email, sms, phone or letter, separated by ;)",
            )
        })?),
    };
    let white_glove =
        parse_flag(row.cell(col::WHITE_GLOVE)).map_err(|e| row.error(col::WHITE_GLOVE, e))?;
    let strategy = text(row, col::STRATEGY);
    if let Some(s) = &strategy
        && !known.strategies.contains(s)
    {
        return Err(row.error(
            col::STRATEGY,
            "is not a loaded strategy (see `arq strategy list`; add one with `arq strategy load FILE`)",
        ));
    }
    Ok(Some(Line {
        line: row.line,
        id: id.to_string(),
        name: name.to_string(),
        email: text(row, col::EMAIL),
        phone: text(row, col::PHONE),
        segment: text(row, col::SEGMENT),
        risk,
        collector,
        credit_limit,
        opt_out,
        white_glove,
        strategy,
        address: text(row, col::ADDRESS).map(|a| postal_lines(&a)),
    }))
}

/// An address cell as lines: a `|` separates lines as a newline does (exports often
/// flatten addresses onto one line), and lines are trimmed, blank ones dropped.
fn postal_lines(cell: &str) -> String {
    cell.split(['\n', '|'])
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// `c` with the row's non-blank fields laid over it.
fn merged(mut c: Customer, l: &Line) -> Customer {
    c.name.clone_from(&l.name);
    if l.email.is_some() {
        c.email.clone_from(&l.email);
    }
    if l.phone.is_some() {
        c.phone.clone_from(&l.phone);
    }
    if l.segment.is_some() {
        c.segment.clone_from(&l.segment);
    }
    if let Some(r) = l.risk {
        c.risk = r;
        c.risk_set = true;
    }
    if l.collector.is_some() {
        c.owner.clone_from(&l.collector);
    }
    if l.credit_limit.is_some() {
        c.credit_limit = l.credit_limit;
    }
    if let Some(o) = l.opt_out {
        c.opt_out = o;
    }
    if let Some(w) = l.white_glove {
        c.white_glove = w;
    }
    if l.strategy.is_some() {
        c.strategy.clone_from(&l.strategy);
    }
    c
}

/// The names of the fields that differ.
fn changes(old: &Customer, new: &Customer) -> Vec<&'static str> {
    let mut out = Vec::new();
    let mut check = |differs: bool, name| {
        if differs {
            out.push(name);
        }
    };
    check(old.name != new.name, "name");
    check(old.email != new.email, "email");
    check(old.phone != new.phone, "phone");
    check(old.segment != new.segment, "segment");
    check(old.risk != new.risk || old.risk_set != new.risk_set, "risk");
    check(old.owner != new.owner, "collector");
    check(old.credit_limit != new.credit_limit, "credit_limit");
    check(old.opt_out != new.opt_out, "opt_out");
    check(old.white_glove != new.white_glove, "white_glove");
    check(old.strategy != new.strategy, "strategy");
    out
}

/// What writing customers did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
}

/// Writes customer rows inside the import's transaction.
pub(crate) struct Writer<'a, 'b> {
    tx: &'a mut Tx<'b>,
    file: String,
    /// How errors name each column of this file.
    labels: Vec<String>,
    existing: HashMap<String, Customer>,
    seen: HashMap<String, u64>,
    pub counts: Counts,
}

impl<'a, 'b> Writer<'a, 'b> {
    pub fn new(tx: &'a mut Tx<'b>, file: String, labels: Vec<String>) -> Result<Self, ImportError> {
        let existing = customers::list(tx.conn, None)?
            .into_iter()
            .map(|c| (c.id.clone(), c))
            .collect();
        Ok(Writer {
            tx,
            file,
            labels,
            existing,
            seen: HashMap::new(),
            counts: Counts::default(),
        })
    }

    pub fn write(&mut self, l: Line) -> Result<(), ImportError> {
        if let Some(&first) = self.seen.get(&l.id) {
            return Err(ImportError::Cell {
                file: self.file.clone(),
                line: l.line,
                column: self.labels[col::ID].clone(),
                value: l.id.clone(),
                message: format!("is already on line {first}: each customer may appear once"),
            });
        }
        self.seen.insert(l.id.clone(), l.line);
        let conn = self.tx.conn;
        let Some(old) = self.existing.remove(&l.id) else {
            let c = merged(Customer::named(&l.id, &l.name), &l);
            customers::insert(conn, &c, self.tx.as_of)?;
            if let Some(a) = &l.address {
                customers::set_address(conn, &c.id, Some(a))?;
            }
            if let Some(to) = &c.owner {
                self.tx.event(
                    EventKind::Assigned,
                    Some(&c.id),
                    format!("assigned to {to} by import {}", self.file),
                    json!({"to": to, "from": null}),
                )?;
            }
            self.counts.created += 1;
            return Ok(());
        };
        let new = merged(old.clone(), &l);
        let mut fields = changes(&old, &new);
        let new_address = match &l.address {
            Some(a) if customers::address(conn, &l.id)?.as_deref() != Some(a) => Some(a),
            _ => None,
        };
        if new_address.is_some() {
            fields.push("address");
        }
        if fields.is_empty() {
            self.counts.unchanged += 1;
            return Ok(());
        }
        customers::update(conn, &new)?;
        if let Some(a) = new_address {
            customers::set_address(conn, &new.id, Some(a))?;
        }
        self.tx.event(
            EventKind::CustomerChanged,
            Some(&new.id),
            format!(
                "customer changed by import {}: {}",
                self.file,
                fields.join(", ")
            ),
            json!({"fields": fields, "file": self.file}),
        )?;
        if old.owner != new.owner
            && let Some(to) = &new.owner
        {
            let was = old
                .owner
                .as_deref()
                .map_or(String::new(), |o| format!(" (was {o})"));
            self.tx.event(
                EventKind::Assigned,
                Some(&new.id),
                format!("assigned to {to}{was} by import {}", self.file),
                json!({"to": to, "from": old.owner}),
            )?;
        }
        self.counts.updated += 1;
        Ok(())
    }
}
