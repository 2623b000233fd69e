//! Request and response types of the report workspace commands ([`crate::report_commands`]).
//!
//! Every type derives `ts_rs::TS`, so its TypeScript declaration in `ui/src/api/generated/`
//! is generated from this file and never written by hand. The serde attributes (camelCase
//! fields, lower-case enum values) apply to the JSON and to the generated declarations alike.
//! Times are RFC 3339 UTC strings. Evidence and attachment files are named by path; their
//! bytes never appear here.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The report workspace: the report as drafted with the examiner's parts marked, what
/// approval needs, the review and its revisions, and what the examiner assembled.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ReportWorkspace {
    /// Report title.
    pub title: String,
    /// Examiner named in the report.
    pub examiner: Option<String>,
    /// When the draft was made.
    pub generated_at: String,
    /// The eight sections in report order.
    pub sections: Vec<SectionDocument>,
    /// Every item approval checks, done or not.
    pub checklist: Vec<ChecklistItem>,
    /// Review state of the current revision.
    pub review: ReviewView,
    /// Every revision, oldest first, with its review steps.
    pub revisions: Vec<RevisionView>,
    /// Findings of the latest analysis and whether the report covers each.
    pub findings: Vec<FindingChoice>,
    /// True when the examiner chose the findings; false when the report covers every
    /// finding that is not suppressed.
    pub findings_chosen: bool,
    /// Response events in the report, in time order.
    pub events: Vec<EventView>,
    /// Attachments in the report, in the order attached.
    pub attachments: Vec<AttachmentView>,
    /// Events and attachments withdrawn from the report, oldest first.
    pub withdrawals: Vec<WithdrawalView>,
    /// Reason the case is read-only, when it is; every change is then rejected.
    pub read_only_reason: Option<String>,
}

/// Author of a section's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum TextOrigin {
    /// scancase drafted it from the evidence.
    Drafted,
    /// The examiner wrote it.
    Examiner,
}

/// One report section with the marks the workspace shows.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SectionDocument {
    /// Section ID, for example `executive_summary`.
    pub id: String,
    /// Position in the report, from 1.
    pub number: u32,
    /// Heading without its number.
    pub title: String,
    /// True when the examiner may replace the drafted text with their own Markdown.
    pub narrative: bool,
    /// Author of the section's running text. Examiner entries carry their own marks.
    pub origin: TextOrigin,
    /// Examiner who wrote the text, for an examiner text.
    pub edited_by: Option<String>,
    /// When the examiner wrote or confirmed the text.
    pub edited_at: Option<String>,
    /// True when the drafted text changed after the examiner wrote theirs.
    pub conflict: bool,
    /// Markdown the editor starts from: the examiner's text, else the drafted text. `None`
    /// for sections the examiner cannot replace.
    pub markdown: Option<String>,
    /// Content in reading order.
    pub blocks: Vec<ReportBlock>,
}

/// One piece of a section, with evidence text made visible (see `escape_invisible`).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase", tag = "type")]
pub enum ReportBlock {
    /// A heading inside the section.
    #[serde(rename = "subheading")]
    Subheading {
        /// 1 for a part of the section, 2 for a part of a part.
        level: u8,
        /// Heading text.
        text: String,
    },
    /// Running text; a line break starts a new paragraph.
    #[serde(rename = "paragraph")]
    Paragraph {
        /// Paragraph text.
        text: String,
    },
    /// Labelled values as (label, value) pairs.
    #[serde(rename = "fields")]
    Fields {
        /// The fields in order.
        fields: Vec<(String, String)>,
    },
    /// A table with a header row.
    #[serde(rename = "table")]
    Table {
        /// Column headers.
        columns: Vec<String>,
        /// Rows of cells.
        rows: Vec<Vec<String>>,
    },
    /// A bulleted list.
    #[serde(rename = "list")]
    List {
        /// One text per bullet.
        items: Vec<String>,
    },
    /// A value only the examiner can supply.
    #[serde(rename = "examinerEntry")]
    ExaminerEntry {
        /// Key of the entry, for example `detection.root_cause`.
        key: String,
        /// Label shown in the report.
        label: String,
        /// Request to the examiner, with the reason the evidence cannot supply the value.
        guidance: String,
        /// The examiner's text, once entered.
        value: Option<String>,
    },
    /// The probe charts of a finding, which the PDF draws.
    #[serde(rename = "chart", rename_all = "camelCase")]
    Chart {
        /// Finding the chart belongs to.
        finding_id: String,
        /// Probes the chart was drawn from.
        probes_total: u64,
    },
}

/// Kind of a checklist item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ChecklistKind {
    /// An examiner entry, done when it has a value.
    Entry,
    /// A section whose examiner text is in conflict with a changed draft; never done.
    Conflict,
    /// A chosen finding the latest analysis no longer has; never done.
    MissingFinding,
}

/// One thing approval checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ChecklistItem {
    /// Kind of the item.
    pub kind: ChecklistKind,
    /// Entry key, section ID or finding ID.
    pub subject: String,
    /// Text to show: the entry's label, the section title or the finding ID.
    pub label: String,
    /// Section the item belongs to, for entries and conflicts.
    pub section: Option<String>,
    /// True when approval does not need anything more for this item.
    pub done: bool,
}

/// Review state of a revision, as the library names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ReviewStateName {
    /// Being written.
    Draft,
    /// Handed to a reviewer; changes are rejected until it is approved or reopened.
    Submitted,
    /// Approved; a change starts the next revision.
    Approved,
}

/// The current review state.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ReviewView {
    /// Current stage.
    pub state: ReviewStateName,
    /// The state as the report's cover prints it, for example "Approved by B. Reviewer on 2026-12-05".
    pub label: String,
    /// Person who took the latest step.
    pub by: Option<String>,
    /// When.
    pub at: Option<String>,
    /// Current revision, from 1.
    pub revision: u32,
}

/// One review step of a revision.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ReviewStepView {
    /// `submitted`, `approved` or `reopened`.
    pub action: String,
    /// Person who took it.
    pub actor: Option<String>,
    /// When.
    pub at: String,
    /// The reviewer's note.
    pub note: Option<String>,
}

/// One revision of the report.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RevisionView {
    /// Revision number, from 1.
    pub number: u32,
    /// Its review state now.
    pub state: ReviewStateName,
    /// When it was started; `None` for revision 1, which starts with the case.
    pub started_at: Option<String>,
    /// Person who started it.
    pub started_by: Option<String>,
    /// Reason the revision was started.
    pub reason: String,
    /// When it was approved.
    pub approved_at: Option<String>,
    /// Reviewer who approved it.
    pub approved_by: Option<String>,
    /// SHA-256 of the approved report's JSON.
    pub approved_sha256: Option<String>,
    /// Review steps in the order taken.
    pub steps: Vec<ReviewStepView>,
}

/// A finding of the latest analysis and whether the report covers it.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FindingChoice {
    /// Finding ID, for example `F-1`.
    pub id: String,
    /// Kind, technique and sources in a few words.
    pub summary: String,
    /// True when the report covers it.
    pub covered: bool,
    /// Reason the report leaves it out, when it does.
    pub reason: Option<String>,
}

/// Response phase of an event, as the library names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum PhaseName {
    /// Stopping the activity.
    Containment,
    /// Removing the cause.
    Eradication,
    /// Returning systems to normal operation.
    Recovery,
    /// Informing others.
    Notification,
}

/// A response event in the report.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EventView {
    /// Row id; the listings call it `E<id>`.
    pub id: i64,
    /// Response phase.
    pub phase: PhaseName,
    /// When it happened, in UTC.
    pub at: String,
    /// The time as the examiner wrote it.
    pub at_text: String,
    /// Person or team who acted.
    pub actor: String,
    /// Action taken.
    pub description: String,
    /// Examiner who entered it.
    pub entered_by: Option<String>,
}

/// Kind of an attachment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum AttachmentKindName {
    /// A PNG or JPEG image.
    Screenshot,
    /// A UTF-8 text.
    Statement,
}

/// An attachment in the report, without its content.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AttachmentView {
    /// Row id; the report calls it `A<id>`.
    pub id: i64,
    /// Screenshot or statement.
    pub kind: AttachmentKindName,
    /// File name it was attached from.
    pub name: String,
    /// `image/png`, `image/jpeg` or `text/plain`.
    pub media_type: String,
    /// SHA-256 of the content.
    pub sha256: String,
    /// Size of the content in bytes.
    pub size_bytes: u64,
    /// The examiner's description.
    pub description: Option<String>,
    /// Examiner who attached it.
    pub added_by: Option<String>,
    /// When.
    pub added_at: String,
}

/// Kind of an item that can be withdrawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum WithdrawableName {
    /// A response event.
    Event,
    /// An attachment.
    Attachment,
}

/// An event or attachment withdrawn from the report.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct WithdrawalView {
    /// Kind of the item.
    pub kind: WithdrawableName,
    /// Row id of the item.
    pub item_id: i64,
    /// Description of the item.
    pub item_label: String,
    /// Reason for the withdrawal.
    pub reason: String,
    /// Examiner who withdrew it.
    pub withdrawn_by: Option<String>,
    /// When.
    pub withdrawn_at: String,
    /// Revision the withdrawal belongs to.
    pub revision: u32,
}

/// A review step the examiner or reviewer takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ReviewStepName {
    /// Hand the draft to a reviewer.
    Submit,
    /// Approve a submitted report.
    Approve,
    /// Return a submitted or approved report to draft.
    Reopen,
}

/// Request to take a review step.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ReviewRequest {
    /// The step.
    pub step: ReviewStepName,
    /// Name of the person taking it; recorded with the step.
    pub reviewer: String,
    /// A note kept with the step.
    pub note: Option<String>,
}

/// Request to add a response event.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EventRequest {
    /// Response phase.
    pub phase: PhaseName,
    /// When it happened: RFC 3339 with an offset, for example `2026-12-04T21:05:00+01:00`.
    pub at: String,
    /// Person or team who acted.
    pub actor: String,
    /// Action taken.
    pub description: String,
}

/// Request to attach a file, read by the back end from its path.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AttachRequest {
    /// Path of the file.
    pub path: String,
    /// Screenshot or statement.
    pub kind: AttachmentKindName,
    /// Short description shown with the attachment.
    pub description: Option<String>,
}

/// Request to withdraw an event or attachment.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct WithdrawRequest {
    /// Kind of the item.
    pub kind: WithdrawableName,
    /// Row id of the item.
    pub id: i64,
    /// Reason for the withdrawal.
    pub reason: String,
}

/// Output format of a report export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ReportExportFormat {
    /// PDF for management.
    Pdf,
    /// Markdown for the team's wiki.
    Markdown,
    /// The report's structure as JSON.
    Json,
    /// A STIX 2.1 bundle of indicators, attack patterns and sightings.
    Stix,
    /// Indicators as CSV.
    Csv,
    /// A VERIS 1.4 incident record.
    Veris,
}

/// Result of a report export.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ReportExportResult {
    /// Format written.
    pub format: ReportExportFormat,
    /// Path written.
    pub path: String,
    /// Bytes written.
    pub size_bytes: u64,
    /// Revision of the report exported.
    pub revision: u32,
    /// Review state of the exported report, as its cover prints it.
    pub review_label: String,
}
