//! The store: what gazette remembers between cycles and restarts, in SQLite.
//!
//! Feeds' fetch state (validators, last status, next poll) and their items. Items are unique per
//! feed and id: a changed item is updated in place, keeping when it was first seen. The database runs
//! in WAL mode and every write is one transaction, so a crash (even `kill -9`) loses at most the
//! write in flight, never a stored item.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};

use crate::model::{Item, Normalized, Source, StoredItem};

pub mod digests;
mod events;
mod health;
mod migrations;
mod published;
mod writer;

pub use events::{HealthRecord, KEEP_DAYS, KEEP_PER_FEED};
pub use health::feed_health;
pub use migrations::SchemaError;
pub use published::Published;
pub use writer::Writer;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the database {path}: {source}")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("cannot use the database {path}: {source}")]
    Schema { path: PathBuf, source: SchemaError },
    #[error("database error: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("cannot start the store's writer thread: {0}")]
    Writer(std::io::Error),
    #[error("the store's writer thread has stopped")]
    WriterStopped,
    #[error("cannot encode an item: {0}")]
    Encode(serde_json::Error),
    #[error("stored item of {feed_url} is unreadable: {source}")]
    Corrupt {
        feed_url: String,
        source: serde_json::Error,
    },
}

/// What the store remembers of one feed's fetches.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FeedState {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// Hash of the last body read: an identical 200 is not parsed again.
    pub body_hash: Option<String>,
    pub last_status: Option<u16>,
    pub last_error: Option<String>,
    pub last_attempt: Option<DateTime<Utc>>,
    pub last_success: Option<DateTime<Utc>>,
    /// Failed polls in a row.
    pub failures: u32,
    /// `None` when never polled, or Gone.
    pub next_poll: Option<DateTime<Utc>>,
    /// The target of the permanent redirects seen on the last polls, and how many in a row.
    pub redirect_to: Option<String>,
    pub redirect_streak: u32,
    /// Where the feed has moved for good: it is fetched there from now on.
    pub moved_to: Option<String>,
    /// Set on 410 Gone: the identity (`FeedConfig::identity`) of the config entry that was gone.
    pub gone: Option<String>,
}

/// Every stored feed's source, by URL.
fn sources(conn: &Connection) -> Result<HashMap<String, Source>, StoreError> {
    let mut feeds = conn.prepare("SELECT url, title, site_link FROM feeds")?;
    let rows = feeds.query_map([], |row| {
        Ok(Source {
            feed_url: row.get(0)?,
            name: row.get::<_, Option<String>>(1)?.unwrap_or_default(),
            site_link: row.get(2)?,
        })
    })?;
    let mut sources = HashMap::new();
    for source in rows {
        let source = source?;
        sources.insert(source.feed_url.clone(), source);
    }
    Ok(sources)
}

/// Decodes a stored item of `feed_url`.
fn stored_item(
    sources: &HashMap<String, Source>,
    feed_url: String,
    data: &str,
    first_seen: DateTime<Utc>,
) -> Result<StoredItem, StoreError> {
    let mut item: Item = serde_json::from_str(data).map_err(|source| StoreError::Corrupt {
        feed_url: feed_url.clone(),
        source,
    })?;
    crate::normalize::upgrade_stored(&mut item);
    let source = match sources.get(&feed_url) {
        Some(source) => source.clone(),
        None => Source {
            feed_url,
            name: String::new(),
            site_link: None,
        },
    };
    Ok(StoredItem {
        item,
        source,
        first_seen,
    })
}

const FEED_STATE_COLUMNS: &str = "etag, last_modified, body_hash, last_status, last_error,
    last_attempt, last_success, failures, next_poll, redirect_to, redirect_streak, moved_to, gone";

fn feed_state_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<FeedState> {
    Ok(FeedState {
        etag: row.get(0)?,
        last_modified: row.get(1)?,
        body_hash: row.get(2)?,
        last_status: row.get(3)?,
        last_error: row.get(4)?,
        last_attempt: row.get(5)?,
        last_success: row.get(6)?,
        failures: row.get(7)?,
        next_poll: row.get(8)?,
        redirect_to: row.get(9)?,
        redirect_streak: row.get(10)?,
        moved_to: row.get(11)?,
        gone: row.get(12)?,
    })
}

/// One feed's poll as it is recorded: the feed's new state, and its items if a body was read.
#[derive(Debug, Clone, PartialEq)]
pub struct PollRecord {
    /// The feed's URL as configured.
    pub feed_url: String,
    pub state: FeedState,
    pub feed: Option<FeedRows>,
    /// When the poll happened: the first-seen date of new items.
    pub at: DateTime<Utc>,
    /// The feed's watch and the health changes the poll saw, if the daemon looked.
    pub health: Option<HealthRecord>,
}

impl PollRecord {
    fn write(&self, conn: &Connection) -> Result<SaveStats, StoreError> {
        let stats = match &self.feed {
            Some(feed) => write_items(conn, &self.feed_url, feed, self.at)?,
            None => SaveStats::default(),
        };
        write_state(conn, &self.feed_url, &self.state)?;
        if let Some(health) = &self.health {
            health.write(conn, &self.feed_url)?;
        }
        Ok(stats)
    }
}

fn write_state(conn: &Connection, url: &str, state: &FeedState) -> Result<(), StoreError> {
    let mut upsert = conn.prepare_cached(
        "INSERT INTO feeds (url, etag, last_modified, body_hash, last_status, last_error,
                            last_attempt, last_success, failures, next_poll, redirect_to,
                            redirect_streak, moved_to, gone)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
         ON CONFLICT (url) DO UPDATE SET
            etag = ?2, last_modified = ?3, body_hash = ?4, last_status = ?5, last_error = ?6,
            last_attempt = ?7, last_success = ?8, failures = ?9, next_poll = ?10,
            redirect_to = ?11, redirect_streak = ?12, moved_to = ?13, gone = ?14",
    )?;
    upsert.execute(params![
        url,
        state.etag,
        state.last_modified,
        state.body_hash,
        state.last_status,
        state.last_error,
        state.last_attempt,
        state.last_success,
        state.failures,
        state.next_poll,
        state.redirect_to,
        state.redirect_streak,
        state.moved_to,
        state.gone
    ])?;
    Ok(())
}

/// A feed's items made ready to store: encoded and hashed by the poll, off the writer thread
/// that every poll waits for.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedRows {
    title: Option<String>,
    site_link: Option<String>,
    items: Vec<ItemRow>,
}

#[derive(Debug, Clone, PartialEq)]
struct ItemRow {
    id: String,
    data: String,
    /// Of `data`: an item whose hash is stored already is left alone.
    hash: String,
    /// Its own date, if it has one, as stored ([`sql_time`]): formatted here, by the poll, not
    /// on the writer thread.
    date: Option<String>,
}

/// How rusqlite stores a `DateTime<Utc>` (`2026-01-11 07:35:00+00:00`, with a fraction of a
/// second when there is one). Queries compare stored dates as text, so every date must be
/// written in exactly this form.
const SQL_TIME: &str = "%F %T%.f%:z";

/// `date` as stored.
fn sql_time(date: &DateTime<Utc>) -> String {
    date.format(SQL_TIME).to_string()
}

impl FeedRows {
    pub fn encode(feed: &Normalized) -> Result<FeedRows, StoreError> {
        let items = feed
            .items
            .iter()
            .map(|item| {
                let data = serde_json::to_string(item).map_err(StoreError::Encode)?;
                Ok(ItemRow {
                    id: item.id.clone(),
                    hash: hex::encode(&Sha256::digest(data.as_bytes())[..16]),
                    data,
                    date: item.published.or(item.updated).as_ref().map(sql_time),
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(FeedRows {
            title: feed.feed_title.clone(),
            site_link: feed.site_link.clone(),
            items,
        })
    }
}

/// Inserts new items, updates changed ones (keeping `first_seen`), leaves unchanged ones alone.
fn write_items(
    conn: &Connection,
    feed_url: &str,
    feed: &FeedRows,
    now: DateTime<Utc>,
) -> Result<SaveStats, StoreError> {
    let renamed = conn
        .prepare_cached(
            "INSERT INTO feeds (url, title, site_link) VALUES (?1, ?2, ?3)
             ON CONFLICT (url) DO UPDATE SET title = ?2, site_link = ?3
             WHERE title IS NOT ?2 OR site_link IS NOT ?3",
        )?
        .execute(params![feed_url, feed.title, feed.site_link])?;
    // One statement per item: an unchanged item (same hash) returns no row; a new one returns
    // the `first_seen` given (now), a changed one its own, which it keeps.
    let mut upsert = conn.prepare_cached(
        "INSERT INTO items (feed_url, item_id, data, hash, sort_date, first_seen)
         VALUES (?1, ?2, ?3, ?4, COALESCE(?5, ?6), ?6)
         ON CONFLICT (feed_url, item_id) DO UPDATE SET
            data = excluded.data, hash = excluded.hash,
            sort_date = COALESCE(?5, items.first_seen)
         WHERE items.hash != excluded.hash
         RETURNING first_seen",
    )?;
    let mut stats = SaveStats::default();
    // Formatted once for the feed's items, and compared as stored, not parsed back.
    let now = sql_time(&now);
    for item in &feed.items {
        let first_seen: Option<String> = upsert
            .query_row(
                params![feed_url, item.id, item.data, item.hash, item.date, now],
                |row| row.get(0),
            )
            .optional()?;
        match first_seen {
            None => {}
            Some(first_seen) if first_seen == now => stats.new += 1,
            Some(_) => stats.updated += 1,
        }
    }
    if renamed > 0 || stats.new + stats.updated > 0 {
        published::bump(conn)?;
    }
    Ok(stats)
}

/// How much of the store [`Store::newest_items`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reading {
    /// Most items of one feed.
    pub per_feed: usize,
    /// Fewest items to read (when there are so many)…
    pub at_least: usize,
    /// …and every item since this date…
    pub since: DateTime<Utc>,
    /// …and every item this much older than the last one needed for either: the older
    /// articles the newest ones may be copies of.
    pub margin: chrono::TimeDelta,
}

/// Items read by [`Store::newest_items`], newest first.
#[derive(Debug, Clone, PartialEq)]
pub struct Newest {
    pub items: Vec<StoredItem>,
    /// Every story whose earliest article is this new or newer was read whole; `None` when
    /// every item was read.
    pub complete_after: Option<DateTime<Utc>>,
}

/// How one save changed the store.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SaveStats {
    pub new: usize,
    pub updated: usize,
}

/// Owns the database connection.
#[derive(Debug)]
pub struct Store {
    conn: Mutex<Connection>,
}

impl Store {
    /// Opens (creating if needed) the database at `path`.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let open_error = |source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        };
        let mut conn = Connection::open(path).map_err(open_error)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(open_error)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(open_error)?;
        // NORMAL in WAL mode is durable against process crashes; only power loss can drop the
        // last commits.
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(open_error)?;
        // 32 MB of page cache instead of SQLite's 2 MB: a cycle's writes touch pages all over the
        // item indexes, and re-reading them from the OS costs more than their memory.
        conn.pragma_update(None, "cache_size", -32_000)
            .map_err(open_error)?;
        // Checkpoint every 64 MB of log instead of 4 MB: index pages that a cycle changes over
        // and over are copied back into the database once, not dozens of times.
        conn.pragma_update(None, "wal_autocheckpoint", 16_000)
            .map_err(open_error)?;
        migrations::migrate_sqlite(&mut conn).map_err(|source| StoreError::Schema {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(Store {
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite half-written (transactions roll
        // back), so a poisoned lock is still safe to use.
        self.conn
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// What is remembered of the feed at `url`, if it was ever polled.
    pub fn feed_state(&self, url: &str) -> Result<Option<FeedState>, StoreError> {
        let conn = self.conn();
        let state = conn
            .query_row(
                &format!("SELECT {FEED_STATE_COLUMNS} FROM feeds WHERE url = ?1"),
                [url],
                feed_state_from_row,
            )
            .optional()?;
        Ok(state)
    }

    /// Every feed's state, by URL: one query for a whole cycle.
    pub fn feed_states(&self) -> Result<HashMap<String, FeedState>, StoreError> {
        let conn = self.conn();
        let mut query = conn.prepare(&format!("SELECT {FEED_STATE_COLUMNS}, url FROM feeds"))?;
        let rows = query.query_map([], |row| Ok((row.get(13)?, feed_state_from_row(row)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Stores a feed's normalized items in one transaction: new ones are inserted, changed ones
    /// updated (keeping `first_seen`), unchanged ones left alone.
    pub fn save_items(
        &self,
        feed_url: &str,
        feed: &Normalized,
        now: DateTime<Utc>,
    ) -> Result<SaveStats, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let stats = write_items(&tx, feed_url, &FeedRows::encode(feed)?, now)?;
        tx.commit()?;
        Ok(stats)
    }

    /// Records polls, each with its items if its body was read, all in one transaction: a
    /// commit costs more than a feed's rows, so polls that finish together are written together.
    /// A feed's items and state are stored together or not at all. Should the shared
    /// transaction fail, each poll is tried alone, so that one bad poll fails no other.
    pub fn record_polls(&self, polls: &[PollRecord]) -> Vec<Result<SaveStats, StoreError>> {
        let mut conn = self.conn();
        let together = (|| {
            let tx = conn.transaction()?;
            let stats = polls
                .iter()
                .map(|poll| poll.write(&tx))
                .collect::<Result<Vec<_>, _>>()?;
            tx.commit()?;
            Ok::<_, StoreError>(stats)
        })();
        match together {
            Ok(stats) => stats.into_iter().map(Ok).collect(),
            Err(_) if polls.len() > 1 => polls
                .iter()
                .map(|poll| {
                    let tx = conn.transaction()?;
                    let stats = poll.write(&tx)?;
                    tx.commit()?;
                    Ok(stats)
                })
                .collect(),
            Err(error) => vec![Err(error)],
        }
    }

    /// The listed feeds' items, newest first, as much of them as `reading` asks for, each feed's
    /// newest `per_feed` at most: a section never shows more than that many of one feed's items.
    /// Only the items kept are decoded.
    pub fn newest_items(
        &self,
        feed_urls: &[&str],
        reading: &Reading,
    ) -> Result<Newest, StoreError> {
        let conn = self.conn();
        let sources = sources(&conn)?;
        let mut taken: HashMap<&str, usize> = feed_urls.iter().map(|&url| (url, 0)).collect();
        let mut query = conn.prepare(
            "SELECT feed_url, data, first_seen, sort_date FROM items
             ORDER BY sort_date DESC, feed_url DESC, item_id DESC",
        )?;
        let mut rows = query.query([])?;
        let mut items = Vec::new();
        // Once enough items are read, reading goes on down to this date.
        let mut down_to: Option<DateTime<Utc>> = None;
        while let Some(row) = rows.next()? {
            let sort_date: DateTime<Utc> = row.get(3)?;
            if down_to.is_some_and(|down_to| sort_date < down_to) {
                return Ok(Newest {
                    items,
                    complete_after: down_to.map(|down_to| down_to + reading.margin),
                });
            }
            let feed_url: String = row.get(0)?;
            let Some(count) = taken.get_mut(feed_url.as_str()) else {
                continue;
            };
            if *count >= reading.per_feed {
                continue;
            }
            *count += 1;
            let data: String = row.get(1)?;
            items.push(stored_item(&sources, feed_url, &data, row.get(2)?)?);
            if down_to.is_none() && items.len() >= reading.at_least {
                down_to = Some((sort_date - reading.margin).min(reading.since));
            }
        }
        Ok(Newest {
            items,
            complete_after: None,
        })
    }

    /// Records that the feed at `url` answered 410 Gone for the config entry `identity`.
    pub fn set_gone(&self, url: &str, identity: &str) -> Result<(), StoreError> {
        self.conn()
            .execute("UPDATE feeds SET gone = ?2 WHERE url = ?1", [url, identity])?;
        Ok(())
    }

    /// How many items are stored for `feed_url`.
    pub fn item_count(&self, feed_url: &str) -> Result<u64, StoreError> {
        let conn = self.conn();
        let count: i64 = conn.query_row(
            "SELECT COUNT(*) FROM items WHERE feed_url = ?1",
            [feed_url],
            |row| row.get(0),
        )?;
        Ok(count.unsigned_abs())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: &str, title: &str) -> Item {
        Item {
            id: id.into(),
            title: title.into(),
            ..Item::default()
        }
    }

    fn feed(items: Vec<Item>) -> Normalized {
        Normalized {
            feed_title: Some("피드".into()),
            site_link: None,
            items,
            warnings: vec![],
        }
    }

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn new_changed_and_unchanged_items() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("g.db")).unwrap();
        let url = "https://a.example/rss";
        let first = store
            .save_items(
                url,
                &feed(vec![item("1", "a"), item("2", "b")]),
                at("2026-01-01T00:00:00Z"),
            )
            .unwrap();
        assert_eq!(first, SaveStats { new: 2, updated: 0 });
        let second = store
            .save_items(
                url,
                &feed(vec![item("1", "a"), item("2", "b2")]),
                at("2026-01-02T00:00:00Z"),
            )
            .unwrap();
        assert_eq!(second, SaveStats { new: 0, updated: 1 });
        assert_eq!(store.revision().unwrap(), 2, "each changing write counts");
        store
            .save_items(
                url,
                &feed(vec![item("1", "a"), item("2", "b2")]),
                at("2026-01-03T00:00:00Z"),
            )
            .unwrap();
        assert_eq!(store.revision().unwrap(), 2, "an unchanged feed does not");
        drop(store);

        let store = Store::open(&dir.path().join("g.db")).unwrap();
        let reading = |at_least| Reading {
            per_feed: 10,
            at_least,
            since: at("2026-01-01T00:00:00Z"),
            margin: chrono::TimeDelta::hours(1),
        };
        let items = store.newest_items(&[url], &reading(10)).unwrap().items;
        assert_eq!(items.len(), 2);
        let b = items.iter().find(|i| i.item.id == "2").unwrap();
        assert_eq!(b.item.title, "b2");
        assert_eq!(
            b.first_seen,
            at("2026-01-01T00:00:00Z"),
            "first_seen is kept"
        );
        assert_eq!(b.source.name, "피드");
        assert_eq!(store.item_count(url).unwrap(), 2);
        let per_feed = Reading {
            per_feed: 1,
            ..reading(10)
        };
        assert_eq!(
            store.newest_items(&[url], &per_feed).unwrap().items.len(),
            1
        );
    }

    #[test]
    fn dates_are_stored_as_rusqlite_stores_them() {
        use rusqlite::types::{ToSqlOutput, Value};
        let whole = at("2026-01-11T07:35:00Z");
        for date in [
            whole,
            whole + chrono::TimeDelta::milliseconds(250),
            whole + chrono::TimeDelta::microseconds(1),
            whole + chrono::TimeDelta::nanoseconds(7),
            at("0999-12-31T23:59:59Z"),
        ] {
            let Ok(ToSqlOutput::Owned(Value::Text(stored))) = rusqlite::ToSql::to_sql(&date) else {
                panic!("rusqlite stores dates as text");
            };
            assert_eq!(sql_time(&date), stored);
        }
    }

    #[test]
    fn feed_state_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("g.db")).unwrap();
        let url = "https://a.example/rss";
        assert_eq!(store.feed_state(url).unwrap(), None);
        let state = FeedState {
            etag: Some("\"v1\"".into()),
            last_modified: None,
            body_hash: Some("abc".into()),
            last_status: Some(301),
            last_error: Some("HTTP 500".into()),
            last_attempt: Some(at("2026-01-01T00:15:00Z")),
            last_success: Some(at("2026-01-01T00:00:00Z")),
            failures: 2,
            next_poll: Some(at("2026-01-01T00:30:00Z")),
            redirect_to: Some("https://b.example/rss".into()),
            redirect_streak: 2,
            moved_to: None,
            gone: Some("fingerprint".into()),
        };
        let record = |feed_url: &str, items| PollRecord {
            feed_url: feed_url.into(),
            state: state.clone(),
            feed: items,
            at: at("2026-01-01T00:00:00Z"),
            health: None,
        };
        let other = "https://b.example/rss";
        let results = store.record_polls(&[
            record(url, None),
            record(
                other,
                Some(FeedRows::encode(&feed(vec![item("1", "a"), item("2", "b")])).unwrap()),
            ),
        ]);
        assert_eq!(results.len(), 2);
        assert_eq!(
            *results[1].as_ref().unwrap(),
            SaveStats { new: 2, updated: 0 }
        );
        // Saving items keeps the fetch state.
        store
            .save_items(url, &feed(vec![item("1", "a")]), at("2026-01-01T00:00:00Z"))
            .unwrap();
        drop(store);
        let store = Store::open(&dir.path().join("g.db")).unwrap();
        assert_eq!(store.feed_state(url).unwrap(), Some(state.clone()));
        assert_eq!(store.feed_state(other).unwrap(), Some(state));
        assert_eq!(store.item_count(other).unwrap(), 2);
    }

    #[test]
    fn newest_items_read_as_far_as_asked() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("g.db")).unwrap();
        let (busy, quiet) = ("https://busy.example/rss", "https://quiet.example/rss");
        // One item an hour on the busy feed, going back 100 hours; the quiet one is a month old.
        let newest = at("2026-03-01T00:00:00Z");
        let items: Vec<Item> = (0..100)
            .map(|n| Item {
                published: Some(newest - chrono::TimeDelta::hours(n)),
                ..item(&format!("b{n}"), "busy")
            })
            .collect();
        store.save_items(busy, &feed(items), newest).unwrap();
        let old = Item {
            published: Some(at("2026-02-01T00:00:00Z")),
            ..item("q1", "quiet")
        };
        store.save_items(quiet, &feed(vec![old]), newest).unwrap();

        let reading = Reading {
            per_feed: 1000,
            at_least: 10,
            since: at("2026-02-28T20:00:00Z"),
            margin: chrono::TimeDelta::hours(5),
        };
        let read = store.newest_items(&[busy, quiet], &reading).unwrap();
        // Ten items reach 9 hours back; five more hours of margin.
        assert_eq!(read.items.len(), 15);
        assert_eq!(read.items[0].item.id, "b0");
        assert_eq!(read.items[0].source.name, "피드");
        assert_eq!(read.complete_after, Some(at("2026-02-28T15:00:00Z")));

        // `since` reaches further than the count.
        let since = Reading {
            since: at("2026-02-27T00:00:00Z"),
            ..reading
        };
        assert_eq!(store.newest_items(&[busy], &since).unwrap().items.len(), 49);

        // Asked for more than there is, everything is read and said to be.
        let all = Reading {
            at_least: 500,
            ..reading
        };
        let read = store.newest_items(&[busy, quiet], &all).unwrap();
        assert_eq!(read.items.len(), 101);
        assert_eq!(read.complete_after, None);
        // Unlisted feeds are not read.
        assert_eq!(store.newest_items(&[quiet], &all).unwrap().items.len(), 1);
    }
}
