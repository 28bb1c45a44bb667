//! The daemon's digest sends, in a task of their own beside polling: a slow or silent SMTP server
//! delays only the mail, never a poll or a publish, and stopping never waits on it for long.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::metrics::Metrics;
use crate::config::ConfigWatch;
use crate::digest::Scheduler;

/// Longest a shutdown waits for a send in flight before abandoning it. A recipient whose
/// conversation is cut stays claimed, hence never mailed twice; the log says which.
const STOP_WAIT: Duration = Duration::from_secs(3);

/// Longest the task sleeps between checks, so that a retry or a reload is never missed for long.
const MAX_SLEEP: Duration = Duration::from_secs(60);

/// Sends digests when due, with the config in force, until `shutdown`.
pub(super) fn spawn(
    scheduler: Scheduler,
    mut config: ConfigWatch,
    metrics: Arc<Metrics>,
    shutdown: CancellationToken,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        while !shutdown.is_cancelled() {
            let current = Arc::clone(&config.borrow_and_update());
            let sent = scheduler.tick(&current, Utc::now()).await;
            metrics.digests_sent.inc_by(sent as u64);
            let wait = scheduler.cap_wait(&current, Utc::now(), MAX_SLEEP);
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = shutdown.cancelled() => {}
                Ok(()) = config.changed() => {}
            }
        }
    })
}

/// Waits for the task to see the shutdown, at most [`STOP_WAIT`], then abandons it.
pub(super) async fn stop(task: JoinHandle<()>) {
    let abort = task.abort_handle();
    if tokio::time::timeout(STOP_WAIT, task).await.is_err() {
        abort.abort();
        tracing::warn!(
            "stopped while a digest was being sent: a recipient it was going to may not have it (see `gazette digest`)"
        );
    }
}
