//! Per-feed health, as `gazette feeds` prints it and `/status.json` serves it.

use super::{Store, StoreError};
use crate::config::Config;
use crate::model::FeedHealth;

/// The health of every configured feed, in config order.
pub fn feed_health(config: &Config, store: &Store) -> Result<Vec<FeedHealth>, StoreError> {
    let states = store.feed_states()?;
    let watches = store.watches()?;
    config
        .feeds
        .iter()
        .map(|feed| {
            let url = feed.url.as_str();
            let state = states.get(url).cloned().unwrap_or_default();
            let watch = watches.get(url).cloned().unwrap_or_default();
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
                scrape_empty: watch.scrape_empty,
                silent: watch.silent,
                future_dates: watch.future,
                full_text: match feed.full_text {
                    Some(_) => Some(store.full_text_health(url)?),
                    None => None,
                },
            })
        })
        .collect()
}
