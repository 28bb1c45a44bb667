//! The words gazette itself writes (section and block titles, page labels), in the configured
//! language: Korean for `ko…`, English otherwise.

use serde::Serialize;

/// Every UI string, in one language.
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
};

impl Labels {
    /// The labels for a configured `language` such as "ko", "ko-KR" or "en".
    pub fn for_language(language: &str) -> &'static Labels {
        if language.to_ascii_lowercase().starts_with("ko") {
            &KOREAN
        } else {
            &ENGLISH
        }
    }

    /// "3개 매체" / "3 sources".
    pub fn sources(&self, count: usize) -> String {
        format!("{count}{}", self.sources_suffix)
    }
}
