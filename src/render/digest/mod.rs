//! The daily digest as readers get it: the mail bodies and the archived page ([`html`], [`text`]),
//! what surrounds them ([`frame`]), the archive's index and feed ([`feed`]), in the digest's
//! language (its words are [`crate::model::Lang`]'s, as the pages' are). Pure; choosing the stories, archiving and sending are [`crate::digest`].

pub mod feed;
pub mod frame;
pub mod html;
pub mod text;
