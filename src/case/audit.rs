//! The audit log: an append-only, hash-chained record of every change made to a case.
//!
//! Each entry's `hash` is the SHA-256 of the previous entry's hash followed by this entry's
//! time, actor, action and details, so removing or editing an entry breaks the chain from
//! that point on. Triggers in the schema reject updates and deletes.

use std::path::Path;

use rusqlite::{OptionalExtension, Transaction};
use sha2::{Digest, Sha256};

use super::{json_error, now_ns, sqlite_error, CaseError};

/// The `prev_hash` of the first entry: 64 zero digits.
const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Appends one entry to the audit log inside the caller's transaction.
pub(super) fn append(
    tx: &Transaction<'_>,
    path: &Path,
    actor: Option<&str>,
    action: &str,
    details: serde_json::Value,
) -> Result<(), CaseError> {
    let prev_hash: String = tx
        .query_row("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1", [], |row| row.get(0))
        .optional()
        .map_err(|source| sqlite_error(path, "could not read the audit log", source))?
        .unwrap_or_else(|| GENESIS_HASH.to_string());
    let details_json = serde_json::to_string(&details)
        .map_err(|source| json_error(path, "could not encode an audit entry", source))?;
    let at_ns = now_ns();
    let hash = entry_hash(&prev_hash, at_ns, actor, action, &details_json);
    tx.execute(
        "INSERT INTO audit_log (at_ns, actor, action, details_json, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        rusqlite::params![at_ns, actor, action, details_json, prev_hash, hash],
    )
    .map_err(|source| sqlite_error(path, "could not append to the audit log", source))?;
    Ok(())
}

/// Computes an entry's hash; fields are separated by a NUL byte so that no two field
/// splits of the same bytes hash alike.
fn entry_hash(prev_hash: &str, at_ns: i64, actor: Option<&str>, action: &str, details_json: &str) -> String {
    let mut hasher = Sha256::new();
    for field in [prev_hash, &at_ns.to_string(), actor.unwrap_or(""), action, details_json] {
        hasher.update(field.as_bytes());
        hasher.update([0u8]);
    }
    hex_lower(&hasher.finalize())
}

/// Formats bytes as lower-case hexadecimal, as SHA-256 digests are written.
pub fn hex_lower(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

/// The audit log as read back, with the result of checking its hash chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditLog {
    /// Entries in order.
    pub entries: Vec<AuditEntry>,
    /// Row id of the first entry whose hash or link to the previous entry does not match, or
    /// `None` when the whole chain matches.
    pub first_mismatch: Option<i64>,
}

/// One audit entry as read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Row id, increasing with time.
    pub id: i64,
    /// Time of the action, UTC nanoseconds.
    pub at_ns: i64,
    /// Examiner or process that made the change, when known.
    pub actor: Option<String>,
    /// Action name, for example `evidence_imported`.
    pub action: String,
    /// Details as JSON text.
    pub details_json: String,
}

impl super::Case {
    /// Reads the whole audit log in order and checks its hash chain.
    pub fn audit_log(&self) -> Result<AuditLog, CaseError> {
        let mut statement = self
            .conn
            .prepare("SELECT id, at_ns, actor, action, details_json, prev_hash, hash FROM audit_log ORDER BY id")
            .map_err(|source| self.sqlite("could not read the audit log", source))?;
        let rows = statement
            .query_map([], |row| {
                let entry = AuditEntry {
                    id: row.get(0)?,
                    at_ns: row.get(1)?,
                    actor: row.get(2)?,
                    action: row.get(3)?,
                    details_json: row.get(4)?,
                };
                Ok((entry, row.get::<_, String>(5)?, row.get::<_, String>(6)?))
            })
            .map_err(|source| self.sqlite("could not read the audit log", source))?;
        let mut entries = Vec::new();
        let mut first_mismatch = None;
        let mut expected_prev = GENESIS_HASH.to_string();
        for row in rows {
            let (entry, prev_hash, hash) = row.map_err(|source| self.sqlite("could not read the audit log", source))?;
            let recomputed =
                entry_hash(&prev_hash, entry.at_ns, entry.actor.as_deref(), &entry.action, &entry.details_json);
            if (prev_hash != expected_prev || recomputed != hash) && first_mismatch.is_none() {
                first_mismatch = Some(entry.id);
            }
            expected_prev = hash;
            entries.push(entry);
        }
        Ok(AuditLog { entries, first_mismatch })
    }
}
