//! The small text forms, one type each with its fields by name: a promise, a note, a
//! callback, finishing an item, a credit hold and its release.

use chrono::NaiveDate;

use super::super::widgets::field::Field;
use super::text::{self, Head, TextForm};
use super::{Outcome, Request};
use crate::domain::Money;

/// A promise to pay: how much, by when, and a note.
pub struct PromiseForm {
    customer: String,
    head: Head,
    pub amount: Field,
    pub date: Field,
    pub note: Field,
}

impl PromiseForm {
    /// `replaces`: what is said of the account's open promise, which this one replaces.
    pub fn new(
        customer: &str,
        name: &str,
        collectible: Money,
        replaces: Option<String>,
    ) -> PromiseForm {
        PromiseForm {
            customer: customer.into(),
            head: Head::new(format!("promise to pay · {customer} {name}"), replaces),
            amount: Field::new("Amount", &collectible.grouped(), false, ""),
            date: Field::new("Date", "+7", false, "YYYY-MM-DD, +7, fri"),
            note: Field::new("Note", "", true, ""),
        }
    }
}

impl TextForm for PromiseForm {
    fn head(&self) -> &Head {
        &self.head
    }

    fn parts(&mut self) -> (&mut Head, Vec<&mut Field>) {
        (
            &mut self.head,
            vec![&mut self.amount, &mut self.date, &mut self.note],
        )
    }

    fn fields(&self) -> Vec<&Field> {
        vec![&self.amount, &self.date, &self.note]
    }

    fn submit(&mut self, as_of: NaiveDate) -> Outcome {
        let amount = text::amount(&mut self.amount);
        let date = text::future_date(&mut self.date, as_of);
        let (Some(amount), Some(date)) = (amount, date) else {
            return Outcome::Keep;
        };
        Outcome::Submit(Request::Promise {
            customer: self.customer.clone(),
            amount,
            date,
            note: self.note.text(),
        })
    }
}

/// A note on the account.
pub struct NoteForm {
    customer: String,
    head: Head,
    pub note: Field,
}

impl NoteForm {
    pub fn new(customer: &str, name: &str) -> NoteForm {
        NoteForm {
            customer: customer.into(),
            head: Head::new(format!("note · {customer} {name}"), None),
            note: Field::new("Note", "", true, "alt-⏎ new line"),
        }
    }
}

impl TextForm for NoteForm {
    fn head(&self) -> &Head {
        &self.head
    }

    fn parts(&mut self) -> (&mut Head, Vec<&mut Field>) {
        (&mut self.head, vec![&mut self.note])
    }

    fn fields(&self) -> Vec<&Field> {
        vec![&self.note]
    }

    fn submit(&mut self, _as_of: NaiveDate) -> Outcome {
        let text = self.note.text();
        if text.is_empty() {
            self.note.error = Some("write something, or esc to cancel".into());
            return Outcome::Keep;
        }
        Outcome::Submit(Request::Note {
            customer: self.customer.clone(),
            text,
        })
    }
}

/// A callback: the day to call again, and why.
pub struct CallbackForm {
    customer: String,
    head: Head,
    pub date: Field,
    pub note: Field,
}

impl CallbackForm {
    pub fn new(customer: &str, name: &str) -> CallbackForm {
        CallbackForm {
            customer: customer.into(),
            head: Head::new(format!("callback · {customer} {name}"), None),
            date: Field::new("Date", "+1", false, "YYYY-MM-DD, +2, mon"),
            note: Field::new("Note", "", true, ""),
        }
    }
}

impl TextForm for CallbackForm {
    fn head(&self) -> &Head {
        &self.head
    }

    fn parts(&mut self) -> (&mut Head, Vec<&mut Field>) {
        (&mut self.head, vec![&mut self.date, &mut self.note])
    }

    fn fields(&self) -> Vec<&Field> {
        vec![&self.date, &self.note]
    }

    fn submit(&mut self, as_of: NaiveDate) -> Outcome {
        let Some(date) = text::future_date(&mut self.date, as_of) else {
            return Outcome::Keep;
        };
        Outcome::Submit(Request::Callback {
            customer: self.customer.clone(),
            date,
            note: self.note.text(),
        })
    }
}

/// Marking a queue item done, with an optional note.
pub struct FinishForm {
    item: i64,
    head: Head,
    pub note: Field,
}

impl FinishForm {
    pub fn new(item: i64, customer: &str, name: &str, what: &str) -> FinishForm {
        FinishForm {
            item,
            head: Head::new(
                format!("finish item #{item} · {customer} {name}"),
                Some(format!("Mark #{item} done: {what}")),
            ),
            note: Field::new("Note", "", true, "optional"),
        }
    }
}

impl TextForm for FinishForm {
    fn head(&self) -> &Head {
        &self.head
    }

    fn parts(&mut self) -> (&mut Head, Vec<&mut Field>) {
        (&mut self.head, vec![&mut self.note])
    }

    fn fields(&self) -> Vec<&Field> {
        vec![&self.note]
    }

    fn submit(&mut self, _as_of: NaiveDate) -> Outcome {
        Outcome::Submit(Request::Finish {
            item: self.item,
            note: self.note.text(),
        })
    }
}

/// Putting an account on credit hold.
pub struct HoldForm {
    customer: String,
    head: Head,
    pub reason: Field,
}

impl HoldForm {
    pub fn new(customer: &str, name: &str) -> HoldForm {
        HoldForm {
            customer: customer.into(),
            head: Head::new(
                "credit hold".into(),
                Some(format!(
                    "Put {customer} {name} on credit hold? Orders will be held."
                )),
            ),
            reason: Field::new("Reason", "", false, "optional: else \"set by hand\""),
        }
    }
}

impl TextForm for HoldForm {
    fn head(&self) -> &Head {
        &self.head
    }

    fn parts(&mut self) -> (&mut Head, Vec<&mut Field>) {
        (&mut self.head, vec![&mut self.reason])
    }

    fn fields(&self) -> Vec<&Field> {
        vec![&self.reason]
    }

    fn submit(&mut self, _as_of: NaiveDate) -> Outcome {
        Outcome::Submit(Request::Hold {
            customer: self.customer.clone(),
            reason: self.reason.text(),
        })
    }
}

/// Releasing a credit hold (supervisors).
pub struct ReleaseForm {
    customer: String,
    head: Head,
    pub note: Field,
}

impl ReleaseForm {
    pub fn new(customer: &str, name: &str) -> ReleaseForm {
        ReleaseForm {
            customer: customer.into(),
            head: Head::new(
                "release credit hold".into(),
                Some(format!("Release the credit hold on {customer} {name}?")),
            ),
            note: Field::new("Note", "", false, "optional"),
        }
    }
}

impl TextForm for ReleaseForm {
    fn head(&self) -> &Head {
        &self.head
    }

    fn parts(&mut self) -> (&mut Head, Vec<&mut Field>) {
        (&mut self.head, vec![&mut self.note])
    }

    fn fields(&self) -> Vec<&Field> {
        vec![&self.note]
    }

    fn submit(&mut self, _as_of: NaiveDate) -> Outcome {
        Outcome::Submit(Request::Release {
            customer: self.customer.clone(),
            note: self.note.text(),
        })
    }
}
