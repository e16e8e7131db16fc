//! Copies of the whole database with SQLite's online backup API: `backup` reads one
//! consistent snapshot while other processes keep writing (in WAL mode readers never
//! block writers) and writes it to a new file; `restore` writes a backup back over
//! the live database under SQLite's own locks, so other arq processes see either the
//! old database or the restored one, never a mixture.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};

use super::{Result, StoreError};

/// Copies every page in one step, retrying while another connection holds a lock.
fn copy_all(from: &Connection, to: &mut Connection) -> Result<()> {
    let b = Backup::new(from, to)?;
    let mut waited = Duration::ZERO;
    loop {
        match b.step(-1)? {
            StepResult::Done => return Ok(()),
            StepResult::More => {}
            StepResult::Busy | StepResult::Locked => {
                if waited > Duration::from_secs(60) {
                    return Err(StoreError::Busy);
                }
                std::thread::sleep(Duration::from_millis(50));
                waited += Duration::from_millis(50);
            }
            _ => {}
        }
    }
}

/// The temporary name a copy is written under before it takes its real name.
fn temp_beside(dest: &Path) -> PathBuf {
    let mut name = dest
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(format!(".part-{}", std::process::id()));
    dest.with_file_name(name)
}

/// Writes a consistent copy of the database behind `conn` to `dest` (replaced
/// atomically when it exists). The copy is a single file in rollback-journal mode,
/// private like the database.
pub fn copy_to(conn: &Connection, dest: &Path) -> Result<()> {
    let io = |e: std::io::Error| StoreError::Trust(format!("cannot write {}: {e}", dest.display()));
    if let Some(dir) = dest.parent().filter(|d| !d.as_os_str().is_empty()) {
        crate::files::create_dir_all(dir).map_err(io)?;
    }
    let tmp = temp_beside(dest);
    let _ = std::fs::remove_file(&tmp);
    crate::files::create_new(&tmp).map_err(io)?;
    let result = (|| -> Result<()> {
        let mut to = Connection::open(&tmp)?;
        copy_all(conn, &mut to)?;
        // One self-contained file: no -wal beside the backup.
        let _mode: String = to.query_row("PRAGMA journal_mode=DELETE", [], |r| r.get(0))?;
        to.close().map_err(|(_, e)| StoreError::from(e))?;
        std::fs::File::open(&tmp)
            .and_then(|f| f.sync_all())
            .map_err(io)?;
        std::fs::rename(&tmp, dest).map_err(io)?;
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Opens a backup file read-only, for checking it before it is restored.
pub fn open_read_only(path: &Path) -> Result<Connection> {
    super::check_file(path)?;
    Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|source| StoreError::Open {
        path: path.to_path_buf(),
        source,
    })
}

/// Writes the database in `from` over the live database behind `to`.
pub fn restore_into(from: &Connection, to: &mut Connection) -> Result<()> {
    copy_all(from, to)?;
    // The copy carries the backup's journal mode; the live file stays in WAL.
    let _mode: String = to.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
    Ok(())
}
