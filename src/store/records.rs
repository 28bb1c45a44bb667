//! Decision records: where each item came from (in the item's own row, written with it when it
//! is new or changed) and what the last publish that read it decided (a table written once per
//! publish, in one transaction). Both live exactly as long as their item: the decisions are
//! deleted with it (a trigger in SQLite, a cascading key in PostgreSQL).

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::{Backend, Store, StoreError, lock, sources, stored_item};
use serde::{Deserialize, Serialize};

use crate::model::{
    Decision, Fetch, IdFrom, Item, ItemDecision, Origin, Record, StoredItem, StoredRef,
};

/// An item's origin as its row keeps it (JSON): the guid and the link left out when they are the
/// item's own id and link, as they mostly are, since every item has a row.
#[derive(Serialize, Deserialize)]
struct StoredOrigin {
    #[serde(default, skip_serializing_if = "Written::is_the_items")]
    guid: Written,
    #[serde(default, skip_serializing_if = "Written::is_the_items")]
    link: Written,
    id_from: IdFrom,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    future_date: Option<DateTime<Utc>>,
}

/// What the feed wrote for a guid or a link, beside what the item has.
#[derive(Default)]
enum Written {
    /// The item's own (left out of the JSON).
    #[default]
    TheItems,
    /// Nothing (`null`).
    Nothing,
    Text(String),
}

impl Written {
    fn is_the_items(&self) -> bool {
        matches!(self, Written::TheItems)
    }

    fn of(written: Option<&String>, items: Option<&String>) -> Written {
        match written {
            Some(text) if Some(text) == items => Written::TheItems,
            Some(text) => Written::Text(text.clone()),
            None => Written::Nothing,
        }
    }

    fn or_the_items(self, items: Option<&String>) -> Option<String> {
        match self {
            Written::TheItems => items.cloned(),
            Written::Nothing => None,
            Written::Text(text) => Some(text),
        }
    }
}

impl Serialize for Written {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Written::Text(text) => serializer.serialize_str(text),
            Written::TheItems | Written::Nothing => serializer.serialize_none(),
        }
    }
}

impl<'de> Deserialize<'de> for Written {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Option::<String>::deserialize(deserializer)?.map_or(Written::Nothing, Written::Text))
    }
}

/// `origin` of `item` as its row keeps it.
pub(super) fn origin_json(origin: &Origin, item: &Item) -> Result<String, StoreError> {
    let stored = StoredOrigin {
        guid: Written::of(origin.guid.as_ref(), Some(&item.id)),
        link: Written::of(origin.link.as_ref(), item.link.as_ref()),
        id_from: origin.id_from,
        future_date: origin.future_date,
    };
    serde_json::to_string(&stored).map_err(StoreError::Encode)
}

/// The origin of `item` from its row's JSON.
fn origin_of(json: &str, item: &Item) -> Result<Origin, serde_json::Error> {
    let stored: StoredOrigin = serde_json::from_str(json)?;
    Ok(Origin {
        guid: stored.guid.or_the_items(Some(&item.id)),
        link: stored.link.or_the_items(item.link.as_ref()),
        id_from: stored.id_from,
        future_date: stored.future_date,
    })
}

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
            let stored = stored_item(&sources, row.feed_url.clone(), &row.data, row.first_seen)?;
            let origin = (row.origin.as_deref())
                .map(|json| origin_of(json, &stored.item))
                .transpose()
                .map_err(corrupt)?;
            if !wanted(&stored, origin.as_ref()) {
                continue;
            }
            let decision: Option<Decision> = json(row.decision.as_deref()).map_err(corrupt)?;
            let first_fetch: Option<Fetch> = json(row.first_fetch.as_deref()).map_err(corrupt)?;
            // A row keeps no last fetch until the item changes.
            let last_fetch = json(row.last_fetch.as_deref()).map_err(corrupt)?;
            let last_fetch = last_fetch.or_else(|| first_fetch.clone());
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
    fn an_origin_keeps_only_what_differs_from_its_item_and_reads_back_whole() {
        let item = Item {
            id: "https://a.example/1".into(),
            link: Some("https://a.example/1".into()),
            ..Item::default()
        };
        let same = Origin {
            guid: Some("https://a.example/1".into()),
            link: Some("https://a.example/1".into()),
            id_from: IdFrom::Guid,
            future_date: None,
        };
        let other = Origin {
            guid: None,
            link: Some("https://a.example/1?utm_source=rss".into()),
            id_from: IdFrom::Link,
            future_date: Some("2027-01-01T00:00:00Z".parse().unwrap()),
        };
        let json = origin_json(&same, &item).unwrap();
        assert_eq!(json, r#"{"id_from":"guid"}"#);
        assert_eq!(origin_of(&json, &item).unwrap(), same);
        let json = origin_json(&other, &item).unwrap();
        assert!(json.contains(r#""guid":null"#), "{json}");
        assert_eq!(origin_of(&json, &item).unwrap(), other);
        // As rows written before kept it: whole.
        let whole = serde_json::to_string(&other).unwrap();
        assert_eq!(origin_of(&whole, &item).unwrap(), other);
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
            assert_eq!(
                records[0].last_fetch.as_ref(),
                Some(&fetch),
                "the first, until a change"
            );
            assert_eq!(records[0].origin.as_ref(), Some(&origin));
            assert_eq!(records[0].decision.as_ref(), Some(&decision));
            let none = store.records(|stored, _| stored.item.id == "2");
            assert!(none.expect("read").is_empty());

            // The item changes: its first fetch is kept, its last and its origin replaced.
            let later = at + chrono::TimeDelta::hours(1);
            let changed_origin = Origin {
                link: Some("https://a.example/1".into()),
                ..origin.clone()
            };
            let changed = Normalized {
                items: vec![Item {
                    title: "고친 제목".into(),
                    ..feed.items[0].clone()
                }],
                origins: vec![changed_origin.clone()],
                ..feed.clone()
            };
            let poll = PollRecord {
                feed_url: url.into(),
                state: FeedState {
                    last_status: Some(200),
                    etag: Some("\"v2\"".into()),
                    ..FeedState::default()
                },
                feed: Some(FeedRows::encode(&changed).expect("encoded")),
                at: later,
                health: None,
            };
            assert!(store.record_polls(&[poll])[0].is_ok());
            let records = store.records(|_, _| true).expect("read");
            assert_eq!(records[0].first_fetch.as_ref(), Some(&fetch));
            let last = Fetch {
                at: later,
                etag: Some("\"v2\"".into()),
                ..fetch.clone()
            };
            assert_eq!(records[0].last_fetch.as_ref(), Some(&last));
            assert_eq!(records[0].origin.as_ref(), Some(&changed_origin));

            execute(&store, "DELETE FROM items");
            assert_eq!(
                count(&store, "item_decisions"),
                0,
                "decisions went with the item"
            );
        });
    }
}
