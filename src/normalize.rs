//! Stage 4: [`ParsedFeed`] + [`FeedConfig`] → [`Item`]s ready to store. Pure.
//!
//! This is where items get their stable ids, absolute URLs, UTC dates, plain-text titles, summaries of
//! at most [`SUMMARY_CHARS`] characters, and where the feed's content policy is applied.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::config::FeedConfig;
use crate::parse::ParsedFeed;

/// Longest summary, in characters, before it is cut at a word boundary with "…".
pub const SUMMARY_CHARS: usize = 300;

/// One item as gazette keeps and republishes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    /// guid / atom:id, else the link, else a hash of title + date: unique within its feed.
    pub id: String,
    /// Plain text.
    pub title: String,
    /// Absolute URL of the original.
    pub link: Option<String>,
    /// Plain text, at most [`SUMMARY_CHARS`] characters (`None` under `content = "title"`).
    pub summary: Option<String>,
    /// Sanitized HTML, only under `content = "full"`.
    pub content_html: Option<String>,
    pub authors: Vec<String>,
    pub categories: Vec<String>,
    pub published: Option<DateTime<Utc>>,
    pub updated: Option<DateTime<Utc>>,
}

/// What normalizing one feed gives.
#[derive(Debug, Clone, PartialEq)]
pub struct Normalized {
    /// The feed's own title (plain text), if it has one.
    pub feed_title: Option<String>,
    /// The feed's site link.
    pub site_link: Option<String>,
    pub items: Vec<Item>,
}

/// Normalizes a parsed feed fetched for `feed`.
pub fn normalize(_parsed: &ParsedFeed, _feed: &FeedConfig, _now: DateTime<Utc>) -> Normalized {
    unimplemented!()
}
