//! The `inspect` subcommand: one evidence file read without a case, printed to stdout.

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use scancase::import::{ImportObserver, ImportOptions, NoProgress};
use scancase::inspect::{inspect_file, OutputStyle};

use super::progress::TerminalProgress;

/// Arguments of `scancase inspect`.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// Evidence file: a pcap or pcapng capture or a firewall log, plain or gzip-compressed.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// Evidence format, overriding detection from the content, for example pcap, pcapng or
    /// netfilter-syslog.
    #[arg(long, value_name = "NAME")]
    pub format: Option<String>,

    /// IANA time zone of log timestamps that carry no offset, for example Europe/Berlin.
    #[arg(long, value_name = "ZONE", default_value = "UTC")]
    pub tz: chrono_tz::Tz,

    /// Year of log timestamps that carry none (RFC 3164 syslog); by default taken from the
    /// file's modification time.
    #[arg(long, value_name = "YEAR", value_parser = clap::value_parser!(i32).range(1970..=9999))]
    pub year: Option<i32>,

    /// Print JSON lines, one object per observation, per anomaly and a final summary (see
    /// docs/inspect-json.md), instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Prints every observation, anomaly and the summary of one evidence file.
pub fn run(args: InspectArgs) -> Result<()> {
    let options = ImportOptions { zone: Some(args.tz), year: args.year, format: args.format, examiner: None };
    let style = if args.json { OutputStyle::JsonLines } else { OutputStyle::Text };
    let mut stdout = std::io::stdout().lock();
    // A progress bar would be drawn between the lines when both go to the same terminal.
    let mut progress: Box<dyn ImportObserver> = if stdout.is_terminal() {
        Box::new(NoProgress)
    } else {
        Box::new(TerminalProgress::new(args.file.display().to_string()))
    };
    let summary = inspect_file(&args.file, &options, style, progress.as_mut(), &mut stdout)?;
    drop(progress);
    match summary.anomalies_total {
        0 => {}
        1 => log::warn!("{}: 1 anomaly; see the anomaly line of the output", args.file.display()),
        count => log::warn!("{}: {count} anomalies; see the anomaly lines of the output", args.file.display()),
    }
    Ok(())
}
