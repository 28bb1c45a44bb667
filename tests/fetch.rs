//! Fetching like a good citizen, against a fault-injecting farm: conditional GET, redirects and
//! moves, 410, 429 + Retry-After, backoff, misbehaving servers, size caps and the SSRF guard.

mod support;

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Timelike, Utc};
use gazette::config::Config;
use gazette::daemon::Pipeline;
use gazette::store::{FeedState, Store};
use support::{
    Farm, FeedsToml, Route, TestItem, Workdir, hanging_server, resetting_server, rss, rss_items,
    show,
};

fn one_item_feed(title: &str) -> String {
    item_feed("a1", title)
}

fn item_feed(id: &str, title: &str) -> String {
    rss("피드", &[TestItem::new(id, title, "2026-01-11T07:35:00Z")])
}

/// The config polling `urls` impatiently (a misbehaving server fails fast), all at once.
fn polling(urls: &[String]) -> FeedsToml {
    let config = FeedsToml::new().set("timeout", "2s").set("per_host", 16);
    urls.iter()
        .fold(config, |config, url| config.feed(url, &[]))
}

/// A workdir polling `paths` of `farm`.
fn polling_farm(farm: &Farm, paths: &[&str]) -> Workdir {
    let urls: Vec<String> = paths.iter().map(|path| farm.url(path)).collect();
    Workdir::new(polling(&urls))
}

fn state(work: &Workdir, url: &str) -> FeedState {
    let store = Store::open(&work.path().join("gazette.db")).expect("store");
    store.feed_state(url).expect("state").expect("polled")
}

fn once(work: &Workdir) -> String {
    let output = work.run(&["once"]);
    assert!(
        !String::from_utf8_lossy(&output.stderr).contains("panicked"),
        "{}",
        show(&output)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Marks every stored item so that any rewrite of it would show: its data and hash are replaced.
fn tamper_items(work: &Workdir) {
    let conn = rusqlite::Connection::open(work.path().join("gazette.db")).unwrap();
    let changed = conn
        .execute(
            "UPDATE items SET hash = 'tampered', data = replace(data, '원본', '표식')",
            [],
        )
        .unwrap();
    assert!(changed > 0);
}

#[test]
fn not_modified_and_unchanged_bodies_write_no_items() {
    let farm = Farm::start();
    farm.set(
        "/etag.xml",
        Route::rss(one_item_feed("원본 제목")).with_etag("\"v1\""),
    );
    farm.set("/same.xml", Route::rss(item_feed("b1", "원본 기사")));
    let work = polling_farm(&farm, &["/etag.xml", "/same.xml"]);
    once(&work);
    tamper_items(&work);
    let stdout = once(&work);
    assert!(stdout.contains("304"), "{stdout}");
    let seen = farm.seen("/etag.xml");
    assert_eq!(seen[1].headers.get("if-none-match").unwrap(), "\"v1\"");
    // Had either feed been parsed and stored again, the tampered rows would have been rewritten.
    // (Nothing changed, so nothing was published either: the store itself is read.)
    let conn = rusqlite::Connection::open(work.path().join("gazette.db")).unwrap();
    let tampered: i64 = conn
        .query_row(
            "SELECT count(*) FROM items WHERE hash = 'tampered' AND data LIKE '%표식%'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(tampered, 2);

    // A changed body is read again.
    farm.set("/same.xml", Route::rss(item_feed("b1", "원본 기사 (수정)")));
    once(&work);
    let all = rss_items(&work.read_output("feeds/all.xml"));
    assert!(
        all.iter().any(|(_, title, _)| title == "원본 기사 (수정)"),
        "{all:?}"
    );
}

#[test]
fn requests_are_polite() {
    let farm = Farm::start();
    farm.set("/a.xml", Route::rss(one_item_feed("제목")));
    let urls = [farm.url("/a.xml")];
    let work = Workdir::new(polling(&urls).set(
        "user_agent",
        "gazette-test (+https://gazette.example/contact)",
    ));
    once(&work);
    let headers = &farm.seen("/a.xml")[0].headers;
    assert_eq!(
        headers["user-agent"],
        "gazette-test (+https://gazette.example/contact)"
    );
    let accept = headers["accept"].to_str().unwrap();
    assert!(accept.contains("application/rss+xml") && accept.contains("application/atom+xml"));
    let encodings = headers["accept-encoding"].to_str().unwrap();
    for encoding in ["gzip", "br", "deflate"] {
        assert!(encodings.contains(encoding), "{encodings}");
    }
}

#[test]
fn permanent_redirects_move_the_feed_after_three_polls() {
    let farm = Farm::start();
    farm.set("/old.xml", Route::redirect(301, "/new.xml"));
    farm.set("/new.xml", Route::rss(one_item_feed("옮긴 피드")));
    farm.set("/temp.xml", Route::redirect(302, "/new.xml"));
    let work = polling_farm(&farm, &["/old.xml", "/temp.xml"]);
    for poll in 1..=3 {
        assert_eq!(
            state_or_default(&work, &farm.url("/old.xml")).moved_to,
            None,
            "poll {poll}"
        );
        once(&work);
    }
    assert_eq!(
        state(&work, &farm.url("/old.xml")).moved_to,
        Some(farm.url("/new.xml"))
    );
    assert_eq!(
        state(&work, &farm.url("/temp.xml")).moved_to,
        None,
        "302 never moves"
    );

    // From now on the feed is fetched at its new place directly.
    let old_requests = farm.seen("/old.xml").len();
    once(&work);
    assert_eq!(farm.seen("/old.xml").len(), old_requests);
    // `check` suggests the edit, at the url's line and column; `feeds` shows the move.
    let config = std::fs::read_to_string(work.config()).unwrap();
    let url_line = 1 + config
        .lines()
        .position(|line| line == format!("url = \"{}\"", farm.url("/old.xml")))
        .unwrap();
    let check = work.run(&["check"]);
    let stdout = String::from_utf8_lossy(&check.stdout);
    assert!(
        stdout.contains(&format!(
            "feeds.toml:{url_line}:7: note: `{}` has moved permanently to `{}`",
            farm.url("/old.xml"),
            farm.url("/new.xml")
        )),
        "{stdout}"
    );
    let feeds = work.run(&["feeds"]);
    let stdout = String::from_utf8_lossy(&feeds.stdout);
    assert!(
        stdout.contains(&format!("moved to: {}", farm.url("/new.xml"))),
        "{stdout}"
    );
}

fn state_or_default(work: &Workdir, url: &str) -> FeedState {
    if !work.path().join("gazette.db").exists() {
        return FeedState::default();
    }
    let store = Store::open(&work.path().join("gazette.db")).unwrap();
    store.feed_state(url).unwrap().unwrap_or_default()
}

#[test]
fn gone_disables_until_the_entry_changes() {
    let farm = Farm::start();
    farm.set("/gone.xml", Route::status(410));
    farm.set("/ok.xml", Route::rss(one_item_feed("제목")));
    let work = polling_farm(&farm, &["/gone.xml", "/ok.xml"]);
    let output = work.run(&["once"]);
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("410 Gone"),
        "{}",
        show(&output)
    );
    once(&work);
    assert_eq!(farm.seen("/gone.xml").len(), 1, "not polled again");
    let feeds = work.run(&["feeds"]);
    assert!(String::from_utf8_lossy(&feeds.stdout).contains("never (410 Gone)"));

    // Changing the feed's entry brings it back.
    let config = std::fs::read_to_string(work.config()).unwrap();
    let changed = config.replacen(
        &format!("url = \"{}\"\n", farm.url("/gone.xml")),
        &format!("url = \"{}\"\nname = \"다시\"\n", farm.url("/gone.xml")),
        1,
    );
    std::fs::write(work.config(), changed).unwrap();
    once(&work);
    assert_eq!(farm.seen("/gone.xml").len(), 2);
}

/// A database from before feed identities were made of named fields holds the hash of the entry's
/// `Debug` text: a feed Gone there stays off after the upgrade, and its record is carried over.
#[test]
fn a_gone_feed_of_an_older_database_stays_off() {
    let farm = Farm::start();
    farm.set("/gone.xml", Route::status(410));
    let work = polling_farm(&farm, &["/gone.xml"]);
    once(&work);
    let url = farm.url("/gone.xml");
    let config = Config::load(&work.config()).expect("config");
    let feed = &config.feeds[0];
    assert_eq!(state(&work, &url).gone, Some(feed.identity()));

    // As an older version left it.
    let conn = rusqlite::Connection::open(work.path().join("gazette.db")).unwrap();
    let legacy = feed.legacy_identity();
    conn.execute("UPDATE feeds SET gone = ?1", [&legacy])
        .unwrap();
    drop(conn);
    farm.set("/gone.xml", Route::rss(one_item_feed("제목")));
    once(&work);
    assert_eq!(farm.seen("/gone.xml").len(), 1, "not polled again");
    assert_eq!(state(&work, &url).gone, Some(feed.identity()));
}

#[test]
fn retry_after_delays_the_next_poll() {
    let farm = Farm::start();
    farm.set(
        "/busy.xml",
        Route::status(429).with_header("retry-after", "7200"),
    );
    let in_three_days = (Utc::now() + TimeDelta::days(3))
        .with_nanosecond(0)
        .unwrap();
    farm.set(
        "/down.xml",
        Route::status(503).with_header("retry-after", &in_three_days.to_rfc2822()),
    );
    let work = polling_farm(&farm, &["/busy.xml", "/down.xml"]);
    let before = Utc::now();
    once(&work);
    let busy = state(&work, &farm.url("/busy.xml")).next_poll.unwrap();
    assert!(busy >= before + TimeDelta::seconds(7200), "{busy}");
    let down = state(&work, &farm.url("/down.xml")).next_poll.unwrap();
    assert_eq!(down, in_three_days);
}

#[test]
fn server_errors_back_off_on_schedule() {
    let farm = Farm::start();
    farm.set("/broken.xml", Route::status(500));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(back_off_on_schedule(&farm));
}

async fn back_off_on_schedule(farm: &Farm) {
    let dir = tempfile::tempdir().unwrap();
    let source = FeedsToml::new()
        .set("poll_interval", "10m")
        .feed(&farm.url("/broken.xml"), &[]);
    let config = Config::parse(&source.to_string(), &dir.path().join("feeds.toml")).unwrap();
    let feed = config.feeds[0].clone();
    let pipeline = Pipeline::open(config).unwrap();
    // An injected clock: each poll happens exactly when the last one said.
    let mut now: DateTime<Utc> = "2026-01-11T00:00:00Z".parse().unwrap();
    let mut waits = Vec::new();
    for _ in 0..9 {
        let states = pipeline.feed_states().await.unwrap();
        pipeline.poll_at(vec![feed.clone()], &states, now).await;
        let next = pipeline.feed_states().await.unwrap()[feed.url.as_str()]
            .next_poll
            .unwrap();
        waits.push((next - now).num_seconds());
        now = next;
    }
    let expected = [
        1_200, 2_400, 4_800, 9_600, 19_200, 38_400, 76_800, 86_400, 86_400,
    ];
    for (wait, base) in waits.iter().zip(expected) {
        let (low, high) = (base * 9 / 10 - 1, base * 11 / 10 + 1);
        assert!(
            (low..=high).contains(wait),
            "waits {waits:?}, expected ≈ {expected:?} ±10%"
        );
    }
    assert_eq!(farm.seen("/broken.xml").len(), 9);
}

#[test]
fn misbehaving_servers_fail_alone() {
    let farm = Farm::start();
    let hanging = hanging_server(&farm);
    let resetting = resetting_server(&farm);
    farm.set("/good.xml", Route::rss(one_item_feed("살아남은 기사")));
    farm.set(
        "/trickle.xml",
        Route::rss(one_item_feed("느린 기사")).with_trickle(Duration::from_millis(50)),
    );
    farm.set("/bomb.xml", gzip_bomb());
    farm.set(
        "/page.html",
        Route::feed(
            "text/html; charset=utf-8",
            "<!doctype html><html><head><title>홈</title></head><body>뉴스</body></html>",
        ),
    );
    farm.set("/loop1.xml", Route::redirect(302, "/loop2.xml"));
    farm.set("/loop2.xml", Route::redirect(302, "/loop1.xml"));
    let work = Workdir::new(polling(&[
        farm.url("/good.xml"),
        format!("http://{hanging}/hang.xml"),
        format!("http://{resetting}/reset.xml"),
        farm.url("/trickle.xml"),
        farm.url("/bomb.xml"),
        farm.url("/page.html"),
        farm.url("/loop1.xml"),
    ]));
    let output = work.run(&["once"]);
    assert!(output.status.success(), "{}", show(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let row = |needle: &str| {
        stdout
            .lines()
            .find(|line| line.contains(needle))
            .unwrap_or_else(|| panic!("no row for {needle}: {stdout}"))
            .to_owned()
    };
    assert!(row("/hang.xml").contains("timed out"), "{stdout}");
    assert!(
        !row("/reset.xml").trim_end().ends_with("/reset.xml"),
        "reset is an error: {stdout}"
    );
    assert!(row("/trickle.xml").contains("timed out"), "{stdout}");
    assert!(row("/bomb.xml").contains("larger than"), "{stdout}");
    assert!(row("/page.html").contains("not a feed"), "{stdout}");
    assert!(row("/loop1.xml").contains("redirect loop"), "{stdout}");
    assert!(stdout.contains("6 failed"), "{stdout}");
    let all = rss_items(&work.read_output("feeds/all.xml"));
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].1, "살아남은 기사");
}

/// 64 MiB of zeros, gzipped to a few dozen KiB.
fn gzip_bomb() -> Route {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1024 * 1024];
    for _ in 0..64 {
        encoder.write_all(&zeros).unwrap();
    }
    Route::rss(encoder.finish().unwrap()).with_header("content-encoding", "gzip")
}

#[test]
fn private_addresses_are_refused_by_default() {
    let farm = Farm::start();
    farm.set("/a.xml", Route::rss(one_item_feed("제목")));
    let port = farm.port();
    // No `allow_private` in `[gazette]`: the default guard, lifted for one feed only.
    let work = Workdir::new(
        FeedsToml::bare()
            .feed(&farm.url("/a.xml"), &[])
            .feed(&format!("http://localhost:{port}/a.xml"), &[])
            .feed(&farm.url("/a.xml?intranet"), &[])
            .with("allow_private", true),
    );
    let output = work.run(&["once"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(stdout.matches("refused").count(), 2, "{stdout}");
    assert!(stdout.contains("non-public address 127.0.0.1"), "{stdout}");
    // Only the feed that allows it was fetched.
    assert_eq!(farm.seen("/a.xml").len(), 1, "{stdout}");
    assert!(Path::new(&work.output("feeds/all.xml")).exists());
}

#[test]
fn a_feed_allowed_on_a_private_host_is_guarded_on_every_other_host() {
    let farm = Farm::start();
    farm.set("/a.xml", Route::rss(one_item_feed("제목")));
    let port = farm.port();
    let elsewhere = [
        (
            "/to-localhost.xml",
            // A name that resolves to loopback, spelt in another case.
            format!("http://LocalHost:{port}/a.xml"),
        ),
        ("/to-v6.xml", format!("http://[::1]:{port}/a.xml")),
        ("/to-other-ip.xml", format!("http://127.0.0.2:{port}/a.xml")),
    ];
    for (path, target) in &elsewhere {
        farm.set(path, Route::redirect(302, target));
    }
    // The configured host itself, on another path (and through a second hop), is still allowed.
    farm.set("/same.xml", Route::redirect(301, "/same2.xml"));
    farm.set("/same2.xml", Route::redirect(302, &farm.url("/a.xml")));
    let feeds: String = elsewhere
        .iter()
        .map(|(path, _)| *path)
        .chain(["/same.xml"])
        .map(|path| {
            format!(
                "[[feed]]\nurl = \"{}\"\nallow_private = true\n\n",
                farm.url(path)
            )
        })
        .collect();
    let work = Workdir::new(format!("[gazette]\ntimeout = \"2s\"\n\n{feeds}"));
    let stdout = once(&work);
    for (path, _) in &elsewhere {
        let row = stdout
            .lines()
            .find(|line| line.contains(path))
            .unwrap_or_else(|| panic!("no row for {path}: {stdout}"));
        assert!(row.contains("refused"), "{path}: {row}");
    }
    // The feed whose hops stay on the configured host is fetched (the table names it by its title).
    assert_eq!(
        stdout.matches("refused").count(),
        elsewhere.len(),
        "{stdout}"
    );
    assert!(
        stdout
            .lines()
            .any(|line| line.starts_with("피드") && line.contains(" 200 ")),
        "{stdout}"
    );
    // Only the hops on the configured host reached the farm's feed.
    assert_eq!(farm.seen("/a.xml").len(), 1, "{stdout}");
}

#[test]
fn parse_of_a_url_is_guarded_unless_allowed() {
    let parse = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_gazette"))
            .arg("parse")
            .args(args)
            .output()
            .expect("run gazette")
    };
    let farm = Farm::start();
    farm.set("/a.xml", Route::rss(one_item_feed("제목")));
    let port = farm.port();
    farm.set(
        "/hop.xml",
        Route::redirect(302, &format!("http://localhost:{port}/a.xml")),
    );
    let refused = parse(&[&farm.url("/a.xml")]);
    assert!(!refused.status.success(), "{}", show(&refused));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("non-public address 127.0.0.1") && stderr.contains("--allow-private"),
        "{stderr}"
    );
    assert!(farm.seen("/a.xml").is_empty());

    let allowed = parse(&["--allow-private", &farm.url("/a.xml")]);
    assert!(allowed.status.success(), "{}", show(&allowed));
    assert!(String::from_utf8_lossy(&allowed.stdout).contains("제목"));

    // Allowed on 127.0.0.1 only: its redirect to localhost is refused.
    let redirected = parse(&["--allow-private", &farm.url("/hop.xml")]);
    assert!(!redirected.status.success(), "{}", show(&redirected));
    assert!(
        String::from_utf8_lossy(&redirected.stderr).contains("refused"),
        "{}",
        show(&redirected)
    );
    assert_eq!(farm.seen("/a.xml").len(), 1);
}
