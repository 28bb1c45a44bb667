//! How far back in time merging reaches, for whoever reads the store for it (the daemon's publish
//! reads only that far). The windows are merge's, so the reach is derived from them here rather than
//! copied by its readers.

use chrono::TimeDelta;

use super::{blocks, cluster, dedup};

/// How much older than a story's newest article its earliest may be: the widest window within which
/// merging joins articles into one story (dedup's copies, clustering's reports).
pub fn story_span() -> TimeDelta {
    dedup::TITLE_WINDOW.max(cluster::WINDOW)
}

/// How far back from now the blocks (headlines, ranking) take stories, and those stories' older
/// articles with them.
pub fn blocks_reach() -> TimeDelta {
    blocks::HEADLINE_WINDOW.max(blocks::RANKING_WINDOW) + story_span()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reach_covers_the_widest_windows() {
        assert_eq!(story_span(), TimeDelta::hours(48));
        assert_eq!(blocks_reach(), TimeDelta::hours(96));
    }
}
