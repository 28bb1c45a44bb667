//! `gazette add URL`: from a site's home page, one of its articles or a feed, finds the site's
//! feeds (those its page announces with `<link rel="alternate">`, else at the paths sites
//! usually put them), shows what each holds, and appends the chosen one to `feeds.toml`,
//! keeping the file's comments, refusing a feed it lists already.
//!
//! Every request goes through the one fetcher (SSRF guard, size and time limits) and every body
//! through the one parser and its decoder (EUC-KR pages and feeds included).

use std::collections::HashSet;
use std::process::ExitCode;

use clap::Args;
use futures_util::future::join_all;
use url::Url;

use super::{ConfigArg, fail, format_name, load_config, plural, shown};
use crate::config::{Config, FeedPlaces, NewFeed, append_feeds, without_fragment};
use crate::fetch::{
    FetchError, FetchOutcome, FetchRequest, FetchSettings, Fetched, Fetcher, PrivateAccess,
};
use crate::parse::{ParseError, ParseHints, ParsedFeed, parse};
use crate::text::WebUrl;

#[derive(Debug, Args)]
pub(super) struct AddArgs {
    /// A site's home page, one of its articles, or a feed.
    url: String,
    #[command(flatten)]
    config: ConfigArg,
    /// A section the feed's items go to (repeat for several).
    #[arg(long = "section", value_name = "ID")]
    sections: Vec<String>,
    /// The feed's name (default: its own title).
    #[arg(long)]
    name: Option<String>,
    /// With several feeds found, add the Nth of the list.
    #[arg(long, value_name = "N")]
    pick: Option<usize>,
    /// Print the entry instead of adding it.
    #[arg(long)]
    dry_run: bool,
    /// Allow the URL's host at a loopback, private or link-local address (an intranet site).
    #[arg(long)]
    allow_private: bool,
}

/// Where sites usually put their feeds, tried when a page announces none: the common names, and
/// the one of the news CMS most Korean regional papers run.
const USUAL_PATHS: &[&str] = &[
    "/rss",
    "/feed",
    "/rss.xml",
    "/feed.xml",
    "/atom.xml",
    "/index.xml",
    "/rss/allArticle.xml",
];

/// A feed found, read.
struct Found {
    url: Url,
    feed: ParsedFeed,
}

/// How `add` reads the web: the config's fetcher settings and SSRF policy.
struct Reader<'a> {
    fetcher: Fetcher,
    config: &'a Config,
    allow_private: bool,
}

impl Reader<'_> {
    async fn fetch(&self, url: &Url) -> Result<Fetched, String> {
        let private = if self.config.gazette.allow_private {
            PrivateAccess::Anywhere
        } else if self.allow_private {
            PrivateAccess::OwnHost
        } else {
            PrivateAccess::Refused
        };
        let request = FetchRequest {
            url: url.clone(),
            etag: None,
            last_modified: None,
            private,
        };
        match self.fetcher.fetch(&request).await {
            FetchOutcome::Fetched(fetched) => Ok(fetched),
            FetchOutcome::NotModified { .. } => Err("unexpected 304".to_owned()),
            FetchOutcome::Failed {
                error: error @ FetchError::Refused(_),
                ..
            } if private == PrivateAccess::Refused => Err(format!(
                "{error}; pass --allow-private to read an intranet site"
            )),
            FetchOutcome::Failed { error, .. } => Err(error.to_string()),
        }
    }

    fn parse(&self, fetched: &Fetched) -> Result<ParsedFeed, ParseError> {
        parse(
            &fetched.body,
            &ParseHints {
                content_type: fetched.content_type.as_deref(),
                url: Some(&fetched.final_url),
                timezone: self.config.gazette.timezone,
            },
        )
    }

    /// The feed at `url`, if it is one.
    async fn feed(&self, url: Url) -> Result<Found, String> {
        let fetched = self.fetch(&url).await?;
        let feed = self.parse(&fetched).map_err(|error| error.to_string())?;
        Ok(Found {
            url: fetched.final_url,
            feed,
        })
    }

    /// The feeds `url` leads to: itself if it is one, else those its page announces, else those
    /// at the usual paths of its site. Announced feeds that cannot be read are noted.
    async fn discover(&self, url: &Url) -> Result<Vec<Found>, String> {
        let fetched = self
            .fetch(url)
            .await
            .map_err(|error| format!("{url}: {error}"))?;
        let announced = match self.parse(&fetched) {
            Ok(feed) => {
                return Ok(vec![Found {
                    url: fetched.final_url,
                    feed,
                }]);
            }
            Err(ParseError::Html { alternates }) => alternates,
            Err(ParseError::NotAFeed(_)) => Vec::new(),
        };
        let announced: Vec<Url> = announced
            .iter()
            .filter_map(|url| WebUrl::parse(url).ok().map(WebUrl::into_url))
            .collect();
        let (tried, quiet) = if announced.is_empty() {
            let usual = USUAL_PATHS
                .iter()
                .filter_map(|path| fetched.final_url.join(path).ok())
                .collect();
            (usual, true)
        } else {
            (announced, false)
        };
        let results = join_all(tried.iter().map(|url| self.feed(url.clone()))).await;
        let mut seen = HashSet::new();
        let mut found = Vec::new();
        for (url, result) in tried.iter().zip(results) {
            match result {
                Ok(feed) if seen.insert(feed.url.clone()) => found.push(feed),
                Ok(_) => {}
                // A usual path that holds no feed is no news; an announced feed that fails is.
                Err(error) if !quiet => println!("skipped  {url}: {}", shown(&error)),
                Err(_) => {}
            }
        }
        Ok(found)
    }
}

pub(super) async fn command(args: &AddArgs) -> ExitCode {
    let path = &args.config.config;
    let config = match load_config(path) {
        Ok(config) => config,
        Err(code) => return code,
    };
    if let Some(unknown) = args.sections.iter().find(|id| config.section(id).is_none()) {
        let known: Vec<&str> = config.sections.iter().map(|s| s.id.as_str()).collect();
        return fail(format!(
            "no section `{}` in {} (its sections: {})",
            shown(unknown),
            path.display(),
            if known.is_empty() {
                "none".to_owned()
            } else {
                known.join(", ")
            }
        ));
    }
    let url = match WebUrl::parse(&args.url) {
        Ok(url) => url.into_url(),
        Err(error) => return fail(format!("{}: {error}", shown(&args.url))),
    };
    let fetcher = match Fetcher::new(&FetchSettings::from_config(&config.gazette)) {
        Ok(fetcher) => fetcher,
        Err(error) => return fail(error),
    };
    let reader = Reader {
        fetcher,
        config: &config,
        allow_private: args.allow_private,
    };
    let found = match reader.discover(&url).await {
        Ok(found) => found,
        Err(error) => return fail(error),
    };
    let places = FeedPlaces::read(path);
    let listed = |url: &Url| listed_at(&config, &places, url);
    let chosen = match (found.len(), args.pick) {
        (0, _) => {
            return fail(format!(
                "no feed found at {url}: the page announces none (<link rel=\"alternate\">) and \
                 none is at {}",
                USUAL_PATHS.join(", ")
            ));
        }
        (count, pick) => {
            println!("found {} at {url}:", plural(count, "feed"));
            for (number, found) in (1..).zip(&found) {
                print_found(number, found, listed(&found.url).as_deref());
            }
            match pick {
                None if count == 1 => &found[0],
                None => {
                    return fail(format!(
                        "{count} feeds found: pass --pick N (1 to {count}) to add one"
                    ));
                }
                Some(number) => match number.checked_sub(1).and_then(|index| found.get(index)) {
                    Some(found) => found,
                    None => return fail(format!("--pick {number}: choose from 1 to {count}")),
                },
            }
        }
    };
    if let Some(at) = listed(&chosen.url) {
        return fail(format!("{} is already listed, at {at}", chosen.url));
    }
    let entry = NewFeed {
        url: chosen.url.clone(),
        name: args.name.clone(),
        sections: args.sections.clone(),
    };
    if args.dry_run {
        println!("would add to {}:\n\n{}", path.display(), entry.entry());
        return ExitCode::SUCCESS;
    }
    match append_feeds(path, std::slice::from_ref(&entry)) {
        Ok(()) => {
            println!("added to {}:\n\n{}", path.display(), entry.entry());
            ExitCode::SUCCESS
        }
        Err(error) => fail(error),
    }
}

/// Where `url` is listed in the config already (`PATH:LINE:COL`, or the path), if it is: a
/// `#fragment` makes no other feed.
fn listed_at(config: &Config, places: &FeedPlaces, url: &Url) -> Option<String> {
    let wanted = without_fragment(url);
    let listed = config
        .feeds
        .iter()
        .find(|feed| without_fragment(&feed.url) == wanted)?;
    Some(places.at_or_file(listed.url.as_str()))
}

/// One line of the list: number, URL, then what the feed holds.
fn print_found(number: usize, found: &Found, listed: Option<&str>) {
    let feed = &found.feed;
    let newest = feed
        .entries
        .iter()
        .filter_map(|entry| entry.published.or(entry.updated))
        .max()
        .map_or_else(
            || "no dates".to_owned(),
            |date| format!("newest {}", date.format("%Y-%m-%d %H:%M UTC")),
        );
    println!("  {number}. {}", found.url);
    println!(
        "     {} · {} · {} · {newest} · {}{}",
        format_name(feed.format),
        feed.meta
            .title
            .as_deref()
            .map_or_else(|| "untitled".to_owned(), |title| shown(title).into_owned()),
        plural(feed.entries.len(), "item"),
        feed.encoding,
        listed.map_or_else(String::new, |at| format!(" · already listed at {at}"))
    );
}
