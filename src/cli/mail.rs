//! Commands about customer messages: `outbox send | show | queue | retry | confirm |
//! cancel`, `template list | preview`, and the delivery at the end of `arq run`.

use clap::Subcommand;
use serde::Serialize;

use super::out::{eprintln, print, println};
use super::output::{cell, csv, json};
use super::table::{Align, Table, fit};
use super::{Env, Format};
use crate::domain::Channel;
use crate::domain::names::words;
use crate::mail::compose::{self, Extra};
use crate::mail::send::{self, SendReport};
use crate::mail::{manage, transport};
use crate::service::Session;
use crate::store::outbox;

#[derive(Debug, Subcommand)]
pub enum OutboxMailCmd {
    /// Deliver pending messages now (email, SMS, letters)
    Send {
        /// Only this message
        #[arg(long, value_name = "OUTBOX_ID")]
        id: Option<i64>,
        /// How to print what was done (csv: one row per message)
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Show one message as it will be (or was) sent
    Show {
        /// The message's number (the `id` column of `arq outbox list`)
        id: i64,
    },
    /// Render a template for a customer now and queue it (recorded like an automatic one)
    Queue {
        /// The customer's id
        customer: String,
        /// The template's name (see `arq template list`)
        #[arg(long)]
        template: String,
        /// How to send it
        #[arg(long, default_value = "email", value_parser = super::args::words::<Channel>(Channel::NAMES))]
        channel: Channel,
        /// Deliver it at once
        #[arg(long)]
        send: bool,
    },
    /// A message in doubt did not arrive: send it again at the next send (supervisors)
    Retry {
        /// The message's number
        id: i64,
    },
    /// A message in doubt did arrive: mark it sent (supervisors)
    Confirm {
        /// The message's number
        id: i64,
    },
    /// Cancel a message that has not been sent
    Cancel {
        /// The message's number
        id: i64,
        /// Why
        #[arg(long, default_value = "")]
        reason: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum TemplateCmd {
    /// The message templates, shipped and the shop's own
    List {
        /// How to print the list
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Render a template for a customer (nothing is queued)
    Preview {
        /// The template's name (see `arq template list`)
        name: String,
        /// The customer to render it for
        #[arg(long, value_name = "ID")]
        customer: String,
        /// Print the HTML part too
        #[arg(long)]
        html: bool,
    },
}

pub fn outbox(env: &Env, cmd: OutboxMailCmd) -> anyhow::Result<()> {
    let mut s = env.session()?;
    match cmd {
        OutboxMailCmd::Send { id, format } => {
            let bars = super::progress::Bars::for_stderr(format);
            let r = match id {
                Some(id) => send::send_one(&mut s, id)?,
                None => send::send_pending_with(&mut s, &bars)?,
            };
            crate::progress::Progress::finish(&bars);
            match format {
                Format::Json => json(&r)?,
                Format::Csv => csv(
                    &[
                        "outbox_id",
                        "customer_id",
                        "channel",
                        "to",
                        "result",
                        "detail",
                        "reason",
                    ],
                    r.messages.iter().map(|l| {
                        [
                            l.outbox_id.to_string(),
                            l.customer_id.clone(),
                            l.channel.to_string(),
                            l.to.clone(),
                            l.result.to_string(),
                            l.detail.clone(),
                            cell(l.reason),
                        ]
                    }),
                )
                .map(|()| {
                    for w in &r.warnings {
                        eprintln!("warning: {w}");
                    }
                })?,
                Format::Table => print_report(&r, usize::MAX),
            }
            let not = r.failed + r.in_doubt;
            if not > 0 {
                anyhow::bail!(
                    "{not} message{} not delivered: see the errors above (failed ones stay pending and the next send retries them)",
                    if not == 1 { " was" } else { "s were" }
                );
            }
            Ok(())
        }
        OutboxMailCmd::Show { id } => show(&s, id),
        OutboxMailCmd::Queue {
            customer,
            template,
            channel,
            send,
        } => {
            let q = compose::queue_manual_message(
                &mut s,
                &customer,
                &template,
                channel,
                Extra::default(),
            )?;
            // As the terminal app's form says before it sends.
            if s.figures(&customer)?.past_due.is_zero() {
                eprintln!(
                    "note: nothing on {customer} is past due: a reminder says a past-due total of 0.00"
                );
            }
            println!(
                "Queued #{} {} '{}' for {} ({})",
                q.outbox_id, q.channel, q.subject, q.recipient, q.message_id
            );
            if send {
                let r = send::send_one(&mut s, q.outbox_id)?;
                print_report(&r, usize::MAX);
                if r.sent == 0 {
                    anyhow::bail!("message #{} was not delivered", q.outbox_id);
                }
            }
            Ok(())
        }
        OutboxMailCmd::Retry { id } => {
            manage::retry(&mut s, id)?;
            println!("Message #{id} is pending again: the next `arq outbox send` delivers it.");
            Ok(())
        }
        OutboxMailCmd::Confirm { id } => {
            manage::confirm(&mut s, id)?;
            println!("Message #{id} marked sent.");
            Ok(())
        }
        OutboxMailCmd::Cancel { id, reason } => {
            manage::cancel(&mut s, id, &reason)?;
            println!("Message #{id} cancelled.");
            Ok(())
        }
    }
}

fn show(s: &Session, id: i64) -> anyhow::Result<()> {
    let row = outbox::get(s.store().conn(), id)?
        .ok_or_else(|| anyhow::anyhow!("no outbox message #{id} (see `arq outbox list`)"))?;
    s.account(&row.customer_id, 0)?; // the same visibility as the account
    println!("Message #{} · {} · {}", row.id, row.channel, row.status);
    println!(
        "To:         {} (customer {})",
        row.recipient, row.customer_id
    );
    println!("Subject:    {}", row.subject);
    println!("Message-ID: {}", row.message_id);
    println!("Queued:     {} by {}", row.created_on, row.created_by);
    if let Some(at) = &row.sent_at {
        println!("Sent:       {at}");
    }
    if let Some(e) = &row.last_error {
        println!("Last error: {e} (attempts {})", row.attempts);
    }
    println!(
        "HTML part:  {}",
        if row.body_html.is_some() { "yes" } else { "no" }
    );
    println!();
    print!("{}", row.body_text);
    Ok(())
}

pub fn template(env: &Env, cmd: TemplateCmd) -> anyhow::Result<()> {
    match cmd {
        TemplateCmd::List { format } => {
            let dir = env.config.templates_dir();
            let t = crate::mail::Templates::load(dir.as_deref())?;
            let list = t.list();
            match format {
                Format::Json => json(&list),
                Format::Csv => csv(
                    &["template", "has_html", "source"],
                    list.iter()
                        .map(|i| [i.name.clone(), i.has_html.to_string(), i.source.clone()]),
                ),
                Format::Table => {
                    let mut tb = Table::new(&[
                        ("template", Align::Left, 24),
                        ("html", Align::Left, 4),
                        ("from", Align::Left, 60),
                    ]);
                    for i in list {
                        tb.row(vec![
                            i.name,
                            if i.has_html { "yes" } else { "no" }.to_string(),
                            i.source,
                        ]);
                    }
                    print!("{}", tb.render());
                    match &env.config.dir {
                        Some(d) => println!(
                            "\nA file of the same name in {} replaces a shipped one.",
                            d.join("templates").display()
                        ),
                        None => {
                            println!("\nShop templates live in the config directory's templates/.")
                        }
                    }
                    Ok(())
                }
            }
        }
        TemplateCmd::Preview {
            name,
            customer,
            html,
        } => {
            let mut s = env.session()?;
            let r = compose::preview(&mut s, &customer, &name, Extra::default())?;
            println!("Subject: {}", r.subject);
            println!();
            print!("{}", r.text);
            if !r.text.ends_with('\n') {
                println!();
            }
            println!();
            match (&r.html, html) {
                (Some(h), true) => println!("--- HTML part ---\n{h}"),
                (Some(_), false) => println!("(an HTML part is included too: --html shows it)"),
                (None, _) => println!("(plain text only: no {name}.html template)"),
            }
            Ok(())
        }
    }
}

/// Words for a cancellation's kind, in a summary.
fn cancel_words(kind: Option<&str>) -> &'static str {
    match kind {
        Some("too_old") => "queued too long ago",
        Some("opted_out") => "customer opted out",
        Some("white_glove") => "white-glove customer",
        Some("no_contact") => "no contact on file",
        Some("superseded") => "replaced by a later step's message",
        Some("cycle_ended" | "cured") => "account cured",
        Some("disputed") => "past due disputed since",
        Some("promise") => "promise taken since",
        Some("plan") => "payment plan agreed since",
        Some("no_longer_ahead") => "reminder before due, too late now",
        _ => "cancelled",
    }
}

/// Prints a send's report: failures first, then what was sent, then what was
/// cancelled. When more than `limit` messages would be listed, cancellations are
/// counted by reason instead of listed.
pub fn print_report(r: &SendReport, limit: usize) {
    println!(
        "Delivery: {} sent, {} failed, {} in doubt, {} cancelled",
        r.sent, r.failed, r.in_doubt, r.cancelled
    );
    let rank = |res: &str| match res {
        "failed" => 0,
        "in_doubt" => 1,
        "sent" => 2,
        _ => 3,
    };
    let mut lines: Vec<&send::SendLine> = r.messages.iter().collect();
    lines.sort_by_key(|l| (rank(l.result), l.outbox_id));
    if lines.len() > limit {
        let mut by: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
        for l in lines.iter().filter(|l| l.result == "cancelled") {
            *by.entry(cancel_words(l.reason)).or_default() += 1;
        }
        if !by.is_empty() {
            let parts: Vec<String> = by.iter().map(|(w, n)| format!("{n} {w}")).collect();
            println!("Cancelled, not sent: {}", parts.join(", "));
        }
        lines.retain(|l| l.result != "cancelled");
    }
    if !lines.is_empty() {
        let mut t = Table::new(&[
            ("id", Align::Right, 7),
            ("customer", Align::Left, 14),
            ("channel", Align::Left, 7),
            ("to", Align::Left, 32),
            ("result", Align::Left, 9),
            ("detail", Align::Left, 90),
        ]);
        for l in lines.iter().take(limit) {
            t.row(vec![
                l.outbox_id.to_string(),
                l.customer_id.clone(),
                l.channel.to_string(),
                l.to.clone(),
                words(l.result),
                fit(&l.detail, 90),
            ]);
        }
        print!("{}", t.render());
        if lines.len() > limit {
            println!(
                "… and {} more (`arq outbox list` shows them all)",
                lines.len() - limit
            );
        }
    }
    if r.failed > 0 {
        println!("Failed messages stay pending with their error; the next send retries them.");
    }
    if let Some(p) = &r.batch_pdf {
        println!("Letters to print: {p}");
    }
    if !r.waiting_in_doubt.is_empty() {
        println!(
            "In doubt (may have arrived; never resent by itself): {} — check, then `arq outbox confirm ID` or `arq outbox retry ID`",
            r.waiting_in_doubt
                .iter()
                .map(|i| format!("#{i}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    for w in &r.warnings {
        eprintln!("warning: {w}");
    }
}

/// The delivery that ends `arq run`, reported with it.
#[derive(Debug, Serialize)]
pub struct Delivery {
    #[serde(flatten)]
    pub report: SendReport,
    /// Why delivery could not run at all (the run itself is kept).
    pub error: Option<String>,
}

/// Delivers the run's messages. A failure here never undoes or fails the run.
pub fn deliver_after_run(s: &mut Session, progress: &dyn crate::progress::Progress) -> Delivery {
    match send::send_pending_with(s, progress) {
        Ok(report) => Delivery {
            report,
            error: None,
        },
        Err(e) => Delivery {
            report: SendReport::default(),
            error: Some(e.to_string()),
        },
    }
}

/// Prints the run's delivery (table form) and warns on stderr about what did not go.
pub fn print_delivery(d: &Delivery, env: &Env) {
    println!();
    if d.error.is_some() {
        warn_undelivered(d);
        return;
    }
    print_report(&d.report, 20);
    if d.report.sent > 0 && env.config.mail.transport == crate::config::Transport::File {
        println!(
            "(email goes to files in {} until [mail] transport = \"smtp\" is configured)",
            transport::outbox_dir(&env.config, &env.db).display()
        );
    }
    warn_undelivered(d);
}

/// Says on stderr what the run's delivery left undone (whatever the output format).
pub fn warn_undelivered(d: &Delivery) {
    if let Some(e) = &d.error {
        eprintln!("warning: the run is done, but its messages were not delivered: {e}");
        eprintln!("         they stay in the outbox: `arq outbox send` delivers them");
        return;
    }
    let not = d.report.failed + d.report.in_doubt;
    if not > 0 {
        eprintln!(
            "warning: {not} message{} not delivered; the run itself is done (see `arq outbox list --status pending`)",
            if not == 1 { " was" } else { "s were" }
        );
    }
}
