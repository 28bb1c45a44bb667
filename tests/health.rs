//! Feed health through the real binary: `feeds/health.{atom,xml,json}` gets one entry per change
//! of a feed's state (failing and recovered, moved with the line to edit, gone, a scrape that
//! finds nothing, silence, future dates), each once, with ids that stay across runs; the files
//! pass the W3C Feed Validator; `gazette feeds --problems` and `--json` say the same.

mod support;

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use support::{Farm, FeedsToml, Route, TestItem, Workdir, rss, show};

/// Where the output is served publicly.
const BASE: &str = "https://news.example.kr/gazette/";

fn item(id: &str, date: DateTime<Utc>) -> TestItem {
    TestItem::new(id, &format!("기사 {id}"), &date.to_rfc3339())
}

/// An RSS feed of items `hours` ago each.
fn feed_of(now: DateTime<Utc>, hours: &[i64]) -> Route {
    let items: Vec<TestItem> = hours
        .iter()
        .map(|h| item(&format!("i{h}"), now - Duration::hours(*h)))
        .collect();
    Route::rss(rss("피드", &items))
}

/// Six feeds, each in trouble of its own kind.
fn troubled(farm: &Farm, now: DateTime<Utc>) -> FeedsToml {
    farm.set("/flaky.xml", Route::status(500));
    farm.set("/old.xml", Route::redirect(301, &farm.url("/new.xml")));
    farm.set("/new.xml", feed_of(now, &[1, 2, 3]));
    farm.set("/gone.xml", Route::status(410));
    farm.set(
        "/list.html",
        Route::feed(
            "text/html; charset=utf-8",
            "<html><body><p>새 단장 중입니다</p></body></html>",
        ),
    );
    // Hourly, and quiet for ten hours.
    farm.set("/quiet.xml", feed_of(now, &[10, 11, 12, 13, 14]));
    let ahead = vec![
        item("now", now - Duration::hours(1)),
        item("ahead", now + Duration::days(3)),
    ];
    farm.set("/ahead.xml", Route::rss(rss("피드", &ahead)));
    FeedsToml::new()
        .set("base_url", BASE)
        .set("move_after", 1)
        .feed(&farm.url("/flaky.xml"), &[])
        .with("name", "Flaky")
        .feed(&farm.url("/old.xml"), &[])
        .with("name", "Mover")
        .feed(&farm.url("/gone.xml"), &[])
        .with("name", "Goner")
        .feed(&farm.url("/list.html"), &[])
        .with("name", "Scraped")
        .raw("[feed.scrape]\nitem = \"ul.articles > li\"\ntitle = \"a\"")
        .feed(&farm.url("/quiet.xml"), &[])
        .with("name", "Quiet")
        .feed(&farm.url("/ahead.xml"), &[])
        .with("name", "Ahead")
}

/// The health feed's Atom entries: id → (title, content).
fn entries(work: &Workdir) -> BTreeMap<String, (String, String)> {
    let xml = work.read_output("feeds/health.atom");
    let feed = atom_syndication::Feed::read_from(xml.as_bytes()).expect("health.atom parses");
    feed.entries()
        .iter()
        .map(|entry| {
            let content = entry
                .content()
                .and_then(|content| content.value())
                .unwrap_or_default()
                .to_owned();
            (
                entry.id().to_owned(),
                (entry.title().value.clone(), content),
            )
        })
        .collect()
}

/// The kind of change an entry id names: `tag:host,2026:health/{feed}/{kind}/{time}`.
fn kind(id: &str) -> &str {
    id.split('/').nth(2).unwrap_or_default()
}

/// (kind, title) of every entry, sorted.
fn kinds(entries: &BTreeMap<String, (String, String)>) -> Vec<(String, String)> {
    let mut kinds: Vec<_> = entries
        .iter()
        .map(|(id, (title, _))| (kind(id).to_owned(), title.clone()))
        .collect();
    kinds.sort();
    kinds
}

fn once(work: &Workdir) {
    let output = work.run(&["once"]);
    assert!(output.status.success(), "{}", show(&output));
}

/// The flaky feed comes back, the quiet one brings an item.
fn recover(farm: &Farm, now: DateTime<Utc>) {
    farm.set("/flaky.xml", feed_of(now, &[1, 2]));
    farm.set("/quiet.xml", feed_of(now, &[0, 10, 11, 12, 13, 14]));
}

/// The troubled feeds polled once, then once recovered: every kind of entry.
fn two_cycles(farm: &Farm, now: DateTime<Utc>) -> Workdir {
    let work = Workdir::new(troubled(farm, now));
    once(&work);
    recover(farm, now);
    once(&work);
    work
}

#[test]
fn every_change_of_state_is_one_entry_with_a_stable_id() {
    let farm = Farm::start();
    let now = Utc::now();
    let config = troubled(&farm, now).to_string();
    let work = Workdir::new(&config);
    once(&work);
    let first = entries(&work);
    assert_eq!(
        kinds(&first),
        [
            ("failing", "Flaky is failing: HTTP 500"),
            ("future-dates", "Ahead dates items in the future"),
            ("gone", "Goner is gone (410)"),
            (
                "moved",
                &*format!("Mover moved to {}", farm.url("/new.xml"))
            ),
            ("scrape-empty", "Scraped: its scrape rules find nothing"),
            ("silent", "Quiet is silent"),
        ]
        .map(|(kind, title)| (kind.to_owned(), title.to_owned())),
        "{first:#?}"
    );
    let content = |kind_: &str| {
        first
            .iter()
            .find(|(id, _)| kind(id) == kind_)
            .map(|(_, (_, content))| content.clone())
            .unwrap_or_default()
    };
    assert!(content("failing").contains("next try"), "{first:#?}");
    assert!(
        content("failing").contains("at most a day apart, and the feed recovers by itself"),
        "{first:#?}"
    );
    assert!(
        content("scrape-empty").contains("item selector `ul.articles > li` matched 0 elements"),
        "{first:#?}"
    );
    // The line and column of the moved and the gone feed's url in feeds.toml.
    let at = |path: &str| {
        let url = format!("\"{}\"", farm.url(path));
        let offset = config.find(&url).expect("the url is in the config");
        let line = config[..offset].lines().count();
        let column = offset - config[..offset].rfind('\n').map_or(0, |n| n + 1) + 1;
        format!("feeds.toml:{line}:{column}")
    };
    for (kind, path) in [("moved", "/old.xml"), ("gone", "/gone.xml")] {
        let place = at(path);
        assert!(content(kind).contains(&place), "{place} in {first:#?}");
    }
    assert!(content("silent").contains("usual gap of 1h"), "{first:#?}");

    // The flaky feed recovers, the quiet one speaks: two more entries, the first ones unchanged.
    recover(&farm, now);
    once(&work);
    let second = entries(&work);
    let mut added: Vec<_> = second
        .iter()
        .filter(|(id, _)| !first.contains_key(*id))
        .map(|(id, (title, _))| (kind(id).to_owned(), title.clone()))
        .collect();
    added.sort();
    assert_eq!(
        added,
        [
            ("recovered".to_owned(), "Flaky recovered".to_owned()),
            ("resumed".to_owned(), "Quiet has new items again".to_owned()),
        ],
        "{second:#?}"
    );
    assert!(first.keys().all(|id| second.contains_key(id)));

    // Nothing changes: the files are not even rewritten.
    let before = work.read_output("feeds/health.atom");
    let modified = std::fs::metadata(work.output("feeds/health.atom"))
        .and_then(|m| m.modified())
        .expect("mtime");
    once(&work);
    assert_eq!(work.read_output("feeds/health.atom"), before);
    let after = std::fs::metadata(work.output("feeds/health.atom"))
        .and_then(|m| m.modified())
        .expect("mtime");
    assert_eq!(modified, after);

    // The three formats carry the same entries under the same ids.
    let json: serde_json::Value =
        serde_json::from_str(&work.read_output("feeds/health.json")).expect("health.json");
    assert_eq!(json["version"], "https://jsonfeed.org/version/1.1");
    let json_ids: Vec<&str> = json["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|item| item["id"].as_str().expect("id"))
        .collect();
    let rss_ids: Vec<String> = support::rss_items(&work.read_output("feeds/health.xml"))
        .into_iter()
        .map(|(guid, _, _)| guid)
        .collect();
    let mut atom_ids: Vec<&str> = second.keys().map(String::as_str).collect();
    let mut sorted_json = json_ids.clone();
    let mut sorted_rss: Vec<&str> = rss_ids.iter().map(String::as_str).collect();
    atom_ids.sort_unstable();
    sorted_json.sort_unstable();
    sorted_rss.sort_unstable();
    assert_eq!(sorted_json, atom_ids);
    assert_eq!(sorted_rss, atom_ids);
    for id in atom_ids {
        assert!(id.starts_with("tag:news.example.kr,2026:health/"), "{id}");
    }
}

#[test]
fn the_health_feed_passes_the_w3c_validator() {
    let farm = Farm::start();
    let work = two_cycles(&farm, Utc::now());
    assert_eq!(entries(&work).len(), 8, "every kind of entry is there");
    let files = [
        work.output("feeds/health.xml"),
        work.output("feeds/health.atom"),
    ];
    // The changes one cycle sees share its time, as the items of real sources often do: the
    // one warning the project's other feeds are allowed too.
    let report = support::tools::assert_w3c_valid(BASE, &work.output(""), &files);
    println!("{}", report.trim_end());
}

#[test]
fn the_health_feed_is_announced_only_when_configured() {
    let farm = Farm::start();
    let now = Utc::now();
    farm.set("/a.xml", feed_of(now, &[1]));
    let config = FeedsToml::new()
        .set("base_url", BASE)
        .feed(&farm.url("/a.xml"), &[]);
    let quiet = Workdir::new(&config);
    once(&quiet);
    assert!(quiet.output("feeds/health.atom").is_file());
    assert!(!quiet.read_output("index.html").contains("health"));
    let linked = Workdir::new(config.set("health_link", true));
    once(&linked);
    let index = linked.read_output("index.html");
    assert!(
        index.contains(&format!("href=\"{BASE}feeds/health.atom\"")),
        "{index}"
    );
}

#[test]
fn feeds_problems_lists_only_the_feeds_in_trouble_with_their_fix() {
    let farm = Farm::start();
    let now = Utc::now();
    farm.set("/fine.xml", feed_of(now, &[0, 1, 2]));
    let config = troubled(&farm, now)
        .feed(&farm.url("/fine.xml"), &[])
        .with("name", "Fine")
        .to_string();
    let work = Workdir::new(&config);
    once(&work);
    let located = |path: &str| {
        let offset = config
            .find(&format!("\"{}\"", farm.url(path)))
            .expect("the url is in the config");
        let line = config[..offset].lines().count();
        let column = offset - config[..offset].rfind('\n').map_or(0, |n| n + 1) + 1;
        format!("feeds.toml:{line}:{column}")
    };

    let output = work.run(&["feeds", "--problems"]);
    assert!(output.status.success(), "{}", show(&output));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(!text.contains("Fine"), "{text}");
    for (path, kind, fix) in [
        (
            "/flaky.xml",
            "failing",
            "none if the site comes back: gazette retries at ",
        ),
        ("/old.xml", "moved", "change its url at "),
        ("/gone.xml", "gone", "remove its entry at "),
        (
            "/list.html",
            "scrape-empty",
            "fix its [feed.scrape] rules under ",
        ),
        (
            "/quiet.xml",
            "silent",
            "check that the site still publishes at the url at ",
        ),
        (
            "/ahead.xml",
            "future-dates",
            "set the zone its dates are really in with `timezone` under ",
        ),
    ] {
        let block = text
            .split(&format!("{}  (", farm.url(path)))
            .nth(1)
            .unwrap_or_else(|| panic!("{path} is not listed:\n{text}"));
        let mut lines = block.lines().skip(1);
        let problem = lines.next().unwrap_or_default();
        let action = lines.next().unwrap_or_default();
        assert!(
            problem.starts_with(&format!("  {kind}: ")),
            "{path}: {problem}"
        );
        assert!(
            action.starts_with(&format!("  fix: {fix}")) && action.contains(&located(path)),
            "{path}: {action}"
        );
    }

    let output = work.run(&["feeds", "--json"]);
    assert!(output.status.success(), "{}", show(&output));
    let feeds: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let feeds = feeds.as_array().expect("an array");
    assert_eq!(feeds.len(), 7);
    let fine = feeds
        .iter()
        .find(|feed| feed["name"] == "Fine")
        .expect("the fine feed");
    assert_eq!(fine["problem"], serde_json::Value::Null);
    assert_eq!(fine["last_status"], 200);
    assert_eq!(fine["items"], 3);
    let gone = feeds
        .iter()
        .find(|feed| feed["name"] == "Goner")
        .expect("the gone feed");
    assert_eq!(gone["gone"], true);
    assert_eq!(gone["problem"]["kind"], "gone");

    let output = work.run(&["feeds", "--problems", "--json"]);
    let problems: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(problems.as_array().map(Vec::len), Some(6));
}
