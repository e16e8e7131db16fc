//! Writing results for scripts: JSON (pretty, stable field names) and CSV (always a
//! header row, even with no rows; stable codes, plain amounts like `1250.50`). Both go
//! out through `out.rs`, so text from outside never drives the terminal.

use serde::Serialize;

/// `v` as pretty JSON on stdout.
pub fn json<T: Serialize>(v: &T) -> anyhow::Result<()> {
    let mut text = serde_json::to_string_pretty(v)?;
    text.push('\n');
    super::out::stdout_json(&text);
    Ok(())
}

/// A header and rows as CSV on stdout.
pub fn csv<I, R>(header: &[&str], rows: I) -> anyhow::Result<()>
where
    I: IntoIterator<Item = R>,
    R: IntoIterator,
    R::Item: AsRef<[u8]>,
{
    let mut w = ::csv::Writer::from_writer(Vec::new());
    w.write_record(header)?;
    for r in rows {
        w.write_record(r)?;
    }
    let bytes = w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?;
    super::out::stdout(&String::from_utf8_lossy(&bytes));
    Ok(())
}

/// An optional value as a CSV cell (empty when absent).
pub fn cell<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}
