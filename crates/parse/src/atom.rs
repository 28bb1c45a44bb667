//! Atom 1.0 (RFC 4287) and its predecessor Atom 0.3: element names → actions. Text constructs
//! (`type="text|html|xhtml"`, 0.3's `mode`) are read by the walker from the attributes.

use super::vocab::{Action, Ctx, Field, Markup, PersonPart};
use super::xml::Element;

pub(crate) fn classify(ctx: Ctx, local: &str, _element: &Element) -> Action {
    use Action::{Descend, PersonPart as Part, Skip, Text};
    match (ctx, local) {
        (_, "feed") => Descend,
        (_, "entry") => Action::Entry,
        (_, "title") => Text(Field::Title(0), Markup::Atom),
        (_, "link") => Action::Link,
        (_, "author") => Action::Person(true),
        (_, "contributor") => Action::Person(false),
        (_, "name") => Part(PersonPart::Name),
        (_, "email") => Part(PersonPart::Email),
        (_, "uri" | "url") => Part(PersonPart::Uri),
        (_, "updated" | "modified") => Text(Field::Updated(0), Markup::Text),
        (Ctx::Feed, "subtitle" | "tagline") => Text(Field::Summary(0), Markup::Atom),
        (_, "id") => Text(Field::Id(0), Markup::Text),
        (Ctx::Entry, "published" | "issued") => Text(Field::Published(0), Markup::Text),
        (Ctx::Entry, "summary") => Text(Field::Summary(0), Markup::Atom),
        (Ctx::Entry, "content") => Text(Field::Content(0), Markup::Atom),
        (Ctx::Entry, "category") => Action::Category,
        _ => Skip,
    }
}
