//! Text measured the way a terminal shows it: wide characters (CJK, emoji) take two
//! columns. Shared by the command line's tables and the terminal app. Text that came
//! from outside (names, notes, imported fields) is made safe to show first: its
//! control characters are drawn as visible symbols, never sent to the terminal to
//! obey (an `ESC ] 0 ;` in a note must not retitle the window or clear the screen).

use std::borrow::Cow;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// A character a terminal would act on rather than draw: C0 and C1 controls, DEL,
/// and the bidirectional overrides that reorder what is shown.
pub fn is_control(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// The visible stand-in for a control character: `␛` for ESC, `␀` for NUL (the
/// Unicode control pictures), `␡` for DEL, `�` for the rest.
pub fn picture(c: char) -> char {
    match c {
        '\0'..='\u{1f}' => char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}'),
        '\u{7f}' => '\u{2421}',
        _ => '\u{fffd}',
    }
}

fn replace(s: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !s.chars().any(|c| is_control(c) && !keep(c)) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| {
                if is_control(c) && !keep(c) {
                    picture(c)
                } else {
                    c
                }
            })
            .collect(),
    )
}

/// `s` safe for a terminal, line breaks and tabs kept: for text printed as it is.
pub fn clean(s: &str) -> Cow<'_, str> {
    replace(s, |c| c == '\n' || c == '\t')
}

/// `s` safe for a terminal on one line (a table cell, a list row): every control
/// character, line breaks too, shown as its picture.
pub fn clean_line(s: &str) -> Cow<'_, str> {
    replace(s, |_| false)
}

/// JSON text safe for a terminal with its meaning unchanged: the controls JSON
/// writers leave raw (DEL, C1, bidirectional overrides) become `\uXXXX` escapes.
pub fn json_safe(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| is_control(c) && c != '\n') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if is_control(c) && c != '\n' {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

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

    #[test]
    fn control_characters_are_shown_not_obeyed() {
        let note = "paid\u{1b}]0;owned\u{7}\u{1b}[2J ok\u{9b}31m\u{7f}\u{202e}";
        let shown = clean(note);
        assert!(!shown.chars().any(is_control), "{shown}");
        assert_eq!(shown, "paid␛]0;owned␇␛[2J ok�31m␡�");
        assert_eq!(clean("two\nlines\tand a tab"), "two\nlines\tand a tab");
        assert_eq!(clean_line("two\nlines"), "two␊lines");
        assert!(matches!(clean("plain"), Cow::Borrowed(_)));
        // JSON keeps the value, escaped.
        let json = serde_json::to_string(&note).unwrap_or_default();
        let safe = json_safe(&json);
        assert!(!safe.chars().any(is_control), "{safe}");
        let back: String = serde_json::from_str(&safe).unwrap_or_default();
        assert_eq!(back, note);
    }
}
