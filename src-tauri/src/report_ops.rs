//! The steps behind the report workspace commands, as plain functions over an open [`Case`].
//!
//! Each step checks its request, calls one library function (`workflow` or the case's
//! report assembly) and, for the workspace, converts the drafted report into the types of
//! [`crate::report_dto`]. Nothing here depends on Tauri, so the tests below run every step
//! without a window.

use std::path::Path;

use scancase::case::{Case, NewAttachment, NewTimelineEvent, ReviewAction, WithdrawableKind};
use scancase::contract::FindingJson;
use scancase::job::JobObserver;
use scancase::model::format_rfc3339;
use scancase::report::{self, AttachmentKind, Block, EventPhase, Report, ReviewState, SectionKind};
use scancase::workflow::{self, DraftedReport, ReportFormat};

use crate::dto::visible;
use crate::error::CommandError;
use crate::report_dto::{
    AttachRequest, AttachmentKindName, AttachmentView, ChecklistItem, ChecklistKind, EventRequest, EventView,
    FindingChoice, PhaseName, ReportBlock, ReportExportFormat, ReportExportResult, ReportWorkspace, ReviewRequest,
    ReviewStateName, ReviewStepName, ReviewStepView, ReviewView, RevisionView, SectionDocument, TextOrigin,
    WithdrawRequest, WithdrawableName, WithdrawalView,
};

/// Drafts the report for editing (no evidence re-hashing, nothing stored; see
/// [`workflow::ReportPurpose::Edit`]) and builds the workspace.
pub fn workspace(case: &mut Case) -> Result<ReportWorkspace, CommandError> {
    let actor = case.actor();
    let drafted = workflow::prepare_report_to_edit(case, actor.as_deref())?;
    let texts = case.report_section_texts()?;
    let sections = drafted
        .report
        .sections
        .iter()
        .enumerate()
        .map(|(index, section)| {
            let markdown =
                section.kind.is_narrative().then(|| match texts.iter().find(|text| text.section == section.kind) {
                    Some(text) => text.markdown.clone(),
                    None => drafted
                        .drafted_sections
                        .iter()
                        .find(|drafted| drafted.kind == section.kind)
                        .map(report::drafted_section_markdown)
                        .unwrap_or_default(),
                });
            SectionDocument {
                id: section.kind.id().to_string(),
                number: index as u32 + 1,
                title: section.title.clone(),
                narrative: section.kind.is_narrative(),
                origin: if section.edit.is_some() { TextOrigin::Examiner } else { TextOrigin::Drafted },
                edited_by: section.edit.as_ref().and_then(|edit| edit.by.clone()),
                edited_at: section.edit.as_ref().map(|edit| format_rfc3339(edit.at_ns)),
                conflict: section.edit.as_ref().is_some_and(|edit| edit.conflict),
                markdown,
                blocks: section.blocks.iter().map(ReportBlock::from).collect(),
            }
        })
        .collect();
    Ok(ReportWorkspace {
        title: drafted.report.title.clone(),
        examiner: drafted.report.examiner.clone(),
        generated_at: format_rfc3339(drafted.report.generated_at_ns),
        sections,
        checklist: checklist(&drafted),
        review: review_view(&drafted.report),
        revisions: revisions(case)?,
        findings: finding_choices(&drafted),
        findings_chosen: case.report_scope()?.is_some(),
        events: case.report_events()?.iter().map(event_view).collect(),
        attachments: case.report_attachments()?.iter().map(attachment_view).collect(),
        withdrawals: case.report_withdrawals()?.iter().map(withdrawal_view).collect(),
        read_only_reason: case.read_only_reason().map(str::to_string),
    })
}

/// Lists what approval checks, in report order: each examiner entry, each section in
/// conflict and each chosen finding the analysis lacks. It reads the same facts as
/// [`DraftedReport::approval_blockers`], so approval succeeds exactly when every item is done.
pub fn checklist(drafted: &DraftedReport) -> Vec<ChecklistItem> {
    let mut items = Vec::new();
    for section in &drafted.report.sections {
        if section.edit.as_ref().is_some_and(|edit| edit.conflict) {
            items.push(ChecklistItem {
                kind: ChecklistKind::Conflict,
                subject: section.kind.id().to_string(),
                label: section.title.clone(),
                section: Some(section.kind.id().to_string()),
                done: false,
            });
        }
        for block in &section.blocks {
            if let Block::ExaminerEntry(entry) = block {
                items.push(ChecklistItem {
                    kind: ChecklistKind::Entry,
                    subject: entry.key.clone(),
                    label: visible(&entry.label),
                    section: Some(section.kind.id().to_string()),
                    done: entry.value.as_deref().is_some_and(|value| !value.trim().is_empty()),
                });
            }
        }
    }
    for id in &drafted.missing_findings {
        items.push(ChecklistItem {
            kind: ChecklistKind::MissingFinding,
            subject: id.clone(),
            label: visible(id),
            section: None,
            done: false,
        });
    }
    items
}

fn state_name(state: ReviewState) -> ReviewStateName {
    match state {
        ReviewState::Draft => ReviewStateName::Draft,
        ReviewState::Submitted => ReviewStateName::Submitted,
        ReviewState::Approved => ReviewStateName::Approved,
    }
}

fn review_view(report: &Report) -> ReviewView {
    let review = &report.review;
    ReviewView {
        state: state_name(review.state),
        label: visible(&review.label()),
        by: review.by.as_deref().map(visible),
        at: review.at_ns.map(format_rfc3339),
        revision: review.revision,
    }
}

fn revisions(case: &Case) -> Result<Vec<RevisionView>, CommandError> {
    let steps = case.review_history()?;
    let views = case
        .report_revisions()?
        .into_iter()
        .map(|revision| RevisionView {
            number: revision.number,
            state: state_name(revision.state),
            started_at: revision.started_at_ns.map(format_rfc3339),
            started_by: revision.started_by.as_deref().map(visible),
            reason: visible(&revision.reason),
            approved_at: revision.approved_at_ns.map(format_rfc3339),
            approved_by: revision.approved_by.as_deref().map(visible),
            approved_sha256: revision.approved_sha256,
            steps: steps
                .iter()
                .filter(|step| step.revision == revision.number)
                .map(|step| ReviewStepView {
                    action: step.action.clone(),
                    actor: step.actor.as_deref().map(visible),
                    at: format_rfc3339(step.at_ns),
                    note: step.note.as_deref().map(visible),
                })
                .collect(),
        })
        .collect();
    Ok(views)
}

fn finding_choices(drafted: &DraftedReport) -> Vec<FindingChoice> {
    let covered = drafted.input.findings.iter().map(|finding| {
        let json = FindingJson::from(finding);
        let summary = format!("{} {} scan from {}", json.kind, json.technique, json.sources.join(", "));
        FindingChoice { id: visible(&finding.id), summary: visible(&summary), covered: true, reason: None }
    });
    let excluded = drafted.input.excluded_findings.iter().map(|excluded| FindingChoice {
        id: visible(&excluded.id),
        summary: String::new(),
        covered: false,
        reason: Some(visible(&excluded.reason)),
    });
    let mut choices: Vec<FindingChoice> = covered.chain(excluded).collect();
    choices.sort_by_key(|choice| finding_number(&choice.id));
    choices
}

/// Returns the number of a finding ID such as `F-12`, so `F-2` sorts before `F-10`.
fn finding_number(id: &str) -> (u64, String) {
    let number = id.trim_start_matches(|c: char| !c.is_ascii_digit()).parse().unwrap_or(u64::MAX);
    (number, id.to_string())
}

fn phase_name(phase: EventPhase) -> PhaseName {
    match phase {
        EventPhase::Containment => PhaseName::Containment,
        EventPhase::Eradication => PhaseName::Eradication,
        EventPhase::Recovery => PhaseName::Recovery,
        EventPhase::Notification => PhaseName::Notification,
    }
}

fn event_view(event: &report::TimelineEvent) -> EventView {
    EventView {
        id: event.id,
        phase: phase_name(event.phase),
        at: format_rfc3339(event.at_ns),
        at_text: visible(&event.at_text),
        actor: visible(&event.actor),
        description: visible(&event.description),
        entered_by: event.entered_by.as_deref().map(visible),
    }
}

fn attachment_view(attachment: &report::Attachment) -> AttachmentView {
    AttachmentView {
        id: attachment.id,
        kind: match attachment.kind {
            AttachmentKind::Screenshot => AttachmentKindName::Screenshot,
            AttachmentKind::Statement => AttachmentKindName::Statement,
        },
        name: visible(&attachment.name),
        media_type: attachment.media_type.clone(),
        sha256: attachment.sha256.clone(),
        size_bytes: attachment.size_bytes,
        description: attachment.description.as_deref().map(visible),
        added_by: attachment.added_by.as_deref().map(visible),
        added_at: format_rfc3339(attachment.added_at_ns),
    }
}

fn withdrawal_view(withdrawal: &scancase::case::Withdrawal) -> WithdrawalView {
    WithdrawalView {
        kind: match withdrawal.kind {
            WithdrawableKind::Event => WithdrawableName::Event,
            WithdrawableKind::Attachment => WithdrawableName::Attachment,
        },
        item_id: withdrawal.item_id,
        item_label: visible(&withdrawal.item_label),
        reason: visible(&withdrawal.reason),
        withdrawn_by: withdrawal.withdrawn_by.as_deref().map(visible),
        withdrawn_at: format_rfc3339(withdrawal.withdrawn_at_ns),
        revision: withdrawal.revision,
    }
}

impl From<&Block> for ReportBlock {
    fn from(block: &Block) -> Self {
        match block {
            Block::Subheading { level, text } => Self::Subheading { level: *level, text: visible(text) },
            Block::Paragraph { text } => Self::Paragraph { text: visible(text) },
            Block::Fields { fields } => Self::Fields {
                fields: fields.iter().map(|field| (visible(&field.label), visible(&field.value))).collect(),
            },
            Block::Table(table) => Self::Table {
                columns: table.columns.iter().map(|column| visible(&column.title)).collect(),
                rows: table.rows.iter().map(|row| row.iter().map(|cell| visible(cell)).collect()).collect(),
            },
            Block::List { items } => Self::List { items: items.iter().map(|item| visible(item)).collect() },
            Block::ExaminerEntry(entry) => Self::ExaminerEntry {
                key: entry.key.clone(),
                label: visible(&entry.label),
                guidance: visible(&entry.guidance),
                value: entry.value.as_deref().map(visible),
            },
            Block::Chart(chart) => {
                Self::Chart { finding_id: visible(&chart.finding_id), probes_total: chart.probes_total }
            }
        }
    }
}

/// Converts the examiner's Markdown into the blocks the report would show, for the editor's
/// preview. Raw HTML stays text and links keep their address as text (see
/// [`report::section_text_blocks`]).
pub fn preview_markdown(markdown: &str) -> Vec<ReportBlock> {
    report::section_text_blocks(markdown).iter().map(ReportBlock::from).collect()
}

fn invalid(field: &'static str, problem: impl Into<String>) -> CommandError {
    CommandError::InvalidInput { field, problem: problem.into() }
}

fn parse_section(id: &str) -> Result<SectionKind, CommandError> {
    SectionKind::from_id(id).ok_or_else(|| invalid("section", format!("unknown section '{id}'")))
}

/// Stores the examiner's Markdown for a narrative section.
pub fn save_section_text(case: &mut Case, section: &str, markdown: &str) -> Result<(), CommandError> {
    let kind = parse_section(section)?;
    if markdown.trim().is_empty() {
        return Err(invalid("section text", "the text is empty; write the section's text"));
    }
    let actor = case.actor();
    Ok(workflow::set_section_text(case, kind, markdown, actor.as_deref())?)
}

/// Keeps the examiner's text of a section after its drafted text changed.
pub fn confirm_section_text(case: &mut Case, section: &str) -> Result<(), CommandError> {
    let kind = parse_section(section)?;
    let actor = case.actor();
    Ok(workflow::confirm_section_text(case, kind, actor.as_deref())?)
}

/// Stores the examiner's text for one examiner entry.
pub fn set_examiner_entry(case: &mut Case, key: &str, value: &str) -> Result<(), CommandError> {
    if value.trim().is_empty() {
        return Err(invalid("entry text", "the text is empty; an entry keeps its last text, so enter the new text"));
    }
    let actor = case.actor();
    Ok(workflow::set_examiner_entry(case, key, value, actor.as_deref())?)
}

/// Takes a review step in the reviewer's name.
pub fn review(case: &mut Case, request: &ReviewRequest) -> Result<(), CommandError> {
    let reviewer = request.reviewer.trim();
    if reviewer.is_empty() {
        return Err(invalid("reviewer", "the name is empty; enter who takes the review step"));
    }
    let action = match request.step {
        ReviewStepName::Submit => ReviewAction::Submit,
        ReviewStepName::Approve => ReviewAction::Approve,
        ReviewStepName::Reopen => ReviewAction::Reopen,
    };
    let note = request.note.as_deref().map(str::trim).filter(|note| !note.is_empty());
    workflow::review_report(case, action, Some(reviewer), note)?;
    Ok(())
}

/// Chooses the findings the report covers; `None` returns to every finding not suppressed.
pub fn choose_findings(case: &mut Case, findings: Option<&[String]>) -> Result<(), CommandError> {
    if findings.is_some_and(|ids| ids.is_empty()) {
        return Err(invalid("findings", "no finding is chosen; choose at least one, or return to the default"));
    }
    let actor = case.actor();
    Ok(workflow::choose_report_findings(case, findings, actor.as_deref())?)
}

/// Adds a response event.
pub fn add_event(case: &mut Case, request: &EventRequest) -> Result<i64, CommandError> {
    let phase = match request.phase {
        PhaseName::Containment => EventPhase::Containment,
        PhaseName::Eradication => EventPhase::Eradication,
        PhaseName::Recovery => EventPhase::Recovery,
        PhaseName::Notification => EventPhase::Notification,
    };
    let event = NewTimelineEvent {
        phase,
        at_text: request.at.clone(),
        actor: request.actor.clone(),
        description: request.description.clone(),
    };
    let actor = case.actor();
    Ok(case.add_report_event(&event, actor.as_deref())?)
}

/// Attaches a screenshot or statement, read from its path.
pub fn attach(case: &mut Case, request: &AttachRequest) -> Result<i64, CommandError> {
    let path = request.path.trim();
    if path.is_empty() {
        return Err(invalid("attachment file", "no path given; choose the file to attach"));
    }
    let kind = match request.kind {
        AttachmentKindName::Screenshot => AttachmentKind::Screenshot,
        AttachmentKindName::Statement => AttachmentKind::Statement,
    };
    let new = NewAttachment { file: Path::new(path), kind, description: request.description.as_deref() };
    let actor = case.actor();
    Ok(case.add_report_attachment(&new, actor.as_deref())?)
}

/// Withdraws an event or attachment from the report with a reason.
pub fn withdraw(case: &mut Case, request: &WithdrawRequest) -> Result<(), CommandError> {
    let kind = match request.kind {
        WithdrawableName::Event => WithdrawableKind::Event,
        WithdrawableName::Attachment => WithdrawableKind::Attachment,
    };
    let actor = case.actor();
    Ok(case.withdraw_report_item(kind, request.id, &request.reason, actor.as_deref())?)
}

/// Returns the library format of an export format.
pub fn library_format(format: ReportExportFormat) -> ReportFormat {
    match format {
        ReportExportFormat::Pdf => ReportFormat::Pdf,
        ReportExportFormat::Markdown => ReportFormat::Markdown,
        ReportExportFormat::Json => ReportFormat::Json,
        ReportExportFormat::Stix => ReportFormat::Stix,
        ReportExportFormat::Csv => ReportFormat::Csv,
        ReportExportFormat::Veris => ReportFormat::Veris,
    }
}

/// Drafts the report, renders it in `format` and writes it to `output`, recording the
/// export with the file's SHA-256 in the audit log.
pub fn export(
    case: &mut Case,
    format: ReportExportFormat,
    output: &Path,
    observer: &mut dyn JobObserver,
) -> Result<ReportExportResult, CommandError> {
    if output.as_os_str().is_empty() {
        return Err(invalid("output file", "no path given; choose where to save the report"));
    }
    let actor = case.actor();
    let (drafted, size_bytes) =
        workflow::export_report_observed(case, library_format(format), output, actor.as_deref(), observer)?;
    Ok(ReportExportResult {
        format,
        path: output.display().to_string(),
        size_bytes,
        revision: drafted.report.review.revision,
        review_label: drafted.report.review.label(),
    })
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use scancase::import::NoProgress;
    use scancase::job::Unobserved;

    use super::*;
    use crate::dto::ImportRequest;
    use crate::ops;

    fn fixture(relative: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("fixtures").join(relative)
    }

    fn analyzed_case(folder: &Path) -> Case {
        let mut case = ops::create_case(&folder.join("r.scancase"), "Report", Some("Ada")).unwrap();
        let request = ImportRequest { zone: "UTC".into(), year: Some(2026) };
        ops::import_evidence(&mut case, &fixture("capture/scan_nmap_sS_8ports_vic1.pcap"), &request, &mut NoProgress)
            .unwrap();
        ops::analyze_observed(&mut case, &mut scancase::job::Unobserved).unwrap();
        case
    }

    fn fill_open_entries(case: &mut Case) {
        let workspace = workspace(case).unwrap();
        for item in workspace.checklist.iter().filter(|item| item.kind == ChecklistKind::Entry && !item.done) {
            set_examiner_entry(case, &item.subject, "Not applicable.").unwrap();
        }
    }

    #[test]
    fn workspace_marks_examiner_text() {
        let folder = tempfile::tempdir().unwrap();
        let mut case = analyzed_case(folder.path());
        let before = workspace(&mut case).unwrap();
        let summary = &before.sections[0];
        assert_eq!(summary.id, "executive_summary");
        assert_eq!(summary.origin, TextOrigin::Drafted);
        assert!(summary.markdown.as_deref().unwrap().contains("10.200.0.10"), "the editor starts from the draft");
        assert!(before.sections[1].markdown.is_none(), "incident details are not narrative");

        save_section_text(&mut case, "executive_summary", "A *scan*, <b>blocked</b>.").unwrap();
        let after = workspace(&mut case).unwrap();
        let summary = &after.sections[0];
        assert_eq!(summary.origin, TextOrigin::Examiner);
        assert_eq!(summary.edited_by.as_deref(), Some("Ada"));
        assert_eq!(summary.markdown.as_deref(), Some("A *scan*, <b>blocked</b>."));
        assert_eq!(summary.blocks[0], ReportBlock::Paragraph { text: "A scan, <b>blocked</b>.".into() });
    }

    #[test]
    fn empty_section_text_is_invalid_input() {
        let folder = tempfile::tempdir().unwrap();
        let mut case = analyzed_case(folder.path());
        assert_eq!(save_section_text(&mut case, "executive_summary", " \n").unwrap_err().kind(), "invalidInput");
        assert_eq!(save_section_text(&mut case, "summary", "x").unwrap_err().kind(), "invalidInput");
    }

    #[test]
    fn checklist_done_exactly_when_approvable() {
        let folder = tempfile::tempdir().unwrap();
        let mut case = analyzed_case(folder.path());
        let workspace_before = workspace(&mut case).unwrap();
        assert!(workspace_before.checklist.iter().any(|item| !item.done), "a new draft has open entries");
        let submit = ReviewRequest { step: ReviewStepName::Submit, reviewer: "Ada".into(), note: None };
        let approve = ReviewRequest { step: ReviewStepName::Approve, reviewer: "Bo".into(), note: None };
        review(&mut case, &submit).unwrap();
        assert_eq!(review(&mut case, &approve).unwrap_err().kind(), "report", "open entries block approval");
        review(&mut case, &ReviewRequest { step: ReviewStepName::Reopen, reviewer: "Bo".into(), note: None }).unwrap();

        fill_open_entries(&mut case);
        let filled = workspace(&mut case).unwrap();
        assert!(filled.checklist.iter().all(|item| item.done), "{:?}", filled.checklist);
        review(&mut case, &submit).unwrap();
        review(&mut case, &approve).unwrap();
        let approved = workspace(&mut case).unwrap();
        assert_eq!(approved.review.state, ReviewStateName::Approved);
        assert_eq!(approved.review.by.as_deref(), Some("Bo"));
        assert_eq!(approved.revisions[0].approved_by.as_deref(), Some("Bo"));
        let actions: Vec<&str> = approved.revisions[0].steps.iter().map(|step| step.action.as_str()).collect();
        assert_eq!(actions, ["submitted", "reopened", "submitted", "approved"]);
    }

    #[test]
    fn review_needs_reviewer_name() {
        let folder = tempfile::tempdir().unwrap();
        let mut case = analyzed_case(folder.path());
        let request = ReviewRequest { step: ReviewStepName::Submit, reviewer: "  ".into(), note: None };
        assert_eq!(review(&mut case, &request).unwrap_err().kind(), "invalidInput");
    }

    #[test]
    fn withdrawn_event_moves_to_withdrawals() {
        let folder = tempfile::tempdir().unwrap();
        let mut case = analyzed_case(folder.path());
        let request = EventRequest {
            phase: PhaseName::Containment,
            at: "2026-12-04T19:40:00Z".into(),
            actor: "NOC".into(),
            description: "Source blocked".into(),
        };
        let id = add_event(&mut case, &request).unwrap();
        let added = workspace(&mut case).unwrap();
        assert_eq!(added.events.len(), 1);
        withdraw(&mut case, &WithdrawRequest { kind: WithdrawableName::Event, id, reason: "wrong host".into() })
            .unwrap();
        let withdrawn = workspace(&mut case).unwrap();
        assert!(withdrawn.events.is_empty());
        assert_eq!(withdrawn.withdrawals.len(), 1);
        assert_eq!(withdrawn.withdrawals[0].reason, "wrong host");
        let report = workflow::prepare_report_to_edit(&mut case, None).unwrap().report;
        assert!(!report::to_markdown(&report).contains("Source blocked"));
    }

    #[test]
    fn exports_every_format() {
        let folder = tempfile::tempdir().unwrap();
        let mut case = analyzed_case(folder.path());
        for (format, extension) in [
            (ReportExportFormat::Pdf, "pdf"),
            (ReportExportFormat::Markdown, "md"),
            (ReportExportFormat::Json, "json"),
            (ReportExportFormat::Stix, "stix.json"),
            (ReportExportFormat::Csv, "csv"),
            (ReportExportFormat::Veris, "veris.json"),
        ] {
            let output = folder.path().join(format!("report.{extension}"));
            let result = export(&mut case, format, &output, &mut Unobserved).unwrap();
            assert_eq!(result.size_bytes, std::fs::metadata(&output).unwrap().len(), "{extension}");
            assert_eq!(result.revision, 1);
        }
        let stix = std::fs::read_to_string(folder.path().join("report.stix.json")).unwrap();
        assert!(stix.contains("\"type\": \"bundle\""), "{stix}");
        assert!(std::fs::read_to_string(folder.path().join("report.csv")).unwrap().contains("10.200.0.10"));
        assert_eq!(
            export(&mut case, ReportExportFormat::Pdf, Path::new(""), &mut Unobserved).unwrap_err().kind(),
            "invalidInput"
        );
    }

    #[test]
    fn preview_keeps_markup_as_text() {
        let blocks =
            preview_markdown("<script>alert(1)</script>\n\n[click](javascript:alert(1)) and ![x](http://a/b.png)");
        let texts: Vec<String> = blocks
            .iter()
            .map(|block| match block {
                ReportBlock::Paragraph { text } => text.clone(),
                other => panic!("a paragraph: {other:?}"),
            })
            .collect();
        assert!(texts[0].contains("<script>alert(1)</script>"), "{texts:?}");
        assert!(texts[1].contains("click (javascript:alert(1))"), "{texts:?}");
    }

    #[test]
    fn findings_sorted_by_number() {
        let mut ids = vec!["F-10", "F-2", "F-1"];
        ids.sort_by_key(|id| finding_number(id));
        assert_eq!(ids, ["F-1", "F-2", "F-10"]);
    }
}
