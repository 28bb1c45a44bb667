//! What a merge decided about each item, kept as plain data while merging (indexes into the
//! config and the items, no text) and made into [`ItemDecision`]s only when asked: once per
//! publish, never in the merge's own loops.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::dedup::Same;
use super::rules::{By, Placed, Refused};
use super::text::bigrams;
use super::{Sorted, Story};
use crate::config::{ALL_SECTION, Config, Pattern};
use crate::model::{Decision, ItemDecision, Peer, Placement, Rule, StoredItem, Test};

/// The decisions of one merge.
pub struct Decisions {
    pub(super) sorted: Sorted,
    /// Sorted by lead.
    pub(super) stories: Vec<Story>,
    /// Items in no section, and why.
    pub(super) refused: Vec<(StoredItem, Refused)>,
    /// Pairs of sorted items found to be one article (see [`super::dedup::Duplicates`]).
    pub(super) copies: Vec<(usize, usize, Same)>,
    /// Articles that joined a story: their item, the leader's, the score.
    pub(super) story_joins: Vec<(usize, usize, f64)>,
    pub(super) at: DateTime<Utc>,
}

impl Decisions {
    /// Every item's decision under `config` (the config merged with).
    pub fn records(&self, config: &Config) -> Vec<ItemDecision> {
        let sorted = &self.sorted;
        let items = &sorted.items;
        let max = config.gazette.max_items;
        // Each item's story, and each story's place in every section it is in.
        let mut story_of = vec![0; items.len()];
        let mut shown = vec![0usize; config.sections.len()];
        let mut ranks: Vec<HashMap<usize, usize>> = Vec::with_capacity(self.stories.len());
        for (number, story) in self.stories.iter().enumerate() {
            for &at in &story.members {
                story_of[at] = number;
            }
            let mut rank = HashMap::new();
            for &section in &story.sections {
                shown[section] += 1;
                rank.insert(section, shown[section]);
            }
            ranks.push(rank);
        }
        let mut peers: Vec<Vec<Peer>> = vec![Vec::new(); items.len()];
        for &(a, b, same) in &self.copies {
            let test = match same {
                Same::Guid => Test::SameGuid,
                Same::Url => Test::SameUrl,
                Same::Title => Test::SimilarTitle {
                    score: jaccard(&bigrams(&sorted.titles[a]), &bigrams(&sorted.titles[b])),
                },
            };
            peers[a].push(peer(&items[b], Some(test.clone())));
            peers[b].push(peer(&items[a], Some(test)));
        }
        for &(at, leader, score) in &self.story_joins {
            let test = Test::SameStory { score };
            peers[at].push(peer(&items[leader], Some(test.clone())));
            peers[leader].push(peer(&items[at], Some(test)));
        }
        let kept = items
            .iter()
            .enumerate()
            .zip(peers)
            .map(|((at, stored), merged_with)| {
                let number = story_of[at];
                let story = &self.stories[number];
                let place = |section: Option<usize>, rank: Option<usize>| {
                    let rank = rank.filter(|&rank| rank <= max);
                    let id = section.map_or(ALL_SECTION, |s| config.sections[s].id.as_str());
                    Placement {
                        section: id.to_owned(),
                        by: None,
                        excluded_by: None,
                        rank,
                        beyond_max_items: rank.is_none(),
                    }
                };
                let all = place(None, Some(number + 1));
                let placed = sorted.placements[at].iter().map(|placed| Placement {
                    by: Some(placed_by(config, sorted.feeds[at], placed)),
                    excluded_by: placed.excluded_by.map(|pattern| {
                        let section = &config.sections[placed.section];
                        Rule::SectionExclude {
                            section: section.id.clone(),
                            pattern: written(&section.exclude[pattern]),
                        }
                    }),
                    ..match placed.stays() {
                        true => place(
                            Some(placed.section),
                            ranks[number].get(&placed.section).copied(),
                        ),
                        false => Placement {
                            beyond_max_items: false,
                            ..place(Some(placed.section), None)
                        },
                    }
                });
                ItemDecision {
                    feed_url: stored.source.feed_url.clone(),
                    item_id: stored.item.id.clone(),
                    decision: Decision {
                        at: self.at,
                        date: stored.date(),
                        left_out: None,
                        sections: std::iter::once(all).chain(placed).collect(),
                        merged_with,
                        published_as: (story.lead != at).then(|| peer(&items[story.lead], None)),
                    },
                }
            });
        let refused = self.refused.iter().map(|(stored, why)| ItemDecision {
            feed_url: stored.source.feed_url.clone(),
            item_id: stored.item.id.clone(),
            decision: Decision {
                at: self.at,
                date: stored.date(),
                left_out: Some(refusal(config, &stored.source.feed_url, *why)),
                sections: Vec::new(),
                merged_with: Vec::new(),
                published_as: None,
            },
        });
        kept.chain(refused).collect()
    }
}

fn peer(stored: &StoredItem, test: Option<Test>) -> Peer {
    Peer {
        feed_url: stored.source.feed_url.clone(),
        item_id: stored.item.id.clone(),
        title: stored.item.title.clone(),
        test,
    }
}

/// A pattern as `feeds.toml` writes it.
fn written(pattern: &Pattern) -> String {
    match pattern {
        Pattern::Word(word) => word.clone(),
        Pattern::Regex(regex) => format!("re:{}", regex.as_str()),
    }
}

/// The rule that placed an item of the config's feed `feed`.
fn placed_by(config: &Config, feed: usize, placed: &Placed) -> Rule {
    let section = &config.sections[placed.section];
    match placed.by {
        By::FeedSections(_) => Rule::FeedSections {
            feed: config.feeds[feed].url.to_string(),
            section: section.id.clone(),
        },
        By::Category(at) => Rule::Category {
            section: section.id.clone(),
            category: section.categories[at].clone(),
        },
        By::Keyword(at) => Rule::Keyword {
            section: section.id.clone(),
            pattern: written(&section.keywords[at]),
        },
    }
}

/// The rule that kept an item of the feed at `feed_url` out of every section.
fn refusal(config: &Config, feed_url: &str, why: Refused) -> Rule {
    let configured = config
        .feeds
        .iter()
        .find(|feed| feed.url.as_str() == feed_url);
    let feed = feed_url.to_owned();
    match (why, configured) {
        (Refused::Feed, Some(_)) => Rule::FeedDisabled { feed },
        (Refused::Feed, None) => Rule::FeedNotConfigured { feed },
        (Refused::NotIncluded, _) => Rule::FeedInclude { feed },
        (Refused::Excluded(at), Some(config)) => Rule::FeedExclude {
            feed,
            pattern: written(&config.exclude[at]),
        },
        (Refused::Excluded(_), None) => Rule::FeedNotConfigured { feed },
    }
}

/// Jaccard similarity of two sorted sets: what near-identical titles were measured by.
fn jaccard(a: &[u64], b: &[u64]) -> f64 {
    let common = a.iter().filter(|x| b.binary_search(x).is_ok()).count();
    let union = a.len() + b.len() - common;
    if union == 0 {
        return 0.0;
    }
    common as f64 / union as f64
}
