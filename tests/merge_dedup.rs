//! Dedup and story clusters on Korean headlines: every published story must hold exactly the
//! fixture items of one story, whatever the wording, brackets, quotes or links.

mod support;

use std::collections::BTreeSet;

use gazette::merge::merge;
use gazette::model::{BlockKind, Edition};
use support::stories::{config, expected_stories, fixture, now, published_stories, stored};

fn edition() -> Edition {
    let items = fixture().iter().map(stored).collect();
    merge(&config(""), items, now())
}

#[test]
fn each_story_is_published_once_with_all_its_articles() {
    let edition = edition();
    let published = published_stories(&edition);
    let expected: BTreeSet<BTreeSet<String>> = expected_stories(fixture()).into_values().collect();
    let published_set: BTreeSet<BTreeSet<String>> = published.iter().cloned().collect();
    assert_eq!(
        published.len(),
        published_set.len(),
        "a story published twice"
    );
    assert_eq!(published_set, expected);
}

#[test]
fn the_earliest_article_is_published_with_the_outlet_count() {
    let edition = edition();
    let all = &edition.sections[0];
    let budget = all
        .items
        .iter()
        .find(|s| s.item.id == "jd-101")
        .expect("the earliest budget article leads its story");
    let coverage = &edition.coverage[&budget.key()];
    assert_eq!(coverage.outlets, 3);
    let sources: Vec<&str> = coverage.others.iter().map(|o| o.source.as_str()).collect();
    assert_eq!(sources, ["대전일보", "충청투데이"], "oldest first");
    // The wire's two feeds are one outlet.
    let kospi = all
        .items
        .iter()
        .find(|s| s.item.title.contains("코스피"))
        .unwrap();
    assert_eq!(edition.coverage[&kospi.key()].outlets, 1);
}

#[test]
fn stories_appear_in_the_sections_of_any_of_their_articles() {
    let edition = edition();
    let section = |id: &str| -> Vec<String> {
        let section = edition.sections.iter().find(|s| s.id == id).unwrap();
        section.items.iter().map(|s| s.item.id.clone()).collect()
    };
    // jd-101 leads; its story is in 대전 through 대전일보 and 충청투데이.
    assert!(section("politics").contains(&"jd-101".to_owned()));
    assert!(section("daejeon").contains(&"jd-101".to_owned()));
    assert!(!section("economy").contains(&"jd-101".to_owned()));
}

#[test]
fn blocks_rank_by_outlets_and_keep_their_sizes() {
    let edition = edition();
    let block = |kind: BlockKind, scope: Option<&str>| {
        edition
            .blocks
            .iter()
            .find(|b| b.kind == kind && b.scope.as_deref() == scope)
            .unwrap_or_else(|| panic!("no {kind:?} {scope:?} block"))
    };
    let headlines = &block(BlockKind::Headlines, None).feed;
    assert_eq!(headlines.id, "headlines");
    assert_eq!(headlines.title, "헤드라인 뉴스");
    assert_eq!(
        headlines.items[0].item.id, "jd-101",
        "three outlets beat one"
    );
    let undated = "충남도, 내포신도시 종합병원 유치 확정";
    assert!(
        headlines.items.iter().any(|s| s.item.title == undated),
        "an undated item counts as first seen"
    );

    let daejeon = &block(BlockKind::Ranking, Some("daejeon")).feed;
    assert_eq!(daejeon.id, "ranking-daejeon");
    assert_eq!(daejeon.title, "랭킹뉴스 · 대전");
    assert!(daejeon.items.len() <= gazette::merge::RANKING);
    assert!(
        daejeon
            .items
            .iter()
            .all(|s| s.source.name != "연합뉴스 경제"),
        "an edition ranks only stories its feeds reported"
    );

    let latest = &block(BlockKind::Latest, None).feed;
    assert_eq!(latest.items, edition.sections[0].items);

    let photos = &block(BlockKind::Photos, None).feed;
    assert_eq!(photos.items.len(), 1, "the photo duplicates are one story");
    assert!(photos.items[0].item.image.is_some());

    let politics = &block(BlockKind::Headlines, Some("politics")).feed;
    assert_eq!(politics.id, "headlines-politics");
}

#[test]
fn headlines_fade_with_age_into_the_most_recent_stories() {
    let items: Vec<_> = fixture().iter().map(stored).collect();
    // Two days later nothing is a headline any more, and the ranking's window is over too: the
    // blocks show the most recent stories instead of nothing.
    let later = now() + chrono::TimeDelta::hours(49);
    let edition = merge(&config(""), items, later);
    let latest = &edition
        .blocks
        .iter()
        .find(|block| block.kind == BlockKind::Latest)
        .unwrap()
        .feed
        .items;
    for block in &edition.blocks {
        if block.kind == BlockKind::Headlines && block.scope.is_none() {
            let count = latest.len().min(gazette::merge::HEADLINES);
            let keys = |items: &[gazette::model::StoredItem]| {
                let mut keys: Vec<String> = items.iter().map(|item| item.key()).collect();
                keys.sort();
                keys
            };
            assert_eq!(keys(&block.feed.items), keys(&latest[..count]));
        }
        if matches!(block.kind, BlockKind::Headlines | BlockKind::Ranking) {
            assert!(!block.feed.items.is_empty(), "{}", block.feed.id);
        }
    }
}

#[test]
fn hostile_items_never_panic() {
    let mut items: Vec<_> = fixture().iter().map(stored).collect();
    let mut long = items[0].clone();
    long.item.id = "long".into();
    long.item.title = "가".repeat(2_000);
    long.item.link = None;
    let mut empty = items[1].clone();
    empty.item.id = "empty".into();
    empty.item.title = String::new();
    empty.item.summary = None;
    empty.item.published = None;
    let mut brackets = items[2].clone();
    brackets.item.id = "brackets".into();
    brackets.item.title = "[[[((( 】】 6조조조 억억 9999999999999999999999조".into();
    brackets.item.link = Some("javascript:alert(1)".into());
    items.extend([long, empty, brackets]);
    let edition = merge(&config(""), items.clone(), now());
    assert_eq!(edition.sections[0].items.len(), items.len() - 7);
    // No items at all: every section and block is empty but present.
    let empty = merge(&config(""), vec![], now());
    assert!(empty.sections.iter().all(|s| s.items.is_empty()));
    assert!(!empty.blocks.is_empty());
}
