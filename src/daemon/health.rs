//! Which changes of a feed's state a poll saw, for the health feed: a pure function of the state
//! before and after the poll, what its body told of the feed's dates, the feed's watch and `now`,
//! so that every change can be tested with an injected clock.
//!
//! - **Failing**: the first failed poll after a success (a scrape that found nothing is its own
//!   kind), with the error and the next try; **recovered**: the first success after failures.
//! - **Moved**, **gone**: when the feed's `moved_to` or 410 record is new.
//! - **Silent**: no item for longer than three times its usual gap (the median gap between its
//!   items, counted as at least its poll interval: gazette cannot see items more often than it
//!   polls); **resumed** when a newer item comes. Judged on successful polls only.
//! - **Future dates**: a body with items dated further ahead than gazette trusts, once until a
//!   body without any.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::model::{Change, FeedDates, HealthEvent, Watch};
use crate::store::{FeedState, HealthRecord};

/// A silence is this many usual gaps without an item.
const SILENT_GAPS: u64 = 3;

/// What one poll saw of a feed.
#[derive(Debug, Clone)]
pub struct Seen<'a> {
    pub at: DateTime<Utc>,
    pub previous: &'a FeedState,
    pub state: &'a FeedState,
    /// The poll failed because the feed's scrape rules found nothing on its page.
    pub scrape_empty: bool,
    /// What the body read told of the feed's dates; `None` when no body was read.
    pub dates: Option<&'a FeedDates>,
    /// The feed's poll interval.
    pub interval: Duration,
}

/// The feed's watch after the poll `seen`, and the changes it saw.
pub fn observe(feed_url: &str, seen: &Seen<'_>, watch: &Watch) -> HealthRecord {
    let (previous, state) = (seen.previous, seen.state);
    let mut next = Watch {
        scrape_empty: seen.scrape_empty,
        ..watch.clone()
    };
    let mut changes = Vec::new();
    if state.gone.is_some() && state.gone != previous.gone {
        changes.push(Change::Gone { location: None });
    } else if state.failures > 0 && previous.failures == 0 {
        let error = state.last_error.clone().unwrap_or_default();
        changes.push(if seen.scrape_empty {
            Change::ScrapeEmpty {
                error,
                next_try: state.next_poll,
            }
        } else {
            Change::Failing {
                error,
                status: state.last_status,
                next_try: state.next_poll,
            }
        });
    }
    if state.failures == 0 && previous.failures > 0 {
        changes.push(Change::Recovered {
            failures: previous.failures,
            last_success: previous.last_success,
        });
    }
    if let Some(to) = state
        .moved_to
        .as_ref()
        .filter(|to| previous.moved_to.as_ref() != Some(*to))
    {
        changes.push(Change::Moved {
            to: to.clone(),
            location: None,
        });
    }
    if let Some(dates) = seen.dates {
        next.newest_item = next.newest_item.max(dates.newest);
        if dates.usual_gap.is_some() {
            next.usual_gap = dates.usual_gap;
        }
        let ahead = dates.ahead > 0;
        if let (true, false, Some(latest)) = (ahead, watch.future, dates.latest_ahead) {
            changes.push(Change::FutureDates {
                count: dates.ahead,
                latest,
            });
        }
        next.future = ahead;
    }
    if state.failures == 0
        && let (Some(newest_item), Some(gap)) = (next.newest_item, next.usual_gap)
    {
        let usual = gap.max(seen.interval.as_secs());
        let quiet = u64::try_from((seen.at - newest_item).num_seconds()).unwrap_or(0);
        let silent = quiet > usual.saturating_mul(SILENT_GAPS);
        if silent && !watch.silent {
            changes.push(Change::Silent {
                newest_item,
                usual_gap: usual,
            });
        } else if !silent && watch.silent {
            changes.push(Change::Resumed { newest_item });
        }
        next.silent = silent;
    }
    HealthRecord {
        watch: next,
        events: changes
            .into_iter()
            .map(|change| HealthEvent {
                feed_url: feed_url.to_owned(),
                at: seen.at,
                change,
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;

    use super::*;

    const URL: &str = "https://a.example/rss";
    const FIFTEEN_MINUTES: Duration = Duration::from_secs(15 * 60);

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn kinds(record: &HealthRecord) -> Vec<&'static str> {
        record.events.iter().map(|e| e.change.kind()).collect()
    }

    fn seen<'a>(
        previous: &'a FeedState,
        state: &'a FeedState,
        dates: Option<&'a FeedDates>,
    ) -> Seen<'a> {
        Seen {
            at: at("2026-01-11T12:00:00Z"),
            previous,
            state,
            scrape_empty: false,
            dates,
            interval: FIFTEEN_MINUTES,
        }
    }

    fn failing(failures: u32) -> FeedState {
        FeedState {
            failures,
            last_status: Some(500),
            last_error: Some("HTTP 500".into()),
            next_poll: Some(at("2026-01-11T12:30:00Z")),
            ..FeedState::default()
        }
    }

    #[test]
    fn failing_once_then_recovered_once() {
        let ok = FeedState::default();
        let (one, two) = (failing(1), failing(2));
        let record = observe(URL, &seen(&ok, &one, None), &Watch::default());
        assert_eq!(
            record.events[0].change,
            Change::Failing {
                error: "HTTP 500".into(),
                status: Some(500),
                next_try: Some(at("2026-01-11T12:30:00Z")),
            }
        );
        assert!(
            observe(URL, &seen(&one, &two, None), &Watch::default())
                .events
                .is_empty()
        );
        let record = observe(URL, &seen(&two, &ok, None), &Watch::default());
        assert_eq!(kinds(&record), ["recovered"]);
        let scrape = Seen {
            scrape_empty: true,
            ..seen(&ok, &one, None)
        };
        assert_eq!(
            kinds(&observe(URL, &scrape, &Watch::default())),
            ["scrape-empty"]
        );
    }

    #[test]
    fn gone_and_moved_are_reported_when_new() {
        let ok = FeedState::default();
        let gone = FeedState {
            gone: Some("entry".into()),
            ..failing(1)
        };
        assert_eq!(
            kinds(&observe(URL, &seen(&ok, &gone, None), &Watch::default())),
            ["gone"]
        );
        let moved = FeedState {
            moved_to: Some("https://b.example/rss".into()),
            ..ok.clone()
        };
        assert_eq!(
            kinds(&observe(URL, &seen(&ok, &moved, None), &Watch::default())),
            ["moved"]
        );
        assert!(
            observe(URL, &seen(&moved, &moved, None), &Watch::default())
                .events
                .is_empty()
        );
    }

    #[test]
    fn silence_is_three_usual_gaps_and_ends_with_a_newer_item() {
        let ok = FeedState::default();
        let now = at("2026-01-11T12:00:00Z");
        let hourly = FeedDates {
            newest: Some(now - TimeDelta::hours(4)),
            usual_gap: Some(3600),
            ..FeedDates::default()
        };
        let record = observe(URL, &seen(&ok, &ok, Some(&hourly)), &Watch::default());
        assert_eq!(
            record.events[0].change,
            Change::Silent {
                newest_item: now - TimeDelta::hours(4),
                usual_gap: 3600
            }
        );
        assert!(record.watch.silent);
        // Still silent on a 304: nothing new to say.
        assert!(
            observe(URL, &seen(&ok, &ok, None), &record.watch)
                .events
                .is_empty()
        );
        let fresh = FeedDates {
            newest: Some(now - TimeDelta::minutes(5)),
            ..hourly.clone()
        };
        let resumed = observe(URL, &seen(&ok, &ok, Some(&fresh)), &record.watch);
        assert_eq!(kinds(&resumed), ["resumed"]);
        assert!(!resumed.watch.silent);
        // Two hours quiet is within three gaps; polled daily, a day's quiet is too.
        let recent = FeedDates {
            newest: Some(now - TimeDelta::hours(2)),
            ..hourly
        };
        assert!(
            observe(URL, &seen(&ok, &ok, Some(&recent)), &Watch::default())
                .events
                .is_empty()
        );
        let daily = Seen {
            interval: Duration::from_secs(86_400),
            ..seen(&ok, &ok, Some(&recent))
        };
        assert!(observe(URL, &daily, &Watch::default()).events.is_empty());
    }

    #[test]
    fn future_dates_are_reported_once() {
        let ok = FeedState::default();
        let latest = at("2026-01-20T00:00:00Z");
        let ahead = FeedDates {
            ahead: 2,
            latest_ahead: Some(latest),
            ..FeedDates::default()
        };
        let record = observe(URL, &seen(&ok, &ok, Some(&ahead)), &Watch::default());
        assert_eq!(
            record.events[0].change,
            Change::FutureDates { count: 2, latest }
        );
        assert!(
            observe(URL, &seen(&ok, &ok, Some(&ahead)), &record.watch)
                .events
                .is_empty()
        );
        let fixed = observe(
            URL,
            &seen(&ok, &ok, Some(&FeedDates::default())),
            &record.watch,
        );
        assert!(!fixed.watch.future);
    }
}
