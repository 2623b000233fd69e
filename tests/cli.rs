//! End-to-end tests of the `scancase` command on the fixtures.
//!
//! Expected values come from the corpus ground truth (`fixtures/README.md` names the
//! source of each file), never from an earlier run of scancase.

use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::cargo::cargo_bin_cmd;
use serde_json::Value;

fn fixture(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(relative)
}

fn scancase() -> assert_cmd::Command {
    let mut command = cargo_bin_cmd!("scancase");
    command.env("NO_COLOR", "1");
    command
}

/// Runs `investigate` on the files into a new folder and returns the folder.
fn investigate(evidence: &[&str], extra: &[&str]) -> tempfile::TempDir {
    let out = tempfile::tempdir().expect("temporary folder");
    let mut command = scancase();
    command.arg("investigate");
    for file in evidence {
        command.arg(fixture(file));
    }
    command.arg("--out").arg(out.path()).args(extra);
    command.assert().success();
    out
}

/// Prints the findings JSON of a case and parses it.
fn findings_json(case: &Path) -> Vec<Value> {
    let output = scancase().arg("findings").arg(case).arg("--json").output().expect("run scancase");
    assert!(output.status.success(), "findings failed: {}", String::from_utf8_lossy(&output.stderr));
    let document: Value = serde_json::from_slice(&output.stdout).expect("findings output is JSON");
    document["findings"].as_array().expect("findings is an array").clone()
}

fn strings(value: &Value) -> Vec<String> {
    value.as_array().expect("array").iter().map(|item| item.as_str().expect("string").to_string()).collect()
}

fn numbers(value: &Value) -> Vec<u64> {
    value.as_array().expect("array").iter().map(|item| item.as_u64().expect("number")).collect()
}

fn pdf_text(pdf: &Path) -> String {
    let output = Command::new("pdftotext")
        .arg("-layout")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext must be installed (Debian package poppler-utils)");
    assert!(output.status.success(), "pdftotext failed on {}", pdf.display());
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The 8-port nmap SYN scan from the corpus: scan_nmap_sS_8ports_vic1.
const EIGHT_PORTS: [u64; 8] = [21, 22, 23, 25, 53, 80, 110, 443];
const EIGHT_PORTS_FIRST: &str = "2026-12-04T19:35:42.547877Z";

#[test]
fn investigate_writes_case_and_reports() {
    let out = investigate(&["capture/scan_nmap_sS_8ports_vic1.pcap"], &["--examiner", "Ελένη Παπαδοπούλου"]);
    let case = out.path().join("case.scancase");
    assert!(case.is_file());

    let markdown = std::fs::read_to_string(out.path().join("report.md")).expect("report.md");
    let pdf = pdf_text(&out.path().join("report.pdf"));
    for text in [&markdown, &pdf] {
        assert!(text.contains("10.200.0.10"), "source address missing");
        assert!(text.contains("10.200.0.100"), "target address missing");
        assert!(text.contains(EIGHT_PORTS_FIRST), "first probe time missing");
        assert!(text.contains("SYN"), "technique missing");
        assert!(text.contains("443"), "scanned port missing");
    }
    // The cover page carries no footer; numbered pages start with the second.
    assert!(pdf.contains("Page 2 of"), "page numbers missing");
    assert!(pdf.contains("Ελένη Παπαδοπούλου"), "Greek examiner name lost in the PDF");

    let findings = findings_json(&case);
    assert_eq!(findings.len(), 1);
    let finding = &findings[0];
    assert_eq!(finding["kind"], "vertical");
    assert_eq!(finding["technique"], "tcp_syn");
    assert_eq!(strings(&finding["sources"]), ["10.200.0.10"]);
    assert_eq!(strings(&finding["targets"]), ["10.200.0.100"]);
    assert_eq!(numbers(&finding["ports"]), EIGHT_PORTS);
    assert_eq!(finding["first_seen"], EIGHT_PORTS_FIRST);
    assert_eq!(finding["last_seen"], "2026-12-04T19:35:43.649657Z");
    assert_eq!(finding["probes"], 9);
    assert!(strings(&finding["attack"]).contains(&"T1046".to_string()));
    let score = finding["severity"]["score"].as_u64().expect("score");
    assert!(score <= 100);
    assert!(["Low", "Medium", "High", "Critical"].contains(&finding["severity"]["level"].as_str().expect("level")));
    let confidence = finding["confidence"].as_u64().expect("confidence");
    assert!((1..=100).contains(&confidence));
    assert!(finding["explanation"].as_str().expect("explanation").contains("10.200.0.10"));
}

/// One labelled scan fixture and its corpus labels.
struct ScanCase {
    file: &'static str,
    kind: &'static str,
    technique: &'static str,
    source: &'static str,
    targets: &'static [&'static str],
    distinct_ports: usize,
    first_seen: &'static str,
}

const SCANS: &[ScanCase] = &[
    ScanCase {
        file: "capture/scan_nmap_sS_vic1.pcap",
        kind: "vertical",
        technique: "tcp_syn",
        source: "10.200.0.10",
        targets: &["10.200.0.100"],
        distinct_ports: 1000,
        first_seen: "2026-12-04T19:33:31.073364Z",
    },
    ScanCase {
        file: "capture/derived_scan_nmap_sS_vic1.pcapng",
        kind: "vertical",
        technique: "tcp_syn",
        source: "10.200.0.10",
        targets: &["10.200.0.100"],
        distinct_ports: 1000,
        first_seen: "2026-12-04T19:33:31.073364Z",
    },
    ScanCase {
        file: "capture/scan_nmap_sT_vic1.pcap",
        kind: "vertical",
        technique: "tcp_connect",
        source: "10.200.0.10",
        targets: &["10.200.0.100"],
        distinct_ports: 1000,
        first_seen: "2026-12-04T19:33:37.651463Z",
    },
    ScanCase {
        file: "capture/scan_nmap_sF_vic1.pcap",
        kind: "vertical",
        technique: "tcp_fin",
        source: "10.200.0.10",
        targets: &["10.200.0.100"],
        distinct_ports: 1000,
        first_seen: "2026-12-04T19:33:44.175952Z",
    },
    ScanCase {
        file: "capture/scan_nmap_sN_vic1.pcap",
        kind: "vertical",
        technique: "tcp_null",
        source: "10.200.0.10",
        targets: &["10.200.0.100"],
        distinct_ports: 1000,
        first_seen: "2026-12-04T19:33:50.731868Z",
    },
    ScanCase {
        file: "capture/scan_nmap_sX_vic1_nsec.pcap",
        kind: "vertical",
        technique: "tcp_xmas",
        source: "10.200.0.10",
        targets: &["10.200.0.100"],
        distinct_ports: 1000,
        first_seen: "2026-12-04T19:33:57.284105Z",
    },
    ScanCase {
        file: "capture/scan_nmap_sA_vic1.pcap",
        kind: "vertical",
        technique: "tcp_ack",
        source: "10.200.0.10",
        targets: &["10.200.0.100"],
        distinct_ports: 1000,
        first_seen: "2026-12-04T19:34:03.771764Z",
    },
    ScanCase {
        file: "capture/scan_nmap_sU_vic1.pcap",
        kind: "vertical",
        technique: "udp",
        source: "10.200.0.10",
        targets: &["10.200.0.100"],
        distinct_ports: 10,
        first_seen: "2026-12-04T19:34:23.555895Z",
    },
    ScanCase {
        file: "capture/scan_nmap_ipv6_sS_vic1_sll.pcap",
        kind: "vertical",
        technique: "tcp_syn",
        source: "fd00:200::10",
        targets: &["fd00:200::100"],
        distinct_ports: 1000,
        first_seen: "2026-12-04T19:34:52.027867Z",
    },
    ScanCase {
        file: "capture/scan_hping3_syn_p1-1024_vic1.pcap",
        kind: "vertical",
        technique: "tcp_syn",
        source: "10.200.0.10",
        targets: &["10.200.0.100"],
        distinct_ports: 1024,
        first_seen: "2026-12-04T19:35:03.191272Z",
    },
    ScanCase {
        file: "capture/slow_T1_syn_vic3.pcapng",
        kind: "vertical",
        technique: "tcp_syn",
        source: "10.200.0.10",
        targets: &["10.200.0.102"],
        distinct_ports: 10,
        first_seen: "2026-12-04T19:33:47.099287Z",
    },
    ScanCase {
        file: "capture/sweep_nmap_sS_p22_80_range_br.pcap",
        kind: "horizontal",
        technique: "tcp_syn",
        source: "10.200.0.10",
        targets: &[
            "10.200.0.100",
            "10.200.0.101",
            "10.200.0.102",
            "10.200.0.21",
            "10.200.0.22",
            "10.200.0.50",
            "10.200.0.66",
        ],
        distinct_ports: 2,
        first_seen: "2026-12-04T19:44:54.347941Z",
    },
    ScanCase {
        file: "capture/sweep_nmap_sn_routed.pcap",
        kind: "ping_sweep",
        technique: "icmp_echo",
        source: "10.99.0.1",
        targets: &[
            "10.98.0.1",
            "10.98.0.2",
            "10.98.0.3",
            "10.98.0.4",
            "10.98.0.5",
            "10.98.0.6",
            "10.98.0.7",
            "10.98.0.8",
            "10.98.0.9",
            "10.98.0.10",
            "10.98.0.11",
            "10.98.0.12",
            "10.98.0.13",
            "10.98.0.14",
            "10.98.0.15",
            "10.98.0.16",
            "10.98.0.17",
            "10.98.0.18",
            "10.98.0.19",
            "10.98.0.20",
        ],
        distinct_ports: 2,
        first_seen: "2026-12-04T23:21:47.454714Z",
    },
    ScanCase {
        file: "capture/scan_nmap_sS_decoys.pcap",
        kind: "distributed",
        technique: "tcp_syn",
        source: "10.99.0.1",
        targets: &["10.98.0.2"],
        distinct_ports: 100,
        first_seen: "2026-12-04T23:21:59.741038Z",
    },
    ScanCase {
        file: "fwlog/scan_nmap_sS_8ports_vic1.log",
        kind: "vertical",
        technique: "tcp_syn",
        source: "10.200.0.10",
        targets: &["10.200.0.100"],
        distinct_ports: 8,
        first_seen: "2026-12-04T19:35:42",
    },
    ScanCase {
        file: "capture/scan_nmap_sM_linux.pcap",
        kind: "vertical",
        technique: "tcp_maimon",
        source: "10.99.0.1",
        targets: &["10.98.0.2"],
        distinct_ports: 100,
        first_seen: "2026-12-05T00:45:36.382627Z",
    },
    ScanCase {
        file: "fwlog/scan_nmap_sT_vic1.log",
        kind: "vertical",
        technique: "tcp_connect",
        source: "10.200.0.10",
        targets: &["10.200.0.100"],
        distinct_ports: 1000,
        first_seen: "2026-12-04T19:33:37",
    },
    ScanCase {
        file: "fwlog/scan_nmap_sF_vic1.log",
        kind: "vertical",
        technique: "tcp_fin",
        source: "10.200.0.10",
        targets: &["10.200.0.100"],
        distinct_ports: 1000,
        first_seen: "2026-12-04T19:33:44",
    },
    ScanCase {
        file: "fwlog/scan_nmap_ipv6_sS_vic1_sll.log",
        kind: "vertical",
        technique: "tcp_syn",
        source: "fd00:200::10",
        targets: &["fd00:200::100"],
        distinct_ports: 1000,
        first_seen: "2026-12-04T19:34:52",
    },
];

#[test]
fn findings_match_labelled_scans() {
    for scan in SCANS {
        let out = investigate(&[scan.file], &["--tz", "UTC", "--year", "2026"]);
        let findings = findings_json(&out.path().join("case.scancase"));
        assert_eq!(findings.len(), 1, "{}: expected one finding, got {findings:#?}", scan.file);
        let finding = &findings[0];
        assert_eq!(finding["kind"], scan.kind, "{}", scan.file);
        assert_eq!(finding["technique"], scan.technique, "{}", scan.file);
        assert_eq!(strings(&finding["sources"]), [scan.source], "{}", scan.file);
        let mut targets = strings(&finding["targets"]);
        targets.sort();
        let mut expected: Vec<String> = scan.targets.iter().map(|t| t.to_string()).collect();
        expected.sort();
        assert_eq!(targets, expected, "{}", scan.file);
        assert_eq!(finding["ports"].as_array().expect("ports").len(), scan.distinct_ports, "{}", scan.file);
        // Labels give microseconds or seconds; the nanosecond capture has more digits.
        let first_seen = finding["first_seen"].as_str().expect("first_seen");
        let expected_prefix = scan.first_seen.trim_end_matches('Z');
        assert!(first_seen.starts_with(expected_prefix), "{}: first_seen {first_seen}", scan.file);
    }
}

#[test]
fn decoy_scan_names_real_source() {
    let out = investigate(&["capture/scan_nmap_sS_decoys.pcap"], &[]);
    let findings = findings_json(&out.path().join("case.scancase"));
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let finding = &findings[0];
    assert_eq!(strings(&finding["sources"]), ["10.99.0.1"]);
    assert_eq!(strings(&finding["decoys"]), ["10.99.0.50", "10.99.0.51", "10.99.0.52"]);
    let explanation = finding["explanation"].as_str().expect("explanation");
    assert!(explanation.contains("decoy"), "{explanation}");
    let open: Vec<&Value> = finding["open_ports"].as_array().expect("open_ports").iter().collect();
    assert_eq!(open.len(), 1, "open ports are listed once, not once per decoy: {open:?}");
}

#[test]
fn ping_sweep_includes_tcp_ping_probes() {
    let out = investigate(&["capture/sweep_nmap_sn_routed.pcap"], &[]);
    let findings = findings_json(&out.path().join("case.scancase"));
    assert_eq!(findings.len(), 1, "the TCP ping probes are part of the sweep: {findings:#?}");
    let finding = &findings[0];
    assert_eq!(numbers(&finding["ports"]), [80, 443]);
    assert_eq!(finding["outcomes"]["open"], 8, "8 hosts answered the echo request");
    let explanation = finding["explanation"].as_str().expect("explanation");
    assert!(explanation.contains("test which hosts were up"), "{explanation}");
}

#[test]
fn arp_sweep_is_found() {
    let out = investigate(&["capture/sweep_nmap_sn_arp_range_br.pcap"], &[]);
    let findings = findings_json(&out.path().join("case.scancase"));
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let finding = &findings[0];
    assert_eq!(finding["kind"], "ping_sweep");
    assert_eq!(finding["technique"], "arp");
    assert_eq!(strings(&finding["sources"]), ["10.200.0.10"]);
    assert_eq!(finding["targets"].as_array().expect("targets").len(), 126);
    assert_eq!(finding["probes"], 248);
    assert!(finding["ports"].as_array().expect("ports").is_empty());
}

#[test]
fn host_discovery_joins_following_scan() {
    let out = investigate(&["capture/sweep_nmap_sS_p22_80_range_br.pcap"], &[]);
    let findings = findings_json(&out.path().join("case.scancase"));
    assert_eq!(findings.len(), 1, "the ARP discovery is part of the port scan: {findings:#?}");
    let discovery = &findings[0]["host_discovery"];
    assert_eq!(discovery["technique"], "arp");
    assert_eq!(discovery["addresses"], 126);
    assert_eq!(discovery["answered"], 7);
    let explanation = findings[0]["explanation"].as_str().expect("explanation");
    assert!(explanation.contains("to learn which hosts were up; 7 answered"), "{explanation}");
}

#[test]
fn paced_scan_timing_judged() {
    for (file, regular) in [
        // nmap -T1 waits 15 s between probes.
        ("capture/slow_T1_syn_vic3.pcapng", Some(true)),
        // The stretched scan's probes were moved to random gaps of 1 to 3 hours.
        ("capture/derived_stretched_sS_8ports_vic1_hours.pcap", Some(false)),
        ("capture/scan_nmap_sS_vic1.pcap", None),
    ] {
        let out = investigate(&[file], &[]);
        let findings = findings_json(&out.path().join("case.scancase"));
        let expected = regular.map_or(Value::Null, Value::Bool);
        assert_eq!(findings[0]["regular_timing"], expected, "{file}");
    }
}

#[test]
fn fingerprints_name_the_tool() {
    for (file, tool) in [
        ("capture/scan_nmap_sS_vic1.pcap", Some("nmap")),
        ("capture/scan_nmap_sU_vic1.pcap", Some("nmap")),
        ("fwlog/scan_nmap_sF_vic1.log", Some("nmap")),
        ("capture/scan_hping3_syn_p1-1024_vic1.pcap", Some("hping3")),
        // The operating system built the connect scan's SYNs, so no tool is named.
        ("capture/scan_nmap_sT_vic1.pcap", None),
    ] {
        let out = investigate(&[file], &["--tz", "UTC", "--year", "2026"]);
        let findings = findings_json(&out.path().join("case.scancase"));
        assert_eq!(findings.len(), 1, "{file}: {findings:#?}");
        let fingerprint = &findings[0]["fingerprint"];
        match tool {
            Some(tool) => {
                assert_eq!(fingerprint["tool"], tool, "{file}");
                assert!(!fingerprint["matched"].as_array().expect("matched").is_empty(), "{file}");
                let explanation = findings[0]["explanation"].as_str().expect("explanation");
                assert!(explanation.contains(&format!("match {tool}'s probe template")), "{file}: {explanation}");
            }
            None => assert!(fingerprint.is_null(), "{file}: {fingerprint}"),
        }
    }
}

#[test]
fn allowlisted_source_stays_visible_as_suppressed() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let case = dir.path().join("c.scancase");
    scancase().arg("new").arg(&case).assert().success();
    scancase().arg("import").arg(&case).arg(fixture("capture/scan_nmap_sS_8ports_vic1.pcap")).assert().success();
    scancase()
        .args(["allowlist", "add"])
        .arg(&case)
        .args(["10.200.0.0/24", "--reason", "weekly vulnerability scan"])
        .assert()
        .success();
    scancase().arg("internal").arg(&case).arg("192.0.2.0/24").assert().success();
    scancase().arg("analyze").arg(&case).assert().success();

    let findings = findings_json(&case);
    assert_eq!(findings.len(), 1, "a suppressed finding is still listed");
    assert_eq!(findings[0]["suppressed"], "source allowlisted: 10.200.0.0/24 (weekly vulnerability scan)");
    let listing = scancase().arg("findings").arg(&case).output().expect("run");
    let listing = String::from_utf8_lossy(&listing.stdout);
    assert!(
        listing.contains("\n    suppressed: source allowlisted: 10.200.0.0/24 (weekly vulnerability scan)\n"),
        "the listing marks the finding: {listing}"
    );
    assert_eq!(findings[0]["internal_source"], false, "10.200.0.10 is outside the internal networks set");
    let attack = strings(&findings[0]["attack"]);
    assert!(attack.iter().any(|id| id.starts_with("T1595")), "an outside source is active scanning: {attack:?}");

    let markdown = dir.path().join("report.md");
    scancase().arg("report").arg(&case).args(["--format", "md", "--output"]).arg(&markdown).assert().success();
    let text = std::fs::read_to_string(&markdown).expect("report.md");
    assert!(text.contains("(suppressed)"), "the report marks the finding");
    assert!(text.contains("weekly vulnerability scan"), "the report gives the reason");

    let audit = scancase().arg("audit").arg(&case).output().expect("run");
    let log = String::from_utf8_lossy(&audit.stdout);
    assert!(log.contains("allowlist_added"), "{log}");
    assert!(log.contains("internal_networks_set"), "{log}");

    let removed = scancase().args(["allowlist", "remove"]).arg(&case).arg("10.9.9.9").output().expect("run");
    assert!(!removed.status.success());
    assert!(String::from_utf8_lossy(&removed.stderr).contains("no allowlist entry for 10.9.9.9/32"));
}

#[test]
fn examiner_entries_and_review_reach_the_report() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let case = dir.path().join("c.scancase");
    scancase().arg("new").arg(&case).args(["--examiner", "A. Examiner"]).assert().success();
    scancase().arg("import").arg(&case).arg(fixture("capture/scan_nmap_sS_8ports_vic1.pcap")).assert().success();
    scancase().arg("analyze").arg(&case).assert().success();

    let early = scancase().arg("review").arg(&case).arg("approve").output().expect("run");
    assert!(!early.status.success());
    assert!(String::from_utf8_lossy(&early.stderr).contains("submit it first"));

    let listing = scancase().arg("edit").arg(&case).output().expect("run");
    let listing = String::from_utf8(listing.stdout).expect("UTF-8");
    let keys: Vec<&str> = listing.lines().map(|line| line.split('\t').next().expect("key")).collect();
    assert!(keys.contains(&"detection.root_cause"), "{listing}");
    for key in &keys {
        scancase().arg("edit").arg(&case).arg(key).args(["--text", "Not applicable."]).assert().success();
    }
    let root_cause = "The firewall allowed *all* inbound TCP from the guest network.";
    scancase().arg("edit").arg(&case).arg("detection.root_cause").args(["--text", root_cause]).assert().success();
    let unknown = scancase().arg("edit").arg(&case).arg("no.such.key").args(["--text", "x"]).output().expect("run");
    assert!(!unknown.status.success());

    scancase().arg("review").arg(&case).arg("submit").assert().success();
    let frozen =
        scancase().arg("edit").arg(&case).arg("detection.root_cause").args(["--text", "y"]).output().expect("run");
    assert!(!frozen.status.success(), "a submitted report cannot be edited");
    scancase().arg("review").arg(&case).args(["approve", "--reviewer", "B. Reviewer"]).assert().success();

    let markdown = dir.path().join("report.md");
    scancase().arg("report").arg(&case).args(["--format", "md", "--output"]).arg(&markdown).assert().success();
    let text = std::fs::read_to_string(&markdown).expect("report.md");
    assert!(text.contains("**Review state:** Approved by B. Reviewer"), "{text}");
    assert!(text.contains(r"The firewall allowed \*all\* inbound TCP"), "the entry is in the report, escaped");
    assert!(!text.contains("To be completed by the examiner."));

    let audit = scancase().arg("audit").arg(&case).output().expect("run");
    let log = String::from_utf8_lossy(&audit.stdout);
    assert_eq!(log.matches("\"key\":\"detection.root_cause\"").count(), 2, "both revisions are recorded: {log}");
    assert!(log.contains("report_reviewed"));

    scancase().arg("review").arg(&case).arg("reopen").assert().success();
    scancase().arg("edit").arg(&case).arg("detection.root_cause").args(["--text", "Revised."]).assert().success();
}

#[test]
fn benign_fixtures_have_no_findings() {
    for file in [
        "capture/benign_curl_web_dns_vic1_first2000.pcap",
        "capture/benign_mixed_services_vic1_first2000.pcap",
        "capture/loopback_benign_curl.pcap",
        "fwlog/benign_curl_web_dns_vic1.log",
    ] {
        let out = investigate(&[file], &["--tz", "UTC", "--year", "2026"]);
        let findings = findings_json(&out.path().join("case.scancase"));
        assert!(findings.is_empty(), "{file}: unexpected findings {findings:#?}");
        let markdown = std::fs::read_to_string(out.path().join("report.md")).expect("report.md");
        assert!(markdown.contains("Executive summary"), "{file}: report lacks its sections");
    }
}

#[test]
fn loopback_capture_finds_nmap_among_curl() {
    let out = investigate(&["capture/loopback_nmap_sS_and_curl.pcap"], &[]);
    let findings = findings_json(&out.path().join("case.scancase"));
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0]["technique"], "tcp_syn");
    // nmap -p 1-100,8765 from 127.0.0.1, while curl from the same address fetched pages from
    // port 8765 before and after the scan. nmap half-opened port 8765 too, so the finding
    // contains it with ports 1 to 100, and the later exchange raises the severity. One
    // port used with data after the scan is no sign of version probing.
    let expected_ports: Vec<u64> = (1..=100).chain([8765]).collect();
    assert_eq!(numbers(&findings[0]["ports"]), expected_ports);
    assert_eq!(findings[0]["outcomes"]["closed"], 100);
    assert_eq!(findings[0]["outcomes"]["open"], 1);
    assert_eq!(findings[0]["extra_activity"], serde_json::json!([]));
    let explanation = findings[0]["explanation"].as_str().expect("explanation");
    assert!(explanation.contains("127.0.0.1:8765"), "{explanation}");
    let severity = findings[0]["severity"]["explanation"].as_str().expect("severity explanation");
    assert!(severity.contains("later exchanged data"), "{severity}");
}

#[test]
fn capture_and_log_of_same_scan_agree() {
    let capture = investigate(&["capture/scan_nmap_sS_8ports_vic1.pcap"], &[]);
    let log = investigate(&["fwlog/scan_nmap_sS_8ports_vic1.rfc3339.log"], &[]);
    let from_capture = findings_json(&capture.path().join("case.scancase"));
    let from_log = findings_json(&log.path().join("case.scancase"));
    assert_eq!(from_capture[0]["ports"], from_log[0]["ports"]);
    assert_eq!(from_capture[0]["sources"], from_log[0]["sources"]);
    assert_eq!(from_capture[0]["targets"], from_log[0]["targets"]);
}

#[test]
fn capture_and_log_merge_with_clock_offset() {
    let out = investigate(
        &["capture/scan_nmap_sS_8ports_vic1.pcap", "fwlog/scan_nmap_sS_8ports_vic1.log"],
        &["--tz", "UTC", "--year", "2026"],
    );
    let findings = findings_json(&out.path().join("case.scancase"));
    assert_eq!(findings.len(), 1, "the capture and the log show one scan: {findings:#?}");
    let finding = &findings[0];
    // The syslog line has 19:35:42; the capture's exact time of the same probe wins.
    assert_eq!(finding["first_seen"], "2026-12-04T19:35:42.547877Z");
    assert_eq!(finding["last_seen"], "2026-12-04T19:35:43.649657Z");
    let offsets = finding["clock_offsets"].as_array().expect("clock_offsets");
    assert_eq!(offsets.len(), 1, "{offsets:?}");
    assert_eq!(offsets[0]["reference"], "scan_nmap_sS_8ports_vic1.pcap");
    assert_eq!(offsets[0]["other"], "scan_nmap_sS_8ports_vic1.log");
    assert_eq!(offsets[0]["shared_contacts"], 8);
    assert_eq!(offsets[0]["resolution_ms"], 1000.0);
    let offset_ms = offsets[0]["offset_ms"].as_f64().expect("offset_ms");
    assert!((-1000.0..=0.0).contains(&offset_ms), "whole-second times lag by under a second: {offset_ms}");
    let explanation = finding["explanation"].as_str().expect("explanation");
    assert!(explanation.contains("known only to within"), "{explanation}");
}

fn assert_rejected(path: &Path, expected_words: &str) {
    let out = tempfile::tempdir().expect("temporary folder");
    let output = scancase().arg("investigate").arg(path).arg("--out").arg(out.path()).output().expect("run scancase");
    assert!(!output.status.success(), "{} was accepted", path.display());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(&path.display().to_string()), "error does not name the file: {stderr}");
    assert!(stderr.contains(expected_words), "error lacks '{expected_words}': {stderr}");
    assert!(!out.path().join("case.scancase").exists(), "a case was left behind for {}", path.display());
    assert!(!out.path().join("report.pdf").exists(), "a report was written for {}", path.display());
}

#[test]
fn missing_file_is_rejected() {
    let dir = tempfile::tempdir().expect("temporary folder");
    assert_rejected(&dir.path().join("no-such-capture.pcap"), "not found");
}

#[test]
fn directory_is_rejected() {
    let dir = tempfile::tempdir().expect("temporary folder");
    assert_rejected(dir.path(), "is a directory");
}

#[test]
fn unreadable_file_is_rejected() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join("locked.pcap");
    std::fs::copy(fixture("capture/scan_nmap_sS_8ports_vic1.pcap"), &path).expect("copy fixture");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    if std::fs::read(&path).is_ok() {
        // Running as root, permissions do not stop reading: a path through a regular file
        // fails to open for any user.
        assert_rejected(&path.join("inside"), "cannot read the file");
    } else {
        assert_rejected(&path, "cannot read the file");
    }
}

#[test]
fn unrecognised_format_is_rejected() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join("notes.pcap");
    std::fs::write(&path, "meeting notes, not a capture\nsecond line\n").expect("write file");
    assert_rejected(&path, "not a recognised evidence format");
}

#[test]
fn empty_file_is_rejected() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join("empty.log");
    std::fs::write(&path, "").expect("write file");
    assert_rejected(&path, "empty");
}

#[test]
fn rejected_import_leaves_case_unchanged() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let case_path = dir.path().join("c.scancase");
    scancase().arg("new").arg(&case_path).assert().success();
    let bad = dir.path().join("bad.txt");
    std::fs::write(&bad, "not evidence\n").expect("write file");

    let output = scancase()
        .arg("import")
        .arg(&case_path)
        .arg(fixture("capture/scan_nmap_sS_8ports_vic1.pcap"))
        .arg(&bad)
        .output()
        .expect("run scancase");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("bad.txt"), "{stderr}");

    let case = scancase::case::Case::open(&case_path).expect("open case");
    let evidence = case.evidence().expect("list evidence");
    assert_eq!(evidence.len(), 1, "only the good file is stored");
    // 21 frames: an ARP request and its reply, and 19 IPv4 packets.
    assert_eq!(evidence[0].summary.observations, 21);
    assert_eq!(evidence[0].summary.records, 21);
}

#[test]
fn same_file_imported_once() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let case_path = dir.path().join("c.scancase");
    scancase().arg("new").arg(&case_path).assert().success();
    let evidence = fixture("capture/scan_nmap_sS_8ports_vic1.pcap");
    scancase().arg("import").arg(&case_path).arg(&evidence).assert().success();
    let output = scancase().arg("import").arg(&case_path).arg(&evidence).output().expect("run scancase");
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("not imported again"));
    let case = scancase::case::Case::open(&case_path).expect("open case");
    assert_eq!(case.evidence().expect("list evidence").len(), 1);
}

#[test]
fn step_commands_match_investigate() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let case_path = dir.path().join("steps.scancase");
    scancase().arg("new").arg(&case_path).arg("--examiner").arg("Дмитрий").assert().success();
    scancase().arg("import").arg(&case_path).arg(fixture("capture/scan_nmap_sF_vic1.pcap")).assert().success();
    scancase().arg("analyze").arg(&case_path).assert().success();

    let findings = findings_json(&case_path);
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0]["technique"], "tcp_fin");

    let markdown = scancase().arg("report").arg(&case_path).args(["--format", "md"]).output().expect("run scancase");
    assert!(markdown.status.success());
    let markdown = String::from_utf8_lossy(&markdown.stdout);
    assert!(markdown.contains("FIN"));
    assert!(markdown.contains("Дмитрий"));

    let pdf = dir.path().join("steps.pdf");
    scancase().arg("report").arg(&case_path).args(["--format", "pdf", "-o"]).arg(&pdf).assert().success();
    assert!(pdf_text(&pdf).contains("10.200.0.100"));

    let json = scancase().arg("report").arg(&case_path).args(["--format", "json"]).output().expect("run scancase");
    assert!(json.status.success());
    let _: Value = serde_json::from_slice(&json.stdout).expect("report JSON parses");

    let case = scancase::case::Case::open(&case_path).expect("open case");
    let log = case.audit_log().expect("audit log");
    assert_eq!(log.first_mismatch, None, "audit hash chain broken");
    let actions: Vec<&str> = log.entries.iter().map(|e| e.action.as_str()).collect();
    for action in ["case_created", "evidence_imported", "analysis_run", "report_drafted", "report_exported"] {
        assert!(actions.contains(&action), "audit log lacks {action}: {actions:?}");
    }
}

#[test]
fn findings_before_analysis_is_an_error() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let case_path = dir.path().join("c.scancase");
    scancase().arg("new").arg(&case_path).assert().success();
    let output = scancase().arg("findings").arg(&case_path).output().expect("run scancase");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("scancase analyze"));
}

#[test]
fn non_case_file_is_rejected_by_name() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let output =
        scancase().arg("analyze").arg(fixture("capture/scan_nmap_sS_8ports_vic1.pcap")).output().expect("run scancase");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("scan_nmap_sS_8ports_vic1.pcap"), "{stderr}");
    assert!(stderr.contains("not a scancase case file"), "{stderr}");
    drop(dir);
}

#[test]
fn gzip_evidence_is_decompressed() {
    for (file, format) in [
        ("capture/scan_nmap_sS_8ports_vic1.pcap.gz", "pcap+gzip"),
        ("fwlog/scan_nmap_sS_8ports_vic1.log.gz", "netfilter-syslog+gzip"),
    ] {
        let out = investigate(&[file], &["--tz", "UTC", "--year", "2026"]);
        let case_path = out.path().join("case.scancase");
        let findings = findings_json(&case_path);
        assert_eq!(findings.len(), 1, "{file}");
        assert_eq!(numbers(&findings[0]["ports"]), EIGHT_PORTS, "{file}");
        let case = scancase::case::Case::open(&case_path).expect("open case");
        let evidence = case.evidence().expect("list evidence");
        assert_eq!(evidence[0].summary.format, format, "{file}");
    }
}

#[test]
fn mikrotik_scan_log_gives_one_finding() {
    // The CrowdSec hub's MikroTik port-scan test: its scenario expects 36.97.161.219 to be
    // reported for the dropped SYNs to ports 23 to 39 of 80.82.202.145.
    let out = investigate(&["fwlog/mikrotik/crowdsec_mikrotik-scan-multi_ports.log"], &["--tz", "UTC"]);
    let case_path = out.path().join("case.scancase");
    let findings = findings_json(&case_path);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let finding = &findings[0];
    assert_eq!(finding["kind"], "vertical");
    assert_eq!(strings(&finding["sources"]), ["36.97.161.219"]);
    assert_eq!(strings(&finding["targets"]), ["80.82.202.145"]);
    assert_eq!(numbers(&finding["ports"]), (23..=39).collect::<Vec<u64>>());
    // The scenario test gives this first event as 2023-03-18T20:36:59.594792+01:00.
    assert_eq!(finding["first_seen"], "2023-03-18T19:36:59.594792Z");

    let case = scancase::case::Case::open(&case_path).expect("open case");
    let evidence = case.evidence().expect("list evidence");
    assert_eq!(evidence[0].summary.format, "mikrotik");
}

#[test]
fn format_option_must_match_content() {
    let out = tempfile::tempdir().expect("temporary folder");
    let capture = fixture("capture/scan_nmap_sS_8ports_vic1.pcap");
    let output = scancase()
        .arg("investigate")
        .arg(&capture)
        .args(["--format", "netfilter-syslog", "--out"])
        .arg(out.path())
        .output()
        .expect("run scancase");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("not in the requested format netfilter-syslog (detected: pcap)"), "{stderr}");

    let accepted = tempfile::tempdir().expect("temporary folder");
    scancase()
        .arg("investigate")
        .arg(&capture)
        .args(["--format", "pcap", "--out"])
        .arg(accepted.path())
        .assert()
        .success();
}

#[test]
fn format_option_finds_late_firewall_lines() {
    // 70 KiB of other programs' syslog lines before the first LOG line: more than detection
    // reads, so only --format finds the dialect.
    let dir = tempfile::tempdir().expect("temporary folder");
    let log = dir.path().join("syslog");
    let mut text = String::new();
    while text.len() < 70 * 1024 {
        text.push_str("Dec  4 19:30:00 vm sshd[811]: Connection closed by 192.0.2.77 port 50514 [preauth]\n");
    }
    text.push_str(&std::fs::read_to_string(fixture("fwlog/scan_nmap_sS_8ports_vic1.log")).expect("fixture"));
    std::fs::write(&log, text).expect("write log");

    let detected =
        scancase().arg("investigate").arg(&log).arg("--out").arg(dir.path().join("a")).output().expect("run");
    assert!(!detected.status.success(), "detection alone sees no firewall line");

    let out = dir.path().join("b");
    scancase()
        .arg("investigate")
        .arg(&log)
        .args(["--format", "netfilter-syslog", "--tz", "UTC", "--year", "2026", "--out"])
        .arg(&out)
        .assert()
        .success();
    let findings = findings_json(&out.join("case.scancase"));
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(strings(&findings[0]["sources"]), ["10.200.0.10"]);

    let binary = dir.path().join("random.bin");
    let bytes: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    std::fs::write(&binary, bytes).expect("write binary");
    let forced = scancase()
        .arg("investigate")
        .arg(&binary)
        .args(["--format", "fortigate", "--out"])
        .arg(dir.path().join("c"))
        .output()
        .expect("run scancase");
    assert!(!forced.status.success(), "a binary file is not read as a log");
    assert!(String::from_utf8_lossy(&forced.stderr).contains("random.bin"));
}

#[test]
fn data_exports_name_the_source() {
    let out = investigate(&["capture/scan_nmap_sS_8ports_vic1.pcap"], &[]);
    let case_path = out.path().join("case.scancase");
    let export = |format: &str| {
        let output = scancase().arg("report").arg(&case_path).args(["--format", format]).output().expect("run");
        assert!(output.status.success(), "{format}: {}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout).expect("UTF-8 output")
    };

    let csv = export("csv");
    assert!(csv.lines().any(|line| line.contains("ipv4-addr") && line.contains("10.200.0.10")), "{csv}");

    let stix: Value = serde_json::from_str(&export("stix")).expect("STIX is JSON");
    assert_eq!(stix["type"], "bundle");
    let objects = stix["objects"].as_array().expect("objects");
    assert!(objects
        .iter()
        .any(|o| o["type"] == "indicator" && o["pattern"].as_str().unwrap_or("").contains("10.200.0.10")));
    assert!(objects.iter().any(|o| o["type"] == "attack-pattern"));

    let veris: Value = serde_json::from_str(&export("veris")).expect("VERIS is JSON");
    let varieties = veris["action"]["hacking"]["variety"].as_array().expect("varieties");
    assert!(varieties.iter().any(|v| v == "Scan network"), "{varieties:?}");
}

#[test]
fn settings_reach_analysis_and_report() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let case = dir.path().join("c.scancase");
    scancase()
        .arg("new")
        .arg(&case)
        .args(["--examiner", "Ada", "--organisation", "Example GmbH", "--classification", "TLP:AMBER"])
        .args(["--default-tz", "Europe/Berlin", "--internal", "10.200.0.0/24"])
        .assert()
        .success();
    let printed = scancase().arg("settings").arg(&case).output().expect("run scancase");
    assert!(printed.status.success(), "{}", String::from_utf8_lossy(&printed.stderr));
    let text = String::from_utf8_lossy(&printed.stdout);
    for line in [
        "organisation\tExample GmbH",
        "classification\tTLP:AMBER",
        "default_tz\tEurope/Berlin",
        "min_ports_vertical\t6\t(default)",
    ] {
        assert!(text.contains(line), "settings output lacks {line:?}: {text}");
    }
    let internal = scancase().arg("internal").arg(&case).output().expect("run scancase");
    assert_eq!(String::from_utf8_lossy(&internal.stdout).trim(), "10.200.0.0/24");

    scancase()
        .arg("import")
        .arg(&case)
        .arg(fixture("fwlog/scan_nmap_sS_8ports_vic1.log"))
        .args(["--year", "2026"])
        .assert()
        .success();
    scancase().arg("analyze").arg(&case).assert().success();
    let findings = findings_json(&case);
    assert_eq!(findings.len(), 1);
    let first_seen = findings[0]["first_seen"].as_str().expect("a time");
    assert!(
        first_seen.starts_with("2026-12-04T18:35:42"),
        "the log's 19:35:42 is read in the default zone, Berlin: {first_seen}"
    );
    assert_eq!(findings[0]["internal_source"], true, "10.200.0.10 is inside the internal network set with `new`");

    let markdown = dir.path().join("report.md");
    scancase().arg("report").arg(&case).args(["--format", "md", "--output"]).arg(&markdown).assert().success();
    assert!(std::fs::read_to_string(&markdown).expect("report.md").contains("TLP:AMBER"), "the report shows the label");

    let changed =
        scancase().arg("settings").arg(&case).args(["--param", "min_ports_vertical=9"]).output().expect("run");
    assert!(changed.status.success(), "{}", String::from_utf8_lossy(&changed.stderr));
    assert!(String::from_utf8_lossy(&changed.stdout).contains("min_ports_vertical\t9\t(set for this case; default 6)"));
    scancase().arg("analyze").arg(&case).assert().success();
    assert!(findings_json(&case).is_empty(), "8 probed ports stay below the stored minimum of 9");

    scancase()
        .arg("settings")
        .arg(&case)
        .args(["--reset-param", "min_ports_vertical", "--organisation", ""])
        .assert()
        .success();
    let text =
        String::from_utf8_lossy(&scancase().arg("settings").arg(&case).output().expect("run").stdout).into_owned();
    assert!(text.contains("organisation\tnone"), "{text}");
    assert!(text.contains("min_ports_vertical\t6\t(default)"), "{text}");
    let audit = scancase().arg("audit").arg(&case).output().expect("run");
    assert!(String::from_utf8_lossy(&audit.stdout).contains("settings_changed"));
}

#[test]
fn settings_reject_invalid_values() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let case = dir.path().join("c.scancase");
    scancase().arg("new").arg(&case).assert().success();
    let rejected = [
        (vec!["--param", "min_ports=5"], 1, "unknown parameter 'min_ports'"),
        (vec!["--param", "campaign_gap_s=0"], 1, "campaign_gap_s: 0 is out of range"),
        (vec!["--param", "campaign_gap_s"], 2, "is not NAME=VALUE"),
        (vec!["--reset-param", "window"], 1, "unknown parameter 'window'"),
        (vec!["--default-tz", "Mars/Olympus"], 2, "unknown time zone 'Mars/Olympus'"),
    ];
    for (arguments, status, message) in rejected {
        let output = scancase().arg("settings").arg(&case).args(&arguments).output().expect("run scancase");
        assert_eq!(output.status.code(), Some(status), "{arguments:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(message), "{arguments:?}: {stderr}");
    }
    let audit = scancase().arg("audit").arg(&case).output().expect("run");
    assert!(!String::from_utf8_lossy(&audit.stdout).contains("settings_changed"), "nothing was changed");

    let other = dir.path().join("other.scancase");
    let output = scancase().arg("new").arg(&other).args(["--param", "min_ports=5"]).output().expect("run");
    assert_eq!(output.status.code(), Some(1));
    assert!(!other.exists(), "an invalid setting leaves no case behind");
    let output = scancase().arg("new").arg(&other).args(["--internal", "10.0.0.0/33"]).output().expect("run");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("invalid network '10.0.0.0/33'"));
}
