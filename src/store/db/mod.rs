//! The backend seam (DESIGN §3, §4): one handle, [`Db`], over a SQLite connection or
//! a PostgreSQL client, with the part of rusqlite's interface the repository modules
//! use (`prepare_cached`, `query_row`, `query_map`, `query`, `execute`, rows read with
//! `get`). A module written against it runs on either backend unchanged:
//!
//! - values are bound and read through rusqlite's own `ToSql`/`FromSql`, so every
//!   domain type (money in minor units, the closed vocabularies as text) has one
//!   spelling; on PostgreSQL each is put in the form the server's column asks for
//!   (a day's text becomes a `DATE`, an arq timestamp a `TIMESTAMPTZ`) and read back
//!   as SQLite would have held it ([`pg`]);
//! - statements are written once, in the dialect both share; the few spellings that
//!   differ are rewritten for PostgreSQL by [`dialect`], or given per backend with
//!   [`Db::pick`].
//!
//! Errors stay `rusqlite::Error` inside closures, as now; a server's error travels
//! wrapped in one and becomes `StoreError::Postgres` (or `Busy`) at the store's edge.

pub mod dialect;
pub mod pg;
#[cfg(test)]
mod tests;

use rusqlite::types::{ToSql, ValueRef};

pub use pg::PgConn;

/// A connection to either backend: cheap to copy, borrowed from its owner.
#[derive(Clone, Copy)]
pub enum Db<'c> {
    Lite(&'c rusqlite::Connection),
    Pg(&'c PgConn),
}

impl<'c> From<&'c rusqlite::Connection> for Db<'c> {
    fn from(c: &'c rusqlite::Connection) -> Db<'c> {
        Db::Lite(c)
    }
}

impl<'c> From<&'c rusqlite::Transaction<'_>> for Db<'c> {
    fn from(c: &'c rusqlite::Transaction<'_>) -> Db<'c> {
        Db::Lite(c)
    }
}

impl<'c> From<&'c PgConn> for Db<'c> {
    fn from(c: &'c PgConn) -> Db<'c> {
        Db::Pg(c)
    }
}

impl<'c> From<&Db<'c>> for Db<'c> {
    fn from(c: &Db<'c>) -> Db<'c> {
        *c
    }
}

/// Which backend a statement runs on, for the few that must be spelled apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The values bound to a statement's `?1, ?2, …`: `params![…]`, an array of one type
/// (`[id]`), an empty array, or a `Vec` of boxed values.
pub trait Params {
    fn values(&self) -> Vec<&dyn ToSql>;
}

impl Params for &[&dyn ToSql] {
    fn values(&self) -> Vec<&dyn ToSql> {
        self.to_vec()
    }
}

impl Params for [&(dyn ToSql + Send + Sync); 0] {
    fn values(&self) -> Vec<&dyn ToSql> {
        Vec::new()
    }
}

impl Params for Vec<&dyn ToSql> {
    fn values(&self) -> Vec<&dyn ToSql> {
        self.clone()
    }
}

impl Params for Vec<Box<dyn ToSql>> {
    fn values(&self) -> Vec<&dyn ToSql> {
        self.iter().map(|b| b.as_ref()).collect()
    }
}

impl Params for &Vec<Box<dyn ToSql>> {
    fn values(&self) -> Vec<&dyn ToSql> {
        self.iter().map(|b| b.as_ref()).collect()
    }
}

macro_rules! array_params {
    ($($n:literal)+) => {$(
        impl<T: ToSql> Params for [T; $n] {
            fn values(&self) -> Vec<&dyn ToSql> {
                self.iter().map(|v| v as &dyn ToSql).collect()
            }
        }
    )+};
}

array_params!(1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16);

impl<'c> Db<'c> {
    pub fn backend(&self) -> Backend {
        match self {
            Db::Lite(_) => Backend::Sqlite,
            Db::Pg(_) => Backend::Postgres,
        }
    }

    /// `lite` on SQLite, `pg` on PostgreSQL: for a statement the two dialects cannot
    /// share (and [`dialect`] does not rewrite).
    pub fn pick<T>(&self, lite: T, pg: T) -> T {
        match self {
            Db::Lite(_) => lite,
            Db::Pg(_) => pg,
        }
    }

    /// A statement, prepared once per connection and kept.
    pub fn prepare_cached(&self, sql: &str) -> rusqlite::Result<Statement<'c>> {
        match *self {
            Db::Lite(c) => Ok(Statement::Lite(c.prepare_cached(sql)?)),
            Db::Pg(c) => Ok(Statement::Pg {
                conn: c,
                sql: c.prepare(sql)?,
            }),
        }
    }

    /// A statement for one use (on PostgreSQL the same as [`Db::prepare_cached`]).
    pub fn prepare(&self, sql: &str) -> rusqlite::Result<Statement<'c>> {
        match *self {
            Db::Lite(c) => Ok(Statement::Once(c.prepare(sql)?)),
            Db::Pg(_) => self.prepare_cached(sql),
        }
    }

    pub fn execute(&self, sql: &str, params: impl Params) -> rusqlite::Result<usize> {
        self.prepare_cached(sql)?.execute(params)
    }

    /// Several statements without parameters, run as they are.
    pub fn execute_batch(&self, sql: &str) -> rusqlite::Result<()> {
        match self {
            Db::Lite(c) => c.execute_batch(sql),
            Db::Pg(c) => c.batch(&dialect::postgres(sql)),
        }
    }

    pub fn query_row<T>(
        &self,
        sql: &str,
        params: impl Params,
        f: impl FnOnce(&Row<'_>) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<T> {
        self.prepare_cached(sql)?.query_row(params, f)
    }

    /// Starts a read that sees one state of the database until the snapshot is
    /// dropped (the connection must not be in a transaction already).
    pub fn read_snapshot(&self) -> rusqlite::Result<ReadSnapshot<'c>> {
        match *self {
            Db::Lite(c) => Ok(ReadSnapshot {
                lite: Some(rusqlite::Transaction::new_unchecked(
                    c,
                    rusqlite::TransactionBehavior::Deferred,
                )?),
                pg: None,
            }),
            Db::Pg(p) => {
                p.batch("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")?;
                Ok(ReadSnapshot {
                    lite: None,
                    pg: Some(p),
                })
            }
        }
    }

    /// The key the last `INSERT` gave its row (an `INTEGER PRIMARY KEY` on SQLite,
    /// an identity column on PostgreSQL).
    pub fn last_insert_rowid(&self) -> rusqlite::Result<i64> {
        match self {
            Db::Lite(c) => Ok(c.last_insert_rowid()),
            Db::Pg(c) => c.last_value(),
        }
    }
}

/// One state of the database for a read that spans many statements, held until
/// dropped (a deferred transaction on SQLite, a repeatable-read one on a server).
pub struct ReadSnapshot<'c> {
    lite: Option<rusqlite::Transaction<'c>>,
    pg: Option<&'c PgConn>,
}

impl ReadSnapshot<'_> {
    pub fn db(&self) -> Db<'_> {
        match (&self.lite, self.pg) {
            (Some(t), _) => Db::from(t),
            (None, Some(p)) => Db::Pg(p),
            (None, None) => unreachable!("a snapshot holds one of the two"),
        }
    }
}

impl Drop for ReadSnapshot<'_> {
    fn drop(&mut self) {
        if let Some(p) = self.pg {
            let _ = p.batch("COMMIT");
        }
    }
}

/// A prepared statement of either backend.
pub enum Statement<'c> {
    Lite(rusqlite::CachedStatement<'c>),
    Once(rusqlite::Statement<'c>),
    Pg { conn: &'c PgConn, sql: pg::Prepared },
}

impl Statement<'_> {
    pub fn execute(&mut self, params: impl Params) -> rusqlite::Result<usize> {
        let values = params.values();
        match self {
            Statement::Lite(s) => s.execute(&*values),
            Statement::Once(s) => s.execute(&*values),
            Statement::Pg { conn, sql } => conn.execute(sql, &values),
        }
    }

    /// The rows, read one at a time.
    pub fn query(&mut self, params: impl Params) -> rusqlite::Result<Rows<'_>> {
        let values = params.values();
        Ok(match self {
            Statement::Lite(s) => Rows::Lite(s.query(&*values)?),
            Statement::Once(s) => Rows::Lite(s.query(&*values)?),
            Statement::Pg { conn, sql } => Rows::Pg {
                rows: conn.query(sql, &values)?.into_iter(),
                current: Vec::new(),
            },
        })
    }

    /// Each row through `f`, in order (read as they are asked for on SQLite).
    pub fn query_map<'s, T: 's>(
        &'s mut self,
        params: impl Params,
        mut f: impl FnMut(&Row<'_>) -> rusqlite::Result<T> + 's,
    ) -> rusqlite::Result<MappedRows<'s, T>> {
        let values = params.values();
        Ok(match self {
            Statement::Lite(s) => {
                MappedRows(Box::new(s.query_map(&*values, move |r| f(&Row::Lite(r)))?))
            }
            Statement::Once(s) => {
                MappedRows(Box::new(s.query_map(&*values, move |r| f(&Row::Lite(r)))?))
            }
            Statement::Pg { conn, sql } => {
                let rows = conn.query(sql, &values)?;
                MappedRows(Box::new(rows.into_iter().map(move |v| f(&Row::Values(&v)))))
            }
        })
    }

    /// The first row through `f`; `QueryReturnedNoRows` when there is none.
    pub fn query_row<T>(
        &mut self,
        params: impl Params,
        f: impl FnOnce(&Row<'_>) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<T> {
        let mut rows = self.query(params)?;
        match rows.next()? {
            Some(r) => f(&r),
            None => Err(rusqlite::Error::QueryReturnedNoRows),
        }
    }

    /// Whether the statement returns any row.
    pub fn exists(&mut self, params: impl Params) -> rusqlite::Result<bool> {
        Ok(self.query(params)?.next()?.is_some())
    }
}

/// Rows through a function, as an iterator (rusqlite's `MappedRows`).
pub struct MappedRows<'s, T>(Box<dyn Iterator<Item = rusqlite::Result<T>> + 's>);

impl<T> Iterator for MappedRows<'_, T> {
    type Item = rusqlite::Result<T>;

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next()
    }
}

/// Rows being read.
pub enum Rows<'s> {
    Lite(rusqlite::Rows<'s>),
    Pg {
        rows: std::vec::IntoIter<Vec<rusqlite::types::Value>>,
        current: Vec<rusqlite::types::Value>,
    },
}

impl Rows<'_> {
    /// The next row, or `None` after the last.
    #[allow(clippy::should_implement_trait)] // rusqlite's name: a lending iterator
    pub fn next(&mut self) -> rusqlite::Result<Option<Row<'_>>> {
        match self {
            Rows::Lite(r) => Ok(r.next()?.map(Row::Lite)),
            Rows::Pg { rows, current } => match rows.next() {
                Some(values) => {
                    *current = values;
                    Ok(Some(Row::Values(current)))
                }
                None => Ok(None),
            },
        }
    }
}

/// A column's number (rusqlite's `RowIndex`, by position only).
pub trait ColumnIndex {
    fn index(self) -> usize;
}

impl ColumnIndex for usize {
    fn index(self) -> usize {
        self
    }
}

/// One row of either backend.
pub enum Row<'r> {
    Lite(&'r rusqlite::Row<'r>),
    /// A server's row, already in SQLite's values.
    Values(&'r [rusqlite::types::Value]),
}

impl Row<'_> {
    /// Column `i` as `T`, read as rusqlite reads it.
    pub fn get<I: ColumnIndex, T: rusqlite::types::FromSql>(&self, i: I) -> rusqlite::Result<T> {
        let i = i.index();
        match self {
            Row::Lite(r) => r.get(i),
            Row::Values(v) => {
                let value = self.get_ref(i)?;
                T::column_result(value).map_err(|e| match e {
                    rusqlite::types::FromSqlError::InvalidType => {
                        rusqlite::Error::InvalidColumnType(
                            i,
                            format!("column {i}"),
                            ValueRef::from(&v[i]).data_type(),
                        )
                    }
                    other => rusqlite::Error::FromSqlConversionFailure(
                        i,
                        ValueRef::from(&v[i]).data_type(),
                        Box::new(other),
                    ),
                })
            }
        }
    }

    /// Column `i` as it is held.
    pub fn get_ref(&self, i: usize) -> rusqlite::Result<ValueRef<'_>> {
        match self {
            Row::Lite(r) => r.get_ref(i),
            Row::Values(v) => v
                .get(i)
                .map(ValueRef::from)
                .ok_or(rusqlite::Error::InvalidColumnIndex(i)),
        }
    }
}
