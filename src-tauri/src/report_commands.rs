//! The `#[tauri::command]` adapters of the report workspace: authoring, review, assembly,
//! withdrawals, exports in every format, and showing an exported file in its folder.
//!
//! Each command runs one step of [`crate::report_ops`] on a blocking thread, through the
//! same session lock as the other commands. A command that changes the report returns the
//! workspace drafted again, so the window always shows what the case now stores. Files to
//! attach and export paths are named by path; no file content crosses IPC.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Mutex;

use scancase::case::Case;
use tauri::ipc::Channel;
use tauri::State;

use crate::commands::{on_session, ChannelJob};
use crate::dto::JobProgress;
use crate::error::CommandError;
use crate::report_dto::{
    AttachRequest, EventRequest, ReportBlock, ReportExportFormat, ReportExportResult, ReportWorkspace, ReviewRequest,
    WithdrawRequest,
};
use crate::report_ops;
use crate::state::{lock, AppState, Session};

/// Files the report exports wrote in this run of the app: the only paths
/// [`show_in_folder`] reveals, so the window cannot open folders of its choosing.
#[derive(Default)]
pub struct ExportedFiles(Mutex<HashSet<PathBuf>>);

/// Runs `change` on the open case, then drafts the report again and returns the workspace.
fn change_then_workspace<F>(session: &mut Session, change: F) -> Result<ReportWorkspace, CommandError>
where
    F: FnOnce(&mut Case) -> Result<(), CommandError>,
{
    let case = session.case_mut()?;
    change(case)?;
    report_ops::workspace(case)
}

/// Drafts the report and returns the workspace.
#[tauri::command]
pub async fn report_workspace(state: State<'_, AppState>) -> Result<ReportWorkspace, CommandError> {
    on_session(&state, |session| change_then_workspace(session, |_| Ok(()))).await
}

/// Converts the examiner's Markdown into report blocks for the editor's preview.
#[tauri::command]
pub fn preview_section_text(markdown: String) -> Vec<ReportBlock> {
    report_ops::preview_markdown(&markdown)
}

/// Stores the examiner's Markdown for a narrative section.
#[tauri::command]
pub async fn save_section_text(
    state: State<'_, AppState>,
    section: String,
    markdown: String,
) -> Result<ReportWorkspace, CommandError> {
    log::info!("storing the examiner's text of section {section}");
    on_session(&state, move |session| {
        change_then_workspace(session, |case| report_ops::save_section_text(case, &section, &markdown))
    })
    .await
}

/// Keeps the examiner's text of a section whose drafted text changed.
#[tauri::command]
pub async fn confirm_section_text(
    state: State<'_, AppState>,
    section: String,
) -> Result<ReportWorkspace, CommandError> {
    log::info!("confirming the examiner's text of section {section}");
    on_session(&state, move |session| {
        change_then_workspace(session, |case| report_ops::confirm_section_text(case, &section))
    })
    .await
}

/// Stores the examiner's text for one examiner entry.
#[tauri::command]
pub async fn set_examiner_entry(
    state: State<'_, AppState>,
    key: String,
    value: String,
) -> Result<ReportWorkspace, CommandError> {
    log::info!("storing examiner entry {key}");
    on_session(&state, move |session| {
        change_then_workspace(session, |case| report_ops::set_examiner_entry(case, &key, &value))
    })
    .await
}

/// Submits, approves or reopens the report in the reviewer's name.
#[tauri::command]
pub async fn review_report(
    state: State<'_, AppState>,
    request: ReviewRequest,
) -> Result<ReportWorkspace, CommandError> {
    log::info!("review step {:?}", request.step);
    on_session(&state, move |session| change_then_workspace(session, |case| report_ops::review(case, &request))).await
}

/// Chooses the findings the report covers; `null` returns to every finding not suppressed.
#[tauri::command]
pub async fn choose_report_findings(
    state: State<'_, AppState>,
    findings: Option<Vec<String>>,
) -> Result<ReportWorkspace, CommandError> {
    on_session(&state, move |session| {
        change_then_workspace(session, |case| report_ops::choose_findings(case, findings.as_deref()))
    })
    .await
}

/// Adds a response event.
#[tauri::command]
pub async fn add_report_event(
    state: State<'_, AppState>,
    request: EventRequest,
) -> Result<ReportWorkspace, CommandError> {
    on_session(&state, move |session| {
        change_then_workspace(session, |case| {
            report_ops::add_event(case, &request).map(|id| log::info!("added event E{id}"))
        })
    })
    .await
}

/// Attaches a screenshot or statement that the back end reads from its path.
#[tauri::command]
pub async fn attach_report_file(
    state: State<'_, AppState>,
    request: AttachRequest,
) -> Result<ReportWorkspace, CommandError> {
    log::info!("attaching {}", request.path);
    on_session(&state, move |session| {
        change_then_workspace(session, |case| report_ops::attach(case, &request).map(|id| log::info!("attached A{id}")))
    })
    .await
}

/// Withdraws an event or attachment from the report; the case keeps it and the reason.
#[tauri::command]
pub async fn withdraw_report_item(
    state: State<'_, AppState>,
    request: WithdrawRequest,
) -> Result<ReportWorkspace, CommandError> {
    log::info!("withdrawing {:?} {}", request.kind, request.id);
    on_session(&state, move |session| change_then_workspace(session, |case| report_ops::withdraw(case, &request))).await
}

/// Exports the report in `format` to `path`, sending the progress to `on_progress`, and
/// remembers the file for [`show_in_folder`]. [`crate::commands::cancel_job`] with the same
/// `job_id` stops it before the file is written.
#[tauri::command]
pub async fn export_report_file(
    state: State<'_, AppState>,
    exported: State<'_, ExportedFiles>,
    format: ReportExportFormat,
    path: String,
    job_id: String,
    on_progress: Channel<JobProgress>,
) -> Result<ReportExportResult, CommandError> {
    log::info!("export {job_id}: the report as {format:?} to {path}");
    let output = PathBuf::from(&path);
    let written = output.clone();
    let mut job = ChannelJob::start(&state, job_id.clone(), on_progress)?;
    let result =
        on_session(&state, move |session| report_ops::export(session.case_mut()?, format, &output, &mut job)).await;
    ChannelJob::finish(&state, &job_id, &result);
    let result = result?;
    lock(&exported.0)?.insert(written);
    Ok(result)
}

/// Opens the system file manager on the folder of a file that a report export wrote.
#[tauri::command]
pub async fn show_in_folder(exported: State<'_, ExportedFiles>, path: String) -> Result<(), CommandError> {
    let file = PathBuf::from(&path);
    if !lock(&exported.0)?.contains(&file) {
        return Err(CommandError::InvalidInput {
            field: "exported file",
            problem: format!("{path} was not exported in this session; only exported reports can be shown"),
        });
    }
    tauri::async_runtime::spawn_blocking(move || tauri_plugin_opener::reveal_item_in_dir(&file))
        .await
        .map_err(|error| CommandError::Internal(format!("the background task failed: {error}")))?
        .map_err(|error| CommandError::Internal(format!("could not show {path} in its folder: {error}")))
}
