//! SQLite storage: opening a database with the right pragmas, migrations, write
//! transactions (`BEGIN IMMEDIATE`), and one repository module per table family.
//! The only layer that writes SQL. A database comes with its audit key and anchors
//! beside it (`key`, `anchor`); `integrity`, `deep_verify` and `backup` check and
//! copy the file.

pub mod activity;
pub mod anchor;
pub mod backup;
pub mod behaviour;
pub mod credits;
pub mod customers;
pub mod cycles;
pub mod days_late_kept;
pub mod db;
pub mod deep_verify;
pub mod events;
pub mod figures;
pub mod integrity;
pub mod key;
mod keying;
pub mod kpi_daily;
pub mod ledger;
pub mod objectives;
pub mod outbox;
pub mod pg;
pub mod placements;
pub mod plans;
pub mod prevention;
#[cfg(test)]
mod query_plans;
pub mod runs;
pub mod snapshot;
pub mod sql;
pub mod strategies;
pub mod tasks;
pub mod users;
pub mod whatif;
pub mod writeoffs;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior};

use db::Db;
use rusqlite_migration::{M, Migrations};

pub use keying::Keying;

/// What went wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "no arq database at {0}: run `arq init` (or `arq demo`) first, or point --db / ARQ_DB at one"
    )]
    Missing(PathBuf),
    #[error("{0} already holds an arq database; use it, or remove it to start again")]
    Exists(PathBuf),
    #[error("cannot open {path}: {source}")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("cannot bring {path} up to date: {message}")]
    Migrate { path: PathBuf, message: String },
    #[error(
        "the database is busy (another arq has been writing for over a minute); try again in a moment"
    )]
    Busy,
    #[error("{path} is not an arq database ({why}); it was left exactly as it was")]
    NotArq { path: PathBuf, why: String },
    #[error("the database holds a value arq cannot read: {0}")]
    Corrupt(String),
    /// The audit key or the anchors beside the database.
    #[error("{0}")]
    Trust(String),
    #[error("database error: {0}")]
    Sqlite(rusqlite::Error),
    /// A PostgreSQL server refused or failed (its own message, with the detail it gave).
    #[error("PostgreSQL: {0}")]
    Postgres(String),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> StoreError {
        // A server's error, carried through the seam (`db`) inside a rusqlite one.
        if let rusqlite::Error::ToSqlConversionFailure(inner) = &e
            && let Some(server) = inner.downcast_ref::<db::pg::ServerError>()
        {
            if server.is_lock_timeout() {
                return StoreError::Busy;
            }
            return StoreError::Postgres(server.to_string());
        }
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                StoreError::Busy
            }
            _ => StoreError::Sqlite(e),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// How long a write waits for the write lock before giving up with [`StoreError::Busy`].
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(60);

/// The schema version the migrations below bring a database to.
const LATEST_SCHEMA: usize = 12;

fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(include_str!("migrations/0001_core.sql")),
        M::up(include_str!("migrations/0002_lifecycle.sql")),
        M::up(include_str!("migrations/0003_supervisors.sql")),
        M::up(include_str!("migrations/0004_events_no_replace.sql")),
        M::up(include_str!("migrations/0005_delivery_indexes.sql")),
        M::up(include_str!("migrations/0006_prevention.sql")),
        M::up(include_str!("migrations/0007_behaviour.sql")),
        M::up(include_str!("migrations/0008_behaviour_history.sql")),
        M::up(include_str!("migrations/0009_allocations_by_date.sql")),
        M::up(include_str!("migrations/0010_invoices_last_allocated.sql")),
        M::up(include_str!("migrations/0011_allocations_irregular.sql")),
        M::up(include_str!("migrations/0012_days_late_kept.sql")),
    ])
}

/// The first bytes of every SQLite database file.
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// Refuses, before SQLite touches it, a file that cannot be an arq database.
fn check_file(path: &Path) -> Result<()> {
    use std::io::Read as _;
    let not = |why: &str| StoreError::NotArq {
        path: path.to_path_buf(),
        why: why.to_string(),
    };
    let meta = std::fs::metadata(path).map_err(|e| not(&e.to_string()))?;
    if !meta.is_file() {
        return Err(not("it is not a file"));
    }
    if meta.len() == 0 {
        return Err(not("it is empty: 0 bytes"));
    }
    let mut head = [0u8; 16];
    let read = std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut head));
    if read.is_err() || &head != SQLITE_MAGIC {
        return Err(not("it is not a SQLite database file"));
    }
    Ok(())
}

/// How hard a write transaction insists on reaching the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// `synchronous=FULL`: for what people record (calls, promises, approvals).
    Full,
    /// `synchronous=NORMAL`: for bulk work that can be redone (imports, demo build).
    Bulk,
}

/// What a store talks to: a SQLite file (or a private in-memory database), or a
/// PostgreSQL server (team mode).
enum Link {
    Lite(Connection),
    Pg(Box<db::PgConn>),
}

/// The one writer a server lets in at a time, as SQLite's write lock does
/// (`pg_advisory_xact_lock` on this key, held until the transaction ends).
const PG_WRITE_LOCK: i64 = 0x6172_715f_7772_6974; // "arq_writ"

/// An open arq database.
pub struct Store {
    link: Link,
    path: PathBuf,
    keying: Keying,
}

impl Store {
    /// Opens an existing database and brings its schema up to date. A file that is
    /// not an arq database (empty, not SQLite, or SQLite without arq's tables) is
    /// refused before anything is written to it.
    pub fn open(path: &Path) -> Result<Store> {
        let name = path.to_string_lossy();
        if pg::is_url(&name) {
            return Store::open_server(&name);
        }
        if !path.exists() {
            return Err(StoreError::Missing(path.to_path_buf()));
        }
        check_file(path)?;
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        conn.busy_timeout(Duration::from_secs(10))?;
        let mut store = Store {
            link: Link::Lite(conn),
            path: path.to_path_buf(),
            keying: Keying::Legacy,
        };
        // Read before any pragma that writes (journal_mode=WAL changes the header).
        let arq = match store.meta("currency") {
            Ok(v) => v.is_some(),
            Err(StoreError::Sqlite(e)) => {
                return Err(StoreError::NotArq {
                    path: path.to_path_buf(),
                    why: format!("SQLite cannot read it: {e}"),
                });
            }
            Err(e) => return Err(e),
        };
        if !arq {
            return Err(StoreError::NotArq {
                path: path.to_path_buf(),
                why: "it has no arq tables".to_string(),
            });
        }
        for suffix in ["", "-wal", "-shm"] {
            crate::files::close_to_others(Path::new(&format!("{}{suffix}", path.display())));
        }
        store.configure()?;
        store.migrate()?;
        store.keying = store.load_keying()?;
        Ok(store)
    }

    /// Creates a new, empty shop on the PostgreSQL server at `url` (`arq init` in
    /// team mode): the server's schema, the currency, and the audit key and first
    /// anchor kept by the server. The database must hold no shop.
    pub fn create_server(url: &str, currency: &str, key_seed: Option<&[u8]>) -> Result<Store> {
        let mut client = pg::connect(url)?;
        pg::migrate(&mut client)?;
        let exists = client
            .query_opt("SELECT 1 FROM meta LIMIT 1", &[])?
            .is_some();
        if exists {
            return Err(StoreError::Exists(PathBuf::from(pg::redact(url))));
        }
        let db_id = key::hex(&key::random_bytes(16)?);
        let k = key::AuditKey::generate(&db_id, 1, key_seed)?;
        let at = events::timestamp(chrono::Utc::now());
        let anchor = anchor::line(&k, 0, events::GENESIS, &at, "arq", "create");
        let mut tx = client.transaction()?;
        for (key, value) in [
            ("currency", currency),
            ("db_id", &db_id),
            ("keyed_from", "1"),
        ] {
            tx.execute(
                "INSERT INTO meta (key, value) VALUES ($1, $2)",
                &[&key, &value],
            )?;
        }
        tx.execute(
            "INSERT INTO arq_files (name, body) VALUES ('key', $1), ('anchors', $2)",
            &[&k.file_text()?.into_bytes(), &anchor.into_bytes()],
        )?;
        tx.commit()?;
        drop(client);
        Store::open_server(url)
    }

    /// Opens the shop on the PostgreSQL server at `url` (team mode), bringing the
    /// server's schema up to date when the role may. A database that holds no shop is
    /// refused: a shop comes to a server with `arq db copy`.
    pub fn open_server(url: &str) -> Result<Store> {
        let mut client = pg::connect(url)?;
        let no_shop = || {
            StoreError::Postgres(format!(
                "{} holds no arq shop: move one there with `arq db copy --to {}` from its file, or start one with `arq init`",
                pg::redact(url),
                pg::redact(url)
            ))
        };
        // A shop whose schema is current opens in one round trip: its version, its
        // currency, its key and who logged in, read together. An older one is
        // migrated first; a database arq never touched is left as it is.
        let opened = match pg::opening(&mut client)? {
            Some(o) if o.version >= pg::LATEST_SCHEMA => o,
            _ => {
                let version = pg::schema_version(&mut client)?;
                if version == 0 {
                    return Err(no_shop());
                }
                if version < pg::LATEST_SCHEMA {
                    pg::migrate(&mut client)?;
                }
                pg::opening(&mut client)?.ok_or_else(no_shop)?
            }
        };
        if opened.currency.is_none() {
            return Err(no_shop());
        }
        let path = PathBuf::from(pg::redact(url));
        let keying = Store::server_keying(opened.db_id, opened.key, &path)?;
        Ok(Store {
            link: Link::Pg(Box::new(db::PgConn::new(client).logged_in_as(opened.login))),
            path,
            keying,
        })
    }

    /// Creates a new, empty database with `currency` as its base currency, and its
    /// audit key beside it.
    pub fn create(path: &Path, currency: &str) -> Result<Store> {
        Store::create_with(path, currency, None)
    }

    /// Like [`Store::create`]; a `key_seed` makes the audit key from it instead of
    /// from random bytes (the demo, so that one seed builds one record).
    pub fn create_with(path: &Path, currency: &str, key_seed: Option<&[u8]>) -> Result<Store> {
        let name = path.to_string_lossy();
        if pg::is_url(&name) {
            return Store::create_server(&name, currency, key_seed);
        }
        if path.exists()
            && std::fs::metadata(path)
                .map(|m| m.len() > 0)
                .unwrap_or(false)
        {
            return Err(StoreError::Exists(path.to_path_buf()));
        }
        for left in [key::key_path(path), anchor::anchors_path(path)] {
            if left.exists() {
                return Err(StoreError::Trust(format!(
                    "{} is left from an earlier database at {}: move it away (or delete it) before creating a new one",
                    left.display(),
                    path.display()
                )));
            }
        }
        let io = |e: std::io::Error| StoreError::Open {
            path: path.to_path_buf(),
            source: rusqlite::Error::ToSqlConversionFailure(Box::new(e)),
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            crate::files::create_dir_all(dir).map_err(io)?;
        }
        // The empty file first, with arq's mode: SQLite gives -wal and -shm the same.
        if !path.exists() {
            crate::files::create_new(path).map_err(io)?;
        }
        let conn = Connection::open(path).map_err(|source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        // Larger pages: fewer B-tree levels and cheaper bulk loads and scans. Only a new,
        // empty file takes a page size, so this comes before anything is written.
        conn.pragma_update(None, "page_size", 16384)?;
        let mut store = Store::initialise(conn, path.to_path_buf(), currency)?;
        let db_id = key::hex(&key::random_bytes(16)?);
        let k = key::AuditKey::generate(&db_id, 1, key_seed)?;
        store.write(|tx| {
            put_meta(tx, "db_id", &db_id)?;
            put_meta(tx, "keyed_from", "1")
        })?;
        k.save(&key::key_path(path))?;
        // The first anchor: the file exists from the start, so losing it is noticed.
        let at = events::timestamp(chrono::Utc::now());
        anchor::append(path, &k, 0, events::GENESIS, &at, "arq", "create")?;
        store.keying = Keying::Keyed(Box::new(k));
        Ok(store)
    }

    /// Creates a new database file with arq's schema and no rows at all (not even its
    /// currency), for a copy of a whole shop to fill; `path` must not exist.
    pub fn create_bare(path: &Path) -> Result<Store> {
        if path.exists() {
            return Err(StoreError::Exists(path.to_path_buf()));
        }
        let io = |e: std::io::Error| StoreError::Open {
            path: path.to_path_buf(),
            source: rusqlite::Error::ToSqlConversionFailure(Box::new(e)),
        };
        crate::files::create_new(path).map_err(io)?;
        let conn = Connection::open(path).map_err(|source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        conn.pragma_update(None, "page_size", 16384)?;
        let mut store = Store {
            link: Link::Lite(conn),
            path: path.to_path_buf(),
            keying: Keying::Legacy,
        };
        store.configure()?;
        store.migrate()?;
        Ok(store)
    }

    /// The SQLite connection, to write a copy of a whole shop through (`None` on a
    /// server).
    pub fn sqlite_mut(&mut self) -> Option<&mut Connection> {
        match &mut self.link {
            Link::Lite(c) => Some(c),
            Link::Pg(_) => None,
        }
    }

    /// The SQLite connection, for what only a file has (its own checks, online
    /// backup, the bulk import's fast path); `None` on a server.
    pub fn sqlite(&self) -> Option<&Connection> {
        match &self.link {
            Link::Lite(c) => Some(c),
            Link::Pg(_) => None,
        }
    }

    /// The SQLite connection, or a refusal that names what needs a file.
    pub fn sqlite_for(&self, what: &str) -> Result<&Connection> {
        self.sqlite().ok_or_else(|| {
            StoreError::Postgres(format!(
                "{what} works on a SQLite file; on a PostgreSQL server use the server's own tools"
            ))
        })
    }

    /// A private in-memory database, for tests of the layers above.
    pub fn in_memory(currency: &str) -> Result<Store> {
        let mut store = Store::initialise(
            Connection::open_in_memory()?,
            PathBuf::from(":memory:"),
            currency,
        )?;
        store.keying = Keying::Keyed(Box::new(key::AuditKey::generate("memory", 1, None)?));
        Ok(store)
    }

    /// Gives a new connection arq's schema and its base currency.
    fn initialise(conn: Connection, path: PathBuf, currency: &str) -> Result<Store> {
        let mut store = Store {
            link: Link::Lite(conn),
            path,
            keying: Keying::Legacy,
        };
        store.configure()?;
        store.migrate()?;
        store.write(|tx| put_meta(tx, "currency", currency))?;
        Ok(store)
    }

    /// Writes the database in `from` (a checked backup) over this one, and brings
    /// it back to arq's pragmas and schema.
    pub fn restore_from(&mut self, from: &Connection) -> Result<()> {
        let Link::Lite(conn) = &mut self.link else {
            return Err(StoreError::Postgres(
                "a restore puts a SQLite file back; on a server use `arq db copy`".into(),
            ));
        };
        backup::restore_into(from, conn)?;
        self.configure()?;
        self.migrate()?;
        self.keying = self.load_keying()?;
        Ok(())
    }

    /// A second, read-only connection to the same file, for a read that runs beside
    /// this one's on another core (a report's two ends of a period). `None` for an
    /// in-memory database or a server.
    pub fn reader(&self) -> Result<Option<Connection>> {
        if self.is_memory() || self.sqlite().is_none() {
            return Ok(None);
        }
        let c = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|source| StoreError::Open {
            path: self.path.clone(),
            source,
        })?;
        c.busy_timeout(BUSY_TIMEOUT)?;
        c.pragma_update(None, "temp_store", "MEMORY")?;
        c.pragma_update(None, "cache_size", -32_000)?;
        c.execute_batch("PRAGMA mmap_size = 0")?;
        Ok(Some(c))
    }

    /// Whether this is a private in-memory database (no files beside it).
    pub fn is_memory(&self) -> bool {
        self.path.as_os_str() == ":memory:"
    }

    fn configure(&mut self) -> Result<()> {
        let Link::Lite(conn) = &self.link else {
            return Ok(());
        };
        // A write waits up to this long for another one to commit — long enough for a
        // nightly bulk import or the daily run, so a collector's save waits for them
        // instead of failing (reads never wait: WAL).
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // journal_mode answers with a row, so it is read rather than executed.
        let _mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        conn.pragma_update(None, "cache_size", -32_000)?;
        // No memory map (SQLite's default): pages are read with `pread`, 16 KiB at a
        // time. A map makes a warm read a little quicker (about a tenth of a large
        // shop's daily run), but every fault on a cold file pulls in the disk's whole
        // read-around window (8 MiB on the reference machine): a twelve-week report
        // read 1.1 GB of its 1.5 GB file to use 90 MB, and the mapped pages counted
        // in every process's resident memory (1.5 GiB for one daily run).
        conn.execute_batch("PRAGMA mmap_size = 0")?;
        conn.set_prepared_statement_cache_capacity(64);
        Ok(())
    }

    /// Brings the file to [`LATEST_SCHEMA`]. Another arq opening the same file at the
    /// same moment (the morning after an upgrade) may be doing it already: its
    /// migration holds the write lock, and ours fails (the tables it makes are there,
    /// or our read of the schema went stale). Then we wait for that writer (within the
    /// busy timeout) and find the work done, or finish what is left.
    fn migrate(&mut self) -> Result<()> {
        let conn = match &mut self.link {
            Link::Lite(c) => c,
            Link::Pg(p) => return pg::migrate(&mut p.client()),
        };
        if migrations().to_latest(conn).is_ok() {
            return Ok(());
        }
        conn.execute_batch("BEGIN IMMEDIATE; COMMIT;")?;
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version as usize >= LATEST_SCHEMA {
            return Ok(());
        }
        migrations()
            .to_latest(conn)
            .map_err(|e| StoreError::Migrate {
                path: self.path.clone(),
                // SQLite's reason, without the migration's whole text.
                message: match e {
                    rusqlite_migration::Error::RusqliteError { err, .. } => err.to_string(),
                    other => other.to_string(),
                },
            })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The role this store logged in to its server as (`None` for a SQLite file).
    pub fn login_role(&self) -> Result<Option<String>> {
        match &self.link {
            Link::Lite(_) => Ok(None),
            Link::Pg(p) => match p.login() {
                Some(known) => Ok(Some(known)),
                None => Ok(Some(Db::Pg(p).query_row(
                    "SELECT CAST(session_user AS TEXT)",
                    [],
                    |r| r.get(0),
                )?)),
            },
        }
    }

    /// The connection, for reads outside a transaction.
    pub fn conn(&self) -> Db<'_> {
        match &self.link {
            Link::Lite(c) => Db::Lite(c),
            Link::Pg(p) => Db::Pg(p),
        }
    }

    /// Sets how the next writes reach the disk.
    pub fn set_durability(&self, d: Durability) -> Result<()> {
        let level = match d {
            Durability::Full => "FULL",
            Durability::Bulk => "NORMAL",
        };
        if let Link::Lite(conn) = &self.link {
            conn.pragma_update(None, "synchronous", level)?;
        }
        Ok(())
    }

    /// Runs `f` in a write transaction that takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so a read-then-write never fails half-way with SQLITE_BUSY.
    /// Nothing is written unless `f` returns `Ok`.
    pub fn write<T, E: From<StoreError>>(
        &mut self,
        f: impl FnOnce(Db<'_>) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        self.transact(true, f)
    }

    /// A write transaction that is committed only when `commit` is true (a dry run
    /// does all the work, reports it, and leaves the database as it was). On a
    /// server, writers take turns as they do on a file: each holds one advisory lock
    /// until it ends, while readers go on reading.
    pub fn transact<T, E: From<StoreError>>(
        &mut self,
        commit: bool,
        f: impl FnOnce(Db<'_>) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        match &mut self.link {
            Link::Lite(conn) => {
                let tx = conn
                    .transaction_with_behavior(TransactionBehavior::Immediate)
                    .map_err(StoreError::from)?;
                let value = f(Db::from(&tx))?;
                if commit {
                    tx.commit().map_err(StoreError::from)?;
                } else {
                    tx.rollback().map_err(StoreError::from)?;
                }
                Ok(value)
            }
            Link::Pg(p) => {
                let begin = format!("BEGIN; SELECT pg_advisory_xact_lock({PG_WRITE_LOCK})");
                if let Err(e) = p.batch(&begin) {
                    // Waited too long for the lock: the transaction is over, not open.
                    let _ = p.rollback();
                    return Err(StoreError::from(e).into());
                }
                pg_finish(p, commit, f(Db::Pg(p)))
            }
        }
    }

    /// Runs `f` in a read transaction: every query sees the same snapshot.
    pub fn read<T, E: From<StoreError>>(
        &mut self,
        f: impl FnOnce(Db<'_>) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        match &mut self.link {
            Link::Lite(conn) => {
                let tx = conn
                    .transaction_with_behavior(TransactionBehavior::Deferred)
                    .map_err(StoreError::from)?;
                let value = f(Db::from(&tx))?;
                tx.finish().map_err(StoreError::from)?;
                Ok(value)
            }
            Link::Pg(p) => {
                p.batch("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .map_err(StoreError::from)?;
                pg_finish(p, false, f(Db::Pg(p)))
            }
        }
    }

    /// Changes whenever another connection commits (`PRAGMA data_version`).
    pub fn data_version(&self) -> Result<i64> {
        Ok(match &self.link {
            Link::Lite(c) => c.query_row("PRAGMA data_version", [], |r| r.get(0))?,
            Link::Pg(p) => p.changes()?,
        })
    }

    /// A value from the database's `meta` table (None for a file that is not arq's).
    pub fn meta(&self, key: &str) -> Result<Option<String>> {
        let v = self
            .conn()
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional();
        match v {
            Ok(v) => Ok(v),
            // A file that is not an arq database has no meta table.
            Err(rusqlite::Error::SqliteFailure(_, Some(msg))) if msg.contains("no such table") => {
                Ok(None)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The base currency set at `arq init`.
    pub fn currency(&self) -> Result<String> {
        Ok(self.meta("currency")?.unwrap_or_else(|| "USD".to_string()))
    }
}

/// Ends a server transaction: committed when `commit` and `value` is `Ok`, else
/// rolled back.
fn pg_finish<T, E: From<StoreError>>(
    p: &db::PgConn,
    commit: bool,
    value: std::result::Result<T, E>,
) -> std::result::Result<T, E> {
    match value {
        Ok(v) => {
            let end = if commit {
                format!("NOTIFY {}; COMMIT", db::pg::CHANNEL)
            } else {
                "ROLLBACK".to_string()
            };
            if let Err(e) = p.batch(&end) {
                let _ = p.rollback();
                return Err(StoreError::from(e).into());
            }
            Ok(v)
        }
        Err(e) => {
            let _ = p.rollback();
            Err(e)
        }
    }
}

/// Records a fact about the database in `meta` (its currency, the seed of a demo).
pub fn put_meta<'c>(conn: impl Into<Db<'c>>, key: &str, value: &str) -> Result<()> {
    conn.into().execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)",
        [key, value],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A database made by the first landed version (only migration 0001) keeps its
    /// promises and plans when the lifecycle migration rebuilds their tables, and
    /// takes the new statuses afterwards.
    #[test]
    fn the_lifecycle_migration_keeps_old_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        let mut conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "foreign_keys", "ON").unwrap();
        Migrations::new(vec![M::up(include_str!("migrations/0001_core.sql"))])
            .to_latest(&mut conn)
            .unwrap();
        conn.execute_batch(
            "INSERT INTO meta VALUES ('currency', 'USD');
             INSERT INTO customers (id, name, created_on) VALUES ('C1', 'Acme', '2026-01-01');
             INSERT INTO promises (customer_id, amount, date, taken_on, taken_by, grace_days)
                 VALUES ('C1', 5000, '2026-02-10', '2026-02-01', 'ana', 2);
             INSERT INTO plans (customer_id, created_on, created_by, grace_days)
                 VALUES ('C1', '2026-02-01', 'ana', 2);
             INSERT INTO plan_installments VALUES (1, 1, '2026-02-15', 2500), (1, 2, '2026-03-15', 2500);",
        )
        .unwrap();
        drop(conn);
        let store = Store::open(&path).unwrap();
        let c = store.conn();
        let n = |sql: &str| -> i64 { c.query_row(sql, [], |r| r.get(0)).unwrap() };
        assert_eq!(
            n("SELECT COUNT(*) FROM promises WHERE amount = 5000 AND status = 'open'"),
            1
        );
        assert_eq!(
            n("SELECT COUNT(*) FROM plan_installments WHERE plan_id = 1"),
            2
        );
        c.execute("UPDATE promises SET status = 'replaced'", [])
            .unwrap();
        c.execute("UPDATE plans SET status = 'cancelled'", [])
            .unwrap();
        // The installments still belong to their plan.
        let orphan = c.execute(
            "INSERT INTO plan_installments VALUES (99, 1, '2026-01-01', 1)",
            [],
        );
        assert!(orphan.is_err(), "the foreign key names the new plans table");
        let fk: Vec<String> = c
            .prepare("SELECT \"table\" FROM pragma_foreign_key_list('plan_installments')")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(fk, vec!["plans".to_string()]);
    }

    #[test]
    fn a_new_database_has_the_pragmas_and_refuses_event_edits() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let path = dir.path().join("arq.db");
        let mut store = Store::create(&path, "EUR")?;
        assert_eq!(store.currency()?, "EUR");
        let mode: String = store
            .conn()
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
        assert_eq!(mode, "wal");
        let fk: i64 = store
            .conn()
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))?;
        assert_eq!(fk, 1);
        store.write(|tx| {
            tx.execute(
                "INSERT INTO events (at, on_date, kind, actor, detail, data, prev_hash, hash) VALUES ('t', '2026-01-01', 'note', 'x', '', '{}', '', '')",
                [],
            )?;
            Ok::<_, StoreError>(())
        })?;
        let upd = store
            .conn()
            .execute("UPDATE events SET detail = 'changed'", []);
        assert!(upd.is_err_and(|e| e.to_string().contains("append-only")));
        let del = store.conn().execute("DELETE FROM events", []);
        assert!(del.is_err_and(|e| e.to_string().contains("append-only")));
        drop(store);
        assert!(matches!(
            Store::create(&path, "USD"),
            Err(StoreError::Exists(_))
        ));
        assert!(Store::open(&path).is_ok());
        assert!(matches!(
            Store::open(&dir.path().join("none.db")),
            Err(StoreError::Missing(_))
        ));
        Ok(())
    }

    /// Several arq processes opening a database from an earlier arq at the same
    /// moment (the morning after an upgrade) all open it: one brings it up to date,
    /// the others find it done.
    #[test]
    fn a_database_opened_by_many_at_once_is_migrated_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        let mut conn = Connection::open(&path).unwrap();
        conn.execute_batch("PRAGMA journal_mode = WAL").unwrap();
        Migrations::new(vec![M::up(include_str!("migrations/0001_core.sql"))])
            .to_latest(&mut conn)
            .unwrap();
        conn.execute_batch("INSERT INTO meta VALUES ('currency', 'USD');")
            .unwrap();
        drop(conn);
        let start = std::sync::Barrier::new(6);
        let opened: Vec<std::result::Result<(), String>> = std::thread::scope(|scope| {
            let openers: Vec<_> = (0..6)
                .map(|_| {
                    scope.spawn(|| {
                        start.wait();
                        Store::open(&path).map(|_| ()).map_err(|e| e.to_string())
                    })
                })
                .collect();
            openers.into_iter().map(|o| o.join().unwrap()).collect()
        });
        for o in &opened {
            assert_eq!(o, &Ok(()));
        }
        let version: i64 = Store::open(&path)
            .unwrap()
            .conn()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version as usize, LATEST_SCHEMA);
    }
}
