//! Text that flows onto the next line instead of being cut: a line of styled spans
//! broken at spaces (keeping each span's style), and rows of pieces that are never
//! split (`balance 74,176.82` stays together). A number shown this way is always
//! whole.

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthChar;

use crate::display::width;

/// Breaks `line` into lines of at most `max` columns at spaces, keeping every span's
/// style; lines after the first start with `indent` spaces. A word longer than a
/// line is split. Nothing is dropped.
pub fn wrap_line(line: &Line<'_>, max: usize, indent: usize) -> Vec<Line<'static>> {
    let max = max.max(indent + 1);
    // Words and the spaces between them, each with its style.
    let mut tokens: Vec<(String, Style, bool)> = Vec::new();
    for span in &line.spans {
        let style = line.style.patch(span.style);
        let mut word = String::new();
        for ch in span.content.chars() {
            if ch == ' ' {
                if !word.is_empty() {
                    tokens.push((std::mem::take(&mut word), style, false));
                }
                tokens.push((" ".into(), style, true));
            } else {
                word.push(ch);
            }
        }
        if !word.is_empty() {
            tokens.push((word, style, false));
        }
    }
    let mut out: Vec<Line<'static>> = Vec::new();
    let mut spans: Vec<Span<'static>> = Vec::new();
    // Columns used on this line, and where its text starts (after the indent).
    let (mut used, mut start) = (0, 0);
    let mut gap: Vec<(String, Style)> = Vec::new();
    let new_line = |out: &mut Vec<Line<'static>>, spans: &mut Vec<Span<'static>>| {
        out.push(Line::from(std::mem::take(spans)));
        spans.push(Span::raw(" ".repeat(indent)));
        indent
    };
    for (text, style, space) in tokens {
        if space {
            gap.push((text, style));
            continue;
        }
        let w = width(&text);
        if used > start && used + gap.len() + w > max {
            used = new_line(&mut out, &mut spans);
            start = indent;
            gap.clear();
        }
        for (g, s) in gap.drain(..) {
            spans.push(Span::styled(g, s));
            used += 1;
        }
        if used + w <= max {
            spans.push(Span::styled(text, style));
            used += w;
            continue;
        }
        // Longer than a whole line: split it by characters.
        let mut piece = String::new();
        for ch in text.chars() {
            let cw = ch.width().unwrap_or(0);
            if used + cw > max && used > start {
                spans.push(Span::styled(std::mem::take(&mut piece), style));
                used = new_line(&mut out, &mut spans);
                start = indent;
            }
            piece.push(ch);
            used += cw;
        }
        spans.push(Span::styled(piece, style));
    }
    out.push(Line::from(spans));
    out
}

/// Lays out `pieces` left to right with `sep` between them, starting a new line
/// (indented by `indent`) when the next piece does not fit: a piece is never split.
pub fn flow(
    pieces: Vec<Vec<Span<'static>>>,
    max: usize,
    sep: &str,
    indent: usize,
) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    let mut line: Vec<Span<'static>> = Vec::new();
    let mut used = 0;
    let mut first_on_line = true;
    for piece in pieces {
        let w: usize = piece.iter().map(|s| width(&s.content)).sum();
        let sep_w = if first_on_line { 0 } else { width(sep) };
        if !first_on_line && used + sep_w + w > max {
            out.push(Line::from(std::mem::take(&mut line)));
            line.push(Span::raw(" ".repeat(indent)));
            used = indent;
            first_on_line = true;
        }
        if !first_on_line {
            line.push(Span::raw(sep.to_string()));
            used += width(sep);
        }
        used += w;
        line.extend(piece);
        first_on_line = false;
    }
    out.push(Line::from(line));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(lines: &[Line<'_>]) -> Vec<String> {
        lines
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect()
    }

    #[test]
    fn a_line_wraps_at_spaces_with_its_styles_and_an_indent() {
        let bold = Style::default().add_modifier(ratatui::style::Modifier::BOLD);
        let line = Line::from(vec![
            Span::raw("item "),
            Span::styled("#742 call due 2026-11-19", bold),
        ]);
        let lines = wrap_line(&line, 16, 2);
        assert_eq!(text(&lines), ["item #742 call", "  due 2026-11-19"]);
        assert_eq!(lines[1].spans.last().map(|s| s.style), Some(bold));
        // Fits: unchanged.
        assert_eq!(
            text(&wrap_line(&line, 80, 2)),
            ["item #742 call due 2026-11-19"]
        );
        // A word longer than a line is split, never dropped.
        assert_eq!(
            text(&wrap_line(&Line::from("abcdefghij"), 4, 0)),
            ["abcd", "efgh", "ij"]
        );
    }

    #[test]
    fn pieces_move_to_the_next_line_whole() {
        let piece = |s: &str| vec![Span::raw(s.to_string())];
        let lines = flow(
            vec![
                piece("current 36,013.57"),
                piece("1-30 38,163.25"),
                piece("91+ 83,830.47"),
            ],
            36,
            "  ",
            4,
        );
        assert_eq!(
            text(&lines),
            ["current 36,013.57  1-30 38,163.25", "    91+ 83,830.47"]
        );
    }
}
