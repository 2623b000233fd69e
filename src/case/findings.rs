//! Analysis results in the case: runs, findings with their citations, and the drafted report.
//!
//! An analysis replaces the findings of the previous one in one transaction. The runs
//! themselves are kept, and each is recorded in the audit log with its version and parameters.
//! A finding cites every probe of the contacts it was made from.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::IpAddr;

use rusqlite::{params, OptionalExtension};

use super::contacts::StoredProbe;
use super::{audit, json_error, sqlite_error, Case, CaseError};
use crate::model::{AnalysisRun, Citation, EvidenceKind, Finding};

/// Maximum number of citations read back with each finding for display; all of them stay
/// in the case file. Twenty lines fit on one report page.
pub const CITATIONS_SHOWN: usize = 20;

/// The latest analysis of a case as stored.
#[derive(Debug, Clone)]
pub struct StoredAnalysis {
    /// Row id of the run.
    pub run_id: i64,
    /// Settings and provenance of the run.
    pub run: AnalysisRun,
    /// Findings in label order, each with up to [`CITATIONS_SHOWN`] citations.
    pub findings: Vec<Finding>,
}

impl Case {
    /// Stores an analysis run, replacing the previous findings.
    ///
    /// `findings` pairs each finding with the row ids of the contacts it was made from; the
    /// finding cites every probe of those contacts.
    pub fn replace_analysis(
        &mut self,
        run: &AnalysisRun,
        findings: &[(Finding, Vec<i64>)],
        actor: Option<&str>,
    ) -> Result<i64, CaseError> {
        let path = self.path.clone();
        let parameters_json = serde_json::to_string(&run.parameters)
            .map_err(|source| json_error(&path, "could not encode analysis parameters", source))?;
        let tx = self.transaction("could not start storing the analysis")?;
        let path_ref = &path;
        let fail = |context: &'static str| move |source| sqlite_error(path_ref, context, source);

        tx.execute_batch("DELETE FROM finding_citation; DELETE FROM finding;")
            .map_err(fail("could not clear the previous analysis"))?;
        tx.execute(
            "INSERT INTO analysis_run (ran_at_ns, version, parameters_json) VALUES (?1, ?2, ?3)",
            params![run.ran_at_ns, run.version, parameters_json],
        )
        .map_err(fail("could not record the analysis run"))?;
        let run_id = tx.last_insert_rowid();

        {
            let mut insert_finding = tx
                .prepare(
                    "INSERT INTO finding (run_id, label, kind, technique, first_ts_ns, last_ts_ns, severity_score,
                        severity_level, confidence, finding_json)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                )
                .map_err(fail("could not store findings"))?;
            let mut insert_citation = tx
                .prepare(
                    "INSERT OR IGNORE INTO finding_citation (finding_id, ts_ns, probe_id)
                     SELECT ?1, ts_ns, id FROM probe WHERE contact_id = ?2",
                )
                .map_err(fail("could not store citations"))?;
            let mut count_packed = tx
                .prepare("SELECT packed_probes FROM contact WHERE id = ?1")
                .map_err(fail("could not count packed probes"))?;
            let mut set_citations_total = tx
                .prepare("UPDATE finding SET citations_total = ?1 WHERE id = ?2")
                .map_err(fail("could not store citations"))?;
            for (finding, contact_ids) in findings {
                let mut stored = finding.clone();
                stored.citations.clear();
                let finding_json = serde_json::to_string(&stored)
                    .map_err(|source| json_error(&path, "could not encode a finding", source))?;
                insert_finding
                    .execute(params![
                        run_id,
                        finding.id,
                        finding.kind.as_str(),
                        finding.technique.as_str(),
                        finding.first_seen_ns,
                        finding.last_seen_ns,
                        finding.severity.score,
                        finding.severity.level.as_str(),
                        finding.confidence.percent,
                        finding_json
                    ])
                    .map_err(fail("could not store a finding"))?;
                let finding_row = tx.last_insert_rowid();
                // Packed probes have no row to cite one by one, so they are counted only.
                let mut citations_total = 0;
                let unique: BTreeSet<&i64> = contact_ids.iter().collect();
                for contact_id in unique {
                    citations_total += insert_citation
                        .execute(params![finding_row, contact_id])
                        .map_err(fail("could not store a citation"))?;
                    let packed: i64 = count_packed
                        .query_row([contact_id], |row| row.get(0))
                        .map_err(fail("could not count packed probes"))?;
                    citations_total += packed as usize;
                }
                set_citations_total
                    .execute(params![citations_total as i64, finding_row])
                    .map_err(fail("could not store a citation count"))?;
            }
        }

        let labels: Vec<&str> = findings.iter().map(|(finding, _)| finding.id.as_str()).collect();
        audit::append(
            &tx,
            &path,
            actor,
            "analysis_run",
            serde_json::json!({
                "run_id": run_id,
                "version": run.version,
                "parameters": run.parameters,
                "findings": labels,
            }),
        )?;
        tx.commit().map_err(fail("could not save the analysis"))?;
        Ok(run_id)
    }

    /// Reads the latest analysis run and its findings, or `None` when the case was never
    /// analyzed.
    pub fn latest_analysis(&self) -> Result<Option<StoredAnalysis>, CaseError> {
        let run = self
            .conn
            .query_row(
                "SELECT id, ran_at_ns, version, parameters_json FROM analysis_run ORDER BY id DESC LIMIT 1",
                [],
                |row| {
                    Ok((
                        row.get::<_, i64>(0)?,
                        row.get::<_, i64>(1)?,
                        row.get::<_, String>(2)?,
                        row.get::<_, String>(3)?,
                    ))
                },
            )
            .optional()
            .map_err(|source| self.sqlite("could not read the analysis run", source))?;
        let Some((run_id, ran_at_ns, version, parameters_json)) = run else {
            return Ok(None);
        };
        let parameters = serde_json::from_str(&parameters_json)
            .map_err(|source| json_error(&self.path, "could not read analysis parameters", source))?;

        let mut statement = self
            .conn
            .prepare("SELECT id, finding_json, citations_total FROM finding WHERE run_id = ?1 ORDER BY id")
            .map_err(|source| self.sqlite("could not read findings", source))?;
        let rows = statement
            .query_map([run_id], |row| Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?, row.get::<_, i64>(2)?)))
            .map_err(|source| self.sqlite("could not read findings", source))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|source| self.sqlite("could not read findings", source))?;
        let mut findings = Vec::with_capacity(rows.len());
        for (finding_row, finding_json, citations_total) in rows {
            let mut finding: Finding = serde_json::from_str(&finding_json)
                .map_err(|source| json_error(&self.path, "could not read a finding", source))?;
            finding.citations = self.citations(finding_row)?;
            finding.citations_total = citations_total as u64;
            findings.push(finding);
        }
        Ok(Some(StoredAnalysis { run_id, run: AnalysisRun { ran_at_ns, version, parameters }, findings }))
    }

    /// Reads the first [`CITATIONS_SHOWN`] citations of a finding in time order.
    fn citations(&self, finding_row: i64) -> Result<Vec<Citation>, CaseError> {
        let probes = self.probes_where(
            "probe.id IN (SELECT probe_id FROM finding_citation WHERE finding_id = ?1
                           ORDER BY ts_ns, probe_id LIMIT ?2)
             ORDER BY probe.ts_ns, probe.id",
            params![finding_row, CITATIONS_SHOWN as i64],
        )?;
        Ok(probes
            .iter()
            .map(|stored| Citation {
                probe_id: stored.id,
                evidence_id: stored.evidence_id,
                locator: stored.probe.locator,
                excerpt: excerpt(stored),
            })
            .collect())
    }

    /// Reads (finding label, probe time, target address, destination port) for every cited
    /// probe of a run's findings, for the report's charts, the app's probe chart and the
    /// evaluation. The rows come in label order (byte order, so `F-10` before `F-2`), then in
    /// time order, straight from the indexes without a sort. Packed probes of the cited
    /// contacts are added from their blocks, and the points are then sorted the same way,
    /// with ties in evidence and record order. The port is `None` for ICMP and ARP probes.
    ///
    /// A contact seen in several evidence files (a capture and the firewall log of the same
    /// host) gives its points from one of them only. That is the file with the most cited
    /// probes of that contact, or the earlier file on a tie. The analysis counts merged contacts the
    /// same way, so a probe seen in two files is drawn once.
    ///
    /// NOTE: this reads every cited probe, so a report on a finding of 10 million probes
    /// spends about 13 s here; per-port counts and a timeline sample stored at analysis time
    /// would make it independent of the finding's size.
    pub fn probe_points(&self, run_id: i64) -> Result<Vec<(String, i64, String, Option<u16>)>, CaseError> {
        let mut statement = self
            .conn
            .prepare(
                "SELECT finding.label, probe.ts_ns, contact.dst, contact.dst_port, contact.evidence_id, contact.src,
                        contact.protocol, contact.id, contact.packed_probes, probe.record
                 FROM finding
                 JOIN finding_citation ON finding_citation.finding_id = finding.id
                 JOIN probe ON probe.id = finding_citation.probe_id
                 JOIN contact ON contact.id = probe.contact_id
                 WHERE finding.run_id = ?1
                 ORDER BY finding.label, finding_citation.ts_ns, finding_citation.probe_id",
            )
            .map_err(|source| self.sqlite("could not read probe points", source))?;
        let rows = statement
            .query_map([run_id], |row| {
                Ok(CitedPoint {
                    label: row.get(0)?,
                    ts_ns: row.get(1)?,
                    dst: row.get(2)?,
                    dst_port: row.get(3)?,
                    evidence_id: row.get(4)?,
                    src: row.get(5)?,
                    protocol: row.get(6)?,
                    contact_id: row.get(7)?,
                    packed_probes: row.get(8)?,
                    record: row.get(9)?,
                })
            })
            .map_err(|source| self.sqlite("could not read probe points", source))?;
        let mut points: Vec<CitedPoint> =
            rows.collect::<Result<_, _>>().map_err(|source| self.sqlite("could not read probe points", source))?;
        let packed = self.packed_points(&points)?;
        if !packed.is_empty() {
            points.extend(packed);
            points.sort_by(|a, b| {
                (&a.label, a.ts_ns, a.evidence_id, a.record, a.contact_id).cmp(&(
                    &b.label,
                    b.ts_ns,
                    b.evidence_id,
                    b.record,
                    b.contact_id,
                ))
            });
        }
        Ok(one_evidence_per_contact(points))
    }

    /// Reads the packed probes of the contacts among `points` that have any, as points of the
    /// same finding and contact. A case without packed probes costs no look-up.
    fn packed_points(&self, points: &[CitedPoint]) -> Result<Vec<CitedPoint>, CaseError> {
        let mut with_packed: BTreeMap<(&str, i64), &CitedPoint> = BTreeMap::new();
        for point in points.iter().filter(|point| point.packed_probes > 0) {
            with_packed.entry((point.label.as_str(), point.contact_id)).or_insert(point);
        }
        let mut packed = Vec::new();
        for ((_, contact_id), sample) in with_packed {
            for (ts_ns, locator) in self.packed_probes_of(contact_id)? {
                packed.push(CitedPoint { ts_ns, record: locator.record as i64, ..sample.clone() });
            }
        }
        Ok(packed)
    }

    /// Stores a drafted report as the case's current report and records it in the audit log.
    pub fn store_report(
        &mut self,
        run_id: Option<i64>,
        content_json: &str,
        actor: Option<&str>,
    ) -> Result<i64, CaseError> {
        let path = self.path.clone();
        let tx = self.transaction("could not start storing the report")?;
        tx.execute(
            "INSERT INTO report (run_id, drafted_at_ns, content_json) VALUES (?1, ?2, ?3)",
            params![run_id, super::now_ns(), content_json],
        )
        .map_err(|source| sqlite_error(&path, "could not store the report", source))?;
        let report_id = tx.last_insert_rowid();
        audit::append(
            &tx,
            &path,
            actor,
            "report_drafted",
            serde_json::json!({ "report_id": report_id, "run_id": run_id }),
        )?;
        tx.commit().map_err(|source| sqlite_error(&path, "could not save the report", source))?;
        Ok(report_id)
    }

    /// Records in the audit log that a report was exported, with the output file's hash.
    pub fn record_export(
        &mut self,
        output: &str,
        format: &str,
        sha256: &str,
        actor: Option<&str>,
    ) -> Result<(), CaseError> {
        let path = self.path.clone();
        let tx = self.transaction("could not start recording the export")?;
        audit::append(
            &tx,
            &path,
            actor,
            "report_exported",
            serde_json::json!({ "output": output, "format": format, "sha256": sha256 }),
        )?;
        tx.commit().map_err(|source| sqlite_error(&path, "could not record the export", source))
    }
}

/// Formats one probe as a single line for citations: the log line as written for logs, and
/// a line in the style of `tcpdump -n` for captures.
pub fn excerpt(stored: &StoredProbe) -> String {
    let probe = &stored.probe;
    if stored.evidence_kind == EvidenceKind::FirewallLog {
        if let Some(text) = &probe.source_text {
            return text.clone();
        }
    }
    let time = crate::model::format_rfc3339(probe.ts_ns);
    let endpoint = |address: IpAddr, port: Option<u16>| match (address, port) {
        (IpAddr::V6(v6), Some(port)) => format!("[{v6}]:{port}"),
        (address, Some(port)) => format!("{address}:{port}"),
        (address, None) => address.to_string(),
    };
    let mut line = format!(
        "{time} {} > {} {}",
        endpoint(stored.src, probe.src_port),
        endpoint(stored.dst, stored.dst_port),
        stored.protocol
    );
    if let Some(flags) = probe.tcp_flags {
        line.push_str(&format!(" [{flags}]"));
    }
    if let Some(ttl) = probe.ttl {
        line.push_str(&format!(" ttl {ttl}"));
    }
    if let Some(window) = probe.tcp_window {
        line.push_str(&format!(" win {window}"));
    }
    if let Some(options) = probe.tcp_options {
        let kinds: Vec<String> = options.as_slice().iter().map(|kind| kind.to_string()).collect();
        line.push_str(&format!(" options [{}]", kinds.join(",")));
    }
    if let Some(action) = &probe.action {
        line.push_str(&format!(" action {}", action.as_str()));
    }
    if let Some(rule) = &probe.rule {
        line.push_str(&format!(" rule \"{rule}\""));
    }
    line
}

/// One cited probe as [`Case::probe_points`] reads it, with its contact's key and evidence.
#[derive(Clone)]
struct CitedPoint {
    label: String,
    ts_ns: i64,
    dst: String,
    dst_port: Option<u16>,
    evidence_id: i64,
    contact_id: i64,
    /// Probes of the contact packed in blocks.
    packed_probes: i64,
    /// Record number of the probe in its evidence file.
    record: i64,
    src: String,
    protocol: i64,
}

/// Keeps, for each finding and (source, target, protocol, port), the points of the evidence
/// file with the most cited probes (the lowest evidence id on a tie), in the input order. One file
/// may store several contacts of a key, and their points are all kept.
fn one_evidence_per_contact(points: Vec<CitedPoint>) -> Vec<(String, i64, String, Option<u16>)> {
    type Key<'a> = (&'a str, &'a str, &'a str, i64, Option<u16>);
    let mut counts: HashMap<(Key<'_>, i64), usize> = HashMap::new();
    for point in &points {
        let key = (point.label.as_str(), point.src.as_str(), point.dst.as_str(), point.protocol, point.dst_port);
        *counts.entry((key, point.evidence_id)).or_default() += 1;
    }
    let mut chosen: HashMap<Key<'_>, (usize, i64)> = HashMap::new();
    for (&(key, evidence_id), &count) in &counts {
        let best = chosen.entry(key).or_insert((count, evidence_id));
        if count > best.0 || (count == best.0 && evidence_id < best.1) {
            *best = (count, evidence_id);
        }
    }
    let kept: Vec<bool> = points
        .iter()
        .map(|point| {
            let key = (point.label.as_str(), point.src.as_str(), point.dst.as_str(), point.protocol, point.dst_port);
            chosen.get(&key).is_some_and(|&(_, evidence_id)| evidence_id == point.evidence_id)
        })
        .collect();
    points
        .into_iter()
        .zip(kept)
        .filter(|(_, kept)| *kept)
        .map(|(point, _)| (point.label, point.ts_ns, point.dst, point.dst_port))
        .collect()
}
