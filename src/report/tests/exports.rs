//! The CSV, STIX 2.1 and VERIS exports: their structure, their content for the sample scan
//! and their determinism.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::*;

fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_bytes());
    reader.records().map(|record| record.expect("valid CSV record").iter().map(str::to_string).collect()).collect()
}

#[test]
fn csv_lists_every_indicator() {
    let csv_text = to_csv(&input_with(vec![scan_finding()])).expect("CSV");
    let rows = csv_rows(&csv_text);
    assert_eq!(rows[0], crate::report::export_csv::HEADER.to_vec());
    let body = &rows[1..];
    let kinds: Vec<&str> = body.iter().map(|row| row[1].as_str()).collect();
    assert_eq!(kinds.iter().filter(|kind| **kind == "ipv4-addr").count(), 1);
    assert_eq!(kinds.iter().filter(|kind| **kind == "port").count(), 8);
    assert_eq!(kinds.iter().filter(|kind| **kind == "scan-technique").count(), 1);
    assert_eq!(kinds.iter().filter(|kind| **kind == "attack-technique").count(), 2);
    assert!(body.iter().all(|row| row[0] == "F-1" && row.len() == 7));
    let ssh = body.iter().find(|row| row[1] == "port" && row[2] == "22").expect("port 22 row");
    assert_eq!(ssh[3], "tcp");
    assert_eq!(ssh[4], "scanned port, registered for ssh; answered open on 10.200.0.100");
    assert_eq!(ssh[5], FIRST_PROBE);
    assert!(csv_text.ends_with("\r\n"));
}

#[test]
fn csv_guards_formula_cells() {
    let mut finding = scan_finding();
    finding.id = "=HYPERLINK(\"http://x\")".to_string();
    finding.sources = vec![ip("2001:db8::7")];
    let rows = csv_rows(&to_csv(&input_with(vec![finding])).expect("CSV"));
    assert!(rows[1..].iter().all(|row| row[0] == "'=HYPERLINK(\"http://x\")"));
    assert!(rows.iter().any(|row| row[1] == "ipv6-addr" && row[2] == "2001:db8::7"));
}

/// Returns true for a STIX timestamp with millisecond precision and a `Z`.
fn is_millisecond_timestamp(text: &str) -> bool {
    let bytes = text.as_bytes();
    text.len() == 24 && text.ends_with('Z') && bytes[19] == b'.' && chrono::DateTime::parse_from_rfc3339(text).is_ok()
}

/// Returns true for an RFC 3339 UTC timestamp ending in `Z`.
fn is_rfc3339_utc(text: &str) -> bool {
    text.ends_with('Z') && chrono::DateTime::parse_from_rfc3339(text).is_ok()
}

fn text<'a>(object: &'a Value, key: &str) -> &'a str {
    object[key].as_str().unwrap_or_else(|| panic!("{key} missing or not a string in {object}"))
}

/// Checks the properties STIX 2.1 requires of each object type and returns the objects by ID.
fn validate_bundle(bundle: &Value) -> BTreeMap<String, Value> {
    assert_eq!(bundle["type"], "bundle");
    assert!(text(bundle, "id").starts_with("bundle--"));
    assert!(bundle.get("spec_version").is_none(), "a 2.1 bundle has no spec_version");
    let objects = bundle["objects"].as_array().expect("objects array");
    let mut by_id = BTreeMap::new();
    for object in objects {
        let object_type = text(object, "type");
        let id = text(object, "id");
        let (prefix, uuid) = id.split_once("--").expect("id has --");
        assert_eq!(prefix, object_type, "id prefix of {id}");
        assert!(uuid::Uuid::parse_str(uuid).is_ok(), "invalid UUID in {id}");
        assert_eq!(object["spec_version"], "2.1", "{id}");
        assert!(is_millisecond_timestamp(text(object, "created")), "created of {id}");
        assert!(is_millisecond_timestamp(text(object, "modified")), "modified of {id}");
        let required: &[&str] = match object_type {
            "identity" => &["name"],
            "indicator" => &["pattern", "pattern_type", "valid_from"],
            "attack-pattern" => &["name"],
            "sighting" => &["sighting_of_ref"],
            "relationship" => &["relationship_type", "source_ref", "target_ref"],
            other => panic!("unexpected object type {other}"),
        };
        for key in required {
            assert!(object.get(*key).is_some(), "{id} lacks {key}");
        }
        assert!(by_id.insert(id.to_string(), object.clone()).is_none(), "duplicate id {id}");
    }
    by_id
}

#[test]
fn stix_bundle_is_valid() {
    let bundle = to_stix(&input_with(vec![scan_finding()]));
    let objects = validate_bundle(&bundle);
    let of_type = |wanted: &str| -> Vec<&Value> { objects.values().filter(|o| o["type"] == wanted).collect() };

    let indicators = of_type("indicator");
    assert_eq!(indicators.len(), 1);
    assert_eq!(indicators[0]["pattern"], "[ipv4-addr:value = '10.200.0.10']");
    assert_eq!(indicators[0]["pattern_type"], "stix");
    assert_eq!(indicators[0]["valid_from"], FIRST_PROBE);

    let patterns = of_type("attack-pattern");
    let external: BTreeSet<&str> =
        patterns.iter().map(|p| p["external_references"][0]["external_id"].as_str().expect("external_id")).collect();
    assert_eq!(external, BTreeSet::from(["T1046", "T1595.001"]));
    assert!(patterns.iter().all(|p| p["external_references"][0]["source_name"] == "mitre-attack"));
    assert!(patterns.iter().any(|p| p["name"] == "Network Service Discovery"));

    let sightings = of_type("sighting");
    assert_eq!(sightings.len(), 1);
    let sighting = sightings[0];
    assert_eq!(objects[text(sighting, "sighting_of_ref")]["type"], "indicator");
    assert_eq!(sighting["count"], 16);
    assert!(is_rfc3339_utc(text(sighting, "first_seen")), "first_seen format");
    assert!(is_rfc3339_utc(text(sighting, "last_seen")), "last_seen format");
    assert!(text(sighting, "first_seen") <= text(sighting, "last_seen"));
    let identity = sighting["where_sighted_refs"][0].as_str().expect("where_sighted_refs");
    assert_eq!(objects[identity]["type"], "identity");

    let relationships = of_type("relationship");
    assert_eq!(relationships.len(), 2);
    for relationship in relationships {
        assert_eq!(relationship["relationship_type"], "indicates");
        assert_eq!(objects[text(relationship, "source_ref")]["type"], "indicator");
        assert_eq!(objects[text(relationship, "target_ref")]["type"], "attack-pattern");
    }
}

#[test]
fn stix_ids_repeat_per_case() {
    let input = input_with(vec![scan_finding()]);
    assert_eq!(to_stix(&input), to_stix(&input));
    let mut other_case = input.clone();
    other_case.case.name = "Another case".to_string();
    let ids = |bundle: &Value| -> BTreeSet<String> {
        bundle["objects"].as_array().expect("objects").iter().map(|o| text(o, "id").to_string()).collect()
    };
    assert!(ids(&to_stix(&input)).is_disjoint(&ids(&to_stix(&other_case))));
}

#[test]
fn stix_ipv6_source_and_empty_case() {
    let mut finding = scan_finding();
    finding.sources = vec![ip("fd00:200::10")];
    finding.probes = u64::MAX;
    let bundle = to_stix(&input_with(vec![finding]));
    let objects = validate_bundle(&bundle);
    let indicator = objects.values().find(|o| o["type"] == "indicator").expect("indicator");
    assert_eq!(indicator["pattern"], "[ipv6-addr:value = 'fd00:200::10']");
    let sighting = objects.values().find(|o| o["type"] == "sighting").expect("sighting");
    assert_eq!(sighting["count"], 999_999_999);

    let empty = to_stix(&input_with(Vec::new()));
    let objects = validate_bundle(&empty);
    assert_eq!(objects.len(), 1, "only the identity remains");
}

#[test]
fn veris_record_has_required_fields() {
    let record = to_veris(&input_with(vec![scan_finding()]));
    for key in [
        "schema_version",
        "incident_id",
        "security_incident",
        "summary",
        "timeline",
        "discovery_method",
        "action",
        "actor",
        "asset",
    ] {
        assert!(record.get(key).is_some(), "VERIS record lacks {key}");
    }
    assert_eq!(record["schema_version"], "1.4.0");
    assert!(uuid::Uuid::parse_str(text(&record, "incident_id")).is_ok());
    assert_eq!(record["action"]["hacking"]["variety"], serde_json::json!(["Scan network"]));
    assert_eq!(record["action"]["hacking"]["vector"], serde_json::json!(["Other network service"]));
    let incident = &record["timeline"]["incident"];
    assert_eq!(
        (incident["year"].as_i64(), incident["month"].as_i64(), incident["day"].as_i64()),
        (Some(2026), Some(12), Some(4))
    );
    assert_eq!(incident["time"], "07:35:42 PM");
    assert_eq!(record["security_incident"], "Confirmed");
    assert_eq!(record["confidence"], "High");
    assert_eq!(record["asset"]["assets"][0]["amount"], 1);
    assert!(text(&record["asset"], "notes").contains(TARGET));
    assert_eq!(record["ioc"][0]["indicator"], SOURCE);
    assert_eq!(record["discovery_method"]["internal"]["variety"][0], "Log review");
    assert_eq!(to_veris(&input_with(vec![scan_finding()])), record, "re-export differs");
}

#[test]
fn veris_empty_case_is_suspected() {
    let record = to_veris(&input_with(Vec::new()));
    assert_eq!(record["security_incident"], "Suspected");
    assert_eq!(record["confidence"], "None");
    assert!(record.get("ioc").is_none());
    assert_eq!(record["timeline"]["incident"]["year"], 2026);
    assert!(record["timeline"]["incident"].get("time").is_none());
}
