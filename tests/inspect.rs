//! End-to-end tests of `scancase inspect` on the fixtures.
//!
//! Expected values come from the corpus labels and from tshark 4.0's reading of the same
//! files (`fixtures/README.md` names the source of each file), never from an earlier run of
//! scancase.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

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

/// Runs `inspect --json` on a fixture, checks that it succeeded, and returns its lines parsed.
fn inspect_json(relative: &str, extra: &[&str]) -> Vec<Value> {
    let output = scancase().arg("inspect").arg(fixture(relative)).arg("--json").args(extra).output().expect("run");
    assert!(output.status.success(), "inspect failed: {}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8(output.stdout).expect("UTF-8 output");
    stdout.lines().map(|line| serde_json::from_str(line).unwrap_or_else(|err| panic!("{err}: {line}"))).collect()
}

fn observations(lines: &[Value]) -> Vec<&Value> {
    lines.iter().filter(|line| line.get("ts").is_some()).collect()
}

fn anomalies(lines: &[Value]) -> Vec<&Value> {
    lines.iter().filter(|line| line.get("anomaly").is_some()).collect()
}

fn summary(lines: &[Value]) -> &Value {
    let last = lines.last().expect("at least the summary line");
    last.get("summary").expect("the last line is the summary")
}

#[test]
fn json_capture_observations() {
    let lines = inspect_json("capture/scan_nmap_sS_8ports_vic1.pcap", &[]);
    let observations = observations(&lines);
    assert_eq!(observations.len(), 21);
    assert!(anomalies(&lines).is_empty());

    // Frames 1 and 2: the ARP request for the victim and its reply.
    assert_eq!(observations[0]["proto"], "arp");
    assert_eq!(observations[0]["arp_op"], "request");
    assert_eq!(observations[0]["src"], "10.200.0.10");
    assert_eq!(observations[0]["dst"], "10.200.0.100");
    assert_eq!(observations[0]["sport"], Value::Null);
    assert_eq!(observations[1]["arp_op"], "reply");

    // Frame 3 in tshark: the first SYN probe.
    let first = observations[2];
    assert_eq!(first["ts"], "2026-12-04T19:35:42.547877000Z");
    assert_eq!(first["src"], "10.200.0.10");
    assert_eq!(first["sport"], 49013);
    assert_eq!(first["dst"], "10.200.0.100");
    assert_eq!(first["dport"], 443);
    assert_eq!(first["proto"], "tcp");
    assert_eq!(first["tcp_flags"], "S");
    assert_eq!(first["tcp_options"], serde_json::json!([2]));
    assert_eq!(first["ttl"], 44);
    assert_eq!(first["locator"]["record"], 3);
    // 24-byte file header, then two ARP records of 16 + 42 bytes and 16 + 42 bytes.
    assert_eq!(first["locator"]["byte_offset"], 140);
    assert!(first.get("action").is_none(), "captures have no action key");

    // Frame 4: the RST/ACK of closed port 443.
    assert_eq!(observations[3]["tcp_flags"], "RA");
    assert_eq!(observations[3]["arp_op"], Value::Null);

    let summary = summary(&lines);
    assert_eq!(summary["format"], "pcap");
    assert_eq!(summary["records"], 21);
    assert_eq!(summary["observations"], 21);
    assert_eq!(summary["skipped"], 0);
    assert_eq!(summary["skipped_by_reason"], serde_json::json!({}));
    assert_eq!(summary["first_ts"], "2026-12-04T19:35:42.495871000Z");
}

#[test]
fn json_nanosecond_times() {
    let lines = inspect_json("capture/scan_nmap_sX_vic1_nsec.pcap", &[]);
    let observations = observations(&lines);
    // tshark: frame.time_epoch 1796412837.284105022, flags 0x029 (FIN, PSH, URG).
    let first_probe = observations.iter().find(|obs| obs["tcp_flags"] == "FPU").expect("an Xmas probe");
    assert_eq!(first_probe["ts"], "2026-12-04T19:33:57.284105022Z");
}

#[test]
fn json_gzip_same_observations() {
    let plain = inspect_json("capture/scan_nmap_sS_8ports_vic1.pcap", &[]);
    let compressed = inspect_json("capture/scan_nmap_sS_8ports_vic1.pcap.gz", &[]);
    assert_eq!(observations(&plain), observations(&compressed));
    assert_eq!(summary(&compressed)["format"], "pcap+gzip");
}

#[test]
fn json_icmp_and_udp() {
    let lines = inspect_json("capture/scan_nmap_sU_vic1.pcap", &[]);
    // The victim answered 10 probes to closed ports with ICMP port unreachable.
    let unreachable: Vec<&Value> = observations(&lines)
        .into_iter()
        .filter(|obs| obs["src"] == "10.200.0.100" && obs["proto"] == "icmp" && obs["icmp_type"] == 3)
        .collect();
    assert_eq!(unreachable.len(), 10);
    for obs in unreachable {
        assert_eq!(obs["icmp_code"], 3);
        assert!(obs["sport"].is_null());
        assert!(obs["tcp_flags"].is_null());
    }
}

#[test]
fn json_log_has_action_and_rule() {
    let lines = inspect_json("fwlog/scan_nmap_sS_8ports_vic1.rfc3339.log", &[]);
    let observations = observations(&lines);
    assert_eq!(observations.len(), 9);
    let first = observations[0];
    assert_eq!(first["dport"], 443);
    assert_eq!(first["tcp_flags"], "S");
    assert_eq!(first["action"], "log");
    assert_eq!(first["rule"], "IPT-IN");
    assert_eq!(first["locator"]["record"], 1);
    assert_eq!(first["locator"]["byte_offset"], 0);
    assert_eq!(observations[1]["locator"]["record"], 2);
}

#[test]
fn json_fortigate_traffic_log() {
    let lines = inspect_json("fwlog/fortigate/tenzir_fortigate_inputs.log", &["--format", "fortigate"]);
    let observations = observations(&lines);
    assert_eq!(observations.len(), 14);
    assert!(anomalies(&lines).is_empty());

    // Line 25 is a forward traffic log. Its eventtime is UTC nanoseconds, the same instant that
    // the upstream project's OCSF mapping gives.
    let first = observations[0];
    assert_eq!(first["locator"]["record"], 25);
    assert_eq!(first["ts"], "2019-05-10T18:37:47.369913239Z");
    assert_eq!(first["src"], "10.1.100.11");
    assert_eq!(first["sport"], 58012);
    assert_eq!(first["dst"], "23.59.154.35");
    assert_eq!(first["dport"], 80);
    assert_eq!(first["proto"], "tcp");
    assert!(first["tcp_flags"].is_null(), "FortiGate logs no TCP flags");
    assert_eq!(first["action"], "allow");
    assert_eq!(first["rule"], "policy 1 (policy) port12 -> port11");

    let summary = summary(&lines);
    assert_eq!(summary["format"], "fortigate");
    assert_eq!(summary["records"], 58);
    assert_eq!(summary["skipped_by_reason"]["FortiGate event log"], 24);
}

#[test]
fn json_panos_quoted_csv() {
    let lines = inspect_json("fwlog/panos-csv/BR-15.log", &["--tz", "UTC"]);
    let observations = observations(&lines);
    assert_eq!(observations.len(), 2);
    assert!(anomalies(&lines).is_empty());

    // The THREAT record's URL column contains quoted commas and doubled quotes.
    let threat = observations[0];
    assert_eq!(threat["locator"]["record"], 2);
    assert_eq!(threat["ts"], "2024-01-02T03:04:03.000000000Z");
    assert_eq!(threat["src"], "192.0.2.60");
    assert_eq!(threat["sport"], 61066);
    assert_eq!(threat["dst"], "198.51.100.70");
    assert_eq!(threat["dport"], 80);
    assert_eq!(threat["action"], "log");
    assert_eq!(threat["rule"], "URL-Catch-All DMZ -> Outside; THREAT url (9999) alert");

    let traffic = observations[1];
    assert_eq!(traffic["locator"]["record"], 3);
    assert_eq!(traffic["ts"], "2025-12-09T23:59:50.000000000Z");
    assert_eq!(traffic["sport"], 51000);
    assert_eq!(traffic["dport"], 443);
    assert_eq!(traffic["proto"], "tcp");
    assert_eq!(traffic["action"], "allow");

    let summary = summary(&lines);
    assert_eq!(summary["format"], "panos-csv");
    assert_eq!(summary["records"], 3);
    assert_eq!(summary["skipped_by_reason"]["PAN-OS record other than TRAFFIC or THREAT"], 1);
}

#[test]
fn json_truncated_capture_anomaly() {
    let lines = inspect_json("capture/BR-03.pcap", &[]);
    assert_eq!(observations(&lines).len(), 2);
    let anomalies = anomalies(&lines);
    assert_eq!(anomalies.len(), 1);
    assert_eq!(anomalies[0]["anomaly"], "capture truncated at byte 200");
    assert_eq!(anomalies[0]["offset"], 164);
    assert!(anomalies[0]["record"].is_null());
    assert!(anomalies[0]["reason"].as_str().is_some_and(|reason| reason.contains("byte 164")));
    assert_eq!(summary(&lines)["anomalies"], 1);
}

#[test]
fn misnamed_pcap_read_as_pcap() {
    // A classic pcap file named .pcapng (tshark frames 1 and 2: SYN, then RST).
    let lines = inspect_json("capture/format_edge/derived/tcp_syn-then-rst_misnamed.pcapng", &[]);
    assert_eq!(summary(&lines)["format"], "pcap");
    let observations = observations(&lines);
    assert_eq!(observations.len(), 2);
    assert_eq!(observations[0]["tcp_flags"], "S");
    assert_eq!(observations[1]["tcp_flags"], "R");
}

#[test]
fn text_one_line_per_observation() {
    let output = scancase().arg("inspect").arg(fixture("capture/scan_nmap_sS_8ports_vic1.pcap")).output().expect("run");
    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout).expect("UTF-8");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[0], "2026-12-04T19:35:42.495871000Z  arp 10.200.0.10 -> 10.200.0.100 request  (frame 1, byte 24)");
    assert_eq!(
        lines[2],
        "2026-12-04T19:35:42.547877000Z  tcp 10.200.0.10:49013 -> 10.200.0.100:443 flags S  (frame 3, byte 140)"
    );
    let probe_lines =
        stdout.lines().filter(|line| line.contains("-> 10.200.0.100:") && line.contains("flags S ")).count();
    assert_eq!(probe_lines, 9);
    assert!(stdout.contains("frames: 21, observations: 21, skipped: 0, anomalies: 0"), "{stdout}");
}

#[test]
fn not_evidence_rejected() {
    let output = scancase().arg("inspect").arg(fixture("README.md")).arg("--json").output().expect("run");
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty(), "nothing on stdout");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("not a recognised evidence format"), "{stderr}");
}

#[test]
fn empty_file_rejected() {
    let folder = tempfile::tempdir().expect("temporary folder");
    let empty = folder.path().join("empty.pcap");
    std::fs::write(&empty, b"").expect("write");
    let output = scancase().arg("inspect").arg(&empty).output().expect("run");
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    assert!(String::from_utf8_lossy(&output.stderr).contains("the file is empty"));
}

#[test]
fn format_mismatch_rejected() {
    let output = scancase()
        .arg("inspect")
        .arg(fixture("capture/scan_nmap_sS_8ports_vic1.pcap"))
        .args(["--format", "pcapng"])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("not in the requested format pcapng (detected: pcap)"), "{stderr}");
}

#[test]
fn closed_pipe_not_failure() {
    // Like `scancase inspect FILE --json | head -1`: the reader stops after one line.
    let mut child = Command::new(env!("CARGO_BIN_EXE_scancase"))
        .arg("inspect")
        .arg(fixture("capture/scan_nmap_sF_vic1.pcap"))
        .arg("--json")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut first = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut first).expect("first line");
    let status = child.wait().expect("wait");
    assert!(first.starts_with("{\"ts\":"), "{first}");
    assert!(status.success(), "status {status}");
}

#[test]
fn sensor_records_show_responder() {
    // Zeek records of the 8-port SYN scan: conn_state REJ is closed, RSTO after a SYN-ACK open,
    // S0 unanswered.
    let lines = inspect_json("fwlog/zeek-conn/derived_scan_nmap_sS_8ports_vic1.conn.log", &[]);
    for observation in observations(&lines) {
        let rule = observation["rule"].as_str().expect("rule text");
        let expected = match rule.split(',').next() {
            Some("conn_state REJ") => "closed",
            Some("conn_state RSTO") => "open",
            Some("conn_state S0") => "unanswered",
            other => panic!("unexpected state {other:?}"),
        };
        assert_eq!(observation["responder"], expected, "{rule}");
    }
    // Firewall lines have no responder.
    let lines = inspect_json("fwlog/scan_nmap_sS_8ports_vic1.log", &["--year", "2026"]);
    assert!(observations(&lines).iter().all(|observation| observation["responder"].is_null()));

    let output = scancase()
        .arg("inspect")
        .arg(fixture("fwlog/suricata-eve/derived_scan_nmap_sS_8ports_vic1.eve.json"))
        .output()
        .expect("run");
    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout).expect("UTF-8");
    assert_eq!(stdout.lines().filter(|line| line.contains(" responder open ")).count(), 3, "{stdout}");
}
