//! Checking the record (`arq audit verify [--deep]`), anchoring its head outside the
//! database, and the quick check `arq run` makes before it works.
//!
//! A verification runs SQLite's integrity check, recomputes the keyed event chain,
//! compares it with every anchor in `<db>.anchors` (and any head the person kept
//! elsewhere and passes with `--head`), and with `--deep` every state table against
//! the events. When all of it holds it anchors the head it checked.

use chrono::Utc;
use serde::Serialize;
use serde_json::json;

use super::{Result, SYSTEM_ACTOR, ServiceError, Session};
use crate::domain::EventKind;
use crate::store::deep_verify::{self, Disagreement};
use crate::store::events::{self, Keys, Verification};
use crate::store::{Keying, anchor, integrity};

/// Something `audit verify` found wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// `integrity`, `chain`, `key` or `anchor`.
    pub kind: &'static str,
    /// The event it is about, when it is about one.
    pub event: Option<i64>,
    /// The anchors file line it is about, when it is about one.
    pub anchor_line: Option<usize>,
    pub what: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.what)
    }
}

/// The head of the record, as anchored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Head {
    pub seq: i64,
    pub hash: String,
}

impl std::fmt::Display for Head {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.seq, self.hash)
    }
}

/// What `audit verify` found.
#[derive(Debug, Clone, Serialize)]
pub struct AuditReport {
    pub events: u64,
    pub head: Option<Head>,
    /// `keyed` (with the audit key), `keyed_from N` (earlier events from before
    /// keys) or `unkeyed`.
    pub keyed: String,
    pub anchors_checked: usize,
    pub problems: Vec<Problem>,
    /// `--deep`: every row that disagrees with the record.
    pub deep: Option<Vec<Disagreement>>,
    /// Whether this check was written down as a new anchor.
    pub anchored: bool,
    /// Set when this verification gave a database from an earlier arq its key.
    pub keyed_now: bool,
}

impl AuditReport {
    pub fn ok(&self) -> bool {
        self.problems.is_empty() && self.deep.as_ref().is_none_or(Vec::is_empty)
    }
}

/// What to check.
#[derive(Debug, Clone, Default)]
pub struct AuditOptions {
    pub deep: bool,
    /// Heads kept elsewhere (`--head SEQ:HASH`).
    pub heads: Vec<Head>,
}

/// Reads `SEQ:HASH`.
pub fn parse_head(s: &str) -> std::result::Result<Head, String> {
    let (seq, hash) = s
        .trim()
        .split_once(':')
        .ok_or_else(|| format!("'{s}' is not a head: write it as SEQ:HASH, as arq prints it"))?;
    let seq: i64 = seq
        .parse()
        .map_err(|_| format!("'{seq}' is not an event number"))?;
    let hash = hash.trim().to_ascii_lowercase();
    if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!("'{hash}' is not a hash (64 hexadecimal digits)"));
    }
    Ok(Head { seq, hash })
}

fn problem(kind: &'static str, event: Option<i64>, line: Option<usize>, what: String) -> Problem {
    Problem {
        kind,
        event,
        anchor_line: line,
        what,
    }
}

/// The chain checked against every anchor that still binds it.
fn check_anchors(s: &Session, v: &Verification, out: &mut Vec<Problem>) -> Result<usize> {
    let store = s.store();
    let Keying::Keyed(key) = store.keying() else {
        return Ok(0);
    };
    let path = anchor::anchors_path(store.path());
    let a = store.read_anchors(key)?;
    if !a.exists {
        out.push(problem(
            "anchor",
            None,
            None,
            format!(
                "the anchors file {} is missing: the record cannot be checked for events cut from its end",
                path.display()
            ),
        ));
        return Ok(0);
    }
    for bad in &a.bad {
        out.push(problem(
            "anchor",
            None,
            Some(bad.line),
            format!(
                "{}:{}: this anchor cannot be trusted: {}",
                path.display(),
                bad.line,
                bad.why
            ),
        ));
    }
    // The last event there is, whether or not the chain up to it holds.
    let head = match &v.head {
        Some(h) => h.0,
        None => events::head(store.conn())?.map_or(0, |h| h.0),
    };
    let binding = a.binding();
    for an in &binding {
        let place = format!(
            "{}:{} (anchored by {} of {} at {})",
            path.display(),
            an.line,
            an.what,
            an.by,
            an.at
        );
        if an.seq == 0 {
            continue;
        }
        if an.seq > head {
            out.push(problem(
                "anchor",
                Some(an.seq),
                Some(an.line),
                format!(
                    "event {} is missing: the record ends at event {head}, but {place} it reached event {}: events were cut from its end",
                    an.seq, an.seq
                ),
            ));
            continue;
        }
        match events::hash_of(store.conn(), an.seq)? {
            Some(h) if h == an.hash => {}
            Some(_) => out.push(problem(
                "anchor",
                Some(an.seq),
                Some(an.line),
                format!(
                    "event {} is not the event anchored at {place}: the record was rewritten up to it",
                    an.seq
                ),
            )),
            None => out.push(problem(
                "anchor",
                Some(an.seq),
                Some(an.line),
                format!("event {} anchored at {place} is missing", an.seq),
            )),
        }
    }
    Ok(binding.len())
}

impl Session {
    /// The keys the chain is checked with, and a problem when the key is not here.
    fn chain_keys(&self) -> Result<(Keys<'_>, Option<Problem>, String)> {
        let keyed_from = self
            .store
            .meta("keyed_from")?
            .and_then(|v| v.parse::<i64>().ok());
        Ok(match self.store.keying() {
            Keying::Keyed(k) => {
                let mismatch = keyed_from.filter(|m| *m != k.keyed_from).map(|m| {
                    problem(
                        "key",
                        None,
                        None,
                        format!(
                            "the database says its events are keyed from event {m}, its key file says from event {}",
                            k.keyed_from
                        ),
                    )
                });
                let words = if k.keyed_from <= 1 {
                    "keyed".to_string()
                } else {
                    format!("keyed from event {}", k.keyed_from)
                };
                (Keys::Key(k), mismatch, words)
            }
            Keying::Missing(path) => (
                Keys::Absent(keyed_from.unwrap_or(1)),
                Some(problem(
                    "key",
                    None,
                    None,
                    format!(
                        "the audit key {} is missing or belongs to another database: the keyed hashes cannot be checked (only the links between events were)",
                        path.display()
                    ),
                )),
                "key missing".to_string(),
            ),
            Keying::Legacy => (Keys::None, None, "unkeyed".to_string()),
        })
    }

    /// Gives a database from an arq without keys its audit key, and records the
    /// collectors its customers have as found, so the deep check starts from them.
    fn key_legacy_database(&mut self) -> Result<bool> {
        if !matches!(self.store.keying(), Keying::Legacy) || !self.user.role.sees_everything() {
            return Ok(false);
        }
        if !self.store.ensure_keyed()? {
            return Ok(false);
        }
        let found = deep_verify::unexplained_owners(self.store.conn())?;
        self.write_as(SYSTEM_ACTOR, |tx| {
            for (customer, owner) in &found {
                tx.event(
                    EventKind::Assigned,
                    Some(customer),
                    format!("assigned to {owner} (as found when the record was first keyed)"),
                    json!({"to": owner, "from": null, "as_found": true}),
                )?;
            }
            Ok(())
        })?;
        self.anchor("keyed")?;
        Ok(true)
    }

    /// Recomputes the event chain (the links and the keyed hashes), nothing else.
    pub fn audit_verify(&self) -> Result<Verification> {
        let (keys, _, _) = self.chain_keys()?;
        Ok(events::verify(self.store.conn(), keys)?)
    }

    /// `arq audit verify`: integrity, chain, key, anchors and, with `deep`, every
    /// table against the record. Anchors the head when everything holds.
    pub fn audit(&mut self, opts: &AuditOptions) -> Result<AuditReport> {
        if opts.deep {
            self.require_supervisor("check every table against the record (--deep)")?;
        }
        let keyed_now = self.key_legacy_database()?;
        let mut problems = Vec::new();
        for p in integrity::integrity_check(self.store.conn())? {
            problems.push(problem(
                "integrity",
                None,
                None,
                format!("SQLite integrity check: {p}"),
            ));
        }
        let (keys, key_problem, keyed) = self.chain_keys()?;
        problems.extend(key_problem);
        let v = events::verify(self.store.conn(), keys)?;
        if let Some((seq, why)) = &v.broken_at {
            problems.push(problem(
                "chain",
                Some(*seq),
                None,
                format!("the event record is broken at event {seq}: {why}"),
            ));
        }
        let anchors_checked = check_anchors(self, &v, &mut problems)?;
        for h in &opts.heads {
            match events::hash_of(self.store.conn(), h.seq)? {
                Some(x) if x == h.hash => {}
                Some(_) => problems.push(problem(
                    "anchor",
                    Some(h.seq),
                    None,
                    format!("event {} does not match the head you kept ({h}): the record was rewritten", h.seq),
                )),
                None => problems.push(problem(
                    "anchor",
                    Some(h.seq),
                    None,
                    format!("event {} of the head you kept ({h}) is missing: events were cut from the record", h.seq),
                )),
            }
        }
        let deep = if opts.deep {
            Some(deep_verify::check(self.store.conn())?)
        } else {
            None
        };
        let head = match &v.head {
            Some(h) => Some(h.clone()),
            None => events::head(self.store.conn())?,
        };
        let mut report = AuditReport {
            events: v.events,
            head: head.map(|(seq, hash)| Head { seq, hash }),
            keyed,
            anchors_checked,
            problems,
            deep,
            anchored: false,
            keyed_now,
        };
        if report.ok() && v.head.is_some() && matches!(self.store.keying(), Keying::Keyed(_)) {
            self.anchor("verify")?;
            report.anchored = true;
        }
        Ok(report)
    }

    /// Writes the record's current head to the anchors file, as `what` (`run`,
    /// `verify`, …) by the session's user. Returns the head.
    pub fn anchor(&mut self, what: &str) -> Result<Option<Head>> {
        let Keying::Keyed(key) = self.store.keying() else {
            return Ok(None);
        };
        if self.store.is_memory() {
            return Ok(None);
        }
        let Some((seq, hash)) = events::head(self.store.conn())? else {
            return Ok(None);
        };
        let at = events::timestamp(Utc::now());
        self.store
            .add_anchor(key, seq, &hash, &at, &self.user.name, what)?;
        Ok(Some(Head { seq, hash }))
    }

    /// What `arq run` checks before it works: the file is sound (`PRAGMA
    /// quick_check`), the key is here, and the record still reaches and matches its
    /// latest anchor. A database from an earlier arq gets its key here.
    /// (`arq run` itself checks the file beside the run instead, on another core:
    /// [`Session::run_day_checked`].)
    pub fn check_before_run(&mut self) -> Result<()> {
        self.require_supervisor("run the daily close")?;
        let damage = integrity::quick_check(self.store.conn())?;
        refuse_damage(self.store.path(), &damage)?;
        self.check_record_before_run()
    }

    /// The record's part of [`Session::check_before_run`]: the key is here and the
    /// record still reaches and matches its latest anchor (one lookup).
    pub(super) fn check_record_before_run(&mut self) -> Result<()> {
        self.require_supervisor("run the daily close")?;
        if let Keying::Missing(path) = self.store.keying() {
            return Err(ServiceError::Store(crate::store::StoreError::Trust(
                events::missing_key(path),
            )));
        }
        self.key_legacy_database()?;
        let Keying::Keyed(key) = self.store.keying() else {
            return Ok(());
        };
        let anchors = self.store.read_anchors(key)?;
        if let Some(last) = anchors.binding().last()
            && last.seq > 0
        {
            let here = events::hash_of(self.store.conn(), last.seq)?;
            if here.as_deref() != Some(last.hash.as_str()) {
                return Err(ServiceError::Damaged(format!(
                    "the record no longer matches its latest anchor (event {}, anchored by {} of {} at {}): events were cut or rewritten. arq run will not work on it; see `arq audit verify`",
                    last.seq, last.what, last.by, last.at
                )));
            }
        }
        Ok(())
    }
}

/// What `PRAGMA quick_check` found in the file at `path`, as the run's refusal
/// (nothing when it found nothing).
pub(super) fn refuse_damage(path: &std::path::Path, damage: &[String]) -> Result<()> {
    if damage.is_empty() {
        return Ok(());
    }
    Err(ServiceError::Damaged(format!(
        "the database file {} is damaged ({}): arq run will not work on it. Restore the latest backup with `arq restore FILE` (see README \"Backups\")",
        path.display(),
        damage.join("; ")
    )))
}
