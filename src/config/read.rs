//! Typed reading of TOML tables, reporting every mistake with its place instead of stopping at the first.
//!
//! Each getter returns `None` both when a key is absent and when its value is wrong (the latter already
//! reported), so callers fall back to a default and keep going: the file is invalid anyway, and going on
//! finds the next mistake.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::diagnostic::{Reporter, quoted, unknown};

pub(super) type Value<'i> = Spanned<DeValue<'i>>;

/// One table of the file, checked against the keys it may hold.
pub(super) struct Table<'t, 'i> {
    table: &'t DeTable<'i>,
    /// Where the table starts (its `[header]`), for keys that are missing.
    span: Range<usize>,
}

impl<'t, 'i> Table<'t, 'i> {
    /// Reads `value` (the value of `key`) as a table whose keys must be among `known`.
    pub(super) fn new(
        r: &mut Reporter<'_>,
        key: &str,
        value: &'t Value<'i>,
        known: &[&str],
    ) -> Option<Self> {
        match value.get_ref() {
            DeValue::Table(table) => Some(Table::checked(r, table, value.span(), known)),
            other => {
                r.error(
                    &value.span(),
                    format!("`{key}` must be a table ([{key}]), not {}", a(other)),
                );
                None
            }
        }
    }

    /// Reads `value` (the value of `key`) as an array of tables (`[[key]]`), each checked against `known`.
    pub(super) fn array(
        r: &mut Reporter<'_>,
        key: &str,
        value: &'t Value<'i>,
        known: &[&str],
    ) -> Vec<Self> {
        let DeValue::Array(items) = value.get_ref() else {
            r.error(
                &value.span(),
                format!(
                    "`{key}` must be a list of tables ([[{key}]]), not {}",
                    a(value.get_ref())
                ),
            );
            return Vec::new();
        };
        items
            .iter()
            .filter_map(|item| match item.get_ref() {
                DeValue::Table(table) => Some(Table::checked(r, table, item.span(), known)),
                other => {
                    r.error(
                        &item.span(),
                        format!("each `{key}` must be a table ([[{key}]]), not {}", a(other)),
                    );
                    None
                }
            })
            .collect()
    }

    /// The document itself, whose keys must be among `known`.
    pub(super) fn root(r: &mut Reporter<'_>, table: &'t DeTable<'i>, known: &[&str]) -> Self {
        Table::checked(r, table, 0..0, known)
    }

    fn checked(
        r: &mut Reporter<'_>,
        table: &'t DeTable<'i>,
        span: Range<usize>,
        known: &[&str],
    ) -> Self {
        for (key, _) in table.iter() {
            let name: &str = key.get_ref();
            if !known.contains(&name) {
                let expected = format!("one of {}", quoted(known.iter().copied()));
                r.error(
                    &key.span(),
                    unknown("key", name, known.iter().copied(), &expected),
                );
            }
        }
        Table { table, span }
    }

    /// Where the table starts, for mistakes about the table as a whole.
    pub(super) fn span(&self) -> Range<usize> {
        self.span.clone()
    }

    /// The raw value of `key`, if present.
    pub(super) fn value(&self, key: &str) -> Option<&'t Value<'i>> {
        self.table.get(key)
    }

    /// The value of `key` converted by `convert`, or `None` when absent or wrong.
    pub(super) fn get<T>(
        &self,
        r: &mut Reporter<'_>,
        key: &str,
        convert: impl FnOnce(&mut Reporter<'_>, &str, &'t Value<'i>) -> Option<T>,
    ) -> Option<T> {
        self.value(key).and_then(|value| convert(r, key, value))
    }

    /// Like [`Table::get`], but a missing key is a mistake too.
    pub(super) fn require<T>(
        &self,
        r: &mut Reporter<'_>,
        key: &str,
        convert: impl FnOnce(&mut Reporter<'_>, &str, &'t Value<'i>) -> Option<T>,
    ) -> Option<T> {
        if self.value(key).is_none() {
            r.error(&self.span, format!("missing `{key}`"));
        }
        self.get(r, key, convert)
    }
}

/// A string value, with its place.
pub(super) fn string<'t>(
    r: &mut Reporter<'_>,
    key: &str,
    value: &'t Value<'_>,
) -> Option<Spanned<&'t str>> {
    match value.get_ref() {
        DeValue::String(text) => Some(Spanned::new(value.span(), text.as_ref())),
        other => {
            r.error(
                &value.span(),
                format!("`{key}` must be a string, not {}", a(other)),
            );
            None
        }
    }
}

/// A string that must not be empty (an empty title or name is always a slip).
pub(super) fn text(r: &mut Reporter<'_>, key: &str, value: &Value<'_>) -> Option<String> {
    let text = string(r, key, value)?;
    if text.get_ref().trim().is_empty() {
        r.error(&text.span(), format!("`{key}` must not be empty"));
        return None;
    }
    Some(text.get_ref().to_string())
}

/// A string turned into `T` by `parse`, whose error message is reported at the value.
pub(super) fn parsed<'t, T>(
    parse: impl FnOnce(&str) -> Result<T, String>,
) -> impl FnOnce(&mut Reporter<'_>, &str, &'t Value<'_>) -> Option<T> {
    move |r, key, value| {
        let text = string(r, key, value)?;
        parse(text.get_ref())
            .map_err(|message| r.error(&text.span(), message))
            .ok()
    }
}

pub(super) fn boolean(r: &mut Reporter<'_>, key: &str, value: &Value<'_>) -> Option<bool> {
    match value.get_ref() {
        DeValue::Boolean(flag) => Some(*flag),
        other => {
            r.error(
                &value.span(),
                format!("`{key}` must be true or false, not {}", a(other)),
            );
            None
        }
    }
}

/// A whole number of at least one (counts and limits, where zero would mean "do nothing").
pub(super) fn count(r: &mut Reporter<'_>, key: &str, value: &Value<'_>) -> Option<usize> {
    let DeValue::Integer(number) = value.get_ref() else {
        r.error(
            &value.span(),
            format!("`{key}` must be a whole number, not {}", a(value.get_ref())),
        );
        return None;
    };
    match i128::from_str_radix(number.as_str(), number.radix()) {
        Ok(n) if n >= 1 => usize::try_from(n)
            .map_err(|_| r.error(&value.span(), format!("`{key}` is too large")))
            .ok(),
        _ => {
            r.error(&value.span(), format!("`{key}` must be at least 1"));
            None
        }
    }
}

/// An array of strings, each with its place.
pub(super) fn strings<'t>(
    r: &mut Reporter<'_>,
    key: &str,
    value: &'t Value<'_>,
) -> Option<Vec<Spanned<&'t str>>> {
    let DeValue::Array(items) = value.get_ref() else {
        r.error(
            &value.span(),
            format!(
                "`{key}` must be a list of strings, e.g. [\"a\", \"b\"], not {}",
                a(value.get_ref())
            ),
        );
        return None;
    };
    let strings = items
        .iter()
        .filter_map(|item| match item.get_ref() {
            DeValue::String(text) => Some(Spanned::new(item.span(), text.as_ref())),
            other => {
                r.error(
                    &item.span(),
                    format!("`{key}` must hold only strings, not {}", a(other)),
                );
                None
            }
        })
        .collect();
    // The strings are still worth checking after a wrong item, to report their mistakes too.
    Some(strings)
}

/// The value's type with an article, for messages: "an integer", "a string".
fn a(value: &DeValue<'_>) -> String {
    let kind = value.type_str();
    let article = if kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {kind}")
}
