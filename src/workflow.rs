//! Steps shared by the command line and the desktop shell: drafting the report of a case
//! and exporting it, with the audit entries that go with them.
//!
//! Each function here composes the case store, the analysis and the report module; none
//! prints or parses arguments.

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::case::{now_ns, Case, CaseError, ReviewAction};
use crate::report::{self, Report, ReportError, ReportInput, ReviewStatus};

/// Output format of an exported report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    /// Markdown for the team's wiki.
    Markdown,
    /// PDF for management.
    Pdf,
    /// The drafted report's structure as JSON.
    Json,
    /// Indicators (sources, scanned ports, techniques) as CSV.
    Csv,
    /// A STIX 2.1 bundle of indicators, attack patterns and sightings.
    Stix,
    /// A VERIS 1.4 incident record.
    Veris,
}

impl ReportFormat {
    /// Returns the format's name as recorded in the audit log.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Markdown => "md",
            Self::Pdf => "pdf",
            Self::Json => "json",
            Self::Csv => "csv",
            Self::Stix => "stix",
            Self::Veris => "veris",
        }
    }
}

/// An error while drafting or exporting a report.
#[derive(Debug, thiserror::Error)]
pub enum WorkflowError {
    /// The case has never been analyzed, so there is nothing to report on.
    #[error("case {path} has not been analyzed yet; run `scancase analyze {path}` first")]
    NotAnalyzed {
        /// Path of the case.
        path: String,
    },
    /// The case store failed.
    #[error(transparent)]
    Case(#[from] CaseError),
    /// Rendering failed.
    #[error("could not render the report")]
    Render(#[source] ReportError),
    /// A data export was requested from a report without its input.
    #[error("the {format} export needs the report's input; use render_export")]
    NeedsInput {
        /// Format requested.
        format: &'static str,
    },
    /// Approval was requested while examiner entries are still empty.
    #[error("the report cannot be approved: {count} examiner entries are empty ({keys}); fill them with `scancase edit`")]
    PendingEntries {
        /// Number of empty entries.
        count: usize,
        /// Their keys, comma-separated.
        keys: String,
    },
    /// An examiner entry key that the report does not have.
    #[error("the report has no examiner entry {key:?}; list the entries with `scancase edit CASE`")]
    UnknownEntry {
        /// The key given.
        key: String,
    },
    /// The report could not be encoded as JSON.
    #[error("could not encode the report as JSON")]
    Json(#[source] serde_json::Error),
    /// The output file could not be written.
    #[error("could not write the report to {path}")]
    Write {
        /// Output path.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

/// A drafted report with the input it was drafted from, which the data exports (CSV, STIX,
/// VERIS) read directly.
#[derive(Debug, Clone)]
pub struct DraftedReport {
    /// The facts the report was drafted from.
    pub input: ReportInput,
    /// The drafted report.
    pub report: Report,
}

/// Drafts the report from the case's latest analysis and stores the draft in the case; see
/// [`prepare_report`].
pub fn draft_report(case: &mut Case, actor: Option<&str>) -> Result<Report, WorkflowError> {
    Ok(prepare_report(case, actor)?.report)
}

/// Drafts the report from the case's latest analysis, stores the draft in the case, and
/// returns it with its input.
///
/// The evidence files are re-hashed first, so the report's evidence appendix shows a
/// verification made for this report. On a read-only case the draft and the verification
/// are not stored.
pub fn prepare_report(case: &mut Case, actor: Option<&str>) -> Result<DraftedReport, WorkflowError> {
    let analysis = case
        .latest_analysis()?
        .ok_or_else(|| WorkflowError::NotAnalyzed { path: case.path().display().to_string() })?;
    let checks = case.verify_evidence(&[], actor)?;
    let mut evidence = case.evidence()?;
    for record in &mut evidence {
        if let Some(check) = checks.iter().find(|check| check.evidence_id == record.id) {
            record.verification = Some(check.verification.clone());
        }
    }
    let mut input = ReportInput::new(case.info()?, evidence, analysis.findings, Some(analysis.run), now_ns());
    input.probe_points = case
        .probe_points(analysis.run_id)?
        .into_iter()
        .filter_map(|(finding_id, ts_ns, _target, port)| Some(report::ProbePoint { finding_id, ts_ns, port: port? }))
        .collect();
    let mut report = report::draft(&input);
    report.fill_examiner_entries(&case.report_entries()?);
    report.review = case.review_status()?;
    if case.read_only_reason().is_none() {
        let content_json = serde_json::to_string(&report).map_err(WorkflowError::Json)?;
        case.store_report(Some(analysis.run_id), &content_json, actor)?;
    }
    Ok(DraftedReport { input, report })
}

/// Stores the examiner's text for one entry of the report, after checking that the report
/// has that entry.
pub fn set_examiner_entry(case: &mut Case, key: &str, value: &str, actor: Option<&str>) -> Result<(), WorkflowError> {
    let drafted = prepare_report(case, actor)?;
    if !drafted.report.examiner_entries().iter().any(|entry| entry.key == key) {
        return Err(WorkflowError::UnknownEntry { key: key.to_string() });
    }
    case.set_report_entry(key, value, actor)?;
    Ok(())
}

/// Takes a review step. Approval needs every examiner entry filled, so a report with gaps
/// cannot be approved.
pub fn review_report(
    case: &mut Case,
    action: ReviewAction,
    actor: Option<&str>,
    note: Option<&str>,
) -> Result<ReviewStatus, WorkflowError> {
    let submitted = case.review_status()?.state == crate::report::ReviewState::Submitted;
    if action == ReviewAction::Approve && submitted {
        let drafted = prepare_report(case, actor)?;
        let pending = drafted.report.pending_examiner_entries();
        if !pending.is_empty() {
            let keys = pending.iter().map(|entry| entry.key.as_str()).collect::<Vec<_>>().join(", ");
            return Err(WorkflowError::PendingEntries { count: pending.len(), keys });
        }
    }
    Ok(case.record_review(action, actor, note)?)
}

/// Renders a drafted report in any export format.
pub fn render_export(drafted: &DraftedReport, format: ReportFormat) -> Result<Vec<u8>, WorkflowError> {
    let pretty = |value: serde_json::Value| -> Result<Vec<u8>, WorkflowError> {
        let mut bytes = serde_json::to_vec_pretty(&value).map_err(WorkflowError::Json)?;
        bytes.push(b'\n');
        Ok(bytes)
    };
    match format {
        ReportFormat::Markdown | ReportFormat::Pdf | ReportFormat::Json => render_report(&drafted.report, format),
        ReportFormat::Csv => Ok(report::to_csv(&drafted.input).map_err(WorkflowError::Render)?.into_bytes()),
        ReportFormat::Stix => pretty(report::to_stix(&drafted.input)),
        ReportFormat::Veris => pretty(report::to_veris(&drafted.input)),
    }
}

/// Renders a drafted report as Markdown, PDF or JSON; the data exports need the report's
/// input and go through [`render_export`].
pub fn render_report(report: &Report, format: ReportFormat) -> Result<Vec<u8>, WorkflowError> {
    match format {
        ReportFormat::Markdown => Ok(report::to_markdown(report).into_bytes()),
        ReportFormat::Pdf => report::to_pdf(report).map_err(WorkflowError::Render),
        ReportFormat::Json => {
            let mut bytes = serde_json::to_vec_pretty(report).map_err(WorkflowError::Json)?;
            bytes.push(b'\n');
            Ok(bytes)
        }
        ReportFormat::Csv | ReportFormat::Stix | ReportFormat::Veris => {
            Err(WorkflowError::NeedsInput { format: format.as_str() })
        }
    }
}

/// Writes rendered report bytes to a file and records the export with the file's SHA-256
/// in the audit log (unless the case is read-only).
pub fn write_export(
    case: &mut Case,
    bytes: &[u8],
    output: &Path,
    format: ReportFormat,
    actor: Option<&str>,
) -> Result<(), WorkflowError> {
    std::fs::write(output, bytes)
        .map_err(|source| WorkflowError::Write { path: output.display().to_string(), source })?;
    if let Some(reason) = case.read_only_reason() {
        log::warn!("the export of {} is not recorded in the audit log: the case is read-only ({reason})", output.display());
        return Ok(());
    }
    let sha256 = crate::case::hex_lower(&Sha256::digest(bytes));
    case.record_export(&output.display().to_string(), format.as_str(), &sha256, actor)?;
    Ok(())
}
