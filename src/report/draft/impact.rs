//! Sections 5 and 6: the response actions (all the examiner's) and the impact assessment,
//! which states what the evidence shows was exposed and leaves the damage to the examiner.

use super::{examiner, paragraph, subheading, table, Facts};
use crate::model::OutcomeCounts;
use crate::report::text::format_ts;
use crate::report::text::{compress_addresses, count_noun, group_thousands, service_name};
use crate::report::{Block, EventPhase, TimelineEvent};

/// Writes section 5.
pub fn response_actions(facts: &Facts) -> Vec<Block> {
    let mut blocks = vec![
        paragraph(
            "The imported evidence records the scans, not the response to them, so each \
             action below is entered by the examiner.",
        ),
        examiner(
            "response.containment",
            "Containment",
            "What was done to stop the scanning, for example a perimeter block of the source.",
        ),
        examiner(
            "response.eradication",
            "Eradication",
            "What was done about the cause, for example cleaning a compromised source host.",
        ),
        examiner("response.recovery", "Recovery", "What was restored or changed on the affected systems."),
        examiner(
            "response.notifications",
            "Notifications",
            "Who was notified (management, data protection officer, authorities, the \
             source's network owner), when and by whom.",
        ),
    ];
    blocks.extend(recorded_events(facts));
    blocks
}

/// Lists the response events the examiner entered, by phase and then time.
fn recorded_events(facts: &Facts) -> Vec<Block> {
    let mut events: Vec<&TimelineEvent> = facts.input.events.iter().collect();
    if events.is_empty() {
        return Vec::new();
    }
    events.sort_by_key(|event| (EventPhase::ALL.iter().position(|phase| *phase == event.phase), event.at_ns, event.id));
    let rows = events
        .iter()
        .map(|event| {
            vec![
                event.phase.label().to_string(),
                format!("{} (as stated: {})", format_ts(event.at_ns), event.at_text.trim()),
                event.actor.trim().to_string(),
                event.description.trim().to_string(),
            ]
        })
        .collect();
    vec![
        subheading(1, "Recorded response events"),
        paragraph(
            "Events the examiner entered, with the time each happened as the examiner states it; section 3 \
             places them among the events derived from the evidence.",
        ),
        table(&[("Phase", false), ("Time (UTC)", false), ("Actor", false), ("Description", false)], rows),
    ]
}

/// Writes section 6.
pub fn impact_assessment(facts: &Facts) -> Vec<Block> {
    let mut blocks = vec![subheading(1, "What the evidence shows")];
    let findings = &facts.input.findings;
    if findings.is_empty() && !facts.input.excluded_findings.is_empty() {
        blocks.push(paragraph(
            "The report covers no finding, so it assesses no exposure; section 4 lists the scans left out.",
        ));
    } else if findings.is_empty() {
        blocks.push(paragraph(format!(
            "No scan was found in the imported evidence ({}), so the evidence shows no \
             exposure to a scan.",
            facts.coverage()
        )));
    } else {
        let mut totals = OutcomeCounts::default();
        for finding in findings {
            totals.open = totals.open.saturating_add(finding.outcomes.open);
            totals.closed = totals.closed.saturating_add(finding.outcomes.closed);
            totals.filtered = totals.filtered.saturating_add(finding.outcomes.filtered);
            totals.blocked = totals.blocked.saturating_add(finding.outcomes.blocked);
            totals.unanswered = totals.unanswered.saturating_add(finding.outcomes.unanswered);
        }
        blocks.push(paragraph(format!(
            "Outcome of the {}: {} open, {} closed, {} filtered, {} blocked by a firewall, \
             {} without an answer in the evidence.",
            count_noun(
                [totals.open, totals.closed, totals.filtered, totals.blocked, totals.unanswered]
                    .iter()
                    .fold(0_u64, |sum, count| sum.saturating_add(*count)),
                "probed target port",
                "probed target ports"
            ),
            group_thousands(totals.open),
            group_thousands(totals.closed),
            group_thousands(totals.filtered),
            group_thousands(totals.blocked),
            group_thousands(totals.unanswered),
        )));
        if facts.exposed.is_empty() {
            blocks.push(paragraph(
                "No probed port answered as open, so the evidence shows no service exposed \
                 to the scanning sources.",
            ));
        } else {
            blocks.push(paragraph(
                "These ports answered as open, so their services are exposed to the scanning \
                 source. The service column gives the name registered for the port number; \
                 the evidence does not show which software answered.",
            ));
            let rows = facts
                .exposed
                .iter()
                .map(|open| {
                    vec![
                        open.target.to_string(),
                        format!("{}/{}", open.protocol, open.port),
                        service_name(open.protocol, open.port)
                            .unwrap_or("not registered in scancase's table")
                            .to_string(),
                        compress_addresses(&open.finding.sources),
                        open.finding.id.clone(),
                    ]
                })
                .collect();
            blocks.push(table(
                &[
                    ("Target", false),
                    ("Port", false),
                    ("Registered service", false),
                    ("Answered to", false),
                    ("Finding", false),
                ],
                rows,
            ));
        }
    }

    blocks.push(subheading(1, "Assessment by the examiner"));
    blocks.push(examiner(
        "impact.damages",
        "Actual or potential damages",
        "Damage caused or made possible by the scans. A scan alone changes nothing on the \
         targets; later use of what it found is outside the imported evidence.",
    ));
    blocks.push(examiner(
        "impact.injuries",
        "Injuries",
        "Harm to people, if any system involved controls physical processes.",
    ));
    blocks.push(examiner(
        "impact.business_disruption",
        "Business disruption",
        "Services or work interrupted by the scans or by the response.",
    ));
    blocks.push(examiner(
        "impact.data_affected",
        "Data affected",
        "Data read, changed or exposed. The evidence shows probes and replies, not data \
         access.",
    ));
    blocks
}
