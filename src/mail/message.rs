//! An outbox row as an RFC 5322 message (lettre's builder): From, To, Subject, the
//! stable Message-ID, plain text with an HTML alternative when there is one.

use lettre::Message;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};

use crate::store::outbox::OutboxRow;

/// Builds the message for `row` from `from` to `to`. The error says what to fix.
pub fn build(from: &str, to: &str, row: &OutboxRow) -> Result<Message, String> {
    let from: Mailbox = from
        .parse()
        .map_err(|e| format!("[mail] from = \"{from}\" is not a usable address ({e})"))?;
    let to: Mailbox = to.parse().map_err(|e| {
        format!(
            "the customer's email address \"{to}\" is not usable ({e}): correct it and the next send retries"
        )
    })?;
    let mut b = Message::builder()
        .from(from)
        .to(to)
        .subject(row.subject.clone())
        .message_id(Some(row.message_id.clone()))
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("X-Arq-Outbox-Id"),
            row.id.to_string(),
        ));
    if row.is_automatic() {
        // RFC 3834: tells vacation responders not to answer.
        b = b.raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("Auto-Submitted"),
            "auto-generated".to_string(),
        ));
    }
    let text = row.body_text.clone();
    let built = match &row.body_html {
        Some(html) => b.multipart(MultiPart::alternative_plain_html(text, html_document(html))),
        None => b.singlepart(SinglePart::plain(text)),
    };
    built.map_err(|e| format!("cannot build the message: {e}"))
}

/// Wraps an HTML fragment (what templates write) in a whole document.
fn html_document(html: &str) -> String {
    let head = html
        .trim_start()
        .get(..15)
        .unwrap_or("")
        .to_ascii_lowercase();
    if head.starts_with("<!doctype") || head.starts_with("<html") {
        return html.to_string();
    }
    format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head>\n<body style=\"font-family:sans-serif\">\n{html}\n</body></html>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(html: Option<&str>) -> OutboxRow {
        OutboxRow {
            id: 7,
            customer_id: "C-1".into(),
            channel: crate::domain::Channel::Email,
            template: "friendly_reminder".into(),
            message_id: "<arq.c1.s0@shop.example>".into(),
            recipient: "ap@acme.example".into(),
            subject: "Friendly reminder: 1,250.00 USD past due — Café".into(),
            body_text: "Dear Acme,\n\nPay 1,250.00 USD.\n".into(),
            body_html: html.map(str::to_string),
            created_on: chrono::NaiveDate::default(),
            status: "pending".into(),
            attempts: 0,
            last_error: None,
            sent_at: None,
            created_by: "arq".into(),
            cycle_id: Some(1),
            step_index: Some(0),
            claimed_at: None,
        }
    }

    #[test]
    fn headers_and_alternatives() {
        let m = build(
            "AR <ar@shop.example>",
            "ap@acme.example",
            &row(Some("<p>Pay</p>")),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let text = String::from_utf8_lossy(&m.formatted()).into_owned();
        assert!(
            text.contains("Message-ID: <arq.c1.s0@shop.example>"),
            "{text}"
        );
        assert!(text.contains("Auto-Submitted: auto-generated"));
        assert!(text.contains("multipart/alternative"));
        assert!(
            text.is_ascii(),
            "headers and bodies are encoded for 7-bit transport"
        );
        let m = build("AR <ar@shop.example>", "ap@acme.example", &row(None))
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(!String::from_utf8_lossy(&m.formatted()).contains("multipart"));
        let err = build("AR <ar@shop.example>", "not an address", &row(None))
            .err()
            .unwrap_or_default();
        assert!(err.contains("correct it"), "{err}");
    }
}
