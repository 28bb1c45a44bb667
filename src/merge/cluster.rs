//! Story clusters: different papers' articles on one story, told apart from stories that merely
//! share words.
//!
//! Two articles are on the same story when each one's title words are mostly found in the other's
//! title and lede ([`COVERAGE`]), they are within [`WINDOW`] of each other, and they name no
//! different sums of money. Coverage rather than plain similarity, because papers headline the
//! same facts in different words but repeat them in the lede. Clusters grow around their earliest
//! article (the leader) and are only joined through it, so that A≈B and B≈C never chain A to C.

use std::collections::HashMap;

use chrono::TimeDelta;

use super::StoredItem;
use super::text::{amounts, comparable_title, word_bigrams};

/// Share of a title's word bigrams the other article must contain, both ways.
pub const COVERAGE: f64 = 0.5;

/// Articles further apart than this are separate stories.
pub const WINDOW: TimeDelta = TimeDelta::hours(24);

/// Fewest title bigrams (a two-syllable word is one) two titles on one story share: checking
/// only those pairs keeps a day of news from being compared pair by pair.
const MIN_SHARED: usize = 3;

/// Most leaders looked at through one title token (see [`stories`]).
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
    fn new(stored: &StoredItem) -> Features {
        let title = comparable_title(&stored.item.title);
        let lede: String = stored
            .item
            .summary
            .as_deref()
            .unwrap_or_default()
            .chars()
            .take(LEDE_CHARS)
            .collect();
        let text = format!("{title}\n{lede}");
        Features {
            title: word_bigrams(&title),
            text: word_bigrams(&text),
            title_amounts: amounts(&title),
            text_amounts: amounts(&text),
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

/// Joins `groups` (of indexes into `items`, each one article) into stories. Each story is its
/// groups' indexes, sorted; stories come in the order of their first index. The group whose
/// first item is oldest leads; a group never joins a story that already has an article from one
/// of its feeds (a paper's follow-ups stay separate articles).
pub fn stories(items: &[StoredItem], groups: Vec<Vec<usize>>) -> Vec<Vec<usize>> {
    // Oldest first, so that leaders are the earliest articles. Items are newest first, so a
    // group's last index is its oldest item.
    let mut order: Vec<usize> = (0..groups.len()).collect();
    let oldest = |group: &Vec<usize>| group.last().copied().unwrap_or_default();
    order.sort_by_key(|&g| std::cmp::Reverse(oldest(&groups[g])));

    let features: Vec<Features> = groups
        .iter()
        .map(|group| Features::new(&items[oldest(group)]))
        .collect();

    // Leaders' title tokens → leaders, in the order they were added (oldest first).
    let mut postings: HashMap<u64, (usize, Vec<usize>)> = HashMap::new();
    // Group → the story (index into `stories`) it leads or joined.
    let mut story_of: Vec<usize> = vec![0; groups.len()];
    let mut stories: Vec<Vec<usize>> = Vec::new();
    // Title tokens each leader shares with the group being placed (`stamp` says which group).
    let mut stamp: Vec<usize> = vec![usize::MAX; groups.len()];
    let mut shared: Vec<usize> = vec![0; groups.len()];

    for &g in &order {
        let date = items[oldest(&groups[g])].date();
        let mut touched: Vec<usize> = Vec::new();
        // Two titles on one story share words: the place, the person, the sum.
        for &token in &features[g].title {
            let Some((start, leaders)) = postings.get_mut(&token) else {
                continue;
            };
            // Leaders were added oldest first: those out of the window never come back.
            while *start < leaders.len()
                && date - items[oldest(&groups[leaders[*start]])].date() > WINDOW
            {
                *start += 1;
            }
            // A token this common in one day tells no story apart; the newest leaders are the
            // likeliest anyway, and the cap keeps a flood of look-alike titles from going
            // quadratic.
            let from = (*start).max(leaders.len().saturating_sub(MAX_LEADERS_PER_TOKEN));
            for &leader in &leaders[from..] {
                if std::mem::replace(&mut stamp[leader], g) != g {
                    shared[leader] = 0;
                    touched.push(leader);
                }
                shared[leader] += 1;
            }
        }
        let mut best: Option<(f64, usize)> = None;
        for leader in touched {
            if shared[leader] < MIN_SHARED {
                continue;
            }
            let story = story_of[leader];
            let shares_feed = stories[story].iter().any(|&member| {
                groups[g]
                    .iter()
                    .any(|&at| items[at].source.feed_url == items[member].source.feed_url)
            });
            if shares_feed || !same_story(&features[g], &features[leader]) {
                continue;
            }
            let score = coverage(&features[g].title, &features[leader].text)
                .min(coverage(&features[leader].title, &features[g].text));
            if best.is_none_or(|(top, _)| score > top) {
                best = Some((score, story));
            }
        }
        match best {
            Some((_, story)) => {
                stories[story].extend(&groups[g]);
                story_of[g] = story;
            }
            None => {
                story_of[g] = stories.len();
                stories.push(groups[g].clone());
                for &token in &features[g].title {
                    postings.entry(token).or_default().1.push(g);
                }
            }
        }
    }
    for story in &mut stories {
        story.sort_unstable();
    }
    stories.sort_unstable_by_key(|story| story.first().copied().unwrap_or_default());
    stories
}
