//! `gazette check`: the config file's mistakes, as the user sees them.

mod support;

use std::path::Path;

use support::{Workdir, gazette};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/config");

/// What one run of `gazette check` did.
struct Checked {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs `gazette check` in `dir` with `args`, and `GAZETTE_CONFIG` set to `env` (or unset): the
/// config is found as a user's shell would find it, so no `--config` is added.
fn check(dir: &Path, args: &[&str], env: Option<&str>) -> Checked {
    let mut command = gazette(dir);
    command.arg("check").args(args).env("GAZETTE_LOG", "off");
    if let Some(value) = env {
        command.env("GAZETTE_CONFIG", value);
    }
    let output = command.output().expect("run gazette");
    Checked {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

const VALID: &str = r#"[[section]]
id = "politics"
title = "정치/행정"

[[feed]]
url = "https://example.com/rss"
sections = ["politics"]
"#;

#[test]
fn a_valid_config_is_ok() {
    let dir = Workdir::new(VALID);
    let run = check(dir.path(), &["--config", "feeds.toml"], None);
    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
    assert_eq!(run.stdout.trim(), "feeds.toml: ok, 1 feed in 1 section");
}

#[test]
fn a_mistyped_key_is_shown_with_its_place_and_a_suggestion() {
    let dir = Workdir::new(VALID.replace("sections =", "section ="));
    let run = check(dir.path(), &["--config", "feeds.toml"], None);
    assert_eq!(run.code, Some(2));
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr
            .contains("feeds.toml:7:1: unknown key `section`, did you mean `sections`?"),
        "stderr: {}",
        run.stderr
    );
}

#[test]
fn a_bad_url_is_shown_with_its_place() {
    let dir = Workdir::new(VALID.replace("https://example.com/rss", "example.com/rss"));
    let run = check(dir.path(), &["--config", "feeds.toml"], None);
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr
            .contains("feeds.toml:6:7: bad url `example.com/rss`: relative URL without a base"),
        "stderr: {}",
        run.stderr
    );
}

#[test]
fn every_mistake_is_shown_one_per_line_in_file_order() {
    let run = check(Path::new(FIXTURES), &["--config", "mistakes.toml"], None);
    assert_eq!(run.code, Some(2));
    let expected = std::fs::read_to_string(Path::new(FIXTURES).join("mistakes.expected"))
        .expect("read mistakes.expected");
    let shown: Vec<&str> = run.stderr.lines().collect();
    let expected: Vec<&str> = expected.lines().collect();
    assert_eq!(shown, expected);
}

#[test]
fn gazette_config_names_the_file_when_config_is_absent() {
    let dir = Workdir::new(VALID);
    std::fs::write(dir.path().join("other.toml"), "[gazette]\ntitel = \"x\"\n").expect("write");
    let run = check(dir.path(), &[], Some("other.toml"));
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr
            .contains("other.toml:2:1: unknown key `titel`, did you mean `title`?"),
        "stderr: {}",
        run.stderr
    );

    // `--config` wins over the environment.
    let run = check(dir.path(), &["--config", "feeds.toml"], Some("other.toml"));
    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
}

#[test]
fn feeds_toml_in_the_current_folder_is_the_default() {
    let dir = Workdir::new(VALID);
    let run = check(dir.path(), &[], None);
    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
    assert!(run.stdout.starts_with("feeds.toml: ok"), "{}", run.stdout);
}

#[test]
fn a_missing_file_is_a_config_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let run = check(dir.path(), &["--config", "nowhere.toml"], None);
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr.contains("cannot read nowhere.toml"),
        "stderr: {}",
        run.stderr
    );
}
