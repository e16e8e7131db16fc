//! Built-in mappings for common accounting exports (see
//! `shared/reference/import-formats.md`). Each preset is a mapping file kept as
//! TOML text, read by the same code as a shop's own mapping file, so what
//! `docs/IMPORT.md` shows is exactly what runs.

use std::sync::OnceLock;

use super::{ImportError, ImportKind};

/// A built-in mapping.
#[derive(Debug)]
pub(crate) struct Preset {
    pub name: &'static str,
    pub description: &'static str,
    pub kind: ImportKind,
    pub toml: &'static str,
    /// Said after a header that cannot be found: what to change in the export.
    pub hint: Option<&'static str>,
}

pub(crate) const PRESETS: &[Preset] = &[
    Preset {
        name: "qbo-open-invoices",
        description: "QuickBooks Online Open Invoices / A/R Aging Detail report saved as CSV",
        kind: ImportKind::Invoices,
        toml: QBO_OPEN_INVOICES,
        hint: None,
    },
    Preset {
        name: "xero-invoices",
        description: "Xero Sales > Invoices > Export (one row per line item, DD/MM/YYYY)",
        kind: ImportKind::Invoices,
        toml: XERO_INVOICES,
        hint: None,
    },
    Preset {
        name: "zoho-invoices",
        description: "Zoho Books invoice export Invoice.csv (one row per line item)",
        kind: ImportKind::Invoices,
        toml: ZOHO_INVOICES,
        hint: None,
    },
    Preset {
        name: "erpnext-receivable",
        description: "ERPNext Accounts Receivable report exported as CSV (filters rows allowed)",
        kind: ImportKind::Invoices,
        toml: ERPNEXT_RECEIVABLE,
        hint: None,
    },
    Preset {
        name: "qbo-ar-aging-detail",
        description: "QuickBooks Online A/R Aging Detail report (XLSX or CSV), with credits and payments",
        kind: ImportKind::Invoices,
        toml: QBO_AR_AGING_DETAIL,
        hint: Some(
            "the A/R Aging Detail report groups rows by age, so it must show a customer column: in QuickBooks, Customize > Rows/Columns > Change columns > tick Customer, run the report and export it again",
        ),
    },
    Preset {
        name: "qbo-open-invoices-report",
        description: "QuickBooks Online Open Invoices report (XLSX or CSV), with credits and payments",
        kind: ImportKind::Invoices,
        toml: QBO_OPEN_INVOICES_REPORT,
        hint: None,
    },
    Preset {
        name: "xero-aged-receivables-detail",
        description: "Xero Aged Receivables Detail report (XLSX or CSV), with credit notes",
        kind: ImportKind::Invoices,
        toml: XERO_AGED_RECEIVABLES_DETAIL,
        hint: None,
    },
    Preset {
        name: "odoo-aged-partner-balance",
        description: "Odoo Aged Partner Balance with move line details (XLSX or CSV)",
        kind: ImportKind::Invoices,
        toml: ODOO_AGED_PARTNER_BALANCE,
        hint: Some(
            "export the Aged Partner Balance with \"Show move line details\" ticked: the summary has no invoices",
        ),
    },
];

const QBO_OPEN_INVOICES: &str = r#"
# Title rows, a blank row, then a header whose first cell is empty. Column A holds
# the customer on group-header rows; "Total for ..." closes each group; "TOTAL" is
# the grand total, followed by a timestamp line.
[columns]
invoice_no = ["Num", "No."]
customer_id = ["Customer full name", "Customer"]
name = ["Customer full name", "Customer"]
issue_date = ["Date", "Transaction date"]
due_date = ["Due date"]
amount = ["Amount", "Open balance"]
balance = ["Open balance"]
currency = ["Currency"]

[format]
date = "%m/%d/%Y"

[rows]
find_header = true
group_header = ["customer_id", "name"]
skip_prefix = ["Total for "]
stop_at = ["TOTAL"]
keep = { "Transaction type" = ["Invoice"] }
skip_if_blank = ["invoice_no"]
skip_negative = true
# Credit memos and payments are left out, so the rows cannot add up to TOTAL:
# qbo-open-invoices-report reads them and checks the total.
check_total = false
"#;

const XERO_INVOICES: &str = r#"
# The 44-column Sales > Invoices export: one row per line item, invoice fields
# repeated on every line. Dates follow the organisation's locale (DD/MM/YYYY outside
# the US: override [format] date with a mapping file for a US organisation).
[columns]
invoice_no = "InvoiceNumber"
customer_id = "ContactName"
name = "ContactName"
issue_date = "InvoiceDate"
due_date = "DueDate"
amount = "Total"
balance = "InvoiceAmountDue"
currency = "Currency"

[format]
date = "%d/%m/%Y"

[rows]
keep = { Type = ["Sales invoice"] }
drop = { Status = ["Draft", "Submitted", "Voided", "Deleted"] }
skip_if_blank = ["invoice_no"]
skip_negative = true
group_lines = true
"#;

const ZOHO_INVOICES: &str = r#"
# Zoho Books Invoice.csv: one row per line item, ISO dates, plain amounts.
[columns]
invoice_no = "Invoice Number"
customer_id = "Customer ID"
name = "Customer Name"
issue_date = "Invoice Date"
due_date = "Due Date"
amount = "Total"
balance = "Balance"
currency = ["Currency Code", "Currency"]

[rows]
drop = { "Invoice Status" = ["Draft", "Void"] }
skip_if_blank = ["invoice_no"]
skip_negative = true
group_lines = true
"#;

const ERPNEXT_RECEIVABLE: &str = r#"
# ERPNext Accounts Receivable: optional "filter, value" rows and a blank row before
# the header; raw ISO dates and plain numbers; payment and journal entries show as
# negative outstanding amounts.
[columns]
invoice_no = "Voucher No"
customer_id = ["Party", "Customer"]
name = ["Customer Name", "Party Name"]
issue_date = "Posting Date"
due_date = "Due Date"
amount = ["Invoiced Amount", "Invoice Grand Total"]
balance = "Outstanding Amount"
currency = "Currency"

[rows]
find_header = true
stop_at = ["Total", "'Total'"]
keep = { "Party Type" = ["Customer"], "Voucher Type" = ["Sales Invoice"] }
skip_if_blank = ["invoice_no"]
skip_negative = true
# Payment and journal entries are left out, so the rows cannot add up to Total.
check_total = false
"#;

const QBO_AR_AGING_DETAIL: &str = r#"
# Reports > A/R Aging Detail, exported to Excel or CSV. Title rows and a blank row,
# then a header whose first cell is empty. Column A holds the ageing sections
# ("Current", "1 - 30 days past due", ...), each closed by "Total for ..."; they
# are not customers, so the report must show a customer column. "TOTAL" is the
# grand total, then a timestamp. Credit memos and unapplied payments are negative
# rows: they become dated credits and payments. Dates: US QuickBooks writes
# MM/DD/YYYY, other countries DD/MM/YYYY; arq tells them apart from the values.
[columns]
invoice_no = ["Num", "No."]
customer_id = ["Customer full name", "Customer", "Name"]
name = ["Customer full name", "Customer", "Name"]
issue_date = ["Date", "Transaction date"]
due_date = ["Due date"]
amount = ["Amount", "Open balance"]
balance = ["Open balance"]
currency = ["Currency"]

[rows]
find_header = true
skip_group_rows = true
skip_prefix = ["Total for "]
stop_at = ["TOTAL"]
type_column = ["Transaction type", "Type"]
invoice_types = ["Invoice"]
credit_types = ["Credit Memo"]
payment_types = ["Payment"]
"#;

const QBO_OPEN_INVOICES_REPORT: &str = r#"
# Reports > Open Invoices, exported to Excel or CSV. Title rows and a blank row,
# then a header whose first cell is empty. Column A names each customer on a row of
# its own (sub-customers as "Parent:Child", nested in their parent), closed by
# "Total for ..."; "TOTAL" is the grand total, then a timestamp. Credit memos and
# unapplied payments are negative rows: they become dated credits and payments.
[columns]
invoice_no = ["Num", "No."]
customer_id = ["Customer full name", "Customer"]
name = ["Customer full name", "Customer"]
issue_date = ["Date", "Transaction date"]
due_date = ["Due date"]
amount = ["Amount", "Open balance"]
balance = ["Open balance"]
currency = ["Currency"]

[rows]
find_header = true
group_header = ["customer_id", "name"]
skip_prefix = ["Total for "]
stop_at = ["TOTAL"]
type_column = ["Transaction type", "Type"]
invoice_types = ["Invoice"]
credit_types = ["Credit Memo"]
payment_types = ["Payment"]
"#;

const XERO_AGED_RECEIVABLES_DETAIL: &str = r#"
# Reports > Aged Receivables Detail, exported to Excel (or saved as CSV). Four title
# rows and a blank row, then the header. Each contact is a row holding only its
# name, then its invoices, then "Total <contact>"; the grand total row reads
# "Total"; percentages may follow it. The report gives what is due on each invoice,
# not what it was first: that figure is both amount and balance. Credit notes and
# overpayments have a date, no invoice number and a negative total: credits.
[columns]
invoice_no = ["Invoice Number", "Number"]
customer_id = ["Contact"]
name = ["Contact"]
issue_date = ["Invoice Date", "Date"]
due_date = ["Due Date"]
amount = ["Total"]
balance = ["Total"]
currency = ["Currency"]

[rows]
find_header = true
group_header = ["customer_id", "name"]
skip_prefix = ["Total "]
stop_at = ["Total"]
negative = "credit"
"#;

const ODOO_AGED_PARTNER_BALANCE: &str = r#"
# Accounting > Reporting > Aged Partner Balance (OCA account_financial_report) with
# "Show move line details", exported to XLSX. A title, a filter block, then per
# receivable account a title row and per partner a title row, the header again and
# the partner's open items, closed by "Partner cumul aged balance". Each account
# ends with "Total" and "Percents"; the totals of all accounts add up to the file's
# total. Refunds (RINV) are negative lines of the invoice journal: credits. Bank and
# cash journal lines are payments. Lines of other journals (MISC) are left out and
# counted, so the total check shows them.
[columns]
invoice_no = ["Entry"]
customer_id = ["Partner"]
name = ["Partner"]
issue_date = ["Date"]
due_date = ["Due date"]
amount = ["Residual"]
balance = ["Residual"]
currency = ["Currency"]

[rows]
find_header = true
skip_group_rows = true
skip_prefix = ["Partner cumul aged balance", "Percents"]
block_total = ["Total"]
type_column = ["Journal"]
invoice_types = ["INV", "Customer Invoices"]
payment_types = ["BNK1", "BNK2", "CSH1", "Bank", "Cash"]
negative = "credit"
"#;

/// The preset called `name` (any case).
pub(crate) fn find(name: &str) -> Result<&'static Preset, ImportError> {
    PRESETS
        .iter()
        .find(|p| p.name.eq_ignore_ascii_case(name.trim()))
        .ok_or_else(|| {
            let names: Vec<&str> = PRESETS.iter().map(|p| p.name).collect();
            ImportError::Refused(format!(
                "no preset '{name}': use one of {}, or describe the file with --mapping FILE.toml",
                names.join(", ")
            ))
        })
}

/// What to change in the export when the header of preset `name` is not found.
pub(crate) fn hint(name: &str) -> Option<&'static str> {
    PRESETS
        .iter()
        .find(|p| p.name.eq_ignore_ascii_case(name.trim()))
        .and_then(|p| p.hint)
}

/// (name, description) of every preset, for help text.
pub(crate) fn list() -> &'static [(&'static str, &'static str)] {
    static LIST: OnceLock<Vec<(&'static str, &'static str)>> = OnceLock::new();
    LIST.get_or_init(|| PRESETS.iter().map(|p| (p.name, p.description)).collect())
}

/// The TOML of a preset, for `docs/IMPORT.md` and anyone who wants to start a
/// mapping file from one.
pub fn preset_toml(name: &str) -> Option<&'static str> {
    PRESETS
        .iter()
        .find(|p| p.name.eq_ignore_ascii_case(name))
        .map(|p| p.toml)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::mapping::{Mapping, apply};

    #[test]
    fn every_preset_reads_as_a_mapping_of_its_kind() {
        for p in PRESETS {
            let mut m = Mapping::generic(p.kind);
            apply(&mut m, p.kind, p.name, p.toml)
                .unwrap_or_else(|e| panic!("preset {}: {e}", p.name));
            assert!(!p.description.is_empty());
        }
        assert_eq!(list().len(), PRESETS.len());
        assert!(find("XERO-invoices").is_ok());
        let err = find("sage")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains("no preset 'sage': use one of qbo-open-invoices"),
            "{err}"
        );
    }
}
