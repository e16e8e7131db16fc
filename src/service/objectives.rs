//! Objectives supervisors set (`objective add|list|remove`): a KPI, a target and a
//! date, for the shop or one collector; the baseline is the KPI's value the day it
//! is set.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::json;

use super::{Result, ServiceError, Session};
use crate::domain::{EventKind, Role};
use crate::metrics::objective::Kpi;
use crate::report::objectives::value;
use crate::store::objectives::{self, ObjectiveRow};
use crate::store::users;

impl Session {
    /// Sets an objective (supervisors).
    pub fn add_objective(
        &mut self,
        kpi: Kpi,
        target: Decimal,
        by: NaiveDate,
        collector: Option<&str>,
    ) -> Result<i64> {
        self.require_supervisor("set objectives")?;
        let as_of = self.as_of;
        if by <= as_of {
            return Err(ServiceError::Invalid(format!(
                "--by {by} is not after today ({as_of}): an objective needs time to be reached"
            )));
        }
        if target.is_sign_negative() {
            return Err(ServiceError::Invalid(format!(
                "--target {target} is below zero"
            )));
        }
        if matches!(kpi, Kpi::Cei | Kpi::PromiseKeptRate) && target > Decimal::from(100) {
            return Err(ServiceError::Invalid(format!(
                "--target {target}: {kpi} is a percentage (0 to 100)"
            )));
        }
        if let Some(c) = collector {
            match users::get(self.store.conn(), c)? {
                Some(u) if u.role == Role::Collector => {}
                Some(u) => {
                    return Err(ServiceError::Invalid(format!(
                        "{c} is a {}: a collector's objective names a collector",
                        u.role
                    )));
                }
                None => {
                    return Err(ServiceError::NotFound(format!(
                        "no user '{c}' (see `arq user list`)"
                    )));
                }
            }
        }
        let baseline = value(self, kpi, as_of, collector, false)?;
        let by_user = self.user.name.clone();
        self.write(|tx| {
            let id = objectives::insert(
                tx.conn,
                &ObjectiveRow {
                    id: 0,
                    kpi,
                    target,
                    by,
                    collector: collector.map(str::to_string),
                    baseline,
                    baseline_on: as_of,
                    created_by: by_user,
                },
            )?;
            let whose = collector.map_or_else(|| "the shop".to_string(), |c| c.to_string());
            let from = baseline.map_or_else(|| "no value yet".to_string(), |b| b.to_string());
            tx.event(
                EventKind::ObjectiveSet,
                None,
                format!("objective #{id}: {kpi} for {whose} to {target} by {by} (now {from})"),
                json!({"objective_id": id, "kpi": kpi, "target": target, "by": by, "collector": collector, "baseline": baseline}),
            )?;
            Ok(id)
        })
    }

    /// Removes an objective (supervisors).
    pub fn remove_objective(&mut self, id: i64) -> Result<()> {
        self.require_supervisor("remove objectives")?;
        let o = objectives::get(self.store.conn(), id)?
            .ok_or_else(|| ServiceError::NotFound(format!("no objective #{id}")))?;
        self.write(|tx| {
            let by = tx.actor.clone();
            objectives::remove(tx.conn, id, tx.as_of, &by)?;
            tx.event(
                EventKind::ObjectiveRemoved,
                None,
                format!(
                    "objective #{id} ({} to {} by {}) removed",
                    o.kpi, o.target, o.by
                ),
                json!({"objective_id": id}),
            )?;
            Ok(())
        })
    }
}
