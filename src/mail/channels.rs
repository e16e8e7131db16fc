//! The transports of one send, one per channel, chosen by the config: email as
//! `.eml` files or through SMTP, SMS through the shop's command, letters as PDF.

use std::path::Path;

use chrono::NaiveDate;

use super::file::FileTransport;
use super::letter::LetterTransport;
use super::send::SendReport;
use super::sms::SmsTransport;
use super::smtp::SmtpTransport;
use super::transport::{Outcome, Outgoing, Transport, outbox_dir};
use crate::config::{Config, Transport as TransportKind};
use crate::domain::Channel;

/// A transport that could not be set up: every message fails with its reason.
struct Unavailable {
    name: &'static str,
    error: String,
}

impl Transport for Unavailable {
    fn name(&self) -> &'static str {
        self.name
    }

    fn deliver(&mut self, _m: &Outgoing<'_>) -> Outcome {
        Outcome::Failed(self.error.clone())
    }
}

/// The transports of one send, one per channel, chosen by the config.
pub struct Transports {
    pub email: Box<dyn Transport>,
    pub sms: Box<dyn Transport>,
    pub letter: LetterTransport,
}

impl Transports {
    /// The transports `cfg` chooses for the database at `db`.
    pub fn from_config(cfg: &Config, db: &Path) -> Transports {
        let dir = outbox_dir(cfg, db);
        let email: Box<dyn Transport> = match (cfg.mail.transport, &cfg.mail.smtp) {
            (TransportKind::Smtp, Some(smtp)) => match SmtpTransport::new(smtp, &cfg.mail.from) {
                Ok(t) => Box::new(t),
                Err(e) => Box::new(Unavailable {
                    name: "smtp",
                    error: e.to_string(),
                }),
            },
            (TransportKind::Smtp, None) => Box::new(Unavailable {
                name: "smtp",
                error: "transport = \"smtp\" needs a [mail.smtp] table with host".into(),
            }),
            (TransportKind::File, _) => Box::new(FileTransport::new(dir.clone(), &cfg.mail.from)),
        };
        Transports {
            email,
            sms: Box::new(SmsTransport::new(
                cfg.sms.command.as_deref(),
                cfg.sms.timeout,
            )),
            letter: LetterTransport::new(dir, &cfg.shop, cfg.mail.paper),
        }
    }

    pub(crate) fn get(&mut self, channel: Channel) -> &mut dyn Transport {
        match channel {
            Channel::Sms | Channel::Phone => self.sms.as_mut(),
            Channel::Letter => &mut self.letter,
            Channel::Email => self.email.as_mut(),
        }
    }

    pub(crate) fn finish(&mut self, as_of: NaiveDate, report: &mut SendReport) {
        self.email.finish();
        self.sms.finish();
        match self.letter.write_batch(as_of) {
            Ok(path) => report.batch_pdf = path.map(|p| p.display().to_string()),
            Err(e) => report.warnings.push(e),
        }
    }
}
