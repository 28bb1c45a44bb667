//! What readers of the output must be able to trust, through the CLI and the files it publishes:
//! no article lost to a repeated guid and none added by a changed one, no blank title, no tracker
//! in a link, a story's other outlets in every feed format, blocks never empty while stories are
//! stored, and no file left behind by a section, block or edition removed from the config.

mod support;

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};
use support::{Farm, Route};
use support::{Workdir, atom_entries, rss_items, show};
use testkit::feeds::{atom_raw, rss_raw};

fn ago(hours: i64) -> DateTime<Utc> {
    Utc::now() - Duration::hours(hours)
}

fn once(work: &Workdir) -> String {
    let output = work.run(&["once"]);
    assert!(output.status.success(), "{}", show(&output));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The NEW column of `once`'s table for the feed at `path` called `name` (the table names a
/// feed by its title once known, else by its URL).
fn new_items(table: &str, path: &str, name: &str) -> usize {
    let line = table
        .lines()
        .find_map(|line| {
            line.strip_prefix(name).or_else(|| {
                let (url, rest) = line.split_once(' ')?;
                url.ends_with(path).then_some(rest)
            })
        })
        .unwrap_or_else(|| panic!("no row for {name} in\n{table}"));
    line.split_whitespace()
        .nth(1)
        .and_then(|new| new.parse().ok())
        .unwrap_or_else(|| panic!("no NEW count in {line:?}"))
}

fn config(farm: &Farm, feeds: &[(&str, &str)], extra: &str) -> String {
    let mut config = String::from(
        "[gazette]\nallow_private = true\nbase_url = \"https://news.example.kr/\"\n\n\
         [[section]]\nid = \"politics\"\ntitle = \"정치/행정\"\n\n",
    );
    for (url, sections) in feeds {
        let url = if url.starts_with("http") {
            url.to_string()
        } else {
            farm.url(url)
        };
        config.push_str(&format!(
            "[[feed]]\nurl = \"{url}\"\nsections = [{sections}]\n\n"
        ));
    }
    config + extra
}

fn constant_guid_feeds(farm: &Farm) {
    // The channel changes on every poll, so that each is read, not skipped as an unchanged body.
    let built = format!("<lastBuildDate>{}</lastBuildDate>", ago(0).to_rfc2822());
    let english: Vec<String> = [
        "Council approves the tram budget",
        "River festival draws record crowds",
        "New library opens downtown",
        "Storm closes schools on Friday",
        "Local team wins the cup final",
    ]
    .iter()
    .zip(1..)
    .map(|(title, n)| {
        format!(
            "<guid>https://www.metro.example/news/</guid><title>{title}</title>\
             <link>https://www.metro.example/news/{n}</link><pubDate>{}</pubDate>{built}",
            ago(n).to_rfc2822()
        )
    })
    .collect();
    farm.set(
        "/metro.xml",
        Route::rss(rss_raw("Metro", "https://www.metro.example/", &english)),
    );
    let korean: Vec<String> = [
        "세종시 인구 40만 명 돌파",
        "대전 지하철 2호선 착공",
        "충남 도청 이전 10년",
        "유성 온천 축제 개막",
        "갑천 자전거 도로 개통",
    ]
    .iter()
    .enumerate()
    .map(|(n, title)| {
        format!(
            "<guid>0</guid><title>{title}</title><pubDate>{}</pubDate>{built}",
            ago(n as i64 + 1).to_rfc2822()
        )
    })
    .collect();
    farm.set(
        "/sejong.xml",
        Route::rss(rss_raw("세종일보", "https://www.sejong.example/", &korean)),
    );
}

#[test]
fn a_guid_repeated_across_articles_loses_none_and_polling_again_adds_none() {
    let farm = Farm::start();
    constant_guid_feeds(&farm);
    let work = Workdir::new(config(
        &farm,
        &[("/metro.xml", "\"politics\""), ("/sejong.xml", "")],
        "",
    ));
    let mut published: Option<BTreeSet<(String, String)>> = None;
    for poll in 0..3 {
        constant_guid_feeds(&farm);
        // Each `once` is a new process: ids survive restarts.
        let table = once(&work);
        let expected_new = if poll == 0 { 5 } else { 0 };
        assert_eq!(
            new_items(&table, "/metro.xml", "Metro "),
            expected_new,
            "{table}"
        );
        assert_eq!(
            new_items(&table, "/sejong.xml", "세종일보 "),
            expected_new,
            "{table}"
        );
        let items: BTreeSet<(String, String)> = rss_items(&work.read_output("feeds/all.xml"))
            .into_iter()
            .map(|(guid, title, _)| (guid, title))
            .collect();
        assert_eq!(items.len(), 10, "every article, each once: {items:#?}");
        assert_eq!(
            rss_items(&work.read_output("feeds/politics.xml")).len(),
            5,
            "the English feed's five articles"
        );
        match &published {
            None => published = Some(items),
            Some(before) => assert_eq!(&items, before, "same articles, same ids, poll {poll}"),
        }
    }
}

#[test]
fn a_changed_guid_with_the_same_link_adds_nothing() {
    let farm = Farm::start();
    let feed = |guid: &str, tracker: &str| {
        Route::rss(rss_raw(
            "중도일보",
            "https://www.joongdo.example/",
            &[
                format!(
                    "<guid>{guid}</guid><title>대전시 내년 예산 6조 8000억 원 편성</title>\
                     <link>https://www.joongdo.example/news/articleView.html?idxno=7{tracker}</link>\
                     <pubDate>{}</pubDate>",
                    ago(2).to_rfc2822()
                ),
                format!(
                    "<guid>jd-8</guid><title>Sejong passes 400,000 residents</title>\
                     <link>https://www.joongdo.example/news/articleView.html?idxno=8</link><pubDate>{}</pubDate>",
                    ago(3).to_rfc2822()
                ),
            ],
        ))
    };
    farm.set("/joongdo.xml", feed("jd-7", ""));
    let work = Workdir::new(config(&farm, &[("/joongdo.xml", "\"politics\"")], ""));
    once(&work);
    let before = rss_items(&work.read_output("feeds/all.xml"));
    let atom_before = atom_entries(&work.read_output("feeds/all.atom"));
    assert_eq!(before.len(), 2);

    farm.set(
        "/joongdo.xml",
        feed("urn:uuid:jd-7-new", "&amp;utm_source=rss"),
    );
    once(&work);
    assert_eq!(rss_items(&work.read_output("feeds/all.xml")), before);
    assert_eq!(
        atom_entries(&work.read_output("feeds/all.atom")),
        atom_before
    );
}

#[test]
fn untitled_items_get_a_title_from_their_text_else_their_link() {
    let farm = Farm::start();
    farm.set(
        "/joongdo.xml",
        Route::rss(rss_raw(
            "중도일보",
            "https://www.joongdo.example/",
            &[
                format!(
                    "<guid>t1</guid><title> </title><link>https://www.joongdo.example/1</link>\
                     <description>&lt;p&gt;유성구가 내년 봄부터 갑천 둔치에 자전거 도로를 놓는다. 예산은 40억 원이다.&lt;/p&gt;</description>\
                     <pubDate>{}</pubDate>",
                    ago(1).to_rfc2822()
                ),
                format!(
                    "<guid>t2</guid><link>https://www.joongdo.example/2</link>\
                     <description>The council met on Tuesday evening to discuss the budget for next year and \
                     the new tram line that will run through the old town by the river</description>\
                     <pubDate>{}</pubDate>",
                    ago(2).to_rfc2822()
                ),
                format!(
                    "<guid>t3</guid><title></title><link>https://www.joongdo.example/news/%EA%B8%B0%EC%82%AC/3</link>\
                     <pubDate>{}</pubDate>",
                    ago(3).to_rfc2822()
                ),
            ],
        )),
    );
    let work = Workdir::new(config(&farm, &[("/joongdo.xml", "\"politics\"")], ""));
    once(&work);
    let long = "The council met on Tuesday evening to discuss the budget for next year and the…";
    let expected = [
        "유성구가 내년 봄부터 갑천 둔치에 자전거 도로를 놓는다.",
        long,
        "www.joongdo.example/news/기사/3",
    ];
    assert!(long.chars().count() <= 80);
    let rss: Vec<String> = rss_items(&work.read_output("feeds/all.xml"))
        .into_iter()
        .map(|(_, title, _)| title)
        .collect();
    assert_eq!(rss, expected);
    let atom: Vec<String> = atom_entries(&work.read_output("feeds/all.atom"))
        .into_iter()
        .map(|(_, title)| title)
        .collect();
    assert_eq!(atom, expected);
    for page in ["index.html", "sections/politics.html", "sections/all.html"] {
        let html = work.read_output(page);
        for title in expected {
            assert!(html.contains(title), "{page} lacks {title}");
        }
        assert!(!html.contains("\"></a>"), "{page} has an empty link text");
    }
}

#[test]
fn published_links_carry_no_trackers_and_keep_other_parameters() {
    let farm = Farm::start();
    farm.set(
        "/joongdo.xml",
        Route::rss(rss_raw(
            "중도일보",
            "https://www.joongdo.example/",
            &[format!(
                "<guid>jd-1</guid><title>대전시 내년 예산 편성</title>\
                 <link>https://www.joongdo.example/news/articleView.html?idxno=1&amp;utm_source=naver&amp;fbclid=abc&amp;page=2</link>\
                 <pubDate>{}</pubDate>",
                ago(1).to_rfc2822()
            )],
        )),
    );
    farm.set(
        "/metro.atom",
        Route::atom(atom_raw(
            "Metro",
            "https://www.metro.example/",
            &[format!(
                "<id>m-1</id><title>Tram line approved</title>\
                 <link href=\"https://www.metro.example/tram?gclid=x&amp;ref=home&amp;utm_medium=social\"/>\
                 <updated>{}</updated>",
                ago(2).to_rfc3339()
            )],
        )),
    );
    let work = Workdir::new(config(
        &farm,
        &[
            ("/joongdo.xml", "\"politics\""),
            ("/metro.atom", "\"politics\""),
        ],
        "",
    ));
    once(&work);
    let links: Vec<String> = rss_items(&work.read_output("feeds/all.xml"))
        .into_iter()
        .map(|(_, _, link)| link)
        .collect();
    assert_eq!(
        links,
        [
            "https://www.joongdo.example/news/articleView.html?idxno=1&page=2",
            "https://www.metro.example/tram?ref=home"
        ]
    );
    for file in [
        "feeds/all.xml",
        "feeds/all.atom",
        "feeds/all.json",
        "feeds/politics.xml",
        "feeds/blocks/latest.atom",
        "index.html",
        "sections/politics.html",
    ] {
        let text = work.read_output(file);
        for tracker in ["utm_", "fbclid", "gclid"] {
            assert!(!text.contains(tracker), "{file} has {tracker}");
        }
        assert!(text.contains("idxno=1"), "{file} lost a parameter");
    }
}

#[test]
fn a_storys_other_outlets_are_in_rss_and_atom() {
    let farm = Farm::start();
    let article = |outlet: &str, hours: i64| {
        format!(
            "<guid>{outlet}-1</guid><title>대전시 내년 예산 6조 8000억 원 편성</title>\
             <link>https://www.{outlet}.example/news/1</link>\
             <description>예산안이 시의회에 제출됐다.</description><pubDate>{}</pubDate>",
            ago(hours).to_rfc2822()
        )
    };
    farm.set(
        "/joongdo.xml",
        Route::rss(rss_raw(
            "중도일보",
            "https://www.joongdo.example/",
            &[article("joongdo", 3)],
        )),
    );
    farm.set(
        "/daejeon.xml",
        Route::rss(rss_raw(
            "대전일보",
            "https://www.daejeon.example/",
            &[article("daejeon", 2)],
        )),
    );
    // Another host is another outlet.
    let daejeon = farm.url("/daejeon.xml").replace("127.0.0.1", "localhost");
    let work = Workdir::new(config(
        &farm,
        &[("/joongdo.xml", "\"politics\""), (&daejeon, "\"politics\"")],
        "",
    ));
    once(&work);
    let rss = rss::Channel::read_from(work.read_output("feeds/all.xml").as_bytes()).unwrap();
    assert_eq!(rss.items().len(), 1, "one story");
    let description = rss.items()[0].description().unwrap_or_default();
    assert!(
        description
            .contains("2개 매체: <a href=\"https://www.daejeon.example/news/1\">대전일보</a>"),
        "{description}"
    );
    let atom =
        atom_syndication::Feed::read_from(work.read_output("feeds/all.atom").as_bytes()).unwrap();
    let entry = &atom.entries()[0];
    let related: Vec<(&str, Option<&str>)> = entry
        .links()
        .iter()
        .filter(|link| link.rel() == "related")
        .map(|link| (link.href(), link.title()))
        .collect();
    assert_eq!(
        related,
        [("https://www.daejeon.example/news/1", Some("대전일보"))]
    );
    let summary = entry
        .summary()
        .map(|s| s.value.as_str())
        .unwrap_or_default();
    assert!(summary.contains("2개 매체"), "{summary}");
}

#[test]
fn blocks_fall_back_to_the_latest_stories_when_the_newest_is_three_days_old() {
    let farm = Farm::start();
    let old: Vec<String> = (0..4)
        .map(|n| {
            format!(
                "<guid>old-{n}</guid><title>{}</title><link>https://www.joongdo.example/{n}</link>\
                 <pubDate>{}</pubDate>",
                [
                    "대전시 예산 편성",
                    "Tram line approved",
                    "세종시 인구 돌파",
                    "Council meets"
                ][n],
                ago(72 + 6 * n as i64).to_rfc2822()
            )
        })
        .collect();
    farm.set(
        "/joongdo.xml",
        Route::rss(rss_raw("중도일보", "https://www.joongdo.example/", &old)),
    );
    let work = Workdir::new(config(
        &farm,
        &[("/joongdo.xml", "\"politics\"")],
        &format!(
            "[[section]]\nid = \"culture\"\ntitle = \"문화\"\n\n\
             [[edition]]\nid = \"daejeon\"\ntitle = \"대전\"\nfeeds = [\"{}\"]\n",
            farm.url("/joongdo.xml")
        ),
    ));
    once(&work);
    for block in [
        "headlines",
        "headlines-politics",
        "ranking",
        "ranking-daejeon",
        "latest",
    ] {
        let items = rss_items(&work.read_output(&format!("feeds/blocks/{block}.xml")));
        assert_eq!(items.len(), 4, "{block}: {items:?}");
        assert_eq!(
            items[0].1, "대전시 예산 편성",
            "{block}: the most recent first"
        );
        let entries = atom_entries(&work.read_output(&format!("feeds/blocks/{block}.atom")));
        assert_eq!(entries.len(), 4, "{block}.atom");
    }
    // A section with no story at all has nothing to fall back to: its block stays empty…
    assert!(rss_items(&work.read_output("feeds/blocks/headlines-culture.xml")).is_empty());
    // …and the front page shows no block heading without stories under it.
    let index = work.read_output("index.html");
    // With an edition, the ranking is the edition's.
    for heading in [
        "헤드라인 뉴스</h2>",
        "랭킹뉴스 · 대전</h2>",
        "실시간 뉴스</h2>",
    ] {
        assert!(index.contains(heading), "no {heading}");
    }
    assert!(!index.contains("<p class=\"empty\">"), "{index}");
    let headlines = index.split("헤드라인 뉴스</h2>").nth(1).unwrap();
    assert!(headlines.contains("대전시 예산 편성"));

    // With nothing stored, the page says so once, under no heading.
    let empty = Workdir::new(
        "[gazette]\nallow_private = true\n\n[[edition]]\nid = \"x\"\ntitle = \"X\"\nfeeds = []\n",
    );
    let output = empty.run(&["once"]);
    assert!(empty.output("index.html").exists(), "{}", show(&output));
    let index = empty.read_output("index.html");
    for heading in [
        "헤드라인 뉴스</h2>",
        "랭킹뉴스 · X</h2>",
        "실시간 뉴스</h2>",
    ] {
        assert!(!index.contains(heading), "empty {heading} shown");
    }
    assert_eq!(index.matches("<p class=\"empty\">").count(), 1, "{index}");
}

#[test]
fn files_of_removed_sections_blocks_and_editions_are_deleted_and_no_others() {
    let farm = Farm::start();
    farm.set(
        "/joongdo.xml",
        Route::rss(rss_raw(
            "중도일보",
            "https://www.joongdo.example/",
            &[format!(
                "<guid>jd-1</guid><title>대전 문화 축제</title><link>https://www.joongdo.example/1</link>\
                 <pubDate>{}</pubDate>",
                ago(1).to_rfc2822()
            )],
        )),
    );
    let edition = format!(
        "[[edition]]\nid = \"daejeon\"\ntitle = \"대전\"\nfeeds = [\"{}\"]\n",
        farm.url("/joongdo.xml")
    );
    let culture = "[[section]]\nid = \"culture\"\ntitle = \"문화\"\n\n";
    let work = Workdir::new(config(
        &farm,
        &[("/joongdo.xml", "\"politics\", \"culture\"")],
        &format!("{culture}{edition}"),
    ));
    once(&work);
    let gone: Vec<String> = ["xml", "atom", "json"]
        .iter()
        .flat_map(|extension| {
            [
                format!("feeds/culture.{extension}"),
                format!("feeds/blocks/headlines-culture.{extension}"),
                format!("feeds/blocks/ranking-daejeon.{extension}"),
            ]
        })
        .chain(["sections/culture.html".to_owned()])
        .collect();
    for file in &gone {
        for suffix in ["", ".gz", ".br"] {
            let path = work.output(&format!("{file}{suffix}"));
            assert!(path.is_file(), "{} was published", path.display());
        }
    }
    // Files gazette did not write, even beside its own and named like them.
    let mine = [
        "feeds/culture-archive.xml",
        "feeds/blocks/mine.atom",
        "notes.txt",
    ];
    for file in mine {
        std::fs::write(work.output(file), "mine").unwrap();
    }

    std::fs::write(
        work.config(),
        config(&farm, &[("/joongdo.xml", "\"politics\"")], ""),
    )
    .unwrap();
    once(&work);
    for file in &gone {
        for suffix in ["", ".gz", ".br"] {
            let path = work.output(&format!("{file}{suffix}"));
            assert!(!path.exists(), "{} is still there", path.display());
        }
    }
    for file in mine {
        assert_eq!(std::fs::read_to_string(work.output(file)).unwrap(), "mine");
    }
    for kept in [
        "feeds/politics.xml",
        "feeds/blocks/headlines-politics.atom",
        "index.html",
    ] {
        assert!(work.output(kept).is_file(), "{kept}");
    }
}
