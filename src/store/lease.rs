//! Leasing: how the nodes that share a store share its feeds.
//!
//! A node claims the due feeds it will poll in one statement (`UPDATE … WHERE url IN (SELECT …
//! FOR UPDATE SKIP LOCKED LIMIT n) RETURNING url`), writing itself as `lease_owner` until
//! `lease_until`. Two nodes claiming at once skip each other's rows, so a feed is claimed by one;
//! recording the poll frees the lease in the transaction that stores the feed's items and new
//! state, whose next poll then lies ahead, so no node claims it again in this round. A node that
//! dies (kill -9, power loss) frees nothing: its leases run out and the feeds are due and
//! unclaimed again. Politeness holds across the group through host slots: `per_host` rows per
//! host, one claimed (with the same lease) for each request in flight to that host from any
//! node. Lease times are the database's clock, never a node's.
//!
//! SQLite has one node; the same statements (without row locks, which its single writer makes
//! needless) keep both backends' answers alike.

use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::{Backend, Store, StoreError, lock, sql_time};

/// This process's name in leases: the configured node name (else the host name) and the pid,
/// so that two processes on one machine never take each other's leases for their own.
pub(super) fn node_name(configured: Option<&str>) -> String {
    let host = configured.map(str::to_owned).unwrap_or_else(|| {
        std::fs::read_to_string("/proc/sys/kernel/hostname")
            .map(|name| name.trim().to_owned())
            .ok()
            .filter(|name| !name.is_empty())
            .unwrap_or_else(|| "gazette".into())
    });
    format!("{host}/{}", std::process::id())
}

/// Who holds one feed's lease, for `gazette feeds` and `/status.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lease {
    pub owner: String,
    pub until: DateTime<Utc>,
}

/// One node of the group, as it last reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NodeSeen {
    pub name: String,
    pub started: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
}

/// A claimed slot for one request to a host; give it back with [`Store::release_host_slot`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostSlot {
    pub host: String,
    slot: i32,
}

fn seconds(lease: Duration) -> f64 {
    lease.as_secs_f64()
}

fn sqlite_until(lease: Duration) -> String {
    let lease = chrono::TimeDelta::from_std(lease).unwrap_or(chrono::TimeDelta::MAX);
    sql_time(&(Utc::now() + lease))
}

impl Store {
    /// This process's name in leases.
    pub fn node(&self) -> &str {
        &self.node
    }

    /// Makes sure every listed feed has a row, so that it can be claimed before its first poll.
    pub fn register_feeds(&self, urls: &[&str]) -> Result<(), StoreError> {
        match &self.backend {
            Backend::Sqlite(conn) => {
                let mut conn = lock(conn);
                let tx = conn.transaction()?;
                {
                    let mut insert = tx.prepare_cached(
                        "INSERT INTO feeds (url) VALUES (?1) ON CONFLICT DO NOTHING",
                    )?;
                    for url in urls {
                        insert.execute([url])?;
                    }
                }
                tx.commit()?;
                Ok(())
            }
            Backend::Postgres(pool) => pool.run(|db| {
                db.execute(
                    "INSERT INTO feeds (url) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING",
                    &[&urls],
                )?;
                Ok(())
            }),
        }
    }

    /// Claims for this node, for `lease`, at most `limit` of `candidates` that are due now (their
    /// next poll has come or they were never polled) and that no live lease holds: the feeds this
    /// node is to poll. Feeds without a row are not claimed ([`Store::register_feeds`] first).
    pub fn claim_due(
        &self,
        candidates: &[&str],
        lease: Duration,
        limit: usize,
    ) -> Result<Vec<String>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        match &self.backend {
            Backend::Sqlite(conn) => {
                let mut conn = lock(conn);
                let tx = conn.transaction()?;
                let now = sql_time(&Utc::now());
                let until = sqlite_until(lease);
                let mut claimed = Vec::new();
                {
                    let mut claim = tx.prepare_cached(
                        "UPDATE feeds SET lease_owner = ?2, lease_until = ?3
                         WHERE url = ?1 AND (next_poll IS NULL OR next_poll <= ?4)
                           AND (lease_until IS NULL OR lease_until < ?4)
                         RETURNING url",
                    )?;
                    for url in candidates {
                        if claimed.len() as i64 >= limit {
                            break;
                        }
                        let got: Option<String> = claim
                            .query_row(params![url, self.node, until, now], |row| row.get(0))
                            .optional()?;
                        claimed.extend(got);
                    }
                }
                tx.commit()?;
                Ok(claimed)
            }
            Backend::Postgres(pool) => pool.run(|db| {
                let rows = db.query(
                    "UPDATE feeds SET lease_owner = $2,
                            lease_until = clock_timestamp() + make_interval(secs => $3)
                     WHERE url IN (
                         SELECT url FROM feeds
                         WHERE url = ANY($1)
                           AND (next_poll IS NULL OR next_poll <= clock_timestamp())
                           AND (lease_until IS NULL OR lease_until < clock_timestamp())
                         ORDER BY next_poll NULLS FIRST, url
                         LIMIT $4
                         FOR UPDATE SKIP LOCKED)
                     RETURNING url",
                    &[&candidates, &self.node, &seconds(lease), &limit],
                )?;
                Ok(rows.iter().map(|row| row.get(0)).collect())
            }),
        }
    }

    /// Extends this node's lease on `url` by `lease` from now, if it still holds it (even run
    /// out, so long as no other node took it since): whether it does.
    pub fn renew_lease(&self, url: &str, lease: Duration) -> Result<bool, StoreError> {
        let renewed = match &self.backend {
            Backend::Sqlite(conn) => lock(conn).execute(
                "UPDATE feeds SET lease_until = ?3 WHERE url = ?1 AND lease_owner = ?2",
                params![url, self.node, sqlite_until(lease)],
            )?,
            Backend::Postgres(pool) => pool.run(|db| {
                Ok(db.execute(
                    "UPDATE feeds SET lease_until = clock_timestamp() + make_interval(secs => $3)
                     WHERE url = $1 AND lease_owner = $2",
                    &[&url, &self.node, &seconds(lease)],
                )?)
            })? as usize,
        };
        Ok(renewed > 0)
    }

    /// Gives back the leases this node holds on `urls` without having polled them (a cycle cut
    /// short by a shutdown).
    pub fn release_feeds(&self, urls: &[&str]) -> Result<(), StoreError> {
        match &self.backend {
            Backend::Sqlite(conn) => {
                let conn = lock(conn);
                let mut free = conn.prepare_cached(
                    "UPDATE feeds SET lease_owner = NULL, lease_until = NULL
                     WHERE url = ?1 AND lease_owner = ?2",
                )?;
                for url in urls {
                    free.execute(params![url, self.node])?;
                }
                Ok(())
            }
            Backend::Postgres(pool) => pool.run(|db| {
                db.execute(
                    "UPDATE feeds SET lease_owner = NULL, lease_until = NULL
                     WHERE url = ANY($1) AND lease_owner = $2",
                    &[&urls, &self.node],
                )?;
                Ok(())
            }),
        }
    }

    /// Claims one of the `per_host` request slots of `host` for `lease`, or `None` when the group
    /// has that many requests to it in flight.
    pub fn claim_host_slot(
        &self,
        host: &str,
        per_host: usize,
        lease: Duration,
    ) -> Result<Option<HostSlot>, StoreError> {
        let per_host = i32::try_from(per_host.max(1)).unwrap_or(i32::MAX);
        let slot: Option<i32> = match &self.backend {
            Backend::Sqlite(conn) => {
                let mut conn = lock(conn);
                let tx = conn.transaction()?;
                let now = sql_time(&Utc::now());
                let slot = {
                    let mut add = tx.prepare_cached(
                        "INSERT INTO host_slots (host, slot) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
                    )?;
                    for slot in 1..=per_host {
                        add.execute(params![host, slot])?;
                    }
                    tx.query_row(
                        "UPDATE host_slots SET owner = ?3, until = ?4
                         WHERE host = ?1 AND slot = (
                             SELECT slot FROM host_slots
                             WHERE host = ?1 AND slot <= ?2 AND (until IS NULL OR until < ?5)
                             ORDER BY slot LIMIT 1)
                         RETURNING slot",
                        params![host, per_host, self.node, sqlite_until(lease), now],
                        |row| row.get(0),
                    )
                    .optional()?
                };
                tx.commit()?;
                slot
            }
            Backend::Postgres(pool) => pool.run(|db| {
                let mut tx = db.transaction()?;
                tx.execute(
                    "INSERT INTO host_slots (host, slot) SELECT $1, generate_series(1, $2)
                     ON CONFLICT DO NOTHING",
                    &[&host, &per_host],
                )?;
                let row = tx.query_opt(
                    "UPDATE host_slots SET owner = $3,
                            until = clock_timestamp() + make_interval(secs => $4)
                     WHERE (host, slot) IN (
                         SELECT host, slot FROM host_slots
                         WHERE host = $1 AND slot <= $2
                           AND (until IS NULL OR until < clock_timestamp())
                         ORDER BY slot LIMIT 1
                         FOR UPDATE SKIP LOCKED)
                     RETURNING slot",
                    &[&host, &per_host, &self.node, &seconds(lease)],
                )?;
                tx.commit()?;
                Ok(row.map(|row| row.get(0)))
            })?,
        };
        Ok(slot.map(|slot| HostSlot {
            host: host.to_owned(),
            slot,
        }))
    }

    /// Gives a host slot back once its request is done.
    pub fn release_host_slot(&self, slot: &HostSlot) -> Result<(), StoreError> {
        match &self.backend {
            Backend::Sqlite(conn) => {
                lock(conn).execute(
                    "UPDATE host_slots SET owner = NULL, until = NULL
                     WHERE host = ?1 AND slot = ?2 AND owner = ?3",
                    params![slot.host, slot.slot, self.node],
                )?;
            }
            Backend::Postgres(pool) => {
                pool.run(|db| {
                    db.execute(
                        "UPDATE host_slots SET owner = NULL, until = NULL
                         WHERE host = $1 AND slot = $2 AND owner = $3",
                        &[&slot.host, &slot.slot, &self.node],
                    )?;
                    Ok(())
                })?;
            }
        }
        Ok(())
    }

    /// Records that this node is alive, now (and when it started, the first time).
    pub fn heartbeat(&self) -> Result<(), StoreError> {
        match &self.backend {
            Backend::Sqlite(conn) => {
                lock(conn).execute(
                    "INSERT INTO nodes (name, started, last_seen) VALUES (?1, ?2, ?2)
                     ON CONFLICT (name) DO UPDATE SET last_seen = ?2",
                    params![self.node, Utc::now()],
                )?;
            }
            Backend::Postgres(pool) => {
                pool.run(|db| {
                    db.execute(
                        "INSERT INTO nodes (name, started, last_seen)
                         VALUES ($1, clock_timestamp(), clock_timestamp())
                         ON CONFLICT (name) DO UPDATE SET last_seen = clock_timestamp()",
                        &[&self.node],
                    )?;
                    Ok(())
                })?;
            }
        }
        Ok(())
    }

    /// Every node that ever reported, most recently seen first.
    pub fn nodes(&self) -> Result<Vec<NodeSeen>, StoreError> {
        const QUERY: &str =
            "SELECT name, started, last_seen FROM nodes ORDER BY last_seen DESC, name";
        match &self.backend {
            Backend::Sqlite(conn) => {
                let conn = lock(conn);
                let mut query = conn.prepare(QUERY)?;
                let rows = query.query_map([], |row| {
                    Ok(NodeSeen {
                        name: row.get(0)?,
                        started: row.get(1)?,
                        last_seen: row.get(2)?,
                    })
                })?;
                Ok(rows.collect::<Result<_, _>>()?)
            }
            Backend::Postgres(pool) => pool.run(|db| {
                Ok(db
                    .query(QUERY, &[])?
                    .iter()
                    .map(|row| NodeSeen {
                        name: row.get(0),
                        started: row.get(1),
                        last_seen: row.get(2),
                    })
                    .collect())
            }),
        }
    }

    /// The live and lapsed leases on feeds, by feed URL.
    pub fn leases(&self) -> Result<std::collections::HashMap<String, Lease>, StoreError> {
        const QUERY: &str =
            "SELECT url, lease_owner, lease_until FROM feeds WHERE lease_owner IS NOT NULL";
        let rows: Vec<(String, String, DateTime<Utc>)> = match &self.backend {
            Backend::Sqlite(conn) => {
                let conn = lock(conn);
                let mut query = conn.prepare(QUERY)?;
                query
                    .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
                    .collect::<Result<_, _>>()?
            }
            Backend::Postgres(pool) => pool.run(|db| {
                Ok(db
                    .query(QUERY, &[])?
                    .iter()
                    .map(|row| (row.get(0), row.get(1), row.get(2)))
                    .collect())
            })?,
        };
        Ok(rows
            .into_iter()
            .map(|(url, owner, until)| (url, Lease { owner, until }))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Database;
    use crate::store::{FeedState, PollRecord, both};

    const MINUTE: Duration = Duration::from_secs(60);

    fn urls(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("https://a.example/{i}")).collect()
    }

    /// A second node on the same database.
    fn other_node(database: &Database) -> Store {
        let mut other = Store::connect(database).unwrap();
        other.node = "other/1".into();
        other
    }

    #[test]
    fn a_due_feed_is_claimed_once_and_freed_by_its_poll() {
        both::on_both(|database| {
            let store = Store::connect(database).unwrap();
            let other = other_node(database);
            let urls = urls(5);
            let refs: Vec<&str> = urls.iter().map(String::as_str).collect();
            assert!(
                store.claim_due(&refs, MINUTE, 10).unwrap().is_empty(),
                "unregistered"
            );
            store.register_feeds(&refs).unwrap();
            let mine = store.claim_due(&refs, MINUTE, 3).unwrap();
            assert_eq!(mine.len(), 3, "at most the limit");
            let theirs = other.claim_due(&refs, MINUTE, 10).unwrap();
            assert_eq!(theirs.len(), 2, "the rest: {theirs:?}");
            assert!(mine.iter().all(|url| !theirs.contains(url)));
            assert!(
                store.claim_due(&refs, MINUTE, 10).unwrap().is_empty(),
                "all leased"
            );
            let leases = store.leases().unwrap();
            assert_eq!(leases[&mine[0]].owner, store.node());
            assert_eq!(leases[&theirs[0]].owner, "other/1");

            // Polled: the lease goes with the new state, whose next poll lies ahead.
            let polled = PollRecord {
                feed_url: mine[0].clone(),
                state: FeedState {
                    next_poll: Some(Utc::now() + chrono::TimeDelta::hours(1)),
                    ..FeedState::default()
                },
                feed: None,
                at: Utc::now(),
                health: None,
            };
            store.record_polls(&[polled]).into_iter().for_each(|r| {
                r.unwrap();
            });
            assert!(!store.leases().unwrap().contains_key(&mine[0]));
            // A lease run out and taken by another node is not renewed; one still held is.
            assert!(store.renew_lease(&mine[2], MINUTE).unwrap());
            assert!(!store.renew_lease(&theirs[0], MINUTE).unwrap());
            // Not polled, given back: due again for anyone.
            store.release_feeds(&[mine[1].as_str()]).unwrap();
            assert_eq!(
                other.claim_due(&refs, MINUTE, 10).unwrap(),
                [mine[1].clone()]
            );
        });
    }

    #[test]
    fn a_dead_nodes_leases_run_out() {
        both::on_both(|database| {
            let store = Store::connect(database).unwrap();
            let other = other_node(database);
            let urls = urls(2);
            let refs: Vec<&str> = urls.iter().map(String::as_str).collect();
            store.register_feeds(&refs).unwrap();
            assert_eq!(
                store
                    .claim_due(&refs, Duration::from_millis(1), 10)
                    .unwrap()
                    .len(),
                2
            );
            let slot = store
                .claim_host_slot("a.example", 1, Duration::from_millis(1))
                .unwrap();
            assert!(slot.is_some());
            std::thread::sleep(Duration::from_millis(20));
            // The node "died": nothing was freed, but the leases have run out.
            assert_eq!(other.claim_due(&refs, MINUTE, 10).unwrap().len(), 2);
            assert!(
                other
                    .claim_host_slot("a.example", 1, MINUTE)
                    .unwrap()
                    .is_some()
            );
        });
    }

    #[test]
    fn host_slots_bound_the_whole_groups_requests() {
        both::on_both(|database| {
            let store = Store::connect(database).unwrap();
            let other = other_node(database);
            let first = store
                .claim_host_slot("h.example", 2, MINUTE)
                .unwrap()
                .unwrap();
            let second = other
                .claim_host_slot("h.example", 2, MINUTE)
                .unwrap()
                .unwrap();
            assert_ne!(first, second);
            assert_eq!(store.claim_host_slot("h.example", 2, MINUTE).unwrap(), None);
            assert_eq!(other.claim_host_slot("h.example", 2, MINUTE).unwrap(), None);
            assert!(
                store
                    .claim_host_slot("g.example", 2, MINUTE)
                    .unwrap()
                    .is_some()
            );
            // Only the holder gives a slot back.
            other.release_host_slot(&first).unwrap();
            assert_eq!(other.claim_host_slot("h.example", 2, MINUTE).unwrap(), None);
            store.release_host_slot(&first).unwrap();
            assert!(
                other
                    .claim_host_slot("h.example", 2, MINUTE)
                    .unwrap()
                    .is_some()
            );
        });
    }

    #[test]
    fn nodes_report_when_they_were_last_seen() {
        both::on_both(|database| {
            let store = Store::connect(database).unwrap();
            store.heartbeat().unwrap();
            other_node(database).heartbeat().unwrap();
            store.heartbeat().unwrap();
            let nodes = store.nodes().unwrap();
            let names: Vec<&str> = nodes.iter().map(|node| node.name.as_str()).collect();
            assert_eq!(names, [store.node(), "other/1"]);
            assert!(nodes[0].started <= nodes[0].last_seen);
        });
    }

    #[test]
    fn concurrent_claims_share_the_feeds_without_overlap() {
        let database = both::postgres();
        let urls = urls(200);
        let refs: Vec<&str> = urls.iter().map(String::as_str).collect();
        Store::connect(&database)
            .unwrap()
            .register_feeds(&refs)
            .unwrap();
        let claimed: Vec<Vec<String>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..4)
                .map(|n| {
                    let (database, refs) = (&database, &refs);
                    scope.spawn(move || {
                        let mut store = Store::connect(database).unwrap();
                        store.node = format!("node{n}/1");
                        let mut mine = Vec::new();
                        loop {
                            let got = store.claim_due(refs, MINUTE, 7).unwrap();
                            if got.is_empty() {
                                return mine;
                            }
                            mine.extend(got);
                        }
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let mut all: Vec<&String> = claimed.iter().flatten().collect();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), 200);
        assert_eq!(
            claimed.iter().map(Vec::len).sum::<usize>(),
            200,
            "each once"
        );
    }
}
