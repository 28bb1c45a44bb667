//! The feed farm: an HTTP server on 127.0.0.1 with an ephemeral port, serving fixture feeds that a
//! test can change between requests (body, status, headers, delay, trickle), and remembering every
//! request. `hanging_server` and `resetting_server` stand in for servers that misbehave below HTTP.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use futures_util::StreamExt;

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
    /// More response headers (Location, Retry-After, Content-Encoding…).
    pub headers: Vec<(String, String)>,
    /// Send the body one byte per this interval.
    pub trickle: Option<Duration>,
}

impl Route {
    pub fn feed(content_type: &str, body: impl Into<Vec<u8>>) -> Route {
        Route {
            status: 200,
            content_type: content_type.to_owned(),
            body: body.into(),
            delay: Duration::ZERO,
            etag: None,
            headers: Vec::new(),
            trickle: None,
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

    /// A redirect with `status` to `location`.
    pub fn redirect(status: u16, location: &str) -> Route {
        Route::status(status).with_header("location", location)
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Route {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn with_trickle(mut self, interval: Duration) -> Route {
        self.trickle = Some(interval);
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
    /// Requests being answered now, and the most there ever were at once.
    in_flight: usize,
    most_in_flight: usize,
}

/// The running farm; it stops when dropped (with the test).
pub struct Farm {
    addr: SocketAddr,
    state: Arc<Mutex<FarmState>>,
    runtime: tokio::runtime::Runtime,
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
        let (listener, addr) = listen(&runtime);
        let app = Router::new()
            .fallback(answer)
            .with_state(Arc::clone(&state));
        runtime.spawn(async move { axum::serve(listener, app).await });
        Farm {
            addr,
            state,
            runtime,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The port the farm listens on (to reach it under another host name, e.g. `localhost`).
    pub fn port(&self) -> u16 {
        self.addr.port()
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

    /// The most requests the farm was answering at once (it serves one host).
    pub fn most_in_flight(&self) -> usize {
        self.lock().most_in_flight
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
        state.in_flight += 1;
        state.most_in_flight = state.most_in_flight.max(state.in_flight);
        state.routes.get(&path).cloned()
    };
    // Counted until the route's delay is over and its answer made (a trickled body excepted).
    struct Answering(Arc<Mutex<FarmState>>);
    impl Drop for Answering {
        fn drop(&mut self) {
            if let Ok(mut state) = self.0.lock() {
                state.in_flight -= 1;
            }
        }
    }
    let _answering = Answering(Arc::clone(&state));
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
    for (name, value) in &route.headers {
        response = response.header(name.as_str(), value.as_str());
    }
    let body = match route.trickle {
        None => Body::from(route.body),
        Some(interval) => {
            let bytes = futures_util::stream::iter(route.body).then(move |byte| async move {
                tokio::time::sleep(interval).await;
                Ok::<_, std::io::Error>(vec![byte])
            });
            Body::from_stream(bytes)
        }
    };
    response.body(body).expect("response")
}

/// A server that accepts connections and never answers; returns its address.
pub fn hanging_server(farm: &Farm) -> SocketAddr {
    let (listener, addr) = listen(&farm.runtime);
    farm.runtime.spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    addr
}

/// A server that accepts connections and closes them at once, before any answer.
pub fn resetting_server(farm: &Farm) -> SocketAddr {
    let (listener, addr) = listen(&farm.runtime);
    farm.runtime.spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            drop(socket);
        }
    });
    addr
}

/// A listener on 127.0.0.1 with an ephemeral port, on `runtime`, and its address.
fn listen(runtime: &tokio::runtime::Runtime) -> (tokio::net::TcpListener, SocketAddr) {
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind a local port");
    let addr = listener.local_addr().expect("a bound address");
    (listener, addr)
}

fn plain(status: StatusCode, body: &'static str) -> Response {
    Response::builder()
        .status(status)
        .body(Body::from(body))
        .expect("response")
}
