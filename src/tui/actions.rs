//! What the app does for the user: opening the right form for an action on the
//! selected account, and carrying out a form's request through the services (mail
//! through the mail module), then offering what naturally follows (a promise
//! confirmation right after a promise).

use super::app::App;
use super::keymap::Action;
use super::popups::choose::{AssignForm, ConfirmForm, SendForm};
use super::popups::decide::{ApprovalForm, DecisionForm, Writable, WriteOffForm};
use super::popups::dispute::{Disputable, DisputeForm};
use super::popups::plan::PlanForm;
use super::popups::record::{
    CallbackForm, FinishForm, HoldForm, NoteForm, PromiseForm, ReleaseForm,
};
use super::popups::wrapup::WrapUpForm;
use super::popups::{Popup, Request};
use super::screens::account::AccountScreen;
use ratatui::text::{Line, Span};

use crate::domain::{Channel, Money, Role};
use crate::mail::compose::{self, Extra};
use crate::mail::send;
use crate::service::account::{AccountView, OpenItem};
use crate::service::{ServiceError, Session};
use crate::strategy::Assignee;

impl App {
    pub(super) fn start_form(&mut self, action: Action) {
        let Some(t) = self.target() else {
            self.status = Some(("select an account first".into(), true));
            return;
        };
        // The account as it stands now (the screen's copy, else a fresh read).
        let view = match self.account() {
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
            Action::Call => Popup::form(WrapUpForm::new(
                &t.customer,
                &t.name,
                t.item,
                view.collectible_past_due,
            )),
            Action::Promise => Popup::form(PromiseForm::new(
                &t.customer,
                &t.name,
                view.collectible_past_due,
            )),
            Action::Note => Popup::form(NoteForm::new(&t.customer, &t.name)),
            Action::Callback => Popup::form(CallbackForm::new(&t.customer, &t.name)),
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
                    .account()
                    .and_then(|a| a.selected_invoice())
                    .map(str::to_string);
                Popup::form(DisputeForm::new(
                    &t.customer,
                    &t.name,
                    invoices,
                    preferred.as_deref(),
                ))
            }
            Action::Finish => {
                let item = t
                    .item
                    .or_else(|| self.account().and_then(AccountScreen::item_to_finish));
                let Some(it) = item.and_then(|id| view.open_items.iter().find(|i| i.item_id == id))
                else {
                    self.status =
                        Some((format!("{} has no open item to finish", t.customer), true));
                    return;
                };
                if it.assignee == Assignee::Supervisor
                    && !self.session.user().role.sees_everything()
                {
                    self.status = Some((
                        format!(
                            "item #{} ({}) is a supervisor's: only supervisors and admins finish it",
                            it.item_id,
                            it.action.label()
                        ),
                        true,
                    ));
                    return;
                }
                let about = about_item(&view, it);
                let title = format!(
                    "{} #{} · {} {}",
                    it.action.label(),
                    it.item_id,
                    t.customer,
                    t.name
                );
                if it.action.needs_decision() {
                    Popup::form(DecisionForm::new(
                        it.item_id,
                        title,
                        about,
                        writable(&view),
                        view.collectible_past_due,
                        self.session.as_of(),
                    ))
                } else if it.action.is_approval() {
                    Popup::form(ApprovalForm::new(it.item_id, title, about))
                } else {
                    Popup::form(FinishForm::new(it.item_id, &it.note))
                }
            }
            Action::Plan => Popup::form(PlanForm::new(
                &t.customer,
                &t.name,
                view.collectible_past_due,
                self.session.as_of(),
            )),
            Action::WriteOff => {
                let invoices = writable(&view);
                if invoices.is_empty() {
                    self.status = Some((
                        format!("{} has no open invoice to write off", t.customer),
                        true,
                    ));
                    return;
                }
                Popup::form(WriteOffForm::new(&t.customer, &t.name, invoices))
            }
            Action::Hold if view.on_hold => {
                if !self.session.user().role.sees_everything() {
                    self.status = Some((
                        "only supervisors and admins release credit holds".into(),
                        true,
                    ));
                    return;
                }
                Popup::form(ReleaseForm::new(&t.customer, &t.name))
            }
            Action::Hold => Popup::form(HoldForm::new(&t.customer, &t.name)),
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
                Popup::form(AssignForm::new(
                    &t.customer,
                    &t.name,
                    users,
                    view.owner.as_deref(),
                ))
            }
            Action::Send => {
                let templates = match self.session.templates() {
                    Ok(t) => t.names(),
                    Err(e) => {
                        self.status = Some((e.to_string(), true));
                        return;
                    }
                };
                Popup::form(SendForm::new(&t.customer, &t.name, templates))
            }
            _ => return,
        };
        self.popups.push(popup);
    }

    /// Carries out a form's request. On success the form closes and everything is
    /// reloaded; a refusal goes back into the form.
    pub(super) fn submit(&mut self, r: Request) {
        match run(&mut self.session, &r) {
            Ok((msg, confirm)) => {
                if !matches!(r, Request::Deliver) {
                    self.popups.pop();
                }
                // A wrap-up moves on: back from the account to the queue, whose next item is now selected.
                if matches!(r, Request::WrapUp { .. })
                    && self.account().is_some_and(|a| a.item.is_some())
                {
                    self.stack.pop();
                }
                self.reload();
                self.status = Some((msg, false));
                if let Some(c) = confirm {
                    self.offer_confirmation(c);
                }
            }
            Err(e) => match self.popups.last_mut() {
                Some(p) if !matches!(r, Request::Deliver) => p.set_error(e.to_string()),
                _ => self.status = Some((e.to_string(), true)),
            },
        }
    }

    /// Right after a promise or a plan: offer to confirm it by email when the customer
    /// can get one.
    fn offer_confirmation(&mut self, c: Confirm) {
        let customer = match &c {
            Confirm::Promise(customer, _) | Confirm::Plan(customer, _) => customer.clone(),
        };
        let Ok(view) = self.session.account(&customer, 0) else {
            return;
        };
        let Some(to) = view.email.clone().filter(|e| !e.trim().is_empty()) else {
            return;
        };
        if view.opt_out.iter().any(|c| c == "email") {
            return;
        }
        let form = match c {
            Confirm::Promise(customer, id) => ConfirmForm::promise(&customer, id, &to),
            Confirm::Plan(customer, id) => ConfirmForm::plan(&customer, id, &to),
        };
        self.popups.push(Popup::form(form));
    }
}

/// What a saved request offers to confirm by email.
enum Confirm {
    Promise(String, i64),
    Plan(String, i64),
}

/// Does what a request asks; returns the message for the footer and, when a promise
/// or a plan was made, which one.
fn run(s: &mut Session, r: &Request) -> Result<(String, Option<Confirm>), ServiceError> {
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
            Ok((
                msg,
                w.promise_id.map(|p| Confirm::Promise(customer.clone(), p)),
            ))
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
                Some(Confirm::Promise(customer.clone(), p)),
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
        Request::AssignMany { customers, to } => {
            let n = s.assign(customers, to)?;
            done(format!(
                "{n} account{} moved to {to}",
                if n == 1 { "" } else { "s" }
            ))
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
        Request::ConfirmPlan { customer, plan_id } => {
            let q = compose::queue_plan_confirmation(s, customer, *plan_id)?;
            done(deliver_now(s, q.outbox_id, Channel::Email, &q.recipient)?)
        }
        Request::Plan {
            customer,
            installments,
            note,
        } => {
            let id = s.set_plan(customer, installments, note)?;
            let total: Money = installments.iter().map(|(_, m)| *m).sum();
            Ok((
                format!(
                    "plan #{id}: {} in {} installments",
                    total.grouped(),
                    installments.len()
                ),
                Some(Confirm::Plan(customer.clone(), id)),
            ))
        }
        Request::Decide {
            item,
            decision,
            note,
        } => {
            let t = s.decide_item(*item, decision, note)?;
            done(format!(
                "item #{item} decided on {}: {}",
                t.customer_id,
                decision.kind()
            ))
        }
        Request::Approve { item, note } => done(s.approve_item(*item, note)?),
        Request::Reject { item, note } => done(s.reject_item(*item, note)?),
        Request::WriteOff {
            customer,
            invoices,
            note,
        } => {
            let w = s.request_write_off(customer, invoices, note)?;
            done(match w.approval_item {
                Some(i) => format!(
                    "write-off #{} asked for: item #{i} waits for a supervisor",
                    w.write_off_id
                ),
                None => format!(
                    "write-off #{}: {} written off",
                    w.write_off_id,
                    w.written_off.unwrap_or_default().grouped()
                ),
            })
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

/// What an approval or decision form shows about its item and account.
fn about_item(v: &AccountView, it: &OpenItem) -> Vec<Line<'static>> {
    let mut lines = vec![Line::from(it.note.clone())];
    let mut figures = format!(
        "balance {} · past due {} · collectible {} · {} days past due",
        v.balance.grouped(),
        v.past_due.grouped(),
        v.collectible_past_due.grouped(),
        v.dpd
    );
    if v.written_off.is_positive() {
        figures.push_str(&format!(" · written off {}", v.written_off.grouped()));
    }
    lines.push(Line::from(Span::raw(figures)));
    lines.push(Line::from(Span::raw(format!(
        "owner {} · strategy {} · {}",
        v.owner.as_deref().unwrap_or("(none)"),
        v.strategy.as_deref().unwrap_or("(none)"),
        v.status
    ))));
    lines
}

/// The account's open invoices that can be written off (nothing under dispute).
fn writable(v: &AccountView) -> Vec<Writable> {
    v.invoices
        .iter()
        .filter(|i| i.balance.is_positive() && i.disputed.is_zero())
        .map(|i| Writable {
            invoice_no: i.invoice_no.clone(),
            due_date: i.due_date,
            balance: i.balance,
        })
        .collect()
}
