//! Messages a person sends: any template to one customer now (the account screen's
//! "send"), promise and payment-plan confirmations, and previews. A message queued
//! here goes through the outbox like an automatic one — the same rendering, Message-ID,
//! events and delivery — so it is recorded on the account's timeline the same way.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::json;

use super::templates::{InstallmentInfo, PlanInfo, PromiseInfo};
use super::{MessageContext, Rendered};
use crate::domain::{Channel, EventKind};
use crate::service::{Result, ServiceError, Session};
use crate::store::{activity, outbox, snapshot};

/// The longest text message a person may send, in characters: two concatenated SMS
/// parts. A longer one is a letter sent by text (the email templates run to 500–900
/// characters); `sms_reminder` is about 150.
pub const SMS_MAX_CHARS: usize = 320;

/// Why `text` may not go as a text message, if it may not.
pub fn too_long_for_sms(text: &str) -> Option<String> {
    let n = text.trim().chars().count();
    (n > SMS_MAX_CHARS).then(|| {
        format!(
            "a text message of {n} characters is a letter (at most {SMS_MAX_CHARS}): choose a template written for text messages, such as sms_reminder"
        )
    })
}

/// What a template may use besides the account (a promise, a plan, or free values).
#[derive(Debug, Clone, Default)]
pub struct Extra {
    pub promise: Option<PromiseInfo>,
    pub plan: Option<PlanInfo>,
    /// Any other values, as top-level template variables.
    pub values: BTreeMap<String, serde_json::Value>,
}

/// A message a person queued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Queued {
    pub outbox_id: i64,
    pub message_id: String,
    pub channel: Channel,
    pub recipient: String,
    pub subject: String,
}

/// The context a template gets for `customer_id` as of the session's date.
pub fn context_for(s: &Session, customer_id: &str, extra: Extra) -> Result<MessageContext> {
    let c = s.visible_customer(customer_id)?;
    let as_of = s.as_of();
    let a = snapshot::load_one(s.store().conn(), &c.id, as_of)?
        .ok_or_else(|| ServiceError::NoCustomer(c.id.clone()))?;
    let mut ctx =
        MessageContext::reminder(&c, &a.invoices, as_of, &s.currency()?, &s.config().shop);
    ctx.collector = Some(s.user().name.clone());
    ctx.promise = extra.promise;
    ctx.plan = extra.plan;
    ctx.extra = extra.values;
    Ok(ctx)
}

/// Renders `template` for a customer without queueing anything.
pub fn preview(
    s: &mut Session,
    customer_id: &str,
    template: &str,
    extra: Extra,
) -> Result<Rendered> {
    let ctx = context_for(s, customer_id, extra)?;
    Ok(s.templates()?.render(template, &ctx)?)
}

/// Renders `template` for the customer now and queues it on `channel`, recorded like
/// an automatic message (a `mail_queued` event by the user). Collectors may do this
/// for their own accounts. Deliver it with [`super::send::send_one`].
///
/// Refused when the customer opted out of the channel or has no contact for it.
/// White-glove customers may be written to by a person (white glove only stops
/// automatic contact).
pub fn queue_manual_message(
    s: &mut Session,
    customer_id: &str,
    template: &str,
    channel: Channel,
    extra: Extra,
) -> Result<Queued> {
    let c = s.visible_customer(customer_id)?;
    if channel == Channel::Phone {
        return Err(ServiceError::Invalid(
            "a phone call is not a message: log the call instead".into(),
        ));
    }
    if c.opt_out.contains(channel) {
        return Err(ServiceError::Invalid(format!(
            "customer {} opted out of {channel}: reach them another way",
            c.id
        )));
    }
    if !c.has_contact(channel) {
        return Err(ServiceError::Invalid(format!(
            "customer {} has no {} on file",
            c.id,
            if channel == Channel::Email {
                "email address"
            } else {
                "phone number"
            }
        )));
    }
    let ctx = context_for(s, &c.id, extra)?;
    let r = s.templates()?.render(template, &ctx)?;
    if channel == Channel::Sms
        && let Some(why) = too_long_for_sms(&r.text)
    {
        return Err(ServiceError::Invalid(why));
    }
    let recipient = c.recipient(channel).to_string();
    let domain = s.config().mail.domain().to_string();
    let as_of = s.as_of();
    s.write(|tx| {
        let id = outbox::next_id(tx.conn)?;
        let message_id = format!("<arq.m{id}@{domain}>");
        let by = tx.actor.clone();
        let inserted = outbox::insert(
            tx.conn,
            &outbox::NewMessage {
                customer_id: &c.id,
                channel,
                template,
                message_id: &message_id,
                recipient: &recipient,
                subject: &r.subject,
                body_text: &r.text,
                body_html: r.html.as_deref(),
                created_on: as_of,
                created_by: &by,
                cycle_id: None,
                step_index: None,
            },
        )?;
        if inserted != Some(id) {
            return Err(ServiceError::Invalid(format!(
                "message {message_id} could not be queued (another one took its id): try again"
            )));
        }
        tx.event(
            EventKind::MailQueued,
            Some(&c.id),
            format!("{channel} '{}' queued for {recipient} by {by}", r.subject),
            json!({"outbox_id": id, "template": template, "message_id": message_id,
                   "channel": channel, "manual": true}),
        )?;
        Ok(Queued {
            outbox_id: id,
            message_id,
            channel,
            recipient: recipient.clone(),
            subject: r.subject.clone(),
        })
    })
}

/// Queues the `promise_confirmation` email for one of the customer's promises
/// (offered right after a promise is saved).
pub fn queue_promise_confirmation(
    s: &mut Session,
    customer_id: &str,
    promise_id: i64,
) -> Result<Queued> {
    s.visible_customer(customer_id)?;
    let currency = s.currency()?;
    let p = activity::promises_for(s.store().conn(), customer_id, s.as_of())?
        .into_iter()
        .find(|p| p.promise_id == promise_id)
        .ok_or_else(|| {
            ServiceError::NotFound(format!(
                "customer {customer_id} has no promise #{promise_id}"
            ))
        })?;
    let extra = Extra {
        promise: Some(PromiseInfo {
            amount: p.amount.with_currency(&currency),
            date: p.date.to_string(),
        }),
        ..Extra::default()
    };
    queue_manual_message(
        s,
        customer_id,
        "promise_confirmation",
        Channel::Email,
        extra,
    )
}

/// Queues the `plan_confirmation` email for one of the customer's payment plans
/// (offered right after a plan is agreed).
pub fn queue_plan_confirmation(s: &mut Session, customer_id: &str, plan_id: i64) -> Result<Queued> {
    s.visible_customer(customer_id)?;
    let currency = s.currency()?;
    let p = crate::store::plans::plans_for(s.store().conn(), customer_id, s.as_of())?
        .into_iter()
        .find(|p| p.plan_id == plan_id)
        .ok_or_else(|| {
            ServiceError::NotFound(format!("customer {customer_id} has no plan #{plan_id}"))
        })?;
    let extra = Extra {
        plan: Some(PlanInfo {
            installments: p
                .installments
                .iter()
                .map(|(d, m)| InstallmentInfo {
                    date: d.to_string(),
                    amount: m.with_currency(&currency),
                })
                .collect(),
            total: crate::domain::plan::total(&p.installments).with_currency(&currency),
        }),
        ..Extra::default()
    };
    queue_manual_message(s, customer_id, "plan_confirmation", Channel::Email, extra)
}
