//! The digest's words and dates in its language ([`Lang`], read as the pages read it).

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Weekday};
use chrono_tz::Tz;

pub use crate::merge::Lang;

/// The digest's words, beside the page labels' one reading of the configured language.
impl Lang {
    /// "2026년 1월 11일 (일)" / "Sunday, January 11, 2026".
    pub fn long_date(self, date: NaiveDate) -> String {
        match self {
            Lang::Ko => format!(
                "{}년 {}월 {}일 ({})",
                date.year(),
                date.month(),
                date.day(),
                korean_weekday(date.weekday())
            ),
            Lang::En => date.format("%A, %B %-d, %Y").to_string(),
        }
    }

    /// "1월 11일" / "Jan 11": where the long date is too long (the archive's list).
    pub fn short_date(self, date: NaiveDate) -> String {
        match self {
            Lang::Ko => format!("{}월 {}일", date.month(), date.day()),
            Lang::En => date.format("%b %-d").to_string(),
        }
    }

    /// "오전 7:05" / "7:05 AM".
    pub fn time(self, time: DateTime<Tz>) -> String {
        let (pm, hour) = time.hour12();
        let minute = time.minute();
        match (self, pm) {
            (Lang::Ko, false) => format!("오전 {hour}:{minute:02}"),
            (Lang::Ko, true) => format!("오후 {hour}:{minute:02}"),
            (Lang::En, false) => format!("{hour}:{minute:02} AM"),
            (Lang::En, true) => format!("{hour}:{minute:02} PM"),
        }
    }

    /// "주요 뉴스 24건" / "24 stories".
    pub fn story_count(self, count: usize) -> String {
        match self {
            Lang::Ko => format!("주요 뉴스 {count}건"),
            Lang::En if count == 1 => "1 story".to_owned(),
            Lang::En => format!("{count} stories"),
        }
    }

    /// The link under a section to its page: "정치/행정 기사 5건 더 보기".
    pub fn more(self, count: usize, section: &str) -> String {
        match self {
            Lang::Ko => format!("{section} 기사 {count}건 더 보기"),
            Lang::En => format!("{count} more in {section}"),
        }
    }

    pub fn empty_day(self) -> &'static str {
        match self {
            Lang::Ko => "이날은 새로 들어온 기사가 없습니다.",
            Lang::En => "No new stories came in that day.",
        }
    }

    pub fn in_this_issue(self) -> &'static str {
        match self {
            Lang::Ko => "오늘의 차례",
            Lang::En => "In this issue",
        }
    }

    /// Why the digest carries only titles, summaries and links.
    pub fn rights(self) -> &'static str {
        match self {
            Lang::Ko => {
                "기사의 저작권은 각 언론사에 있습니다. 제목과 요약, 원문 링크만 모아 전해 드립니다."
            }
            Lang::En => {
                "Articles belong to their publishers: we only pass on titles, summaries and links."
            }
        }
    }

    /// Why the reader got this mail.
    pub fn why(self, time: &str) -> String {
        match self {
            Lang::Ko => {
                format!("이 뉴스레터는 매일 {time}에 전날의 주요 뉴스를 모아 보내 드립니다.")
            }
            Lang::En => format!(
                "This newsletter brings you the previous day's top stories every day at {time}."
            ),
        }
    }

    pub fn archive(self) -> &'static str {
        match self {
            Lang::Ko => "지난 뉴스레터",
            Lang::En => "Past digests",
        }
    }

    pub fn web_version(self) -> &'static str {
        match self {
            Lang::Ko => "웹에서 보기",
            Lang::En => "View in a browser",
        }
    }

    pub fn unsubscribe(self) -> &'static str {
        match self {
            Lang::Ko => "수신 거부",
            Lang::En => "Unsubscribe",
        }
    }

    /// The links list of the text version.
    pub fn links(self) -> &'static str {
        match self {
            Lang::Ko => "링크",
            Lang::En => "Links",
        }
    }
}

fn korean_weekday(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "월",
        Weekday::Tue => "화",
        Weekday::Wed => "수",
        Weekday::Thu => "목",
        Weekday::Fri => "금",
        Weekday::Sat => "토",
        Weekday::Sun => "일",
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn dates_and_times_read_naturally() {
        let date: NaiveDate = "2026-01-11".parse().unwrap();
        assert_eq!(Lang::Ko.long_date(date), "2026년 1월 11일 (일)");
        assert_eq!(Lang::En.long_date(date), "Sunday, January 11, 2026");
        let seoul = Tz::Asia__Seoul;
        let morning = seoul.with_ymd_and_hms(2026, 1, 11, 7, 5, 0).unwrap();
        let night = seoul.with_ymd_and_hms(2026, 1, 11, 23, 59, 0).unwrap();
        let noon = seoul.with_ymd_and_hms(2026, 1, 11, 12, 0, 0).unwrap();
        assert_eq!(Lang::Ko.time(morning), "오전 7:05");
        assert_eq!(Lang::Ko.time(night), "오후 11:59");
        assert_eq!(Lang::Ko.time(noon), "오후 12:00");
        assert_eq!(Lang::En.time(night), "11:59 PM");
        assert_eq!(Lang::of("ko-KR"), Lang::Ko);
        assert_eq!(Lang::of("en"), Lang::En);
    }
}
