//! Guessing how a file writes its dates when no mapping says so. ISO dates and
//! dates with month names read one way only. `03/04/2026` reads two ways, so the
//! order is taken from a value that proves it (`13/04/2026` can only be day first);
//! when every value reads both ways the import is refused and the person asked to
//! say which in a mapping file: a wrong guess would move every due date. Pure.

use chrono::NaiveDate;

/// Formats with month names, tried in order (they read one way only).
const NAMED: &[&str] = &[
    "%d-%b-%y",
    "%d-%b-%Y",
    "%d %b %Y",
    "%d %B %Y",
    "%b %d, %Y",
    "%B %d, %Y",
    "%d/%b/%Y",
    "%d.%m.%Y",
];

/// What one value says about the file's format.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Clue {
    /// Reads one way only, in this format.
    Sure(String),
    /// Numbers `a/b/year`: day first when `a` > 12, month first when `b` > 12.
    Either {
        day_first: String,
        month_first: String,
        proves: Option<bool>,
    },
    /// Not a date in any format tried (the row's own error will say so).
    Unknown,
}

fn clue(raw: &str) -> Clue {
    let s = raw.trim();
    let parts: Vec<&str> = s.split(['/', '-', '.']).collect();
    let sep = s.chars().find(|c| matches!(c, '/' | '-' | '.'));
    let all_digits = parts
        .iter()
        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    if let (Some(sep), true, 3) = (sep, all_digits, parts.len()) {
        if parts[0].len() == 4 {
            return Clue::Sure(format!("%Y{sep}%m{sep}%d"));
        }
        let year = match parts[2].len() {
            4 => "%Y",
            2 => "%y",
            _ => return Clue::Unknown,
        };
        let (a, b) = match (parts[0].parse::<u32>(), parts[1].parse::<u32>()) {
            (Ok(a), Ok(b)) if parts[0].len() <= 2 && parts[1].len() <= 2 => (a, b),
            _ => return Clue::Unknown,
        };
        let proves = match (a > 12, b > 12) {
            (true, false) => Some(true),
            (false, true) => Some(false),
            _ => None,
        };
        if a > 12 && b > 12 {
            return Clue::Unknown;
        }
        return Clue::Either {
            day_first: format!("%d{sep}%m{sep}{year}"),
            month_first: format!("%m{sep}%d{sep}{year}"),
            proves,
        };
    }
    NAMED
        .iter()
        .find(|f| NaiveDate::parse_from_str(s, f).is_ok())
        .map_or(Clue::Unknown, |f| Clue::Sure((*f).to_string()))
}

/// A value that could not settle the order, kept to show the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Example {
    pub line: u64,
    pub column: usize,
    pub value: String,
    pub day_first: String,
    pub month_first: String,
}

/// What a look through the file's dates found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Guess {
    /// No text date needed a format (or none was readable): keep the default.
    Nothing,
    /// Read with this format; `proof` says which value chose the order, when one
    /// had to be chosen: (line, column, value).
    Chosen {
        format: String,
        proof: Option<(u64, usize, String)>,
    },
    /// Every value reads both ways.
    Ambiguous(Example),
}

/// Looks at date values one at a time, until one decides.
#[derive(Debug, Default)]
pub(crate) struct Guesser {
    example: Option<Example>,
    decided: Option<Guess>,
}

impl Guesser {
    /// Has a value decided the format?
    pub fn done(&self) -> bool {
        self.decided.is_some()
    }

    /// Feeds the text date `raw` of arq column `column` on `line`.
    pub fn feed(&mut self, line: u64, column: usize, raw: &str) {
        if self.decided.is_some() || raw.trim().is_empty() {
            return;
        }
        match clue(raw) {
            Clue::Sure(format) => {
                self.decided = Some(Guess::Chosen {
                    format,
                    proof: None,
                });
            }
            Clue::Either {
                day_first,
                month_first,
                proves: Some(day),
            } => {
                let format = if day { day_first } else { month_first };
                self.decided = Some(Guess::Chosen {
                    format,
                    proof: Some((line, column, raw.trim().to_string())),
                });
            }
            Clue::Either {
                day_first,
                month_first,
                proves: None,
            } => {
                if self.example.is_none() {
                    self.example = Some(Example {
                        line,
                        column,
                        value: raw.trim().to_string(),
                        day_first,
                        month_first,
                    });
                }
            }
            Clue::Unknown => {}
        }
    }

    pub fn finish(self) -> Guess {
        match (self.decided, self.example) {
            (Some(g), _) => g,
            (None, Some(e)) => Guess::Ambiguous(e),
            (None, None) => Guess::Nothing,
        }
    }
}

/// How a person reads a format's order: "day first (%d/%m/%Y)".
pub(crate) fn describe(format: &str) -> String {
    let order = match (format.find("%d"), format.find("%m")) {
        (Some(d), Some(m)) if d < m && !format.starts_with("%Y") => "day first",
        (Some(_), Some(_)) if !format.starts_with("%Y") => "month first",
        _ => "year first",
    };
    format!("{order} ({format})")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guess(values: &[&str]) -> Guess {
        let mut g = Guesser::default();
        for (i, v) in values.iter().enumerate() {
            g.feed(i as u64 + 2, 2, v);
        }
        g.finish()
    }

    fn chosen(format: &str, proof: Option<(u64, &str)>) -> Guess {
        Guess::Chosen {
            format: format.to_string(),
            proof: proof.map(|(l, v)| (l, 2, v.to_string())),
        }
    }

    #[test]
    fn a_value_that_reads_one_way_decides() {
        let cases: &[(&[&str], Guess)] = &[
            (&["2026-03-01", "03/04/2026"], chosen("%Y-%m-%d", None)),
            (&["2026/03/01"], chosen("%Y/%m/%d", None)),
            (
                &["03/04/2026", "13/04/2026"],
                chosen("%d/%m/%Y", Some((3, "13/04/2026"))),
            ),
            (
                &["03/04/2026", "04/13/2026"],
                chosen("%m/%d/%Y", Some((3, "04/13/2026"))),
            ),
            (
                &["5.3.2026", "25.3.2026"],
                chosen("%d.%m.%Y", Some((3, "25.3.2026"))),
            ),
            (&["1/31/26"], chosen("%m/%d/%y", Some((2, "1/31/26")))),
            (&["5-Mar-26"], chosen("%d-%b-%y", None)),
            (&["Jun 30, 2026"], chosen("%b %d, %Y", None)),
            (&["31 March 2026"], chosen("%d %B %Y", None)),
            (&["", "someday"], Guess::Nothing),
        ];
        for (values, want) in cases {
            assert_eq!(&guess(values), want, "{values:?}");
        }
    }

    #[test]
    fn values_that_read_both_ways_are_not_guessed() {
        let got = guess(&["03/04/2026", "12/12/2026", "1/2/2026"]);
        assert_eq!(
            got,
            Guess::Ambiguous(Example {
                line: 2,
                column: 2,
                value: "03/04/2026".into(),
                day_first: "%d/%m/%Y".into(),
                month_first: "%m/%d/%Y".into(),
            })
        );
    }

    #[test]
    fn formats_are_described_by_their_order() {
        assert_eq!(describe("%d/%m/%Y"), "day first (%d/%m/%Y)");
        assert_eq!(describe("%m/%d/%Y"), "month first (%m/%d/%Y)");
        assert_eq!(describe("%Y-%m-%d"), "year first (%Y-%m-%d)");
    }
}
