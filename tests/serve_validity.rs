//! Every published RSS and Atom document follows the rules the W3C Feed Validator checks: RFC 822
//! and RFC 3339 dates, absolute URLs, `guid isPermaLink` telling the truth, `tag:` ids that never
//! change, self links naming where the feed is served, unique ids, the language, declared
//! namespaces, the WebSub hub. The Python `feedvalidator` package is not on PyPI, so the rules are
//! checked here directly.

mod support;

use std::collections::{BTreeMap, HashSet};

use quick_xml::XmlVersion;
use quick_xml::events::Event;
use support::{Farm, FeedsToml, Route, TestItem, Workdir, atom, rss, show};
use url::Url;

/// One element of a parsed document: just enough of a DOM to check the rules.
#[derive(Debug, Default)]
struct Element {
    name: String,
    attrs: BTreeMap<String, String>,
    text: String,
    children: Vec<Element>,
}

impl Element {
    fn parse(xml: &str) -> Element {
        let mut reader = quick_xml::Reader::from_str(xml);
        let mut stack = vec![Element::default()];
        loop {
            match reader.read_event().expect("well-formed XML") {
                Event::Start(start) => stack.push(Element::open(&start)),
                Event::Empty(start) => {
                    let element = Element::open(&start);
                    stack.last_mut().unwrap().children.push(element);
                }
                Event::End(_) => {
                    let element = stack.pop().unwrap();
                    stack.last_mut().unwrap().children.push(element);
                }
                Event::Text(text) => {
                    let text = text
                        .xml_content(XmlVersion::Implicit1_0)
                        .expect("UTF-8 text");
                    stack.last_mut().unwrap().text.push_str(&text);
                }
                Event::GeneralRef(reference) => {
                    let name = std::str::from_utf8(&reference).expect("UTF-8 reference");
                    let resolved = match name.strip_prefix('#') {
                        Some(number) => {
                            let code = match number.strip_prefix('x') {
                                Some(hex) => u32::from_str_radix(hex, 16),
                                None => number.parse(),
                            };
                            char::from_u32(code.unwrap()).unwrap().to_string()
                        }
                        None => quick_xml::escape::resolve_predefined_entity(name)
                            .map(str::to_owned)
                            .unwrap_or_else(|| panic!("unknown entity &{name};")),
                    };
                    stack.last_mut().unwrap().text.push_str(&resolved);
                }
                Event::CData(data) => {
                    let text = data.decode().expect("UTF-8 CDATA");
                    stack.last_mut().unwrap().text.push_str(&text);
                }
                Event::Eof => break,
                _ => {}
            }
        }
        let mut document = stack.pop().unwrap();
        assert_eq!(document.children.len(), 1, "one root element");
        document.children.remove(0)
    }

    fn open(start: &quick_xml::events::BytesStart<'_>) -> Element {
        Element {
            name: String::from_utf8(start.name().into_inner().to_vec()).expect("UTF-8 name"),
            attrs: start
                .attributes()
                .map(|attr| {
                    let attr = attr.unwrap();
                    (
                        String::from_utf8(attr.key.into_inner().to_vec()).expect("UTF-8 name"),
                        attr.normalized_value(XmlVersion::Implicit1_0)
                            .unwrap()
                            .into_owned(),
                    )
                })
                .collect(),
            ..Element::default()
        }
    }

    fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.children.iter().filter(move |child| child.name == name)
    }

    fn one<'a>(&'a self, name: &'a str) -> &'a Element {
        let mut found = self.all(name);
        let first = found
            .next()
            .unwrap_or_else(|| panic!("<{}> has no <{name}>", self.name));
        assert!(found.next().is_none(), "<{}> has two <{name}>", self.name);
        first
    }

    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.get(name).map(String::as_str)
    }
}

fn absolute(url: &str) -> Url {
    let parsed = Url::parse(url).unwrap_or_else(|e| panic!("{url:?} is not absolute: {e}"));
    assert!(matches!(parsed.scheme(), "http" | "https"), "{url}");
    parsed
}

/// RFC 822 as the validator wants it: four-digit year, numeric zone, day name matching the date.
fn assert_rfc822(date: &str) {
    let parsed = chrono::DateTime::parse_from_rfc2822(date)
        .unwrap_or_else(|e| panic!("{date:?} is not RFC 822: {e}"));
    assert_eq!(
        parsed.format("%a, %d %b %Y %H:%M:%S %z").to_string(),
        date,
        "{date:?} is not in canonical form"
    );
}

fn assert_rfc3339(date: &str) {
    chrono::DateTime::parse_from_rfc3339(date)
        .unwrap_or_else(|e| panic!("{date:?} is not RFC 3339: {e}"));
}

/// RFC 4151: `tag:{authority},{YYYY[-MM[-DD]]}:{specific}` with no spaces.
fn assert_tag_uri(id: &str) {
    let rest = id
        .strip_prefix("tag:")
        .unwrap_or_else(|| panic!("{id} is not a tag: URI"));
    let (entity, specific) = rest.split_once(':').expect("tag: URI has a specific part");
    let (authority, date) = entity.split_once(',').expect("tag: URI has a date");
    assert!(!authority.is_empty() && !authority.contains(' '), "{id}");
    let date_ok = [4, 7, 10].contains(&date.len())
        && date.chars().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                c == '-'
            } else {
                c.is_ascii_digit()
            }
        });
    assert!(date_ok, "{id}: bad date {date}");
    assert!(
        !specific.is_empty() && specific.chars().all(|c| c.is_ascii_graphic()),
        "{id}: bad specific part"
    );
}

const HUB: &str = "https://hub.example.net/";
const BASE: &str = "https://news.example.kr/gazette/";

fn check_rss(xml: &str, served_at: &str, language: &str) -> Vec<String> {
    let root = Element::parse(xml);
    assert_eq!(root.name, "rss");
    assert_eq!(root.attr("version"), Some("2.0"));
    assert_eq!(root.attr("xmlns:atom"), Some("http://www.w3.org/2005/Atom"));
    let channel = root.one("channel");
    assert!(!channel.one("title").text.is_empty());
    absolute(&channel.one("link").text);
    assert!(!channel.one("description").text.is_empty());
    assert_eq!(channel.one("language").text, language);
    assert_rfc822(&channel.one("lastBuildDate").text);
    let links: Vec<(&str, &str)> = channel
        .all("atom:link")
        .map(|link| (link.attr("rel").unwrap(), link.attr("href").unwrap()))
        .collect();
    assert!(links.contains(&("self", served_at)), "{links:?}");
    assert!(links.contains(&("hub", HUB)), "{links:?}");
    let mut guids = Vec::new();
    for item in channel.all("item") {
        assert!(!item.one("title").text.is_empty());
        let guid = item.one("guid");
        // isPermaLink defaults to true, which would claim the id is a URL to the item.
        match guid.attr("isPermaLink") {
            Some("false") => assert_tag_uri(&guid.text),
            _ => {
                absolute(&guid.text);
            }
        }
        guids.push(guid.text.clone());
        assert_rfc822(&item.one("pubDate").text);
        for link in item.all("link") {
            absolute(&link.text);
        }
        for source in item.all("source") {
            absolute(source.attr("url").expect("<source url>"));
        }
        for creator in item.all("dc:creator") {
            assert!(!creator.text.is_empty());
            assert!(root.attr("xmlns:dc").is_some(), "dc namespace declared");
        }
        // <author> must be an e-mail address; names go in dc:creator.
        assert_eq!(item.all("author").count(), 0);
    }
    let unique: HashSet<&String> = guids.iter().collect();
    assert_eq!(unique.len(), guids.len(), "duplicate guids: {guids:?}");
    guids
}

fn check_atom(xml: &str, served_at: &str, language: &str) -> Vec<String> {
    let feed = Element::parse(xml);
    assert_eq!(feed.name, "feed");
    assert_eq!(feed.attr("xmlns"), Some("http://www.w3.org/2005/Atom"));
    assert_eq!(feed.attr("xml:lang"), Some(language));
    assert_tag_uri(&feed.one("id").text);
    assert!(!feed.one("title").text.is_empty());
    assert_rfc3339(&feed.one("updated").text);
    assert!(!feed.one("author").one("name").text.is_empty());
    let links: Vec<(&str, &str)> = feed
        .all("link")
        .map(|link| {
            (
                link.attr("rel").unwrap_or("alternate"),
                link.attr("href").unwrap(),
            )
        })
        .collect();
    assert!(links.contains(&("self", served_at)), "{links:?}");
    assert!(links.contains(&("hub", HUB)), "{links:?}");
    for (_, href) in &links {
        absolute(href);
    }
    let mut ids = Vec::new();
    for entry in feed.all("entry") {
        let id = entry.one("id").text.clone();
        assert_tag_uri(&id);
        entry.one("title");
        assert_rfc3339(&entry.one("updated").text);
        for published in entry.all("published") {
            assert_rfc3339(&published.text);
            assert!(
                published.text <= entry.one("updated").text,
                "published after updated"
            );
        }
        let alternate = entry
            .all("link")
            .filter(|link| link.attr("rel").is_none_or(|rel| rel == "alternate"))
            .inspect(|link| drop(absolute(link.attr("href").unwrap())))
            .count();
        // RFC 4287 §4.1.1: an entry without content must have an alternate link.
        assert!(alternate > 0 || entry.all("content").count() == 1, "{id}");
        ids.push(id);
        for source in entry.all("source") {
            source.one("id");
            for link in source.all("link") {
                absolute(link.attr("href").unwrap());
            }
        }
    }
    let unique: HashSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "duplicate ids: {ids:?}");
    ids
}

/// JSON Feed 1.1, when the publisher writes it.
fn check_json_feed(text: &str, served_at: &str) -> Vec<String> {
    let feed: serde_json::Value = serde_json::from_str(text).expect("JSON");
    assert_eq!(feed["version"], "https://jsonfeed.org/version/1.1");
    assert!(feed["title"].as_str().is_some_and(|t| !t.is_empty()));
    assert_eq!(feed["feed_url"], served_at);
    let mut ids = Vec::new();
    for item in feed["items"].as_array().expect("items") {
        let id = item["id"].as_str().expect("string id").to_owned();
        ids.push(id);
        if let Some(url) = item["url"].as_str() {
            absolute(url);
        }
        for key in ["date_published", "date_modified"] {
            if let Some(date) = item[key].as_str() {
                assert_rfc3339(date);
            }
        }
        assert!(
            item["content_html"].is_string() || item["content_text"].is_string(),
            "an item needs content_html or content_text"
        );
    }
    let unique: HashSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "duplicate ids");
    ids
}

/// Ids of every published document, by file; checks each against its format's rules.
fn check_output(work: &Workdir) -> BTreeMap<String, Vec<String>> {
    let mut ids = BTreeMap::new();
    let mut checked = 0;
    let mut folders = vec![work.output("feeds")];
    let mut files = Vec::new();
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else {
                files.push(path);
            }
        }
    }
    for path in files {
        let relative = path.strip_prefix(work.output("")).unwrap();
        let name = relative
            .strip_prefix("feeds")
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let served_at = format!("{BASE}{}", relative.to_string_lossy());
        let text = std::fs::read_to_string(&path);
        // The feeds' health is written for the admin, in English like the commands and logs.
        let language = if name.starts_with("health.") {
            "en"
        } else {
            "ko"
        };
        let found = match path.extension().and_then(|e| e.to_str()) {
            Some("xml") => check_rss(&text.unwrap(), &served_at, language),
            Some("atom") => check_atom(&text.unwrap(), &served_at, language),
            Some("json") => check_json_feed(&text.unwrap(), &served_at),
            _ => continue,
        };
        checked += 1;
        ids.insert(name, found);
    }
    assert!(checked >= 4, "all and politics, RSS and Atom at least");
    ids
}

#[test]
fn published_feeds_follow_the_validators_rules_and_keep_their_ids() {
    let farm = Farm::start();
    let mut tricky = TestItem::new(
        "same-id",
        "제목 <b>&amp;</b> \u{1} 컨트롤",
        "2026-01-11T07:35:00Z",
    );
    tricky.link = "/relative/link".to_owned();
    farm.set(
        "/a.xml",
        Route::rss(rss(
            "중도일보",
            &[
                tricky,
                TestItem::new("same-id", "중복 아이디", "2026-01-11T08:00:00Z"),
                TestItem::new(
                    "http://x.example/1",
                    "URL 아이디",
                    "2026-01-12T07:35:00+09:00",
                ),
            ],
        )),
    );
    farm.set(
        "/b.atom",
        Route::atom(atom(
            "대전일보",
            &[
                TestItem::new("urn:uuid:1", "아톰 기사", "2026-01-10T07:35:00Z"),
                TestItem::new("urn:uuid:2", "아주 먼 미래", "9999-12-31T23:59:59Z"),
            ],
        )),
    );
    let work = Workdir::new(
        FeedsToml::new()
            .set("base_url", BASE)
            .set("websub_hub", HUB)
            .section("politics", "정치/행정")
            .feed(&farm.url("/a.xml"), &["politics"])
            .feed(&farm.url("/b.atom"), &[])
            .with("name", "대전 & 충청"),
    );
    let output = work.run(&["once"]);
    assert!(output.status.success(), "{}", show(&output));
    let first = check_output(&work);
    assert!(
        first["all.atom"].len() >= 4,
        "items made it through: {first:?}"
    );

    // Ids never change across cycles, even when a feed changes around them.
    farm.set(
        "/b.atom",
        Route::atom(atom(
            "대전일보",
            &[
                TestItem::new("urn:uuid:3", "새 기사", "2026-01-13T07:35:00Z"),
                TestItem::new("urn:uuid:1", "아톰 기사 (수정)", "2026-01-10T07:35:00Z"),
            ],
        )),
    );
    let output = work.run(&["once"]);
    assert!(output.status.success(), "{}", show(&output));
    let second = check_output(&work);
    for id in &first["all.atom"] {
        assert!(second["all.atom"].contains(id), "{id} kept its id");
    }
    assert_eq!(second["all.atom"].len(), first["all.atom"].len() + 1);
}
