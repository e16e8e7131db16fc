//! The arq columns of each kind of file (DESIGN §7) and how they are found in a
//! file's header: by the names a mapping gives (else the arq name), compared without
//! case and surrounding spaces.

use csv::StringRecord;

use super::ImportKind;

/// One arq column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Spec {
    pub name: &'static str,
    pub required: bool,
}

const fn req(name: &'static str) -> Spec {
    Spec {
        name,
        required: true,
    }
}

const fn opt(name: &'static str) -> Spec {
    Spec {
        name,
        required: false,
    }
}

/// Positions in [`CUSTOMER_COLUMNS`].
pub(crate) mod customer {
    pub const ID: usize = 0;
    pub const NAME: usize = 1;
    pub const EMAIL: usize = 2;
    pub const PHONE: usize = 3;
    pub const SEGMENT: usize = 4;
    pub const RISK: usize = 5;
    pub const COLLECTOR: usize = 6;
    pub const CREDIT_LIMIT: usize = 7;
    pub const OPT_OUT: usize = 8;
    pub const WHITE_GLOVE: usize = 9;
    pub const STRATEGY: usize = 10;
    pub const ADDRESS: usize = 11;
}

pub(crate) const CUSTOMER_COLUMNS: &[Spec] = &[
    req("customer_id"),
    req("name"),
    opt("email"),
    opt("phone"),
    opt("segment"),
    opt("risk"),
    opt("collector"),
    opt("credit_limit"),
    opt("opt_out"),
    opt("white_glove"),
    opt("strategy"),
    opt("address"),
];

/// Positions in [`INVOICE_COLUMNS`].
pub(crate) mod invoice {
    pub const NO: usize = 0;
    pub const CUSTOMER: usize = 1;
    pub const ISSUE: usize = 2;
    pub const DUE: usize = 3;
    pub const AMOUNT: usize = 4;
    pub const BALANCE: usize = 5;
    pub const CURRENCY: usize = 6;
    pub const NAME: usize = 7;
}

pub(crate) const INVOICE_COLUMNS: &[Spec] = &[
    req("invoice_no"),
    req("customer_id"),
    req("issue_date"),
    req("due_date"),
    req("amount"),
    opt("balance"),
    opt("currency"),
    opt("name"),
];

/// Positions in [`PAYMENT_COLUMNS`].
pub(crate) mod payment {
    pub const ID: usize = 0;
    pub const CUSTOMER: usize = 1;
    pub const DATE: usize = 2;
    pub const AMOUNT: usize = 3;
    pub const INVOICE: usize = 4;
}

pub(crate) const PAYMENT_COLUMNS: &[Spec] = &[
    req("payment_id"),
    req("customer_id"),
    req("date"),
    req("amount"),
    opt("invoice_no"),
];

pub(crate) fn specs(kind: ImportKind) -> &'static [Spec] {
    match kind {
        ImportKind::Customers => CUSTOMER_COLUMNS,
        ImportKind::Invoices => INVOICE_COLUMNS,
        ImportKind::Payments => PAYMENT_COLUMNS,
    }
}

/// A header cell as compared: trimmed, lower case, without the `*` that marks
/// required columns in some import templates.
pub(crate) fn normalize(h: &str) -> String {
    h.trim().trim_start_matches('*').trim().to_lowercase()
}

/// Where each arq column sits in the file.
#[derive(Debug, Clone)]
pub(crate) struct Columns {
    /// Per arq column: the file's column index and its header as written.
    at: Vec<Option<(usize, String)>>,
    specs: &'static [Spec],
}

impl Columns {
    /// Finds each arq column in `header`. `candidates[i]` lists the names to look
    /// for, in order of preference.
    pub fn find(
        specs: &'static [Spec],
        candidates: &[Vec<String>],
        header: &StringRecord,
    ) -> Columns {
        let cells: Vec<String> = header.iter().map(normalize).collect();
        let at = candidates
            .iter()
            .map(|names| {
                names.iter().find_map(|n| {
                    let want = normalize(n);
                    cells
                        .iter()
                        .position(|c| *c == want)
                        .map(|i| (i, header.get(i).unwrap_or_default().trim().to_string()))
                })
            })
            .collect();
        Columns { at, specs }
    }

    /// The required arq columns the header lacks, leaving out those `filled` by other
    /// means (group-header rows).
    pub fn missing(&self, filled: &[usize]) -> Vec<usize> {
        (0..self.specs.len())
            .filter(|&i| self.specs[i].required && !self.has(i) && !filled.contains(&i))
            .collect()
    }

    /// The file's column index of arq column `col`.
    pub fn index(&self, col: usize) -> Option<usize> {
        self.at.get(col).and_then(|a| a.as_ref().map(|(i, _)| *i))
    }

    pub fn has(&self, col: usize) -> bool {
        self.at.get(col).is_some_and(Option::is_some)
    }

    /// How many arq columns there are.
    pub fn width(&self) -> usize {
        self.specs.len()
    }

    /// The arq name of column `col`.
    pub fn name(&self, col: usize) -> &'static str {
        self.specs.get(col).map_or("?", |s| s.name)
    }

    /// The trimmed cell of arq column `col` ("" when the file lacks the column).
    pub fn cell<'r>(&self, rec: &'r StringRecord, col: usize) -> &'r str {
        match self.at.get(col) {
            Some(Some((i, _))) => rec.get(*i).unwrap_or_default().trim(),
            _ => "",
        }
    }

    /// How errors name arq column `col`: `due_date`, or `due_date ('Due Date')` when
    /// the file calls it something else.
    pub fn label(&self, col: usize) -> String {
        let name = self.specs.get(col).map_or("?", |s| s.name);
        match self.at.get(col) {
            Some(Some((_, header))) if header != name => format!("{name} ('{header}')"),
            _ => name.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_columns_by_preference_without_case_or_spaces() {
        let header = StringRecord::from(vec!["", " Date ", "Num", "*Due Date", "AMOUNT", "x"]);
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let candidates = vec![
            names(&["Num"]),
            names(&["Customer"]),
            names(&["date"]),
            names(&["due date"]),
            names(&["Amount", "Open balance"]),
            names(&["Open balance"]),
            names(&["currency"]),
            names(&["name"]),
        ];
        let cols = Columns::find(INVOICE_COLUMNS, &candidates, &header);
        assert_eq!(cols.missing(&[]), vec![invoice::CUSTOMER]);
        assert!(cols.missing(&[invoice::CUSTOMER]).is_empty());
        let row = StringRecord::from(vec!["", "1/2/2026", " 0042 ", "2/1/2026", "10.00"]);
        assert_eq!(cols.cell(&row, invoice::NO), "0042");
        assert_eq!(cols.cell(&row, invoice::BALANCE), "");
        assert_eq!(cols.label(invoice::DUE), "due_date ('*Due Date')");
        assert_eq!(cols.label(invoice::NO), "invoice_no ('Num')");
        assert_eq!(cols.label(invoice::AMOUNT), "amount ('AMOUNT')");
    }
}
