//! Stage 2: a feed's URL and cache validators → [`FetchOutcome`].
//!
//! [`Fetcher`] owns the HTTP client. It sends conditional requests (If-None-Match /
//! If-Modified-Since) so an unchanged feed costs a 304 and nothing else, bounds every request in time,
//! and reads at most [`FetchSettings::max_body`] bytes so a huge or endless body cannot exhaust memory.

use std::time::Duration;

use bytes::{Bytes, BytesMut};
use reqwest::StatusCode;
use reqwest::header::{
    ACCEPT, CONTENT_TYPE, ETAG, HeaderMap, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED,
};
use url::Url;

use crate::config::Settings;

/// Media types we ask for, feeds first.
const ACCEPT_FEEDS: &str = "application/rss+xml, application/atom+xml, application/feed+json, \
     application/rdf+xml, application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5";

/// How the fetcher behaves.
#[derive(Debug, Clone)]
pub struct FetchSettings {
    pub user_agent: String,
    pub connect_timeout: Duration,
    /// Whole request, body included: also cuts servers that trickle bytes.
    pub timeout: Duration,
    /// Most bytes of body read, after decompression.
    pub max_body: usize,
}

/// Most bytes of body read by default: far above any real feed, far below trouble.
const DEFAULT_MAX_BODY: usize = 20 * 1024 * 1024;

impl FetchSettings {
    /// The settings `[gazette]` gives.
    pub fn from_config(settings: &Settings) -> FetchSettings {
        FetchSettings {
            user_agent: settings.user_agent.clone(),
            connect_timeout: settings.connect_timeout,
            timeout: settings.timeout,
            max_body: DEFAULT_MAX_BODY,
        }
    }

    /// Defaults for a one-off fetch outside any config (`gazette parse URL`).
    pub fn one_off() -> FetchSettings {
        FetchSettings {
            user_agent: format!("gazette/{}", env!("CARGO_PKG_VERSION")),
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            max_body: DEFAULT_MAX_BODY,
        }
    }
}

/// One request: the URL and what we remember of its last response.
#[derive(Debug, Clone, PartialEq)]
pub struct FetchRequest {
    pub url: Url,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// What a fetch gave.
#[derive(Debug)]
pub enum FetchOutcome {
    /// 304: the feed has not changed since the validators we sent.
    NotModified,
    Fetched(Fetched),
    Failed(FetchError),
}

/// A successful response.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub status: u16,
    /// The URL after redirects: the base for relative links.
    pub final_url: Url,
    pub content_type: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub body: Bytes,
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

    fn from_reqwest(error: reqwest::Error) -> FetchError {
        if error.is_timeout() {
            FetchError::Timeout
        } else if error.is_connect() {
            FetchError::Connect(error_chain(&error))
        } else {
            FetchError::Other(error_chain(&error))
        }
    }
}

/// The error and its causes on one line: reqwest's top-level message alone rarely says what happened.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

/// Why the HTTP client could not be built.
#[derive(Debug, thiserror::Error)]
#[error("cannot build the HTTP client: {0}")]
pub struct ClientError(String);

/// Owns the HTTP client; cheap to clone.
#[derive(Debug, Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    max_body: usize,
}

impl Fetcher {
    pub fn new(settings: &FetchSettings) -> Result<Fetcher, ClientError> {
        // reqwest is built without a bundled crypto provider; install ring's once per process.
        // An error only means one is installed already.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .user_agent(&settings.user_agent)
            .connect_timeout(settings.connect_timeout)
            .timeout(settings.timeout)
            .redirect(reqwest::redirect::Policy::limited(5))
            .build()
            .map_err(|e| ClientError(error_chain(&e)))?;
        Ok(Fetcher {
            client,
            max_body: settings.max_body,
        })
    }

    /// Fetches `request.url`, conditionally when validators are known.
    pub async fn fetch(&self, request: &FetchRequest) -> FetchOutcome {
        let mut builder = self
            .client
            .get(request.url.clone())
            .header(ACCEPT, ACCEPT_FEEDS);
        if let Some(etag) = &request.etag {
            builder = builder.header(IF_NONE_MATCH, etag);
        }
        if let Some(last_modified) = &request.last_modified {
            builder = builder.header(IF_MODIFIED_SINCE, last_modified);
        }
        let response = match builder.send().await {
            Ok(response) => response,
            Err(error) => return FetchOutcome::Failed(FetchError::from_reqwest(error)),
        };
        let status = response.status();
        if status == StatusCode::NOT_MODIFIED {
            return FetchOutcome::NotModified;
        }
        if !status.is_success() {
            return FetchOutcome::Failed(FetchError::Status {
                status: status.as_u16(),
            });
        }
        let final_url = response.url().clone();
        let headers = response.headers().clone();
        match self.read_body(response).await {
            Ok(body) => FetchOutcome::Fetched(Fetched {
                status: status.as_u16(),
                final_url,
                content_type: header(&headers, CONTENT_TYPE),
                etag: header(&headers, ETAG),
                last_modified: header(&headers, LAST_MODIFIED),
                body,
            }),
            Err(error) => FetchOutcome::Failed(error),
        }
    }

    /// Reads the body chunk by chunk, refusing it as soon as it passes the cap.
    async fn read_body(&self, mut response: reqwest::Response) -> Result<Bytes, FetchError> {
        if response
            .content_length()
            .is_some_and(|length| length > self.max_body as u64)
        {
            return Err(FetchError::TooLarge {
                limit: self.max_body,
            });
        }
        let mut body = BytesMut::new();
        while let Some(chunk) = response.chunk().await.map_err(FetchError::from_reqwest)? {
            if body.len() + chunk.len() > self.max_body {
                return Err(FetchError::TooLarge {
                    limit: self.max_body,
                });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body.freeze())
    }
}

fn header(headers: &HeaderMap, name: reqwest::header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
}
