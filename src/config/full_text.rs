//! A feed's `full_text` keys: fetch each new item's article page and publish its text instead of
//! the teaser. Read here, with the feed's other keys, so that a bad selector or `full_text` under
//! a content policy that forbids it is a `gazette check` mistake with its line and column.

use super::diagnostic::Reporter;
use super::read::{Table, boolean, count, parsed, strings};
use super::{ContentPolicy, Css};

/// Article fetches of one feed per cycle when `full_text_max_per_cycle` is not given: enough for
/// a busy feed's new items, few enough that a first poll of hundreds of items does not hammer
/// the site (the rest follow in the next cycles).
pub const DEFAULT_MAX_ARTICLES_PER_CYCLE: usize = 20;

/// The keys that only mean something with `full_text = true`.
const WITH_FULL_TEXT: [&str; 3] = [
    "full_text_selector",
    "full_text_remove",
    "full_text_max_per_cycle",
];

/// How a feed's article pages are read.
#[derive(Debug, Clone, PartialEq)]
pub struct FullTextConfig {
    /// The article body (`div#article-view-content-div`); without it, Readability finds it.
    pub selector: Option<Css>,
    /// What is cut out of the body first: ads, bylines, related links, copyright lines.
    pub remove: Vec<Css>,
    /// Most article fetches of this feed in one cycle.
    pub max_per_cycle: usize,
}

impl FullTextConfig {
    /// Every rule as written, one `key=value` a line: what the feed's identity is made of.
    pub fn source(&self) -> String {
        let mut lines = vec![format!("max_per_cycle={}", self.max_per_cycle)];
        if let Some(selector) = &self.selector {
            lines.push(format!("selector={selector}"));
        }
        lines.extend(self.remove.iter().map(|css| format!("remove={css}")));
        lines.join("\n")
    }
}

/// The feed's `full_text*` keys: `full_text = true` only under `content = "full"`, the others
/// only with it.
pub(super) fn read_full_text(
    r: &mut Reporter<'_>,
    table: &Table<'_, '_>,
    content: ContentPolicy,
) -> Option<FullTextConfig> {
    let enabled = table.get(r, "full_text", boolean).unwrap_or(false);
    let selector = table.get(r, "full_text_selector", parsed(Css::parse));
    let remove = table
        .get(r, "full_text_remove", strings)
        .unwrap_or_default()
        .iter()
        .filter_map(|css| {
            Css::parse(css.get_ref())
                .map_err(|message| r.error(&css.span(), message))
                .ok()
        })
        .collect();
    let max_per_cycle = table
        .get(r, "full_text_max_per_cycle", count)
        .unwrap_or(DEFAULT_MAX_ARTICLES_PER_CYCLE);
    if enabled && content != ContentPolicy::Full {
        if let Some(value) = table.value("full_text") {
            r.error(
                &value.span(),
                "`full_text = true` needs `content = \"full\"`: most publishers forbid \
                 republishing their articles (\"무단전재 및 재배포 금지\"); set it only for feeds whose \
                 publisher allows it",
            );
        }
        return None;
    }
    if !enabled {
        for key in WITH_FULL_TEXT {
            if let Some(value) = table.value(key) {
                r.error(
                    &value.span(),
                    format!("`{key}` without `full_text = true`: add it, or remove this key"),
                );
            }
        }
        return None;
    }
    Some(FullTextConfig {
        selector,
        remove,
        max_per_cycle,
    })
}
