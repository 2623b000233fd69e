//! The techniques and extra activity that need more than a probe's flags: protocol, window
//! and SCTP INIT scans, OS detection and version probing. Each test analyzes a real capture
//! or firewall log from `fixtures/` and checks the finding against what the scanning tool
//! itself reported (its output is quoted in `fixtures/README.md`).

use std::net::IpAddr;
use std::path::Path;

use scancase::analysis::{analyze_case, Parameters};
use scancase::case::Case;
use scancase::import::{import_file, ImportOptions, NoProgress};
use scancase::model::{ExtraActivityKind, Finding, ScanKind, Technique};

/// Imports one fixture into a new case and returns the findings of its analysis.
fn findings_of(relative: &str) -> Vec<Finding> {
    let dir = tempfile::tempdir().expect("temporary folder");
    let case_path = dir.path().join("c.scancase");
    let mut case = Case::create(&case_path, "techniques", None).expect("create case");
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(relative);
    import_file(&mut case, &path, &ImportOptions::default(), &mut NoProgress).expect("import fixture");
    analyze_case(&mut case, &Parameters::default(), None).expect("analyze").findings
}

/// Returns the only finding, failing with the list when there is not exactly one.
fn only_finding(relative: &str) -> Finding {
    let findings = findings_of(relative);
    assert_eq!(findings.len(), 1, "{relative}: {findings:#?}");
    findings.into_iter().next().expect("one finding")
}

fn ip(text: &str) -> IpAddr {
    text.parse().expect("address")
}

#[test]
fn protocol_scan_capture_keeps_numbers() {
    let finding = only_finding("capture/scan_nmap_sO_linux.pcap");
    assert_eq!(finding.technique, Technique::IpProtocol);
    assert_eq!(finding.kind, ScanKind::Vertical);
    assert_eq!(finding.sources, [ip("10.97.0.1")]);
    assert!(finding.ports.is_empty(), "{:?}", finding.ports);
    // nmap reported 245 protocols closed by protocol-unreachable and 11 others; TCP, UDP,
    // ICMP and SCTP probes are contacts of their own techniques.
    assert!(finding.ip_protocols.len() >= 240, "{} protocols", finding.ip_protocols.len());
    for number in [2, 16, 73, 121, 136, 178, 211, 255] {
        assert!(finding.ip_protocols.contains(&number), "protocol {number} missing");
    }
    for number in [1, 6, 17, 132] {
        assert!(!finding.ip_protocols.contains(&number), "protocol {number} has its own technique");
    }
    assert!(finding.outcomes.closed >= 240, "{:?}", finding.outcomes);
}

#[test]
fn protocol_scan_log_matches_psad() {
    let finding = only_finding("samples/fwlog/psad/proto_scan");
    assert_eq!(finding.technique, Technique::IpProtocol);
    assert_eq!(finding.sources, [ip("192.168.10.55")]);
    // psad's test expects "IP protocols: 251".
    assert_eq!(finding.ip_protocols.len(), 251);
}

#[test]
fn window_scan_named_from_rst_windows() {
    let finding = only_finding("capture/scan_nmap_sW_rst_window_rewritten.pcap");
    assert_eq!(finding.technique, Technique::TcpWindow);
    let open: Vec<u16> = finding.open_ports.iter().map(|open| open.port).collect();
    // nmap -sW reported exactly these ports open.
    assert_eq!(open, [22, 25, 80]);
    assert_eq!(finding.outcomes.closed, 97);
}

#[test]
fn window_scan_of_linux_reads_as_ack() {
    let finding = only_finding("capture/scan_nmap_sW_linux.pcap");
    assert_eq!(finding.technique, Technique::TcpAck);
    assert!(finding.open_ports.is_empty(), "{:?}", finding.open_ports);
    assert_eq!(finding.outcomes.closed, 100);
}

#[test]
fn sctp_init_scan_found() {
    let finding = only_finding("capture/scan_nmap_sY_linux.pcap");
    assert_eq!(finding.technique, Technique::SctpInit);
    assert_eq!(finding.ports, (1..=30).collect::<Vec<u16>>());
    // The kernel has no SCTP, so it answered some INITs with protocol unreachable, which
    // nmap reported as filtered.
    assert!(finding.outcomes.filtered > 0, "{:?}", finding.outcomes);
    assert_eq!(finding.outcomes.open, 0);
}

#[test]
fn version_and_os_probes_are_extra_activity() {
    let finding = only_finding("capture/scan_nmap_sV_O_linux.pcap");
    assert_eq!(finding.technique, Technique::TcpSyn);
    let kinds: Vec<ExtraActivityKind> = finding.extra_activity.iter().map(|activity| activity.kind).collect();
    assert_eq!(kinds, [ExtraActivityKind::OsDetection, ExtraActivityKind::ServiceProbing]);

    let service = &finding.extra_activity[1];
    assert_eq!(service.ports, [80, 8000, 8080]);
    assert_eq!(service.targets, [ip("10.97.0.2")]);
    assert!(finding.attack.contains(&"T1595.002".to_string()), "{:?}", finding.attack);

    let os = &finding.extra_activity[0];
    assert!(os.ports.contains(&80), "{:?}", os.ports);
    assert!(os.ports.len() >= 2, "{:?}", os.ports);
    assert!(finding.explanation.contains("operating-system detection"), "{}", finding.explanation);
}

#[test]
fn os_detection_alone_is_a_finding() {
    let finding = only_finding("samples/capture/chrissanders/activeosfingerprinting.pcapng");
    assert_eq!(finding.sources, [ip("172.16.16.128")]);
    assert_eq!(finding.technique, Technique::TcpSyn);
    assert_eq!(finding.ports, [135, 41296]);
    let kinds: Vec<ExtraActivityKind> = finding.extra_activity.iter().map(|activity| activity.kind).collect();
    assert_eq!(kinds, [ExtraActivityKind::OsDetection]);
    assert!(!finding.attack.contains(&"T1595.002".to_string()), "{:?}", finding.attack);
}

#[test]
fn all_flag_combinations_on_one_port_no_finding() {
    let findings = findings_of("samples/capture/fp_traps/esnet_one_way_all_tcp_flag_combos.pcap");
    assert!(findings.is_empty(), "{findings:#?}");
}

#[test]
fn version_scan_of_one_port_no_finding() {
    let findings = findings_of("samples/capture/esnet/nmap_80_w_service_detection.pcap");
    assert!(findings.is_empty(), "{findings:#?}");
}

#[test]
fn shared_scan_one_distributed_finding() {
    let finding = only_finding("capture/scan_nmap_sS_shared_3src.pcap");
    assert_eq!(finding.kind, ScanKind::Distributed);
    assert_eq!(finding.technique, Technique::TcpSyn);
    assert_eq!(finding.sources, [ip("10.95.0.11"), ip("10.95.0.12"), ip("10.95.0.13")]);
    assert!(finding.decoys.is_empty(), "{:?}", finding.decoys);
    assert_eq!(finding.ports.len(), 900);
    // nmap reported 22 and 80, 443, and 700 open, one part each.
    let open: Vec<u16> = finding.open_ports.iter().map(|open| open.port).collect();
    assert_eq!(open, [22, 80, 443, 700]);
    assert!(finding.explanation.contains("shared the work"), "{}", finding.explanation);
}

#[test]
fn unrelated_scans_stay_apart() {
    // nmap and hping3 at the same time, then nmap from a third source 30 s later.
    let findings = findings_of("capture/scans_unrelated_same_target.pcap");
    assert_eq!(findings.len(), 3, "{findings:#?}");
    let mut by_source: Vec<(IpAddr, Option<String>)> = findings
        .iter()
        .map(|finding| {
            assert_eq!(finding.kind, ScanKind::Vertical, "{finding:#?}");
            assert_eq!(finding.sources.len(), 1, "{finding:#?}");
            (finding.sources[0], finding.fingerprint.as_ref().map(|f| f.tool.clone()))
        })
        .collect();
    by_source.sort();
    let expected = [("10.95.0.11", "nmap"), ("10.95.0.12", "hping3"), ("10.95.0.13", "nmap")];
    for ((source, tool), (expected_source, expected_tool)) in by_source.iter().zip(expected) {
        assert_eq!(*source, ip(expected_source));
        assert_eq!(tool.as_deref(), Some(expected_tool), "{source}");
    }
}

/// A NAT gateway's sessions and health checks reach the detection thresholds, but their
/// findings are suppressed as ordinary use, with the reason, so the report leaves them out
/// and the examiner still sees them.
#[test]
fn nat_gateway_and_monitoring_suppressed() {
    for (capture, reason) in [
        ("capture/benign_nat_gateway_sessions.pcap", "NAT gateway or proxy"),
        ("capture/benign_monitoring_tcp_checks.pcap", "monitoring"),
    ] {
        let findings = findings_of(capture);
        assert!(!findings.is_empty(), "{capture}: the ordinary use reaches a detection threshold");
        for finding in &findings {
            let suppressed = finding.suppressed.as_deref().unwrap_or_default();
            assert!(suppressed.starts_with("ordinary use, not a scan: "), "{capture}: {finding:#?}");
            assert!(suppressed.contains(reason), "{capture}: {suppressed}");
            assert!(finding.explanation.contains("The finding is suppressed"), "{capture}: {}", finding.explanation);
        }
    }
}
