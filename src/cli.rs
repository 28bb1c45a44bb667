//! The command line: parses arguments, sets up logging and hands off to the stages.
//!
//! Exit statuses: 0 on success, 1 when the work failed (every feed failed, the output could not be
//! written, a file is not a feed), 2 when the config is invalid.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use unicode_width::UnicodeWidthStr;

use crate::config::{Config, ConfigError};
use crate::daemon::{CycleReport, Pipeline};
use crate::fetch::{FetchOutcome, FetchRequest, FetchSettings, Fetcher};
use crate::parse::{ParseHints, ParsedFeed, parse};

#[derive(Debug, Parser)]
#[command(name = "gazette", version, about = "Feed aggregator and republisher")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the daemon: poll feeds when due, publish, and serve the output over HTTP.
    Run(ConfigArg),
    /// Run one full cycle, print a summary and exit.
    Once(ConfigArg),
    /// Validate the config file.
    Check(ConfigArg),
    /// Read one feed from a file or URL and print what gazette sees in it.
    Parse(ParseArgs),
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
}

/// Exit status for an invalid config.
const EXIT_CONFIG: u8 = 2;

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => return fail(format!("cannot start the async runtime: {error}")),
    };
    runtime.block_on(async {
        match cli.command {
            Command::Run(args) => run(&args.config).await,
            Command::Once(args) => once(&args.config).await,
            Command::Check(args) => check(&args.config),
            Command::Parse(args) => parse_command(&args).await,
        }
    })
}

fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("GAZETTE_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::FAILURE
}

/// Loads the config, printing its mistakes one per line.
fn load_config(path: &Path) -> Result<Config, ExitCode> {
    Config::load(path).map_err(|error| {
        match &error {
            ConfigError::Invalid { diagnostics } => {
                for diagnostic in diagnostics {
                    eprintln!("{diagnostic}");
                }
            }
            ConfigError::Read { .. } => eprintln!("error: {error}"),
        }
        ExitCode::from(EXIT_CONFIG)
    })
}

fn check(path: &Path) -> ExitCode {
    match load_config(path) {
        Ok(config) => {
            println!(
                "{}: ok, {} in {}",
                path.display(),
                plural(config.feeds.len(), "feed"),
                plural(config.sections.len(), "section")
            );
            ExitCode::SUCCESS
        }
        Err(code) => code,
    }
}

fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

async fn once(path: &Path) -> ExitCode {
    let config = match load_config(path) {
        Ok(config) => config,
        Err(code) => return code,
    };
    let pipeline = match Pipeline::open(config) {
        Ok(pipeline) => pipeline,
        Err(error) => return fail(error),
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
    let config = match load_config(path) {
        Ok(config) => config,
        Err(code) => return code,
    };
    let pipeline = match Pipeline::open(config) {
        Ok(pipeline) => pipeline,
        Err(error) => return fail(error),
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
                feed.name.clone(),
                feed.status
                    .map_or_else(|| "-".to_owned(), |s| s.to_string()),
                feed.saved.new.to_string(),
                feed.error.clone().unwrap_or_default(),
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

async fn parse_command(args: &ParseArgs) -> ExitCode {
    let (bytes, content_type, url) = match read_source(&args.source).await {
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
async fn read_source(source: &str) -> Result<Source, String> {
    if source.starts_with("http://") || source.starts_with("https://") {
        let url = url::Url::parse(source).map_err(|e| format!("bad URL {source}: {e}"))?;
        let fetcher = Fetcher::new(&FetchSettings::one_off()).map_err(|e| e.to_string())?;
        let request = FetchRequest {
            url: url.clone(),
            etag: None,
            last_modified: None,
        };
        match fetcher.fetch(&request).await {
            FetchOutcome::Fetched(fetched) => Ok((
                fetched.body.to_vec(),
                fetched.content_type,
                Some(fetched.final_url),
            )),
            FetchOutcome::NotModified => Err(format!("{url}: unexpected 304")),
            FetchOutcome::Failed(error) => Err(format!("{url}: {error}")),
        }
    } else {
        // A file has no base URL: relative links stay as written.
        let bytes = std::fs::read(source).map_err(|e| format!("cannot read {source}: {e}"))?;
        Ok((bytes, None, None))
    }
}

/// The human-readable view of `gazette parse`.
fn print_feed(feed: &ParsedFeed) {
    let mut out = std::io::stdout().lock();
    let text = |value: &Option<String>| value.clone().unwrap_or_else(|| "-".to_owned());
    let _ = writeln!(out, "title:    {}", text(&feed.meta.title));
    let _ = writeln!(out, "link:     {}", text(&feed.meta.link));
    let _ = writeln!(
        out,
        "format:   {}",
        serde_json::to_value(feed.format)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    );
    let _ = writeln!(out, "encoding: {}", feed.encoding);
    let _ = writeln!(out, "entries:  {}", feed.entries.len());
    for warning in &feed.warnings {
        let _ = writeln!(out, "warning:  {warning}");
    }
    for entry in &feed.entries {
        let date = entry.published.or(entry.updated).map_or_else(
            || "-".repeat(20),
            |d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        );
        let _ = writeln!(out, "{date}  {}", text(&entry.title));
    }
}
