//! Numbered articles as readers get them: series parts, draws, rounds and scores that differ in a
//! number are each published, in one feed and across feeds, and the same draw from several
//! outlets is one story whose other outlets are named once each.

mod support;

use std::collections::BTreeSet;

use gazette::merge::merge;
use gazette::model::Edition;
use gazette::publish::Publisher;
use support::stories::{
    FixtureItem, config, expected_stories, items_from, now, published_stories, stored,
};

fn fixture() -> Vec<FixtureItem> {
    items_from(include_str!("fixtures/merge/numbered.toml"))
}

fn edition() -> Edition {
    let mut items: Vec<_> = fixture().iter().map(stored).collect();
    // The Korean story fixture alongside, so that numbered titles meet ordinary ones.
    items.extend(support::stories::fixture().iter().map(stored));
    merge(&config(""), items, now())
}

#[test]
fn titles_that_differ_in_a_number_are_each_published() {
    let edition = edition();
    let expected = expected_stories(fixture());
    let published: BTreeSet<BTreeSet<String>> = published_stories(&edition).into_iter().collect();
    for (story, links) in &expected {
        assert!(
            published.contains(links),
            "{story} is not published as exactly its articles: {links:?}"
        );
    }
    let titles: Vec<&str> = (edition.sections[0].items.iter())
        .map(|s| s.item.title.as_str())
        .collect();
    for title in ["Economy story 1", "Economy story 2", "Economy story 3"] {
        assert!(titles.contains(&title), "{title} missing from {titles:?}");
    }
}

/// The published RSS and JSON Feed: every part of a series is an item of its own, and the draw
/// told by two outlets names the other one once, never "1개 매체".
#[test]
fn published_feeds_list_every_part_and_only_other_outlets() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = config("");
    config.gazette.output_dir = dir.path().to_owned();
    config.gazette.max_items = 100;
    let mut items: Vec<_> = fixture().iter().map(stored).collect();
    items.extend(support::stories::fixture().iter().map(stored));
    let edition = merge(&config, items, now());
    Publisher::new(&config.gazette).publish(&edition).unwrap();

    let rss = std::fs::read(dir.path().join("feeds/all.xml")).unwrap();
    let feed = feed_rs::parser::parse(&rss[..]).unwrap();
    let titles: Vec<String> = (feed.entries.iter())
        .filter_map(|entry| entry.title.as_ref().map(|t| t.content.clone()))
        .collect();
    for item in fixture() {
        let copies = titles.iter().filter(|t| **t == item.title).count();
        let expected = if item.story.starts_with("lotto-1150") {
            1
        } else {
            (fixture().iter())
                .filter(|other| other.title == item.title)
                .count()
        };
        assert_eq!(copies, expected, "{} in {titles:?}", item.title);
    }
    let rss = String::from_utf8(rss).unwrap();
    assert!(!rss.contains("1개 매체"), "one outlet shown as others");
    // The 1150 draw: two outlets, the other named once.
    assert!(rss.contains("2개 매체"), "the 1150 draw's other outlet");

    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("feeds/all.json")).unwrap()).unwrap();
    for item in json["items"].as_array().unwrap() {
        let own = item["_gazette"]["source"]["name"]
            .as_str()
            .unwrap_or_default();
        let related = item["_gazette"]["related"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let names: Vec<&str> = related
            .iter()
            .filter_map(|r| r["source"].as_str())
            .collect();
        assert!(
            !names.contains(&own),
            "{own} listed as its own other outlet"
        );
        let unique: BTreeSet<&str> = names.iter().copied().collect();
        assert_eq!(
            unique.len(),
            names.len(),
            "an outlet listed twice: {names:?}"
        );
    }
}
