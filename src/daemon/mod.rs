//! The cycle and the daemon loop: the only place that knows about time and scheduling.
//!
//! A cycle polls the due feeds concurrently (fetch → parse → normalize → store, per feed), and a
//! publish reads the store back, merges and writes the output. One feed's failure is recorded on
//! that feed and never stops the others.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use indicatif::{ProgressBar, ProgressStyle};
use sha2::{Digest, Sha256};
use tokio_util::sync::CancellationToken;
use url::Url;

mod articles;
mod digests;
mod freshness;
mod group;
mod health;
pub mod instance;
pub mod metrics;
pub mod reload;
pub mod schedule;
pub mod window;

use metrics::Metrics;
use schedule::{Policy, Poll, PollResult, after_poll, is_due};

use crate::config::{Config, ConfigWatch, FeedConfig, FeedPlaces};
use crate::fetch::{
    ClientError, FetchOutcome, FetchRequest, FetchSettings, Fetched, Fetcher, PrivateAccess,
};
use crate::merge::{Merged, merged};
use crate::model::{Change, FeedDates, FeedHealth, Watch};
use crate::normalize::{feed_dates, keep_newest, normalize};
use crate::parse::{ParseHints, parse};
use crate::publish::{PublishError, PublishReport, Publisher};
use crate::scrape::{ScrapeError, ScrapeHints, scrape};
use crate::serve::Site;
use crate::store::{
    FeedRows, FeedState, HealthRecord, PollRecord, SaveStats, Store, StoreError, Writer,
    feed_health,
};

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
    #[error(transparent)]
    Digest(#[from] crate::digest::DigestError),
}

/// Entries in the health feed: the newest changes of all feeds.
const HEALTH_ENTRIES: usize = 100;

/// Feeds in flight per request the fetcher allows: the others are being parsed or stored.
const IN_FLIGHT_PER_REQUEST: usize = 8;

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

/// What reading a fetched body gave: the poll's result, and when a body was read, what to store
/// and what it told of the feed's dates.
struct BodyRead {
    result: PollResult,
    rows: Option<FeedRows>,
    dates: Option<FeedDates>,
    /// The feed's scrape rules found nothing on its page.
    scrape_empty: bool,
}

impl BodyRead {
    /// A poll whose body was not read.
    fn result(result: PollResult) -> BodyRead {
        BodyRead {
            result,
            rows: None,
            dates: None,
            scrape_empty: false,
        }
    }
}

/// Why a fetched body could not be read.
enum ReadFailure {
    Scrape(ScrapeError),
    Other(String),
}

/// How one cycle went.
#[derive(Debug, Clone, PartialEq)]
pub struct CycleReport {
    pub feeds: Vec<FeedReport>,
    pub duration: Duration,
}

impl CycleReport {
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
    /// Records polls in the store, many to a transaction.
    writer: Writer,
    publisher: Publisher,
    metrics: Arc<Metrics>,
}

impl Pipeline {
    /// Opens the store (creating its folder) and builds the HTTP client.
    pub fn open(config: Config) -> Result<Pipeline, DaemonError> {
        if let Some(parent) = config.gazette.database.sqlite_path().and_then(Path::parent) {
            std::fs::create_dir_all(parent).map_err(|source| DaemonError::CreateDir {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        let store = Arc::new(Store::connect(&config.gazette.database)?);
        carry_over_gone(&config, &store)?;
        let fetcher = Fetcher::new(&FetchSettings::from_config(&config.gazette))?;
        Ok(Pipeline {
            publisher: Publisher::new(&config.gazette),
            fetcher,
            writer: Writer::spawn(Arc::clone(&store))?,
            store,
            config: Arc::new(config),
            metrics: Arc::default(),
        })
    }

    /// This pipeline with `config` in force (after a reload): the same store and metrics, the
    /// fetcher and publisher rebuilt from the new settings. Keeps the current fetcher if the new
    /// settings cannot make one.
    fn reconfigured(&self, config: Arc<Config>) -> Pipeline {
        let fetcher = Fetcher::new(&FetchSettings::from_config(&config.gazette))
            .inspect_err(|error| tracing::error!("{error}: keeping the current HTTP client"))
            .unwrap_or_else(|_| self.fetcher.clone());
        Pipeline {
            fetcher,
            publisher: Publisher::new(&config.gazette),
            config,
            ..self.clone()
        }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// One full cycle: polls every enabled feed (but those that are Gone), then publishes.
    ///
    /// On a shared store, only the due feeds this node claims: the group polls each once.
    pub async fn once(&self) -> Result<CycleReport, DaemonError> {
        self.join_group().await?;
        let states = self.feed_states().await?;
        let feeds = self
            .enabled_feeds()
            .filter(|feed| {
                let state = states.get(feed.url.as_str());
                is_due(state, &feed.identity(), DateTime::<Utc>::MAX_UTC)
            })
            .cloned()
            .collect();
        let report = self.poll_due(feeds, &states, Utc::now()).await;
        self.publish_if_changed().await?;
        self.publish_health().await?;
        Ok(report)
    }

    fn enabled_feeds(&self) -> impl Iterator<Item = &FeedConfig> {
        self.config.feeds.iter().filter(|feed| feed.enabled)
    }

    /// The health of every configured feed.
    pub async fn health(&self) -> Result<Vec<FeedHealth>, DaemonError> {
        let config = Arc::clone(&self.config);
        self.with_store(move |store| feed_health(&config, store))
            .await
    }

    /// How the latest digest's sends went, if any was tried.
    pub async fn digest_status(
        &self,
    ) -> Result<Option<crate::store::digests::DigestStatus>, DaemonError> {
        self.with_store(Store::digest_status).await
    }

    /// Every feed's stored state, by configured URL.
    pub async fn feed_states(&self) -> Result<HashMap<String, FeedState>, DaemonError> {
        self.with_store(Store::feed_states).await
    }

    /// Polls `feeds` at `now` (injected, so schedules can be tested), with a progress bar on a
    /// terminal. Each host's feeds are polled a few times `per_host` at a time, and `concurrency`
    /// hosts at once: a slow host holds up only its own feeds, and the feeds in flight are
    /// bounded, so bodies never pile up in memory waiting to be parsed or stored.
    pub async fn poll_at(
        &self,
        feeds: Vec<FeedConfig>,
        states: &HashMap<String, FeedState>,
        now: DateTime<Utc>,
    ) -> CycleReport {
        let started = Instant::now();
        // Without them every condition is new and reported again: worth a log line, not a cycle.
        let watches = self
            .with_store(Store::watches)
            .await
            .inspect_err(|error| tracing::error!("cannot read the feeds' watches: {error}"))
            .unwrap_or_default();
        let watches = &watches;
        let progress = progress_bar(feeds.len());
        let settings = &self.config.gazette;
        let mut by_host: HashMap<String, Vec<FeedConfig>> = HashMap::new();
        for feed in feeds {
            let host = feed.url.host_str().unwrap_or_default().to_ascii_lowercase();
            by_host.entry(host).or_default().push(feed);
        }
        let reports = futures_util::stream::iter(by_host.into_values())
            .map(|feeds| {
                futures_util::stream::iter(feeds)
                    .map(|feed| {
                        let progress = progress.clone();
                        let previous = states.get(feed.url.as_str()).cloned().unwrap_or_default();
                        let watch = watches.get(feed.url.as_str()).cloned().unwrap_or_default();
                        async move {
                            let report = self.poll_feed(&feed, previous, &watch, now).await;
                            if let Some(rules) = &feed.full_text {
                                match self.fetch_articles(&feed, rules, now).await {
                                    Ok(stats) if stats.read + stats.failed > 0 => {
                                        tracing::info!(
                                            feed = %feed.url,
                                            "full text: {} article pages read, {} failed",
                                            stats.read,
                                            stats.failed
                                        );
                                    }
                                    Ok(_) => {}
                                    Err(error) => {
                                        tracing::error!(feed = %feed.url, "article pages: {error}");
                                    }
                                }
                            }
                            progress.inc(1);
                            report
                        }
                    })
                    // More than the fetcher lets fetch at once, so that a host's next feeds are
                    // fetched while its last ones are parsed and stored.
                    .buffer_unordered(settings.per_host.max(1) * IN_FLIGHT_PER_REQUEST)
            })
            .flatten_unordered(settings.concurrency.max(1))
            .collect::<Vec<Option<FeedReport>>>()
            .await;
        // Feeds whose lease ran out before their turn came, now polled by another node.
        let mut reports: Vec<FeedReport> = reports.into_iter().flatten().collect();
        progress.finish_and_clear();
        // Report in config order, not completion order. The order is looked up, not searched for
        // on every comparison: with thousands of feeds a linear search per comparison adds up.
        let order: HashMap<&str, usize> = self
            .config
            .feeds
            .iter()
            .enumerate()
            .map(|(index, feed)| (feed.url.as_str(), index))
            .collect();
        reports.sort_by_key(|report| order.get(report.url.as_str()).copied());
        let report = CycleReport {
            feeds: reports,
            duration: started.elapsed(),
        };
        self.metrics.record_cycle(&report, Utc::now());
        tracing::info!("{}", report.summary());
        report
    }

    /// Fetch → parse → normalize → store for one feed; every failure ends up in the report and
    /// the store, never in a panic or an early return of the cycle. `None` when, on a shared
    /// store, this node's lease on the feed ran out before its turn and another node took it.
    async fn poll_feed(
        &self,
        feed: &FeedConfig,
        previous: FeedState,
        watch: &Watch,
        now: DateTime<Utc>,
    ) -> Option<FeedReport> {
        let key = feed.url.as_str().to_owned();
        let mut report = FeedReport {
            url: key.clone(),
            name: feed.name.clone().unwrap_or_else(|| key.clone()),
            status: None,
            saved: SaveStats::default(),
            error: None,
        };
        let url = previous
            .moved_to
            .as_deref()
            .and_then(|moved| Url::parse(moved).ok())
            .unwrap_or_else(|| feed.url.clone());
        let request = FetchRequest {
            url,
            etag: previous.etag.clone(),
            last_modified: previous.last_modified.clone(),
            private: PrivateAccess::of(feed, &self.config.gazette),
        };
        let slot = self.host_slot(&request.url).await;
        if !self.still_leased(&key).await {
            tracing::debug!(feed = %feed.url, "the lease ran out and another node took the feed");
            self.release_host_slot(slot).await;
            return None;
        }
        let outcome = self.fetcher.fetch(&request).await;
        self.release_host_slot(slot).await;
        let (body, moved_to) = match outcome {
            FetchOutcome::NotModified { moved_to } => {
                report.status = Some(304);
                (BodyRead::result(PollResult::Unchanged), moved_to)
            }
            FetchOutcome::Failed { error, retry_after } => {
                report.status = error.status();
                let error = error.to_string();
                (
                    BodyRead::result(PollResult::Failed { error, retry_after }),
                    None,
                )
            }
            FetchOutcome::Fetched(fetched) => {
                report.status = Some(fetched.status);
                let moved_to = fetched.moved_to.clone();
                let body = self.read(feed, fetched, &previous, now, &mut report).await;
                (body, moved_to)
            }
        };
        let BodyRead {
            result,
            rows: read,
            dates,
            scrape_empty,
        } = body;
        let mut poll = Poll {
            at: now,
            status: report.status,
            result,
            moved_to: moved_to.map(String::from),
        };
        let policy = self.policy(feed);
        let state = after_poll(&previous, &poll, &policy, &key);
        let health = |state: &FeedState, dates: Option<&FeedDates>| {
            let seen = health::Seen {
                at: now,
                previous: &previous,
                state,
                scrape_empty,
                dates,
                interval: policy.interval,
            };
            let record = health::observe(&key, &seen, watch);
            // Most polls change nothing of it: they write nothing of it either.
            if record.events.is_empty() && record.watch == *watch {
                None
            } else {
                Some(self.located(record))
            }
        };
        let record = PollRecord {
            feed_url: key.clone(),
            state: state.clone(),
            feed: read,
            at: now,
            health: health(&state, dates.as_ref()),
        };
        let stored_items = record.feed.is_some();
        let state = match self.writer.record(record).await {
            Ok(saved) => {
                report.saved = saved;
                state
            }
            // The poll is recorded as failed, so that its body is read again next time.
            Err(error) if stored_items => {
                poll.result = PollResult::Failed {
                    error: error.to_string(),
                    retry_after: None,
                };
                after_poll(&previous, &poll, &policy, &key)
            }
            Err(error) => {
                tracing::error!(feed = %feed.url, "cannot record the poll: {error}");
                state
            }
        };
        if let PollResult::Failed { error, .. } = &poll.result {
            report.error = Some(error.clone());
            tracing::warn!(feed = %feed.url, "{error}");
        }
        if stored_items && report.error.is_some() {
            let record = PollRecord {
                feed_url: key.clone(),
                health: health(&state, None),
                state,
                feed: None,
                at: now,
            };
            if let Err(error) = self.writer.record(record).await {
                tracing::error!(feed = %feed.url, "cannot record the poll: {error}");
            }
            return Some(report);
        }
        if state.gone.is_some() && previous.gone.is_none() {
            tracing::warn!(
                feed = %feed.url,
                "410 Gone: the feed is disabled until its entry in feeds.toml changes"
            );
        }
        if let Some(moved) = state
            .moved_to
            .as_deref()
            .filter(|m| previous.moved_to.as_deref() != Some(m))
        {
            tracing::warn!(
                feed = %feed.url,
                "moved permanently to {moved}: polling it there from now on; update feeds.toml"
            );
        }
        Some(report)
    }

    /// Parse → normalize of a fetched body; an unchanged body is not parsed at all. Gives the
    /// poll's result and, when the body was read, what to store.
    async fn read(
        &self,
        feed: &FeedConfig,
        fetched: Fetched,
        previous: &FeedState,
        now: DateTime<Utc>,
        report: &mut FeedReport,
    ) -> BodyRead {
        let body_hash = hex::encode(&Sha256::digest(&fetched.body)[..16]);
        if previous.body_hash.as_deref() == Some(body_hash.as_str()) {
            return BodyRead::result(PollResult::Unchanged);
        }
        let (etag, last_modified) = (fetched.etag.clone(), fetched.last_modified.clone());
        let timezone = feed.timezone_or(&self.config.gazette);
        let feed_config = feed.clone();
        let max_items = self.config.gazette.max_items_per_poll;
        let processed = tokio::task::spawn_blocking(move || {
            let hints = ParseHints {
                content_type: fetched.content_type.as_deref(),
                url: Some(&fetched.final_url),
                timezone,
            };
            // A page with `[feed.scrape]` rules is read with them, never as a feed.
            let mut parsed = match &feed_config.scrape {
                Some(rules) => {
                    let hints = ScrapeHints {
                        content_type: hints.content_type,
                        url: hints.url,
                        timezone,
                        now,
                    };
                    scrape(&fetched.body, &hints, rules).map_err(ReadFailure::Scrape)?
                }
                None => parse(&fetched.body, &hints)
                    .map_err(|error| ReadFailure::Other(error.to_string()))?,
            };
            let dates = feed_dates(&parsed.entries, now);
            if feed_config.scrape.is_some() {
                for warning in &parsed.warnings {
                    tracing::warn!(feed = %feed_config.url, "{warning}");
                }
            }
            let left_out = keep_newest(&mut parsed.entries, max_items, now);
            if left_out > 0 {
                tracing::warn!(
                    feed = %feed_config.url,
                    "the feed holds {} items: only the {max_items} newest are read (max_items_per_poll)",
                    max_items + left_out
                );
            }
            let normalized = normalize(&parsed, &feed_config, &fetched.final_url, now);
            let rows = FeedRows::encode(&normalized)
                .map_err(|error| ReadFailure::Other(error.to_string()))?;
            Ok::<_, ReadFailure>((normalized, rows, parsed.meta.poll_hints, dates))
        })
        .await;
        let failed = |error: String, scrape_empty: bool| BodyRead {
            scrape_empty,
            ..BodyRead::result(PollResult::Failed {
                error,
                retry_after: None,
            })
        };
        let (normalized, rows, hints, dates) = match processed {
            Ok(Ok(processed)) => processed,
            Ok(Err(ReadFailure::Scrape(error))) => return failed(error.to_string(), true),
            Ok(Err(ReadFailure::Other(error))) => return failed(error, false),
            Err(error) => return failed(format!("parser crashed: {error}"), false),
        };
        if let (None, Some(title)) = (&feed.name, &normalized.feed_title) {
            report.name.clone_from(title);
        }
        for warning in &normalized.warnings {
            tracing::debug!(feed = %feed.url, "{warning}");
        }
        let result = PollResult::Read {
            etag,
            last_modified,
            body_hash,
            hints,
        };
        BodyRead {
            result,
            rows: Some(rows),
            dates: Some(dates),
            scrape_empty: false,
        }
    }

    /// `record` with the place in `feeds.toml` to edit named in its moved and gone changes:
    /// the config file is read only when there is one.
    fn located(&self, mut record: HealthRecord) -> HealthRecord {
        let mut places = None;
        for event in &mut record.events {
            if let Change::Moved { location, .. } | Change::Gone { location } = &mut event.change {
                let places = places.get_or_insert_with(|| FeedPlaces::read(&self.config.path));
                *location = places.at(&event.feed_url);
            }
        }
        record
    }

    /// What the schedule needs of `feed`'s config.
    fn policy(&self, feed: &FeedConfig) -> Policy {
        Policy {
            interval: feed.interval_or(&self.config.gazette),
            move_after: self.config.gazette.move_after,
            fingerprint: feed.identity(),
        }
    }

    /// Reads the store, merges and writes the output; then records what it was made from (see
    /// [`Pipeline::publish_if_changed`]).
    pub async fn publish(&self) -> Result<PublishReport, DaemonError> {
        let pipeline = self.clone();
        let report = tokio::task::spawn_blocking(move || -> Result<PublishReport, DaemonError> {
            let started = Instant::now();
            // Read before the items: a write during the publish leaves it stale, never fresh.
            let revision = pipeline.store.revision()?;
            let now = Utc::now();
            let (merged, count) = pipeline.merge_newest(now)?;
            let Merged {
                mut edition,
                changes_at,
                decisions,
            } = merged;
            if pipeline.is_shared() {
                group::date_by_the_store(&mut edition);
            }
            let merged = started.elapsed();
            let mut report = pipeline.publisher.publish(&edition)?;
            // The record of why each item is where it is: worth a warning, never a publish.
            let decided = decisions.records(&pipeline.config);
            if let Err(error) = pipeline.store.record_decisions(now, &decided) {
                tracing::warn!("cannot record the publish's decisions: {error}");
            }
            report
                .files
                .extend(pipeline.publisher.publish_sources(&pipeline.config)?);
            pipeline.store.set_published(&crate::store::Published {
                revision,
                fingerprint: pipeline.fingerprint(),
                changes_at,
            })?;
            pipeline
                .metrics
                .record_publish(&edition.sections, started.elapsed());
            tracing::info!(
                "published {} changed files in {:.2}s (read and merged {count} items in {:.2}s, wrote in {:.2}s)",
                report.files.len(),
                started.elapsed().as_secs_f64(),
                merged.as_secs_f64(),
                (started.elapsed() - merged).as_secs_f64(),
            );
            Ok(report)
        })
        .await??;
        crate::publish::websub::announce(&self.config.gazette, &report.files).await;
        Ok(report)
    }

    /// Writes the health feed: the newest [`HEALTH_ENTRIES`] changes of the configured feeds,
    /// the files that changed only.
    pub async fn publish_health(&self) -> Result<Vec<std::path::PathBuf>, DaemonError> {
        let pipeline = self.clone();
        let written = tokio::task::spawn_blocking(move || -> Result<_, DaemonError> {
            let config = &pipeline.config;
            let urls: Vec<&str> = config.feeds.iter().map(|feed| feed.url.as_str()).collect();
            let events = pipeline.store.health_events(&urls, HEALTH_ENTRIES)?;
            let mut names = pipeline.store.feed_titles()?;
            for feed in &config.feeds {
                if let Some(name) = &feed.name {
                    names.insert(feed.url.to_string(), name.clone());
                }
            }
            Ok(pipeline.publisher.publish_health(&events, &names)?)
        })
        .await??;
        if !written.is_empty() {
            tracing::info!("published the health feed");
            crate::publish::websub::announce(&self.config.gazette, &written).await;
        }
        Ok(written)
    }

    /// The edition of the newest stored items, read as far back as it reaches (see
    /// [`window`]); and how many items were read for it.
    fn merge_newest(&self, now: DateTime<Utc>) -> Result<(Merged, usize), DaemonError> {
        let urls: Vec<&str> = self.enabled_feeds().map(|f| f.url.as_str()).collect();
        let mut reading = window::first_reading(&self.config, now);
        loop {
            let mut newest = self.store.newest_items(&urls, &reading)?;
            crate::fulltext::with_extracts(&self.config.feeds, &mut newest.items, |keys| {
                self.store.article_extracts(keys)
            })?;
            self.store.release_memory()?;
            let count = newest.items.len();
            let merged = merged(&self.config, newest.items, now);
            match newest.complete_after {
                Some(after) if !window::is_settled(&merged.edition, &self.config, after) => {
                    tracing::debug!("{count} items were not enough to publish: reading more");
                    reading = window::grown(&reading);
                }
                _ => return Ok((merged, count)),
            }
        }
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
    /// write already started always completes. Each config that `reloads` hands on is applied
    /// before the next cycle, and published at once (sections may have changed).
    pub async fn run(
        &self,
        shutdown: CancellationToken,
        mut reloads: ConfigWatch,
    ) -> Result<(), DaemonError> {
        let mut pipeline = self.clone();
        // What is stored is published at once (unless the files are those it would write), so a
        // restart never serves stale or missing files.
        pipeline.publish_if_changed().await?;
        let digest =
            crate::digest::Scheduler::new(&self.config, Arc::clone(&self.store), Utc::now())?;
        let digests = digests::spawn(
            digest,
            reloads.clone(),
            Arc::clone(&self.metrics),
            shutdown.clone(),
        );
        // Other nodes' writes wake this one to publish them (a shared store only).
        let changed = self.store.listen_for_changes();
        if let Err(error) = pipeline.join_group().await {
            tracing::error!("cannot join the group: {error}");
        }
        while !shutdown.is_cancelled() {
            let latest = Arc::clone(&reloads.borrow_and_update());
            if !Arc::ptr_eq(&latest, &pipeline.config) {
                pipeline = pipeline.reconfigured(latest);
                if let Err(error) = pipeline.join_group().await {
                    tracing::error!("cannot join the group: {error}");
                }
                if let Err(error) = pipeline.publish_if_changed().await {
                    tracing::error!("publish failed: {error}");
                }
            }
            if let Err(error) = pipeline.heartbeat().await {
                tracing::error!("cannot report to the group: {error}");
            }
            let now = Utc::now();
            let states = pipeline.feed_states().await?;
            let due: Vec<FeedConfig> = pipeline
                .enabled_feeds()
                .filter(|feed| is_due(states.get(feed.url.as_str()), &feed.identity(), now))
                .cloned()
                .collect();
            if !due.is_empty() {
                tokio::select! {
                    _ = pipeline.poll_due(due, &states, now) => {}
                    () = shutdown.cancelled() => break,
                };
            }
            // After a cycle that changed items, or once ranked stories age out of their windows
            // with no poll changing anything; else this costs a query and a look at the files.
            if let Err(error) = pipeline.publish_if_changed().await {
                tracing::error!("publish failed: {error}");
            }
            if let Err(error) = pipeline.publish_health().await {
                tracing::error!("cannot publish the health feed: {error}");
            }
            let wait = pipeline.next_wake(Utc::now()).await?;
            tracing::debug!("next poll in {}s", wait.as_secs());
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = shutdown.cancelled() => {}
                Ok(()) = reloads.changed() => {}
                () = group::changed(changed.as_deref()) => {}
            }
        }
        digests::stop(digests).await;
        tracing::info!("stopped");
        Ok(())
    }

    /// How long to sleep until the earliest due feed (at most a minute, so clock jumps heal).
    async fn next_wake(&self, now: DateTime<Utc>) -> Result<Duration, DaemonError> {
        let states = self.feed_states().await?;
        let earliest = self
            .enabled_feeds()
            .filter_map(|feed| match states.get(feed.url.as_str()) {
                None => Some(now),
                Some(state) if state.gone.as_deref() == Some(feed.identity().as_str()) => None,
                Some(state) => Some(state.next_poll.unwrap_or(now)),
            })
            .min();
        let wait = earliest.map_or(Duration::from_secs(60), |next| {
            (next - now).to_std().unwrap_or(Duration::ZERO)
        });
        // On a shared store a feed may look due while another node polls it: looking again at
        // once would only read the store over and over.
        let least = if self.is_shared() {
            group::LEAST_WAIT
        } else {
            Duration::from_millis(200)
        };
        Ok(wait.clamp(least, Duration::from_secs(60)))
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
        let reloads = reload::spawn(Arc::clone(&self.config), shutdown.clone());
        let site = Site {
            output_dir: self.publisher.output_dir().to_path_buf(),
            config: reloads.clone(),
            store: Arc::clone(&self.store),
            metrics: self.metrics.clone(),
        };
        let server = tokio::spawn(crate::serve::serve(
            listener,
            site,
            shutdown.clone().cancelled_owned(),
        ));
        let result = self.run(shutdown.clone(), reloads).await;
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

/// Moves the 410 records that earlier versions made against [`FeedConfig::legacy_identity`] to
/// [`FeedConfig::identity`], for the entries that have not changed since: a feed that answered
/// 410 Gone stays off after an upgrade. Records of changed entries match neither, as before.
fn carry_over_gone(config: &Config, store: &Store) -> Result<(), StoreError> {
    let states = store.feed_states()?;
    for feed in &config.feeds {
        let gone = states
            .get(feed.url.as_str())
            .and_then(|state| state.gone.as_deref());
        if gone.is_some_and(|gone| gone == feed.legacy_identity()) {
            store.set_gone(feed.url.as_str(), &feed.identity())?;
        }
    }
    Ok(())
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
