//! Configs for unit tests, written with the test kit's `feeds.toml` builder so that a test names
//! only the settings it is about.

use std::path::Path;

use super::Config;

impl Config {
    /// `source` (a `testkit::FeedsToml`, or text) read as `feeds.toml`; it must be valid.
    pub fn of_test(source: impl std::fmt::Display) -> Config {
        let source = source.to_string();
        Config::parse(&source, Path::new("feeds.toml"))
            .unwrap_or_else(|error| panic!("invalid test config: {error}\n{source}"))
    }
}
