//! Pieces the screens are built from.

pub mod field;
pub mod filter;
pub mod flow;
pub mod list;
pub mod timeline;
