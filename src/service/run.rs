//! The daily close (`arq run`): every account is evaluated by the engine as of the
//! session's date and its decision applied in one transaction — steps recorded,
//! reminder mail rendered into the outbox, holds set and released, tasks created,
//! promises judged.

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::json;

use super::{Result, SYSTEM_ACTOR, ServiceError, Session, Tx, prevent};
use crate::config::ShopConfig;
use crate::domain::{Channel, EventKind, ItemOutcome, PlanStatus, PromiseStatus};
use crate::mail::{MessageContext, Templates};
use crate::progress::{Progress, Silent, Unit};
use crate::store::cycles::{self, How};
use crate::store::figures::{self, Whose};
use crate::store::snapshot::{self, AccountData};
use crate::store::{
    Keying, activity, behaviour, days_late_kept, integrity, kpi_daily, outbox, plans, runs,
    strategies, tasks,
};
use crate::strategy::Action;
use crate::strategy::engine::{
    Cure, CureReason, Decision, HoldOnCure, NewTask, PlanVerdict, PromiseVerdict, StaleItem,
    StepOutcome, StepTaken, decide,
};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PromiseCounts {
    pub kept: u64,
    pub partially_kept: u64,
    pub broken: u64,
}

/// What a run did (DESIGN §5 `run --format json`, plus a few more counts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunSummary {
    pub as_of: NaiveDate,
    pub evaluated: u64,
    pub steps_done: u64,
    pub auto_actions: u64,
    pub tasks_created: u64,
    pub promises: PromiseCounts,
    pub cured: u64,
    pub cycles_started: u64,
    pub mail_queued: u64,
    pub holds_set: u64,
    pub holds_released: u64,
    /// Courtesy reminders queued before the due date (counted in `mail_queued` too).
    pub reminders_before_due: u64,
    /// Accounts that went over their credit limit today.
    pub over_limit: u64,
    /// Early warnings raised today.
    pub early_warnings: u64,
    pub dry_run: bool,
}

impl RunSummary {
    fn new(as_of: NaiveDate, dry_run: bool) -> RunSummary {
        RunSummary {
            as_of,
            evaluated: 0,
            steps_done: 0,
            auto_actions: 0,
            tasks_created: 0,
            promises: PromiseCounts::default(),
            cured: 0,
            cycles_started: 0,
            mail_queued: 0,
            holds_set: 0,
            holds_released: 0,
            reminders_before_due: 0,
            over_limit: 0,
            early_warnings: 0,
            dry_run,
        }
    }
}

/// What applying decisions needs besides the transaction.
pub(super) struct Mailer<'a> {
    pub(super) templates: &'a Templates,
    pub(super) currency: String,
    pub(super) shop: ShopConfig,
    pub(super) domain: String,
}

impl Session {
    /// The daily close for the session's date. With `dry_run` everything is computed
    /// and reported but nothing is kept.
    pub fn run_day(&mut self, dry_run: bool) -> Result<RunSummary> {
        self.run_day_with(dry_run, &Silent)
    }

    /// [`Session::run_day`], telling `progress` how far it got.
    pub fn run_day_with(&mut self, dry_run: bool, progress: &dyn Progress) -> Result<RunSummary> {
        self.close_day(dry_run, progress, None)
    }

    /// The daily close as `arq run` does it, after the checks of
    /// [`Session::check_before_run`]. The file's own check (`PRAGMA quick_check`, which
    /// reads the whole file: seconds on a large shop) runs beside the close on a second
    /// connection, so another core reads the file while this one works. It sees the
    /// file as it was before the close (nothing of the close is committed until it has
    /// answered), and the close is kept only when the file is sound: a damaged file is
    /// still refused before anything is written to it.
    pub fn run_day_checked(&mut self, progress: &dyn Progress) -> Result<RunSummary> {
        // An earlier arq's database is given its key by the record check, a write:
        // the file is checked first, as before.
        let reader = match self.store.keying() {
            Keying::Keyed(_) => self.store.reader()?,
            _ => None,
        };
        let Some(reader) = reader else {
            self.check_before_run()?;
            return self.close_day(false, progress, None);
        };
        self.check_record_before_run()?;
        let check = std::thread::spawn(move || integrity::quick_check(&reader));
        self.close_day(false, progress, Some(check))
    }

    /// The close itself; `check`, when given, must find the file sound before the
    /// close is committed.
    fn close_day(
        &mut self,
        dry_run: bool,
        progress: &dyn Progress,
        check: Option<FileCheck>,
    ) -> Result<RunSummary> {
        self.require_supervisor("run the daily close")?;
        let as_of = self.as_of;
        if !dry_run
            && let Some(last) = runs::last_as_of(self.store.conn())?
            && last > as_of
        {
            return Err(ServiceError::Invalid(format!(
                "the daily run was already done for {last}; a run for {as_of} would act on a past that has moved on \
                 (use --dry-run to see what it would have done, or --as-of {last} or later)"
            )));
        }
        self.templates()?;
        let templates = self
            .templates
            .take()
            .ok_or_else(|| ServiceError::Invalid("templates could not be loaded".into()))?;
        let mailer = Mailer {
            templates: &templates,
            currency: self.store.currency()?,
            shop: self.config.shop.clone(),
            domain: self.config.mail.domain().to_string(),
        };
        let by = self.user.name.clone();
        let path = self.store.path().to_path_buf();
        let since = runs::last_as_of(self.store.conn())?.filter(|d| *d < as_of);
        let result = self.transact_as(!dry_run, SYSTEM_ACTOR, |tx| {
            let book = strategies::book(tx.conn)?;
            if book.is_empty() {
                return Err(ServiceError::Invalid(
                    "no strategies are loaded: `arq strategy load FILE` (or `arq init` ships four)"
                        .into(),
                ));
            }
            let mut summary = RunSummary::new(as_of, dry_run);
            // How every customer pays, first (weekly, see `behaviour::REMEASURE_DAYS`): a
            // customer without a risk the shop gave follows its behaviour class, and the
            // queue's priority reads it.
            if crate::behaviour::measure_due(behaviour::kept_as_of(tx.conn)?, as_of) {
                progress.phase("measuring payment behaviour", None, Unit::Accounts);
                let inputs = behaviour::load(tx.conn, as_of, behaviour::Whose::All)?;
                let measured = crate::behaviour::estimate(&inputs);
                behaviour::save(tx.conn, &measured, &tx.at())?;
            }
            progress.phase("reading accounts", None, Unit::Accounts);
            let (accounts, total) = snapshot::load_all(
                tx.conn,
                as_of,
                snapshot::Reach {
                    ahead: book.look_ahead(),
                    since,
                    all_open: false,
                    // A dry run reads; the close keeps what it computed for the next one.
                    days_late: if dry_run {
                        days_late_kept::Keep::Read
                    } else {
                        days_late_kept::Keep::Write
                    },
                },
            )?;
            summary.evaluated = total;
            progress.phase("evaluating", Some(accounts.len() as u64), Unit::Accounts);
            let mut decided = Vec::new();
            for (i, account) in accounts.iter().enumerate() {
                let decision = decide(&account.state(as_of), &book, as_of);
                if !decision.is_empty() {
                    decided.push((i, decision));
                }
                progress.advance(1);
            }
            progress.phase("applying", Some(decided.len() as u64), Unit::Accounts);
            for (i, decision) in &decided {
                apply(tx, &accounts[*i], decision, &mailer, &mut summary)?;
                progress.advance(1);
            }
            progress.phase("saving the close", None, Unit::Accounts);
            let text = serde_json::to_string(&summary).unwrap_or_default();
            runs::insert(tx.conn, as_of, &tx.at(), &by, &text)?;
            snapshot_figures(tx)?;
            if let Some(check) = check {
                progress.phase("checking the file", None, Unit::Accounts);
                let damage = check.join().map_err(|_| {
                    ServiceError::Invalid("the file check stopped unexpectedly".into())
                })??;
                super::audit::refuse_damage(&path, &damage)?;
            }
            Ok(summary)
        });
        self.templates = Some(templates);
        result
    }
}

/// `PRAGMA quick_check` running on its own connection and thread.
type FileCheck = std::thread::JoinHandle<crate::store::Result<Vec<String>>>;

/// The shop's figures as of the run's day, for trend lines (reports recompute them
/// from the records).
fn snapshot_figures(tx: &mut Tx<'_>) -> Result<()> {
    let d = day_figures(tx.conn, tx.as_of)?;
    kpi_daily::put(tx.conn, &d, &tx.at())?;
    Ok(())
}

/// The shop's figures of `day`, as the daily snapshot keeps them.
pub(super) fn day_figures(
    conn: crate::store::db::Db<'_>,
    day: NaiveDate,
) -> Result<kpi_daily::Day> {
    Ok(kpi_daily::Day {
        day,
        aging: figures::aging_as_of(conn, day, figures::Whose::Shop)?,
        credit_sales: figures::credit_sales(conn, day, day, Whose::Shop)?,
        collected: figures::collected(conn, day, day, Whose::Shop)?,
        written_off: figures::written_off(conn, day, day, Whose::Shop)?,
    })
}

/// After a change a person made that may cure the account (a write-off approved): the
/// cure, and the items it makes stale, applied now rather than by the next run.
pub(super) fn settle(tx: &mut Tx<'_>, customer_id: &str, why: CureReason) -> Result<()> {
    let book = strategies::book(tx.conn)?;
    let Some(a) = snapshot::load_one(tx.conn, customer_id, tx.as_of)? else {
        return Ok(());
    };
    let d = decide(&a.state(tx.as_of), &book, tx.as_of);
    if let Some(c) = &d.cure {
        for item in &d.stale {
            close_stale(tx, customer_id, item)?;
        }
        let c = Cure {
            reason: why,
            ..c.clone()
        };
        apply_cure(tx, &a, &c, &mut RunSummary::new(tx.as_of, false))?;
    }
    Ok(())
}

/// Applies one account's decision, part by part. Every part of [`Decision`] is named
/// here, so a new one does not compile until it is applied.
fn apply(
    tx: &mut Tx<'_>,
    a: &AccountData,
    d: &Decision,
    mailer: &Mailer<'_>,
    s: &mut RunSummary,
) -> Result<()> {
    let Decision {
        promises,
        plan,
        cure,
        start_cycle,
        step,
        tasks,
        stale,
        paused: _,
        pre_due,
        flags,
        limit_hold,
    } = d;
    let cid = a.customer.id.as_str();
    for v in promises {
        judge_promise(tx, cid, v, s)?;
    }
    if let Some(v) = plan {
        judge_plan(tx, cid, v)?;
    }
    for item in stale {
        close_stale(tx, cid, item)?;
    }
    if let Some(c) = cure {
        apply_cure(tx, a, c, s)?;
    }
    let mut cycle_id = a.facts.cycle.as_ref().map(|c| c.id);
    if let Some(strategy_id) = start_cycle {
        cycle_id = Some(begin_cycle(tx, cid, strategy_id, s)?);
    }
    if let (Some(step), Some(cycle_id)) = (step, cycle_id) {
        do_step(tx, a, step, cycle_id, mailer, s)?;
    }
    for t in tasks {
        create_task(tx, cid, t, cycle_id, s)?;
    }
    if let Some(p) = pre_due {
        prevent::send_pre_due(tx, a, p, mailer, s)?;
    }
    prevent::apply_flags(tx, cid, flags, s)?;
    if let Some(h) = limit_hold {
        prevent::apply_limit_hold(tx, cid, h, s)?;
    }
    Ok(())
}

fn judge_promise(tx: &mut Tx<'_>, cid: &str, v: &PromiseVerdict, s: &mut RunSummary) -> Result<()> {
    activity::set_promise_verdict(tx.conn, v.promise_id, v.status, v.paid, tx.as_of)?;
    let (kind, counter) = match v.status {
        PromiseStatus::Kept => (EventKind::PromiseKept, &mut s.promises.kept),
        PromiseStatus::PartiallyKept => (
            EventKind::PromisePartiallyKept,
            &mut s.promises.partially_kept,
        ),
        _ => (EventKind::PromiseBroken, &mut s.promises.broken),
    };
    *counter += 1;
    let detail = format!(
        "promise #{} {}: {} paid",
        v.promise_id,
        v.status.words(),
        v.paid.grouped()
    );
    tx.event(
        kind,
        Some(cid),
        detail,
        json!({"promise_id": v.promise_id, "paid": v.paid}),
    )?;
    Ok(())
}

fn judge_plan(tx: &mut Tx<'_>, cid: &str, v: &PlanVerdict) -> Result<()> {
    let as_of = tx.as_of;
    match v {
        PlanVerdict::Broken {
            plan_id,
            installment_due,
            short,
        } => {
            plans::end_plan(tx.conn, *plan_id, PlanStatus::Broken, as_of)?;
            let detail = format!(
                "payment plan #{plan_id} broken: installment due {installment_due} is {} short",
                short.grouped()
            );
            tx.event(
                EventKind::PlanBroken,
                Some(cid),
                detail,
                json!({"plan_id": plan_id, "short": short}),
            )?;
        }
        PlanVerdict::Completed { plan_id } => {
            plans::end_plan(tx.conn, *plan_id, PlanStatus::Completed, as_of)?;
            tx.event(
                EventKind::PlanCompleted,
                Some(cid),
                format!("payment plan #{plan_id} paid in full"),
                json!({"plan_id": plan_id}),
            )?;
        }
    }
    Ok(())
}

/// Closes an item whose reason went away, saying why.
pub(super) fn close_stale(tx: &mut Tx<'_>, cid: &str, item: &StaleItem) -> Result<()> {
    if !tasks::finish(
        tx.conn,
        item.item_id,
        tx.as_of,
        SYSTEM_ACTOR,
        ItemOutcome::Cancelled,
        &item.why,
    )? {
        return Ok(());
    }
    tx.event(
        EventKind::ItemClosedStale,
        Some(cid),
        format!("item #{} closed: {}", item.item_id, item.why),
        json!({"task_id": item.item_id, "why": item.why}),
    )?;
    Ok(())
}

/// Ends the cycle in a cure (rule 3).
pub(super) fn apply_cure(
    tx: &mut Tx<'_>,
    a: &AccountData,
    cure: &Cure,
    s: &mut RunSummary,
) -> Result<()> {
    let cid = a.customer.id.as_str();
    let as_of = tx.as_of;
    let why = match cure.reason {
        CureReason::PaidDown => "account cured",
        CureReason::PlanCompleted => "payment plan completed",
        CureReason::WrittenOff => "written off",
    };
    cycles::end(tx.conn, cure.cycle_id, as_of, "cured")?;
    if let Some(task) = cure.cancel_task {
        tasks::finish(
            tx.conn,
            task,
            as_of,
            SYSTEM_ACTOR,
            ItemOutcome::Cancelled,
            why,
        )?;
    }
    if cure.hold == HoldOnCure::Release
        && let Some(h) = &a.facts.hold
        && activity::release_hold(tx.conn, h.id, as_of, SYSTEM_ACTOR)?
    {
        s.holds_released += 1;
        tx.event(
            EventKind::HoldReleased,
            Some(cid),
            format!("credit hold released: {why}"),
            json!({"hold_id": h.id}),
        )?;
    }
    for id in outbox::pending_for(tx.conn, cid)? {
        outbox::cancel(tx.conn, id, "account cured before the message was sent")?;
    }
    s.cured += 1;
    let f = a.figures(as_of);
    tx.event(
        EventKind::Cured,
        Some(cid),
        format!("cured ({why}): past due now {}", f.past_due.grouped()),
        json!({"cycle_id": cure.cycle_id, "past_due": f.past_due}),
    )?;
    Ok(())
}

fn begin_cycle(tx: &mut Tx<'_>, cid: &str, strategy_id: &str, s: &mut RunSummary) -> Result<i64> {
    let id = cycles::start(tx.conn, cid, strategy_id, tx.as_of)?;
    s.cycles_started += 1;
    tx.event(
        EventKind::CycleStarted,
        Some(cid),
        format!("collection cycle started ({strategy_id})"),
        json!({"cycle_id": id, "strategy": strategy_id}),
    )?;
    Ok(id)
}

/// Does today's step: mail queued, a hold set, or a task for a person; records the
/// step as done unless a person still has to do it.
fn do_step(
    tx: &mut Tx<'_>,
    a: &AccountData,
    step: &StepTaken,
    cycle_id: i64,
    mailer: &Mailer<'_>,
    s: &mut RunSummary,
) -> Result<()> {
    let cid = a.customer.id.as_str();
    let as_of = tx.as_of;
    let label = if let Some(round) = step.end_round {
        format!("end of strategy, round {round} ({})", step.action)
    } else {
        format!("step {} ({})", step.step_id, step.action)
    };
    match &step.outcome {
        StepOutcome::Mail { channel, template } => {
            queue_message(tx, a, *channel, template, cycle_id, step.index, mailer)?;
            s.mail_queued += 1;
            s.auto_actions += 1;
        }
        StepOutcome::SetHold => {
            let reason = format!("strategy {} step {}", step.strategy_id, step.step_id);
            let id = activity::set_hold(tx.conn, cid, as_of, SYSTEM_ACTOR, &reason, true)?;
            s.holds_set += 1;
            s.auto_actions += 1;
            tx.event(
                EventKind::HoldSet,
                Some(cid),
                format!("credit hold set by {label}"),
                json!({"hold_id": id, "step": step.step_id}),
            )?;
        }
        StepOutcome::AlreadyOnHold => {
            // A hold set for the credit limit now stands for the ladder's step too.
            if let Some(h) = &a.facts.hold
                && h.over_limit
                && !h.by_step
            {
                activity::mark_hold(tx.conn, h.id, true, true)?;
            }
        }
        StepOutcome::Skipped { .. } => {}
        StepOutcome::Task {
            assignee,
            reason,
            note,
        } => {
            let id = tasks::insert(
                tx.conn,
                &tasks::NewTask {
                    customer_id: cid,
                    reason: *reason,
                    action: step.action.item(),
                    assignee: *assignee,
                    cycle_id: Some(cycle_id),
                    step_index: Some(step.index),
                    step_id: Some(&step.step_id),
                    ref_id: None,
                    note,
                    due: as_of,
                    created_on: as_of,
                    created_by: SYSTEM_ACTOR,
                },
            )?;
            s.tasks_created += 1;
            tx.event(
                EventKind::TaskCreated,
                Some(cid),
                format!("task #{id}: {note}"),
                json!({"task_id": id, "step": step.step_id, "reason": reason}),
            )?;
            if matches!(step.action, Action::Escalate | Action::Review) {
                tx.event(
                    EventKind::Escalated,
                    Some(cid),
                    format!("escalated to a supervisor by {label}"),
                    json!({"task_id": id}),
                )?;
            }
        }
    }
    if !step.outcome.done_now() {
        return Ok(());
    }
    let how = if matches!(step.outcome, StepOutcome::Skipped { .. }) {
        How::Skipped
    } else {
        How::Auto
    };
    cycles::record_step(
        tx.conn,
        cycle_id,
        cid,
        step.index,
        &step.step_id,
        step.action,
        as_of,
        how,
    )?;
    s.steps_done += 1;
    let detail = match &step.outcome {
        StepOutcome::Skipped { why } => format!("{label} skipped: {why}"),
        StepOutcome::AlreadyOnHold => format!("{label} done: already on hold"),
        _ => format!("{label} done"),
    };
    tx.event(
        EventKind::StepDone,
        Some(cid),
        detail,
        json!({"step": step.step_id, "index": step.index, "how": how.as_str()}),
    )?;
    Ok(())
}

fn create_task(
    tx: &mut Tx<'_>,
    cid: &str,
    t: &NewTask,
    cycle_id: Option<i64>,
    s: &mut RunSummary,
) -> Result<()> {
    let id = tasks::insert(
        tx.conn,
        &tasks::NewTask {
            customer_id: cid,
            reason: t.reason,
            action: t.action,
            assignee: t.assignee,
            cycle_id,
            step_index: None,
            step_id: None,
            ref_id: t.ref_id,
            note: &t.note,
            due: t.due,
            created_on: tx.as_of,
            created_by: SYSTEM_ACTOR,
        },
    )?;
    s.tasks_created += 1;
    tx.event(
        EventKind::TaskCreated,
        Some(cid),
        format!("task #{id}: {}", t.note),
        json!({"task_id": id, "reason": t.reason}),
    )?;
    Ok(())
}

/// Renders the step's template and queues the message in the outbox.
fn queue_message(
    tx: &mut Tx<'_>,
    a: &AccountData,
    channel: Channel,
    template: &str,
    cycle_id: i64,
    index: usize,
    m: &Mailer<'_>,
) -> Result<()> {
    let c = &a.customer;
    let mut ctx = MessageContext::reminder(c, &a.invoices, tx.as_of, &m.currency, &m.shop);
    ctx.collector = c.owner.clone();
    let r = m.templates.render(template, &ctx)?;
    let recipient = c.recipient(channel);
    // One message per account, step and cycle: the cycle id is unique across accounts.
    let message_id = format!("<arq.c{cycle_id}.s{index}@{}>", m.domain);
    let queued = outbox::insert(
        tx.conn,
        &outbox::NewMessage {
            customer_id: &c.id,
            channel,
            template,
            message_id: &message_id,
            recipient,
            subject: &r.subject,
            body_text: &r.text,
            body_html: r.html.as_deref(),
            created_on: tx.as_of,
            created_by: SYSTEM_ACTOR,
            cycle_id: Some(cycle_id),
            step_index: Some(index),
        },
    )?;
    if let Some(id) = queued {
        let detail = format!("{channel} '{}' queued for {recipient}", r.subject);
        tx.event(EventKind::MailQueued, Some(&c.id), detail, json!({"outbox_id": id, "template": template, "message_id": message_id, "channel": channel}))?;
    }
    Ok(())
}
