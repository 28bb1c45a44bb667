//! One gazette at a time on a store and an output folder.
//!
//! Two processes polling into one SQLite file and publishing into one folder undo each other's
//! files mid-publish. `run` and `once` therefore take an exclusive advisory lock on a lock file
//! beside the database (`gazette.db.lock`) and one in the output folder (`.gazette.lock`, a dotfile
//! the server never serves) before they touch either, and hold them until they exit. The lock
//! file holds the owner's pid, so the second process can say which one is in the way. The kernel
//! releases the locks when the owner exits, even by `kill -9`, so a stale file never blocks a
//! restart.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use crate::config::Settings;

/// The lock file in the output folder.
pub const OUTPUT_LOCK: &str = ".gazette.lock";

/// Held locks; dropping it releases them.
#[derive(Debug)]
pub struct InstanceLock {
    _files: Vec<File>,
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(
        "another gazette (pid {pid}) is already running on the {what} {path}: stop it first (it holds {lock})",
        pid = owner.as_deref().unwrap_or("unknown"),
        path = path.display(),
        lock = lock.display()
    )]
    Busy {
        what: &'static str,
        path: PathBuf,
        lock: PathBuf,
        owner: Option<String>,
    },
    #[error("cannot lock {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl InstanceLock {
    /// Locks the store and the output folder of `settings`, creating the folder if needed.
    pub fn acquire(settings: &Settings) -> Result<InstanceLock, LockError> {
        let output = &settings.output_dir;
        std::fs::create_dir_all(output).map_err(|source| LockError::Io {
            path: output.clone(),
            source,
        })?;
        let mut files = Vec::with_capacity(2);
        // A PostgreSQL store is shared by design: its nodes take leases, not this lock. The
        // database's lock comes first, so a second gazette on the same store names the store.
        if let Some(database) = settings.database.sqlite_path() {
            let mut database_lock = database.as_os_str().to_owned();
            database_lock.push(".lock");
            files.push(lock(Path::new(&database_lock), "database", database)?);
        }
        files.push(lock(&output.join(OUTPUT_LOCK), "output folder", output)?);
        Ok(InstanceLock { _files: files })
    }
}

/// Takes the lock on `lock_path` (guarding `what` at `path`) and writes our pid in it.
fn lock(lock_path: &Path, what: &'static str, path: &Path) -> Result<File, LockError> {
    let io = |source| LockError::Io {
        path: lock_path.to_owned(),
        source,
    };
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(lock_path)
        .map_err(io)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let mut owner = String::new();
            let _ = file.read_to_string(&mut owner);
            let owner = owner.trim();
            return Err(LockError::Busy {
                what,
                path: path.to_owned(),
                lock: lock_path.to_owned(),
                owner: (!owner.is_empty()).then(|| owner.to_owned()),
            });
        }
        Err(TryLockError::Error(source)) => return Err(io(source)),
    }
    file.set_len(0).map_err(io)?;
    file.rewind().map_err(io)?;
    writeln!(file, "{}", std::process::id()).map_err(io)?;
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_names_the_first_owner() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.lock");
        let first = lock(&path, "database", dir.path()).unwrap();
        let error = lock(&path, "database", dir.path()).unwrap_err().to_string();
        assert!(
            error.contains(&format!("pid {}", std::process::id())),
            "{error}"
        );
        drop(first);
        assert!(lock(&path, "database", dir.path()).is_ok());
    }
}
