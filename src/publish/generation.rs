//! All or nothing: a publish stages every changed file, compressed copies included, as a synced
//! temporary file beside its target, and only once all of them are staged puts them in place
//! (renames, then one sync per folder). A failed write — a full disk, a folder that cannot be
//! made — drops the staged files and leaves the previous generation whole: readers see the old
//! files or the new ones, never some of each, and never a compressed copy of another version.

use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::precompress;
use crate::layout::{parent_dir, sync_dir, write_temp};

/// Files staged and not yet in place. Dropped without [`Generation::commit`], it removes them.
#[derive(Debug, Default)]
pub(super) struct Generation {
    /// (temporary file, target), in the order they go in place.
    staged: Vec<(PathBuf, PathBuf)>,
}

impl Generation {
    /// Stages `bytes` as the new content of `path`, after its compressed copies: a copy goes in
    /// place before its file, so a reader never finds a file newer than its copies' check.
    pub(super) fn stage(path: &Path, bytes: &[u8]) -> io::Result<Generation> {
        let mut generation = Generation::default();
        for (copy, compressed) in precompress::copies(path, bytes)? {
            generation.push(&copy, &compressed)?;
        }
        generation.push(path, bytes)?;
        Ok(generation)
    }

    fn push(&mut self, path: &Path, bytes: &[u8]) -> io::Result<()> {
        let temp = write_temp(path, bytes)?;
        self.staged.push((temp, path.to_owned()));
        Ok(())
    }

    /// Adds `other`'s staged files after this one's.
    pub(super) fn extend(&mut self, mut other: Generation) {
        self.staged.append(&mut other.staged);
    }

    /// Puts every staged file in place and makes the renames durable. On failure, the target
    /// that could not be replaced and why.
    pub(super) fn commit(mut self) -> Result<(), (PathBuf, io::Error)> {
        let mut dirs = BTreeSet::new();
        let mut staged = std::mem::take(&mut self.staged).into_iter();
        while let Some((temp, target)) = staged.next() {
            if let Err(error) = fs::rename(&temp, &target) {
                let _ = fs::remove_file(&temp);
                // What was not put in place is removed on drop.
                self.staged = staged.collect();
                return Err((target, error));
            }
            dirs.insert(parent_dir(&target).to_owned());
        }
        for dir in dirs {
            sync_dir(&dir).map_err(|error| (dir, error))?;
        }
        Ok(())
    }
}

impl Drop for Generation {
    /// Removes what was staged and never put in place. Best effort: a file left behind is
    /// removed by a later publish as a stale temporary file.
    fn drop(&mut self) {
        for (temp, _) in &self.staged {
            let _ = fs::remove_file(temp);
        }
    }
}
