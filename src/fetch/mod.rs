//! Stage 2: a feed's URL and cache validators → [`FetchOutcome`].
//!
//! [`Fetcher`] owns the HTTP clients and polls like a good citizen: conditional requests
//! (If-None-Match / If-Modified-Since) so an unchanged feed costs a 304; at most
//! [`FetchSettings::per_host`] requests at once to one host and [`FetchSettings::concurrency`] in all;
//! every request bounded in time and in body size (after decompression, so a gzip bomb is cut);
//! redirects followed by hand, so each hop is checked by the SSRF guard and a permanent move is seen.

mod guard;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use reqwest::header::{
    ACCEPT, CONTENT_TYPE, ETAG, HeaderMap, HeaderName, IF_MODIFIED_SINCE, IF_NONE_MATCH,
    LAST_MODIFIED, LOCATION, RETRY_AFTER,
};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use url::Url;

pub use guard::is_public;
use guard::{PrivateAddress, PublicOnlyResolver};

use crate::config::{FeedConfig, Settings};
use crate::text::WebUrl;

/// Media types we ask for, feeds first.
const ACCEPT_FEEDS: &str = "application/rss+xml, application/atom+xml, application/feed+json, \
     application/rdf+xml, application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5";

/// Most bytes of body read by default: far above any real feed, far below trouble.
const DEFAULT_MAX_BODY: usize = 20 * 1024 * 1024;

/// Redirect hops followed before giving up.
const MAX_REDIRECTS: usize = 5;

/// How the fetcher behaves.
#[derive(Debug, Clone)]
pub struct FetchSettings {
    pub user_agent: String,
    pub connect_timeout: Duration,
    /// One request, body included: also cuts servers that trickle bytes.
    pub timeout: Duration,
    /// Most bytes of body read, after decompression.
    pub max_body: usize,
    /// Requests in flight at once, in all.
    pub concurrency: usize,
    /// Requests in flight at once to one host.
    pub per_host: usize,
}

impl FetchSettings {
    /// The settings `[gazette]` gives.
    pub fn from_config(settings: &Settings) -> FetchSettings {
        FetchSettings {
            user_agent: settings.user_agent.clone(),
            connect_timeout: settings.connect_timeout,
            timeout: settings.timeout,
            max_body: DEFAULT_MAX_BODY,
            concurrency: settings.concurrency,
            per_host: settings.per_host,
        }
    }

    /// Defaults for a one-off fetch outside any config (`gazette parse URL`).
    pub fn one_off() -> FetchSettings {
        FetchSettings {
            user_agent: format!("gazette/{}", env!("CARGO_PKG_VERSION")),
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            max_body: DEFAULT_MAX_BODY,
            concurrency: 1,
            per_host: 1,
        }
    }
}

/// One request: the URL and what we remember of its last response.
#[derive(Debug, Clone, PartialEq)]
pub struct FetchRequest {
    pub url: Url,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// Where the request may reach private addresses.
    pub private: PrivateAccess,
}

/// Where a request may reach loopback, private and link-local addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrivateAccess {
    /// Nowhere: the SSRF guard checks every hop.
    Refused,
    /// On the host the request's URL names (see [`same_host`]), as a feed's own
    /// `allow_private = true` asks: a redirect to any other host is guarded.
    OwnHost,
    /// Everywhere, redirects included: `[gazette].allow_private = true`, an intranet deployment.
    Anywhere,
}

impl PrivateAccess {
    /// What `feed`'s and `[gazette]`'s `allow_private` allow it; the feed's `false` wins.
    pub fn of(feed: &FeedConfig, settings: &Settings) -> PrivateAccess {
        match (feed.allow_private, settings.allow_private) {
            (Some(false), _) | (None, false) => PrivateAccess::Refused,
            (_, true) => PrivateAccess::Anywhere,
            (Some(true), false) => PrivateAccess::OwnHost,
        }
    }

    /// What this access (a feed's) allows a request for `link`, found in the feed at
    /// `feed_url`: a feed's own `allow_private` covers its own host only, so a link elsewhere
    /// (an item pointing at a metadata address) is guarded.
    pub fn for_link(self, feed_url: &Url, link: &Url) -> PrivateAccess {
        match self {
            PrivateAccess::OwnHost if !same_host(link, feed_url) => PrivateAccess::Refused,
            access => access,
        }
    }

    /// Whether `hop`, on the way to `requested`, may be at a private address.
    fn allows(self, hop: &Url, requested: &Url) -> bool {
        match self {
            PrivateAccess::Refused => false,
            PrivateAccess::OwnHost => same_host(hop, requested),
            PrivateAccess::Anywhere => true,
        }
    }
}

/// What a fetch gave.
#[derive(Debug)]
pub enum FetchOutcome {
    /// 304: the feed has not changed since the validators we sent.
    NotModified {
        moved_to: Option<Url>,
    },
    Fetched(Fetched),
    Failed {
        error: FetchError,
        /// The server's Retry-After, when it sent one.
        retry_after: Option<RetryAfter>,
    },
}

impl FetchOutcome {
    fn failed(error: FetchError) -> FetchOutcome {
        FetchOutcome::Failed {
            error,
            retry_after: None,
        }
    }
}

/// A successful response.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub status: u16,
    /// The URL after redirects: the base for relative links.
    pub final_url: Url,
    /// Where every redirect hop was permanent (301/308), the URL they led to.
    pub moved_to: Option<Url>,
    pub content_type: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub body: Bytes,
}

/// A server's Retry-After header: seconds to wait, or a date to wait for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryAfter {
    Seconds(u64),
    Until(DateTime<Utc>),
}

impl RetryAfter {
    pub fn parse(value: &str) -> Option<RetryAfter> {
        let value = value.trim();
        if let Ok(seconds) = value.parse::<u64>() {
            return Some(RetryAfter::Seconds(seconds));
        }
        DateTime::parse_from_rfc2822(value)
            .ok()
            .map(|date| RetryAfter::Until(date.with_timezone(&Utc)))
    }

    /// The moment it asks us to wait for, seen from `now`.
    pub fn resolve(self, now: DateTime<Utc>) -> DateTime<Utc> {
        match self {
            // Saturates: a server asking for more than the calendar holds gets the end of it.
            RetryAfter::Seconds(seconds) => i64::try_from(seconds)
                .ok()
                .and_then(chrono::TimeDelta::try_seconds)
                .and_then(|wait| now.checked_add_signed(wait))
                .unwrap_or(DateTime::<Utc>::MAX_UTC),
            RetryAfter::Until(date) => date.max(now),
        }
    }
}

/// Why a fetch failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FetchError {
    #[error("HTTP {status}")]
    Status { status: u16 },
    #[error("timed out")]
    Timeout,
    #[error("connection failed: {0}")]
    Connect(String),
    #[error("body larger than {limit} bytes")]
    TooLarge { limit: usize },
    #[error("redirect loop at {0}")]
    RedirectLoop(Url),
    #[error("more than {MAX_REDIRECTS} redirects")]
    TooManyRedirects,
    #[error("redirect without a usable Location")]
    BadRedirect,
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    Other(String),
}

impl FetchError {
    /// The HTTP status, when the server answered with one.
    pub fn status(&self) -> Option<u16> {
        match self {
            FetchError::Status { status } => Some(*status),
            _ => None,
        }
    }

    fn from_reqwest(error: &reqwest::Error) -> FetchError {
        if let Some(refused) = find_cause::<PrivateAddress>(error) {
            FetchError::Refused(refused.to_string())
        } else if error.is_timeout() {
            FetchError::Timeout
        } else if error.is_connect() {
            FetchError::Connect(error_chain(error))
        } else {
            FetchError::Other(error_chain(error))
        }
    }
}

fn find_cause<'a, E: std::error::Error + 'static>(
    error: &'a (dyn std::error::Error + 'static),
) -> Option<&'a E> {
    let mut current = Some(error);
    while let Some(error) = current {
        if let Some(found) = error.downcast_ref::<E>() {
            return Some(found);
        }
        current = error.source();
    }
    None
}

/// The error's causes on one line. reqwest's and hyper's outer messages ("error sending request
/// for url (…)", "client error (Connect)") repeat the URL or say nothing, so only what lies under
/// them is kept: "dns error: failed to lookup address information: Name or service not known".
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut causes = Vec::new();
    let mut current = error.source();
    while let Some(cause) = current {
        let message = cause.to_string();
        if !message.starts_with("client error") && !causes.contains(&message) {
            causes.push(message);
        }
        current = cause.source();
    }
    if causes.is_empty() {
        error.to_string()
    } else {
        causes.join(": ")
    }
}

/// Why the HTTP client could not be built.
#[derive(Debug, thiserror::Error)]
#[error("cannot build the HTTP client: {0}")]
pub struct ClientError(String);

/// Owns the HTTP clients and the politeness limits; cheap to clone.
#[derive(Debug, Clone)]
pub struct Fetcher {
    /// Connects only to public addresses.
    guarded: reqwest::Client,
    /// Connects anywhere: for feeds with `allow_private`.
    open: reqwest::Client,
    max_body: usize,
    all: Arc<Semaphore>,
    per_host: usize,
    hosts: Arc<Mutex<HashMap<String, Arc<Semaphore>>>>,
}

impl Fetcher {
    pub fn new(settings: &FetchSettings) -> Result<Fetcher, ClientError> {
        // reqwest is built without a bundled crypto provider; install ring's once per process.
        // An error only means one is installed already.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let builder = || {
            reqwest::Client::builder()
                .user_agent(&settings.user_agent)
                .connect_timeout(settings.connect_timeout)
                .timeout(settings.timeout)
                // Followed by hand: each hop is checked and counted.
                .redirect(reqwest::redirect::Policy::none())
        };
        let build = |builder: reqwest::ClientBuilder| {
            builder.build().map_err(|e| ClientError(error_chain(&e)))
        };
        Ok(Fetcher {
            guarded: build(builder().dns_resolver(PublicOnlyResolver))?,
            open: build(builder())?,
            max_body: settings.max_body,
            all: Arc::new(Semaphore::new(settings.concurrency.max(1))),
            per_host: settings.per_host.max(1),
            hosts: Arc::default(),
        })
    }

    /// Fetches `request.url`, conditionally when validators are known, following redirects.
    pub async fn fetch(&self, request: &FetchRequest) -> FetchOutcome {
        let mut url = request.url.clone();
        let mut visited = vec![url.clone()];
        let mut all_permanent = true;
        loop {
            let allow_private = request.private.allows(&url, &request.url);
            if let Err(error) = self.check_target(&url, allow_private) {
                return FetchOutcome::failed(error);
            }
            let _permits = self.permits(&url).await;
            let response = match self.send(&url, request, allow_private).await {
                Ok(response) => response,
                Err(error) => return FetchOutcome::failed(error),
            };
            let status = response.status();
            if status.is_redirection() && status != StatusCode::NOT_MODIFIED {
                let Some(next) = redirect_target(&url, response.headers()) else {
                    return FetchOutcome::failed(FetchError::BadRedirect);
                };
                all_permanent &= matches!(
                    status,
                    StatusCode::MOVED_PERMANENTLY | StatusCode::PERMANENT_REDIRECT
                );
                if visited.contains(&next) {
                    return FetchOutcome::failed(FetchError::RedirectLoop(next));
                }
                if visited.len() > MAX_REDIRECTS {
                    return FetchOutcome::failed(FetchError::TooManyRedirects);
                }
                visited.push(next.clone());
                url = next;
                continue;
            }
            let moved_to = (all_permanent && visited.len() > 1).then(|| url.clone());
            return self.finish(response, url, moved_to).await;
        }
    }

    /// Refuses schemes other than http(s), and (unless allowed) IP literals that are not public;
    /// names are checked by the guarded client's resolver.
    fn check_target(&self, url: &Url, allow_private: bool) -> Result<(), FetchError> {
        if !WebUrl::is_web(url) {
            return Err(FetchError::Refused(format!(
                "refused: scheme `{}` (only http and https)",
                url.scheme()
            )));
        }
        let ip = match url.host() {
            Some(url::Host::Ipv4(ip)) => std::net::IpAddr::V4(ip),
            Some(url::Host::Ipv6(ip)) => std::net::IpAddr::V6(ip),
            Some(url::Host::Domain(_)) => return Ok(()),
            None => return Err(FetchError::Refused(format!("refused: {url} has no host"))),
        };
        if allow_private || is_public(ip) {
            Ok(())
        } else {
            Err(FetchError::Refused(
                PrivateAddress {
                    host: ip.to_string(),
                    ip,
                }
                .to_string(),
            ))
        }
    }

    /// Waits for a slot for `url`'s host, then for one in all: waiting on a busy host never holds
    /// a global slot that another host could use.
    async fn permits(&self, url: &Url) -> Option<(OwnedSemaphorePermit, OwnedSemaphorePermit)> {
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        let host_limit = {
            let mut hosts = self
                .hosts
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            Arc::clone(
                hosts
                    .entry(host)
                    .or_insert_with(|| Arc::new(Semaphore::new(self.per_host))),
            )
        };
        let host_permit = host_limit.acquire_owned().await.ok()?;
        let all_permit = Arc::clone(&self.all).acquire_owned().await.ok()?;
        Some((host_permit, all_permit))
    }

    /// One request to `url`, through the client that may reach private addresses only when
    /// `allow_private` holds for this hop.
    async fn send(
        &self,
        url: &Url,
        request: &FetchRequest,
        allow_private: bool,
    ) -> Result<reqwest::Response, FetchError> {
        let client = if allow_private {
            &self.open
        } else {
            &self.guarded
        };
        let mut builder = client.get(url.clone()).header(ACCEPT, ACCEPT_FEEDS);
        if let Some(etag) = &request.etag {
            builder = builder.header(IF_NONE_MATCH, etag);
        }
        if let Some(last_modified) = &request.last_modified {
            builder = builder.header(IF_MODIFIED_SINCE, last_modified);
        }
        builder
            .send()
            .await
            .map_err(|e| FetchError::from_reqwest(&e))
    }

    /// Turns the last response into an outcome, reading the body under the size cap.
    async fn finish(
        &self,
        response: reqwest::Response,
        final_url: Url,
        moved_to: Option<Url>,
    ) -> FetchOutcome {
        let status = response.status();
        if status == StatusCode::NOT_MODIFIED {
            return FetchOutcome::NotModified { moved_to };
        }
        if !status.is_success() {
            return FetchOutcome::Failed {
                error: FetchError::Status {
                    status: status.as_u16(),
                },
                retry_after: header(response.headers(), RETRY_AFTER)
                    .as_deref()
                    .and_then(RetryAfter::parse),
            };
        }
        let headers = response.headers().clone();
        match self.read_body(response).await {
            Ok(body) => FetchOutcome::Fetched(Fetched {
                status: status.as_u16(),
                final_url,
                moved_to,
                content_type: header(&headers, CONTENT_TYPE),
                etag: header(&headers, ETAG),
                last_modified: header(&headers, LAST_MODIFIED),
                body,
            }),
            Err(error) => FetchOutcome::failed(error),
        }
    }

    /// Reads the body chunk by chunk, refusing it as soon as it passes the cap.
    async fn read_body(&self, mut response: reqwest::Response) -> Result<Bytes, FetchError> {
        let too_large = FetchError::TooLarge {
            limit: self.max_body,
        };
        if response
            .content_length()
            .is_some_and(|length| length > self.max_body as u64)
        {
            return Err(too_large);
        }
        let mut body = BytesMut::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| FetchError::from_reqwest(&e))?
        {
            if body.len() + chunk.len() > self.max_body {
                return Err(too_large);
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body.freeze())
    }
}

/// Whether `hop` is on the host `configured` names, the only one a feed's own `allow_private`
/// lifts the guard for: the same name or IP literal as written (case-insensitive), on any port or
/// scheme. Another name for the same machine (`localhost` for `127.0.0.1`) is another host: a
/// redirect there is guarded like any other hop.
fn same_host(hop: &Url, configured: &Url) -> bool {
    hop.host() == configured.host()
}

/// The absolute URL a redirect points to.
fn redirect_target(from: &Url, headers: &HeaderMap) -> Option<Url> {
    let location = header(headers, LOCATION)?;
    from.join(location.trim()).ok()
}

fn header(headers: &HeaderMap, name: HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        let now: DateTime<Utc> = "2026-01-11T00:00:00Z".parse().unwrap();
        assert_eq!(RetryAfter::parse(" 120 "), Some(RetryAfter::Seconds(120)));
        let at = RetryAfter::parse("Sun, 11 Jan 2026 00:05:00 GMT").unwrap();
        assert_eq!(
            at.resolve(now),
            "2026-01-11T00:05:00Z".parse::<DateTime<Utc>>().unwrap()
        );
        assert_eq!(
            RetryAfter::Seconds(60).resolve(now),
            "2026-01-11T00:01:00Z".parse::<DateTime<Utc>>().unwrap()
        );
        assert_eq!(RetryAfter::parse("soon"), None);
        // A date in the past means "now".
        let past = RetryAfter::parse("Sat, 10 Jan 2026 00:00:00 GMT").unwrap();
        assert_eq!(past.resolve(now), now);
    }

    #[test]
    fn a_feeds_own_host_covers_only_links_on_that_host() {
        let feed = Url::parse("http://10.0.0.5/rss").unwrap();
        let own = Url::parse("http://10.0.0.5:8080/news/1").unwrap();
        let elsewhere = Url::parse("http://169.254.169.254/latest").unwrap();
        let access = PrivateAccess::OwnHost;
        assert_eq!(access.for_link(&feed, &own), PrivateAccess::OwnHost);
        assert_eq!(access.for_link(&feed, &elsewhere), PrivateAccess::Refused);
        let anywhere = PrivateAccess::Anywhere;
        assert_eq!(
            anywhere.for_link(&feed, &elsewhere),
            PrivateAccess::Anywhere
        );
        let refused = PrivateAccess::Refused;
        assert_eq!(refused.for_link(&feed, &own), PrivateAccess::Refused);
    }

    #[test]
    fn private_ip_literals_and_other_schemes_are_refused() {
        let fetcher = Fetcher::new(&FetchSettings::one_off()).unwrap();
        let refused = |url: &str, allow: bool| {
            fetcher
                .check_target(&Url::parse(url).unwrap(), allow)
                .is_err()
        };
        assert!(refused("http://127.0.0.1/feed", false));
        assert!(refused("http://[::1]/feed", false));
        assert!(refused("http://169.254.169.254/latest", false));
        assert!(refused("file:///etc/passwd", true));
        assert!(refused("ftp://example.com/feed", true));
        assert!(!refused("http://127.0.0.1/feed", true));
        assert!(!refused("https://example.com/feed", false));
        assert!(!refused("http://93.184.216.34/feed", false));
    }
}
