//! The letter transport: each `letter` message becomes a printable PDF in the outbox
//! folder's `letters/`, named by outbox id and customer, never written twice; the
//! letters of one send are also gathered into one batch PDF to print in one go.

use std::path::PathBuf;

use super::pdf::{self, Letter};
use super::transport::{Outcome, Outgoing, Transport, safe_name, write_atomically};
use crate::config::{Paper, ShopConfig};

pub struct LetterTransport {
    dir: PathBuf,
    shop: ShopConfig,
    paper: Paper,
    /// (outbox id, letter) of every letter delivered by this send.
    done: Vec<(i64, Letter)>,
}

impl LetterTransport {
    /// Letters go to `outbox_dir/letters/`.
    pub fn new(outbox_dir: PathBuf, shop: &ShopConfig, paper: Paper) -> LetterTransport {
        LetterTransport {
            dir: outbox_dir.join("letters"),
            shop: shop.clone(),
            paper,
            done: Vec::new(),
        }
    }

    fn letter(&self, m: &Outgoing<'_>) -> Letter {
        let mut recipient = vec![m.customer_name.to_string()];
        if let Some(a) = m.address {
            recipient.extend(
                a.lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_string),
            );
        }
        Letter {
            shop: self.shop.clone(),
            date: m.as_of,
            recipient,
            reference: format!("Account {} · ref {}", m.row.customer_id, m.row.id),
            subject: m.row.subject.clone(),
            body: m.row.body_text.clone(),
        }
    }

    /// Writes the batch PDF of this send's letters (none when there were none).
    pub fn write_batch(&mut self, as_of: chrono::NaiveDate) -> Result<Option<PathBuf>, String> {
        let (Some((first, _)), Some((last, _))) = (self.done.first(), self.done.last()) else {
            return Ok(None);
        };
        let path = self
            .dir
            .join(format!("batch-{as_of}-{first:06}-{last:06}.pdf"));
        let letters: Vec<Letter> = self.done.iter().map(|(_, l)| l.clone()).collect();
        let title = format!("{} letters, {as_of}", letters.len());
        write_atomically(&path, &pdf::render(&letters, self.paper, &title))
            .map_err(|e| format!("cannot write the batch {}: {e}", path.display()))?;
        self.done.clear();
        Ok(Some(path))
    }
}

impl Transport for LetterTransport {
    fn name(&self) -> &'static str {
        "letter"
    }

    fn deliver(&mut self, m: &Outgoing<'_>) -> Outcome {
        let path = self.dir.join(format!(
            "{:06}-{}.pdf",
            m.row.id,
            safe_name(&m.row.customer_id)
        ));
        let letter = self.letter(m);
        if path.exists() {
            // Printed by a send that stopped before recording it: it still belongs in
            // a batch, since that send's batch was never written.
            self.done.push((m.row.id, letter));
            return Outcome::Delivered(format!("already printed to {}", path.display()));
        }
        let bytes = pdf::render(std::slice::from_ref(&letter), self.paper, &letter.subject);
        match write_atomically(&path, &bytes) {
            Ok(()) => {
                self.done.push((m.row.id, letter));
                Outcome::Delivered(format!("printed to {}", path.display()))
            }
            Err(e) => Outcome::Failed(format!("cannot write {}: {e}", path.display())),
        }
    }

    fn idempotent(&self) -> bool {
        true
    }
}
