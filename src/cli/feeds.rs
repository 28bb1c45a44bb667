//! `gazette feeds [--problems] [--json]`: every feed's health, or only the feeds that need the
//! admin, each with the one action that fixes it.

use std::io::Write;
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use clap::Args;
use serde::Serialize;

use super::{ConfigArg, fail, open_pipeline, plural, shown};
use crate::config::FeedPlaces;
use crate::model::FeedHealth;

#[derive(Debug, Args)]
pub(super) struct FeedsArgs {
    #[command(flatten)]
    config: ConfigArg,
    /// Only the feeds that need attention, each with the action that fixes it.
    #[arg(long)]
    problems: bool,
    /// Print JSON (an array of feeds, each with its `problem` or null), for tools.
    #[arg(long)]
    json: bool,
}

/// What is wrong with a feed, and the one thing to do about it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(super) struct Problem {
    /// `gone`, `moved`, `scrape-empty`, `failing`, `future-dates` or `silent`: the kinds of the
    /// health feed's entries.
    kind: &'static str,
    what: String,
    action: String,
}

/// The feed's most pressing problem, if it has one. `location` is `feeds.toml:LINE:COL` of its
/// url; `next_poll` is shown in `zone`.
fn problem(feed: &FeedHealth, location: &str, zone: Tz) -> Option<Problem> {
    if !feed.enabled {
        return None;
    }
    let error = feed.last_error.as_deref().unwrap_or("an error");
    let problem = |kind, what: String, action: String| Some(Problem { kind, what, action });
    if feed.gone {
        return problem(
            "gone",
            "answered 410 Gone: no longer polled".to_owned(),
            format!("remove its entry at {location}, or change it to poll it again"),
        );
    }
    if let Some(moved) = &feed.moved_to {
        return problem(
            "moved",
            format!("moved permanently to {moved}"),
            format!("change its url at {location} to {moved}"),
        );
    }
    if feed.failures > 0 {
        let next = feed.next_poll.map_or_else(
            || "at the next poll".to_owned(),
            |next| format!("at {}", when(next, zone)),
        );
        let failed = format!(
            "{} (failed {} in a row)",
            error,
            plural(feed.failures as usize, "poll")
        );
        if feed.scrape_empty {
            return problem(
                "scrape-empty",
                failed,
                format!(
                    "fix its [feed.scrape] rules under {location} (try them with `gazette scrape --feed`)"
                ),
            );
        }
        let action = match feed.last_status {
            Some(401 | 403 | 404) => {
                format!("check its url at {location}: the server refuses or does not know it")
            }
            Some(200) => format!(
                "check its url at {location}: it is not a feed (`gazette parse URL` shows what it holds)"
            ),
            _ => format!(
                "none if the site comes back: gazette retries {next}, backing off up to a day; \
                 if it lasts, check its url at {location}"
            ),
        };
        return problem("failing", failed, action);
    }
    if feed.future_dates {
        return problem(
            "future-dates",
            "dates items more than a day ahead".to_owned(),
            format!("set the zone its dates are really in with `timezone` under {location}"),
        );
    }
    if feed.silent {
        return problem(
            "silent",
            "no new item for more than three times its usual gap".to_owned(),
            format!("check that the site still publishes at the url at {location}"),
        );
    }
    None
}

fn when(date: DateTime<Utc>, zone: Tz) -> String {
    date.with_timezone(&zone)
        .format("%Y-%m-%d %H:%M %Z")
        .to_string()
}

/// One feed as `--json` prints it.
#[derive(Serialize)]
struct FeedJson<'a> {
    #[serde(flatten)]
    health: &'a FeedHealth,
    problem: Option<Problem>,
}

pub(super) async fn command(args: &FeedsArgs) -> ExitCode {
    let path = &args.config.config;
    let pipeline = match open_pipeline(path) {
        Ok(pipeline) => pipeline,
        Err(code) => return code,
    };
    let health = match pipeline.health().await {
        Ok(health) => health,
        Err(error) => return fail(error),
    };
    let zone = pipeline.config().gazette.timezone;
    let places = FeedPlaces::read(path);
    let feeds: Vec<(&FeedHealth, Option<Problem>)> = health
        .iter()
        .map(|feed| (feed, problem(feed, &places.at_or_file(&feed.url), zone)))
        .filter(|(_, problem)| !args.problems || problem.is_some())
        .collect();
    let mut out = std::io::stdout().lock();
    if args.json {
        let rows: Vec<FeedJson> = feeds
            .into_iter()
            .map(|(health, problem)| FeedJson { health, problem })
            .collect();
        return match serde_json::to_string_pretty(&rows) {
            Ok(json) => {
                let _ = writeln!(out, "{json}");
                ExitCode::SUCCESS
            }
            Err(error) => fail(error),
        };
    }
    if args.problems {
        if feeds.is_empty() {
            let _ = writeln!(out, "no feed needs attention");
        }
        for (feed, problem) in &feeds {
            let Some(problem) = problem else { continue };
            let _ = writeln!(out, "{}{}", feed.url, name(feed));
            let _ = writeln!(out, "  {}: {}", problem.kind, shown(&problem.what));
            let _ = writeln!(out, "  fix: {}", shown(&problem.action));
        }
        return ExitCode::SUCCESS;
    }
    for (feed, _) in &feeds {
        print_feed(&mut out, feed, zone);
    }
    match pipeline.digest_status().await {
        Ok(Some(digest)) => {
            let _ = writeln!(
                out,
                "digest {}: {} sent · {} retrying · {} failed · {} in doubt · last attempt {}",
                digest.day,
                digest.sent,
                digest.retrying,
                digest.failed,
                digest.in_doubt,
                when_or_never(digest.last_attempt, zone)
            );
            if let Some(error) = &digest.last_error {
                let _ = writeln!(out, "  last error: {}", shown(error));
            }
            if let Some(next) = digest.next_attempt {
                let _ = writeln!(out, "  next attempt: {}", when(next, zone));
            }
        }
        Ok(None) => {}
        Err(error) => return fail(error),
    }
    match pipeline.group_status().await {
        Ok(Some(group)) => {
            for node in &group.nodes {
                let _ = writeln!(
                    out,
                    "node {} · last seen {} · started {}",
                    shown(&node.name),
                    when(node.last_seen, zone),
                    when(node.started, zone)
                );
            }
            for held in &group.leases {
                let _ = writeln!(
                    out,
                    "lease {} · held by {} until {}",
                    held.url,
                    shown(&held.lease.owner),
                    when(held.lease.until, zone)
                );
            }
        }
        Ok(None) => {}
        Err(error) => return fail(error),
    }
    ExitCode::SUCCESS
}

fn name(feed: &FeedHealth) -> String {
    feed.name
        .as_deref()
        .map(|n| format!("  ({})", shown(n)))
        .unwrap_or_default()
}

fn when_or_never(date: Option<DateTime<Utc>>, zone: Tz) -> String {
    date.map_or_else(|| "never".to_owned(), |date| when(date, zone))
}

/// The plain view of one feed's health.
fn print_feed(out: &mut impl Write, feed: &FeedHealth, zone: Tz) {
    let _ = writeln!(out, "{}{}", feed.url, name(feed));
    let status = feed
        .last_status
        .map_or_else(|| "-".to_owned(), |s| s.to_string());
    let next = if !feed.enabled {
        "disabled".to_owned()
    } else if feed.gone {
        "never (410 Gone)".to_owned()
    } else {
        when_or_never(feed.next_poll, zone)
    };
    let _ = writeln!(
        out,
        "  status {status} · last success {} · failures {} · next poll {next} · {}",
        when_or_never(feed.last_success, zone),
        feed.failures,
        plural(usize::try_from(feed.items).unwrap_or(usize::MAX), "item")
    );
    if let Some(error) = &feed.last_error {
        let _ = writeln!(out, "  last error: {}", shown(error));
    }
    if let Some(moved) = &feed.moved_to {
        let _ = writeln!(out, "  moved to: {}", shown(moved));
    }
    if let Some(full_text) = &feed.full_text {
        let _ = writeln!(
            out,
            "  full text: {} extracted · {} failed (teaser kept) · {} pending",
            full_text.extracted, full_text.failed, full_text.pending
        );
        for failure in &full_text.failures {
            let _ = writeln!(
                out,
                "  full text failed, teaser kept: {} ({}): {}",
                shown(&failure.link),
                when_or_never(failure.at, zone),
                shown(&failure.error)
            );
        }
    }
}
