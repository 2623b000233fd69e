//! The step-by-step subcommands: `new`, `import`, `analyze`, `findings` and `report`.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::Args;
use scancase::analysis;
use scancase::case::Case;
use scancase::import::{import_file, ImportResult};
use scancase::model::format_rfc3339;
use scancase::text_escape::escape_invisible;
use scancase::workflow::{self, ReportFormat};

use super::options::{CasePath, EvidenceOptions, ReportFormatArg};
use super::progress::TerminalProgress;

/// Arguments of `scancase new`.
#[derive(Debug, Args)]
pub struct NewArgs {
    /// Path of the case file to create.
    #[arg(value_name = "CASE")]
    pub case: PathBuf,
    /// Case name; by default the file name without its extension.
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// Name of the examiner responsible for the case.
    #[arg(long, value_name = "NAME")]
    pub examiner: Option<String>,
    #[command(flatten)]
    pub settings: super::case_settings_command::SettingValues,
    /// The organisation's networks, for example 10.0.0.0/8; may be repeated. Without it the
    /// private and local address ranges count as internal.
    #[arg(long = "internal", value_name = "NETWORK", value_parser = super::settings_commands::parse_network)]
    pub internal_networks: Vec<ipnet::IpNet>,
}

/// Arguments of `scancase import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    #[command(flatten)]
    pub case: CasePath,
    /// Evidence files: pcap or pcapng captures, or firewall and sensor logs in any dialect of docs/log-formats.md.
    #[arg(value_name = "EVIDENCE", required = true)]
    pub evidence: Vec<PathBuf>,
    #[command(flatten)]
    pub options: EvidenceOptions,
}

/// A subcommand that takes only a case.
#[derive(Debug, Args)]
pub struct CaseArg {
    #[command(flatten)]
    pub case: CasePath,
}

/// Arguments of `scancase findings`.
#[derive(Debug, Args)]
pub struct FindingsArgs {
    #[command(flatten)]
    pub case: CasePath,
    /// Print one JSON object `{"findings": [...]}` (see docs/findings-json.md).
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `scancase report`: either `report CASE --format FORMAT` (the export) or a
/// subcommand such as `report show CASE`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct ReportArgs {
    #[command(subcommand)]
    pub command: Option<super::report_commands::ReportCommand>,
    /// Case file (`*.scancase`).
    #[arg(value_name = "CASE", required = true)]
    pub case: Option<PathBuf>,
    /// Open the case read-only: nothing is written to it.
    #[arg(long)]
    pub read_only: bool,
    /// Output format: md, pdf, json (the report's structure), csv (indicators), stix (STIX 2.1
    /// bundle) or veris (VERIS 1.4 incident).
    #[arg(long, value_enum, required = true)]
    pub format: Option<ReportFormatArg>,
    /// Output file; by default stdout (PDF only when stdout is not a terminal).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Creates an empty case.
pub fn new(args: NewArgs) -> Result<()> {
    let name = args.name.unwrap_or_else(|| case_name_from_path(&args.case));
    let change = args.settings.to_change();
    // The settings are checked before the file exists, so an invalid one leaves no case behind.
    workflow::check_settings_change(&args.case, &change)?;
    let mut case = Case::create(&args.case, &name, args.examiner.as_deref())?;
    if !change.is_empty() {
        workflow::change_settings(&mut case, &change, args.examiner.as_deref())?;
    }
    if !args.internal_networks.is_empty() {
        case.set_internal_networks(&args.internal_networks, args.examiner.as_deref())?;
    }
    log::info!("created case '{name}' in {}", args.case.display());
    Ok(())
}

/// Imports evidence into an existing case; files that fail are reported and the others kept.
pub fn import(args: ImportArgs) -> Result<()> {
    let mut case = args.case.open()?;
    if let Some(examiner) = &args.options.examiner {
        case.set_examiner_if_missing(examiner)?;
    }
    let failed = import_all(&mut case, &args.evidence, &args.options);
    if failed > 0 {
        bail!(
            "{failed} of {} evidence files were rejected; nothing of them was written to the case",
            args.evidence.len()
        );
    }
    Ok(())
}

/// Imports each file and logs its result; returns the number of files rejected.
pub fn import_all(case: &mut Case, evidence: &[PathBuf], options: &EvidenceOptions) -> usize {
    let import_options = options.import_options();
    let mut failed = 0;
    for path in evidence {
        let mut progress = TerminalProgress::new(path.display().to_string());
        let result = import_file(case, path, &import_options, &mut progress);
        drop(progress);
        match result {
            Ok(ImportResult::Imported(record)) => {
                let summary = &record.summary;
                log::info!(
                    "imported {} ({}, {} bytes, sha256 {}): {} records, {} observations, {} skipped, {} anomalies",
                    path.display(),
                    summary.format,
                    record.size_bytes,
                    record.sha256,
                    summary.records,
                    summary.observations,
                    summary.skipped_total(),
                    summary.anomalies_total
                );
                for (reason, count) in &summary.skipped {
                    log::info!("  skipped {count} records: {reason}");
                }
                for anomaly in summary.anomalies.iter().take(5) {
                    log::warn!("  {}: record {}: {}", path.display(), anomaly.locator.record, anomaly.message);
                }
                if let Some(assumption) = &summary.time_assumption {
                    log::info!("  time assumption: {assumption}");
                }
            }
            Ok(ImportResult::AlreadyImported { evidence_id, earlier_path }) => {
                log::warn!(
                    "{} was not imported again: the same file (same SHA-256) is evidence {evidence_id}, imported from {earlier_path}",
                    path.display()
                );
            }
            Err(error) => {
                failed += 1;
                super::print_error(&anyhow::Error::from(error));
            }
        }
    }
    failed
}

/// Analyzes a case and logs the findings.
pub fn analyze(args: CaseArg) -> Result<()> {
    let mut case = args.case.open()?;
    let actor = case.actor();
    let parameters = analysis::case_parameters(&case)?;
    let outcome = analysis::analyze_case(&mut case, &parameters, actor.as_deref())?;
    log::info!("analysis: {} contacts, {} findings", outcome.contacts, outcome.findings.len());
    Ok(())
}

/// Prints the findings of the latest analysis.
pub fn findings(args: FindingsArgs) -> Result<()> {
    let case = args.case.open()?;
    let Some(analysis) = case.latest_analysis()? else {
        bail!(
            "case {} has not been analyzed yet; run `scancase analyze {}` first",
            args.case.case.display(),
            args.case.case.display()
        );
    };
    let mut stdout = std::io::stdout().lock();
    if args.json {
        let document = scancase::contract::findings_document(&analysis.findings);
        serde_json::to_writer_pretty(&mut stdout, &document).context("could not write the findings")?;
        writeln!(stdout)?;
        return Ok(());
    }
    if analysis.findings.is_empty() {
        writeln!(stdout, "No scan found.")?;
    }
    for finding in &analysis.findings {
        let sources: Vec<String> = finding.sources.iter().map(|a| a.to_string()).collect();
        let targets: Vec<String> = finding.targets.iter().map(|a| a.to_string()).collect();
        writeln!(
            stdout,
            "{}  {} {}  {} -> {}  {} ports  {} to {}  severity {} ({})  confidence {} %",
            finding.id,
            finding.kind.as_str(),
            finding.technique.as_str(),
            sources.join(","),
            targets.join(","),
            finding.ports.len(),
            format_rfc3339(finding.first_seen_ns),
            format_rfc3339(finding.last_seen_ns),
            finding.severity.score,
            finding.severity.level.as_str(),
            finding.confidence.percent
        )?;
        if let Some(reason) = &finding.suppressed {
            writeln!(stdout, "    suppressed: {}", escape_invisible(reason))?;
        }
    }
    Ok(())
}

/// Runs a `scancase report` subcommand, or drafts the report and writes it.
pub fn report(args: ReportArgs) -> Result<()> {
    if let Some(command) = args.command {
        return super::report_commands::run(command);
    }
    let (Some(case), Some(format)) = (args.case, args.format) else {
        bail!("give the case and the format: scancase report CASE --format md|pdf|json|csv|stix|veris");
    };
    let mut case = CasePath { case, read_only: args.read_only }.open()?;
    let examiner = case.actor();
    let format = ReportFormat::from(format);
    let drafted = workflow::prepare_report(&mut case, examiner.as_deref())?;
    let bytes = workflow::render_export(&drafted, format)?;
    match &args.output {
        Some(path) => {
            workflow::write_export(&mut case, &bytes, path, format, examiner.as_deref())?;
            log::info!("wrote {}", path.display());
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            if format == ReportFormat::Pdf && stdout.is_terminal() {
                bail!("a PDF is binary; give an output file with -o FILE");
            }
            stdout.write_all(&bytes).context("could not write the report to stdout")?;
        }
    }
    Ok(())
}

/// Returns a case name from a case path: its file name without the extension.
pub fn case_name_from_path(path: &Path) -> String {
    path.file_stem().map(|stem| stem.to_string_lossy().into_owned()).unwrap_or_else(|| "case".to_string())
}
