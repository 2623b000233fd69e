//! The `sophos-xg` dialect: Sophos XG and SFOS firewall `key=value` syslog messages.
//!
//! A message is a `key=value` body (see `key_value.rs`) that starts, after an optional syslog
//! header, with `device="SFW"` or has `log_type=` and `log_component=` words:
//! `device="SFW" date=2019-10-09 time=17:19:06 timezone="+08" ... log_type="Firewall"
//! log_component="Firewall Rule" log_subtype="Denied" status="Deny" fw_rule_id=14 ...
//! src_ip=11.22.33.44 dst_ip=44.33.22.11 protocol="TCP" src_port=52667 dst_port=10051`.
//!
//! Only `log_type="Firewall"` messages become observations. Other log types (content
//! filtering, IPS, ATP, events, ...) are skipped under [`SKIP_SOPHOS_NOT_FIREWALL`].
//!
//! Fields: `src_ip`, `dst_ip`, `protocol` (`TCP`, `UDP`, `ICMP`, ... or a number), `src_port`
//! and `dst_port` for TCP, UDP and SCTP, and `icmp_type`, `icmp_code` for ICMP. An empty value
//! (`src_country_code=`) is absent.
//!
//! Action: `log_subtype` (`Allowed` allow, `Denied` deny, `Dropped` drop, `Detected` log),
//! else `status` (`Allow`, `Deny`, `Drop`, `Detect`). Other words are kept as vendor words. The
//! rule is `rule fw_rule_id` with the interfaces.
//!
//! Time: `date` and `time` with the `timezone` offset (`+08`, `+0530`, `+05:30`, `UTC`). A zone
//! abbreviation (`IST`) names no single offset, so such a time is read in the import zone and
//! the line gets an anomaly that names the abbreviation. The log has no TCP flags.

use chrono::{NaiveDate, NaiveTime};

use super::key_value::{body, parse_pairs, Pairs};
use super::outcome::{bare_observation, DialectReader, LineOutcome};
use super::syslog_time::LocalTimeResolver;
use super::{LogDialect, TimeContext};
use crate::model::{FirewallAction, IcmpInfo, IpProtocol, Locator, Observation, TimestampNs};

/// Skip reason for lines that are not Sophos XG messages.
pub const SKIP_NOT_SOPHOS: &str = "not a Sophos XG log message";
/// Skip reason for Sophos XG messages whose `log_type` is not `Firewall`.
pub const SKIP_SOPHOS_NOT_FIREWALL: &str = "Sophos XG log other than Firewall";
/// Skip reason for Sophos XG messages that could not be read. Each is also an anomaly.
pub const SKIP_INVALID_SOPHOS: &str = "invalid Sophos XG log message";

const NANOS_PER_SECOND: i64 = 1_000_000_000;

/// Returns the body when `line` looks like a Sophos XG message.
fn sophos_body(line: &str) -> Option<&str> {
    let text = body(line)?;
    let has_word = |prefix: &str| text.split_ascii_whitespace().any(|word| word.starts_with(prefix));
    let is_sophos = text.starts_with("device=\"SFW\"") || has_word("log_type=") && has_word("log_component=");
    is_sophos.then_some(text)
}

/// Returns true when `line` looks like a Sophos XG message.
pub(super) fn is_sophos_line(line: &str) -> bool {
    sophos_body(line).is_some()
}

/// Returns the action for `log_subtype`, else `status`.
fn action(pairs: &Pairs<'_>) -> Option<FirewallAction> {
    let word = pairs.non_empty("log_subtype").or_else(|| pairs.non_empty("status"))?;
    Some(match word {
        "Allowed" | "Allow" => FirewallAction::Allow,
        "Denied" | "Deny" => FirewallAction::Deny,
        "Dropped" | "Drop" => FirewallAction::Drop,
        "Detected" | "Detect" => FirewallAction::Log,
        other => FirewallAction::Other(other.to_string()),
    })
}

/// Returns the IP protocol for a Sophos protocol name or number.
fn protocol(name: &str) -> Result<IpProtocol, String> {
    IpProtocol::from_keyword(name).ok_or_else(|| format!("unknown protocol {name:?}"))
}

/// Parses `+08`, `+0530`, `+05:30`, `UTC` or `GMT` into seconds east of UTC, or returns `None`
/// for anything else (a zone abbreviation).
fn offset_seconds(zone: &str) -> Option<i64> {
    if matches!(zone, "UTC" | "GMT" | "Z") {
        return Some(0);
    }
    let sign = match zone.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let digits: String = zone[1..].chars().filter(|c| *c != ':').collect();
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (hours, minutes) = match digits.len() {
        2 => (digits.parse::<i64>().ok()?, 0),
        4 => (digits[..2].parse::<i64>().ok()?, digits[2..].parse::<i64>().ok()?),
        _ => return None,
    };
    (hours <= 23 && minutes <= 59).then_some(sign * (hours * 3600 + minutes * 60))
}

/// Reader of the `sophos-xg` dialect.
pub(super) struct SophosReader {
    resolver: LocalTimeResolver,
}

impl SophosReader {
    /// Creates a reader for one file.
    pub(super) fn new(time: &TimeContext) -> Self {
        Self { resolver: LocalTimeResolver::new(time) }
    }

    /// Reads `date`, `time` and `timezone` as the module doc describes.
    fn message_time(&mut self, pairs: &Pairs<'_>) -> Result<(TimestampNs, Vec<String>), String> {
        let date = pairs.get("date").ok_or("missing date")?;
        let time = pairs.get("time").ok_or("missing time")?;
        let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| format!("invalid date {date:?}"))?;
        let time = NaiveTime::parse_from_str(time, "%H:%M:%S").map_err(|_| format!("invalid time {time:?}"))?;
        let local = date.and_time(time);
        let zone = pairs.non_empty("timezone");
        if let Some(offset) = zone.and_then(offset_seconds) {
            let seconds = local.and_utc().timestamp() - offset;
            let ts_ns = seconds.checked_mul(NANOS_PER_SECOND).ok_or_else(|| format!("time {local} is out of range"))?;
            return Ok((ts_ns, Vec::new()));
        }
        let resolved = self.resolver.resolve_local(local)?;
        let mut warnings: Vec<String> = resolved.note.into_iter().collect();
        if let Some(zone) = zone {
            warnings.push(format!("timezone {zone:?} is not a UTC offset; the time was read in the import zone"));
        }
        Ok((resolved.ts_ns, warnings))
    }
}

impl DialectReader for SophosReader {
    fn dialect(&self) -> LogDialect {
        LogDialect::SophosXg
    }

    fn read_line(&mut self, line: &str, locator: Locator) -> LineOutcome {
        let Some(text) = sophos_body(line) else {
            return LineOutcome::Skipped(SKIP_NOT_SOPHOS);
        };
        let pairs = match parse_pairs(text) {
            Ok(pairs) => pairs,
            Err(message) => return LineOutcome::Invalid(format!("Sophos XG message is damaged: {message}")),
        };
        if pairs.get("log_type") != Some("Firewall") {
            return LineOutcome::Skipped(SKIP_SOPHOS_NOT_FIREWALL);
        }
        let mut observation = match connection(&pairs, locator) {
            Ok(observation) => observation,
            Err(message) => return LineOutcome::Invalid(message),
        };
        match self.message_time(&pairs) {
            Ok((ts_ns, warnings)) => {
                observation.ts_ns = ts_ns;
                LineOutcome::Observation { observation: Box::new(observation), warnings }
            }
            Err(message) => LineOutcome::Invalid(message),
        }
    }

    fn invalid_reason(&self) -> &'static str {
        SKIP_INVALID_SOPHOS
    }

    fn time_assumption(&self) -> Option<String> {
        self.resolver.assumption()
    }
}

/// Reads the connection fields into an observation whose time is still zero.
fn connection(pairs: &Pairs<'_>, locator: Locator) -> Result<Observation, String> {
    let address = |key: &str| {
        let value = pairs.non_empty(key).ok_or_else(|| format!("missing {key}"))?;
        value.parse().map_err(|_| format!("{key} {value:?} is not an IP address"))
    };
    let src = address("src_ip")?;
    let dst = address("dst_ip")?;
    let protocol = protocol(pairs.non_empty("protocol").ok_or("missing protocol")?)?;

    let mut observation = bare_observation(0, src, dst, protocol, locator);
    let number = |key: &str| -> Result<Option<u16>, String> {
        match pairs.non_empty(key) {
            None => Ok(None),
            Some(value) => value.parse().map(Some).map_err(|_| format!("invalid {key} {value:?}")),
        }
    };
    if protocol.has_ports() {
        observation.src_port = number("src_port")?;
        observation.dst_port = number("dst_port")?;
    }
    if matches!(protocol, IpProtocol::ICMP | IpProtocol::ICMPV6) {
        if let (Some(icmp_type), Some(code)) = (number("icmp_type")?, number("icmp_code")?) {
            let byte = |value: u16, key: &str| u8::try_from(value).map_err(|_| format!("invalid {key} {value}"));
            observation.icmp = Some(IcmpInfo {
                icmp_type: byte(icmp_type, "icmp_type")?,
                code: byte(code, "icmp_code")?,
                quoted: None,
            });
        }
    }
    observation.action = action(pairs);

    let mut parts = Vec::new();
    if let Some(rule) = pairs.non_empty("fw_rule_id") {
        parts.push(format!("rule {rule}"));
    }
    match (pairs.non_empty("in_interface"), pairs.non_empty("out_interface")) {
        (Some(from), Some(to)) => parts.push(format!("{from} -> {to}")),
        (Some(from), None) => parts.push(format!("from {from}")),
        _ => {}
    }
    observation.rule = (!parts.is_empty()).then(|| parts.join(" "));
    Ok(observation)
}
