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
use scancase::job::{JobObserver, JobPart};
use tauri::ipc::Channel;
use tauri::State;

use crate::dto::{
    AnalysisSummary, CaseSummary, EvidenceView, FindingsView, ImportOutcome, ImportProgress, ImportRequest, JobProgress,
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
/// [`cancel_job`] with the same `job_id` stops the import, and nothing of the file stays in
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
        ops::import_evidence(case, &PathBuf::from(&path), &options, &mut observer)
    })
    .await;
    state.finish_job(&job_id);
    if let Err(error) = &result {
        log::warn!("import {job_id} failed: {}", error.full_message());
    }
    result
}

/// Asks a running import, analysis, verification or export to stop; returns false when the
/// job is not running (it may have finished already).
#[tauri::command]
pub fn cancel_job(state: State<'_, AppState>, job_id: String) -> Result<bool, CommandError> {
    log::info!("job {job_id}: cancel requested");
    state.cancel_job(&job_id)
}

/// Lists the evidence files of the open case.
#[tauri::command]
pub async fn list_evidence(state: State<'_, AppState>) -> Result<Vec<EvidenceView>, CommandError> {
    on_session(&state, |session| ops::list_evidence(session.case_mut()?)).await
}

/// Sends the progress of an analysis, verification or export over the command's channel
/// and reads the job's cancellation flag.
pub(crate) struct ChannelJob {
    job_id: String,
    channel: Channel<JobProgress>,
    cancelled: Arc<AtomicBool>,
}

impl ChannelJob {
    /// Registers `job_id` for [`cancel_job`] and returns the observer that reports to
    /// `channel`. [`ChannelJob::finish`] removes the job again.
    pub(crate) fn start(state: &AppState, job_id: String, channel: Channel<JobProgress>) -> Result<Self, CommandError> {
        let cancelled = state.start_job(&job_id)?;
        Ok(Self { job_id, channel, cancelled })
    }

    /// Removes the job from the running ones and logs its failure, if it failed.
    pub(crate) fn finish<T>(state: &AppState, job_id: &str, result: &Result<T, CommandError>) {
        state.finish_job(job_id);
        if let Err(error) = result {
            log::warn!("job {job_id} failed: {}", error.full_message());
        }
    }
}

impl JobObserver for ChannelJob {
    fn progress(&mut self, part: JobPart, done: u64, total: u64) {
        let report = JobProgress { job_id: self.job_id.clone(), part: part.as_str(), done, total };
        if let Err(error) = self.channel.send(report) {
            log::debug!("job {}: progress not delivered: {error}", self.job_id);
        }
    }

    fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }
}

/// Analyzes the evidence of the open case, sending its progress to `on_progress`.
/// [`cancel_job`] with the same `job_id` stops it before the findings are stored, and the
/// case keeps the findings of the previous analysis.
#[tauri::command]
pub async fn analyze_case(
    state: State<'_, AppState>,
    job_id: String,
    on_progress: Channel<JobProgress>,
) -> Result<AnalysisSummary, CommandError> {
    log::info!("analysis {job_id}: started");
    let mut job = ChannelJob::start(&state, job_id.clone(), on_progress)?;
    let result = on_session(&state, move |session| ops::analyze_observed(session.case_mut()?, &mut job)).await;
    if let Ok(summary) = &result {
        log::info!("analysis {job_id}: {} contacts, {} findings", summary.contacts, summary.findings);
    }
    ChannelJob::finish(&state, &job_id, &result);
    result
}

/// Lists the findings of the latest analysis.
#[tauri::command]
pub async fn list_findings(state: State<'_, AppState>) -> Result<FindingsView, CommandError> {
    on_session(&state, |session| ops::list_findings(session.case_mut()?)).await
}
