//! Two threads for one import: a reader parses and checks rows while the caller's
//! thread writes them in its transaction. Rows travel in batches through a bounded
//! channel, so memory stays flat however large the file. The first error from
//! either side ends both; the caller's transaction is then rolled back.

use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use super::ImportError;
use super::source::{Row, Seen, Source};
use crate::progress::Progress;

const BATCH: usize = 2048;
const BATCHES_IN_FLIGHT: usize = 8;

/// What the reader saw.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    /// Data rows read.
    pub rows: u64,
    /// Data rows left out (filters, credit notes).
    pub skipped: u64,
    /// Why rows were left out, the file's own totals, the sheet read.
    pub seen: Seen,
}

enum Msg<T> {
    Batch(Vec<T>),
    Done(Counts),
    Failed(ImportError),
}

/// Reads `source` on a second thread, turning each row into a `T` with `parse`
/// (`None` skips the row), and hands every `T` to `write` on this thread, in file
/// order. `progress` hears of each batch written.
pub(crate) fn run<T, P, W>(
    source: Source<'_>,
    parse: P,
    mut write: W,
    progress: &dyn Progress,
) -> Result<Counts, ImportError>
where
    T: Send,
    P: Fn(&Row<'_>) -> Result<Option<T>, ImportError> + Send,
    W: FnMut(T) -> Result<(), ImportError>,
{
    std::thread::scope(|s| {
        let (tx, rx) = sync_channel::<Msg<T>>(BATCHES_IN_FLIGHT);
        s.spawn(move || produce(source, parse, tx));
        // Returning drops `rx`, which stops a reader still sending.
        consume(rx, &mut write, progress)
    })
}

fn produce<T, P>(mut source: Source<'_>, parse: P, tx: SyncSender<Msg<T>>)
where
    P: Fn(&Row<'_>) -> Result<Option<T>, ImportError>,
{
    let mut batch = Vec::with_capacity(BATCH);
    let mut skipped = 0;
    loop {
        let parsed = match source.next() {
            Ok(Some(line)) => {
                let row = source.row(line);
                super::limits::check_cells(&row).and_then(|()| parse(&row))
            }
            Ok(None) => break,
            Err(e) => Err(e),
        };
        match parsed {
            Ok(Some(t)) => batch.push(t),
            Ok(None) => skipped += 1,
            Err(e) => {
                let _ = tx.send(Msg::Failed(e));
                return;
            }
        }
        if batch.len() == BATCH {
            let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
            if tx.send(Msg::Batch(full)).is_err() {
                return;
            }
        }
    }
    if !batch.is_empty() && tx.send(Msg::Batch(batch)).is_err() {
        return;
    }
    if skipped > 0 {
        source.skip_many("negative amount or balance (a credit note)", skipped);
    }
    let _ = tx.send(Msg::Done(Counts {
        rows: source.rows,
        skipped: source.skipped,
        seen: std::mem::take(&mut source.seen),
    }));
}

fn consume<T, W>(
    rx: Receiver<Msg<T>>,
    write: &mut W,
    progress: &dyn Progress,
) -> Result<Counts, ImportError>
where
    W: FnMut(T) -> Result<(), ImportError>,
{
    for msg in rx.iter() {
        match msg {
            Msg::Batch(rows) => {
                let n = rows.len() as u64;
                for t in rows {
                    write(t)?;
                }
                progress.advance(n);
            }
            Msg::Done(counts) => return Ok(counts),
            Msg::Failed(e) => return Err(e),
        }
    }
    Err(ImportError::Refused(
        "the file reader stopped before the end of the file".to_string(),
    ))
}
