use std::path::Path;
use std::time::Duration;

use super::{Config, ConfigError, DEFAULT_LEASE, Database, PostgresDatabase};

fn parse(gazette: &str) -> Result<Config, Vec<String>> {
    match Config::parse(&format!("[gazette]\n{gazette}"), Path::new("feeds.toml")) {
        Ok(config) => Ok(config),
        Err(ConfigError::Invalid { diagnostics }) => {
            Err(diagnostics.iter().map(ToString::to_string).collect())
        }
        Err(other) => panic!("unexpected {other:?}"),
    }
}

#[test]
fn a_postgres_url_selects_postgres_with_its_keys() {
    let config = parse(
        "database = \"postgres://gazette@db.example/news\"\n\
         database_password_env = \"GAZETTE_DB_PASSWORD\"\nnode = \"web-1\"\nlease = \"90s\"\n",
    )
    .unwrap();
    assert_eq!(
        config.gazette.database,
        Database::Postgres(PostgresDatabase {
            url: "postgres://gazette@db.example/news".into(),
            password_env: Some("GAZETTE_DB_PASSWORD".into()),
            node: Some("web-1".into()),
            lease: Duration::from_secs(90),
        })
    );
    let socket = parse("database = \"postgresql:///news?host=/run/postgresql\"\n").unwrap();
    let Database::Postgres(socket) = socket.gazette.database else {
        panic!("a postgresql:// URL is PostgreSQL");
    };
    assert_eq!(socket.lease, DEFAULT_LEASE);
    assert_eq!(socket.node, None);
}

#[test]
fn database_mistakes_have_their_place() {
    assert_eq!(
        parse("database = \"postgres://gazette:secret@db.example/news\"\n").unwrap_err(),
        [
            "feeds.toml:2:12: the PostgreSQL URL holds a password: put it in an environment \
          variable and name that in `database_password_env` instead"
        ]
    );
    assert_eq!(
        parse("database = \"postgres://db.example/news\"\ndatabase_password_env = \"A-B\"\n")
            .unwrap_err(),
        ["feeds.toml:3:25: `A-B` is not an environment variable name: letters, digits and `_`"]
    );
    assert_eq!(
        parse("database = \"g.db\"\nlease = \"1m\"\n").unwrap_err(),
        ["feeds.toml:3:9: `lease` is for a PostgreSQL `database` (postgres://…) only"]
    );
    let bad = parse("database = \"postgres://db.example/news?sslmode=maybe\"\n").unwrap_err();
    assert_eq!(bad.len(), 1);
    assert!(
        bad[0].starts_with("feeds.toml:2:12: bad PostgreSQL URL"),
        "{bad:?}"
    );
}
