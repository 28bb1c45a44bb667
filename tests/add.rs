//! `gazette add URL` through the real binary, against farm sites: a home page announcing one
//! feed, several, or none (then the usual paths are tried), an EUC-KR site, an article page, a
//! feed already listed, `--dry-run`; the comments of `feeds.toml` stay.

mod support;

use chrono::Utc;
use support::{Farm, Route, TestItem, Workdir, rss, show};

/// A config with comments and a layout of its own.
fn config() -> String {
    "# 우리 신문 설정\n[gazette]\nallow_private = true   # the farm is local\n\n\
     [[section]]\nid = \"politics\"\ntitle = \"정치/행정\"\n\n\
     # 지역 일간지\n[[feed]]\nurl = \"https://www.joongdo.example/rss/S1N1.xml\"  # 정치\n"
        .to_owned()
}

fn page(links: &[(&str, &str)]) -> Route {
    let links: String = links
        .iter()
        .map(|(kind, href)| format!("<link rel=\"alternate\" type=\"{kind}\" href=\"{href}\">"))
        .collect();
    Route::feed(
        "text/html; charset=utf-8",
        format!(
            "<!DOCTYPE html><html><head><title>신문</title>{links}</head><body>기사</body></html>"
        ),
    )
}

fn feed(title: &str, items: usize) -> Route {
    let date = Utc::now().to_rfc3339();
    let items: Vec<TestItem> = (0..items)
        .map(|n| TestItem::new(&format!("a{n}"), &format!("기사 {n}"), &date))
        .collect();
    Route::rss(rss(title, &items))
}

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn one_announced_feed_is_added_keeping_the_comments() {
    let farm = Farm::start();
    farm.set("/", page(&[("application/rss+xml", "/rss/allArticle.xml")]));
    farm.set("/rss/allArticle.xml", feed("중도일보 전체기사", 3));
    let work = Workdir::new(config());
    let output = work.run(&[
        "add",
        &farm.url("/"),
        "--section",
        "politics",
        "--name",
        "중도일보",
    ]);
    assert!(output.status.success(), "{}", show(&output));
    let text = stdout(&output);
    assert!(text.contains("found 1 feed at"), "{text}");
    assert!(
        text.contains("rss2.0 · 중도일보 전체기사 · 3 items · newest "),
        "{text}"
    );
    let written = std::fs::read_to_string(work.config()).expect("feeds.toml");
    let expected = format!(
        "{}\n[[feed]]\nurl = \"{}\"\nname = \"중도일보\"\nsections = [\"politics\"]\n",
        config(),
        farm.url("/rss/allArticle.xml")
    );
    assert_eq!(written, expected);
    let check = work.run(&["check"]);
    assert!(check.status.success(), "{}", show(&check));

    // Again: the feed is listed already, and the file stays as it is.
    let again = work.run(&["add", &farm.url("/")]);
    assert!(!again.status.success());
    let error = String::from_utf8_lossy(&again.stderr);
    assert!(
        error.contains("is already listed, at ") && error.contains("feeds.toml:14:7"),
        "{}",
        show(&again)
    );
    assert_eq!(std::fs::read_to_string(work.config()).unwrap(), expected);
}

#[test]
fn several_feeds_are_listed_and_one_is_picked() {
    let farm = Farm::start();
    farm.set(
        "/",
        page(&[
            ("application/rss+xml", "/rss/allArticle.xml"),
            ("application/atom+xml", "/atom.xml"),
            ("application/rss+xml", "/rss/broken.xml"),
        ]),
    );
    farm.set("/rss/allArticle.xml", feed("전체기사", 2));
    farm.set("/atom.xml", Route::atom(support::atom("정치", &[])));
    farm.set("/rss/broken.xml", Route::status(500));
    let work = Workdir::new(config());
    let output = work.run(&["add", &farm.url("/")]);
    assert!(!output.status.success(), "{}", show(&output));
    let text = stdout(&output);
    assert!(text.contains("found 2 feeds at"), "{text}");
    assert!(text.contains("  1. ") && text.contains("  2. "), "{text}");
    assert!(
        text.contains(&format!(
            "skipped  {}: HTTP 500",
            farm.url("/rss/broken.xml")
        )),
        "{text}"
    );
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("2 feeds found: pass --pick N (1 to 2)"),
        "{}",
        show(&output)
    );
    assert_eq!(std::fs::read_to_string(work.config()).unwrap(), config());

    let output = work.run(&["add", &farm.url("/"), "--pick", "2", "--dry-run"]);
    assert!(output.status.success(), "{}", show(&output));
    let text = stdout(&output);
    assert!(
        text.contains("would add to ")
            && text.contains(&format!("[[feed]]\nurl = \"{}\"\n", farm.url("/atom.xml"))),
        "{text}"
    );
    assert_eq!(
        std::fs::read_to_string(work.config()).unwrap(),
        config(),
        "a dry run writes nothing"
    );

    let output = work.run(&["add", &farm.url("/"), "--pick", "2"]);
    assert!(output.status.success(), "{}", show(&output));
    let written = std::fs::read_to_string(work.config()).unwrap();
    assert!(
        written.ends_with(&format!("[[feed]]\nurl = \"{}\"\n", farm.url("/atom.xml"))),
        "{written}"
    );
    let output = work.run(&["add", &farm.url("/"), "--pick", "3"]);
    assert!(!output.status.success());
}

#[test]
fn without_announced_feeds_the_usual_paths_are_tried() {
    let farm = Farm::start();
    farm.set("/", page(&[]));
    farm.set("/rss/allArticle.xml", feed("대전일보", 1));
    let work = Workdir::new(config());
    let output = work.run(&["add", &farm.url("/"), "--dry-run"]);
    assert!(output.status.success(), "{}", show(&output));
    assert!(
        stdout(&output).contains(&farm.url("/rss/allArticle.xml")),
        "{}",
        show(&output)
    );

    // A site with no feed anywhere.
    let bare = Farm::start();
    bare.set("/", page(&[]));
    let output = work.run(&["add", &bare.url("/")]);
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("no feed found at"),
        "{}",
        show(&output)
    );
}

#[test]
fn an_euc_kr_article_page_and_feed_are_read_as_korean() {
    let farm = Farm::start();
    let (html, _, _) = encoding_rs::EUC_KR.encode(
        "<html><head><meta charset=\"euc-kr\"><title>충청일보</title>\
         <link rel=\"alternate\" type=\"application/rss+xml\" href=\"/rss/S1N1.xml\"></head>\
         <body>대전시, 내년 예산 편성</body></html>",
    );
    farm.set(
        "/news/articleView.html",
        Route::feed("text/html", html.into_owned()),
    );
    let xml = rss(
        "충청일보 정치",
        &[TestItem::new(
            "a1",
            "세종시의회 결의안 채택",
            "2026-12-04T07:35:00Z",
        )],
    )
    .replace("encoding=\"utf-8\"", "encoding=\"euc-kr\"");
    let (bytes, _, _) = encoding_rs::EUC_KR.encode(&xml);
    farm.set(
        "/rss/S1N1.xml",
        Route::feed("application/rss+xml", bytes.into_owned()),
    );
    let work = Workdir::new(config());
    let article = format!("{}?idxno=310001", farm.url("/news/articleView.html"));
    let output = work.run(&["add", &article]);
    assert!(output.status.success(), "{}", show(&output));
    let text = stdout(&output);
    assert!(
        text.contains("rss2.0 · 충청일보 정치 · 1 item · newest 2026-12-04 07:35 UTC · euc-kr"),
        "{text}"
    );
    let written = std::fs::read_to_string(work.config()).unwrap();
    assert!(
        written.contains(&format!("url = \"{}\"", farm.url("/rss/S1N1.xml"))),
        "{written}"
    );
}

#[test]
fn a_feed_url_is_taken_as_it_is_and_unknown_sections_are_refused() {
    let farm = Farm::start();
    farm.set("/a.xml", feed("피드", 1));
    let work = Workdir::new(config());
    let output = work.run(&["add", &farm.url("/a.xml"), "--section", "sports"]);
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("no section `sports`"),
        "{}",
        show(&output)
    );
    let output = work.run(&["add", &farm.url("/a.xml")]);
    assert!(output.status.success(), "{}", show(&output));
    assert!(
        stdout(&output).contains("found 1 feed at"),
        "{}",
        show(&output)
    );
}
