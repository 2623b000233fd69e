//! Progress and cancellation of the long steps besides import: the analysis of a case and
//! the export of its report.
//!
//! A caller passes a [`JobObserver`]. The step reports which part it is in and how far that
//! part has come, and checks between units of work whether it should stop. A cancelled step
//! returns [`crate::case::CaseError::Cancelled`] before it stores its result, so the case
//! keeps what it held before. Imports have their own observer
//! ([`crate::import::ImportObserver`]), which counts the bytes of one evidence file.

/// The parts of a long step, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobPart {
    /// Reading the stored contacts and probe times of every evidence file.
    ReadingContacts,
    /// Joining the contacts of all evidence files and detecting the scans among them.
    DetectingScans,
    /// Writing the findings and their citations to the case.
    StoringFindings,
    /// Hashing every evidence file again and comparing it with the hash taken at import;
    /// counted in bytes.
    VerifyingEvidence,
    /// Drafting the report from the case.
    DraftingReport,
    /// Rendering the report in the export format.
    RenderingReport,
    /// Writing the exported file and recording it in the audit log.
    WritingReport,
}

impl JobPart {
    /// Returns the part's stable name, as the desktop app shows and logs it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ReadingContacts => "readingContacts",
            Self::DetectingScans => "detectingScans",
            Self::StoringFindings => "storingFindings",
            Self::VerifyingEvidence => "verifyingEvidence",
            Self::DraftingReport => "draftingReport",
            Self::RenderingReport => "renderingReport",
            Self::WritingReport => "writingReport",
        }
    }
}

/// Receiver of a long step's progress, which also decides whether the step stops.
pub trait JobObserver {
    /// Called when `part` starts (`done` 0) and as it advances: `done` of `total` units, in
    /// bytes for [`JobPart::VerifyingEvidence`] and 0 or 1 of 1 for the parts that cannot be
    /// divided.
    fn progress(&mut self, _part: JobPart, _done: u64, _total: u64) {}

    /// Returns true when the step should stop without storing its result.
    fn is_cancelled(&self) -> bool {
        false
    }
}

/// An observer that reports nothing and never cancels.
#[derive(Debug, Default, Clone, Copy)]
pub struct Unobserved;

impl JobObserver for Unobserved {}
