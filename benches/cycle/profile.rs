//! The cycle's own profile: each stage of a first cycle run alone over the same feeds, so that
//! their shares can be told apart (in `gazette once` they overlap). Fetching is the wall time of
//! the requests at the cycle's concurrency, which is what a cycle waits on; the other stages are
//! the time of one thread doing all of it.

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::Utc;
use futures_util::StreamExt;
use gazette::config::Config;
use gazette::fetch::{FetchOutcome, FetchRequest, FetchSettings, Fetched, Fetcher, PrivateAccess};
use gazette::merge::merged;
use gazette::normalize::normalize;
use gazette::parse::{ParseHints, parse};
use gazette::publish::Publisher;
use gazette::render::{feed, site};
use gazette::store::{FeedRows, FeedState, HealthRecord, PollRecord, Store};

/// Polls written to the store in one transaction, as the store's writer batches them.
const BATCH: usize = 512;

/// Runs each stage of a first cycle over the feeds of `config_text`, in a fresh store and output
/// folder under `dir`, and prints the time and share of each.
pub fn print(config_text: &str, dir: &Path, concurrency: usize) {
    let config = Config::parse(config_text, &dir.join("feeds.toml")).expect("bench config");
    let mut stages: Vec<(&str, Duration)> = Vec::new();
    let mut timed = |name, started: Instant| stages.push((name, started.elapsed()));

    let started = Instant::now();
    let fetched = fetch_all(&config, concurrency);
    timed("fetch", started);

    let now = Utc::now();
    let started = Instant::now();
    let parsed: Vec<_> = fetched
        .iter()
        .map(|fetched| {
            let hints = ParseHints {
                content_type: fetched.content_type.as_deref(),
                url: Some(&fetched.final_url),
                timezone: config.gazette.timezone,
            };
            parse(&fetched.body, &hints).expect("bench feeds parse")
        })
        .collect();
    timed("parse", started);

    let started = Instant::now();
    let normalized: Vec<_> = parsed
        .iter()
        .zip(&config.feeds)
        .zip(&fetched)
        .map(|((parsed, feed), fetched)| normalize(parsed, feed, &fetched.final_url, now))
        .collect();
    timed("normalize", started);

    let store = Store::connect(&config.gazette.database).expect("bench store");
    let started = Instant::now();
    let records: Vec<PollRecord> = normalized
        .iter()
        .zip(&config.feeds)
        .map(|(normalized, feed)| PollRecord {
            feed_url: feed.url.to_string(),
            state: FeedState::default(),
            feed: Some(FeedRows::encode(normalized).expect("encode")),
            at: now,
            // A first poll: every feed's watch is new.
            health: Some(HealthRecord::default()),
        })
        .collect();
    for batch in records.chunks(BATCH) {
        for result in store.record_polls(batch) {
            result.expect("bench store write");
        }
    }
    timed("store", started);

    let urls: Vec<&str> = config.feeds.iter().map(|feed| feed.url.as_str()).collect();
    let started = Instant::now();
    let reading = gazette::daemon::window::first_reading(&config, now);
    let newest = store.newest_items(&urls, &reading).expect("bench read");
    timed("read", started);

    let started = Instant::now();
    let edition = merged(&config, newest.items, now).edition;
    timed("merge", started);

    let started = Instant::now();
    let settings = &config.gazette;
    let outputs = feed::feeds(settings, &edition).expect("render feeds").len();
    let page_site = site::Site::of(settings);
    let pages = site::pages(&edition, &page_site)
        .expect("render pages")
        .len();
    let render = started.elapsed();
    timed("render", started);

    // Publishing renders again: what it takes beyond rendering is the writing.
    let started = Instant::now();
    Publisher::new(settings)
        .publish(&edition)
        .expect("bench publish");
    stages.push(("write", started.elapsed().saturating_sub(render)));

    let total: Duration = stages.iter().map(|(_, time)| *time).sum();
    println!(
        "profile of a first cycle, stage by stage ({} feeds, {outputs} feeds and {pages} pages published):",
        config.feeds.len()
    );
    for (name, time) in &stages {
        println!(
            "  {name:<10} {:>8.3} s  {:>5.1} %",
            time.as_secs_f64(),
            100.0 * time.as_secs_f64() / total.as_secs_f64()
        );
    }
    println!("  {:<10} {:>8.3} s", "total", total.as_secs_f64());
}

/// Every feed's body, fetched at `concurrency`.
fn fetch_all(config: &Config, concurrency: usize) -> Vec<Fetched> {
    let fetcher = Fetcher::new(&FetchSettings::from_config(&config.gazette)).expect("client");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        futures_util::stream::iter(&config.feeds)
            .map(|feed| {
                let request = FetchRequest {
                    url: feed.url.clone(),
                    etag: None,
                    last_modified: None,
                    private: PrivateAccess::Anywhere,
                };
                let fetcher = fetcher.clone();
                async move {
                    match fetcher.fetch(&request).await {
                        FetchOutcome::Fetched(fetched) => fetched,
                        _ => panic!("bench feed {} did not answer", request.url),
                    }
                }
            })
            .buffered(concurrency)
            .collect()
            .await
    })
}
