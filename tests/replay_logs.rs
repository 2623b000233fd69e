//! Replay logs analyzed end to end: late segments of finished connections are no scan, 15
//! blocked SYN probes from one source are one, and a PAN-OS THREAT record keeps its `alert`
//! action word in sight (`fixtures/README.md` gives their origin).

use std::net::IpAddr;
use std::path::Path;

use assert_cmd::cargo::cargo_bin_cmd;
use serde_json::Value;

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

/// Runs `scancase inspect FIXTURE --json` and returns its lines parsed.
fn inspect_json(relative: &str) -> Vec<Value> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(relative);
    let output = cargo_bin_cmd!("scancase").arg("inspect").arg(path).arg("--json").output().expect("run inspect");
    assert!(output.status.success(), "inspect failed: {}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8(output.stdout).expect("UTF-8 output");
    stdout.lines().map(|line| serde_json::from_str(line).unwrap_or_else(|error| panic!("{error}: {line}"))).collect()
}

#[test]
fn panos_threat_alert_stays_visible() {
    // The replay set's note: the THREAT line's action is `alert`, the TRAFFIC line's ports
    // are 51000 -> 443 with action `allow`, and the SYSTEM line is no traffic observation.
    let lines = inspect_json("fwlog/panos-csv/BR-15.log");
    let observations: Vec<&Value> = lines.iter().filter(|line| line.get("ts").is_some()).collect();
    assert_eq!(observations.len(), 2, "{lines:#?}");

    // `alert` is a detection that the threat profile did not block, so the normalised action
    // is "logged only", and the rule keeps the vendor's word.
    let threat = observations[0];
    assert_eq!(threat["locator"]["record"], 2);
    assert_eq!(threat["action"], "log");
    assert_eq!(threat["rule"], "URL-Catch-All DMZ -> Outside; THREAT url (9999) alert");
    assert_eq!((threat["sport"].as_u64(), threat["dport"].as_u64()), (Some(61066), Some(80)));

    let traffic = observations[1];
    assert_eq!(traffic["locator"]["record"], 3);
    assert_eq!(traffic["action"], "allow");
    assert_eq!((traffic["sport"].as_u64(), traffic["dport"].as_u64()), (Some(51000), Some(443)));

    let summary = &lines.last().expect("summary line")["summary"];
    assert_eq!(summary["records"], 3);
    assert_eq!(summary["skipped_by_reason"]["PAN-OS record other than TRAFFIC or THREAT"], 1);
    assert_eq!(summary["anomalies"], 0);
}
