//! One fixture per format and per quirk real servers send (tests/fixtures/parse/), read through the public
//! `parse::parse` entry point.

use chrono::{DateTime, Utc};
use gazette::parse::{Entry, FeedFormat, ParseError, ParseHints, ParsedFeed, parse};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use url::Url;

#[path = "support/tools.rs"]
mod tools;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/parse/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn read_with(
    name: &str,
    content_type: Option<&str>,
    url: Option<&str>,
) -> Result<ParsedFeed, ParseError> {
    let url = url.map(|u| Url::parse(u).expect("test URL"));
    let hints = ParseHints {
        content_type,
        url: url.as_ref(),
        timezone: chrono_tz::Asia::Seoul,
    };
    parse(&fixture(name), &hints)
}

fn read(name: &str) -> ParsedFeed {
    read_with(name, None, None).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn titles(feed: &ParsedFeed) -> Vec<&str> {
    feed.entries
        .iter()
        .map(|e| e.title.as_deref().unwrap_or(""))
        .collect()
}

fn at(s: &str) -> Option<DateTime<Utc>> {
    Some(DateTime::parse_from_rfc3339(s).expect("test date").to_utc())
}

fn entry(feed: &ParsedFeed, index: usize) -> &Entry {
    feed.entries
        .get(index)
        .unwrap_or_else(|| panic!("no entry {index} in {:?}", titles(feed)))
}

fn warned(feed: &ParsedFeed, needle: &str) -> bool {
    feed.warnings.iter().any(|w| w.contains(needle))
}

#[test]
fn korean_euc_kr_news_with_zoneless_dates() {
    let feed = read_with(
        "korean_euckr_news.xml",
        None,
        Some("https://news.example.kr/rss"),
    )
    .expect("feed");
    assert_eq!(feed.encoding, "euc-kr");
    assert!(feed.warnings.is_empty(), "{:?}", feed.warnings);
    assert_eq!(feed.meta.title.as_deref(), Some("한국일보 뉴스"));
    assert_eq!(feed.meta.language.as_deref(), Some("ko"));
    assert_eq!(
        titles(&feed),
        [
            "서울 첫눈, 출근길 교통 혼잡",
            "코스피 2,600선 회복",
            "주말 날씨"
        ]
    );
    let first = entry(&feed, 0);
    assert_eq!(
        first.link.as_deref(),
        Some("https://news.example.kr/article/1001")
    );
    assert_eq!(
        first.summary.as_deref(),
        Some("<p>서울에 첫눈이 내렸다.</p>")
    );
    assert_eq!(
        first.authors.first().and_then(|a| a.name.as_deref()),
        Some("홍길동 기자")
    );
    assert_eq!(first.categories, ["사회"]);
    assert_eq!(first.published, at("2026-01-11T07:35:00Z"));
    assert_eq!(entry(&feed, 1).published, at("2026-01-11T00:05:00Z"));
    assert_eq!(entry(&feed, 2).published, at("2026-01-10T07:35:00Z"));
}

#[test]
fn euc_kr_declared_on_utf8_bytes_is_read_as_utf8() {
    let feed = read("euckr_declared_on_utf8.xml");
    assert_eq!(feed.encoding, "utf-8");
    assert_eq!(titles(&feed), ["한글 제목"]);
    assert!(warned(&feed, "UTF-8"), "{:?}", feed.warnings);
}

#[test]
fn utf8_declared_on_euc_kr_bytes_is_read_as_euc_kr() {
    let feed = read("utf8_declared_on_euckr.xml");
    assert_eq!(feed.encoding, "euc-kr");
    assert_eq!(
        feed.meta.title.as_deref(),
        Some("선언은 UTF-8, 실제는 EUC-KR")
    );
    assert!(warned(&feed, "euc-kr"), "{:?}", feed.warnings);
}

#[test]
fn east_asian_charsets_are_guessed_when_none_is_declared() {
    let cases = [
        (
            "shift_jis_undeclared.xml",
            "shift_jis",
            "日本のニュース",
            ["東京で初雪、通勤に影響", "株価が大きく上がりました"],
        ),
        (
            "gbk_undeclared.xml",
            "gb18030",
            "中文新闻",
            ["北京今天下雪了", "经济发展保持稳定"],
        ),
        (
            "big5_undeclared.xml",
            "big5",
            "中文新聞",
            ["臺北今天下雨了", "經濟發展保持穩定"],
        ),
        (
            "eucjp_undeclared.xml",
            "euc-jp",
            "ゲームのニュース",
            ["ゲーム三昧な正月", "新しいゲームが発売されました"],
        ),
        // Korean must keep winning over the others.
        (
            "euckr_undeclared.xml",
            "euc-kr",
            "한국 뉴스",
            ["서울에 첫눈이 내렸다", "주가가 크게 올랐다"],
        ),
    ];
    for (name, encoding, title, expected) in cases {
        let feed = read(name);
        assert_eq!(feed.encoding, encoding, "{name}");
        assert_eq!(feed.meta.title.as_deref(), Some(title), "{name}");
        assert_eq!(titles(&feed), expected, "{name}");
        assert!(warned(&feed, "read as"), "{name}: {:?}", feed.warnings);
    }
}

#[test]
fn content_type_charset_overrides_the_declaration() {
    // The bytes are EUC-KR and declared so; a wrong header must not turn them into mojibake either.
    let feed = read_with(
        "korean_euckr_news.xml",
        Some("text/xml; charset=utf-8"),
        None,
    )
    .expect("feed");
    assert_eq!(feed.meta.title.as_deref(), Some("한국일보 뉴스"));
}

#[test]
fn html_entities_undefined_in_xml() {
    let feed = read("html_entities.xml");
    assert_eq!(feed.meta.title.as_deref(), Some("Café\u{a0}News"));
    assert_eq!(titles(&feed), ["Tom’s pick · part\u{a0}2…"]);
    assert!(warned(&feed, "&nbsp;"), "{:?}", feed.warnings);
}

#[test]
fn bare_ampersands_and_stray_less_than() {
    let feed = read("bare_amp_stray_lt.xml");
    assert_eq!(feed.meta.title.as_deref(), Some("AT&T News"));
    let e = entry(&feed, 0);
    assert_eq!(e.title.as_deref(), Some("1 < 2 & 3 > 2"));
    assert_eq!(e.link.as_deref(), Some("https://example.com/?a=1&b=2"));
    assert_eq!(
        e.enclosures.first().map(|x| x.url.as_str()),
        Some("https://example.com/a.mp3?x=1&y=2")
    );
    assert!(
        warned(&feed, "bare '&'") && warned(&feed, "stray '<'"),
        "{:?}",
        feed.warnings
    );
}

#[test]
fn mismatched_unclosed_and_stray_tags() {
    let feed = read("mismatched_tags.xml");
    assert_eq!(titles(&feed), ["First", "Second", "Third"]);
    assert_eq!(entry(&feed, 0).summary.as_deref(), Some("<p>one<br>two"));
    assert_eq!(
        entry(&feed, 2).link.as_deref(),
        Some("https://example.com/3")
    );
    assert!(
        warned(&feed, "unclosed") && warned(&feed, "stray end tag"),
        "{:?}",
        feed.warnings
    );
}

#[test]
fn truncated_document_keeps_complete_items() {
    let feed = read("truncated.xml");
    assert_eq!(feed.meta.title.as_deref(), Some("Cut off"));
    assert_eq!(titles(&feed), ["One", "Two"]);
    assert!(warned(&feed, "truncated"), "{:?}", feed.warnings);
}

#[test]
fn junk_before_the_root() {
    let feed = read("junk_before_root.xml");
    assert_eq!(titles(&feed), ["Kept"]);
    assert!(!feed.warnings.is_empty());
}

#[test]
fn control_characters_are_removed() {
    let feed = read("control_chars.xml");
    assert_eq!(feed.meta.title.as_deref(), Some("Bell and tab\there"));
    assert_eq!(titles(&feed), ["Nullbyte"]);
    assert!(warned(&feed, "control characters"));
}

#[test]
fn duplicate_elements_keep_the_last() {
    let feed = read("duplicate_elements.xml");
    let e = entry(&feed, 0);
    assert_eq!(e.title.as_deref(), Some("New title"));
    assert_eq!(e.published, at("2026-01-11T08:35:00Z"));
    assert!(warned(&feed, "duplicate <title>"), "{:?}", feed.warnings);
}

#[test]
fn odd_and_undeclared_namespace_prefixes() {
    let feed = read("odd_prefixes.xml");
    assert_eq!(feed.format, FeedFormat::Atom10);
    assert_eq!(feed.meta.title.as_deref(), Some("Prefixed Atom"));
    let e = entry(&feed, 0);
    assert_eq!(e.link.as_deref(), Some("https://example.com/1"));
    assert_eq!(
        e.authors.first().and_then(|a| a.name.as_deref()),
        Some("Undeclared DC")
    );
}

#[test]
fn uppercase_element_names() {
    let feed = read("uppercase_names.xml");
    assert_eq!(feed.format, FeedFormat::Rss20);
    assert_eq!(feed.meta.link.as_deref(), Some("https://example.com/"));
    assert_eq!(titles(&feed), ["Loud"]);
    assert_eq!(entry(&feed, 0).published, at("2026-01-11T07:35:00Z"));
}

#[test]
fn double_escaped_html_in_titles_becomes_plain_text() {
    let feed = read("double_escaped_title.xml");
    assert_eq!(titles(&feed), ["AT&T bold", "Tags in title"]);
}

#[test]
fn dtd_entities_are_never_expanded() {
    let feed = read("billion_laughs.xml");
    assert_eq!(feed.meta.title.as_deref(), Some("&lol9;"));
    assert_eq!(titles(&feed), ["&xxe;"]);
    assert!(warned(&feed, "DTD"), "{:?}", feed.warnings);
}

#[test]
fn oversized_text_fields_are_capped() {
    let big = "x".repeat(3 << 20);
    let doc = format!(
        "<rss><channel><item><title>t</title><description>{big}</description></item></channel></rss>"
    );
    let hints = ParseHints {
        content_type: None,
        url: None,
        timezone: chrono_tz::UTC,
    };
    let feed = parse(doc.as_bytes(), &hints).expect("feed");
    let summary = entry(&feed, 0).summary.as_deref().unwrap_or_default();
    assert!(
        summary.len() <= 1 << 20 && summary.len() > 1000,
        "{}",
        summary.len()
    );
    assert!(warned(&feed, "was cut"));
}

#[test]
fn html_page_names_its_feeds() {
    match read_with(
        "html_page.html",
        Some("text/html"),
        Some("https://news.example.com/"),
    ) {
        Err(ParseError::Html { alternates }) => {
            assert_eq!(
                alternates,
                [
                    "https://news.example.com/rss.xml",
                    "https://news.example.com/atom.xml"
                ]
            );
        }
        other => panic!("expected an HTML error, got {other:?}"),
    }
    let err = read_with("html_page.html", None, None).expect_err("HTML is not a feed");
    assert!(
        err.to_string()
            .starts_with("not a feed: this is an HTML page"),
        "{err}"
    );
}

#[test]
fn garbage_is_an_error_not_a_panic() {
    let hints = ParseHints {
        content_type: None,
        url: None,
        timezone: chrono_tz::UTC,
    };
    for bytes in [
        &b""[..],
        b"   ",
        b"hello",
        b"<catalog><book/></catalog>",
        b"{\"a\":1}",
        b"\xff\xfe\x00",
    ] {
        assert!(
            matches!(parse(bytes, &hints), Err(ParseError::NotAFeed(_))),
            "{bytes:?}"
        );
    }
}

#[test]
fn atom_1_0_text_constructs_bases_people_links() {
    let feed = read("atom10_full.xml");
    assert_eq!(feed.format, FeedFormat::Atom10);
    assert_eq!(feed.meta.title.as_deref(), Some("A blog"));
    assert_eq!(feed.meta.link.as_deref(), Some("https://blog.example.com/"));
    assert_eq!(feed.meta.language.as_deref(), Some("en"));
    assert_eq!(feed.meta.description.as_deref(), Some("Notes"));
    let e = entry(&feed, 0);
    assert_eq!(e.title.as_deref(), Some("Hello world"));
    assert_eq!(
        e.link.as_deref(),
        Some("https://blog.example.com/posts/hello")
    );
    assert_eq!(e.id.as_deref(), Some("tag:blog.example.com,2026:1"));
    assert_eq!(e.published, at("2026-01-10T03:00:00Z"));
    assert_eq!(e.updated, at("2026-01-11T07:35:00Z"));
    let names: Vec<_> = e
        .authors
        .iter()
        .map(|a| a.name.as_deref().unwrap_or(""))
        .collect();
    assert_eq!(names, ["Kim", "Lee"]);
    assert_eq!(
        e.authors.first().and_then(|a| a.uri.as_deref()),
        Some("https://blog.example.com/about")
    );
    // Contributors are kept apart from authors, once each, and stay out of the fixed JSON schema.
    let contributors: Vec<_> = e
        .contributors
        .iter()
        .map(|c| (c.name.as_deref(), c.uri.as_deref()))
        .collect();
    assert_eq!(
        contributors,
        [
            (Some("Park"), None),
            (Some("Choi"), Some("https://blog.example.com/choi"))
        ]
    );
    let json = serde_json::to_value(&feed).expect("serializes");
    assert!(json["entries"][0].get("contributors").is_none());
    assert_eq!(e.categories, ["rust", "feeds"]);
    let enclosure = e.enclosures.first().expect("enclosure");
    assert_eq!(enclosure.url, "https://blog.example.com/media/hello.mp3");
    assert_eq!(
        (enclosure.mime_type.as_deref(), enclosure.length),
        (Some("audio/mpeg"), Some(1234))
    );
    assert_eq!(e.summary.as_deref(), Some("Plain &lt; text"));
    assert_eq!(
        e.content.as_deref(),
        Some("<p>Body <a href=\"img\">link</a></p>")
    );
    assert_eq!(e.base.as_deref(), Some("https://blog.example.com/content/"));
}

#[test]
fn atom_0_3_modes() {
    let feed = read("atom03.xml");
    assert_eq!(feed.format, FeedFormat::Atom03);
    assert_eq!(feed.meta.description.as_deref(), Some("Tagline"));
    assert_eq!(feed.meta.updated, at("2004-01-01T19:48:21Z"));
    let e = entry(&feed, 0);
    assert_eq!(e.title.as_deref(), Some("Hello base64"));
    assert_eq!(e.published, at("2004-01-01T15:00:00Z"));
    assert_eq!(e.updated, at("2004-01-02T10:00:00Z"));
    assert_eq!(e.content.as_deref(), Some("<p>Escaped</p>"));
}

#[test]
fn rss_0_90_rdf() {
    let feed = read("rss090.rdf");
    assert_eq!(feed.format, FeedFormat::Rss09x);
    assert_eq!(feed.meta.title.as_deref(), Some("Netscape"));
    assert_eq!(titles(&feed), ["First", "Second"]);
}

#[test]
fn rss_1_0_with_modules() {
    let feed = read("rss10_modules.rdf");
    assert_eq!(feed.format, FeedFormat::Rss10);
    assert_eq!(feed.meta.language.as_deref(), Some("ko"));
    assert_eq!(feed.meta.updated, at("2026-01-11T07:35:00Z"));
    assert_eq!(
        feed.meta.poll_hints.min_interval,
        Some(std::time::Duration::from_secs(1800))
    );
    let e = entry(&feed, 0);
    assert_eq!(e.id.as_deref(), Some("https://rdf.example/1"));
    assert_eq!(e.summary.as_deref(), Some("Summary"));
    assert_eq!(e.content.as_deref(), Some("<p>Full <b>content</b></p>"));
    assert_eq!(
        e.authors.first().and_then(|a| a.name.as_deref()),
        Some("Choi")
    );
    assert_eq!(e.categories, ["tech"]);
    assert_eq!((e.published, e.updated), (None, at("2026-01-11T07:35:00Z")));
}

#[test]
fn rss_0_92_without_link_or_guid() {
    let feed = read("rss092.xml");
    assert_eq!(feed.format, FeedFormat::Rss09x);
    let e = entry(&feed, 0);
    assert_eq!((e.link.as_deref(), e.id.as_deref()), (None, None));
    assert_eq!(e.enclosures.first().and_then(|x| x.length), Some(100));
}

#[test]
fn rss_2_0_with_extensions() {
    let feed = read("rss20_full.xml");
    assert_eq!(feed.format, FeedFormat::Rss20);
    assert_eq!(feed.meta.title.as_deref(), Some("Full RSS"));
    assert_eq!(feed.meta.link.as_deref(), Some("https://full.example/"));
    assert_eq!(feed.meta.updated, at("2026-01-11T07:35:00Z"));
    let poll = &feed.meta.poll_hints;
    assert_eq!(
        poll.min_interval,
        Some(std::time::Duration::from_secs(7200))
    );
    assert_eq!(
        (poll.skip_hours.as_slice(), poll.skip_days.as_slice()),
        (&[1, 2][..], &[chrono::Weekday::Sun][..])
    );
    let e = entry(&feed, 0);
    assert_eq!(e.title.as_deref(), Some("Podcast episode"));
    assert_eq!(e.link.as_deref(), Some("https://full.example/ep1"));
    assert_eq!(e.id.as_deref(), Some("ep-1"));
    assert_eq!(e.summary.as_deref(), Some("Short"));
    assert_eq!(
        e.content.as_deref(),
        Some("<p>Long <img src=\"/img.png\"></p>")
    );
    let authors: Vec<_> = e
        .authors
        .iter()
        .map(|a| (a.name.as_deref(), a.email.as_deref()))
        .collect();
    assert_eq!(
        authors,
        [
            (Some("The Host"), Some("host@full.example")),
            (Some("Second Host"), None)
        ]
    );
    assert_eq!(e.categories, ["audio"]);
    assert_eq!(e.published, at("2026-01-11T07:35:00Z"));
    assert_eq!(e.updated, e.published);
    let urls: Vec<_> = e.enclosures.iter().map(|x| x.url.as_str()).collect();
    assert_eq!(
        urls,
        [
            "https://full.example/ep1.mp3",
            "https://full.example/ep1.mp4"
        ]
    );
    let second = entry(&feed, 1);
    assert_eq!(second.link.as_deref(), Some("https://full.example/ep2"));
    assert_eq!(second.id.as_deref(), Some("https://full.example/ep2"));
}

#[test]
fn json_feed_1_1_and_1_0() {
    let feed = read("jsonfeed11.json");
    assert_eq!(feed.format, FeedFormat::Json11);
    assert_eq!(feed.meta.link.as_deref(), Some("https://json.example/"));
    let first = entry(&feed, 0);
    assert_eq!(first.content.as_deref(), Some("<p>Hi</p>"));
    assert_eq!(first.published, at("2026-01-11T07:35:00Z"));
    assert_eq!(first.enclosures.first().and_then(|x| x.length), Some(42));
    let second = entry(&feed, 1);
    assert_eq!(second.id.as_deref(), Some("2"));
    assert_eq!(second.content.as_deref(), Some("Second &lt;plain&gt;"));
    assert_eq!(second.updated, at("2026-01-12T00:00:00Z"));
    let old = read("jsonfeed10.json");
    assert_eq!(old.format, FeedFormat::Json10);
    assert_eq!(
        entry(&old, 0)
            .authors
            .first()
            .and_then(|a| a.uri.as_deref()),
        Some("https://lee.example")
    );
}

#[test]
fn every_date_form_from_the_issue() {
    let feed = read("dates.xml");
    let kst_1635 = at("2026-01-11T07:35:00Z");
    for e in &feed.entries {
        let expected = if e.title.as_deref() == Some("unreadable") {
            None
        } else {
            kst_1635
        };
        assert_eq!(e.published, expected, "{:?}", e.title);
    }
    assert_eq!(feed.entries.len(), 17);
    assert!(warned(&feed, "unreadable date"));
}

#[test]
fn json_schema_is_exact() {
    let feed = read("rss092.xml");
    let json = serde_json::to_value(&feed).expect("serializes");
    let keys = |v: &serde_json::Value| -> Vec<String> {
        let mut keys: Vec<String> = v
            .as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default();
        keys.sort();
        keys
    };

    assert_eq!(
        keys(&json),
        ["encoding", "entries", "feed", "format", "warnings"]
    );
    assert_eq!(json["format"], "rss0.9x");
    assert_eq!(
        keys(&json["feed"]),
        ["description", "language", "link", "title", "updated"]
    );
    let entry = &json["entries"][0];
    assert_eq!(
        keys(entry),
        [
            "authors",
            "categories",
            "content",
            "enclosures",
            "id",
            "link",
            "published",
            "summary",
            "title",
            "updated"
        ]
    );
    assert_eq!(keys(&entry["enclosures"][0]), ["length", "type", "url"]);
    let dated = serde_json::to_value(read("dates.xml")).expect("serializes");
    assert_eq!(dated["entries"][0]["published"], "2026-01-11T07:35:00Z");
}

#[test]
fn pathological_inputs_stay_bounded() {
    let hints = ParseHints {
        content_type: None,
        url: None,
        timezone: chrono_tz::UTC,
    };
    let attributes: String = (0..20_000).map(|i| format!(" a{i}=\"{i}\"")).collect();
    let namespaces: String = (0..5_000)
        .map(|i| format!(" xmlns:p{i}=\"urn:{i}\""))
        .collect();
    let categories = "<category>same</category>".repeat(20_000)
        + &(0..20_000)
            .map(|i| format!("<category>c{i}</category>"))
            .collect::<String>();
    let nesting = "<x>".repeat(20_000);
    let doc = format!(
        "<rss{namespaces}><channel{attributes}><item><title>t</title>{categories}</item>\
         <item><title>deep</title>{nesting}</item></channel></rss>"
    );
    // No timing here (the machines are shared and noisy): the sizes make a quadratic step take
    // minutes, which the suite's run time shows; the limits below are what the parser promises.
    let feed = parse(doc.as_bytes(), &hints).expect("feed");
    assert_eq!(entry(&feed, 0).categories.len(), 256);
    // The unclosed <x>s are closed by </item>: the deep entry is kept.
    assert_eq!(titles(&feed), ["t", "deep"]);
}

#[test]
fn an_unclosed_feed_level_element_does_not_hide_the_items_after_it() {
    let feed = read("unclosed_module_element.xml");
    assert_eq!(
        titles(&feed),
        ["Spices", "Socket Wrenches", "Red, Whine, & Blue"]
    );
    let first = entry(&feed, 0);
    assert_eq!(
        first.enclosures.first().map(|e| e.url.as_str()),
        Some("http://podcast.example/everything/3.m4a")
    );
    assert_eq!(first.published, at("2005-06-15T19:00:00Z"));
    assert!(
        warned(&feed, "unclosed <itunes:category> closed by <item>"),
        "{:?}",
        feed.warnings
    );
    // The channel's own fields around the unclosed element are still read.
    assert_eq!(
        feed.meta.link.as_deref(),
        Some("http://podcast.example/everything/")
    );
}

#[test]
fn rss090_under_the_channel_netscape_namespace() {
    let feed = read("rss090_channel_netscape.rdf");
    assert_eq!(feed.format, FeedFormat::Rss09x);
    assert_eq!(feed.meta.title.as_deref(), Some("Mozilla Dot Org"));
    assert_eq!(feed.meta.link.as_deref(), Some("http://www.mozilla.org"));
    assert_eq!(
        titles(&feed),
        ["New Status Updates", "Bugzilla Reorganized"]
    );
    assert_eq!(
        entry(&feed, 1).link.as_deref(),
        Some("http://www.mozilla.org/bugs/")
    );
}

#[test]
fn a_feed_inside_an_xhtml_page_is_read() {
    let feed = read("atom_in_xhtml_page.xml");
    assert_eq!(feed.format, FeedFormat::Atom10);
    assert_eq!(feed.meta.title.as_deref(), Some("Avian\u{2019}s Blog"));
    assert_eq!(titles(&feed), ["First", "Second"]);
    assert_eq!(entry(&feed, 1).updated, at("2012-01-01T10:00:00Z"));
    assert!(warned(&feed, "inside an HTML page"), "{:?}", feed.warnings);
    // A page without an embedded feed is still a page, with the feeds it advertises.
    let page = read_with("html_page.html", None, Some("https://news.example/"));
    assert!(matches!(page, Err(ParseError::Html { .. })), "{page:?}");
}

#[test]
fn text_encoded_in_utf8_twice_is_decoded_once_more() {
    let feed = read("double_encoded_utf8.xml");
    assert_eq!(
        titles(&feed),
        [
            "RSS.com and Grupo Fórmula Form Co-Production Relationship",
            "¿Pensando en Comenzar un Podcast? Aquí Hay 7 Cosas",
            "Café, crème brûlée",
        ]
    );
    assert!(warned(&feed, "UTF-8 encoded twice"), "{:?}", feed.warnings);
}

#[test]
fn cdf_base_resolves_item_links() {
    let feed = read("cdf_base.xml");
    assert_eq!(feed.meta.link.as_deref(), Some("http://www.example.org/"));
    assert_eq!(
        entry(&feed, 0).link.as_deref(),
        Some("http://base.example.org/item/1")
    );
}

#[test]
fn literal_dtd_entities_are_expanded_nested_ones_are_not() {
    let feed = read("entity_in_doctype.xml");
    assert_eq!(
        entry(&feed, 0).id.as_deref(),
        Some("tag:example.com,2006-05-04:/blog/")
    );
    // An entity whose text holds a reference is never expanded: no nesting, no billion laughs.
    assert_eq!(titles(&feed), ["&nested;"]);
    assert!(warned(&feed, "DTD"), "{:?}", feed.warnings);
}

/// One row of the table of cases where gazette is right and feedparser is not.
struct ConformanceRow {
    line: usize,
    /// The first cell: corpus files, each with the number of its fields that differ.
    corpus_files: String,
    field: String,
    feedparser: Option<String>,
    gazette: Option<String>,
    fixture: String,
}

/// The parser's CONFORMANCE.md: its path and text.
fn conformance_doc() -> (String, String) {
    let path = format!(
        "{}/crates/parse/src/CONFORMANCE.md",
        env!("CARGO_MANIFEST_DIR")
    );
    let doc = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    (path, doc)
}

/// The rows of the last table in the parser's CONFORMANCE.md: cells are split on ` | `, a value is
/// in backticks, *none* is no value.
fn conformance_rows() -> Vec<ConformanceRow> {
    let (path, doc) = conformance_doc();
    let table = doc
        .split("## Where gazette is right")
        .nth(1)
        .unwrap_or_else(|| panic!("{path}: no section \"Where gazette is right\""));
    let first_line = doc.len() - table.len();
    let first_line = doc[..first_line].lines().count();
    let value = |cell: &str| -> Option<String> {
        let cell = cell.trim();
        if cell == "*none*" {
            return None;
        }
        let inner = cell.strip_prefix('`').and_then(|c| c.strip_suffix('`'));
        Some(
            inner
                .unwrap_or_else(|| panic!("{path}: cell {cell:?} is neither `value` nor *none*"))
                .to_string(),
        )
    };
    table
        .lines()
        .enumerate()
        .filter(|(_, line)| line.starts_with("| ") && !line.starts_with("| corpus file"))
        .map(|(i, line)| {
            let cells: Vec<&str> = line.trim_matches('|').split(" | ").collect();
            let [corpus_files, field, feedparser, gazette, fixture, _why] = cells[..] else {
                panic!("{path}:{}: expected 6 cells: {line}", first_line + i);
            };
            ConformanceRow {
                line: first_line + i,
                corpus_files: corpus_files.trim().to_string(),
                field: value(field).unwrap_or_default(),
                feedparser: value(feedparser),
                gazette: value(gazette),
                fixture: fixture.trim().to_string(),
            }
        })
        .collect()
}

/// The value of `field` (`feed.title`, `entries.count`, `entries[2].link` …) as the table writes it.
fn field_value(feed: &ParsedFeed, field: &str) -> Option<String> {
    let date =
        |d: &Option<DateTime<Utc>>| d.map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    match field {
        "feed.title" => return feed.meta.title.clone(),
        "feed.link" => return feed.meta.link.clone(),
        "entries.count" => return Some(feed.entries.len().to_string()),
        _ => {}
    }
    let (index, name) = field
        .strip_prefix("entries[")
        .and_then(|rest| rest.split_once("]."))
        .unwrap_or_else(|| panic!("unknown field {field:?}"));
    let index: usize = index
        .parse()
        .unwrap_or_else(|_| panic!("bad index in {field:?}"));
    let entry = entry(feed, index);
    match name {
        "title" => entry.title.clone(),
        "link" => entry.link.clone(),
        "id" => entry.id.clone(),
        "published" => date(&entry.published),
        "updated" => date(&entry.updated),
        "enclosure" => entry.enclosures.first().map(|e| e.url.clone()),
        _ => panic!("unknown field {field:?}"),
    }
}

#[test]
fn conformance_table_holds() {
    let rows = conformance_rows();
    assert!(rows.len() >= 20, "the table lost its rows: {}", rows.len());
    let mut wrong = Vec::new();
    // Whitespace runs count as one space, as in the conformance tool's comparison.
    let collapse =
        |v: Option<String>| v.map(|v| v.split_whitespace().collect::<Vec<_>>().join(" "));
    for row in rows {
        let feed = read(&row.fixture);
        let actual = collapse(field_value(&feed, &row.field));
        if actual != collapse(row.gazette.clone()) {
            wrong.push(format!(
                "CONFORMANCE.md line {}: {} {}: table says {:?}, gazette reads {:?}",
                row.line, row.fixture, row.field, row.gazette, actual
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Runs of whitespace as one space, control characters dropped: what a table cell can show.
fn visible(value: &str) -> String {
    value
        .chars()
        .filter(|c| !c.is_control() || c.is_whitespace())
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// For each row, `[raw, text]` as the conformance tool's oracle reads the row's field from its
/// fixture: feedparser's value, and the text the tool compares (tags stripped, entities decoded).
const FEEDPARSER_FIELDS: &str = r#"
import json, sys, time
sys.path.insert(0, sys.argv[1])
from conformance import parse_feed, text
for line in sys.stdin:
    path, field = json.loads(line)
    with open(path, "rb") as f:
        d = parse_feed(f.read())
    if field == "entries.count":
        raw = str(len(d.get("entries", [])))
    elif field.startswith("feed."):
        raw = d.get("feed", {}).get(field[len("feed."):])
    else:
        index, name = field[len("entries["):].split("].")
        entries = d.get("entries", [])
        e = entries[int(index)] if int(index) < len(entries) else {}
        if name in ("published", "updated"):
            t = e.get(name + "_parsed")
            raw = None if t is None else time.strftime("%Y-%m-%dT%H:%M:%SZ", t)
        elif name == "enclosure":
            raw = ((e.get("enclosures") or [{}])[0]).get("href")
        else:
            raw = e.get(name)
    print(json.dumps([raw, text(raw) if isinstance(raw, str) else raw]))
"#;

/// The table's feedparser column is what feedparser reads from each fixture (raw, or as the tool
/// compares it): every fixture shows the disagreement its row claims, not only gazette's side.
#[test]
fn conformance_table_feedparser_column_holds() {
    let python = tools::python(&["feedparser"]);
    let tool_dir = tools::shared("tools/conformance.py")
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let rows = conformance_rows();
    let fixtures = format!("{}/tests/fixtures/parse", env!("CARGO_MANIFEST_DIR"));
    let input: String = rows
        .iter()
        .map(|row| {
            let fixture = format!("{fixtures}/{}", row.fixture);
            format!("{}\n", serde_json::json!([fixture, row.field]))
        })
        .collect();
    let output = run_with_stdin(
        Command::new(&python)
            .args(["-c", FEEDPARSER_FIELDS])
            .arg(&tool_dir),
        &input,
    );
    let lines: Vec<&str> = output.lines().collect();
    assert_eq!(lines.len(), rows.len(), "one answer per row: {output}");
    let mut wrong = Vec::new();
    for (row, line) in rows.iter().zip(lines) {
        let [raw, text]: [Option<String>; 2] = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("feedparser's answer {line:?}: {e}"));
        let want = row.feedparser.as_deref().map(visible);
        if want != raw.as_deref().map(visible) && want != text.as_deref().map(visible) {
            wrong.push(format!(
                "CONFORMANCE.md line {}: {} {}: table says feedparser reads {:?}, it reads {raw:?}",
                row.line, row.fixture, row.field, row.feedparser
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// `command` run with `input` on stdin; its stdout. Panics, with stderr, unless it succeeds.
fn run_with_stdin(command: &mut Command, input: &str) -> String {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{command:?}: {e}"));
    let mut stdin = child.stdin.take().expect("piped stdin");
    stdin.write_all(input.as_bytes()).expect("write stdin");
    drop(stdin);
    let output = child.wait_with_output().expect("wait");
    assert!(
        output.status.success(),
        "{command:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// `path (N)` items of the table's first column: each corpus file with its differing fields.
fn listed_disagreements(rows: &[ConformanceRow]) -> BTreeMap<String, u64> {
    let mut listed = BTreeMap::new();
    for row in rows {
        for item in row.corpus_files.split(", ") {
            let Some((file, count)) = item.strip_suffix(')').and_then(|i| i.rsplit_once(" ("))
            else {
                continue; // a file already counted on an earlier row
            };
            let count = count.parse().unwrap_or_else(|_| {
                panic!("CONFORMANCE.md line {}: bad count in {item:?}", row.line)
            });
            assert!(
                listed.insert(file.to_string(), count).is_none(),
                "CONFORMANCE.md line {}: {file} counted twice",
                row.line
            );
        }
    }
    listed
}

/// The conformance tool over the whole shared corpus, as the README runs it: no crash, every file
/// where gazette and feedparser differ is in the table with the number of fields that differ, and
/// the agreement CONFORMANCE.md states is the one measured.
#[test]
fn every_disagreement_with_feedparser_is_in_the_table() {
    let python = tools::python(&["feedparser"]);
    let tool = tools::shared("tools/conformance.py");
    let corpus = tools::shared("corpus");
    let report =
        std::env::temp_dir().join(format!("gazette-conformance-{}.json", std::process::id()));
    let output = Command::new(&python)
        .arg(&tool)
        .args(["--gazette", env!("CARGO_BIN_EXE_gazette"), "--corpus", "."])
        .arg("--report")
        .arg(&report)
        .current_dir(&corpus)
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", tool.display()));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let report_text = std::fs::read_to_string(&report)
        .unwrap_or_else(|e| panic!("no report ({e}); the tool printed:\n{stdout}"));
    let _ = std::fs::remove_file(&report);
    let report: serde_json::Value = serde_json::from_str(&report_text).expect("report JSON");

    let crashes: u64 = report["crashes"]
        .as_object()
        .map(|kinds| kinds.values().filter_map(|n| n.as_u64()).sum())
        .unwrap_or(0);
    assert_eq!(crashes, 0, "{stdout}");

    let files = report["files"].as_array().expect("files in the report");
    let count = |f: &serde_json::Value, key: &str| f[key].as_u64().unwrap_or(0);
    let measured: BTreeMap<String, u64> = files
        .iter()
        .filter(|f| count(f, "agree") < count(f, "total"))
        .map(|f| {
            let file = f["file"].as_str().unwrap_or_default();
            (file.to_string(), count(f, "total") - count(f, "agree"))
        })
        .collect();
    let listed = listed_disagreements(&conformance_rows());
    let mut wrong = Vec::new();
    for (file, n) in &measured {
        match listed.get(file) {
            Some(m) if m == n => {}
            Some(m) => wrong.push(format!("{file}: {n} fields differ, the table says {m}")),
            None => wrong.push(format!("{file}: {n} fields differ, not in the table")),
        }
    }
    for file in listed.keys().filter(|f| !measured.contains_key(*f)) {
        wrong.push(format!(
            "{file}: in the table, but gazette and feedparser now agree"
        ));
    }
    assert!(wrong.is_empty(), "{}\n\n{stdout}", wrong.join("\n"));

    let agree: u64 = files.iter().map(|f| count(f, "agree")).sum();
    let total: u64 = files.iter().map(|f| count(f, "total")).sum();
    let thousands = |n: u64| {
        let digits = n.to_string();
        let mut out = String::new();
        for (i, d) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(d);
        }
        out
    };
    let figure = format!(
        "{} files): {} of {} fields agree",
        thousands(files.len() as u64),
        thousands(agree),
        thousands(total)
    );
    let (path, doc) = conformance_doc();
    assert!(
        doc.contains(&figure),
        "{path} does not state the measured agreement \"{figure}\"\n\n{stdout}"
    );
}
