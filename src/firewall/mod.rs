//! Firewall log importers: text logs of packet filters read into observations.
//!
//! This module owns the log *dialects*, one file each, and what they share: line reading in
//! bounded memory (`lines.rs`), syslog headers (`syslog_header.rs`) and year inference for
//! year-less times (`syslog_time.rs`). It does not detect captures, hash files or store
//! anything: the import pipeline calls [`detect_dialect`] on the head of a file and then
//! [`read_log`], which streams each observation into an [`ObservationSink`] and returns an
//! [`ImportSummary`].
//!
//! Terms: a *dialect* is one log line format ([`LogDialect`]), and a *record* is one line. A line
//! that yields no observation is *skipped* and counted under a named reason (the `SKIP_*`
//! constants). A line of the dialect that cannot be read is also an *anomaly* with its line
//! number. Nothing is dropped without being counted.
//!
//! Each dialect's fields, time spelling and action mapping are described in its file and in
//! `docs/log-formats.md`. [`LogDialect::as_str`] gives the stable name that `--format` takes.

mod checkpoint;
mod cisco_asa;
mod cisco_asa_message;
mod detect;
mod filterlog;
mod fortigate;
#[doc(hidden)]
pub mod fuzzing;
mod juniper_srx;
mod juniper_srx_text;
mod juniper_srx_text_screen;
mod key_value;
mod lines;
mod mikrotik;
mod netfilter;
mod netfilter_body;
mod netfilter_journal;
mod outcome;
mod panos;
mod panos_leef;
mod pf_tcpdump;
mod pfirewall;
mod proxmox;
mod sensor_time;
mod sonicwall;
mod sophos;
mod suricata_eve;
mod syslog_header;
mod syslog_rfc5424;
mod syslog_time;
#[cfg(test)]
mod tests;
mod zeek_conn;

use std::borrow::Cow;
use std::io::BufRead;

use chrono::{DateTime, Datelike, Utc};

use crate::model::{ImportSummary, Locator, ObservationSink, SinkError};
use outcome::{DialectReader, LineOutcome};

pub use checkpoint::{SKIP_CHECKPOINT_NOT_TRAFFIC, SKIP_INVALID_CHECKPOINT, SKIP_NOT_CHECKPOINT};
pub use cisco_asa::{
    SKIP_ASA_NAMED_ENDPOINT, SKIP_ASA_NOT_TRAFFIC, SKIP_ASA_TEARDOWN, SKIP_ASA_THREAT_RATE, SKIP_INVALID_ASA,
    SKIP_NOT_ASA,
};
pub use filterlog::{SKIP_INVALID_FILTERLOG, SKIP_NOT_FILTERLOG};
pub use fortigate::{SKIP_FORTIGATE_EVENT, SKIP_FORTIGATE_PROFILE, SKIP_INVALID_FORTIGATE, SKIP_NOT_FORTIGATE};
pub use juniper_srx::{SKIP_INVALID_SRX, SKIP_NOT_SRX, SKIP_SRX_APPTRACK, SKIP_SRX_NOT_TRAFFIC};
pub use juniper_srx_text::{SKIP_INVALID_SRX_TEXT, SKIP_NOT_SRX_TEXT, SKIP_SRX_TEXT_NOT_SESSION};
pub use lines::MAX_LINE_BYTES;
pub use mikrotik::{SKIP_INVALID_MIKROTIK, SKIP_NOT_MIKROTIK};
pub use netfilter_journal::SKIP_INVALID_JOURNAL;
pub use panos::{SKIP_INVALID_PANOS, SKIP_NOT_PANOS, SKIP_PANOS_NOT_TRAFFIC};
pub use panos_leef::{SKIP_INVALID_LEEF, SKIP_LEEF_NOT_TRAFFIC, SKIP_NOT_LEEF};
pub use pf_tcpdump::{SKIP_INVALID_PF, SKIP_NOT_PF};
pub use pfirewall::{SKIP_EVENTS_LOST, SKIP_INVALID_PFIREWALL, SKIP_NOT_PFIREWALL};
pub use proxmox::{SKIP_INVALID_PROXMOX, SKIP_NOT_PROXMOX};
pub use sonicwall::{SKIP_INVALID_SONICWALL, SKIP_NOT_SONICWALL, SKIP_SONICWALL_NOT_TRAFFIC};
pub use sophos::{SKIP_INVALID_SOPHOS, SKIP_NOT_SOPHOS, SKIP_SOPHOS_NOT_FIREWALL};
pub use suricata_eve::{SKIP_EVE_OTHER_EVENT, SKIP_INVALID_EVE, SKIP_NOT_EVE};
pub use syslog_time::{MAX_OUT_OF_ORDER_SECONDS, REFERENCE_SLACK_SECONDS};
pub use zeek_conn::{SKIP_INVALID_ZEEK_CONN, SKIP_NOT_ZEEK_CONN};

/// Skip reason for empty lines and lines of only white space.
pub const SKIP_BLANK: &str = "blank line";
/// Skip reason for lines without the `IN=... OUT=` fields of a netfilter LOG message.
pub const SKIP_NOT_NETFILTER: &str = "not a netfilter LOG line";
/// Skip reason for netfilter LOG lines that could not be read. Each is also an anomaly.
pub const SKIP_INVALID_NETFILTER: &str = "invalid netfilter line";
/// Skip reason for netfilter LOG lines without an IP header, such as logged ARP packets.
pub const SKIP_NO_IP_PACKET: &str = "netfilter line without an IP packet";
/// Skip reason for lines that start with `#` in dialects whose comments and headers do.
pub const SKIP_HEADER: &str = "header or comment line";
/// Skip reason for lines longer than [`MAX_LINE_BYTES`]. Each is also an anomaly.
pub const SKIP_TOO_LONG: &str = "line too long";

/// Earliest year a log time may have: stored times are `i64` nanoseconds since 1970, which
/// start on 1677-09-21.
pub const MIN_YEAR: i32 = 1678;
/// Latest year a log time may have: `i64` nanoseconds since 1970 end on 2262-04-11.
pub const MAX_YEAR: i32 = 2261;

/// Zone and year source for reading year-less and zone-less timestamps. The CLI builds it from
/// `--tz` and `--year` or the file's modification time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeContext {
    /// Zone of the local times in RFC 3164 lines.
    pub zone: chrono_tz::Tz,
    /// Source of the year of the first year-less line.
    pub reference: ReferenceYear,
}

/// Source of the year for the first year-less line of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReferenceYear {
    /// The first line is in this year.
    Explicit(i32),
    /// The first line gets the latest year that puts it no later than this time (the file's
    /// modification time) plus [`REFERENCE_SLACK_SECONDS`].
    FileModified(DateTime<Utc>),
}

/// A firewall or sensor log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LogDialect {
    /// Linux netfilter LOG lines (iptables, nftables `log`, ufw, firewalld, Shorewall, UniFi) in
    /// a syslog file or `journalctl` text output.
    Netfilter,
    /// Linux netfilter LOG messages in `journalctl -o json` output.
    NetfilterJournalJson,
    /// Proxmox VE firewall log lines (`pve-firewall.log`).
    ProxmoxFirewall,
    /// pfSense and OPNsense `filterlog` CSV lines in BSD or RFC 5424 syslog.
    PfsenseFilterlog,
    /// Windows Defender Firewall `pfirewall.log` (W3C extended log format).
    WindowsFirewall,
    /// Cisco ASA, PIX and Firepower Threat Defense syslog messages (`%ASA-4-106023: ...`).
    CiscoAsa,
    /// Zeek `conn.log`, tab-separated with its `#fields` header or JSON lines.
    ZeekConn,
    /// Suricata `eve.json` alert, drop and flow events.
    SuricataEve,
    /// OpenBSD and FreeBSD pf log packets as printed by `tcpdump -n -e -ttt -r pflog`.
    PfTcpdump,
    /// Fortinet FortiGate (FortiOS) `key=value` traffic, IPS and anomaly logs.
    Fortigate,
    /// Palo Alto Networks PAN-OS CSV syslog, TRAFFIC and THREAT records.
    PanosCsv,
    /// Palo Alto Networks PAN-OS LEEF syslog, TRAFFIC and THREAT records.
    PanosLeef,
    /// Juniper SRX structured syslog: `RT_FLOW` session and `RT_IDS` screen messages.
    JuniperSrx,
    /// Juniper SRX non-structured syslog: `RT_FLOW_SESSION_CREATE: session created ...` and
    /// `RT_SCREEN_TCP: Port scan! source: ...`.
    JuniperSrxText,
    /// Check Point Log Exporter records: syslog structured data, pipe-separated or JSON.
    Checkpoint,
    /// SonicWall (SonicOS) `key=value` syslog messages.
    Sonicwall,
    /// MikroTik RouterOS firewall log lines (`firewall,info` topics).
    Mikrotik,
    /// Sophos XG and SFOS firewall `key=value` syslog messages.
    SophosXg,
}

impl LogDialect {
    /// Every dialect, in the order detection prefers them when two match equally often.
    pub const ALL: [LogDialect; 18] = [
        LogDialect::Netfilter,
        LogDialect::NetfilterJournalJson,
        LogDialect::ProxmoxFirewall,
        LogDialect::PfsenseFilterlog,
        LogDialect::WindowsFirewall,
        LogDialect::CiscoAsa,
        LogDialect::ZeekConn,
        LogDialect::SuricataEve,
        LogDialect::PfTcpdump,
        LogDialect::Fortigate,
        LogDialect::PanosCsv,
        LogDialect::PanosLeef,
        LogDialect::JuniperSrx,
        LogDialect::JuniperSrxText,
        LogDialect::Checkpoint,
        LogDialect::Sonicwall,
        LogDialect::Mikrotik,
        LogDialect::SophosXg,
    ];

    /// Returns the format name stored in [`ImportSummary::format`] and taken by `--format`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Netfilter => "netfilter-syslog",
            Self::NetfilterJournalJson => "netfilter-journal-json",
            Self::ProxmoxFirewall => "proxmox-firewall",
            Self::PfsenseFilterlog => "pfsense-filterlog",
            Self::WindowsFirewall => "windows-pfirewall",
            Self::CiscoAsa => "cisco-asa",
            Self::ZeekConn => "zeek-conn",
            Self::SuricataEve => "suricata-eve",
            Self::PfTcpdump => "pf-tcpdump",
            Self::Fortigate => "fortigate",
            Self::PanosCsv => "panos-csv",
            Self::PanosLeef => "panos-leef",
            Self::JuniperSrx => "juniper-srx",
            Self::JuniperSrxText => "juniper-srx-text",
            Self::Checkpoint => "checkpoint",
            Self::Sonicwall => "sonicwall",
            Self::Mikrotik => "mikrotik",
            Self::SophosXg => "sophos-xg",
        }
    }
}

/// An error that stops a firewall log import. The caller adds the file path.
#[derive(Debug, thiserror::Error)]
pub enum FirewallError {
    /// Reading the file failed.
    #[error("failed to read line {line} of the log")]
    Io {
        /// 1-based number of the line being read.
        line: u64,
        /// The reader's error.
        #[source]
        source: std::io::Error,
    },
    /// The sink did not accept an observation.
    #[error("failed to store the observation from line {line}")]
    Sink {
        /// 1-based number of the line the observation came from.
        line: u64,
        /// The sink's error.
        #[source]
        source: SinkError,
    },
    /// The reference year cannot be stored as nanoseconds since 1970.
    #[error(
        "reference year {year} is outside the supported range {MIN_YEAR} to {MAX_YEAR}; give a year in that range"
    )]
    ReferenceYearOutOfRange {
        /// The year given or taken from the file's modification time.
        year: i32,
    },
}

/// Looks at the first lines of a file (the caller passes up to 64 KiB) and returns the dialect
/// that the most lines belong to, or `None` when no line belongs to any dialect.
pub fn detect_dialect(head: &[u8]) -> Option<LogDialect> {
    detect::detect(head)
}

/// Reads a firewall log line by line and pushes one observation per packet line into `sink`.
///
/// Memory does not grow with the file: one line of at most [`MAX_LINE_BYTES`] is held at a
/// time. Lines that are not packets are counted in [`ImportSummary::skipped`]. Unreadable lines
/// of the dialect and invalid UTF-8 become anomalies, and the import goes on. Returns an error
/// only when reading fails, the sink fails, or the reference year is out of range.
pub fn read_log<R: BufRead>(
    reader: R,
    dialect: LogDialect,
    time: &TimeContext,
    sink: &mut dyn ObservationSink,
) -> Result<ImportSummary, FirewallError> {
    check_reference_year(time)?;
    let mut dialect_reader = new_reader(dialect, time);
    read_lines(reader, dialect_reader.as_mut(), sink)
}

/// Rejects a reference year outside [`MIN_YEAR`] to [`MAX_YEAR`].
fn check_reference_year(time: &TimeContext) -> Result<(), FirewallError> {
    let reference_year = match time.reference {
        ReferenceYear::Explicit(year) => year,
        ReferenceYear::FileModified(modified) => modified.year(),
    };
    if !(MIN_YEAR..=MAX_YEAR).contains(&reference_year) {
        return Err(FirewallError::ReferenceYearOutOfRange { year: reference_year });
    }
    Ok(())
}

/// Creates the reader of one dialect.
fn new_reader(dialect: LogDialect, time: &TimeContext) -> Box<dyn DialectReader> {
    match dialect {
        LogDialect::Netfilter => Box::new(netfilter::NetfilterReader::new(time)),
        LogDialect::NetfilterJournalJson => Box::new(netfilter_journal::JournalReader),
        LogDialect::ProxmoxFirewall => Box::new(proxmox::ProxmoxReader),
        LogDialect::PfsenseFilterlog => Box::new(filterlog::FilterlogReader::new(time)),
        LogDialect::WindowsFirewall => Box::new(pfirewall::PfirewallReader::new(time)),
        LogDialect::CiscoAsa => Box::new(cisco_asa::CiscoAsaReader::new(time)),
        LogDialect::ZeekConn => Box::new(zeek_conn::ZeekConnReader::new()),
        LogDialect::SuricataEve => Box::new(suricata_eve::SuricataEveReader::new(time)),
        LogDialect::PfTcpdump => Box::new(pf_tcpdump::PfTcpdumpReader::new(time)),
        LogDialect::Fortigate => Box::new(fortigate::FortigateReader::new(time)),
        LogDialect::PanosCsv => Box::new(panos::PanosReader::new(time)),
        LogDialect::PanosLeef => Box::new(panos_leef::PanosLeefReader::new(time)),
        LogDialect::JuniperSrx => Box::new(juniper_srx::JuniperSrxReader::new(time)),
        LogDialect::JuniperSrxText => Box::new(juniper_srx_text::JuniperSrxTextReader::new(time)),
        LogDialect::Checkpoint => Box::new(checkpoint::CheckpointReader::new(time)),
        LogDialect::Sonicwall => Box::new(sonicwall::SonicwallReader::new(time)),
        LogDialect::Mikrotik => Box::new(mikrotik::MikrotikReader::new(time)),
        LogDialect::SophosXg => Box::new(sophos::SophosReader::new(time)),
    }
}

/// Feeds every line to `dialect_reader`, counts the outcomes and pushes the observations.
fn read_lines<R: BufRead>(
    reader: R,
    dialect_reader: &mut dyn DialectReader,
    sink: &mut dyn ObservationSink,
) -> Result<ImportSummary, FirewallError> {
    let dialect = dialect_reader.dialect();
    let mut summary = ImportSummary::new(dialect.as_str());
    let mut lines = lines::LineReader::new(reader);
    loop {
        let line = match lines.next_line() {
            Ok(Some(line)) => line,
            Ok(None) => break,
            Err(error) => return Err(FirewallError::Io { line: error.line, source: error.source }),
        };
        summary.records += 1;
        let locator = Locator { record: line.number, byte_offset: line.byte_offset };
        if line.is_truncated {
            let message =
                format!("line is {} bytes long, more than the {MAX_LINE_BYTES}-byte limit; skipped", line.length);
            summary.add_anomaly(locator, message);
            summary.count_skipped(SKIP_TOO_LONG);
            continue;
        }
        // Strict validation first: it is faster than the lossy decoder on valid text, which
        // nearly every line is. simdutf8 checks 16 or 32 bytes per step where the processor
        // allows it, with the same result as the standard library's check.
        let text = match simdutf8::basic::from_utf8(line.bytes) {
            Ok(text) => Cow::Borrowed(text),
            Err(_) => String::from_utf8_lossy(line.bytes),
        };
        if let Cow::Owned(_) = text {
            summary.add_anomaly(locator, "line contains invalid UTF-8; the invalid bytes were read as U+FFFD");
        }
        if lines::is_blank(&text) {
            summary.count_skipped(SKIP_BLANK);
            continue;
        }

        match dialect_reader.read_line(&text, locator) {
            LineOutcome::Observation { mut observation, warnings } => {
                for warning in warnings {
                    summary.add_anomaly(locator, warning);
                }
                observation.source_text = Some(outcome::source_text(&text));
                let ts_ns = observation.ts_ns;
                sink.push(*observation).map_err(|source| FirewallError::Sink { line: locator.record, source })?;
                summary.count_observation(ts_ns);
            }
            LineOutcome::Skipped(reason) => summary.count_skipped(reason),
            LineOutcome::SkippedWithAnomaly { reason, message } => {
                summary.add_anomaly(locator, message);
                summary.count_skipped(reason);
            }
            LineOutcome::Invalid(message) => {
                summary.add_anomaly(locator, message);
                summary.count_skipped(dialect_reader.invalid_reason());
            }
        }
    }
    summary.time_assumption = dialect_reader.time_assumption();
    log::debug!(
        "read {} {} log lines: {} observations, {} skipped, {} anomalies",
        summary.records,
        dialect.as_str(),
        summary.observations,
        summary.skipped_total(),
        summary.anomalies_total
    );
    Ok(summary)
}
