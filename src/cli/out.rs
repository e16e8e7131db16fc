//! Everything the command line prints goes through here. Text from outside (names,
//! notes, imported fields, file contents quoted in errors) has its control
//! characters shown as symbols, never obeyed by the terminal; JSON keeps its values
//! exactly, with such characters escaped. Output into a closed pipe (`arq queue |
//! head -1`) ends the program quietly, as Unix tools do.

use std::io::Write;

use crate::display;

/// Writes `s` to standard output, made safe. A reader that went away ends the program.
pub fn stdout(s: &str) {
    write_or_quit(&mut std::io::stdout().lock(), &display::clean(s));
}

/// Writes JSON text to standard output, escaped where a terminal would act.
pub fn stdout_json(s: &str) {
    write_or_quit(&mut std::io::stdout().lock(), &display::json_safe(s));
}

/// Writes `s` to standard error, made safe.
pub fn stderr(s: &str) {
    let _ = std::io::stderr()
        .lock()
        .write_all(display::clean(s).as_bytes());
}

fn write_or_quit(w: &mut impl Write, s: &str) {
    let done = w.write_all(s.as_bytes()).and_then(|()| w.flush());
    if let Err(e) = done
        && e.kind() == std::io::ErrorKind::BrokenPipe
    {
        // Whoever read our output has all they wanted.
        std::process::exit(0);
    }
}

/// `println!` for the command line: formats, then writes through [`stdout`].
macro_rules! println {
    () => { $crate::cli::out::stdout("\n") };
    ($($arg:tt)*) => {{
        let mut s = format!($($arg)*);
        s.push('\n');
        $crate::cli::out::stdout(&s);
    }};
}

/// `print!` for the command line.
macro_rules! print {
    ($($arg:tt)*) => { $crate::cli::out::stdout(&format!($($arg)*)) };
}

/// `eprintln!` for the command line.
macro_rules! eprintln {
    ($($arg:tt)*) => {{
        let mut s = format!($($arg)*);
        s.push('\n');
        $crate::cli::out::stderr(&s);
    }};
}

pub(crate) use {eprintln, print, println};
