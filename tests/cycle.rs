//! End to end: feeds served by a local farm → `gazette once` → published files, as a user sees them.

mod support;

use std::collections::BTreeSet;
use std::time::Duration;

use support::{
    Farm, FeedsToml, Route, TestItem, Workdir, atom, atom_entries, free_port, one_feed, rss,
    rss_items, show,
};

/// Three feeds into two sections: politics ← a, b; economy ← b, c.
fn three_feeds(farm: &Farm) -> Workdir {
    farm.set(
        "/a.xml",
        Route::rss(rss(
            "중도일보 정치",
            &[
                TestItem::new("a1", "대전시의회 예산 의결", "2026-01-11T07:35:00Z"),
                TestItem::new("a2", "시장 기자회견", "2026-01-11T05:00:00Z"),
            ],
        )),
    );
    farm.set(
        "/b.atom",
        Route::atom(atom(
            "Atom Wire",
            &[TestItem::new(
                "urn:b1",
                "Budget passes",
                "2026-01-11T06:00:00Z",
            )],
        )),
    );
    farm.set(
        "/c.xml",
        Route::rss(rss(
            "경제신문",
            &[
                TestItem::new("c1", "코스피 상승", "2026-01-11T08:00:00Z"),
                TestItem::new("c2", "환율 하락", "2026-01-10T23:00:00Z"),
            ],
        )),
    );
    Workdir::new(
        FeedsToml::new()
            .set("title", "가제트")
            .set("base_url", "https://gazette.example/")
            .set("listen", format!("127.0.0.1:{}", free_port()))
            .section("politics", "정치/행정")
            .section("economy", "경제")
            .feed(&farm.url("/a.xml"), &["politics"])
            .with("name", "중도일보")
            .feed(&farm.url("/b.atom"), &["politics", "economy"])
            .feed(&farm.url("/c.xml"), &["economy"]),
    )
}

fn titles(items: &[(String, String, String)]) -> Vec<&str> {
    items.iter().map(|(_, title, _)| title.as_str()).collect()
}

#[test]
fn three_feeds_into_two_sections() {
    let farm = Farm::start();
    let work = three_feeds(&farm);
    let output = work.run(&["once"]);
    assert!(output.status.success(), "{}", show(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("중도일보"), "{stdout}");
    assert!(stdout.contains("200"), "{stdout}");

    let politics = rss_items(&work.read_output("feeds/politics.xml"));
    assert_eq!(
        titles(&politics),
        ["대전시의회 예산 의결", "Budget passes", "시장 기자회견"],
        "newest first, only the section's feeds"
    );
    let economy = rss_items(&work.read_output("feeds/economy.xml"));
    assert_eq!(
        titles(&economy),
        ["코스피 상승", "Budget passes", "환율 하락"]
    );
    let all = rss_items(&work.read_output("feeds/all.xml"));
    assert_eq!(all.len(), 5);
    assert_eq!(all[0].2, "https://news.example/c1", "links to the original");

    let atom_politics = atom_entries(&work.read_output("feeds/politics.atom"));
    let rss_ids: Vec<_> = politics.iter().map(|(id, _, _)| id.clone()).collect();
    let atom_ids: Vec<_> = atom_politics.iter().map(|(id, _)| id.clone()).collect();
    assert_eq!(rss_ids, atom_ids, "RSS guid and atom:id agree");
    assert!(work.output("feeds/all.atom").exists());
    assert!(work.output("feeds/economy.atom").exists());

    // Sources are named: the configured name, else the feed's own title.
    let channel =
        rss::Channel::read_from(work.read_output("feeds/politics.xml").as_bytes()).unwrap();
    let sources: BTreeSet<_> = channel
        .items()
        .iter()
        .filter_map(|item| item.source().and_then(|s| s.title().map(str::to_owned)))
        .collect();
    assert_eq!(
        sources,
        BTreeSet::from(["중도일보".to_owned(), "Atom Wire".to_owned()])
    );
    assert_eq!(channel.title(), "가제트 — 정치/행정");
}

#[test]
fn cycles_and_restarts_keep_guids_and_add_no_duplicates() {
    let farm = Farm::start();
    let work = three_feeds(&farm);
    assert!(work.run(&["once"]).status.success());
    let first = rss_items(&work.read_output("feeds/all.xml"));

    // A new process is a restart: the store is reopened from disk.
    let output = work.run(&["once"]);
    assert!(output.status.success(), "{}", show(&output));
    assert_eq!(rss_items(&work.read_output("feeds/all.xml")), first);

    // A changed item is updated in place, keeping its guid; a new one is added.
    farm.set(
        "/c.xml",
        Route::rss(rss(
            "경제신문",
            &[
                TestItem::new("c1", "코스피 상승 (종합)", "2026-01-11T08:00:00Z"),
                TestItem::new("c2", "환율 하락", "2026-01-10T23:00:00Z"),
                TestItem::new("c3", "금리 동결", "2026-01-11T09:00:00Z"),
            ],
        )),
    );
    let output = work.run(&["once"]);
    assert!(output.status.success(), "{}", show(&output));
    let third = rss_items(&work.read_output("feeds/all.xml"));
    assert_eq!(third.len(), 6);
    assert_eq!(third[0].1, "금리 동결");
    let c1_before = first
        .iter()
        .find(|(_, _, link)| link.ends_with("/c1"))
        .unwrap();
    let c1_after = third
        .iter()
        .find(|(_, _, link)| link.ends_with("/c1"))
        .unwrap();
    assert_eq!(c1_before.0, c1_after.0, "guid is stable");
    assert_eq!(c1_after.1, "코스피 상승 (종합)");
    let guids: BTreeSet<_> = third.iter().map(|(guid, _, _)| guid).collect();
    assert_eq!(guids.len(), third.len(), "guids are unique");
}

#[test]
fn conditional_get_sends_the_stored_etag() {
    let farm = Farm::start();
    let work = three_feeds(&farm);
    farm.set(
        "/a.xml",
        Route::rss(rss(
            "중도일보",
            &[TestItem::new("a1", "제목", "2026-01-11T07:35:00Z")],
        ))
        .with_etag("\"v1\""),
    );
    assert!(work.run(&["once"]).status.success());
    let output = work.run(&["once"]);
    assert!(output.status.success(), "{}", show(&output));
    let seen = farm.seen("/a.xml");
    assert_eq!(seen.len(), 2);
    assert_eq!(
        seen[1]
            .headers
            .get("if-none-match")
            .and_then(|v| v.to_str().ok()),
        Some("\"v1\"")
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("304"), "{stdout}");
}

#[test]
fn failing_feeds_do_not_stop_the_others() {
    let farm = Farm::start();
    farm.set(
        "/good.xml",
        Route::rss(rss(
            "Good",
            &[TestItem::new("g1", "살아있는 기사", "2026-01-11T07:35:00Z")],
        )),
    );
    farm.set("/gone.xml", Route::status(404));
    farm.set("/garbage.xml", Route::rss("this is not a feed <<<"));
    farm.set(
        "/slow.xml",
        Route::rss(rss("Slow", &[])).with_delay(Duration::from_secs(20)),
    );
    let refused = format!("http://127.0.0.1:{}/refused.xml", free_port());
    let work = Workdir::new(
        FeedsToml::new()
            .set("per_host", 8)
            .set("timeout", "2s")
            .section("news", "뉴스")
            .feed(&farm.url("/good.xml"), &["news"])
            .feed(&farm.url("/gone.xml"), &["news"])
            .feed(&farm.url("/garbage.xml"), &["news"])
            .feed(&farm.url("/slow.xml"), &["news"])
            .feed(&refused, &["news"]),
    );
    let output = work.run(&["once"]);
    assert!(
        output.status.success(),
        "one good feed is enough: {}",
        show(&output)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("HTTP 404"), "{stdout}");
    assert!(stdout.contains("timed out"), "{stdout}");
    assert!(stdout.contains("not a feed"), "{stdout}");
    assert!(stdout.contains("connection failed"), "{stdout}");
    // The cause, not the HTTP client's wrappers that repeat the URL.
    assert!(!stdout.contains("error sending request"), "{stdout}");
    assert!(stdout.contains("4 failed"), "{stdout}");
    let items = rss_items(&work.read_output("feeds/news.xml"));
    assert_eq!(titles(&items), ["살아있는 기사"]);
}

#[test]
fn every_feed_failing_is_an_error() {
    let farm = Farm::start();
    farm.set("/gone.xml", Route::status(500));
    let work = Workdir::new(FeedsToml::new().feed(&farm.url("/gone.xml"), &[]));
    let output = work.run(&["once"]);
    assert_eq!(output.status.code(), Some(1), "{}", show(&output));
    assert!(String::from_utf8_lossy(&output.stderr).contains("every feed failed"));
}

#[test]
fn invalid_config_writes_nothing() {
    let work = Workdir::new("[[feed]]\nurl = \"not a url\"\n");
    for command in ["once", "check"] {
        let output = work.run(&[command]);
        assert_eq!(output.status.code(), Some(2), "{}", show(&output));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("feeds.toml:2:7:"), "{stderr}");
    }
    assert!(!work.path().join("output").exists());
    assert!(!work.path().join("gazette.db").exists());
}

#[test]
fn unwritable_output_dir_is_named() {
    let farm = Farm::start();
    let work = Workdir::new(one_feed(&farm, "제목").set("output_dir", "blocked/out"));
    // A regular file where a folder should be: unwritable even for root.
    std::fs::write(work.path().join("blocked"), "file").unwrap();
    let output = work.run(&["once"]);
    assert_eq!(output.status.code(), Some(1), "{}", show(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("blocked"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// Forty feeds of five items an hour apart, in section `news`, more than a first read takes: the
/// config polling them, to add to.
fn busy_feeds(farm: &Farm) -> FeedsToml {
    let newest: chrono::DateTime<chrono::Utc> = "2026-01-20T00:00:00Z".parse().unwrap();
    let mut config = FeedsToml::new().set("max_items", 5).section("news", "뉴스");
    for feed in 0..40 {
        let items: Vec<TestItem> = (0..5)
            .map(|n| {
                let hour = feed * 5 + n;
                let date = newest - chrono::TimeDelta::hours(hour);
                TestItem::new(
                    &format!("busy{hour}"),
                    &format!("속보 {hour}"),
                    &date.to_rfc3339(),
                )
            })
            .collect();
        let path = format!("/busy{feed}.xml");
        farm.set(&path, Route::rss(rss(&format!("통신사 {feed}"), &items)));
        config = config.feed(&farm.url(&path), &["news"]);
    }
    config
}

/// How many items the publish logged it read.
fn items_read(output: &std::process::Output) -> usize {
    let log = String::from_utf8_lossy(&output.stderr);
    log.split("read and merged ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|count| count.parse().ok())
        .unwrap_or_else(|| panic!("no publish line in {log}"))
}

/// A publish reads the store newest first, only as far as the edition reaches: a section whose
/// only feed went quiet long ago still shows its items, however many newer ones the others have.
#[test]
fn a_quiet_section_still_shows_its_old_items() {
    let farm = Farm::start();
    let quiet = [
        TestItem::new("q1", "기획연재 1회", "2025-11-01T00:00:00Z"),
        TestItem::new("q2", "기획연재 2회", "2025-11-08T00:00:00Z"),
    ];
    farm.set("/quiet.xml", Route::rss(rss("기획", &quiet)));
    let work = Workdir::new(
        busy_feeds(&farm)
            .section("series", "기획연재")
            .feed(&farm.url("/quiet.xml"), &["series"]),
    );
    let output = work.run(&["once"]);
    assert!(output.status.success(), "{}", show(&output));
    let series = rss_items(&work.read_output("feeds/series.xml"));
    assert_eq!(titles(&series), ["기획연재 2회", "기획연재 1회"]);
    let news = rss_items(&work.read_output("feeds/news.xml"));
    assert_eq!(
        titles(&news),
        ["속보 0", "속보 1", "속보 2", "속보 3", "속보 4"]
    );
    assert_eq!(items_read(&output), 202, "everything, to fill the series");
}

/// A section nothing can fill does not make a publish read the whole store.
#[test]
fn an_empty_section_reads_no_further() {
    let farm = Farm::start();
    let work = Workdir::new(busy_feeds(&farm).section("empty", "빈 섹션"));
    let output = work.run(&["once"]);
    assert!(output.status.success(), "{}", show(&output));
    assert_eq!(rss_items(&work.read_output("feeds/empty.xml")), []);
    let read = items_read(&output);
    assert!(read < 200, "read {read} of 200 items");
}

/// The modification time of a published file.
fn modified(work: &Workdir, relative: &str) -> std::time::SystemTime {
    std::fs::metadata(work.output(relative))
        .and_then(|meta| meta.modified())
        .unwrap_or_else(|error| panic!("{relative}: {error}"))
}

/// A cycle in which every feed answered 304 or the same body reads and merges nothing and
/// leaves every file alone; a new item, a changed config or a deleted file publishes again.
#[test]
fn nothing_changed_publishes_nothing() {
    let farm = Farm::start();
    let work = three_feeds(&farm);
    let first = work.run(&["once"]);
    assert!(first.status.success(), "{}", show(&first));
    assert!(items_read(&first) > 0);
    let files = ["feeds/all.xml", "index.html", ".gazette-files"];
    // One feed answers 304, the others the same bodies.
    farm.set(
        "/a.xml",
        Route::rss(rss(
            "중도일보 정치",
            &[TestItem::new(
                "a1",
                "대전시의회 예산 의결",
                "2026-01-11T07:35:00Z",
            )],
        ))
        .with_etag("\"v1\""),
    );
    assert!(work.run(&["once"]).status.success());
    let before: Vec<_> = files.iter().map(|file| modified(&work, file)).collect();

    let quiet = work.run(&["once"]);
    assert!(quiet.status.success(), "{}", show(&quiet));
    assert!(String::from_utf8_lossy(&quiet.stdout).contains("304"));
    let log = String::from_utf8_lossy(&quiet.stderr);
    assert!(!log.contains("read and merged"), "{log}");
    assert!(
        log.contains("nothing changed since the last publish"),
        "{log}"
    );
    let after: Vec<_> = files.iter().map(|file| modified(&work, file)).collect();
    assert_eq!(after, before, "no file was touched");

    farm.set(
        "/c.xml",
        Route::rss(rss(
            "경제신문",
            &[TestItem::new("c3", "금리 동결", "2026-01-11T09:00:00Z")],
        )),
    );
    let news = work.run(&["once"]);
    assert!(news.status.success(), "{}", show(&news));
    assert!(items_read(&news) > 0, "a new item is merged");
    assert_eq!(
        rss_items(&work.read_output("feeds/all.xml"))[0].1,
        "금리 동결"
    );

    std::fs::remove_file(work.output("feeds/economy.xml")).unwrap();
    let restored = work.run(&["once"]);
    assert!(
        items_read(&restored) > 0,
        "a deleted file is published again"
    );
    assert!(work.output("feeds/economy.xml").is_file());

    let config = std::fs::read_to_string(work.config()).unwrap();
    std::fs::write(work.config(), config.replace("가제트", "새 가제트")).unwrap();
    let renamed = work.run(&["once"]);
    assert!(items_read(&renamed) > 0, "a changed config publishes again");
    assert!(work.read_output("feeds/all.xml").contains("새 가제트"));
}
