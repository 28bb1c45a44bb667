//! The server in the test's own runtime: `serve::serve` over an output folder on an ephemeral
//! port, stopped as the daemon stops it.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use gazette::config::Config;
use gazette::daemon::metrics::Metrics;
use gazette::serve::Site;
use gazette::store::Store;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A running `serve::serve` on 127.0.0.1.
pub struct Serving {
    pub addr: SocketAddr,
    stop: oneshot::Sender<()>,
    task: JoinHandle<std::io::Result<()>>,
}

impl Serving {
    /// Serves `output_dir` with `config` in force and a store at its `database`.
    pub async fn start(config: &Config, output_dir: PathBuf) -> Serving {
        let site = Site {
            output_dir,
            store: Arc::new(Store::connect(&config.gazette.database).expect("open the store")),
            config: tokio::sync::watch::channel(Arc::new(config.clone())).1,
            metrics: Arc::new(Metrics::new()),
        };
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(gazette::serve::serve(listener, site, async {
            let _ = stopped.await;
        }));
        Serving { addr, stop, task }
    }

    /// Shuts the server down; it must stop, cleanly, within 30 s (a hang guard).
    pub async fn stop(self) {
        self.stop.send(()).expect("the server is running");
        tokio::time::timeout(Duration::from_secs(30), self.task)
            .await
            .expect("server did not stop")
            .expect("server task")
            .expect("server result");
    }
}
