//! DESIGN §9 / the supervisor's screens on the large demo (100,000 customers): the KPI
//! screen's first draw (goal: under 100 ms, from the daily snapshots) and `report kpi`
//! for twelve weeks from the dated records (goal: under 1 s), in process and as a
//! person runs it (the release binary, a new process each time: opening the file,
//! reading it and printing JSON).

#[path = "common/mod.rs"]
mod common;
#[path = "common/shop.rs"]
mod shop;

use std::time::Duration;

use arq::report::kpi::kpi;
use arq::tui::keymap::Keymap;
use arq::tui::screens::kpis::KpiScreen;
use arq::tui::screens::{Draw, Screen};
use arq::tui::theme::Theme;
use common::{demo_db, session, today};
use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn bench(c: &mut Criterion) {
    let db = demo_db();
    let mut group = c.benchmark_group("reports");
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(2));
    group.measurement_time(Duration::from_secs(15));
    let theme = Theme::dark();
    let keymap = Keymap::new(&Default::default()).unwrap_or_else(|e| panic!("{e}"));
    group.bench_function("kpi_screen_first_draw", |b| {
        b.iter(|| {
            let s = session(&db, "sam", today());
            let k = KpiScreen::load(&s).unwrap_or_else(|e| panic!("{e}"));
            let mut t = Terminal::new(TestBackend::new(160, 48)).unwrap_or_else(|e| panic!("{e}"));
            t.draw(|f| {
                k.draw(
                    f,
                    f.area(),
                    &Draw {
                        theme: &theme,
                        currency: "USD",
                        keymap: &keymap,
                    },
                )
            })
            .unwrap_or_else(|e| panic!("{e}"));
        })
    });
    let s = session(&db, "sam", today());
    group.bench_function("report_kpi_12_weeks", |b| {
        b.iter(|| {
            kpi(&s, today() - chrono::Duration::days(83), today(), None)
                .unwrap_or_else(|e| panic!("{e}"))
        })
    });
    let (from, to) = (
        (today() - chrono::Duration::days(83)).to_string(),
        today().to_string(),
    );
    group.bench_function("report_kpi_12_weeks_command", |b| {
        b.iter(|| {
            let mut cmd = shop::arq(&db, &to);
            cmd.args([
                "report", "kpi", "--from", &from, "--to", &to, "--format", "json",
            ]);
            shop::ok(cmd);
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
