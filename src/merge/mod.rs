//! Stage 6: stored items + [`Config`] → [`Edition`], the sections and blocks as they will be
//! published. Pure: no I/O, no clock (`now` is passed in).
//!
//! The steps, each in its own module: [`rules`] keeps items and places them in sections;
//! [`dedup`] groups the copies of one article; [`cluster`] groups different papers' articles on
//! one story; [`blocks`] ranks stories into headlines, ranking, latest and photos.

mod blocks;
mod canonical;
mod cluster;
mod dedup;
mod evidence;
mod lexicon;
mod reach;
mod record;
mod rules;
mod similar;
mod text;

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};

use crate::config::{ALL_SECTION, Config, FeedConfig};
use crate::model::{
    Block, BlockKind, Coverage, Edition, ItemKey as Key, Labels, Related, SectionEdition,
    StoredItem,
};
use crate::normalize::apply_content_policy;
use crate::parallel;

pub use blocks::{HEADLINES, LATEST, PHOTOS, RANKING};
/// The key one article has under every URL it is reached by: what `explain` finds it by.
pub use canonical::canonical_url;
/// What keeps two articles apart, as a value: for a record of merge decisions to report.
pub use evidence::{Conflict, Evidence};
pub use reach::{blocks_reach, story_span};
pub use record::Decisions;

/// One story while merging: indexes into the sorted items.
struct Story {
    /// The earliest article: the one published, whose id therefore stays put as others arrive.
    lead: usize,
    members: Vec<usize>,
    /// Indexes into the config's sections, ascending.
    sections: Vec<usize>,
    /// How many outlets (sites) reported it.
    outlets: usize,
}

/// A kept item with what sorting and the later steps look up about it, computed once.
struct Kept {
    stored: StoredItem,
    key: Key,
    date: DateTime<Utc>,
    /// Index of its feed in the config, so that feeds compare as numbers.
    feed: usize,
    /// The sections it was placed in, and by what.
    sections: Vec<rules::Placed>,
}

/// The kept items, newest first, and per item what several steps need.
struct Sorted {
    items: Vec<StoredItem>,
    keys: Vec<Key>,
    feeds: Vec<usize>,
    placements: Vec<Vec<rules::Placed>>,
    /// [`text::comparable_title`] of each title, for dedup and clustering alike.
    titles: Vec<String>,
    /// For each configured feed (not item), its outlet: see [`outlets`].
    outlets: Vec<usize>,
}

impl Sorted {
    fn new(config: &Config, kept: Vec<Kept>) -> Sorted {
        // Sorting indexes rather than the items themselves moves a few bytes per step, not a
        // whole item.
        let mut order: Vec<usize> = (0..kept.len()).collect();
        // Among items of one date, the one seen first sorts last: a story's lead (its earliest
        // item) then stays the same when a copy arrives under a new id (a publisher changing
        // an article's guid), and so does the published id.
        order.sort_by(|&a, &b| {
            let (a, b) = (&kept[a], &kept[b]);
            b.date
                .cmp(&a.date)
                .then_with(|| b.stored.first_seen.cmp(&a.stored.first_seen))
                .then_with(|| a.key.cmp(&b.key))
        });
        let mut slots: Vec<Option<Kept>> = kept.into_iter().map(Some).collect();
        let len = order.len();
        let kept = order.into_iter().filter_map(|at| slots[at].take());
        let mut sorted = Sorted {
            items: Vec::with_capacity(len),
            keys: Vec::with_capacity(len),
            feeds: Vec::with_capacity(len),
            placements: Vec::with_capacity(len),
            titles: Vec::new(),
            outlets: outlets(config),
        };
        for kept in kept {
            sorted.items.push(kept.stored);
            sorted.keys.push(kept.key);
            sorted.feeds.push(kept.feed);
            sorted.placements.push(kept.sections);
        }
        sorted.titles = parallel::map(&sorted.items, |stored| {
            text::comparable_title(&stored.item.title)
        });
        sorted
    }
}

/// An edition, and how long it holds.
pub struct Merged {
    pub edition: Edition,
    /// The earliest instant at which the same items would merge into another edition, as ranked
    /// stories age out of the day's or two days' window; `None` if never. Until then, only new
    /// or changed items can change what is published.
    pub changes_at: Option<DateTime<Utc>>,
    /// What was decided about each item, as plain data: made into records only when asked.
    pub decisions: Decisions,
}

/// The edition and until when it holds, before the decisions are added.
struct Built {
    edition: Edition,
    changes_at: Option<DateTime<Utc>>,
}

/// Builds the edition: items of enabled feeds that pass their feed's filters, deduplicated and
/// clustered into stories; each section holds the stories placed in it (by a feed's `sections`,
/// or a section's `categories` and `keywords`), `all` every story, newest first, at most
/// `max_items` each; then the blocks.
pub fn merge(config: &Config, items: Vec<StoredItem>, now: DateTime<Utc>) -> Edition {
    merged(config, items, now).edition
}

/// [`merge`], and until when its edition holds.
pub fn merged(config: &Config, items: Vec<StoredItem>, now: DateTime<Utc>) -> Merged {
    let labels = Labels::for_language(&config.gazette.language);
    let rules = rules::Rules::new(config);
    // Which items are kept, where, and under what key and name is worked out on every core (the
    // key is a hash, the costliest part); the items are then moved in one pass, into a vector
    // sized up front, as growing would copy them all a few times.
    let placed = parallel::map(&items, |stored| {
        let feed = rules
            .feed(&stored.source.feed_url)
            .ok_or(rules::Refused::Feed)?;
        let sections = rules.place(feed, &stored.item)?;
        let name = source_name(&config.feeds[feed], &stored.source.name);
        Ok((stored.key_bytes(), feed, sections, name))
    });
    let mut kept: Vec<Kept> = Vec::with_capacity(items.len());
    let mut refused = Vec::new();
    for (mut stored, placed) in items.into_iter().zip(placed) {
        let (key, feed, sections, name) = match placed {
            Ok(placed) => placed,
            Err(why) => {
                refused.push((stored, why));
                continue;
            }
        };
        stored.source.name = name;
        apply_content_policy(&mut stored.item, config.feeds[feed].content);
        kept.push(Kept {
            key,
            date: stored.date(),
            stored,
            feed,
            sections,
        });
    }
    let sorted = Sorted::new(config, kept);
    let items = &sorted.items;

    // Dedup spends much of its time on one core; what clustering reads of each item fills the
    // other meanwhile.
    let (duplicates, prepared) = parallel::join(
        || dedup::duplicates(items, &sorted.titles),
        || cluster::Prepared::new(items, &sorted.titles),
    );
    let clustered = cluster::stories(items, &prepared, &sorted.feeds, duplicates.groups);
    // What clustering read of every item is freed while the stories are put together.
    let ((), (stories, built)) = parallel::join(
        move || drop(prepared),
        || {
            let stories = stories(&sorted, clustered.stories);
            let built = edition(config, labels, &sorted, &stories, now);
            (stories, built)
        },
    );
    Merged {
        edition: built.edition,
        changes_at: built.changes_at,
        decisions: Decisions {
            sorted,
            stories,
            refused,
            copies: duplicates.joins,
            story_joins: clustered.joins,
            at: now,
        },
    }
}

/// Each cluster (indexes into the sorted items) as a story, sorted by lead.
fn stories(sorted: &Sorted, clustered: Vec<Vec<usize>>) -> Vec<Story> {
    let outlet_of = &sorted.outlets;
    // Only how many outlets a story has is kept: they are counted in one reused buffer.
    let mut outlets: Vec<usize> = Vec::new();
    let mut stories: Vec<Story> = clustered
        .into_iter()
        .map(|members| {
            let mut sections: Vec<usize> = members
                .iter()
                .flat_map(|&at| sorted.placements[at].iter())
                .filter(|placed| placed.stays())
                .map(|placed| placed.section)
                .collect();
            sections.sort_unstable();
            sections.dedup();
            outlets.clear();
            outlets.extend(members.iter().map(|&at| outlet_of[sorted.feeds[at]]));
            outlets.sort_unstable();
            outlets.dedup();
            Story {
                // Items are newest first: the last member is the earliest.
                lead: members.last().copied().unwrap_or_default(),
                sections,
                outlets: outlets.len(),
                members,
            }
        })
        .collect();
    stories.sort_by_key(|story| story.lead);
    stories
}

/// The sections and blocks of `stories` (sorted by lead, newest first).
fn edition(
    config: &Config,
    labels: &Labels,
    sorted: &Sorted,
    stories: &[Story],
    now: DateTime<Utc>,
) -> Built {
    let items = &sorted.items;

    let max = config.gazette.max_items;
    let section =
        |id: &str, title: &str, picked: &mut dyn Iterator<Item = &Story>| SectionEdition {
            id: id.to_owned(),
            title: title.to_owned(),
            items: picked
                .take(max)
                .map(|story| items[story.lead].clone())
                .collect(),
        };
    let all = section(ALL_SECTION, labels.all, &mut stories.iter());
    let sections = config.sections.iter().enumerate().map(|(index, config)| {
        let mut placed = stories
            .iter()
            .filter(|story| story.sections.contains(&index));
        section(&config.id, &config.title, &mut placed)
    });
    let sections: Vec<SectionEdition> = std::iter::once(all).chain(sections).collect();
    let view = blocks::StoryView {
        items,
        feeds: &sorted.feeds,
        stories: stories
            .iter()
            .map(|story| blocks::StoryRef {
                lead: story.lead,
                members: &story.members,
                sections: &story.sections,
                outlets: story.outlets,
            })
            .collect(),
    };
    let blocks::Blocks { blocks, changes_at } = blocks::blocks(config, labels, &view, now);
    let coverage = coverage(sorted, stories, &sections, &blocks);
    Built {
        edition: Edition {
            generated: now,
            sections,
            blocks,
            coverage,
        },
        changes_at,
    }
}

/// The coverage of every published story reported more than once.
fn coverage(
    sorted: &Sorted,
    stories: &[Story],
    sections: &[SectionEdition],
    blocks: &[Block],
) -> BTreeMap<String, Coverage> {
    let published: HashSet<Key> = sections
        .iter()
        .chain(blocks.iter().map(|block| &block.feed))
        .flat_map(|section| section.items.iter().map(StoredItem::key_bytes))
        .collect();
    stories
        .iter()
        .filter(|story| story.members.len() > 1)
        .filter(|story| published.contains(&sorted.keys[story.lead]))
        .map(|story| {
            let key = hex::encode(sorted.keys[story.lead]);
            (key, story_coverage(sorted, story))
        })
        .collect()
}

/// The story's outlets and its other articles, each link once; those from an outlet already
/// counted (the published article's, or one listed before) are marked as copies.
fn story_coverage(sorted: &Sorted, story: &Story) -> Coverage {
    let items = &sorted.items;
    let outlet = |at: usize| sorted.outlets[sorted.feeds[at]];
    let mut outlets: HashSet<usize> = HashSet::from([outlet(story.lead)]);
    let mut links: HashSet<Option<&str>> = HashSet::from([items[story.lead].item.link.as_deref()]);
    let others = story
        .members
        .iter()
        .rev()
        .filter(|&&at| at != story.lead)
        .filter(|&&at| {
            items[at].item.link.is_none() || links.insert(items[at].item.link.as_deref())
        })
        .map(|&at| (&items[at], !outlets.insert(outlet(at))))
        .map(|(stored, copy)| Related {
            source: stored.source.name.clone(),
            title: stored.item.title.clone(),
            link: stored.item.link.clone(),
            copy,
        })
        .collect();
    Coverage {
        outlets: story.outlets,
        others,
    }
}

/// For each configured feed, a number for its site: feeds of one outlet share it.
fn outlets(config: &Config) -> Vec<usize> {
    let mut ids: HashMap<String, usize> = HashMap::new();
    config
        .feeds
        .iter()
        .map(|feed| {
            let next = ids.len();
            *ids.entry(outlet(feed.url.as_str())).or_insert(next)
        })
        .collect()
}

/// The site a feed belongs to: its host without `www.` or `m.`, so that one paper's feeds count
/// once.
fn outlet(feed_url: &str) -> String {
    let host = url::Url::parse(feed_url)
        .ok()
        .and_then(|url| url.host_str().map(str::to_ascii_lowercase))
        .unwrap_or_else(|| feed_url.to_owned());
    let host = host.strip_prefix("www.").unwrap_or(&host);
    host.strip_prefix("m.").unwrap_or(host).to_owned()
}

/// The configured name, else the feed's own title, else its host.
fn source_name(feed: &FeedConfig, feed_title: &str) -> String {
    feed.name
        .clone()
        .or_else(|| (!feed_title.trim().is_empty()).then(|| feed_title.trim().to_owned()))
        .or_else(|| feed.url.host_str().map(str::to_owned))
        .unwrap_or_else(|| feed.url.to_string())
}

#[cfg(test)]
mod tests {
    use testkit::FeedsToml;

    use super::*;

    /// Two sections; a named feed, an unnamed one in both sections and a disabled one.
    fn config() -> Config {
        Config::of_test(
            FeedsToml::bare()
                .set("max_items", 2)
                .section("politics", "정치/행정")
                .section("economy", "경제")
                .feed("https://a.example/rss", &["politics"])
                .with("name", "중도일보")
                .feed("https://b.example/rss", &["politics", "economy"])
                .feed("https://off.example/rss", &["economy"])
                .with("enabled", false),
        )
    }

    fn stored(feed_url: &str, id: &str, hour: u32, dated: bool) -> StoredItem {
        let date: DateTime<Utc> = format!("2026-01-11T{hour:02}:00:00Z").parse().unwrap();
        StoredItem::sample(feed_url, id, date)
            .with_published(dated.then_some(date))
            .with_source_name("Feed title")
    }

    fn ids(section: &SectionEdition) -> Vec<&str> {
        section.items.iter().map(|s| s.item.id.as_str()).collect()
    }

    #[test]
    fn sections_hold_their_feeds_newest_first() {
        let config = config();
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
    fn an_edition_holds_until_a_ranked_story_leaves_its_window() {
        let config = config();
        let items = || {
            vec![
                stored("https://a.example/rss", "a-old", 1, true),
                stored("https://b.example/rss", "b-new", 9, true),
            ]
        };
        let now = "2026-01-11T12:00:00Z".parse().unwrap();
        let held = merged(&config, items(), now).changes_at;
        // The older story leaves the day's headlines first.
        assert_eq!(held, "2026-01-12T01:00:01Z".parse().ok());
        let later = "2026-01-12T02:00:00Z".parse().unwrap();
        let held = merged(&config, items(), later).changes_at;
        assert_eq!(
            held,
            "2026-01-12T09:00:01Z".parse().ok(),
            "then the newer one"
        );
        let much_later = "2026-01-20T00:00:00Z".parse().unwrap();
        assert_eq!(merged(&config, items(), much_later).changes_at, None);
    }

    #[test]
    fn a_story_dated_ahead_is_looked_at_again_as_it_comes_in() {
        let config = config();
        let items = vec![stored("https://a.example/rss", "ahead", 23, true)];
        // Two days and more ahead: it enters the ranking's window first.
        let now = "2026-01-09T12:00:00Z".parse().unwrap();
        let held = merged(&config, items, now).changes_at;
        assert_eq!(held, "2026-01-09T23:00:00Z".parse().ok());
    }

    #[test]
    fn source_name_falls_back_to_the_host() {
        let config = config();
        assert_eq!(source_name(&config.feeds[1], "  "), "b.example");
        assert_eq!(Labels::for_language("en").all, "All");
    }
}
