//! `cargo bench --bench cycle`: a full `gazette once` over 10,000 local feeds beside a bare
//! concurrent reqwest GET loop over the same URLs (what the requests alone cost), then the cycle's
//! own profile: each stage run alone over the same feeds, with its share. Prints wall times, peak
//! memory and the ratios targets are set for:
//!
//! - peak RSS ≤ 200 MiB,
//! - second cycle (a third changed, a third 304, a third unchanged 200) ≤ 0.3× the first.
//!
//! `GAZETTE_BENCH_FEEDS=1000 cargo bench --bench cycle` runs a smaller farm.

#[path = "common/feeds.rs"]
mod feeds;
#[path = "cycle/profile.rs"]
mod profile;

use std::time::{Duration, Instant};

use feeds::{ITEMS_PER_FEED, feed_body};
use futures_util::StreamExt;
use testkit::{Farm, FeedsToml, Route};

/// Concurrent requests, for gazette and the floor alike.
const CONCURRENCY: u32 = 64;

/// Serves every feed; in `generation` 1, a third change, a third answer 304, a third send the
/// same body again.
fn serve_generation(farm: &Farm, feeds: usize, generation: usize) {
    for feed in 0..feeds {
        let changed = generation > 0 && feed % 3 == 0;
        let body = feed_body(feed, usize::from(changed) * generation);
        let route = Route::rss(body);
        let route = if feed % 3 == 1 {
            route.with_etag(&format!("\"{feed}\""))
        } else {
            route
        };
        farm.set(&format!("/feed/{feed}.xml"), route);
    }
}

/// The floor: every URL fetched once, bodies read, at the same concurrency.
fn floor(urls: &[String]) -> Duration {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let client = reqwest::Client::new();
        let started = Instant::now();
        futures_util::stream::iter(urls)
            .map(|url| {
                let client = client.clone();
                async move {
                    if let Ok(response) = client.get(url).send().await {
                        let _ = response.bytes().await;
                    }
                }
            })
            .buffer_unordered(CONCURRENCY as usize)
            .collect::<Vec<()>>()
            .await;
        started.elapsed()
    })
}

/// What one `gazette once` cost.
struct Run {
    wall: Duration,
    /// User and system time: on a shared machine, steadier than the wall time.
    cpu: Duration,
    /// Peak RSS of any run so far, in KiB.
    peak_rss_kib: u64,
}

impl Run {
    fn print(&self, label: &str) {
        println!(
            "gazette once, {label} {:>8.2} s   CPU {:.2} s   peak RSS so far {:.0} MiB",
            self.wall.as_secs_f64(),
            self.cpu.as_secs_f64(),
            self.peak_rss_kib as f64 / 1024.0
        );
    }
}

/// Runs `gazette once`.
fn once(dir: &std::path::Path) -> Run {
    let cpu_before = children_usage().0;
    let started = Instant::now();
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_gazette"))
        .args(["once", "--config"])
        .arg(dir.join("feeds.toml"))
        .env("GAZETTE_LOG", "gazette=info")
        .stdout(std::process::Stdio::null())
        .status()
        .expect("run gazette");
    let wall = started.elapsed();
    assert!(status.success(), "gazette once failed");
    let (cpu, peak_rss_kib) = children_usage();
    Run {
        wall,
        cpu: cpu - cpu_before,
        peak_rss_kib,
    }
}

/// The CPU time of every child so far, and the largest resident set of any (Linux reports KiB).
fn children_usage() -> (Duration, u64) {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage fills the struct it is given; RUSAGE_CHILDREN is a valid target.
    let usage = unsafe {
        libc::getrusage(libc::RUSAGE_CHILDREN, usage.as_mut_ptr());
        usage.assume_init()
    };
    let time = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec.unsigned_abs())
            + Duration::from_micros(t.tv_usec.unsigned_abs())
    };
    (
        time(usage.ru_utime) + time(usage.ru_stime),
        u64::try_from(usage.ru_maxrss).unwrap_or(0),
    )
}

fn main() {
    let feeds: usize = std::env::var("GAZETTE_BENCH_FEEDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000);
    let farm = Farm::start();
    serve_generation(&farm, feeds, 0);
    let urls: Vec<String> = (0..feeds)
        .map(|f| farm.url(&format!("/feed/{f}.xml")))
        .collect();
    let dir = tempfile::tempdir().expect("tempdir");
    // One farm stands in for many hosts: the per-host limit is lifted to the global one.
    let config = FeedsToml::new()
        .set("concurrency", CONCURRENCY)
        .set("per_host", CONCURRENCY);
    let config = urls
        .iter()
        .fold(config, |config, url| config.feed(url, &[]))
        .to_string();
    std::fs::write(dir.path().join("feeds.toml"), &config).expect("write config");

    println!(
        "bench cycle: {feeds} feeds × {ITEMS_PER_FEED} items on {}",
        farm.url("/")
    );
    let floor_time = floor(&urls);
    println!(
        "floor (bare reqwest GET loop): {:>8.2} s",
        floor_time.as_secs_f64()
    );
    let first = once(dir.path());
    first.print("first cycle:  ");
    serve_generation(&farm, feeds, 1);
    let second = once(dir.path());
    second.print("second cycle: ");
    let first_ratio = first.wall.as_secs_f64() / floor_time.as_secs_f64();
    let second_ratio = second.wall.as_secs_f64() / first.wall.as_secs_f64();
    println!(
        "first / floor:  {first_ratio:.2}×  (the cycle parses and stores, a GET loop does not)"
    );
    println!("second / first: {second_ratio:.2}×  (target ≤ 0.3×)");
    println!(
        "peak RSS:       {:.0} MiB (target ≤ 200 MiB)",
        second.peak_rss_kib as f64 / 1024.0
    );
    serve_generation(&farm, feeds, 0);
    let profile_dir = dir.path().join("profile");
    std::fs::create_dir(&profile_dir).expect("profile dir");
    profile::print(&config, &profile_dir, CONCURRENCY as usize);
}
