//! `gazette run`: serving the output, stopping on SIGTERM, and surviving `kill -9` mid-cycle.

mod support;

use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use support::{
    Farm, FeedsToml, Route, TestItem, Workdir, atom_entries, free_port, http_get, one_feed, rss,
    rss_items, show, signal, wait_with_timeout,
};

fn spawn_run(work: &Workdir) -> Child {
    work.command(&["run"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn gazette run")
}

#[test]
fn run_serves_the_feeds_and_stops_on_sigterm() {
    let farm = Farm::start();
    let port = free_port();
    let work =
        Workdir::new(one_feed(&farm, "대전 소식").set("listen", format!("127.0.0.1:{port}")));
    let mut child = spawn_run(&work);
    let deadline = Instant::now() + Duration::from_secs(30);
    let (head, body) = loop {
        if let Some((200, head, body)) = http_get(port, "/feeds/all.xml")
            && body.contains("대전 소식")
        {
            break (head, body);
        }
        assert!(
            Instant::now() < deadline,
            "the daemon never served the feed"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(
        head.contains("content-type: application/rss+xml; charset=utf-8"),
        "{head}"
    );
    assert_eq!(rss_items(&body).len(), 1);
    let (status, head, _) = http_get(port, "/feeds/all.atom").expect("atom");
    assert_eq!(status, 200);
    assert!(
        head.contains("content-type: application/atom+xml; charset=utf-8"),
        "{head}"
    );
    assert_eq!(http_get(port, "/healthz").map(|r| r.0), Some(200));

    signal(&child, libc::SIGTERM);
    let status = wait_with_timeout(&mut child, Duration::from_secs(15));
    if status.is_none() {
        let _ = child.kill();
    }
    assert!(
        status.is_some_and(|s| s.success()),
        "clean exit on SIGTERM: {status:?}"
    );
}

/// Every published feed file (in `feeds/` and below) parses.
fn assert_outputs_whole(work: &Workdir) {
    let mut folders = vec![work.output("feeds")];
    while let Some(folder) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
                continue;
            }
            let read = || std::fs::read_to_string(&path).expect("read output");
            match path.extension().and_then(|e| e.to_str()) {
                Some("xml") => drop(rss_items(&read())),
                Some("atom") => drop(atom_entries(&read())),
                Some("json") => drop(
                    serde_json::from_str::<serde_json::Value>(&read())
                        .unwrap_or_else(|e| panic!("{}: {e}", path.display())),
                ),
                _ => {}
            }
        }
    }
}

#[test]
fn kill_9_mid_cycle_loses_nothing() {
    const FEEDS: usize = 24;
    let farm = Farm::start();
    let set_feeds = |round: usize| {
        for feed in 0..FEEDS {
            // Two days and more between any two items: none is taken for another's duplicate.
            let items: Vec<_> = (0..(round + 1) * 4)
                .map(|n| {
                    let date = chrono::DateTime::UNIX_EPOCH
                        + chrono::TimeDelta::hours(49 * (feed * 100 + n) as i64);
                    TestItem::new(
                        &format!("f{feed}-{n}"),
                        &format!("기사 {feed}-{n}"),
                        &date.to_rfc3339(),
                    )
                })
                .collect();
            // Slow answers keep the cycle in flight when the kill comes.
            let delay = Duration::from_millis(50 + 40 * (feed as u64 % 8));
            farm.set(
                &format!("/{feed}.xml"),
                Route::rss(rss(&format!("피드 {feed}"), &items)).with_delay(delay),
            );
        }
    };
    let config = FeedsToml::new()
        .set("listen", format!("127.0.0.1:{}", free_port()))
        .set("poll_interval", "1m")
        .set("max_items", 10000)
        .set("concurrency", 4);
    let config = (0..FEEDS).fold(config, |config, feed| {
        config.feed(&farm.url(&format!("/{feed}.xml")), &[])
    });
    let work = Workdir::new(config);

    let mut published_before = 0;
    for round in 0..5 {
        set_feeds(round);
        let mut child = spawn_run(&work);
        std::thread::sleep(Duration::from_millis(400 + 350 * round as u64));
        child.kill().expect("SIGKILL");
        let _ = child.wait();
        assert_outputs_whole(&work);
        if let Ok(all) = std::fs::read_to_string(work.output("feeds/all.xml")) {
            let count = rss_items(&all).len();
            assert!(
                count >= published_before,
                "round {round}: {count} < {published_before}"
            );
            published_before = count;
        }
    }

    // The store opens after the kills and still holds everything that was ever published.
    let output = work.run(&["once"]);
    assert!(output.status.success(), "{}", show(&output));
    let all = rss_items(&work.read_output("feeds/all.xml"));
    assert!(all.len() >= published_before);
    assert_eq!(
        all.len(),
        FEEDS * 5 * 4,
        "the last round's items are all there"
    );
    assert_outputs_whole(&work);
}

#[test]
fn a_second_gazette_on_the_same_store_or_output_refuses_to_start() {
    let farm = Farm::start();
    farm.set(
        "/a.xml",
        Route::rss(rss(
            "중도일보",
            &[TestItem::new("a1", "대전 소식", "2026-01-11T07:35:00Z")],
        )),
    );
    let port = free_port();
    let config = |listen: u16, database: &str, output: &str| {
        format!(
            "[gazette]\nallow_private = true\nlisten = \"127.0.0.1:{listen}\"\n\
             database = \"{database}\"\noutput_dir = \"{output}\"\n\n[[feed]]\nurl = \"{}\"\n",
            farm.url("/a.xml")
        )
    };
    let work = Workdir::new(config(port, "gazette.db", "output"));
    let mut first = spawn_run(&work);
    let deadline = Instant::now() + Duration::from_secs(30);
    while !http_get(port, "/feeds/all.xml")
        .is_some_and(|(status, _, body)| status == 200 && body.contains("대전 소식"))
    {
        assert!(Instant::now() < deadline, "the first daemon never served");
        std::thread::sleep(Duration::from_millis(100));
    }
    let pid = format!("pid {}", first.id());
    let published = std::fs::read(work.output("feeds/all.xml")).unwrap();

    // The same config (another port, so that only the lock can stop it), then the same store
    // with another output folder, then the same output folder with another store.
    let other_port = free_port();
    for (database, folder, named) in [
        ("gazette.db", "output", "database"),
        ("gazette.db", "elsewhere", "database"),
        ("other.db", "output", "output folder"),
    ] {
        // A config of its own beside the first one's (relative paths resolve alike): the first
        // daemon watches its own file, which must not change under it.
        let second_config = work.path().join("second.toml");
        std::fs::write(&second_config, config(other_port, database, folder)).unwrap();
        let second_config = second_config.to_string_lossy().into_owned();
        for command in ["run", "once"] {
            let mut second = support::gazette(work.path())
                .args([command, "--config", &second_config])
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn");
            let status = wait_with_timeout(&mut second, Duration::from_secs(30));
            if status.is_none() {
                let _ = second.kill();
            }
            let output = second.wait_with_output().expect("output");
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(
                status.and_then(|s| s.code()),
                Some(1),
                "{command}: {stderr}"
            );
            assert!(
                stderr.contains("another gazette")
                    && stderr.contains(&pid)
                    && stderr.contains(named),
                "{command} ({database}, {folder}): {stderr}"
            );
        }
    }
    assert!(http_get(other_port, "/healthz").is_none());
    // The first one carries on, its output untouched.
    assert_eq!(http_get(port, "/healthz").map(|r| r.0), Some(200));
    assert_eq!(
        std::fs::read(work.output("feeds/all.xml")).unwrap(),
        published
    );
    signal(&first, libc::SIGTERM);
    let status = wait_with_timeout(&mut first, Duration::from_secs(15));
    if status.is_none() {
        let _ = first.kill();
    }
    assert!(status.is_some_and(|s| s.success()), "{status:?}");

    // Once it has stopped, the next one starts (the lock files it left behind do not matter).
    std::fs::write(work.config(), config(other_port, "gazette.db", "output")).unwrap();
    let output = work.run(&["once"]);
    assert!(output.status.success(), "{}", support::show(&output));
}
