//! What the daemon observed, for `/metrics` (Prometheus) and `/status`: the server reads it as
//! [`Observations`].
//!
//! One [`Metrics`] is made by the daemon and shared with the server: the daemon records each cycle
//! and publish, the server only reads. The daemon passes in the times it observed, so this module
//! never reads the clock itself.

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use chrono::{DateTime, Utc};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use super::CycleReport;
use crate::model::{CycleSummary, SectionCount, SectionEdition};
use crate::serve::Observations;

/// Label sets: `[(name, value)]`.
type Labels = Vec<(&'static str, String)>;

/// The instruments, the registry that exports them, and the last cycle and publish as `/status`
/// shows them.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    fetches: Family<Labels, Counter>,
    cycle_duration: Histogram,
    last_cycle_time: Gauge,
    items_stored: Counter,
    publish_duration: Histogram,
    section_items: Family<Labels, Gauge>,
    /// Digests sent; the digest stage counts them here.
    pub digests_sent: Counter,
    recent: Mutex<Recent>,
}

/// The latest observations, kept whole for `/status`.
#[derive(Debug, Default, Clone)]
struct Recent {
    cycle: Option<CycleSummary>,
    sections: Vec<SectionCount>,
}

impl Default for Metrics {
    fn default() -> Metrics {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("gazette");
        let fetches = Family::<Labels, Counter>::default();
        // Cycles last from well under a second (all 304s) to minutes (slow servers and timeouts).
        let cycle_duration = Histogram::new(exponential_buckets(0.25, 2.0, 12));
        let last_cycle_time = Gauge::default();
        let items_stored = Counter::default();
        let publish_duration = Histogram::new(exponential_buckets(0.005, 2.0, 12));
        let section_items = Family::<Labels, Gauge>::default();
        let digests_sent = Counter::default();
        registry.register(
            "fetches",
            "Feed fetches, by HTTP status (`error` when no response came)",
            fetches.clone(),
        );
        registry.register(
            "cycle_duration_seconds",
            "How long one polling cycle took",
            cycle_duration.clone(),
        );
        registry.register(
            "last_cycle_timestamp_seconds",
            "When the last polling cycle ended (Unix time)",
            last_cycle_time.clone(),
        );
        registry.register(
            "items_stored",
            "New items saved to the store",
            items_stored.clone(),
        );
        registry.register(
            "publish_duration_seconds",
            "How long one publish (merge and write) took",
            publish_duration.clone(),
        );
        registry.register(
            "section_items",
            "Items in the last published feed of each section",
            section_items.clone(),
        );
        registry.register("digests_sent", "Digests sent", digests_sent.clone());
        Metrics {
            registry,
            fetches,
            cycle_duration,
            last_cycle_time,
            items_stored,
            publish_duration,
            section_items,
            digests_sent,
            recent: Mutex::default(),
        }
    }

    /// Records a cycle that ended at `finished`.
    pub fn record_cycle(&self, report: &CycleReport, finished: DateTime<Utc>) {
        for feed in &report.feeds {
            let status = feed
                .status
                .map_or_else(|| "error".to_owned(), |code| code.to_string());
            self.fetches.get_or_create(&vec![("status", status)]).inc();
        }
        let new_items = report.feeds.iter().map(|feed| feed.saved.new).sum();
        self.items_stored.inc_by(new_items as u64);
        self.cycle_duration.observe(report.duration.as_secs_f64());
        self.last_cycle_time.set(finished.timestamp());
        self.recent().cycle = Some(CycleSummary {
            finished,
            duration_seconds: report.duration.as_secs_f64(),
            feeds: report.feeds.len(),
            failed: report.failures(),
            new_items,
        });
    }

    /// Records a publish of these sections that took `duration`.
    pub fn record_publish(&self, sections: &[SectionEdition], duration: Duration) {
        self.publish_duration.observe(duration.as_secs_f64());
        let sections: Vec<SectionCount> = sections
            .iter()
            .map(|section| SectionCount {
                id: section.id.clone(),
                title: section.title.clone(),
                items: section.items.len(),
            })
            .collect();
        // Sections removed by a config reload must not linger in the export.
        self.section_items.clear();
        for section in &sections {
            let count = i64::try_from(section.items).unwrap_or(i64::MAX);
            self.section_items
                .get_or_create(&vec![("section", section.id.clone())])
                .set(count);
        }
        self.recent().sections = sections;
    }

    fn recent(&self) -> MutexGuard<'_, Recent> {
        // `Recent` is replaced field by field, so a panic elsewhere cannot leave it torn.
        self.recent.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Observations for Metrics {
    fn last_cycle(&self) -> Option<CycleSummary> {
        self.recent().cycle.clone()
    }

    fn sections(&self) -> Vec<SectionCount> {
        self.recent().sections.clone()
    }

    fn encode(&self) -> String {
        let mut text = String::new();
        // Writing to a `String` cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::daemon::FeedReport;
    use crate::store::SaveStats;

    fn feed(status: Option<u16>, new: usize) -> FeedReport {
        FeedReport {
            url: "https://example.com/rss".to_owned(),
            name: "example".to_owned(),
            status,
            saved: SaveStats { new, updated: 0 },
            error: status.is_none().then(|| "timed out".to_owned()),
        }
    }

    #[test]
    fn cycles_count_fetches_by_status_and_new_items() {
        let metrics = Metrics::new();
        let report = CycleReport {
            feeds: vec![feed(Some(200), 3), feed(Some(304), 0), feed(None, 0)],
            duration: Duration::from_millis(1500),
        };
        let finished = DateTime::from_timestamp(1_770_000_000, 0).unwrap_or_default();
        metrics.record_cycle(&report, finished);
        metrics.record_cycle(&report, finished);
        let text = metrics.encode();
        for line in [
            "gazette_fetches_total{status=\"200\"} 2",
            "gazette_fetches_total{status=\"304\"} 2",
            "gazette_fetches_total{status=\"error\"} 2",
            "gazette_items_stored_total 6",
            "gazette_cycle_duration_seconds_count 2",
            "gazette_last_cycle_timestamp_seconds 1770000000",
            "gazette_digests_sent_total 0",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} missing in\n{text}");
        }
        let cycle = metrics.last_cycle();
        assert_eq!(
            cycle.map(|c| (c.feeds, c.failed, c.new_items)),
            Some((3, 1, 3))
        );
    }

    #[test]
    fn a_publish_replaces_the_section_counts() {
        let metrics = Metrics::new();
        let edition = |ids: &[&str]| -> Vec<SectionEdition> {
            ids.iter()
                .map(|id| SectionEdition {
                    id: (*id).to_owned(),
                    title: id.to_uppercase(),
                    items: vec![],
                })
                .collect()
        };
        metrics.record_publish(&edition(&["all", "politics"]), Duration::from_millis(20));
        metrics.record_publish(&edition(&["all"]), Duration::from_millis(20));
        let text = metrics.encode();
        assert!(
            text.contains("gazette_section_items{section=\"all\"} 0"),
            "{text}"
        );
        assert!(!text.contains("politics"), "{text}");
        assert_eq!(metrics.sections().len(), 1);
        assert!(text.contains("gazette_publish_duration_seconds_count 2"));
    }
}
