//! `gazette digest`: the day's selection, the archive and feeds, and mail to a local SMTP sink,
//! exactly once per recipient whatever fails.

mod support;

use std::path::Path;

use gazette::config::{Config, ConfigError};
use gazette::store::digests::{RetryPolicy, SendState};
use mailparse::{MailHeaderMap, ParsedMail};

use support::digest::{READER1, READER2, Sink, Site, kst};
use support::{atom_entries, free_port, rss_items, show};

const DAY: &str = "2026-01-11";
const SUBJECT: &str = "가제트 뉴스 — 2026년 1월 11일 (일) 주요 뉴스";

/// A day of news in both feeds, and one item on each side of the day.
fn seed_day(site: &Site) {
    site.seed(&[
        (
            "/politics.xml",
            "p1",
            "대전시, 내년 예산 7조 원 편성",
            "대전시가 역대 최대 규모의 예산안을 시의회에 제출했다.",
            kst("2026-01-11T09:30:00"),
        ),
        (
            "/politics.xml",
            "p-late",
            "자정 직전 속보",
            "하루의 마지막 1분에 들어온 기사.",
            kst("2026-01-11T23:59:00"),
        ),
        (
            "/politics.xml",
            "p-next",
            "다음 날 새벽 기사",
            "자정을 넘겨 들어온 기사.",
            kst("2026-01-12T00:01:00"),
        ),
        (
            "/politics.xml",
            "p-before",
            "전날 밤 기사",
            "전날 밤에 들어온 기사.",
            kst("2026-01-10T23:59:00"),
        ),
        (
            "/daejeon.xml",
            "d1",
            "유성 온천 축제 개막",
            "주말 동안 10만 명이 찾을 것으로 보인다.",
            kst("2026-01-11T00:01:00"),
        ),
    ]);
}

fn parse(data: &[u8]) -> ParsedMail<'_> {
    mailparse::parse_mail(data).expect("the message parses")
}

/// The text and HTML parts of a multipart/alternative message.
fn parts(mail: &ParsedMail<'_>) -> (String, String) {
    assert_eq!(mail.ctype.mimetype, "multipart/alternative");
    let body = |mimetype: &str| {
        mail.subparts
            .iter()
            .find(|part| part.ctype.mimetype == mimetype)
            .unwrap_or_else(|| panic!("a {mimetype} part"))
            .get_body()
            .expect("a decodable body")
    };
    (body("text/plain"), body("text/html"))
}

#[test]
fn send_mails_each_recipient_once_and_archives_the_day() {
    let sink = Sink::start(&[]);
    let site = Site::new(&sink.url(), "");
    seed_day(&site);
    let work = &site.work;

    let output = work.run(&["digest", "--date", DAY, "--send"]);
    assert!(output.status.success(), "{}", show(&output));
    let mut recipients = sink.recipients();
    recipients.sort();
    assert_eq!(recipients, [READER1, READER2], "one message per recipient");

    for message in sink.messages() {
        let mail = parse(&message.data);
        let headers = &mail.headers;
        assert_eq!(headers.get_first_value("Subject").as_deref(), Some(SUBJECT));
        let raw_subject = String::from_utf8_lossy(&message.data);
        assert!(
            raw_subject.contains("Subject: =?utf-8?"),
            "the Korean subject is RFC 2047 encoded"
        );
        assert!(headers.get_first_value("Message-ID").is_some());
        assert!(headers.get_first_value("Date").is_some());
        assert_eq!(
            headers.get_first_value("List-Unsubscribe").as_deref(),
            Some("<mailto:news@news.example.kr?subject=unsubscribe>")
        );
        let to = headers.get_first_value("To").unwrap_or_default();
        assert!(
            to.contains(&message.to[0]),
            "each message names only its reader"
        );
        let (text, html) = parts(&mail);
        for part in [&text, &html] {
            assert!(part.contains("대전시, 내년 예산 7조 원 편성"));
            assert!(part.contains("자정 직전 속보"), "23:59 KST is on the day");
            assert!(
                !part.contains("다음 날 새벽 기사"),
                "00:01 KST is the next day's"
            );
            assert!(!part.contains("전날 밤 기사"), "the day before's");
        }
        assert!(text.contains("중도일보 · 오후 11:59"));
        assert!(text.lines().all(|line| unicode_width(line) <= 72), "{text}");
        assert!(text.contains("[1] https://news.example.kr/article/"));
        assert!(html.contains("2026년 1월 11일 (일)"));
        assert!(!html.contains("<script"), "no JavaScript");
    }

    // The archive: page, text, message, index and feeds.
    let page = work.read_output(&format!("digest/{DAY}.html"));
    assert!(page.contains("유성 온천 축제 개막"));
    let text = work.read_output(&format!("digest/{DAY}.txt"));
    assert!(text.starts_with("가제트 뉴스\n2026년 1월 11일 (일) · 주요 뉴스 3건\n"));
    let eml = std::fs::read(work.output(&format!("digest/{DAY}.eml"))).expect("eml");
    let archived = parse(&eml);
    assert_eq!(
        archived.headers.get_first_value("Subject").as_deref(),
        Some(SUBJECT)
    );
    let eml_text = String::from_utf8_lossy(&eml);
    assert!(
        !eml_text.contains(READER1) && !eml_text.contains(READER2),
        "the public copy names no reader"
    );
    let index = work.read_output("digest/index.html");
    assert!(index.contains(&format!("href=\"{DAY}.html\"")));
    let entries = atom_entries(&work.read_output("feeds/digest.atom"));
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].1, SUBJECT);
    let items = rss_items(&work.read_output("feeds/digest.xml"));
    assert_eq!(
        items[0].2,
        format!("https://news.example.kr/digest/{DAY}.html")
    );

    // Again: nothing is sent twice.
    let again = work.run(&["digest", "--date", DAY, "--send"]);
    assert!(again.status.success(), "{}", show(&again));
    assert!(String::from_utf8_lossy(&again.stdout).contains("already sent"));
    assert_eq!(sink.messages().len(), 2);
}

fn unicode_width(line: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(line)
}

#[test]
fn a_send_recorded_before_a_crash_is_never_repeated() {
    let sink = Sink::start(&[]);
    let site = Site::new(&sink.url(), "");
    seed_day(&site);
    // A process claimed reader1's send, then died before (or while) talking to the server.
    let claimed = site
        .store()
        .claim_digest_send(
            DAY.parse().expect("date"),
            READER1,
            "<digest-crashed@news.example.kr>",
            kst("2026-01-12T07:00:00"),
            RetryPolicy::Due,
        )
        .expect("claim");
    assert_eq!(claimed, Some(1));

    let output = site.work.run(&["digest", "--date", DAY, "--send"]);
    assert_eq!(output.status.code(), Some(1), "{}", show(&output));
    assert_eq!(sink.recipients(), [READER2]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains(&format!("{READER1}: not sent again")),
        "{stdout}"
    );
    let status = site
        .store()
        .digest_status()
        .expect("status")
        .expect("a day");
    assert_eq!((status.sent, status.in_doubt), (1, 1));
}

#[test]
fn smtp_down_is_retried_and_then_sent_once() {
    let port = free_port();
    let site = Site::new(&format!("smtp://127.0.0.1:{port}"), "");
    seed_day(&site);

    let down = site.work.run(&["digest", "--date", DAY, "--send"]);
    assert_eq!(down.status.code(), Some(1), "{}", show(&down));
    assert!(String::from_utf8_lossy(&down.stdout).contains("retrying after"));
    let status = site
        .store()
        .digest_status()
        .expect("status")
        .expect("a day");
    assert_eq!((status.sent, status.retrying), (0, 2));
    assert!(
        status
            .last_error
            .as_deref()
            .is_some_and(|error| error.contains("cannot connect")),
        "{status:?}"
    );
    assert!(status.next_attempt.is_some());

    let sink = Sink::start_on(port, &[]);
    let up = site.work.run(&["digest", "--date", DAY, "--send"]);
    assert!(up.status.success(), "{}", show(&up));
    assert_eq!(sink.messages().len(), 2);
    let sends = site
        .store()
        .digest_sends(DAY.parse().expect("date"))
        .expect("sends");
    assert!(sends.iter().all(|send| send.state == SendState::Sent));
    assert!(sends.iter().all(|send| send.attempts == 2));
}

#[test]
fn a_refused_recipient_is_reported_and_the_others_get_it() {
    let sink = Sink::start(&[READER2]);
    let site = Site::new(&sink.url(), "");
    seed_day(&site);
    let output = site.work.run(&["digest", "--date", DAY, "--send"]);
    assert_eq!(output.status.code(), Some(1), "{}", show(&output));
    assert_eq!(sink.recipients(), [READER1]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains(&format!("{READER2}: refused")), "{stdout}");
    let status = site
        .store()
        .digest_status()
        .expect("status")
        .expect("a day");
    assert_eq!((status.sent, status.failed), (1, 1));
    assert!(status.last_error.is_some_and(|error| error.contains("550")));
}

#[test]
fn an_empty_day_sends_nothing_unless_asked() {
    let sink = Sink::start(&[]);
    let site = Site::new(&sink.url(), "");
    let output = site.work.run(&["digest", "--date", DAY, "--send"]);
    assert!(output.status.success(), "{}", show(&output));
    assert!(String::from_utf8_lossy(&output.stdout).contains("nothing sent"));
    assert!(sink.messages().is_empty());
    assert!(site.store().digest_status().expect("status").is_none());

    let eager = Site::new(&sink.url(), "send_empty = true");
    let output = eager.work.run(&["digest", "--date", DAY, "--send"]);
    assert!(output.status.success(), "{}", show(&output));
    assert_eq!(sink.messages().len(), 2);
    let (text, _) = parts(&parse(&sink.messages()[0].data));
    assert!(text.contains("이날은 새로 들어온 기사가 없습니다."));
}

#[test]
fn without_send_the_digest_is_only_built() {
    let sink = Sink::start(&[]);
    let site = Site::new(&sink.url(), "");
    seed_day(&site);
    let output = site.work.run(&["digest", "--date", "2026-01-12"]);
    assert!(output.status.success(), "{}", show(&output));
    assert!(sink.messages().is_empty());
    let text = site.work.read_output("digest/2026-01-12.txt");
    assert!(text.contains("다음 날 새벽 기사"));
    assert!(!text.contains("자정 직전 속보"));
}

#[test]
fn digest_mistakes_are_reported_with_their_place() {
    let source = r#"[[section]]
id = "politics"
title = "정치"

[digest]
time = "7am"
timezone = "Asia/Seul"
sections = ["politcs"]
subject = "{title} {day}"
from = "not an address"
smtp = "smtp://user:secret@mail.example.com"
smtp_user_env = "SMTP_USER"
"#;
    let Err(ConfigError::Invalid { diagnostics }) = Config::parse(source, Path::new("feeds.toml"))
    else {
        panic!("expected mistakes");
    };
    let lines: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
    let expected = [
        "feeds.toml:5:1: missing `to`",
        "feeds.toml:5:1: set both `smtp_user_env` and `smtp_password_env`, or neither",
        "feeds.toml:6:8: bad time `7am`: expected a 24-hour time like \"07:00\"",
        "feeds.toml:7:12: unknown timezone `Asia/Seul`, did you mean `Asia/Seoul`?",
        "feeds.toml:8:13: unknown section `politcs`, did you mean `politics`?",
        "feeds.toml:9:11: unknown placeholder `{day}` in the subject: expected `{title}` or `{date}`",
    ];
    for line in expected {
        assert!(
            lines.iter().any(|found| found == line),
            "{line}\nin {lines:#?}"
        );
    }
    assert!(
        lines
            .iter()
            .any(|line| line.starts_with("feeds.toml:10:8: bad e-mail address")),
        "{lines:#?}"
    );
    assert!(
        lines
            .iter()
            .any(|line| line.starts_with("feeds.toml:11:8: the smtp url")
                && line.contains("smtp_password_env")),
        "{lines:#?}"
    );
    let disabled = "[digest]\nenabled = false\n";
    let config = Config::parse(disabled, Path::new("feeds.toml")).expect("valid");
    let digest = config.digest.expect("a digest");
    assert_eq!(digest.subject, "{title} — {date} 주요 뉴스");
    assert_eq!(digest.max_items_per_section, 10);
    assert!(digest.catch_up && !digest.send_empty);
}
