//! For the store's tests: each runs on both backends, so that they answer alike.

use crate::config::{DEFAULT_LEASE, Database, PostgresDatabase};

/// A fresh PostgreSQL database of the test server (see `testkit::postgres`).
pub(crate) fn postgres() -> Database {
    Database::Postgres(PostgresDatabase {
        url: testkit::postgres::database(),
        password_env: None,
        node: Some("test".into()),
        lease: DEFAULT_LEASE,
    })
}

/// Runs `test` on a fresh SQLite file, then on a fresh PostgreSQL database.
pub(crate) fn on_both(test: impl Fn(&Database)) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    test(&Database::Sqlite(dir.path().join("g.db")));
    test(&postgres());
}
