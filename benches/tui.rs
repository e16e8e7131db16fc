//! DESIGN §9 for the terminal app on the large demo (100,000 customers): the first
//! frame (open the database, load the queue, draw) under 150 ms, and a key press
//! redrawn under 16 ms. Frames are drawn on ratatui's `TestBackend`, so this
//! measures arq's work, not the terminal's.

#[path = "common/mod.rs"]
mod common;

use std::time::Duration;

use arq::tui::app::{App, Msg};
use arq::tui::keymap::Keymap;
use arq::tui::theme::Theme;
use arq::tui::view;
use common::{demo_db, session, today};
use criterion::{Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn app(user: &str) -> App {
    let keymap = Keymap::new(&Default::default()).unwrap_or_else(|e| panic!("{e}"));
    App::new(session(&demo_db(), user, today()), keymap, Theme::dark())
        .unwrap_or_else(|e| panic!("{e}"))
}

fn key(a: &mut App, code: KeyCode) {
    a.update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn bench(c: &mut Criterion) {
    let _ = demo_db();
    let mut group = c.benchmark_group("tui");
    group.sample_size(20);
    group.warm_up_time(Duration::from_secs(2));
    group.measurement_time(Duration::from_secs(15));

    group.bench_function("first_frame_ana", |b| {
        b.iter(|| {
            let a = app("ana");
            let mut t = Terminal::new(TestBackend::new(160, 48)).unwrap_or_else(|e| panic!("{e}"));
            t.draw(|f| view::draw(f, &a))
                .unwrap_or_else(|e| panic!("{e}"));
            a.queue().map_or(0, |q| q.items.len())
        })
    });

    let mut a = app("ana");
    let mut t = Terminal::new(TestBackend::new(160, 48)).unwrap_or_else(|e| panic!("{e}"));
    eprintln!(
        "ana's queue holds {} items",
        a.queue().map_or(0, |q| q.items.len())
    );
    group.bench_function("key_to_frame_queue", |b| {
        let mut down = true;
        b.iter(|| {
            key(&mut a, if down { KeyCode::Down } else { KeyCode::Up });
            down = !down;
            t.draw(|f| view::draw(f, &a))
                .unwrap_or_else(|e| panic!("{e}"));
        })
    });
    group.bench_function("key_to_frame_page_down_queue", |b| {
        b.iter(|| {
            key(&mut a, KeyCode::PageDown);
            if a.queue()
                .is_none_or(|q| q.list.selected + 1 >= q.shown.len())
            {
                key(&mut a, KeyCode::Home);
            }
            t.draw(|f| view::draw(f, &a))
                .unwrap_or_else(|e| panic!("{e}"));
        })
    });

    // sam sees all 100,000 accounts.
    let mut s = app("sam");
    key(&mut s, KeyCode::Tab);
    eprintln!(
        "sam's accounts screen holds {} accounts",
        s.find::<arq::tui::screens::accounts::AccountsScreen>()
            .map_or(0, |x| x.lines.len())
    );
    group.bench_function("key_to_frame_accounts_100k", |b| {
        let mut down = true;
        b.iter(|| {
            key(&mut s, if down { KeyCode::Down } else { KeyCode::Up });
            down = !down;
            t.draw(|f| view::draw(f, &s))
                .unwrap_or_else(|e| panic!("{e}"));
        })
    });
    group.bench_function("open_accounts_screen_100k", |b| {
        b.iter(|| {
            let mut s = app("sam");
            key(&mut s, KeyCode::Tab);
            s.find::<arq::tui::screens::accounts::AccountsScreen>()
                .map_or(0, |x| x.lines.len())
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
