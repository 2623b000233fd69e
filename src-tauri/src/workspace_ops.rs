//! The steps behind the workspace commands, as plain functions over an open [`Case`]: the
//! new-case form, case settings, chain of custody and verification, a finding's probe
//! chart, the allowlist and the timeline.
//!
//! Each function parses its request once, calls the library and builds a response type of
//! [`crate::workspace_dto`]. Nothing here depends on Tauri, so the tests below run without a
//! window.

use std::net::IpAddr;
use std::path::Path;

use ipnet::IpNet;
use scancase::analysis::{Parameters, PARAMETER_NAMES};
use scancase::case::{now_ns, Case, CaseSettings, SettingsChange};
use scancase::contract::FindingJson;
use scancase::job::JobObserver;
use scancase::model::{format_rfc3339, CustodyEntry, Verification};
use scancase::text_escape::escape_invisible;
use scancase::workflow;

use crate::error::CommandError;
use crate::workspace_dto::{
    AllowlistView, ChartPoint, CustodyRequest, CustodyView, EvidenceIntegrityView, NewCaseRequest, ParameterView,
    ProbeChartView, SettingsRequest, SettingsView, TimelineEntry, TimelineKind, TimelineView, VerificationView,
};

/// Most probes sent for one finding's chart. A chart 600 pixels wide shows no more detail
/// with more points, and 2,000 points keep the IPC message under about 60 KB.
pub const MAX_CHART_POINTS: usize = 2_000;

/// Parses networks typed in CIDR notation or as single addresses; blank lines are skipped.
pub fn parse_networks(texts: &[String]) -> Result<Vec<IpNet>, CommandError> {
    let mut networks = Vec::new();
    for text in texts.iter().map(|text| text.trim()).filter(|text| !text.is_empty()) {
        let network = text.parse::<IpNet>().or_else(|_| text.parse::<IpAddr>().map(IpNet::from)).map_err(|_| {
            CommandError::InvalidInput {
                field: "internal networks",
                problem: format!("'{text}' is not a network; enter an address or CIDR such as 192.0.2.0/24"),
            }
        })?;
        networks.push(network);
    }
    Ok(networks)
}

/// Parses a network for the allowlist: CIDR notation or a single address.
fn parse_source_network(text: &str) -> Result<IpNet, CommandError> {
    let text = text.trim();
    text.parse::<IpNet>().or_else(|_| text.parse::<IpAddr>().map(IpNet::from)).map_err(|_| CommandError::InvalidInput {
        field: "source network",
        problem: format!("'{text}' is not an address or network; enter one such as 192.0.2.10 or 192.0.2.0/24"),
    })
}

/// Parses a time zone field; empty gives `None`.
pub fn parse_zone(text: &str) -> Result<Option<chrono_tz::Tz>, CommandError> {
    match text.trim() {
        "" => Ok(None),
        name => name.parse::<chrono_tz::Tz>().map(Some).map_err(|_| CommandError::InvalidInput {
            field: "default time zone",
            problem: format!("unknown time zone '{name}'; enter an IANA name such as UTC or Europe/Berlin"),
        }),
    }
}

/// Returns `Some(text)` trimmed, or `Some(None)` for an empty text: a field that is set.
fn text_field(text: &str) -> Option<Option<String>> {
    let text = text.trim();
    Some((!text.is_empty()).then(|| text.to_string()))
}

/// Creates a case with the settings of the new-case form. Every field is checked before the
/// file is created, so an invalid one leaves no case behind.
pub fn create_case_with_settings(request: &NewCaseRequest) -> Result<Case, CommandError> {
    let path = Path::new(request.path.trim());
    let networks = parse_networks(&request.internal_networks)?;
    // A new case has none of these settings, so only the fields filled in are changed.
    let filled = |text: &str| text_field(text).filter(Option::is_some);
    let change = SettingsChange {
        organisation: filled(&request.organisation),
        classification: filled(&request.classification),
        default_zone: parse_zone(&request.default_zone)?.map(Some),
        ..SettingsChange::default()
    };
    workflow::check_settings_change(path, &change)?;
    let examiner = request.examiner.trim();
    let examiner = (!examiner.is_empty()).then_some(examiner);
    let mut case = crate::ops::create_case(path, &request.name, examiner)?;
    if !change.is_empty() {
        workflow::change_settings(&mut case, &change, examiner)?;
    }
    if !networks.is_empty() {
        case.set_internal_networks(&networks, examiner)?;
    }
    Ok(case)
}

/// Reads the case settings with the internal networks and every analysis parameter.
pub fn settings_view(case: &Case) -> Result<SettingsView, CommandError> {
    let settings = case.settings()?;
    let defaults = Parameters::default();
    let parameters = PARAMETER_NAMES
        .iter()
        .map(|(name, description)| {
            let default_value = defaults.get(name).unwrap_or_default();
            let stored = settings.analysis_parameters.get(*name).copied();
            ParameterView {
                name: (*name).to_string(),
                value: stored.unwrap_or(default_value),
                default_value,
                is_set: stored.is_some(),
                description: (*description).to_string(),
            }
        })
        .collect();
    Ok(SettingsView {
        examiner: settings.examiner,
        organisation: settings.organisation,
        classification: settings.classification,
        default_zone: settings.default_zone.map(|zone| zone.name().to_string()),
        internal_networks: case.internal_networks()?.iter().map(IpNet::to_string).collect(),
        parameters,
        read_only_reason: case.read_only_reason().map(str::to_string),
    })
}

/// Builds the change from the stored settings to the form's values: only the fields that
/// differ, so saving an unchanged form changes and audits nothing.
pub fn settings_change(current: &CaseSettings, request: &SettingsRequest) -> Result<SettingsChange, CommandError> {
    let differs = |stored: &Option<String>, wanted: &Option<Option<String>>| {
        wanted.as_ref().filter(|wanted| *wanted != stored).cloned()
    };
    let zone = parse_zone(&request.default_zone)?;
    let mut change = SettingsChange {
        examiner: differs(&current.examiner, &text_field(&request.examiner)),
        organisation: differs(&current.organisation, &text_field(&request.organisation)),
        classification: differs(&current.classification, &text_field(&request.classification)),
        default_zone: (zone != current.default_zone).then_some(zone),
        ..SettingsChange::default()
    };
    for parameter in &request.parameters {
        let stored = current.analysis_parameters.get(&parameter.name).copied();
        match parameter.value {
            Some(value) if stored != Some(value) => {
                change.set_parameters.insert(parameter.name.clone(), value);
            }
            None if stored.is_some() => change.reset_parameters.push(parameter.name.clone()),
            _ => {}
        }
    }
    Ok(change)
}

/// Saves the settings form: the changed settings, then the internal networks when they
/// changed. Everything is checked before anything is written.
pub fn update_settings(case: &mut Case, request: &SettingsRequest) -> Result<SettingsView, CommandError> {
    let networks = parse_networks(&request.internal_networks)?;
    let change = settings_change(&case.settings()?, request)?;
    workflow::check_settings_change(case.path(), &change)?;
    let actor = case.actor();
    if !change.is_empty() {
        workflow::change_settings(case, &change, actor.as_deref())?;
    }
    let stored: Vec<IpNet> = case.internal_networks()?;
    let wanted: Vec<IpNet> = networks.iter().map(IpNet::trunc).collect();
    if stored != wanted {
        case.set_internal_networks(&networks, actor.as_deref())?;
    }
    settings_view(case)
}

fn custody_view(entry: &CustodyEntry) -> CustodyView {
    let text = |value: &Option<String>| value.as_deref().map(|text| escape_invisible(text).into_owned());
    CustodyView {
        acquired_by: text(&entry.acquired_by),
        acquired_at: text(&entry.acquired_at),
        source_system: text(&entry.source_system),
        method: text(&entry.method),
        storage: text(&entry.storage),
        notes: text(&entry.notes),
        recorded_by: text(&entry.recorded_by),
        recorded_at: format_rfc3339(entry.recorded_at_ns),
    }
}

fn verification_view(verification: &Verification) -> VerificationView {
    VerificationView {
        status: verification.status.as_str().to_string(),
        verified_at: format_rfc3339(verification.verified_at_ns),
        path_checked: escape_invisible(&verification.path_checked).into_owned(),
        sha256_found: verification.sha256_found.clone(),
    }
}

/// Lists the chain of custody and the latest verification of every evidence file.
pub fn integrity(case: &Case) -> Result<Vec<EvidenceIntegrityView>, CommandError> {
    Ok(case
        .evidence()?
        .iter()
        .map(|record| EvidenceIntegrityView {
            evidence_id: record.id,
            custody: record.custody.iter().map(custody_view).collect(),
            verification: record.verification.as_ref().map(verification_view),
        })
        .collect())
}

/// Records a chain-of-custody entry for one evidence file.
pub fn add_custody(
    case: &mut Case,
    evidence_id: i64,
    request: &CustodyRequest,
) -> Result<Vec<EvidenceIntegrityView>, CommandError> {
    let field = |text: &str| Some(text.trim().to_string()).filter(|text| !text.is_empty());
    let entry = CustodyEntry {
        acquired_by: field(&request.acquired_by),
        acquired_at: field(&request.acquired_at),
        source_system: field(&request.source_system),
        method: field(&request.method),
        storage: field(&request.storage),
        notes: field(&request.notes),
        recorded_by: case.actor(),
        recorded_at_ns: now_ns(),
    };
    let fields =
        [&entry.acquired_by, &entry.acquired_at, &entry.source_system, &entry.method, &entry.storage, &entry.notes];
    if fields.iter().all(|field| field.is_none()) {
        return Err(CommandError::InvalidInput {
            field: "custody entry",
            problem: "every field is empty; fill in at least one".into(),
        });
    }
    case.add_custody(evidence_id, &entry)?;
    integrity(case)
}

/// Re-hashes every evidence file, stores the results and returns the new state.
pub fn verify(case: &mut Case, observer: &mut dyn JobObserver) -> Result<Vec<EvidenceIntegrityView>, CommandError> {
    let actor = case.actor();
    case.verify_evidence_observed(&[], actor.as_deref(), observer)?;
    integrity(case)
}

/// Picks at most `max` items spread evenly over `items`, keeping the first and the last.
pub fn spread_evenly<T: Clone>(items: &[T], max: usize) -> Vec<T> {
    if items.len() <= max {
        return items.to_vec();
    }
    if max <= 1 {
        return items.iter().take(max).cloned().collect();
    }
    let last = items.len() - 1;
    (0..max).map(|index| items[index * last / (max - 1)].clone()).collect()
}

/// Returns the probes of one finding of the latest analysis for its chart, at most
/// [`MAX_CHART_POINTS`]. Probes without a port (ICMP, ARP) are left out.
pub fn probe_chart(case: &Case, finding_id: &str) -> Result<ProbeChartView, CommandError> {
    let Some(analysis) = case.latest_analysis()? else {
        return Err(CommandError::from(workflow::WorkflowError::NotAnalyzed {
            path: case.path().display().to_string(),
        }));
    };
    if !analysis.findings.iter().any(|finding| finding.id == finding_id) {
        return Err(CommandError::InvalidInput {
            field: "finding",
            problem: format!("the latest analysis has no finding {finding_id}; analyze again or choose another"),
        });
    }
    // NOTE: this reads the points of every finding of the run and keeps one finding's. A
    // query for one finding would skip the other findings' rows on a large case.
    let points: Vec<ChartPoint> = case
        .probe_points(analysis.run_id)?
        .into_iter()
        .filter(|(label, ..)| label == finding_id)
        .filter_map(|(_, ts_ns, _, port)| Some(ChartPoint { at_ms: ts_ns as f64 / 1e6, port: port? }))
        .collect();
    Ok(ProbeChartView {
        finding_id: finding_id.to_string(),
        points_total: points.len() as u64,
        points: spread_evenly(&points, MAX_CHART_POINTS),
    })
}

/// Lists the allowlist in the order added.
pub fn allowlist(case: &Case) -> Result<Vec<AllowlistView>, CommandError> {
    Ok(case
        .allowlist()?
        .into_iter()
        .map(|entry| AllowlistView {
            network: entry.network.to_string(),
            reason: escape_invisible(&entry.reason).into_owned(),
            added_by: entry.added_by,
            added_at: format_rfc3339(entry.added_at_ns),
        })
        .collect())
}

/// Adds a source to the allowlist with the reason its scans are expected.
pub fn allow(case: &mut Case, network: &str, reason: &str) -> Result<Vec<AllowlistView>, CommandError> {
    let network = parse_source_network(network)?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(CommandError::InvalidInput {
            field: "reason",
            problem: "the reason is empty; say why scans from this source are expected".into(),
        });
    }
    let actor = case.actor();
    case.allow(network, reason, actor.as_deref())?;
    allowlist(case)
}

/// Removes a source from the allowlist.
pub fn disallow(case: &mut Case, network: &str) -> Result<Vec<AllowlistView>, CommandError> {
    let network = parse_source_network(network)?;
    let actor = case.actor();
    case.disallow(network, actor.as_deref())?;
    allowlist(case)
}

/// Lists the findings of the latest analysis and the examiner's response events in time
/// order.
pub fn timeline(case: &Case) -> Result<TimelineView, CommandError> {
    let analysis = case.latest_analysis()?;
    let mut entries: Vec<TimelineEntry> = Vec::new();
    for finding in analysis.iter().flat_map(|analysis| &analysis.findings) {
        let json = FindingJson::from(finding);
        entries.push(TimelineEntry {
            kind: TimelineKind::Finding,
            id: json.id,
            at_ms: finding.first_seen_ns as f64 / 1e6,
            at: json.first_seen,
            until: Some(json.last_seen),
            title: format!("{} {} scan", json.kind, json.technique),
            detail: escape_invisible(&json.explanation).into_owned(),
            sources: json.sources,
            targets: json.targets,
            severity_level: Some(json.severity.level.to_string()),
            suppressed: json.suppressed.as_deref().map(|reason| escape_invisible(reason).into_owned()),
        });
    }
    for event in case.report_events()? {
        entries.push(TimelineEntry {
            kind: TimelineKind::Event,
            id: format!("EV-{}", event.id),
            at_ms: event.at_ns as f64 / 1e6,
            at: format_rfc3339(event.at_ns),
            until: None,
            title: format!("{}: {}", event.phase.as_str(), escape_invisible(&event.actor)),
            detail: escape_invisible(&event.description).into_owned(),
            sources: Vec::new(),
            targets: Vec::new(),
            severity_level: None,
            suppressed: None,
        });
    }
    entries.sort_by(|a, b| a.at_ms.total_cmp(&b.at_ms).then_with(|| a.id.cmp(&b.id)));
    Ok(TimelineView { analyzed: analysis.is_some(), entries })
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use scancase::import::NoProgress;

    use super::*;
    use crate::dto::ImportRequest;
    use crate::ops;
    use crate::workspace_dto::ParameterValue;

    fn fixture(relative: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("fixtures").join(relative)
    }

    fn new_case_request(folder: &Path) -> NewCaseRequest {
        NewCaseRequest {
            path: folder.join("new.scancase").display().to_string(),
            name: "Scan on 10.200.0.100".into(),
            examiner: "Ada".into(),
            organisation: "Example GmbH".into(),
            classification: "TLP:AMBER".into(),
            default_zone: "Europe/Berlin".into(),
            internal_networks: vec!["10.200.0.0/24".into(), " ".into()],
        }
    }

    fn form(view: &SettingsView) -> SettingsRequest {
        SettingsRequest {
            examiner: view.examiner.clone().unwrap_or_default(),
            organisation: view.organisation.clone().unwrap_or_default(),
            classification: view.classification.clone().unwrap_or_default(),
            default_zone: view.default_zone.clone().unwrap_or_default(),
            internal_networks: view.internal_networks.clone(),
            parameters: view
                .parameters
                .iter()
                .map(|parameter| ParameterValue {
                    name: parameter.name.clone(),
                    value: parameter.is_set.then_some(parameter.value),
                })
                .collect(),
        }
    }

    fn analyzed_case(folder: &Path) -> Case {
        let mut case = create_case_with_settings(&new_case_request(folder)).unwrap();
        let request = ImportRequest { zone: "UTC".into(), year: Some(2026) };
        ops::import_evidence(&mut case, &fixture("capture/scan_nmap_sS_8ports_vic1.pcap"), &request, &mut NoProgress)
            .unwrap();
        ops::analyze_observed(&mut case, &mut scancase::job::Unobserved).unwrap();
        case
    }

    #[test]
    fn new_case_stores_form_settings() {
        let folder = tempfile::tempdir().unwrap();
        let case = create_case_with_settings(&new_case_request(folder.path())).unwrap();
        let view = settings_view(&case).unwrap();
        assert_eq!(view.examiner.as_deref(), Some("Ada"));
        assert_eq!(view.organisation.as_deref(), Some("Example GmbH"));
        assert_eq!(view.classification.as_deref(), Some("TLP:AMBER"));
        assert_eq!(view.default_zone.as_deref(), Some("Europe/Berlin"));
        assert_eq!(view.internal_networks, ["10.200.0.0/24"]);
        assert_eq!(view.parameters.len(), PARAMETER_NAMES.len());
        assert!(view
            .parameters
            .iter()
            .all(|parameter| !parameter.is_set && parameter.value == parameter.default_value));
    }

    #[test]
    fn invalid_new_case_leaves_no_file() {
        let folder = tempfile::tempdir().unwrap();
        let invalid = [
            NewCaseRequest { default_zone: "Mars/Olympus".into(), ..new_case_request(folder.path()) },
            NewCaseRequest { internal_networks: vec!["10.0.0.0/33".into()], ..new_case_request(folder.path()) },
            NewCaseRequest { classification: "x".repeat(201), ..new_case_request(folder.path()) },
        ];
        for request in invalid {
            let error = create_case_with_settings(&request).err().expect("invalid request rejected");
            assert_eq!(error.kind(), "invalidInput", "{}", error.full_message());
            assert!(!Path::new(&request.path).exists(), "{} was created", request.path);
        }
    }

    #[test]
    fn unchanged_form_writes_nothing() {
        let folder = tempfile::tempdir().unwrap();
        let mut case = create_case_with_settings(&new_case_request(folder.path())).unwrap();
        let before = case.audit_log().unwrap().entries.len();
        let view = settings_view(&case).unwrap();
        update_settings(&mut case, &form(&view)).unwrap();
        assert_eq!(case.audit_log().unwrap().entries.len(), before, "saving an unchanged form is not audited");
    }

    #[test]
    fn form_changes_only_what_differs() {
        let folder = tempfile::tempdir().unwrap();
        let mut case = create_case_with_settings(&new_case_request(folder.path())).unwrap();
        let mut request = form(&settings_view(&case).unwrap());
        request.organisation = String::new();
        request.parameters[0].value = Some(9);
        request.internal_networks = vec!["192.0.2.7".into()];
        let change = settings_change(&case.settings().unwrap(), &request).unwrap();
        assert_eq!(change.organisation, Some(None));
        assert_eq!(change.classification, None, "an unchanged field stays out of the change");
        assert_eq!(change.set_parameters.get(&request.parameters[0].name), Some(&9));

        let view = update_settings(&mut case, &request).unwrap();
        assert_eq!(view.organisation, None);
        assert_eq!(view.internal_networks, ["192.0.2.7/32"]);
        assert!(view.parameters[0].is_set);
        assert_eq!(view.parameters[0].value, 9);

        request.parameters[0].value = None;
        let view = update_settings(&mut case, &request).unwrap();
        assert!(!view.parameters[0].is_set, "null returns the parameter to its default");
    }

    #[test]
    fn invalid_form_is_invalid_input() {
        let folder = tempfile::tempdir().unwrap();
        let mut case = create_case_with_settings(&new_case_request(folder.path())).unwrap();
        let mut request = form(&settings_view(&case).unwrap());
        request.parameters.push(ParameterValue { name: "min_ports".into(), value: Some(3) });
        request.organisation = "Changed".into();
        let error = update_settings(&mut case, &request).unwrap_err();
        assert_eq!(error.kind(), "invalidInput");
        assert!(error.full_message().contains("unknown parameter 'min_ports'"), "{}", error.full_message());
        assert_eq!(case.settings().unwrap().organisation.as_deref(), Some("Example GmbH"), "nothing was written");
    }

    #[test]
    fn custody_needs_a_field_and_is_listed() {
        let folder = tempfile::tempdir().unwrap();
        let mut case = analyzed_case(folder.path());
        let empty = add_custody(&mut case, 1, &CustodyRequest::default()).unwrap_err();
        assert_eq!(empty.kind(), "invalidInput");
        let entry =
            CustodyRequest { acquired_by: "Ada".into(), storage: " locker 7 ".into(), ..CustodyRequest::default() };
        let views = add_custody(&mut case, 1, &entry).unwrap();
        assert_eq!(views[0].custody.len(), 1);
        assert_eq!(views[0].custody[0].storage.as_deref(), Some("locker 7"));
        assert_eq!(views[0].custody[0].method, None);
    }

    #[test]
    fn verify_reports_match() {
        let folder = tempfile::tempdir().unwrap();
        let mut case = analyzed_case(folder.path());
        let views = verify(&mut case, &mut scancase::job::Unobserved).unwrap();
        assert_eq!(views[0].verification.as_ref().map(|check| check.status.as_str()), Some("match"));
    }

    #[test]
    fn spread_evenly_keeps_ends_and_cap() {
        let items: Vec<u32> = (0..10).collect();
        assert_eq!(spread_evenly(&items, 20), items);
        assert_eq!(spread_evenly(&items, 4), [0, 3, 6, 9]);
        assert_eq!(spread_evenly(&items, 1), [0]);
        assert!(spread_evenly(&items, 0).is_empty());
    }

    #[test]
    fn chart_has_one_point_per_probe() {
        let folder = tempfile::tempdir().unwrap();
        let case = analyzed_case(folder.path());
        let chart = probe_chart(&case, "F-1").unwrap();
        assert!(chart.points_total >= 8, "8 ports probed: {}", chart.points_total);
        assert_eq!(chart.points.len() as u64, chart.points_total);
        assert!(chart.points.iter().any(|point| point.port == 443));
        assert_eq!(probe_chart(&case, "F-99").unwrap_err().kind(), "invalidInput");
    }

    #[test]
    fn allowlist_add_and_remove() {
        let folder = tempfile::tempdir().unwrap();
        let mut case = analyzed_case(folder.path());
        assert_eq!(allow(&mut case, "10.200.0.10", " ").unwrap_err().kind(), "invalidInput");
        assert_eq!(allow(&mut case, "10.200.0.300", "scanner").unwrap_err().kind(), "invalidInput");
        let list = allow(&mut case, "10.200.0.10", "weekly vulnerability scan").unwrap();
        assert_eq!(list[0].network, "10.200.0.10/32");
        ops::analyze_observed(&mut case, &mut scancase::job::Unobserved).unwrap();
        let findings = ops::list_findings(&case).unwrap();
        assert!(findings.findings[0].suppressed.as_deref().unwrap_or_default().contains("weekly vulnerability scan"));
        assert!(disallow(&mut case, "10.200.0.10/32").unwrap().is_empty());
    }

    #[test]
    fn timeline_lists_findings_and_events_in_order() {
        let folder = tempfile::tempdir().unwrap();
        let mut case = analyzed_case(folder.path());
        let event = scancase::case::NewTimelineEvent {
            phase: scancase::report::EventPhase::Containment,
            at_text: "2026-12-05T08:00:00+01:00".into(),
            actor: "NOC".into(),
            description: "Blocked 10.200.0.10 at the border firewall".into(),
        };
        case.add_report_event(&event, Some("Ada")).unwrap();
        let view = timeline(&case).unwrap();
        assert!(view.analyzed);
        let kinds: Vec<&str> = view.entries.iter().map(|entry| entry.id.as_str()).collect();
        assert_eq!(kinds.len(), 2, "{kinds:?}");
        assert!(matches!(view.entries[0].kind, TimelineKind::Finding), "the scan came before the containment");
        assert_eq!(view.entries[0].sources, ["10.200.0.10"]);
        assert!(matches!(view.entries[1].kind, TimelineKind::Event));
        assert!(view.entries[1].title.starts_with("containment"), "{}", view.entries[1].title);
    }
}
