//! The `fortigate` dialect: Fortinet FortiGate (FortiOS) `key=value` log messages.
//!
//! A message is a `key=value` body (see `key_value.rs`) with `date=`, `type=` and `logid=`
//! (FortiOS 3 and 4 write `log_id=`). It may stand behind a syslog header
//! or a relay's prefix (`<189>`, `Mar 22 19:21:00 10.10.10.10 `). The body starts at the first
//! word that contains `=`, and the header before it is not read.
//!
//! Messages read as observations: `type=traffic` (every subtype), and the attack logs
//! `type=utm` with `subtype=ips` or `subtype=anomaly` (FortiOS 5.2 and older: `type=ips` and
//! `type=anomaly`). Event logs (`type=event`) are skipped under [`SKIP_FORTIGATE_EVENT`]. Other
//! security-profile logs (web filter, application control, DNS, SSL, antivirus, DLP, ...)
//! repeat a session that the traffic log already has and are skipped under
//! [`SKIP_FORTIGATE_PROFILE`].
//!
//! Fields: `srcip`, `dstip` (FortiOS 3 and 4: `src`, `dst`), `proto` (the IP protocol number),
//! `srcport`, `dstport` (`src_port`, `dst_port`) for protocols with ports, `icmptype` and
//! `icmpcode` (written in hex, `0x08`) for ICMP, and `action` (FortiOS 3 and 4: `status`). An
//! address that is not an IP address (a host name) makes the line invalid: names are never
//! turned into addresses. The log has no TCP flags.
//!
//! Time: `eventtime` is UTC since 1970 in seconds, milliseconds, microseconds or nanoseconds,
//! and its number of digits gives the unit. Without it, FortiOS 5.4 and 5.6 `logtime` (seconds) is
//! read, and without both, `date` and `time`: with the `tz` offset (`-0700`) when the line has
//! one, otherwise as local time in the import zone.
//!
//! Actions: `accept`, `allow`, `pass`, `passthrough`, `pass_session` and `start` are allow, as
//! are the session-end words `close`, `timeout`, `client-rst` and `server-rst` (the policy let
//! the session through and it ended). `deny`, `block` and `blocked` are deny, `drop`, `dropped`
//! and `clear_session` are drop, `reset` is reject (the IPS sent a TCP reset), and `detected`
//! and `monitored` are log. Other words (`ip-conn`) are kept as vendor words.
//!
//! The observation's rule is `policy ID`, the policy name, the policy type, the interfaces and
//! the attack name, where the line has them.

use chrono::{NaiveDate, NaiveTime};

use super::key_value::{body, parse_pairs, Pairs};
use super::outcome::{bare_observation, DialectReader, LineOutcome};
use super::syslog_time::LocalTimeResolver;
use super::{LogDialect, TimeContext};
use crate::model::{FirewallAction, IcmpInfo, IpProtocol, Locator, Observation, TimestampNs};

/// Skip reason for lines that are not FortiGate log messages.
pub const SKIP_NOT_FORTIGATE: &str = "not a FortiGate log message";
/// Skip reason for FortiGate event logs (system, VPN, HA, user, ...), which carry no connection.
pub const SKIP_FORTIGATE_EVENT: &str = "FortiGate event log";
/// Skip reason for security-profile logs other than IPS and anomaly, which repeat a session of
/// the traffic log.
pub const SKIP_FORTIGATE_PROFILE: &str = "FortiGate security-profile log other than IPS or anomaly";
/// Skip reason for FortiGate messages that could not be read. Each is also an anomaly.
pub const SKIP_INVALID_FORTIGATE: &str = "invalid FortiGate log message";

const NANOS_PER_SECOND: i64 = 1_000_000_000;

/// Returns the body when `line` looks like a FortiGate message: it has `date=`, `type=` and
/// `logid=` (or `log_id=`) words. The body may still be damaged.
fn fortigate_body(line: &str) -> Option<&str> {
    let text = body(line)?;
    let has_word = |prefix: &str| text.split_ascii_whitespace().any(|word| word.starts_with(prefix));
    let is_fortigate = has_word("date=") && has_word("type=") && (has_word("logid=") || has_word("log_id="));
    is_fortigate.then_some(text)
}

/// Returns true when `line` looks like a FortiGate log message.
pub(super) fn is_fortigate_line(line: &str) -> bool {
    fortigate_body(line).is_some()
}

/// Handling of a FortiGate log type: read as a connection, or skipped under a reason.
enum LogKind {
    Connection,
    Event,
    Profile,
}

fn log_kind(pairs: &Pairs<'_>) -> LogKind {
    let log_type = pairs.get("type").unwrap_or("");
    let subtype = pairs.get("subtype").unwrap_or("");
    match (log_type, subtype) {
        ("traffic" | "ips" | "anomaly", _) => LogKind::Connection,
        ("utm", "ips" | "anomaly") => LogKind::Connection,
        ("event", _) => LogKind::Event,
        _ => LogKind::Profile,
    }
}

/// Returns the action for a FortiGate `action` or `status` word.
fn action(word: &str) -> FirewallAction {
    match word {
        "accept" | "allow" | "pass" | "passthrough" | "pass_session" | "start" | "close" | "timeout" | "client-rst"
        | "server-rst" => FirewallAction::Allow,
        "deny" | "block" | "blocked" => FirewallAction::Deny,
        "drop" | "dropped" | "clear_session" => FirewallAction::Drop,
        "reset" => FirewallAction::Reject,
        "detected" | "monitored" => FirewallAction::Log,
        other => FirewallAction::Other(other.to_string()),
    }
}

/// Reader of the `fortigate` dialect.
pub(super) struct FortigateReader {
    resolver: LocalTimeResolver,
}

impl FortigateReader {
    /// Creates a reader for one file.
    pub(super) fn new(time: &TimeContext) -> Self {
        Self { resolver: LocalTimeResolver::new(time) }
    }

    /// Returns the UTC time of the message as the module doc describes.
    fn message_time(&mut self, pairs: &Pairs<'_>) -> Result<(TimestampNs, Option<String>), String> {
        if let Some(eventtime) = pairs.non_empty("eventtime") {
            return epoch_by_digits(eventtime, "eventtime").map(|ts_ns| (ts_ns, None));
        }
        if let Some(logtime) = pairs.non_empty("logtime") {
            return epoch_by_digits(logtime, "logtime").map(|ts_ns| (ts_ns, None));
        }
        let date = pairs.get("date").unwrap_or("");
        let time = pairs.get("time").ok_or("missing time, eventtime and logtime")?;
        let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| format!("invalid date {date:?}"))?;
        let time = NaiveTime::parse_from_str(time, "%H:%M:%S").map_err(|_| format!("invalid time {time:?}"))?;
        let local = date.and_time(time);
        if let Some(zone) = pairs.non_empty("tz") {
            let offset_seconds = utc_offset_seconds(zone)?;
            let seconds = local.and_utc().timestamp() - offset_seconds;
            let ts_ns = seconds.checked_mul(NANOS_PER_SECOND).ok_or_else(|| format!("time {local} is out of range"))?;
            return Ok((ts_ns, None));
        }
        let resolved = self.resolver.resolve_local(local)?;
        Ok((resolved.ts_ns, resolved.note))
    }
}

impl DialectReader for FortigateReader {
    fn dialect(&self) -> LogDialect {
        LogDialect::Fortigate
    }

    fn read_line(&mut self, line: &str, locator: Locator) -> LineOutcome {
        let Some(text) = fortigate_body(line) else {
            return LineOutcome::Skipped(SKIP_NOT_FORTIGATE);
        };
        let pairs = match parse_pairs(text) {
            Ok(pairs) => pairs,
            Err(message) => return LineOutcome::Invalid(format!("FortiGate message is damaged: {message}")),
        };
        match log_kind(&pairs) {
            LogKind::Event => return LineOutcome::Skipped(SKIP_FORTIGATE_EVENT),
            LogKind::Profile => return LineOutcome::Skipped(SKIP_FORTIGATE_PROFILE),
            LogKind::Connection => {}
        }
        let mut observation = match connection(&pairs, locator) {
            Ok(observation) => observation,
            Err(message) => return LineOutcome::Invalid(message),
        };
        match self.message_time(&pairs) {
            Ok((ts_ns, note)) => {
                observation.ts_ns = ts_ns;
                LineOutcome::Observation { observation: Box::new(observation), warnings: note.into_iter().collect() }
            }
            Err(message) => LineOutcome::Invalid(message),
        }
    }

    fn invalid_reason(&self) -> &'static str {
        SKIP_INVALID_FORTIGATE
    }

    fn time_assumption(&self) -> Option<String> {
        self.resolver.assumption()
    }
}

/// Reads the connection fields into an observation whose time is still zero.
fn connection(pairs: &Pairs<'_>, locator: Locator) -> Result<Observation, String> {
    let address = |keys: &[&str]| {
        let value = pairs.first_of(keys).ok_or_else(|| format!("missing {}", keys[0]))?;
        value.parse().map_err(|_| format!("{} {value:?} is not an IP address", keys[0]))
    };
    let src = address(&["srcip", "src"])?;
    let dst = address(&["dstip", "dst"])?;
    let proto = pairs.non_empty("proto").ok_or("missing proto")?;
    let protocol = IpProtocol::from_ip_number(proto.parse().map_err(|_| format!("invalid proto {proto:?}"))?);

    let mut observation = bare_observation(0, src, dst, protocol, locator);
    if protocol.has_ports() {
        observation.src_port = port(pairs, &["srcport", "src_port"])?;
        observation.dst_port = port(pairs, &["dstport", "dst_port"])?;
    }
    if matches!(protocol, IpProtocol::ICMP | IpProtocol::ICMPV6) {
        if let (Some(icmp_type), Some(code)) = (pairs.non_empty("icmptype"), pairs.non_empty("icmpcode")) {
            observation.icmp = Some(IcmpInfo {
                icmp_type: hex_byte(icmp_type, "icmptype")?,
                code: hex_byte(code, "icmpcode")?,
                quoted: None,
            });
        }
    }
    observation.action = pairs.first_of(&["action", "status"]).filter(|word| !word.is_empty()).map(action);
    observation.rule = rule_text(pairs);
    Ok(observation)
}

fn port(pairs: &Pairs<'_>, keys: &[&str]) -> Result<Option<u16>, String> {
    match pairs.first_of(keys) {
        None | Some("") => Ok(None),
        Some(value) => value.parse().map(Some).map_err(|_| format!("invalid {} {value:?}", keys[0])),
    }
}

/// Parses an ICMP type or code written as `0x08` or `8`.
fn hex_byte(value: &str, name: &str) -> Result<u8, String> {
    let parsed = match value.strip_prefix("0x").or_else(|| value.strip_prefix("0X")) {
        Some(hex) => u8::from_str_radix(hex, 16),
        None => value.parse(),
    };
    parsed.map_err(|_| format!("invalid {name} {value:?}"))
}

/// Builds the rule text from the policy, interface and attack fields.
fn rule_text(pairs: &Pairs<'_>) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(id) = pairs.non_empty("policyid") {
        parts.push(format!("policy {id}"));
    }
    if let Some(name) = pairs.non_empty("policyname") {
        parts.push(format!("\"{name}\""));
    }
    if let Some(kind) = pairs.non_empty("policytype") {
        parts.push(format!("({kind})"));
    }
    match (pairs.non_empty("srcintf"), pairs.non_empty("dstintf")) {
        (Some(from), Some(to)) => parts.push(format!("{from} -> {to}")),
        (Some(from), None) => parts.push(format!("from {from}")),
        _ => {}
    }
    if let Some(attack) = pairs.non_empty("attack") {
        parts.push(format!("attack {attack}"));
    }
    (!parts.is_empty()).then(|| parts.join(" "))
}

/// Reads a time since 1970 (UTC) whose unit follows from its number of digits: up to 10 digits
/// are seconds, 13 milliseconds, 16 microseconds and 19 nanoseconds.
fn epoch_by_digits(value: &str, name: &str) -> Result<TimestampNs, String> {
    if !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("invalid {name} {value:?}"));
    }
    let scale = match value.len() {
        1..=10 => NANOS_PER_SECOND,
        13 => 1_000_000,
        16 => 1_000,
        19 => 1,
        digits => {
            return Err(format!("{name} {value:?} has {digits} digits; expected up to 10 (seconds), 13, 16 or 19"))
        }
    };
    value
        .parse::<i64>()
        .ok()
        .and_then(|number| number.checked_mul(scale))
        .ok_or_else(|| format!("{name} {value:?} is out of range"))
}

/// Parses a `tz` offset written `+HHMM` or `-HHMM` into seconds east of UTC.
fn utc_offset_seconds(zone: &str) -> Result<i64, String> {
    let invalid = || format!("invalid tz offset {zone:?}; expected +HHMM or -HHMM");
    let (sign, digits) = match zone.as_bytes().first() {
        Some(b'+') => (1, &zone[1..]),
        Some(b'-') => (-1, &zone[1..]),
        _ => return Err(invalid()),
    };
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid());
    }
    let hours: i64 = digits[..2].parse().map_err(|_| invalid())?;
    let minutes: i64 = digits[2..].parse().map_err(|_| invalid())?;
    if hours > 23 || minutes > 59 {
        return Err(invalid());
    }
    Ok(sign * (hours * 3600 + minutes * 60))
}
