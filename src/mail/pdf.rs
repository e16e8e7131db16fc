//! Printable letters as PDF (pdf-writer): the shop's letterhead and address block,
//! the customer's name and address, the date, the subject, and the message text set
//! in a fixed-width font so the invoice table stays aligned. Several letters make one
//! document (the batch a run prints); each letter starts on a new page and numbers
//! its own pages. Only the PDF base fonts are used, so nothing is embedded.

use chrono::NaiveDate;
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use crate::config::{Paper, ShopConfig};

/// One letter, ready to lay out.
#[derive(Debug, Clone)]
pub struct Letter {
    pub shop: ShopConfig,
    pub date: NaiveDate,
    /// Name, then address lines.
    pub recipient: Vec<String>,
    /// A reference line (account and message).
    pub reference: String,
    pub subject: String,
    pub body: String,
}

const MARGIN: f32 = 72.0;
const BODY_SIZE: f32 = 10.0;
const LEADING: f32 = 12.5;
/// Courier's advance width is 600/1000 em.
const BODY_CHAR: f32 = BODY_SIZE * 0.6;
const FOOTER_Y: f32 = 40.0;

fn page_size(paper: Paper) -> (f32, f32) {
    match paper {
        Paper::Letter => (612.0, 792.0),
        Paper::A4 => (595.0, 842.0),
    }
}

/// Text in the PDF base fonts' WinAnsiEncoding; what it lacks becomes `?`.
fn win_ansi(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| match c {
            '\u{20}'..='\u{7e}' => c as u8,
            '\u{a0}'..='\u{ff}' => c as u32 as u8,
            '€' => 0x80,
            '…' => 0x85,
            '•' => 0x95,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '–' => 0x96,
            '—' => 0x97,
            '\t' => b' ',
            _ => b'?',
        })
        .collect()
}

/// Breaks `text` into lines of at most `width` characters, at spaces where it can.
/// Leading spaces are kept (the invoice table is indented).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim_end();
        let mut rest: Vec<char> = line.chars().collect();
        if rest.is_empty() {
            out.push(String::new());
            continue;
        }
        while rest.len() > width {
            let cut = rest[..=width]
                .iter()
                .rposition(|c| *c == ' ')
                .filter(|p| *p > 0 && rest[..*p].iter().any(|c| *c != ' '))
                .unwrap_or(width);
            out.push(
                rest[..cut]
                    .iter()
                    .collect::<String>()
                    .trim_end()
                    .to_string(),
            );
            rest = rest[cut..].to_vec();
            while rest.first() == Some(&' ') {
                rest.remove(0);
            }
        }
        out.push(rest.into_iter().collect());
    }
    out
}

/// Lines drawn on a page: (font, size, x, y, text).
type Run = (&'static [u8], f32, f32, f32, String);

/// Lays out one letter into pages of text runs.
fn layout(l: &Letter, paper: Paper) -> Vec<Vec<Run>> {
    let (w, h) = page_size(paper);
    let cols = ((w - 2.0 * MARGIN) / BODY_CHAR).floor().max(20.0) as usize;
    let mut first: Vec<Run> = Vec::new();
    let mut y = h - 60.0;
    first.push((b"HB", 14.0, MARGIN, y, l.shop.name.clone()));
    y -= 14.0;
    let mut contact: Vec<String> = l.shop.address.clone();
    if let Some(p) = &l.shop.phone {
        contact.push(format!("Phone {p}"));
    }
    if let Some(e) = &l.shop.email {
        contact.push(e.clone());
    }
    for line in &contact {
        first.push((b"H", 9.0, MARGIN, y, line.clone()));
        y -= 11.0;
    }
    // The recipient's block sits where a window envelope shows it.
    y = y.min(h - 150.0);
    for (i, line) in l.recipient.iter().enumerate() {
        let font: &'static [u8] = if i == 0 { b"HB" } else { b"H" };
        first.push((font, 11.0, MARGIN, y, line.clone()));
        y -= 13.5;
    }
    y -= 22.0;
    first.push((
        b"H",
        10.0,
        MARGIN,
        y,
        l.date.format("%B %-d, %Y").to_string(),
    ));
    y -= 13.0;
    first.push((b"H", 8.5, MARGIN, y, l.reference.clone()));
    y -= 22.0;
    first.push((b"HB", 11.0, MARGIN, y, l.subject.clone()));
    y -= 22.0;

    let mut pages = vec![first];
    for line in wrap(&l.body, cols) {
        if y < FOOTER_Y + 30.0 {
            pages.push(Vec::new());
            y = h - 72.0;
        }
        if let Some(page) = pages.last_mut() {
            page.push((b"C", BODY_SIZE, MARGIN, y, line));
        }
        y -= LEADING;
    }
    let n = pages.len();
    for (i, page) in pages.iter_mut().enumerate() {
        let footer = format!("{} · {} · page {} of {n}", l.shop.name, l.reference, i + 1);
        page.push((b"H", 7.5, MARGIN, FOOTER_Y, footer));
    }
    pages
}

/// One PDF holding `letters`, each starting on a new page.
pub fn render(letters: &[Letter], paper: Paper, title: &str) -> Vec<u8> {
    let (w, h) = page_size(paper);
    let mut pdf = Pdf::new();
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let fonts = [
        (Ref::new(3), Name(b"H"), Name(b"Helvetica")),
        (Ref::new(4), Name(b"HB"), Name(b"Helvetica-Bold")),
        (Ref::new(5), Name(b"C"), Name(b"Courier")),
    ];
    let info = Ref::new(6);
    let mut next = 7;
    let pages: Vec<Vec<Run>> = letters.iter().flat_map(|l| layout(l, paper)).collect();
    let mut ids = Vec::with_capacity(pages.len());
    for runs in &pages {
        let (page_id, content_id) = (Ref::new(next), Ref::new(next + 1));
        next += 2;
        ids.push(page_id);
        let mut page = pdf.page(page_id);
        page.media_box(Rect::new(0.0, 0.0, w, h));
        page.parent(tree);
        page.contents(content_id);
        {
            let mut res = page.resources();
            let mut f = res.fonts();
            for (id, name, _) in &fonts {
                f.pair(*name, *id);
            }
        }
        page.finish();
        let mut content = Content::new();
        for (font, size, x, y, text) in runs {
            content.begin_text();
            content.set_font(Name(font), *size);
            content.next_line(*x, *y);
            content.show(Str(&win_ansi(text)));
            content.end_text();
        }
        pdf.stream(content_id, &content.finish());
    }
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(ids.iter().copied())
        .count(ids.len() as i32);
    for (id, _, base) in &fonts {
        pdf.type1_font(*id)
            .base_font(*base)
            .encoding_predefined(Name(b"WinAnsiEncoding"));
    }
    pdf.document_info(info)
        .title(TextStr(title))
        .creator(TextStr("arq"));
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_keeps_indents_and_breaks_long_words() {
        assert_eq!(wrap("  a b", 10), vec!["  a b"]);
        assert_eq!(wrap("aaa bbb ccc", 7), vec!["aaa bbb", "ccc"]);
        assert_eq!(wrap("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
        assert_eq!(wrap("x\n\ny", 4), vec!["x", "", "y"]);
        assert_eq!(win_ansi("Café €1 ☃"), b"Caf\xe9 \x801 ?".to_vec());
    }

    #[test]
    fn long_letters_take_several_pages() {
        let l = Letter {
            shop: ShopConfig::default(),
            date: NaiveDate::default(),
            recipient: vec!["Acme".into()],
            reference: "Account C-1".into(),
            subject: "Past due".into(),
            body: "line\n".repeat(100),
        };
        assert_eq!(layout(&l, Paper::Letter).len(), 3);
        let pdf = render(&[l.clone(), l], Paper::A4, "t");
        assert!(pdf.starts_with(b"%PDF-"));
    }
}
