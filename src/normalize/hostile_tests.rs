//! Normalizing what a hostile feed sends: many items, deep nesting, terminal escapes. The sizes
//! here took seconds to hours while a step was quadratic; linear, they take a fraction of a second.

use chrono::TimeDelta;
use url::Url;

use super::tests::{feed, now};
use super::{keep_newest, nesting, normalize, sanitize_html};
use crate::config::ContentPolicy;
use crate::parse::{Entry, FeedFormat, FeedMeta, ParsedFeed, Person};

fn parsed(title: &str, entries: Vec<Entry>) -> ParsedFeed {
    ParsedFeed {
        format: FeedFormat::Rss20,
        encoding: "utf-8".into(),
        warnings: vec![],
        meta: FeedMeta {
            title: Some(title.into()),
            ..FeedMeta::default()
        },
        entries,
    }
}

fn entry(n: usize) -> Entry {
    Entry {
        id: Some(format!("item-{n}")),
        title: Some(format!("기사 {n}")),
        published: Some(now() - TimeDelta::minutes(i64::try_from(n).unwrap())),
        ..Entry::default()
    }
}

#[test]
fn a_feed_of_many_items_normalizes_in_linear_time() {
    // 32,000 items took 10.7 s (100,000: 175 s) while each id was searched for among the others.
    const ITEMS: usize = 40_000;
    let mut entries: Vec<Entry> = (0..ITEMS).map(entry).collect();
    entries.push(entry(7));
    let config = feed(ContentPolicy::Summary);
    let out = normalize(&parsed("피드", entries), &config, &config.url, now());
    assert_eq!(out.items.len(), ITEMS, "the repeated id is skipped");
    assert_eq!(out.items[7].title, "기사 7");
    assert!(
        out.warnings
            .iter()
            .any(|w| w == "duplicate item id `item-7` skipped"),
        "{:?}",
        out.warnings.last()
    );
}

#[test]
fn keep_newest_keeps_the_newest_in_feed_order() {
    // Feed order: undated, old, newest, future (untrusted), middle.
    let mut entries = vec![
        Entry {
            id: Some("undated".into()),
            ..Entry::default()
        },
        entry(30),
        entry(1),
        Entry {
            id: Some("future".into()),
            published: Some(now() + TimeDelta::days(30)),
            ..Entry::default()
        },
        entry(10),
    ];
    assert_eq!(keep_newest(&mut entries, 10, now()), 0);
    assert_eq!(entries.len(), 5);
    assert_eq!(keep_newest(&mut entries, 2, now()), 3);
    let ids: Vec<_> = entries.iter().filter_map(|e| e.id.as_deref()).collect();
    assert_eq!(ids, ["item-1", "item-10"]);
}

#[test]
fn deep_nesting_sanitizes_in_linear_time() {
    // `<div>` × 16,000 took 8.6 s to publish; × 100,000 did not finish in 10 minutes.
    let deep = format!(
        "{}깊은 본문{}",
        "<div>".repeat(100_000),
        "</div>".repeat(100_000)
    );
    let base = Url::parse("https://news.example/").unwrap();
    let clean = sanitize_html(&deep, &base);
    assert!(clean.contains("깊은 본문"), "the text stays");
    assert_eq!(clean.matches("<div>").count(), nesting::MAX_NESTING);
    assert_eq!(clean.matches("</div>").count(), nesting::MAX_NESTING);
    // Unclosed, and through ammonia (a byte-order mark makes the fast path decline).
    let unclosed = format!("\u{feff}{}끝", "<span><div>".repeat(50_000));
    let clean = sanitize_html(&unclosed, &base);
    assert!(
        clean.contains("끝</div></span></div></span>"),
        "the text stays"
    );
    assert_eq!(clean.matches("<div>").count(), nesting::MAX_NESTING / 2);
}

#[test]
fn control_characters_never_reach_titles_names_or_texts() {
    let hostile = "\u{1b}]0;pwned\u{7}\u{1b}[2J속보";
    let entries = vec![Entry {
        id: Some("a".into()),
        title: Some(hostile.into()),
        summary: Some(format!("<p>{hostile} &#27;[31m빨강&#x9b;</p>")),
        content: Some(format!("<p title=\"{hostile}\">{hostile}&#27;[2J</p>")),
        authors: vec![Person {
            name: Some(hostile.into()),
            ..Person::default()
        }],
        categories: vec![hostile.into()],
        ..Entry::default()
    }];
    let config = feed(ContentPolicy::Full);
    let out = normalize(&parsed(hostile, entries), &config, &config.url, now());
    let item = &out.items[0];
    let texts = [
        out.feed_title.as_deref().unwrap_or_default(),
        &item.title,
        item.summary.as_deref().unwrap_or_default(),
        item.content_html.as_deref().unwrap_or_default(),
        &item.authors[0],
        &item.categories[0],
    ];
    for text in texts {
        assert!(text.contains("속보"), "{text:?}");
        assert!(!text.contains(char::is_control), "{text:?}");
    }
    assert_eq!(item.title, "]0;pwned[2J속보");
}
