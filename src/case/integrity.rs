//! Evidence integrity: re-hashing evidence files against their import hashes, and the chain
//! of custody the examiner records for each file.
//!
//! Verification only reads evidence files. Its results are stored (one row per file and
//! run) and recorded in the audit log, so the report can show when each file was last
//! checked and with what result.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use rusqlite::{params, OptionalExtension};
use sha2::{Digest, Sha256};

use super::{audit, now_ns, sqlite_error, Case, CaseError};
use crate::job::{JobObserver, JobPart, Unobserved};
use crate::model::{CustodyEntry, Verification, VerificationStatus};

/// Buffer size for re-hashing evidence, in bytes.
const HASH_BUFFER_BYTES: usize = 1024 * 1024;

/// A replacement of a path prefix, for evidence that moved since import (for example from a
/// USB drive mounted elsewhere).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathRemap {
    /// Prefix of the recorded path.
    pub old: PathBuf,
    /// Prefix to use instead.
    pub new: PathBuf,
}

/// Verification result for one evidence file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceCheck {
    /// Row id of the evidence.
    pub evidence_id: i64,
    /// Path recorded at import.
    pub recorded_path: String,
    /// SHA-256 recorded at import.
    pub recorded_sha256: String,
    /// What the check found.
    pub verification: Verification,
}

/// Returns the path to check for a recorded path: the first remap whose old prefix matches,
/// else the recorded path itself.
pub fn remapped_path(recorded: &Path, remaps: &[PathRemap]) -> PathBuf {
    for remap in remaps {
        if let Ok(rest) = recorded.strip_prefix(&remap.old) {
            return remap.new.join(rest);
        }
    }
    recorded.to_path_buf()
}

/// Bytes hashed so far over all files of one verification, and their sum.
struct HashProgress<'a> {
    observer: &'a mut dyn JobObserver,
    done: u64,
    total: u64,
}

/// Reason a file was not hashed to its end.
enum Unhashed {
    /// It could not be opened or read.
    Unreadable,
    /// The caller cancelled the verification.
    Cancelled,
}

/// Hashes a file with SHA-256, reporting each buffer read to `progress` and stopping when it
/// cancels.
fn hash_file(path: &Path, progress: &mut HashProgress<'_>) -> Result<String, Unhashed> {
    let mut file = File::open(path).map_err(|_| Unhashed::Unreadable)?;
    if !file.metadata().map_err(|_| Unhashed::Unreadable)?.is_file() {
        return Err(Unhashed::Unreadable);
    }
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; HASH_BUFFER_BYTES];
    loop {
        if progress.observer.is_cancelled() {
            return Err(Unhashed::Cancelled);
        }
        let read = file.read(&mut buffer).map_err(|_| Unhashed::Unreadable)?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
        progress.done += read as u64;
        progress.observer.progress(JobPart::VerifyingEvidence, progress.done, progress.total.max(progress.done));
    }
    Ok(super::hex_lower(&hasher.finalize()))
}

/// Outcome of a cancelled verification, as its error states it.
const CANCELLED_VERIFICATION: &str = "no verification result was stored";

impl Case {
    /// Re-hashes every evidence file and compares it with the hash taken at import.
    ///
    /// The results are stored and recorded in the audit log unless the case is open
    /// read-only, in which case they are only returned.
    pub fn verify_evidence(
        &mut self,
        remaps: &[PathRemap],
        actor: Option<&str>,
    ) -> Result<Vec<EvidenceCheck>, CaseError> {
        self.verify_evidence_observed(remaps, actor, &mut Unobserved)
    }

    /// Verifies the evidence as [`Case::verify_evidence`] does, reporting the bytes hashed
    /// to `observer` and storing nothing when it cancels.
    pub fn verify_evidence_observed(
        &mut self,
        remaps: &[PathRemap],
        actor: Option<&str>,
        observer: &mut dyn JobObserver,
    ) -> Result<Vec<EvidenceCheck>, CaseError> {
        let recorded: Vec<(i64, String, String)> = {
            let mut statement = self
                .conn
                .prepare("SELECT id, path, sha256 FROM evidence ORDER BY id")
                .map_err(|source| self.sqlite("could not list the evidence", source))?;
            let rows = statement
                .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
                .map_err(|source| self.sqlite("could not list the evidence", source))?;
            rows.collect::<Result<_, _>>().map_err(|source| self.sqlite("could not list the evidence", source))?
        };

        let checked_paths: Vec<PathBuf> =
            recorded.iter().map(|(_, path, _)| remapped_path(Path::new(path), remaps)).collect();
        let total = checked_paths.iter().filter_map(|path| std::fs::metadata(path).ok()).map(|meta| meta.len()).sum();
        let mut progress = HashProgress { observer, done: 0, total };
        progress.observer.progress(JobPart::VerifyingEvidence, 0, total);
        let mut checks = Vec::with_capacity(recorded.len());
        for ((evidence_id, path, sha256), checked) in recorded.into_iter().zip(checked_paths) {
            let found = match hash_file(&checked, &mut progress) {
                Ok(hash) => Some(hash),
                Err(Unhashed::Unreadable) => None,
                Err(Unhashed::Cancelled) => {
                    return Err(CaseError::Cancelled {
                        path: self.path.clone(),
                        job: "evidence verification",
                        outcome: CANCELLED_VERIFICATION,
                    })
                }
            };
            let status = match &found {
                None => VerificationStatus::Missing,
                Some(hash) if *hash == sha256 => VerificationStatus::Match,
                Some(_) => VerificationStatus::Mismatch,
            };
            let verification = Verification {
                verified_at_ns: now_ns(),
                path_checked: checked.display().to_string(),
                status,
                sha256_found: found,
            };
            checks.push(EvidenceCheck { evidence_id, recorded_path: path, recorded_sha256: sha256, verification });
        }
        if self.read_only.is_none() {
            self.store_checks(&checks, actor)?;
        }
        Ok(checks)
    }

    fn store_checks(&mut self, checks: &[EvidenceCheck], actor: Option<&str>) -> Result<(), CaseError> {
        let path = self.path.clone();
        let tx = self.transaction("could not start storing the verification")?;
        for check in checks {
            let v = &check.verification;
            tx.execute(
                "INSERT INTO verification (evidence_id, verified_at_ns, path_checked, status, sha256_found)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![check.evidence_id, v.verified_at_ns, v.path_checked, v.status.as_str(), v.sha256_found],
            )
            .map_err(|source| sqlite_error(&path, "could not store a verification", source))?;
        }
        let summary: Vec<serde_json::Value> = checks
            .iter()
            .map(|check| {
                serde_json::json!({
                    "evidence_id": check.evidence_id,
                    "path_checked": check.verification.path_checked,
                    "status": check.verification.status.as_str(),
                })
            })
            .collect();
        audit::append(&tx, &path, actor, "evidence_verified", serde_json::json!({ "results": summary }))?;
        tx.commit().map_err(|source| sqlite_error(&path, "could not save the verification", source))
    }

    /// Reads the latest verification of one evidence file.
    pub(super) fn latest_verification(&self, evidence_id: i64) -> Result<Option<Verification>, CaseError> {
        self.conn
            .query_row(
                "SELECT verified_at_ns, path_checked, status, sha256_found FROM verification
                 WHERE evidence_id = ?1 ORDER BY id DESC LIMIT 1",
                [evidence_id],
                |row| {
                    let status = match row.get::<_, String>(2)?.as_str() {
                        "match" => VerificationStatus::Match,
                        "mismatch" => VerificationStatus::Mismatch,
                        _ => VerificationStatus::Missing,
                    };
                    Ok(Verification {
                        verified_at_ns: row.get(0)?,
                        path_checked: row.get(1)?,
                        status,
                        sha256_found: row.get(3)?,
                    })
                },
            )
            .optional()
            .map_err(|source| self.sqlite("could not read the verification", source))
    }

    /// Adds a chain-of-custody entry to one evidence file and records it in the audit log.
    pub fn add_custody(&mut self, evidence_id: i64, entry: &CustodyEntry) -> Result<(), CaseError> {
        let path = self.path.clone();
        let tx = self.transaction("could not start recording custody")?;
        let exists: Option<i64> = tx
            .query_row("SELECT id FROM evidence WHERE id = ?1", [evidence_id], |row| row.get(0))
            .optional()
            .map_err(|source| sqlite_error(&path, "could not look up the evidence", source))?;
        if exists.is_none() {
            return Err(CaseError::EvidenceNotFound { path, evidence_id });
        }
        tx.execute(
            "INSERT INTO custody (evidence_id, acquired_by, acquired_at, source_system, method, storage, notes,
                recorded_by, recorded_at_ns)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                evidence_id,
                entry.acquired_by,
                entry.acquired_at,
                entry.source_system,
                entry.method,
                entry.storage,
                entry.notes,
                entry.recorded_by,
                entry.recorded_at_ns
            ],
        )
        .map_err(|source| sqlite_error(&path, "could not store the custody entry", source))?;
        let details = serde_json::json!({ "evidence_id": evidence_id, "entry": entry });
        audit::append(&tx, &path, entry.recorded_by.as_deref(), "custody_recorded", details)?;
        tx.commit().map_err(|source| sqlite_error(&path, "could not save the custody entry", source))
    }

    /// Reads the chain-of-custody entries of one evidence file in the order they were entered.
    pub(super) fn custody(&self, evidence_id: i64) -> Result<Vec<CustodyEntry>, CaseError> {
        let mut statement = self
            .conn
            .prepare(
                "SELECT acquired_by, acquired_at, source_system, method, storage, notes, recorded_by, recorded_at_ns
                 FROM custody WHERE evidence_id = ?1 ORDER BY id",
            )
            .map_err(|source| self.sqlite("could not read the chain of custody", source))?;
        let rows = statement
            .query_map([evidence_id], |row| {
                Ok(CustodyEntry {
                    acquired_by: row.get(0)?,
                    acquired_at: row.get(1)?,
                    source_system: row.get(2)?,
                    method: row.get(3)?,
                    storage: row.get(4)?,
                    notes: row.get(5)?,
                    recorded_by: row.get(6)?,
                    recorded_at_ns: row.get(7)?,
                })
            })
            .map_err(|source| self.sqlite("could not read the chain of custody", source))?;
        rows.collect::<Result<_, _>>().map_err(|source| self.sqlite("could not read the chain of custody", source))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remap_replaces_prefix() {
        let remaps = vec![PathRemap { old: PathBuf::from("/media/usb"), new: PathBuf::from("/mnt/evidence") }];
        assert_eq!(
            remapped_path(Path::new("/media/usb/case1/a.pcap"), &remaps),
            PathBuf::from("/mnt/evidence/case1/a.pcap")
        );
        assert_eq!(remapped_path(Path::new("/other/a.pcap"), &remaps), PathBuf::from("/other/a.pcap"));
    }

    #[test]
    fn remap_matches_whole_components() {
        let remaps = vec![PathRemap { old: PathBuf::from("/media/usb"), new: PathBuf::from("/mnt") }];
        assert_eq!(remapped_path(Path::new("/media/usb2/a.pcap"), &remaps), PathBuf::from("/media/usb2/a.pcap"));
    }
}
