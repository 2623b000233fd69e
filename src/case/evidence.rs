//! Evidence, contact and probe tables: writing one import atomically and reading it back.
//!
//! An import runs inside one transaction held by [`EvidenceWriter`]. The writer stores what
//! the aggregator of [`import_aggregator`] finds, which the import runs on its parsing
//! thread. Probes are stored in small batches as they are found, so memory does not grow with
//! the probes. A contact's row is stored once the aggregator has finished the contact (idle
//! for a while in the evidence's time, or at the end of the file), so memory does not grow
//! with the contacts either. Contact ids are given out when a contact is first seen. The
//! foreign keys are off while the import writes, and [`EvidenceWriter::finish`] checks the
//! references of the new rows once before the commit ([`super::import_keys`]). It also
//! stores the anomalies and the audit entry. Dropping the writer without finishing
//! rolls all of it back, so a failed import leaves nothing in the case. Observations that are
//! neither probes nor replies (session traffic) are counted in the evidence summary but not
//! stored.
//!
//! A probe is stored as a row, with its header fields and log line, only when it can be one
//! of the citations a finding shows ([`TEXTS_KEPT_PER_CONTACT`]). The other probes of a
//! contact are packed into blocks with their time, line number and byte offset
//! ([`super::probe_blocks`]).

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use rusqlite::{params, OptionalExtension, Row, Transaction, TransactionBehavior};

use super::findings::CITATIONS_SHOWN;
use super::import_keys::{check_new_rows, FirstNewRows, KeysOff};
use super::import_rows::{self, ContactRow, ProbeRow};
use super::probe_blocks::ProbeBlock;
use super::{audit, json_error, now_ns, sqlite_error, Case, CaseError};
use crate::aggregate::{Aggregator, ProbeEvent};
use crate::model::{Contact, EvidenceKind, EvidenceRecord, ImportSummary, Locator};

/// Probes per contact whose log line is stored: the citations a finding shows are its first
/// [`CITATIONS_SHOWN`] probes by time, and those are always among the first as many of each of
/// its contacts. Every other probe is packed into a block with its time, line number and byte
/// offset.
///
/// NOTE: a case file keeps as many texts as this constant was when the file was imported, so
/// raising [`CITATIONS_SHOWN`] later shows the extra citations of older imports without
/// their log lines.
const TEXTS_KEPT_PER_CONTACT: u8 = CITATIONS_SHOWN as u8;

/// Contact rows built before they are inserted. At the end of the file the aggregator finishes
/// every contact still active at once, 985,006 of them in a fast sweep of a /16. Building and
/// inserting the rows in groups of this many keeps memory flat.
const CONTACT_ROWS_HELD: usize = 1024;

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
    /// Modification time of the file, UTC nanoseconds, when the file system has one.
    pub modified_ns: Option<i64>,
}

/// Writes one evidence file's observations inside a transaction; see the module docs.
pub struct EvidenceWriter<'case> {
    tx: Transaction<'case>,
    /// The case's foreign keys, off for this import and on again when the writer is dropped,
    /// after `tx` (fields drop in order).
    _keys_off: KeysOff<'case>,
    case_path: PathBuf,
    evidence_id: i64,
    evidence: NewEvidence,
    imported_at_ns: i64,
    /// The first row ids of this import, whose references are checked before the commit.
    /// Contact `i` of the aggregator gets the row id `first_new_rows.contact + i`
    /// ([`EvidenceWriter::contact_id`]).
    first_new_rows: FirstNewRows,
    /// Probes that are not citable, packed per contact index until the block is full or the
    /// contact finishes. The standard library's SipHash took 12.9 million instructions here on
    /// the storing thread of the 100,000-line benchmark log (callgrind), and foldhash takes
    /// fewer. Like SipHash it is seeded at random per process.
    blocks: HashMap<u64, ContactBlocks, foldhash::fast::RandomState>,
}

/// The packed probes of one contact: the block being filled, and the probes packed in all.
#[derive(Debug, Default)]
struct ContactBlocks {
    open: ProbeBlock,
    packed: u64,
}

impl Case {
    /// Starts importing one evidence file: inserts its row in a new transaction.
    pub fn begin_evidence(&mut self, evidence: NewEvidence) -> Result<EvidenceWriter<'_>, CaseError> {
        self.check_writable()?;
        let case_path = self.path.clone();
        let imported_at_ns = now_ns();
        let start_error = |source| sqlite_error(&case_path, "could not start the import", source);
        let keys_off = KeysOff::new(&self.conn).map_err(start_error)?;
        let tx = Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate).map_err(start_error)?;
        tx.execute(
            "INSERT INTO evidence (path, size_bytes, sha256, kind, format, imported_at_ns, imported_by, modified_ns)
             VALUES (?1, ?2, ?3, ?4, '', ?5, ?6, ?7)",
            params![
                evidence.path,
                evidence.size_bytes as i64,
                evidence.sha256,
                evidence.kind.as_str(),
                imported_at_ns,
                evidence.imported_by,
                evidence.modified_ns
            ],
        )
        .map_err(|source| sqlite_error(&case_path, "could not record the evidence", source))?;
        let evidence_id = tx.last_insert_rowid();
        let first_new_rows = FirstNewRows::read(&tx)
            .map_err(|source| sqlite_error(&case_path, "could not number the contacts", source))?;
        Ok(EvidenceWriter {
            tx,
            _keys_off: keys_off,
            case_path,
            evidence_id,
            evidence,
            imported_at_ns,
            first_new_rows,
            blocks: HashMap::default(),
        })
    }

    /// Lists every evidence record in import order.
    pub fn evidence(&self) -> Result<Vec<EvidenceRecord>, CaseError> {
        let mut statement = self
            .conn
            .prepare(
                "SELECT id, path, size_bytes, sha256, kind, format, imported_at_ns, imported_by, first_ts_ns,
                        last_ts_ns, records, observations, skipped_json, anomalies_total, time_assumption,
                        modified_ns
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
            record.verification = self.latest_verification(record.id)?;
            record.custody = self.custody(record.id)?;
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
}

impl EvidenceWriter<'_> {
    /// Returns the row id the evidence will have once committed.
    pub fn evidence_id(&self) -> i64 {
        self.evidence_id
    }

    /// Returns the earlier import of a file with this SHA-256, if any: its row id and path.
    pub fn find_duplicate(&self, sha256: &str) -> Result<Option<(i64, String)>, CaseError> {
        self.tx
            .query_row(
                "SELECT id, path FROM evidence WHERE sha256 = ?1 AND id != ?2",
                params![sha256, self.evidence_id],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()
            .map_err(|source| sqlite_error(&self.case_path, "could not look up earlier imports", source))
    }

    /// Records the file's SHA-256, taken while the file was parsed.
    pub fn set_sha256(&mut self, sha256: &str) -> Result<(), CaseError> {
        self.tx
            .execute("UPDATE evidence SET sha256 = ?1 WHERE id = ?2", params![sha256, self.evidence_id])
            .map_err(|source| sqlite_error(&self.case_path, "could not record the SHA-256", source))?;
        self.evidence.sha256 = sha256.to_string();
        Ok(())
    }

    /// Stores probes the aggregator found, then contacts it finished. A contact's probes are
    /// all found before it finishes, so they come in this call or an earlier one.
    pub fn store(&mut self, probes: &[ProbeEvent], finished: Vec<(u64, Contact)>) -> Result<(), CaseError> {
        self.store_probes(probes).map_err(|source| sqlite_error(&self.case_path, "could not store probes", source))?;
        if !finished.is_empty() {
            self.store_finished_contacts(finished)?;
        }
        Ok(())
    }

    /// Stores the importer's summary, appends the audit entry and commits the import. The
    /// aggregator's last probes and contacts must have been stored first.
    pub fn finish(mut self, format: &str, summary: ImportSummary) -> Result<EvidenceRecord, CaseError> {
        // Every contact has finished and stored its block with it, so a block is left only if
        // a probe arrived after its contact finished. Such a block is stored, not dropped.
        let mut left: Vec<(u64, ContactBlocks)> = std::mem::take(&mut self.blocks).into_iter().collect();
        left.sort_unstable_by_key(|(index, _)| *index);
        for (index, blocks) in left {
            let contact_id = self.contact_id(index);
            let stored = store_block(&self.tx, contact_id, &blocks.open).and_then(|()| {
                self.tx.execute(
                    "UPDATE contact SET packed_probes = packed_probes + ?1 WHERE id = ?2",
                    params![blocks.open.probes() as i64, contact_id],
                )
            });
            stored.map_err(|source| sqlite_error(&self.case_path, "could not store packed probes", source))?;
        }
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
        check_new_rows(&self.tx, self.first_new_rows, self.evidence_id)
            .map_err(|source| sqlite_error(path, "could not save the import", source))?;
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
            modified_ns: self.evidence.modified_ns,
            summary,
            verification: None,
            custody: Vec::new(),
        })
    }
}

impl EvidenceWriter<'_> {
    /// Returns the row id of the contact with the aggregator's index `index`.
    fn contact_id(&self, index: u64) -> i64 {
        self.first_new_rows.contact + index as i64
    }

    /// Stores the citable probes as rows and packs the others into their contact's block.
    fn store_probes(&mut self, found: &[ProbeEvent]) -> rusqlite::Result<()> {
        let mut rows = Vec::with_capacity(found.len());
        for event in found {
            let contact_id = self.contact_id(event.contact_index);
            let probe = &event.probe;
            if event.citable {
                rows.push(ProbeRow { contact_id, probe });
                continue;
            }
            let blocks = self.blocks.entry(event.contact_index).or_default();
            blocks.open.push(probe.ts_ns, probe.locator);
            blocks.packed += 1;
            if blocks.open.is_full() {
                let full = std::mem::take(&mut blocks.open);
                store_block(&self.tx, contact_id, &full)?;
            }
        }
        import_rows::insert_probes(&self.tx, &rows)
    }

    /// Stores contacts the aggregator has finished.
    fn store_finished_contacts(&mut self, finished: Vec<(u64, Contact)>) -> Result<(), CaseError> {
        let path = &self.case_path;
        let mut rows = Vec::with_capacity(finished.len().min(CONTACT_ROWS_HELD));
        for (index, contact) in finished {
            let id = self.contact_id(index);
            let blocks = self.blocks.remove(&index).unwrap_or_default();
            if blocks.open.probes() > 0 {
                store_block(&self.tx, id, &blocks.open)
                    .map_err(|source| sqlite_error(path, "could not store packed probes", source))?;
            }
            let techniques_json = serde_json::to_string(&contact.techniques)
                .map_err(|source| json_error(path, "could not encode probe techniques", source))?;
            rows.push(ContactRow {
                id,
                evidence_id: self.evidence_id,
                contact,
                techniques_json,
                packed_probes: blocks.packed,
            });
            if rows.len() == CONTACT_ROWS_HELD {
                import_rows::insert_contacts(&self.tx, &rows)
                    .map_err(|source| sqlite_error(path, "could not store a contact", source))?;
                rows.clear();
            }
        }
        import_rows::insert_contacts(&self.tx, &rows)
            .map_err(|source| sqlite_error(path, "could not store a contact", source))
    }
}

/// Stores one contact's block of packed probes.
fn store_block(tx: &Transaction<'_>, contact_id: i64, block: &ProbeBlock) -> rusqlite::Result<()> {
    let mut statement =
        tx.prepare_cached("INSERT INTO probe_block (contact_id, probes, first_ts_ns, data) VALUES (?1, ?2, ?3, ?4)")?;
    statement.execute(params![contact_id, block.probes() as i64, block.first_ts_ns(), block.as_bytes()])?;
    Ok(())
}

/// Returns the aggregator whose probes and contacts an [`EvidenceWriter`] stores: it keeps the
/// log lines of the probes that findings can cite.
pub fn import_aggregator() -> Aggregator {
    Aggregator::keeping_texts(TEXTS_KEPT_PER_CONTACT)
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
        modified_ns: row.get(15)?,
        summary,
        verification: None,
        custody: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::NewEvidence;
    use crate::case::Case;
    use crate::model::{EvidenceKind, ImportSummary};

    /// A probe row naming a contact the import did not store fails the commit, as the foreign
    /// key would, and leaves nothing of the import.
    #[test]
    fn probe_without_contact_not_committed() {
        let folder = tempfile::tempdir().expect("temporary folder");
        let mut case = Case::create(&folder.path().join("case.scancase"), "orphan", None).expect("case");
        let evidence = NewEvidence {
            path: "/evidence/orphan.log".to_string(),
            size_bytes: 1,
            sha256: "00".repeat(32),
            kind: EvidenceKind::FirewallLog,
            imported_by: None,
            modified_ns: None,
        };
        let writer = case.begin_evidence(evidence).expect("import started");
        writer
            .tx
            .execute(
                "INSERT INTO probe (contact_id, ts_ns, record, byte_offset, technique) VALUES (?1, 0, 1, 0, 'tcp_syn')",
                [writer.contact_id(0)],
            )
            .expect("probe row");

        let error = writer.finish("netfilter-syslog", ImportSummary::default()).expect_err("commit refused");

        assert!(error.to_string().contains("could not save the import"), "{error}");
        assert!(format!("{error:?}").contains("probe rows whose contact was not stored: 1"), "{error:?}");
        let rows: i64 = case
            .conn
            .query_row("SELECT (SELECT COUNT(*) FROM evidence) + (SELECT COUNT(*) FROM probe)", [], |row| row.get(0))
            .expect("count");
        assert_eq!(rows, 0);
        let keys: bool = case.conn.query_row("PRAGMA foreign_keys", [], |row| row.get(0)).expect("pragma");
        assert!(keys);
    }
}
