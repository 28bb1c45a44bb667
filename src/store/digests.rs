//! The digest's memory: the digests built (for the archive and the digest feed) and every send,
//! one row per day and recipient.
//!
//! A send is claimed (`sending`) in one statement before the SMTP transaction and settled after
//! it. A row left `sending` by a crash is never claimed again: the message may have gone out, and
//! sending twice is worse than a message a person can resend by hand. Its status says so.

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::{Backend, Store, StoreError, lock};
use crate::model::StoredItem;

/// One built digest, as the archive index and the digest feed list it.
#[derive(Debug, Clone, PartialEq)]
pub struct DigestRecord {
    pub day: NaiveDate,
    pub subject: String,
    /// Stories in it.
    pub items: usize,
    /// The digest in short, as HTML: the feed entry's content.
    pub summary_html: String,
    /// When it was due: the feed entry's date, fixed so that rebuilding changes nothing.
    pub published: DateTime<Utc>,
}

/// Where one recipient's message of one day stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SendState {
    /// Claimed: the SMTP transaction is running, or the process died during it.
    Sending,
    Sent,
    /// Not sent, for a reason that may pass (server down, 4xx): tried again at `next_attempt`.
    Retry,
    /// Refused for good (5xx, bad address): only sent again by hand.
    Failed,
    /// The connection broke after the message was handed over: it may have arrived.
    Unknown,
}

impl SendState {
    fn as_str(self) -> &'static str {
        match self {
            SendState::Sending => "sending",
            SendState::Sent => "sent",
            SendState::Retry => "retry",
            SendState::Failed => "failed",
            SendState::Unknown => "unknown",
        }
    }

    fn parse(text: &str) -> SendState {
        match text {
            "sent" => SendState::Sent,
            "retry" => SendState::Retry,
            "failed" => SendState::Failed,
            "unknown" => SendState::Unknown,
            // A state this version does not know is treated as in flight: never sent again.
            _ => SendState::Sending,
        }
    }
}

/// One recipient's send of one day.
#[derive(Debug, Clone, PartialEq)]
pub struct SendRecord {
    pub recipient: String,
    /// The idempotency key, also the message's `Message-ID`.
    pub message_id: String,
    pub state: SendState,
    pub attempts: u32,
    pub last_attempt: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub next_attempt: Option<DateTime<Utc>>,
}

/// Which earlier outcomes a claim may try again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryPolicy {
    /// The daemon: only `retry` rows whose `next_attempt` has come.
    Due,
    /// A person asked (`gazette digest --send`): every `retry` and `failed` row, now.
    Now,
}

/// How a claimed send ended.
#[derive(Debug, Clone, PartialEq)]
pub enum SendOutcome {
    Sent,
    Retry {
        error: String,
        next_attempt: DateTime<Utc>,
    },
    Failed {
        error: String,
    },
    Unknown {
        error: String,
    },
}

/// The latest digest's sends, for `/status.json` and `gazette feeds`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DigestStatus {
    /// The latest day anything was sent or tried.
    pub day: NaiveDate,
    pub sent: usize,
    pub retrying: usize,
    pub failed: usize,
    /// Interrupted or broken mid-transaction: may or may not have arrived, never resent.
    pub in_doubt: usize,
    pub last_attempt: Option<DateTime<Utc>>,
    /// The latest error of that day's sends, if any is not sent.
    pub last_error: Option<String>,
    pub next_attempt: Option<DateTime<Utc>>,
}

fn send_record(
    recipient: String,
    message_id: String,
    state: &str,
    attempts: u32,
    last_attempt: Option<DateTime<Utc>>,
    last_error: Option<String>,
    next_attempt: Option<DateTime<Utc>>,
) -> SendRecord {
    SendRecord {
        recipient,
        message_id,
        state: SendState::parse(state),
        attempts,
        last_attempt,
        last_error,
        next_attempt,
    }
}

impl Store {
    /// The items of the listed feeds dated in `[start, end)`, with their sources.
    pub fn items_between(
        &self,
        feed_urls: &[&str],
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Vec<StoredItem>, StoreError> {
        let sources = super::sources(&self.backend)?;
        let listed: HashSet<&str> = feed_urls.iter().copied().collect();
        let rows: Vec<(String, String, DateTime<Utc>)> = match &self.backend {
            Backend::Sqlite(conn) => {
                let conn = lock(conn);
                let mut query = conn.prepare(
                    "SELECT feed_url, data, first_seen FROM items
                     WHERE sort_date >= ?1 AND sort_date < ?2
                     ORDER BY sort_date DESC, feed_url DESC, item_id DESC",
                )?;
                query
                    .query_map(params![start, end], |row| {
                        Ok((row.get(0)?, row.get(1)?, row.get(2)?))
                    })?
                    .collect::<Result<_, _>>()?
            }
            Backend::Postgres(pool) => pool.run(|db| {
                Ok(db
                    .query(
                        "SELECT feed_url, data, first_seen FROM items
                         WHERE sort_date >= $1 AND sort_date < $2
                         ORDER BY sort_date DESC, feed_url DESC, item_id DESC",
                        &[&start, &end],
                    )?
                    .iter()
                    .map(|row| (row.get(0), row.get(1), row.get(2)))
                    .collect())
            })?,
        };
        rows.into_iter()
            .filter(|(feed_url, _, _)| listed.contains(feed_url.as_str()))
            .map(|(feed_url, data, first_seen)| {
                super::stored_item(&sources, feed_url, &data, first_seen)
            })
            .collect()
    }

    /// Remembers a built digest, replacing an earlier build of the same day.
    pub fn save_digest(&self, record: &DigestRecord) -> Result<(), StoreError> {
        let items = i64::try_from(record.items).unwrap_or(i64::MAX);
        match &self.backend {
            Backend::Sqlite(conn) => {
                lock(conn).execute(
                    "INSERT INTO digests (day, subject, items, summary_html, published)
                     VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (day) DO UPDATE SET
                        subject = ?2, items = ?3, summary_html = ?4, published = ?5",
                    params![
                        record.day,
                        record.subject,
                        items,
                        record.summary_html,
                        record.published
                    ],
                )?;
            }
            Backend::Postgres(pool) => {
                pool.run(|db| {
                    db.execute(
                        "INSERT INTO digests (day, subject, items, summary_html, published)
                         VALUES ($1, $2, $3, $4, $5)
                         ON CONFLICT (day) DO UPDATE SET
                            subject = $2, items = $3, summary_html = $4, published = $5",
                        &[
                            &record.day,
                            &record.subject,
                            &items,
                            &record.summary_html,
                            &record.published,
                        ],
                    )?;
                    Ok(())
                })?;
            }
        }
        Ok(())
    }

    /// The built digests, newest first.
    pub fn digests(&self) -> Result<Vec<DigestRecord>, StoreError> {
        const QUERY: &str =
            "SELECT day, subject, items, summary_html, published FROM digests ORDER BY day DESC";
        let record = |day, subject, items: i64, summary_html, published| DigestRecord {
            day,
            subject,
            items: items.try_into().unwrap_or(0),
            summary_html,
            published,
        };
        match &self.backend {
            Backend::Sqlite(conn) => {
                let conn = lock(conn);
                let mut query = conn.prepare(QUERY)?;
                let rows = query.query_map([], |row| {
                    Ok(record(
                        row.get(0)?,
                        row.get(1)?,
                        row.get(2)?,
                        row.get(3)?,
                        row.get(4)?,
                    ))
                })?;
                Ok(rows.collect::<Result<_, _>>()?)
            }
            Backend::Postgres(pool) => pool.run(|db| {
                Ok(db
                    .query(QUERY, &[])?
                    .iter()
                    .map(|row| record(row.get(0), row.get(1), row.get(2), row.get(3), row.get(4)))
                    .collect())
            }),
        }
    }

    /// Every send of `day`, in the order they were first tried.
    pub fn digest_sends(&self, day: NaiveDate) -> Result<Vec<SendRecord>, StoreError> {
        const COLUMNS: &str =
            "recipient, message_id, state, attempts, last_attempt, last_error, next_attempt";
        match &self.backend {
            Backend::Sqlite(conn) => {
                let conn = lock(conn);
                let mut query = conn.prepare(&format!(
                    "SELECT {COLUMNS} FROM digest_sends WHERE day = ?1 ORDER BY rowid"
                ))?;
                let rows = query.query_map([day], |row| {
                    Ok(send_record(
                        row.get(0)?,
                        row.get(1)?,
                        &row.get::<_, String>(2)?,
                        row.get(3)?,
                        row.get(4)?,
                        row.get(5)?,
                        row.get(6)?,
                    ))
                })?;
                Ok(rows.collect::<Result<_, _>>()?)
            }
            Backend::Postgres(pool) => pool.run(|db| {
                let query =
                    format!("SELECT {COLUMNS} FROM digest_sends WHERE day = $1 ORDER BY seq");
                Ok(db
                    .query(&query, &[&day])?
                    .iter()
                    .map(|row| {
                        send_record(
                            row.get(0),
                            row.get(1),
                            row.get(2),
                            super::pg_count(row.get(3)),
                            row.get(4),
                            row.get(5),
                            row.get(6),
                        )
                    })
                    .collect())
            }),
        }
    }

    /// Claims the send of `day` to `recipient`, before the SMTP transaction: the attempt's number
    /// if this caller may send, `None` if not. One statement, so two processes (the daemon and
    /// `gazette digest --send`, or two nodes sharing a PostgreSQL store) never both claim it: the
    /// row's key (day, recipient) is unique, and a send made, in flight or in doubt is never
    /// claimed again.
    pub fn claim_digest_send(
        &self,
        day: NaiveDate,
        recipient: &str,
        message_id: &str,
        now: DateTime<Utc>,
        policy: RetryPolicy,
    ) -> Result<Option<u32>, StoreError> {
        let by_hand = policy == RetryPolicy::Now;
        match &self.backend {
            Backend::Sqlite(conn) => Ok(lock(conn)
                .query_row(
                    "INSERT INTO digest_sends
                        (day, recipient, message_id, state, attempts, last_attempt)
                     VALUES (?1, ?2, ?3, 'sending', 1, ?4)
                     ON CONFLICT (day, recipient) DO UPDATE SET
                        state = 'sending', attempts = attempts + 1, last_attempt = ?4
                     WHERE (state = 'retry' AND (?5 OR next_attempt IS NULL OR next_attempt <= ?4))
                        OR (state = 'failed' AND ?5)
                     RETURNING attempts",
                    params![day, recipient, message_id, now, by_hand],
                    |row| row.get(0),
                )
                .optional()?),
            Backend::Postgres(pool) => pool.run(|db| {
                let row = db.query_opt(
                    "INSERT INTO digest_sends AS s
                        (day, recipient, message_id, state, attempts, last_attempt)
                     VALUES ($1, $2, $3, 'sending', 1, $4)
                     ON CONFLICT (day, recipient) DO UPDATE SET
                        state = 'sending', attempts = s.attempts + 1, last_attempt = $4
                     WHERE (s.state = 'retry'
                            AND ($5 OR s.next_attempt IS NULL OR s.next_attempt <= $4))
                        OR (s.state = 'failed' AND $5)
                     RETURNING attempts",
                    &[&day, &recipient, &message_id, &now, &by_hand],
                )?;
                Ok(row.map(|row| super::pg_count(row.get(0))))
            }),
        }
    }

    /// Settles a claimed send, after the SMTP transaction.
    pub fn finish_digest_send(
        &self,
        day: NaiveDate,
        recipient: &str,
        outcome: &SendOutcome,
    ) -> Result<(), StoreError> {
        let (state, error, next_attempt) = match outcome {
            SendOutcome::Sent => (SendState::Sent, None, None),
            SendOutcome::Retry {
                error,
                next_attempt,
            } => (SendState::Retry, Some(error), Some(*next_attempt)),
            SendOutcome::Failed { error } => (SendState::Failed, Some(error), None),
            SendOutcome::Unknown { error } => (SendState::Unknown, Some(error), None),
        };
        match &self.backend {
            Backend::Sqlite(conn) => {
                lock(conn).execute(
                    "UPDATE digest_sends SET state = ?3, last_error = ?4, next_attempt = ?5
                     WHERE day = ?1 AND recipient = ?2",
                    params![day, recipient, state.as_str(), error, next_attempt],
                )?;
            }
            Backend::Postgres(pool) => {
                pool.run(|db| {
                    db.execute(
                        "UPDATE digest_sends SET state = $3, last_error = $4, next_attempt = $5
                         WHERE day = $1 AND recipient = $2",
                        &[&day, &recipient, &state.as_str(), &error, &next_attempt],
                    )?;
                    Ok(())
                })?;
            }
        }
        Ok(())
    }

    /// How the latest day's sends went, or `None` before the first.
    pub fn digest_status(&self) -> Result<Option<DigestStatus>, StoreError> {
        const QUERY: &str = "SELECT MAX(day) FROM digest_sends";
        let day: Option<NaiveDate> = match &self.backend {
            Backend::Sqlite(conn) => lock(conn)
                .query_row(QUERY, [], |row| row.get(0))
                .optional()?
                .flatten(),
            Backend::Postgres(pool) => pool.run(|db| Ok(db.query_one(QUERY, &[])?.get(0)))?,
        };
        let Some(day) = day else {
            return Ok(None);
        };
        let sends = self.digest_sends(day)?;
        let count = |states: &[SendState]| {
            sends
                .iter()
                .filter(|send| states.contains(&send.state))
                .count()
        };
        let latest_failure = sends
            .iter()
            .filter(|send| send.state != SendState::Sent && send.last_error.is_some())
            .max_by_key(|send| send.last_attempt);
        Ok(Some(DigestStatus {
            day,
            sent: count(&[SendState::Sent]),
            retrying: count(&[SendState::Retry]),
            failed: count(&[SendState::Failed]),
            in_doubt: count(&[SendState::Sending, SendState::Unknown]),
            last_attempt: sends.iter().filter_map(|send| send.last_attempt).max(),
            last_error: latest_failure.and_then(|send| send.last_error.clone()),
            next_attempt: sends.iter().filter_map(|send| send.next_attempt).min(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    fn day() -> NaiveDate {
        "2026-01-11".parse().unwrap()
    }

    #[test]
    fn a_send_is_claimed_once() {
        crate::store::both::on_both(a_send_is_claimed_once_on);
    }

    fn a_send_is_claimed_once_on(database: &crate::config::Database) {
        let store = Store::connect(database).unwrap();
        let now = at("2026-01-11T22:00:00Z");
        let claim = |policy| {
            store
                .claim_digest_send(day(), "a@example.com", "<k@x>", now, policy)
                .unwrap()
        };
        assert_eq!(claim(RetryPolicy::Due), Some(1));
        assert_eq!(claim(RetryPolicy::Due), None, "in flight");
        assert_eq!(claim(RetryPolicy::Now), None, "in flight, even by hand");
        store
            .finish_digest_send(day(), "a@example.com", &SendOutcome::Sent)
            .unwrap();
        assert_eq!(claim(RetryPolicy::Now), None, "sent");
        let sends = store.digest_sends(day()).unwrap();
        assert_eq!(sends.len(), 1);
        assert_eq!(sends[0].state, SendState::Sent);
        assert_eq!(sends[0].attempts, 1);
    }

    #[test]
    fn retries_wait_for_their_time_and_failures_for_a_person() {
        crate::store::both::on_both(retries_wait_for_their_time_and_failures_for_a_person_on);
    }

    fn retries_wait_for_their_time_and_failures_for_a_person_on(
        database: &crate::config::Database,
    ) {
        let store = Store::connect(database).unwrap();
        let now = at("2026-01-11T22:00:00Z");
        let claim = |recipient, now, policy| {
            store
                .claim_digest_send(day(), recipient, "<k@x>", now, policy)
                .unwrap()
                .is_some()
        };
        assert!(claim("r@example.com", now, RetryPolicy::Due));
        let retry = SendOutcome::Retry {
            error: "421 busy".into(),
            next_attempt: at("2026-01-11T22:01:00Z"),
        };
        store
            .finish_digest_send(day(), "r@example.com", &retry)
            .unwrap();
        assert!(!claim("r@example.com", now, RetryPolicy::Due), "not yet");
        assert!(claim(
            "r@example.com",
            at("2026-01-11T22:01:00Z"),
            RetryPolicy::Due
        ));
        store
            .finish_digest_send(day(), "r@example.com", &SendOutcome::Sent)
            .unwrap();

        assert!(claim("f@example.com", now, RetryPolicy::Due));
        let failed = SendOutcome::Failed {
            error: "550 no such user".into(),
        };
        store
            .finish_digest_send(day(), "f@example.com", &failed)
            .unwrap();
        assert!(!claim("f@example.com", now, RetryPolicy::Due));

        let status = store.digest_status().unwrap().unwrap();
        assert_eq!((status.sent, status.failed, status.in_doubt), (1, 1, 0));
        assert_eq!(status.last_error.as_deref(), Some("550 no such user"));
        assert!(claim("f@example.com", now, RetryPolicy::Now));
    }

    #[test]
    fn no_status_before_the_first_send() {
        crate::store::both::on_both(no_status_before_the_first_send_on);
    }

    fn no_status_before_the_first_send_on(database: &crate::config::Database) {
        let store = Store::connect(database).unwrap();
        assert_eq!(store.digest_status().unwrap(), None);
        assert!(store.digests().unwrap().is_empty());
    }
}
