//! The digest on the site: `digest/YYYY-MM-DD.{html,txt,eml}` for each day, `digest/index.html`
//! listing them, and `feeds/digest.{xml,atom}` with one entry per day. Every file is written
//! atomically.

use std::path::{Path, PathBuf};

use atom_syndication::{Content, Entry, Feed, FixedDateTime, Link, Person, Text};
use chrono::{DateTime, NaiveDate, Utc};
use url::Url;

use super::DigestError;
use super::frame::DIGEST_DIR;
use super::html;
use super::lang::Lang;
use crate::config::Config;
use crate::publish::{FEEDS_DIR, rss_feed, write_atomic};
use crate::store::digests::DigestRecord;

/// Name of the digest's feeds in `feeds/`, taken from the section ids.
const DIGEST_FEED: &str = "digest";

/// Most days in the digest feed: a month of mornings.
const FEED_ENTRIES: usize = 30;

/// Date part of every `tag:` URI gazette mints (as `publish` does), fixed forever.
const TAG_DATE: &str = "2026";

/// Writes one day's page, text and message. Returns the files written, relative to `output_dir`.
pub fn write_day(
    output_dir: &Path,
    day: NaiveDate,
    html: &str,
    text: &str,
    eml: &[u8],
) -> Result<Vec<PathBuf>, DigestError> {
    let files = [
        ("html", html.as_bytes()),
        ("txt", text.as_bytes()),
        ("eml", eml),
    ];
    files
        .into_iter()
        .map(|(extension, bytes)| {
            let file = Path::new(DIGEST_DIR).join(format!("{day}.{extension}"));
            write(output_dir, &file, bytes)
        })
        .collect()
}

/// Writes the archive's index and the digest feeds from every digest built, newest first.
pub fn write_index(config: &Config, records: &[DigestRecord]) -> Result<Vec<PathBuf>, DigestError> {
    let settings = &config.gazette;
    let lang = Lang::of(&settings.language);
    let atom_file = Path::new(FEEDS_DIR).join(format!("{DIGEST_FEED}.atom"));
    let rss_file = Path::new(FEEDS_DIR).join(format!("{DIGEST_FEED}.xml"));
    let atom_url = url(&settings.base_url, &atom_file);
    let index = html::index(records, lang, &settings.title, &atom_url)?;
    let recent = &records[..records.len().min(FEED_ENTRIES)];
    let feed = DigestFeed {
        title: format!("{} — {}", settings.title, lang.archive()),
        base: &settings.base_url,
        language: &settings.language,
        records: recent,
    };
    let files = [
        (Path::new(DIGEST_DIR).join("index.html"), index.into_bytes()),
        (atom_file, feed.atom(&atom_url)?),
        (
            rss_file.clone(),
            feed.rss(&url(&settings.base_url, &rss_file))?,
        ),
    ];
    files
        .iter()
        .map(|(file, bytes)| write(&settings.output_dir, file, bytes))
        .collect()
}

fn write(output_dir: &Path, file: &Path, bytes: &[u8]) -> Result<PathBuf, DigestError> {
    let path = output_dir.join(file);
    write_atomic(&path, bytes).map_err(|source| DigestError::Write { path, source })?;
    Ok(file.to_path_buf())
}

/// `file` (relative to the output folder) as a public URL.
fn url(base: &Url, file: &Path) -> String {
    let path: Vec<_> = file.iter().map(|part| part.to_string_lossy()).collect();
    base.join(&path.join("/"))
        .map_or_else(|_| base.to_string(), String::from)
}

/// The digest as a feed: one entry per day, linking to its page.
struct DigestFeed<'a> {
    title: String,
    base: &'a Url,
    language: &'a str,
    records: &'a [DigestRecord],
}

impl DigestFeed<'_> {
    fn page_url(&self, day: NaiveDate) -> String {
        url(
            self.base,
            &Path::new(DIGEST_DIR).join(format!("{day}.html")),
        )
    }

    fn tag(&self, what: &str) -> String {
        let authority = self.base.host_str().unwrap_or("localhost");
        format!("tag:{authority},{TAG_DATE}:{what}")
    }

    /// The newest entry's date, so that the same digests always give the same bytes.
    fn updated(&self) -> DateTime<Utc> {
        self.records
            .iter()
            .map(|record| record.published)
            .max()
            .unwrap_or(DateTime::UNIX_EPOCH)
    }

    fn atom(&self, self_url: &str) -> Result<Vec<u8>, DigestError> {
        let link = |href: String, rel: &str| Link {
            href,
            rel: rel.to_owned(),
            ..Link::default()
        };
        let feed = Feed {
            title: Text::plain(self.title.clone()),
            id: self.tag(&format!("{FEEDS_DIR}/{DIGEST_FEED}")),
            updated: fixed(self.updated()),
            authors: vec![Person {
                name: self.title.clone(),
                ..Person::default()
            }],
            links: vec![
                link(self_url.to_owned(), "self"),
                link(url(self.base, Path::new(DIGEST_DIR)) + "/", "alternate"),
            ],
            lang: Some(self.language.to_owned()),
            entries: self
                .records
                .iter()
                .map(|record| Entry {
                    title: Text::plain(record.subject.clone()),
                    id: self.tag(&format!("{DIGEST_DIR}/{}", record.day)),
                    updated: fixed(record.published),
                    published: Some(fixed(record.published)),
                    links: vec![link(self.page_url(record.day), "alternate")],
                    content: Some(Content {
                        value: Some(record.summary_html.clone()),
                        content_type: Some("html".to_owned()),
                        ..Content::default()
                    }),
                    ..Entry::default()
                })
                .collect(),
            ..Feed::default()
        };
        feed.write_to(Vec::new())
            .map_err(|source| DigestError::Feed(source.to_string()))
    }

    fn rss(&self, self_url: &str) -> Result<Vec<u8>, DigestError> {
        let items = self
            .records
            .iter()
            .map(|record| rss::Item {
                title: Some(record.subject.clone()),
                link: Some(self.page_url(record.day)),
                guid: Some(rss::Guid {
                    value: self.tag(&format!("{DIGEST_DIR}/{}", record.day)),
                    permalink: false,
                }),
                pub_date: Some(rfc822(record.published)),
                description: Some(record.summary_html.clone()),
                ..rss::Item::default()
            })
            .collect();
        let channel = rss::Channel {
            title: self.title.clone(),
            link: url(self.base, Path::new(DIGEST_DIR)) + "/",
            description: self.title.clone(),
            language: Some(self.language.to_owned()),
            last_build_date: Some(rfc822(self.updated())),
            items,
            extensions: rss_feed::atom_links(self_url, None),
            namespaces: [("atom".to_owned(), rss_feed::ATOM_NAMESPACE.to_owned())].into(),
            ..rss::Channel::default()
        };
        channel
            .write_to(Vec::new())
            .map_err(|source| DigestError::Feed(source.to_string()))
    }
}

fn fixed(date: DateTime<Utc>) -> FixedDateTime {
    date.fixed_offset()
}

fn rfc822(date: DateTime<Utc>) -> String {
    date.format("%a, %d %b %Y %H:%M:%S +0000").to_string()
}
