//! The files of `output_dir` over HTTP: validators, 304s, precompressed copies, content types.
//!
//! # Validators
//!
//! The `ETag` of a response is a SHA-256 prefix of the exact bytes it carries, so it is strong
//! (equal tags mean equal bytes), it survives restarts and is the same on every replica serving
//! the same output. Metadata such as size and mtime would be cheaper but is not strong: two
//! versions written in one timestamp tick with the same length would share a tag, and a restore
//! or copy changes the tag of unchanged bytes. Each encoding has its own tag, as RFC 9110 requires
//! of different representations.
//!
//! Hashing per request would cost more than sending, so each file is read, hashed and its
//! compressed copies checked once, then kept in memory with the `(device, inode, size, mtime)` it
//! was read with. Every request compares that against a fresh `stat`: publishing replaces files by
//! renaming a new one over them (a new inode), and the cache keeps the file it read open, so its
//! inode cannot be reused by a later version while the entry exists. A changed file is therefore
//! always noticed on its next request. The cache holds at most the files of `output_dir`, which
//! gazette writes and keeps small; an entry goes when its file does.
//!
//! # Paths
//!
//! A request path is percent-decoded segment by segment, and any segment that is not one plain
//! file name (`..`, an encoded `/` or `\`, NUL, invalid UTF-8) is refused with 400. Names starting
//! with `.` (the publisher's temporary files) and the compressed copies themselves are never served.
//! Only regular files are served, and only when their path, symlinks resolved, is still inside
//! `output_dir`.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, OnceLock, PoisonError, RwLock};
use std::time::{Duration, SystemTime};

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use percent_encoding::percent_decode_str;
use sha2::{Digest, Sha256};

use super::negotiate;
use crate::layout::FEEDS_DIR;
use crate::publish::precompress::{Encoding, compressible};

/// Served for a directory.
const INDEX: &str = "index.html";

/// The output folder and what was read of it.
#[derive(Debug)]
pub(super) struct Files {
    root: PathBuf,
    /// `root` with its symlinks resolved, once it exists.
    canonical_root: OnceLock<PathBuf>,
    cache: RwLock<HashMap<PathBuf, Arc<Cached>>>,
}

/// One file as read, with everything needed to answer for it.
#[derive(Debug)]
struct Cached {
    /// Keeps the inode that `stamp` names from being reused (see the module docs).
    _pinned: File,
    stamp: Stamp,
    /// Whole seconds, as `Last-Modified` says.
    modified: SystemTime,
    last_modified: HeaderValue,
    content_type: &'static str,
    /// Whether responses depend on `Accept-Encoding` (the file has or may get compressed copies).
    varies: bool,
    identity: Representation,
    /// Verified copies, most preferred first.
    encoded: Vec<(Encoding, Representation)>,
}

/// The bytes of one encoding of a file and their tag.
#[derive(Debug)]
struct Representation {
    bytes: Bytes,
    etag: HeaderValue,
}

/// What identifies one version of a file on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    device: u64,
    inode: u64,
    len: u64,
    modified: Option<SystemTime>,
}

/// Why a request path names no file.
#[derive(Debug, PartialEq)]
enum Refusal {
    /// Not a path we would ever serve: traversal, encoded separators, bad encoding.
    BadRequest,
    NotFound,
}

impl Files {
    pub(super) fn new(root: PathBuf) -> Files {
        Files {
            root,
            canonical_root: OnceLock::new(),
            cache: RwLock::default(),
        }
    }

    /// The response to a GET or HEAD of `path` (the request URI's path, still percent-encoded).
    pub(super) async fn respond(
        &self,
        path: &str,
        headers: &HeaderMap,
        max_age: Duration,
    ) -> Response {
        let relative = match relative_path(path) {
            Ok(relative) => relative,
            Err(refusal) => return refusal.into_response(),
        };
        let mut file = self.root.join(&relative);
        // `stat` of a file in the page cache takes microseconds, well under the cost of handing it
        // to the blocking pool, so it runs here.
        let mut metadata = std::fs::metadata(&file);
        let mut key = relative;
        if metadata.as_ref().is_ok_and(|m| m.is_dir()) {
            if !path.ends_with('/') {
                // Relative links in the index resolve against the folder only with the slash.
                return redirect(&format!("{path}/"));
            }
            file.push(INDEX);
            key.push(INDEX);
            metadata = std::fs::metadata(&file);
        }
        let stamp = match metadata {
            Ok(metadata) if metadata.is_file() => Stamp::of(&metadata),
            _ => {
                self.forget(&key);
                return Refusal::NotFound.into_response();
            }
        };
        match self.cached(key, file, stamp).await {
            Ok(cached) => cached.respond(headers, max_age),
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                Refusal::NotFound.into_response()
            }
            Err(error) => {
                tracing::error!("cannot read {path}: {error}");
                (StatusCode::INTERNAL_SERVER_ERROR, "cannot read the file\n").into_response()
            }
        }
    }

    /// Whether `file`, with every symlink on its way resolved, is inside the output folder: a
    /// link in the output never exposes what it points to elsewhere (`/etc/passwd`).
    fn contains(&self, file: &Path) -> bool {
        let root = match self.canonical_root.get() {
            Some(root) => root,
            None => match std::fs::canonicalize(&self.root) {
                // Resolved once: the folder itself does not move while the server runs.
                Ok(root) => self.canonical_root.get_or_init(|| root),
                Err(_) => return false,
            },
        };
        std::fs::canonicalize(file).is_ok_and(|resolved| resolved.starts_with(root))
    }

    /// The cached read of `file` if it is still the version `stamp` names, else a fresh read.
    async fn cached(&self, key: PathBuf, file: PathBuf, stamp: Stamp) -> io::Result<Arc<Cached>> {
        let hit = self
            .cache
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
            .filter(|cached| cached.stamp == stamp)
            .cloned();
        if let Some(cached) = hit {
            // The same file (device and inode) as was found inside the folder when read.
            return Ok(cached);
        }
        if !self.contains(&file) {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                "outside the output folder",
            ));
        }
        let content_type = content_type(&key);
        let cached = tokio::task::spawn_blocking(move || Cached::read(&file, content_type))
            .await
            .map_err(io::Error::other)??;
        let cached = Arc::new(cached);
        self.cache
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key, Arc::clone(&cached));
        Ok(cached)
    }

    /// Drops the entry of a file that is gone, closing the file it kept open.
    /// Only takes the write lock when there is something to drop, so a flood of requests for
    /// missing files never blocks the others.
    fn forget(&self, key: &Path) {
        let known = self
            .cache
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .contains_key(key);
        if known {
            let mut cache = self.cache.write().unwrap_or_else(PoisonError::into_inner);
            cache.remove(key);
        }
    }
}

impl Cached {
    /// Reads `path` and its compressed copies, keeping only copies that decode to its bytes.
    fn read(path: &Path, content_type: &'static str) -> io::Result<Cached> {
        let mut file = File::open(path)?;
        // The stamp comes from the open file, so it describes exactly the bytes read from it.
        let metadata = file.metadata()?;
        let mut bytes = Vec::with_capacity(usize::try_from(metadata.len()).unwrap_or(0));
        file.read_to_end(&mut bytes)?;
        let varies = compressible(path);
        let encoded = if varies {
            Encoding::ALL
                .into_iter()
                .filter_map(|encoding| {
                    let copy = std::fs::read(encoding.variant_path(path)).ok()?;
                    let useful = copy.len() < bytes.len() && encoding.decodes_to(&copy, &bytes);
                    useful.then(|| (encoding, Representation::new(copy)))
                })
                .collect()
        } else {
            Vec::new()
        };
        let modified = negotiate::whole_seconds(metadata.modified()?);
        Ok(Cached {
            stamp: Stamp::of(&metadata),
            _pinned: file,
            modified,
            last_modified: header_value(&httpdate::fmt_http_date(modified)),
            content_type,
            varies,
            identity: Representation::new(bytes),
            encoded,
        })
    }

    /// 200 with the best encoding the client accepts, or 304 when its copy is current.
    fn respond(&self, headers: &HeaderMap, max_age: Duration) -> Response {
        let (encoding, representation) = self
            .encoded
            .iter()
            .find(|(encoding, _)| negotiate::accepts(headers, *encoding))
            .map_or((None, &self.identity), |(encoding, representation)| {
                (Some(*encoding), representation)
            });
        // If-None-Match wins over If-Modified-Since when both are sent (RFC 9110 §13.2.2).
        let etag = representation.etag.to_str().unwrap_or_default();
        if negotiate::precondition_fails(headers, etag, self.modified) {
            return (
                StatusCode::PRECONDITION_FAILED,
                [(header::ETAG, representation.etag.clone())],
                "precondition failed\n",
            )
                .into_response();
        }
        let not_modified = negotiate::none_match(headers, etag)
            .or_else(|| negotiate::not_modified_since(headers, self.modified))
            .unwrap_or(false);

        let mut response = if not_modified {
            StatusCode::NOT_MODIFIED.into_response()
        } else {
            let mut response = Response::new(Body::from(representation.bytes.clone()));
            let response_headers = response.headers_mut();
            response_headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(self.content_type),
            );
            if let Some(encoding) = encoding {
                response_headers.insert(
                    header::CONTENT_ENCODING,
                    HeaderValue::from_static(encoding.token()),
                );
            }
            response
        };
        let response_headers = response.headers_mut();
        response_headers.insert(header::ETAG, representation.etag.clone());
        response_headers.insert(header::LAST_MODIFIED, self.last_modified.clone());
        response_headers.insert(
            header::CACHE_CONTROL,
            header_value(&format!("public, max-age={}", max_age.as_secs())),
        );
        response_headers.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        if self.varies {
            response_headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        }
        response
    }
}

impl Representation {
    fn new(bytes: Vec<u8>) -> Representation {
        let digest = Sha256::digest(&bytes);
        let etag = format!("\"{}\"", hex::encode(&digest[..16]));
        Representation {
            bytes: Bytes::from(bytes),
            etag: header_value(&etag),
        }
    }
}

impl Stamp {
    fn of(metadata: &std::fs::Metadata) -> Stamp {
        #[cfg(unix)]
        let (device, inode) = {
            use std::os::unix::fs::MetadataExt;
            (metadata.dev(), metadata.ino())
        };
        // Without inodes a replaced file is still told by its mtime and size.
        #[cfg(not(unix))]
        let (device, inode) = (0, 0);
        Stamp {
            device,
            inode,
            len: metadata.len(),
            modified: metadata.modified().ok(),
        }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Refusal::BadRequest => (StatusCode::BAD_REQUEST, "bad request\n").into_response(),
            Refusal::NotFound => super::not_found().into_response(),
        }
    }
}

/// The file a request path names, relative to the output folder.
fn relative_path(path: &str) -> Result<PathBuf, Refusal> {
    let mut relative = PathBuf::new();
    for raw in path.split('/') {
        let segment = percent_decode_str(raw)
            .decode_utf8()
            .map_err(|_| Refusal::BadRequest)?;
        if segment.is_empty() || segment == "." {
            continue;
        }
        let mut components = Path::new(segment.as_ref()).components();
        let plain = matches!(
            (components.next(), components.next()),
            (Some(Component::Normal(_)), None)
        );
        if !plain || segment.contains(['/', '\\', '\0']) {
            return Err(Refusal::BadRequest);
        }
        let copy = Encoding::ALL
            .iter()
            .any(|encoding| segment.ends_with(encoding.suffix()));
        if segment.starts_with('.') || copy {
            return Err(Refusal::NotFound);
        }
        relative.push(segment.as_ref());
    }
    Ok(relative)
}

/// The content type of the file at `relative`. `.xml` and `.json` are feeds in the feeds folder
/// only; anywhere else they are generic XML and JSON.
fn content_type(relative: &Path) -> &'static str {
    let in_feeds = relative.components().next() == Some(Component::Normal(FEEDS_DIR.as_ref()));
    let extension = relative.extension().and_then(|e| e.to_str()).unwrap_or("");
    match extension {
        "xml" if in_feeds => "application/rss+xml; charset=utf-8",
        "json" if in_feeds => "application/feed+json; charset=utf-8",
        "xml" => "application/xml; charset=utf-8",
        "json" => "application/json; charset=utf-8",
        "atom" => "application/atom+xml; charset=utf-8",
        "html" => "text/html; charset=utf-8",
        "opml" => "text/x-opml; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "eml" => "message/rfc822",
        _ => "application/octet-stream",
    }
}

/// 301 to `location` (a path of ours, so always a valid header value once encoded).
fn redirect(location: &str) -> Response {
    let mut response = StatusCode::MOVED_PERMANENTLY.into_response();
    response
        .headers_mut()
        .insert(header::LOCATION, header_value(location));
    response
}

/// `text` as a header value; every caller passes visible ASCII, but nothing may panic here.
fn header_value(text: &str) -> HeaderValue {
    HeaderValue::from_str(text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_paths_map_to_plain_relative_paths() {
        let ok = |path: &str| relative_path(path).map(|p| p.to_string_lossy().into_owned());
        assert_eq!(ok("/feeds/all.xml"), Ok("feeds/all.xml".to_owned()));
        assert_eq!(ok("//./feeds//all.xml"), Ok("feeds/all.xml".to_owned()));
        assert_eq!(ok("/%ED%95%9C.html"), Ok("한.html".to_owned()));
        assert_eq!(ok("/"), Ok(String::new()));
        for bad in [
            "/../secret",
            "/feeds/%2e%2e/x",
            "/a%2fb",
            "/a%5cb",
            "/a%00b",
            "/%ff",
        ] {
            assert_eq!(relative_path(bad), Err(Refusal::BadRequest), "{bad}");
        }
        for hidden in [
            "/.env",
            "/feeds/.all.xml.1.0.tmp",
            "/feeds/all.xml.gz",
            "/a.br",
        ] {
            assert_eq!(relative_path(hidden), Err(Refusal::NotFound), "{hidden}");
        }
    }

    #[test]
    fn feeds_get_feed_types_only_in_the_feeds_folder() {
        assert_eq!(
            content_type(Path::new("feeds/all.xml")),
            "application/rss+xml; charset=utf-8"
        );
        assert_eq!(
            content_type(Path::new("sitemap.xml")),
            "application/xml; charset=utf-8"
        );
        assert_eq!(
            content_type(Path::new("feeds/all.json")),
            "application/feed+json; charset=utf-8"
        );
        assert_eq!(
            content_type(Path::new("status.json")),
            "application/json; charset=utf-8"
        );
        assert_eq!(content_type(Path::new("feeds")), "application/octet-stream");
    }
}
