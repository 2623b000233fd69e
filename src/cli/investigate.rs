//! `scancase investigate`: the whole job in one step, from evidence files to a case file
//! and the report as Markdown and PDF.
//!
//! The run is all or nothing: when any evidence file is rejected, the errors are printed,
//! the case file this run created is removed and no report is written.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::Args;
use scancase::analysis;
use scancase::case::Case;
use scancase::workflow::{self, ReportFormat};

use super::case_commands::import_all;
use super::options::EvidenceOptions;

/// Arguments of `scancase investigate`.
#[derive(Debug, Args)]
pub struct InvestigateArgs {
    /// Evidence files: pcap or pcapng captures, or firewall and sensor logs in any dialect of docs/log-formats.md.
    #[arg(value_name = "EVIDENCE", required = true)]
    pub evidence: Vec<PathBuf>,
    /// Output folder for case.scancase, report.md and report.pdf; created when missing.
    #[arg(long, value_name = "DIR", default_value = "scancase-out")]
    pub out: PathBuf,
    #[command(flatten)]
    pub options: EvidenceOptions,
}

/// File names written in the output folder.
const CASE_FILE: &str = "case.scancase";
const MARKDOWN_FILE: &str = "report.md";
const PDF_FILE: &str = "report.pdf";

/// Runs the whole job.
pub fn run(args: InvestigateArgs) -> Result<()> {
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("could not create the output folder {}", args.out.display()))?;
    let case_path = args.out.join(CASE_FILE);
    if case_path.exists() {
        bail!("{} already exists; choose another --out folder or remove the old case first", case_path.display());
    }

    let name = case_name(&args.evidence);
    let mut case = Case::create(&case_path, &name, args.options.examiner.as_deref())?;
    let failed = import_all(&mut case, &args.evidence, &args.options);
    if failed > 0 {
        drop(case);
        remove_case(&case_path);
        bail!(
            "{failed} of {} evidence files were rejected; no case or report was written (fix or leave out the files above)",
            args.evidence.len()
        );
    }

    let examiner = args.options.examiner.as_deref();
    let parameters = analysis::case_parameters(&case)?;
    let outcome = analysis::analyze_case(&mut case, &parameters, examiner)?;
    log::info!("analysis: {} contacts, {} findings", outcome.contacts, outcome.findings.len());

    let report = workflow::draft_report(&mut case, examiner)?;
    for (format, file) in [(ReportFormat::Markdown, MARKDOWN_FILE), (ReportFormat::Pdf, PDF_FILE)] {
        let path = args.out.join(file);
        let bytes = workflow::render_report(&report, format)?;
        workflow::write_export(&mut case, &bytes, &path, format, examiner)?;
    }

    for file in [CASE_FILE, MARKDOWN_FILE, PDF_FILE] {
        println!("{}", args.out.join(file).display());
    }
    Ok(())
}

/// Names the case after the first evidence file.
fn case_name(evidence: &[PathBuf]) -> String {
    let first = evidence.first().and_then(|path| path.file_name()).map(|name| name.to_string_lossy().into_owned());
    match (first, evidence.len()) {
        (Some(name), 1) => format!("Scan investigation: {name}"),
        (Some(name), count) => format!("Scan investigation: {name} and {} more", count - 1),
        (None, _) => "Scan investigation".to_string(),
    }
}

/// Removes a case file this run created, with any journal, WAL and shared-memory file.
fn remove_case(case_path: &Path) {
    for suffix in ["", "-journal", "-wal", "-shm"] {
        let mut path = case_path.as_os_str().to_owned();
        path.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(path));
    }
}
