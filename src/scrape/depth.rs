//! A bound on how deeply a page's elements nest, applied before the HTML5 parser sees it: the
//! tree builder looks through the stack of open elements for most tags, so a page of a million
//! nested `<div>`s costs it time quadratic in the depth. Real list pages nest a few dozen levels;
//! start tags beyond [`MAX_DEPTH`] (and as many end tags after them) are dropped, with a warning.

use std::borrow::Cow;

/// Deepest nesting kept.
pub(super) const MAX_DEPTH: usize = 256;

/// Elements with no end tag, or whose next sibling closes them: they add no depth that lasts.
const FLAT: [&str; 22] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr", "li", "p", "td", "th", "tr", "option", "dt", "dd",
];

/// Elements whose content is text, not tags.
const RAW_TEXT: [&str; 5] = ["script", "style", "textarea", "title", "xmp"];

/// `html` with start tags nested deeper than [`MAX_DEPTH`] left out; borrowed when none is.
pub(super) fn bounded<'a>(html: &'a str, warnings: &mut Vec<String>) -> Cow<'a, str> {
    let bytes = html.as_bytes();
    let mut out: Option<String> = None;
    let (mut depth, mut excess, mut copied, mut at) = (0usize, 0usize, 0usize, 0usize);
    while let Some(found) = memchr::memchr(b'<', &bytes[at..]) {
        let start = at + found;
        let rest = &html[start..];
        let Some(close) = rest.find('>') else { break };
        let end = start + close + 1;
        at = end;
        let tag = &rest[1..close];
        if tag.starts_with('!') || tag.starts_with('?') {
            if tag.starts_with("!--")
                && let Some(comment_end) = rest.find("-->")
            {
                at = start + comment_end + 3;
            }
            continue;
        }
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect();
        if name.is_empty() || FLAT.contains(&name.as_str()) || (!closing && tag.ends_with('/')) {
            continue;
        }
        let drop = if closing {
            if excess > 0 {
                excess -= 1;
                true
            } else {
                depth = depth.saturating_sub(1);
                false
            }
        } else if RAW_TEXT.contains(&name.as_str()) {
            at = end_tag(html, end, &name).unwrap_or(html.len());
            false
        } else if depth >= MAX_DEPTH {
            excess += 1;
            true
        } else {
            depth += 1;
            false
        };
        if drop {
            let out = out.get_or_insert_with(|| String::with_capacity(html.len()));
            out.push_str(&html[copied..start]);
            copied = end;
        }
    }
    match out {
        None => Cow::Borrowed(html),
        Some(mut out) => {
            out.push_str(&html[copied..]);
            warnings.push(format!(
                "markup nested deeper than {MAX_DEPTH} levels: the deeper tags were left out"
            ));
            Cow::Owned(out)
        }
    }
}

/// Where `</name` starts at or after `from`, in any case.
fn end_tag(html: &str, from: usize, name: &str) -> Option<usize> {
    let bytes = html.as_bytes();
    let mut at = from;
    while let Some(found) = memchr::memchr(b'<', bytes.get(at..)?) {
        let start = at + found;
        let after = bytes.get(start + 1..)?;
        if after.first() == Some(&b'/')
            && after
                .get(1..=name.len())
                .is_some_and(|candidate| candidate.eq_ignore_ascii_case(name.as_bytes()))
        {
            return Some(start);
        }
        at = start + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_nesting_is_cut_and_shallow_pages_are_untouched() {
        let page = "<ul><li><a href=/1>a<li>b</ul><br><p>c<script>if (a<b) {}</script>";
        let mut warnings = Vec::new();
        assert!(matches!(bounded(page, &mut warnings), Cow::Borrowed(_)));
        assert!(warnings.is_empty());

        let deep = format!("{}x{}", "<div>".repeat(1000), "</div>".repeat(1000));
        let cut = bounded(&deep, &mut warnings);
        assert_eq!(
            cut,
            format!(
                "{}x{}",
                "<div>".repeat(MAX_DEPTH),
                "</div>".repeat(MAX_DEPTH)
            )
        );
        assert_eq!(warnings.len(), 1);
    }
}
