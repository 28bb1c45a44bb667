//! `[feed.scrape]`: the CSS rules that turn an HTML list page into items, checked where they are
//! written so that a bad selector is a `gazette check` mistake with its line and column, not a
//! poll that fails at three in the morning.
//!
//! A rule is one or more alternatives separated by `|`, tried in order; each alternative is a CSS
//! selector read inside the item element, optionally followed by `@attr` to read an attribute
//! instead of the text. `@attr` alone reads the item element's own attribute.

use std::fmt;

use scraper::Selector;

/// The rules of one scraped page. `title` and `link` say what an item is; the rest is optional.
#[derive(Debug, Clone, PartialEq)]
pub struct ScrapeRules {
    /// One element per article; every other rule is read inside it.
    pub item: Css,
    pub title: Rule,
    /// Where the article's link is; without it, the first `a[href]` of the item.
    pub link: Option<Rule>,
    pub date: Option<Rule>,
    /// A `chrono` format (`%Y.%m.%d %H:%M`) read in the feed's zone; without it, every form the
    /// feed date parser knows and the Korean relative forms of list pages.
    pub date_format: Option<String>,
    pub summary: Option<Rule>,
    /// Where the picture is; an `<img>` without `@attr` is read lazily-loaded first
    /// (`data-src`, `data-original`, `srcset`, then `src`).
    pub image: Option<Rule>,
    pub author: Option<Rule>,
}

impl ScrapeRules {
    /// Every rule as written, one `key=value` a line: what the feed's identity is made of.
    pub fn source(&self) -> String {
        let optional = [
            ("link", self.link.as_ref()),
            ("date", self.date.as_ref()),
            ("summary", self.summary.as_ref()),
            ("image", self.image.as_ref()),
            ("author", self.author.as_ref()),
        ];
        let mut lines = vec![
            format!("item={}", self.item),
            format!("title={}", self.title),
        ];
        lines.extend(
            optional
                .iter()
                .filter_map(|(key, rule)| rule.map(|rule| format!("{key}={rule}"))),
        );
        if let Some(format) = &self.date_format {
            lines.push(format!("date_format={format}"));
        }
        lines.join("\n")
    }
}

/// The keys of `[feed.scrape]`.
pub(super) const SCRAPE_KEYS: &[&str] = &[
    "item",
    "title",
    "link",
    "date",
    "date_format",
    "summary",
    "image",
    "author",
];

/// A `chrono` date format (`%Y.%m.%d %H:%M`), checked for unknown `%` specifiers.
pub fn date_format(text: &str) -> Result<String, String> {
    use chrono::format::{Item, StrftimeItems};
    if StrftimeItems::new(text).any(|item| matches!(item, Item::Error)) {
        return Err(format!(
            "bad date_format `{text}`: expected a strftime format like \"%Y.%m.%d %H:%M\""
        ));
    }
    Ok(text.to_owned())
}

/// A selector with the text it was written as (selectors do not print back as written).
#[derive(Debug, Clone)]
pub struct Css {
    pub selector: Selector,
    pub source: String,
}

impl PartialEq for Css {
    fn eq(&self, other: &Css) -> bool {
        self.source == other.source
    }
}

impl fmt::Display for Css {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

impl Css {
    /// Parses one CSS selector; the message names it.
    pub fn parse(text: &str) -> Result<Css, String> {
        let source = text.trim();
        if source.is_empty() {
            return Err("a selector must not be empty".into());
        }
        Selector::parse(source)
            .map(|selector| Css {
                selector,
                source: source.to_owned(),
            })
            .map_err(|error| format!("bad selector `{source}`: {}", why(&error)))
    }
}

/// Why a selector does not parse, in a few words (the crate's own text of some mistakes is an
/// internal name under an apology).
fn why(error: &scraper::error::SelectorErrorKind) -> String {
    use scraper::error::SelectorErrorKind;
    use selectors::parser::SelectorParseErrorKind as Kind;
    match error {
        SelectorErrorKind::UnexpectedSelectorParseError(kind) => match kind {
            Kind::ClassNeedsIdent => "a class needs a name".into(),
            Kind::EmptySelector => "nothing to select".into(),
            Kind::DanglingCombinator => "a combinator with nothing after it".into(),
            Kind::UnsupportedPseudoClassOrElement => "an unsupported pseudo-class".into(),
            Kind::BadValueInAttr | Kind::InvalidQualNameInAttr => "a bad attribute selector".into(),
            other => format!("{other:?}"),
        },
        other => other.to_string().replace('\n', ": "),
    }
}

/// One rule: alternatives tried in order until one gives a non-empty value.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub alternatives: Vec<Pick>,
    /// As written, for messages.
    pub source: String,
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

/// Where one alternative reads its value.
#[derive(Debug, Clone, PartialEq)]
pub struct Pick {
    /// The element, inside the item; `None` is the item element itself.
    pub css: Option<Css>,
    /// The attribute to read; `None` reads the element's text.
    pub attr: Option<String>,
}

impl Rule {
    /// Parses `selector@attr|selector|…`.
    pub fn parse(text: &str) -> Result<Rule, String> {
        let alternatives = split_outside_brackets(text, '|')
            .into_iter()
            .map(pick)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Rule {
            alternatives,
            source: text.trim().to_owned(),
        })
    }
}

fn pick(text: &str) -> Result<Pick, String> {
    let text = text.trim();
    let (selector, attr) = match last_outside_brackets(text, '@') {
        Some(at) => (&text[..at], Some(&text[at + 1..])),
        None => (text, None),
    };
    let attr = match attr.map(str::trim) {
        Some(name) if name.is_empty() || !name.chars().all(attribute_char) => {
            return Err(format!(
                "bad attribute `@{name}` in `{text}`: expected a name like `@href` or `@data-src`"
            ));
        }
        Some(name) => Some(name.to_ascii_lowercase()),
        None => None,
    };
    let css = match selector.trim() {
        "" if attr.is_none() => {
            return Err(format!(
                "empty alternative in `{text}`: expected a selector, `selector@attr` or `@attr`"
            ));
        }
        "" => None,
        selector => Some(Css::parse(selector)?),
    };
    Ok(Pick { css, attr })
}

fn attribute_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':')
}

/// `text` split at each `separator` that is neither inside `[…]` nor inside quotes (where `|`
/// is CSS of its own: `[lang|=ko]`).
fn split_outside_brackets(text: &str, separator: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    for at in positions_outside_brackets(text, separator) {
        parts.push(&text[start..at]);
        start = at + separator.len_utf8();
    }
    parts.push(&text[start..]);
    parts
}

fn last_outside_brackets(text: &str, wanted: char) -> Option<usize> {
    positions_outside_brackets(text, wanted).last()
}

fn positions_outside_brackets(text: &str, wanted: char) -> impl Iterator<Item = usize> + '_ {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    text.char_indices().filter_map(move |(at, c)| {
        match (quote, c) {
            (Some(open), c) if c == open => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '[') => depth += 1,
            (None, ']') => depth = depth.saturating_sub(1),
            (None, c) if c == wanted && depth == 0 => return Some(at),
            _ => {}
        }
        None
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alternatives_and_attributes() {
        let rule = Rule::parse("img@data-src | img[alt|='ko']@src|@href").expect("valid");
        let picks: Vec<(Option<&str>, Option<&str>)> = rule
            .alternatives
            .iter()
            .map(|p| (p.css.as_ref().map(|c| c.source.as_str()), p.attr.as_deref()))
            .collect();
        assert_eq!(
            picks,
            [
                (Some("img"), Some("data-src")),
                (Some("img[alt|='ko']"), Some("src")),
                (None, Some("href")),
            ]
        );
    }

    #[test]
    fn mistakes_are_named() {
        let error = Rule::parse("h4..titles a").expect_err("bad selector");
        assert!(error.starts_with("bad selector `h4..titles a`"), "{error}");
        let error = Rule::parse("a@").expect_err("empty attribute");
        assert!(error.starts_with("bad attribute `@`"), "{error}");
        let error = Rule::parse("a||b").expect_err("empty alternative");
        assert!(error.starts_with("empty alternative"), "{error}");
    }
}
