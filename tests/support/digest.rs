//! For the digest tests: a local SMTP sink, the digest config and a seeded store.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use gazette::model::{Item, Normalized};
use gazette::store::Store;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

use super::{Workdir, free_port};

/// One message as the sink received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub data: Vec<u8>,
}

/// An SMTP server on 127.0.0.1 that accepts mail (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT)
/// and keeps it, refusing the recipients it is told to.
pub struct Sink {
    pub port: u16,
    received: Arc<Mutex<Vec<Received>>>,
    _runtime: tokio::runtime::Runtime,
}

impl Sink {
    pub fn start(refused: &[&str]) -> Sink {
        Sink::start_on(0, refused)
    }

    /// A sink on `port` (0: any free port).
    pub fn start_on(port: u16, refused: &[&str]) -> Sink {
        let received = Arc::new(Mutex::new(Vec::new()));
        let refused: Arc<Vec<String>> = Arc::new(refused.iter().map(|r| r.to_string()).collect());
        let sink = Arc::clone(&received);
        let (port, runtime) = serve_smtp(port, move |stream| {
            tokio::spawn(session(stream, Arc::clone(&sink), Arc::clone(&refused)));
        });
        Sink {
            port,
            received,
            _runtime: runtime,
        }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn messages(&self) -> Vec<Received> {
        self.received.lock().expect("sink lock").clone()
    }

    /// The recipients of every message received, in order.
    pub fn recipients(&self) -> Vec<String> {
        self.messages().into_iter().flat_map(|m| m.to).collect()
    }
}

/// Listens on 127.0.0.1:`port` (0: any free port) on a runtime of its own, handing `accept`
/// each connection from inside the runtime; the port bound, and the runtime, which stops the
/// server when dropped.
pub fn serve_smtp(
    port: u16,
    mut accept: impl FnMut(TcpStream) + Send + 'static,
) -> (u16, tokio::runtime::Runtime) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let listener = runtime
        .block_on(TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port))))
        .expect("bind the SMTP server");
    let port = listener.local_addr().expect("addr").port();
    runtime.spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            accept(stream);
        }
    });
    (port, runtime)
}

async fn session(
    stream: TcpStream,
    received: Arc<Mutex<Vec<Received>>>,
    refused: Arc<Vec<String>>,
) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    write.write_all(b"220 sink ESMTP\r\n").await?;
    let (mut from, mut to) = (String::new(), Vec::new());
    loop {
        let mut line = String::new();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_owned();
        let verb = command.get(..4).unwrap_or("").to_ascii_uppercase();
        let address = || {
            let start = command.find('<').map_or(0, |at| at + 1);
            let end = command.rfind('>').unwrap_or(command.len());
            command.get(start..end).unwrap_or("").to_owned()
        };
        let reply: &[u8] = match verb.as_str() {
            "EHLO" => b"250-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n",
            "HELO" => b"250 sink\r\n",
            "MAIL" => {
                from = address();
                b"250 2.1.0 ok\r\n"
            }
            "RCPT" if refused.contains(&address()) => b"550 5.1.1 no such mailbox\r\n",
            "RCPT" => {
                to.push(address());
                b"250 2.1.5 ok\r\n"
            }
            "DATA" => {
                write.write_all(b"354 go ahead\r\n").await?;
                let Some(data) = read_message(&mut lines).await? else {
                    return Ok(());
                };
                received.lock().expect("sink lock").push(Received {
                    from: std::mem::take(&mut from),
                    to: std::mem::take(&mut to),
                    data,
                });
                b"250 2.0.0 queued\r\n"
            }
            "RSET" => {
                (from, to) = (String::new(), Vec::new());
                b"250 ok\r\n"
            }
            "NOOP" => b"250 ok\r\n",
            "QUIT" => {
                write.write_all(b"221 bye\r\n").await?;
                return Ok(());
            }
            _ => b"502 not implemented\r\n",
        };
        write.write_all(reply).await?;
    }
}

/// The message an SMTP client sends after DATA, read up to the line with the final dot and with
/// its dot-stuffing undone; `None` when the client hangs up before the end.
pub async fn read_message(
    lines: &mut (impl AsyncBufRead + Unpin),
) -> std::io::Result<Option<Vec<u8>>> {
    let mut data = Vec::new();
    loop {
        let mut line = Vec::new();
        if lines.read_until(b'\n', &mut line).await? == 0 {
            return Ok(None);
        }
        if line == b".\r\n" {
            return Ok(Some(data));
        }
        let line = line.strip_prefix(b".").unwrap_or(&line);
        data.extend_from_slice(line);
    }
}

pub const CONFIG: &str = include_str!("../fixtures/digest/feeds.toml");
pub const READER1: &str = "reader1@example.com";
pub const READER2: &str = "reader2@example.com";

/// A work folder with the test config, whose feeds are never reachable: the tests put their
/// items in the store themselves.
pub struct Site {
    pub work: Workdir,
    /// Where `gazette run` serves.
    pub port: u16,
    /// `http://127.0.0.1:PORT`, nothing listening.
    feeds: String,
}

impl Site {
    /// The test config sending to `smtp`, with `extra` keys in `[digest]`.
    pub fn new(smtp: &str, extra: &str) -> Site {
        let feeds = format!("http://127.0.0.1:{}", free_port());
        let port = free_port();
        let config = CONFIG
            .replace("{smtp}", smtp)
            .replace("{listen}", &format!("127.0.0.1:{port}"))
            .replace("{feed}", &feeds)
            .replace("{digest_extra}", extra);
        Site {
            work: Workdir::new(&config),
            port,
            feeds,
        }
    }

    /// The test config sending to `smtp`, its store the PostgreSQL database at `database`.
    pub fn with_database(smtp: &str, extra: &str, database: &str) -> Site {
        let mut site = Site::new(smtp, extra);
        let config = std::fs::read_to_string(site.work.config()).expect("the config");
        let config = config.replacen(
            "[gazette]\n",
            &format!("[gazette]\ndatabase = \"{database}\"\n"),
            1,
        );
        site.work = Workdir::new(config);
        site
    }

    pub fn store(&self) -> Store {
        let config = gazette::config::Config::load(&self.work.config()).expect("the config");
        Store::connect(&config.gazette.database).expect("store")
    }

    /// Puts `items` in the store, as if their feeds had been polled.
    pub fn seed(&self, items: &[Seed<'_>]) {
        let store = self.store();
        for (path, id, title, summary, date) in items {
            let item: Item = serde_json::from_value(serde_json::json!({
                "id": id,
                "title": title,
                "link": format!("https://news.example.kr/article/{id}"),
                "summary": summary,
                "authors": [],
                "categories": [],
                "published": date,
            }))
            .expect("an item");
            let feed = Normalized {
                feed_title: None,
                site_link: None,
                items: vec![item],
                origins: vec![],
                warnings: vec![],
            };
            store
                .save_items(&format!("{}{path}", self.feeds), &feed, *date)
                .expect("save");
        }
    }
}

/// One stored item: (feed path, id, title, summary, date).
pub type Seed<'a> = (&'a str, &'a str, &'a str, &'a str, DateTime<Utc>);

pub fn kst(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(&format!("{text}+09:00"))
        .expect("a KST date")
        .with_timezone(&Utc)
}
