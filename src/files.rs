//! Who may read what arq writes. The database (and the `-wal` and `-shm` SQLite makes
//! beside it with the same mode), its audit key and anchors, the data directory,
//! outbox mail, letters and backups are private to their owner: files 0600,
//! directories 0700. A shop whose collectors share one machine and one database sets
//! `[files] sharing = "group"` in config.toml: files 0660, directories 0770, for the
//! group that owns them (README "Sharing a database on one machine").

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::Deserialize;

/// Who besides the owner may read and write arq's files.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sharing {
    /// Only the owner (0600 / 0700).
    #[default]
    Private,
    /// The owner and the file's group (0660 / 0770).
    Group,
}

static GROUP: AtomicBool = AtomicBool::new(false);

/// Sets the sharing for everything this process creates from now on, including the
/// files SQLite and other libraries create (through the process umask).
pub fn apply(sharing: Sharing) {
    GROUP.store(sharing == Sharing::Group, Ordering::Relaxed);
    #[cfg(unix)]
    {
        let mask = if sharing == Sharing::Group {
            0o007
        } else {
            0o077
        };
        // SAFETY: umask only swaps the process's file creation mask; it cannot fail.
        unsafe {
            libc::umask(mask);
        }
    }
}

fn group() -> bool {
    GROUP.load(Ordering::Relaxed)
}

/// The mode of a new file.
pub fn file_mode() -> u32 {
    if group() { 0o660 } else { 0o600 }
}

/// The mode of a new directory.
pub fn dir_mode() -> u32 {
    if group() { 0o770 } else { 0o700 }
}

/// Creates `dir` and any missing parents with [`dir_mode`]; existing ones are left
/// as they are.
pub fn create_dir_all(dir: &Path) -> io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(dir_mode());
    }
    b.create(dir)
}

fn with_mode(o: &mut OpenOptions) -> &mut OpenOptions {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(file_mode());
    }
    o
}

/// Creates a new file that must not exist yet, with [`file_mode`].
pub fn create_new(path: &Path) -> io::Result<File> {
    with_mode(OpenOptions::new().write(true).create_new(true)).open(path)
}

/// Creates (or truncates) a file with [`file_mode`].
pub fn create(path: &Path) -> io::Result<File> {
    with_mode(OpenOptions::new().write(true).create(true).truncate(true)).open(path)
}

/// Opens a file for appending, creating it with [`file_mode`].
pub fn append(path: &Path) -> io::Result<File> {
    with_mode(OpenOptions::new().append(true).create(true)).open(path)
}

/// Takes away what others (not the owner, not the group) may do with `path`, when
/// this process owns it: a database made by an earlier arq under umask 022 was
/// world-readable. Anything else is left alone.
pub fn close_to_others(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let Ok(meta) = std::fs::metadata(path) else {
            return;
        };
        // SAFETY: geteuid has no preconditions and cannot fail.
        let me = unsafe { libc::geteuid() };
        let mode = meta.permissions().mode();
        if meta.uid() == me && mode & 0o007 != 0 {
            let _ = std::fs::set_permissions(
                path,
                std::fs::Permissions::from_mode(mode & !0o007 & 0o7777),
            );
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p)
            .map(|m| m.permissions().mode() & 0o777)
            .unwrap_or(0)
    }

    #[test]
    fn new_files_and_dirs_are_private_and_others_lose_access() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let sub = dir.path().join("a/b");
        create_dir_all(&sub).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(mode(&sub), 0o700);
        assert_eq!(mode(&dir.path().join("a")), 0o700);
        let f = sub.join("f");
        create_new(&f).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(mode(&f), 0o600);
        let open = dir.path().join("open");
        std::fs::write(&open, "x").unwrap_or_else(|e| panic!("{e}"));
        std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o664))
            .unwrap_or_else(|e| panic!("{e}"));
        close_to_others(&open);
        assert_eq!(mode(&open), 0o660);
    }
}
