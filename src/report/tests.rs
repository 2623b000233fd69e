//! Tests of drafting and rendering on a hand-built case: one SYN scan from 10.200.0.10
//! against eight ports of 10.200.0.100, seen in a capture and a firewall log.
//!
//! The PDF tests run `pdftotext` from poppler-utils on the written file. Set
//! `SCANCASE_REPORT_EXAMPLE=/path/file.pdf` to keep the sample case's PDF for viewing.
//!
//! Submodules test escaping, the exports, the PDF's structure and the golden files.

mod assembly;
mod escaping;
mod exports;
mod golden;
mod pdf_output;

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::process::Command;

use super::*;
use crate::model::{
    Anomaly, Citation, Confidence, EvidenceKind, ImportSummary, Locator, OpenPort, OutcomeCounts, ScanKind, Severity,
    SeverityLevel, Technique,
};

const SOURCE: &str = "10.200.0.10";
const TARGET: &str = "10.200.0.100";
const FIRST_PROBE: &str = "2026-12-04T19:35:42.547877Z";

fn ts(rfc3339: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .expect("valid test time")
        .timestamp_nanos_opt()
        .expect("test time in range")
}

fn ip(text: &str) -> IpAddr {
    text.parse().expect("valid test address")
}

pub(crate) fn scan_finding() -> Finding {
    let ports = vec![21, 22, 23, 25, 53, 80, 110, 443];
    let citations = (0..2)
        .map(|i| Citation {
            probe_id: 100 + i,
            evidence_id: 1,
            locator: Locator { record: 7 + i as u64, byte_offset: 1_024 + 74 * i as u64 },
            excerpt: format!("{SOURCE}:40512 > {TARGET}:{} TCP [S] win 1024 | ttl 44", 21 + i),
        })
        .collect();
    Finding {
        id: "F-1".to_string(),
        kind: ScanKind::Vertical,
        technique: Technique::TcpSyn,
        sources: vec![ip(SOURCE)],
        decoys: Vec::new(),
        targets: vec![ip(TARGET)],
        ports,
        first_seen_ns: ts(FIRST_PROBE),
        last_seen_ns: ts("2026-12-04T19:35:44.912004Z"),
        probes: 16,
        contacts: 8,
        outcomes: OutcomeCounts { open: 2, closed: 6, filtered: 0, blocked: 0, unanswered: 0 },
        open_ports: vec![OpenPort { target: ip(TARGET), port: 22 }, OpenPort { target: ip(TARGET), port: 80 }],
        median_gap_ms: Some(12.0),
        regular_timing: None,
        host_discovery: None,
        clock_offsets: Vec::new(),
        fingerprint: None,
        ip_protocols: Vec::new(),
        extra_activity: Vec::new(),
        internal_source: false,
        suppressed: None,
        severity: Severity {
            score: 58,
            level: SeverityLevel::Medium,
            explanation: "8 ports probed in 2.4 s; 2 answered as open.".to_string(),
        },
        confidence: Confidence {
            percent: 92,
            explanation: "SYN probes to 8 ports without completed handshakes.".to_string(),
        },
        attack: vec!["T1046".to_string(), "T1595.001".to_string()],
        explanation: "10.200.0.10 sent SYN probes to 8 ports of 10.200.0.100.".to_string(),
        citations,
        citations_total: 16,
    }
}

fn evidence() -> Vec<EvidenceRecord> {
    let mut capture = ImportSummary::new("pcapng");
    capture.records = 40;
    capture.observations = 36;
    capture.skipped.insert("non-IP frame".to_string(), 4);
    capture.first_ts_ns = Some(ts("2026-12-04T19:35:40.000100Z"));
    capture.last_ts_ns = Some(ts("2026-12-04T19:36:10.250000Z"));
    capture.anomalies.push(Anomaly {
        locator: Locator { record: 39, byte_offset: 5_120 },
        message: "frame truncated to 60 of 74 bytes".to_string(),
    });
    capture.anomalies_total = 1;

    let mut log = ImportSummary::new("netfilter-syslog");
    log.records = 12;
    log.observations = 12;
    log.first_ts_ns = Some(ts("2026-12-04T19:35:41.000000Z"));
    log.last_ts_ns = Some(ts("2026-12-04T19:36:30.000000Z"));
    log.time_assumption = Some("Times read in UTC; year 2026 taken from the import date.".to_string());

    vec![
        EvidenceRecord {
            id: 1,
            path: "/cases/lab/scan-2026-12-04.pcapng".to_string(),
            size_bytes: 48_213,
            sha256: "9f2c4e1a7b3d5c6e8f0a1b2c3d4e5f60718293a4b5c6d7e8f9012345678abcde".to_string(),
            kind: EvidenceKind::Capture,
            imported_at_ns: ts("2026-12-05T07:58:00Z"),
            imported_by: Some("Дмитрий".to_string()),
            modified_ns: None,
            summary: capture,
            verification: None,
            custody: Vec::new(),
        },
        EvidenceRecord {
            id: 2,
            path: "/cases/lab/gateway-kern.log".to_string(),
            size_bytes: 2_048,
            sha256: "0a1b2c3d4e5f60718293a4b5c6d7e8f9012345678abcdef9f2c4e1a7b3d5c6e8".to_string(),
            kind: EvidenceKind::FirewallLog,
            imported_at_ns: ts("2026-12-05T07:59:00Z"),
            imported_by: None,
            modified_ns: None,
            summary: log,
            verification: None,
            custody: Vec::new(),
        },
    ]
}

/// Sixteen probes of `F-1` over its 2.364127 s, port 22 probed three times and port 23 once,
/// as nmap retransmits probes that get no reply.
fn probe_points() -> Vec<ProbePoint> {
    let ports: [u16; 16] = [80, 443, 22, 21, 23, 25, 53, 110, 22, 80, 443, 22, 25, 53, 110, 21];
    let start = ts(FIRST_PROBE);
    let span = ts("2026-12-04T19:35:44.912004Z") - start;
    ports
        .iter()
        .enumerate()
        .map(|(i, &port)| ProbePoint { finding_id: "F-1".to_string(), ts_ns: start + span * i as i64 / 15, port })
        .collect()
}

fn input_with(findings: Vec<Finding>) -> ReportInput {
    let mut parameters = BTreeMap::new();
    parameters.insert("min_ports".to_string(), "5".to_string());
    parameters.insert("window_seconds".to_string(), "60".to_string());
    ReportInput {
        case: CaseInfo {
            name: "Lab scan December".to_string(),
            examiner: Some("Ελένη Παπαδοπούλου".to_string()),
            created_at_ns: ts("2026-12-05T07:50:00Z"),
            created_by_version: "0.1.0".to_string(),
        },
        evidence: evidence(),
        findings,
        analysis: Some(AnalysisRun {
            ran_at_ns: ts("2026-12-05T08:00:00.125Z"),
            version: "0.1.0".to_string(),
            parameters,
        }),
        generated_at_ns: ts("2026-12-05T08:05:00Z"),
        classification: None,
        organisation: None,
        probe_points: Vec::new(),
        excluded_findings: Vec::new(),
        events: Vec::new(),
        attachments: Vec::new(),
    }
}

fn section(report: &Report, kind: SectionKind) -> &Section {
    report.sections.iter().find(|s| s.kind == kind).expect("section present")
}

fn field_value<'a>(section: &'a Section, label_prefix: &str) -> &'a str {
    section
        .blocks
        .iter()
        .filter_map(|block| match block {
            Block::Fields { fields } => Some(fields),
            _ => None,
        })
        .flatten()
        .find(|field| field.label.starts_with(label_prefix))
        .map(|field| field.value.as_str())
        .unwrap_or_else(|| panic!("no field labelled {label_prefix}"))
}

/// Splits a text into address-like tokens, so `10.200.0.10` does not match inside
/// `10.200.0.100`.
fn tokens(text: &str) -> Vec<&str> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == ':')).collect()
}

fn pdftotext(pdf: &[u8], extra_args: &[&str]) -> String {
    let file = tempfile::NamedTempFile::new().expect("temp file");
    std::fs::write(file.path(), pdf).expect("write PDF");
    let output = Command::new("pdftotext")
        .args(extra_args)
        .arg(file.path())
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) must be installed to check the PDF");
    assert!(output.status.success(), "pdftotext failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).expect("pdftotext writes UTF-8")
}

#[test]
fn markdown_has_eight_sections_in_order() {
    let markdown = to_markdown(&draft(&input_with(vec![scan_finding()])));
    let mut last = 0;
    for (index, kind) in SectionKind::ALL.iter().enumerate() {
        let heading = format!("\n## {}. {}\n", index + 1, kind.title());
        let position = markdown.find(&heading).unwrap_or_else(|| panic!("missing {heading}"));
        assert!(position > last, "{heading} out of order");
        last = position;
    }
    assert_eq!(markdown.lines().filter(|line| line.starts_with("## ")).count(), 8);
    assert!(markdown.starts_with("# Incident report: Lab scan December\n"));
}

#[test]
fn source_listed_apart_from_affected_systems() {
    let report = draft(&input_with(vec![scan_finding()]));
    let details = section(&report, SectionKind::IncidentDetails);
    let sources = field_value(details, "Sources");
    let affected = field_value(details, "Affected systems");
    assert!(tokens(sources).contains(&SOURCE));
    assert!(tokens(affected).contains(&TARGET));
    assert!(!tokens(affected).contains(&SOURCE), "source listed as affected: {affected}");
    assert!(affected.contains("tcp/22 (ssh)"));
    assert!(affected.contains("21-23, 25, 53, 80, 110, 443"));

    let markdown = to_markdown(&report);
    let affected_line =
        markdown.lines().find(|line| line.starts_with("- **Affected systems")).expect("affected systems line");
    assert!(!tokens(affected_line).contains(&SOURCE));
}

#[test]
fn scanning_address_never_affected_by_own_scan() {
    let mut finding = scan_finding();
    finding.targets.push(ip(SOURCE));
    let report = draft(&input_with(vec![finding]));
    let affected = field_value(section(&report, SectionKind::IncidentDetails), "Affected systems");
    assert!(!tokens(affected).contains(&SOURCE));
}

#[test]
fn examiner_entries_are_listed_and_unique() {
    let report = draft(&input_with(vec![scan_finding()]));
    let pending = report.pending_examiner_entries();
    let keys: Vec<&str> = pending.iter().map(|entry| entry.key.as_str()).collect();
    for expected in [
        "incident_details.resolution",
        "incident_details.reporter_name",
        "incident_details.reporting_time",
        "timeline.containment",
        "detection.root_cause",
        "response.notifications",
        "impact.damages",
        "lessons.additional_recommendations",
        "appendices.chain_of_custody",
    ] {
        assert!(keys.contains(&expected), "missing examiner entry {expected}");
    }
    let mut sorted = keys.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), keys.len(), "duplicate examiner keys");
    assert!(pending.iter().all(|entry| entry.value.is_none()));

    let markdown = to_markdown(&report);
    assert_eq!(markdown.matches(EXAMINER_PENDING).count(), pending.len());
}

#[test]
fn filled_examiner_entry_leaves_pending_list() {
    let mut report = draft(&input_with(vec![scan_finding()]));
    let before = report.pending_examiner_entries().len();
    for block in report.sections.iter_mut().flat_map(|s| s.blocks.iter_mut()) {
        if let Block::ExaminerEntry(entry) = block {
            if entry.key == "incident_details.reporter_name" {
                entry.value = Some("Дмитрий Иванов".to_string());
            }
        }
    }
    assert_eq!(report.pending_examiner_entries().len(), before - 1);
    assert!(to_markdown(&report).contains("- **Reporter name (examiner):** Дмитрий Иванов"));
}

#[test]
fn markdown_has_no_placeholders() {
    let markdown = to_markdown(&draft(&input_with(vec![scan_finding()])));
    // Cited excerpts are code spans and may quote tcpdump flags such as `[S]`.
    let prose: String = markdown.split('`').step_by(2).collect();
    assert!(markdown.contains("TCP [S]"), "excerpt missing");
    assert!(!prose.contains('['), "bracketed text found outside excerpts");
    for word in ["N/A", "TBD", "TODO", "lorem"] {
        assert!(!markdown.contains(word), "{word} found");
    }
}

#[test]
fn finding_details_carry_evidence_numbers() {
    let markdown = to_markdown(&draft(&input_with(vec![scan_finding()])));
    assert!(markdown.contains(&format!("- **First probe:** {FIRST_PROBE}")));
    assert!(markdown.contains("- **Technique:** TCP SYN (half-open) scan"));
    assert!(markdown.contains("open 2, closed 6, filtered 0, blocked 0, unanswered 0"));
    assert!(markdown.contains("- **Confidence:** 92%: SYN probes"));
    assert!(markdown.contains("- **Severity:** Medium (score 58 of 100): 8 ports probed"));
    assert!(markdown.contains("T1046 Network Service Discovery, T1595.001 Active Scanning: Scanning IP Blocks"));
    assert!(markdown.contains("14 more cited in the case file."));
    assert!(markdown.contains("- **Verification:** Not yet verified."));
    assert!(markdown.contains("E2 (gateway-kern.log): Times read in UTC; year 2026"));
    assert!(markdown.contains("| `min\\_ports` | `5` |") || markdown.contains("| `min_ports` | `5` |"));
    assert!(markdown.contains("Detected by scancase analysis at 2026-12-05T08:00:00.125000Z"));
}

#[test]
fn recommendations_name_hosts_once() {
    let mut second = scan_finding();
    second.id = "F-2".to_string();
    let markdown = to_markdown(&draft(&input_with(vec![scan_finding(), second])));
    let block = "- Block or rate-limit 10.200.0.10 at the perimeter.";
    assert_eq!(markdown.matches(block).count(), 1);
    let review = "- Review whether 10.200.0.100 needs to expose tcp/22 (ssh) to 10.200.0.10's network.";
    assert_eq!(markdown.matches(review).count(), 1);
    assert!(markdown.contains("M1031 Network Intrusion Prevention"));
    assert!(markdown.contains("| T1046 Network Service Discovery | Discovery | F-1, F-2 |"));
}

#[test]
fn window_and_maimon_get_filter_advice() {
    for technique in [crate::model::Technique::TcpWindow, crate::model::Technique::TcpMaimon] {
        let mut finding = scan_finding();
        finding.technique = technique;
        let markdown = to_markdown(&draft(&input_with(vec![finding])));
        assert!(markdown.contains("probes are built to pass stateless filters"), "{technique:?}");
    }
}

#[test]
fn empty_case_keeps_every_section() {
    let input = input_with(Vec::new());
    let report = draft(&input);
    let kinds: Vec<SectionKind> = report.sections.iter().map(|s| s.kind).collect();
    assert_eq!(kinds, SectionKind::ALL.to_vec());
    assert!(report.sections.iter().all(|s| !s.blocks.is_empty()));
    let markdown = to_markdown(&report);
    assert!(markdown.contains(
        "No scan was found in the imported evidence (covering 2026-12-04T19:35:40.000100Z to \
         2026-12-04T19:36:30.000000Z)."
    ));
    assert!(
        markdown.contains("- **Compromise:** No evidence in the imported data (covering 2026-12-04T19:35:40.000100Z")
    );
    assert!(!markdown.contains('['), "bracketed text found");
}

#[test]
fn case_without_evidence_says_so() {
    let mut input = input_with(Vec::new());
    input.evidence.clear();
    input.analysis = None;
    let markdown = to_markdown(&draft(&input));
    assert!(markdown.contains("No scan was found in the imported evidence (no evidence file has been imported)."));
    assert!(markdown.contains("No analysis run is recorded in this case"));
    assert!(to_pdf(&draft(&input)).expect("PDF of an empty case").starts_with(b"%PDF"));
}

#[test]
fn report_json_round_trips() {
    let report = draft(&input_with(vec![scan_finding()]));
    let json = serde_json::to_string(&report).expect("serialize");
    let back: Report = serde_json::from_str(&json).expect("deserialize");
    assert_eq!(back, report);
    assert!(json.contains("\"type\":\"examiner_entry\""));
}

#[test]
fn pdf_text_shows_key_facts() {
    let mut report = draft(&input_with(vec![scan_finding()]));
    for block in report.sections.iter_mut().flat_map(|s| s.blocks.iter_mut()) {
        if let Block::ExaminerEntry(entry) = block {
            if entry.key == "incident_details.reporter_name" {
                entry.value = Some("Дмитрий Иванов".to_string());
            }
        }
    }
    let pdf = to_pdf(&report).expect("PDF");
    assert!(pdf.starts_with(b"%PDF"));
    let text = pdftotext(&pdf, &[]);
    for expected in
        [SOURCE, TARGET, "TCP SYN (half-open) scan", FIRST_PROBE, "Page 2 of", "1. Executive summary", "8. Appendices"]
    {
        assert!(text.contains(expected), "PDF text lacks {expected}");
    }
    assert!(text.contains("Ελένη Παπαδοπούλου"), "Greek examiner name lost");
    assert!(text.contains("Дмитрий Иванов"), "Cyrillic reporter name lost");
    assert!(text.contains("To be completed by the examiner."));

    let pages: Vec<&str> = text.split('\u{c}').filter(|page| !page.trim().is_empty()).collect();
    assert!(pages.len() > 2);
    assert!(!pages[0].contains("Page 1 of"), "the cover has no footer");
    for (index, page) in pages.iter().enumerate().skip(1) {
        let footer = format!("Page {} of {}", index + 1, pages.len());
        assert!(page.contains(&footer), "page {} lacks {footer}", index + 1);
        assert!(page.contains("Lab scan December"), "page {} lacks the case name header", index + 1);
    }
}

#[test]
fn pdf_long_cells_stay_on_page() {
    let mut finding = scan_finding();
    finding.citations[0].excerpt = "x".repeat(700);
    let mut input = input_with(vec![finding]);
    input.evidence[0].path = format!("/evidence/{}/capture.pcapng", "deeply-nested-folder".repeat(12));
    let pdf = to_pdf(&draft(&input)).expect("PDF");
    let html = pdftotext(&pdf, &["-bbox"]);
    let mut words = 0;
    for piece in html.split("xMax=\"").skip(1) {
        let value: f32 = piece.split('"').next().and_then(|v| v.parse().ok()).expect("xMax number");
        assert!(value <= layout_right_edge(), "word ends at x = {value}");
        words += 1;
    }
    assert!(words > 100, "too few words measured: {words}");
    assert!(html.contains("9f2c4e1a7b3d5c6e"), "hash missing");
}

/// Right edge of the content area, with half a point for rounding in the text extraction.
fn layout_right_edge() -> f32 {
    super::pdf_layout::PAGE_WIDTH - super::pdf_layout::MARGIN_X + 0.5
}

#[test]
fn wrapped_lines_fit_width() {
    let mut doc = printpdf::PdfDocument::new("wrap test");
    let fonts = super::pdf_layout::Fonts::load(&mut doc).expect("fonts");
    let text = "Ελένη Παπαδοπούλου reviewed 9f2c4e1a7b3d5c6e8f0a1b2c3d4e5f60718293a4b5c6d7e8f9012345678abcde \
                and /a/very/long/path/that/does/not/fit/on/one/line/at/all/capture-2026-12-04.pcapng";
    for style in [super::pdf_layout::FontStyle::Regular, super::pdf_layout::FontStyle::Mono] {
        let lines = fonts.wrap(style, 9.0, text, 120.0);
        assert!(lines.len() > 3);
        for line in &lines {
            assert!(fonts.width(style, 9.0, line) <= 120.0 + 0.01, "{line:?} too wide");
        }
        let rejoined: String = lines.concat().chars().filter(|c| !c.is_whitespace()).collect();
        let original: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        assert_eq!(rejoined, original, "wrapping lost characters");
    }
    assert_eq!(fonts.printable(super::pdf_layout::FontStyle::Regular, "a\u{4e2d}b\tc"), "a\u{FFFD}b c");
    assert_eq!(fonts.missing_characters(), vec!['\u{4e2d}']);
}

#[test]
fn text_formats_ports_addresses_times() {
    use super::text::{compress_addresses, compress_ports, format_duration, format_ts};
    assert_eq!(compress_ports(&[443, 21, 22, 23, 25, 22]), "21-23, 25, 443");
    assert_eq!(compress_ports(&(1..=1024).collect::<Vec<u16>>()), "1-1024");
    let addresses = [ip("10.0.0.3"), ip("10.0.0.1"), ip("10.0.0.2"), ip("192.0.2.9"), ip("2001:db8::1")];
    assert_eq!(compress_addresses(&addresses), "10.0.0.1-10.0.0.3, 192.0.2.9, 2001:db8::1");
    assert_eq!(format_ts(ts(FIRST_PROBE)), FIRST_PROBE);
    assert_eq!(format_ts(ts(FIRST_PROBE) + 1), "2026-12-04T19:35:42.547877001Z");
    assert_eq!(format_duration(2_364_127_000), "2.4 s");
    assert_eq!(format_duration(3_725_000_000_000), "1 h 2 min");
}

#[test]
fn extreme_values_render_without_panic() {
    let mut finding = scan_finding();
    finding.first_seen_ns = i64::MIN;
    finding.last_seen_ns = i64::MAX;
    finding.probes = u64::MAX;
    finding.outcomes =
        OutcomeCounts { open: u64::MAX, closed: u64::MAX, filtered: 0, blocked: u64::MAX, unanswered: 1 };
    finding.ports = Vec::new();
    finding.sources = Vec::new();
    finding.explanation = "\u{0}\u{7}\r\n\t".to_string();
    finding.attack = vec![" ".to_string(), "t1046".to_string()];
    let mut input = input_with(vec![finding.clone(), finding]);
    input.case.name = "|#*_[x]`\n".to_string();
    input.evidence[0].summary.first_ts_ns = Some(i64::MIN);

    let mut report = draft(&input);
    report.sections[0].blocks.push(Block::Table(Table {
        columns: vec![Column { title: "header ".repeat(2_000), monospace: false }],
        rows: vec![vec![], vec!["a".repeat(3_000), "extra cell".to_string()]],
    }));
    let markdown = to_markdown(&report);
    assert!(markdown.contains("# Incident report: \\|\\#\\*\\_\\[x\\]\\`"));
    let pdf = to_pdf(&report).expect("PDF of extreme values");
    assert!(pdf.starts_with(b"%PDF"));
    assert!(pdftotext(&pdf, &[]).contains("Page 2 of"));
}
