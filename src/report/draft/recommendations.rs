//! Section 7: recommendations derived from the findings (deduplicated, each naming the host,
//! port or address it concerns), the ATT&CK techniques with their mitigations, and the
//! examiner's lessons learned.

use std::net::IpAddr;

use super::{affected_targets, examiner, paragraph, subheading, table, Facts};
use crate::model::{Finding, Technique};
use crate::report::attack::{mitigation, technique};
use crate::report::text::{compress_addresses, port_with_service};
use crate::report::Block;

/// Writes section 7.
pub fn lessons_learned(facts: &Facts) -> Vec<Block> {
    let findings = &facts.input.findings;
    let mut blocks = vec![subheading(1, "Recommendations from the findings")];
    let recommendations = derive_recommendations(facts);
    if recommendations.is_empty() {
        blocks.push(paragraph(format!("None: no scan was found in the imported evidence ({}).", facts.coverage())));
    } else {
        blocks.push(Block::List { items: recommendations });
    }

    blocks.push(subheading(1, "MITRE ATT&CK techniques and mitigations"));
    blocks.extend(attack_table(findings));

    blocks.push(subheading(1, "Lessons learned and additional recommendations"));
    blocks.push(examiner(
        "lessons.lessons_learned",
        "Lessons learned",
        "What worked and what did not in detecting and handling this incident.",
    ));
    blocks.push(examiner(
        "lessons.additional_recommendations",
        "Additional recommendations",
        "Recommendations beyond those derived from the findings, for example on monitoring \
         or procedures.",
    ));
    blocks
}

/// Returns the recommendations in finding order, without duplicates.
fn derive_recommendations(facts: &Facts) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |text: String| {
        if !out.contains(&text) {
            out.push(text);
        }
    };
    for finding in &facts.input.findings {
        for source in &finding.sources {
            add(format!("Block or rate-limit {source} at the perimeter."));
            if is_private(*source) {
                add(format!(
                    "Identify the host at {source} and who used it: a host in a private \
                     network that scans others may be compromised or misused."
                ));
            }
        }
        // One recommendation per open port number, naming every target that exposes it.
        let networks = source_networks(&finding.sources);
        let mut by_port: Vec<(&str, u16, Vec<IpAddr>)> = Vec::new();
        for open in facts.exposed.iter().filter(|open| open.finding.id == finding.id) {
            match by_port.iter_mut().find(|(p, port, _)| *p == open.protocol && *port == open.port) {
                Some((_, _, targets)) => targets.push(open.target),
                None => by_port.push((open.protocol, open.port, vec![open.target])),
            }
        }
        for (protocol, port, targets) in by_port {
            let verb = if targets.len() == 1 { "needs" } else { "need" };
            add(format!(
                "Review whether {} {verb} to expose {} to {networks}.",
                compress_addresses(&targets),
                port_with_service(protocol, port)
            ));
        }
        if let Some(text) = stateless_probe_advice(finding) {
            add(text);
        }
    }
    out
}

/// Names the network(s) of the sources, for example `10.200.0.10's network`.
fn source_networks(sources: &[IpAddr]) -> String {
    match sources {
        [single] => format!("{single}'s network"),
        _ => format!("the networks of {}", compress_addresses(sources)),
    }
}

/// Returns advice for probes that only work against stateless filtering.
fn stateless_probe_advice(finding: &Finding) -> Option<String> {
    let technique = finding.technique;
    let stateless = [
        Technique::TcpFin,
        Technique::TcpNull,
        Technique::TcpXmas,
        Technique::TcpAck,
        Technique::TcpWindow,
        Technique::TcpMaimon,
    ];
    if !stateless.contains(&technique) {
        return None;
    }
    Some(format!(
        "Check that the filtering in front of {} drops TCP segments that belong to no \
         connection: {} probes are built to pass stateless filters.",
        compress_addresses(&affected_targets(finding)),
        technique.description()
    ))
}

/// Returns true for private and unique-local addresses (RFC 1918, RFC 4193).
fn is_private(address: IpAddr) -> bool {
    match address {
        IpAddr::V4(v4) => v4.is_private(),
        IpAddr::V6(v6) => (v6.segments()[0] & 0xfe00) == 0xfc00,
    }
}

/// Builds the table of ATT&CK techniques, one row per distinct ID in finding order.
fn attack_table(findings: &[Finding]) -> Vec<Block> {
    let mut ids: Vec<(String, Vec<String>)> = Vec::new();
    for finding in findings {
        for id in &finding.attack {
            let id = id.trim().to_uppercase();
            if id.is_empty() {
                continue;
            }
            match ids.iter_mut().find(|(known, _)| *known == id) {
                Some((_, finding_ids)) => finding_ids.push(finding.id.clone()),
                None => ids.push((id, vec![finding.id.clone()])),
            }
        }
    }
    if ids.is_empty() {
        let reason = if findings.is_empty() {
            "None: no scan was found, so no ATT&CK technique applies."
        } else {
            "None: the analysis assigned no ATT&CK technique to the findings."
        };
        return vec![paragraph(reason)];
    }
    let rows = ids
        .into_iter()
        .map(|(id, finding_ids)| match technique(&id) {
            Some(entry) => {
                let mitigations: Vec<String> = entry
                    .mitigations
                    .iter()
                    .filter_map(|m| mitigation(m))
                    .map(|m| format!("{} {}: {}", m.id, m.name, m.advice))
                    .collect();
                let mitigation_text = if mitigations.is_empty() {
                    entry.no_mitigation_note.unwrap_or("None listed.").to_string()
                } else {
                    mitigations.join("\n")
                };
                vec![
                    format!("{} {}", entry.id, entry.name),
                    entry.tactic.to_string(),
                    finding_ids.join(", "),
                    mitigation_text,
                ]
            }
            None => vec![
                id,
                "not in scancase's bundled ATT&CK table".to_string(),
                finding_ids.join(", "),
                "not in scancase's bundled ATT&CK table".to_string(),
            ],
        })
        .collect();
    vec![table(&[("Technique", false), ("Tactic", false), ("Findings", false), ("Mitigations", false)], rows)]
}
