//! Sites without feeds: HTML list pages in the shapes Korean news and city-hall CMSs publish,
//! served by the farm and read with `[feed.scrape]` rules, as `gazette scrape` shows them and as
//! `gazette once` publishes them.

mod support;

use serde_json::Value;
use support::daemon::{Daemon, wait_until};
use support::{
    Farm, FeedsToml, Route, TestItem, Workdir, free_port, http_get, rss, rss_items, show,
};

const EUC_KR_PAGE: &str = include_str!("fixtures/scrape/euckr_list.html");
const RELATIVE_PAGE: &str = include_str!("fixtures/scrape/relative_list.html");
const LAZY_PAGE: &str = include_str!("fixtures/scrape/lazy_list.html");

/// The fixture as an EUC-KR server sends it, with only its `<meta http-equiv>` saying so.
fn euc_kr(page: &str) -> Route {
    let (bytes, _, unmappable) = encoding_rs::EUC_KR.encode(page);
    assert!(!unmappable, "the fixture is all EUC-KR");
    Route::feed("text/html", bytes.into_owned())
}

/// The `[feed.scrape]` rules of the EUC-KR list page, as an admin writes them.
const EUC_KR_RULES: &str = r#"[feed.scrape]
item = "ul.article-list > li"
title = "h4.titles a"
link = "h4.titles a@href"
date = "span.byline em:nth-of-type(2)"
date_format = "%Y-%m-%d %H:%M"
summary = "p.lead"
image = "div.thumb img"
author = "span.byline em:first-child"
"#;

fn euc_kr_config(farm: &Farm) -> FeedsToml {
    FeedsToml::new()
        .feed(&farm.url("/list.php"), &[])
        .with("name", "중도일보 정치")
        .raw(EUC_KR_RULES)
}

/// `gazette ARGS` in `work`, which must succeed; its stdout as JSON.
fn json(work: &Workdir, args: &[&str]) -> Value {
    let output = work.run(args);
    assert!(output.status.success(), "{}", show(&output));
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}\n{}", show(&output)))
}

/// (title, link, published, image, author) of each entry of `gazette scrape --json`.
fn entries(page: &Value) -> Vec<[String; 5]> {
    let text = |value: &Value| value.as_str().unwrap_or("-").to_owned();
    page["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|entry| {
            [
                text(&entry["title"]),
                text(&entry["link"]),
                text(&entry["published"]),
                text(&entry["enclosures"][0]["url"]),
                text(&entry["authors"][0]["name"]),
            ]
        })
        .collect()
}

fn row(fields: [&str; 5]) -> [String; 5] {
    fields.map(str::to_owned)
}

#[test]
fn an_euc_kr_list_page_is_read_with_the_feeds_rules() {
    let farm = Farm::start();
    farm.set("/list.php", euc_kr(EUC_KR_PAGE));
    let work = Workdir::new(euc_kr_config(&farm));
    let page = json(&work, &["scrape", "--feed", "중도일보 정치", "--json"]);
    let base = farm.url("/news/articleView.html?idxno=");
    let thumb = farm.url("/data/thumb/");
    assert_eq!(page["encoding"], "euc-kr");
    assert_eq!(page["feed"]["title"], "중도일보 - 정치/행정");
    assert_eq!(
        entries(&page),
        [
            row([
                "대전시, 내년 예산 7조 원 편성… 민생 회복에 무게",
                &format!("{base}310001"),
                "2026-12-04T07:35:00Z",
                &format!("{thumb}310001.jpg"),
                "김중도 기자",
            ]),
            // The fragment is no part of the article's identity.
            row([
                "세종시의회, 행정수도 특별법 촉구 결의안 채택",
                &format!("{base}310002"),
                "2026-12-04T02:02:00Z",
                &format!("{thumb}310002.jpg"),
                "이세종 기자",
            ]),
            row([
                "충남도, 청년 일자리 2천 개 만든다",
                &format!("{base}310003"),
                "2026-12-03T00:40:00Z",
                "-",
                "박충남 기자",
            ]),
        ]
    );
    assert_eq!(
        page["warnings"],
        serde_json::json!(["1 of 4 items skipped: 1 without a title, 0 without a link"])
    );
}

#[test]
fn relative_dates_are_read_against_the_fetch_time() {
    let farm = Farm::start();
    farm.set(
        "/press/list.do",
        Route::feed("text/html; charset=utf-8", RELATIVE_PAGE),
    );
    let work = Workdir::new(FeedsToml::new());
    let page = json(
        &work,
        &[
            "scrape",
            &farm.url("/press/list.do"),
            "--item",
            "table.board-list tbody tr",
            "--title",
            "td.subject",
            "--link",
            "td.subject a",
            "--date",
            "td.date",
            // 14:30:42 in Seoul.
            "--now",
            "2026-12-05T05:30:42Z",
            "--allow-private",
            "--json",
        ],
    );
    let link = |seq: u32| farm.url(&format!("/press/view.do?seq={seq}&menu=press"));
    let dates: Vec<(String, String, String)> = entries(&page)
        .into_iter()
        .map(|[title, link, date, ..]| (title, link, date))
        .collect();
    let expected = [
        (
            1207,
            "도시철도 2호선 트램 시운전 시작",
            "2026-12-05T05:30:00Z",
        ),
        (
            1206,
            "겨울철 한파 대비 종합대책 추진",
            "2026-12-05T05:25:00Z",
        ),
        (
            1205,
            "대전 0시 축제 방문객 200만 명 돌파",
            "2026-12-05T02:30:00Z",
        ),
        (
            1204,
            "소상공인 특례보증 500억 원 지원",
            "2026-12-04T04:20:00Z",
        ),
        // Days without a time are that day's midnight in Seoul, the same on every poll.
        (1203, "갑천 생태호수공원 개장", "2026-12-02T15:00:00Z"),
        (1202, "시내버스 노선 개편안 공청회", "2026-12-01T15:00:00Z"),
        (
            1201,
            "대전시 공공기관 2차 이전 유치 전략 발표",
            "2026-11-29T15:00:00Z",
        ),
    ]
    .map(|(seq, title, date)| (title.to_owned(), link(seq), date.to_owned()));
    assert_eq!(dates, expected);
    assert_eq!(
        page["warnings"],
        serde_json::json!(["1 of 8 items skipped: 0 without a title, 1 without a link"])
    );
}

#[test]
fn links_and_lazy_images_are_absolute_against_the_base_href() {
    let farm = Farm::start();
    farm.set("/economy", Route::feed("text/html", LAZY_PAGE));
    let work = Workdir::new(FeedsToml::new());
    let page = json(
        &work,
        &[
            "scrape",
            &farm.url("/economy"),
            "--item",
            "div.list-block",
            "--title",
            "div.list-titles strong",
            "--link",
            "div.list-titles a@href",
            "--date",
            "div.list-dated time",
            "--image",
            "div.list-image img",
            "--allow-private",
            "--json",
        ],
    );
    let news = "https://www.ccdaily.example/news/articleView.html?idxno=";
    assert_eq!(
        entries(&page),
        [
            row([
                "충북 반도체 수출 역대 최대",
                &format!("{news}1001"),
                "2026-12-04T23:10:00Z",
                "https://www.ccdaily.example/photo/2026/12/1001.jpg",
                "-",
            ]),
            row([
                "청주 오송 바이오 클러스터 투자 유치",
                &format!("{news}1002"),
                "2026-12-04T08:45:00Z",
                "https://www.ccdaily.example/news/thumb/1002.jpg",
                "-",
            ]),
            row([
                "세종 상가 공실률 하락",
                &format!("{news}1003"),
                "2026-12-04T00:00:00Z",
                "https://www.ccdaily.example/news/img/1003-320.jpg",
                "-",
            ]),
        ]
    );
}

#[test]
fn the_table_shows_what_the_rules_find() {
    let farm = Farm::start();
    farm.set("/list.php", euc_kr(EUC_KR_PAGE));
    let work = Workdir::new(euc_kr_config(&farm));
    let output = work.run(&["scrape", "--feed", "중도일보 정치"]);
    assert!(output.status.success(), "{}", show(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("encoding: euc-kr\nitems:    3\n"),
        "{stdout}"
    );
    let line = stdout
        .lines()
        .find(|line| line.contains("충남도, 청년 일자리"))
        .unwrap_or_else(|| panic!("no row for the third item:\n{stdout}"));
    assert!(line.starts_with("2026-12-03 09:40  "), "{line}");
    assert!(
        line.contains(&farm.url("/news/articleView.html?idxno=310003")),
        "{line}"
    );
}

/// Every title and link `gazette once` published in `feeds/all.xml`.
fn published(work: &Workdir) -> Vec<(String, String)> {
    rss_items(&work.read_output("feeds/all.xml"))
        .into_iter()
        .map(|(_, title, link)| (title, link))
        .collect()
}

#[test]
fn rescraping_adds_nothing_and_a_broken_page_keeps_the_last_items() {
    let farm = Farm::start();
    farm.set("/list.php", euc_kr(EUC_KR_PAGE));
    let work = Workdir::new(euc_kr_config(&farm));
    let output = work.run(&["once"]);
    assert!(output.status.success(), "{}", show(&output));
    let first = published(&work);
    assert_eq!(first.len(), 3, "{first:?}");

    // The same articles in another order, one of them with a tracking fragment: nothing new.
    let reordered = EUC_KR_PAGE
        .replacen("idxno=310001\">대전시", "idxno=310001#top\">대전시", 1)
        .replace(
            "<li>\n    <div class=\"thumb\">",
            "<li>\n    <div class=\"thumb\" >",
        );
    let mut blocks: Vec<&str> = reordered.split("  <li").collect();
    blocks[1..4].reverse();
    farm.set("/list.php", euc_kr(&blocks.join("  <li")));
    let output = work.run(&["once"]);
    assert!(output.status.success(), "{}", show(&output));
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(log.contains("0 new"), "{log}");
    let mut again = published(&work);
    let mut before = first.clone();
    again.sort();
    before.sort();
    assert_eq!(again, before);

    // A redesign: the list has another class, and the rule names what broke.
    farm.set(
        "/list.php",
        euc_kr(&EUC_KR_PAGE.replace("article-list", "news-list")),
    );
    let output = work.run(&["once"]);
    let log = String::from_utf8_lossy(&output.stderr);
    let named = "item selector `ul.article-list > li` matched 0 elements";
    assert!(log.contains(named), "{}", show(&output));
    assert_eq!(
        published(&work),
        first,
        "the last good items stay published"
    );
    let feeds = work.run(&["feeds"]);
    let feeds = String::from_utf8_lossy(&feeds.stdout);
    assert!(feeds.contains(&format!("last error: {named}")), "{feeds}");
    assert!(feeds.contains("failures 1"), "{feeds}");
}

#[test]
fn a_page_whose_items_have_no_links_is_an_error_naming_the_rule() {
    let farm = Farm::start();
    farm.set(
        "/list.php",
        euc_kr(&EUC_KR_PAGE.replace("<a href=\"/news/", "<a data-href=\"/news/")),
    );
    let work = Workdir::new(euc_kr_config(&farm));
    let output = work.run(&["scrape", "--feed", "중도일보 정치"]);
    assert!(!output.status.success(), "{}", show(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "item selector `ul.article-list > li` matched 4 elements but none has a link (link `h4.titles a@href`)"
        ),
        "{stderr}"
    );
}

#[test]
fn check_names_bad_rules_with_line_and_column() {
    let config = FeedsToml::new()
        .feed("https://news.example.kr/list.html", &[])
        .raw("[feed.scrape]\nitem = \"ul..list > li\"\ntitle = \"h4 a@\"\ndate_format = \"%Y-%m-%d\"\ncolour = \"red\"\n");
    let work = Workdir::new(config);
    let output = work.run(&["check"]);
    assert_eq!(output.status.code(), Some(2), "{}", show(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    let expected = [
        "feeds.toml:8:8: bad selector `ul..list > li`: a class needs a name",
        "feeds.toml:9:9: bad attribute `@` in `h4 a@`",
        "feeds.toml:10:15: `date_format` without `date`",
        "feeds.toml:11:1: unknown key `colour`",
    ];
    for prefix in expected {
        assert!(
            lines.iter().any(|line| line.contains(prefix)),
            "no `{prefix}` in:\n{stderr}"
        );
    }
}

#[test]
fn a_malformed_page_is_read_without_a_panic() {
    // Unclosed tags everywhere, then about 5 MB of divs nested inside each other.
    let page = format!(
        "<html><head><title>깨진 페이지</title><body><ul class=list><li><a href=/a/1>첫 기사<li><a href=/a/2>둘째 기사</ul>{}<p><b><i>",
        "<div class=x>".repeat(5 * 1024 * 1024 / 13)
    );
    let farm = Farm::start();
    farm.set("/broken", Route::feed("text/html", page));
    let work = Workdir::new(FeedsToml::new());
    let page = json(
        &work,
        &[
            "scrape",
            &farm.url("/broken"),
            "--item",
            "ul.list > li",
            "--title",
            "a",
            "--allow-private",
            "--json",
        ],
    );
    let titles: Vec<&str> = page["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter_map(|entry| entry["title"].as_str())
        .collect();
    assert_eq!(titles, ["첫 기사", "둘째 기사"]);
    assert!(
        page["warnings"]
            .as_array()
            .expect("warnings")
            .iter()
            .any(|w| w.as_str().is_some_and(|w| w.contains("nested deeper than"))),
        "{page}"
    );
}

/// The EUC-KR page with every article link tagged as list pages tag them per render.
fn tagged(source: &str) -> String {
    EUC_KR_PAGE.replace(
        "articleView.html?idxno=31000",
        &format!("articleView.html?utm_source={source}&utm_medium=list&idxno=31000"),
    )
}

#[test]
fn scraped_links_lose_their_trackers_and_meet_the_feeds_copy_as_one_item() {
    let farm = Farm::start();
    farm.set("/list.php", euc_kr(&tagged("front")));
    // The paper's own RSS carries the first article too, under a guid of its own and another
    // tracker on the same link.
    let article = farm.url("/news/articleView.html?idxno=310001");
    let copy = TestItem {
        link: format!("{article}&utm_source=rss&fbclid=x1"),
        ..TestItem::new(
            "joongdo-310001",
            "대전시, 내년 예산 7조 원 편성… 민생 회복에 무게",
            "2026-12-04T07:35:00Z",
        )
    };
    farm.set("/rss.xml", Route::rss(rss("중도일보 RSS", &[copy])));
    let work = Workdir::new(euc_kr_config(&farm).feed(&farm.url("/rss.xml"), &[]));

    let page = json(&work, &["scrape", "--feed", "중도일보 정치", "--json"]);
    let links: Vec<String> = entries(&page)
        .into_iter()
        .map(|[_, link, ..]| link)
        .collect();
    let base = farm.url("/news/articleView.html?idxno=");
    assert_eq!(
        links,
        ["310001", "310002", "310003"].map(|n| format!("{base}{n}"))
    );

    let output = work.run(&["once"]);
    assert!(output.status.success(), "{}", show(&output));
    let items = published(&work);
    let budget: Vec<&(String, String)> = items
        .iter()
        .filter(|(title, _)| title.starts_with("대전시, 내년 예산"))
        .collect();
    assert_eq!(budget.len(), 1, "one item for both copies: {items:?}");
    assert_eq!(items.len(), 3, "{items:?}");
    assert!(
        items.iter().all(|(_, link)| !link.contains("utm_")),
        "{items:?}"
    );

    // The list page tags its links differently on the next render: the same articles.
    farm.set("/list.php", euc_kr(&tagged("side")));
    let output = work.run(&["once"]);
    assert!(output.status.success(), "{}", show(&output));
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(log.contains("0 new"), "{}", show(&output));
    assert_eq!(published(&work).len(), 3);
}

#[test]
fn a_broken_selector_shows_in_the_status_page_and_the_feeds_list() {
    let farm = Farm::start();
    farm.set(
        "/list.php",
        euc_kr(&EUC_KR_PAGE.replace("article-list", "news-list")),
    );
    let port = free_port();
    let work = Workdir::new(euc_kr_config(&farm).set("listen", format!("127.0.0.1:{port}")));
    let named = "item selector `ul.article-list > li` matched 0 elements";
    let daemon = Daemon::start(&work, &[]);
    let mut status = Value::Null;
    wait_until("the failed poll in /status.json", || {
        status = http_get(port, "/status.json")
            .and_then(|(_, _, body)| serde_json::from_str(&body).ok())
            .unwrap_or(Value::Null);
        status["feeds"][0]["failures"] == 1
    });
    assert_eq!(status["feeds"][0]["name"], "중도일보 정치", "{status}");
    assert_eq!(status["feeds"][0]["last_error"], named, "{status}");
    assert_eq!(status["feeds"][0]["last_status"], 200, "{status}");
    daemon.wait_for_log(named);
    daemon.stop_cleanly();

    let feeds = work.run(&["feeds"]);
    let feeds = String::from_utf8_lossy(&feeds.stdout);
    assert!(feeds.contains(&format!("last error: {named}")), "{feeds}");
}
