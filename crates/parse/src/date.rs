//! Dates as feeds write them. One tolerant reader covers RFC 822/2822 and its real-world variants
//! (named zones, missing seconds or weekday, two-digit years, any-case or full month names), RFC 3339 /
//! ISO 8601 / W3CDTF including partial forms, asctime, and the forms Korean sites use
//! ("2026-01-11 16:35", "2026.01.11 16:35", "2026년 1월 11일 오후 4:35"). The text is split into
//! numbers, words and punctuation, and the parts are picked out by shape rather than by position, which
//! is what makes the variants cheap to support. A date without a zone is in the feed's timezone.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

/// Parses `s`, reading a zoneless date in `tz`. `None` when no date can be made out.
pub fn parse_date(s: &str, tz: Tz) -> Option<DateTime<Utc>> {
    parse_strict(s).or_else(|| parse_tolerant(s, tz))
}

/// The two forms nearly every feed writes, read by chrono's strict parsers: several times cheaper than
/// the tolerant reader, with which they agree (tested). Anything else is left to the tolerant reader.
fn parse_strict(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    let date = if s
        .as_bytes()
        .get(10)
        .is_some_and(|b| b.eq_ignore_ascii_case(&b't'))
    {
        DateTime::parse_from_rfc3339(s).ok()?
    } else {
        // RFC 2822 only with a four-digit year and a numeric or GMT zone: chrono reads two-digit
        // years and the obsolete zone names by the RFC's rules, not by what feeds mean.
        let mut back = s.split_ascii_whitespace().rev();
        let (zone, _time, year) = (back.next()?, back.next()?, back.next()?);
        let numeric_zone = zone.len() == 5
            && zone.starts_with(['+', '-'])
            && zone.bytes().skip(1).all(|b| b.is_ascii_digit());
        let four_digit_year = year.len() == 4 && year.bytes().all(|b| b.is_ascii_digit());
        if !(four_digit_year && (numeric_zone || zone == "GMT")) {
            return None;
        }
        DateTime::parse_from_rfc2822(s).ok()?
    };
    // The tolerant reader keeps whole seconds.
    date.to_utc().with_nanosecond(0)
}

fn parse_tolerant(s: &str, tz: Tz) -> Option<DateTime<Utc>> {
    let lower = s.to_lowercase();
    let tokens = tokenize(&lower);
    let (time, after_time) = find_time(&tokens);
    let zone = find_zone(&tokens, after_time.unwrap_or(tokens.len()), time.is_some());
    let date = find_date(&tokens, time.as_ref().map_or(tokens.len(), |t| t.first))?;
    let clock = match &time {
        Some(t) => NaiveTime::from_hms_opt(t.hour, t.minute, t.second.min(59))?,
        None => NaiveTime::MIN,
    };
    let local = NaiveDateTime::new(date, clock);
    match zone {
        Some(offset) => FixedOffset::east_opt(offset)?
            .from_local_datetime(&local)
            .single()
            .map(|d| d.to_utc()),
        None => tz
            .from_local_datetime(&local)
            .earliest()
            .map(|d| d.to_utc()),
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok<'a> {
    /// A run of ASCII digits: its value (saturating) and how many digits it had.
    Num(u32, usize),
    /// A run of letters (the input is lower-cased first); Korean runs are words too ("오후", "년").
    Word(&'a str),
    Punct(char),
}

/// Splits lower-cased text into tokens that borrow from it.
fn tokenize(s: &str) -> Vec<Tok<'_>> {
    let mut tokens = Vec::new();
    let mut chars = s.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        if c.is_ascii_digit() {
            let (mut value, mut len) = (0u32, 0usize);
            while let Some(d) = chars.peek().and_then(|(_, c)| c.to_digit(10)) {
                value = value.saturating_mul(10).saturating_add(d);
                len += 1;
                chars.next();
            }
            tokens.push(Tok::Num(value, len));
        } else if c.is_alphabetic() {
            let mut end = start;
            while let Some(&(at, c)) = chars.peek().filter(|(_, c)| c.is_alphabetic()) {
                end = at + c.len_utf8();
                chars.next();
            }
            // Korean date units are written straight after numbers ("11일"): each is its own token.
            split_korean_units(s.get(start..end).unwrap_or_default(), &mut tokens);
        } else {
            if !c.is_whitespace() {
                tokens.push(Tok::Punct(c));
            }
            chars.next();
        }
        if tokens.len() > 64 {
            break;
        }
    }
    tokens
}

fn split_korean_units<'a>(word: &'a str, tokens: &mut Vec<Tok<'a>>) {
    if word.chars().count() > 1 && word.chars().all(is_korean_unit) {
        tokens.extend(
            word.char_indices()
                .map(|(i, c)| Tok::Word(word.get(i..i + c.len_utf8()).unwrap_or_default())),
        );
    } else {
        tokens.push(Tok::Word(word));
    }
}

fn is_korean_unit(c: char) -> bool {
    matches!(c, '년' | '월' | '일' | '시' | '분' | '초')
}

#[derive(Debug)]
struct Time {
    hour: u32,
    minute: u32,
    second: u32,
    /// Index of the first token of the time.
    first: usize,
}

/// Finds `h:mm[:ss[.fff]]`, Korean `h시 m분 [s초]` or ISO basic `Thhmm[ss]`, with am/pm (오전/오후)
/// anywhere. Returns the time and the index just past it.
fn find_time(tokens: &[Tok<'_>]) -> (Option<Time>, Option<usize>) {
    let pm = tokens
        .iter()
        .any(|t| matches!(t, Tok::Word(w) if *w == "pm" || *w == "오후"));
    let am = tokens
        .iter()
        .any(|t| matches!(t, Tok::Word(w) if *w == "am" || *w == "오전"));
    let adjust = |hour: u32| match (am, pm) {
        (_, true) if hour < 12 => hour + 12,
        (true, false) if hour == 12 => 0,
        _ => hour,
    };
    for i in 0..tokens.len() {
        let window = tokens.get(i..).unwrap_or_default();
        match window {
            [
                Tok::Num(h, 1..=2),
                Tok::Punct(':'),
                Tok::Num(m, 1..=2),
                rest @ ..,
            ] => {
                let (second, used) = match rest {
                    [
                        Tok::Punct(':'),
                        Tok::Num(s, 1..=2),
                        Tok::Punct('.' | ','),
                        Tok::Num(..),
                        ..,
                    ] => (*s, 7),
                    [Tok::Punct(':'), Tok::Num(s, 1..=2), ..] => (*s, 5),
                    _ => (0, 3),
                };
                return (
                    Some(Time {
                        hour: adjust(*h),
                        minute: *m,
                        second,
                        first: i,
                    }),
                    Some(i + used),
                );
            }
            [Tok::Num(h, 1..=2), Tok::Word(hu), rest @ ..] if *hu == "시" => {
                let (minute, second, used) = match rest {
                    [
                        Tok::Num(m, _),
                        Tok::Word(mu),
                        Tok::Num(s, _),
                        Tok::Word(su),
                        ..,
                    ] if *mu == "분" && *su == "초" => (*m, *s, 6),
                    [Tok::Num(m, _), Tok::Word(mu), ..] if *mu == "분" => (*m, 0, 4),
                    _ => (0, 0, 2),
                };
                return (
                    Some(Time {
                        hour: adjust(*h),
                        minute,
                        second,
                        first: i,
                    }),
                    Some(i + used),
                );
            }
            [Tok::Word(t), Tok::Num(hms, len @ (4 | 6)), ..] if *t == "t" && i > 0 => {
                let (h, m, s) = if *len == 6 {
                    (hms / 10000, hms / 100 % 100, hms % 100)
                } else {
                    (hms / 100, hms % 100, 0)
                };
                return (
                    Some(Time {
                        hour: h,
                        minute: m,
                        second: s,
                        first: i,
                    }),
                    Some(i + 2),
                );
            }
            _ => {}
        }
    }
    (None, None)
}

/// Finds the zone at or after `from`: `Z`, a named zone, `±hh[:]mm`, `±hh`, or a name followed by an
/// offset ("GMT+0900"). Offsets are only looked for after a time, where they cannot be a date's dashes.
fn find_zone(tokens: &[Tok<'_>], from: usize, has_time: bool) -> Option<i32> {
    let rest = tokens.get(from..)?;
    let mut zone: Option<i32> = None;
    let mut i = 0;
    while let Some(tok) = rest.get(i) {
        match tok {
            Tok::Word(w) => {
                if let Some(offset) = named_zone(w) {
                    zone = Some(offset);
                }
            }
            Tok::Punct(sign @ ('+' | '-')) if has_time => {
                let sign = if *sign == '-' { -1 } else { 1 };
                let (hours, minutes) = match rest.get(i + 1..).unwrap_or_default() {
                    [Tok::Num(h, 1..=2), Tok::Punct(':'), Tok::Num(m, 2), ..] => (*h, *m),
                    [Tok::Num(hm, 3..=4), ..] => (hm / 100, hm % 100),
                    [Tok::Num(h, 1..=2), ..] => (*h, 0),
                    _ => return zone,
                };
                if hours > 23 || minutes > 59 {
                    return zone;
                }
                let offset = i32::try_from(hours * 3600 + minutes * 60).ok()? * sign;
                return Some(zone.unwrap_or(0) + offset);
            }
            _ => {}
        }
        i += 1;
    }
    zone
}

fn named_zone(word: &str) -> Option<i32> {
    let hours = match word {
        "z" | "ut" | "utc" | "gmt" | "wet" => 0,
        "bst" | "cet" | "met" | "west" => 1,
        "cest" | "eet" | "mest" => 2,
        "eest" | "msk" => 3,
        "ist" => return Some(5 * 3600 + 1800),
        "hkt" | "sgt" | "awst" | "cst8" => 8,
        "kst" | "jst" => 9,
        "aest" => 10,
        "aedt" => 11,
        "nzst" => 12,
        "nzdt" => 13,
        "ast" => -4,
        "edt" => -4,
        "est" | "cdt" => -5,
        "cst" | "mdt" => -6,
        "mst" | "pdt" => -7,
        "pst" | "akdt" => -8,
        "akst" => -9,
        "hst" => -10,
        _ => return None,
    };
    Some(hours * 3600)
}

fn month_from_word(word: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let prefix = word.get(..3)?;
    let index = MONTHS.iter().position(|m| *m == prefix)?;
    // Accept "jan", "january", "sept" but not unrelated words that share a prefix ("mayday").
    let full = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let ok =
        word.len() == 3 || full.get(index).is_some_and(|f| f.starts_with(word)) || word == "sept";
    ok.then(|| index as u32 + 1)
}

/// Finds the calendar date among the tokens before `end` (where the time starts).
fn find_date(tokens: &[Tok<'_>], end: usize) -> Option<NaiveDate> {
    let head = tokens.get(..end).unwrap_or(tokens);
    // Korean: 2026년 1월 11일
    if let Some(date) = korean_date(head) {
        return Some(date);
    }
    let numbers: Vec<(u32, usize)> = head
        .iter()
        .filter_map(|t| {
            if let Tok::Num(v, len) = t {
                Some((*v, *len))
            } else {
                None
            }
        })
        .collect();
    let month_word = head.iter().find_map(|t| {
        if let Tok::Word(w) = t {
            month_from_word(w)
        } else {
            None
        }
    });
    match (month_word, numbers.as_slice()) {
        (None, [(ymd, 8), ..]) => {
            NaiveDate::from_ymd_opt(i32::try_from(ymd / 10000).ok()?, ymd / 100 % 100, ymd % 100)
        }
        (None, [(y, 4), rest @ ..]) => {
            let month = rest.first().map_or(1, |m| m.0);
            let day = rest.get(1).map_or(1, |d| d.0);
            NaiveDate::from_ymd_opt(i32::try_from(*y).ok()?, month, day)
        }
        (Some(month), [(a, alen), (b, blen), ..]) => {
            // "01 Jan 2004", "Jan 01 2004", "2004 Jan 01", "01 Jan 04".
            let (day, year) = if *alen == 4 || (*alen <= 2 && *a > 31) {
                (*b, (*a, *alen))
            } else {
                (*a, (*b, *blen))
            };
            NaiveDate::from_ymd_opt(full_year(year.0, year.1)?, month, day)
        }
        (Some(month), [(a, _)]) => {
            // asctime puts the year after the time: "Sun Jan  4 16:29:06 2004".
            let year = tokens.get(end..)?.iter().find_map(|t| {
                if let Tok::Num(y, 4) = t {
                    Some(*y)
                } else {
                    None
                }
            })?;
            NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, *a)
        }
        _ => None,
    }
}

fn korean_date(tokens: &[Tok<'_>]) -> Option<NaiveDate> {
    let unit_after = |unit: &str| {
        tokens.windows(2).find_map(|w| match w {
            [Tok::Num(v, _), Tok::Word(u)] if *u == unit => Some(*v),
            _ => None,
        })
    };
    let year = unit_after("년")?;
    NaiveDate::from_ymd_opt(
        i32::try_from(year).ok()?,
        unit_after("월")?,
        unit_after("일").unwrap_or(1),
    )
}

/// Two-digit years as RFC 2822 reads them: 00–49 are 2000–2049, 50–99 are 1950–1999.
fn full_year(year: u32, digits: usize) -> Option<i32> {
    let year = i32::try_from(year).ok()?;
    Some(match (digits, year) {
        (1..=2, 0..=49) => 2000 + year,
        (1..=2, _) => 1900 + year,
        _ => year,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEOUL: Tz = chrono_tz::Asia::Seoul;

    fn utc(s: &str) -> String {
        parse_date(s, SEOUL).map_or_else(
            || "none".into(),
            |d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        )
    }

    #[test]
    fn rfc822_and_variants() {
        assert_eq!(utc("Thu, 01 Jan 2004 19:48:21 GMT"), "2004-01-01T19:48:21Z");
        assert_eq!(
            utc("Sun, 11 Jan 2026 16:35:00 +0900"),
            "2026-01-11T07:35:00Z"
        );
        assert_eq!(utc("Sun, 11 Jan 2026 16:35 KST"), "2026-01-11T07:35:00Z");
        assert_eq!(utc("Mon, 11 Jan 2026 16:35:00 JST"), "2026-01-11T07:35:00Z"); // wrong weekday
        assert_eq!(utc("11 Jan 2026 08:00:00 EST"), "2026-01-11T13:00:00Z");
        assert_eq!(utc("11 jan 26 08:00:00 PDT"), "2026-01-11T15:00:00Z");
        assert_eq!(
            utc("Sunday, 11 January 2026 08:00:00 UT"),
            "2026-01-11T08:00:00Z"
        );
        assert_eq!(utc("Thu, 01 Jan 04 19:48:21 Z"), "2004-01-01T19:48:21Z");
        assert_eq!(
            utc("Thu, 1 Jan 1998 19:48:21 -0500"),
            "1998-01-02T00:48:21Z"
        );
        assert_eq!(
            utc("Thu, 01 Jan 2004 19:48:21 GMT+0900"),
            "2004-01-01T10:48:21Z"
        );
        assert_eq!(utc("Sun Jan  4 16:29:06 2004"), "2004-01-04T07:29:06Z");
    }

    #[test]
    fn rfc3339_iso8601_w3cdtf() {
        assert_eq!(utc("2026-01-11T07:35:00Z"), "2026-01-11T07:35:00Z");
        assert_eq!(utc("2026-01-11T16:35:00.123+09:00"), "2026-01-11T07:35:00Z");
        assert_eq!(utc("2003-12-31T10:14:55-08:00"), "2003-12-31T18:14:55Z");
        assert_eq!(utc("2003-12-31T10:14Z"), "2003-12-31T10:14:00Z");
        assert_eq!(utc("2026-01-11"), "2026-01-10T15:00:00Z");
        assert_eq!(utc("2026-01"), "2025-12-31T15:00:00Z");
        assert_eq!(utc("20260111T163500Z"), "2026-01-11T16:35:00Z");
    }

    #[test]
    fn korean_forms_are_seoul_time() {
        for s in [
            "2026-01-11 16:35",
            "2026-01-11 16:35:00",
            "2026.01.11 16:35",
            "2026/01/11 16:35",
            "2026년 1월 11일 16시 35분",
            "2026년 01월 11일 오후 4:35",
            "2026-01-11 오후 4:35:00",
        ] {
            assert_eq!(utc(s), "2026-01-11T07:35:00Z", "{s}");
        }
        assert_eq!(utc("2026년 01월 11일 오전 12:05"), "2026-01-10T15:05:00Z");
    }

    #[test]
    fn zoneless_dates_use_the_given_timezone() {
        let d = parse_date("2026-01-11 16:35", chrono_tz::UTC).map(|d| d.to_rfc3339());
        assert_eq!(d.as_deref(), Some("2026-01-11T16:35:00+00:00"));
    }

    #[test]
    fn the_strict_readers_agree_with_the_tolerant_one() {
        let strict = [
            "2026-01-11T07:35:00Z",
            "2026-01-11t07:35:00z",
            "2026-01-11T16:35:00+09:00",
            "2026-01-11T16:35:00.123456+09:00",
            "2026-01-11T23:59:60Z",
            "2026-01-11T16:35:00-00:00",
            "1999-12-31T19:00:00-05:00",
            "Thu, 01 Jan 2004 19:48:21 GMT",
            "Sun, 11 Jan 2026 16:35:00 +0900",
            "Sun, 11 Jan 2026 16:35 +0900",
            "11 Jan 2026 16:35:00 +0900",
            " Sun, 11 Jan 2026 16:35:00 -0000 ",
            "Sun, 1 Feb 2026 04:05:06 +0130",
            "sun, 11 jan 2026 16:35:00 +0900",
        ];
        for s in strict {
            let fast = parse_strict(s);
            assert!(fast.is_some(), "{s}");
            assert_eq!(fast, parse_tolerant(s, chrono_tz::Asia::Seoul), "{s}");
        }
        // Left to the tolerant reader: wrong weekdays, two-digit years, named zones, no zone.
        for s in [
            "Mon, 11 Jan 2026 16:35:00 +0900",
            "Sun, 11 Jan 26 16:35:00 +0900",
            "Sun, 11 Jan 2026 16:35:00 EST",
            "Sun, 11 Jan 2026 16:35:00 KST",
            "2026-01-11T16:35:00",
            "2026-01-11 16:35",
        ] {
            assert_eq!(parse_strict(s), None, "{s}");
        }
    }

    #[test]
    fn rejects_non_dates() {
        for s in [
            "",
            "soon",
            "2026-13-45",
            "Thu, 32 Jan 2004",
            "12:00",
            "Tuesday",
        ] {
            assert_eq!(utc(s), "none", "{s}");
        }
    }
}
