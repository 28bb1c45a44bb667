//! Story clusters: different papers' articles on one story, told apart from stories that merely
//! share words.
//!
//! Two articles are on the same story when each one's title words are mostly found in the other's
//! title and lede ([`COVERAGE`]), they are within [`WINDOW`] of each other, and they name no
//! different sums of money. Coverage rather than plain similarity, because papers headline the
//! same facts in different words but repeat them in the lede. Clusters grow around their earliest
//! article (the leader) and are only joined through it, so that A≈B and B≈C never chain A to C.
//!
//! Which leaders an article is compared with is defined by shared title words ([`MIN_SHARED`],
//! [`MAX_LEADERS_PER_TOKEN`]); finding them by walking every shared word's leaders would be most
//! of a merge's time. Since a match also needs [`COVERAGE`], each leader is instead indexed under
//! enough of its rarest title words that any article covering it must contain some of them
//! (prefix filtering), and the few leaders found are then checked against the full definition:
//! the stories are exactly those of comparing every pair.

use chrono::{DateTime, TimeDelta, Utc};

use super::StoredItem;
use super::similar::TokenMap;
use super::text::{amounts, names_no_amount, push_word_bigrams, word_bigrams};
use crate::parallel;

/// Share of a title's word bigrams the other article must contain, both ways.
pub const COVERAGE: f64 = 0.5;

/// Articles further apart than this are separate stories.
pub const WINDOW: TimeDelta = TimeDelta::hours(24);

/// Fewest title bigrams (a two-syllable word is one) two titles on one story share: checking
/// only those pairs keeps a day of news from being compared pair by pair.
const MIN_SHARED: usize = 3;

/// A shared title bigram only counts towards [`MIN_SHARED`] for the newest this many leaders
/// holding it: a token this common in one day tells no story apart, and the newest leaders are
/// the likeliest anyway.
const MAX_LEADERS_PER_TOKEN: usize = 200;

/// How much of a summary counts as the lede: enough for who, what and how much.
const LEDE_CHARS: usize = 120;

/// What clustering looks at in one article.
struct Features {
    title: Vec<u64>,
    /// Title and lede.
    text: Vec<u64>,
    title_amounts: Vec<u64>,
    text_amounts: Vec<u64>,
}

impl Features {
    /// `title` is the article's comparable title. The text is the title, a line break and the
    /// lede; as words never span the line break, its tokens are those of each part.
    fn new(stored: &StoredItem, title: &str) -> Features {
        let summary = stored.item.summary.as_deref().unwrap_or_default();
        let lede = summary
            .char_indices()
            .nth(LEDE_CHARS)
            .map_or(summary, |(end, _)| &summary[..end]);
        let title_tokens = word_bigrams(title);
        let mut text = Vec::with_capacity(title_tokens.len() + lede.len() / 2);
        text.extend_from_slice(&title_tokens);
        push_word_bigrams(lede, &mut text);
        text.sort_unstable();
        text.dedup();
        let title_amounts = amounts(title);
        // An amount can continue across the line break ("6조" then "8000억"), so amounts are read
        // in the whole text; without a digit in the lede they are the title's.
        let text_amounts = if names_no_amount(lede) {
            title_amounts.clone()
        } else {
            amounts(&format!("{title}\n{lede}"))
        };
        Features {
            title: title_tokens,
            text,
            title_amounts,
            text_amounts,
        }
    }
}

/// Share of `title` found in `text` (both sorted).
fn coverage(title: &[u64], text: &[u64]) -> f64 {
    if title.is_empty() {
        return 0.0;
    }
    let found = title
        .iter()
        .filter(|gram| text.binary_search(gram).is_ok())
        .count();
    found as f64 / title.len() as f64
}

/// Fewest of `len` title tokens another text must hold to reach [`COVERAGE`], if any number can.
fn needed(len: usize) -> Option<usize> {
    (0..=len).find(|&found| found as f64 / len as f64 >= COVERAGE)
}

/// Whether a sum in one title is missing from the other article that names sums of its own.
fn sums_differ(a: &Features, b: &Features) -> bool {
    let missing = |title: &[u64], text: &[u64]| {
        !title.is_empty() && !text.is_empty() && !title.iter().any(|sum| text.contains(sum))
    };
    missing(&a.title_amounts, &b.text_amounts) || missing(&b.title_amounts, &a.text_amounts)
}

/// Whether two articles tell the same story (time and sources aside).
fn same_story(a: &Features, b: &Features) -> bool {
    coverage(&a.title, &b.text) >= COVERAGE
        && coverage(&b.title, &a.text) >= COVERAGE
        && !sums_differ(a, b)
}

/// How many of its indexed tokens a leader must share with an article's text to be checked
/// further: indexing a leader under this many more tokens than the fewest that find every
/// article covering it leaves out the many that share one rare word by chance.
const INDEXED_HITS: usize = 3;

/// The leaders so far (each the first group of its story) and how to find them.
struct Leaders {
    /// Leader number → its group; leaders are numbered in the order they came, oldest first.
    group: Vec<usize>,
    /// Leader number → its date. Leaders come oldest first, so those that have left the
    /// window are the numbers below [`Leaders::expired`], and postings need no dates.
    dates: Vec<DateTime<Utc>>,
    /// How many leaders (the oldest) are out of the window of the article being placed.
    expired: u32,
    /// Leader number → the feeds (indexes into the config's) of its story's items.
    feeds: Vec<Vec<usize>>,
    /// Leader number → through how many tokens the article being placed found it; zero again
    /// once it is placed. One small number per leader, as walking the index is bound by memory
    /// reads.
    hits: Vec<u32>,
    /// Leader number → how many of its indexed tokens an article's text must hold.
    required: Vec<u32>,
    /// Leader number → start and end of its title tokens in [`Leaders::titles`].
    spans: Vec<(u32, u32)>,
    /// Every leader's title tokens, where [`Leaders::spans`] says.
    titles: Vec<u64>,
    /// Title token id → every leader whose title holds it, ascending.
    by_title: Vec<Vec<u32>>,
    /// Title token id → the leaders indexed under it (see [`Leaders::insert`]), ascending, and
    /// how many of them have left the window.
    by_prefix: Vec<(u32, Vec<u32>)>,
}

impl Leaders {
    /// Adds `group` as a leader with the `feeds` of its items. A leader can only match an
    /// article whose text holds [`needed`] of its `title` tokens: indexed under all but
    /// `needed - INDEXED_HITS` of them, the rarest ones, it is found through at least
    /// `INDEXED_HITS` of them in any such text.
    fn insert(
        &mut self,
        group: usize,
        date: DateTime<Utc>,
        feeds: Vec<usize>,
        title: &[u64],
        ids: &[u32],
        frequency: &[u32],
    ) {
        let number = self.group.len() as u32;
        self.group.push(group);
        self.dates.push(date);
        self.feeds.push(feeds);
        let start = self.titles.len() as u32;
        self.titles.extend_from_slice(title);
        self.spans.push((start, self.titles.len() as u32));
        for &token in ids {
            self.by_title[token as usize].push(number);
        }
        let needed = needed(ids.len());
        let indexed = needed.map_or(0, |needed| {
            (ids.len() + INDEXED_HITS)
                .saturating_sub(needed)
                .min(ids.len())
        });
        self.hits.push(0);
        self.required
            .push(needed.map_or(u32::MAX, |needed| (indexed + needed - ids.len()) as u32));
        let mut rarest = ids.to_vec();
        rarest.sort_unstable_by_key(|&token| (frequency[token as usize], token));
        for &token in &rarest[..indexed] {
            self.by_prefix[token as usize].1.push(number);
        }
    }

    /// The leaders within [`WINDOW`] of `date` found through enough of `text`'s tokens, each
    /// once. Dates only grow from one call to the next and leaders come oldest first, so a leader
    /// out of the window stays out, and those out are the lowest numbers.
    fn candidates(&mut self, text: &[u32], date: DateTime<Utc>, found: &mut Vec<u32>) {
        found.clear();
        while let Some(&oldest) = self.dates.get(self.expired as usize) {
            if date - oldest <= WINDOW {
                break;
            }
            self.expired += 1;
        }
        let expired = self.expired;
        for &token in text {
            let (start, leaders) = &mut self.by_prefix[token as usize];
            while leaders
                .get(*start as usize)
                .is_some_and(|&leader| leader < expired)
            {
                *start += 1;
            }
            for &leader in &leaders[*start as usize..] {
                let hits = &mut self.hits[leader as usize];
                if *hits == 0 {
                    found.push(leader);
                }
                *hits += 1;
            }
        }
        found.retain(|&leader| {
            let hits = std::mem::take(&mut self.hits[leader as usize]);
            hits >= self.required[leader as usize]
        });
    }

    fn title(&self, leader: u32) -> &[u64] {
        let (start, end) = self.spans[leader as usize];
        &self.titles[start as usize..end as usize]
    }

    /// The title tokens `leader` shares with `title` that count towards [`MIN_SHARED`] (those
    /// for which it is among the newest [`MAX_LEADERS_PER_TOKEN`] leaders), and the smallest
    /// of them. `title` is sorted; `title_ids` are its tokens' ids.
    fn shared(&self, leader: u32, title: &[u64], title_ids: &[u32]) -> (usize, Option<u64>) {
        let leader_title = self.title(leader);
        let (mut count, mut first) = (0, None);
        let (mut i, mut j) = (0, 0);
        while i < title.len() && j < leader_title.len() {
            match title[i].cmp(&leader_title[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    let holders = &self.by_title[title_ids[i] as usize];
                    let newest = holders.len().saturating_sub(MAX_LEADERS_PER_TOKEN);
                    if holders.binary_search(&leader).is_ok_and(|at| at >= newest) {
                        count += 1;
                        first = first.or(Some(title[i]));
                    }
                    i += 1;
                    j += 1;
                }
            }
        }
        (count, first)
    }
}

/// Joins `groups` (of indexes into `items`, each one article) into stories. Each story is its
/// groups' indexes, sorted; stories come in the order of their first index. The group whose
/// first item is oldest leads; a group never joins a story that already has an article from one
/// of its feeds (a paper's follow-ups stay separate articles). `titles` are the items'
/// comparable titles and `feeds` their feeds' indexes in the config.
///
/// A group is compared with the leaders of the last [`WINDOW`] that share at least
/// [`MIN_SHARED`] title tokens with it, and joins the one it matches best (the first found on a
/// tie, leaders being looked at by their smallest shared token, then oldest first).
pub fn stories(
    items: &[StoredItem],
    titles: &[String],
    feeds: &[usize],
    mut groups: Vec<Vec<usize>>,
) -> Vec<Vec<usize>> {
    // Oldest first, so that leaders are the earliest articles. Items are newest first, so a
    // group's last index is its oldest item.
    let mut order: Vec<usize> = (0..groups.len()).collect();
    let oldest = |group: &Vec<usize>| group.last().copied().unwrap_or_default();
    order.sort_by_key(|&g| std::cmp::Reverse(oldest(&groups[g])));

    let features: Vec<Features> = parallel::map(&groups, |group| {
        Features::new(&items[oldest(group)], &titles[oldest(group)])
    });
    let dates: Vec<DateTime<Utc>> = groups
        .iter()
        .map(|group| items[oldest(group)].date())
        .collect();

    // Title tokens as dense ids, and how many titles hold each.
    let mut ids: TokenMap<u32> = TokenMap::default();
    let mut frequency: Vec<u32> = Vec::new();
    let title_ids: Vec<Vec<u32>> = features
        .iter()
        .map(|features| {
            features
                .title
                .iter()
                .map(|&token| {
                    let id = *ids.entry(token).or_insert_with(|| {
                        frequency.push(0);
                        frequency.len() as u32 - 1
                    });
                    frequency[id as usize] += 1;
                    id
                })
                .collect()
        })
        .collect();

    // Each text's tokens that are some title's, as ids: only those can find a leader.
    let text_ids: Vec<Vec<u32>> = parallel::map(&features, |features| {
        let text = features.text.iter();
        text.filter_map(|token| ids.get(token).copied()).collect()
    });

    let mut leaders = Leaders {
        group: Vec::new(),
        dates: Vec::new(),
        expired: 0,
        feeds: Vec::new(),
        hits: Vec::new(),
        required: Vec::new(),
        spans: Vec::new(),
        titles: Vec::new(),
        by_title: vec![Vec::new(); frequency.len()],
        by_prefix: vec![(0, Vec::new()); frequency.len()],
    };
    // Leader number → its story's items; a story's number is its leader's.
    let mut stories: Vec<Vec<usize>> = Vec::new();
    let mut found: Vec<u32> = Vec::new();
    for &g in &order {
        let this = &features[g];
        if this.title.len() >= MIN_SHARED {
            leaders.candidates(&text_ids[g], dates[g], &mut found);
        } else {
            // Too few title tokens to share enough with any leader.
            found.clear();
        }
        // (score, smallest shared token, leader): the best score, first found on a tie.
        let mut best: Option<(f64, Option<u64>, u32)> = None;
        for &leader in &found {
            // The leader's title against this text first: it reads the least that is not
            // already in the cache, and rules out most leaders found.
            if coverage(leaders.title(leader), &this.text) < COVERAGE {
                continue;
            }
            let other = &features[leaders.group[leader as usize]];
            if !same_story(this, other) {
                continue;
            }
            let (shared, first) = leaders.shared(leader, &this.title, &title_ids[g]);
            let shares_feed = groups[g]
                .iter()
                .any(|&at| leaders.feeds[leader as usize].contains(&feeds[at]));
            if shared < MIN_SHARED || shares_feed {
                continue;
            }
            let score = coverage(&this.title, &other.text).min(coverage(&other.title, &this.text));
            let better = best.is_none_or(|(top, top_first, top_leader)| {
                score > top || (score == top && (first, leader) < (top_first, top_leader))
            });
            if better {
                best = Some((score, first, leader));
            }
        }
        match best {
            Some((_, _, leader)) => {
                let leader = leader as usize;
                stories[leader].extend(&groups[g]);
                leaders.feeds[leader].extend(groups[g].iter().map(|&at| feeds[at]));
            }
            None => {
                let group_feeds = groups[g].iter().map(|&at| feeds[at]).collect();
                // Each group is placed once: the story can have the group itself, not a copy.
                stories.push(std::mem::take(&mut groups[g]));
                leaders.insert(
                    g,
                    dates[g],
                    group_feeds,
                    &this.title,
                    &title_ids[g],
                    &frequency,
                );
            }
        }
    }
    for story in &mut stories {
        story.sort_unstable();
    }
    stories.sort_unstable_by_key(|story| story.first().copied().unwrap_or_default());
    stories
}
