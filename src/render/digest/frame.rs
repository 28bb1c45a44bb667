//! What surrounds a digest's stories, the same in every rendering: its language, zone, subject
//! and the links to the site.

use chrono_tz::Tz;

use crate::config::{Config, DigestConfig};
use crate::layout::DIGEST_DIR;
use crate::model::Day;
use crate::model::Lang;

#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    pub lang: Lang,
    /// Zone the stories' times are shown in.
    pub timezone: Tz,
    pub site_title: String,
    pub subject: String,
    /// This day's archived page: the e-mail's "view in a browser".
    pub page_url: String,
    pub archive_url: String,
    pub unsubscribe: Option<String>,
    /// When the digest is sent, as readers read times ("오전 7:00").
    pub send_time: String,
}

impl Frame {
    pub fn new(config: &Config, digest: &DigestConfig, day: Day) -> Frame {
        let lang = Lang::of(&config.gazette.language);
        let site_title = config.gazette.title.clone();
        let base = &config.gazette.base_url;
        let url = |path: &str| {
            base.join(path)
                .map_or_else(|_| base.to_string(), String::from)
        };
        let send_time = lang.time(day.send_at(digest.time).with_timezone(&day.tz));
        Frame {
            subject: subject(&digest.subject, &site_title, &lang.long_date(day.date)),
            page_url: url(&format!("{DIGEST_DIR}/{}.html", day.date)),
            archive_url: url(&format!("{DIGEST_DIR}/")),
            unsubscribe: digest.list_unsubscribe.as_ref().map(|url| url.to_string()),
            lang,
            timezone: day.tz,
            site_title,
            send_time,
        }
    }
}

/// The subject template with `{title}` and `{date}` replaced, in one pass (a title holding
/// "{date}" stays as written).
fn subject(template: &str, title: &str, date: &str) -> String {
    let mut subject = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        subject.push_str(&rest[..open]);
        let after = &rest[open..];
        if let Some(tail) = after.strip_prefix("{title}") {
            subject.push_str(title);
            rest = tail;
        } else if let Some(tail) = after.strip_prefix("{date}") {
            subject.push_str(date);
            rest = tail;
        } else {
            subject.push('{');
            rest = &after[1..];
        }
    }
    subject.push_str(rest);
    subject
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_subject_fills_its_placeholders_once() {
        assert_eq!(
            subject("{title} — {date} 주요 뉴스", "가제트 {date}", "1월 11일"),
            "가제트 {date} — 1월 11일 주요 뉴스"
        );
        assert_eq!(subject("{x} {title", "t", "d"), "{x} {title");
    }
}
