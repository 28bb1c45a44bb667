//! Which stories a digest day holds: per section its top stories and how many more. Pure.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};
use url::Url;

use crate::config::{ALL_SECTION, Config, DigestConfig};
use crate::merge::merge;
use crate::model::{
    BlockKind, Coverage, Day, DigestContent, DigestSection, SectionEdition, StoredItem, Story,
};

/// The digest of `day` from `items` (the store's items of at least that day): each digest section
/// lists its best `max_items_per_section` stories not already listed by an earlier section.
pub fn select(
    config: &Config,
    digest: &DigestConfig,
    day: Day,
    items: Vec<StoredItem>,
) -> DigestContent {
    let items: Vec<StoredItem> = items
        .into_iter()
        .filter(|item| day.contains(item.date()))
        .collect();
    let (sections, coverage) = ranked_sections(config, items, day.end());
    let total = sections
        .iter()
        .find(|section| section.id == ALL_SECTION)
        .map_or(0, |all| all.items.len());
    let mut listed = HashSet::new();
    let sections = section_ids(config, digest)
        .into_iter()
        .filter_map(|id| sections.iter().find(|section| section.id == id))
        .filter_map(|section| {
            let stories: Vec<Story> = section
                .items
                .iter()
                .filter(|item| listed.insert(item.key()))
                .take(digest.max_items_per_section)
                .map(|item| story(item, coverage.get(&item.key())))
                .collect();
            (!stories.is_empty()).then(|| DigestSection {
                id: section.id.clone(),
                title: section.title.clone(),
                url: section_url(&config.gazette.base_url, &section.id),
                more: section.items.len() - stories.len(),
                stories,
            })
        })
        .collect();
    DigestContent {
        day,
        sections,
        total,
    }
}

/// The day's stories by section, best first, with who else reported each. The one place that
/// decides the order: the section's headlines (stories most outlets reported) lead, then the
/// rest newest first.
fn ranked_sections(
    config: &Config,
    items: Vec<StoredItem>,
    now: DateTime<Utc>,
) -> (Vec<SectionEdition>, BTreeMap<String, Coverage>) {
    // `max_items` caps published feeds; the digest counts every story of the day. The day is
    // over, so a story's weight is how many outlets reported it, not how fresh it is: with a
    // half-life far longer than a day, headlines rank by coverage, ties going to the newer.
    let mut digest_config = config.clone();
    digest_config.gazette.max_items = usize::MAX;
    digest_config.gazette.half_life = std::time::Duration::from_secs(365 * 24 * 60 * 60);
    let edition = merge(&digest_config, items, now);
    let sections = edition
        .sections
        .into_iter()
        .map(|mut section| {
            let scope = (section.id != ALL_SECTION).then_some(section.id.as_str());
            let headlines: Vec<String> = edition
                .blocks
                .iter()
                .find(|block| block.kind == BlockKind::Headlines && block.scope.as_deref() == scope)
                .map(|block| block.feed.items.iter().map(StoredItem::key).collect())
                .unwrap_or_default();
            // Stable: stories outside the headlines keep their newest-first order.
            section.items.sort_by_cached_key(|item| {
                headlines
                    .iter()
                    .position(|key| *key == item.key())
                    .unwrap_or(usize::MAX)
            });
            section
        })
        .collect();
    (sections, edition.coverage)
}

/// The configured digest sections, else every `[[section]]`, else the built-in `all`.
fn section_ids<'c>(config: &'c Config, digest: &'c DigestConfig) -> Vec<&'c str> {
    if !digest.sections.is_empty() {
        digest.sections.iter().map(String::as_str).collect()
    } else if !config.sections.is_empty() {
        config.sections.iter().map(|s| s.id.as_str()).collect()
    } else {
        vec![ALL_SECTION]
    }
}

/// The section's page on the site: the front page for `all`.
fn section_url(base: &Url, id: &str) -> String {
    let path = if id == ALL_SECTION {
        String::new()
    } else {
        format!("sections/{id}.html")
    };
    base.join(&path)
        .map_or_else(|_| base.to_string(), String::from)
}

fn story(stored: &StoredItem, coverage: Option<&Coverage>) -> Story {
    let item = &stored.item;
    let mut sources = vec![stored.source.name.clone()];
    for other in coverage.into_iter().flat_map(Coverage::other_outlets) {
        if !sources.contains(&other.source) {
            sources.push(other.source.clone());
        }
    }
    Story {
        title: item.title.clone(),
        link: item.link.clone(),
        sources,
        date: stored.date(),
        summary: item
            .summary
            .as_deref()
            .map(str::trim)
            .filter(|summary| !summary.is_empty())
            .map(clip),
    }
}

/// Most characters of a summary in the digest: two or three lines, enough to decide whether to
/// read on, short enough that a morning's digest reads in minutes.
const SUMMARY_CHARS: usize = 150;

/// `text` cut to [`SUMMARY_CHARS`], at a space where there is one near the end, with "…".
fn clip(text: &str) -> String {
    let Some((cut, _)) = text.char_indices().nth(SUMMARY_CHARS) else {
        return text.to_owned();
    };
    let head = &text[..cut];
    let head = match head.rfind(char::is_whitespace) {
        Some(space) if head[..space].chars().count() > SUMMARY_CHARS * 3 / 4 => &head[..space],
        _ => head,
    };
    format!("{}…", head.trim_end_matches([' ', ',', '.', '·']))
}

#[cfg(test)]
mod tests {
    use chrono_tz::Tz;

    use testkit::FeedsToml;

    use super::*;

    /// Two sections and two named feeds, one of them in both; two items a digest section.
    fn config() -> Config {
        Config::of_test(
            FeedsToml::bare()
                .set("max_items", 1)
                .section("politics", "정치/행정")
                .section("economy", "경제")
                .feed("https://a.example/rss", &["politics", "economy"])
                .with("name", "중도일보")
                .feed("https://b.example/rss", &["economy"])
                .with("name", "대전일보")
                .raw("[digest]\nenabled = false\nmax_items_per_section = 2"),
        )
    }

    fn stored(feed: &str, id: &str, at: &str) -> StoredItem {
        StoredItem::sample(feed, id, at.parse().unwrap())
            .with_title(format!("제목 {id}"))
            .with_link(format!("https://news.example/{id}"))
            .with_summary(" ")
    }

    fn titles(section: &DigestSection) -> Vec<&str> {
        section.stories.iter().map(|s| s.title.as_str()).collect()
    }

    #[test]
    fn sections_list_the_days_newest_stories_once() {
        let config = config();
        let digest = config.digest.clone().unwrap();
        let day = Day::new("2026-01-11".parse().unwrap(), Tz::Asia__Seoul);
        let a = "https://a.example/rss";
        let b = "https://b.example/rss";
        let items = vec![
            stored(a, "last-minute", "2026-01-11T14:59:00Z"), // 23:59 KST
            stored(a, "tomorrow", "2026-01-11T15:01:00Z"),    // 00:01 KST on the 12th
            stored(a, "morning", "2026-01-10T15:01:00Z"),     // 00:01 KST
            stored(b, "b1", "2026-01-11T01:00:00Z"),
            stored(b, "b2", "2026-01-11T02:00:00Z"),
            stored(b, "b3", "2026-01-11T03:00:00Z"),
        ];
        let content = select(&config, &digest, day, items);
        assert_eq!(content.total, 5, "not capped by max_items");
        let [politics, economy] = content.sections.as_slice() else {
            panic!("two sections: {content:#?}");
        };
        assert_eq!(titles(politics), ["제목 last-minute", "제목 morning"]);
        assert_eq!(politics.more, 0);
        assert_eq!(politics.url, "http://127.0.0.1:8080/sections/politics.html");
        assert_eq!(politics.stories[0].sources, ["중도일보"]);
        assert_eq!(politics.stories[0].summary, None, "blank summaries dropped");
        assert_eq!(
            titles(economy),
            ["제목 b3", "제목 b2"],
            "stories listed above are not repeated"
        );
        assert_eq!(economy.more, 3);
    }

    #[test]
    fn long_summaries_are_clipped_at_a_space() {
        let word = "가나다라 ";
        let long = word.repeat(60);
        let clipped = clip(&long);
        assert!(clipped.ends_with("라…"), "{clipped}");
        assert!(clipped.chars().count() <= SUMMARY_CHARS + 1);
        assert_eq!(clip("짧은 요약"), "짧은 요약");
        let unbroken = "가".repeat(200);
        assert_eq!(clip(&unbroken).chars().count(), SUMMARY_CHARS + 1);
    }

    #[test]
    fn an_empty_day_has_no_sections() {
        let config = config();
        let digest = config.digest.clone().unwrap();
        let day = Day::new("2026-01-11".parse().unwrap(), Tz::Asia__Seoul);
        let content = select(&config, &digest, day, vec![]);
        assert!(content.is_empty());
        assert!(content.sections.is_empty());
    }
}
