//! Where a rule that decided about an item is written in `feeds.toml`: the same line:col that
//! `check` points its mistakes at, found again in the file's source.

use std::ops::Range;

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

/// Line and column (1-based) of the `url` of the `[[feed]]` whose URL is `url`: where a note
/// about the feed (it moved, it is gone) points. Found in the parsed file, so a URL quoted
/// either way, or also named in a comment or another key, is found where the feed has it.
pub fn locate_url(source: &str, url: &str) -> Option<(usize, usize)> {
    let document = DeTable::parse(source).ok()?;
    let span = key(find_feed(document.get_ref(), url)?, "url")?;
    Some(super::line_column(source, span.start))
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

/// The `[[feed]]` whose `url` is `url` (compared as the config reads it, with or without the
/// fragment that is never fetched).
fn find_feed<'t, 'i>(root: &'t DeTable<'i>, url: &str) -> Option<&'t DeTable<'i>> {
    let same = |written: &str| {
        url::Url::parse(written.trim()).is_ok_and(|parsed| {
            parsed.as_str() == url || super::without_fragment(&parsed).as_str() == url
        })
    };
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
        assert_eq!(locate_url(source, "https://a.example/rss"), Some((6, 7)));
        assert_eq!(locate_url(source, "https://b.example/"), Some((9, 11)));
        assert_eq!(locate_url(source, "https://c.example/"), None);
        assert_eq!(locate_url("[[feed]\nurl = ", "https://a.example/rss"), None);
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
        assert_eq!(locate_url(source, "https://a.example/rss"), Some((11, 7)));
        let gone = Rule::FeedNotConfigured {
            feed: "https://b.example/rss".into(),
        };
        assert_eq!(locate_rule(source, &gone), None);
    }
}
