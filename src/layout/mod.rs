//! The output layout: where every file gazette writes lives under `output_dir` (and so under
//! `base_url`), how its `tag:` ids are made, and how it is written (atomically). Shared by the
//! renderers, the publisher, the digest and the server, so that a path or an id rule is written
//! once. Imports nothing else of the crate.

mod atomic;

use std::path::Path;

use url::Url;

pub use atomic::{parent_dir, remove_stale_temp_files, sync_dir, write_atomic, write_temp};

/// Folder of the output feeds, relative to `output_dir`.
pub const FEEDS_DIR: &str = "feeds";

/// Folder of the block feeds (headlines, ranking, latest, photos), relative to `output_dir`.
pub const BLOCKS_DIR: &str = "feeds/blocks";

/// Folder of the section pages, relative to `output_dir`.
pub const SECTIONS_DIR: &str = "sections";

/// The front page, relative to `output_dir`.
pub const INDEX_FILE: &str = "index.html";

/// The pages' one stylesheet, relative to `output_dir`.
pub const STYLE_FILE: &str = "style.css";

/// The subscriptions as OPML, relative to `output_dir`.
pub const SOURCES_FILE: &str = "sources.opml";

/// The files the last publish made, one relative path a line: what is in it and no longer part
/// of the edition (a section or block removed from the config) is deleted, and nothing else in
/// the folder is ever touched. A dotfile, so the server never serves it.
pub const MANIFEST_FILE: &str = ".gazette-files";

/// The digest archive's folder, relative to `output_dir` (and to `base_url`).
pub const DIGEST_DIR: &str = "digest";

/// Name of the digest's feeds in [`FEEDS_DIR`], taken from the section ids.
pub const DIGEST_FEED: &str = "digest";

/// Name of the feed-health feeds in [`FEEDS_DIR`] (`health.xml`, `.atom`, `.json`), taken from
/// the section ids.
pub const HEALTH_FEED: &str = "health";

/// Date part of every `tag:` URI we mint. Fixed forever: changing it would change every id.
const TAG_DATE: &str = "2026";

/// The authority of our `tag:` URIs: the public host, so ids differ between deployments.
pub fn tag_authority(base_url: &Url) -> &str {
    // `Settings` guarantees an http(s) URL, which always has a host.
    base_url.host_str().unwrap_or("localhost")
}

/// `tag:{authority},2026:{name}`: the id of a feed, entry or page, the same across cycles and
/// restarts. `authority` comes from [`tag_authority`].
pub fn tag_uri(authority: &str, name: &str) -> String {
    format!("tag:{authority},{TAG_DATE}:{name}")
}

/// `file` (relative to the output folder) as a public URL under `base_url` (`base_url` itself if
/// the path cannot be joined).
pub fn public_url(base_url: &Url, file: &Path) -> String {
    base_url
        .join(&file_url_path(file))
        .map_or_else(|_| base_url.to_string(), String::from)
}

/// `file` (relative to the output folder) as a URL path relative to `base_url`.
pub fn file_url_path(file: &Path) -> String {
    file.iter()
        .map(|part| part.to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}
