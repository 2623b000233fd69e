//! Section 8: the evidence list, chain of custody, cited excerpts, attachments, methodology
//! and a pointer to the audit log.

use super::detection::file_name;
use super::{code_field, examiner, field, paragraph, subheading, table, Facts};
use crate::model::{EvidenceKind, EvidenceRecord, Finding, VerificationStatus};
use crate::report::text::{count_noun, format_bytes, format_ts, group_thousands};
use crate::report::{Attachment, Block};

/// Heading of the methodology appendix; the PDF adds its note on missing glyphs there.
pub const METHODOLOGY_HEADING: &str = "E. Methodology";

/// Maximum number of anomalies listed per evidence file; the rest are counted.
const MAX_ANOMALIES_LISTED: usize = 20;

/// Writes section 8.
pub fn appendices(facts: &Facts) -> Vec<Block> {
    let input = facts.input;
    let mut blocks = vec![subheading(1, "A. Evidence list")];
    if input.evidence.is_empty() {
        blocks.push(paragraph("No evidence file has been imported into this case."));
    }
    for record in &input.evidence {
        blocks.push(subheading(2, format!("Evidence E{}: {}", record.id, file_name(&record.path))));
        blocks.extend(evidence_details(record));
    }

    blocks.push(subheading(1, "B. Chain of custody"));
    blocks.extend(custody(input.evidence.as_slice()));

    blocks.push(subheading(1, "C. Cited packet and log excerpts"));
    if input.findings.is_empty() && input.excluded_findings.is_empty() {
        blocks.push(paragraph("None: no scan was found, so no observation is cited."));
    } else if input.findings.is_empty() {
        blocks.push(paragraph("None: the report covers no finding, so no observation is cited."));
    }
    for finding in &input.findings {
        blocks.push(subheading(2, format!("Finding {}", finding.id)));
        blocks.extend(citations(facts, finding));
    }

    blocks.push(subheading(1, "D. Screenshots, statements and diagrams"));
    blocks.extend(attachments(facts));

    blocks.push(subheading(1, METHODOLOGY_HEADING));
    blocks.extend(methodology(facts));

    blocks.push(subheading(1, "F. Audit log"));
    blocks.push(paragraph(
        "The case file holds the full hash-chained audit log: evidence imports with their \
         hashes, analysis runs, report edits, review state changes and exports.",
    ));
    blocks
}

/// Returns the heading of an attachment in appendix D; the PDF draws a screenshot below
/// the fields that follow this heading.
pub fn attachment_heading(attachment: &Attachment) -> String {
    format!("A{}: {} {}", attachment.id, attachment.kind.as_str(), attachment.name)
}

/// Lists the screenshots and statements the examiner attached, or requests them.
fn attachments(facts: &Facts) -> Vec<Block> {
    let attached = &facts.input.attachments;
    if attached.is_empty() {
        return vec![examiner(
            "appendices.attachments",
            "Attachments",
            "Screenshots, witness statements, network diagrams and charts attached to the case \
             (`scancase report attach`), each with a short description.",
        )];
    }
    let mut blocks = vec![paragraph(
        "Files the examiner attached to the case, each identified by its SHA-256. The case file stores every \
         file; the PDF shows each screenshot below its entry, and the Markdown export lists screenshots \
         without the image. Statements are printed in full as written.",
    )];
    for attachment in attached {
        blocks.push(subheading(2, attachment_heading(attachment)));
        let mut fields = vec![
            field("Kind", format!("{} ({})", attachment.kind.as_str(), attachment.media_type)),
            code_field("SHA-256", attachment.sha256.clone()),
            field("Size", format_bytes(attachment.size_bytes)),
            field("Attached at", format_ts(attachment.added_at_ns)),
        ];
        if let Some(by) = attachment.added_by.as_deref().filter(|by| !by.trim().is_empty()) {
            fields.push(field("Attached by", by.trim()));
        }
        if let Some(description) = attachment.description.as_deref().filter(|text| !text.trim().is_empty()) {
            fields.push(field("Description", description.trim()));
        }
        blocks.push(Block::Fields { fields });
        if let Some(text) = &attachment.text {
            blocks.push(paragraph(text.clone()));
        }
    }
    blocks
}

/// Describes the latest re-hash of an evidence file.
fn verification_text(record: &EvidenceRecord) -> String {
    match &record.verification {
        None => "Not yet verified.".to_string(),
        Some(check) => {
            let when = format_ts(check.verified_at_ns);
            match check.status {
                VerificationStatus::Match => {
                    format!("SHA-256 matched at {when} (file read at {}).", check.path_checked)
                }
                VerificationStatus::Mismatch => format!(
                    "MISMATCH at {when}: the file at {} now has SHA-256 {}; it changed after import.",
                    check.path_checked,
                    check.sha256_found.as_deref().unwrap_or("unknown")
                ),
                VerificationStatus::Missing => {
                    format!("Not found at {when}: no readable file at {}.", check.path_checked)
                }
            }
        }
    }
}

/// Lists the chain-of-custody entries the examiner recorded, and asks for the missing ones.
fn custody(evidence: &[EvidenceRecord]) -> Vec<Block> {
    let text = |value: &Option<String>| value.clone().unwrap_or_default();
    let rows: Vec<Vec<String>> = evidence
        .iter()
        .flat_map(|record| {
            record.custody.iter().map(move |entry| {
                vec![
                    format!("E{}", record.id),
                    text(&entry.acquired_by),
                    text(&entry.acquired_at),
                    text(&entry.source_system),
                    text(&entry.method),
                    text(&entry.storage),
                    text(&entry.notes),
                ]
            })
        })
        .collect();
    let mut blocks = Vec::new();
    if !rows.is_empty() {
        let columns = [
            ("Evidence", false),
            ("Acquired by", false),
            ("When", false),
            ("From", false),
            ("How", false),
            ("Storage", false),
            ("Notes", false),
        ];
        blocks.push(table(&columns, rows));
    }
    let without: Vec<String> =
        evidence.iter().filter(|record| record.custody.is_empty()).map(|record| format!("E{}", record.id)).collect();
    if !without.is_empty() || evidence.is_empty() {
        let guidance = if without.is_empty() {
            "Who handed over each evidence file, when, on which medium, and who held it since.".to_string()
        } else {
            format!(
                "No custody entry is recorded for {}: who handed over each file, when, on which medium, and who \
                 held it since (`scancase custody`). The SHA-256 values above identify the files.",
                without.join(", ")
            )
        };
        blocks.push(examiner("appendices.chain_of_custody", "Chain of custody", &guidance));
    }
    blocks
}

fn evidence_details(record: &EvidenceRecord) -> Vec<Block> {
    let summary = &record.summary;
    let kind = match record.kind {
        EvidenceKind::Capture => "packet capture",
        EvidenceKind::FirewallLog => "firewall log",
    };
    let span = match (summary.first_ts_ns, summary.last_ts_ns) {
        (Some(first), Some(last)) => format!("{} to {}", format_ts(first), format_ts(last)),
        _ => "no timestamped record".to_string(),
    };
    let skipped = if summary.skipped.is_empty() {
        "0".to_string()
    } else {
        let reasons: Vec<String> =
            summary.skipped.iter().map(|(reason, count)| format!("{reason}: {}", group_thousands(*count))).collect();
        format!("{} ({})", group_thousands(summary.skipped_total()), reasons.join("; "))
    };
    let mut fields = vec![
        code_field("Path", record.path.clone()),
        field("Size", format_bytes(record.size_bytes)),
        field("Kind and format", format!("{kind}, {}", summary.format)),
        code_field("SHA-256", record.sha256.clone()),
        field("Verification", verification_text(record)),
        field("Imported at", format_ts(record.imported_at_ns)),
    ];
    if let Some(by) = record.imported_by.as_deref().filter(|by| !by.trim().is_empty()) {
        fields.push(field("Imported by", by.trim()));
    }
    fields.extend([
        field("Time span (UTC)", span),
        field("Records", group_thousands(summary.records)),
        field("Observations", group_thousands(summary.observations)),
        field("Skipped records", skipped),
        field("Anomalies", group_thousands(summary.anomalies_total)),
    ]);
    let mut blocks = vec![Block::Fields { fields }];
    if !summary.anomalies.is_empty() {
        let record_word = record_word(record.kind);
        let rows = summary
            .anomalies
            .iter()
            .take(MAX_ANOMALIES_LISTED)
            .map(|anomaly| {
                vec![
                    format!("{record_word} {}", anomaly.locator.record),
                    group_thousands(anomaly.locator.byte_offset),
                    anomaly.message.clone(),
                ]
            })
            .collect();
        blocks.push(table(&[("Record", false), ("Byte offset", false), ("Anomaly", false)], rows));
        let listed = summary.anomalies.len().min(MAX_ANOMALIES_LISTED) as u64;
        if summary.anomalies_total > listed {
            blocks.push(paragraph(format!(
                "{} more anomalies are counted in the case file.",
                group_thousands(summary.anomalies_total - listed)
            )));
        }
    }
    blocks
}

fn record_word(kind: EvidenceKind) -> &'static str {
    match kind {
        EvidenceKind::Capture => "frame",
        EvidenceKind::FirewallLog => "line",
    }
}

fn citations(facts: &Facts, finding: &Finding) -> Vec<Block> {
    if finding.citations.is_empty() {
        return vec![paragraph(format!(
            "The report carries no excerpt for {}; {} in the case file.",
            finding.id,
            count_noun(finding.citations_total, "observation is cited", "observations are cited")
        ))];
    }
    let rows = finding
        .citations
        .iter()
        .map(|citation| {
            let kind = facts.input.evidence.iter().find(|e| e.id == citation.evidence_id).map(|e| e.kind);
            let word = kind.map_or("record", record_word);
            vec![
                format!("E{}", citation.evidence_id),
                format!("{word} {}", citation.locator.record),
                group_thousands(citation.locator.byte_offset),
                citation.excerpt.clone(),
            ]
        })
        .collect();
    let mut blocks =
        vec![table(&[("Evidence", false), ("Record", false), ("Byte offset", false), ("Excerpt", true)], rows)];
    let shown = finding.citations.len() as u64;
    if finding.citations_total > shown {
        blocks.push(paragraph(format!(
            "{} more cited in the case file.",
            group_thousands(finding.citations_total - shown)
        )));
    }
    blocks
}

fn methodology(facts: &Facts) -> Vec<Block> {
    let input = facts.input;
    let mut fields = vec![field("Report drafted by", format!("scancase {}", crate::VERSION))];
    match &input.analysis {
        Some(run) => {
            fields.push(field("Analysis", format!("scancase {}, run at {}", run.version, format_ts(run.ran_at_ns))));
        }
        None => fields.push(field("Analysis", "No analysis run is recorded in this case.")),
    }
    fields.push(field("Times", "All times are UTC, written as RFC 3339."));
    let mut blocks = vec![Block::Fields { fields }];

    if let Some(run) = input.analysis.as_ref().filter(|run| !run.parameters.is_empty()) {
        let rows = run.parameters.iter().map(|(name, value)| vec![name.clone(), value.clone()]).collect();
        blocks.push(paragraph("Analysis parameters:"));
        blocks.push(table(&[("Parameter", true), ("Value", true)], rows));
    } else if input.analysis.is_some() {
        blocks.push(paragraph("The analysis run recorded no parameters."));
    }

    let assumptions: Vec<String> = input
        .evidence
        .iter()
        .filter_map(|record| {
            let assumption = record.summary.time_assumption.as_deref()?.trim();
            (!assumption.is_empty()).then(|| format!("E{} ({}): {assumption}", record.id, file_name(&record.path)))
        })
        .collect();
    if assumptions.is_empty() {
        blocks.push(paragraph("Time assumptions: none. No importer had to assume a time zone or year."));
    } else {
        blocks.push(paragraph("Time assumptions made when reading times without a zone or year:"));
        blocks.push(Block::List { items: assumptions });
    }

    blocks.push(Block::Fields {
        fields: vec![
            field(
                "Severity",
                "A score from 0 to 100 computed by the analysis from the evidence of each \
                 finding; levels: Low below 40, Medium 40 to 64, High 65 to 84, Critical 85 \
                 and above. Each finding in section 4 explains its score.",
            ),
            field(
                "Confidence",
                "The percentage to which the evidence supports that the activity is a scan, \
                 computed by the analysis. Each finding in section 4 explains its value.",
            ),
        ],
    });
    blocks
}
