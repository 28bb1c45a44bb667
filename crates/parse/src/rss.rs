//! RSS 0.90–0.94 and 2.0 (and RSS 1.0's core elements, which are a subset): element names → actions.

use super::vocab::{Action, Ctx, Field, Markup, PollField};
use super::xml::Element;

pub(crate) fn classify(ctx: Ctx, local: &str, element: &Element) -> Action {
    use Action::{Descend, Enclosure, Skip, Text};
    match (ctx, local) {
        (_, "rss" | "channel") => Descend,
        (_, "item") => Action::Entry,
        (_, "title") => Text(Field::Title(0), Markup::MaybeHtml),
        // Some feeds write Atom-style links without the Atom namespace.
        (_, "link") if element.attr("href").is_some() => Action::Link,
        (_, "link") => Text(Field::Link, Markup::Text),
        (_, "description") => Text(Field::Summary(0), Markup::Html),
        // CDF's name for the description.
        (_, "abstract") => Text(Field::Summary(1), Markup::Html),
        (Ctx::Feed, "language") => Text(Field::Language, Markup::Text),
        (Ctx::Feed, "ttl") => Text(Field::Poll(PollField::Ttl), Markup::Text),
        (Ctx::Feed, "skiphours" | "skipdays") => Descend,
        (Ctx::Feed, "hour") => Text(Field::Poll(PollField::SkipHour), Markup::Text),
        (Ctx::Feed, "day") => Text(Field::Poll(PollField::SkipDay), Markup::Text),
        (Ctx::Feed, "lastbuilddate") => Text(Field::Updated(0), Markup::Text),
        (Ctx::Feed, "pubdate") => Text(Field::Updated(2), Markup::Text),
        (Ctx::Entry, "pubdate") => Text(Field::Published(0), Markup::Text),
        (Ctx::Entry, "guid") => Text(Field::Id(0), Markup::Text),
        (Ctx::Entry, "author") => Text(Field::Author(0), Markup::Text),
        (Ctx::Entry, "category") => Text(Field::Category, Markup::Text),
        (Ctx::Entry, "enclosure") => Enclosure,
        _ => Skip,
    }
}
