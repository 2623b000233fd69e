//! Checks that reading a case's findings and drafting its report never scan a large table.
//!
//! A case can contain millions of contacts and probes, so every read the report and the desktop app
//! make must go through an index. SQLite counts, per statement, the rows it stepped through
//! in a full table scan (`SQLITE_STMTSTATUS_FULLSCAN_STEP`); the tests record that count for
//! every statement the read path runs on a case built from a real scan capture.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rusqlite::trace::{TraceEvent, TraceEventCodes};
use rusqlite::StatementStatus;

use super::Case;
use crate::analysis::{analyze_case, Parameters};
use crate::import::{import_file, ImportOptions, NoProgress};

/// A statement the read path ran, with the rows it stepped through in full scans.
#[derive(Debug)]
struct StatementRun {
    sql: String,
    full_scan_steps: i32,
}

/// Maximum full-scan steps of one read. The small tables (case metadata, evidence, analysis
/// runs, findings, examiner entries) may be scanned. The scan capture below gives the
/// contact and probe tables about 2,000 rows each, far above this bound.
const SMALL_TABLE_ROWS: i32 = 50;

fn fixture(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(relative)
}

/// Builds an analyzed case from a 1,000-port nmap SYN scan capture.
fn analyzed_case(dir: &Path) -> Case {
    let mut case = Case::create(&dir.join("case.scancase"), "read path", None).expect("case created");
    import_file(&mut case, &fixture("capture/scan_nmap_sS_vic1.pcap"), &ImportOptions::default(), &mut NoProgress)
        .expect("capture imported");
    let outcome = analyze_case(&mut case, &Parameters::default(), None).expect("case analyzed");
    assert!(!outcome.findings.is_empty(), "the scan capture gives a finding");
    case
}

/// Records every statement the connection finishes from now on.
fn record_statements(case: &mut Case) -> Arc<Mutex<Vec<StatementRun>>> {
    let runs = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&runs);
    case.conn
        .trace_v2(
            TraceEventCodes::SQLITE_TRACE_PROFILE,
            Some(move |event: TraceEvent<'_>| {
                if let TraceEvent::Profile(statement, _) = event {
                    let run = StatementRun {
                        sql: statement.sql().into_owned(),
                        full_scan_steps: statement.get_status(StatementStatus::FullscanStep),
                    };
                    sink.lock().expect("trace sink").push(run);
                }
            }),
        )
        .expect("trace installed");
    runs
}

fn row_count(case: &Case, table: &str) -> i64 {
    case.conn.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |row| row.get(0)).expect("count")
}

#[test]
fn contact_and_probe_tables_dwarf_bound() {
    let dir = tempfile::tempdir().expect("temp dir");
    let case = analyzed_case(dir.path());
    assert!(row_count(&case, "contact") > 20 * i64::from(SMALL_TABLE_ROWS));
    assert!(row_count(&case, "probe") > 20 * i64::from(SMALL_TABLE_ROWS));
    assert!(row_count(&case, "finding_citation") > 20 * i64::from(SMALL_TABLE_ROWS));
}

#[test]
fn recorder_flags_contact_scan() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut case = analyzed_case(dir.path());
    let contacts = row_count(&case, "contact");
    let runs = record_statements(&mut case);
    let _probes: i64 = case.conn.query_row("SELECT SUM(probes) FROM contact", [], |row| row.get(0)).expect("sum");

    let runs = runs.lock().expect("trace sink");
    let scan = runs.iter().find(|run| run.sql.contains("FROM contact")).expect("sum statement recorded");
    assert!(i64::from(scan.full_scan_steps) >= contacts - 1, "full scan of {contacts} contacts: {scan:?}");
}

#[test]
fn findings_listing_scans_no_large_table() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = analyzed_case(dir.path()).path().to_path_buf();
    let mut case = Case::open(&path).expect("case reopened");
    let runs = record_statements(&mut case);

    let analysis = case.latest_analysis().expect("findings read").expect("analysis stored");
    assert!(analysis.findings.iter().all(|finding| !finding.citations.is_empty()));
    case.evidence().expect("evidence read");
    case.info().expect("case metadata read");

    let runs = runs.lock().expect("trace sink");
    assert!(runs.len() >= 4, "statements recorded: {runs:?}");
    for run in runs.iter() {
        assert!(run.full_scan_steps <= SMALL_TABLE_ROWS, "statement scans a large table: {run:?}");
    }
}

#[test]
fn report_draft_scans_no_large_table() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut case = analyzed_case(dir.path());
    let runs = record_statements(&mut case);

    let drafted = crate::workflow::prepare_report(&mut case, None).expect("report drafted");
    assert!(!drafted.input.probe_points.is_empty(), "the report charts the cited probes");

    let runs = runs.lock().expect("trace sink");
    assert!(runs.iter().any(|run| run.sql.contains("finding_citation")), "statements recorded: {runs:?}");
    for run in runs.iter() {
        assert!(run.full_scan_steps <= SMALL_TABLE_ROWS, "statement scans a large table: {run:?}");
    }
}

#[test]
fn citations_shown_are_earliest() {
    let dir = tempfile::tempdir().expect("temp dir");
    let case = analyzed_case(dir.path());
    let analysis = case.latest_analysis().expect("findings read").expect("analysis stored");
    let finding = &analysis.findings[0];
    let shown: Vec<i64> = finding.citations.iter().map(|citation| citation.probe_id).collect();

    let earliest: Vec<i64> = {
        let mut statement = case
            .conn
            .prepare(
                "SELECT probe.id FROM finding_citation JOIN probe ON probe.id = finding_citation.probe_id
                 JOIN finding ON finding.id = finding_citation.finding_id
                 WHERE finding.label = ?1 ORDER BY probe.ts_ns, probe.id LIMIT ?2",
            )
            .expect("query prepared");
        let rows = statement
            .query_map(rusqlite::params![finding.id, super::findings::CITATIONS_SHOWN as i64], |row| row.get(0))
            .expect("query run");
        rows.collect::<Result<_, _>>().expect("rows read")
    };
    assert_eq!(shown, earliest);
    let total: i64 = row_count(&case, "finding_citation");
    assert_eq!(analysis.findings.iter().map(|finding| finding.citations_total).sum::<u64>(), total as u64);
}

#[test]
fn migration_orders_existing_citations() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("version2.scancase");
    {
        // A case as the release with two migrations wrote it: one finding citing two probes
        // whose row order is the reverse of their time order.
        let conn = rusqlite::Connection::open(&path).expect("file created");
        for sql in &super::schema::MIGRATIONS[..2] {
            conn.execute_batch(sql).expect("old migration applied");
        }
        conn.pragma_update(None, "application_id", super::schema::APPLICATION_ID).expect("id set");
        conn.pragma_update(None, "user_version", 2).expect("version set");
        conn.execute_batch(
            "INSERT INTO case_info VALUES (1, 'old', NULL, 0, '0.1.0');
             INSERT INTO evidence (id, path, size_bytes, sha256, kind, format, imported_at_ns)
                 VALUES (1, 'a.pcap', 1, 'aa', 'capture', 'pcap', 0);
             INSERT INTO contact (id, evidence_id, src, dst, protocol, dst_port, first_ts_ns, last_ts_ns, probes,
                 flags_seen, outcome, handshake_completed, payload_exchanged, techniques_json)
                 VALUES (1, 1, '192.0.2.1', '192.0.2.2', 6, 22, 100, 200, 2, 2, 'unanswered', 0, 0, '{}');
             INSERT INTO probe (id, contact_id, ts_ns, record, byte_offset, technique)
                 VALUES (1, 1, 200, 2, 80, 'tcp_syn'), (2, 1, 100, 1, 24, 'tcp_syn');
             INSERT INTO analysis_run VALUES (1, 0, '0.1.0', '{}');
             INSERT INTO finding (id, run_id, label, kind, technique, first_ts_ns, last_ts_ns, severity_score,
                 severity_level, confidence, finding_json)
                 VALUES (1, 1, 'F-1', 'vertical', 'tcp_syn', 100, 200, 10, 'low', 50, '{}');
             INSERT INTO finding_citation VALUES (1, 1), (1, 2);",
        )
        .expect("old rows written");
    }

    let case = Case::open(&path).expect("old case opened and migrated");
    let version: i32 = case.conn.pragma_query_value(None, "user_version", |row| row.get(0)).expect("version");
    assert_eq!(version, super::schema::current_version());
    let mut statement =
        case.conn.prepare("SELECT ts_ns, probe_id FROM finding_citation WHERE finding_id = 1").expect("prepared");
    let citations: Vec<(i64, i64)> = statement
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .expect("run")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert_eq!(citations, vec![(100, 2), (200, 1)]);
    let total: i64 =
        case.conn.query_row("SELECT citations_total FROM finding WHERE id = 1", [], |row| row.get(0)).expect("total");
    assert_eq!(total, 2);
}

#[test]
fn probe_points_grouped_by_label() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut case = analyzed_case(dir.path());
    import_file(&mut case, &fixture("capture/scan_nmap_sU_vic1.pcap"), &ImportOptions::default(), &mut NoProgress)
        .expect("second capture imported");
    let outcome = analyze_case(&mut case, &Parameters::default(), None).expect("case analyzed");
    assert!(outcome.findings.len() >= 2, "two scans give two findings: {:?}", outcome.findings.len());

    let points = case.probe_points(outcome.run_id).expect("points read");
    let labels: Vec<&str> = points.iter().map(|(label, ..)| label.as_str()).collect();
    assert!(labels.is_sorted(), "points grouped by label in byte order");
    for finding in &outcome.findings {
        let times: Vec<i64> =
            points.iter().filter(|(label, ..)| *label == finding.id).map(|(_, ts_ns, ..)| *ts_ns).collect();
        assert!(!times.is_empty(), "{} has points", finding.id);
        assert!(times.is_sorted(), "{} points in time order", finding.id);
    }
}
