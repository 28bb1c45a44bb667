//! What the last publish was made from, so that a cycle in which nothing changed publishes
//! nothing: the store counts the writes that changed items or feeds' names (its revision), and a
//! publish records the revision it read, a fingerprint of the settings it used and until when
//! its edition holds.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::{Backend, Store, StoreError, lock};

/// What the last publish was made from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    /// The store's revision it read.
    pub revision: i64,
    /// Of the settings and program that made it: another config or version publishes anew.
    pub fingerprint: String,
    /// When its edition stops holding by the passing of time alone (`None`: never).
    pub changes_at: Option<DateTime<Utc>>,
}

impl Published {
    /// Whether a publish at `now` with the store at `revision` and settings of `fingerprint`
    /// would write what this one wrote.
    pub fn holds(&self, revision: i64, fingerprint: &str, now: DateTime<Utc>) -> bool {
        self.revision == revision
            && self.fingerprint == fingerprint
            && self.changes_at.is_none_or(|at| now < at)
    }
}

/// Counts one more change of what a publish reads; called in the transaction that makes it.
pub(super) fn bump(conn: &Connection) -> Result<(), StoreError> {
    conn.prepare_cached(BUMP)?.execute([])?;
    Ok(())
}

/// [`bump`] in PostgreSQL. Also wakes the other nodes (`NOTIFY`, sent at commit) to publish.
pub(super) fn pg_bump(db: &mut postgres::Transaction<'_>) -> Result<(), StoreError> {
    let bump = db.prepare(BUMP)?;
    db.execute(&bump, &[])?;
    let notify = db.prepare(&format!("SELECT pg_notify('{CHANGED}', '')"))?;
    db.execute(&notify, &[])?;
    Ok(())
}

/// The channel [`pg_bump`] notifies on.
const CHANGED: &str = "gazette_changed";

const BUMP: &str = "INSERT INTO revision (id, value) VALUES (1, 1)
     ON CONFLICT (id) DO UPDATE SET value = revision.value + 1";

impl Store {
    /// On a shared store, a signal woken whenever another node (or this one) changes what a
    /// publish reads, and after each reconnection of the listener: a wake-up only, since
    /// notifications are lost while the listener is away; the daemon's periodic check stays the
    /// fallback. `None` on SQLite, where only this process writes.
    pub fn listen_for_changes(&self) -> Option<std::sync::Arc<tokio::sync::Notify>> {
        let Backend::Postgres(pool) = &self.backend else {
            return None;
        };
        let wake = std::sync::Arc::new(tokio::sync::Notify::new());
        pool.listen(CHANGED, &wake);
        Some(wake)
    }

    /// How many writes have changed items or feeds' names: a publish that read revision `r`
    /// holds as long as this is still `r`.
    pub fn revision(&self) -> Result<i64, StoreError> {
        const QUERY: &str = "SELECT value FROM revision WHERE id = 1";
        let value = match &self.backend {
            Backend::Sqlite(conn) => lock(conn)
                .query_row(QUERY, [], |row| row.get(0))
                .optional()?,
            Backend::Postgres(pool) => {
                pool.run(|db| Ok(db.query_opt(QUERY, &[])?.map(|row| row.get(0))))?
            }
        };
        Ok(value.unwrap_or(0))
    }

    /// What the last publish was made from, if one was recorded. In PostgreSQL, this node's
    /// last publish: each node publishes into its own output folder.
    pub fn published(&self) -> Result<Option<Published>, StoreError> {
        match &self.backend {
            Backend::Sqlite(conn) => Ok(lock(conn)
                .query_row(
                    "SELECT revision, fingerprint, changes_at FROM published WHERE id = 1",
                    [],
                    |row| {
                        Ok(Published {
                            revision: row.get(0)?,
                            fingerprint: row.get(1)?,
                            changes_at: row.get(2)?,
                        })
                    },
                )
                .optional()?),
            Backend::Postgres(pool) => pool.run(|db| {
                let query =
                    "SELECT revision, fingerprint, changes_at FROM published WHERE node = $1";
                Ok(db.query_opt(query, &[&self.node])?.map(|row| Published {
                    revision: row.get(0),
                    fingerprint: row.get(1),
                    changes_at: row.get(2),
                }))
            }),
        }
    }

    /// Records a publish, once its files are written.
    pub fn set_published(&self, published: &Published) -> Result<(), StoreError> {
        match &self.backend {
            Backend::Sqlite(conn) => {
                lock(conn).execute(
                    "INSERT INTO published (id, revision, fingerprint, changes_at)
                     VALUES (1, ?1, ?2, ?3)
                     ON CONFLICT (id) DO UPDATE SET
                        revision = ?1, fingerprint = ?2, changes_at = ?3",
                    params![
                        published.revision,
                        published.fingerprint,
                        published.changes_at
                    ],
                )?;
            }
            Backend::Postgres(pool) => {
                pool.run(|db| {
                    db.execute(
                        "INSERT INTO published (node, revision, fingerprint, changes_at)
                         VALUES ($4, $1, $2, $3)
                         ON CONFLICT (node) DO UPDATE SET
                            revision = $1, fingerprint = $2, changes_at = $3",
                        &[
                            &published.revision,
                            &published.fingerprint,
                            &published.changes_at,
                            &self.node,
                        ],
                    )?;
                    Ok(())
                })?;
            }
        }
        Ok(())
    }
}
