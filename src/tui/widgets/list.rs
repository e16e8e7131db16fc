//! A long list that builds only the rows on screen (a queue of ten thousand items
//! costs what thirty do), with a header, a `▶` selection marker, aligned columns and
//! wide characters measured by display width.

use std::cell::Cell;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

use super::super::theme::Theme;
use crate::display::{pad_left, pad_right, width};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub title: &'static str,
    pub width: u16,
    pub align: Align,
    /// Which columns stay when the list is narrow: lower first, then in order.
    pub rank: u8,
}

impl Column {
    pub const fn left(title: &'static str, width: u16) -> Column {
        Column {
            title,
            width,
            align: Align::Left,
            rank: 0,
        }
    }
    /// A right-aligned column holds numbers: a cell wider than the column widens it
    /// (it is never cut).
    pub const fn right(title: &'static str, width: u16) -> Column {
        Column {
            title,
            width,
            align: Align::Right,
            rank: 0,
        }
    }
    /// Kept after the columns of lower rank when the list is too narrow for all.
    pub const fn rank(mut self, rank: u8) -> Column {
        self.rank = rank;
        self
    }
}

/// Which row is selected, and (kept while drawing) which is first on screen and
/// where the list was drawn, for mouse clicks.
#[derive(Debug, Default, Clone)]
pub struct ListState {
    pub selected: usize,
    /// The selected row came under the cursor because the rows changed (someone
    /// else's work), not because the person moved there: keys that record refuse to
    /// act on it until the person moves or opens it (see `App::reload`).
    pub unchosen: bool,
    offset: Cell<usize>,
    area: Cell<Rect>,
}

impl ListState {
    pub fn clamp(&mut self, len: usize) {
        if len == 0 {
            self.selected = 0;
        } else if self.selected >= len {
            self.selected = len - 1;
        }
    }

    pub fn move_by(&mut self, delta: isize, len: usize) {
        self.unchosen = false;
        if len == 0 {
            self.selected = 0;
            return;
        }
        let next = (self.selected as isize + delta).clamp(0, len as isize - 1);
        self.selected = next as usize;
    }

    /// Rows visible last time the list was drawn (at least one).
    pub fn page_rows(&self) -> usize {
        usize::from(self.area.get().height.saturating_sub(1)).max(1)
    }

    /// The row under a click at screen row `y`, if any.
    pub fn row_at(&self, x: u16, y: u16) -> Option<usize> {
        let a = self.area.get();
        if x < a.x || x >= a.x + a.width || y <= a.y || y >= a.y + a.height {
            return None;
        }
        Some(self.offset.get() + usize::from(y - a.y - 1))
    }

    /// Scrolls the viewport by `delta` rows (mouse wheel) and keeps the selection inside.
    pub fn scroll(&mut self, delta: isize, len: usize) {
        self.move_by(delta, len);
    }

    fn visible(&self, height: usize, len: usize) -> (usize, usize) {
        let mut offset = self.offset.get().min(len.saturating_sub(1));
        if self.selected < offset {
            offset = self.selected;
        } else if height > 0 && self.selected >= offset + height {
            offset = self.selected + 1 - height;
        }
        // Do not leave empty rows at the bottom when the list could fill them.
        if len >= height && offset + height > len {
            offset = len - height;
        }
        self.offset.set(offset);
        (offset, (offset + height).min(len))
    }
}

/// Lays `columns` out in `width`: the others keep their widths while they fit, in
/// order of rank (then of place); the `flex` column (a name) takes what is left, at
/// least 20 columns (or what it asked for, when less) and at most a dozen more than
/// it asked for. The columns come back in their own order.
pub fn fit_columns(columns: &[Column], flex: usize, width: u16) -> Vec<(Column, u16)> {
    const MIN_FLEX: u16 = 20;
    let min_flex = columns
        .get(flex)
        .map_or(MIN_FLEX, |c| c.width.min(MIN_FLEX));
    let mut used = 2 + min_flex + 1;
    let mut keep = vec![false; columns.len()];
    let mut order: Vec<usize> = (0..columns.len()).collect();
    order.sort_by_key(|&i| columns[i].rank);
    for i in order {
        let c = &columns[i];
        if i == flex {
            keep[i] = true;
        } else if used + c.width < width {
            keep[i] = true;
            used += c.width + 1;
        }
    }
    let extra = width.saturating_sub(used);
    columns
        .iter()
        .enumerate()
        .filter(|(i, _)| keep[*i])
        .map(|(i, c)| {
            (
                *c,
                if i == flex {
                    (min_flex + extra).min(c.width.max(MIN_FLEX) + 12)
                } else {
                    c.width
                },
            )
        })
        .collect()
}

/// The width at which every column shows in full and the `flex` one has all the
/// room [`fit_columns`] would ever give it; a list wider than this only pads.
pub fn natural_width(columns: &[Column], flex: usize) -> u16 {
    let cells: u16 = columns
        .iter()
        .enumerate()
        .map(|(i, c)| if i == flex { c.width.max(20) + 12 } else { c.width } + 1)
        .sum();
    2 + cells
}

/// The rows of a list: how many, their columns (`flex` takes the spare width) and
/// each row's texts and styles (one per column, even for columns that do not fit).
pub struct Rows<'a> {
    pub len: usize,
    pub columns: &'a [Column],
    pub flex: usize,
    pub cells: &'a dyn Fn(usize) -> Vec<(String, Style)>,
}

/// Draws the header and the visible rows only. A number column is as wide as its
/// widest visible cell, so an amount is never cut.
pub fn render(buf: &mut Buffer, area: Rect, state: &ListState, rows: &Rows<'_>, theme: &Theme) {
    let (len, flex, cells) = (rows.len, rows.flex, rows.cells);
    state.area.set(area);
    if area.height == 0 || area.width == 0 {
        return;
    }
    let (from, to) = state.visible(usize::from(area.height - 1), len);
    let visible: Vec<Vec<(String, Style)>> = (from..to).map(cells).collect();
    let columns: Vec<Column> = rows
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let mut c = *c;
            if c.align == Align::Right {
                let widest = visible
                    .iter()
                    .filter_map(|r| r.get(i))
                    .map(|(t, _)| width(t))
                    .max()
                    .unwrap_or(0);
                c.width = c.width.max(u16::try_from(widest).unwrap_or(u16::MAX));
            }
            c
        })
        .collect();
    let laid = fit_columns(&columns, flex, area.width);
    let index_of = |c: &Column| columns.iter().position(|x| x.title == c.title).unwrap_or(0);
    let line = |texts: &[(String, Style)]| -> Vec<(String, Style)> {
        laid.iter()
            .map(|(c, w)| {
                let (t, s) = texts.get(index_of(c)).cloned().unwrap_or_default();
                let w = usize::from(*w);
                (
                    if c.align == Align::Right {
                        pad_left(&t, w)
                    } else {
                        pad_right(&t, w)
                    },
                    s,
                )
            })
            .collect()
    };
    let header: Vec<(String, Style)> = columns
        .iter()
        .map(|c| (c.title.to_string(), theme.title))
        .collect();
    draw_line(
        buf,
        area.x,
        area.y,
        area.width,
        "  ",
        &line(&header),
        theme.title,
        theme.title,
    );
    for (n, texts) in visible.iter().enumerate() {
        let i = from + n;
        let y = area.y + 1 + n as u16;
        let selected = i == state.selected;
        let row_style = if selected { theme.selected } else { theme.base };
        let marker = if selected { "▶ " } else { "  " };
        draw_line(
            buf,
            area.x,
            y,
            area.width,
            marker,
            &line(texts),
            row_style,
            row_style,
        );
    }
}

#[allow(clippy::too_many_arguments)]
fn draw_line(
    buf: &mut Buffer,
    x: u16,
    y: u16,
    width: u16,
    marker: &str,
    parts: &[(String, Style)],
    row: Style,
    marker_style: Style,
) {
    let end = x + width;
    buf.set_style(Rect::new(x, y, width, 1), row);
    let mut cx = buf
        .set_stringn(x, y, marker, usize::from(width), marker_style)
        .0;
    for (text, style) in parts {
        if cx >= end {
            break;
        }
        let left = usize::from(end - cx);
        cx = buf.set_stringn(cx, y, text, left, row.patch(*style)).0;
        if cx < end {
            cx = buf.set_stringn(cx, y, " ", 1, row).0;
        }
    }
}
