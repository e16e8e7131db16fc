//! `arq strategy try`: a candidate strategy tried on a past period (DESIGN §2
//! "What-if"). The shop's database is only read, in one read transaction: each day of
//! the period, the accounts as of that day come from the record, the candidate's own
//! state (`whatif::Track`) is put in place of what the record's closes made, and the
//! engine decides as the day's close would have.
//!
//! Which strategy the candidate replaces: without a choice of accounts, it is loaded as
//! `strategy load` would load it (a new version of the strategy with its id, or one
//! more strategy matched by its `applies_to` and rank); with `--segment`, `--customers`
//! or `--accounts-of`, it takes the place of whatever those accounts follow, cycles
//! already begun going on at the same step of the candidate.

use crate::store::db::Db;
use std::path::{Path, PathBuf};

use chrono::{Duration, NaiveDate};
use serde::Serialize;

use super::setup::check_strategy_file;
use super::{Result, ServiceError, Session};
use crate::domain::{Money, Reason, Risk};
use crate::fasthash::{FastMap, FastSet};
use crate::progress::{Progress, Unit};
use crate::store::days_late_kept::Keep;
use crate::store::snapshot::{self, AccountData, Reach};
use crate::store::{behaviour, runs, strategies, whatif as records};
use crate::strategy::engine::{AccountState, DAYS_LATE_KEPT, decide, strategy_for};
use crate::strategy::{Strategy, StrategyBook};
use crate::whatif::estimate::{self, ClassInput, Estimated, Lever};
use crate::whatif::tally::{self, CollectorLoad, Figures, Week};
use crate::whatif::track::keep_verdicts;
use crate::whatif::{Ctx, Happened, Ids, Record, Track, What};

/// Which accounts the candidate is tried on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Accounts {
    /// Every account, with the candidate loaded beside (or over) the current strategies.
    AsLoaded,
    /// The customers of a segment.
    Segment(String),
    /// The customer ids listed in a file, one per line (`#` starts a comment).
    Customers(PathBuf),
    /// The accounts that followed a strategy in the period.
    Of(String),
}

/// Over which days, on which accounts.
#[derive(Debug, Clone)]
pub struct TryRequest {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub accounts: Accounts,
}

/// DESIGN §5 `strategy try --format json`, with a few more fields.
#[derive(Debug, Clone, Serialize)]
pub struct WhatIf {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The candidate's id.
    pub strategy: String,
    /// How many accounts the comparison covers.
    pub accounts: u64,
    /// How many of them followed the candidate on at least one day.
    pub followed_candidate: u64,
    /// What the candidate took the place of, in words.
    pub replaces: String,
    /// Certain: from the record.
    pub actual: Figures,
    /// Certain: from the engine over the dated records.
    pub candidate: Figures,
    pub per_collector: Vec<CollectorLoad>,
    pub weeks: Vec<Week>,
    pub estimated: Estimated,
    /// What the figures can and cannot say.
    pub notes: Vec<String>,
    /// Everything each world's closes did, in order (for tests and the account view).
    #[serde(skip)]
    pub actual_log: Vec<Happened>,
    #[serde(skip)]
    pub candidate_log: Vec<Happened>,
}

impl Session {
    /// The day of the last daily close in the record, if any.
    pub fn last_close(&self) -> Result<Option<NaiveDate>> {
        Ok(runs::last_as_of(self.store.conn())?)
    }

    /// Tries a strategy file on a past period (supervisors): the file is checked as
    /// `strategy load` checks it. Nothing is written.
    pub fn try_strategy_file(
        &mut self,
        file: &Path,
        req: &TryRequest,
        progress: &dyn Progress,
    ) -> Result<WhatIf> {
        self.require_supervisor("try a strategy on the past")?;
        let (candidate, _) = check_strategy_file(file, self.templates()?)?;
        self.try_strategy(&candidate, req, progress)
    }

    /// Tries a strategy (a loaded one, say) on a past period (supervisors).
    pub fn try_strategy(
        &self,
        candidate: &Strategy,
        req: &TryRequest,
        progress: &dyn Progress,
    ) -> Result<WhatIf> {
        self.require_supervisor("try a strategy on the past")?;
        let (from, to) = (req.from, req.to);
        if to < from {
            return Err(ServiceError::Invalid(format!(
                "--to {to} is before --from {from}"
            )));
        }
        let conn = self.store.conn();
        let last = runs::last_as_of(conn)?.ok_or_else(|| {
            ServiceError::Invalid(
                "no daily close is in the record yet: there is no past to replay".into(),
            )
        })?;
        if to > last {
            return Err(ServiceError::Invalid(format!(
                "--to {to} is after the last daily close in the record ({last}): a replay sets the candidate beside closes that happened"
            )));
        }
        // One read transaction: the replay sees one state of the file throughout.
        let read = conn.read_snapshot()?;
        let conn = read.db();
        let book = strategies::book(conn)?;
        let chosen = self.chosen(conn, &req.accounts, from, to, &book)?;
        let (cand_book, takeover, replaces) = match &chosen {
            None => {
                let replaces = match book.get(&candidate.id) {
                    Some(_) => format!(
                        "the loaded strategy '{}' (as a new version of it)",
                        candidate.id
                    ),
                    None => "nothing: loaded beside the current strategies, it takes the accounts its applies_to and rank give it".to_string(),
                };
                (loaded_with(&book, candidate), None, replaces)
            }
            Some(ids) => (
                StrategyBook::new(vec![candidate.clone()]),
                Some(candidate.id.clone()),
                format!("the strategies of {} chosen accounts", ids.len()),
            ),
        };
        let keep = |cid: &str| chosen.as_ref().is_none_or(|c| c.contains(cid));
        let record = Record::new(
            records::run_tasks(conn, from, to)?,
            records::run_holds(conn, from, to)?,
        );
        let classes = class_history(behaviour::class_history(conn, to)?);
        let ahead = book.look_ahead().max(cand_book.look_ahead());
        let day_before = from - Duration::days(1);

        progress.phase(
            "replaying",
            Some((to - from).num_days() as u64 + 1),
            Unit::Days,
        );
        // Every account with something open the day before, as the record's closes
        // left it; then carried from day to day (see `Replay`).
        let (start, _) = snapshot::load_all(
            conn,
            day_before,
            Reach {
                ahead,
                since: None,
                all_open: true,
                days_late: Keep::Read,
            },
        )?;
        let mut replay = Replay {
            conn,
            record: &record,
            book: &cand_book,
            candidate: &candidate.id,
            classes: &classes,
            keep: &keep,
            accounts: FastMap::default(),
            latest: records::latest_responses(conn, day_before)?,
            written_off: FastMap::default(),
            lanes: (0..workers()).map(|l| Ids::lane(l, workers())).collect(),
            log: Vec::new(),
            followed: FastSet::default(),
        };
        for a in start.into_iter().filter(|a| keep(&a.customer.id)) {
            let track = Track::start(&a.facts, &record, takeover.as_deref());
            replay.accounts.insert(a.customer.id.clone(), (a, track));
        }
        let mut day = from;
        while day <= to {
            replay.day(day)?;
            day += Duration::days(1);
            progress.advance(1);
        }
        let Replay {
            mut log, followed, ..
        } = replay;
        progress.finish();

        let mut actual = records::happened(conn, from, to, &keep)?;
        // Promise and plan follow-ups follow from payments alone: both worlds have them.
        log.extend(actual.iter().filter(|h| shared(h)).cloned());
        actual.sort();
        log.sort();
        let owners = records::owners(conn)?;
        let owner = |cid: &str| owners.get(cid).cloned().flatten();
        let team = &self.config.team;
        let per_collector =
            tally::per_collector(&actual, &log, &owner, &|u| team.capacity_of(u), from, to);
        let estimated = estimated(conn, from, to, &classes, &actual, &log, &keep)?;
        let accounts = match &chosen {
            Some(ids) => ids.len() as u64,
            None => owners.len() as u64,
        };
        drop(read);
        Ok(WhatIf {
            from,
            to,
            strategy: candidate.id.clone(),
            accounts,
            followed_candidate: followed.len() as u64,
            replaces,
            actual: tally::figures(&actual),
            candidate: tally::figures(&log),
            weeks: tally::weeks(&actual, &log, from, to),
            per_collector,
            estimated,
            notes: notes(),
            actual_log: actual,
            candidate_log: log,
        })
    }

    /// The accounts chosen, or `None` for every account.
    fn chosen(
        &self,
        conn: Db<'_>,
        accounts: &Accounts,
        from: NaiveDate,
        to: NaiveDate,
        book: &StrategyBook,
    ) -> Result<Option<FastSet<String>>> {
        Ok(Some(match accounts {
            Accounts::AsLoaded => return Ok(None),
            Accounts::Segment(s) => {
                let ids = records::segment(conn, s)?;
                if ids.is_empty() {
                    return Err(ServiceError::Invalid(format!(
                        "no customer is in segment '{s}'"
                    )));
                }
                ids
            }
            Accounts::Customers(path) => customers_file(conn, path)?,
            Accounts::Of(id) => {
                if book.get(id).is_none() {
                    return Err(ServiceError::NotFound(format!(
                        "no strategy '{id}' is loaded (see `arq strategy list`)"
                    )));
                }
                let mut ids = records::cycles_of(conn, id, from, to)?;
                // And the accounts it would take today that never began a cycle in it.
                let (open, _) = snapshot::load_all(
                    conn,
                    to,
                    Reach {
                        ahead: 0,
                        since: None,
                        all_open: true,
                        days_late: Keep::Read,
                    },
                )?;
                for a in &open {
                    if a.facts.cycle.is_none()
                        && book
                            .assign(&a.customer, a.figures(to).balance)
                            .is_some_and(|s| s.id == *id)
                    {
                        ids.insert(a.customer.id.clone());
                    }
                }
                ids
            }
        }))
    }
}

/// The estimate (cash, DSO): how many more contacts and holds the candidate used, by
/// the behaviour class customers had when the period began, against how customers of
/// each class answered them before it.
fn estimated(
    conn: Db<'_>,
    from: NaiveDate,
    to: NaiveDate,
    classes: &FastMap<String, Vec<(NaiveDate, Risk)>>,
    actual: &[Happened],
    candidate: &[Happened],
    keep: &dyn Fn(&str) -> bool,
) -> Result<Estimated> {
    let day_before = from - Duration::days(1);
    let class_at_start = |cid: &str| -> Risk {
        classes
            .get(cid)
            .and_then(|h| class_on(h, day_before))
            .unwrap_or(Risk::Normal)
    };
    let answers = records::responses(conn, from, &class_at_start)?;
    let mut delta: FastMap<(Lever, Risk), i64> = FastMap::default();
    for ((lever, cid), n) in tally::levers_by_customer(candidate) {
        *delta.entry((lever, class_at_start(cid))).or_default() += n as i64;
    }
    for ((lever, cid), n) in tally::levers_by_customer(actual) {
        *delta.entry((lever, class_at_start(cid))).or_default() -= n as i64;
    }
    let mut inputs = Vec::new();
    for lever in [Lever::Contact, Lever::Hold] {
        for class in [Risk::Low, Risk::Normal, Risk::High] {
            inputs.push(ClassInput {
                lever,
                class,
                response: answers.get(&(lever, class)).copied().unwrap_or_default(),
                delta: delta.get(&(lever, class)).copied().unwrap_or(0),
            });
        }
    }
    let sales: Money = records::issued(conn, from, to)?
        .into_iter()
        .filter(|(cid, _)| keep(cid))
        .map(|(_, m)| m)
        .sum();
    Ok(estimate::estimate(
        &inputs,
        sales,
        (to - from).num_days() + 1,
    ))
}

/// The book with `candidate` loaded as `strategy load` would: in place of the strategy
/// with its id, else beside the others.
fn loaded_with(book: &StrategyBook, candidate: &Strategy) -> StrategyBook {
    StrategyBook::new(
        book.all()
            .iter()
            .filter(|s| s.id != candidate.id)
            .cloned()
            .chain([candidate.clone()])
            .collect(),
    )
}

/// Items both worlds have: the follow-ups of broken promises and plans.
fn shared(h: &Happened) -> bool {
    matches!(
        h.what,
        What::Task {
            reason: Reason::BrokenPromise | Reason::PlanBroken,
            ..
        }
    )
}

/// Each customer's behaviour classes by the day they took effect.
fn class_history(rows: Vec<(String, NaiveDate, Risk)>) -> FastMap<String, Vec<(NaiveDate, Risk)>> {
    let mut out: FastMap<String, Vec<(NaiveDate, Risk)>> = FastMap::default();
    for (cid, day, class) in rows {
        out.entry(cid).or_default().push((day, class));
    }
    out
}

/// The class in effect on `day` (the latest measure by then).
fn class_on(history: &[(NaiveDate, Risk)], day: NaiveDate) -> Option<Risk> {
    history
        .iter()
        .take_while(|(d, _)| *d <= day)
        .last()
        .map(|(_, c)| *c)
}

/// Customer ids from a file, one per line; every one must be a customer.
fn customers_file(conn: Db<'_>, path: &Path) -> Result<FastSet<String>> {
    let text = crate::diag::read_text(path, "a list of customer ids", 64 << 20)
        .map_err(|e| ServiceError::Invalid(e.to_string()))?;
    let mut lines: Vec<(usize, &str)> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let id = line.split('#').next().unwrap_or("").trim();
        if !id.is_empty() {
            lines.push((i + 1, id));
        }
    }
    if lines.is_empty() {
        return Err(ServiceError::Invalid(format!(
            "{}: no customer ids in the file (one id per line)",
            path.display()
        )));
    }
    let ids: Vec<&str> = lines.iter().map(|(_, id)| *id).collect();
    let unknown = records::unknown_customers(conn, &ids)?;
    if let Some(first) = unknown.first() {
        let line = lines
            .iter()
            .find(|(_, id)| id == first)
            .map_or(0, |(n, _)| *n);
        return Err(ServiceError::Invalid(format!(
            "{}:{line}: no customer '{first}'{}",
            path.display(),
            if unknown.len() > 1 {
                format!(" (and {} more unknown ids)", unknown.len() - 1)
            } else {
                String::new()
            }
        )));
    }
    Ok(ids.into_iter().map(String::from).collect())
}

/// What the figures can and cannot say.
fn notes() -> Vec<String> {
    vec![
        "certain: steps, messages, calls, holds and queue loads follow from the engine and the dated records".into(),
        "payments, promises, disputes and calls in the period happened under the old strategy and are taken as they were".into(),
        "each day's close is assumed to come after that day's work (as `arq run` in the evening); an item the record has no counterpart for is assumed worked the next day".into(),
        "estimated: cash collected and DSO (see `estimated.error_note`)".into(),
    ]
}

/// The candidate's world over the period: every account that can move, with the
/// record's facts carried from day to day (money applied as dated, accounts people
/// touched read again) and the candidate's own state beside them.
struct Replay<'a> {
    conn: Db<'a>,
    record: &'a Record,
    book: &'a StrategyBook,
    candidate: &'a str,
    classes: &'a FastMap<String, Vec<(NaiveDate, Risk)>>,
    keep: &'a dyn Fn(&str) -> bool,
    accounts: FastMap<String, (AccountData, Track)>,
    /// Each customer's latest response so far.
    latest: FastMap<String, NaiveDate>,
    /// Written off so far, of invoices with a write-off in the period.
    written_off: FastMap<String, Money>,
    /// One id sequence per worker (see [`Ids::lane`]).
    lanes: Vec<Ids>,
    log: Vec<Happened>,
    followed: FastSet<String>,
}

/// What one day's close of the candidate needs, shared by the workers.
struct Close<'a> {
    day: NaiveDate,
    record: &'a Record,
    book: &'a StrategyBook,
    candidate: &'a str,
    classes: &'a FastMap<String, Vec<(NaiveDate, Risk)>>,
    latest: &'a FastMap<String, NaiveDate>,
}

impl Close<'_> {
    /// Closes the day for some accounts: people's work first, the candidate's state
    /// laid over the record's, the engine's decision applied. Returns what happened and
    /// who followed the candidate.
    fn run(
        &self,
        accounts: &mut [(&String, &mut (AccountData, Track))],
        ids: &mut Ids,
    ) -> (Vec<Happened>, Vec<String>) {
        let day = self.day;
        let mut log = Vec::new();
        let mut followed = Vec::new();
        for (cid, (a, track)) in accounts.iter_mut() {
            let cid: &String = cid;
            a.invoices.retain(|i| !i.balance.is_zero());
            // Nothing owed, nothing kept, nothing open: the engine has nothing to judge.
            if a.invoices.is_empty() && track.is_empty() && nothing_open(&a.facts) {
                continue;
            }
            if let Some(h) = self.classes.get(cid)
                && !a.customer.risk_set
                && let Some(class) = class_on(h, day)
            {
                a.customer.risk = class;
            }
            track.work(cid, day, &mut log);
            track.overlay(
                &mut a.facts,
                &|id| self.record.is_run_item(id),
                self.latest.get(cid).copied(),
            );
            let state = AccountState {
                customer: &a.customer,
                figures: a.figures(day),
                facts: std::mem::take(&mut a.facts),
                invoices: &a.invoices,
            };
            if strategy_for(&state, self.book).is_some_and(|s| s.id == self.candidate) {
                followed.push(cid.clone());
            }
            let decision = decide(&state, self.book, day);
            a.facts = state.facts;
            let mut cx = Ctx {
                customer: cid,
                day,
                record: self.record,
                ids,
            };
            track.apply(&decision, &a.facts, &mut cx, &mut log);
            keep_verdicts(&mut a.facts, &decision, day);
        }
        (log, followed)
    }
}

impl Replay<'_> {
    /// One day: its money, the accounts people touched, then the candidate's close.
    fn day(&mut self, day: NaiveDate) -> Result<()> {
        let conn = self.conn;
        let mut reread: FastSet<String> = FastSet::default();
        for (cid, inv) in records::issued_on(conn, day)? {
            if !(self.keep)(&cid) {
                continue;
            }
            match self.accounts.get_mut(&cid) {
                Some((a, _)) => a.invoices.push(inv),
                None => {
                    reread.insert(cid);
                }
            }
        }
        // Invoices paid in full today join how late the customer pays (as
        // `prevention::days_late` counts: payments and credits, not write-offs).
        let mut settled: FastMap<String, Vec<(String, i64)>> = FastMap::default();
        for m in records::applied_on(conn, day)? {
            let Some((a, _)) = self.accounts.get_mut(&m.customer) else {
                if (self.keep)(&m.customer) {
                    reread.insert(m.customer);
                }
                continue;
            };
            let Some(i) = a.invoices.iter_mut().find(|i| i.invoice_no == m.invoice) else {
                reread.insert(m.customer);
                continue;
            };
            i.balance -= m.amount;
            let written = self.written_off.entry(m.invoice.clone()).or_default();
            if m.write_off {
                *written += m.amount;
            } else if !(i.balance + *written).is_positive() {
                let late = (day - i.due_date).num_days().max(0);
                let list = settled.entry(m.customer).or_default();
                if !list.iter().any(|(no, _)| *no == m.invoice) {
                    list.push((m.invoice, late));
                }
            }
        }
        for (cid, mut list) in settled {
            if let Some((a, _)) = self.accounts.get_mut(&cid) {
                list.sort();
                let days = &mut a.facts.days_late;
                days.extend(list.into_iter().map(|(_, late)| late));
                let extra = days.len().saturating_sub(DAYS_LATE_KEPT);
                days.drain(..extra);
            }
        }
        for (cid, amount) in records::paid_on(conn, day)? {
            if let Some((a, _)) = self.accounts.get_mut(&cid) {
                a.facts.payments.push((day, amount));
            }
            self.latest.insert(cid, day);
        }
        for cid in records::reached_on(conn, day)? {
            self.latest.insert(cid, day);
        }
        for cid in records::touched(conn, day)? {
            if (self.keep)(&cid) {
                reread.insert(cid);
            }
        }
        for cid in reread {
            let Some(a) = snapshot::load_one(conn, &cid, day)? else {
                continue;
            };
            if let Some(r) = crate::store::activity::last_response(conn, &cid, day)? {
                self.latest.insert(cid.clone(), r);
            }
            match self.accounts.get_mut(&cid) {
                Some((old, _)) => *old = a,
                None => {
                    self.accounts.insert(cid, (a, Track::default()));
                }
            }
        }
        // The day's close, account by account: the accounts are independent, so the
        // cores share them (each worker with its own ids, log and followers).
        let lanes = self.lanes.len();
        let mut entries: Vec<(&String, &mut (AccountData, Track))> =
            self.accounts.iter_mut().collect();
        let size = entries.len().div_ceil(lanes).max(1);
        let day_of = Close {
            day,
            record: self.record,
            book: self.book,
            candidate: self.candidate,
            classes: self.classes,
            latest: &self.latest,
        };
        let results: Vec<(Vec<Happened>, Vec<String>)> = std::thread::scope(|scope| {
            let workers: Vec<_> = entries
                .chunks_mut(size)
                .zip(self.lanes.iter_mut())
                .map(|(part, ids)| {
                    let close = &day_of;
                    scope.spawn(move || close.run(part, ids))
                })
                .collect();
            workers
                .into_iter()
                .map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        });
        for (log, followed) in results {
            self.log.extend(log);
            self.followed.extend(followed);
        }
        Ok(())
    }
}

/// How many workers close the accounts of a day side by side: one per core, at most 8.
fn workers() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().clamp(1, 8))
}

/// Nothing the engine could act on: no promise, plan, item, hold or placement.
fn nothing_open(f: &crate::strategy::engine::AccountFacts) -> bool {
    f.promises.is_empty()
        && f.plan.is_none()
        && f.items.is_empty()
        && f.hold.is_none()
        && f.placed.is_none()
}
