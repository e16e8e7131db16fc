//! The `file` transport (the default): one `.eml` file per message in the outbox
//! folder, so a new shop never mails anyone by surprise. Files are named by outbox id
//! and Message-ID and never written twice.

use std::path::PathBuf;

use super::message;
use super::transport::{
    Outcome, Outgoing, Transport, message_id_local, safe_name, write_atomically,
};
use crate::store::outbox::OutboxRow;

pub struct FileTransport {
    dir: PathBuf,
    from: String,
}

impl FileTransport {
    pub fn new(dir: PathBuf, from: &str) -> FileTransport {
        FileTransport {
            dir,
            from: from.to_string(),
        }
    }

    /// The file a message is written to.
    pub fn path_for(&self, row: &OutboxRow) -> PathBuf {
        self.dir.join(format!(
            "{:06}-{}.eml",
            row.id,
            safe_name(message_id_local(&row.message_id))
        ))
    }
}

impl Transport for FileTransport {
    fn name(&self) -> &'static str {
        "file"
    }

    fn deliver(&mut self, m: &Outgoing<'_>) -> Outcome {
        let path = self.path_for(m.row);
        if path.exists() {
            return Outcome::Delivered(format!("already written to {}", path.display()));
        }
        let msg = match message::build(&self.from, m.to, m.row) {
            Ok(msg) => msg,
            Err(e) => return Outcome::Failed(e),
        };
        match write_atomically(&path, &msg.formatted()) {
            Ok(()) => Outcome::Delivered(format!("written to {}", path.display())),
            Err(e) => Outcome::Failed(format!("cannot write {}: {e}", path.display())),
        }
    }

    fn idempotent(&self) -> bool {
        true
    }
}
