//! Stage 1: `feeds.toml` → [`Config`].
//!
//! Every mistake in the file is reported with its line and column (`feeds.toml:12:1: message`), with a
//! suggestion where one fits, and all mistakes are reported at once rather than the first only.
//!
//! `schema` knows the file's shape (keys, defaults, rules between tables); `read` reads one table's
//! values with their places; `diagnostic` turns places into `line:column` and finds suggestions.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono_tz::Tz;
use url::Url;

mod diagnostic;
mod read;
mod schema;
#[cfg(test)]
mod tests;

pub use diagnostic::Diagnostic;

/// Id of the built-in section that holds every feed's items (`feeds/all.xml`); no `[[section]]` may use it.
pub const ALL_SECTION: &str = "all";

/// A validated configuration. Relative paths are already resolved against the config file's folder.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The file this was read from.
    pub path: PathBuf,
    pub gazette: Settings,
    pub sections: Vec<SectionConfig>,
    pub feeds: Vec<FeedConfig>,
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
    pub database: PathBuf,
    pub poll_interval: Duration,
    pub listen: SocketAddr,
    pub user_agent: String,
    /// How many feeds are fetched at once.
    pub concurrency: usize,
    /// Most items in one published feed.
    pub max_items: usize,
    /// Longest a whole fetch may take, body included (cuts servers that trickle bytes).
    pub timeout: Duration,
    /// Longest a connection may take to open.
    pub connect_timeout: Duration,
}

/// One `[[section]]`.
#[derive(Debug, Clone, PartialEq)]
pub struct SectionConfig {
    /// Slug used in file names (`feeds/{id}.xml`).
    pub id: String,
    /// Display title, e.g. "정치/행정".
    pub title: String,
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
