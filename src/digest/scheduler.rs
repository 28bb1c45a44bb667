//! The daemon's digest hook: sends the due day's digest at its time, catches up on start, and
//! retries failed sends when their backoff has passed.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};

use super::mailer::Mailer;
use super::{Delivery, DigestError, archive, render_day, send, with_store};
use crate::config::{Config, DigestConfig};
use crate::model::Day;
use crate::store::Store;
use crate::store::digests::{RetryPolicy, SendState};

/// Owned by the daemon, which calls [`Scheduler::tick`] once per wake-up with the config in force
/// (it may have been reloaded since the last).
#[derive(Debug)]
pub struct Scheduler {
    store: Arc<Store>,
    /// When the daemon started: without `catch_up`, a day due before it is skipped.
    started: DateTime<Utc>,
    /// The last day fully handled, so that a finished day costs no work on later wake-ups.
    done: Mutex<Option<NaiveDate>>,
}

impl Scheduler {
    /// Checks that an enabled digest can reach its SMTP server's login (the environment variables
    /// it names are set), so that the daemon stops at start rather than on the first morning.
    pub fn new(
        config: &Config,
        store: Arc<Store>,
        started: DateTime<Utc>,
    ) -> Result<Scheduler, DigestError> {
        if let Some(digest) = enabled(config) {
            Mailer::from_config(digest)?;
        }
        Ok(Scheduler {
            store,
            started,
            done: Mutex::new(None),
        })
    }

    /// How long until the next digest is due, at most `wait`: how long the daemon may sleep.
    pub fn cap_wait(&self, config: &Config, now: DateTime<Utc>, wait: Duration) -> Duration {
        let Some(digest) = enabled(config) else {
            return wait;
        };
        let tz = digest.timezone_or(&config.gazette);
        let next = Day::latest_due(now, tz, digest.time)
            .next()
            .send_at(digest.time);
        (next - now).to_std().unwrap_or(Duration::ZERO).min(wait)
    }

    /// Sends the latest due day's digest to whoever does not have it yet. Never fails: errors are
    /// logged, recorded per recipient in the store, and retried on a later tick.
    /// Sends what is due; returns how many messages went out (for the metrics).
    pub async fn tick(&self, config: &Arc<Config>, now: DateTime<Utc>) -> usize {
        let Some(digest) = enabled(config) else {
            return 0;
        };
        let tz = digest.timezone_or(&config.gazette);
        let day = Day::latest_due(now, tz, digest.time);
        if *self.done() == Some(day.date) {
            return 0;
        }
        if !digest.catch_up && day.send_at(digest.time) < self.started {
            tracing::info!(
                "digest {}: due before the daemon started, not sent (catch_up = false)",
                day.date
            );
            *self.done() = Some(day.date);
            return 0;
        }
        match self.handle(config, digest, day, now).await {
            Ok((finished, sent)) => {
                if finished {
                    tracing::info!("digest {}: done", day.date);
                    *self.done() = Some(day.date);
                }
                sent
            }
            Err(error) => {
                tracing::error!("digest {}: {error}", day.date);
                0
            }
        }
    }

    fn done(&self) -> MutexGuard<'_, Option<NaiveDate>> {
        // Only a date is kept under the lock: it cannot be left half-written.
        self.done.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Renders, archives and sends `day`'s digest if a recipient is due: whether the day needs
    /// nothing more, and how many messages were sent.
    async fn handle(
        &self,
        config: &Arc<Config>,
        digest: &DigestConfig,
        day: Day,
        now: DateTime<Utc>,
    ) -> Result<(bool, usize), DigestError> {
        let sends = with_store(&self.store, move |store| store.digest_sends(day.date)).await?;
        let due = digest.to.iter().any(|recipient| {
            let address = recipient.email.to_string();
            sends
                .iter()
                .find(|send| send.recipient == address)
                .is_none_or(|send| {
                    send.state == SendState::Retry
                        && send.next_attempt.is_none_or(|next| next <= now)
                })
        });
        if !due {
            return Ok((!sends.iter().any(|send| send.state == SendState::Retry), 0));
        }
        let mailer = Mailer::from_config(digest)?;
        let from = digest.from.as_ref().ok_or(DigestError::NoSender)?;
        let rendered = tokio::task::spawn_blocking({
            let (config, store, digest) =
                (Arc::clone(config), Arc::clone(&self.store), digest.clone());
            move || render_day(&config, &digest, &store, day)
        })
        .await??;
        if rendered.content.is_empty() && !digest.send_empty {
            tracing::info!("digest {}: no items that day, nothing to send", day.date);
            return Ok((true, 0));
        }
        tokio::task::spawn_blocking({
            let (config, store, digest) =
                (Arc::clone(config), Arc::clone(&self.store), digest.clone());
            let rendered = rendered.clone();
            move || archive(&config, &digest, &store, &rendered)
        })
        .await??;
        let report = send::send(
            &self.store,
            &mailer,
            &rendered,
            from,
            &digest.to,
            RetryPolicy::Due,
        )
        .await?;
        let sent = report
            .recipients
            .iter()
            .filter(|(_, delivery)| *delivery == Delivery::Sent)
            .count();
        Ok((!report.retrying(), sent))
    }
}

/// The `[digest]` the daemon sends, if any.
fn enabled(config: &Config) -> Option<&DigestConfig> {
    config.digest.as_ref().filter(|digest| digest.enabled)
}
