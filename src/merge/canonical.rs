//! Canonical article URLs: the same page reached through tracking links, mobile hosts, AMP variants
//! or http/https gives the same key.

use crate::text::WebUrl;

/// Host prefixes of the same site's mobile or AMP copies.
const MIRROR_PREFIXES: &[&str] = &["www.", "m.", "mobile.", "amp."];

/// A key equal for every URL of the same article; `None` for a link that is not an http(s) URL.
pub fn canonical_url(link: &str) -> Option<String> {
    let url = WebUrl::parse(link.trim()).ok()?.into_url();
    let mut host = url.host_str()?.to_ascii_lowercase();
    while let Some(prefix) = MIRROR_PREFIXES.iter().find(|p| host.starts_with(*p)) {
        host.drain(..prefix.len());
    }
    let mut params: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(name, _)| !crate::tracking::is_noise_param(name))
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect();
    params.sort();
    let query: Vec<String> = params
        .iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect();
    Some(format!(
        "{host}{}?{}",
        canonical_path(url.path()),
        query.join("&")
    ))
}

/// The path without `;jsessionid=…`-style parameters, AMP markers or a trailing slash.
fn canonical_path(path: &str) -> String {
    let path = path.split(';').next().unwrap_or_default();
    let mut path = path.trim_end_matches('/');
    for suffix in ["/amp", ".amp"] {
        path = path.strip_suffix(suffix).unwrap_or(path);
    }
    let path = path.strip_prefix("/amp/").map_or(path, |rest| {
        // "/amp/news/1" is "/news/1": keep the slash that starts the real path.
        &path[path.len() - rest.len() - 1..]
    });
    path.trim_end_matches('/').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_of_one_article_share_a_key() {
        let key = canonical_url("https://www.cctoday.co.kr/news/articleView.html?idxno=123");
        for variant in [
            "http://m.cctoday.co.kr/news/articleView.html?idxno=123",
            "https://cctoday.co.kr/news/articleView.html?utm_source=naver&idxno=123#comments",
            "https://www.cctoday.co.kr/news/articleView.html?idxno=123&fbclid=x&PHPSESSID=y",
            "https://amp.cctoday.co.kr/news/articleView.html/?idxno=123",
        ] {
            assert_eq!(canonical_url(variant), key, "{variant}");
        }
        assert_ne!(
            canonical_url("https://cctoday.co.kr/news/articleView.html?idxno=124"),
            key
        );
    }

    #[test]
    fn amp_paths_and_sessions_in_paths() {
        let key = canonical_url("https://news.example/story/1");
        for variant in [
            "https://news.example/story/1/",
            "https://news.example/story/1/amp",
            "https://news.example/amp/story/1",
            "https://news.example/story/1;jsessionid=abc",
        ] {
            assert_eq!(canonical_url(variant), key, "{variant}");
        }
        assert_eq!(canonical_url("javascript:alert(1)"), None);
        assert_eq!(canonical_url("not a url"), None);
    }
}
