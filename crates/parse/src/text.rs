//! Character-level helpers of the readers. Entity references, HTML → plain text and escaping are the
//! text toolkit's (one rule for the whole program); re-exported here under the names the readers use.

use std::borrow::Cow;

pub(crate) use gazette_text::entity::{
    Resolved, is_reference_name, predefined_entity, resolve_entity, unescape,
};
pub(crate) use gazette_text::escape::html as escape_html;
pub(crate) use gazette_text::html::{html_to_text, looks_like_html};

/// `text` trimmed, reusing its buffer when it has one: content is most of a feed's bytes.
pub(crate) fn trimmed(text: Cow<str>) -> String {
    match text {
        Cow::Borrowed(text) => text.trim().to_string(),
        Cow::Owned(mut text) => {
            text.truncate(text.trim_end().len());
            let leading = text.len() - text.trim_start().len();
            text.drain(..leading);
            text
        }
    }
}

/// The longest prefix of `s` of at most `max` bytes that ends on a character boundary.
pub(crate) fn prefix_within(s: &str, max: usize) -> &str {
    let mut end = max.min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s.get(..end).unwrap_or_default()
}

/// The value of `name="…"` (or `'…'`) inside a tag's text; ASCII case-insensitive on the name.
pub(crate) fn attribute_value<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    while let Some(found) = lower.get(from..)?.find(name) {
        let at = from + found;
        from = at + name.len();
        let before_ok = at == 0
            || lower
                .as_bytes()
                .get(at - 1)
                .is_some_and(|b| b.is_ascii_whitespace());
        let rest = lower.get(from..)?.trim_start();
        if !before_ok || !rest.starts_with('=') {
            continue;
        }
        let value_start = tag.len() - rest.len() + 1;
        let value = tag.get(value_start..)?.trim_start();
        let quote = value.chars().next()?;
        return if quote == '"' || quote == '\'' {
            let inner = value.get(1..)?;
            inner.find(quote).and_then(|end| inner.get(..end))
        } else {
            value
                .split(|c: char| c.is_whitespace() || matches!(c, '>' | '"' | '\''))
                .next()
                .map(|v| v.trim_end_matches('/'))
        };
    }
    None
}

/// Decodes standard base64 (whitespace ignored) holding UTF-8 text, as Atom 0.3's `mode="base64"`.
pub(crate) fn decode_base64(s: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes().filter(|b| !b.is_ascii_whitespace()) {
        let value = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => break,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            bytes.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_and_base64() {
        assert_eq!(
            attribute_value("<meta  Charset = 'utf-8'>", "charset"),
            Some("utf-8")
        );
        assert_eq!(
            attribute_value("<link href=/a rel=alternate>", "rel"),
            Some("alternate")
        );
        assert_eq!(attribute_value("<a xhref='x'>", "href"), None);
        assert_eq!(decode_base64("SGVs\nbG8=").as_deref(), Some("Hello"));
        assert_eq!(decode_base64("%%"), None);
    }

    #[test]
    fn truncates() {
        assert_eq!(prefix_within("한국어", 4), "한");
        assert_eq!(prefix_within("한국어", 100), "한국어");
    }
}
