//! The PostgreSQL side of the seam: a client with its prepared statements, and the
//! translation of values between rusqlite's forms and the server's column types.

use std::cell::RefCell;
use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use postgres::types::{IsNull, ToSql as PgToSql, Type, to_sql_checked};
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

/// A statement prepared on the server.
pub type Prepared = postgres::Statement;

/// A PostgreSQL connection with the statements it has prepared.
pub struct PgConn {
    client: RefCell<postgres::Client>,
    prepared: RefCell<HashMap<String, Prepared>>,
    /// Changes other connections announced (`NOTIFY arq_changed`) since this one
    /// started listening.
    heard: std::cell::Cell<i64>,
    /// Rows waiting to go to the server, by bulk statement (see [`PgConn::defer`]).
    deferred: RefCell<Vec<Deferred>>,
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
        }
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
            let bound = bind(&stmt, &[&json])?;
            self.client
                .borrow_mut()
                .execute(&stmt, &as_refs(&bound))
                .map_err(wrap)?;
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

    /// `sql` (in the shared dialect) prepared on the server, once.
    pub fn prepare(&self, sql: &str) -> rusqlite::Result<Prepared> {
        if let Some(p) = self.prepared.borrow().get(sql) {
            return Ok(p.clone());
        }
        let text = dialect::postgres(sql);
        let p = self.client.borrow_mut().prepare(&text).map_err(|e| {
            // A statement the server will not take is arq's mistake: name it.
            let short: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
            let short: String = short.chars().take(240).collect();
            refuse(format!("{} (in: {short})", ServerError(e)))
        })?;
        self.prepared
            .borrow_mut()
            .insert(sql.to_string(), p.clone());
        Ok(p)
    }

    pub fn execute(&self, stmt: &Prepared, values: &[&dyn ToSql]) -> rusqlite::Result<usize> {
        self.flush()?;
        let bound = bind(stmt, values)?;
        let refs = as_refs(&bound);
        let n = self
            .client
            .borrow_mut()
            .execute(stmt, &refs)
            .map_err(wrap)?;
        Ok(n as usize)
    }

    /// Every row, in SQLite's values.
    pub fn query(
        &self,
        stmt: &Prepared,
        values: &[&dyn ToSql],
    ) -> rusqlite::Result<Vec<Vec<Value>>> {
        self.flush()?;
        let bound = bind(stmt, values)?;
        let refs = as_refs(&bound);
        let rows = self.client.borrow_mut().query(stmt, &refs).map_err(wrap)?;
        rows.iter().map(read_row).collect()
    }

    pub fn batch(&self, sql: &str) -> rusqlite::Result<()> {
        self.flush()?;
        self.client.borrow_mut().batch_execute(sql).map_err(wrap)
    }

    /// How many committed writes this connection has heard of: a number that changes
    /// whenever anyone commits (SQLite's `data_version`, by `LISTEN/NOTIFY`). Reads
    /// what the server has sent without waiting for more.
    pub fn changes(&self) -> rusqlite::Result<i64> {
        use postgres::fallible_iterator::FallibleIterator;
        self.flush()?;
        let mut client = self.client.borrow_mut();
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

/// The values of `values`, checked against the statement's parameter count.
fn bind(stmt: &Prepared, values: &[&dyn ToSql]) -> rusqlite::Result<Vec<Bound>> {
    let wanted = stmt.params().len();
    if wanted != values.len() {
        return Err(rusqlite::Error::InvalidParameterCount(values.len(), wanted));
    }
    values.iter().map(|v| Bound::of(*v)).collect()
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

/// Reads an arq timestamp (or any RFC 3339 moment).
fn moment(s: &str) -> Option<DateTime<Utc>> {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.fZ")
        .map(|t| t.and_utc())
        .ok()
        .or_else(|| {
            DateTime::parse_from_rfc3339(s)
                .ok()
                .map(|t| t.with_timezone(&Utc))
        })
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
            Bound::Text(s) => match *ty {
                Type::DATE => put(
                    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| mismatch())?,
                    ty,
                    out,
                ),
                Type::TIMESTAMPTZ => put(moment(s).ok_or_else(mismatch)?, ty, out),
                Type::INT8 => put(s.parse::<i64>().map_err(|_| mismatch())?, ty, out),
                Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN => {
                    put(s.as_str(), ty, out)
                }
                _ => Err(mismatch()),
            },
            Bound::Blob(b) => match *ty {
                Type::BYTEA => put(b.as_slice(), ty, out),
                _ => Err(mismatch()),
            },
        }
    }

    fn accepts(_: &Type) -> bool {
        true
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
