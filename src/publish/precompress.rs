//! Compressed copies of published files, made once at publish time so that the server never
//! compresses per request: `feeds/all.xml` gets `feeds/all.xml.br` and `feeds/all.xml.gz` beside it
//! (the layout nginx's `gzip_static` and `brotli_static` read too).
//!
//! The copies are put in place with the file, in the same all-or-nothing publish (see
//! `generation`), copies first. A crash in between leaves copies that no longer match the file;
//! the server checks that a copy decodes to exactly the file's bytes before it
//! ever serves it, so a stale copy is never sent.

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// A content coding we precompress with, in order of preference (smallest first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Brotli,
    Gzip,
}

impl Encoding {
    /// Every coding, most preferred first.
    pub const ALL: [Encoding; 2] = [Encoding::Brotli, Encoding::Gzip];

    /// The token of `Accept-Encoding` and `Content-Encoding`.
    pub fn token(self) -> &'static str {
        match self {
            Encoding::Brotli => "br",
            Encoding::Gzip => "gzip",
        }
    }

    /// What the copy's name adds to the file's.
    pub fn suffix(self) -> &'static str {
        match self {
            Encoding::Brotli => ".br",
            Encoding::Gzip => ".gz",
        }
    }

    /// Where the copy of `path` in this coding lives.
    pub fn variant_path(self, path: &Path) -> PathBuf {
        let mut name = path.as_os_str().to_owned();
        name.push(self.suffix());
        PathBuf::from(name)
    }

    fn compress(self, bytes: &[u8]) -> io::Result<Vec<u8>> {
        match self {
            Encoding::Brotli => {
                let mut out = Vec::new();
                {
                    // Every changed file is compressed on each publish, so speed matters: quality 5
                    // is several times faster than 9–11 and still well ahead of gzip on feeds.
                    let mut writer = brotli::CompressorWriter::new(&mut out, 64 * 1024, 5, 22);
                    writer.write_all(bytes)?;
                }
                Ok(out)
            }
            Encoding::Gzip => {
                let mut writer =
                    flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
                writer.write_all(bytes)?;
                writer.finish()
            }
        }
    }

    /// Whether `compressed` decodes to exactly `original`. Reads at most one byte past the
    /// original's length, so a corrupt or hostile copy costs no more than a good one.
    pub fn decodes_to(self, compressed: &[u8], original: &[u8]) -> bool {
        let limit = original.len() as u64 + 1;
        let mut decoded = Vec::with_capacity(original.len());
        let read = match self {
            Encoding::Brotli => brotli::Decompressor::new(compressed, 64 * 1024)
                .take(limit)
                .read_to_end(&mut decoded),
            Encoding::Gzip => flate2::read::GzDecoder::new(compressed)
                .take(limit)
                .read_to_end(&mut decoded),
        };
        read.is_ok() && decoded == original
    }
}

/// Whether files like `path` are text worth compressing (by extension).
pub fn compressible(path: &Path) -> bool {
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    matches!(
        extension,
        "xml" | "atom" | "json" | "html" | "opml" | "txt" | "css" | "js" | "svg"
    )
}

/// Whether every compressed copy `path` should have is on disk.
pub(super) fn present(path: &Path) -> bool {
    !compressible(path)
        || Encoding::ALL
            .iter()
            .all(|encoding| encoding.variant_path(path).is_file())
}

/// The compressed copies of `bytes`, the new content of `path`, with their paths: none unless
/// `path` is compressible.
pub(super) fn copies(path: &Path, bytes: &[u8]) -> io::Result<Vec<(PathBuf, Vec<u8>)>> {
    if !compressible(path) {
        return Ok(Vec::new());
    }
    Encoding::ALL
        .into_iter()
        .map(|encoding| Ok((encoding.variant_path(path), encoding.compress(bytes)?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_decode_to_the_original_and_nothing_else() {
        let original = "<rss>가제트 </rss>".repeat(200).into_bytes();
        for encoding in Encoding::ALL {
            let compressed = encoding.compress(&original).unwrap();
            assert!(compressed.len() < original.len() / 10, "{encoding:?}");
            assert!(encoding.decodes_to(&compressed, &original), "{encoding:?}");
            assert!(
                !encoding.decodes_to(&compressed, &original[1..]),
                "{encoding:?}"
            );
            let longer = [original.as_slice(), b"x"].concat();
            assert!(!encoding.decodes_to(&compressed, &longer), "{encoding:?}");
            assert!(!encoding.decodes_to(b"garbage", &original), "{encoding:?}");
        }
    }

    #[test]
    fn only_text_files_get_copies() {
        let dir = tempfile::tempdir().unwrap();
        let feed = dir.path().join("all.xml");
        let image = dir.path().join("logo.png");
        let written = copies(&feed, b"<rss/>").unwrap();
        let paths: Vec<&PathBuf> = written.iter().map(|(path, _)| path).collect();
        assert_eq!(
            paths,
            [dir.path().join("all.xml.br"), dir.path().join("all.xml.gz")]
                .iter()
                .collect::<Vec<_>>()
        );
        assert!(copies(&image, b"png").unwrap().is_empty());
        assert!(present(&image) && !present(&feed));
        assert_eq!(
            Encoding::Brotli.variant_path(&feed),
            dir.path().join("all.xml.br")
        );
    }
}
