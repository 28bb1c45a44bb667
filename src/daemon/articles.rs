//! The article pages of `full_text` feeds, fetched after each poll of their feed: the items that
//! poll brought are queued once, and at most `full_text_max_per_cycle` queued pages are fetched
//! per cycle (the rest wait for the next), through the feeds' own fetcher and (on a shared
//! store) the group's host slots, so that the per-host limit counts article fetches and feed
//! polls together. What each gave is stored beside its
//! item; a publish reads it back with the items.

use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use url::Url;

use super::{DaemonError, Pipeline};
use crate::config::{FeedConfig, FullTextConfig};
use crate::fetch::{FetchOutcome, FetchRequest, PrivateAccess};
use crate::fulltext::{ArticleHints, extract};
use crate::store::{ArticleOutcome, PendingArticle};

/// How one feed's article fetches of a cycle went.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ArticleStats {
    /// Pages whose text is stored (or unchanged since, on a refetch).
    pub read: usize,
    /// Pages that gave no text: their items keep the teaser.
    pub failed: usize,
}

impl Pipeline {
    /// Queues the article pages of the items `feed`'s poll at `polled_at` brought, then fetches
    /// as many queued pages as `rules` allow in one cycle.
    pub(super) async fn fetch_articles(
        &self,
        feed: &FeedConfig,
        rules: &FullTextConfig,
        polled_at: DateTime<Utc>,
    ) -> Result<ArticleStats, DaemonError> {
        let url = feed.url.as_str().to_owned();
        let limit = rules.max_per_cycle;
        let pending = self
            .with_store(move |store| {
                store.queue_new_articles(&url, polled_at)?;
                store.pending_articles(&url, limit)
            })
            .await?;
        let access = PrivateAccess::of(feed, &self.config.gazette);
        // Each page's outcome is stored as soon as it is known: a stop mid-way loses none.
        let outcomes: Vec<Result<bool, DaemonError>> = futures_util::stream::iter(pending)
            .map(|article| async move {
                let outcome = self.fetch_article(feed, rules, access, &article).await;
                let failed = matches!(outcome, ArticleOutcome::Failed { .. });
                if let ArticleOutcome::Failed { error } = &outcome {
                    tracing::warn!(feed = %feed.url, link = %article.link, "full text: {error}");
                }
                let url = feed.url.as_str().to_owned();
                self.with_store(move |store| {
                    store.record_article(&url, &article.item_id, &outcome, Utc::now())
                })
                .await?;
                Ok(failed)
            })
            // The fetcher's per-host limit is what bounds them: this only lets it.
            .buffer_unordered(self.config.gazette.per_host.max(1))
            .collect()
            .await;
        let mut stats = ArticleStats::default();
        for outcome in outcomes {
            if outcome? {
                stats.failed += 1;
            } else {
                stats.read += 1;
            }
        }
        Ok(stats)
    }

    /// Fetches one article page and extracts its text.
    async fn fetch_article(
        &self,
        feed: &FeedConfig,
        rules: &FullTextConfig,
        access: PrivateAccess,
        article: &PendingArticle,
    ) -> ArticleOutcome {
        let Ok(link) = Url::parse(&article.link) else {
            return ArticleOutcome::Failed {
                error: format!("bad link `{}`", article.link),
            };
        };
        let request = FetchRequest {
            private: access.for_link(&feed.url, &link),
            url: link,
            etag: article.etag.clone(),
            last_modified: article.last_modified.clone(),
        };
        // On a shared store, one of the group's slots of the host, as a feed poll takes.
        let slot = self.host_slot(&request.url).await;
        let outcome = self.fetcher.fetch(&request).await;
        self.release_host_slot(slot).await;
        let fetched = match outcome {
            FetchOutcome::NotModified { .. } => return ArticleOutcome::NotModified,
            FetchOutcome::Failed { error, .. } => {
                return ArticleOutcome::Failed {
                    error: error.to_string(),
                };
            }
            FetchOutcome::Fetched(fetched) => fetched,
        };
        let rules = rules.clone();
        let teaser = article.teaser.clone();
        let extracted = tokio::task::spawn_blocking(move || {
            let hints = ArticleHints {
                content_type: fetched.content_type.as_deref(),
                url: &fetched.final_url,
            };
            extract(&fetched.body, hints, &rules, teaser.as_deref())
                .map(|content| (content, fetched.etag, fetched.last_modified))
        })
        .await;
        match extracted {
            Ok(Ok((content, etag, last_modified))) => ArticleOutcome::Extracted {
                content,
                etag,
                last_modified,
            },
            Ok(Err(error)) => ArticleOutcome::Failed {
                error: error.to_string(),
            },
            Err(error) => ArticleOutcome::Failed {
                error: format!("extraction crashed: {error}"),
            },
        }
    }
}
