//! The static site: `index.html`, a front page in the shape of a Korean regional daily's
//! (sections, 헤드라인 뉴스, 랭킹뉴스, 실시간 뉴스, 포토뉴스), and `sections/{id}.html` per section.
//!
//! Pure: [`pages`] renders an [`Edition`] to bytes and the publisher writes them (atomically, only
//! when they change). The pages need no JavaScript, link every feed for autodiscovery, and escape
//! every string: templates are HTML and minijinja escapes whatever they print.

mod view;

use std::path::PathBuf;

use chrono_tz::Tz;
use minijinja::value::Serde;
use minijinja::{AutoEscape, Environment, Value, context};
use serde::Serialize;
use url::Url;

use crate::config::Settings;
use crate::layout::{BLOCKS_DIR, FEEDS_DIR, HEALTH_FEED, INDEX_FILE, SECTIONS_DIR, STYLE_FILE};
use crate::model::Labels;
use crate::model::{BlockKind, Edition, SectionEdition};
use crate::text::escape;
use view::{Alternate, List, NavLink, Presenter};

/// How many stories each front-page box shows.
const FRONT_HEADLINES: usize = 5;
const FRONT_RANKING: usize = 5;
const FRONT_LATEST: usize = 12;
const FRONT_PHOTOS: usize = 8;
const FRONT_SECTION: usize = 5;

/// What the pages need to know besides the edition.
#[derive(Debug, Clone)]
pub struct Site {
    pub title: String,
    /// Public URL of the output: feed links are absolute, so that they work wherever the page is
    /// read.
    pub base_url: Url,
    pub language: String,
    /// Zone the pages show times in.
    pub timezone: Tz,
    /// Announce the health feed too (`[gazette].health_link`).
    pub health_link: bool,
}

impl Site {
    /// The site `settings` describe.
    pub fn of(settings: &Settings) -> Site {
        Site {
            title: settings.title.clone(),
            base_url: settings.base_url.clone(),
            language: settings.language.clone(),
            timezone: settings.timezone,
            health_link: settings.health_link,
        }
    }
}

/// One rendered file of the site: a page, or the stylesheet they share.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// Relative to `output_dir`.
    pub path: PathBuf,
    pub html: String,
}

#[derive(Debug, thiserror::Error)]
#[error("cannot render {page}: {source}")]
pub struct SiteError {
    page: String,
    source: minijinja::Error,
}

/// The templates, compiled into the binary.
fn environment() -> Result<Environment<'static>, SiteError> {
    let mut env = Environment::new();
    // Strings go through our HTML escaper: minijinja's own also turns every `/` into `&#x2f;`, which
    // is valid but doubles the size of every URL in the page.
    env.set_formatter(|out, state, value| {
        let text = value.as_str().filter(|_| !value.is_safe());
        match text {
            Some(text) if *state.auto_escape() == AutoEscape::Html => {
                Ok(out.write_str(&escape::html(text))?)
            }
            _ => minijinja::escape_formatter(out, state, value),
        }
    });
    for (name, source) in [
        ("base.html", include_str!("templates/base.html")),
        ("macros.html", include_str!("templates/macros.html")),
        ("index.html", include_str!("templates/index.html")),
        ("section.html", include_str!("templates/section.html")),
    ] {
        env.add_template(name, source).map_err(|source| SiteError {
            page: name.to_owned(),
            source,
        })?;
    }
    Ok(env)
}

/// Every page of the site for `edition`.
pub fn pages(edition: &Edition, site: &Site) -> Result<Vec<Page>, SiteError> {
    let env = environment()?;
    let labels = Labels::for_language(&site.language);
    let presenter = Presenter {
        edition,
        labels,
        timezone: site.timezone,
    };
    let nav_for = |current: &str| -> Vec<NavLink> {
        edition
            .sections
            .iter()
            .map(|section| NavLink {
                id: section.id.clone(),
                title: section.title.clone(),
                current: section.id == current,
            })
            .collect()
    };
    // Newest item date, not the clock: the same stories give the same bytes.
    let updated = edition
        .sections
        .first()
        .and_then(|all| all.items.first())
        .map(|newest| {
            newest
                .date()
                .with_timezone(&site.timezone)
                .format("%Y.%m.%d %H:%M")
                .to_string()
        });
    let common = |current: &str, root: &str, alternates: Vec<Alternate>| {
        context! {
            site_title => site.title.as_str(),
            lang => site.language.as_str(),
            labels => value(labels),
            nav => value(nav_for(current)),
            root => root,
            updated => value(&updated),
            alternates => value(alternates),
        }
    };

    let mut pages = Vec::with_capacity(edition.sections.len() + 2);
    pages.push(Page {
        path: STYLE_FILE.into(),
        html: include_str!("templates/style.css").to_owned(),
    });
    let block = |kind: BlockKind, scope: Option<&str>| {
        edition
            .blocks
            .iter()
            .find(|block| block.kind == kind && block.scope.as_deref() == scope)
    };
    let headlines = block(BlockKind::Headlines, None)
        .map(|b| presenter.list(&b.feed.title, &b.feed.items, FRONT_HEADLINES));
    let rankings: Vec<List> = {
        let per_edition: Vec<List> = edition
            .blocks
            .iter()
            .filter(|b| b.kind == BlockKind::Ranking && b.scope.is_some())
            .map(|b| presenter.list(&b.feed.title, &b.feed.items, FRONT_RANKING))
            .collect();
        if per_edition.is_empty() {
            block(BlockKind::Ranking, None)
                .map(|b| presenter.list(&b.feed.title, &b.feed.items, FRONT_RANKING))
                .into_iter()
                .collect()
        } else {
            per_edition
        }
    };
    let latest = block(BlockKind::Latest, None)
        .map(|b| presenter.list(&b.feed.title, &b.feed.items, FRONT_LATEST));
    let photos = block(BlockKind::Photos, None)
        .map(|b| presenter.list(&b.feed.title, &b.feed.items, FRONT_PHOTOS));
    let boxes: Vec<(String, List)> = edition
        .sections
        .iter()
        .skip(1)
        .map(|s| {
            (
                s.id.clone(),
                presenter.list(&s.title, &s.items, FRONT_SECTION),
            )
        })
        .collect();
    let index = context! {
        headlines => value(headlines),
        rankings => value(rankings),
        latest => value(latest),
        photos => value(photos),
        boxes => value(boxes),
        ..common("", "", alternates(edition, site, None))
    };
    pages.push(render(&env, "index.html", INDEX_FILE.into(), index)?);

    for section in &edition.sections {
        let list = presenter.list(&section.title, &section.items, section.items.len());
        let headlines = block(BlockKind::Headlines, Some(&section.id))
            .map(|b| presenter.list(&b.feed.title, &b.feed.items, FRONT_HEADLINES));
        let page = context! {
            section_title => section.title.as_str(),
            list => value(list),
            headlines => value(headlines),
            ..common(&section.id, "../", alternates(edition, site, Some(section)))
        };
        let path = PathBuf::from(SECTIONS_DIR).join(format!("{}.html", section.id));
        pages.push(render(&env, "section.html", path, page)?);
    }
    Ok(pages)
}

/// Any serializable value, for a template.
fn value<T: Serialize>(value: T) -> Value {
    Value::from(Serde(value))
}

fn render(
    env: &Environment<'_>,
    template: &str,
    path: PathBuf,
    context: Value,
) -> Result<Page, SiteError> {
    let error = |source| SiteError {
        page: path.display().to_string(),
        source,
    };
    let html = env
        .get_template(template)
        .and_then(|template| template.render(context))
        .map_err(error)?;
    Ok(Page { path, html })
}

/// The feeds a page announces: its own section's first (readers pick the first), then every
/// section's and block's, in RSS, Atom and JSON Feed.
fn alternates(edition: &Edition, site: &Site, first: Option<&SectionEdition>) -> Vec<Alternate> {
    const FORMATS: [(&str, &str, &str); 3] = [
        ("xml", "application/rss+xml", "RSS"),
        ("atom", "application/atom+xml", "Atom"),
        ("json", "application/feed+json", "JSON Feed"),
    ];
    let sections = first
        .into_iter()
        .chain(edition.sections.iter().filter(|s| Some(*s) != first))
        .map(|section| (FEEDS_DIR, section));
    let blocks = edition.blocks.iter().map(|block| (BLOCKS_DIR, &block.feed));
    let feeds = sections
        .chain(blocks)
        .map(|(dir, feed)| (dir, feed.id.as_str(), feed.title.as_str()));
    // Only where the admin wants it public: it names failing URLs and their errors.
    let health = site
        .health_link
        .then_some((FEEDS_DIR, HEALTH_FEED, "feed health"));
    feeds
        .chain(health)
        .flat_map(|(dir, id, title)| {
            FORMATS.iter().filter_map(move |(extension, mime, format)| {
                let href = site
                    .base_url
                    .join(&format!("{dir}/{id}.{extension}"))
                    .ok()?;
                Some(Alternate {
                    title: format!("{} — {title} ({format})", site.title),
                    href: href.into(),
                    mime,
                })
            })
        })
        .collect()
}
