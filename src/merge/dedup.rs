//! One article seen through several feeds: the same guid, the same canonical URL, or nearly the same
//! title within two days, naming the same numbers, places and people. Such items are grouped so
//! that the article is published once.

use std::collections::HashMap;
use std::hash::Hash;

use chrono::TimeDelta;

use super::StoredItem;
use super::canonical::canonical_url;
use super::evidence::Evidence;
use super::similar::{Index, by_rarity, reaches};
use super::text::bigrams;
use crate::parallel;

/// Titles at least this similar (Jaccard of character bigrams) are the same article.
pub const TITLE_SIMILARITY: f64 = 0.8;

/// Only titles this close in time are compared: the same words a week apart are a new story.
pub const TITLE_WINDOW: TimeDelta = TimeDelta::hours(48);

/// Shortest guid trusted across feeds: short ones ("123") are only unique within their own feed.
const GLOBAL_ID_CHARS: usize = 20;

/// Which test found two items to be one article.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Same {
    Guid,
    Url,
    Title,
}

/// Items that are one article: the groups, and the pairs that joined them.
pub struct Duplicates {
    /// Groups of indexes into the items, each in index order, in the order of their first index.
    pub groups: Vec<Vec<usize>>,
    /// The pairs that joined two groups, with the test that found them alike: one per item a
    /// group has beyond its first.
    pub joins: Vec<(usize, usize, Same)>,
}

/// The items that are one article. `items` must be sorted newest first; `titles` are their
/// [`comparable_title`](super::text::comparable_title)s.
pub fn duplicates(items: &[StoredItem], titles: &[String]) -> Duplicates {
    // Which items are one article does not depend on the order they are joined in, so the
    // pairs of equal keys and of similar titles are found at the same time.
    let (similar, (guids, urls)) = parallel::join(
        || similar_titles(items, titles),
        || {
            let guids = equal_keys(items.iter().map(global_id));
            let urls = parallel::map(items, |stored| {
                stored.item.link.as_deref().and_then(canonical_url)
            });
            (guids, equal_keys(urls.into_iter()))
        },
    );
    let mut groups = UnionFind::new(items.len());
    let mut joins = Vec::new();
    let tested = [
        (guids, Same::Guid),
        (urls, Same::Url),
        (similar, Same::Title),
    ];
    for (pairs, same) in tested {
        for (a, b) in pairs {
            if groups.join(a, b) {
                joins.push((a, b, same));
            }
        }
    }
    Duplicates {
        groups: groups.sets(),
        joins,
    }
}

/// The item's id when it can only belong to this article: a URL, URN or tag, or a long token.
fn global_id(stored: &StoredItem) -> Option<&str> {
    let id = stored.item.id.as_str();
    (id.contains(':') || id.chars().count() >= GLOBAL_ID_CHARS).then_some(id)
}

/// Pairs of items that share a key: each keyed item with the first that has its key.
fn equal_keys<K: Hash + Eq>(keys: impl Iterator<Item = Option<K>>) -> Vec<(usize, usize)> {
    let mut first: HashMap<K, usize> = HashMap::new();
    keys.enumerate()
        .filter_map(|(index, key)| Some((*first.entry(key?).or_insert(index), index)))
        .collect()
}

/// Pairs of items whose comparable titles are near-duplicates within [`TITLE_WINDOW`].
fn similar_titles(items: &[StoredItem], titles: &[String]) -> Vec<(usize, usize)> {
    let sets: Vec<Vec<u64>> = parallel::map(titles, |title| bigrams(title));
    let (sets, tokens) = by_rarity(&sets);
    let mut index = Index::new(TITLE_SIMILARITY, &sets, tokens);
    let mut pairs = Vec::new();
    for (at, set) in sets.iter().enumerate() {
        if set.is_empty() {
            continue;
        }
        let date = items[at].date();
        // Items come newest first, so an item too new for this one is too new for older ones.
        let expired = |other: usize| items[other].date() - date > TITLE_WINDOW;
        for other in index.candidates(set, expired) {
            if reaches(set, &sets[other], TITLE_SIMILARITY) {
                pairs.push((other, at));
            }
        }
        index.insert(at, set);
    }
    // Near-identical titles are still two articles when their numbers, places or people
    // differ ("Economy story 1" and "2"): checked on these few pairs only.
    let apart = parallel::map(&pairs, |&(a, b)| {
        let evidence = |at: usize| Evidence::of(&titles[at], items[at].item.summary.as_deref());
        evidence(a).copy_conflict(&evidence(b)).is_some()
    });
    pairs
        .into_iter()
        .zip(apart)
        .filter_map(|(pair, apart)| (!apart).then_some(pair))
        .collect()
}

/// Disjoint sets of indexes, joined with path halving.
struct UnionFind {
    parent: Vec<usize>,
}

impl UnionFind {
    fn new(len: usize) -> UnionFind {
        UnionFind {
            parent: (0..len).collect(),
        }
    }

    fn root(&mut self, mut at: usize) -> usize {
        while self.parent[at] != at {
            self.parent[at] = self.parent[self.parent[at]];
            at = self.parent[at];
        }
        at
    }

    /// The smaller root wins, so that a group's root is its first index. Whether `a` and `b`
    /// were apart.
    fn join(&mut self, a: usize, b: usize) -> bool {
        let (a, b) = (self.root(a), self.root(b));
        let (low, high) = (a.min(b), a.max(b));
        self.parent[high] = low;
        low != high
    }

    /// Every set, in the order of its first index.
    fn sets(mut self) -> Vec<Vec<usize>> {
        let mut by_root: Vec<Vec<usize>> = vec![Vec::new(); self.parent.len()];
        for at in 0..self.parent.len() {
            let root = self.root(at);
            by_root[root].push(at);
        }
        by_root.into_iter().filter(|set| !set.is_empty()).collect()
    }
}
