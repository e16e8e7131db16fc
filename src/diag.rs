//! Errors located in a text file (`file:line:column: message`), shared by every
//! reader of people-written files: strategies, mapping files, `config.toml`.

use std::fmt;
use std::ops::Range;
use std::path::Path;

/// One problem at one place in a file. Lines and columns count from 1; columns count
/// characters, not bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl Located {
    /// Locates byte offset `at` of `src`.
    pub fn at(file: &str, src: &str, at: usize, message: impl Into<String>) -> Located {
        let (line, column) = line_col(src, at);
        Located {
            file: file.to_string(),
            line,
            column,
            message: message.into(),
        }
    }

    /// Locates the start of `span`, or the file's first line when there is none.
    pub fn span(
        file: &str,
        src: &str,
        span: Option<Range<usize>>,
        message: impl Into<String>,
    ) -> Located {
        Located::at(file, src, span.map_or(0, |s| s.start), message)
    }

    /// A TOML syntax or shape error, with the location the parser gave.
    pub fn from_toml(file: &str, src: &str, err: &toml::de::Error) -> Located {
        Located::span(file, src, err.span(), err.message().trim().to_string())
    }
}

impl fmt::Display for Located {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )
    }
}

/// Several located problems in one file, shown one per line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Located>);

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

/// Why a file people write (a strategy, a mapping, `config.toml`) could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "{path}: the file is {size} bytes; {what} is at most {max} bytes (is this the right file?)"
    )]
    TooLarge {
        path: String,
        what: &'static str,
        size: u64,
        max: u64,
    },
    /// Not UTF-8, at this place.
    #[error("{0}")]
    NotUtf8(Located),
}

/// Reads a text file people write: at most `max` bytes of UTF-8. A file that is not
/// UTF-8 is refused at the line and column where it stops being so.
pub fn read_text(path: &Path, what: &'static str, max: u64) -> Result<String, ReadError> {
    let name = path.display().to_string();
    let io = |source| ReadError::Io {
        path: name.clone(),
        source,
    };
    let size = std::fs::metadata(path).map_err(io)?.len();
    if size > max {
        return Err(ReadError::TooLarge {
            path: name,
            what,
            size,
            max,
        });
    }
    let bytes = std::fs::read(path).map_err(io)?;
    String::from_utf8(bytes).map_err(|e| {
        let bytes = e.as_bytes();
        let good = e.utf8_error().valid_up_to();
        let prefix = std::str::from_utf8(&bytes[..good]).unwrap_or_default();
        let bad = bytes.get(good).copied().unwrap_or(0);
        ReadError::NotUtf8(Located::at(
            &name,
            prefix,
            prefix.len(),
            format!("this is not UTF-8 text (byte 0x{bad:02X}): save the file as UTF-8"),
        ))
    })
}

/// 1-based line and character column of byte offset `at` in `src`.
pub fn line_col(src: &str, at: usize) -> (usize, usize) {
    let at = at.min(src.len());
    let before = src.get(..at).unwrap_or(src);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_lines_and_character_columns() {
        let src = "a = 1\nnäme = 2\n";
        assert_eq!(line_col(src, 0), (1, 1));
        assert_eq!(line_col(src, 6), (2, 1));
        // after "nä" (3 bytes) the column is 3
        assert_eq!(line_col(src, 9), (2, 3));
        assert_eq!(line_col(src, 999), (3, 1));
    }

    #[test]
    fn a_file_that_is_not_utf8_is_refused_where_it_stops_being_so() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let p = dir.path().join("s.toml");
        std::fs::write(&p, b"[strategy]\nid = \"caf\xe9\"\n").unwrap_or_else(|e| panic!("{e}"));
        let err = read_text(&p, "a strategy file", 1000)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.ends_with(
                "s.toml:2:10: this is not UTF-8 text (byte 0xE9): save the file as UTF-8"
            ),
            "{err}"
        );
        let err = read_text(&p, "a strategy file", 10)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("a strategy file is at most 10 bytes"), "{err}");
    }
}
