//! Plain text → markup, one escaper per output context. XML documents (feeds, OPML) are written with
//! quick-xml's escaper, which their writers already use.

/// The first byte at or after `from` that `special` picks. Blocks without one are passed over 16 bytes
/// at a time by a test the compiler turns into vector compares: escaped text and attribute
/// values (URLs) are mostly such blocks.
#[inline(always)]
pub fn find_special(bytes: &[u8], from: usize, special: impl Fn(u8) -> bool) -> Option<usize> {
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

/// `text` for any place in HTML, element content or attribute value in either quotes: `&`, `<`, `>`,
/// `"` and `'` escaped. The one HTML escaper for plain text: the site's templates, the status page and
/// the parser (a feed's plain text becoming HTML) all use it.
pub fn html(text: &str) -> String {
    escape_with(text, |b| {
        (b == b'&') | (b == b'<') | (b == b'>') | (b == b'"') | (b == b'\'')
    })
}

fn escape_with(text: &str, special: impl Fn(u8) -> bool) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let bytes = text.as_bytes();
    let mut copied = 0;
    while let Some(at) = find_special(bytes, copied, &special) {
        out.push_str(text.get(copied..at).unwrap_or_default());
        out.push_str(match bytes.get(at) {
            Some(b'&') => "&amp;",
            Some(b'<') => "&lt;",
            Some(b'>') => "&gt;",
            Some(b'"') => "&quot;",
            _ => "&#39;",
        });
        copied = at + 1;
    }
    out.push_str(text.get(copied..).unwrap_or_default());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_per_context() {
        assert_eq!(html("<a & \"b\">"), "&lt;a &amp; &quot;b&quot;&gt;");
        assert_eq!(
            html("it's <\"x\"> & y"),
            "it&#39;s &lt;&quot;x&quot;&gt; &amp; y"
        );
        assert_eq!(html("한국어 plain"), "한국어 plain");
    }

    #[test]
    fn finds_specials_across_blocks() {
        let text = format!("{}&", "a".repeat(40));
        assert_eq!(find_special(text.as_bytes(), 0, |b| b == b'&'), Some(40));
        assert_eq!(find_special(text.as_bytes(), 41, |b| b == b'&'), None);
    }
}
