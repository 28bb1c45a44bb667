//! One section or block as a JSON Feed 1.1 document (<https://jsonfeed.org/version/1.1>).
//!
//! Where a story was reported by several outlets, the item carries them in a `_gazette`
//! extension object (the spec's way to extend items): readers that do not know it ignore it.

use std::error::Error;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use super::{FeedMeta, ItemMeta};

const VERSION: &str = "https://jsonfeed.org/version/1.1";

#[derive(Serialize)]
struct Feed<'a> {
    version: &'static str,
    title: &'a str,
    home_page_url: &'a str,
    feed_url: &'a str,
    language: &'a str,
    authors: [Author<'a>; 1],
    items: Vec<Item<'a>>,
}

#[derive(Serialize)]
struct Author<'a> {
    name: &'a str,
}

#[derive(Serialize)]
struct Item<'a> {
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
    title: &'a str,
    /// The spec wants `content_html` or `content_text`: the sanitized HTML where the feed allows
    /// republishing it, else the summary (or the title, for title-only feeds).
    #[serde(skip_serializing_if = "Option::is_none")]
    content_html: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    content_text: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<&'a str>,
    date_published: String,
    date_modified: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    authors: Vec<Author<'a>>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    tags: &'a [String],
    _gazette: Extension<'a>,
}

/// Where the item comes from and who else reported it.
#[derive(Serialize)]
struct Extension<'a> {
    source: Source<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    outlets: Option<usize>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related: Vec<Related<'a>>,
}

#[derive(Serialize)]
struct Source<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    feed_url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    home_page_url: Option<&'a str>,
}

#[derive(Serialize)]
struct Related<'a> {
    source: &'a str,
    title: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
}

/// The JSON Feed document of `feed`, served at `self_url`.
pub(super) fn render(
    feed: &FeedMeta,
    self_url: &str,
) -> Result<Vec<u8>, Box<dyn Error + Send + Sync>> {
    let document = Feed {
        version: VERSION,
        title: &feed.title,
        home_page_url: feed.site_url,
        feed_url: self_url,
        language: &feed.language,
        authors: [Author {
            name: &feed.publisher,
        }],
        items: feed.items.iter().map(item).collect(),
    };
    let mut bytes = serde_json::to_vec_pretty(&document)?;
    bytes.push(b'\n');
    Ok(bytes)
}

fn item(item: &ItemMeta) -> Item<'_> {
    let text = item.summary.as_deref().unwrap_or(&item.title);
    Item {
        id: &item.id,
        url: item.link.as_deref(),
        title: &item.title,
        content_html: item.content_html.as_deref(),
        content_text: item.content_html.is_none().then_some(text),
        summary: item.summary.as_deref(),
        image: item.image.as_deref(),
        date_published: rfc3339(item.published),
        date_modified: rfc3339(item.updated),
        authors: item.authors.iter().map(|name| Author { name }).collect(),
        tags: &item.categories,
        _gazette: Extension {
            source: Source {
                name: &item.source.name,
                feed_url: item.source.feed_url.as_deref(),
                home_page_url: item.source.site_link.as_deref(),
            },
            outlets: item.coverage.as_ref().map(|coverage| coverage.outlets),
            related: item
                .coverage
                .iter()
                .flat_map(|coverage| &coverage.others)
                .map(|other| Related {
                    source: &other.source,
                    title: &other.title,
                    url: other.link.as_deref(),
                })
                .collect(),
        },
    }
}

fn rfc3339(date: DateTime<Utc>) -> String {
    date.to_rfc3339_opts(SecondsFormat::Secs, true)
}
