//! An item as gazette keeps it, and where it came from.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One item as gazette keeps and republishes it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Item {
    /// guid / atom:id, else the link, else a hash of title + date: unique within its feed. A
    /// guid the feed gives to several articles is not theirs: see `normalize::identity`.
    pub id: String,
    /// Plain text, never blank: made from the text or the link when the feed gives none (see
    /// `normalize::fallback_title`).
    pub title: String,
    /// Absolute http(s) URL of the original, without tracking parameters.
    pub link: Option<String>,
    /// Plain text, at most `normalize::SUMMARY_CHARS` characters (`None` under `content = "title"`).
    pub summary: Option<String>,
    /// Sanitized HTML, only under `content = "full"`.
    pub content_html: Option<String>,
    pub authors: Vec<String>,
    pub categories: Vec<String>,
    pub published: Option<DateTime<Utc>>,
    pub updated: Option<DateTime<Utc>>,
    /// Absolute http(s) URL of a picture for the item (an image enclosure, else the first `<img>`
    /// of its HTML): the thumbnail of photo news. Items stored before it existed have none.
    #[serde(default)]
    pub image: Option<String>,
}

/// An item with where it came from, as read back from the store.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredItem {
    pub item: Item,
    pub source: Source,
    /// When gazette first saw the item: its date when the feed gives none.
    pub first_seen: DateTime<Utc>,
}

/// The feed an item came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    /// The feed's URL as configured: with the item id, the item's identity.
    pub feed_url: String,
    /// The configured name, else the feed's own title, else its host.
    pub name: String,
    /// The feed's site link, if it gave one.
    pub site_link: Option<String>,
}

impl StoredItem {
    /// The date the item is sorted and published by: its own, else when we first saw it.
    pub fn date(&self) -> DateTime<Utc> {
        self.item
            .published
            .or(self.item.updated)
            .unwrap_or(self.first_seen)
    }

    /// A stable key for the item across cycles and restarts: a hash of its feed URL and id.
    pub fn key(&self) -> String {
        hex::encode(self.key_bytes())
    }

    /// [`StoredItem::key`] before it is written out: what merge sorts and compares by, without
    /// a string per item. Its bytes order as the key's hex digits do.
    pub(crate) fn key_bytes(&self) -> ItemKey {
        use sha2::{Digest, Sha256};
        let mut hasher = Sha256::new();
        hasher.update(self.source.feed_url.as_bytes());
        hasher.update(b"\n");
        hasher.update(self.item.id.as_bytes());
        let mut key = ItemKey::default();
        key.copy_from_slice(&hasher.finalize()[..16]);
        key
    }
}

/// [`StoredItem::key`] as bytes.
pub type ItemKey = [u8; 16];

/// What normalizing one feed gives.
#[derive(Debug, Clone, PartialEq)]
pub struct Normalized {
    /// The feed's own title (plain text), if it has one.
    pub feed_title: Option<String>,
    /// The feed's site link.
    pub site_link: Option<String>,
    pub items: Vec<Item>,
    /// Where each item came from, in the order of `items`.
    pub origins: Vec<super::Origin>,
    /// What was dropped or corrected, for the logs.
    pub warnings: Vec<String>,
}
