//! One section as an RSS 2.0 document.

use std::collections::BTreeMap;
use std::error::Error;

use chrono::{DateTime, Utc};
use rss::extension::dublincore::DublinCoreExtension;
use rss::extension::{Extension, ExtensionMap};
use rss::{Category, Channel, Guid, Item, Source};

use super::{FeedMeta, GENERATOR, ItemMeta};
use crate::model::Labels;

pub(in crate::render) const ATOM_NAMESPACE: &str = "http://www.w3.org/2005/Atom";

/// The RSS document of `feed`, served at `self_url`.
pub(super) fn render(
    feed: &FeedMeta,
    self_url: &str,
) -> Result<Vec<u8>, Box<dyn Error + Send + Sync>> {
    let channel = Channel {
        title: feed.title.clone(),
        link: feed.site_url.to_owned(),
        description: feed.title.clone(),
        language: Some(feed.language.clone()),
        last_build_date: Some(rfc822(feed.updated)),
        generator: Some(GENERATOR.to_owned()),
        extensions: atom_links(self_url, feed.hub),
        namespaces: BTreeMap::from([("atom".to_owned(), ATOM_NAMESPACE.to_owned())]),
        items: feed
            .items
            .iter()
            .map(|meta| item(meta, feed.labels))
            .collect(),
        ..Channel::default()
    };
    Ok(channel.pretty_write_to(Vec::new(), b' ', 2)?)
}

fn item(item: &ItemMeta, labels: &Labels) -> Item {
    Item {
        title: Some(item.title.clone()),
        link: item.link.clone(),
        // RSS readers take `description` as HTML. Full content comes with a description, which
        // readers show in lists: the title when there is no summary.
        description: item.description_html(labels).or_else(|| {
            item.content_html
                .as_ref()
                .map(|_| quick_xml::escape::escape(&item.title).into_owned())
        }),
        categories: item
            .categories
            .iter()
            .map(|name| Category {
                name: name.clone(),
                domain: None,
            })
            .collect(),
        guid: Some(Guid {
            value: item.id.clone(),
            permalink: false,
        }),
        pub_date: Some(rfc822(item.published)),
        source: item.source.feed_url.as_ref().map(|url| Source {
            url: url.clone(),
            title: Some(item.source.name.clone()),
        }),
        content: item.content_html.clone(),
        // `<author>` must be an e-mail address; `dc:creator` is the valid place for names.
        dublin_core_ext: (!item.authors.is_empty()).then(|| DublinCoreExtension {
            creators: item.authors.clone(),
            ..DublinCoreExtension::default()
        }),
        ..Item::default()
    }
}

/// `<atom:link rel="self">`, which lets readers and validators know the feed's canonical URL, and
/// `<atom:link rel="hub">` when there is a WebSub hub to subscribe at.
pub(in crate::render) fn atom_links(self_url: &str, hub: Option<&str>) -> ExtensionMap {
    let link = |href: &str, rel: &str, mime_type: Option<&str>| Extension {
        name: "atom:link".to_owned(),
        value: None,
        attrs: [("href", href), ("rel", rel)]
            .into_iter()
            .chain(mime_type.map(|mime_type| ("type", mime_type)))
            .map(|(name, value)| (name.to_owned(), value.to_owned()))
            .collect(),
        children: BTreeMap::new(),
    };
    let links = std::iter::once(link(self_url, "self", Some("application/rss+xml")))
        .chain(hub.map(|hub| link(hub, "hub", None)))
        .collect();
    BTreeMap::from([(
        "atom".to_owned(),
        BTreeMap::from([("link".to_owned(), links)]),
    )])
}

/// An RFC 822 date as RSS requires, always in UTC. Formatted by hand rather than with chrono's
/// `to_rfc2822`, which panics on years it cannot write.
pub(in crate::render) fn rfc822(date: DateTime<Utc>) -> String {
    date.format("%a, %d %b %Y %H:%M:%S +0000").to_string()
}
