//! The e-mail: multipart/alternative (text, then HTML), UTF-8, built with lettre (which encodes the
//! Korean subject per RFC 2047 and the bodies as quoted-printable or base64). Pure: the date and
//! the Message-ID are given.

use std::time::SystemTime;

use chrono::{DateTime, NaiveDate, Utc};
use lettre::Message;
use lettre::message::header::{Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use sha2::{Digest as _, Sha256};

use crate::render::digest::frame::Frame;

/// The rendered digest, ready to become messages.
#[derive(Debug, Clone, PartialEq)]
pub struct Letter<'a> {
    pub frame: &'a Frame,
    pub text: &'a str,
    pub html: &'a str,
}

/// Who a message goes from and to, and its identity.
#[derive(Debug, Clone)]
pub struct Addressing<'a> {
    pub from: &'a Mailbox,
    pub to: &'a Mailbox,
    /// `<…@…>`: the send's idempotency key, so a copy that somehow went twice is one message to
    /// mail clients.
    pub message_id: String,
    pub date: DateTime<Utc>,
}

pub fn build(letter: &Letter<'_>, to: &Addressing<'_>) -> Result<Message, lettre::error::Error> {
    let mut builder = Message::builder()
        .from(to.from.clone())
        .to(to.to.clone())
        .subject(letter.frame.subject.clone())
        .date(SystemTime::from(to.date))
        .message_id(Some(to.message_id.clone()));
    if let Some(unsubscribe) = &letter.frame.unsubscribe {
        builder = builder.header(ListUnsubscribe(format!("<{unsubscribe}>")));
    }
    // A boundary derived from the content, so that the same digest always gives the same bytes.
    let hash = Sha256::digest(format!("{}\n{}", letter.text, letter.html).as_bytes());
    let boundary = format!("gazette-{}", hex::encode(&hash[..12]));
    builder.multipart(
        MultiPart::alternative()
            .boundary(boundary)
            .singlepart(SinglePart::plain(letter.text.to_owned()))
            .singlepart(SinglePart::html(letter.html.to_owned())),
    )
}

/// The Message-ID of `day`'s message to `recipient`: the same on every attempt, different per
/// day and recipient, and saying nothing about the address.
pub fn message_id(day: NaiveDate, recipient: &str, domain: &str) -> String {
    let hash = Sha256::digest(recipient.to_lowercase().as_bytes());
    format!("<digest-{day}-{}@{domain}>", hex::encode(&hash[..8]))
}

/// `List-Unsubscribe` (RFC 2369): lets mail clients offer a one-tap unsubscribe.
#[derive(Debug, Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }

    fn parse(text: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ListUnsubscribe(text.to_owned()))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}
