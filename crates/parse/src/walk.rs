//! The one tree walk shared by the XML formats (RSS 0.9x/1.0/2.0, Atom 0.3/1.0). It reads the
//! [`Node`] stream once, asks [`classify`] what each element means, and fills a [`Record`] for the
//! feed and one per entry. Entries whose end tag never came (a truncated document) are dropped.

use std::borrow::Cow;
use std::rc::Rc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use gazette_text::WebUrl;
use gazette_text::web_url::{Plain, is_plain_web_url};
use url::Url;

use super::date::parse_date;
use super::detect::{self, Root};
use super::encoding::undo_double_utf8;
use super::text::{escape_html, html_to_text, looks_like_html, prefix_within, trimmed};
use super::vocab::{Action, Ctx, Dialect, Field, Markup, PersonPart, PollField, classify};
use super::warn::Warnings;
use super::xml::{Element, Node, Ns, XmlReader};
use super::{Enclosure, Entry, FeedFormat, FeedMeta, ParseError, ParseHints, Person, PollHints};

/// The most bytes kept from any one text field; the rest is dropped with a warning.
pub(crate) const MAX_FIELD_BYTES: usize = 1 << 20;
/// Wrappers (`<channel>`, `<media:group>`) nested deeper than this are skipped.
const MAX_WRAPPER_DEPTH: usize = 8;

/// Reads an XML feed; `Ok(None)` when a stray `<` stopped the tokenizer and `src` must be repaired first.
/// `utf8`: the document's bytes were UTF-8, so that text double-encoded in UTF-8 can be recognized.
pub(crate) fn read(
    src: &str,
    utf8: bool,
    hints: &ParseHints,
    warnings: &mut Warnings,
) -> Result<Option<(FeedFormat, FeedMeta, Vec<Entry>)>, ParseError> {
    let mut walker = Walker {
        src,
        reader: XmlReader::new(src, hints.url),
        warnings,
        tz: hints.timezone,
        dialect: Dialect::Rss,
        core: Ns::None,
        format: FeedFormat::Rss20,
        entries: Vec::new(),
        eof: false,
        wrappers: 0,
        utf8,
    };
    let mut feed = Record::default();
    // Inside an HTML page's elements, where a feed may be embedded (an Atom feed in an XHTML body).
    let mut in_html = false;
    let html_page = || ParseError::Html {
        alternates: detect::html_alternates(src, hints.url),
    };
    loop {
        match walker.next() {
            Node::Start(element) => match detect::root(&element) {
                Root::Feed(format, dialect) => {
                    walker.format = format;
                    walker.dialect = dialect;
                    if element.ns == Ns::Other {
                        walker.core = Ns::Other;
                    }
                    if let Some(lang) = element.attr("lang") {
                        feed.language.offer(1, lang.trim().to_string());
                    }
                    walker.element(Ctx::Feed, &mut feed, element);
                    if walker.reader.found_stray_markup() {
                        return Ok(None);
                    }
                    if in_html {
                        // A page that merely shows feed-like markup is still a page.
                        if walker.entries.is_empty() && feed.title.value.is_none() {
                            return Err(html_page());
                        }
                        walker
                            .warnings
                            .push("feed read from inside an HTML page".into());
                    }
                    return Ok(Some((walker.format, feed.into_meta(), walker.entries)));
                }
                // Its elements are read on, in search of an embedded feed.
                Root::Html => in_html = true,
                Root::Unknown if in_html => {}
                Root::Unknown => {
                    walker.warnings.push(format!(
                        "unknown element <{}> before the feed's root skipped",
                        element.local
                    ));
                    walker.skip();
                }
            },
            Node::Text(text) => {
                if !in_html && !text.trim().is_empty() {
                    walker
                        .warnings
                        .push("text before the feed's root ignored".into());
                }
            }
            Node::End { .. } | Node::Char(_) => {}
            Node::Eof if walker.reader.found_stray_markup() => return Ok(None),
            Node::Eof if in_html => return Err(html_page()),
            Node::Eof => {
                return Err(ParseError::NotAFeed(
                    "no RSS, RDF or Atom root element".into(),
                ));
            }
        }
    }
}

struct Walker<'a, 'w> {
    src: &'a str,
    reader: XmlReader<'a>,
    warnings: &'w mut Warnings,
    tz: Tz,
    dialect: Dialect,
    /// A root element's unknown namespace, whose elements are read as the format's own.
    core: Ns,
    format: FeedFormat,
    entries: Vec<Entry>,
    eof: bool,
    wrappers: usize,
    /// The document's bytes were UTF-8: see [`Walker::as_text`].
    utf8: bool,
}

/// An element's content: its text, and its source markup when it has child elements.
struct Captured<'a> {
    text: Cow<'a, str>,
    markup: Option<&'a str>,
}

impl<'a> Walker<'a, '_> {
    /// Inlined, with the reader's own `next`, into each of the walker's loops: most nodes are text
    /// inside a field, read by [`Walker::capture`].
    #[inline(always)]
    fn next(&mut self) -> Node<'a> {
        let node = self.reader.next(self.warnings);
        if matches!(node, Node::Eof) {
            self.eof = true;
        }
        node
    }

    /// Reads the children of the element just opened, up to its end tag.
    fn children(&mut self, ctx: Ctx, record: &mut Record) {
        loop {
            match self.next() {
                Node::Start(element) => self.element(ctx, record, element),
                Node::Text(_) | Node::Char(_) => {}
                Node::End { .. } | Node::Eof => return,
            }
        }
    }

    fn element(&mut self, ctx: Ctx, record: &mut Record, element: Element<'a>) {
        if matches!(element.ns, Ns::Rss090) {
            self.format = FeedFormat::Rss09x;
        }
        let action = classify(self.dialect, self.core, ctx, &element);
        match action {
            Action::Descend if self.wrappers < MAX_WRAPPER_DEPTH => {
                if ctx == Ctx::Feed {
                    cdf_attributes(record, &element, self.tz);
                }
                self.wrappers += 1;
                self.children(ctx, record);
                self.wrappers -= 1;
            }
            Action::Entry if ctx == Ctx::Feed => self.entry(element),
            Action::Text(field, markup) => {
                let captured = self.capture(&element);
                self.store(record, field, markup, &element, captured);
            }
            Action::Link => {
                let captured = self.capture(&element);
                self.link(ctx, record, &element, &captured);
            }
            Action::Enclosure | Action::MediaContent => {
                let media = action == Action::MediaContent;
                if let Some(url) = element.attr("url").filter(|u| !u.trim().is_empty()) {
                    let (list, size_attr) = match media {
                        true => (&mut record.media, "filesize"),
                        false => (&mut record.enclosures, "length"),
                    };
                    push_capped(list, enclosure(&element, &url, size_attr));
                }
                self.skip();
            }

            Action::Category => {
                let term = element.attr("term").map(|t| t.trim().to_string());
                let captured = self.capture(&element);
                record.add_category(term.unwrap_or_else(|| captured.text.trim().to_string()));
            }
            Action::Person(is_author) => {
                let person = self.person(ctx);
                if ctx == Ctx::Entry && person != Person::default() {
                    if is_author {
                        push_capped(&mut record.authors, (0, person));
                    } else if !record.contributors.contains(&person) {
                        push_capped(&mut record.contributors, person);
                    }
                }
            }
            _ if ctx == Ctx::Feed => self.skip_at_feed_level(),
            _ => self.skip(),
        }
    }

    fn entry(&mut self, element: Element<'a>) {
        let mut record = Record {
            base: element.base.clone(),
            ..Record::default()
        };
        if let Some(about) = element.attr("about") {
            record.id.offer(1, about.trim().to_string());
        }
        cdf_attributes(&mut record, &element, self.tz);
        self.children(Ctx::Entry, &mut record);
        if self.eof {
            self.warnings
                .push("an entry cut off by the end of the document was dropped".into());
        } else {
            self.entries.push(record.into_entry());
        }
    }

    /// Reads an element's content up to its end tag. Whitespace around the text is left out (every
    /// reader trims it), so that text that comes in one piece, typically a CDATA section, stays
    /// borrowed.
    fn capture(&mut self, element: &Element<'a>) -> Captured<'a> {
        let mut text: Cow<'a, str> = Cow::Borrowed("");
        // Whitespace after the text so far, added only if more text follows.
        let mut pending: Option<Cow<'a, str>> = None;
        let mut depth = 0usize;
        let mut has_children = false;
        let mut oversized = false;
        loop {
            match self.next() {
                Node::Start(_) => {
                    has_children = true;
                    depth += 1;
                }
                Node::Text(piece) if is_blank(&piece) => {
                    if !text.is_empty() {
                        match &mut pending {
                            Some(spaces) => spaces.to_mut().push_str(&piece),
                            None => pending = Some(piece),
                        }
                    }
                }
                Node::Text(piece) => {
                    if let Some(spaces) = pending.take() {
                        oversized |= append_capped(&mut text, spaces);
                    }
                    oversized |= append_capped(&mut text, piece);
                }
                Node::Char(c) => {
                    if let Some(spaces) = pending.take() {
                        oversized |= append_capped(&mut text, spaces);
                    }
                    if text.len() + c.len_utf8() > MAX_FIELD_BYTES {
                        oversized = true;
                    } else {
                        text.to_mut().push(c);
                    }
                }

                Node::End { at } if depth == 0 => {
                    let mut markup = has_children
                        .then(|| self.src.get(element.content_start..at).unwrap_or_default());
                    if let Some(m) = markup.filter(|m| m.len() > MAX_FIELD_BYTES) {
                        markup = Some(prefix_within(m, MAX_FIELD_BYTES));
                        oversized = true;
                    }
                    if oversized {
                        self.warnings.push(format!(
                            "<{}> longer than {MAX_FIELD_BYTES} bytes was cut",
                            element.local
                        ));
                    }
                    return Captured { text, markup };
                }
                Node::End { .. } => depth -= 1,
                Node::Eof => return Captured { text, markup: None },
            }
        }
    }

    /// Skips the rest of the element just opened.
    fn skip(&mut self) {
        self.skip_until_entry(false);
    }

    /// Skips the rest of a feed-level element the walker does not read, unless an `<item>` or `<entry>`
    /// starts inside it: no such element holds entries, so it was left unclosed (a real feed writes
    /// `<itunes:category text='…'>` without its end tag) and must not hide the entries after it.
    fn skip_at_feed_level(&mut self) {
        self.skip_until_entry(true);
    }

    /// Skips the rest of the element just opened; with `entries_close_it`, an entry start inside it
    /// closes it (and whatever is open inside it) and is handed back to be read as the feed's.
    fn skip_until_entry(&mut self, entries_close_it: bool) {
        let mut depth = 0usize;
        loop {
            match self.next() {
                Node::Start(element) if entries_close_it && self.starts_entry(&element) => {
                    if let Some(unclosed) = self.reader.close_below_innermost(depth + 1) {
                        self.warnings.push(format!(
                            "unclosed <{unclosed}> closed by <{}>",
                            element.local
                        ));
                    }
                    self.reader.push_back(element);
                    return;
                }
                Node::Start(_) => depth += 1,
                Node::End { .. } if depth == 0 => return,
                Node::End { .. } => depth -= 1,
                Node::Text(_) | Node::Char(_) => {}
                Node::Eof => return,
            }
        }
    }

    /// Whether `element` is an item or entry start, read at feed level.
    fn starts_entry(&self, element: &Element) -> bool {
        matches!(element.local.as_ref(), "item" | "entry")
            && classify(self.dialect, self.core, Ctx::Feed, element) == Action::Entry
    }

    /// Reads an Atom person construct.
    fn person(&mut self, ctx: Ctx) -> Person {
        let mut person = Person::default();
        loop {
            match self.next() {
                Node::Start(child) => {
                    let Action::PersonPart(part) = classify(self.dialect, self.core, ctx, &child)
                    else {
                        self.skip();
                        continue;
                    };
                    let captured = self.capture(&child);
                    let value = plain(&captured);
                    let value = match part {
                        PersonPart::Uri => {
                            Some(child.resolve(&value)).filter(|_| !value.is_empty())
                        }
                        _ => Some(value).filter(|v| !v.is_empty()),
                    };
                    let slot = match part {
                        PersonPart::Name => &mut person.name,
                        PersonPart::Email => &mut person.email,
                        PersonPart::Uri => &mut person.uri,
                    };
                    if slot.is_none() {
                        *slot = value;
                    }
                }
                Node::Text(_) | Node::Char(_) => {}
                Node::End { .. } | Node::Eof => return person,
            }
        }
    }

    /// An Atom link; some feeds put the URL in the content instead of `href`.
    fn link(&mut self, ctx: Ctx, record: &mut Record, element: &Element, captured: &Captured) {
        let href = element
            .attr("href")
            .map_or_else(|| plain(captured), |h| h.trim().to_string());
        if href.is_empty() {
            return;
        }
        let rel = element
            .attr("rel")
            .map(|r| r.trim().to_ascii_lowercase())
            .unwrap_or_else(|| "alternate".into());
        match rel.as_str() {
            "alternate" | "http://www.iana.org/assignments/relation/alternate" => {
                let is_html = element.attr("type").is_none_or(|t| t.contains("html"));
                record
                    .link
                    .offer(u8::from(!is_html), element.resolve(&href));
            }
            "enclosure" if ctx == Ctx::Entry => {
                push_capped(&mut record.enclosures, enclosure(element, &href, "length"))
            }
            _ => {}
        }
    }

    fn store(
        &mut self,
        record: &mut Record,
        field: Field,
        markup: Markup,
        element: &Element,
        captured: Captured,
    ) {
        let duplicate = match field {
            Field::Title(rank) => record
                .title
                .offer(rank, self.as_text(markup, element, &captured)),
            Field::Summary(rank) | Field::Content(rank) => {
                let html = self.as_html(markup, element, captured);
                if html.trim().is_empty() {
                    return;
                }
                let slot = if matches!(field, Field::Summary(_)) {
                    &mut record.summary
                } else {
                    &mut record.content
                };
                let duplicate = slot.offer(rank, html);
                if matches!(field, Field::Content(_)) || record.content.value.is_none() {
                    record.base = element.base.clone().or(record.base.take());
                }
                duplicate
            }
            Field::Link => {
                let href = plain(&captured);
                if href.is_empty() {
                    return;
                }
                record.link.offer(0, element.resolve(&href))
            }
            Field::Id(rank) => {
                let id = plain(&captured);
                // Like feedparser: an id is also the link of an entry that has none, unless it says
                // isPermaLink="false".
                let permalink = element
                    .attr("ispermalink")
                    .is_none_or(|p| p.trim().eq_ignore_ascii_case("true"));
                if permalink && record.guid_link.is_none() {
                    record.guid_link = id_as_link(element, &id);
                }
                record.id.offer(rank, id)
            }
            Field::Published(rank) | Field::Updated(rank) => {
                let text = plain(&captured);
                let Some(date) = parse_date(&text, self.tz) else {
                    if !text.is_empty() {
                        self.warnings
                            .push(format!("unreadable date {text:?} ignored"));
                    }
                    return;
                };
                let slot = if matches!(field, Field::Published(_)) {
                    &mut record.published
                } else {
                    &mut record.updated
                };
                slot.offer(rank, date)
            }
            Field::Language => record.language.offer(0, plain(&captured)),
            Field::Author(rank) => {
                let person = parse_person(&plain(&captured));
                if person != Person::default() {
                    push_capped(&mut record.authors, (rank, person));
                }
                false
            }
            Field::Category => {
                record.add_category(plain(&captured));
                false
            }
            Field::Poll(field) => {
                record.poll.read(field, &plain(&captured));
                false
            }
        };
        if duplicate {
            self.warnings.push(format!(
                "duplicate <{}>: the last one is kept",
                element.local
            ));
        }
    }

    /// A field that is plain text (a title). Titles are where text encoded in UTF-8 twice shows most,
    /// and they are short: only they are checked for it.
    fn as_text(&mut self, markup: Markup, element: &Element, captured: &Captured) -> String {
        let text = self.as_text_as_written(markup, element, captured);
        match undo_double_utf8(&text).filter(|_| self.utf8) {
            Some(fixed) => {
                self.warnings.push(format!(
                    "<{}> was UTF-8 encoded twice; decoded once more",
                    element.local
                ));
                fixed
            }
            None => text,
        }
    }

    fn as_text_as_written(
        &mut self,
        markup: Markup,
        element: &Element,
        captured: &Captured,
    ) -> String {
        match (markup, text_kind(markup, element, captured)) {
            (_, TextKind::Base64) => self.base64(captured),
            (Markup::MaybeHtml, _) if looks_like_html(&captured.text) => {
                // Escaped once more than it should be ("&amp;lt;b&amp;gt;") is common in RSS titles.
                let once = html_to_text(&captured.text);
                if looks_like_html(&once) {
                    html_to_text(&once)
                } else {
                    once
                }
            }

            // XHTML is XML: a CDATA section in it is text, which reading the markup as HTML would
            // misread (as a comment ending at its first `>`).
            (_, TextKind::Xhtml) if captured.markup.is_some_and(|m| m.contains("<![CDATA[")) => {
                captured.text.trim().to_string()
            }
            (_, TextKind::Html | TextKind::Xhtml) => {
                html_to_text(captured.markup.unwrap_or(&captured.text))
            }
            (_, TextKind::Text) => plain(captured),
        }
    }

    /// A field that is HTML.
    fn as_html(&mut self, markup: Markup, element: &Element, captured: Captured) -> String {
        match text_kind(markup, element, &captured) {
            TextKind::Base64 => escape_html(&self.base64(&captured)),
            TextKind::Text => escape_html(captured.text.trim()),
            // Only XHTML has child elements.
            TextKind::Html | TextKind::Xhtml => match captured.markup {
                Some(markup) => unwrap_div(markup).to_string(),
                None => trimmed(captured.text),
            },
        }
    }

    fn base64(&mut self, captured: &Captured) -> String {
        match super::text::decode_base64(&captured.text) {
            Some(text) => text,
            None => {
                self.warnings
                    .push("invalid base64 content kept as written".into());
                captured.text.trim().to_string()
            }
        }
    }
}

/// How the content of a text construct is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TextKind {
    Text,
    Html,
    Xhtml,
    Base64,
}

fn text_kind(markup: Markup, element: &Element, captured: &Captured) -> TextKind {
    let children = captured.markup.is_some();
    match markup {
        Markup::Text if children => TextKind::Xhtml,
        Markup::Text => TextKind::Text,
        Markup::Html | Markup::MaybeHtml if children => TextKind::Xhtml,
        Markup::Html | Markup::MaybeHtml => TextKind::Html,
        Markup::Atom => {
            let kind = element
                .attr("type")
                .map(|t| t.trim().to_ascii_lowercase())
                .unwrap_or_default();
            let mode = element
                .attr("mode")
                .map(|m| m.trim().to_ascii_lowercase())
                .unwrap_or_default();
            if mode == "base64" {
                return TextKind::Base64;
            }
            match kind.as_str() {
                _ if children => TextKind::Xhtml,
                "" | "text" | "text/plain" => TextKind::Text,
                "html" | "text/html" => TextKind::Html,
                "xhtml" | "application/xhtml+xml" => TextKind::Xhtml,
                t if t.starts_with("text/") || t.ends_with("xml") => TextKind::Text,
                _ => TextKind::Base64,
            }
        }
    }
}

/// Appends `piece` to `text`, borrowing it when `text` is empty; returns whether it had to be cut at
/// [`MAX_FIELD_BYTES`]. Inlined into [`Walker::capture`]'s loop, which calls it for most pieces.
#[inline(always)]
fn append_capped<'a>(text: &mut Cow<'a, str>, piece: Cow<'a, str>) -> bool {
    if text.len() + piece.len() > MAX_FIELD_BYTES {
        let room = MAX_FIELD_BYTES.saturating_sub(text.len());
        text.to_mut().push_str(prefix_within(&piece, room));
        true
    } else {
        if text.is_empty() {
            *text = piece;
        } else {
            text.to_mut().push_str(&piece);
        }
        false
    }
}

/// Whether `text` is all whitespace, as `str::trim` counts it. Most text pieces start with a letter or
/// are the line breaks and indentation between tags: bytes are looked at while they are ASCII, and only
/// text reaching a non-ASCII character pays for decoding characters.
fn is_blank(text: &str) -> bool {
    for (at, byte) in text.bytes().enumerate() {
        match byte {
            b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c => {}
            0x80.. => {
                return text
                    .get(at..)
                    .is_some_and(|rest| rest.trim_start().is_empty());
            }
            _ => return false,
        }
    }
    true
}

/// A text field's value as plain text: trimmed, with any markup removed.
fn plain(captured: &Captured) -> String {
    match captured.markup {
        Some(markup) => html_to_text(markup),
        None => captured.text.trim().to_string(),
    }
}

/// XHTML content without the `<div>` that Atom requires around it.
fn unwrap_div(markup: &str) -> &str {
    let trimmed = markup.trim();
    let open_end = trimmed.find('>');
    let is_div = trimmed.strip_prefix('<').is_some_and(|t| {
        let name = t
            .split(|c: char| c.is_whitespace() || c == '>')
            .next()
            .unwrap_or_default();
        name.rsplit(':').next() == Some("div")
    });
    let close_start = trimmed.rfind("</");
    match (is_div, open_end, close_start) {
        (true, Some(open), Some(close)) if trimmed.ends_with("div>") && close > open => {
            trimmed.get(open + 1..close).unwrap_or(trimmed).trim()
        }
        _ => trimmed,
    }
}

/// An id that can serve as a link: a web URL, or a relative one. `tag:` and `urn:` ids cannot.
fn id_as_link(element: &Element, id: &str) -> Option<String> {
    let link = element.resolve(id);
    let web = is_plain_web_url(&link, Plain::Written)
        || Url::parse(&link).map_or(true, |url| WebUrl::is_web(&url));
    (web && !id.is_empty()).then_some(link)
}

/// Microsoft's Channel Definition Format, an RSS ancestor, puts links and dates in attributes.
fn cdf_attributes(record: &mut Record, element: &Element, tz: Tz) {
    if let Some(href) = element.attr("href") {
        record.link.offer(1, element.resolve(&href));
    }
    if let Some(date) = element.attr("lastmod").and_then(|d| parse_date(&d, tz)) {
        record.updated.offer(1, date);
    }
}

fn enclosure(element: &Element, url: &str, length_attr: &str) -> Enclosure {
    Enclosure {
        url: element.resolve(url),
        mime_type: element
            .attr("type")
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty()),
        length: element
            .attr(length_attr)
            .and_then(|l| l.trim().parse().ok()),
    }
}

/// Reads "jo@example.com (Jo Doe)", "Jo Doe <jo@example.com>", "jo@example.com" or "Jo Doe".
fn parse_person(s: &str) -> Person {
    let s = s.trim();
    let some = |v: &str| Some(v.trim().to_string()).filter(|v| !v.is_empty());
    if let Some((email, rest)) = s.split_once('(').filter(|(e, _)| e.contains('@')) {
        return Person {
            name: some(rest.trim_end_matches(')')),
            email: some(email),
            uri: None,
        };
    }
    if let Some((name, rest)) = s.split_once('<').filter(|(_, r)| r.contains('@')) {
        return Person {
            name: some(name),
            email: some(rest.trim_end_matches('>')),
            uri: None,
        };
    }
    if s.contains('@') && !s.contains(' ') {
        return Person {
            email: some(s),
            ..Person::default()
        };
    }
    Person {
        name: some(s),
        ..Person::default()
    }
}

/// The most categories, authors or enclosures kept per entry: lists are deduplicated, which costs
/// quadratic time, and no reader needs more.
const MAX_LIST: usize = 256;

fn push_capped<T>(list: &mut Vec<T>, item: T) {
    if list.len() < MAX_LIST {
        list.push(item);
    }
}

/// A field that several elements may supply; see [`Field`] for the precedence.

#[derive(Debug)]
struct Slot<T> {
    value: Option<T>,
    rank: u8,
}

impl<T> Default for Slot<T> {
    fn default() -> Self {
        Slot {
            value: None,
            rank: u8::MAX,
        }
    }
}

impl<T> Slot<T> {
    /// Offers a value: it replaces a weaker one and, like feedparser, an equally ranked one (the last of
    /// duplicate elements wins). Returns whether it was such a duplicate.
    fn offer(&mut self, rank: u8, value: T) -> bool {
        let duplicate = self.value.is_some() && rank == self.rank;
        if self.value.is_none() || rank <= self.rank {
            self.value = Some(value);
            self.rank = rank;
        }
        duplicate
    }
}

/// What the walk collects for the feed or for one entry.
#[derive(Debug, Default)]
struct Record {
    title: Slot<String>,
    link: Slot<String>,
    guid_link: Option<String>,
    id: Slot<String>,
    summary: Slot<String>,
    content: Slot<String>,
    published: Slot<DateTime<Utc>>,
    updated: Slot<DateTime<Utc>>,
    language: Slot<String>,
    authors: Vec<(u8, Person)>,
    contributors: Vec<Person>,
    categories: Vec<String>,
    enclosures: Vec<Enclosure>,
    media: Vec<Enclosure>,
    base: Option<Rc<Url>>,
    poll: Poll,
}

/// The feed's polling requests as written; see [`PollHints`].
#[derive(Debug, Default)]
struct Poll {
    ttl_minutes: Option<u64>,
    period: Option<u64>,
    frequency: Option<u64>,
    hints: PollHints,
}

impl Poll {
    fn read(&mut self, field: PollField, value: &str) {
        match field {
            PollField::Ttl => self.ttl_minutes = value.parse().ok(),
            PollField::UpdateFrequency => self.frequency = value.parse().ok().filter(|&f| f > 0),
            PollField::UpdatePeriod => {
                self.period = match value.to_ascii_lowercase().as_str() {
                    "hourly" => Some(3600),
                    "daily" => Some(86_400),
                    "weekly" => Some(7 * 86_400),
                    "monthly" => Some(30 * 86_400),
                    "yearly" => Some(365 * 86_400),
                    _ => None,
                }
            }
            PollField::SkipHour => {
                // RSS says 0–23; some feeds write 24 for midnight.
                let hour = value
                    .parse::<u32>()
                    .ok()
                    .filter(|&h| h <= 24)
                    .map(|h| h % 24);
                if let Some(hour) = hour.filter(|h| !self.hints.skip_hours.contains(h)) {
                    self.hints.skip_hours.push(hour);
                }
            }
            PollField::SkipDay => {
                if let Some(day) = value
                    .parse::<chrono::Weekday>()
                    .ok()
                    .filter(|d| !self.hints.skip_days.contains(d))
                {
                    self.hints.skip_days.push(day);
                }
            }
        }
    }

    /// The longer of `<ttl>` and the `sy:` period: hints may only make polling rarer.
    fn into_hints(self) -> PollHints {
        let ttl = self.ttl_minutes.map(|m| m.saturating_mul(60));
        let sy = self.period.map(|p| p / self.frequency.unwrap_or(1));
        let seconds = ttl.max(sy).filter(|&s| s > 0);
        PollHints {
            min_interval: seconds.map(Duration::from_secs),
            ..self.hints
        }
    }
}

impl Record {
    fn add_category(&mut self, category: String) {
        if !category.is_empty() && !self.categories.contains(&category) {
            push_capped(&mut self.categories, category);
        }
    }

    fn into_meta(self) -> FeedMeta {
        FeedMeta {
            title: self.title.value,
            link: self.link.value.or(self.guid_link),
            description: self.summary.value,
            language: self.language.value.filter(|l| !l.is_empty()),
            updated: self.updated.value.or(self.published.value),
            poll_hints: self.poll.into_hints(),
        }
    }

    fn into_entry(self) -> Entry {
        let best = self
            .authors
            .iter()
            .map(|(rank, _)| *rank)
            .min()
            .unwrap_or(0);
        let keep = if best >= 2 { best } else { 1 };
        let mut authors: Vec<Person> = Vec::new();
        for (_, person) in self.authors.into_iter().filter(|(rank, _)| *rank <= keep) {
            if !authors.contains(&person) {
                authors.push(person);
            }
        }
        let mut enclosures = self.enclosures;
        for media in self.media {
            if !enclosures.iter().any(|e| e.url == media.url) {
                enclosures.push(media);
            }
        }
        let published = self.published.value;
        Entry {
            id: self.id.value.filter(|id| !id.is_empty()),
            title: self.title.value,
            link: self.link.value.or(self.guid_link),
            summary: self.summary.value,
            content: self.content.value,
            published,
            // An entry never updated was last updated when it was published.
            updated: self.updated.value.or(published),
            authors,
            contributors: self.contributors,
            categories: self.categories,
            enclosures,
            base: self.base.map(|b| b.as_str().to_owned()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people() {
        let p = parse_person("jo@example.com (Jo Doe)");
        assert_eq!(
            (p.name.as_deref(), p.email.as_deref()),
            (Some("Jo Doe"), Some("jo@example.com"))
        );
        let p = parse_person("Jo Doe <jo@example.com>");
        assert_eq!(
            (p.name.as_deref(), p.email.as_deref()),
            (Some("Jo Doe"), Some("jo@example.com"))
        );
        assert_eq!(
            parse_person("jo@example.com").email.as_deref(),
            Some("jo@example.com")
        );
        assert_eq!(
            parse_person("홍길동 기자").name.as_deref(),
            Some("홍길동 기자")
        );
    }

    #[test]
    fn blank_is_what_trim_leaves_empty() {
        for text in [
            "",
            " ",
            "\n\t  \r\n",
            "\u{b}\u{c}",
            "\u{a0}",
            " \u{3000}\n",
            "a",
            " a",
            "\n\u{a0}x",
            "\u{1}",
            "한",
            " \u{a0}한",
        ] {
            assert_eq!(is_blank(text), text.trim().is_empty(), "{text:?}");
        }
    }

    #[test]
    fn unwraps_xhtml_div() {
        assert_eq!(
            unwrap_div(" <div xmlns=\"http://www.w3.org/1999/xhtml\"><p>x</p></div> "),
            "<p>x</p>"
        );
        assert_eq!(unwrap_div("<xhtml:div><b>y</b></xhtml:div>"), "<b>y</b>");
        assert_eq!(unwrap_div("<p>z</p>"), "<p>z</p>");
    }

    #[test]
    fn poll_hints_take_the_longer_interval() {
        let mut poll = Poll::default();
        poll.read(PollField::Ttl, "60");
        poll.read(PollField::UpdatePeriod, "Daily");
        poll.read(PollField::UpdateFrequency, "4");
        poll.read(PollField::SkipHour, "24");
        poll.read(PollField::SkipHour, "3");
        poll.read(PollField::SkipDay, "Sunday");
        poll.read(PollField::SkipDay, "Funday");
        let hints = poll.into_hints();
        assert_eq!(hints.min_interval, Some(Duration::from_secs(6 * 3600)));
        assert_eq!(hints.skip_hours, vec![0, 3]);
        assert_eq!(hints.skip_days, vec![chrono::Weekday::Sun]);
    }

    #[test]
    fn slot_precedence() {
        let mut slot = Slot::default();
        assert!(!slot.offer(1, "dc"));
        assert!(!slot.offer(0, "core"));
        assert!(slot.offer(0, "again"));
        assert!(!slot.offer(2, "weaker"));
        assert_eq!(slot.value, Some("again"));
    }
}
