//! The generated feeds the cycle and nodes benches poll: the same shape in both, so their figures
//! compare.

use testkit::text::sentence;
use testkit::{TestItem, rss};

/// Items in each generated feed.
pub const ITEMS_PER_FEED: usize = 20;

/// How many feeds to serve: `GAZETTE_BENCH_FEEDS`, else 10,000.
pub fn count() -> usize {
    std::env::var("GAZETTE_BENCH_FEEDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000)
}

/// Feed number `feed` as served in `generation` (a new generation changes every item).
pub fn feed_body(feed: usize, generation: usize) -> String {
    let items: Vec<TestItem> = (0..ITEMS_PER_FEED)
        .map(|n| {
            let id = format!("f{feed}-g{generation}-{n}");
            // Diverse headlines, as real feeds have: a story per feed, item and generation.
            let story = ((feed * ITEMS_PER_FEED + n) * 4 + generation) as u64;
            TestItem::new(
                &id,
                &sentence(story, 6),
                &format!(
                    "2026-01-{:02}T{:02}:{:02}:00Z",
                    1 + n % 28,
                    n % 24,
                    feed % 60
                ),
            )
        })
        .collect();
    rss(&format!("벤치 피드 {feed}"), &items)
}
