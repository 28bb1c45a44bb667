//! Stage 7: [`Edition`] → files in `output_dir`, each written atomically.
//!
//! Writes `feeds/{section}.xml` (RSS 2.0) and `feeds/{section}.atom` (Atom 1.0) for every section,
//! `all` included.
//!
//! Output is a pure function of the edition and the settings: no clock, no randomness, every map
//! ordered. A file is only replaced when its bytes change, so an unchanged edition leaves every file
//! (and its mtime, hence the HTTP validators derived from it) untouched.

mod atom_feed;
mod json_feed;
pub mod precompress;
mod rss_feed;

use std::collections::{BTreeSet, HashSet};
use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use url::Url;

use crate::config::{Config, Settings};
use crate::merge::{Coverage, Edition, Labels, Related, SectionEdition, StoredItem};
use crate::parallel;
use crate::site::{self, Site};

/// Folder of the output feeds, relative to `output_dir`.
pub const FEEDS_DIR: &str = "feeds";

/// Folder of the block feeds (headlines, ranking, latest, photos), relative to `output_dir`.
pub const BLOCKS_DIR: &str = "feeds/blocks";

/// The subscriptions as OPML, relative to `output_dir`.
pub const SOURCES_FILE: &str = "sources.opml";

/// The files the last publish made, one relative path a line: what is in it and no longer part
/// of the edition (a section or block removed from the config) is deleted, and nothing else in
/// the folder is ever touched. A dotfile, so the server never serves it.
pub const MANIFEST_FILE: &str = ".gazette-files";

/// Date part of every `tag:` URI we mint. Fixed forever: changing it would change every id.
const TAG_DATE: &str = "2026";

/// Names gazette in the feeds it writes.
const GENERATOR: &str = "gazette";

/// How many files are written at once. Each write waits on its fsyncs, and the disk serves many
/// files' at once about as fast as one's: a first publish of some 300 files (copies included)
/// took 2 s one at a time and a tenth of that sixteen at a time.
const WRITERS: usize = 16;

/// Owns the output folder.
#[derive(Debug, Clone)]
pub struct Publisher {
    output_dir: PathBuf,
    base_url: Url,
    title: String,
    language: String,
    websub_hub: Option<Url>,
    /// Zone the pages show times in.
    timezone: chrono_tz::Tz,
}

/// What a publish wrote.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PublishReport {
    /// Every file written, relative to the output folder. Files whose bytes did not change are
    /// left alone and not listed.
    pub files: Vec<PathBuf>,
    /// Files of an earlier edition that this one no longer has, deleted with their compressed
    /// copies.
    pub removed: Vec<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot remove {path}: {source}")]
    Remove {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot render {path}: {source}")]
    Render {
        path: PathBuf,
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error(
        "section id {id:?} cannot be used in a file name or URL (letters, digits, `-`, `_` and `.` only)"
    )]
    SectionId { id: String },
}

impl Publisher {
    pub fn new(settings: &Settings) -> Publisher {
        Publisher {
            output_dir: settings.output_dir.clone(),
            base_url: settings.base_url.clone(),
            title: settings.title.clone(),
            language: settings.language.clone(),
            websub_hub: settings.websub_hub.clone(),
            timezone: settings.timezone,
        }
    }

    pub fn output_dir(&self) -> &Path {
        &self.output_dir
    }

    /// Writes every file of `edition` whose bytes differ from what is on disk: each section's and
    /// block's feeds, then the pages. Everything is rendered before anything is written, so a
    /// refused section id or a failed render leaves the folder as it was.
    pub fn publish(&self, edition: &Edition) -> Result<PublishReport, PublishError> {
        for dir in [FEEDS_DIR, BLOCKS_DIR, site::SECTIONS_DIR, ""] {
            remove_stale_temp_files(&self.output_dir.join(dir));
        }
        let mut outputs = self.render_feeds(edition)?;
        outputs.extend(self.render_site(edition)?);
        let written = parallel::map_waiting(&outputs, WRITERS, |output| {
            write_if_changed(&self.output_dir.join(&output.file), &output.bytes)
        });
        let mut report = PublishReport::default();
        let mut made = BTreeSet::new();
        for (output, written) in outputs.into_iter().zip(written) {
            let written = written.map_err(|source| PublishError::Write {
                path: self.output_dir.join(&output.file),
                source,
            })?;
            if written {
                report.files.push(output.file.clone());
            }
            made.insert(output.file);
        }
        report.removed = self.remove_stale_files(&made)?;
        Ok(report)
    }

    /// Every section's and block's feed in every format.
    fn render_feeds(&self, edition: &Edition) -> Result<Vec<Output>, PublishError> {
        let mut outputs = Vec::new();
        let sections = edition.sections.iter().map(|section| (FEEDS_DIR, section));
        let blocks = edition.blocks.iter().map(|block| (BLOCKS_DIR, &block.feed));
        for (dir, section) in sections.chain(blocks) {
            let feed = FeedMeta::new(self, section, dir, edition);
            let formats = [
                ("xml", rss_feed::render as Renderer),
                ("atom", atom_feed::render as Renderer),
                ("json", json_feed::render as Renderer),
            ];
            for (extension, render) in formats {
                let file = feed_file(dir, &section.id, extension)?;
                let self_url = self.base_url.join(&file_url_path(&file)).map_err(|_| {
                    PublishError::SectionId {
                        id: section.id.clone(),
                    }
                })?;
                let bytes =
                    render(&feed, self_url.as_str()).map_err(|source| PublishError::Render {
                        path: self.output_dir.join(&file),
                        source,
                    })?;
                outputs.push(Output { file, bytes });
            }
        }
        Ok(outputs)
    }

    /// Deletes the files the manifest lists that are not in `made` (with their compressed
    /// copies), then records `made` as the manifest: deleting first means a crash in between
    /// only repeats the deletions. The paths deleted.
    fn remove_stale_files(&self, made: &BTreeSet<PathBuf>) -> Result<Vec<PathBuf>, PublishError> {
        let manifest = self.output_dir.join(MANIFEST_FILE);
        let listed = match fs::read_to_string(&manifest) {
            Ok(text) => text,
            Err(error) if error.kind() == io::ErrorKind::NotFound => String::new(),
            Err(source) => {
                return Err(PublishError::Write {
                    path: manifest,
                    source,
                });
            }
        };
        let mut removed = Vec::new();
        for file in listed.lines().map(PathBuf::from) {
            // Only plain relative paths: a manifest edited by hand must not reach outside.
            let inside = file
                .components()
                .all(|part| matches!(part, std::path::Component::Normal(_)));
            if !inside || file.as_os_str().is_empty() || made.contains(&file) {
                continue;
            }
            let path = self.output_dir.join(&file);
            let copies = precompress::Encoding::ALL.map(|encoding| encoding.variant_path(&path));
            for path in std::iter::once(path).chain(copies) {
                match fs::remove_file(&path) {
                    Ok(()) => {}
                    Err(error) if error.kind() == io::ErrorKind::NotFound => {}
                    Err(source) => return Err(PublishError::Remove { path, source }),
                }
            }
            removed.push(file);
        }
        let text: String = made
            .iter()
            .map(|file| format!("{}\n", file_url_path(file)))
            .collect();
        if text != listed {
            write_atomic(&manifest, text.as_bytes()).map_err(|source| PublishError::Write {
                path: manifest,
                source,
            })?;
        }
        Ok(removed)
    }

    /// The pages of the static site.
    fn render_site(&self, edition: &Edition) -> Result<Vec<Output>, PublishError> {
        let site = Site {
            title: self.title.clone(),
            base_url: self.base_url.clone(),
            language: self.language.clone(),
            timezone: self.timezone,
        };
        let pages = site::pages(edition, &site).map_err(|source| PublishError::Render {
            path: self.output_dir.clone(),
            source: Box::new(source),
        })?;
        Ok(pages
            .into_iter()
            .map(|page| Output {
                file: page.path,
                bytes: page.html.into_bytes(),
            })
            .collect())
    }

    /// Writes `sources.opml`, the subscriptions as OPML, if it changed; the file if it wrote it.
    pub fn publish_sources(&self, config: &Config) -> Result<Option<PathBuf>, PublishError> {
        let path = self.output_dir.join(SOURCES_FILE);
        let written = write_if_changed(&path, crate::opml::export(config).as_bytes())
            .map_err(|source| PublishError::Write { path, source })?;
        Ok(written.then(|| PathBuf::from(SOURCES_FILE)))
    }

    /// The authority of our `tag:` URIs: the public host, so ids differ between deployments.
    fn tag_authority(&self) -> &str {
        // `Settings` guarantees an http(s) URL, which always has a host.
        self.base_url.host_str().unwrap_or("localhost")
    }
}

/// `{dir}/{id}.{extension}`, refusing ids that could escape the folder or break the URL.
fn feed_file(dir: &str, id: &str, extension: &str) -> Result<PathBuf, PublishError> {
    let safe = !id.is_empty()
        && !id.starts_with('.')
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !safe {
        return Err(PublishError::SectionId { id: id.to_owned() });
    }
    Ok(Path::new(dir).join(format!("{id}.{extension}")))
}

/// `file` (relative to the output folder) as a URL path relative to `base_url`.
pub(crate) fn file_url_path(file: &Path) -> String {
    file.iter()
        .map(|part| part.to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// One rendered file of the edition.
struct Output {
    /// Relative to the output folder.
    file: PathBuf,
    bytes: Vec<u8>,
}

/// Renders one feed document given its own public URL; both formats share this shape.
type Renderer = fn(&FeedMeta, &str) -> Result<Vec<u8>, Box<dyn std::error::Error + Send + Sync>>;

/// Everything the RSS and Atom renderers need about one output feed, computed once for both.
/// Every string is already safe to put in XML.
struct FeedMeta<'a> {
    /// "{settings.title} — {section title}".
    title: String,
    /// The site: `base_url`.
    site_url: &'a str,
    language: String,
    /// Who publishes the combined feed: the configured title.
    publisher: String,
    /// `tag:` URI of the feed itself.
    id: String,
    /// Newest item date, else when the edition was made: a function of the content only, so that
    /// the same items give the same bytes.
    updated: DateTime<Utc>,
    /// The WebSub hub to announce (`rel="hub"`), if any.
    hub: Option<&'a str>,
    /// The words of the configured language, for the line naming a story's other sources.
    labels: &'static Labels,
    /// The section's items, newest first, each id once (a duplicate id makes a feed invalid).
    items: Vec<ItemMeta>,
}

/// One item with the values both formats derive the same way.
struct ItemMeta {
    /// `tag:{host},2026:{key}`: the same across cycles and restarts.
    id: String,
    title: String,
    /// The original's URL, if it is a valid absolute URL.
    link: Option<String>,
    /// Plain text.
    summary: Option<String>,
    content_html: Option<String>,
    authors: Vec<String>,
    categories: Vec<String>,
    published: DateTime<Utc>,
    /// Never before `published`.
    updated: DateTime<Utc>,
    source: SourceMeta,
    /// A picture's absolute URL.
    image: Option<String>,
    /// Who else reported the story, links checked like the item's.
    coverage: Option<Coverage>,
}

/// The feed an item came from.
struct SourceMeta {
    name: String,
    /// The feed's URL, if it is a valid absolute URL.
    feed_url: Option<String>,
    /// The feed's site, if it is a valid absolute URL.
    site_link: Option<String>,
}

impl<'a> FeedMeta<'a> {
    fn new(
        publisher: &'a Publisher,
        section: &SectionEdition,
        dir: &str,
        edition: &Edition,
    ) -> FeedMeta<'a> {
        let authority = publisher.tag_authority();
        let generated = edition.generated;
        let mut items: Vec<ItemMeta> = section
            .items
            .iter()
            .map(|stored| ItemMeta::new(stored, authority, edition.coverage.get(&stored.key())))
            .collect();
        let mut seen = HashSet::new();
        items.retain(|item| seen.insert(item.id.clone()));
        let updated = items
            .iter()
            .map(|item| item.updated)
            .max()
            .unwrap_or_else(|| representable(generated));
        FeedMeta {
            title: xml_text(&format!("{} — {}", publisher.title, section.title)),
            site_url: publisher.base_url.as_str(),
            language: xml_text(&publisher.language),
            publisher: xml_text(&publisher.title),
            id: format!("tag:{authority},{TAG_DATE}:{dir}/{}", section.id),
            updated,
            hub: publisher.websub_hub.as_ref().map(Url::as_str),
            labels: Labels::for_language(&publisher.language),
            items,
        }
    }
}

impl ItemMeta {
    fn new(stored: &StoredItem, authority: &str, coverage: Option<&Coverage>) -> ItemMeta {
        let item = &stored.item;
        let published = representable(stored.date());
        let updated = item.updated.map_or(published, representable).max(published);
        let texts = |values: &[String]| values.iter().map(|v| xml_text(v)).collect();
        ItemMeta {
            id: format!("tag:{authority},{TAG_DATE}:{}", stored.key()),
            title: xml_text(&item.title),
            link: item.link.as_deref().and_then(absolute_url),
            summary: item.summary.as_deref().map(xml_text),
            content_html: item.content_html.as_deref().map(xml_text),
            authors: texts(&item.authors),
            categories: texts(&item.categories),
            published,
            updated,
            source: SourceMeta {
                name: xml_text(&stored.source.name),
                feed_url: absolute_url(&stored.source.feed_url),
                site_link: stored.source.site_link.as_deref().and_then(absolute_url),
            },
            image: item.image.as_deref().and_then(absolute_url),
            coverage: coverage.map(|coverage| Coverage {
                outlets: coverage.outlets,
                // Feeds name other outlets only: copies from one outlet are not other outlets.
                others: coverage
                    .other_outlets()
                    .map(|other| Related {
                        source: xml_text(&other.source),
                        title: xml_text(&other.title),
                        link: other.link.as_deref().and_then(absolute_url),
                        copy: false,
                    })
                    .collect(),
            }),
        }
    }
}

impl ItemMeta {
    /// The summary as HTML (escaped, so that a literal `<` or `&` shows as written), then a
    /// line naming the story's other sources, each linked to its article: "3개 매체: A, B".
    /// RSS and Atom have no field for related articles that readers show, so they go in the
    /// text everyone reads. `None` when there is neither.
    fn description_html(&self, labels: &Labels) -> Option<String> {
        let summary = self
            .summary
            .as_deref()
            .map(|summary| quick_xml::escape::escape(summary).into_owned());
        let coverage = self
            .coverage
            .as_ref()
            .filter(|coverage| !coverage.others.is_empty())
            .map(|coverage| {
                let sources: Vec<String> = coverage
                    .others
                    .iter()
                    .map(|other| {
                        let name = quick_xml::escape::escape(&other.source);
                        match &other.link {
                            Some(link) => {
                                let href = quick_xml::escape::escape(link);
                                format!("<a href=\"{href}\">{name}</a>")
                            }
                            None => name.into_owned(),
                        }
                    })
                    .collect();
                let count = labels.sources(coverage.outlets);
                format!(
                    "<p>{}: {}</p>",
                    quick_xml::escape::escape(&count),
                    sources.join(", ")
                )
            });
        match (summary, coverage) {
            (Some(summary), Some(coverage)) => Some(format!("<p>{summary}</p>{coverage}")),
            (summary, coverage) => summary.or(coverage),
        }
    }
}

/// `value` as a valid absolute http(s) URL, or `None`: validators reject relative or broken links,
/// and readers must never be handed a `javascript:` or `data:` one.
fn absolute_url(value: &str) -> Option<String> {
    Url::parse(value)
        .ok()
        .filter(|url| matches!(url.scheme(), "http" | "https"))
        .map(String::from)
}

/// `text` without the characters XML 1.0 cannot hold (most C0 controls, U+FFFE, U+FFFF), which
/// would make the whole document unreadable to every client.
fn xml_text(text: &str) -> String {
    text.chars()
        .filter(|&c| match c {
            '\t' | '\n' | '\r' => true,
            '\u{FFFE}' | '\u{FFFF}' => false,
            c => c >= ' ',
        })
        .collect()
}

/// `date` clamped to years 1–9999: RFC 822 and RFC 3339 only write four-digit years, and a
/// feed claiming year 20250 must not make ours invalid.
fn representable(date: DateTime<Utc>) -> DateTime<Utc> {
    date.clamp(EARLIEST, LATEST)
}

/// The first day with a four-digit year. A `const`: evaluated when compiling, so the `panic!`
/// can only ever fail the build.
const EARLIEST: DateTime<Utc> = match NaiveDate::from_ymd_opt(1, 1, 1) {
    Some(day) => day.and_time(NaiveTime::MIN).and_utc(),
    None => panic!("0001-01-01 is a date"),
};

/// The last day with a four-digit year (see [`EARLIEST`]).
const LATEST: DateTime<Utc> = match NaiveDate::from_ymd_opt(9999, 12, 31) {
    Some(day) => day.and_time(NaiveTime::MIN).and_utc(),
    None => panic!("9999-12-31 is a date"),
};

/// Writes `bytes` to `path`, with its compressed copies, unless the file already holds exactly
/// them and has its copies; true if it wrote.
fn write_if_changed(path: &Path, bytes: &[u8]) -> io::Result<bool> {
    match fs::read(path) {
        Ok(existing) if existing == bytes && precompress::present(path) => Ok(false),
        _ => {
            precompress::write(path, bytes)?;
            write_atomic(path, bytes).map(|()| true)
        }
    }
}

/// Writes `bytes` to `path` so that readers see the old file or the new one, never a part:
/// a temporary file in the same folder, fsync, rename, fsync of the folder. Creates the folder
/// if needed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the path has no file name"))?;
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    fs::create_dir_all(dir)?;

    // Unique per process and call, so concurrent writers never share a temporary file.
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut temp_name = std::ffi::OsString::from(".");
    temp_name.push(name);
    temp_name.push(format!(
        ".{}.{}{TEMP_SUFFIX}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let temp = dir.join(temp_name);

    let result = (|| {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&temp, path)?;
        sync_dir(dir)
    })();
    if result.is_err() {
        // Best effort: the temporary file is garbage whatever happened.
        let _ = fs::remove_file(&temp);
    }
    result
}

/// Ends every temporary file name `write_atomic` makes: `.{name}.{pid}.{counter}.tmp`.
const TEMP_SUFFIX: &str = ".tmp";

/// The process that made the temporary file called `name`, if it is one of ours.
fn temp_file_pid(name: &str) -> Option<u32> {
    let inner = name.strip_prefix('.')?.strip_suffix(TEMP_SUFFIX)?;
    let mut parts = inner.rsplitn(3, '.');
    parts.next()?.parse::<u64>().ok()?;
    let pid = parts.next()?.parse().ok()?;
    parts.next().filter(|original| !original.is_empty())?;
    Some(pid)
}

/// Removes the temporary files a killed process left in `dir`: they may be partial and would be
/// served as if they were output. This process's own are kept, as they may be mid-write. Best
/// effort: a file that cannot be removed now will be on a later publish.
fn remove_stale_temp_files(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let own = std::process::id();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let stale = name
            .to_str()
            .and_then(temp_file_pid)
            .is_some_and(|pid| pid != own);
        if stale {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Makes a rename in `dir` durable: without it a crash can lose the new directory entry.
#[cfg(unix)]
fn sync_dir(dir: &Path) -> io::Result<()> {
    fs::File::open(dir)?.sync_all()
}

/// Windows cannot open folders as files; NTFS journals the rename itself.
#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests;
