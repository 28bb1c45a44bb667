//! What some tests need from outside the crate: the Python that `.ci/run` prepares (with lxml,
//! html5lib, rdflib and feedparser) and the shared reference folder beside the project. Each is
//! required: a test that needs one and cannot find it fails, saying what is missing and how to get
//! it, rather than passing on nothing.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The environment variable naming the Python interpreter to use.
pub const PYTHON_VAR: &str = "GAZETTE_PYTHON";

/// The environment variable that overrides where the shared reference folder is.
pub const SHARED_VAR: &str = "GAZETTE_SHARED";

/// How to get the Python environment, for failure messages.
const PYTHON_SETUP: &str = "run `export GAZETTE_PYTHON=\"$(bash .ci/python-env)\"` in the project \
     folder first (it makes a virtualenv under target/ with lxml, html5lib, rdflib and feedparser)";

/// The Python interpreter named by `GAZETTE_PYTHON`, checked to import `modules`. Panics, saying
/// what is missing, when it is unset, cannot run or lacks a module.
pub fn python(modules: &[&str]) -> PathBuf {
    let python = match std::env::var_os(PYTHON_VAR) {
        Some(path) if !path.is_empty() => PathBuf::from(path),
        _ => panic!("{PYTHON_VAR} is not set: this test runs Python; {PYTHON_SETUP}"),
    };
    let imports = format!("import {}", modules.join(", "));
    let output = Command::new(&python)
        .args(["-c", &imports])
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "{PYTHON_VAR}={} cannot run ({e}); {PYTHON_SETUP}",
                python.display()
            )
        });
    assert!(
        output.status.success(),
        "{PYTHON_VAR}={} cannot `{imports}`: {}; {PYTHON_SETUP}",
        python.display(),
        String::from_utf8_lossy(&output.stderr).trim()
    );
    python
}

/// `relative` inside the shared reference folder (`../shared` beside the project, or
/// `GAZETTE_SHARED`). Panics, saying where it looked, when it is not there.
pub fn shared(relative: &str) -> PathBuf {
    let root = match std::env::var_os(SHARED_VAR) {
        Some(path) if !path.is_empty() => PathBuf::from(path),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"),
    };
    let path = root.join(relative);
    assert!(
        path.exists(),
        "{} is missing: this test needs the shared reference folder beside the project \
         (`../shared`, or set {SHARED_VAR} to where it is)",
        path.display()
    );
    path
}
