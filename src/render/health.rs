//! The health feed (`feeds/health.{xml,atom,json}`): one entry per change of a feed's state, so
//! that an admin subscribes in their own reader and hears of trouble without a dashboard. In
//! English, like the commands and logs an admin reads beside it.
//!
//! An entry's id is made of the feed, the kind of change and its time, never of its words:
//! rewording an entry here changes no id. Pure: the same events give the same bytes.

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use atom_syndication::{Content, Entry, Feed, Link, Person, Text};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::feed::rss::{ATOM_NAMESPACE, atom_links, rfc822};
use super::{Output, RenderError};
use crate::config::Settings;
use crate::layout::{FEEDS_DIR, HEALTH_FEED, public_url, tag_authority, tag_uri};
use crate::model::{Change, HealthEvent};

/// The health feed's three files.
pub struct HealthFeed<'a> {
    pub settings: &'a Settings,
    /// Newest first.
    pub events: &'a [HealthEvent],
    /// Each feed's name as the admin knows it (configured, else its own title), by URL.
    pub names: &'a HashMap<String, String>,
}

/// One entry, in words.
struct Written {
    id: String,
    title: String,
    text: String,
    at: DateTime<Utc>,
    feed_url: String,
    kind: &'static str,
}

impl HealthFeed<'_> {
    /// `feeds/health.xml`, `.atom` and `.json`.
    pub fn outputs(&self) -> Result<Vec<Output>, RenderError> {
        let entries: Vec<Written> = self
            .events
            .iter()
            .map(|event| self.written(event))
            .collect();
        let formats: [(&str, Renderer); 3] = [("xml", rss), ("atom", atom), ("json", json_feed)];
        formats
            .into_iter()
            .map(|(extension, render)| {
                let file = Path::new(FEEDS_DIR).join(format!("{HEALTH_FEED}.{extension}"));
                let self_url = public_url(&self.settings.base_url, &file);
                let bytes =
                    render(self, &entries, &self_url).map_err(|source| RenderError::Render {
                        file: file.clone(),
                        source,
                    })?;
                Ok(Output { file, bytes })
            })
            .collect()
    }

    /// The WebSub hub, if there is one: admins' readers hear of a change at once too.
    fn hub(&self) -> Option<&str> {
        self.settings.websub_hub.as_ref().map(url::Url::as_str)
    }

    fn title(&self) -> String {
        format!("{} — feed health", self.settings.title)
    }

    /// The newest entry's date: the same events always give the same bytes.
    fn updated(&self) -> DateTime<Utc> {
        self.events
            .iter()
            .map(|event| event.at)
            .max()
            .unwrap_or(DateTime::UNIX_EPOCH)
    }

    fn written(&self, event: &HealthEvent) -> Written {
        let url = event.feed_url.as_str();
        let name = self.names.get(url).map_or(url, String::as_str);
        let when = |date: &DateTime<Utc>| {
            date.with_timezone(&self.settings.timezone)
                .format("%Y-%m-%d %H:%M %Z")
                .to_string()
        };
        let next = |next_try: &Option<DateTime<Utc>>| {
            next_try.as_ref().map_or_else(
                || "gazette tries again at its next poll.".to_owned(),
                |next| format!("gazette keeps polling it: next try {}.", when(next)),
            )
        };
        let (title, text) = match &event.change {
            Change::Failing {
                error, next_try, ..
            } => (
                format!("{name} is failing: {error}"),
                format!(
                    "Polling {url} failed: {error}. {} Failures back off, at most a day \
                     apart, and the feed recovers by itself when the site answers again; if the \
                     error stays, check its url in feeds.toml.",
                    next(next_try)
                ),
            ),
            Change::ScrapeEmpty { error, next_try } => (
                format!("{name}: its scrape rules find nothing"),
                format!(
                    "Reading {url}: {error}. The page's markup has probably changed: fix the \
                     feed's [feed.scrape] rules (try them with `gazette scrape --feed`). {}",
                    next(next_try)
                ),
            ),
            Change::Recovered {
                failures,
                last_success,
            } => (
                format!("{name} recovered"),
                format!(
                    "{url} answers again, after {failures} failed poll{}{}.",
                    if *failures == 1 { "" } else { "s" },
                    last_success
                        .as_ref()
                        .map_or_else(String::new, |last| format!(
                            " (last success before them: {})",
                            when(last)
                        ))
                ),
            ),
            Change::Moved { to, location } => (
                format!("{name} moved to {to}"),
                format!(
                    "{url} redirects permanently to {to}, where gazette polls it from now on. \
                     Change its url to it{}.",
                    location
                        .as_ref()
                        .map_or_else(String::new, |at| format!(" at {at}"))
                ),
            ),
            Change::Gone { location } => (
                format!("{name} is gone (410)"),
                format!(
                    "{url} answered 410 Gone: gazette no longer polls it. Remove its entry or \
                     change it{}; a changed entry is polled again.",
                    location
                        .as_ref()
                        .map_or_else(String::new, |at| format!(" at {at}"))
                ),
            ),
            Change::Silent {
                newest_item,
                usual_gap,
            } => (
                format!("{name} is silent"),
                format!(
                    "{url} has brought no new item since {}, more than three times its usual \
                     gap of {}. gazette keeps polling it; check that the site still publishes \
                     there.",
                    when(newest_item),
                    humantime::format_duration(Duration::from_secs(*usual_gap))
                ),
            ),
            Change::Resumed { newest_item } => (
                format!("{name} has new items again"),
                format!(
                    "{url} publishes again: its newest item is of {}.",
                    when(newest_item)
                ),
            ),
            Change::FutureDates { count, latest } => (
                format!("{name} dates items in the future"),
                format!(
                    "{url} has {count} item{} dated more than a day ahead (up to {}): they are \
                     dated when gazette first saw them. The feed's dates may be in another \
                     zone than it says (set the feed's `timezone`).",
                    if *count == 1 { "" } else { "s" },
                    when(latest)
                ),
            ),
        };
        Written {
            id: entry_id(self.settings, event),
            title,
            text,
            at: event.at,
            feed_url: event.feed_url.clone(),
            kind: event.change.kind(),
        }
    }
}

/// `tag:{host},2026:health/{feed}/{kind}/{time}`: the feed (a hash of its URL), the kind of change
/// and when it happened; never the words.
fn entry_id(settings: &Settings, event: &HealthEvent) -> String {
    let feed = hex::encode(&Sha256::digest(event.feed_url.as_bytes())[..8]);
    let at = event.at.format("%Y%m%dT%H%M%S%.fZ");
    tag_uri(
        tag_authority(&settings.base_url),
        &format!("{HEALTH_FEED}/{feed}/{}/{at}", event.change.kind()),
    )
}

type Renderer = fn(
    &HealthFeed<'_>,
    &[Written],
    &str,
) -> Result<Vec<u8>, Box<dyn std::error::Error + Send + Sync>>;

fn atom(
    feed: &HealthFeed<'_>,
    entries: &[Written],
    self_url: &str,
) -> Result<Vec<u8>, Box<dyn std::error::Error + Send + Sync>> {
    let link = |href: &str, rel: &str, mime_type: Option<&str>| Link {
        href: href.to_owned(),
        rel: rel.to_owned(),
        mime_type: mime_type.map(str::to_owned),
        ..Link::default()
    };
    let document = Feed {
        title: Text::plain(feed.title()),
        id: tag_uri(
            tag_authority(&feed.settings.base_url),
            &format!("{FEEDS_DIR}/{HEALTH_FEED}"),
        ),
        updated: feed.updated().fixed_offset(),
        authors: vec![Person {
            name: feed.settings.title.clone(),
            ..Person::default()
        }],
        links: vec![
            link(self_url, "self", Some("application/atom+xml")),
            link(
                feed.settings.base_url.as_str(),
                "alternate",
                Some("text/html"),
            ),
        ]
        .into_iter()
        .chain(feed.hub().map(|hub| link(hub, "hub", None)))
        .collect(),
        entries: entries
            .iter()
            .map(|entry| Entry {
                title: Text::plain(entry.title.clone()),
                id: entry.id.clone(),
                updated: entry.at.fixed_offset(),
                published: Some(entry.at.fixed_offset()),
                content: Some(Content {
                    value: Some(entry.text.clone()),
                    content_type: Some("text".to_owned()),
                    ..Content::default()
                }),
                ..Entry::default()
            })
            .collect(),
        lang: Some("en".to_owned()),
        ..Feed::default()
    };
    Ok(document.write_to(Vec::new())?)
}

fn rss(
    feed: &HealthFeed<'_>,
    entries: &[Written],
    self_url: &str,
) -> Result<Vec<u8>, Box<dyn std::error::Error + Send + Sync>> {
    let channel = rss::Channel {
        title: feed.title(),
        link: feed.settings.base_url.to_string(),
        description: feed.title(),
        language: Some("en".to_owned()),
        last_build_date: Some(rfc822(feed.updated())),
        items: entries
            .iter()
            .map(|entry| rss::Item {
                title: Some(entry.title.clone()),
                // RSS readers take the description as HTML.
                description: Some(quick_xml::escape::escape(&entry.text).into_owned()),
                guid: Some(rss::Guid {
                    value: entry.id.clone(),
                    permalink: false,
                }),
                pub_date: Some(rfc822(entry.at)),
                ..rss::Item::default()
            })
            .collect(),
        extensions: atom_links(self_url, feed.hub()),
        namespaces: [("atom".to_owned(), ATOM_NAMESPACE.to_owned())].into(),
        ..rss::Channel::default()
    };
    Ok(channel.write_to(Vec::new())?)
}

#[derive(Serialize)]
struct JsonFeed<'a> {
    version: &'static str,
    title: String,
    home_page_url: &'a str,
    feed_url: &'a str,
    language: &'static str,
    items: Vec<JsonItem<'a>>,
}

#[derive(Serialize)]
struct JsonItem<'a> {
    id: &'a str,
    title: &'a str,
    content_text: &'a str,
    date_published: String,
    /// For tools: which feed, which kind of change.
    _gazette: JsonExtension<'a>,
}

#[derive(Serialize)]
struct JsonExtension<'a> {
    feed_url: &'a str,
    kind: &'a str,
}

fn json_feed(
    feed: &HealthFeed<'_>,
    entries: &[Written],
    self_url: &str,
) -> Result<Vec<u8>, Box<dyn std::error::Error + Send + Sync>> {
    let document = JsonFeed {
        version: "https://jsonfeed.org/version/1.1",
        title: feed.title(),
        home_page_url: feed.settings.base_url.as_str(),
        feed_url: self_url,
        language: "en",
        items: entries
            .iter()
            .map(|entry| JsonItem {
                id: &entry.id,
                title: &entry.title,
                content_text: &entry.text,
                date_published: entry.at.to_rfc3339_opts(SecondsFormat::Secs, true),
                _gazette: JsonExtension {
                    feed_url: &entry.feed_url,
                    kind: entry.kind,
                },
            })
            .collect(),
    };
    let mut bytes = serde_json::to_vec_pretty(&document)?;
    bytes.push(b'\n');
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn settings() -> Settings {
        let source = "[gazette]\ntitle = \"가제트\"\nbase_url = \"https://news.example.kr/\"\n";
        Config::parse(source, Path::new("feeds.toml"))
            .unwrap()
            .gazette
    }

    fn ids(outputs: &[Output]) -> Vec<String> {
        let atom = outputs
            .iter()
            .find(|output| output.file.ends_with("health.atom"))
            .unwrap();
        Feed::read_from(&atom.bytes[..])
            .unwrap()
            .entries()
            .iter()
            .map(|entry| entry.id().to_owned())
            .collect()
    }

    #[test]
    fn ids_come_from_feed_kind_and_time_never_from_words() {
        let settings = settings();
        let at: DateTime<Utc> = "2026-01-11T07:35:00Z".parse().unwrap();
        let event = |error: &str| HealthEvent {
            feed_url: "https://a.example/rss".into(),
            at,
            change: Change::Failing {
                error: error.into(),
                status: Some(500),
                next_try: None,
            },
        };
        let render = |events: &[HealthEvent], name: &str| {
            let names = HashMap::from([("https://a.example/rss".to_owned(), name.to_owned())]);
            HealthFeed {
                settings: &settings,
                events,
                names: &names,
            }
            .outputs()
            .unwrap()
        };
        let first = render(&[event("HTTP 500")], "중도일보");
        let reworded = render(&[event("HTTP 500 Internal Server Error")], "Joongdo");
        assert_eq!(ids(&first), ids(&reworded));
        assert_eq!(
            ids(&first),
            ["tag:news.example.kr,2026:health/f14074e5979b9d9b/failing/20260111T073500Z"]
        );
        assert_ne!(first, reworded, "the words did change");
        // Same events, same bytes.
        assert_eq!(first, render(&[event("HTTP 500")], "중도일보"));
    }
}
