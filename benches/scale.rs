//! `cargo bench --bench scale`: how the work on one hostile input grows with its size, for the
//! steps that were quadratic: sanitizing deeply nested HTML, processing one feed of many items
//! after parsing (normalize, encode, store), and importing a long OPML file. Each is timed at
//! a size and at four times it; the printed growth exponent, log(t₄ₙ / tₙ) / log 4, is 1 for
//! linear work and 2 for quadratic. The goal is at most 1.2.

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};
use gazette::config::{Config, ContentPolicy};
use gazette::normalize::{normalize, sanitize_html};
use gazette::parse::{Entry, FeedFormat, FeedMeta, ParsedFeed};
use gazette::store::{FeedRows, Store};
use url::Url;

/// The fastest of a few runs: the least disturbed by the rest of the machine.
fn fastest(mut run: impl FnMut()) -> Duration {
    (0..3)
        .map(|_| {
            let started = Instant::now();
            run();
            started.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn report(name: &str, size: usize, mut run: impl FnMut(usize)) {
    let small = fastest(|| run(size));
    let large = fastest(|| run(size * 4));
    let exponent = (large.as_secs_f64() / small.as_secs_f64()).ln() / 4f64.ln();
    println!(
        "{name:<34} n={size:<7} {:>9.1} ms   4n={:<7} {:>9.1} ms   exponent {exponent:.2}",
        small.as_secs_f64() * 1e3,
        size * 4,
        large.as_secs_f64() * 1e3,
    );
}

fn nested_divs(depth: usize) {
    let html = format!("{}본문{}", "<div>".repeat(depth), "</div>".repeat(depth));
    let base = Url::parse("https://news.example/").expect("base");
    black_box(sanitize_html(&html, &base));
}

fn now() -> DateTime<Utc> {
    "2026-01-11T08:00:00Z".parse().expect("date")
}

/// Normalize, encode and store one feed of `count` trivial items, as a poll does after parsing.
fn many_items(count: usize) {
    let entries = (0..count)
        .map(|n| Entry {
            id: Some(format!("https://news.example/{n}")),
            title: Some(format!("기사 {n}")),
            link: Some(format!("https://news.example/{n}")),
            summary: Some(format!("요약 {n}")),
            published: Some(now() - TimeDelta::minutes(i64::try_from(n).unwrap_or(0))),
            ..Entry::default()
        })
        .collect();
    let parsed = ParsedFeed {
        format: FeedFormat::Rss20,
        encoding: "utf-8".into(),
        warnings: vec![],
        meta: FeedMeta {
            title: Some("피드".into()),
            ..FeedMeta::default()
        },
        entries,
    };
    let config = Config::parse(
        "[[feed]]\nurl = \"https://news.example/rss\"\n",
        Path::new("feeds.toml"),
    )
    .expect("config");
    let feed = &config.feeds[0];
    let normalized = normalize(&parsed, feed, &feed.url, now());
    assert_eq!(feed.content, ContentPolicy::Summary);
    black_box(FeedRows::encode(&normalized).expect("encode"));
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("gazette.db")).expect("store");
    black_box(
        store
            .save_items(feed.url.as_str(), &normalized, now())
            .expect("save"),
    );
}

/// `gazette opml import` of a file of `count` feeds into an empty config.
fn long_opml(count: usize) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut opml = String::from("<?xml version=\"1.0\"?>\n<opml version=\"2.0\"><body>\n");
    for n in 0..count {
        opml.push_str(&format!(
            "<outline type=\"rss\" text=\"피드 {n}\" xmlUrl=\"https://news{n}.example/rss\"/>\n"
        ));
    }
    opml.push_str("</body></opml>\n");
    let config = dir.path().join("feeds.toml");
    let file = dir.path().join("long.opml");
    std::fs::write(&config, "").expect("write config");
    std::fs::write(&file, opml).expect("write opml");
    let report = gazette::opml::import(&config, &file).expect("import");
    assert_eq!(report.added.len(), count);
}

fn main() {
    report("sanitize <div> nested n deep", 16_000, nested_divs);
    report("one feed of n items, after parsing", 8_000, many_items);
    report("opml import of n feeds", 8_000, long_opml);
}
