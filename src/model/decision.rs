//! An item's decision record: where it came from and what the last publish decided about it,
//! so that `gazette explain` can say why an article is where it is, or is not there at all.
//! Kept as plain data (stored as JSON beside the item, deleted with it); the words are the
//! command's.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What an item's id was made from (see `normalize::identity`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdFrom {
    /// Its guid (or Atom id), trimmed.
    Guid,
    /// Its link: the feed gave its guid to several different articles.
    LinkForSharedGuid,
    /// A hash of its guid and title: a guid shared by several articles, and no link.
    GuidAndTitle,
    /// Its link: it has no guid.
    Link,
    /// A hash of its title and date: it has neither guid nor link.
    TitleAndDate,
}

/// What the feed said of an item, before normalizing: made by `normalize`, stored with the item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Origin {
    /// The guid / id as the feed wrote it.
    pub guid: Option<String>,
    /// The link as the feed wrote it (made absolute), trackers and all.
    pub link: Option<String>,
    pub id_from: IdFrom,
    /// A date the feed gave that lay too far ahead to be believed: the item is dated when first
    /// seen instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub future_date: Option<DateTime<Utc>>,
}

/// The fetch an item was read from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fetch {
    pub at: DateTime<Utc>,
    pub status: Option<u16>,
    pub etag: Option<String>,
}

/// A rule of `feeds.toml` that decided something, named as the file writes it: enough for the
/// command to find its line and column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Rule {
    /// The feed's `sections` lists the section.
    FeedSections { feed: String, section: String },
    /// A section's `categories` holds one of the item's categories.
    Category { section: String, category: String },
    /// A section's `keywords` word or `re:` regex (`pattern` as written, `re:` and all).
    Keyword { section: String, pattern: String },
    /// A section's `exclude`.
    SectionExclude { section: String, pattern: String },
    /// The feed's `include` (none of whose patterns matched).
    FeedInclude { feed: String },
    /// The feed's `exclude`.
    FeedExclude { feed: String, pattern: String },
    /// The feed is `enabled = false`.
    FeedDisabled { feed: String },
    /// The feed is no longer in `feeds.toml`.
    FeedNotConfigured { feed: String },
    /// `[gazette] max_items`.
    MaxItems { limit: usize },
}

/// A section the item was placed in (or taken out of again).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Placement {
    /// The section's id (`all` for the built-in one).
    pub section: String,
    /// What put it there; `None` for `all`, which holds every kept item.
    pub by: Option<Rule>,
    /// The section's `exclude` that took it out again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub excluded_by: Option<Rule>,
    /// Its story's place in the section (1 is first), if shown there; `None` when it is beyond
    /// `max_items` or excluded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rank: Option<usize>,
    /// Whether the section stopped short of its story (`max_items`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub beyond_max_items: bool,
}

/// Which test found two items to be one article, or one story.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "test", rename_all = "snake_case")]
pub enum Test {
    /// The same guid (one that names one article only: a URL, URN, tag or long token).
    SameGuid,
    /// The same canonical URL once trackers, mobile hosts and AMP markers are taken off.
    SameUrl,
    /// Near-identical titles: `score` is their similarity (Jaccard of character bigrams).
    SimilarTitle { score: f64 },
    /// Different papers' articles on one story: `score` is how much of each title the other's
    /// title and lede hold (the lesser of the two).
    SameStory { score: f64 },
}

/// Another item it was merged with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Peer {
    pub feed_url: String,
    pub item_id: String,
    pub title: String,
    /// The test that joined them; `None` when they are only in one story through others.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test: Option<Test>,
}

/// What one publish decided about one item, with the item's identity: what is stored.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemDecision {
    pub feed_url: String,
    pub item_id: String,
    pub decision: Decision,
}

/// What one publish decided about one item it read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    /// When the publish was made.
    pub at: DateTime<Utc>,
    /// The date it was sorted by.
    pub date: DateTime<Utc>,
    /// The rule that kept it out of every section, if one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub left_out: Option<Rule>,
    /// The sections it was placed in, `all` first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sections: Vec<Placement>,
    /// The items it was found to be one article or one story with, and by which test.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub merged_with: Vec<Peer>,
    /// The item published for its story, if not this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_as: Option<Peer>,
}

/// An item's whole record, as `gazette explain` reads it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Record {
    pub item: StoredRef,
    /// The fetch it was first read from, and the last that changed it.
    pub first_fetch: Option<Fetch>,
    pub last_fetch: Option<Fetch>,
    pub origin: Option<Origin>,
    /// What the last publish that read it decided; `None` if none did.
    pub decision: Option<Decision>,
}

/// The item a record is of, as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredRef {
    pub feed_url: String,
    pub item_id: String,
    pub title: String,
    pub link: Option<String>,
    pub date: DateTime<Utc>,
    pub first_seen: DateTime<Utc>,
}
