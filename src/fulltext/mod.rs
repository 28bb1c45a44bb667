//! An article page + the feed's `full_text*` rules → the article's text as sanitized HTML. Pure:
//! the daemon fetches the page and stores what this gives.
//!
//! The page is read as every page is ([`crate::scrape::read_page`]: decoded like a feed, EUC-KR
//! included, parsed as HTML5). With `full_text_selector` the first element it matches is the
//! article; without, Readability finds it ([`dom_smoothie`], a port of Mozilla's readability.js
//! tested against Mozilla's own expected outputs). Either way `full_text_remove`'s elements,
//! scripts and hidden text are cut first and pictures resolved (see [`body`]); the result goes
//! through the one sanitizer every item's HTML goes through ([`crate::normalize::sanitize_html`]).

mod body;

use std::collections::HashMap;

use scraper::Html;
use url::Url;

use crate::config::{FeedConfig, FullTextConfig};
use crate::model::{Item, StoredItem};
use crate::normalize::{SUMMARY_CHARS, sanitize_html, truncate_at_word};
use crate::scrape::{Page, read_page};
use crate::text::html::{collapse_whitespace, html_to_text};

/// What the fetch told us about the article page.
#[derive(Debug, Clone, Copy)]
pub struct ArticleHints<'a> {
    /// The `Content-Type` header, e.g. `text/html; charset=euc-kr`.
    pub content_type: Option<&'a str>,
    /// The URL the page was fetched from, after redirects: the base for relative links.
    pub url: &'a Url,
}

/// Why an article page gave no text to publish: the item keeps its teaser, and the reason is
/// shown on the item and its feed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtractError {
    #[error("full_text_selector `{0}` matched nothing")]
    NoMatch(String),
    #[error("nothing extracted")]
    Nothing,
    #[error("extracted text shorter than the teaser ({extract} < {teaser} characters)")]
    ShorterThanTeaser { extract: usize, teaser: usize },
}

/// Most elements Readability reads of one page: far above an article page, far below trouble.
const MAX_ELEMENTS: usize = 20_000;

/// The article of the page `bytes`, sanitized, judged against the item's `teaser` (its summary):
/// an extract with less text than the teaser is no improvement on it.
pub fn extract(
    bytes: &[u8],
    hints: ArticleHints<'_>,
    rules: &FullTextConfig,
    teaser: Option<&str>,
) -> Result<String, ExtractError> {
    let Page { document, base, .. } = read_page(bytes, hints.content_type, Some(hints.url));
    let base = base.unwrap_or_else(|| hints.url.clone());
    let html = match &rules.selector {
        Some(css) => {
            let article = document
                .select(&css.selector)
                .next()
                .ok_or_else(|| ExtractError::NoMatch(css.to_string()))?;
            let mut writer = body::Writer::new(&rules.remove, Some(&base));
            writer.children(article);
            writer.finish()
        }
        None => {
            // Readability scores the page as the site made it (less scripts, hidden text and
            // placeholders); what `full_text_remove` names is cut from the article it finds.
            let mut page = body::Writer::new(&[], Some(&base));
            page.element(document.root_element());
            let article = Html::parse_fragment(&readability(&page.finish(), &base)?);
            let mut writer = body::Writer::new(&rules.remove, Some(&base));
            writer.children(article.root_element());
            writer.finish()
        }
    };
    let clean = sanitize_html(&html, &base);
    let text = plain_text(&clean);
    let extract = text.chars().count();
    if extract == 0 && !clean.contains("<img") {
        return Err(ExtractError::Nothing);
    }
    let teaser = teaser.map_or(0, |teaser| {
        plain_text(teaser.trim_end_matches('…')).chars().count()
    });
    if extract < teaser {
        return Err(ExtractError::ShorterThanTeaser { extract, teaser });
    }
    Ok(clean)
}

/// The article Readability finds in `page` (already cleaned), as HTML.
fn readability(page: &str, base: &Url) -> Result<String, ExtractError> {
    let config = dom_smoothie::Config {
        max_elements_to_parse: MAX_ELEMENTS,
        // `full_text_remove` selects by class in the article found.
        keep_classes: true,
        ..dom_smoothie::Config::default()
    };
    let mut reader = dom_smoothie::Readability::new(page, Some(base.as_str()), Some(config))
        .map_err(|_| ExtractError::Nothing)?;
    let article = reader.parse().map_err(|_| ExtractError::Nothing)?;
    Ok(article.content.to_string())
}

/// `item` as published with the article text `html` extracted for it: the text as its content;
/// its summary stays the teaser, or is the text's first sentences when the feed gave none.
pub fn with_extract(item: &mut Item, html: &str) {
    item.content_html = Some(html.to_owned());
    if item.summary.is_none() {
        item.summary = Some(first_sentences(&plain_text(html), SUMMARY_CHARS))
            .filter(|summary| !summary.is_empty());
    }
}

/// `items` with the article text of those whose feed is a `full_text` feed in `feeds`, as
/// `extracts` gives it for their (feed URL, item id) keys: the store's, which this stage does not
/// import. A publish and a digest read items through it alike.
pub fn with_extracts<E>(
    feeds: &[FeedConfig],
    items: &mut [StoredItem],
    extracts: impl FnOnce(&[(&str, &str)]) -> Result<HashMap<(String, String), String>, E>,
) -> Result<(), E> {
    let full_text: Vec<&str> = feeds
        .iter()
        .filter(|feed| feed.full_text.is_some())
        .map(|feed| feed.url.as_str())
        .collect();
    if full_text.is_empty() {
        return Ok(());
    }
    let keys: Vec<(&str, &str)> = items
        .iter()
        .filter(|stored| full_text.contains(&stored.source.feed_url.as_str()))
        .map(|stored| (stored.source.feed_url.as_str(), stored.item.id.as_str()))
        .collect();
    let extracts = extracts(&keys)?;
    for stored in items {
        let key = (stored.source.feed_url.clone(), stored.item.id.clone());
        if let Some(html) = extracts.get(&key) {
            with_extract(&mut stored.item, html);
        }
    }
    Ok(())
}

/// The whole sentences of `text` that fit in `max` characters; cut at a word when even the
/// first does not fit.
fn first_sentences(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let fitting: String = text.chars().take(max).collect();
    let end = fitting
        .char_indices()
        .rev()
        .find(|&(at, c)| {
            matches!(c, '.' | '!' | '?' | '。')
                && text[at + c.len_utf8()..].starts_with(char::is_whitespace)
        })
        .map(|(at, c)| at + c.len_utf8());
    match end {
        Some(end) => fitting[..end].to_owned(),
        None => truncate_at_word(text, max),
    }
}

fn plain_text(html: &str) -> String {
    collapse_whitespace(&html_to_text(html))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_sentences_fit_whole() {
        let text = "대전시가 예산을 편성했다. 민생 회복에 무게를 뒀다. 시의회는 다음 달 심사한다.";
        assert_eq!(first_sentences(text, 200), text);
        assert_eq!(
            first_sentences(text, 30),
            "대전시가 예산을 편성했다. 민생 회복에 무게를 뒀다."
        );
        assert!(first_sentences(&"가".repeat(400), 300).ends_with('…'));
    }

    #[test]
    fn an_item_without_summary_gets_the_first_sentences() {
        let mut item = Item::default();
        with_extract(&mut item, "<p>First one. Second one.</p>");
        assert_eq!(item.summary.as_deref(), Some("First one. Second one."));
        let mut teased = Item {
            summary: Some("The teaser".into()),
            ..Item::default()
        };
        with_extract(&mut teased, "<p>Body</p>");
        assert_eq!(teased.summary.as_deref(), Some("The teaser"));
        assert_eq!(teased.content_html.as_deref(), Some("<p>Body</p>"));
    }
}
