//! A digest day's stories as selection hands them to rendering.

use chrono::{DateTime, Utc};

use super::Day;

/// What one digest says, before it is rendered.
#[derive(Debug, Clone, PartialEq)]
pub struct DigestContent {
    pub day: Day,
    /// Sections with at least one story, in the configured order.
    pub sections: Vec<DigestSection>,
    /// Distinct stories of the day, in every section (listed or not).
    pub total: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DigestSection {
    pub id: String,
    pub title: String,
    /// The section's page on the site, where the stories not listed here are.
    pub url: String,
    pub stories: Vec<Story>,
    /// The section's stories of the day not listed here.
    pub more: usize,
}

/// One story as the digest shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Story {
    pub title: String,
    pub link: Option<String>,
    /// Who published it; several when outlets ran the same story.
    pub sources: Vec<String>,
    pub date: DateTime<Utc>,
    pub summary: Option<String>,
}

impl DigestContent {
    pub fn stories(&self) -> impl Iterator<Item = &Story> {
        self.sections.iter().flat_map(|section| &section.stories)
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }
}
