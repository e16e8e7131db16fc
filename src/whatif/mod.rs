//! What-if (DESIGN §2 "What-if"): a past period replayed day by day with a candidate
//! strategy, set beside what the record says happened. Pure: the service reads each
//! day's accounts from the shop's database (never writing to it) and drives
//! [`Track`]s, one per account, through the engine; this module keeps the candidate's
//! own state from day to day ([`track`]), counts what happened in each world
//! ([`tally`]) and estimates what cannot be known ([`estimate`]).
//!
//! Figures are of two kinds, kept apart in the output: *certain* ones (steps, messages,
//! calls, holds, workload per collector per day) follow from the engine and the dated
//! records; *estimated* ones (cash collected, DSO) need an assumption about how
//! customers would have answered contacts that never happened.

pub mod estimate;
pub mod tally;
pub mod track;

use std::fmt;

use chrono::NaiveDate;

use crate::domain::{Channel, ItemAction, Reason};
use crate::fasthash::FastMap;
use crate::strategy::Action;
use crate::strategy::model::Assignee;
pub use track::{Counterpart, Ctx, Hold, Ids, Item, Track, run_hold};

/// When a person closed an item, and whether an approval was granted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkedOn {
    pub on: NaiveDate,
    pub approved: bool,
}

/// How a step came to be done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum How {
    /// By the close itself (mail queued, hold set).
    Auto,
    /// By a person closing its task.
    Task,
    /// Skipped (an opted-out channel with `fallback = "skip"`).
    Skipped,
}

impl How {
    pub fn as_str(self) -> &'static str {
        match self {
            How::Auto => "auto",
            How::Task => "task",
            How::Skipped => "skipped",
        }
    }

    pub fn parse(s: &str) -> Option<How> {
        [How::Auto, How::Task, How::Skipped]
            .into_iter()
            .find(|h| h.as_str() == s)
    }
}

/// One thing a world's closes did to one account on one day.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Happened {
    pub day: NaiveDate,
    pub customer: String,
    pub what: What,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum What {
    /// A step done: by the close, by a person closing its task, or skipped.
    Step {
        index: usize,
        step_id: String,
        action: Action,
        how: How,
    },
    /// A message queued (a step's, or a reminder before the due date).
    Message(Channel),
    /// A queue item the close made.
    Task {
        action: ItemAction,
        reason: Reason,
        assignee: Assignee,
    },
    HoldSet,
    HoldReleased,
}

impl Happened {
    pub fn new(day: NaiveDate, customer: &str, what: What) -> Happened {
        Happened {
            day,
            customer: customer.to_string(),
            what,
        }
    }

    pub fn task(day: NaiveDate, customer: &str, item: &Item) -> Happened {
        Happened::new(
            day,
            customer,
            What::Task {
                action: item.action,
                reason: item.reason,
                assignee: item.assignee,
            },
        )
    }
}

impl fmt::Display for Happened {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} ", self.day, self.customer)?;
        match &self.what {
            What::Step {
                index,
                step_id,
                action,
                how,
            } => write!(f, "step {index} {step_id} ({action}, {})", how.as_str()),
            What::Message(c) => write!(f, "{c} queued"),
            What::Task {
                action,
                reason,
                assignee,
            } => write!(f, "item {action} ({reason}) for the {assignee}"),
            What::HoldSet => write!(f, "credit hold set"),
            What::HoldReleased => write!(f, "credit hold released"),
        }
    }
}

/// An item the record's closes made, as the replay needs it.
#[derive(Debug, Clone)]
pub struct RecordTask {
    pub customer: String,
    pub created_on: NaiveDate,
    pub item: Item,
}

/// A hold the record's closes set.
#[derive(Debug, Clone)]
pub struct RecordHold {
    pub id: i64,
    pub customer: String,
    pub set_on: NaiveDate,
    /// The day a person released it, if one did.
    pub released_by_person: Option<NaiveDate>,
}

type TaskKey = (String, NaiveDate, ItemAction, Option<usize>);

/// What the record's closes made during the period (and before it, still open at its
/// start) and what people did with it: how the candidate's items and holds learn when
/// they were worked. Promise and plan follow-ups are not here: both worlds share them.
#[derive(Debug, Default)]
pub struct Record {
    tasks: FastMap<i64, Item>,
    task_keys: FastMap<TaskKey, i64>,
    holds: FastMap<i64, Option<NaiveDate>>,
    hold_keys: FastMap<(String, NaiveDate), i64>,
}

impl Record {
    pub fn new(tasks: Vec<RecordTask>, holds: Vec<RecordHold>) -> Record {
        let mut r = Record::default();
        for t in tasks {
            let key = (
                t.customer,
                t.created_on,
                t.item.action,
                t.item.step.as_ref().map(|(i, _)| *i),
            );
            r.task_keys.entry(key).or_insert(t.item.id);
            r.tasks.insert(t.item.id, t.item);
        }
        for h in holds {
            r.hold_keys.entry((h.customer, h.set_on)).or_insert(h.id);
            r.holds.insert(h.id, h.released_by_person);
        }
        r
    }

    /// One of the record's run-made items, by id.
    pub fn task(&self, id: i64) -> Option<&Item> {
        self.tasks.get(&id)
    }

    /// Whether an item in the day's facts is one the record's closes made.
    pub fn is_run_item(&self, id: i64) -> bool {
        self.tasks.contains_key(&id)
    }

    /// The record's item made for this account on `day` for the same thing.
    pub fn task_like(
        &self,
        customer: &str,
        day: NaiveDate,
        action: ItemAction,
        step_index: Option<usize>,
    ) -> Counterpart<WorkedOn> {
        let key = (customer.to_string(), day, action, step_index);
        match self.task_keys.get(&key).and_then(|id| self.tasks.get(id)) {
            None => Counterpart::Missing,
            Some(i) => match i.worked {
                Some(w) => Counterpart::ByPerson(w),
                None => Counterpart::Untouched,
            },
        }
    }

    /// The record's hold set on this account on `day`.
    pub fn hold_like(&self, customer: &str, day: NaiveDate) -> Counterpart<NaiveDate> {
        match self
            .hold_keys
            .get(&(customer.to_string(), day))
            .and_then(|id| self.holds.get(id))
        {
            None => Counterpart::Missing,
            Some(None) => Counterpart::Untouched,
            Some(Some(d)) => Counterpart::ByPerson(*d),
        }
    }

    /// When a person released one of the record's run-set holds.
    pub fn hold_released(&self, id: i64) -> Option<NaiveDate> {
        self.holds.get(&id).copied().flatten()
    }
}

#[cfg(test)]
mod tests;
