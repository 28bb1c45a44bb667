//! Hot reload: the config file is watched (and re-read on SIGHUP), and every valid new version is
//! handed to the daemon and the server through a [`ConfigWatch`]. The daemon applies it at its
//! next cycle. An invalid version is logged mistake by mistake (`feeds.toml:LINE:COL: message`)
//! and the last good config stays in force.
//!
//! `listen`, `database` and `output_dir` are bound when the daemon starts (a socket, an open
//! database, the folder being served): a change to them is logged and waits for a restart, and
//! the config handed on keeps the running values, so it always describes what is running.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use notify::{EventKind, RecursiveMode, Watcher};
use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;

use crate::config::{Config, ConfigError, ConfigWatch, Settings};

/// How long to let a save settle: editors write a file in several steps (truncate, write,
/// rename), and reading between them would log mistakes that are not there.
const SETTLE: Duration = Duration::from_millis(200);

/// Starts watching `initial.path` until `shutdown`; the receiver sees every new valid config.
pub fn spawn(initial: Arc<Config>, shutdown: CancellationToken) -> ConfigWatch {
    let (sender, receiver) = watch::channel(initial);
    tokio::spawn(watch_file(sender, shutdown));
    receiver
}

async fn watch_file(sender: watch::Sender<Arc<Config>>, shutdown: CancellationToken) {
    let path = sender.borrow().path.clone();
    // One pending notice is enough: a reload reads the whole file anyway.
    let (notify, mut changes) = mpsc::channel(1);
    // Dropping the watcher stops it, so it lives as long as this loop.
    let _watcher = match file_watcher(&path, notify) {
        Ok(watcher) => Some(watcher),
        Err(error) => {
            tracing::warn!(
                "cannot watch {} ({error}): reload it with SIGHUP",
                path.display()
            );
            None
        }
    };
    let mut hangups = Hangups::new();
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            Some(()) = changes.recv() => {}
            Some(()) = hangups.recv() => tracing::info!("SIGHUP: reloading {}", path.display()),
        }
        tokio::time::sleep(SETTLE).await;
        while changes.try_recv().is_ok() {}
        reload(&sender).await;
    }
}

/// Watches the file's folder, not the file: editors replace the file by renaming a new one over
/// it, which a watch on the old file would not see.
fn file_watcher(path: &Path, notify: mpsc::Sender<()>) -> notify::Result<impl Watcher> {
    let name = path.file_name().map(ToOwned::to_owned);
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let Ok(event) = event else { return };
        // Reading the file (as a reload does) must not trigger another reload.
        let writes = matches!(
            event.kind,
            EventKind::Create(_) | EventKind::Modify(_) | EventKind::Any
        );
        let ours = event.paths.iter().any(|p| p.file_name() == name.as_deref());
        if writes && ours {
            // Full means a reload is already pending.
            let _ = notify.try_send(());
        }
    })?;
    watcher.watch(&folder, RecursiveMode::NonRecursive)?;
    Ok(watcher)
}

/// Reads the file again and hands on the new config if it is valid and different.
async fn reload(sender: &watch::Sender<Arc<Config>>) {
    let current = Arc::clone(&sender.borrow());
    let path = current.path.clone();
    let loaded = tokio::task::spawn_blocking(move || Config::load(&path)).await;
    match loaded {
        Ok(Ok(mut config)) => {
            keep_startup_settings(&current.gazette, &mut config.gazette);
            if config == *current {
                tracing::debug!("{} is unchanged", current.path.display());
                return;
            }
            tracing::info!(
                "reloaded {}: {} feeds, {} sections; applied at the next cycle",
                config.path.display(),
                config.feeds.len(),
                config.sections.len()
            );
            sender.send_replace(Arc::new(config));
        }
        Ok(Err(ConfigError::Invalid { diagnostics })) => {
            for diagnostic in &diagnostics {
                tracing::error!("{diagnostic}");
            }
            tracing::error!("the config has mistakes: the last good config stays in force");
        }
        Ok(Err(error)) => {
            tracing::error!("{error}: the last good config stays in force");
        }
        Err(error) => tracing::error!("reloading the config failed: {error}"),
    }
}

/// Puts back the running values of the settings that only a restart can change.
fn keep_startup_settings(running: &Settings, new: &mut Settings) {
    if new.listen != running.listen {
        tracing::warn!("`listen` changed: it takes effect after a restart");
        new.listen = running.listen;
    }
    if new.database != running.database {
        tracing::warn!("`database` changed: it takes effect after a restart");
        new.database.clone_from(&running.database);
    }
    if new.output_dir != running.output_dir {
        tracing::warn!("`output_dir` changed: it takes effect after a restart");
        new.output_dir.clone_from(&running.output_dir);
    }
}

/// SIGHUP, where there is such a thing.
struct Hangups {
    #[cfg(unix)]
    signal: Option<tokio::signal::unix::Signal>,
}

impl Hangups {
    fn new() -> Hangups {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let signal = signal(SignalKind::hangup())
                .map_err(|error| tracing::warn!("cannot listen for SIGHUP: {error}"))
                .ok();
            Hangups { signal }
        }
        #[cfg(not(unix))]
        Hangups {}
    }

    /// The next SIGHUP; never, where there is none.
    async fn recv(&mut self) -> Option<()> {
        #[cfg(unix)]
        if let Some(signal) = &mut self.signal {
            return signal.recv().await;
        }
        std::future::pending().await
    }
}
