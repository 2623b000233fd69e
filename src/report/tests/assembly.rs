//! The examiner's additions on the sample case: section texts and their conflicts, events
//! in the timeline, findings left out, and attachments in the Markdown and the PDF.

use super::*;

fn section_text(report: &Report, kind: SectionKind, markdown: &str) -> SectionText {
    SectionText {
        section: kind,
        markdown: markdown.to_string(),
        drafted_markdown: drafted_section_markdown(section(report, kind)),
        entered_by: Some("A. Examiner".to_string()),
        entered_at_ns: ts("2026-12-05T09:00:00Z"),
    }
}

#[test]
fn section_text_replaces_draft_and_keeps_entries() {
    let mut report = draft(&input_with(vec![scan_finding()]));
    let entries_before = section(&report, SectionKind::ResponseActions)
        .blocks
        .iter()
        .filter(|block| matches!(block, Block::ExaminerEntry(_)))
        .count();
    let text = section_text(&report, SectionKind::ResponseActions, "Blocked <b>at</b> the *edge*.");
    report.apply_section_texts(&[text]);
    let response = section(&report, SectionKind::ResponseActions);
    assert_eq!(response.blocks[0], Block::Paragraph { text: "Blocked <b>at</b> the edge.".to_string() });
    let entries_after = response.blocks.iter().filter(|block| matches!(block, Block::ExaminerEntry(_))).count();
    assert_eq!(entries_after, entries_before, "the examiner entries stay");
    assert!(report.conflicting_sections().is_empty());
    let markdown = section_to_markdown(&report, SectionKind::ResponseActions);
    assert!(markdown.contains(r"Blocked \<b\>at\</b\> the edge."), "{markdown}");
}

#[test]
fn changed_draft_under_edit_is_conflict() {
    let first = draft(&input_with(vec![scan_finding()]));
    let text = section_text(&first, SectionKind::ExecutiveSummary, "Our summary.");
    let mut same = first.clone();
    same.apply_section_texts(std::slice::from_ref(&text));
    assert!(same.conflicting_sections().is_empty(), "an unchanged draft is no conflict");

    let mut changed_finding = scan_finding();
    changed_finding.severity.score = 71;
    let mut changed = draft(&input_with(vec![changed_finding]));
    changed.apply_section_texts(&[text]);
    assert_eq!(changed.conflicting_sections(), vec![SectionKind::ExecutiveSummary]);
    let markdown = to_markdown(&changed);
    assert!(markdown.contains("> **Conflict: the drafted text of this section changed"), "{markdown}");
    assert!(markdown.contains("Our summary."));
}

#[test]
fn timeline_merges_examiner_events() {
    let mut input = input_with(vec![scan_finding()]);
    input.events = vec![TimelineEvent {
        id: 1,
        phase: EventPhase::Containment,
        at_ns: ts("2026-12-04T19:35:43Z"),
        at_text: "2026-12-04T20:35:43+01:00".to_string(),
        actor: "NOC".to_string(),
        description: "Source | blocked".to_string(),
        entered_by: Some("A. Examiner".to_string()),
        entered_at_ns: ts("2026-12-05T09:00:00Z"),
    }];
    let report = draft(&input);
    let timeline = section_to_markdown(&report, SectionKind::Timeline);
    let rows: Vec<&str> = timeline.lines().filter(|line| line.starts_with("| 2026-")).collect();
    let event = rows.iter().position(|row| row.contains("Containment")).expect("event row");
    let first_probe = rows.iter().position(|row| row.contains("first probe")).expect("first probe row");
    let last_probe = rows.iter().position(|row| row.contains("last probe")).expect("last probe row");
    assert!(first_probe < event && event < last_probe, "{timeline}");
    assert!(rows[event].contains(r"Source \| blocked"), "{}", rows[event]);
    assert!(rows[event].contains("| examiner |"), "{}", rows[event]);
    assert!(rows[event].contains("2026-12-04T20:35:43+01:00"), "the examiner's time is shown as given");
}

#[test]
fn excluded_findings_are_listed() {
    let mut input = input_with(Vec::new());
    input.excluded_findings =
        vec![ExcludedFinding { id: "F-1".to_string(), reason: "not chosen by the examiner".to_string() }];
    let report = draft(&input);
    let summary = section_to_markdown(&report, SectionKind::ExecutiveSummary);
    assert!(summary.contains("covers none of the 1 scan"), "{summary}");
    assert!(!summary.contains("No scan was found"), "{summary}");
    let detection = section_to_markdown(&report, SectionKind::DetectionAndAnalysis);
    assert!(detection.contains("| F-1 | not chosen by the examiner |"), "{detection}");
}

#[test]
fn statement_attachment_is_printed() {
    let mut input = input_with(vec![scan_finding()]);
    input.attachments = vec![Attachment {
        id: 3,
        kind: AttachmentKind::Statement,
        name: "witness.txt".to_string(),
        media_type: "text/plain".to_string(),
        sha256: "ab".repeat(32),
        size_bytes: 27,
        description: None,
        added_by: Some("A. Examiner".to_string()),
        added_at_ns: ts("2026-12-05T09:00:00Z"),
        text: Some("# not a heading\n[x](y)".to_string()),
        image: None,
    }];
    let report = draft(&input);
    let appendices = section_to_markdown(&report, SectionKind::Appendices);
    assert!(appendices.contains("#### A3: statement witness.txt"), "{appendices}");
    assert!(appendices.contains(&"ab".repeat(32)));
    assert!(appendices.contains(r"\# not a heading"), "{appendices}");
    assert!(!appendices.contains("appendices.attachments"));
    assert!(report.examiner_entries().iter().all(|entry| entry.key != "appendices.attachments"));
}
