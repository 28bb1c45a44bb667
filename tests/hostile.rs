//! Hostile configs, feeds and OPML files through the real binary: out-of-range durations (at
//! `check` and on reload), failing feeds polled too often, terminal escapes, feeds of too many
//! items, HTML nested a hundred thousand deep, and long OPML files.

mod support;

use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use support::{
    Farm, Route, TestItem, Workdir, free_port, http_get, rss, rss_items, show, signal,
    wait_with_timeout,
};

/// Waits until the daemon at `port` serves `path` with a body containing `text`.
fn wait_for(port: u16, path: &str, text: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some((200, _, body)) = http_get(port, path)
            && body.contains(text)
        {
            return body;
        }
        assert!(Instant::now() < deadline, "{path} never held {text:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A running `gazette run`, killed if the test fails before stopping it.
struct Daemon(Child);

impl Daemon {
    fn start(work: &Workdir) -> Daemon {
        let child = work
            .command(&["run"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn gazette run");
        Daemon(child)
    }

    fn running(&mut self) -> bool {
        matches!(self.0.try_wait(), Ok(None))
    }

    /// SIGTERM, and a clean exit.
    fn stop(mut self) {
        signal(&self.0, libc::SIGTERM);
        let status = wait_with_timeout(&mut self.0, Duration::from_secs(15));
        assert!(
            status.is_some_and(|s| s.success()),
            "clean exit on SIGTERM: {status:?}"
        );
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        // Already reaped after `stop`: then this does nothing.
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn one_item_feed(title: &str) -> Route {
    Route::rss(rss(
        "중도일보",
        &[TestItem::new("a1", title, "2026-01-11T07:35:00Z")],
    ))
}

#[test]
fn check_bounds_every_poll_interval() {
    let cases = [
        (
            "[gazette]\npoll_interval = \"300000y\"\n",
            ":2:17: duration `300000y` is too long: expected at most \"30days\"",
        ),
        (
            "[gazette]\npoll_interval = \"1ms\"\n",
            ":2:17: duration `1ms` is too short: expected at least \"1m\"",
        ),
        (
            "[[feed]]\nurl = \"https://a.example/rss\"\ninterval = \"300000y\"\n",
            ":3:12: duration `300000y` is too long: expected at most \"30days\"",
        ),
        (
            "[[feed]]\nurl = \"https://a.example/rss\"\ninterval = \"1ns\"\n",
            ":3:12: duration `1ns` is too short: expected at least \"1m\"",
        ),
    ];
    for (config, expected) in cases {
        let work = Workdir::new(config);
        for command in ["check", "once"] {
            let output = work.run(&[command]);
            assert_eq!(output.status.code(), Some(2), "{}", show(&output));
            let stderr = String::from_utf8_lossy(&output.stderr);
            let expected = format!("feeds.toml{expected}");
            assert!(stderr.contains(&expected), "{expected}\n{}", show(&output));
        }
    }
}

#[test]
fn the_longest_interval_runs_a_cycle() {
    let farm = Farm::start();
    farm.set("/a.xml", one_item_feed("대전 소식"));
    let work = Workdir::new(format!(
        "[gazette]\nallow_private = true\npoll_interval = \"30days\"\n\n[[feed]]\nurl = \"{}\"\ninterval = \"30days\"\n",
        farm.url("/a.xml")
    ));
    for _ in 0..2 {
        let output = work.run(&["once"]);
        assert!(output.status.success(), "{}", show(&output));
    }
    let output = work.run(&["feeds"]);
    assert!(output.status.success(), "{}", show(&output));
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("next poll 2"),
        "{}",
        show(&output)
    );
}

#[test]
fn sighup_with_an_out_of_range_interval_keeps_the_daemon_running() {
    let farm = Farm::start();
    farm.set("/a.xml", one_item_feed("대전 소식"));
    let port = free_port();
    let config = |interval: &str| {
        format!(
            "[gazette]\nallow_private = true\nlisten = \"127.0.0.1:{port}\"\n\n[[feed]]\nurl = \"{}\"\ninterval = \"{interval}\"\n",
            farm.url("/a.xml")
        )
    };
    let work = Workdir::new(config("15m"));
    let mut daemon = Daemon::start(&work);
    wait_for(port, "/feeds/all.xml", "대전 소식");

    for interval in ["300000y", "1ns"] {
        std::fs::write(work.config(), config(interval)).expect("rewrite feeds.toml");
        signal(&daemon.0, libc::SIGHUP);
        // The reload settles, then is refused; the daemon keeps serving the last good config.
        std::thread::sleep(Duration::from_millis(1500));
        assert!(
            daemon.running(),
            "the daemon is still running after a reload with interval = {interval}"
        );
        assert_eq!(http_get(port, "/healthz").map(|r| r.0), Some(200));
    }
    daemon.stop();
}

#[test]
fn a_failing_feed_backs_off() {
    let farm = Farm::start();
    farm.set("/failing.xml", Route::status(500));
    farm.set("/a.xml", one_item_feed("대전 소식"));
    let port = free_port();
    let work = Workdir::new(format!(
        "[gazette]\nallow_private = true\nlisten = \"127.0.0.1:{port}\"\npoll_interval = \"1m\"\n\n\
         [[feed]]\nurl = \"{}\"\n\n[[feed]]\nurl = \"{}\"\n",
        farm.url("/failing.xml"),
        farm.url("/a.xml")
    ));
    let daemon = Daemon::start(&work);
    wait_for(port, "/feeds/all.xml", "대전 소식");
    // Several of the daemon's wake-ups (it wakes at least every 200 ms while a feed is due).
    std::thread::sleep(Duration::from_secs(4));
    daemon.stop();
    // Once, and retried after two minutes at the earliest: a generous bound, never a timing.
    let failing = farm.seen("/failing.xml").len();
    assert!(
        (1..=2).contains(&failing),
        "{failing} polls of the failing feed"
    );
    let healthy = farm.seen("/a.xml").len();
    assert!(
        (1..=2).contains(&healthy),
        "{healthy} polls of the healthy feed"
    );
}

/// A JSON Feed whose title, item title and summary carry terminal escape sequences.
const ESCAPES: &str = r#"{"version": "https://jsonfeed.org/version/1.1",
 "title": "\u001b]0;pwned\u0007\u001b[2J중도일보",
 "home_page_url": "https://news.example/",
 "items": [{"id": "1", "url": "https://news.example/1",
   "title": "\u001b[31m빨간 속보\u001b[0m",
   "content_html": "<p>본문\u001b[2J &#27;[1m끝</p>",
   "date_published": "2026-01-11T07:35:00Z"}]}"#;

#[test]
fn terminal_escapes_are_stripped_and_never_printed() {
    let farm = Farm::start();
    farm.set(
        "/escapes.json",
        Route::feed("application/feed+json", ESCAPES),
    );
    let work = Workdir::new(format!(
        "[gazette]\nallow_private = true\n\n[[feed]]\nurl = \"{}\"\ncontent = \"full\"\n",
        farm.url("/escapes.json")
    ));
    let esc = |text: &str| text.contains('\u{1b}') || text.contains('\u{7}');
    for command in ["once", "feeds"] {
        let output = work.run(&[command]);
        assert!(output.status.success(), "{}", show(&output));
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(!esc(&stdout), "{command} printed an escape: {stdout:?}");
        if command == "once" {
            assert!(stdout.contains("]0;pwned[2J중도일보"), "{stdout}");
        }
    }
    for file in [
        "index.html",
        "feeds/all.xml",
        "feeds/all.atom",
        "feeds/all.json",
    ] {
        let published = work.read_output(file);
        assert!(!esc(&published), "{file} holds an escape");
        assert!(published.contains("빨간 속보"), "{file}");
    }
    // `parse` prints the feed as it is, escapes shown and not run.
    let raw = work.path().join("escapes.json");
    std::fs::write(&raw, ESCAPES).expect("write feed");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_gazette"))
        .arg("parse")
        .arg(&raw)
        .output()
        .expect("run gazette parse");
    assert!(output.status.success(), "{}", show(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!esc(&stdout), "parse printed an escape: {stdout:?}");
    assert!(
        stdout.contains("title:    \\u{1b}]0;pwned\\u{7}\\u{1b}[2J중도일보"),
        "{stdout}"
    );
}

#[test]
fn a_poll_brings_at_most_max_items_per_poll_newest_first() {
    const ITEMS: usize = 1_500;
    let farm = Farm::start();
    let items: Vec<TestItem> = (0..ITEMS)
        .map(|n| {
            let date = chrono::DateTime::UNIX_EPOCH + chrono::TimeDelta::hours(n as i64);
            TestItem::new(&format!("i{n}"), &format!("기사 {n}"), &date.to_rfc3339())
        })
        .collect();
    farm.set("/many.xml", Route::rss(rss("많은 기사", &items)));
    let work = Workdir::new(format!(
        "[gazette]\nallow_private = true\nmax_items = 5000\n\n[[feed]]\nurl = \"{}\"\n",
        farm.url("/many.xml")
    ));
    let output = work.run(&["once"]);
    assert!(output.status.success(), "{}", show(&output));
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("the feed holds 1500 items: only the 1000 newest are read"),
        "{}",
        show(&output)
    );
    let titles: Vec<String> = rss_items(&work.read_output("feeds/all.xml"))
        .into_iter()
        .map(|(_, title, _)| title)
        .collect();
    assert_eq!(titles.first().map(String::as_str), Some("기사 1499"));
    assert!(
        !titles.iter().any(|title| title == "기사 499"),
        "an old item"
    );
    let feeds = work.run(&["feeds"]);
    assert!(
        String::from_utf8_lossy(&feeds.stdout).contains("· 1000 items"),
        "{}",
        show(&feeds)
    );
}

#[test]
fn html_nested_a_hundred_thousand_deep_publishes() {
    // `<div>` × 16,000 took 8.6 s to publish; × 100,000 did not finish in 10 minutes.
    let deep = format!(
        "{}깊은 본문{}",
        "<div>".repeat(100_000),
        "</div>".repeat(100_000)
    );
    let escaped = deep.replace('<', "&lt;").replace('>', "&gt;");
    let feed = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel>\
         <title>깊은 피드</title><link>https://news.example/</link><description>x</description>\
         <item><guid>deep</guid><title>깊은 기사</title><link>https://news.example/deep</link>\
         <pubDate>Sun, 11 Jan 2026 07:35:00 +0000</pubDate><description>{escaped}</description>\
         </item></channel></rss>"
    );
    let farm = Farm::start();
    farm.set("/deep.xml", Route::rss(feed));
    let work = Workdir::new(format!(
        "[gazette]\nallow_private = true\n\n[[feed]]\nurl = \"{}\"\ncontent = \"full\"\n",
        farm.url("/deep.xml")
    ));
    let output = work.run(&["once"]);
    assert!(output.status.success(), "{}", show(&output));
    let published = work.read_output("feeds/all.xml");
    assert!(published.contains("깊은 본문"), "the text is published");
    assert!(work.read_output("index.html").contains("깊은 기사"));
}

#[test]
fn opml_import_of_a_long_list_skips_fragment_duplicates() {
    // 32,000 outlines took 4.5 s, 100,000 did not finish in a minute: each was searched for
    // among all before it.
    const OUTLINES: usize = 20_000;
    let mut opml = String::from("<?xml version=\"1.0\"?>\n<opml version=\"2.0\"><body>\n");
    for n in 0..OUTLINES {
        opml.push_str(&format!(
            "<outline type=\"rss\" text=\"피드 {n}\" xmlUrl=\"https://news{n}.example/rss\"/>\n"
        ));
    }
    // The same feeds again, with fragments: never fetched, so the same feeds.
    opml.push_str("<outline type=\"rss\" xmlUrl=\"https://news7.example/rss#latest\"/>\n");
    opml.push_str("<outline type=\"rss\" xmlUrl=\"https://listed.example/rss#top\"/>\n");
    opml.push_str("</body></opml>\n");
    let work = Workdir::new("[[feed]]\nurl = \"https://listed.example/rss\"\n");
    let file = work.path().join("long.opml");
    std::fs::write(&file, opml).expect("write opml");
    let output = work.run(&["opml", "import", file.to_str().expect("utf-8 path")]);
    assert!(output.status.success(), "{}", show(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("20000 feeds added, 2 already listed, 0 invalid"),
        "{}",
        show(&output)
    );
    assert!(stdout.contains("skipped  https://news7.example/rss#latest: already listed"));
    let check = work.run(&["check"]);
    assert!(check.status.success(), "{}", show(&check));
    assert!(String::from_utf8_lossy(&check.stdout).contains("ok, 20001 feeds"));
}

#[test]
fn opml_syntax_errors_say_line_and_column() {
    let work = Workdir::new("");
    let file = work.path().join("broken.opml");
    std::fs::write(
        &file,
        "<?xml version=\"1.0\"?>\n<opml version=\"2.0\"><body>\n  <outline text=\"a\">\n</body></opml>\n",
    )
    .expect("write opml");
    let output = work.run(&["opml", "import", file.to_str().expect("utf-8 path")]);
    assert_eq!(output.status.code(), Some(1), "{}", show(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("broken.opml:4:1: not OPML: ill-formed document"),
        "{}",
        show(&output)
    );
    assert!(!stderr.contains("byte"), "{stderr}");
}
