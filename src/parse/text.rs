//! Character-level helpers shared by the readers: entity references (XML's five, numeric, and the HTML
//! names that feeds use without declaring them), HTML → plain text, plain text → HTML.

use std::borrow::Cow;

use markup5ever::data::{C1_REPLACEMENTS, NAMED_ENTITIES};

/// How an entity reference was resolved.
pub(crate) enum Resolved {
    /// One of XML's predefined entities or a numeric reference.
    Xml(char),
    /// An HTML name that XML does not define (`&nbsp;`): a repair.
    Html(String),
    /// Neither; the caller keeps the reference as written.
    Unknown,
}

/// Resolves the name between `&` and `;` (e.g. `amp`, `#233`, `#xE9`, `nbsp`).
pub(crate) fn resolve_entity(name: &str) -> Resolved {
    if let Some(c) = predefined_entity(name.as_bytes()) {
        return Resolved::Xml(c);
    }
    // HTML 5 moved these two; feeds are written against XHTML 1.0, whose DTD we follow.
    match name {
        "lang" => return Resolved::Html("\u{2329}".into()),
        "rang" => return Resolved::Html("\u{232A}".into()),
        _ => {}
    }
    if let Some(number) = name.strip_prefix('#') {
        let code = match number.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok(),
            None => number.parse().ok(),
        };
        return code.map_or(Resolved::Unknown, |code| Resolved::Xml(numeric_char(code)));
    }
    match NAMED_ENTITIES
        .get(format!("{name};").as_str())
        .filter(|(first, _)| *first != 0)
    {
        Some(&(first, second)) => {
            let mut s: String = char::from_u32(first).into_iter().collect();
            s.extend(char::from_u32(second).filter(|_| second != 0));
            Resolved::Html(s)
        }
        None => Resolved::Unknown,
    }
}

/// One of XML's five predefined entities, by the bytes of its name: escaped HTML in feeds is mostly
/// these, so the tokenizer checks for them before anything else.
pub(crate) fn predefined_entity(name: &[u8]) -> Option<char> {
    match name {
        b"amp" => Some('&'),
        b"lt" => Some('<'),
        b"gt" => Some('>'),
        b"quot" => Some('"'),
        b"apos" => Some('\''),
        _ => None,
    }
}

/// A numeric reference's character. Like browsers, codes 0x80–0x9F are read as windows-1252 (feeds
/// written from Windows text say `&#146;` for ’), and invalid codes become U+FFFD.
fn numeric_char(code: u32) -> char {
    let c1 = code
        .checked_sub(0x80)
        .and_then(|i| C1_REPLACEMENTS.get(i as usize))
        .copied()
        .flatten();
    c1.or_else(|| char::from_u32(code))
        .filter(|&c| c != '\0')
        .unwrap_or(char::REPLACEMENT_CHARACTER)
}

/// Decodes every entity reference in `s`, leaving unknown ones and bare `&` as written. Returns whether
/// an HTML-only name was needed, so that XML callers can warn.
pub(crate) fn unescape(s: &str) -> (Cow<'_, str>, bool) {
    let Some(first) = memchr::memchr(b'&', s.as_bytes()) else {
        return (Cow::Borrowed(s), false);
    };
    let mut out = String::with_capacity(s.len());
    let mut html = false;
    let mut rest = s;
    let mut at = first;
    loop {
        out.push_str(rest.get(..at).unwrap_or_default());
        rest = rest.get(at..).unwrap_or_default();
        let reference = rest
            .get(1..)
            .and_then(|r| r.get(..r.find(';')?))
            .filter(|n| is_reference_name(n));
        match reference.map(|name| (name, resolve_entity(name))) {
            Some((name, Resolved::Xml(c))) => {
                out.push(c);
                rest = rest.get(name.len() + 2..).unwrap_or_default();
            }
            Some((name, Resolved::Html(text))) => {
                out.push_str(&text);
                html = true;
                rest = rest.get(name.len() + 2..).unwrap_or_default();
            }
            _ => {
                out.push('&');
                rest = rest.get(1..).unwrap_or_default();
            }
        }
        match memchr::memchr(b'&', rest.as_bytes()) {
            Some(next) => at = next,
            None => break,
        }
    }
    out.push_str(rest);
    (Cow::Owned(out), html)
}

/// Whether `name` can sit between `&` and `;` as a named or numeric reference.
pub(crate) fn is_reference_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    match bytes {
        [b'#', b'x' | b'X', hex @ ..] => {
            !hex.is_empty() && hex.len() <= 8 && hex.iter().all(u8::is_ascii_hexdigit)
        }
        [b'#', digits @ ..] => {
            !digits.is_empty() && digits.len() <= 10 && digits.iter().all(u8::is_ascii_digit)
        }
        [first, rest @ ..] => {
            (first.is_ascii_alphabetic() || *first == b'_')
                && rest.len() < 32
                && rest
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
        }
        [] => false,
    }
}

/// Whether text seems to carry HTML: a tag or an entity reference. Used to read RSS titles, which are
/// nominally plain text but often (double-)escaped HTML.
pub(crate) fn looks_like_html(s: &str) -> bool {
    let bytes = s.as_bytes();
    memchr::memchr2_iter(b'<', b'&', bytes).any(|i| {
        let rest = bytes.get(i + 1..).unwrap_or_default();
        if bytes.get(i) == Some(&b'<') {
            matches!(rest.first(), Some(b) if b.is_ascii_alphabetic() || *b == b'/' || *b == b'!')
        } else {
            let end = rest.iter().take(34).position(|&b| b == b';');
            end.is_some_and(|e| {
                std::str::from_utf8(rest.get(..e).unwrap_or_default()).is_ok_and(is_reference_name)
            })
        }
    })
}

/// HTML → plain text: drops tags, comments and the content of scripts and styles, decodes references,
/// and trims. A `<` that opens no complete tag is text.
pub(crate) fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(rest.get(..lt).unwrap_or_default());
        let tag = rest.get(lt..).unwrap_or_default();
        let opens_markup = tag
            .as_bytes()
            .get(1)
            .is_some_and(|b| b.is_ascii_alphabetic() || matches!(b, b'/' | b'!' | b'?'));
        let end = match () {
            _ if !opens_markup => None,
            // An unterminated comment ends at the next `>`, as in browsers' error recovery.
            _ if tag.starts_with("<!--") => tag
                .find("-->")
                .map(|i| i + 3)
                .or_else(|| tag.find('>').map(|i| i + 1))
                .or(Some(tag.len())),

            _ => tag.find('>').map(|i| i + 1),
        };
        let Some(end) = end else {
            out.push('<');
            rest = tag.get(1..).unwrap_or_default();
            continue;
        };
        rest = tag.get(end..).unwrap_or_default();
        let name: String = tag
            .chars()
            .skip(1)
            .take_while(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        if name == "script" || name == "style" {
            let close = format!("</{name}");
            rest = match rest.to_ascii_lowercase().find(&close) {
                Some(at) => rest
                    .get(at..)
                    .and_then(|r| r.find('>'))
                    .and_then(|gt| rest.get(at + gt + 1..))
                    .unwrap_or_default(),
                None => "",
            };
        }
    }
    out.push_str(rest);
    unescape(out.trim()).0.into_owned()
}

/// The first byte at or after `from` that `special` picks. Blocks without one are passed over 16 bytes
/// at a time by a test the compiler turns into vector compares: escaped text and attribute
/// values (URLs) are mostly such blocks.
#[inline(always)]
pub(crate) fn find_special(
    bytes: &[u8],
    from: usize,
    special: impl Fn(u8) -> bool,
) -> Option<usize> {
    let rest = bytes.get(from..)?;
    let mut blocks = rest.chunks_exact(16);
    let mut offset = 0;
    for block in &mut blocks {
        if block.iter().fold(false, |found, &b| found | special(b)) {
            break;
        }
        offset += 16;
    }
    rest.get(offset..)?
        .iter()
        .position(|&b| special(b))
        .map(|at| from + offset + at)
}

/// Plain text → HTML that displays it.
pub(crate) fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let bytes = text.as_bytes();
    let special = |b: u8| (b == b'&') | (b == b'<') | (b == b'>') | (b == b'"');
    let mut copied = 0;
    while let Some(at) = find_special(bytes, copied, special) {
        out.push_str(text.get(copied..at).unwrap_or_default());
        out.push_str(match bytes.get(at) {
            Some(b'&') => "&amp;",
            Some(b'<') => "&lt;",
            Some(b'>') => "&gt;",
            _ => "&quot;",
        });
        copied = at + 1;
    }
    out.push_str(text.get(copied..).unwrap_or_default());
    out
}

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
    fn resolves_xml_numeric_and_html_entities() {
        assert!(matches!(resolve_entity("amp"), Resolved::Xml('&')));
        assert!(matches!(resolve_entity("#233"), Resolved::Xml('é')));
        assert!(matches!(resolve_entity("#xE9"), Resolved::Xml('é')));
        assert!(matches!(resolve_entity("#146"), Resolved::Xml('’')));
        assert!(matches!(resolve_entity("#0"), Resolved::Xml('\u{FFFD}')));
        assert!(matches!(resolve_entity("nbsp"), Resolved::Html(s) if s == "\u{a0}"));
        assert!(matches!(resolve_entity("hellip"), Resolved::Html(s) if s == "…"));
        assert!(matches!(resolve_entity("bogus"), Resolved::Unknown));
    }

    #[test]
    fn unescape_is_tolerant() {
        assert_eq!(unescape("a &amp; b").0, "a & b");
        assert_eq!(unescape("AT&T &bogus; &nbsp;x").0, "AT&T &bogus; \u{a0}x");
        assert!(unescape("&rsquo;").1);
        assert!(!unescape("&#8217;").1);
        assert_eq!(unescape("trailing &").0, "trailing &");
    }

    #[test]
    fn html_detection_and_stripping() {
        assert!(looks_like_html("<b>bold</b>"));
        assert!(looks_like_html("AT&amp;T"));
        assert!(!looks_like_html("a < b & c"));
        assert_eq!(
            html_to_text(" <p>Tom &amp; <i>Jerry</i></p><!-- x > y --> "),
            "Tom & Jerry"
        );
        assert_eq!(html_to_text("1 < 2"), "1 < 2");
        assert_eq!(
            html_to_text("safe<script>alert(1)</SCRIPT> text"),
            "safe text"
        );
        assert_eq!(html_to_text("sa<!-- -- x >fe"), "safe");
        assert_eq!(html_to_text("&lt;!DOCTYPE ~"), "<!DOCTYPE ~");
        assert_eq!(html_to_text("<!DOCTYPE ~"), "<!DOCTYPE ~");
        assert_eq!(html_to_text("safe<!-- never closed"), "safe");
    }

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
    fn escapes_and_truncates() {
        assert_eq!(escape_html("<a & \"b\">"), "&lt;a &amp; &quot;b&quot;&gt;");
        assert_eq!(prefix_within("한국어", 4), "한");
        assert_eq!(prefix_within("한국어", 100), "한국어");
    }
}
