//! Message templates (minijinja): the shipped ones, overridden file by file by the
//! shop's `templates/` directory. Money and dates are formatted in Rust before they
//! reach a template; templates only place text.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use minijinja::value::{Serde, Value};
use minijinja::{Environment, UndefinedBehavior, context};
use serde::Serialize;

use crate::assets;
use crate::config::ShopConfig;
use crate::domain::{Customer, InvoicePosition, Money};

/// A template that could not be read or rendered, located in its file.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("no template named '{0}' (shipped or in the shop's templates/ directory)")]
    Unknown(String),
    #[error("{file}:{line}: {message}")]
    Invalid {
        file: String,
        line: usize,
        message: String,
    },
    #[error("cannot read template {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{file}:1: a template must start with a 'Subject: …' line")]
    NoSubject { file: String },
}

/// A rendered message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
}

/// One invoice line as templates see it (already formatted).
#[derive(Debug, Clone, Serialize)]
pub struct InvoiceLine {
    pub invoice_no: String,
    pub issue_date: String,
    pub due_date: String,
    pub amount: String,
    pub balance: String,
    /// The part of the balance under dispute ("" when none): not asked for.
    pub disputed: String,
    pub days_past_due: u32,
    /// Days until the due date (0 once due).
    pub days_to_due: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct CustomerInfo {
    pub id: String,
    pub name: String,
    pub email: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PromiseInfo {
    pub amount: String,
    pub date: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct InstallmentInfo {
    pub date: String,
    pub amount: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlanInfo {
    pub installments: Vec<InstallmentInfo>,
    pub total: String,
}

/// Everything a template may use.
#[derive(Debug, Clone, Serialize)]
pub struct MessageContext {
    pub customer: CustomerInfo,
    pub as_of: String,
    pub currency: String,
    pub invoices: Vec<InvoiceLine>,
    /// The past-due invoices as an aligned plain-text table.
    pub invoice_table: String,
    pub total_past_due: String,
    pub total_balance: String,
    pub oldest_days_past_due: u32,
    pub shop: ShopConfig,
    pub collector: Option<String>,
    pub promise: Option<PromiseInfo>,
    pub plan: Option<PlanInfo>,
    /// Further values a caller gives (manual messages), as top-level variables.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

impl MessageContext {
    /// The context for a reminder about `customer`'s past-due invoices as of `as_of`.
    pub fn reminder(
        customer: &Customer,
        invoices: &[InvoicePosition],
        as_of: chrono::NaiveDate,
        currency: &str,
        shop: &ShopConfig,
    ) -> MessageContext {
        // What is under dispute is not asked for (DESIGN §2): an invoice disputed in
        // full is left out, one disputed in part shows the part.
        let undisputed = |i: &InvoicePosition| (i.balance - i.disputed).max(Money::ZERO);
        let past_due: Vec<&InvoicePosition> = invoices
            .iter()
            .filter(|i| i.is_past_due(as_of) && undisputed(i).is_positive())
            .collect();
        let open: Vec<&InvoicePosition> = invoices.iter().filter(|i| i.is_open()).collect();
        // Reminders list past-due invoices; confirmations (nothing past due) list open ones.
        let listed = if past_due.is_empty() {
            &open
        } else {
            &past_due
        };
        let lines: Vec<InvoiceLine> = listed
            .iter()
            .map(|i| InvoiceLine {
                invoice_no: i.invoice_no.clone(),
                issue_date: i.issue_date.to_string(),
                due_date: i.due_date.to_string(),
                amount: i.amount.with_currency(currency),
                balance: i.balance.with_currency(currency),
                disputed: if i.disputed.is_positive() {
                    i.disputed.with_currency(currency)
                } else {
                    String::new()
                },
                days_past_due: i.days_past_due(as_of),
                days_to_due: (i.due_date - as_of).num_days().max(0),
            })
            .collect();
        let total_past_due: Money = past_due.iter().map(|i| undisputed(i)).sum();
        let total_balance: Money = open.iter().map(|i| i.balance).sum();
        MessageContext {
            customer: CustomerInfo {
                id: customer.id.clone(),
                name: customer.name.clone(),
                email: customer.email.clone(),
            },
            as_of: as_of.to_string(),
            currency: currency.to_string(),
            invoice_table: text_table(&lines),
            invoices: lines,
            total_past_due: total_past_due.with_currency(currency),
            total_balance: total_balance.with_currency(currency),
            oldest_days_past_due: past_due
                .iter()
                .map(|i| i.days_past_due(as_of))
                .max()
                .unwrap_or(0),
            shop: shop.clone(),
            collector: None,
            promise: None,
            plan: None,
            extra: BTreeMap::new(),
        }
    }
}

/// The fourth column: days late, or (when nothing listed is late: a reminder before
/// the due date, a confirmation) days until due.
type DayCell = Box<dyn Fn(&InvoiceLine) -> String>;

fn day_column(lines: &[InvoiceLine]) -> (&'static str, DayCell) {
    if lines.iter().all(|l| l.days_past_due == 0) {
        (
            "Due in",
            Box::new(|l: &InvoiceLine| {
                let n = l.days_to_due;
                format!("{n} {}", if n == 1 { "day" } else { "days" })
            }),
        )
    } else {
        (
            "Days late",
            Box::new(|l: &InvoiceLine| l.days_past_due.to_string()),
        )
    }
}

/// The invoice table's columns (title, right-aligned) and cells: a "Disputed"
/// column only when a listed invoice is disputed in part.
fn table(lines: &[InvoiceLine]) -> (Vec<(&'static str, bool)>, Vec<Vec<String>>) {
    let (days_header, days) = day_column(lines);
    let disputes = lines.iter().any(|l| !l.disputed.is_empty());
    let mut headers = vec![
        ("Invoice", false),
        ("Issued", false),
        ("Due", false),
        (days_header, true),
        ("Balance", true),
    ];
    if disputes {
        headers.push(("Disputed", true));
    }
    let rows = lines
        .iter()
        .map(|l| {
            let mut r = vec![
                l.invoice_no.clone(),
                l.issue_date.clone(),
                l.due_date.clone(),
                days(l),
                l.balance.clone(),
            ];
            if disputes {
                r.push(l.disputed.clone());
            }
            r
        })
        .collect();
    (headers, rows)
}

/// The past-due invoices as aligned plain text.
fn text_table(lines: &[InvoiceLine]) -> String {
    let (headers, rows) = table(lines);
    let mut widths: Vec<usize> = headers.iter().map(|(h, _)| h.len()).collect();
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let fmt_row = |cells: Vec<&str>| -> String {
        let mut s = String::from("  ");
        for (i, c) in cells.iter().enumerate() {
            let pad = widths[i].saturating_sub(c.chars().count());
            if i > 0 {
                s.push_str("  ");
            }
            // numbers are right-aligned
            if headers[i].1 {
                s.push_str(&" ".repeat(pad));
                s.push_str(c);
            } else {
                s.push_str(c);
                s.push_str(&" ".repeat(pad));
            }
        }
        s.trim_end().to_string()
    };
    let mut out = vec![fmt_row(headers.iter().map(|(h, _)| *h).collect())];
    for r in &rows {
        out.push(fmt_row(r.iter().map(String::as_str).collect()));
    }
    out.join("\n")
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The past-due invoices as an HTML table.
fn html_table(lines: &[InvoiceLine]) -> String {
    let (headers, rows) = table(lines);
    let align = |right: bool| if right { "right" } else { "left" };
    let mut s = String::from("<table cellpadding=\"4\" style=\"border-collapse:collapse\"><tr>");
    for (h, right) in &headers {
        s.push_str(&format!(
            "<th align=\"{}\">{}</th>",
            align(*right),
            html_escape(h)
        ));
    }
    s.push_str("</tr>");
    for r in &rows {
        s.push_str("<tr>");
        for (c, (_, right)) in r.iter().zip(&headers) {
            if *right {
                s.push_str(&format!("<td align=\"right\">{}</td>", html_escape(c)));
            } else {
                s.push_str(&format!("<td>{}</td>", html_escape(c)));
            }
        }
        s.push_str("</tr>");
    }
    s.push_str("</table>");
    s
}

/// One template, for `arq template list`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TemplateInfo {
    pub name: String,
    pub has_html: bool,
    pub source: String,
}

/// The template set: shipped templates, each replaceable by a shop file.
pub struct Templates {
    env: Environment<'static>,
    /// template file name → where it came from (for errors).
    origin: BTreeMap<String, String>,
}

impl Templates {
    /// Shipped templates plus those in `shop_dir` (which win on the same name).
    pub fn load(shop_dir: Option<&Path>) -> Result<Templates, TemplateError> {
        let mut sources: BTreeMap<String, (String, String)> = BTreeMap::new();
        for (name, src) in assets::TEMPLATES {
            sources.insert(
                (*name).to_string(),
                (format!("(shipped) {name}"), (*src).to_string()),
            );
        }
        if let Some(dir) = shop_dir {
            let entries = std::fs::read_dir(dir).map_err(|source| TemplateError::Read {
                path: dir.to_path_buf(),
                source,
            })?;
            for entry in entries.flatten() {
                let path = entry.path();
                let Some(name) = path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .map(str::to_string)
                else {
                    continue;
                };
                if !(name.ends_with(".txt") || name.ends_with(".html")) {
                    continue;
                }
                let src = std::fs::read_to_string(&path).map_err(|source| TemplateError::Read {
                    path: path.clone(),
                    source,
                })?;
                sources.insert(name, (path.display().to_string(), src));
            }
            // A shop that rewrites NAME.txt but not NAME.html must not have its words
            // hidden behind the shipped HTML part (mail clients show HTML first): the
            // message goes as plain text until the shop adds its own NAME.html.
            let shop_txt: Vec<String> = sources
                .iter()
                .filter(|(n, (file, _))| n.ends_with(".txt") && !file.starts_with("(shipped)"))
                .map(|(n, _)| n.trim_end_matches(".txt").to_string())
                .collect();
            for name in shop_txt {
                let html = format!("{name}.html");
                if sources
                    .get(&html)
                    .is_some_and(|(file, _)| file.starts_with("(shipped)"))
                {
                    sources.remove(&html);
                }
            }
        }
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        let syntax = minijinja::syntax::SyntaxConfig::builder()
            .keep_trailing_newline(true)
            .build();
        if let Ok(syntax) = syntax {
            env.set_syntax(syntax);
        }
        let mut origin = BTreeMap::new();
        for (name, (file, src)) in sources {
            env.add_template_owned(name.clone(), src)
                .map_err(|e| located(&file, &e))?;
            origin.insert(name, file);
        }
        Ok(Templates { env, origin })
    }

    /// Whether a message template (its `.txt` part) exists.
    pub fn exists(&self, name: &str) -> bool {
        self.origin.contains_key(&format!("{name}.txt"))
    }

    /// The names of all message templates.
    pub fn names(&self) -> Vec<String> {
        self.origin
            .keys()
            .filter_map(|k| k.strip_suffix(".txt"))
            .map(str::to_string)
            .collect()
    }

    /// Every message template: its name, whether it has an HTML part, and where its
    /// text part comes from (shipped, or the shop's file).
    pub fn list(&self) -> Vec<TemplateInfo> {
        self.names()
            .into_iter()
            .map(|name| TemplateInfo {
                has_html: self.origin.contains_key(&format!("{name}.html")),
                source: self
                    .origin
                    .get(&format!("{name}.txt"))
                    .cloned()
                    .unwrap_or_default(),
                name,
            })
            .collect()
    }

    pub fn render(&self, name: &str, ctx: &MessageContext) -> Result<Rendered, TemplateError> {
        let txt = format!("{name}.txt");
        let html = format!("{name}.html");
        if !self.origin.contains_key(&txt) {
            return Err(TemplateError::Unknown(name.to_string()));
        }
        let value = context! { invoice_table_html => Value::from_safe_string(html_table(&ctx.invoices)), ..Value::from(Serde(ctx)) };
        let file_of = |n: &str| self.origin.get(n).cloned().unwrap_or_else(|| n.to_string());
        let text = self
            .env
            .get_template(&txt)
            .and_then(|t| t.render(&value))
            .map_err(|e| located(&file_of(&txt), &e))?;
        let (first, rest) = text.split_once('\n').unwrap_or((text.as_str(), ""));
        let subject = first
            .strip_prefix("Subject:")
            .map(str::trim)
            .ok_or_else(|| TemplateError::NoSubject {
                file: file_of(&txt),
            })?;
        let subject = subject.to_string();
        let body = rest.trim_start_matches(['\r', '\n']).to_string();
        let html = if self.origin.contains_key(&html) {
            Some(
                self.env
                    .get_template(&html)
                    .and_then(|t| t.render(&value))
                    .map_err(|e| located(&file_of(&html), &e))?,
            )
        } else {
            None
        };
        Ok(Rendered {
            subject,
            text: body,
            html,
        })
    }
}

fn located(file: &str, e: &minijinja::Error) -> TemplateError {
    let message = match e.detail() {
        Some(d) => format!("{}: {d}", e.kind()),
        None => e.kind().to_string(),
    };
    TemplateError::Invalid {
        file: file.to_string(),
        line: e.line().unwrap_or(1),
        message,
    }
}

#[cfg(test)]
mod tests {
    /// A reminder before the due date counts its days in words: one day, several days.
    #[test]
    fn days_to_due_read_as_words() {
        let line = |days_to_due: i64| InvoiceLine {
            invoice_no: "INV-1".into(),
            issue_date: "2026-11-01".into(),
            due_date: "2026-12-01".into(),
            amount: "100.00".into(),
            balance: "100.00".into(),
            disputed: String::new(),
            days_past_due: 0,
            days_to_due,
        };
        let lines = [line(1), line(7)];
        let (header, days) = super::day_column(&lines);
        assert_eq!(header, "Due in");
        assert_eq!(
            lines.iter().map(days).collect::<Vec<_>>(),
            ["1 day", "7 days"]
        );
    }

    use super::*;
    use crate::domain::dates::parse_iso;

    fn ctx() -> MessageContext {
        let d = |s: &str| parse_iso(s).unwrap_or_default();
        let mut c = Customer::named("C-001", "Acme & Sons");
        c.email = Some("ap@acme.test".into());
        let invoices = vec![
            InvoicePosition {
                invoice_no: "INV-7".into(),
                issue_date: d("2026-01-05"),
                due_date: d("2026-02-04"),
                amount: Money::from_minor(125_000),
                balance: Money::from_minor(125_000),
                disputed: Money::ZERO,
            },
            InvoicePosition {
                invoice_no: "INV-9".into(),
                issue_date: d("2026-03-01"),
                due_date: d("2026-03-31"),
                amount: Money::from_minor(5000),
                balance: Money::from_minor(5000),
                disputed: Money::ZERO,
            },
        ];
        let shop = ShopConfig {
            name: "Northwind Supply".into(),
            address: vec!["1 Main St".into()],
            phone: Some("555-0100".into()),
            email: None,
        };
        MessageContext::reminder(&c, &invoices, d("2026-03-01"), "USD", &shop)
    }

    /// A reminder asks for what is not under dispute: an invoice disputed in full is
    /// left out, one disputed in part shows the part in its own column, and the total
    /// past due is what is asked for (it listed and summed disputed money).
    #[test]
    fn a_reminder_asks_for_what_is_not_disputed() {
        let d = |s: &str| parse_iso(s).unwrap_or_default();
        let c = Customer::named("C-001", "Acme");
        let inv = |no: &str, balance: i64, disputed: i64| InvoicePosition {
            invoice_no: no.into(),
            issue_date: d("2026-01-05"),
            due_date: d("2026-02-04"),
            amount: Money::from_minor(balance),
            balance: Money::from_minor(balance),
            disputed: Money::from_minor(disputed),
        };
        let shop = ShopConfig {
            name: "Northwind".into(),
            address: Vec::new(),
            phone: None,
            email: None,
        };
        let invoices = [
            inv("INV-1", 105_499, 50_000),
            inv("INV-2", 20_000, 20_000),
            inv("INV-3", 30_000, 0),
        ];
        let ctx = MessageContext::reminder(&c, &invoices, d("2026-03-01"), "USD", &shop);
        assert_eq!(ctx.total_past_due, "854.99 USD");
        let listed: Vec<&str> = ctx.invoices.iter().map(|i| i.invoice_no.as_str()).collect();
        assert_eq!(listed, ["INV-1", "INV-3"]);
        let lines: Vec<&str> = ctx.invoice_table.lines().collect();
        let words = |l: &str| l.split_whitespace().map(str::to_string).collect::<Vec<_>>();
        assert!(words(lines[0]).ends_with(&["Balance".into(), "Disputed".into()]));
        assert!(
            lines[1].ends_with("1,054.99 USD  500.00 USD"),
            "{}",
            ctx.invoice_table
        );
        assert!(lines[2].ends_with("300.00 USD"), "{}", ctx.invoice_table);
        let html = html_table(&ctx.invoices);
        assert!(html.contains("<th align=\"right\">Disputed</th>"), "{html}");
        // Without a dispute, no such column.
        let plain = MessageContext::reminder(&c, &invoices[2..], d("2026-03-01"), "USD", &shop);
        assert!(!plain.invoice_table.contains("Disputed"));
        assert!(!html_table(&plain.invoices).contains("Disputed"));
    }

    #[test]
    fn every_shipped_template_renders_with_money_formatted() {
        let t = Templates::load(None).unwrap_or_else(|e| panic!("{e}"));
        let mut c = ctx();
        c.promise = Some(PromiseInfo {
            amount: "500.00 USD".into(),
            date: "2026-03-10".into(),
        });
        c.plan = Some(PlanInfo {
            installments: vec![InstallmentInfo {
                date: "2026-04-01".into(),
                amount: "100.00 USD".into(),
            }],
            total: "100.00 USD".into(),
        });
        for name in t.names() {
            let r = t
                .render(&name, &c)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(!r.subject.is_empty(), "{name}");
            assert!(!r.text.contains("{{"), "{name}");
        }
        let r = t
            .render("friendly_reminder", &c)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            r.subject,
            "Friendly reminder: 1,250.00 USD past due on your account C-001"
        );
        assert!(
            r.text.contains("INV-7") && r.text.contains("1,250.00 USD"),
            "{}",
            r.text
        );
        assert!(
            !r.text.contains("INV-9"),
            "only past-due invoices are listed"
        );
        let html = r.html.unwrap_or_default();
        assert!(
            html.contains("Acme &amp; Sons"),
            "names are escaped in HTML"
        );
        assert!(
            html.contains("<table"),
            "the invoice table is HTML, not escaped text"
        );
    }

    #[test]
    fn a_shop_template_overrides_and_errors_name_the_file_and_line() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(
            dir.path().join("friendly_reminder.txt"),
            "Subject: Hi {{ customer.name }}\n\nPay {{ total_past_due }}.\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let t = Templates::load(Some(dir.path())).unwrap_or_else(|e| panic!("{e}"));
        let r = t
            .render("friendly_reminder", &ctx())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.subject, "Hi Acme & Sons");
        assert_eq!(r.text, "Pay 1,250.00 USD.\n");
        assert_eq!(
            r.html, None,
            "the shipped HTML would hide the shop's own words"
        );

        std::fs::write(
            dir.path().join("broken.txt"),
            "Subject: x\n\nline two\n{{ customer.nope }}\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let t = Templates::load(Some(dir.path())).unwrap_or_else(|e| panic!("{e}"));
        let err = t
            .render("broken", &ctx())
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("broken.txt:4:"), "{err}");

        std::fs::write(dir.path().join("syntax.txt"), "Subject: x\n{% if %}\n")
            .unwrap_or_else(|e| panic!("{e}"));
        let err = Templates::load(Some(dir.path()))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("syntax.txt:2:"), "{err}");
    }
}
