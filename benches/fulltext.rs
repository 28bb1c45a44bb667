//! `cargo bench --bench fulltext`: extraction time per article page, with a selector and with
//! Readability, for the test fixtures (a Korean CMS page, the same page grown to the size of a
//! real one with 40 more blocks of links and ads around the article, an EUC-KR page, an English
//! page). Each is compared with parsing the page alone (html5ever through `scraper`), the floor
//! any extraction pays: the ratio says what finding, cleaning and sanitizing the article adds.

use std::hint::black_box;
use std::time::{Duration, Instant};

use gazette::config::{Css, FullTextConfig};
use gazette::fulltext::{ArticleHints, extract};

#[path = "../tests/fixtures/fulltext/pages.rs"]
mod pages;
use pages::{EN_PAGE, KO_EUC_KR_PAGE, KO_PAGE, REMOVE, SELECTOR};

/// The median of `runs` timings of `run`, after one to warm up.
fn median(runs: usize, run: impl Fn()) -> Duration {
    run();
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            run();
            started.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

fn rules(selector: Option<&str>) -> FullTextConfig {
    FullTextConfig {
        selector: selector.map(|css| Css::parse(css).expect("selector")),
        remove: REMOVE
            .iter()
            .map(|css| Css::parse(css).expect("selector"))
            .collect(),
        max_per_cycle: 20,
    }
}

/// The Korean page with `blocks` more ranking lists and banners after the article: real pages
/// carry far more chrome than the fixture.
fn grown(blocks: usize) -> String {
    let aside = &KO_PAGE
        [KO_PAGE.find("<aside").expect("aside")..KO_PAGE.find("</aside>").expect("aside end") + 8];
    let at = KO_PAGE.find("</aside>").expect("aside end") + 8;
    format!(
        "{}{}{}",
        &KO_PAGE[..at],
        aside.repeat(blocks),
        &KO_PAGE[at..]
    )
}

fn main() {
    let url =
        url::Url::parse("https://www.example.kr/news/articleView.html?idxno=310001").expect("url");
    let euc_kr = encoding_rs::EUC_KR.encode(KO_EUC_KR_PAGE).0.into_owned();
    let big = grown(40);
    let pages: [(&str, &[u8]); 4] = [
        ("korean CMS page", KO_PAGE.as_bytes()),
        ("korean CMS page, grown", big.as_bytes()),
        ("korean EUC-KR page", &euc_kr),
        ("english page", EN_PAGE.as_bytes()),
    ];
    println!(
        "{:<26} {:>7}  {:>10} {:>6}  {:>10} {:>6}  {:>9}",
        "page", "KiB", "selector", "ratio", "readabil.", "ratio", "parse"
    );
    for (name, bytes) in pages {
        let parse = median(30, || {
            black_box(scraper::Html::parse_document(&String::from_utf8_lossy(
                bytes,
            )));
        });
        let time = |selector: Option<&str>| {
            let rules = rules(selector);
            median(30, || {
                let hints = ArticleHints {
                    content_type: Some("text/html"),
                    url: &url,
                };
                let _ = black_box(extract(black_box(bytes), hints, &rules, None));
            })
        };
        let (selector, readability) = (time(Some(SELECTOR)), time(None));
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        println!(
            "{name:<26} {:>7.1}  {:>7.2} ms {:>5.1}x  {:>7.2} ms {:>5.1}x  {:>6.2} ms",
            bytes.len() as f64 / 1024.0,
            ms(selector),
            ms(selector) / ms(parse),
            ms(readability),
            ms(readability) / ms(parse),
            ms(parse),
        );
    }
}
