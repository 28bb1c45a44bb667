//! The data model: the types several stages share, defined below all of them so that none has to
//! import another stage to name what it receives or hands on. Plain data with the few methods that
//! define it (an item's date and key); no I/O, and no imports from the rest of the crate.

mod day;
mod decision;
mod digest;
mod edition;
mod health;
mod item;
mod status;
#[cfg(any(test, feature = "test-support"))]
mod testing;
mod words;

pub use day::Day;
pub use decision::{
    Decision, Fetch, IdFrom, ItemDecision, Origin, Peer, Placement, Record, Rule, StoredRef, Test,
};
pub use digest::{DigestContent, DigestSection, Story};
pub use edition::{Block, BlockKind, Coverage, Edition, Related, SectionEdition};
pub use health::{Change, FeedDates, HealthEvent, Watch};
pub use item::{Item, ItemKey, Normalized, Source, StoredItem};
pub use status::{ArticleFailure, CycleSummary, FeedHealth, FullTextHealth, SectionCount};
pub use words::{Labels, Lang};
