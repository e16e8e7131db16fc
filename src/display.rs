//! Text measured the way a terminal shows it: wide characters (CJK, emoji) take two
//! columns. Shared by the command line's tables and the terminal app.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Display width of `s` in terminal columns.
pub fn width(s: &str) -> usize {
    s.width()
}

/// Cuts `s` to at most `max` columns, ending in `…` when cut.
pub fn fit(s: &str, max: usize) -> String {
    if s.width() <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut w = 0;
    for ch in s.chars() {
        let cw = ch.width().unwrap_or(0);
        if w + cw + 1 > max {
            break;
        }
        out.push(ch);
        w += cw;
    }
    out.push('…');
    out
}

/// `s` cut or padded with spaces to exactly `w` columns, left-aligned.
pub fn pad_right(s: &str, w: usize) -> String {
    let t = fit(s, w);
    let n = w.saturating_sub(t.width());
    t + &" ".repeat(n)
}

/// `s` cut or padded with spaces to exactly `w` columns, right-aligned.
pub fn pad_left(s: &str, w: usize) -> String {
    let t = fit(s, w);
    let n = w.saturating_sub(t.width());
    " ".repeat(n) + &t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_characters_take_two_columns() {
        assert_eq!(width("東京"), 4);
        assert_eq!(fit("東京精密工業", 7), "東京精…");
        assert_eq!(width(&fit("東京精密工業", 7)), 7);
        assert_eq!(pad_right("東京", 6), "東京  ");
        assert_eq!(pad_left("5.00", 6), "  5.00");
        assert_eq!(fit("abc", 0), "");
        assert_eq!(fit("Café Olé ☕", 20), "Café Olé ☕");
    }
}
