//! RSS 2.0, Atom 1.0 and JSON Feed 1.1 for every section and block of an edition: one
//! [`FeedMeta`] per feed, computed once, that each format writes out in [`rss`], [`atom`] and
//! [`json`].
//!
//! A pure function of the edition and the settings: no clock, no randomness, every map ordered,
//! so that the same edition gives the same bytes.

mod atom;
mod json;
pub(super) mod rss;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use url::Url;

use super::{Output, RenderError};
use crate::config::Settings;
use crate::layout::{BLOCKS_DIR, FEEDS_DIR, file_url_path, tag_authority, tag_uri};
use crate::model::Labels;
use crate::model::{Coverage, Edition, Related, SectionEdition, StoredItem};
use crate::text::WebUrl;

/// Names gazette in the feeds it writes.
const GENERATOR: &str = "gazette";

/// Every section's and block's feed in every format.
pub fn feeds(settings: &Settings, edition: &Edition) -> Result<Vec<Output>, RenderError> {
    let mut outputs = Vec::new();
    let sections = edition.sections.iter().map(|section| (FEEDS_DIR, section));
    let blocks = edition.blocks.iter().map(|block| (BLOCKS_DIR, &block.feed));
    for (dir, section) in sections.chain(blocks) {
        let feed = FeedMeta::new(settings, section, dir, edition);
        let formats = [
            ("xml", rss::render as Renderer),
            ("atom", atom::render as Renderer),
            ("json", json::render as Renderer),
        ];
        for (extension, render) in formats {
            let file = feed_file(dir, &section.id, extension)?;
            let self_url = settings.base_url.join(&file_url_path(&file)).map_err(|_| {
                RenderError::SectionId {
                    id: section.id.clone(),
                }
            })?;
            let bytes = render(&feed, self_url.as_str()).map_err(|source| RenderError::Render {
                file: file.clone(),
                source,
            })?;
            outputs.push(Output { file, bytes });
        }
    }
    Ok(outputs)
}

/// `{dir}/{id}.{extension}`, refusing ids that could escape the folder or break the URL.
fn feed_file(dir: &str, id: &str, extension: &str) -> Result<PathBuf, RenderError> {
    let safe = !id.is_empty()
        && !id.starts_with('.')
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !safe {
        return Err(RenderError::SectionId { id: id.to_owned() });
    }
    Ok(Path::new(dir).join(format!("{id}.{extension}")))
}

/// Renders one feed document given its own public URL; both formats share this shape.
type Renderer = fn(&FeedMeta, &str) -> Result<Vec<u8>, Box<dyn std::error::Error + Send + Sync>>;

/// Everything the RSS and Atom renderers need about one output feed, computed once for both.
/// Every string is already safe to put in XML.
struct FeedMeta<'a> {
    /// "{settings.title} — {section title}".
    title: String,
    /// The site: `base_url`.
    site_url: &'a str,
    language: String,
    /// Who publishes the combined feed: the configured title.
    publisher: String,
    /// `tag:` URI of the feed itself.
    id: String,
    /// Newest item date, else when the edition was made: a function of the content only, so that
    /// the same items give the same bytes.
    updated: DateTime<Utc>,
    /// The WebSub hub to announce (`rel="hub"`), if any.
    hub: Option<&'a str>,
    /// The words of the configured language, for the line naming a story's other sources.
    labels: &'static Labels,
    /// The section's items, newest first, each id once (a duplicate id makes a feed invalid).
    items: Vec<ItemMeta>,
}

/// One item with the values both formats derive the same way.
struct ItemMeta {
    /// `tag:{host},2026:{key}`: the same across cycles and restarts.
    id: String,
    title: String,
    /// The original's URL, if it is a valid absolute URL.
    link: Option<String>,
    /// Plain text.
    summary: Option<String>,
    content_html: Option<String>,
    authors: Vec<String>,
    categories: Vec<String>,
    published: DateTime<Utc>,
    /// Never before `published`.
    updated: DateTime<Utc>,
    source: SourceMeta,
    /// A picture's absolute URL.
    image: Option<String>,
    /// Who else reported the story, links checked like the item's.
    coverage: Option<Coverage>,
}

/// The feed an item came from.
struct SourceMeta {
    name: String,
    /// The feed's URL, if it is a valid absolute URL.
    feed_url: Option<String>,
    /// The feed's site, if it is a valid absolute URL.
    site_link: Option<String>,
}

impl<'a> FeedMeta<'a> {
    fn new(
        settings: &'a Settings,
        section: &SectionEdition,
        dir: &str,
        edition: &Edition,
    ) -> FeedMeta<'a> {
        let authority = tag_authority(&settings.base_url);
        let generated = edition.generated;
        let mut items: Vec<ItemMeta> = section
            .items
            .iter()
            .map(|stored| ItemMeta::new(stored, authority, edition.coverage.get(&stored.key())))
            .collect();
        let mut seen = HashSet::new();
        items.retain(|item| seen.insert(item.id.clone()));
        let updated = items
            .iter()
            .map(|item| item.updated)
            .max()
            .unwrap_or_else(|| representable(generated));
        FeedMeta {
            title: xml_text(&format!("{} — {}", settings.title, section.title)),
            site_url: settings.base_url.as_str(),
            language: xml_text(&settings.language),
            publisher: xml_text(&settings.title),
            id: tag_uri(authority, &format!("{dir}/{}", section.id)),
            updated,
            hub: settings.websub_hub.as_ref().map(Url::as_str),
            labels: Labels::for_language(&settings.language),
            items,
        }
    }
}

impl ItemMeta {
    fn new(stored: &StoredItem, authority: &str, coverage: Option<&Coverage>) -> ItemMeta {
        let item = &stored.item;
        let published = representable(stored.date());
        let updated = item.updated.map_or(published, representable).max(published);
        let texts = |values: &[String]| values.iter().map(|v| xml_text(v)).collect();
        ItemMeta {
            id: tag_uri(authority, &stored.key()),
            title: xml_text(&item.title),
            link: item.link.as_deref().and_then(absolute_url),
            summary: item.summary.as_deref().map(xml_text),
            content_html: item.content_html.as_deref().map(xml_text),
            authors: texts(&item.authors),
            categories: texts(&item.categories),
            published,
            updated,
            source: SourceMeta {
                name: xml_text(&stored.source.name),
                feed_url: absolute_url(&stored.source.feed_url),
                site_link: stored.source.site_link.as_deref().and_then(absolute_url),
            },
            image: item.image.as_deref().and_then(absolute_url),
            coverage: coverage.map(|coverage| Coverage {
                outlets: coverage.outlets,
                // Feeds name other outlets only: copies from one outlet are not other outlets.
                others: coverage
                    .other_outlets()
                    .map(|other| Related {
                        source: xml_text(&other.source),
                        title: xml_text(&other.title),
                        link: other.link.as_deref().and_then(absolute_url),
                        copy: false,
                    })
                    .collect(),
            }),
        }
    }
}

impl ItemMeta {
    /// The summary as HTML (escaped, so that a literal `<` or `&` shows as written), then a
    /// line naming the story's other sources, each linked to its article: "3개 매체: A, B".
    /// RSS and Atom have no field for related articles that readers show, so they go in the
    /// text everyone reads. `None` when there is neither. Escaped with quick-xml's escaper, as the
    /// rest of the feed documents are (`'` as `&apos;`, which HTML reads too): the feeds' bytes are
    /// pinned, so it stays the XML writers' escaper rather than the pages' `escape::html`.
    fn description_html(&self, labels: &Labels) -> Option<String> {
        let summary = self
            .summary
            .as_deref()
            .map(|summary| quick_xml::escape::escape(summary).into_owned());
        let coverage = self
            .coverage
            .as_ref()
            .filter(|coverage| !coverage.others.is_empty())
            .map(|coverage| {
                let sources: Vec<String> = coverage
                    .others
                    .iter()
                    .map(|other| {
                        let name = quick_xml::escape::escape(&other.source);
                        match &other.link {
                            Some(link) => {
                                let href = quick_xml::escape::escape(link);
                                format!("<a href=\"{href}\">{name}</a>")
                            }
                            None => name.into_owned(),
                        }
                    })
                    .collect();
                let count = labels.sources(coverage.outlets);
                format!(
                    "<p>{}: {}</p>",
                    quick_xml::escape::escape(&count),
                    sources.join(", ")
                )
            });
        match (summary, coverage) {
            (Some(summary), Some(coverage)) => Some(format!("<p>{summary}</p>{coverage}")),
            (summary, coverage) => summary.or(coverage),
        }
    }
}

/// `value` as a valid absolute http(s) URL, or `None`: validators reject relative or broken links,
/// and readers must never be handed a `javascript:` or `data:` one.
fn absolute_url(value: &str) -> Option<String> {
    WebUrl::parse(value).ok().map(String::from)
}

/// `text` without the characters XML 1.0 cannot hold (most C0 controls, U+FFFE, U+FFFF), which
/// would make the whole document unreadable to every client.
fn xml_text(text: &str) -> String {
    text.chars()
        .filter(|&c| match c {
            '\t' | '\n' | '\r' => true,
            '\u{FFFE}' | '\u{FFFF}' => false,
            c => c >= ' ',
        })
        .collect()
}

/// `date` clamped to years 1–9999: RFC 822 and RFC 3339 only write four-digit years, and a
/// feed claiming year 20250 must not make ours invalid.
fn representable(date: DateTime<Utc>) -> DateTime<Utc> {
    date.clamp(EARLIEST, LATEST)
}

/// The first day with a four-digit year. A `const`: evaluated when compiling, so the `panic!`
/// can only ever fail the build.
const EARLIEST: DateTime<Utc> = match NaiveDate::from_ymd_opt(1, 1, 1) {
    Some(day) => day.and_time(NaiveTime::MIN).and_utc(),
    None => panic!("0001-01-01 is a date"),
};

/// The last day with a four-digit year (see [`EARLIEST`]).
const LATEST: DateTime<Utc> = match NaiveDate::from_ymd_opt(9999, 12, 31) {
    Some(day) => day.and_time(NaiveTime::MIN).and_utc(),
    None => panic!("9999-12-31 is a date"),
};
