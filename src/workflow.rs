//! Steps shared by the command line and the desktop shell: drafting the report of a case
//! and exporting it, with the audit entries that go with them.
//!
//! Each function here composes the case store, the analysis and the report module; none
//! prints or parses arguments.

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::case::{now_ns, Case, CaseError};
use crate::report::{self, Report, ReportError, ReportInput};

/// Output format of an exported report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    /// Markdown for the team's wiki.
    Markdown,
    /// PDF for management.
    Pdf,
    /// The drafted report's structure as JSON.
    Json,
}

impl ReportFormat {
    /// Returns the format's name as recorded in the audit log.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Markdown => "md",
            Self::Pdf => "pdf",
            Self::Json => "json",
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

/// Drafts the report from the case's latest analysis and stores the draft in the case.
///
/// The evidence files are re-hashed first, so the report's evidence appendix shows a
/// verification made for this report. On a read-only case the draft and the verification
/// are not stored.
pub fn draft_report(case: &mut Case, actor: Option<&str>) -> Result<Report, WorkflowError> {
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
    let input = ReportInput::new(case.info()?, evidence, analysis.findings, Some(analysis.run), now_ns());
    let report = report::draft(&input);
    if case.read_only_reason().is_none() {
        let content_json = serde_json::to_string(&report).map_err(WorkflowError::Json)?;
        case.store_report(Some(analysis.run_id), &content_json, actor)?;
    }
    Ok(report)
}

/// Renders a drafted report in the given format.
pub fn render_report(report: &Report, format: ReportFormat) -> Result<Vec<u8>, WorkflowError> {
    match format {
        ReportFormat::Markdown => Ok(report::to_markdown(report).into_bytes()),
        ReportFormat::Pdf => report::to_pdf(report).map_err(WorkflowError::Render),
        ReportFormat::Json => {
            let mut bytes = serde_json::to_vec_pretty(report).map_err(WorkflowError::Json)?;
            bytes.push(b'\n');
            Ok(bytes)
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
