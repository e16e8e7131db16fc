//! The PostgreSQL side of the seam: a client with its prepared statements, and the
//! translation of values between rusqlite's forms and the server's column types.

use std::cell::RefCell;
use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use postgres::types::{Format, IsNull, Kind, ToSql as PgToSql, Type, to_sql_checked};
use rusqlite::types::{ToSql, ToSqlOutput, Value, ValueRef};

use super::dialect;
use crate::store::events::timestamp;

/// A server's error, carried inside a `rusqlite::Error` through the repository code.
#[derive(Debug)]
pub struct ServerError(pub postgres::Error);

impl std::fmt::Display for ServerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&crate::store::pg::describe(&self.0))
    }
}

impl std::error::Error for ServerError {}

impl ServerError {
    /// Whether the server gave up on the transaction because another one got in
    /// its way (serialization failure or deadlock): worth trying again.
    /// Whether the server gave up waiting for a lock (`lock_timeout`): another
    /// writer held it too long.
    pub fn is_lock_timeout(&self) -> bool {
        self.0
            .code()
            .is_some_and(|c| *c == postgres::error::SqlState::LOCK_NOT_AVAILABLE)
    }

    pub fn is_conflict(&self) -> bool {
        use postgres::error::SqlState;
        self.0.code().is_some_and(|c| {
            *c == SqlState::T_R_SERIALIZATION_FAILURE || *c == SqlState::T_R_DEADLOCK_DETECTED
        })
    }
}

fn wrap(e: postgres::Error) -> rusqlite::Error {
    rusqlite::Error::ToSqlConversionFailure(Box::new(ServerError(e)))
}

fn refuse(why: String) -> rusqlite::Error {
    rusqlite::Error::ToSqlConversionFailure(why.into())
}

/// A statement of the shared dialect, as the connection knows it (see
/// [`PgConn::prepare`]): its text, cheap to clone.
#[derive(Clone, Debug)]
pub struct Prepared(std::sync::Arc<str>);

/// What a connection keeps of a statement.
enum Kept {
    /// Translated, not yet run: its first run goes with its values in one round trip.
    Fresh(String),
    /// Run once as text; prepared on the server when it runs again.
    Ran(String),
    /// Prepared on the server: each run is one round trip without parsing.
    Named(postgres::Statement),
}

/// A PostgreSQL connection with the statements it has prepared.
pub struct PgConn {
    client: RefCell<postgres::Client>,
    prepared: RefCell<HashMap<std::sync::Arc<str>, Kept>>,
    /// Changes other connections announced (`NOTIFY arq_changed`) since this one
    /// started listening.
    heard: std::cell::Cell<i64>,
    /// Rows waiting to go to the server, by bulk statement (see [`PgConn::defer`]).
    deferred: RefCell<Vec<Deferred>>,
    /// Whether this connection has asked to hear of others' commits yet.
    listening: std::cell::Cell<bool>,
    /// The role the connection logged in as, when read at opening.
    login: Option<String>,
}

/// Rows for one bulk statement, not sent yet.
struct Deferred {
    bulk: &'static str,
    rows: Vec<serde_json::Value>,
}

/// At most this many rows wait for one bulk statement.
const DEFER_AT_MOST: usize = 2000;

/// The channel every committed write is announced on.
pub const CHANNEL: &str = "arq_changed";

impl PgConn {
    pub fn new(client: postgres::Client) -> PgConn {
        PgConn {
            client: RefCell::new(client),
            prepared: RefCell::new(HashMap::new()),
            heard: std::cell::Cell::new(0),
            deferred: RefCell::new(Vec::new()),
            listening: std::cell::Cell::new(false),
            login: None,
        }
    }

    /// The connection, knowing which role it logged in as.
    pub fn logged_in_as(self, login: String) -> PgConn {
        PgConn {
            login: Some(login),
            ..self
        }
    }

    /// The role the connection logged in as, when known without asking.
    pub fn login(&self) -> Option<String> {
        self.login.clone()
    }

    /// Queues `row` for `bulk`, a statement that takes every queued row at once as a
    /// JSON array (its `?1`). The rows go before this connection's next statement (or
    /// the commit), one round trip per bulk statement, so whatever is read next sees
    /// them; an error from them shows at that statement. Rows for one bulk keep their
    /// order; different bulks go in the order they were first used, so they must not
    /// depend on each other (events and message cancellations do not). Appending
    /// hundreds of rows one round trip each was most of a daily run's time.
    pub fn defer(&self, bulk: &'static str, row: serde_json::Value) -> rusqlite::Result<()> {
        let full = {
            let mut waiting = self.deferred.borrow_mut();
            match waiting.iter_mut().find(|d| d.bulk == bulk) {
                Some(d) => d.rows.push(row),
                None => waiting.push(Deferred {
                    bulk,
                    rows: vec![row],
                }),
            }
            waiting.iter().any(|d| d.rows.len() >= DEFER_AT_MOST)
        };
        if full {
            self.flush()?;
        }
        Ok(())
    }

    /// Sends the rows [`PgConn::defer`] queued.
    pub fn flush(&self) -> rusqlite::Result<()> {
        let waiting = std::mem::take(&mut *self.deferred.borrow_mut());
        for d in waiting {
            let stmt = self.prepare(d.bulk)?;
            let json = serde_json::Value::Array(d.rows).to_string();
            self.run(&stmt, &[&json], Run::Execute)?;
        }
        Ok(())
    }

    /// Ends the transaction undone, with whatever was still queued for it.
    pub fn rollback(&self) -> rusqlite::Result<()> {
        self.deferred.borrow_mut().clear();
        self.client
            .borrow_mut()
            .batch_execute("ROLLBACK")
            .map_err(wrap)
    }

    /// The client itself, for what the seam does not cover (copying, migrations).
    pub fn client(&self) -> std::cell::RefMut<'_, postgres::Client> {
        self.client.borrow_mut()
    }

    /// `sql` (in the shared dialect), translated once per connection. A statement
    /// is prepared on the server only when it runs a second time: most of a
    /// command's statements run once, and preparing first costs a round trip of its
    /// own (a queue read on a fresh connection is mostly round trips).
    pub fn prepare(&self, sql: &str) -> rusqlite::Result<Prepared> {
        if let Some((key, _)) = self.prepared.borrow().get_key_value(sql) {
            return Ok(Prepared(key.clone()));
        }
        let key: std::sync::Arc<str> = sql.into();
        self.prepared
            .borrow_mut()
            .insert(key.clone(), Kept::Fresh(dialect::postgres(sql)));
        Ok(Prepared(key))
    }

    pub fn execute(&self, stmt: &Prepared, values: &[&dyn ToSql]) -> rusqlite::Result<usize> {
        match self.run(stmt, values, Run::Execute)? {
            Ran::Count(n) => Ok(n as usize),
            Ran::Rows(rows) => Ok(rows.len()),
        }
    }

    /// Every row, in SQLite's values.
    pub fn query(
        &self,
        stmt: &Prepared,
        values: &[&dyn ToSql],
    ) -> rusqlite::Result<Vec<Vec<Value>>> {
        match self.run(stmt, values, Run::Query)? {
            Ran::Rows(rows) => rows.iter().map(read_row).collect(),
            Ran::Count(_) => Ok(Vec::new()),
        }
    }

    /// Runs `stmt` with `values`: as text with its values the first time (the
    /// server infers the parameters' types and reads the values as text), prepared
    /// and bound in binary from the second time on.
    fn run(&self, stmt: &Prepared, values: &[&dyn ToSql], how: Run) -> rusqlite::Result<Ran> {
        self.flush()?;
        let bound: Vec<Bound> = values
            .iter()
            .map(|v| Bound::of(*v))
            .collect::<rusqlite::Result<_>>()?;
        let prepared = {
            let mut kept = self.prepared.borrow_mut();
            let entry = kept.get_mut(&*stmt.0).ok_or_else(|| {
                refuse(format!(
                    "a statement this connection did not prepare: {}",
                    stmt.0
                ))
            })?;
            match entry {
                Kept::Named(p) => p.clone(),
                Kept::Fresh(text) => {
                    let text = std::mem::take(text);
                    *entry = Kept::Ran(text.clone());
                    drop(kept);
                    let inferred =
                        Type::new("unknown".into(), 0, Kind::Simple, "pg_catalog".into());
                    let typed: Vec<(&(dyn PgToSql + Sync), Type)> = bound
                        .iter()
                        .map(|b| (b as &(dyn PgToSql + Sync), inferred.clone()))
                        .collect();
                    let mut client = self.client.borrow_mut();
                    return match how {
                        Run::Execute => client.execute_typed(&text, &typed).map(Ran::Count),
                        Run::Query => client.query_typed(&text, &typed).map(Ran::Rows),
                    }
                    .map_err(wrap);
                }
                Kept::Ran(text) => {
                    let p = self.client.borrow_mut().prepare(text).map_err(|e| {
                        // A statement the server will not take is arq's mistake: name it.
                        let short: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
                        let short: String = short.chars().take(240).collect();
                        refuse(format!("{} (in: {short})", ServerError(e)))
                    })?;
                    *entry = Kept::Named(p.clone());
                    p
                }
            }
        };
        let p = prepared;
        if p.params().len() != bound.len() {
            return Err(rusqlite::Error::InvalidParameterCount(
                bound.len(),
                p.params().len(),
            ));
        }
        let refs = as_refs(&bound);
        let mut client = self.client.borrow_mut();
        match how {
            Run::Execute => client.execute(&p, &refs).map(Ran::Count),
            Run::Query => client.query(&p, &refs).map(Ran::Rows),
        }
        .map_err(wrap)
    }

    pub fn batch(&self, sql: &str) -> rusqlite::Result<()> {
        self.flush()?;
        self.client.borrow_mut().batch_execute(sql).map_err(wrap)
    }

    /// How many committed writes this connection has heard of: a number that changes
    /// whenever anyone commits (SQLite's `data_version`, by `LISTEN/NOTIFY`). Reads
    /// what the server has sent without waiting for more. The connection starts
    /// listening at its first call (a command that never asks pays nothing).
    pub fn changes(&self) -> rusqlite::Result<i64> {
        use postgres::fallible_iterator::FallibleIterator;
        self.flush()?;
        let mut client = self.client.borrow_mut();
        if !self.listening.get() {
            client
                .batch_execute(&format!("LISTEN {CHANNEL}"))
                .map_err(wrap)?;
            self.listening.set(true);
        }
        // A round trip reads whatever the server has sent since the last one.
        client.batch_execute("").map_err(wrap)?;
        let n = client.notifications().iter().count().map_err(wrap)?;
        self.heard.set(self.heard.get() + n as i64);
        Ok(self.heard.get())
    }

    /// The value the last `INSERT` drew from an identity column in this session.
    pub fn last_value(&self) -> rusqlite::Result<i64> {
        self.flush()?;
        self.client
            .borrow_mut()
            .query_one("SELECT lastval()", &[])
            .map(|r| r.get(0))
            .map_err(wrap)
    }
}

fn as_refs(bound: &[Bound]) -> Vec<&(dyn PgToSql + Sync)> {
    bound.iter().map(|b| b as &(dyn PgToSql + Sync)).collect()
}

/// Whether a statement's result is its rows or the number of rows it changed.
#[derive(Clone, Copy)]
enum Run {
    Execute,
    Query,
}

enum Ran {
    Count(u64),
    Rows(Vec<postgres::Row>),
}

/// A value on its way to the server, as rusqlite would have bound it.
#[derive(Debug)]
enum Bound {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

impl Bound {
    fn of(v: &dyn ToSql) -> rusqlite::Result<Bound> {
        let out = v.to_sql()?;
        let value = match &out {
            ToSqlOutput::Borrowed(r) => *r,
            ToSqlOutput::Owned(v) => ValueRef::from(v),
            other => {
                return Err(refuse(format!(
                    "a value of a kind the server cannot take: {other:?}"
                )));
            }
        };
        Ok(match value {
            ValueRef::Null => Bound::Null,
            ValueRef::Integer(i) => Bound::Int(i),
            ValueRef::Real(f) => Bound::Real(f),
            ValueRef::Text(t) => Bound::Text(String::from_utf8_lossy(t).into_owned()),
            ValueRef::Blob(b) => Bound::Blob(b.to_vec()),
        })
    }
}

impl Bound {
    /// The value in the server's text form (for a parameter whose type the server
    /// infers): it reads `1` as true, `2026-11-20` as a day, arq's timestamps as
    /// moments.
    fn as_text(&self) -> String {
        match self {
            Bound::Null => String::new(),
            Bound::Int(i) => i.to_string(),
            Bound::Real(f) if f.is_nan() => "NaN".into(),
            Bound::Real(f) if f.is_infinite() => {
                if *f > 0.0 { "Infinity" } else { "-Infinity" }.into()
            }
            Bound::Real(f) => f.to_string(),
            Bound::Text(s) => s.clone(),
            Bound::Blob(b) => {
                use std::fmt::Write;
                let mut hex = String::with_capacity(2 + 2 * b.len());
                hex.push_str("\\x");
                for byte in b {
                    let _ = write!(hex, "{byte:02x}");
                }
                hex
            }
        }
    }
}

type Boxed = Box<dyn std::error::Error + Sync + Send>;

/// `v` in the server's binary form of `ty`.
fn put<T: PgToSql>(
    v: T,
    ty: &Type,
    out: &mut postgres::types::private::BytesMut,
) -> Result<IsNull, Boxed> {
    v.to_sql(ty, out)
}

impl PgToSql for Bound {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut postgres::types::private::BytesMut,
    ) -> Result<IsNull, Boxed> {
        let mismatch = || -> Boxed { format!("{self:?} cannot be sent as {ty}").into() };
        if ty.oid() == 0 {
            // A type the server infers: the value goes as text (see `encode_format`).
            return Ok(match self {
                Bound::Null => IsNull::Yes,
                other => {
                    out.extend_from_slice(other.as_text().as_bytes());
                    IsNull::No
                }
            });
        }
        match self {
            Bound::Null => Ok(IsNull::Yes),
            Bound::Int(i) => match *ty {
                Type::INT8 => put(*i, ty, out),
                Type::INT4 => put(i32::try_from(*i)?, ty, out),
                Type::INT2 => put(i16::try_from(*i)?, ty, out),
                Type::BOOL => put(*i != 0, ty, out),
                Type::FLOAT8 => put(*i as f64, ty, out),
                Type::NUMERIC => put(rust_decimal::Decimal::from(*i), ty, out),
                Type::TEXT | Type::VARCHAR => put(i.to_string(), ty, out),
                _ => Err(mismatch()),
            },
            Bound::Real(f) => match *ty {
                Type::FLOAT8 => put(*f, ty, out),
                Type::FLOAT4 => put(*f as f32, ty, out),
                _ => Err(mismatch()),
            },
            Bound::Text(s) => {
                // Text goes as text (see `encode_format`): the server reads it as
                // the parameter's type, a day, a moment or a number, or refuses it.
                out.extend_from_slice(s.as_bytes());
                Ok(IsNull::No)
            }
            Bound::Blob(b) => match *ty {
                Type::BYTEA => put(b.as_slice(), ty, out),
                _ => Err(mismatch()),
            },
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    /// Text, and anything whose type the server infers, goes in the server's
    /// text form, so a statement reads its values the same way on its first run
    /// (unprepared) as on later ones (prepared).
    fn encode_format(&self, ty: &Type) -> Format {
        if ty.oid() == 0 || matches!(self, Bound::Text(_)) {
            Format::Text
        } else {
            Format::Binary
        }
    }

    to_sql_checked!();
}

/// A server's row in the values SQLite would have held: days and moments as arq's
/// text, truth as 0 or 1, whole numbers as integers.
fn read_row(row: &postgres::Row) -> rusqlite::Result<Vec<Value>> {
    (0..row.len())
        .map(|i| {
            let ty = row.columns()[i].type_().clone();
            let v = match ty {
                Type::INT8 => row
                    .try_get::<_, Option<i64>>(i)
                    .map(|v| v.map(Value::Integer)),
                Type::INT4 => row
                    .try_get::<_, Option<i32>>(i)
                    .map(|v| v.map(|x| Value::Integer(x.into()))),
                Type::INT2 => row
                    .try_get::<_, Option<i16>>(i)
                    .map(|v| v.map(|x| Value::Integer(x.into()))),
                Type::BOOL => row
                    .try_get::<_, Option<bool>>(i)
                    .map(|v| v.map(|x| Value::Integer(x.into()))),
                Type::FLOAT8 => row.try_get::<_, Option<f64>>(i).map(|v| v.map(Value::Real)),
                Type::FLOAT4 => row
                    .try_get::<_, Option<f32>>(i)
                    .map(|v| v.map(|x| Value::Real(x.into()))),
                Type::NUMERIC => row.try_get::<_, Option<rust_decimal::Decimal>>(i).map(|v| {
                    v.map(|d| {
                        use rust_decimal::prelude::ToPrimitive;
                        match (d.fract().is_zero(), d.to_i64()) {
                            (true, Some(i)) => Value::Integer(i),
                            _ => Value::Real(d.to_f64().unwrap_or(f64::NAN)),
                        }
                    })
                }),
                Type::DATE => row
                    .try_get::<_, Option<NaiveDate>>(i)
                    .map(|v| v.map(|d| Value::Text(d.format("%Y-%m-%d").to_string()))),
                Type::TIMESTAMPTZ => row
                    .try_get::<_, Option<DateTime<Utc>>>(i)
                    .map(|v| v.map(|t| Value::Text(timestamp(t)))),
                Type::BYTEA => row
                    .try_get::<_, Option<Vec<u8>>>(i)
                    .map(|v| v.map(Value::Blob)),
                _ => row
                    .try_get::<_, Option<String>>(i)
                    .map(|v| v.map(Value::Text)),
            };
            v.map(|v| v.unwrap_or(Value::Null)).map_err(wrap)
        })
        .collect()
}
