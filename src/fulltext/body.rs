//! An element of an article page written back as HTML, readied for extraction: what the feed's
//! `full_text_remove` names, scripts, styles, forms and hidden elements left out; every picture
//! resolved from what lazy loaders leave (`data-src`, `data-original`, `srcset`, the copy in
//! `<noscript>`), made absolute, and written once however often the page repeats it.

use std::collections::HashSet;

use scraper::node::Node;
use scraper::{ElementRef, Html};
use url::Url;

use crate::config::Css;
use crate::scrape::{first_srcset_url, lazy_image};
use crate::text::WebUrl;
use crate::text::escape;

/// Elements never part of an article's text. `noscript` is read apart (its pictures).
const DROPPED: &[&str] = &[
    "script", "style", "template", "iframe", "object", "embed", "form", "button", "input",
    "select", "textarea", "svg", "canvas", "link", "meta",
];

/// Elements without content or end tag.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

/// Writes elements out; remembers the pictures written, so that each is written once.
pub(super) struct Writer<'r> {
    remove: &'r [Css],
    base: Option<&'r Url>,
    images: HashSet<String>,
    out: String,
}

impl<'r> Writer<'r> {
    pub(super) fn new(remove: &'r [Css], base: Option<&'r Url>) -> Writer<'r> {
        Writer {
            remove,
            base,
            images: HashSet::new(),
            out: String::new(),
        }
    }

    /// What was written.
    pub(super) fn finish(self) -> String {
        self.out
    }

    /// Writes `element` with its content, unless it is left out.
    pub(super) fn element(&mut self, element: ElementRef) {
        let name = element.value().name();
        if DROPPED.contains(&name) || self.is_removed(element) || is_hidden(element) {
            return;
        }
        match name {
            "img" => self.image(element),
            "noscript" => self.noscript(element),
            // A `<picture>`'s `<source>`s are the `<img>`'s alternatives: the `<img>` is kept.
            "source" => {}
            _ => {
                self.out.push('<');
                self.out.push_str(name);
                for (attribute, value) in element.value().attrs() {
                    if is_attribute_name(attribute) {
                        self.attribute(attribute, value);
                    }
                }
                self.out.push('>');
                if VOID.contains(&name) {
                    return;
                }
                self.children(element);
                self.out.push_str("</");
                self.out.push_str(name);
                self.out.push('>');
            }
        }
    }

    /// Writes `element`'s content, without the element itself.
    pub(super) fn children(&mut self, element: ElementRef) {
        for child in element.children() {
            match child.value() {
                Node::Text(text) => self.out.push_str(&escape::html(text)),
                Node::Element(_) => {
                    if let Some(child) = ElementRef::wrap(child) {
                        self.element(child);
                    }
                }
                _ => {}
            }
        }
    }

    fn is_removed(&self, element: ElementRef) -> bool {
        self.remove.iter().any(|css| css.selector.matches(&element))
    }

    /// An `<img>` with the URL lazy loaders hide, absolute; left out without one, or when the
    /// same picture was written already.
    fn image(&mut self, element: ElementRef) {
        let Some(src) =
            lazy_image(&element).and_then(|value| self.absolute(first_srcset_url(&value)))
        else {
            return;
        };
        if !self.images.insert(src.clone()) {
            return;
        }
        self.out.push_str("<img");
        self.attribute("src", &src);
        for attribute in ["alt", "title", "width", "height"] {
            if let Some(value) = element.value().attr(attribute) {
                self.attribute(attribute, value);
            }
        }
        self.out.push('>');
    }

    /// The pictures of a `<noscript>`: what a page without scripts shows, often the only real
    /// URL of a lazily loaded image. Its markup is text to the parser (as in a browser running
    /// scripts), so it is parsed on its own; only its pictures are kept.
    /// ` name="value"`, the value escaped.
    fn attribute(&mut self, name: &str, value: &str) {
        self.out.push(' ');
        self.out.push_str(name);
        self.out.push_str("=\"");
        self.out.push_str(&escape::html(value));
        self.out.push('"');
    }

    fn noscript(&mut self, element: ElementRef) {
        let markup: String = element.text().collect();
        let fragment = Html::parse_fragment(&markup);
        let Ok(images) = scraper::Selector::parse("img") else {
            return;
        };
        for image in fragment.select(&images) {
            self.image(image);
        }
    }

    fn absolute(&self, link: &str) -> Option<String> {
        if link.starts_with("data:") {
            return None;
        }
        let url = match self.base {
            Some(base) => WebUrl::join(base, link)?,
            None => WebUrl::parse(link).ok()?,
        };
        Some(String::from(url))
    }
}

/// Whether the page hides `element` from readers: `hidden`, or an inline style that takes it
/// out of view. Such text is left out, not shown by dropping its style.
fn is_hidden(element: ElementRef) -> bool {
    let value = element.value();
    if value.attr("hidden").is_some() {
        return true;
    }
    value.attr("style").is_some_and(|style| {
        let style: String = style
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        style.contains("display:none") || style.contains("visibility:hidden")
    })
}

/// Attribute names safe to write back unquoted as names (html5ever accepts odd ones).
fn is_attribute_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':'))
}
