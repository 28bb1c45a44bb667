//! JSON Feed 1.0 and 1.1 (jsonfeed.org). Read through `serde_json::Value` rather than typed structs so
//! that one field of the wrong type costs that field (with a warning), not the feed.

use chrono_tz::Tz;
use serde_json::{Map, Value};

use super::date::parse_date;
use super::text::{escape_html, prefix_within};
use super::walk::MAX_FIELD_BYTES;
use super::warn::Warnings;
use super::xml::resolve_url;
use super::{Enclosure, Entry, FeedFormat, FeedMeta, ParseError, ParseHints, Person};

pub(crate) fn read(
    text: &str,
    hints: &ParseHints,
    warnings: &mut Warnings,
) -> Result<(FeedFormat, FeedMeta, Vec<Entry>), ParseError> {
    let value: Value = serde_json::from_str(text.trim_start_matches('\u{feff}'))
        .map_err(|e| ParseError::NotAFeed(format!("invalid JSON: {e}")))?;
    let feed = value
        .as_object()
        .ok_or_else(|| ParseError::NotAFeed("JSON that is not an object".into()))?;
    let version = feed
        .get("version")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let format = match version.trim_end_matches('/') {
        "https://jsonfeed.org/version/1.1" => FeedFormat::Json11,
        "https://jsonfeed.org/version/1" => FeedFormat::Json10,
        _ if feed.contains_key("items") => {
            warnings.push(format!(
                "unknown JSON Feed version {version:?}; read as 1.1"
            ));
            FeedFormat::Json11
        }
        _ => {
            return Err(ParseError::NotAFeed(
                "JSON without a JSON Feed version or items".into(),
            ));
        }
    };
    let fields = Fields {
        tz: hints.timezone,
        base: hints.url,
    };
    let meta = FeedMeta {
        title: fields.string(feed, "title", warnings),
        link: fields.url(feed, "home_page_url", warnings),
        description: fields
            .string(feed, "description", warnings)
            .map(|d| escape_html(&d)),
        language: fields.string(feed, "language", warnings),
        ..FeedMeta::default()
    };
    let items = match feed.get("items") {
        Some(Value::Array(items)) => items.as_slice(),
        Some(_) => {
            warnings.push("JSON Feed \"items\" is not an array".into());
            &[]
        }
        None => &[],
    };
    let entries = items
        .iter()
        .filter_map(Value::as_object)
        .map(|item| fields.entry(item, warnings))
        .collect();
    Ok((format, meta, entries))
}

struct Fields<'h> {
    tz: Tz,
    base: Option<&'h url::Url>,
}

impl Fields<'_> {
    fn entry(&self, item: &Map<String, Value>, warnings: &mut Warnings) -> Entry {
        let content_html = self.string(item, "content_html", warnings);
        let content_text = self
            .string(item, "content_text", warnings)
            .map(|t| escape_html(&t));
        let published = self.date(item, "date_published", warnings);
        Entry {
            // Ids may be numbers in the wild, though the spec says strings.
            id: match item.get("id") {
                Some(Value::Number(n)) => Some(n.to_string()),
                _ => self.string(item, "id", warnings),
            },
            title: self.string(item, "title", warnings),
            link: self
                .url(item, "url", warnings)
                .or_else(|| self.url(item, "external_url", warnings)),
            summary: self
                .string(item, "summary", warnings)
                .map(|s| escape_html(&s)),
            content: content_html.or(content_text),
            published,
            updated: self.date(item, "date_modified", warnings).or(published),
            authors: self.authors(item, warnings),
            contributors: Vec::new(),
            categories: match item.get("tags") {
                Some(Value::Array(tags)) => tags
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect(),
                _ => Vec::new(),
            },
            enclosures: match item.get("attachments") {
                Some(Value::Array(list)) => list
                    .iter()
                    .filter_map(Value::as_object)
                    .filter_map(|a| self.attachment(a, warnings))
                    .collect(),
                _ => Vec::new(),
            },
            base: self.base.map(ToString::to_string),
        }
    }

    /// 1.1's `authors` array, else 1.0's single `author`.
    fn authors(&self, item: &Map<String, Value>, warnings: &mut Warnings) -> Vec<Person> {
        let list: Vec<&Map<String, Value>> = match (item.get("authors"), item.get("author")) {
            (Some(Value::Array(authors)), _) => {
                authors.iter().filter_map(Value::as_object).collect()
            }
            (_, Some(Value::Object(author))) => vec![author],
            _ => Vec::new(),
        };
        list.into_iter()
            .map(|a| Person {
                name: self.string(a, "name", warnings),
                email: None,
                uri: self.url(a, "url", warnings),
            })
            .filter(|p| p != &Person::default())
            .collect()
    }

    fn attachment(
        &self,
        attachment: &Map<String, Value>,
        warnings: &mut Warnings,
    ) -> Option<Enclosure> {
        Some(Enclosure {
            url: self.url(attachment, "url", warnings)?,
            mime_type: self.string(attachment, "mime_type", warnings),
            length: attachment.get("size_in_bytes").and_then(Value::as_u64),
        })
    }

    /// A string member, trimmed and capped; a member of another type is a warning.
    fn string(
        &self,
        object: &Map<String, Value>,
        key: &str,
        warnings: &mut Warnings,
    ) -> Option<String> {
        match object.get(key)? {
            Value::String(s) if s.len() > MAX_FIELD_BYTES => {
                warnings.push(format!(
                    "\"{key}\" longer than {MAX_FIELD_BYTES} bytes was cut"
                ));
                Some(prefix_within(s, MAX_FIELD_BYTES).to_string())
            }
            Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
            Value::Null => None,
            _ => {
                warnings.push(format!("\"{key}\" is not a string; ignored"));
                None
            }
        }
    }

    fn url(
        &self,
        object: &Map<String, Value>,
        key: &str,
        warnings: &mut Warnings,
    ) -> Option<String> {
        self.string(object, key, warnings)
            .map(|u| resolve_url(self.base, &u))
    }

    fn date(
        &self,
        object: &Map<String, Value>,
        key: &str,
        warnings: &mut Warnings,
    ) -> Option<chrono::DateTime<chrono::Utc>> {
        let text = self.string(object, key, warnings)?;
        let date = parse_date(&text, self.tz);
        if date.is_none() {
            warnings.push(format!("unreadable date {text:?} ignored"));
        }
        date
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_json(s: &str) -> Result<(FeedFormat, FeedMeta, Vec<Entry>), ParseError> {
        let hints = ParseHints {
            content_type: None,
            url: None,
            timezone: chrono_tz::Asia::Seoul,
        };
        read(s, &hints, &mut Warnings::default())
    }

    #[test]
    fn reads_json_feed_1_1() {
        let (format, meta, entries) = read_json(
            r#"{"version":"https://jsonfeed.org/version/1.1","title":"T","home_page_url":"https://x.example/",
                "items":[{"id":7,"url":"https://x.example/7","title":"Seven","content_text":"a < b",
                "date_published":"2026-01-11T16:35:00+09:00","authors":[{"name":"Kim"}],"tags":["k"],
                "attachments":[{"url":"https://x.example/7.mp3","mime_type":"audio/mpeg","size_in_bytes":5}]}]}"#,
        )
        .expect("a feed");
        assert_eq!(format, FeedFormat::Json11);
        assert_eq!(meta.title.as_deref(), Some("T"));
        let e = entries.first().expect("one entry");
        assert_eq!(e.id.as_deref(), Some("7"));
        assert_eq!(e.content.as_deref(), Some("a &lt; b"));
        assert_eq!(
            e.updated.map(|d| d.to_rfc3339()).as_deref(),
            Some("2026-01-11T07:35:00+00:00")
        );
        assert_eq!(
            e.authors.first().and_then(|a| a.name.as_deref()),
            Some("Kim")
        );
        assert_eq!(e.enclosures.first().and_then(|a| a.length), Some(5));
    }

    #[test]
    fn wrong_types_cost_only_the_field() {
        let (format, meta, entries) =
            read_json(r#"{"version":"https://jsonfeed.org/version/1","title":5,"items":[{"title":"x","tags":"no"}]}"#)
                .expect("a feed");
        assert_eq!(
            (format, meta.title, entries.len()),
            (FeedFormat::Json10, None, 1)
        );
        assert!(read_json("[1,2]").is_err());
        assert!(read_json("{\"a\":1}").is_err());
        assert!(read_json("{\"version\": ").is_err());
    }
}
