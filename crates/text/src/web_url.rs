//! What counts as a web URL: absolute, http or https. Links given to readers, feeds to fetch and
//! subscriptions to import must be such URLs (never `javascript:`, `data:` or `file:`), checked by
//! one rule: [`WebUrl`].

use std::fmt;

use url::Url;

/// An absolute http(s) URL, parsed once.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct WebUrl(Url);

/// Why a text is not a [`WebUrl`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotWebUrl {
    /// The text does not parse as an absolute URL.
    Unparsable(url::ParseError),
    /// The URL's scheme is not http or https.
    Scheme(String),
}

impl fmt::Display for NotWebUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unparsable(error) => error.fmt(f),
            Self::Scheme(scheme) => write!(f, "scheme `{scheme}` is not http or https"),
        }
    }
}

impl std::error::Error for NotWebUrl {}

impl WebUrl {
    /// Parses an absolute http(s) URL.
    pub fn parse(text: &str) -> Result<Self, NotWebUrl> {
        Url::parse(text)
            .map_err(NotWebUrl::Unparsable)
            .and_then(Self::try_from)
    }

    /// `link` (trimmed) resolved against `base`, if that gives a web URL.
    pub fn join(base: &Url, link: &str) -> Option<Self> {
        base.join(link.trim())
            .ok()
            .and_then(|url| Self::try_from(url).ok())
    }

    /// Whether `url`'s scheme is http or https: the one test every check here comes down to.
    #[inline]
    pub fn is_web(url: &Url) -> bool {
        matches!(url.scheme(), "http" | "https")
    }

    pub fn as_url(&self) -> &Url {
        &self.0
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    pub fn into_url(self) -> Url {
        self.0
    }
}

impl TryFrom<Url> for WebUrl {
    type Error = NotWebUrl;

    fn try_from(url: Url) -> Result<Self, NotWebUrl> {
        if Self::is_web(&url) {
            Ok(Self(url))
        } else {
            Err(NotWebUrl::Scheme(url.scheme().to_owned()))
        }
    }
}

impl From<WebUrl> for String {
    fn from(url: WebUrl) -> String {
        url.0.into()
    }
}

impl fmt::Display for WebUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// How much [`is_plain_web_url`] promises about a text it accepts. Both checks cost far less than
/// parsing, which is what they are for: most links in feeds are plain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plain {
    /// Written as an absolute http(s) URL: the scheme, then a letter or digit, then only characters
    /// a URL may hold as written. The parser keeps such a link as the publisher wrote it.
    Written,
    /// Also surely parses, to an http(s) URL, with a host name kept as written: a plain host (no IP
    /// address, port, user or IDNA label) and no space or control character. This is what
    /// predicting ammonia's output needs: it keeps such a URL byte for byte.
    SurelyParses,
}

/// Whether `url` is plain in the sense of `strictness`; `false` says nothing (parse to know).
#[inline]
pub fn is_plain_web_url(url: &str, strictness: Plain) -> bool {
    let Some(rest) = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
    else {
        return false;
    };
    match strictness {
        Plain::Written => is_written_plain(rest),
        Plain::SurelyParses => surely_parses(rest),
    }
}

#[inline]
fn is_written_plain(rest: &str) -> bool {
    rest.bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphanumeric())
        && rest.bytes().all(|b| {
            b.is_ascii_graphic()
                && !matches!(
                    b,
                    b'\\' | b'<' | b'>' | b'"' | b'`' | b'{' | b'}' | b'|' | b'^'
                )
        })
}

#[inline]
fn surely_parses(rest: &str) -> bool {
    let host_len = rest
        .bytes()
        .position(|b| matches!(b, b'/' | b'?' | b'#'))
        .unwrap_or(rest.len());
    let (host, path) = rest.split_at(host_len);
    let label_ok = |label: &str| {
        let bytes = label.as_bytes();
        !label.is_empty()
            && bytes
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
            && bytes.first() != Some(&b'-')
            && bytes.last() != Some(&b'-')
            && !bytes
                .get(..4)
                .is_some_and(|p| p.eq_ignore_ascii_case(b"xn--"))
    };
    // A last label that is a number would make the host an IPv4 address.
    let last_ok = host
        .rsplit('.')
        .next()
        .and_then(|l| l.bytes().next())
        .is_some_and(|b| b.is_ascii_alphabetic());
    host.split('.').all(label_ok)
        && last_ok
        // A fold, not `all`: without the early exit it compiles to vector compares.
        && !path
            .bytes()
            .fold(false, |bad, b| bad | (b <= b' ') | (b == 0x7f) | (b == b'\\'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn web_urls_are_http_or_https() {
        assert!(WebUrl::parse("https://news.example/a").is_ok());
        assert!(matches!(
            WebUrl::parse("javascript:alert(1)"),
            Err(NotWebUrl::Scheme(s)) if s == "javascript"
        ));
        assert!(matches!(
            WebUrl::parse("/relative"),
            Err(NotWebUrl::Unparsable(_))
        ));
        let base = Url::parse("https://news.example/rss").unwrap();
        assert_eq!(
            WebUrl::join(&base, " /b ").map(String::from).as_deref(),
            Some("https://news.example/b")
        );
        assert_eq!(WebUrl::join(&base, "data:text/html,x"), None);
    }

    #[test]
    fn plain_web_urls_surely_parse() {
        let plain = [
            "https://news.example/a/b?c=d&e=%20#f",
            "http://WWW.Example.COM",
            "https://a-b.c9.example/한글",
        ];
        for url in plain {
            assert!(is_plain_web_url(url, Plain::SurelyParses), "{url}");
            assert!(
                is_plain_web_url(url, Plain::Written) || !url.is_ascii(),
                "{url}"
            );
            assert!(Url::parse(url).is_ok_and(|u| u.scheme().starts_with("http")));
        }
        let not_plain = [
            "http://999.1.1.1/",
            "http://0x7f.1/",
            "https://xn--bcher-kva.example/",
            "https://user@host.example/",
            "https://host.example:99999/",
            "https://host.example/a b",
            "https://-bad.example/",
            "https://a..b/",
            "https://[::1]/",
            "HTTP://upper.example/",
            "/relative",
        ];
        for url in not_plain {
            assert!(!is_plain_web_url(url, Plain::SurelyParses), "{url}");
        }
    }

    #[test]
    fn written_plainness_is_about_characters_only() {
        assert!(is_plain_web_url("http://999.1.1.1/", Plain::Written));
        assert!(is_plain_web_url(
            "https://news.example/a?b=c",
            Plain::Written
        ));
        assert!(!is_plain_web_url(
            "https://news.example/a b",
            Plain::Written
        ));
        assert!(!is_plain_web_url(
            "https://news.example/<x>",
            Plain::Written
        ));
        assert!(!is_plain_web_url("https:///x", Plain::Written));
        assert!(!is_plain_web_url("ftp://x.example/", Plain::Written));
    }
}
