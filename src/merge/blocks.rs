//! The front page's blocks: headlines and ranking (stories scored by how many outlets reported
//! them, fading with age), the latest stories, and photo stories.

use chrono::{DateTime, TimeDelta, Utc};

use crate::config::Config;

use super::{Block, BlockKind, SectionEdition, StoredItem};
use crate::model::Labels;

/// Stories in a headlines block.
pub const HEADLINES: usize = 10;
/// Stories in a ranking block.
pub const RANKING: usize = 10;
/// Stories in the latest block.
pub const LATEST: usize = 30;
/// Stories in the photos block.
pub const PHOTOS: usize = 12;

/// Headlines are the day's stories.
pub(super) const HEADLINE_WINDOW: TimeDelta = TimeDelta::hours(24);
/// The ranking looks back two days, so that it differs from the headlines as a day goes on.
pub(super) const RANKING_WINDOW: TimeDelta = TimeDelta::hours(48);

/// One story as blocks see it.
pub struct StoryRef<'a> {
    /// Index of the published item.
    pub lead: usize,
    /// Indexes of its items, newest first.
    pub members: &'a [usize],
    /// Indexes into the config's sections.
    pub sections: &'a [usize],
    /// How many outlets reported it.
    pub outlets: usize,
}

/// The stories, newest lead first, over the merged items.
pub struct StoryView<'a> {
    pub items: &'a [StoredItem],
    /// Each item's feed, as an index into the config's feeds.
    pub feeds: &'a [usize],
    pub stories: Vec<StoryRef<'a>>,
}

/// A story with what ranking needs, computed once.
struct Scored<'v, 'a> {
    story: &'v StoryRef<'a>,
    score: f64,
    /// Its newest article's date: a story still being reported is fresh.
    newest: DateTime<Utc>,
}

/// The blocks of an edition, and when the passing of time alone would change them.
pub struct Blocks {
    pub blocks: Vec<Block>,
    /// The earliest instant after `now` at which the same stories could rank otherwise: a ranked
    /// story leaves its window, or a story dated in the future enters one or starts to fade.
    /// `None` when time alone changes nothing. Scores fade at one rate, so the order of stories
    /// in a window never changes with time: only who is in it does.
    pub changes_at: Option<DateTime<Utc>>,
}

/// Every block, in the order they are published: headlines overall then per section, ranking
/// overall then per `[[edition]]`, latest, photos.
pub fn blocks(
    config: &Config,
    labels: &Labels,
    view: &StoryView<'_>,
    now: DateTime<Utc>,
) -> Blocks {
    let half_life = config.gazette.half_life.as_secs_f64().max(1.0);
    let scored: Vec<Scored> = view
        .stories
        .iter()
        .map(|story| {
            let newest = story
                .members
                .first()
                .map_or(view.items[story.lead].date(), |&at| view.items[at].date());
            // Future dates (a day of clock skew is allowed in) count as now.
            let age = (now - newest).num_seconds().max(0) as f64;
            Scored {
                story,
                score: story.outlets as f64 * 0.5f64.powf(age / half_life),
                newest,
            }
        })
        .collect();
    let block = |kind, scope: Option<&str>, title: String, stories: Vec<&Scored>| Block {
        kind,
        scope: scope.map(str::to_owned),
        feed: SectionEdition {
            id: match scope {
                Some(scope) => format!("{}-{scope}", kind_id(kind)),
                None => kind_id(kind).to_owned(),
            },
            title,
            items: stories
                .iter()
                .map(|scored| view.items[scored.story.lead].clone())
                .collect(),
        },
    };

    let mut blocks = Vec::new();
    let mut changes = Changes::new(now, &scored, half_life);
    let recent = |window: TimeDelta| {
        move |scored: &&Scored| now - scored.newest <= window && scored.newest - now <= window
    };
    blocks.push(block(
        BlockKind::Headlines,
        None,
        labels.headlines.to_owned(),
        changes.ranked(
            top_recent(scored.iter(), recent(HEADLINE_WINDOW), HEADLINES),
            HEADLINE_WINDOW,
        ),
    ));
    for (index, section) in config.sections.iter().enumerate() {
        let stories = scored
            .iter()
            .filter(|scored| scored.story.sections.contains(&index));
        blocks.push(block(
            BlockKind::Headlines,
            Some(&section.id),
            format!("{} · {}", labels.headlines, section.title),
            changes.ranked(
                top_recent(stories, recent(HEADLINE_WINDOW), HEADLINES),
                HEADLINE_WINDOW,
            ),
        ));
    }
    blocks.push(block(
        BlockKind::Ranking,
        None,
        labels.ranking.to_owned(),
        changes.ranked(
            top_recent(scored.iter(), recent(RANKING_WINDOW), RANKING),
            RANKING_WINDOW,
        ),
    ));
    for edition in &config.editions {
        let listed: Vec<bool> = config
            .feeds
            .iter()
            .map(|feed| edition.feeds.contains(&feed.url))
            .collect();
        let stories = scored.iter().filter(|scored| {
            scored
                .story
                .members
                .iter()
                .any(|&at| listed[view.feeds[at]])
        });
        blocks.push(block(
            BlockKind::Ranking,
            Some(&edition.id),
            format!("{} · {}", labels.ranking, edition.title),
            changes.ranked(
                top_recent(stories, recent(RANKING_WINDOW), RANKING),
                RANKING_WINDOW,
            ),
        ));
    }
    blocks.push(block(
        BlockKind::Latest,
        None,
        labels.latest.to_owned(),
        scored.iter().take(LATEST).collect(),
    ));
    blocks.push(photos(view, labels));
    Blocks {
        blocks,
        changes_at: changes.earliest,
    }
}

/// Finds the earliest instant at which time alone changes the ranked blocks.
struct Changes {
    now: DateTime<Utc>,
    earliest: Option<DateTime<Utc>>,
}

impl Changes {
    /// Starts with what stories dated in the future bring: one enters a window when `now` comes
    /// within the window of its date; and in a window, until its date its score does not fade
    /// while the others' do, so the order may change at any moment: it is looked at again a
    /// sixteenth of a half-life later, or at its date if sooner.
    fn new(now: DateTime<Utc>, scored: &[Scored], half_life: f64) -> Changes {
        let mut changes = Changes {
            now,
            earliest: None,
        };
        let step = TimeDelta::milliseconds((half_life * 1000.0 / 16.0) as i64);
        for scored in scored.iter().filter(|scored| scored.newest > now) {
            for window in [HEADLINE_WINDOW, RANKING_WINDOW] {
                changes.at(scored.newest - window);
            }
            if scored.newest - now <= RANKING_WINDOW {
                changes.at(scored.newest.min(now + step));
            }
        }
        changes
    }

    /// Notes that each of `ranked` leaves a block of `window` just after its date + `window`
    /// (stories not ranked may leave unnoticed; those shown because none is recent left already);
    /// gives `ranked` back.
    fn ranked<'s, 'v, 'a>(
        &mut self,
        ranked: Vec<&'s Scored<'v, 'a>>,
        window: TimeDelta,
    ) -> Vec<&'s Scored<'v, 'a>> {
        for scored in &ranked {
            self.at(scored.newest + window + TimeDelta::seconds(1));
        }
        ranked
    }

    fn at(&mut self, instant: DateTime<Utc>) {
        if instant > self.now && self.earliest.is_none_or(|earliest| instant < earliest) {
            self.earliest = Some(instant);
        }
    }
}

/// The `count` best-scored of the `stories` that are `recent`; when none is (a quiet weekend, a
/// feed outage, a small site), the `count` most recent of them instead, so that a block is never
/// empty while it has anything to show.
fn top_recent<'s, 'v, 'a>(
    stories: impl Iterator<Item = &'s Scored<'v, 'a>> + Clone,
    recent: impl Fn(&&'s Scored<'v, 'a>) -> bool,
    count: usize,
) -> Vec<&'s Scored<'v, 'a>>
where
    'v: 's,
    'a: 'v,
{
    let chosen = top(stories.clone().filter(recent), count);
    if !chosen.is_empty() {
        return chosen;
    }
    let mut latest: Vec<&Scored> = stories.collect();
    latest.sort_by(|a, b| {
        b.newest
            .cmp(&a.newest)
            .then(a.story.lead.cmp(&b.story.lead))
    });
    latest.truncate(count);
    latest
}

/// The `count` best-scored stories; ties go to the newer lead.
fn top<'s, 'v, 'a>(
    stories: impl Iterator<Item = &'s Scored<'v, 'a>>,
    count: usize,
) -> Vec<&'s Scored<'v, 'a>>
where
    'v: 's,
    'a: 'v,
{
    let mut stories: Vec<&Scored> = stories.collect();
    // A total order (leads are unique), so picking the top before sorting them changes nothing.
    let order = |a: &&Scored, b: &&Scored| {
        b.score
            .total_cmp(&a.score)
            .then(a.story.lead.cmp(&b.story.lead))
    };
    if stories.len() > count {
        stories.select_nth_unstable_by(count, order);
        stories.truncate(count);
    }
    stories.sort_by(order);
    stories
}

/// The newest stories with a picture, each shown with its lead's picture or else the first one
/// another article of the story has.
fn photos(view: &StoryView<'_>, labels: &Labels) -> Block {
    let items = view
        .stories
        .iter()
        .filter_map(|story| {
            let image = std::iter::once(&story.lead)
                .chain(story.members)
                .find_map(|&at| view.items[at].item.image.clone())?;
            let mut lead = view.items[story.lead].clone();
            lead.item.image = Some(image);
            Some(lead)
        })
        .take(PHOTOS)
        .collect();
    Block {
        kind: BlockKind::Photos,
        scope: None,
        feed: SectionEdition {
            id: kind_id(BlockKind::Photos).to_owned(),
            title: labels.photos.to_owned(),
            items,
        },
    }
}

/// The block's name in file names.
fn kind_id(kind: BlockKind) -> &'static str {
    match kind {
        BlockKind::Headlines => "headlines",
        BlockKind::Ranking => "ranking",
        BlockKind::Latest => "latest",
        BlockKind::Photos => "photos",
    }
}
