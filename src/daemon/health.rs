//! Per-feed health, as `gazette feeds` prints it and `/status.json` serves it.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::config::Config;
use crate::store::{Store, StoreError};

/// What an admin needs to see of one feed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeedHealth {
    pub url: String,
    pub name: Option<String>,
    pub enabled: bool,
    pub last_status: Option<u16>,
    pub last_attempt: Option<DateTime<Utc>>,
    pub last_success: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    /// Failed polls in a row.
    pub failures: u32,
    /// `None` when never polled or disabled.
    pub next_poll: Option<DateTime<Utc>>,
    pub items: u64,
    /// Where the feed moved for good (a permanent redirect seen on several polls in a row).
    pub moved_to: Option<String>,
    /// Answered 410 Gone: not polled until its config entry changes.
    pub gone: bool,
}

/// The health of every configured feed, in config order.
pub fn feed_health(config: &Config, store: &Store) -> Result<Vec<FeedHealth>, StoreError> {
    let states = store.feed_states()?;
    config
        .feeds
        .iter()
        .map(|feed| {
            let url = feed.url.as_str();
            let state = states.get(url).cloned().unwrap_or_default();
            Ok(FeedHealth {
                url: url.to_owned(),
                name: feed.name.clone(),
                enabled: feed.enabled,
                last_status: state.last_status,
                last_attempt: state.last_attempt,
                last_success: state.last_success,
                last_error: state.last_error,
                failures: state.failures,
                next_poll: state.next_poll.filter(|_| feed.enabled),
                items: store.item_count(url)?,
                moved_to: state.moved_to,
                gone: state.gone.is_some(),
            })
        })
        .collect()
}
