//! The store's schema, as numbered migrations applied in order when the store opens.
//!
//! The database remembers the last migration it had (SQLite: `PRAGMA user_version`;
//! PostgreSQL: the one-row table `schema_version`), and
//! opening it applies every later one, each in its own transaction with the new version, so a
//! crash between two steps leaves a database at one version or the next, never in between. A
//! database whose version is higher than any this binary knows was written by a newer gazette:
//! it is refused, naming both versions, rather than read with a schema it does not understand.
//!
//! **Adding a table or a column is adding one entry at the end of [`MIGRATIONS`]**, in both
//! dialects (the store tests run on both backends): its version is its position (the first is 1). Never edit or reorder an entry once it is on `main`: a
//! database already past it would never see the change. Write plain `CREATE TABLE` /
//! `ALTER TABLE … ADD COLUMN` / `CREATE INDEX`: each step runs exactly once per database.

use rusqlite::Connection;

/// One step of the schema.
pub(super) struct Migration {
    /// What the step is for, in the log when it is applied.
    pub what: &'static str,
    /// The step in SQLite's dialect: statements separated by `;`.
    pub sqlite: &'static str,
    /// The same step in PostgreSQL's: dates are `TIMESTAMPTZ`, days `DATE`, and keys that
    /// queries order by are `COLLATE "C"`, so both backends order rows alike (bytewise).
    pub postgres: &'static str,
}

/// Every step, oldest first; a database at version `n` has had the first `n`.
pub(super) const MIGRATIONS: &[Migration] = &[
    Migration {
        what: "feeds, items, digests, digest sends, revision and last publish",
        // `IF NOT EXISTS`: databases made before versioning have these tables already.
        sqlite: "
CREATE TABLE IF NOT EXISTS feeds (
    url           TEXT PRIMARY KEY,
    title         TEXT,
    site_link     TEXT,
    etag          TEXT,
    last_modified TEXT,
    last_status   INTEGER,
    last_error    TEXT,
    last_attempt  TEXT,
    last_success  TEXT,
    failures      INTEGER NOT NULL DEFAULT 0,
    next_poll     TEXT,
    body_hash     TEXT,
    redirect_to   TEXT,
    redirect_streak INTEGER NOT NULL DEFAULT 0,
    moved_to      TEXT,
    gone          TEXT
);
CREATE TABLE IF NOT EXISTS items (
    feed_url   TEXT NOT NULL,
    item_id    TEXT NOT NULL,
    data       TEXT NOT NULL,
    hash       TEXT NOT NULL,
    sort_date  TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    PRIMARY KEY (feed_url, item_id)
);
DROP INDEX IF EXISTS items_by_date;
CREATE INDEX IF NOT EXISTS items_newest ON items (sort_date, feed_url, item_id);
CREATE TABLE IF NOT EXISTS digests (
    day          TEXT PRIMARY KEY,
    subject      TEXT NOT NULL,
    items        INTEGER NOT NULL,
    summary_html TEXT NOT NULL,
    published    TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS digest_sends (
    day          TEXT NOT NULL,
    recipient    TEXT NOT NULL,
    message_id   TEXT NOT NULL,
    state        TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_attempt TEXT,
    last_error   TEXT,
    next_attempt TEXT,
    PRIMARY KEY (day, recipient)
);
CREATE TABLE IF NOT EXISTS revision (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    value INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS published (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    revision    INTEGER NOT NULL,
    fingerprint TEXT NOT NULL,
    changes_at  TEXT
);
",
        postgres: r#"
CREATE TABLE feeds (
    url             TEXT COLLATE "C" PRIMARY KEY,
    title           TEXT,
    site_link       TEXT,
    etag            TEXT,
    last_modified   TEXT,
    last_status     INTEGER,
    last_error      TEXT,
    last_attempt    TIMESTAMPTZ,
    last_success    TIMESTAMPTZ,
    failures        INTEGER NOT NULL DEFAULT 0,
    next_poll       TIMESTAMPTZ,
    body_hash       TEXT,
    redirect_to     TEXT,
    redirect_streak INTEGER NOT NULL DEFAULT 0,
    moved_to        TEXT,
    gone            TEXT
);
CREATE TABLE items (
    feed_url   TEXT COLLATE "C" NOT NULL,
    item_id    TEXT COLLATE "C" NOT NULL,
    data       TEXT NOT NULL,
    hash       TEXT NOT NULL,
    sort_date  TIMESTAMPTZ NOT NULL,
    first_seen TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (feed_url, item_id)
);
CREATE INDEX items_newest ON items (sort_date, feed_url, item_id);
CREATE TABLE digests (
    day          DATE PRIMARY KEY,
    subject      TEXT NOT NULL,
    items        BIGINT NOT NULL,
    summary_html TEXT NOT NULL,
    published    TIMESTAMPTZ NOT NULL
);
CREATE TABLE digest_sends (
    seq          BIGINT GENERATED ALWAYS AS IDENTITY,
    day          DATE NOT NULL,
    recipient    TEXT NOT NULL,
    message_id   TEXT NOT NULL,
    state        TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_attempt TIMESTAMPTZ,
    last_error   TEXT,
    next_attempt TIMESTAMPTZ,
    PRIMARY KEY (day, recipient)
);
CREATE TABLE revision (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    value BIGINT NOT NULL
);
-- One row per node: each node publishes into its own output folder.
CREATE TABLE published (
    node        TEXT COLLATE "C" PRIMARY KEY,
    revision    BIGINT NOT NULL,
    fingerprint TEXT NOT NULL,
    changes_at  TIMESTAMPTZ
);
"#,
    },
    Migration {
        what: "leases: which node polls a feed, per-host slots, nodes last seen",
        sqlite: "
ALTER TABLE feeds ADD COLUMN lease_owner TEXT;
ALTER TABLE feeds ADD COLUMN lease_until TEXT;
CREATE TABLE host_slots (
    host  TEXT NOT NULL,
    slot  INTEGER NOT NULL,
    owner TEXT,
    until TEXT,
    PRIMARY KEY (host, slot)
);
CREATE TABLE nodes (
    name      TEXT PRIMARY KEY,
    started   TEXT NOT NULL,
    last_seen TEXT NOT NULL
);
",
        postgres: r#"
ALTER TABLE feeds ADD COLUMN lease_owner TEXT;
ALTER TABLE feeds ADD COLUMN lease_until TIMESTAMPTZ;
CREATE TABLE host_slots (
    host  TEXT COLLATE "C" NOT NULL,
    slot  INTEGER NOT NULL,
    owner TEXT,
    until TIMESTAMPTZ,
    PRIMARY KEY (host, slot)
);
CREATE TABLE nodes (
    name      TEXT COLLATE "C" PRIMARY KEY,
    started   TIMESTAMPTZ NOT NULL,
    last_seen TIMESTAMPTZ NOT NULL
);
"#,
    },
    Migration {
        what: "articles: the article pages of full_text feeds, queued, extracted or failed",
        sqlite: "
CREATE TABLE articles (
    feed_url      TEXT NOT NULL,
    item_id       TEXT NOT NULL,
    state         TEXT NOT NULL,
    content       TEXT,
    error         TEXT,
    etag          TEXT,
    last_modified TEXT,
    attempted     TEXT,
    PRIMARY KEY (feed_url, item_id)
);
CREATE INDEX articles_by_state ON articles (feed_url, state);
",
        postgres: r#"
CREATE TABLE articles (
    feed_url      TEXT COLLATE "C" NOT NULL,
    item_id       TEXT COLLATE "C" NOT NULL,
    state         TEXT NOT NULL,
    content       TEXT,
    error         TEXT,
    etag          TEXT,
    last_modified TEXT,
    attempted     TIMESTAMPTZ,
    PRIMARY KEY (feed_url, item_id)
);
CREATE INDEX articles_by_state ON articles (feed_url, state);
"#,
    },
    Migration {
        what: "decision records: each item's origin and last decision, deleted with the item",
        // Keyed like the items and stored in key order (`WITHOUT ROWID`): one tree per record.
        sqlite: "
CREATE TABLE item_origins (
    feed_url     TEXT NOT NULL,
    item_id      TEXT NOT NULL,
    origin       TEXT NOT NULL,
    first_at     TEXT NOT NULL,
    first_status INTEGER,
    first_etag   TEXT,
    last_at      TEXT NOT NULL,
    last_status  INTEGER,
    last_etag    TEXT,
    PRIMARY KEY (feed_url, item_id)
) WITHOUT ROWID;
CREATE TABLE item_decisions (
    feed_url TEXT NOT NULL,
    item_id  TEXT NOT NULL,
    decision TEXT NOT NULL,
    PRIMARY KEY (feed_url, item_id)
) WITHOUT ROWID;
CREATE TABLE decided (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    at TEXT NOT NULL
);
CREATE TRIGGER items_take_their_records AFTER DELETE ON items BEGIN
    DELETE FROM item_origins WHERE feed_url = old.feed_url AND item_id = old.item_id;
    DELETE FROM item_decisions WHERE feed_url = old.feed_url AND item_id = old.item_id;
END;
",
        postgres: r#"
CREATE TABLE item_origins (
    feed_url     TEXT COLLATE "C" NOT NULL,
    item_id      TEXT COLLATE "C" NOT NULL,
    origin       TEXT NOT NULL,
    first_at     TIMESTAMPTZ NOT NULL,
    first_status INTEGER,
    first_etag   TEXT,
    last_at      TIMESTAMPTZ NOT NULL,
    last_status  INTEGER,
    last_etag    TEXT,
    PRIMARY KEY (feed_url, item_id),
    FOREIGN KEY (feed_url, item_id) REFERENCES items (feed_url, item_id) ON DELETE CASCADE
);
CREATE TABLE item_decisions (
    feed_url TEXT COLLATE "C" NOT NULL,
    item_id  TEXT COLLATE "C" NOT NULL,
    decision TEXT NOT NULL,
    PRIMARY KEY (feed_url, item_id),
    FOREIGN KEY (feed_url, item_id) REFERENCES items (feed_url, item_id) ON DELETE CASCADE
);
CREATE TABLE decided (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    at TIMESTAMPTZ NOT NULL
);
"#,
    },
    Migration {
        what: "feed health: state changes for the health feed, and what is watched of each feed",
        sqlite: "
CREATE TABLE health_events (
    feed_url TEXT NOT NULL,
    kind     TEXT NOT NULL,
    at       TEXT NOT NULL,
    change   TEXT NOT NULL,
    PRIMARY KEY (feed_url, kind, at)
);
CREATE INDEX health_events_newest ON health_events (at);
CREATE TABLE feed_watch (
    url          TEXT PRIMARY KEY,
    newest_item  TEXT,
    usual_gap    INTEGER,
    silent       INTEGER NOT NULL DEFAULT 0,
    future       INTEGER NOT NULL DEFAULT 0,
    scrape_empty INTEGER NOT NULL DEFAULT 0
);
",
        postgres: r#"
CREATE TABLE health_events (
    feed_url TEXT COLLATE "C" NOT NULL,
    kind     TEXT COLLATE "C" NOT NULL,
    at       TIMESTAMPTZ NOT NULL,
    change   TEXT NOT NULL,
    PRIMARY KEY (feed_url, kind, at)
);
CREATE INDEX health_events_newest ON health_events (at);
CREATE TABLE feed_watch (
    url          TEXT COLLATE "C" PRIMARY KEY,
    newest_item  TIMESTAMPTZ,
    usual_gap    BIGINT,
    silent       BOOLEAN NOT NULL DEFAULT FALSE,
    future       BOOLEAN NOT NULL DEFAULT FALSE,
    scrape_empty BOOLEAN NOT NULL DEFAULT FALSE
);
"#,
    },
    Migration {
        what: "decision records: an item's origin and fetches kept in its own row, one write instead of two",
        sqlite: "
ALTER TABLE items ADD COLUMN origin TEXT;
ALTER TABLE items ADD COLUMN first_fetch TEXT;
ALTER TABLE items ADD COLUMN last_fetch TEXT;
UPDATE items SET
    origin = o.origin,
    first_fetch = json_object('at', o.first_at, 'status', o.first_status, 'etag', o.first_etag),
    last_fetch = json_object('at', o.last_at, 'status', o.last_status, 'etag', o.last_etag)
FROM item_origins o WHERE o.feed_url = items.feed_url AND o.item_id = items.item_id;
DROP TRIGGER items_take_their_records;
CREATE TRIGGER items_take_their_decisions AFTER DELETE ON items BEGIN
    DELETE FROM item_decisions WHERE feed_url = old.feed_url AND item_id = old.item_id;
END;
DROP TABLE item_origins;
",
        postgres: r#"
ALTER TABLE items ADD COLUMN origin TEXT, ADD COLUMN first_fetch TEXT, ADD COLUMN last_fetch TEXT;
UPDATE items AS i SET
    origin = o.origin,
    first_fetch = json_build_object('at', o.first_at, 'status', o.first_status, 'etag', o.first_etag)::text,
    last_fetch = json_build_object('at', o.last_at, 'status', o.last_status, 'etag', o.last_etag)::text
FROM item_origins o WHERE o.feed_url = i.feed_url AND o.item_id = i.item_id;
DROP TABLE item_origins;
"#,
    },
];

/// The schema version this binary writes: that of its last migration.
pub(super) fn latest() -> u32 {
    u32::try_from(MIGRATIONS.len()).unwrap_or(u32::MAX)
}

/// Why a database's schema cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error(
        "its schema is version {found}, newer than this gazette knows (version {known}): it was \
         written by a newer gazette; run that version, or restore a backup made for this one"
    )]
    TooNew { found: u32, known: u32 },
    #[error("migration {version} ({what}) failed: {source}")]
    Step {
        version: u32,
        what: &'static str,
        source: rusqlite::Error,
    },
    #[error("cannot read its schema version: {0}")]
    Version(rusqlite::Error),
    #[error("migration {version} ({what}) failed: {source}")]
    PgStep {
        version: u32,
        what: &'static str,
        source: postgres::Error,
    },
    #[error("cannot read its schema version: {0}")]
    PgVersion(postgres::Error),
}

/// Brings the SQLite database on `conn` to [`latest`], or refuses one that is newer. Each step
/// takes the write lock first (`BEGIN IMMEDIATE`) and reads the version again under it, so two
/// processes opening one database at once apply each step once.
pub(super) fn migrate_sqlite(conn: &mut Connection) -> Result<(), SchemaError> {
    let version = |conn: &Connection| -> Result<u32, SchemaError> {
        conn.query_row("PRAGMA user_version", [], |row| row.get(0))
            .map_err(SchemaError::Version)
    };
    let known = latest();
    loop {
        let found = version(conn)?;
        if found > known {
            return Err(SchemaError::TooNew { found, known });
        }
        if found == known {
            return Ok(());
        }
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(SchemaError::Version)?;
        let current = version(&tx)?;
        if current == found {
            let step = &MIGRATIONS[found as usize];
            let next = found + 1;
            let fail = |source| SchemaError::Step {
                version: next,
                what: step.what,
                source,
            };
            tx.execute_batch(step.sqlite).map_err(fail)?;
            tx.pragma_update(None, "user_version", next).map_err(fail)?;
            tx.commit().map_err(fail)?;
            tracing::info!(version = next, "store schema: {}", step.what);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    fn user_version(path: &std::path::Path) -> u32 {
        Connection::open(path)
            .unwrap()
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .unwrap()
    }

    #[test]
    fn a_new_database_gets_every_migration() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("g.db");
        drop(Store::open(&path).unwrap());
        assert_eq!(user_version(&path), latest());
        // Opening again applies nothing and keeps the version.
        drop(Store::open(&path).unwrap());
        assert_eq!(user_version(&path), latest());
    }

    #[test]
    fn a_database_from_before_versioning_is_brought_up_to_date() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("g.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(MIGRATIONS[0].sqlite).unwrap();
        conn.execute(
            "INSERT INTO items (feed_url, item_id, data, hash, sort_date, first_seen)
             VALUES ('u', '1', '{}', 'h', 'd', 'd')",
            [],
        )
        .unwrap();
        drop(conn);
        let store = Store::open(&path).unwrap();
        assert_eq!(store.item_count("u").unwrap(), 1, "rows are kept");
        assert_eq!(user_version(&path), latest());
    }

    #[test]
    fn a_database_from_a_newer_gazette_is_refused_naming_both_versions() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("g.db");
        drop(Store::open(&path).unwrap());
        let newer = latest() + 7;
        Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", newer)
            .unwrap();
        let error = Store::open(&path).unwrap_err().to_string();
        assert!(error.contains(&path.display().to_string()), "{error}");
        assert!(
            error.contains(&format!(
                "version {newer}, newer than this gazette knows (version {})",
                latest()
            )),
            "{error}"
        );
        assert_eq!(user_version(&path), newer, "left as it was");
    }
}

#[cfg(test)]
mod pg_tests {
    use super::*;
    use crate::config::Database;
    use crate::store::{Store, both};

    /// An item of a store at version 5, when origins had a table of their own (`{data}`: the
    /// item's JSON).
    const ITEM_AT_VERSION_5: &str = "
        INSERT INTO items (feed_url, item_id, data, hash, sort_date, first_seen)
        VALUES ('https://a.example/rss', '1', '{data}', 'h',
                '2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00');
        INSERT INTO item_origins (feed_url, item_id, origin, first_at, first_status, first_etag,
                                  last_at, last_status, last_etag)
        VALUES ('https://a.example/rss', '1', '{\"guid\":\"1\",\"link\":null,\"id_from\":\"guid\"}',
                '2026-01-01 00:00:00+00:00', 200, '\"v1\"', '2026-01-02 00:00:00+00:00', 200, NULL);";

    #[test]
    fn origins_move_into_their_items_rows_on_both_backends() {
        let at = |text: &str| text.parse::<chrono::DateTime<chrono::Utc>>().unwrap();
        let item = crate::model::Item {
            id: "1".into(),
            title: "제목".into(),
            ..crate::model::Item::default()
        };
        let data = serde_json::to_string(&item).unwrap();
        let version_5 = ITEM_AT_VERSION_5.replace("{data}", &data);
        both::on_both(|database| {
            match database {
                Database::Sqlite(path) => {
                    let conn = Connection::open(path).unwrap();
                    for step in &MIGRATIONS[..5] {
                        conn.execute_batch(step.sqlite).unwrap();
                    }
                    conn.execute_batch(&version_5).unwrap();
                    conn.pragma_update(None, "user_version", 5).unwrap();
                }
                Database::Postgres(pg) => {
                    let mut client = postgres::Client::connect(&pg.url, postgres::NoTls).unwrap();
                    for step in &MIGRATIONS[..5] {
                        client.batch_execute(step.postgres).unwrap();
                    }
                    client.batch_execute(&version_5).unwrap();
                    client
                        .batch_execute(
                            "CREATE TABLE schema_version (
                                 id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL);
                             INSERT INTO schema_version VALUES (1, 5);",
                        )
                        .unwrap();
                }
            }
            let store = Store::connect(database).unwrap();
            let records = store.records(|_, _| true).unwrap();
            assert_eq!(records.len(), 1);
            let origin = records[0].origin.as_ref().expect("the origin moved");
            assert_eq!(origin.guid.as_deref(), Some("1"));
            let first = records[0].first_fetch.as_ref().expect("the first fetch");
            assert_eq!(
                (first.at, first.status, first.etag.as_deref()),
                (at("2026-01-01T00:00:00Z"), Some(200), Some("\"v1\""))
            );
            let last = records[0].last_fetch.as_ref().expect("the last fetch");
            assert_eq!(
                (last.at, last.etag.as_deref()),
                (at("2026-01-02T00:00:00Z"), None)
            );
        });
    }

    #[test]
    fn postgres_gets_every_migration_and_refuses_a_newer_schema() {
        let database = both::postgres();
        let Database::Postgres(pg) = &database else {
            unreachable!()
        };
        drop(Store::connect(&database).unwrap());
        drop(Store::connect(&database).unwrap());
        let mut client = postgres::Client::connect(&pg.url, postgres::NoTls).unwrap();
        let version: i32 = client
            .query_one("SELECT version FROM schema_version", &[])
            .unwrap()
            .get(0);
        assert_eq!(version as u32, latest());
        let newer = latest() as i32 + 3;
        client
            .execute("UPDATE schema_version SET version = $1", &[&newer])
            .unwrap();
        let error = Store::connect(&database).unwrap_err().to_string();
        assert!(error.contains(&pg.url), "{error}");
        assert!(
            error.contains(&format!(
                "version {newer}, newer than this gazette knows (version {})",
                latest()
            )),
            "{error}"
        );
    }
}
