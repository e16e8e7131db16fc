//! Loading many invoices at once. When a file would add at least as many invoices
//! as the database holds, the secondary indexes of the ledger tables are dropped
//! inside the import's transaction and rebuilt from their own stored SQL before it
//! commits (sorting once is much cheaper than a million random index inserts), and
//! SQLite gets a larger page cache and sorter threads for the duration. Other
//! connections never see the missing indexes: they read the last committed state.
//! The database stays in WAL mode throughout, so collectors keep reading while the
//! load runs and their writes wait for it (busy timeout) instead of failing.

use rusqlite::Connection;

use crate::store::StoreError;

/// Below this size a file is loaded the ordinary way.
const MIN_BYTES: u64 = 8 << 20;
/// About how many bytes one invoice row takes in a CSV file.
const BYTES_PER_ROW: u64 = 64;
/// The tables an invoice import fills.
const TABLES: &[&str] = &["customers", "invoices", "payments", "allocations"];
/// Page cache during a bulk load, in KiB (SQLite's negative `cache_size`).
const BULK_CACHE_KIB: i64 = 256 * 1024;

/// Should an invoice file of `file_bytes` be bulk-loaded into a database holding
/// about `stored` invoices?
pub(crate) fn worth_it(file_bytes: u64, stored: u64) -> bool {
    file_bytes >= MIN_BYTES && stored.saturating_mul(BYTES_PER_ROW) <= file_bytes
}

/// Connection settings changed for a bulk load, restored by [`Tuning::restore`].
pub(crate) struct Tuning {
    cache_size: i64,
    threads: i64,
    foreign_keys: i64,
}

impl Tuning {
    /// Call outside a transaction (SQLite ignores `foreign_keys` inside one). The
    /// import itself guarantees what the foreign keys would check: every invoice's
    /// customer exists or is created first, and payments and allocations name rows
    /// written just before them.
    pub fn start(conn: &Connection) -> Result<Tuning, StoreError> {
        let get = |p: &str| -> Result<i64, StoreError> {
            Ok(conn.query_row(&format!("PRAGMA {p}"), [], |r| r.get(0))?)
        };
        let tuning = Tuning {
            cache_size: get("cache_size")?,
            threads: get("threads")?,
            foreign_keys: get("foreign_keys")?,
        };
        conn.pragma_update(None, "cache_size", -BULK_CACHE_KIB)?;
        conn.pragma_update(None, "threads", 2)?;
        conn.pragma_update(None, "foreign_keys", "OFF")?;
        Ok(tuning)
    }

    pub fn restore(self, conn: &Connection) -> Result<(), StoreError> {
        conn.pragma_update(None, "cache_size", self.cache_size)?;
        conn.pragma_update(None, "threads", self.threads)?;
        conn.pragma_update(None, "foreign_keys", self.foreign_keys)?;
        Ok(())
    }
}

/// Secondary indexes dropped for a bulk load, with the SQL that rebuilds them.
#[must_use = "the indexes must be rebuilt before the transaction commits"]
pub(crate) struct Deferred {
    create: Vec<String>,
}

/// Drops the secondary indexes of the ledger tables (call inside the transaction),
/// and the triggers that name customers whose days late changed (migration 0012):
/// with them gone, the kept days late are no longer trusted, and the next close
/// reads the whole shop's once and keeps them again (a bulk load names nearly every
/// customer anyway, a million trigger runs for nothing).
pub(crate) fn defer_indexes(conn: &Connection) -> Result<Deferred, StoreError> {
    let mut found = Vec::new();
    {
        let mut stmt = conn.prepare(
            "SELECT name, sql FROM sqlite_master
             WHERE (type = 'index' OR (type = 'trigger' AND name LIKE 'days\\_late\\_%' ESCAPE '\\'))
               AND tbl_name = ?1 AND sql IS NOT NULL ORDER BY type, name",
        )?;
        for table in TABLES {
            let rows = stmt.query_map([table], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })?;
            for row in rows {
                found.push(row?);
            }
        }
    }
    let mut create = Vec::with_capacity(found.len());
    for (name, sql) in found {
        let kind = if sql.starts_with("CREATE TRIGGER") {
            "TRIGGER"
        } else {
            "INDEX"
        };
        conn.execute_batch(&format!("DROP {kind} \"{}\"", name.replace('"', "\"\"")))?;
        create.push(sql);
    }
    conn.execute_batch("DELETE FROM days_late_filled")?;
    Ok(Deferred { create })
}

impl Deferred {
    /// Rebuilds every dropped index exactly as it was defined.
    pub fn rebuild(self, conn: &Connection) -> Result<(), StoreError> {
        for sql in &self.create {
            conn.execute_batch(sql)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    fn indexes(conn: &Connection) -> Vec<(String, String)> {
        let mut stmt = conn
            .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name")
            .unwrap_or_else(|e| panic!("{e}"));
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap_or_else(|e| panic!("{e}"));
        rows.map(|r| r.unwrap_or_else(|e| panic!("{e}"))).collect()
    }

    /// The SQLite connection inside a store's transaction.
    fn file(tx: crate::store::db::Db<'_>) -> &Connection {
        match tx {
            crate::store::db::Db::Lite(c) => c,
            crate::store::db::Db::Pg(_) => panic!("a file was expected"),
        }
    }

    fn triggers(conn: &Connection) -> Vec<(String, String)> {
        let mut stmt = conn
            .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
            .unwrap_or_else(|e| panic!("{e}"));
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap_or_else(|e| panic!("{e}"));
        rows.map(|r| r.unwrap_or_else(|e| panic!("{e}"))).collect()
    }

    #[test]
    fn indexes_come_back_exactly_and_a_rollback_keeps_them() {
        let mut store = Store::in_memory("USD").unwrap_or_else(|e| panic!("{e}"));
        let conn = store.sqlite().expect("a file");
        conn.execute_batch("INSERT INTO days_late_filled (as_of) VALUES ('2026-03-01')")
            .unwrap_or_else(|e| panic!("{e}"));
        let before = indexes(conn);
        let before_triggers = triggers(conn);
        assert!(
            before_triggers
                .iter()
                .any(|(n, _)| n == "days_late_allocation_added")
        );
        assert!(before.iter().any(|(n, _)| n == "invoices_customer"));
        store
            .write(|tx| {
                let tx = file(tx);
                let d = defer_indexes(tx)?;
                let during = indexes(tx);
                assert!(
                    !during
                        .iter()
                        .any(|(n, _)| n.starts_with("invoices_") || n.starts_with("allocations_"))
                );
                // No days-late trigger runs a million times during the load, and the
                // kept days late are not trusted after it.
                assert!(
                    !triggers(tx)
                        .iter()
                        .any(|(n, _)| n.starts_with("days_late_"))
                );
                let filled: i64 =
                    tx.query_row("SELECT COUNT(*) FROM days_late_filled", [], |r| r.get(0))?;
                assert_eq!(filled, 0);
                d.rebuild(tx)
            })
            .unwrap_or_else(|e: StoreError| panic!("{e}"));
        assert_eq!(indexes(store.sqlite().expect("a file")), before);
        assert_eq!(triggers(store.sqlite().expect("a file")), before_triggers);
        let failed: Result<(), StoreError> = store.write(|tx| {
            let _d = defer_indexes(file(tx))?;
            Err(StoreError::Busy)
        });
        assert!(failed.is_err());
        assert_eq!(indexes(store.sqlite().expect("a file")), before);
    }

    #[test]
    fn bulk_only_for_large_files_into_small_ledgers() {
        assert!(!worth_it(1 << 20, 0));
        assert!(worth_it(64 << 20, 0));
        assert!(worth_it(64 << 20, 100_000));
        assert!(!worth_it(64 << 20, 10_000_000));
    }

    #[test]
    fn tuning_is_restored() {
        let store = Store::in_memory("USD").unwrap_or_else(|e| panic!("{e}"));
        let conn = store.sqlite().expect("a file");
        let cache = |c: &Connection| -> i64 {
            c.query_row("PRAGMA cache_size", [], |r| r.get(0))
                .unwrap_or(0)
        };
        let fk = |c: &Connection| -> i64 {
            c.query_row("PRAGMA foreign_keys", [], |r| r.get(0))
                .unwrap_or(0)
        };
        let was = cache(conn);
        let t = Tuning::start(conn).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((cache(conn), fk(conn)), (-BULK_CACHE_KIB, 0));
        t.restore(conn).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((cache(conn), fk(conn)), (was, 1));
    }
}
