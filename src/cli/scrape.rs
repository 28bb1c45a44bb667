//! `gazette scrape`: what `[feed.scrape]` rules find in a page, as a table or JSON, so that an
//! admin can write and fix a list page's rules in minutes.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use unicode_width::UnicodeWidthStr;
use url::Url;

use super::{fail, load_config, read_source};
use crate::config::{Css, Rule, ScrapeRules, date_format};
use crate::parse::ParsedFeed;
use crate::scrape::{ScrapeHints, scrape};

#[derive(Debug, Args)]
pub(super) struct ScrapeArgs {
    /// A file path, or an http(s) URL; with --feed, the feed's URL when left out.
    source: Option<String>,
    /// Use the rules (and URL and zone) of this configured feed, by name or URL.
    #[arg(long, value_name = "NAME")]
    feed: Option<String>,
    /// The config file (for --feed).
    #[arg(long, short, env = "GAZETTE_CONFIG", default_value = "feeds.toml")]
    config: PathBuf,
    /// CSS selector of one element per article.
    #[arg(long)]
    item: Option<String>,
    /// The title, inside the item (`selector`, `selector@attr`, alternatives with `|`).
    #[arg(long)]
    title: Option<String>,
    /// The link (default: the item's first `a[href]`).
    #[arg(long)]
    link: Option<String>,
    #[arg(long)]
    date: Option<String>,
    /// A strftime format for --date, e.g. "%Y.%m.%d %H:%M".
    #[arg(long)]
    date_format: Option<String>,
    #[arg(long)]
    summary: Option<String>,
    #[arg(long)]
    image: Option<String>,
    #[arg(long)]
    author: Option<String>,
    /// What a file's relative links are read against (a URL's own address is used for a URL).
    #[arg(long, value_name = "URL")]
    base: Option<Url>,
    /// Zone for dates written without one (default: the feed's, else Asia/Seoul).
    #[arg(long)]
    timezone: Option<chrono_tz::Tz>,
    /// Read relative dates (`3시간 전`, `어제`) against this time instead of now: for a saved page.
    #[arg(long, value_name = "RFC3339")]
    now: Option<chrono::DateTime<chrono::Utc>>,
    /// Allow a URL on a loopback, private or link-local address (an intranet page); with --feed,
    /// the feed's own setting applies too.
    #[arg(long)]
    allow_private: bool,
    /// Print what was read as JSON (the schema of `gazette parse --json`).
    #[arg(long)]
    json: bool,
}

/// The page, its rules and its zone, from the arguments and, with --feed, the config.
struct Job {
    source: String,
    rules: ScrapeRules,
    base: Option<Url>,
    timezone: chrono_tz::Tz,
    allow_private: bool,
}

pub(super) async fn command(args: &ScrapeArgs) -> ExitCode {
    let job = match job(args) {
        Ok(job) => job,
        Err(code) => return code,
    };
    let (bytes, content_type, url) = match read_source(&job.source, job.allow_private).await {
        Ok(source) => source,
        Err(message) => return fail(message),
    };
    let hints = ScrapeHints {
        content_type: content_type.as_deref(),
        url: url.as_ref().or(job.base.as_ref()),
        timezone: job.timezone,
        now: args.now.unwrap_or_else(chrono::Utc::now),
    };
    let page = match scrape(&bytes, &hints, &job.rules) {
        Ok(page) => page,
        Err(error) => return fail(error),
    };
    if args.json {
        return match serde_json::to_string_pretty(&page) {
            Ok(json) => {
                println!("{json}");
                ExitCode::SUCCESS
            }
            Err(error) => fail(error),
        };
    }
    print_table(&page, job.timezone);
    ExitCode::SUCCESS
}

fn job(args: &ScrapeArgs) -> Result<Job, ExitCode> {
    let feed = match &args.feed {
        Some(name) => {
            let config = load_config(&args.config)?;
            let found = config.feeds.iter().find(|feed| {
                feed.name.as_deref() == Some(name.as_str()) || feed.url.as_str() == name
            });
            let Some(feed) = found else {
                return Err(fail(format!(
                    "no [[feed]] named `{name}` in {}",
                    args.config.display()
                )));
            };
            if feed.scrape.is_none() {
                return Err(fail(format!("feed `{name}` has no [feed.scrape] rules")));
            }
            Some((
                feed.clone(),
                feed.timezone_or(&config.gazette),
                feed.allow_private.unwrap_or(config.gazette.allow_private),
            ))
        }
        None => None,
    };
    let rules = match (&feed, &args.item, &args.title) {
        (_, Some(item), Some(title)) => rules_from_args(args, item, title).map_err(fail)?,
        (Some((feed, ..)), None, None) => match &feed.scrape {
            Some(rules) => rules.clone(),
            None => return Err(fail("the feed has no rules")),
        },
        _ => {
            return Err(fail(
                "give --item and --title (and the other rules you need), or --feed NAME",
            ));
        }
    };
    let source = match (&args.source, &feed) {
        (Some(source), _) => source.clone(),
        (None, Some((feed, ..))) => feed.url.to_string(),
        (None, None) => return Err(fail("give the page: a file or an http(s) URL")),
    };
    Ok(Job {
        source,
        rules,
        base: args
            .base
            .clone()
            .or_else(|| feed.as_ref().map(|(feed, ..)| feed.url.clone())),
        timezone: args
            .timezone
            .or(feed.as_ref().map(|(_, zone, _)| *zone))
            .unwrap_or(chrono_tz::Tz::Asia__Seoul),
        allow_private: args.allow_private || feed.as_ref().is_some_and(|(.., allow)| *allow),
    })
}

/// The rules given on the command line, each checked as `gazette check` checks them.
fn rules_from_args(args: &ScrapeArgs, item: &str, title: &str) -> Result<ScrapeRules, String> {
    let rule = |text: &Option<String>, flag: &str| {
        text.as_deref()
            .map(|text| Rule::parse(text).map_err(|error| format!("--{flag}: {error}")))
            .transpose()
    };
    if args.date_format.is_some() && args.date.is_none() {
        return Err("--date-format without --date: add the selector of the date it reads".into());
    }
    Ok(ScrapeRules {
        item: Css::parse(item).map_err(|error| format!("--item: {error}"))?,
        title: Rule::parse(title).map_err(|error| format!("--title: {error}"))?,
        link: rule(&args.link, "link")?,
        date: rule(&args.date, "date")?,
        date_format: args.date_format.as_deref().map(date_format).transpose()?,
        summary: rule(&args.summary, "summary")?,
        image: rule(&args.image, "image")?,
        author: rule(&args.author, "author")?,
    })
}

/// Longest title shown in the table, in terminal columns.
const TITLE_COLUMNS: usize = 48;

/// One line per item: date in `zone`, title, link, picture.
fn print_table(page: &ParsedFeed, zone: chrono_tz::Tz) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "page:     {}",
        page.meta.link.as_deref().unwrap_or("-")
    );
    let _ = writeln!(out, "encoding: {}", page.encoding);
    let _ = writeln!(out, "items:    {}", page.entries.len());
    for warning in &page.warnings {
        let _ = writeln!(out, "warning:  {warning}");
    }
    let titles: Vec<String> = page
        .entries
        .iter()
        .map(|entry| clip(entry.title.as_deref().unwrap_or("-"), TITLE_COLUMNS))
        .collect();
    let width = titles.iter().map(|t| t.width()).max().unwrap_or(0).max(5);
    let _ = writeln!(out, "{:<16}  {}  LINK  IMAGE", "DATE", pad("TITLE", width));
    for (entry, title) in page.entries.iter().zip(&titles) {
        let date = entry.published.map_or_else(
            || "-".to_owned(),
            |d| d.with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string(),
        );
        let image = entry.enclosures.first().map_or("-", |e| e.url.as_str());
        let _ = writeln!(
            out,
            "{date:<16}  {}  {}  {image}",
            pad(title, width),
            entry.link.as_deref().unwrap_or("-")
        );
    }
}

/// `text` cut to at most `columns` terminal columns, with "…" when cut.
fn clip(text: &str, columns: usize) -> String {
    if text.width() <= columns {
        return text.to_owned();
    }
    let mut clipped = String::new();
    for c in text.chars() {
        if clipped.width() + c.to_string().width() + 1 > columns {
            break;
        }
        clipped.push(c);
    }
    clipped.push('…');
    clipped
}

/// `text` padded with spaces to `columns` terminal columns (Hangul is two columns wide).
fn pad(text: &str, columns: usize) -> String {
    let fill = columns.saturating_sub(text.width());
    format!("{text}{}", " ".repeat(fill))
}
