//! Reminders through a real SMTP server on loopback (mailin-embedded, started by each
//! test): delivered once with the outbox's Message-ID, nothing lost or duplicated when
//! the server is down, nothing sent to customers who opted out, became white glove or
//! paid, deliveries in doubt never repeated by themselves, and the binary's `arq run`
//! and `arq outbox send`.

mod common;
mod mail_support;

use arq::domain::{Channel, EventKind};
use arq::mail::compose::{self, Extra};
use arq::mail::{manage, send};
use arq::service::{ServiceError, Session};
use arq::store::{events, outbox};
use common::{Shop, d, m};
use mail_support::*;

const DAY: &str = "2026-03-02";

fn rows(s: &Session) -> Vec<outbox::OutboxRow> {
    outbox::list(s.store().conn(), None, 100).unwrap_or_else(|e| panic!("{e}"))
}

fn kinds(s: &Session, customer: &str) -> Vec<EventKind> {
    events::for_customer(s.store().conn(), customer, d("2026-12-31"), 200)
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .map(|e| e.kind)
        .collect()
}

fn run_and_send(s: &mut Session) -> send::SendReport {
    s.run_day(false).unwrap_or_else(|e| panic!("run: {e}"));
    send::send_pending(s).unwrap_or_else(|e| panic!("send: {e}"))
}

#[test]
fn a_reminder_is_delivered_once_with_its_message_id_invoices_and_amounts() {
    let shop = shop_with_c1();
    let sink = SmtpSink::start(0);
    let mut s = shop.session_with("admin", DAY, smtp_config(sink.port));
    let r = run_and_send(&mut s);
    assert_eq!((r.sent, r.failed, r.cancelled), (1, 0, 0), "{r:?}");

    let got = sink.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].to, vec!["ap@c1.example".to_string()]);
    assert_eq!(got[0].from, "ar@northwind.example");
    let mail = got[0].parsed();
    let row = &rows(&s)[0];
    assert_eq!(row.status, "sent");
    assert!(row.sent_at.is_some());
    assert_eq!(header(&mail, "Message-ID"), row.message_id);
    assert!(
        row.message_id.starts_with("<arq.c") && row.message_id.ends_with("@northwind.example>")
    );
    assert_eq!(
        header(&mail, "Subject"),
        "Friendly reminder: 1,550.00 USD past due on your account C1"
    );
    assert_eq!(header(&mail, "To"), "ap@c1.example");
    assert_eq!(header(&mail, "Auto-Submitted"), "auto-generated");
    let text = part_text(&mail, "text/plain").unwrap_or_default();
    for want in [
        "INV-1",
        "INV-2",
        "1,250.00 USD",
        "300.00 USD",
        "Total past due: 1,550.00 USD",
    ] {
        assert!(text.contains(want), "{want} missing from:\n{text}");
    }
    assert!(
        !text.contains("INV-3"),
        "an invoice not yet due is not listed"
    );
    let html = part_text(&mail, "text/html").unwrap_or_default();
    assert!(
        html.contains("<table") && html.contains("1,250.00 USD"),
        "{html}"
    );

    // The next send finds nothing to do: never sent twice.
    let again = send::send_pending(&mut s).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again.sent + again.failed, 0);
    assert_eq!(sink.received().len(), 1);
    let k = kinds(&s, "C1");
    assert!(k.contains(&EventKind::MailQueued) && k.contains(&EventKind::MailSent));
}

#[test]
fn with_the_server_down_the_message_stays_pending_and_the_next_send_delivers_it_once() {
    let shop = shop_with_c1();
    let port = free_port();
    let mut s = shop.session_with("admin", DAY, smtp_config(port));
    let r = run_and_send(&mut s);
    assert_eq!((r.sent, r.failed), (0, 1), "{r:?}");
    let row = rows(&s).remove(0);
    assert_eq!(row.status, "pending");
    assert_eq!(row.attempts, 1);
    let err = row.last_error.clone().unwrap_or_default();
    assert!(
        err.contains("cannot reach the SMTP server 127.0.0.1"),
        "{err}"
    );
    assert!(kinds(&s, "C1").contains(&EventKind::MailFailed));
    // The failure is on the account's timeline, in words.
    let view = s.account("C1", 20).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        view.events
            .iter()
            .any(|e| e.detail.contains("not sent (attempt 1)")),
        "{:?}",
        view.events
    );

    // Still down: a second failure, nothing lost.
    let r = send::send_pending(&mut s).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.failed, 1);

    // The server comes up on that port: delivered exactly once.
    let sink = SmtpSink::start(port);
    let r = send::send_pending(&mut s).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((r.sent, r.failed), (1, 0), "{r:?}");
    let r = send::send_pending(&mut s).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.sent, 0);
    assert_eq!(sink.received().len(), 1);
    let row = rows(&s).remove(0);
    assert_eq!((row.status.as_str(), row.attempts), ("sent", 3));
    assert_eq!(
        header(&sink.received()[0].parsed(), "Message-ID"),
        row.message_id
    );
    assert_eq!(rows(&s).len(), 1, "nothing was queued twice");
}

#[test]
fn customers_who_opted_out_became_white_glove_or_paid_get_no_automatic_mail() {
    let shop = Shop::new("2026-01-01");
    past_due_customer(&shop, "C1", "ana", |_| {});
    past_due_customer(&shop, "C2", "ana", |_| {});
    past_due_customer(&shop, "C3", "ana", |_| {});
    past_due_customer(&shop, "C4", "ana", |c| {
        c.opt_out = arq::domain::ChannelSet::parse("email").unwrap_or_default();
    });
    past_due_customer(&shop, "C5", "ana", |c| c.white_glove = true);
    let sink = SmtpSink::start(0);
    let mut s = shop.session_with("admin", DAY, smtp_config(sink.port));
    let run = s.run_day(false).unwrap_or_else(|e| panic!("{e}"));
    // Opted out or white glove before the run: no message at all, a task instead.
    assert_eq!(run.mail_queued, 3);
    assert!(
        rows(&s)
            .iter()
            .all(|r| r.customer_id != "C4" && r.customer_id != "C5")
    );

    // Between queueing and sending: C1 opts out of email, C2 becomes white glove,
    // C3 pays everything.
    edit_customer(&shop, "C1", |c| c.opt_out.insert(Channel::Email));
    edit_customer(&shop, "C2", |c| c.white_glove = true);
    shop.payment("P-1", "C3", DAY, "640.00", Some("C3-INV"));

    let r = send::send_pending(&mut s).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((r.sent, r.cancelled), (0, 3), "{r:?}");
    assert!(sink.received().is_empty());
    let why = |cid: &str| {
        rows(&s)
            .into_iter()
            .find(|r| r.customer_id == cid)
            .map(|r| (r.status, r.last_error.unwrap_or_default()))
            .unwrap_or_default()
    };
    assert_eq!(why("C1").0, "cancelled");
    assert!(
        why("C1").1.contains("opted out of email"),
        "{:?}",
        why("C1")
    );
    assert!(why("C2").1.contains("white-glove"), "{:?}", why("C2"));
    assert!(
        why("C3").1.contains("no longer past due"),
        "{:?}",
        why("C3")
    );
    for c in ["C1", "C2", "C3"] {
        assert!(kinds(&s, c).contains(&EventKind::MailCancelled), "{c}");
    }
}

#[test]
fn a_delivery_in_doubt_is_never_repeated_by_itself() {
    let shop = shop_with_c1();
    let (port, taken) = hang_up_after_data();
    let mut s = shop.session_with("admin", DAY, smtp_config(port));
    let r = run_and_send(&mut s);
    assert_eq!(r.in_doubt, 1, "{r:?}");
    assert_eq!(*taken.lock().unwrap_or_else(|e| panic!("{e}")), 1);
    let row = rows(&s).remove(0);
    assert_eq!(row.status, "sending");

    // Later sends leave it alone and say it waits for a person.
    let r = send::send_pending(&mut s).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.sent + r.failed + r.in_doubt, 0);
    assert_eq!(r.waiting_in_doubt, vec![row.id]);
    assert_eq!(*taken.lock().unwrap_or_else(|e| panic!("{e}")), 1);

    // A collector cannot decide; a supervisor puts it back after checking it did not arrive.
    let mut ana = shop.session_with("ana", DAY, smtp_config(port));
    assert!(matches!(
        manage::retry(&mut ana, row.id),
        Err(ServiceError::Forbidden(_))
    ));
    manage::retry(&mut s, row.id).unwrap_or_else(|e| panic!("{e}"));
    let sink = SmtpSink::start(0);
    let mut s = shop.session_with("admin", DAY, smtp_config(sink.port));
    let r = send::send_pending(&mut s).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.sent, 1);
    assert_eq!(sink.received().len(), 1);
}

#[test]
fn a_collector_sends_a_promise_confirmation_for_their_own_account() {
    let shop = shop_with_c1();
    let sink = SmtpSink::start(0);
    let mut ana = shop.session_with("ana", DAY, smtp_config(sink.port));
    let p = ana
        .take_promise("C1", m("500.00"), d("2026-03-10"), "AP will pay")
        .unwrap_or_else(|e| panic!("{e}"));
    let q =
        compose::queue_promise_confirmation(&mut ana, "C1", p).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        q.subject,
        "Confirming your payment of 500.00 USD by 2026-03-10"
    );
    assert!(q.message_id.starts_with("<arq.m"));
    let r = send::send_one(&mut ana, q.outbox_id).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.sent, 1, "{r:?}");
    let got = sink.received();
    let mail = got[0].parsed();
    assert_eq!(header(&mail, "Message-ID"), q.message_id);
    assert!(
        header(&mail, "Auto-Submitted").is_empty(),
        "a person sent it"
    );
    let text = part_text(&mail, "text/plain").unwrap_or_default();
    assert!(
        text.contains("500.00 USD by 2026-03-10") && text.contains("INV-1"),
        "{text}"
    );
    assert!(part_text(&mail, "text/html").is_some());

    // Any template, and ben may not write to ana's customer.
    let q = compose::queue_manual_message(
        &mut ana,
        "C1",
        "courtesy_note",
        Channel::Email,
        Extra::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let mut ben = shop.session_with("ben", DAY, smtp_config(sink.port));
    assert!(matches!(
        compose::queue_manual_message(
            &mut ben,
            "C1",
            "courtesy_note",
            Channel::Email,
            Extra::default()
        ),
        Err(ServiceError::NoCustomer(_))
    ));
    assert!(matches!(
        send::send_one(&mut ben, q.outbox_id),
        Err(ServiceError::NoCustomer(_))
    ));
    let r = send::send_pending(&mut ben).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        r.sent, 0,
        "a collector's send covers only their own accounts"
    );
    assert_eq!(
        send::send_pending(&mut ana)
            .unwrap_or_else(|e| panic!("{e}"))
            .sent,
        1
    );
    assert_eq!(sink.received().len(), 2);

    // A customer who opted out of email cannot be emailed, even by hand.
    edit_customer(&shop, "C1", |c| c.opt_out.insert(Channel::Email));
    let mut ana = shop.session_with("ana", DAY, smtp_config(sink.port));
    let err = compose::queue_manual_message(
        &mut ana,
        "C1",
        "courtesy_note",
        Channel::Email,
        Extra::default(),
    )
    .err()
    .map(|e| e.to_string())
    .unwrap_or_default();
    assert!(err.contains("opted out of email"), "{err}");
}

#[test]
fn the_binary_delivers_at_the_end_of_run_and_with_outbox_send() {
    let shop = shop_with_c1();
    let port = free_port();
    let cfg = shop.config_path();
    std::fs::create_dir_all(cfg.parent().unwrap_or_else(|| panic!("no parent")))
        .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(&cfg, smtp_config_toml(port)).unwrap_or_else(|e| panic!("{e}"));

    // Server down: the run is done and kept, the delivery failure is reported.
    let out = shop
        .arq("admin", DAY)
        .args(["run"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("Delivery: 0 sent, 1 failed"), "{stdout}");
    assert!(stderr.contains("1 message was not delivered"), "{stderr}");
    let out = shop
        .arq("admin", DAY)
        .args(["outbox", "send"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("stay pending"));

    let sink = SmtpSink::start(port);
    let sent = shop.json("admin", DAY, &["outbox", "send", "--format", "json"]);
    assert_eq!(sent["sent"], 1);
    assert_eq!(sent["messages"][0]["to"], "ap@c1.example");
    assert_eq!(sink.received().len(), 1);
    let sent = shop.json("admin", DAY, &["outbox", "send", "--format", "json"]);
    assert_eq!(sent["sent"], 0);
    let list = shop.json("admin", DAY, &["outbox", "list", "--format", "json"]);
    assert_eq!(list[0]["status"], "sent");

    // The next reminder goes out at the end of that day's run.
    let r = shop.json("admin", "2026-03-07", &["run", "--format", "json"]);
    assert_eq!(r["mail_queued"], 1);
    assert_eq!(r["delivery"]["sent"], 1, "{r}");
    let got = sink.received();
    assert_eq!(got.len(), 2);
    assert!(header(&got[1].parsed(), "Subject").starts_with("Second notice"));

    // The preview shows what a template makes for a customer.
    let out = shop
        .arq("ana", DAY)
        .args(["template", "preview", "final_notice", "--customer", "C1"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("Subject: Final notice"), "{text}");
    assert!(
        text.contains("INV-1") && text.contains("an HTML part is included"),
        "{text}"
    );
}

#[test]
fn sends_never_hand_the_same_message_to_two_deliveries() {
    // Two sessions (two processes sharing the file) claim before delivering.
    let shop = shop_with_c1();
    let sink = SmtpSink::start(0);
    let mut a = shop.session_with("admin", DAY, smtp_config(sink.port));
    a.run_day(false).unwrap_or_else(|e| panic!("{e}"));
    let mut b = shop.session_with("sam", DAY, smtp_config(sink.port));
    let t1 = std::thread::spawn(move || send::send_pending(&mut a).map(|r| r.sent));
    let t2 = std::thread::spawn(move || send::send_pending(&mut b).map(|r| r.sent));
    let n1 = t1
        .join()
        .unwrap_or_else(|_| panic!("thread"))
        .unwrap_or_else(|e| panic!("{e}"));
    let n2 = t2
        .join()
        .unwrap_or_else(|_| panic!("thread"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(n1 + n2, 1);
    assert_eq!(sink.received().len(), 1);
}
