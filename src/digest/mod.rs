//! The daily digest: one e-mail a day with the previous day's top stories, archived on the site
//! and published as a feed.
//!
//! The digest of date D holds the items dated D in the digest's zone (see [`Day`] for the exact
//! window) and is due at `[digest].time` on D+1. Selecting ([`select`]) and rendering
//! ([`crate::render::digest`]) are pure, as is building the message (`message`); the store, the
//! files and SMTP are touched only by [`render_day`], [`archive`] and [`send`], and the
//! [`Mailer`] owns SMTP. The daemon calls a [`Scheduler`] once per wake-up; `gazette digest` calls
//! [`command`].

mod archive;
mod mailer;
mod message;
mod scheduler;
pub mod select;
pub mod send;

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use lettre::Address;
use lettre::message::Mailbox;

use crate::config::{Config, DigestConfig};
use crate::model::{Day, DigestContent};
use crate::render::digest::frame::Frame;
use crate::render::digest::{html, text};
use crate::store::digests::{DigestRecord, RetryPolicy};
use crate::store::{Store, StoreError};

pub use mailer::{Mailer, MailerError, SendError};
pub use scheduler::Scheduler;
pub use select::select;
pub use send::{Delivery, SendReport};

#[derive(Debug, thiserror::Error)]
pub enum DigestError {
    #[error("the config has no [digest] table")]
    NotConfigured,
    #[error("[digest] has no `from` address to send from")]
    NoSender,
    #[error("[digest] has no recipient in `to`")]
    NoRecipient,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Render(#[from] html::RenderError),
    #[error("cannot build the digest e-mail: {0}")]
    Message(#[from] lettre::error::Error),
    #[error("no usable sender address: {0}")]
    Address(#[from] lettre::address::AddressError),
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write the digest feed: {0}")]
    Feed(String),
    #[error(transparent)]
    Mailer(#[from] MailerError),
    #[error("a background task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

/// One day's digest, rendered.
#[derive(Debug, Clone, PartialEq)]
pub struct Digest {
    pub content: DigestContent,
    pub frame: Frame,
    pub html: String,
    pub text: String,
    /// The short version for the digest feed.
    pub summary_html: String,
}

impl Digest {
    /// Renders `day`'s digest from `items` (at least that day's). Pure.
    pub fn render(
        config: &Config,
        digest: &DigestConfig,
        day: Day,
        items: Vec<crate::model::StoredItem>,
    ) -> Result<Digest, DigestError> {
        let content = select(config, digest, day, items);
        let frame = Frame::new(config, digest, day);
        Ok(Digest {
            html: html::page(&content, &frame)?,
            text: text::render(&content, &frame),
            summary_html: html::summary(&content, &frame)?,
            content,
            frame,
        })
    }

    fn letter(&self) -> message::Letter<'_> {
        message::Letter {
            frame: &self.frame,
            text: &self.text,
            html: &self.html,
        }
    }

    /// The message as archived: from and to the sender, so that no reader's address is published,
    /// dated when it is due so that rebuilding gives the same bytes.
    fn archive_eml(&self, from: &Mailbox, due: DateTime<Utc>) -> Result<Vec<u8>, DigestError> {
        let addressing = message::Addressing {
            from,
            to: from,
            message_id: format!("<digest-{}@{}>", self.content.day.date, from.email.domain()),
            date: due,
        };
        Ok(message::build(&self.letter(), &addressing)?.formatted())
    }
}

/// Reads `day`'s items from the store and renders its digest. Blocking.
pub fn render_day(
    config: &Config,
    digest: &DigestConfig,
    store: &Store,
    day: Day,
) -> Result<Digest, DigestError> {
    let urls: Vec<&str> = config
        .feeds
        .iter()
        .filter(|feed| feed.enabled)
        .map(|feed| feed.url.as_str())
        .collect();
    let mut items = store.items_between(&urls, day.start(), day.end())?;
    // An item whose feed gave only a title is summed up from its article's text, as published.
    crate::fulltext::with_extracts(&config.feeds, &mut items, |keys| {
        store.article_extracts(keys)
    })?;
    Digest::render(config, digest, day, items)
}

/// Writes `rendered` to the archive, remembers it and rewrites the index and the digest feeds.
/// Returns the files written, relative to `output_dir`. Blocking.
pub fn archive(
    config: &Config,
    digest: &DigestConfig,
    store: &Store,
    rendered: &Digest,
) -> Result<Vec<PathBuf>, DigestError> {
    let day = rendered.content.day;
    let due = day.send_at(digest.time);
    let eml = rendered.archive_eml(&sender(config, digest)?, due)?;
    let mut files = archive::write_day(
        &config.gazette.output_dir,
        day.date,
        &rendered.html,
        &rendered.text,
        &eml,
    )?;
    store.save_digest(&DigestRecord {
        day: day.date,
        subject: rendered.frame.subject.clone(),
        items: rendered.content.total,
        summary_html: rendered.summary_html.clone(),
        published: due,
    })?;
    files.extend(archive::write_index(config, &store.digests()?)?);
    Ok(files)
}

/// The configured `from`, else the site itself, for the archived copy of a digest never mailed.
fn sender(config: &Config, digest: &DigestConfig) -> Result<Mailbox, DigestError> {
    if let Some(from) = &digest.from {
        return Ok(from.clone());
    }
    let host = config.gazette.base_url.host_str().unwrap_or("localhost");
    let address = Address::new("digest", host).or_else(|_| Address::new("digest", "localhost"))?;
    Ok(Mailbox::new(Some(config.gazette.title.clone()), address))
}

/// What `gazette digest` did.
#[derive(Debug, Clone, PartialEq)]
pub struct CommandReport {
    pub day: NaiveDate,
    pub subject: String,
    pub stories: usize,
    /// Relative to `output_dir`.
    pub files: Vec<PathBuf>,
    /// `None` without `--send`, or when an empty day was not sent.
    pub sent: Option<SendReport>,
    /// `--send` of a day without items, with `send_empty = false`.
    pub empty_not_sent: bool,
}

/// `gazette digest`: builds the digest of `date` (default: the last complete day in the digest's
/// zone), archives it and with `send` mails it to every recipient not mailed yet. A person asked,
/// so sends that failed or wait for a retry are tried again at once.
pub async fn command(
    config: Config,
    date: Option<NaiveDate>,
    send: bool,
) -> Result<CommandReport, DigestError> {
    let digest = config.digest.clone().ok_or(DigestError::NotConfigured)?;
    let tz = digest.timezone_or(&config.gazette);
    let day = date.map_or_else(
        || Day::last_complete(Utc::now(), tz),
        |date| Day::new(date, tz),
    );
    let mailer = if send {
        Some(Mailer::from_config(&digest)?)
    } else {
        None
    };
    let store = Arc::new(Store::connect(&config.gazette.database)?);
    let config = Arc::new(config);
    let (rendered, files) = tokio::task::spawn_blocking({
        let (config, digest, store) = (Arc::clone(&config), digest.clone(), Arc::clone(&store));
        move || -> Result<_, DigestError> {
            let rendered = render_day(&config, &digest, &store, day)?;
            let files = archive(&config, &digest, &store, &rendered)?;
            Ok((rendered, files))
        }
    })
    .await??;
    let mut report = CommandReport {
        day: day.date,
        subject: rendered.frame.subject.clone(),
        stories: rendered.content.total,
        files,
        sent: None,
        empty_not_sent: false,
    };
    if let Some(mailer) = mailer {
        if rendered.content.is_empty() && !digest.send_empty {
            report.empty_not_sent = true;
        } else {
            let from = digest.from.as_ref().ok_or(DigestError::NoSender)?;
            if digest.to.is_empty() {
                return Err(DigestError::NoRecipient);
            }
            let sent = send::send(
                &store,
                &mailer,
                &rendered,
                from,
                &digest.to,
                RetryPolicy::Now,
            )
            .await?;
            report.sent = Some(sent);
        }
    }
    Ok(report)
}

/// Runs `work` on the store off the async threads: SQLite calls block.
async fn with_store<T: Send + 'static>(
    store: &Arc<Store>,
    work: impl FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, DigestError> {
    let store = Arc::clone(store);
    Ok(tokio::task::spawn_blocking(move || work(&store)).await??)
}
