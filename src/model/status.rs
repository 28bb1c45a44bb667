//! What the status pages show: written by the daemon, read by the server.

use chrono::{DateTime, Utc};
use serde::Serialize;

/// One cycle, as `/status` shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CycleSummary {
    pub finished: DateTime<Utc>,
    pub duration_seconds: f64,
    pub feeds: usize,
    pub failed: usize,
    pub new_items: usize,
}

/// How many items one published section holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SectionCount {
    pub id: String,
    pub title: String,
    pub items: usize,
}

/// What an admin needs to see of one feed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeedHealth {
    pub url: String,
    pub name: Option<String>,
    pub enabled: bool,
    pub last_status: Option<u16>,
    pub last_attempt: Option<DateTime<Utc>>,
    pub last_success: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    /// Failed polls in a row.
    pub failures: u32,
    /// `None` when never polled or disabled.
    pub next_poll: Option<DateTime<Utc>>,
    pub items: u64,
    /// Where the feed moved for good (a permanent redirect seen on several polls in a row).
    pub moved_to: Option<String>,
    /// Answered 410 Gone: not polled until its config entry changes.
    pub gone: bool,
    /// The last poll failed because the feed's scrape rules found nothing on its page.
    pub scrape_empty: bool,
    /// No new item for longer than three times its usual gap.
    pub silent: bool,
    /// The last body read had items dated further ahead than gazette trusts.
    pub future_dates: bool,
    /// How its article pages went, for a `full_text` feed.
    pub full_text: Option<FullTextHealth>,
}

/// How a `full_text` feed's article pages went.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FullTextHealth {
    /// Items whose article text is published.
    pub extracted: u64,
    /// Items left with their teaser: fetching or reading their page failed.
    pub failed: u64,
    /// Items whose page waits for a later cycle (the per-cycle cap) or a `refetch`.
    pub pending: u64,
    /// The latest failures, newest first (at most [`FullTextHealth::FAILURES_SHOWN`]).
    pub failures: Vec<ArticleFailure>,
}

impl FullTextHealth {
    /// Most failures listed: enough to see what goes wrong, few enough to read.
    pub const FAILURES_SHOWN: usize = 10;
}

/// One item whose article page gave no text: it keeps its teaser.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArticleFailure {
    /// The article's link (the item's id when it has none).
    pub link: String,
    /// Why: `HTTP 404`, `timed out`, `nothing extracted`…
    pub error: String,
    pub at: Option<DateTime<Utc>>,
}
