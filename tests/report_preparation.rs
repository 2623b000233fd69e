//! Tests of what preparing, exporting and analyzing cost the case and what a cancellation
//! leaves behind, through the library functions the command line and the desktop app share.
//!
//! Editing the report must neither re-hash the evidence nor store a copy of the draft; issuing
//! it (an export) must do both. A cancelled analysis keeps the previous findings and a
//! cancelled export writes no file. The report's probe charts count a probe seen in a capture
//! and in a firewall log once. The cases are built from the 8-port nmap SYN scan of the corpus,
//! captured and logged on the victim (`fixtures/README.md` names the source).

use std::cell::Cell;
use std::path::{Path, PathBuf};

use scancase::analysis::{analyze_case, analyze_case_observed, Parameters};
use scancase::case::{Case, CaseError, SettingsChange};
use scancase::import::{import_file, ImportOptions, NoProgress};
use scancase::job::{JobObserver, JobPart};
use scancase::workflow::{self, ReportFormat, WorkflowError};

const CAPTURE: &str = "capture/scan_nmap_sS_8ports_vic1.pcap";
const LOG: &str = "fwlog/scan_nmap_sS_8ports_vic1.log";

fn fixture(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(relative)
}

/// Creates a case, imports `files` (logs read as UTC in 2026) and analyzes it.
fn analyzed_case(dir: &Path, files: &[&str]) -> Case {
    let mut case = Case::create(&dir.join("case.scancase"), "Preparation", Some("A. Examiner")).expect("case created");
    let options = ImportOptions { zone: Some(chrono_tz::UTC), year: Some(2026), ..ImportOptions::default() };
    for file in files {
        import_file(&mut case, &fixture(file), &options, &mut NoProgress).expect("evidence imported");
    }
    analyze_case(&mut case, &Parameters::default(), None).expect("case analyzed");
    case
}

/// Counts the audit entries with `action`.
fn audited(case: &Case, action: &str) -> usize {
    case.audit_log().expect("audit log read").entries.iter().filter(|entry| entry.action == action).count()
}

/// Records the parts reported and cancels once `cancel_at` is reported.
struct CancelAt {
    cancel_at: Option<JobPart>,
    parts: Vec<JobPart>,
    cancelled: Cell<bool>,
}

impl CancelAt {
    fn new(cancel_at: Option<JobPart>) -> Self {
        Self { cancel_at, parts: Vec::new(), cancelled: Cell::new(false) }
    }
}

impl JobObserver for CancelAt {
    fn progress(&mut self, part: JobPart, _done: u64, _total: u64) {
        if self.parts.last() != Some(&part) {
            self.parts.push(part);
        }
        if Some(part) == self.cancel_at {
            self.cancelled.set(true);
        }
    }

    fn is_cancelled(&self) -> bool {
        self.cancelled.get()
    }
}

#[test]
fn editing_neither_rehashes_nor_stores_drafts() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let mut case = analyzed_case(dir.path(), &[CAPTURE]);
    for _ in 0..3 {
        workflow::prepare_report_to_edit(&mut case, None).expect("report drafted for editing");
    }
    workflow::set_examiner_entry(&mut case, "incident_details.reporter_name", "A. Analyst", None)
        .expect("entry stored");
    assert_eq!(audited(&case, "evidence_verified"), 0, "editing re-hashed the evidence");
    assert_eq!(audited(&case, "report_drafted"), 0, "editing stored a draft");

    let output = dir.path().join("report.md");
    let (_, size) =
        workflow::export_report_observed(&mut case, ReportFormat::Markdown, &output, None, &mut CancelAt::new(None))
            .expect("report exported");
    assert_eq!(size, std::fs::metadata(&output).expect("report written").len());
    assert_eq!(audited(&case, "evidence_verified"), 1, "an export verifies the evidence once");
    assert_eq!(audited(&case, "report_drafted"), 1, "an export stores the draft it wrote");
    assert_eq!(audited(&case, "report_exported"), 1);
}

#[test]
fn editing_shows_the_latest_recorded_verification() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let mut case = analyzed_case(dir.path(), &[CAPTURE]);
    let before = workflow::prepare_report_to_edit(&mut case, None).expect("drafted");
    assert!(before.input.evidence[0].verification.is_none(), "no verification was recorded yet");

    case.verify_evidence(&[], None).expect("evidence verified");
    let after = workflow::prepare_report_to_edit(&mut case, None).expect("drafted");
    let verification = after.input.evidence[0].verification.as_ref().expect("the recorded verification");
    assert_eq!(verification.status.as_str(), "match");
}

#[test]
fn export_reports_its_parts_in_order() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let mut case = analyzed_case(dir.path(), &[CAPTURE, LOG]);
    let mut observer = CancelAt::new(None);
    workflow::export_report_observed(&mut case, ReportFormat::Pdf, &dir.path().join("r.pdf"), None, &mut observer)
        .expect("report exported");
    assert_eq!(
        observer.parts,
        [JobPart::VerifyingEvidence, JobPart::DraftingReport, JobPart::RenderingReport, JobPart::WritingReport]
    );
}

#[test]
fn cancelled_export_writes_no_file() {
    for part in [JobPart::VerifyingEvidence, JobPart::DraftingReport, JobPart::RenderingReport] {
        let dir = tempfile::tempdir().expect("temporary folder");
        let mut case = analyzed_case(dir.path(), &[CAPTURE]);
        let output = dir.path().join("report.pdf");
        let error = workflow::export_report_observed(
            &mut case,
            ReportFormat::Pdf,
            &output,
            None,
            &mut CancelAt::new(Some(part)),
        )
        .expect_err("the export was cancelled");
        assert!(matches!(error, WorkflowError::Case(CaseError::Cancelled { .. })), "cancelled at {part:?}: {error}");
        assert!(!output.exists(), "cancelled at {part:?}, yet the report was written");
        assert_eq!(audited(&case, "report_exported"), 0);
        if part == JobPart::VerifyingEvidence {
            assert_eq!(audited(&case, "evidence_verified"), 0, "a cancelled verification was stored");
        }
    }
}

#[test]
fn cancelled_analysis_keeps_the_previous_findings() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let mut case = analyzed_case(dir.path(), &[CAPTURE]);
    let before = case.latest_analysis().expect("read").expect("analyzed");
    import_file(
        &mut case,
        &fixture(LOG),
        &ImportOptions { year: Some(2026), ..ImportOptions::default() },
        &mut NoProgress,
    )
    .expect("log imported");

    for part in [JobPart::ReadingContacts, JobPart::DetectingScans] {
        let mut observer = CancelAt::new(Some(part));
        let error = analyze_case_observed(&mut case, &Parameters::default(), None, &mut observer)
            .expect_err("the analysis was cancelled");
        assert!(matches!(error, CaseError::Cancelled { .. }), "{error}");
        assert_eq!(*observer.parts.last().expect("a part reported"), part);
        let after = case.latest_analysis().expect("read").expect("still analyzed");
        assert_eq!(after.run_id, before.run_id, "cancelled at {part:?}, yet a run was stored");
    }

    let mut observer = CancelAt::new(None);
    analyze_case_observed(&mut case, &Parameters::default(), None, &mut observer).expect("analyzed");
    assert_eq!(observer.parts, [JobPart::ReadingContacts, JobPart::DetectingScans, JobPart::StoringFindings]);
    assert_ne!(case.latest_analysis().expect("read").expect("analyzed").run_id, before.run_id);
}

#[test]
fn probe_in_two_files_charted_once() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let single = analyzed_case(&subfolder(dir.path(), "single"), &[CAPTURE]);
    let both = analyzed_case(&subfolder(dir.path(), "both"), &[CAPTURE, LOG]);

    let points = |case: &Case| {
        let analysis = case.latest_analysis().expect("read").expect("analyzed");
        let finding = analysis
            .findings
            .iter()
            .find(|finding| finding.sources.iter().any(|source| source.to_string() == "10.200.0.10"))
            .expect("the scan is found")
            .clone();
        let points: Vec<_> = case
            .probe_points(analysis.run_id)
            .expect("points read")
            .into_iter()
            .filter(|(label, ..)| *label == finding.id)
            .collect();
        (finding, points)
    };
    let (single_finding, single_points) = points(&single);
    let (both_finding, both_points) = points(&both);
    assert_eq!(both_finding.probes, single_finding.probes, "the log adds no probes to the merged finding");
    assert_eq!(both_points.len(), single_points.len(), "a probe in both files is charted twice");
    assert_eq!(both_points.len() as u64, both_finding.probes);
}

#[test]
fn organisation_is_on_the_report() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let mut case = analyzed_case(dir.path(), &[CAPTURE]);
    let markdown = |case: &mut Case| {
        let drafted = workflow::prepare_report_to_edit(case, None).expect("drafted");
        String::from_utf8(workflow::render_report(&drafted.report, ReportFormat::Markdown).expect("rendered"))
            .expect("UTF-8")
    };
    assert!(!markdown(&mut case).contains("**Organisation:**"), "an organisation was printed before one was set");

    let change =
        SettingsChange { organisation: Some(Some("Example Shipping Ltd".into())), ..SettingsChange::default() };
    workflow::change_settings(&mut case, &change, None).expect("organisation stored");
    assert!(markdown(&mut case).contains("- **Organisation:** Example Shipping Ltd"));
}

/// Creates the folder `name` in `dir`, for building two cases side by side.
fn subfolder(dir: &Path, name: &str) -> PathBuf {
    let folder = dir.join(name);
    std::fs::create_dir_all(&folder).expect("folder created");
    folder
}
