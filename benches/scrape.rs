//! `cargo bench --bench scrape`: reading a 200-item HTML list page with `[feed.scrape]` rules
//! beside parsing a 200-item RSS feed of the same articles, each alone and then normalized as
//! the daemon does. Criterion measures each; a last interleaved pass prints milliseconds per
//! page and the ratio of scraping to parsing.

use std::hint::black_box;
use std::time::Duration;

use chrono::{DateTime, Duration as Days, Utc};
use criterion::Criterion;
use gazette::config::{Config, FeedConfig};
use gazette::normalize::normalize;
use gazette::parse::{ParseHints, ParsedFeed, parse};
use gazette::scrape::{ScrapeHints, scrape};
use testkit::text::sentence;
use testkit::timing::seconds_per_pass;
use url::Url;

const ITEMS: u64 = 200;
const PAGE_URL: &str = "https://www.joongdo.example/news/list.php?part=politics";

/// One article as both documents show it.
struct Article {
    title: String,
    lead: String,
    number: u64,
    at: DateTime<Utc>,
}

fn articles() -> Vec<Article> {
    let newest: DateTime<Utc> = "2026-12-04T07:35:00Z".parse().expect("date");
    (0..ITEMS)
        .map(|n| Article {
            title: sentence(n * 2 + 1, 7),
            lead: sentence(n * 2 + 2, 30),
            number: 310_000 + n,
            at: newest - Days::minutes(17 * n as i64),
        })
        .collect()
}

/// A list page in the shape Korean news CMSs publish: a thumbnail, a headline link, a lead and
/// a byline with reporter and time in each `<li>`, among the site's navigation.
fn list_page(articles: &[Article]) -> String {
    let items: String = articles
        .iter()
        .map(|a| {
            format!(
                "  <li>\n    <div class=\"thumb\"><a href=\"/news/articleView.html?idxno={n}\">\
                 <img src=\"/img/blank.gif\" data-src=\"/data/thumb/{n}.jpg\" alt=\"\"></a></div>\n    \
                 <h4 class=\"titles\"><a href=\"/news/articleView.html?idxno={n}\">{title}</a></h4>\n    \
                 <p class=\"lead\">{lead}</p>\n    <span class=\"byline\"><em>김중도 기자</em>\
                 <em>{date}</em></span>\n  </li>\n",
                n = a.number,
                title = a.title,
                lead = a.lead,
                date = a.at.with_timezone(&chrono_tz::Asia::Seoul).format("%Y-%m-%d %H:%M"),
            )
        })
        .collect();
    format!(
        "<!DOCTYPE html>\n<html lang=\"ko\"><head><meta charset=\"utf-8\"><title>중도일보 - 정치</title>\
         <link rel=\"stylesheet\" href=\"/css/list.css\"></head>\n<body><div id=\"wrap\">\
         <div class=\"gnb\"><a href=\"/\">홈</a> <a href=\"/list.php?part=politics\">정치</a></div>\n\
         <ul class=\"article-list\">\n{items}</ul>\n<div class=\"paging\"><a href=\"?page=2\">2</a></div>\
         </div></body></html>\n"
    )
}

/// The same articles as the site's RSS feed would carry them.
fn rss_feed(articles: &[Article]) -> String {
    let items: String = articles
        .iter()
        .map(|a| {
            let link = format!("https://www.joongdo.example/news/articleView.html?idxno={}", a.number);
            format!(
                "<item><title>{}</title><link>{link}</link><guid>{link}</guid>\
                 <description>{}</description><author>김중도 기자</author>\
                 <enclosure url=\"https://www.joongdo.example/data/thumb/{}.jpg\" type=\"image/jpeg\"/>\
                 <pubDate>{}</pubDate></item>\n",
                a.title,
                a.lead,
                a.number,
                a.at.to_rfc2822()
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel>\
         <title>중도일보 - 정치</title><link>https://www.joongdo.example/</link>\
         <description>정치</description>\n{items}</channel></rss>\n"
    )
}

/// The page's feed with its rules, as an admin writes them in `feeds.toml`.
fn scrape_feed() -> FeedConfig {
    let source = format!(
        "[[feed]]\nurl = \"{PAGE_URL}\"\n[feed.scrape]\nitem = \"ul.article-list > li\"\n\
         title = \"h4.titles a\"\nlink = \"h4.titles a@href\"\n\
         date = \"span.byline em:nth-of-type(2)\"\ndate_format = \"%Y-%m-%d %H:%M\"\n\
         summary = \"p.lead\"\nimage = \"div.thumb img\"\nauthor = \"span.byline em:first-child\"\n"
    );
    let config = Config::parse(&source, std::path::Path::new("feeds.toml")).expect("rules");
    config.feeds.into_iter().next().expect("one feed")
}

struct Inputs {
    page: Vec<u8>,
    feed: Vec<u8>,
    config: FeedConfig,
    url: Url,
    now: DateTime<Utc>,
}

impl Inputs {
    fn new() -> Inputs {
        let articles = articles();
        Inputs {
            page: list_page(&articles).into_bytes(),
            feed: rss_feed(&articles).into_bytes(),
            config: scrape_feed(),
            url: Url::parse(PAGE_URL).expect("url"),
            now: "2026-12-05T00:00:00Z".parse().expect("date"),
        }
    }

    fn scraped(&self) -> ParsedFeed {
        let hints = ScrapeHints {
            content_type: Some("text/html; charset=utf-8"),
            url: Some(&self.url),
            timezone: chrono_tz::Asia::Seoul,
            now: self.now,
        };
        let rules = self.config.scrape.as_ref().expect("scrape rules");
        scrape(&self.page, &hints, rules).expect("the page scrapes")
    }

    fn parsed(&self) -> ParsedFeed {
        let hints = ParseHints {
            content_type: Some("application/rss+xml"),
            url: Some(&self.url),
            timezone: chrono_tz::Asia::Seoul,
        };
        parse(&self.feed, &hints).expect("the feed parses")
    }

    fn normalized(&self, parsed: &ParsedFeed) -> usize {
        normalize(parsed, &self.config, &self.url, self.now)
            .items
            .len()
    }
}

fn main() {
    let inputs = Inputs::new();
    assert_eq!(inputs.scraped().entries.len(), ITEMS as usize);
    assert_eq!(inputs.parsed().entries.len(), ITEMS as usize);

    let mut criterion = Criterion::default().configure_from_args();
    let mut group = criterion.benchmark_group("scrape");
    group.bench_function("a_parse_feed", |b| b.iter(|| black_box(inputs.parsed())));
    group.bench_function("b_scrape_page", |b| b.iter(|| black_box(inputs.scraped())));
    group.bench_function("c_parse_normalize", |b| {
        b.iter(|| inputs.normalized(&inputs.parsed()))
    });
    group.bench_function("d_scrape_normalize", |b| {
        b.iter(|| inputs.normalized(&inputs.scraped()))
    });
    group.finish();
    criterion.final_summary();

    let [parsing, scraping, parse_full, scrape_full] = seconds_per_pass(
        Duration::from_secs(5),
        &mut [
            &mut || inputs.parsed().entries.len(),
            &mut || inputs.scraped().entries.len(),
            &mut || inputs.normalized(&inputs.parsed()),
            &mut || inputs.normalized(&inputs.scraped()),
        ],
    );
    println!(
        "\n{ITEMS} items: feed {:.0} KB, list page {:.0} KB",
        inputs.feed.len() as f64 / 1e3,
        inputs.page.len() as f64 / 1e3
    );
    for (name, secs) in [
        ("parse the feed", parsing),
        ("scrape the page", scraping),
        ("parse + normalize", parse_full),
        ("scrape + normalize", scrape_full),
    ] {
        println!("{name:22} {:7.2} ms", secs * 1e3);
    }
    println!(
        "scrape / parse         {:7.2}x  (with normalize {:.2}x)",
        scraping / parsing,
        scrape_full / parse_full
    );
}
