//! The static site as readers get it: the front page and section pages of the Korean fixture,
//! snapshotted; escaping of hostile text; feeds announced for autodiscovery; times in the
//! configured zone; English labels on request.

mod support;

use chrono_tz::Tz;
use gazette::merge::merge;
use gazette::model::Edition;
use gazette::render::site::{Page, Site, pages};
use support::stories::{self, config, fixture, now, stored};

fn edition_with(extra: Vec<gazette::model::StoredItem>) -> Edition {
    let mut items: Vec<_> = fixture().iter().map(stored).collect();
    items.extend(extra);
    merge(&config(""), items, now())
}

fn site(language: &str) -> Site {
    Site {
        title: "가제트 뉴스".into(),
        base_url: "https://gazette.example/".parse().unwrap(),
        language: language.into(),
        timezone: Tz::Asia__Seoul,
        health_link: false,
    }
}

fn page<'p>(pages: &'p [Page], path: &str) -> &'p str {
    &pages
        .iter()
        .find(|page| page.path.to_str() == Some(path))
        .unwrap_or_else(|| panic!("no page {path}"))
        .html
}

#[test]
fn front_and_section_pages() {
    let pages = pages(&edition_with(vec![]), &site("ko")).unwrap();
    let paths: Vec<_> = pages.iter().map(|p| p.path.display().to_string()).collect();
    assert_eq!(
        paths,
        [
            "style.css",
            "index.html",
            "sections/all.html",
            "sections/politics.html",
            "sections/daejeon.html",
            "sections/economy.html",
            "sections/society.html",
            "sections/photo.html"
        ]
    );
    insta::assert_snapshot!("index", page(&pages, "index.html"));
    insta::assert_snapshot!("daejeon", page(&pages, "sections/daejeon.html"));
}

#[test]
fn the_front_page_has_the_papers_blocks_in_korean() {
    let pages = pages(&edition_with(vec![]), &site("ko")).unwrap();
    let index = page(&pages, "index.html");
    for text in [
        r#"<html lang="ko">"#,
        "헤드라인 뉴스",
        "랭킹뉴스 · 대전",
        "랭킹뉴스 · 충청",
        "실시간 뉴스",
        "포토뉴스",
        "3개 매체",
        "원문 보기",
        // 01:10 UTC is 10:10 in Seoul.
        r#"<time datetime="2026-11-02T01:10:00Z">10:10</time>"#,
        r#"href="sections/daejeon.html""#,
    ] {
        assert!(index.contains(text), "missing {text}");
    }
    // The earliest budget article leads the headlines and links the two other papers.
    let lead = index.split(r#"<article class="lead">"#).nth(1).unwrap();
    let lead = lead.split("</article>").next().unwrap();
    assert!(
        lead.contains("대전시 내년 예산 6조 8000억 원 편성"),
        "{lead}"
    );
    assert!(
        lead.contains("대전일보") && lead.contains("충청투데이"),
        "{lead}"
    );
}

#[test]
fn every_feed_is_announced_for_autodiscovery() {
    let pages = pages(&edition_with(vec![]), &site("ko")).unwrap();
    let index = page(&pages, "index.html");
    for href in [
        r#"type="application/rss+xml" title="가제트 뉴스 — 전체 (RSS)" href="https://gazette.example/feeds/all.xml""#,
        r#"href="https://gazette.example/feeds/all.atom""#,
        r#"type="application/feed+json" title="가제트 뉴스 — 전체 (JSON Feed)" href="https://gazette.example/feeds/all.json""#,
        r#"href="https://gazette.example/feeds/blocks/headlines.xml""#,
        r#"href="https://gazette.example/feeds/blocks/ranking-daejeon.json""#,
        r#"href="https://gazette.example/feeds/blocks/latest.atom""#,
    ] {
        assert!(index.contains(href), "missing {href}");
    }
    // A section page announces its own feed first: readers subscribe to the first.
    let daejeon = page(&pages, "sections/daejeon.html");
    let first = daejeon.find(r#"rel="alternate""#).unwrap();
    assert!(daejeon[first..].starts_with(
        r#"rel="alternate" type="application/rss+xml" title="가제트 뉴스 — 대전 (RSS)""#
    ));
}

#[test]
fn hostile_text_is_escaped_and_bad_links_dropped() {
    let mut hostile = stored(&fixture()[0]);
    hostile.item.id = "hostile".into();
    hostile.item.title = r#"<script>alert("x")</script> "'><img src=x onerror=alert(1)>"#.into();
    hostile.item.summary = Some("<b>굵게</b> & 'quote'".into());
    hostile.item.link = Some("javascript:alert(1)".into());
    hostile.item.image = Some("data:image/png;base64,AAAA".into());
    hostile.source.name = "<i>매체</i>".into();
    hostile.item.published = Some(now());
    let mut long = stored(&fixture()[1]);
    long.item.id = "long".into();
    long.item.title = "긴제목".repeat(700);
    long.item.link = None;
    long.item.published = None;
    let pages = pages(&edition_with(vec![hostile, long]), &site("ko")).unwrap();
    for page in &pages {
        let html = &page.html;
        let path = page.path.display();
        assert!(!html.contains("<script"), "{path}: no script, ever");
        assert!(!html.contains("<img src=x"), "{path}");
        assert!(!html.contains("javascript:"), "{path}");
        assert!(!html.contains("data:image"), "{path}");
        assert!(!html.contains("<i>매체"), "{path}");
    }
    let all = page(&pages, "sections/all.html");
    assert!(
        all.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &quot;&#39;&gt;&lt;img")
    );
    assert!(all.contains("&lt;b&gt;굵게&lt;/b&gt; &amp; &#39;quote&#39;"));
    assert!(all.contains(&"긴제목".repeat(700)));
}

#[test]
fn empty_editions_still_render() {
    let edition = merge(&config(""), vec![], now());
    let pages = pages(&edition, &site("ko")).unwrap();
    assert!(page(&pages, "index.html").contains("아직 기사가 없습니다."));
    assert!(page(&pages, "sections/photo.html").contains("아직 기사가 없습니다."));
}

#[test]
fn english_pages_on_request() {
    let mut config = config("");
    config.gazette.language = "en".into();
    let items = fixture().iter().map(stored).collect();
    let pages = pages(&merge(&config, items, now()), &site("en")).unwrap();
    let index = page(&pages, "index.html");
    for text in [
        r#"<html lang="en">"#,
        "Headlines",
        "Latest",
        "3 sources",
        "Read the original",
    ] {
        assert!(index.contains(text), "missing {text}");
    }
    assert!(!index.contains("헤드라인"));
}

/// Publishes a fuller demo site: into `$GAZETTE_SITE_DEMO` when set (for `scripts/screenshot`,
/// with pictures served from `$GAZETTE_SITE_DEMO_IMAGES`), else into a temporary folder.
#[test]
fn demo_site_is_published_whole() {
    let target = std::env::var_os("GAZETTE_SITE_DEMO").map(std::path::PathBuf::from);
    let temp = tempfile::tempdir().unwrap();
    let dir = target.clone().unwrap_or_else(|| temp.path().to_path_buf());
    let images = std::env::var("GAZETTE_SITE_DEMO_IMAGES").ok();

    let headlines = [
        ("joongdo", "천안시, 시내버스 노선 전면 개편… 내년 3월 시행"),
        (
            "daejonilbo",
            "대전 원도심 상권 살리기 '0시 축제' 방문객 200만 돌파",
        ),
        ("cctoday", "충남대병원 세종분원 착공… 2029년 개원 목표"),
        ("yna", "정부, 지방 소멸 대응 특별법 국무회의 의결"),
        ("yna-economy", "대전 아파트값 3주 연속 상승… 매수 심리 회복"),
        (
            "joongdo",
            "[기획] 과학도시 대전 50년, 대덕특구의 내일을 묻다",
        ),
        ("daejonilbo", "유성온천 족욕체험장 새단장… 시민 발길 이어져"),
        ("cctoday", "청주공항 국제선 이용객 역대 최다 기록"),
        ("yna-photo", "[포토] 계룡산 단풍 절정"),
        ("yna-photo", "[포토] 엑스포다리 야경 즐기는 시민들"),
        ("yna", "기상청 \"이번 주말 충청권 첫눈 가능성\""),
        ("yna-economy", "세종 정부청사 공무원 이주율 90% 넘어"),
    ];
    let mut extra = Vec::new();
    for (n, (feed, title)) in headlines.iter().enumerate() {
        let mut item = stored(&fixture()[0]);
        item.item.id = format!("demo-{n}");
        item.item.title = (*title).to_owned();
        item.item.link = Some(format!("https://{feed}.example/news/{n}"));
        item.item.summary = Some(format!(
            "{title} 관련 기사 요약입니다. 자세한 내용은 원문에서 확인할 수 있습니다."
        ));
        item.item.published = Some(now() - chrono::TimeDelta::minutes(17 * n as i64 + 40));
        item.item.image = (n % 3 == 2 || feed.ends_with("photo"))
            .then(|| format!("https://{feed}.example/{n}.jpg"));
        item.source.feed_url = stories::feed_url(feed);
        extra.push(item);
    }
    let mut items: Vec<_> = fixture().iter().map(stored).collect();
    items.extend(extra);
    if let Some(base) = &images {
        for (n, item) in items.iter_mut().enumerate() {
            if item.item.image.is_some() {
                item.item.image = Some(format!("{base}/img/{}.svg", n % 4));
            }
        }
    }
    let mut config = config("");
    config.gazette.output_dir = dir.clone();
    let edition = merge(&config, items, now());
    let report = gazette::publish::Publisher::new(&config.gazette)
        .publish(&edition)
        .unwrap();
    for file in [
        "index.html",
        "style.css",
        "sections/daejeon.html",
        "feeds/blocks/headlines.json",
    ] {
        assert!(
            report.files.iter().any(|f| f.to_str() == Some(file)),
            "{file}"
        );
        assert!(dir.join(file).is_file(), "{file}");
    }
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("feeds/all.json")).unwrap()).unwrap();
    assert_eq!(json["version"], "https://jsonfeed.org/version/1.1");
    let budget = json["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["_gazette"]["outlets"] == 3)
        .expect("the budget story carries its outlets");
    assert_eq!(budget["_gazette"]["related"][0]["source"], "대전일보");
    assert_eq!(budget["_gazette"]["source"]["name"], "중도일보");
    assert_eq!(
        json["items"].as_array().unwrap().len(),
        edition.sections[0].items.len()
    );
}
