//! The examiner's report entries and the review of the report.
//!
//! The drafted report leaves fields that the evidence cannot supply (root cause, response
//! actions, impact) to the examiner. Each entry is stored as a new revision, never changed
//! in place, so the history of every field stays in the case. The review moves the report
//! revision from draft to submitted to approved; reopening returns it to draft. A submitted
//! revision rejects changes, and a change to an approved one starts the next revision (see
//! `revisions`), so an approved report keeps the text that was approved. Every step is in
//! the audit log.

use std::collections::BTreeMap;

use rusqlite::params;
use serde::{Deserialize, Serialize};

use super::revisions::{self, ApprovedReport};
use super::{audit, now_ns, sqlite_error, Case, CaseError};
use crate::report::{ReviewState, ReviewStatus};

/// One stored value of a report entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryRevision {
    /// Key of the examiner entry, for example `detection.root_cause`.
    pub key: String,
    /// The text entered.
    pub value: String,
    /// Examiner who entered it, when known.
    pub entered_by: Option<String>,
    /// When it was entered, UTC nanoseconds.
    pub entered_at_ns: i64,
}

/// A step of the review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewAction {
    /// Hand the draft to a reviewer.
    Submit,
    /// Approve a submitted report.
    Approve,
    /// Return a submitted or approved report to draft.
    Reopen,
}

impl ReviewAction {
    /// Returns the verb used in messages.
    pub fn verb(self) -> &'static str {
        match self {
            Self::Submit => "submit",
            Self::Approve => "approve",
            Self::Reopen => "reopen",
        }
    }

    fn stored(self) -> &'static str {
        match self {
            Self::Submit => "submitted",
            Self::Approve => "approved",
            Self::Reopen => "reopened",
        }
    }
}

/// One recorded review step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewStep {
    /// `submitted`, `approved` or `reopened`.
    pub action: String,
    /// Person who took the step, when known.
    pub actor: Option<String>,
    /// When, UTC nanoseconds.
    pub at_ns: i64,
    /// The reviewer's note, if any.
    pub note: Option<String>,
    /// Report revision the step was taken in.
    pub revision: u32,
}

impl Case {
    /// Reads the current value of every report entry, by key.
    pub fn report_entries(&self) -> Result<BTreeMap<String, String>, CaseError> {
        let fail = |source| self.sqlite("could not read the report entries", source);
        let mut statement = self
            .conn
            .prepare("SELECT key, value FROM report_entry WHERE id IN (SELECT max(id) FROM report_entry GROUP BY key)")
            .map_err(fail)?;
        let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?))).map_err(fail)?;
        rows.collect::<Result<_, _>>().map_err(fail)
    }

    /// Reads every revision of every report entry, oldest first.
    pub fn report_entry_revisions(&self) -> Result<Vec<EntryRevision>, CaseError> {
        let fail = |source| self.sqlite("could not read the report entry revisions", source);
        let mut statement = self
            .conn
            .prepare("SELECT key, value, entered_by, entered_at_ns FROM report_entry ORDER BY id")
            .map_err(fail)?;
        let rows = statement
            .query_map([], |row| {
                Ok(EntryRevision {
                    key: row.get(0)?,
                    value: row.get(1)?,
                    entered_by: row.get(2)?,
                    entered_at_ns: row.get(3)?,
                })
            })
            .map_err(fail)?;
        rows.collect::<Result<_, _>>().map_err(fail)
    }

    /// Stores a new revision of a report entry. A submitted report rejects it; on an
    /// approved report it starts the next report revision.
    pub fn set_report_entry(&mut self, key: &str, value: &str, actor: Option<&str>) -> Result<(), CaseError> {
        let path = self.path.clone();
        let tx = self.transaction("could not start storing the report entry")?;
        let reason = format!("examiner entry {key} changed after approval");
        let revision = revisions::revision_for_change(&tx, &path, actor, "edit", &reason)?;
        tx.execute(
            "INSERT INTO report_entry (key, value, entered_by, entered_at_ns) VALUES (?1, ?2, ?3, ?4)",
            params![key, value, actor, now_ns()],
        )
        .map_err(|source| sqlite_error(&path, "could not store the report entry", source))?;
        let details = serde_json::json!({ "key": key, "characters": value.chars().count(), "revision": revision });
        audit::append(&tx, &path, actor, "report_entry_set", details)?;
        tx.commit().map_err(|source| sqlite_error(&path, "could not save the report entry", source))
    }

    /// Reads the review state of the report's current revision from its latest review step.
    pub fn review_status(&self) -> Result<ReviewStatus, CaseError> {
        revisions::status_of_current(&self.conn)
            .map_err(|source| self.sqlite("could not read the review state", source))
    }

    /// Reads every review step, oldest first.
    pub fn review_history(&self) -> Result<Vec<ReviewStep>, CaseError> {
        let fail = |source| self.sqlite("could not read the review history", source);
        let mut statement = self
            .conn
            .prepare("SELECT action, actor, at_ns, note, revision FROM report_review ORDER BY id")
            .map_err(fail)?;
        let rows = statement
            .query_map([], |row| {
                Ok(ReviewStep {
                    action: row.get(0)?,
                    actor: row.get(1)?,
                    at_ns: row.get(2)?,
                    note: row.get(3)?,
                    revision: row.get(4)?,
                })
            })
            .map_err(fail)?;
        rows.collect::<Result<_, _>>().map_err(fail)
    }

    /// Records a review step after checking that it follows from the current state: submit
    /// a draft, approve a submitted report, reopen a submitted or approved one. Reopening an
    /// approved report starts the next revision.
    pub fn record_review(
        &mut self,
        action: ReviewAction,
        actor: Option<&str>,
        note: Option<&str>,
    ) -> Result<ReviewStatus, CaseError> {
        self.record_review_step(action, actor, note, None)
    }

    /// Records a review step like [`Case::record_review`]; an approval also stores
    /// `approved`, the report as approved, which the revision then keeps unchanged.
    pub fn record_review_step(
        &mut self,
        action: ReviewAction,
        actor: Option<&str>,
        note: Option<&str>,
        approved: Option<&ApprovedReport>,
    ) -> Result<ReviewStatus, CaseError> {
        let path = self.path.clone();
        let state = self.review_status()?.state;
        let hint = match (action, state) {
            (ReviewAction::Submit, ReviewState::Draft)
            | (ReviewAction::Approve, ReviewState::Submitted)
            | (ReviewAction::Reopen, ReviewState::Submitted | ReviewState::Approved) => None,
            (ReviewAction::Approve, ReviewState::Draft) => Some("submit it first"),
            (ReviewAction::Reopen, ReviewState::Draft) => Some("it is already a draft"),
            (ReviewAction::Submit, _) | (ReviewAction::Approve, ReviewState::Approved) => {
                Some("reopen it to change it")
            }
        };
        if let Some(hint) = hint {
            return Err(CaseError::InvalidReviewStep { path, step: action.verb(), state: state.as_str(), hint });
        }
        let at_ns = now_ns();
        let tx = self.transaction("could not start recording the review step")?;
        // Reopening an approved revision starts the next one; the other steps stay in the
        // current revision.
        let revision = match (action, state) {
            (ReviewAction::Reopen, ReviewState::Approved) => {
                revisions::revision_for_change(&tx, &path, actor, "reopen", "reopened after approval")?
            }
            _ => revisions::current_revision(&tx)
                .map_err(|source| sqlite_error(&path, "could not read the report revision", source))?,
        };
        tx.execute(
            "INSERT INTO report_review (action, actor, at_ns, note, revision) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![action.stored(), actor, at_ns, note, revision],
        )
        .map_err(|source| sqlite_error(&path, "could not store the review step", source))?;
        let mut details = serde_json::json!({ "action": action.stored(), "note": note, "revision": revision });
        if let (ReviewAction::Approve, Some(approved)) = (action, approved) {
            let sha256 = revisions::store_approval(&tx, &path, revision, actor, approved)?;
            details["report_sha256"] = serde_json::Value::from(sha256);
        }
        audit::append(&tx, &path, actor, "report_reviewed", details)?;
        tx.commit().map_err(|source| sqlite_error(&path, "could not save the review step", source))?;
        self.review_status()
    }
}
