//! Evidence and observation tables: writing one import atomically and reading it back.
//!
//! An import runs inside one transaction held by [`EvidenceWriter`]: the evidence row, every
//! observation, the anomalies and the audit entry are committed together by
//! [`EvidenceWriter::finish`], and dropping the writer without finishing rolls all of it
//! back, so a failed import leaves nothing in the case.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::PathBuf;

use rusqlite::{params, Row, Transaction};

use super::{audit, json_error, now_ns, sqlite_error, Case, CaseError};
use crate::model::{
    EvidenceKind, EvidenceRecord, FirewallAction, IcmpInfo, ImportSummary, IpProtocol, Locator, Observation,
    ObservationSink, QuotedPacket, SinkError, TcpFlags,
};

/// Facts about an evidence file taken before it is parsed.
#[derive(Debug, Clone)]
pub struct NewEvidence {
    /// Absolute path of the file.
    pub path: String,
    /// Size in bytes.
    pub size_bytes: u64,
    /// SHA-256 of the file, lower-case hex.
    pub sha256: String,
    /// Capture or firewall log.
    pub kind: EvidenceKind,
    /// Examiner importing it.
    pub imported_by: Option<String>,
}

/// Writes one evidence file's observations inside a transaction; see the module docs.
pub struct EvidenceWriter<'case> {
    tx: Transaction<'case>,
    case_path: PathBuf,
    evidence_id: i64,
    evidence: NewEvidence,
    imported_at_ns: i64,
}

impl Case {
    /// Starts importing one evidence file: inserts its row in a new transaction.
    pub fn begin_evidence(&mut self, evidence: NewEvidence) -> Result<EvidenceWriter<'_>, CaseError> {
        let case_path = self.path.clone();
        let imported_at_ns = now_ns();
        let tx = self.transaction("could not start the import")?;
        tx.execute(
            "INSERT INTO evidence (path, size_bytes, sha256, kind, format, imported_at_ns, imported_by)
             VALUES (?1, ?2, ?3, ?4, '', ?5, ?6)",
            params![
                evidence.path,
                evidence.size_bytes as i64,
                evidence.sha256,
                evidence.kind.as_str(),
                imported_at_ns,
                evidence.imported_by
            ],
        )
        .map_err(|source| sqlite_error(&case_path, "could not record the evidence", source))?;
        let evidence_id = tx.last_insert_rowid();
        Ok(EvidenceWriter { tx, case_path, evidence_id, evidence, imported_at_ns })
    }

    /// Lists every evidence record in import order.
    pub fn evidence(&self) -> Result<Vec<EvidenceRecord>, CaseError> {
        let mut statement = self
            .conn
            .prepare(
                "SELECT id, path, size_bytes, sha256, kind, format, imported_at_ns, imported_by, first_ts_ns,
                        last_ts_ns, records, observations, skipped_json, anomalies_total, time_assumption
                 FROM evidence ORDER BY id",
            )
            .map_err(|source| self.sqlite("could not list the evidence", source))?;
        let rows = statement
            .query_map([], |row| Ok((evidence_from_row(row)?, row.get::<_, String>(12)?)))
            .map_err(|source| self.sqlite("could not list the evidence", source))?;
        let mut records = Vec::new();
        for row in rows {
            let (mut record, skipped_json) =
                row.map_err(|source| self.sqlite("could not list the evidence", source))?;
            record.summary.skipped = serde_json::from_str::<BTreeMap<String, u64>>(&skipped_json)
                .map_err(|source| json_error(&self.path, "could not read skipped-record counts", source))?;
            record.summary.anomalies = self.anomalies(record.id)?;
            records.push(record);
        }
        Ok(records)
    }

    fn anomalies(&self, evidence_id: i64) -> Result<Vec<crate::model::Anomaly>, CaseError> {
        let mut statement = self
            .conn
            .prepare("SELECT record, byte_offset, message FROM anomaly WHERE evidence_id = ?1 ORDER BY id")
            .map_err(|source| self.sqlite("could not read anomalies", source))?;
        let rows = statement
            .query_map([evidence_id], |row| {
                Ok(crate::model::Anomaly {
                    locator: Locator {
                        record: row.get::<_, i64>(0)? as u64,
                        byte_offset: row.get::<_, i64>(1)? as u64,
                    },
                    message: row.get(2)?,
                })
            })
            .map_err(|source| self.sqlite("could not read anomalies", source))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|source| self.sqlite("could not read anomalies", source))
    }

    /// Calls `visit` with every observation's row id, evidence id and value, in time order.
    ///
    /// Rows are streamed from SQLite, so memory does not grow with the number of observations.
    pub fn for_each_observation(&self, mut visit: impl FnMut(i64, i64, Observation)) -> Result<(), CaseError> {
        let mut statement = self
            .conn
            .prepare(&format!("SELECT {OBSERVATION_COLUMNS} FROM observation ORDER BY ts_ns, id"))
            .map_err(|source| self.sqlite("could not read observations", source))?;
        let mut rows = statement.query([]).map_err(|source| self.sqlite("could not read observations", source))?;
        while let Some(row) = rows.next().map_err(|source| self.sqlite("could not read observations", source))? {
            let (id, evidence_id, observation) =
                observation_from_row(row).map_err(|source| self.sqlite("could not decode an observation", source))?;
            visit(id, evidence_id, observation);
        }
        Ok(())
    }

    /// Reads observations by row id, in the order given; ids not found are left out.
    pub fn observations_by_id(&self, ids: &[i64]) -> Result<Vec<(i64, i64, Observation)>, CaseError> {
        let mut statement = self
            .conn
            .prepare_cached(&format!("SELECT {OBSERVATION_COLUMNS} FROM observation WHERE id = ?1"))
            .map_err(|source| self.sqlite("could not read observations", source))?;
        let mut found = Vec::with_capacity(ids.len());
        for id in ids {
            let mut rows =
                statement.query([id]).map_err(|source| self.sqlite("could not read observations", source))?;
            if let Some(row) = rows.next().map_err(|source| self.sqlite("could not read observations", source))? {
                found.push(
                    observation_from_row(row)
                        .map_err(|source| self.sqlite("could not decode an observation", source))?,
                );
            }
        }
        Ok(found)
    }
}

impl EvidenceWriter<'_> {
    /// Returns the row id the evidence will have once committed.
    pub fn evidence_id(&self) -> i64 {
        self.evidence_id
    }

    /// Stores the importer's summary, appends the audit entry and commits the import.
    pub fn finish(self, format: &str, summary: ImportSummary) -> Result<EvidenceRecord, CaseError> {
        let path = &self.case_path;
        let skipped_json = serde_json::to_string(&summary.skipped)
            .map_err(|source| json_error(path, "could not encode skipped-record counts", source))?;
        self.tx
            .execute(
                "UPDATE evidence SET format = ?1, first_ts_ns = ?2, last_ts_ns = ?3, records = ?4, observations = ?5,
                        skipped_json = ?6, anomalies_total = ?7, time_assumption = ?8
                 WHERE id = ?9",
                params![
                    format,
                    summary.first_ts_ns,
                    summary.last_ts_ns,
                    summary.records as i64,
                    summary.observations as i64,
                    skipped_json,
                    summary.anomalies_total as i64,
                    summary.time_assumption,
                    self.evidence_id
                ],
            )
            .map_err(|source| sqlite_error(path, "could not record the import summary", source))?;
        for anomaly in &summary.anomalies {
            self.tx
                .execute(
                    "INSERT INTO anomaly (evidence_id, record, byte_offset, message) VALUES (?1, ?2, ?3, ?4)",
                    params![
                        self.evidence_id,
                        anomaly.locator.record as i64,
                        anomaly.locator.byte_offset as i64,
                        anomaly.message
                    ],
                )
                .map_err(|source| sqlite_error(path, "could not record an anomaly", source))?;
        }
        audit::append(
            &self.tx,
            path,
            self.evidence.imported_by.as_deref(),
            "evidence_imported",
            serde_json::json!({
                "evidence_id": self.evidence_id,
                "path": self.evidence.path,
                "sha256": self.evidence.sha256,
                "size_bytes": self.evidence.size_bytes,
                "format": format,
                "records": summary.records,
                "observations": summary.observations,
                "skipped": summary.skipped_total(),
                "anomalies": summary.anomalies_total,
                "time_assumption": summary.time_assumption,
            }),
        )?;
        self.tx.commit().map_err(|source| sqlite_error(path, "could not save the import", source))?;
        let mut summary = summary;
        summary.format = format.to_string();
        Ok(EvidenceRecord {
            id: self.evidence_id,
            path: self.evidence.path,
            size_bytes: self.evidence.size_bytes,
            sha256: self.evidence.sha256,
            kind: self.evidence.kind,
            imported_at_ns: self.imported_at_ns,
            imported_by: self.evidence.imported_by,
            summary,
        })
    }
}

impl ObservationSink for EvidenceWriter<'_> {
    fn push(&mut self, o: Observation) -> Result<(), SinkError> {
        let quoted = o.icmp.and_then(|icmp| icmp.quoted);
        let mut statement = self
            .tx
            .prepare_cached(
                "INSERT INTO observation (evidence_id, record, byte_offset, ts_ns, src, dst, protocol, src_port, dst_port,
                    tcp_flags, icmp_type, icmp_code, quoted_src, quoted_dst, quoted_protocol, quoted_src_port,
                    quoted_dst_port, ttl, ip_id, tcp_window, payload_len, action, rule)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20,
                    ?21, ?22, ?23)",
            )
            .map_err(|error| SinkError(Box::new(error)))?;
        statement
            .execute(params![
                self.evidence_id,
                o.locator.record as i64,
                o.locator.byte_offset as i64,
                o.ts_ns,
                o.src.to_string(),
                o.dst.to_string(),
                o.protocol.0,
                o.src_port,
                o.dst_port,
                o.tcp_flags.map(|flags| flags.0),
                o.icmp.map(|icmp| icmp.icmp_type),
                o.icmp.map(|icmp| icmp.code),
                quoted.map(|q| q.src.to_string()),
                quoted.map(|q| q.dst.to_string()),
                quoted.map(|q| q.protocol.0),
                quoted.and_then(|q| q.src_port),
                quoted.and_then(|q| q.dst_port),
                o.ttl,
                o.ip_id,
                o.tcp_window,
                o.payload_len,
                o.action.as_ref().map(|action| action.as_str().to_string()),
                o.rule,
            ])
            .map_err(|error| SinkError(Box::new(error)))?;
        Ok(())
    }
}

const OBSERVATION_COLUMNS: &str = "id, evidence_id, record, byte_offset, ts_ns, src, dst, protocol, src_port, dst_port,
    tcp_flags, icmp_type, icmp_code, quoted_src, quoted_dst, quoted_protocol, quoted_src_port, quoted_dst_port, ttl,
    ip_id, tcp_window, payload_len, action, rule";

fn parse_address(text: String, column: usize) -> rusqlite::Result<IpAddr> {
    text.parse().map_err(|error| {
        rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, Box::new(error))
    })
}

fn observation_from_row(row: &Row<'_>) -> rusqlite::Result<(i64, i64, Observation)> {
    let icmp_type: Option<u8> = row.get(11)?;
    let quoted_src: Option<String> = row.get(13)?;
    let quoted_dst: Option<String> = row.get(14)?;
    let quoted = match (quoted_src, quoted_dst) {
        (Some(src), Some(dst)) => Some(QuotedPacket {
            src: parse_address(src, 13)?,
            dst: parse_address(dst, 14)?,
            protocol: IpProtocol(row.get::<_, Option<u8>>(15)?.unwrap_or(0)),
            src_port: row.get(16)?,
            dst_port: row.get(17)?,
        }),
        _ => None,
    };
    let icmp = match icmp_type {
        Some(icmp_type) => Some(IcmpInfo { icmp_type, code: row.get::<_, Option<u8>>(12)?.unwrap_or(0), quoted }),
        None => None,
    };
    let action: Option<String> = row.get(22)?;
    let observation = Observation {
        locator: Locator { record: row.get::<_, i64>(2)? as u64, byte_offset: row.get::<_, i64>(3)? as u64 },
        ts_ns: row.get(4)?,
        src: parse_address(row.get(5)?, 5)?,
        dst: parse_address(row.get(6)?, 6)?,
        protocol: IpProtocol(row.get(7)?),
        src_port: row.get(8)?,
        dst_port: row.get(9)?,
        tcp_flags: row.get::<_, Option<u8>>(10)?.map(TcpFlags),
        icmp,
        ttl: row.get(18)?,
        ip_id: row.get(19)?,
        tcp_window: row.get(20)?,
        tcp_options: None,
        source_text: None,
        payload_len: row.get(21)?,
        action: action.map(|word| FirewallAction::from_name(&word)),
        rule: row.get(23)?,
    };
    Ok((row.get(0)?, row.get(1)?, observation))
}

fn evidence_from_row(row: &Row<'_>) -> rusqlite::Result<EvidenceRecord> {
    let kind = match row.get::<_, String>(4)?.as_str() {
        "capture" => EvidenceKind::Capture,
        _ => EvidenceKind::FirewallLog,
    };
    let format: String = row.get(5)?;
    let mut summary = ImportSummary::new(format);
    summary.first_ts_ns = row.get(8)?;
    summary.last_ts_ns = row.get(9)?;
    summary.records = row.get::<_, i64>(10)? as u64;
    summary.observations = row.get::<_, i64>(11)? as u64;
    summary.anomalies_total = row.get::<_, i64>(13)? as u64;
    summary.time_assumption = row.get(14)?;
    Ok(EvidenceRecord {
        id: row.get(0)?,
        path: row.get(1)?,
        size_bytes: row.get::<_, i64>(2)? as u64,
        sha256: row.get(3)?,
        kind,
        imported_at_ns: row.get(6)?,
        imported_by: row.get(7)?,
        summary,
    })
}
