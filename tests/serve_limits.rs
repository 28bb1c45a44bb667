//! The server against clients that hold connections: silent, half-sent and idle kept-alive
//! connections are closed after `header_timeout`, and with far more silent connections open than
//! `max_connections`, a new client is still answered.

mod support;

use std::time::Duration;

use gazette::config::Config;
use support::serving::Serving;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A running `serve::serve` over a folder holding `index.html`.
struct Server {
    serving: Serving,
    _dir: tempfile::TempDir,
}

impl Server {
    async fn start(gazette_table: &str) -> Server {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("output")).unwrap();
        std::fs::write(dir.path().join("output/index.html"), "<p>가제트</p>").unwrap();
        let source = format!("[gazette]\n{gazette_table}\n");
        let config = Config::parse(&source, &dir.path().join("feeds.toml")).unwrap();
        Server {
            serving: Serving::start(&config, dir.path().join("output")).await,
            _dir: dir,
        }
    }

    async fn connect(&self) -> TcpStream {
        TcpStream::connect(self.serving.addr).await.unwrap()
    }

    /// A fresh connection's answer to `GET /`, read to its end.
    async fn get(&self) -> String {
        let mut stream = self.connect().await;
        stream
            .write_all(b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            .await
            .unwrap();
        let mut response = Vec::new();
        stream.read_to_end(&mut response).await.unwrap();
        String::from_utf8_lossy(&response).into_owned()
    }

    async fn stop(self) {
        self.serving.stop().await;
    }
}

/// Reads until the server closes `stream`, returning what it sent. Hangs (and the test with it,
/// until the guard below) if it never does.
async fn closed_by_server(stream: &mut TcpStream) -> String {
    let mut received = Vec::new();
    let mut buffer = [0; 4096];
    let guard = tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => received.extend_from_slice(&buffer[..n]),
            }
        }
    });
    guard.await.expect("the server never closed the connection");
    String::from_utf8_lossy(&received).into_owned()
}

#[tokio::test]
async fn silent_half_sent_and_idle_connections_are_closed() {
    let server = Server::start("header_timeout = \"1s\"").await;

    let mut silent = server.connect().await;
    let mut half = server.connect().await;
    half.write_all(b"GET / HTTP/1.1\r\nHost: t\r\n")
        .await
        .unwrap();
    let mut idle = server.connect().await;
    idle.write_all(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        .await
        .unwrap();

    assert_eq!(closed_by_server(&mut silent).await, "");
    assert!(
        !closed_by_server(&mut half).await.contains("200 OK"),
        "half a request was answered"
    );
    // The kept-alive connection got its answer, then was closed for idling.
    let answered = closed_by_server(&mut idle).await;
    assert!(answered.starts_with("HTTP/1.1 200 OK"), "{answered}");
    assert!(answered.contains("가제트"), "{answered}");

    // The server itself carries on.
    assert!(server.get().await.starts_with("HTTP/1.1 200 OK"));
    server.stop().await;
}

#[tokio::test]
async fn new_clients_are_answered_with_many_silent_connections_open() {
    // A long header timeout: only making room at the cap can let the last client in.
    let server = Server::start("header_timeout = \"10m\"\nmax_connections = 16").await;
    let mut silent = Vec::new();
    for _ in 0..200 {
        silent.push(server.connect().await);
    }
    for _ in 0..3 {
        let answer = server.get().await;
        assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
    }
    // The oldest silent connections were closed to make room.
    assert_eq!(closed_by_server(&mut silent[0]).await, "");
    server.stop().await;
}
