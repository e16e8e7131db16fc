//! Writes the "habit and drift" payer history (docs/PREDICTION.md, tests/payers) as
//! CSV files to import, for measuring the payment estimates on data the demo did not
//! make: `cargo run --example payer_history -- DIR [CUSTOMERS] [SEED]`.

#[path = "../tests/payers/mod.rs"]
mod payers;

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next() else {
        eprintln!("usage: payer_history DIR [CUSTOMERS] [SEED]");
        std::process::exit(2);
    };
    let customers = args.next().and_then(|v| v.parse().ok()).unwrap_or(400);
    let seed = args.next().and_then(|v| v.parse().ok()).unwrap_or(12);
    let dir = std::path::PathBuf::from(dir);
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("{}: {e}", dir.display());
        std::process::exit(1);
    }
    let start = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap_or_default();
    let h = payers::write(&dir, seed, customers, start, 540);
    println!(
        "{} customers, {} invoices, {} payments from {} to {} in {}",
        customers,
        h.invoices,
        h.payments,
        h.start,
        h.end,
        dir.display()
    );
}
