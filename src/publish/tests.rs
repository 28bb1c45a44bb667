use chrono::{DateTime, TimeZone, Utc};

use super::*;
use crate::config::Config;
use crate::model::{Coverage, Related, SectionEdition, StoredItem};

const BASE: &str = "https://gazette.example/";

fn settings(output_dir: &Path) -> Settings {
    let source = format!("[gazette]\ntitle = \"가제트\"\nbase_url = \"{BASE}\"\n");
    let mut settings = Config::of_test(source).gazette;
    settings.output_dir = output_dir.to_path_buf();
    settings
}

fn at(y: i32, mo: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, 0, 0).unwrap()
}

/// A Korean item with everything: link, dates, author, category, summary needing escapes, HTML.
fn full_item() -> StoredItem {
    let mut stored = StoredItem::sample(
        "https://news.example.kr/rss.xml",
        "https://news.example.kr/a/1",
        at(2026, 3, 2, 9),
    )
    .with_title("대전시, 새 예산안 발표")
    .with_link("https://news.example.kr/a/1")
    .with_summary("예산 <3조> & \"증액\"")
    .with_categories(&["정치", "대전"])
    .with_source_name("예시일보");
    stored.item.content_html = Some("<p>본문 &amp; 사진</p>".to_owned());
    stored.item.authors = vec!["홍길동".to_owned()];
    stored.item.updated = Some(at(2026, 3, 2, 11));
    stored.source.site_link = Some("https://news.example.kr/".to_owned());
    stored.first_seen = at(2026, 3, 2, 10);
    stored
}

/// No link, no date, no author, no summary: dated by first_seen.
fn bare_item() -> StoredItem {
    StoredItem::sample(
        "https://other.example.com/feed.atom",
        "bare-1",
        at(2026, 3, 1, 8),
    )
    .with_title("제목만 있는 기사")
    .with_published(None)
    .with_source_name("Other")
}

/// An English item with two authors and only an updated date.
fn english_item() -> StoredItem {
    let mut stored = StoredItem::sample(
        "https://world.example.org/rss",
        "urn:uuid:1",
        at(2026, 3, 1, 0),
    )
    .with_title("World news")
    .with_link("https://world.example.org/story")
    .with_summary("Plain summary.")
    .with_published(None)
    .with_source_name("World");
    stored.item.authors = vec!["Ann".to_owned(), "Bob".to_owned()];
    stored.item.updated = Some(at(2026, 2, 28, 23));
    stored
}

fn edition() -> Edition {
    Edition {
        generated: at(2026, 3, 3, 0),
        sections: vec![
            SectionEdition {
                id: "all".to_owned(),
                title: "전체".to_owned(),
                items: vec![full_item(), bare_item(), english_item()],
            },
            SectionEdition {
                id: "politics".to_owned(),
                title: "정치/행정".to_owned(),
                // The same item twice: ids must stay unique in the document.
                items: vec![full_item(), full_item()],
            },
            SectionEdition {
                id: "empty".to_owned(),
                title: "빈 섹션".to_owned(),
                items: vec![],
            },
        ],
        ..Edition::default()
    }
}

fn tag(item: &StoredItem) -> String {
    format!("tag:gazette.example,2026:{}", item.key())
}

fn read(dir: &Path, file: &str) -> Vec<u8> {
    fs::read(dir.join(file)).unwrap()
}

fn read_rss(dir: &Path, file: &str) -> rss::Channel {
    rss::Channel::read_from(&read(dir, file)[..]).unwrap()
}

fn read_atom(dir: &Path, file: &str) -> atom_syndication::Feed {
    atom_syndication::Feed::read_from(&read(dir, file)[..]).unwrap()
}

fn rfc822(date: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc2822(date).unwrap().to_utc()
}

#[test]
fn writes_both_formats_for_every_section() {
    let dir = tempfile::tempdir().unwrap();
    let report = Publisher::new(&settings(dir.path()))
        .publish(&edition())
        .unwrap();
    let feeds = [
        "all.xml",
        "all.atom",
        "all.json",
        "politics.xml",
        "politics.atom",
        "politics.json",
        "empty.xml",
        "empty.atom",
        "empty.json",
    ];
    let pages = [
        "style.css",
        "index.html",
        "sections/all.html",
        "sections/politics.html",
        "sections/empty.html",
    ];
    let expected: Vec<PathBuf> = feeds
        .iter()
        .map(|name| Path::new("feeds").join(name))
        .chain(pages.iter().map(PathBuf::from))
        .collect();
    assert_eq!(report.files, expected);
    for file in &expected {
        assert!(dir.path().join(file).is_file(), "{}", file.display());
    }
}

#[test]
fn rss_carries_ids_links_sources_dates_and_titles() {
    let dir = tempfile::tempdir().unwrap();
    Publisher::new(&settings(dir.path()))
        .publish(&edition())
        .unwrap();
    let channel = read_rss(dir.path(), "feeds/all.xml");

    assert_eq!(channel.title, "가제트 — 전체");
    assert_eq!(channel.link, BASE);
    assert_eq!(channel.language.as_deref(), Some("ko"));
    // Newest item change: the full item's update.
    assert_eq!(
        rfc822(channel.last_build_date.as_deref().unwrap()),
        at(2026, 3, 2, 11)
    );
    let self_link = &channel.extensions["atom"]["link"][0];
    assert_eq!(self_link.attrs["rel"], "self");
    assert_eq!(
        self_link.attrs["href"],
        "https://gazette.example/feeds/all.xml"
    );
    assert_eq!(channel.items.len(), 3);

    let full = &channel.items[0];
    let guid = full.guid.as_ref().unwrap();
    assert_eq!(guid.value, tag(&full_item()));
    assert!(!guid.permalink);
    assert_eq!(full.title.as_deref(), Some("대전시, 새 예산안 발표"));
    assert_eq!(full.link.as_deref(), Some("https://news.example.kr/a/1"));
    assert_eq!(rfc822(full.pub_date.as_deref().unwrap()), at(2026, 3, 2, 9));
    let source = full.source.as_ref().unwrap();
    assert_eq!(source.url, "https://news.example.kr/rss.xml");
    assert_eq!(source.title.as_deref(), Some("예시일보"));
    assert_eq!(full.dublin_core_ext.as_ref().unwrap().creators, ["홍길동"]);
    let categories: Vec<&str> = full.categories.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(categories, ["정치", "대전"]);
    // The plain-text summary is escaped once for HTML, inside the XML.
    assert_eq!(
        full.description.as_deref(),
        Some("예산 &lt;3조&gt; &amp; &quot;증액&quot;")
    );
    assert_eq!(full.content.as_deref(), Some("<p>본문 &amp; 사진</p>"));

    let bare = &channel.items[1];
    assert_eq!(bare.guid.as_ref().unwrap().value, tag(&bare_item()));
    assert_eq!(bare.link, None);
    assert_eq!(bare.description, None);
    assert_eq!(bare.dublin_core_ext, None);
    assert_eq!(rfc822(bare.pub_date.as_deref().unwrap()), at(2026, 3, 1, 8));

    let english = &channel.items[2];
    assert_eq!(
        english.dublin_core_ext.as_ref().unwrap().creators,
        ["Ann", "Bob"]
    );
    assert_eq!(
        rfc822(english.pub_date.as_deref().unwrap()),
        at(2026, 2, 28, 23)
    );
}

#[test]
fn atom_carries_ids_links_sources_dates_and_titles() {
    let dir = tempfile::tempdir().unwrap();
    Publisher::new(&settings(dir.path()))
        .publish(&edition())
        .unwrap();
    let feed = read_atom(dir.path(), "feeds/all.atom");

    assert_eq!(feed.title.value, "가제트 — 전체");
    assert_eq!(feed.id, "tag:gazette.example,2026:feeds/all");
    assert_eq!(feed.lang.as_deref(), Some("ko"));
    assert_eq!(feed.updated, at(2026, 3, 2, 11));
    assert_eq!(feed.authors[0].name, "가제트");
    let links: Vec<(&str, &str)> = feed
        .links
        .iter()
        .map(|l| (l.rel.as_str(), l.href.as_str()))
        .collect();
    assert_eq!(
        links,
        [
            ("self", "https://gazette.example/feeds/all.atom"),
            ("alternate", BASE)
        ]
    );
    assert_eq!(feed.entries.len(), 3);

    let full = &feed.entries[0];
    assert_eq!(full.id, tag(&full_item()));
    assert_eq!(full.title.value, "대전시, 새 예산안 발표");
    assert_eq!(full.links[0].href, "https://news.example.kr/a/1");
    assert_eq!(full.links[0].rel, "alternate");
    assert_eq!(full.published, Some(at(2026, 3, 2, 9).fixed_offset()));
    assert_eq!(full.updated, at(2026, 3, 2, 11));
    assert_eq!(full.authors[0].name, "홍길동");
    let terms: Vec<&str> = full.categories.iter().map(|c| c.term.as_str()).collect();
    assert_eq!(terms, ["정치", "대전"]);
    assert_eq!(
        full.summary.as_ref().unwrap().value,
        "예산 <3조> & \"증액\""
    );
    let content = full.content.as_ref().unwrap();
    assert_eq!(content.content_type.as_deref(), Some("html"));
    assert_eq!(content.value.as_deref(), Some("<p>본문 &amp; 사진</p>"));
    let source = full.source.as_ref().unwrap();
    assert_eq!(source.title.value, "예시일보");
    assert_eq!(source.id, "https://news.example.kr/rss.xml");
    let source_links: Vec<(&str, &str)> = source
        .links
        .iter()
        .map(|l| (l.rel.as_str(), l.href.as_str()))
        .collect();
    assert_eq!(
        source_links,
        [
            ("self", "https://news.example.kr/rss.xml"),
            ("alternate", "https://news.example.kr/")
        ]
    );

    // No link and no content: the title stands in as text content (RFC 4287 §4.1.1).
    let bare = &feed.entries[1];
    assert_eq!(bare.id, tag(&bare_item()));
    assert!(bare.links.is_empty());
    assert!(bare.authors.is_empty());
    assert_eq!(bare.updated, at(2026, 3, 1, 8));
    assert_eq!(bare.published, Some(at(2026, 3, 1, 8).fixed_offset()));
    let content = bare.content.as_ref().unwrap();
    assert_eq!(content.content_type.as_deref(), Some("text"));
    assert_eq!(content.value.as_deref(), Some("제목만 있는 기사"));

    let english = &feed.entries[2];
    assert_eq!(english.updated, at(2026, 2, 28, 23));
    assert_eq!(english.authors.len(), 2);
    assert!(english.content.is_none());
}

#[test]
fn ids_match_across_formats_and_stay_unique() {
    let dir = tempfile::tempdir().unwrap();
    Publisher::new(&settings(dir.path()))
        .publish(&edition())
        .unwrap();
    let channel = read_rss(dir.path(), "feeds/politics.xml");
    let feed = read_atom(dir.path(), "feeds/politics.atom");
    assert_eq!(channel.title, "가제트 — 정치/행정");
    assert_eq!(feed.title.value, "가제트 — 정치/행정");
    let guids: Vec<&str> = channel
        .items
        .iter()
        .map(|i| i.guid.as_ref().unwrap().value.as_str())
        .collect();
    let ids: Vec<&str> = feed.entries.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(guids, [tag(&full_item())]);
    assert_eq!(ids, guids);
}

#[test]
fn an_empty_section_is_dated_by_the_edition() {
    let dir = tempfile::tempdir().unwrap();
    Publisher::new(&settings(dir.path()))
        .publish(&edition())
        .unwrap();
    let channel = read_rss(dir.path(), "feeds/empty.xml");
    assert!(channel.items.is_empty());
    assert_eq!(
        rfc822(channel.last_build_date.as_deref().unwrap()),
        at(2026, 3, 3, 0)
    );
    assert_eq!(
        read_atom(dir.path(), "feeds/empty.atom").updated,
        at(2026, 3, 3, 0)
    );
}

#[test]
fn publishing_again_gives_identical_bytes_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let publisher = Publisher::new(&settings(dir.path()));
    publisher.publish(&edition()).unwrap();
    let before = read(dir.path(), "feeds/all.xml");
    let atom_before = read(dir.path(), "feeds/all.atom");

    // A later cycle with the same items: only `generated` moved.
    let mut later = edition();
    later.generated = at(2026, 3, 4, 0);
    later.sections.retain(|s| !s.items.is_empty());
    let report = Publisher::new(&settings(dir.path()))
        .publish(&later)
        .unwrap();
    // Only the pages change: their navigation lost the empty section.
    assert_eq!(
        report.files,
        [
            Path::new("index.html"),
            Path::new("sections/all.html"),
            Path::new("sections/politics.html")
        ]
    );
    assert_eq!(read(dir.path(), "feeds/all.xml"), before);
    assert_eq!(read(dir.path(), "feeds/all.atom"), atom_before);

    // A changed item rewrites the feeds it is in, and only those.
    let mut changed = later.clone();
    changed.sections[1].items[0].item.title = "수정된 제목".to_owned();
    let report = publisher.publish(&changed).unwrap();
    assert_eq!(
        report.files,
        [
            Path::new("feeds/politics.xml"),
            Path::new("feeds/politics.atom"),
            Path::new("feeds/politics.json"),
            Path::new("index.html"),
            Path::new("sections/politics.html")
        ]
    );
}

#[test]
fn no_temporary_files_are_left_behind() {
    let dir = tempfile::tempdir().unwrap();
    Publisher::new(&settings(dir.path()))
        .publish(&edition())
        .unwrap();
    let mut names: Vec<String> = fs::read_dir(dir.path().join("feeds"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        // Each file's compressed copies (`.br`, `.gz`) are covered by `precompress`'s tests.
        .filter(|name| !name.ends_with(".br") && !name.ends_with(".gz"))
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "all.atom",
            "all.json",
            "all.xml",
            "empty.atom",
            "empty.json",
            "empty.xml",
            "politics.atom",
            "politics.json",
            "politics.xml"
        ]
    );
}

#[test]
fn temporary_files_left_by_a_killed_process_are_removed() {
    let dir = tempfile::tempdir().unwrap();
    let feeds = dir.path().join("feeds");
    fs::create_dir_all(&feeds).unwrap();
    let stale = feeds.join(".all.xml.4294967295.3.tmp");
    let own = feeds.join(format!(".all.xml.{}.3.tmp", std::process::id()));
    let unrelated = feeds.join(".keep.tmp");
    for file in [&stale, &own, &unrelated] {
        fs::write(file, "<rss><chan").unwrap();
    }
    Publisher::new(&settings(dir.path()))
        .publish(&edition())
        .unwrap();
    assert!(!stale.exists());
    assert!(own.exists(), "this process may still be writing it");
    assert!(unrelated.exists(), "not a name write_atomic makes");
}

#[test]
fn an_unwritable_output_dir_is_named_in_the_error() {
    let dir = tempfile::tempdir().unwrap();
    // A regular file where a folder should be: refused even for root, unlike a chmod.
    let blocker = dir.path().join("not-a-folder");
    fs::write(&blocker, "x").unwrap();
    let output = blocker.join("output");
    let error = Publisher::new(&settings(&output))
        .publish(&edition())
        .unwrap_err();
    match &error {
        PublishError::Write { path, .. } => assert!(path.starts_with(&output), "{error}"),
        other => panic!("unexpected error: {other}"),
    }
    assert!(error.to_string().contains(&*output.to_string_lossy()));
}

#[test]
fn section_ids_that_would_escape_the_folder_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    for id in ["../evil", "a/b", "", ".hidden", "정치"] {
        let mut edition = edition();
        edition.sections[1].id = id.to_owned();
        let error = Publisher::new(&settings(dir.path()))
            .publish(&edition)
            .unwrap_err();
        assert!(
            matches!(&error, PublishError::SectionId { id: bad } if bad == id),
            "{error}"
        );
    }
    assert!(!dir.path().join("evil.xml").exists());
}

#[test]
fn hostile_text_and_dates_still_make_readable_feeds() {
    let dir = tempfile::tempdir().unwrap();
    let mut item = full_item();
    item.item.title = "control\u{1}char ]]> <tag>".to_owned();
    item.item.content_html = Some("<p>a ]]> b</p>".to_owned());
    item.item.published = Some(Utc.with_ymd_and_hms(20000, 1, 1, 0, 0, 0).unwrap());
    item.item.link = Some("javascript:alert(1)".to_owned());
    item.source.feed_url = "not a url".to_owned();
    let edition = Edition {
        generated: at(2026, 3, 3, 0),
        sections: vec![SectionEdition {
            id: "all".to_owned(),
            title: "전체".to_owned(),
            items: vec![item],
        }],
        ..Edition::default()
    };
    Publisher::new(&settings(dir.path()))
        .publish(&edition)
        .unwrap();

    let channel = read_rss(dir.path(), "feeds/all.xml");
    let rss_item = &channel.items[0];
    assert_eq!(rss_item.title.as_deref(), Some("controlchar ]]> <tag>"));
    assert_eq!(rss_item.content.as_deref(), Some("<p>a ]]> b</p>"));
    assert_eq!(rss_item.link, None);
    assert_eq!(rss_item.source, None);
    assert!(rss_item.pub_date.as_deref().unwrap().contains(" 9999 "));

    let feed = read_atom(dir.path(), "feeds/all.atom");
    assert_eq!(feed.entries[0].title.value, "controlchar ]]> <tag>");
    assert!(feed.entries[0].links.is_empty());
    assert_eq!(feed.entries[0].source, None);
    assert_eq!(feed.updated.format("%Y").to_string(), "9999");
}

#[test]
fn write_atomic_replaces_the_whole_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/folder/file.txt");
    write_atomic(&path, b"first, longer content").unwrap();
    write_atomic(&path, b"second").unwrap();
    assert_eq!(fs::read(&path).unwrap(), b"second");
    let entries = fs::read_dir(path.parent().unwrap()).unwrap().count();
    assert_eq!(entries, 1);
}

/// The edition with `full_item` reported by two other outlets, one article without a link.
fn covered_edition() -> Edition {
    let mut edition = edition();
    let coverage = Coverage {
        outlets: 3,
        others: vec![
            Related {
                source: "<B> & \"co\"".to_owned(),
                title: "다른 제목".to_owned(),
                link: Some("https://b.example/1?x=1&y=2".to_owned()),
                copy: false,
            },
            Related {
                source: "링크 없는 신문".to_owned(),
                title: "또 다른 제목".to_owned(),
                link: None,
                copy: false,
            },
            Related {
                source: "Bad".to_owned(),
                title: "javascript".to_owned(),
                link: Some("javascript:alert(1)".to_owned()),
                copy: false,
            },
        ],
    };
    edition.coverage.insert(full_item().key(), coverage);
    edition
}

const SOURCES_LINE: &str = "<p>3개 매체: <a href=\"https://b.example/1?x=1&amp;y=2\">&lt;B&gt; &amp; &quot;co&quot;</a>, 링크 없는 신문, Bad</p>";

#[test]
fn rss_and_atom_name_a_storys_other_sources() {
    let dir = tempfile::tempdir().unwrap();
    Publisher::new(&settings(dir.path()))
        .publish(&covered_edition())
        .unwrap();
    let summary = "<p>예산 &lt;3조&gt; &amp; &quot;증액&quot;</p>";

    let channel = read_rss(dir.path(), "feeds/all.xml");
    let description = channel.items[0].description.as_deref().unwrap();
    assert_eq!(description, format!("{summary}{SOURCES_LINE}"));
    assert_eq!(
        channel.items[1].description, None,
        "nothing to say without summary or coverage"
    );

    let feed = read_atom(dir.path(), "feeds/all.atom");
    let entry = &feed.entries[0];
    let summary_text = entry.summary.as_ref().unwrap();
    assert_eq!(summary_text.r#type, atom_syndication::TextType::Html);
    assert_eq!(summary_text.value, format!("{summary}{SOURCES_LINE}"));
    let related: Vec<(&str, Option<&str>)> = entry
        .links
        .iter()
        .filter(|link| link.rel == "related")
        .map(|link| (link.href.as_str(), link.title.as_deref()))
        .collect();
    assert_eq!(
        related,
        [("https://b.example/1?x=1&y=2", Some("<B> & \"co\""))],
        "only valid links"
    );
    let english = &feed.entries[2];
    assert_eq!(
        english
            .summary
            .as_ref()
            .map(|s| (s.r#type, s.value.as_str())),
        Some((atom_syndication::TextType::Text, "Plain summary.")),
        "a story no one else reported keeps its plain summary"
    );
}

#[test]
fn the_sources_line_follows_the_language() {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = settings(dir.path());
    settings.language = "en".to_owned();
    let mut edition = covered_edition();
    edition.sections[0].items[0].item.summary = None;
    Publisher::new(&settings).publish(&edition).unwrap();
    let channel = read_rss(dir.path(), "feeds/all.xml");
    let description = channel.items[0].description.as_deref().unwrap();
    assert!(
        description.starts_with("<p>3 sources: <a href="),
        "{description}"
    );
}

#[test]
fn files_of_a_removed_section_are_deleted_and_nothing_else() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("output");
    let publisher = Publisher::new(&settings(&dir));
    publisher.publish(&edition()).unwrap();
    fs::write(dir.join("README.md"), "mine").unwrap();
    fs::write(dir.join("feeds/custom.xml"), "<rss/>").unwrap();
    fs::write(root.path().join("outside.xml"), "<rss/>").unwrap();
    let manifest = dir.join(MANIFEST_FILE);
    let mut listed = fs::read_to_string(&manifest).unwrap();
    assert!(listed.contains("feeds/politics.atom\n"), "{listed}");
    listed.push_str("../outside.xml\n");
    fs::write(&manifest, listed).unwrap();

    let mut without_politics = edition();
    without_politics.sections.remove(1);
    let report = publisher.publish(&without_politics).unwrap();

    let gone = [
        "feeds/politics.atom",
        "feeds/politics.json",
        "feeds/politics.xml",
        "sections/politics.html",
    ];
    assert_eq!(report.removed, gone.map(PathBuf::from));
    for file in gone {
        for suffix in ["", ".br", ".gz"] {
            let path = dir.join(format!("{file}{suffix}"));
            assert!(!path.exists(), "{}", path.display());
        }
    }
    for kept in [
        "README.md",
        "feeds/custom.xml",
        "feeds/all.xml",
        "feeds/all.xml.br",
    ] {
        assert!(dir.join(kept).is_file(), "{kept}");
    }
    assert!(root.path().join("outside.xml").is_file());
    let listed = fs::read_to_string(&manifest).unwrap();
    assert!(
        !listed.contains("politics") && !listed.contains(".."),
        "{listed}"
    );

    let again = publisher.publish(&without_politics).unwrap();
    assert_eq!(again, PublishReport::default(), "nothing left to do");
}
