//! `config.toml`: mail, the shop's own details, the terminal app's theme and keys.
//! Every setting has a default, so arq runs with no config file at all.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diag::Located;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub mail: MailConfig,
    #[serde(default)]
    pub shop: ShopConfig,
    #[serde(default)]
    pub sms: SmsConfig,
    #[serde(default)]
    pub ui: UiConfig,
    /// Action name → key, for the terminal app (checked by every command with the
    /// terminal app's keymap, see `cli`).
    #[serde(default)]
    pub keys: BTreeMap<String, String>,
    /// Who may read the files arq writes.
    #[serde(default)]
    pub files: FilesConfig,
    /// The team's working capacity (the what-if compares queue loads with it).
    #[serde(default)]
    pub team: TeamConfig,
    /// The directory the file was read from; shop templates live in its `templates/`.
    #[serde(skip)]
    pub dir: Option<PathBuf>,
    /// The file read, when there was one (for locating problems found later).
    #[serde(skip)]
    pub file: Option<PathBuf>,
}

/// `[team]`: how many queue items a collector works in a day — `capacity_per_day` for
/// everyone, `[team.capacity]` per user (`ana = 40`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamConfig {
    #[serde(default = "default_capacity")]
    pub capacity_per_day: u64,
    #[serde(default)]
    pub capacity: BTreeMap<String, u64>,
}

/// Collectors work 40–60 calls a day (DESIGN §1).
fn default_capacity() -> u64 {
    50
}

impl Default for TeamConfig {
    fn default() -> TeamConfig {
        TeamConfig {
            capacity_per_day: default_capacity(),
            capacity: BTreeMap::new(),
        }
    }
}

impl TeamConfig {
    /// One user's capacity.
    pub fn capacity_of(&self, user: &str) -> u64 {
        self.capacity
            .get(user)
            .copied()
            .unwrap_or(self.capacity_per_day)
    }
}

/// `[files]`: file modes (see `files`).
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FilesConfig {
    /// `private` (0600 files, 0700 directories; the default) or `group` (0660/0770).
    #[serde(default)]
    pub sharing: crate::files::Sharing,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    /// One `.eml` file per message: nobody is mailed by surprise.
    #[default]
    File,
    Smtp,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailConfig {
    #[serde(default)]
    pub transport: Transport,
    #[serde(default = "default_from")]
    pub from: String,
    /// Where the file transport writes (default: the data dir's `outbox/`).
    pub dir: Option<PathBuf>,
    pub smtp: Option<SmtpConfig>,
    /// Paper for printed letters.
    #[serde(default)]
    pub paper: Paper,
    /// An automatic reminder not delivered within this many days of being queued is
    /// cancelled rather than sent late (its invoice table would be stale).
    #[serde(default = "default_max_age_days")]
    pub max_age_days: u32,
}

fn default_max_age_days() -> u32 {
    7
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Paper {
    /// US Letter, 8.5 × 11 in.
    #[default]
    Letter,
    /// ISO A4, 210 × 297 mm.
    A4,
}

fn default_from() -> String {
    "Accounts Receivable <ar@example.com>".to_string()
}

impl Default for MailConfig {
    fn default() -> Self {
        MailConfig {
            transport: Transport::File,
            from: default_from(),
            dir: None,
            smtp: None,
            paper: Paper::Letter,
            max_age_days: default_max_age_days(),
        }
    }
}

impl MailConfig {
    /// The domain of the From address, for Message-IDs.
    pub fn domain(&self) -> &str {
        let addr = self
            .from
            .rsplit('<')
            .next()
            .unwrap_or(&self.from)
            .trim_end_matches('>');
        addr.rsplit('@')
            .next()
            .filter(|d| !d.is_empty() && *d != addr)
            .unwrap_or("arq.local")
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tls {
    None,
    #[default]
    Starttls,
    Tls,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    pub host: String,
    pub port: Option<u16>,
    #[serde(default)]
    pub tls: Tls,
    pub username: Option<String>,
    /// The name of the environment variable holding the password (never the password).
    pub password_env: Option<String>,
    /// Seconds to wait for the server.
    pub timeout: Option<u64>,
}

#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct ShopConfig {
    #[serde(default = "default_shop_name")]
    pub name: String,
    /// The address block, one line per entry, for letters and mail footers.
    #[serde(default)]
    pub address: Vec<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

fn default_shop_name() -> String {
    "Accounts Receivable".to_string()
}

impl Default for ShopConfig {
    fn default() -> Self {
        ShopConfig {
            name: default_shop_name(),
            address: Vec::new(),
            phone: None,
            email: None,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmsConfig {
    /// A command that receives the message on standard input and the number in
    /// `ARQ_SMS_TO`.
    pub command: Option<String>,
    /// Seconds the command may take (default 60); longer and the delivery is in doubt.
    pub timeout: Option<u64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UiConfig {
    pub theme: Option<String>,
}

/// The terminal app's themes.
pub const THEMES: &[&str] = &["dark", "light", "mono"];

/// Byte offset of the value of `key = …` in `src` (0 when not found).
fn value_of(src: &str, key: &str) -> usize {
    let at = line_of_key(src, key).unwrap_or(0);
    src[at..].find('=').map_or(at, |i| {
        let rest = &src[at + i + 1..];
        at + i + 1 + (rest.len() - rest.trim_start().len())
    })
}

/// Byte offset of the line that starts with `key` (bare or quoted) in `src`.
fn line_of_key(src: &str, key: &str) -> Option<usize> {
    let mut offset = 0;
    for line in src.split_inclusive('\n') {
        let t = line.trim_start();
        let bare = t.strip_prefix(key);
        let quoted = t
            .strip_prefix('"')
            .and_then(|r| r.strip_prefix(key))
            .and_then(|r| r.strip_prefix('"'));
        if bare
            .or(quoted)
            .is_some_and(|r| r.trim_start().starts_with('='))
        {
            return Some(offset + (line.len() - t.len()));
        }
        offset += line.len();
    }
    None
}

/// A config file that could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Invalid(Located),
    #[error("{0}")]
    Unreadable(crate::diag::ReadError),
}

impl Config {
    /// Reads `path`. When `required` is false a missing file gives the defaults.
    pub fn load(path: &Path, required: bool) -> Result<Config, ConfigError> {
        let src = match crate::diag::read_text(path, "config.toml", 256 * 1024) {
            Ok(s) => s,
            Err(crate::diag::ReadError::Io { source, .. })
                if source.kind() == std::io::ErrorKind::NotFound && !required =>
            {
                return Ok(Config {
                    dir: path.parent().map(Path::to_path_buf),
                    ..Config::default()
                });
            }
            Err(crate::diag::ReadError::Io { source, .. }) => {
                return Err(ConfigError::Read {
                    path: path.to_path_buf(),
                    source,
                });
            }
            Err(e) => return Err(ConfigError::Unreadable(e)),
        };
        let file = path.display().to_string();
        let mut cfg: Config = toml::from_str(&src)
            .map_err(|e| ConfigError::Invalid(Located::from_toml(&file, &src, &e)))?;
        if let Some(theme) = cfg.ui.theme.as_deref()
            && !THEMES.contains(&theme.trim())
        {
            return Err(ConfigError::Invalid(Located::at(
                &file,
                &src,
                value_of(&src, "theme"),
                format!(
                    "[ui] theme: '{theme}' is not a theme ({})",
                    THEMES.join(", ")
                ),
            )));
        }
        if cfg.mail.transport == Transport::Smtp && cfg.mail.smtp.is_none() {
            return Err(ConfigError::Invalid(Located::at(
                &file,
                &src,
                src.find("transport").unwrap_or(0),
                "transport = \"smtp\" needs a [mail.smtp] table with host",
            )));
        }
        cfg.dir = path.parent().map(Path::to_path_buf);
        cfg.file = Some(path.to_path_buf());
        Ok(cfg)
    }

    /// A problem found in the file after it was read (a `[keys]` entry the terminal
    /// app's keymap refuses), located at the line of the first of `keys` the file
    /// holds.
    pub fn problem(&self, keys: &[&str], message: impl Into<String>) -> ConfigError {
        let message = message.into();
        let Some(path) = &self.file else {
            return ConfigError::Invalid(Located {
                file: "config".into(),
                line: 1,
                column: 1,
                message,
            });
        };
        let src = std::fs::read_to_string(path).unwrap_or_default();
        ConfigError::Invalid(Located::at(
            &path.display().to_string(),
            &src,
            keys.iter().find_map(|k| line_of_key(&src, k)).unwrap_or(0),
            message,
        ))
    }

    /// The shop's template directory, if it exists.
    pub fn templates_dir(&self) -> Option<PathBuf> {
        self.dir
            .as_ref()
            .map(|d| d.join("templates"))
            .filter(|d| d.is_dir())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_without_a_file_and_errors_with_a_place() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let missing = dir.path().join("config.toml");
        let cfg = Config::load(&missing, false).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(cfg.mail.transport, Transport::File);
        assert_eq!(cfg.mail.domain(), "example.com");
        assert!(Config::load(&missing, true).is_err());

        std::fs::write(&missing, "[mail]\ntransport = \"pigeon\"\n")
            .unwrap_or_else(|e| panic!("{e}"));
        let err = Config::load(&missing, true)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("config.toml:2:13"), "{err}");

        std::fs::write(&missing, "[mail]\ntransport = \"smtp\"\n")
            .unwrap_or_else(|e| panic!("{e}"));
        let err = Config::load(&missing, true)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("needs a [mail.smtp] table"), "{err}");

        std::fs::write(&missing, "[ui]\ntheme = 'neon'\n").unwrap_or_else(|e| panic!("{e}"));
        let err = Config::load(&missing, true)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.ends_with("config.toml:2:9: [ui] theme: 'neon' is not a theme (dark, light, mono)"),
            "{err}"
        );

        std::fs::write(
            &missing,
            "[files]\nsharing = \"group\"\n[keys]\ncall = \"x\"\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let cfg = Config::load(&missing, true).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(cfg.files.sharing, crate::files::Sharing::Group);
        let err = cfg.problem(&["call"], "bad key").to_string();
        assert!(err.ends_with("config.toml:4:1: bad key"), "{err}");
    }
}
