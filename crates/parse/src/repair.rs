//! Character-level repairs before XML tokenizing. [`strip_controls`] removes the control characters
//! XML forbids (always run: it costs a fast scan). [`repair`] escapes a stray `<` (`a < b`), which the
//! tokenizer cannot read past, and a bare `&` (`AT&T`); it runs only when the tokenizer has met such
//! a `<`. Comments, CDATA sections and declarations are left as they are; a bare `&` inside an
//! attribute value is escaped too, which attribute decoding undoes. Unchanged text is returned borrowed.

use std::borrow::Cow;

use super::text::is_reference_name;
use super::warn::Warnings;

pub(crate) fn repair<'a>(text: &'a str, warnings: &mut Warnings) -> Cow<'a, str> {
    let bytes = text.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0; // text[..copied] is already in `out`
    let mut pos = 0;
    let (mut amps, mut lts) = (0usize, 0usize);
    while let Some(found) = memchr::memchr2(b'<', b'&', bytes.get(pos..).unwrap_or_default()) {
        let at = pos + found;
        let rest = text.get(at..).unwrap_or_default();
        if rest.starts_with('&') {
            pos = at + 1;
            // A reference name is short: look for its `;` in the next few bytes only.
            let name = rest.get(1..).and_then(|r| {
                let semicolon = memchr::memchr(b';', r.as_bytes().get(..r.len().min(40))?)?;

                r.get(..semicolon)
            });

            if name.is_some_and(is_reference_name) {
                continue;
            }
            amps += 1;
            let buf = out.get_or_insert_with(|| String::with_capacity(text.len() + 64));
            buf.push_str(text.get(copied..at).unwrap_or_default());
            buf.push_str("&amp;");
            copied = at + 1;
            continue;
        }
        // `<`: skip over comments, CDATA and declarations, whose `<` and `&` are not markup.
        let skip_to = |end: &str| {
            memchr::memmem::find(rest.as_bytes(), end.as_bytes())
                .map_or(bytes.len(), |i| at + i + end.len())
        };
        let starts_tag =
            |b: u8| b.is_ascii_alphabetic() || b == b'_' || b == b':' || b == b'/' || b >= 0x80;
        pos = if rest.as_bytes().get(1).is_some_and(|&b| starts_tag(b)) {
            at + 1
        } else if rest.starts_with("<!--") {
            skip_to("-->")
        } else if rest.starts_with("<![CDATA[") {
            skip_to("]]>")
        } else if rest.starts_with("<!") || rest.starts_with("<?") {
            skip_declaration(text, at)
        } else {
            lts += 1;
            let buf = out.get_or_insert_with(|| String::with_capacity(text.len() + 64));
            buf.push_str(text.get(copied..at).unwrap_or_default());
            buf.push_str("&lt;");
            copied = at + 1;
            at + 1
        };
    }
    if amps > 0 {
        warnings.push(format!("{amps} bare '&' escaped"));
    }
    if lts > 0 {
        warnings.push(format!("{lts} stray '<' escaped"));
    }
    match out {
        Some(mut buf) => {
            buf.push_str(text.get(copied..).unwrap_or_default());
            Cow::Owned(buf)
        }
        None => Cow::Borrowed(text),
    }
}

/// The end of a `<!…>` or `<?…?>` declaration, allowing a DOCTYPE's bracketed internal subset.
fn skip_declaration(text: &str, at: usize) -> usize {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    for (i, &b) in bytes.iter().enumerate().skip(at + 1) {
        match b {
            b'[' => depth += 1,
            b']' => depth = depth.saturating_sub(1),
            b'>' if depth == 0 => return i + 1,
            _ => {}
        }
    }
    bytes.len()
}

/// Whether `bytes` hold a C0 control character other than tab, newline and carriage return. Blocks
/// of a fixed size are scanned without early exits, which compiles to vector instructions: this runs
/// on every feed. (Tab and newline as one comparison, `b - 9 > 1`, saves a vector operation a byte.)
fn has_control(bytes: &[u8]) -> bool {
    let is_control = |b: u8| (b < b' ') & (b.wrapping_sub(b'\t') > 1) & (b != b'\r');
    let (blocks, rest) = bytes.as_chunks::<256>();
    blocks
        .iter()
        .any(|block| block.iter().fold(false, |found, &b| found | is_control(b)))
        || rest.iter().any(|&b| is_control(b))
}

/// Removes C0 control characters other than tab, newline and carriage return.
pub(crate) fn strip_controls<'a>(text: Cow<'a, str>, warnings: &mut Warnings) -> Cow<'a, str> {
    let is_control = |b: u8| b < b' ' && !matches!(b, b'\t' | b'\n' | b'\r');
    if !has_control(text.as_bytes()) {
        return text;
    }

    warnings.push("control characters removed".into());
    // Copies the runs between them: they are single bytes, so every cut is on a char boundary.
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for (at, b) in text.bytes().enumerate() {
        if is_control(b) {
            out.push_str(text.get(copied..at).unwrap_or_default());
            copied = at + 1;
        }
    }
    out.push_str(text.get(copied..).unwrap_or_default());
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fix(s: &str) -> (String, usize) {
        let mut w = Warnings::default();
        let out = repair(s, &mut w).into_owned();
        (out, w.into_vec().len())
    }

    #[test]
    fn leaves_good_markup_alone() {
        let good = "<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]><rss a=\"1&amp;2\"><t>A &amp; B &#38; &nbsp;</t>\
                    <!-- a < b & c --><![CDATA[ x < y & z ]]></rss>";
        assert_eq!(fix(good), (good.to_string(), 0));
    }

    #[test]
    fn escapes_bare_amp_and_stray_lt() {
        assert_eq!(
            fix("<t>AT&T a < b &c</t>").0,
            "<t>AT&amp;T a &lt; b &amp;c</t>"
        );
        assert_eq!(fix("<t>x &").0, "<t>x &amp;");
        // In attribute values too: attribute decoding turns it back into `&`.
        assert_eq!(fix("<a href=\"?a=1&b=2\">").0, "<a href=\"?a=1&amp;b=2\">");
    }

    #[test]
    fn finds_control_characters_anywhere() {
        // Long enough for whole blocks and a rest.
        let clean = "line\tone\r\nline two ünïcode 한글 ".repeat(20);
        assert!(!has_control(clean.as_bytes()));
        for at in 0..clean.len() {
            let mut bytes = clean.clone().into_bytes();
            bytes.insert(at, 0x1f);
            assert!(has_control(&bytes), "{at}");
        }
        for b in 0..=u8::MAX {
            let control = b < b' ' && !matches!(b, b'\t' | b'\n' | b'\r');
            assert_eq!(has_control(&[b; 300]), control, "{b:#x}");
        }
    }

    #[test]
    fn removes_control_characters() {
        let mut w = Warnings::default();
        let out = strip_controls(Cow::Borrowed("<t>a\u{1}b\u{8}\tc</t>"), &mut w);
        assert_eq!((out.as_ref(), w.into_vec().len()), ("<t>ab\tc</t>", 1));
    }
}
