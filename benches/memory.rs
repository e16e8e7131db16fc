//! Peak memory (resident set) of the large shop's heavy commands, each a real `arq`
//! process (goal: under 500 MiB each): importing 1,000,000 invoices (70 % paid) for
//! 100,000 customers, the first `arq run` after it, building the large demo, and the
//! terminal app opened on the large demo (also: how long until its first screen is
//! on the terminal, cold — a new process; goal under 150 ms).
//! Not a criterion benchmark: it prints one line per figure and writes them to
//! `target/criterion/memory.txt` for `scripts/perf.sh`.
//! `ARQ_BENCH_INVOICES` sets the import size (default 1,000,000);
//! `ARQ_BENCH_SKIP_DEMO=1` leaves out the demo build (a few minutes) and opens the
//! terminal app on the large demo kept in `target/bench-data/` instead, if there is one.
//! The first screen is timed in a new process, and again with the page cache dropped
//! when the bench may do that (as root).

#[path = "common/shop.rs"]
mod shop;

use std::io::{Read, Write};
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Runs `cmd` to its end; returns (seconds, peak resident MiB).
fn measure(mut cmd: Command) -> (f64, f64) {
    let started = Instant::now();
    // Reaped by wait4 below, which also reports its peak memory.
    #[allow(clippy::zombie_processes)]
    let child = cmd
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value for wait4 to fill in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for our own child, writing into the two locals above.
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid, "wait4 failed");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "{cmd:?} failed"
    );
    (
        started.elapsed().as_secs_f64(),
        usage.ru_maxrss as f64 / 1024.0,
    )
}

/// The peak resident memory of a running process, in MiB (Linux).
fn peak_of(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|k| k.parse::<f64>().ok())
            })
        })
        .map_or(f64::NAN, |kib| kib / 1024.0)
}

/// Opens the terminal app on `db` as ana in a pseudo-terminal; returns (seconds to
/// the first frame, seconds to the queue's rows, peak resident MiB once drawn).
fn tui(db: &Path, as_of: &str) -> (f64, f64, f64) {
    use portable_pty::{CommandBuilder, PtySize, native_pty_system};
    let pair = native_pty_system()
        .openpty(PtySize {
            rows: 40,
            cols: 120,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap_or_else(|e| panic!("{e}"));
    let mut cmd = CommandBuilder::new(shop::arq_bin());
    cmd.args([
        "--db",
        &db.display().to_string(),
        "--as-of",
        as_of,
        "--user",
        "ana",
    ]);
    cmd.env("TERM", "xterm-256color");
    let started = Instant::now();
    let mut child = pair
        .slave
        .spawn_command(cmd)
        .unwrap_or_else(|e| panic!("{e}"));
    drop(pair.slave);
    let seen = Arc::new(Mutex::new(Vec::<u8>::new()));
    let mut reader = pair
        .master
        .try_clone_reader()
        .unwrap_or_else(|e| panic!("{e}"));
    let mut writer = pair.master.take_writer().unwrap_or_else(|e| panic!("{e}"));
    let sink = Arc::clone(&seen);
    std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            if let Ok(mut s) = sink.lock() {
                s.extend_from_slice(&buf[..n]);
            }
        }
    });
    let mut answered = false;
    let first = loop {
        let text = seen
            .lock()
            .map(|s| String::from_utf8_lossy(&s).into_owned())
            .unwrap_or_default();
        if !answered && text.contains("\x1b[6n") {
            let _ = write!(writer, "\x1b[1;1R");
            let _ = writer.flush();
            answered = true;
        }
        if text.contains("ana") && text.contains("queue") {
            break started.elapsed().as_secs_f64();
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no first screen: {text}"
        );
        std::thread::sleep(Duration::from_millis(2));
    };
    // The queue's column headings appear when its rows are read.
    let filled = loop {
        let text = seen
            .lock()
            .map(|s| String::from_utf8_lossy(&s).into_owned())
            .unwrap_or_default();
        if text.contains("collectible") {
            break started.elapsed().as_secs_f64();
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no queue: {text}"
        );
        std::thread::sleep(Duration::from_millis(2));
    };
    // Let it finish loading whatever it fills in after the first frame.
    std::thread::sleep(Duration::from_secs(3));
    let peak = child.process_id().map_or(f64::NAN, peak_of);
    let _ = writer.write_all(b"q");
    let _ = writer.flush();
    let _ = child.wait();
    (first, filled, peak)
}

/// Empties the kernel's page cache so that the next read comes from the disk (needs
/// root; false, doing nothing, otherwise).
fn drop_page_cache() -> bool {
    // SAFETY: sync takes no arguments and cannot fail.
    unsafe { libc::sync() };
    std::fs::write("/proc/sys/vm/drop_caches", "3").is_ok()
}

fn main() {
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let dir = tmp.path();
    let n: usize = std::env::var("ARQ_BENCH_INVOICES")
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(1_000_000);
    let mut lines = Vec::new();
    let mut report = |what: String, secs: f64, mib: f64| {
        let line = format!("{what}\t{secs:.2} s\t{mib:.0} MiB");
        println!("{line}");
        lines.push(line);
    };

    let customers = dir.join("customers.csv");
    let invoices = dir.join("invoices.csv");
    shop::customers(&customers, n).unwrap_or_else(|e| panic!("{e}"));
    shop::invoices(&invoices, n, 70).unwrap_or_else(|e| panic!("{e}"));
    let db = dir.join("shop").join("arq.db");
    let _ = std::fs::create_dir_all(db.parent().unwrap_or(dir));
    shop::init_with_customers(&db, &customers);
    let mut imp = shop::arq(&db, shop::AS_OF);
    imp.args(["import", "invoices", &invoices.display().to_string()]);
    let (s, m) = measure(imp);
    report(format!("import {n} invoices (70% paid)"), s, m);
    let mut run = shop::arq(&db, shop::AS_OF);
    run.args(["run"]);
    let (s, m) = measure(run);
    report(
        format!("first run, {} accounts, file delivery", n / 10),
        s,
        m,
    );

    // The terminal app is opened on a large demo built here, or (skipping the build)
    // on the one the other benchmarks keep in target/bench-data, if it is there.
    let kept = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data/demo-large-7.db");
    let demo = if std::env::var("ARQ_BENCH_SKIP_DEMO").is_err() {
        let demo = dir.join("demo").join("demo.db");
        let _ = std::fs::create_dir_all(demo.parent().unwrap_or(dir));
        let mut build = Command::new(shop::arq_bin());
        build.args(["--db", &demo.display().to_string(), "--as-of", "2026-11-20"]);
        build.args(["demo", "--size", "large", "--no-tui"]);
        let (s, m) = measure(build);
        report("demo --size large (build)".into(), s, m);
        Some(demo)
    } else {
        kept.exists().then_some(kept)
    };
    if let Some(demo) = demo {
        let mut app = |how: &str| {
            let (first, filled, m) = tui(&demo, "2026-11-20");
            report(
                format!("terminal app on the large demo, first frame ({how})"),
                first,
                m,
            );
            report(
                format!("terminal app on the large demo, queue filled in ({how})"),
                filled,
                m,
            );
        };
        app("new process");
        if drop_page_cache() {
            app("page cache dropped");
        }
    }
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/criterion");
    let _ = std::fs::create_dir_all(&out);
    let _ = std::fs::write(out.join("memory.txt"), lines.join("\n") + "\n");
}
