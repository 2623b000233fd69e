//! Page bookkeeping and drawing primitives for the PDF writer.
//!
//! [`PageWriter`] keeps the vertical position, starts new pages when content does not fit,
//! draws text, rectangles and lines, and finally adds the running header and the
//! "Page N of M" footer to every page after the cover.
//!
//! Units are PDF points (1/72 inch); y grows upwards from the bottom edge of the page.

use printpdf::{Color, Line, LinePoint, Mm, Op, PaintMode, PdfFontHandle, PdfPage, Point, Pt, Rect, Rgb, TextItem};

pub use super::pdf_fonts::{FontStyle, Fonts};

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

/// An RGB colour with components from 0 to 1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rgb3(pub f32, pub f32, pub f32);

impl Rgb3 {
    /// Body text.
    pub const TEXT: Rgb3 = Rgb3(0.1, 0.1, 0.1);
    /// Secondary text: header, footer, guidance.
    pub const MUTED: Rgb3 = Rgb3(0.4, 0.4, 0.4);

    pub(super) fn color(self) -> Color {
        Color::Rgb(Rgb::new(self.0, self.1, self.2, None))
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

    /// Returns the 1-based number of the current page.
    pub fn page_number(&self) -> usize {
        self.pages.len().max(1)
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
    /// Draws an image added to the document as `id`, `width` by `height` points with its
    /// lower left corner at (`x`, `y`). `pixels` is the image's size in pixels.
    pub fn image(&mut self, id: &printpdf::XObjectId, pixels: (usize, usize), x: f32, y: f32, width: f32, height: f32) {
        // At 72 dpi printpdf maps one pixel to one point, so the scale is points per pixel.
        let transform = printpdf::XObjectTransform {
            translate_x: Some(Pt(x)),
            translate_y: Some(Pt(y)),
            scale_x: Some(width / pixels.0.max(1) as f32),
            scale_y: Some(height / pixels.1.max(1) as f32),
            dpi: Some(72.0),
            ..Default::default()
        };
        self.ops().push(Op::UseXobject { id: id.clone(), transform });
    }

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

    /// Fills many rectangles of one colour, each given as (x, y, width, height).
    pub fn fill_rects(&mut self, rects: &[(f32, f32, f32, f32)], color: Rgb3) {
        let ops = self.ops();
        ops.push(Op::SetFillColor { col: color.color() });
        for &(x, y, width, height) in rects {
            let mut rect = Rect::from_xywh(Pt(x), Pt(y), Pt(width), Pt(height));
            rect.mode = Some(PaintMode::Fill);
            ops.push(Op::DrawRectangle { rectangle: rect });
        }
    }

    /// Draws a straight line from (x1, y1) to (x2, y2).
    pub fn line(&mut self, from: (f32, f32), to: (f32, f32), thickness: f32, color: Rgb3) {
        let point = |(x, y): (f32, f32)| LinePoint { p: Point { x: Pt(x), y: Pt(y) }, bezier: false };
        self.ops().extend([
            Op::SetOutlineColor { col: color.color() },
            Op::SetOutlineThickness { pt: Pt(thickness) },
            Op::DrawLine { line: Line { points: vec![point(from), point(to)], is_closed: false } },
        ]);
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

    /// Adds the running header and the footer to every page after the cover, and returns
    /// the pages. The header shows `header` on the left and the classification label, when
    /// there is one, on the right. The footer shows the label again and "Page N of M".
    pub fn finish(mut self, header: &str, classification: Option<&str>) -> Vec<PdfPage> {
        let total = self.pages.len();
        let fonts = self.fonts;
        let size = 8.0;
        let label_width = classification.map_or(0.0, |label| fonts.width(FontStyle::Bold, size, label) + 12.0);
        let header_line = fonts.fit_line(FontStyle::Regular, size, header, CONTENT_WIDTH - label_width);
        let mut pages = Vec::with_capacity(total);
        for (index, ops) in std::mem::take(&mut self.pages).into_iter().enumerate() {
            let mut page = PageWriter { fonts, pages: vec![ops], y: 0.0 };
            if index > 0 {
                let header_y = PAGE_HEIGHT - 36.0;
                page.text(MARGIN_X, header_y, FontStyle::Regular, size, &header_line, Rgb3::MUTED);
                let footer = format!("Page {} of {total}", index + 1);
                let footer_x = PAGE_WIDTH - MARGIN_X - fonts.width(FontStyle::Regular, size, &footer);
                page.text(footer_x, 30.0, FontStyle::Regular, size, &footer, Rgb3::MUTED);
                if let Some(label) = classification {
                    let label_x = PAGE_WIDTH - MARGIN_X - fonts.width(FontStyle::Bold, size, label);
                    page.text(label_x, header_y, FontStyle::Bold, size, label, Rgb3::TEXT);
                    page.text(MARGIN_X, 30.0, FontStyle::Bold, size, label, Rgb3::TEXT);
                }
                page.rule(header_y - 5.0, 0.4, Rgb3::MUTED);
                page.rule(42.0, 0.4, Rgb3::MUTED);
            }
            let ops = page.pages.pop().unwrap_or_default();
            pages.push(PdfPage::new(Mm(210.0), Mm(297.0), ops));
        }
        pages
    }
}
