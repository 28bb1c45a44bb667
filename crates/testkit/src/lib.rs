//! What gazette's integration tests and benches share, and that needs nothing of gazette itself:
//!
//! - [`farm`]: a local HTTP server serving feeds a test can change between requests;
//! - [`feeds`]: the RSS and Atom documents it serves ([`TestItem`], [`rss`], [`atom`]);
//! - [`FeedsToml`]: `feeds.toml` text with the test defaults (`allow_private = true`);
//! - [`one_feed`]: the farm serving one feed of one item, and a config polling it;
//! - [`text`]: Korean-looking headlines from a seed, for benches and bulk tests;
//! - [`timing`]: best-of interleaved passes, for the ratios the benches print.
//!
//! What needs the `gazette` binary or its types (`Workdir`, the merge fixture, the SMTP sink) is
//! in `tests/support`; the stored-item builder is
//! `StoredItem::sample` in `gazette::model` (compiled for tests and benches only).

mod config;
pub mod farm;
pub mod feeds;
pub mod postgres;
pub mod text;
pub mod timing;

pub use config::FeedsToml;
pub use farm::{Farm, Route};
pub use feeds::{TestItem, atom, rss};

/// The path [`one_feed`] serves its feed at.
pub const ONE_FEED: &str = "/a.xml";

/// The one-feed setup: `farm` serves, at [`ONE_FEED`], an RSS feed of one item titled `title`;
/// the returned config (with the test defaults) polls it. Add `[gazette]` keys with
/// [`FeedsToml::set`], keys of the feed with [`FeedsToml::with`].
pub fn one_feed(farm: &Farm, title: &str) -> FeedsToml {
    let item = TestItem::new("a1", title, "2026-01-11T07:35:00Z");
    farm.set(ONE_FEED, Route::rss(rss("중도일보", &[item])));
    FeedsToml::new().feed(&farm.url(ONE_FEED), &[])
}
