//! The front matter of the PDF: the cover page and the table of contents.
//!
//! The cover carries the title, case name, classification label, examiner, drafting date,
//! review state and tool version, and no header or footer. The table of contents lists
//! the eight sections and their first-level parts with the page each starts on. The page
//! numbers come from an earlier layout pass (see `pdf::render`).

use super::pdf_layout::{FontStyle, PageWriter, Rgb3, CONTENT_WIDTH, LINE_SPACING, MARGIN_X, PAGE_HEIGHT, PAGE_WIDTH};
use super::text::format_ts;
use super::{Block, Report};

const HEADING_COLOR: Rgb3 = Rgb3(0.08, 0.2, 0.4);
const COVER_TITLE_SIZE: f32 = 24.0;
const COVER_FIELD_SIZE: f32 = 11.0;
const TOC_SIZE: f32 = 10.5;
const TOC_PART_SIZE: f32 = 9.0;

/// One line of the table of contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TocEntry {
    /// 0 for a section, 1 for a first-level part of a section.
    pub level: u8,
    /// Heading text as printed in the body.
    pub title: String,
}

/// Lists the headings the table of contents shows, in body order.
pub fn toc_entries(report: &Report) -> Vec<TocEntry> {
    let mut entries = Vec::new();
    for (index, section) in report.sections.iter().enumerate() {
        entries.push(TocEntry { level: 0, title: format!("{}. {}", index + 1, section.title) });
        for block in &section.blocks {
            if let Block::Subheading { level: 1, text } = block {
                entries.push(TocEntry { level: 1, title: text.clone() });
            }
        }
    }
    entries
}

/// Draws the cover page on the writer's current (first) page.
pub fn cover(writer: &mut PageWriter, report: &Report, review_state: &str) {
    let fonts = writer.fonts;
    if let Some(label) = &report.classification {
        classification_badge(writer, label, PAGE_HEIGHT - 60.0);
    }

    let mut y = PAGE_HEIGHT - 250.0;
    writer.text(MARGIN_X, y, FontStyle::Bold, 10.0, "INCIDENT REPORT", Rgb3::MUTED);
    y -= 12.0;
    for line in fonts.wrap(FontStyle::Bold, COVER_TITLE_SIZE, &report.title, CONTENT_WIDTH) {
        y -= COVER_TITLE_SIZE * 1.2;
        writer.text(MARGIN_X, y, FontStyle::Bold, COVER_TITLE_SIZE, &line, HEADING_COLOR);
    }
    y -= 16.0;
    writer.rule(y, 1.2, HEADING_COLOR);
    y -= 26.0;

    let mut fields: Vec<(&str, String)> = vec![("Case", report.case_name.clone())];
    if let Some(organisation) = &report.organisation {
        fields.push(("Organisation", organisation.clone()));
    }
    if let Some(label) = &report.classification {
        fields.push(("Classification", label.clone()));
    }
    fields.push(("Examiner", report.examiner.clone().unwrap_or_else(|| "Not entered in the case".to_string())));
    fields.push(("Drafted", format_ts(report.generated_at_ns)));
    fields.push(("Review state", review_state.to_string()));
    fields.push(("Revision", report.review.revision.to_string()));
    fields.push(("Drafted by", format!("scancase {}", report.tool_version)));
    let label_width = 110.0;
    let line_height = COVER_FIELD_SIZE * LINE_SPACING;
    for (label, value) in fields {
        writer.text(MARGIN_X, y, FontStyle::Bold, COVER_FIELD_SIZE, label, Rgb3::MUTED);
        for line in fonts.wrap(FontStyle::Regular, COVER_FIELD_SIZE, &value, CONTENT_WIDTH - label_width) {
            writer.text(MARGIN_X + label_width, y, FontStyle::Regular, COVER_FIELD_SIZE, &line, Rgb3::TEXT);
            y -= line_height;
        }
        y -= 4.0;
    }

    let pending = report.pending_examiner_entries().len();
    let examiner_note = match pending {
        0 => "Fields the examiner wrote are marked \"(examiner)\".".to_string(),
        1 => "1 field marked for the examiner is still to be completed.".to_string(),
        count => format!("{count} fields marked for the examiner are still to be completed."),
    };
    let note = format!(
        "Every fact in this report was drafted from the imported evidence and cites the packet or log \
         line it came from. {examiner_note} Appendix A lists the evidence files with their SHA-256 values."
    );
    let mut note_y = 110.0;
    for line in fonts.wrap(FontStyle::Regular, 8.5, &note, CONTENT_WIDTH) {
        writer.text(MARGIN_X, note_y, FontStyle::Regular, 8.5, &line, Rgb3::MUTED);
        note_y -= 8.5 * LINE_SPACING;
    }
    if let Some(label) = &report.classification {
        classification_badge(writer, label, 50.0);
    }
}

/// Draws the classification label centred in a dark box with its baseline at `baseline`.
/// Traffic Light Protocol labels get their colour on black, as TLP 2.0 prescribes.
fn classification_badge(writer: &mut PageWriter, label: &str, baseline: f32) {
    let size = 11.0;
    let text = writer.fonts.fit_line(FontStyle::Bold, size, label, CONTENT_WIDTH - 16.0);
    let width = writer.fonts.width(FontStyle::Bold, size, &text);
    let x = (PAGE_WIDTH - width) / 2.0;
    writer.fill_rect(x - 8.0, baseline - 5.0, width + 16.0, size + 9.0, Rgb3(0.0, 0.0, 0.0));
    writer.text(x, baseline, FontStyle::Bold, size, &text, tlp_color(label));
}

/// Returns the TLP 2.0 colour of a `TLP:` label, or white for any other label.
fn tlp_color(label: &str) -> Rgb3 {
    let upper = label.trim().to_ascii_uppercase();
    if upper.starts_with("TLP:RED") {
        Rgb3(1.0, 0.17, 0.17)
    } else if upper.starts_with("TLP:AMBER") {
        Rgb3(1.0, 0.75, 0.0)
    } else if upper.starts_with("TLP:GREEN") {
        Rgb3(0.2, 1.0, 0.0)
    } else {
        Rgb3(1.0, 1.0, 1.0)
    }
}

/// Draws the table of contents from the current position, starting pages as needed.
/// `pages` contains the page of each entry; without it (the first layout pass) the numbers
/// are left blank, which takes the same room.
pub fn table_of_contents(writer: &mut PageWriter, entries: &[TocEntry], pages: Option<&[usize]>) {
    let fonts = writer.fonts;
    let title_size = 14.5;
    writer.text(MARGIN_X, writer.y - title_size, FontStyle::Bold, title_size, "Contents", HEADING_COLOR);
    writer.y -= title_size * LINE_SPACING + 10.0;
    for (index, entry) in entries.iter().enumerate() {
        let (style, size, indent) = match entry.level {
            0 => (FontStyle::Bold, TOC_SIZE, 0.0),
            _ => (FontStyle::Regular, TOC_PART_SIZE, 16.0),
        };
        let space_before = if entry.level == 0 && index > 0 { 5.0 } else { 0.0 };
        let line_height = size * LINE_SPACING + 1.5;
        writer.ensure(space_before + line_height);
        writer.y -= space_before;
        let baseline = writer.y - size;
        let number = pages.and_then(|pages| pages.get(index)).map(|page| page.to_string()).unwrap_or_default();
        let number_width = fonts.width(style, size, &number);
        let right = MARGIN_X + CONTENT_WIDTH;
        let title_width = CONTENT_WIDTH - indent - 40.0;
        let title = fonts.fit_line(style, size, &entry.title, title_width);
        let title_end = MARGIN_X + indent + fonts.width(style, size, &title);
        writer.text(MARGIN_X + indent, baseline, style, size, &title, Rgb3::TEXT);
        // Dot leader between the title and the page number.
        let pair_width = fonts.width(FontStyle::Regular, size, ". ");
        let leader_start = title_end + 6.0;
        let leader_end = right - number_width - 4.0;
        if leader_end > leader_start && pair_width > 0.0 {
            let count = ((leader_end - leader_start) / pair_width).floor() as usize;
            let dots = ". ".repeat(count);
            writer.text(leader_start, baseline, FontStyle::Regular, size, dots.trim_end(), Rgb3::MUTED);
        }
        writer.text(right - number_width, baseline, style, size, &number, Rgb3::TEXT);
        writer.y -= line_height;
    }
}
