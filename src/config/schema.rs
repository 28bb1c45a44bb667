//! The shape of `feeds.toml`: which keys each table holds, their types, defaults and the rules between
//! tables (section ids, duplicate feeds).
//!
//! A new key is one entry in its table's key list plus one line in the function that reads the table.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use chrono_tz::Tz;
use toml::Spanned;
use toml::de::DeTable;
use url::Url;

use super::diagnostic::{Reporter, quoted, unknown};
use super::read::{Table, boolean, count, parsed, string, strings, text};
use super::{ALL_SECTION, Config, ContentPolicy, FeedConfig, SectionConfig, Settings};

const TOP_KEYS: &[&str] = &["gazette", "section", "feed"];
const GAZETTE_KEYS: &[&str] = &[
    "title",
    "base_url",
    "timezone",
    "language",
    "output_dir",
    "database",
    "poll_interval",
    "listen",
    "user_agent",
    "concurrency",
    "max_items",
    "timeout",
    "connect_timeout",
];
const SECTION_KEYS: &[&str] = &["id", "title"];
const FEED_KEYS: &[&str] = &[
    "url", "name", "sections", "interval", "content", "timezone", "enabled",
];

const DEFAULT_USER_AGENT: &str = concat!(
    "gazette/",
    env!("CARGO_PKG_VERSION"),
    " (+https://github.com/gazette-rs/gazette)"
);

/// Reads the whole file. The file is valid only if `r` recorded no mistake; the `Config` returned
/// otherwise (broken parts left out or defaulted, or none at all) only served to find more mistakes.
pub(super) fn read(source: &str, path: &Path, r: &mut Reporter<'_>) -> Option<Config> {
    let (document, syntax_errors) = DeTable::parse_recoverable(source);
    let empty = DeTable::new();
    // After a syntax error the recovered document is a guess; checking it would add confusing mistakes
    // that are only echoes of the first, so syntax errors are reported alone.
    let root = if syntax_errors.is_empty() {
        document.get_ref()
    } else {
        for error in &syntax_errors {
            r.error(&error.span().unwrap_or(0..0), error.message());
        }
        &empty
    };
    let root = Table::root(r, root, TOP_KEYS);
    let dir = path.parent().unwrap_or(Path::new(""));

    // A `[gazette]` that is absent, or not a table (reported), leaves every setting at its default.
    let gazette = root
        .value("gazette")
        .and_then(|value| Table::new(r, "gazette", value, GAZETTE_KEYS))
        .unwrap_or_else(|| Table::root(r, &empty, GAZETTE_KEYS));
    let gazette = settings(r, &gazette, dir);

    let sections = root
        .value("section")
        .map(|value| Table::array(r, "section", value, SECTION_KEYS))
        .unwrap_or_default();
    let (sections, named) = read_sections(r, &sections);

    let feeds = root
        .value("feed")
        .map(|value| Table::array(r, "feed", value, FEED_KEYS))
        .unwrap_or_default();
    let feeds = read_feeds(r, &feeds, &named);

    Some(Config {
        path: path.to_path_buf(),
        gazette: gazette?,
        sections,
        feeds,
    })
}

/// The `[gazette]` table; every key has a default.
fn settings(r: &mut Reporter<'_>, table: &Table<'_, '_>, dir: &Path) -> Option<Settings> {
    let listen = table
        .get(r, "listen", parsed(listen))
        .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080)));
    let base_url = table.get(r, "base_url", parsed(base_url)).or_else(|| {
        default_base_url(listen)
            .map_err(|message| r.error(&table.span(), message))
            .ok()
    });
    Some(Settings {
        title: table
            .get(r, "title", text)
            .unwrap_or_else(|| "gazette".into()),
        base_url: base_url?,
        timezone: table
            .get(r, "timezone", parsed(timezone))
            .unwrap_or(Tz::Asia__Seoul),
        language: table
            .get(r, "language", text)
            .unwrap_or_else(|| "ko".into()),
        output_dir: dir.join(
            table
                .get(r, "output_dir", text)
                .unwrap_or_else(|| "output".into()),
        ),
        database: dir.join(
            table
                .get(r, "database", text)
                .unwrap_or_else(|| "gazette.db".into()),
        ),
        poll_interval: table
            .get(r, "poll_interval", parsed(duration))
            .unwrap_or(Duration::from_secs(15 * 60)),
        listen,
        user_agent: table
            .get(r, "user_agent", text)
            .unwrap_or_else(|| DEFAULT_USER_AGENT.into()),
        concurrency: table.get(r, "concurrency", count).unwrap_or(16),
        max_items: table.get(r, "max_items", count).unwrap_or(50),
        timeout: table
            .get(r, "timeout", parsed(duration))
            .unwrap_or(Duration::from_secs(30)),
        connect_timeout: table
            .get(r, "connect_timeout", parsed(duration))
            .unwrap_or(Duration::from_secs(10)),
    })
}

/// The `[[section]]` tables, and every id they name (valid or not, so that a mistake in a section is
/// not echoed by every feed that lists it).
fn read_sections(
    r: &mut Reporter<'_>,
    tables: &[Table<'_, '_>],
) -> (Vec<SectionConfig>, Vec<String>) {
    let mut first_at: HashMap<String, usize> = HashMap::new();
    let mut named = Vec::new();
    let mut sections = Vec::new();
    for table in tables {
        let id = table.require(r, "id", string).and_then(|id| {
            let text = *id.get_ref();
            if text == ALL_SECTION {
                // Feeds listing `all` get their own message, so it is not recorded as named.
                r.error(
                    &id.span(),
                    "section id `all` is reserved for the built-in section of every item",
                );
                return None;
            }
            let valid = section_id(text).map_err(|message| r.error(&id.span(), message));
            if let Some(&first) = first_at.get(text) {
                let line = r.line(first);
                r.error(
                    &id.span(),
                    format!("duplicate section id `{text}`, first defined on line {line}"),
                );
                return None;
            }
            first_at.insert(text.to_string(), id.span().start);
            named.push(text.to_string());
            valid.ok().map(|()| text.to_string())
        });
        let title = table.require(r, "title", text);
        if let (Some(id), Some(title)) = (id, title) {
            sections.push(SectionConfig { id, title });
        }
    }
    (sections, named)
}

/// The `[[feed]]` tables; `sections` are the ids named by `[[section]]`s.
fn read_feeds(
    r: &mut Reporter<'_>,
    tables: &[Table<'_, '_>],
    sections: &[String],
) -> Vec<FeedConfig> {
    let mut first_at: HashMap<Url, usize> = HashMap::new();
    tables
        .iter()
        .filter_map(|table| read_feed(r, table, sections, &mut first_at))
        .collect()
}

/// One `[[feed]]`; `first_at` holds the URLs of the feeds before it and where they were given.
fn read_feed(
    r: &mut Reporter<'_>,
    table: &Table<'_, '_>,
    sections: &[String],
    first_at: &mut HashMap<Url, usize>,
) -> Option<FeedConfig> {
    let url = table.require(r, "url", string).and_then(|text| {
        let url = feed_url(text.get_ref())
            .map_err(|message| r.error(&text.span(), message))
            .ok()?;
        if let Some(&first) = first_at.get(&url) {
            let line = r.line(first);
            r.error(
                &text.span(),
                format!(
                    "duplicate feed url `{}`, first listed on line {line}",
                    text.get_ref()
                ),
            );
            return None;
        }
        first_at.insert(url.clone(), text.span().start);
        Some(url)
    });
    // Everything is read before giving up on a feed without a usable URL, so that all its mistakes
    // are reported.
    let name = table.get(r, "name", text);
    let ids = table.get(r, "sections", strings).unwrap_or_default();
    let sections = feed_sections(r, &ids, sections);
    let interval = table.get(r, "interval", parsed(duration));
    let content = table.get(r, "content", parsed(content)).unwrap_or_default();
    let timezone = table.get(r, "timezone", parsed(timezone));
    let enabled = table.get(r, "enabled", boolean).unwrap_or(true);
    Some(FeedConfig {
        url: url?,
        name,
        sections,
        interval,
        content,
        timezone,
        enabled,
    })
}

/// A feed's `sections`: each must name a `[[section]]`, once.
fn feed_sections(r: &mut Reporter<'_>, ids: &[Spanned<&str>], sections: &[String]) -> Vec<String> {
    let mut listed: Vec<String> = Vec::new();
    for id in ids {
        let text = *id.get_ref();
        if text == ALL_SECTION {
            r.error(
                &id.span(),
                "section `all` is built in and holds every feed; leave it out",
            );
        } else if !sections.iter().any(|known| known == text) {
            let expected = if sections.is_empty() {
                "the id of a [[section]]; none is defined".to_string()
            } else {
                format!("one of {}", quoted(sections.iter().map(String::as_str)))
            };
            let candidates = sections.iter().map(String::as_str);
            r.error(&id.span(), unknown("section", text, candidates, &expected));
        } else if listed.iter().any(|seen| seen == text) {
            r.error(&id.span(), format!("section `{text}` is listed twice"));
        } else {
            listed.push(text.to_string());
        }
    }
    listed
}

/// A section id is used in file names and URLs, so it is kept to a portable slug.
fn section_id(text: &str) -> Result<(), String> {
    let portable = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_';
    if text.is_empty() || !text.chars().all(portable) {
        Err(format!(
            "bad section id `{text}`: expected lowercase letters, digits, '-' and '_', e.g. \"politics\""
        ))
    } else {
        Ok(())
    }
}

/// An absolute http(s) URL; `example` shows the expected form.
fn web_url(text: &str, example: &str) -> Result<Url, String> {
    let url = Url::parse(text).map_err(|e| {
        format!("bad url `{text}`: {e}; expected an absolute URL like \"{example}\"")
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "bad url `{text}`: expected an http or https URL like \"{example}\""
        ));
    }
    Ok(url)
}

fn feed_url(text: &str) -> Result<Url, String> {
    web_url(text, "https://example.com/rss.xml")
}

/// Output URLs are joined onto `base_url`, which only works when it ends with `/` and has no query.
fn base_url(text: &str) -> Result<Url, String> {
    let mut url = web_url(text, "https://news.example.com/")?;
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!(
            "bad base_url `{text}`: expected no query or fragment, like \"https://news.example.com/\""
        ));
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

fn duration(text: &str) -> Result<Duration, String> {
    match humantime::parse_duration(text) {
        Ok(duration) if duration.is_zero() => {
            Err(format!("bad duration `{text}`: expected more than zero"))
        }
        Ok(duration) => Ok(duration),
        Err(_) => Err(format!(
            "bad duration `{text}`: expected e.g. \"15m\", \"1h30m\""
        )),
    }
}

fn timezone(text: &str) -> Result<Tz, String> {
    text.parse().map_err(|_| {
        let names = chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name());
        unknown("timezone", text, names, "an IANA name like \"Asia/Seoul\"")
    })
}

fn listen(text: &str) -> Result<SocketAddr, String> {
    text.parse().map_err(|_| {
        format!(
            "bad listen address `{text}`: expected an IP address and port like \"127.0.0.1:8080\""
        )
    })
}

fn content(text: &str) -> Result<ContentPolicy, String> {
    match text {
        "summary" => Ok(ContentPolicy::Summary),
        "full" => Ok(ContentPolicy::Full),
        "title" => Ok(ContentPolicy::Title),
        _ => Err(unknown(
            "content",
            text,
            ["summary", "full", "title"],
            "\"summary\", \"full\" or \"title\"",
        )),
    }
}

/// `http://{listen}/`: the output as served by `gazette run` itself.
fn default_base_url(listen: SocketAddr) -> Result<Url, String> {
    Url::parse(&format!("http://{listen}/"))
        .map_err(|e| format!("cannot serve at `{listen}` ({e}): set `base_url`"))
}
