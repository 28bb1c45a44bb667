use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono_tz::Tz;

use super::{Config, ConfigError, ContentPolicy, Database};

const VALID: &str = include_str!("../../tests/fixtures/config/valid.toml");
const MISTAKES: &str = include_str!("../../tests/fixtures/config/mistakes.toml");
const MISTAKES_EXPECTED: &str = include_str!("../../tests/fixtures/config/mistakes.expected");

fn valid(source: &str) -> Config {
    match Config::parse(source, Path::new("site/feeds.toml")) {
        Ok(config) => config,
        Err(error) => panic!("expected a valid config, got:\n{error}"),
    }
}

/// The mistakes in `source`, as `check` prints them, for a file named `feeds.toml`.
fn mistakes(source: &str) -> Vec<String> {
    match Config::parse(source, Path::new("feeds.toml")) {
        Err(ConfigError::Invalid { diagnostics }) => {
            diagnostics.iter().map(ToString::to_string).collect()
        }
        other => panic!("expected mistakes, got {other:?}"),
    }
}

/// The one mistake in `source`.
fn mistake(source: &str) -> String {
    match mistakes(source).as_slice() {
        [one] => one.clone(),
        many => panic!("expected one mistake, got {many:#?}"),
    }
}

/// A config with one section `politics` and one feed whose table ends with `feed_keys`.
fn feed_with(feed_keys: &str) -> String {
    format!(
        "[[section]]\nid = \"politics\"\ntitle = \"정치\"\n\n[[feed]]\nurl = \"https://example.com/rss\"\n{feed_keys}\n"
    )
}

#[test]
fn an_empty_file_is_all_defaults() {
    let config = valid("");
    let g = &config.gazette;
    assert_eq!(config.path, PathBuf::from("site/feeds.toml"));
    assert_eq!(g.title, "gazette");
    assert_eq!(g.base_url.as_str(), "http://127.0.0.1:8080/");
    assert_eq!(g.timezone, Tz::Asia__Seoul);
    assert_eq!(g.language, "ko");
    assert_eq!(g.output_dir, PathBuf::from("site/output"));
    assert_eq!(
        g.database,
        Database::Sqlite(PathBuf::from("site/gazette.db"))
    );
    assert_eq!(g.poll_interval, Duration::from_secs(15 * 60));
    assert_eq!(g.listen, SocketAddr::from(([127, 0, 0, 1], 8080)));
    assert_eq!(
        g.user_agent,
        format!(
            "gazette/{} (+https://github.com/gazette-rs/gazette)",
            env!("CARGO_PKG_VERSION")
        )
    );
    assert_eq!(g.concurrency, 64);
    assert_eq!(g.per_host, 2);
    assert!(!g.allow_private);
    assert_eq!(g.max_items, 50);
    assert!(!g.health_link);
    assert!(valid("[gazette]\nhealth_link = true\n").gazette.health_link);
    assert!(config.sections.is_empty());
    assert!(config.feeds.is_empty());
}

#[test]
fn every_key_is_read() {
    let config = valid(VALID);
    let g = &config.gazette;
    assert_eq!(g.title, "중도 gazette");
    assert_eq!(g.base_url.as_str(), "https://news.example.com/gazette/");
    assert_eq!(g.timezone, Tz::America__New_York);
    assert_eq!(g.language, "en");
    assert_eq!(g.output_dir, PathBuf::from("site/public"));
    assert_eq!(
        g.database,
        Database::Sqlite(PathBuf::from("/var/lib/gazette/gazette.db"))
    );
    assert_eq!(g.poll_interval, Duration::from_secs(90 * 60));
    assert_eq!(g.listen, SocketAddr::from(([0, 0, 0, 0], 9000)));
    assert_eq!(g.user_agent, "test-agent/1.0");
    assert_eq!((g.concurrency, g.max_items), (4, 20));

    let ids: Vec<_> = config.sections.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["politics", "daejeon"]);
    assert_eq!(
        config.section("daejeon").map(|s| s.title.as_str()),
        Some("대전")
    );

    let [first, second] = config.feeds.as_slice() else {
        panic!("expected two feeds, got {:#?}", config.feeds);
    };
    assert_eq!(
        first.url.as_str(),
        "https://www.example.com/rss/politics.xml"
    );
    assert_eq!(first.name.as_deref(), Some("Example Politics"));
    assert_eq!(first.sections, ["politics", "daejeon"]);
    assert_eq!(first.interval, Some(Duration::from_secs(30 * 60)));
    assert_eq!(first.content, ContentPolicy::Full);
    assert_eq!(first.timezone, Some(Tz::Asia__Tokyo));
    assert!(!first.enabled);

    assert_eq!(second.url.as_str(), "http://example.org/atom");
    assert_eq!(second.name, None);
    assert!(second.sections.is_empty());
    assert_eq!(second.interval_or(g), g.poll_interval);
    assert_eq!(second.content, ContentPolicy::Summary);
    assert_eq!(second.timezone_or(g), g.timezone);
    assert!(second.enabled);
}

#[test]
fn base_url_defaults_to_listen_and_always_ends_with_a_slash() {
    let config = valid("[gazette]\nlisten = \"[::1]:9000\"\n");
    assert_eq!(config.gazette.base_url.as_str(), "http://[::1]:9000/");
    let config = valid("[gazette]\nbase_url = \"https://example.com\"\n");
    assert_eq!(config.gazette.base_url.as_str(), "https://example.com/");
    let config = valid("[gazette]\nbase_url = \"https://example.com/a/\"\n");
    assert_eq!(config.gazette.base_url.as_str(), "https://example.com/a/");
}

#[test]
fn relative_paths_follow_the_config_file() {
    let config = Config::parse("[gazette]\noutput_dir = \"out\"\n", Path::new("feeds.toml"));
    let config = config.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(config.gazette.output_dir, PathBuf::from("out"));
    assert_eq!(
        config.gazette.database,
        Database::Sqlite(PathBuf::from("gazette.db"))
    );
}

#[test]
fn every_mistake_is_reported_in_file_order() {
    let found = match Config::parse(MISTAKES, Path::new("mistakes.toml")) {
        Err(ConfigError::Invalid { diagnostics }) => diagnostics,
        other => panic!("expected mistakes, got {other:?}"),
    };
    let shown: Vec<String> = found.iter().map(ToString::to_string).collect();
    let expected: Vec<&str> = MISTAKES_EXPECTED.lines().collect();
    assert_eq!(shown, expected);
    assert!(found.is_sorted_by_key(|d| (d.line, d.column)));
}

#[test]
fn unknown_keys_suggest_the_closest_known_key() {
    assert_eq!(
        mistake(&feed_with("section = [\"politics\"]")),
        "feeds.toml:7:1: unknown key `section`, did you mean `sections`?"
    );
    assert_eq!(
        mistake("[gazette]\npoll_intervall = \"1h\"\n"),
        "feeds.toml:2:1: unknown key `poll_intervall`, did you mean `poll_interval`?"
    );
    assert_eq!(
        mistake("[[sections]]\nid = \"a\"\n"),
        "feeds.toml:1:3: unknown key `sections`, did you mean `section`?"
    );
    assert_eq!(
        mistake("[[section]]\nid = \"a\"\ntitle = \"A\"\ncolor = 1\n"),
        "feeds.toml:4:1: unknown key `color`: expected one of `id`, `title`, `categories`, `keywords`, `exclude`"
    );
}

#[test]
fn columns_count_characters_not_bytes() {
    assert_eq!(
        mistake("section = [{ id = \"a\", title = \"정치/행정\", x = 1 }]\n"),
        "feeds.toml:1:41: unknown key `x`: expected one of `id`, `title`, `categories`, `keywords`, `exclude`"
    );
}

#[test]
fn wrong_types_name_the_expected_type() {
    assert_eq!(
        mistake("[gazette]\ntitle = 3\n"),
        "feeds.toml:2:9: `title` must be a string, not an integer"
    );
    assert_eq!(
        mistake("[gazette]\nmax_items = \"10\"\n"),
        "feeds.toml:2:13: `max_items` must be a whole number, not a string"
    );
    assert_eq!(
        mistake(&feed_with("enabled = 1")),
        "feeds.toml:7:11: `enabled` must be true or false, not an integer"
    );
    assert_eq!(
        mistake(&feed_with("sections = \"politics\"")),
        "feeds.toml:7:12: `sections` must be a list of strings, e.g. [\"a\", \"b\"], not a string"
    );
    assert_eq!(
        mistake("gazette = 1\n"),
        "feeds.toml:1:11: `gazette` must be a table ([gazette]), not an integer"
    );
    assert_eq!(
        mistake("[feed]\nurl = \"https://example.com/\"\n"),
        "feeds.toml:1:1: `feed` must be a list of tables ([[feed]]), not a table"
    );
    assert_eq!(
        mistake("feed = [1]\n"),
        "feeds.toml:1:9: each `feed` must be a table ([[feed]]), not an integer"
    );
}

#[test]
fn counts_must_be_positive() {
    assert_eq!(
        mistake("[gazette]\nconcurrency = -3\n"),
        "feeds.toml:2:15: `concurrency` must be at least 1"
    );
    assert_eq!(
        mistake("[gazette]\nmax_items = 99999999999999999999999\n"),
        "feeds.toml:2:13: `max_items` is too large"
    );
    assert_eq!(
        valid("[gazette]\nmax_items = 1_000\n").gazette.max_items,
        1000
    );
    assert_eq!(valid("[gazette]\nmax_items = 0x10\n").gazette.max_items, 16);
}

#[test]
fn bad_urls_say_what_is_expected() {
    assert_eq!(
        mistake("[[feed]]\nurl = \"example.com/rss\"\n"),
        "feeds.toml:2:7: bad url `example.com/rss`: relative URL without a base; expected an absolute URL like \"https://example.com/rss.xml\""
    );
    assert_eq!(
        mistake("[[feed]]\nurl = \"file:///etc/passwd\"\n"),
        "feeds.toml:2:7: bad url `file:///etc/passwd`: expected an http or https URL like \"https://example.com/rss.xml\""
    );
    assert_eq!(
        mistake("[gazette]\nbase_url = \"https://example.com/#top\"\n"),
        "feeds.toml:2:12: bad base_url `https://example.com/#top`: expected no query or fragment, like \"https://news.example.com/\""
    );
}

#[test]
fn bad_durations_timezones_and_addresses() {
    assert_eq!(
        mistake(&feed_with("interval = \"15 minutez\"")),
        "feeds.toml:7:12: bad duration `15 minutez`: expected e.g. \"15m\", \"1h30m\""
    );
    assert_eq!(
        mistake("[gazette]\npoll_interval = \"0m\"\n"),
        "feeds.toml:2:17: bad duration `0m`: expected more than zero"
    );
    assert_eq!(
        mistake(&feed_with("timezone = \"asia/seoul\"")),
        "feeds.toml:7:12: unknown timezone `asia/seoul`, did you mean `Asia/Seoul`?"
    );
    assert_eq!(
        mistake("[gazette]\ntimezone = \"KST+9\"\n"),
        "feeds.toml:2:12: unknown timezone `KST+9`: expected an IANA name like \"Asia/Seoul\""
    );
    assert_eq!(
        mistake("[gazette]\nlisten = \"8080\"\n"),
        "feeds.toml:2:10: bad listen address `8080`: expected an IP address and port like \"127.0.0.1:8080\""
    );
}

#[test]
fn content_policies() {
    for (text, policy) in [
        ("summary", ContentPolicy::Summary),
        ("full", ContentPolicy::Full),
        ("title", ContentPolicy::Title),
    ] {
        let config = valid(&feed_with(&format!("content = \"{text}\"")));
        assert_eq!(config.feeds[0].content, policy);
    }
    assert_eq!(
        mistake(&feed_with("content = \"everything\"")),
        "feeds.toml:7:11: unknown content `everything`: expected \"summary\", \"full\" or \"title\""
    );
}

#[test]
fn section_ids_are_unique_slugs() {
    assert_eq!(
        mistake("[[section]]\nid = \"a\"\ntitle = \"A\"\n[[section]]\nid = \"a\"\ntitle = \"B\"\n"),
        "feeds.toml:5:6: duplicate section id `a`, first defined on line 2"
    );
    assert_eq!(
        mistake("[[section]]\nid = \"정치\"\ntitle = \"정치\"\n"),
        "feeds.toml:2:6: bad section id `정치`: expected lowercase letters, digits, '-' and '_', e.g. \"politics\""
    );
    assert_eq!(
        mistake("[[section]]\nid = \"all\"\ntitle = \"All\"\n"),
        "feeds.toml:2:6: section id `all` is reserved for the built-in section of every item"
    );
    assert_eq!(
        mistake("[[section]]\nid = \"health\"\ntitle = \"건강\"\n"),
        "feeds.toml:2:6: section id `health` is reserved for the feed-health feed (feeds/health.xml)"
    );
    assert_eq!(
        mistakes("[[section]]\n[[feed]]\n"),
        [
            "feeds.toml:1:1: missing `id`",
            "feeds.toml:1:1: missing `title`",
            "feeds.toml:2:1: missing `url`",
        ]
    );
    let config = valid("[[section]]\nid = \"photo_news-2\"\ntitle = \"포토뉴스\"\n");
    assert_eq!(config.sections[0].id, "photo_news-2");
}

#[test]
fn feed_sections_must_be_defined() {
    assert_eq!(
        mistake(&feed_with("sections = [\"politcs\"]")),
        "feeds.toml:7:13: unknown section `politcs`, did you mean `politics`?"
    );
    assert_eq!(
        mistake(&feed_with("sections = [\"weather\"]")),
        "feeds.toml:7:13: unknown section `weather`: expected one of `politics`"
    );
    assert_eq!(
        mistake("[[feed]]\nurl = \"https://example.com/\"\nsections = [\"news\"]\n"),
        "feeds.toml:3:13: unknown section `news`: expected the id of a [[section]]; none is defined"
    );
    assert_eq!(
        mistake(&feed_with("sections = [\"all\"]")),
        "feeds.toml:7:13: section `all` is built in and holds every feed; leave it out"
    );
    assert_eq!(
        mistake(&feed_with("sections = [\"politics\", \"politics\"]")),
        "feeds.toml:7:25: section `politics` is listed twice"
    );
    // A section with a mistake of its own is still known, so its feeds do not repeat the mistake.
    assert_eq!(
        mistakes(
            "[[section]]\nid = \"x\"\ntitle = 1\n[[feed]]\nurl = \"https://a/\"\nsections = [\"x\"]\n"
        ),
        ["feeds.toml:3:9: `title` must be a string, not an integer"]
    );
}

#[test]
fn duplicate_feeds_compare_parsed_urls() {
    let source = "[[feed]]\nurl = \"https://example.com/rss\"\n\n[[feed]]\nurl = \"HTTPS://Example.COM:443/rss\"\n";
    assert_eq!(
        mistake(source),
        "feeds.toml:5:7: duplicate feed url `HTTPS://Example.COM:443/rss`, first listed on line 2"
    );
    valid(
        "[[feed]]\nurl = \"https://example.com/rss\"\n[[feed]]\nurl = \"https://example.com/rss?x=1\"\n",
    );
}

#[test]
fn a_fragment_does_not_make_another_feed() {
    // The fragment is never sent: both entries fetch the same document.
    let source = "[[feed]]\nurl = \"https://example.com/rss\"\n\n[[feed]]\nurl = \"https://example.com/rss#latest\"\n";
    assert_eq!(
        mistake(source),
        "feeds.toml:5:7: duplicate feed url `https://example.com/rss#latest`, first listed on line 2"
    );
    let source = "[[feed]]\nurl = \"https://example.com/rss#a\"\n\n[[feed]]\nurl = \"https://example.com/rss#b\"\n";
    assert_eq!(
        mistake(source),
        "feeds.toml:5:7: duplicate feed url `https://example.com/rss#b`, first listed on line 2"
    );
}

#[test]
fn poll_intervals_are_bounded() {
    assert_eq!(
        mistake("[gazette]\npoll_interval = \"300000y\"\n"),
        "feeds.toml:2:17: duration `300000y` is too long: expected at most \"30days\""
    );
    assert_eq!(
        mistake(&feed_with("interval = \"300000y\"")),
        "feeds.toml:7:12: duration `300000y` is too long: expected at most \"30days\""
    );
    assert_eq!(
        mistake("[gazette]\npoll_interval = \"1ms\"\n"),
        "feeds.toml:2:17: duration `1ms` is too short: expected at least \"1m\""
    );
    assert_eq!(
        mistake(&feed_with("interval = \"1ns\"")),
        "feeds.toml:7:12: duration `1ns` is too short: expected at least \"1m\""
    );
    assert_eq!(
        mistake(&feed_with("interval = \"59s\"")),
        "feeds.toml:7:12: duration `59s` is too short: expected at least \"1m\""
    );
    let edges = valid(&feed_with(
        "interval = \"30days\"\n[gazette]\npoll_interval = \"1m\"",
    ));
    assert_eq!(edges.gazette.poll_interval, Duration::from_secs(60));
    assert_eq!(
        edges.feeds[0].interval,
        Some(Duration::from_secs(30 * 24 * 3600))
    );
}

#[test]
fn every_duration_has_a_ceiling() {
    for key in ["timeout", "connect_timeout"] {
        assert_eq!(
            mistake(&format!("[gazette]\n{key} = \"2h\"\n")),
            format!(
                "feeds.toml:2:{}: duration `2h` is too long: expected at most \"1h\"",
                key.len() + 4
            )
        );
    }
    for key in ["half_life", "cache_max_age"] {
        assert_eq!(
            mistake(&format!("[gazette]\n{key} = \"300000y\"\n")),
            format!(
                "feeds.toml:2:{}: duration `300000y` is too long: expected at most \"1year\"",
                key.len() + 4
            )
        );
    }
}

#[test]
fn items_per_poll_default_and_bound() {
    assert_eq!(valid("").gazette.max_items_per_poll, 1_000);
    assert_eq!(
        valid("[gazette]\nmax_items_per_poll = 20\n")
            .gazette
            .max_items_per_poll,
        20
    );
    assert_eq!(
        mistake("[gazette]\nmax_items_per_poll = 0\n"),
        "feeds.toml:2:22: `max_items_per_poll` must be at least 1"
    );
}

#[test]
fn syntax_errors_are_reported_alone_with_their_place() {
    let found = mistakes("[gazette]\ntitle = \"unterminated\ncolour = 1\n[[feed]]\nurl = \n");
    assert!(!found.is_empty());
    assert!(found[0].starts_with("feeds.toml:2:22: "), "{found:#?}");
    // No "unknown key `colour`" or "missing `url`": those would be guesses about a broken file.
    assert!(
        found
            .iter()
            .all(|m| !m.contains("colour") && !m.contains("missing"))
    );
    assert!(
        mistake("[gazette]\ntitle = \"a\"\ntitle = \"b\"\n").starts_with("feeds.toml:3:1: "),
        "a duplicate key points at the second one"
    );
}

#[test]
fn the_file_is_named_as_given() {
    let error = Config::parse("x = 1", Path::new("../conf/my feeds.toml"));
    let Err(ConfigError::Invalid { diagnostics }) = error else {
        panic!("expected a mistake, got {error:?}");
    };
    assert_eq!(diagnostics[0].file, "../conf/my feeds.toml");
    assert_eq!((diagnostics[0].line, diagnostics[0].column), (1, 1));
}

#[test]
fn an_unreadable_file_is_a_read_error() {
    let missing = Path::new("/nonexistent/gazette/feeds.toml");
    let error = Config::load(missing);
    assert!(
        matches!(&error, Err(ConfigError::Read { path, .. }) if path == missing),
        "{error:?}"
    );
}

#[test]
fn odd_input_never_panics() {
    let odd = [
        "\u{feff}[gazette]\r\ntitle = \"bom\"\r\n",
        "[[gazette]]",
        "section = 1\nfeed = \"x\"",
        "section = [[1, 2], {}]",
        "[gazette]\nconcurrency = 99999999999999999999999\n",
        "[gazette]\nmax_items = 1.5\n",
        "[gazette]\npoll_interval = 1979-05-27T07:32:00Z\n",
        "[gazette.nested]\na = 1\n",
        "[[feed]]\nurl = \"https://\"\nsections = [[]]\n",
        "[[feed]]\nurl = \"http://[::1\"\n",
        "\r",
        "\"",
        "[",
        "= 1",
        "a.b.c = 1\n[a]\n",
        "[[feed]]\nurl = \"https://a/\"\ninterval = \"99999999999999999999y\"\n",
    ];
    for source in odd {
        let _ = Config::parse(source, Path::new("feeds.toml"));
    }
}
