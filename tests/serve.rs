//! The HTTP server over a real socket: content types, index, 404s, traversal, shutdown.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{TimeZone, Utc};
use gazette::config::{Config, Settings};
use gazette::merge::{Edition, SectionEdition, Source, StoredItem};
use gazette::normalize::Item;
use gazette::publish::Publisher;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

const SECRET: &str = "outside the output folder";

/// A running `serve::serve` on an ephemeral port, over a temporary folder.
struct Server {
    addr: SocketAddr,
    /// The output folder; its parent holds `secret.txt`, which must never be served.
    output: PathBuf,
    stop: oneshot::Sender<()>,
    task: JoinHandle<std::io::Result<()>>,
    _dir: tempfile::TempDir,
}

impl Server {
    async fn start() -> Server {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("secret.txt"), SECRET).unwrap();
        let output = dir.path().join("output");
        std::fs::create_dir_all(output.join("feeds")).unwrap();

        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(gazette::serve::serve(listener, output.clone(), async {
            let _ = stopped.await;
        }));
        Server {
            addr,
            output,
            stop,
            task,
            _dir: dir,
        }
    }

    fn put(&self, file: &str, body: &str) {
        std::fs::write(self.output.join(file), body).unwrap();
    }

    async fn get(&self, path: &str) -> (u16, String, String) {
        let response = client()
            .get(format!("http://{}{path}", self.addr))
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .map(|value| value.to_str().unwrap().to_owned())
            .unwrap_or_default();
        (status, content_type, response.text().await.unwrap())
    }

    /// Sends `target` byte for byte: HTTP clients normalize `..` and `%2e%2e` away before sending.
    async fn raw_get(&self, target: &str) -> String {
        let mut stream = TcpStream::connect(self.addr).await.unwrap();
        let request = format!("GET {target} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).await.unwrap();
        response
    }
}

fn client() -> reqwest::Client {
    // reqwest is built without a bundled TLS crypto provider; plain HTTP never uses it, but the
    // builder wants one installed.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

#[tokio::test]
async fn healthz_says_ok() {
    let server = Server::start().await;
    let (status, _, body) = server.get("/healthz").await;
    assert_eq!((status, body.as_str()), (200, "ok"));
}

#[tokio::test]
async fn feeds_are_served_with_feed_content_types() {
    let server = Server::start().await;
    let cases = [
        (
            "feeds/all.xml",
            "<rss/>",
            "application/rss+xml; charset=utf-8",
        ),
        (
            "feeds/all.atom",
            "<feed/>",
            "application/atom+xml; charset=utf-8",
        ),
        (
            "feeds/all.json",
            "{}",
            "application/feed+json; charset=utf-8",
        ),
        ("page.html", "<p>정치</p>", "text/html; charset=utf-8"),
    ];
    for (file, body, content_type) in cases {
        server.put(file, body);
        let got = server.get(&format!("/{file}")).await;
        assert_eq!(
            got,
            (200, content_type.to_owned(), body.to_owned()),
            "{file}"
        );
    }
}

#[tokio::test]
async fn xml_outside_the_feeds_folder_is_not_called_rss() {
    let server = Server::start().await;
    server.put("sitemap.xml", "<urlset/>");
    let (status, content_type, _) = server.get("/sitemap.xml").await;
    assert_eq!(status, 200);
    assert!(!content_type.contains("rss"), "{content_type}");
}

#[tokio::test]
async fn the_root_serves_index_html_when_present() {
    let server = Server::start().await;
    let (status, _, _) = server.get("/").await;
    assert_eq!(status, 404);

    server.put("index.html", "<h1>가제트</h1>");
    let got = server.get("/").await;
    assert_eq!(
        got,
        (
            200,
            "text/html; charset=utf-8".to_owned(),
            "<h1>가제트</h1>".to_owned()
        )
    );
}

#[tokio::test]
async fn unknown_paths_get_a_plain_404() {
    let server = Server::start().await;
    for path in ["/nope", "/feeds/missing.xml", "/feeds/"] {
        let (status, content_type, body) = server.get(path).await;
        assert_eq!(status, 404, "{path}");
        assert!(
            content_type.starts_with("text/plain"),
            "{path}: {content_type}"
        );
        assert_eq!(body, "not found\n", "{path}");
    }
}

#[tokio::test]
async fn nothing_outside_the_output_folder_is_served() {
    let server = Server::start().await;
    server.put("feeds/all.xml", "<rss/>");
    for target in [
        "/../secret.txt",
        "/feeds/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/feeds/%2e%2e/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/feeds/..%2f..%2fsecret.txt",
        "/..%5csecret.txt",
    ] {
        let response = server.raw_get(target).await;
        let status_line = response.lines().next().unwrap_or_default();
        assert!(
            status_line.starts_with("HTTP/1.1 4"),
            "{target}: {status_line}"
        );
        assert!(!response.contains(SECRET), "{target} leaked the file");
    }
    // The same raw request for a real file does get it.
    assert!(
        server
            .raw_get("/feeds/all.xml")
            .await
            .starts_with("HTTP/1.1 200")
    );
}

#[tokio::test]
async fn published_feeds_are_served_and_parse() {
    let server = Server::start().await;
    let settings = settings(&server.output);
    Publisher::new(&settings).publish(&edition()).unwrap();

    let (status, content_type, body) = server.get("/feeds/all.xml").await;
    assert_eq!(status, 200);
    assert_eq!(content_type, "application/rss+xml; charset=utf-8");
    let channel = rss::Channel::read_from(body.as_bytes()).unwrap();
    assert_eq!(channel.title, "가제트 — 전체");
    assert_eq!(channel.items.len(), 1);

    let (status, content_type, body) = server.get("/feeds/all.atom").await;
    assert_eq!(status, 200);
    assert_eq!(content_type, "application/atom+xml; charset=utf-8");
    let feed = atom_syndication::Feed::read_from(body.as_bytes()).unwrap();
    assert_eq!(feed.entries[0].title.value, "첫 기사");
}

#[tokio::test]
async fn shutdown_stops_the_server() {
    let server = Server::start().await;
    assert_eq!(server.get("/healthz").await.0, 200);
    server.stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(5), server.task)
        .await
        .expect("server did not stop")
        .unwrap()
        .unwrap();
}

fn settings(output_dir: &Path) -> Settings {
    let source = "[gazette]\ntitle = \"가제트\"\n";
    let mut settings = Config::parse(source, Path::new("feeds.toml"))
        .unwrap()
        .gazette;
    settings.output_dir = output_dir.to_path_buf();
    settings
}

fn edition() -> Edition {
    let date = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
    let item = StoredItem {
        item: Item {
            id: "first".to_owned(),
            title: "첫 기사".to_owned(),
            link: Some("https://news.example.kr/1".to_owned()),
            summary: Some("요약".to_owned()),
            content_html: None,
            authors: vec![],
            categories: vec![],
            published: Some(date),
            updated: None,
        },
        source: Source {
            feed_url: "https://news.example.kr/rss.xml".to_owned(),
            name: "예시일보".to_owned(),
            site_link: None,
        },
        first_seen: date,
    };
    Edition {
        generated: date,
        sections: vec![SectionEdition {
            id: "all".to_owned(),
            title: "전체".to_owned(),
            items: vec![item],
        }],
    }
}
