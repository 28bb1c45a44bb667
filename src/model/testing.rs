//! A [`StoredItem`] builder for tests and benches, compiled only for them (the `test-support`
//! feature, which the crate's dev-dependency on itself turns on): one place that knows how a
//! stored item is put together, so that a test names only the fields it is about.

use chrono::{DateTime, Utc};

use super::{Item, Source, StoredItem};

impl StoredItem {
    /// Item `id` of the feed at `feed_url`, titled `id`, published and first seen at `date`,
    /// with no link, summary, picture or source name. The `with_` methods below, or the public
    /// fields, set the rest.
    pub fn sample(feed_url: &str, id: &str, date: DateTime<Utc>) -> StoredItem {
        StoredItem {
            item: Item {
                id: id.to_owned(),
                title: id.to_owned(),
                published: Some(date),
                ..Item::default()
            },
            source: Source {
                feed_url: feed_url.to_owned(),
                name: String::new(),
                site_link: None,
            },
            first_seen: date,
        }
    }

    pub fn with_title(mut self, title: impl Into<String>) -> StoredItem {
        self.item.title = title.into();
        self
    }

    pub fn with_link(mut self, link: impl Into<String>) -> StoredItem {
        self.item.link = Some(link.into());
        self
    }

    pub fn with_summary(mut self, summary: impl Into<String>) -> StoredItem {
        self.item.summary = Some(summary.into());
        self
    }

    pub fn with_image(mut self, image: impl Into<String>) -> StoredItem {
        self.item.image = Some(image.into());
        self
    }

    pub fn with_categories(mut self, categories: &[&str]) -> StoredItem {
        self.item.categories = categories.iter().map(|c| c.to_string()).collect();
        self
    }

    /// When the feed says the item was published (`None`: it does not say; the item is then
    /// dated by when it was first seen).
    pub fn with_published(mut self, published: Option<DateTime<Utc>>) -> StoredItem {
        self.item.published = published;
        self
    }

    /// The source's name, as the config or the feed gives it.
    pub fn with_source_name(mut self, name: impl Into<String>) -> StoredItem {
        self.source.name = name.into();
        self
    }
}
