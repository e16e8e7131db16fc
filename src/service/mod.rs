//! Use cases: the daily run, recording what collectors did, queues, accounts,
//! assignments. Every role check lives here (not in the UI), every write runs in one
//! `BEGIN IMMEDIATE` transaction together with the events that record it.

mod access;
pub mod account;
mod agency;
mod assign;
pub mod audit;
pub mod backup;
pub mod calls;
pub mod copy;
pub mod disputes;
pub mod holds;
pub mod items;
mod objectives;
mod outbox;
pub mod plans;
mod prevent;
pub mod promises;
pub mod queue;
pub mod run;
pub mod setup;
pub mod team;
pub mod warnings;
pub mod whatif;
pub mod writeoffs;

use crate::store::db::Db;
use chrono::{DateTime, NaiveDate, Utc};

use crate::config::Config;
use crate::diag::Diagnostics;
use crate::domain::{EventKind, User};
use crate::mail::{TemplateError, Templates};
use crate::store::events::{EventLog, NewEvent};
use crate::store::{Store, StoreError, users};

/// What a use case refused or failed to do, in words for the person who asked.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error(
        "unknown user '{0}': an admin can add you with `arq user add {0} --role collector` (or pass --user / set ARQ_USER)"
    )]
    UnknownUser(String),
    #[error("{0}")]
    Forbidden(String),
    #[error(
        "no customer '{0}' you can see (ids are in `arq queue` and `arq report aging`; a collector sees her own accounts only)"
    )]
    NoCustomer(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Invalid(String),
    /// The database file or its record is damaged: work stops until it is repaired.
    #[error("{0}")]
    Damaged(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Strategy(#[from] Diagnostics),
    #[error(transparent)]
    Template(#[from] TemplateError),
}

impl From<rusqlite::Error> for ServiceError {
    fn from(e: rusqlite::Error) -> ServiceError {
        ServiceError::Store(e.into())
    }
}

pub type Result<T, E = ServiceError> = std::result::Result<T, E>;

pub use crate::domain::SYSTEM_ACTOR;

/// One person working on one database as of one date.
pub struct Session {
    store: Store,
    user: User,
    as_of: NaiveDate,
    now: DateTime<Utc>,
    config: Config,
    templates: Option<Templates>,
}

/// A write transaction with the event log open: what use cases write through.
pub struct Tx<'a> {
    pub conn: Db<'a>,
    log: EventLog,
    pub actor: String,
    pub as_of: NaiveDate,
    pub now: DateTime<Utc>,
    /// An event of this transaction moved money (see [`moves_money`]).
    moved_money: bool,
}

/// Events after which the shop's figures for the day differ: money in, written off or
/// adjusted, invoices imported, a backup restored.
fn moves_money(kind: EventKind) -> bool {
    matches!(
        kind,
        EventKind::Import
            | EventKind::Payment
            | EventKind::WriteOffApproved
            | EventKind::Adjustment
            | EventKind::DisputeResolved
            | EventKind::Restored
    )
}

impl Tx<'_> {
    /// Records an event dated as of the session's date.
    pub fn event(
        &mut self,
        kind: EventKind,
        customer_id: Option<&str>,
        detail: impl Into<String>,
        data: serde_json::Value,
    ) -> Result<i64> {
        self.moved_money |= moves_money(kind);
        let ev = NewEvent {
            on_date: self.as_of,
            kind,
            actor: &self.actor,
            customer_id,
            detail: detail.into(),
            data,
        };
        Ok(self.log.append(self.conn, &ev)?)
    }

    /// The timestamp events carry.
    pub fn at(&self) -> String {
        crate::store::events::timestamp(self.now)
    }
}

impl Session {
    /// Opens a session for `user_name`; an unknown user is refused.
    pub fn open(
        store: Store,
        user_name: &str,
        as_of: NaiveDate,
        now: DateTime<Utc>,
        config: Config,
    ) -> Result<Session> {
        let user = users::get(store.conn(), user_name)?
            .ok_or_else(|| ServiceError::UnknownUser(user_name.to_string()))?;
        // On a server, an arq user's own login role works as that user and no other
        // (the role that owns the database may act for anyone, as the file's owner can).
        if let Some(login) = store.login_role()?
            && login != user.name
            && users::get(store.conn(), &login)?.is_some()
        {
            return Err(ServiceError::Invalid(format!(
                "you are connected to the server as {login}: work as {login} (--user {login}); another user connects with their own role"
            )));
        }
        Ok(Session {
            store,
            user,
            as_of,
            now,
            config,
            templates: None,
        })
    }

    /// The same connection, day and settings, working as another user: the demo's
    /// simulated people take turns on one connection. Checked as [`Session::open`]
    /// checks a user.
    pub fn as_user(self, user_name: &str) -> Result<Session> {
        let Session {
            store,
            as_of,
            now,
            config,
            templates,
            ..
        } = self;
        let mut s = Session::open(store, user_name, as_of, now, config)?;
        s.templates = templates;
        Ok(s)
    }

    pub fn user(&self) -> &User {
        &self.user
    }

    pub fn as_of(&self) -> NaiveDate {
        self.as_of
    }

    /// Moves the session to another day (the demo and the terminal app's date change).
    pub fn set_as_of(&mut self, as_of: NaiveDate, now: DateTime<Utc>) {
        self.as_of = as_of;
        self.now = now;
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn currency(&self) -> Result<String> {
        Ok(self.store.currency()?)
    }

    /// Changes whenever another process commits to the database.
    pub fn data_version(&self) -> Result<i64> {
        Ok(self.store.data_version()?)
    }

    /// Read-only access to the store for modules beside the services (reports, import).
    pub fn store(&self) -> &Store {
        &self.store
    }

    #[allow(dead_code)] // used by the import module
    pub(crate) fn store_mut(&mut self) -> &mut Store {
        &mut self.store
    }

    /// The message templates (shipped plus the shop's), loaded once.
    pub fn templates(&mut self) -> Result<&Templates> {
        if self.templates.is_none() {
            self.templates = Some(Templates::load(self.config.templates_dir().as_deref())?);
        }
        match &self.templates {
            Some(t) => Ok(t),
            None => Err(ServiceError::Invalid(
                "templates could not be loaded".into(),
            )),
        }
    }

    /// Runs `f` in a write transaction with the event log open, as the session's user.
    pub fn write<T>(&mut self, f: impl FnOnce(&mut Tx<'_>) -> Result<T>) -> Result<T> {
        let actor = self.user.name.clone();
        self.write_as(&actor, f)
    }

    /// Like [`Session::write`], with events attributed to `actor`.
    pub(crate) fn write_as<T>(
        &mut self,
        actor: &str,
        f: impl FnOnce(&mut Tx<'_>) -> Result<T>,
    ) -> Result<T> {
        self.transact_as(true, actor, f)
    }

    /// A write transaction committed only when `commit` is true (dry runs).
    pub(crate) fn transact_as<T>(
        &mut self,
        commit: bool,
        actor: &str,
        f: impl FnOnce(&mut Tx<'_>) -> Result<T>,
    ) -> Result<T> {
        let (as_of, now) = (self.as_of, self.now);
        self.store.refresh_keying()?;
        let keying = self.store.keying().clone();
        self.store.transact(commit, |conn| {
            let log = EventLog::open(conn, &keying, now)?;
            let mut tx = Tx {
                conn,
                log,
                actor: actor.to_string(),
                as_of,
                now,
                moved_money: false,
            };
            let out = f(&mut tx)?;
            // Money moved on a day whose close has run: the day's figures (the KPI
            // screen's today, its last trend point) are taken again, so they agree
            // with the reports that read the records.
            if tx.moved_money && crate::store::kpi_daily::taken(tx.conn, as_of)? {
                let day = run::day_figures(tx.conn, as_of)?;
                crate::store::kpi_daily::put(tx.conn, &day, &tx.at())?;
            }
            Ok(out)
        })
    }

    /// Takes the session apart (the terminal app reopens after a rebuild).
    pub fn into_store(self) -> Store {
        self.store
    }
}

/// Rejects an empty free-text field.
fn non_empty<'a>(field: &str, s: &'a str) -> Result<&'a str> {
    let t = s.trim();
    if t.is_empty() {
        return Err(ServiceError::Invalid(format!("{field} is empty")));
    }
    Ok(t)
}

/// `now` at the start of a shop-local day, for sessions that replay a date.
pub fn noon_utc(d: NaiveDate) -> DateTime<Utc> {
    d.and_hms_opt(12, 0, 0)
        .map_or_else(Utc::now, |t| t.and_utc())
}
