//! The shape of `feeds.toml`: which keys each table holds, their types, defaults and the rules between
//! tables (section ids, duplicate feeds).
//!
//! A new key is one entry in its table's key list plus one line in the function that reads the table.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use chrono::NaiveTime;
use chrono_tz::Tz;
use lettre::message::Mailbox;
use toml::Spanned;
use toml::de::DeTable;
use url::Url;

use crate::layout::HEALTH_FEED;
use crate::text::web_url::{NotWebUrl, WebUrl};

use super::database::read_database;
use super::diagnostic::{Reporter, quoted, unknown};
use super::full_text::read_full_text;
use super::read::{Table, Value, boolean, count, parsed, string, strings, text};
use super::scrape::{Css, Rule, SCRAPE_KEYS, ScrapeRules, date_format};
use super::{
    ALL_SECTION, Config, ContentPolicy, DEFAULT_MAX_ITEMS_PER_POLL, EditionConfig, FeedConfig,
    MAX_INTERVAL, MIN_INTERVAL, Pattern, SectionConfig, Settings,
};
use super::{DigestConfig, SmtpTimeouts};

const TOP_KEYS: &[&str] = &["gazette", "section", "feed", "edition", "digest"];
const GAZETTE_KEYS: &[&str] = &[
    "title",
    "base_url",
    "timezone",
    "language",
    "output_dir",
    "database",
    "database_password_env",
    "node",
    "lease",
    "poll_interval",
    "listen",
    "user_agent",
    "concurrency",
    "max_items",
    "max_items_per_poll",
    "timeout",
    "connect_timeout",
    "half_life",
    "per_host",
    "allow_private",
    "move_after",
    "websub_hub",
    "cache_max_age",
    "header_timeout",
    "max_connections",
    "health_link",
];
const SECTION_KEYS: &[&str] = &["id", "title", "categories", "keywords", "exclude"];
const EDITION_KEYS: &[&str] = &["id", "title", "feeds"];
const FEED_KEYS: &[&str] = &[
    "url",
    "name",
    "sections",
    "interval",
    "content",
    "timezone",
    "enabled",
    "allow_private",
    "include",
    "exclude",
    "scrape",
    "full_text",
    "full_text_selector",
    "full_text_remove",
    "full_text_max_per_cycle",
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

    let editions = root
        .value("edition")
        .map(|value| Table::array(r, "edition", value, EDITION_KEYS))
        .unwrap_or_default();
    let editions = read_editions(r, &editions, &feeds);

    let digest = root
        .value("digest")
        .and_then(|value| Table::new(r, "digest", value, DIGEST_KEYS))
        .and_then(|table| read_digest(r, &table, &named));

    Some(Config {
        path: path.to_path_buf(),
        gazette: gazette?,
        sections,
        feeds,
        digest,
        editions,
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
        database: read_database(r, table, dir, LEASE.parser())?,
        poll_interval: table
            .get(r, "poll_interval", parsed(POLL_INTERVAL.parser()))
            .unwrap_or(Duration::from_secs(15 * 60)),
        listen,
        user_agent: table
            .get(r, "user_agent", text)
            .unwrap_or_else(|| DEFAULT_USER_AGENT.into()),
        concurrency: table.get(r, "concurrency", count).unwrap_or(64),
        per_host: table.get(r, "per_host", count).unwrap_or(2),
        allow_private: table.get(r, "allow_private", boolean).unwrap_or(false),
        move_after: table.get(r, "move_after", count).unwrap_or(3),
        websub_hub: table.get(r, "websub_hub", parsed(hub_url)),
        cache_max_age: table
            .get(r, "cache_max_age", parsed(CACHE_MAX_AGE.parser()))
            .unwrap_or(Duration::from_secs(300)),
        max_items: table.get(r, "max_items", count).unwrap_or(50),
        max_items_per_poll: table
            .get(r, "max_items_per_poll", count)
            .unwrap_or(DEFAULT_MAX_ITEMS_PER_POLL),
        timeout: table
            .get(r, "timeout", parsed(TIMEOUT.parser()))
            .unwrap_or(Duration::from_secs(30)),
        connect_timeout: table
            .get(r, "connect_timeout", parsed(TIMEOUT.parser()))
            .unwrap_or(Duration::from_secs(10)),
        half_life: table
            .get(r, "half_life", parsed(HALF_LIFE.parser()))
            .unwrap_or(Duration::from_secs(6 * 60 * 60)),
        header_timeout: table
            .get(r, "header_timeout", parsed(duration))
            .unwrap_or(Duration::from_secs(10)),
        max_connections: table.get(r, "max_connections", count).unwrap_or(512),
        health_link: table.get(r, "health_link", boolean).unwrap_or(false),
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
            if text == HEALTH_FEED {
                r.error(
                    &id.span(),
                    "section id `health` is reserved for the feed-health feed (feeds/health.xml)",
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
        let categories = table.get(r, "categories", strings).unwrap_or_default();
        let keywords = table.get(r, "keywords", patterns).unwrap_or_default();
        let exclude = table.get(r, "exclude", patterns).unwrap_or_default();
        if let (Some(id), Some(title)) = (id, title) {
            sections.push(SectionConfig {
                id,
                title,
                categories: categories.iter().map(|c| c.get_ref().to_string()).collect(),
                keywords,
                exclude,
            });
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

/// One `[[feed]]`; `first_at` holds the URLs of the feeds before it (without fragments) and where
/// they were given.
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
        let resource = super::without_fragment(&url);
        if let Some(&first) = first_at.get(&resource) {
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
        first_at.insert(resource, text.span().start);
        Some(url)
    });
    // Everything is read before giving up on a feed without a usable URL, so that all its mistakes
    // are reported.
    let name = table.get(r, "name", text);
    let ids = table.get(r, "sections", strings).unwrap_or_default();
    let sections = feed_sections(r, &ids, sections);
    let interval = table.get(r, "interval", parsed(POLL_INTERVAL.parser()));
    let content = table.get(r, "content", parsed(content)).unwrap_or_default();
    let timezone = table.get(r, "timezone", parsed(timezone));
    let enabled = table.get(r, "enabled", boolean).unwrap_or(true);
    let allow_private = table.get(r, "allow_private", boolean);
    let include = table.get(r, "include", patterns).unwrap_or_default();
    let exclude = table.get(r, "exclude", patterns).unwrap_or_default();
    let scrape = table
        .value("scrape")
        .and_then(|value| Table::new(r, "scrape", value, SCRAPE_KEYS))
        .and_then(|table| read_scrape(r, &table));
    let full_text = read_full_text(r, table, content);
    Some(FeedConfig {
        url: url?,
        name,
        sections,
        interval,
        content,
        timezone,
        enabled,
        allow_private,
        include,
        exclude,
        scrape,
        full_text,
    })
}

/// A feed's `[feed.scrape]`: `item` and `title` are required, `date_format` needs `date`.
fn read_scrape(r: &mut Reporter<'_>, table: &Table<'_, '_>) -> Option<ScrapeRules> {
    let item = table.require(r, "item", parsed(Css::parse));
    let title = table.require(r, "title", parsed(Rule::parse));
    let rule = |r: &mut Reporter<'_>, key: &str| table.get(r, key, parsed(Rule::parse));
    let link = rule(r, "link");
    let date = rule(r, "date");
    let summary = rule(r, "summary");
    let image = rule(r, "image");
    let author = rule(r, "author");
    let date_format = table.get(r, "date_format", parsed(date_format));
    if date.is_none()
        && table.value("date").is_none()
        && let Some(value) = table.value("date_format")
    {
        r.error(
            &value.span(),
            "`date_format` without `date`: add the selector of the date it reads",
        );
    }
    Some(ScrapeRules {
        item: item?,
        title: title?,
        link,
        date,
        date_format,
        summary,
        image,
        author,
    })
}

/// The `[[edition]]` tables: each names configured feeds by URL or name.
fn read_editions(
    r: &mut Reporter<'_>,
    tables: &[Table<'_, '_>],
    feeds: &[FeedConfig],
) -> Vec<EditionConfig> {
    let mut seen: Vec<String> = Vec::new();
    let mut editions = Vec::new();
    for table in tables {
        let id = table.require(r, "id", string).and_then(|id| {
            let text = id.get_ref().to_string();
            if seen.contains(&text) {
                r.error(&id.span(), format!("duplicate edition id `{text}`"));
                return None;
            }
            seen.push(text.clone());
            section_id(&text)
                .map_err(|message| r.error(&id.span(), message))
                .ok()
                .map(|()| text)
        });
        let title = table.require(r, "title", text);
        let names = table.require(r, "feeds", strings).unwrap_or_default();
        let urls: Vec<Url> = names
            .iter()
            .filter_map(|name| edition_feed(r, name, feeds))
            .collect();
        if let (Some(id), Some(title)) = (id, title) {
            editions.push(EditionConfig {
                id,
                title,
                feeds: urls,
            });
        }
    }
    editions
}

/// The configured feed an edition names by its URL or its `name`.
fn edition_feed(r: &mut Reporter<'_>, name: &Spanned<&str>, feeds: &[FeedConfig]) -> Option<Url> {
    let text = *name.get_ref();
    let found = feeds.iter().find(|feed| {
        feed.name.as_deref() == Some(text) || Url::parse(text).is_ok_and(|url| url == feed.url)
    });
    if found.is_none() {
        let candidates = feeds.iter().filter_map(|feed| feed.name.as_deref());
        r.error(
            &name.span(),
            unknown("feed", text, candidates, "the url or name of a [[feed]]"),
        );
    }
    found.map(|feed| feed.url.clone())
}

/// A list of filters: plain words, or regexes after `re:`, each checked where it is written.
fn patterns(r: &mut Reporter<'_>, key: &str, value: &Value<'_>) -> Option<Vec<Pattern>> {
    let items = strings(r, key, value)?;
    Some(
        items
            .iter()
            .filter_map(|item| {
                pattern(item.get_ref())
                    .map_err(|message| r.error(&item.span(), message))
                    .ok()
            })
            .collect(),
    )
}

fn pattern(text: &str) -> Result<Pattern, String> {
    if let Some(source) = text.strip_prefix("re:") {
        return regex::Regex::new(source).map(Pattern::Regex).map_err(|e| {
            // The regex crate draws a caret diagram over several lines; its last line says why.
            let why = e.to_string();
            let why = why.lines().last().unwrap_or_default().trim();
            let why = why.strip_prefix("error: ").unwrap_or(why);
            format!("bad regex `{source}`: {why}")
        });
    }
    if text.trim().is_empty() {
        return Err("a filter word must not be empty".to_owned());
    }
    Ok(Pattern::Word(text.to_owned()))
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
    match WebUrl::parse(text) {
        Ok(url) => Ok(url.into_url()),
        Err(NotWebUrl::Unparsable(e)) => Err(format!(
            "bad url `{text}`: {e}; expected an absolute URL like \"{example}\""
        )),
        Err(NotWebUrl::Scheme(_)) => Err(format!(
            "bad url `{text}`: expected an http or https URL like \"{example}\""
        )),
    }
}

fn hub_url(text: &str) -> Result<Url, String> {
    web_url(text, "https://pubsubhubbub.appspot.com/")
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

/// The range a duration key accepts. Past the top, a slip (`"300000y"`) would overflow the
/// schedule's date arithmetic or mean "never"; below the bottom, a poll interval would hammer
/// publishers.
pub(super) struct Bounds {
    least: Duration,
    most: Duration,
}

/// `poll_interval` and `interval`: at least [`MIN_INTERVAL`], at most [`MAX_INTERVAL`].
const POLL_INTERVAL: Bounds = Bounds {
    least: MIN_INTERVAL,
    most: MAX_INTERVAL,
};
/// `timeout` and `connect_timeout`: a fetch that takes longer than an hour is stuck.
const TIMEOUT: Bounds = Bounds {
    least: Duration::from_millis(1),
    most: Duration::from_secs(60 * 60),
};
/// `half_life`: beyond a year, headlines would not fade at all.
const HALF_LIFE: Bounds = Bounds {
    least: Duration::from_secs(1),
    most: YEAR,
};
/// `cache_max_age`: a year is the longest `max-age` HTTP caches are told to honour.
const CACHE_MAX_AGE: Bounds = Bounds {
    least: Duration::from_secs(1),
    most: YEAR,
};
/// `lease`: a poll must fit in it; longer than an hour keeps a dead node's feeds waiting.
const LEASE: Bounds = Bounds {
    least: Duration::from_secs(1),
    most: Duration::from_secs(60 * 60),
};
/// A year as humantime counts it (365.25 days), so that the bound reads "1year" in messages.
const YEAR: Duration = Duration::from_secs(31_557_600);

impl Bounds {
    fn parser(&self) -> impl FnOnce(&str) -> Result<Duration, String> + use<'_> {
        move |text| {
            let duration = duration(text)?;
            let shown = |bound: Duration| humantime::format_duration(bound).to_string();
            if duration < self.least {
                Err(format!(
                    "duration `{text}` is too short: expected at least \"{}\"",
                    shown(self.least)
                ))
            } else if duration > self.most {
                Err(format!(
                    "duration `{text}` is too long: expected at most \"{}\"",
                    shown(self.most)
                ))
            } else {
                Ok(duration)
            }
        }
    }
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

const DIGEST_KEYS: &[&str] = &[
    "enabled",
    "time",
    "timezone",
    "sections",
    "max_items_per_section",
    "subject",
    "from",
    "to",
    "smtp",
    "smtp_user_env",
    "smtp_password_env",
    "smtp_connect_timeout",
    "smtp_timeout",
    "smtp_data_timeout",
    "send_empty",
    "catch_up",
    "list_unsubscribe",
];

/// The `[digest]` table. Sending needs `from`, `to` and `smtp`, so they are required only while
/// the digest is enabled: `gazette digest` builds the pages without them.
fn read_digest(
    r: &mut Reporter<'_>,
    table: &Table<'_, '_>,
    sections: &[String],
) -> Option<DigestConfig> {
    let enabled = table.get(r, "enabled", boolean).unwrap_or(true);
    let ids = table.get(r, "sections", strings).unwrap_or_default();
    let (from, listed, smtp) = if enabled {
        (
            table.require(r, "from", parsed(mailbox)),
            table.require(r, "to", strings),
            table.require(r, "smtp", parsed(smtp_url)),
        )
    } else {
        (
            table.get(r, "from", parsed(mailbox)),
            table.get(r, "to", strings),
            table.get(r, "smtp", parsed(smtp_url)),
        )
    };
    let to = recipients(r, &listed.unwrap_or_default());
    if enabled
        && to.is_empty()
        && let Some(value) = table.value("to")
    {
        r.error(
            &value.span(),
            "`to` lists no recipient: add one, or set `enabled = false`",
        );
    }
    if sections.iter().any(|id| id == "digest") {
        r.error(
            &table.span(),
            "the section id `digest` names the digest's own feed (feeds/digest.xml): rename the section",
        );
    }
    let smtp_user_env = table.get(r, "smtp_user_env", parsed(env_name));
    let smtp_password_env = table.get(r, "smtp_password_env", parsed(env_name));
    if smtp_user_env.is_some() != smtp_password_env.is_some() {
        r.error(
            &table.span(),
            "set both `smtp_user_env` and `smtp_password_env`, or neither",
        );
    }
    Some(DigestConfig {
        enabled,
        time: table
            .get(r, "time", parsed(time_of_day))
            .unwrap_or(DEFAULT_DIGEST_TIME),
        timezone: table.get(r, "timezone", parsed(timezone)),
        sections: digest_sections(r, &ids, sections),
        max_items_per_section: table.get(r, "max_items_per_section", count).unwrap_or(10),
        subject: table
            .get(r, "subject", parsed(subject))
            .unwrap_or_else(|| DEFAULT_SUBJECT.into()),
        from,
        to,
        smtp,
        smtp_user_env,
        smtp_password_env,
        smtp_timeouts: smtp_timeouts(r, table),
        send_empty: table.get(r, "send_empty", boolean).unwrap_or(false),
        catch_up: table.get(r, "catch_up", boolean).unwrap_or(true),
        list_unsubscribe: table.get(r, "list_unsubscribe", parsed(unsubscribe_url)),
    })
}

/// `smtp_connect_timeout`, `smtp_timeout` and `smtp_data_timeout`, each defaulting on its own.
fn smtp_timeouts(r: &mut Reporter<'_>, table: &Table<'_, '_>) -> SmtpTimeouts {
    let default = SmtpTimeouts::default();
    SmtpTimeouts {
        connect: table
            .get(r, "smtp_connect_timeout", parsed(duration))
            .unwrap_or(default.connect),
        command: table
            .get(r, "smtp_timeout", parsed(duration))
            .unwrap_or(default.command),
        data: table
            .get(r, "smtp_data_timeout", parsed(duration))
            .unwrap_or(default.data),
    }
}

const DEFAULT_SUBJECT: &str = "{title} — {date} 주요 뉴스";

/// 07:00: early enough to be read with breakfast, late enough that the night's news is in.
const DEFAULT_DIGEST_TIME: NaiveTime = match NaiveTime::from_hms_opt(7, 0, 0) {
    Some(time) => time,
    None => panic!("07:00 is a time"),
};

/// The digest's `to`: addresses, each once.
fn recipients(r: &mut Reporter<'_>, listed: &[Spanned<&str>]) -> Vec<Mailbox> {
    let mut to: Vec<Mailbox> = Vec::new();
    for address in listed {
        match mailbox(address.get_ref()) {
            Err(message) => r.error(&address.span(), message),
            Ok(mailbox) if to.iter().any(|seen| seen.email == mailbox.email) => r.error(
                &address.span(),
                format!("`{}` is listed twice", address.get_ref()),
            ),
            Ok(mailbox) => to.push(mailbox),
        }
    }
    to
}

/// The digest's `sections`: ids of `[[section]]`s or `all`, each once.
fn digest_sections(
    r: &mut Reporter<'_>,
    ids: &[Spanned<&str>],
    sections: &[String],
) -> Vec<String> {
    let mut listed: Vec<String> = Vec::new();
    for id in ids {
        let text = *id.get_ref();
        let known = || sections.iter().map(String::as_str).chain([ALL_SECTION]);
        if !known().any(|known| known == text) {
            let expected = format!("one of {}", quoted(known()));
            r.error(&id.span(), unknown("section", text, known(), &expected));
        } else if listed.iter().any(|seen| seen == text) {
            r.error(&id.span(), format!("section `{text}` is listed twice"));
        } else {
            listed.push(text.to_string());
        }
    }
    listed
}

fn time_of_day(text: &str) -> Result<NaiveTime, String> {
    NaiveTime::parse_from_str(text, "%H:%M")
        .map_err(|_| format!("bad time `{text}`: expected a 24-hour time like \"07:00\""))
}

/// A subject template: `{title}` and `{date}` are replaced, any other `{…}` is a slip.
fn subject(text: &str) -> Result<String, String> {
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open..];
        let close = after.find('}').map_or(after.len(), |close| close + 1);
        let placeholder = &after[..close];
        if !matches!(placeholder, "{title}" | "{date}") {
            return Err(format!(
                "unknown placeholder `{placeholder}` in the subject: expected `{{title}}` or `{{date}}`"
            ));
        }
        rest = &after[close..];
    }
    Ok(text.to_string())
}

fn mailbox(text: &str) -> Result<Mailbox, String> {
    text.parse().map_err(|_| {
        format!(
            "bad e-mail address `{text}`: expected e.g. \"news@example.com\" or \"가제트 <news@example.com>\""
        )
    })
}

/// The SMTP server: `smtp://` upgrades with STARTTLS when offered, `smtps://` is TLS from the
/// start. A login in the URL would put a secret in the file, so it is refused.
fn smtp_url(text: &str) -> Result<Url, String> {
    let example =
        "expected e.g. \"smtp://mail.example.com:587\" or \"smtps://mail.example.com:465\"";
    let url = Url::parse(text).map_err(|e| format!("bad smtp url `{text}`: {e}; {example}"))?;
    if !matches!(url.scheme(), "smtp" | "smtps") || url.host_str().is_none_or(str::is_empty) {
        return Err(format!("bad smtp url `{text}`: {example}"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!(
            "the smtp url `{text}` holds a login: put it in environment variables and name them in `smtp_user_env` and `smtp_password_env`"
        ));
    }
    if !matches!(url.path(), "" | "/") || url.query().is_some() || url.fragment().is_some() {
        return Err(format!(
            "bad smtp url `{text}`: expected no path or query; {example}"
        ));
    }
    Ok(url)
}

/// The name of an environment variable (not its value: secrets never live in the file).
fn env_name(text: &str) -> Result<String, String> {
    let mut chars = text.chars();
    let valid = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if valid {
        Ok(text.to_string())
    } else {
        Err(format!(
            "bad environment variable name `{text}`: expected e.g. \"GAZETTE_SMTP_PASSWORD\" (the variable's name, not the secret)"
        ))
    }
}

fn unsubscribe_url(text: &str) -> Result<Url, String> {
    Url::parse(text)
        .ok()
        .filter(|url| matches!(url.scheme(), "mailto" | "http" | "https"))
        .ok_or_else(|| {
            format!(
                "bad list_unsubscribe `{text}`: expected a mailto: or https: URL, e.g. \"mailto:news@example.com?subject=unsubscribe\""
            )
        })
}
