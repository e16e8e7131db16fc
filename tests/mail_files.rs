//! The transports that write or run something on this machine: `.eml` files (the
//! default), PDF letters (one per letter and a batch per send, parsed back here), and
//! SMS through the shop's own command.

mod common;
mod mail_support;

use std::path::{Path, PathBuf};

use arq::config::{Config, Paper};
use arq::domain::Channel;
use arq::mail::send;
use arq::service::Session;
use arq::store::outbox;
use common::Shop;
use mail_support::*;

const DAY: &str = "2026-03-02";

fn rows(s: &Session) -> Vec<outbox::OutboxRow> {
    outbox::list(s.store().conn(), None, 100).unwrap_or_else(|e| panic!("{e}"))
}

fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|r| r.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    v.retain(|p| p.extension().is_some_and(|e| e == ext));
    v.sort();
    v
}

fn file_config(dir: &Path) -> Config {
    let mut c = smtp_config(25);
    c.mail.transport = arq::config::Transport::File;
    c.mail.dir = Some(dir.to_path_buf());
    c
}

#[test]
fn the_file_transport_writes_one_eml_per_message_that_parses_back() {
    let shop = shop_with_c1();
    let out = shop.dir.path().join("out");
    let mut s = shop.session_with("admin", DAY, file_config(&out));
    s.run_day(false).unwrap_or_else(|e| panic!("{e}"));
    let r = send::send_pending(&mut s).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.sent, 1, "{r:?}");
    let row = rows(&s).remove(0);
    let emls = files(&out, "eml");
    assert_eq!(emls.len(), 1);
    let name = emls[0]
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    assert_eq!(name, format!("{:06}-arq.c1.s0.eml", row.id));
    let bytes = std::fs::read(&emls[0]).unwrap_or_else(|e| panic!("{e}"));
    let mail = mailparse::parse_mail(&bytes).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(header(&mail, "Message-ID"), row.message_id);
    assert_eq!(header(&mail, "To"), "ap@c1.example");
    assert_eq!(
        header(&mail, "From"),
        "\"Northwind AR\" <ar@northwind.example>"
    );
    assert!(header(&mail, "Subject").contains("1,550.00 USD"));
    assert_eq!(mail.ctype.mimetype, "multipart/alternative");
    assert!(
        part_text(&mail, "text/plain")
            .unwrap_or_default()
            .contains("INV-2")
    );
    assert!(
        part_text(&mail, "text/html")
            .unwrap_or_default()
            .contains("<table")
    );

    // A stopped send that had written the file: the message is redelivered from its
    // stale claim, and the file is not written twice.
    s.write(|tx| {
        tx.conn.execute(
            "UPDATE outbox SET status = 'sending', claimed_at = '2026-03-01T00:00:00.000000Z' WHERE id = ?1",
            [row.id],
        )?;
        Ok(())
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let r = send::send_pending(&mut s).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.sent, 1);
    assert!(r.messages[0].detail.contains("already written"), "{r:?}");
    assert_eq!(files(&out, "eml").len(), 1);
    assert_eq!(rows(&s)[0].status, "sent");
}

#[test]
fn by_default_the_binary_writes_mail_beside_the_database() {
    let shop = shop_with_c1();
    let out = shop
        .arq("admin", DAY)
        .args(["run"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("Delivery: 1 sent"), "{stdout}");
    assert!(stdout.contains("email goes to files in"), "{stdout}");
    let beside = shop.db.with_file_name("outbox");
    assert!(stdout.contains(&beside.display().to_string()), "{stdout}");
    assert_eq!(files(&beside, "eml").len(), 1);
    assert!(!shop.data_dir().join("outbox").exists());
}

const LETTER_FIRST: &str = r#"
[strategy]
id = "letters_first"
name = "Letter first"
rank = 5
grace_days = 2

[[step]]
id = "letter"
action = "letter"
mode = "auto"
template = "final_notice"
min_past_due = "100.00"
min_days_past_due = 1

[[step]]
id = "call"
action = "call"
wait_days = 5
"#;

const SMS_FIRST: &str = r#"
[strategy]
id = "sms_first"
name = "Text first"
rank = 6
grace_days = 2

[[step]]
id = "text"
action = "sms"
mode = "auto"
template = "sms_reminder"
min_past_due = "100.00"
min_days_past_due = 1
"#;

fn load_strategy(shop: &Shop, src: &str, name: &str) {
    let path = shop.dir.path().join(name);
    std::fs::write(&path, src).unwrap_or_else(|e| panic!("{e}"));
    let mut s = shop.session("admin", "2026-01-01");
    s.load_strategy(&path).unwrap_or_else(|e| panic!("{e}"));
}

fn pdf_text(path: &Path) -> (usize, String) {
    let doc = lopdf::Document::load(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    let text = doc.extract_text(&pages).unwrap_or_else(|e| panic!("{e}"));
    (pages.len(), text)
}

#[test]
fn letter_steps_print_a_pdf_per_letter_and_a_batch() {
    let shop = Shop::new("2026-01-01");
    load_strategy(&shop, LETTER_FIRST, "letters.toml");
    past_due_customer(&shop, "L1", "ana", |c| {
        c.name = "Lighthouse Ltd".into();
        c.strategy = Some("letters_first".into());
    });
    shop.invoice("L1-INV-2", "L1", "2026-01-05", "2026-02-04", "1250.00");
    past_due_customer(&shop, "L2", "ana", |c| {
        c.name = "Lamplight & Co".into();
        c.strategy = Some("letters_first".into());
    });
    let mut ana = shop.session("ana", DAY);
    arq::mail::manage::set_address(&mut ana, "L1", "12 Quay Street\n  Port Town PT1 2AB\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let out = shop.dir.path().join("out");
    let mut cfg = file_config(&out);
    cfg.mail.paper = Paper::A4;
    let mut s = shop.session_with("admin", DAY, cfg);
    let run = s.run_day(false).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(run.mail_queued, 2);
    let r = send::send_pending(&mut s).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.sent, 2, "{r:?}");
    assert!(
        rows(&s)
            .iter()
            .all(|r| r.channel == Channel::Letter && r.status == "sent")
    );

    let letters = out.join("letters");
    let single: Vec<PathBuf> = files(&letters, "pdf")
        .into_iter()
        .filter(|p| !p.to_string_lossy().contains("batch-"))
        .collect();
    assert_eq!(single.len(), 2);
    let (pages, text) = pdf_text(&single[0]);
    assert_eq!(pages, 1);
    for want in [
        "Lighthouse Ltd",
        "12 Quay Street",
        "Port Town PT1 2AB",
        "Northwind Supply",
        "1 Harbour Road",
        "Total past due: 1,890.00 USD",
        "L1-INV-2",
        "March 2, 2026",
    ] {
        assert!(
            text.contains(want),
            "{want} missing from the letter:\n{text}"
        );
    }
    let (_, text) = pdf_text(&single[1]);
    assert!(
        text.contains("Lamplight & Co") && text.contains("640.00 USD"),
        "{text}"
    );

    let batch = r
        .batch_pdf
        .clone()
        .unwrap_or_else(|| panic!("no batch: {r:?}"));
    let (pages, text) = pdf_text(Path::new(&batch));
    assert_eq!(pages, 2);
    assert!(text.contains("Lighthouse Ltd") && text.contains("Lamplight & Co"));
    // The sent letter records the address it was printed for.
    let l1 = rows(&s)
        .into_iter()
        .find(|r| r.customer_id == "L1")
        .unwrap_or_else(|| panic!("L1"));
    assert_eq!(
        l1.recipient,
        "Lighthouse Ltd, 12 Quay Street, Port Town PT1 2AB"
    );

    // Nothing is printed twice; a send without letters writes no batch.
    let r = send::send_pending(&mut s).unwrap_or_else(|e| panic!("{e}"));
    assert!(r.batch_pdf.is_none() && r.sent == 0);
    assert_eq!(files(&letters, "pdf").len(), 3);
}

#[test]
fn sms_steps_go_through_the_shops_command() {
    let shop = Shop::new("2026-01-01");
    load_strategy(&shop, SMS_FIRST, "sms.toml");
    past_due_customer(&shop, "S1", "ana", |c| {
        c.strategy = Some("sms_first".into());
        c.phone = Some("+1 555 0101".into());
    });
    past_due_customer(&shop, "S2", "ana", |c| {
        c.strategy = Some("sms_first".into());
        c.phone = Some("+1 555 0102".into());
    });
    let log = shop.dir.path().join("gateway.log");
    let mut cfg = smtp_config(25);
    // A "gateway" that appends the number and the message it was given.
    cfg.sms.command = Some(format!(
        "printf 'to=%s\\n' \"$ARQ_SMS_TO\" >> '{0}'; cat >> '{0}'; printf '\\n--\\n' >> '{0}'",
        log.display()
    ));
    let mut s = shop.session_with("admin", DAY, cfg.clone());
    let run = s.run_day(false).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(run.mail_queued, 2);

    // No command configured: failures, kept pending.
    let mut none = shop.session_with("admin", DAY, smtp_config(25));
    let r = send::send_pending(&mut none).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.failed, 2);
    assert!(r.messages[0].detail.contains("no [sms] command"), "{r:?}");

    // A gateway that refuses: pending with its error.
    let mut bad = cfg.clone();
    bad.sms.command = Some("echo 'gateway says no' >&2; exit 1".into());
    let mut s_bad = shop.session_with("admin", DAY, bad);
    let r = send::send_pending(&mut s_bad).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.failed, 2);
    let row = rows(&s).remove(0);
    assert_eq!(row.status, "pending");
    assert_eq!(row.attempts, 2);
    assert_eq!(
        row.last_error.as_deref(),
        Some("the [sms] command exited with status 1: gateway says no")
    );

    // The working gateway gets each message once.
    let r = send::send_pending(&mut s).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.sent, 2, "{r:?}");
    let r = send::send_pending(&mut s).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.sent, 0);
    let got = std::fs::read_to_string(&log).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        got.contains("to=+1 555 0101\n") && got.contains("to=+1 555 0102\n"),
        "{got}"
    );
    assert_eq!(got.matches("--\n").count(), 2, "{got}");
    assert!(
        got.contains("640.00 USD is past due on account S1"),
        "{got}"
    );
    assert!(rows(&s).iter().all(|r| r.status == "sent"));
}

#[test]
fn old_reminders_never_delivered_are_cancelled_not_sent_late() {
    let shop = shop_with_c1();
    let out = shop.dir.path().join("out");
    let mut s = shop.session_with("admin", DAY, file_config(&out));
    s.run_day(false).unwrap_or_else(|e| panic!("{e}"));
    // Nobody sent it for ten days.
    let mut later = shop.session_with("admin", "2026-03-12", file_config(&out));
    let r = send::send_pending(&mut later).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((r.sent, r.cancelled), (0, 1), "{r:?}");
    assert!(r.messages[0].detail.contains("too late to send"), "{r:?}");
    assert!(files(&out, "eml").is_empty());
}

#[test]
fn a_reminder_replaced_by_a_later_step_is_cancelled_one_reminder_at_a_time() {
    let shop = shop_with_c1();
    let out = shop.dir.path().join("out");
    // Nobody delivered the friendly reminder before the serious one was queued.
    let mut s = shop.session_with("admin", DAY, file_config(&out));
    s.run_day(false).unwrap_or_else(|e| panic!("{e}"));
    let mut later = shop.session_with("admin", "2026-03-07", file_config(&out));
    later.run_day(false).unwrap_or_else(|e| panic!("{e}"));
    let r = send::send_pending(&mut later).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((r.sent, r.cancelled), (1, 1), "{r:?}");
    let cancelled = r.messages.iter().find(|l| l.result == "cancelled");
    assert_eq!(cancelled.and_then(|l| l.reason), Some("superseded"));
    let emls = files(&out, "eml");
    assert_eq!(emls.len(), 1);
    let text = std::fs::read_to_string(&emls[0]).unwrap_or_default();
    assert!(text.contains("Subject: Second notice"), "{text}");
}

/// A letter is not sent by text message: `outbox queue --channel sms` with an email
/// template is refused, naming its length and the template to use; nothing is queued.
#[test]
fn a_letter_is_refused_as_a_text_message() {
    let shop = Shop::new("2026-01-01");
    mail_support::past_due_customer(&shop, "C9", "ana", |_| {});
    let queue = |template: &str| {
        shop.arq("admin", "2026-03-01")
            .args([
                "outbox",
                "queue",
                "C9",
                "--template",
                template,
                "--channel",
                "sms",
            ])
            .output()
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let out = queue("friendly_reminder");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("is a letter (at most 320)") && err.contains("sms_reminder"),
        "{err}"
    );
    assert_eq!(shop.count("outbox"), 0);
    let out = queue("sms_reminder");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(shop.count("outbox"), 1);
    // C9 is past due: no note. Before its due date, the note says a reminder would
    // announce nothing past due.
    assert!(!String::from_utf8_lossy(&out.stderr).contains("nothing on C9 is past due"));
    let early = shop
        .arq("admin", "2026-01-03")
        .args([
            "outbox",
            "queue",
            "C9",
            "--template",
            "sms_reminder",
            "--channel",
            "sms",
        ])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(early.status.success());
    let note = String::from_utf8_lossy(&early.stderr);
    assert!(note.contains("nothing on C9 is past due"), "{note}");
}

/// A reminder queued before its past-due invoices were disputed is cancelled, not sent:
/// it would ask the customer to pay what is now in question.
#[test]
fn a_reminder_for_what_is_now_disputed_is_cancelled() {
    let shop = shop_with_c1();
    let out = shop.dir.path().join("out");
    let mut s = shop.session_with("admin", DAY, file_config(&out));
    s.run_day(false).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(rows(&s).len(), 1);
    let mut ana = shop.session_with("ana", DAY, file_config(&out));
    for no in ["INV-1", "INV-2"] {
        ana.open_dispute(
            "C1",
            no,
            arq::domain::DisputeReason::Pricing,
            None,
            "the customer says the price is wrong",
            None,
        )
        .unwrap_or_else(|e| panic!("{e}"));
    }
    let r = send::send_pending(&mut s).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((r.sent, r.cancelled), (0, 1), "{r:?}");
    assert_eq!(r.messages[0].reason, Some("disputed"), "{r:?}");
    assert!(r.messages[0].detail.contains("disputed"), "{r:?}");
    assert!(files(&out, "eml").is_empty());
}

/// A dry run delivers nothing, and says what waits in the outbox for the real run's
/// delivery (it said nothing of the messages the real run then sent and cancelled).
#[test]
fn a_dry_run_says_what_waits_for_delivery() {
    let shop = Shop::new("2026-01-01");
    mail_support::past_due_customer(&shop, "C9", "ana", |_| {});
    shop.arq("admin", "2026-03-01")
        .args(["outbox", "queue", "C9", "--template", "friendly_reminder"])
        .assert()
        .success();
    let out = shop
        .arq("admin", "2026-03-01")
        .args(["run", "--dry-run"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout
            .contains("delivery             1   messages in the outbox (oldest queued 2026-03-01)"),
        "{stdout}"
    );
    let json: serde_json::Value = serde_json::from_slice(
        &shop
            .arq("admin", "2026-03-01")
            .args(["run", "--dry-run", "--format", "json"])
            .output()
            .unwrap_or_else(|e| panic!("{e}"))
            .stdout,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(json["waiting"]["pending"], 1);
    assert_eq!(json["waiting"]["oldest"], "2026-03-01");
    assert_eq!(
        shop.count("outbox WHERE status = 'pending'"),
        1,
        "nothing delivered"
    );

    // A claimed message is shown under the name `--status` takes (it said "in doubt",
    // which `--status` does not take).
    let store = arq::store::Store::open(&shop.db).unwrap_or_else(|e| panic!("{e}"));
    store
        .conn()
        .execute_batch(
            "UPDATE outbox SET status = 'sending', claimed_at = '2026-03-01T00:00:00.000000Z'",
        )
        .unwrap_or_else(|e| panic!("{e}"));
    drop(store);
    for args in [
        vec!["outbox", "list"],
        vec!["outbox", "list", "--status", "sending"],
    ] {
        let out = shop
            .arq("admin", "2026-03-01")
            .args(&args)
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains("sending (in doubt)"), "{args:?}: {stdout}");
    }
}
