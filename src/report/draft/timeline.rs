//! Section 3: the technical timeline of evidence-backed events, and the incident phases the
//! evidence does or does not cover.

use super::{examiner, field, open_port_text, paragraph, subheading, table, Facts};
use crate::model::TimestampNs;
use crate::report::text::{compress_addresses, count_noun, format_ts};
use crate::report::Block;

/// One row of the timeline table.
struct Event {
    ts_ns: TimestampNs,
    text: String,
    /// `evidence`, `analysis` or `examiner`.
    origin: &'static str,
    basis: String,
}

/// Writes section 3.
pub fn timeline(facts: &Facts) -> Vec<Block> {
    let mut events = evidence_events(facts);
    events.extend(finding_events(facts));
    if let Some(run) = &facts.input.analysis {
        let outcome = if facts.input.findings.is_empty() {
            "no scan found".to_string()
        } else {
            format!("{} detected", count_noun(facts.input.findings.len() as u64, "scan", "scans"))
        };
        events.push(Event {
            ts_ns: run.ran_at_ns,
            text: format!("scancase {} analysis run: {outcome}", run.version),
            origin: "analysis",
            basis: "analysis run".to_string(),
        });
    }
    events.extend(examiner_events(facts));
    // A stable sort keeps the first probe of a finding before its last when both share a time.
    events.sort_by_key(|event| event.ts_ns);

    let mut blocks = Vec::new();
    if events.is_empty() {
        blocks.push(paragraph(format!(
            "No event: the imported data hold no timestamped record and no analysis run \
             ({}).",
            facts.coverage()
        )));
    } else {
        let mut intro =
            "Times are UTC. Each event names its origin and the finding or evidence it is derived from.".to_string();
        if !facts.input.events.is_empty() {
            intro.push_str(
                " Events of origin examiner were entered by the examiner: their times are the examiner's \
                 statements, not evidence.",
            );
        }
        blocks.push(paragraph(intro));
        let rows = events
            .into_iter()
            .map(|event| vec![format_ts(event.ts_ns), event.text, event.origin.to_string(), event.basis])
            .collect();
        blocks
            .push(table(&[("Time (UTC)", false), ("Event", false), ("Origin", false), ("Derived from", false)], rows));
    }
    blocks.push(examiner(
        "timeline.other_events",
        "Further events",
        "Events known from sources other than the imported evidence, each with its time \
         and source.",
    ));

    blocks.push(subheading(1, "Incident phases"));
    let no_evidence = facts.no_evidence();
    blocks.push(Block::Fields {
        fields: vec![
            field("Compromise", no_evidence.clone()),
            field("Lateral movement", no_evidence.clone()),
            field("Data access", no_evidence),
        ],
    });
    let blocked = facts.input.findings.iter().fold(0_u64, |sum, f| sum.saturating_add(f.outcomes.blocked));
    if blocked > 0 {
        blocks.push(Block::Fields {
            fields: vec![field(
                "Firewall blocks",
                format!(
                    "A firewall log shows {} blocked during the scans; this shows filtering \
                     in place, not a containment action.",
                    count_noun(blocked, "probed port", "probed ports")
                ),
            )],
        });
    }
    blocks.push(examiner(
        "timeline.containment",
        "Containment",
        "When and how the scanning source was contained (blocked, isolated).",
    ));
    blocks.push(examiner(
        "timeline.eradication",
        "Eradication",
        "When the cause was removed, if the source is under the organisation's control.",
    ));
    blocks.push(examiner(
        "timeline.recovery",
        "Recovery",
        "When affected systems returned to normal operation, if any needed to.",
    ));
    blocks
}

/// Returns the earliest and latest record of the imported evidence.
fn evidence_events(facts: &Facts) -> Vec<Event> {
    let Some((first, last)) = facts.evidence_span else {
        return Vec::new();
    };
    let files = count_noun(facts.input.evidence.len() as u64, "evidence file", "evidence files");
    let holder = |ts: Option<TimestampNs>| -> String {
        let ids: Vec<String> = facts
            .input
            .evidence
            .iter()
            .filter(|e| ts.is_some() && (e.summary.first_ts_ns == ts || e.summary.last_ts_ns == ts))
            .map(|e| format!("E{}", e.id))
            .collect();
        format!("evidence {}", ids.join(", "))
    };
    vec![
        Event {
            ts_ns: first,
            text: format!("Earliest record in the imported evidence ({files})"),
            origin: "evidence",
            basis: holder(Some(first)),
        },
        Event {
            ts_ns: last,
            text: format!("Latest record in the imported evidence ({files})"),
            origin: "evidence",
            basis: holder(Some(last)),
        },
    ]
}

/// Returns the first and last probe of each finding.
// NOTE: a finding carries no time for its first open-port reply, so the timeline lists the
// open ports with the last probe instead of as an event of their own.
fn finding_events(facts: &Facts) -> Vec<Event> {
    let mut events = Vec::new();
    for finding in &facts.input.findings {
        events.push(Event {
            ts_ns: finding.first_seen_ns,
            text: format!(
                "{}: first probe of a {} {} from {} to {}",
                finding.id,
                finding.kind.as_str(),
                finding.technique.description(),
                compress_addresses(&finding.sources),
                compress_addresses(&super::affected_targets(finding))
            ),
            origin: "evidence",
            basis: format!("finding {}", finding.id),
        });
        let mut open = facts.exposed.iter().filter(|open| open.finding.id == finding.id).peekable();
        let open_text = if open.peek().is_none() {
            "no port answered as open".to_string()
        } else {
            format!("open during the scan: {}", open_port_text(open))
        };
        events.push(Event {
            ts_ns: finding.last_seen_ns,
            text: format!(
                "{}: last probe, after {} to {}; {open_text}",
                finding.id,
                count_noun(finding.probes, "probe", "probes"),
                count_noun(finding.contacts, "target port", "target ports"),
            ),
            origin: "evidence",
            basis: format!("finding {}", finding.id),
        });
    }
    events
}

/// Returns the response events the examiner entered.
fn examiner_events(facts: &Facts) -> Vec<Event> {
    facts
        .input
        .events
        .iter()
        .map(|event| {
            let entered_by = event.entered_by.as_deref().map(|name| format!(", entered by {name}")).unwrap_or_default();
            Event {
                ts_ns: event.at_ns,
                text: format!("{}: {} (by {})", event.phase.label(), event.description.trim(), event.actor.trim()),
                origin: "examiner",
                basis: format!("time as stated by the examiner: {}{entered_by}", event.at_text.trim()),
            }
        })
        .collect()
}
