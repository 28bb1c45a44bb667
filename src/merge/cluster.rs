//! Story clusters: different papers' articles on one story, told apart from stories that merely
//! share words.
//!
//! Two articles are on the same story when each one's title words are mostly found in the other's
//! title and lede ([`COVERAGE`]), they are within [`WINDOW`] of each other, and no evidence keeps
//! them apart (different numbers, places or people: [`Evidence::conflict`]). Coverage rather than plain similarity, because papers headline the
//! same facts in different words but repeat them in the lede. Clusters grow around their earliest
//! article (the leader) and are only joined through it, so that A≈B and B≈C never chain A to C.
//!
//! Which leaders an article is compared with is defined by shared title words ([`MIN_SHARED`],
//! [`MAX_LEADERS_PER_TOKEN`]); finding them by walking every shared word's leaders would be most
//! of a merge's time. Since a match also needs [`COVERAGE`], each article is instead indexed under
//! enough of its rarest title words that any article covering it must contain some of them
//! (prefix filtering), and the few earlier articles found are checked against the full
//! definition. Whether two articles tell one story does not depend on which articles lead, so
//! that is worked out for all of them on every core; only the choice among the leaders goes one
//! article at a time. The stories are exactly those of comparing every pair (a test holds the
//! index to that).

use chrono::{DateTime, TimeDelta, Utc};

use super::StoredItem;
use std::sync::OnceLock;

use super::evidence::{self, Evidence};
use super::similar::{TokenMap, posting_offsets};
use super::text::{push_word_bigrams, word_bigrams};
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

/// What clustering looks at in one article.
struct Features<'a> {
    title: Vec<u64>,
    /// Title and lede.
    text: Vec<u64>,
    /// The comparable title and the summary, read again for [`Features::evidence`] rather than
    /// kept as evidence reads them: a copy of every article's text held through the merge was
    /// a fifth of a large cycle's peak memory, and few articles meet a candidate.
    comparable: &'a str,
    summary: Option<&'a str>,
    /// The numbers, places and people that keep it apart from stories that share its words:
    /// worked out when the article first meets a candidate, since reading it costs more than
    /// everything else an article's features need and most articles never meet one.
    evidence: OnceLock<Evidence>,
}

impl<'a> Features<'a> {
    /// `comparable` is the article's comparable title. The text is the title, a line break and the
    /// lede, both with short forms read as their full form; as words never span the line break,
    /// its tokens are those of each part.
    fn new(stored: &'a StoredItem, comparable: &'a str) -> Features<'a> {
        let (title, lede) = evidence::read(comparable, stored.item.summary.as_deref());
        let title_tokens = word_bigrams(&title);
        let mut text = Vec::with_capacity(title_tokens.len() + lede.len() / 2);
        text.extend_from_slice(&title_tokens);
        push_word_bigrams(&lede, &mut text);
        text.sort_unstable();
        text.dedup();
        // Held for the whole merge: without repeats and the spare room of the estimate above,
        // it takes a fraction of the memory (a third at 40,000 articles).
        text.shrink_to_fit();
        Features {
            title: title_tokens,
            text,
            comparable,
            summary: stored.item.summary.as_deref(),
            evidence: OnceLock::new(),
        }
    }

    fn evidence(&self) -> &Evidence {
        self.evidence.get_or_init(|| {
            let (title, lede) = evidence::read(self.comparable, self.summary);
            Evidence::new(&title, &lede)
        })
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

/// How closely two articles tell one story, the lesser of their two coverages, if they do (time
/// and sources aside). `b`'s title is read against `a`'s text first: callers pass the article in
/// hand as `a`, whose text is already in the cache, and that check rules out most pairs.
fn story_score(a: &Features, b: &Features) -> Option<f64> {
    let b_in_a = coverage(&b.title, &a.text);
    if b_in_a < COVERAGE {
        return None;
    }
    let a_in_b = coverage(&a.title, &b.text);
    (a_in_b >= COVERAGE && a.evidence().conflict(b.evidence()).is_none())
        .then_some(a_in_b.min(b_in_a))
}

/// A title token in more than one in this many titles (and more than [`STOP_MIN`]) is a stop
/// word: like "대전" in a Daejeon paper, it tells no story apart, and walking its leaders would
/// make merging quadratic in the number of items. Measured on the test fixtures, no story is
/// lost by it (see the README).
const STOP_SHARE: usize = 20;

/// Fewest titles a stop word is in: a small store has no stop words, and clusters exactly.
const STOP_MIN: usize = 2_000;

/// Most leaders an article looks at in all, through its rarest tokens first and each token's
/// newest (nearest in time) leaders first: on any input an article costs at most this, so
/// merging grows linearly with the items. Only an article whose tokens are held by more leaders
/// than this within [`WINDOW`] is cut short, and then in its commonest tokens.
const MAX_WALK: usize = 256;

/// How many of its indexed tokens a leader must share with an article's text to be checked
/// further: indexing a leader under this many more tokens than the fewest that find every
/// article covering it leaves out the many that share one rare word by chance.
const INDEXED_HITS: usize = 3;

/// What clustering reads of every item, worked out before dedup has grouped the items into
/// articles, so that the two can run at the same time.
pub struct Prepared<'a> {
    features: Vec<Features<'a>>,
    /// Each item's title tokens as dense ids.
    title_ids: Vec<Vec<u32>>,
    /// Each item's text tokens that are some title's and no stop word, as ids, rarest first:
    /// only those can find a leader.
    text_ids: Vec<Vec<u32>>,
    /// Each item's title tokens it is indexed under as a possible leader, and how many of them
    /// an article's text must hold (see [`prefix`]).
    prefixes: Vec<(Vec<u32>, u8)>,
    /// How many distinct title tokens there are: ids are `0..tokens`.
    tokens: usize,
}

impl<'a> Prepared<'a> {
    /// `titles` are the items' comparable titles.
    pub fn new(items: &'a [StoredItem], titles: &'a [String]) -> Prepared<'a> {
        let at: Vec<usize> = (0..items.len()).collect();
        let features = parallel::map(&at, |&at| Features::new(&items[at], &titles[at]));
        let mut ids: TokenMap<u32> = TokenMap::default();
        let mut frequency: Vec<u32> = Vec::new();
        let title_ids: Vec<Vec<u32>> = features
            .iter()
            .map(|features| {
                let title = features.title.iter();
                title
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
        // A token in more titles than this is a stop word: it finds no leaders.
        let stop = (items.len() / STOP_SHARE).max(STOP_MIN) as u32;
        let text_ids = parallel::map(&features, |features| {
            let text = features.text.iter();
            let ids = text.filter_map(|token| ids.get(token).copied());
            let mut ids: Vec<u32> = ids.filter(|&id| frequency[id as usize] <= stop).collect();
            // Rarest first: the walk's budget goes to the tokens that tell most.
            ids.sort_unstable_by_key(|&id| (frequency[id as usize], id));
            ids
        });
        let prefixes = parallel::map(&title_ids, |ids| prefix(ids, &frequency, stop));
        Prepared {
            features,
            title_ids,
            text_ids,
            prefixes,
            tokens: frequency.len(),
        }
    }
}

/// The rarest of a title's token `ids` (by their `frequency`) that it is indexed under as a
/// leader, and how many of them an article's text must hold. A leader can only match an article
/// whose text holds [`needed`] of its title tokens: indexed under all but
/// `needed - INDEXED_HITS` of them, the rarest ones, it is found through at least
/// `INDEXED_HITS` of them in any such text. Stop words (in more than `stop` titles) are left
/// out, and fewer hits required if fewer tokens remain: a title of common words only is found
/// through its rarer ones, or not at all.
fn prefix(ids: &[u32], frequency: &[u32], stop: u32) -> (Vec<u32>, u8) {
    let Some(needed) = needed(ids.len()) else {
        // Indexed under no token, so never found.
        return (Vec::new(), u8::MAX);
    };
    let required = needed.min(INDEXED_HITS);
    let mut rarest = ids.to_vec();
    rarest.sort_unstable_by_key(|&token| (frequency[token as usize], token));
    rarest.truncate(ids.len() + required - needed);
    rarest.retain(|&token| frequency[token as usize] <= stop);
    match required.min(rarest.len()) {
        0 => (Vec::new(), u8::MAX),
        required => (rarest, required as u8),
    }
}

/// Every group as a possible leader, oldest first ("positions"), and how to find the ones an
/// article may join.
struct Index<'a> {
    prepared: &'a Prepared<'a>,
    /// Position → the item its group is compared by: its oldest.
    item: Vec<usize>,
    /// Position → its date, ascending.
    dates: Vec<DateTime<Utc>>,
    /// The positions indexed under each token id, ascending: those of token `t` are
    /// `postings[offsets[t]..offsets[t + 1]]`. One array rather than a list per token, as
    /// walking them is bound by memory reads.
    offsets: Vec<u32>,
    postings: Vec<u32>,
}

impl<'a> Index<'a> {
    /// Indexes the items at `item` (one per position, oldest first, dated `dates`) under their
    /// prefixes.
    fn new(prepared: &'a Prepared<'a>, item: Vec<usize>, dates: Vec<DateTime<Utc>>) -> Index<'a> {
        let prefixes = || item.iter().map(|&at| prepared.prefixes[at].0.as_slice());
        let offsets = posting_offsets(prepared.tokens, prefixes());
        let mut fill = offsets.clone();
        let mut postings = vec![0u32; offsets[prepared.tokens] as usize];
        for (position, prefix) in prefixes().enumerate() {
            for &token in prefix {
                postings[fill[token as usize] as usize] = position as u32;
                fill[token as usize] += 1;
            }
        }
        Index {
            prepared,
            item,
            dates,
            offsets,
            postings,
        }
    }

    /// [`Index::matches`] of every position, worked out on every core.
    fn all_matches(&self) -> Vec<Vec<(u32, f64)>> {
        let positions: Vec<usize> = (0..self.item.len()).collect();
        let walk = || Walk {
            counts: (self.item.iter())
                .map(|&at| Count {
                    article: u32::MAX,
                    hits: 0,
                    required: self.prepared.prefixes[at].1,
                })
                .collect(),
            starts: vec![0; self.prepared.tokens],
            ends: vec![0; self.prepared.tokens],
            window_start: 0,
        };
        parallel::map_with(&positions, walk, |walk, &position| {
            self.matches(walk, position)
        })
    }

    fn features(&self, position: usize) -> &Features<'_> {
        &self.prepared.features[self.item[position]]
    }

    /// The earlier positions within [`WINDOW`] that tell the same story as `position` (by
    /// coverage, dates and sums: feeds and leadership are for the caller), with their
    /// [`story_score`]. `walk` carries what the previous call of the same thread found out;
    /// positions must come ascending.
    fn matches(&self, walk: &mut Walk, position: usize) -> Vec<(u32, f64)> {
        let this = self.features(position);
        if this.title.len() < MIN_SHARED {
            // Too few title tokens to share enough with any leader.
            return Vec::new();
        }
        let date = self.dates[position];
        while date - self.dates[walk.window_start] > WINDOW {
            walk.window_start += 1;
        }
        let (window_start, end) = (walk.window_start as u32, position as u32);
        // Only the earlier positions found through as many tokens as they require are looked
        // at further: a few of the many found at all.
        let mut found = Vec::new();
        let mut budget = MAX_WALK;
        for &token in &self.prepared.text_ids[self.item[position]] {
            if budget == 0 {
                break;
            }
            let token = token as usize;
            let (from, to) = (self.offsets[token], self.offsets[token + 1]);
            let posting = &self.postings[from as usize..to as usize];
            let (start, stop) = (&mut walk.starts[token], &mut walk.ends[token]);
            while posting
                .get(*start as usize)
                .is_some_and(|&p| p < window_start)
            {
                *start += 1;
            }
            *stop = (*stop).max(*start);
            while posting.get(*stop as usize).is_some_and(|&p| p < end) {
                *stop += 1;
            }
            // The newest leaders before this article that hold the token, within the budget.
            let first = (*start as usize).max((*stop as usize).saturating_sub(budget));
            budget -= *stop as usize - first;
            for &other in &posting[first..*stop as usize] {
                let count = &mut walk.counts[other as usize];
                if count.article != end {
                    (count.article, count.hits) = (end, 0);
                }
                if count.hits < count.required {
                    count.hits += 1;
                    if count.hits == count.required {
                        found.push(other);
                    }
                }
            }
        }
        found
            .into_iter()
            .filter_map(|other| {
                let score = story_score(this, self.features(other as usize))?;
                Some((other, score))
            })
            .collect()
    }
}

/// One thread's scratch space while finding matches, positions ascending.
struct Walk {
    /// Position → how often the current article found it.
    counts: Vec<Count>,
    /// Token id → how far its posting is behind the window.
    starts: Vec<u32>,
    /// Token id → how far its posting is before the current article.
    ends: Vec<u32>,
    /// The first position within the window of the current article.
    window_start: usize,
}

/// How often an article found a position, next to how often it must: walking the postings is
/// bound by memory reads, and each visit reads this one place.
#[derive(Clone, Copy)]
struct Count {
    /// The position of the article the hits are of: older hits count as none.
    article: u32,
    hits: u8,
    required: u8,
}

/// The leaders so far (each the first group of its story): what choosing between them needs.
struct Leaders {
    /// Position → its story's number if it leads one.
    story: Vec<Option<u32>>,
    /// Story number → the feeds (indexes into the config's) of its items, sorted.
    feeds: Vec<Vec<usize>>,
    /// Story number → what its articles name together, once it has more than its leader's.
    evidence: Vec<Option<Evidence>>,
    /// Title token id → every leader's position whose title holds it, ascending.
    by_title: Vec<Vec<u32>>,
}

impl Leaders {
    /// The title tokens `leader` shares with `title` that count towards [`MIN_SHARED`] (those
    /// for which it is among the newest [`MAX_LEADERS_PER_TOKEN`] leaders), and the smallest
    /// of them. `title` is sorted; `title_ids` are its tokens' ids.
    fn shared(
        &self,
        leader: u32,
        leader_title: &[u64],
        title: &[u64],
        title_ids: &[u32],
    ) -> (usize, Option<u64>) {
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
/// of its feeds (a paper's follow-ups stay separate articles). `prepared` is of the items, and
/// `feeds` their feeds' indexes in the config.
///
/// A group is compared with the leaders of the last [`WINDOW`] that share at least
/// [`MIN_SHARED`] title tokens with it, and joins the one it matches best (the first found on a
/// tie, leaders being looked at by their smallest shared token, then oldest first). Which
/// earlier groups tell the same story does not depend on which of them lead, so that is found
/// for every group on every core first; only the choice among leaders goes one group at a time.
pub fn stories(
    items: &[StoredItem],
    prepared: &Prepared,
    feeds: &[usize],
    mut groups: Vec<Vec<usize>>,
) -> Clustered {
    // Oldest first, so that leaders are the earliest articles. Items are newest first, so a
    // group's last index is its oldest item.
    let oldest = |group: &Vec<usize>| group.last().copied().unwrap_or_default();
    let mut order: Vec<usize> = (0..groups.len()).collect();
    order.sort_by_key(|&g| std::cmp::Reverse(oldest(&groups[g])));
    let item: Vec<usize> = order.iter().map(|&g| oldest(&groups[g])).collect();
    let dates = item.iter().map(|&at| items[at].date()).collect();

    let tokens = prepared.tokens;
    let index = Index::new(prepared, item, dates);
    let matches = index.all_matches();

    let mut leaders = Leaders {
        story: vec![None; order.len()],
        feeds: Vec::new(),
        evidence: Vec::new(),
        by_title: vec![Vec::new(); tokens],
    };
    let mut stories: Vec<Vec<usize>> = Vec::new();
    let mut joins = Vec::new();
    for (position, (&g, matches)) in order.iter().zip(&matches).enumerate() {
        let at = index.item[position];
        let this = &prepared.features[at];
        // (score, smallest shared token, leader, its story): the best score, first found on a tie.
        let mut best: Option<(f64, Option<u64>, u32, u32)> = None;
        for &(leader, score) in matches {
            let Some(story) = leaders.story[leader as usize] else {
                continue;
            };
            let other = index.features(leader as usize);
            let (shared, first) =
                leaders.shared(leader, &other.title, &this.title, &prepared.title_ids[at]);
            let story_feeds = &leaders.feeds[story as usize];
            let shares_feed =
                (groups[g].iter()).any(|&at| story_feeds.binary_search(&feeds[at]).is_ok());
            let apart = || {
                let story = leaders.evidence[story as usize].as_ref();
                story.is_some_and(|story| this.evidence().story_conflict(story).is_some())
            };
            if shared < MIN_SHARED || shares_feed || apart() {
                continue;
            }
            let better = best.is_none_or(|(top, top_first, top_leader, _)| {
                score > top || (score == top && (first, leader) < (top_first, top_leader))
            });
            if better {
                best = Some((score, first, leader, story));
            }
        }
        match best {
            Some((score, _, leader_position, story)) => {
                let story = story as usize;
                joins.push((at, index.item[leader_position as usize], score));
                // Read before the story grows: until it first does, it is its leader's group,
                // whose last index is the leader's item.
                let leader = stories[story].last().copied().unwrap_or_default();
                stories[story].extend(&groups[g]);
                let story_feeds = &mut leaders.feeds[story];
                story_feeds.extend(groups[g].iter().map(|&at| feeds[at]));
                story_feeds.sort_unstable();
                story_feeds.dedup();
                leaders.evidence[story]
                    .get_or_insert_with(|| prepared.features[leader].evidence().clone())
                    .extend(this.evidence());
            }
            None => {
                leaders.story[position] = Some(stories.len() as u32);
                let mut story_feeds: Vec<usize> = groups[g].iter().map(|&at| feeds[at]).collect();
                story_feeds.sort_unstable();
                story_feeds.dedup();
                leaders.feeds.push(story_feeds);
                leaders.evidence.push(None);
                for &token in &prepared.title_ids[at] {
                    leaders.by_title[token as usize].push(position as u32);
                }
                // Each group is placed once: the story can have the group itself, not a copy.
                stories.push(std::mem::take(&mut groups[g]));
            }
        }
    }
    for story in &mut stories {
        story.sort_unstable();
    }
    stories.sort_unstable_by_key(|story| story.first().copied().unwrap_or_default());
    Clustered { stories, joins }
}

/// Stories, and how their articles joined them.
pub struct Clustered {
    /// Each story's indexes into the items, sorted; stories in the order of their first index.
    pub stories: Vec<Vec<usize>>,
    /// For each article that joined a story: its oldest item, the leader's item, and their
    /// [`story_score`].
    pub joins: Vec<(usize, usize, f64)>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merge::text::comparable_title;

    /// A two-syllable word for `n`: a small vocabulary, so that many headlines share words.
    fn word(n: usize) -> String {
        let syllable = |i: usize| char::from_u32(0xAC00 + (i * 37 % 2000) as u32).unwrap_or('가');
        [syllable(n), syllable(n * 7 + 3)].iter().collect()
    }

    /// `count` articles six minutes apart, oldest first. Most headlines are five words drawn
    /// from 300 (the first ones far more often); every seventh retells an article of a few hours
    /// before in other words, and some name sums, so that stories, near misses and sums that
    /// differ all occur.
    fn articles(count: usize) -> Vec<StoredItem> {
        let draw = |n: usize, i: usize| {
            let x = (n.wrapping_mul(2_654_435_761) + i * 40_503) % 90_000;
            word(x * x / 90_000 / 300)
        };
        let start: DateTime<Utc> = "2026-11-01T00:00:00Z".parse().unwrap_or_default();
        (0..count)
            .map(|n| {
                let story = if n % 7 == 6 {
                    n.saturating_sub(1 + n % 40)
                } else {
                    n
                };
                let mut words: Vec<String> = (0..5).map(|i| draw(story, i)).collect();
                if story != n {
                    words[n % 5] = draw(n, 9);
                }
                if story % 4 == 0 {
                    words.push(format!("{}억", story % 3 + n % 2));
                }
                let title = words.join(" ");
                let lede = format!("{} {} {}", words[1..].join(" "), draw(n, 7), draw(story, 8));
                let date = start + TimeDelta::minutes(6 * n as i64);
                let feed_url = format!("https://paper{}.example/rss", n % 9);
                StoredItem::sample(&feed_url, &n.to_string(), date)
                    .with_title(title)
                    .with_summary(lede)
            })
            .collect()
    }

    /// The index and the walk on several cores (more positions than a thread's smallest share)
    /// are only a faster way to compare every pair: they must find the same pairs.
    #[test]
    fn the_index_finds_what_comparing_every_pair_finds() {
        let items = articles(4500);
        let titles: Vec<String> = (items.iter())
            .map(|stored| comparable_title(&stored.item.title))
            .collect();
        let prepared = Prepared::new(&items, &titles);
        let dates: Vec<DateTime<Utc>> = items.iter().map(StoredItem::date).collect();
        let index = Index::new(&prepared, (0..items.len()).collect(), dates.clone());
        let found = index.all_matches();

        let mut pairs = 0;
        for (position, found) in found.iter().enumerate() {
            let this = &prepared.features[position];
            let mut expected: Vec<(u32, f64)> = Vec::new();
            if this.title.len() >= MIN_SHARED {
                for other in 0..position {
                    let score = story_score(this, &prepared.features[other]);
                    if let Some(score) = score.filter(|_| dates[position] - dates[other] <= WINDOW)
                    {
                        expected.push((other as u32, score));
                    }
                }
            }
            let mut found = found.clone();
            found.sort_unstable_by_key(|&(other, _)| other);
            assert_eq!(found, expected, "article {position}: {}", titles[position]);
            pairs += expected.len();
        }
        assert!(
            pairs > 300,
            "the articles hold too few stories to test: {pairs}"
        );
    }
}
