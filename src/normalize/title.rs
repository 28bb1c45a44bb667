//! A title for an item whose feed gives none: readers scan titles, and a blank one is an empty row
//! on the front page and a `<title></title>` validators reject.

use super::truncate_at_word;

/// Longest made-up title, in characters, "…" included.
pub const TITLE_CHARS: usize = 80;

/// The first sentence of `text` when it fits in [`TITLE_CHARS`], else its first words cut at a
/// word boundary with "…"; failing any text, the link shown without its scheme; failing that,
/// `None`.
pub fn fallback_title(text: Option<&str>, link: Option<&str>) -> Option<String> {
    let text = text.map(str::trim).filter(|text| !text.is_empty());
    if let Some(text) = text {
        let sentence = first_sentence(text);
        return Some(if sentence.chars().count() <= TITLE_CHARS {
            sentence.to_owned()
        } else {
            truncate_at_word(text, TITLE_CHARS)
        });
    }
    let link = link?;
    let shown = link
        .split_once("://")
        .map_or(link, |(_, rest)| rest)
        .trim_end_matches('/');
    let shown = percent_encoding::percent_decode_str(shown).decode_utf8_lossy();
    Some(truncate_at_word(&shown, TITLE_CHARS)).filter(|title| !title.is_empty())
}

/// `text` up to and including its first sentence end ("." "!" "?" "。" followed by a space or the
/// end), or all of it.
fn first_sentence(text: &str) -> &str {
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let ends = matches!(c, '.' | '!' | '?' | '。' | '…');
        let followed_by_space = chars.peek().is_none_or(|(_, next)| next.is_whitespace());
        if ends && followed_by_space {
            return &text[..at + c.len_utf8()];
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_sentence_when_it_fits() {
        assert_eq!(
            fallback_title(
                Some("유성구가 갑천 둔치에 자전거 도로를 놓는다. 예산은 40억 원이다."),
                Some("https://x.example/1")
            )
            .as_deref(),
            Some("유성구가 갑천 둔치에 자전거 도로를 놓는다.")
        );
        assert_eq!(
            fallback_title(Some("Version 2.5 is out! Read on."), None).as_deref(),
            Some("Version 2.5 is out!")
        );
    }

    #[test]
    fn else_the_first_words_cut_at_a_word() {
        let text = "The city council met on Tuesday evening to discuss the budget for next year \
                    and the new tram line through the old town";
        let title = fallback_title(Some(text), None).unwrap();
        assert!(title.chars().count() <= TITLE_CHARS, "{title}");
        assert!(title.ends_with("…"), "{title}");
        assert!(text.starts_with(title.trim_end_matches('…')), "{title}");
        assert!(
            text[title.trim_end_matches('…').len()..].starts_with(' '),
            "cut at a word: {title}"
        );
    }

    #[test]
    fn else_the_link_else_nothing() {
        assert_eq!(
            fallback_title(
                None,
                Some("https://news.example/%EA%B8%B0%EC%82%AC/1?idxno=3")
            )
            .as_deref(),
            Some("news.example/기사/1?idxno=3")
        );
        assert_eq!(fallback_title(Some("  "), None), None);
    }
}
