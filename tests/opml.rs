//! `gazette opml export|import` and the published `sources.opml`, through the real binary.

mod support;

use support::{Farm, ONE_FEED, Workdir, one_feed, show};

const CONFIG: &str = r#"# 가제트 설정: comments must survive an import.
[gazette]
title = "가제트 & 친구들"

[[section]]
id = "politics"
title = "정치/행정"

[[section]]
id = "daejeon"
title = "대전"

# 중도일보
[[feed]]
url = "https://www.joongdo.co.kr/rss.xml"
name = "중도일보"
sections = ["politics", "daejeon"]

[[feed]]
url = "https://www.example.kr/all.xml"
"#;

#[test]
fn export_puts_each_section_in_a_folder() {
    let work = Workdir::new(CONFIG);
    let output = work.run(&["opml", "export"]);
    assert!(output.status.success(), "{}", show(&output));
    let opml = String::from_utf8(output.stdout).unwrap();
    let expected = r#"<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head>
    <title>가제트 &amp; 친구들</title>
  </head>
  <body>
    <outline text="정치/행정" title="정치/행정">
      <outline type="rss" text="중도일보" title="중도일보" xmlUrl="https://www.joongdo.co.kr/rss.xml"/>
    </outline>
    <outline text="대전" title="대전">
      <outline type="rss" text="중도일보" title="중도일보" xmlUrl="https://www.joongdo.co.kr/rss.xml"/>
    </outline>
    <outline type="rss" text="https://www.example.kr/all.xml" title="https://www.example.kr/all.xml" xmlUrl="https://www.example.kr/all.xml"/>
  </body>
</opml>
"#;
    assert_eq!(opml, expected);
}

#[test]
fn a_cycle_publishes_sources_opml() {
    let farm = Farm::start();
    let work = Workdir::new(one_feed(&farm, "기사").with("name", "중도"));
    let output = work.run(&["once"]);
    assert!(output.status.success(), "{}", show(&output));
    let published = work.read_output("sources.opml");
    let exported = work.run(&["opml", "export"]);
    assert_eq!(published, String::from_utf8(exported.stdout).unwrap());
    assert!(published.contains(&format!("xmlUrl=\"{}\"", farm.url(ONE_FEED))));
}

const READER_EXPORT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0">
  <head><title>Feedly</title></head>
  <body>
    <outline text="대전" title="대전">
      <outline type="rss" text="대전일보" title="대전일보" xmlUrl="https://www.daejonilbo.com/rss/allArticle.xml" htmlUrl="https://www.daejonilbo.com"/>
      <outline type="rss" text="중도 (again)" xmlUrl="https://www.joongdo.co.kr/rss.xml"/>
    </outline>
    <outline text="Tech">
      <outline type="rss" text="Rust Blog" xmlUrl="https://blog.rust-lang.org/feed.xml"/>
    </outline>
    <outline type="rss" text="No folder" xmlUrl="https://nofolder.example/rss"/>
    <outline type="rss" text="Bad" xmlUrl="ftp://files.example/feed"/>
    <outline type="rss" text="Twice" xmlUrl="https://nofolder.example/rss"/>
  </body>
</opml>
"#;

#[test]
fn import_adds_new_feeds_keeps_comments_and_skips_duplicates() {
    let work = Workdir::new(CONFIG);
    let opml = work.path().join("reader.opml");
    std::fs::write(&opml, READER_EXPORT).unwrap();
    let output = work.run(&["opml", "import", opml.to_str().unwrap()]);
    assert!(output.status.success(), "{}", show(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("3 feeds added, 2 already listed, 1 invalid"),
        "{stdout}"
    );
    assert!(stdout.contains("folder `Tech`"), "{stdout}");

    let edited = std::fs::read_to_string(work.config()).unwrap();
    assert!(
        edited.starts_with(CONFIG),
        "the file is kept as it was:\n{edited}"
    );
    let added = &edited[CONFIG.len()..];
    assert_eq!(
        added,
        r#"
[[feed]]
url = "https://www.daejonilbo.com/rss/allArticle.xml"
name = "대전일보"
sections = ["daejeon"]

[[feed]]
url = "https://blog.rust-lang.org/feed.xml"
name = "Rust Blog"

[[feed]]
url = "https://nofolder.example/rss"
name = "No folder"
"#
    );
    assert!(work.run(&["check"]).status.success());

    // Importing again adds nothing and leaves the file alone.
    let output = work.run(&["opml", "import", opml.to_str().unwrap()]);
    assert!(output.status.success(), "{}", show(&output));
    assert_eq!(std::fs::read_to_string(work.config()).unwrap(), edited);
}

#[test]
fn import_refuses_bad_input_without_touching_the_config() {
    let work = Workdir::new(CONFIG);
    let not_opml = work.path().join("feed.xml");
    std::fs::write(&not_opml, "<rss><channel/></rss>").unwrap();
    let output = work.run(&["opml", "import", not_opml.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1), "{}", show(&output));
    assert!(String::from_utf8_lossy(&output.stderr).contains("is not OPML"));
    assert_eq!(std::fs::read_to_string(work.config()).unwrap(), CONFIG);

    let broken = Workdir::new("[[feed]]\nurl = 3\n");
    let opml = broken.path().join("reader.opml");
    std::fs::write(&opml, READER_EXPORT).unwrap();
    let output = broken.run(&["opml", "import", opml.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2), "{}", show(&output));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("feeds.toml:2:7"),
        "{}",
        show(&output)
    );
    assert_eq!(
        std::fs::read_to_string(broken.config()).unwrap(),
        "[[feed]]\nurl = 3\n"
    );
}
