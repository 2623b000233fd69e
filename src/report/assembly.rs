//! The examiner's additions to the drafted report: timeline events, attachments, the
//! findings left out, and the examiner's own text for a narrative section.
//!
//! These are the report's view of values the case file stores. An *event* is a response
//! step (containment, eradication, recovery, notification) with the time, actor and
//! description the examiner gives. Its time is the examiner's statement, not evidence, and
//! the report marks it so. An *attachment* is a screenshot (PNG or JPEG) or a statement
//! (UTF-8 text) identified by its SHA-256. A *section edit* is the examiner's Markdown that
//! replaces the drafted text of a narrative section. It is in *conflict* when the drafted
//! text it replaced has changed since, for example after a new analysis.

use serde::{Deserialize, Serialize};

use super::SectionKind;
use crate::model::TimestampNs;

/// Phase of the response an examiner event belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventPhase {
    /// Stopping the activity, for example blocking the source.
    Containment,
    /// Removing the cause.
    Eradication,
    /// Returning systems to normal operation.
    Recovery,
    /// Informing management, authorities or others.
    Notification,
}

impl EventPhase {
    /// All phases in report order.
    pub const ALL: [EventPhase; 4] = [Self::Containment, Self::Eradication, Self::Recovery, Self::Notification];

    /// Returns the phase's name as stored and typed on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Containment => "containment",
            Self::Eradication => "eradication",
            Self::Recovery => "recovery",
            Self::Notification => "notification",
        }
    }

    /// Returns the phase's label in the report.
    pub fn label(self) -> &'static str {
        match self {
            Self::Containment => "Containment",
            Self::Eradication => "Eradication",
            Self::Recovery => "Recovery",
            Self::Notification => "Notification",
        }
    }

    /// Parses a stored or typed name.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|phase| phase.as_str() == text)
    }
}

/// A response event entered by the examiner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEvent {
    /// Row id in the case file.
    pub id: i64,
    /// Response phase.
    pub phase: EventPhase,
    /// When it happened according to the examiner, UTC nanoseconds.
    pub at_ns: TimestampNs,
    /// The time as the examiner wrote it (RFC 3339 with its offset).
    pub at_text: String,
    /// Person or team who acted, for example "NOC on-call".
    pub actor: String,
    /// Description of the action.
    pub description: String,
    /// Examiner who entered the event.
    pub entered_by: Option<String>,
    /// When it was entered, UTC nanoseconds.
    pub entered_at_ns: TimestampNs,
}

/// Kind of an attachment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttachmentKind {
    /// A PNG or JPEG image.
    Screenshot,
    /// A UTF-8 text, for example a witness statement.
    Statement,
}

impl AttachmentKind {
    /// Returns the kind's name as stored and typed on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Screenshot => "screenshot",
            Self::Statement => "statement",
        }
    }

    /// Parses a stored or typed name.
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Screenshot, Self::Statement].into_iter().find(|kind| kind.as_str() == text)
    }
}

/// A file attached to the report, with its content for the renderings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// Row id in the case file; the report calls it `A<id>`.
    pub id: i64,
    /// Screenshot or statement.
    pub kind: AttachmentKind,
    /// File name it was attached from.
    pub name: String,
    /// `image/png`, `image/jpeg` or `text/plain`.
    pub media_type: String,
    /// SHA-256 of the content, lower-case hexadecimal.
    pub sha256: String,
    /// Size of the content in bytes.
    pub size_bytes: u64,
    /// The examiner's description, if any.
    pub description: Option<String>,
    /// Examiner who attached it.
    pub added_by: Option<String>,
    /// When it was attached, UTC nanoseconds.
    pub added_at_ns: TimestampNs,
    /// Text of a statement; `None` for screenshots.
    pub text: Option<String>,
    /// Bytes of a screenshot for the PDF. Not part of the report's JSON: the case file
    /// stores them, identified by `sha256`.
    #[serde(skip)]
    pub image: Option<Vec<u8>>,
}

/// A finding of the analysis that the report does not cover, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExcludedFinding {
    /// Finding ID, for example `F-2`.
    pub id: String,
    /// Reason it is left out.
    pub reason: String,
}

/// The examiner's text for a narrative section, as the case stores it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectionText {
    /// The section.
    pub section: SectionKind,
    /// The examiner's Markdown.
    pub markdown: String,
    /// The drafted text (Markdown) of the section when the examiner edited or last
    /// confirmed it.
    pub drafted_markdown: String,
    /// Examiner who wrote or confirmed it.
    pub entered_by: Option<String>,
    /// When, UTC nanoseconds.
    pub entered_at_ns: TimestampNs,
}

/// Marks a section whose text the examiner wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectionEdit {
    /// Examiner who wrote it.
    pub by: Option<String>,
    /// When, UTC nanoseconds.
    pub at_ns: TimestampNs,
    /// True when the drafted text under the edit has changed since the examiner wrote or
    /// confirmed it. Approval is blocked until the examiner confirms or edits again.
    pub conflict: bool,
}

impl SectionKind {
    /// Sections whose drafted text the examiner may replace with their own Markdown. The
    /// others contain facts from the evidence (times, findings, the evidence list) that the
    /// report keeps as drafted.
    pub const NARRATIVE: [SectionKind; 4] =
        [Self::ExecutiveSummary, Self::ResponseActions, Self::ImpactAssessment, Self::LessonsLearned];

    /// Returns the section's ID as typed on the command line, for example
    /// `executive_summary`.
    pub fn id(self) -> &'static str {
        match self {
            Self::ExecutiveSummary => "executive_summary",
            Self::IncidentDetails => "incident_details",
            Self::Timeline => "timeline",
            Self::DetectionAndAnalysis => "detection_and_analysis",
            Self::ResponseActions => "response_actions",
            Self::ImpactAssessment => "impact_assessment",
            Self::LessonsLearned => "lessons_learned",
            Self::Appendices => "appendices",
        }
    }

    /// Parses a section ID or its number (1 to 8).
    pub fn from_id(text: &str) -> Option<Self> {
        let text = text.trim();
        if let Ok(number) = text.parse::<usize>() {
            return number.checked_sub(1).and_then(|index| Self::ALL.get(index).copied());
        }
        Self::ALL.into_iter().find(|kind| kind.id() == text)
    }

    /// Returns true when the examiner may replace the section's drafted text.
    pub fn is_narrative(self) -> bool {
        Self::NARRATIVE.contains(&self)
    }
}
