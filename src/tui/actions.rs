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

use crate::domain::{Channel, Money, PromiseStatus, Role};
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
        // A promise taken now replaces the account's open one: the forms say so.
        let replaces = view
            .promises
            .iter()
            .find(|p| p.status == PromiseStatus::Open)
            .map(|p| {
                format!(
                    "replaces open promise #{}: {} by {}",
                    p.promise_id,
                    p.amount.grouped(),
                    p.date
                )
            });
        let popup = match action {
            Action::Call => {
                let seen = match self.session.last_call(&t.customer) {
                    Ok(id) => id,
                    Err(e) => {
                        self.status = Some((e.to_string(), true));
                        return;
                    }
                };
                Popup::form(WrapUpForm::new(
                    &t.customer,
                    &t.name,
                    t.item,
                    view.collectible_past_due,
                    seen,
                    replaces.as_deref(),
                ))
            }
            Action::Promise => Popup::form(PromiseForm::new(
                &t.customer,
                &t.name,
                view.collectible_past_due,
                replaces.map(|r| format!("This {r}.")),
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
                // "item #867", not "approve write-off #867": the write-off has its own
                // number, which the text below names.
                let title = format!(
                    "item #{} · {} · {} {}",
                    it.item_id,
                    it.action.label(),
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
                    Popup::form(FinishForm::new(it.item_id, &t.customer, &t.name, &it.note))
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
                let names = match self.session.templates() {
                    Ok(t) => t.names(),
                    Err(e) => {
                        self.status = Some((e.to_string(), true));
                        return;
                    }
                };
                // Each template as the customer would get it, for the form's preview.
                let templates = names
                    .into_iter()
                    .map(|name| {
                        let r = compose::preview(
                            &mut self.session,
                            &t.customer,
                            &name,
                            Extra::default(),
                        )
                        .ok();
                        (name, r)
                    })
                    .collect();
                let reachable = |c: Channel| {
                    !view.opt_out.iter().any(|o| o.as_str() == c.as_str())
                        && match c {
                            Channel::Email => view.email.is_some(),
                            Channel::Sms | Channel::Phone => view.phone.is_some(),
                            Channel::Letter => true,
                        }
                };
                let caution = view.past_due.is_zero().then(|| {
                    format!(
                        "Nothing on {} is past due: a reminder would say a past-due total of 0.00.",
                        t.customer
                    )
                });
                Popup::form(SendForm::new(
                    &t.customer,
                    &t.name,
                    templates,
                    &reachable,
                    caution,
                ))
            }
            _ => return,
        };
        self.popups.push(popup);
    }

    /// Does the long work a key asked for (see [`App::pending`]), after the frame that
    /// said it was under way.
    pub fn run_pending(&mut self) {
        if self.unloaded()
            && let Err(e) = self.load_switched()
        {
            // The first tab: nothing to go back to (the event loop ends on it).
            self.status = Some((e.to_string(), true));
            return;
        }
        let Some(r) = self.pending.take() else {
            return;
        };
        self.dirty = true;
        if let Request::TryStrategy { strategy, accounts } = &r {
            match super::screens::whatif::WhatIfScreen::compute(&self.session, strategy, accounts) {
                Ok(screen) => {
                    self.popups.pop();
                    self.stack.push(Box::new(screen));
                    self.status = None;
                }
                Err(e) => {
                    self.status = None;
                    match self.popups.last_mut() {
                        Some(p) => p.set_error(e.to_string()),
                        None => self.status = Some((e.to_string(), true)),
                    }
                }
            }
        }
    }

    /// Carries out a form's request. On success the form closes and everything is
    /// reloaded; a refusal goes back into the form. A wrap-up whose item someone else
    /// closed meanwhile lets go of the item, so a second ⏎ logs the call alone.
    pub(super) fn submit(&mut self, r: Request) {
        if let Request::TryStrategy { strategy, .. } = &r {
            self.status = Some((
                format!(
                    "replaying the last {} days with {strategy}: this reads the whole period…",
                    super::screens::whatif::DAYS
                ),
                false,
            ));
            self.pending = Some(r);
            return;
        }
        match run(&mut self.session, &r) {
            Ok(done) => {
                self.popups.pop();
                // A wrap-up moves on: back from the account to the queue, whose next item is now selected.
                if matches!(r, Request::WrapUp { .. })
                    && self.account().is_some_and(|a| a.item.is_some())
                {
                    self.stack.pop();
                }
                self.reload(super::app::Changes::Own);
                let mut message = done.message;
                if let Some(cleared) = self.clear_empty_filter() {
                    message.push_str(&format!(" · {cleared}"));
                }
                self.status = Some((message, done.heed));
                if let Some(c) = done.confirm {
                    self.offer_confirmation(c);
                }
            }
            Err(e) => {
                let mut message = e.to_string();
                if let Request::WrapUp {
                    customer,
                    item: Some(item),
                    seen_call,
                    ..
                } = &r
                    && let Ok(Some(_)) = self.session.item_closed(*item)
                    && self.popups.last_mut().is_some_and(Popup::forget_item)
                {
                    if let Some(calls) = other_calls(&self.session, customer, *seen_call, None) {
                        message.push_str(&format!(" ({calls})"));
                    }
                    message.push_str(&format!(
                        ". ⏎ logs your call on {customer} without the item; esc cancels"
                    ));
                }
                match self.popups.last_mut() {
                    Some(p) => p.set_error(message),
                    _ => self.status = Some((message, true)),
                }
            }
        }
    }

    /// When the person's own save left a filtered list with nothing to show (the
    /// filter matched only what they just finished), the filter goes: an empty list
    /// would look like an empty queue. Says what it did.
    fn clear_empty_filter(&mut self) -> Option<String> {
        let screen = self.screen_mut()?;
        let text = screen.filter().filter(|f| !f.is_empty())?.text.clone();
        if screen.shown() > 0 {
            return None;
        }
        if let Some(f) = screen.filter_mut() {
            f.text.clear();
            f.editing = false;
        }
        screen.refilter();
        Some(format!("filter “{text}” cleared: nothing else matched it"))
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

/// What a saved request tells the person.
struct Done {
    message: String,
    /// A promise or a plan was made: offer its confirmation.
    confirm: Option<Confirm>,
    /// Saved, but something in the message needs a look (shown like a refusal).
    heed: bool,
}

impl From<(String, Option<Confirm>)> for Done {
    fn from((message, confirm): (String, Option<Confirm>)) -> Done {
        Done {
            message,
            confirm,
            heed: false,
        }
    }
}

/// Calls logged on the account after `seen` other than `own`, in words
/// (`sam logged a call at 14:02 UTC: no answer`), or `None`.
fn other_calls(s: &Session, customer: &str, seen: i64, own: Option<i64>) -> Option<String> {
    let calls = s.calls_after(customer, seen).ok()?;
    let words: Vec<String> = calls
        .iter()
        .filter(|c| Some(c.id) != own)
        .map(|c| {
            let time = c.at.get(11..16).unwrap_or("");
            format!(
                "{} logged a call on {} at {time} UTC: {}",
                c.by,
                c.on_date,
                c.outcome.words()
            )
        })
        .collect();
    (!words.is_empty()).then(|| words.join("; "))
}

/// Does what a request asks; returns the message for the footer and, when a promise
/// or a plan was made, which one.
fn run(s: &mut Session, r: &Request) -> Result<Done, ServiceError> {
    let done = |m: String| Ok(Done::from((m, None)));
    match r {
        Request::TryStrategy { .. } => Err(ServiceError::Invalid(
            "a what-if opens as a screen, it records nothing".into(),
        )),
        Request::WrapUp {
            customer,
            item,
            outcome,
            note,
            follow,
            seen_call,
        } => {
            let w = s.wrap_up(customer, *item, *outcome, note, follow)?;
            let mut msg = format!("call logged on {customer} ({})", outcome.words());
            if let Some(p) = w.promise_id {
                msg.push_str(&format!("; promise #{p} recorded"));
            }
            if let Some(c) = w.callback_id {
                msg.push_str(&format!("; callback #{c} scheduled"));
            }
            let others = other_calls(s, customer, *seen_call, Some(w.call.call_id));
            if let Some(others) = &others {
                msg.push_str(&format!(
                    ". Meanwhile {others}: both calls are on the timeline"
                ));
            }
            Ok(Done {
                message: msg,
                confirm: w.promise_id.map(|p| Confirm::Promise(customer.clone(), p)),
                heed: others.is_some(),
            })
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
            )
                .into())
        }
        Request::Dispute {
            customer,
            invoice,
            reason,
            amount,
            note,
            follow_up,
        } => {
            let d = s.open_dispute(customer, invoice, *reason, *amount, note, *follow_up)?;
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
            )
                .into())
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
