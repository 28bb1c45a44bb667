//! Stage 3: bytes + response hints → [`ParsedFeed`]. Pure: no network, no disk, no clock.
//!
//! The reader is tolerant: it repairs what real servers send and records each repair as a warning
//! (feedparser's "bozo"); it fails only when no feed can be read at all.
//!
//! [`ParsedFeed`] serializes to the JSON schema printed by `gazette parse --json`.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use url::Url;

/// What the HTTP response (or the user) told us about the bytes.
#[derive(Debug, Clone)]
pub struct ParseHints<'a> {
    /// The `Content-Type` header, e.g. `application/rss+xml; charset=euc-kr`.
    pub content_type: Option<&'a str>,
    /// Where the bytes came from: the base for relative URLs.
    pub url: Option<&'a Url>,
    /// Zone for dates written without one.
    pub timezone: Tz,
}

/// A feed as read, before our own normalization.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParsedFeed {
    pub format: FeedFormat,
    /// The encoding the bytes were decoded with, e.g. "utf-8", "euc-kr".
    pub encoding: String,
    /// Each repair made while reading.
    pub warnings: Vec<String>,
    #[serde(rename = "feed")]
    pub meta: FeedMeta,
    pub entries: Vec<Entry>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum FeedFormat {
    #[serde(rename = "rss0.9x")]
    Rss09x,
    #[serde(rename = "rss1.0")]
    Rss10,
    #[serde(rename = "rss2.0")]
    Rss20,
    #[serde(rename = "atom0.3")]
    Atom03,
    #[serde(rename = "atom1.0")]
    Atom10,
    #[serde(rename = "json1.0")]
    Json10,
    #[serde(rename = "json1.1")]
    Json11,
}

/// Feed-level fields.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FeedMeta {
    /// Plain text.
    pub title: Option<String>,
    /// Absolute URL of the site.
    pub link: Option<String>,
    /// HTML.
    pub description: Option<String>,
    pub language: Option<String>,
    pub updated: Option<DateTime<Utc>>,
}

/// One item (RSS) or entry (Atom, JSON Feed).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Entry {
    /// guid / atom:id / JSON `id`, as written.
    pub id: Option<String>,
    /// Plain text.
    pub title: Option<String>,
    /// Absolute URL of the original.
    pub link: Option<String>,
    /// HTML (unsanitized; a plain-text construct is escaped into HTML).
    pub summary: Option<String>,
    /// HTML (unsanitized).
    pub content: Option<String>,
    pub published: Option<DateTime<Utc>>,
    pub updated: Option<DateTime<Utc>>,
    pub authors: Vec<Person>,
    pub categories: Vec<String>,
    pub enclosures: Vec<Enclosure>,
    /// Base for relative URLs inside `summary` and `content` (xml:base, else the feed URL).
    #[serde(skip)]
    pub base: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Person {
    pub name: Option<String>,
    pub email: Option<String>,
    pub uri: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Enclosure {
    pub url: String,
    #[serde(rename = "type")]
    pub mime_type: Option<String>,
    pub length: Option<u64>,
}

/// Why no feed could be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ParseError {
    /// An HTML page; `alternates` are the feed URLs its `<link rel="alternate">` tags name.
    #[error("not a feed: this is an HTML page{}", alternates_suffix(.alternates))]
    Html { alternates: Vec<String> },
    #[error("not a feed: {0}")]
    NotAFeed(String),
}

fn alternates_suffix(alternates: &[String]) -> String {
    if alternates.is_empty() {
        String::new()
    } else {
        format!(" (its feeds: {})", alternates.join(", "))
    }
}

/// Reads a feed from `bytes`.
pub fn parse(_bytes: &[u8], _hints: &ParseHints) -> Result<ParsedFeed, ParseError> {
    Err(ParseError::NotAFeed("parser not written yet".into()))
}
