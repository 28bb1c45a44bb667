//! HTML → plain text, one rule for titles and summaries alike.

use crate::entity;

/// HTML → plain text as a reader sees it: tags and comments dropped, with the content of scripts and
/// styles; references decoded; trimmed. Whitespace is kept as written (the parser reports text as the
/// publisher wrote it); summaries collapse it with [`collapse_whitespace`].
///
/// A `<` starts markup only where HTML's tokenizer says so: before a letter (a tag), `/` (an end
/// tag), `!` (a comment or declaration) or `?`, and only if a `>` closes it; any other `<` is text,
/// so `a < b > c` reads as written. Tags separate words (`<p>a</p><p>b</p>` reads "a b": a space is
/// put where the tag sat between two words), except the inline ones that sit inside a word
/// (`<b>Ko</b>rea` reads "Korea"); comments separate nothing.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    // Whether a separating tag was dropped since the last text.
    let mut separated = false;
    let push = |out: &mut String, text: &str, separated: &mut bool| {
        if text.is_empty() {
            return;
        }
        let words_meet = out.chars().next_back().is_some_and(|c| !c.is_whitespace())
            && text.chars().next().is_some_and(|c| !c.is_whitespace());
        if std::mem::take(separated) && words_meet {
            out.push(' ');
        }
        out.push_str(text);
    };
    let mut rest = html;
    while let Some(lt) = memchr::memchr(b'<', rest.as_bytes()) {
        push(&mut out, rest.get(..lt).unwrap_or_default(), &mut separated);
        let tag = rest.get(lt..).unwrap_or_default();
        let Some(end) = markup_end(tag) else {
            push(&mut out, "<", &mut separated);
            rest = tag.get(1..).unwrap_or_default();
            continue;
        };
        rest = tag.get(end..).unwrap_or_default();
        let closing = tag.as_bytes().get(1) == Some(&b'/');
        let name: String = tag
            .chars()
            .skip(if closing { 2 } else { 1 })
            .take_while(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        if !closing && (name == "script" || name == "style") {
            let close = format!("</{name}");
            rest = match rest.to_ascii_lowercase().find(&close) {
                Some(at) => rest
                    .get(at..)
                    .and_then(|r| r.find('>'))
                    .and_then(|gt| rest.get(at + gt + 1..))
                    .unwrap_or_default(),
                None => "",
            };
            separated = true;
        } else if !name.is_empty() && !is_inline(&name) {
            separated = true;
        }
    }
    push(&mut out, rest, &mut separated);
    entity::decode(out.trim()).into_owned()
}

/// Where the markup that `tag` (which starts with `<`) opens ends, just past its `>`; `None` when
/// the `<` opens no markup and is text.
fn markup_end(tag: &str) -> Option<usize> {
    let opens_markup = tag
        .as_bytes()
        .get(1)
        .is_some_and(|b| b.is_ascii_alphabetic() || matches!(b, b'/' | b'!' | b'?'));
    if !opens_markup {
        return None;
    }
    if tag.starts_with("<!--") {
        // An unterminated comment ends at the next `>`, else at the end, as in browsers' recovery.
        return tag
            .find("-->")
            .map(|i| i + 3)
            .or_else(|| tag.find('>').map(|i| i + 1))
            .or(Some(tag.len()));
    }
    tag.find('>').map(|i| i + 1)
}

/// Elements that flow inside a line of text: their tags join the words around them.
fn is_inline(name: &str) -> bool {
    matches!(
        name,
        "a" | "abbr"
            | "acronym"
            | "b"
            | "bdi"
            | "bdo"
            | "big"
            | "cite"
            | "code"
            | "data"
            | "del"
            | "dfn"
            | "em"
            | "font"
            | "i"
            | "ins"
            | "kbd"
            | "mark"
            | "q"
            | "s"
            | "samp"
            | "small"
            | "span"
            | "strike"
            | "strong"
            | "sub"
            | "sup"
            | "time"
            | "tt"
            | "u"
            | "var"
            | "wbr"
    )
}

/// Runs of whitespace (no-break spaces included) as one space, trimmed.
pub fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Whether text seems to carry HTML: a tag or an entity reference. Used to read RSS titles, which are
/// nominally plain text but often (double-)escaped HTML.
pub fn looks_like_html(s: &str) -> bool {
    let bytes = s.as_bytes();
    memchr::memchr2_iter(b'<', b'&', bytes).any(|i| {
        let rest = bytes.get(i + 1..).unwrap_or_default();
        if bytes.get(i) == Some(&b'<') {
            matches!(rest.first(), Some(b) if b.is_ascii_alphabetic() || *b == b'/' || *b == b'!')
        } else {
            let end = rest.iter().take(34).position(|&b| b == b';');
            end.is_some_and(|e| {
                std::str::from_utf8(rest.get(..e).unwrap_or_default())
                    .is_ok_and(entity::is_reference_name)
            })
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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

    /// A `<` that opens no tag is text, wherever a `>` follows: the old summary rule took everything
    /// from `<` to the next `>` for a tag and lost the words between.
    #[test]
    fn a_lone_less_than_is_text_even_before_a_greater_than() {
        assert_eq!(html_to_text("a < b >"), "a < b >");
        assert_eq!(html_to_text("3 < 4 and 5 > 2"), "3 < 4 and 5 > 2");
        assert_eq!(html_to_text("<p>x < y</p><p>z > w</p>"), "x < y z > w");
        assert_eq!(html_to_text("a <= b >= c"), "a <= b >= c");
        assert_eq!(html_to_text("a &lt; b &gt;"), "a < b >");
        assert_eq!(html_to_text("a < <b>b</b> >"), "a < b >");
        // A letter after `<` does open a tag, as in browsers.
        assert_eq!(html_to_text("if a<b and c>d"), "if ad");
        assert_eq!(html_to_text("a </ b > c"), "a  c");
    }

    #[test]
    fn block_tags_separate_words_inline_ones_do_not() {
        assert_eq!(html_to_text("<p>a</p><p>b</p>"), "a b");
        assert_eq!(html_to_text("<p>a</p>\n<p>b</p>"), "a\nb");
        assert_eq!(html_to_text("a<br>b<br/>c"), "a b c");
        assert_eq!(
            html_to_text("<b>Ko</b>rea <A href='/x'>link</A>s"),
            "Korea links"
        );
        assert_eq!(
            collapse_whitespace(&html_to_text(
                "a<script>x<y</script>b&nbsp;&lt;c&gt; <STYLE>p{}</style>d"
            )),
            "a b <c> d"
        );
    }

    #[test]
    fn whitespace_is_kept_until_collapsed() {
        assert_eq!(
            html_to_text("<b>Caf\u{e9}&nbsp;News</b>\tnow "),
            "Caf\u{e9}\u{a0}News\tnow"
        );
        assert_eq!(collapse_whitespace("  한국\n\t 어\u{a0} "), "한국 어");
    }
}
