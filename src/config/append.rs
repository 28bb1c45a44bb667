//! Adding feeds to `feeds.toml` in place: new `[[feed]]` tables go at the end, through
//! `toml_edit`, so that the file's comments and layout stay as the admin wrote them. The file is
//! written (atomically) only when the result is a config `check` accepts. What OPML import and
//! `gazette add` write.

use std::path::{Path, PathBuf};

use toml_edit::{Array, ArrayOfTables, DocumentMut, Item, Table, value};
use url::Url;

use super::{Config, ConfigError};
use crate::layout::write_atomic;

/// A feed to add.
#[derive(Debug, Clone, PartialEq)]
pub struct NewFeed {
    pub url: Url,
    pub name: Option<String>,
    /// Section ids.
    pub sections: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum AppendError {
    #[error("{0}")]
    Config(#[from] ConfigError),
    #[error("cannot edit {path}: {message}")]
    Edit { path: PathBuf, message: String },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl NewFeed {
    /// The feed's `[[feed]]` table, after a blank line.
    fn table(&self) -> Table {
        let mut table = Table::new();
        table.insert("url", value(self.url.as_str()));
        if let Some(name) = &self.name {
            table.insert("name", value(name.as_str()));
        }
        if !self.sections.is_empty() {
            let sections = Array::from_iter(self.sections.iter().map(String::as_str));
            table.insert("sections", value(sections));
        }
        table.decor_mut().set_prefix("\n");
        table
    }

    /// The entry as it is appended, `[[feed]]` line included.
    pub fn entry(&self) -> String {
        let mut document = DocumentMut::new();
        let mut feeds = ArrayOfTables::new();
        feeds.push(self.table());
        document.insert("feed", Item::ArrayOfTables(feeds));
        document.to_string().trim_start().to_owned()
    }
}

/// Appends `feeds` to the config file at `path`, keeping its comments and layout; writes it only
/// if the result is a valid config. Nothing to add writes nothing.
pub fn append_feeds(path: &Path, feeds: &[NewFeed]) -> Result<(), AppendError> {
    if feeds.is_empty() {
        return Ok(());
    }
    let source = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let edit_error = |message: String| AppendError::Edit {
        path: path.to_path_buf(),
        message,
    };
    let mut document: DocumentMut = source
        .parse()
        .map_err(|error: toml_edit::TomlError| edit_error(error.to_string()))?;
    let tables = document
        .entry("feed")
        .or_insert(Item::ArrayOfTables(ArrayOfTables::new()))
        .as_array_of_tables_mut()
        .ok_or_else(|| edit_error("`feed` is not a list of [[feed]] tables".to_owned()))?;
    for feed in feeds {
        tables.push(feed.table());
    }
    let edited = document.to_string();
    // Never write a file that `check` would refuse.
    Config::parse(&edited, path)?;
    write_atomic(path, edited.as_bytes()).map_err(|source| AppendError::Write {
        path: path.to_path_buf(),
        source,
    })
}
