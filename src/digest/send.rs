//! Sending a day's digest exactly once per recipient.
//!
//! Each recipient's send is claimed in the store before the SMTP transaction and settled after it
//! (see [`crate::store::digests`]). The message is built before the claim, so nothing between
//! claim and transaction can fail but the transaction itself.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use lettre::message::Mailbox;

use super::mailer::{Mailer, SendError};
use super::message::{self, Addressing};
use super::{Digest, DigestError, with_store};
use crate::store::Store;
use crate::store::digests::{RetryPolicy, SendOutcome, SendState};

/// The first retry's wait; each further one waits twice as long, up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_secs(60);
const MAX_BACKOFF: Duration = Duration::from_secs(60 * 60);

/// How one day's send went, per recipient.
#[derive(Debug, Clone, PartialEq)]
pub struct SendReport {
    pub day: NaiveDate,
    pub recipients: Vec<(String, Delivery)>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Delivery {
    Sent,
    /// Not sent now: already sent, in flight or in doubt, or a retry not yet due.
    Skipped(SendState),
    Retry {
        error: String,
        at: DateTime<Utc>,
    },
    Failed(String),
    InDoubt(String),
}

impl SendReport {
    /// Whether every recipient has the message (now or before).
    pub fn all_sent(&self) -> bool {
        self.recipients.iter().all(|(_, delivery)| {
            matches!(
                delivery,
                Delivery::Sent | Delivery::Skipped(SendState::Sent)
            )
        })
    }

    /// Whether a recipient waits for a retry.
    pub fn retrying(&self) -> bool {
        self.recipients.iter().any(|(_, delivery)| {
            matches!(
                delivery,
                Delivery::Retry { .. } | Delivery::Skipped(SendState::Retry)
            )
        })
    }
}

impl fmt::Display for SendReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (recipient, delivery) in &self.recipients {
            writeln!(f, "{recipient}: {delivery}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Delivery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Delivery::Sent => write!(f, "sent"),
            Delivery::Skipped(SendState::Sent) => write!(f, "already sent"),
            Delivery::Skipped(SendState::Retry) => write!(f, "waiting to retry"),
            Delivery::Skipped(SendState::Failed) => {
                write!(
                    f,
                    "refused before; the daemon leaves it (send by hand to retry)"
                )
            }
            Delivery::Skipped(SendState::Sending | SendState::Unknown) => write!(
                f,
                "not sent again: an earlier attempt was interrupted and may have arrived"
            ),
            Delivery::Retry { error, at } => write!(
                f,
                "not sent, retrying after {}: {error}",
                at.format("%Y-%m-%d %H:%M:%S UTC")
            ),
            Delivery::Failed(error) => write!(f, "refused: {error}"),
            Delivery::InDoubt(error) => write!(f, "in doubt, not sent again: {error}"),
        }
    }
}

/// Sends `digest` from `from` to each of `to` that `policy` allows.
pub async fn send(
    store: &Arc<Store>,
    mailer: &Mailer,
    digest: &Digest,
    from: &Mailbox,
    to: &[Mailbox],
    policy: RetryPolicy,
) -> Result<SendReport, DigestError> {
    let day = digest.content.day.date;
    let letter = digest.letter();
    let mut report = SendReport {
        day,
        recipients: Vec::new(),
    };
    for recipient in to {
        let address = recipient.email.to_string();
        let now = Utc::now();
        let addressing = Addressing {
            from,
            to: recipient,
            message_id: message::message_id(day, &address, from.email.domain()),
            date: now,
        };
        let message = message::build(&letter, &addressing)?;
        let key = addressing.message_id.clone();
        let claimed = with_store(store, {
            let address = address.clone();
            move |store| store.claim_digest_send(day, &address, &key, now, policy)
        })
        .await?;
        let Some(attempt) = claimed else {
            let state = with_store(store, move |store| store.digest_sends(day))
                .await?
                .into_iter()
                .find(|send| send.recipient == address)
                .map_or(SendState::Sending, |send| send.state);
            report.recipients.push((address, Delivery::Skipped(state)));
            continue;
        };
        let result = mailer.send(message.envelope(), &message.formatted()).await;
        let (outcome, delivery) = settle(result, attempt, Utc::now());
        match &delivery {
            Delivery::Sent => tracing::info!("digest {day} to {address}: {delivery}"),
            _ => tracing::warn!("digest {day} to {address}: {delivery}"),
        }
        with_store(store, {
            let address = address.clone();
            move |store| store.finish_digest_send(day, &address, &outcome)
        })
        .await?;
        report.recipients.push((address, delivery));
    }
    Ok(report)
}

/// What to remember and report of one attempt (the `attempt`-th).
fn settle(
    result: Result<(), SendError>,
    attempt: u32,
    now: DateTime<Utc>,
) -> (SendOutcome, Delivery) {
    match result {
        Ok(()) => (SendOutcome::Sent, Delivery::Sent),
        Err(SendError::NotSent {
            reason,
            retry: true,
        }) => {
            let at = now + backoff(attempt);
            (
                SendOutcome::Retry {
                    error: reason.clone(),
                    next_attempt: at,
                },
                Delivery::Retry { error: reason, at },
            )
        }
        Err(SendError::NotSent {
            reason,
            retry: false,
        }) => (
            SendOutcome::Failed {
                error: reason.clone(),
            },
            Delivery::Failed(reason),
        ),
        Err(error @ SendError::InDoubt { .. }) => {
            let error = error.to_string();
            (
                SendOutcome::Unknown {
                    error: error.clone(),
                },
                Delivery::InDoubt(error),
            )
        }
    }
}

/// The wait after the `attempt`-th failed attempt: 1, 2, 4 … minutes, at most an hour.
fn backoff(attempt: u32) -> TimeDelta {
    let doublings = attempt.saturating_sub(1).min(16);
    let wait = FIRST_BACKOFF
        .saturating_mul(1 << doublings)
        .min(MAX_BACKOFF);
    TimeDelta::from_std(wait).unwrap_or(TimeDelta::hours(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        assert_eq!(backoff(1), TimeDelta::minutes(1));
        assert_eq!(backoff(2), TimeDelta::minutes(2));
        assert_eq!(backoff(4), TimeDelta::minutes(8));
        assert_eq!(backoff(7), TimeDelta::hours(1));
        assert_eq!(backoff(u32::MAX), TimeDelta::hours(1));
    }

    #[test]
    fn only_refusals_and_outages_are_safe_to_retry() {
        let now: DateTime<Utc> = "2026-01-11T22:00:00Z".parse().unwrap();
        let down = Err(SendError::NotSent {
            reason: "refused".into(),
            retry: true,
        });
        let (outcome, _) = settle(down, 2, now);
        assert_eq!(
            outcome,
            SendOutcome::Retry {
                error: "refused".into(),
                next_attempt: now + TimeDelta::minutes(2)
            }
        );
        let broken = Err(SendError::InDoubt {
            reason: "reset".into(),
        });
        assert!(matches!(
            settle(broken, 1, now),
            (SendOutcome::Unknown { .. }, Delivery::InDoubt(_))
        ));
        assert_eq!(settle(Ok(()), 1, now).0, SendOutcome::Sent);
    }
}
