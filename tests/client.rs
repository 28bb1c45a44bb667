//! A real feed reader reads what `gazette run` serves: Python's feedparser fetches every published
//! feed over HTTP (compressed, as it asks) and must see the expected items with no warning
//! (`bozo`). Python with feedparser is required (`GAZETTE_PYTHON`, set up by `.ci/run`): without it
//! the test fails, saying how to get it.

mod support;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::{Farm, FeedsToml, Route, TestItem, Workdir, atom, free_port, rss};

/// Reads each URL given as an argument; prints one JSON object per feed.
const READER: &str = r#"
import json, sys, feedparser
for url in sys.argv[1:]:
    d = feedparser.parse(url)
    print(json.dumps({
        "url": url,
        "status": d.get("status"),
        "encoding": d.get("headers", {}).get("content-encoding"),
        "bozo": bool(d.bozo),
        "problem": str(d.get("bozo_exception", "")),
        "version": d.version,
        "title": d.feed.get("title"),
        "entries": [{"id": e.get("id"), "title": e.get("title"), "link": e.get("link")}
                    for e in d.entries],
    }, ensure_ascii=False))
"#;

#[test]
fn feedparser_reads_every_feed_without_warnings() {
    let python = support::tools::python(&["feedparser"]);
    let farm = Farm::start();
    farm.set(
        "/a.xml",
        Route::rss(rss(
            "중도일보",
            &[
                TestItem::new("a1", "대전시 예산안 통과 <속보>", "2026-01-11T07:35:00Z"),
                TestItem::new("a2", "유성구 & 서구 축제", "2026-01-10T07:35:00Z"),
            ],
        )),
    );
    farm.set(
        "/b.atom",
        Route::atom(atom(
            "대전일보",
            &[TestItem::new(
                "b1",
                "한화 이글스 개막전 승리",
                "2026-01-09T10:00:00Z",
            )],
        )),
    );
    let port = free_port();
    let work = Workdir::new(
        FeedsToml::new()
            .set("listen", format!("127.0.0.1:{port}"))
            .section("politics", "정치/행정")
            .feed(&farm.url("/a.xml"), &["politics"])
            .feed(&farm.url("/b.atom"), &[]),
    );
    let mut child = work
        .command(&["run"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn gazette run");
    let base = format!("http://127.0.0.1:{port}/feeds/");
    let urls: Vec<String> = ["all.xml", "all.atom", "politics.xml", "politics.atom"]
        .iter()
        .map(|name| format!("{base}{name}"))
        .collect();

    // A minute at most for the first cycle to be published (a hang guard).
    let deadline = Instant::now() + Duration::from_secs(60);
    let feeds = loop {
        let output = Command::new(&python)
            .arg("-c")
            .arg(READER)
            .args(&urls)
            .output()
            .expect("run python");
        // Until the server is up, the reader fails to connect.
        let feeds: Vec<serde_json::Value> = String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(|line| serde_json::from_str(line).ok())
            .collect();
        // Every file, not just the first: a publish writes them one after another.
        let complete = output.status.success()
            && feeds.len() == urls.len()
            && feeds.iter().all(|feed| {
                let wanted = if feed["url"].as_str().is_some_and(|u| u.contains("politics")) {
                    2
                } else {
                    3
                };
                feed["status"] == 200
                    && feed["entries"]
                        .as_array()
                        .is_some_and(|e| e.len() == wanted)
            });
        if complete {
            break feeds;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!(
                "the feeds never had every item: {feeds:?}\n{}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let _ = child.kill();
    let _ = child.wait();

    for feed in &feeds {
        let url = feed["url"].as_str().unwrap();
        assert_eq!(feed["status"], 200, "{url}");
        assert_eq!(feed["bozo"], false, "{url}: {}", feed["problem"]);
        assert_eq!(feed["encoding"], "gzip", "{url}: served precompressed");
        let expected_version = if url.ends_with(".xml") {
            "rss20"
        } else {
            "atom10"
        };
        assert_eq!(feed["version"], expected_version, "{url}");
        let entries = feed["entries"].as_array().unwrap();
        let titles: Vec<&str> = entries
            .iter()
            .map(|e| e["title"].as_str().unwrap())
            .collect();
        let expected: &[&str] = if url.contains("politics") {
            &["대전시 예산안 통과 <속보>", "유성구 & 서구 축제"]
        } else {
            &[
                "대전시 예산안 통과 <속보>",
                "유성구 & 서구 축제",
                "한화 이글스 개막전 승리",
            ]
        };
        assert_eq!(titles, expected, "{url}");
        for entry in entries {
            assert!(
                entry["id"]
                    .as_str()
                    .is_some_and(|id| id.starts_with("tag:")),
                "{url}"
            );
            assert!(
                entry["link"]
                    .as_str()
                    .is_some_and(|l| l.starts_with("https://news.example/")),
                "{url}: {entry}"
            );
        }
    }
}
