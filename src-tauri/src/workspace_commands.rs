//! The `#[tauri::command]` adapters of the investigator's workspace: the new-case form and
//! recent cases, case settings, chain of custody and verification, a finding's probe chart,
//! the allowlist and the timeline.
//!
//! Each command runs one step of [`crate::workspace_ops`] on a blocking thread, so the window
//! stays responsive while SQLite works or evidence is re-hashed, and returns a type of
//! [`crate::workspace_dto`] or a [`CommandError`]. The recent-cases list lives in the app's
//! config folder, which the back end finds with Tauri's path resolver.

use std::path::{Path, PathBuf};

use scancase::case::{now_ns, Case};
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager, State};

use crate::commands::{on_session, replace_case, ChannelJob};
use crate::dto::{CaseSummary, JobProgress};
use crate::error::CommandError;
use crate::recent_cases::{self, RecentCases};
use crate::state::AppState;
use crate::workspace_dto::{
    AllowlistView, CustodyRequest, EvidenceIntegrityView, NewCaseRequest, ProbeChartView, RecentCaseView,
    SettingsRequest, SettingsView, TimelineView,
};
use crate::workspace_ops;

/// Returns the path of the recent-cases list in the app's config folder.
fn recent_list_file(app: &AppHandle) -> Result<PathBuf, CommandError> {
    let folder = app
        .path()
        .app_config_dir()
        .map_err(|error| CommandError::Internal(format!("the app's config folder is unknown: {error}")))?;
    Ok(recent_cases::list_file(&folder))
}

/// Puts the case at the top of the recent-cases list. A failure to save the list is logged,
/// because the case itself is open.
fn remember(list_file: &Path, summary: &CaseSummary) {
    let mut list = RecentCases::load(list_file);
    list.add(&summary.path, &summary.name, now_ns());
    if let Err(error) = list.save(list_file) {
        log::warn!("{}", error.full_message());
    }
}

/// Creates a case with the new-case form's settings, opens it and adds it to the recent cases.
#[tauri::command]
pub async fn create_case_with_settings(
    app: AppHandle,
    state: State<'_, AppState>,
    request: NewCaseRequest,
) -> Result<CaseSummary, CommandError> {
    log::info!("creating case {}", request.path);
    let list_file = recent_list_file(&app)?;
    on_session(&state, move |session| {
        let summary = replace_case(session, workspace_ops::create_case_with_settings(&request)?)?;
        remember(&list_file, &summary);
        Ok(summary)
    })
    .await
}

/// Opens a case file and adds it to the recent cases.
#[tauri::command]
pub async fn open_case_and_remember(
    app: AppHandle,
    state: State<'_, AppState>,
    path: String,
) -> Result<CaseSummary, CommandError> {
    log::info!("opening case {path}");
    let list_file = recent_list_file(&app)?;
    on_session(&state, move |session| {
        let summary = replace_case(session, Case::open(Path::new(path.trim()))?)?;
        remember(&list_file, &summary);
        Ok(summary)
    })
    .await
}

/// Lists the recent cases, newest first, each marked missing when its file is gone.
#[tauri::command]
pub async fn list_recent_cases(app: AppHandle) -> Result<Vec<RecentCaseView>, CommandError> {
    let list_file = recent_list_file(&app)?;
    tauri::async_runtime::spawn_blocking(move || RecentCases::load(&list_file).views())
        .await
        .map_err(|error| CommandError::Internal(format!("the background task failed: {error}")))
}

/// Removes a case from the recent cases; the case file is not touched.
#[tauri::command]
pub async fn forget_recent_case(app: AppHandle, path: String) -> Result<Vec<RecentCaseView>, CommandError> {
    let list_file = recent_list_file(&app)?;
    tauri::async_runtime::spawn_blocking(move || {
        let mut list = RecentCases::load(&list_file);
        if list.remove(&path) {
            list.save(&list_file)?;
        }
        Ok(list.views())
    })
    .await
    .map_err(|error| CommandError::Internal(format!("the background task failed: {error}")))?
}

/// Reads the case settings.
#[tauri::command]
pub async fn case_settings(state: State<'_, AppState>) -> Result<SettingsView, CommandError> {
    on_session(&state, |session| workspace_ops::settings_view(session.case_mut()?)).await
}

/// Saves the settings form; only changed settings are written and audited.
#[tauri::command]
pub async fn update_case_settings(
    state: State<'_, AppState>,
    request: SettingsRequest,
) -> Result<SettingsView, CommandError> {
    on_session(&state, move |session| workspace_ops::update_settings(session.case_mut()?, &request)).await
}

/// Lists the chain of custody and the latest verification of every evidence file.
#[tauri::command]
pub async fn evidence_integrity(state: State<'_, AppState>) -> Result<Vec<EvidenceIntegrityView>, CommandError> {
    on_session(&state, |session| workspace_ops::integrity(session.case_mut()?)).await
}

/// Records a chain-of-custody entry for one evidence file.
#[tauri::command]
pub async fn add_custody_entry(
    state: State<'_, AppState>,
    evidence_id: i64,
    entry: CustodyRequest,
) -> Result<Vec<EvidenceIntegrityView>, CommandError> {
    on_session(&state, move |session| workspace_ops::add_custody(session.case_mut()?, evidence_id, &entry)).await
}

/// Re-hashes every evidence file on a blocking thread, sending the bytes hashed to
/// `on_progress`, and returns the new state. [`crate::commands::cancel_job`] with the same
/// `job_id` stops it, and no result is stored.
#[tauri::command]
pub async fn verify_evidence(
    state: State<'_, AppState>,
    job_id: String,
    on_progress: Channel<JobProgress>,
) -> Result<Vec<EvidenceIntegrityView>, CommandError> {
    log::info!("verification {job_id}: started");
    let mut job = ChannelJob::start(&state, job_id.clone(), on_progress)?;
    let result = on_session(&state, move |session| workspace_ops::verify(session.case_mut()?, &mut job)).await;
    ChannelJob::finish(&state, &job_id, &result);
    result
}

/// Returns the probes of one finding for its chart.
#[tauri::command]
pub async fn finding_probe_chart(
    state: State<'_, AppState>,
    finding_id: String,
) -> Result<ProbeChartView, CommandError> {
    on_session(&state, move |session| workspace_ops::probe_chart(session.case_mut()?, &finding_id)).await
}

/// Lists the allowlist.
#[tauri::command]
pub async fn list_allowlist(state: State<'_, AppState>) -> Result<Vec<AllowlistView>, CommandError> {
    on_session(&state, |session| workspace_ops::allowlist(session.case_mut()?)).await
}

/// Adds a source network to the allowlist with a reason.
#[tauri::command]
pub async fn allow_source(
    state: State<'_, AppState>,
    network: String,
    reason: String,
) -> Result<Vec<AllowlistView>, CommandError> {
    on_session(&state, move |session| workspace_ops::allow(session.case_mut()?, &network, &reason)).await
}

/// Removes a source network from the allowlist.
#[tauri::command]
pub async fn disallow_source(state: State<'_, AppState>, network: String) -> Result<Vec<AllowlistView>, CommandError> {
    on_session(&state, move |session| workspace_ops::disallow(session.case_mut()?, &network)).await
}

/// Lists the findings and the examiner's response events in time order.
#[tauri::command]
pub async fn case_timeline(state: State<'_, AppState>) -> Result<TimelineView, CommandError> {
    on_session(&state, |session| workspace_ops::timeline(session.case_mut()?)).await
}
