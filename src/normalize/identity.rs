//! Which entries of one fetch are different articles, and the ids that keep them apart.
//!
//! An entry's guid is its identity, except where the feed gives one guid to several articles (real
//! CMSs do: a constant guid, the section page's URL, an empty-ish placeholder). Entries of one
//! fetch sharing a guid but with different links — or, without links, different titles — are
//! different articles: each is then known by its link (or by a hash of the guid and its title),
//! which the same article gets again on every poll. Entries sharing a guid *and* link are copies.

use std::collections::HashMap;

use sha2::{Digest, Sha256};

use crate::model::IdFrom;

/// What tells one entry from another.
pub struct Identity<'a> {
    /// The guid, trimmed; `None` when absent or blank.
    pub guid: Option<&'a str>,
    /// The absolute link, as the item will keep it.
    pub link: Option<&'a str>,
    /// Whether the link is only the guid again: an RSS guid is a permalink unless it says
    /// otherwise, and the parser takes it as the link of an entry without one.
    pub link_is_guid: bool,
    pub title: &'a str,
}

impl Identity<'_> {
    /// The link when it says more than the guid.
    fn own_link(&self) -> Option<&str> {
        self.link.filter(|_| !self.link_is_guid)
    }
}

/// What an entry is known by.
#[derive(Debug, PartialEq)]
pub struct Choice {
    /// Its guid, or what stands in for a guid shared by different articles; `None` for an
    /// entry without a guid, which falls back to its link or content.
    pub id: Option<String>,
    /// False for a link made from a guid that several articles share: it leads to none of them.
    pub keep_link: bool,
    /// What `id` is made from; `None` when there is no `id`.
    pub from: Option<IdFrom>,
}

/// What each entry is known by, in order (see the module doc).
pub fn choose(entries: &[Identity<'_>]) -> Vec<Choice> {
    // What each guid's entries are told apart by: several different values mean several articles.
    let mut seen: HashMap<&str, (&str, bool)> = HashMap::new();
    for entry in entries {
        let Some(guid) = entry.guid else { continue };
        let value = entry.own_link().unwrap_or(entry.title);
        seen.entry(guid)
            .and_modify(|(first, shared)| *shared |= *first != value)
            .or_insert((value, false));
    }
    entries
        .iter()
        .map(|entry| {
            let shared = entry
                .guid
                .and_then(|guid| seen.get(guid))
                .is_some_and(|&(_, shared)| shared);
            let id = entry.guid.map(|guid| match (shared, entry.own_link()) {
                (false, _) => (guid.to_owned(), IdFrom::Guid),
                (true, Some(link)) => (link.to_owned(), IdFrom::LinkForSharedGuid),
                (true, None) => {
                    let mut hasher = Sha256::new();
                    hasher.update(guid.as_bytes());
                    hasher.update(b"\n");
                    hasher.update(entry.title.as_bytes());
                    let hash = format!("sha256:{}", hex::encode(&hasher.finalize()[..16]));
                    (hash, IdFrom::GuidAndTitle)
                }
            });
            Choice {
                from: id.as_ref().map(|(_, from)| *from),
                id: id.map(|(id, _)| id),
                keep_link: !(shared && entry.link_is_guid),
            }
        })
        .collect()
}
