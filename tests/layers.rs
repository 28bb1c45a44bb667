//! The module layers of `ARCHITECTURE.md` hold in the code: every `crate::` path in non-test code
//! under `src/` names a module of a lower layer, and no top-level modules import each other in a
//! cycle. The table in `ARCHITECTURE.md` is the one place the rule is written; this test reads it.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Layer of each module, from the `## Layers` table of `ARCHITECTURE.md`.
fn layers(architecture: &str) -> BTreeMap<String, usize> {
    let mut layers = BTreeMap::new();
    let section = format!("\n{architecture}");
    let section = section
        .split("\n## ")
        .find(|section| section.starts_with("Layers"))
        .expect("ARCHITECTURE.md has a `## Layers` section");
    for row in section.lines().filter(|line| line.starts_with('|')) {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let Ok(layer) = cells[1].parse::<usize>() else {
            continue; // the header and the separator
        };
        for module in cells[2].split('`').skip(1).step_by(2) {
            let earlier = layers.insert(module.to_owned(), layer);
            assert!(earlier.is_none(), "{module} is in the table twice");
        }
    }
    assert!(!layers.is_empty(), "no layer rows in ARCHITECTURE.md");
    layers
}

/// The top-level modules `src/lib.rs` declares.
fn top_level_modules(lib: &str) -> Vec<String> {
    lib.lines()
        .map(str::trim)
        .filter_map(|line| {
            let rest = line.strip_prefix("pub ").or(Some(line))?;
            let rest = rest.strip_prefix("(crate) ").unwrap_or(rest);
            let name = rest.strip_prefix("mod ")?.strip_suffix(';')?;
            Some(name.to_owned())
        })
        .collect()
}

/// `source` without comments, string and char literals, and `#[cfg(test)]` items: what is left
/// is the code the crate is built from.
fn code_only(source: &str) -> String {
    let bytes = source.as_bytes();
    let mut out = String::with_capacity(source.len());
    let mut at = 0;
    while at < bytes.len() {
        let rest = &source[at..];
        if rest.starts_with("//") {
            at += rest.find('\n').unwrap_or(rest.len());
        } else if rest.starts_with("/*") {
            at += rest.find("*/").map_or(rest.len(), |end| end + 2);
        } else if let Some(skip) = raw_string_len(rest) {
            at += skip;
            out.push_str("\"\"");
        } else if rest.starts_with('"') {
            let mut end = 1;
            while end < rest.len() && !rest[end..].starts_with('"') {
                end += if rest[end..].starts_with('\\') { 2 } else { 1 };
                while !rest.is_char_boundary(end.min(rest.len())) {
                    end += 1;
                }
            }
            at += (end + 1).min(rest.len());
            out.push_str("\"\"");
        } else if rest.starts_with("#[cfg(test)]") {
            at += "#[cfg(test)]".len();
            at += item_len(&source[at..]);
        } else {
            let c = rest.chars().next().unwrap_or(' ');
            out.push(c);
            at += c.len_utf8();
        }
    }
    out
}

/// Length of a raw string literal (`r"…"`, `r#"…"#`) at the start of `text`, if there is one.
fn raw_string_len(text: &str) -> Option<usize> {
    let after_r = text.strip_prefix('r')?;
    let hashes = after_r.len() - after_r.trim_start_matches('#').len();
    let body = after_r[hashes..].strip_prefix('"')?;
    let close = format!("\"{}", "#".repeat(hashes));
    let end = body.find(&close)?;
    Some(1 + hashes + 1 + end + close.len())
}

/// Length of the item at the start of `text` (after a `#[cfg(test)]`): up to its `;`, or to the
/// brace closing its body.
fn item_len(text: &str) -> usize {
    let mut depth = 0usize;
    for (at, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return at + 1;
                }
            }
            ';' if depth == 0 => return at + 1,
            _ => {}
        }
    }
    text.len()
}

/// The top-level modules `code` names through `crate::` paths, grouped imports included
/// (`use crate::{a, b::c}`).
fn crate_paths(code: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
            continue; // `$crate::`, `some_crate::`
        }
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0;
            let mut start = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => start = true,
                    c if start && (c.is_alphanumeric() || c == '_') => {
                        found.insert(ident(&group[i..]));
                        start = false;
                    }
                    _ => {}
                }
            }
        } else {
            found.insert(ident(rest));
        }
    }
    found.remove("");
    found
}

fn ident(text: &str) -> String {
    text.chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

/// The files of `dir`, recursively.
fn rust_files(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("read src/") {
        let path = entry.expect("read src/").path();
        if path.is_dir() {
            rust_files(&path, files);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            files.push(path);
        }
    }
}

/// Files that are only compiled for tests: those a `#[cfg(test)] mod name;` declares.
fn test_only_files(files: &[PathBuf]) -> BTreeSet<PathBuf> {
    let mut test_only = BTreeSet::new();
    for file in files {
        let source = fs::read_to_string(file).expect("read a source file");
        let dir = match file.file_name().and_then(|name| name.to_str()) {
            Some("mod.rs" | "lib.rs" | "main.rs") => file.parent().map(Path::to_path_buf),
            _ => Some(file.with_extension("")),
        };
        let Some(dir) = dir else { continue };
        for (at, _) in source.match_indices("#[cfg(test)]") {
            let item = source[at + "#[cfg(test)]".len()..].trim_start();
            let item = item.strip_prefix("pub(crate) ").unwrap_or(item);
            if let Some(name) = item.strip_prefix("mod ").map(ident)
                && item["mod ".len() + name.len()..]
                    .trim_start()
                    .starts_with(';')
            {
                test_only.insert(dir.join(format!("{name}.rs")));
                test_only.insert(dir.join(&name).join("mod.rs"));
            }
        }
    }
    test_only
}

/// Top-level module → the top-level modules its non-test code imports.
fn imports(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let test_only = test_only_files(&files);
    let mut imports: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files.iter().filter(|file| !test_only.contains(*file)) {
        let relative = file.strip_prefix(src).expect("a file under src/");
        let first = relative.iter().next().and_then(|part| part.to_str());
        let module = first.unwrap_or_default().trim_end_matches(".rs").to_owned();
        if module == "lib" || module == "main" {
            continue;
        }
        let source = fs::read_to_string(file).expect("read a source file");
        let used = crate_paths(&code_only(&source));
        let entry = imports.entry(module.clone()).or_default();
        entry.extend(used.into_iter().filter(|used| *used != module));
    }
    imports
}

/// Every import against the layers, then every cycle, one line each.
fn violations(
    layers: &BTreeMap<String, usize>,
    imports: &BTreeMap<String, BTreeSet<String>>,
) -> Vec<String> {
    let mut found = Vec::new();
    for (module, used) in imports {
        let Some(&own) = layers.get(module) else {
            found.push(format!(
                "{module} is not in the layer table of ARCHITECTURE.md"
            ));
            continue;
        };
        for other in used {
            match layers.get(other) {
                Some(&layer) if layer < own => {}
                Some(&layer) => found.push(format!(
                    "{module} (layer {own}) imports {other} (layer {layer}): only lower layers may be imported"
                )),
                None => found.push(format!("{module} imports {other}, which is not in the table")),
            }
        }
    }
    found.extend(cycles(imports));
    found
}

/// Each import cycle between top-level modules, as `a → b → a`.
fn cycles(imports: &BTreeMap<String, BTreeSet<String>>) -> Vec<String> {
    let mut found = BTreeSet::new();
    for start in imports.keys() {
        // Depth-first from `start`, looking for a way back to it.
        let mut stack = vec![vec![start.clone()]];
        let mut seen = BTreeSet::new();
        while let Some(path) = stack.pop() {
            let last = path.last().expect("a path is never empty");
            for next in imports.get(last).into_iter().flatten() {
                if next == start {
                    // Rotated to start at its smallest module, so each cycle is listed once.
                    let smallest = (0..path.len()).min_by_key(|&i| &path[i]).unwrap_or(0);
                    let mut cycle: Vec<_> = path[smallest..].to_vec();
                    cycle.extend_from_slice(&path[..smallest]);
                    cycle.push(cycle[0].clone());
                    found.insert(format!("import cycle: {}", cycle.join(" → ")));
                } else if seen.insert(next.clone()) {
                    let mut longer = path.clone();
                    longer.push(next.clone());
                    stack.push(longer);
                }
            }
        }
    }
    found.into_iter().collect()
}

#[test]
fn every_import_points_to_a_lower_layer() {
    let architecture =
        fs::read_to_string(Path::new(ROOT).join("ARCHITECTURE.md")).expect("read ARCHITECTURE.md");
    let layers = layers(&architecture);
    let lib = fs::read_to_string(Path::new(ROOT).join("src/lib.rs")).expect("read src/lib.rs");
    let modules = top_level_modules(&lib);
    assert!(modules.len() > 10, "src/lib.rs declares {modules:?}");
    let missing: Vec<_> = modules
        .iter()
        .filter(|m| !layers.contains_key(*m))
        .collect();
    assert!(
        missing.is_empty(),
        "not in ARCHITECTURE.md's layer table: {missing:?}"
    );

    let imports = imports(&Path::new(ROOT).join("src"));
    // The reading must see the imports that are there, or the check passes on nothing.
    assert!(imports["daemon"].contains("store"), "{imports:?}");
    assert!(imports["publish"].contains("render"), "{imports:?}");
    let violations = violations(&layers, &imports);
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}

#[test]
fn an_import_of_a_higher_layer_or_a_cycle_is_reported() {
    let layers = layers(
        "## Layers\n| layer | modules |\n|---|---|\n| 0 | `model` |\n| 1 | `store`, `merge` |\n| 2 | `serve` |\n",
    );
    let code = |source: &str| crate_paths(&code_only(source));
    let imports = BTreeMap::from([
        ("model".to_owned(), code("use crate::serve::Site;")),
        ("store".to_owned(), code("use crate::{model::Item, merge};")),
        ("merge".to_owned(), code("fn f() { crate::store::open() }")),
        ("serve".to_owned(), code("use crate::model::Item;")),
    ]);
    let found = violations(&layers, &imports);
    let expected = [
        "merge (layer 1) imports store (layer 1): only lower layers may be imported",
        "model (layer 0) imports serve (layer 2): only lower layers may be imported",
        "store (layer 1) imports merge (layer 1): only lower layers may be imported",
        "import cycle: merge → store → merge",
        "import cycle: model → serve → model",
    ];
    assert_eq!(found, expected);
}

#[test]
fn test_code_comments_and_strings_are_not_imports() {
    let source = r##"
use crate::model::Item;
// use crate::daemon::Pipeline;
/// See [`crate::serve`].
const TEXT: &str = "crate::cli";
const RAW: &str = r#"crate::digest "quoted""#;
#[cfg(test)]
mod tests {
    use crate::store::Store;
    fn nested() { if true { crate::merge::merge() } }
}
#[cfg(test)]
use crate::publish::Publisher;
fn after() -> crate::layout::Path { todo!() }
"##;
    let found: Vec<_> = crate_paths(&code_only(source)).into_iter().collect();
    assert_eq!(found, ["layout", "model"]);
}
