//! Moving a whole shop between a SQLite file and a PostgreSQL database, row for row:
//! every table in the order its references allow, each value converted by the
//! server's column type and checked to come back exactly as it was written (so the
//! event chain's hashes still hold on the other side).

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use postgres::binary_copy::BinaryCopyInWriter;
use postgres::types::{IsNull, ToSql, Type, to_sql_checked};
use postgres::{Client, Transaction};
use rusqlite::types::ValueRef;

use crate::progress::{Progress, Unit};
use crate::store::db::Db;
use crate::store::events::timestamp;
use crate::store::{Result, StoreError};

/// The shop's tables in an order their references allow, each with the columns that
/// order its rows.
pub const TABLES: [(&str, &str); 30] = [
    ("meta", "key"),
    ("users", "name"),
    ("strategies", "id"),
    ("strategy_versions", "strategy_id, version"),
    ("customers", "id"),
    ("invoices", "invoice_no"),
    ("payments", "payment_id"),
    ("allocations", "id"),
    ("cycles", "id"),
    ("steps_done", "cycle_id, step_index"),
    ("tasks", "id"),
    ("disputes", "id"),
    ("holds", "id"),
    ("calls", "id"),
    ("outbox", "id"),
    ("runs", "id"),
    ("events", "seq"),
    ("promises", "id"),
    ("plans", "id"),
    ("plan_installments", "plan_id, seq"),
    ("write_offs", "id"),
    ("write_off_invoices", "write_off_id, invoice_no"),
    ("placements", "id"),
    ("kpi_daily", "day"),
    ("objectives", "id"),
    ("account_flags", "id"),
    ("pre_due_reminders", "id"),
    ("customer_behaviour", "customer_id"),
    ("behaviour_model", "as_of"),
    ("behaviour_classes", "customer_id, as_of"),
];

/// The files that travel with a shop (its audit key and its anchors), by name.
pub type Files = Vec<(String, Vec<u8>)>;

/// What a copy moved.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Copied {
    pub tables: usize,
    pub rows: u64,
    pub events: u64,
    /// The last event's number and hash on the side written.
    pub head: Option<(i64, String)>,
}

/// How a column is held on the server, and so how its SQLite value is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Int,
    Real,
    Text,
    Day,
    Moment,
}

struct Column {
    name: String,
    kind: Kind,
}

/// The columns of `table` on the server, in order.
fn columns(tx: &mut Transaction<'_>, table: &str) -> Result<Vec<Column>> {
    let rows = tx.query(
        "SELECT column_name::TEXT, data_type::TEXT FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
        &[&table],
    )?;
    rows.iter()
        .map(|r| {
            let name: String = r.get(0);
            let ty: String = r.get(1);
            let kind = match ty.as_str() {
                "bigint" => Kind::Int,
                "double precision" => Kind::Real,
                "text" => Kind::Text,
                "date" => Kind::Day,
                "timestamp with time zone" => Kind::Moment,
                other => {
                    return Err(StoreError::Postgres(format!(
                        "{table}.{name} is of type {other}, which arq does not copy"
                    )));
                }
            };
            Ok(Column { name, kind })
        })
        .collect()
}

fn pg_type(kind: Kind) -> Type {
    match kind {
        Kind::Int => Type::INT8,
        Kind::Real => Type::FLOAT8,
        Kind::Text => Type::TEXT,
        Kind::Day => Type::DATE,
        Kind::Moment => Type::TIMESTAMPTZ,
    }
}

/// One value on its way to the server.
#[derive(Debug)]
enum Cell {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Day(NaiveDate),
    Moment(DateTime<Utc>),
}

impl ToSql for Cell {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut postgres::types::private::BytesMut,
    ) -> std::result::Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Cell::Null => Ok(IsNull::Yes),
            Cell::Int(v) => v.to_sql(ty, out),
            Cell::Real(v) => v.to_sql(ty, out),
            Cell::Text(v) => v.to_sql(ty, out),
            Cell::Day(v) => v.to_sql(ty, out),
            Cell::Moment(v) => v.to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

const DAY: &str = "%Y-%m-%d";

/// Reads an arq timestamp (`timestamp`'s format) back.
fn parse_moment(s: &str) -> Option<DateTime<Utc>> {
    let t = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.fZ").ok()?;
    let t = t.and_utc();
    (timestamp(t) == s).then_some(t)
}

fn parse_day(s: &str) -> Option<NaiveDate> {
    let d = NaiveDate::parse_from_str(s, DAY).ok()?;
    (d.format(DAY).to_string() == s).then_some(d)
}

/// The SQLite value `v` of `col` as the server holds it; `None` when it has no
/// exact form there.
fn to_cell(v: ValueRef<'_>, col: &Column) -> Option<Cell> {
    let text = |v: ValueRef<'_>| match v {
        ValueRef::Text(t) => std::str::from_utf8(t).ok().map(str::to_string),
        _ => None,
    };
    if let ValueRef::Null = v {
        return Some(Cell::Null);
    }
    match col.kind {
        Kind::Int => match v {
            ValueRef::Integer(i) => Some(Cell::Int(i)),
            _ => None,
        },
        Kind::Real => match v {
            ValueRef::Real(f) => Some(Cell::Real(f)),
            ValueRef::Integer(i) => Some(Cell::Real(i as f64)),
            _ => None,
        },
        Kind::Text => text(v).map(Cell::Text),
        Kind::Day => text(v).and_then(|s| parse_day(&s)).map(Cell::Day),
        Kind::Moment => text(v).and_then(|s| parse_moment(&s)).map(Cell::Moment),
    }
}

fn describe_value(v: ValueRef<'_>) -> String {
    match v {
        ValueRef::Null => "NULL".into(),
        ValueRef::Integer(i) => i.to_string(),
        ValueRef::Real(f) => f.to_string(),
        ValueRef::Text(t) => format!("'{}'", String::from_utf8_lossy(t)),
        ValueRef::Blob(b) => format!("{} bytes of binary data", b.len()),
    }
}

fn expected(kind: Kind) -> &'static str {
    match kind {
        Kind::Int => "a whole number",
        Kind::Real => "a number",
        Kind::Text => "text",
        Kind::Day => "a day written YYYY-MM-DD",
        Kind::Moment => "an arq timestamp (YYYY-MM-DDTHH:MM:SS.ffffffZ)",
    }
}

/// Whether the server's database already holds a shop.
fn holds_a_shop(tx: &mut Transaction<'_>) -> Result<bool> {
    Ok(tx.query_opt("SELECT 1 FROM meta LIMIT 1", &[])?.is_some())
}

/// Copies the shop read by `src` (inside one read transaction, so it is one moment
/// of the shop) into the server `client` is connected to, with `files` (key and
/// anchors) kept where only the owner reads them. The server's database must hold no
/// shop yet; the copy is one transaction there, committed only when the server's
/// record ends at `head` (the file's, verified in the same moment): all of it, or
/// nothing.
pub fn to_server(
    src: Db<'_>,
    client: &mut Client,
    files: &Files,
    head: Option<(i64, String)>,
    progress: &dyn Progress,
) -> Result<Copied> {
    let mut tx = client.transaction()?;
    super::migrate_in(&mut tx)?;
    if holds_a_shop(&mut tx)? {
        return Err(StoreError::Postgres(
            "this database already holds an arq shop: copy into a new, empty database".into(),
        ));
    }
    let mut total = 0u64;
    for (table, _) in TABLES {
        let n: i64 = src.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))?;
        total += n as u64;
    }
    progress.phase("copying to the server", Some(total), Unit::Rows);
    let mut copied = Copied::default();
    for (table, order) in TABLES {
        let cols = columns(&mut tx, table)?;
        let names: Vec<&str> = cols.iter().map(|c| c.name.as_str()).collect();
        let list = names.join(", ");
        let mut stmt = src
            .prepare(&format!("SELECT {list} FROM {table} ORDER BY {order}"))
            .map_err(|e| {
                StoreError::Corrupt(format!(
                    "the file's table {table} does not have the columns the server's has ({list}): {e}"
                ))
            })?;
        let types: Vec<Type> = cols.iter().map(|c| pg_type(c.kind)).collect();
        let sink = tx.copy_in(&format!("COPY {table} ({list}) FROM STDIN (FORMAT binary)"))?;
        let mut writer = BinaryCopyInWriter::new(sink, &types);
        let mut rows = stmt.query([])?;
        let mut n = 0u64;
        let mut cells: Vec<Cell> = Vec::with_capacity(cols.len());
        while let Some(row) = rows.next()? {
            n += 1;
            cells.clear();
            for (i, col) in cols.iter().enumerate() {
                let v = row.get_ref(i)?;
                let cell = to_cell(v, col).ok_or_else(|| {
                    StoreError::Corrupt(format!(
                        "{table} row {n} (ordered by {order}): {} holds {}, not {}; nothing was copied",
                        col.name,
                        describe_value(v),
                        expected(col.kind)
                    ))
                })?;
                cells.push(cell);
            }
            let refs: Vec<&(dyn ToSql + Sync)> =
                cells.iter().map(|c| c as &(dyn ToSql + Sync)).collect();
            writer.write(&refs)?;
            progress.advance(1);
        }
        writer.finish()?;
        copied.tables += 1;
        copied.rows += n;
        if table == "events" {
            copied.events = n;
        }
    }
    restart_identities(&mut tx)?;
    for (name, body) in files {
        tx.execute(
            "INSERT INTO arq_files (name, body) VALUES ($1, $2)",
            &[name, body],
        )?;
    }
    let users = tx.query("SELECT name, role FROM users ORDER BY name", &[])?;
    for u in users {
        let (name, role): (String, String) = (u.get(0), u.get(1));
        super::ensure_login_in(&mut tx, &name, &role, None)?;
    }
    copied.head = tx
        .query_opt(
            "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1",
            &[],
        )?
        .map(|r| (r.get(0), r.get(1)));
    if copied.head != head {
        // Dropping the transaction rolls all of it back, roles included.
        return Err(StoreError::Postgres(format!(
            "the server's record would end at {:?}, the file's ends at {:?}: nothing was copied",
            copied.head, head
        )));
    }
    tx.commit()?;
    progress.finish();
    Ok(copied)
}

/// Sets every generated key to follow the largest one copied.
fn restart_identities(tx: &mut Transaction<'_>) -> Result<()> {
    let rows = tx.query(
        "SELECT table_name::TEXT, column_name::TEXT FROM information_schema.columns
         WHERE table_schema = current_schema() AND is_identity = 'YES'",
        &[],
    )?;
    for r in rows {
        let (table, column): (String, String) = (r.get(0), r.get(1));
        tx.batch_execute(&format!(
            "SELECT setval(pg_get_serial_sequence('{table}', '{column}'), COALESCE(MAX({column}), 0) + 1, false) FROM {table}"
        ))?;
    }
    Ok(())
}

/// The SQLite value of server value `i` of `row`.
fn from_cell(row: &postgres::Row, i: usize, kind: Kind) -> Result<rusqlite::types::Value> {
    use rusqlite::types::Value;
    let v = match kind {
        Kind::Int => row.try_get::<_, Option<i64>>(i)?.map(Value::Integer),
        Kind::Real => row.try_get::<_, Option<f64>>(i)?.map(Value::Real),
        Kind::Text => row.try_get::<_, Option<String>>(i)?.map(Value::Text),
        Kind::Day => row
            .try_get::<_, Option<NaiveDate>>(i)?
            .map(|d| Value::Text(d.format(DAY).to_string())),
        Kind::Moment => row
            .try_get::<_, Option<DateTime<Utc>>>(i)?
            .map(|t| Value::Text(timestamp(t))),
    };
    Ok(v.unwrap_or(Value::Null))
}

/// Copies the shop on the server into `dest`, a new SQLite database with arq's
/// schema and no rows, inside one transaction of each; returns the files (key,
/// anchors) the server kept for it. The server side reads one moment of the shop
/// (a repeatable-read transaction); only its owner can read the files.
pub fn to_file(
    client: &mut Client,
    dest: &mut rusqlite::Connection,
    progress: &dyn Progress,
) -> Result<(Copied, Files)> {
    let mut tx = client
        .build_transaction()
        .isolation_level(postgres::IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()?;
    if super::schema_version_in(&mut tx)? == 0 || !holds_a_shop(&mut tx)? {
        return Err(StoreError::Postgres(
            "this database holds no arq shop to copy".into(),
        ));
    }
    if super::schema_version_in(&mut tx)? > super::LATEST_SCHEMA {
        return Err(StoreError::Postgres(
            "this database was brought up to date by a newer arq: copy it with that one".into(),
        ));
    }
    let files: Files = tx
        .query("SELECT name, body FROM arq_files ORDER BY name", &[])
        .map_err(|e| {
            StoreError::Postgres(format!(
                "cannot read the shop's audit key on the server ({}): copy it as the role that owns the database",
                super::describe(&e)
            ))
        })?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let mut total = 0u64;
    for (table, _) in TABLES {
        let n: i64 = tx
            .query_one(&format!("SELECT COUNT(*) FROM {table}"), &[])?
            .get(0);
        total += n as u64;
    }
    progress.phase("copying from the server", Some(total), Unit::Rows);
    let out = dest.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let mut copied = Copied::default();
    for (table, order) in TABLES {
        let cols = columns(&mut tx, table)?;
        let list = cols
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let marks = (1..=cols.len())
            .map(|i| format!("?{i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let mut insert = out.prepare(&format!("INSERT INTO {table} ({list}) VALUES ({marks})"))?;
        let portal = tx.bind(&format!("SELECT {list} FROM {table} ORDER BY {order}"), &[])?;
        let mut n = 0u64;
        loop {
            let batch = tx.query_portal(&portal, 4096)?;
            if batch.is_empty() {
                break;
            }
            for row in &batch {
                let values = cols
                    .iter()
                    .enumerate()
                    .map(|(i, c)| from_cell(row, i, c.kind))
                    .collect::<Result<Vec<_>>>()?;
                insert.execute(rusqlite::params_from_iter(values))?;
                n += 1;
            }
            progress.advance(batch.len() as u64);
        }
        copied.tables += 1;
        copied.rows += n;
        if table == "events" {
            copied.events = n;
        }
    }
    copied.head = rusqlite::OptionalExtension::optional(out.query_row(
        "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    ))?;
    out.commit()?;
    tx.commit()?;
    progress.finish();
    Ok((copied, files))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_of_the_sqlite_schema_is_copied() {
        let store = crate::store::Store::in_memory("USD").expect("in-memory store");
        let mut stmt = store
            .conn()
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
            .expect("prepare");
        let mut have: Vec<String> = stmt
            .query_map([], |r| r.get(0))
            .expect("query")
            .collect::<rusqlite::Result<_>>()
            .expect("rows");
        // Derived lists a file keeps for its own closes are not the shop's data.
        have.retain(|t| {
            t != "_rusqlite_migration"
                && !crate::store::days_late_kept::TABLES.contains(&t.as_str())
        });
        let mut copied: Vec<String> = TABLES.iter().map(|(t, _)| t.to_string()).collect();
        copied.sort();
        assert_eq!(have, copied);
    }

    #[test]
    fn values_come_back_exactly_or_are_refused() {
        let moment = "2026-11-21T12:00:00.000000Z";
        let t = parse_moment(moment).map(timestamp);
        assert_eq!(t.as_deref(), Some(moment));
        // Another spelling of the same moment would not hash the same: refused.
        assert!(parse_moment("2026-11-21T12:00:00Z").is_none());
        assert!(parse_moment("2026-11-21 12:00:00.000000Z").is_none());
        assert_eq!(
            parse_day("2026-02-28"),
            NaiveDate::from_ymd_opt(2026, 2, 28)
        );
        assert!(parse_day("2026-2-28").is_none());
        assert!(parse_day("2026-02-30").is_none());
    }
}
