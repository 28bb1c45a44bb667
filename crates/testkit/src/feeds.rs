//! Small RSS and Atom documents, written the way publishers write them.

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
