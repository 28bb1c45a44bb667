//! The PostgreSQL connections of a store that several gazette nodes share.
//!
//! The store's interface is synchronous, like SQLite's, and is called from the async runtime's
//! threads as well as from blocking ones. The `postgres` client drives each connection with a
//! runtime of its own, which must not be started on a thread that runs async tasks; so every
//! call runs on a short-lived scoped thread of its own, with a connection taken from a small
//! pool (a closed one is replaced). A thread costs tens of microseconds: calls are few and
//! batched (a cycle's polls are one transaction per batch), so that cost is small beside the
//! round trips.

use std::sync::Mutex;

use postgres::{Client, NoTls};

use super::StoreError;
use super::migrations::{MIGRATIONS, SchemaError, latest};

/// Connections kept open between calls.
const POOL: usize = 8;

/// The key of the advisory lock that makes two nodes starting at once apply each migration once.
const MIGRATION_LOCK: i64 = 0x6761_7a65_7474_6501;

/// How to connect, and the idle connections.
pub(super) struct Pool {
    config: postgres::Config,
    /// The URL as configured (no password), for messages.
    url: String,
    idle: Mutex<Vec<Client>>,
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
            idle: Mutex::new(Vec::new()),
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
                    let idle = self.idle().pop();
                    let mut client = match idle {
                        Some(client) if !client.is_closed() => client,
                        _ => self
                            .config
                            .connect(NoTls)
                            .map_err(|error| StoreError::Connect {
                                url: self.url.clone(),
                                reason: error.to_string(),
                            })?,
                    };
                    let result = work(&mut client);
                    let mut idle = self.idle();
                    if idle.len() < POOL && !client.is_closed() {
                        idle.push(client);
                    }
                    result
                })
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        })
    }

    fn idle(&self) -> std::sync::MutexGuard<'_, Vec<Client>> {
        self.idle
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Drop for Pool {
    /// Closes the idle connections on a thread of their own (see [`Pool::run`]).
    fn drop(&mut self) {
        let idle = std::mem::take(&mut *self.idle());
        std::thread::scope(|scope| {
            scope.spawn(move || drop(idle));
        });
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
