//! The digest archive as a feed, RSS and Atom: one entry per day, linking to its page.

use std::path::Path;

use atom_syndication::{Content, Entry, Feed, FixedDateTime, Link, Person, Text};
use chrono::{DateTime, NaiveDate, Utc};
use url::Url;

use crate::layout::{DIGEST_DIR, DIGEST_FEED, FEEDS_DIR, public_url, tag_authority, tag_uri};
use crate::render::feed::rss as feed_rss;
use crate::store::digests::DigestRecord;

/// The digest as a feed: one entry per day, linking to its page.
pub struct DigestFeed<'a> {
    pub title: String,
    pub base: &'a Url,
    pub language: &'a str,
    /// Newest first.
    pub records: &'a [DigestRecord],
}

impl DigestFeed<'_> {
    fn page_url(&self, day: NaiveDate) -> String {
        public_url(
            self.base,
            &Path::new(DIGEST_DIR).join(format!("{day}.html")),
        )
    }

    fn tag(&self, what: &str) -> String {
        tag_uri(tag_authority(self.base), what)
    }

    /// The newest entry's date, so that the same digests always give the same bytes.
    fn updated(&self) -> DateTime<Utc> {
        self.records
            .iter()
            .map(|record| record.published)
            .max()
            .unwrap_or(DateTime::UNIX_EPOCH)
    }

    /// Atom 1.0, given its own public URL.
    pub fn atom(&self, self_url: &str) -> Result<Vec<u8>, atom_syndication::Error> {
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
                link(
                    public_url(self.base, Path::new(DIGEST_DIR)) + "/",
                    "alternate",
                ),
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
    }

    /// RSS 2.0.
    pub fn rss(&self, self_url: &str) -> Result<Vec<u8>, rss::Error> {
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
            link: public_url(self.base, Path::new(DIGEST_DIR)) + "/",
            description: self.title.clone(),
            language: Some(self.language.to_owned()),
            last_build_date: Some(rfc822(self.updated())),
            items,
            // Like every feed gazette writes: readers and validators learn where it lives.
            extensions: feed_rss::atom_links(self_url, None),
            namespaces: [("atom".to_owned(), feed_rss::ATOM_NAMESPACE.to_owned())].into(),
            ..rss::Channel::default()
        };
        channel.write_to(Vec::new())
    }
}

fn fixed(date: DateTime<Utc>) -> FixedDateTime {
    date.fixed_offset()
}

fn rfc822(date: DateTime<Utc>) -> String {
    date.format("%a, %d %b %Y %H:%M:%S +0000").to_string()
}
