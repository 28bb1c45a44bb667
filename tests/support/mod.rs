//! The integration tests' kit, one `mod support;` away: a work folder to run the `gazette`
//! binary in ([`Workdir`]), reading what it published ([`rss_items`], [`atom_entries`]), plain
//! HTTP ([`http_get`]), a config parsed in-process ([`parse_config`]), and, re-exported from the
//! `testkit` crate (which the benches use too), the feed farm, feed documents, the `feeds.toml`
//! builder and the one-feed setup. [`stories`] is the merge fixture, [`digest`] the SMTP sink and
//! digest site. Stored items are built with `StoredItem::sample` (in `gazette::model`, for tests only).
// Each test crate uses a different part of the kit.
#![allow(dead_code, unused_imports)]

pub mod daemon;
pub mod digest;
pub mod process;
pub mod serving;
pub mod stories;
pub mod tools;

use std::fmt::Display;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use gazette::config::Config;
pub use process::{signal, wait_with_timeout};
pub use testkit::farm::{Farm, Route, hanging_server, resetting_server};
pub use testkit::feeds::{TestItem, atom, rss};
pub use testkit::{FeedsToml, ONE_FEED, one_feed};

/// `gazette` run in `dir`, with `GAZETTE_CONFIG` unset and `info` logs: add the arguments.
pub fn gazette(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_gazette"));
    command
        .current_dir(dir)
        .env_remove("GAZETTE_CONFIG")
        .env("GAZETTE_LOG", "info");
    command
}

/// `source` parsed as if read from `feeds.toml`; it must be valid.
pub fn parse_config(source: impl Display) -> Config {
    let source = source.to_string();
    Config::parse(&source, Path::new("feeds.toml"))
        .unwrap_or_else(|e| panic!("invalid test config: {e}\n{source}"))
}

/// A temporary project folder with a `feeds.toml`; removed with the test.
pub struct Workdir {
    pub dir: tempfile::TempDir,
}

impl Workdir {
    /// A folder whose `feeds.toml` holds `config` (text, or a [`FeedsToml`]).
    pub fn new(config: impl Display) -> Workdir {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("feeds.toml"), config.to_string())
            .expect("write feeds.toml");
        Workdir { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn config(&self) -> PathBuf {
        self.path().join("feeds.toml")
    }

    pub fn output(&self, relative: &str) -> PathBuf {
        self.path().join("output").join(relative)
    }

    pub fn read_output(&self, relative: &str) -> String {
        let path = self.output(relative);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// `gazette ARGS --config feeds.toml`, run in this folder.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = gazette(self.path());
        command.args(args).arg("--config").arg(self.config());
        command
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("run gazette")
    }
}

/// Stdout and stderr, for assertion messages.
pub fn show(output: &Output) -> String {
    format!(
        "status {:?}\n--- stdout\n{}\n--- stderr\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// A plain HTTP/1.1 GET on 127.0.0.1: (status, lowercased head, body).
pub fn http_get(port: u16, path: &str) -> Option<(u16, String, String)> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let (head, body) = response.split_once("\r\n\r\n")?;
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    Some((status, head.to_ascii_lowercase(), body.to_owned()))
}

/// A local port nothing listens on (bound, then released).
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

/// The items of a published RSS file: (guid, title, link).
pub fn rss_items(xml: &str) -> Vec<(String, String, String)> {
    let channel = rss::Channel::read_from(xml.as_bytes()).expect("published RSS parses");
    channel
        .items()
        .iter()
        .map(|item| {
            (
                item.guid()
                    .map(|g| g.value().to_owned())
                    .unwrap_or_default(),
                item.title().unwrap_or_default().to_owned(),
                item.link().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// The entries of a published Atom file: (id, title).
pub fn atom_entries(xml: &str) -> Vec<(String, String)> {
    let feed = atom_syndication::Feed::read_from(xml.as_bytes()).expect("published Atom parses");
    feed.entries()
        .iter()
        .map(|entry| (entry.id().to_owned(), entry.title().value.clone()))
        .collect()
}
