//! Firewall log import into a case file: probes stored as they are found, with their line
//! numbers, byte offsets and, for the probes a finding can cite, their log lines.
//!
//! Expected values are read from the corpus logs themselves. In these logs the victim's
//! iptables rules LOG every new inbound packet, so every line is one probe. The contacts are
//! the distinct (source, target, protocol, destination port) of the lines.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use assert_cmd::cargo::cargo_bin_cmd;
use rusqlite::Connection;

/// Corpus logs whose every line is one probe. The stretched log spans hours, so the
/// aggregator's flow state expires while it is read.
const CORPUS_LOGS: [&str; 8] = [
    "scan_nmap_sF_vic1.log",
    "scan_nmap_sT_vic1.log",
    "scan_nmap_sU_vic1.log",
    "scan_nmap_ipv6_sS_vic1_sll.log",
    "slow_T1_syn_vic3.log",
    "scan_nmap_sS_8ports_vic1.log",
    "benign_curl_web_dns_vic1.log",
    "derived_stretched_sS_8ports_vic1_hours.log",
];

/// Probes per contact whose line the case must keep: the citations a finding shows.
const CITATIONS_SHOWN: usize = 20;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/fwlog").join(name)
}

/// One line of a log file: 1-based number, byte offset and text without the line end.
struct LogLine {
    number: u64,
    byte_offset: u64,
    text: String,
}

fn read_lines(path: &Path) -> Vec<LogLine> {
    let content = std::fs::read_to_string(path).expect("fixture is UTF-8 text");
    assert!(!content.contains('\r'), "{}: the test reads LF line ends only", path.display());
    let mut lines = Vec::new();
    let mut byte_offset = 0;
    for (index, text) in content.split_terminator('\n').enumerate() {
        lines.push(LogLine { number: index as u64 + 1, byte_offset, text: text.to_string() });
        byte_offset += text.len() as u64 + 1;
    }
    lines
}

/// Returns the value of ` KEY=` in a netfilter LOG line (the first occurrence).
fn field<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    let start = text.find(&format!(" {key}="))? + key.len() + 2;
    Some(text[start..].split(' ').next().unwrap_or(""))
}

/// Returns the contact key of a LOG line: source, target, protocol name and destination port.
fn contact_key(text: &str) -> (IpAddr, IpAddr, String, Option<String>) {
    let address = |key| field(text, key).expect("address field").parse::<IpAddr>().expect("address");
    let protocol = field(text, "PROTO").expect("PROTO field").to_string();
    (address("SRC"), address("DST"), protocol, field(text, "DPT").map(str::to_string))
}

/// Creates a case, imports `log` into it and returns the case path.
fn import(folder: &Path, log: &Path) -> PathBuf {
    let case = folder.join("case.scancase");
    cargo_bin_cmd!("scancase").arg("new").arg(&case).assert().success();
    cargo_bin_cmd!("scancase")
        .args(["import"])
        .arg(&case)
        .arg(log)
        .args(["--tz", "UTC", "--year", "2026"])
        .assert()
        .success();
    case
}

/// A stored probe with what the test checks: a row, or a probe packed in its contact's blocks.
struct StoredProbe {
    /// Row id, or `None` for a packed probe.
    id: Option<i64>,
    contact_id: i64,
    ts_ns: i64,
    record: u64,
    byte_offset: u64,
    text: Option<String>,
}

/// Reads every stored probe: the rows in id order, then the packed probes by contact.
fn stored_probes(case: &Path) -> Vec<StoredProbe> {
    let conn = Connection::open(case).expect("open case");
    let mut statement = conn
        .prepare("SELECT id, contact_id, ts_ns, record, byte_offset, source_text FROM probe ORDER BY id")
        .expect("prepare");
    let rows = statement
        .query_map([], |row| {
            Ok(StoredProbe {
                id: Some(row.get(0)?),
                contact_id: row.get(1)?,
                ts_ns: row.get(2)?,
                record: row.get::<_, i64>(3)? as u64,
                byte_offset: row.get::<_, i64>(4)? as u64,
                text: row.get(5)?,
            })
        })
        .expect("query");
    let mut probes: Vec<StoredProbe> = rows.collect::<Result<_, _>>().expect("probe rows");
    let packed = scancase::case::Case::open(case).expect("case opens").packed_probes().expect("packed probes");
    let packed: BTreeMap<i64, _> = packed.into_iter().collect();
    for (contact_id, contact_probes) in packed {
        for (ts_ns, locator) in contact_probes {
            let (record, byte_offset) = (locator.record, locator.byte_offset);
            probes.push(StoredProbe { id: None, contact_id, ts_ns, record, byte_offset, text: None });
        }
    }
    probes
}

/// Idle timeout of the aggregator's contacts, in seconds. A key probed again after one to two
/// timeouts gets a new contact, depending on when the aggregator's generations turn.
const CONTACT_IDLE_TIMEOUT_SECONDS: i64 = 3_600;

/// Returns the syslog time of a line in 2026 (RFC 3164 header, as the corpus logs have it),
/// in seconds.
fn syslog_seconds(text: &str) -> i64 {
    let stamp = format!("2026 {}", &text[..15]);
    let time = chrono::NaiveDateTime::parse_from_str(&stamp, "%Y %b %e %H:%M:%S").expect("RFC 3164 time");
    time.and_utc().timestamp()
}

/// Counts the gaps between consecutive probes of one key that are longer than two contact
/// idle timeouts, each of which starts a second contact. Fails on a gap between one and two
/// timeouts, where the split depends on the aggregator's turns.
fn idle_splits(lines: &[LogLine], name: &str) -> usize {
    let mut times: BTreeMap<_, Vec<i64>> = BTreeMap::new();
    for line in lines {
        times.entry(contact_key(&line.text)).or_default().push(syslog_seconds(&line.text));
    }
    let mut splits = 0;
    for key_times in times.values_mut() {
        key_times.sort_unstable();
        for gap in key_times.windows(2).map(|pair| pair[1] - pair[0]) {
            let ambiguous = gap > CONTACT_IDLE_TIMEOUT_SECONDS && gap <= 2 * CONTACT_IDLE_TIMEOUT_SECONDS;
            assert!(!ambiguous, "{name}: a gap of {gap} s between probes of one key");
            splits += usize::from(gap > 2 * CONTACT_IDLE_TIMEOUT_SECONDS);
        }
    }
    splits
}

/// Analyzes `case` and returns the findings of `scancase findings --json`.
fn analyzed_findings(case: &Path) -> Vec<serde_json::Value> {
    cargo_bin_cmd!("scancase").arg("analyze").arg(case).assert().success();
    let output = cargo_bin_cmd!("scancase").arg("findings").arg(case).arg("--json").output().expect("findings listed");
    assert!(output.status.success());
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("findings JSON");
    json["findings"].as_array().expect("a findings list").clone()
}

/// Writes the Markdown report of `case` into `folder` and returns it.
fn markdown_report(folder: &Path, case: &Path) -> String {
    let report = folder.join("report.md");
    cargo_bin_cmd!("scancase").arg("report").arg(case).args(["--format", "md", "-o"]).arg(&report).assert().success();
    std::fs::read_to_string(&report).expect("report written")
}

fn contact_count(case: &Path) -> usize {
    let conn = Connection::open(case).expect("open case");
    conn.query_row("SELECT COUNT(*) FROM contact", [], |row| row.get::<_, i64>(0)).expect("count") as usize
}

#[test]
fn corpus_log_probes_keep_locators_and_lines() {
    for name in CORPUS_LOGS {
        let folder = tempfile::tempdir().expect("temporary folder");
        let log = fixture(name);
        let lines = read_lines(&log);
        let case = import(folder.path(), &log);
        let probes = stored_probes(&case);

        assert_eq!(probes.len(), lines.len(), "{name}: one probe per line");
        let mut stored: Vec<(u64, u64)> = probes.iter().map(|probe| (probe.record, probe.byte_offset)).collect();
        stored.sort_unstable();
        let expected: Vec<(u64, u64)> = lines.iter().map(|line| (line.number, line.byte_offset)).collect();
        assert_eq!(stored, expected, "{name}: line numbers and byte offsets");

        let keys: BTreeSet<_> = lines.iter().map(|line| contact_key(&line.text)).collect();
        let expected_contacts = keys.len() + idle_splits(&lines, name);
        assert_eq!(contact_count(&case), expected_contacts, "{name}: one contact per key and run of probes");

        for probe in &probes {
            if let Some(text) = &probe.text {
                let line = &lines[probe.record as usize - 1];
                assert_eq!(text, &line.text, "{name}: text of line {}", probe.record);
            }
        }

        // The first probes of each contact by (time, row id) are the ones a finding can show:
        // rows with their line. These logs are in time order, so a packed probe comes after them.
        let mut by_contact: BTreeMap<i64, Vec<&StoredProbe>> = BTreeMap::new();
        for probe in &probes {
            by_contact.entry(probe.contact_id).or_default().push(probe);
        }
        for group in by_contact.values_mut() {
            group.sort_by_key(|probe| (probe.ts_ns, probe.id.is_none(), probe.id));
            for probe in group.iter().take(CITATIONS_SHOWN) {
                assert!(probe.id.is_some(), "{name}: line {} is packed but can be cited", probe.record);
                assert!(probe.text.is_some(), "{name}: line {} has no text but can be cited", probe.record);
            }
            let rows = group.iter().filter(|probe| probe.id.is_some()).count();
            assert_eq!(rows, group.len().min(CITATIONS_SHOWN), "{name}: only citable probes are rows");
        }
    }
}

#[test]
fn large_contact_keeps_cited_lines_only() {
    // The benign log sends 405 SYNs to port 80 of one host, in time order: only the first 20
    // can be cited, so only they are rows with their lines, and the rest are packed.
    let folder = tempfile::tempdir().expect("temporary folder");
    let case = import(folder.path(), &fixture("benign_curl_web_dns_vic1.log"));
    let probes = stored_probes(&case);
    let mut sizes: BTreeMap<i64, usize> = BTreeMap::new();
    for probe in &probes {
        *sizes.entry(probe.contact_id).or_default() += 1;
    }
    let (largest, size) = sizes.iter().max_by_key(|(_, size)| **size).expect("contacts");
    assert_eq!(*size, 405);
    let largest_probes: Vec<&StoredProbe> = probes.iter().filter(|probe| probe.contact_id == *largest).collect();
    let texts = largest_probes.iter().filter(|probe| probe.text.is_some()).count();
    assert_eq!(texts, CITATIONS_SHOWN);
    let rows = largest_probes.iter().filter(|probe| probe.id.is_some()).count();
    assert_eq!(rows, CITATIONS_SHOWN);
}

#[test]
fn report_cites_log_lines() {
    // The benign log is imported first, so the scan's contacts do not start at row id 1.
    let folder = tempfile::tempdir().expect("temporary folder");
    let scan = fixture("scan_nmap_sT_vic1.log");
    let case = import(folder.path(), &fixture("benign_curl_web_dns_vic1.log"));
    cargo_bin_cmd!("scancase")
        .arg("import")
        .arg(&case)
        .arg(&scan)
        .args(["--tz", "UTC", "--year", "2026"])
        .assert()
        .success();
    cargo_bin_cmd!("scancase").arg("analyze").arg(&case).assert().success();
    let report = folder.path().join("report.md");
    cargo_bin_cmd!("scancase").arg("report").arg(&case).args(["--format", "md", "-o"]).arg(&report).assert().success();
    let markdown = std::fs::read_to_string(&report).expect("report written");

    // The scan's log is in time order, so its finding's first citations are its first lines,
    // and the report shows each as written in the log, without the trailing space the kernel
    // writes.
    let cited: Vec<u64> = read_lines(&scan)
        .iter()
        .filter(|line| markdown.contains(&format!("`{}`", line.text.trim_end())))
        .map(|line| line.number)
        .collect();
    let expected: Vec<u64> = (1..=CITATIONS_SHOWN as u64).collect();
    assert_eq!(cited, expected);
}

/// A FortiGate log of 26 denied sessions from one source to 26 ports of one host, derived
/// from a real traffic line (see `fixtures/README.md`). Its records carry no TCP flags, so
/// the blocked sessions are the only sign of the scan.
#[test]
fn denied_sessions_without_flags_form_a_scan() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let out = dir.path().join("out");
    cargo_bin_cmd!("scancase")
        .args(["investigate", "--out"])
        .arg(&out)
        .arg(fixture("fortigate/derived_deny_scan_26ports.log"))
        .assert()
        .success();
    let output = cargo_bin_cmd!("scancase").arg("findings").arg(out.join("case.scancase")).arg("--json").output();
    let output = output.expect("findings listed");
    assert!(output.status.success());
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("findings JSON");
    let findings = json["findings"].as_array().expect("a findings list");
    assert_eq!(findings.len(), 1, "{json}");
    assert_eq!(findings[0]["sources"], serde_json::json!(["203.0.113.9"]));
    assert_eq!(findings[0]["kind"], "vertical");
    assert_eq!(findings[0]["ports"].as_array().expect("ports").len(), 26);
}

/// The corpus's 8-port SYN scan, then the same lines two hours later. The aggregator finishes
/// each contact after one to two hours without probes, so the case stores every contact twice,
/// and the analysis still gives one finding with every probe.
#[test]
fn scan_repeated_after_idle_gap_is_one_finding() {
    let folder = tempfile::tempdir().expect("temporary folder");
    let scan = std::fs::read_to_string(fixture("scan_nmap_sS_8ports_vic1.log")).expect("fixture");
    assert!(scan.lines().all(|line| line.starts_with("Dec  4 19:")), "the shift below rewrites the hour 19");
    let log = folder.path().join("repeated.log");
    std::fs::write(&log, format!("{scan}{}", scan.replace("Dec  4 19:", "Dec  4 21:"))).expect("log written");
    let lines = 2 * scan.lines().count();
    let keys: BTreeSet<_> = scan.lines().map(contact_key).collect();

    let case = import(folder.path(), &log);
    assert_eq!(contact_count(&case), 2 * keys.len(), "one contact per key and run");
    assert_eq!(stored_probes(&case).len(), lines);

    let findings = analyzed_findings(&case);
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0]["contacts"], keys.len());
    assert_eq!(findings[0]["probes"], lines);
    assert_eq!(findings[0]["citations"], lines);
    assert_eq!(findings[0]["ports"].as_array().expect("ports").len(), keys.len());

    // The report's probe data counts the probes of both runs: telnet was probed twice in each.
    let markdown = markdown_report(folder.path(), &case);
    assert!(markdown.contains(&format!("Probe data of F-1: {lines} probes")), "{markdown}");
    assert!(markdown.contains("| tcp/23 (telnet) | 4 |"), "{markdown}");
}

/// The corpus's 8-port SYN scan repeated twelve times a minute apart: port 23 gets 24 probes,
/// the other ports 12. Port 23's last 4 probes are packed, and the finding still counts, charts
/// and cites from all 108.
#[test]
fn packed_probes_count_in_finding() {
    let folder = tempfile::tempdir().expect("temporary folder");
    let scan = std::fs::read_to_string(fixture("scan_nmap_sS_8ports_vic1.log")).expect("fixture");
    assert!(scan.lines().all(|line| line.starts_with("Dec  4 19:35:")), "the runs below rewrite the minute 35");
    let runs: String = (35..47).map(|minute| scan.replace("Dec  4 19:35:", &format!("Dec  4 19:{minute}:"))).collect();
    let log = folder.path().join("repeated.log");
    std::fs::write(&log, runs).expect("log written");

    let case = import(folder.path(), &log);
    let probes = stored_probes(&case);
    assert_eq!(probes.len(), 108);
    assert_eq!(probes.iter().filter(|probe| probe.id.is_none()).count(), 4, "port 23's probes after the first 20");

    let findings = analyzed_findings(&case);
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0]["probes"], 108);
    assert_eq!(findings[0]["citations"], 108);

    let markdown = markdown_report(folder.path(), &case);
    assert!(markdown.contains("Probe data of F-1: 108 probes"), "{markdown}");
    assert!(markdown.contains("| tcp/23 (telnet) | 24 |"), "{markdown}");
}

/// A SYN scan of 2,500 ports in one second: every contact is still active at the end of the
/// file, so the aggregator finishes all of them at once and the case stores them in groups.
#[test]
fn contacts_finished_together_all_stored() {
    let folder = tempfile::tempdir().expect("temporary folder");
    let scan = std::fs::read_to_string(fixture("scan_nmap_sS_8ports_vic1.log")).expect("fixture");
    let first = scan.lines().next().expect("a line");
    let port = field(first, "DPT").expect("a destination port");
    let lines: String =
        (1..=2500).map(|dpt| first.replace(&format!("DPT={port} "), &format!("DPT={dpt} ")) + "\n").collect();
    let log = folder.path().join("wide.log");
    std::fs::write(&log, lines).expect("log written");

    let case = import(folder.path(), &log);
    assert_eq!(contact_count(&case), 2500);
    let probes = stored_probes(&case);
    assert_eq!(probes.len(), 2500);
    let contacts: BTreeSet<i64> = probes.iter().map(|probe| probe.contact_id).collect();
    assert_eq!(contacts.len(), 2500, "one probe per contact");

    let findings = analyzed_findings(&case);
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0]["contacts"], 2500);
}
