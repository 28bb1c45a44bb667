//! Dates as list pages write them: a `date_format` read in the feed's zone, the forms the feed
//! date parser knows, and the relative forms of Korean news lists (방금, 5분 전, 3시간 전, 어제,
//! 그제, 2일 전), resolved against the fetch time.
//!
//! Relative forms of a day (어제, N일 전) resolve to that day's midnight in the feed's zone, unless a
//! time follows (`어제 13:20`): so the item's date stays the same on every poll of that day rather
//! than drifting with the clock.

use std::sync::LazyLock;

use chrono::{DateTime, Days, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;
use regex::Regex;

use crate::parse::parse_date;

/// Reads `text`: with `format` only in that format (it may be surrounded by other words, like
/// `입력 2026.12.05 13:20`), else as a relative form, else as any date the feed parser reads.
pub(super) fn read_date(
    text: &str,
    format: Option<&str>,
    tz: Tz,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    match format {
        Some(format) => formatted(text, format, tz),
        None => relative(text, tz, now).or_else(|| parse_date(text, tz)),
    }
}

/// `text` in `format`, tried from each place a number starts (labels such as `승인` come first).
fn formatted(text: &str, format: &str, tz: Tz) -> Option<DateTime<Utc>> {
    let local = text
        .char_indices()
        .filter(|(_, c)| c.is_ascii_digit())
        .map(|(at, _)| &text[at..])
        .take(8)
        .find_map(|rest| {
            NaiveDateTime::parse_and_remainder(rest, format)
                .map(|(date, _)| date)
                .or_else(|_| {
                    NaiveDate::parse_and_remainder(rest, format)
                        .map(|(date, _)| date.and_time(NaiveTime::MIN))
                })
                .ok()
        })?;
    in_zone(local, tz)
}

/// `None` never happens (the tests read every form), but a regex is not checked at compile time.
static RELATIVE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"(?x)
        (?P<just>방금)
        | (?P<n>\d{1,4}) \s* (?P<unit>초|분|시간|일|주) \s* 전
        | (?P<day>어제|그제|그저께) (?: \s* (?P<hour>\d{1,2}) : (?P<minute>\d{2}) )?",
    )
    .ok()
});

/// A Korean relative date against `now`; `None` when `text` is none.
fn relative(text: &str, tz: Tz, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let found = RELATIVE.as_ref()?.captures(text)?;
    // Whole minutes: a page read twice within a minute gives the same dates.
    let minute = now.timestamp() - now.timestamp().rem_euclid(60);
    let now_minute = DateTime::from_timestamp(minute, 0)?;
    if found.name("just").is_some() {
        return Some(now_minute);
    }
    if let (Some(n), Some(unit)) = (found.name("n"), found.name("unit")) {
        let n: i64 = n.as_str().parse().ok()?;
        return match unit.as_str() {
            "초" => Some(now_minute),
            "분" => now_minute.checked_sub_signed(TimeDelta::try_minutes(n)?),
            "시간" => now_minute.checked_sub_signed(TimeDelta::try_hours(n)?),
            "일" => days_before(now, tz, u64::try_from(n).ok()?, None),
            _ => days_before(now, tz, 7 * u64::try_from(n).ok()?, None),
        };
    }
    let back = match found.name("day")?.as_str() {
        "어제" => 1,
        _ => 2,
    };
    let clock = match (found.name("hour"), found.name("minute")) {
        (Some(hour), Some(minute)) => Some(NaiveTime::from_hms_opt(
            hour.as_str().parse().ok()?,
            minute.as_str().parse().ok()?,
            0,
        )?),
        _ => None,
    };
    days_before(now, tz, back, clock)
}

/// `days` days before today in `tz`, at `clock` or midnight.
fn days_before(
    now: DateTime<Utc>,
    tz: Tz,
    days: u64,
    clock: Option<NaiveTime>,
) -> Option<DateTime<Utc>> {
    let day = now
        .with_timezone(&tz)
        .date_naive()
        .checked_sub_days(Days::new(days))?;
    in_zone(day.and_time(clock.unwrap_or(NaiveTime::MIN)), tz)
}

fn in_zone(local: NaiveDateTime, tz: Tz) -> Option<DateTime<Utc>> {
    tz.from_local_datetime(&local)
        .earliest()
        .map(|date| date.to_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEOUL: Tz = Tz::Asia__Seoul;

    /// 2026-12-05 14:30:42 in Seoul.
    fn now() -> DateTime<Utc> {
        "2026-12-05T05:30:42Z".parse().expect("a date")
    }

    fn read(text: &str) -> Option<String> {
        read_date(text, None, SEOUL, now()).map(|d| d.to_rfc3339())
    }

    #[test]
    fn korean_relative_forms() {
        let cases = [
            ("방금", "2026-12-05T05:30:00+00:00"),
            ("방금 전", "2026-12-05T05:30:00+00:00"),
            ("30초 전", "2026-12-05T05:30:00+00:00"),
            ("5분 전", "2026-12-05T05:25:00+00:00"),
            ("3시간전", "2026-12-05T02:30:00+00:00"),
            // Midnight in Seoul, the day before.
            ("어제", "2026-12-03T15:00:00+00:00"),
            ("어제 13:20", "2026-12-04T04:20:00+00:00"),
            ("그제", "2026-12-02T15:00:00+00:00"),
            ("그저께 09:05", "2026-12-03T00:05:00+00:00"),
            ("2일 전", "2026-12-02T15:00:00+00:00"),
            ("1주 전", "2026-11-27T15:00:00+00:00"),
        ];
        for (text, expected) in cases {
            assert_eq!(read(text).as_deref(), Some(expected), "{text}");
        }
    }

    #[test]
    fn absolute_forms_go_to_the_feed_date_parser() {
        assert_eq!(
            read("2026.12.04 16:35").as_deref(),
            Some("2026-12-04T07:35:00+00:00")
        );
        assert_eq!(
            read("2026-12-04T16:35:00+09:00").as_deref(),
            Some("2026-12-04T07:35:00+00:00")
        );
        assert_eq!(read("오늘의 날씨"), None);
    }

    #[test]
    fn a_format_is_read_in_the_zone_after_a_label() {
        let read =
            |text, format| read_date(text, Some(format), SEOUL, now()).map(|d| d.to_rfc3339());
        assert_eq!(
            read("승인 2026/12/04 16:35", "%Y/%m/%d %H:%M").as_deref(),
            Some("2026-12-04T07:35:00+00:00")
        );
        assert_eq!(
            read("[12.04] 2026", "%m.%d] %Y").as_deref(),
            Some("2026-12-03T15:00:00+00:00")
        );
        assert_eq!(read("방금", "%Y-%m-%d"), None);
    }
}
