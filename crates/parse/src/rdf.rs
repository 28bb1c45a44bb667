//! RSS 1.0 and 0.90's RDF wrapping: `<rdf:RDF>` holds the channel and, beside it, the items. The
//! channel's `<items><rdf:Seq>` table of contents only repeats what the items say. The RSS elements
//! themselves are read by [`super::rss`]; an item's `rdf:about` is its id.

use super::vocab::Action;

pub(crate) fn classify(local: &str) -> Action {
    match local {
        "rdf" => Action::Descend,
        _ => Action::Skip,
    }
}
