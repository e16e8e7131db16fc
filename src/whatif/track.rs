//! One account in the candidate's world: what its closes did that the record's did not
//! (or did differently), carried from one day to the next.
//!
//! The day's facts come from the record as of the day (payments, promises, disputes,
//! calls, a person's holds and items: they happened under the old strategy and stay
//! as they were). What a close makes — the cycle and its steps, the step's task, the
//! run's own items (approvals, over-limit and check-in items), the holds it sets,
//! flags and reminders before due — is the candidate's, kept here and put in place
//! of the record's before the engine decides ([`Track::overlay`]).

use chrono::NaiveDate;

use super::{Happened, How, Record, What, WorkedOn};
use crate::domain::dates::add_days;
use crate::domain::{ItemAction, Reason};
use crate::strategy::Action;
use crate::strategy::engine::{
    AccountFacts, CycleState, Decision, DoneStep, FlagChange, HoldOnCure, HoldState, LimitHold,
    OpenFlag, OpenItem, OpenStepTask, StepOutcome,
};
use crate::strategy::model::Assignee;

/// Ids for what the candidate's closes create: negative, so they never meet the
/// record's (a person's items keep their own ids in the day's facts). Workers that
/// close accounts side by side each count down their own sequence (`lane` of
/// `lanes`), so no two ever hand out the same id.
#[derive(Debug, Clone, Copy)]
pub struct Ids {
    last: i64,
    step: i64,
}

impl Default for Ids {
    fn default() -> Ids {
        Ids::lane(0, 1)
    }
}

impl Ids {
    pub fn lane(lane: usize, lanes: usize) -> Ids {
        Ids {
            last: -(lane as i64),
            step: lanes.max(1) as i64,
        }
    }

    pub fn take(&mut self) -> i64 {
        self.last -= self.step;
        self.last
    }
}

/// A queue item a close made, and when a person worked it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub id: i64,
    pub reason: Reason,
    pub action: ItemAction,
    pub ref_id: Option<i64>,
    /// For a step's task: the step's index and id.
    pub step: Option<(usize, String)>,
    pub assignee: Assignee,
    /// When a person closed it (and whether an approval was granted): from the record's
    /// own item made the same day for the same thing, else assumed the next day.
    pub worked: Option<WorkedOn>,
}

/// A credit hold a close set, and when a person released it (from the record).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hold {
    pub state: HoldState,
    pub released: Option<NaiveDate>,
}

/// The candidate's own state of one account.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Track {
    pub cycle: Option<CycleState>,
    pub step_task: Option<Item>,
    pub items: Vec<Item>,
    pub hold: Option<Hold>,
    pub flags: Vec<OpenFlag>,
    pub pre_due_done: Vec<(String, u32)>,
}

/// Whether a hold in the record is one a close set (a step's, or the credit limit's).
pub fn run_hold(h: &HoldState) -> bool {
    h.by_step || h.over_limit
}

/// What one account's decision is applied with.
pub struct Ctx<'a> {
    pub customer: &'a str,
    pub day: NaiveDate,
    pub record: &'a Record,
    pub ids: &'a mut Ids,
}

impl Track {
    /// The record's own state as of the day before the period: where the candidate
    /// starts from. `strategy` replaces the cycle's strategy when the candidate takes
    /// the account over.
    pub fn start(facts: &AccountFacts, record: &Record, strategy: Option<&str>) -> Track {
        let mut cycle = facts.cycle.clone();
        if let (Some(c), Some(s)) = (&mut cycle, strategy) {
            c.strategy_id = s.to_string();
        }
        Track {
            cycle,
            step_task: facts
                .open_step_task
                .and_then(|t| record.task(t.task_id).cloned()),
            items: facts
                .items
                .iter()
                .filter_map(|i| record.task(i.id).cloned())
                .collect(),
            hold: facts.hold.filter(run_hold).map(|state| Hold {
                state,
                released: record.hold_released(state.id),
            }),
            flags: facts.flags.clone(),
            pre_due_done: facts.pre_due_done.clone(),
        }
    }

    /// Whether nothing is kept for the account (it need not be read on quiet days).
    pub fn is_empty(&self) -> bool {
        *self == Track::default()
    }

    /// What people did up to the end of `day`: their work comes before the day's close.
    /// A step's task they closed records the step as done that day; an approved release
    /// releases the hold; a hold they released is gone.
    pub fn work(&mut self, customer: &str, day: NaiveDate, out: &mut Vec<Happened>) {
        if let Some(t) = &self.step_task
            && let Some(w) = t.worked.filter(|w| w.on <= day)
        {
            if let (Some(c), Some((index, step_id))) = (&mut self.cycle, &t.step) {
                c.last_step = Some(DoneStep {
                    index: *index,
                    done_on: w.on,
                });
                out.push(Happened::new(
                    w.on,
                    customer,
                    What::Step {
                        index: *index,
                        step_id: step_id.clone(),
                        action: Action::of_item(t.action).unwrap_or(Action::Task),
                        how: How::Task,
                    },
                ));
            }
            self.step_task = None;
        }
        let mut release = None;
        self.items
            .retain(|i| match i.worked.filter(|w| w.on <= day) {
                Some(w) => {
                    if i.action == ItemAction::ReleaseHold && w.approved {
                        release = Some(w.on);
                    }
                    false
                }
                None => true,
            });
        let by_person = self.hold.and_then(|h| h.released).filter(|d| *d <= day);
        if let Some(on) = release.into_iter().chain(by_person).min()
            && self.hold.take().is_some()
        {
            out.push(Happened::new(on, customer, What::HoldReleased));
        }
    }

    /// Puts the candidate's state in place of the record's in the day's facts.
    /// `run_item` says whether an item in the facts is one the record's closes made (it
    /// gives way to the candidate's); `latest_response` is the customer's latest
    /// response by the day, which counts when it came after the candidate's cycle began.
    pub fn overlay(
        &self,
        facts: &mut AccountFacts,
        run_item: &dyn Fn(i64) -> bool,
        latest_response: Option<NaiveDate>,
    ) {
        facts.last_response = self
            .cycle
            .as_ref()
            .and_then(|c| latest_response.filter(|d| *d >= c.started_on));
        facts.cycle = self.cycle.clone();
        facts.open_step_task = self.step_task.as_ref().and_then(|t| {
            t.step.as_ref().map(|(index, _)| OpenStepTask {
                task_id: t.id,
                step_index: *index,
            })
        });
        // The record's run-made items give way, and so do the candidate's own from an
        // earlier day (its ids are negative): the day's are added afresh.
        facts.items.retain(|i| i.id > 0 && !run_item(i.id));
        facts.items.extend(self.items.iter().map(|i| OpenItem {
            id: i.id,
            reason: i.reason,
            action: i.action,
            ref_id: i.ref_id,
        }));
        let persons = facts.hold.filter(|h| !run_hold(h));
        facts.hold = self.hold.map(|h| h.state).or(persons);
        facts.flags = self.flags.clone();
        facts.pre_due_done = self.pre_due_done.clone();
    }

    /// Applies the candidate's decision for the day, part by part, as the daily close
    /// does (`service/run.rs`), keeping only what this world needs. `seen` are the facts
    /// the engine decided on. Promise and plan verdicts and their follow-ups are the
    /// same in both worlds (they follow from payments alone) and stay the record's.
    pub fn apply(
        &mut self,
        d: &Decision,
        seen: &AccountFacts,
        cx: &mut Ctx<'_>,
        out: &mut Vec<Happened>,
    ) {
        let Decision {
            promises: _,
            plan: _,
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
        let (cid, day) = (cx.customer, cx.day);
        for s in stale {
            self.items.retain(|i| i.id != s.item_id);
        }
        if let Some(c) = cure {
            self.cycle = None;
            self.step_task = None;
            if c.hold == HoldOnCure::Release && self.hold.take().is_some() {
                out.push(Happened::new(day, cid, What::HoldReleased));
            }
        }
        if let Some(strategy_id) = start_cycle {
            self.cycle = Some(CycleState {
                id: cx.ids.take(),
                strategy_id: strategy_id.clone(),
                started_on: day,
                last_step: None,
            });
        }
        if let Some(step) = step
            && self.cycle.is_some()
        {
            match &step.outcome {
                StepOutcome::Mail { channel, .. } => {
                    out.push(Happened::new(day, cid, What::Message(*channel)));
                }
                StepOutcome::SetHold => self.set_hold(cx, true, out),
                StepOutcome::AlreadyOnHold => {
                    if let Some(h) = &mut self.hold
                        && h.state.over_limit
                        && !h.state.by_step
                    {
                        h.state.by_step = true;
                    }
                }
                StepOutcome::Skipped { .. } => {}
                StepOutcome::Task {
                    assignee, reason, ..
                } => {
                    let item = new_item(
                        cx,
                        *reason,
                        step.action.item(),
                        None,
                        Some((step.index, step.step_id.clone())),
                        *assignee,
                    );
                    out.push(Happened::task(day, cid, &item));
                    self.step_task = Some(item);
                }
            }
            if step.outcome.done_now()
                && let Some(c) = &mut self.cycle
            {
                c.last_step = Some(DoneStep {
                    index: step.index,
                    done_on: day,
                });
                let how = if matches!(step.outcome, StepOutcome::Skipped { .. }) {
                    How::Skipped
                } else {
                    How::Auto
                };
                out.push(Happened::new(
                    day,
                    cid,
                    What::Step {
                        index: step.index,
                        step_id: step.step_id.clone(),
                        action: step.action,
                        how,
                    },
                ));
            }
        }
        for t in tasks {
            if matches!(t.reason, Reason::BrokenPromise | Reason::PlanBroken) {
                continue;
            }
            let item = new_item(cx, t.reason, t.action, t.ref_id, None, t.assignee);
            out.push(Happened::task(day, cid, &item));
            self.items.push(item);
        }
        if let Some(p) = pre_due
            && !p.invoices.is_empty()
        {
            for no in &p.invoices {
                self.pre_due_done.push((no.clone(), p.days_before_due));
            }
            out.push(Happened::new(day, cid, What::Message(p.channel)));
        }
        for f in flags {
            match f {
                FlagChange::Raise { kind, detail } => self.flags.push(OpenFlag {
                    id: cx.ids.take(),
                    kind: *kind,
                    since: day,
                    detail: detail.clone(),
                }),
                FlagChange::Clear { flag_id, .. } => self.flags.retain(|f| f.id != *flag_id),
            }
        }
        match limit_hold {
            Some(LimitHold::Set { .. }) => match &mut self.hold {
                Some(h) => {
                    if h.state.by_step {
                        h.state.over_limit = true;
                    }
                }
                None if seen.hold.is_some() => {}
                None => self.set_hold(cx, false, out),
            },
            Some(LimitHold::Mark { hold_id }) => {
                if let Some(h) = self.hold.as_mut().filter(|h| h.state.id == *hold_id) {
                    h.state.by_step = true;
                    h.state.over_limit = true;
                }
            }
            Some(LimitHold::Release { hold_id })
                if self.hold.is_some_and(|h| h.state.id == *hold_id) =>
            {
                self.hold = None;
                out.push(Happened::new(day, cid, What::HoldReleased));
            }
            Some(LimitHold::Release { .. }) => {}
            None => {}
        }
    }

    fn set_hold(&mut self, cx: &mut Ctx<'_>, by_step: bool, out: &mut Vec<Happened>) {
        let released = match cx.record.hold_like(cx.customer, cx.day) {
            Counterpart::ByPerson(on) => Some(on),
            Counterpart::Untouched | Counterpart::Missing => None,
        };
        self.hold = Some(Hold {
            state: HoldState {
                id: cx.ids.take(),
                since: cx.day,
                by_step,
                over_limit: !by_step,
            },
            released,
        });
        out.push(Happened::new(cx.day, cx.customer, What::HoldSet));
    }
}

/// A new item of the candidate's close, worked when the record's own item for the same
/// thing was, else the next day (the collector works what the close put in the queue).
fn new_item(
    cx: &mut Ctx<'_>,
    reason: Reason,
    action: ItemAction,
    ref_id: Option<i64>,
    step: Option<(usize, String)>,
    assignee: Assignee,
) -> Item {
    let index = step.as_ref().map(|(i, _)| *i);
    let worked = match cx.record.task_like(cx.customer, cx.day, action, index) {
        Counterpart::ByPerson(w) => Some(w),
        Counterpart::Untouched => None,
        Counterpart::Missing => Some(WorkedOn {
            on: add_days(cx.day, 1, false),
            approved: true,
        }),
    };
    Item {
        id: cx.ids.take(),
        reason,
        action,
        ref_id,
        step,
        assignee,
        worked,
    }
}

/// The record's own counterpart of something the candidate's close made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counterpart<T> {
    /// The record's close made nothing like it that day.
    Missing,
    /// It did, and no person closed it (it is open still, or a close closed it).
    Untouched,
    /// It did, and a person closed it on this day.
    ByPerson(T),
}

/// The verdicts of the day kept in the account's facts from one day to the next, as
/// the record keeps them: a judged promise or plan is no longer open, and a broken one
/// is where the strategy resumes (and counts for early warnings).
pub fn keep_verdicts(facts: &mut AccountFacts, d: &Decision, day: NaiveDate) {
    for v in &d.promises {
        facts.promises.retain(|p| p.id != v.promise_id);
        if v.status == crate::domain::PromiseStatus::Broken {
            facts.resume_on = Some(day);
            facts.broken_promises.push(day);
        }
    }
    if let Some(v) = &d.plan {
        facts.plan = None;
        if matches!(v, crate::strategy::engine::PlanVerdict::Broken { .. }) {
            facts.resume_on = Some(day);
        }
    }
}
