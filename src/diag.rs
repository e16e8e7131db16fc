//! Errors located in a text file (`file:line:column: message`), shared by every
//! reader of people-written files: strategies, mapping files, `config.toml`.

use std::fmt;
use std::ops::Range;

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
}
