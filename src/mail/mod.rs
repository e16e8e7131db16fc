//! Customer messages: templates and their rendering (the daily run fills the outbox in
//! the same transaction as the step), queueing messages by hand, and delivery through
//! transports — `.eml` files or SMTP for email, a shop command for SMS, PDF for
//! letters — with the safety rules of `docs/MAIL.md`.

pub mod channels;
pub mod checks;
pub mod compose;
pub mod file;
pub mod letter;
pub mod manage;
pub mod message;
pub mod pdf;
pub mod send;
pub mod sms;
pub mod smtp;
pub mod templates;
pub mod transport;

pub use channels::Transports;
pub use templates::{MessageContext, Rendered, TemplateError, Templates};
