//! Scans in Zeek conn.log and Suricata eve.json flow events, analyzed as the capture they
//! were derived from (`fixtures/fwlog/zeek-conn/make_sensor_logs.py`). A connection record
//! carries the responder's reply, so the findings must show the same open ports, the same
//! outcome counts and the same technique as the capture's findings.

use std::path::Path;

use scancase::analysis::{analyze_case, Parameters};
use scancase::case::Case;
use scancase::import::{import_file, ImportOptions, NoProgress};
use scancase::model::Finding;

/// Imports one fixture into a new case and returns the findings of its analysis.
fn findings_of(relative: &str) -> Vec<Finding> {
    let dir = tempfile::tempdir().expect("temporary folder");
    let case_path = dir.path().join("c.scancase");
    let mut case = Case::create(&case_path, "sensor outcomes", None).expect("create case");
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(relative);
    import_file(&mut case, &path, &ImportOptions::default(), &mut NoProgress).expect("import fixture");
    analyze_case(&mut case, &Parameters::default(), None).expect("analyze").findings
}

fn sensor_logs(name: &str) -> [String; 2] {
    [format!("fwlog/zeek-conn/derived_{name}.conn.log"), format!("fwlog/suricata-eve/derived_{name}.eve.json")]
}

#[test]
fn sensor_scan_findings_match_capture() {
    for name in ["scan_nmap_sS_8ports_vic1", "scan_nmap_sT_vic1"] {
        let expected = findings_of(&format!("capture/{name}.pcap"));
        assert_eq!(expected.len(), 1, "{name}: {expected:#?}");
        let expected = &expected[0];
        assert!(!expected.open_ports.is_empty(), "{name}: the capture shows open ports");
        for log in sensor_logs(name) {
            let findings = findings_of(&log);
            assert_eq!(findings.len(), 1, "{log}: {findings:#?}");
            let finding = &findings[0];
            assert_eq!(finding.sources, expected.sources, "{log}");
            assert_eq!(finding.technique, expected.technique, "{log}");
            let ports = |f: &Finding| f.open_ports.iter().map(|open| open.port).collect::<Vec<_>>();
            assert_eq!(ports(finding), ports(expected), "{log}");
            assert_eq!(finding.outcomes, expected.outcomes, "{log}");
            assert!(
                finding.confidence.explanation.contains(&format!("{} succeeded", expected.outcomes.open)),
                "{log}: {}",
                finding.confidence.explanation
            );
        }
    }
}

#[test]
fn sensor_benign_traffic_no_finding() {
    let name = "benign_mixed_services_vic1_first2000";
    assert!(findings_of(&format!("capture/{name}.pcap")).is_empty());
    for log in sensor_logs(name) {
        let findings = findings_of(&log);
        assert!(findings.is_empty(), "{log}: {findings:#?}");
    }
}
