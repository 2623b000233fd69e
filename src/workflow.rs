//! Steps shared by the command line and the desktop shell: changing the case settings,
//! drafting the report of a case and exporting it, with the audit entries that go with them.
//!
//! Each function here composes the case store, the analysis and the report module; none
//! prints or parses arguments.

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::analysis::Parameters;
use crate::case::{
    now_ns, ApprovedReport, Case, CaseError, CaseSettings, ReportBasis, ReviewAction, SectionTextAction,
    SettingsChange, StoredAnalysis,
};
use crate::job::{JobObserver, JobPart, Unobserved};
use crate::model::Finding;
use crate::report::{self, ExcludedFinding, Report, ReportError, ReportInput, ReviewStatus, Section, SectionKind};

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
    /// Approval was requested while examiner entries are empty, sections are in conflict
    /// or chosen findings are missing.
    #[error("the report cannot be approved: {count} items are missing or in conflict: {items}")]
    ApprovalBlocked {
        /// Number of items.
        count: usize,
        /// The items, separated by semicolons, each with the command that resolves it.
        items: String,
    },
    /// A finding ID that the latest analysis does not have.
    #[error("the latest analysis has no finding {id:?}; list the findings with `scancase findings CASE`")]
    UnknownFinding {
        /// The ID given.
        id: String,
    },
    /// A confirmation was requested for a section the examiner has not written.
    #[error("section {section} has no text written by the examiner to confirm; write one with `scancase report edit`")]
    NoSectionText {
        /// Section ID.
        section: &'static str,
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
    /// The report: the approved one when the current revision is approved, else the draft
    /// with the examiner's entries and section texts.
    pub report: Report,
    /// The sections as drafted, before the examiner's section texts replaced any.
    pub drafted_sections: Vec<Section>,
    /// Finding IDs the examiner chose that the latest analysis does not have.
    pub missing_findings: Vec<String>,
    /// Basis the report was drafted from.
    pub basis: ReportBasis,
}

impl DraftedReport {
    /// Lists what blocks approval: empty examiner entries, sections whose drafted text
    /// changed under the examiner's text, and chosen findings the analysis no longer has.
    pub fn approval_blockers(&self) -> Vec<String> {
        let mut items: Vec<String> = self
            .report
            .pending_examiner_entries()
            .iter()
            .map(|entry| {
                format!("examiner entry {} is empty (`scancase edit CASE {} --text TEXT`)", entry.key, entry.key)
            })
            .collect();
        for kind in self.report.conflicting_sections() {
            items.push(format!(
                "section {} is in conflict: its drafted text changed after the examiner wrote it \
                 (`scancase report confirm CASE --section {}` or edit it again)",
                kind.id(),
                kind.id()
            ));
        }
        for id in &self.missing_findings {
            items.push(format!(
                "finding {id} chosen for the report is not in the latest analysis (`scancase report findings CASE`)"
            ));
        }
        items
    }
}

/// Checks a change of the case settings before it is applied: the texts and values
/// ([`SettingsChange::check`]) and each analysis parameter's name and value against
/// [`Parameters`].
pub fn check_settings_change(case_path: &Path, change: &SettingsChange) -> Result<(), CaseError> {
    change.check(case_path)?;
    let invalid = |name: &str, problem: String| CaseError::InvalidSetting {
        path: case_path.to_path_buf(),
        setting: format!("analysis parameter {name}"),
        problem,
    };
    let mut check = Parameters::default();
    for (name, value) in &change.set_parameters {
        check.set(name, *value).map_err(|problem| invalid(name, problem))?;
    }
    for name in &change.reset_parameters {
        let default = Parameters::default().get(name);
        // An unknown name has no default; setting it fails with the list of known names.
        check.set(name, default.unwrap_or(1)).map_err(|problem| invalid(name, problem))?;
    }
    Ok(())
}

/// Changes the case settings after [`check_settings_change`]; nothing is changed when a
/// setting is invalid.
pub fn change_settings(
    case: &mut Case,
    change: &SettingsChange,
    actor: Option<&str>,
) -> Result<CaseSettings, CaseError> {
    check_settings_change(case.path(), change)?;
    case.change_settings(change, actor)
}

/// Drafts the report from the case's latest analysis and stores the draft in the case; see
/// [`prepare_report`].
pub fn draft_report(case: &mut Case, actor: Option<&str>) -> Result<Report, WorkflowError> {
    Ok(prepare_report(case, actor)?.report)
}

/// Why the report is prepared, which decides what preparing it costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportPurpose {
    /// The report leaves the case or is frozen: an export, a printed report, an approval.
    /// Every evidence file is hashed again, so the evidence appendix shows a verification
    /// made for this report, and the draft is stored in the case.
    Issue,
    /// The report is read or edited. The evidence appendix shows each file's latest recorded
    /// verification and no draft is stored. Working on the report thus re-reads no evidence
    /// (gigabytes for large captures) and adds no copy of the draft to the case at each step.
    Edit,
}

/// Drafts the report from the case's latest analysis for issuing it; see
/// [`prepare_report_for`] with [`ReportPurpose::Issue`].
pub fn prepare_report(case: &mut Case, actor: Option<&str>) -> Result<DraftedReport, WorkflowError> {
    prepare_report_for(case, actor, ReportPurpose::Issue, &mut Unobserved)
}

/// Drafts the report from the case's latest analysis for reading or editing it; see
/// [`prepare_report_for`] with [`ReportPurpose::Edit`].
pub fn prepare_report_to_edit(case: &mut Case, actor: Option<&str>) -> Result<DraftedReport, WorkflowError> {
    prepare_report_for(case, actor, ReportPurpose::Edit, &mut Unobserved)
}

/// Drafts the report from the case's latest analysis and returns it with its input. For
/// [`ReportPurpose::Issue`] it first re-hashes the evidence, reporting the bytes to
/// `observer`, which may cancel, and afterwards stores the draft in the case.
///
/// The report covers the findings the examiner chose, or every finding that is not
/// suppressed. When the current revision is approved and nothing it was drafted from has
/// changed, the approved report is returned as it was approved. A new analysis or new
/// evidence starts the next revision instead. On a read-only case nothing is stored.
pub fn prepare_report_for(
    case: &mut Case,
    actor: Option<&str>,
    purpose: ReportPurpose,
    observer: &mut dyn JobObserver,
) -> Result<DraftedReport, WorkflowError> {
    let analysis = case
        .latest_analysis()?
        .ok_or_else(|| WorkflowError::NotAnalyzed { path: case.path().display().to_string() })?;
    let writable = case.read_only_reason().is_none();
    let basis = ReportBasis {
        run_id: Some(analysis.run_id),
        evidence_ids: case.evidence()?.iter().map(|record| record.id).collect(),
    };
    let approved = case.approved_report()?;
    if let Some(approved) = &approved {
        if approved.basis != basis && writable {
            let reason = if approved.basis.run_id != basis.run_id {
                "new analysis after approval"
            } else {
                "new evidence after approval"
            };
            case.start_revision_after_approval(reason, actor)?;
        }
    }

    let run_id = analysis.run_id;
    let (input, missing_findings) = report_input(case, analysis, actor, purpose, observer)?;
    observer.progress(JobPart::DraftingReport, 0, 1);
    let mut report = report::draft(&input);
    let drafted_sections = report.sections.clone();
    report.apply_section_texts(&case.report_section_texts()?);
    report.fill_examiner_entries(&case.report_entries()?);
    report.review = case.review_status()?;

    match approved.filter(|approved| approved.basis == basis || !writable) {
        Some(approved) => {
            if approved.basis != basis {
                log::warn!(
                    "{}: the evidence or analysis changed after the report was approved; the case is read-only, \
                     so the approved report is shown and no new revision is started",
                    case.path().display()
                );
            }
            report = approved_content(case, &approved)?;
        }
        None if writable && purpose == ReportPurpose::Issue => {
            let content_json = serde_json::to_string(&report).map_err(WorkflowError::Json)?;
            case.store_report(Some(run_id), &content_json, actor)?;
        }
        None => {}
    }
    Ok(DraftedReport { input, report, drafted_sections, missing_findings, basis })
}

/// Reads the approved report of the current revision with its current review status and
/// the attached screenshots' bytes, which the stored JSON leaves out.
fn approved_content(case: &Case, approved: &ApprovedReport) -> Result<Report, WorkflowError> {
    let mut report: Report = serde_json::from_str(&approved.content_json).map_err(WorkflowError::Json)?;
    report.review = case.review_status()?;
    let stored = case.report_attachments()?;
    for attachment in &mut report.attachments {
        if let Some(found) = stored.iter().find(|stored| stored.sha256 == attachment.sha256) {
            attachment.image = found.image.clone();
        }
    }
    Ok(report)
}

/// Builds the report's input from the case: verified evidence, the chosen findings with
/// their probes, the examiner's events and attachments. Also returns the chosen finding
/// IDs the analysis does not have.
fn report_input(
    case: &mut Case,
    analysis: StoredAnalysis,
    actor: Option<&str>,
    purpose: ReportPurpose,
    observer: &mut dyn JobObserver,
) -> Result<(ReportInput, Vec<String>), WorkflowError> {
    // Each evidence record carries its latest recorded verification; issuing replaces it
    // with a new one.
    let mut evidence = case.evidence()?;
    if purpose == ReportPurpose::Issue {
        let checks = case.verify_evidence_observed(&[], actor, observer)?;
        for record in &mut evidence {
            if let Some(check) = checks.iter().find(|check| check.evidence_id == record.id) {
                record.verification = Some(check.verification.clone());
            }
        }
    }
    let scope = case.report_scope()?;
    let (findings, excluded, missing) = choose_findings(analysis.findings, scope.as_deref());
    let mut input = ReportInput::new(case.info()?, evidence, findings, Some(analysis.run), now_ns());
    let settings = case.settings()?;
    input.classification = settings.classification;
    input.organisation = settings.organisation;
    input.probe_points = case
        .probe_points(analysis.run_id)?
        .into_iter()
        .filter(|(finding_id, ..)| input.findings.iter().any(|finding| &finding.id == finding_id))
        .filter_map(|(finding_id, ts_ns, _target, port)| Some(report::ProbePoint { finding_id, ts_ns, port: port? }))
        .collect();
    input.excluded_findings = excluded;
    input.events = case.report_events()?;
    input.attachments = case.report_attachments()?;
    Ok((input, missing))
}

/// Splits the findings into those the report covers and those it leaves out: the chosen
/// IDs, or without a choice every finding not suppressed. Also returns the chosen IDs that
/// no finding has.
fn choose_findings(
    findings: Vec<Finding>,
    chosen: Option<&[String]>,
) -> (Vec<Finding>, Vec<ExcludedFinding>, Vec<String>) {
    let mut covered = Vec::new();
    let mut excluded = Vec::new();
    for finding in findings {
        let reason = match (chosen, &finding.suppressed) {
            (Some(ids), _) if ids.contains(&finding.id) => None,
            (Some(_), Some(reason)) => Some(format!("not chosen by the examiner; (suppressed): {reason}")),
            (Some(_), None) => Some("not chosen by the examiner".to_string()),
            (None, Some(reason)) => Some(format!("(suppressed): {reason}")),
            (None, None) => None,
        };
        match reason {
            None => covered.push(finding),
            Some(reason) => excluded.push(ExcludedFinding { id: finding.id, reason }),
        }
    }
    let missing = chosen
        .unwrap_or_default()
        .iter()
        .filter(|id| !covered.iter().any(|finding| &finding.id == *id))
        .cloned()
        .collect();
    (covered, excluded, missing)
}

/// Chooses the findings the report covers, after checking that the latest analysis has
/// each; `None` returns to the default (every finding not suppressed).
pub fn choose_report_findings(
    case: &mut Case,
    ids: Option<&[String]>,
    actor: Option<&str>,
) -> Result<(), WorkflowError> {
    let analysis = case
        .latest_analysis()?
        .ok_or_else(|| WorkflowError::NotAnalyzed { path: case.path().display().to_string() })?;
    if let Some(ids) = ids {
        if let Some(unknown) = ids.iter().find(|id| !analysis.findings.iter().any(|finding| &finding.id == *id)) {
            return Err(WorkflowError::UnknownFinding { id: unknown.clone() });
        }
    }
    case.set_report_scope(ids, actor)?;
    Ok(())
}

/// Stores the examiner's Markdown for a narrative section, with the drafted text it
/// replaces so that a later change of the draft is flagged as a conflict.
pub fn set_section_text(
    case: &mut Case,
    section: SectionKind,
    markdown: &str,
    actor: Option<&str>,
) -> Result<(), WorkflowError> {
    let drafted = prepare_report_to_edit(case, actor)?;
    let base = drafted_base(&drafted, section);
    case.set_report_section_text(section, markdown, &base, SectionTextAction::Edited, actor)?;
    Ok(())
}

/// Keeps the examiner's text of a section after its drafted text changed, which resolves
/// the conflict.
pub fn confirm_section_text(case: &mut Case, section: SectionKind, actor: Option<&str>) -> Result<(), WorkflowError> {
    let current = case.report_section_texts()?.into_iter().find(|text| text.section == section);
    let Some(current) = current else {
        return Err(WorkflowError::NoSectionText { section: section.id() });
    };
    let drafted = prepare_report_to_edit(case, actor)?;
    let base = drafted_base(&drafted, section);
    case.set_report_section_text(section, &current.markdown, &base, SectionTextAction::Confirmed, actor)?;
    Ok(())
}

fn drafted_base(drafted: &DraftedReport, section: SectionKind) -> String {
    drafted
        .drafted_sections
        .iter()
        .find(|drafted| drafted.kind == section)
        .map(report::drafted_section_markdown)
        .unwrap_or_default()
}

/// Stores the examiner's text for one entry of the report, after checking that the report
/// has that entry.
pub fn set_examiner_entry(case: &mut Case, key: &str, value: &str, actor: Option<&str>) -> Result<(), WorkflowError> {
    let drafted = prepare_report_to_edit(case, actor)?;
    if !drafted.report.examiner_entries().iter().any(|entry| entry.key == key) {
        return Err(WorkflowError::UnknownEntry { key: key.to_string() });
    }
    case.set_report_entry(key, value, actor)?;
    Ok(())
}

/// Takes a review step. Approval needs every examiner entry filled, no section in
/// conflict and every chosen finding present (see [`DraftedReport::approval_blockers`]).
/// It stores the report as approved, which locks the revision.
pub fn review_report(
    case: &mut Case,
    action: ReviewAction,
    actor: Option<&str>,
    note: Option<&str>,
) -> Result<ReviewStatus, WorkflowError> {
    let submitted = case.review_status()?.state == crate::report::ReviewState::Submitted;
    if action == ReviewAction::Approve && submitted {
        let drafted = prepare_report(case, actor)?;
        let blockers = drafted.approval_blockers();
        if !blockers.is_empty() {
            return Err(WorkflowError::ApprovalBlocked { count: blockers.len(), items: blockers.join("; ") });
        }
        let content_json = serde_json::to_string(&drafted.report).map_err(WorkflowError::Json)?;
        let approved = ApprovedReport { revision: drafted.report.review.revision, content_json, basis: drafted.basis };
        return Ok(case.record_review_step(action, actor, note, Some(&approved))?);
    }
    Ok(case.record_review(action, actor, note)?)
}

/// Outcome of a cancelled export, as its error states it.
const CANCELLED_EXPORT: &str = "no report file was written";

/// Prepares the report for issuing, renders it in `format` and writes it to `output`,
/// reporting each part to `observer`. A cancellation before the file is written returns
/// [`CaseError::Cancelled`]. An evidence verification that finished before the
/// cancellation stays recorded.
pub fn export_report_observed(
    case: &mut Case,
    format: ReportFormat,
    output: &Path,
    actor: Option<&str>,
    observer: &mut dyn JobObserver,
) -> Result<(DraftedReport, u64), WorkflowError> {
    let cancelled = |case: &Case| CaseError::Cancelled {
        path: case.path().to_path_buf(),
        job: "report export",
        outcome: CANCELLED_EXPORT,
    };
    let drafted = prepare_report_for(case, actor, ReportPurpose::Issue, observer)?;
    if observer.is_cancelled() {
        return Err(cancelled(case).into());
    }
    observer.progress(JobPart::RenderingReport, 0, 1);
    let bytes = render_export(&drafted, format)?;
    if observer.is_cancelled() {
        return Err(cancelled(case).into());
    }
    observer.progress(JobPart::WritingReport, 0, 1);
    write_export(case, &bytes, output, format, actor)?;
    observer.progress(JobPart::WritingReport, 1, 1);
    Ok((drafted, bytes.len() as u64))
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
        log::warn!(
            "the export of {} is not recorded in the audit log: the case is read-only ({reason})",
            output.display()
        );
        return Ok(());
    }
    let sha256 = crate::case::hex_lower(&Sha256::digest(bytes));
    case.record_export(&output.display().to_string(), format.as_str(), &sha256, actor)?;
    Ok(())
}
