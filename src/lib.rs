//! gazette: a feed aggregator and republisher.
//!
//! The crate is a pipeline, one module per stage, data flowing one way:
//!
//! ```text
//! config → fetch → parse → normalize → store → merge → publish → serve
//! ```
//!
//! `parse`, `normalize` and `merge` are pure (no I/O, no clock: `now` is passed in). I/O lives at the
//! edges, each owned by one type: [`fetch::Fetcher`], [`store::Store`], [`publish::Publisher`] and the
//! HTTP server in [`serve`]. [`daemon`] is the only module that knows about time and scheduling.

pub mod cli;
pub mod config;
pub mod control_chars;
pub mod daemon;
pub mod digest;
pub mod fetch;
pub mod merge;
pub mod metrics;
pub mod normalize;
pub mod opml;
pub(crate) mod parallel;
pub mod parse;
pub mod publish;
pub mod reload;
pub mod serve;
pub mod site;
pub mod store;
pub mod websub;
