//! The `panos-csv` dialect: Palo Alto Networks PAN-OS syslog in its CSV form.
//!
//! A PAN-OS log line is one CSV record, quoted as RFC 4180 says (a field with a comma is in
//! double quotes, and a quote inside it is doubled), optionally behind a syslog header
//! (`<14>Dec 10 00:00:00 pa-fw01 1,2025/12/10 ...`). The record starts with a future-use field
//! (`1`, `0` or empty), the receive time `YYYY/MM/DD HH:MM:SS`, the serial number and the log
//! type. The syslog header before it is not read.
//!
//! Only `TRAFFIC` and `THREAT` records become observations. Other types (`SYSTEM`, `CONFIG`,
//! `GLOBALPROTECT`, `USERID`, ...) are skipped under [`SKIP_PANOS_NOT_TRAFFIC`].
//!
//! Columns are numbered from 0 as in the PAN-OS syslog field descriptions, which give both
//! types the same columns up to 30. Read are 6 generated time, 7 source address, 8 destination
//! address, 11 rule name, 16 and 17 source and destination zone, 24 and 25 source and
//! destination port, 29 IP protocol and 30 action. `TRAFFIC` adds 35 start time, and `THREAT`
//! adds 32 threat ID. Later columns are never read, so an unquoted `{...}` group with commas at
//! the end of a record cannot shift the columns above.
//!
//! Time: the session's start time for `TRAFFIC` (so a denied or short probe keeps its own
//! time, not the time the session ended), otherwise the generated time. PAN-OS writes device
//! local time without a zone, which is read in the import zone. The log has no TCP flags.
//!
//! Actions: `allow` is allow; `deny`, `block-url` and `block-ip` are deny; `drop`, `drop-icmp`
//! (`drop ICMP`) and `drop-all-packets` are drop; `reset-client`, `reset-server` and
//! `reset-both` (also written with a space) are reject; `alert` (a threat logged on a session
//! that was let through) is log. Other words (`sinkhole`, `block-continue`) are kept as vendor
//! words. The observation's rule is the rule name and zones, and for `THREAT` the threat
//! subtype, threat ID and the action word as written.

use std::net::IpAddr;

use chrono::NaiveDateTime;

use super::outcome::{bare_observation, DialectReader, LineOutcome};
use super::syslog_time::LocalTimeResolver;
use super::{LogDialect, TimeContext};
use crate::model::{FirewallAction, IpProtocol, Locator, Observation, TimestampNs};

/// Skip reason for lines that are not PAN-OS CSV records.
pub const SKIP_NOT_PANOS: &str = "not a PAN-OS CSV log record";
/// Skip reason for PAN-OS records of types other than TRAFFIC and THREAT.
pub const SKIP_PANOS_NOT_TRAFFIC: &str = "PAN-OS record other than TRAFFIC or THREAT";
/// Skip reason for TRAFFIC and THREAT records that could not be read. Each is also an anomaly.
pub const SKIP_INVALID_PANOS: &str = "invalid PAN-OS TRAFFIC or THREAT record";

/// Format of PAN-OS times (`2018/11/30 16:09:07`).
const TIME_FORMAT: &str = "%Y/%m/%d %H:%M:%S";
/// Length of a PAN-OS time in bytes.
const TIME_LEN: usize = 19;

/// Column numbers, from 0, of the PAN-OS syslog field descriptions for TRAFFIC and THREAT.
mod column {
    pub const TYPE: usize = 3;
    pub const SUBTYPE: usize = 4;
    pub const GENERATED_TIME: usize = 6;
    pub const SOURCE: usize = 7;
    pub const DESTINATION: usize = 8;
    pub const RULE: usize = 11;
    pub const FROM_ZONE: usize = 16;
    pub const TO_ZONE: usize = 17;
    pub const SOURCE_PORT: usize = 24;
    pub const DESTINATION_PORT: usize = 25;
    pub const PROTOCOL: usize = 29;
    pub const ACTION: usize = 30;
    /// TRAFFIC only.
    pub const START_TIME: usize = 35;
    /// THREAT only.
    pub const THREAT_ID: usize = 32;
}

/// Returns true when `text` starts with a PAN-OS time shape `DDDD/DD/DD DD:DD:DD`. The values
/// are checked when the record is read, so a damaged time still marks the line as PAN-OS.
fn starts_with_time_shape(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() >= TIME_LEN
        && bytes[..TIME_LEN].iter().enumerate().all(|(index, byte)| match index {
            4 | 7 => *byte == b'/',
            10 => *byte == b' ',
            13 | 16 => *byte == b':',
            _ => byte.is_ascii_digit(),
        })
}

/// Returns the CSV record of `line` and its log type when `line` looks like a PAN-OS record:
/// a future-use field without spaces, a comma, a receive time, a comma, the serial number and
/// an upper-case log type.
fn panos_record(line: &str) -> Option<(&str, &str)> {
    let mut search_from = 0;
    while let Some(found) = line[search_from..].find(',') {
        let comma = search_from + found;
        let after = &line[comma + 1..];
        if starts_with_time_shape(after) && after.as_bytes().get(TIME_LEN) == Some(&b',') {
            let start = line[..comma].rfind([' ', '>']).map_or(0, |index| index + 1);
            let record = &line[start..];
            let mut fields = record.splitn(5, ',');
            let log_type = fields.nth(column::TYPE)?;
            let is_type =
                !log_type.is_empty() && log_type.bytes().all(|b| b.is_ascii_uppercase() || b == b'-' || b == b'_');
            return is_type.then_some((record, log_type));
        }
        search_from = comma + 1;
    }
    None
}

/// Returns true when `line` looks like a PAN-OS CSV record.
pub(super) fn is_panos_line(line: &str) -> bool {
    panos_record(line).is_some()
}

/// Returns the action for a PAN-OS action word.
pub(super) fn action(word: &str) -> FirewallAction {
    match word {
        "allow" => FirewallAction::Allow,
        "deny" | "block-url" | "block-ip" => FirewallAction::Deny,
        "drop" | "drop-icmp" | "drop ICMP" | "drop-all-packets" => FirewallAction::Drop,
        "reset-client" | "reset-server" | "reset-both" | "reset client" | "reset server" | "reset both" => {
            FirewallAction::Reject
        }
        "alert" => FirewallAction::Log,
        other => FirewallAction::Other(other.to_string()),
    }
}

/// Returns the IP protocol for a PAN-OS protocol name or number.
fn protocol(name: &str) -> Result<IpProtocol, String> {
    IpProtocol::from_keyword(name).ok_or_else(|| format!("unknown IP protocol {name:?} in column {}", column::PROTOCOL))
}

/// Reader of the `panos-csv` dialect.
pub(super) struct PanosReader {
    resolver: LocalTimeResolver,
}

impl PanosReader {
    /// Creates a reader for one file.
    pub(super) fn new(time: &TimeContext) -> Self {
        Self { resolver: LocalTimeResolver::new(time) }
    }

    /// Converts a PAN-OS local time to UTC in the import zone.
    fn utc_time(&mut self, text: &str, column: usize) -> Result<(TimestampNs, Option<String>), String> {
        let local = NaiveDateTime::parse_from_str(text, TIME_FORMAT)
            .map_err(|_| format!("invalid time {text:?} in column {column}"))?;
        let resolved = self.resolver.resolve_local(local)?;
        Ok((resolved.ts_ns, resolved.note))
    }
}

impl DialectReader for PanosReader {
    fn dialect(&self) -> LogDialect {
        LogDialect::PanosCsv
    }

    fn read_line(&mut self, line: &str, locator: Locator) -> LineOutcome {
        let Some((record, log_type)) = panos_record(line) else {
            return LineOutcome::Skipped(SKIP_NOT_PANOS);
        };
        if !matches!(log_type, "TRAFFIC" | "THREAT") {
            return LineOutcome::Skipped(SKIP_PANOS_NOT_TRAFFIC);
        }
        let fields = match split_record(record) {
            Ok(fields) => fields,
            Err(message) => return LineOutcome::Invalid(message),
        };
        let mut observation = match connection(&fields, log_type, locator) {
            Ok(observation) => observation,
            Err(message) => return LineOutcome::Invalid(format!("PAN-OS {log_type} record: {message}")),
        };
        let start_time =
            fields.get(column::START_TIME).filter(|_| log_type == "TRAFFIC").filter(|text| !text.is_empty());
        let time = match start_time {
            Some(text) => self.utc_time(text, column::START_TIME),
            None => self.utc_time(&fields[column::GENERATED_TIME], column::GENERATED_TIME),
        };
        match time {
            Ok((ts_ns, note)) => {
                observation.ts_ns = ts_ns;
                LineOutcome::Observation { observation: Box::new(observation), warnings: note.into_iter().collect() }
            }
            Err(message) => LineOutcome::Invalid(format!("PAN-OS {log_type} record: {message}")),
        }
    }

    fn invalid_reason(&self) -> &'static str {
        SKIP_INVALID_PANOS
    }

    fn time_assumption(&self) -> Option<String> {
        self.resolver.assumption()
    }
}

/// Splits one CSV record with the `csv` crate, which handles RFC 4180 quoting.
fn split_record(record: &str) -> Result<Vec<String>, String> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(record.as_bytes());
    let mut row = csv::StringRecord::new();
    match reader.read_record(&mut row) {
        Ok(true) => Ok(row.iter().map(str::to_string).collect()),
        Ok(false) => Err("empty PAN-OS CSV record".to_string()),
        Err(error) => Err(format!("invalid PAN-OS CSV record: {error}")),
    }
}

/// Reads the connection columns into an observation whose time is still zero.
fn connection(fields: &[String], log_type: &str, locator: Locator) -> Result<Observation, String> {
    if fields.len() <= column::ACTION {
        return Err(format!("{} columns, fewer than the {} needed", fields.len(), column::ACTION + 1));
    }
    let address = |index: usize, name: &str| -> Result<IpAddr, String> {
        let value = &fields[index];
        value.parse().map_err(|_| format!("{name} {value:?} in column {index} is not an IP address"))
    };
    let src = address(column::SOURCE, "source address")?;
    let dst = address(column::DESTINATION, "destination address")?;
    let protocol = protocol(&fields[column::PROTOCOL])?;

    let mut observation = bare_observation(0, src, dst, protocol, locator);
    if protocol.has_ports() {
        observation.src_port = port(fields, column::SOURCE_PORT)?;
        observation.dst_port = port(fields, column::DESTINATION_PORT)?;
    }
    let action_word = fields[column::ACTION].as_str();
    observation.action = (!action_word.is_empty()).then(|| action(action_word));

    let mut rule = fields[column::RULE].clone();
    let (from_zone, to_zone) = (&fields[column::FROM_ZONE], &fields[column::TO_ZONE]);
    if !from_zone.is_empty() || !to_zone.is_empty() {
        rule.push_str(&format!(" {from_zone} -> {to_zone}"));
    }
    if log_type == "THREAT" {
        let threat_id = fields.get(column::THREAT_ID).map_or("", String::as_str);
        rule.push_str(&format!("; THREAT {} {threat_id} {action_word}", fields[column::SUBTYPE]));
    }
    let rule = rule.trim();
    observation.rule = (!rule.is_empty()).then(|| rule.to_string());
    Ok(observation)
}

fn port(fields: &[String], index: usize) -> Result<Option<u16>, String> {
    match fields[index].as_str() {
        "" => Ok(None),
        value => value.parse().map(Some).map_err(|_| format!("invalid port {value:?} in column {index}")),
    }
}
