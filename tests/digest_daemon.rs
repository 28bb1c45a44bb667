//! `gazette run` and the digest: sent at its time, caught up on start, never twice across
//! restarts.

mod support;

use chrono::{TimeDelta, Utc};
use chrono_tz::Tz;

use support::daemon::{Daemon, wait_until};
use support::digest::{READER1, READER2, Sink, Site};
use support::{http_get, show};

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

    let daemon = Daemon::start(&site.work, &[]);
    wait_until("both messages", || sink.messages().len() >= 2);
    daemon.wait_for_log(&format!("digest {day}: done"));
    wait_until("the sends in /metrics", || {
        http_get(site.port, "/metrics")
            .is_some_and(|(_, _, body)| body.contains("gazette_digests_sent_total 2"))
    });
    daemon.stop_cleanly();
    let mut recipients = sink.recipients();
    recipients.sort();
    assert_eq!(recipients, [READER1, READER2]);
    assert!(site.work.output(&format!("digest/{day}.html")).exists());

    // A restart finds the day done in the store and sends nothing.
    let daemon = Daemon::start(&site.work, &[]);
    daemon.wait_for_log(&format!("digest {day}: done"));
    daemon.stop_cleanly();
    assert_eq!(sink.messages().len(), 2);
}

#[test]
fn without_catch_up_a_day_due_while_down_is_skipped() {
    let sink = Sink::start(&[]);
    let site = Site::new(&sink.url(), "time = \"00:00\"\ncatch_up = false");
    seed_yesterday(&site);
    let daemon = Daemon::start(&site.work, &[]);
    daemon.wait_for_log(&format!(
        "digest {}: due before the daemon started, not sent (catch_up = false)",
        yesterday()
    ));
    daemon.stop_cleanly();
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
