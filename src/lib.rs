//! arq: a terminal workqueue for accounts-receivable collections.
//!
//! Layers (see `docs/ARCHITECTURE.md`): `domain` and `strategy` are pure; `store` owns
//! SQL; `service` holds the use cases and role checks; `import`, `mail` and `report`
//! sit beside the services; `cli` only calls services.

pub mod assets;
pub mod behaviour;
pub mod cli;
pub mod config;
pub mod demo;
pub mod diag;
pub mod display;
pub mod domain;
pub(crate) mod fasthash;
pub mod files;
pub mod import;
pub mod mail;
pub mod metrics;
pub mod paths;
pub mod progress;
pub mod report;
pub mod service;
pub mod store;
pub mod strategy;
pub mod tui;
pub mod whatif;
