//! PDF rendering of a [`Report`] on A4 pages with the bundled DejaVu fonts embedded (subset).
//! The document has a cover page, a table of contents, numbered bold section headings,
//! wrapped paragraphs, tables whose cells wrap, shaded examiner entries and probe charts.
//! Every page after the cover has a header and a "Page N of M" footer.
//!
//! Layout is done here with printpdf's low-level operations; measuring is in `pdf_fonts`,
//! page breaks in `pdf_layout`, tables in `pdf_table`, charts in `pdf_chart`, the cover and
//! contents in `pdf_front`, metadata and serialization in `pdf_save`.
//!
//! The table of contents needs the page of each heading before the body is laid out, so
//! the document is laid out more than once: each pass prints the page numbers the previous
//! pass found, until they no longer change. Characters the fonts cannot draw are collected
//! in the first pass and listed in a note at the end of the methodology appendix.

use std::collections::HashMap;

use printpdf::{PdfDocument, RawImage, XObjectId};

use super::draft::{attachment_heading, METHODOLOGY_HEADING};
use super::markdown::conflict_notice;
use super::pdf_chart::draw_chart;
use super::pdf_front::{cover, table_of_contents, toc_entries, TocEntry};
use super::pdf_layout::{FontStyle, Fonts, PageWriter, Rgb3, CONTENT_WIDTH, LINE_SPACING, MARGIN_X};
use super::pdf_save::{save, CreationTime};
use super::pdf_table::{column_widths, draw_grid, GridStyle};
use super::text::format_ts;
use super::{AttachmentKind, Block, ExaminerEntry, Field, Report, ReportError, Section, Table, EXAMINER_PENDING};

const SECTION_SIZE: f32 = 14.5;
const SUBHEADING_SIZE: f32 = 11.5;
const MINOR_HEADING_SIZE: f32 = 10.5;
const BODY_SIZE: f32 = 9.5;
const TABLE_SIZE: f32 = 8.0;
/// Size of fixed-width text in fields and tables: DejaVu Sans Mono advances 0.6 em, so a
/// SHA-256 (64 hex digits) at 8.5 pt is 327 pt wide and fits the value column on one line.
const MONO_SIZE: f32 = 8.5;
const MONO_TABLE_SIZE: f32 = 7.5;
const GUIDANCE_SIZE: f32 = 8.0;
/// Share of the content width given to field labels.
const LABEL_SHARE: f32 = 0.27;
/// Background of examiner entries.
const EXAMINER_FILL: Rgb3 = Rgb3(1.0, 0.96, 0.84);
/// Left bar of examiner entries.
const EXAMINER_BAR: Rgb3 = Rgb3(0.85, 0.6, 0.1);
const HEADING_COLOR: Rgb3 = Rgb3(0.08, 0.2, 0.4);
/// Colour of the conflict warning on a section.
const CONFLICT_COLOR: Rgb3 = Rgb3(0.7, 0.1, 0.1);
/// Maximum share of a page's text height that one screenshot takes.
const IMAGE_MAX_PAGE_SHARE: f32 = 0.6;

/// Maximum layout passes. Page numbers settle in the second pass unless printing them moves
/// a heading to another page, which one more pass absorbs.
const MAX_LAYOUT_PASSES: usize = 4;

/// Renders the report and returns the PDF bytes.
pub fn render(report: &Report, created: CreationTime) -> Result<Vec<u8>, ReportError> {
    let mut doc = PdfDocument::new(&report.title);
    let fonts = Fonts::load(&mut doc)?;
    let entries = toc_entries(report);
    let images = add_screenshots(&mut doc, report)?;

    let mut layout = lay_out(report, &fonts, &images, &entries, None);
    for _ in 1..MAX_LAYOUT_PASSES {
        let printed = layout.heading_pages.clone();
        layout = lay_out(report, &fonts, &images, &entries, Some(&printed));
        if layout.heading_pages == printed {
            break;
        }
    }
    // NOTE: if the numbers still moved in the last pass, the contents may point one page
    // off. The reports tested so far settle in the second pass.

    let pages = layout.writer.finish(&report.case_name, report.classification.as_deref());
    save(doc.with_pages(pages), report, created)
}

/// A screenshot added to the document, by the heading of its appendix entry.
struct PlacedImage {
    id: XObjectId,
    pixels: (usize, usize),
}

/// Decodes each attached screenshot and adds it to the document once.
fn add_screenshots(doc: &mut PdfDocument, report: &Report) -> Result<HashMap<String, PlacedImage>, ReportError> {
    let mut images = HashMap::new();
    for attachment in report.attachments.iter().filter(|attachment| attachment.kind == AttachmentKind::Screenshot) {
        let Some(bytes) = &attachment.image else {
            continue;
        };
        let mut warnings = Vec::new();
        let raw = RawImage::decode_from_bytes(bytes, &mut warnings).map_err(|details| ReportError::Image {
            name: attachment.name.clone(),
            sha256: attachment.sha256.clone(),
            details,
        })?;
        let pixels = (raw.width, raw.height);
        let id = doc.add_image(&raw);
        images.insert(attachment_heading(attachment), PlacedImage { id, pixels });
    }
    Ok(images)
}

/// Draws a screenshot at the content width, or smaller so that it takes at most
/// [`IMAGE_MAX_PAGE_SHARE`] of a page, starting a page when it does not fit.
fn draw_image(writer: &mut PageWriter, image: &PlacedImage) {
    let (width_px, height_px) = (image.pixels.0.max(1) as f32, image.pixels.1.max(1) as f32);
    let max_height = PageWriter::page_space() * IMAGE_MAX_PAGE_SHARE;
    let mut width = CONTENT_WIDTH.min(width_px);
    let mut height = width * height_px / width_px;
    if height > max_height {
        height = max_height;
        width = height * width_px / height_px;
    }
    writer.ensure(height + 6.0);
    writer.image(&image.id, image.pixels, MARGIN_X, writer.y - height, width, height);
    // A frame separates an image with a white background from the page.
    writer.stroke_rect(MARGIN_X, writer.y - height, width, height, Rgb3::MUTED);
    writer.y -= height + 8.0;
}

/// Draws who wrote a section's text and, on a conflict, the warning.
fn section_edit_notice(writer: &mut PageWriter, section: &Section) {
    let Some(edit) = &section.edit else {
        return;
    };
    let by = edit.by.as_deref().map(|name| format!(" by {name}")).unwrap_or_default();
    let note = format!("Text written{by} (examiner) on {}.", format_ts(edit.at_ns));
    paragraph_lines(writer, &note, FontStyle::Regular, GUIDANCE_SIZE, Rgb3::MUTED, MARGIN_X, CONTENT_WIDTH);
    writer.y -= 4.0;
    if edit.conflict {
        let warning = conflict_notice(section.kind);
        paragraph_lines(writer, &warning, FontStyle::Bold, BODY_SIZE, CONFLICT_COLOR, MARGIN_X, CONTENT_WIDTH);
        writer.y -= 5.0;
    }
}

/// The result of one layout pass.
struct Layout<'f> {
    writer: PageWriter<'f>,
    /// Page of each table-of-contents entry, in entry order.
    heading_pages: Vec<usize>,
}

/// Lays out the whole document once, printing `toc_pages` in the table of contents.
fn lay_out<'f>(
    report: &Report,
    fonts: &'f Fonts,
    images: &HashMap<String, PlacedImage>,
    entries: &[TocEntry],
    toc_pages: Option<&[usize]>,
) -> Layout<'f> {
    // The first pass finds the characters the fonts lack, so later passes add the note
    // that lists them.
    let missing_note = toc_pages.and_then(|_| missing_glyph_note(&fonts.missing_characters()));
    let mut writer = PageWriter::new(fonts);
    cover(&mut writer, report, &report.review.label());
    writer.new_page();
    table_of_contents(&mut writer, entries, toc_pages);
    writer.new_page();

    let mut heading_pages = Vec::with_capacity(entries.len());
    let mut note_pending = missing_note.is_some();
    let mut in_methodology = false;
    for (index, section) in report.sections.iter().enumerate() {
        let title = format!("{}. {}", index + 1, section.title);
        let reserve = subheading_reserve(section.blocks.first());
        let space_before = if index == 0 { 0.0 } else { 14.0 };
        heading(&mut writer, &title, SECTION_SIZE, space_before, reserve);
        heading_pages.push(writer.page_number());
        section_edit_notice(&mut writer, section);
        let mut pending_image: Option<&PlacedImage> = None;
        for (position, block) in section.blocks.iter().enumerate() {
            let next = section.blocks.get(position + 1);
            match (block, next) {
                (Block::Paragraph { text }, Some(Block::Table(_) | Block::List { .. })) => {
                    keep_with_next(&mut writer, text);
                }
                (Block::Subheading { level, text }, _) => {
                    if *level == 1 && in_methodology && note_pending {
                        draw_note(&mut writer, missing_note.as_deref().unwrap_or_default());
                        note_pending = false;
                    }
                    heading(&mut writer, text, subheading_size(*level), 8.0, subheading_reserve(next));
                    pending_image = images.get(text.as_str());
                    if *level == 1 {
                        heading_pages.push(writer.page_number());
                        in_methodology = text == METHODOLOGY_HEADING;
                    }
                    continue;
                }
                _ => {}
            }
            render_block(&mut writer, block);
            if let Some(image) = pending_image.take() {
                draw_image(&mut writer, image);
            }
        }
    }
    // A report without the methodology heading (or with it last) gets the note at the end.
    if note_pending {
        draw_note(&mut writer, missing_note.as_deref().unwrap_or_default());
    }
    Layout { writer, heading_pages }
}

/// Returns the note listing the characters no bundled font can draw, or `None` when every
/// character was drawn.
fn missing_glyph_note(missing: &[char]) -> Option<String> {
    if missing.is_empty() {
        return None;
    }
    let codes: Vec<String> = missing.iter().map(|ch| format!("U+{:04X}", u32::from(*ch))).collect();
    let noun = if missing.len() == 1 { "character" } else { "characters" };
    Some(format!(
        "{} {noun} could not be shown in this PDF: {}. The embedded DejaVu fonts have no glyph \
         for them, so each appears as \u{FFFD}. The Markdown and JSON exports contain the \
         original text.",
        missing.len(),
        codes.join(", ")
    ))
}

fn draw_note(writer: &mut PageWriter, note: &str) {
    paragraph_lines(writer, note, FontStyle::Bold, BODY_SIZE, Rgb3::TEXT, MARGIN_X, CONTENT_WIDTH);
    writer.y -= 5.0;
}

/// Starts a new page unless a paragraph that introduces a table or list fits together with
/// the first lines of what follows it.
fn keep_with_next(writer: &mut PageWriter, text: &str) {
    let lines = writer.fonts.wrap(FontStyle::Regular, BODY_SIZE, text, CONTENT_WIDTH);
    let height = lines.len() as f32 * BODY_SIZE * LINE_SPACING + 5.0;
    writer.ensure(height + 4.0 * TABLE_SIZE * LINE_SPACING + 10.0);
}

fn subheading_size(level: u8) -> f32 {
    if level >= 2 {
        MINOR_HEADING_SIZE
    } else {
        SUBHEADING_SIZE
    }
}

/// Returns the height to keep free below a heading for a subheading that follows it.
fn subheading_reserve(next: Option<&Block>) -> f32 {
    match next {
        Some(Block::Subheading { level, .. }) => subheading_size(*level) * LINE_SPACING + 11.0,
        _ => 0.0,
    }
}

/// Draws a heading, keeping it on a page with room for `reserve` points and a few lines
/// after it.
fn heading(writer: &mut PageWriter, text: &str, size: f32, space_before: f32, reserve: f32) {
    let lines = writer.fonts.wrap(FontStyle::Bold, size, text, CONTENT_WIDTH);
    let height = lines.len() as f32 * size * LINE_SPACING;
    writer.y -= space_before;
    writer.ensure(height + reserve + 5.0 * BODY_SIZE * LINE_SPACING);
    paragraph_lines(writer, text, FontStyle::Bold, size, HEADING_COLOR, MARGIN_X, CONTENT_WIDTH);
    writer.y -= 3.0;
}

/// Draws wrapped text line by line from the current position, breaking pages as needed.
fn paragraph_lines(writer: &mut PageWriter, text: &str, style: FontStyle, size: f32, color: Rgb3, x: f32, width: f32) {
    let line_height = size * LINE_SPACING;
    for line in writer.fonts.wrap(style, size, text, width) {
        writer.ensure(line_height);
        let baseline = writer.y - size;
        writer.text(x, baseline, style, size, &line, color);
        writer.y -= line_height;
    }
}

fn render_block(writer: &mut PageWriter, block: &Block) {
    match block {
        Block::Subheading { level, text } => heading(writer, text, subheading_size(*level), 8.0, 0.0),
        Block::Paragraph { text } => {
            for line in text.lines().filter(|line| !line.trim().is_empty()) {
                paragraph_lines(
                    writer,
                    line.trim(),
                    FontStyle::Regular,
                    BODY_SIZE,
                    Rgb3::TEXT,
                    MARGIN_X,
                    CONTENT_WIDTH,
                );
                writer.y -= 5.0;
            }
        }
        Block::Fields { fields } => {
            render_fields(writer, fields);
            writer.y -= 5.0;
        }
        Block::Table(table) => {
            render_table(writer, table);
            writer.y -= 7.0;
        }
        Block::List { items } => {
            for item in items {
                render_list_item(writer, item);
            }
            writer.y -= 4.0;
        }
        Block::ExaminerEntry(entry) => render_examiner_entry(writer, entry),
        Block::Chart(chart) => draw_chart(writer, chart),
    }
}

/// Draws fields as a borderless two-column grid: bold labels, wrapped values.
fn render_fields(writer: &mut PageWriter, fields: &[Field]) {
    let label_width = CONTENT_WIDTH * LABEL_SHARE;
    let widths = [label_width, CONTENT_WIDTH - label_width];
    for field in fields {
        let style = GridStyle {
            size: BODY_SIZE,
            column_sizes: vec![BODY_SIZE, if field.monospace { MONO_SIZE } else { BODY_SIZE }],
            column_styles: vec![FontStyle::Bold, if field.monospace { FontStyle::Mono } else { FontStyle::Regular }],
            header: None,
            borders: false,
            row_gap: 1.0,
        };
        let row = vec![field.label.clone(), field.value.clone()];
        draw_grid(writer, &style, &widths, std::slice::from_ref(&row));
    }
}

fn render_table(writer: &mut PageWriter, table: &Table) {
    if table.columns.is_empty() {
        return;
    }
    let style = GridStyle {
        size: TABLE_SIZE,
        column_sizes: table
            .columns
            .iter()
            .map(|column| if column.monospace { MONO_TABLE_SIZE } else { TABLE_SIZE })
            .collect(),
        column_styles: table
            .columns
            .iter()
            .map(|column| if column.monospace { FontStyle::Mono } else { FontStyle::Regular })
            .collect(),
        header: Some(table.columns.iter().map(|column| column.title.clone()).collect()),
        borders: true,
        row_gap: 0.0,
    };
    let widths = column_widths(writer, &style, &table.rows);
    draw_grid(writer, &style, &widths, &table.rows);
}

fn render_list_item(writer: &mut PageWriter, item: &str) {
    let indent = 12.0;
    let line_height = BODY_SIZE * LINE_SPACING;
    let lines = writer.fonts.wrap(FontStyle::Regular, BODY_SIZE, item, CONTENT_WIDTH - indent);
    for (index, line) in lines.iter().enumerate() {
        writer.ensure(line_height);
        let baseline = writer.y - BODY_SIZE;
        if index == 0 {
            writer.text(MARGIN_X + 2.0, baseline, FontStyle::Regular, BODY_SIZE, "•", Rgb3::TEXT);
        }
        writer.text(MARGIN_X + indent, baseline, FontStyle::Regular, BODY_SIZE, line, Rgb3::TEXT);
        writer.y -= line_height;
    }
    writer.y -= 2.0;
}

/// Draws an examiner entry as a shaded box with a bar on the left, or as a field once the
/// examiner has entered a value.
fn render_examiner_entry(writer: &mut PageWriter, entry: &ExaminerEntry) {
    if let Some(value) = entry.value.as_deref().filter(|value| !value.trim().is_empty()) {
        let label = format!("{} (examiner)", entry.label);
        render_fields(writer, &[Field { label, value: value.to_string(), monospace: false }]);
        writer.y -= 3.0;
        return;
    }
    let pad = 5.0;
    let inner_width = CONTENT_WIDTH - 2.0 * pad - 3.0;
    let fonts = writer.fonts;
    let title = format!("{}: {EXAMINER_PENDING}", entry.label);
    let title_lines = fonts.wrap(FontStyle::Bold, BODY_SIZE, &title, inner_width);
    let guidance_lines = if entry.guidance.trim().is_empty() {
        Vec::new()
    } else {
        fonts.wrap(FontStyle::Regular, GUIDANCE_SIZE, entry.guidance.trim(), inner_width)
    };
    let body_line = BODY_SIZE * LINE_SPACING;
    let guidance_line = GUIDANCE_SIZE * LINE_SPACING;
    let height = title_lines.len() as f32 * body_line + guidance_lines.len() as f32 * guidance_line + 2.0 * pad;

    writer.ensure(height);
    // NOTE: an entry taller than a page (only possible with very long guidance) overflows
    // the bottom margin; drafted guidance is one or two lines.
    let top = writer.y;
    writer.fill_rect(MARGIN_X, top - height, CONTENT_WIDTH, height, EXAMINER_FILL);
    writer.fill_rect(MARGIN_X, top - height, 3.0, height, EXAMINER_BAR);
    let x = MARGIN_X + 3.0 + pad;
    let mut y = top - pad;
    for line in &title_lines {
        writer.text(x, y - BODY_SIZE, FontStyle::Bold, BODY_SIZE, line, Rgb3::TEXT);
        y -= body_line;
    }
    for line in &guidance_lines {
        writer.text(x, y - GUIDANCE_SIZE, FontStyle::Regular, GUIDANCE_SIZE, line, Rgb3::MUTED);
        y -= guidance_line;
    }
    writer.y = top - height - 5.0;
}
