//! Stage 7: [`Edition`] → files in `output_dir`, each written atomically.
//!
//! Writes `feeds/{section}.xml` (RSS 2.0) and `feeds/{section}.atom` (Atom 1.0) for every section,
//! `all` included.

use std::path::{Path, PathBuf};

use url::Url;

use crate::config::Settings;
use crate::merge::Edition;

/// Owns the output folder.
#[derive(Debug, Clone)]
pub struct Publisher {
    output_dir: PathBuf,
    base_url: Url,
    title: String,
    language: String,
}

/// What a publish wrote.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PublishReport {
    /// Every file written, relative to the output folder.
    pub files: Vec<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl Publisher {
    pub fn new(settings: &Settings) -> Publisher {
        Publisher {
            output_dir: settings.output_dir.clone(),
            base_url: settings.base_url.clone(),
            title: settings.title.clone(),
            language: settings.language.clone(),
        }
    }

    pub fn output_dir(&self) -> &Path {
        &self.output_dir
    }

    /// Writes every file of `edition`.
    pub fn publish(&self, _edition: &Edition) -> Result<PublishReport, PublishError> {
        let _ = (&self.base_url, &self.title, &self.language);
        unimplemented!()
    }
}

/// Writes `bytes` to `path` so that readers see the old file or the new one, never a part:
/// a temporary file in the same folder, fsync, rename, fsync of the folder.
pub fn write_atomic(_path: &Path, _bytes: &[u8]) -> std::io::Result<()> {
    unimplemented!()
}
