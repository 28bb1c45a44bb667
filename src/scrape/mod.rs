//! An HTML list page + `[feed.scrape]` rules → [`ParsedFeed`], the same type the feed parser
//! gives, so that normalizing, storing and merging a scraped page is no different from a feed.
//! Pure: no network, no disk; the fetch time is handed in (relative dates are read against it).
//!
//! The page is decoded exactly as feeds are ([`crate::parse::decode_text`]), parsed as HTML5
//! (html5ever, through `scraper`), and every link and image is made absolute against the page's
//! `<base href>`, else the URL it was fetched from. An item's id is its link without fragment and
//! tracking parameters, so a page read again adds nothing and a reordered page changes nothing.

mod date;
mod depth;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use scraper::{ElementRef, Html, Selector};
use url::Url;

use crate::config::{Pick, Rule, ScrapeRules};
use crate::parse::{Enclosure, Entry, FeedFormat, FeedMeta, ParsedFeed, Person, decode_text};

/// What the fetch told us about the page.
#[derive(Debug, Clone)]
pub struct ScrapeHints<'a> {
    /// The `Content-Type` header, e.g. `text/html; charset=euc-kr`.
    pub content_type: Option<&'a str>,
    /// The URL the page was fetched from, after redirects: the base for relative links.
    pub url: Option<&'a Url>,
    /// Zone for dates written without one.
    pub timezone: Tz,
    /// When the page was fetched: what `3시간 전` counts back from.
    pub now: DateTime<Utc>,
}

/// A page the rules find nothing in: a feed error, named after the rule that failed, so that
/// the admin knows which selector the site's redesign broke.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ScrapeError {
    #[error("item selector `{item}` matched 0 elements")]
    NoItems { item: String },
    #[error(
        "item selector `{item}` matched {matched} elements but none has a link (link `{link}`)"
    )]
    NoLinks {
        item: String,
        matched: usize,
        link: String,
    },
    #[error(
        "item selector `{item}` matched {matched} elements but none has a title (title `{title}`)"
    )]
    NoTitles {
        item: String,
        matched: usize,
        title: String,
    },
}

/// The link rule used when none is given: the item's first link.
const FIRST_LINK: &str = "a[href]";

/// Reads the items `rules` find in `bytes`. Items without a title or a link are skipped and
/// counted in [`ParsedFeed::warnings`]; a page where no item is left is a [`ScrapeError`].
pub fn scrape(
    bytes: &[u8],
    hints: &ScrapeHints,
    rules: &ScrapeRules,
) -> Result<ParsedFeed, ScrapeError> {
    let Page {
        document,
        base,
        encoding,
        mut warnings,
    } = read_page(bytes, hints.content_type, hints.url);
    let reader = ItemReader {
        rules,
        base: base.as_ref(),
        timezone: hints.timezone,
        now: hints.now,
    };
    let elements: Vec<ElementRef> = document.select(&rules.item.selector).collect();
    let mut entries: Vec<Entry> = Vec::with_capacity(elements.len());
    let (mut without_title, mut without_link) = (0, 0);
    for element in &elements {
        match reader.entry(*element) {
            Ok(entry) => entries.push(entry),
            Err(Missing::Title) => without_title += 1,
            Err(Missing::Link) => without_link += 1,
        }
    }
    let item = rules.item.to_string();
    let matched = elements.len();
    if matched == 0 {
        return Err(ScrapeError::NoItems { item });
    }
    if entries.is_empty() && without_link > 0 {
        let link = rules
            .link
            .as_ref()
            .map_or(FIRST_LINK.into(), Rule::to_string);
        return Err(ScrapeError::NoLinks {
            item,
            matched,
            link,
        });
    }
    if entries.is_empty() {
        let title = rules.title.to_string();
        return Err(ScrapeError::NoTitles {
            item,
            matched,
            title,
        });
    }
    if without_title + without_link > 0 {
        warnings.push(format!(
            "{} of {matched} items skipped: {without_title} without a title, {without_link} without a link",
            without_title + without_link
        ));
    }
    Ok(ParsedFeed {
        format: FeedFormat::Html,
        encoding,
        warnings,
        meta: FeedMeta {
            title: first(&document.root_element(), "title").map(|title| text_of(&title)),
            link: base.as_ref().map(Url::to_string),
            ..FeedMeta::default()
        },
        entries,
    })
}

/// An HTML page read as gazette reads every page: decoded like a feed, nesting bounded, parsed
/// as HTML5, with the base its links resolve against.
pub struct Page {
    pub document: Html,
    /// The page's `<base href>` against the fetch URL, else the fetch URL.
    pub base: Option<Url>,
    /// The encoding it was decoded from.
    pub encoding: String,
    /// What decoding and bounding corrected, for the logs.
    pub warnings: Vec<String>,
}

/// Reads `bytes` fetched from `url` (with its `Content-Type`) as a [`Page`].
pub fn read_page(bytes: &[u8], content_type: Option<&str>, url: Option<&Url>) -> Page {
    let decoded = decode_text(bytes, content_type);
    let mut warnings = decoded.warnings;
    let text = depth::bounded(&decoded.text, &mut warnings);
    let document = Html::parse_document(&text);
    let base = page_base(&document, url);
    Page {
        document,
        base,
        encoding: decoded.encoding,
        warnings,
    }
}

/// What an element lacked to be an item.
enum Missing {
    Title,
    Link,
}

/// The rules of one page, with what its values are read against.
struct ItemReader<'a> {
    rules: &'a ScrapeRules,
    base: Option<&'a Url>,
    timezone: Tz,
    now: DateTime<Utc>,
}

impl ItemReader<'_> {
    fn entry(&self, item: ElementRef) -> Result<Entry, Missing> {
        let rules = self.rules;
        let title =
            read(item, &rules.title, |element, _| Some(text_of(element))).ok_or(Missing::Title)?;
        let link = match &rules.link {
            Some(rule) => read(item, rule, |element, _| {
                element
                    .value()
                    .attr("href")
                    .map(str::to_owned)
                    .or_else(|| Some(text_of(element)))
            }),
            None => self.first_link(item),
        }
        .and_then(|link| self.canonical(&link))
        .ok_or(Missing::Link)?;
        let published = rules.date.as_ref().and_then(|rule| {
            read_parsed(item, rule, |element, attr| {
                let text = match attr {
                    Some(value) => value,
                    None => element
                        .value()
                        .attr("datetime")
                        .map_or_else(|| text_of(element), str::to_owned),
                };
                date::read_date(&text, rules.date_format.as_deref(), self.timezone, self.now)
            })
        });
        let summary = rules
            .summary
            .as_ref()
            .and_then(|rule| read(item, rule, |element, _| Some(element.inner_html())));
        let image = rules.image.as_ref().and_then(|rule| {
            read_parsed(item, rule, |element, attr| match attr {
                Some(value) => self.image_url(&value),
                None => lazy_image(element).and_then(|value| self.image_url(&value)),
            })
        });
        let authors = rules
            .author
            .as_ref()
            .and_then(|rule| read(item, rule, |element, _| Some(text_of(element))))
            .map(|name| {
                vec![Person {
                    name: Some(name),
                    ..Person::default()
                }]
            })
            .unwrap_or_default();
        Ok(Entry {
            id: Some(link.clone()),
            title: Some(title),
            link: Some(link),
            summary,
            published,
            authors,
            enclosures: image
                .map(|url| Enclosure {
                    url,
                    // Only what normalizing needs to take it for the item's picture.
                    mime_type: Some("image/*".into()),
                    length: None,
                })
                .into_iter()
                .collect(),
            base: self.base.map(Url::to_string),
            ..Entry::default()
        })
    }

    /// The item's first `a[href]`, or the item itself when it is the link.
    fn first_link(&self, item: ElementRef) -> Option<String> {
        item.value()
            .attr("href")
            .or_else(|| first(&item, FIRST_LINK)?.value().attr("href"))
            .map(str::to_owned)
    }

    /// `link` absolute, http(s) only, without fragment and tracking parameters: the item's
    /// identity. A list page that tags its links per render (`?utm_source=list`) still names each
    /// article once.
    fn canonical(&self, link: &str) -> Option<String> {
        let mut url = self.absolute(link)?;
        url.set_fragment(None);
        Some(crate::tracking::without_noise(url.as_str()))
    }

    fn image_url(&self, value: &str) -> Option<String> {
        let candidate = first_srcset_url(value);
        if candidate.starts_with("data:") {
            return None;
        }
        self.absolute(candidate).map(|url| url.to_string())
    }

    fn absolute(&self, link: &str) -> Option<Url> {
        let link = link.trim();
        let url = match self.base {
            Some(base) => base.join(link).ok()?,
            None => Url::parse(link).ok()?,
        };
        matches!(url.scheme(), "http" | "https").then_some(url)
    }
}

/// The first non-empty value of `rule`'s alternatives; `read_element` gives the value of an
/// element without `@attr`.
fn read(
    item: ElementRef,
    rule: &Rule,
    read_element: impl Fn(&ElementRef, Option<String>) -> Option<String>,
) -> Option<String> {
    read_parsed(item, rule, |element, attr| {
        match attr {
            Some(value) => Some(value),
            None => read_element(element, None),
        }
        .map(|value| value.trim().to_owned())
        .filter(|value| !value.is_empty())
    })
}

/// The first alternative of `rule` whose element (and attribute, if named) `value` accepts.
/// `value` is handed the element and the attribute's value when the alternative names one.
fn read_parsed<T>(
    item: ElementRef,
    rule: &Rule,
    value: impl Fn(&ElementRef, Option<String>) -> Option<T>,
) -> Option<T> {
    rule.alternatives.iter().find_map(|Pick { css, attr }| {
        let elements: Box<dyn Iterator<Item = ElementRef>> = match css {
            Some(css) => Box::new(item.select(&css.selector)),
            None => Box::new(std::iter::once(item)),
        };
        elements.into_iter().find_map(|element| match attr {
            Some(name) => {
                let found = element.value().attr(name)?.trim();
                (!found.is_empty()).then(|| value(&element, Some(found.to_owned())))?
            }
            None => value(&element, None),
        })
    })
}

/// The picture of an `<img>` (or any element) as lazy loaders leave it: the real URL in a
/// `data-` attribute or a `srcset`, and `src` often a placeholder.
pub fn lazy_image(element: &ElementRef) -> Option<String> {
    const ATTRIBUTES: [&str; 6] = [
        "data-src",
        "data-original",
        "data-lazy-src",
        "data-srcset",
        "srcset",
        "src",
    ];
    ATTRIBUTES
        .iter()
        .filter_map(|name| element.value().attr(name))
        .map(str::trim)
        .find(|value| !value.is_empty() && !value.starts_with("data:"))
        .map(str::to_owned)
}

/// The first URL of a `srcset` (`a.jpg 1x, b.jpg 2x`); any other value as it is.
pub fn first_srcset_url(value: &str) -> &str {
    let value = value.trim();
    let first = value.split(',').next().unwrap_or(value).trim();
    first.split_whitespace().next().unwrap_or(first)
}

/// The page's `<base href>` against the fetch URL, else the fetch URL.
fn page_base(document: &Html, url: Option<&Url>) -> Option<Url> {
    let written = first(&document.root_element(), "base[href]")
        .and_then(|base| base.value().attr("href").map(str::trim).map(str::to_owned));
    match (written, url) {
        (Some(href), Some(url)) => url.join(&href).ok().or_else(|| Some(url.clone())),
        (Some(href), None) => Url::parse(&href).ok(),
        (None, url) => url.cloned(),
    }
}

/// The first element matching `css` (a selector of this module's own) inside `element`.
fn first<'a>(element: &ElementRef<'a>, css: &str) -> Option<ElementRef<'a>> {
    let selector = Selector::parse(css).ok()?;
    element.select(&selector).next()
}

/// An element's text with runs of whitespace collapsed to one space.
fn text_of(element: &ElementRef) -> String {
    let mut text = String::new();
    for word in element.text().flat_map(str::split_whitespace) {
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(word);
    }
    text
}
