//! Where arq keeps its files: the platform data and config directories (XDG on
//! Linux), overridable by flags and environment variables.

use std::path::PathBuf;

use directories::ProjectDirs;

fn dirs() -> Option<ProjectDirs> {
    ProjectDirs::from("", "", "arq")
}

/// The data directory (`$XDG_DATA_HOME/arq` on Linux).
pub fn data_dir() -> PathBuf {
    dirs().map_or_else(|| PathBuf::from(".arq"), |d| d.data_dir().to_path_buf())
}

/// The config directory (`$XDG_CONFIG_HOME/arq` on Linux).
pub fn config_dir() -> PathBuf {
    dirs().map_or_else(|| PathBuf::from(".arq"), |d| d.config_dir().to_path_buf())
}

/// The database used when neither `--db` nor `ARQ_DB` names one.
pub fn default_db() -> PathBuf {
    data_dir().join("arq.db")
}

/// Where `arq demo` writes unless `--db` says otherwise.
pub fn demo_db() -> PathBuf {
    data_dir().join("demo.db")
}

/// The config file used when neither `--config` nor `ARQ_CONFIG` names one.
pub fn default_config() -> PathBuf {
    config_dir().join("config.toml")
}
