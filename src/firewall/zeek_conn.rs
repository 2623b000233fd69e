//! The `zeek-conn` dialect: Zeek's `conn.log`, one line per connection, as TSV or JSON lines.
//!
//! TSV files start with `#` header lines: `#separator \x09`, `#unset_field -`,
//! `#empty_field (empty)`, `#path conn`, `#fields ts uid id.orig_h ...` and `#types ...`.
//! Columns are found by name from `#fields`; before any `#fields` line Zeek's default conn.log
//! columns are used. JSON lines are objects with the same names as keys. `ts` is seconds since
//! 1970 with a fraction (read exactly, see `sensor_time.rs`) or an ISO 8601 time.
//!
//! Each connection becomes one observation from the originator (`id.orig_h`, `id.orig_p`) to
//! the responder. Zeek is a sensor, not a filter, so the action is `log`. The rule is
//! `conn_state STATE, history HISTORY`. For TCP, `tcp_flags` is the originator's first segment
//! as `history` shows it: the first letter (after a `^`, which marks a flipped direction) `S`
//! gives SYN, `A` ACK, `F` FIN and `R` RST. Any other first letter leaves the flags empty,
//! because `D` (data), `H` (SYN-ACK) and lower-case letters (the responder spoke first) do not
//! tell the originator's flags. For ICMP Zeek writes the type as `id.orig_p` and the code as
//! `id.resp_p`.
//!
//! The responder's reply goes into [`Observation::connection`], so the contact gets the
//! outcome the replies would have given it. For TCP it comes from `history` (Zeek's letters:
//! upper case for the originator, lower case for the responder), else from `conn_state`:
//! `S0`, `SH` and `RSTOS0` are unanswered, `REJ` closed, `S1`, `SF`, `S2` and `S3` open with
//! the handshake completed, `RSTO` open, and `RSTRH`, `SHR` and `OTH` midstream. For UDP and ICMP
//! any responder packet (`resp_pkts`, else a lower-case `history` letter, else `conn_state`
//! `SF`) is open. Payload is exchanged when `orig_bytes` or `resp_bytes` is above zero or
//! `history` has `D` or `d`.

use std::net::IpAddr;

use super::outcome::{bare_observation, DialectReader, LineOutcome};
use super::sensor_time::{epoch_seconds_ns, raw_json_number};
use super::syslog_header::parse_rfc3339;
use super::{LogDialect, SKIP_HEADER};
use crate::model::{
    ConnectionSummary, FirewallAction, IcmpInfo, IpProtocol, Locator, Observation, ResponderReply, TcpFlags,
    TimestampNs,
};

/// Skip reason for lines that are neither headers nor conn.log records.
pub const SKIP_NOT_ZEEK_CONN: &str = "not a Zeek conn.log record";
/// Skip reason for records that could not be read. Each is also an anomaly.
pub const SKIP_INVALID_ZEEK_CONN: &str = "invalid Zeek conn.log record";

/// Zeek's default conn.log columns (Zeek 3 to 7, without optional packages).
const DEFAULT_FIELDS: [&str; 21] = [
    "ts",
    "uid",
    "id.orig_h",
    "id.orig_p",
    "id.resp_h",
    "id.resp_p",
    "proto",
    "service",
    "duration",
    "orig_bytes",
    "resp_bytes",
    "conn_state",
    "local_orig",
    "local_resp",
    "missed_bytes",
    "history",
    "orig_pkts",
    "orig_ip_bytes",
    "resp_pkts",
    "resp_ip_bytes",
    "tunnel_parents",
];

/// The values of one record that the observation needs.
#[derive(Debug, Default)]
struct Record {
    ts: Option<String>,
    orig_h: Option<String>,
    orig_p: Option<u64>,
    resp_h: Option<String>,
    resp_p: Option<u64>,
    proto: Option<String>,
    conn_state: Option<String>,
    history: Option<String>,
    orig_bytes: Option<u64>,
    resp_bytes: Option<u64>,
    resp_pkts: Option<u64>,
}

/// Reader of the `zeek-conn` dialect.
pub(super) struct ZeekConnReader {
    fields: Vec<String>,
    separator: char,
    unset: String,
}

impl ZeekConnReader {
    /// Creates a reader for one file.
    pub(super) fn new() -> Self {
        Self { fields: DEFAULT_FIELDS.iter().map(|f| f.to_string()).collect(), separator: '\t', unset: "-".into() }
    }

    fn read_header(&mut self, header: &str) {
        if let Some(value) = header.strip_prefix("separator ") {
            self.separator = parse_separator(value.trim()).unwrap_or('\t');
            return;
        }
        let (name, values) = header.split_once(self.separator).unwrap_or((header, ""));
        match name {
            "fields" => self.fields = values.split(self.separator).map(str::to_string).collect(),
            "unset_field" => self.unset = values.to_string(),
            _ => {}
        }
    }

    fn tsv_record(&self, line: &str) -> Result<Record, String> {
        let mut record = Record::default();
        let values: Vec<&str> = line.split(self.separator).collect();
        if values.len() < self.fields.len().min(6) {
            return Err(format!("record has {} columns, the header names {}", values.len(), self.fields.len()));
        }
        for (name, value) in self.fields.iter().zip(values) {
            if value == self.unset {
                continue;
            }
            let number = || value.parse::<u64>().map_err(|_| format!("invalid {name} {value:?}"));
            match name.as_str() {
                "ts" => record.ts = Some(value.to_string()),
                "id.orig_h" => record.orig_h = Some(value.to_string()),
                "id.orig_p" => record.orig_p = Some(number()?),
                "id.resp_h" => record.resp_h = Some(value.to_string()),
                "id.resp_p" => record.resp_p = Some(number()?),
                "proto" => record.proto = Some(value.to_string()),
                "conn_state" => record.conn_state = Some(value.to_string()),
                "history" => record.history = Some(value.to_string()),
                "orig_bytes" => record.orig_bytes = Some(number()?),
                "resp_bytes" => record.resp_bytes = Some(number()?),
                "resp_pkts" => record.resp_pkts = Some(number()?),
                _ => {}
            }
        }
        Ok(record)
    }
}

/// Reads `\x09` or a literal character.
fn parse_separator(value: &str) -> Option<char> {
    match value.strip_prefix("\\x") {
        Some(hex) => u8::from_str_radix(hex, 16).ok().map(char::from),
        None => value.chars().next(),
    }
}

/// Reads a JSON conn.log line. The time is kept as text so it is never an `f64`.
fn json_record(line: &str) -> Result<Record, String> {
    let value: serde_json::Value = serde_json::from_str(line).map_err(|error| format!("invalid JSON: {error}"))?;
    let text = |key: &str| value.get(key).and_then(|v| v.as_str()).map(str::to_string);
    let number = |key: &str| value.get(key).and_then(serde_json::Value::as_u64);
    let ts = match value.get("ts") {
        Some(serde_json::Value::String(ts)) => Some(ts.clone()),
        Some(serde_json::Value::Number(_)) => raw_json_number(line, "ts").map(str::to_string),
        _ => None,
    };
    Ok(Record {
        ts,
        orig_h: text("id.orig_h"),
        orig_p: number("id.orig_p"),
        resp_h: text("id.resp_h"),
        resp_p: number("id.resp_p"),
        proto: text("proto"),
        conn_state: text("conn_state"),
        history: text("history"),
        orig_bytes: number("orig_bytes"),
        resp_bytes: number("resp_bytes"),
        resp_pkts: number("resp_pkts"),
    })
}

/// Returns true when `line` is a conn.log header or a JSON conn.log record.
pub(super) fn is_zeek_conn_line(line: &str) -> bool {
    if line.starts_with("#path\tconn") || line.starts_with("#fields\tts\tuid\tid.orig_h") {
        return true;
    }
    line.starts_with('{') && line.contains("\"id.orig_h\"") && line.contains("\"conn_state\"")
}

/// Reads the time of a record: epoch seconds or an RFC 3339 time.
fn record_time(ts: &str) -> Result<TimestampNs, String> {
    if ts.contains('T') {
        return parse_rfc3339(ts).map(|(ns, _)| ns);
    }
    epoch_seconds_ns(ts)
}

/// Returns the originator's first-segment flags from `history`, as the module doc describes.
fn first_segment_flags(history: &str) -> Option<TcpFlags> {
    let first = history.trim_start_matches('^').chars().next()?;
    let flags = match first {
        'S' => TcpFlags::SYN,
        'A' => TcpFlags::ACK,
        'F' => TcpFlags::FIN,
        'R' => TcpFlags::RST,
        _ => return None,
    };
    Some(TcpFlags(flags))
}

/// Reads the responder's reply from `history`, else from `conn_state`, as the module doc
/// describes. Returns `None` when the record shows neither.
fn connection_summary(record: &Record, protocol: IpProtocol) -> Option<ConnectionSummary> {
    let history = record.history.as_deref().filter(|history| !history.is_empty());
    let state = record.conn_state.as_deref();
    let bytes_sent = record.orig_bytes.unwrap_or(0) > 0 || record.resp_bytes.unwrap_or(0) > 0;
    if protocol != IpProtocol::TCP {
        let responded = match (record.resp_pkts, history, state) {
            (Some(packets), _, _) => packets > 0,
            (None, Some(history), _) => history.chars().any(|letter| letter.is_ascii_lowercase()),
            (None, None, Some("S0")) => false,
            (None, None, Some("SF")) => true,
            _ => return None,
        };
        if !responded {
            return Some(ConnectionSummary::with_reply(ResponderReply::Unanswered));
        }
        let mut summary = ConnectionSummary::with_reply(ResponderReply::Open);
        summary.payload_exchanged = protocol == IpProtocol::UDP && record.resp_bytes.unwrap_or(0) > 0;
        return Some(summary);
    }
    let mut summary = match history {
        Some(history) => tcp_summary_from_history(history),
        None => tcp_summary_from_state(state?)?,
    };
    summary.payload_exchanged |= bytes_sent;
    Some(summary)
}

/// Reads a TCP connection's reply from `history`. Without the originator's `S` any responder
/// letter (lower case) is midstream traffic. Otherwise the responder's `h` (SYN/ACK) is open,
/// its `r` (RST) without `h` closed, any other responder letter midstream, and no responder
/// letter unanswered. After the `h`, the originator's `A`, `D` or `F`
/// completes the handshake, and its `R` before any of them is a half-open reset.
fn tcp_summary_from_history(history: &str) -> ConnectionSummary {
    let letters: Vec<char> = history.chars().filter(|&letter| letter != '^').collect();
    let syn_ack = letters.iter().position(|&letter| letter == 'h');
    let responder_spoke = letters.iter().any(char::is_ascii_lowercase);
    let reply = if !letters.contains(&'S') && responder_spoke {
        ResponderReply::Midstream
    } else if syn_ack.is_some() {
        ResponderReply::Open
    } else if letters.contains(&'r') {
        ResponderReply::Closed
    } else if responder_spoke {
        ResponderReply::Midstream
    } else {
        ResponderReply::Unanswered
    };
    let mut summary = ConnectionSummary::with_reply(reply);
    if let Some(syn_ack) = syn_ack {
        let after = &letters[syn_ack + 1..];
        let completion = after.iter().position(|letter| matches!(letter, 'A' | 'D' | 'F'));
        let reset = after.iter().position(|&letter| letter == 'R');
        summary.handshake_completed = completion.is_some();
        summary.source_reset = match (reset, completion) {
            (Some(reset), Some(completion)) => reset < completion,
            (Some(_), None) => true,
            (None, _) => false,
        };
    }
    summary.payload_exchanged = letters.iter().any(|&letter| letter == 'D' || letter == 'd');
    summary
}

/// Reads a TCP connection's reply from `conn_state` alone, for records without `history`.
/// `RSTR` (the responder sent a RST, before or after the handshake) shows neither open nor
/// closed, so it returns `None`, as does a state Zeek does not document.
fn tcp_summary_from_state(state: &str) -> Option<ConnectionSummary> {
    let summary = match state {
        "S0" | "SH" | "RSTOS0" => ConnectionSummary::with_reply(ResponderReply::Unanswered),
        "REJ" => ConnectionSummary::with_reply(ResponderReply::Closed),
        "S1" | "SF" | "S2" | "S3" => {
            ConnectionSummary { handshake_completed: true, ..ConnectionSummary::with_reply(ResponderReply::Open) }
        }
        // An originator's RST after a completed handshake, or after the SYN/ACK alone as a SYN
        // scan sends it (history `ShR`): without `history` the two cannot be told apart.
        "RSTO" => ConnectionSummary::with_reply(ResponderReply::Open),
        "RSTRH" | "SHR" | "OTH" => ConnectionSummary::with_reply(ResponderReply::Midstream),
        _ => return None,
    };
    Some(summary)
}

fn address(value: Option<&String>, name: &str) -> Result<IpAddr, String> {
    let value = value.ok_or_else(|| format!("missing {name}"))?;
    value.parse().map_err(|_| format!("invalid {name} {value:?}"))
}

fn build_observation(record: &Record, locator: Locator) -> Result<Observation, String> {
    let ts = record.ts.as_deref().ok_or("missing ts")?;
    let ts_ns = record_time(ts)?;
    let src = address(record.orig_h.as_ref(), "id.orig_h")?;
    let dst = address(record.resp_h.as_ref(), "id.resp_h")?;
    let protocol = match record.proto.as_deref() {
        Some("tcp") => IpProtocol::TCP,
        Some("udp") => IpProtocol::UDP,
        Some("icmp") if src.is_ipv6() => IpProtocol::ICMPV6,
        Some("icmp") => IpProtocol::ICMP,
        other => return Err(format!("unknown proto {other:?}")),
    };
    let mut observation = bare_observation(ts_ns, src, dst, protocol, locator);
    observation.action = Some(FirewallAction::Log);
    let to_u16 = |value: Option<u64>, name: &str| {
        value.map(|v| u16::try_from(v).map_err(|_| format!("{name} {v} is out of range"))).transpose()
    };
    if protocol.has_ports() {
        observation.src_port = to_u16(record.orig_p, "id.orig_p")?;
        observation.dst_port = to_u16(record.resp_p, "id.resp_p")?;
    } else if let (Some(icmp_type), Some(code)) = (record.orig_p, record.resp_p) {
        let icmp_type = u8::try_from(icmp_type).map_err(|_| format!("ICMP type {icmp_type} is out of range"))?;
        let code = u8::try_from(code).map_err(|_| format!("ICMP code {code} is out of range"))?;
        observation.icmp = Some(IcmpInfo { icmp_type, code, quoted: None });
    }
    let history = record.history.as_deref().unwrap_or("");
    if protocol == IpProtocol::TCP {
        observation.tcp_flags = first_segment_flags(history);
    }
    observation.connection = connection_summary(record, protocol);
    let state = record.conn_state.as_deref().unwrap_or("-");
    observation.rule = Some(format!("conn_state {state}, history {}", if history.is_empty() { "-" } else { history }));
    Ok(observation)
}

impl DialectReader for ZeekConnReader {
    fn dialect(&self) -> LogDialect {
        LogDialect::ZeekConn
    }

    fn read_line(&mut self, line: &str, locator: Locator) -> LineOutcome {
        if let Some(header) = line.strip_prefix('#') {
            self.read_header(header);
            return LineOutcome::Skipped(SKIP_HEADER);
        }
        let record = if line.starts_with('{') {
            json_record(line)
        } else if line.contains(self.separator) {
            self.tsv_record(line)
        } else {
            return LineOutcome::Skipped(SKIP_NOT_ZEEK_CONN);
        };
        match record.and_then(|record| build_observation(&record, locator)) {
            Ok(observation) => LineOutcome::Observation { observation: Box::new(observation), warnings: Vec::new() },
            Err(message) => LineOutcome::Invalid(message),
        }
    }

    fn invalid_reason(&self) -> &'static str {
        SKIP_INVALID_ZEEK_CONN
    }

    fn time_assumption(&self) -> Option<String> {
        None
    }
}
