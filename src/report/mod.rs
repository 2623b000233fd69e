//! The incident report: drafting it from the findings of a case, writing it as Markdown and
//! PDF, and exporting its indicators as CSV, a STIX 2.1 bundle and a VERIS 1.4 incident.
//!
//! This module owns the report's structure, its renderings and the exports. It does not
//! read or write the case file: the caller hands over a [`ReportInput`] and stores the
//! returned [`Report`] (as JSON) and the exported bytes itself. Review states and revisions
//! belong to the case file too.
//!
//! Terms:
//! - a *section* is one of the eight fixed parts of the report, always present and always
//!   in the order of [`SectionKind::ALL`];
//! - a *block* is one piece of a section: a subheading, a paragraph, key/value fields, a
//!   table, a bulleted list or an examiner entry;
//! - an *examiner entry* is a field that only the examiner can fill in (resolution time,
//!   containment, root cause ...). The draft never invents text for it. An entry without a
//!   value is rendered as "To be completed by the examiner", and
//!   [`Report::pending_examiner_entries`] lists it so a review step can block approval.
//!
//! Every fact in the drafted text comes from the input; where the evidence cannot tell,
//! the report says so and names the time span the evidence covers.

mod assembly;
mod attack;
mod draft;
mod examiner_markdown;
mod export_csv;
mod markdown;
mod pdf;
mod pdf_chart;
mod pdf_fonts;
mod pdf_front;
mod pdf_layout;
mod pdf_save;
mod pdf_table;
mod stix;
mod text;
mod veris;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

pub use assembly::{Attachment, AttachmentKind, EventPhase, ExcludedFinding, SectionEdit, SectionText, TimelineEvent};

use crate::model::{AnalysisRun, CaseInfo, EvidenceRecord, Finding, TimestampNs};

/// Everything the report is drafted from.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportInput {
    /// Case metadata (name, examiner).
    pub case: CaseInfo,
    /// Every evidence file imported into the case.
    pub evidence: Vec<EvidenceRecord>,
    /// The findings of the latest analysis run (empty when none was found or none ran).
    pub findings: Vec<Finding>,
    /// The analysis run that produced `findings`, when one ran.
    pub analysis: Option<AnalysisRun>,
    /// When the report is drafted, UTC nanoseconds.
    pub generated_at_ns: TimestampNs,
    /// Classification label of the case, for example `TLP:AMBER`, when one is set.
    pub classification: Option<String>,
    /// Organisation the investigation is for, when one is set in the case settings.
    pub organisation: Option<String>,
    /// Probes of the findings for the charts, sorted by finding ID in byte order (`F-10`
    /// before `F-2`); the order within a finding does not matter. Empty when the case has
    /// none at hand. A finding without points gets no chart.
    pub probe_points: Vec<ProbePoint>,
    /// Findings of the analysis that the report does not cover, with the reason.
    pub excluded_findings: Vec<ExcludedFinding>,
    /// Response events the examiner entered, in any order.
    pub events: Vec<TimelineEvent>,
    /// Screenshots and statements the examiner attached, in the order attached.
    pub attachments: Vec<Attachment>,
}

impl ReportInput {
    /// Creates an input without a classification label and without probe points.
    pub fn new(
        case: CaseInfo,
        evidence: Vec<EvidenceRecord>,
        findings: Vec<Finding>,
        analysis: Option<AnalysisRun>,
        generated_at_ns: TimestampNs,
    ) -> Self {
        ReportInput {
            case,
            evidence,
            findings,
            analysis,
            generated_at_ns,
            classification: None,
            organisation: None,
            probe_points: Vec::new(),
            excluded_findings: Vec::new(),
            events: Vec::new(),
            attachments: Vec::new(),
        }
    }
}

/// One probe of a finding, as drawn in the finding's charts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProbePoint {
    /// ID of the finding the probe belongs to, for example `F-1`.
    pub finding_id: String,
    /// When the probe was sent, UTC nanoseconds.
    pub ts_ns: TimestampNs,
    /// Destination port of the probe.
    pub port: u16,
}

/// The drafted incident report: eight ordered sections of blocks.
///
/// Stored as JSON in the case file, so field names are part of the case-file format.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Report title shown on the first page.
    pub title: String,
    /// Case name, repeated in the page header of the PDF.
    pub case_name: String,
    /// Examiner responsible for the case, when entered in the case.
    pub examiner: Option<String>,
    /// Classification label, for example `TLP:AMBER`, shown on the cover and on every page.
    #[serde(default)]
    pub classification: Option<String>,
    /// Organisation the investigation is for, shown on the cover after the case name.
    #[serde(default)]
    pub organisation: Option<String>,
    /// When the draft was made, UTC nanoseconds.
    pub generated_at_ns: TimestampNs,
    /// Version of scancase that drafted the report.
    pub tool_version: String,
    /// The eight sections, in the order of [`SectionKind::ALL`].
    pub sections: Vec<Section>,
    /// Review status and revision, shown on the cover.
    #[serde(default)]
    pub review: ReviewStatus,
    /// Screenshots and statements listed in appendix D; the PDF draws the screenshots.
    #[serde(default)]
    pub attachments: Vec<Attachment>,
}

/// Stage of the report's review.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewState {
    /// Being written; examiner entries can be changed.
    #[default]
    Draft,
    /// Handed to a reviewer; entries are frozen until it is approved or reopened.
    Submitted,
    /// Approved by a reviewer.
    Approved,
}

impl ReviewState {
    /// Returns the state's name as stored and printed in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::Approved => "approved",
        }
    }
}

/// The review state with who set it and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewStatus {
    /// Current stage.
    pub state: ReviewState,
    /// Person who last submitted, approved or reopened the report, when known.
    pub by: Option<String>,
    /// When that happened, UTC nanoseconds.
    pub at_ns: Option<TimestampNs>,
    /// Revision of the report, from 1; a change after approval starts the next one.
    #[serde(default = "first_revision")]
    pub revision: u32,
}

fn first_revision() -> u32 {
    1
}

impl Default for ReviewStatus {
    fn default() -> Self {
        ReviewStatus { state: ReviewState::Draft, by: None, at_ns: None, revision: first_revision() }
    }
}

impl ReviewStatus {
    /// Returns the state as printed on the cover, for example "Approved by A. Reviewer on
    /// 2026-12-05".
    pub fn label(&self) -> String {
        let state = match self.state {
            ReviewState::Draft => return "Draft".to_string(),
            ReviewState::Submitted => "In review",
            ReviewState::Approved => "Approved",
        };
        let by = self.by.as_deref().map(|name| format!(" by {name}")).unwrap_or_default();
        let on = self.at_ns.map(|ts| format!(" on {}", &crate::model::format_rfc3339(ts)[..10])).unwrap_or_default();
        format!("{state}{by}{on}")
    }
}

/// One of the eight sections of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SectionKind {
    /// Plain-words summary for management.
    ExecutiveSummary,
    /// Times, type, severity, sources, affected systems, reporter.
    IncidentDetails,
    /// Technical timeline of evidence-backed events and incident phases.
    Timeline,
    /// Detection method, evidence, indicators of compromise, findings, root cause.
    DetectionAndAnalysis,
    /// Containment, eradication, recovery and notifications.
    ResponseActions,
    /// Exposure shown by the evidence, and the examiner's impact entries.
    ImpactAssessment,
    /// Recommendations, ATT&CK techniques and mitigations.
    LessonsLearned,
    /// Evidence list, chain of custody, cited excerpts, methodology, audit log.
    Appendices,
}

impl SectionKind {
    /// All sections in report order.
    pub const ALL: [SectionKind; 8] = [
        Self::ExecutiveSummary,
        Self::IncidentDetails,
        Self::Timeline,
        Self::DetectionAndAnalysis,
        Self::ResponseActions,
        Self::ImpactAssessment,
        Self::LessonsLearned,
        Self::Appendices,
    ];

    /// Returns the section heading without its number.
    pub fn title(self) -> &'static str {
        match self {
            Self::ExecutiveSummary => "Executive summary",
            Self::IncidentDetails => "Incident details",
            Self::Timeline => "Incident timeline (technical)",
            Self::DetectionAndAnalysis => "Detection and analysis",
            Self::ResponseActions => "Response actions",
            Self::ImpactAssessment => "Impact assessment",
            Self::LessonsLearned => "Lessons learned and recommendations",
            Self::Appendices => "Appendices",
        }
    }
}

/// One section: its kind and its blocks in reading order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    /// Kind of the section, which fixes its place among the eight.
    pub kind: SectionKind,
    /// Heading without its number (the number is the position in [`Report::sections`]).
    pub title: String,
    /// Content in reading order.
    pub blocks: Vec<Block>,
    /// Set when the examiner wrote the section's text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edit: Option<SectionEdit>,
}

/// One piece of a section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    /// A heading inside the section.
    Subheading {
        /// 1 for a part of the section, 2 for a part of a part.
        level: u8,
        /// Heading text.
        text: String,
    },
    /// A paragraph of running text; a line break starts a new paragraph.
    Paragraph {
        /// Paragraph text.
        text: String,
    },
    /// Labelled values, one per line.
    Fields {
        /// The fields in order.
        fields: Vec<Field>,
    },
    /// A table with a header row.
    Table(Table),
    /// A bulleted list.
    List {
        /// One text per bullet.
        items: Vec<String>,
    },
    /// A value only the examiner can supply.
    ExaminerEntry(ExaminerEntry),
    /// The probe charts of one finding.
    Chart(ProbeChart),
}

/// One labelled value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Field {
    /// Label, for example `Sources`.
    pub label: String,
    /// Value text.
    pub value: String,
    /// Whether the value is code-like (hashes, paths) and set in a fixed-width font.
    #[serde(default)]
    pub monospace: bool,
}

/// A table with a header row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    /// Column headers and styles.
    pub columns: Vec<Column>,
    /// Rows of cells; each row has one cell per column.
    pub rows: Vec<Vec<String>>,
}

/// One table column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    /// Header text.
    pub title: String,
    /// Whether the cells are code-like and set in a fixed-width font.
    #[serde(default)]
    pub monospace: bool,
}

/// A field the examiner must fill in; the draft leaves `value` empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExaminerEntry {
    /// Stable key, unique in the report, for example `incident_details.resolution`.
    pub key: String,
    /// Label shown in the report.
    pub label: String,
    /// Request to the examiner, with the reason the evidence cannot supply the value.
    pub guidance: String,
    /// The examiner's text, once entered.
    #[serde(default)]
    pub value: Option<String>,
}

/// The chart data of one finding: a probe timeline and the most-probed ports.
///
/// An empty `timeline` means the report carries no probe data for the finding, so the
/// renderings print a sentence instead of a chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProbeChart {
    /// ID of the finding the probes belong to.
    pub finding_id: String,
    /// Transport protocol of the probes, `tcp` or `udp`.
    pub protocol: String,
    /// Number of probe points the report was drafted from.
    pub probes_total: u64,
    /// Probes in time order; an even sample when there were more than the chart draws.
    pub timeline: Vec<ChartPoint>,
    /// The most-probed ports, most probes first, ties in port order.
    pub top_ports: Vec<PortCount>,
}

/// One probe on the timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChartPoint {
    /// When the probe was sent, UTC nanoseconds.
    pub ts_ns: TimestampNs,
    /// Destination port.
    pub port: u16,
}

/// Probes counted for one port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortCount {
    /// Destination port.
    pub port: u16,
    /// Probes sent to it.
    pub probes: u64,
}

/// Text shown for an examiner entry that has no value yet.
pub const EXAMINER_PENDING: &str = "To be completed by the examiner.";

impl Report {
    /// Fills the examiner entries from `values` by key; keys the report lacks are ignored.
    pub fn fill_examiner_entries(&mut self, values: &std::collections::BTreeMap<String, String>) {
        for section in &mut self.sections {
            for block in &mut section.blocks {
                if let Block::ExaminerEntry(entry) = block {
                    if let Some(value) = values.get(&entry.key) {
                        entry.value = Some(value.clone());
                    }
                }
            }
        }
    }

    /// Returns every examiner entry, in report order.
    pub fn examiner_entries(&self) -> Vec<&ExaminerEntry> {
        self.sections
            .iter()
            .flat_map(|section| section.blocks.iter())
            .filter_map(|block| match block {
                Block::ExaminerEntry(entry) => Some(entry),
                _ => None,
            })
            .collect()
    }

    /// Replaces the drafted text of each narrative section that the examiner wrote, and
    /// flags the section as a conflict when its drafted text has changed since the examiner
    /// wrote or confirmed it. The section's examiner entries stay, after the examiner's text.
    pub fn apply_section_texts(&mut self, texts: &[SectionText]) {
        for text in texts {
            let Some(section) = self.sections.iter_mut().find(|section| section.kind == text.section) else {
                continue;
            };
            if !section.kind.is_narrative() {
                continue;
            }
            let drafted = drafted_section_markdown(section);
            let entries: Vec<Block> =
                section.blocks.iter().filter(|block| matches!(block, Block::ExaminerEntry(_))).cloned().collect();
            let mut blocks = examiner_markdown::to_blocks(&text.markdown);
            blocks.extend(entries);
            section.blocks = blocks;
            section.edit = Some(SectionEdit {
                by: text.entered_by.clone(),
                at_ns: text.entered_at_ns,
                conflict: drafted != text.drafted_markdown,
            });
        }
    }

    /// Returns the sections whose examiner text is in conflict with a changed draft.
    pub fn conflicting_sections(&self) -> Vec<SectionKind> {
        self.sections
            .iter()
            .filter(|section| section.edit.as_ref().is_some_and(|edit| edit.conflict))
            .map(|section| section.kind)
            .collect()
    }

    /// Returns one section by kind.
    pub fn section(&self, kind: SectionKind) -> Option<&Section> {
        self.sections.iter().find(|section| section.kind == kind)
    }

    /// Returns the examiner entries that have no value yet, in report order.
    pub fn pending_examiner_entries(&self) -> Vec<&ExaminerEntry> {
        self.sections
            .iter()
            .flat_map(|section| section.blocks.iter())
            .filter_map(|block| match block {
                Block::ExaminerEntry(entry) if is_blank(entry.value.as_deref()) => Some(entry),
                _ => None,
            })
            .collect()
    }
}

/// Returns true when an examiner value is missing or only whitespace.
fn is_blank(value: Option<&str>) -> bool {
    value.is_none_or(|text| text.trim().is_empty())
}

/// An error raised while writing the report.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A font bundled into the binary could not be parsed.
    #[error("failed to parse the bundled font {name}: {details}")]
    FontParse {
        /// File name of the font.
        name: &'static str,
        /// The parser's warnings.
        details: String,
    },
    /// The PDF writer reported errors while serializing the document.
    #[error("failed to write the PDF: {details}")]
    PdfWrite {
        /// The writer's error messages.
        details: String,
    },
    /// `SOURCE_DATE_EPOCH` is set but is not a number of seconds in the calendar range.
    #[error(
        "invalid SOURCE_DATE_EPOCH value {value:?}: expected whole seconds since 1970-01-01 UTC; \
         unset it or set it to a number such as 1767225600"
    )]
    SourceDateEpoch {
        /// The variable's value.
        value: String,
    },
    /// An attached screenshot could not be decoded for the PDF.
    #[error("failed to decode the attached screenshot {name} (SHA-256 {sha256}) for the PDF: {details}")]
    Image {
        /// File name of the attachment.
        name: String,
        /// Its SHA-256.
        sha256: String,
        /// The decoder's message.
        details: String,
    },
    /// The CSV writer failed.
    #[error("failed to write the indicator CSV")]
    Csv(#[source] csv::Error),
}

/// Drafts the incident report from the findings of a case.
pub fn draft(input: &ReportInput) -> Report {
    draft::draft_report(input)
}

/// Writes the report as GitHub-flavoured Markdown.
pub fn to_markdown(report: &Report) -> String {
    markdown::render(report)
}

/// Writes one section of the report as Markdown, with its numbered heading.
pub fn section_to_markdown(report: &Report, kind: SectionKind) -> String {
    markdown::render_section(report, kind)
}

/// Returns the drafted text of a section as Markdown without its examiner entries: the
/// text an examiner's edit replaces, compared later to find conflicts.
pub fn drafted_section_markdown(section: &Section) -> String {
    let blocks: Vec<Block> =
        section.blocks.iter().filter(|block| !matches!(block, Block::ExaminerEntry(_))).cloned().collect();
    markdown::render_blocks(&blocks)
}

/// Converts the examiner's Markdown for a narrative section into the blocks the report
/// shows, as [`Report::apply_section_texts`] does: raw HTML stays literal text and a link
/// keeps its address as text, so a preview built from the blocks matches the exports.
pub fn section_text_blocks(markdown: &str) -> Vec<Block> {
    examiner_markdown::to_blocks(markdown)
}

/// Writes the report as an A4 PDF with the bundled DejaVu fonts embedded (subset): a cover
/// page, a table of contents, the sections and the probe charts.
///
/// The document's creation date and ID come from `SOURCE_DATE_EPOCH` when it is set, so
/// the same report renders to the same bytes. Without it they come from the current time.
pub fn to_pdf(report: &Report) -> Result<Vec<u8>, ReportError> {
    let created = pdf_save::creation_time()?;
    pdf::render(report, created)
}

/// Writes the indicators of the findings as CSV: one row per source address, scanned port,
/// scan technique and ATT&CK technique, each with its finding ID.
pub fn to_csv(input: &ReportInput) -> Result<String, ReportError> {
    export_csv::render(input).map_err(ReportError::Csv)
}

/// Builds a STIX 2.1 bundle of the findings: the tool's identity, an indicator per source
/// address, attack patterns for the ATT&CK techniques, sightings and `indicates`
/// relationships. IDs are UUIDv5 of the content, so the same input gives the same bundle.
pub fn to_stix(input: &ReportInput) -> serde_json::Value {
    stix::bundle(input)
}

/// Builds a VERIS 1.4 incident record of the case's scans.
pub fn to_veris(input: &ReportInput) -> serde_json::Value {
    veris::incident(input)
}
