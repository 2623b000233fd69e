//! Text measuring, line wrapping and page bookkeeping for the PDF writer.
//!
//! printpdf's low-level API places text at a point and does not wrap it. This module
//! therefore measures each line from the glyph advances in the `hmtx` table of the bundled
//! DejaVu fonts, which are the widths printpdf writes into the PDF's `/W` array, and breaks
//! lines itself.
//! [`PageWriter`] keeps the vertical position, starts new pages when content does not fit,
//! and finally adds the running header and the "Page N of M" footer to every page.
//!
//! Units are PDF points (1/72 inch); y grows upwards from the bottom edge of the page.

use printpdf::{
    Color, FontId, Line, LinePoint, Mm, Op, PaintMode, ParsedFont, PdfDocument, PdfFontHandle, PdfPage, Point, Pt,
    Rect, Rgb, TextItem,
};

use super::ReportError;

/// A4 width in points (210 mm).
pub const PAGE_WIDTH: f32 = 595.28;
/// A4 height in points (297 mm).
pub const PAGE_HEIGHT: f32 = 841.89;
/// Left and right margin (20 mm).
pub const MARGIN_X: f32 = 56.69;
/// Top margin, below the running header (25 mm).
const MARGIN_TOP: f32 = 70.87;
/// Bottom margin, above the footer (22 mm).
const MARGIN_BOTTOM: f32 = 62.36;
/// Width available to content.
pub const CONTENT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN_X;
/// Line height as a multiple of the font size.
pub const LINE_SPACING: f32 = 1.32;

const REGULAR_TTF: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
const BOLD_TTF: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");
const MONO_TTF: &[u8] = include_bytes!("../../assets/fonts/DejaVuSansMono.ttf");

/// Bundled font face of a run of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FontStyle {
    /// DejaVu Sans.
    Regular,
    /// DejaVu Sans Bold.
    Bold,
    /// DejaVu Sans Mono, for hashes, paths and excerpts.
    Mono,
}

/// An RGB colour with components from 0 to 1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rgb3(pub f32, pub f32, pub f32);

impl Rgb3 {
    /// Body text.
    pub const TEXT: Rgb3 = Rgb3(0.1, 0.1, 0.1);
    /// Secondary text: header, footer, guidance.
    pub const MUTED: Rgb3 = Rgb3(0.4, 0.4, 0.4);

    fn color(self) -> Color {
        Color::Rgb(Rgb::new(self.0, self.1, self.2, None))
    }
}

struct LoadedFont {
    parsed: ParsedFont,
    id: FontId,
    units_per_em: f32,
}

/// The three bundled faces, registered with the document.
pub struct Fonts {
    regular: LoadedFont,
    bold: LoadedFont,
    mono: LoadedFont,
}

impl Fonts {
    /// Parses the bundled fonts and registers them with `doc`.
    pub fn load(doc: &mut PdfDocument) -> Result<Self, ReportError> {
        let mut load = |bytes: &[u8], name: &'static str| -> Result<LoadedFont, ReportError> {
            let mut warnings = Vec::new();
            let parsed = ParsedFont::from_bytes(bytes, 0, &mut warnings)
                .ok_or_else(|| ReportError::FontParse { name, details: format!("{warnings:?}") })?;
            let units_per_em = f32::from(parsed.pdf_font_metrics.units_per_em.max(1));
            let id = doc.add_font(&parsed);
            Ok(LoadedFont { parsed, id, units_per_em })
        };
        Ok(Fonts {
            regular: load(REGULAR_TTF, "DejaVuSans.ttf")?,
            bold: load(BOLD_TTF, "DejaVuSans-Bold.ttf")?,
            mono: load(MONO_TTF, "DejaVuSansMono.ttf")?,
        })
    }

    fn face(&self, style: FontStyle) -> &LoadedFont {
        match style {
            FontStyle::Regular => &self.regular,
            FontStyle::Bold => &self.bold,
            FontStyle::Mono => &self.mono,
        }
    }

    /// Returns the advance width of one character in points.
    pub fn char_width(&self, style: FontStyle, size: f32, ch: char) -> f32 {
        let face = self.face(style);
        let gid = face.parsed.lookup_glyph_index(u32::from(ch)).unwrap_or(0);
        f32::from(face.parsed.get_horizontal_advance(gid)) * size / face.units_per_em
    }

    /// Returns the width of a text in points.
    pub fn width(&self, style: FontStyle, size: f32, text: &str) -> f32 {
        text.chars().map(|ch| self.char_width(style, size, ch)).sum()
    }

    /// Replaces what the face cannot draw: control characters become spaces and characters
    /// without a glyph become `?`, so measured and drawn text agree and no `.notdef` box
    /// appears. Line breaks are kept.
    pub fn printable(&self, style: FontStyle, text: &str) -> String {
        let face = self.face(style);
        text.chars()
            .map(|ch| match ch {
                '\n' => '\n',
                ch if ch.is_control() => ' ',
                ch if face.parsed.lookup_glyph_index(u32::from(ch)).is_some_and(|gid| gid != 0) => ch,
                _ => '?',
            })
            .collect()
    }

    /// Wraps a text into lines no wider than `max_width`. Each `\n` starts a new line;
    /// a word wider than the line is broken, preferably after `/`, `-`, `.` or similar.
    pub fn wrap(&self, style: FontStyle, size: f32, text: &str, max_width: f32) -> Vec<String> {
        let text = self.printable(style, text);
        let space = self.char_width(style, size, ' ');
        let mut lines = Vec::new();
        for source_line in text.split('\n') {
            let mut current = String::new();
            let mut current_width = 0.0;
            for word in source_line.split_whitespace() {
                let word_width = self.width(style, size, word);
                if word_width > max_width {
                    if !current.is_empty() {
                        lines.push(std::mem::take(&mut current));
                    }
                    let mut pieces = self.break_word(style, size, word, max_width);
                    let last = pieces.pop().unwrap_or_default();
                    lines.extend(pieces);
                    current_width = self.width(style, size, &last);
                    current = last;
                } else if current.is_empty() {
                    current = word.to_string();
                    current_width = word_width;
                } else if current_width + space + word_width <= max_width {
                    current.push(' ');
                    current.push_str(word);
                    current_width += space + word_width;
                } else {
                    lines.push(std::mem::replace(&mut current, word.to_string()));
                    current_width = word_width;
                }
            }
            lines.push(current);
        }
        lines
    }

    /// Splits one word into pieces that each fit `max_width` (at least one character each).
    fn break_word(&self, style: FontStyle, size: f32, word: &str, max_width: f32) -> Vec<String> {
        const BREAK_AFTER: [char; 9] = ['/', '\\', '-', '_', '.', ',', ':', ';', '='];
        let chars: Vec<char> = word.chars().collect();
        let mut pieces = Vec::new();
        let mut start = 0;
        while start < chars.len() {
            let mut end = start;
            let mut width = 0.0;
            while end < chars.len() {
                let w = self.char_width(style, size, chars[end]);
                if end > start && width + w > max_width {
                    break;
                }
                width += w;
                end += 1;
            }
            if end < chars.len() {
                // Prefer a break after punctuation in the second half of the piece.
                let half = start + (end - start) / 2;
                if let Some(pos) = (half..end).rev().find(|&i| BREAK_AFTER.contains(&chars[i])) {
                    end = pos + 1;
                }
            }
            pieces.push(chars[start..end].iter().collect());
            start = end;
        }
        pieces
    }

    /// Shortens a text to one line of at most `max_width`, ending it with `…` when cut.
    pub fn fit_line(&self, style: FontStyle, size: f32, text: &str, max_width: f32) -> String {
        let text = self.printable(style, &text.replace('\n', " "));
        if self.width(style, size, &text) <= max_width {
            return text;
        }
        let ellipsis = self.char_width(style, size, '…');
        let mut out = String::new();
        let mut width = 0.0;
        for ch in text.chars() {
            let w = self.char_width(style, size, ch);
            if width + w + ellipsis > max_width {
                break;
            }
            out.push(ch);
            width += w;
        }
        out.push('…');
        out
    }
}

/// Builds the pages: tracks the vertical position and breaks pages.
pub struct PageWriter<'f> {
    /// The fonts every drawing call measures and draws with.
    pub fonts: &'f Fonts,
    pages: Vec<Vec<Op>>,
    /// Top of the free space on the current page.
    pub y: f32,
}

impl<'f> PageWriter<'f> {
    /// Starts the first page.
    pub fn new(fonts: &'f Fonts) -> Self {
        PageWriter { fonts, pages: vec![Vec::new()], y: PAGE_HEIGHT - MARGIN_TOP }
    }

    /// Starts a new page.
    pub fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = PAGE_HEIGHT - MARGIN_TOP;
    }

    /// Returns the height left above the bottom margin.
    pub fn space_left(&self) -> f32 {
        self.y - MARGIN_BOTTOM
    }

    /// Returns the height a fresh page offers.
    pub fn page_space() -> f32 {
        PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    }

    /// Starts a new page unless `height` fits, and unless the page is still empty.
    pub fn ensure(&mut self, height: f32) {
        let page_is_empty = self.y >= PAGE_HEIGHT - MARGIN_TOP;
        if height > self.space_left() && !page_is_empty {
            self.new_page();
        }
    }

    fn ops(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    /// Draws one line of text with its baseline at `baseline`. The text must already fit.
    pub fn text(&mut self, x: f32, baseline: f32, style: FontStyle, size: f32, text: &str, color: Rgb3) {
        if text.is_empty() {
            return;
        }
        let text = self.fonts.printable(style, text).replace('\n', " ");
        let font = PdfFontHandle::External(self.fonts.face(style).id.clone());
        self.ops().extend([
            Op::StartTextSection,
            Op::SetFillColor { col: color.color() },
            Op::SetFont { font, size: Pt(size) },
            Op::SetTextCursor { pos: Point { x: Pt(x), y: Pt(baseline) } },
            Op::ShowText { items: vec![TextItem::Text(text)] },
            Op::EndTextSection,
        ]);
    }

    /// Fills a rectangle given by its lower-left corner and size.
    pub fn fill_rect(&mut self, x: f32, y: f32, width: f32, height: f32, color: Rgb3) {
        self.rect(x, y, width, height, color, PaintMode::Fill);
    }

    /// Strokes a rectangle outline with a 0.5 pt line.
    pub fn stroke_rect(&mut self, x: f32, y: f32, width: f32, height: f32, color: Rgb3) {
        self.ops().push(Op::SetOutlineThickness { pt: Pt(0.5) });
        self.rect(x, y, width, height, color, PaintMode::Stroke);
    }

    fn rect(&mut self, x: f32, y: f32, width: f32, height: f32, color: Rgb3, mode: PaintMode) {
        let mut rect = Rect::from_xywh(Pt(x), Pt(y), Pt(width), Pt(height));
        rect.mode = Some(mode);
        let color_op = match mode {
            PaintMode::Stroke => Op::SetOutlineColor { col: color.color() },
            _ => Op::SetFillColor { col: color.color() },
        };
        self.ops().extend([color_op, Op::DrawRectangle { rectangle: rect }]);
    }

    /// Draws a horizontal rule across the content width at `y`.
    pub fn rule(&mut self, y: f32, thickness: f32, color: Rgb3) {
        let point = |x: f32| LinePoint { p: Point { x: Pt(x), y: Pt(y) }, bezier: false };
        self.ops().extend([
            Op::SetOutlineColor { col: color.color() },
            Op::SetOutlineThickness { pt: Pt(thickness) },
            Op::DrawLine {
                line: Line { points: vec![point(MARGIN_X), point(PAGE_WIDTH - MARGIN_X)], is_closed: false },
            },
        ]);
    }

    /// Adds the running header (from the second page on) and the footer "Page N of M" to
    /// every page, and returns the pages.
    pub fn finish(mut self, header: &str) -> Vec<PdfPage> {
        let total = self.pages.len();
        let fonts = self.fonts;
        let size = 8.0;
        let header_line = fonts.fit_line(FontStyle::Regular, size, header, CONTENT_WIDTH);
        let mut pages = Vec::with_capacity(total);
        for (index, ops) in std::mem::take(&mut self.pages).into_iter().enumerate() {
            let mut page = PageWriter { fonts, pages: vec![ops], y: 0.0 };
            let header_y = PAGE_HEIGHT - 36.0;
            if index > 0 {
                page.text(MARGIN_X, header_y, FontStyle::Regular, size, &header_line, Rgb3::MUTED);
                page.rule(header_y - 5.0, 0.4, Rgb3::MUTED);
            }
            let footer = format!("Page {} of {total}", index + 1);
            let footer_x = (PAGE_WIDTH - fonts.width(FontStyle::Regular, size, &footer)) / 2.0;
            page.text(footer_x, 30.0, FontStyle::Regular, size, &footer, Rgb3::MUTED);
            let ops = page.pages.pop().unwrap_or_default();
            pages.push(PdfPage::new(Mm(210.0), Mm(297.0), ops));
        }
        pages
    }
}
