//! TypeScript declarations of the types the commands exchange with the front end.
//!
//! `ui/src/api/generated/` contains one file per type, written by ts-rs from the Rust types, so
//! the front end compiles against the shapes the commands really send. The test below writes
//! the declarations into a temporary folder and fails when a committed file differs or is
//! missing. After changing a type, rewrite the folder with
//!
//! ```sh
//! SCANCASE_WRITE_BINDINGS=1 cargo test -p scancase-app bindings
//! ```
//!
//! A new command type is added to [`export_all`]; the types it contains follow on their own.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use ts_rs::{Config, ExportError, TS};

use crate::dto::{
    AnalysisSummary, CaseSummary, EvidenceView, FindingsView, ImportOutcome, ImportProgress, ImportRequest, JobProgress,
};
use crate::error::CommandErrorPayload;
use crate::report_dto::{
    AttachRequest, EventRequest, ReportExportResult, ReportWorkspace, ReviewRequest, WithdrawRequest,
};
use crate::workspace_dto::{
    AllowlistView, CustodyRequest, EvidenceIntegrityView, NewCaseRequest, ProbeChartView, RecentCaseView,
    SettingsRequest, SettingsView, TimelineView,
};

/// Folder of the generated declarations, relative to this crate.
const GENERATED_DIR: &str = "../ui/src/api/generated";

/// Writes the declaration of every command type, and of the types they contain, into `dir`.
fn export_all(dir: &Path) -> Result<(), ExportError> {
    // Counts and sizes are u64 in Rust and plain numbers in the JSON that serde writes.
    // They stay far below 2^53, where a JavaScript number stops being exact.
    let config = Config::new().with_out_dir(dir).with_large_int("number");
    CaseSummary::export_all(&config)?;
    ImportRequest::export_all(&config)?;
    ImportProgress::export_all(&config)?;
    ImportOutcome::export_all(&config)?;
    EvidenceView::export_all(&config)?;
    AnalysisSummary::export_all(&config)?;
    FindingsView::export_all(&config)?;
    JobProgress::export_all(&config)?;
    CommandErrorPayload::export_all(&config)?;
    ReportWorkspace::export_all(&config)?;
    ReviewRequest::export_all(&config)?;
    EventRequest::export_all(&config)?;
    AttachRequest::export_all(&config)?;
    WithdrawRequest::export_all(&config)?;
    ReportExportResult::export_all(&config)?;
    NewCaseRequest::export_all(&config)?;
    RecentCaseView::export_all(&config)?;
    SettingsView::export_all(&config)?;
    SettingsRequest::export_all(&config)?;
    EvidenceIntegrityView::export_all(&config)?;
    CustodyRequest::export_all(&config)?;
    ProbeChartView::export_all(&config)?;
    AllowlistView::export_all(&config)?;
    TimelineView::export_all(&config)?;
    Ok(())
}

/// Reads every `.ts` file of `dir` by file name.
fn read_declarations(dir: &Path) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return files;
    };
    for entry in entries {
        let path = entry.expect("a readable folder entry").path();
        if path.extension().is_some_and(|extension| extension == "ts") {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let text = fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
            files.insert(name, text);
        }
    }
    files
}

fn generated_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(GENERATED_DIR)
}

#[test]
fn bindings_match_the_rust_types() {
    if std::env::var_os("SCANCASE_WRITE_BINDINGS").is_some() {
        let dir = generated_dir();
        for name in read_declarations(&dir).keys() {
            fs::remove_file(dir.join(name)).unwrap();
        }
        export_all(&dir).unwrap();
        return;
    }

    let fresh = tempfile::tempdir().unwrap();
    export_all(fresh.path()).unwrap();
    let expected = read_declarations(fresh.path());
    let committed = read_declarations(&generated_dir());
    let stale: Vec<&str> = expected
        .iter()
        .filter(|(name, text)| committed.get(*name) != Some(text))
        .map(|(name, _)| name.as_str())
        .collect();
    let extra: Vec<&str> = committed.keys().filter(|name| !expected.contains_key(*name)).map(String::as_str).collect();
    assert!(
        stale.is_empty(),
        "declarations in ui/src/api/generated differ from the Rust types: {stale:?}; \
         run SCANCASE_WRITE_BINDINGS=1 cargo test -p scancase-app bindings"
    );
    assert!(
        extra.is_empty(),
        "ui/src/api/generated has files no Rust type declares: {extra:?}; \
         run SCANCASE_WRITE_BINDINGS=1 cargo test -p scancase-app bindings"
    );
}
