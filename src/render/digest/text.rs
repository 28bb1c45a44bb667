//! The plain-text part: wrapped at 72 columns (Korean characters count two), links gathered at
//! the end as numbered references, so that the text stays readable in any mail client. Pure.

use std::fmt::Write;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::frame::Frame;
use super::html::StoryView;
use crate::model::DigestContent;

const WIDTH: usize = 72;
/// Where a story's lines start after its number ("1. ").
const INDENT: &str = "   ";

pub fn render(content: &DigestContent, frame: &Frame) -> String {
    let lang = frame.lang;
    let mut links = Links::default();
    let mut out = String::new();
    let rule = |c: &str| c.repeat(WIDTH);
    let _ = writeln!(out, "{}", frame.site_title);
    let _ = writeln!(
        out,
        "{} · {}",
        lang.long_date(content.day.date),
        lang.story_count(content.total)
    );
    let _ = writeln!(out, "{}", rule("="));
    if content.is_empty() {
        let _ = writeln!(out, "\n{}", lang.labels().empty_day);
    }
    for section in &content.sections {
        let _ = writeln!(out, "\n■ {}\n{}", section.title, rule("-"));
        for (number, story) in section.stories.iter().enumerate() {
            let story = StoryView::new(story, frame);
            let reference = story
                .link
                .map(|link| format!(" [{}]", links.add(link)))
                .unwrap_or_default();
            let first = format!("{}. ", number + 1);
            paragraph(&mut out, &format!("{}{reference}", story.title), &first);
            paragraph(
                &mut out,
                &format!("{} · {}", story.sources, story.time),
                INDENT,
            );
            if let Some(summary) = &story.summary {
                paragraph(&mut out, summary, INDENT);
            }
            out.push('\n');
        }
        if section.more > 0 {
            let more = lang.more(section.more, &section.title);
            let reference = links.add(section.url.clone());
            paragraph(&mut out, &format!("→ {more} [{reference}]"), INDENT);
        }
    }
    let _ = writeln!(out, "\n{}", rule("-"));
    paragraph(&mut out, &lang.why(&frame.send_time), "");
    paragraph(&mut out, lang.labels().rights, "");
    let web = links.add(frame.page_url.clone());
    let _ = writeln!(out, "{}: [{web}]", lang.labels().web_version);
    let archive = links.add(frame.archive_url.clone());
    let _ = writeln!(out, "{}: [{archive}]", lang.labels().archive);
    if let Some(unsubscribe) = &frame.unsubscribe {
        let reference = links.add(unsubscribe.clone());
        let _ = writeln!(out, "{}: [{reference}]", lang.labels().unsubscribe);
    }
    let _ = writeln!(out, "\n{}", lang.labels().links);
    for (number, link) in links.0.iter().enumerate() {
        let _ = writeln!(out, "[{}] {link}", number + 1);
    }
    out
}

/// The links referenced so far, numbered from 1 in order of first use.
#[derive(Default)]
struct Links(Vec<String>);

impl Links {
    fn add(&mut self, link: String) -> usize {
        match self.0.iter().position(|known| *known == link) {
            Some(index) => index + 1,
            None => {
                self.0.push(link);
                self.0.len()
            }
        }
    }
}

/// Writes `text` wrapped at [`WIDTH`], its first line after `first`, the others indented as far.
fn paragraph(out: &mut String, text: &str, first: &str) {
    let indent = " ".repeat(first.width());
    for (index, line) in wrap(text, WIDTH - indent.len()).iter().enumerate() {
        let lead = if index == 0 { first } else { &indent };
        let _ = writeln!(out, "{lead}{line}");
    }
}

/// Lines of at most `width` columns, broken at spaces; a word wider than a line is broken anywhere.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let needed = if line.is_empty() {
            word.width()
        } else {
            line.width() + 1 + word.width()
        };
        if needed <= width {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        for c in word.chars() {
            if line.width() + c.width().unwrap_or(0) > width {
                lines.push(std::mem::take(&mut line));
            }
            line.push(c);
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_fit_the_width_in_columns() {
        let text = "대전시가 내년도 예산안을 발표했다. ".repeat(8);
        let lines = wrap(&text, 30);
        assert!(lines.len() > 4);
        assert!(lines.iter().all(|line| line.width() <= 30), "{lines:#?}");
        assert_eq!(lines.join(" "), text.trim_end());
        let long = "https://example.com/".repeat(5);
        let lines = wrap(&long, 30);
        assert!(lines.iter().all(|line| line.width() <= 30));
        assert_eq!(lines.concat(), long);
        assert_eq!(wrap("", 10), [""]);
    }

    #[test]
    fn links_are_numbered_once() {
        let mut links = Links::default();
        assert_eq!(links.add("a".into()), 1);
        assert_eq!(links.add("b".into()), 2);
        assert_eq!(links.add("a".into()), 1);
    }
}
