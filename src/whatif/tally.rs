//! The certain figures of one world: what its closes did over the period, counted the
//! same way for the record and for the candidate.

use chrono::NaiveDate;
use serde::Serialize;

use super::estimate::Lever;
use super::{Happened, What};
use crate::domain::dates::add_days;
use crate::domain::{Channel, ItemAction, Reason};
use crate::fasthash::{FastMap, FastSet};
use crate::strategy::model::Assignee;

/// DESIGN §5 `strategy try`: `actual` and `candidate`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Figures {
    /// Steps done (by the close, by a person closing the step's task, or skipped).
    pub steps: u64,
    /// Messages queued by the closes (steps and reminders before the due date).
    pub emails: u64,
    pub letters: u64,
    pub sms: u64,
    /// Call items the closes put in queues (steps, and follow-ups of broken promises
    /// and plans, which both worlds share).
    pub calls: u64,
    /// Credit holds the closes set, and holds released (by a close or a person).
    pub holds: u64,
    pub holds_released: u64,
    /// Escalations and reviews for a supervisor.
    pub escalations: u64,
    /// Agency steps reached (a review of a turnover).
    pub agency: u64,
    /// Every queue item the closes made.
    pub tasks: u64,
    /// Customers who got at least one message or call item, how many contacts in all,
    /// and the most any one customer got.
    pub customers_contacted: u64,
    pub contacts: u64,
    pub most_contacts: u64,
}

/// Counts what happened.
pub fn figures(happened: &[Happened]) -> Figures {
    let mut f = Figures::default();
    let mut contacts: FastMap<&str, u64> = FastMap::default();
    for h in happened {
        let contact = match &h.what {
            What::Step { .. } => {
                f.steps += 1;
                false
            }
            What::Message(c) => {
                match c {
                    Channel::Email => f.emails += 1,
                    Channel::Letter => f.letters += 1,
                    Channel::Sms | Channel::Phone => f.sms += 1,
                }
                true
            }
            What::Task { action, reason, .. } => {
                f.tasks += 1;
                if *reason == Reason::Escalation {
                    f.escalations += 1;
                }
                if *action == ItemAction::Agency {
                    f.agency += 1;
                }
                let call = *action == ItemAction::Call;
                if call {
                    f.calls += 1;
                }
                call
            }
            What::HoldSet => {
                f.holds += 1;
                false
            }
            What::HoldReleased => {
                f.holds_released += 1;
                false
            }
        };
        if contact {
            *contacts.entry(h.customer.as_str()).or_default() += 1;
        }
    }
    f.customers_contacted = contacts.len() as u64;
    f.contacts = contacts.values().sum();
    f.most_contacts = contacts.values().copied().max().unwrap_or(0);
    f
}

/// How often each customer was contacted and held in one world (for the estimate).
pub(crate) fn levers_by_customer(happened: &[Happened]) -> FastMap<(Lever, &str), u64> {
    let mut out: FastMap<(Lever, &str), u64> = FastMap::default();
    for h in happened {
        let lever = match &h.what {
            What::Message(_) => Lever::Contact,
            What::Task { action, .. } if *action == ItemAction::Call => Lever::Contact,
            What::HoldSet => Lever::Hold,
            _ => continue,
        };
        *out.entry((lever, h.customer.as_str())).or_default() += 1;
    }
    out
}

/// Who works an item: the account's owner, or the supervisors.
pub const SUPERVISORS: &str = "(supervisors)";

/// One collector's queue load in both worlds: items the closes put in their queue per
/// day (DESIGN §5 `per_collector`), against how many a day they can work.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CollectorLoad {
    pub user: String,
    pub capacity: u64,
    pub actual_peak_day: u64,
    pub candidate_peak_day: u64,
    pub actual_avg_day: f64,
    pub candidate_avg_day: f64,
    /// Days with more new items than the capacity.
    pub actual_days_over: u64,
    pub candidate_days_over: u64,
    pub actual_total: u64,
    pub candidate_total: u64,
}

/// New items per user and day.
fn per_day(
    happened: &[Happened],
    owner: &dyn Fn(&str) -> Option<String>,
) -> FastMap<String, FastMap<NaiveDate, u64>> {
    let mut out: FastMap<String, FastMap<NaiveDate, u64>> = FastMap::default();
    for h in happened {
        if let What::Task { assignee, .. } = &h.what {
            let user = match assignee {
                Assignee::Supervisor => SUPERVISORS.to_string(),
                Assignee::Owner => owner(&h.customer).unwrap_or_else(|| "(no owner)".into()),
            };
            *out.entry(user).or_default().entry(h.day).or_default() += 1;
        }
    }
    out
}

/// Each user's load in both worlds over `from..=to`, by user name.
pub fn per_collector(
    actual: &[Happened],
    candidate: &[Happened],
    owner: &dyn Fn(&str) -> Option<String>,
    capacity: &dyn Fn(&str) -> u64,
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<CollectorLoad> {
    let a = per_day(actual, owner);
    let c = per_day(candidate, owner);
    let days = ((to - from).num_days() + 1).max(1) as u64;
    let mut users: Vec<&String> = a
        .keys()
        .chain(c.keys())
        .collect::<FastSet<_>>()
        .into_iter()
        .collect();
    users.sort();
    let stats = |m: Option<&FastMap<NaiveDate, u64>>, cap: u64| -> (u64, f64, u64, u64) {
        let Some(m) = m else {
            return (0, 0.0, 0, 0);
        };
        let total: u64 = m.values().sum();
        let peak = m.values().copied().max().unwrap_or(0);
        let over = m.values().filter(|n| **n > cap).count() as u64;
        let avg = (total as f64 / days as f64 * 10.0).round() / 10.0;
        (peak, avg, over, total)
    };
    users
        .into_iter()
        .map(|u| {
            let cap = capacity(u);
            let (ap, aa, ao, at) = stats(a.get(u), cap);
            let (cp, ca, co, ct) = stats(c.get(u), cap);
            CollectorLoad {
                user: u.clone(),
                capacity: cap,
                actual_peak_day: ap,
                candidate_peak_day: cp,
                actual_avg_day: aa,
                candidate_avg_day: ca,
                actual_days_over: ao,
                candidate_days_over: co,
                actual_total: at,
                candidate_total: ct,
            }
        })
        .collect()
}

/// Calls, messages and holds of one world in one week.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct WeekLoad {
    pub calls: u64,
    pub mail: u64,
    pub holds: u64,
}

/// One week of the period (the last may be shorter), both worlds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Week {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub actual: WeekLoad,
    pub candidate: WeekLoad,
}

/// The period in weeks from its first day, with each world's calls, mail and holds.
pub fn weeks(
    actual: &[Happened],
    candidate: &[Happened],
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<Week> {
    let mut out = Vec::new();
    let mut start = from;
    while start <= to {
        let end = add_days(start, 6, false).min(to);
        out.push(Week {
            from: start,
            to: end,
            actual: WeekLoad::default(),
            candidate: WeekLoad::default(),
        });
        start = add_days(end, 1, false);
    }
    let add = |happened: &[Happened], out: &mut Vec<Week>, pick: fn(&mut Week) -> &mut WeekLoad| {
        for h in happened {
            let i = ((h.day - from).num_days() / 7) as usize;
            let Some(w) = out.get_mut(i) else {
                continue;
            };
            let load = pick(w);
            match &h.what {
                What::Message(_) => load.mail += 1,
                What::Task { action, .. } if *action == ItemAction::Call => load.calls += 1,
                What::HoldSet => load.holds += 1,
                _ => {}
            }
        }
    };
    add(actual, &mut out, |w| &mut w.actual);
    add(candidate, &mut out, |w| &mut w.candidate);
    out
}
