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

/// `s` broken into lines of at most `max` columns, at spaces where it can (a word
/// longer than a line is split). Line breaks in `s` are kept; nothing is dropped,
/// so a number is never cut off: it moves to the next line whole.
pub fn wrap(s: &str, max: usize) -> Vec<String> {
    let max = max.max(1);
    let mut out = Vec::new();
    for para in s.split('\n') {
        let mut line = String::new();
        let mut w = 0;
        for word in para.split(' ') {
            let ww = word.width();
            let gap = usize::from(!line.is_empty());
            if w + gap + ww <= max {
                if gap == 1 {
                    line.push(' ');
                }
                line.push_str(word);
                w += gap + ww;
                continue;
            }
            if !line.is_empty() {
                out.push(std::mem::take(&mut line));
                w = 0;
            }
            // A word wider than a line: split it by characters.
            for ch in word.chars() {
                let cw = ch.width().unwrap_or(0);
                if w + cw > max && !line.is_empty() {
                    out.push(std::mem::take(&mut line));
                    w = 0;
                }
                line.push(ch);
                w += cw;
            }
        }
        out.push(line);
    }
    out
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

    #[test]
    fn wrapping_keeps_every_word_whole_and_every_line_break() {
        let cases: &[(&str, usize, &[&str])] = &[
            ("short", 10, &["short"]),
            ("", 10, &[""]),
            ("one two three", 7, &["one two", "three"]),
            (
                "past due 83,830.47 now",
                12,
                &["past due", "83,830.47", "now"],
            ),
            ("first\nsecond line", 20, &["first", "second line"]),
            ("abcdefghij", 4, &["abcd", "efgh", "ij"]),
            ("東京 精密", 4, &["東京", "精密"]),
        ];
        for (text, max, want) in cases {
            assert_eq!(&wrap(text, *max), want, "{text:?} at {max}");
        }
    }
}
