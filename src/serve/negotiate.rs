//! Reading the request headers that choose a response: `Accept-Encoding`, `If-Match`,
//! `If-Unmodified-Since`, `If-None-Match` and `If-Modified-Since` (RFC 9110 §12.5.3, §13.1).
//!
//! Clients and proxies send every kind of malformed value. None of it is an error here: a header
//! that cannot be read is treated as absent, which at worst sends a full 200 instead of a 304.

use std::time::SystemTime;

use axum::http::HeaderMap;
use axum::http::header::{
    ACCEPT_ENCODING, IF_MATCH, IF_MODIFIED_SINCE, IF_NONE_MATCH, IF_UNMODIFIED_SINCE,
};

use crate::publish::precompress::Encoding;

/// Whether the client accepts `encoding`: listed (or `*` is) with a weight above zero. An entry
/// whose weight cannot be read is skipped.
pub(super) fn accepts(headers: &HeaderMap, encoding: Encoding) -> bool {
    let mut named = None;
    let mut any = None;
    for value in headers.get_all(ACCEPT_ENCODING) {
        let Ok(value) = value.to_str() else { continue };
        for entry in value.split(',') {
            let mut parts = entry.split(';');
            let coding = parts.next().unwrap_or("").trim();
            let Some(weight) = weight(parts) else {
                continue;
            };
            if coding.eq_ignore_ascii_case(encoding.token()) {
                named = Some(weight);
            } else if coding == "*" {
                any = Some(weight);
            }
        }
    }
    named.or(any).is_some_and(|weight| weight > 0.0)
}

/// The `q` parameter among `parameters` (1 when absent), or `None` when it is malformed.
fn weight<'a>(parameters: impl Iterator<Item = &'a str>) -> Option<f32> {
    let mut weight = 1.0;
    for parameter in parameters {
        let (name, value) = parameter.split_once('=')?;
        if name.trim().eq_ignore_ascii_case("q") {
            weight = value.trim().parse::<f32>().ok()?;
            if !(0.0..=1.0).contains(&weight) {
                return None;
            }
        }
    }
    Some(weight)
}

/// Whether `If-None-Match` lists `etag` (a quoted strong tag as we send it) or is `*`. Weak
/// comparison, as RFC 9110 asks for this header: `W/"x"` matches `"x"`. Scanning stops at the
/// first malformed tag, so a huge or hostile value costs one linear pass and matches nothing
/// beyond what was well formed before it.
pub(super) fn none_match(headers: &HeaderMap, etag: &str) -> Option<bool> {
    let mut values = headers.get_all(IF_NONE_MATCH).iter().peekable();
    values.peek()?;
    Some(values.any(|value| lists(value.as_bytes(), etag.as_bytes(), Comparison::Weak)))
}

/// Whether the request's preconditions fail for the representation tagged `etag` and last
/// modified at `modified`, so that the answer is 412: `If-Match` does not list `etag` (strong
/// comparison: a weak tag never matches), or, without `If-Match`, `If-Unmodified-Since` names a
/// time before `modified` (RFC 9110 §13.2.2 steps 1–2). An unreadable date is ignored, as the RFC
/// asks.
pub(super) fn precondition_fails(headers: &HeaderMap, etag: &str, modified: SystemTime) -> bool {
    let mut values = headers.get_all(IF_MATCH).iter().peekable();
    if values.peek().is_some() {
        return !values.any(|value| lists(value.as_bytes(), etag.as_bytes(), Comparison::Strong));
    }
    headers
        .get(IF_UNMODIFIED_SINCE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| httpdate::parse_http_date(value.trim()).ok())
        .is_some_and(|since| whole_seconds(modified) > since)
}

/// How entity tags are compared (RFC 9110 §8.8.3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Comparison {
    /// `W/"x"` matches `"x"`: for `If-None-Match`.
    Weak,
    /// Only strong tags match: for `If-Match`.
    Strong,
}

/// Whether the `If-None-Match` or `If-Match` value `list` holds `etag` or is `*`.
fn lists(list: &[u8], etag: &[u8], comparison: Comparison) -> bool {
    if list.trim_ascii() == b"*" {
        return true;
    }
    let mut rest = list;
    loop {
        rest = rest.trim_ascii_start();
        while let Some(after) = rest.strip_prefix(b",") {
            rest = after.trim_ascii_start();
        }
        if rest.is_empty() {
            return false;
        }
        let weak = rest.starts_with(b"W/");
        if weak {
            rest = &rest[2..];
        }
        let Some(after_quote) = rest.strip_prefix(b"\"") else {
            return false;
        };
        let Some(end) = after_quote.iter().position(|&b| b == b'"') else {
            return false;
        };
        let tag = &rest[..end + 2];
        if tag == etag && (comparison == Comparison::Weak || !weak) {
            return true;
        }
        rest = &rest[end + 2..];
    }
}

/// Whether `If-Modified-Since` names a time at or after `modified` (whole seconds, as HTTP dates
/// are). `None` when the header is absent or not a date.
pub(super) fn not_modified_since(headers: &HeaderMap, modified: SystemTime) -> Option<bool> {
    let value = headers.get(IF_MODIFIED_SINCE)?.to_str().ok()?;
    let since = httpdate::parse_http_date(value.trim()).ok()?;
    Some(whole_seconds(modified) <= since)
}

/// `time` without its fraction of a second, as an HTTP date shows it.
pub(super) fn whole_seconds(time: SystemTime) -> SystemTime {
    let since_epoch = time
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default();
    SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(since_epoch.as_secs())
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use axum::http::HeaderValue;

    fn headers(name: axum::http::HeaderName, values: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for value in values {
            map.append(&name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn accept_encoding_honours_weights_and_wildcards() {
        let cases = [
            ("gzip, deflate, br", true, true),
            ("br;q=0, gzip", false, true),
            ("GZIP;Q=0.5", false, true),
            ("*", true, true),
            ("*;q=0, gzip", false, true),
            ("identity", false, false),
            ("gzip;q=0", false, false),
            ("gzip;q=2, br;q=nope", false, false),
            ("", false, false),
        ];
        for (value, br, gzip) in cases {
            let map = headers(ACCEPT_ENCODING, &[value]);
            assert_eq!(accepts(&map, Encoding::Brotli), br, "br in {value:?}");
            assert_eq!(accepts(&map, Encoding::Gzip), gzip, "gzip in {value:?}");
        }
        assert!(!accepts(&HeaderMap::new(), Encoding::Gzip));
    }

    #[test]
    fn if_none_match_compares_weakly_and_stops_at_garbage() {
        let etag = "\"abc\"";
        let cases = [
            ("\"abc\"", true),
            ("W/\"abc\"", true),
            ("\"x\", \"abc\"", true),
            ("\"x\",,W/\"abc\"", true),
            ("*", true),
            ("\"abcd\"", false),
            ("abc", false),
            ("\"x\" garbage \"abc\"", false),
            ("\"unterminated", false),
            ("", false),
        ];
        for (value, expected) in cases {
            let map = headers(IF_NONE_MATCH, &[value]);
            assert_eq!(none_match(&map, etag), Some(expected), "{value:?}");
        }
        let split = headers(IF_NONE_MATCH, &["\"x\"", "\"abc\""]);
        assert_eq!(none_match(&split, etag), Some(true));
        assert_eq!(none_match(&HeaderMap::new(), etag), None);
        let huge = format!("{}\"abc\"", "\"x\", ".repeat(50_000));
        assert_eq!(
            none_match(&headers(IF_NONE_MATCH, &[&huge]), etag),
            Some(true)
        );
    }

    #[test]
    fn if_match_compares_strongly_and_if_unmodified_since_only_without_it() {
        let etag = "\"abc\"";
        let modified = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777);
        let fails =
            |name, value: &str| precondition_fails(&headers(name, &[value]), etag, modified);
        assert!(!fails(IF_MATCH, "\"abc\""));
        assert!(!fails(IF_MATCH, "\"x\", \"abc\""));
        assert!(!fails(IF_MATCH, "*"));
        assert!(fails(IF_MATCH, "W/\"abc\""));
        assert!(fails(IF_MATCH, "\"abcd\""));
        assert!(fails(IF_MATCH, "garbage"));
        assert!(!fails(IF_UNMODIFIED_SINCE, "Sun, 06 Nov 1994 08:49:37 GMT"));
        assert!(fails(IF_UNMODIFIED_SINCE, "Sun, 06 Nov 1994 08:49:36 GMT"));
        assert!(!fails(IF_UNMODIFIED_SINCE, "yesterday"));
        let mut both = headers(IF_MATCH, &["\"abc\""]);
        both.insert(
            IF_UNMODIFIED_SINCE,
            HeaderValue::from_static("Sun, 06 Nov 1994 08:49:36 GMT"),
        );
        assert!(!precondition_fails(&both, etag, modified));
        assert!(!precondition_fails(&HeaderMap::new(), etag, modified));
    }

    #[test]
    fn if_modified_since_reads_every_http_date_form() {
        let modified = SystemTime::UNIX_EPOCH + Duration::from_millis(784_111_777_500);
        for value in [
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
        ] {
            let map = headers(IF_MODIFIED_SINCE, &[value]);
            assert_eq!(not_modified_since(&map, modified), Some(true), "{value}");
        }
        let earlier = headers(IF_MODIFIED_SINCE, &["Sun, 06 Nov 1994 08:49:36 GMT"]);
        assert_eq!(not_modified_since(&earlier, modified), Some(false));
        let garbage = headers(IF_MODIFIED_SINCE, &["yesterday"]);
        assert_eq!(not_modified_since(&garbage, modified), None);
    }
}
