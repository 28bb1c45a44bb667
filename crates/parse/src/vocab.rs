//! What an element means to the feed walker. Each format module maps its own element names to an
//! [`Action`]; [`classify`] picks the module by namespace, so that RSS items can carry Atom links and
//! Dublin Core dates (they do) without any reader knowing about the others.

use super::xml::{Element, Ns};
use super::{atom, modules, rdf, rss};

/// Whether an element sits at feed level or inside an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ctx {
    Feed,
    Entry,
}

/// The vocabulary that unprefixed elements belong to, decided by the document's root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    Rss,
    Atom,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    /// A wrapper (`<channel>`, `<media:group>`): its children belong to the current context.
    Descend,
    /// An item or entry.
    Entry,
    /// Text content for a field, and how to read markup inside it.
    Text(Field, Markup),
    /// An Atom-style `<link rel href type length>`.
    Link,
    /// RSS `<enclosure url type length>`.
    Enclosure,
    /// `<media:content url type fileSize>`, listed after true enclosures.
    MediaContent,
    /// Atom `<category term>`: the term attribute, else the text.
    Category,
    /// An Atom person construct (`<author><name/><email/><uri/></author>`); `true` for authors,
    /// `false` for contributors.
    Person(bool),
    /// A person construct's parts.
    PersonPart(PersonPart),
    /// Ignore the element and everything in it.
    Skip,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PersonPart {
    Name,
    Email,
    Uri,
}

/// Where text goes. Fields with a rank: when several elements supply one field, the lowest rank wins
/// and, among equals, the first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    Title(u8),
    Link,
    /// RSS `<guid isPermaLink>`, Atom `<id>`: the id, and the link when the entry has none.
    Id(u8),
    Summary(u8),
    Content(u8),
    Published(u8),
    Updated(u8),
    Language,
    /// An RSS-style author: "jo@example.com (Jo)", "Jo <jo@example.com>" or a name.
    Author(u8),
    Category,
    /// A polling request (feed level only).
    Poll(PollField),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PollField {
    /// RSS `<ttl>`: minutes.
    Ttl,
    /// An `<hour>` in `<skipHours>`.
    SkipHour,
    /// A `<day>` in `<skipDays>`.
    SkipDay,
    /// `sy:updatePeriod`: hourly, daily, weekly, monthly, yearly.
    UpdatePeriod,
    /// `sy:updateFrequency`: times per period.
    UpdateFrequency,
}

/// How to read an element's content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Markup {
    /// Plain text.
    Text,
    /// HTML, escaped or as naked child elements.
    Html,
    /// Plain text by definition, HTML in practice (RSS titles): decode markup when it is there.
    MaybeHtml,
    /// An Atom text construct: its `type` (and Atom 0.3 `mode`) attribute says.
    Atom,
}

/// `core` is the root element's namespace: a feed in an unknown namespace still has its own elements
/// read. Feeds mix vocabularies (Atom's `<id>` in RSS items, RSS `<item>`s in Atom), so a core element
/// the document's own dialect does not know is looked up in the other one.
pub(crate) fn classify(dialect: Dialect, core: Ns, ctx: Ctx, element: &Element) -> Action {
    let local = element.local.as_ref();
    let ns = if element.ns == core {
        Ns::None
    } else {
        element.ns
    };
    let (first, second): (Classifier, Classifier) = match (ns, dialect) {
        (Ns::None, Dialect::Rss) | (Ns::Rss090 | Ns::Rss10, _) => (rss::classify, atom::classify),
        (Ns::None, Dialect::Atom) | (Ns::Atom03 | Ns::Atom10, _) => (atom::classify, rss::classify),

        (Ns::Rdf, _) => return rdf::classify(local),
        (ns, _) => return modules::classify(ctx, ns, local),
    };
    match first(ctx, local, element) {
        Action::Skip => second(ctx, local, element),
        action => action,
    }
}

type Classifier = fn(Ctx, &str, &Element) -> Action;
