//! The HTML renderings: the e-mail itself (also the archived page), the archive's index, and the
//! short version the digest feed carries. Pure.
//!
//! The e-mail is laid out with tables and inline styles, the one layout Gmail and Outlook both keep;
//! the only `<style>` holds dark-mode and narrow-screen overrides, which clients without it ignore.
//! Every cell sets its own colours, so clients that invert colours do so consistently.

use minijinja::Environment;
use minijinja::value::Serde;
use serde::Serialize;

use super::frame::Frame;
use crate::model::Lang;
use crate::model::{DigestContent, Story};
use crate::store::digests::DigestRecord;

const DIGEST: &str = "digest.html";
const INDEX: &str = "index.html";
const SUMMARY: &str = "summary.html";
/// The start of both pages, up to the `<head>` lines that differ.
const HEAD: &str = "head.html";

/// Korean first: the fonts Korean readers' systems have, then any sans-serif.
const SANS: &str = "-apple-system, 'Apple SD Gothic Neo', 'Malgun Gothic', '맑은 고딕', 'Noto Sans KR', 'Noto Sans CJK KR', Helvetica, Arial, sans-serif";
const SERIF: &str =
    "'Noto Serif KR', 'Noto Serif CJK KR', 'Nanum Myeongjo', AppleMyungjo, Georgia, serif";

/// A template failed to render; the templates are part of the program, so this is a bug.
#[derive(Debug, thiserror::Error)]
#[error("cannot render the digest's {template}: {source}")]
pub struct RenderError {
    template: &'static str,
    source: minijinja::Error,
}

/// The e-mail's HTML part, also written as `digest/YYYY-MM-DD.html`.
pub fn page(content: &DigestContent, frame: &Frame) -> Result<String, RenderError> {
    let sections = sections(content, frame);
    let toc: Vec<TocEntry> = sections
        .iter()
        .map(|section| TocEntry {
            title: section.title.clone(),
            count: section.stories.len() + section.count_more,
        })
        .collect();
    let preheader = content
        .stories()
        .take(3)
        .map(|story| story.title.as_str())
        .collect::<Vec<_>>()
        .join(" · ");
    let lang = frame.lang;
    render(
        DIGEST,
        &Page {
            lang: lang.code(),
            title: &frame.site_title,
            subject: &frame.subject,
            date: lang.long_date(content.day.date),
            headline: lang.story_count(content.total),
            preheader,
            toc_label: lang.labels().in_this_issue,
            toc: if toc.len() > 1 { toc } else { Vec::new() },
            sections,
            empty: content.is_empty().then(|| lang.labels().empty_day),
            web_url: &frame.page_url,
            web_label: lang.labels().web_version,
            why: lang.why(&frame.send_time),
            rights: lang.labels().rights,
            archive_url: &frame.archive_url,
            archive_label: lang.labels().archive,
            unsubscribe_url: frame.unsubscribe.as_deref(),
            unsubscribe_label: lang.labels().unsubscribe,
            sans: SANS,
            serif: SERIF,
        },
    )
}

/// The digest in short for its feed entry: each section's headlines, linked.
pub fn summary(content: &DigestContent, frame: &Frame) -> Result<String, RenderError> {
    render(
        SUMMARY,
        &Summary {
            sections: sections(content, frame),
            empty: content.is_empty().then(|| frame.lang.labels().empty_day),
        },
    )
}

/// `digest/index.html`: every digest built, newest first.
pub fn index(
    records: &[DigestRecord],
    lang: Lang,
    title: &str,
    feed_url: &str,
) -> Result<String, RenderError> {
    let digests = records
        .iter()
        .map(|record| IndexEntry {
            href: format!("{}.html", record.day),
            subject: record.subject.clone(),
            date: lang.short_date(record.day),
            count: lang.story_count(record.items),
        })
        .collect();
    render(
        INDEX,
        &Index {
            lang: lang.code(),
            title,
            heading: lang.labels().archive,
            feed_url,
            digests,
            sans: SANS,
            serif: SERIF,
        },
    )
}

/// The mail's HTML is escaped by minijinja's own auto-escape (which also writes `/` as `&#x2f;`), not
/// by the site's `escape::html` formatter: sent mail and the archived copies are pinned byte for byte,
/// and changing the escaper would change every digest's bytes.
fn render(template: &'static str, context: &impl Serialize) -> Result<String, RenderError> {
    let mut env = Environment::new();
    let templates = [
        (DIGEST, include_str!("templates/digest.html")),
        (INDEX, include_str!("templates/index.html")),
        (SUMMARY, include_str!("templates/summary.html")),
        (HEAD, include_str!("templates/head.html")),
    ];
    let rendered = templates
        .into_iter()
        .try_for_each(|(name, source)| env.add_template(name, source))
        .and_then(|()| env.get_template(template)?.render(Serde(context)));
    rendered.map_err(|source| RenderError { template, source })
}

fn sections(content: &DigestContent, frame: &Frame) -> Vec<SectionView> {
    content
        .sections
        .iter()
        .map(|section| SectionView {
            title: section.title.clone(),
            url: section.url.clone(),
            stories: section
                .stories
                .iter()
                .map(|story| StoryView::new(story, frame))
                .collect(),
            more: (section.more > 0).then(|| frame.lang.more(section.more, &section.title)),
            count_more: section.more,
        })
        .collect()
}

#[derive(Serialize)]
struct Page<'a> {
    lang: &'a str,
    title: &'a str,
    subject: &'a str,
    date: String,
    headline: String,
    /// The line mail clients show after the subject: the first headlines.
    preheader: String,
    toc_label: &'a str,
    toc: Vec<TocEntry>,
    sections: Vec<SectionView>,
    empty: Option<&'a str>,
    web_url: &'a str,
    web_label: &'a str,
    why: String,
    rights: &'a str,
    archive_url: &'a str,
    archive_label: &'a str,
    unsubscribe_url: Option<&'a str>,
    unsubscribe_label: &'a str,
    sans: &'a str,
    serif: &'a str,
}

#[derive(Serialize)]
struct TocEntry {
    title: String,
    count: usize,
}

#[derive(Serialize)]
struct SectionView {
    title: String,
    url: String,
    stories: Vec<StoryView>,
    /// "정치/행정 기사 5건 더 보기", when there are more.
    more: Option<String>,
    count_more: usize,
}

#[derive(Serialize)]
pub(super) struct StoryView {
    pub title: String,
    pub link: Option<String>,
    /// "연합뉴스, 한겨레".
    pub sources: String,
    /// Local time of day, e.g. "오후 11:59".
    pub time: String,
    pub summary: Option<String>,
}

impl StoryView {
    pub(super) fn new(story: &Story, frame: &Frame) -> StoryView {
        StoryView {
            title: story.title.clone(),
            link: story.link.clone(),
            sources: story.sources.join(", "),
            time: frame.lang.time(story.date.with_timezone(&frame.timezone)),
            summary: story.summary.clone(),
        }
    }
}

#[derive(Serialize)]
struct Summary<'a> {
    sections: Vec<SectionView>,
    empty: Option<&'a str>,
}

#[derive(Serialize)]
struct Index<'a> {
    lang: &'a str,
    title: &'a str,
    heading: &'a str,
    feed_url: &'a str,
    digests: Vec<IndexEntry>,
    sans: &'a str,
    serif: &'a str,
}

#[derive(Serialize)]
struct IndexEntry {
    href: String,
    subject: String,
    date: String,
    count: String,
}
