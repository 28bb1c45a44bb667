//! Section rules from feeds.toml: a feed's `sections`, a section's `categories`, `keywords` and
//! `exclude`, a feed's `include`/`exclude` filters, and their mistakes reported with line:col.

mod support;

use std::path::Path;

use gazette::config::{Config, ConfigError};
use gazette::merge::merge;
use gazette::model::StoredItem;
use support::parse_config;

const CONFIG: &str = r#"
[gazette]
base_url = "https://gazette.example/"

[[section]]
id = "politics"
title = "정치/행정"
categories = ["정치", "Politics"]
exclude = ["re:^\\[광고\\]"]

[[section]]
id = "culture"
title = "문화"
keywords = ["K-POP", "전시회", "re:(?i)\\bfestival\\b"]

[[section]]
id = "people"
title = "사람들"

[[feed]]
url = "https://wire.example/rss"
name = "통신"
sections = ["people"]
exclude = ["부고"]

[[feed]]
url = "https://only.example/rss"
include = ["대전", "re:^\\[속보\\]"]
"#;

fn item(feed: &str, id: &str, title: &str, categories: &[&str]) -> StoredItem {
    StoredItem::sample(feed, id, "2026-11-02T01:00:00Z".parse().unwrap())
        .with_title(title)
        .with_summary(format!("{title} 요약"))
        .with_categories(categories)
}

fn sections_of(id: &str) -> Vec<String> {
    let config = parse_config(CONFIG);
    let wire = "https://wire.example/rss";
    let only = "https://only.example/rss";
    let items = vec![
        item(wire, "cat", "국회 본회의 열려", &["  정 치 "]),
        item(wire, "cat-en", "Assembly meets", &["ＰＯＬＩＴＩＣＳ"]),
        item(wire, "ad", "[광고] 국회 홍보", &["정치"]),
        item(wire, "kpop", "ｋ－ｐｏｐ 공연 성황", &[]),
        item(wire, "fest", "Jazz Festival opens", &[]),
        item(wire, "festival-word", "Festivals of the past", &[]),
        item(wire, "obituary", "원로 화가 부고", &[]),
        item(only, "daejeon", "대전 트램 착공", &[]),
        item(only, "breaking", "[속보] 지진 발생", &[]),
        item(only, "elsewhere", "서울 소식", &[]),
    ];
    let edition = merge(&config, items, "2026-11-02T02:00:00Z".parse().unwrap());
    edition
        .sections
        .iter()
        .filter(|section| section.items.iter().any(|s| s.item.id == id))
        .map(|section| section.id.clone())
        .collect()
}

#[test]
fn categories_match_whatever_the_case_width_and_spaces() {
    assert_eq!(sections_of("cat"), ["all", "politics", "people"]);
    assert_eq!(sections_of("cat-en"), ["all", "politics", "people"]);
}

#[test]
fn a_section_exclude_wins_over_what_placed_the_item() {
    assert_eq!(sections_of("ad"), ["all", "people"]);
}

#[test]
fn keywords_and_regexes_match_titles() {
    assert_eq!(sections_of("kpop"), ["all", "culture", "people"]);
    assert_eq!(sections_of("fest"), ["all", "culture", "people"]);
    assert_eq!(sections_of("festival-word"), ["all", "people"]);
}

#[test]
fn feed_filters_keep_items_out_of_every_section() {
    assert!(sections_of("obituary").is_empty());
    assert_eq!(sections_of("daejeon"), ["all"]);
    assert_eq!(sections_of("breaking"), ["all"]);
    assert!(sections_of("elsewhere").is_empty());
}

fn mistakes(source: &str) -> String {
    match Config::parse(source, Path::new("feeds.toml")) {
        Err(ConfigError::Invalid { diagnostics }) => diagnostics
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n"),
        other => panic!("expected mistakes, got {other:?}"),
    }
}

#[test]
fn bad_rules_are_reported_with_their_place() {
    let text = mistakes(
        r#"[[section]]
id = "x"
title = "X"
keywords = ["re:(unclosed", ""]

[[feed]]
url = "https://a.example/rss"
name = "에이"
include = ["re:[z-a]"]

[[edition]]
id = "daejeon"
title = "대전"
feeds = ["에이", "비"]
half_life = "6h"
"#,
    );
    assert!(
        text.contains("feeds.toml:4:13: bad regex `(unclosed`: unclosed group"),
        "{text}"
    );
    assert!(
        text.contains("feeds.toml:4:29: a filter word must not be empty"),
        "{text}"
    );
    assert!(
        text.contains("feeds.toml:9:12: bad regex `[z-a]`"),
        "{text}"
    );
    assert!(
        text.contains("feeds.toml:14:16: unknown feed `비`"),
        "{text}"
    );
    assert!(
        text.contains("feeds.toml:15:1: unknown key `half_life`"),
        "{text}"
    );
}

#[test]
fn half_life_is_a_duration() {
    let config = parse_config("[gazette]\nhalf_life = \"90m\"\n");
    assert_eq!(config.gazette.half_life.as_secs(), 90 * 60);
    let text = mistakes("[gazette]\nhalf_life = \"soon\"\n");
    assert!(
        text.contains("feeds.toml:2:13: bad duration `soon`"),
        "{text}"
    );
}
