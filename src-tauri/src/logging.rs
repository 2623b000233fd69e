//! Where the app's log records go: standard output and `scancase.log` in the app's log folder
//! (on Linux `~/.local/share/org.scancase.app/logs/`), through the `log` facade.
//!
//! The log records what the app did and what failed, for support. The case's audit log, not this
//! file, is the record of the examiner's actions on the evidence.

use log::LevelFilter;
use tauri::plugin::TauriPlugin;
use tauri::Runtime;
use tauri_plugin_log::{RotationStrategy, Target, TargetKind};

/// Size at which the log file is rotated, in bytes.
pub const MAX_LOG_FILE_BYTES: u128 = 4 * 1024 * 1024;

/// Rotated log files kept beside the current one.
pub const ROTATED_LOG_FILES_KEPT: usize = 4;

/// Returns the logging plugin. `RUST_LOG=debug` (or another level name) raises or lowers the
/// level, which is `info` by default.
pub fn plugin<R: Runtime>() -> TauriPlugin<R> {
    let level =
        std::env::var("RUST_LOG").ok().and_then(|value| value.parse::<LevelFilter>().ok()).unwrap_or(LevelFilter::Info);
    tauri_plugin_log::Builder::new()
        .clear_targets()
        .targets([
            Target::new(TargetKind::Stdout),
            Target::new(TargetKind::LogDir { file_name: Some("scancase".to_string()) }),
        ])
        .level(level)
        .max_file_size(MAX_LOG_FILE_BYTES)
        .rotation_strategy(RotationStrategy::KeepSome(ROTATED_LOG_FILES_KEPT))
        .build()
}
