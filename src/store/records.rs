//! Decision records: where each item came from (in the item's own row, written with it when it
//! is new or changed) and what the last publish that read it decided (a table written once per
//! publish, in one transaction). Both live exactly as long as their item: the decisions are
//! deleted with it (a trigger in SQLite, a cascading key in PostgreSQL).

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::{Backend, Store, StoreError, lock, sources, stored_item};
use crate::model::{Decision, Fetch, ItemDecision, Origin, Record, StoredItem, StoredRef};

/// The fetch a poll's items were read from, as their rows keep it (JSON): encoded once per poll.
pub(super) fn fetch_json(
    at: DateTime<Utc>,
    status: Option<u16>,
    etag: Option<&str>,
) -> Result<String, StoreError> {
    let fetch = Fetch {
        at,
        status,
        etag: etag.map(str::to_owned),
    };
    serde_json::to_string(&fetch).map_err(StoreError::Encode)
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
        let encoded = decisions
            .iter()
            .map(|row| serde_json::to_string(&row.decision))
            .collect::<Result<Vec<String>, _>>()
            .map_err(StoreError::Encode)?;
        let rows = decisions.iter().zip(&encoded);
        match &self.backend {
            Backend::Sqlite(conn) => {
                let mut conn = lock(conn);
                let tx = conn.transaction()?;
                {
                    let mut upsert = tx.prepare_cached(
                        "INSERT INTO item_decisions (feed_url, item_id, decision) VALUES (?1, ?2, ?3)
                         ON CONFLICT (feed_url, item_id) DO UPDATE SET decision = excluded.decision",
                    )?;
                    for (row, json) in rows {
                        upsert.execute(params![row.feed_url, row.item_id, json])?;
                    }
                    tx.execute(
                        "INSERT INTO decided (id, at) VALUES (1, ?1)
                         ON CONFLICT (id) DO UPDATE SET at = ?1",
                        [at],
                    )?;
                }
                tx.commit()?;
                Ok(())
            }
            Backend::Postgres(pool) => pool.run(|db| {
                let mut tx = db.transaction()?;
                // Only items still stored: one deleted meanwhile takes no record.
                let upsert = tx.prepare(
                    "INSERT INTO item_decisions (feed_url, item_id, decision)
                     SELECT $1, $2, $3 WHERE EXISTS
                        (SELECT 1 FROM items WHERE feed_url = $1 AND item_id = $2)
                     ON CONFLICT (feed_url, item_id) DO UPDATE SET decision = excluded.decision",
                )?;
                for (row, json) in rows {
                    tx.execute(&upsert, &[&row.feed_url, &row.item_id, json])?;
                }
                tx.execute(
                    "INSERT INTO decided (id, at) VALUES (1, $1)
                     ON CONFLICT (id) DO UPDATE SET at = $1",
                    &[&at],
                )?;
                tx.commit()?;
                Ok(())
            }),
        }
    }

    /// When the last publish recorded its decisions, if one did.
    pub fn decided_at(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        const QUERY: &str = "SELECT at FROM decided WHERE id = 1";
        match &self.backend {
            Backend::Sqlite(conn) => Ok(lock(conn)
                .query_row(QUERY, [], |row| row.get(0))
                .optional()?),
            Backend::Postgres(pool) => {
                pool.run(|db| Ok(db.query_opt(QUERY, &[])?.map(|row| row.get(0))))
            }
        }
    }

    /// The records of every stored item for which `wanted` holds (given the item and what its
    /// feed said of it), in the store's order. Reads every item: for an admin's question, not a
    /// cycle.
    pub fn records(
        &self,
        mut wanted: impl FnMut(&StoredItem, Option<&Origin>) -> bool,
    ) -> Result<Vec<Record>, StoreError> {
        let sources = sources(&self.backend)?;
        let rows: Vec<RecordRow> = match &self.backend {
            Backend::Sqlite(conn) => {
                let conn = lock(conn);
                let mut query = conn.prepare(RECORDS)?;
                let rows = query.query_map([], |row| {
                    Ok(RecordRow {
                        feed_url: row.get(0)?,
                        data: row.get(1)?,
                        first_seen: row.get(2)?,
                        origin: row.get(3)?,
                        first_fetch: row.get(4)?,
                        last_fetch: row.get(5)?,
                        decision: row.get(6)?,
                    })
                })?;
                rows.collect::<Result<_, _>>()?
            }
            Backend::Postgres(pool) => pool.run(|db| {
                Ok(db
                    .query(RECORDS, &[])?
                    .iter()
                    .map(|row| RecordRow {
                        feed_url: row.get(0),
                        data: row.get(1),
                        first_seen: row.get(2),
                        origin: row.get(3),
                        first_fetch: row.get(4),
                        last_fetch: row.get(5),
                        decision: row.get(6),
                    })
                    .collect())
            })?,
        };
        let mut records = Vec::new();
        for row in rows {
            let corrupt = |source| StoreError::Corrupt {
                feed_url: row.feed_url.clone(),
                source,
            };
            let origin: Option<Origin> = json(row.origin.as_deref()).map_err(corrupt)?;
            let stored = stored_item(&sources, row.feed_url.clone(), &row.data, row.first_seen)?;
            if !wanted(&stored, origin.as_ref()) {
                continue;
            }
            let decision: Option<Decision> = json(row.decision.as_deref()).map_err(corrupt)?;
            let first_fetch = json(row.first_fetch.as_deref()).map_err(corrupt)?;
            let last_fetch = json(row.last_fetch.as_deref()).map_err(corrupt)?;
            records.push(Record {
                item: StoredRef {
                    feed_url: stored.source.feed_url.clone(),
                    item_id: stored.item.id.clone(),
                    title: stored.item.title.clone(),
                    link: stored.item.link.clone(),
                    date: stored.date(),
                    first_seen: stored.first_seen,
                },
                first_fetch,
                last_fetch,
                origin,
                decision,
            });
        }
        Ok(records)
    }
}

/// Every item with its origin and decision, newest first: the same text in both dialects.
const RECORDS: &str = "SELECT i.feed_url, i.data, i.first_seen, i.origin, i.first_fetch,
        i.last_fetch, d.decision
    FROM items i
    LEFT JOIN item_decisions d ON d.feed_url = i.feed_url AND d.item_id = i.item_id
    ORDER BY i.sort_date DESC, i.feed_url, i.item_id";

/// One row of [`RECORDS`], before its JSON is read.
struct RecordRow {
    feed_url: String,
    data: String,
    first_seen: DateTime<Utc>,
    origin: Option<String>,
    first_fetch: Option<String>,
    last_fetch: Option<String>,
    decision: Option<String>,
}

/// A JSON column read, if it holds a value.
fn json<T: serde::de::DeserializeOwned>(
    column: Option<&str>,
) -> Result<Option<T>, serde_json::Error> {
    column.map(serde_json::from_str).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{IdFrom, Item, Normalized};
    use crate::store::both::on_both;
    use crate::store::{FeedRows, FeedState, PollRecord};

    /// Runs `sql` (no parameters, the same in both dialects) on the store's database.
    fn execute(store: &Store, sql: &str) {
        match &store.backend {
            Backend::Sqlite(conn) => {
                lock(conn).execute(sql, []).expect("the statement");
            }
            Backend::Postgres(pool) => {
                pool.run(|db| Ok(db.execute(sql, &[])?))
                    .expect("the statement");
            }
        }
    }

    /// How many rows `table` holds.
    fn count(store: &Store, table: &str) -> i64 {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        match &store.backend {
            Backend::Sqlite(conn) => lock(conn)
                .query_row(&sql, [], |row| row.get(0))
                .expect("a count"),
            Backend::Postgres(pool) => pool
                .run(|db| Ok(db.query_one(&sql, &[])?.get(0)))
                .expect("a count"),
        }
    }

    #[test]
    fn records_are_kept_with_their_items_and_go_with_them() {
        on_both(|database| {
            let store = Store::connect(database).expect("a store");
            let (url, at) = (
                "https://a.example/rss",
                "2026-01-01T00:00:00Z".parse().unwrap(),
            );
            let origin = Origin {
                guid: Some("1".into()),
                link: Some("https://a.example/1?utm_source=rss".into()),
                id_from: IdFrom::Guid,
                future_date: None,
            };
            let item = Item {
                id: "1".into(),
                title: "제목".into(),
                ..Item::default()
            };
            let feed = Normalized {
                feed_title: None,
                site_link: None,
                items: vec![item],
                origins: vec![origin.clone()],
                warnings: vec![],
            };
            let state = FeedState {
                last_status: Some(200),
                etag: Some("\"v1\"".into()),
                ..FeedState::default()
            };
            let poll = PollRecord {
                feed_url: url.into(),
                state,
                feed: Some(FeedRows::encode(&feed).expect("encoded")),
                at,
                health: None,
            };
            assert!(store.record_polls(&[poll])[0].is_ok());
            let decision = Decision {
                at,
                date: at,
                left_out: None,
                sections: Vec::new(),
                merged_with: Vec::new(),
                published_as: None,
            };
            let decided = ItemDecision {
                feed_url: url.into(),
                item_id: "1".into(),
                decision: decision.clone(),
            };
            store.record_decisions(at, &[decided]).expect("recorded");
            assert_eq!(store.decided_at().expect("read"), Some(at));

            let records = store.records(|_, _| true).expect("read");
            assert_eq!(records.len(), 1);
            let fetch = Fetch {
                at,
                status: Some(200),
                etag: Some("\"v1\"".into()),
            };
            assert_eq!(records[0].first_fetch.as_ref(), Some(&fetch));
            assert_eq!(records[0].origin.as_ref(), Some(&origin));
            assert_eq!(records[0].decision.as_ref(), Some(&decision));
            let none = store.records(|stored, _| stored.item.id == "2");
            assert!(none.expect("read").is_empty());

            execute(&store, "DELETE FROM items");
            assert_eq!(
                count(&store, "item_decisions"),
                0,
                "decisions went with the item"
            );
        });
    }
}
