//! What some tests need from outside the crate: a Python with lxml, html5lib, rdflib and
//! feedparser (made by `.ci/python-env`, so plain `cargo test` works on a fresh clone) and the
//! shared reference folder beside the project. Each is required: a test that needs one and cannot
//! find it fails, saying what is missing and how to get it, rather than passing on nothing.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The environment variable naming the Python interpreter to use.
pub const PYTHON_VAR: &str = "GAZETTE_PYTHON";

/// The environment variable that overrides where the shared reference folder is.
pub const SHARED_VAR: &str = "GAZETTE_SHARED";

/// How to get the Python environment, for failure messages.
const PYTHON_SETUP: &str = "`bash .ci/python-env` makes it (a virtualenv under target/ with lxml, \
     html5lib, rdflib and feedparser; it needs python3 with venv and pip, e.g. Debian's python3-venv, \
     and PyPI); or set GAZETTE_PYTHON to a Python that has them";

/// The Python interpreter named by `GAZETTE_PYTHON`, else the one `.ci/python-env` makes (once
/// per test binary), checked to import `modules`. Panics, saying what is missing, when it cannot
/// be made, cannot run or lacks a module.
pub fn python(modules: &[&str]) -> PathBuf {
    let python = match std::env::var_os(PYTHON_VAR) {
        Some(path) if !path.is_empty() => PathBuf::from(path),
        _ => prepared_python().clone(),
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

/// The venv's Python made by `.ci/python-env` (a no-op when it is up to date).
fn prepared_python() -> &'static PathBuf {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(|| {
        let output = Command::new("bash")
            .arg(".ci/python-env")
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap_or_else(|e| panic!("cannot run bash .ci/python-env ({e}); {PYTHON_SETUP}"));
        assert!(
            output.status.success(),
            "{PYTHON_VAR} is not set and `bash .ci/python-env` failed: {}; {PYTHON_SETUP}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
        PathBuf::from(String::from_utf8_lossy(&output.stdout).trim())
    })
}

/// Runs the W3C Feed Validator (`tools/validate.py` of the shared folder) over `files` of the
/// output folder `root`, published under `base`, and asserts 0 errors and 0 warnings. The one
/// warning ignored is `DuplicateUpdated`: items of one cycle share its time, as real sources'
/// items often do. Returns the validator's report, the figure to quote.
#[allow(dead_code)] // the parser's tests include this file alone, without using it
pub fn assert_w3c_valid(base: &str, root: &Path, files: &[PathBuf]) -> String {
    let python = python(&["lxml", "html5lib", "rdflib"]);
    let validator = shared("tools/validate.py");
    let result = Command::new(&python)
        .arg(&validator)
        .args(["--base", base, "--ignore", "DuplicateUpdated", "--root"])
        .arg(root)
        .args(files)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", validator.display()));
    let report = String::from_utf8_lossy(&result.stdout).into_owned();
    let summary = format!("validator: 0 errors, 0 warnings over {} files", files.len());
    assert!(
        result.status.success() && report.contains(&summary),
        "the W3C Feed Validator found problems:\n{report}\n{}",
        String::from_utf8_lossy(&result.stderr)
    );
    report
}
