//! Team mode (issue 13): the next day's `arq run` and one collector's queue on a
//! PostgreSQL server against the same shop in a SQLite file — the release binary,
//! the whole command each time, as people run it (the run as the supervisor's role,
//! the queue as ana's, so row-level security is in the figures). Goal: the server
//! within 3× of the file.
//!
//! Needs a server: `ARQ_BENCH_PG=postgres://OWNER@HOST/postgres`, a role that may
//! create databases and roles (`scripts/pg-cluster.sh start DIR PORT` starts one).
//! Without it the bench says so and measures nothing. The shop is the demo (large;
//! `ARQ_BENCH_SIZE=small` for a quick look), copied to the server once; every run
//! starts from a fresh copy (a file copy, or `CREATE DATABASE … TEMPLATE`), made
//! outside the measured time.

#[path = "common/mod.rs"]
mod common;
#[path = "common/shop.rs"]
mod shop;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::{demo_db, today};
use criterion::{BatchSize, Criterion, SamplingMode, criterion_group, criterion_main};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn server() -> Option<String> {
    std::env::var("ARQ_BENCH_PG").ok().filter(|s| !s.is_empty())
}

/// `server`'s address with another database and, when given, another role.
fn url(server: &str, user: Option<&str>, db: &str) -> String {
    let (scheme_user, rest) = server.split_once('@').unwrap_or(("postgres://", server));
    let host = rest.rsplit_once('/').map_or(rest, |(h, _)| h);
    match user {
        Some(u) => format!("postgres://{u}@{host}/{db}"),
        None => format!("{scheme_user}@{host}/{db}"),
    }
}

fn sql(server: &str, statement: &str) {
    let mut c = postgres::Client::connect(server, postgres::NoTls)
        .unwrap_or_else(|e| panic!("{server}: {e}"));
    c.batch_execute(statement)
        .unwrap_or_else(|e| panic!("{statement}: {e}"));
}

fn arq(db: &str, user: &str, as_of: &str, data: &Path) -> Command {
    let mut cmd = Command::new(shop::arq_bin());
    cmd.env_remove("ARQ_DB")
        .env_remove("ARQ_USER")
        .env_remove("ARQ_AS_OF")
        .env("XDG_DATA_HOME", data)
        .env("XDG_CONFIG_HOME", data)
        .args(["--db", db, "--user", user, "--as-of", as_of]);
    cmd
}

fn team(c: &mut Criterion) {
    let Some(server) = server() else {
        eprintln!("ARQ_BENCH_PG is not set: the team-mode benchmarks need a PostgreSQL server");
        return;
    };
    let demo = demo_db();
    let size = if demo.display().to_string().contains("small") {
        "small"
    } else {
        "large"
    };
    let base = format!("arq_bench_{size}");
    let work = std::env::temp_dir().join(format!("arq-team-bench-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&work);
    let done = demo.with_extension(format!("{base}.copied"));
    let on_server = postgres::Client::connect(&server, postgres::NoTls)
        .and_then(|mut c| c.query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&base]))
        .is_ok_and(|row| row.is_some());
    if !done.exists() || !on_server {
        sql(
            &server,
            &format!("DROP DATABASE IF EXISTS {base} WITH (FORCE)"),
        );
        sql(&server, &format!("CREATE DATABASE {base}"));
        let mut copy = arq(
            &demo.display().to_string(),
            "admin",
            &today().to_string(),
            &work,
        );
        copy.args(["db", "copy", "--to", &url(&server, None, &base)]);
        shop::ok(copy);
        let _ = std::fs::write(&done, "");
    }
    let next = (today() + chrono::Duration::days(1)).to_string();
    let day = today().to_string();

    let mut g = c.benchmark_group("team");
    g.sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .measurement_time(Duration::from_secs(60))
        .warm_up_time(Duration::from_secs(1));

    let file = work.join("shop.db");
    g.bench_function("run_next_day/sqlite", |b| {
        b.iter_batched(
            || shop::copy_db(&demo, &file),
            |()| {
                let mut run = arq(&file.display().to_string(), "sam", &next, &work);
                run.arg("run");
                shop::ok(run);
            },
            BatchSize::PerIteration,
        )
    });
    let scratch = format!("{base}_run");
    g.bench_function("run_next_day/postgres", |b| {
        b.iter_batched(
            || {
                sql(
                    &server,
                    &format!("DROP DATABASE IF EXISTS {scratch} WITH (FORCE)"),
                );
                sql(
                    &server,
                    &format!("CREATE DATABASE {scratch} TEMPLATE {base}"),
                );
            },
            |()| {
                let mut run = arq(&url(&server, Some("sam"), &scratch), "sam", &next, &work);
                run.arg("run");
                shop::ok(run);
            },
            BatchSize::PerIteration,
        )
    });

    shop::copy_db(&demo, &file);
    let queue = |db: &str| {
        let mut q = arq(db, "ana", &day, &work);
        q.args(["queue", "--format", "json"]);
        shop::ok(q);
    };
    g.bench_function("queue_ana/sqlite", |b| {
        b.iter(|| queue(&file.display().to_string()))
    });
    let read = format!("{base}_read");
    sql(
        &server,
        &format!("DROP DATABASE IF EXISTS {read} WITH (FORCE)"),
    );
    sql(&server, &format!("CREATE DATABASE {read} TEMPLATE {base}"));
    let ana = url(&server, Some("ana"), &read);
    g.bench_function("queue_ana/postgres", |b| b.iter(|| queue(&ana)));
    // What the terminal app pays on a refresh: the queue read again on a session it
    // keeps open (no process, connection or TLS set-up).
    let open = |db: &Path| common::session(db, "ana", today());
    let lite = open(&file);
    g.bench_function("queue_ana_open/sqlite", |b| {
        b.iter(|| lite.queue(&arq::service::queue::QueueScope::Mine, None))
    });
    let server_session = open(Path::new(&ana));
    g.bench_function("queue_ana_open/postgres", |b| {
        b.iter(|| server_session.queue(&arq::service::queue::QueueScope::Mine, None))
    });
    drop(server_session);
    g.finish();
    sql(
        &server,
        &format!("DROP DATABASE IF EXISTS {scratch} WITH (FORCE)"),
    );
    sql(
        &server,
        &format!("DROP DATABASE IF EXISTS {read} WITH (FORCE)"),
    );
    let _ = std::fs::remove_dir_all(&work);
}

criterion_group!(benches, team);
criterion_main!(benches);
