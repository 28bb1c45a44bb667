//! The words gazette itself writes (section and block titles, page labels), in the configured
//! language: Korean when its primary subtag is `ko`, English otherwise. [`Lang`] is the one rule that
//! reads the configured language, for pages and mail alike (the digest's words are `impl Lang` in
//! `digest::lang`).

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

    /// The page labels in this language.
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

#[cfg(test)]
mod tests {
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
}
