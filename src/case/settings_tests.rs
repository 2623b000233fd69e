//! Tests of the case settings: migration 5 on an older case, reading and changing the
//! settings with their audit entries and checks, the analysis reading the stored parameters,
//! and imports reading the default time zone.

use std::path::{Path, PathBuf};

use super::{Case, CaseError, SettingsChange};
use crate::analysis::{analyze_case, case_parameters};
use crate::import::{import_file, ImportOptions, ImportResult, NoProgress};
use crate::workflow;

fn fixture(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(relative)
}

fn new_case(dir: &Path) -> Case {
    Case::create(&dir.join("settings.scancase"), "Settings", Some("Ada")).expect("case created")
}

fn organisation(name: &str) -> SettingsChange {
    SettingsChange { organisation: Some(Some(name.to_string())), ..SettingsChange::default() }
}

#[test]
fn migration_5_adds_settings_to_version_4_case() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("version4.scancase");
    {
        let conn = rusqlite::Connection::open(&path).expect("file created");
        for sql in &super::schema::MIGRATIONS[..4] {
            conn.execute_batch(sql).expect("old migration applied");
        }
        conn.pragma_update(None, "application_id", super::schema::APPLICATION_ID).expect("id set");
        conn.pragma_update(None, "user_version", 4).expect("version set");
        conn.execute_batch("INSERT INTO case_info VALUES (1, 'old', 'Ada', 0, '0.1.0');").expect("old rows written");
    }

    let mut case = Case::open(&path).expect("old case opened and migrated");
    let version: i32 = case.conn.pragma_query_value(None, "user_version", |row| row.get(0)).expect("version");
    assert_eq!(version, super::schema::current_version());
    let settings = case.settings().expect("settings read");
    assert_eq!(settings.examiner.as_deref(), Some("Ada"));
    assert_eq!(settings.organisation, None);
    assert_eq!(settings.classification, None);
    assert_eq!(settings.default_zone, None);
    assert!(settings.analysis_parameters.is_empty());

    case.change_settings(&organisation("Example GmbH"), None).expect("settings changed after migration");
    assert_eq!(case.settings().expect("settings read").organisation.as_deref(), Some("Example GmbH"));
}

#[test]
fn settings_change_is_stored_and_audited() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut case = new_case(dir.path());
    let change = SettingsChange {
        organisation: Some(Some("  Example GmbH ".to_string())),
        classification: Some(Some("TLP:AMBER".to_string())),
        default_zone: Some(Some(chrono_tz::Europe::Berlin)),
        set_parameters: [("campaign_gap_s".to_string(), 3600)].into(),
        ..SettingsChange::default()
    };
    let settings = workflow::change_settings(&mut case, &change, Some("Ada")).expect("settings changed");
    assert_eq!(settings.organisation.as_deref(), Some("Example GmbH"));
    assert_eq!(settings.classification.as_deref(), Some("TLP:AMBER"));
    assert_eq!(settings.default_zone, Some(chrono_tz::Europe::Berlin));
    assert_eq!(settings.analysis_parameters.get("campaign_gap_s"), Some(&3600));
    assert_eq!(settings.examiner.as_deref(), Some("Ada"), "a field not in the change stays");

    let log = case.audit_log().expect("audit log read");
    assert_eq!(log.first_mismatch, None);
    let entry = log.entries.last().expect("an entry");
    assert_eq!(entry.action, "settings_changed");
    assert_eq!(entry.actor.as_deref(), Some("Ada"));
    let details: serde_json::Value = serde_json::from_str(&entry.details_json).expect("details are JSON");
    assert_eq!(details["organisation"], "Example GmbH");
    assert_eq!(details["default_zone"], "Europe/Berlin");
    assert_eq!(details["analysis_parameters_set"]["campaign_gap_s"], 3600);

    let clear = SettingsChange {
        organisation: Some(Some("   ".to_string())),
        default_zone: Some(None),
        reset_parameters: vec!["campaign_gap_s".to_string()],
        ..SettingsChange::default()
    };
    let settings = workflow::change_settings(&mut case, &clear, Some("Ada")).expect("settings cleared");
    assert_eq!(settings.organisation, None, "an empty text removes the value");
    assert_eq!(settings.default_zone, None);
    assert!(settings.analysis_parameters.is_empty());
    assert_eq!(settings.classification.as_deref(), Some("TLP:AMBER"));
}

#[test]
fn empty_change_writes_no_audit_entry() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut case = new_case(dir.path());
    let before = case.audit_log().expect("audit log read").entries.len();
    case.change_settings(&SettingsChange::default(), None).expect("nothing changed");
    assert_eq!(case.audit_log().expect("audit log read").entries.len(), before);
}

#[test]
fn invalid_settings_change_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut case = new_case(dir.path());
    let long = "x".repeat(super::MAX_SETTING_TEXT_CHARS + 1);
    let cases: Vec<(SettingsChange, &str)> = vec![
        (
            SettingsChange { set_parameters: [("min_ports_vertical".to_string(), 0)].into(), ..organisation("A") },
            "out of range",
        ),
        (
            SettingsChange { set_parameters: [("min_ports".to_string(), 5)].into(), ..organisation("A") },
            "unknown parameter 'min_ports'",
        ),
        (
            SettingsChange { reset_parameters: vec!["window".to_string()], ..organisation("A") },
            "unknown parameter 'window'",
        ),
        (SettingsChange { classification: Some(Some(long)), ..organisation("A") }, "at most 200"),
        (
            SettingsChange { examiner: Some(Some("Ada\u{7}".to_string())), ..organisation("A") },
            "control character U+0007",
        ),
    ];
    for (change, expected) in cases {
        let error = workflow::change_settings(&mut case, &change, None).expect_err("invalid change rejected");
        assert!(matches!(error, CaseError::InvalidSetting { .. }), "{error}");
        assert!(error.to_string().contains(expected), "{error} does not say {expected:?}");
        assert_eq!(case.settings().expect("settings read").organisation, None, "nothing changed after {expected:?}");
    }
}

#[test]
fn analysis_reads_stored_parameters() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut case = new_case(dir.path());
    let capture = fixture("capture/scan_nmap_sS_8ports_vic1.pcap");
    import_file(&mut case, &capture, &ImportOptions::default(), &mut NoProgress).expect("capture imported");

    let parameters = case_parameters(&case).expect("parameters read");
    let outcome = analyze_case(&mut case, &parameters, None).expect("case analyzed");
    assert!(
        outcome.findings.iter().any(|finding| finding.kind == crate::model::ScanKind::Vertical),
        "the 8-port scan is found with the default of 6 ports"
    );

    let change =
        SettingsChange { set_parameters: [("min_ports_vertical".to_string(), 9)].into(), ..SettingsChange::default() };
    workflow::change_settings(&mut case, &change, None).expect("parameter set");
    let parameters = case_parameters(&case).expect("parameters read");
    assert_eq!(parameters.min_ports_vertical, 9);
    let outcome = analyze_case(&mut case, &parameters, None).expect("case analyzed again");
    assert!(
        !outcome.findings.iter().any(|finding| finding.kind == crate::model::ScanKind::Vertical),
        "8 ports stay below a stored minimum of 9: {:?}",
        outcome.findings.iter().map(|finding| finding.kind).collect::<Vec<_>>()
    );
    let run = case.latest_analysis().expect("analysis read").expect("an analysis").run;
    assert_eq!(run.parameters.get("min_ports_vertical").map(String::as_str), Some("9"));
}

#[test]
fn import_without_zone_reads_default_zone() {
    let log = fixture("fwlog/scan_nmap_sS_8ports_vic1.log");
    let first_seen = |zone: Option<chrono_tz::Tz>, default_zone: Option<chrono_tz::Tz>| {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut case = new_case(dir.path());
        let change = SettingsChange { default_zone: Some(default_zone), ..SettingsChange::default() };
        case.change_settings(&change, None).expect("default zone set");
        let options = ImportOptions { zone, year: Some(2026), ..ImportOptions::default() };
        let ImportResult::Imported(record) =
            import_file(&mut case, &log, &options, &mut NoProgress).expect("log imported")
        else {
            panic!("a new case has no earlier import");
        };
        (record.summary.first_ts_ns.expect("a first time"), record.summary.time_assumption.unwrap_or_default())
    };

    let (utc, _) = first_seen(None, None);
    let (berlin, assumption) = first_seen(None, Some(chrono_tz::Europe::Berlin));
    assert_eq!(utc - berlin, 3_600_000_000_000, "19:35 in Berlin in December is one hour before 19:35 UTC");
    assert!(assumption.contains("Europe/Berlin"), "{assumption}");
    let (given, _) = first_seen(Some(chrono_tz::UTC), Some(chrono_tz::Europe::Berlin));
    assert_eq!(given, utc, "a zone given with the import wins over the default");
}
