//! Bytes → text. Picks the charset from, in order of trust, the byte-order mark, the HTTP `Content-Type`
//! charset, the XML declaration and an HTML `<meta>` tag, then checks the bytes against it: servers often
//! declare one charset and send another (typically "EUC-KR" on UTF-8 bytes, or the reverse), and Korean text
//! must never come out as mojibake.

use std::borrow::Cow;

use encoding_rs::{
    BIG5, EUC_JP, EUC_KR, Encoding, GB18030, SHIFT_JIS, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252,
};

use super::text::attribute_value;
use super::warn::Warnings;

/// Text decoded from the input, with the name of the charset used.
#[derive(Debug)]
pub(crate) struct Decoded<'a> {
    pub text: Cow<'a, str>,
    /// Lower-case charset name, e.g. "utf-8", "euc-kr".
    pub encoding: String,
}

/// Decodes `bytes`, recording every guess that contradicts what the bytes or headers claimed.
pub(crate) fn decode<'a>(
    bytes: &'a [u8],
    content_type: Option<&str>,
    warnings: &mut Warnings,
) -> Decoded<'a> {
    if let Some((true, big_endian, skip)) = utf32_sniff(bytes) {
        let text = decode_utf32(bytes.get(skip..).unwrap_or_default(), big_endian, warnings);
        let name = if big_endian { "utf-32be" } else { "utf-32le" };
        return Decoded {
            text: Cow::Owned(text),
            encoding: name.into(),
        };
    }
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        let body = bytes.get(bom_len..).unwrap_or_default();
        if encoding == UTF_8 && std::str::from_utf8(body).is_err() {
            warnings.push("bytes after a UTF-8 byte-order mark are not all UTF-8".into());
            return Decoded {
                text: Cow::Owned(utf8_with_1252_fallback(body)),
                encoding: "utf-8".into(),
            };
        }
        let (text, had_errors) = encoding.decode_without_bom_handling(body);
        if had_errors {
            warnings.push(format!(
                "bytes invalid in {} (its byte-order mark) were replaced",
                label(encoding)
            ));
        }
        return Decoded {
            text,
            encoding: label(encoding),
        };
    }
    let declared = content_type
        .and_then(charset_param)
        .map(|c| (c, "the Content-Type header"))
        .or_else(|| utf16_sniff(bytes).map(|e| (e.name(), "its byte pattern")))
        .or_else(|| xml_declared_encoding(bytes).map(|c| (c, "the XML declaration")))
        .or_else(|| html_meta_charset(bytes).map(|c| (c, "an HTML meta tag")));
    let chosen = match declared {
        Some((name, source)) => match lookup(name) {
            Some(encoding) => encoding,
            None => {
                warnings.push(format!(
                    "unknown charset {name:?} in {source}; guessed from the bytes"
                ));
                UTF_8
            }
        },
        None => UTF_8,
    };
    decode_checked(bytes, chosen, warnings)
}

/// Whether decoded text reads as the language of the charset it was decoded with.
type Plausible = fn(&str) -> bool;

/// The charsets tried, in order, on bytes invalid in the one declared (or in UTF-8 when none is): UTF-8,
/// then the East Asian multi-byte charsets, EUC-KR first (the most common in our feeds), and finally
/// windows-1252, which accepts any bytes. Double-byte text in one of them is often valid in another,
/// as mojibake: each comes with a test that the text reads as its language.
const FALLBACKS: [(&Encoding, Plausible); 6] = [
    (UTF_8, |_| true),
    (EUC_KR, mostly_hangul),
    (SHIFT_JIS, mostly_japanese),
    (EUC_JP, mostly_japanese),
    (GB18030, |text| mostly_common_han(text, COMMON_SIMPLIFIED)),
    (BIG5, |text| mostly_common_han(text, COMMON_TRADITIONAL)),
];

/// Decodes with `chosen` unless the bytes prove it wrong; then tries the [`FALLBACKS`].
fn decode_checked<'a>(
    bytes: &'a [u8],
    chosen: &'static Encoding,
    warnings: &mut Warnings,
) -> Decoded<'a> {
    if chosen != UTF_8
        && chosen.is_ascii_compatible()
        && !bytes.is_ascii()
        && std::str::from_utf8(bytes).is_ok()
    {
        // Non-ASCII bytes that form valid UTF-8 are practically never legacy-charset text.
        warnings.push(format!(
            "declared {} but the bytes are UTF-8; read as UTF-8",
            label(chosen)
        ));
        return Decoded {
            text: Cow::Borrowed(utf8_or_empty(bytes)),
            encoding: "utf-8".into(),
        };
    }
    if let Some(text) = chosen.decode_without_bom_handling_and_without_replacement(bytes) {
        return Decoded {
            text,
            encoding: label(chosen),
        };
    }
    for (fallback, plausible) in FALLBACKS {
        if fallback == chosen {
            continue;
        }
        let decoded = fallback.decode_without_bom_handling_and_without_replacement(bytes);
        if let Some(text) = decoded.filter(|t| plausible(t)) {
            warnings.push(format!(
                "bytes are not valid {}; read as {}",
                label(chosen),
                label(fallback)
            ));
            return Decoded {
                text,
                encoding: label(fallback),
            };
        }
    }
    if chosen == UTF_8 && mostly_utf8(bytes) {
        warnings.push("bytes are not all UTF-8; the invalid ones were read as windows-1252".into());
        return Decoded {
            text: Cow::Owned(utf8_with_1252_fallback(bytes)),
            encoding: "utf-8".into(),
        };
    }
    let chosen = if chosen == UTF_8 {
        WINDOWS_1252
    } else {
        chosen
    };
    let (text, _) = chosen.decode_without_bom_handling(bytes);
    warnings.push(format!(
        "bytes invalid in every likely charset; read as {} with replacements",
        label(chosen)
    ));
    Decoded {
        text,
        encoding: label(chosen),
    }
}

/// UTF-8 where the bytes are UTF-8 and windows-1252 where they are not: the usual result of pasting
/// Latin-1 text into a UTF-8 template, which neither charset alone reads right.
fn utf8_with_1252_fallback(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        out.push_str(&WINDOWS_1252.decode_without_bom_handling(chunk.invalid()).0);
    }
    out
}

/// The text before it was encoded in UTF-8 a second time: UTF-8 read as Latin-1 and written out again
/// as UTF-8 ("FÃ³rmula" for "Fórmula"), as publishing tools often do. Such text has only characters
/// below U+0100 that, taken as bytes, form UTF-8; every multi-byte lead byte then reads as a character
/// U+00C2–U+00F4, written `C3 xx`, which rules out nearly all other text at once. Correct Latin-1
/// text practically never forms UTF-8 (that takes an accented capital followed by a symbol), so
/// feedparser makes the same repair.
pub(crate) fn undo_double_utf8(text: &str) -> Option<String> {
    memchr::memchr(0xC3, text.as_bytes())?;
    let bytes = text
        .chars()
        .map(|c| u8::try_from(u32::from(c)).ok())
        .collect::<Option<Vec<u8>>>()?;
    String::from_utf8(bytes).ok()
}

/// Whether text reads as Korean: at least half of its non-ASCII characters are Hangul syllables, and a
/// quarter of those are among the most frequent ones. Chinese bytes read as EUC-KR also give Hangul,
/// but rare syllables in random order.
fn mostly_hangul(text: &str) -> bool {
    const COMMON: &str = "이다의는에을를하고가지로한서기사자대어리인수정아도국시나부일게요우보상을해들원으면제장것주전\
                          문생그적회내과관신공중동소개방위화러라히만감없있또성발무여구경연실학었더보";
    let (mut hangul, mut common, mut other) = (0usize, 0usize, 0usize);
    for c in text.chars().filter(|c| !c.is_ascii()) {
        match c {
            '\u{AC00}'..='\u{D7A3}' => {
                hangul += 1;
                common += usize::from(COMMON.contains(c));
            }
            _ => other += 1,
        }
    }
    hangul >= other && common * 4 >= hangul
}

/// Whether text reads as Japanese: kana make a fifth of its non-ASCII characters, and half-width
/// katakana (what Chinese or Korean bytes read as Shift_JIS mostly give) at most a tenth.
fn mostly_japanese(text: &str) -> bool {
    let (mut kana, mut half_width, mut other) = (0usize, 0usize, 0usize);
    for c in text.chars().filter(|c| !c.is_ascii()) {
        match c {
            '\u{3041}'..='\u{30FF}' => kana += 1,
            '\u{FF61}'..='\u{FF9F}' => half_width += 1,
            _ => other += 1,
        }
    }
    let all = kana + half_width + other;
    all > 0 && kana * 5 >= all && half_width * 10 <= all
}

/// Frequent Chinese characters, simplified and traditional: in real text they make a good share of
/// the characters; in mojibake, which spreads over thousands of rare ones, hardly any.
const COMMON_SIMPLIFIED: &str = "的一是不了在人有我他这个们中来上大为和国地到以说时要就出会可也你对生能而子那得于着下\
                                 自之年过发后作里用道行所然家种事成方多经么去法学如都同现当没动面起看定天分还进好小部其\
                                 些主样理心她本前开但因只从想实日新闻报市场网月记者业政府";
const COMMON_TRADITIONAL: &str = "的一是不了在人有我他這個們中來上大為和國地到以說時要就出會可也你對生能而子那得於著下\
                                  自之年過發後作裡用道行所然家種事成方多經麼去法學如都同現當沒動面起看定天分還進好小部其\
                                  些主樣理心她本前開但因只從想實日新聞報市場網月記者業政府臺灣";

/// Whether text reads as Chinese in the script `common` is written in: Han characters make half of its
/// non-ASCII characters, and an eighth of those are among the `common` ones.
fn mostly_common_han(text: &str, common: &str) -> bool {
    let (mut han, mut frequent, mut other) = (0usize, 0usize, 0usize);
    for c in text.chars().filter(|c| !c.is_ascii()) {
        match c {
            '\u{4E00}'..='\u{9FFF}' => {
                han += 1;
                frequent += usize::from(common.contains(c));
            }
            _ => other += 1,
        }
    }
    han > 0 && han >= other && frequent * 8 >= han
}

/// Whether valid multi-byte UTF-8 characters outnumber runs of invalid bytes two to one: then the text
/// is UTF-8 with a few foreign bytes pasted in, not legacy text in which some byte pairs happen to form
/// UTF-8.
fn mostly_utf8(bytes: &[u8]) -> bool {
    let (mut valid, mut invalid) = (0usize, 0usize);
    for chunk in bytes.utf8_chunks() {
        valid += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        invalid += usize::from(!chunk.invalid().is_empty());
    }
    valid >= 2 * invalid
}

fn utf8_or_empty(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).unwrap_or_default()
}

fn label(encoding: &'static Encoding) -> String {
    encoding.name().to_ascii_lowercase()
}

/// encoding_rs knows the WHATWG labels; real feeds also use a few Microsoft and IANA names it lacks.
fn lookup(name: &str) -> Option<&'static Encoding> {
    let name = name.trim().trim_matches(|c| c == '"' || c == '\'');
    let alias = match name.to_ascii_lowercase().as_str() {
        "cp949" | "ms949" | "uhc" | "x-windows-949" | "ks_c_5601" | "euckr" | "x-euc-kr" => {
            "euc-kr"
        }
        "utf-16" => "utf-16le",
        "ms932" | "cp932" | "windows-31j" | "x-sjis" => "shift_jis",
        "cp936" | "ms936" => "gbk",
        "cp950" | "ms950" => "big5",
        "cp1251" | "cp1252" | "cp1250" | "cp1253" | "cp1254" | "cp1255" | "cp1256" | "cp1257"
        | "cp1258" => {
            return Encoding::for_label(
                format!("windows-{}", name.get(2..).unwrap_or_default()).as_bytes(),
            );
        }
        _ => name,
    };
    Encoding::for_label(alias.as_bytes())
}

/// `charset=` from a media type such as `text/xml; charset="euc-kr"`.
fn charset_param(content_type: &str) -> Option<&str> {
    content_type.split(';').skip(1).find_map(|param| {
        let (key, value) = param.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| value.trim().trim_matches('"'))
            .filter(|v| !v.is_empty())
    })
}

/// `encoding="…"` from an `<?xml …?>` declaration at the start (after optional whitespace).
fn xml_declared_encoding(bytes: &[u8]) -> Option<&str> {
    let head = bytes.get(..bytes.len().min(1024))?;
    let start = head.iter().position(|b| !b.is_ascii_whitespace())?;
    let decl = head.get(start..)?;
    if !decl.starts_with(b"<?xml") {
        return None;
    }
    let end = decl.windows(2).position(|w| w == b"?>")?;
    let decl = std::str::from_utf8(decl.get(..end)?).ok()?;
    attribute_value(decl, "encoding")
}

/// `<meta charset="…">` or `<meta http-equiv="Content-Type" content="…; charset=…">` near the start.
fn html_meta_charset(bytes: &[u8]) -> Option<&str> {
    let head = bytes.get(..bytes.len().min(4096))?;
    let head = match std::str::from_utf8(head) {
        Ok(head) => head,
        Err(e) => std::str::from_utf8(head.get(..e.valid_up_to())?).ok()?,
    };
    let lower = head.to_ascii_lowercase();
    let mut from = 0;
    while let Some(found) = lower.get(from..)?.find("<meta") {
        let at = from + found;
        let tag_end = at + lower.get(at..)?.find('>')?;
        from = tag_end;
        let tag = head.get(at..tag_end)?;
        let charset = attribute_value(tag, "charset").or_else(|| {
            let content = attribute_value(tag, "content")?;
            let idx = content.to_ascii_lowercase().find("charset=")?;
            content
                .get(idx + "charset=".len()..)
                .map(|c| c.trim_matches(|c: char| c == '"' || c == '\'' || c.is_whitespace()))
        });
        if charset.is_some() {
            return charset;
        }
    }
    None
}

/// UTF-16 without a BOM, recognized by `<` or `<?` encoded with a zero byte.
fn utf16_sniff(bytes: &[u8]) -> Option<&'static Encoding> {
    match bytes.get(..4)? {
        [0, b'<', 0, _] => Some(UTF_16BE),
        [b'<', 0, _, 0] => Some(UTF_16LE),
        _ => None,
    }
}

/// UTF-32 (which encoding_rs does not read): `(is_utf32, big_endian, bom_length)`.
fn utf32_sniff(bytes: &[u8]) -> Option<(bool, bool, usize)> {
    match bytes.get(..4)? {
        [0, 0, 0xFE, 0xFF] => Some((true, true, 4)),
        [0xFF, 0xFE, 0, 0] => Some((true, false, 4)),
        [0, 0, 0, b'<'] => Some((true, true, 0)),
        [b'<', 0, 0, 0] => Some((true, false, 0)),
        _ => None,
    }
}

fn decode_utf32(bytes: &[u8], big_endian: bool, warnings: &mut Warnings) -> String {
    let mut out = String::with_capacity(bytes.len() / 4);
    let mut bad = false;
    for unit in bytes.chunks(4) {
        let quad: [u8; 4] = match unit.try_into() {
            Ok(q) => q,
            Err(_) => {
                bad = true;
                break;
            }
        };
        let code = if big_endian {
            u32::from_be_bytes(quad)
        } else {
            u32::from_le_bytes(quad)
        };
        match char::from_u32(code) {
            Some(c) => out.push(c),
            None => {
                bad = true;
                out.push(char::REPLACEMENT_CHARACTER);
            }
        }
    }
    if bad {
        warnings.push("invalid UTF-32 code units were replaced".into());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(bytes: &[u8], ct: Option<&str>) -> (String, String, Vec<String>) {
        let mut w = Warnings::default();
        let d = decode(bytes, ct, &mut w);
        (d.text.into_owned(), d.encoding, w.into_vec())
    }

    #[test]
    fn utf8_by_default_without_warning() {
        let (text, enc, w) = run("<rss>한국</rss>".as_bytes(), None);
        assert_eq!((text.as_str(), enc.as_str()), ("<rss>한국</rss>", "utf-8"));
        assert!(w.is_empty());
    }

    #[test]
    fn euc_kr_from_declaration() {
        let (bytes, _, _) =
            EUC_KR.encode("<?xml version=\"1.0\" encoding=\"euc-kr\"?><rss>한국 뉴스</rss>");
        let (text, enc, w) = run(&bytes, None);
        assert!(text.contains("한국 뉴스"));
        assert_eq!(enc, "euc-kr");
        assert!(w.is_empty());
    }

    #[test]
    fn content_type_beats_declaration() {
        let (bytes, _, _) =
            EUC_KR.encode("<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><rss>뉴스</rss>");
        let (text, enc, _) = run(&bytes, Some("text/xml; charset=\"EUC-KR\""));
        assert!(text.contains("뉴스"));
        assert_eq!(enc, "euc-kr");
    }

    #[test]
    fn euc_kr_declared_on_utf8_bytes() {
        let (text, enc, w) = run(
            "<?xml version=\"1.0\" encoding=\"EUC-KR\"?><rss>한국</rss>".as_bytes(),
            None,
        );
        assert!(text.contains("한국"));
        assert_eq!(enc, "utf-8");
        assert_eq!(w.len(), 1);
    }

    #[test]
    fn utf8_declared_on_euc_kr_bytes() {
        let (bytes, _, _) =
            EUC_KR.encode("<?xml version=\"1.0\" encoding=\"utf-8\"?><rss>서울 날씨</rss>");
        let (text, enc, w) = run(&bytes, None);
        assert!(text.contains("서울 날씨"));
        assert_eq!(enc, "euc-kr");
        assert_eq!(w.len(), 1);
    }

    #[test]
    fn declared_legacy_charsets() {
        let samples = [
            ("Shift_JIS", "日本語のニュース"),
            ("GB18030", "中文新闻"),
            ("GB2312", "中文新闻"),
            ("Big5", "中文新聞"),
            ("windows-1251", "Новости"),
            ("windows-1252", "Café – “quotes”"),
            ("ISO-8859-2", "Zażółć gęślą"),
            ("ISO-8859-1", "Español"),
            ("KOI8-R", "Новости"),
            ("CP949", "한국어 뉴스"),
        ];
        for (label, sample) in samples {
            let encoding = lookup(label).expect(label);
            let doc = format!(
                "<?xml version=\"1.0\" encoding=\"{label}\"?><rss><title>{sample}</title></rss>"
            );
            let (bytes, _, unmappable) = encoding.encode(&doc);
            assert!(!unmappable, "{label}");
            let (text, _, warnings) = run(&bytes, None);
            assert!(text.contains(sample), "{label}: {text}");
            assert!(warnings.is_empty(), "{label}: {warnings:?}");
        }
    }

    #[test]
    fn chinese_bytes_are_not_taken_for_korean() {
        let (bytes, _, _) =
            encoding_rs::GBK.encode("<rss><title>不白移民漫画系列：专业工作</title></rss>");
        let (_, enc, _) = run(&bytes, None);
        assert_ne!(enc, "euc-kr");
    }

    #[test]
    fn mixed_utf8_and_latin1() {
        let (text, enc, w) = run(b"<t>\xd1\xa8 Espa\xf1a \xc5\x9b</t>", None);
        assert_eq!(
            (text.as_str(), enc.as_str()),
            ("<t>Ѩ España ś</t>", "utf-8")
        );
        assert_eq!(w.len(), 1);
    }

    #[test]
    fn cp949_alias_and_meta_charset() {
        assert_eq!(lookup("CP949"), Some(EUC_KR));
        assert_eq!(lookup("cp1251").map(|e| e.name()), Some("windows-1251"));
        let html =
            b"<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=euc-kr\">";
        assert_eq!(html_meta_charset(html), Some("euc-kr"));
        assert_eq!(
            html_meta_charset(b"<meta charset='shift_jis'>"),
            Some("shift_jis")
        );
    }

    #[test]
    fn utf16_and_utf32_without_bom() {
        let utf16: Vec<u8> = "<rss>é</rss>"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        assert_eq!(run(&utf16, None).0, "<rss>é</rss>");
        let utf32: Vec<u8> = "<rss>é</rss>"
            .chars()
            .flat_map(|c| (c as u32).to_be_bytes())
            .collect();
        let (text, enc, _) = run(&utf32, None);
        assert_eq!((text.as_str(), enc.as_str()), ("<rss>é</rss>", "utf-32be"));
    }

    #[test]
    fn double_encoded_utf8_is_decoded_once_more() {
        assert_eq!(
            undo_double_utf8("Grupo FÃ³rmula, Â¿AquÃ\u{AD}?").as_deref(),
            Some("Grupo Fórmula, ¿Aquí?")
        );
        // Correct text stays: Latin-1 that is not UTF-8 as bytes, and text beyond U+00FF.
        assert_eq!(undo_double_utf8("Café Ã la carte"), None);
        assert_eq!(undo_double_utf8("Ã© 한국"), None);
        assert_eq!(undo_double_utf8("plain"), None);
    }

    #[test]
    fn unknown_charset_warns_and_guesses() {
        let (text, _, w) = run(b"<?xml version='1.0' encoding='x-bogus'?><rss/>", None);
        assert!(text.ends_with("<rss/>"));
        assert_eq!(w.len(), 1);
    }
}
