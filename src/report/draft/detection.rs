//! Section 4: how the scans were detected, from which evidence, the indicators of
//! compromise, one subsection per finding, and the root cause entry.

use super::{affected_targets, charts, examiner, field, kind_description, paragraph, subheading, table, Facts};
use crate::model::{EvidenceKind, Finding};
use crate::report::attack::technique_label;
use crate::report::text::{
    compress_addresses, compress_ports, count_noun, format_duration, format_ts, group_thousands, or_fallback,
    port_with_service, technique_protocol,
};
use crate::report::Block;

/// Writes section 4.
pub fn detection_and_analysis(facts: &Facts) -> Vec<Block> {
    let input = facts.input;
    let method = match &input.analysis {
        Some(run) => format!(
            "By a tool: scancase {} analysis of the imported evidence, run at {}.",
            run.version,
            format_ts(run.ran_at_ns)
        ),
        None => "No analysis run is recorded in this case, so no detection method applies \
                 yet."
            .to_string(),
    };
    let mut blocks = vec![Block::Fields { fields: vec![field("Detection method", method)] }];

    blocks.push(subheading(1, "Evidence"));
    blocks.extend(evidence_overview(facts));

    blocks.push(subheading(1, "Indicators of compromise"));
    blocks.extend(indicators(facts));

    for finding in &input.findings {
        blocks.push(subheading(
            1,
            format!(
                "Finding {}: {} {}{}",
                finding.id,
                finding.kind.as_str(),
                finding.technique.description(),
                if finding.suppressed.is_some() { " (suppressed)" } else { "" }
            ),
        ));
        blocks.extend(finding_details(finding));
        blocks.push(charts::probe_chart(&input.probe_points, finding));
    }

    if !input.excluded_findings.is_empty() {
        blocks.push(subheading(1, "Findings not covered by this report"));
        blocks.push(paragraph(
            "The analysis found these scans too; the report leaves them out for the reason given. They stay \
             in the case file.",
        ));
        let rows =
            input.excluded_findings.iter().map(|excluded| vec![excluded.id.clone(), excluded.reason.clone()]).collect();
        blocks.push(table(&[("Finding", false), ("Reason", false)], rows));
    }

    blocks.push(subheading(1, "Root cause analysis"));
    blocks.push(examiner(
        "detection.root_cause",
        "Root cause",
        "Why the source could reach the targets and who operates the source. The evidence \
         shows the probes and the replies, not the motive or the operator.",
    ));
    blocks
}

fn evidence_overview(facts: &Facts) -> Vec<Block> {
    let evidence = &facts.input.evidence;
    if evidence.is_empty() {
        return vec![paragraph("No evidence file has been imported into this case.")];
    }
    let rows = evidence
        .iter()
        .map(|record| {
            let kind = match record.kind {
                EvidenceKind::Capture => "packet capture",
                EvidenceKind::FirewallLog => "firewall log",
            };
            let span = match (record.summary.first_ts_ns, record.summary.last_ts_ns) {
                (Some(first), Some(last)) => format!("{} to {}", format_ts(first), format_ts(last)),
                _ => "no timestamped record".to_string(),
            };
            vec![
                format!("E{}", record.id),
                file_name(&record.path),
                format!("{kind} ({})", record.summary.format),
                group_thousands(record.summary.observations),
                span,
            ]
        })
        .collect();
    vec![
        paragraph(format!(
            "The analysis read {}. Appendix A lists each with its path, size and SHA-256.",
            count_noun(evidence.len() as u64, "evidence file", "evidence files")
        )),
        table(
            &[("ID", false), ("File", true), ("Kind", false), ("Observations", false), ("Time span (UTC)", false)],
            rows,
        ),
    ]
}

/// Returns the last component of a path, accepting both separators.
pub(super) fn file_name(path: &str) -> String {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    if name.is_empty() {
        path.to_string()
    } else {
        name.to_string()
    }
}

fn indicators(facts: &Facts) -> Vec<Block> {
    let findings = &facts.input.findings;
    if findings.is_empty() {
        return vec![paragraph(format!("None: no scan was found in the imported evidence ({}).", facts.coverage()))];
    }
    let mut rows = Vec::new();
    for finding in findings {
        let id = finding.id.clone();
        rows.push(vec!["Source address".to_string(), compress_addresses(&finding.sources), id.clone()]);
        rows.push(vec![
            "Scanned ports".to_string(),
            format!("{} {}", technique_protocol(finding.technique), compress_ports(&finding.ports)),
            id.clone(),
        ]);
        rows.push(vec![
            "Technique".to_string(),
            format!("{} ({})", finding.technique.description(), finding.technique.as_str()),
            id.clone(),
        ]);
        if let Some(gap_ms) = finding.median_gap_ms {
            rows.push(vec!["Probe timing".to_string(), format!("median gap {gap_ms} ms between probes"), id]);
        }
    }
    // NOTE: a tool fingerprint (for example nmap's fixed TCP options) would belong here, but
    // the finding model has no field for it yet.
    vec![table(&[("Indicator", false), ("Value", false), ("Finding", false)], rows)]
}

/// Writes the fields and explanation of one finding.
fn finding_details(finding: &Finding) -> Vec<Block> {
    let protocol = technique_protocol(finding.technique);
    let outcomes = &finding.outcomes;
    let mut open: Vec<String> = finding
        .open_ports
        .iter()
        .map(|open| format!("{} {}", open.target, port_with_service(protocol, open.port)))
        .collect();
    open.dedup();
    let median_gap = match finding.median_gap_ms {
        Some(gap_ms) => format!("{gap_ms} ms"),
        None => "not available (too few probes to measure)".to_string(),
    };
    let attack: Vec<String> = finding.attack.iter().map(|id| technique_label(id)).collect();
    let mut fields = vec![
        field("Kind", kind_description(finding)),
        field("Technique", finding.technique.description()),
        field("Sources", compress_addresses(&finding.sources)),
        field("Targets", compress_addresses(&affected_targets(finding))),
        field(
            "Ports",
            format!(
                "{protocol} {} ({})",
                compress_ports(&finding.ports),
                count_noun(finding.ports.len() as u64, "port", "ports")
            ),
        ),
        field("First probe", format_ts(finding.first_seen_ns)),
        field("Last probe", format_ts(finding.last_seen_ns)),
        field("Duration", format_duration(finding.last_seen_ns.saturating_sub(finding.first_seen_ns))),
        field(
            "Probes",
            format!(
                "{} to {}",
                count_noun(finding.probes, "probe", "probes"),
                count_noun(finding.contacts, "target port", "target ports")
            ),
        ),
        field(
            "Outcomes",
            format!(
                "open {}, closed {}, filtered {}, blocked {}, unanswered {}",
                outcomes.open, outcomes.closed, outcomes.filtered, outcomes.blocked, outcomes.unanswered
            ),
        ),
        field("Open ports", if open.is_empty() { "none".to_string() } else { open.join(", ") }),
        field("Median gap between probes", median_gap),
        field(
            "Severity",
            format!(
                "{} (score {} of 100): {}",
                finding.severity.level.as_str(),
                finding.severity.score,
                or_fallback(&finding.severity.explanation, "the analysis recorded no explanation.")
            ),
        ),
        field(
            "Confidence",
            format!(
                "{}%: {}",
                finding.confidence.percent,
                or_fallback(&finding.confidence.explanation, "the analysis recorded no explanation.")
            ),
        ),
        field("MITRE ATT&CK", if attack.is_empty() { "none assigned".to_string() } else { attack.join(", ") }),
    ];
    if let Some(fingerprint) = &finding.fingerprint {
        let text = if fingerprint.matched.is_empty() {
            "no known scanner's probe template matches every field".to_string()
        } else {
            format!("{} ({})", fingerprint.tool, fingerprint.matched.join(", "))
        };
        fields.push(field("Tool fingerprint", text));
    }
    if let Some(reason) = &finding.suppressed {
        fields.insert(0, field("Suppressed", reason.clone()));
    }
    vec![
        Block::Fields { fields },
        paragraph(or_fallback(&finding.explanation, "The analysis recorded no explanation.")),
    ]
}
