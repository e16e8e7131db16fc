//! Customer messages: templates and their rendering (used by the daily run to fill
//! the outbox in the same transaction as the step).

pub mod templates;

pub use templates::{MessageContext, Rendered, TemplateError, Templates};
