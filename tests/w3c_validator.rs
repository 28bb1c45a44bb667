//! The W3C Feed Validator (its own source, in the shared reference folder) over every RSS and Atom
//! file gazette publishes from awkward but real-world inputs: untitled items, items without text,
//! a feed repeating one guid, tracking parameters, a story reported by two outlets, editions and
//! the digest feed. Every file must pass with no error and no warning but "Two entries with the same
//! value for atom:updated", which real sources cause. Needs `GAZETTE_PYTHON` (see `.ci/python-env`)
//! and `../shared/tools/validate.py`; without either the test fails, saying so.

mod support;

use std::path::PathBuf;

use chrono::{DateTime, Duration, Utc};
use support::{Farm, Route};
use support::{Workdir, show};
use testkit::feeds::{atom_raw, rss_raw};

/// Where the output is served publicly: the self links must name it, whatever the daemon listens
/// on.
const BASE: &str = "https://news.example.kr/gazette/";

fn ago(now: DateTime<Utc>, hours: i64) -> DateTime<Utc> {
    now - Duration::hours(hours)
}

fn rfc822(date: DateTime<Utc>) -> String {
    date.to_rfc2822()
}

/// The inputs: a Korean RSS feed, a Korean Atom feed of another outlet (another host: localhost)
/// sharing one story, and an English feed with one guid for every article.
fn serve_inputs(farm: &Farm, now: DateTime<Utc>) {
    farm.set(
        "/joongdo.xml",
        Route::rss(rss_raw(
            "중도일보",
            "https://www.joongdo.example/",
            &[
                format!(
                    "<guid>jd-1</guid><title>대전시 내년 예산 6조 8000억 원 편성</title>\
                     <link>https://www.joongdo.example/news/articleView.html?idxno=1&amp;utm_source=naver&amp;utm_medium=rss&amp;fbclid=abc</link>\
                     <description>대전시가 역대 최대 규모의 예산안을 편성했다.</description><pubDate>{}</pubDate>",
                    rfc822(ago(now, 5))
                ),
                format!(
                    "<guid>jd-2</guid><title></title><link>https://www.joongdo.example/news/articleView.html?idxno=2</link>\
                     <description>&lt;p&gt;유성구가 내년 봄부터 갑천 둔치에 자전거 도로를 새로 놓는다. 구는 예산 40억 원을 확보했다고 밝혔다.&lt;/p&gt;</description>\
                     <pubDate>{}</pubDate>",
                    rfc822(ago(now, 4))
                ),
                format!(
                    "<guid>jd-3</guid><link>https://www.joongdo.example/news/articleView.html?idxno=3&amp;gclid=zz</link>\
                     <pubDate>{}</pubDate>",
                    rfc822(ago(now, 3))
                ),
                format!(
                    "<guid>jd-4</guid><title>  </title><link>https://www.joongdo.example/news/articleView.html?idxno=4</link>\
                     <description></description><pubDate>{}</pubDate>",
                    rfc822(ago(now, 2))
                ),
                format!(
                    "<guid>jd-6</guid><title>보문산 전망대 새 단장</title>\
                     <link>https://www.joongdo.example/news/articleView.html?idxno=6</link>\
                     <enclosure url=\"https://img.joongdo.example/6.jpg\" type=\"image/jpeg\" length=\"0\"/>\
                     <pubDate>{}</pubDate>",
                    rfc822(ago(now, 6))
                ),
                format!(
                    "<guid>jd-5</guid><title>세종시 인구 40만 명 돌파</title>\
                     <link>https://www.joongdo.example/news/articleView.html?idxno=5</link>\
                     <description> </description><pubDate>{}</pubDate>",
                    rfc822(ago(now, 2))
                ),
            ],
        )),
    );
    farm.set(
        "/daejeon.atom",
        Route::atom(atom_raw(
            "대전일보",
            "https://www.daejeon.example/",
            &[
                format!(
                    "<id>urn:dj:1</id><title>대전시 내년 예산 6조 8000억 원 편성</title>\
                     <link href=\"https://www.daejeon.example/article/1?utm_campaign=x&amp;page=2\"/>\
                     <updated>{}</updated><summary>예산안이 시의회에 제출됐다.</summary>",
                    ago(now, 4).to_rfc3339()
                ),
                format!(
                    "<id>urn:dj:2</id><title>충남도, 탄소중립 계획 발표</title>\
                     <link href=\"https://www.daejeon.example/article/2\"/><updated>{}</updated>",
                    ago(now, 3).to_rfc3339()
                ),
                format!(
                    "<id>urn:dj:3</id><title></title><updated>{}</updated>",
                    ago(now, 3).to_rfc3339()
                ),
                format!(
                    "<id>urn:dj:4</id><title type=\"html\">&lt;b&gt;&lt;/b&gt;</title>\
                     <updated>{}</updated><content type=\"html\">&lt;p&gt;천안시가 시내버스 노선을 개편한다.&lt;/p&gt;</content>",
                    ago(now, 1).to_rfc3339()
                ),
            ],
        )),
    );
    let english: Vec<String> = (1..=5)
        .map(|n| {
            format!(
                "<guid isPermaLink=\"false\">https://www.metro.example/news/</guid>\
                 <title>City council story number {n}</title>\
                 <link>https://www.metro.example/news/{n}?utm_source=rss</link>\
                 <description>Story {n} of the day.</description><pubDate>{}</pubDate>",
                rfc822(ago(now, 44 + n))
            )
        })
        .collect();
    farm.set(
        "/metro.xml",
        Route::rss(rss_raw("Metro", "https://www.metro.example/", &english)),
    );
    // Republished in full (`content = "full"`): HTML with relative links, a script, a picture.
    farm.set(
        "/full.atom",
        Route::atom(atom_raw(
            "Open Press",
            "https://www.openpress.example/",
            &[
                format!(
                    "<id>tag:openpress.example,2026:1</id><title>AT&amp;T &amp; the &lt;b&gt;tram&lt;/b&gt; deal</title>\
                     <link href=\"https://www.openpress.example/a/1?utm_source=feed\"/><updated>{}</updated>\
                     <content type=\"html\">&lt;p&gt;The deal, &lt;a href=\"/b/2\"&gt;explained&lt;/a&gt;.&lt;script&gt;x()&lt;/script&gt;\
                     &lt;img src=\"/i/1.jpg\" alt=\"tram\"&gt;&lt;/p&gt;</content>",
                    ago(now, 2).to_rfc3339()
                ),
                format!(
                    "<id>tag:openpress.example,2026:2</id><title></title><updated>{}</updated>\
                     <content type=\"html\">&lt;p&gt;   &lt;/p&gt;</content>",
                    ago(now, 2).to_rfc3339()
                ),
            ],
        )),
    );
}

fn config(farm: &Farm) -> String {
    let localhost = farm.url("/daejeon.atom").replace("127.0.0.1", "localhost");
    format!(
        "[gazette]\ntitle = \"가제트 뉴스\"\nallow_private = true\nbase_url = \"{BASE}\"\n\n\
         [[section]]\nid = \"politics\"\ntitle = \"정치/행정\"\n\n\
         [[section]]\nid = \"daejeon\"\ntitle = \"대전\"\n\n\
         [[section]]\nid = \"metro\"\ntitle = \"Metro\"\n\n\
         [[feed]]\nurl = \"{}\"\nname = \"중도일보\"\nsections = [\"politics\", \"daejeon\"]\n\n\
         [[feed]]\nurl = \"{localhost}\"\nname = \"대전일보\"\nsections = [\"daejeon\"]\ncontent = \"title\"\n\n\
         [[feed]]\nurl = \"{}\"\nsections = [\"metro\"]\n\n\
         [[feed]]\nurl = \"{}\"\nsections = [\"metro\"]\ncontent = \"full\"\n\n\
         [[edition]]\nid = \"daejeon\"\ntitle = \"대전\"\nfeeds = [\"{localhost}\"]\n\n\
         [digest]\nfrom = \"가제트 뉴스 <news@news.example.kr>\"\nto = [\"reader@example.com\"]\n\
         smtp = \"smtp://127.0.0.1:9\"\n",
        farm.url("/joongdo.xml"),
        farm.url("/metro.xml"),
        farm.url("/full.atom"),
    )
}

/// Every RSS and Atom file under `feeds/`.
fn published_feeds(work: &Workdir) -> Vec<PathBuf> {
    let mut folders = vec![work.output("feeds")];
    let mut files = Vec::new();
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("feeds folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                folders.push(path);
            } else if path
                .extension()
                .is_some_and(|extension| extension == "xml" || extension == "atom")
            {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

#[test]
fn every_published_rss_and_atom_file_passes_the_w3c_validator() {
    let farm = Farm::start();
    let now = Utc::now();
    serve_inputs(&farm, now);
    let work = Workdir::new(config(&farm));
    let output = work.run(&["once"]);
    assert!(output.status.success(), "{}", show(&output));
    // A complete day, with the English feed's articles: its digest is published.
    let day = (now - Duration::hours(47))
        .with_timezone(&chrono_tz::Asia::Seoul)
        .date_naive()
        .to_string();
    let output = work.run(&["digest", "--date", &day]);
    assert!(output.status.success(), "{}", show(&output));

    let files = published_feeds(&work);
    let names: Vec<String> = files
        .iter()
        .map(|file| {
            file.strip_prefix(work.output(""))
                .unwrap()
                .display()
                .to_string()
        })
        .collect();
    for expected in [
        "feeds/all.xml",
        "feeds/daejeon.atom",
        "feeds/blocks/headlines.xml",
        "feeds/blocks/ranking-daejeon.atom",
        "feeds/blocks/photos.xml",
        "feeds/digest.xml",
        "feeds/digest.atom",
    ] {
        assert!(
            names.iter().any(|name| name == expected),
            "no {expected} in {names:?}"
        );
    }
    let report = support::tools::assert_w3c_valid(BASE, &work.output(""), &files);
    // Shown with `--nocapture`: the figure to quote.
    println!("{}", report.trim_end());
}
