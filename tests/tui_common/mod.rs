//! The terminal app on the small demo (seed 7, 2026-11-20), driven by key events on
//! a `TestBackend`. The demo is built once per test binary; each test works on its
//! own copy.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

use arq::config::Config;
use arq::demo::{self, DemoOptions, Size};
use arq::domain::dates::parse_iso;
use arq::service::{Session, noon_utc};
use arq::store::Store;
use arq::tui::app::{App, Msg};
use arq::tui::keymap::Keymap;
use arq::tui::theme::Theme;
use arq::tui::view;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

pub const DAY: &str = "2026-11-20";

static DEMO: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();

fn demo_db() -> &'static Path {
    let (_, path) = DEMO.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("demo.db");
        let opts = DemoOptions {
            size: Size::Small,
            seed: 7,
            today: parse_iso(DAY).unwrap_or_default(),
            history_days: 120,
        };
        demo::build(&path, &opts, &Config::default(), &arq::progress::Silent)
            .unwrap_or_else(|e| panic!("demo: {e}"));
        (dir, path)
    });
    path
}

/// The test server when this run puts every shop on PostgreSQL
/// (`ARQ_TEST_BACKEND=postgres`, as the second pass of `.ci/run` does).
fn server() -> Option<String> {
    if std::env::var("ARQ_TEST_BACKEND").as_deref() != Ok("postgres") {
        return None;
    }
    Some(
        std::env::var("ARQ_TEST_PG")
            .unwrap_or_else(|_| panic!("ARQ_TEST_BACKEND=postgres needs ARQ_TEST_PG")),
    )
}

fn admin(server: &str) -> postgres::Client {
    postgres::Client::connect(server, postgres::NoTls).unwrap_or_else(|e| panic!("{e}"))
}

fn url_of(server: &str, name: &str) -> String {
    let base = server.rsplit_once('/').map_or(server, |(b, _)| b);
    format!("{base}/{name}")
}

/// The demo on the server, copied there once per test binary by `arq db copy`'s
/// service; each test's copy is made from it as a template.
fn demo_template(server: &str) -> &'static str {
    static TEMPLATE: OnceLock<String> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let name = format!("arq_tpl_{}", std::process::id());
        let mut admin = admin(server);
        // Templates left by test binaries that have ended go first.
        let stale = admin
            .query(
                "SELECT datname FROM pg_database WHERE datname LIKE 'arq\\_tpl\\_%'",
                &[],
            )
            .unwrap_or_else(|e| panic!("{e}"));
        for row in stale {
            let old: String = row.get(0);
            let pid = old.trim_start_matches("arq_tpl_");
            if !Path::new("/proc").join(pid).exists() {
                let _ = arq::store::pg::remove_shop(server, &old);
            }
        }
        // (Two statements: CREATE DATABASE does not run inside one batch.)
        for sql in [
            format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            format!("CREATE DATABASE {name}"),
        ] {
            admin
                .batch_execute(&sql)
                .unwrap_or_else(|e| panic!("{sql}: {e:?}"));
        }
        session(demo_db(), "admin")
            .copy_to_server(&url_of(server, &name), &arq::progress::Silent)
            .unwrap_or_else(|e| panic!("demo to the server: {e}"));
        name
    })
}

/// The directory each server copy's files (outbox, config, data) go to, by URL.
static HOMES: Mutex<BTreeMap<String, PathBuf>> = Mutex::new(BTreeMap::new());

/// Where a copy's files go: the directory beside the database file, or the
/// directory its server copy was given.
pub fn home(db: &Path) -> PathBuf {
    let key = db.display().to_string();
    if let Some(dir) = HOMES.lock().ok().and_then(|h| h.get(&key).cloned()) {
        return dir;
    }
    db.parent().map(Path::to_path_buf).unwrap_or_default()
}

/// A private copy of the demo database: a file, or with `ARQ_TEST_BACKEND=postgres` a
/// database of its own on the test server.
pub struct Copy {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
}

pub fn copy() -> Copy {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    if let Some(server) = server() {
        static COPIES: AtomicUsize = AtomicUsize::new(0);
        let template = demo_template(&server);
        let name = format!(
            "arq_tui_{}_{}",
            std::process::id(),
            COPIES.fetch_add(1, Ordering::SeqCst)
        );
        admin(&server)
            .batch_execute(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
            .unwrap_or_else(|e| panic!("{e}"));
        let db = PathBuf::from(url_of(&server, &name));
        if let Ok(mut homes) = HOMES.lock() {
            homes.insert(db.display().to_string(), dir.path().to_path_buf());
        }
        return Copy { dir, db };
    }
    let db = dir.path().join("demo.db");
    std::fs::copy(demo_db(), &db).unwrap_or_else(|e| panic!("{e}"));
    // The audit key and anchors travel with the database.
    for ext in ["key", "anchors"] {
        std::fs::copy(
            format!("{}.{ext}", demo_db().display()),
            format!("{}.{ext}", db.display()),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    }
    Copy { dir, db }
}

impl Drop for Copy {
    fn drop(&mut self) {
        let url = self.db.display().to_string();
        let (Some(server), Some((_, name))) = (server(), url.rsplit_once('/')) else {
            return;
        };
        if url.starts_with("postgres") {
            let _ = arq::store::pg::remove_shop(&server, name);
            if let Ok(mut homes) = HOMES.lock() {
                homes.remove(&url);
            }
        }
    }
}

/// A config whose file transport writes next to the database (or into the copy's
/// directory), never into the user's own data directory.
pub fn config(db: &Path) -> Config {
    let mut c = Config::default();
    c.mail.dir = Some(home(db).join("outbox"));
    c
}

pub fn session(db: &Path, user: &str) -> Session {
    let day = parse_iso(DAY).unwrap_or_default();
    let store = Store::open(db).unwrap_or_else(|e| panic!("{e}"));
    Session::open(store, user, day, noon_utc(day), config(db)).unwrap_or_else(|e| panic!("{e}"))
}

pub fn app_with(db: &Path, user: &str, theme: Theme, keymap: Keymap) -> App {
    App::new(session(db, user), keymap, theme).unwrap_or_else(|e| panic!("{e}"))
}

pub fn app(db: &Path, user: &str) -> App {
    app_with(
        db,
        user,
        Theme::dark(),
        Keymap::new(&Default::default()).unwrap_or_else(|e| panic!("{e}")),
    )
}

/// Draws the app at `w`×`h` and returns the screen as text.
pub fn draw(app: &App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap_or_else(|e| panic!("{e}"));
    t.draw(|f| view::draw(f, app))
        .unwrap_or_else(|e| panic!("{e}"));
    t.backend().to_string()
}

/// Draws and returns the buffer, for looking at styles.
pub fn buffer(app: &App, w: u16, h: u16) -> ratatui::buffer::Buffer {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap_or_else(|e| panic!("{e}"));
    t.draw(|f| view::draw(f, app))
        .unwrap_or_else(|e| panic!("{e}"));
    t.backend().buffer().clone()
}

/// A key alone: long work it asks for waits in `app.pending`, as it does for the
/// frame the event loop draws first.
#[allow(dead_code)]
pub fn press_only(app: &mut App, code: KeyCode) {
    app.update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

/// A key, then whatever long work it asked for (the event loop does that after the
/// next frame).
pub fn press(app: &mut App, code: KeyCode) {
    app.update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    app.run_pending();
}

pub fn press_with(app: &mut App, code: KeyCode, mods: KeyModifiers) {
    app.update(Msg::Key(KeyEvent::new(code, mods)));
}

/// Types each character of `s` as a key press.
pub fn type_text(app: &mut App, s: &str) {
    for c in s.chars() {
        press(app, KeyCode::Char(c));
    }
}

/// Counts rows of a table (or a `table WHERE …`) in `db`.
pub fn count(db: &Path, what: &str) -> i64 {
    let s = Store::open(db).unwrap_or_else(|e| panic!("{e}"));
    s.conn()
        .query_row(&format!("SELECT COUNT(*) FROM {what}"), [], |r| r.get(0))
        .unwrap_or_else(|e| panic!("{what}: {e}"))
}

/// Selects the first queue item whose account is not on credit hold (the tests that
/// press `h` expect to be offered a hold, which a collector can set but not release).
pub fn select_first_not_on_hold(app: &mut App, db: &Path) {
    let s = session(db, &app.session.user().name.clone());
    let pos = app
        .queue()
        .and_then(|q| {
            q.shown.iter().position(|&i| {
                s.account(&q.items[i].customer_id, 0)
                    .is_ok_and(|v| !v.on_hold)
            })
        })
        .unwrap_or_else(|| panic!("every queue item is on hold"));
    if let Some(q) = app.find_mut::<arq::tui::screens::queue::QueueScreen>() {
        q.list.selected = pos;
    }
}

/// Selects the first queue item whose account owes at least `major` (a form that
/// takes a promise refuses one above the open balance).
pub fn select_first_owing(app: &mut App, db: &Path, major: i64) {
    let s = session(db, &app.session.user().name.clone());
    let pos = app
        .queue()
        .and_then(|q| {
            q.shown.iter().position(|&i| {
                s.account(&q.items[i].customer_id, 0)
                    .is_ok_and(|v| v.balance >= arq::domain::Money::from_major(major))
            })
        })
        .unwrap_or_else(|| panic!("no queue item owes {major}"));
    if let Some(q) = app.find_mut::<arq::tui::screens::queue::QueueScreen>() {
        q.list.selected = pos;
    }
}

/// Whether this run keeps its shops on the server (`ARQ_TEST_BACKEND=postgres`).
pub fn on_server() -> bool {
    server().is_some()
}

/// A connection to a shop on the server holding its customers so that nobody else can
/// read them, until dropped (SQLite has no such lock: in WAL mode a reader never waits).
pub struct Hold(#[allow(dead_code)] postgres::Client);

/// Takes the customers of the shop at `url` away from everyone else, and announces a
/// change so that every open app goes to read them (and waits).
pub fn hold(url: &Path) -> Hold {
    let url = url.display().to_string();
    let mut holder =
        postgres::Client::connect(&url, postgres::NoTls).unwrap_or_else(|e| panic!("{e}"));
    holder
        .batch_execute("BEGIN; LOCK TABLE customers IN ACCESS EXCLUSIVE MODE")
        .unwrap_or_else(|e| panic!("{e}"));
    postgres::Client::connect(&url, postgres::NoTls)
        .and_then(|mut c| c.batch_execute("NOTIFY arq_changed"))
        .unwrap_or_else(|e| panic!("{e}"));
    Hold(holder)
}
