//! A publish is all or nothing: when a write fails midway (here a folder that cannot be made, the
//! portable stand-in for a full disk), every file and its compressed copies stay as the previous
//! publish left them, and no temporary file is left behind.

mod support;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use support::{Farm, Route, TestItem, Workdir, rss, show};

/// Every file under `dir`, by path relative to it.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            // Holds the pid of the last gazette to run, not output.
            if path.file_name() == Some(gazette::daemon::instance::OUTPUT_LOCK.as_ref()) {
                continue;
            }
            if path.is_dir() {
                pending.push(path);
            } else {
                let relative = path.strip_prefix(dir).unwrap().to_owned();
                files.insert(relative, std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

/// Every `.gz` and `.br` copy in `files` decodes to exactly its plain file; how many there are.
fn assert_copies_match(files: &BTreeMap<PathBuf, Vec<u8>>) -> usize {
    let mut copies = 0;
    for (path, bytes) in files {
        let name = path.to_string_lossy();
        let (plain, decoded) = if let Some(plain) = name.strip_suffix(".gz") {
            let mut out = Vec::new();
            flate2::read::GzDecoder::new(bytes.as_slice())
                .read_to_end(&mut out)
                .unwrap();
            (plain, out)
        } else if let Some(plain) = name.strip_suffix(".br") {
            let mut out = Vec::new();
            brotli::Decompressor::new(bytes.as_slice(), 4096)
                .read_to_end(&mut out)
                .unwrap();
            (plain, out)
        } else {
            continue;
        };
        let original = files
            .get(Path::new(plain))
            .unwrap_or_else(|| panic!("{name} has no plain file"));
        assert!(&decoded == original, "{name} does not match {plain}");
        copies += 1;
    }
    copies
}

fn feed(titles: &[(&str, &str)]) -> Route {
    let items: Vec<TestItem> = titles
        .iter()
        .map(|(id, title)| TestItem::new(id, title, "2026-01-11T07:35:00Z"))
        .collect();
    Route::rss(rss("중도일보", &items))
}

#[test]
fn a_failed_publish_leaves_the_previous_generation_whole() {
    let farm = Farm::start();
    farm.set("/a.xml", feed(&[("a1", "첫 기사")]));
    let work = Workdir::new(format!(
        "[gazette]\nallow_private = true\n\n[[section]]\nid = \"news\"\ntitle = \"뉴스\"\n\n\
         [[feed]]\nurl = \"{}\"\nsections = [\"news\"]\n",
        farm.url("/a.xml")
    ));
    let first = work.run(&["once"]);
    assert!(first.status.success(), "{}", show(&first));
    let output = work.path().join("output");
    let blocks = output.join("feeds/blocks");
    assert!(blocks.is_dir(), "the first publish wrote no block feeds");

    // The block feeds' folder becomes a file: the next publish cannot write there, after it has
    // rendered (and, before all-or-nothing publishing, written) the section feeds and pages.
    std::fs::rename(&blocks, work.path().join("blocks-aside")).unwrap();
    std::fs::write(&blocks, "in the way").unwrap();
    let before = snapshot(&output);
    assert!(assert_copies_match(&before) > 10);

    farm.set("/a.xml", feed(&[("a1", "첫 기사"), ("a2", "둘째 기사")]));
    let failed = work.run(&["once"]);
    assert_eq!(failed.status.code(), Some(1), "{}", show(&failed));
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert!(stderr.contains("feeds/blocks"), "{stderr}");
    let after = snapshot(&output);
    let changed: Vec<&PathBuf> = before
        .keys()
        .chain(after.keys())
        .filter(|path| before.get(*path) != after.get(*path))
        .collect();
    assert!(
        changed.is_empty(),
        "changed by a failed publish: {changed:?}"
    );

    // With the folder back, the next publish brings the new generation, copies matching.
    std::fs::remove_file(&blocks).unwrap();
    let again = work.run(&["once"]);
    assert!(again.status.success(), "{}", show(&again));
    let published = snapshot(&output);
    assert_copies_match(&published);
    let all = String::from_utf8_lossy(&published[Path::new("feeds/all.xml")]).into_owned();
    assert!(all.contains("둘째 기사"), "{all}");
    assert!(
        published
            .keys()
            .all(|path| !path.to_string_lossy().ends_with(".tmp")),
        "{:?}",
        published.keys().collect::<Vec<_>>()
    );
}
