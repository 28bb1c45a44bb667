//! The store: what gazette remembers between cycles and restarts, in SQLite (one node, the
//! default) or PostgreSQL (several nodes sharing one database).
//!
//! Feeds' fetch state (validators, last status, next poll) and their items. Items are unique per
//! feed and id: a changed item is updated in place, keeping when it was first seen. Every write is
//! one transaction, so a crash (even `kill -9`) loses at most the write in flight, never a stored
//! item. SQLite runs in WAL mode.
//!
//! [`Store`] is the one interface; which backend it has is its own business. Each method holds
//! both dialects side by side (a `match` on the backend, so the compiler makes every method
//! have both), and what does not depend on the dialect (decoding items, how far a publish
//! reads, falling back to one transaction per poll) is written once, here.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, Datelike, Timelike, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};

use crate::config::Database;
use crate::model::{Item, Normalized, Source, StoredItem};

mod articles;
#[cfg(test)]
pub(crate) mod both;
mod copy;
pub mod digests;
mod events;
mod group;
mod health;
pub mod lease;
mod migrations;
mod pg;
mod published;
mod records;
mod writer;

pub use articles::{ArticleOutcome, PendingArticle};
pub use copy::CopyReport;
pub use events::{HealthRecord, KEEP_DAYS, KEEP_PER_FEED};
pub use group::{GroupStatus, HeldFeed};
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
    #[error("PostgreSQL error: {0}")]
    Postgres(#[from] postgres::Error),
    #[error("cannot copy the store: {0}")]
    Copy(String),
    #[error("cannot connect to the database {url}: {reason}")]
    Connect { url: String, reason: String },
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
fn sources(backend: &Backend) -> Result<HashMap<String, Source>, StoreError> {
    let source = |feed_url: String, name: Option<String>, site_link| Source {
        feed_url,
        name: name.unwrap_or_default(),
        site_link,
    };
    let list: Vec<Source> = match backend {
        Backend::Sqlite(conn) => {
            let conn = lock(conn);
            let mut feeds = conn.prepare("SELECT url, title, site_link FROM feeds")?;
            feeds
                .query_map([], |row| Ok(source(row.get(0)?, row.get(1)?, row.get(2)?)))?
                .collect::<Result<_, _>>()?
        }
        Backend::Postgres(pool) => pool.run(|db| {
            Ok(db
                .query("SELECT url, title, site_link FROM feeds", &[])?
                .iter()
                .map(|row| source(row.get(0), row.get(1), row.get(2)))
                .collect())
        })?,
    };
    Ok(list
        .into_iter()
        .map(|source| (source.feed_url.clone(), source))
        .collect())
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

/// A count as PostgreSQL's `INTEGER` holds it, and back.
fn pg_int(count: u32) -> i32 {
    i32::try_from(count).unwrap_or(i32::MAX)
}

fn pg_count(value: i32) -> u32 {
    u32::try_from(value).unwrap_or(0)
}

fn pg_feed_state(row: &postgres::Row) -> FeedState {
    FeedState {
        etag: row.get(0),
        last_modified: row.get(1),
        body_hash: row.get(2),
        last_status: row
            .get::<_, Option<i32>>(3)
            .and_then(|status| u16::try_from(status).ok()),
        last_error: row.get(4),
        last_attempt: row.get(5),
        last_success: row.get(6),
        failures: pg_count(row.get(7)),
        next_poll: row.get(8),
        redirect_to: row.get(9),
        redirect_streak: pg_count(row.get(10)),
        moved_to: row.get(11),
        gone: row.get(12),
    }
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
    /// Writes the poll, and frees the feed's lease if `node` holds it.
    fn write(&self, conn: &Connection, node: &str) -> Result<SaveStats, StoreError> {
        let stats = match &self.feed {
            Some(feed) => {
                let fetch = (self.state.last_status, self.state.etag.as_deref());
                write_items(conn, &self.feed_url, feed, self.at, fetch)?
            }
            None => SaveStats::default(),
        };
        write_state(conn, &self.feed_url, &self.state, node)?;
        if let Some(health) = &self.health {
            health.write(conn, &self.feed_url)?;
        }
        Ok(stats)
    }

    /// The same in PostgreSQL.
    fn write_pg(
        &self,
        db: &mut postgres::Transaction<'_>,
        node: &str,
    ) -> Result<SaveStats, StoreError> {
        let stats = match &self.feed {
            Some(feed) => {
                let fetch = (self.state.last_status, self.state.etag.as_deref());
                pg_write_items(db, &self.feed_url, feed, self.at, fetch)?
            }
            None => SaveStats::default(),
        };
        pg_write_state(db, &self.feed_url, &self.state, node)?;
        if let Some(health) = &self.health {
            health.write_pg(db, &self.feed_url)?;
        }
        Ok(stats)
    }
}

fn write_state(
    conn: &Connection,
    url: &str,
    state: &FeedState,
    node: &str,
) -> Result<(), StoreError> {
    let mut upsert = conn.prepare_cached(
        "INSERT INTO feeds (url, etag, last_modified, body_hash, last_status, last_error,
                            last_attempt, last_success, failures, next_poll, redirect_to,
                            redirect_streak, moved_to, gone)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
         ON CONFLICT (url) DO UPDATE SET
            etag = ?2, last_modified = ?3, body_hash = ?4, last_status = ?5, last_error = ?6,
            last_attempt = ?7, last_success = ?8, failures = ?9, next_poll = ?10,
            redirect_to = ?11, redirect_streak = ?12, moved_to = ?13, gone = ?14,
            lease_owner = CASE WHEN lease_owner = ?15 THEN NULL ELSE lease_owner END,
            lease_until = CASE WHEN lease_owner = ?15 THEN NULL ELSE lease_until END",
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
        state.gone,
        node
    ])?;
    Ok(())
}

fn pg_write_state(
    db: &mut postgres::Transaction<'_>,
    url: &str,
    state: &FeedState,
    node: &str,
) -> Result<(), StoreError> {
    let upsert = db.prepare(
        "INSERT INTO feeds (url, etag, last_modified, body_hash, last_status, last_error,
                            last_attempt, last_success, failures, next_poll, redirect_to,
                            redirect_streak, moved_to, gone)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
         ON CONFLICT (url) DO UPDATE SET
            etag = $2, last_modified = $3, body_hash = $4, last_status = $5, last_error = $6,
            last_attempt = $7, last_success = $8, failures = $9, next_poll = $10,
            redirect_to = $11, redirect_streak = $12, moved_to = $13, gone = $14,
            lease_owner = CASE WHEN feeds.lease_owner = $15 THEN NULL ELSE feeds.lease_owner END,
            lease_until = CASE WHEN feeds.lease_owner = $15 THEN NULL ELSE feeds.lease_until END",
    )?;
    db.execute(
        &upsert,
        &[
            &url,
            &state.etag,
            &state.last_modified,
            &state.body_hash,
            &state.last_status.map(i32::from),
            &state.last_error,
            &state.last_attempt,
            &state.last_success,
            &pg_int(state.failures),
            &state.next_poll,
            &state.redirect_to,
            &pg_int(state.redirect_streak),
            &state.moved_to,
            &state.gone,
            &node,
        ],
    )?;
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
    /// Its own date, if it has one.
    date: Option<DateTime<Utc>>,
    /// The same as SQLite stores it ([`sql_time`]): formatted here, by the poll, not on the
    /// writer thread.
    date_text: Option<String>,
    /// What the feed said of it ([`crate::model::Origin`] as JSON), recorded when it is stored
    /// new or changed.
    origin: Option<String>,
}

/// How rusqlite stores a `DateTime<Utc>` (`2026-01-11 07:35:00+00:00`, with a fraction of a
/// second when there is one). Queries compare stored dates as text, so every date must be
/// written in exactly this form.
const SQL_TIME: &str = "%F %T%.f%:z";

/// `date` as stored: what `date.format(SQL_TIME)` writes, written digit by digit because a cycle
/// stores a date per item and chrono's formatter costs some twenty times more.
fn sql_time(date: &DateTime<Utc>) -> String {
    let (day, time) = (date.date_naive(), date.time());
    let nanos = time.nanosecond();
    // Years of other than four digits and leap seconds, as chrono writes them.
    if !(0..=9999).contains(&day.year()) || nanos >= 1_000_000_000 {
        return date.format(SQL_TIME).to_string();
    }
    let mut out = String::with_capacity(35);
    let mut put = |separator: Option<char>, value: u32, width: u32| {
        out.extend(separator);
        for place in (0..width).rev() {
            let digit = value / 10u32.pow(place) % 10;
            out.push(char::from(b'0' + digit as u8));
        }
    };
    put(None, day.year().unsigned_abs(), 4);
    put(Some('-'), day.month(), 2);
    put(Some('-'), day.day(), 2);
    put(Some(' '), time.hour(), 2);
    put(Some(':'), time.minute(), 2);
    put(Some(':'), time.second(), 2);
    // `%.f`: as many digits of the fraction as it needs, in threes.
    match nanos {
        0 => {}
        _ if nanos % 1_000_000 == 0 => put(Some('.'), nanos / 1_000_000, 3),
        _ if nanos % 1_000 == 0 => put(Some('.'), nanos / 1_000, 6),
        _ => put(Some('.'), nanos, 9),
    }
    out.push_str("+00:00");
    out
}

impl FeedRows {
    pub fn encode(feed: &Normalized) -> Result<FeedRows, StoreError> {
        let origins = feed.origins.iter().map(Some).chain(std::iter::repeat(None));
        // Ids are unique per feed (normalizing keeps an id's first occurrence); so they stay.
        let mut ids = std::collections::HashSet::new();
        let items = feed
            .items
            .iter()
            .zip(origins)
            .filter(|(item, _)| ids.insert(item.id.as_str()))
            .map(|(item, origin)| {
                let data = serde_json::to_string(item).map_err(StoreError::Encode)?;
                let origin = origin.map(|origin| records::origin_json(origin, item));
                let date = item.published.or(item.updated);
                Ok(ItemRow {
                    origin: origin.transpose()?,
                    id: item.id.clone(),
                    hash: hex::encode(&Sha256::digest(data.as_bytes())[..16]),
                    data,
                    date,
                    date_text: date.as_ref().map(sql_time),
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

/// Inserts new items, updates changed ones (keeping `first_seen`) and records where they came
/// from (`fetch`: its HTTP status and ETag), leaves unchanged ones alone.
fn write_items(
    conn: &Connection,
    feed_url: &str,
    feed: &FeedRows,
    now: DateTime<Utc>,
    (status, etag): (Option<u16>, Option<&str>),
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
    // What the feed said of the item and the fetch it came from go in the item's own row: the
    // first fetch kept, the last (none until it changes) and the origin replaced when it changes.
    let mut upsert = conn.prepare_cached(
        "INSERT INTO items (feed_url, item_id, data, hash, sort_date, first_seen,
                            origin, first_fetch, last_fetch)
         VALUES (?1, ?2, ?3, ?4, COALESCE(?5, ?6), ?6, ?7, ?8, NULL)
         ON CONFLICT (feed_url, item_id) DO UPDATE SET
            data = excluded.data, hash = excluded.hash,
            sort_date = COALESCE(?5, items.first_seen),
            origin = COALESCE(excluded.origin, items.origin), last_fetch = ?8
         WHERE items.hash != excluded.hash
         RETURNING first_seen",
    )?;
    let mut stats = SaveStats::default();
    let fetch = records::fetch_json(now, status, etag)?;
    // Formatted once for the feed's items, and compared as stored, not parsed back.
    let now = sql_time(&now);
    for item in &feed.items {
        let first_seen: Option<String> = upsert
            .query_row(
                params![
                    feed_url,
                    item.id,
                    item.data,
                    item.hash,
                    item.date_text,
                    now,
                    item.origin,
                    fetch
                ],
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

/// The columns of `items`, as arrays for `unnest`.
type ItemColumns<'a> = (
    Vec<&'a str>,
    Vec<&'a str>,
    Vec<&'a str>,
    Vec<Option<DateTime<Utc>>>,
    Vec<Option<&'a str>>,
);

fn columns<'a>(items: &[&'a ItemRow]) -> ItemColumns<'a> {
    (
        items.iter().map(|i| i.id.as_str()).collect(),
        items.iter().map(|i| i.data.as_str()).collect(),
        items.iter().map(|i| i.hash.as_str()).collect(),
        items.iter().map(|i| i.date).collect(),
        items.iter().map(|i| i.origin.as_deref()).collect(),
    )
}

/// [`write_items`] in PostgreSQL: the same outcome.
fn pg_write_items(
    db: &mut postgres::Transaction<'_>,
    feed_url: &str,
    feed: &FeedRows,
    now: DateTime<Utc>,
    (status, etag): (Option<u16>, Option<&str>),
) -> Result<SaveStats, StoreError> {
    let rename = db.prepare(
        "INSERT INTO feeds (url, title, site_link) VALUES ($1, $2, $3)
         ON CONFLICT (url) DO UPDATE SET title = $2, site_link = $3
         WHERE feeds.title IS DISTINCT FROM $2 OR feeds.site_link IS DISTINCT FROM $3",
    )?;
    let renamed = db.execute(&rename, &[&feed_url, &feed.title, &feed.site_link])?;
    // Three statements per feed, not one per item: the stored hashes, then the new items
    // inserted and the changed ones updated, each in one statement over arrays. The feed is
    // this node's (leased) and the transaction holds its rows, so nothing comes in between;
    // should another writer insert an item first all the same, its first sighting is kept.
    let ids: Vec<&str> = feed.items.iter().map(|item| item.id.as_str()).collect();
    let stored: HashMap<String, String> = db
        .query(
            "SELECT item_id, hash FROM items WHERE feed_url = $1 AND item_id = ANY($2)
             FOR UPDATE",
            &[&feed_url, &ids],
        )?
        .iter()
        .map(|row| (row.get(0), row.get(1)))
        .collect();
    let (mut new, mut changed): (Vec<&ItemRow>, Vec<&ItemRow>) = (Vec::new(), Vec::new());
    for item in &feed.items {
        match stored.get(&item.id) {
            None => new.push(item),
            Some(hash) if *hash != item.hash => changed.push(item),
            Some(_) => {}
        }
    }
    let mut stats = SaveStats::default();
    let fetch = records::fetch_json(now, status, etag)?;
    if !new.is_empty() {
        let (ids, data, hashes, dates, origins) = columns(&new);
        let inserted = db.execute(
            "INSERT INTO items (feed_url, item_id, data, hash, sort_date, first_seen,
                                origin, first_fetch, last_fetch)
             SELECT $1, u.id, u.data, u.hash, COALESCE(u.date, $6::timestamptz), $6::timestamptz,
                    u.origin, $8, NULL
             FROM unnest($2::text[], $3::text[], $4::text[], $5::timestamptz[], $7::text[])
                  AS u(id, data, hash, date, origin)
             ON CONFLICT (feed_url, item_id) DO NOTHING",
            &[
                &feed_url, &ids, &data, &hashes, &dates, &now, &origins, &fetch,
            ],
        )?;
        stats.new = usize::try_from(inserted).unwrap_or(usize::MAX);
    }
    if !changed.is_empty() {
        let (ids, data, hashes, dates, origins) = columns(&changed);
        let updated = db.execute(
            "UPDATE items AS i SET data = u.data, hash = u.hash,
                    sort_date = COALESCE(u.date, i.first_seen),
                    origin = COALESCE(u.origin, i.origin), last_fetch = $7
             FROM unnest($2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::text[])
                  AS u(id, data, hash, date, origin)
             WHERE i.feed_url = $1 AND i.item_id = u.id AND i.hash <> u.hash",
            &[&feed_url, &ids, &data, &hashes, &dates, &origins, &fetch],
        )?;
        stats.updated = usize::try_from(updated).unwrap_or(usize::MAX);
    }
    if renamed > 0 || stats.new + stats.updated > 0 {
        published::pg_bump(db)?;
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

/// One stored item as read, before it is decoded.
struct RawItem {
    feed_url: String,
    data: String,
    first_seen: DateTime<Utc>,
    sort_date: DateTime<Utc>,
}

/// Rows of the newest-first walk read from PostgreSQL at a time.
const PG_BATCH: i32 = 1000;

/// The database behind a [`Store`].
#[derive(Debug)]
enum Backend {
    Sqlite(Mutex<Connection>),
    Postgres(Box<pg::Pool>),
}

/// A panic while holding the lock cannot leave SQLite half-written (transactions roll back), so
/// a poisoned lock is still safe to use.
fn lock(conn: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    conn.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Gazette's memory, in SQLite or PostgreSQL.
#[derive(Debug)]
pub struct Store {
    backend: Backend,
    /// This process's name in leases (see [`lease`]).
    node: String,
}

impl Store {
    /// Opens (creating if needed) the SQLite database at `path`.
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
            backend: Backend::Sqlite(Mutex::new(conn)),
            node: lease::node_name(None),
        })
    }

    /// Opens the store `database` names: an SQLite file, or a PostgreSQL database (connecting,
    /// and migrating its schema).
    pub fn connect(database: &Database) -> Result<Store, StoreError> {
        match database {
            Database::Sqlite(path) => Store::open(path),
            Database::Postgres(pg) => Ok(Store {
                backend: Backend::Postgres(Box::new(pg::Pool::connect(
                    &pg.url,
                    pg.password_env.as_deref(),
                )?)),
                node: lease::node_name(pg.node.as_deref()),
            }),
        }
    }

    /// Whether several nodes may share this store (PostgreSQL).
    pub fn is_shared(&self) -> bool {
        matches!(self.backend, Backend::Postgres(_))
    }

    /// What is remembered of the feed at `url`, if it was ever polled.
    pub fn feed_state(&self, url: &str) -> Result<Option<FeedState>, StoreError> {
        match &self.backend {
            Backend::Sqlite(conn) => Ok(lock(conn)
                .query_row(
                    &format!("SELECT {FEED_STATE_COLUMNS} FROM feeds WHERE url = ?1"),
                    [url],
                    feed_state_from_row,
                )
                .optional()?),
            Backend::Postgres(pool) => pool.run(|db| {
                let query = format!("SELECT {FEED_STATE_COLUMNS} FROM feeds WHERE url = $1");
                Ok(db.query_opt(&query, &[&url])?.as_ref().map(pg_feed_state))
            }),
        }
    }

    /// Every feed's state, by URL: one query for a whole cycle.
    pub fn feed_states(&self) -> Result<HashMap<String, FeedState>, StoreError> {
        let query = format!("SELECT {FEED_STATE_COLUMNS}, url FROM feeds");
        match &self.backend {
            Backend::Sqlite(conn) => {
                let conn = lock(conn);
                let mut query = conn.prepare(&query)?;
                let rows =
                    query.query_map([], |row| Ok((row.get(13)?, feed_state_from_row(row)?)))?;
                Ok(rows.collect::<Result<_, _>>()?)
            }
            Backend::Postgres(pool) => pool.run(|db| {
                Ok(db
                    .query(&query, &[])?
                    .iter()
                    .map(|row| (row.get(13), pg_feed_state(row)))
                    .collect())
            }),
        }
    }

    /// Stores a feed's normalized items in one transaction: new ones are inserted, changed ones
    /// updated (keeping `first_seen`), unchanged ones left alone.
    pub fn save_items(
        &self,
        feed_url: &str,
        feed: &Normalized,
        now: DateTime<Utc>,
    ) -> Result<SaveStats, StoreError> {
        let rows = FeedRows::encode(feed)?;
        match &self.backend {
            Backend::Sqlite(conn) => {
                let mut conn = lock(conn);
                let tx = conn.transaction()?;
                let stats = write_items(&tx, feed_url, &rows, now, (None, None))?;
                tx.commit()?;
                Ok(stats)
            }
            Backend::Postgres(pool) => pool.run(|db| {
                let mut tx = db.transaction()?;
                let stats = pg_write_items(&mut tx, feed_url, &rows, now, (None, None))?;
                tx.commit()?;
                Ok(stats)
            }),
        }
    }

    /// Records polls, each with its items if its body was read, all in one transaction: a
    /// commit costs more than a feed's rows, so polls that finish together are written together.
    /// A feed's items and state are stored together or not at all (and in PostgreSQL the feed's
    /// lease is freed with them). Should the shared transaction fail, each poll is tried alone,
    /// so that one bad poll fails no other.
    pub fn record_polls(&self, polls: &[PollRecord]) -> Vec<Result<SaveStats, StoreError>> {
        match self.write_polls(polls) {
            Ok(stats) => stats.into_iter().map(Ok).collect(),
            Err(_) if polls.len() > 1 => polls
                .iter()
                .map(|poll| {
                    self.write_polls(std::slice::from_ref(poll))
                        .map(|stats| stats.into_iter().next().unwrap_or_default())
                })
                .collect(),
            Err(error) => vec![Err(error)],
        }
    }

    /// `polls` in one transaction.
    fn write_polls(&self, polls: &[PollRecord]) -> Result<Vec<SaveStats>, StoreError> {
        match &self.backend {
            Backend::Sqlite(conn) => {
                let mut conn = lock(conn);
                let tx = conn.transaction()?;
                let stats = polls
                    .iter()
                    .map(|poll| poll.write(&tx, &self.node))
                    .collect::<Result<Vec<_>, _>>()?;
                tx.commit()?;
                Ok(stats)
            }
            Backend::Postgres(pool) => pool.run(|db| {
                let mut tx = db.transaction()?;
                let stats = polls
                    .iter()
                    .map(|poll| poll.write_pg(&mut tx, &self.node))
                    .collect::<Result<Vec<_>, _>>()?;
                tx.commit()?;
                Ok(stats)
            }),
        }
    }

    /// Calls `visit` with every stored item, newest first (by date, then feed and id, both
    /// descending), until it answers `false`.
    fn walk_newest(
        &self,
        visit: &mut (dyn FnMut(RawItem) -> Result<bool, StoreError> + Send),
    ) -> Result<(), StoreError> {
        const QUERY: &str = "SELECT feed_url, data, first_seen, sort_date FROM items
             ORDER BY sort_date DESC, feed_url DESC, item_id DESC";
        match &self.backend {
            Backend::Sqlite(conn) => {
                let conn = lock(conn);
                let mut query = conn.prepare(QUERY)?;
                let mut rows = query.query([])?;
                while let Some(row) = rows.next()? {
                    let raw = RawItem {
                        feed_url: row.get(0)?,
                        data: row.get(1)?,
                        first_seen: row.get(2)?,
                        sort_date: row.get(3)?,
                    };
                    if !visit(raw)? {
                        break;
                    }
                }
                Ok(())
            }
            // A portal reads the rows a batch at a time: a publish that needs the newest
            // thousand items does not make the server send a million.
            Backend::Postgres(pool) => pool.run(|db| {
                let mut tx = db.transaction()?;
                let portal = tx.bind(QUERY, &[])?;
                loop {
                    let rows = tx.query_portal(&portal, PG_BATCH)?;
                    let last = rows.len() < PG_BATCH as usize;
                    for row in rows {
                        let raw = RawItem {
                            feed_url: row.get(0),
                            data: row.get(1),
                            first_seen: row.get(2),
                            sort_date: row.get(3),
                        };
                        if !visit(raw)? {
                            return Ok(());
                        }
                    }
                    if last {
                        return Ok(());
                    }
                }
            }),
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
        let sources = sources(&self.backend)?;
        let mut taken: HashMap<&str, usize> = feed_urls.iter().map(|&url| (url, 0)).collect();
        let mut items = Vec::new();
        // Once enough items are read, reading goes on down to this date.
        let mut down_to: Option<DateTime<Utc>> = None;
        let mut stopped = false;
        self.walk_newest(&mut |raw| {
            if down_to.is_some_and(|down_to| raw.sort_date < down_to) {
                stopped = true;
                return Ok(false);
            }
            let Some(count) = taken.get_mut(raw.feed_url.as_str()) else {
                return Ok(true);
            };
            if *count >= reading.per_feed {
                return Ok(true);
            }
            *count += 1;
            items.push(stored_item(
                &sources,
                raw.feed_url,
                &raw.data,
                raw.first_seen,
            )?);
            if down_to.is_none() && items.len() >= reading.at_least {
                down_to = Some((raw.sort_date - reading.margin).min(reading.since));
            }
            Ok(true)
        })?;
        Ok(Newest {
            items,
            complete_after: down_to
                .filter(|_| stopped)
                .map(|down_to| down_to + reading.margin),
        })
    }

    /// Hands SQLite's page cache back: a publish's read of every recent item leaves it full of
    /// pages that the merge after it never needs, beside the merge's own memory. The next
    /// cycle's writes read their pages in again, from the OS's cache. PostgreSQL keeps its cache
    /// in its own server: nothing to do.
    pub fn release_memory(&self) -> Result<(), StoreError> {
        if let Backend::Sqlite(conn) = &self.backend {
            lock(conn).execute_batch("PRAGMA shrink_memory")?;
        }
        Ok(())
    }

    /// Records that the feed at `url` answered 410 Gone for the config entry `identity`.
    pub fn set_gone(&self, url: &str, identity: &str) -> Result<(), StoreError> {
        match &self.backend {
            Backend::Sqlite(conn) => {
                lock(conn).execute("UPDATE feeds SET gone = ?2 WHERE url = ?1", [url, identity])?;
            }
            Backend::Postgres(pool) => {
                pool.run(|db| {
                    db.execute(
                        "UPDATE feeds SET gone = $2 WHERE url = $1",
                        &[&url, &identity],
                    )?;
                    Ok(())
                })?;
            }
        }
        Ok(())
    }

    /// How many items are stored for `feed_url`.
    pub fn item_count(&self, feed_url: &str) -> Result<u64, StoreError> {
        let count: i64 = match &self.backend {
            Backend::Sqlite(conn) => lock(conn).query_row(
                "SELECT COUNT(*) FROM items WHERE feed_url = ?1",
                [feed_url],
                |row| row.get(0),
            )?,
            Backend::Postgres(pool) => pool.run(|db| {
                Ok(db
                    .query_one(
                        "SELECT COUNT(*) FROM items WHERE feed_url = $1",
                        &[&feed_url],
                    )?
                    .get(0))
            })?,
        };
        Ok(count.unsigned_abs())
    }

    /// How many items are stored for each feed that has any: one query for `gazette feeds`.
    pub fn item_counts(&self) -> Result<HashMap<String, u64>, StoreError> {
        const QUERY: &str = "SELECT feed_url, COUNT(*) FROM items GROUP BY feed_url";
        let counts: Vec<(String, i64)> = match &self.backend {
            Backend::Sqlite(conn) => {
                let conn = lock(conn);
                let mut query = conn.prepare(QUERY)?;
                query
                    .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
                    .collect::<Result<_, _>>()?
            }
            Backend::Postgres(pool) => pool.run(|db| {
                Ok(db
                    .query(QUERY, &[])?
                    .iter()
                    .map(|row| (row.get(0), row.get(1)))
                    .collect())
            })?,
        };
        Ok(counts
            .into_iter()
            .map(|(url, count)| (url, count.unsigned_abs()))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sql_time_writes_what_chrono_writes() {
        let mut dates = Vec::new();
        for text in [
            "2026-01-11T07:35:00Z",
            "1970-01-01T00:00:00Z",
            "0000-03-01T00:00:00Z",
            "0999-12-31T23:59:59.5Z",
            "9999-12-31T23:59:59.999999999Z",
            "2026-06-30T12:00:00.120Z",
            "2026-06-30T12:00:00.000120Z",
            "2026-06-30T12:00:00.000000120Z",
            "2016-12-31T23:59:60.250Z",
        ] {
            dates.push(text.parse::<DateTime<Utc>>().unwrap());
        }
        let far = chrono::NaiveDate::from_ymd_opt(12026, 1, 1).unwrap();
        dates.push(far.and_hms_opt(0, 0, 0).unwrap().and_utc());
        let before = chrono::NaiveDate::from_ymd_opt(-44, 3, 15).unwrap();
        dates.push(before.and_hms_opt(12, 0, 0).unwrap().and_utc());
        // Every second and fraction width over a stretch of days, hours and minutes.
        let mut date = dates[0];
        for step in 0..5_000i64 {
            date += chrono::TimeDelta::seconds(7_919 * step) + chrono::TimeDelta::nanoseconds(step);
            dates.push(date);
            dates.push(date.with_nanosecond(0).unwrap());
            dates.push(
                date.with_nanosecond(1_000 * (step as u32 % 1_000_000))
                    .unwrap(),
            );
        }
        for date in dates {
            assert_eq!(
                sql_time(&date),
                date.format(SQL_TIME).to_string(),
                "{date:?}"
            );
        }
    }

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
            origins: Vec::new(),
            items,
            warnings: vec![],
        }
    }

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn new_changed_and_unchanged_items() {
        both::on_both(new_changed_and_unchanged_items_on);
    }

    fn new_changed_and_unchanged_items_on(database: &Database) {
        let store = Store::connect(database).unwrap();
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

        let store = Store::connect(database).unwrap();
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
        both::on_both(feed_state_round_trips_on);
    }

    fn feed_state_round_trips_on(database: &Database) {
        let store = Store::connect(database).unwrap();
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
        let store = Store::connect(database).unwrap();
        assert_eq!(store.feed_state(url).unwrap(), Some(state.clone()));
        assert_eq!(store.feed_state(other).unwrap(), Some(state));
        assert_eq!(store.item_count(other).unwrap(), 2);
    }

    #[test]
    fn newest_items_read_as_far_as_asked() {
        both::on_both(newest_items_read_as_far_as_asked_on);
    }

    fn newest_items_read_as_far_as_asked_on(database: &Database) {
        let store = Store::connect(database).unwrap();
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
