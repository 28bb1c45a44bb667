//! merge + publish of a large store: 100,000 items from 500 feeds in 10 sections over six days,
//! about 5% of them another paper's copy of a story. `publish/first` writes every file; `publish/again` is the
//! next cycle with nothing new, which must write nothing.

use std::hint::black_box;
use std::path::Path;

use chrono::{DateTime, TimeDelta, Utc};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use gazette::config::Config;
use gazette::merge::merge;
use gazette::model::StoredItem;
use gazette::publish::Publisher;
use testkit::FeedsToml;
use testkit::text::sentence;

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

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path());
    let now: DateTime<Utc> = "2026-11-02T08:00:00Z".parse().unwrap();
    let stored = items(now);
    let publisher = Publisher::new(&config.gazette);

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
