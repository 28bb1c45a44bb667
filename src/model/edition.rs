//! An edition: the sections and blocks one publish writes, as merge makes them.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::StoredItem;

/// Everything one publish writes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Edition {
    pub generated: DateTime<Utc>,
    /// `all` first, then the configured sections in config order.
    pub sections: Vec<SectionEdition>,
    /// Headlines (overall, then per section), ranking (overall, then per `[[edition]]`), latest
    /// and photos: each published as a feed like a section.
    pub blocks: Vec<Block>,
    /// The other articles of each published story that has some, by the [`StoredItem::key`] of
    /// the item published for it.
    pub coverage: BTreeMap<String, Coverage>,
}

/// One section's stories, newest first: the item published for each.
#[derive(Debug, Clone, PartialEq)]
pub struct SectionEdition {
    pub id: String,
    pub title: String,
    pub items: Vec<StoredItem>,
}

/// A ranked or picked list of stories, published like a section.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub kind: BlockKind,
    /// The section or `[[edition]]` it is about; `None` for every story.
    pub scope: Option<String>,
    /// Its id (`headlines`, `headlines-{section}`, `ranking-{edition}`…), title and stories.
    pub feed: SectionEdition,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    /// Most covered stories of the last day, fading with age.
    Headlines,
    /// Most covered stories of the last two days, numbered.
    Ranking,
    /// Newest stories.
    Latest,
    /// Newest stories with a picture.
    Photos,
}

/// Who else reported a story.
#[derive(Debug, Clone, PartialEq)]
pub struct Coverage {
    /// How many outlets (sites) reported it, the published one included.
    pub outlets: usize,
    /// The story's other articles, oldest first: other outlets' and copies (see
    /// [`Related::copy`]).
    pub others: Vec<Related>,
}

impl Coverage {
    /// What is shown as the story's other outlets: each other outlet's earliest article.
    pub fn other_outlets(&self) -> impl Iterator<Item = &Related> {
        self.others.iter().filter(|other| !other.copy)
    }
}

/// Another article on a story.
#[derive(Debug, Clone, PartialEq)]
pub struct Related {
    pub source: String,
    pub title: String,
    pub link: Option<String>,
    /// A copy from an outlet already counted (the published article's own, through another of
    /// its feeds, or one listed before): not another outlet, so never shown as one.
    pub copy: bool,
}
