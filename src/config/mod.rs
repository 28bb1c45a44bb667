//! Stage 1: `feeds.toml` → [`Config`].
//!
//! Every mistake in the file is reported with its line and column (`feeds.toml:12:1: message`), with a
//! suggestion where one fits, and all mistakes are reported at once rather than the first only.
//!
//! `schema` knows the file's shape (keys, defaults, rules between tables); `read` reads one table's
//! values with their places; `diagnostic` turns places into `line:column` and finds suggestions;
//! `append` adds feeds to the file in place, keeping its comments.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono_tz::Tz;
use url::Url;

mod append;
mod database;
#[cfg(test)]
mod database_tests;
mod diagnostic;
mod full_text;
mod identity;
mod locate;
mod read;
mod schema;
mod scrape;
#[cfg(test)]
mod testing;
#[cfg(test)]
mod tests;

pub use append::{AppendError, NewFeed, append_feeds};
pub use database::{DATABASE_ENV, DEFAULT_LEASE, Database, PostgresDatabase};
pub use diagnostic::Diagnostic;
pub use full_text::{DEFAULT_MAX_ARTICLES_PER_CYCLE, FullTextConfig};
pub use locate::{FeedPlaces, locate_rule};
pub use scrape::{Css, Pick, Rule, ScrapeRules, date_format};

/// Line and column (1-based, in characters) of a byte offset in `source`, for pointing at a
/// place in any text file the way `check` does.
pub fn line_column(source: &str, offset: usize) -> (usize, usize) {
    diagnostic::Reporter::new(String::new(), source).position(offset)
}

/// `url` without its `#fragment`: what is fetched, since a fragment is never sent to the server.
/// Two feeds that differ only in their fragments are the same feed (checked in `feeds.toml` and
/// on OPML import).
pub fn without_fragment(url: &Url) -> Url {
    let mut url = url.clone();
    url.set_fragment(None);
    url
}

/// The config in force, replaced whole on every successful reload: what the daemon's reloader
/// hands the pipeline and the server.
pub type ConfigWatch = tokio::sync::watch::Receiver<std::sync::Arc<Config>>;

/// Id of the built-in section that holds every feed's items (`feeds/all.xml`); no `[[section]]` may use it.
pub const ALL_SECTION: &str = "all";

/// Shortest poll interval `feeds.toml` accepts: more often would hammer publishers (and a
/// failing feed backs off from at least this).
pub const MIN_INTERVAL: Duration = Duration::from_secs(60);

/// Longest poll interval `feeds.toml` accepts: a month. Longer is a slip (`"300000y"`), and
/// would overflow the schedule's date arithmetic.
pub const MAX_INTERVAL: Duration = Duration::from_secs(30 * 24 * 60 * 60);

/// Most items one poll of a feed brings by default: a feed of tens of thousands of items is a
/// mistake or an attack, and storing them all would cost every later publish.
pub const DEFAULT_MAX_ITEMS_PER_POLL: usize = 1_000;

/// A validated configuration. Relative paths are already resolved against the config file's folder.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The file this was read from.
    pub path: PathBuf,
    pub gazette: Settings,
    pub sections: Vec<SectionConfig>,
    pub feeds: Vec<FeedConfig>,
    /// The `[digest]` table, if the file has one: the daily e-mail.
    pub digest: Option<DigestConfig>,
    /// The `[[edition]]`s: groups of feeds with their own ranking, like a paper's regional editions.
    pub editions: Vec<EditionConfig>,
}

/// The `[gazette]` table.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub title: String,
    /// Public URL the output is served under; always ends with `/`.
    pub base_url: Url,
    pub timezone: Tz,
    pub language: String,
    pub output_dir: PathBuf,
    /// Where the store lives: an SQLite file or a PostgreSQL database.
    pub database: Database,
    pub poll_interval: Duration,
    pub listen: SocketAddr,
    pub user_agent: String,
    /// How many requests are in flight at once, in all.
    pub concurrency: usize,
    /// Most items in one published feed.
    pub max_items: usize,
    /// Most items one poll of a feed brings (the newest); the rest are left out, with a warning.
    pub max_items_per_poll: usize,
    /// Longest a whole fetch may take, body included (cuts servers that trickle bytes).
    pub timeout: Duration,
    /// Longest a connection may take to open.
    pub connect_timeout: Duration,
    /// How fast a story's headline score fades: it halves every `half_life`.
    pub half_life: Duration,
    /// How many requests are in flight at once to one host.
    pub per_host: usize,
    /// Lifts the SSRF guard for every feed (intranet feeds, tests).
    pub allow_private: bool,
    /// Permanent redirects to the same place on this many polls in a row move a feed there.
    pub move_after: usize,
    /// WebSub hub announced in every feed and told of every change; `None` announces none.
    pub websub_hub: Option<Url>,
    /// How long clients and proxies may reuse a served file without asking again.
    pub cache_max_age: Duration,
    /// Longest a client may take to send a request's headers, from the moment the server waits
    /// for them: on a new connection, and on a kept-alive one after each response (so it also
    /// bounds idle connections).
    pub header_timeout: Duration,
    /// Most client connections served at once; at the cap, the oldest idle one makes room.
    pub max_connections: usize,
    /// Whether the pages announce the health feed (`<link rel="alternate">`); it is published
    /// either way, at `feeds/health.{xml,atom,json}`.
    pub health_link: bool,
}

/// One `[[section]]`.
#[derive(Debug, Clone, PartialEq)]
pub struct SectionConfig {
    /// Slug used in file names (`feeds/{id}.xml`).
    pub id: String,
    /// Display title, e.g. "정치/행정".
    pub title: String,
    /// Item categories that put an item here, from any feed (case-, width- and space-insensitive).
    pub categories: Vec<String>,
    /// Words (or `re:` regexes) in an item's title or summary that put it here, from any feed.
    pub keywords: Vec<Pattern>,
    /// Words (or `re:` regexes) that keep an item out, whatever put it here.
    pub exclude: Vec<Pattern>,
}

/// One `[[edition]]`: a named group of feeds ranked on its own (e.g. 대전판, 천안판).
#[derive(Debug, Clone, PartialEq)]
pub struct EditionConfig {
    /// Slug used in file names (`feeds/blocks/ranking-{id}.xml`).
    pub id: String,
    pub title: String,
    /// URLs of the configured feeds it groups.
    pub feeds: Vec<Url>,
}

/// A text filter from `keywords`, `include` or `exclude`: a word matched case-, width- and
/// space-insensitively, or with a `re:` prefix a regular expression.
#[derive(Debug, Clone)]
pub enum Pattern {
    Word(String),
    Regex(regex::Regex),
}

impl PartialEq for Pattern {
    /// Regexes do not compare; their sources do.
    fn eq(&self, other: &Pattern) -> bool {
        match (self, other) {
            (Pattern::Word(a), Pattern::Word(b)) => a == b,
            (Pattern::Regex(a), Pattern::Regex(b)) => a.as_str() == b.as_str(),
            _ => false,
        }
    }
}

/// One `[[feed]]`.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedConfig {
    pub url: Url,
    /// Display name; `None` means "use the feed's own title".
    pub name: Option<String>,
    /// Ids of the sections this feed's items go to.
    pub sections: Vec<String>,
    /// Poll interval for this feed; `None` means `[gazette].poll_interval`.
    pub interval: Option<Duration>,
    pub content: ContentPolicy,
    /// Zone for dates written without one; `None` means `[gazette].timezone`.
    pub timezone: Option<Tz>,
    pub enabled: bool,
    /// Only items matching one of these are kept (all when empty).
    pub include: Vec<Pattern>,
    /// Items matching one of these are left out.
    pub exclude: Vec<Pattern>,
    /// Lifts the SSRF guard for this feed; `None` means `[gazette].allow_private`.
    pub allow_private: Option<bool>,
    /// `[feed.scrape]`: the URL is an HTML list page read with these rules, not a feed.
    pub scrape: Option<ScrapeRules>,
    /// `full_text = true` (only under `content = "full"`): each new item's article page is
    /// fetched once and its text published instead of the teaser.
    pub full_text: Option<FullTextConfig>,
}

/// The `[digest]` table: one e-mail a day with the previous day's top stories.
#[derive(Debug, Clone, PartialEq)]
pub struct DigestConfig {
    /// Whether the daemon sends it; `gazette digest` builds it either way.
    pub enabled: bool,
    /// Local time (in `timezone`) at which the digest of the day before is sent.
    pub time: chrono::NaiveTime,
    /// Zone of the digest's days and send time; `None` means `[gazette].timezone`.
    pub timezone: Option<Tz>,
    /// Section ids in digest order (`all` allowed); empty means every `[[section]]`.
    pub sections: Vec<String>,
    pub max_items_per_section: usize,
    /// Subject template; `{title}` and `{date}` are the only placeholders.
    pub subject: String,
    pub from: Option<lettre::message::Mailbox>,
    /// Each recipient gets a message of their own.
    pub to: Vec<lettre::message::Mailbox>,
    /// `smtp://host:port` (STARTTLS when offered) or `smtps://host:port`; never with credentials.
    pub smtp: Option<Url>,
    /// Names of the environment variables holding the SMTP login: secrets never live in the file.
    pub smtp_user_env: Option<String>,
    pub smtp_password_env: Option<String>,
    /// How long each step of sending may take.
    pub smtp_timeouts: SmtpTimeouts,
    /// Whether a day without items is sent anyway.
    pub send_empty: bool,
    /// Whether a day whose send time passed while the daemon was down is sent when it starts.
    pub catch_up: bool,
    /// `mailto:` or http(s) URL for the `List-Unsubscribe` header and the footer link.
    pub list_unsubscribe: Option<Url>,
}

/// Limits on one SMTP conversation, so that a server that stops answering never holds a send
/// (and `gazette digest --send`) for good.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SmtpTimeouts {
    /// Opening the connection; the greeting and the reply to EHLO get `command` more.
    pub connect: std::time::Duration,
    /// Each command's reply.
    pub command: std::time::Duration,
    /// Writing the message and the reply to its end.
    pub data: std::time::Duration,
}

impl Default for SmtpTimeouts {
    fn default() -> SmtpTimeouts {
        SmtpTimeouts {
            connect: std::time::Duration::from_secs(30),
            command: std::time::Duration::from_secs(60),
            data: std::time::Duration::from_secs(5 * 60),
        }
    }
}

impl DigestConfig {
    /// The digest's zone, falling back to the global one.
    pub fn timezone_or(&self, settings: &Settings) -> Tz {
        self.timezone.unwrap_or(settings.timezone)
    }
}

/// How much of a feed's items we republish (many publishers forbid republishing full text).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ContentPolicy {
    /// A plain-text summary and the link (the default).
    #[default]
    Summary,
    /// The sanitized full HTML content as well.
    Full,
    /// The title and the link only.
    Title,
}

/// What each policy lets us republish: the one statement of the rule, which normalizing applies when
/// an item is read and merging again when it is published (it may be stored under an earlier policy).
impl ContentPolicy {
    /// Whether items keep a plain-text summary.
    pub fn keeps_summary(self) -> bool {
        !matches!(self, Self::Title)
    }

    /// Whether items keep their sanitized full HTML.
    pub fn keeps_html(self) -> bool {
        matches!(self, Self::Full)
    }

    /// Whether items keep a picture: the publisher's photo is content, like a summary, so "title and
    /// link only" keeps none.
    pub fn keeps_image(self) -> bool {
        self.keeps_summary()
    }
}

/// Why a config could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}", diagnostics.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Invalid { diagnostics: Vec<Diagnostic> },
}

impl Config {
    /// Reads and validates the file at `path`.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let source = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Config::parse(&source, path)
    }

    /// Validates `source`, the text of the file at `path` (used for messages and relative paths).
    pub fn parse(source: &str, path: &Path) -> Result<Config, ConfigError> {
        let mut reporter = diagnostic::Reporter::new(path.display().to_string(), source);
        let config = schema::read(source, path, &mut reporter);
        match (reporter.finish(), config) {
            (None, Some(config)) => Ok(config),
            // `read` gives no config only after reporting why, so the list is never empty in practice.
            (diagnostics, _) => Err(ConfigError::Invalid {
                diagnostics: diagnostics.unwrap_or_default(),
            }),
        }
    }

    /// The `[[section]]` with this id.
    pub fn section(&self, id: &str) -> Option<&SectionConfig> {
        self.sections.iter().find(|s| s.id == id)
    }
}

impl FeedConfig {
    /// This feed's poll interval, falling back to the global one.
    pub fn interval_or(&self, settings: &Settings) -> Duration {
        self.interval.unwrap_or(settings.poll_interval)
    }

    /// Zone for dates without one, falling back to the global one.
    pub fn timezone_or(&self, settings: &Settings) -> Tz {
        self.timezone.unwrap_or(settings.timezone)
    }
}
