//! The analysis measured against the labelled fixtures: every labelled scan found with its
//! technique, and no other finding.

use std::path::Path;

use scancase::analysis::Parameters;
use scancase::evaluation::{evaluate, Totals};
use scancase::model::Technique;

#[test]
fn fixtures_meet_accuracy_targets() {
    let labels = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/labels.json");
    let results = evaluate(&labels, &Parameters::default()).expect("evaluation runs");
    assert!(results.len() >= 20, "{} files evaluated", results.len());

    for result in &results {
        assert!(result.findings.is_ok(), "{}: {:?}", result.file, result.findings);
        if result.attacker.is_some() {
            assert!(result.found(), "{}: labelled scan missed", result.file);
        }
        assert_eq!(result.false_positives(), 0, "{}: findings for other sources", result.file);
        assert_ne!(result.technique_right(), Some(false), "{}: wrong technique", result.file);
    }

    let totals = Totals::of(&results);
    assert_eq!(totals.found, totals.scans);
    assert_eq!(totals.false_positives, 0);
    assert_eq!(totals.technique_right, totals.technique_checked);
}

#[test]
fn slow_scans_found_without_window() {
    let labels = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/labels.json");
    let results = evaluate(&labels, &Parameters::default()).expect("evaluation runs");
    let stretched = results
        .iter()
        .find(|result| result.file == "capture/derived_stretched_sS_8ports_vic1_hours.pcap")
        .expect("the stretched capture is labelled");
    let finding = stretched.attacker_finding().expect("the 13-hour scan is found");
    let hours = (finding.last_seen_ns - finding.first_seen_ns) as f64 / 3.6e12;
    assert!(hours > 13.0, "the finding spans {hours} h");
    assert_eq!(finding.ports.len(), 8);
}

#[test]
fn public_samples_meet_ground_truth() {
    let labels = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/samples/labels.json");
    let results = evaluate(&labels, &Parameters::default()).expect("evaluation runs");
    assert!(results.len() >= 40, "{} files evaluated", results.len());

    for result in &results {
        assert!(result.findings.is_ok(), "{}: {:?}", result.file, result.findings);
        if result.attacker.is_some() {
            assert!(result.found(), "{}: labelled scan missed", result.file);
        }
        assert_eq!(result.false_positives(), 0, "{}: findings for other sources", result.file);
        assert_ne!(result.technique_right(), Some(false), "{}: wrong technique", result.file);
    }

    let totals = Totals::of(&results);
    assert_eq!(totals.found, totals.scans);
    assert_eq!(totals.false_positives, 0);
    assert!(totals.scans >= 20, "{} labelled scans", totals.scans);
    assert_eq!(totals.technique_right, totals.technique_checked);
}

#[test]
fn logged_connect_scan_without_options() {
    // psad's nmap connect scan over IPv6, logged without TCP options: the header length,
    // source ports and window name it.
    let labels = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/samples/labels.json");
    let results = evaluate(&labels, &Parameters::default()).expect("evaluation runs");
    let result = results
        .iter()
        .find(|result| result.file == "fwlog/psad/ipv6_tcp_connect_nmap_default_scan")
        .expect("the connect-scan log is labelled");
    let finding = result.attacker_finding().expect("the connect scan is found");
    assert_eq!(finding.technique, Technique::TcpConnect);
}
