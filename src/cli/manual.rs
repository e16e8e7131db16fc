//! `arq completions bash|zsh|fish` (clap_complete) and `arq man` (the manual page
//! arq.1 through clap_mangen, with every command in one COMMANDS section), both
//! built from the same clap definitions as `--help`.

use std::io::Write;

use clap::CommandFactory;

use super::Cli;

/// The completion script for `shell` on stdout.
pub fn completions(shell: clap_complete::Shell) -> anyhow::Result<()> {
    let mut cmd = Cli::command();
    let mut out = std::io::stdout().lock();
    clap_complete::generate(shell, &mut cmd, "arq", &mut out);
    out.flush()?;
    Ok(())
}

/// The manual page on stdout.
pub fn man() -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(page()?.as_bytes())?;
    out.flush()?;
    Ok(())
}

/// arq.1: title, name, synopsis, description and global options from clap_mangen,
/// then each command with its usage, description and options.
fn page() -> anyhow::Result<String> {
    let mut cmd = Cli::command();
    cmd.build();
    let man = clap_mangen::Man::new(cmd.clone());
    let mut out: Vec<u8> = Vec::new();
    man.render_title(&mut out)?;
    man.render_name_section(&mut out)?;
    man.render_synopsis_section(&mut out)?;
    man.render_description_section(&mut out)?;
    man.render_options_section(&mut out)?;
    writeln!(out, ".SH COMMANDS")?;
    for sub in visible(&cmd) {
        command(&mut out, sub)?;
    }
    man.render_extra_section(&mut out)?;
    man.render_version_section(&mut out)?;
    Ok(String::from_utf8(out)?)
}

fn visible(cmd: &clap::Command) -> impl Iterator<Item = &clap::Command> {
    cmd.get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
}

/// One command (and, below it, its subcommands).
fn command(out: &mut Vec<u8>, cmd: &clap::Command) -> anyhow::Result<()> {
    let subs: Vec<&clap::Command> = visible(cmd).collect();
    if !subs.is_empty() {
        for sub in subs {
            command(out, sub)?;
        }
        return Ok(());
    }
    let name = cmd.get_bin_name().unwrap_or(cmd.get_name());
    writeln!(out, ".SS \"{}\"", escape(name))?;
    let usage = cmd.clone().render_usage().to_string();
    let usage = usage.trim_start_matches("Usage:").trim();
    writeln!(out, ".B {}", escape(usage))?;
    writeln!(out, ".br")?;
    if let Some(about) = cmd.get_about() {
        writeln!(out, "{}", escape(&about.to_string()))?;
    }
    for arg in cmd.get_arguments() {
        let id = arg.get_id().as_str();
        if arg.is_hide_set() || arg.is_global_set() || ["help", "version"].contains(&id) {
            continue;
        }
        let value = arg
            .get_value_names()
            .and_then(|v| v.first())
            .map_or_else(|| id.to_ascii_uppercase(), ToString::to_string);
        let head = match arg.get_long() {
            Some(long) if arg.get_action().takes_values() => format!("--{long} <{value}>"),
            Some(long) => format!("--{long}"),
            None => format!("<{value}>"),
        };
        let mut text = arg.get_help().map(ToString::to_string).unwrap_or_default();
        let values: Vec<String> = arg
            .get_possible_values()
            .iter()
            .filter(|v| !v.is_hide_set())
            .map(|v| v.get_name().to_string())
            .collect();
        if !values.is_empty() {
            text.push_str(&format!(" [values: {}]", values.join(", ")));
        }
        let defaults: Vec<String> = arg
            .get_default_values()
            .iter()
            .map(|d| d.to_string_lossy().into_owned())
            .filter(|d| !d.is_empty())
            .collect();
        if !defaults.is_empty() && arg.get_action().takes_values() {
            text.push_str(&format!(" [default: {}]", defaults.join(", ")));
        }
        writeln!(out, ".TP\n\\fB{}\\fR\n{}", escape(&head), escape(&text))?;
    }
    Ok(())
}

/// Text safe in a roff line: backslashes and dashes escaped, no leading control dot.
fn escape(s: &str) -> String {
    let t = s.replace('\\', "\\e").replace('-', "\\-");
    if t.starts_with(['.', '\'']) {
        format!("\\&{t}")
    } else {
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_man_page_lists_every_command_with_its_options() {
        let page = page().unwrap_or_else(|e| panic!("{e}"));
        assert!(page.contains(".TH arq 1"), "{page}");
        for needle in [
            ".SS \"arq log call\"",
            ".SS \"arq report aging\"",
            ".SS \"arq outbox send\"",
            "\\fB\\-\\-outcome <OUTCOME>\\fR",
            "[values: reached, voicemail, no\\-answer, wrong\\-number, refused]",
            ".SH \"GLOBAL OPTIONS\"",
        ] {
            assert!(page.contains(needle), "missing {needle}:\n{page}");
        }
    }
}
