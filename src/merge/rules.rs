//! Which items are kept and which sections they go to, from the rules in `feeds.toml`: a feed's
//! `include`/`exclude` filters and `sections`, and a section's `categories`, `keywords` and
//! `exclude`.

use std::cell::OnceCell;
use std::collections::HashMap;

use crate::config::{Config, FeedConfig, Pattern};
use crate::model::Item;

use super::text::fold;

/// Filters compiled once per merge: words folded, regexes borrowed.
struct Filter<'c> {
    words: Vec<String>,
    regexes: Vec<&'c regex::Regex>,
}

impl<'c> Filter<'c> {
    fn new(patterns: &'c [Pattern]) -> Filter<'c> {
        let mut filter = Filter {
            words: Vec::new(),
            regexes: Vec::new(),
        };
        for pattern in patterns {
            match pattern {
                Pattern::Word(word) => filter.words.push(fold(word)),
                Pattern::Regex(regex) => filter.regexes.push(regex),
            }
        }
        filter
    }

    fn is_empty(&self) -> bool {
        self.words.is_empty() && self.regexes.is_empty()
    }

    fn matches(&self, subject: &Subject<'_>) -> bool {
        self.words
            .iter()
            .any(|word| subject.folded().contains(word.as_str()))
            || self.regexes.iter().any(|regex| {
                regex.is_match(&subject.item.title)
                    || subject
                        .item
                        .summary
                        .as_deref()
                        .is_some_and(|summary| regex.is_match(summary))
            })
    }
}

/// What rules look at in one item; the folded text is only made if a word rule asks for it.
struct Subject<'i> {
    item: &'i Item,
    folded: OnceCell<String>,
    categories: OnceCell<Vec<String>>,
}

impl Subject<'_> {
    /// Title and summary folded, on separate lines so that no word spans both.
    fn folded(&self) -> &str {
        self.folded.get_or_init(|| {
            let summary = self.item.summary.as_deref().unwrap_or_default();
            format!("{}\n{}", fold(&self.item.title), fold(summary))
        })
    }

    fn categories(&self) -> &[String] {
        self.categories
            .get_or_init(|| self.item.categories.iter().map(|c| fold(c)).collect())
    }
}

struct SectionRule<'c> {
    id: &'c str,
    categories: Vec<String>,
    keywords: Filter<'c>,
    exclude: Filter<'c>,
}

struct FeedRule<'c> {
    feed: &'c FeedConfig,
    include: Filter<'c>,
    exclude: Filter<'c>,
}

/// The rules of one config, ready to apply to many items.
pub struct Rules<'c> {
    /// Enabled feeds by URL, as indexes into the config's feeds: the last of feeds with the same
    /// URL, so that equal URLs always give the same index.
    by_url: HashMap<&'c str, usize>,
    /// By index into the config's feeds; `None` for disabled ones.
    feeds: Vec<Option<FeedRule<'c>>>,
    sections: Vec<SectionRule<'c>>,
}

impl<'c> Rules<'c> {
    pub fn new(config: &'c Config) -> Rules<'c> {
        let feeds = config
            .feeds
            .iter()
            .map(|feed| {
                feed.enabled.then(|| FeedRule {
                    feed,
                    include: Filter::new(&feed.include),
                    exclude: Filter::new(&feed.exclude),
                })
            })
            .collect();
        Rules {
            by_url: config
                .feeds
                .iter()
                .enumerate()
                .filter(|(_, feed)| feed.enabled)
                .map(|(index, feed)| (feed.url.as_str(), index))
                .collect(),
            feeds,
            sections: config
                .sections
                .iter()
                .map(|section| SectionRule {
                    id: &section.id,
                    categories: section.categories.iter().map(|c| fold(c)).collect(),
                    keywords: Filter::new(&section.keywords),
                    exclude: Filter::new(&section.exclude),
                })
                .collect(),
        }
    }

    /// The index in the config of the enabled feed at `feed_url`, if it is configured.
    pub fn feed(&self, feed_url: &str) -> Option<usize> {
        self.by_url.get(feed_url).copied()
    }

    /// The sections (indexes into the config's) that `item` of the feed at index `feed` goes to,
    /// or `None` when it is left out: its feed is disabled, or its filters refuse it.
    pub fn place(&self, feed: usize, item: &Item) -> Option<Vec<usize>> {
        let rule = self.feeds.get(feed)?.as_ref()?;
        let subject = Subject {
            item,
            folded: OnceCell::new(),
            categories: OnceCell::new(),
        };
        let included = rule.include.is_empty() || rule.include.matches(&subject);
        if !included || rule.exclude.matches(&subject) {
            return None;
        }
        let feed = rule.feed;
        let sections = self
            .sections
            .iter()
            .enumerate()
            .filter(|(_, rule)| {
                let listed = feed.sections.iter().any(|id| id == rule.id);
                let by_category = !rule.categories.is_empty()
                    && subject
                        .categories()
                        .iter()
                        .any(|category| rule.categories.contains(category));
                (listed || by_category || rule.keywords.matches(&subject))
                    && !rule.exclude.matches(&subject)
            })
            .map(|(index, _)| index)
            .collect();
        Some(sections)
    }
}
