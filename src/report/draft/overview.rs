//! Sections 1 and 2: the executive summary for management and the incident details.

use super::{affected_targets, examiner, field, kind_description, open_port_text, paragraph, table, Facts};
use crate::model::{EvidenceKind, Finding};
use crate::report::text::{
    compress_addresses, compress_ports, count_noun, format_duration, format_ts, technique_protocol,
};
use crate::report::Block;

/// Writes section 1 from the numbers: scans, sources, targets, severity, span, open ports.
pub fn executive_summary(facts: &Facts) -> Vec<Block> {
    let input = facts.input;
    let mut blocks = Vec::new();
    let evidence_text = evidence_description(facts);

    if input.findings.is_empty() && !input.excluded_findings.is_empty() {
        blocks.push(paragraph(format!(
            "This report covers none of the {} that the analysis found in the imported evidence ({evidence_text}, \
             {}). Section 4 lists them with the reason each is left out.",
            count_noun(input.excluded_findings.len() as u64, "scan", "scans"),
            facts.coverage()
        )));
        return blocks;
    }
    if input.findings.is_empty() {
        blocks.push(paragraph(format!(
            "No scan was found in the imported evidence ({}). The case holds {evidence_text}.",
            facts.coverage()
        )));
        let analysis_text = match &input.analysis {
            Some(run) => format!(
                "scancase {} analysed the evidence at {} and reported no finding.",
                run.version,
                format_ts(run.ran_at_ns)
            ),
            None => "No analysis run is recorded in this case, so the evidence has not been \
                     searched for scans yet."
                .to_string(),
        };
        blocks.push(paragraph(analysis_text));
        return blocks;
    }

    let findings = &input.findings;
    let ports: Vec<u16> = findings.iter().flat_map(|f| f.ports.iter().copied()).collect();
    let mut distinct_ports = ports.clone();
    distinct_ports.sort_unstable();
    distinct_ports.dedup();
    blocks.push(paragraph(format!(
        "scancase found {} in the imported evidence ({evidence_text}, {}).",
        count_noun(findings.len() as u64, "network scan", "network scans"),
        facts.coverage()
    )));
    blocks.push(paragraph(format!(
        "The probes came from {}: {}. They were aimed at {}: {}, on {} in total.",
        count_noun(facts.sources.len() as u64, "source address", "source addresses"),
        compress_addresses(&facts.sources),
        count_noun(facts.targets.len() as u64, "target host", "target hosts"),
        compress_addresses(&facts.targets),
        count_noun(distinct_ports.len() as u64, "distinct port", "distinct ports"),
    )));
    if let (Some(first), Some(last)) = (facts.first_probe_ns, facts.last_probe_ns) {
        blocks.push(paragraph(format!(
            "The first probe was sent at {} and the last at {}, {} later (times in UTC).",
            format_ts(first),
            format_ts(last),
            format_duration(last.saturating_sub(first))
        )));
    }
    if let Some(worst) = facts.most_severe {
        blocks.push(paragraph(format!(
            "The most severe scan, {}, is rated {} (score {} of 100). Section 4 explains how \
             the score follows from the evidence.",
            worst.id,
            worst.severity.level.as_str(),
            worst.severity.score
        )));
    }
    if facts.exposed.is_empty() {
        blocks.push(paragraph(
            "No probed port answered as open in the imported evidence, so the evidence shows \
             no service that the scanning source found reachable.",
        ));
    } else {
        blocks.push(paragraph(format!(
            "{} answered as open, so the scanning source learned that these services are \
             reachable: {}.",
            count_noun(facts.exposed.len() as u64, "probed port", "probed ports"),
            open_port_text(facts.exposed.iter())
        )));
    }
    blocks.push(paragraph(
        "scancase analyses the evidence for scans. Whether a scan was followed by other \
         activity, such as access to a service or a compromise, is for the examiner to \
         establish (sections 3 and 4).",
    ));
    blocks
}

/// Describes the imported evidence, for example `2 evidence files: 1 capture, 1 firewall log`.
fn evidence_description(facts: &Facts) -> String {
    let evidence = &facts.input.evidence;
    if evidence.is_empty() {
        return "no evidence file".to_string();
    }
    let captures = evidence.iter().filter(|e| e.kind == EvidenceKind::Capture).count() as u64;
    let logs = evidence.len() as u64 - captures;
    format!(
        "{}: {}, {}",
        count_noun(evidence.len() as u64, "evidence file", "evidence files"),
        count_noun(captures, "packet capture", "packet captures"),
        count_noun(logs, "firewall log", "firewall logs")
    )
}

/// Writes section 2: times, type, severity, sources, affected systems and reporter.
pub fn incident_details(facts: &Facts) -> Vec<Block> {
    let input = facts.input;
    let no_scan = "No scan was found, so there is none.";
    let mut fields = Vec::new();

    fields.push(field("Start (first probe)", facts.first_probe_ns.map_or(no_scan.to_string(), format_ts)));
    fields.push(field("Last probe", facts.last_probe_ns.map_or(no_scan.to_string(), format_ts)));
    let detection = match &input.analysis {
        Some(run) if !input.findings.is_empty() => {
            format!("Detected by scancase analysis at {} (scancase {}).", format_ts(run.ran_at_ns), run.version)
        }
        Some(run) => format!(
            "Nothing detected: scancase {} analysis at {} found no scan.",
            run.version,
            format_ts(run.ran_at_ns)
        ),
        None => "No analysis run is recorded in this case.".to_string(),
    };
    fields.push(field("Detection", detection));
    fields.push(field("Type", incident_type(&input.findings)));
    let severity = match facts.most_severe {
        Some(worst) => format!(
            "{} (score {} of 100, from {}, the most severe of {})",
            worst.severity.level.as_str(),
            worst.severity.score,
            worst.id,
            count_noun(input.findings.len() as u64, "finding", "findings")
        ),
        None => no_scan.to_string(),
    };
    fields.push(field("Severity", severity));
    fields.push(field("Sources (scanning addresses)", source_text(facts)));
    fields.push(field("Affected systems (targets, ports, services)", affected_text(facts)));
    if let Some(name) = input.case.examiner.as_deref().filter(|name| !name.trim().is_empty()) {
        fields.push(field("Case examiner", name.trim()));
    }

    let mut blocks = vec![Block::Fields { fields }];
    blocks.push(examiner(
        "incident_details.resolution",
        "Resolution time",
        "When the incident was resolved. The evidence records the scan, not its resolution.",
    ));
    blocks.push(examiner("incident_details.reporter_name", "Reporter name", "Who reported the incident."));
    blocks.push(examiner("incident_details.reporting_time", "Reporting time", "When the incident was reported."));
    blocks.extend(findings_overview(&input.findings));
    blocks
}

/// Lists the distinct (kind, technique) pairs of the findings.
fn incident_type(findings: &[Finding]) -> String {
    if findings.is_empty() {
        return "No scan was found in the imported evidence.".to_string();
    }
    let mut types: Vec<String> = Vec::new();
    for finding in findings {
        let text = format!("{}, {}", kind_description(finding), finding.technique.description());
        if !types.contains(&text) {
            types.push(text);
        }
    }
    format!("Network scan: {}", types.join("; "))
}

fn source_text(facts: &Facts) -> String {
    if facts.sources.is_empty() {
        return "No scan was found, so there is no source.".to_string();
    }
    compress_addresses(&facts.sources)
}

/// Describes per finding which targets, ports and services were probed and found open.
fn affected_text(facts: &Facts) -> String {
    let findings = &facts.input.findings;
    if findings.is_empty() {
        return "No scan was found, so no system is affected by one.".to_string();
    }
    let mut parts = Vec::new();
    for finding in findings {
        let protocol = technique_protocol(finding.technique);
        let open_text = open_port_text(facts.exposed.iter().filter(|open| open.finding.id == finding.id));
        parts.push(format!(
            "{}: {protocol} ports {} probed; open: {open_text} ({})",
            compress_addresses(&affected_targets(finding)),
            compress_ports(&finding.ports),
            finding.id
        ));
    }
    parts.join("\n")
}

/// Builds the one-row-per-finding overview table.
fn findings_overview(findings: &[Finding]) -> Vec<Block> {
    if findings.is_empty() {
        return Vec::new();
    }
    let rows = findings
        .iter()
        .map(|finding| {
            vec![
                finding.id.clone(),
                finding.kind.as_str().to_string(),
                finding.technique.description().to_string(),
                compress_addresses(&finding.sources),
                compress_addresses(&affected_targets(finding)),
                compress_ports(&finding.ports),
                format!("{} ({})", finding.severity.level.as_str(), finding.severity.score),
                format!("{}%", finding.confidence.percent),
            ]
        })
        .collect();
    vec![
        paragraph("Findings in this case (section 4 details each one):"),
        table(
            &[
                ("ID", false),
                ("Kind", false),
                ("Technique", false),
                ("Sources", false),
                ("Targets", false),
                ("Ports", false),
                ("Severity", false),
                ("Confidence", false),
            ],
            rows,
        ),
    ]
}
