//! The HTTP server over a real socket: content types, validators and 304s, precompressed copies,
//! HEAD, 404s, traversal and malformed requests, the status pages, shutdown.

mod support;

use std::io::Read;
use std::path::PathBuf;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use gazette::config::Config;
use gazette::model::{Edition, SectionEdition, StoredItem};
use gazette::publish::Publisher;
use support::FeedsToml;
use support::serving::Serving;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const SECRET: &str = "outside the output folder";

/// A folder with `feeds.toml`, `output/` and, beside them, `secret.txt`, which must never be
/// served.
struct Fixture {
    dir: tempfile::TempDir,
    config: Config,
}

impl Fixture {
    fn new() -> Fixture {
        Fixture::with(FeedsToml::bare())
    }

    /// With `settings` in `[gazette]`.
    fn with(settings: FeedsToml) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("secret.txt"), SECRET).unwrap();
        std::fs::create_dir_all(dir.path().join("output/feeds")).unwrap();
        let source = settings
            .set("title", "가제트")
            .section("politics", "정치/행정")
            .feed("https://news.example.kr/rss.xml", &["politics"])
            .with("name", "예시<일보>")
            .to_string();
        let path = dir.path().join("feeds.toml");
        std::fs::write(&path, &source).unwrap();
        let config = Config::parse(&source, &path).unwrap();
        Fixture { dir, config }
    }

    fn output(&self) -> PathBuf {
        self.dir.path().join("output")
    }

    fn put(&self, file: &str, body: impl AsRef<[u8]>) {
        std::fs::write(self.output().join(file), body).unwrap();
    }

    fn publish(&self, title: &str) {
        Publisher::new(&self.config.gazette)
            .publish(&edition(title))
            .unwrap();
    }

    async fn serve(&self) -> Server {
        Server {
            serving: Serving::start(&self.config, self.output()).await,
        }
    }
}

/// A running `serve::serve` on an ephemeral port, and how the tests talk to it.
struct Server {
    serving: Serving,
}

impl Server {
    async fn get(&self, path: &str) -> (u16, String, String) {
        let response = self.request(reqwest::Method::GET, path, &[]).await;
        let status = response.status().as_u16();
        let content_type = header(&response, "content-type");
        (status, content_type, response.text().await.unwrap())
    }

    /// A request with exactly these headers: the client neither adds `Accept-Encoding` nor
    /// decodes the body.
    async fn request(
        &self,
        method: reqwest::Method,
        path: &str,
        headers: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut request = client().request(method, format!("http://{}{path}", self.serving.addr));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send().await.unwrap()
    }

    /// Sends `request` byte for byte (HTTP clients normalize `..` and `%2e%2e` away, and refuse
    /// malformed headers), and returns the whole response.
    async fn raw(&self, request: &[u8]) -> String {
        let mut stream = TcpStream::connect(self.serving.addr).await.unwrap();
        stream.write_all(request).await.unwrap();
        let mut response = Vec::new();
        let _ = stream.read_to_end(&mut response).await;
        String::from_utf8_lossy(&response).into_owned()
    }

    async fn raw_get(&self, target: &str) -> String {
        let request = format!("GET {target} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
        self.raw(request.as_bytes()).await
    }

    async fn stop(self) {
        self.serving.stop().await;
    }
}

fn client() -> reqwest::Client {
    // reqwest is built without a bundled TLS crypto provider; plain HTTP never uses it, but the
    // builder wants one installed.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .no_proxy()
        .no_gzip()
        .no_brotli()
        .no_deflate()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

fn header(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .map(|value| value.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

fn status_line(response: &str) -> &str {
    response.lines().next().unwrap_or_default()
}

#[tokio::test]
async fn healthz_says_ok() {
    let server = Fixture::new().serve().await;
    let (status, _, body) = server.get("/healthz").await;
    assert_eq!((status, body.as_str()), (200, "ok"));
}

#[tokio::test]
async fn files_are_served_with_their_content_types() {
    let fixture = Fixture::new();
    let server = fixture.serve().await;
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
        ("sources.opml", "<opml/>", "text/x-opml; charset=utf-8"),
        ("sitemap.xml", "<urlset/>", "application/xml; charset=utf-8"),
        ("blob.bin", "\u{1}", "application/octet-stream"),
    ];
    for (file, body, content_type) in cases {
        fixture.put(file, body);
        let got = server.get(&format!("/{file}")).await;
        assert_eq!(
            got,
            (200, content_type.to_owned(), body.to_owned()),
            "{file}"
        );
    }
}

#[tokio::test]
async fn folders_serve_their_index_html() {
    let fixture = Fixture::new();
    let server = fixture.serve().await;
    assert_eq!(server.get("/").await.0, 404);

    fixture.put("index.html", "<h1>가제트</h1>");
    let got = server.get("/").await;
    assert_eq!(
        got,
        (
            200,
            "text/html; charset=utf-8".to_owned(),
            "<h1>가제트</h1>".to_owned()
        )
    );
    fixture.put("feeds/index.html", "feeds");
    let redirect = server.raw_get("/feeds").await;
    assert!(
        status_line(&redirect).starts_with("HTTP/1.1 301"),
        "{redirect}"
    );
    assert!(
        redirect
            .to_ascii_lowercase()
            .contains("location: /feeds/\r\n"),
        "{redirect}"
    );
    assert_eq!(server.get("/feeds/").await.2, "feeds");
}

#[tokio::test]
async fn unknown_and_internal_paths_get_a_plain_404() {
    let fixture = Fixture::new();
    fixture.publish("첫 기사");
    fixture.put("feeds/.all.xml.99999.0.tmp", "half written");
    fixture.put(".env", "secret");
    let server = fixture.serve().await;
    for path in [
        "/nope",
        "/feeds/missing.xml",
        "/feeds/",
        "/feeds/.all.xml.99999.0.tmp",
        "/.env",
        "/feeds/all.xml.gz",
        "/feeds/all.xml.br",
    ] {
        let (status, content_type, body) = server.get(path).await;
        assert_eq!(status, 404, "{path}");
        assert_eq!(content_type, "text/plain; charset=utf-8", "{path}");
        assert_eq!(body, "not found\n", "{path}");
    }
}

#[tokio::test]
async fn nothing_outside_the_output_folder_is_served() {
    let fixture = Fixture::new();
    fixture.put("feeds/all.xml", "<rss/>");
    let server = fixture.serve().await;
    for target in [
        "/../secret.txt",
        "/feeds/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/feeds/%2e%2e/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/feeds/..%2f..%2fsecret.txt",
        "/..%5csecret.txt",
        "/..%5c..%5csecret.txt",
        "/%252e%252e/secret.txt",
        "/feeds/all.xml%00.html",
        "/%c0%ae%c0%ae/secret.txt",
        "//etc/passwd",
        "/feeds/../../../../../../etc/passwd",
    ] {
        let response = server.raw_get(target).await;
        assert!(
            status_line(&response).starts_with("HTTP/1.1 4"),
            "{target}: {}",
            status_line(&response)
        );
        assert!(!response.contains(SECRET), "{target} leaked the file");
        assert!(!response.contains("root:"), "{target} leaked /etc/passwd");
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
async fn symlinks_out_of_the_output_folder_are_not_followed() {
    let fixture = Fixture::new();
    fixture.put("feeds/all.xml", "<rss/>");
    let outside = fixture.dir.path().join("secret.txt");
    let link = |target: &std::path::Path, name: &str| {
        std::os::unix::fs::symlink(target, fixture.output().join(name)).unwrap();
    };
    link(&outside, "secret.html");
    link(std::path::Path::new("/etc/passwd"), "passwd.txt");
    link(fixture.dir.path(), "up");
    link(std::path::Path::new("/etc"), "etc");
    // A link that stays inside the folder is still served.
    link(std::path::Path::new("feeds/all.xml"), "latest.xml");
    let server = fixture.serve().await;
    for path in [
        "/secret.html",
        "/passwd.txt",
        "/up/secret.txt",
        "/up/",
        "/etc/passwd",
        "/etc/hostname",
    ] {
        let (status, _, body) = server.get(path).await;
        assert_eq!(status, 404, "{path}");
        assert!(!body.contains(SECRET), "{path} leaked the file");
        assert!(!body.contains("root:"), "{path} leaked /etc/passwd");
    }
    assert_eq!(
        server.get("/latest.xml").await,
        (
            200,
            "application/xml; charset=utf-8".to_owned(),
            "<rss/>".to_owned()
        )
    );
}

#[tokio::test]
async fn failed_write_preconditions_get_412() {
    let fixture = Fixture::new();
    fixture.publish("첫 기사");
    let server = fixture.serve().await;
    let full = server
        .request(reqwest::Method::GET, "/feeds/all.atom", &[])
        .await;
    let etag = header(&full, "etag");
    let last_modified = header(&full, "last-modified");
    let weak = format!("W/{etag}");
    for headers in [
        vec![("if-match", "\"other\"")],
        vec![("if-match", weak.as_str())],
        vec![("if-unmodified-since", "Thu, 01 Jan 1970 00:00:00 GMT")],
        // If-Match is evaluated first and fails, whatever the date says.
        vec![
            ("if-match", "\"other\""),
            ("if-unmodified-since", last_modified.as_str()),
        ],
    ] {
        let response = server
            .request(reqwest::Method::GET, "/feeds/all.atom", &headers)
            .await;
        assert_eq!(response.status(), 412, "{headers:?}");
        assert!(
            !response.text().await.unwrap().contains("<feed"),
            "{headers:?}"
        );
    }
    let listed = format!("\"other\", {etag}");
    for headers in [
        vec![("if-match", etag.as_str())],
        vec![("if-match", listed.as_str())],
        vec![("if-match", "*")],
        vec![("if-unmodified-since", last_modified.as_str())],
        vec![("if-unmodified-since", "yesterday")],
    ] {
        let response = server
            .request(reqwest::Method::GET, "/feeds/all.atom", &headers)
            .await;
        assert_eq!(response.status(), 200, "{headers:?}");
        assert!(
            response.text().await.unwrap().contains("<feed"),
            "{headers:?}"
        );
    }
}

#[tokio::test]
async fn every_file_has_strong_validators_and_cache_control() {
    let fixture = Fixture::with(FeedsToml::bare().set("cache_max_age", "90s"));
    fixture.publish("첫 기사");
    let server = fixture.serve().await;
    let response = server
        .request(reqwest::Method::GET, "/feeds/all.xml", &[])
        .await;
    assert_eq!(response.status(), 200);
    let etag = header(&response, "etag");
    assert!(
        etag.starts_with('"') && etag.ends_with('"') && etag.len() > 10,
        "strong etag: {etag}"
    );
    let last_modified = header(&response, "last-modified");
    assert!(
        httpdate::parse_http_date(&last_modified).is_ok(),
        "{last_modified}"
    );
    assert_eq!(header(&response, "cache-control"), "public, max-age=90");
    assert_eq!(header(&response, "vary"), "accept-encoding");

    // The default is five minutes.
    let fixture = Fixture::new();
    fixture.put("index.html", "x");
    let server = fixture.serve().await;
    let response = server.request(reqwest::Method::GET, "/", &[]).await;
    assert_eq!(header(&response, "cache-control"), "public, max-age=300");
}

#[tokio::test]
async fn etags_survive_restarts_and_change_with_the_content() {
    let fixture = Fixture::new();
    fixture.publish("첫 기사");
    let etag = |server: &Server| {
        let server_addr = server.serving.addr;
        async move {
            let response = client()
                .get(format!("http://{server_addr}/feeds/all.xml"))
                .send()
                .await
                .unwrap();
            header(&response, "etag")
        }
    };
    let first = fixture.serve().await;
    let before = etag(&first).await;
    first.stop().await;
    let second = fixture.serve().await;
    assert_eq!(etag(&second).await, before, "same bytes, same tag");

    fixture.publish("둘째 기사");
    let after = etag(&second).await;
    assert_ne!(after, before, "new bytes, new tag");
    let (_, _, body) = second.get("/feeds/all.xml").await;
    assert!(body.contains("둘째 기사"), "the new content is served");
}

#[tokio::test]
async fn conditional_requests_get_304_without_a_body() {
    let fixture = Fixture::new();
    fixture.publish("첫 기사");
    let server = fixture.serve().await;
    let get = |headers: &'static [(&'static str, &'static str)]| {
        server.request(reqwest::Method::GET, "/feeds/all.atom", headers)
    };
    let full = get(&[]).await;
    let etag = header(&full, "etag");
    let last_modified = header(&full, "last-modified");

    let weak = format!("W/{etag}");
    let listed = format!("\"other\", {etag}");
    for value in [etag.as_str(), weak.as_str(), listed.as_str(), "*"] {
        let response = server
            .request(
                reqwest::Method::GET,
                "/feeds/all.atom",
                &[("if-none-match", value)],
            )
            .await;
        assert_eq!(response.status(), 304, "If-None-Match: {value}");
        assert_eq!(header(&response, "etag"), etag);
        assert_eq!(header(&response, "cache-control"), "public, max-age=300");
        assert_eq!(response.bytes().await.unwrap().len(), 0);
    }
    let response = server
        .request(
            reqwest::Method::GET,
            "/feeds/all.atom",
            &[("if-modified-since", &last_modified)],
        )
        .await;
    assert_eq!(response.status(), 304, "If-Modified-Since: {last_modified}");

    // Not modified only when the tag matches; If-None-Match wins over If-Modified-Since.
    for headers in [
        vec![("if-none-match", "\"other\"")],
        vec![("if-modified-since", "Thu, 01 Jan 1970 00:00:00 GMT")],
        vec![
            ("if-none-match", "\"other\""),
            ("if-modified-since", last_modified.as_str()),
        ],
        vec![("if-none-match", "garbage, \"")],
        vec![("if-modified-since", "yesterday")],
    ] {
        let response = server
            .request(reqwest::Method::GET, "/feeds/all.atom", &headers)
            .await;
        assert_eq!(response.status(), 200, "{headers:?}");
        assert_eq!(header(&response, "etag"), etag);
    }
}

#[tokio::test]
async fn precompressed_copies_are_served_to_clients_that_accept_them() {
    let fixture = Fixture::new();
    fixture.publish("첫 기사");
    let identity = std::fs::read(fixture.output().join("feeds/all.xml")).unwrap();
    let server = fixture.serve().await;
    let plain = server
        .request(reqwest::Method::GET, "/feeds/all.xml", &[])
        .await;
    let plain_etag = header(&plain, "etag");
    assert_eq!(header(&plain, "content-encoding"), "");
    assert_eq!(plain.bytes().await.unwrap(), identity);

    let mut etags = vec![plain_etag];
    for (accept, expected) in [
        ("gzip, deflate, br", "br"),
        ("gzip", "gzip"),
        ("br;q=0, gzip;q=0.5", "gzip"),
        ("*", "br"),
    ] {
        let response = server
            .request(
                reqwest::Method::GET,
                "/feeds/all.xml",
                &[("accept-encoding", accept)],
            )
            .await;
        assert_eq!(response.status(), 200);
        assert_eq!(header(&response, "content-encoding"), expected, "{accept}");
        assert_eq!(header(&response, "vary"), "accept-encoding");
        assert_eq!(
            header(&response, "content-type"),
            "application/rss+xml; charset=utf-8"
        );
        let etag = header(&response, "etag");
        let body = response.bytes().await.unwrap();
        assert_eq!(decode(expected, &body), identity, "{accept}");
        if !etags.contains(&etag) {
            etags.push(etag);
        }
    }
    assert_eq!(etags.len(), 3, "one tag per encoding: {etags:?}");

    // Revalidating the gzip copy.
    let gzip_etag = etags[2].clone();
    let response = server
        .request(
            reqwest::Method::GET,
            "/feeds/all.xml",
            &[("accept-encoding", "gzip"), ("if-none-match", &gzip_etag)],
        )
        .await;
    assert_eq!(response.status(), 304);
    assert_eq!(header(&response, "vary"), "accept-encoding");
}

#[tokio::test]
async fn a_copy_that_does_not_match_its_file_is_never_served() {
    let fixture = Fixture::new();
    let feed = "<rss>".to_owned() + &"가제트 ".repeat(500) + "</rss>";
    fixture.put("feeds/all.xml", &feed);
    // As if a publish died between writing the copies and the file.
    let mut stale = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut stale, b"<rss>old</rss>").unwrap();
    fixture.put("feeds/all.xml.gz", stale.finish().unwrap());
    fixture.put("feeds/all.xml.br", "not brotli at all");
    let server = fixture.serve().await;
    let response = server
        .request(
            reqwest::Method::GET,
            "/feeds/all.xml",
            &[("accept-encoding", "gzip, br")],
        )
        .await;
    assert_eq!(header(&response, "content-encoding"), "");
    assert_eq!(response.text().await.unwrap(), feed);
}

#[tokio::test]
async fn head_answers_like_get_without_the_body() {
    let fixture = Fixture::new();
    fixture.publish("첫 기사");
    let server = fixture.serve().await;
    let get = server
        .request(reqwest::Method::GET, "/feeds/all.xml", &[])
        .await;
    let head = server
        .request(reqwest::Method::HEAD, "/feeds/all.xml", &[])
        .await;
    assert_eq!(head.status(), 200);
    for name in ["etag", "last-modified", "content-type", "content-length"] {
        assert_eq!(header(&head, name), header(&get, name), "{name}");
    }
    assert!(!header(&head, "content-length").is_empty());
    assert_eq!(head.bytes().await.unwrap().len(), 0);

    let response = server
        .raw(b"HEAD /feeds/all.xml HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        .await;
    assert!(
        response.ends_with("\r\n\r\n"),
        "no body after the head: {response}"
    );
    let missing = server.request(reqwest::Method::HEAD, "/nope", &[]).await;
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn other_methods_are_refused() {
    let fixture = Fixture::new();
    fixture.publish("첫 기사");
    let server = fixture.serve().await;
    for method in [
        reqwest::Method::POST,
        reqwest::Method::PUT,
        reqwest::Method::DELETE,
    ] {
        let response = server.request(method.clone(), "/feeds/all.xml", &[]).await;
        assert_eq!(response.status(), 405, "{method}");
        assert_eq!(header(&response, "allow"), "GET, HEAD");
    }
    assert!(fixture.output().join("feeds/all.xml").is_file());
}

#[tokio::test]
async fn malformed_requests_get_a_4xx_and_the_server_carries_on() {
    let fixture = Fixture::new();
    fixture.publish("첫 기사");
    let server = fixture.serve().await;
    let huge_tag_list = format!(
        "GET /feeds/all.xml HTTP/1.1\r\nHost: t\r\nIf-None-Match: {}\"x\"\r\nConnection: close\r\n\r\n",
        "\"aaaaaaaa\", ".repeat(4_000)
    );
    let response = server.raw(huge_tag_list.as_bytes()).await;
    assert!(
        status_line(&response).starts_with("HTTP/1.1 200"),
        "{}",
        status_line(&response)
    );

    let too_big = format!(
        "GET /feeds/all.xml HTTP/1.1\r\nHost: t\r\nIf-None-Match: \"{}\"\r\n\r\n",
        "a".repeat(2_000_000)
    );
    let requests: [&[u8]; 5] = [
        too_big.as_bytes(),
        b"GET /feeds/all.xml HTTP/1.1\r\nHost: t\r\nbroken header line\r\n\r\n",
        b"GET /feeds/all.xml HTTP/1.1\r\nHost: t\r\nIf-None-Match: \x01\x02\r\n\r\n",
        b"GARBAGE\r\n\r\n",
        b"GET /feeds/\xff\xfe.xml HTTP/1.1\r\nHost: t\r\n\r\n",
    ];
    for request in requests {
        let response = server.raw(request).await;
        let line = status_line(&response);
        assert!(
            line.is_empty() || line.starts_with("HTTP/1.1 4"),
            "{:?}: {line}",
            String::from_utf8_lossy(&request[..request.len().min(60)])
        );
    }
    assert_eq!(server.get("/feeds/all.xml").await.0, 200, "still serving");
}

#[tokio::test]
async fn published_feeds_are_served_and_parse() {
    let fixture = Fixture::new();
    fixture.publish("첫 기사");
    let server = fixture.serve().await;

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
async fn status_pages_list_every_configured_feed() {
    let server = Fixture::new().serve().await;
    let (status, content_type, body) = server.get("/status.json").await;
    assert_eq!((status, content_type.as_str()), (200, "application/json"));
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["feeds"][0]["url"], "https://news.example.kr/rss.xml");
    assert_eq!(json["feeds"][0]["failures"], 0);
    assert_eq!(json["feeds"][0]["items"], 0);
    assert_eq!(json["last_cycle"], serde_json::Value::Null);

    let response = server.request(reqwest::Method::GET, "/status", &[]).await;
    assert_eq!(header(&response, "cache-control"), "no-store");
    let page = response.text().await.unwrap();
    assert!(page.contains("https://news.example.kr/rss.xml"), "{page}");
    assert!(
        page.contains("예시&lt;일보&gt;"),
        "names are escaped: {page}"
    );
    assert!(page.contains("No cycle has run yet"), "{page}");

    let (status, content_type, body) = server.get("/metrics").await;
    assert_eq!(status, 200);
    assert!(
        content_type.starts_with("application/openmetrics-text"),
        "{content_type}"
    );
    assert!(
        body.contains("# TYPE gazette_cycle_duration_seconds histogram"),
        "{body}"
    );
    assert!(body.ends_with("# EOF\n"), "{body}");
}

#[tokio::test]
async fn shutdown_stops_the_server() {
    let server = Fixture::new().serve().await;
    assert_eq!(server.get("/healthz").await.0, 200);
    server.stop().await;
}

#[tokio::test]
async fn shutdown_does_not_wait_for_a_client_that_never_finishes() {
    let server = Fixture::new().serve().await;
    // Half a request: the connection is busy, not idle, so a graceful shutdown would wait on it.
    let mut stalled = TcpStream::connect(server.serving.addr).await.unwrap();
    stalled
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\n")
        .await
        .unwrap();
    assert_eq!(server.get("/healthz").await.0, 200);
    server.stop().await;
    drop(stalled);
}

fn decode(encoding: &str, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    match encoding {
        "gzip" => flate2::read::GzDecoder::new(body)
            .read_to_end(&mut out)
            .unwrap(),
        "br" => brotli::Decompressor::new(body, 4096)
            .read_to_end(&mut out)
            .unwrap(),
        other => panic!("unexpected encoding {other}"),
    };
    out
}

fn edition(title: &str) -> Edition {
    let date = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
    let item = StoredItem::sample("https://news.example.kr/rss.xml", "first", date)
        .with_title(title)
        .with_link("https://news.example.kr/1")
        .with_summary("요약 ".repeat(40))
        .with_source_name("예시일보");
    Edition {
        generated: date,
        sections: vec![SectionEdition {
            id: "all".to_owned(),
            title: "전체".to_owned(),
            items: vec![item],
        }],
        ..Edition::default()
    }
}
