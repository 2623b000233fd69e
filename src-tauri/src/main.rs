//! scancase desktop app: a Tauri 2 window over the scancase library.
//!
//! The shell owns the window, the commands it may call ([`commands`]) and the state kept
//! between them ([`state`]). All forensic work (import, case file, analysis, report) is done
//! by the `scancase` library through [`ops`]; the shell adds no logic of its own. The window
//! may call only the commands listed in `capabilities/main.json` and the dialog plugin's open
//! and save dialogs.

// Release builds on Windows would otherwise open a console window next to the app.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

#[cfg(test)]
mod bindings;
mod commands;
mod dto;
mod error;
mod logging;
mod ops;
mod recent_cases;
mod report_commands;
mod report_dto;
mod report_ops;
mod state;
mod workspace_commands;
mod workspace_dto;
mod workspace_ops;

use std::process::ExitCode;

fn main() -> ExitCode {
    let result = tauri::Builder::default()
        .plugin(logging::plugin())
        .plugin(tauri_plugin_dialog::init())
        .manage(state::AppState::default())
        .manage(report_commands::ExportedFiles::default())
        .invoke_handler(tauri::generate_handler![
            commands::create_case,
            commands::open_case,
            commands::close_case,
            commands::case_summary,
            commands::import_evidence,
            commands::cancel_job,
            commands::list_evidence,
            commands::analyze_case,
            commands::list_findings,
            report_commands::report_workspace,
            report_commands::preview_section_text,
            report_commands::save_section_text,
            report_commands::confirm_section_text,
            report_commands::set_examiner_entry,
            report_commands::review_report,
            report_commands::choose_report_findings,
            report_commands::add_report_event,
            report_commands::attach_report_file,
            report_commands::withdraw_report_item,
            report_commands::export_report_file,
            report_commands::show_in_folder,
            workspace_commands::create_case_with_settings,
            workspace_commands::open_case_and_remember,
            workspace_commands::list_recent_cases,
            workspace_commands::forget_recent_case,
            workspace_commands::case_settings,
            workspace_commands::update_case_settings,
            workspace_commands::evidence_integrity,
            workspace_commands::add_custody_entry,
            workspace_commands::verify_evidence,
            workspace_commands::finding_probe_chart,
            workspace_commands::list_allowlist,
            workspace_commands::allow_source,
            workspace_commands::disallow_source,
            workspace_commands::case_timeline,
        ])
        .run(tauri::generate_context!());
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            log::error!("the app stopped with an error: {error}");
            ExitCode::FAILURE
        }
    }
}
