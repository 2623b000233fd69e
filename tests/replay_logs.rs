//! Replay logs analyzed end to end: late segments of finished connections are no scan, and
//! 15 blocked SYN probes from one source are one (`fixtures/README.md` gives their origin).

use std::net::IpAddr;
use std::path::Path;

use scancase::analysis::{analyze_case, Parameters};
use scancase::case::Case;
use scancase::import::{import_file, ImportOptions, NoProgress};
use scancase::model::Finding;

/// Imports one fixture into a new case and returns the findings of its analysis.
fn findings_of(relative: &str) -> Vec<Finding> {
    let dir = tempfile::tempdir().expect("temporary folder");
    let case_path = dir.path().join("c.scancase");
    let mut case = Case::create(&case_path, "replay logs", None).expect("create case");
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(relative);
    import_file(&mut case, &path, &ImportOptions::default(), &mut NoProgress).expect("import fixture");
    analyze_case(&mut case, &Parameters::default(), None).expect("analyze").findings
}

#[test]
fn late_segments_give_no_finding() {
    let findings = findings_of("fwlog/BR-21.log");
    assert!(findings.is_empty(), "{findings:#?}");
}

#[test]
fn blocked_syn_probes_give_one_finding() {
    let findings = findings_of("fwlog/BR-21b.log");
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let scanner: IpAddr = "203.0.113.66".parse().expect("address");
    assert_eq!(findings[0].sources, [scanner]);
    assert_eq!(findings[0].ports.len(), 15, "{:?}", findings[0].ports);
}
