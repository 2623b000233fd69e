//! Command-line interface: argument definitions, logging setup and error printing.
//!
//! Each subcommand lives in its own file and calls library functions; no analysis or
//! storage logic lives here. Data goes to stdout, logs and errors to stderr.
//!
//! Log lines and error messages often quote evidence: file names, anomaly messages, log text.
//! Both go through [`escape_invisible`], so control, bidirectional and zero-width characters
//! in them are printed as `\u{XXXX}` and cannot act on the terminal.
//!
//! Exit status: 0 on success, 1 when a command failed or rejected an input file, 2 for
//! invalid arguments (clap's own status).

mod case_commands;
mod case_settings_command;
mod evaluate;
mod inspect;
mod integrity_commands;
mod investigate;
mod options;
mod progress;
mod report_commands;
mod review_commands;
mod settings_commands;

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use scancase::text_escape::escape_invisible;

/// Offline forensics and reporting for network scan incidents.
#[derive(Debug, Parser)]
#[command(name = "scancase", version, about, long_about = None)]
struct Cli {
    /// Log level for messages on stderr: error, warn, info, debug or trace.
    #[arg(long, global = true, default_value = "info", value_name = "LEVEL")]
    log_level: log::LevelFilter,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create a case, import the evidence, analyze it and write the reports in one step.
    Investigate(investigate::InvestigateArgs),
    /// Create an empty case file.
    New(case_commands::NewArgs),
    /// Import evidence files (captures or firewall logs) into a case.
    Import(case_commands::ImportArgs),
    /// Find the scans in a case's evidence.
    Analyze(case_commands::CaseArg),
    /// Print the findings of the latest analysis.
    Findings(case_commands::FindingsArgs),
    /// Write the incident report (`report CASE --format md|pdf|...`), or show and assemble
    /// it (`report show|edit|confirm|findings|event|attach|items|withdraw CASE`).
    Report(case_commands::ReportArgs),
    /// Re-hash every evidence file and compare it with the hash taken at import.
    Verify(integrity_commands::VerifyArgs),
    /// Print the case's audit log and check its hash chain.
    Audit(integrity_commands::AuditArgs),
    /// Record a chain-of-custody entry for one evidence file.
    Custody(integrity_commands::CustodyArgs),
    /// Run the analysis over a labelled corpus and compare the findings with the labels.
    Evaluate(evaluate::EvaluateArgs),
    /// Print what scancase reads in one evidence file, without creating a case.
    Inspect(inspect::InspectArgs),
    /// Add, remove or list the source networks whose scans are expected (allowlist).
    Allowlist(settings_commands::AllowlistArgs),
    /// Set or print the organisation's internal networks.
    Internal(settings_commands::InternalArgs),
    /// Print or change the examiner, organisation, classification label, default time zone
    /// and analysis parameters of a case.
    Settings(case_settings_command::SettingsArgs),
    /// Enter the examiner's text for a report field, or list the fields.
    Edit(review_commands::EditArgs),
    /// Submit, approve or reopen the report, or list its revisions and review steps.
    Review(review_commands::ReviewArgs),
}

/// Parses the arguments, runs the command and returns the exit status.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    env_logger::Builder::new().filter_level(cli.log_level).format(write_log_line).init();

    let result = match cli.command {
        Command::Investigate(args) => investigate::run(args),
        Command::New(args) => case_commands::new(args),
        Command::Import(args) => case_commands::import(args),
        Command::Analyze(args) => case_commands::analyze(args),
        Command::Findings(args) => case_commands::findings(args),
        Command::Report(args) => case_commands::report(args),
        Command::Verify(args) => integrity_commands::verify(args),
        Command::Audit(args) => integrity_commands::audit(args),
        Command::Custody(args) => integrity_commands::custody(args),
        Command::Evaluate(args) => evaluate::run(args),
        Command::Allowlist(args) => settings_commands::allowlist(args),
        Command::Internal(args) => settings_commands::internal(args),
        Command::Settings(args) => case_settings_command::settings(args),
        Command::Edit(args) => review_commands::edit(args),
        Command::Review(args) => review_commands::review(args),
        Command::Inspect(args) => inspect::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // A reader such as `head` that closes stdout early is not a failure of scancase.
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            print_error(&error);
            ExitCode::FAILURE
        }
    }
}

/// Prints an error with its chain of causes on stderr, escaped for the terminal.
pub(crate) fn print_error(error: &anyhow::Error) {
    eprintln!("scancase: error: {}", escape_invisible(&format!("{error:#}")));
}

/// Writes one log line as `[LEVEL] message`, the level coloured when stderr takes colours,
/// and the message escaped for the terminal.
fn write_log_line(buf: &mut env_logger::fmt::Formatter, record: &log::Record<'_>) -> std::io::Result<()> {
    use std::io::Write;

    let style = buf.default_level_style(record.level());
    let message = record.args().to_string();
    writeln!(buf, "[{}{:<5}{}] {}", style.render(), record.level(), style.render_reset(), escape_invisible(&message))
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || cause.downcast_ref::<serde_json::Error>().and_then(|json| json.io_error_kind())
                == Some(std::io::ErrorKind::BrokenPipe)
    })
}
