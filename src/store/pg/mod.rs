//! PostgreSQL, for a team on several machines (DESIGN §4, "Team mode"): connecting,
//! the schema's own migrations (`migrations/`, the SQLite schema through its 0011 in
//! PostgreSQL's types, then roles and row-level security), and `copy`, which moves a
//! shop between a SQLite file and a server.

pub mod copy;

use postgres::{Client, GenericClient, NoTls};

use super::{Result, StoreError};

/// Whether `db` names a PostgreSQL database (`postgres://…` or `postgresql://…`)
/// rather than a SQLite file.
pub fn is_url(db: &str) -> bool {
    db.starts_with("postgres://") || db.starts_with("postgresql://")
}

/// The server's schema versions, oldest first.
const MIGRATIONS: [(i64, &str); 4] = [
    (1, include_str!("migrations/0001_schema.sql")),
    (2, include_str!("migrations/0002_security.sql")),
    (3, include_str!("migrations/0003_record.sql")),
    (4, include_str!("migrations/0004_actors.sql")),
];

/// The schema version [`migrate`] brings a database to.
pub const LATEST_SCHEMA: i64 = MIGRATIONS.len() as i64;

/// Serialises migrations across every process that connects at once.
const MIGRATION_LOCK: i64 = 0x6172_715f_6d69_6772; // "arq_migr"

impl From<postgres::Error> for StoreError {
    fn from(e: postgres::Error) -> StoreError {
        StoreError::Postgres(describe(&e))
    }
}

/// The server's message with its detail and hint, or the client's own.
pub fn describe(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => {
            let mut m = db.message().to_string();
            if let Some(d) = db.detail() {
                m.push_str(&format!(" ({d})"));
            }
            if let Some(h) = db.hint() {
                m.push_str(&format!("; {h}"));
            }
            m
        }
        None => {
            // The client's own failure (a refused connection, a TLS handshake), with
            // its causes.
            let mut m = e.to_string();
            let mut cause = std::error::Error::source(e);
            while let Some(c) = cause {
                m.push_str(&format!(": {c}"));
                cause = c.source();
            }
            m
        }
    }
}

/// Connects to `url`. The password, when the server asks for one, comes from the
/// URL or from `PGPASSWORD`, never from arq's command line.
pub fn connect(url: &str) -> Result<Client> {
    let mut config: postgres::Config = url.parse().map_err(|e: postgres::Error| {
        StoreError::Postgres(format!("{url} is not a usable address: {e}"))
    })?;
    if config.get_password().is_none()
        && let Ok(p) = std::env::var("PGPASSWORD")
    {
        config.password(p);
    }
    config.application_name("arq");
    // A writer waits for the one before it as long as on a file, then gives up with
    // the same words (set as the session starts: no round trip of its own).
    let wait = format!("-c lock_timeout={}s", super::BUSY_TIMEOUT.as_secs());
    let options = match config.get_options() {
        Some(given) if !given.is_empty() => format!("{given} {wait}"),
        _ => wait,
    };
    config.options(&options);
    let refused = |e: postgres::Error| {
        StoreError::Postgres(format!(
            "cannot connect to {}: {}",
            redact(url),
            describe(&e)
        ))
    };
    // A socket on this machine needs no TLS; anything else is offered TLS (and
    // `sslmode=require` in the address insists on it), the server's certificate
    // checked against the public roots and the CA file `PGSSLROOTCERT` names.
    let local = config
        .get_hosts()
        .iter()
        .all(|h| matches!(h, postgres::config::Host::Unix(_)));
    if local || config.get_ssl_mode() == postgres::config::SslMode::Disable {
        return config.connect(NoTls).map_err(refused);
    }
    config.connect(tls()?).map_err(refused)
}

/// TLS for a server on the network: the public roots, and the shop's own CA when
/// `PGSSLROOTCERT` names its certificate file (PEM).
fn tls() -> Result<tokio_postgres_rustls::MakeRustlsConnect> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(file) = std::env::var_os("PGSSLROOTCERT").filter(|f| !f.is_empty()) {
        let bad = |why: String| {
            StoreError::Postgres(format!(
                "PGSSLROOTCERT {}: {why}",
                std::path::Path::new(&file).display()
            ))
        };
        let certs = CertificateDer::pem_file_iter(&file)
            .map_err(|e| bad(e.to_string()))?
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| bad(e.to_string()))?;
        if certs.is_empty() {
            return Err(bad("it holds no certificate".into()));
        }
        for c in certs {
            roots.add(c).map_err(|e| bad(e.to_string()))?;
        }
    }
    let config = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| StoreError::Postgres(format!("TLS: {e}")))?
    .with_root_certificates(roots)
    .with_no_client_auth();
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

/// `url` without its password, for messages.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    match rest.split_once('@') {
        Some((who, host)) => {
            let user = who.split(':').next().unwrap_or("");
            format!("{scheme}://{user}@{host}")
        }
        None => url.to_string(),
    }
}

/// What opening a shop reads first (see [`opening`]).
pub struct Opening {
    pub version: i64,
    pub currency: Option<String>,
    pub db_id: Option<String>,
    pub key: Option<Vec<u8>>,
    pub login: String,
}

/// A shop's schema version, currency, `db_id`, audit key and the role logged in,
/// in one round trip; `None` when the database lacks what a current shop has (no
/// schema at all, or one from before the key moved to the server), for the
/// slower path to sort out.
pub fn opening(client: &mut Client) -> Result<Option<Opening>> {
    use postgres::error::SqlState;
    const READ: &str = "SELECT (SELECT COALESCE(MAX(version), 0) FROM arq_schema), \
        (SELECT value FROM meta WHERE key = 'currency'), \
        (SELECT value FROM meta WHERE key = 'db_id'), \
        arq_audit_key(), CAST(session_user AS TEXT)";
    match client.query_typed(READ, &[]) {
        Ok(rows) => match rows.first() {
            Some(r) => Ok(Some(Opening {
                version: r.try_get(0)?,
                currency: r.try_get(1)?,
                db_id: r.try_get(2)?,
                key: r.try_get(3)?,
                login: r.try_get(4)?,
            })),
            None => Ok(None),
        },
        Err(e)
            if e.code().is_some_and(|c| {
                *c == SqlState::UNDEFINED_TABLE || *c == SqlState::UNDEFINED_FUNCTION
            }) =>
        {
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

/// The schema version of the connected database (0 for one arq has never touched).
/// Outside a transaction only: one round trip, the table's absence answering 0 (an
/// error would end a transaction; [`schema_version_in`] works inside one).
pub fn schema_version(client: &mut Client) -> Result<i64> {
    match client.query_one("SELECT COALESCE(MAX(version), 0) FROM arq_schema", &[]) {
        Ok(row) => Ok(row.get(0)),
        Err(e) if e.code() == Some(&postgres::error::SqlState::UNDEFINED_TABLE) => Ok(0),
        Err(e) => Err(e.into()),
    }
}

pub(crate) fn schema_version_in(c: &mut impl GenericClient) -> Result<i64> {
    let exists: bool = c
        .query_one("SELECT to_regclass('arq_schema') IS NOT NULL", &[])?
        .get(0);
    if !exists {
        return Ok(0);
    }
    Ok(
        c.query_one("SELECT COALESCE(MAX(version), 0) FROM arq_schema", &[])?
            .get(0),
    )
}

/// Brings the connected database to [`LATEST_SCHEMA`], in one transaction, once
/// however many processes try at the same moment.
pub fn migrate(client: &mut Client) -> Result<()> {
    // A role that may not change the schema (a collector's) finds it up to date.
    if schema_version_in(client)? >= LATEST_SCHEMA {
        return Ok(());
    }
    let mut tx = client.transaction()?;
    migrate_in(&mut tx)?;
    tx.commit()?;
    Ok(())
}

/// [`migrate`] inside a transaction the caller commits.
pub(crate) fn migrate_in(tx: &mut impl GenericClient) -> Result<()> {
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS arq_schema (
             version    BIGINT PRIMARY KEY,
             applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
         );
         -- The audit key and the anchors of a shop on a server: only the owner reads them.
         CREATE TABLE IF NOT EXISTS arq_files (
             name TEXT PRIMARY KEY,
             body BYTEA NOT NULL
         );
         REVOKE ALL ON arq_files FROM PUBLIC;
         -- The shop's own group roles (see `groups_in`).
         CREATE TABLE IF NOT EXISTS arq_groups (
             role TEXT PRIMARY KEY,
             name TEXT NOT NULL UNIQUE
         );
         GRANT SELECT ON arq_groups TO PUBLIC;",
    )?;
    let groups = groups_in(tx)?;
    let done: i64 = tx
        .query_one("SELECT COALESCE(MAX(version), 0) FROM arq_schema", &[])?
        .get(0);
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > done) {
        tx.batch_execute(&groups.in_sql(sql))
            .map_err(|e| StoreError::Migrate {
                path: format!("PostgreSQL migration {version}").into(),
                message: describe(&e),
            })?;
        tx.execute("INSERT INTO arq_schema (version) VALUES ($1)", &[version])?;
    }
    Ok(())
}

/// The arq roles, each a PostgreSQL group role of the shop's own.
pub const ROLES: [&str; 3] = ["collector", "supervisor", "admin"];

/// A shop's three group roles. Every shop on a cluster has its own (named after its
/// database when the name is plain, `<db>_arq_collector`…, else after a digest of
/// it), so a user who is an admin in one shop is nobody in another; the names are
/// kept in `arq_groups`, so a renamed database keeps its groups.
#[derive(Debug, Clone)]
pub struct Groups {
    names: Vec<(String, String)>,
}

impl Groups {
    /// From `(arq role, group role)` pairs.
    pub fn new(names: Vec<(String, String)>) -> Groups {
        Groups { names }
    }

    /// The group role of arq role `role`.
    pub fn of(&self, role: &str) -> Result<&str> {
        self.names
            .iter()
            .find(|(r, _)| r == role)
            .map(|(_, n)| n.as_str())
            .ok_or_else(|| StoreError::Postgres(format!("this shop has no group role for {role}s")))
    }

    /// The statements that put login role `ident` (quoted) in the group of `role` and
    /// out of the other two.
    pub fn membership(&self, ident: &str, role: &str) -> Result<Vec<String>> {
        ROLES
            .iter()
            .map(|other| {
                let group = quote_ident(self.of(other)?);
                Ok(if *other == role {
                    format!("GRANT {group} TO {ident}")
                } else {
                    format!("REVOKE {group} FROM {ident}")
                })
            })
            .collect()
    }

    /// A migration's text with the placeholder names `arq_collector`, `arq_supervisor`
    /// and `arq_admin` (whole words) replaced by this shop's group roles.
    fn in_sql(&self, sql: &str) -> String {
        let mut out = sql.to_string();
        for (role, name) in &self.names {
            out = replace_word(&out, &format!("arq_{role}"), &quote_ident(name));
        }
        out
    }
}

/// `text` with every whole-word `word` (not part of a longer identifier) replaced.
fn replace_word(text: &str, word: &str, with: &str) -> String {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(word) {
        let before = rest[..at].chars().last().or_else(|| out.chars().last());
        let after = rest[at + word.len()..].chars().next();
        out.push_str(&rest[..at]);
        if before.is_some_and(ident) || after.is_some_and(ident) {
            out.push_str(word);
        } else {
            out.push_str(with);
        }
        rest = &rest[at + word.len()..];
    }
    out.push_str(rest);
    out
}

/// The shop's group roles: read from `arq_groups`, or named and created the first
/// time (inside the migration's transaction and lock).
pub(crate) fn groups_in(c: &mut impl GenericClient) -> Result<Groups> {
    fn read(c: &mut impl GenericClient) -> Result<Vec<(String, String)>> {
        Ok(c.query("SELECT role, name FROM arq_groups", &[])?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect())
    }
    let mut names = read(c)?;
    if names.len() < ROLES.len() {
        let prefix: String = c
            .query_one(
                "SELECT CASE WHEN current_database() ~ '^[a-z][a-z0-9_]{0,40}$'
                             THEN current_database()
                             ELSE 'arq_' || substr(md5(current_database()), 1, 12) END",
                &[],
            )?
            .get(0);
        for role in ROLES {
            let name = format!("{prefix}_arq_{role}");
            c.execute(
                "INSERT INTO arq_groups (role, name) VALUES ($1, $2) ON CONFLICT (role) DO NOTHING",
                &[&role, &name],
            )?;
        }
        names = read(c)?;
    }
    for (_, name) in &names {
        if c.query_opt("SELECT 1 FROM pg_roles WHERE rolname = $1", &[name])?
            .is_none()
        {
            c.batch_execute(&format!("CREATE ROLE {} NOLOGIN", quote_ident(name)))?;
        }
    }
    Ok(Groups::new(names))
}

/// Makes sure arq user `name` can log in as a PostgreSQL role of the same name that
/// belongs to the group of `role` (and to no other arq group). A new role gets
/// `password` when one is given; an existing one keeps its own.
pub fn ensure_login(
    client: &mut Client,
    name: &str,
    role: &str,
    password: Option<&str>,
) -> Result<()> {
    ensure_login_in(client, name, role, password)
}

pub(crate) fn ensure_login_in(
    client: &mut impl GenericClient,
    name: &str,
    role: &str,
    password: Option<&str>,
) -> Result<()> {
    let ident = quote_ident(name);
    let exists = client
        .query_opt("SELECT 1 FROM pg_roles WHERE rolname = $1", &[&name])?
        .is_some();
    if !exists {
        let mut sql = format!("CREATE ROLE {ident} LOGIN");
        if let Some(p) = password {
            sql.push_str(&format!(" PASSWORD {}", quote_literal(p)));
        }
        client.batch_execute(&sql)?;
    }
    for sql in groups_in(client)?.membership(&ident, role)? {
        client.batch_execute(&sql)?;
    }
    Ok(())
}

/// Removes shop database `name` from the cluster at `server` (a URL of another
/// database there), with the shop's group roles; nothing to remove is no error.
pub fn remove_shop(server: &str, name: &str) -> Result<()> {
    let base = server.rsplit_once('/').map_or(server, |(b, _)| b);
    let groups: Vec<String> = match connect(&format!("{base}/{name}")) {
        Ok(mut shop) => shop
            .query(
                "SELECT name FROM arq_groups WHERE to_regclass('arq_groups') IS NOT NULL",
                &[],
            )
            .map(|rows| rows.iter().map(|r| r.get(0)).collect())
            .unwrap_or_default(),
        Err(_) => Vec::new(),
    };
    let mut admin = connect(server)?;
    admin.batch_execute(&format!(
        "DROP DATABASE IF EXISTS {} WITH (FORCE)",
        quote_ident(name)
    ))?;
    for group in groups {
        admin.batch_execute(&format!("DROP ROLE IF EXISTS {}", quote_ident(&group)))?;
    }
    Ok(())
}

/// `s` as a quoted SQL identifier.
pub fn quote_ident(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// `s` as a quoted SQL string literal.
pub fn quote_literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// A database of its own on the test server named by `ARQ_TEST_PG` (which `.ci/run`
/// starts), migrated, and dropped at the end. `None` (with a word on stderr) when
/// the variable is not set, unless `ARQ_TEST_PG_REQUIRED` is, as in CI.
#[cfg(test)]
pub(crate) struct Scratch {
    pub url: String,
    server: String,
    name: String,
}

#[cfg(test)]
impl Scratch {
    pub fn new(tag: &str) -> Option<Scratch> {
        let server = match std::env::var("ARQ_TEST_PG") {
            Ok(s) if !s.is_empty() => s,
            _ => {
                assert!(
                    std::env::var_os("ARQ_TEST_PG_REQUIRED").is_none(),
                    "ARQ_TEST_PG is not set, and the PostgreSQL tests are required here"
                );
                eprintln!("ARQ_TEST_PG is not set: the PostgreSQL half of this test did nothing");
                return None;
            }
        };
        let name = format!("arq_unit_{tag}_{}", std::process::id());
        let mut admin = connect(&server).expect("the test server");
        for sql in [
            format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            format!("CREATE DATABASE {name}"),
        ] {
            admin.batch_execute(&sql).expect("a scratch database");
        }
        let base = server.rsplit_once('/').map_or(server.as_str(), |(b, _)| b);
        let url = format!("{base}/{name}");
        migrate(&mut connect(&url).expect("the scratch database")).expect("migrations");
        Some(Scratch { url, server, name })
    }
}

#[cfg(test)]
impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = remove_shop(&self.server, &self.name);
    }
}
