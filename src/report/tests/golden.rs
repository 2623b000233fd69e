//! Golden files: the Markdown, report JSON, CSV, STIX and VERIS output of the sample case
//! are compared byte for byte with `fixtures/report/*.golden`.
//!
//! Run `UPDATE_GOLDEN=1 cargo test --lib report` to rewrite the files after an intended
//! change, then review the diff before committing it.

use std::path::PathBuf;

use super::*;

/// Builds the sample case: the SYN scan of eight ports with its probes and a TLP label.
pub(super) fn sample_input() -> ReportInput {
    let mut input = input_with(vec![scan_finding()]);
    input.classification = Some("TLP:AMBER".to_string());
    input.probe_points = probe_points();
    input
}

fn golden_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/report").join(name)
}

/// Compares `actual` with the golden file, or rewrites the file when `UPDATE_GOLDEN=1`.
fn check_golden(name: &str, actual: &str) {
    let path = golden_path(name);
    if std::env::var("UPDATE_GOLDEN").as_deref() == Ok("1") {
        std::fs::write(&path, actual).unwrap_or_else(|error| panic!("cannot write {}: {error}", path.display()));
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|error| {
        panic!("cannot read {}: {error}; run with UPDATE_GOLDEN=1 to create it", path.display())
    });
    if expected != actual {
        let line = expected.lines().zip(actual.lines()).position(|(e, a)| e != a).map_or_else(
            || format!("line counts differ ({} expected, {} actual)", expected.lines().count(), actual.lines().count()),
            |index| {
                let expected_line = expected.lines().nth(index).unwrap_or_default();
                let actual_line = actual.lines().nth(index).unwrap_or_default();
                format!(
                    "first difference at line {}:\n  expected: {expected_line}\n  actual:   {actual_line}",
                    index + 1
                )
            },
        );
        panic!("{name} differs from {}; {line}\nRun with UPDATE_GOLDEN=1 if the change is intended.", path.display());
    }
}

fn pretty(value: &impl serde::Serialize) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("JSON encoding");
    text.push('\n');
    text
}

#[test]
fn golden_markdown() {
    check_golden("sample.md.golden", &to_markdown(&draft(&sample_input())));
}

#[test]
fn golden_report_json() {
    check_golden("sample.json.golden", &pretty(&draft(&sample_input())));
}

#[test]
fn golden_csv() {
    check_golden("sample.csv.golden", &to_csv(&sample_input()).expect("CSV"));
}

#[test]
fn golden_stix() {
    check_golden("sample.stix.json.golden", &pretty(&to_stix(&sample_input())));
}

#[test]
fn golden_veris() {
    check_golden("sample.veris.json.golden", &pretty(&to_veris(&sample_input())));
}

#[test]
fn golden_empty_case_markdown() {
    check_golden("empty.md.golden", &to_markdown(&draft(&input_with(Vec::new()))));
}
