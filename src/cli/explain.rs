//! `gazette explain`: why an item is where it is, or why an article is not there, in plain words
//! and with the lines of `feeds.toml` that decided; `--json` for tools.

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use clap::Args;
use serde::Serialize;

use super::{fail, load_config, shown};
use crate::config::{Config, locate_rule};
use crate::merge::{blocks_reach, canonical_url};
use crate::model::{Decision, Fetch, IdFrom, Origin, Peer, Record, Rule, StoredItem, Test};
use crate::store::{FeedState, Store};

#[derive(Debug, Args)]
pub(super) struct ExplainArgs {
    /// An article's URL, a guid or item id, or words of its title.
    #[arg(required = true, num_args = 1..)]
    query: Vec<String>,
    /// Say why the article at this URL is not published.
    #[arg(long)]
    missing: bool,
    /// Print the records as JSON.
    #[arg(long)]
    json: bool,
    /// The config file.
    #[arg(long, short, env = "GAZETTE_CONFIG", default_value = "feeds.toml")]
    config: PathBuf,
}

pub(super) fn command(args: &ExplainArgs) -> ExitCode {
    let config = match load_config(&args.config) {
        Ok(config) => config,
        Err(code) => return code,
    };
    let database = &config.gazette.database;
    if let Some(path) = database.sqlite_path().filter(|path| !path.exists()) {
        return fail(format!(
            "no store at {} yet: `gazette once` or `gazette run` makes it",
            path.display()
        ));
    }
    let store = match Store::connect(database) {
        Ok(store) => store,
        Err(error) => return fail(error),
    };
    let query = Query::new(&args.query);
    let records = match store.records(|stored, origin| query.matches(stored, origin)) {
        Ok(records) => records,
        Err(error) => return fail(error),
    };
    let decided_at = match store.decided_at() {
        Ok(at) => at,
        Err(error) => return fail(error),
    };
    let source = std::fs::read_to_string(&args.config).unwrap_or_default();
    let places = Places {
        file: args.config.display().to_string(),
        source,
        zone: config.gazette.timezone,
        max_items: config.gazette.max_items,
    };
    if args.missing {
        let states = match store.feed_states() {
            Ok(states) => states,
            Err(error) => return fail(error),
        };
        let missing = missing(
            &config,
            &args.query.join(" "),
            &records,
            &states,
            decided_at,
        );
        return print(args.json, &missing, |out| {
            places.write_missing(out, &missing)
        });
    }
    if records.is_empty() {
        return fail(format!(
            "no stored item matches `{}`; `gazette explain --missing URL` says why an article is not there",
            args.query.join(" ")
        ));
    }
    let explained: Vec<Explained> = records
        .iter()
        .map(|record| Explained {
            rules: places.located(record.decision.as_ref()),
            record,
            read_by_last_publish: read_by_last(record.decision.as_ref(), decided_at),
        })
        .collect();
    print(args.json, &explained, |out| {
        for (at, explained) in explained.iter().enumerate() {
            if at > 0 {
                writeln!(out)?;
            }
            places.write_record(out, explained)?;
        }
        Ok(())
    })
}

/// Prints `value` as JSON, or in words with `words`.
fn print<T: Serialize + ?Sized>(
    json: bool,
    value: &T,
    words: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> ExitCode {
    let mut out = std::io::stdout().lock();
    let written = if json {
        serde_json::to_string_pretty(value)
            .map_err(std::io::Error::other)
            .and_then(|json| writeln!(out, "{json}"))
    } else {
        words(&mut out)
    };
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => fail(error),
    }
}

/// What the admin asked about.
enum Query {
    /// An article's URL: compared as canonical URLs (trackers, mobile hosts, AMP aside).
    Url(String),
    /// A guid or item id, else words of a title (all of them, ignoring case).
    Text { whole: String, words: Vec<String> },
}

impl Query {
    fn new(words: &[String]) -> Query {
        let whole = words.join(" ");
        match canonical_url(&whole) {
            Some(url) if words.len() == 1 => Query::Url(url),
            _ => Query::Text {
                words: whole.split_whitespace().map(str::to_lowercase).collect(),
                whole,
            },
        }
    }

    fn matches(&self, stored: &StoredItem, origin: Option<&Origin>) -> bool {
        let raw_link = origin.and_then(|origin| origin.link.as_deref());
        let guid = origin.and_then(|origin| origin.guid.as_deref());
        match self {
            Query::Url(url) => [stored.item.link.as_deref(), raw_link, guid]
                .into_iter()
                .flatten()
                .any(|link| canonical_url(link).as_deref() == Some(url)),
            Query::Text { whole, words } => {
                let title = stored.item.title.to_lowercase();
                stored.item.id == *whole
                    || guid == Some(whole.as_str())
                    || (!words.is_empty() && words.iter().all(|word| title.contains(word)))
            }
        }
    }
}

/// Whether the last publish read the item (`None`: no publish recorded decisions).
fn read_by_last(decision: Option<&Decision>, decided_at: Option<DateTime<Utc>>) -> bool {
    decision.is_some_and(|decision| Some(decision.at) == decided_at)
}

/// A record with the places in `feeds.toml` of the rules it names.
#[derive(Serialize)]
struct Explained<'a> {
    #[serde(flatten)]
    record: &'a Record,
    /// Whether the latest publish read the item; if not, its decision is an older publish's.
    read_by_last_publish: bool,
    rules: Vec<Located<'a>>,
}

/// A rule and where it is written.
#[derive(Serialize)]
struct Located<'a> {
    #[serde(flatten)]
    rule: &'a Rule,
    /// `FILE:LINE:COL`, if the rule is written in the file.
    at: Option<String>,
}

/// What turns records into words: the config's file and source, and the zone of its dates.
struct Places {
    file: String,
    source: String,
    zone: chrono_tz::Tz,
    /// `[gazette] max_items`: what a section stopped short of.
    max_items: usize,
}

impl Places {
    fn at(&self, rule: &Rule) -> Option<String> {
        let (line, column) = locate_rule(&self.source, rule)?;
        Some(format!("{}:{line}:{column}", self.file))
    }

    /// Every rule of `decision`, with its place.
    fn located<'a>(&self, decision: Option<&'a Decision>) -> Vec<Located<'a>> {
        let Some(decision) = decision else {
            return Vec::new();
        };
        let placed = decision
            .sections
            .iter()
            .flat_map(|placement| placement.by.iter().chain(&placement.excluded_by));
        decision
            .left_out
            .iter()
            .chain(placed)
            .map(|rule| Located {
                rule,
                at: self.at(rule),
            })
            .collect()
    }

    /// `rule` in words, after its place in the file: `feeds.toml:42:12 keyword "바이오"`.
    fn rule(&self, rule: &Rule) -> String {
        let place = self.at(rule).map(|at| format!("{at} ")).unwrap_or_default();
        format!("{place}{}", rule_words(rule))
    }

    fn when(&self, date: DateTime<Utc>) -> String {
        date.with_timezone(&self.zone)
            .format("%Y-%m-%d %H:%M %Z")
            .to_string()
    }

    fn fetch(&self, fetch: &Fetch) -> String {
        let status = fetch
            .status
            .map_or_else(|| "no status".to_owned(), |status| format!("HTTP {status}"));
        let etag = fetch
            .etag
            .as_deref()
            .map(|etag| format!(", ETag {}", shown(etag)))
            .unwrap_or_default();
        format!("{}, {status}{etag}", self.when(fetch.at))
    }

    fn write_record(&self, out: &mut dyn Write, explained: &Explained<'_>) -> std::io::Result<()> {
        let record = explained.record;
        let item = &record.item;
        let link = item.link.as_deref().map(shown).unwrap_or_default();
        writeln!(out, "\"{}\"  {link}", shown(&item.title))?;
        writeln!(out, "  feed:       {}", shown(&item.feed_url))?;
        match (&record.first_fetch, &record.last_fetch) {
            (Some(first), Some(last)) if first != last => {
                writeln!(out, "  read:       first {}", self.fetch(first))?;
                writeln!(out, "              last changed {}", self.fetch(last))?;
            }
            (Some(first), _) => writeln!(out, "  read:       {}", self.fetch(first))?,
            _ => writeln!(
                out,
                "  read:       first seen {}",
                self.when(item.first_seen)
            )?,
        }
        if let Some(origin) = &record.origin {
            let guid = origin
                .guid
                .as_deref()
                .map_or_else(|| "none".to_owned(), |guid| format!("\"{}\"", shown(guid)));
            let raw = origin.link.as_deref().map(shown).unwrap_or("none".into());
            writeln!(out, "  as written: guid {guid}, link {raw}")?;
        }
        let from = record.origin.as_ref().map(|origin| origin.id_from);
        writeln!(
            out,
            "  key:        \"{}\", {}",
            shown(&item.item_id),
            id_words(from)
        )?;
        let future = record.origin.as_ref().and_then(|origin| origin.future_date);
        match future {
            Some(future) => writeln!(
                out,
                "  dated:      {}; the feed said {}, too far ahead to believe",
                self.when(item.date),
                self.when(future)
            )?,
            None => writeln!(out, "  dated:      {}", self.when(item.date))?,
        }
        let Some(decision) = &record.decision else {
            return writeln!(out, "  no publish has read it yet");
        };
        let last = if explained.read_by_last_publish {
            "the latest publish"
        } else {
            "an earlier publish (the latest read only newer items)"
        };
        writeln!(out, "  decided by {last}, {}:", self.when(decision.at))?;
        if let Some(rule) = &decision.left_out {
            writeln!(out, "    {} → left out of every section", self.rule(rule))?;
        }
        for placement in &decision.sections {
            let by = placement
                .by
                .as_ref()
                .map_or_else(|| "every kept item".to_owned(), |rule| self.rule(rule));
            let shown_as = match (&placement.excluded_by, placement.rank) {
                (Some(exclude), _) => format!("but {}", self.rule(exclude)),
                (None, Some(rank)) if decision.published_as.is_some() => {
                    format!("its story shown {}", ordinal(rank))
                }
                (None, Some(rank)) => format!("shown {}", ordinal(rank)),
                (None, None) => format!(
                    "beyond {}: not shown",
                    self.rule(&Rule::MaxItems {
                        limit: self.max_items
                    })
                ),
            };
            writeln!(
                out,
                "    {by} → section {}, {shown_as}",
                shown(&placement.section)
            )?;
        }
        for peer in &decision.merged_with {
            writeln!(out, "  merged with {}", self.peer(peer))?;
        }
        match (&decision.published_as, decision.left_out.is_some()) {
            (_, true) => {}
            (Some(lead), _) => writeln!(
                out,
                "  published as {} (the story's earliest article), not this item",
                self.peer(lead)
            )?,
            (None, _) => writeln!(out, "  published as this item")?,
        }
        Ok(())
    }

    fn peer(&self, peer: &Peer) -> String {
        let test = peer
            .test
            .as_ref()
            .map(|test| format!(": {}", test_words(test)))
            .unwrap_or_default();
        format!(
            "\"{}\" ({}){test}",
            shown(&peer.title),
            shown(&peer.feed_url)
        )
    }

    fn write_missing(&self, out: &mut dyn Write, missing: &Missing) -> std::io::Result<()> {
        writeln!(out, "{}", shown(&missing.url))?;
        for reason in &missing.reasons {
            let line = match reason {
                Reason::NeverSeen { feeds } => {
                    writeln!(out, "  never seen in any fetch; the feeds it could be in:")?;
                    for feed in feeds {
                        let last = feed.last_attempt.map_or_else(
                            || "never fetched".to_owned(),
                            |at| format!("last fetched {}", self.when(at)),
                        );
                        let status = feed
                            .last_status
                            .map(|status| format!(", HTTP {status}"))
                            .unwrap_or_default();
                        writeln!(out, "    {} — {last}{status}", shown(&feed.url))?;
                    }
                    continue;
                }
                Reason::Filtered { rule, .. } => format!("filtered: {}", self.rule(rule)),
                Reason::Merged { into, .. } => {
                    format!("merged into the story published as {}", self.peer(into))
                }
                Reason::BeyondMaxItems { limit, .. } => format!(
                    "beyond max_items in every section it is in: {}",
                    self.rule(&Rule::MaxItems { limit: *limit })
                ),
                Reason::OutsideWindows { date, .. } => format!(
                    "outside the windows the latest publish reads (each feed's newest max_items, the last days): dated {}",
                    self.when(*date)
                ),
                Reason::TooOld { date, .. } => format!(
                    "dated too far in the past: {}, before anything the latest publish reads",
                    self.when(*date)
                ),
                Reason::Future { date, .. } => format!(
                    "dated in the future: the feed said {}; dated when first seen instead",
                    self.when(*date)
                ),
                Reason::NotPublishedYet { .. } => {
                    "stored, but no publish has read it yet".to_owned()
                }
                Reason::Published { sections, .. } => {
                    format!("not missing: published in {}", sections.join(", "))
                }
            };
            writeln!(out, "  {line}")?;
        }
        Ok(())
    }
}

/// Why an article is not published, for `--missing`.
#[derive(Serialize)]
struct Missing {
    url: String,
    reasons: Vec<Reason>,
}

/// A feed an article never seen could be in, and when it was last fetched.
#[derive(Serialize)]
struct Candidate {
    url: String,
    last_attempt: Option<DateTime<Utc>>,
    last_status: Option<u16>,
}

#[derive(Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
enum Reason {
    NeverSeen {
        feeds: Vec<Candidate>,
    },
    Filtered {
        item_id: String,
        rule: Rule,
    },
    Merged {
        item_id: String,
        into: Peer,
    },
    BeyondMaxItems {
        item_id: String,
        limit: usize,
    },
    OutsideWindows {
        item_id: String,
        date: DateTime<Utc>,
    },
    TooOld {
        item_id: String,
        date: DateTime<Utc>,
    },
    Future {
        item_id: String,
        date: DateTime<Utc>,
    },
    NotPublishedYet {
        item_id: String,
    },
    Published {
        item_id: String,
        sections: Vec<String>,
    },
}

/// Why the article at `url` (whose stored copies are `records`) is not published.
fn missing(
    config: &Config,
    url: &str,
    records: &[Record],
    states: &HashMap<String, FeedState>,
    decided_at: Option<DateTime<Utc>>,
) -> Missing {
    let mut reasons = Vec::new();
    if records.is_empty() {
        reasons.push(Reason::NeverSeen {
            feeds: candidates(config, url, states),
        });
    }
    for record in records {
        let item_id = record.item.item_id.clone();
        if let Some(date) = record.origin.as_ref().and_then(|origin| origin.future_date) {
            reasons.push(Reason::Future {
                item_id: item_id.clone(),
                date,
            });
        }
        let Some(latest) = decided_at else {
            reasons.push(Reason::NotPublishedYet { item_id });
            continue;
        };
        // Not read by the latest publish (read by none, or by an earlier one only).
        let Some(decision) = record.decision.as_ref().filter(|d| d.at == latest) else {
            let date = record.item.date;
            reasons.push(match date < latest - blocks_reach() {
                true => Reason::TooOld { item_id, date },
                false => Reason::OutsideWindows { item_id, date },
            });
            continue;
        };
        if let Some(rule) = &decision.left_out {
            reasons.push(Reason::Filtered {
                item_id,
                rule: rule.clone(),
            });
            continue;
        }
        for placement in &decision.sections {
            if let Some(rule) = &placement.excluded_by {
                reasons.push(Reason::Filtered {
                    item_id: item_id.clone(),
                    rule: rule.clone(),
                });
            }
        }
        if let Some(lead) = &decision.published_as {
            reasons.push(Reason::Merged {
                item_id,
                into: lead.clone(),
            });
            continue;
        }
        let shown: Vec<String> = (decision.sections.iter())
            .filter(|placement| placement.rank.is_some())
            .map(|placement| placement.section.clone())
            .collect();
        reasons.push(match shown.is_empty() {
            true => Reason::BeyondMaxItems {
                item_id,
                limit: config.gazette.max_items,
            },
            false => Reason::Published {
                item_id,
                sections: shown,
            },
        });
    }
    Missing {
        url: url.to_owned(),
        reasons,
    }
}

/// The configured feeds an article at `url` could come from: those of its site, else all.
fn candidates(config: &Config, url: &str, states: &HashMap<String, FeedState>) -> Vec<Candidate> {
    let site = |url: &str| {
        let host = url::Url::parse(url).ok()?.host_str()?.to_ascii_lowercase();
        let host = host.strip_prefix("www.").unwrap_or(&host);
        Some(host.strip_prefix("m.").unwrap_or(host).to_owned())
    };
    let wanted = site(url);
    let same_site: Vec<_> = (config.feeds.iter())
        .filter(|feed| wanted.is_some() && site(feed.url.as_str()) == wanted)
        .collect();
    let feeds = match same_site.is_empty() {
        true => config.feeds.iter().collect(),
        false => same_site,
    };
    feeds
        .into_iter()
        .map(|feed| {
            let state = states.get(feed.url.as_str());
            Candidate {
                url: feed.url.to_string(),
                last_attempt: state.and_then(|state| state.last_attempt),
                last_status: state.and_then(|state| state.last_status),
            }
        })
        .collect()
}

/// A rule in words, as `feeds.toml` writes it.
fn rule_words(rule: &Rule) -> String {
    let pattern = |pattern: &str| match pattern.strip_prefix("re:") {
        Some(regex) => format!("regex \"{}\"", shown(regex)),
        None => format!("\"{}\"", shown(pattern)),
    };
    match rule {
        Rule::FeedSections { section, .. } => format!("feed's sections \"{}\"", shown(section)),
        Rule::Category { category, .. } => format!("category \"{}\"", shown(category)),
        Rule::Keyword { pattern: p, .. } if p.starts_with("re:") => pattern(p),
        Rule::Keyword { pattern: p, .. } => format!("keyword {}", pattern(p)),
        Rule::SectionExclude {
            section,
            pattern: p,
        } => {
            format!("exclude {} of section {}", pattern(p), shown(section))
        }
        Rule::FeedInclude { feed } => {
            format!("include of feed {}: no pattern matched", shown(feed))
        }
        Rule::FeedExclude { feed, pattern: p } => {
            format!("exclude {} of feed {}", pattern(p), shown(feed))
        }
        Rule::FeedDisabled { feed } => format!("feed {} has enabled = false", shown(feed)),
        Rule::FeedNotConfigured { feed } => {
            format!("feed {} is no longer in the config", shown(feed))
        }
        Rule::MaxItems { limit } => format!("max_items = {limit}"),
    }
}

/// What an item's key was made from, in words.
fn id_words(from: Option<IdFrom>) -> &'static str {
    match from {
        Some(IdFrom::Guid) => "from its guid",
        Some(IdFrom::LinkForSharedGuid) => {
            "from its link: the feed gives its guid to several articles"
        }
        Some(IdFrom::GuidAndTitle) => {
            "a hash of its guid and title: the feed gives its guid to several articles, and it has no link"
        }
        Some(IdFrom::Link) => "from its link: it has no guid",
        Some(IdFrom::TitleAndDate) => "a hash of its title and date: it has neither guid nor link",
        None => "(stored before gazette recorded where ids come from)",
    }
}

fn test_words(test: &Test) -> String {
    match test {
        Test::SameGuid => "same guid".to_owned(),
        Test::SameUrl => "same canonical URL after cleaning".to_owned(),
        Test::SimilarTitle { score } => format!("near-identical title, similarity {score:.2}"),
        Test::SameStory { score } => format!("same story, score {score:.2}"),
    }
}

fn ordinal(rank: usize) -> String {
    let suffix = match (rank % 10, rank % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{rank}{suffix}")
}
