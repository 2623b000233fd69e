//! Analysis results in the case: runs, contacts, findings with their citations, and the
//! drafted report.
//!
//! An analysis replaces the contacts and findings of the previous one in one transaction;
//! the runs themselves are kept, and each is recorded in the audit log with its version and
//! parameters.

use std::net::IpAddr;

use rusqlite::{params, OptionalExtension};

use super::{audit, json_error, sqlite_error, Case, CaseError};
use crate::model::{AnalysisRun, Citation, Contact, Finding, Observation};

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
    /// Stores an analysis run, replacing the previous contacts and findings.
    ///
    /// `findings` pairs each finding with the row ids of the observations it cites.
    pub fn replace_analysis(
        &mut self,
        run: &AnalysisRun,
        contacts: &[Contact],
        findings: &[(Finding, Vec<i64>)],
        actor: Option<&str>,
    ) -> Result<i64, CaseError> {
        let path = self.path.clone();
        let parameters_json = serde_json::to_string(&run.parameters)
            .map_err(|source| json_error(&path, "could not encode analysis parameters", source))?;
        let tx = self.transaction("could not start storing the analysis")?;
        let path_ref = &path;
        let fail = |context: &'static str| move |source| sqlite_error(path_ref, context, source);

        tx.execute_batch("DELETE FROM finding_citation; DELETE FROM finding; DELETE FROM contact;")
            .map_err(fail("could not clear the previous analysis"))?;
        tx.execute(
            "INSERT INTO analysis_run (ran_at_ns, version, parameters_json) VALUES (?1, ?2, ?3)",
            params![run.ran_at_ns, run.version, parameters_json],
        )
        .map_err(fail("could not record the analysis run"))?;
        let run_id = tx.last_insert_rowid();

        {
            let mut insert_contact = tx
                .prepare(
                    "INSERT INTO contact (run_id, src, dst, protocol, dst_port, first_ts_ns, last_ts_ns, probes,
                        flags_seen, outcome, handshake_completed, payload_exchanged)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                )
                .map_err(fail("could not store contacts"))?;
            for contact in contacts {
                insert_contact
                    .execute(params![
                        run_id,
                        contact.src.to_string(),
                        contact.dst.to_string(),
                        contact.protocol.0,
                        contact.dst_port,
                        contact.first_ts_ns,
                        contact.last_ts_ns,
                        contact.probes as i64,
                        contact.flags_seen,
                        contact.outcome.as_str(),
                        contact.handshake_completed,
                        contact.payload_exchanged
                    ])
                    .map_err(fail("could not store a contact"))?;
            }

            let mut insert_finding = tx
                .prepare(
                    "INSERT INTO finding (run_id, label, kind, technique, first_ts_ns, last_ts_ns, severity_score,
                        severity_level, confidence, finding_json)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                )
                .map_err(fail("could not store findings"))?;
            let mut insert_citation = tx
                .prepare("INSERT OR IGNORE INTO finding_citation (finding_id, observation_id) VALUES (?1, ?2)")
                .map_err(fail("could not store citations"))?;
            for (finding, cited) in findings {
                let mut stored = finding.clone();
                stored.citations.clear();
                stored.citations_total = cited.len() as u64;
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
                for observation_id in cited {
                    insert_citation
                        .execute(params![finding_row, observation_id])
                        .map_err(fail("could not store a citation"))?;
                }
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
                "contacts": contacts.len(),
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
            .prepare("SELECT id, finding_json FROM finding WHERE run_id = ?1 ORDER BY id")
            .map_err(|source| self.sqlite("could not read findings", source))?;
        let rows = statement
            .query_map([run_id], |row| Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?)))
            .map_err(|source| self.sqlite("could not read findings", source))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|source| self.sqlite("could not read findings", source))?;
        let mut findings = Vec::with_capacity(rows.len());
        for (finding_row, finding_json) in rows {
            let mut finding: Finding = serde_json::from_str(&finding_json)
                .map_err(|source| json_error(&self.path, "could not read a finding", source))?;
            finding.citations = self.citations(finding_row)?;
            findings.push(finding);
        }
        Ok(Some(StoredAnalysis { run_id, run: AnalysisRun { ran_at_ns, version, parameters }, findings }))
    }

    /// Reads the first [`CITATIONS_SHOWN`] citations of a finding in time order.
    fn citations(&self, finding_row: i64) -> Result<Vec<Citation>, CaseError> {
        let mut statement = self
            .conn
            .prepare(
                "SELECT observation_id FROM finding_citation JOIN observation ON observation.id = observation_id
                 WHERE finding_id = ?1 ORDER BY observation.ts_ns, observation.id LIMIT ?2",
            )
            .map_err(|source| self.sqlite("could not read citations", source))?;
        let ids = statement
            .query_map(params![finding_row, CITATIONS_SHOWN as i64], |row| row.get::<_, i64>(0))
            .map_err(|source| self.sqlite("could not read citations", source))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|source| self.sqlite("could not read citations", source))?;
        let observations = self.observations_by_id(&ids)?;
        Ok(observations
            .into_iter()
            .map(|(observation_id, evidence_id, observation)| Citation {
                observation_id,
                evidence_id,
                locator: observation.locator,
                excerpt: excerpt(&observation),
            })
            .collect())
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

/// Formats one observation as a single line for citations, in the style of `tcpdump -n`.
pub fn excerpt(observation: &Observation) -> String {
    let time = crate::model::format_rfc3339(observation.ts_ns);
    let endpoint = |address: IpAddr, port: Option<u16>| match (address, port) {
        (IpAddr::V6(v6), Some(port)) => format!("[{v6}]:{port}"),
        (address, Some(port)) => format!("{address}:{port}"),
        (address, None) => address.to_string(),
    };
    let mut line = format!(
        "{time} {} > {} {}",
        endpoint(observation.src, observation.src_port),
        endpoint(observation.dst, observation.dst_port),
        observation.protocol
    );
    if let Some(flags) = observation.tcp_flags {
        line.push_str(&format!(" [{flags}]"));
    }
    if let Some(icmp) = observation.icmp {
        line.push_str(&format!(" type {} code {}", icmp.icmp_type, icmp.code));
    }
    if let Some(ttl) = observation.ttl {
        line.push_str(&format!(" ttl {ttl}"));
    }
    if let Some(window) = observation.tcp_window {
        line.push_str(&format!(" win {window}"));
    }
    if let Some(action) = &observation.action {
        line.push_str(&format!(" action {}", action.as_str()));
    }
    if let Some(rule) = &observation.rule {
        line.push_str(&format!(" rule \"{rule}\""));
    }
    line
}
