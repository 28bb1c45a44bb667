//! What the templates see: the edition reduced to display strings (times in the configured zone,
//! source counts, links checked). Templates escape every string; the only HTML passed through is
//! content that a feed allows republishing, which normalizing sanitized when the item was read
//! (`normalize::sanitize_html` is the one way HTML gets into an item).

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::model::Labels;

use crate::model::{Coverage, Edition, StoredItem};
use crate::text::WebUrl;

/// One story as a page shows it.
#[derive(Debug, Serialize)]
pub struct Story {
    pub title: String,
    pub link: Option<String>,
    pub summary: Option<String>,
    /// Sanitized HTML, only from feeds with `content = "full"`.
    pub content_html: Option<String>,
    pub image: Option<String>,
    pub source: String,
    /// RFC 3339, for `<time datetime>`.
    pub datetime: String,
    /// "14:05" in the configured zone.
    pub time: String,
    /// "2026.11.02 14:05" in the configured zone.
    pub date_time: String,
    /// "3개 매체" when more than one outlet reported it.
    pub outlets: Option<String>,
    pub related: Vec<Related>,
}

#[derive(Debug, Serialize)]
pub struct Related {
    pub source: String,
    pub title: String,
    pub link: Option<String>,
}

/// A titled list of stories.
#[derive(Debug, Serialize)]
pub struct List {
    pub title: String,
    pub stories: Vec<Story>,
}

/// A link to one published feed, for `<link rel="alternate">` and the feed list.
#[derive(Debug, Serialize)]
pub struct Alternate {
    pub title: String,
    pub href: String,
    pub mime: &'static str,
}

/// A navigation entry.
#[derive(Debug, Serialize)]
pub struct NavLink {
    pub id: String,
    pub title: String,
    pub current: bool,
}

/// Turns stored items into [`Story`]s for one edition.
pub struct Presenter<'e> {
    pub edition: &'e Edition,
    pub labels: &'static Labels,
    pub timezone: Tz,
}

impl Presenter<'_> {
    pub fn story(&self, stored: &StoredItem) -> Story {
        let item = &stored.item;
        let date = stored.date();
        let local = date.with_timezone(&self.timezone);
        let coverage: Option<&Coverage> = self.edition.coverage.get(&stored.key());
        Story {
            title: item.title.clone(),
            link: item.link.as_deref().and_then(web_url),
            summary: item.summary.clone(),
            content_html: item.content_html.clone(),
            image: item.image.as_deref().and_then(web_url),
            source: stored.source.name.clone(),
            datetime: rfc3339(date),
            time: local.format("%H:%M").to_string(),
            date_time: local.format("%Y.%m.%d %H:%M").to_string(),
            outlets: coverage
                .filter(|coverage| coverage.outlets > 1)
                .map(|coverage| self.labels.sources(coverage.outlets)),
            related: coverage
                .map(|coverage| {
                    coverage
                        .other_outlets()
                        .map(|other| Related {
                            source: other.source.clone(),
                            title: other.title.clone(),
                            link: other.link.as_deref().and_then(web_url),
                        })
                        .collect()
                })
                .unwrap_or_default(),
        }
    }

    pub fn list(&self, title: &str, items: &[StoredItem], count: usize) -> List {
        List {
            title: title.to_owned(),
            stories: items
                .iter()
                .take(count)
                .map(|item| self.story(item))
                .collect(),
        }
    }
}

/// `link` if it is an absolute http(s) URL: a page must never link `javascript:` or `data:`.
fn web_url(link: &str) -> Option<String> {
    WebUrl::parse(link).ok().map(String::from)
}

fn rfc3339(date: DateTime<Utc>) -> String {
    date.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
