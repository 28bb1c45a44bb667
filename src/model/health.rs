//! Feed health as a feed: the changes of a feed's state that an admin must hear of (it started
//! failing, recovered, moved, is gone, its scrape rules match nothing, it fell silent, its dates
//! are in the future), as the daemon records them and `feeds/health.{atom,xml,json}` shows them.
//!
//! An event is data, not text: its words are written when it is rendered, and its id comes from
//! the feed, the kind of change and when it happened, so rewording an entry never changes it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One change of one feed's state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HealthEvent {
    /// The feed's URL as configured: its identity.
    pub feed_url: String,
    /// When the poll that saw the change happened.
    pub at: DateTime<Utc>,
    pub change: Change,
}

/// What changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    /// The first failed poll after a success (or ever).
    Failing {
        error: String,
        status: Option<u16>,
        /// When it is tried again: failures back off, but polling never stops.
        next_try: Option<DateTime<Utc>>,
    },
    /// A `[feed.scrape]` page where the rules found nothing: the site's markup changed.
    ScrapeEmpty {
        error: String,
        next_try: Option<DateTime<Utc>>,
    },
    /// The first success after failures.
    Recovered {
        /// Failed polls in a row before it.
        failures: u32,
        /// The last success before the failures, if there was one.
        last_success: Option<DateTime<Utc>>,
    },
    /// Permanent redirects moved the feed: its `url` in `feeds.toml` should be changed.
    Moved {
        to: String,
        /// `feeds.toml:LINE:COL` of the url to edit.
        location: Option<String>,
    },
    /// 410 Gone: not polled again until its entry in `feeds.toml` changes.
    Gone { location: Option<String> },
    /// No new item for longer than three times its usual gap.
    Silent {
        newest_item: DateTime<Utc>,
        /// The usual time between its items, in seconds.
        usual_gap: u64,
    },
    /// A new item after a silence.
    Resumed { newest_item: DateTime<Utc> },
    /// Items dated further ahead than gazette trusts (they are dated when first seen instead).
    FutureDates { count: usize, latest: DateTime<Utc> },
}

impl Change {
    /// The kind's name: part of the entry's id, so never changed once published.
    pub fn kind(&self) -> &'static str {
        match self {
            Change::Failing { .. } => "failing",
            Change::ScrapeEmpty { .. } => "scrape-empty",
            Change::Recovered { .. } => "recovered",
            Change::Moved { .. } => "moved",
            Change::Gone { .. } => "gone",
            Change::Silent { .. } => "silent",
            Change::Resumed { .. } => "resumed",
            Change::FutureDates { .. } => "future-dates",
        }
    }
}

/// What the daemon watches of a feed besides its fetch state: the rhythm of its items, and the
/// conditions it has reported and not yet seen end (so that each is reported once).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Watch {
    /// The newest trusted item date of the last body read.
    pub newest_item: Option<DateTime<Utc>>,
    /// The usual time between its items, in seconds (the median gap of the last body read).
    pub usual_gap: Option<u64>,
    /// A silence was reported and no newer item came since.
    pub silent: bool,
    /// Future dates were reported and the last body read still had some.
    pub future: bool,
    /// The last poll failed because the feed's scrape rules found nothing.
    pub scrape_empty: bool,
}

/// What one body read tells of a feed's dates.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FeedDates {
    /// The newest date gazette trusts.
    pub newest: Option<DateTime<Utc>>,
    /// The median gap between its trusted dates, in seconds (at least three dated items).
    pub usual_gap: Option<u64>,
    /// Items dated further ahead than gazette trusts, and the latest of those dates.
    pub ahead: usize,
    pub latest_ahead: Option<DateTime<Utc>>,
}
