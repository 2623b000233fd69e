//! Table layout for the PDF writer: column widths from the cell contents, wrapped cells,
//! rows split across pages, and the header row repeated on each page.
//!
//! Column widths start from each column's longest unbreakable word and grow towards the
//! width of its longest line in proportion to the room it wants, so narrow columns (IDs,
//! ports) stay narrow and long text gets the rest. Key/value fields use the same code with
//! fixed widths and no grid.

use super::pdf_layout::{FontStyle, PageWriter, Rgb3, CONTENT_WIDTH, LINE_SPACING, MARGIN_X};

/// Horizontal padding inside a cell.
const PAD_X: f32 = 3.5;
/// Vertical padding inside a cell.
const PAD_Y: f32 = 2.5;
/// Grid line colour.
const GRID: Rgb3 = Rgb3(0.72, 0.72, 0.72);
/// Header row background.
const HEADER_FILL: Rgb3 = Rgb3(0.9, 0.91, 0.93);

/// Drawing options of a grid of cells.
pub struct GridStyle {
    /// Font size that sets the line height, and of the header.
    pub size: f32,
    /// Font size of each column's cells; a column without an entry uses `size`.
    pub column_sizes: Vec<f32>,
    /// Face of each column's cells.
    pub column_styles: Vec<FontStyle>,
    /// Header texts, drawn bold on a shaded row and repeated after each page break.
    pub header: Option<Vec<String>>,
    /// Whether to draw cell borders.
    pub borders: bool,
    /// Extra space below each row, in points.
    pub row_gap: f32,
}

/// Computes column widths that fill the content width.
pub fn column_widths(writer: &PageWriter, style: &GridStyle, rows: &[Vec<String>]) -> Vec<f32> {
    let count = style.column_styles.len();
    if count == 0 {
        return Vec::new();
    }
    let fonts = writer.fonts;
    let mut natural = vec![0.0_f32; count];
    let mut minimum = vec![0.0_f32; count];
    let mut measure = |column: usize, is_header: bool, text: &str| {
        let face = cell_face(style, column, is_header);
        let size = cell_size(style, column, is_header);
        let text = fonts.printable(face, text);
        for line in text.split('\n') {
            natural[column] = natural[column].max(fonts.width(face, size, line.trim()));
            for word in line.split_whitespace() {
                minimum[column] = minimum[column].max(fonts.width(face, size, word));
            }
        }
    };
    if let Some(header) = &style.header {
        for (column, text) in header.iter().enumerate().take(count) {
            measure(column, true, text);
        }
    }
    for row in rows {
        for (column, text) in row.iter().enumerate().take(count) {
            measure(column, false, text);
        }
    }

    // A single long word (a hash, a path) claims at most this share of the width as its
    // minimum width, and longer words are broken inside the cell. The share is large enough
    // to keep addresses and timestamps whole.
    let longest_unbroken = CONTENT_WIDTH * 0.34;
    let minimum: Vec<f32> = minimum.iter().map(|w| (w + 2.0 * PAD_X).min(longest_unbroken)).collect();
    let natural: Vec<f32> = natural.iter().zip(&minimum).map(|(w, min)| (w + 2.0 * PAD_X).max(*min)).collect();

    let natural_total: f32 = natural.iter().sum();
    let minimum_total: f32 = minimum.iter().sum();
    if natural_total <= CONTENT_WIDTH {
        let scale = CONTENT_WIDTH / natural_total.max(1.0);
        return natural.iter().map(|w| w * scale).collect();
    }
    if minimum_total >= CONTENT_WIDTH {
        let scale = CONTENT_WIDTH / minimum_total;
        return minimum.iter().map(|w| w * scale).collect();
    }
    let room = CONTENT_WIDTH - minimum_total;
    let wanted = natural_total - minimum_total;
    minimum.iter().zip(&natural).map(|(min, nat)| min + room * (nat - min) / wanted).collect()
}

/// Draws rows (and the header) with the given column widths, breaking pages as needed.
pub fn draw_grid(writer: &mut PageWriter, style: &GridStyle, widths: &[f32], rows: &[Vec<String>]) {
    let line_height = style.size * LINE_SPACING;
    let header = style.header.as_ref().map(|texts| wrap_row(writer, style, widths, texts, true));
    let header_height = header.as_ref().map_or(0.0, |lines| row_height(lines, line_height));

    // Keep the header with at least the first row.
    let first_height =
        rows.first().map_or(0.0, |row| row_height(&wrap_row(writer, style, widths, row, false), line_height));
    writer.ensure(header_height + first_height.min(4.0 * line_height));
    if let Some(lines) = &header {
        draw_row(writer, style, widths, lines, true);
    }

    for row in rows {
        let lines = wrap_row(writer, style, widths, row, false);
        let height = row_height(&lines, line_height);
        if height + header_height <= PageWriter::page_space() && height > writer.space_left() {
            start_page(writer, style, widths, header.as_ref());
        }
        let mut remaining = lines;
        loop {
            let mut fitting = lines_fitting(writer, line_height);
            if fitting == 0 {
                start_page(writer, style, widths, header.as_ref());
                // A header taller than a page leaves no room at all; draw at least one line
                // per page so the loop ends.
                fitting = lines_fitting(writer, line_height).max(1);
            }
            let (now, later) = split_lines(remaining, fitting);
            draw_row(writer, style, widths, &now, false);
            if later.iter().all(Vec::is_empty) {
                break;
            }
            remaining = later;
            start_page(writer, style, widths, header.as_ref());
        }
        writer.y -= style.row_gap;
    }
}

fn lines_fitting(writer: &PageWriter, line_height: f32) -> usize {
    ((writer.space_left() - 2.0 * PAD_Y) / line_height).floor().max(0.0) as usize
}

fn start_page(writer: &mut PageWriter, style: &GridStyle, widths: &[f32], header: Option<&Vec<Vec<String>>>) {
    writer.new_page();
    if let Some(lines) = header {
        draw_row(writer, style, widths, lines, true);
    }
}

fn row_height(lines: &[Vec<String>], line_height: f32) -> f32 {
    let count = lines.iter().map(Vec::len).max().unwrap_or(1).max(1);
    count as f32 * line_height + 2.0 * PAD_Y
}

/// Splits each cell's lines after `count` lines.
fn split_lines(lines: Vec<Vec<String>>, count: usize) -> (Vec<Vec<String>>, Vec<Vec<String>>) {
    let mut now = Vec::with_capacity(lines.len());
    let mut later = Vec::with_capacity(lines.len());
    for mut cell in lines {
        let rest = if cell.len() > count { cell.split_off(count) } else { Vec::new() };
        now.push(cell);
        later.push(rest);
    }
    (now, later)
}

fn cell_size(style: &GridStyle, column: usize, is_header: bool) -> f32 {
    if is_header {
        style.size
    } else {
        style.column_sizes.get(column).copied().unwrap_or(style.size)
    }
}

fn cell_face(style: &GridStyle, column: usize, is_header: bool) -> FontStyle {
    if is_header {
        FontStyle::Bold
    } else {
        style.column_styles.get(column).copied().unwrap_or(FontStyle::Regular)
    }
}

fn wrap_row(
    writer: &PageWriter,
    style: &GridStyle,
    widths: &[f32],
    cells: &[String],
    is_header: bool,
) -> Vec<Vec<String>> {
    widths
        .iter()
        .enumerate()
        .map(|(column, width)| {
            let text = cells.get(column).map_or("", String::as_str);
            let face = cell_face(style, column, is_header);
            let size = cell_size(style, column, is_header);
            writer.fonts.wrap(face, size, text, (width - 2.0 * PAD_X).max(1.0))
        })
        .collect()
}

/// Draws one row (or one page's part of it) at the current position and moves below it.
fn draw_row(writer: &mut PageWriter, style: &GridStyle, widths: &[f32], lines: &[Vec<String>], is_header: bool) {
    let line_height = style.size * LINE_SPACING;
    let height = row_height(lines, line_height);
    let top = writer.y;
    let bottom = top - height;
    let total_width: f32 = widths.iter().sum();
    if is_header {
        writer.fill_rect(MARGIN_X, bottom, total_width, height, HEADER_FILL);
    }
    let mut x = MARGIN_X;
    for (column, width) in widths.iter().enumerate() {
        if style.borders {
            writer.stroke_rect(x, bottom, *width, height, GRID);
        }
        let face = cell_face(style, column, is_header);
        let size = cell_size(style, column, is_header);
        let mut baseline = top - PAD_Y - style.size;
        for line in lines.get(column).map_or(&[][..], Vec::as_slice) {
            writer.text(x + PAD_X, baseline, face, size, line, Rgb3::TEXT);
            baseline -= line_height;
        }
        x += width;
    }
    writer.y = bottom;
}
