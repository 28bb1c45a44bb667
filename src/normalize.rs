//! Stage 4: [`ParsedFeed`] + [`FeedConfig`] → [`Item`]s ready to store. Pure.
//!
//! This is where items get their stable ids, absolute URLs, UTC dates, plain-text titles, summaries of
//! at most [`SUMMARY_CHARS`] characters, and where the feed's content policy is applied: full HTML is
//! kept (sanitized) only for feeds whose publishers allow republishing it.

use std::collections::HashSet;

use chrono::{DateTime, TimeDelta, Utc};
use sha2::{Digest, Sha256};
use url::Url;

use crate::config::{ContentPolicy, FeedConfig};
use crate::control_chars;
use crate::model::{FeedDates, IdFrom, Item, Normalized, Origin};
use crate::parse::{Entry, ParsedFeed};
use crate::text::WebUrl;
use crate::text::entity;
use crate::text::html::{collapse_whitespace, html_to_text};

#[cfg(test)]
mod hostile_tests;
mod identity;
mod nesting;
mod sanitize;
mod title;

pub use title::{TITLE_CHARS, fallback_title};

/// Longest summary, in characters, "…" included.
pub const SUMMARY_CHARS: usize = 300;

/// How far in the future a date may be before we distrust it (clock skew, time zone mistakes).
const FUTURE_TOLERANCE: TimeDelta = TimeDelta::days(1);

/// Whether `date` is further ahead of `now` than gazette trusts: such a date is dropped (the item
/// is dated when first seen) and reported in the health feed.
pub fn is_ahead(date: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    date > now + FUTURE_TOLERANCE
}

/// What a feed's entries tell of its rhythm: the newest trusted date, the median gap between
/// trusted dates (from three dated entries on: fewer say nothing of a rhythm), and the entries
/// dated too far ahead.
pub fn feed_dates(entries: &[Entry], now: DateTime<Utc>) -> FeedDates {
    let mut trusted = Vec::with_capacity(entries.len());
    let mut dates = FeedDates::default();
    for date in entries
        .iter()
        .filter_map(|entry| entry.published.or(entry.updated))
    {
        if is_ahead(date, now) {
            dates.ahead += 1;
            dates.latest_ahead = dates.latest_ahead.max(Some(date));
        } else {
            trusted.push(date);
        }
    }
    trusted.sort_unstable();
    trusted.dedup();
    dates.newest = trusted.last().copied();
    let mut gaps: Vec<u64> = trusted
        .windows(2)
        .filter_map(|pair| u64::try_from((pair[1] - pair[0]).num_seconds()).ok())
        .collect();
    if gaps.len() >= 2 {
        gaps.sort_unstable();
        dates.usual_gap = Some(gaps[gaps.len() / 2]);
    }
    dates
}

/// Brings an item stored by an earlier version up to what [`normalize`] makes today: a title
/// where it had none, no tracking parameters in its link. Cheap when there is nothing to do,
/// which is almost always.
pub fn upgrade_stored(item: &mut Item) {
    if let Some(link) = item
        .link
        .as_mut()
        .filter(|link| crate::tracking::has_noise(link))
    {
        *link = crate::tracking::without_noise(link);
    }
    if item.title.trim().is_empty() {
        item.title = fallback_title(item.summary.as_deref(), item.link.as_deref())
            .unwrap_or_else(|| item.id.clone());
    }
}

/// Normalizes a feed fetched for `feed` from `feed_url` (the URL after redirects).
pub fn normalize(
    parsed: &ParsedFeed,
    feed: &FeedConfig,
    feed_url: &Url,
    now: DateTime<Utc>,
) -> Normalized {
    let mut warnings = Vec::new();
    let mut items: Vec<Item> = Vec::with_capacity(parsed.entries.len());
    let mut origins: Vec<Origin> = Vec::with_capacity(parsed.entries.len());
    // Looked up, not searched for: a search per item is quadratic in a feed of many items.
    let mut ids: HashSet<String> = HashSet::with_capacity(parsed.entries.len());
    let known: Vec<Known> = parsed
        .entries
        .iter()
        .map(|entry| Known::of(entry, feed_url))
        .collect();
    let identities: Vec<identity::Identity> = parsed
        .entries
        .iter()
        .zip(&known)
        .map(|(entry, known)| {
            let guid = guid(entry);
            identity::Identity {
                guid,
                link: known.link.as_deref(),
                link_is_guid: known.link.is_some()
                    && guid.and_then(|guid| absolute_http_url(guid, feed_url)) == known.link,
                title: &known.title,
            }
        })
        .collect();
    let choices = identity::choose(&identities);
    for ((entry, mut known), choice) in parsed.entries.iter().zip(known).zip(choices) {
        let origin = Origin {
            guid: guid(entry).map(str::to_owned),
            link: known.link.clone(),
            id_from: match (choice.from, &known.link) {
                (Some(from), _) => from,
                (None, Some(_)) if choice.keep_link => IdFrom::Link,
                (None, _) => IdFrom::TitleAndDate,
            },
            future_date: entry
                .published
                .or(entry.updated)
                .filter(|date| *date > now + FUTURE_TOLERANCE),
        };
        if !choice.keep_link {
            known.link = None;
        }
        let item = normalize_entry(
            entry,
            known,
            choice.id,
            feed.content,
            feed_url,
            now,
            &mut warnings,
        );
        // A feed that repeats an id keeps its first occurrence: ids must be unique per feed.
        if ids.insert(item.id.clone()) {
            items.push(item);
            origins.push(origin);
        } else {
            warnings.push(format!("duplicate item id `{}` skipped", item.id));
        }
    }
    Normalized {
        feed_title: parsed.meta.title.as_deref().and_then(non_empty_text),
        site_link: parsed
            .meta
            .link
            .as_deref()
            .and_then(|link| absolute_http_url(link, feed_url)),
        items,
        origins,
        warnings,
    }
}

/// An entry's guid, trimmed; `None` when absent or blank.
fn guid(entry: &Entry) -> Option<&str> {
    entry
        .id
        .as_deref()
        .map(str::trim)
        .filter(|id| !id.is_empty())
}

/// An entry's title and link as the feed gives them, before its id is chosen.
struct Known {
    /// Plain text; empty when the feed gives none.
    title: String,
    /// Absolute, trackers and all: ids made from links stay what they were.
    link: Option<String>,
}

impl Known {
    fn of(entry: &Entry, feed_url: &Url) -> Known {
        Known {
            title: entry
                .title
                .as_deref()
                .and_then(non_empty_text)
                .unwrap_or_default(),
            link: entry
                .link
                .as_deref()
                .and_then(|link| absolute_http_url(link, feed_url)),
        }
    }
}

/// Keeps the `max` newest of `entries` (by their own dates; undated ones count as oldest), in
/// their order in the feed; gives how many were left out. A feed brings at most this many items a
/// poll: tens of thousands at once are a mistake or an attack, and would weigh on every publish.
pub fn keep_newest(entries: &mut Vec<Entry>, max: usize, now: DateTime<Utc>) -> usize {
    if entries.len() <= max {
        return 0;
    }
    let trusted = |date: Option<DateTime<Utc>>| date.filter(|d| !is_ahead(*d, now));
    let mut newest: Vec<usize> = (0..entries.len()).collect();
    // Stable: among equal dates, the feed's own order decides.
    newest.sort_by_key(|&index| {
        let entry = &entries[index];
        std::cmp::Reverse(trusted(entry.published).or(trusted(entry.updated)))
    });
    let mut kept = vec![false; entries.len()];
    for &index in newest.iter().take(max) {
        kept[index] = true;
    }
    let before = entries.len();
    let mut flags = kept.into_iter();
    entries.retain(|_| flags.next().unwrap_or(false));
    before - entries.len()
}

fn normalize_entry(
    entry: &Entry,
    Known { title, link }: Known,
    guid_id: Option<String>,
    policy: ContentPolicy,
    feed_url: &Url,
    now: DateTime<Utc>,
    warnings: &mut Vec<String>,
) -> Item {
    let published = trusted_date(entry.published, now, warnings);
    let updated = trusted_date(entry.updated, now, warnings);
    let id = guid_id
        .or_else(|| link.clone())
        .unwrap_or_else(|| content_hash(&title, published.or(updated)));
    let link = link.map(|link| crate::tracking::without_noise(&link));
    let html = entry.summary.as_deref().or(entry.content.as_deref());
    let title = match title {
        // Titles are plain text; closing tags of HTML elements ("<b>…</b>") mean markup that a
        // feed escaped once too often. A lone "<속보>" is words and stays.
        title if has_end_tag(&title) => plain_text(&title),
        title => title,
    };
    let title = match title {
        title if !title.is_empty() => title,
        _ => {
            let text = html.map(plain_text);
            fallback_title(text.as_deref(), link.as_deref())
                .unwrap_or_else(|| control_chars::strip(&id).into_owned())
        }
    };
    let summary = html
        .filter(|_| policy.keeps_summary())
        .map(plain_text)
        .map(|text| truncate_at_word(&text, SUMMARY_CHARS))
        .filter(|text| !text.is_empty());
    let content_html = entry
        .content
        .as_deref()
        .or(entry.summary.as_deref())
        .filter(|_| policy.keeps_html())
        .map(|html| {
            let base = entry.base.as_deref().and_then(|b| Url::parse(b).ok());
            let clean = sanitize_html(html, base.as_ref().unwrap_or(feed_url));
            // Character references (`&#27;`) come out of the sanitizer as raw characters.
            control_chars::strip(&clean).into_owned()
        })
        // Markup with neither words nor a picture ("<p> </p>") is no content.
        .filter(|html| {
            !html_to_text(html).trim().is_empty()
                || find_ascii_case_insensitive(html, "<img").is_some()
        });
    let mut categories: Vec<String> = Vec::new();
    for category in entry.categories.iter().filter_map(|c| non_empty_text(c)) {
        if !categories.contains(&category) {
            categories.push(category);
        }
    }
    Item {
        id,
        title,
        link,
        summary,
        content_html,
        authors: entry
            .authors
            .iter()
            .filter_map(|a| a.name.as_deref().or(a.email.as_deref()))
            .filter_map(non_empty_text)
            .collect(),
        categories,
        published,
        updated,
        image: image_url(entry, html, feed_url).filter(|_| policy.keeps_image()),
    }
}

/// Takes out of `item` what `policy` does not allow republishing ([`ContentPolicy`] says what each
/// keeps): for items stored under an earlier policy.
pub fn apply_content_policy(item: &mut Item, policy: ContentPolicy) {
    if !policy.keeps_summary() {
        item.summary = None;
    }
    if !policy.keeps_html() {
        item.content_html = None;
    }
    if !policy.keeps_image() {
        item.image = None;
    }
}

/// Whether `text` has an HTML end tag: `</` then a letter.
fn has_end_tag(text: &str) -> bool {
    text.match_indices("</")
        .any(|(at, _)| text[at + 2..].starts_with(|c: char| c.is_ascii_alphabetic()))
}

/// The item's picture: an image enclosure (or media), else the first `<img src>` of its HTML.
fn image_url(entry: &Entry, html: Option<&str>, feed_url: &Url) -> Option<String> {
    let is_image = |url: &str, mime: Option<&str>| match mime {
        Some(mime) => mime.trim().to_ascii_lowercase().starts_with("image/"),
        None => {
            let path = url.split(['?', '#']).next().unwrap_or_default();
            let path = path.to_ascii_lowercase();
            [".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif"]
                .iter()
                .any(|extension| path.ends_with(extension))
        }
    };
    entry
        .enclosures
        .iter()
        .filter(|enclosure| is_image(&enclosure.url, enclosure.mime_type.as_deref()))
        .find_map(|enclosure| absolute_http_url(&enclosure.url, feed_url))
        .or_else(|| {
            let src = first_img_src(html?)?;
            absolute_http_url(&entity::decode(src), feed_url)
        })
}

/// The `src` of the first `<img>` tag in `html`, as written (entities not decoded).
fn first_img_src(html: &str) -> Option<&str> {
    let start = find_ascii_case_insensitive(html, "<img")?;
    let tag = &html[start..];
    let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
    let at = find_ascii_case_insensitive(tag, "src=")?;
    let value = &tag[at + 4..];
    match value.chars().next()? {
        quote @ ('"' | '\'') => {
            let value = &value[1..];
            Some(&value[..value.find(quote)?])
        }
        _ => value
            .split(char::is_whitespace)
            .next()
            .map(|value| value.trim_end_matches('/')),
    }
}

/// Drops a date more than a day in the future: the item then sorts by when we first saw it.
fn trusted_date(
    date: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    warnings: &mut Vec<String>,
) -> Option<DateTime<Utc>> {
    match date {
        Some(date) if is_ahead(date, now) => {
            warnings.push(format!("date {date} is in the future; using first seen"));
            None
        }
        other => other,
    }
}

/// Resolves `link` against the feed URL; only http(s) links are kept (no `javascript:` and the like).
fn absolute_http_url(link: &str, base: &Url) -> Option<String> {
    WebUrl::join(base, link).map(String::from)
}

/// The id of an item that has neither guid nor link.
fn content_hash(title: &str, date: Option<DateTime<Utc>>) -> String {
    let mut hasher = Sha256::new();
    hasher.update(title.as_bytes());
    hasher.update(b"\n");
    if let Some(date) = date {
        hasher.update(date.to_rfc3339().as_bytes());
    }
    format!("sha256:{}", hex::encode(&hasher.finalize()[..16]))
}

/// HTML as one line of plain text: tags dropped, entities decoded, control characters stripped.
fn plain_text(html: &str) -> String {
    collapse_whitespace(&control_chars::strip(&html_to_text(html)))
}

/// Collapses whitespace; `None` when nothing is left.
fn non_empty_text(text: &str) -> Option<String> {
    let collapsed = collapse_whitespace(&control_chars::strip(text));
    (!collapsed.is_empty()).then_some(collapsed)
}

fn find_ascii_case_insensitive(haystack: &str, needle: &str) -> Option<usize> {
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|window| window.eq_ignore_ascii_case(needle.as_bytes()))
}

/// Cuts `text` to at most `max` characters, "…" included, at a word boundary when one is near.
/// Korean runs long without spaces, so a cut falls back to a character boundary.
pub fn truncate_at_word(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let kept: String = text.chars().take(max.saturating_sub(1)).collect();
    let cut = match kept.rfind(char::is_whitespace) {
        // Only back up to a space in the last fifth; further back would lose too much.
        Some(space) if kept[..space].chars().count() >= max * 4 / 5 => &kept[..space],
        _ => kept.as_str(),
    };
    let cut = cut.trim_end_matches(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | ':'));
    format!("{cut}…")
}

/// Sanitized HTML with relative URLs made absolute against `base`: what ammonia's default cleaner
/// gives, through [`sanitize::clean`]'s fast path when the markup is simple enough. Tags nested
/// deeper than [`nesting::MAX_NESTING`] are left out first (their text stays), so that the cost
/// stays linear in the input however deep it nests.
pub fn sanitize_html(html: &str, base: &Url) -> String {
    thread_local! {
        // Building ammonia's allow-lists costs more than cleaning a typical item: build them once
        // per thread and only swap the base URL.
        static CLEANER: std::cell::RefCell<(ammonia::Builder<'static>, sanitize::Policy)> = {
            let cleaner = ammonia::Builder::default();
            let policy = sanitize::Policy::of(&cleaner);
            std::cell::RefCell::new((cleaner, policy))
        };
    }
    let html = &*nesting::bounded(html, nesting::MAX_NESTING);
    CLEANER.with_borrow_mut(|(cleaner, policy)| {
        sanitize::clean(html, base, policy).unwrap_or_else(|| {
            cleaner
                .url_relative(ammonia::UrlRelative::RewriteWithBase(base.clone()))
                .clean(html)
                .to_string()
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::{FeedFormat, FeedMeta, Person};

    pub(super) fn feed(policy: ContentPolicy) -> FeedConfig {
        FeedConfig {
            url: Url::parse("https://news.example/rss").unwrap(),
            name: None,
            sections: vec![],
            interval: None,
            content: policy,
            timezone: None,
            enabled: true,
            include: vec![],
            exclude: vec![],
            allow_private: None,
            scrape: None,
            full_text: None,
        }
    }

    fn parsed(entries: Vec<Entry>) -> ParsedFeed {
        ParsedFeed {
            format: FeedFormat::Rss20,
            encoding: "utf-8".into(),
            warnings: vec![],
            meta: FeedMeta {
                title: Some("  중도일보\n ".into()),
                link: Some("/".into()),
                ..FeedMeta::default()
            },
            entries,
        }
    }

    pub(super) fn now() -> DateTime<Utc> {
        "2026-01-11T08:00:00Z".parse().unwrap()
    }

    fn run(policy: ContentPolicy, entries: Vec<Entry>) -> Normalized {
        let feed = feed(policy);
        normalize(&parsed(entries), &feed, &feed.url, now())
    }

    #[test]
    fn id_falls_back_from_guid_to_link_to_hash() {
        let out = run(
            ContentPolicy::Summary,
            vec![
                Entry {
                    id: Some(" guid-1 ".into()),
                    link: Some("/a".into()),
                    ..Entry::default()
                },
                Entry {
                    link: Some("/b".into()),
                    ..Entry::default()
                },
                Entry {
                    title: Some("제목".into()),
                    ..Entry::default()
                },
            ],
        );
        let ids: Vec<_> = out.items.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(ids[0], "guid-1");
        assert_eq!(ids[1], "https://news.example/b");
        assert!(ids[2].starts_with("sha256:"), "{}", ids[2]);
        assert_eq!(out.feed_title.as_deref(), Some("중도일보"));
        assert_eq!(out.site_link.as_deref(), Some("https://news.example/"));
    }

    #[test]
    fn hashed_id_is_stable() {
        let entry = Entry {
            title: Some("같은 제목".into()),
            published: Some("2026-01-11T07:35:00Z".parse().unwrap()),
            ..Entry::default()
        };
        let a = run(ContentPolicy::Summary, vec![entry.clone()]);
        let b = run(ContentPolicy::Summary, vec![entry]);
        assert_eq!(a.items[0].id, b.items[0].id);
    }

    #[test]
    fn summary_is_plain_text_cut_at_a_word() {
        let long = "<p>word &amp; more</p> ".repeat(60);
        let out = run(
            ContentPolicy::Summary,
            vec![Entry {
                id: Some("x".into()),
                summary: Some(long),
                content: Some("<p>full</p>".into()),
                ..Entry::default()
            }],
        );
        let summary = out.items[0].summary.as_deref().unwrap();
        assert!(summary.chars().count() <= SUMMARY_CHARS);
        assert!(summary.ends_with("…"));
        assert!(summary.starts_with("word & more word"));
        assert!(!summary.contains('<'));
        assert!(!summary.trim_end_matches('…').ends_with(' '));
        assert_eq!(out.items[0].content_html, None, "summary policy drops HTML");
    }

    #[test]
    fn korean_without_spaces_is_cut_at_a_character() {
        let text = "가".repeat(400);
        let cut = truncate_at_word(&text, 300);
        assert_eq!(cut.chars().count(), 300);
        assert!(cut.ends_with("가…"));
        assert_eq!(truncate_at_word("짧은 글", 300), "짧은 글");
    }

    #[test]
    fn full_policy_keeps_sanitized_html_with_absolute_urls() {
        let out = run(
            ContentPolicy::Full,
            vec![Entry {
                id: Some("x".into()),
                content: Some(
                    r#"<p onclick="x()">본문 <a href="/story">링크</a><script>alert(1)</script></p>"#
                        .into(),
                ),
                ..Entry::default()
            }],
        );
        let html = out.items[0].content_html.as_deref().unwrap();
        assert!(
            html.contains(r#"href="https://news.example/story""#),
            "{html}"
        );
        assert!(
            !html.contains("script") && !html.contains("onclick"),
            "{html}"
        );
        assert_eq!(out.items[0].summary.as_deref(), Some("본문 링크"));
    }

    #[test]
    fn title_policy_keeps_no_text() {
        let out = run(
            ContentPolicy::Title,
            vec![Entry {
                id: Some("x".into()),
                title: Some("제목".into()),
                summary: Some("요약".into()),
                ..Entry::default()
            }],
        );
        assert_eq!(out.items[0].summary, None);
        assert_eq!(out.items[0].content_html, None);
    }

    /// Normalizing and merging apply the policy by one rule: they used to disagree on pictures
    /// under `title` (normalize kept them, merge dropped them).
    #[test]
    fn title_policy_keeps_no_picture_when_read_or_published() {
        let entry = Entry {
            id: Some("x".into()),
            title: Some("제목".into()),
            summary: Some(r#"<p>요약</p><img src="/p.jpg">"#.into()),
            ..Entry::default()
        };
        let summary = run(ContentPolicy::Summary, vec![entry.clone()]);
        assert_eq!(
            summary.items[0].image.as_deref(),
            Some("https://news.example/p.jpg")
        );
        let title = run(ContentPolicy::Title, vec![entry]);
        assert_eq!(title.items[0].image, None);
        let mut stored = summary.items[0].clone();
        apply_content_policy(&mut stored, ContentPolicy::Title);
        assert_eq!(stored, title.items[0]);
    }

    #[test]
    fn future_dates_are_dropped_and_bad_links_refused() {
        let out = run(
            ContentPolicy::Summary,
            vec![Entry {
                id: Some("x".into()),
                link: Some("javascript:alert(1)".into()),
                published: Some("2026-01-13T08:00:00Z".parse().unwrap()),
                updated: Some("2026-01-11T07:00:00Z".parse().unwrap()),
                authors: vec![Person {
                    name: Some(" 홍길동 ".into()),
                    ..Person::default()
                }],
                categories: vec!["정치".into(), "정치".into(), " ".into()],
                ..Entry::default()
            }],
        );
        let item = &out.items[0];
        assert_eq!(item.link, None);
        assert_eq!(item.published, None);
        assert!(item.updated.is_some());
        assert_eq!(item.authors, vec!["홍길동"]);
        assert_eq!(item.categories, vec!["정치"]);
        assert_eq!(out.warnings.len(), 1);
    }

    #[test]
    fn titles_are_plain_text_and_never_blank() {
        let entry = |title: Option<&str>, summary: Option<&str>, link: Option<&str>| Entry {
            title: title.map(str::to_owned),
            summary: summary.map(str::to_owned),
            link: link.map(str::to_owned),
            ..Entry::default()
        };
        let out = run(
            ContentPolicy::Title,
            vec![
                entry(Some("AT&T & the <b>tram</b> deal"), None, Some("/1")),
                entry(Some("대전시 예산안 통과 <속보>"), None, Some("/2")),
                entry(
                    Some(" "),
                    Some("<p>첫 문장이다. 둘째 문장.</p>"),
                    Some("/3"),
                ),
                entry(None, None, Some("/4")),
                entry(None, None, None),
            ],
        );
        let titles: Vec<_> = out.items.iter().map(|i| i.title.as_str()).collect();
        assert_eq!(
            titles[..4],
            [
                "AT&T & the tram deal",
                "대전시 예산안 통과 <속보>",
                "첫 문장이다.",
                "news.example/4",
            ]
        );
        assert!(titles[4].starts_with("sha256:"), "the id, failing all else");
        assert_eq!(
            out.items[2].summary, None,
            "the title policy still keeps no text"
        );
    }

    #[test]
    fn copies_of_one_entry_keep_the_first() {
        let entry = |title: &str| Entry {
            id: Some("same".into()),
            title: Some(title.into()),
            link: Some("/article/7".into()),
            ..Entry::default()
        };
        let out = run(
            ContentPolicy::Summary,
            vec![entry("first"), entry("second")],
        );
        assert_eq!(out.items.len(), 1);
        assert_eq!(out.items[0].title, "first");
        assert_eq!(out.items[0].id, "same");
    }

    #[test]
    fn one_guid_on_different_articles_keeps_them_apart_with_stable_ids() {
        let entry = |title: &str, link: Option<&str>| Entry {
            id: Some("https://news.example/section/".into()),
            title: Some(title.into()),
            link: link.map(str::to_owned),
            ..Entry::default()
        };
        let linked = vec![entry("하나", Some("/1")), entry("둘", Some("/2"))];
        let out = run(ContentPolicy::Summary, linked.clone());
        let ids: Vec<_> = out.items.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(ids, ["https://news.example/1", "https://news.example/2"]);
        // The same article keeps its id when the feed around it changes.
        let again = run(
            ContentPolicy::Summary,
            vec![entry("셋", Some("/3")), linked[1].clone()],
        );
        assert_eq!(again.items[1].id, "https://news.example/2");

        // Without links, titles tell them apart; a link the parser took from the shared guid
        // would lead to neither, so it is dropped.
        let unlinked = vec![
            entry("하나", Some("https://news.example/section/")),
            entry("둘", Some("https://news.example/section/")),
        ];
        let out = run(ContentPolicy::Summary, unlinked.clone());
        assert_eq!(out.items.len(), 2);
        assert!(out.items.iter().all(|item| item.link.is_none()));
        assert_ne!(out.items[0].id, out.items[1].id);
        let again = run(ContentPolicy::Summary, unlinked);
        assert_eq!(out.items, again.items);
    }

    #[test]
    fn image_comes_from_an_enclosure_else_the_first_img() {
        use crate::parse::Enclosure;
        let enclosure = |url: &str, mime: Option<&str>| Enclosure {
            url: url.into(),
            mime_type: mime.map(str::to_owned),
            length: None,
        };
        let out = run(
            ContentPolicy::Summary,
            vec![
                Entry {
                    id: Some("audio-then-photo".into()),
                    enclosures: vec![
                        enclosure("/a.mp3", Some("audio/mpeg")),
                        enclosure("/p.JPG?w=300", None),
                    ],
                    ..Entry::default()
                },
                Entry {
                    id: Some("img".into()),
                    summary: Some(r#"<p>사진</p><IMG alt=x SRC='/i.png?a=1&amp;b=2'>"#.into()),
                    ..Entry::default()
                },
                Entry {
                    id: Some("script-url".into()),
                    summary: Some(r#"<img src="javascript:alert(1)">"#.into()),
                    ..Entry::default()
                },
            ],
        );
        let images: Vec<_> = out.items.iter().map(|i| i.image.as_deref()).collect();
        assert_eq!(
            images,
            [
                Some("https://news.example/p.JPG?w=300"),
                Some("https://news.example/i.png?a=1&b=2"),
                None
            ]
        );
    }

    #[test]
    fn html_to_text_drops_scripts_and_decodes_entities() {
        assert_eq!(
            collapse_whitespace(&html_to_text(
                "a<script>x<y</script>b&nbsp;&lt;c&gt; <STYLE>p{}</style>d"
            )),
            "a b <c> d"
        );
        assert_eq!(html_to_text("3 < 4"), "3 < 4");
    }
}
