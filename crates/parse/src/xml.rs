//! The tolerant XML layer shared by the RSS, RDF and Atom readers: quick-xml's streaming tokenizer
//! plus what feed readers need on top of it, as a stream of [`Node`]s that is always well nested.
//!
//! - Namespaces are resolved to the handful of vocabularies feeds use ([`Ns`]); an undeclared but
//!   well-known prefix (`dc:`, `content:`) is guessed rather than dropped.
//! - `xml:base` is tracked on every element, so links resolve against the right base.
//! - Entity references are decoded, including HTML names XML does not define (`&nbsp;`). Of a DTD
//!   only internal entities whose text is literal (`<!ENTITY id "tag:example.com,">`) are read, so
//!   neither external entities nor nested expansion (billion laughs) can happen.
//! - Mismatched, stray and missing end tags are repaired; a truncated document simply ends.
//!
//! Every repair is recorded in [`Warnings`].

use std::borrow::Cow;
use std::rc::Rc;

use gazette_text::web_url::{Plain, is_plain_web_url};
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use url::Url;

use super::text::{Resolved, predefined_entity, resolve_entity, unescape};
use super::warn::Warnings;

/// The vocabularies feed readers distinguish. Anything else is [`Ns::Other`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ns {
    /// No namespace: RSS 0.9x/2.0, or a feed that forgot its `xmlns`.
    None,
    Rss090,
    Rss10,
    Rdf,
    Atom03,
    Atom10,
    Dc,
    DcTerms,
    Content,
    Media,
    Itunes,
    Sy,
    Xhtml,
    Xml,
    Other,
}

impl Ns {
    fn from_uri(uri: &str) -> Ns {
        let uri = uri.trim().trim_end_matches(['/', '#']).to_ascii_lowercase();
        match uri.as_str() {
            "" => Ns::None,
            // RSS 2.0's own namespaces (Userland's and Harvard's) are sometimes declared on <rss>.
            "http://backend.userland.com/rss2" | "http://blogs.law.harvard.edu/tech/rss" => {
                Ns::None
            }
            // Netscape published RSS 0.90 under both hosts.
            "http://my.netscape.com/rdf/simple/0.9"
            | "http://channel.netscape.com/rdf/simple/0.9" => Ns::Rss090,
            "http://purl.org/rss/1.0" => Ns::Rss10,
            "http://www.w3.org/1999/02/22-rdf-syntax-ns" => Ns::Rdf,
            "http://purl.org/atom/ns" => Ns::Atom03,
            "http://www.w3.org/2005/atom" => Ns::Atom10,
            "http://purl.org/dc/elements/1.1" | "http://purl.org/dc/elements/1.0" => Ns::Dc,
            "http://purl.org/dc/terms" => Ns::DcTerms,
            "http://purl.org/rss/1.0/modules/content" => Ns::Content,
            "http://search.yahoo.com/mrss" | "http://video.search.yahoo.com/mrss" => Ns::Media,
            "http://www.itunes.com/dtds/podcast-1.0.dtd"
            | "http://www.itunes.com/dtds/podcast-1.0" => Ns::Itunes,
            "http://purl.org/rss/1.0/modules/syndication" => Ns::Sy,
            "http://www.w3.org/1999/xhtml" => Ns::Xhtml,
            "http://www.w3.org/xml/1998/namespace" => Ns::Xml,
            _ => Ns::Other,
        }
    }

    /// The namespace a prefix conventionally names, for documents that use it without declaring it.
    fn guess_from_prefix(prefix: &str) -> Ns {
        match prefix.to_ascii_lowercase().as_str() {
            "dc" => Ns::Dc,
            "dcterms" => Ns::DcTerms,
            "content" => Ns::Content,
            "media" => Ns::Media,
            "itunes" => Ns::Itunes,
            "sy" => Ns::Sy,
            "atom" | "atom10" => Ns::Atom10,
            "rdf" => Ns::Rdf,
            "xhtml" => Ns::Xhtml,
            "xml" => Ns::Xml,
            _ => Ns::Other,
        }
    }
}

/// One step of the document.
#[derive(Debug)]
pub(crate) enum Node<'a> {
    Start(Element<'a>),
    /// Character data with references decoded; CDATA sections are text too.
    Text(Cow<'a, str>),
    /// A character reference (`&amp;`, `&#8217;`), apart so that it costs no allocation.
    Char(char),

    /// Closes the innermost open element; `at` is where its end tag begins in the source.
    End {
        at: usize,
    },
    Eof,
}

/// A start tag, with its namespace resolved and its name lower-cased (feeds are not consistent about
/// case: `pubDate`, `PUBDATE`).
#[derive(Debug)]
pub(crate) struct Element<'a> {
    pub ns: Ns,
    pub local: Cow<'a, str>,
    /// This element's base URL: its `xml:base` resolved against its parent's.
    pub base: Option<Rc<Url>>,
    /// Source offset just past the start tag, where the element's content begins.
    pub content_start: usize,
    tag: BytesStart<'a>,
    /// The document, which the tag's bytes are a slice of.
    src: &'a str,
}

impl Element<'_> {
    /// The value of the attribute whose local name is `local` (ASCII case-insensitive, any prefix),
    /// with references decoded.
    pub fn attr(&self, local: &str) -> Option<Cow<'_, str>> {
        if self.tag.attributes_raw().trim_ascii().is_empty() {
            return None;
        }
        attributes(&self.tag).find_map(|a| {
            let key = a.key.as_ref();
            let key_local = key.rsplit(|&b| b == b':').next().unwrap_or(key);
            let is_xmlns = key.starts_with(b"xmlns");
            (!is_xmlns && key_local.eq_ignore_ascii_case(local.as_bytes())).then(|| {
                match source_text(self.src, a.value) {
                    Cow::Borrowed(v) => unescape(v).0,
                    Cow::Owned(v) => Cow::Owned(unescape(&v).0.into_owned()),
                }
            })
        })
    }

    /// Resolves a possibly relative URL against this element's base.
    pub fn resolve(&self, href: &str) -> String {
        resolve_url(self.base.as_deref(), href)
    }
}

/// `href` made absolute against `base` when it is relative; an absolute URL is kept as written, so that
/// ids and links compare equal to what the publisher wrote.
pub(crate) fn resolve_url(base: Option<&Url>, href: &str) -> String {
    let href = href.trim();
    if is_plain_web_url(href, Plain::Written) || Url::parse(href).is_ok() {
        return href.to_string();
    }
    base.and_then(|base| base.join(href).ok())
        .map_or_else(|| href.to_string(), String::from)
}

struct Open<'a> {
    qname: &'a str,
    /// `bindings.len()` before this element's own `xmlns` declarations.
    bindings_len: usize,
    base: Option<Rc<Url>>,
}

/// Stops reading after this many tokenizer errors: the document is noise.
const MAX_ERRORS: usize = 100;
/// Namespace declarations in scope beyond this are ignored: lookups scan them all.
const MAX_BINDINGS: usize = 64;
/// Elements nested deeper than this are flattened into their parent: real feeds nest a dozen levels.
const MAX_DEPTH: usize = 256;

pub(crate) struct XmlReader<'a> {
    reader: Reader<&'a [u8]>,
    open: Vec<Open<'a>>,
    bindings: Vec<(Box<str>, Ns)>,
    src: &'a str,
    root_base: Option<Rc<Url>>,
    /// End nodes still owed for elements closed implicitly, and where they end.
    pending_ends: usize,
    pending_at: usize,
    errors: usize,
    done: bool,
    /// Set when a `<` opened no tag: see [`XmlReader::found_stray_markup`].
    stray_markup: bool,
    entities: DtdEntities,
    /// A start tag read ahead and handed back: see [`XmlReader::push_back`].
    pushed_back: Option<Element<'a>>,
}

impl<'a> XmlReader<'a> {
    pub fn new(src: &'a str, base: Option<&Url>) -> Self {
        let mut reader = Reader::from_str(src);
        let config = reader.config_mut();
        config.check_end_names = false;
        config.allow_unmatched_ends = true;
        config.allow_dangling_amp = true;
        config.check_comments = false;
        config.expand_empty_elements = false;
        XmlReader {
            reader,
            open: Vec::new(),
            bindings: Vec::new(),
            src,
            root_base: base.cloned().map(Rc::new),
            pending_ends: 0,
            pending_at: 0,
            errors: 0,
            done: false,
            stray_markup: false,
            entities: DtdEntities::default(),
            pushed_back: None,
        }
    }

    /// The next node. Text and references, most of a feed's nodes, are read here; the rest (tags, the
    /// DTD, the end, errors) out of line in [`XmlReader::markup`], so that this stays small enough
    /// to be inlined into the walker's loops.
    #[inline(always)]
    pub fn next(&mut self, warnings: &mut Warnings) -> Node<'a> {
        if let Some(node) = self.queued() {
            return node;
        }
        loop {
            let before = self.position();
            match self.reader.read_event() {
                // As written: line-end normalization costs a scan of every text, and no field needs it.
                Ok(Event::Text(text)) => {
                    // References arrive as their own events, and text stops at every `&`: text
                    // that starts with one holds a bare `&` (quick-xml's `allow_dangling_amp`).
                    if text.first() == Some(&b'&') {
                        warnings.push("bare '&' read as text".into());
                    }
                    return Node::Text(source_text(self.src, text.into_inner()));
                }
                Ok(Event::GeneralRef(reference)) => {
                    if let Some(c) = predefined_entity(&reference) {
                        return Node::Char(c);
                    }
                    let name = source_text(self.src, reference.into_inner());
                    return self.reference(&name, warnings);
                }
                Ok(Event::CData(cdata)) => {
                    return Node::Text(source_text(self.src, cdata.into_inner()));
                }
                Ok(Event::Decl(_) | Event::PI(_) | Event::Comment(_)) => {}
                event => {
                    if let Some(node) = self.markup(event, before, warnings) {
                        return node;
                    }
                }
            }
        }
    }

    /// A node owed before the next event is read: a start tag handed back, the end of an element
    /// closed implicitly or written empty, or the end of the document.
    #[inline]
    fn queued(&mut self) -> Option<Node<'a>> {
        if self.pushed_back.is_some() {
            return self.pushed_back.take().map(Node::Start);
        }
        if self.pending_ends > 0 {
            self.pending_ends -= 1;
            self.close_top();
            return Some(Node::End {
                at: self.pending_at,
            });
        }
        self.done.then_some(Node::Eof)
    }

    /// The events other than text and references, read at `before`; `None` when one gives no node
    /// (a stray end tag, the DTD, a recoverable error) and reading goes on.
    #[inline(never)]
    fn markup(
        &mut self,
        event: quick_xml::Result<Event<'a>>,
        before: usize,
        warnings: &mut Warnings,
    ) -> Option<Node<'a>> {
        match event {
            Ok(Event::Start(tag) | Event::Empty(tag)) if !starts_like_a_name(&tag) => {
                // `a < b`: the tokenizer has swallowed text as a tag. Stop; the caller repairs
                // the document and reads it again.
                self.stray_markup = true;
                self.done = true;
                self.open.clear();
                Some(Node::Eof)
            }
            Ok(Event::Start(tag)) => {
                if self.open.len() >= MAX_DEPTH {
                    warnings.push(format!(
                        "elements nested deeper than {MAX_DEPTH} levels were flattened"
                    ));
                    return None;
                }
                Some(Node::Start(self.open_element(tag, before, false, warnings)))
            }
            Ok(Event::Empty(tag)) => {
                let element = self.open_element(tag, before, true, warnings);
                self.pending_ends = 1;
                self.pending_at = element.content_start;
                Some(Node::Start(element))
            }
            Ok(Event::End(end)) => {
                let name = source_text(self.src, Cow::Borrowed(end.name().into_inner()));
                self.close(&name, before, warnings)
            }
            Ok(Event::DocType(doctype)) => {
                let dtd = source_text(self.src, doctype.into_inner());
                let refused = self.entities.read_dtd(&dtd);
                if refused > 0 {
                    warnings.push(format!(
                        "{refused} DTD entity declarations ignored (only literal text is expanded)"
                    ));
                }
                None
            }
            Ok(Event::Eof) => {
                self.done = true;
                if !self.open.is_empty() {
                    warnings.push(format!(
                        "document truncated: {} elements left open",
                        self.open.len()
                    ));
                    self.open.clear();
                }
                Some(Node::Eof)
            }
            Err(error) => {
                self.errors += 1;
                warnings.push(format!(
                    "XML error at byte {}: {error}",
                    self.reader.error_position()
                ));
                if self.errors >= MAX_ERRORS || self.position() <= before || is_fatal(&error) {
                    self.done = true;
                    if !self.open.is_empty() {
                        warnings.push("document truncated".into());
                    }
                    self.open.clear();
                    return Some(Node::Eof);
                }
                None
            }
            // Text, references, declarations, comments: read by `next`, never passed here.
            Ok(_) => None,
        }
    }

    /// Whether reading stopped at a `<` that opens no tag (`a < b`), which the tokenizer cannot read
    /// past; the document needs [`super::repair::repair`] first.
    pub fn found_stray_markup(&self) -> bool {
        self.stray_markup
    }

    fn position(&self) -> usize {
        usize::try_from(self.reader.buffer_position()).unwrap_or(usize::MAX)
    }

    fn open_element(
        &mut self,
        tag: BytesStart<'a>,
        at: usize,
        empty: bool,
        warnings: &mut Warnings,
    ) -> Element<'a> {
        let bindings_len = self.bindings.len();
        let parent_base = self
            .open
            .last()
            .map_or(self.root_base.clone(), |o| o.base.clone());
        let mut base = parent_base.clone();
        // The name as a slice of the source (the tag's own copy cannot outlive it).
        let name_len = tag.name().as_ref().len();
        let qname: &'a str = self.src.get(at + 1..at + 1 + name_len).unwrap_or_default();
        // Microsoft's CDF writes the channel's base URL as `BASE`.
        let cdf_channel = qname.eq_ignore_ascii_case("channel");
        let raw = tag.attributes_raw();
        let declares = cdf_channel || declares_namespace_or_base(raw);
        for attr in declares.then(|| attributes(&tag)).into_iter().flatten() {
            let key = source_text(self.src, Cow::Borrowed(attr.key.as_ref()));
            let value = source_text(self.src, attr.value);
            if key.starts_with("xmlns") && self.bindings.len() >= MAX_BINDINGS {
                warnings.push(format!(
                    "more than {MAX_BINDINGS} namespace declarations; the rest ignored"
                ));
            } else if key == "xmlns" {
                self.bindings.push((Box::default(), Ns::from_uri(&value)));
            } else if let Some(prefix) = key.strip_prefix("xmlns:") {
                self.bindings.push((prefix.into(), Ns::from_uri(&value)));
            } else if key.eq_ignore_ascii_case("xml:base")
                || (cdf_channel && key.eq_ignore_ascii_case("base"))
            {
                let href = unescape(&value).0.trim().to_string();
                let joined = match parent_base.as_deref() {
                    Some(parent) => parent.join(&href),
                    None => Url::parse(&href),
                };
                match joined {
                    Ok(url) => base = Some(Rc::new(url)),
                    Err(_) => warnings.push(format!("unusable xml:base {href:?} ignored")),
                }
            }
        }
        let (prefix, local) = qname.split_once(':').unwrap_or(("", qname));
        let ns = self.namespace_of(prefix);
        let content_start = self.position();
        let qname = if empty { "" } else { qname };
        self.open.push(Open {
            qname,
            bindings_len,
            base: base.clone(),
        });
        Element {
            ns,
            local: lower_name(local),
            base,
            content_start,
            tag,
            src: self.src,
        }
    }

    fn namespace_of(&self, prefix: &str) -> Ns {
        if prefix.eq_ignore_ascii_case("xml") {
            return Ns::Xml;
        }
        match self
            .bindings
            .iter()
            .rev()
            .find(|(p, _)| p.as_ref() == prefix)
        {
            Some(&(_, ns)) => ns,
            None if prefix.is_empty() => Ns::None,
            None => Ns::guess_from_prefix(prefix),
        }
    }

    /// Handles an end tag: closes the matching open element and any left open inside it.
    fn close(&mut self, name: &str, at: usize, warnings: &mut Warnings) -> Option<Node<'a>> {
        let name = name.trim_ascii();
        let Some(index) = self
            .open
            .iter()
            .rposition(|o| o.qname.eq_ignore_ascii_case(name))
        else {
            warnings.push(format!("stray end tag </{name}> ignored"));
            return None;
        };
        let implicit = self.open.len() - 1 - index;
        if implicit > 0 {
            let unclosed = self.open.last().map_or("", |o| o.qname);
            warnings.push(format!("unclosed <{unclosed}> closed by </{name}>"));
        }
        self.pending_ends = implicit;
        self.pending_at = at;
        self.close_top();
        Some(Node::End { at })
    }

    /// A reference other than to XML's five entities: a character reference, an entity the DTD
    /// declared, an HTML name, or an unknown one. Kept out of [`XmlReader::next`], which every node
    /// goes through, so that the common case there stays small.
    #[inline(never)]
    fn reference(&self, name: &str, warnings: &mut Warnings) -> Node<'a> {
        if !self.entities.is_empty()
            && let Some(text) = self.entities.get(name)
        {
            return Node::Text(Cow::Owned(text.to_owned()));
        }
        Node::Text(match resolve_entity(name) {
            Resolved::Xml(c) => return Node::Char(c),
            Resolved::Html(s) => {
                warnings.push(format!(
                    "HTML entity &{name}; is not defined in XML; decoded"
                ));
                Cow::Owned(s)
            }
            Resolved::Unknown => {
                warnings.push(format!("undefined entity &{name}; kept as written"));
                Cow::Owned(format!("&{name};"))
            }
        })
    }

    /// Hands `element`, the start tag just read, back to be read again by the next [`XmlReader::next`]
    /// (before its own end, if it was empty): the walker read ahead into an element it cannot take
    /// where it is (an `<item>` inside an unclosed feed-level element).
    pub fn push_back(&mut self, element: Element<'a>) {
        self.pushed_back = Some(element);
    }

    /// Closes the `count` open elements just below the innermost one, as if their end tags had come
    /// before its start tag: the walker found an element (an `<item>`) that they cannot contain.
    /// Returns the qualified name of the outermost one closed.
    pub fn close_below_innermost(&mut self, count: usize) -> Option<&'a str> {
        let top = self.open.pop()?;
        let Some(first) = self.open.len().checked_sub(count).filter(|_| count > 0) else {
            self.open.push(top);
            return None;
        };
        let mut closed = self.open.drain(first..);
        let outermost = closed.next().map(|o| (o.qname, o.bindings_len));
        drop(closed);
        let Some((qname, bindings_len)) = outermost else {
            self.open.push(top);
            return None;
        };
        // Their namespace declarations go out of scope; the innermost element keeps its own.
        let own = self
            .bindings
            .split_off(top.bindings_len.min(self.bindings.len()));
        self.bindings.truncate(bindings_len);
        self.bindings.extend(own);
        self.open.push(Open {
            bindings_len: bindings_len.min(top.bindings_len),
            ..top
        });
        Some(qname)
    }

    fn close_top(&mut self) {
        if let Some(open) = self.open.pop() {
            self.bindings.truncate(open.bindings_len);
        }
    }
}

/// The internal entities a document's DTD declares with literal text. Text holding a reference (`&`),
/// markup or a parameter entity is refused, and so are external entities: expansion is one level deep
/// and bounded, whatever the DTD says.
#[derive(Default)]
struct DtdEntities(Vec<(String, String)>);

impl DtdEntities {
    /// The most declarations kept, and the longest text kept for one.
    const MAX: usize = 64;
    const MAX_TEXT: usize = 256;

    /// Checked before [`DtdEntities::get`]: most documents declare none, and every reference asks.
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    #[cold]
    fn get(&self, name: &str) -> Option<&str> {
        let found = self.0.iter().find(|(n, _)| n == name);
        found.map(|(_, text)| text.as_str())
    }

    /// Reads the `<!ENTITY name "text">` declarations of a DTD; returns how many were refused.
    #[cold]
    fn read_dtd(&mut self, dtd: &str) -> usize {
        let mut refused = 0;
        for declaration in dtd.split("<!ENTITY").skip(1) {
            let declaration = declaration.trim_start();
            let name_end = declaration
                .find(|c: char| c.is_whitespace())
                .unwrap_or(declaration.len());
            let (name, rest) = declaration.split_at(name_end);
            let rest = rest.trim_start();
            let literal = rest.chars().next().filter(|q| *q == '"' || *q == '\'');
            let text = literal.and_then(|quote| {
                let body = rest.get(1..)?;
                body.get(..body.find(quote)?)
            });
            match text {
                Some(text)
                    if name != "%"
                        && !text.contains(['&', '<', '%'])
                        && text.len() <= Self::MAX_TEXT
                        && self.0.len() < Self::MAX =>
                {
                    self.0.push((name.to_string(), text.to_string()));
                }
                _ => refused += 1,
            }
        }
        refused
    }
}

/// A tag's attributes, read leniently (valueless and unquoted ones too) and without the duplicate check,
/// which costs quadratic time on a tag with many attributes.
fn attributes<'t>(
    tag: &'t BytesStart,
) -> impl Iterator<Item = quick_xml::events::attributes::Attribute<'t>> {
    let mut attributes = tag.html_attributes();
    attributes.with_checks(false);
    attributes.flatten()
}

/// Whether a start tag's name begins as an XML name can.
fn starts_like_a_name(tag: &BytesStart) -> bool {
    tag.name()
        .as_ref()
        .first()
        .is_some_and(|&b| b.is_ascii_alphabetic() || b == b'_' || b == b':' || b >= 0x80)
}

/// Errors after which nothing more can be read (an unterminated construct runs to the end).
fn is_fatal(error: &quick_xml::Error) -> bool {
    matches!(error, quick_xml::Error::Syntax(_))
}

/// Whether a tag's attributes may hold an `xmlns` or `xml:base`: most tags have neither, and reading
/// the attributes costs more than looking for these two words with searchers built once.
fn declares_namespace_or_base(raw: &[u8]) -> bool {
    use memchr::memmem::Finder;
    use std::sync::LazyLock;
    static XMLNS: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("xmlns"));
    static BASE: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("base"));
    XMLNS.find(raw).is_some() || BASE.find(raw).is_some()
}

/// Bytes quick-xml read from `src` as the text they are there. The source is already known to be UTF-8
/// and tokens end only at ASCII bytes, so this is a bounds check, not a second validation of every
/// token (which quick-xml 0.42 does, at a tenth of the parse time). Bytes that are not a slice of
/// `src` are decoded, invalid sequences replaced.
#[inline(always)]
fn source_text<'a>(src: &'a str, bytes: Cow<'_, [u8]>) -> Cow<'a, str> {
    if let Cow::Borrowed(part) = bytes {
        let start = (part.as_ptr() as usize).wrapping_sub(src.as_ptr() as usize);
        if let Some(text) = start
            .checked_add(part.len())
            .and_then(|end| src.get(start..end))
        {
            return Cow::Borrowed(text);
        }
    }
    Cow::Owned(String::from_utf8_lossy(&bytes).into_owned())
}

fn lower_name(name: &str) -> Cow<'_, str> {
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(name.to_ascii_lowercase())
    } else {
        Cow::Borrowed(name)
    }
}
