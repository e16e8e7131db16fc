//! What the mail tests share: a real SMTP server on loopback (mailin-embedded) that
//! keeps what it receives, a server that drops the connection after taking a
//! message, and a small shop with past-due customers.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use arq::config::{Config, SmtpConfig, Tls, Transport};
use arq::domain::Customer;
use mailin_embedded::{Handler, Response, Server, SslConfig, response};

use crate::common::Shop;

/// One message as the server received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub data: Vec<u8>,
}

impl Received {
    pub fn parsed(&self) -> mailparse::ParsedMail<'_> {
        mailparse::parse_mail(&self.data).unwrap_or_else(|e| panic!("unparseable message: {e}"))
    }
}

#[derive(Clone, Default)]
struct Sink {
    inbox: Arc<Mutex<Vec<Received>>>,
    from: String,
    to: Vec<String>,
    data: Vec<u8>,
}

impl Handler for Sink {
    fn data_start(&mut self, _domain: &str, from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.from = from.to_string();
        self.to = to.to_vec();
        self.data.clear();
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let got = Received {
            from: std::mem::take(&mut self.from),
            to: std::mem::take(&mut self.to),
            data: std::mem::take(&mut self.data),
        };
        self.inbox
            .lock()
            .unwrap_or_else(|e| panic!("{e}"))
            .push(got);
        response::OK
    }
}

/// A running SMTP server on 127.0.0.1; it lives until the test process ends.
pub struct SmtpSink {
    pub port: u16,
    inbox: Arc<Mutex<Vec<Received>>>,
}

impl SmtpSink {
    /// Starts a server on `port` (0: any free port).
    pub fn start(port: u16) -> SmtpSink {
        let listener = TcpListener::bind(("127.0.0.1", port)).unwrap_or_else(|e| panic!("{e}"));
        let port = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("{e}"))
            .port();
        let sink = Sink::default();
        let inbox = sink.inbox.clone();
        let mut server = Server::new(sink);
        server
            .with_name("sink.test")
            .with_ssl(SslConfig::None)
            .unwrap_or_else(|e| panic!("{e}"))
            .with_num_threads(2)
            .with_tcp_listener(listener);
        std::thread::spawn(move || {
            let _ = server.serve();
        });
        SmtpSink { port, inbox }
    }

    pub fn received(&self) -> Vec<Received> {
        self.inbox.lock().unwrap_or_else(|e| panic!("{e}")).clone()
    }
}

/// A port nothing listens on (bound, then released).
pub fn free_port() -> u16 {
    let l = TcpListener::bind(("127.0.0.1", 0)).unwrap_or_else(|e| panic!("{e}"));
    l.local_addr().unwrap_or_else(|e| panic!("{e}")).port()
}

/// A server that takes one message and hangs up before saying whether it accepted
/// it: the delivery is in doubt. Returns its port and the count of messages taken.
pub fn hang_up_after_data() -> (u16, Arc<Mutex<usize>>) {
    let listener = TcpListener::bind(("127.0.0.1", 0)).unwrap_or_else(|e| panic!("{e}"));
    let port = listener
        .local_addr()
        .unwrap_or_else(|e| panic!("{e}"))
        .port();
    let taken = Arc::new(Mutex::new(0usize));
    let count = taken.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let _ = converse(stream, &count);
        }
    });
    (port, taken)
}

fn converse(stream: TcpStream, taken: &Arc<Mutex<usize>>) -> std::io::Result<()> {
    let mut w = stream.try_clone()?;
    let mut r = BufReader::new(stream);
    w.write_all(b"220 hangup.test ESMTP\r\n")?;
    let mut line = String::new();
    loop {
        line.clear();
        if r.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let cmd = line.trim_end().to_ascii_uppercase();
        if cmd.starts_with("EHLO") || cmd.starts_with("HELO") {
            w.write_all(b"250 hangup.test\r\n")?;
        } else if cmd == "DATA" {
            w.write_all(b"354 go ahead\r\n")?;
            loop {
                line.clear();
                if r.read_line(&mut line)? == 0 || line.trim_end() == "." {
                    break;
                }
            }
            *taken.lock().unwrap_or_else(|e| panic!("{e}")) += 1;
            // Hang up without answering: did the server keep the message?
            return Ok(());
        } else if cmd == "QUIT" {
            w.write_all(b"221 bye\r\n")?;
            return Ok(());
        } else {
            w.write_all(b"250 ok\r\n")?;
        }
    }
}

/// A config sending through SMTP (no TLS) to 127.0.0.1:`port`.
pub fn smtp_config(port: u16) -> Config {
    let mut c = Config::default();
    c.mail.transport = Transport::Smtp;
    c.mail.from = "Northwind AR <ar@northwind.example>".into();
    c.mail.smtp = Some(SmtpConfig {
        host: "127.0.0.1".into(),
        port: Some(port),
        tls: Tls::None,
        username: None,
        password_env: None,
        timeout: Some(5),
    });
    c.shop.name = "Northwind Supply".into();
    c.shop.address = vec!["1 Harbour Road".into(), "Springfield 12345".into()];
    c.shop.phone = Some("555-0100".into());
    c
}

/// The same, as `config.toml` text for the binary.
pub fn smtp_config_toml(port: u16) -> String {
    format!(
        "[mail]\ntransport = \"smtp\"\nfrom = \"Northwind AR <ar@northwind.example>\"\n\n\
         [mail.smtp]\nhost = \"127.0.0.1\"\nport = {port}\ntls = \"none\"\ntimeout = 5\n\n\
         [shop]\nname = \"Northwind Supply\"\naddress = [\"1 Harbour Road\", \"Springfield 12345\"]\n"
    )
}

/// A shop where C1 (ana's) owes INV-1 1,250.00 (due 2026-02-01) and INV-2 300.00
/// (due 2026-02-10), and INV-3 80.00 not yet due on 2026-03-02.
pub fn shop_with_c1() -> Shop {
    let shop = Shop::new("2026-01-01");
    shop.customer("C1", "ana");
    shop.invoice("INV-1", "C1", "2026-01-02", "2026-02-01", "1250.00");
    shop.invoice("INV-2", "C1", "2026-01-11", "2026-02-10", "300.00");
    shop.invoice("INV-3", "C1", "2026-02-20", "2026-03-20", "80.00");
    shop
}

/// Adds a past-due customer `id` owned by `owner`, changed by `edit`.
pub fn past_due_customer(shop: &Shop, id: &str, owner: &str, edit: impl FnOnce(&mut Customer)) {
    let mut c = Customer::named(id, &format!("{id} Trading Co"));
    c.owner = Some(owner.to_string());
    c.email = Some(format!("ap@{}.example", id.to_ascii_lowercase()));
    c.phone = Some("+15550100".into());
    edit(&mut c);
    shop.put_customer(&c);
    shop.invoice(
        &format!("{id}-INV"),
        id,
        "2026-01-02",
        "2026-02-01",
        "640.00",
    );
}

/// Replaces a customer's record (opt-outs, white glove, contacts).
pub fn edit_customer(shop: &Shop, id: &str, edit: impl FnOnce(&mut Customer)) {
    let mut s = shop.session("admin", "2026-03-02");
    s.write(|tx| {
        let mut c =
            arq::store::customers::get(tx.conn, id)?.unwrap_or_else(|| panic!("no customer {id}"));
        edit(&mut c);
        arq::store::customers::update(tx.conn, &c)?;
        Ok(())
    })
    .unwrap_or_else(|e| panic!("{e}"));
}

/// The text of one part of a parsed message with this MIME type.
pub fn part_text(m: &mailparse::ParsedMail<'_>, mime: &str) -> Option<String> {
    if m.ctype.mimetype == mime {
        return m.get_body().ok();
    }
    m.subparts.iter().find_map(|p| part_text(p, mime))
}

/// A header of a parsed message.
pub fn header(m: &mailparse::ParsedMail<'_>, name: &str) -> String {
    use mailparse::MailHeaderMap;
    m.headers.get_first_value(name).unwrap_or_default()
}
