//! The cycle and the daemon loop: the only place that knows about time and scheduling.
//!
//! A cycle polls the due feeds concurrently (fetch → parse → normalize → store, per feed), and a
//! publish reads the store back, merges and writes the output. One feed's failure is recorded on
//! that feed and never stops the others.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use indicatif::{ProgressBar, ProgressStyle};
use tokio_util::sync::CancellationToken;

use crate::config::{Config, FeedConfig};
use crate::fetch::{ClientError, FetchOutcome, FetchRequest, FetchSettings, Fetcher};
use crate::merge::merge;
use crate::normalize::normalize;
use crate::parse::{ParseHints, parse};
use crate::publish::{PublishError, PublishReport, Publisher};
use crate::store::{PollRecord, SaveStats, Store, StoreError};

/// Why the pipeline could not start or go on.
#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Client(#[from] ClientError),
    #[error(transparent)]
    Publish(#[from] PublishError),
    #[error("cannot create {path}: {source}")]
    CreateDir {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: std::net::SocketAddr,
        source: std::io::Error,
    },
    #[error("a background task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

/// How one feed's poll went.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedReport {
    pub url: String,
    /// The configured name, else the feed's own title, else the URL.
    pub name: String,
    /// HTTP status, when the server answered.
    pub status: Option<u16>,
    pub saved: SaveStats,
    pub error: Option<String>,
}

/// How one cycle went.
#[derive(Debug, Clone, PartialEq)]
pub struct CycleReport {
    pub feeds: Vec<FeedReport>,
    pub duration: Duration,
}

impl CycleReport {
    /// Whether any item was added or changed: only then is a publish worth it.
    pub fn changed(&self) -> bool {
        self.feeds
            .iter()
            .any(|feed| feed.saved.new + feed.saved.updated > 0)
    }

    pub fn failures(&self) -> usize {
        self.feeds
            .iter()
            .filter(|feed| feed.error.is_some())
            .count()
    }

    /// One log line.
    pub fn summary(&self) -> String {
        let (new, updated) = self.feeds.iter().fold((0, 0), |(n, u), feed| {
            (n + feed.saved.new, u + feed.saved.updated)
        });
        format!(
            "polled {} feeds in {:.1}s: {new} new, {updated} updated items, {} failed",
            self.feeds.len(),
            self.duration.as_secs_f64(),
            self.failures()
        )
    }
}

/// The stages wired together: owns the fetcher, the store and the publisher.
#[derive(Debug, Clone)]
pub struct Pipeline {
    config: Arc<Config>,
    fetcher: Fetcher,
    store: Arc<Store>,
    publisher: Publisher,
}

impl Pipeline {
    /// Opens the store (creating its folder) and builds the HTTP client.
    pub fn open(config: Config) -> Result<Pipeline, DaemonError> {
        if let Some(parent) = config.gazette.database.parent() {
            std::fs::create_dir_all(parent).map_err(|source| DaemonError::CreateDir {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        let store = Store::open(&config.gazette.database)?;
        let fetcher = Fetcher::new(&FetchSettings::from_config(&config.gazette))?;
        Ok(Pipeline {
            publisher: Publisher::new(&config.gazette),
            fetcher,
            store: Arc::new(store),
            config: Arc::new(config),
        })
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// One full cycle: polls every enabled feed, then publishes.
    pub async fn once(&self) -> Result<CycleReport, DaemonError> {
        let feeds: Vec<FeedConfig> = self.enabled_feeds().cloned().collect();
        let report = self.poll(feeds).await;
        self.publish().await?;
        Ok(report)
    }

    fn enabled_feeds(&self) -> impl Iterator<Item = &FeedConfig> {
        self.config.feeds.iter().filter(|feed| feed.enabled)
    }

    /// Polls `feeds` concurrently, at most `concurrency` at once, with a progress bar on a terminal.
    pub async fn poll(&self, feeds: Vec<FeedConfig>) -> CycleReport {
        let started = Instant::now();
        let progress = progress_bar(feeds.len());
        let reports = futures_util::stream::iter(feeds)
            .map(|feed| {
                let progress = progress.clone();
                async move {
                    let report = self.poll_feed(&feed).await;
                    progress.inc(1);
                    report
                }
            })
            .buffer_unordered(self.config.gazette.concurrency)
            .collect::<Vec<_>>()
            .await;
        progress.finish_and_clear();
        let mut feeds = reports;
        // Report in config order, not completion order.
        feeds.sort_by_key(|report| {
            self.config
                .feeds
                .iter()
                .position(|feed| feed.url.as_str() == report.url)
        });
        let report = CycleReport {
            feeds,
            duration: started.elapsed(),
        };
        tracing::info!("{}", report.summary());
        report
    }

    /// Fetch → parse → normalize → store for one feed; every failure ends up in the report and
    /// the store, never in a panic or an early return of the cycle.
    async fn poll_feed(&self, feed: &FeedConfig) -> FeedReport {
        let url = feed.url.as_str().to_owned();
        let mut report = FeedReport {
            url: url.clone(),
            name: feed.name.clone().unwrap_or_else(|| url.clone()),
            status: None,
            saved: SaveStats::default(),
            error: None,
        };
        let started = Utc::now();
        let state = match self.with_store(move |store| store.feed_state(&url)).await {
            Ok(state) => state.unwrap_or_default(),
            Err(error) => {
                report.error = Some(error.to_string());
                return report;
            }
        };
        let request = FetchRequest {
            url: feed.url.clone(),
            etag: state.etag,
            last_modified: state.last_modified,
        };
        let mut validators = None;
        match self.fetcher.fetch(&request).await {
            FetchOutcome::NotModified => report.status = Some(304),
            FetchOutcome::Failed(error) => {
                report.status = error.status();
                report.error = Some(error.to_string());
            }
            FetchOutcome::Fetched(fetched) => {
                report.status = Some(fetched.status);
                validators = Some((fetched.etag.clone(), fetched.last_modified.clone()));
                let timezone = feed.timezone_or(&self.config.gazette);
                let feed_config = feed.clone();
                let processed = tokio::task::spawn_blocking(move || {
                    let hints = ParseHints {
                        content_type: fetched.content_type.as_deref(),
                        url: Some(&fetched.final_url),
                        timezone,
                    };
                    parse(&fetched.body, &hints)
                        .map(|parsed| normalize(&parsed, &feed_config, &fetched.final_url, started))
                })
                .await;
                match processed {
                    Ok(Ok(normalized)) => {
                        if let (None, Some(title)) = (&feed.name, &normalized.feed_title) {
                            report.name.clone_from(title);
                        }
                        for warning in &normalized.warnings {
                            tracing::debug!(feed = %feed.url, "{warning}");
                        }
                        let url = report.url.clone();
                        match self
                            .with_store(move |store| store.save_items(&url, &normalized, started))
                            .await
                        {
                            Ok(saved) => report.saved = saved,
                            Err(error) => report.error = Some(error.to_string()),
                        }
                    }
                    Ok(Err(error)) => report.error = Some(error.to_string()),
                    Err(error) => report.error = Some(format!("parser crashed: {error}")),
                }
            }
        }
        if let Some(error) = &report.error {
            tracing::warn!(feed = %feed.url, "{error}");
        }
        let interval = feed.interval_or(&self.config.gazette);
        let record = PollRecord {
            at: started,
            status: report.status,
            error: report.error.clone(),
            validators: validators.filter(|_| report.error.is_none()),
            next_poll: started
                + chrono::Duration::from_std(interval).unwrap_or(chrono::TimeDelta::MAX),
        };
        let url = report.url.clone();
        if let Err(error) = self
            .with_store(move |store| store.record_poll(&url, &record))
            .await
        {
            tracing::error!(feed = %feed.url, "cannot record the poll: {error}");
        }
        report
    }

    /// Reads the store, merges and writes the output.
    pub async fn publish(&self) -> Result<PublishReport, DaemonError> {
        let pipeline = self.clone();
        let report = tokio::task::spawn_blocking(move || -> Result<PublishReport, DaemonError> {
            let started = Instant::now();
            let urls: Vec<&str> = pipeline.enabled_feeds().map(|f| f.url.as_str()).collect();
            let items = pipeline
                .store
                .recent_items(&urls, pipeline.config.gazette.max_items)?;
            let edition = merge(&pipeline.config, items, Utc::now());
            let report = pipeline.publisher.publish(&edition)?;
            tracing::info!(
                "published {} changed files in {:.2}s",
                report.files.len(),
                started.elapsed().as_secs_f64()
            );
            Ok(report)
        })
        .await??;
        Ok(report)
    }

    /// Runs `work` on the store off the async threads: SQLite calls block.
    async fn with_store<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, DaemonError> {
        let store = Arc::clone(&self.store);
        Ok(tokio::task::spawn_blocking(move || work(&store)).await??)
    }

    /// The daemon: polls feeds when due and publishes after every cycle that changed anything,
    /// until `shutdown` is cancelled. A cycle in flight is abandoned at shutdown, but a store
    /// write already started always completes.
    pub async fn run(&self, shutdown: CancellationToken) -> Result<(), DaemonError> {
        // What is stored is published at once, so a restart never serves stale or missing files.
        self.publish().await?;
        while !shutdown.is_cancelled() {
            let now = Utc::now();
            let due = self.due_feeds(now).await?;
            if !due.is_empty() {
                let report = tokio::select! {
                    report = self.poll(due) => report,
                    () = shutdown.cancelled() => break,
                };
                if report.changed()
                    && let Err(error) = self.publish().await
                {
                    tracing::error!("publish failed: {error}");
                }
            }
            let wait = self.next_wake(Utc::now()).await?;
            tracing::debug!("next poll in {}s", wait.as_secs());
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = shutdown.cancelled() => {}
            }
        }
        tracing::info!("stopped");
        Ok(())
    }

    /// The enabled feeds whose next poll time has come (or that were never polled).
    async fn due_feeds(&self, now: DateTime<Utc>) -> Result<Vec<FeedConfig>, DaemonError> {
        let mut due = Vec::new();
        for feed in self.enabled_feeds() {
            if self.next_poll(feed).await?.is_none_or(|next| next <= now) {
                due.push(feed.clone());
            }
        }
        Ok(due)
    }

    async fn next_poll(&self, feed: &FeedConfig) -> Result<Option<DateTime<Utc>>, DaemonError> {
        let url = feed.url.to_string();
        let state = self.with_store(move |store| store.feed_state(&url)).await?;
        Ok(state.and_then(|state| state.next_poll))
    }

    /// How long to sleep until the earliest due feed (at most a minute, so clock jumps heal).
    async fn next_wake(&self, now: DateTime<Utc>) -> Result<Duration, DaemonError> {
        let mut wait = Duration::from_secs(60);
        for feed in self.enabled_feeds() {
            let until = match self.next_poll(feed).await? {
                Some(next) => (next - now).to_std().unwrap_or(Duration::ZERO),
                None => Duration::ZERO,
            };
            wait = wait.min(until);
        }
        Ok(wait.max(Duration::from_millis(200)))
    }

    /// Runs the daemon and serves the output at `listen`, until SIGINT or SIGTERM.
    pub async fn run_and_serve(&self) -> Result<(), DaemonError> {
        let listen = self.config.gazette.listen;
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|source| DaemonError::Listen {
                addr: listen,
                source,
            })?;
        tracing::info!(
            "serving {} at http://{listen}/",
            self.publisher.output_dir().display()
        );
        let shutdown = CancellationToken::new();
        tokio::spawn(cancel_on_signal(shutdown.clone()));
        let server = tokio::spawn(crate::serve::serve(
            listener,
            self.publisher.output_dir().to_path_buf(),
            shutdown.clone().cancelled_owned(),
        ));
        let result = self.run(shutdown.clone()).await;
        shutdown.cancel();
        match server.await? {
            Ok(()) => result,
            Err(source) => Err(DaemonError::Listen {
                addr: listen,
                source,
            }),
        }
    }
}

/// Cancels `token` at the first SIGINT or SIGTERM.
async fn cancel_on_signal(token: CancellationToken) {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(signal) => signal,
                Err(error) => {
                    tracing::error!("cannot listen for SIGTERM: {error}");
                    let _ = interrupt.await;
                    token.cancel();
                    return;
                }
            };
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
    tracing::info!("shutting down");
    token.cancel();
}

/// A bar on a terminal; hidden otherwise, where the per-cycle log line tells the progress.
fn progress_bar(len: usize) -> ProgressBar {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len as u64);
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} polling feeds {pos}/{len} {wide_bar}")
    {
        bar.set_style(style);
    }
    bar
}
