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

/// A stored moment (`2026-12-01T19:25:04.746338Z`) as a person reads it:
/// `2026-12-01 19:25 UTC`. Anything else is shown as it is.
pub fn moment(s: &str) -> String {
    match chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.fZ") {
        Ok(t) => t.format("%Y-%m-%d %H:%M UTC").to_string(),
        Err(_) => s.to_string(),
    }
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
    fn a_stored_moment_reads_as_day_and_minute() {
        for (stored, shown) in [
            ("2026-12-01T19:25:04.746338Z", "2026-12-01 19:25 UTC"),
            ("2026-01-09T07:05:00Z", "2026-01-09 07:05 UTC"),
            ("yesterday", "yesterday"),
            ("", ""),
        ] {
            assert_eq!(moment(stored), shown, "{stored}");
        }
    }

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
