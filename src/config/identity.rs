//! Which config entry a feed's 410 Gone is remembered against: a Gone feed is not polled again
//! until its entry changes. The identity is made of named fields, each written out explicitly, so
//! that a field added to [`FeedConfig`] changes no identity (and re-enables no Gone feed) unless it
//! is added here on purpose: the exhaustive destructuring below makes that a decision, not an
//! accident.

use sha2::{Digest, Sha256};

use super::{ContentPolicy, FeedConfig, Pattern};

/// Starts every identity, so that one is never mistaken for a [`FeedConfig::legacy_identity`].
const VERSION: &str = "v2:";

impl FeedConfig {
    /// What the user wrote for this feed that matters to whether it is the same entry: its URL,
    /// name, sections, interval, content policy, zone, filters and `allow_private`. `enabled` is
    /// left out: only enabled feeds are polled, so switching a feed off and on again is the same
    /// entry.
    pub fn identity(&self) -> String {
        let FeedConfig {
            url,
            name,
            sections,
            interval,
            content,
            timezone,
            enabled: _,
            include,
            exclude,
            allow_private,
            scrape,
            full_text,
        } = self;
        let patterns = |patterns: &[Pattern]| -> Vec<String> {
            patterns
                .iter()
                .map(|pattern| match pattern {
                    Pattern::Word(word) => format!("word:{word}"),
                    Pattern::Regex(regex) => format!("regex:{}", regex.as_str()),
                })
                .collect()
        };
        let mut fields = serde_json::json!({
            "url": url.as_str(),
            "name": name,
            "sections": sections,
            "interval": interval.map(|interval| humantime::format_duration(interval).to_string()),
            "content": match content {
                ContentPolicy::Summary => "summary",
                ContentPolicy::Full => "full",
                ContentPolicy::Title => "title",
            },
            "timezone": timezone.map(|zone| zone.name()),
            "include": patterns(include),
            "exclude": patterns(exclude),
            "allow_private": allow_private,
        });
        // Only present when set, so that the identities of feeds without rules stay as they were.
        if let Some(rules) = scrape {
            fields["scrape"] = serde_json::Value::String(rules.source());
        }
        if let Some(rules) = full_text {
            fields["full_text"] = serde_json::Value::String(rules.source());
        }
        format!("{VERSION}{}", digest(&fields.to_string()))
    }

    /// The identity versions before [`FeedConfig::identity`] stored: a hash of the entry's `Debug`
    /// text. Only read to carry the 410 records of an existing database over to the new identity
    /// (see `daemon`), which works as long as the entry is the one the record was made for.
    pub fn legacy_identity(&self) -> String {
        digest(&format!("{self:?}"))
    }
}

/// First 16 bytes of the SHA-256 of `text`, in hex.
fn digest(text: &str) -> String {
    hex::encode(&Sha256::digest(text.as_bytes())[..16])
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::super::Config;

    /// The one feed of `[gazette]` + `feed` (the body of a `[[feed]]` table).
    fn identity(gazette: &str, feed: &str) -> String {
        let source = format!(
            "[gazette]\n{gazette}\n[[section]]\nid = \"a\"\ntitle = \"A\"\n[[section]]\nid = \"b\"\ntitle = \"B\"\n[[feed]]\n{feed}\n"
        );
        let config = Config::parse(&source, Path::new("feeds.toml")).expect("a valid config");
        config.feeds[0].identity()
    }

    const FEED: &str = "url = \"https://a.example/rss\"\nname = \"A\"\nsections = [\"a\"]\n\
                        interval = \"20m\"\ncontent = \"full\"\ntimezone = \"Asia/Seoul\"\n\
                        include = [\"대전\", \"/^속보/\"]\nexclude = [\"광고\"]\nallow_private = true";

    #[test]
    fn the_identity_is_a_function_of_the_named_fields_only() {
        // Written out once and fixed: an identity that changed between versions (because a field
        // was added to `FeedConfig`, say) would turn every Gone feed back on.
        assert_eq!(identity("", FEED), "v2:a88c40f833865ff117dc4e21b4b86d1f");
        assert_eq!(
            identity("", FEED),
            identity("", &format!("{FEED}\nenabled = true")),
            "`enabled` is not part of it"
        );
    }

    #[test]
    fn a_change_to_what_the_user_wrote_for_the_feed_changes_it() {
        let base = identity("", FEED);
        let changes = [
            ("https://a.example/rss", "https://b.example/rss"),
            ("name = \"A\"", "name = \"B\""),
            ("[\"a\"]", "[\"a\", \"b\"]"),
            ("\"20m\"", "\"30m\""),
            ("\"full\"", "\"title\""),
            ("Asia/Seoul", "Europe/Paris"),
            ("\"/^속보/\"", "\"속보\""),
            ("\"광고\"", "\"광고\", \"협찬\""),
            ("allow_private = true", "allow_private = false"),
        ];
        for (from, to) in changes {
            let changed = FEED.replacen(from, to, 1);
            assert_ne!(changed, FEED);
            assert_ne!(identity("", &changed), base, "{from} → {to}");
        }
    }

    #[test]
    fn a_change_elsewhere_in_the_config_keeps_it() {
        let base = identity("", FEED);
        let elsewhere =
            "title = \"Other\"\npoll_interval = \"5m\"\ntimezone = \"UTC\"\nallow_private = true";
        assert_eq!(identity(elsewhere, FEED), base);
    }
}
