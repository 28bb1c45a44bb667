//! `gazette explain` through the real binary: after one `once` over farm feeds, each item's
//! record names the rule that decided and where `feeds.toml` writes it, the copies and story it
//! was merged with and by which test, and `--missing` says why an article is not published.

mod support;

use chrono::{DateTime, TimeDelta, Utc};
use support::{Farm, FeedsToml, Route, Workdir, show};
use testkit::feeds::rss_raw;

/// One RSS item, written as publishers write it.
fn item(guid: &str, title: &str, link: &str, summary: &str, date: DateTime<Utc>) -> String {
    format!(
        "<guid>{guid}</guid><title>{title}</title><link>{link}</link>\
         <description>{summary}</description><pubDate>{}</pubDate>",
        date.to_rfc2822()
    )
}

/// The farm's feeds and a config over them; `once` has run.
struct Scene {
    work: Workdir,
    config: String,
    _farm: Farm,
    farm_url: String,
}

const BUDGET: [(&str, &str, &str, &str); 3] = [
    (
        "joongdo",
        "https://www.joongdo.co.kr/web/view.php?key=101",
        "대전시 내년 예산 6조 8000억 원 편성… 역대 최대",
        "대전시가 2027년도 본예산으로 6조 8000억 원을 편성해 대전시의회에 제출했다. 올해보다 5.2% 늘어난 역대 최대 규모로, 도시철도 2호선 트램 건설과 청년 일자리 사업에 중점을 뒀다.",
    ),
    (
        "daejonilbo",
        "https://www.daejonilbo.com/news/articleView.html?idxno=5501",
        "대전시, 2027년 본예산 6조8천억 역대 최대 규모 편성",
        "대전시는 2027년도 예산안을 6조 8000억 원 규모로 편성해 대전시의회에 제출했다고 2일 밝혔다. 전년 대비 5.2% 증가한 것으로 트램 건설과 청년 일자리에 집중 투자한다.",
    ),
    (
        "cctoday",
        "https://www.cctoday.co.kr/news/articleView.html?idxno=9001",
        "역대 최대 6.8조… 대전시 새해 살림 트램·청년 일자리에 방점",
        "대전시가 역대 최대인 6조 8000억 원 규모의 2027년도 예산안을 편성해 시의회에 제출했다. 이장우 대전시장은 트램 건설과 청년 일자리 사업에 예산을 집중했다고 말했다.",
    ),
];

fn scene() -> Scene {
    let now = Utc::now();
    let ago = |hours: i64| now - TimeDelta::hours(hours);
    let farm = Farm::start();
    farm.set(
        "/bio.xml",
        Route::rss(rss_raw(
            "바이오신문",
            "https://bio.example/",
            &[
                item(
                    "bio-1",
                    "바이오 신약 임상 3상 돌입",
                    "https://bio.example/news/1",
                    "신약 개발 소식",
                    ago(1),
                ),
                item(
                    "ad-1",
                    "[광고] 바이오 건강식품 특가",
                    "https://bio.example/ad/1",
                    "특가 판매",
                    ago(2),
                ),
                item(
                    "future-1",
                    "내년 학회 일정 발표",
                    "https://bio.example/news/9",
                    "학회 일정",
                    now + TimeDelta::days(3),
                ),
            ],
        ))
        .with_etag("\"bio-v1\""),
    );
    farm.set(
        "/wire.xml",
        Route::rss(rss_raw(
            "통신",
            "https://wire.example/",
            &[
                item(
                    "obit-1",
                    "원로 화가 부고",
                    "https://wire.example/obit/1",
                    "별세 소식",
                    ago(1),
                ),
                item(
                    "urn:wire:4242",
                    "국회 본회의 예산안 처리",
                    "https://wire.example/4242",
                    "국회가 예산안을 처리했다",
                    ago(3),
                ),
                item(
                    "777",
                    "시내버스 노선 개편 확정",
                    "https://news.example/daejeon/777",
                    "버스 노선이 바뀐다",
                    ago(4),
                ),
                item(
                    "fire-1",
                    "대전 유성구 아파트 화재 주민 30명 대피",
                    "https://wire.example/fire/1",
                    "화재가 났다",
                    ago(5),
                ),
            ],
        )),
    );
    farm.set(
        "/mirror.xml",
        Route::rss(rss_raw(
            "미러",
            "https://mirror.example/",
            &[
                item(
                    "urn:wire:4242",
                    "국회 본회의서 새해 예산 통과",
                    "https://mirror.example/a/1",
                    "예산이 통과됐다",
                    ago(3),
                ),
                item(
                    "m777",
                    "버스 노선 개편안 최종 확정",
                    "https://m.news.example/daejeon/777?utm_source=rss&amp;fbclid=x",
                    "노선 개편",
                    ago(4),
                ),
                item(
                    "fire-2",
                    "대전 유성구 아파트 화재… 주민 30명 대피해",
                    "https://mirror.example/fire/2",
                    "불이 났다",
                    ago(5),
                ),
            ],
        )),
    );
    for (at, (paper, link, title, summary)) in BUDGET.iter().enumerate() {
        let date = ago(8 - at as i64);
        farm.set(
            &format!("/{paper}.xml"),
            Route::rss(rss_raw(
                paper,
                "https://paper.example/",
                &[item(link, title, link, summary, date)],
            )),
        );
    }
    // Nine items, older than the rest: beyond `max_items` in `all`, and the two oldest beyond
    // what a publish reads of one feed.
    let many: Vec<String> = (0..9)
        .map(|n| {
            let date = match n {
                7 => ago(50),
                8 => ago(24 * 10),
                n => ago(30 + n),
            };
            let (id, title) = (format!("many-{n}"), format!("지역 소식 {n}번째 묶음 기사"));
            item(
                &id,
                &title,
                &format!("https://many.example/{n}"),
                "소식",
                date,
            )
        })
        .collect();
    farm.set(
        "/many.xml",
        Route::rss(rss_raw("지역", "https://many.example/", &many)),
    );

    let farm_url = farm.url("");
    let config = FeedsToml::new()
        .set("max_items", 7)
        .section("politics", "정치/행정")
        .section("bio", "바이오")
        .with("keywords", vec!["제약", "바이오"])
        .with("exclude", vec!["re:^\\[광고\\]"])
        .section("science", "과학")
        .with("keywords", vec!["re:임상\\s*\\d상"])
        .feed(&farm.url("/bio.xml"), &[])
        .feed(&farm.url("/wire.xml"), &["politics"])
        .with("exclude", vec!["부고"])
        .feed(&farm.url("/mirror.xml"), &[])
        .feed(&farm.url("/joongdo.xml"), &[])
        .feed(&farm.url("/daejonilbo.xml"), &[])
        .feed(&farm.url("/cctoday.xml"), &[])
        .feed(&farm.url("/many.xml"), &[])
        .to_string();
    let work = Workdir::new(&config);
    let once = work.run(&["once"]);
    assert!(once.status.success(), "{}", show(&once));
    Scene {
        work,
        config,
        _farm: farm,
        farm_url,
    }
}

impl Scene {
    fn explain(&self, args: &[&str]) -> String {
        let mut all = vec!["explain"];
        all.extend(args);
        let output = self.work.run(&all);
        assert!(output.status.success(), "{}", show(&output));
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// `FILE:LINE:COL` of the `nth` (from 0) place where the config writes `written`.
    fn at(&self, written: &str, nth: usize) -> String {
        let offset = (self.config.match_indices(written).nth(nth))
            .unwrap_or_else(|| panic!("`{written}` is not in the config:\n{}", self.config))
            .0;
        let before = &self.config[..offset];
        let line = before.matches('\n').count() + 1;
        let column = before
            .rsplit('\n')
            .next()
            .unwrap_or_default()
            .chars()
            .count()
            + 1;
        format!("{}:{line}:{column}", self.work.config().display())
    }
}

fn has(text: &str, wanted: &str) {
    assert!(text.contains(wanted), "`{wanted}` is not in:\n{text}");
}

#[test]
fn explain_names_the_rule_the_test_and_the_line_of_every_decision() {
    let scene = scene();

    // A keyword and a regex place one item in two sections.
    let bio = scene.explain(&["신약", "임상"]);
    has(
        &bio,
        &format!(
            "{} keyword \"바이오\" → section bio, shown 1st",
            scene.at("\"바이오\"", 1)
        ),
    );
    has(
        &bio,
        &format!(
            "{} regex \"임상\\s*\\d상\" → section science",
            scene.at("'re:임상", 0)
        ),
    );
    has(&bio, "every kept item → section all, shown");
    has(&bio, "HTTP 200, ETag \"bio-v1\"");
    has(
        &bio,
        "as written: guid \"bio-1\", link https://bio.example/news/1",
    );
    has(&bio, "key:        \"bio-1\", from its guid");
    has(&bio, "published as this item");

    // An exclude of a section takes an item out of it again.
    let ad = scene.explain(&["[광고]"]);
    has(
        &ad,
        &format!(
            "but {} exclude regex \"^\\[광고\\]\" of section bio",
            scene.at("'re:^", 0)
        ),
    );

    // An exclude of a feed keeps an item out of every section.
    let obit = scene.explain(&["부고"]);
    has(
        &obit,
        &format!(
            "{} exclude \"부고\" of feed {}/wire.xml → left out of every section",
            scene.at("\"부고\"", 0),
            scene.farm_url
        ),
    );

    // Copies: the same guid, the same URL under trackers and a mobile host, a near-identical title.
    let guid = scene.explain(&["urn:wire:4242"]);
    has(&guid, "merged with \"국회 본회의서 새해 예산 통과\"");
    has(&guid, ": same guid");
    let url = scene.explain(&["https://news.example/daejeon/777?utm_medium=x"]);
    has(&url, "\"시내버스 노선 개편 확정\"");
    has(&url, "\"버스 노선 개편안 최종 확정\"");
    has(&url, ": same canonical URL after cleaning");
    let fire = scene.explain(&["유성구", "화재"]);
    has(&fire, ": near-identical title, similarity 0.9");

    // A story of three papers, published as its earliest article.
    let story = scene.explain(&["새해", "살림"]);
    has(
        &story,
        "merged with \"대전시 내년 예산 6조 8000억 원 편성… 역대 최대\"",
    );
    has(&story, ": same story, score 0.");
    has(
        &story,
        "published as \"대전시 내년 예산 6조 8000억 원 편성… 역대 최대\"",
    );
    let lead = scene.explain(&["6조", "8000억", "원", "편성"]);
    assert_eq!(lead.matches(": same story, score").count(), 2, "{lead}");

    // Beyond max_items, and a date too far ahead.
    let many = scene.explain(&["소식", "0번째"]);
    has(
        &many,
        &format!(
            "every kept item → section all, beyond {} max_items = 7: not shown",
            scene.at("max_items", 0).replace(":1", ":13")
        ),
    );
    let future = scene.explain(&["학회", "일정"]);
    has(&future, "too far ahead to believe");
}

#[test]
fn json_holds_the_whole_record_with_the_places_of_its_rules() {
    let scene = scene();
    let text = scene.explain(&["--json", "신약", "임상"]);
    let records: serde_json::Value = serde_json::from_str(&text).expect(&text);
    let record = &records[0];
    assert_eq!(record["item"]["item_id"], "bio-1", "{text}");
    assert_eq!(
        record["item"]["feed_url"],
        format!("{}/bio.xml", scene.farm_url)
    );
    assert_eq!(record["first_fetch"]["status"], 200);
    assert_eq!(record["first_fetch"]["etag"], "\"bio-v1\"");
    assert_eq!(record["origin"]["guid"], "bio-1");
    assert_eq!(record["origin"]["id_from"], "guid");
    assert_eq!(record["read_by_last_publish"], true);
    let sections = record["decision"]["sections"].as_array().expect("sections");
    assert_eq!(sections[0]["section"], "all");
    assert_eq!(sections[1]["section"], "bio");
    assert_eq!(sections[1]["by"]["rule"], "keyword");
    assert_eq!(sections[1]["by"]["pattern"], "바이오");
    assert_eq!(sections[1]["rank"], 1);
    let rules = record["rules"].as_array().expect("rules");
    assert_eq!(rules[0]["rule"], "keyword");
    assert_eq!(rules[0]["at"], scene.at("\"바이오\"", 1));
}

#[test]
fn missing_says_why_for_each_reason() {
    let scene = scene();
    let missing = |url: &str| scene.explain(&["--missing", url]);

    let never = missing("https://news.example/never/1");
    has(&never, "never seen in any fetch; the feeds it could be in:");
    has(
        &never,
        &format!("{}/wire.xml — last fetched ", scene.farm_url),
    );

    let filtered = missing("https://wire.example/obit/1");
    has(
        &filtered,
        &format!("filtered: {} exclude \"부고\"", scene.at("\"부고\"", 0)),
    );

    let merged = missing(BUDGET[2].1);
    has(
        &merged,
        "merged into the story published as \"대전시 내년 예산 6조 8000억 원 편성… 역대 최대\"",
    );

    let beyond = missing("https://many.example/0");
    has(&beyond, "beyond max_items in every section it is in: ");
    has(
        &beyond,
        &format!(
            "{} max_items = 7",
            scene.at("max_items", 0).replace(":1", ":13")
        ),
    );

    let windows = missing("https://many.example/7");
    has(&windows, "outside the windows the latest publish reads");
    let old = missing("https://many.example/8");
    has(&old, "dated too far in the past");

    let future = missing("https://bio.example/news/9");
    has(&future, "dated in the future: the feed said ");

    let json: serde_json::Value = serde_json::from_str(&scene.explain(&[
        "--missing",
        "--json",
        "https://wire.example/obit/1",
    ]))
    .expect("json");
    assert_eq!(json["reasons"][0]["reason"], "filtered");
    assert_eq!(json["reasons"][0]["rule"]["rule"], "feed_exclude");
}

#[test]
fn an_item_deleted_takes_its_record_with_it() {
    let scene = scene();
    let db = scene.work.path().join("gazette.db");
    let count = |table: &str, id: &str| -> i64 {
        let conn = rusqlite::Connection::open(&db).expect("open the store");
        conn.query_row(
            &format!("SELECT COUNT(*) FROM {table} WHERE item_id = ?1"),
            [id],
            |row| row.get(0),
        )
        .expect("count")
    };
    assert_eq!(count("items", "bio-1"), 1);
    assert_eq!(count("item_decisions", "bio-1"), 1);
    // What a retention would do: the item goes.
    let conn = rusqlite::Connection::open(&db).expect("open the store");
    conn.execute("DELETE FROM items WHERE item_id = 'bio-1'", [])
        .expect("delete");
    drop(conn);
    assert_eq!(count("item_decisions", "bio-1"), 0);
    let gone = scene.work.run(&["explain", "신약", "임상"]);
    assert!(!gone.status.success(), "{}", show(&gone));
    has(
        &String::from_utf8_lossy(&gone.stderr),
        "no stored item matches `신약 임상`",
    );
}

/// A bad regex never reaches a merge: `check` refuses it at its line and column (the config's
/// own tests, `tests/merge_rules.rs`, hold every kind of bad filter).
#[test]
fn check_refuses_a_bad_regex_at_its_place() {
    let config = FeedsToml::new()
        .section("bio", "바이오")
        .with("keywords", vec!["re:(unclosed"])
        .to_string();
    let work = Workdir::new(&config);
    let output = work.run(&["check"]);
    assert_eq!(output.status.code(), Some(2), "{}", show(&output));
    has(
        &String::from_utf8_lossy(&output.stderr),
        "/feeds.toml:7:13: bad regex `(unclosed`",
    );
}
