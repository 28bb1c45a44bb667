//! Control characters in untrusted text (feed titles, names, summaries, server errors).
//!
//! A feed can put terminal escape sequences (`ESC ] 0 ; … BEL`, `ESC [ 2 J`) in its titles: printed
//! raw they retitle or clear the admin's terminal, and published they are invalid in XML 1.0. So
//! every text is [`strip`]ped at normalize, and whatever reaches a terminal by another way (a
//! `parse` of a raw feed, a server's error message) is [`escape`]d when printed.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether `c` is a control character that has no place in text: C0 (but tab, line feed and
/// carriage return, which are whitespace), DEL and C1.
pub fn is_stray_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// `text` without its stray control characters; borrowed when it has none (the usual case).
pub fn strip(text: &str) -> Cow<'_, str> {
    if text.contains(is_stray_control) {
        Cow::Owned(text.chars().filter(|&c| !is_stray_control(c)).collect())
    } else {
        Cow::Borrowed(text)
    }
}

/// `text` safe to print on a terminal: every control character (line breaks and tabs included,
/// so that one value stays on its line) is shown as a visible `\u{1b}` escape instead.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.contains(char::is_control) {
        return Cow::Borrowed(text);
    }
    let mut shown = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() {
            let _ = write!(shown, "\\u{{{:x}}}", u32::from(c));
        } else {
            shown.push(c);
        }
    }
    Cow::Owned(shown)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strip_drops_escape_sequences_but_keeps_whitespace_and_text() {
        let hostile = "\u{1b}]0;pwned\u{7}\u{1b}[2J대전\t소식\n\u{7f}\u{85}!";
        assert_eq!(strip(hostile), "]0;pwned[2J대전\t소식\n!");
        assert!(matches!(strip("대전 소식"), Cow::Borrowed(_)));
    }

    #[test]
    fn escape_makes_every_control_visible() {
        assert_eq!(escape("a\u{1b}[2Jb\nc"), "a\\u{1b}[2Jb\\u{a}c");
        assert!(matches!(escape("대전 소식"), Cow::Borrowed(_)));
    }
}
