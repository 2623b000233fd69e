//! Withdrawing a timeline event or an attachment from the report.
//!
//! Events and attachments are append-only, so a withdrawal does not delete the item: it adds
//! a row to `report_withdrawal` with the reason, the examiner and the report revision. The
//! readers of events and attachments skip withdrawn items, so the report no longer shows
//! them, while the item, its withdrawal and the audit entry stay in the case. An item is
//! withdrawn at most once. Like every report change, a withdrawal is rejected while the
//! report is submitted and starts a new revision when it is approved.

use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};

use super::revisions;
use super::{audit, now_ns, sqlite_error, Case, CaseError};

/// Maximum characters of a withdrawal reason: a paragraph, like an event description.
pub const MAX_WITHDRAWAL_REASON_CHARS: usize = 2_000;

/// Kind of a report item that can be withdrawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WithdrawableKind {
    /// A response event the examiner entered (`E<id>`).
    Event,
    /// A screenshot or statement the examiner attached (`A<id>`).
    Attachment,
}

impl WithdrawableKind {
    /// Returns the kind's name as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Event => "event",
            Self::Attachment => "attachment",
        }
    }

    /// Returns the letter that prefixes the item's ID in listings; the report also names
    /// attachments `A<id>`.
    pub fn prefix(self) -> char {
        match self {
            Self::Event => 'E',
            Self::Attachment => 'A',
        }
    }

    fn table(self) -> &'static str {
        match self {
            Self::Event => "report_event",
            Self::Attachment => "report_attachment",
        }
    }
}

/// A stored withdrawal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Withdrawal {
    /// Kind of the withdrawn item.
    pub kind: WithdrawableKind,
    /// Row id of the item in its table.
    pub item_id: i64,
    /// Description of the item for listings: the event's phase, time and description, or the
    /// attachment's kind and file name.
    pub item_label: String,
    /// Examiner's reason for the withdrawal.
    pub reason: String,
    /// Examiner who withdrew it, when known.
    pub withdrawn_by: Option<String>,
    /// When, UTC nanoseconds.
    pub withdrawn_at_ns: i64,
    /// Report revision the withdrawal belongs to.
    pub revision: u32,
}

/// SQL condition that keeps the rows of `kind`'s table that are not withdrawn; the table's
/// row id column must be `id`.
pub(super) fn not_withdrawn(kind: WithdrawableKind) -> String {
    format!("id NOT IN (SELECT item_id FROM report_withdrawal WHERE item_kind = '{}')", kind.as_str())
}

impl Case {
    /// Withdraws an event or attachment from the report with a reason, keeping the item and
    /// the withdrawal in the case and recording it in the audit log.
    pub fn withdraw_report_item(
        &mut self,
        kind: WithdrawableKind,
        item_id: i64,
        reason: &str,
        actor: Option<&str>,
    ) -> Result<(), CaseError> {
        let path = self.path.clone();
        let subject = format!("{} {}{item_id}", kind.as_str(), kind.prefix());
        let invalid =
            |problem: String| CaseError::InvalidReportInput { path: path.clone(), subject: subject.clone(), problem };
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(invalid("the reason is empty; say why the item is withdrawn".to_string()));
        }
        let chars = reason.chars().count();
        if chars > MAX_WITHDRAWAL_REASON_CHARS {
            return Err(invalid(format!(
                "the reason has {chars} characters, more than {MAX_WITHDRAWAL_REASON_CHARS}; attach a longer text as a statement"
            )));
        }

        let tx = self.transaction("could not start withdrawing the report item")?;
        let exists: Option<i64> = tx
            .query_row(&format!("SELECT id FROM {} WHERE id = ?1", kind.table()), [item_id], |row| row.get(0))
            .optional()
            .map_err(|source| sqlite_error(&path, "could not look up the report item", source))?;
        if exists.is_none() {
            return Err(invalid(format!(
                "the case has no such {}; list the items with `scancase report items CASE`",
                kind.as_str()
            )));
        }
        let earlier: Option<(String, i64)> = tx
            .query_row(
                "SELECT reason, withdrawn_at_ns FROM report_withdrawal WHERE item_kind = ?1 AND item_id = ?2",
                params![kind.as_str(), item_id],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()
            .map_err(|source| sqlite_error(&path, "could not look up withdrawals", source))?;
        if let Some((earlier_reason, at_ns)) = earlier {
            return Err(invalid(format!(
                "it was withdrawn already on {} ({earlier_reason})",
                crate::model::format_rfc3339(at_ns)
            )));
        }

        let change = format!("{subject} withdrawn after approval");
        let revision = revisions::revision_for_change(&tx, &path, actor, "change", &change)?;
        tx.execute(
            "INSERT INTO report_withdrawal (item_kind, item_id, reason, withdrawn_by, withdrawn_at_ns, revision)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![kind.as_str(), item_id, reason, actor, now_ns(), revision],
        )
        .map_err(|source| sqlite_error(&path, "could not store the withdrawal", source))?;
        let details = serde_json::json!({
            "item": kind.as_str(),
            "item_id": item_id,
            "reason": reason,
            "revision": revision,
        });
        audit::append(&tx, &path, actor, "report_item_withdrawn", details)?;
        tx.commit().map_err(|source| sqlite_error(&path, "could not save the withdrawal", source))
    }

    /// Lists the withdrawals in the order they were made.
    pub fn report_withdrawals(&self) -> Result<Vec<Withdrawal>, CaseError> {
        let fail = |source| self.sqlite("could not read the withdrawals", source);
        let mut statement = self
            .conn
            .prepare(
                "SELECT w.item_kind, w.item_id, w.reason, w.withdrawn_by, w.withdrawn_at_ns, w.revision,
                        e.phase, e.at_text, e.description, a.kind, a.name
                 FROM report_withdrawal w
                 LEFT JOIN report_event e ON w.item_kind = 'event' AND e.id = w.item_id
                 LEFT JOIN report_attachment a ON w.item_kind = 'attachment' AND a.id = w.item_id
                 ORDER BY w.id",
            )
            .map_err(fail)?;
        let rows = statement
            .query_map([], |row| {
                let stored_kind: String = row.get(0)?;
                // The schema's CHECK admits only the two kinds.
                let kind = if stored_kind == "event" { WithdrawableKind::Event } else { WithdrawableKind::Attachment };
                let item_label = match kind {
                    WithdrawableKind::Event => {
                        let phase: Option<String> = row.get(6)?;
                        let at: Option<String> = row.get(7)?;
                        let description: Option<String> = row.get(8)?;
                        format!(
                            "{} {}: {}",
                            phase.unwrap_or_default(),
                            at.unwrap_or_default(),
                            description.unwrap_or_default()
                        )
                    }
                    WithdrawableKind::Attachment => {
                        let attachment_kind: Option<String> = row.get(9)?;
                        let name: Option<String> = row.get(10)?;
                        format!("{} {}", attachment_kind.unwrap_or_default(), name.unwrap_or_default())
                    }
                };
                Ok(Withdrawal {
                    kind,
                    item_id: row.get(1)?,
                    item_label,
                    reason: row.get(2)?,
                    withdrawn_by: row.get(3)?,
                    withdrawn_at_ns: row.get(4)?,
                    revision: row.get(5)?,
                })
            })
            .map_err(fail)?;
        rows.collect::<Result<_, _>>().map_err(fail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::NewTimelineEvent;
    use crate::report::EventPhase;

    fn event(description: &str) -> NewTimelineEvent {
        NewTimelineEvent {
            phase: EventPhase::Containment,
            at_text: "2026-12-04T19:40:00Z".to_string(),
            actor: "NOC".to_string(),
            description: description.to_string(),
        }
    }

    #[test]
    fn version_4_case_migrates_and_withdraws() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("version4.scancase");
        {
            // A case as the release with four migrations wrote it, with one response event.
            let conn = rusqlite::Connection::open(&path).expect("file created");
            for sql in &super::super::schema::MIGRATIONS[..4] {
                conn.execute_batch(sql).expect("old migration applied");
            }
            conn.pragma_update(None, "application_id", super::super::schema::APPLICATION_ID).expect("id set");
            conn.pragma_update(None, "user_version", 4).expect("version set");
            conn.execute_batch(
                "INSERT INTO case_info VALUES (1, 'old', NULL, 0, '0.1.0');
                 INSERT INTO report_event (id, phase, at_ns, at_text, actor, description, entered_at_ns, revision)
                     VALUES (1, 'containment', 0, '1970-01-01T00:00:00Z', 'NOC', 'blocked', 0, 1);",
            )
            .expect("old rows written");
        }
        let mut case = Case::open(&path).expect("old case opened and migrated");
        assert_eq!(case.report_events().expect("events").len(), 1);
        case.withdraw_report_item(WithdrawableKind::Event, 1, "wrong case", Some("Ada")).expect("withdrawn");
        assert!(case.report_events().expect("events").is_empty());
        let withdrawals = case.report_withdrawals().expect("withdrawals");
        assert_eq!(withdrawals.len(), 1);
        assert_eq!(withdrawals[0].item_label, "containment 1970-01-01T00:00:00Z: blocked");
        assert_eq!(withdrawals[0].withdrawn_by.as_deref(), Some("Ada"));
    }

    #[test]
    fn withdrawal_rows_cannot_change() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut case = Case::create(&dir.path().join("w.scancase"), "W", None).expect("case created");
        let kept = case.add_report_event(&event("kept"), None).expect("event stored");
        let withdrawn = case.add_report_event(&event("withdrawn"), None).expect("event stored");
        case.withdraw_report_item(WithdrawableKind::Event, withdrawn, "typo", None).expect("withdrawn");
        let events = case.report_events().expect("events");
        assert_eq!(events.iter().map(|event| event.id).collect::<Vec<_>>(), vec![kept]);
        let deleted = case.conn.execute("DELETE FROM report_withdrawal", []);
        assert!(deleted.is_err(), "a withdrawal was deleted");
        let updated = case.conn.execute("UPDATE report_withdrawal SET reason = 'x'", []);
        assert!(updated.is_err(), "a withdrawal was changed");
        assert_eq!(case.report_withdrawals().expect("withdrawals")[0].reason, "typo");
    }
}
