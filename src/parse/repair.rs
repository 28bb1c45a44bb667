//! A cheap pass over the decoded text before XML tokenizing that fixes the character-level mistakes
//! real feeds make, so that the tokenizer sees markup it can read: a bare `&` (`AT&T`, URLs),
//! a stray `<` (`a < b`) and control characters that XML forbids. Comments, CDATA sections and
//! tags are left as they are. Unchanged text is returned borrowed.

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
            let name = rest
                .get(1..)
                .and_then(|r| r.get(..r.get(..40.min(r.len()))?.find(';')?));
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
        // `<`: skip over whatever markup it opens.
        let skip_to = |end: &str| rest.find(end).map_or(bytes.len(), |i| at + i + end.len());
        pos = if rest.starts_with("<!--") {
            skip_to("-->")
        } else if rest.starts_with("<![CDATA[") {
            skip_to("]]>")
        } else if rest.starts_with("<!") || rest.starts_with("<?") {
            skip_declaration(text, at)
        } else if rest.as_bytes().get(1).is_some_and(|&b| {
            b.is_ascii_alphabetic() || b == b'_' || b == b':' || b == b'/' || b >= 0x80
        }) {
            skip_to(">")
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
    let repaired = match out {
        Some(mut buf) => {
            buf.push_str(text.get(copied..).unwrap_or_default());
            Cow::Owned(buf)
        }
        None => Cow::Borrowed(text),
    };
    strip_controls(repaired, warnings)
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

/// Removes C0 control characters other than tab, newline and carriage return.
fn strip_controls<'a>(text: Cow<'a, str>, warnings: &mut Warnings) -> Cow<'a, str> {
    let is_control = |c: char| c < ' ' && !matches!(c, '\t' | '\n' | '\r');
    if !text
        .bytes()
        .any(|b| b < b' ' && !matches!(b, b'\t' | b'\n' | b'\r'))
    {
        return text;
    }
    warnings.push("control characters removed".into());
    Cow::Owned(text.chars().filter(|&c| !is_control(c)).collect())
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
        let good = "<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]><rss a=\"1&2\"><t>A &amp; B &#38; &nbsp;</t>\
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
    }

    #[test]
    fn removes_control_characters() {
        assert_eq!(
            fix("<t>a\u{1}b\u{8}\tc</t>"),
            ("<t>ab\tc</t>".to_string(), 1)
        );
    }
}
