//! Stage 3: bytes + response hints → [`ParsedFeed`]. Pure: no network, no disk, no clock.
//!
//! The reader is tolerant: it repairs what real servers send and records each repair as a warning
//! (feedparser's "bozo"); it fails only when no feed can be read at all.
//!
//! [`ParsedFeed`] serializes to the JSON schema printed by `gazette parse --json`.
//!
//! The way through: `encoding` turns bytes into text, `detect` picks the reader, `repair` fixes
//! character-level damage, `xml` tokenizes tolerantly (on quick-xml), `walk` reads RSS/RDF/Atom with the
//! element tables of `rss`, `rdf`, `atom` and `modules` (via `vocab`), `json` reads JSON Feed, and `date`
//! reads every date form. `text` and `warn` are shared helpers.

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod atom;
mod date;
mod detect;
mod encoding;
mod json;
mod modules;
mod rdf;
mod repair;
mod rss;
mod text;
mod vocab;
mod walk;
mod warn;
mod xml;

pub use date::parse_date;

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
    /// `lastBuildDate`, Atom `updated`, `dc:date`, else the feed's `pubDate`.
    pub updated: Option<DateTime<Utc>>,

    /// What the feed says about how often to poll it (`<ttl>`, `sy:*`, `<skipHours>`, `<skipDays>`).
    #[serde(skip)]
    pub poll_hints: PollHints,
}

/// A feed's own requests about polling. They may only make polling less frequent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PollHints {
    /// From `<ttl>` (minutes) or `sy:updatePeriod` / `sy:updateFrequency`.
    pub min_interval: Option<std::time::Duration>,
    /// UTC hours (0–23) not to poll in.
    pub skip_hours: Vec<u32>,
    /// Days not to poll on.
    pub skip_days: Vec<chrono::Weekday>,
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
    /// Last modified; equal to `published` when the feed gives no separate date (as feedparser does).
    pub updated: Option<DateTime<Utc>>,
    pub authors: Vec<Person>,
    /// Atom contributors. Not in `gazette parse --json`, whose schema is fixed.
    #[serde(skip)]
    pub contributors: Vec<Person>,
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

/// Reads a feed from `bytes`: decodes them (see [`encoding`]), picks the reader (see [`detect`]) and reads
/// tolerantly, recording every repair in [`ParsedFeed::warnings`]. Never panics, whatever the bytes.
pub fn parse(bytes: &[u8], hints: &ParseHints) -> Result<ParsedFeed, ParseError> {
    let mut warnings = warn::Warnings::default();
    let decoded = encoding::decode(bytes, hints.content_type, &mut warnings);
    let text = decoded.text.as_ref();
    let utf8 = decoded.encoding == "utf-8";
    let (format, meta, entries) = match detect::sniff(text) {
        detect::Kind::Empty => return Err(ParseError::NotAFeed("the document is empty".into())),
        detect::Kind::Html if detect::may_embed_feed(text) => {
            read_xml(text, utf8, hints, &mut warnings)?
        }
        detect::Kind::Html => {
            return Err(ParseError::Html {
                alternates: detect::html_alternates(text, hints.url),
            });
        }
        detect::Kind::Json => json::read(text, hints, &mut warnings)?,
        detect::Kind::Xml => read_xml(text, utf8, hints, &mut warnings)?,
    };
    Ok(ParsedFeed {
        format,
        encoding: decoded.encoding,
        warnings: warnings.into_vec(),
        meta,
        entries,
    })
}

/// Reads XML as it is, and only when the tokenizer meets a stray `<` pays for a repair pass and a second
/// read (most feeds never need it). `utf8`: the bytes were UTF-8 (see [`walk::read`]).
fn read_xml(
    text: &str,
    utf8: bool,
    hints: &ParseHints,
    warnings: &mut warn::Warnings,
) -> Result<(FeedFormat, FeedMeta, Vec<Entry>), ParseError> {
    let text = repair::strip_controls(std::borrow::Cow::Borrowed(text), warnings);
    let mut first = warn::Warnings::default();
    if let Some(feed) = walk::read(&text, utf8, hints, &mut first)? {
        warnings.append(first);
        return Ok(feed);
    }
    let repaired = repair::repair(&text, warnings);
    walk::read(&repaired, utf8, hints, warnings)?
        .ok_or_else(|| ParseError::NotAFeed("markup that cannot be repaired".into()))
}
