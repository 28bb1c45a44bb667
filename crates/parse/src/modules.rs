//! The namespaced extension vocabularies that any format may carry: Dublin Core (`dc:`, `dcterms:`),
//! `content:encoded`, Media RSS (`media:`), iTunes (`itunes:`), syndication hints (`sy:`) and XHTML bodies.

use super::vocab::{Action, Ctx, Field, Markup, PollField};
use super::xml::Ns;

pub(crate) fn classify(ctx: Ctx, ns: Ns, local: &str) -> Action {
    use Action::{Descend, Skip, Text};
    match (ns, ctx, local) {
        (Ns::Dc, _, "title") => Text(Field::Title(1), Markup::MaybeHtml),
        (Ns::Dc, _, "description") => Text(Field::Summary(1), Markup::Html),
        (Ns::Dc, _, "language") => Text(Field::Language, Markup::Text),
        (Ns::Dc, Ctx::Entry, "creator" | "author") => Text(Field::Author(1), Markup::Text),
        (Ns::Dc, Ctx::Entry, "subject") => Text(Field::Category, Markup::Text),
        (Ns::Dc, _, "date") | (Ns::DcTerms, _, "modified") => Text(Field::Updated(1), Markup::Text),
        (Ns::DcTerms, Ctx::Entry, "issued") => Text(Field::Published(1), Markup::Text),
        (Ns::Content, Ctx::Entry, "encoded") => Text(Field::Content(0), Markup::Html),
        (Ns::Xhtml, Ctx::Entry, "body" | "div") => Text(Field::Content(1), Markup::Html),
        (Ns::Media, Ctx::Entry, "group") => Descend,
        (Ns::Media, Ctx::Entry, "content") => Action::MediaContent,
        (Ns::Media, Ctx::Entry, "description") => Text(Field::Summary(3), Markup::Text),
        (Ns::Media, Ctx::Entry, "title") => Text(Field::Title(3), Markup::Text),
        (Ns::Itunes, _, "summary") => Text(Field::Summary(2), Markup::Text),
        (Ns::Itunes, Ctx::Entry, "author") => Text(Field::Author(2), Markup::Text),
        (Ns::Sy, Ctx::Feed, "updateperiod") => {
            Text(Field::Poll(PollField::UpdatePeriod), Markup::Text)
        }
        (Ns::Sy, Ctx::Feed, "updatefrequency") => {
            Text(Field::Poll(PollField::UpdateFrequency), Markup::Text)
        }
        _ => Skip,
    }
}
