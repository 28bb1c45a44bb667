//! JSON Feed 1.0 and 1.1 (jsonfeed.org). Read into [`Json`], a loose tree that borrows its strings from
//! the document, rather than typed structs, so that one field of the wrong type costs that field (with a
//! warning), not the feed; and rather than `serde_json::Value`, whose map and owned string per member
//! cost more than reading the feed itself.

use std::borrow::Cow;
use std::fmt;

use chrono_tz::Tz;
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use super::date::parse_date;
use super::text::{escape_html, prefix_within, trimmed};
use super::walk::MAX_FIELD_BYTES;
use super::warn::Warnings;
use super::xml::resolve_url;
use super::{Enclosure, Entry, FeedFormat, FeedMeta, ParseError, ParseHints, Person};

/// A JSON value; strings without escapes borrow from the document.
#[derive(Debug, Default)]
enum Json<'a> {
    #[default]
    Null,
    /// A boolean: no JSON Feed field this reader uses is one.
    Bool,
    Number(serde_json::Number),
    Str(Cow<'a, str>),
    Array(Vec<Json<'a>>),
    /// Members in document order; the last of duplicate keys wins, as in `serde_json::Value`.
    Object(Vec<(Cow<'a, str>, Json<'a>)>),
}

type Object<'a> = Vec<(Cow<'a, str>, Json<'a>)>;

impl<'de> Deserialize<'de> for Json<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Json<'de>, E> {
        Ok(Json::Bool)
    }

    fn visit_i64<E>(self, n: i64) -> Result<Json<'de>, E> {
        Ok(Json::Number(n.into()))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Json<'de>, E> {
        Ok(Json::Number(n.into()))
    }

    fn visit_f64<E>(self, n: f64) -> Result<Json<'de>, E> {
        Ok(serde_json::Number::from_f64(n).map_or(Json::Null, Json::Number))
    }

    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Json<'de>, E> {
        Ok(Json::Str(Cow::Borrowed(s)))
    }

    fn visit_str<E>(self, s: &str) -> Result<Json<'de>, E> {
        Ok(Json::Str(Cow::Owned(s.to_owned())))
    }

    fn visit_string<E>(self, s: String) -> Result<Json<'de>, E> {
        Ok(Json::Str(Cow::Owned(s)))
    }

    fn visit_unit<E>(self) -> Result<Json<'de>, E> {
        Ok(Json::Null)
    }

    fn visit_none<E>(self) -> Result<Json<'de>, E> {
        Ok(Json::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json<'de>, A::Error> {
        let mut values = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(value) = seq.next_element()? {
            values.push(value);
        }
        Ok(Json::Array(values))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json<'de>, A::Error> {
        let mut members = Vec::new();
        while let Some((key, value)) = map.next_entry::<Json, Json>()? {
            // JSON keys are always strings.
            if let Json::Str(key) = key {
                members.push((key, value));
            }
        }
        Ok(Json::Object(members))
    }
}

/// Takes the member `key` out of `object` (the last one, should the key repeat).
fn take<'a>(object: &mut Object<'a>, key: &str) -> Json<'a> {
    object
        .iter_mut()
        .rev()
        .find(|(k, _)| k == key)
        .map(|(_, value)| std::mem::take(value))
        .unwrap_or_default()
}

/// The objects of an array member; other elements are skipped.
fn objects<'a>(value: Json<'a>) -> impl Iterator<Item = Object<'a>> {
    let list = match value {
        Json::Array(list) => list,
        _ => Vec::new(),
    };
    list.into_iter().filter_map(|v| match v {
        Json::Object(o) => Some(o),
        _ => None,
    })
}

pub(crate) fn read(
    text: &str,
    hints: &ParseHints,
    warnings: &mut Warnings,
) -> Result<(FeedFormat, FeedMeta, Vec<Entry>), ParseError> {
    let value: Json = serde_json::from_str(text.trim_start_matches('\u{feff}'))
        .map_err(|e| ParseError::NotAFeed(format!("invalid JSON: {e}")))?;
    let Json::Object(mut feed) = value else {
        return Err(ParseError::NotAFeed("JSON that is not an object".into()));
    };
    let version = match take(&mut feed, "version") {
        Json::Str(v) => v,
        _ => Cow::Borrowed(""),
    };
    let has_items = feed.iter().any(|(k, _)| k == "items");
    let items = take(&mut feed, "items");
    let format = match version.trim_end_matches('/') {
        "https://jsonfeed.org/version/1.1" => FeedFormat::Json11,
        "https://jsonfeed.org/version/1" => FeedFormat::Json10,
        _ if has_items => {
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
        title: fields.string(&mut feed, "title", warnings),
        link: fields.url(&mut feed, "home_page_url", warnings),
        description: fields
            .string(&mut feed, "description", warnings)
            .map(|d| escape_html(&d)),
        language: fields.string(&mut feed, "language", warnings),
        ..FeedMeta::default()
    };
    if has_items && !matches!(items, Json::Array(_)) {
        warnings.push("JSON Feed \"items\" is not an array".into());
    }
    let entries = objects(items)
        .map(|mut item| fields.entry(&mut item, warnings))
        .collect();
    Ok((format, meta, entries))
}

struct Fields<'h> {
    tz: Tz,
    base: Option<&'h url::Url>,
}

impl Fields<'_> {
    fn entry(&self, item: &mut Object, warnings: &mut Warnings) -> Entry {
        let content_html = self.string(item, "content_html", warnings);
        let content_text = self
            .string(item, "content_text", warnings)
            .map(|t| escape_html(&t));
        let published = self.date(item, "date_published", warnings);
        Entry {
            // Ids may be numbers in the wild, though the spec says strings.
            id: match take(item, "id") {
                Json::Number(n) => Some(n.to_string()),
                other => self.string_value("id", other, warnings),
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
            categories: match take(item, "tags") {
                Json::Array(tags) => tags
                    .into_iter()
                    .filter_map(|tag| match tag {
                        Json::Str(tag) => Some(tag.into_owned()),
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            },
            enclosures: objects(take(item, "attachments"))
                .filter_map(|mut a| self.attachment(&mut a, warnings))
                .collect(),
            base: self.base.map(ToString::to_string),
        }
    }

    /// 1.1's `authors` array, else 1.0's single `author`.
    fn authors(&self, item: &mut Object, warnings: &mut Warnings) -> Vec<Person> {
        let list: Vec<Object> = match (take(item, "authors"), take(item, "author")) {
            (authors @ Json::Array(_), _) => objects(authors).collect(),
            (_, Json::Object(author)) => vec![author],
            _ => Vec::new(),
        };
        list.into_iter()
            .map(|mut a| Person {
                name: self.string(&mut a, "name", warnings),
                email: None,
                uri: self.url(&mut a, "url", warnings),
            })
            .filter(|p| p != &Person::default())
            .collect()
    }

    fn attachment(&self, attachment: &mut Object, warnings: &mut Warnings) -> Option<Enclosure> {
        Some(Enclosure {
            url: self.url(attachment, "url", warnings)?,
            mime_type: self.string(attachment, "mime_type", warnings),
            length: match take(attachment, "size_in_bytes") {
                Json::Number(n) => n.as_u64(),
                _ => None,
            },
        })
    }

    /// A string member, trimmed and capped; a member of another type is a warning.
    fn string(&self, object: &mut Object, key: &str, warnings: &mut Warnings) -> Option<String> {
        self.string_value(key, take(object, key), warnings)
    }

    fn string_value(&self, key: &str, value: Json, warnings: &mut Warnings) -> Option<String> {
        match value {
            Json::Str(s) if s.len() > MAX_FIELD_BYTES => {
                warnings.push(format!(
                    "\"{key}\" longer than {MAX_FIELD_BYTES} bytes was cut"
                ));
                Some(prefix_within(&s, MAX_FIELD_BYTES).to_string())
            }
            Json::Str(s) => Some(trimmed(s)).filter(|s| !s.is_empty()),
            Json::Null => None,
            _ => {
                warnings.push(format!("\"{key}\" is not a string; ignored"));
                None
            }
        }
    }

    fn url(&self, object: &mut Object, key: &str, warnings: &mut Warnings) -> Option<String> {
        self.string(object, key, warnings)
            .map(|u| resolve_url(self.base, &u))
    }

    fn date(
        &self,
        object: &mut Object,
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
