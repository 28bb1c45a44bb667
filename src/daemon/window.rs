//! How much of the store a publish reads. Sections show their newest stories and blocks the
//! last days', so the store is read newest first, only as far back as the edition can reach:
//! with thousands of feeds, reading every stored item would cost most of a cycle's time and
//! memory.
//!
//! How far is found by trying: a first read covers what the sections would show if every story
//! had one article, plus [`story_span`] of older articles those stories may be copies of; if some
//! section then shows a story from the margin, or falls short, four times as much is read.

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::merge::{LATEST, PHOTOS, blocks_reach, story_span};
use crate::model::{BlockKind, Edition, SectionEdition};
use crate::store::Reading;

/// How much grows each time a read falls short.
const GROWTH: usize = 4;

/// The first read for `config` at `now`.
pub fn first_reading(config: &Config, now: DateTime<Utc>) -> Reading {
    let max_items = config.gazette.max_items;
    let shown = max_items * (config.sections.len() + 1) + LATEST + PHOTOS;
    Reading {
        per_feed: max_items,
        at_least: shown * 2,
        since: now - blocks_reach(),
        margin: story_span(),
    }
}

/// The next read after one that fell short.
pub fn grown(reading: &Reading) -> Reading {
    Reading {
        at_least: reading.at_least.saturating_mul(GROWTH),
        ..*reading
    }
}

/// Whether `edition`, merged from a read whose stories are whole when their earliest article is
/// as new as `complete_after`, is what the whole store would give: every section and the latest
/// block are full, and show only such stories. Photos take what the read holds: a front page has
/// no use for old pictures.
pub fn is_settled(edition: &Edition, config: &Config, complete_after: DateTime<Utc>) -> bool {
    let full_and_whole = |list: &SectionEdition, limit: usize| {
        list.items.len() >= limit && list.items.iter().all(|item| item.date() >= complete_after)
    };
    let sections = edition
        .sections
        .iter()
        .filter(|section| can_fill(config, &section.id))
        .all(|section| full_and_whole(section, config.gazette.max_items));
    let latest = edition
        .blocks
        .iter()
        .filter(|block| block.kind == BlockKind::Latest)
        .all(|block| full_and_whole(&block.feed, LATEST));
    sections && latest
}

/// Whether any stored item could be placed in the section `id`: one that no enabled feed lists
/// and no category or keyword fills stays empty however much is read.
fn can_fill(config: &Config, id: &str) -> bool {
    let Some(section) = config.sections.iter().find(|section| section.id == id) else {
        return true; // `all`
    };
    !section.categories.is_empty()
        || !section.keywords.is_empty()
        || config
            .feeds
            .iter()
            .any(|feed| feed.enabled && feed.sections.iter().any(|listed| *listed == id))
}
