//! Which entries of one fetch are different articles, and the ids that keep them apart.
//!
//! An entry's guid is its identity, except where the feed gives one guid to several articles (real
//! CMSs do: a constant guid, the section page's URL, an empty-ish placeholder). Entries of one
//! fetch sharing a guid but with different links — or, without links, different titles — are
//! different articles: each is then known by its link (or by a hash of the guid and its title),
//! which the same article gets again on every poll. Entries sharing a guid *and* link are copies.

use std::collections::HashMap;

use sha2::{Digest, Sha256};

/// What tells one entry from another.
pub struct Identity<'a> {
    /// The guid, trimmed; `None` when absent or blank.
    pub guid: Option<&'a str>,
    /// The absolute link, as the item will keep it, unless it is only the guid again.
    pub link: Option<&'a str>,
    pub title: &'a str,
}

/// The id of each entry, in order: its guid, except for a guid shared by different articles of
/// the fetch (see the module doc); `None` for an entry without a guid, which falls back to its
/// link or content.
pub fn ids(entries: &[Identity<'_>]) -> Vec<Option<String>> {
    // What each guid's entries are told apart by: several different values mean several articles.
    let mut seen: HashMap<&str, (&str, bool)> = HashMap::new();
    for entry in entries {
        let Some(guid) = entry.guid else { continue };
        let value = entry.link.unwrap_or(entry.title);
        seen.entry(guid)
            .and_modify(|(first, shared)| *shared |= *first != value)
            .or_insert((value, false));
    }
    entries
        .iter()
        .map(|entry| {
            let guid = entry.guid?;
            let shared = seen.get(guid).is_some_and(|&(_, shared)| shared);
            Some(match (shared, entry.link) {
                (false, _) => guid.to_owned(),
                (true, Some(link)) => link.to_owned(),
                (true, None) => {
                    let mut hasher = Sha256::new();
                    hasher.update(guid.as_bytes());
                    hasher.update(b"\n");
                    hasher.update(entry.title.as_bytes());
                    format!("sha256:{}", hex::encode(&hasher.finalize()[..16]))
                }
            })
        })
        .collect()
}
