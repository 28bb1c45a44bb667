//! Where a rule that decided about an item is written in `feeds.toml`: the same line:col that
//! `check` points its mistakes at, found again in the file's source.

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;

use toml::de::{DeTable, DeValue};

use super::read::Value;
use crate::model::Rule;

/// Line and column (1-based) of `rule` in the config source `source`, if it is written there
/// (a default `max_items`, say, is not).
pub fn locate_rule(source: &str, rule: &Rule) -> Option<(usize, usize)> {
    let document = DeTable::parse(source).ok()?;
    let root = document.get_ref();
    let span = match rule {
        Rule::FeedSections { feed, section } => {
            element(find_feed(root, feed)?, "sections", section)
        }
        Rule::Category { section, category } => {
            element(find_section(root, section)?, "categories", category)
        }
        Rule::Keyword { section, pattern } => {
            element(find_section(root, section)?, "keywords", pattern)
        }
        Rule::SectionExclude { section, pattern } => {
            element(find_section(root, section)?, "exclude", pattern)
        }
        Rule::FeedInclude { feed } => key(find_feed(root, feed)?, "include"),
        Rule::FeedExclude { feed, pattern } => element(find_feed(root, feed)?, "exclude", pattern),
        Rule::FeedDisabled { feed } => key(find_feed(root, feed)?, "enabled"),
        Rule::FeedNotConfigured { .. } => None,
        Rule::MaxItems { .. } => match root.get("gazette")?.get_ref() {
            DeValue::Table(gazette) => key(gazette, "max_items"),
            _ => None,
        },
    }?;
    Some(super::line_column(source, span.start))
}

/// Where each `[[feed]]`'s url is written in a config file, read once for any number of
/// look-ups: where notes about a feed (it moved, it is gone) point. Found in the parsed file, so
/// a url quoted either way, or also named in a comment or another key, is found where the feed
/// has it.
pub struct FeedPlaces {
    path: String,
    source: String,
    /// Byte offset of each feed's url value, by every url it answers to (the first feed wins).
    offsets: HashMap<String, usize>,
}

impl FeedPlaces {
    /// The places in the config file at `path`; none when it cannot be read or parsed.
    pub fn read(path: &Path) -> FeedPlaces {
        let source = std::fs::read_to_string(path).unwrap_or_default();
        FeedPlaces::of(path, source)
    }

    /// The places in `source`, the text of the config file at `path`.
    pub fn of(path: &Path, source: String) -> FeedPlaces {
        let mut offsets = HashMap::new();
        if let Ok(document) = DeTable::parse(&source) {
            for feed in tables(document.get_ref(), "feed") {
                let Some(value) = feed.get("url") else {
                    continue;
                };
                for url in string(value).map(answers_to).unwrap_or_default() {
                    offsets.entry(url).or_insert(value.span().start);
                }
            }
        }
        FeedPlaces {
            path: path.display().to_string(),
            source,
            offsets,
        }
    }

    /// `PATH:LINE:COL` of the url of the feed `url`, if the file lists it.
    pub fn at(&self, url: &str) -> Option<String> {
        let offset = *self.offsets.get(url)?;
        let (line, column) = super::line_column(&self.source, offset);
        Some(format!("{}:{line}:{column}", self.path))
    }

    /// [`FeedPlaces::at`], else the file's path.
    pub fn at_or_file(&self, url: &str) -> String {
        self.at(url).unwrap_or_else(|| self.path.clone())
    }
}

/// The urls a feed's written `url` answers to: as the config reads it, and without the fragment
/// that is never fetched.
fn answers_to(written: &str) -> Vec<String> {
    let Ok(parsed) = url::Url::parse(written.trim()) else {
        return Vec::new();
    };
    let bare = super::without_fragment(&parsed).to_string();
    vec![parsed.to_string(), bare]
}

/// The tables of the array of tables `name` (`[[feed]]`, `[[section]]`).
fn tables<'t, 'i>(root: &'t DeTable<'i>, name: &str) -> impl Iterator<Item = &'t DeTable<'i>> {
    let items = match root.get(name).map(Value::get_ref) {
        Some(DeValue::Array(items)) => Some(items.iter()),
        _ => None,
    };
    items
        .into_iter()
        .flatten()
        .filter_map(|item| match item.get_ref() {
            DeValue::Table(table) => Some(table),
            _ => None,
        })
}

fn string<'a>(value: &'a Value<'_>) -> Option<&'a str> {
    match value.get_ref() {
        DeValue::String(text) => Some(text.as_ref()),
        _ => None,
    }
}

/// The `[[feed]]` whose `url` answers to `url`.
fn find_feed<'t, 'i>(root: &'t DeTable<'i>, url: &str) -> Option<&'t DeTable<'i>> {
    let same = |written: &str| answers_to(written).iter().any(|name| name == url);
    tables(root, "feed").find(|feed| feed.get("url").and_then(string).is_some_and(same))
}

/// The `[[section]]` whose `id` is `id`.
fn find_section<'t, 'i>(root: &'t DeTable<'i>, id: &str) -> Option<&'t DeTable<'i>> {
    tables(root, "section").find(|section| section.get("id").and_then(string) == Some(id))
}

/// Where the value of `name` is written in `table`.
fn key(table: &DeTable<'_>, name: &str) -> Option<Range<usize>> {
    table.get(name).map(Value::span)
}

/// Where the element `wanted` of the list `name` is written in `table`.
fn element(table: &DeTable<'_>, name: &str, wanted: &str) -> Option<Range<usize>> {
    let DeValue::Array(items) = table.get(name)?.get_ref() else {
        return None;
    };
    items
        .iter()
        .find(|item| string(item) == Some(wanted))
        .map(Value::span)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_feed_is_found_at_its_url_however_it_is_quoted_or_mentioned() {
        let source = r#"# https://a.example/rss moved here from "https://a.example/rss"
[gazette]
title = "https://a.example/rss"

[[feed]]
url = 'https://a.example/rss#main'

[[feed]]
url   =   "https://b.example"
"#;
        let places = FeedPlaces::of(Path::new("feeds.toml"), source.to_owned());
        assert_eq!(
            places.at("https://a.example/rss").as_deref(),
            Some("feeds.toml:6:7")
        );
        assert_eq!(
            places.at("https://a.example/rss#main").as_deref(),
            Some("feeds.toml:6:7")
        );
        assert_eq!(
            places.at("https://b.example/").as_deref(),
            Some("feeds.toml:9:11")
        );
        assert_eq!(places.at("https://c.example/"), None);
        assert_eq!(places.at_or_file("https://c.example/"), "feeds.toml");
        let broken = FeedPlaces::of(Path::new("feeds.toml"), "[[feed]\nurl = ".to_owned());
        assert_eq!(broken.at("https://a.example/rss"), None);
    }

    #[test]
    fn rules_are_found_where_they_are_written() {
        let source = r#"[gazette]
max_items = 3

[[section]]
id = "bio"
title = "바이오"
keywords = ["제약", "바이오"]
exclude = ["re:^광고"]

[[feed]]
url = "https://a.example/rss"
sections = ["bio"]
enabled = false
"#;
        let keyword = Rule::Keyword {
            section: "bio".into(),
            pattern: "바이오".into(),
        };
        assert_eq!(locate_rule(source, &keyword), Some((7, 19)));
        let exclude = Rule::SectionExclude {
            section: "bio".into(),
            pattern: "re:^광고".into(),
        };
        assert_eq!(locate_rule(source, &exclude), Some((8, 12)));
        let listed = Rule::FeedSections {
            feed: "https://a.example/rss".into(),
            section: "bio".into(),
        };
        assert_eq!(locate_rule(source, &listed), Some((12, 13)));
        let disabled = Rule::FeedDisabled {
            feed: "https://a.example/rss".into(),
        };
        assert_eq!(locate_rule(source, &disabled), Some((13, 11)));
        assert_eq!(
            locate_rule(source, &Rule::MaxItems { limit: 3 }),
            Some((2, 13))
        );
        let places = FeedPlaces::of(Path::new("f.toml"), source.to_owned());
        assert_eq!(
            places.at("https://a.example/rss").as_deref(),
            Some("f.toml:11:7")
        );
        let gone = Rule::FeedNotConfigured {
            feed: "https://b.example/rss".into(),
        };
        assert_eq!(locate_rule(source, &gone), None);
    }
}
