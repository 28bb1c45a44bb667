//! The server's connections: each one served by hyper with a header timeout, and at most
//! `max_connections` of them at once.
//!
//! A client that connects and sends nothing, sends half a request, or keeps a connection alive
//! and idle holds a file descriptor; enough of them and the process cannot accept anyone (the
//! usual limit is 1024). So the headers of every request, the first or one after a kept-alive
//! response, must arrive within `header_timeout`; and when `max_connections` are open, a new
//! client takes the place of the oldest connection that is not in the middle of a request. New
//! clients are therefore always answered: silent connections are the first to go.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpStream;
use tokio_util::sync::CancellationToken;

/// The open connections, oldest first.
#[derive(Debug)]
pub(super) struct Connections {
    limit: usize,
    open: Mutex<Open>,
}

#[derive(Debug, Default)]
struct Open {
    next_id: u64,
    by_age: BTreeMap<u64, Slot>,
}

/// What the table knows of one connection.
#[derive(Debug)]
struct Slot {
    /// Requests being answered on it.
    busy: Arc<AtomicUsize>,
    /// Cancelled to close it, making room for a new one.
    evict: CancellationToken,
}

/// A connection's place in the table, given up when it is dropped.
#[derive(Debug)]
pub(super) struct Admitted {
    id: u64,
    busy: Arc<AtomicUsize>,
    evict: CancellationToken,
    table: Arc<Connections>,
}

impl Connections {
    pub(super) fn new(limit: usize) -> Arc<Connections> {
        Arc::new(Connections {
            limit: limit.max(1),
            open: Mutex::default(),
        })
    }

    /// A place for a new connection: free, or made by closing the oldest idle connection.
    /// `None` when every connection is answering a request.
    pub(super) fn admit(self: &Arc<Self>) -> Option<Admitted> {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        if open.by_age.len() >= self.limit {
            let idle = open
                .by_age
                .iter()
                .find(|(_, slot)| slot.busy.load(Ordering::SeqCst) == 0)
                .map(|(id, _)| *id)?;
            if let Some(slot) = open.by_age.remove(&idle) {
                slot.evict.cancel();
            }
        }
        let id = open.next_id;
        open.next_id += 1;
        let busy = Arc::new(AtomicUsize::new(0));
        let evict = CancellationToken::new();
        open.by_age.insert(
            id,
            Slot {
                busy: Arc::clone(&busy),
                evict: evict.clone(),
            },
        );
        Some(Admitted {
            id,
            busy,
            evict,
            table: Arc::clone(self),
        })
    }
}

impl Drop for Admitted {
    fn drop(&mut self) {
        let mut open = self
            .table
            .open
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        open.by_age.remove(&self.id);
    }
}

/// Marks its connection busy while it lives.
struct Busy(Arc<AtomicUsize>);

impl Busy {
    fn new(count: &Arc<AtomicUsize>) -> Busy {
        count.fetch_add(1, Ordering::SeqCst);
        Busy(Arc::clone(count))
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Serves HTTP/1.1 on `stream` until the client leaves, a header timeout, eviction, or
/// `draining` (then the request in flight is answered first).
pub(super) async fn serve_one(
    stream: TcpStream,
    router: Router,
    admitted: Admitted,
    header_timeout: Duration,
    draining: CancellationToken,
) {
    // Responses are written whole; waiting to fill a segment only adds latency.
    let _ = stream.set_nodelay(true);
    let routes = TowerToHyperService::new(router);
    let busy = Arc::clone(&admitted.busy);
    let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
        let guard = Busy::new(&busy);
        let response = hyper::service::Service::call(&routes, request);
        async move {
            let response = response.await;
            drop(guard);
            response
        }
    });
    let connection = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        .serve_connection(TokioIo::new(stream), service);
    tokio::pin!(connection);
    tokio::select! {
        // Errors are the client's (reset, timeout, malformed): nothing to do but close.
        _ = connection.as_mut() => {}
        () = admitted.evict.cancelled() => {}
        () = draining.cancelled() => {
            connection.as_mut().graceful_shutdown();
            let _ = connection.await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_the_cap_the_oldest_idle_connection_makes_room() {
        let table = Connections::new(2);
        let first = table.admit().unwrap();
        let second = table.admit().unwrap();
        let _working = Busy::new(&first.busy);
        let third = table.admit().unwrap();
        assert!(!first.evict.is_cancelled());
        assert!(second.evict.is_cancelled());
        let _also_working = Busy::new(&third.busy);
        assert!(table.admit().is_none(), "every connection is busy");
        drop(first);
        assert!(table.admit().is_some());
    }
}
