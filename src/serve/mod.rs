//! Stage 8: serves `output_dir` over HTTP, with `/healthz`, `/status`, `/status.json` and
//! `/metrics`.
//!
//! Every page and feed is a file written by [`crate::publish`], compressed copies included:
//! nothing is rendered or compressed per request. [`files`] answers for them with strong
//! validators and 304s; [`negotiate`] reads the request headers that choose a response; [`status`]
//! renders the health pages, the only dynamic ones.

mod files;
mod negotiate;
mod status;

use std::future::{Future, IntoFuture};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio_util::sync::CancellationToken;

pub use status::Status;

use crate::config::ConfigWatch;
use crate::model::{CycleSummary, SectionCount};
use crate::store::Store;

/// What the server reads: the output, the config in force, the store and the metrics.
#[derive(Debug, Clone)]
pub struct Site {
    /// Fixed for the life of the server, whatever a reload says.
    pub output_dir: PathBuf,
    /// The config in force; `cache_max_age` and the feed list follow reloads.
    pub config: ConfigWatch,
    pub store: Arc<Store>,
    pub metrics: Arc<dyn Observations>,
}

/// What the server shows of what the daemon observed. The daemon's metrics provide it; the server
/// only reads, and needs nothing else of the daemon.
pub trait Observations: std::fmt::Debug + Send + Sync {
    /// Everything in the OpenMetrics text format, which Prometheus reads.
    fn encode(&self) -> String;
    /// The last cycle, if one ran.
    fn last_cycle(&self) -> Option<CycleSummary>;
    /// Items per section in the last publish.
    fn sections(&self) -> Vec<SectionCount>;
}

/// Shared by every request.
#[derive(Debug)]
struct App {
    site: Site,
    files: files::Files,
}

/// Longest the server waits for requests in flight once shutdown starts: slow clients must not
/// hold the daemon past a supervisor's stop timeout (systemd's default is 90 s; ours is 15 s).
const DRAIN: Duration = Duration::from_secs(5);

/// The routes: the health and status pages, then the files of `output_dir`.
pub fn router(site: Site) -> Router {
    let app = Arc::new(App {
        files: files::Files::new(site.output_dir.clone()),
        site,
    });
    Router::new()
        .route("/healthz", get(healthz))
        .route("/status", get(status::html))
        .route("/status.json", get(status::json))
        .route("/metrics", get(metrics))
        .fallback(file)
        .with_state(app)
}

/// Serves `router(site)` on `listener` until `shutdown` completes and the requests in flight are
/// answered, or [`DRAIN`] has passed since.
pub async fn serve(
    listener: tokio::net::TcpListener,
    site: Site,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let draining = CancellationToken::new();
    let signal = {
        let draining = draining.clone();
        async move {
            shutdown.await;
            draining.cancel();
        }
    };
    let server = axum::serve(listener, router(site)).with_graceful_shutdown(signal);
    tokio::select! {
        result = server.into_future() => result,
        () = async {
            draining.cancelled().await;
            tokio::time::sleep(DRAIN).await;
        } => {
            tracing::warn!("stopped serving with requests still in flight");
            Ok(())
        }
    }
}

/// Liveness for load balancers and supervisors: the process answers HTTP.
async fn healthz() -> &'static str {
    "ok"
}

/// The metrics in the OpenMetrics text format, which Prometheus scrapes.
async fn metrics(State(app): State<Arc<App>>) -> Response {
    let mut response = app.site.metrics.encode().into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"),
    );
    response
}

/// Any other path: a file of `output_dir`, for GET and HEAD only.
async fn file(State(app): State<Arc<App>>, request: Request) -> Response {
    if request.method() != Method::GET && request.method() != Method::HEAD {
        let mut response = (StatusCode::METHOD_NOT_ALLOWED, "method not allowed\n").into_response();
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return response;
    }
    let max_age = app.site.config.borrow().gazette.cache_max_age;
    app.files
        .respond(request.uri().path(), request.headers(), max_age)
        .await
}

/// A plain-text 404 for any path that is not a file under `output_dir`.
fn not_found() -> (StatusCode, &'static str) {
    (StatusCode::NOT_FOUND, "not found\n")
}
