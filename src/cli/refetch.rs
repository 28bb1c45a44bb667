//! `gazette refetch FEED`: the article pages of a `full_text` feed's stored items fetched again,
//! for the items stored before `full_text` was switched on, or after fixing its selector.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::{ConfigArg, fail, load_config, shown};
use crate::store::Store;

#[derive(Debug, Args)]
pub(super) struct RefetchArgs {
    /// The feed, by its `url` or its `name` in feeds.toml.
    feed: String,
    #[command(flatten)]
    config: ConfigArg,
}

pub(super) fn command(args: &RefetchArgs) -> ExitCode {
    let path: &PathBuf = &args.config.config;
    let config = match load_config(path) {
        Ok(config) => config,
        Err(code) => return code,
    };
    let Some(feed) = config
        .feeds
        .iter()
        .find(|feed| feed.name.as_deref() == Some(&args.feed) || feed.url.as_str() == args.feed)
        .or_else(|| {
            let url = url::Url::parse(&args.feed).ok()?;
            config.feeds.iter().find(|feed| feed.url == url)
        })
    else {
        return fail(format!(
            "no [[feed]] has the url or name `{}` in {}",
            shown(&args.feed),
            path.display()
        ));
    };
    let Some(rules) = &feed.full_text else {
        return fail(format!(
            "`{}` has no `full_text = true`: there are no article pages to fetch",
            shown(&args.feed)
        ));
    };
    let queued = Store::connect(&config.gazette.database)
        .and_then(|store| store.queue_refetch(feed.url.as_str()));
    match queued {
        Ok(queued) => {
            println!(
                "{}: {queued} article pages queued; fetched again at the feed's next polls, {} per cycle",
                feed.url, rules.max_per_cycle
            );
            ExitCode::SUCCESS
        }
        Err(error) => fail(error),
    }
}
