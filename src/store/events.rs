//! Feed health events (see [`crate::model::HealthEvent`]) and what the daemon watches of each
//! feed to notice them ([`Watch`]). Written with the poll that saw them, in its transaction: a
//! change is recorded exactly when the state it compares against is. Bounded: a feed keeps its
//! last [`KEEP_PER_FEED`] events of the last [`KEEP_DAYS`] days. The tables are a migration of
//! their own (see `migrations`).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, TimeDelta, Utc};
use rusqlite::{Connection, params};

use super::{Backend, Store, StoreError, lock, sources, sql_time};
use crate::model::{Change, HealthEvent, Watch};

/// Most events kept per feed.
pub const KEEP_PER_FEED: usize = 20;

/// Events older than this (before a feed's newest) are dropped.
pub const KEEP_DAYS: i64 = 30;

/// What a poll adds to a feed's health: the watch as it now stands and the changes it saw.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HealthRecord {
    pub watch: Watch,
    pub events: Vec<HealthEvent>,
}

impl HealthRecord {
    pub(super) fn write(&self, conn: &Connection, feed_url: &str) -> Result<(), StoreError> {
        conn.prepare_cached(
            "INSERT INTO feed_watch (url, newest_item, usual_gap, silent, future, scrape_empty)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (url) DO UPDATE SET
                newest_item = ?2, usual_gap = ?3, silent = ?4, future = ?5, scrape_empty = ?6",
        )?
        .execute(params![
            feed_url,
            self.watch.newest_item,
            gap_column(self.watch.usual_gap),
            self.watch.silent,
            self.watch.future,
            self.watch.scrape_empty
        ])?;
        for event in &self.events {
            conn.prepare_cached(
                "INSERT INTO health_events (feed_url, kind, at, change) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (feed_url, kind, at) DO UPDATE SET change = ?4",
            )?
            .execute(params![
                event.feed_url,
                event.change.kind(),
                sql_time(&event.at),
                change_column(&event.change)?
            ])?;
            prune(conn, &event.feed_url, event.at)?;
        }
        Ok(())
    }

    /// The same in PostgreSQL.
    pub(super) fn write_pg(
        &self,
        db: &mut postgres::Transaction<'_>,
        feed_url: &str,
    ) -> Result<(), StoreError> {
        db.execute(
            "INSERT INTO feed_watch (url, newest_item, usual_gap, silent, future, scrape_empty)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (url) DO UPDATE SET
                newest_item = $2, usual_gap = $3, silent = $4, future = $5, scrape_empty = $6",
            &[
                &feed_url,
                &self.watch.newest_item,
                &gap_column(self.watch.usual_gap),
                &self.watch.silent,
                &self.watch.future,
                &self.watch.scrape_empty,
            ],
        )?;
        for event in &self.events {
            db.execute(
                "INSERT INTO health_events (feed_url, kind, at, change) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (feed_url, kind, at) DO UPDATE SET change = $4",
                &[
                    &event.feed_url,
                    &event.change.kind(),
                    &event.at,
                    &change_column(&event.change)?,
                ],
            )?;
            let oldest = event.at - TimeDelta::days(KEEP_DAYS);
            db.execute("DELETE FROM health_events WHERE at < $1", &[&oldest])?;
            db.execute(
                "DELETE FROM health_events WHERE feed_url = $1 AND at < (
                    SELECT at FROM health_events WHERE feed_url = $1
                    ORDER BY at DESC LIMIT 1 OFFSET $2)",
                &[&event.feed_url, &(KEEP_PER_FEED as i64 - 1)],
            )?;
        }
        Ok(())
    }
}

/// The usual gap as stored (seconds, a signed integer in both databases), and back.
fn gap_column(gap: Option<u64>) -> Option<i64> {
    gap.map(|gap| i64::try_from(gap).unwrap_or(i64::MAX))
}

fn gap_value(gap: Option<i64>) -> Option<u64> {
    gap.and_then(|gap| u64::try_from(gap).ok())
}

/// A change as stored: JSON, its words written only when rendered.
fn change_column(change: &Change) -> Result<String, StoreError> {
    serde_json::to_string(change).map_err(StoreError::Encode)
}

/// Drops every event [`KEEP_DAYS`] older than `newest` (those of feeds no longer listed too),
/// and `feed_url`'s beyond its newest [`KEEP_PER_FEED`].
fn prune(conn: &Connection, feed_url: &str, newest: DateTime<Utc>) -> Result<(), StoreError> {
    let oldest = sql_time(&(newest - TimeDelta::days(KEEP_DAYS)));
    conn.prepare_cached("DELETE FROM health_events WHERE at < ?1")?
        .execute([oldest])?;
    // The feed's events read, and the oldest dropped here: SQLite compiled a statement that
    // orders and limits them again at every run, and this runs with every event.
    let mut times: Vec<String> = conn
        .prepare_cached("SELECT at FROM health_events WHERE feed_url = ?1")?
        .query_map([feed_url], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    if times.len() > KEEP_PER_FEED {
        times.sort_unstable_by(|a, b| b.cmp(a));
        conn.prepare_cached("DELETE FROM health_events WHERE feed_url = ?1 AND at < ?2")?
            .execute([feed_url, &times[KEEP_PER_FEED - 1]])?;
    }
    Ok(())
}

impl Store {
    /// Every feed's watch, by URL: one query for a whole cycle.
    pub fn watches(&self) -> Result<HashMap<String, Watch>, StoreError> {
        const QUERY: &str =
            "SELECT url, newest_item, usual_gap, silent, future, scrape_empty FROM feed_watch";
        let watch = |newest_item, usual_gap, silent, future, scrape_empty| Watch {
            newest_item,
            usual_gap: gap_value(usual_gap),
            silent,
            future,
            scrape_empty,
        };
        match &self.backend {
            Backend::Sqlite(conn) => {
                let conn = lock(conn);
                let mut query = conn.prepare(QUERY)?;
                let rows = query.query_map([], |row| {
                    Ok((
                        row.get(0)?,
                        watch(
                            row.get(1)?,
                            row.get(2)?,
                            row.get(3)?,
                            row.get(4)?,
                            row.get(5)?,
                        ),
                    ))
                })?;
                Ok(rows.collect::<Result<_, _>>()?)
            }
            Backend::Postgres(pool) => pool.run(|db| {
                Ok(db
                    .query(QUERY, &[])?
                    .iter()
                    .map(|row| {
                        (
                            row.get(0),
                            watch(row.get(1), row.get(2), row.get(3), row.get(4), row.get(5)),
                        )
                    })
                    .collect())
            }),
        }
    }

    /// Every stored feed's own title, by URL (feeds that gave none are left out).
    pub fn feed_titles(&self) -> Result<HashMap<String, String>, StoreError> {
        Ok(sources(&self.backend)?
            .into_iter()
            .filter(|(_, source)| !source.name.is_empty())
            .map(|(url, source)| (url, source.name))
            .collect())
    }

    /// The newest `limit` events of the feeds listed, newest first (ties in a fixed order).
    pub fn health_events(
        &self,
        feed_urls: &[&str],
        limit: usize,
    ) -> Result<Vec<HealthEvent>, StoreError> {
        const QUERY: &str =
            "SELECT feed_url, at, change FROM health_events ORDER BY at DESC, feed_url, kind";
        // At most KEEP_PER_FEED of each feed: read whole, then picked.
        let rows: Vec<(String, DateTime<Utc>, String)> = match &self.backend {
            Backend::Sqlite(conn) => {
                let conn = lock(conn);
                let mut query = conn.prepare(QUERY)?;
                let rows =
                    query.query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?;
                rows.collect::<Result<_, _>>()?
            }
            Backend::Postgres(pool) => pool.run(|db| {
                Ok(db
                    .query(QUERY, &[])?
                    .iter()
                    .map(|row| (row.get(0), row.get(1), row.get(2)))
                    .collect())
            })?,
        };
        let listed: HashSet<&str> = feed_urls.iter().copied().collect();
        rows.into_iter()
            .filter(|(feed_url, _, _)| listed.contains(feed_url.as_str()))
            .take(limit)
            .map(|(feed_url, at, change)| {
                let change =
                    serde_json::from_str(&change).map_err(|source| StoreError::Corrupt {
                        feed_url: feed_url.clone(),
                        source,
                    })?;
                Ok(HealthEvent {
                    feed_url,
                    at,
                    change,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Database;
    use crate::store::{FeedState, PollRecord};

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn record(url: &str, events: Vec<HealthEvent>, watch: Watch) -> PollRecord {
        PollRecord {
            feed_url: url.into(),
            state: FeedState::default(),
            feed: None,
            at: at("2026-01-01T00:00:00Z"),
            health: Some(HealthRecord { watch, events }),
        }
    }

    fn failing(url: &str, at_: DateTime<Utc>) -> HealthEvent {
        HealthEvent {
            feed_url: url.into(),
            at: at_,
            change: Change::Failing {
                error: "HTTP 500".into(),
                status: Some(500),
                next_try: None,
            },
        }
    }

    #[test]
    fn events_and_watches_round_trip_bounded() {
        crate::store::both::on_both(events_and_watches_round_trip_bounded_on);
    }

    fn events_and_watches_round_trip_bounded_on(database: &Database) {
        let store = Store::connect(database).unwrap();
        let (a, b) = ("https://a.example/rss", "https://b.example/rss");
        let start = at("2026-01-01T00:00:00Z");
        let watch = Watch {
            newest_item: Some(start),
            usual_gap: Some(3600),
            silent: true,
            future: false,
            scrape_empty: true,
        };
        // A feed no longer listed: its events go with age, whatever feed's change comes next.
        let gone = "https://gone.example/rss";
        let old = failing(gone, start - TimeDelta::days(5));
        store.record_polls(&[record(gone, vec![old], Watch::default())]);
        assert_eq!(store.health_events(&[gone], 100).unwrap().len(), 1);
        // Thirty events of `a` a day apart, one of `b` in the middle.
        for day in 0..30 {
            let event = failing(a, start + TimeDelta::days(day));
            let results = store.record_polls(&[record(a, vec![event], watch.clone())]);
            assert!(results[0].is_ok());
        }
        let middle = failing(b, start + TimeDelta::days(15));
        store.record_polls(&[record(b, vec![middle.clone()], Watch::default())]);
        drop(store);

        let store = Store::connect(database).unwrap();
        assert!(store.health_events(&[gone], 100).unwrap().is_empty());
        let events = store.health_events(&[a, b], 100).unwrap();
        let of_a: Vec<_> = events.iter().filter(|e| e.feed_url == a).collect();
        assert_eq!(of_a.len(), KEEP_PER_FEED, "bounded per feed");
        let stored: i64 = match &store.backend {
            Backend::Sqlite(conn) => lock(conn)
                .query_row(
                    "SELECT COUNT(*) FROM health_events WHERE feed_url = ?1",
                    [a],
                    |row| row.get(0),
                )
                .unwrap(),
            Backend::Postgres(pool) => pool
                .run(|db| {
                    let sql = "SELECT COUNT(*) FROM health_events WHERE feed_url = $1";
                    Ok(db.query_one(sql, &[&a])?.get(0))
                })
                .unwrap(),
        };
        assert_eq!(
            stored, KEEP_PER_FEED as i64,
            "the older ones deleted, not only unread"
        );
        assert_eq!(of_a[0].at, start + TimeDelta::days(29), "newest first");
        assert!(events.contains(&middle));
        assert_eq!(store.health_events(&[b], 100).unwrap(), vec![middle]);
        assert_eq!(store.health_events(&[a, b], 3).unwrap().len(), 3);
        assert_eq!(store.watches().unwrap().get(a), Some(&watch));

        // Recording the same change again (a retried write) keeps one event.
        let again = failing(b, start + TimeDelta::days(15));
        store.record_polls(&[record(b, vec![again], Watch::default())]);
        assert_eq!(store.health_events(&[b], 100).unwrap().len(), 1);
    }
}
