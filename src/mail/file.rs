//! The `file` transport (the default): one `.eml` file per message in the outbox
//! folder, so a new shop never mails anyone by surprise. Files are named by outbox id
//! and Message-ID and never written twice. A batch's files reach the disk together
//! (`settle`) before the batch is recorded as sent.

use std::path::PathBuf;

use super::message;
use super::transport::{
    Outcome, Outgoing, Transport, make_durable, message_id_local, safe_name, write_unsynced,
};
use crate::store::outbox::OutboxRow;

pub struct FileTransport {
    dir: PathBuf,
    from: String,
    /// Files written since the last `settle`.
    unsettled: Vec<PathBuf>,
}

impl FileTransport {
    pub fn new(dir: PathBuf, from: &str) -> FileTransport {
        FileTransport {
            dir,
            from: from.to_string(),
            unsettled: Vec::new(),
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
            // Written by a send that stopped before recording it: it is settled with
            // this batch like a new one.
            let done = format!("already written to {}", path.display());
            self.unsettled.push(path);
            return Outcome::Delivered(done);
        }
        let msg = match message::build(&self.from, m.to, m.row) {
            Ok(msg) => msg,
            Err(e) => return Outcome::Failed(e),
        };
        match write_unsynced(&path, &msg.formatted()) {
            Ok(()) => {
                let done = format!("written to {}", path.display());
                self.unsettled.push(path);
                Outcome::Delivered(done)
            }
            Err(e) => Outcome::Failed(format!("cannot write {}: {e}", path.display())),
        }
    }

    fn settle(&mut self) -> Result<(), String> {
        let files = std::mem::take(&mut self.unsettled);
        make_durable(&self.dir, &files).map_err(|e| {
            format!(
                "written to {} but not confirmed on disk: {e}",
                self.dir.display()
            )
        })
    }

    fn idempotent(&self) -> bool {
        true
    }
}
