//! Opening the terminal app from the command line.

use std::path::Path;

use super::Env;
use crate::service::Session;
use crate::store::Store;
use crate::tui::app::App;
use crate::tui::theme::Theme;

/// Opens the app on `db` as `user`.
pub fn open(env: &Env, db: &Path, user: &str) -> anyhow::Result<()> {
    // A config mistake is reported first, wherever arq runs.
    let keymap = super::keys_of(&env.config)?;
    if !std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        anyhow::bail!(
            "the terminal app needs a terminal; use a command instead (see `arq --help`)"
        );
    }
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let theme =
        Theme::pick(env.config.ui.theme.as_deref(), no_color).map_err(|e| anyhow::anyhow!(e))?;
    let store = Store::open(db)?;
    let session = Session::open(store, user, env.as_of, env.now(), env.config.clone())?;
    let mut app = App::opening(session, keymap, theme)?;
    crate::tui::run(&mut app)
}
