//! Stage 8: serves `output_dir` over HTTP, with `/healthz`.

use std::future::Future;
use std::path::PathBuf;

use axum::Router;

/// The routes: the files of `output_dir` with feed content types, and `/healthz`.
pub fn router(_output_dir: PathBuf) -> Router {
    unimplemented!()
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
