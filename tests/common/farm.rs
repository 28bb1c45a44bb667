//! The feed farm: an HTTP server on 127.0.0.1 with an ephemeral port, serving fixture feeds that a
//! test can change between requests (body, status, delay), and remembering every request.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;

/// What the farm answers on one path.
#[derive(Debug, Clone)]
pub struct Route {
    pub status: u16,
    pub content_type: String,
    pub body: Vec<u8>,
    /// Wait this long before answering (a slow or hanging server).
    pub delay: Duration,
    /// Answer 304 to a matching If-None-Match.
    pub etag: Option<String>,
}

impl Route {
    pub fn feed(content_type: &str, body: impl Into<Vec<u8>>) -> Route {
        Route {
            status: 200,
            content_type: content_type.to_owned(),
            body: body.into(),
            delay: Duration::ZERO,
            etag: None,
        }
    }

    pub fn rss(body: impl Into<Vec<u8>>) -> Route {
        Route::feed("application/rss+xml; charset=utf-8", body)
    }

    pub fn atom(body: impl Into<Vec<u8>>) -> Route {
        Route::feed("application/atom+xml; charset=utf-8", body)
    }

    pub fn status(status: u16) -> Route {
        Route {
            status,
            ..Route::feed("text/plain", format!("status {status}"))
        }
    }

    pub fn with_delay(mut self, delay: Duration) -> Route {
        self.delay = delay;
        self
    }

    pub fn with_etag(mut self, etag: &str) -> Route {
        self.etag = Some(etag.to_owned());
        self
    }
}

/// A request the farm received.
#[derive(Debug, Clone)]
pub struct Seen {
    pub path: String,
    pub headers: HeaderMap,
}

#[derive(Default)]
struct FarmState {
    routes: HashMap<String, Route>,
    seen: Vec<Seen>,
}

/// The running farm; it stops when dropped (with the test).
pub struct Farm {
    addr: SocketAddr,
    state: Arc<Mutex<FarmState>>,
    _runtime: tokio::runtime::Runtime,
}

impl Farm {
    /// Starts a farm on its own runtime, so tests can block on child processes freely.
    pub fn start() -> Farm {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("farm runtime");
        let state = Arc::new(Mutex::new(FarmState::default()));
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind farm");
        let addr = listener.local_addr().expect("farm addr");
        let app = Router::new()
            .fallback(answer)
            .with_state(Arc::clone(&state));
        runtime.spawn(async move { axum::serve(listener, app).await });
        Farm {
            addr,
            state,
            _runtime: runtime,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn set(&self, path: &str, route: Route) {
        self.lock().routes.insert(path.to_owned(), route);
    }

    /// The requests made to `path` so far.
    pub fn seen(&self, path: &str) -> Vec<Seen> {
        self.lock()
            .seen
            .iter()
            .filter(|seen| seen.path == path)
            .cloned()
            .collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, FarmState> {
        self.state.lock().expect("farm state")
    }
}

async fn answer(State(state): State<Arc<Mutex<FarmState>>>, request: Request) -> Response {
    let path = request.uri().path().to_owned();
    let route = {
        let mut state = state.lock().expect("farm state");
        state.seen.push(Seen {
            path: path.clone(),
            headers: request.headers().clone(),
        });
        state.routes.get(&path).cloned()
    };
    let Some(route) = route else {
        return plain(StatusCode::NOT_FOUND, "no such feed");
    };
    tokio::time::sleep(route.delay).await;
    let if_none_match = request
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok());
    if route.etag.is_some() && route.etag.as_deref() == if_none_match {
        return plain(StatusCode::NOT_MODIFIED, "");
    }
    let mut response = Response::builder()
        .status(route.status)
        .header(header::CONTENT_TYPE, route.content_type);
    if let Some(etag) = route.etag {
        response = response.header(header::ETAG, etag);
    }
    response.body(Body::from(route.body)).expect("response")
}

fn plain(status: StatusCode, body: &'static str) -> Response {
    Response::builder()
        .status(status)
        .body(Body::from(body))
        .expect("response")
}
