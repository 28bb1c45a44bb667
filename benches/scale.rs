//! `cargo bench --bench scale`: how the work on one hostile input grows with its size, for the
//! steps that were quadratic: sanitizing deeply nested HTML, processing one feed of many items
//! after parsing (normalize, encode, store), and importing a long OPML file. Each is timed at
//! a size and at four times it; the printed growth exponent, log(t₄ₙ / tₙ) / log 4, is 1 for
//! linear work and 2 for quadratic. The goal is at most 1.2.

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};
use gazette::config::Config;
use gazette::normalize::normalize;
use gazette::parse::{Entry, FeedFormat, FeedMeta, ParsedFeed};
use gazette::store::{FeedRows, Store};

/// The fastest of a few runs of `run` on the input `prepare` made: the least disturbed by the
/// rest of the machine.
fn fastest<T>(input: &T, run: &impl Fn(&T)) -> Duration {
    (0..5)
        .map(|_| {
            let started = Instant::now();
            run(input);
            started.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn report<T>(name: &str, size: usize, prepare: impl Fn(usize) -> T, run: impl Fn(&T)) {
    let small = fastest(&prepare(size), &run);
    let large = fastest(&prepare(size * 4), &run);
    let exponent = (large.as_secs_f64() / small.as_secs_f64()).ln() / 4f64.ln();
    println!(
        "{name:<36} n={size:<7} {:>9.1} ms   4n={:<7} {:>9.1} ms   exponent {exponent:.2}",
        small.as_secs_f64() * 1e3,
        size * 4,
        large.as_secs_f64() * 1e3,
    );
}

/// One feed of a single `content = "full"` item whose HTML is `<div>` nested `depth` deep.
fn nested_divs(depth: usize) -> ParsedFeed {
    let html = format!("{}본문{}", "<div>".repeat(depth), "</div>".repeat(depth));
    feed(vec![Entry {
        id: Some("deep".into()),
        title: Some("깊은 기사".into()),
        content: Some(html),
        ..Entry::default()
    }])
}

/// A feed of `count` trivial items.
fn many_items(count: usize) -> ParsedFeed {
    feed(
        (0..count)
            .map(|n| Entry {
                id: Some(format!("https://news.example/{n}")),
                title: Some(format!("기사 {n}")),
                link: Some(format!("https://news.example/{n}")),
                summary: Some(format!("요약 {n}")),
                published: Some(now() - TimeDelta::minutes(i64::try_from(n).unwrap_or(0))),
                ..Entry::default()
            })
            .collect(),
    )
}

fn feed(entries: Vec<Entry>) -> ParsedFeed {
    ParsedFeed {
        format: FeedFormat::Rss20,
        encoding: "utf-8".into(),
        warnings: vec![],
        meta: FeedMeta {
            title: Some("피드".into()),
            ..FeedMeta::default()
        },
        entries,
    }
}

fn config(content: &str) -> Config {
    let source = format!("[[feed]]\nurl = \"https://news.example/rss\"\ncontent = \"{content}\"\n");
    Config::parse(&source, Path::new("feeds.toml")).expect("config")
}

/// Normalizes `parsed` under `content = "full"`: summary text and sanitized HTML.
fn normalize_full(parsed: &ParsedFeed) {
    let config = config("full");
    let feed = &config.feeds[0];
    black_box(normalize(parsed, feed, &feed.url, now()));
}

fn now() -> DateTime<Utc> {
    "2026-01-11T08:00:00Z".parse().expect("date")
}

/// Normalizes, encodes and stores `parsed`, as a poll does after parsing.
fn process(parsed: &ParsedFeed) {
    let config = config("summary");
    let feed = &config.feeds[0];
    let normalized = normalize(parsed, feed, &feed.url, now());
    black_box(FeedRows::encode(&normalized).expect("encode"));
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("gazette.db")).expect("store");
    black_box(
        store
            .save_items(feed.url.as_str(), &normalized, now())
            .expect("save"),
    );
}

/// An OPML file of `count` feeds.
fn long_opml(count: usize) -> String {
    let mut opml = String::from("<?xml version=\"1.0\"?>\n<opml version=\"2.0\"><body>\n");
    for n in 0..count {
        opml.push_str(&format!(
            "<outline type=\"rss\" text=\"피드 {n}\" xmlUrl=\"https://news{n}.example/rss\"/>\n"
        ));
    }
    opml.push_str("</body></opml>\n");
    opml
}

/// `gazette opml import` of `opml` into an empty config.
fn import(opml: &str) {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("feeds.toml");
    let file = dir.path().join("long.opml");
    std::fs::write(&config, "").expect("write config");
    std::fs::write(&file, opml).expect("write opml");
    black_box(gazette::opml::import(&config, &file).expect("import"));
}

fn main() {
    report(
        "normalize <div> nested n deep",
        100_000,
        nested_divs,
        normalize_full,
    );
    report(
        "one feed of n items, after parsing",
        8_000,
        many_items,
        process,
    );
    report("opml import of n feeds", 8_000, long_opml, |opml| {
        import(opml)
    });
}
