//! What supervisors look at in the terminal app: the team's figures (today and a
//! period), a collector's recent work, the items waiting for a supervisor's decision,
//! and how many accounts stand at each step of each strategy.

use chrono::{Duration, NaiveDate};
use serde::Serialize;

use super::account::EventLine;
use super::queue::{QueueItem, QueueScope};
use super::{Result, Session};
use crate::domain::Role;
use crate::report::activity::{ActivityRow, activity};
use crate::store::{events, figures, strategies, users};

/// One collector's row on the Team screen.
#[derive(Debug, Clone, Serialize)]
pub struct TeamRow {
    pub today: ActivityRow,
    /// The period ending today (`period_days` long).
    pub period: ActivityRow,
}

/// A strategy on the Strategies screen: its steps with the accounts standing at each,
/// and its versions.
#[derive(Debug, Clone, Serialize)]
pub struct StrategyStanding {
    pub id: String,
    pub name: String,
    /// (step id, accounts whose last step done is this one)
    pub steps: Vec<(String, u64)>,
    /// Accounts past the last step (rounds of the end rule).
    pub after_last: u64,
    /// Accounts whose cycle started and whose first step is not done yet.
    pub starting: u64,
    /// (version, loaded on, by)
    pub versions: Vec<(i64, NaiveDate, String)>,
}

impl Session {
    /// Every collector's figures for today and the last `period_days` days (supervisors).
    pub fn team(&self, period_days: i64) -> Result<Vec<TeamRow>> {
        self.require_supervisor("see the team")?;
        let to = self.as_of;
        let today = activity(self, to, to, None)?;
        let period = activity(self, to - Duration::days(period_days - 1), to, None)?;
        Ok(period
            .into_iter()
            .filter(|p| p.role == Role::Collector)
            .filter_map(|p| {
                let t = today.iter().find(|t| t.user == p.user)?.clone();
                Some(TeamRow {
                    today: t,
                    period: p,
                })
            })
            .collect())
    }

    /// What a person recorded lately, newest first (supervisors, or the person).
    pub fn timeline_of(&self, user: &str, limit: usize) -> Result<Vec<EventLine>> {
        if user != self.user.name {
            self.require_supervisor("see another person's work")?;
        }
        if users::get(self.store.conn(), user)?.is_none() {
            return Err(super::ServiceError::NotFound(format!("no user '{user}'")));
        }
        Ok(
            events::by_actor(self.store.conn(), user, self.as_of, limit)?
                .into_iter()
                .map(EventLine::from)
                .collect(),
        )
    }

    /// Open supervisor items that ask for an approval or a decision, best first.
    pub fn approvals(&self) -> Result<Vec<QueueItem>> {
        self.require_supervisor("see approvals")?;
        Ok(self
            .queue(&QueueScope::All, None)?
            .into_iter()
            .filter(|i| i.action.is_approval() || i.action.needs_decision())
            .collect())
    }

    /// Each strategy's steps with the accounts standing at each, and its versions.
    pub fn strategy_standing(&self) -> Result<Vec<StrategyStanding>> {
        self.require_supervisor("see the strategies' standing")?;
        let conn = self.store.conn();
        let book = strategies::book(conn)?;
        let counts = figures::standing(conn, self.as_of)?;
        let versions = strategies::versions(conn)?;
        let mut out = Vec::new();
        for s in book.all() {
            let mut steps: Vec<(String, u64)> =
                s.steps.iter().map(|st| (st.id.clone(), 0)).collect();
            let (mut after_last, mut starting) = (0, 0);
            for (id, index, n) in &counts {
                if id != &s.id {
                    continue;
                }
                match index {
                    None => starting += n,
                    Some(i) if *i >= steps.len() => after_last += n,
                    Some(i) => {
                        if let Some(slot) = steps.get_mut(*i) {
                            slot.1 += n;
                        }
                    }
                }
            }
            out.push(StrategyStanding {
                id: s.id.clone(),
                name: s.name.clone(),
                steps,
                after_last,
                starting,
                versions: versions
                    .iter()
                    .filter(|v| v.strategy_id == s.id)
                    .map(|v| (v.version, v.loaded_on, v.loaded_by.clone()))
                    .collect(),
            });
        }
        Ok(out)
    }
}
