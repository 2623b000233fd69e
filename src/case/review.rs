//! The examiner's report entries and the review of the report.
//!
//! The drafted report leaves fields that the evidence cannot supply (root cause, response
//! actions, impact) to the examiner. Each entry is stored as a new revision, never changed
//! in place, so the history of every field stays in the case. The review moves the report
//! from draft to submitted to approved; reopening returns it to draft. Entries can be changed
//! only in draft, so an approved report keeps the text that was approved. Every step is in
//! the audit log.

use std::collections::BTreeMap;

use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};

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

    /// Stores a new revision of a report entry; only a draft report can be changed.
    pub fn set_report_entry(&mut self, key: &str, value: &str, actor: Option<&str>) -> Result<(), CaseError> {
        let path = self.path.clone();
        let state = self.review_status()?.state;
        if state != ReviewState::Draft {
            return Err(CaseError::InvalidReviewStep {
                path,
                step: "edit",
                state: state.as_str(),
                hint: "reopen it with `scancase review CASE reopen` first",
            });
        }
        let tx = self.transaction("could not start storing the report entry")?;
        tx.execute(
            "INSERT INTO report_entry (key, value, entered_by, entered_at_ns) VALUES (?1, ?2, ?3, ?4)",
            params![key, value, actor, now_ns()],
        )
        .map_err(|source| sqlite_error(&path, "could not store the report entry", source))?;
        let details = serde_json::json!({ "key": key, "characters": value.chars().count() });
        audit::append(&tx, &path, actor, "report_entry_set", details)?;
        tx.commit().map_err(|source| sqlite_error(&path, "could not save the report entry", source))
    }

    /// Reads the report's review state from the latest review step.
    pub fn review_status(&self) -> Result<ReviewStatus, CaseError> {
        let latest: Option<(String, Option<String>, i64)> = self
            .conn
            .query_row("SELECT action, actor, at_ns FROM report_review ORDER BY id DESC LIMIT 1", [], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?))
            })
            .optional()
            .map_err(|source| self.sqlite("could not read the review state", source))?;
        Ok(match latest {
            None => ReviewStatus::default(),
            Some((action, by, at_ns)) => {
                let state = match action.as_str() {
                    "submitted" => ReviewState::Submitted,
                    "approved" => ReviewState::Approved,
                    _ => ReviewState::Draft,
                };
                ReviewStatus { state, by, at_ns: Some(at_ns) }
            }
        })
    }

    /// Reads every review step, oldest first.
    pub fn review_history(&self) -> Result<Vec<ReviewStep>, CaseError> {
        let fail = |source| self.sqlite("could not read the review history", source);
        let mut statement =
            self.conn.prepare("SELECT action, actor, at_ns, note FROM report_review ORDER BY id").map_err(fail)?;
        let rows = statement
            .query_map([], |row| {
                Ok(ReviewStep { action: row.get(0)?, actor: row.get(1)?, at_ns: row.get(2)?, note: row.get(3)? })
            })
            .map_err(fail)?;
        rows.collect::<Result<_, _>>().map_err(fail)
    }

    /// Records a review step after checking that it follows from the current state: submit
    /// a draft, approve a submitted report, reopen a submitted or approved one.
    pub fn record_review(
        &mut self,
        action: ReviewAction,
        actor: Option<&str>,
        note: Option<&str>,
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
        tx.execute(
            "INSERT INTO report_review (action, actor, at_ns, note) VALUES (?1, ?2, ?3, ?4)",
            params![action.stored(), actor, at_ns, note],
        )
        .map_err(|source| sqlite_error(&path, "could not store the review step", source))?;
        let details = serde_json::json!({ "action": action.stored(), "note": note });
        audit::append(&tx, &path, actor, "report_reviewed", details)?;
        tx.commit().map_err(|source| sqlite_error(&path, "could not save the review step", source))?;
        self.review_status()
    }
}
