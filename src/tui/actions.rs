//! What the app does for the user: opening the right form for an action on the
//! selected account, and carrying out a form's request through the services (mail
//! through the mail module), then offering what naturally follows (a promise
//! confirmation right after a promise).

use super::app::App;
use super::keymap::Action;
use super::popups::dispute::{Disputable, DisputeForm};
use super::popups::simple::SimpleForm;
use super::popups::wrapup::WrapUpForm;
use super::popups::{Popup, Request};
use super::screens::account::AccountScreen;
use crate::domain::{Channel, Money, Role};
use crate::mail::compose::{self, Extra};
use crate::mail::send;
use crate::service::{ServiceError, Session};

impl App {
    pub(super) fn start_form(&mut self, action: Action) {
        let Some(t) = self.target() else {
            self.status = Some(("select an account first".into(), true));
            return;
        };
        // The account as it stands now (the screen's copy, else a fresh read).
        let view = match &self.account {
            Some(a) if a.view.customer_id == t.customer => Ok(a.view.clone()),
            _ => self.session.account(&t.customer, 0),
        };
        let view = match view {
            Ok(v) => v,
            Err(e) => {
                self.status = Some((e.to_string(), true));
                return;
            }
        };
        let popup = match action {
            Action::Call => Popup::WrapUp(Box::new(WrapUpForm::new(
                &t.customer,
                &t.name,
                t.item,
                view.collectible_past_due,
            ))),
            Action::Promise => Popup::Simple(Box::new(SimpleForm::promise(
                &t.customer,
                &t.name,
                view.collectible_past_due,
            ))),
            Action::Note => Popup::Simple(Box::new(SimpleForm::note(&t.customer, &t.name))),
            Action::Callback => Popup::Simple(Box::new(SimpleForm::callback(&t.customer, &t.name))),
            Action::Dispute => {
                let invoices: Vec<Disputable> = view
                    .invoices
                    .iter()
                    .map(|i| Disputable {
                        invoice_no: i.invoice_no.clone(),
                        balance: i.balance,
                        open: (i.balance - i.disputed).max(Money::ZERO),
                    })
                    .filter(|d| d.open.is_positive())
                    .collect();
                if invoices.is_empty() {
                    self.status = Some((
                        format!("{} has no open invoice left to dispute", t.customer),
                        true,
                    ));
                    return;
                }
                let preferred = self
                    .account
                    .as_ref()
                    .and_then(|a| a.selected_invoice())
                    .map(str::to_string);
                Popup::Dispute(Box::new(DisputeForm::new(
                    &t.customer,
                    &t.name,
                    invoices,
                    preferred.as_deref(),
                )))
            }
            Action::Finish => {
                let item = t.item.or_else(|| {
                    self.account
                        .as_ref()
                        .and_then(AccountScreen::item_to_finish)
                });
                let Some(item) = item else {
                    self.status =
                        Some((format!("{} has no open item to finish", t.customer), true));
                    return;
                };
                let what = view
                    .open_items
                    .iter()
                    .find(|i| i.item_id == item)
                    .map_or_else(String::new, |i| i.note.clone());
                Popup::Simple(Box::new(SimpleForm::finish(item, &what)))
            }
            Action::Hold if view.on_hold => {
                if !self.session.user().role.sees_everything() {
                    self.status = Some((
                        "only supervisors and admins release credit holds".into(),
                        true,
                    ));
                    return;
                }
                Popup::Simple(Box::new(SimpleForm::release(&t.customer, &t.name)))
            }
            Action::Hold => Popup::Simple(Box::new(SimpleForm::hold(&t.customer, &t.name))),
            Action::Assign => {
                if !self.session.user().role.sees_everything() {
                    self.status =
                        Some(("only supervisors and admins assign accounts".into(), true));
                    return;
                }
                let users = match self.session.users() {
                    Ok(u) => u
                        .into_iter()
                        .filter(|u| u.role != Role::Admin)
                        .map(|u| u.name)
                        .collect(),
                    Err(e) => {
                        self.status = Some((e.to_string(), true));
                        return;
                    }
                };
                Popup::Simple(Box::new(SimpleForm::assign(
                    &t.customer,
                    &t.name,
                    users,
                    view.owner.as_deref(),
                )))
            }
            Action::Send => {
                let templates = match self.session.templates() {
                    Ok(t) => t.names(),
                    Err(e) => {
                        self.status = Some((e.to_string(), true));
                        return;
                    }
                };
                Popup::Simple(Box::new(SimpleForm::send(&t.customer, &t.name, templates)))
            }
            _ => return,
        };
        self.popups.push(popup);
    }

    /// Carries out a form's request. On success the form closes and everything is
    /// reloaded; a refusal goes back into the form.
    pub(super) fn submit(&mut self, r: Request) {
        match run(&mut self.session, &r) {
            Ok((msg, promise)) => {
                if !matches!(r, Request::Deliver) {
                    self.popups.pop();
                }
                // A wrap-up moves on: back from the account to the queue, whose next item is now selected.
                if matches!(r, Request::WrapUp { .. })
                    && self.account.as_ref().is_some_and(|a| a.item.is_some())
                {
                    self.account = None;
                }
                self.reload();
                self.status = Some((msg, false));
                if let Some((customer, promise_id)) = promise {
                    self.offer_confirmation(&customer, promise_id);
                }
            }
            Err(e) => match self.popups.last_mut() {
                Some(p) if !matches!(r, Request::Deliver) => p.set_error(e.to_string()),
                _ => self.status = Some((e.to_string(), true)),
            },
        }
    }

    /// Right after a promise: offer to confirm it by email when the customer can get one.
    fn offer_confirmation(&mut self, customer: &str, promise_id: i64) {
        let Ok(view) = self.session.account(customer, 0) else {
            return;
        };
        let Some(to) = view.email.clone().filter(|e| !e.trim().is_empty()) else {
            return;
        };
        if view.opt_out.iter().any(|c| c == "email") {
            return;
        }
        self.popups
            .push(Popup::Simple(Box::new(SimpleForm::confirmation(
                customer, promise_id, &to,
            ))));
    }
}

/// Does what a request asks; returns the message for the footer and, when a promise
/// was taken, which one.
fn run(s: &mut Session, r: &Request) -> Result<(String, Option<(String, i64)>), ServiceError> {
    let done = |m: String| Ok((m, None));
    match r {
        Request::WrapUp {
            customer,
            item,
            outcome,
            note,
            follow,
        } => {
            let w = s.wrap_up(customer, *item, *outcome, note, follow)?;
            let mut msg = format!("call logged on {customer} ({})", outcome.words());
            if let Some(p) = w.promise_id {
                msg.push_str(&format!("; promise #{p} recorded"));
            }
            if let Some(c) = w.callback_id {
                msg.push_str(&format!("; callback #{c} scheduled"));
            }
            Ok((msg, w.promise_id.map(|p| (customer.clone(), p))))
        }
        Request::Promise {
            customer,
            amount,
            date,
            note,
        } => {
            let p = s.take_promise(customer, *amount, *date, note)?;
            Ok((
                format!("promise #{p}: {} by {date}", amount.grouped()),
                Some((customer.clone(), p)),
            ))
        }
        Request::Dispute {
            customer,
            invoice,
            reason,
            amount,
            note,
        } => {
            let d = s.open_dispute(customer, invoice, *reason, *amount, note, None)?;
            done(format!("dispute #{d} opened on {invoice}"))
        }
        Request::Note { customer, text } => {
            s.log_note(customer, text)?;
            done(format!("note added to {customer}"))
        }
        Request::Callback {
            customer,
            date,
            note,
        } => {
            let c = s.schedule_callback(customer, *date, note)?;
            done(format!("callback #{c} on {date}"))
        }
        Request::Finish { item, note } => {
            s.finish_item(*item, note)?;
            done(format!("item #{item} done"))
        }
        Request::Hold { customer, reason } => {
            s.set_hold(customer, reason)?;
            done(format!("{customer} is on credit hold"))
        }
        Request::Release { customer, note } => {
            s.release_hold(customer, note)?;
            done(format!("{customer}: hold released"))
        }
        Request::Assign { customer, to } => {
            s.assign(std::slice::from_ref(customer), to)?;
            done(format!("{customer} assigned to {to}"))
        }
        Request::Send {
            customer,
            template,
            channel,
        } => {
            let q =
                compose::queue_manual_message(s, customer, template, *channel, Extra::default())?;
            done(deliver_now(s, q.outbox_id, *channel, &q.recipient)?)
        }
        Request::ConfirmPromise {
            customer,
            promise_id,
        } => {
            let q = compose::queue_promise_confirmation(s, customer, *promise_id)?;
            done(deliver_now(s, q.outbox_id, Channel::Email, &q.recipient)?)
        }
        Request::Deliver => {
            let r = send::send_pending(s)?;
            done(format!(
                "delivered: {} sent, {} failed, {} cancelled, {} in doubt",
                r.sent, r.failed, r.cancelled, r.in_doubt
            ))
        }
    }
}

/// Sends one queued message at once; when delivery fails it stays in the outbox for
/// the next send, and the footer says so.
fn deliver_now(
    s: &mut Session,
    outbox_id: i64,
    channel: Channel,
    to: &str,
) -> Result<String, ServiceError> {
    let r = send::send_one(s, outbox_id)?;
    Ok(if r.sent > 0 {
        format!("{channel} sent to {to}")
    } else {
        let why = r.messages.first().map_or_else(
            || "not delivered".to_string(),
            |m| format!("{}: {}", crate::domain::names::words(m.result), m.detail),
        );
        format!("{channel} to {to} queued; not delivered yet ({why})")
    })
}
