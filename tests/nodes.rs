//! Several gazette nodes sharing one PostgreSQL store: processes of the real binary polling
//! farm feeds, each due feed polled once in the whole group, the per-host limit held by the
//! group, a node killed mid-cycle losing nothing, identical output on every node, one digest
//! mail per recipient.

mod support;

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::Duration;

use gazette::config::{DEFAULT_LEASE, Database, PostgresDatabase};
use gazette::store::Store;
use support::digest::{self, READER1, READER2, Sink};
use support::{Farm, FeedsToml, Route, TestItem, Workdir, rss, show, wait_with_timeout};
use testkit::postgres::make_every_feed_due;

const FEEDS: usize = 300;
/// Short, so that a killed node's feeds come back within the test.
const LEASE: &str = "10s";

fn path(feed: usize) -> String {
    format!("/f{feed}.xml")
}

/// Feed `feed` holding its first `items` items.
fn serve(farm: &Farm, feed: usize, items: usize) {
    let items: Vec<TestItem> = (0..items)
        .map(|n| {
            TestItem::new(
                &format!("f{feed}-{n}"),
                &format!("피드 {feed} 기사 {n}: 시의회 예산 심사 {}", feed * 7 + n),
                &format!("2026-12-0{}T0{}:00:00Z", 1 + n % 3, feed % 10),
            )
        })
        .collect();
    farm.set(
        &path(feed),
        Route::rss(rss(&format!("피드 {feed}"), &items)).with_delay(Duration::from_millis(5)),
    );
}

fn store(url: &str) -> Store {
    Store::connect(&Database::Postgres(PostgresDatabase {
        url: url.into(),
        password_env: None,
        node: Some("test".into()),
        lease: DEFAULT_LEASE,
    }))
    .expect("the test store")
}

fn polls(farm: &Farm) -> Vec<usize> {
    (0..FEEDS)
        .map(|feed| farm.seen(&path(feed)).len())
        .collect()
}

/// One node: its folder, and the database URL it gets from the environment instead of its
/// `feeds.toml`, if so.
struct Node {
    work: Workdir,
    env: Option<String>,
}

impl Node {
    fn command(&self, args: &[&str]) -> std::process::Command {
        let mut command = self.work.command(args);
        if let Some(url) = &self.env {
            command.env(gazette::config::DATABASE_ENV, url);
        }
        command
    }

    fn path(&self) -> &Path {
        self.work.path()
    }
}

/// `gazette once` on every node at once; their outputs.
fn once_everywhere(nodes: &[Node]) -> Vec<std::process::Output> {
    let children: Vec<Child> = nodes
        .iter()
        .map(|node| {
            node.command(&["once"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("start a node")
        })
        .collect();
    children
        .into_iter()
        .map(|child| child.wait_with_output().expect("a node's output"))
        .collect()
}

/// Every file a node published, by path under `output/` (its lock left out).
fn published(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, files: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).expect("output folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(root, &path, files);
            } else {
                let name = path
                    .strip_prefix(root)
                    .expect("inside")
                    .display()
                    .to_string();
                if name != ".gazette.lock" {
                    files.insert(name, std::fs::read(&path).expect("a published file"));
                }
            }
        }
    }
    let mut files = BTreeMap::new();
    walk(&dir.join("output"), &dir.join("output"), &mut files);
    files
}

#[test]
fn three_nodes_share_the_feeds_poll_each_once_and_publish_alike() {
    let farm = Farm::start();
    for feed in 0..FEEDS {
        serve(&farm, feed, 2);
    }
    let url = testkit::postgres::database();
    // One feeds.toml for every node: only their folders differ; the third node reads the
    // database's URL from the environment, as a service's environment file gives it.
    let mut config = FeedsToml::new()
        .set("lease", LEASE)
        .set("per_host", 2)
        .set("concurrency", 16)
        .set("base_url", "https://news.example.kr/")
        .section("politics", "정치");
    for feed in 0..FEEDS {
        config = config.feed(&farm.url(&path(feed)), &["politics"]);
    }
    let nodes: Vec<Node> = (0..3)
        .map(|n| match n {
            2 => Node {
                work: Workdir::new(&config),
                env: Some(url.clone()),
            },
            _ => Node {
                work: Workdir::new(config.clone().set("database", url.as_str())),
                env: None,
            },
        })
        .collect();

    // Cycle 1: every feed polled once by the group, shared out, two requests at most at once.
    for output in once_everywhere(&nodes) {
        assert!(output.status.success(), "{}", show(&output));
    }
    assert_eq!(polls(&farm), vec![1; FEEDS], "each feed once in the group");
    assert!(
        farm.most_in_flight() <= 2,
        "per_host held: {}",
        farm.most_in_flight()
    );
    let counts = store(&url).item_counts().unwrap();
    assert_eq!(counts.values().sum::<u64>(), 2 * FEEDS as u64);

    // `gazette feeds` names the nodes and who holds a lease.
    make_every_feed_due(&url);
    let holder = store(&url);
    let held = farm.url(&path(7));
    assert_eq!(
        holder
            .claim_due(&[held.as_str()], Duration::from_secs(60), 1)
            .unwrap(),
        std::slice::from_ref(&held)
    );
    let feeds = nodes[1].command(&["feeds"]).output().unwrap();
    let listing = String::from_utf8_lossy(&feeds.stdout);
    assert!(feeds.status.success(), "{}", show(&feeds));
    assert!(
        listing.contains(&format!("lease {held} · held by {} until", holder.node())),
        "{listing}"
    );
    assert!(
        listing
            .lines()
            .filter(|line| line.starts_with("node "))
            .count()
            >= 3,
        "{listing}"
    );
    holder.release_feeds(&[held.as_str()]).unwrap();
    let polled_by = |output: &std::process::Output| {
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter(|line| line.contains("피드 "))
            .count()
    };

    // Cycle 2, then 3: a new item in every feed; each due feed polled once more.
    for cycle in 2..=3 {
        for feed in 0..FEEDS {
            serve(&farm, feed, cycle + 1);
        }
        make_every_feed_due(&url);
        let outputs = once_everywhere(&nodes);
        let shares: Vec<usize> = outputs.iter().map(polled_by).collect();
        assert_eq!(
            polls(&farm),
            vec![cycle; FEEDS],
            "cycle {cycle}: {shares:?}"
        );
        assert!(
            shares.iter().filter(|&&share| share > 0).count() >= 2,
            "the group shares the work: {shares:?}"
        );
    }
    assert!(farm.most_in_flight() <= 2);

    // Cycle 4: a node killed mid-cycle. Its claimed feeds wait for their leases to run out,
    // then another node polls them; nothing is lost.
    for feed in 0..FEEDS {
        serve(&farm, feed, 5);
    }
    make_every_feed_due(&url);
    let mut victim = nodes[0]
        .command(&["once"])
        .stderr(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let others: Vec<Child> = nodes[1..]
        .iter()
        .map(|node| {
            node.command(&["once"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    // Killed once the cycle is under way.
    while polls(&farm).iter().sum::<usize>() < 3 * FEEDS + 30 {
        std::thread::sleep(Duration::from_millis(5));
    }
    victim.kill().expect("kill -9");
    victim.wait().unwrap();
    for mut other in others {
        assert!(wait_with_timeout(&mut other, Duration::from_secs(120)).is_some());
    }
    std::thread::sleep(Duration::from_secs(11));
    for output in once_everywhere(&nodes[1..]) {
        assert!(output.status.success(), "{}", show(&output));
    }
    let after = polls(&farm);
    assert!(
        after.iter().all(|&n| n >= 4),
        "every feed polled in cycle 4: {after:?}"
    );
    let counts = store(&url).item_counts().unwrap();
    assert_eq!(counts.len(), FEEDS);
    assert!(counts.values().all(|&n| n == 5), "nothing lost: {counts:?}");

    // Nothing due: each node publishes what the store holds, and all alike.
    for output in once_everywhere(&nodes) {
        assert!(output.status.success(), "{}", show(&output));
    }
    let first = published(nodes[0].path());
    assert!(first.contains_key("feeds/all.xml"), "{:?}", first.keys());
    for node in &nodes[1..] {
        let other = published(node.path());
        assert_eq!(
            first.keys().collect::<Vec<_>>(),
            other.keys().collect::<Vec<_>>()
        );
        for (name, bytes) in &first {
            assert!(other[name] == *bytes, "{name} differs between nodes");
        }
    }
    let all = String::from_utf8_lossy(&first["feeds/politics.xml"]).to_string();
    let guids: Vec<&str> = all.split("<guid").skip(1).collect();
    let unique: HashSet<&str> = guids.iter().copied().collect();
    assert_eq!(guids.len(), unique.len(), "no item twice");
}

#[test]
fn a_digest_day_sends_one_mail_per_recipient_in_all() {
    let sink = Sink::start(&[]);
    let url = testkit::postgres::database();
    let sites: Vec<digest::Site> = (0..3)
        .map(|_| digest::Site::with_database(&sink.url(), "", &url))
        .collect();
    let date = digest::kst("2026-01-11T09:00:00");
    sites[0].seed(&[("/politics.xml", "p1", "시의회 예산 통과", "요약", date)]);
    let children: Vec<Child> = sites
        .iter()
        .map(|site| {
            site.work
                .command(&["digest", "--date", "2026-01-11", "--send"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert!(output.status.success(), "{}", show(&output));
    }
    let mut recipients = sink.recipients();
    recipients.sort();
    assert_eq!(recipients, [READER1, READER2]);
}

#[test]
fn migrate_copies_an_sqlite_store_and_can_be_run_again() {
    let farm = Farm::start();
    for feed in 0..20 {
        serve(&farm, feed, 3);
    }
    let mut config = FeedsToml::new().section("politics", "정치");
    for feed in 0..20 {
        config = config.feed(&farm.url(&path(feed)), &["politics"]);
    }
    let single = Workdir::new(&config);
    let output = single.run(&["once"]);
    assert!(output.status.success(), "{}", show(&output));

    let url = testkit::postgres::database();
    let output = single.run(&["migrate", "--to", &url]);
    assert!(output.status.success(), "{}", show(&output));
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("copied 20 feeds, 60 items"),
        "{}",
        show(&output)
    );
    // Again: nothing new to copy, nothing changed.
    let output = single.run(&["migrate", "--to", &url]);
    assert!(output.status.success(), "{}", show(&output));
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("copied 0 feeds, 0 items"),
        "{}",
        show(&output)
    );
    let copied = store(&url);
    let sqlite = Store::open(&single.path().join("gazette.db")).unwrap();
    assert_eq!(copied.item_counts().unwrap(), sqlite.item_counts().unwrap());
    // PostgreSQL keeps microseconds where SQLite kept nanoseconds: compare what is not a time.
    let validators = |store: &Store| {
        let mut states: Vec<_> = store
            .feed_states()
            .unwrap()
            .into_iter()
            .map(|(url, state)| (url, state.last_status, state.body_hash, state.failures))
            .collect();
        states.sort();
        states
    };
    assert_eq!(validators(&copied), validators(&sqlite));
    // Each item's record of where it came from goes with it.
    let origins = |store: &Store| {
        let mut records: Vec<_> = store
            .records(|_, _| true)
            .unwrap()
            .into_iter()
            .map(|record| {
                let status = record.first_fetch.map(|fetch| fetch.status);
                let key = format!("{} {}", record.item.feed_url, record.item.item_id);
                (key, record.origin, status)
            })
            .collect();
        records.sort_by(|a, b| a.0.cmp(&b.0));
        records
    };
    let copied_origins = origins(&copied);
    assert_eq!(copied_origins.len(), 60);
    assert!(
        copied_origins
            .iter()
            .all(|(_, origin, status)| { origin.is_some() && *status == Some(Some(200)) })
    );
    assert_eq!(copied_origins, origins(&sqlite));

    // A node on the copy polls nothing (every feed was just polled) and publishes what the
    // single gazette published.
    let node = Workdir::new(config.set("database", url.as_str()));
    let output = node.run(&["once"]);
    assert!(output.status.success(), "{}", show(&output));
    assert_eq!(farm.seen(&path(0)).len(), 1, "polled once, before the copy");
    assert_eq!(
        support::rss_items(&node.read_output("feeds/politics.xml")),
        support::rss_items(&single.read_output("feeds/politics.xml"))
    );
}

/// `body` served at `path` on `port` within `within`.
fn served_within(port: u16, path: &str, wanted: &str, within: Duration) -> bool {
    let deadline = std::time::Instant::now() + within;
    while std::time::Instant::now() < deadline {
        if support::http_get(port, path)
            .is_some_and(|(status, _, body)| status == 200 && body.contains(wanted))
        {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}

#[test]
fn a_running_node_publishes_another_nodes_change_when_notified() {
    let farm = Farm::start();
    serve(&farm, 0, 1);
    let url = testkit::postgres::database();
    let port = support::free_port();
    // Nothing is due for a month after the first poll: only the notification can wake it soon
    // (its periodic check is a minute apart).
    let config = FeedsToml::new()
        .set("database", url.as_str())
        .set("poll_interval", "30days")
        .set("listen", format!("127.0.0.1:{port}"))
        .feed(&farm.url(&path(0)), &[]);
    let work = Workdir::new(&config);
    let mut node = work
        .command(&["run"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the node");
    assert!(
        served_within(port, "/feeds/all.xml", "기사 0", Duration::from_secs(30)),
        "the node never served its first poll"
    );
    std::thread::sleep(Duration::from_secs(2));

    // Another node stores an item.
    let item: gazette::model::Item = serde_json::from_value(serde_json::json!({
        "id": "other-node-1",
        "title": "다른 노드가 저장한 속보",
        "link": "https://news.example/other-node-1",
        "summary": "요약",
        "authors": [],
        "categories": [],
        "published": "2026-12-04T01:00:00Z",
    }))
    .expect("an item");
    let feed = gazette::model::Normalized {
        feed_title: None,
        site_link: None,
        items: vec![item],
        warnings: vec![],
        origins: vec![],
    };
    store(&url)
        .save_items(&farm.url(&path(0)), &feed, chrono::Utc::now())
        .expect("save");
    let published = served_within(
        port,
        "/feeds/all.xml",
        "다른 노드가 저장한 속보",
        Duration::from_secs(30),
    );
    support::signal(&node, libc::SIGTERM);
    let stopped = wait_with_timeout(&mut node, Duration::from_secs(15));
    if stopped.is_none() {
        let _ = node.kill();
    }
    assert!(published, "the change was not published on notice");
    assert!(
        stopped.is_some_and(|status| status.success()),
        "{stopped:?}"
    );
}
