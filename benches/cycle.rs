//! `cargo bench --bench cycle`: a full `gazette once` over 10,000 local feeds beside a bare
//! concurrent reqwest GET loop over the same URLs (what the requests alone cost), then the cycle's
//! own profile: each stage run alone over the same feeds, with its share. Prints wall times, peak
//! memory and the ratios targets are set for:
//!
//! - peak RSS ≤ 200 MiB,
//! - second cycle (a third changed, a third 304, a third unchanged 200) ≤ 0.3× the first.
//!
//! `GAZETTE_BENCH_FEEDS=1000 cargo bench --bench cycle` runs a smaller farm.
//! `GAZETTE_BASELINE=path/to/gazette` runs another build's two cycles on the same feeds after this
//! one's and prints its figures and the ratios beside; `GAZETTE_BENCH_INSTRUCTIONS=1` runs each
//! `gazette once` under valgrind's cachegrind and counts instructions, which a busy machine does
//! not change as it changes times.

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
    /// Instructions, when counted (under cachegrind: wall, CPU and memory are then valgrind's).
    instructions: Option<u64>,
}

impl Run {
    fn print(&self, label: &str) {
        let instructions = self
            .instructions
            .map(|count| format!("   {:.1} M instructions", count as f64 / 1e6))
            .unwrap_or_default();
        println!(
            "gazette once, {label} {:>8.2} s   CPU {:.2} s   peak RSS so far {:.0} MiB{instructions}",
            self.wall.as_secs_f64(),
            self.cpu.as_secs_f64(),
            self.peak_rss_kib as f64 / 1024.0
        );
    }
}

/// The gazette to run, and whether to count its instructions.
struct Gazette {
    binary: std::path::PathBuf,
    count_instructions: bool,
}

impl Gazette {
    /// Runs `gazette once`.
    fn once(&self, dir: &std::path::Path) -> Run {
        let counts = dir.join("cachegrind.out");
        let mut command = match self.count_instructions {
            true => {
                let mut valgrind = std::process::Command::new("valgrind");
                valgrind
                    .args([
                        "--tool=cachegrind",
                        "--cache-sim=no",
                        "--log-file=/dev/null",
                    ])
                    .arg(format!("--cachegrind-out-file={}", counts.display()))
                    .arg(&self.binary);
                valgrind
            }
            false => std::process::Command::new(&self.binary),
        };
        let cpu_before = children_usage().0;
        let started = Instant::now();
        let status = command
            .args(["once", "--config"])
            .arg(dir.join("feeds.toml"))
            .env("GAZETTE_LOG", "gazette=info")
            .stdout(std::process::Stdio::null())
            .status()
            .expect("run gazette (and valgrind, if counting instructions)");
        let wall = started.elapsed();
        assert!(status.success(), "gazette once failed");
        let (cpu, peak_rss_kib) = children_usage();
        let instructions = self.count_instructions.then(|| {
            let counts = std::fs::read_to_string(&counts).expect("cachegrind's counts");
            counts
                .lines()
                .find_map(|line| line.strip_prefix("summary: "))
                .and_then(|total| total.trim().parse().ok())
                .expect("cachegrind's summary line")
        });
        Run {
            wall,
            cpu: cpu - cpu_before,
            peak_rss_kib,
            instructions,
        }
    }

    /// A first cycle on a fresh store in `dir`, then a second after the feeds change.
    fn two_cycles(&self, farm: &Farm, feeds: usize, dir: &std::path::Path) -> (Run, Run) {
        serve_generation(farm, feeds, 0);
        let first = self.once(dir);
        first.print("first cycle:  ");
        serve_generation(farm, feeds, 1);
        let second = self.once(dir);
        second.print("second cycle: ");
        (first, second)
    }
}

/// How `run` compares with `baseline`, in what both measured.
fn ratio(label: &str, run: &Run, baseline: &Run) {
    let cpu = run.cpu.as_secs_f64() / baseline.cpu.as_secs_f64();
    let instructions = match (run.instructions, baseline.instructions) {
        (Some(run), Some(baseline)) => {
            format!("   instructions {:.3}×", run as f64 / baseline as f64)
        }
        _ => String::new(),
    };
    println!("{label} this build / baseline: CPU {cpu:.3}×{instructions}");
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
    let feeds = feeds::count();
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
    let count_instructions = std::env::var_os("GAZETTE_BENCH_INSTRUCTIONS").is_some();
    let gazette = Gazette {
        binary: env!("CARGO_BIN_EXE_gazette").into(),
        count_instructions,
    };
    let (first, second) = gazette.two_cycles(&farm, feeds, dir.path());
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
    if let Some(binary) = std::env::var_os("GAZETTE_BASELINE") {
        let baseline = Gazette {
            binary: binary.into(),
            count_instructions,
        };
        let baseline_dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(baseline_dir.path().join("feeds.toml"), &config).expect("write config");
        println!("baseline {}:", baseline.binary.display());
        let (base_first, base_second) = baseline.two_cycles(&farm, feeds, baseline_dir.path());
        ratio("first cycle: ", &first, &base_first);
        ratio("second cycle:", &second, &base_second);
    }
    serve_generation(&farm, feeds, 0);
    let profile_dir = dir.path().join("profile");
    std::fs::create_dir(&profile_dir).expect("profile dir");
    profile::print(&config, &profile_dir, CONCURRENCY as usize);
}
