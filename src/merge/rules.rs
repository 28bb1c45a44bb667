//! Which items are kept and which sections they go to, from the rules in `feeds.toml`: a feed's
//! `include`/`exclude` filters and `sections`, and a section's `categories`, `keywords` and
//! `exclude`.

use std::cell::OnceCell;
use std::collections::HashMap;

use crate::config::{Config, FeedConfig, Pattern};
use crate::model::Item;

use super::text::fold;

/// What put an item in a section: a place in the list of the rule that did.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum By {
    /// The feed's `sections`, at this place.
    FeedSections(usize),
    /// The section's `categories`, at this place.
    Category(usize),
    /// The section's `keywords`, at this place.
    Keyword(usize),
}

/// A section an item was placed in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placed {
    /// Index into the config's sections.
    pub section: usize,
    pub by: By,
    /// The place in the section's `exclude` of the pattern that took it out again, if one did.
    pub excluded_by: Option<usize>,
}

impl Placed {
    /// Whether the item stays in the section.
    pub fn stays(&self) -> bool {
        self.excluded_by.is_none()
    }
}

/// Why an item is in no section.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Refused {
    /// Its feed is disabled or no longer configured.
    Feed,
    /// Its feed has `include` patterns and none matches.
    NotIncluded,
    /// The pattern at this place in its feed's `exclude` matches.
    Excluded(usize),
}

/// Filters compiled once per merge: words folded, regexes borrowed, each with its place in the
/// list it was written in (what a decision record names).
struct Filter<'c> {
    words: Vec<(String, usize)>,
    regexes: Vec<(&'c regex::Regex, usize)>,
}

impl<'c> Filter<'c> {
    fn new(patterns: &'c [Pattern]) -> Filter<'c> {
        let mut filter = Filter {
            words: Vec::new(),
            regexes: Vec::new(),
        };
        for (at, pattern) in patterns.iter().enumerate() {
            match pattern {
                Pattern::Word(word) => filter.words.push((fold(word), at)),
                Pattern::Regex(regex) => filter.regexes.push((regex, at)),
            }
        }
        filter
    }

    fn is_empty(&self) -> bool {
        self.words.is_empty() && self.regexes.is_empty()
    }

    /// The place of the first pattern (words before regexes) that matches `subject`, if one
    /// does.
    fn first_match(&self, subject: &Subject<'_>) -> Option<usize> {
        let word = self
            .words
            .iter()
            .find(|(word, _)| subject.folded().contains(word.as_str()));
        let regex = || {
            self.regexes.iter().find(|(regex, _)| {
                regex.is_match(&subject.item.title)
                    || subject
                        .item
                        .summary
                        .as_deref()
                        .is_some_and(|summary| regex.is_match(summary))
            })
        };
        word.map(|(_, at)| *at)
            .or_else(|| regex().map(|(_, at)| *at))
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

    /// The sections that `item` of the feed at index `feed` goes to, each with the rule that put
    /// it there (and the `exclude` that took it out again), or why it is left out: its feed is
    /// disabled, or its filters refuse it.
    pub fn place(&self, feed: usize, item: &Item) -> Result<Vec<Placed>, Refused> {
        let rule = self
            .feeds
            .get(feed)
            .and_then(Option::as_ref)
            .ok_or(Refused::Feed)?;
        let subject = Subject {
            item,
            folded: OnceCell::new(),
            categories: OnceCell::new(),
        };
        if !rule.include.is_empty() && rule.include.first_match(&subject).is_none() {
            return Err(Refused::NotIncluded);
        }
        if let Some(pattern) = rule.exclude.first_match(&subject) {
            return Err(Refused::Excluded(pattern));
        }
        let feed = rule.feed;
        let sections = self
            .sections
            .iter()
            .enumerate()
            .filter_map(|(section, rule)| {
                let listed = || {
                    (feed.sections.iter())
                        .position(|id| id == rule.id)
                        .map(By::FeedSections)
                };
                let by_category = || {
                    if rule.categories.is_empty() {
                        return None;
                    }
                    (subject.categories().iter())
                        .find_map(|category| rule.categories.iter().position(|c| c == category))
                        .map(By::Category)
                };
                let by_keyword = || rule.keywords.first_match(&subject).map(By::Keyword);
                let by = listed().or_else(by_category).or_else(by_keyword)?;
                Some(Placed {
                    section,
                    by,
                    excluded_by: rule.exclude.first_match(&subject),
                })
            })
            .collect();
        Ok(sections)
    }
}
