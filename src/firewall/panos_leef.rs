//! The `panos-leef` dialect: Palo Alto Networks PAN-OS syslog in IBM's Log Event Extended
//! Format (LEEF), as PAN-OS writes it for QRadar, alone or behind a syslog header:
//!
//! `Mar  9 12:50:56 PANFW01 LEEF:2.0|Palo Alto Networks|PAN-OS Syslog Integration|11.1.6-h3|allow|x7C|cat=TRAFFIC|devTime=Mar 09 2026 08:50:55 GMT|src=172.16.176.65|...`
//!
//! The LEEF header is `LEEF:VERSION|VENDOR|PRODUCT|PRODUCT-VERSION|EVENT-ID|`, and LEEF 2.0
//! adds a delimiter field: one character, or its code in hex as `x7C` or `0x7C`. The
//! attributes after the header are `key=value` pairs separated by that delimiter (a tab in
//! LEEF 1.0). A value runs up to the next delimiter, so it may hold spaces and `=`.
//!
//! Only `cat=TRAFFIC` and `cat=THREAT` records become observations; other categories
//! (`SYSTEM`, `USERID`, `HIPMATCH`, `IPTAG`, ...) are skipped under
//! [`SKIP_LEEF_NOT_TRAFFIC`]. Attributes read: `src`, `dst`, `srcPort` and `dstPort` (TCP,
//! UDP and SCTP), `proto`, `action` (a `TRAFFIC` record has none, and its event ID is the
//! action), `RuleName`, `SourceZone`, `DestinationZone`, `Subtype` and `ThreatID`. The action
//! words are mapped as in `panos-csv`.
//!
//! Time: a `TRAFFIC` record's `start`, else `devTime`, both written `Mar 09 2026 08:50:55
//! GMT`, in UTC when they end in `GMT` or `UTC` and else local time in the import zone.
//! Without either, the syslog header's time. The log has no TCP flags.

use std::collections::HashMap;
use std::net::IpAddr;

use chrono::NaiveDateTime;

use super::outcome::{bare_observation, DialectReader, LineOutcome};
use super::panos::action;
use super::syslog_header::parse_header;
use super::syslog_time::{LocalTimeResolver, ResolvedTime};
use super::{LogDialect, TimeContext};
use crate::model::{IpProtocol, Locator, Observation};

/// Skip reason for lines without a PAN-OS LEEF record.
pub const SKIP_NOT_LEEF: &str = "not a PAN-OS LEEF record";
/// Skip reason for LEEF records other than TRAFFIC and THREAT.
pub const SKIP_LEEF_NOT_TRAFFIC: &str = "PAN-OS LEEF record other than TRAFFIC or THREAT";
/// Skip reason for TRAFFIC and THREAT records that could not be read. Each is also an anomaly.
pub const SKIP_INVALID_LEEF: &str = "invalid PAN-OS LEEF TRAFFIC or THREAT record";

/// Start of a LEEF record.
const LEEF_START: &str = "LEEF:";

/// Vendor field of PAN-OS records.
const VENDOR: &str = "Palo Alto Networks";

/// The header fields and attributes of one record.
struct Record<'a> {
    event_id: &'a str,
    attributes: HashMap<&'a str, &'a str>,
}

/// Reads the delimiter field of LEEF 2.0: one character, or `xHH` or `0xHH`.
fn delimiter(field: &str) -> Result<char, String> {
    let hex = field.strip_prefix("0x").or_else(|| field.strip_prefix('x'));
    match hex {
        Some(hex) if !hex.is_empty() => {
            u8::from_str_radix(hex, 16).map(char::from).map_err(|_| format!("invalid LEEF delimiter {field:?}"))
        }
        _ => {
            let mut chars = field.chars();
            match (chars.next(), chars.next()) {
                (Some(only), None) => Ok(only),
                _ => Err(format!("invalid LEEF delimiter {field:?}")),
            }
        }
    }
}

/// Finds a PAN-OS LEEF record in `line` and returns the text from `LEEF:` on.
fn find_record(line: &str) -> Option<&str> {
    let start = line.find(LEEF_START)?;
    let record = &line[start..];
    let vendor = record.split('|').nth(1)?;
    (vendor == VENDOR).then_some(record)
}

/// Returns true when `line` carries a PAN-OS LEEF record.
pub(super) fn is_leef_line(line: &str) -> bool {
    find_record(line).is_some()
}

/// Splits a record into its event ID and attributes.
fn parse_record(record: &str) -> Result<Record<'_>, String> {
    let version = record[LEEF_START.len()..].split('|').next().unwrap_or("");
    let header_fields = if version.starts_with('1') { 5 } else { 6 };
    let mut parts = record.splitn(header_fields + 1, '|');
    let fields: Vec<&str> = parts.by_ref().take(header_fields).collect();
    if fields.len() < header_fields {
        return Err(format!("LEEF header has {} of {header_fields} fields", fields.len()));
    }
    let separator = if header_fields == 6 { delimiter(fields[5])? } else { '\t' };
    let body = parts.next().unwrap_or("");
    let mut attributes = HashMap::new();
    for pair in body.split(separator).filter(|pair| !pair.is_empty()) {
        let (key, value) = pair.split_once('=').ok_or_else(|| format!("attribute {pair:?} has no ="))?;
        attributes.entry(key).or_insert(value);
    }
    Ok(Record { event_id: fields[4], attributes })
}

/// Reader of the `panos-leef` dialect.
pub(super) struct PanosLeefReader {
    resolver: LocalTimeResolver,
}

impl PanosLeefReader {
    /// Creates a reader for one file.
    pub(super) fn new(time: &TimeContext) -> Self {
        Self { resolver: LocalTimeResolver::new(time) }
    }

    /// Reads `Mar 09 2026 08:50:55 GMT`, as the module doc describes.
    fn leef_time(&mut self, text: &str) -> Result<ResolvedTime, String> {
        let (local_text, is_utc) = match text.strip_suffix(" GMT").or_else(|| text.strip_suffix(" UTC")) {
            Some(stripped) => (stripped, true),
            None => (text, false),
        };
        let local = NaiveDateTime::parse_from_str(local_text, "%b %d %Y %H:%M:%S")
            .map_err(|_| format!("invalid time {text:?}"))?;
        if is_utc {
            let ts_ns =
                local.and_utc().timestamp_nanos_opt().ok_or_else(|| format!("time {text:?} is out of range"))?;
            return Ok(ResolvedTime { ts_ns, note: None });
        }
        self.resolver.resolve_local(local)
    }

    fn record_time(&mut self, line: &str, record: &Record<'_>, is_traffic: bool) -> Result<ResolvedTime, String> {
        let start = if is_traffic { record.attributes.get("start") } else { None };
        if let Some(text) = start.or_else(|| record.attributes.get("devTime")).filter(|text| !text.is_empty()) {
            return self.leef_time(text);
        }
        let header = parse_header(line)?;
        self.resolver.resolve_header(header.time)
    }
}

/// Builds the observation of a TRAFFIC or THREAT record, with time zero.
fn observation(record: &Record<'_>, category: &str, locator: Locator) -> Result<Observation, String> {
    let attribute = |key: &str| record.attributes.get(key).copied().filter(|value| !value.is_empty());
    let address = |key: &str| -> Result<IpAddr, String> {
        let value = attribute(key).ok_or_else(|| format!("missing {key}"))?;
        value.parse().map_err(|_| format!("{key} {value:?} is not an IP address"))
    };
    let src = address("src")?;
    let dst = address("dst")?;

    let name = attribute("proto").ok_or("missing proto")?;
    let protocol = IpProtocol::from_keyword(name).ok_or_else(|| format!("unknown IP protocol {name:?}"))?;
    let mut observation = bare_observation(0, src, dst, protocol, locator);
    if protocol.has_ports() {
        let port = |key: &str| -> Result<Option<u16>, String> {
            attribute(key).map(|value| value.parse().map_err(|_| format!("invalid {key} {value:?}"))).transpose()
        };
        observation.src_port = port("srcPort")?;
        observation.dst_port = port("dstPort")?;
    }

    let word = attribute("action").unwrap_or(record.event_id);
    observation.action = Some(action(word));
    let mut rule = attribute("RuleName").unwrap_or("-").to_string();
    if let (Some(from), Some(to)) = (attribute("SourceZone"), attribute("DestinationZone")) {
        rule.push_str(&format!(" {from} -> {to}"));
    }
    if category == "THREAT" {
        let subtype = attribute("Subtype").unwrap_or("-");
        let threat = attribute("ThreatID").unwrap_or(record.event_id);
        rule.push_str(&format!("; THREAT {subtype} {threat} {word}"));
    }
    observation.rule = Some(rule);
    Ok(observation)
}

impl DialectReader for PanosLeefReader {
    fn dialect(&self) -> LogDialect {
        LogDialect::PanosLeef
    }

    fn read_line(&mut self, line: &str, locator: Locator) -> LineOutcome {
        let Some(text) = find_record(line) else {
            return LineOutcome::Skipped(SKIP_NOT_LEEF);
        };
        let record = match parse_record(text) {
            Ok(record) => record,
            Err(error) => return LineOutcome::Invalid(error),
        };
        let category = record.attributes.get("cat").copied().unwrap_or("");
        if category != "TRAFFIC" && category != "THREAT" {
            return LineOutcome::Skipped(SKIP_LEEF_NOT_TRAFFIC);
        }
        let mut observation = match observation(&record, category, locator) {
            Ok(observation) => observation,
            Err(error) => return LineOutcome::Invalid(format!("{category}: {error}")),
        };
        match self.record_time(line, &record, category == "TRAFFIC") {
            Ok(resolved) => {
                observation.ts_ns = resolved.ts_ns;
                LineOutcome::Observation {
                    observation: Box::new(observation),
                    warnings: resolved.note.into_iter().collect(),
                }
            }
            Err(error) => LineOutcome::Invalid(format!("{category} without a readable time: {error}")),
        }
    }

    fn invalid_reason(&self) -> &'static str {
        SKIP_INVALID_LEEF
    }

    fn time_assumption(&self) -> Option<String> {
        self.resolver.assumption()
    }
}
