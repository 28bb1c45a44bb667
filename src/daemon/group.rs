//! Several nodes on one PostgreSQL store: each polls the due feeds it claims (see
//! [`crate::store::lease`]), a chunk at a time so that the group shares a cycle, holds one of
//! the group's `per_host` slots of a host for each request to it, and reports itself alive. On
//! an SQLite store none of this happens: its one node polls every due feed itself.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use url::Url;

use super::{CycleReport, DaemonError, Pipeline};
use crate::config::{DEFAULT_LEASE, Database, FeedConfig};
use crate::store::lease::HostSlot;
use crate::store::{FeedState, GroupStatus, Store};

/// Shortest wait between two looks for due feeds on a shared store.
pub(super) const LEAST_WAIT: Duration = Duration::from_secs(2);

/// Longest wait between two tries for a busy host's slot.
const SLOT_WAIT: Duration = Duration::from_millis(500);

impl Pipeline {
    /// How long this node's claims hold.
    fn lease(&self) -> Duration {
        match &self.config.gazette.database {
            Database::Postgres(pg) => pg.lease,
            Database::Sqlite(_) => DEFAULT_LEASE,
        }
    }

    /// Reports this node alive (a shared store only).
    pub(super) async fn heartbeat(&self) -> Result<(), DaemonError> {
        if !self.is_shared() {
            return Ok(());
        }
        self.with_store(Store::heartbeat).await
    }

    /// The nodes sharing the store and the feeds they hold; `None` on SQLite.
    pub async fn group_status(&self) -> Result<Option<GroupStatus>, DaemonError> {
        self.with_store(Store::group_status).await
    }

    /// Whether other nodes share the store.
    pub(super) fn is_shared(&self) -> bool {
        self.store.is_shared()
    }

    /// Gives every enabled feed a row in a shared store, so that any node can claim it, and
    /// reports this node alive.
    pub(super) async fn join_group(&self) -> Result<(), DaemonError> {
        if !self.is_shared() {
            return Ok(());
        }
        let urls: Vec<String> = self.enabled_feeds().map(|f| f.url.to_string()).collect();
        self.with_store(move |store| {
            let urls: Vec<&str> = urls.iter().map(String::as_str).collect();
            store.register_feeds(&urls)?;
            store.heartbeat()
        })
        .await
    }

    /// Polls `due` (feeds due by this node's last look at the store): all of them alone, or on a
    /// shared store those this node claims, `concurrency` at a time, until no due feed is left
    /// unclaimed in the group.
    pub(super) async fn poll_due(
        &self,
        due: Vec<FeedConfig>,
        states: &HashMap<String, FeedState>,
        now: DateTime<Utc>,
    ) -> CycleReport {
        if !self.is_shared() {
            return self.poll_at(due, states, now).await;
        }
        let started = Instant::now();
        let mut by_url: HashMap<String, FeedConfig> = due
            .into_iter()
            .map(|feed| (feed.url.to_string(), feed))
            .collect();
        let chunk = self.config.gazette.concurrency.max(1);
        let lease = self.lease();
        let mut feeds = Vec::new();
        while !by_url.is_empty() {
            let candidates: Vec<String> = by_url.keys().cloned().collect();
            let claimed = self
                .with_store(move |store| {
                    let candidates: Vec<&str> = candidates.iter().map(String::as_str).collect();
                    let claimed = store.claim_due(&candidates, lease, chunk)?;
                    // The states as they are now that these feeds are ours: another node may
                    // have polled them since this node last looked.
                    Ok((claimed, store.feed_states()?))
                })
                .await;
            let (claimed, states) = match claimed {
                Ok(claimed) => claimed,
                Err(error) => {
                    tracing::error!("cannot claim feeds to poll: {error}");
                    break;
                }
            };
            if claimed.is_empty() {
                break;
            }
            tracing::debug!("claimed {} feeds", claimed.len());
            let mine: Vec<FeedConfig> = claimed
                .iter()
                .filter_map(|url| by_url.remove(url))
                .collect();
            feeds.extend(self.poll_at(mine, &states, Utc::now()).await.feeds);
        }
        CycleReport {
            feeds,
            duration: started.elapsed(),
        }
    }

    /// On a shared store, waits for one of the group's `per_host` slots of `url`'s host.
    pub(super) async fn host_slot(&self, url: &Url) -> Option<HostSlot> {
        if !self.is_shared() {
            return None;
        }
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        let per_host = self.config.gazette.per_host;
        let lease = self.lease();
        let mut wait = Duration::from_millis(10);
        loop {
            let name = host.clone();
            match self
                .with_store(move |store| store.claim_host_slot(&name, per_host, lease))
                .await
            {
                Ok(Some(slot)) => return Some(slot),
                Ok(None) => {
                    tokio::time::sleep(wait).await;
                    wait = (wait * 2).min(SLOT_WAIT);
                }
                Err(error) => {
                    tracing::error!("cannot claim a slot for {host}: {error}: fetching anyway");
                    return None;
                }
            }
        }
    }

    /// On a shared store, whether this node still holds `url`'s lease, renewing it for the
    /// poll about to start: a lease that ran out while the feed waited for its host's slot may
    /// have gone to another node, which then polls it instead. Always true on SQLite.
    pub(super) async fn still_leased(&self, url: &str) -> bool {
        if !self.is_shared() {
            return true;
        }
        let (url, lease) = (url.to_owned(), self.lease());
        match self
            .with_store(move |store| store.renew_lease(&url, lease))
            .await
        {
            Ok(held) => held,
            Err(error) => {
                tracing::error!("cannot renew a lease: {error}: polling anyway");
                true
            }
        }
    }

    /// Gives a host slot back.
    pub(super) async fn release_host_slot(&self, slot: Option<HostSlot>) {
        let Some(slot) = slot else { return };
        if let Err(error) = self
            .with_store(move |store| store.release_host_slot(&slot))
            .await
        {
            tracing::warn!("cannot give a host slot back (it runs out by itself): {error}");
        }
    }
}

/// Waits for a change notification, then a moment more so that a burst of commits makes one
/// publish; never returns without a signal.
pub(super) async fn changed(signal: Option<&tokio::sync::Notify>) {
    match signal {
        Some(signal) => {
            signal.notified().await;
            tokio::time::sleep(SETTLE).await;
        }
        None => std::future::pending().await,
    }
}

/// How long a wake-up by another node's change waits for more.
const SETTLE: Duration = Duration::from_secs(1);

/// Dates `edition` by what the store holds (when its newest item was first seen) instead of
/// this node's clock: nodes sharing a store then publish the same bytes for the same state,
/// empty feeds included (their `updated` is the edition's date), so ETags agree behind a load
/// balancer.
pub(super) fn date_by_the_store(edition: &mut crate::model::Edition) {
    edition.generated = edition
        .sections
        .iter()
        .flat_map(|section| &section.items)
        .map(|item| item.first_seen)
        .max()
        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
}
