//! The steps behind the commands, as plain functions over an open [`Case`].
//!
//! Each function calls one library function and converts its result into a response type of
//! [`crate::dto`]. Nothing here depends on Tauri, so the tests below run the whole job
//! (create, import, analyze, draft, export) without a window.

use std::path::Path;

use scancase::analysis;
use scancase::case::Case;
use scancase::import::{import_file, ImportObserver, ImportOptions, ImportResult};
use scancase::job::JobObserver;

use crate::dto::{AnalysisSummary, CaseSummary, EvidenceView, FindingView, FindingsView, ImportOutcome, ImportRequest};
use crate::error::CommandError;

/// Earliest and latest year accepted for year-less timestamps, as the command line accepts.
const YEAR_RANGE: std::ops::RangeInclusive<i32> = 1970..=9999;

/// Creates a case file and returns it opened.
pub fn create_case(path: &Path, name: &str, examiner: Option<&str>) -> Result<Case, CommandError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(CommandError::InvalidInput {
            field: "case name",
            problem: "the name is empty; enter a case name".into(),
        });
    }
    if path.as_os_str().is_empty() {
        return Err(CommandError::InvalidInput {
            field: "case file",
            problem: "no path given; choose where to save the case".into(),
        });
    }
    let examiner = examiner.map(str::trim).filter(|text| !text.is_empty());
    Ok(Case::create(path, name, examiner)?)
}

/// Parses the import request into the library's import options.
pub fn import_options(request: &ImportRequest, examiner: Option<String>) -> Result<ImportOptions, CommandError> {
    // An empty zone takes the case's default time zone, else UTC.
    let zone = match request.zone.trim() {
        "" => None,
        name => Some(name.parse::<chrono_tz::Tz>().map_err(|_| CommandError::InvalidInput {
            field: "time zone",
            problem: format!("unknown time zone '{}'; enter an IANA name such as UTC or Europe/Berlin", request.zone),
        })?),
    };
    if let Some(year) = request.year {
        if !YEAR_RANGE.contains(&year) {
            return Err(CommandError::InvalidInput {
                field: "year",
                problem: format!(
                    "{year} is outside {} to {}; enter the year the log was written",
                    YEAR_RANGE.start(),
                    YEAR_RANGE.end()
                ),
            });
        }
    }
    Ok(ImportOptions { zone, year: request.year, format: None, examiner })
}

/// Imports one evidence file into the case.
pub fn import_evidence(
    case: &mut Case,
    path: &Path,
    request: &ImportRequest,
    observer: &mut dyn ImportObserver,
) -> Result<ImportOutcome, CommandError> {
    let options = import_options(request, case.actor())?;
    let outcome = match import_file(case, path, &options, observer)? {
        ImportResult::Imported(record) => ImportOutcome::Imported { evidence: Box::new(EvidenceView::from(&*record)) },
        ImportResult::AlreadyImported { evidence_id, earlier_path } => {
            ImportOutcome::AlreadyImported { evidence_id, earlier_path }
        }
    };
    Ok(outcome)
}

/// Lists the evidence files of the case in import order.
pub fn list_evidence(case: &Case) -> Result<Vec<EvidenceView>, CommandError> {
    Ok(case.evidence()?.iter().map(EvidenceView::from).collect())
}

/// Analyzes all evidence of the case with the case's analysis parameters and stores the
/// findings, reporting the parts to `observer`, which may cancel before the findings are
/// stored.
pub fn analyze_observed(case: &mut Case, observer: &mut dyn JobObserver) -> Result<AnalysisSummary, CommandError> {
    let actor = case.actor();
    let parameters = analysis::case_parameters(case)?;
    let outcome = analysis::analyze_case_observed(case, &parameters, actor.as_deref(), observer)?;
    Ok(AnalysisSummary { contacts: outcome.contacts, findings: outcome.findings.len() })
}

/// Lists the findings of the latest analysis.
pub fn list_findings(case: &Case) -> Result<FindingsView, CommandError> {
    let view = match case.latest_analysis()? {
        Some(analysis) => FindingsView {
            analyzed: true,
            analyzed_at: Some(scancase::model::format_rfc3339(analysis.run.ran_at_ns)),
            findings: analysis.findings.iter().map(FindingView::from).collect(),
        },
        None => FindingsView { analyzed: false, analyzed_at: None, findings: Vec::new() },
    };
    Ok(view)
}

/// Reads the summary of the open case.
pub fn summary(case: &Case) -> Result<CaseSummary, CommandError> {
    CaseSummary::read(case)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use scancase::import::NoProgress;
    use scancase::job::Unobserved;

    use super::*;

    fn fixture(relative: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("fixtures").join(relative)
    }

    fn utc_2026() -> ImportRequest {
        ImportRequest { zone: "UTC".into(), year: Some(2026) }
    }

    #[test]
    fn whole_job_without_window() {
        let folder = tempfile::tempdir().unwrap();
        let mut case = create_case(&folder.path().join("job.scancase"), "Job", Some("Ada")).unwrap();
        for file in ["capture/scan_nmap_sS_8ports_vic1.pcap", "fwlog/scan_nmap_sS_8ports_vic1.log"] {
            let outcome = import_evidence(&mut case, &fixture(file), &utc_2026(), &mut NoProgress).unwrap();
            assert!(matches!(outcome, ImportOutcome::Imported { .. }), "{file} was not imported");
        }
        assert_eq!(list_evidence(&case).unwrap().len(), 2);

        let summary = analyze_observed(&mut case, &mut Unobserved).unwrap();
        assert!(summary.findings >= 1);
        let findings = list_findings(&case).unwrap();
        assert!(findings.analyzed);
        assert!(findings.findings.iter().any(|finding| finding.sources.contains(&"10.200.0.10".to_string())));
    }

    #[test]
    fn second_import_is_already_imported() {
        let folder = tempfile::tempdir().unwrap();
        let mut case = create_case(&folder.path().join("twice.scancase"), "Twice", None).unwrap();
        let path = fixture("fwlog/scan_nmap_sS_8ports_vic1.log");
        import_evidence(&mut case, &path, &utc_2026(), &mut NoProgress).unwrap();
        let again = import_evidence(&mut case, &path, &utc_2026(), &mut NoProgress).unwrap();
        assert!(matches!(again, ImportOutcome::AlreadyImported { .. }));
    }

    #[test]
    fn unknown_zone_is_invalid_input() {
        let request = ImportRequest { zone: "Mars/Olympus".into(), year: None };
        let error = import_options(&request, None).unwrap_err();
        assert_eq!(error.kind(), "invalidInput");
    }

    #[test]
    fn year_out_of_range_is_invalid_input() {
        let request = ImportRequest { zone: "UTC".into(), year: Some(1969) };
        assert_eq!(import_options(&request, None).unwrap_err().kind(), "invalidInput");
    }

    #[test]
    fn empty_case_name_is_invalid_input() {
        let folder = tempfile::tempdir().unwrap();
        let error = create_case(&folder.path().join("x.scancase"), "  ", None).err().unwrap();
        assert_eq!(error.kind(), "invalidInput");
    }

    /// Cancels when the observer is first asked, after the analysis has started.
    struct CancelAtOnce(Vec<&'static str>);

    impl JobObserver for CancelAtOnce {
        fn progress(&mut self, part: scancase::job::JobPart, _done: u64, _total: u64) {
            self.0.push(part.as_str());
        }

        fn is_cancelled(&self) -> bool {
            true
        }
    }

    #[test]
    fn cancelled_analysis_keeps_previous_findings() {
        let folder = tempfile::tempdir().unwrap();
        let mut case = create_case(&folder.path().join("cancel.scancase"), "Cancel", None).unwrap();
        let path = fixture("capture/scan_nmap_sS_8ports_vic1.pcap");
        import_evidence(&mut case, &path, &utc_2026(), &mut NoProgress).unwrap();
        let mut observer = CancelAtOnce(Vec::new());
        let error = analyze_observed(&mut case, &mut observer).unwrap_err();
        assert_eq!(error.kind(), "cancelled");
        assert_eq!(observer.0, ["readingContacts"]);
        assert!(!list_findings(&case).unwrap().analyzed, "a cancelled analysis stored findings");

        analyze_observed(&mut case, &mut Unobserved).unwrap();
        let before = list_findings(&case).unwrap().findings.len();
        assert!(analyze_observed(&mut case, &mut CancelAtOnce(Vec::new())).is_err());
        assert_eq!(list_findings(&case).unwrap().findings.len(), before);
    }
}
