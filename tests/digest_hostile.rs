//! Mail against hostile SMTP servers: one that never greets, one that drops the connection at
//! DATA, one that goes silent after the message. `gazette digest --send` never hangs, mail that
//! cannot have been delivered is retried, only mail that may have been is left in doubt, and under
//! `gazette run` a stuck send neither blocks polling nor a prompt stop.

mod support;

use std::process::{Child, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use gazette::store::digests::SendState;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use support::daemon::{Daemon, wait_until};
use support::digest::{Sink, Site, kst, read_message, serve_smtp};
use support::{http_get, show};

const DAY: &str = "2026-01-11";

/// Short limits, so that each fault costs the tests a second or two.
const FAST: &str =
    "smtp_connect_timeout = \"1s\"\nsmtp_timeout = \"1s\"\nsmtp_data_timeout = \"1s\"";

/// How a [`Hostile`] server misbehaves.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Fault {
    /// Accepts the connection and says nothing.
    NeverGreets,
    /// Answers up to RCPT, then closes the connection on DATA.
    DropsAtData,
    /// Takes the whole message, final dot included, and never replies.
    SilentAfterMessage,
}

/// An SMTP server on 127.0.0.1 with one fault, counting the connections it gets.
struct Hostile {
    port: u16,
    connections: Arc<AtomicUsize>,
    _runtime: tokio::runtime::Runtime,
}

impl Hostile {
    fn start(fault: Fault) -> Hostile {
        let connections = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&connections);
        let (port, runtime) = serve_smtp(0, move |stream| {
            counter.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(session(stream, fault));
        });
        Hostile {
            port,
            connections,
            _runtime: runtime,
        }
    }

    fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

async fn session(stream: TcpStream, fault: Fault) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    if fault == Fault::NeverGreets {
        return drain(lines).await;
    }
    write.write_all(b"220 hostile ESMTP\r\n").await?;
    loop {
        let mut line = String::new();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
        let reply: &[u8] = match verb.as_str() {
            "EHLO" => b"250-hostile\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n",
            "MAIL" | "RCPT" => b"250 ok\r\n",
            "DATA" if fault == Fault::DropsAtData => return Ok(()),
            "DATA" => {
                write.write_all(b"354 go ahead\r\n").await?;
                if read_message(&mut lines).await?.is_none() {
                    return Ok(());
                }
                // The message is complete; the reply never comes.
                return drain(lines).await;
            }
            "QUIT" => {
                write.write_all(b"221 bye\r\n").await?;
                return Ok(());
            }
            _ => b"250 ok\r\n",
        };
        write.write_all(reply).await?;
    }
}

/// Reads and ignores everything until the client hangs up.
async fn drain(mut lines: impl AsyncReadExt + Unpin) -> std::io::Result<()> {
    let mut buffer = [0; 4096];
    while lines.read(&mut buffer).await? > 0 {}
    Ok(())
}

/// A day of news to send.
fn seed(site: &Site) {
    site.seed(&[(
        "/politics.xml",
        "p1",
        "대전시, 내년 예산 7조 원 편성",
        "대전시가 역대 최대 규모의 예산안을 시의회에 제출했다.",
        kst("2026-01-11T09:30:00"),
    )]);
}

/// Waits for `child`, killing it (and failing) if it hangs.
fn finish(mut child: Child, what: &str) -> std::process::Output {
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().expect("wait").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("{what} hangs");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().expect("output")
}

fn send(site: &Site) -> std::process::Output {
    let child = site
        .work
        .command(&["digest", "--date", DAY, "--send"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    finish(child, "digest --send")
}

fn states(site: &Site) -> Vec<SendState> {
    site.store()
        .digest_sends(DAY.parse().expect("date"))
        .expect("sends")
        .into_iter()
        .map(|send| send.state)
        .collect()
}

/// A day of news sent, with `FAST` limits, to a server that misbehaves as `fault` says: the
/// send must fail (exit 1). The server, the site and what the send printed.
fn failed_send(fault: Fault) -> (Hostile, Site, String) {
    let hostile = Hostile::start(fault);
    let site = Site::new(&hostile.url(), FAST);
    seed(&site);
    let output = send(&site);
    assert_eq!(output.status.code(), Some(1), "{}", show(&output));
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    (hostile, site, stdout)
}

#[test]
fn a_server_that_never_greets_does_not_hang_the_send_and_is_retried() {
    let (hostile, site, stdout) = failed_send(Fault::NeverGreets);
    assert_eq!(stdout.matches("retrying after").count(), 2, "{stdout}");
    assert!(stdout.contains("no answer within 2s"), "{stdout}");
    assert_eq!(states(&site), [SendState::Retry, SendState::Retry]);
    assert_eq!(hostile.connections(), 2);
}

#[test]
fn a_drop_at_data_is_retried_and_the_mail_arrives_later() {
    let (hostile, site, stdout) = failed_send(Fault::DropsAtData);
    assert_eq!(stdout.matches("retrying after").count(), 2, "{stdout}");
    assert!(!stdout.contains("in doubt"), "{stdout}");
    assert_eq!(states(&site), [SendState::Retry, SendState::Retry]);

    // The same site, now with a working server: both readers get the mail, once.
    let sink = Sink::start(&[]);
    let config = std::fs::read_to_string(site.work.config()).expect("config");
    std::fs::write(
        site.work.config(),
        config.replace(&hostile.url(), &sink.url()),
    )
    .expect("config");
    let output = send(&site);
    assert!(output.status.success(), "{}", show(&output));
    assert_eq!(sink.messages().len(), 2);
    assert_eq!(states(&site), [SendState::Sent, SendState::Sent]);
}

#[test]
fn silence_after_the_end_of_the_message_is_in_doubt_and_never_resent() {
    let (hostile, site, stdout) = failed_send(Fault::SilentAfterMessage);
    assert_eq!(stdout.matches("in doubt").count(), 2, "{stdout}");
    assert!(
        stdout.contains("no reply to the end of the message"),
        "{stdout}"
    );
    assert_eq!(states(&site), [SendState::Unknown, SendState::Unknown]);

    let again = send(&site);
    let stdout = String::from_utf8_lossy(&again.stdout);
    assert_eq!(stdout.matches("not sent again").count(), 2, "{stdout}");
    assert_eq!(
        hostile.connections(),
        2,
        "a message in doubt was sent again"
    );
}

#[test]
fn under_run_a_stuck_send_blocks_neither_polling_nor_stopping() {
    // Default limits: the send would hang for a minute at least.
    let hostile = Hostile::start(Fault::NeverGreets);
    let site = Site::new(&hostile.url(), "time = \"00:00\"\nsend_empty = true");
    let daemon = Daemon::start(&site.work, &[]);
    let polled = |url: &str| site.store().feed_state(url).ok().flatten().is_some();
    let feed = |path: &str| {
        let config = std::fs::read_to_string(site.work.config()).expect("config");
        config
            .lines()
            .find_map(|line| {
                line.strip_prefix("url = \"")?
                    .strip_suffix(&format!("{path}\""))
            })
            .map(|base| format!("{base}{path}"))
            .expect("a feed url")
    };
    let feeds = [feed("/politics.xml"), feed("/daejeon.xml")];
    // The digest of yesterday is due at once: the send starts and the server never greets,
    // while every feed is polled and the server answers.
    wait_until("every feed polled beside the stuck send", || {
        hostile.connections() > 0 && feeds.iter().all(|url| polled(url))
    });
    assert_eq!(http_get(site.port, "/healthz").map(|r| r.0), Some(200));
    daemon.stop_cleanly();
}
