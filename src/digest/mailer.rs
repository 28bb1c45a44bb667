//! The `Mailer`: owns the SMTP settings and sends one message per connection.
//!
//! It drives lettre's SMTP connection command by command rather than through a transport, to
//! know how far a failed send got: a failure before the whole message was written (connection
//! refused or dropped, a 4xx or 5xx reply, a step that timed out) means the server cannot have
//! taken it, and it may be tried again; only a connection that breaks or goes silent after the
//! message's end leaves it in doubt, and then the caller must not send it again.
//!
//! Every step has a limit ([`SmtpTimeouts`]): connecting (the greeting and EHLO included), each
//! command, and the message with the reply to its end.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::commands::{Data, Mail, Rcpt};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};

use crate::config::{DigestConfig, SmtpTimeouts};

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
    timeouts: SmtpTimeouts,
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
            timeouts: digest.smtp_timeouts,
        })
    }

    /// Hands `message` to the server for the envelope's recipients, on a connection of its own.
    /// Every step has a time limit, so a server that stops answering costs at most the limits.
    pub async fn send(&self, envelope: &Envelope, message: &[u8]) -> Result<(), SendError> {
        let hello = ClientId::default();
        let wrapper = match self.security {
            Security::Tls => Some(self.tls()?),
            Security::StartTlsWhenOffered => None,
        };
        let limits = &self.timeouts;
        // The greeting and the reply to EHLO come within the connection step.
        let mut connection = step(
            limits.connect + limits.command,
            &format!("cannot connect to {}:{}", self.host, self.port),
            AsyncSmtpConnection::connect_tokio1(
                (self.host.as_str(), self.port),
                Some(limits.connect),
                &hello,
                wrapper,
                None,
            ),
        )
        .await?;
        let result = self
            .transact(&mut connection, &hello, envelope, message)
            .await;
        // Saying goodbye is a courtesy, bounded like any command; it changes nothing.
        let goodbye = async {
            match &result {
                Ok(()) => drop(connection.quit().await),
                Err(_) => connection.abort().await,
            }
        };
        let _ = tokio::time::timeout(limits.command, goodbye).await;
        result
    }

    async fn transact(
        &self,
        connection: &mut AsyncSmtpConnection,
        hello: &ClientId,
        envelope: &Envelope,
        message: &[u8],
    ) -> Result<(), SendError> {
        let command = self.timeouts.command;
        if self.security == Security::StartTlsWhenOffered && connection.can_starttls() {
            step(
                command,
                "STARTTLS failed",
                connection.starttls(self.tls()?, hello),
            )
            .await?;
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
            step(
                command,
                "login failed",
                connection.auth(&[Mechanism::Plain, Mechanism::Login], credentials),
            )
            .await?;
        }
        let options = mail_options(connection, envelope, message)?;
        step(
            command,
            "MAIL FROM",
            connection.command(Mail::new(envelope.from().cloned(), options)),
        )
        .await?;
        for recipient in envelope.to() {
            step(
                command,
                "RCPT TO",
                connection.command(Rcpt::new(recipient.clone(), Vec::new())),
            )
            .await?;
        }
        step(command, "DATA", connection.command(Data)).await?;
        self.hand_over(connection, message).await
    }

    /// Sends the message and its final dot, and reads the reply. Until every byte of the message
    /// is written the server cannot have taken it, so a failure is retried; once it is (and the
    /// final dot goes out or may have), a broken connection or a missing reply leaves it in
    /// doubt, and only the server's own refusal says it was not taken.
    async fn hand_over(
        &self,
        connection: &mut AsyncSmtpConnection,
        message: &[u8],
    ) -> Result<(), SendError> {
        let written = AtomicBool::new(false);
        let parts = Parts {
            message: Some(message),
            written: &written,
        };
        let limit = self.timeouts.data;
        let outcome = tokio::time::timeout(limit, connection.message_iter(parts)).await;
        let all_written = written.load(Ordering::SeqCst);
        match outcome {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(error)) if error.is_transient() || error.is_permanent() => {
                Err(not_sent("the server refused the message", &error))
            }
            Ok(Err(error)) if !all_written => Err(SendError::NotSent {
                reason: format!("the connection failed before the end of the message: {error}"),
                retry: true,
            }),
            Ok(Err(error)) => Err(SendError::InDoubt {
                reason: format!("the connection failed after the end of the message: {error}"),
            }),
            Err(_) if !all_written => Err(SendError::NotSent {
                reason: format!(
                    "the message was not taken within {}",
                    humantime::format_duration(limit)
                ),
                retry: true,
            }),
            Err(_) => Err(SendError::InDoubt {
                reason: format!(
                    "no reply to the end of the message within {}",
                    humantime::format_duration(limit)
                ),
            }),
        }
    }

    fn tls(&self) -> Result<TlsParameters, SendError> {
        TlsParameters::new(self.host.clone()).map_err(|error| SendError::NotSent {
            reason: format!("cannot set up TLS for {}: {error}", self.host),
            retry: false,
        })
    }
}

/// The message as lettre writes it: one part, then the note that it was all written (lettre
/// asks for the next part only once the last is written; the final dot follows).
struct Parts<'a> {
    message: Option<&'a [u8]>,
    written: &'a AtomicBool,
}

impl<'a> Iterator for Parts<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let part = self.message.take();
        if part.is_none() {
            self.written.store(true, Ordering::SeqCst);
        }
        part
    }
}

/// The MAIL FROM parameters `message` needs (RFC 6152, RFC 6531), if the server offers them.
fn mail_options(
    connection: &AsyncSmtpConnection,
    envelope: &Envelope,
    message: &[u8],
) -> Result<Vec<MailParameter>, SendError> {
    let server = connection.server_info();
    let unsupported = |what: &str| SendError::NotSent {
        reason: format!("the server does not support {what}"),
        retry: false,
    };
    let mut options = Vec::new();
    let non_ascii_address = envelope
        .from()
        .into_iter()
        .chain(envelope.to())
        .any(|address| !AsRef::<str>::as_ref(address).is_ascii());
    if non_ascii_address {
        if !server.supports_feature(Extension::SmtpUtfEight) {
            return Err(unsupported("SMTPUTF8, needed by a non-ASCII address"));
        }
        options.push(MailParameter::SmtpUtfEight);
    }
    if !message.is_ascii() {
        if !server.supports_feature(Extension::EightBitMime) {
            return Err(unsupported("8BITMIME, needed by the message"));
        }
        options.push(MailParameter::Body(MailBodyParameter::EightBitMime));
    }
    Ok(options)
}

/// Runs one step of the conversation, for at most `limit`. Nothing was sent if it fails: retried
/// unless the server said no for good.
async fn step<T>(
    limit: Duration,
    what: &str,
    work: impl Future<Output = Result<T, lettre::transport::smtp::Error>>,
) -> Result<T, SendError> {
    match tokio::time::timeout(limit, work).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(not_sent(what, &error)),
        Err(_) => Err(SendError::NotSent {
            reason: format!(
                "{what}: no answer within {}",
                humantime::format_duration(limit)
            ),
            retry: true,
        }),
    }
}

/// A failure that left the message unsent: worth retrying unless the server refused for good or
/// the message cannot be sent as it is.
fn not_sent(what: &str, error: &lettre::transport::smtp::Error) -> SendError {
    SendError::NotSent {
        reason: format!("{what}: {error}"),
        retry: !(error.is_permanent() || error.is_client()),
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
    use tokio::net::TcpListener;

    use super::*;

    /// A server that answers up to DATA, reads a little of the message and hangs up.
    async fn dropping_mid_message() -> u16 {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            let (stream, _) = listener.accept().await.unwrap();
            let (read, mut write) = stream.into_split();
            let mut lines = BufReader::new(read);
            write.write_all(b"220 sink\r\n").await.unwrap();
            loop {
                let mut line = String::new();
                lines.read_line(&mut line).await.unwrap();
                if line.starts_with("DATA") {
                    write.write_all(b"354 go ahead\r\n").await.unwrap();
                    let mut some = [0; 1024];
                    lines.read_exact(&mut some).await.unwrap();
                    // Closing with unread data resets the connection.
                    return;
                }
                write.write_all(b"250 ok\r\n").await.unwrap();
            }
        });
        port
    }

    #[tokio::test]
    async fn a_drop_before_the_end_of_the_message_is_retried_not_in_doubt() {
        let port = dropping_mid_message().await;
        let mailer = Mailer {
            host: "127.0.0.1".into(),
            port,
            security: Security::StartTlsWhenOffered,
            credentials: None,
            timeouts: SmtpTimeouts::default(),
        };
        let envelope = Envelope::new(
            Some("news@example.com".parse().unwrap()),
            vec!["reader@example.com".parse().unwrap()],
        )
        .unwrap();
        // Far more than the socket buffers on both sides hold, so the drop comes mid-message.
        let message = "Subject: big\r\n\r\n"
            .bytes()
            .chain(
                b"x".repeat(76)
                    .into_iter()
                    .chain(*b"\r\n")
                    .cycle()
                    .take(16 << 20),
            )
            .collect::<Vec<u8>>();
        match mailer.send(&envelope, &message).await {
            Err(SendError::NotSent {
                retry: true,
                reason,
            }) => {
                assert!(reason.contains("before the end of the message"), "{reason}");
            }
            other => panic!("expected a retry, got {other:?}"),
        }
    }
}
