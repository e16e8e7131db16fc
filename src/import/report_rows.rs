//! Which rows of a report are data: the shape of a row decides whether it is blank,
//! the grand total (the end of the data), a block total, a group header naming a
//! customer or a section, a subtotal closing a group, the header repeated, or data.
//! Groups nest (`Parent` then `Parent:Child`); a subtotal naming an open group
//! closes it, so the rows after a sub-customer's total belong to its parent again.
//! Pure: the rules come from the mapping's `[rows]`, the row from the reader.

use csv::StringRecord;

use super::columns::normalize;
use super::mapping::RowRules;

/// Open groups kept at most (a report without subtotal rows never closes one).
const MAX_DEPTH: usize = 64;

/// What a row of a report is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RowClass {
    Blank,
    /// The grand total: the data ends here; anything after it is a trailer.
    GrandTotal,
    /// A total closing a block (an Odoo account); the data goes on after it.
    BlockTotal,
    /// A row with only its first cell filled: a group (customer or section) header.
    Group,
    /// `Total for X` and the like.
    Subtotal,
    /// The header row again (reports that repeat it for every group).
    Header,
    Data,
}

/// The open groups of a report being read.
#[derive(Debug, Clone, Default)]
pub(crate) struct Groups {
    open: Vec<String>,
}

impl Groups {
    /// The innermost open group.
    pub fn current(&self) -> Option<&str> {
        self.open.last().map(String::as_str)
    }

    pub fn clear(&mut self) {
        self.open.clear();
    }

    /// Says what `rec` is and updates the open groups. `header` is the header row
    /// as compared (normalized), once it is known.
    pub fn classify(
        &mut self,
        rules: &RowRules,
        rec: &StringRecord,
        header: Option<&[String]>,
    ) -> RowClass {
        let Some(first) = rec.iter().map(str::trim).find(|c| !c.is_empty()) else {
            return RowClass::Blank;
        };
        if rules.stop_at.iter().any(|s| s == first) {
            return RowClass::GrandTotal;
        }
        if rules.block_total.iter().any(|s| s == first) {
            return RowClass::BlockTotal;
        }
        let lead = rec.get(0).unwrap_or_default().trim();
        let group_shaped =
            rules.groups() && !lead.is_empty() && rec.iter().skip(1).all(|c| c.trim().is_empty());
        let subtotal_of = rules
            .skip_prefix
            .iter()
            .find_map(|p| first.strip_prefix(p.as_str()));
        if let Some(name) = subtotal_of {
            // A subtotal names the group it closes; a group header that merely starts
            // like one ("Total Wine Co") opens a group.
            if let Some(at) = self.open.iter().rposition(|g| g == name.trim()) {
                self.open.truncate(at);
                return RowClass::Subtotal;
            }
            if !group_shaped {
                return RowClass::Subtotal;
            }
        }
        if group_shaped {
            if self.open.len() >= MAX_DEPTH {
                self.open.remove(0);
            }
            self.open.push(lead.to_string());
            return RowClass::Group;
        }
        if let Some(h) = header
            && rec.len() >= h.len()
            && h.iter().zip(rec.iter()).all(|(a, b)| *a == normalize(b))
            && h.iter().any(|c| !c.is_empty())
        {
            return RowClass::Header;
        }
        RowClass::Data
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> RowRules {
        RowRules {
            group_header: vec![1],
            skip_prefix: vec!["Total for ".into(), "Total ".into()],
            stop_at: vec!["TOTAL".into()],
            block_total: vec!["Grand".into()],
            ..RowRules::default()
        }
    }

    fn rec(cells: &[&str]) -> StringRecord {
        StringRecord::from(cells.to_vec())
    }

    #[test]
    fn classifies_a_report_and_nests_groups() {
        let r = rules();
        let header: Vec<String> = ["", "date", "num", "open balance"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let mut g = Groups::default();
        let steps: &[(&[&str], RowClass, Option<&str>)] = &[
            (&["", "", "", ""], RowClass::Blank, None),
            (&["Freeman", "", "", ""], RowClass::Group, Some("Freeman")),
            (
                &["Freeman:Ocean View", "", "", ""],
                RowClass::Group,
                Some("Freeman:Ocean View"),
            ),
            (
                &["", "01/02/2026", "1001", "10.00"],
                RowClass::Data,
                Some("Freeman:Ocean View"),
            ),
            (
                &["Total for Freeman:Ocean View", "", "", "$10.00"],
                RowClass::Subtotal,
                Some("Freeman"),
            ),
            (
                &["", "01/03/2026", "1002", "5.00"],
                RowClass::Data,
                Some("Freeman"),
            ),
            (
                &[" ", "Date", "Num", "Open balance"],
                RowClass::Header,
                Some("Freeman"),
            ),
            (
                &["Total for Freeman", "", "", "$15.00"],
                RowClass::Subtotal,
                None,
            ),
            (
                &["Total Wine Co", "", "", ""],
                RowClass::Group,
                Some("Total Wine Co"),
            ),
            (
                &["Total Total Wine Co", "", "", "1.00"],
                RowClass::Subtotal,
                None,
            ),
            (&["", "", "Grand", "16.00"], RowClass::BlockTotal, None),
            (&["TOTAL", "", "", "$16.00"], RowClass::GrandTotal, None),
        ];
        for (cells, want, group) in steps {
            let got = g.classify(&r, &rec(cells), Some(&header));
            assert_eq!(&got, want, "{cells:?}");
            assert_eq!(g.current(), *group, "{cells:?}");
        }
    }

    #[test]
    fn without_group_rules_a_lone_first_cell_is_data() {
        let r = RowRules::default();
        let mut g = Groups::default();
        assert_eq!(
            g.classify(&r, &rec(&["INV-1", "", ""]), None),
            RowClass::Data
        );
        assert_eq!(g.current(), None);
    }
}
