//! What the last publish was made from, so that a cycle in which nothing changed publishes
//! nothing: the store counts the writes that changed items or feeds' names (its revision), and a
//! publish records the revision it read, a fingerprint of the settings it used and until when
//! its edition holds.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::{Store, StoreError};

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
    conn.prepare_cached(
        "INSERT INTO revision (id, value) VALUES (1, 1)
         ON CONFLICT (id) DO UPDATE SET value = value + 1",
    )?
    .execute([])?;
    Ok(())
}

impl Store {
    /// How many writes have changed items or feeds' names: a publish that read revision `r`
    /// holds as long as this is still `r`.
    pub fn revision(&self) -> Result<i64, StoreError> {
        let conn = self.conn();
        let value = conn
            .query_row("SELECT value FROM revision WHERE id = 1", [], |row| {
                row.get(0)
            })
            .optional()?;
        Ok(value.unwrap_or(0))
    }

    /// What the last publish was made from, if one was recorded.
    pub fn published(&self) -> Result<Option<Published>, StoreError> {
        let conn = self.conn();
        let published = conn
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
            .optional()?;
        Ok(published)
    }

    /// Records a publish, once its files are written.
    pub fn set_published(&self, published: &Published) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO published (id, revision, fingerprint, changes_at) VALUES (1, ?1, ?2, ?3)
             ON CONFLICT (id) DO UPDATE SET
                revision = ?1, fingerprint = ?2, changes_at = ?3",
            params![
                published.revision,
                published.fingerprint,
                published.changes_at
            ],
        )?;
        Ok(())
    }
}
