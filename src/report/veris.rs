//! The VERIS 1.4 incident record of a case, for incident databases that use the
//! Vocabulary for Event Recording and Incident Sharing.
//!
//! The record fills the fields the VERIS community schema requires (`schema_version`,
//! `incident_id`, `security_incident`, `summary`, `timeline.incident`, `discovery_method`,
//! `action`, `actor`, `asset`) from the findings. The action is `hacking` with variety
//! `Scan network` and vector `Other network service`, because the probes go straight to
//! network services. The incident date is the first probe, the assets are the probed
//! hosts, and the scanning addresses become indicators (`ioc`). What the evidence cannot tell (the
//! actor, the victim's organisation, the impact) is written as `Unknown` with a note, never
//! guessed. The incident ID is a UUIDv5 of the case, so re-exports are identical.

use std::collections::BTreeSet;
use std::net::IpAddr;

use chrono::Datelike;
use serde_json::{json, Value};
use uuid::Uuid;

use super::stix::stix_timestamp;
use super::text::{compress_addresses, count_noun, format_ts};
use super::ReportInput;
use crate::model::EvidenceKind;

/// VERIS schema version the record follows.
pub const SCHEMA_VERSION: &str = "1.4.0";

/// Namespace of the incident IDs, a fixed random UUID.
const NAMESPACE: Uuid = Uuid::from_u128(0x2b7e_91c4_5d0a_4f63_8a1e_c3d9_047b_6e52);

/// Builds the incident record.
pub fn incident(input: &ReportInput) -> Value {
    let findings = &input.findings;
    let case_name = input.case.name.trim();
    let case_key = format!("{case_name}|{}", input.case.created_at_ns);

    let sources: BTreeSet<IpAddr> = findings.iter().flat_map(|finding| finding.sources.iter().copied()).collect();
    let targets: BTreeSet<IpAddr> =
        findings.iter().flat_map(super::draft::affected_targets).filter(|target| !sources.contains(target)).collect();
    let sources: Vec<IpAddr> = sources.into_iter().collect();
    let targets: Vec<IpAddr> = targets.into_iter().collect();
    let finding_ids: Vec<&str> = findings.iter().map(|finding| finding.id.as_str()).collect();

    let first_probe = findings.iter().map(|finding| finding.first_seen_ns).min();
    let evidence_start = input.evidence.iter().filter_map(|record| record.summary.first_ts_ns).min();
    let incident_time =
        chrono::DateTime::from_timestamp_nanos(first_probe.or(evidence_start).unwrap_or(input.generated_at_ns));
    let mut timeline = json!({
        "year": incident_time.year(),
        "month": incident_time.month(),
        "day": incident_time.day(),
    });
    if first_probe.is_some() {
        // VERIS writes the time of day as `05:45:00 PM`.
        timeline["time"] = json!(incident_time.format("%I:%M:%S %p").to_string());
    }

    let summary = match first_probe {
        Some(first) => format!(
            "{} from {} against {} starting {}, found by scancase in the evidence of case {case_name}.",
            count_noun(findings.len() as u64, "port scan", "port scans"),
            compress_addresses(&sources),
            compress_addresses(&targets),
            format_ts(first)
        ),
        None => format!("No port scan was found in the imported evidence of case {case_name}."),
    };
    let confidence = match findings.iter().map(|finding| finding.confidence.percent).max() {
        Some(80..) => "High",
        Some(50..=79) => "Medium",
        Some(_) => "Low",
        None => "None",
    };

    let has_log = input.evidence.iter().any(|record| record.kind == EvidenceKind::FirewallLog);
    let discovery_variety = if has_log { "Log review" } else { "Other" };
    let evidence_names: Vec<String> = input.evidence.iter().map(|record| format!("E{}", record.id)).collect();
    let discovery_notes = format!(
        "Found by scancase {} analysis of the imported evidence ({}).",
        crate::VERSION,
        if evidence_names.is_empty() { "none imported".to_string() } else { evidence_names.join(", ") }
    );

    let scan_notes: Vec<String> = findings
        .iter()
        .map(|finding| {
            format!(
                "{}: {} {} ({} probes)",
                finding.id,
                finding.kind.as_str(),
                finding.technique.description(),
                finding.probes
            )
        })
        .collect();
    let mut action = json!({
        "hacking": {
            "variety": ["Scan network"],
            "vector": ["Other network service"],
        }
    });
    if !scan_notes.is_empty() {
        action["hacking"]["notes"] = json!(scan_notes.join("; "));
    }

    let actor_notes = if sources.is_empty() {
        "No scan source is known: the evidence holds no finding.".to_string()
    } else {
        format!(
            "Scan source addresses: {}. The evidence shows the probes, not who operated these addresses.",
            compress_addresses(&sources)
        )
    };
    let asset_notes = if targets.is_empty() {
        "No probed host is known: the evidence holds no finding.".to_string()
    } else {
        format!("Probed hosts: {}.", compress_addresses(&targets))
    };
    let ioc: Vec<Value> = sources
        .iter()
        .map(|source| {
            let ids: Vec<&str> = findings
                .iter()
                .filter(|finding| finding.sources.contains(source))
                .map(|finding| finding.id.as_str())
                .collect();
            json!({ "indicator": source.to_string(), "comment": format!("scan source in {}", ids.join(", ")) })
        })
        .collect();

    let mut record = json!({
        "schema_version": SCHEMA_VERSION,
        "schema_name": "verisc",
        "incident_id": Uuid::new_v5(&NAMESPACE, case_key.as_bytes()).to_string(),
        "security_incident": if findings.is_empty() { "Suspected" } else { "Confirmed" },
        "reference": format!("scancase case {case_name}"),
        "summary": summary,
        "confidence": confidence,
        "targeted": "Unknown",
        "timeline": { "incident": timeline },
        "discovery_method": { "internal": { "variety": [discovery_variety] } },
        "discovery_notes": discovery_notes,
        "action": action,
        "actor": { "unknown": { "notes": actor_notes } },
        "asset": {
            "assets": [{ "variety": "Unknown", "amount": targets.len() }],
            "cloud": ["Unknown"],
            "notes": asset_notes,
        },
        "victim": {
            "country": ["Unknown"],
            "employee_count": "Unknown",
            "industry": "000",
            "government": ["Unknown"],
            "notes": "The victim organisation is not recorded in the case; the examiner fills it in.",
        },
        "impact": {
            "overall_rating": "Unknown",
            "notes": "The evidence shows probes and replies only; the examiner assesses the impact.",
        },
        "plus": {
            "created": stix_timestamp(input.generated_at_ns),
            "scancase_version": crate::VERSION,
            "finding_ids": finding_ids,
        },
    });
    if !ioc.is_empty() {
        record["ioc"] = Value::Array(ioc);
    }
    record
}
