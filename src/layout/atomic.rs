//! Atomic writes: readers see the old file or the new one, never a part, and a crash leaves at
//! most a temporary file that the next publish removes.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Writes `bytes` to `path` so that readers see the old file or the new one, never a part:
/// a temporary file in the same folder, fsync, rename, fsync of the folder. Creates the folder
/// if needed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let temp = write_temp(path, bytes)?;
    let result = fs::rename(&temp, path).and_then(|()| sync_dir(parent_dir(path)));
    if result.is_err() {
        // Best effort: the temporary file is garbage whatever happened.
        let _ = fs::remove_file(&temp);
    }
    result
}

/// Writes `bytes` to a new temporary file beside `path` and syncs it: the first half of
/// [`write_atomic`], for writers that put many files in place at once. Creates the folder if
/// needed; removes the file again if it fails.
pub fn write_temp(path: &Path, bytes: &[u8]) -> std::io::Result<PathBuf> {
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the path has no file name"))?;
    let dir = parent_dir(path);
    fs::create_dir_all(dir)?;

    // Unique per process and call, so concurrent writers never share a temporary file.
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut temp_name = std::ffi::OsString::from(".");
    temp_name.push(name);
    temp_name.push(format!(
        ".{}.{}{TEMP_SUFFIX}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let temp = dir.join(temp_name);

    let result = (|| {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()
    })();
    match result {
        Ok(()) => Ok(temp),
        Err(error) => {
            let _ = fs::remove_file(&temp);
            Err(error)
        }
    }
}

/// The folder `path` is in (`.` for a bare name).
pub fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// Ends every temporary file name `write_atomic` makes: `.{name}.{pid}.{counter}.tmp`.
const TEMP_SUFFIX: &str = ".tmp";

/// The process that made the temporary file called `name`, if it is one of ours.
fn temp_file_pid(name: &str) -> Option<u32> {
    let inner = name.strip_prefix('.')?.strip_suffix(TEMP_SUFFIX)?;
    let mut parts = inner.rsplitn(3, '.');
    parts.next()?.parse::<u64>().ok()?;
    let pid = parts.next()?.parse().ok()?;
    parts.next().filter(|original| !original.is_empty())?;
    Some(pid)
}

/// Removes the temporary files a killed process left in `dir`: they may be partial and would be
/// served as if they were output. This process's own are kept, as they may be mid-write. Best
/// effort: a file that cannot be removed now will be on a later publish.
pub fn remove_stale_temp_files(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let own = std::process::id();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let stale = name
            .to_str()
            .and_then(temp_file_pid)
            .is_some_and(|pid| pid != own);
        if stale {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Makes a rename in `dir` durable: without it a crash can lose the new directory entry.
#[cfg(unix)]
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    fs::File::open(dir)?.sync_all()
}

/// Windows cannot open folders as files; NTFS journals the rename itself.
#[cfg(not(unix))]
pub fn sync_dir(_dir: &Path) -> io::Result<()> {
    Ok(())
}
