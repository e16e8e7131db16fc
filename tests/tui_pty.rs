//! The real binary in a pseudo-terminal: keys typed, the screen read back through a
//! terminal emulator, the database and the terminal checked after it quits.

mod tui_common;

use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

struct Pty {
    parser: Arc<Mutex<vt100::Parser>>,
    writer: Arc<Mutex<Box<dyn Write + Send>>>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
    master: Box<dyn portable_pty::MasterPty + Send>,
}

impl Pty {
    fn spawn(db: &std::path::Path, cols: u16, rows: u16, env: &[(&str, &str)]) -> Pty {
        Pty::spawn_as(db, "ana", cols, rows, env)
    }

    fn spawn_as(
        db: &std::path::Path,
        user: &str,
        cols: u16,
        rows: u16,
        env: &[(&str, &str)],
    ) -> Pty {
        let pty = native_pty_system();
        let pair = pty
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap_or_else(|e| panic!("{e}"));
        let mut cmd = CommandBuilder::new(assert_cmd::cargo::cargo_bin("arq"));
        cmd.args([
            "--db",
            &db.display().to_string(),
            "--as-of",
            tui_common::DAY,
            "--user",
            user,
        ]);
        // Mail and settings stay in the copy's directory (a shop on a server has no
        // file to put them beside).
        let home = tui_common::home(db);
        cmd.env("XDG_DATA_HOME", home.join("data"));
        cmd.env("XDG_CONFIG_HOME", home.join("config"));
        cmd.env("TERM", "xterm-256color");
        cmd.env_remove("NO_COLOR");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pair
            .slave
            .spawn_command(cmd)
            .unwrap_or_else(|e| panic!("{e}"));
        drop(pair.slave);
        let size = |n: u16| std::num::NonZeroU16::new(n).unwrap_or(std::num::NonZeroU16::MIN);
        let parser = Arc::new(Mutex::new(vt100::Parser::new(size(rows), size(cols), 0)));
        let mut reader = pair
            .master
            .try_clone_reader()
            .unwrap_or_else(|e| panic!("{e}"));
        let writer: Arc<Mutex<Box<dyn Write + Send>>> = Arc::new(Mutex::new(
            pair.master.take_writer().unwrap_or_else(|e| panic!("{e}")),
        ));
        let p = Arc::clone(&parser);
        let answer = Arc::clone(&writer);
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let Ok(mut parser) = p.lock() else { break };
                parser.process(&buf[..n]);
                // Answer "where is the cursor?" the way a terminal does.
                if buf[..n].windows(4).any(|w| w == b"\x1b[6n") {
                    let (row, col) = parser.screen().cursor_position();
                    if let Ok(mut w) = answer.lock() {
                        let _ = write!(w, "\x1b[{};{}R", row + 1, col + 1);
                        let _ = w.flush();
                    }
                }
            }
        });
        Pty {
            parser,
            writer,
            child,
            master: pair.master,
        }
    }

    fn screen(&self) -> String {
        self.parser
            .lock()
            .map(|p| p.screen().contents())
            .unwrap_or_default()
    }

    fn wait_for(&self, what: &str) {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(20) {
            if self.screen().contains(what) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("waited for {what:?}; the screen shows:\n{}", self.screen());
    }

    fn send(&mut self, keys: &str) {
        let mut w = self.writer.lock().unwrap_or_else(|e| panic!("{e}"));
        w.write_all(keys.as_bytes())
            .unwrap_or_else(|e| panic!("{e}"));
        w.flush().unwrap_or_else(|e| panic!("{e}"));
        drop(w);
        std::thread::sleep(Duration::from_millis(80));
    }

    /// Waits for the program to exit; returns whether it succeeded.
    fn exit(&mut self) -> bool {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.success();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        panic!("arq did not exit; the screen shows:\n{}", self.screen());
    }

    /// Whether the terminal is back in its ordinary (cooked, echoing) mode.
    fn cooked(&self) -> bool {
        use nix::sys::termios::LocalFlags;
        self.master.get_termios().is_some_and(|t| {
            t.local_flags
                .contains(LocalFlags::ICANON | LocalFlags::ECHO)
        })
    }

    fn in_alternate_screen(&self) -> bool {
        self.parser
            .lock()
            .map(|p| p.screen().alternate_screen())
            .unwrap_or(true)
    }

    /// Whether the app asked the terminal to mark pasted text (a terminal that was not
    /// asked sends a paste as keys).
    fn bracketed_paste(&self) -> bool {
        self.parser
            .lock()
            .map(|p| p.screen().bracketed_paste())
            .unwrap_or(false)
    }
}

#[test]
fn ana_wraps_up_a_call_and_quits() {
    let c = tui_common::copy();
    let mut t = Pty::spawn(&c.db, 100, 30, &[]);
    t.wait_for("My queue");
    assert!(!t.cooked(), "the app runs in raw mode");
    assert!(t.in_alternate_screen());
    t.send("c");
    t.wait_for("call wrap-up");
    t.send("v");
    t.send("left a message with the AP clerk");
    t.send("\r");
    t.wait_for("call logged");
    t.send("q");
    assert!(t.exit(), "arq exits cleanly");
    assert!(t.cooked(), "the terminal left raw mode");
    assert!(
        !t.in_alternate_screen(),
        "the terminal left the alternate screen"
    );
    assert_eq!(
        tui_common::count(
            &c.db,
            "events WHERE kind = 'call' AND actor = 'ana' AND detail = 'call: voicemail — left a message with the AP clerk'"
        ),
        1
    );
}

/// Text pasted into a note (the terminal's bracketed paste) is typed into the note,
/// line break and all: it does not save the form at the line break, and what follows
/// it never acts on the next account. A paste outside a form does nothing.
#[test]
fn a_pasted_note_with_a_line_break_stays_in_the_note() {
    let c = tui_common::copy();
    let mut t = Pty::spawn(&c.db, 100, 30, &[]);
    t.wait_for("My queue");
    // The terminal is asked to mark pastes, so they never arrive as keys.
    assert!(t.bracketed_paste());
    let calls = || tui_common::count(&c.db, "events WHERE kind = 'call' AND actor = 'ana'");
    let before = calls();
    // Outside a form: nothing happens ("c" would open a wrap-up if read as a key).
    t.send("\x1b[200~cv hello\x1b[201~");
    t.wait_for("pasted text is taken in a form");
    assert!(!t.screen().contains("call wrap-up"), "{}", t.screen());
    t.send("c");
    t.wait_for("call wrap-up");
    t.send("v");
    t.send("\x1b[200~Left VM with receptionist\r\nsecond line cnd\x1b[201~");
    t.wait_for("second line cnd");
    assert_eq!(calls(), before, "the paste saved nothing");
    t.send("\r");
    t.wait_for("call logged");
    assert_eq!(calls(), before + 1);
    t.send("q");
    assert!(t.exit());
    assert!(!t.bracketed_paste(), "the terminal is given back as it was");
    assert_eq!(
        tui_common::count(
            &c.db,
            "events WHERE kind = 'call' AND actor = 'ana' AND detail LIKE '%Left VM with receptionist%second line cnd%'"
        ),
        1
    );
}

#[test]
fn a_tiny_window_works_and_quits_cleanly() {
    let c = tui_common::copy();
    let mut t = Pty::spawn(&c.db, 20, 6, &[]);
    t.wait_for("ana");
    t.send("j");
    t.send("?");
    t.send("x");
    t.send("q");
    assert!(t.exit());
    assert!(t.cooked());
}

#[test]
fn no_color_keeps_the_selection_visible() {
    let c = tui_common::copy();
    let mut t = Pty::spawn(&c.db, 100, 30, &[("NO_COLOR", "1")]);
    t.wait_for("My queue");
    t.send("j");
    let (marker_row, plain_marked) = {
        let p = t.parser.lock().unwrap_or_else(|e| panic!("{e}"));
        let s = p.screen();
        let rows: Vec<String> = s.rows(0, 100).collect();
        let marked: Vec<usize> = rows
            .iter()
            .enumerate()
            .filter(|(_, r)| r.starts_with('▶'))
            .map(|(i, _)| i)
            .collect();
        // No colour is written at all.
        for r in 0..30 {
            for col in 0..100 {
                if let Some(cell) = s.cell(r, col) {
                    assert_eq!(cell.fgcolor(), vt100::Color::Default, "colour at {r},{col}");
                    assert_eq!(cell.bgcolor(), vt100::Color::Default, "colour at {r},{col}");
                }
            }
        }
        (marked, rows.get(3).cloned().unwrap_or_default())
    };
    // Exactly one row is marked: the second item, after one step down.
    assert_eq!(marker_row, vec![3], "{plain_marked}");
    t.send("q");
    assert!(t.exit());
}

#[test]
fn ana_records_a_payment_plan() {
    let c = tui_common::copy();
    let mut t = Pty::spawn(&c.db, 120, 40, &[]);
    t.wait_for("My queue");
    t.send("P");
    t.wait_for("payment plan");
    t.send("600");
    t.send("\t");
    t.send("2");
    t.send("\t");
    t.send("m");
    t.send("\t");
    t.send("2026-12-01");
    t.wait_for("2027-01-01");
    t.send("\r");
    t.wait_for("600.00 in 2 installments");
    t.send("\x1b");
    t.send("q");
    assert!(t.exit());
    assert!(t.cooked());
    assert_eq!(
        tui_common::count(
            &c.db,
            "plan_installments WHERE amount = 30000 AND due IN ('2026-12-01', '2027-01-01')"
        ),
        2
    );
}

#[test]
fn sam_moves_three_accounts_from_a_collector_in_the_team_screen() {
    let c = tui_common::copy();
    let mut t = Pty::spawn_as(&c.db, "sam", 140, 40, &[]);
    t.wait_for("My queue");
    t.send("\t");
    t.wait_for("open collector");
    // The first row is the collector with the most overdue items.
    let first = t
        .screen()
        .lines()
        .find(|l| l.starts_with('▶'))
        .and_then(|l| l.split_whitespace().nth(1).map(str::to_string))
        .unwrap_or_else(|| panic!("no row selected:\n{}", t.screen()));
    t.send("\r");
    t.wait_for("recent work");
    t.send("   ");
    t.wait_for("3 marked");
    t.send("a");
    t.wait_for("Move the marked accounts: 3 accounts");
    // The form names the accounts that move, so a mark set on the wrong row shows.
    t.wait_for("moving:");
    let named = t.screen().lines().filter(|l| l.contains("│  C-")).count();
    assert_eq!(named, 3, "{}", t.screen());
    t.send("\r");
    t.wait_for("3 accounts moved to");
    t.send("q");
    assert!(t.exit());
    assert!(t.cooked());
    let owners: i64 = tui_common::count(
        &c.db,
        &format!(
            "events WHERE kind = 'assigned' AND actor = 'sam' AND detail LIKE '%(was {first}) by sam%'"
        ),
    );
    assert_eq!(owners, 3);
}

impl Pty {
    /// Waits for the program to exit; returns its exit code.
    fn exit_code(&mut self) -> u32 {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.exit_code();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        panic!("arq did not exit; the screen shows:\n{}", self.screen());
    }

    fn signal(&self, sig: nix::sys::signal::Signal) {
        let pid = self
            .child
            .process_id()
            .and_then(|p| i32::try_from(p).ok())
            .unwrap_or_else(|| panic!("no process id"));
        nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), sig)
            .unwrap_or_else(|e| panic!("{e}"));
    }

    /// The terminal as the person gets it back: (cooked, alternate screen, cursor
    /// hidden, mouse reporting on). The last output may still be on its way.
    fn modes(&self) -> (bool, bool, bool, bool) {
        let read = || {
            let p = self.parser.lock().unwrap_or_else(|e| panic!("{e}"));
            let s = p.screen();
            (
                self.cooked(),
                s.alternate_screen(),
                s.hide_cursor(),
                s.mouse_protocol_mode() != vt100::MouseProtocolMode::None,
            )
        };
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(5) && read() != (true, false, false, false) {
            std::thread::sleep(Duration::from_millis(50));
        }
        read()
    }
}

#[test]
fn sigterm_and_sighup_restore_the_terminal_like_q() {
    use nix::sys::signal::Signal;
    for sig in [Signal::SIGTERM, Signal::SIGHUP] {
        let c = tui_common::copy();
        let before = tui_common::count(&c.db, "events");
        let mut t = Pty::spawn(&c.db, 100, 30, &[]);
        t.wait_for("My queue");
        // A half-typed wrap-up is open when the signal comes.
        t.send("c");
        t.wait_for("call wrap-up");
        t.send("v");
        t.send("half typed");
        let running = {
            let p = t.parser.lock().unwrap_or_else(|e| panic!("{e}"));
            (
                p.screen().alternate_screen(),
                p.screen().mouse_protocol_mode(),
            )
        };
        assert_eq!(
            running,
            (true, vt100::MouseProtocolMode::AnyMotion),
            "{sig}: the app runs in the alternate screen with the mouse on"
        );
        t.signal(sig);
        assert_eq!(t.exit_code(), 128 + sig as u32, "{sig}");
        assert_eq!(
            t.modes(),
            (true, false, false, false),
            "{sig}: (cooked, alternate screen, cursor hidden, mouse on) after exit"
        );
        assert_eq!(
            tui_common::count(&c.db, "events"),
            before,
            "{sig}: nothing half-typed was written"
        );
    }
}

/// Closing the terminal (the window, the ssh session) hangs it up: arq must end, and
/// quickly, even though every read of a hung-up terminal returns end-of-file at once.
#[test]
fn a_closed_terminal_ends_the_app_and_writes_nothing() {
    // A wrap-up is half typed when the terminal goes away.
    close_the_terminal_after(b"cvhalf typed", |_| {}, || {});
}

/// The terminal closes while the app waits for the shop (someone else holds it, and
/// the app's look for colleagues' changes is waiting its turn). The app then sees the
/// hangup itself, leaves its loop, and puts the terminal back: the cursor it hid on
/// the queue cannot be shown on a terminal that is gone, and saying so on that same
/// terminal must not end in a panic (exit 101) instead of a hangup's 129.
#[test]
fn a_terminal_closed_while_the_app_waits_ends_it_as_a_hangup() {
    // Only a server lets another connection keep the app's reads waiting.
    if !tui_common::on_server() {
        return;
    }
    let hold = std::cell::RefCell::new(None);
    close_the_terminal_after(
        b"",
        |db| {
            *hold.borrow_mut() = Some(tui_common::hold(db));
            // The app's next look (every 250 ms) now waits for the holder.
            std::thread::sleep(Duration::from_millis(800));
        },
        || drop(hold.borrow_mut().take()),
    );
}

/// Opens ana's queue on a fresh terminal, types `keys`, calls `just_before` with the
/// database, closes the terminal, calls `just_after`, and checks that arq ended as a
/// hung-up program does (128 + SIGHUP) with nothing written.
fn close_the_terminal_after(
    keys: &[u8],
    just_before: impl FnOnce(&Path),
    just_after: impl FnOnce(),
) {
    use std::os::fd::AsRawFd;
    use std::os::unix::process::CommandExt;
    use std::process::Stdio;

    let c = tui_common::copy();
    let before = tui_common::count(&c.db, "events");
    let size = nix::pty::Winsize {
        ws_row: 30,
        ws_col: 100,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    let pty = nix::pty::openpty(&size, None).unwrap_or_else(|e| panic!("{e}"));
    // The child must not hold the terminal's other end open: closing it is the test.
    // SAFETY: fcntl on a descriptor this test owns.
    unsafe {
        libc::fcntl(pty.master.as_raw_fd(), libc::F_SETFD, libc::FD_CLOEXEC);
    }
    let slave =
        |fd: &std::os::fd::OwnedFd| Stdio::from(fd.try_clone().unwrap_or_else(|e| panic!("{e}")));
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("arq"));
    cmd.args([
        "--db",
        &c.db.display().to_string(),
        "--as-of",
        tui_common::DAY,
        "--user",
        "ana",
    ])
    .env("TERM", "xterm-256color")
    .stdin(slave(&pty.slave))
    .stdout(slave(&pty.slave))
    .stderr(slave(&pty.slave));
    // The child leads its own session with the terminal as its controlling one, as
    // a login shell's job would.
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            if libc::setsid() < 0 || libc::ioctl(0, libc::TIOCSCTTY, 0) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("{e}"));
    drop(cmd);
    drop(pty.slave);

    // Read the screen (and answer cursor queries) until the queue shows.
    let master = pty.master;
    let fd = master.as_raw_fd();
    // SAFETY: fcntl on a descriptor this test owns.
    unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFL);
        libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK);
    }
    let mut file = std::fs::File::from(master);
    let n = |v: u16| std::num::NonZeroU16::new(v).unwrap_or(std::num::NonZeroU16::MIN);
    let mut parser = vt100::Parser::new(n(30), n(100), 0);
    let start = Instant::now();
    let mut buf = [0u8; 8192];
    while !parser.screen().contents().contains("My queue") {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "{}",
            parser.screen().contents()
        );
        match file.read(&mut buf) {
            Ok(n) if n > 0 => {
                parser.process(&buf[..n]);
                if buf[..n].windows(4).any(|w| w == b"\x1b[6n") {
                    let (row, col) = parser.screen().cursor_position();
                    let _ = write!(file, "\x1b[{};{}R", row + 1, col + 1);
                }
            }
            _ => std::thread::sleep(Duration::from_millis(20)),
        }
    }
    file.write_all(keys).unwrap_or_else(|e| panic!("{e}"));
    std::thread::sleep(Duration::from_millis(300));
    just_before(&c.db);
    drop(file);
    std::thread::sleep(Duration::from_millis(300));
    just_after();

    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap_or_else(|e| panic!("{e}")) {
            break s;
        }
        if start.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            panic!("arq kept running after its terminal was closed");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(128 + libc::SIGHUP), "{status:?}");
    assert_eq!(
        tui_common::count(&c.db, "events"),
        before,
        "nothing was written"
    );
}
