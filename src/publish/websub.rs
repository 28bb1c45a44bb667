//! WebSub, publisher side (W3C WebSub §7): each feed names the hub in a `rel="hub"` link (written
//! by [`crate::render::feed`]), and after every publish that changed feeds the hub is told which, so
//! that subscribers get them at once instead of at their next poll.

use std::path::{Path, PathBuf};

use futures_util::future::join_all;
use url::Url;

use crate::config::Settings;
use crate::layout::{FEEDS_DIR, file_url_path};

/// Extensions of the feed documents a hub may have subscribers for.
const FEED_EXTENSIONS: &[&str] = &["xml", "atom", "json"];

/// Tells `settings.websub_hub`, if any, that the feeds among `changed` (files relative to the
/// output folder) changed: one `hub.mode=publish` POST per feed URL, all at once. A hub that fails
/// is logged and otherwise ignored; the next change announces again.
pub async fn announce(settings: &Settings, changed: &[PathBuf]) {
    let Some(hub) = &settings.websub_hub else {
        return;
    };
    let topics = topics(&settings.base_url, changed);
    if topics.is_empty() {
        return;
    }
    // reqwest is built without a bundled crypto provider; an error only means one is installed.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = match reqwest::Client::builder()
        .user_agent(&settings.user_agent)
        .connect_timeout(settings.connect_timeout)
        .timeout(settings.timeout)
        .build()
    {
        Ok(client) => client,
        Err(error) => {
            tracing::warn!("cannot announce to the WebSub hub: {error}");
            return;
        }
    };
    let pings = topics.iter().map(|topic| ping(&client, hub, topic));
    let failed = join_all(pings).await.into_iter().filter(|ok| !ok).count();
    tracing::info!(
        "told the WebSub hub {hub} of {} changed feeds ({failed} failed)",
        topics.len()
    );
}

/// One `hub.mode=publish` for `topic`; true if the hub accepted it.
async fn ping(client: &reqwest::Client, hub: &Url, topic: &Url) -> bool {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("hub.mode", "publish")
        .append_pair("hub.url", topic.as_str())
        .finish();
    let sent = client
        .post(hub.clone())
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .body(body)
        .send()
        .await;
    match sent {
        Ok(response) if response.status().is_success() => true,
        Ok(response) => {
            tracing::warn!("WebSub hub {hub} refused {topic}: {}", response.status());
            false
        }
        Err(error) => {
            tracing::warn!("WebSub hub {hub} unreachable for {topic}: {error}");
            false
        }
    }
}

/// The public URLs of the feed documents among `files`.
fn topics(base_url: &Url, files: &[PathBuf]) -> Vec<Url> {
    files
        .iter()
        .filter(|file| is_feed(file))
        .filter_map(|file| base_url.join(&file_url_path(file)).ok())
        .collect()
}

fn is_feed(file: &Path) -> bool {
    let in_feeds = file.starts_with(FEEDS_DIR);
    let extension = file.extension().and_then(|e| e.to_str()).unwrap_or("");
    in_feeds && FEED_EXTENSIONS.contains(&extension)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_feed_documents_are_topics() {
        let base = Url::parse("https://news.example.kr/gazette/").unwrap();
        let files = [
            "feeds/all.xml",
            "feeds/politics.atom",
            "feeds/all.json",
            "index.html",
            "sources.opml",
            "feeds/readme.txt",
        ]
        .map(PathBuf::from);
        let topics: Vec<String> = topics(&base, &files).iter().map(Url::to_string).collect();
        assert_eq!(
            topics,
            [
                "https://news.example.kr/gazette/feeds/all.xml",
                "https://news.example.kr/gazette/feeds/politics.atom",
                "https://news.example.kr/gazette/feeds/all.json",
            ]
        );
    }
}
