//! The `Mailer`: owns the SMTP settings and sends one message per connection.
//!
//! It drives lettre's SMTP connection step by step rather than through a transport, to know how
//! far a failed send got: a failure before the message was handed over (connection refused, a 4xx
//! or 5xx reply) means nothing was sent and it may be tried again; a connection that breaks while
//! the message is being handed over leaves it in doubt, and the caller must not send it again.

use std::time::Duration;

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::extension::ClientId;

use crate::config::DigestConfig;

/// How long one connection, command or reply may take.
const TIMEOUT: Duration = Duration::from_secs(60);

/// The mailer cannot be set up.
#[derive(Debug, thiserror::Error)]
pub enum MailerError {
    #[error("[digest] has no `smtp` server to send with")]
    NoServer,
    #[error("the environment variable {name} (named by `{key}`) is not set")]
    MissingSecret { name: String, key: &'static str },
}

/// Why one message was not (surely) delivered to the server.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// The server never took the message. `retry` when the cause may pass (down, 4xx).
    #[error("{reason}")]
    NotSent { reason: String, retry: bool },
    /// The connection failed while the message was being handed over: it may have arrived.
    #[error("{reason} (the message may have been delivered)")]
    InDoubt { reason: String },
}

/// Whether the connection is encrypted from the start or upgraded when the server offers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Security {
    /// `smtps://`: TLS from the first byte.
    Tls,
    /// `smtp://`: STARTTLS when the server offers it.
    StartTlsWhenOffered,
}

#[derive(Debug, Clone)]
pub struct Mailer {
    host: String,
    port: u16,
    security: Security,
    credentials: Option<Credentials>,
}

impl Mailer {
    /// The mailer of `[digest]`, reading the SMTP login from the environment variables it names.
    pub fn from_config(digest: &DigestConfig) -> Result<Mailer, MailerError> {
        let url = digest.smtp.as_ref().ok_or(MailerError::NoServer)?;
        let host = url.host_str().ok_or(MailerError::NoServer)?;
        let (security, default_port) = match url.scheme() {
            "smtps" => (Security::Tls, 465),
            _ => (Security::StartTlsWhenOffered, 587),
        };
        let secret = |name: &Option<String>, key| {
            name.as_ref()
                .map(|name| {
                    std::env::var(name).map_err(|_| MailerError::MissingSecret {
                        name: name.clone(),
                        key,
                    })
                })
                .transpose()
        };
        let user = secret(&digest.smtp_user_env, "smtp_user_env")?;
        let password = secret(&digest.smtp_password_env, "smtp_password_env")?;
        Ok(Mailer {
            // `Url` writes IPv6 hosts in brackets; the socket address wants them bare.
            host: host.trim_matches(['[', ']']).to_owned(),
            port: url.port().unwrap_or(default_port),
            security,
            credentials: user
                .zip(password)
                .map(|(user, pass)| Credentials::new(user, pass)),
        })
    }

    /// Hands `message` to the server for the envelope's recipients, on a connection of its own.
    pub async fn send(&self, envelope: &Envelope, message: &[u8]) -> Result<(), SendError> {
        let hello = ClientId::default();
        let wrapper = match self.security {
            Security::Tls => Some(self.tls()?),
            Security::StartTlsWhenOffered => None,
        };
        let mut connection = AsyncSmtpConnection::connect_tokio1(
            (self.host.as_str(), self.port),
            Some(TIMEOUT),
            &hello,
            wrapper,
            None,
        )
        .await
        .map_err(|error| before_handover("cannot connect", &error))?;
        let result = self
            .transact(&mut connection, &hello, envelope, message)
            .await;
        match &result {
            // The message is delivered; a failed goodbye changes nothing.
            Ok(()) => {
                let _ = connection.quit().await;
            }
            Err(_) => connection.abort().await,
        }
        result
    }

    async fn transact(
        &self,
        connection: &mut AsyncSmtpConnection,
        hello: &ClientId,
        envelope: &Envelope,
        message: &[u8],
    ) -> Result<(), SendError> {
        if self.security == Security::StartTlsWhenOffered && connection.can_starttls() {
            connection
                .starttls(self.tls()?, hello)
                .await
                .map_err(|error| before_handover("STARTTLS failed", &error))?;
        }
        if let Some(credentials) = &self.credentials {
            if !connection.is_encrypted() {
                return Err(SendError::NotSent {
                    reason: format!(
                        "{}:{} offers no TLS; refusing to send the SMTP password in the clear",
                        self.host, self.port
                    ),
                    retry: false,
                });
            }
            connection
                .auth(&[Mechanism::Plain, Mechanism::Login], credentials)
                .await
                .map_err(|error| before_handover("login failed", &error))?;
        }
        connection
            .send(envelope, message)
            .await
            .map(drop)
            .map_err(|error| during_handover(&error))
    }

    fn tls(&self) -> Result<TlsParameters, SendError> {
        TlsParameters::new(self.host.clone()).map_err(|error| SendError::NotSent {
            reason: format!("cannot set up TLS for {}: {error}", self.host),
            retry: false,
        })
    }
}

/// An error before the message was sent: nothing went out. Worth retrying unless the server said
/// no for good.
fn before_handover(what: &str, error: &lettre::transport::smtp::Error) -> SendError {
    SendError::NotSent {
        reason: format!("{what}: {error}"),
        retry: !error.is_permanent(),
    }
}

/// An error of the mail transaction. A reply from the server (to MAIL, RCPT, DATA or the message
/// itself) means it did not take the message; lettre's own checks fail before anything is sent.
/// Anything else broke the connection mid-way.
fn during_handover(error: &lettre::transport::smtp::Error) -> SendError {
    let reason = error.to_string();
    if error.is_transient() {
        SendError::NotSent {
            reason,
            retry: true,
        }
    } else if error.is_permanent() || error.is_client() {
        SendError::NotSent {
            reason,
            retry: false,
        }
    } else {
        SendError::InDoubt { reason }
    }
}
