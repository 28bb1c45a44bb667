//! Stage 8: serves `output_dir` over HTTP, with `/healthz`.
//!
//! Every page and feed is a file written by [`crate::publish`]: nothing is rendered per request.
//! Files are served by tower-http's `ServeDir`, which refuses any path that leaves `output_dir`
//! (`..`, encoded or not, and absolute paths). A middleware then gives feeds the content types
//! feed readers and browsers expect, which a guess from the extension alone gets wrong (`.xml` is
//! `text/xml` to it). Later HTTP concerns (validators, compression, `/status`) slot in as more
//! routes and layers on [`router`].

use std::future::Future;
use std::path::PathBuf;

use axum::Router;
use axum::extract::Request;
use axum::handler::HandlerWithoutStateExt;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;
use tower_http::services::ServeDir;

use crate::publish::FEEDS_DIR;

/// The routes: the files of `output_dir` with feed content types, and `/healthz`.
pub fn router(output_dir: PathBuf) -> Router {
    let files = ServeDir::new(output_dir).not_found_service(not_found.into_service());
    Router::new()
        .route("/healthz", get(healthz))
        .fallback_service(files)
        .layer(middleware::from_fn(feed_content_types))
}

/// Serves `router(output_dir)` on `listener` until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    output_dir: PathBuf,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(output_dir))
        .with_graceful_shutdown(shutdown)
        .await
}

/// Liveness for load balancers and supervisors: the process answers HTTP.
async fn healthz() -> &'static str {
    "ok"
}

/// A plain-text 404 for any path that is not a file under `output_dir`.
async fn not_found() -> (StatusCode, &'static str) {
    (StatusCode::NOT_FOUND, "not found\n")
}

/// Replaces the content type `ServeDir` guessed from a file's extension with the one for feeds.
async fn feed_content_types(request: Request, next: Next) -> Response {
    let in_feeds = first_segment(request.uri().path()) == Some(FEEDS_DIR);
    let mut response = next.run(request).await;
    let guessed = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok());
    if let Some(content_type) = guessed.and_then(|guessed| content_type(guessed, in_feeds)) {
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    }
    response
}

/// The first folder of a request path, skipping what `ServeDir` skips too (empty and `.` parts).
fn first_segment(path: &str) -> Option<&str> {
    path.split('/')
        .find(|part| !part.is_empty() && *part != ".")
}

/// The content type to send for a file of type `guessed` (from its extension). `.xml` and `.json`
/// are feeds only in the feeds folder; anywhere else they are left as generic XML and JSON.
fn content_type(guessed: &str, in_feeds: bool) -> Option<&'static str> {
    match guessed {
        "text/xml" | "application/xml" if in_feeds => Some("application/rss+xml; charset=utf-8"),
        "application/json" if in_feeds => Some("application/feed+json; charset=utf-8"),
        "application/atom+xml" => Some("application/atom+xml; charset=utf-8"),
        "text/html" => Some("text/html; charset=utf-8"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feeds_get_feed_types_only_in_the_feeds_folder() {
        let rss = Some("application/rss+xml; charset=utf-8");
        assert_eq!(content_type("text/xml", true), rss);
        assert_eq!(content_type("text/xml", false), None);
        assert_eq!(
            content_type("application/json", true),
            Some("application/feed+json; charset=utf-8")
        );
        assert_eq!(content_type("application/json", false), None);
        assert_eq!(
            content_type("application/atom+xml", false),
            Some("application/atom+xml; charset=utf-8")
        );
        assert_eq!(
            content_type("text/html", false),
            Some("text/html; charset=utf-8")
        );
        assert_eq!(content_type("image/png", true), None);
    }

    #[test]
    fn the_first_segment_ignores_empty_and_current_parts() {
        assert_eq!(first_segment("/feeds/all.xml"), Some("feeds"));
        assert_eq!(first_segment("//./feeds/all.xml"), Some("feeds"));
        assert_eq!(first_segment("/"), None);
        assert_eq!(first_segment("/index.html"), Some("index.html"));
    }
}
