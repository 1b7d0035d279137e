//! Colours, cell cleaning and the column grid the table is drawn with.

pub(super) const RED: &str = "\x1b[31m";
pub(super) const BOLD_RED: &str = "\x1b[1;31m";
pub(super) const YELLOW: &str = "\x1b[33m";
const GREEN: &str = "\x1b[1;32m";
pub(super) const BOLD: &str = "\x1b[1m";
pub(super) const DIM: &str = "\x1b[2m";
const RESET: &str = "\x1b[0m";

/// Writes with or without colour.
pub(super) struct Painter {
    pub(super) color: bool,
}

impl Painter {
    pub(super) fn paint(&self, code: &str, text: &str) -> String {
        if self.color && !code.is_empty() {
            format!("{code}{text}{RESET}")
        } else {
            text.to_owned()
        }
    }

    pub(super) fn verdict(&self, pass: bool) -> String {
        if pass {
            self.paint(GREEN, "PASS")
        } else {
            self.paint(BOLD_RED, "FAIL")
        }
    }
}

pub(super) fn severity_color(level: u8) -> &'static str {
    match level {
        5 => RED,
        4 => YELLOW,
        _ => "",
    }
}

/// Replaces control characters (escape sequences, newlines inside a cell)
/// so that the image's strings cannot move the cursor or recolour the
/// terminal.
pub(super) fn clean(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect()
}

fn width(s: &str) -> usize {
    s.chars().count()
}

/// One cell: its text and an optional colour applied after padding.
pub(super) struct Cell {
    text: String,
    color: &'static str,
}

impl Cell {
    pub(super) fn plain(text: impl AsRef<str>) -> Cell {
        Cell {
            text: clean(text.as_ref()),
            color: "",
        }
    }

    pub(super) fn colored(text: impl AsRef<str>, color: &'static str) -> Cell {
        Cell {
            text: clean(text.as_ref()),
            color,
        }
    }
}

/// Right-aligned columns (numbers), by index.
pub(super) struct Grid {
    pub(super) header: Vec<&'static str>,
    pub(super) right: Vec<usize>,
    pub(super) rows: Vec<Vec<Cell>>,
}

impl Grid {
    pub(super) fn write(&self, out: &mut String, indent: &str, p: &Painter) {
        let n = self.header.len();
        let mut widths: Vec<usize> = self.header.iter().map(|h| width(h)).collect();
        for row in &self.rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(width(&cell.text));
            }
        }
        let line = |out: &mut String, cells: Vec<(&str, &'static str)>| {
            let mut s = String::from(indent);
            for (i, (text, color)) in cells.into_iter().enumerate() {
                let pad = widths[i].saturating_sub(width(text));
                let last = i + 1 == n;
                if self.right.contains(&i) {
                    s.push_str(&" ".repeat(pad));
                    s.push_str(&p.paint(color, text));
                } else {
                    s.push_str(&p.paint(color, text));
                    if !last {
                        s.push_str(&" ".repeat(pad));
                    }
                }
                if !last {
                    s.push_str("  ");
                }
            }
            out.push_str(s.trim_end());
            out.push('\n');
        };
        line(out, self.header.iter().map(|h| (*h, DIM)).collect());
        for row in &self.rows {
            line(
                out,
                row.iter().map(|c| (c.text.as_str(), c.color)).collect(),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_replaces_control_characters() {
        assert_eq!(clean("a\x1b[31mb\nc"), "a\u{fffd}[31mb\u{fffd}c");
        assert_eq!(clean("plain é"), "plain é");
    }

    #[test]
    fn grid_pads_and_aligns() {
        let mut out = String::new();
        Grid {
            header: vec!["A", "NUM", "LAST"],
            right: vec![1],
            rows: vec![
                vec![Cell::plain("long"), Cell::plain("7"), Cell::plain("x")],
                vec![Cell::plain("s"), Cell::plain("1234"), Cell::plain("")],
            ],
        }
        .write(&mut out, "", &Painter { color: false });
        assert_eq!(out, "A      NUM  LAST\nlong     7  x\ns     1234\n");
    }
}
