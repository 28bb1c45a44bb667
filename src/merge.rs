//! Stage 6: stored items + [`Config`] → [`Edition`], the sections as they will be published. Pure.

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::normalize::Item;

/// Id of the section that holds every item.
pub const ALL_SECTION: &str = "all";

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
        self.item.published.or(self.item.updated).unwrap_or(self.first_seen)
    }
}

/// Everything one publish writes.
#[derive(Debug, Clone, PartialEq)]
pub struct Edition {
    pub generated: DateTime<Utc>,
    /// `all` first, then the configured sections in config order.
    pub sections: Vec<SectionEdition>,
}

/// One section's items, newest first.
#[derive(Debug, Clone, PartialEq)]
pub struct SectionEdition {
    pub id: String,
    pub title: String,
    pub items: Vec<StoredItem>,
}

/// Builds the edition from every stored item.
pub fn merge(_config: &Config, _items: Vec<StoredItem>, _now: DateTime<Utc>) -> Edition {
    unimplemented!()
}

impl StoredItem {
    /// A stable key for the item across cycles and restarts: a hash of its feed URL and id.
    pub fn key(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut hasher = Sha256::new();
        hasher.update(self.source.feed_url.as_bytes());
        hasher.update(b"\n");
        hasher.update(self.item.id.as_bytes());
        hex::encode(&hasher.finalize()[..16])
    }
}
