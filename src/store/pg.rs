//! The PostgreSQL connections of a store that several gazette nodes share.
//!
//! The store's interface is synchronous, like SQLite's, and is called from the async runtime's
//! threads as well as from blocking ones. The `postgres` client drives each connection with a
//! runtime of its own, which must not be started on a thread that runs async tasks; so every
//! call runs on a short-lived scoped thread of its own, with a connection taken from a small
//! pool (a closed one is replaced). A thread costs tens of microseconds: calls are few and
//! batched (a cycle's polls are one transaction per batch), so that cost is small beside the
//! round trips.

use std::sync::{Arc, Condvar, Mutex, Weak};
use std::time::Duration;

use postgres::fallible_iterator::FallibleIterator;
use tokio::sync::Notify;

use postgres::{Client, NoTls};

use super::StoreError;
use super::migrations::{MIGRATIONS, SchemaError, latest};

/// Most connections open at once: a call beyond them waits for one to be free. Opening a
/// connection costs a server process, far more than waiting for a query or two.
const POOL: usize = 12;

/// The key of the advisory lock that makes two nodes starting at once apply each migration once.
const MIGRATION_LOCK: i64 = 0x6761_7a65_7474_6501;

/// How to connect, and the connections.
pub(super) struct Pool {
    config: postgres::Config,
    /// The URL as configured (no password), for messages.
    url: String,
    idle: Mutex<Connections>,
    /// Signalled when a connection goes back or closes.
    freed: Condvar,
}

/// The pool's connections: those waiting for a call, and how many are open in all.
#[derive(Default)]
struct Connections {
    idle: Vec<Client>,
    open: usize,
}

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pool").field("url", &self.url).finish()
    }
}

impl Pool {
    /// Connects to `url` (with the password from the environment variable `password_env`) and
    /// brings the schema up to date.
    pub(super) fn connect(url: &str, password_env: Option<&str>) -> Result<Pool, StoreError> {
        let connect_error = |reason: String| StoreError::Connect {
            url: url.to_string(),
            reason,
        };
        let mut config: postgres::Config = url
            .parse()
            .map_err(|error: postgres::Error| connect_error(error.to_string()))?;
        if let Some(name) = password_env {
            let password = std::env::var(name).map_err(|_| {
                connect_error(format!(
                    "the environment variable {name} (database_password_env) is not set"
                ))
            })?;
            config.password(password);
        }
        if config.get_application_name().is_none() {
            config.application_name("gazette");
        }
        let pool = Pool {
            config,
            url: url.to_string(),
            idle: Mutex::new(Connections::default()),
            freed: Condvar::new(),
        };
        pool.run(|client| {
            migrate(client).map_err(|source| StoreError::Schema {
                path: url.into(),
                source,
            })
        })?;
        Ok(pool)
    }

    /// Runs `work` with a connection, on a thread of its own (see the module's comment). The
    /// connection goes back to the pool from that thread, or is closed there: closing one
    /// blocks too.
    pub(super) fn run<T: Send>(
        &self,
        work: impl FnOnce(&mut Client) -> Result<T, StoreError> + Send,
    ) -> Result<T, StoreError> {
        std::thread::scope(|scope| {
            scope
                .spawn(|| {
                    let mut client = self.take()?;
                    let result = work(&mut client);
                    self.put_back(client);
                    result
                })
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        })
    }

    /// Starts a thread that `LISTEN`s on `channel` with a connection of its own and wakes
    /// `wake` at every notification, and after every reconnection (notifications sent while it
    /// was away are lost). It ends once `wake` is dropped everywhere else.
    pub(super) fn listen(&self, channel: &'static str, wake: &Arc<Notify>) {
        let config = self.config.clone();
        let url = self.url.clone();
        let wake = Arc::downgrade(wake);
        let spawned = std::thread::Builder::new()
            .name("store-listen".into())
            .spawn(move || listen_until_dropped(&config, &url, channel, &wake));
        if let Err(error) = spawned {
            tracing::warn!("cannot listen for changes (publishing on the periodic check): {error}");
        }
    }

    /// An idle connection, or a new one while fewer than [`POOL`] are open, or the first to
    /// be freed.
    fn take(&self) -> Result<Client, StoreError> {
        let mut connections = self.connections();
        loop {
            while let Some(client) = connections.idle.pop() {
                if !client.is_closed() {
                    return Ok(client);
                }
                connections.open -= 1;
            }
            if connections.open < POOL {
                connections.open += 1;
                drop(connections);
                return self.config.connect(NoTls).map_err(|error| {
                    self.closed();
                    StoreError::Connect {
                        url: self.url.clone(),
                        reason: error.to_string(),
                    }
                });
            }
            connections = self
                .freed
                .wait(connections)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
    }

    /// Returns a connection after a call (a closed one is counted out).
    fn put_back(&self, client: Client) {
        if client.is_closed() {
            self.closed();
        } else {
            self.connections().idle.push(client);
            self.freed.notify_one();
        }
    }

    fn closed(&self) {
        self.connections().open -= 1;
        self.freed.notify_one();
    }

    fn connections(&self) -> std::sync::MutexGuard<'_, Connections> {
        self.idle
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Drop for Pool {
    /// Closes the idle connections on a thread of their own (see [`Pool::run`]).
    fn drop(&mut self) {
        let idle = std::mem::take(&mut self.connections().idle);
        std::thread::scope(|scope| {
            scope.spawn(move || drop(idle));
        });
    }
}

fn listen_until_dropped(config: &postgres::Config, url: &str, channel: &str, wake: &Weak<Notify>) {
    /// How often the thread looks whether it is still wanted.
    const CHECK: Duration = Duration::from_secs(5);
    while wake.strong_count() > 0 {
        let listened = (|| {
            let mut client = config.connect(NoTls)?;
            client.batch_execute(&format!("LISTEN {channel}"))?;
            if let Some(wake) = wake.upgrade() {
                wake.notify_one();
            }
            loop {
                {
                    let mut notifications = client.notifications();
                    let mut iter = notifications.timeout_iter(CHECK);
                    while let Some(_notification) = iter.next()? {
                        match wake.upgrade() {
                            Some(wake) => wake.notify_one(),
                            None => return Ok(()),
                        }
                    }
                }
                if wake.strong_count() == 0 {
                    return Ok(());
                }
                // Nothing came: a query makes a dropped connection show.
                client.batch_execute("")?;
            }
        })();
        if let Err(error) = listened {
            let error: postgres::Error = error;
            tracing::warn!("listening for changes on {url}: {error}; reconnecting");
            std::thread::sleep(CHECK);
        }
    }
}

/// Brings the database to [`latest`], or refuses a newer one. The version is a one-row table;
/// each step runs in a transaction that holds an advisory lock, so nodes starting together apply
/// it once.
fn migrate(client: &mut Client) -> Result<(), SchemaError> {
    let known = latest();
    loop {
        let mut tx = client.transaction().map_err(SchemaError::PgVersion)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .map_err(SchemaError::PgVersion)?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_version (
                 id      INTEGER PRIMARY KEY CHECK (id = 1),
                 version INTEGER NOT NULL
             )",
        )
        .map_err(SchemaError::PgVersion)?;
        let found: i32 = tx
            .query_opt("SELECT version FROM schema_version WHERE id = 1", &[])
            .map_err(SchemaError::PgVersion)?
            .map_or(0, |row| row.get(0));
        let found = u32::try_from(found).unwrap_or(0);
        if found > known {
            return Err(SchemaError::TooNew { found, known });
        }
        if found == known {
            tx.commit().map_err(SchemaError::PgVersion)?;
            return Ok(());
        }
        let step = &MIGRATIONS[found as usize];
        let next = found + 1;
        let fail = |source| SchemaError::PgStep {
            version: next,
            what: step.what,
            source,
        };
        tx.batch_execute(step.postgres).map_err(fail)?;
        tx.execute(
            "INSERT INTO schema_version (id, version) VALUES (1, $1)
             ON CONFLICT (id) DO UPDATE SET version = $1",
            &[&i32::try_from(next).unwrap_or(i32::MAX)],
        )
        .map_err(fail)?;
        tx.commit().map_err(fail)?;
        tracing::info!(version = next, "store schema: {}", step.what);
    }
}
