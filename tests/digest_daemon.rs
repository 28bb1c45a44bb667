//! `gazette run` and the digest: sent at its time, caught up on start, never twice across
//! restarts.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{TimeDelta, Utc};
use chrono_tz::Tz;

use support::digest::{READER1, READER2, Sink, Site};
use support::{http_get, show};

/// `gazette run`, with its log lines collected as they come.
struct Daemon {
    child: Child,
    log: Arc<Mutex<Vec<String>>>,
}

impl Daemon {
    fn start(site: &Site) -> Daemon {
        let mut child = site
            .work
            .command(&["run"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn gazette run");
        let stderr = child.stderr.take().expect("stderr");
        let log = Arc::new(Mutex::new(Vec::new()));
        let lines = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                lines.lock().expect("log lock").push(line);
            }
        });
        Daemon { child, log }
    }

    /// Waits until a log line contains `text` (generously: the machine may be busy).
    fn wait_for_log(&self, text: &str) {
        wait_until(&format!("a log line with {text:?}"), || {
            self.log
                .lock()
                .expect("log lock")
                .iter()
                .any(|line| line.contains(text))
        });
    }

    fn stop(mut self) {
        let pid = libc::pid_t::try_from(self.child.id()).expect("pid");
        // SAFETY: kill(2) with a valid signal number has no memory effects on this process.
        assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
        let status = self.child.wait().expect("wait");
        assert!(
            status.success(),
            "{:#?}",
            self.log.lock().expect("log lock")
        );
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(90);
    while !done() {
        assert!(Instant::now() < deadline, "gave up waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Yesterday, in Seoul: with `time = "00:00"` its digest is always due.
fn yesterday() -> chrono::NaiveDate {
    let today = Utc::now().with_timezone(&Tz::Asia__Seoul).date_naive();
    today.pred_opt().expect("a day before")
}

fn seed_yesterday(site: &Site) {
    let noon = yesterday()
        .and_hms_opt(3, 0, 0)
        .expect("03:00 UTC is noon in Seoul")
        .and_utc();
    site.seed(&[(
        "/politics.xml",
        "p1",
        "어제의 주요 뉴스",
        "데몬이 보내야 할 기사.",
        noon,
    )]);
    assert!(Utc::now() - noon < TimeDelta::days(2));
}

#[test]
fn a_day_due_while_down_is_caught_up_on_start_and_never_sent_twice() {
    let sink = Sink::start(&[]);
    let site = Site::new(&sink.url(), "time = \"00:00\"");
    seed_yesterday(&site);
    let day = yesterday();

    let daemon = Daemon::start(&site);
    wait_until("both messages", || sink.messages().len() >= 2);
    daemon.wait_for_log(&format!("digest {day}: done"));
    wait_until("the sends in /metrics", || {
        http_get(site.port, "/metrics")
            .is_some_and(|(_, _, body)| body.contains("gazette_digests_sent_total 2"))
    });
    daemon.stop();
    let mut recipients = sink.recipients();
    recipients.sort();
    assert_eq!(recipients, [READER1, READER2]);
    assert!(site.work.output(&format!("digest/{day}.html")).exists());

    // A restart finds the day done in the store and sends nothing.
    let daemon = Daemon::start(&site);
    daemon.wait_for_log(&format!("digest {day}: done"));
    daemon.stop();
    assert_eq!(sink.messages().len(), 2);
}

#[test]
fn without_catch_up_a_day_due_while_down_is_skipped() {
    let sink = Sink::start(&[]);
    let site = Site::new(&sink.url(), "time = \"00:00\"\ncatch_up = false");
    seed_yesterday(&site);
    let daemon = Daemon::start(&site);
    daemon.wait_for_log(&format!(
        "digest {}: due before the daemon started, not sent (catch_up = false)",
        yesterday()
    ));
    daemon.stop();
    assert!(sink.messages().is_empty());
}

#[test]
fn the_daemon_will_not_start_without_the_smtp_login() {
    let sink = Sink::start(&[]);
    let site = Site::new(
        &sink.url(),
        "smtp_user_env = \"GAZETTE_TEST_UNSET_USER\"\nsmtp_password_env = \"GAZETTE_TEST_UNSET_PASSWORD\"",
    );
    let output = site
        .work
        .command(&["run"])
        .env_remove("GAZETTE_TEST_UNSET_USER")
        .env_remove("GAZETTE_TEST_UNSET_PASSWORD")
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(1), "{}", show(&output));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("GAZETTE_TEST_UNSET_USER"),
        "{}",
        show(&output)
    );
}
