//! The command line: parses arguments, sets up logging and hands off to the stages.
//!
//! Exit statuses: 0 on success, 1 when the work failed (every feed failed, the output could not be
//! written, a file is not a feed), 2 when the config is invalid.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use unicode_width::UnicodeWidthStr;

use crate::config::{Config, ConfigError, FeedPlaces};
use crate::daemon::instance::InstanceLock;
use crate::daemon::{CycleReport, Pipeline};
use crate::fetch::{FetchError, FetchOutcome, FetchRequest, FetchSettings, Fetcher, PrivateAccess};
use crate::model::FeedHealth;
use crate::opml::OpmlError;
use crate::parse::{ParseHints, ParsedFeed, parse};
use crate::store::Store;
use crate::store::feed_health;

mod add;
mod explain;
mod feeds;
mod migrate;
mod refetch;
mod scrape;

#[derive(Debug, Parser)]
#[command(name = "gazette", version, about = "Feed aggregator and republisher")]
struct Cli {
    /// How log lines on stderr are written: `json` for log collectors (one object a line).
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the daemon: poll feeds when due, publish, and serve the output over HTTP.
    Run(ConfigArg),
    /// Run one full cycle, print a summary and exit.
    Once(ConfigArg),
    /// Validate the config file (and tell which feeds have moved or are gone).
    Check(ConfigArg),
    /// Show every feed's health: last status, last success, errors, next poll, items; or with
    /// --problems only the feeds that need attention, each with the action that fixes it.
    Feeds(feeds::FeedsArgs),
    /// Read one feed from a file or URL and print what gazette sees in it.
    Parse(ParseArgs),
    /// Read an HTML list page with CSS rules and print the items they find: for writing a
    /// feed's `[feed.scrape]` rules.
    Scrape(Box<scrape::ScrapeArgs>),
    /// Fetch the article pages of a `full_text` feed's stored items again, at its next polls.
    Refetch(refetch::RefetchArgs),
    /// Find the feeds of a site (from its home page, an article or a feed), show what each
    /// holds, and add one to the config, keeping its comments.
    Add(add::AddArgs),
    /// Export the feeds as OPML, or import another reader's OPML export.
    #[command(subcommand)]
    Opml(OpmlCommand),
    /// Build the daily digest of one day into output/digest/, and with --send mail it.
    Digest(DigestArgs),
    /// Say why an item is where it is (the fetch it came from, the rules that placed it, what
    /// it was merged with), or with --missing why an article is not published.
    Explain(explain::ExplainArgs),
    /// Copy the SQLite store into a PostgreSQL database (idempotent: run again to resume).
    Migrate(migrate::MigrateArgs),
}

#[derive(Debug, Args)]
struct DigestArgs {
    #[command(flatten)]
    config: ConfigArg,
    /// The day, in the digest's zone (default: the last complete day).
    #[arg(long, value_name = "YYYY-MM-DD")]
    date: Option<chrono::NaiveDate>,
    /// Mail it to every recipient who does not have it yet.
    #[arg(long)]
    send: bool,
}

#[derive(Debug, Subcommand)]
enum OpmlCommand {
    /// Print the enabled feeds as OPML, each section a folder.
    Export(ConfigArg),
    /// Add the feeds of an OPML file to the config, keeping its comments; feeds already listed
    /// are skipped, and a folder named like a section puts its feeds there.
    Import {
        /// The OPML file.
        file: PathBuf,
        #[command(flatten)]
        config: ConfigArg,
    },
}

#[derive(Debug, Args)]
struct ConfigArg {
    /// The config file.
    #[arg(long, short, env = "GAZETTE_CONFIG", default_value = "feeds.toml")]
    config: PathBuf,
}

#[derive(Debug, Args)]
struct ParseArgs {
    /// A file path, or an http(s) URL.
    source: String,
    /// Print the whole feed as JSON.
    #[arg(long)]
    json: bool,
    /// Zone for dates written without one.
    #[arg(long, default_value = "Asia/Seoul")]
    timezone: chrono_tz::Tz,
    /// Allow a URL on a loopback, private or link-local address (an intranet feed). Redirects
    /// to any other host stay guarded.
    #[arg(long)]
    allow_private: bool,
}

/// Exit status for an invalid config.
const EXIT_CONFIG: u8 = 2;

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.log_format);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => return fail(format!("cannot start the async runtime: {error}")),
    };
    runtime.block_on(async {
        match cli.command {
            Command::Run(args) => run(&args.config).await,
            Command::Once(args) => once(&args.config).await,
            Command::Check(args) => check(&args.config),
            Command::Feeds(args) => feeds::command(&args).await,
            Command::Parse(args) => parse_command(&args).await,
            Command::Scrape(args) => scrape::command(&args).await,
            Command::Refetch(args) => refetch::command(&args),
            Command::Digest(args) => digest(&args).await,
            Command::Explain(args) => explain::command(&args),
            Command::Migrate(args) => migrate::command(&args).await,
            Command::Add(args) => add::command(&args).await,
            Command::Opml(OpmlCommand::Export(args)) => opml_export(&args.config),
            Command::Opml(OpmlCommand::Import { file, config }) => {
                opml_import(&config.config, &file)
            }
        }
    })
}

fn init_logging(format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("GAZETTE_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let logger = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => logger.init(),
        LogFormat::Json => logger.json().init(),
    }
}

fn fail(message: impl std::fmt::Display) -> ExitCode {
    // Errors quote servers and files; their lines stay lines, anything else is shown escaped.
    let message = message.to_string();
    let lines: Vec<_> = message.lines().map(shown).collect();
    eprintln!("error: {}", lines.join("\n"));
    ExitCode::FAILURE
}

/// Loads the config, printing its mistakes one per line.
fn load_config(path: &Path) -> Result<Config, ExitCode> {
    Config::load(path).map_err(|error| config_failure(&error))
}

/// Prints why the config is unusable, one mistake per line; the exit status for it.
fn config_failure(error: &ConfigError) -> ExitCode {
    match error {
        ConfigError::Invalid { diagnostics } => {
            for diagnostic in diagnostics {
                eprintln!("{diagnostic}");
            }
        }
        ConfigError::Read { .. } => eprintln!("error: {error}"),
    }
    ExitCode::from(EXIT_CONFIG)
}

fn opml_export(path: &Path) -> ExitCode {
    match load_config(path) {
        Ok(config) => {
            print!("{}", crate::render::opml::export(&config));
            ExitCode::SUCCESS
        }
        Err(code) => code,
    }
}

fn opml_import(config: &Path, file: &Path) -> ExitCode {
    let report = match crate::opml::import(config, file) {
        Ok(report) => report,
        Err(OpmlError::Config(error)) => return config_failure(&error),
        Err(error) => return fail(error),
    };
    for url in &report.added {
        println!("added    {url}");
    }
    for url in &report.duplicates {
        println!("skipped  {}: already listed", shown(url));
    }
    for (url, why) in &report.invalid {
        println!("skipped  {}: {}", shown(url), shown(why));
    }
    for folder in &report.unknown_folders {
        println!(
            "note: folder `{}` is no [[section]]'s id or title; its feeds have none",
            shown(folder)
        );
    }
    println!(
        "{}: {} added, {} already listed, {} invalid",
        config.display(),
        plural(report.added.len(), "feed"),
        report.duplicates.len(),
        report.invalid.len()
    );
    ExitCode::SUCCESS
}

fn check(path: &Path) -> ExitCode {
    let config = match load_config(path) {
        Ok(config) => config,
        Err(code) => return code,
    };
    println!(
        "{}: ok, {} in {}",
        path.display(),
        plural(config.feeds.len(), "feed"),
        plural(config.sections.len(), "section")
    );
    // What the poller learned and only the admin can act on. Without a store there is nothing.
    let database = &config.gazette.database;
    if database.sqlite_path().is_none_or(Path::exists) {
        match Store::connect(database).and_then(|store| feed_health(&config, &store)) {
            Ok(health) => print_feed_notes(path, &health),
            Err(error) => eprintln!("warning: cannot read the store: {error}"),
        }
    }
    ExitCode::SUCCESS
}

/// Suggests the edits to feeds.toml that moved and gone feeds call for, at the url's line:col.
fn print_feed_notes(path: &Path, health: &[FeedHealth]) {
    let places = FeedPlaces::read(path);
    for feed in health {
        let at = places.at_or_file(&feed.url);
        if let Some(moved) = &feed.moved_to {
            println!(
                "{at}: note: `{}` has moved permanently to `{}`; change the url to it",
                feed.url,
                shown(moved)
            );
        }
        if feed.gone {
            println!(
                "{at}: note: `{}` answered 410 Gone and is no longer polled; remove it or change its entry",
                feed.url
            );
        }
    }
}

/// Loads the config and opens the pipeline on it, printing what stops either.
fn open_pipeline(path: &Path) -> Result<Pipeline, ExitCode> {
    let config = load_config(path)?;
    Pipeline::open(config).map_err(fail)
}

/// The pipeline of `run` and `once`, which write: only once no other gazette holds its store and
/// output folder (see [`InstanceLock`]). The lock is held while the returned guard lives.
fn open_pipeline_alone(path: &Path) -> Result<(Pipeline, InstanceLock), ExitCode> {
    let config = load_config(path)?;
    let lock = InstanceLock::acquire(&config.gazette).map_err(fail)?;
    let pipeline = Pipeline::open(config).map_err(fail)?;
    Ok((pipeline, lock))
}

/// Untrusted text (from a feed, a server, an OPML file) as printed on the terminal: escape
/// sequences in it are shown, never run.
fn shown(text: &str) -> std::borrow::Cow<'_, str> {
    crate::control_chars::escape(text)
}

fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

async fn once(path: &Path) -> ExitCode {
    let (pipeline, _lock) = match open_pipeline_alone(path) {
        Ok(opened) => opened,
        Err(code) => return code,
    };
    let report = match pipeline.once().await {
        Ok(report) => report,
        Err(error) => return fail(error),
    };
    print_summary(&report);
    if !report.feeds.is_empty() && report.failures() == report.feeds.len() {
        return fail("every feed failed");
    }
    ExitCode::SUCCESS
}

async fn run(path: &Path) -> ExitCode {
    let (pipeline, _lock) = match open_pipeline_alone(path) {
        Ok(opened) => opened,
        Err(code) => return code,
    };
    match pipeline.run_and_serve().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => fail(error),
    }
}

/// The table `once` prints: feed, HTTP status, new items, error.
fn print_summary(report: &CycleReport) {
    let rows: Vec<[String; 4]> = report
        .feeds
        .iter()
        .map(|feed| {
            [
                shown(&feed.name).into_owned(),
                feed.status
                    .map_or_else(|| "-".to_owned(), |s| s.to_string()),
                feed.saved.new.to_string(),
                shown(feed.error.as_deref().unwrap_or_default()).into_owned(),
            ]
        })
        .collect();
    let header = ["FEED", "STATUS", "NEW", "ERROR"].map(str::to_owned);
    let mut widths = [0; 4];
    for row in std::iter::once(&header).chain(&rows) {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.width());
        }
    }
    let mut out = std::io::stdout().lock();
    for row in std::iter::once(&header).chain(&rows) {
        let mut line = String::new();
        for (i, (cell, width)) in row.iter().zip(widths).enumerate() {
            line.push_str(cell);
            if i < 3 {
                line.push_str(&" ".repeat(width - cell.width() + 2));
            }
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
    let _ = writeln!(out, "{}", report.summary());
}

/// `gazette digest`: exits 1 unless every recipient has the message (when sending).
async fn digest(args: &DigestArgs) -> ExitCode {
    let config = match load_config(&args.config.config) {
        Ok(config) => config,
        Err(code) => return code,
    };
    let output_dir = config.gazette.output_dir.clone();
    let report = match crate::digest::command(config, args.date, args.send).await {
        Ok(report) => report,
        Err(error) => return fail(error),
    };
    let stories = match report.stories {
        1 => "1 story".to_owned(),
        count => format!("{count} stories"),
    };
    println!("{}: {} — {stories}", report.day, report.subject);
    for file in &report.files {
        println!("wrote {}", output_dir.join(file).display());
    }
    if report.empty_not_sent {
        println!("nothing sent: no items that day (set send_empty = true to send anyway)");
    }
    match &report.sent {
        Some(sent) => {
            print!("{sent}");
            if sent.all_sent() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        None => ExitCode::SUCCESS,
    }
}

async fn parse_command(args: &ParseArgs) -> ExitCode {
    let (bytes, content_type, url) = match read_source(&args.source, args.allow_private).await {
        Ok(source) => source,
        Err(message) => return fail(message),
    };
    let hints = ParseHints {
        content_type: content_type.as_deref(),
        url: url.as_ref(),
        timezone: args.timezone,
    };
    match parse(&bytes, &hints) {
        Ok(feed) if args.json => match serde_json::to_string_pretty(&feed) {
            Ok(json) => {
                println!("{json}");
                ExitCode::SUCCESS
            }
            Err(error) => fail(error),
        },
        Ok(feed) => {
            print_feed(&feed);
            ExitCode::SUCCESS
        }
        Err(error) => fail(error),
    }
}

type Source = (Vec<u8>, Option<String>, Option<url::Url>);

/// The bytes of a file, or of a URL's response with its content type and final URL.
async fn read_source(source: &str, allow_private: bool) -> Result<Source, String> {
    if source.starts_with("http://") || source.starts_with("https://") {
        let url = url::Url::parse(source).map_err(|e| format!("bad URL {source}: {e}"))?;
        let fetcher = Fetcher::new(&FetchSettings::one_off()).map_err(|e| e.to_string())?;
        let request = FetchRequest {
            url: url.clone(),
            etag: None,
            last_modified: None,
            private: if allow_private {
                PrivateAccess::OwnHost
            } else {
                PrivateAccess::Refused
            },
        };
        match fetcher.fetch(&request).await {
            FetchOutcome::Fetched(fetched) => Ok((
                fetched.body.to_vec(),
                fetched.content_type,
                Some(fetched.final_url),
            )),
            FetchOutcome::NotModified { .. } => Err(format!("{url}: unexpected 304")),
            FetchOutcome::Failed {
                error: error @ FetchError::Refused(_),
                ..
            } if !allow_private => Err(format!(
                "{url}: {error}; pass --allow-private to read an intranet feed"
            )),
            FetchOutcome::Failed { error, .. } => Err(format!("{url}: {error}")),
        }
    } else {
        // A file has no base URL: relative links stay as written.
        let bytes = std::fs::read(source).map_err(|e| format!("cannot read {source}: {e}"))?;
        Ok((bytes, None, None))
    }
}

/// A feed format as `gazette parse --json` names it: `rss2.0`, `atom1.0`, `json1.1`…
fn format_name(format: crate::parse::FeedFormat) -> String {
    serde_json::to_value(format)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The human-readable view of `gazette parse`.
fn print_feed(feed: &ParsedFeed) {
    let mut out = std::io::stdout().lock();
    let text = |value: &Option<String>| {
        value
            .as_deref()
            .map_or_else(|| "-".to_owned(), |value| shown(value).into_owned())
    };
    let _ = writeln!(out, "title:    {}", text(&feed.meta.title));
    let _ = writeln!(out, "link:     {}", text(&feed.meta.link));
    let _ = writeln!(out, "format:   {}", format_name(feed.format));
    let _ = writeln!(out, "encoding: {}", feed.encoding);
    let _ = writeln!(out, "entries:  {}", feed.entries.len());
    for warning in &feed.warnings {
        let _ = writeln!(out, "warning:  {}", shown(warning));
    }
    for entry in &feed.entries {
        let date = entry.published.or(entry.updated).map_or_else(
            || "-".repeat(20),
            |d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        );
        let _ = writeln!(out, "{date}  {}", text(&entry.title));
    }
}
