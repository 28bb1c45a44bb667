//! OPML 2.0, the file feed readers exchange subscription lists in: reading another reader's.
//!
//! Writing ours is [`crate::render::opml`]. [`import`] adds the feeds of another reader's export to
//! `feeds.toml`, editing the file in place (`toml_edit`) so that its comments and layout stay, and
//! skipping feeds already listed.

use std::collections::{BTreeSet, HashSet};
use std::path::Path;

use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};
use url::Url;

use crate::config::{AppendError, Config, ConfigError, NewFeed, append_feeds, without_fragment};
use crate::text::web_url::{NotWebUrl, WebUrl};

#[derive(Debug, thiserror::Error)]
pub enum OpmlError {
    #[error("{path} is not OPML: {message}")]
    Unreadable { path: String, message: String },
    #[error("{path}:{line}:{column}: not OPML: {message}")]
    Syntax {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{0}")]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Append(AppendError),
}

impl From<AppendError> for OpmlError {
    /// An invalid config stays a config mistake (reported with its line and column).
    fn from(error: AppendError) -> OpmlError {
        match error {
            AppendError::Config(error) => OpmlError::Config(error),
            error => OpmlError::Append(error),
        }
    }
}

/// One feed of an OPML file.
#[derive(Debug, Clone, PartialEq)]
pub struct Subscription {
    pub url: String,
    /// `title`, else `text`.
    pub name: Option<String>,
    /// The title of the innermost folder holding it.
    pub folder: Option<String>,
}

/// Every outline with an `xmlUrl` in `source`, in document order.
pub fn read(source: &str, path: &str) -> Result<Vec<Subscription>, OpmlError> {
    let unreadable = |message: String| OpmlError::Unreadable {
        path: path.to_owned(),
        message,
    };
    let mut reader = quick_xml::Reader::from_str(source);
    // For each open outline, the innermost folder around its children (its own title, or the one
    // around it): looked up in one step, however deep the nesting.
    let mut folders: Vec<Option<String>> = Vec::new();
    let mut subscriptions = Vec::new();
    let mut saw_opml = false;
    loop {
        let event = reader.read_event().map_err(|error| {
            let at = usize::try_from(reader.error_position()).unwrap_or(usize::MAX);
            let (line, column) = crate::config::line_column(source, at);
            OpmlError::Syntax {
                path: path.to_owned(),
                line,
                column,
                message: error.to_string(),
            }
        })?;
        match event {
            Event::Start(element) | Event::Empty(element)
                if element.local_name().into_inner() == b"opml" =>
            {
                saw_opml = true;
            }
            Event::Start(element) if element.local_name().into_inner() == b"outline" => {
                let outline = outline(&element);
                // An outline with a feed may still hold others; it is no folder for them.
                let around = folders.last().cloned().flatten();
                let folder = match (&outline.url, &outline.name) {
                    (None, Some(name)) => Some(name.clone()),
                    _ => around.clone(),
                };
                subscriptions.extend(outline.subscription(around));
                folders.push(folder);
            }
            Event::Empty(element) if element.local_name().into_inner() == b"outline" => {
                let outline = outline(&element);
                subscriptions.extend(outline.subscription(folders.last().cloned().flatten()));
            }
            Event::End(element) if element.local_name().into_inner() == b"outline" => {
                folders.pop();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !saw_opml {
        return Err(unreadable("no <opml> element".to_owned()));
    }
    Ok(subscriptions)
}

/// The attributes of one `<outline>` that matter here.
struct Outline {
    url: Option<String>,
    name: Option<String>,
}

fn outline(element: &BytesStart<'_>) -> Outline {
    let attribute = |name: &str| {
        element
            .attributes()
            .flatten()
            .find(|a| a.key.local_name().into_inner() == name.as_bytes())
            .and_then(|a| a.normalized_value(XmlVersion::Implicit1_0).ok())
            .map(|v| crate::control_chars::strip(v.trim()).into_owned())
            .filter(|v| !v.is_empty())
    };
    Outline {
        url: attribute("xmlUrl"),
        name: attribute("title").or_else(|| attribute("text")),
    }
}

impl Outline {
    /// The feed of this outline, if it has one, in `folder`.
    fn subscription(self, folder: Option<String>) -> Option<Subscription> {
        Some(Subscription {
            url: self.url?,
            name: self.name,
            folder,
        })
    }
}

/// What an import did.
#[derive(Debug, Default, PartialEq)]
pub struct ImportReport {
    /// URLs added to the config.
    pub added: Vec<String>,
    /// URLs already in the config (or twice in the file).
    pub duplicates: Vec<String>,
    /// URLs that are not http(s) URLs, with why.
    pub invalid: Vec<(String, String)>,
    /// Folders that match no section (by id or title): their feeds were added without one.
    pub unknown_folders: BTreeSet<String>,
}

/// Adds the feeds of the OPML file at `opml_path` to the config file at `config_path`, each in the
/// section its folder names (by id or title, ignoring case), keeping the file's comments and
/// layout. The file is only written if the result is a valid config.
pub fn import(config_path: &Path, opml_path: &Path) -> Result<ImportReport, OpmlError> {
    let opml_name = opml_path.display().to_string();
    let opml = std::fs::read_to_string(opml_path).map_err(|error| OpmlError::Unreadable {
        path: opml_name.clone(),
        message: error.to_string(),
    })?;
    let subscriptions = read(&opml, &opml_name)?;
    let config = Config::load(config_path)?;
    // Looked up, not searched for (a search per outline is quadratic in a long list), and without
    // fragments, which are never fetched.
    let mut known: HashSet<Url> = config
        .feeds
        .iter()
        .map(|feed| without_fragment(&feed.url))
        .collect();
    let mut report = ImportReport::default();
    let mut added = Vec::new();
    for subscription in subscriptions {
        let url = match WebUrl::parse(&subscription.url) {
            Ok(url) => url.into_url(),
            Err(NotWebUrl::Scheme(_)) => {
                report
                    .invalid
                    .push((subscription.url, "not an http(s) URL".to_owned()));
                continue;
            }
            Err(NotWebUrl::Unparsable(error)) => {
                report.invalid.push((subscription.url, error.to_string()));
                continue;
            }
        };
        if !known.insert(without_fragment(&url)) {
            report.duplicates.push(subscription.url);
            continue;
        }
        let section = subscription.folder.as_deref().and_then(|folder| {
            let found = config.sections.iter().find(|section| {
                section.id.eq_ignore_ascii_case(folder)
                    || section.title.eq_ignore_ascii_case(folder)
            });
            if found.is_none() {
                report.unknown_folders.insert(folder.to_owned());
            }
            found
        });
        report.added.push(url.to_string());
        added.push(NewFeed {
            url,
            name: subscription.name,
            sections: section
                .map(|section| section.id.clone())
                .into_iter()
                .collect(),
        });
    }
    append_feeds(config_path, &added)?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_finds_feeds_and_their_innermost_folder() {
        let source = r#"<?xml version="1.0"?>
<opml version="1.0"><head><title>x</title></head><body>
  <outline text="뉴스">
    <outline text="정치" title="정치">
      <outline type="rss" text="A &amp; B" xmlUrl=" https://a.example/rss "/>
    </outline>
    <outline type="rss" title="C" text="ignored" xmlUrl="https://c.example/feed"></outline>
  </outline>
  <outline type="rss" xmlUrl="https://d.example/atom"/>
  <outline text="no feed here"/>
</body></opml>"#;
        let found = read(source, "x.opml").unwrap();
        let simple: Vec<_> = found
            .iter()
            .map(|s| (s.url.as_str(), s.name.as_deref(), s.folder.as_deref()))
            .collect();
        assert_eq!(
            simple,
            [
                ("https://a.example/rss", Some("A & B"), Some("정치")),
                ("https://c.example/feed", Some("C"), Some("뉴스")),
                ("https://d.example/atom", None, None),
            ]
        );
    }

    #[test]
    fn read_refuses_what_is_not_opml() {
        assert!(matches!(
            read("<rss><channel/></rss>", "x"),
            Err(OpmlError::Unreadable { .. })
        ));
        let error = read("<opml>\n  <body><outline></body>", "x.opml").map_err(|e| e.to_string());
        assert_eq!(
            error,
            Err("x.opml:2:18: not OPML: ill-formed document: expected `</outline>`, but `</body>` was found".to_owned())
        );
    }

    #[test]
    fn read_is_linear_in_outlines_and_depth() {
        // 40,000 outlines, each folder inside the last: looking up the folder of each feed was
        // a walk up the whole nesting.
        const DEPTH: usize = 20_000;
        let mut source = String::from("<opml><body>");
        for n in 0..DEPTH {
            source.push_str(&format!(
                "<outline><outline xmlUrl=\"https://example.com/{n}\"/>"
            ));
        }
        source.push_str(&"</outline>".repeat(DEPTH));
        source.push_str("</body></opml>");
        let found = read(&source, "deep.opml").unwrap();
        assert_eq!(found.len(), DEPTH);
        assert_eq!(found[DEPTH - 1].folder, None);
    }
}
