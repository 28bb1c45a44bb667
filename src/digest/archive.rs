//! The digest on the site: `digest/YYYY-MM-DD.{html,txt,eml}` for each day, `digest/index.html`
//! listing them, and `feeds/digest.{xml,atom}` with one entry per day. Every file is written
//! atomically.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use super::DigestError;
use crate::config::Config;
use crate::layout::{DIGEST_DIR, DIGEST_FEED, FEEDS_DIR, public_url, write_atomic};
use crate::model::Lang;
use crate::render::digest::feed::DigestFeed;
use crate::render::digest::html;
use crate::store::digests::DigestRecord;

/// Most days in the digest feed: a month of mornings.
const FEED_ENTRIES: usize = 30;

/// Writes one day's page, text and message. Returns the files written, relative to `output_dir`.
pub fn write_day(
    output_dir: &Path,
    day: NaiveDate,
    html: &str,
    text: &str,
    eml: &[u8],
) -> Result<Vec<PathBuf>, DigestError> {
    let files = [
        ("html", html.as_bytes()),
        ("txt", text.as_bytes()),
        ("eml", eml),
    ];
    files
        .into_iter()
        .map(|(extension, bytes)| {
            let file = Path::new(DIGEST_DIR).join(format!("{day}.{extension}"));
            write(output_dir, &file, bytes)
        })
        .collect()
}

/// Writes the archive's index and the digest feeds from every digest built, newest first.
pub fn write_index(config: &Config, records: &[DigestRecord]) -> Result<Vec<PathBuf>, DigestError> {
    let settings = &config.gazette;
    let lang = Lang::of(&settings.language);
    let atom_file = Path::new(FEEDS_DIR).join(format!("{DIGEST_FEED}.atom"));
    let rss_file = Path::new(FEEDS_DIR).join(format!("{DIGEST_FEED}.xml"));
    let atom_url = public_url(&settings.base_url, &atom_file);
    let index = html::index(records, lang, &settings.title, &atom_url)?;
    let recent = &records[..records.len().min(FEED_ENTRIES)];
    let feed = DigestFeed {
        title: format!("{} — {}", settings.title, lang.labels().archive),
        base: &settings.base_url,
        language: &settings.language,
        records: recent,
    };
    let files = [
        (Path::new(DIGEST_DIR).join("index.html"), index.into_bytes()),
        (atom_file, feed.atom(&atom_url).map_err(feed_error)?),
        (
            rss_file.clone(),
            feed.rss(&public_url(&settings.base_url, &rss_file))
                .map_err(feed_error)?,
        ),
    ];
    files
        .iter()
        .map(|(file, bytes)| write(&settings.output_dir, file, bytes))
        .collect()
}

fn write(output_dir: &Path, file: &Path, bytes: &[u8]) -> Result<PathBuf, DigestError> {
    let path = output_dir.join(file);
    write_atomic(&path, bytes).map_err(|source| DigestError::Write { path, source })?;
    Ok(file.to_path_buf())
}

fn feed_error(error: impl std::fmt::Display) -> DigestError {
    DigestError::Feed(error.to_string())
}
