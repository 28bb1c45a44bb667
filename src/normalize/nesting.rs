//! A bound on how deep HTML nests, applied before sanitizing.
//!
//! An HTML parser checks the open elements around each new one (is a `<p>` open? a table?), so
//! its work grows with depth × tags: `<div>` written 100,000 times (500 KB) would take hours,
//! in the sanitizer and again wherever the HTML is parsed later. [`bounded`] counts the depth in
//! one pass and drops the tags nested deeper than the bound, keeping their text. Real content
//! nests a few dozen levels at most, so it comes back borrowed and unchanged.

use std::borrow::Cow;

/// Deepest nesting kept. Feed HTML nests a few dozen levels at most; this is far beyond it, and
/// still cheap for a parser (each tag costs at most this many checks).
pub(super) const MAX_NESTING: usize = 256;

/// Elements that never nest in themselves and are not counted: void ones (no end tag) and
/// those the parser closes when the next one starts (`<p>`, `<li>`, table cells…), which are
/// often written without end tags and would otherwise seem to nest deeply.
const NOT_COUNTED: &[&[u8]] = &[
    b"area", b"base", b"br", b"col", b"dd", b"dt", b"embed", b"hr", b"img", b"input", b"li",
    b"link", b"meta", b"option", b"p", b"param", b"source", b"td", b"th", b"tr", b"track", b"wbr",
];

/// `html` with the tags nested deeper than `max` left out (their text stays); borrowed when
/// none is.
pub(super) fn bounded(html: &str, max: usize) -> Cow<'_, str> {
    let bytes = html.as_bytes();
    let mut depth = 0usize;
    // Built only once a tag is dropped: until then the input is its own output.
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut at = 0;
    while let Some(found) = memchr::memchr(b'<', bytes.get(at..).unwrap_or_default()) {
        let lt = at + found;
        let Some(tag) = Tag::at(bytes, lt) else {
            at = lt + 1;
            continue;
        };
        at = tag.end;
        let dropped = match tag.kind {
            Kind::Start => {
                depth += 1;
                depth > max
            }
            Kind::End => {
                let dropped = depth > max;
                depth = depth.saturating_sub(1);
                dropped
            }
            Kind::Uncounted => false,
        };
        if dropped {
            let out = out.get_or_insert_with(|| String::with_capacity(html.len()));
            out.push_str(html.get(copied..lt).unwrap_or_default());
            copied = tag.end;
        }
    }
    match out {
        None => Cow::Borrowed(html),
        Some(mut out) => {
            out.push_str(html.get(copied..).unwrap_or_default());
            Cow::Owned(out)
        }
    }
}

enum Kind {
    /// Opens an element that nests.
    Start,
    /// Closes one.
    End,
    /// Neither: a void or self-closing element, one of [`NOT_COUNTED`].
    Uncounted,
}

struct Tag {
    kind: Kind,
    /// Just past its `>`.
    end: usize,
}

impl Tag {
    /// The start or end tag at `lt` (a `<`), if one is written there.
    fn at(bytes: &[u8], lt: usize) -> Option<Tag> {
        let (closing, name_start) = match bytes.get(lt + 1)? {
            b'/' => (true, lt + 2),
            _ => (false, lt + 1),
        };
        if !bytes.get(name_start)?.is_ascii_alphabetic() {
            return None;
        }
        let name_len = bytes
            .get(name_start..)?
            .iter()
            .position(|b| !b.is_ascii_alphanumeric())
            .unwrap_or(bytes.len() - name_start);
        let name = bytes.get(name_start..name_start + name_len)?;
        let Some(gt) = memchr::memchr(b'>', bytes.get(name_start..)?).map(|i| name_start + i)
        else {
            // No `>` anywhere after: no tag follows either, the rest is text.
            return Some(Tag {
                kind: Kind::Uncounted,
                end: bytes.len(),
            });
        };
        let self_closing = bytes.get(gt - 1) == Some(&b'/');
        let uncounted = self_closing
            || NOT_COUNTED
                .iter()
                .any(|known| known.eq_ignore_ascii_case(name));
        let kind = match (uncounted, closing) {
            (true, _) => Kind::Uncounted,
            (false, true) => Kind::End,
            (false, false) => Kind::Start,
        };
        Some(Tag { kind, end: gt + 1 })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_markup_is_borrowed_unchanged() {
        let html = "<div><p>a<p>b<ul><li>c<li>d</ul><img src=x><br/><table><tr><td>e<td>f</table></div> 1 < 2";
        assert!(matches!(bounded(html, 3), Cow::Borrowed(_)));
    }

    #[test]
    fn tags_past_the_bound_go_and_their_text_stays() {
        let html = "<div><div><span>deep</span>er</div></div>";
        assert_eq!(bounded(html, 1), "<div>deeper</div>");
        assert_eq!(bounded(html, 2), "<div><div>deeper</div></div>");
        let many = format!("{}x{}", "<div>".repeat(1000), "</div>".repeat(1000));
        let kept = bounded(&many, MAX_NESTING);
        assert_eq!(kept.matches("<div>").count(), MAX_NESTING);
        assert_eq!(kept.matches("</div>").count(), MAX_NESTING);
        assert!(kept.contains('x'));
    }
}
