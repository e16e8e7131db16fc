//! The last gate before the terminal: every cell the app draws passes through
//! [`Safe`], which shows any control character a cell still holds (ratatui drops C0
//! and C1 controls itself; bidirectional overrides and anything else a terminal
//! would act on are caught here) as a visible symbol. Text that came from outside —
//! a note holding `ESC ] 0 ;` or `ESC [ 2 J` — is drawn, never obeyed.

use ratatui::backend::{Backend, ClearType, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};

use crate::display;

/// A backend that cleans each cell before handing it to the real one.
pub struct Safe<B>(pub B);

fn needs_cleaning(c: &Cell) -> bool {
    c.symbol().chars().any(display::is_control)
}

fn cleaned(c: &Cell) -> Cell {
    let mut out = c.clone();
    let symbol: String = c
        .symbol()
        .chars()
        .map(|ch| {
            if display::is_control(ch) {
                display::picture(ch)
            } else {
                ch
            }
        })
        .take(1)
        .collect();
    out.set_symbol(&symbol);
    out
}

impl<B: Backend> Backend for Safe<B> {
    type Error = B::Error;

    fn draw<'a, I>(&mut self, content: I) -> Result<(), Self::Error>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        let cells: Vec<(u16, u16, &Cell)> = content.collect();
        let fixed: Vec<Option<Cell>> = cells
            .iter()
            .map(|(_, _, c)| needs_cleaning(c).then(|| cleaned(c)))
            .collect();
        self.0.draw(
            cells
                .iter()
                .zip(&fixed)
                .map(|((x, y, c), f)| (*x, *y, f.as_ref().unwrap_or(c))),
        )
    }

    fn append_lines(&mut self, n: u16) -> Result<(), Self::Error> {
        self.0.append_lines(n)
    }

    fn hide_cursor(&mut self) -> Result<(), Self::Error> {
        self.0.hide_cursor()
    }

    fn show_cursor(&mut self) -> Result<(), Self::Error> {
        match self.0.show_cursor() {
            // A terminal that is gone has no cursor to show. Reporting the failure would
            // go to stderr, that same terminal, and ratatui's `eprintln!` panics when it
            // cannot write (the app ended by a hangup would exit 101, not 129).
            Err(_) if super::stop::terminal_gone() => Ok(()),
            shown => shown,
        }
    }

    fn get_cursor_position(&mut self) -> Result<Position, Self::Error> {
        self.0.get_cursor_position()
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> Result<(), Self::Error> {
        self.0.set_cursor_position(position)
    }

    fn clear(&mut self) -> Result<(), Self::Error> {
        self.0.clear()
    }

    fn clear_region(&mut self, clear_type: ClearType) -> Result<(), Self::Error> {
        self.0.clear_region(clear_type)
    }

    fn size(&self) -> Result<Size, Self::Error> {
        self.0.size()
    }

    fn window_size(&mut self) -> Result<WindowSize, Self::Error> {
        self.0.window_size()
    }

    fn flush(&mut self) -> Result<(), Self::Error> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::widgets::Paragraph;

    #[test]
    fn no_control_character_reaches_the_terminal() {
        let note = "paid \u{1b}]0;pwned\u{7}\u{1b}[2J \u{202e}later\u{9b}31m";
        let mut t = Terminal::new(Safe(TestBackend::new(40, 1))).unwrap_or_else(|e| panic!("{e}"));
        t.draw(|f| f.render_widget(Paragraph::new(note), f.area()))
            .unwrap_or_else(|e| panic!("{e}"));
        let buf = t.backend().0.buffer().clone();
        let shown: String = buf.content().iter().map(Cell::symbol).collect();
        assert!(!shown.chars().any(display::is_control), "{shown:?}");
        assert!(
            shown.contains("]0;pwned") && shown.contains("later"),
            "{shown:?}"
        );
    }
}
