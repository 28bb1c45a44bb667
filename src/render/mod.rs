//! Stage 7: what readers get, as bytes: the feeds ([`feed`]), the pages ([`site`]), the
//! subscriptions as OPML ([`opml`]), the daily digest ([`digest`]),
//! the feeds' health ([`health`]). Pure: no I/O, no clock; [`crate::publish`] writes the files.

pub mod digest;
pub mod feed;
pub mod health;
pub mod opml;
pub mod site;

use std::path::PathBuf;

/// One rendered file.
#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    /// Relative to the output folder.
    pub file: PathBuf,
    pub bytes: Vec<u8>,
}

/// Why a file could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("cannot render {file}: {source}")]
    Render {
        /// Relative to the output folder.
        file: PathBuf,
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error(
        "section id {id:?} cannot be used in a file name or URL (letters, digits, `-`, `_` and `.` only)"
    )]
    SectionId { id: String },
}
