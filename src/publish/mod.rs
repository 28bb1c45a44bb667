//! Stage 8: [`Edition`] → files in `output_dir`, each written atomically.
//!
//! Writes what [`crate::render`] makes of the edition: `feeds/{section}.{xml,atom,json}` for every
//! section and block, `all` included, and the pages. Keeps a manifest of the files it made to
//! remove those an edition no longer has, writes compressed copies ([`precompress`]), and tells
//! the WebSub hub what changed ([`websub`]).
//!
//! A publish is all or nothing (see [`generation`]). A file is only replaced when its bytes change, so an unchanged edition leaves every file
//! (and its mtime, hence the HTTP validators derived from it) untouched.

mod generation;
pub mod precompress;
pub mod websub;

use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::config::{Config, Settings};
use crate::layout::{
    BLOCKS_DIR, FEEDS_DIR, MANIFEST_FILE, SECTIONS_DIR, SOURCES_FILE, file_url_path,
    remove_stale_temp_files, write_atomic,
};
use crate::model::{Edition, HealthEvent};
use crate::parallel;
use crate::render::health::HealthFeed;
use crate::render::site::{self, Site};
use crate::render::{Output, RenderError, feed};
use generation::Generation;

/// How many files are written at once. Each write waits on its fsyncs, and the disk serves many
/// files' at once about as fast as one's: a first publish of some 300 files (copies included)
/// took 2 s one at a time and a tenth of that sixteen at a time.
const WRITERS: usize = 16;

/// Owns the output folder.
#[derive(Debug, Clone)]
pub struct Publisher {
    /// What the output shows (title, URLs, language, zone) and where it goes.
    settings: Settings,
}

/// What a publish wrote.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PublishReport {
    /// Every file written, relative to the output folder. Files whose bytes did not change are
    /// left alone and not listed.
    pub files: Vec<PathBuf>,
    /// Files of an earlier edition that this one no longer has, deleted with their compressed
    /// copies.
    pub removed: Vec<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot remove {path}: {source}")]
    Remove {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot render {path}: {source}")]
    Render {
        path: PathBuf,
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error(
        "section id {id:?} cannot be used in a file name or URL (letters, digits, `-`, `_` and `.` only)"
    )]
    SectionId { id: String },
}

impl Publisher {
    pub fn new(settings: &Settings) -> Publisher {
        Publisher {
            settings: settings.clone(),
        }
    }

    pub fn output_dir(&self) -> &Path {
        &self.settings.output_dir
    }

    /// Writes every file of `edition` whose bytes differ from what is on disk: each section's and
    /// block's feeds, then the pages. Everything is rendered before anything is written, so a
    /// refused section id or a failed render leaves the folder as it was.
    pub fn publish(&self, edition: &Edition) -> Result<PublishReport, PublishError> {
        for dir in [FEEDS_DIR, BLOCKS_DIR, SECTIONS_DIR, ""] {
            remove_stale_temp_files(&self.settings.output_dir.join(dir));
        }
        let mut outputs = feed::feeds(&self.settings, edition).map_err(|error| match error {
            RenderError::Render { file, source } => PublishError::Render {
                path: self.settings.output_dir.join(file),
                source,
            },
            RenderError::SectionId { id } => PublishError::SectionId { id },
        })?;
        outputs.extend(self.render_site(edition)?);
        let staged = parallel::map_waiting(&outputs, WRITERS, |output| {
            stage_if_changed(&self.settings.output_dir.join(&output.file), &output.bytes)
        });
        // Every changed file is staged before any is put in place: a failed write (a full disk)
        // drops the generation, and its staged files with it, leaving the old one whole.
        let mut report = PublishReport::default();
        let mut made = BTreeSet::new();
        let mut generation = Generation::default();
        for (output, staged) in outputs.into_iter().zip(staged) {
            let staged = staged.map_err(|source| PublishError::Write {
                path: self.settings.output_dir.join(&output.file),
                source,
            })?;
            if let Some(staged) = staged {
                generation.extend(staged);
                report.files.push(output.file.clone());
            }
            made.insert(output.file);
        }
        generation
            .commit()
            .map_err(|(path, source)| PublishError::Write { path, source })?;
        report.removed = self.remove_stale_files(&made)?;
        Ok(report)
    }

    /// Deletes the files the manifest lists that are not in `made` (with their compressed
    /// copies), then records `made` as the manifest: deleting first means a crash in between
    /// only repeats the deletions. The paths deleted.
    fn remove_stale_files(&self, made: &BTreeSet<PathBuf>) -> Result<Vec<PathBuf>, PublishError> {
        let manifest = self.settings.output_dir.join(MANIFEST_FILE);
        let listed = match fs::read_to_string(&manifest) {
            Ok(text) => text,
            Err(error) if error.kind() == io::ErrorKind::NotFound => String::new(),
            Err(source) => {
                return Err(PublishError::Write {
                    path: manifest,
                    source,
                });
            }
        };
        let mut removed = Vec::new();
        for file in listed.lines().map(PathBuf::from) {
            // Only plain relative paths: a manifest edited by hand must not reach outside.
            let inside = file
                .components()
                .all(|part| matches!(part, std::path::Component::Normal(_)));
            if !inside || file.as_os_str().is_empty() || made.contains(&file) {
                continue;
            }
            let path = self.settings.output_dir.join(&file);
            let copies = precompress::Encoding::ALL.map(|encoding| encoding.variant_path(&path));
            for path in std::iter::once(path).chain(copies) {
                match fs::remove_file(&path) {
                    Ok(()) => {}
                    Err(error) if error.kind() == io::ErrorKind::NotFound => {}
                    Err(source) => return Err(PublishError::Remove { path, source }),
                }
            }
            removed.push(file);
        }
        let text: String = made
            .iter()
            .map(|file| format!("{}\n", file_url_path(file)))
            .collect();
        if text != listed {
            write_atomic(&manifest, text.as_bytes()).map_err(|source| PublishError::Write {
                path: manifest,
                source,
            })?;
        }
        Ok(removed)
    }

    /// The pages of the static site.
    fn render_site(&self, edition: &Edition) -> Result<Vec<Output>, PublishError> {
        let site = Site::of(&self.settings);
        let pages = site::pages(edition, &site).map_err(|source| PublishError::Render {
            path: self.settings.output_dir.clone(),
            source: Box::new(source),
        })?;
        Ok(pages
            .into_iter()
            .map(|page| Output {
                file: page.path,
                bytes: page.html.into_bytes(),
            })
            .collect())
    }

    /// Whether every file the last publish made is still in place: a publish that would write
    /// the same files may then be skipped. False before any publish.
    pub fn is_intact(&self) -> bool {
        let dir = &self.settings.output_dir;
        let Ok(listed) = fs::read_to_string(dir.join(MANIFEST_FILE)) else {
            return false;
        };
        dir.join(SOURCES_FILE).is_file() && listed.lines().all(|file| dir.join(file).is_file())
    }

    /// Writes the health feed (`feeds/health.{xml,atom,json}`) of `events`, newest first, the
    /// files whose bytes changed all or none; the files it wrote. Not in the manifest: it is
    /// no part of the edition, and stays when sections come and go.
    pub fn publish_health(
        &self,
        events: &[HealthEvent],
        names: &HashMap<String, String>,
    ) -> Result<Vec<PathBuf>, PublishError> {
        remove_stale_temp_files(&self.settings.output_dir.join(FEEDS_DIR));
        let feed = HealthFeed {
            settings: &self.settings,
            events,
            names,
        };
        let outputs = feed.outputs().map_err(|error| match error {
            RenderError::Render { file, source } => PublishError::Render {
                path: self.settings.output_dir.join(file),
                source,
            },
            RenderError::SectionId { id } => PublishError::SectionId { id },
        })?;
        let mut generation = Generation::default();
        let mut written = Vec::new();
        for output in outputs {
            let path = self.settings.output_dir.join(&output.file);
            let staged = stage_if_changed(&path, &output.bytes)
                .map_err(|source| PublishError::Write { path, source })?;
            if let Some(staged) = staged {
                generation.extend(staged);
                written.push(output.file);
            }
        }
        generation
            .commit()
            .map_err(|(path, source)| PublishError::Write { path, source })?;
        Ok(written)
    }

    /// Writes `sources.opml`, the subscriptions as OPML, if it changed; the file if it wrote it.
    pub fn publish_sources(&self, config: &Config) -> Result<Option<PathBuf>, PublishError> {
        let path = self.settings.output_dir.join(SOURCES_FILE);
        let staged = stage_if_changed(&path, crate::render::opml::export(config).as_bytes())
            .map_err(|source| PublishError::Write { path, source })?;
        let Some(generation) = staged else {
            return Ok(None);
        };
        generation
            .commit()
            .map_err(|(path, source)| PublishError::Write { path, source })?;
        Ok(Some(PathBuf::from(SOURCES_FILE)))
    }
}

/// Stages `bytes` as the new content of `path`, with its compressed copies, unless the file
/// already holds exactly them and has its copies.
fn stage_if_changed(path: &Path, bytes: &[u8]) -> io::Result<Option<Generation>> {
    match fs::read(path) {
        Ok(existing) if existing == bytes && precompress::present(path) => Ok(None),
        _ => Generation::stage(path, bytes).map(Some),
    }
}

#[cfg(test)]
mod tests;
