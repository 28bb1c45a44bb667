//! Stage 6: stored items + [`Config`] → [`Edition`], the sections as they will be published. Pure.

use chrono::{DateTime, Utc};

use crate::config::{ALL_SECTION, Config, FeedConfig};
use crate::normalize::Item;

/// An item with where it came from, as read back from the store.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredItem {
    pub item: Item,
    pub source: Source,
    /// When gazette first saw the item: its date when the feed gives none.
    pub first_seen: DateTime<Utc>,
}

/// The feed an item came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    /// The feed's URL as configured: with the item id, the item's identity.
    pub feed_url: String,
    /// The configured name, else the feed's own title, else its host.
    pub name: String,
    /// The feed's site link, if it gave one.
    pub site_link: Option<String>,
}

impl StoredItem {
    /// The date the item is sorted and published by: its own, else when we first saw it.
    pub fn date(&self) -> DateTime<Utc> {
        self.item
            .published
            .or(self.item.updated)
            .unwrap_or(self.first_seen)
    }
}

/// Everything one publish writes.
#[derive(Debug, Clone, PartialEq)]
pub struct Edition {
    pub generated: DateTime<Utc>,
    /// `all` first, then the configured sections in config order.
    pub sections: Vec<SectionEdition>,
}

/// One section's items, newest first.
#[derive(Debug, Clone, PartialEq)]
pub struct SectionEdition {
    pub id: String,
    pub title: String,
    pub items: Vec<StoredItem>,
}

/// Builds the edition: each section holds the items of the feeds that list it, `all` those of
/// every enabled feed, newest first, at most `max_items` each. Items of feeds no longer configured
/// (or disabled) are left out.
pub fn merge(config: &Config, items: Vec<StoredItem>, now: DateTime<Utc>) -> Edition {
    let mut kept: Vec<(StoredItem, &FeedConfig)> = items
        .into_iter()
        .filter_map(|mut stored| {
            let feed = config
                .feeds
                .iter()
                .find(|feed| feed.enabled && feed.url.as_str() == stored.source.feed_url)?;
            stored.source.name = source_name(feed, &stored.source.name);
            Some((stored, feed))
        })
        .collect();
    kept.sort_by(|(a, _), (b, _)| b.date().cmp(&a.date()).then_with(|| a.key().cmp(&b.key())));

    let max = config.gazette.max_items;
    let all = SectionEdition {
        id: ALL_SECTION.to_owned(),
        title: all_title(&config.gazette.language).to_owned(),
        items: kept
            .iter()
            .take(max)
            .map(|(item, _)| item.clone())
            .collect(),
    };
    let sections = config.sections.iter().map(|section| SectionEdition {
        id: section.id.clone(),
        title: section.title.clone(),
        items: kept
            .iter()
            .filter(|(_, feed)| feed.sections.contains(&section.id))
            .take(max)
            .map(|(item, _)| item.clone())
            .collect(),
    });
    Edition {
        generated: now,
        sections: std::iter::once(all).chain(sections).collect(),
    }
}

/// The configured name, else the feed's own title, else its host.
fn source_name(feed: &FeedConfig, feed_title: &str) -> String {
    feed.name
        .clone()
        .or_else(|| (!feed_title.trim().is_empty()).then(|| feed_title.trim().to_owned()))
        .or_else(|| feed.url.host_str().map(str::to_owned))
        .unwrap_or_else(|| feed.url.to_string())
}

/// Title of the everything section in the configured language.
fn all_title(language: &str) -> &'static str {
    if language.starts_with("ko") {
        "전체"
    } else {
        "All"
    }
}

impl StoredItem {
    /// A stable key for the item across cycles and restarts: a hash of its feed URL and id.
    pub fn key(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut hasher = Sha256::new();
        hasher.update(self.source.feed_url.as_bytes());
        hasher.update(b"\n");
        hasher.update(self.item.id.as_bytes());
        hex::encode(&hasher.finalize()[..16])
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    const CONFIG: &str = r#"
[gazette]
max_items = 2

[[section]]
id = "politics"
title = "정치/행정"

[[section]]
id = "economy"
title = "경제"

[[feed]]
url = "https://a.example/rss"
name = "중도일보"
sections = ["politics"]

[[feed]]
url = "https://b.example/rss"
sections = ["politics", "economy"]

[[feed]]
url = "https://off.example/rss"
sections = ["economy"]
enabled = false
"#;

    fn stored(feed_url: &str, id: &str, hour: u32, dated: bool) -> StoredItem {
        let date: DateTime<Utc> = format!("2026-01-11T{hour:02}:00:00Z").parse().unwrap();
        StoredItem {
            item: Item {
                id: id.into(),
                title: id.into(),
                link: None,
                summary: None,
                content_html: None,
                authors: vec![],
                categories: vec![],
                published: dated.then_some(date),
                updated: None,
            },
            source: Source {
                feed_url: feed_url.into(),
                name: "Feed title".into(),
                site_link: None,
            },
            first_seen: date,
        }
    }

    fn ids(section: &SectionEdition) -> Vec<&str> {
        section.items.iter().map(|s| s.item.id.as_str()).collect()
    }

    #[test]
    fn sections_hold_their_feeds_newest_first() {
        let config = Config::parse(CONFIG, Path::new("feeds.toml")).unwrap();
        let items = vec![
            stored("https://a.example/rss", "a-old", 1, true),
            stored("https://b.example/rss", "b-new", 9, true),
            stored("https://a.example/rss", "a-undated", 5, false),
            stored("https://off.example/rss", "off", 10, true),
            stored("https://gone.example/rss", "gone", 11, true),
        ];
        let now = "2026-01-11T12:00:00Z".parse().unwrap();
        let edition = merge(&config, items, now);
        let titles: Vec<_> = edition.sections.iter().map(|s| s.title.as_str()).collect();
        assert_eq!(titles, ["전체", "정치/행정", "경제"]);
        assert_eq!(edition.sections[0].id, ALL_SECTION);
        assert_eq!(
            ids(&edition.sections[0]),
            ["b-new", "a-undated"],
            "max_items"
        );
        assert_eq!(ids(&edition.sections[1]), ["b-new", "a-undated"]);
        assert_eq!(
            ids(&edition.sections[2]),
            ["b-new"],
            "disabled feeds are left out"
        );
        let names: Vec<_> = edition.sections[1]
            .items
            .iter()
            .map(|s| s.source.name.as_str())
            .collect();
        assert_eq!(names, ["Feed title", "중도일보"], "configured name wins");
    }

    #[test]
    fn source_name_falls_back_to_the_host() {
        let config = Config::parse(CONFIG, Path::new("feeds.toml")).unwrap();
        assert_eq!(source_name(&config.feeds[1], "  "), "b.example");
        assert_eq!(all_title("en"), "All");
    }
}
