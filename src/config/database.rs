//! `database`: where the store lives. A file path keeps the embedded SQLite store (the default);
//! a `postgres://` URL (or `postgresql://`) selects a PostgreSQL store that several gazette
//! nodes share. The password is never in the file: `database_password_env` names the
//! environment variable that holds it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::diagnostic::Reporter;
use super::read::{Table, parsed, text};

/// Where the store lives.
#[derive(Debug, Clone, PartialEq)]
pub enum Database {
    /// An SQLite file, resolved against the config file's folder.
    Sqlite(PathBuf),
    /// A PostgreSQL database shared by several nodes.
    Postgres(PostgresDatabase),
}

/// A PostgreSQL store and this node's part in the group that shares it.
#[derive(Debug, Clone, PartialEq)]
pub struct PostgresDatabase {
    /// The connection URL as written: it holds no password.
    pub url: String,
    /// The environment variable that holds the password, if the server wants one.
    pub password_env: Option<String>,
    /// This node's name in leases, `gazette feeds` and `/status.json` (default: the host name).
    pub node: Option<String>,
    /// How long a feed claimed for a poll stays this node's: the feeds of a node that dies are
    /// polled by the others once their leases run out.
    pub lease: Duration,
}

/// Default `lease`: far longer than a poll takes (a fetch is cut at `timeout`, 30 s by default).
pub const DEFAULT_LEASE: Duration = Duration::from_secs(5 * 60);

impl Database {
    /// The SQLite file, if the store is one.
    pub fn sqlite_path(&self) -> Option<&Path> {
        match self {
            Database::Sqlite(path) => Some(path),
            Database::Postgres(_) => None,
        }
    }
}

impl From<PathBuf> for Database {
    fn from(path: PathBuf) -> Database {
        Database::Sqlite(path)
    }
}

fn is_postgres_url(text: &str) -> bool {
    text.starts_with("postgres://") || text.starts_with("postgresql://")
}

/// Checks a PostgreSQL URL: it must parse, and hold no password.
fn postgres_url(text: &str) -> Result<String, String> {
    let parsed: postgres::Config = text
        .parse()
        .map_err(|error| format!("bad PostgreSQL URL `{text}`: {error}"))?;
    if parsed.get_password().is_some() {
        return Err(
            "the PostgreSQL URL holds a password: put it in an environment variable \
                    and name that in `database_password_env` instead"
                .into(),
        );
    }
    Ok(text.to_string())
}

fn env_name(text: &str) -> Result<String, String> {
    let valid = !text.is_empty()
        && !text.starts_with(|c: char| c.is_ascii_digit())
        && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if valid {
        Ok(text.to_string())
    } else {
        Err(format!(
            "`{text}` is not an environment variable name: letters, digits and `_`"
        ))
    }
}

/// The environment variable that, when set, replaces `database` (so that a service manager's
/// environment file can hold the URL).
pub const DATABASE_ENV: &str = "GAZETTE_DATABASE";

/// `database` and the keys that go with a PostgreSQL one, from `[gazette]`; `GAZETTE_DATABASE`
/// replaces `database` when set (a mistake in it is reported at `[gazette]`, or the file's start).
pub(super) fn read_database(
    r: &mut Reporter<'_>,
    table: &Table<'_, '_>,
    dir: &Path,
    lease: impl FnOnce(&str) -> Result<Duration, String>,
) -> Option<Database> {
    let from_env = std::env::var(DATABASE_ENV)
        .ok()
        .filter(|value| !value.trim().is_empty());
    let written = match &from_env {
        Some(value) => value.clone(),
        None => table
            .get(r, "database", text)
            .unwrap_or_else(|| "gazette.db".into()),
    };
    if !is_postgres_url(&written) {
        for key in ["database_password_env", "node", "lease"] {
            if let Some(value) = table.value(key) {
                r.error(
                    &value.span(),
                    format!("`{key}` is for a PostgreSQL `database` (postgres://…) only"),
                );
            }
        }
        return Some(Database::Sqlite(dir.join(written)));
    }
    let url = match from_env {
        Some(value) => postgres_url(&value)
            .map_err(|message| r.error(&table.span(), format!("{DATABASE_ENV}: {message}")))
            .ok()?,
        None => table.get(r, "database", parsed(postgres_url))?,
    };
    Some(Database::Postgres(PostgresDatabase {
        url,
        password_env: table.get(r, "database_password_env", parsed(env_name)),
        node: table.get(r, "node", text),
        lease: table
            .get(r, "lease", parsed(lease))
            .unwrap_or(DEFAULT_LEASE),
    }))
}
