//! The SMS transport: the shop's own command (`[sms] command`), run through `sh -c`
//! with the message on standard input and the number in `ARQ_SMS_TO`, so any
//! gateway's command-line tool can be used. Exit status 0 means the gateway took it;
//! any other status is a failure retried by the next send, and so is a command that
//! cannot be started or that exits without reading the whole message (its closed
//! pipe is an error here, never a signal that stops arq); a command that outlives
//! its timeout is stopped and its delivery left in doubt.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::transport::{Outcome, Outgoing, Transport};

/// Seconds the command may run when the config does not say.
pub const DEFAULT_TIMEOUT_SECS: u64 = 60;

pub struct SmsTransport {
    command: Option<String>,
    timeout: Duration,
}

impl SmsTransport {
    pub fn new(command: Option<&str>, timeout_secs: Option<u64>) -> SmsTransport {
        SmsTransport {
            command: command
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_string),
            timeout: Duration::from_secs(timeout_secs.unwrap_or(DEFAULT_TIMEOUT_SECS)),
        }
    }
}

/// The first few hundred characters of what a command printed, on one line.
fn excerpt(bytes: &[u8]) -> String {
    let s = String::from_utf8_lossy(bytes);
    let one: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    one.chars().take(300).collect()
}

impl Transport for SmsTransport {
    fn name(&self) -> &'static str {
        "sms command"
    }

    fn deliver(&mut self, m: &Outgoing<'_>) -> Outcome {
        let Some(command) = &self.command else {
            return Outcome::Failed(
                "no [sms] command is configured: set one in config.toml (the message arrives on standard input, the number in $ARQ_SMS_TO)".into(),
            );
        };
        let spawned = Command::new("sh")
            .arg("-c")
            .arg(command)
            .env("ARQ_SMS_TO", m.to)
            .env("ARQ_MESSAGE_ID", &m.row.message_id)
            .env("ARQ_CUSTOMER_ID", &m.row.customer_id)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn();
        let mut child = match spawned {
            Ok(c) => c,
            Err(e) => return Outcome::Failed(format!("cannot start the [sms] command: {e}")),
        };
        // Feed standard input and drain the outputs on their own threads so a command
        // that writes a lot (or reads nothing) cannot block us.
        let body = m.row.body_text.clone().into_bytes();
        let stdin = child
            .stdin
            .take()
            .map(|mut w| std::thread::spawn(move || w.write_all(&body).and_then(|()| w.flush())));
        let drain = |r: Option<Box<dyn Read + Send>>| {
            r.map(|mut r| {
                std::thread::spawn(move || {
                    let mut buf = Vec::new();
                    let _ = r.read_to_end(&mut buf);
                    buf
                })
            })
        };
        let out = drain(
            child
                .stdout
                .take()
                .map(|o| Box::new(o) as Box<dyn Read + Send>),
        );
        let err = drain(
            child
                .stderr
                .take()
                .map(|o| Box::new(o) as Box<dyn Read + Send>),
        );
        let started = Instant::now();
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break Some(status),
                Ok(None) if started.elapsed() >= self.timeout => {
                    let _ = child.kill();
                    let _ = child.wait();
                    break None;
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(20)),
                Err(e) => {
                    return Outcome::InDoubt(format!("lost track of the [sms] command: {e}"));
                }
            }
        };
        // Whether the command took the whole message on its standard input.
        let fed: std::io::Result<()> = match stdin {
            Some(h) => h.join().unwrap_or(Ok(())),
            None => Ok(()),
        };
        let joined = |h: Option<std::thread::JoinHandle<Vec<u8>>>| {
            h.and_then(|h| h.join().ok()).unwrap_or_default()
        };
        let (out, err) = (joined(out), joined(err));
        match status {
            None => Outcome::InDoubt(format!(
                "the [sms] command did not finish within {} s and was stopped",
                self.timeout.as_secs()
            )),
            Some(s) if s.success() && fed.is_err() => Outcome::Failed(format!(
                "the [sms] command exited without reading the whole message ({}): it is not taken as sent",
                fed.err().map(|e| e.to_string()).unwrap_or_default()
            )),
            Some(s) if s.success() => {
                let said = excerpt(&out);
                Outcome::Delivered(if said.is_empty() {
                    format!("handed to the [sms] command for {}", m.to)
                } else {
                    format!("handed to the [sms] command for {}: {said}", m.to)
                })
            }
            Some(s) => {
                let code = match s.code() {
                    Some(127) => "status 127 (the command was not found)".to_string(),
                    Some(126) => "status 126 (the command cannot be run)".to_string(),
                    Some(c) => format!("status {c}"),
                    None => "a signal".to_string(),
                };
                let said = excerpt(&err);
                Outcome::Failed(if said.is_empty() {
                    format!("the [sms] command exited with {code}")
                } else {
                    format!("the [sms] command exited with {code}: {said}")
                })
            }
        }
    }
}
