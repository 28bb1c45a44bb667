//! Collecting mistakes with their place in the file.
//!
//! Everything inside the loader works with byte offsets (what the TOML parser gives us); they become
//! `line:column` only here, so the column can be counted in characters, the way an editor shows it.

use std::ops::Range;

/// One mistake in the file, shown as `FILE:LINE:COL: message`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct Diagnostic {
    /// The file as the user named it.
    pub file: String,
    /// 1-based.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    pub message: String,
}

/// Gathers the mistakes of one file, so that all of them can be reported at once and in file order.
pub(super) struct Reporter<'s> {
    file: String,
    source: &'s str,
    /// Byte offset at which each line starts; `line_starts[0] == 0`.
    line_starts: Vec<usize>,
    /// Byte offset of each mistake, kept for sorting.
    found: Vec<(usize, String)>,
}

impl<'s> Reporter<'s> {
    pub(super) fn new(file: String, source: &'s str) -> Self {
        let line_starts = std::iter::once(0)
            .chain(source.match_indices('\n').map(|(at, _)| at + 1))
            .collect();
        Reporter {
            file,
            source,
            line_starts,
            found: Vec::new(),
        }
    }

    /// Records a mistake at the start of `span`.
    pub(super) fn error(&mut self, span: &Range<usize>, message: impl Into<String>) {
        self.found.push((span.start, message.into()));
    }

    /// 1-based line and character column of a byte offset. Offsets past the end or inside a character
    /// (neither comes from the parser, but a wrong position must never panic) are moved back.
    pub(super) fn position(&self, offset: usize) -> (usize, usize) {
        let offset = self.source.floor_char_boundary(offset);
        let line = self.line_starts.partition_point(|&start| start <= offset);
        let line_start = self.line_starts[line - 1];
        let column = self.source[line_start..offset].chars().count() + 1;
        (line, column)
    }

    /// 1-based line of a byte offset, for messages that point back at an earlier place.
    pub(super) fn line(&self, offset: usize) -> usize {
        self.position(offset).0
    }

    /// The mistakes in file order, or `None` when there were none.
    pub(super) fn finish(mut self) -> Option<Vec<Diagnostic>> {
        if self.found.is_empty() {
            return None;
        }
        // Stable, so two mistakes at one place keep the order they were found in.
        self.found.sort_by_key(|(offset, _)| *offset);
        let diagnostics = self
            .found
            .iter()
            .map(|(offset, message)| {
                let (line, column) = self.position(*offset);
                Diagnostic {
                    file: self.file.clone(),
                    line,
                    column,
                    message: message.clone(),
                }
            })
            .collect();
        Some(diagnostics)
    }
}

/// The candidate closest to `given` (ignoring case), if it is close enough to be what the user meant.
pub(super) fn did_you_mean<'c>(
    given: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    /// Below this, a "did you mean" is more confusing than helpful (clap uses a similar cut-off).
    const CONFIDENCE: f64 = 0.8;
    let given = given.to_lowercase();
    candidates
        .into_iter()
        .map(|candidate| {
            let score = strsim::jaro_winkler(&given, &candidate.to_lowercase());
            (score, candidate)
        })
        .filter(|(score, _)| *score >= CONFIDENCE)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

/// "unknown {what} `{given}`", followed by the closest candidate when there is one, or else by what
/// was `expected`.
pub(super) fn unknown<'c>(
    what: &str,
    given: &str,
    candidates: impl IntoIterator<Item = &'c str>,
    expected: &str,
) -> String {
    match did_you_mean(given, candidates) {
        Some(candidate) => format!("unknown {what} `{given}`, did you mean `{candidate}`?"),
        None => format!("unknown {what} `{given}`: expected {expected}"),
    }
}

/// "`a`, `b`, `c`", for listing what was expected.
pub(super) fn quoted<'c>(items: impl IntoIterator<Item = &'c str>) -> String {
    items
        .into_iter()
        .map(|item| format!("`{item}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_count_characters() {
        let source = "a = 1\n제목 = \"x\"\n";
        let reporter = Reporter::new("f".into(), source);
        assert_eq!(reporter.position(0), (1, 1));
        assert_eq!(reporter.position(6), (2, 1));
        // After "제목 " (two 3-byte characters and a space) comes `=`, the 4th character.
        assert_eq!(reporter.position(6 + 7), (2, 4));
        // The end of the file is a place too (an unterminated string is reported there).
        assert_eq!(reporter.position(source.len()), (3, 1));
    }

    #[test]
    fn positions_never_panic() {
        let reporter = Reporter::new("f".into(), "제목");
        assert_eq!(reporter.position(1), (1, 1));
        assert_eq!(reporter.position(100), (1, 3));
    }

    #[test]
    fn mistakes_come_out_in_file_order() {
        let mut reporter = Reporter::new("feeds.toml".into(), "a\nb\n");
        reporter.error(&(2..3), "second");
        reporter.error(&(0..1), "first");
        let found = reporter.finish().unwrap_or_default();
        let shown: Vec<String> = found.iter().map(ToString::to_string).collect();
        assert_eq!(shown, ["feeds.toml:1:1: first", "feeds.toml:2:1: second"]);
    }

    #[test]
    fn suggests_only_close_candidates() {
        assert_eq!(
            did_you_mean("section", ["sections", "url"]),
            Some("sections")
        );
        assert_eq!(did_you_mean("colour", ["sections", "url"]), None);
        assert_eq!(
            did_you_mean("asia/seoul", ["Asia/Seoul"]),
            Some("Asia/Seoul")
        );
        assert_eq!(
            unknown("key", "colour", ["url"], "`url`"),
            "unknown key `colour`: expected `url`"
        );
    }
}
