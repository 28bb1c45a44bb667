//! WebSub: with `websub_hub` set, feeds name the hub and each publish that changed feeds tells a
//! (local, fake) hub which ones.

mod support;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use support::{Farm, FeedsToml, Route, TestItem, Workdir, one_feed, rss, show};

/// The POSTs a hub received: (content type, body).
type Posts = Arc<Mutex<Vec<(String, String)>>>;

/// A hub on 127.0.0.1 that records every POST.
struct FakeHub {
    url: String,
    seen: Posts,
    _runtime: tokio::runtime::Runtime,
}

impl FakeHub {
    fn start() -> FakeHub {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let url = format!("http://{}/hub", listener.local_addr().unwrap());
        let seen = Posts::default();
        let app = Router::new().fallback(record).with_state(Arc::clone(&seen));
        runtime.spawn(async move { axum::serve(listener, app).await });
        FakeHub {
            url,
            seen,
            _runtime: runtime,
        }
    }

    /// The `hub.url`s of the `hub.mode=publish` requests so far, sorted, then forgotten.
    fn take_published(&self) -> Vec<String> {
        let seen = std::mem::take(&mut *self.seen.lock().unwrap());
        let mut urls: Vec<String> = seen
            .iter()
            .map(|(content_type, body)| {
                assert_eq!(content_type, "application/x-www-form-urlencoded");
                let pairs: Vec<(String, String)> = url::form_urlencoded::parse(body.as_bytes())
                    .into_owned()
                    .collect();
                assert_eq!(pairs[0], ("hub.mode".to_owned(), "publish".to_owned()));
                assert_eq!(pairs[1].0, "hub.url");
                pairs[1].1.clone()
            })
            .collect();
        urls.sort();
        urls
    }
}

async fn record(State(seen): State<Posts>, headers: HeaderMap, body: String) -> StatusCode {
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    seen.lock().unwrap().push((content_type, body));
    StatusCode::NO_CONTENT
}

#[test]
fn each_publish_that_changed_feeds_pings_the_hub_for_them() {
    let farm = Farm::start();
    let hub = FakeHub::start();
    let items = |titles: &[&str]| {
        let items: Vec<TestItem> = titles
            .iter()
            .enumerate()
            .map(|(i, title)| TestItem::new(&format!("i{i}"), title, "2026-01-11T07:35:00Z"))
            .collect();
        Route::rss(rss("중도일보", &items))
    };
    let base = "https://news.example.kr/";
    let work = Workdir::new(
        FeedsToml::new()
            .set("base_url", base)
            .set("websub_hub", hub.url.as_str())
            .section("politics", "정치")
            .feed(&farm.url("/a.xml"), &["politics"]),
    );

    let mut before = BTreeMap::new();
    for (round, titles) in [
        ("first publish", &["첫 기사"][..]),
        ("nothing new", &["첫 기사"][..]),
        ("a new item", &["첫 기사", "둘째 기사"][..]),
    ] {
        farm.set("/a.xml", items(titles));
        let output = work.run(&["once"]);
        assert!(output.status.success(), "{}", show(&output));
        let after = feed_files(&work);
        let changed: Vec<String> = after
            .iter()
            .filter(|(file, bytes)| before.get(*file) != Some(*bytes))
            .map(|(file, _)| format!("{base}{file}"))
            .collect();
        assert_eq!(hub.take_published(), changed, "{round}");
        before = after;
        if round != "nothing new" {
            for feed in ["all.xml", "all.atom", "politics.xml", "politics.atom"] {
                let url = format!("{base}feeds/{feed}");
                assert!(changed.contains(&url), "{round}: {feed} changed");
            }
        }
    }

    let rss = work.read_output("feeds/all.xml");
    assert!(
        rss.contains(&format!("href=\"{}\" rel=\"hub\"", hub.url)),
        "RSS names the hub: {rss}"
    );
    let atom = work.read_output("feeds/all.atom");
    assert!(
        atom.contains(&format!("<link href=\"{}\" rel=\"hub\"/>", hub.url)),
        "Atom names the hub: {atom}"
    );
}

/// The feed documents under `output/feeds`, by path relative to `output`, with their bytes.
fn feed_files(work: &Workdir) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut folders = vec![work.output("feeds")];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            if path.is_dir() {
                folders.push(path);
            } else if ["xml", "atom", "json"].contains(&extension) {
                let relative = path.strip_prefix(work.output("")).unwrap();
                files.insert(
                    relative.to_string_lossy().into_owned(),
                    std::fs::read(&path).unwrap(),
                );
            }
        }
    }
    files
}

#[test]
fn without_a_hub_feeds_name_none() {
    let farm = Farm::start();
    let work = Workdir::new(one_feed(&farm, "기사"));
    let output = work.run(&["once"]);
    assert!(output.status.success(), "{}", show(&output));
    assert!(!work.read_output("feeds/all.xml").contains("rel=\"hub\""));
    assert!(!work.read_output("feeds/all.atom").contains("rel=\"hub\""));
}
