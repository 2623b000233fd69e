//! The STIX 2.1 bundle of a case's findings, for threat-intelligence platforms.
//!
//! Objects, in bundle order:
//! - one `identity` for scancase as the producing system;
//! - one `indicator` per source address, with a pattern such as
//!   `[ipv4-addr:value = '10.200.0.10']`;
//! - one `attack-pattern` per ATT&CK technique, with its `mitre-attack` external reference;
//! - one `sighting` per finding and source;
//! - one `indicates` relationship per source and technique.
//!
//! Every ID is a UUIDv5 of the case (name and creation time) and the object's content, and
//! every `created` and `modified` is the report's drafting time, so exporting the same input
//! twice gives the same bundle. The STIX 2.1 specification recommends UUIDv4 for domain and
//! relationship objects; v5 keeps re-exports identical and is still a valid RFC 4122 UUID.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use serde_json::{json, Value};
use uuid::Uuid;

use super::attack::technique;
use super::text::{compress_addresses, compress_ports, format_ts, technique_protocol};
use super::ReportInput;
use crate::model::{Finding, TimestampNs};

/// Namespace of scancase's UUIDv5 identifiers, a fixed random UUID.
const NAMESPACE: Uuid = Uuid::from_u128(0x8d3f_2a61_4c7e_4b0a_9e51_7a2c_6b14_d0f3);

/// Largest `count` a sighting may carry (STIX 2.1, section 5.2).
const MAX_SIGHTING_COUNT: u64 = 999_999_999;

/// Builds the bundle.
pub fn bundle(input: &ReportInput) -> Value {
    let ids = IdMaker::new(input);
    let created = stix_timestamp(input.generated_at_ns);
    let identity_id = ids.make("identity", "scancase");

    let mut objects = vec![json!({
        "type": "identity",
        "spec_version": "2.1",
        "id": identity_id,
        "created": created,
        "modified": created,
        "name": "scancase",
        "identity_class": "system",
        "description": format!(
            "scancase {}, offline forensics for network scan incidents, which found the scans in this bundle.",
            crate::VERSION
        ),
    })];

    let mut by_source: BTreeMap<IpAddr, Vec<&Finding>> = BTreeMap::new();
    for finding in &input.findings {
        let sources: BTreeSet<IpAddr> = finding.sources.iter().copied().collect();
        for source in sources {
            by_source.entry(source).or_default().push(finding);
        }
    }
    let mut indicator_ids = BTreeMap::new();
    for (source, findings) in &by_source {
        let pattern = match source {
            IpAddr::V4(_) => format!("[ipv4-addr:value = '{source}']"),
            IpAddr::V6(_) => format!("[ipv6-addr:value = '{source}']"),
        };
        let id = ids.make("indicator", &pattern);
        let finding_ids: Vec<&str> = findings.iter().map(|finding| finding.id.as_str()).collect();
        let valid_from = findings.iter().map(|finding| finding.first_seen_ns).min().unwrap_or(input.generated_at_ns);
        let confidence = findings.iter().map(|finding| finding.confidence.percent.min(100)).max().unwrap_or(0);
        objects.push(json!({
            "type": "indicator",
            "spec_version": "2.1",
            "id": id,
            "created_by_ref": identity_id,
            "created": created,
            "modified": created,
            "name": format!("Port scan source {source}"),
            "description": format!(
                "{source} sent port-scan probes in finding {} of case {}.",
                finding_ids.join(", "),
                input.case.name.trim()
            ),
            "indicator_types": ["anomalous-activity"],
            "pattern": pattern,
            "pattern_type": "stix",
            "valid_from": format_ts(valid_from),
            "confidence": confidence,
        }));
        indicator_ids.insert(*source, id);
    }

    let mut techniques: BTreeSet<String> = BTreeSet::new();
    for finding in &input.findings {
        techniques.extend(finding.attack.iter().map(|id| id.trim().to_ascii_uppercase()).filter(|id| !id.is_empty()));
    }
    let mut pattern_ids = BTreeMap::new();
    for technique_id in &techniques {
        let id = ids.make("attack-pattern", technique_id);
        let name = technique(technique_id).map_or(technique_id.as_str(), |entry| entry.name);
        objects.push(json!({
            "type": "attack-pattern",
            "spec_version": "2.1",
            "id": id,
            "created_by_ref": identity_id,
            "created": created,
            "modified": created,
            "name": name,
            "external_references": [{
                "source_name": "mitre-attack",
                "external_id": technique_id,
                "url": attack_url(technique_id),
            }],
        }));
        pattern_ids.insert(technique_id.clone(), id);
    }

    for finding in &input.findings {
        let sources: BTreeSet<IpAddr> = finding.sources.iter().copied().collect();
        for source in sources {
            let Some(indicator_id) = indicator_ids.get(&source) else {
                continue;
            };
            let last_seen_ns = finding.last_seen_ns.max(finding.first_seen_ns);
            objects.push(json!({
                "type": "sighting",
                "spec_version": "2.1",
                "id": ids.make("sighting", &format!("{}|{source}", finding.id)),
                "created_by_ref": identity_id,
                "created": created,
                "modified": created,
                "description": sighting_description(finding),
                "first_seen": format_ts(finding.first_seen_ns),
                "last_seen": format_ts(last_seen_ns),
                "count": finding.probes.min(MAX_SIGHTING_COUNT),
                "sighting_of_ref": indicator_id,
                "where_sighted_refs": [identity_id],
            }));
        }
    }

    let mut pairs: BTreeSet<(IpAddr, String)> = BTreeSet::new();
    for finding in &input.findings {
        for source in &finding.sources {
            for technique_id in &finding.attack {
                let technique_id = technique_id.trim().to_ascii_uppercase();
                if !technique_id.is_empty() {
                    pairs.insert((*source, technique_id));
                }
            }
        }
    }
    for (source, technique_id) in pairs {
        let (Some(indicator_id), Some(pattern_id)) = (indicator_ids.get(&source), pattern_ids.get(&technique_id))
        else {
            continue;
        };
        objects.push(json!({
            "type": "relationship",
            "spec_version": "2.1",
            "id": ids.make("relationship", &format!("indicates|{indicator_id}|{pattern_id}")),
            "created_by_ref": identity_id,
            "created": created,
            "modified": created,
            "relationship_type": "indicates",
            "source_ref": indicator_id,
            "target_ref": pattern_id,
        }));
    }

    json!({
        "type": "bundle",
        "id": ids.make("bundle", "bundle"),
        "objects": objects,
    })
}

/// Makes `type--uuid` identifiers from the case and an object's content.
struct IdMaker {
    case_key: String,
}

impl IdMaker {
    fn new(input: &ReportInput) -> Self {
        IdMaker { case_key: format!("{}|{}", input.case.name.trim(), input.case.created_at_ns) }
    }

    fn make(&self, object_type: &str, content: &str) -> String {
        let name = format!("{}|{object_type}|{content}", self.case_key);
        format!("{object_type}--{}", Uuid::new_v5(&NAMESPACE, name.as_bytes()))
    }
}

/// Formats a STIX timestamp with millisecond precision, as `created` and `modified` need.
pub fn stix_timestamp(ts_ns: TimestampNs) -> String {
    chrono::DateTime::from_timestamp_nanos(ts_ns).format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// Returns the ATT&CK page of a technique, for example
/// `https://attack.mitre.org/techniques/T1595/001/` for `T1595.001`.
fn attack_url(technique_id: &str) -> String {
    format!("https://attack.mitre.org/techniques/{}/", technique_id.replace('.', "/"))
}

fn sighting_description(finding: &Finding) -> String {
    format!(
        "Finding {}: {} {} of {} on {} {}.",
        finding.id,
        finding.kind.as_str(),
        finding.technique.description(),
        compress_addresses(&super::draft::affected_targets(finding)),
        technique_protocol(finding.technique),
        compress_ports(&finding.ports)
    )
}
