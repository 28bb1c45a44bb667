//! `feeds.toml` text, built table by table, so that a test names only what it is about.

use std::fmt;

/// A `feeds.toml` under construction; `to_string()` (or `{}`) gives the text.
///
/// [`FeedsToml::new`] starts from the settings every test against the local farm needs
/// (`allow_private = true`: the farm is on 127.0.0.1). `[gazette]` comes first, then the tables
/// in the order they were added. Values are written as TOML: `"2s"`, `16`, `true`,
/// `vec!["a", "b"]`.
///
/// ```
/// let config = testkit::FeedsToml::new()
///     .set("timeout", "2s")
///     .section("politics", "정치/행정")
///     .feed("http://127.0.0.1:8000/a.xml", &["politics"])
///     .with("name", "중도일보");
/// assert_eq!(
///     config.to_string(),
///     r#"[gazette]
/// allow_private = true
/// timeout = "2s"
///
/// [[section]]
/// id = "politics"
/// title = "정치/행정"
///
/// [[feed]]
/// url = "http://127.0.0.1:8000/a.xml"
/// sections = ["politics"]
/// name = "중도일보"
/// "#
/// );
/// ```
#[derive(Debug, Clone)]
pub struct FeedsToml {
    /// `key = value` lines of `[gazette]`.
    gazette: Vec<String>,
    /// Every other table (or raw text), each ending with a newline.
    tables: Vec<String>,
}

impl FeedsToml {
    /// `[gazette]` with `allow_private = true`: what a test polling the local farm needs.
    pub fn new() -> FeedsToml {
        FeedsToml::bare().set("allow_private", true)
    }

    /// No settings at all: for tests of the defaults themselves (the SSRF guard, say).
    pub fn bare() -> FeedsToml {
        FeedsToml {
            gazette: Vec::new(),
            tables: Vec::new(),
        }
    }

    /// `key = value` in `[gazette]`, whenever it is called.
    pub fn set(mut self, key: &str, value: impl Into<toml::Value>) -> FeedsToml {
        self.gazette.push(line(key, value));
        self
    }

    /// A `[[section]]`.
    pub fn section(mut self, id: &str, title: &str) -> FeedsToml {
        self.tables.push(format!(
            "[[section]]\n{}{}",
            line("id", id),
            line("title", title)
        ));
        self
    }

    /// A `[[feed]]` of `url` in `sections` (none: the feed is only in `all`).
    pub fn feed(mut self, url: &str, sections: &[&str]) -> FeedsToml {
        let mut table = format!("[[feed]]\n{}", line("url", url));
        if !sections.is_empty() {
            table.push_str(&line("sections", sections.to_vec()));
        }
        self.tables.push(table);
        self
    }

    /// An `[[edition]]` (a regional ranking) of `feeds`, by name or url.
    pub fn edition(mut self, id: &str, title: &str, feeds: &[&str]) -> FeedsToml {
        self.tables.push(format!(
            "[[edition]]\n{}{}{}",
            line("id", id),
            line("title", title),
            line("feeds", feeds.to_vec())
        ));
        self
    }

    /// `key = value` in the table added last (a `[[section]]`, `[[feed]]` or `[[edition]]`).
    pub fn with(mut self, key: &str, value: impl Into<toml::Value>) -> FeedsToml {
        let last = self
            .tables
            .last_mut()
            .expect("`with` adds to a table added before it");
        last.push_str(&line(key, value));
        self
    }

    /// `text` as it is, after the tables so far: `[digest]`, a deliberate mistake…
    pub fn raw(mut self, text: &str) -> FeedsToml {
        if text.is_empty() {
            return self;
        }
        let mut text = text.to_owned();
        if !text.ends_with('\n') {
            text.push('\n');
        }
        self.tables.push(text);
        self
    }
}

impl Default for FeedsToml {
    fn default() -> FeedsToml {
        FeedsToml::new()
    }
}

impl fmt::Display for FeedsToml {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut blank_line_before = false;
        if !self.gazette.is_empty() {
            f.write_str("[gazette]\n")?;
            self.gazette.iter().try_for_each(|line| f.write_str(line))?;
            blank_line_before = true;
        }
        for table in &self.tables {
            if blank_line_before {
                f.write_str("\n")?;
            }
            f.write_str(table)?;
            blank_line_before = true;
        }
        Ok(())
    }
}

/// `key = value\n`, the value written as TOML.
fn line(key: &str, value: impl Into<toml::Value>) -> String {
    format!("{key} = {}\n", value.into())
}
