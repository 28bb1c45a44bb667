//! Article pages of `full_text` feeds: which items wait for their page to be fetched, and what
//! each fetch gave (the extracted text, or why there is none). The extract is stored beside the
//! item, so that a restart or a re-publish never fetches a page again.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::{Store, StoreError, published, sql_time};
use crate::model::{ArticleFailure, FullTextHealth, Item};

/// The schema step of full-text extraction: one row per item of a `full_text` feed whose page
/// was asked for. `state` is `pending` (to fetch), `done` or `failed`; `content` is the last good
/// extract, kept through a failed `refetch`; `error` why the last fetch gave none.
pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS articles (
    feed_url      TEXT NOT NULL,
    item_id       TEXT NOT NULL,
    state         TEXT NOT NULL,
    content       TEXT,
    error         TEXT,
    etag          TEXT,
    last_modified TEXT,
    attempted     TEXT,
    PRIMARY KEY (feed_url, item_id)
);
CREATE INDEX IF NOT EXISTS articles_by_state ON articles (feed_url, state);
";

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

impl Store {
    /// Queues the article pages of `feed_url`'s items first seen at `since` or later (the items
    /// a poll just brought): each is fetched once.
    pub fn queue_new_articles(
        &self,
        feed_url: &str,
        since: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        let conn = self.conn();
        let queued = conn
            .prepare_cached(
                "INSERT INTO articles (feed_url, item_id, state)
                 SELECT feed_url, item_id, 'pending' FROM items
                 WHERE feed_url = ?1 AND first_seen >= ?2
                 ON CONFLICT (feed_url, item_id) DO NOTHING",
            )?
            .execute(params![feed_url, sql_time(&since)])?;
        Ok(queued)
    }

    /// Queues the article page of every stored item of `feed_url` again (`gazette refetch`);
    /// extracts already stored stay published until a fetch gives a new one.
    pub fn queue_refetch(&self, feed_url: &str) -> Result<usize, StoreError> {
        let conn = self.conn();
        let queued = conn
            .prepare_cached(
                "INSERT INTO articles (feed_url, item_id, state)
                 SELECT feed_url, item_id, 'pending' FROM items WHERE feed_url = ?1
                 ON CONFLICT (feed_url, item_id) DO UPDATE SET state = 'pending'",
            )?
            .execute([feed_url])?;
        Ok(queued)
    }

    /// At most `limit` of `feed_url`'s queued article pages, newest items first.
    pub fn pending_articles(
        &self,
        feed_url: &str,
        limit: usize,
    ) -> Result<Vec<PendingArticle>, StoreError> {
        let conn = self.conn();
        let mut query = conn.prepare_cached(
            "SELECT a.item_id, i.data, a.etag, a.last_modified
             FROM articles a JOIN items i ON i.feed_url = a.feed_url AND i.item_id = a.item_id
             WHERE a.feed_url = ?1 AND a.state = 'pending'
             ORDER BY i.sort_date DESC, a.item_id
             LIMIT ?2",
        )?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = query.query_map(params![feed_url, limit], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, Option<String>>(2)?,
                row.get::<_, Option<String>>(3)?,
            ))
        })?;
        let mut pending = Vec::new();
        let mut linkless = Vec::new();
        for row in rows {
            let (item_id, data, etag, last_modified) = row?;
            let item: Item = serde_json::from_str(&data).map_err(|source| StoreError::Corrupt {
                feed_url: feed_url.to_owned(),
                source,
            })?;
            match item.link {
                Some(link) => pending.push(PendingArticle {
                    item_id,
                    link,
                    teaser: item.summary,
                    etag,
                    last_modified,
                }),
                None => linkless.push(item_id),
            }
        }
        drop(query);
        for item_id in linkless {
            record(
                &conn,
                feed_url,
                &item_id,
                &ArticleOutcome::Failed {
                    error: "the item has no link".into(),
                },
                Utc::now(),
            )?;
        }
        Ok(pending)
    }

    /// Records what fetching the article page of `feed_url`'s item `item_id` gave, at `at`.
    pub fn record_article(
        &self,
        feed_url: &str,
        item_id: &str,
        outcome: &ArticleOutcome,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        record(&tx, feed_url, item_id, outcome, at)?;
        tx.commit()?;
        Ok(())
    }

    /// The stored extracts of the items `keys` (feed URL, item id) name, by key.
    pub fn article_extracts(
        &self,
        keys: &[(&str, &str)],
    ) -> Result<HashMap<(String, String), String>, StoreError> {
        let conn = self.conn();
        let mut query = conn.prepare_cached(
            "SELECT content FROM articles
             WHERE feed_url = ?1 AND item_id = ?2 AND content IS NOT NULL",
        )?;
        let mut extracts = HashMap::new();
        for &(feed_url, item_id) in keys {
            let content: Option<String> = query
                .query_row([feed_url, item_id], |row| row.get(0))
                .optional()?;
            if let Some(content) = content {
                extracts.insert((feed_url.to_owned(), item_id.to_owned()), content);
            }
        }
        Ok(extracts)
    }

    /// How `feed_url`'s article pages went: counts, and the latest failures with their items.
    pub fn full_text_health(&self, feed_url: &str) -> Result<FullTextHealth, StoreError> {
        let conn = self.conn();
        let count = |state: &str| -> Result<u64, StoreError> {
            let count: i64 = conn
                .prepare_cached("SELECT COUNT(*) FROM articles WHERE feed_url = ?1 AND state = ?2")?
                .query_row([feed_url, state], |row| row.get(0))?;
            Ok(count.unsigned_abs())
        };
        let mut failures = conn.prepare_cached(
            "SELECT a.item_id, a.error, i.data, a.attempted
             FROM articles a JOIN items i ON i.feed_url = a.feed_url AND i.item_id = a.item_id
             WHERE a.feed_url = ?1 AND a.state = 'failed'
             ORDER BY a.attempted DESC, a.item_id LIMIT ?2",
        )?;
        let shown = i64::try_from(FullTextHealth::FAILURES_SHOWN).unwrap_or(i64::MAX);
        let failures = failures
            .query_map(params![feed_url, shown], |row| {
                let item_id: String = row.get(0)?;
                let data: String = row.get(2)?;
                let link = serde_json::from_str::<Item>(&data)
                    .ok()
                    .and_then(|item| item.link)
                    .unwrap_or(item_id);
                Ok(ArticleFailure {
                    link,
                    error: row.get::<_, Option<String>>(1)?.unwrap_or_default(),
                    at: row.get(3)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(FullTextHealth {
            extracted: count("done")?,
            failed: count("failed")?,
            pending: count("pending")?,
            failures,
        })
    }
}

fn record(
    conn: &rusqlite::Connection,
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
            conn.prepare_cached(
                "UPDATE articles SET state = 'done', content = ?3, error = NULL, etag = ?4,
                    last_modified = ?5, attempted = ?6
                 WHERE feed_url = ?1 AND item_id = ?2",
            )?
            .execute(params![feed_url, item_id, content, etag, last_modified, at])?;
            // What a publish reads has changed.
            published::bump(conn)?;
        }
        ArticleOutcome::NotModified => {
            conn.prepare_cached(
                "UPDATE articles SET state = 'done', error = NULL, attempted = ?3
                 WHERE feed_url = ?1 AND item_id = ?2",
            )?
            .execute(params![feed_url, item_id, at])?;
        }
        ArticleOutcome::Failed { error } => {
            conn.prepare_cached(
                "UPDATE articles SET state = 'failed', error = ?3, attempted = ?4
                 WHERE feed_url = ?1 AND item_id = ?2",
            )?
            .execute(params![feed_url, item_id, error, at])?;
        }
    }
    Ok(())
}
