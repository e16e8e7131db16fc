//! Setting a database up: `init`, users, strategies, and the audit check.

use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::json;

use super::{Result, ServiceError, Session, Tx};
use crate::assets;
use crate::config::Config;
use crate::domain::{EventKind, Role};
use crate::mail::Templates;
use crate::store::events;
use crate::store::{Store, strategies, users};
use crate::strategy::{Strategy, parse_strategy};

/// Creates a new database at `path` with the shipped strategies and `user` as its
/// first admin, and opens a session for that user.
pub fn init(
    path: &Path,
    currency: &str,
    user: &str,
    as_of: NaiveDate,
    now: DateTime<Utc>,
    config: Config,
) -> Result<Session> {
    init_with(path, currency, user, as_of, now, config, None)
}

/// Like [`init`]; a `key_seed` makes the audit key from it (the demo: one seed, one
/// record).
pub fn init_with(
    path: &Path,
    currency: &str,
    user: &str,
    as_of: NaiveDate,
    now: DateTime<Utc>,
    config: Config,
    key_seed: Option<&[u8]>,
) -> Result<Session> {
    let currency = currency.trim().to_ascii_uppercase();
    if currency.len() != 3 || !currency.chars().all(|c| c.is_ascii_alphabetic()) {
        return Err(ServiceError::Invalid(format!(
            "'{currency}' is not a currency code: use three letters such as USD or EUR"
        )));
    }
    check_user_name(user)?;
    let templates = Templates::load(config.templates_dir().as_deref())?;
    let shipped = shipped_strategies(&templates)?;
    let mut store = Store::create_with(path, &currency, key_seed)?;
    let at = events::timestamp(now);
    store.write(|tx| {
        users::insert(tx, user, Role::Admin, &at)?;
        users::grant_login(tx, user, Role::Admin, None)?;
        Ok::<_, ServiceError>(())
    })?;
    let mut session = Session::open(store, user, as_of, now, config)?;
    session.write(|tx| {
        tx.event(
            EventKind::UserAdded,
            None,
            format!("database created ({currency}); {user} is admin"),
            json!({"user": user, "role": "admin", "currency": currency}),
        )?;
        for (file, src, s) in &shipped {
            store_strategy(tx, s, src, file)?;
        }
        Ok(())
    })?;
    session.anchor("init")?;
    Ok(session)
}

/// Stores a checked strategy (replacing one with its id) and logs it; a changed file
/// is a new version, in force from the session's date. Returns the version in force
/// and whether this load made it.
fn store_strategy(tx: &mut Tx<'_>, s: &Strategy, src: &str, file: &str) -> Result<(i64, bool)> {
    strategies::put(tx.conn, s, src, file, &tx.at())?;
    let by = tx.actor.clone();
    let (version, new) = strategies::add_version(tx.conn, &s.id, src, tx.as_of, &by)?;
    tx.event(
        EventKind::StrategyLoaded,
        None,
        format!("strategy {} loaded from {file}", s.id),
        json!({"strategy": s.id, "file": file, "version": version}),
    )?;
    if new {
        tx.event(
            EventKind::StrategyVersion,
            None,
            format!(
                "strategy {} version {version} in force from {}",
                s.id, tx.as_of
            ),
            json!({"strategy": s.id, "version": version}),
        )?;
    }
    Ok((version, new))
}

fn shipped_strategies(templates: &Templates) -> Result<Vec<(String, String, Strategy)>> {
    let mut out = Vec::new();
    for (file, src) in assets::STRATEGIES {
        let s = parse_strategy(file, src, &|t| templates.exists(t))?;
        out.push(((*file).to_string(), (*src).to_string(), s));
    }
    Ok(out)
}

fn check_user_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
    if ok {
        Ok(())
    } else {
        Err(ServiceError::Invalid(format!(
            "'{name}' is not a user name: use letters, digits, '.', '_' or '-'"
        )))
    }
}

/// Reads and validates a strategy file (template names checked against `templates`).
pub fn check_strategy_file(path: &Path, templates: &Templates) -> Result<(Strategy, String)> {
    let src = crate::diag::read_text(path, "a strategy file", crate::strategy::MAX_FILE_BYTES)
        .map_err(|e| ServiceError::Invalid(e.to_string()))?;
    let s = parse_strategy(&path.display().to_string(), &src, &|t| templates.exists(t))?;
    Ok((s, src))
}

/// A strategy in a list.
#[derive(Debug, Clone, Serialize)]
pub struct StrategySummary {
    pub id: String,
    pub name: String,
    pub rank: i64,
    pub default: bool,
    pub steps: Vec<String>,
    pub file: String,
}

/// On a PostgreSQL server, the new user's password comes from this variable (never
/// from the command line); without it the role logs in as the server's
/// authentication allows (a password set later with `\password`, or a certificate).
pub const PASSWORD_ENV: &str = "ARQ_USER_PASSWORD";

impl Session {
    /// Adds a user (admins only). An existing user is refused: roles change only
    /// through [`Session::change_role`], which records who changed them.
    pub fn add_user(&mut self, name: &str, role: Role) -> Result<()> {
        self.require_admin("add users")?;
        check_user_name(name)?;
        self.write(|tx| {
            if let Some(u) = users::get(tx.conn, name)? {
                return Err(ServiceError::Invalid(format!(
                    "user {name} already exists (a {}): `arq user role {name} --role {role}` changes a role",
                    u.role
                )));
            }
            users::insert(tx.conn, name, role, &tx.at())?;
            // On a server the user is a login role too, in the same transaction.
            let password = std::env::var(PASSWORD_ENV).ok().filter(|p| !p.is_empty());
            users::grant_login(tx.conn, name, role, password.as_deref())?;
            tx.event(
                EventKind::UserAdded,
                None,
                format!("user {name} added as {role}"),
                json!({"user": name, "role": role}),
            )?;
            Ok(())
        })
    }

    /// Changes a user's role (admins only), with an event naming who changed it.
    /// The last admin cannot stop being one: nobody could add users any more.
    pub fn change_role(&mut self, name: &str, role: Role) -> Result<Role> {
        self.require_admin("change roles")?;
        let by = self.user.name.clone();
        self.write(|tx| {
            let u = users::get(tx.conn, name)?.ok_or_else(|| {
                ServiceError::NotFound(format!(
                    "no user '{name}': add them with `arq user add {name} --role {role}`"
                ))
            })?;
            if u.role == role {
                return Err(ServiceError::Invalid(format!("{name} is already a {role}")));
            }
            if u.role == Role::Admin
                && users::list(tx.conn)?
                    .iter()
                    .filter(|x| x.role == Role::Admin)
                    .count()
                    == 1
            {
                return Err(ServiceError::Invalid(format!(
                    "{name} is the only admin: make another user an admin first"
                )));
            }
            users::set_role(tx.conn, name, role)?;
            users::grant_login(tx.conn, name, role, None)?;
            tx.event(
                EventKind::RoleChanged,
                None,
                format!("user {name}: role {} → {role}, changed by {by}", u.role),
                json!({"user": name, "from": u.role, "to": role, "by": by}),
            )?;
            Ok(u.role)
        })
    }

    pub fn users(&self) -> Result<Vec<crate::domain::User>> {
        Ok(users::list(self.store.conn())?)
    }

    pub fn strategies(&self) -> Result<Vec<StrategySummary>> {
        let mut out = Vec::new();
        for stored in strategies::list(self.store.conn())? {
            let s = parse_strategy(&stored.file, &stored.source, &|_| true)?;
            out.push(StrategySummary {
                steps: s.steps.iter().map(|st| st.id.clone()).collect(),
                id: s.id,
                name: s.name,
                rank: s.rank,
                default: s.is_default,
                file: stored.file,
            });
        }
        Ok(out)
    }

    /// A loaded strategy and the TOML it was loaded from.
    pub fn strategy(&self, id: &str) -> Result<(Strategy, String)> {
        let stored = strategies::list(self.store.conn())?
            .into_iter()
            .find(|s| s.id == id)
            .ok_or_else(|| {
                ServiceError::NotFound(format!("no strategy '{id}' (see `arq strategy list`)"))
            })?;
        let s = parse_strategy(&stored.file, &stored.source, &|_| true)?;
        Ok((s, stored.source))
    }

    /// Validates and stores a strategy file (admins only).
    /// Loads a strategy file: the strategy, the version in force, and whether the file
    /// made a new one (an unchanged file leaves the version as it was).
    pub fn load_strategy(&mut self, path: &Path) -> Result<(Strategy, i64, bool)> {
        self.require_admin("load strategies")?;
        let (s, src) = check_strategy_file(path, self.templates()?)?;
        if s.is_default {
            for other in self.strategies()? {
                if other.default && other.id != s.id {
                    return Err(ServiceError::Invalid(format!(
                        "strategy '{}' is already the default: set default = false in {}, or load '{}' again with default = false first",
                        other.id,
                        path.display(),
                        other.id
                    )));
                }
            }
        }
        let file = path.display().to_string();
        let (version, new) = self.write(|tx| store_strategy(tx, &s, &src, &file))?;
        Ok((s, version, new))
    }

    /// How many events the record holds.
    pub fn event_count(&self) -> Result<u64> {
        Ok(events::count(self.store.conn())?)
    }
}
