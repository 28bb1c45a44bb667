//! One section as an Atom 1.0 document (RFC 4287).

use std::error::Error;

use atom_syndication::{
    Category, Content, Entry, Feed, FixedDateTime, Generator, Link, Person, Source, Text,
    WriteConfig,
};
use chrono::{DateTime, Utc};

use super::{FeedMeta, GENERATOR, ItemMeta};
use crate::model::Labels;

/// The Atom document of `feed`, served at `self_url`.
pub(super) fn render(
    feed: &FeedMeta,
    self_url: &str,
) -> Result<Vec<u8>, Box<dyn Error + Send + Sync>> {
    let document = Feed {
        title: Text::plain(feed.title.clone()),
        id: feed.id.clone(),
        updated: fixed(feed.updated),
        // A feed needs an author unless every entry has one; we are the publisher of the mix.
        authors: vec![person(&feed.publisher)],
        generator: Some(Generator {
            value: GENERATOR.to_owned(),
            uri: None,
            version: None,
        }),
        links: [
            link(self_url, "self", Some("application/atom+xml")),
            link(feed.site_url, "alternate", Some("text/html")),
        ]
        .into_iter()
        .chain(feed.hub.map(|hub| link(hub, "hub", None)))
        .collect(),
        entries: feed
            .items
            .iter()
            .map(|item| entry(item, feed.labels))
            .collect(),
        lang: Some(feed.language.clone()),
        ..Feed::default()
    };
    let config = WriteConfig {
        write_document_declaration: true,
        indent_size: Some(2),
    };
    Ok(document.write_with_config(Vec::new(), config)?)
}

fn entry(item: &ItemMeta, labels: &Labels) -> Entry {
    let updated = fixed(item.updated);
    let content = match (&item.content_html, &item.link) {
        (Some(html), _) => Some(Content {
            value: Some(html.clone()),
            content_type: Some("html".to_owned()),
            ..Content::default()
        }),
        // RFC 4287 §4.1.1: an entry without content needs an alternate link; without either, the
        // text itself becomes the content.
        (None, None) => Some(Content {
            value: Some(item.summary.clone().unwrap_or_else(|| item.title.clone())),
            content_type: Some("text".to_owned()),
            ..Content::default()
        }),
        (None, Some(_)) => None,
    };
    Entry {
        title: Text::plain(item.title.clone()),
        id: item.id.clone(),
        updated,
        authors: item.authors.iter().map(|name| person(name)).collect(),
        categories: item
            .categories
            .iter()
            .map(|term| Category {
                term: term.clone(),
                scheme: None,
                label: None,
            })
            .collect(),
        links: item
            .link
            .iter()
            .map(|href| link(href, "alternate", Some("text/html")))
            .chain(related_links(item))
            .collect(),
        published: Some(fixed(item.published)),
        source: item
            .source
            .feed_url
            .as_deref()
            .map(|feed_url| source(item, feed_url, updated)),
        // Plain text unless it names the story's other sources, whose links need HTML. An entry
        // with no text of its own (a `content = "title"` feed) repeats its title: feed readers
        // and validators expect some text in every entry.
        summary: match item.coverage {
            Some(ref coverage) if !coverage.others.is_empty() => {
                item.description_html(labels).map(Text::html)
            }
            _ => item
                .summary
                .clone()
                .or_else(|| content.is_none().then(|| item.title.clone()))
                .map(Text::plain),
        },
        content,
        ..Entry::default()
    }
}

/// `<link rel="related">` to each other article on the story, titled with its source.
fn related_links(item: &ItemMeta) -> impl Iterator<Item = Link> + '_ {
    let others = item.coverage.iter().flat_map(|coverage| &coverage.others);
    others.filter_map(|other| {
        let href = other.link.as_deref()?;
        Some(Link {
            title: Some(other.source.clone()),
            ..link(href, "related", Some("text/html"))
        })
    })
}

/// The feed the entry came from. We do not keep the source feed's own `updated`, so the entry's
/// stands in: it is the latest change we know of.
fn source(item: &ItemMeta, feed_url: &str, updated: FixedDateTime) -> Source {
    // The source's format is unknown here, so its self link carries no type.
    let links = std::iter::once(link(feed_url, "self", None))
        .chain(
            item.source
                .site_link
                .as_deref()
                .map(|url| link(url, "alternate", Some("text/html"))),
        )
        .collect();
    Source {
        title: Text::plain(item.source.name.clone()),
        id: feed_url.to_owned(),
        updated,
        links,
        ..Source::default()
    }
}

fn person(name: &str) -> Person {
    Person {
        name: name.to_owned(),
        ..Person::default()
    }
}

fn link(href: &str, rel: &str, mime_type: Option<&str>) -> Link {
    Link {
        href: href.to_owned(),
        rel: rel.to_owned(),
        mime_type: mime_type.map(str::to_owned),
        ..Link::default()
    }
}

fn fixed(date: DateTime<Utc>) -> FixedDateTime {
    date.fixed_offset()
}
