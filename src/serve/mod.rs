//! Stage 8: serves `output_dir` over HTTP, with `/healthz`, `/status`, `/status.json` and
//! `/metrics`.
//!
//! Every page and feed is a file written by [`crate::publish`], compressed copies included:
//! nothing is rendered or compressed per request. [`files`] answers for them with strong
//! validators and 304s; [`negotiate`] reads the request headers that choose a response; [`status`]
//! renders the health pages, the only dynamic ones.

mod connections;
mod files;
mod negotiate;
mod status;

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use connections::Connections;

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
/// answered, or [`DRAIN`] has passed since. Each connection is bounded as [`connections`] says,
/// with `header_timeout` and `max_connections` of the config the server starts with.
pub async fn serve(
    listener: tokio::net::TcpListener,
    site: Site,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (header_timeout, max_connections) = {
        let config = site.config.borrow();
        (
            config.gazette.header_timeout,
            config.gazette.max_connections,
        )
    };
    let router = router(site);
    let table = Connections::new(max_connections);
    let draining = CancellationToken::new();
    let mut served = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(error) => {
                    // Out of descriptors or a connection reset before it was accepted: the
                    // listener is fine, and trying again at once would spin.
                    tracing::debug!("cannot accept a connection: {error}");
                    tokio::time::sleep(ACCEPT_PAUSE).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Finished connections' results are of no interest; reaping them keeps the set small.
        while served.try_join_next().is_some() {}
        let Some(admitted) = table.admit() else {
            // Every connection is answering a request: this client must try again.
            continue;
        };
        served.spawn(connections::serve_one(
            stream,
            router.clone(),
            admitted,
            header_timeout,
            draining.clone(),
        ));
    }
    draining.cancel();
    let drained =
        tokio::time::timeout(DRAIN, async { while served.join_next().await.is_some() {} }).await;
    if drained.is_err() {
        tracing::warn!("stopped serving with requests still in flight");
        served.abort_all();
    }
    Ok(())
}

/// How long the server waits after a failed accept before the next.
const ACCEPT_PAUSE: Duration = Duration::from_millis(50);

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
