//! gazette: a feed aggregator and republisher.
//!
//! The crate is a pipeline, one module per stage, data flowing one way:
//!
//! ```text
//! config → fetch → parse → normalize → store → merge → render → publish → serve
//! ```
//!
//! over a bottom layer every stage may use ([`model`], [`layout`]) and under [`daemon`]; what each
//! module may import is the layer table of `ARCHITECTURE.md`, which `tests/layers.rs` checks.
//!
//! `parse`, `normalize`, `merge` and `render` are pure (no I/O, no clock: `now` is passed in).
//! I/O lives at the edges, each owned by one type: [`fetch::Fetcher`], [`store::Store`],
//! [`publish::Publisher`] and the HTTP server in [`serve`]. [`daemon`] is the only module that knows about time and scheduling.

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod cli;
pub mod config;
pub mod control_chars;
pub mod daemon;
pub mod digest;
pub mod fetch;
pub mod fulltext;
pub mod layout;
pub mod merge;
pub mod model;
pub mod normalize;
pub mod opml;
pub(crate) mod parallel;
pub mod publish;
pub mod render;
pub mod scrape;
pub mod serve;
pub mod store;
pub mod tracking;

/// Stage 3, the feed reader: its own crate, so that the compiler checks it imports nothing else of gazette.
pub use gazette_parse as parse;
/// The text toolkit of the bottom layer: entity references, HTML → text, escaping, web URLs.
pub use gazette_text as text;
