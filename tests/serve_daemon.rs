//! `gazette run` as an admin sees it: `/status.json` and `/metrics` after real cycles, hot reload
//! of feeds.toml (on change and on SIGHUP, invalid versions refused), JSON logs, and a shutdown
//! that no stalled client can hold up.

mod support;

use std::io::Write;
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use support::{Farm, FeedsToml, Route, TestItem, Workdir, free_port, rss, show, signal};

/// A plain HTTP/1.1 GET: (status, body).
fn http_get(port: u16, path: &str) -> Option<(u16, String)> {
    support::http_get(port, path).map(|(status, _, body)| (status, body))
}

/// Polls `path` until `done` holds for its body; panics with `what` after a minute (a hang
/// guard, not a timing requirement).
fn wait_for(
    work: &Workdir,
    port: u16,
    path: &str,
    what: &str,
    done: impl Fn(&str) -> bool,
) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some((200, body)) = http_get(port, path)
            && done(&body)
        {
            return body;
        }
        assert!(Instant::now() < deadline, "never: {what}\n{}", log(work));
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// `gazette run` with stderr in `work/stderr.log`.
fn spawn_run(work: &Workdir, args: &[&str]) -> Child {
    let log = std::fs::File::create(work.path().join("stderr.log")).unwrap();
    work.command(&[args, &["run"]].concat())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("spawn gazette run")
}

fn log(work: &Workdir) -> String {
    std::fs::read_to_string(work.path().join("stderr.log")).unwrap_or_default()
}

/// SIGTERM, then the exit status (a minute at most: a hang guard).
fn stop(mut child: Child) -> std::process::ExitStatus {
    signal(&child, libc::SIGTERM);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("gazette did not stop on SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A feed of one item; items of different tests' feeds are different stories (distinct words and
/// dates), so that no story clustering merges them.
fn one_item(title: &str, date: &str) -> Route {
    Route::rss(rss("중도일보", &[TestItem::new(title, title, date)]))
}

/// Served on `port`, section `politics`, and `feeds`: (url, its sections).
fn config(port: u16, feeds: &[(&str, &[&str])]) -> FeedsToml {
    let config = FeedsToml::new()
        .set("listen", format!("127.0.0.1:{port}"))
        .section("politics", "정치");
    feeds
        .iter()
        .fold(config, |config, (url, sections)| config.feed(url, sections))
}

#[test]
fn status_and_metrics_show_each_feeds_health_after_a_cycle() {
    let farm = Farm::start();
    farm.set("/ok.xml", one_item("좋은 기사", "2026-01-11T07:35:00Z"));
    farm.set("/broken.xml", Route::status(500));
    let port = free_port();
    let work = Workdir::new(config(
        port,
        &[
            (&farm.url("/ok.xml"), &["politics"]),
            (&farm.url("/broken.xml"), &[]),
        ],
    ));
    let child = spawn_run(&work, &["--log-format", "json"]);
    // The cycle is recorded before its publish: wait for both.
    let body = wait_for(
        &work,
        port,
        "/status.json",
        "a cycle and its publish",
        |body| {
            let status: serde_json::Value = serde_json::from_str(body).unwrap();
            let sections = status["sections"].as_array().cloned().unwrap_or_default();
            status["last_cycle"].is_object()
                && sections
                    .iter()
                    .any(|s| s["id"] == "politics" && s["items"] == 1)
        },
    );
    let status: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(status["last_cycle"]["feeds"], 2, "{status}");
    assert_eq!(status["last_cycle"]["failed"], 1, "{status}");
    let feeds = status["feeds"].as_array().unwrap();
    assert_eq!(feeds[0]["last_status"], 200);
    assert_eq!(feeds[0]["items"], 1);
    assert_eq!(feeds[0]["failures"], 0);
    assert_eq!(feeds[1]["last_status"], 500);
    assert_eq!(feeds[1]["failures"], 1);
    assert!(
        feeds[1]["last_error"]
            .as_str()
            .is_some_and(|e| !e.is_empty())
    );
    assert!(feeds[1]["next_poll"].is_string());
    let sections = status["sections"].as_array().unwrap();
    assert!(
        sections
            .iter()
            .any(|s| s["id"] == "politics" && s["items"] == 1),
        "{status}"
    );

    let (code, page) = http_get(port, "/status").unwrap();
    assert_eq!(code, 200);
    assert!(page.contains("2 feeds, 1 failing"), "{page}");

    let (code, metrics) = http_get(port, "/metrics").unwrap();
    assert_eq!(code, 200);
    for line in [
        "gazette_fetches_total{status=\"200\"} 1",
        "gazette_fetches_total{status=\"500\"} 1",
        "gazette_items_stored_total 1",
        "gazette_cycle_duration_seconds_count 1",
        "gazette_section_items{section=\"politics\"} 1",
    ] {
        assert!(metrics.contains(line), "{line} in\n{metrics}");
    }
    assert!(stop(child).success());

    // --log-format json: every line is one JSON object.
    let log = log(&work);
    assert!(!log.is_empty());
    for line in log.lines() {
        let entry: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        assert!(
            entry["level"].is_string() && entry["fields"].is_object(),
            "{line}"
        );
    }
}

#[test]
fn a_changed_config_is_applied_and_a_broken_one_is_refused() {
    let farm = Farm::start();
    farm.set(
        "/a.xml",
        one_item("대전시장 선거 결과 발표", "2026-01-11T07:35:00Z"),
    );
    farm.set(
        "/b.xml",
        one_item("한화 이글스 개막전 승리", "2026-01-09T10:00:00Z"),
    );
    let port = free_port();
    let (a, b) = (farm.url("/a.xml"), farm.url("/b.xml"));
    let work = Workdir::new(config(port, &[(&a, &[])]));
    let child = spawn_run(&work, &[]);
    wait_for(&work, port, "/feeds/all.xml", "feed a published", |body| {
        body.contains("대전시장 선거 결과 발표")
    });
    assert_eq!(http_get(port, "/feeds/politics.xml").unwrap().0, 200);
    let politics = http_get(port, "/feeds/politics.xml").unwrap().1;
    assert!(!politics.contains("대전시장 선거 결과 발표"));

    // A new feed, and feed a moved into politics: both at once, without a restart.
    std::fs::write(
        work.config(),
        config(port, &[(&a, &["politics"]), (&b, &[])]).to_string(),
    )
    .unwrap();
    wait_for(
        &work,
        port,
        "/feeds/all.xml",
        "feed b polled after the reload",
        |body| body.contains("한화 이글스 개막전 승리"),
    );
    wait_for(
        &work,
        port,
        "/feeds/politics.xml",
        "sections rebuilt",
        |body| body.contains("대전시장 선거 결과 발표"),
    );

    // A broken config is reported with line:col, and the last good one stays.
    let good = std::fs::read_to_string(work.config()).unwrap();
    std::fs::write(
        work.config(),
        format!("{good}\n[[feed]]\nurl = \"not a url\"\n"),
    )
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !log(&work).contains("the last good config stays") {
        assert!(
            Instant::now() < deadline,
            "no error logged:\n{}",
            log(&work)
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let line_count = good.lines().count();
    assert!(
        log(&work).contains(&format!("feeds.toml:{}:7: bad url", line_count + 3)),
        "{}",
        log(&work)
    );
    let status = http_get(port, "/status.json").unwrap().1;
    assert!(
        status.contains(&b) && !status.contains("not a url"),
        "{status}"
    );

    // SIGHUP reloads too.
    std::fs::write(work.config(), &good).unwrap();
    signal(&child, libc::SIGHUP);
    let deadline = Instant::now() + Duration::from_secs(60);
    while !log(&work).contains("SIGHUP: reloading") {
        assert!(Instant::now() < deadline, "SIGHUP ignored:\n{}", log(&work));
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(stop(child).success(), "{}", log(&work));
}

#[test]
fn shutdown_is_not_held_up_by_a_stalled_client() {
    let port = free_port();
    let work = Workdir::new(config(port, &[]));
    let child = spawn_run(&work, &[]);
    wait_for(&work, port, "/healthz", "the server answers", |body| {
        body == "ok"
    });
    // Half a request: the connection is busy, and a plain graceful shutdown would wait forever.
    let mut stalled = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stalled
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\n")
        .unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let status = stop(child);
    assert!(status.success(), "{status:?}\n{}", log(&work));
    drop(stalled);
    let output = work.run(&["check"]);
    assert!(output.status.success(), "{}", show(&output));
}

#[test]
fn status_shows_the_next_digest() {
    let farm = Farm::start();
    farm.set("/ok.xml", one_item("좋은 기사", "2026-01-11T07:35:00Z"));
    let port = free_port();
    let work = Workdir::new(config(port, &[(&farm.url("/ok.xml"), &["politics"])]).raw(
        "[digest]\ntime = \"07:00\"\nfrom = \"gazette@example.org\"\n\
         to = [\"reader@example.org\"]\nsmtp = \"smtp://127.0.0.1:9\"\n",
    ));
    let child = spawn_run(&work, &[]);
    let body = wait_for(&work, port, "/status.json", "the digest's status", |body| {
        serde_json::from_str::<serde_json::Value>(body)
            .is_ok_and(|status| status["digest"]["next_send"].is_string())
    });
    let status: serde_json::Value = serde_json::from_str(&body).unwrap();
    let next: chrono::DateTime<chrono::Utc> = status["digest"]["next_send"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    // 07:00 in Seoul is 22:00 UTC, within the next day.
    assert_eq!(next.format("%H:%M").to_string(), "22:00", "{status}");
    assert!(next > chrono::Utc::now() && next <= chrono::Utc::now() + chrono::TimeDelta::days(1));
    let (_, page) = http_get(port, "/status").unwrap();
    assert!(page.contains("Next digest"), "{page}");
    assert!(stop(child).success());
}
