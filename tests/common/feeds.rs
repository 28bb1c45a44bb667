//! Small feed documents built in tests.

/// One item of a test feed.
#[derive(Debug, Clone)]
pub struct TestItem {
    pub id: String,
    pub title: String,
    pub link: String,
    /// RFC 3339.
    pub date: String,
}

impl TestItem {
    pub fn new(id: &str, title: &str, date: &str) -> TestItem {
        TestItem {
            id: id.to_owned(),
            title: title.to_owned(),
            link: format!("https://news.example/{id}"),
            date: date.to_owned(),
        }
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// An RSS 2.0 document.
pub fn rss(title: &str, items: &[TestItem]) -> String {
    let items: String = items
        .iter()
        .map(|item| {
            let date = chrono::DateTime::parse_from_rfc3339(&item.date)
                .expect("test date")
                .to_rfc2822();
            format!(
                "<item><guid>{}</guid><title>{}</title><link>{}</link>\
                 <description>{} 요약</description><pubDate>{date}</pubDate></item>",
                escape(&item.id),
                escape(&item.title),
                escape(&item.link),
                escape(&item.title)
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel>\
         <title>{}</title><link>https://news.example/</link><description>test</description>\
         {items}</channel></rss>",
        escape(title)
    )
}

/// An Atom 1.0 document.
pub fn atom(title: &str, items: &[TestItem]) -> String {
    let entries: String = items
        .iter()
        .map(|item| {
            format!(
                "<entry><id>{}</id><title>{}</title><link href=\"{}\"/>\
                 <updated>{}</updated><summary>{} 요약</summary></entry>",
                escape(&item.id),
                escape(&item.title),
                escape(&item.link),
                item.date,
                escape(&item.title)
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
         <feed xmlns=\"http://www.w3.org/2005/Atom\"><title>{}</title>\
         <id>urn:test:{}</id><updated>2026-01-11T00:00:00Z</updated>\
         <link href=\"https://atom.example/\"/>{entries}</feed>",
        escape(title),
        escape(title)
    )
}

/// A reproducible pseudo-random number for `n`.
pub fn mix(n: u64) -> u64 {
    let mut x = n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x ^= x >> 31;
    x.wrapping_mul(0xBF58_476D_1CE4_E5B9) ^ (x >> 29)
}

/// A word of two or three Hangul syllables, drawn as news words are: a few very common, most
/// rare, so that generated headlines are as diverse as real ones.
pub fn word(seed: u64) -> String {
    const SYLLABLES: u64 = 600;
    const WORDS: u64 = 60_000;
    let rank = mix(seed) % WORDS;
    let rank = rank * rank / WORDS;
    let syllable = |i: u64| {
        let n = mix(rank * 3 + i) % SYLLABLES;
        char::from_u32(0xAC00 + (n * 18) as u32).unwrap_or('가')
    };
    (0..2 + rank % 2).map(syllable).collect()
}

/// `words` words drawn from `seed`, separated by spaces.
pub fn sentence(seed: u64, words: u64) -> String {
    (0..words)
        .map(|i| word(seed * 31 + i))
        .collect::<Vec<_>>()
        .join(" ")
}

/// An RSS 2.0 document from raw `<item>` bodies (written as given: escape them yourself), for
/// inputs the builders above cannot make (no title, no link, a repeated guid…).
pub fn rss_raw(title: &str, site: &str, items: &[String]) -> String {
    let items: String = items.iter().map(|i| format!("<item>{i}</item>")).collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel>\
         <title>{}</title><link>{site}</link><description>test</description>{items}</channel></rss>",
        escape(title)
    )
}

/// An Atom 1.0 document from raw `<entry>` bodies (written as given).
pub fn atom_raw(title: &str, site: &str, entries: &[String]) -> String {
    let entries: String = entries
        .iter()
        .map(|e| format!("<entry>{e}</entry>"))
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\
         <title>{}</title><id>urn:test:{}</id><updated>2026-01-11T00:00:00Z</updated>\
         <link href=\"{site}\"/>{entries}</feed>",
        escape(title),
        escape(title)
    )
}
