//! Build script: generates the Tauri context and the permissions of the app's own commands.
//!
//! Listing the commands here makes Tauri generate an `allow-*` permission for each one, so a
//! capability must grant a command before the window can call it.

fn main() {
    let commands = tauri_build::AppManifest::new().commands(&[
        "create_case",
        "open_case",
        "close_case",
        "case_summary",
        "import_evidence",
        "cancel_job",
        "list_evidence",
        "analyze_case",
        "list_findings",
        "report_workspace",
        "preview_section_text",
        "save_section_text",
        "confirm_section_text",
        "set_examiner_entry",
        "review_report",
        "choose_report_findings",
        "add_report_event",
        "attach_report_file",
        "withdraw_report_item",
        "export_report_file",
        "show_in_folder",
        "create_case_with_settings",
        "open_case_and_remember",
        "list_recent_cases",
        "forget_recent_case",
        "case_settings",
        "update_case_settings",
        "evidence_integrity",
        "add_custody_entry",
        "verify_evidence",
        "finding_probe_chart",
        "list_allowlist",
        "allow_source",
        "disallow_source",
        "case_timeline",
    ]);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(commands))
        .expect("the Tauri build step failed; check tauri.conf.json and capabilities/");
}
