//! Options shared by several subcommands, parsed once into validated values.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use scancase::case::{Case, CaseError, OpenMode};
use scancase::import::ImportOptions;
use scancase::workflow::ReportFormat;

/// How evidence is read: time assumptions and the examiner.
#[derive(Debug, Clone, Args)]
pub struct EvidenceOptions {
    /// IANA time zone of log timestamps that carry no offset, for example Europe/Berlin; by
    /// default the case's default time zone (`scancase settings --tz`), else UTC.
    #[arg(long, value_name = "ZONE", value_parser = parse_zone)]
    pub tz: Option<chrono_tz::Tz>,

    /// Year of log timestamps that carry none (RFC 3164 syslog); by default taken from
    /// each file's modification time.
    #[arg(long, value_name = "YEAR", value_parser = clap::value_parser!(i32).range(1970..=9999))]
    pub year: Option<i32>,

    /// Evidence format, overriding detection from the content: pcap, pcapng, or a log
    /// dialect name from docs/log-formats.md (for example netfilter-syslog, pfsense-filterlog,
    /// windows-pfirewall, cisco-asa, zeek-conn, suricata-eve, pf-tcpdump, fortigate,
    /// panos-csv, juniper-srx, checkpoint, sonicwall, mikrotik, sophos-xg).
    #[arg(long, value_name = "NAME")]
    pub format: Option<String>,

    /// Name of the examiner, recorded with the case, each import and the report.
    #[arg(long, value_name = "NAME")]
    pub examiner: Option<String>,
}

impl EvidenceOptions {
    /// Returns the library's import options.
    pub fn import_options(&self) -> ImportOptions {
        ImportOptions { zone: self.tz, year: self.year, format: self.format.clone(), examiner: self.examiner.clone() }
    }
}

/// Parses an IANA time zone name.
pub fn parse_zone(text: &str) -> Result<chrono_tz::Tz, String> {
    text.parse::<chrono_tz::Tz>()
        .map_err(|_| format!("unknown time zone '{text}'; give an IANA name such as UTC or Europe/Berlin"))
}

/// Report output formats on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormatArg {
    /// Markdown.
    Md,
    /// PDF.
    Pdf,
    /// The drafted report's structure as JSON.
    Json,
    /// Indicators as CSV.
    Csv,
    /// STIX 2.1 bundle.
    Stix,
    /// VERIS 1.4 incident record.
    Veris,
}

impl From<ReportFormatArg> for ReportFormat {
    fn from(format: ReportFormatArg) -> Self {
        match format {
            ReportFormatArg::Md => ReportFormat::Markdown,
            ReportFormatArg::Pdf => ReportFormat::Pdf,
            ReportFormatArg::Json => ReportFormat::Json,
            ReportFormatArg::Csv => ReportFormat::Csv,
            ReportFormatArg::Stix => ReportFormat::Stix,
            ReportFormatArg::Veris => ReportFormat::Veris,
        }
    }
}

/// Path of a case file and how to open it.
#[derive(Debug, Clone, Args)]
pub struct CasePath {
    /// Case file (`*.scancase`).
    #[arg(value_name = "CASE")]
    pub case: PathBuf,

    /// Open the case read-only: nothing is written to it. Read-only media are detected
    /// without this option.
    #[arg(long)]
    pub read_only: bool,
}

impl CasePath {
    /// Opens the case in the requested mode.
    pub fn open(&self) -> Result<Case, CaseError> {
        let mode = if self.read_only { OpenMode::ReadOnly } else { OpenMode::ReadWrite };
        Case::open_with(&self.case, mode)
    }
}
