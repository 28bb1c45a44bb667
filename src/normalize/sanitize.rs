//! The fast path of [`super::sanitize_html`]. Ammonia parses HTML into a DOM with html5ever, cleans the
//! DOM and serializes it again: safe, but it costs far more than reading the feed. Most feed HTML is
//! simple, well-nested markup, for which that round trip is predictable: [`clean`] reads such markup in
//! one pass and writes exactly what ammonia would. Whatever it cannot predict for certain (misnested,
//! stray or implied tags, content that a table would move, forms, SVG, odd syntax…) makes it give up,
//! and the caller falls back to ammonia. The tests check both agree on every summary and content of the
//! corpus, and on mutations of them.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

use markup5ever::data::NAMED_ENTITIES;
use url::Url;

use crate::text::entity::numeric_char;
use crate::text::escape::find_special;
use crate::text::web_url::{Plain, is_plain_web_url};

/// FNV-1a: the policy's sets hold short names, for which the default SipHash is needlessly slow.
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn write(&mut self, bytes: &[u8]) {
        let mut hash = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = hash;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type Set = HashSet<&'static str, BuildHasherDefault<Fnv>>;

/// What an ammonia builder allows. Built from the builder itself so the two cannot drift apart; it
/// covers the options a default builder uses (ours only changes the base URL).
pub(super) struct Policy {
    /// The tags kept, each with the attributes it keeps (generic ones included).
    tags: HashMap<&'static str, Vec<&'static str>, BuildHasherDefault<Fnv>>,
    clean_content_tags: Set,
    url_schemes: Set,
    link_rel: Option<String>,
}

impl Policy {
    pub(super) fn of(builder: &ammonia::Builder<'static>) -> Policy {
        let generic = builder.clone_generic_attributes();
        let mut by_tag = builder.clone_tag_attributes();
        let tags = builder
            .clone_tags()
            .into_iter()
            .map(|tag| {
                let own = by_tag.remove(tag).unwrap_or_default();
                (tag, generic.iter().chain(&own).copied().collect())
            })
            .collect();
        Policy {
            tags,
            clean_content_tags: builder.clone_clean_content_tags().into_iter().collect(),
            url_schemes: builder.clone_url_schemes().into_iter().collect(),
            link_rel: builder.get_link_rel().map(str::to_owned),
        }
    }

    fn keeps(&self, tag: &str) -> bool {
        self.tags.contains_key(tag)
    }
}

/// `html` sanitized as ammonia would with `policy`, relative URLs resolved against `base`; `None` when
/// the markup needs ammonia.
pub(super) fn clean(html: &str, base: &Url, policy: &Policy) -> Option<String> {
    // html5ever drops a leading byte-order mark.
    if html.starts_with('\u{feff}') {
        return None;
    }
    let mut cleaner = Cleaner {
        src: html,
        pos: 0,
        out: String::with_capacity(html.len() + html.len() / 8),
        open: Vec::new(),
        active: Vec::new(),
        attributes: Vec::new(),
        skip_lf: false,
        policy,
        base,
    };
    cleaner.run()?;
    Some(cleaner.out)
}

/// How html5ever's tree builder treats an element, as far as the fast path follows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Model {
    /// No rule of its own: it nests where it is written.
    Inline,
    /// `<a>`, `<b>`…: rearranged when misnested or nested in themselves.
    Formatting,
    /// No content, no end tag.
    Void,
    /// Void, and unlike the others does not reopen closed formatting elements.
    QuietVoid,
    /// Closes an open `<p>` and holds anything: `<div>`, `<blockquote>`…
    Block,
    /// `<ul>`, `<ol>`: whose `<li>`s are accepted as direct children only.
    List,
    /// `<dl>`: likewise for `<dd>` and `<dt>`.
    DefinitionList,
    ListItem,
    DefinitionItem,
    Paragraph,
    /// A heading start tag closes a heading that is the current element.
    Heading,
    /// `<pre>`, `<listing>`: a newline right after the start tag is dropped.
    Pre,
    /// `<hr>`: closes an open `<p>`; void.
    Rule,
    Table,
    TableSection,
    Row,
    Cell,
    Caption,
    ColumnGroup,
    Column,
    /// Content is raw text up to the end tag: `<script>`, `<style>`, `<iframe>`.
    RawText,
}

impl Model {
    /// Elements with parsing rules of their own that the fast path does not follow give `None`.
    fn of(name: &str) -> Option<Model> {
        use Model::*;
        Some(match name {
            "a" | "b" | "big" | "code" | "em" | "font" | "i" | "nobr" | "s" | "small"
            | "strike" | "strong" | "tt" | "u" => Formatting,
            "area" | "br" | "embed" | "img" | "keygen" | "wbr" => Void,
            "base" | "basefont" | "bgsound" | "link" | "meta" | "param" | "source" | "track" => {
                QuietVoid
            }
            "address" | "article" | "aside" | "blockquote" | "center" | "details" | "dialog"
            | "dir" | "div" | "fieldset" | "figcaption" | "figure" | "footer" | "header"
            | "hgroup" | "main" | "menu" | "nav" | "search" | "section" | "summary" => Block,
            "ul" | "ol" => List,
            "dl" => DefinitionList,
            "li" => ListItem,
            "dd" | "dt" => DefinitionItem,
            "p" => Paragraph,
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => Heading,
            "pre" | "listing" => Pre,
            "hr" => Rule,
            "table" => Table,
            "tbody" | "thead" | "tfoot" => TableSection,
            "tr" => Row,
            "td" | "th" => Cell,
            "caption" => Caption,
            "colgroup" => ColumnGroup,
            "col" => Column,
            "script" | "style" | "iframe" => RawText,
            "applet" | "body" | "button" | "form" | "frame" | "frameset" | "head" | "html"
            | "image" | "input" | "marquee" | "math" | "noembed" | "noframes" | "noscript"
            | "object" | "optgroup" | "option" | "plaintext" | "rb" | "rp" | "rt" | "rtc"
            | "select" | "svg" | "template" | "textarea" | "title" | "xmp" => return None,
            _ => Inline,
        })
    }

    fn is_void(self) -> bool {
        matches!(
            self,
            Model::Void | Model::QuietVoid | Model::Rule | Model::Column
        )
    }

    /// html5ever's "special" category, which limits how far some end tags look for their element.
    fn is_special(self) -> bool {
        !matches!(self, Model::Inline | Model::Formatting)
    }

    /// Where only table structure and whitespace may follow: anything else would be moved out of
    /// the table ("foster parenting").
    fn is_table_structure(self) -> bool {
        matches!(
            self,
            Model::Table | Model::TableSection | Model::Row | Model::ColumnGroup
        )
    }
}

/// A tag name, lower-cased; it borrows from the source unless it had to be lower-cased. Longer names
/// are refused.
#[derive(Clone, PartialEq, Eq)]
struct Name<'a>(Cow<'a, str>);

impl<'a> Name<'a> {
    fn new(name: &'a str) -> Option<Name<'a>> {
        if name.len() > 32 {
            return None;
        }
        Some(Name(if name.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(name.to_ascii_lowercase())
        } else {
            Cow::Borrowed(name)
        }))
    }

    fn as_str(&self) -> &str {
        &self.0
    }
}

struct Open<'a> {
    name: Name<'a>,
    model: Model,
    /// Whether ammonia keeps the element (else only its content is written).
    kept: bool,
}

/// An entry of html5ever's list of active formatting elements.
enum Active<'a> {
    /// Set by a cell or caption: the formatting elements before it are not reopened inside.
    Marker,
    Element {
        name: Name<'a>,
        /// Where its start tag was written in the output (empty when ammonia drops the element).
        tag: std::ops::Range<usize>,
        kept: bool,
        /// Whether it is open. One closed by the end of another element (`<p><b>a<div>`) is
        /// reopened, with the same attributes, before the next text or inline element.
        open: bool,
    },
}

fn top_model(open: &[Open]) -> Option<Model> {
    open.last().map(|o| o.model)
}

struct Cleaner<'a, 'p> {
    src: &'a str,
    pos: usize,
    out: String,
    open: Vec<Open<'a>>,
    active: Vec<Active<'a>>,
    /// The current start tag's attributes, as written: reused from tag to tag.
    attributes: Vec<(&'a str, &'a str)>,
    /// Set after `<pre>`: a newline that comes next is dropped.
    skip_lf: bool,
    policy: &'p Policy,
    base: &'p Url,
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
}

fn skip_space(bytes: &[u8], mut at: usize) -> usize {
    while bytes.get(at).copied().is_some_and(is_space) {
        at += 1;
    }
    at
}

/// The `>` of an end tag whose name ends at `at`; html5ever ignores a `/` before it.
fn end_of_end_tag(bytes: &[u8], at: usize) -> Option<usize> {
    let mut close = skip_space(bytes, at);
    if bytes.get(close) == Some(&b'/') {
        close += 1;
    }
    (bytes.get(close) == Some(&b'>')).then_some(close)
}

/// The end of a tag or attribute name that starts at `at`. Names are restricted to ASCII letters,
/// digits and `-_:.`, and must end where html5ever ends them.
fn end_of_name(bytes: &[u8], at: usize) -> Option<usize> {
    let len = bytes
        .get(at..)?
        .iter()
        .position(|&b| !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b':' | b'.')))
        .unwrap_or(bytes.len() - at);
    let end = at + len;
    match bytes.get(end) {
        Some(&b) if is_space(b) || matches!(b, b'/' | b'>' | b'=') => Some(end),
        _ => None,
    }
}

impl<'a> Cleaner<'a, '_> {
    fn run(&mut self) -> Option<()> {
        let bytes = self.src.as_bytes();
        loop {
            let start = self.pos;
            let lt = memchr::memchr(b'<', bytes.get(start..)?).map_or(bytes.len(), |i| start + i);
            self.text(start, lt)?;
            if lt == bytes.len() {
                break;
            }
            self.pos = lt;
            match bytes.get(lt + 1) {
                Some(b) if b.is_ascii_alphabetic() => self.start_tag()?,
                Some(b'/') => self.end_tag()?,
                Some(b'!') => self.comment()?,
                Some(b'?') => return None,
                // A `<` that opens no tag is text.
                _ => {
                    if self.in_table_structure() {
                        return None;
                    }
                    self.reopen()?;
                    self.out.push_str("&lt;");
                    self.pos = lt + 1;
                }
            }
        }
        // The document ends every element left open.
        while let Some(open) = self.open.pop() {
            self.end(&open);
        }
        Some(())
    }

    fn in_table_structure(&self) -> bool {
        self.open
            .last()
            .is_some_and(|o| o.model.is_table_structure())
    }

    /// Character data up to the next `<`.
    fn text(&mut self, start: usize, end: usize) -> Option<()> {
        let mut run = self.src.get(start..end)?;
        if std::mem::take(&mut self.skip_lf) {
            run = match run.as_bytes() {
                [b'\r', b'\n', ..] => run.get(2..)?,
                [b'\n' | b'\r', ..] => run.get(1..)?,
                [b'&', ..] => return None,
                _ => run,
            };
        }
        if run.is_empty() {
            return Some(());
        }
        if self.in_table_structure() {
            // Whitespace stays where it is; anything else would be moved out of the table.
            return run
                .bytes()
                .all(is_space)
                .then(|| push_text(&mut self.out, run, true))?;
        }
        self.reopen()?;
        push_text(&mut self.out, run, true)
    }

    fn start_tag(&mut self) -> Option<()> {
        let src = self.src;
        let bytes = src.as_bytes();
        let name_start = self.pos + 1;
        let name_end = end_of_name(bytes, name_start)?;
        let name = Name::new(src.get(name_start..name_end)?)?;
        let model = Model::of(name.as_str())?;
        let kept = self.policy.keeps(name.as_str());

        self.attributes.clear();
        let mut at = name_end;
        let self_closing = loop {
            at = skip_space(bytes, at);
            match bytes.get(at)? {
                b'>' => break false,
                b'/' if bytes.get(at + 1) == Some(&b'>') => {
                    at += 1;
                    break true;
                }
                b'/' | b'=' => return None,
                _ => {
                    let attribute_end = end_of_name(bytes, at)?;
                    let attribute = src.get(at..attribute_end)?;
                    at = skip_space(bytes, attribute_end);
                    let value = if bytes.get(at) == Some(&b'=') {
                        let (value, end) = attribute_value(src, skip_space(bytes, at + 1))?;
                        at = end;
                        value
                    } else {
                        ""
                    };
                    self.attributes.push((attribute, value));
                }
            }
        };
        self.pos = at + 1;
        if self_closing && !matches!(model, Model::RawText) && !model.is_void() {
            // html5ever ignores the slash on other elements: `<p/>` opens a paragraph.
            return None;
        }
        self.make_room(model, &name)?;
        if model == Model::RawText {
            return self.raw_text(&name, kept);
        }
        if matches!(model, Model::Formatting | Model::Inline | Model::Void) {
            self.reopen()?;
        }
        let tag_start = self.out.len();
        if kept {
            self.write_start_tag(&name)?;
        }
        match model {
            _ if model.is_void() => {}
            Model::Pre => {
                self.skip_lf = true;
                self.push(name, model, kept);
            }
            Model::Cell | Model::Caption => {
                self.push(name, model, kept);
                self.active.push(Active::Marker);
            }
            Model::Formatting => {
                self.push(name.clone(), model, kept);
                self.active.push(Active::Element {
                    name,
                    tag: tag_start..self.out.len(),
                    kept,
                    open: true,
                });
            }
            _ => self.push(name, model, kept),
        }
        Some(())
    }

    fn push(&mut self, name: Name<'a>, model: Model, kept: bool) {
        self.open.push(Open { name, model, kept });
    }

    /// Opens the `<tbody>` or `<tr>` that html5ever adds around a row or cell written without one.
    fn push_implied(&mut self, name: &'static str, model: Model) -> Option<()> {
        let kept = self.policy.keeps(name);
        if kept {
            self.out.push('<');
            self.out.push_str(name);
            self.out.push('>');
        }
        self.push(Name::new(name)?, model, kept);
        Some(())
    }

    /// Does what html5ever does before inserting an element of this kind: close a paragraph, a list
    /// item or table parts it implies the end of, add an implied `<tbody>` or `<tr>`. `None` when it
    /// would do more than that: move the element out of a table, or reopen formatting elements.
    fn make_room(&mut self, model: Model, name: &Name) -> Option<()> {
        use Model::*;
        let top = self.open.last().map(|o| o.model);
        match model {
            Caption | ColumnGroup | TableSection => {
                let table = self.nearest(&[Table])?;
                self.pop_to(table + 1)
            }
            Row => {
                let at = self.nearest(&[TableSection, Table])?;
                self.pop_to(at + 1)?;
                if top_model(&self.open) == Some(Table) {
                    self.push_implied("tbody", TableSection)?;
                }
                Some(())
            }
            Cell => {
                let at = self.nearest(&[Row, TableSection, Table])?;
                self.pop_to(at + 1)?;
                if top_model(&self.open) == Some(Table) {
                    self.push_implied("tbody", TableSection)?;
                }
                if top_model(&self.open) == Some(TableSection) {
                    self.push_implied("tr", Row)?;
                }
                Some(())
            }
            Column => (top == Some(ColumnGroup)).then_some(()),
            _ if top.is_some_and(Model::is_table_structure) => None,
            Inline | Void | QuietVoid | RawText => Some(()),
            // A second one inside the first is rearranged (or, three deep, dropped).
            Formatting => self.formatting_entry(name).is_none().then_some(()),
            ListItem | DefinitionItem => {
                // An open item of the same kind is closed, unless a block other than <div>,
                // <address> or <p> stands in between.
                for index in (0..self.open.len()).rev() {
                    let open = self.open.get(index)?;
                    if open.model == model {
                        self.pop_to(index)?;
                        break;
                    }
                    if open.model.is_special()
                        && !matches!(open.name.as_str(), "address" | "div" | "p")
                    {
                        break;
                    }
                }
                self.close_paragraph()
            }
            Heading => {
                self.close_paragraph()?;
                if top_model(&self.open) == Some(Heading) {
                    self.pop_to(self.open.len() - 1)?;
                }
                Some(())
            }
            Block | List | DefinitionList | Paragraph | Pre | Rule | Table => {
                self.close_paragraph()
            }
        }
    }

    /// Closes a `<p>` open in "button scope", as a block start tag does.
    fn close_paragraph(&mut self) -> Option<()> {
        match self.in_scope(|o| o.model == Model::Paragraph, false) {
            Some(index) => self.pop_to(index),
            None => Some(()),
        }
    }

    /// The innermost open element that `wanted` matches, unless a scope boundary (a table, cell or
    /// caption, and a list when `list_scope`) comes first.
    fn in_scope(&self, wanted: impl Fn(&Open) -> bool, list_scope: bool) -> Option<usize> {
        for (index, open) in self.open.iter().enumerate().rev() {
            if wanted(open) {
                return Some(index);
            }
            let boundary = matches!(open.model, Model::Table | Model::Cell | Model::Caption)
                || (list_scope && open.model == Model::List);
            if boundary {
                return None;
            }
        }
        None
    }

    /// The innermost open element of one of `models`.
    fn nearest(&self, models: &[Model]) -> Option<usize> {
        self.open.iter().rposition(|o| models.contains(&o.model))
    }

    /// Closes the elements from the innermost down to the one at `index`, writing their end tags.
    /// Formatting elements stay in the list of active ones, to be reopened, except those opened in a
    /// cell or caption that closes: html5ever forgets them.
    fn pop_to(&mut self, index: usize) -> Option<()> {
        while self.open.len() > index {
            let open = self.open.pop()?;
            self.end(&open);
            match open.model {
                Model::Formatting => match self.formatting_entry(&open.name)? {
                    Active::Element { open, .. } if *open => *open = false,
                    _ => return None,
                },
                Model::Cell | Model::Caption => {
                    while let Some(entry) = self.active.pop() {
                        if matches!(entry, Active::Marker) {
                            break;
                        }
                    }
                }
                _ => {}
            }
        }
        Some(())
    }

    /// The active formatting element named `name` since the last marker.
    fn formatting_entry(&mut self, wanted: &Name) -> Option<&mut Active<'a>> {
        self.active
            .iter_mut()
            .rev()
            .take_while(|entry| !matches!(entry, Active::Marker))
            .find(|entry| matches!(entry, Active::Element { name, .. } if name == wanted))
    }

    /// Reopens the closed formatting elements since the last marker, in order, writing their start
    /// tags again, as html5ever does before text and inline elements.
    fn reopen(&mut self) -> Option<()> {
        let since_marker = self
            .active
            .iter()
            .rposition(|entry| matches!(entry, Active::Marker))
            .map_or(0, |marker| marker + 1);
        let Some(first) = self
            .active
            .iter()
            .skip(since_marker)
            .position(|entry| matches!(entry, Active::Element { open: false, .. }))
        else {
            return Some(());
        };
        for index in since_marker + first..self.active.len() {
            let Some(Active::Element {
                name,
                tag,
                kept,
                open,
            }) = self.active.get_mut(index)
            else {
                return None;
            };
            if *open {
                return None;
            }
            let start_tag = self.out.get(tag.clone())?.to_owned();
            let start = self.out.len();
            self.out.push_str(&start_tag);
            *tag = start..self.out.len();
            *open = true;
            let (name, kept) = (name.clone(), *kept);
            self.push(name, Model::Formatting, kept);
        }
        Some(())
    }

    fn write_start_tag(&mut self, name: &Name) -> Option<()> {
        let tag = name.as_str();
        let allowed = self.policy.tags.get(tag)?;
        self.out.push('<');
        self.out.push_str(tag);
        for (index, &(attribute, raw)) in self.attributes.iter().enumerate() {
            let Some(&attribute) = allowed.iter().find(|a| a.eq_ignore_ascii_case(attribute))
            else {
                continue;
            };
            // html5ever keeps the first of duplicate attributes.
            let earlier = self.attributes.get(..index)?;
            if earlier
                .iter()
                .any(|(e, _)| e.eq_ignore_ascii_case(attribute))
            {
                continue;
            }
            let mut value = decode_attribute(raw)?;
            if is_url_attribute(tag, attribute) {
                match self.url(value)? {
                    Some(url) => value = url,
                    None => continue,
                }
            }
            self.out.push(' ');
            self.out.push_str(attribute);
            self.out.push_str("=\"");
            push_escaped(&mut self.out, &value, true);
            self.out.push('"');
        }
        if tag == "a"
            && let Some(rel) = &self.policy.link_rel
        {
            self.out.push_str(" rel=\"");
            push_escaped(&mut self.out, rel, true);
            self.out.push('"');
        }
        self.out.push('>');
        Some(())
    }

    /// Ammonia's URL rule: an absolute URL stays as written if its scheme is allowed and is dropped
    /// otherwise, a relative one is resolved against the base, an unparsable one is dropped. `None`
    /// when resolving fails, which makes ammonia reorder the attributes.
    fn url(&self, value: Cow<'a, str>) -> Option<Option<Cow<'a, str>>> {
        if self.policy.url_schemes.contains("http")
            && self.policy.url_schemes.contains("https")
            && is_plain_web_url(&value, Plain::SurelyParses)
        {
            return Some(Some(value));
        }
        match Url::parse(&value) {
            Ok(url) => Some(
                self.policy
                    .url_schemes
                    .contains(url.scheme())
                    .then_some(value),
            ),
            Err(url::ParseError::RelativeUrlWithoutBase) => {
                let url = self.base.join(&value).ok()?;
                Some(Some(Cow::Owned(url.into())))
            }
            Err(_) => Some(None),
        }
    }

    /// The content of a raw text element, whose start tag has just been read, and its end tag.
    fn raw_text(&mut self, name: &Name, kept: bool) -> Option<()> {
        let bytes = self.src.as_bytes();
        let tag = name.as_str().as_bytes();
        let start = self.pos;
        let mut from = start;
        let (content_end, after_name) = loop {
            let Some(found) = memchr::memmem::find(bytes.get(from..)?, b"</") else {
                // Unclosed: the rest of the document is its content.
                break (bytes.len(), bytes.len());
            };
            let lt = from + found;
            let after_name = lt + 2 + tag.len();
            let same_name = bytes
                .get(lt + 2..after_name)
                .is_some_and(|n| n.eq_ignore_ascii_case(tag));
            let ends_name = bytes
                .get(after_name)
                .is_some_and(|&b| is_space(b) || matches!(b, b'/' | b'>'));
            if same_name && ends_name {
                break (lt, after_name);
            }
            from = lt + 2;
        };
        let content = self.src.get(start..content_end)?;
        let close = match content_end {
            end if end == bytes.len() => end - 1,
            _ => end_of_end_tag(bytes, after_name)?,
        };
        // Script data has escape states of its own.
        if memchr::memmem::find(content.as_bytes(), b"<!--").is_some() {
            return None;
        }
        self.pos = close + 1;
        if self.policy.clean_content_tags.contains(name.as_str()) {
            return Some(());
        }
        if kept {
            // A kept raw text element is written unescaped: not followed here.
            return None;
        }
        push_text(&mut self.out, content, false)
    }

    /// `<!-- … -->`, which ammonia drops.
    fn comment(&mut self) -> Option<()> {
        let rest = self.src.as_bytes().get(self.pos..)?;
        let body = rest.strip_prefix(b"<!--")?;
        if body.starts_with(b">") || body.starts_with(b"->") {
            return None;
        }
        let end = memchr::memmem::find(body, b"-->")?;
        if memchr::memmem::find(body, b"--!>").is_some_and(|bang| bang < end) {
            return None;
        }
        self.pos += 4 + end + 3;
        Some(())
    }

    fn end_tag(&mut self) -> Option<()> {
        use Model::*;
        let bytes = self.src.as_bytes();
        let name_start = self.pos + 2;
        if !bytes.get(name_start)?.is_ascii_alphabetic() {
            return None;
        }
        let name_end = end_of_name(bytes, name_start)?;
        let name = Name::new(self.src.get(name_start..name_end)?)?;
        self.pos = end_of_end_tag(bytes, name_end)? + 1;
        let model = Model::of(name.as_str())?;
        let same = |o: &Open| o.name == name;
        let close = match model {
            Table => self.nearest(&[Table]),
            TableSection => self
                .nearest(&[TableSection, Table])
                .filter(|&i| same(&self.open[i])),
            Row => self
                .nearest(&[Row, TableSection, Table])
                .filter(|&i| self.open[i].model == Row),
            Cell | Caption => self
                .nearest(&[Cell, Caption, Row, TableSection, Table])
                .filter(|&i| same(&self.open[i])),
            ColumnGroup => self
                .open
                .len()
                .checked_sub(1)
                .filter(|&i| same(&self.open[i])),
            _ if self.in_table_structure() => None,
            RawText => None,
            // `</br>` reads as `<br>`; other void elements' end tags are ignored.
            Void | QuietVoid | Rule | Column => {
                if name.as_str() == "br" {
                    self.reopen()?;
                    if self.policy.keeps("br") {
                        self.out.push_str("<br>");
                    }
                }
                return Some(());
            }
            Paragraph => match self.in_scope(same, false) {
                Some(index) => return self.pop_to(index),
                None => {
                    // A `</p>` without a `<p>` makes an empty paragraph.
                    if self.policy.keeps("p") {
                        self.out.push_str("<p></p>");
                    }
                    return Some(());
                }
            },
            ListItem => return self.close_if_in_scope(same, true),
            Heading => return self.close_if_in_scope(|o| o.model == Heading, false),
            DefinitionItem | Block | List | DefinitionList | Pre => {
                return self.close_if_in_scope(same, false);
            }
            Formatting => {
                // Closes the element if it is the current one, forgets it if it was closed
                // already, and is ignored if there is none; html5ever rearranges the rest.
                let open = match self.formatting_entry(&name) {
                    Some(Active::Element { open, .. }) => *open,
                    _ => return Some(()),
                };
                if open {
                    let current = self
                        .open
                        .len()
                        .checked_sub(1)
                        .filter(|&i| same(&self.open[i]));
                    self.pop_to(current?)?;
                }
                let at = self.active.iter().rposition(
                    |entry| matches!(entry, Active::Element { name: n, .. } if *n == name),
                )?;
                self.active.remove(at);
                return Some(());
            }
            Inline => {
                // Looks for the element down to the first special one, and ignores the end tag if
                // it meets that first.
                for index in (0..self.open.len()).rev() {
                    let open = self.open.get(index)?;
                    if same(open) {
                        return self.pop_to(index);
                    }
                    if open.model.is_special() {
                        return Some(());
                    }
                }
                return Some(());
            }
        };
        self.pop_to(close?)
    }

    /// Closes the innermost element `wanted` matches if it is in scope; ignores the end tag if not.
    fn close_if_in_scope(
        &mut self,
        wanted: impl Fn(&Open) -> bool,
        list_scope: bool,
    ) -> Option<()> {
        match self.in_scope(wanted, list_scope) {
            Some(index) => self.pop_to(index),
            None => Some(()),
        }
    }

    fn end(&mut self, open: &Open) {
        if open.kept {
            self.out.push_str("</");
            self.out.push_str(open.name.as_str());
            self.out.push('>');
        }
    }
}

/// An attribute value starting at `at` (just past `=` and any space): the value as written, and where
/// the tag continues.
fn attribute_value(src: &str, at: usize) -> Option<(&str, usize)> {
    let bytes = src.as_bytes();
    match *bytes.get(at)? {
        quote @ (b'"' | b'\'') => {
            let close = at + 1 + memchr::memchr(quote, bytes.get(at + 1..)?)?;
            // html5ever reads `a="1"b="2"` too, with an error; not followed here.
            let next = *bytes.get(close + 1)?;
            (is_space(next) || matches!(next, b'/' | b'>'))
                .then(|| Some((src.get(at + 1..close)?, close + 1)))?
        }
        b'>' => None,
        _ => {
            let len = bytes
                .get(at..)?
                .iter()
                .position(|&b| is_space(b) || b == b'>')?;
            let value = src.get(at..at + len)?;
            // Characters that are errors in an unquoted value.
            if value
                .bytes()
                .any(|b| matches!(b, b'"' | b'\'' | b'<' | b'=' | b'`'))
            {
                return None;
            }
            Some((value, at + len))
        }
    }
}

/// Mirrors ammonia's (private) list of attributes that hold URLs.
fn is_url_attribute(tag: &str, attribute: &str) -> bool {
    matches!(attribute, "href" | "src" | "xlink:href")
        || matches!(
            (tag, attribute),
            ("form", "action")
                | ("object", "data")
                | ("button" | "input", "formaction")
                | ("a", "ping")
                | ("video", "poster")
        )
}

/// The bytes [`push_text`] stops at. A table: text runs between them are short, for which a lookup
/// beats [`find_special`]'s blocks.
static TEXT_SPECIAL: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    while i < 256 {
        table[i] = matches!(i as u8, b'&' | b'<' | b'>' | b'\r' | b'\0' | 0xC2);
        i += 1;
    }
    table
};

/// Writes character data as html5ever reads it (references decoded when `references`, carriage
/// returns normalized) and serializes it (`&`, `<`, `>` and no-break spaces escaped).
fn push_text(out: &mut String, text: &str, references: bool) -> Option<()> {
    let bytes = text.as_bytes();
    let mut copied = 0;
    let mut at = 0;
    while let Some(found) = bytes
        .get(at..)?
        .iter()
        .position(|&b| TEXT_SPECIAL[usize::from(b)])
    {
        at += found;
        out.push_str(text.get(copied..at)?);
        let rest = text.get(at..)?;
        let (skip, replacement) = match *bytes.get(at)? {
            b'&' if references => match char_ref(rest, false) {
                Some((first, second, len)) => {
                    push_escaped_char(out, first, false);
                    if let Some(second) = second {
                        push_escaped_char(out, second, false);
                    }
                    (len, "")
                }
                None => (1, "&amp;"),
            },
            b'&' => (1, "&amp;"),
            b'<' => (1, "&lt;"),
            b'>' => (1, "&gt;"),
            b'\r' if rest.as_bytes().get(1) == Some(&b'\n') => (1, ""),
            b'\r' => (1, "\n"),
            0xC2 if rest.as_bytes().get(1) == Some(&0xA0) => (2, "&nbsp;"),
            0xC2 => (2, rest.get(..2)?),
            _ => return None,
        };
        out.push_str(replacement);
        at += skip;
        copied = at;
    }
    out.push_str(text.get(copied..)?);
    Some(())
}

/// An attribute value as html5ever reads it: references decoded, carriage returns normalized.
fn decode_attribute(raw: &str) -> Option<Cow<'_, str>> {
    let bytes = raw.as_bytes();
    let Some(first) = memchr::memchr3(b'&', b'\r', b'\0', bytes) else {
        return Some(Cow::Borrowed(raw));
    };
    let mut out = String::with_capacity(raw.len());
    out.push_str(raw.get(..first)?);
    let mut at = first;
    while let Some(&b) = bytes.get(at) {
        let rest = raw.get(at..)?;
        match b {
            b'&' => match char_ref(rest, true) {
                Some((first, second, len)) => {
                    out.push(first);
                    out.extend(second);
                    at += len;
                }
                None => {
                    out.push('&');
                    at += 1;
                }
            },
            b'\r' => {
                out.push('\n');
                at += if rest.as_bytes().get(1) == Some(&b'\n') {
                    2
                } else {
                    1
                };
            }
            b'\0' => return None,
            _ => {
                let run =
                    memchr::memchr3(b'&', b'\r', b'\0', rest.as_bytes()).unwrap_or(rest.len());
                out.push_str(rest.get(..run)?);
                at += run;
            }
        }
    }
    Some(Cow::Owned(out))
}

/// Serializes decoded text as html5ever does; `attribute` also escapes `"`. Deliberately not the
/// toolkit's `escape::html`: the sanitizer's output must equal ammonia's byte for byte (`&nbsp;` for
/// U+00A0, `'` left as is, `"` only inside attributes), and stored items and published pages depend on it.
fn push_escaped(out: &mut String, text: &str, attribute: bool) {
    // A byte scan (U+00A0 is C2 A0): a pattern of chars would decode every character first.
    let bytes = text.as_bytes();
    let special = |b: u8| (b == b'&') | (b == b'<') | (b == b'>') | (b == b'"') | (b == 0xC2);
    let (mut copied, mut at) = (0, 0);
    while let Some(found) = find_special(bytes, at, special) {
        let (escaped, len) = match bytes.get(found) {
            Some(b'&') => ("&amp;", 1),
            Some(b'<') => ("&lt;", 1),
            Some(b'>') => ("&gt;", 1),
            Some(b'"') if attribute => ("&quot;", 1),
            Some(0xC2) if bytes.get(found + 1) == Some(&0xA0) => ("&nbsp;", 2),
            _ => {
                at = found + 1;
                continue;
            }
        };
        out.push_str(text.get(copied..found).unwrap_or_default());
        out.push_str(escaped);
        copied = found + len;
        at = copied;
    }
    out.push_str(text.get(copied..).unwrap_or_default());
}

/// [`push_escaped`] for one character decoded from a reference: the same html5ever rule.
fn push_escaped_char(out: &mut String, c: char, attribute: bool) {
    match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '"' if attribute => out.push_str("&quot;"),
        '\u{a0}' => out.push_str("&nbsp;"),
        c => out.push(c),
    }
}

/// The character reference at the start of `s` (which starts with `&`), read as html5ever reads it:
/// the one or two characters it stands for and its length in bytes; `None` when the `&` is literal.
fn char_ref(s: &str, in_attribute: bool) -> Option<(char, Option<char>, usize)> {
    let bytes = s.as_bytes();
    match *bytes.get(1)? {
        b'#' => numeric_ref(bytes),
        b if b.is_ascii_alphanumeric() => named_ref(s, in_attribute),
        _ => None,
    }
}

fn numeric_ref(bytes: &[u8]) -> Option<(char, Option<char>, usize)> {
    let (radix, digits_at) = match bytes.get(2) {
        Some(b'x' | b'X') => (16, 3),
        _ => (10, 2),
    };
    let digits = bytes.get(digits_at..)?;
    let count = digits
        .iter()
        .take_while(|&&b| char::from(b).is_digit(radix))
        .count();
    if count == 0 {
        return None;
    }
    // Exactly html5ever's arithmetic: wrapping, with a sticky "too big" flag.
    let (mut value, mut too_big) = (0u32, false);
    for &b in digits.get(..count)? {
        value = value.wrapping_mul(radix);
        too_big |= value > 0x10FFFF;
        value = value.wrapping_add(char::from(b).to_digit(radix)?);
    }
    let mut len = digits_at + count;
    if bytes.get(len) == Some(&b';') {
        len += 1;
    }
    let c = if too_big {
        char::REPLACEMENT_CHARACTER
    } else {
        numeric_char(value)
    };
    Some((c, None, len))
}

/// A named reference: the longest entity name that prefixes the text, where names without their `;`
/// are HTML's legacy ones; in an attribute, such a legacy name followed by `=` or a letter or digit
/// is literal text (`?a=1&copy=2`).
fn named_ref(s: &str, in_attribute: bool) -> Option<(char, Option<char>, usize)> {
    // The common references, whose longest match is certain once their `;` is read; the general
    // search below looks the name up once per character.
    const COMMON: [(&str, char); 5] = [
        ("amp;", '&'),
        ("quot;", '"'),
        ("lt;", '<'),
        ("gt;", '>'),
        ("nbsp;", '\u{a0}'),
    ];
    let name = s.get(1..).unwrap_or_default();
    if let Some(&(common, c)) = COMMON.iter().find(|(n, _)| name.starts_with(n)) {
        return Some((c, None, 1 + common.len()));
    }
    let bytes = s.as_bytes();
    let mut best = None;
    let mut len = 1;
    while bytes.get(len).is_some_and(u8::is_ascii) {
        match NAMED_ENTITIES.get(s.get(1..=len)?) {
            Some(&(first, second)) => {
                if first != 0 {
                    best = Some((first, second, len));
                }
            }
            None => break,
        }
        len += 1;
    }
    let (first, second, len) = best?;
    let next = bytes.get(len + 1).copied();
    if in_attribute
        && bytes.get(len) != Some(&b';')
        && next.is_some_and(|b| b == b'=' || b.is_ascii_alphanumeric())
    {
        return None;
    }
    let second = (second != 0).then(|| char::from_u32(second)).flatten();
    Some((char::from_u32(first)?, second, 1 + len))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ammonia(html: &str, base: &Url) -> String {
        ammonia::Builder::default()
            .url_relative(ammonia::UrlRelative::RewriteWithBase(base.clone()))
            .clean(html)
            .to_string()
    }

    fn policy() -> Policy {
        Policy::of(&ammonia::Builder::default())
    }

    fn base() -> Url {
        Url::parse("https://news.example/section/page.html").expect("static URL")
    }

    /// The fast path's output when it takes `html`, after checking it equals ammonia's.
    fn checked(html: &str, policy: &Policy, base: &Url) -> Option<String> {
        let fast = clean(html, base, policy)?;
        assert_eq!(fast, ammonia(html, base), "input: {html:?}");
        Some(fast)
    }

    #[test]
    fn takes_common_markup_and_agrees_with_ammonia() {
        let (policy, base) = (policy(), base());
        let accepted = [
            "plain text, no markup",
            "a > b, c & d, AT&T, 1 < 2, caf\u{e9}\u{a0}au lait",
            "&amp; &lt;b&gt; &quot;q&quot; &#8217; &#x2019; &rsquo; &nbsp; &hellip; &copy &notit; &#128; &#0; &bogus;",
            "<p>One</p>\n<p>Two <b>bold</b> <i>it</i> <em>em</em> <strong>s</strong><br><br/></p>",
            "<P CLASS=x STYLE=\"color:red\" onclick='x()'>Upper</P>",
            r#"<a href="/story?id=1&amp;x=2" title="T" target="_blank" rel="x">link</a>"#,
            r#"<a href="https://other.example/a b">abs</a><a href="javascript:alert(1)">js</a><a>none</a>"#,
            r#"<a href="?a=1&copy=2&not;&notx">legacy</a><img src=pic.jpg alt="a &quot;b&quot;" width=10 height=20 />"#,
            r#"<img src="data:image/png;base64,xx" alt=x><img src="http://[bad/">"#,
            "<ul>\n<li>one</li>\n<li>two<ul><li>nested</li></ul></li>\n</ul><ol start=3><li>x</li></ol>",
            "<dl><dt>term</dt><dd>def</dd></dl><hr><h2 id=x>Title</h2><h3>Sub</h3>",
            "<blockquote cite=http://x.example/><p>quote</p></blockquote><div><div>nested</div></div>",
            "<pre>\ncode &lt;here&gt;\n  indented</pre><pre><code>\nkept</code></pre><pre>\r\nx</pre>",
            "<table><tr><td>a</td><th>b</th></tr>\n<tr><td>c</td></tr></table>",
            "<table>\n<thead><tr><th>h</th></tr></thead><tbody><tr><td>d</td></tr></tbody><tfoot><tr><td>f</td></tr></tfoot></table>",
            "<table><caption>c</caption><colgroup><col span=2></colgroup><tr><td><table><tr><td>in</td></tr></table></td></tr></table>",
            "before<script>alert('<b>')</script>after<style>p{}</style><iframe src=x>inner &amp; text</iframe>",
            "a<!-- comment <b> -->b<!---->c",
            "<span class=x>span</span><font color=red>font</font><o:p></o:p><video><source src=x></video>",
            "<figure><img src=a.png><figcaption>cap</figcaption></figure><sup>1</sup><sub>2</sub><code>x</code>",
            "line\r\nbreaks\rhere<br\r\n/>",
            "<p>unclosed <b>at the end",
            "<p>a <a href=x>b</a> c</p><p>d</p>",
            "<p>one<p>two<ul><li>a<li>b<p>c</ul><blockquote>q</blockquote><h2>h</h2>",
            "<div><p>closed by div</div><li>stray</li></p></br /><img src=x></img><dl><dt>t<dd>d</dl>",
            "<h2><h3>nested heading</h3></h2></section><span><p>x</span></p>",
            "<table><td>cell without row</td></table><table><tr><td>a<td>b<tr><th>c</table>",
            "<table><tbody><tr><td><b>x</tbody><thead><tr><td>y</table><p>after",
            "<iframe src=x />rest of <b>the</b> document &amp; more",
            "<p><b>bold<div>block</div></p><span><i>x</span>y</i>z",
            "<p>a <a class=anchor href=\"#x\"><h2 id=x>Title</h2></a>\n<p>next</p>",
            "<ul><li><b>x<li>y</ul><p><i>x<table><tr><td>in<b>cell</td></tr></table>out</i>",
            "<b>x<table><tr><td>c</td></tr></table>after</b></code></i>",
        ];
        for html in accepted {
            assert!(
                checked(html, &policy, &base).is_some(),
                "declined: {html:?}"
            );
        }
    }

    #[test]
    fn declines_what_html5ever_would_rearrange() {
        let (policy, base) = (policy(), base());
        let declined = [
            "<b><i>misnested</b></i>",
            "<a href=x><a href=y>nested</a></a>",
            "<b><b>nested</b></b>",
            "<table>text in table<tr><td>x</td></tr></table>",
            "<table><tr><b>x</b></tr></table>",
            "<p/>",
            "<form><input></form>",
            "<svg><script>x</script></svg>",
            "<textarea><b></textarea>",
            "<script><!-- </script> --></script>",
            "<!DOCTYPE html><p>x</p>",
            "<p class=\"a\"class=\"b\">x</p>",
            "<img src=\"x\" alt=\"unterminated>",
            "a\0b",
            "\u{feff}bom",
        ];
        for html in declined {
            assert_eq!(clean(html, &base, &policy), None, "taken: {html:?}");
        }
    }

    /// Every summary and content of the real feeds in `../shared/corpus/real`, with its base.
    fn corpus_fields() -> Vec<(String, Url)> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/real");
        let mut stack = vec![dir];
        let mut fields = Vec::new();
        let hints = crate::parse::ParseHints {
            content_type: None,
            url: None,
            timezone: chrono_tz::UTC,
        };
        while let Some(dir) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for path in entries.flatten().map(|e| e.path()) {
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let Ok(feed) = std::fs::read(&path)
                    .map_err(|_| ())
                    .and_then(|bytes| crate::parse::parse(&bytes, &hints).map_err(|_| ()))
                else {
                    continue;
                };
                for entry in feed.entries {
                    let entry_base = entry.base.as_deref().and_then(|b| Url::parse(b).ok());
                    let entry_base = entry_base.unwrap_or_else(base);
                    for html in [entry.summary, entry.content].into_iter().flatten() {
                        fields.push((html, entry_base.clone()));
                    }
                }
            }
        }
        fields
    }

    #[test]
    fn agrees_with_ammonia_on_the_corpus() {
        let policy = policy();
        let fields = corpus_fields();
        let (mut taken, mut taken_bytes, mut bytes) = (0, 0, 0);
        for (html, base) in &fields {
            bytes += html.len();
            if checked(html, &policy, base).is_some() {
                taken += 1;
                taken_bytes += html.len();
            }
        }
        eprintln!(
            "fast path took {taken} of {} fields, {taken_bytes} of {bytes} bytes",
            fields.len()
        );
    }

    /// Cuts, splices and stray markup in corpus fields: wherever the fast path takes the result, it
    /// must agree with ammonia.
    #[test]
    fn agrees_with_ammonia_on_mutations() {
        const SNIPPETS: [&str; 24] = [
            "<",
            ">",
            "&",
            "\"",
            "'",
            "</p>",
            "<p>",
            "<b>",
            "</b>",
            "<li>",
            "<table>",
            "</td>",
            "<!--",
            "\r",
            "&amp",
            "<br/>",
            "<div>",
            "</div>",
            "<a href=x>",
            "</a>",
            "<td>",
            "</tr>",
            "<h2>",
            "</i>",
        ];
        let policy = policy();
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut random = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n.max(1) as u64) as usize
        };
        for (html, base) in corpus_fields().iter().filter(|(h, _)| h.len() < 20_000) {
            for _ in 0..6 {
                let mut at = random(html.len() + 1);
                while !html.is_char_boundary(at) {
                    at -= 1;
                }
                let mutated = match random(3) {
                    0 => html[..at].to_string(),
                    1 => format!(
                        "{}{}{}",
                        &html[..at],
                        SNIPPETS[random(SNIPPETS.len())],
                        &html[at..]
                    ),
                    _ => format!("{}{}", &html[at..], &html[..at]),
                };
                checked(&mutated, &policy, base);
            }
        }
    }
}
