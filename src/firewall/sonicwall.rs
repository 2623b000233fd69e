//! The `sonicwall` dialect: SonicWall (SonicOS) `key=value` syslog messages.
//!
//! A message is a `key=value` body (see `key_value.rs`) with `id=` (the firewall name), `sn=`
//! (serial number) and `m=` (message ID) words, alone or behind a relay's syslog header:
//! `id=firewall sn=00301E0526B1 time="2004-04-01 10:39:35" fw=67.32.44.2 pri=5 c=64 m=36
//! msg="TCP connection dropped" n=2686 src=67.101.200.27:4507:WAN dst=67.32.44.2:445:LAN`.
//!
//! Endpoints are written `ADDRESS:PORT:INTERFACE[:HOST]`, and parts may be empty
//! (`10.12.14.9::X0-V500`). An IPv6 endpoint has its address in `srcV6` or `dstV6` and an
//! empty address in `src` or `dst` (`:49702:X0-V514`). A host name after the interface is
//! never read as an address. `proto` is a protocol name with an optional port or service after
//! a slash (`tcp/50000`, `tcp/https`, `icmp`). Without `proto`, a message text that starts
//! with `TCP`, `UDP` or `ICMP` (`TCP connection dropped`) gives the protocol.
//!
//! A message with a source, a destination and `proto` becomes an observation. Messages
//! without them (administrator logins, VPN errors, system events) are skipped under
//! [`SKIP_SONICWALL_NOT_TRAFFIC`].
//!
//! Action: `fw_action` where SonicOS writes it (`forward` is allow, `drop` is drop). Otherwise
//! the message text decides, since older SonicOS writes no action field: a text with `dropped`
//! is drop, with `denied` or `blocked` deny, and `Connection Opened`, `Connection Closed` and
//! `NAT Mapping` are allow. Any other message leaves the action empty. The rule is
//! `m=ID MESSAGE`, and `rule N` when the message has a `rule`.
//!
//! Time: `time`, in UTC when it ends in ` UTC`, otherwise local time in the import zone. The
//! log has no TCP flags.

use std::net::IpAddr;

use chrono::NaiveDateTime;

use super::key_value::{body, parse_pairs, Pairs};
use super::outcome::{bare_observation, DialectReader, LineOutcome};
use super::syslog_time::LocalTimeResolver;
use super::{LogDialect, TimeContext};
use crate::model::{FirewallAction, IpProtocol, Locator, Observation, TimestampNs};

/// Skip reason for lines that are not SonicWall messages.
pub const SKIP_NOT_SONICWALL: &str = "not a SonicWall log message";
/// Skip reason for SonicWall messages without a source, a destination or a protocol.
pub const SKIP_SONICWALL_NOT_TRAFFIC: &str = "SonicWall message without a connection";
/// Skip reason for SonicWall messages that could not be read. Each is also an anomaly.
pub const SKIP_INVALID_SONICWALL: &str = "invalid SonicWall log message";

const NANOS_PER_SECOND: i64 = 1_000_000_000;

/// Returns the body when `line` looks like a SonicWall message: it has `id=`, `sn=` and `m=`
/// words. The body may still be damaged.
fn sonicwall_body(line: &str) -> Option<&str> {
    let text = body(line)?;
    let has_word = |prefix: &str| text.split_ascii_whitespace().any(|word| word.starts_with(prefix));
    let is_sonicwall = has_word("id=") && has_word("sn=") && has_word("m=");
    is_sonicwall.then_some(text)
}

/// Returns true when `line` looks like a SonicWall message.
pub(super) fn is_sonicwall_line(line: &str) -> bool {
    sonicwall_body(line).is_some()
}

/// One endpoint: the address and port parts of `src` or `dst`.
struct Endpoint {
    address: Option<IpAddr>,
    port: Option<u16>,
}

/// Reads `ADDRESS:PORT:INTERFACE[:HOST]`, taking the address from `v6_key` when the address
/// part is empty.
fn endpoint(pairs: &Pairs<'_>, key: &str, v6_key: &str) -> Result<Endpoint, String> {
    let value = pairs.get(key).unwrap_or("");
    let mut parts = value.split(':');
    let address_text = parts.next().unwrap_or("");
    let port_text = parts.next().unwrap_or("");
    let address_text = if address_text.is_empty() { pairs.get(v6_key).unwrap_or("") } else { address_text };
    let address = match address_text {
        "" => None,
        text => Some(text.parse().map_err(|_| format!("{key} address {text:?} is not an IP address"))?),
    };
    let port = match port_text {
        "" => None,
        text => Some(text.parse().map_err(|_| format!("invalid {key} port {text:?}"))?),
    };
    Ok(Endpoint { address, port })
}

/// Returns the IP protocol for the name before the slash of `proto`.
fn protocol(proto: &str) -> Result<IpProtocol, String> {
    let name = proto.split('/').next().unwrap_or("");
    IpProtocol::from_keyword(name).ok_or_else(|| format!("unknown protocol {proto:?}"))
}

/// Returns the protocol a message text starts with (`TCP connection dropped`, `UDP packet
/// dropped`, `ICMP packet dropped due to Policy`), for messages without `proto`.
fn protocol_of_message(message: &str) -> Option<IpProtocol> {
    match message.split(' ').next()? {
        "TCP" => Some(IpProtocol::TCP),
        "UDP" => Some(IpProtocol::UDP),
        "ICMP" => Some(IpProtocol::ICMP),
        _ => None,
    }
}

/// Returns the action from `fw_action`, else from the message text (see the module doc).
fn action(pairs: &Pairs<'_>) -> Option<FirewallAction> {
    match pairs.non_empty("fw_action") {
        Some("forward") => return Some(FirewallAction::Allow),
        Some("drop") => return Some(FirewallAction::Drop),
        Some("NA") | None => {}
        Some(other) => return Some(FirewallAction::Other(other.to_string())),
    }
    let message = pairs.get("msg").unwrap_or("").to_ascii_lowercase();
    if message.contains("dropped") {
        Some(FirewallAction::Drop)
    } else if message.contains("denied") || message.contains("blocked") {
        Some(FirewallAction::Deny)
    } else if ["connection opened", "connection closed", "nat mapping"].iter().any(|text| message.contains(text)) {
        Some(FirewallAction::Allow)
    } else {
        None
    }
}

/// Reader of the `sonicwall` dialect.
pub(super) struct SonicwallReader {
    resolver: LocalTimeResolver,
}

impl SonicwallReader {
    /// Creates a reader for one file.
    pub(super) fn new(time: &TimeContext) -> Self {
        Self { resolver: LocalTimeResolver::new(time) }
    }

    /// Reads `time`, `YYYY-MM-DD HH:MM:SS` with an optional ` UTC`.
    fn message_time(&mut self, pairs: &Pairs<'_>) -> Result<(TimestampNs, Option<String>), String> {
        let text = pairs.non_empty("time").ok_or("missing time")?;
        let (local_text, is_utc) = match text.strip_suffix(" UTC") {
            Some(stripped) => (stripped, true),
            None => (text, false),
        };
        let local = NaiveDateTime::parse_from_str(local_text, "%Y-%m-%d %H:%M:%S")
            .map_err(|_| format!("invalid time {text:?}"))?;
        if is_utc {
            let ts_ns = local
                .and_utc()
                .timestamp()
                .checked_mul(NANOS_PER_SECOND)
                .ok_or_else(|| format!("time {text:?} is out of range"))?;
            return Ok((ts_ns, None));
        }
        let resolved = self.resolver.resolve_local(local)?;
        Ok((resolved.ts_ns, resolved.note))
    }
}

impl DialectReader for SonicwallReader {
    fn dialect(&self) -> LogDialect {
        LogDialect::Sonicwall
    }

    fn read_line(&mut self, line: &str, locator: Locator) -> LineOutcome {
        let Some(text) = sonicwall_body(line) else {
            return LineOutcome::Skipped(SKIP_NOT_SONICWALL);
        };
        let pairs = match parse_pairs(text) {
            Ok(pairs) => pairs,
            Err(message) => return LineOutcome::Invalid(format!("SonicWall message is damaged: {message}")),
        };
        let mut observation = match connection(&pairs, locator) {
            Ok(Some(observation)) => observation,
            Ok(None) => return LineOutcome::Skipped(SKIP_SONICWALL_NOT_TRAFFIC),
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
        SKIP_INVALID_SONICWALL
    }

    fn time_assumption(&self) -> Option<String> {
        self.resolver.assumption()
    }
}

/// Reads the endpoints and protocol into an observation whose time is still zero, or returns
/// `None` when the message names no connection.
fn connection(pairs: &Pairs<'_>, locator: Locator) -> Result<Option<Observation>, String> {
    let source = endpoint(pairs, "src", "srcV6")?;
    let destination = endpoint(pairs, "dst", "dstV6")?;
    let protocol = match pairs.non_empty("proto") {
        Some(proto) => Some(protocol(proto)?),
        None => protocol_of_message(pairs.get("msg").unwrap_or("")),
    };
    let (Some(src), Some(dst), Some(protocol)) = (source.address, destination.address, protocol) else {
        return Ok(None);
    };
    let mut observation = bare_observation(0, src, dst, protocol, locator);
    if protocol.has_ports() {
        observation.src_port = source.port;
        observation.dst_port = destination.port;
    }
    observation.action = action(pairs);

    let mut rule = format!("m={} {}", pairs.get("m").unwrap_or(""), pairs.get("msg").unwrap_or(""));
    if let Some(number) = pairs.non_empty("rule") {
        rule.push_str(&format!("; rule {number}"));
    }
    observation.rule = Some(rule.trim().to_string());
    Ok(Some(observation))
}
