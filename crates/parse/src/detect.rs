//! Which reader a document needs: JSON Feed, an XML feed (and which format, from its root element), or an
//! HTML page, whose `<link rel="alternate">` tags name the feeds it advertises (autodiscovery).

use super::FeedFormat;
use super::vocab::Dialect;
use super::xml::{Element, Ns, resolve_url};
use url::Url;

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Json,
    Html,
    Xml,
    Empty,
}

/// Looks at the first significant characters.
pub(crate) fn sniff(text: &str) -> Kind {
    let start = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    if start.is_empty() {
        return Kind::Empty;
    }
    if start.starts_with('{') {
        return Kind::Json;
    }
    let head: String = start
        .chars()
        .take(512)
        .collect::<String>()
        .to_ascii_lowercase();
    let doctype_html = head.starts_with("<!doctype html");
    let html_root = first_tag_name(&head).is_some_and(|name| name == "html");
    if doctype_html || html_root {
        Kind::Html
    } else {
        Kind::Xml
    }
}

/// Whether an HTML page holds what may be a feed's root element (some sites wrap an Atom feed in an XHTML
/// page): then it is read as XML, and is a page only if no feed is found in it.
pub(crate) fn may_embed_feed(html: &str) -> bool {
    let lower = html.to_ascii_lowercase();
    ["<feed", "<rss", "<rdf:rdf"]
        .iter()
        .any(|root| memchr::memmem::find(lower.as_bytes(), root.as_bytes()).is_some())
}

/// The name of the first start tag after any declaration, comment or doctype.
fn first_tag_name(head: &str) -> Option<&str> {
    let mut rest = head;
    loop {
        rest = rest.trim_start();
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.get(after.find("-->")? + 3..)?;
        } else if rest.starts_with("<?") || rest.starts_with("<!") {
            rest = rest.get(rest.find('>')? + 1..)?;
        } else {
            let name = rest.strip_prefix('<')?;
            let end = name
                .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
                .unwrap_or(name.len());
            return name.get(..end);
        }
    }
}

/// What a document's root element says it is.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Root {
    Feed(FeedFormat, Dialect),
    Html,
    Unknown,
}

pub(crate) fn root(element: &Element) -> Root {
    let version = || {
        element
            .attr("version")
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    match (element.ns, element.local.as_ref()) {
        (Ns::Rdf, "rdf") => Root::Feed(FeedFormat::Rss10, Dialect::Rss),
        (Ns::None | Ns::Other, "rss") => {
            let format = if version().starts_with("0.9") {
                FeedFormat::Rss09x
            } else {
                FeedFormat::Rss20
            };
            Root::Feed(format, Dialect::Rss)
        }
        (Ns::None | Ns::Other, "channel") => Root::Feed(FeedFormat::Rss09x, Dialect::Rss),
        (Ns::Atom03, "feed") => Root::Feed(FeedFormat::Atom03, Dialect::Atom),
        (_, "feed") if version() == "0.3" => Root::Feed(FeedFormat::Atom03, Dialect::Atom),
        (_, "feed") => Root::Feed(FeedFormat::Atom10, Dialect::Atom),
        (_, "html") => Root::Html,
        _ => Root::Unknown,
    }
}

/// The feed URLs an HTML page names in `<link rel="alternate" type="application/rss+xml" href>` tags,
/// made absolute against `base`.
pub(crate) fn html_alternates(html: &str, base: Option<&Url>) -> Vec<String> {
    const FEED_TYPES: [&str; 4] = [
        "application/rss+xml",
        "application/atom+xml",
        "application/feed+json",
        "application/json",
    ];
    let lower = html.to_ascii_lowercase();
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = lower
        .get(from..)
        .and_then(|s| s.find("<link"))
        .map(|i| from + i)
    {
        let end = lower
            .get(at..)
            .and_then(|s| s.find('>'))
            .map_or(lower.len(), |i| at + i);
        from = end;
        let Some(tag) = html.get(at..end) else { break };
        let attr = |name: &str| {
            super::text::attribute_value(tag, name).map(|v| v.trim().to_ascii_lowercase())
        };
        let is_alternate =
            attr("rel").is_some_and(|rel| rel.split_whitespace().any(|r| r == "alternate"));
        let is_feed = attr("type").is_some_and(|t| FEED_TYPES.contains(&t.as_str()));
        if let (true, true, Some(href)) = (
            is_alternate,
            is_feed,
            super::text::attribute_value(tag, "href"),
        ) {
            let (href, _) = super::text::unescape(href);
            let url = resolve_url(base, &href);
            if !found.contains(&url) {
                found.push(url);
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_kinds() {
        assert_eq!(sniff("  \u{feff}{\"version\":1}"), Kind::Json);
        assert_eq!(sniff("<!DOCTYPE html><html>"), Kind::Html);
        assert_eq!(
            sniff("<?xml version='1.0'?>\n<!-- c --><html xmlns='x'>"),
            Kind::Html
        );
        assert_eq!(sniff("<?xml version='1.0'?><rss>"), Kind::Xml);
        assert_eq!(sniff(" \n "), Kind::Empty);
    }

    #[test]
    fn finds_alternates() {
        let html = r#"<html><head><link rel="stylesheet" href="/s.css">
            <LINK REL="alternate" TYPE="application/rss+xml" HREF="/feed.xml?a=1&amp;b=2">
            <link rel='alternate' type='application/atom+xml' href='https://x.example/atom'></head>"#;
        let base = Url::parse("https://news.example/").ok();
        assert_eq!(
            html_alternates(html, base.as_ref()),
            vec![
                "https://news.example/feed.xml?a=1&b=2".to_string(),
                "https://x.example/atom".to_string()
            ]
        );
    }
}
