//! Fuzz target: opening a case file and reading what the commands read first.
//!
//! The input is written to a new temporary file, which is opened read-only and then read and
//! write (which applies migrations). Every step must end in a value or a `CaseError`, never a
//! panic. The seed corpus contains case files made by `scancase`, so mutations reach past the
//! SQLite header and the `application_id` check into the schema and the stored rows.

#![no_main]

use std::io::Write;

use libfuzzer_sys::fuzz_target;
use scancase::case::{Case, OpenMode};

fuzz_target!(|data: &[u8]| {
    let dir = tempfile::tempdir().expect("creating a temporary folder failed");
    let path = dir.path().join("fuzz.scase");
    let mut file = std::fs::File::create(&path).expect("creating the case file failed");
    file.write_all(data).expect("writing the case file failed");
    drop(file);

    if let Ok(case) = Case::open_with(&path, OpenMode::ReadOnly) {
        read_case(&case);
    }
    if let Ok(case) = Case::open_with(&path, OpenMode::ReadWrite) {
        read_case(&case);
    }
});

/// Reads the case metadata, evidence, contacts, findings and audit log, which the `findings`,
/// `report` and `audit` commands and the desktop app read after opening a case.
fn read_case(case: &Case) {
    let _ = case.info();
    let _ = case.evidence();
    let _ = case.contacts();
    let _ = case.probe_times();
    let _ = case.latest_analysis();
    let _ = case.audit_log();
}
