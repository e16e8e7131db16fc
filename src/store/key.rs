//! The audit key: a secret kept outside the database (`<db>.key` beside it, mode
//! 0600) that keys the event chain's hashes (HMAC-SHA-256) and the anchors' lines, so
//! that someone who edits the database and recomputes the chain without the key is
//! found out by `arq audit verify`.
//!
//! The key file is TOML:
//!
//! ```toml
//! db_id = "6f1c…"        # the database it belongs to (its meta `db_id`)
//! keyed_from = 1          # the first event hashed with the key (earlier ones are
//!                         # from an arq that had no key: plain SHA-256)
//! key = "9a0b…"           # 32 random bytes, hex
//! ```

use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{Result, StoreError};

const BLOCK: usize = 64;

/// HMAC-SHA-256 (RFC 2104) with its two padded key blocks already absorbed, so each
/// message costs only its own bytes and two finishing blocks.
#[derive(Clone)]
pub struct Mac {
    inner: Sha256,
    outer: Sha256,
}

impl Mac {
    pub fn new(key: &[u8]) -> Mac {
        let mut block = [0u8; BLOCK];
        if key.len() > BLOCK {
            block[..32].copy_from_slice(&Sha256::digest(key));
        } else {
            block[..key.len()].copy_from_slice(key);
        }
        let pad = |x: u8| -> [u8; BLOCK] {
            let mut p = [0u8; BLOCK];
            for (o, k) in p.iter_mut().zip(block.iter()) {
                *o = k ^ x;
            }
            p
        };
        let mut inner = Sha256::new();
        inner.update(pad(0x36));
        let mut outer = Sha256::new();
        outer.update(pad(0x5c));
        Mac { inner, outer }
    }

    /// A hasher for one message: feed it with `update`, finish with [`Mac::finish`].
    pub fn start(&self) -> Sha256 {
        self.inner.clone()
    }

    /// The MAC of the message fed to `h` (from [`Mac::start`]), in lower-case hex.
    pub fn finish(&self, h: Sha256) -> String {
        let mut o = self.outer.clone();
        o.update(h.finalize());
        hex(&o.finalize())
    }

    /// The MAC of one message, in hex.
    pub fn of(&self, msg: &[u8]) -> String {
        let mut h = self.start();
        h.update(msg);
        self.finish(h)
    }
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    s
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// `n` bytes from the operating system's random source.
pub fn random_bytes(n: usize) -> Result<Vec<u8>> {
    let mut buf = vec![0u8; n];
    getrandom::fill(&mut buf)
        .map_err(|e| StoreError::Trust(format!("no random numbers for a new key: {e}")))?;
    Ok(buf)
}

/// A database's audit key, loaded.
#[derive(Clone)]
pub struct AuditKey {
    pub db_id: String,
    /// The first event hashed with the key.
    pub keyed_from: i64,
    pub mac: Mac,
    secret: Vec<u8>,
}

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditKey")
            .field("db_id", &self.db_id)
            .field("keyed_from", &self.keyed_from)
            .finish_non_exhaustive()
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyFile {
    db_id: String,
    keyed_from: i64,
    key: String,
}

/// Where the key of the database at `db` lives: `<db>.key` beside it.
pub fn key_path(db: &Path) -> PathBuf {
    sibling(db, "key")
}

/// `<db>.<ext>` beside the database file.
pub(crate) fn sibling(db: &Path, ext: &str) -> PathBuf {
    let mut name = db.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".");
    name.push(ext);
    db.with_file_name(name)
}

impl AuditKey {
    /// A new key for database `db_id`, from random bytes (or, for a demo, from its
    /// seed, so that the same seed builds the same record).
    pub fn generate(db_id: &str, keyed_from: i64, seed: Option<&[u8]>) -> Result<AuditKey> {
        let secret = match seed {
            Some(s) => Mac::new(b"arq demo key").of(s).into_bytes()[..32].to_vec(),
            None => random_bytes(32)?,
        };
        Ok(AuditKey::from_secret(db_id, keyed_from, secret))
    }

    fn from_secret(db_id: &str, keyed_from: i64, secret: Vec<u8>) -> AuditKey {
        AuditKey {
            db_id: db_id.to_string(),
            keyed_from,
            mac: Mac::new(&secret),
            secret,
        }
    }

    /// Reads the key at `path`; `None` when there is no file.
    pub fn load(path: &Path) -> Result<Option<AuditKey>> {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(StoreError::Trust(format!(
                    "cannot read the audit key {}: {e}",
                    path.display()
                )));
            }
        };
        AuditKey::parse(&bytes, &path.display().to_string()).map(Some)
    }

    /// Reads a key file's bytes; `origin` names where they came from in messages.
    pub fn parse(bytes: &[u8], origin: &str) -> Result<AuditKey> {
        let bad =
            |why: &str| StoreError::Trust(format!("the audit key {origin} is not usable: {why}"));
        let text = std::str::from_utf8(bytes).map_err(|_| bad("it is not text"))?;
        let f: KeyFile = toml::from_str(text).map_err(|e| bad(e.message()))?;
        let secret = unhex(f.key.trim())
            .filter(|k| k.len() >= 16)
            .ok_or_else(|| bad("its key is not at least 16 bytes of hex"))?;
        Ok(AuditKey::from_secret(&f.db_id, f.keyed_from, secret))
    }

    /// The key file's text (what [`AuditKey::save`] writes and [`AuditKey::parse`]
    /// reads).
    pub fn file_text(&self) -> Result<String> {
        let f = KeyFile {
            db_id: self.db_id.clone(),
            keyed_from: self.keyed_from,
            key: hex(&self.secret),
        };
        toml::to_string(&f).map_err(|e| StoreError::Trust(e.to_string()))
    }

    /// Writes the key to `path`, which must not exist yet (mode 0600, or 0660 for a
    /// shared group).
    pub fn save(&self, path: &Path) -> Result<()> {
        let f = KeyFile {
            db_id: self.db_id.clone(),
            keyed_from: self.keyed_from,
            key: hex(&self.secret),
        };
        let body = toml::to_string(&f).map_err(|e| StoreError::Trust(e.to_string()))?;
        let text = format!(
            "# arq audit key for the database beside this file. Keep it private and keep a copy\n\
             # apart from your backups: without it arq can neither add to nor check the record.\n{body}"
        );
        let fail = |e: std::io::Error| {
            StoreError::Trust(format!(
                "cannot write the audit key {}: {e}",
                path.display()
            ))
        };
        let mut file = crate::files::create_new(path).map_err(fail)?;
        file.write_all(text.as_bytes()).map_err(fail)?;
        file.sync_all().map_err(fail)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_sha256_matches_rfc_4231() {
        // Test case 1.
        let mac = Mac::new(&[0x0b; 20]);
        assert_eq!(
            mac.of(b"Hi There"),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        );
        // Test case 2.
        let mac = Mac::new(b"Jefe");
        assert_eq!(
            mac.of(b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // Test case 6: a key longer than the block is hashed first.
        let mac = Mac::new(&[0xaa; 131]);
        assert_eq!(
            mac.of(b"Test Using Larger Than Block-Size Key - Hash Key First"),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn a_key_round_trips_and_is_private() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|e| StoreError::Trust(e.to_string()))?;
        let path = dir.path().join("shop.db.key");
        let k = AuditKey::generate("abc", 1, None)?;
        k.save(&path)?;
        let back = AuditKey::load(&path)?.ok_or_else(|| StoreError::Trust("gone".into()))?;
        assert_eq!(back.db_id, "abc");
        assert_eq!(back.mac.of(b"x"), k.mac.of(b"x"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path)
                .map_err(|e| StoreError::Trust(e.to_string()))?
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // Never overwritten.
        assert!(k.save(&path).is_err());
        assert_eq!(
            key_path(Path::new("/x/shop.db")),
            Path::new("/x/shop.db.key")
        );
        Ok(())
    }
}
