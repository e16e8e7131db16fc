//! The `smtp` transport (lettre): plain, STARTTLS or implicit TLS, optional login with
//! the password read from the environment variable `password_env` names.
//!
//! The conversation is driven step by step so a failure can be classed: anything that
//! goes wrong before the message text is handed over, or any refusal the server
//! answers with a status code, certainly did not deliver (the message stays pending
//! and is retried); a connection that breaks or falls silent while the server holds
//! the message leaves the delivery in doubt (never retried without a person).

use std::time::Duration;

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{SmtpConnection, TlsParameters};
use lettre::transport::smtp::commands::{Data, Mail, Rcpt};
use lettre::transport::smtp::extension::{ClientId, Extension, MailParameter};

use super::message;
use super::transport::{Outcome, Outgoing, Transport};
use crate::config::{SmtpConfig, Tls};

/// Seconds to wait for the server when the config does not say.
pub const DEFAULT_TIMEOUT_SECS: u64 = 30;

/// Why the SMTP transport cannot be set up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SmtpSetupError {
    #[error(
        "[mail.smtp] username is set but password_env is not: name the environment variable that holds the password"
    )]
    NoPasswordEnv,
    #[error("the SMTP password is read from ${0}, which is not set: export it before sending")]
    PasswordUnset(String),
}

pub struct SmtpTransport {
    cfg: SmtpConfig,
    from: String,
    credentials: Option<Credentials>,
    conn: Option<SmtpConnection>,
    hello: ClientId,
    /// Set when the server could not be reached: later messages of this send fail
    /// with the same error instead of waiting for the timeout again.
    down: Option<String>,
}

impl SmtpTransport {
    /// Reads the password from the environment now; a missing one is an error.
    pub fn new(cfg: &SmtpConfig, from: &str) -> Result<SmtpTransport, SmtpSetupError> {
        let credentials = match &cfg.username {
            None => None,
            Some(user) => {
                let var = cfg
                    .password_env
                    .as_deref()
                    .ok_or(SmtpSetupError::NoPasswordEnv)?;
                let password = std::env::var(var)
                    .map_err(|_| SmtpSetupError::PasswordUnset(var.to_string()))?;
                Some(Credentials::new(user.clone(), password))
            }
        };
        Ok(SmtpTransport {
            cfg: cfg.clone(),
            from: from.to_string(),
            credentials,
            conn: None,
            hello: ClientId::default(),
            down: None,
        })
    }

    /// The port: as configured, else 25 (none), 587 (starttls) or 465 (tls).
    pub fn port(cfg: &SmtpConfig) -> u16 {
        cfg.port.unwrap_or(match cfg.tls {
            Tls::None => 25,
            Tls::Starttls => 587,
            Tls::Tls => 465,
        })
    }

    fn server(&self) -> String {
        format!("{}:{}", self.cfg.host, Self::port(&self.cfg))
    }

    fn connect(&self) -> Result<SmtpConnection, String> {
        let timeout = Some(Duration::from_secs(
            self.cfg.timeout.unwrap_or(DEFAULT_TIMEOUT_SECS),
        ));
        let host = self.cfg.host.as_str();
        let port = Self::port(&self.cfg);
        let tls = |h: &str| {
            TlsParameters::new(h.to_string()).map_err(|e| format!("cannot set up TLS for {h}: {e}"))
        };
        let wrapper = match self.cfg.tls {
            Tls::Tls => Some(tls(host)?),
            _ => None,
        };
        let mut conn =
            SmtpConnection::connect((host, port), timeout, &self.hello, wrapper.as_ref(), None)
                .map_err(|e| format!("cannot reach the SMTP server {}: {e}", self.server()))?;
        if self.cfg.tls == Tls::Starttls {
            if !conn.can_starttls() {
                conn.abort();
                return Err(format!(
                    "the SMTP server {} does not offer STARTTLS (set tls = \"tls\" or, on a trusted network only, \"none\")",
                    self.server()
                ));
            }
            conn.starttls(&tls(host)?, &self.hello)
                .map_err(|e| format!("STARTTLS with {} failed: {e}", self.server()))?;
        }
        if let Some(c) = &self.credentials {
            conn.auth(&[Mechanism::Plain, Mechanism::Login], c)
                .map_err(|e| format!("the SMTP server {} refused the login: {e}", self.server()))?;
        }
        Ok(conn)
    }
}

impl Transport for SmtpTransport {
    fn name(&self) -> &'static str {
        "smtp"
    }

    fn deliver(&mut self, m: &Outgoing<'_>) -> Outcome {
        if let Some(e) = &self.down {
            return Outcome::Failed(e.clone());
        }
        let msg = match message::build(&self.from, m.to, m.row) {
            Ok(msg) => msg,
            Err(e) => return Outcome::Failed(e),
        };
        let mut conn = match self.conn.take() {
            Some(c) if !c.has_broken() => c,
            _ => match self.connect() {
                Ok(c) => c,
                Err(e) => {
                    self.down = Some(e.clone());
                    return Outcome::Failed(e);
                }
            },
        };
        let outcome = send(&mut conn, msg.envelope(), &msg.formatted());
        if !conn.has_broken() && matches!(outcome, Outcome::Delivered(_)) {
            self.conn = Some(conn);
        } else {
            conn.abort();
        }
        outcome
    }

    fn finish(&mut self) {
        if let Some(mut c) = self.conn.take() {
            // The messages are already accepted; a failed QUIT changes nothing.
            let _ = c.quit();
        }
    }
}

/// One message over an open connection, with the failure classed by phase.
fn send(conn: &mut SmtpConnection, envelope: &Envelope, body: &[u8]) -> Outcome {
    let mut options = Vec::new();
    let non_ascii = envelope
        .from()
        .is_some_and(|a| !AsRef::<str>::as_ref(a).is_ascii())
        || envelope
            .to()
            .iter()
            .any(|a| !AsRef::<str>::as_ref(a).is_ascii());
    if non_ascii {
        if !conn.server_info().supports_feature(Extension::SmtpUtfEight) {
            return Outcome::Failed(
                "the address has non-ASCII characters and the server does not accept them (SMTPUTF8)"
                    .into(),
            );
        }
        options.push(MailParameter::SmtpUtfEight);
    }
    let before = |what: &str, e: lettre::transport::smtp::Error| {
        Outcome::Failed(format!("the SMTP server refused {what}: {e}"))
    };
    if let Err(e) = conn.command(Mail::new(envelope.from().cloned(), options)) {
        return before("the sender", e);
    }
    for to in envelope.to() {
        if let Err(e) = conn.command(Rcpt::new(to.clone(), vec![])) {
            return before(&format!("the recipient {to}"), e);
        }
    }
    if let Err(e) = conn.command(Data) {
        return before("the message", e);
    }
    match conn.message(body) {
        Ok(resp) => Outcome::Delivered(format!(
            "accepted by the SMTP server: {} {}",
            resp.code(),
            resp.message().collect::<Vec<_>>().join(" ")
        )),
        // The server answered with a refusal: it did not take the message.
        Err(e) if e.status().is_some() => {
            Outcome::Failed(format!("the SMTP server refused the message: {e}"))
        }
        // No answer, or the connection broke, after the server had the message.
        Err(e) => Outcome::InDoubt(format!(
            "the connection ended before the SMTP server confirmed the message: {e}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(tls: Tls) -> SmtpConfig {
        SmtpConfig {
            host: "127.0.0.1".into(),
            port: None,
            tls,
            username: None,
            password_env: None,
            timeout: Some(2),
        }
    }

    #[test]
    fn ports_and_passwords() {
        assert_eq!(SmtpTransport::port(&cfg(Tls::None)), 25);
        assert_eq!(SmtpTransport::port(&cfg(Tls::Starttls)), 587);
        assert_eq!(SmtpTransport::port(&cfg(Tls::Tls)), 465);
        let mut c = cfg(Tls::None);
        c.username = Some("ar".into());
        assert_eq!(
            SmtpTransport::new(&c, "ar@x.example").err(),
            Some(SmtpSetupError::NoPasswordEnv)
        );
        c.password_env = Some("ARQ_TEST_SURELY_UNSET_PASSWORD".into());
        let err = SmtpTransport::new(&c, "ar@x.example")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("$ARQ_TEST_SURELY_UNSET_PASSWORD"), "{err}");
        c.password_env = Some("PATH".into());
        assert!(SmtpTransport::new(&c, "ar@x.example").is_ok());
    }
}
