//! `gazette migrate --to postgres://…`: an SQLite store copied into a PostgreSQL one.
//!
//! Copying is idempotent and resumable: every row goes in with `ON CONFLICT DO NOTHING`, a batch
//! per transaction, so a copy cut short is finished by running it again, and rows the group
//! wrote meanwhile (a newer state, an item's first sighting) are kept, never overwritten. Only a
//! feed that no node has polled yet takes the copied state. Leases, nodes and the last publish
//! are the group's own and are not copied; the revision moves on, so every node publishes anew.

use chrono::{DateTime, NaiveDate, Utc};

use super::{Backend, Store, StoreError, lock, published};

/// Rows per transaction.
const BATCH: usize = 2_000;

/// What one copy wrote (rows already in the target are not counted).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CopyReport {
    pub feeds: u64,
    pub items: u64,
    pub digests: u64,
    pub sends: u64,
}

type FeedRow = (
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i32>,
    Option<String>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
    i32,
    Option<DateTime<Utc>>,
    Option<String>,
    Option<String>,
    i32,
    Option<String>,
    Option<String>,
);

/// One item row, with its origin and fetches (JSON, as stored).
struct ItemCopy {
    feed_url: String,
    item_id: String,
    data: String,
    hash: String,
    sort_date: DateTime<Utc>,
    first_seen: DateTime<Utc>,
    origin: Option<String>,
    first_fetch: Option<String>,
    last_fetch: Option<String>,
}

/// One column of `rows`, as an array for `unnest`.
fn column<'a, T>(rows: &'a [ItemCopy], pick: fn(&'a ItemCopy) -> T) -> Vec<T> {
    rows.iter().map(pick).collect()
}

impl Store {
    /// Copies this SQLite store into `target`, a PostgreSQL store; `progress` is told how many
    /// items have been copied so far.
    pub fn copy_into(
        &self,
        target: &Store,
        progress: &mut dyn FnMut(u64),
    ) -> Result<CopyReport, StoreError> {
        let (Backend::Sqlite(source), Backend::Postgres(pool)) = (&self.backend, &target.backend)
        else {
            return Err(StoreError::Copy(
                "copies go from an SQLite store to a PostgreSQL one".into(),
            ));
        };
        let mut report = CopyReport::default();
        let source = lock(source);

        let feeds: Vec<FeedRow> = source
            .prepare(
                "SELECT url, title, site_link, etag, last_modified, last_status, last_error,
                        last_attempt, last_success, failures, next_poll, body_hash, redirect_to,
                        redirect_streak, moved_to, gone FROM feeds ORDER BY url",
            )?
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                    r.get(8)?,
                    r.get(9)?,
                    r.get(10)?,
                    r.get(11)?,
                    r.get(12)?,
                    r.get(13)?,
                    r.get(14)?,
                    r.get(15)?,
                ))
            })?
            .collect::<Result<_, _>>()?;
        for chunk in feeds.chunks(BATCH) {
            report.feeds += pool.run(|db| {
                let mut tx = db.transaction()?;
                let insert = tx.prepare(
                    "INSERT INTO feeds AS f (url, title, site_link, etag, last_modified,
                        last_status, last_error, last_attempt, last_success, failures, next_poll,
                        body_hash, redirect_to, redirect_streak, moved_to, gone)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
                     ON CONFLICT (url) DO UPDATE SET
                        title = excluded.title, site_link = excluded.site_link,
                        etag = excluded.etag, last_modified = excluded.last_modified,
                        last_status = excluded.last_status, last_error = excluded.last_error,
                        last_attempt = excluded.last_attempt, last_success = excluded.last_success,
                        failures = excluded.failures, next_poll = excluded.next_poll,
                        body_hash = excluded.body_hash, redirect_to = excluded.redirect_to,
                        redirect_streak = excluded.redirect_streak, moved_to = excluded.moved_to,
                        gone = excluded.gone
                     WHERE f.last_attempt IS NULL AND f.title IS NULL",
                )?;
                let mut written = 0;
                for f in chunk {
                    written += tx.execute(
                        &insert,
                        &[
                            &f.0, &f.1, &f.2, &f.3, &f.4, &f.5, &f.6, &f.7, &f.8, &f.9, &f.10,
                            &f.11, &f.12, &f.13, &f.14, &f.15,
                        ],
                    )?;
                }
                tx.commit()?;
                Ok(written)
            })?;
        }

        let mut items = source.prepare(
            "SELECT feed_url, item_id, data, hash, sort_date, first_seen, origin, first_fetch,
                    last_fetch
             FROM items ORDER BY feed_url, item_id",
        )?;
        let mut rows = items.query([])?;
        let mut batch: Vec<ItemCopy> = Vec::with_capacity(BATCH);
        let mut read = 0;
        loop {
            let row = rows.next()?;
            if let Some(row) = row {
                batch.push(ItemCopy {
                    feed_url: row.get(0)?,
                    item_id: row.get(1)?,
                    data: row.get(2)?,
                    hash: row.get(3)?,
                    sort_date: row.get(4)?,
                    first_seen: row.get(5)?,
                    origin: row.get(6)?,
                    first_fetch: row.get(7)?,
                    last_fetch: row.get(8)?,
                });
                if batch.len() < BATCH {
                    continue;
                }
            }
            if batch.is_empty() {
                break;
            }
            read += batch.len() as u64;
            report.items += pool.run(|db| {
                let mut tx = db.transaction()?;
                let written = tx.execute(
                    "INSERT INTO items (feed_url, item_id, data, hash, sort_date, first_seen,
                                        origin, first_fetch, last_fetch)
                     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[],
                                          $5::timestamptz[], $6::timestamptz[], $7::text[],
                                          $8::text[], $9::text[])
                     ON CONFLICT (feed_url, item_id) DO NOTHING",
                    &[
                        &column(&batch, |r| r.feed_url.as_str()),
                        &column(&batch, |r| r.item_id.as_str()),
                        &column(&batch, |r| r.data.as_str()),
                        &column(&batch, |r| r.hash.as_str()),
                        &column(&batch, |r| r.sort_date),
                        &column(&batch, |r| r.first_seen),
                        &column(&batch, |r| r.origin.as_deref()),
                        &column(&batch, |r| r.first_fetch.as_deref()),
                        &column(&batch, |r| r.last_fetch.as_deref()),
                    ],
                )?;
                if written > 0 {
                    published::pg_bump(&mut tx)?;
                }
                tx.commit()?;
                Ok(written)
            })?;
            batch.clear();
            progress(read);
        }

        let digests: Vec<(NaiveDate, String, i64, String, DateTime<Utc>)> = source
            .prepare("SELECT day, subject, items, summary_html, published FROM digests")?
            .query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })?
            .collect::<Result<_, _>>()?;
        type Send = (
            NaiveDate,
            String,
            String,
            String,
            i32,
            Option<DateTime<Utc>>,
            Option<String>,
            Option<DateTime<Utc>>,
        );
        let sends: Vec<Send> = source
            .prepare(
                "SELECT day, recipient, message_id, state, attempts, last_attempt, last_error,
                        next_attempt FROM digest_sends ORDER BY rowid",
            )?
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                ))
            })?
            .collect::<Result<_, _>>()?;
        let (digests_written, sends_written) = pool.run(|db| {
            let mut tx = db.transaction()?;
            let mut digests_written = 0;
            for d in &digests {
                digests_written += tx.execute(
                    "INSERT INTO digests (day, subject, items, summary_html, published)
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (day) DO NOTHING",
                    &[&d.0, &d.1, &d.2, &d.3, &d.4],
                )?;
            }
            let mut sends_written = 0;
            for s in &sends {
                sends_written += tx.execute(
                    "INSERT INTO digest_sends (day, recipient, message_id, state, attempts,
                        last_attempt, last_error, next_attempt)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (day, recipient) DO NOTHING",
                    &[&s.0, &s.1, &s.2, &s.3, &s.4, &s.5, &s.6, &s.7],
                )?;
            }
            tx.commit()?;
            Ok((digests_written, sends_written))
        })?;
        report.digests = digests_written;
        report.sends = sends_written;
        Ok(report)
    }
}
