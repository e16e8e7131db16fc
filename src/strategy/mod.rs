//! Collection strategies: the file format and its validation, which strategy a
//! customer follows, the engine that decides each day's steps, and the priority
//! score. Pure: no SQL, no clock, no I/O.

pub mod book;
mod decision;
pub mod engine;
mod facts;
pub mod model;
pub mod parse;
pub mod priority;

pub use book::StrategyBook;
pub use model::{
    Action, Assignee, EndAction, EndRule, Fallback, Mode, PriorityWeights, Release, Step, Strategy,
};
pub use parse::{MAX_FILE_BYTES, parse_strategy};
