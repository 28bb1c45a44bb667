//! Decision records: where each item came from (written with the item, when it is new or
//! changed) and what the last publish that read it decided (written once per publish, in one
//! transaction). Both live exactly as long as their item: a trigger deletes them with it.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::{Store, StoreError, sources, stored_item};
use crate::model::{Decision, Fetch, ItemDecision, Origin, Record, StoredItem, StoredRef};

/// The schema step of decision records: new tables only, beside the items they describe; keyed
/// like them, and stored in key order (`WITHOUT ROWID`), so that a record costs one tree, not two.
pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS item_origins (
    feed_url     TEXT NOT NULL,
    item_id      TEXT NOT NULL,
    origin       TEXT NOT NULL,
    first_at     TEXT NOT NULL,
    first_status INTEGER,
    first_etag   TEXT,
    last_at      TEXT NOT NULL,
    last_status  INTEGER,
    last_etag    TEXT,
    PRIMARY KEY (feed_url, item_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS item_decisions (
    feed_url TEXT NOT NULL,
    item_id  TEXT NOT NULL,
    decision TEXT NOT NULL,
    PRIMARY KEY (feed_url, item_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS decided (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    at TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS items_take_their_records AFTER DELETE ON items BEGIN
    DELETE FROM item_origins WHERE feed_url = old.feed_url AND item_id = old.item_id;
    DELETE FROM item_decisions WHERE feed_url = old.feed_url AND item_id = old.item_id;
END;
";

/// The fetch a poll's items were read from, as [`write_origin`] records it.
pub(super) struct FetchRow<'a> {
    pub at: &'a str,
    pub status: Option<u16>,
    pub etag: Option<&'a str>,
}

/// Records that the item `item_id` of `feed_url` was stored new or changed by `fetch`, with
/// what the feed said of it (`origin`, JSON): the first fetch is kept, the last replaced.
pub(super) fn write_origin(
    conn: &Connection,
    feed_url: &str,
    item_id: &str,
    origin: &str,
    fetch: &FetchRow<'_>,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO item_origins (feed_url, item_id, origin, first_at, first_status, first_etag,
                                   last_at, last_status, last_etag)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?4, ?5, ?6)
         ON CONFLICT (feed_url, item_id) DO UPDATE SET
            origin = ?3, last_at = ?4, last_status = ?5, last_etag = ?6",
    )?
    .execute(params![
        feed_url,
        item_id,
        origin,
        fetch.at,
        fetch.status,
        fetch.etag
    ])?;
    Ok(())
}

impl Store {
    /// Records what the publish made at `at` decided about every item it read, in one
    /// transaction; an item's earlier decision is replaced. Items it did not read keep theirs
    /// (and [`Store::decided_at`] then tells they were not read).
    pub fn record_decisions(
        &self,
        at: DateTime<Utc>,
        decisions: &[ItemDecision],
    ) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        {
            let mut upsert = tx.prepare_cached(
                "INSERT INTO item_decisions (feed_url, item_id, decision) VALUES (?1, ?2, ?3)
                 ON CONFLICT (feed_url, item_id) DO UPDATE SET decision = excluded.decision",
            )?;
            for row in decisions {
                let json = serde_json::to_string(&row.decision).map_err(StoreError::Encode)?;
                upsert.execute(params![row.feed_url, row.item_id, json])?;
            }
            tx.prepare_cached(
                "INSERT INTO decided (id, at) VALUES (1, ?1) ON CONFLICT (id) DO UPDATE SET at = ?1",
            )?
            .execute([at])?;
        }
        tx.commit()?;
        Ok(())
    }

    /// When the last publish recorded its decisions, if one did.
    pub fn decided_at(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let at = self
            .conn()
            .query_row("SELECT at FROM decided WHERE id = 1", [], |row| row.get(0))
            .optional()?;
        Ok(at)
    }

    /// The records of every stored item for which `wanted` holds (given the item and what its
    /// feed said of it), in the store's order. Reads every item: for an admin's question, not a
    /// cycle.
    pub fn records(
        &self,
        mut wanted: impl FnMut(&StoredItem, Option<&Origin>) -> bool,
    ) -> Result<Vec<Record>, StoreError> {
        let conn = self.conn();
        let sources = sources(&conn)?;
        let mut query = conn.prepare(
            "SELECT i.feed_url, i.data, i.first_seen, o.origin,
                    o.first_at, o.first_status, o.first_etag, o.last_at, o.last_status, o.last_etag,
                    d.decision
             FROM items i
             LEFT JOIN item_origins o ON o.feed_url = i.feed_url AND o.item_id = i.item_id
             LEFT JOIN item_decisions d ON d.feed_url = i.feed_url AND d.item_id = i.item_id
             ORDER BY i.sort_date DESC, i.feed_url, i.item_id",
        )?;
        let mut rows = query.query([])?;
        let mut records = Vec::new();
        while let Some(row) = rows.next()? {
            let feed_url: String = row.get(0)?;
            let data: String = row.get(1)?;
            let stored = stored_item(&sources, feed_url.clone(), &data, row.get(2)?)?;
            let corrupt = |source| StoreError::Corrupt {
                feed_url: feed_url.clone(),
                source,
            };
            let origin: Option<Origin> = row
                .get::<_, Option<String>>(3)?
                .map(|json| serde_json::from_str(&json))
                .transpose()
                .map_err(corrupt)?;
            if !wanted(&stored, origin.as_ref()) {
                continue;
            }
            let fetch = |at: usize| -> rusqlite::Result<Option<Fetch>> {
                let Some(when) = row.get::<_, Option<DateTime<Utc>>>(at)? else {
                    return Ok(None);
                };
                Ok(Some(Fetch {
                    at: when,
                    status: row.get(at + 1)?,
                    etag: row.get(at + 2)?,
                }))
            };
            let decision: Option<Decision> = row
                .get::<_, Option<String>>(10)?
                .map(|json| serde_json::from_str(&json))
                .transpose()
                .map_err(corrupt)?;
            records.push(Record {
                item: StoredRef {
                    feed_url: stored.source.feed_url.clone(),
                    item_id: stored.item.id.clone(),
                    title: stored.item.title.clone(),
                    link: stored.item.link.clone(),
                    date: stored.date(),
                    first_seen: stored.first_seen,
                },
                first_fetch: fetch(4)?,
                last_fetch: fetch(7)?,
                origin,
                decision,
            });
        }
        Ok(records)
    }
}
