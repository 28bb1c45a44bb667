//! `cargo bench --bench nodes`: a poll cycle of 10,000 local feeds with the store in SQLite and
//! in PostgreSQL, and on PostgreSQL with one node and with three (processes of the real binary
//! running `gazette once` at once). Prints wall times and the ratios the issue asks about:
//! what PostgreSQL costs beside SQLite, and what leasing costs (on two cores three nodes are no
//! faster than one; the point is that sharing adds little).
//!
//! Each setup runs two cycles: the first stores every item, the second finds every body
//! unchanged. `GAZETTE_BENCH_FEEDS=1000 cargo bench --bench nodes` runs a smaller farm. Needs
//! PostgreSQL's server binaries (see `testkit::postgres`).

#[path = "common/feeds.rs"]
mod feeds;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use feeds::{ITEMS_PER_FEED, feed_body};
use testkit::postgres::make_every_feed_due;
use testkit::{Farm, FeedsToml, Route};

const CONCURRENCY: u32 = 64;

fn serve(farm: &Farm, feeds: usize) {
    for feed in 0..feeds {
        farm.set(&format!("/feed/{feed}.xml"), Route::rss(feed_body(feed, 0)));
    }
}

/// `gazette once` on every folder at once; the wall time until the last is done.
fn cycle(dirs: &[&Path]) -> Duration {
    let started = Instant::now();
    let children: Vec<_> = dirs
        .iter()
        .map(|dir| {
            Command::new(env!("CARGO_BIN_EXE_gazette"))
                .args(["once", "--config"])
                .arg(dir.join("feeds.toml"))
                .env("GAZETTE_LOG", "warn")
                .stdout(Stdio::null())
                .spawn()
                .expect("run gazette")
        })
        .collect();
    for mut child in children {
        assert!(
            child.wait().expect("gazette").success(),
            "gazette once failed"
        );
    }
    started.elapsed()
}

/// Two cycles of `nodes` nodes on `database` (`None`: SQLite, one node).
fn run(label: &str, config: &str, database: Option<&str>, nodes: usize) -> (Duration, Duration) {
    let dirs: Vec<tempfile::TempDir> = (0..nodes)
        .map(|_| {
            let dir = tempfile::tempdir().expect("tempdir");
            let mut text = config.to_owned();
            if let Some(url) = database {
                text = text.replacen(
                    "[gazette]\n",
                    &format!("[gazette]\ndatabase = \"{url}\"\n"),
                    1,
                );
            }
            std::fs::write(dir.path().join("feeds.toml"), text).expect("config");
            dir
        })
        .collect();
    let paths: Vec<&Path> = dirs.iter().map(tempfile::TempDir::path).collect();
    let first = cycle(&paths);
    if let Some(url) = database {
        make_every_feed_due(url);
    }
    let second = cycle(&paths);
    println!(
        "{label:<28} first cycle {:>7.2} s   second {:>7.2} s",
        first.as_secs_f64(),
        second.as_secs_f64()
    );
    (first, second)
}

fn main() {
    let feeds = feeds::count();
    let farm = Farm::start();
    serve(&farm, feeds);
    // One farm stands in for many hosts: the per-host limit is lifted to the global one.
    let config = (0..feeds)
        .fold(
            FeedsToml::new()
                .set("concurrency", CONCURRENCY)
                .set("per_host", CONCURRENCY),
            |config, feed| config.feed(&farm.url(&format!("/feed/{feed}.xml")), &[]),
        )
        .to_string();
    println!("bench nodes: {feeds} feeds × {ITEMS_PER_FEED} items");
    let sqlite = run("SQLite, 1 node", &config, None, 1);
    let one = run(
        "PostgreSQL, 1 node",
        &config,
        Some(&testkit::postgres::database()),
        1,
    );
    let three = run(
        "PostgreSQL, 3 nodes",
        &config,
        Some(&testkit::postgres::database()),
        3,
    );
    let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64();
    println!(
        "PostgreSQL / SQLite, 1 node:  first {:.2}×  second {:.2}×",
        ratio(one.0, sqlite.0),
        ratio(one.1, sqlite.1)
    );
    println!(
        "3 nodes / 1 node, PostgreSQL: first {:.2}×  second {:.2}×  (2 cores: ~1× means leasing costs little)",
        ratio(three.0, one.0),
        ratio(three.1, one.1)
    );
}
