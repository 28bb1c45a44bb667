//! `/status` (HTML) and `/status.json`: how every configured feed is doing, the last cycle and
//! the last publish, for an admin to see at a glance. Read from the store and the metrics on each
//! request: these pages are for people, a few requests at most, and must never be stale.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use super::App;
use crate::config::Config;
use crate::model::{CycleSummary, Day, FeedHealth, SectionCount};
use crate::store::digests::DigestStatus;
use crate::store::feed_health;
use crate::store::{GroupStatus, StoreError};
use crate::text::escape::html as escape;

/// Everything the status pages show.
#[derive(Debug, Serialize)]
pub struct Status {
    pub last_cycle: Option<CycleSummary>,
    /// Items in each section's last published feed.
    pub sections: Vec<SectionCount>,
    /// The configured feeds, in config order.
    pub feeds: Vec<FeedHealth>,
    /// `None` when no digest is configured.
    pub digest: Option<DigestSummary>,
    /// The nodes sharing a PostgreSQL store and the feeds they hold; absent on SQLite.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<GroupStatus>,
}

/// The daily digest: when the next one goes out, and how the latest one's sends went.
#[derive(Debug, Serialize)]
pub struct DigestSummary {
    pub next_send: DateTime<Utc>,
    pub latest: Option<DigestStatus>,
}

/// When the next digest is due: `time` the day after the next day to close.
fn next_digest(config: &Config, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let digest = config.digest.as_ref().filter(|d| d.enabled)?;
    let zone = digest.timezone_or(&config.gazette);
    Some(
        Day::latest_due(now, zone, digest.time)
            .next()
            .send_at(digest.time),
    )
}

pub(super) async fn json(State(app): State<Arc<App>>) -> Response {
    match collect(&app).await {
        Ok(status) => no_store(Json(status).into_response()),
        Err(error) => unavailable(&error),
    }
}

pub(super) async fn html(State(app): State<Arc<App>>) -> Response {
    match collect(&app).await {
        Ok(status) => no_store(Html(render(&status)).into_response()),
        Err(error) => unavailable(&error),
    }
}

/// Why the status could not be read.
#[derive(Debug, thiserror::Error)]
enum StatusError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("reading the store failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

/// Reads the store off the async threads: SQLite calls block.
async fn collect(app: &App) -> Result<Status, StatusError> {
    let config = Arc::clone(&app.site.config.borrow());
    let store = Arc::clone(&app.site.store);
    let (feeds, digest, group) = tokio::task::spawn_blocking(move || {
        let digest = match next_digest(&config, Utc::now()) {
            Some(next_send) => Some(DigestSummary {
                next_send,
                latest: store.digest_status()?,
            }),
            None => None,
        };
        let group = store.group_status()?;
        Ok::<_, StoreError>((feed_health(&config, &store)?, digest, group))
    })
    .await??;
    Ok(Status {
        last_cycle: app.site.metrics.last_cycle(),
        sections: app.site.metrics.sections(),
        feeds,
        digest,
        group,
    })
}

/// Status pages describe this moment: no cache may keep them.
fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn unavailable(error: &StatusError) -> Response {
    tracing::error!("status: {error}");
    (
        StatusCode::SERVICE_UNAVAILABLE,
        "the store cannot be read right now\n",
    )
        .into_response()
}

/// The HTML page: a summary line, the sections, then one row per feed, failing feeds marked.
fn render(status: &Status) -> String {
    let failing = status.feeds.iter().filter(|f| f.failures > 0).count();
    let mut page = String::from(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>gazette status</title>\n<style>\
         body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}\
         td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}\
         .failing{background:#fde8e8}</style>\n</head>\n<body>\n<h1>gazette status</h1>\n",
    );
    page.push_str(&format!(
        "<p>{} feeds, {failing} failing. <a href=\"status.json\">JSON</a> · \
         <a href=\"metrics\">metrics</a></p>\n",
        status.feeds.len()
    ));
    match &status.last_cycle {
        Some(cycle) => page.push_str(&format!(
            "<p>Last cycle ended {} and took {:.1} s: {} feeds polled, {} failed, {} new items.</p>\n",
            date(Some(cycle.finished)),
            cycle.duration_seconds,
            cycle.feeds,
            cycle.failed,
            cycle.new_items
        )),
        None => page.push_str("<p>No cycle has run yet.</p>\n"),
    }
    if let Some(digest) = &status.digest {
        page.push_str(&format!("<p>Next digest {}.", date(Some(digest.next_send))));
        if let Some(latest) = &digest.latest {
            page.push_str(&format!(
                " Digest of {}: {} sent, {} retrying, {} failed, {} in doubt{}.",
                latest.day,
                latest.sent,
                latest.retrying,
                latest.failed,
                latest.in_doubt,
                latest
                    .last_error
                    .as_deref()
                    .map(|e| format!("; last error: {}", escape(e)))
                    .unwrap_or_default()
            ));
        }
        page.push_str("</p>\n");
    }
    page.push_str("<h2>Sections</h2>\n<table>\n<tr><th>section</th><th>items</th></tr>\n");
    for section in &status.sections {
        page.push_str(&format!(
            "<tr><td>{} <small>({})</small></td><td>{}</td></tr>\n",
            escape(&section.title),
            escape(&section.id),
            section.items
        ));
    }
    page.push_str(
        "</table>\n<h2>Feeds</h2>\n<table>\n<tr><th>feed</th><th>status</th>\
         <th>last success</th><th>failures</th><th>next poll</th><th>items</th>\
         <th>last error</th></tr>\n",
    );
    for feed in &status.feeds {
        let name = feed.name.as_deref().unwrap_or(&feed.url);
        let status = match (feed.enabled, feed.last_status) {
            (false, _) => "disabled".to_owned(),
            (true, _) if feed.gone => "gone".to_owned(),
            (true, Some(code)) => code.to_string(),
            (true, None) if feed.last_attempt.is_some() => "no response".to_owned(),
            (true, None) => "not polled yet".to_owned(),
        };
        page.push_str(&format!(
            "<tr{}><td><a href=\"{}\">{}</a>{}{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td>{}</td><td>{}</td></tr>\n",
            if feed.failures > 0 {
                " class=\"failing\""
            } else {
                ""
            },
            escape(feed.url.as_str()),
            escape(name),
            feed.moved_to
                .as_deref()
                .map(|to| format!("<br><small>moved to {}</small>", escape(to)))
                .unwrap_or_default(),
            feed.full_text
                .as_ref()
                .map(|full| format!(
                    "<br><small>full text: {} extracted · {} failed · {} pending</small>",
                    full.extracted, full.failed, full.pending
                ))
                .unwrap_or_default(),
            escape(&status),
            date(feed.last_success),
            feed.failures,
            date(feed.next_poll),
            feed.items,
            escape(feed.last_error.as_deref().unwrap_or("")),
        ));
    }
    page.push_str("</table>\n</body>\n</html>\n");
    page
}

fn date(date: Option<DateTime<Utc>>) -> String {
    date.map_or_else(
        || "-".to_owned(),
        |date| date.to_rfc3339_opts(SecondsFormat::Secs, true),
    )
}
