//! The `#[tauri::command]` adapters the window calls.
//!
//! Each command parses its arguments, runs one step of [`crate::ops`] on a blocking thread
//! (so the window stays responsive while SQLite or an import works) and returns a response
//! type of [`crate::dto`] or a [`CommandError`]. Evidence is named by path; no evidence bytes
//! cross IPC.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use scancase::case::Case;
use scancase::import::{ImportObserver, ImportPhase};
use tauri::ipc::Channel;
use tauri::State;

use crate::dto::{
    AnalysisSummary, CaseSummary, EvidenceView, ExportFormat, ExportResult, FindingsView, ImportOutcome,
    ImportProgress, ImportRequest, ReportView,
};
use crate::error::CommandError;
use crate::ops;
use crate::state::{lock, AppState, Session};

/// Runs `step` on the session on a blocking thread.
pub(crate) async fn on_session<T, F>(state: &AppState, step: F) -> Result<T, CommandError>
where
    T: Send + 'static,
    F: FnOnce(&mut Session) -> Result<T, CommandError> + Send + 'static,
{
    let session: Arc<Mutex<Session>> = state.session();
    tauri::async_runtime::spawn_blocking(move || {
        let mut guard = lock(&session)?;
        step(&mut guard)
    })
    .await
    .map_err(|error| CommandError::Internal(format!("the background task failed: {error}")))?
}

/// Replaces the open case with `case` and returns its summary.
pub(crate) fn replace_case(session: &mut Session, case: Case) -> Result<CaseSummary, CommandError> {
    let summary = ops::summary(&case)?;
    session.case = Some(case);
    session.report = None;
    Ok(summary)
}

/// Creates a case file and opens it.
#[tauri::command]
pub async fn create_case(
    state: State<'_, AppState>,
    path: String,
    name: String,
    examiner: Option<String>,
) -> Result<CaseSummary, CommandError> {
    log::info!("creating case {path}");
    on_session(&state, move |session| {
        let case = ops::create_case(&PathBuf::from(&path), &name, examiner.as_deref())?;
        replace_case(session, case)
    })
    .await
}

/// Opens an existing case file.
#[tauri::command]
pub async fn open_case(state: State<'_, AppState>, path: String) -> Result<CaseSummary, CommandError> {
    log::info!("opening case {path}");
    on_session(&state, move |session| replace_case(session, Case::open(&PathBuf::from(&path))?)).await
}

/// Closes the open case, if any.
#[tauri::command]
pub async fn close_case(state: State<'_, AppState>) -> Result<(), CommandError> {
    on_session(&state, |session| {
        session.case = None;
        session.report = None;
        Ok(())
    })
    .await
}

/// Returns the summary of the open case, or `null` when none is open.
#[tauri::command]
pub async fn case_summary(state: State<'_, AppState>) -> Result<Option<CaseSummary>, CommandError> {
    on_session(&state, |session| session.case.as_ref().map(ops::summary).transpose()).await
}

/// Sends import progress over the command's channel and reads the job's cancellation flag.
struct ChannelObserver {
    job_id: String,
    channel: Channel<ImportProgress>,
    cancelled: Arc<AtomicBool>,
}

impl ImportObserver for ChannelObserver {
    fn progress(&mut self, phase: ImportPhase, bytes_done: u64, bytes_total: u64) {
        let phase = match phase {
            ImportPhase::Reading => "reading",
        };
        let report = ImportProgress { job_id: self.job_id.clone(), phase, bytes_done, bytes_total };
        if let Err(error) = self.channel.send(report) {
            log::debug!("import {}: progress not delivered: {error}", self.job_id);
        }
    }

    fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }
}

/// Imports one evidence file by path and sends its progress to `on_progress`.
///
/// [`cancel_import`] with the same `job_id` stops the import, and nothing of the file stays in
/// the case.
#[tauri::command]
pub async fn import_evidence(
    state: State<'_, AppState>,
    path: String,
    options: ImportRequest,
    job_id: String,
    on_progress: Channel<ImportProgress>,
) -> Result<ImportOutcome, CommandError> {
    log::info!("import {job_id}: {path}");
    let cancelled = state.start_job(&job_id)?;
    let mut observer = ChannelObserver { job_id: job_id.clone(), channel: on_progress, cancelled };
    let result = on_session(&state, move |session| {
        let case = session.case_mut()?;
        let outcome = ops::import_evidence(case, &PathBuf::from(&path), &options, &mut observer)?;
        session.report = None;
        Ok(outcome)
    })
    .await;
    state.finish_job(&job_id);
    if let Err(error) = &result {
        log::warn!("import {job_id} failed: {}", error.full_message());
    }
    result
}

/// Asks a running import to stop; returns false when the job is not running.
#[tauri::command]
pub fn cancel_import(state: State<'_, AppState>, job_id: String) -> Result<bool, CommandError> {
    log::info!("import {job_id}: cancel requested");
    state.cancel_job(&job_id)
}

/// Lists the evidence files of the open case.
#[tauri::command]
pub async fn list_evidence(state: State<'_, AppState>) -> Result<Vec<EvidenceView>, CommandError> {
    on_session(&state, |session| ops::list_evidence(session.case_mut()?)).await
}

/// Analyzes the evidence of the open case.
// NOTE: unlike import, the analysis sends no progress events and cannot be cancelled.
#[tauri::command]
pub async fn analyze_case(state: State<'_, AppState>) -> Result<AnalysisSummary, CommandError> {
    on_session(&state, |session| {
        let summary = ops::analyze(session.case_mut()?)?;
        session.report = None;
        log::info!("analysis: {} contacts, {} findings", summary.contacts, summary.findings);
        Ok(summary)
    })
    .await
}

/// Lists the findings of the latest analysis.
#[tauri::command]
pub async fn list_findings(state: State<'_, AppState>) -> Result<FindingsView, CommandError> {
    on_session(&state, |session| ops::list_findings(session.case_mut()?)).await
}

/// Drafts the report from the latest analysis and keeps it for export.
// NOTE: the Report view uses report_commands instead; this command and export_report, with
// ReportView, BlockView, ExportFormat and ExportResult in dto.rs, repeat it and can be removed.
#[tauri::command]
pub async fn draft_report(state: State<'_, AppState>) -> Result<ReportView, CommandError> {
    on_session(&state, |session| {
        let report = ops::draft_report(session.case_mut()?)?;
        let view = ReportView::from(&report);
        session.report = Some(report);
        Ok(view)
    })
    .await
}

/// Writes the drafted report (drafting it first when needed) to `path`.
#[tauri::command]
pub async fn export_report(
    state: State<'_, AppState>,
    format: ExportFormat,
    path: String,
) -> Result<ExportResult, CommandError> {
    log::info!("exporting the report as {format:?} to {path}");
    on_session(&state, move |session| {
        let case = session.case.as_mut().ok_or(CommandError::NoCaseOpen)?;
        let report = match session.report.take() {
            Some(report) => report,
            None => ops::draft_report(case)?,
        };
        let result = ops::export_report(case, &report, format, &PathBuf::from(&path));
        session.report = Some(report);
        result
    })
    .await
}
