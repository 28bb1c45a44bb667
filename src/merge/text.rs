//! Text as merge compares it: titles reduced to what makes them the same story, and folded forms
//! for rule matching. Korean headlines carry no reliable spacing, so comparisons work on characters.

use std::borrow::Cow;

use unicode_normalization::UnicodeNormalization;

use super::lexicon::SHORT_FORMS;

/// `text` in NFKC. News text is mostly ASCII and precomposed Hangul syllables, which NFKC leaves
/// as they are (none decomposes, and without combining characters nothing composes): such text
/// skips the normalizer, which is most of the cost of reading 100,000 titles.
pub fn nfkc(text: &str) -> Cow<'_, str> {
    let stable = |c: char| c.is_ascii() || is_hangul_syllable(c);
    if text.chars().all(stable) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.nfkc().collect())
    }
}

pub fn is_hangul_syllable(c: char) -> bool {
    ('\u{AC00}'..='\u{D7A3}').contains(&c)
}

/// [`char::is_alphanumeric`], answered without a table lookup for ASCII and Hangul syllables.
pub fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else {
        is_hangul_syllable(c) || c.is_alphanumeric()
    }
}

/// A title reduced for comparison: NFKC (full-width letters and digits become ASCII), every quote
/// character made `'`, bracket tags such as `[속보]`, `[포토]`, `(종합)`, `(2보)` removed, spaces
/// collapsed, lowercase.
pub fn comparable_title(title: &str) -> String {
    let normal = nfkc(title);
    // Sized up front: collecting chars would grow the string a few times per title.
    let mut unified = String::with_capacity(normal.len());
    unified.extend(normal.chars().map(unify_quote));
    let untagged = remove_bracket_tags(&unified);
    let mut collapsed = String::with_capacity(untagged.len());
    for word in untagged.split_whitespace() {
        if !collapsed.is_empty() {
            collapsed.push(' ');
        }
        collapsed.push_str(word);
    }
    // ASCII without capitals and Hangul are their own lowercase: most titles need no copy.
    let lower = |c: char| !c.is_ascii_uppercase() && (c.is_ascii() || is_hangul_syllable(c));
    if collapsed.chars().all(lower) {
        collapsed
    } else {
        collapsed.to_lowercase()
    }
}

/// Every quote-like character as `'`: papers write the same headline with ' " ` ‘ ’ “ ” ′ ″ ＇.
fn unify_quote(c: char) -> char {
    match c {
        '"' | '`' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{201C}' | '\u{201D}'
        | '\u{201E}' | '\u{201F}' | '\u{2032}' | '\u{2033}' | '\u{00B4}' | '\u{300C}'
        | '\u{300D}' | '\u{300E}' | '\u{300F}' => '\'',
        c => c,
    }
}

/// Longest text inside brackets that still counts as a tag (`[단독]`, `(종합2보)`, `【포토】`);
/// longer brackets hold part of the headline and are kept.
const TAG_CHARS: usize = 8;

/// Removes short bracketed tags; anything else (an unclosed bracket, a long aside) is kept.
fn remove_bracket_tags(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some((at, open)) = rest.char_indices().find(|&(_, c)| closing(c).is_some()) {
        out.push_str(&rest[..at]);
        let after = &rest[at + open.len_utf8()..];
        let close = closing(open).unwrap_or(open);
        match after.find(close) {
            Some(end) if after[..end].chars().count() <= TAG_CHARS => {
                out.push(' ');
                out.push_str(&series_part(&after[..end]));
                out.push(' ');
                rest = &after[end + close.len_utf8()..];
            }
            _ => {
                out.push(open);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// What a bracketed tag keeps of a series part: "(2)", "[1/3]" and "(상)" tell the articles of
/// a series apart, so their number stays (상·중·하 as 1, 2, 3); any other tag is dropped.
fn series_part(tag: &str) -> Cow<'static, str> {
    let tag = tag.trim();
    let numbered = !tag.is_empty()
        && tag.chars().any(|c| c.is_ascii_digit())
        && tag
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '/' | '-' | ' '));
    if numbered {
        return Cow::Owned(tag.to_owned());
    }
    Cow::Borrowed(match tag {
        "상" | "上" => "1",
        "중" | "中" => "2",
        "하" | "下" => "3",
        _ => "",
    })
}

fn closing(open: char) -> Option<char> {
    match open {
        '[' => Some(']'),
        '(' => Some(')'),
        '【' => Some('】'),
        '〔' => Some('〕'),
        '<' => Some('>'),
        '〈' => Some('〉'),
        '《' => Some('》'),
        _ => None,
    }
}

/// Text folded for rule matching: NFKC, lowercase, no whitespace, so that "Ｋ-POP", "k-pop" and
/// "K - POP" all read "k-pop".
pub fn fold(text: &str) -> String {
    nfkc(text)
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// How much of a summary counts as the lede: enough for who, what, where and how much.
const LEDE_CHARS: usize = 120;

/// The lede of a summary: its first [`LEDE_CHARS`] characters.
pub fn lede(summary: &str) -> &str {
    summary
        .char_indices()
        .nth(LEDE_CHARS)
        .map_or(summary, |(end, _)| &summary[..end])
}

/// `text` with the short forms and verb variants of [`SHORT_FORMS`] read as their one form, and
/// ASCII lowercase: "尹대통령 재판 미뤄져" reads "윤석열 대통령 재판 연기". Most texts have neither
/// hanja nor a listed word, and are not copied.
pub fn with_full_forms(text: &str) -> Cow<'_, str> {
    if !needs_full_forms(text) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while !rest.is_empty() {
        let word_end = rest.find(|c: char| !is_word_char(c)).unwrap_or(rest.len());
        let (word, after) = rest.split_at(word_end);
        push_full_form(word, &mut out);
        let mut chars = after.chars();
        out.extend(chars.next());
        rest = chars.as_str();
    }
    out.make_ascii_lowercase();
    Cow::Owned(out)
}

/// Whether [`with_full_forms`] changes `text`: it has an ASCII capital or a word starting with
/// one of [`WORD_STARTS`]. One pass over the characters, as every article's title and lede goes
/// through this.
fn needs_full_forms(text: &str) -> bool {
    let mut in_word = false;
    text.chars().any(|c| {
        let word_char = is_word_char(c);
        let starts_word = word_char && !in_word;
        in_word = word_char;
        c.is_ascii_uppercase() || (starts_word && WORD_STARTS.binary_search(&c).is_ok())
    })
}

/// The first characters of [`SHORT_FORMS`]' word keys, sorted: a word starting with none of
/// them is never looked up.
static WORD_STARTS: std::sync::LazyLock<Vec<char>> = std::sync::LazyLock::new(|| {
    let mut starts: Vec<char> = SHORT_FORMS
        .iter()
        .filter_map(|(key, _)| key.chars().next())
        .flat_map(|c| [c, c.to_ascii_uppercase()])
        .collect();
    starts.sort_unstable();
    starts.dedup();
    starts
});

/// The one-character keys of [`SHORT_FORMS`], sorted.
static SINGLE_CHAR_KEYS: std::sync::LazyLock<Vec<char>> = std::sync::LazyLock::new(|| {
    let mut keys: Vec<char> = SHORT_FORMS
        .iter()
        .filter_map(|(key, _)| {
            let mut chars = key.chars();
            chars.next().filter(|_| chars.next().is_none())
        })
        .collect();
    keys.sort_unstable();
    keys
});

/// Whether `c` has a [`single_char_form`]: ruled out by the keys' range first (they are hanja,
/// so Hangul and ASCII never reach the search).
fn is_single_char_key(c: char) -> bool {
    let keys = &*SINGLE_CHAR_KEYS;
    keys.first().is_some_and(|&low| c >= low)
        && keys.last().is_some_and(|&high| c <= high)
        && keys.binary_search(&c).is_ok()
}

/// The full form of a one-character short form that is not a letter of a word (hanja).
fn single_char_form(c: char) -> Option<&'static str> {
    SHORT_FORMS.iter().find_map(|&(key, full)| {
        let mut chars = key.chars();
        (chars.next() == Some(c) && chars.next().is_none()).then_some(full)
    })
}

/// Appends `word` read through [`SHORT_FORMS`]: a word starting with a key is its full form; a
/// hanja short form inside it stands apart ("尹대통령" is "윤석열 대통령").
fn push_full_form(word: &str, out: &mut String) {
    // Most words hold no key: they are copied as they are, without the look-ups below.
    let starts_with_key = word
        .chars()
        .next()
        .is_some_and(|first| WORD_STARTS.binary_search(&first).is_ok());
    if !starts_with_key && !word.chars().any(is_single_char_key) {
        out.push_str(word);
        return;
    }
    let lower = word.to_ascii_lowercase();
    let listed = SHORT_FORMS
        .iter()
        .filter(|(key, _)| key.chars().nth(1).is_some() && lower.starts_with(key))
        .max_by_key(|(key, _)| key.len());
    if let Some((_, full)) = listed {
        out.push_str(full);
        return;
    }
    let mut chars = word.chars().peekable();
    while let Some(c) = chars.next() {
        match single_char_form(c) {
            Some(full) => {
                if out.chars().next_back().is_some_and(is_word_char) {
                    out.push(' ');
                }
                out.push_str(full);
                if chars.peek().is_some() {
                    out.push(' ');
                }
            }
            None => out.push(c),
        }
    }
}

/// The character bigrams of `text`'s letters and digits, as `u64`s (two code points), sorted and
/// without repeats. Punctuation and spaces are skipped, so spacing and quoting never matter.
pub fn bigrams(text: &str) -> Vec<u64> {
    let mut grams = Vec::with_capacity(text.len() / 2);
    let mut previous = None;
    for c in text.chars().filter(|&c| is_word_char(c)) {
        if let Some(previous) = previous {
            grams.push(pair(previous, c));
        }
        previous = Some(c);
    }
    grams.sort_unstable();
    grams.dedup();
    grams
}

fn pair(first: char, second: char) -> u64 {
    (u64::from(first) << 32) | u64::from(second)
}

/// The letter-and-digit bigrams of each word (a lone character counts as one), sorted, without
/// repeats. Unlike [`bigrams`] nothing spans two words, so a title's words can be looked for in
/// another text whatever the particles and spacing around them.
pub fn word_bigrams(text: &str) -> Vec<u64> {
    let mut grams = Vec::with_capacity(text.len() / 2);
    push_word_bigrams(text, &mut grams);
    grams.sort_unstable();
    grams.dedup();
    // Kept for the whole merge, one set per article: repeats and the byte-length estimate
    // (three bytes a Hangul syllable) would otherwise hold twice the memory the set needs.
    grams.shrink_to_fit();
    grams
}

/// Appends the letter-and-digit bigrams of each word of `text` to `grams`, in text order with
/// repeats: for callers that gather several texts' bigrams into one set.
pub fn push_word_bigrams(text: &str, grams: &mut Vec<u64>) {
    for word in text.split(|c: char| !is_word_char(c)) {
        let mut chars = word.chars();
        let Some(first) = chars.next() else {
            continue;
        };
        let (mut previous, mut single) = (first, true);
        for c in chars {
            grams.push(pair(previous, c));
            (previous, single) = (c, false);
        }
        if single {
            grams.push(u64::from(first));
        }
    }
}

/// A number a text names, as two texts are compared by it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Number {
    /// A sum written with Korean large-number units (만, 억, 조), in units of 10,000, so that
    /// "6조 8000억", "6조8천억" and "6.8조" are all 680,000,000.
    Amount(u64),
    /// Any other number, as written without thousands separators and trailing zeros after a
    /// point: "1,150" is "1150", "2.50" is "2.5". A year, a count, a score, a series part.
    Plain(Box<str>),
}

/// Every number in `text`, sorted, without repeats. Full-width and circled digits count as what
/// NFKC makes of them ("①" is 1, "⑵" is (2)).
pub fn numbers(text: &str) -> Vec<Number> {
    // Every number starts with a digit: most ledes have none to read.
    if names_no_amount(text) {
        return Vec::new();
    }
    let text = nfkc(text);
    if !text.bytes().any(|byte| byte.is_ascii_digit()) {
        return Vec::new();
    }
    let chars: Vec<char> = text.chars().collect();
    let mut found = Vec::new();
    let mut at = 0;
    // The amount being read, its smallest unit so far, and where its last part ended.
    let mut current: Option<(f64, f64, usize)> = None;
    while at < chars.len() {
        let start = at;
        while at < chars.len() && (chars[at].is_ascii_digit() || matches!(chars[at], ',' | '.')) {
            at += 1;
        }
        if at == start {
            at += 1;
            continue;
        }
        let digits: String = chars[start..at].iter().filter(|c| **c != ',').collect();
        let digits = digits.trim_matches('.');
        let Ok(mut value) = digits.parse::<f64>() else {
            continue;
        };
        let thousands = chars.get(at) == Some(&'천');
        if thousands {
            value *= 1_000.0;
            at += 1;
        }
        let unit = match chars.get(at) {
            Some('만') => 1.0,
            Some('억') => 10_000.0,
            Some('조') => 100_000_000.0,
            _ => {
                flush(&mut current, &mut found);
                let plain = if thousands {
                    format!("{value}")
                } else {
                    plain(digits)
                };
                found.push(Number::Plain(plain.into()));
                continue;
            }
        };
        at += 1;
        // "6조 8000억": a smaller unit right after a larger one continues the same amount.
        current = match current {
            Some((sum, smallest, end)) if unit < smallest && start - end <= 1 => {
                Some((sum + value * unit, unit, at))
            }
            _ => {
                flush(&mut current, &mut found);
                Some((value * unit, unit, at))
            }
        };
    }
    flush(&mut current, &mut found);
    found.sort_unstable();
    found.dedup();
    found
}

/// Digits as compared: no leading zeros ("07" is 7, as in a date), no trailing zeros after a
/// point.
fn plain(digits: &str) -> String {
    let digits = if digits.contains('.') {
        digits.trim_end_matches('0').trim_end_matches('.')
    } else {
        digits
    };
    let trimmed = digits.trim_start_matches('0');
    if trimmed.is_empty() || trimmed.starts_with('.') {
        format!("0{trimmed}")
    } else {
        trimmed.to_owned()
    }
}

/// Whether `text` surely names no amount: it holds no digit, and only characters that NFKC
/// leaves as they are (so none becomes one). Answers without normalizing, and so lets callers
/// skip [`amounts`] of a text made longer by this one.
pub fn names_no_amount(text: &str) -> bool {
    text.chars().all(|c| {
        if c.is_ascii() {
            !c.is_ascii_digit()
        } else {
            is_hangul_syllable(c)
        }
    })
}

fn flush(current: &mut Option<(f64, f64, usize)>, found: &mut Vec<Number>) {
    if let Some((sum, _, _)) = current.take() {
        // In units of 10,000, any amount a headline names fits; the cast saturates otherwise.
        found.push(Number::Amount(sum.round() as u64));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_quotes_width_and_spaces_do_not_count() {
        assert_eq!(
            comparable_title("[속보]  대전  유성구 화재 (종합2보)"),
            "대전 유성구 화재"
        );
        assert_eq!(
            comparable_title("[포토] 갑천 `벚꽃 명소`"),
            comparable_title("【포토】 갑천 '벚꽃 명소'")
        );
        assert_eq!(comparable_title("“ＡＩ” 시대"), "'ai' 시대");
        assert_eq!(
            comparable_title("(이 괄호 안은 제목의 일부이므로 지우지 않는다) 본문"),
            "(이 괄호 안은 제목의 일부이므로 지우지 않는다) 본문"
        );
        assert_eq!(comparable_title("끝나지 않은 [괄호"), "끝나지 않은 [괄호");
        assert_eq!(
            comparable_title("[기획] 원도심을 걷다 (2)"),
            "원도심을 걷다 2"
        );
        assert_eq!(comparable_title("원도심을 걷다 <하>"), "원도심을 걷다 3");
    }

    #[test]
    fn fold_ignores_case_width_and_spaces() {
        assert_eq!(fold("Ｋ - POP"), fold("k-pop"));
        assert_eq!(fold("정치 / 행정"), "정치/행정");
    }

    #[test]
    fn numbers_read_korean_units() {
        let amounts = |text: &str| -> Vec<u64> {
            (numbers(text).into_iter())
                .filter_map(|number| match number {
                    Number::Amount(sum) => Some(sum),
                    Number::Plain(_) => None,
                })
                .collect()
        };
        let budget = vec![680_000_000];
        assert_eq!(amounts("예산 6조 8000억 원 편성"), budget);
        assert_eq!(amounts("6조8천억 역대 최대"), budget);
        assert_eq!(amounts("역대 최대 6.8조…"), budget);
        assert_eq!(
            amounts("2조 3000억 원, 3000억 원"),
            vec![30_000_000, 230_000_000]
        );
        assert_eq!(amounts("1,000만 관객"), vec![1_000]);
        let plain = |digits: &str| Number::Plain(digits.into());
        assert_eq!(
            numbers("주민 30명, 2,900선, 2027년, 5.20%, 07일, ①"),
            vec![
                plain("1"),
                plain("2027"),
                plain("2900"),
                plain("30"),
                plain("5.2"),
                plain("7")
            ]
        );
    }

    #[test]
    fn full_forms_replace_short_forms_and_verb_variants() {
        assert_eq!(
            with_full_forms("尹대통령 재판 미뤄져… 與 반발"),
            "윤석열 대통령 재판 연기… 여당 반발"
        );
        assert_eq!(with_full_forms("대전 시의회"), "대전 시의회");
        assert_eq!(with_full_forms("Trial Postponed"), "trial delay");
    }

    #[test]
    fn word_bigrams_stay_inside_words() {
        assert_eq!(word_bigrams("대전 시"), {
            let mut expected = vec![(u64::from('대') << 32) | u64::from('전'), u64::from('시')];
            expected.sort_unstable();
            expected
        });
    }

    #[test]
    fn the_fast_paths_agree_with_unicode() {
        for text in [
            "대전 시청 ABC abc 123 [속보] \"quoted\"",
            "ＡＩ ① ㈜ ﬁ e\u{301} 가\u{11A8} \u{1100}\u{1161} 한\u{20DD}",
            "Ⅻ ½ ＂…＂ µ İ ß",
        ] {
            assert_eq!(nfkc(text), text.nfkc().collect::<String>(), "{text}");
            for c in text
                .chars()
                .chain(['\u{D7A3}', '\u{D7A4}', '\u{ABFF}', '_'])
            {
                assert_eq!(is_word_char(c), c.is_alphanumeric(), "{c:?}");
            }
        }
    }

    #[test]
    fn bigrams_skip_spaces_and_punctuation() {
        assert_eq!(bigrams("대전 시청"), bigrams("대전시청!"));
        assert_eq!(bigrams("가"), Vec::<u64>::new());
        assert_eq!(bigrams("가나가나").len(), 2);
    }
}
