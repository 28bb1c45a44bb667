//! The subscriptions as OPML 2.0, the file feed readers exchange them in: for
//! `gazette opml export` and the published `sources.opml`. Reading one is [`crate::opml`].

use std::fmt::Write as _;

use quick_xml::escape::escape;

use crate::config::{Config, FeedConfig};

/// The enabled feeds as OPML: one folder per section holding its feeds (a feed in two sections is
/// in both), then the feeds of no section. No dates, so that the same config gives the same bytes.
pub fn export(config: &Config) -> String {
    let mut out =
        String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n");
    let _ = writeln!(
        out,
        "  <head>\n    <title>{}</title>\n  </head>\n  <body>",
        escape(config.gazette.title.as_str())
    );
    let enabled = || config.feeds.iter().filter(|feed| feed.enabled);
    for section in &config.sections {
        let title = escape(section.title.as_str());
        let _ = writeln!(out, "    <outline text=\"{title}\" title=\"{title}\">");
        for feed in enabled().filter(|feed| feed.sections.contains(&section.id)) {
            write_feed(&mut out, feed, "      ");
        }
        out.push_str("    </outline>\n");
    }
    for feed in enabled().filter(|feed| feed.sections.is_empty()) {
        write_feed(&mut out, feed, "    ");
    }
    out.push_str("  </body>\n</opml>\n");
    out
}

fn write_feed(out: &mut String, feed: &FeedConfig, indent: &str) {
    let name = escape(feed.name.as_deref().unwrap_or(feed.url.as_str()));
    let _ = writeln!(
        out,
        "{indent}<outline type=\"rss\" text=\"{name}\" title=\"{name}\" xmlUrl=\"{}\"/>",
        escape(feed.url.as_str())
    );
}
