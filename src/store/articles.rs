//! Article pages of `full_text` feeds: which items wait for their page to be fetched, and what
//! each fetch gave (the extracted text, or why there is none). The extract is stored beside the
//! item (table `articles`, migration 3), so that a restart or a re-publish never fetches a page
//! again. A row's `state` is `pending` (to fetch), `done` or `failed`; `content` is the last good
//! extract, kept through a failed `refetch`; `error` why the last fetch gave none.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::{Backend, Store, StoreError, lock, published, sql_time};
use crate::model::{ArticleFailure, FullTextHealth, Item};

/// An item whose article page is to be fetched.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingArticle {
    pub item_id: String,
    /// The article's link.
    pub link: String,
    /// The item's summary: an extract must say more than this.
    pub teaser: Option<String>,
    /// Validators of the last fetch of the page (a `refetch`), for a conditional GET.
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// What fetching one article page gave.
#[derive(Debug, Clone, PartialEq)]
pub enum ArticleOutcome {
    /// The article's sanitized HTML, and the page's validators.
    Extracted {
        content: String,
        etag: Option<String>,
        last_modified: Option<String>,
    },
    /// 304 to a refetch: the stored extract stands.
    NotModified,
    /// Why there is no extract: the item keeps its teaser.
    Failed { error: String },
}

/// Queues the items of a feed (`?1`/`$1`) first seen at `?2`/`$2` or later.
const QUEUE_NEW: &str = "INSERT INTO articles (feed_url, item_id, state)
     SELECT feed_url, item_id, 'pending' FROM items WHERE feed_url = $1 AND first_seen >= $2
     ON CONFLICT (feed_url, item_id) DO NOTHING";

/// Queues every item of a feed again.
const QUEUE_ALL: &str = "INSERT INTO articles (feed_url, item_id, state)
     SELECT feed_url, item_id, 'pending' FROM items WHERE feed_url = $1
     ON CONFLICT (feed_url, item_id) DO UPDATE SET state = 'pending'";

/// A feed's queued pages with their items, newest first, at most `$2`.
const PENDING: &str = "SELECT a.item_id, i.data, a.etag, a.last_modified
     FROM articles a JOIN items i ON i.feed_url = a.feed_url AND i.item_id = a.item_id
     WHERE a.feed_url = $1 AND a.state = 'pending'
     ORDER BY i.sort_date DESC, a.item_id
     LIMIT $2";

const EXTRACT: &str = "SELECT content FROM articles
     WHERE feed_url = $1 AND item_id = $2 AND content IS NOT NULL";

const COUNT: &str = "SELECT COUNT(*) FROM articles WHERE feed_url = $1 AND state = $2";

/// A feed's latest failures with their items, at most `$2`.
const FAILURES: &str = "SELECT a.item_id, a.error, i.data, a.attempted
     FROM articles a JOIN items i ON i.feed_url = a.feed_url AND i.item_id = a.item_id
     WHERE a.feed_url = $1 AND a.state = 'failed'
     ORDER BY a.attempted DESC, a.item_id LIMIT $2";

const EXTRACTED: &str = "UPDATE articles SET state = 'done', content = $3, error = NULL, etag = $4,
        last_modified = $5, attempted = $6
     WHERE feed_url = $1 AND item_id = $2";

const NOT_MODIFIED: &str = "UPDATE articles SET state = 'done', error = NULL, attempted = $3
     WHERE feed_url = $1 AND item_id = $2";

const FAILED: &str = "UPDATE articles SET state = 'failed', error = $3, attempted = $4
     WHERE feed_url = $1 AND item_id = $2";

/// `query` in SQLite's dialect: numbered parameters are written `?N` there.
fn sqlite(query: &str) -> String {
    query.replace('$', "?")
}

fn pg_limit(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

/// One queued page as read: (item id, the item's data, etag, last modified).
type PendingRow = (String, String, Option<String>, Option<String>);

/// One failure as read: (item id, error, the item's data, when).
type FailureRow = (String, Option<String>, String, Option<DateTime<Utc>>);

impl Store {
    /// Queues the article pages of `feed_url`'s items first seen at `since` or later (the items
    /// a poll just brought): each is fetched once.
    pub fn queue_new_articles(
        &self,
        feed_url: &str,
        since: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        let queued = match &self.backend {
            Backend::Sqlite(conn) => lock(conn)
                .prepare_cached(&sqlite(QUEUE_NEW))?
                .execute(params![feed_url, sql_time(&since)])?,
            Backend::Postgres(pool) => {
                let queued = pool.run(|db| Ok(db.execute(QUEUE_NEW, &[&feed_url, &since])?))?;
                usize::try_from(queued).unwrap_or(usize::MAX)
            }
        };
        Ok(queued)
    }

    /// Queues the article page of every stored item of `feed_url` again (`gazette refetch`);
    /// extracts already stored stay published until a fetch gives a new one.
    pub fn queue_refetch(&self, feed_url: &str) -> Result<usize, StoreError> {
        let queued = match &self.backend {
            Backend::Sqlite(conn) => lock(conn)
                .prepare_cached(&sqlite(QUEUE_ALL))?
                .execute([feed_url])?,
            Backend::Postgres(pool) => {
                let queued = pool.run(|db| Ok(db.execute(QUEUE_ALL, &[&feed_url])?))?;
                usize::try_from(queued).unwrap_or(usize::MAX)
            }
        };
        Ok(queued)
    }

    /// At most `limit` of `feed_url`'s queued article pages, newest items first. An item
    /// without a link has no page: it is recorded as failed, and not listed.
    pub fn pending_articles(
        &self,
        feed_url: &str,
        limit: usize,
    ) -> Result<Vec<PendingArticle>, StoreError> {
        let rows: Vec<PendingRow> = match &self.backend {
            Backend::Sqlite(conn) => {
                let conn = lock(conn);
                let mut query = conn.prepare_cached(&sqlite(PENDING))?;
                query
                    .query_map(params![feed_url, pg_limit(limit)], |row| {
                        Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
                    })?
                    .collect::<Result<_, _>>()?
            }
            Backend::Postgres(pool) => pool.run(|db| {
                Ok(db
                    .query(PENDING, &[&feed_url, &pg_limit(limit)])?
                    .iter()
                    .map(|row| (row.get(0), row.get(1), row.get(2), row.get(3)))
                    .collect())
            })?,
        };
        let mut pending = Vec::new();
        for (item_id, data, etag, last_modified) in rows {
            let item = decode(feed_url, &data)?;
            match item.link {
                Some(link) => pending.push(PendingArticle {
                    item_id,
                    link,
                    teaser: item.summary,
                    etag,
                    last_modified,
                }),
                None => self.record_article(
                    feed_url,
                    &item_id,
                    &ArticleOutcome::Failed {
                        error: "the item has no link".into(),
                    },
                    Utc::now(),
                )?,
            }
        }
        Ok(pending)
    }

    /// Records what fetching the article page of `feed_url`'s item `item_id` gave, at `at`. A
    /// new extract changes what a publish reads.
    pub fn record_article(
        &self,
        feed_url: &str,
        item_id: &str,
        outcome: &ArticleOutcome,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        match &self.backend {
            Backend::Sqlite(conn) => {
                let mut conn = lock(conn);
                let tx = conn.transaction()?;
                record(&tx, feed_url, item_id, outcome, at)?;
                tx.commit()?;
            }
            Backend::Postgres(pool) => pool.run(|db| {
                let mut tx = db.transaction()?;
                match outcome {
                    ArticleOutcome::Extracted {
                        content,
                        etag,
                        last_modified,
                    } => {
                        tx.execute(
                            EXTRACTED,
                            &[&feed_url, &item_id, content, etag, last_modified, &at],
                        )?;
                        published::pg_bump(&mut tx)?;
                    }
                    ArticleOutcome::NotModified => {
                        tx.execute(NOT_MODIFIED, &[&feed_url, &item_id, &at])?;
                    }
                    ArticleOutcome::Failed { error } => {
                        tx.execute(FAILED, &[&feed_url, &item_id, error, &at])?;
                    }
                }
                tx.commit()?;
                Ok(())
            })?,
        }
        Ok(())
    }

    /// The stored extracts of the items `keys` (feed URL, item id) name, by key.
    pub fn article_extracts(
        &self,
        keys: &[(&str, &str)],
    ) -> Result<HashMap<(String, String), String>, StoreError> {
        let found: Vec<(usize, String)> = match &self.backend {
            Backend::Sqlite(conn) => {
                let conn = lock(conn);
                let mut query = conn.prepare_cached(&sqlite(EXTRACT))?;
                let mut found = Vec::new();
                for (at, &(feed_url, item_id)) in keys.iter().enumerate() {
                    let content: Option<String> = query
                        .query_row([feed_url, item_id], |row| row.get(0))
                        .optional()?;
                    found.extend(content.map(|content| (at, content)));
                }
                found
            }
            Backend::Postgres(pool) => pool.run(|db| {
                let query = db.prepare(EXTRACT)?;
                let mut found = Vec::new();
                for (at, (feed_url, item_id)) in keys.iter().enumerate() {
                    if let Some(row) = db.query_opt(&query, &[feed_url, item_id])? {
                        found.push((at, row.get(0)));
                    }
                }
                Ok(found)
            })?,
        };
        Ok(found
            .into_iter()
            .map(|(at, content)| {
                let (feed_url, item_id) = keys[at];
                ((feed_url.to_owned(), item_id.to_owned()), content)
            })
            .collect())
    }

    /// How `feed_url`'s article pages went: counts, and the latest failures with their items.
    pub fn full_text_health(&self, feed_url: &str) -> Result<FullTextHealth, StoreError> {
        let shown = pg_limit(FullTextHealth::FAILURES_SHOWN);
        let states = ["done", "failed", "pending"];
        let (counts, rows): (Vec<i64>, Vec<FailureRow>) = match &self.backend {
            Backend::Sqlite(conn) => {
                let conn = lock(conn);
                let mut count = conn.prepare_cached(&sqlite(COUNT))?;
                let counts = states
                    .iter()
                    .map(|state| count.query_row([feed_url, state], |row| row.get(0)))
                    .collect::<Result<_, _>>()?;
                let mut failures = conn.prepare_cached(&sqlite(FAILURES))?;
                let rows = failures
                    .query_map(params![feed_url, shown], |row| {
                        Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
                    })?
                    .collect::<Result<_, _>>()?;
                (counts, rows)
            }
            Backend::Postgres(pool) => pool.run(|db| {
                let count = db.prepare(COUNT)?;
                let counts = states
                    .iter()
                    .map(|state| Ok(db.query_one(&count, &[&feed_url, state])?.get(0)))
                    .collect::<Result<_, StoreError>>()?;
                let rows = db
                    .query(FAILURES, &[&feed_url, &shown])?
                    .iter()
                    .map(|row| (row.get(0), row.get(1), row.get(2), row.get(3)))
                    .collect();
                Ok((counts, rows))
            })?,
        };
        let failures = rows
            .into_iter()
            .map(|(item_id, error, data, at)| ArticleFailure {
                link: decode(feed_url, &data)
                    .ok()
                    .and_then(|item| item.link)
                    .unwrap_or(item_id),
                error: error.unwrap_or_default(),
                at,
            })
            .collect();
        let count = |at: usize| counts.get(at).copied().unwrap_or_default().unsigned_abs();
        Ok(FullTextHealth {
            extracted: count(0),
            failed: count(1),
            pending: count(2),
            failures,
        })
    }
}

fn decode(feed_url: &str, data: &str) -> Result<Item, StoreError> {
    serde_json::from_str(data).map_err(|source| StoreError::Corrupt {
        feed_url: feed_url.to_owned(),
        source,
    })
}

/// [`Store::record_article`] in SQLite, in the transaction `conn` is in.
fn record(
    conn: &Connection,
    feed_url: &str,
    item_id: &str,
    outcome: &ArticleOutcome,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let at = sql_time(&at);
    match outcome {
        ArticleOutcome::Extracted {
            content,
            etag,
            last_modified,
        } => {
            conn.prepare_cached(&sqlite(EXTRACTED))?.execute(params![
                feed_url,
                item_id,
                content,
                etag,
                last_modified,
                at
            ])?;
            published::bump(conn)?;
        }
        ArticleOutcome::NotModified => {
            conn.prepare_cached(&sqlite(NOT_MODIFIED))?
                .execute(params![feed_url, item_id, at])?;
        }
        ArticleOutcome::Failed { error } => {
            conn.prepare_cached(&sqlite(FAILED))?
                .execute(params![feed_url, item_id, error, at])?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Normalized;
    use crate::store::both::on_both;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    fn item(id: &str, link: Option<&str>) -> Item {
        Item {
            id: id.into(),
            title: id.into(),
            link: link.map(str::to_owned),
            summary: Some(format!("{id} teaser")),
            ..Item::default()
        }
    }

    fn feed(items: Vec<Item>) -> Normalized {
        Normalized {
            feed_title: None,
            site_link: None,
            items,
            origins: vec![],
            warnings: vec![],
        }
    }

    #[test]
    fn new_items_are_queued_once_fetched_and_refetched_on_demand() {
        on_both(|database| {
            let store = Store::connect(database).unwrap();
            let url = "https://a.example/rss";
            let first = at("2026-12-04T00:00:00Z");
            store
                .save_items(
                    url,
                    &feed(vec![item("old", Some("https://a.example/old"))]),
                    first,
                )
                .unwrap();
            let second = at("2026-12-04T01:00:00Z");
            let items = vec![
                item("old", Some("https://a.example/old")),
                item("new", Some("https://a.example/new")),
                item("bare", None),
            ];
            store.save_items(url, &feed(items), second).unwrap();
            assert_eq!(store.queue_new_articles(url, second).unwrap(), 2);
            assert_eq!(store.queue_new_articles(url, second).unwrap(), 0, "once");
            let pending = store.pending_articles(url, 10).unwrap();
            assert_eq!(pending.len(), 1, "{pending:?}");
            assert_eq!(pending[0].link, "https://a.example/new");
            assert_eq!(pending[0].teaser.as_deref(), Some("new teaser"));
            let revision = store.revision().unwrap();
            let extracted = ArticleOutcome::Extracted {
                content: "<p>article</p>".into(),
                etag: Some("\"v1\"".into()),
                last_modified: None,
            };
            store
                .record_article(url, "new", &extracted, second)
                .unwrap();
            assert!(store.revision().unwrap() > revision, "a publish reads it");
            assert!(store.pending_articles(url, 10).unwrap().is_empty());
            let health = store.full_text_health(url).unwrap();
            assert_eq!((health.extracted, health.failed, health.pending), (1, 1, 0));
            assert_eq!(health.failures[0].error, "the item has no link");
            assert_eq!(health.failures[0].link, "bare");

            assert_eq!(store.queue_refetch(url).unwrap(), 3);
            // Newest first, at most the limit: `bare` (no link) fails again, `new` is listed.
            let pending = store.pending_articles(url, 2).unwrap();
            assert_eq!(pending.len(), 1, "{pending:?}");
            assert_eq!(pending[0].item_id, "new");
            let new = store.pending_articles(url, 10).unwrap();
            assert_eq!(new.len(), 2, "{new:?}");
            let new = new.iter().find(|article| article.item_id == "new").unwrap();
            assert_eq!(new.etag.as_deref(), Some("\"v1\""));
            let failed = ArticleOutcome::Failed {
                error: "HTTP 503".into(),
            };
            store.record_article(url, "new", &failed, second).unwrap();
            let extracts = store
                .article_extracts(&[(url, "new"), (url, "old")])
                .unwrap();
            assert_eq!(
                extracts
                    .get(&(url.to_owned(), "new".to_owned()))
                    .map(String::as_str),
                Some("<p>article</p>"),
                "a failed refetch keeps the extract"
            );
            assert_eq!(extracts.len(), 1);
        });
    }
}
