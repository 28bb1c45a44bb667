//! merge + publish of a large store: 100,000 items from 500 feeds in 10 sections over six days,
//! about 5% of them another paper's copy of a story. `publish/first` writes every file; `publish/again` is the
//! next cycle with nothing new, which must write nothing.
//!
//! Before those, the growth table: merge of a day's items at 10,000 and 100,000 items whose titles
//! share most of their words (a 20-word vocabulary, as ticker, weather and council-agenda feeds
//! are) and whose words have realistic frequencies (Zipf over 5,000 words), with the growth
//! exponent between the sizes (1.0 is linear, 2.0 quadratic).

use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

use chrono::{DateTime, TimeDelta, Utc};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use gazette::config::Config;
use gazette::merge::merge;
use gazette::model::StoredItem;
use gazette::publish::Publisher;
use testkit::FeedsToml;
use testkit::text::{mix, sentence};

const ITEMS: usize = 100_000;
const FEEDS: usize = 500;
const SECTIONS: usize = 10;

fn config(output: &Path) -> Config {
    let mut config = FeedsToml::bare()
        .set("base_url", "https://gazette.example/")
        .set("output_dir", output.display().to_string());
    for section in 0..SECTIONS {
        config = config.section(&format!("s{section}"), &format!("섹션 {section}"));
    }
    for feed in 0..FEEDS {
        config = config
            .feed(
                &format!("https://paper{feed}.example/rss"),
                &[&format!("s{}", feed % SECTIONS)],
            )
            .with("name", format!("신문 {feed}"));
    }
    let config = config.edition("daejeon", "대전", &["신문 0", "신문 1", "신문 2"]);
    Config::parse(&config.to_string(), Path::new("feeds.toml")).unwrap()
}

/// Titles and ledes of six and twenty words; every 20th item retells the story of the one
/// before it in another paper, with a `[속보]` tag.
fn items(now: DateTime<Utc>) -> Vec<StoredItem> {
    (0..ITEMS)
        .map(|n| {
            let story = if n % 20 == 19 { n - 1 } else { n } as u64;
            let feed = n % FEEDS;
            let tag = if story as usize == n { "" } else { "[속보] " };
            let title = format!("{tag}{} {}억 원", sentence(story, 6), story % 977);
            let date = now - TimeDelta::seconds((n as i64) * 5);
            let mut item = StoredItem::sample(
                &format!("https://paper{feed}.example/rss"),
                &format!("https://paper{feed}.example/news/{n}"),
                date,
            )
            .with_title(title)
            .with_link(format!(
                "https://paper{feed}.example/news/{n}?utm_source=rss"
            ))
            .with_summary(format!("{}.", sentence(story + 1_000_000, 20)));
            item.item.image = (n % 7 == 0).then(|| format!("https://paper{feed}.example/{n}.jpg"));
            item
        })
        .collect()
}

/// How the words of the growth inputs are drawn.
#[derive(Clone, Copy, Debug)]
enum Vocabulary {
    /// 20 words, each as likely: titles share most of their words.
    Shared,
    /// 5,000 words with Zipf frequencies: a few in a large share of titles, most rare.
    Zipf,
}

impl Vocabulary {
    fn name(self) -> &'static str {
        match self {
            Vocabulary::Shared => "shared words (20)",
            Vocabulary::Zipf => "realistic (Zipf, 5,000)",
        }
    }

    /// The words, and the cumulative weight of each (the last is the total).
    fn words(self) -> (Vec<String>, Vec<f64>) {
        let size: u64 = match self {
            Vocabulary::Shared => 20,
            Vocabulary::Zipf => 5_000,
        };
        let words: Vec<String> = (0..size)
            .map(|rank| {
                let syllable = |i: u64| {
                    let n = mix(rank * 7 + i + 1) % 600;
                    char::from_u32(0xAC00 + (n * 18) as u32).unwrap_or('가')
                };
                (0..2 + rank % 2).map(syllable).collect()
            })
            .collect();
        let mut total = 0.0;
        let cumulative = (1..=size)
            .map(|rank| {
                total += match self {
                    Vocabulary::Shared => 1.0,
                    Vocabulary::Zipf => 1.0 / rank as f64,
                };
                total
            })
            .collect();
        (words, cumulative)
    }
}

/// `count` items over one day from the bench's feeds, titles of 8 words and ledes of 20 drawn
/// from `vocabulary`; every 20th item retells the one before it in another paper, with a tag.
fn day_of(vocabulary: Vocabulary, count: usize, now: DateTime<Utc>) -> Vec<StoredItem> {
    let (words, cumulative) = vocabulary.words();
    let total = cumulative.last().copied().unwrap_or(1.0);
    let draw = |seed: u64| {
        let x = (mix(seed) % 1_000_000_007) as f64 / 1_000_000_007.0 * total;
        let at = cumulative.partition_point(|&c| c < x).min(words.len() - 1);
        words[at].as_str()
    };
    let text = |seed: u64, len: u64| -> String {
        (0..len)
            .map(|i| draw(seed * 101 + i))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let spacing = 86_400_000 / count as i64;
    (0..count)
        .map(|n| {
            let story = if n % 20 == 19 { n - 1 } else { n } as u64;
            let feed = n % FEEDS;
            let tag = if story as usize == n { "" } else { "[속보] " };
            let date = now - TimeDelta::milliseconds(n as i64 * spacing);
            StoredItem::sample(
                &format!("https://paper{feed}.example/rss"),
                &format!("https://paper{feed}.example/news/{n}"),
                date,
            )
            .with_title(format!("{tag}{}", text(story, 8)))
            .with_link(format!("https://paper{feed}.example/news/{n}"))
            .with_summary(format!("{}.", text(story + 5_000_000, 20)))
        })
        .collect()
}

/// The median of three timed merges of `items`.
fn median_merge(config: &Config, items: &[StoredItem], now: DateTime<Utc>) -> f64 {
    let mut times: Vec<f64> = (0..3)
        .map(|_| {
            let input = items.to_vec();
            let start = Instant::now();
            black_box(merge(config, input, now));
            start.elapsed().as_secs_f64()
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[1]
}

/// Prints merge's time at 10k and 100k items of each vocabulary and the growth exponent
/// between them, next to the targets.
fn growth(config: &Config, now: DateTime<Utc>) {
    println!("\nmerge growth, one day of items (median of 3):");
    println!(
        "{:<26} {:>9} {:>9} {:>9} {:>8}",
        "input", "10k", "100k", "exponent", "target"
    );
    // MERGE_GROWTH=shared or =zipf runs one input only, e.g. under a profiler.
    let only = std::env::var("MERGE_GROWTH").unwrap_or_default();
    for (vocabulary, target) in [(Vocabulary::Shared, 2.0), (Vocabulary::Zipf, 1.0)] {
        let name = format!("{vocabulary:?}").to_lowercase();
        if !only.is_empty() && only != name {
            continue;
        }
        let small = median_merge(config, &day_of(vocabulary, 10_000, now), now);
        let large = median_merge(config, &day_of(vocabulary, 100_000, now), now);
        let exponent = (large / small).log10();
        println!(
            "{:<26} {:>7.3} s {:>7.3} s {:>9.2} {:>8}",
            vocabulary.name(),
            small,
            large,
            exponent,
            format!("≤{target} s, ≤1.2"),
        );
    }
    println!();
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path());
    let now: DateTime<Utc> = "2026-11-02T08:00:00Z".parse().unwrap();
    let stored = items(now);
    let publisher = Publisher::new(&config.gazette);
    growth(&config, now);

    let mut group = c.benchmark_group("merge");
    group.sample_size(10);
    // The store's items are copied for each run outside the timing: merge takes them by value,
    // as the daemon hands over what it read.
    let input = || stored.clone();
    group.bench_function("merge 100k", |b| {
        b.iter_batched(
            input,
            |items| black_box(merge(&config, items, now)),
            BatchSize::LargeInput,
        )
    });
    group.bench_function("merge + publish 100k, first", |b| {
        b.iter_batched(
            || {
                let _ = std::fs::remove_dir_all(dir.path());
                input()
            },
            |items| {
                let edition = merge(&config, items, now);
                let report = publisher.publish(&edition).unwrap();
                assert!(!report.files.is_empty());
            },
            BatchSize::LargeInput,
        )
    });
    // The output of the same edition is already there, even when this case runs alone.
    publisher.publish(&merge(&config, input(), now)).unwrap();
    group.bench_function("merge + publish 100k, unchanged", |b| {
        b.iter_batched(
            input,
            |items| {
                let edition = merge(&config, items, now);
                let report = publisher.publish(&edition).unwrap();
                assert!(report.files.is_empty(), "{:?}", report.files);
                assert!(report.removed.is_empty(), "{:?}", report.removed);
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
