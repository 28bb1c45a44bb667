//! Character references, decoded one way everywhere: XML's five, numeric references (with the
//! windows-1252 reading browsers give to codes 0x80–0x9F), and HTML's named references, which feeds use
//! without declaring them. A reference needs its `;`; anything else is kept as written.

use std::borrow::Cow;

use markup5ever::data::{C1_REPLACEMENTS, NAMED_ENTITIES};

/// How an entity reference was resolved.
#[derive(Debug, PartialEq, Eq)]
pub enum Resolved {
    /// One of XML's predefined entities or a numeric reference.
    Xml(char),
    /// An HTML name that XML does not define (`&nbsp;`): a repair.
    Html(String),
    /// Neither; the caller keeps the reference as written.
    Unknown,
}

/// Resolves the name between `&` and `;` (e.g. `amp`, `#233`, `#xE9`, `nbsp`).
pub fn resolve_entity(name: &str) -> Resolved {
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
#[inline(always)]
pub fn predefined_entity(name: &[u8]) -> Option<char> {
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
/// written from Windows text say `&#146;` for ’), and invalid codes (zero, surrogates, beyond
/// U+10FFFF) become U+FFFD.
pub fn numeric_char(code: u32) -> char {
    let c1 = code
        .checked_sub(0x80)
        .and_then(|i| C1_REPLACEMENTS.get(i as usize))
        .copied()
        .flatten();
    c1.or_else(|| char::from_u32(code))
        .filter(|&c| c != '\0')
        .unwrap_or(char::REPLACEMENT_CHARACTER)
}

/// Decodes every entity reference in `s`, leaving unknown ones and bare `&` as written.
pub fn decode(s: &str) -> Cow<'_, str> {
    unescape(s).0
}

/// Decodes every entity reference in `s`, leaving unknown ones and bare `&` as written. Returns whether
/// an HTML-only name was needed, so that XML callers can warn.
pub fn unescape(s: &str) -> (Cow<'_, str>, bool) {
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
#[inline]
pub fn is_reference_name(name: &str) -> bool {
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
        assert_eq!(decode("/i.png?a=1&amp;b=2"), "/i.png?a=1&b=2");
    }

    #[test]
    fn numeric_codes_read_as_browsers_do() {
        assert_eq!(numeric_char(0x2019), '’');
        assert_eq!(numeric_char(0x92), '’');
        assert_eq!(numeric_char(0xD800), '\u{FFFD}');
        assert_eq!(numeric_char(0x11_0000), '\u{FFFD}');
    }
}
