//! When to poll a feed next, and what to remember of a poll: pure functions of the previous state,
//! the poll's result and `now`, so that every schedule can be tested with an injected clock.
//!
//! - Success or 304: the configured interval, stretched (never shortened) by the feed's own `<ttl>`
//!   or `sy:updatePeriod`, and moved past its `<skipHours>` / `<skipDays>`.
//! - Failure (404, 5xx, network, unreadable body): interval × 2^failures, at most 24 h, ±10% jitter so
//!   that feeds failing together do not retry together. The interval counts as at least
//!   [`MIN_INTERVAL`] here, so a failing feed is never retried every cycle.
//!
//! Date arithmetic saturates: however long a wait, it never overflows (and so never panics).
//! - 429 / 503 with Retry-After: not before the server asks.
//! - 410 Gone: never again, until the feed's config entry changes.
//! - Permanent redirects (301/308) to the same place `move_after` polls in a row: the feed moves.

use std::time::Duration;

use chrono::{DateTime, Datelike, TimeDelta, Timelike, Utc};
use sha2::{Digest, Sha256};

use crate::config::MIN_INTERVAL;
use crate::fetch::RetryAfter;
use crate::parse::PollHints;
use crate::store::FeedState;

/// Longest wait after failures.
const MAX_BACKOFF: Duration = Duration::from_secs(24 * 60 * 60);

/// Longest wait a Retry-After may impose: a week, whatever the server says.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(7 * 24 * 60 * 60);

/// What the schedule needs to know of a feed's config.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub interval: Duration,
    pub move_after: usize,
    /// The feed's `FeedConfig::identity`: a Gone feed comes back when its entry changes.
    pub fingerprint: String,
}

/// What one poll found.
#[derive(Debug, Clone, PartialEq)]
pub struct Poll {
    pub at: DateTime<Utc>,
    pub status: Option<u16>,
    pub result: PollResult,
    /// Where every redirect hop was permanent, the URL they led to.
    pub moved_to: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PollResult {
    /// 304, or a 200 whose body is byte for byte the last one.
    Unchanged,
    /// A feed was read.
    Read {
        etag: Option<String>,
        last_modified: Option<String>,
        body_hash: String,
        hints: PollHints,
    },
    Failed {
        error: String,
        retry_after: Option<RetryAfter>,
    },
}

/// The feed's state after `poll`.
pub fn after_poll(previous: &FeedState, poll: &Poll, policy: &Policy, key: &str) -> FeedState {
    let mut state = previous.clone();
    state.last_attempt = Some(poll.at);
    state.last_status = poll.status;
    track_redirects(&mut state, poll.moved_to.as_deref(), policy.move_after);
    match &poll.result {
        PollResult::Unchanged => succeed(&mut state, poll.at, policy, &PollHints::default()),
        PollResult::Read {
            etag,
            last_modified,
            body_hash,
            hints,
        } => {
            state.etag.clone_from(etag);
            state.last_modified.clone_from(last_modified);
            state.body_hash = Some(body_hash.clone());
            succeed(&mut state, poll.at, policy, hints);
        }
        PollResult::Failed { error, retry_after } => {
            state.last_error = Some(error.clone());
            state.failures += 1;
            if poll.status == Some(410) {
                state.gone = Some(policy.fingerprint.clone());
                state.next_poll = None;
                return state;
            }
            let wait = backoff(policy.interval, state.failures, key);
            let mut next = later(poll.at, wait);
            if let Some(retry_after) = retry_after {
                let asked = retry_after
                    .resolve(poll.at)
                    .min(later(poll.at, MAX_RETRY_AFTER));
                next = next.max(asked);
            }
            state.next_poll = Some(next);
        }
    }
    state
}

fn succeed(state: &mut FeedState, at: DateTime<Utc>, policy: &Policy, hints: &PollHints) {
    state.last_error = None;
    state.last_success = Some(at);
    state.failures = 0;
    state.gone = None;
    let interval = hints
        .min_interval
        .map_or(policy.interval, |asked| asked.max(policy.interval));
    state.next_poll = Some(skip_forward(later(at, interval), hints));
}

/// Counts permanent redirects to the same target; at `move_after` in a row the feed moves there.
fn track_redirects(state: &mut FeedState, target: Option<&str>, move_after: usize) {
    match target {
        Some(target) if state.redirect_to.as_deref() == Some(target) => state.redirect_streak += 1,
        Some(target) => {
            state.redirect_to = Some(target.to_owned());
            state.redirect_streak = 1;
        }
        None => {
            state.redirect_to = None;
            state.redirect_streak = 0;
        }
    }
    if state.redirect_streak as usize >= move_after.max(1) {
        // The stored validators stay: they came from the final URL's responses all along.
        state.moved_to = state.redirect_to.take();
        state.redirect_streak = 0;
    }
}

/// interval × 2^failures, capped, with a ±10% jitter that is fixed per feed and failure count.
/// The interval counts as at least [`MIN_INTERVAL`]: backing off from a tiny interval would be
/// no backoff at all.
pub fn backoff(interval: Duration, failures: u32, key: &str) -> Duration {
    let factor = 2u32.saturating_pow(failures.min(20));
    let wait = interval
        .max(MIN_INTERVAL)
        .saturating_mul(factor)
        .min(MAX_BACKOFF);
    wait.mul_f64(1.0 + jitter(key, failures))
}

/// A number in [-0.1, 0.1] derived from the feed and the failure count: spreads retries without
/// making them unpredictable in tests.
fn jitter(key: &str, failures: u32) -> f64 {
    let digest = Sha256::new()
        .chain_update(key.as_bytes())
        .chain_update(failures.to_le_bytes())
        .finalize();
    let sample = u16::from_le_bytes([digest[0], digest[1]]);
    (f64::from(sample) / f64::from(u16::MAX) - 0.5) * 0.2
}

/// Moves `at` forward, hour by hour, out of the hours and days the feed asks us to skip (UTC, as
/// RSS 2.0 defines them).
fn skip_forward(at: DateTime<Utc>, hints: &PollHints) -> DateTime<Utc> {
    let mut next = at;
    // A week of hours is enough to leave any skip pattern; all 168 skipped means "ignore it".
    for _ in 0..168 {
        let skipped =
            hints.skip_hours.contains(&next.hour()) || hints.skip_days.contains(&next.weekday());
        if !skipped {
            return next;
        }
        let hour_later = later(next, Duration::from_secs(3600));
        if hour_later == next {
            // The end of time: there is no later hour to move to.
            return next;
        }
        next = hour_later
            .with_minute(0)
            .and_then(|t| t.with_second(0))
            .unwrap_or(hour_later);
    }
    at
}

/// `duration` after `at`, or the last representable moment when that is further away.
fn later(at: DateTime<Utc>, duration: Duration) -> DateTime<Utc> {
    TimeDelta::from_std(duration)
        .ok()
        .and_then(|delta| at.checked_add_signed(delta))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// Whether a feed is due at `now`. A Gone feed is due again only once its config entry changed.
pub fn is_due(state: Option<&FeedState>, fingerprint: &str, now: DateTime<Utc>) -> bool {
    let Some(state) = state else { return true };
    match &state.gone {
        Some(gone) if gone == fingerprint => false,
        Some(_) => true,
        None => state.next_poll.is_none_or(|next| next <= now),
    }
}

#[cfg(test)]
mod tests {
    use chrono::Weekday;

    use super::*;

    const FIFTEEN_MINUTES: Duration = Duration::from_secs(15 * 60);

    fn policy() -> Policy {
        Policy {
            interval: FIFTEEN_MINUTES,
            move_after: 3,
            fingerprint: "entry-v1".into(),
        }
    }

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn failed(at_: DateTime<Utc>, status: u16, retry_after: Option<RetryAfter>) -> Poll {
        Poll {
            at: at_,
            status: Some(status),
            result: PollResult::Failed {
                error: format!("HTTP {status}"),
                retry_after,
            },
            moved_to: None,
        }
    }

    fn read(at_: DateTime<Utc>, moved_to: Option<&str>, hints: PollHints) -> Poll {
        Poll {
            at: at_,
            status: Some(200),
            result: PollResult::Read {
                etag: Some("\"e\"".into()),
                last_modified: None,
                body_hash: "h".into(),
                hints,
            },
            moved_to: moved_to.map(str::to_owned),
        }
    }

    #[test]
    fn failures_back_off_exponentially_with_bounded_jitter() {
        let mut state = FeedState::default();
        let mut now = at("2026-01-11T00:00:00Z");
        let mut waits = Vec::new();
        for _ in 0..10 {
            state = after_poll(&state, &failed(now, 500, None), &policy(), "feed");
            let next = state.next_poll.unwrap();
            waits.push((next - now).num_seconds());
            now = next;
        }
        for (failures, wait) in (1u32..).zip(&waits) {
            let base = (15 * 60 * 2i64.pow(failures)).min(24 * 3600) as f64;
            let wait = *wait as f64;
            assert!(
                wait >= base * 0.9 - 1.0 && wait <= base * 1.1 + 1.0,
                "{failures}: {wait} vs {base}"
            );
        }
        assert_eq!(state.failures, 10);
        // Deterministic: the same feed and history give the same schedule.
        let again = after_poll(
            &FeedState::default(),
            &failed(at("2026-01-11T00:00:00Z"), 500, None),
            &policy(),
            "feed",
        );
        assert_eq!(
            again.next_poll.unwrap().timestamp() - 1_768_089_600,
            waits[0]
        );
        // A success resets the count and returns to the interval.
        state = after_poll(
            &state,
            &read(now, None, PollHints::default()),
            &policy(),
            "feed",
        );
        assert_eq!(state.failures, 0);
        assert_eq!(state.next_poll, Some(now + TimeDelta::minutes(15)));
        assert_eq!(state.last_error, None);
    }

    #[test]
    fn no_error_but_410_stops_polling_and_a_success_recovers_at_once() {
        let now = at("2026-01-11T00:00:00Z");
        let day = 24 * 3600;
        for status in [401, 403, 404, 429, 500, 502, 503] {
            let mut state = FeedState::default();
            let mut when = now;
            // A year of failures: every one schedules a next try, at most a day (+10%) away.
            for _ in 0..400 {
                state = after_poll(&state, &failed(when, status, None), &policy(), "feed");
                let next = state.next_poll.expect("a failing feed is tried again");
                let wait = (next - when).num_seconds();
                assert!(wait > 0 && wait <= day + day / 10, "{status}: {wait}");
                when = next;
            }
            assert!(is_due(Some(&state), "entry-v1", when));
            let recovered = after_poll(
                &state,
                &read(when, None, PollHints::default()),
                &policy(),
                "feed",
            );
            assert_eq!(recovered.failures, 0);
            assert_eq!(recovered.next_poll, Some(when + TimeDelta::minutes(15)));
        }
    }

    #[test]
    fn huge_waits_saturate_instead_of_overflowing() {
        let huge = Policy {
            interval: Duration::from_secs(300_000 * 365 * 24 * 3600),
            ..policy()
        };
        let now = at("2026-01-11T00:00:00Z");
        let state = after_poll(
            &FeedState::default(),
            &read(now, None, PollHints::default()),
            &huge,
            "feed",
        );
        assert_eq!(state.next_poll, Some(DateTime::<Utc>::MAX_UTC));
        let skipping = PollHints {
            skip_hours: (0..24).collect(),
            ..PollHints::default()
        };
        let state = after_poll(
            &FeedState::default(),
            &read(now, None, skipping),
            &huge,
            "feed",
        );
        assert_eq!(state.next_poll, Some(DateTime::<Utc>::MAX_UTC));
        // A failure backs off at most a day, whatever the interval.
        let state = after_poll(
            &FeedState::default(),
            &failed(now, 500, Some(RetryAfter::Seconds(u64::MAX))),
            &huge,
            "feed",
        );
        assert_eq!(state.next_poll, Some(now + TimeDelta::days(7)));
        let far = RetryAfter::Until(DateTime::<Utc>::MAX_UTC);
        let state = after_poll(
            &state,
            &failed(DateTime::<Utc>::MAX_UTC, 503, Some(far)),
            &huge,
            "feed",
        );
        assert_eq!(state.next_poll, Some(DateTime::<Utc>::MAX_UTC));
    }

    #[test]
    fn a_tiny_interval_still_backs_off() {
        let tiny = Policy {
            interval: Duration::from_millis(1),
            ..policy()
        };
        let mut state = FeedState::default();
        let mut now = at("2026-01-11T00:00:00Z");
        let mut waits = Vec::new();
        for _ in 0..4 {
            state = after_poll(&state, &failed(now, 500, None), &tiny, "feed");
            let next = state.next_poll.unwrap();
            waits.push((next - now).num_seconds());
            now = next;
        }
        for (failures, wait) in (1u32..).zip(&waits) {
            let base = 60.0 * f64::from(2u32.pow(failures));
            let wait = *wait as f64;
            assert!(
                wait >= base * 0.9 - 1.0 && wait <= base * 1.1 + 1.0,
                "{failures}: {wait} vs {base}"
            );
        }
    }

    #[test]
    fn retry_after_is_honoured() {
        let now = at("2026-01-11T00:00:00Z");
        let state = after_poll(
            &FeedState::default(),
            &failed(now, 429, Some(RetryAfter::Seconds(3 * 3600))),
            &policy(),
            "feed",
        );
        assert_eq!(state.next_poll, Some(now + TimeDelta::hours(3)));
        let date = RetryAfter::Until(at("2026-01-12T00:00:00Z"));
        let state = after_poll(
            &FeedState::default(),
            &failed(now, 503, Some(date)),
            &policy(),
            "feed",
        );
        assert_eq!(state.next_poll, Some(at("2026-01-12T00:00:00Z")));
    }

    #[test]
    fn gone_disables_until_the_entry_changes() {
        let now = at("2026-01-11T00:00:00Z");
        let state = after_poll(
            &FeedState::default(),
            &failed(now, 410, None),
            &policy(),
            "feed",
        );
        assert_eq!(state.next_poll, None);
        let later = now + TimeDelta::days(30);
        assert!(!is_due(Some(&state), "entry-v1", later));
        assert!(is_due(Some(&state), "entry-v2", later));
        assert!(is_due(None, "entry-v1", now));
    }

    #[test]
    fn permanent_redirects_move_the_feed_after_three_polls() {
        let mut state = FeedState::default();
        let mut now = at("2026-01-11T00:00:00Z");
        for poll in 1..=3 {
            assert_eq!(state.moved_to, None, "not moved before poll {poll}");
            state = after_poll(
                &state,
                &read(now, Some("https://new.example/rss"), PollHints::default()),
                &policy(),
                "feed",
            );
            now += TimeDelta::minutes(15);
        }
        assert_eq!(state.moved_to.as_deref(), Some("https://new.example/rss"));
        assert_eq!(
            state.etag.as_deref(),
            Some("\"e\""),
            "validators came from the new URL"
        );

        // An interrupted streak starts over.
        let mut state = FeedState::default();
        for target in [
            Some("https://new.example/rss"),
            None,
            Some("https://new.example/rss"),
            Some("https://new.example/rss"),
        ] {
            state = after_poll(
                &state,
                &read(now, target, PollHints::default()),
                &policy(),
                "feed",
            );
        }
        assert_eq!(state.moved_to, None);
    }

    #[test]
    fn feed_hints_only_slow_polling_down() {
        let now = at("2026-01-11T10:00:00Z"); // a Sunday
        let slower = PollHints {
            min_interval: Some(Duration::from_secs(3600)),
            ..PollHints::default()
        };
        let state = after_poll(
            &FeedState::default(),
            &read(now, None, slower),
            &policy(),
            "feed",
        );
        assert_eq!(state.next_poll, Some(now + TimeDelta::hours(1)));
        let faster = PollHints {
            min_interval: Some(Duration::from_secs(60)),
            ..PollHints::default()
        };
        let state = after_poll(
            &FeedState::default(),
            &read(now, None, faster),
            &policy(),
            "feed",
        );
        assert_eq!(state.next_poll, Some(now + TimeDelta::minutes(15)));

        let skip = PollHints {
            skip_hours: vec![10, 11, 12],
            skip_days: vec![Weekday::Mon],
            ..PollHints::default()
        };
        let state = after_poll(
            &FeedState::default(),
            &read(now, None, skip.clone()),
            &policy(),
            "feed",
        );
        assert_eq!(state.next_poll, Some(at("2026-01-11T13:00:00Z")));
        let late = at("2026-01-11T23:50:00Z");
        let state = after_poll(
            &FeedState::default(),
            &read(late, None, skip),
            &policy(),
            "feed",
        );
        assert_eq!(
            state.next_poll,
            Some(at("2026-01-13T00:00:00Z")),
            "all of Monday is skipped"
        );
    }
}
