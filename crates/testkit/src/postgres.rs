//! A throwaway PostgreSQL server for tests: started once per test process from Debian's
//! server binaries (`/usr/lib/postgresql/*/bin`, package `postgresql`), in a temporary folder,
//! listening only on a unix socket there, trusting local connections; each caller gets a
//! database of its own. A watcher stops the server and deletes the folder once the test process
//! is gone, however it ends.
//!
//! `GAZETTE_TEST_POSTGRES` (a URL of a server where the user may create databases) uses that
//! server instead. Without either, the test fails saying what to install: never a skip.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// A server to make databases on.
enum Server {
    /// Ours: its socket folder and its binaries.
    Local { socket: PathBuf, bin: PathBuf },
    /// Given by `GAZETTE_TEST_POSTGRES`.
    External(String),
}

static SERVER: OnceLock<Result<Server, String>> = OnceLock::new();
static DATABASES: AtomicUsize = AtomicUsize::new(0);

/// The URL of a new, empty database. Panics, saying why, when no server can be had.
pub fn database() -> String {
    let server = match SERVER.get_or_init(start) {
        Ok(server) => server,
        Err(why) => panic!("PostgreSQL tests need a server: {why}"),
    };
    let name = format!(
        "gazette_test_{}_{}",
        std::process::id(),
        DATABASES.fetch_add(1, Ordering::Relaxed)
    );
    match server {
        Server::Local { socket, bin } => {
            run(Command::new(bin.join("createdb")).args([
                "-h",
                &socket.display().to_string(),
                "-U",
                "postgres",
                &name,
            ]))
            .unwrap_or_else(|why| panic!("cannot create a test database: {why}"));
            format!("postgresql://postgres@/{name}?host={}", socket.display())
        }
        Server::External(url) => {
            let status = Command::new("psql")
                .args([url.as_str(), "-qc", &format!("CREATE DATABASE {name}")])
                .status();
            assert!(
                status.is_ok_and(|status| status.success()),
                "cannot create a test database on GAZETTE_TEST_POSTGRES (needs psql)"
            );
            let (base, query) = url.split_once('?').unwrap_or((url.as_str(), ""));
            let base = base.rsplit_once('/').map_or(base, |(server, _)| server);
            match query {
                "" => format!("{base}/{name}"),
                query => format!("{base}/{name}?{query}"),
            }
        }
    }
}

fn run(command: &mut Command) -> Result<(), String> {
    let output = command
        .stdin(Stdio::null())
        .output()
        .map_err(|error| format!("{command:?}: {error}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{command:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

/// The newest installed server's binaries.
fn binaries() -> Result<PathBuf, String> {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map_err(|_| "no /usr/lib/postgresql: install Debian's `postgresql` package (apt-get install postgresql), or set GAZETTE_TEST_POSTGRES to a server's URL".to_string())?
        .filter_map(|entry| entry.ok().map(|entry| entry.path().join("bin")))
        .filter(|bin| bin.join("initdb").exists())
        .collect();
    found.sort_by_key(|bin| {
        bin.parent()
            .and_then(Path::file_name)
            .and_then(|version| version.to_str()?.parse::<u32>().ok())
    });
    found
        .pop()
        .ok_or_else(|| "no initdb under /usr/lib/postgresql/*/bin: install `postgresql`".into())
}

/// As root the server must run as `postgres` (initdb refuses root); else as ourselves.
fn as_server_user(program: &Path) -> Command {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| out.stdout.trim_ascii() == b"0");
    if root {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

fn start() -> Result<Server, String> {
    if let Ok(url) = std::env::var("GAZETTE_TEST_POSTGRES") {
        return Ok(Server::External(url));
    }
    let bin = binaries()?;
    let dir = std::env::temp_dir().join(format!("gazette-pg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|error| format!("{}: {error}", dir.display()))?;
    // The server user must own its folder.
    let _ = Command::new("chown")
        .args(["postgres:postgres"])
        .arg(&dir)
        .status();
    let data = dir.join("data");
    run(as_server_user(&bin.join("initdb"))
        .args([
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
            "-E",
            "UTF8",
            "--locale=C",
            "-D",
        ])
        .arg(&data))?;
    // The server, and a watcher that stops it and removes the folder once this process is gone.
    let script = format!(
        "'{postgres}' -D '{data}' -k '{dir}' -c listen_addresses= -c fsync=off \
           -c max_connections=200 -c shared_buffers=32MB >'{dir}/log' 2>&1 &
         server=$!
         while [ -d /proc/{parent} ] && kill -0 $server 2>/dev/null; do sleep 1; done
         kill -INT $server 2>/dev/null; wait $server; rm -rf '{dir}'",
        postgres = bin.join("postgres").display(),
        data = data.display(),
        dir = dir.display(),
        parent = std::process::id(),
    );
    let mut sh = as_server_user(Path::new("/bin/sh"));
    sh.args(["-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|error| format!("cannot start postgres: {error}"))?;
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(60) {
        if run(Command::new(bin.join("pg_isready")).args(["-q", "-h", &dir.display().to_string()]))
            .is_ok()
        {
            return Ok(Server::Local { socket: dir, bin });
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let log = std::fs::read_to_string(dir.join("log")).unwrap_or_default();
    Err(format!(
        "the test server did not start within a minute:\n{log}"
    ))
}

/// Makes every feed of gazette's PostgreSQL store at `url` due again, as if its interval had
/// passed: the next `once` or cycle polls them all.
pub fn make_every_feed_due(url: &str) {
    let mut client = postgres::Client::connect(url, postgres::NoTls).expect("connect");
    client
        .execute(
            "UPDATE feeds SET next_poll = now() - interval '1 second'",
            &[],
        )
        .expect("feeds due");
}
