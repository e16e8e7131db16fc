//! Plain-text tables for people: aligned columns, numbers on the right (and never
//! cut), wide characters measured by their display width.

use unicode_width::UnicodeWidthStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// A table built row by row.
pub struct Table {
    headers: Vec<(String, Align, usize)>,
    rows: Vec<Vec<String>>,
}

pub use crate::display::fit;

impl Table {
    /// Columns as (header, alignment, maximum width of a left-aligned text).
    pub fn new(columns: &[(&str, Align, usize)]) -> Table {
        Table {
            headers: columns
                .iter()
                .map(|(h, a, m)| (h.to_string(), *a, *m))
                .collect(),
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn render(&self) -> String {
        let cells: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|r| {
                r.iter()
                    .zip(&self.headers)
                    .map(|(c, (_, align, max))| match align {
                        // Numbers are never cut: a width is a wish for text only.
                        Align::Right => crate::display::clean_line(c).into_owned(),
                        Align::Left => fit(&crate::display::clean_line(c), *max),
                    })
                    .collect()
            })
            .collect();
        let mut widths: Vec<usize> = self.headers.iter().map(|(h, _, _)| h.width()).collect();
        for r in &cells {
            for (w, c) in widths.iter_mut().zip(r) {
                *w = (*w).max(c.width());
            }
        }
        let line = |r: &[String]| -> String {
            let mut s = String::new();
            for (i, (c, (_, align, _))) in r.iter().zip(&self.headers).enumerate() {
                let pad = widths[i].saturating_sub(c.width());
                if i > 0 {
                    s.push_str("  ");
                }
                match align {
                    Align::Left => {
                        s.push_str(c);
                        s.push_str(&" ".repeat(pad));
                    }
                    Align::Right => {
                        s.push_str(&" ".repeat(pad));
                        s.push_str(c);
                    }
                }
            }
            s.trim_end().to_string()
        };
        let header: Vec<String> = self.headers.iter().map(|(h, _, _)| h.clone()).collect();
        let mut out = vec![line(&header)];
        for r in &cells {
            out.push(line(r));
        }
        out.join("\n") + "\n"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns_by_display_width() {
        let mut t = Table::new(&[("name", Align::Left, 10), ("amount", Align::Right, 12)]);
        t.row(vec!["Acme".into(), "1,250.00".into()]);
        t.row(vec!["東京商事".into(), "5.00".into()]);
        t.row(vec!["A very long customer name".into(), "0.00".into()]);
        t.row(vec!["Big".into(), "12,345,678,901.00".into()]);
        assert_eq!(
            t.render(),
            "name                   amount\nAcme                 1,250.00\n東京商事                 5.00\nA very lo…               0.00\nBig         12,345,678,901.00\n"
        );
    }
}
