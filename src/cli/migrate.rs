//! `gazette migrate --to postgres://…`: copies the config's SQLite store into a PostgreSQL
//! database (creating its schema), for a single gazette becoming a group of nodes.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;

use super::{fail, load_config};
use crate::config::{DEFAULT_LEASE, Database, PostgresDatabase};
use crate::store::Store;

#[derive(Debug, Args)]
pub(super) struct MigrateArgs {
    /// The config whose SQLite store is copied.
    #[arg(long, short, env = "GAZETTE_CONFIG", default_value = "feeds.toml")]
    config: PathBuf,
    /// The PostgreSQL database to copy into, e.g. postgres://gazette@db.internal/gazette.
    #[arg(long, value_name = "URL")]
    to: String,
    /// The environment variable holding the database's password, if it wants one.
    #[arg(long, value_name = "NAME")]
    password_env: Option<String>,
}

pub(super) async fn command(args: &MigrateArgs) -> ExitCode {
    let config = match load_config(&args.config) {
        Ok(config) => config,
        Err(code) => return code,
    };
    let source = match &config.gazette.database {
        Database::Sqlite(path) if path.exists() => path.clone(),
        Database::Sqlite(path) => return fail(format!("there is no store at {}", path.display())),
        Database::Postgres(_) => {
            return fail(
                "the config's `database` is PostgreSQL already: migrate copies an SQLite store",
            );
        }
    };
    let target = Database::Postgres(PostgresDatabase {
        url: args.to.clone(),
        password_env: args.password_env.clone(),
        node: Some("migrate".into()),
        lease: DEFAULT_LEASE,
    });
    let copied = tokio::task::spawn_blocking(move || copy(&source, &target)).await;
    match copied {
        Ok(Ok(report)) => {
            println!(
                "copied {} feeds, {} items, {} digests, {} digest sends (rows already there kept)",
                report.feeds, report.items, report.digests, report.sends
            );
            println!(
                "set `database = \"{}\"` in feeds.toml (or GAZETTE_DATABASE) to use it",
                args.to
            );
            ExitCode::SUCCESS
        }
        Ok(Err(error)) => fail(error),
        Err(error) => fail(error),
    }
}

fn copy(source: &Path, target: &Database) -> Result<crate::store::CopyReport, anyhow::Error> {
    let source = Store::open(source)?;
    let target = Store::connect(target)?;
    let report = source.copy_into(&target, &mut |items| {
        tracing::info!("{items} items copied");
    })?;
    Ok(report)
}
