//! Revisions of the report and the lock on an approved one.
//!
//! A case's report starts at revision 1. Its review steps (see `review`) belong to the
//! revision they were taken in. Approving a revision stores the report as approved, with
//! the SHA-256 of its JSON and the basis it was drafted from (analysis run and evidence),
//! in `report_approval`, which rejects updates and deletes. From then on the revision is
//! locked, and a change starts the next revision as a draft instead of altering the
//! approved one. Changes are examiner entries and section texts, finding choices, events,
//! attachments and reopening, and a new analysis or new evidence noticed when the report
//! is drafted again.
//! A submitted revision is frozen until it is approved or reopened.

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};

use super::{audit, json_error, now_ns, sqlite_error, Case, CaseError};
use crate::report::{ReviewState, ReviewStatus};

/// Basis of an approved report: the analysis run and evidence it was drafted from. A later
/// draft from another basis is a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportBasis {
    /// Row id of the analysis run the findings came from.
    pub run_id: Option<i64>,
    /// Row ids of the evidence files in the case.
    pub evidence_ids: Vec<i64>,
}

/// One revision of the report as listed by `scancase review CASE history`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevisionSummary {
    /// Revision number, from 1.
    pub number: u32,
    /// When the revision was started, UTC nanoseconds; `None` for revision 1, which starts
    /// with the case.
    pub started_at_ns: Option<i64>,
    /// Person who started it, when known.
    pub started_by: Option<String>,
    /// Reason it was started, for example "examiner entry detection.root_cause changed after
    /// approval".
    pub reason: String,
    /// The revision's review state now.
    pub state: ReviewState,
    /// When it was approved, UTC nanoseconds.
    pub approved_at_ns: Option<i64>,
    /// Reviewer who approved it.
    pub approved_by: Option<String>,
    /// SHA-256 of the approved report's JSON as stored.
    pub approved_sha256: Option<String>,
}

/// The approved report of a revision as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovedReport {
    /// Revision number.
    pub revision: u32,
    /// The report as approved, JSON.
    pub content_json: String,
    /// Basis it was drafted from.
    pub basis: ReportBasis,
}

/// Returns the number of the current revision: the latest started, or 1.
pub(super) fn current_revision(conn: &Connection) -> rusqlite::Result<u32> {
    let latest: Option<u32> = conn.query_row("SELECT max(number) FROM report_revision", [], |row| row.get(0))?;
    Ok(latest.unwrap_or(1))
}

/// Reads the review status of the current revision from its latest review step.
pub(super) fn status_of_current(conn: &Connection) -> rusqlite::Result<ReviewStatus> {
    let revision = current_revision(conn)?;
    let latest: Option<(String, Option<String>, i64)> = conn
        .query_row(
            "SELECT action, actor, at_ns FROM report_review WHERE revision = ?1 ORDER BY id DESC LIMIT 1",
            [revision],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .optional()?;
    Ok(match latest {
        None => ReviewStatus { revision, ..ReviewStatus::default() },
        Some((action, by, at_ns)) => ReviewStatus { state: stored_state(&action), by, at_ns: Some(at_ns), revision },
    })
}

fn stored_state(action: &str) -> ReviewState {
    match action {
        "submitted" => ReviewState::Submitted,
        "approved" => ReviewState::Approved,
        _ => ReviewState::Draft,
    }
}

/// Returns the revision a change goes into, inside the caller's transaction: the current
/// one when it is a draft, a new one when the current one is approved. A submitted revision
/// rejects changes. `step` names the change for the error and `reason` for the new revision.
pub(super) fn revision_for_change(
    tx: &Transaction<'_>,
    path: &std::path::Path,
    actor: Option<&str>,
    step: &'static str,
    reason: &str,
) -> Result<u32, CaseError> {
    let status =
        status_of_current(tx).map_err(|source| sqlite_error(path, "could not read the review state", source))?;
    match status.state {
        ReviewState::Draft => Ok(status.revision),
        ReviewState::Submitted => Err(CaseError::InvalidReviewStep {
            path: path.to_path_buf(),
            step,
            state: status.state.as_str(),
            hint: "reopen it with `scancase review CASE reopen` first",
        }),
        ReviewState::Approved => start_revision(tx, path, actor, status.revision + 1, reason),
    }
}

/// Inserts the next revision and records it in the audit log.
fn start_revision(
    tx: &Transaction<'_>,
    path: &std::path::Path,
    actor: Option<&str>,
    number: u32,
    reason: &str,
) -> Result<u32, CaseError> {
    tx.execute(
        "INSERT INTO report_revision (number, started_at_ns, started_by, reason) VALUES (?1, ?2, ?3, ?4)",
        params![number, now_ns(), actor, reason],
    )
    .map_err(|source| sqlite_error(path, "could not start a new report revision", source))?;
    let details = serde_json::json!({ "revision": number, "reason": reason });
    audit::append(tx, path, actor, "report_revision_started", details)?;
    Ok(number)
}

/// Stores the approved report of a revision inside the caller's transaction.
pub(super) fn store_approval(
    tx: &Transaction<'_>,
    path: &std::path::Path,
    revision: u32,
    actor: Option<&str>,
    approved: &ApprovedReport,
) -> Result<String, CaseError> {
    use sha2::{Digest, Sha256};
    let sha256 = audit::hex_lower(&Sha256::digest(approved.content_json.as_bytes()));
    let basis_json = serde_json::to_string(&approved.basis)
        .map_err(|source| json_error(path, "could not encode the report basis", source))?;
    tx.execute(
        "INSERT INTO report_approval (revision, approved_at_ns, approved_by, content_json, content_sha256, basis_json)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![revision, now_ns(), actor, approved.content_json, sha256, basis_json],
    )
    .map_err(|source| sqlite_error(path, "could not store the approved report", source))?;
    Ok(sha256)
}

impl Case {
    /// Reads the approved report of the current revision, or `None` when the current
    /// revision is not approved.
    pub fn approved_report(&self) -> Result<Option<ApprovedReport>, CaseError> {
        let status = self.review_status()?;
        if status.state != ReviewState::Approved {
            return Ok(None);
        }
        let row: Option<(String, String)> = self
            .conn
            .query_row(
                "SELECT content_json, basis_json FROM report_approval WHERE revision = ?1",
                [status.revision],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()
            .map_err(|source| self.sqlite("could not read the approved report", source))?;
        let Some((content_json, basis_json)) = row else {
            // NOTE: a case approved before revisions were stored has no approved copy; the
            // report is drafted again, as it was then.
            return Ok(None);
        };
        let basis = serde_json::from_str(&basis_json)
            .map_err(|source| json_error(&self.path, "could not read the approved report's basis", source))?;
        Ok(Some(ApprovedReport { revision: status.revision, content_json, basis }))
    }

    /// Starts a new revision when the current one is approved, for a change noticed outside
    /// the report's own commands (a new analysis or new evidence). Returns the new number,
    /// or `None` when the current revision is not approved.
    pub fn start_revision_after_approval(
        &mut self,
        reason: &str,
        actor: Option<&str>,
    ) -> Result<Option<u32>, CaseError> {
        let path = self.path.clone();
        let tx = self.transaction("could not start a new report revision")?;
        let status =
            status_of_current(&tx).map_err(|source| sqlite_error(&path, "could not read the review state", source))?;
        if status.state != ReviewState::Approved {
            return Ok(None);
        }
        let number = start_revision(&tx, &path, actor, status.revision + 1, reason)?;
        tx.commit().map_err(|source| sqlite_error(&path, "could not save the new report revision", source))?;
        Ok(Some(number))
    }

    /// Lists every revision of the report, oldest first.
    pub fn report_revisions(&self) -> Result<Vec<RevisionSummary>, CaseError> {
        let fail = |source| self.sqlite("could not read the report revisions", source);
        let mut started = self
            .conn
            .prepare("SELECT number, started_at_ns, started_by, reason FROM report_revision ORDER BY number")
            .map_err(fail)?;
        let mut rows: Vec<RevisionSummary> = started
            .query_map([], |row| {
                Ok(RevisionSummary {
                    number: row.get(0)?,
                    started_at_ns: Some(row.get(1)?),
                    started_by: row.get(2)?,
                    reason: row.get(3)?,
                    state: ReviewState::Draft,
                    approved_at_ns: None,
                    approved_by: None,
                    approved_sha256: None,
                })
            })
            .map_err(fail)?
            .collect::<Result<_, _>>()
            .map_err(fail)?;
        rows.insert(
            0,
            RevisionSummary {
                number: 1,
                started_at_ns: None,
                started_by: None,
                reason: "first draft".to_string(),
                state: ReviewState::Draft,
                approved_at_ns: None,
                approved_by: None,
                approved_sha256: None,
            },
        );
        for summary in &mut rows {
            let state: Option<String> = self
                .conn
                .query_row(
                    "SELECT action FROM report_review WHERE revision = ?1 ORDER BY id DESC LIMIT 1",
                    [summary.number],
                    |row| row.get(0),
                )
                .optional()
                .map_err(fail)?;
            summary.state = state.as_deref().map_or(ReviewState::Draft, stored_state);
            let approval: Option<(i64, Option<String>, String)> = self
                .conn
                .query_row(
                    "SELECT approved_at_ns, approved_by, content_sha256 FROM report_approval WHERE revision = ?1",
                    [summary.number],
                    |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
                )
                .optional()
                .map_err(fail)?;
            if let Some((at_ns, by, sha256)) = approval {
                summary.approved_at_ns = Some(at_ns);
                summary.approved_by = by;
                summary.approved_sha256 = Some(sha256);
            }
        }
        Ok(rows)
    }
}
