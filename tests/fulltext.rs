//! Full text for teaser-only feeds: article pages in the shapes Korean news CMSs publish (the
//! body among navigation, 랭킹뉴스, ads, related links and the copyright line; lazy and
//! `<noscript>` pictures; one page in EUC-KR) and an English one, served by the farm and read
//! through the real binary: what gets published, what the farm was asked, what `gazette feeds`
//! shows when a page fails, and when a page is fetched again.

mod support;

use serde_json::Value;
use support::{Farm, FeedsToml, Route, Workdir, show};
use testkit::feeds::rss_raw;

#[path = "fixtures/fulltext/pages.rs"]
mod pages;
use pages::{EN_PAGE, KO_EUC_KR_PAGE, KO_PAGE, REMOVE, SELECTOR};

fn html(page: &str) -> Route {
    Route::feed("text/html; charset=utf-8", page)
}

/// The page as an old EUC-KR server sends it: only its `<meta http-equiv>` names the charset.
fn euc_kr(page: &str) -> Route {
    let (bytes, _, unmappable) = encoding_rs::EUC_KR.encode(page);
    assert!(!unmappable, "the fixture is all EUC-KR");
    Route::feed("text/html", bytes.into_owned())
}

/// One teaser-only item: (id, title, the article's path on the farm, teaser).
struct Teaser<'a>(&'a str, &'a str, &'a str, &'a str);

/// A feed whose items carry only a teaser, each linking its article page on the farm.
fn teaser_feed(farm: &Farm, items: &[Teaser]) -> Route {
    let items: Vec<String> = items
        .iter()
        .enumerate()
        .map(|(n, Teaser(id, title, path, teaser))| {
            format!(
                "<guid>{id}</guid><title>{title}</title><link>{}</link>\
                 <description>{teaser}</description>\
                 <pubDate>Fri, 04 Dec 2026 0{}:00:00 +0000</pubDate>",
                farm.url(path),
                n % 10
            )
        })
        .collect();
    Route::rss(rss_raw("예시일보", &farm.url("/"), &items))
}

/// `content = "full"` and `full_text = true` on the feed added last.
fn full_text(config: FeedsToml) -> FeedsToml {
    config.with("content", "full").with("full_text", true)
}

fn once(work: &Workdir) {
    let output = work.run(&["once"]);
    assert!(output.status.success(), "{}", show(&output));
}

/// The items of the published JSON Feed of everything, by title.
fn published(work: &Workdir) -> Vec<Value> {
    let feed: Value = serde_json::from_str(&work.read_output("feeds/all.json")).unwrap();
    feed["items"].as_array().cloned().unwrap_or_default()
}

fn item<'a>(items: &'a [Value], title: &str) -> &'a Value {
    items
        .iter()
        .find(|item| item["title"] == title)
        .unwrap_or_else(|| panic!("no item `{title}` in {items:#?}"))
}

fn content(item: &Value) -> &str {
    item["content_html"].as_str().unwrap_or_default()
}

/// `text` appears in `content` exactly once.
fn once_in(content: &str, text: &str) -> bool {
    content.matches(text).count() == 1
}

/// What no published article may hold: the page around the article, and anything unsafe.
fn assert_no_chrome(content: &str) {
    for chrome in [
        "랭킹뉴스",
        "많이 본 뉴스",
        "관련기사",
        "세종 BRT",
        "회원가입",
        "무단전재",
        "기자의 다른기사",
        "광고",
        "banner",
        "개인정보처리방침",
        "대출 상담",
        "<script",
        "onclick",
        "onload",
        "style=",
        "data:image",
        "Most read",
        "Related stories",
        "Sign up",
        "Subscribe",
        "Bridge closure",
    ] {
        assert!(
            !content.contains(chrome),
            "`{chrome}` published:\n{content}"
        );
    }
}

#[test]
fn a_selector_publishes_the_articles_paragraphs_and_pictures_and_none_of_the_page() {
    let farm = Farm::start();
    farm.set("/news/310001.html", html(KO_PAGE));
    farm.set("/news/310002.html", euc_kr(KO_EUC_KR_PAGE));
    farm.set(
        "/rss.xml",
        teaser_feed(
            &farm,
            &[
                Teaser(
                    "310001",
                    "대전시 내년 예산 7조",
                    "/news/310001.html",
                    "대전시가 내년도 본예산을…",
                ),
                Teaser(
                    "310002",
                    "세종시의회 결의안",
                    "/news/310002.html",
                    "세종시의회가 결의안을…",
                ),
            ],
        ),
    );
    let config = full_text(FeedsToml::new().feed(&farm.url("/rss.xml"), &[]))
        .with("full_text_selector", SELECTOR)
        .with("full_text_remove", REMOVE.to_vec());
    let work = Workdir::new(config);
    once(&work);
    let items = published(&work);

    let daejeon = item(&items, "대전시 내년 예산 7조");
    let text = content(daejeon);
    for paragraph in [
        "7조 1,250억 원 규모로 편성해",
        "청년 일자리와 주거 지원 사업에도 920억 원",
        "차질 없이 추진하겠다",
        "오는 16일 본회의에서 최종 확정된다",
        "시장이 4일 기자회견에서",
    ] {
        assert!(
            once_in(text, paragraph),
            "`{paragraph}` not once in:\n{text}"
        );
    }
    // Every picture once, absolute: the plain one, the lazy one with its `<noscript>` copy,
    // the `data-original` one and the one only `<noscript>` holds.
    for picture in [
        "310001_210001_1635.jpg",
        "310001_210002_1640.jpg",
        "310001_210003_1645.jpg",
        "310001_210004_1650.jpg",
    ] {
        let src = format!(
            "src=\"{}\"",
            farm.url(&format!("/news/photo/202612/{picture}"))
        );
        assert!(once_in(text, &src), "{src} not once in:\n{text}");
    }
    assert_no_chrome(text);
    assert_eq!(
        daejeon["summary"], "대전시가 내년도 본예산을…",
        "the summary stays the teaser"
    );

    let sejong = content(item(&items, "세종시의회 결의안"));
    for paragraph in [
        "만장일치로 채택했다",
        "법적 근거가 먼저 마련돼야 한다",
        "세종지방법원 설치",
        "여야가 정쟁을 멈추고",
    ] {
        assert!(
            once_in(sejong, paragraph),
            "`{paragraph}` not once in:\n{sejong}"
        );
    }
    assert!(once_in(
        sejong,
        "src=\"http://img.example.kr/news/photo/202612/310002_1.jpg\""
    ));
    let lazy = format!("src=\"{}\"", farm.url("/news/photo/202612/310002_2.jpg"));
    assert!(once_in(sejong, &lazy), "{lazy} not in:\n{sejong}");
    assert_no_chrome(sejong);

    // Each page was asked for once, and a second cycle asks for none again.
    once(&work);
    assert_eq!(farm.seen("/news/310001.html").len(), 1);
    assert_eq!(farm.seen("/news/310002.html").len(), 1);
    assert_eq!(
        content(item(&published(&work), "세종시의회 결의안")),
        sejong
    );
}

#[test]
fn readability_finds_the_article_without_a_selector() {
    let farm = Farm::start();
    farm.set("/en/park.html", html(EN_PAGE));
    farm.set("/news/310001.html", html(KO_PAGE));
    farm.set(
        "/rss.xml",
        teaser_feed(
            &farm,
            &[
                Teaser(
                    "park",
                    "Riverside park expansion",
                    "/en/park.html",
                    "The council voted.",
                ),
                Teaser(
                    "310001",
                    "대전시 내년 예산 7조",
                    "/news/310001.html",
                    "대전시가 예산을…",
                ),
            ],
        ),
    );
    // No selector: only the clutter inside the Korean article body is named.
    let config = full_text(FeedsToml::new().feed(&farm.url("/rss.xml"), &[]))
        .with("full_text_remove", REMOVE.to_vec());
    let work = Workdir::new(config);
    once(&work);
    let items = published(&work);

    let park = content(item(&items, "Riverside park expansion"));
    for paragraph in [
        "voted 7-2 on Thursday to expand the riverside park",
        "wetlands, a playground and a trail",
        "biggest addition to our public land in a generation",
        "eleven million dollars",
        "three public meetings in January",
        "Photo: Chronicle staff, CC BY 4.0",
    ] {
        assert!(
            once_in(park, paragraph),
            "`{paragraph}` not once in:\n{park}"
        );
    }
    for picture in ["/images/park-800.jpg", "/images/rail-yard.jpg"] {
        let src = format!("src=\"{}\"", farm.url(picture));
        assert!(once_in(park, &src), "{src} not once in:\n{park}");
    }
    assert!(!park.contains("placeholder.svg") && !park.contains(".webp"));
    assert_no_chrome(park);

    let daejeon = content(item(&items, "대전시 내년 예산 7조"));
    for paragraph in [
        "7조 1,250억 원 규모로 편성해",
        "오는 16일 본회의에서 최종 확정된다",
    ] {
        assert!(
            once_in(daejeon, paragraph),
            "`{paragraph}` not once in:\n{daejeon}"
        );
    }
    for picture in ["310001_210002_1640.jpg", "310001_210004_1650.jpg"] {
        assert!(
            once_in(daejeon, picture),
            "{picture} not once in:\n{daejeon}"
        );
    }
    assert_no_chrome(daejeon);
}

#[test]
fn check_refuses_full_text_where_the_publisher_forbids_republishing() {
    let work = Workdir::new(
        "[[feed]]\nurl = \"https://news.example/rss\"\nfull_text = true\n\n\
         [[feed]]\nurl = \"https://news.example/b\"\ncontent = \"full\"\nfull_text = true\n\
         full_text_selector = \"div..body\"\nfull_text_remove = [\"p.ad\", \"p..ad\"]\n\n\
         [[feed]]\nurl = \"https://news.example/c\"\ncontent = \"full\"\n\
         full_text_selector = \"div#body\"\n",
    );
    let output = work.run(&["check"]);
    assert_eq!(output.status.code(), Some(2), "{}", show(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    for expected in [
        "feeds.toml:3:13: `full_text = true` needs `content = \"full\"`",
        "feeds.toml:9:22: bad selector `div..body`",
        "feeds.toml:10:29: bad selector `p..ad`",
        "feeds.toml:15:22: `full_text_selector` without `full_text = true`",
    ] {
        assert!(stderr.contains(expected), "no `{expected}` in:\n{stderr}");
    }
}

#[test]
fn summary_feeds_never_fetch_article_pages() {
    let farm = Farm::start();
    farm.set("/news/310001.html", html(KO_PAGE));
    farm.set(
        "/rss.xml",
        teaser_feed(
            &farm,
            &[Teaser(
                "310001",
                "대전시 내년 예산 7조",
                "/news/310001.html",
                "대전시가…",
            )],
        ),
    );
    let work = Workdir::new(FeedsToml::new().feed(&farm.url("/rss.xml"), &[]));
    once(&work);
    once(&work);
    assert_eq!(farm.seen("/rss.xml").len(), 2);
    assert!(farm.seen("/news/310001.html").is_empty());
    assert_eq!(
        item(&published(&work), "대전시 내년 예산 7조")["summary"],
        "대전시가…"
    );
}

/// `gazette feeds`' output.
fn feeds(work: &Workdir) -> String {
    let output = work.run(&["feeds"]);
    assert!(output.status.success(), "{}", show(&output));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn failures_keep_the_teaser_and_say_why_and_are_retried_only_on_refetch() {
    let farm = Farm::start();
    farm.set("/news/gone.html", Route::status(404));
    farm.set(
        "/news/slow.html",
        html(KO_PAGE).with_delay(std::time::Duration::from_secs(4)),
    );
    farm.set(
        "/news/empty.html",
        html("<html><body><nav>메뉴</nav></body></html>"),
    );
    farm.set(
        "/news/short.html",
        html("<div id=\"article-view-content-div\"><p>짧다.</p></div>"),
    );
    let long_teaser = "세종시의회가 행정수도 완성을 위한 특별법 제정을 국회에 촉구하는 결의안을 \
                       만장일치로 채택했다. 시의회는 본회의에서 결의안을 의결했다.";
    farm.set(
        "/rss.xml",
        teaser_feed(
            &farm,
            &[
                Teaser(
                    "gone",
                    "사라진 기사",
                    "/news/gone.html",
                    "사라진 기사의 요약",
                ),
                Teaser("slow", "느린 기사", "/news/slow.html", "느린 기사의 요약"),
                Teaser("empty", "빈 기사", "/news/empty.html", "빈 기사의 요약"),
                Teaser("short", "짧은 기사", "/news/short.html", long_teaser),
            ],
        ),
    );
    let config = full_text(
        FeedsToml::new()
            .set("timeout", "2s")
            .feed(&farm.url("/rss.xml"), &[])
            .with("name", "예시일보"),
    )
    .with("full_text_selector", SELECTOR);
    let work = Workdir::new(config);
    once(&work);
    let items = published(&work);
    for (title, teaser) in [
        ("사라진 기사", "사라진 기사의 요약"),
        ("느린 기사", "느린 기사의 요약"),
        ("빈 기사", "빈 기사의 요약"),
    ] {
        let published = item(&items, title);
        assert_eq!(published["summary"], teaser);
        assert_eq!(content(published), teaser, "the teaser is the content");
    }
    assert_eq!(content(item(&items, "짧은 기사")), long_teaser);

    let health = feeds(&work);
    assert!(
        health.contains("full text: 0 extracted · 4 failed (teaser kept) · 0 pending"),
        "{health}"
    );
    // Why, on each item, as `gazette feeds` shows it.
    for (path, why) in [
        ("/news/gone.html", "HTTP 404"),
        ("/news/slow.html", "timed out"),
        (
            "/news/empty.html",
            &format!("full_text_selector `{SELECTOR}` matched nothing"),
        ),
        (
            "/news/short.html",
            "extracted text shorter than the teaser (3 < 74 characters)",
        ),
    ] {
        let line = format!("  full text failed, teaser kept: {} (", farm.url(path));
        let shown = health
            .lines()
            .find(|shown| shown.starts_with(&line))
            .unwrap_or_else(|| panic!("no `{line}` in:\n{health}"));
        assert!(shown.ends_with(&format!("): {why}")), "{shown}");
    }

    // Not tried again by the next cycle…
    once(&work);
    for path in [
        "/news/gone.html",
        "/news/slow.html",
        "/news/empty.html",
        "/news/short.html",
    ] {
        assert_eq!(farm.seen(path).len(), 1, "{path}");
    }
    // …but on `refetch`, once the page is back.
    farm.set("/news/gone.html", html(KO_PAGE));
    let output = work.run(&["refetch", "예시일보"]);
    assert!(output.status.success(), "{}", show(&output));
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("4 article pages queued"),
        "{}",
        show(&output)
    );
    once(&work);
    assert_eq!(farm.seen("/news/gone.html").len(), 2);
    let back = content(item(&published(&work), "사라진 기사")).to_owned();
    assert!(back.contains("7조 1,250억 원 규모로 편성해"), "{back}");
    assert!(feeds(&work).contains("full text: 1 extracted · 3 failed"));
}

/// A short article page of its own for item `n`, on the Korean CMS's body element.
fn numbered_page(n: usize) -> Route {
    html(&format!(
        "<html><body><nav>랭킹뉴스</nav><div id=\"article-view-content-div\">\
         <p>{n}번 기사의 본문입니다. 시의회가 {n}번째 안건을 심사했다.</p></div></body></html>"
    ))
}

/// A feed of `count` items whose pages are `/{feed}/N.html`, each answered after `delay`.
fn numbered_feed(farm: &Farm, feed: &str, count: usize, delay: std::time::Duration) -> Route {
    let paths: Vec<(String, String, String)> = (0..count)
        .map(|n| {
            let path = format!("/{feed}/{n}.html");
            farm.set(&path, numbered_page(n).with_delay(delay));
            (format!("{feed}-{n}"), format!("{feed} 안건 {n}호"), path)
        })
        .collect();
    let items: Vec<Teaser> = paths
        .iter()
        .map(|(id, title, path)| Teaser(id, title, path, "요약"))
        .collect();
    teaser_feed(farm, &items).with_delay(delay)
}

#[test]
fn article_fetches_and_feed_polls_of_one_host_stay_within_per_host() {
    let farm = Farm::start();
    let delay = std::time::Duration::from_millis(300);
    farm.set("/a.xml", numbered_feed(&farm, "a", 6, delay));
    farm.set("/b.xml", numbered_feed(&farm, "b", 6, delay));
    farm.set("/c.xml", numbered_feed(&farm, "c", 6, delay));
    let config = FeedsToml::new().set("per_host", 2).set("concurrency", 32);
    let config = full_text(config.feed(&farm.url("/a.xml"), &[]))
        .with("full_text_selector", "div#article-view-content-div");
    let config = full_text(config.feed(&farm.url("/b.xml"), &[]))
        .with("full_text_selector", "div#article-view-content-div");
    // A summary feed of the same host, polled beside them: never an article fetch.
    let work = Workdir::new(config.feed(&farm.url("/c.xml"), &[]));
    once(&work);
    for feed in ["a", "b"] {
        for n in 0..6 {
            assert_eq!(
                farm.seen(&format!("/{feed}/{n}.html")).len(),
                1,
                "/{feed}/{n}"
            );
        }
    }
    for n in 0..6 {
        assert!(farm.seen(&format!("/c/{n}.html")).is_empty());
    }
    // Twelve slow pages and three slow feeds: the limit was reached, never passed.
    assert_eq!(farm.most_in_flight(), 2);
    let items = published(&work);
    assert!(content(item(&items, "b 안건 5호")).contains("5번 기사의 본문입니다"));
}

#[test]
fn a_big_first_poll_is_fetched_a_few_pages_per_cycle() {
    let farm = Farm::start();
    farm.set(
        "/a.xml",
        numbered_feed(&farm, "a", 5, std::time::Duration::ZERO),
    );
    let config = full_text(FeedsToml::new().feed(&farm.url("/a.xml"), &[]))
        .with("full_text_selector", "div#article-view-content-div")
        .with("full_text_max_per_cycle", 2);
    let work = Workdir::new(config);
    let fetched = || {
        (0..5)
            .map(|n| farm.seen(&format!("/a/{n}.html")).len())
            .sum::<usize>()
    };
    let mut per_cycle = Vec::new();
    for _ in 0..4 {
        let before = fetched();
        once(&work);
        per_cycle.push(fetched() - before);
    }
    assert_eq!(per_cycle, [2, 2, 1, 0]);
    assert!(feeds(&work).contains("full text: 5 extracted · 0 failed (teaser kept) · 0 pending"));
}

#[test]
fn existing_items_are_fetched_only_on_refetch_and_conditionally() {
    let farm = Farm::start();
    farm.set("/news/310001.html", html(KO_PAGE).with_etag("\"v1\""));
    farm.set(
        "/rss.xml",
        teaser_feed(
            &farm,
            &[Teaser(
                "310001",
                "대전시 내년 예산 7조",
                "/news/310001.html",
                "대전시가…",
            )],
        ),
    );
    let feed = || {
        FeedsToml::new()
            .feed(&farm.url("/rss.xml"), &[])
            .with("name", "예시일보")
            .with("content", "full")
    };
    let work = Workdir::new(feed());
    once(&work);
    // Switched on later: the item stored before is not fetched by itself…
    std::fs::write(
        work.config(),
        feed()
            .with("full_text", true)
            .with("full_text_selector", SELECTOR)
            .to_string(),
    )
    .unwrap();
    once(&work);
    assert!(farm.seen("/news/310001.html").is_empty());
    assert_eq!(
        content(item(&published(&work), "대전시 내년 예산 7조")),
        "대전시가…"
    );
    // …but on `refetch`.
    let output = work.run(&["refetch", &farm.url("/rss.xml")]);
    assert!(output.status.success(), "{}", show(&output));
    once(&work);
    assert_eq!(farm.seen("/news/310001.html").len(), 1);
    let extracted = content(item(&published(&work), "대전시 내년 예산 7조")).to_owned();
    assert!(
        extracted.contains("7조 1,250억 원 규모로 편성해"),
        "{extracted}"
    );
    // Again: a conditional GET, and the 304 keeps the extract.
    let output = work.run(&["refetch", "예시일보"]);
    assert!(output.status.success(), "{}", show(&output));
    once(&work);
    let seen = farm.seen("/news/310001.html");
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[1].headers["if-none-match"], "\"v1\"");
    assert_eq!(
        content(item(&published(&work), "대전시 내년 예산 7조")),
        extracted
    );
    // A feed without full text has no pages to fetch.
    std::fs::write(work.config(), feed().to_string()).unwrap();
    let output = work.run(&["refetch", "예시일보"]);
    assert_eq!(output.status.code(), Some(1), "{}", show(&output));
    assert!(String::from_utf8_lossy(&output.stderr).contains("has no `full_text = true`"));
}

/// `gazette run` in `work` until `done` holds for `/status.json` (a minute at most: a hang
/// guard), then SIGTERM; gives the last status.
fn run_until(work: &Workdir, port: u16, done: impl Fn(&Value) -> bool) -> Value {
    use std::time::{Duration, Instant};
    let mut child = work
        .command(&["run"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn gazette run");
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        let status = support::http_get(port, "/status.json")
            .filter(|(code, _, _)| *code == 200)
            .and_then(|(_, _, body)| serde_json::from_str::<Value>(&body).ok());
        if let Some(status) = status.as_ref().filter(|status| done(status)) {
            break status.clone();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("never: {status:#?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    support::signal(&child, libc::SIGTERM);
    support::wait_with_timeout(&mut child, Duration::from_secs(60)).expect("run stops");
    status
}

#[test]
fn the_daemon_shows_failures_in_status_json_and_a_restart_fetches_nothing_again() {
    let farm = Farm::start();
    farm.set("/news/310001.html", html(KO_PAGE));
    farm.set("/news/gone.html", Route::status(404));
    farm.set(
        "/rss.xml",
        teaser_feed(
            &farm,
            &[
                Teaser(
                    "310001",
                    "대전시 내년 예산 7조",
                    "/news/310001.html",
                    "대전시가…",
                ),
                Teaser(
                    "gone",
                    "사라진 기사",
                    "/news/gone.html",
                    "사라진 기사의 요약",
                ),
            ],
        ),
    );
    let port = support::free_port();
    let config = |title: &str| {
        full_text(
            FeedsToml::new()
                .set("listen", format!("127.0.0.1:{port}"))
                .set("title", title)
                .feed(&farm.url("/rss.xml"), &[]),
        )
        .with("full_text_selector", SELECTOR)
        .with("full_text_remove", REMOVE.to_vec())
    };
    let work = Workdir::new(config("가제트"));
    let status = run_until(&work, port, |status| {
        status["feeds"][0]["full_text"]["failed"] == 1
            && status["feeds"][0]["full_text"]["extracted"] == 1
    });
    let failures = &status["feeds"][0]["full_text"]["failures"];
    assert_eq!(failures[0]["link"], farm.url("/news/gone.html"), "{status}");
    assert_eq!(failures[0]["error"], "HTTP 404", "{status}");

    // Another title: everything is published anew after the restart, from the store.
    std::fs::remove_dir_all(work.output("")).unwrap();
    std::fs::write(work.config(), config("새 가제트").to_string()).unwrap();
    run_until(&work, port, |status| {
        status["feeds"][0]["full_text"]["extracted"] == 1
    });
    once(&work);
    assert_eq!(farm.seen("/news/310001.html").len(), 1);
    assert_eq!(farm.seen("/news/gone.html").len(), 1);
    let items = published(&work);
    assert!(content(item(&items, "대전시 내년 예산 7조")).contains("7조 1,250억 원 규모로 편성해"));
    assert_eq!(content(item(&items, "사라진 기사")), "사라진 기사의 요약");
}

#[test]
fn the_digest_sums_up_a_title_only_item_from_its_article() {
    let farm = Farm::start();
    farm.set("/en/park.html", html(EN_PAGE));
    let item = format!(
        "<guid>park</guid><title>Riverside park expansion</title><link>{}</link>\
         <pubDate>Fri, 04 Dec 2026 01:00:00 +0000</pubDate>",
        farm.url("/en/park.html")
    );
    farm.set(
        "/rss.xml",
        Route::rss(rss_raw("예시일보", &farm.url("/"), &[item])),
    );
    let config = FeedsToml::new()
        .section("news", "뉴스")
        .feed(&farm.url("/rss.xml"), &["news"]);
    let config = full_text(config).raw(
        "[digest]\nfrom = \"가제트 <news@news.example.kr>\"\n\
         to = [\"reader@example.com\"]\nsmtp = \"smtp://127.0.0.1:1\"\n",
    );
    let work = Workdir::new(config);
    once(&work);
    let output = work.run(&["digest", "--date", "2026-12-04"]);
    assert!(output.status.success(), "{}", show(&output));
    let digest = work.read_output("digest/2026-12-04.html");
    assert!(digest.contains("Riverside park expansion"), "{digest}");
    assert!(digest.contains("voted 7-2 on Thursday"), "{digest}");
}
