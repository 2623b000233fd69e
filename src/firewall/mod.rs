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
//! # Netfilter (`netfilter-syslog`)
//!
//! Linux netfilter LOG lines: iptables and ip6tables `LOG`, nftables `log` and ufw, as written
//! by a syslog daemon with an RFC 3164 or RFC 3339 time. The LOG prefix becomes the observation's
//! `rule`, and its words (split at anything but letters and digits, any case) give the action, a
//! variant of [`FirewallAction`](crate::model::FirewallAction):
//!
//! | prefix word | action | examples |
//! |---|---|---|
//! | `REJECT`, `REJECTED` | `Reject` | `FW-REJECT` |
//! | `DROP`, `DROPPED` | `Drop` | `IPT-DROP`, `INPUT_DROP` |
//! | `BLOCK`, `BLOCKED`, `DENY`, `DENIED` | `Deny` | `[UFW BLOCK]`, `[UFW LIMIT BLOCK]` |
//! | `ALLOW`, `ALLOWED`, `ACCEPT`, `ACCEPTED` | `Allow` | `[UFW ALLOW]` |
//! | `AUDIT`, any other word, no prefix | `Log` | `[UFW AUDIT]`, `IPT-IN` |
//!
//! When a prefix contains words of several rows, the highest row wins. ufw's BLOCK is read as
//! deny because ufw's own term does not say whether a reply was sent.

mod lines;
mod netfilter;
mod netfilter_body;
mod syslog_header;
mod syslog_time;
#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::io::BufRead;

use chrono::{DateTime, Datelike, Utc};

use crate::model::{ImportSummary, Locator, ObservationSink, SinkError};

pub use lines::MAX_LINE_BYTES;
pub use syslog_time::{MAX_OUT_OF_ORDER_SECONDS, REFERENCE_SLACK_SECONDS};

/// Skip reason for empty lines and lines of only white space.
pub const SKIP_BLANK: &str = "blank line";
/// Skip reason for lines without the `IN=... OUT=` fields of a netfilter LOG message.
pub const SKIP_NOT_NETFILTER: &str = "not a netfilter LOG line";
/// Skip reason for netfilter LOG lines that could not be read. Each is also an anomaly.
pub const SKIP_INVALID_NETFILTER: &str = "invalid netfilter line";
/// Skip reason for netfilter LOG lines without an IP header, such as logged ARP packets.
pub const SKIP_NO_IP_PACKET: &str = "netfilter line without an IP packet";
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

/// A firewall log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LogDialect {
    /// Linux netfilter LOG lines (iptables, nftables `log`, ufw) in a syslog file.
    Netfilter,
}

impl LogDialect {
    /// Returns the format name stored in [`ImportSummary::format`].
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Netfilter => "netfilter-syslog",
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
/// when at least one line is a netfilter LOG line with a readable syslog time.
pub fn detect_dialect(head: &[u8]) -> Option<LogDialect> {
    let has_netfilter_line = head
        .split(|&byte| byte == b'\n')
        .any(|line| netfilter::is_netfilter_line(String::from_utf8_lossy(line).trim_end_matches('\r')));
    has_netfilter_line.then_some(LogDialect::Netfilter)
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
    let reference_year = match time.reference {
        ReferenceYear::Explicit(year) => year,
        ReferenceYear::FileModified(modified) => modified.year(),
    };
    if !(MIN_YEAR..=MAX_YEAR).contains(&reference_year) {
        return Err(FirewallError::ReferenceYearOutOfRange { year: reference_year });
    }
    match dialect {
        LogDialect::Netfilter => read_netfilter(reader, time, sink),
    }
}

fn read_netfilter<R: BufRead>(
    reader: R,
    time: &TimeContext,
    sink: &mut dyn ObservationSink,
) -> Result<ImportSummary, FirewallError> {
    let mut summary = ImportSummary::new(LogDialect::Netfilter.as_str());
    let mut resolver = syslog_time::LocalTimeResolver::new(time);
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
        let text = String::from_utf8_lossy(line.bytes);
        if let Cow::Owned(_) = text {
            summary.add_anomaly(locator, "line contains invalid UTF-8; the invalid bytes were read as U+FFFD");
        }

        match netfilter::read_line(&text, locator, &mut resolver) {
            netfilter::LineOutcome::Observation { observation, warnings } => {
                for warning in warnings {
                    summary.add_anomaly(locator, warning);
                }
                let ts_ns = observation.ts_ns;
                sink.push(*observation).map_err(|source| FirewallError::Sink { line: locator.record, source })?;
                summary.count_observation(ts_ns);
            }
            netfilter::LineOutcome::Skipped(reason) => summary.count_skipped(reason),
            netfilter::LineOutcome::Invalid(message) => {
                summary.add_anomaly(locator, message);
                summary.count_skipped(SKIP_INVALID_NETFILTER);
            }
        }
    }
    summary.time_assumption = resolver.assumption();
    log::debug!(
        "read {} netfilter log lines: {} observations, {} skipped, {} anomalies",
        summary.records,
        summary.observations,
        summary.skipped_total(),
        summary.anomalies_total
    );
    Ok(summary)
}
