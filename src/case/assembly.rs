//! The examiner's additions to the report as stored in the case: the findings the report
//! covers (its scope), response events, and the examiner's Markdown for narrative sections.
//!
//! Every table here is append-only: a new scope or section text is a new row and the
//! latest row is the current one, so the history stays in the case. Each change goes
//! through `revisions::revision_for_change`, so a submitted report rejects it and an
//! approved one gets a new revision, and is recorded in the audit log in the same
//! transaction.

use std::collections::BTreeMap;

use rusqlite::{params, OptionalExtension};

use super::revisions;
use super::withdrawals::{self, WithdrawableKind};
use super::{audit, json_error, now_ns, sqlite_error, Case, CaseError};
use crate::report::{EventPhase, SectionKind, SectionText, TimelineEvent};

/// Maximum characters of an event's actor or description: a paragraph, not a document
/// (attach a statement for more).
pub const MAX_EVENT_TEXT_CHARS: usize = 2_000;

/// A response event as the examiner enters it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTimelineEvent {
    /// Response phase.
    pub phase: EventPhase,
    /// When it happened: RFC 3339 with an offset, for example `2026-12-04T21:05:00+01:00`.
    pub at_text: String,
    /// Who acted.
    pub actor: String,
    /// Description of the action.
    pub description: String,
}

/// Whether a section text is the examiner's edit or a confirmation of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SectionTextAction {
    /// The examiner wrote new text.
    Edited,
    /// The examiner kept the text after the drafted text under it changed.
    Confirmed,
}

impl SectionTextAction {
    fn as_str(self) -> &'static str {
        match self {
            Self::Edited => "edited",
            Self::Confirmed => "confirmed",
        }
    }
}

impl Case {
    /// Reads the finding IDs the examiner chose for the report, or `None` when no choice
    /// was made (or the last one returned to the default: every finding not suppressed).
    pub fn report_scope(&self) -> Result<Option<Vec<String>>, CaseError> {
        let latest: Option<Option<String>> = self
            .conn
            .query_row("SELECT findings_json FROM report_scope ORDER BY id DESC LIMIT 1", [], |row| row.get(0))
            .optional()
            .map_err(|source| self.sqlite("could not read the report's findings", source))?;
        match latest.flatten() {
            None => Ok(None),
            Some(json) => serde_json::from_str(&json)
                .map(Some)
                .map_err(|source| json_error(&self.path, "could not read the report's findings", source)),
        }
    }

    /// Stores the finding IDs the report covers; `None` returns to the default.
    pub fn set_report_scope(&mut self, findings: Option<&[String]>, actor: Option<&str>) -> Result<(), CaseError> {
        let path = self.path.clone();
        let findings_json = findings
            .map(serde_json::to_string)
            .transpose()
            .map_err(|source| json_error(&path, "could not encode the report's findings", source))?;
        let tx = self.transaction("could not start storing the report's findings")?;
        let revision = revisions::revision_for_change(&tx, &path, actor, "change", "findings chosen after approval")?;
        tx.execute(
            "INSERT INTO report_scope (findings_json, chosen_by, chosen_at_ns, revision) VALUES (?1, ?2, ?3, ?4)",
            params![findings_json, actor, now_ns(), revision],
        )
        .map_err(|source| sqlite_error(&path, "could not store the report's findings", source))?;
        let details = serde_json::json!({ "findings": findings, "revision": revision });
        audit::append(&tx, &path, actor, "report_findings_chosen", details)?;
        tx.commit().map_err(|source| sqlite_error(&path, "could not save the report's findings", source))
    }

    /// Reads the response events the examiner entered and did not withdraw, in time order.
    pub fn report_events(&self) -> Result<Vec<TimelineEvent>, CaseError> {
        let fail = |source| self.sqlite("could not read the report events", source);
        let mut statement = self
            .conn
            .prepare(&format!(
                "SELECT id, phase, at_ns, at_text, actor, description, entered_by, entered_at_ns
                 FROM report_event WHERE {} ORDER BY at_ns, id",
                withdrawals::not_withdrawn(WithdrawableKind::Event)
            ))
            .map_err(fail)?;
        let rows = statement
            .query_map([], |row| {
                let phase: String = row.get(1)?;
                Ok(TimelineEvent {
                    id: row.get(0)?,
                    // The schema's CHECK admits only the four phase names.
                    phase: EventPhase::parse(&phase).unwrap_or(EventPhase::Containment),
                    at_ns: row.get(2)?,
                    at_text: row.get(3)?,
                    actor: row.get(4)?,
                    description: row.get(5)?,
                    entered_by: row.get(6)?,
                    entered_at_ns: row.get(7)?,
                })
            })
            .map_err(fail)?;
        rows.collect::<Result<_, _>>().map_err(fail)
    }

    /// Validates and stores a response event; returns its row id.
    pub fn add_report_event(&mut self, event: &NewTimelineEvent, actor: Option<&str>) -> Result<i64, CaseError> {
        let path = self.path.clone();
        let invalid = |problem: String| CaseError::InvalidReportInput {
            path: path.clone(),
            subject: "timeline event".to_string(),
            problem,
        };
        let at_ns = parse_event_time(&event.at_text).map_err(&invalid)?;
        for (name, text) in [("actor", &event.actor), ("description", &event.description)] {
            if text.trim().is_empty() {
                return Err(invalid(format!("the {name} is empty; give who acted and what was done")));
            }
            let chars = text.chars().count();
            if chars > MAX_EVENT_TEXT_CHARS {
                return Err(invalid(format!(
                    "the {name} has {chars} characters, more than {MAX_EVENT_TEXT_CHARS}; attach a longer text as a statement"
                )));
            }
        }
        let tx = self.transaction("could not start storing the report event")?;
        let reason = format!("{} event added after approval", event.phase.as_str());
        let revision = revisions::revision_for_change(&tx, &path, actor, "change", &reason)?;
        tx.execute(
            "INSERT INTO report_event (phase, at_ns, at_text, actor, description, entered_by, entered_at_ns, revision)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                event.phase.as_str(),
                at_ns,
                event.at_text.trim(),
                event.actor.trim(),
                event.description.trim(),
                actor,
                now_ns(),
                revision
            ],
        )
        .map_err(|source| sqlite_error(&path, "could not store the report event", source))?;
        let id = tx.last_insert_rowid();
        let details = serde_json::json!({
            "event_id": id,
            "phase": event.phase.as_str(),
            "at": event.at_text.trim(),
            "revision": revision,
        });
        audit::append(&tx, &path, actor, "report_event_added", details)?;
        tx.commit().map_err(|source| sqlite_error(&path, "could not save the report event", source))?;
        Ok(id)
    }

    /// Reads the current examiner text of each narrative section.
    pub fn report_section_texts(&self) -> Result<Vec<SectionText>, CaseError> {
        let fail = |source| self.sqlite("could not read the section texts", source);
        let mut statement = self
            .conn
            .prepare(
                "SELECT section, markdown, drafted_markdown, entered_by, entered_at_ns FROM report_section_text
                 WHERE id IN (SELECT max(id) FROM report_section_text GROUP BY section) ORDER BY id",
            )
            .map_err(fail)?;
        let rows = statement
            .query_map([], |row| Ok((row.get::<_, String>(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?)))
            .map_err(fail)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(fail)?;
        let mut by_section = BTreeMap::new();
        for (section, markdown, drafted_markdown, entered_by, entered_at_ns) in rows {
            let Some(kind) = SectionKind::from_id(&section) else {
                log::warn!("{}: skipping the text of unknown report section {section:?}", self.path.display());
                continue;
            };
            by_section.insert(
                kind.id(),
                SectionText { section: kind, markdown, drafted_markdown, entered_by, entered_at_ns },
            );
        }
        Ok(by_section.into_values().collect())
    }

    /// Stores the examiner's Markdown for a narrative section (or confirms it), with the
    /// drafted Markdown it replaces, as a new revision of the section's text.
    pub fn set_report_section_text(
        &mut self,
        section: SectionKind,
        markdown: &str,
        drafted_markdown: &str,
        action: SectionTextAction,
        actor: Option<&str>,
    ) -> Result<(), CaseError> {
        let path = self.path.clone();
        if !section.is_narrative() {
            let narrative: Vec<&str> = SectionKind::NARRATIVE.iter().map(|kind| kind.id()).collect();
            return Err(CaseError::InvalidReportInput {
                path,
                subject: format!("section {}", section.id()),
                problem: format!(
                    "its text comes from the evidence and cannot be replaced; the examiner can write {}",
                    narrative.join(", ")
                ),
            });
        }
        let tx = self.transaction("could not start storing the section text")?;
        let reason = format!("section {} {} after approval", section.id(), action.as_str());
        let revision = revisions::revision_for_change(&tx, &path, actor, "edit", &reason)?;
        tx.execute(
            "INSERT INTO report_section_text (section, action, markdown, drafted_markdown, entered_by, entered_at_ns, revision)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![section.id(), action.as_str(), markdown, drafted_markdown, actor, now_ns(), revision],
        )
        .map_err(|source| sqlite_error(&path, "could not store the section text", source))?;
        let details = serde_json::json!({
            "section": section.id(),
            "action": action.as_str(),
            "characters": markdown.chars().count(),
            "revision": revision,
        });
        audit::append(&tx, &path, actor, "report_section_text_set", details)?;
        tx.commit().map_err(|source| sqlite_error(&path, "could not save the section text", source))
    }
}

/// Parses an event time: RFC 3339 with an explicit offset, because the examiner's clock
/// and zone are not the evidence's.
fn parse_event_time(text: &str) -> Result<i64, String> {
    let trimmed = text.trim();
    let parsed = chrono::DateTime::parse_from_rfc3339(trimmed).map_err(|error| {
        format!(
            "invalid time {trimmed:?} ({error}); give RFC 3339 with an offset, for example 2026-12-04T21:05:00+01:00 or 2026-12-04T20:05:00Z"
        )
    })?;
    parsed.timestamp_nanos_opt().ok_or_else(|| format!("time {trimmed:?} is outside the years 1677 to 2262"))
}

#[cfg(test)]
mod tests {
    use super::parse_event_time;

    #[test]
    fn event_time_needs_offset() {
        assert_eq!(parse_event_time("2026-12-04T21:05:00+01:00"), parse_event_time("2026-12-04T20:05:00Z"));
        let error = parse_event_time("2026-12-04 21:05").expect_err("no offset");
        assert!(error.contains("RFC 3339 with an offset"), "{error}");
    }
}
