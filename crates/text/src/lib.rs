//! gazette's text toolkit: the character-level rules of the bottom layer, used by every stage (the
//! parser included) and importing nothing of gazette. One place for each rule, so that titles,
//! summaries, pages and mail read and write text the same way:
//!
//! - [`entity`]: character references (`&amp;`, `&#233;`, `&nbsp;`), decoded one way;
//! - [`html`]: HTML → plain text, and whether text looks like HTML at all;
//! - [`escape`]: plain text → markup, one escaper per output context (HTML, XML);
//! - [`web_url`]: what counts as a web (http/https) URL, parsed once into a [`WebUrl`].

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod entity;
pub mod escape;
pub mod html;
pub mod web_url;

pub use web_url::WebUrl;
