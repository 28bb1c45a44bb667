//! `cargo bench --bench parse`: throughput over the real feeds in ../shared/corpus/real of
//! (a) a bare quick-xml event loop — the floor no XML feed parser can beat,
//! (b) our parser, bytes → `ParsedFeed`, without sanitizing,
//! (c) sanitizing alone (normalize's ammonia pass over every summary and content),
//! (d) feed-rs, for comparison,
//! (e) a full read as the daemon does it: our parser, then sanitizing every summary and content.
//! Criterion measures each; a last pass prints MB/s and the ratios the issue sets targets for.

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{Criterion, Throughput};
use gazette::normalize::sanitize_html;
use gazette::parse::{Entry, ParseHints, parse};
use quick_xml::Reader;
use quick_xml::events::Event;
use testkit::timing::seconds_per_pass;
use url::Url;

fn corpus() -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/real");
    let mut files = Vec::new();
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for path in entries.flatten().map(|e| e.path()) {
            let feed_like = path.extension().is_some_and(|e| {
                ["xml", "rss", "rdf", "atom", "json", "feed"]
                    .contains(&e.to_string_lossy().as_ref())
            });
            if path.is_dir() {
                stack.push(path);
            } else if feed_like && let Ok(bytes) = std::fs::read(&path) {
                files.push(bytes);
            }
        }
    }
    files
}

fn hints() -> ParseHints<'static> {
    ParseHints {
        content_type: None,
        url: None,
        timezone: chrono_tz::Asia::Seoul,
    }
}

fn bare_quick_xml(corpus: &[Vec<u8>]) -> usize {
    let mut events = 0;
    for bytes in corpus {
        let mut reader = Reader::from_reader(bytes.as_slice());
        let mut buf = Vec::new();
        loop {
            match reader.read_event_into(&mut buf) {
                Ok(Event::Eof) | Err(_) => break,
                Ok(_) => events += 1,
            }
            buf.clear();
        }
    }
    events
}

fn ours(corpus: &[Vec<u8>]) -> usize {
    let hints = hints();
    corpus
        .iter()
        .filter_map(|bytes| parse(bytes, &hints).ok())
        .map(|feed| feed.entries.len())
        .sum()
}

fn feed_rs(corpus: &[Vec<u8>]) -> usize {
    corpus
        .iter()
        .filter_map(|bytes| feed_rs::parser::parse(bytes.as_slice()).ok())
        .map(|f| f.entries.len())
        .sum()
}

/// An entry's summary and content, with the base their URLs resolve against.
fn entry_html(entry: Entry) -> impl Iterator<Item = (String, Url)> {
    let base = entry
        .base
        .as_deref()
        .and_then(|b| Url::parse(b).ok())
        .unwrap_or_else(|| Url::parse("https://feed.example/").expect("static URL"));
    [entry.summary, entry.content]
        .into_iter()
        .flatten()
        .map(move |html| (html, base.clone()))
}

/// Every summary and content our parser reads, with its base: the input of sanitizing.
fn html_fields(corpus: &[Vec<u8>]) -> Vec<(String, Url)> {
    let hints = hints();
    corpus
        .iter()
        .filter_map(|bytes| parse(bytes, &hints).ok())
        .flat_map(|feed| feed.entries)
        .flat_map(entry_html)
        .collect()
}

fn ours_sanitized(corpus: &[Vec<u8>]) -> usize {
    let hints = hints();
    corpus
        .iter()
        .filter_map(|bytes| parse(bytes, &hints).ok())
        .flat_map(|feed| feed.entries)
        .flat_map(entry_html)
        .map(|(html, base)| sanitize_html(&html, &base).len())
        .sum()
}

fn sanitize(fields: &[(String, Url)]) -> usize {
    fields
        .iter()
        .map(|(html, base)| sanitize_html(html, base).len())
        .sum()
}

fn benches(c: &mut Criterion, corpus: &[Vec<u8>], fields: &[(String, Url)], bytes: u64) {
    let mut group = c.benchmark_group("parse");
    group.throughput(Throughput::Bytes(bytes));
    group.bench_function("a_bare_quick_xml", |b| {
        b.iter(|| bare_quick_xml(black_box(corpus)))
    });
    group.bench_function("b_gazette", |b| b.iter(|| ours(black_box(corpus))));
    group.bench_function("c_sanitize_only", |b| {
        b.iter(|| sanitize(black_box(fields)))
    });
    group.bench_function("d_feed_rs", |b| b.iter(|| feed_rs(black_box(corpus))));
    group.bench_function("e_gazette_sanitized", |b| {
        b.iter(|| ours_sanitized(black_box(corpus)))
    });
    group.finish();
}

fn main() {
    let corpus = corpus();
    let bytes: u64 = corpus.iter().map(|f| f.len() as u64).sum();
    if corpus.is_empty() {
        eprintln!("no corpus at ../shared/corpus/real: nothing to measure");
        return;
    }
    let fields = html_fields(&corpus);
    let mut criterion = Criterion::default().configure_from_args();
    benches(&mut criterion, &corpus, &fields, bytes);
    criterion.final_summary();

    let mb = bytes as f64 / 1e6;
    let [floor, gazette, sanitizing, feed_rs, full] = seconds_per_pass(
        Duration::from_secs(10),
        &mut [
            &mut || bare_quick_xml(&corpus),
            &mut || ours(&corpus),
            &mut || sanitize(&fields),
            &mut || feed_rs(&corpus),
            &mut || ours_sanitized(&corpus),
        ],
    );
    println!(
        "\ncorpus: {} files, {mb:.2} MB, {} HTML fields",
        corpus.len(),
        fields.len()
    );
    for (name, secs) in [
        ("(a) bare quick-xml", floor),
        ("(b) gazette parse", gazette),
        ("(c) sanitize only", sanitizing),
        ("(d) feed-rs", feed_rs),
        ("(e) parse + sanitize", full),
    ] {
        println!("{name:28} {:9.1} MB/s", mb / secs);
    }
    println!(
        "gazette / feed-rs           {:9.2}x  (target >= 2)",
        feed_rs / gazette
    );
    println!(
        "gazette / bare quick-xml    {:9.2}x  (target >= 0.2)",
        floor / gazette
    );
    println!(
        "(parse + sanitize) / feed-rs {:8.2}x  (target >= 1)",
        feed_rs / full
    );
}
