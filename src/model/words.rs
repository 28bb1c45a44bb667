//! The words gazette itself writes, in the configured language: section and block titles, page
//! labels, feed texts and the digest mail's words and dates. Korean when the language's primary
//! subtag is `ko`, English otherwise. [`Lang`] is the one rule that reads the configured language
//! and [`Labels`] the one table of fixed strings, for pages, feeds and mail alike: they once were two
//! lists that read "KO" differently.

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Weekday};
use chrono_tz::Tz;
use serde::Serialize;

/// Every fixed UI string, in one language: page labels, feed texts and mail words alike.
#[derive(Debug, Serialize)]
pub struct Labels {
    pub all: &'static str,
    pub headlines: &'static str,
    pub ranking: &'static str,
    pub latest: &'static str,
    pub photos: &'static str,
    pub read_original: &'static str,
    pub also_covered: &'static str,
    pub sections: &'static str,
    pub subscribe: &'static str,
    pub empty: &'static str,
    pub home: &'static str,
    pub full_text: &'static str,
    pub updated: &'static str,
    pub more: &'static str,
    /// After the count of outlets: "3개 매체", "3 sources".
    pub sources_suffix: &'static str,
    /// The mail on a day without new stories.
    pub empty_day: &'static str,
    /// The heading of the mail's table of contents.
    pub in_this_issue: &'static str,
    /// Why the digest carries only titles, summaries and links.
    pub rights: &'static str,
    /// The digest archive's title and the mail's link to it.
    pub archive: &'static str,
    pub web_version: &'static str,
    pub unsubscribe: &'static str,
    /// The links list of the mail's text version.
    pub links: &'static str,
}

const KOREAN: Labels = Labels {
    all: "전체",
    headlines: "헤드라인 뉴스",
    ranking: "랭킹뉴스",
    latest: "실시간 뉴스",
    photos: "포토뉴스",
    read_original: "원문 보기",
    also_covered: "함께 보도한 매체",
    sections: "섹션",
    subscribe: "피드 구독",
    empty: "아직 기사가 없습니다.",
    home: "홈",
    full_text: "본문 보기",
    updated: "업데이트",
    more: "더 보기",
    sources_suffix: "개 매체",
    empty_day: "이날은 새로 들어온 기사가 없습니다.",
    in_this_issue: "오늘의 차례",
    rights: "기사의 저작권은 각 언론사에 있습니다. 제목과 요약, 원문 링크만 모아 전해 드립니다.",
    archive: "지난 뉴스레터",
    web_version: "웹에서 보기",
    unsubscribe: "수신 거부",
    links: "링크",
};

const ENGLISH: Labels = Labels {
    all: "All",
    headlines: "Headlines",
    ranking: "Most covered",
    latest: "Latest",
    photos: "Photos",
    read_original: "Read the original",
    also_covered: "Also reported by",
    sections: "Sections",
    subscribe: "Feeds",
    empty: "No stories yet.",
    home: "Home",
    full_text: "Full text",
    updated: "Updated",
    more: "More",
    sources_suffix: " sources",
    empty_day: "No new stories came in that day.",
    in_this_issue: "In this issue",
    rights: "Articles belong to their publishers: we only pass on titles, summaries and links.",
    archive: "Past digests",
    web_version: "View in a browser",
    unsubscribe: "Unsubscribe",
    links: "Links",
};

/// The language gazette writes in, from `[gazette].language`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Ko,
    En,
}

impl Lang {
    /// Korean when the BCP 47 tag's primary subtag is `ko` (case-insensitive: "ko", "ko-KR", "KO_kr"),
    /// English otherwise ("en", and "kok", Konkani, whose tag merely starts with "ko").
    pub fn of(language: &str) -> Lang {
        let primary = language.trim().split(['-', '_']).next().unwrap_or_default();
        if primary.eq_ignore_ascii_case("ko") {
            Lang::Ko
        } else {
            Lang::En
        }
    }

    /// The `lang` attribute of a page.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ko => "ko",
            Lang::En => "en",
        }
    }

    /// The UI strings in this language.
    pub fn labels(self) -> &'static Labels {
        match self {
            Lang::Ko => &KOREAN,
            Lang::En => &ENGLISH,
        }
    }
}

impl Labels {
    /// The labels for a configured `language` such as "ko", "ko-KR" or "en".
    pub fn for_language(language: &str) -> &'static Labels {
        Lang::of(language).labels()
    }

    /// "3개 매체" / "3 sources".
    pub fn sources(&self, count: usize) -> String {
        format!("{count}{}", self.sources_suffix)
    }
}

/// The strings whose word order differs between the languages, and dates and times.
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

    /// Pages and mail read the configured language by this one rule: they used to disagree on "KO"
    /// (pages Korean, mail English).
    #[test]
    fn korean_is_read_from_the_primary_subtag() {
        for korean in ["ko", "ko-KR", "KO", "Ko-kr", "ko_KR", " ko "] {
            assert_eq!(Lang::of(korean), Lang::Ko, "{korean}");
            assert_eq!(Labels::for_language(korean).all, "전체", "{korean}");
        }
        for other in ["en", "en-US", "kok", "", "korean"] {
            assert_eq!(Lang::of(other), Lang::En, "{other}");
            assert_eq!(Labels::for_language(other).all, "All", "{other}");
        }
    }

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
