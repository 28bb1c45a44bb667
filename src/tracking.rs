//! Query parameters that never choose the page: tracking and session ids. One rule, used where
//! articles are compared (their canonical URL) and where links are published (without them).

use url::Url;

/// Parameter names (lowercase) besides every `utm_*` one.
const NOISE: &[&str] = &[
    "fbclid",
    "gclid",
    "dclid",
    "msclkid",
    "yclid",
    "igshid",
    "mc_cid",
    "mc_eid",
    "_ga",
    "sid",
    "sessionid",
    "session_id",
    "sessid",
    "jsessionid",
    "phpsessid",
    "cfid",
    "cftoken",
    "amp",
    "outputtype",
];

/// Whether the query parameter `name` (any case) only tracks the reader or their session.
pub fn is_noise_param(name: &str) -> bool {
    name.get(..4)
        .is_some_and(|prefix| prefix.eq_ignore_ascii_case("utm_"))
        || NOISE.iter().any(|noise| noise.eq_ignore_ascii_case(name))
}

/// Whether `link` has a tracking parameter; cheap, without parsing the URL, as most links
/// have none.
pub fn has_noise(link: &str) -> bool {
    let Some((_, query)) = link.split_once('?') else {
        return false;
    };
    let query = query.split('#').next().unwrap_or_default();
    query.split('&').any(|pair| {
        let name = pair.split('=').next().unwrap_or_default();
        if name.contains('%') {
            is_noise_param(&percent_encoding::percent_decode_str(name).decode_utf8_lossy())
        } else {
            is_noise_param(name)
        }
    })
}

/// `link` without its tracking parameters; every other parameter stays, in its order and as
/// written. A link that is not a URL, or has no such parameter, comes back unchanged.
pub fn without_noise(link: &str) -> String {
    if !has_noise(link) {
        return link.to_owned();
    }
    let Ok(mut url) = Url::parse(link) else {
        return link.to_owned();
    };
    let Some(query) = url.query() else {
        return link.to_owned();
    };
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| {
            let name = pair.split('=').next().unwrap_or_default();
            let name = percent_encoding::percent_decode_str(name).decode_utf8_lossy();
            !is_noise_param(&name)
        })
        .collect();
    if kept.len() == query.split('&').count() {
        return link.to_owned();
    }
    let kept = kept.join("&");
    url.set_query((!kept.is_empty()).then_some(kept.as_str()));
    url.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trackers_go_other_parameters_stay_as_written() {
        assert_eq!(
            without_noise(
                "https://www.joongdo.example/news/articleView.html?idxno=1&utm_source=naver&UTM_Medium=rss&fbclid=abc"
            ),
            "https://www.joongdo.example/news/articleView.html?idxno=1"
        );
        assert_eq!(
            without_noise("https://example.com/a?utm_campaign=x&page=2&q=%ED%95%9C+%EA%B8%80#top"),
            "https://example.com/a?page=2&q=%ED%95%9C+%EA%B8%80#top"
        );
        assert_eq!(
            without_noise("https://example.com/a?gclid=1"),
            "https://example.com/a"
        );
        assert!(has_noise("https://example.com/a?x=1&%75tm_source=y"));
        assert!(!has_noise("https://example.com/a?x=1#utm_source=y"));
        for unchanged in [
            "https://example.com/a?page=2&sort=new",
            "https://example.com/a",
            "not a url?utm_source=x",
        ] {
            assert_eq!(without_noise(unchanged), unchanged);
        }
    }
}
