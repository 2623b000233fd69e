//! The `suricata-eve` dialect: Suricata's `eve.json`, one JSON event per line.
//!
//! `alert`, `drop` and `flow` events become observations; other event types (`stats`, `dns`,
//! `http`, ...) are skipped under [`SKIP_EVE_OTHER_EVENT`]. Fields read: `src_ip`, `src_port`,
//! `dest_ip`, `dest_port`, `proto` (`TCP`, `UDP`, `ICMP`, `IPv6-ICMP`, `SCTP` or a number),
//! `icmp_type` and `icmp_code`.
//!
//! - Time: an alert's `timestamp` (the packet's time); a flow's `flow.start` (its first packet),
//!   else `timestamp`. Suricata writes a UTC offset such as `+0000`; a time without one (as some
//!   exporters rewrite it) is read in the import zone.
//! - Alert: action from `alert.action` (`allowed` allow, `blocked` drop); rule
//!   `sid N: SIGNATURE`.
//! - Drop: action drop.
//! - Flow: action log; rule `flow state STATE, reason REASON`. `tcp_flags` is SYN when the
//!   client's flags (`tcp.tcp_flags_ts`, hex, the OR of every segment it sent) include SYN,
//!   because a flow it opened starts with that SYN. Otherwise they are the ORed flags, which
//!   are the first segment's flags only when the client sent one kind of segment.
//! - Flow reply, into [`Observation::connection`]: for TCP the server's ORed flags
//!   (`tcp.tcp_flags_tc`) with SYN and ACK are open, with RST and no SYN/ACK closed, and no
//!   packet to the client (`flow.pkts_toclient` 0 or server flags `00`) is unanswered. Server
//!   packets without SYN/ACK or RST are midstream, as is any answered flow the client did not
//!   open with a SYN.
//!   The handshake completed when the client's flags have ACK beside the server's SYN/ACK, and
//!   the client reset a half-open connection when they have RST without ACK. For UDP and ICMP
//!   any packet to the client is open. A flow with an `app_proto` exchanged payload, because
//!   Suricata names the application only from payload.

use std::net::IpAddr;

use serde_json::Value;

use super::outcome::{bare_observation, DialectReader, LineOutcome};
use chrono::NaiveDateTime;

use super::syslog_header::parse_rfc3339;
use super::syslog_time::{LocalTimeResolver, ResolvedTime};
use super::{LogDialect, TimeContext};
use crate::model::{
    ConnectionSummary, FirewallAction, IcmpInfo, IpProtocol, Locator, Observation, ResponderReply, TcpFlags,
};

/// Skip reason for lines that are not JSON objects with an `event_type`.
pub const SKIP_NOT_EVE: &str = "not a Suricata eve.json event";
/// Skip reason for eve.json events other than alert, drop and flow.
pub const SKIP_EVE_OTHER_EVENT: &str = "Suricata eve.json event without a packet or flow";
/// Skip reason for events that could not be read. Each is also an anomaly.
pub const SKIP_INVALID_EVE: &str = "invalid Suricata eve.json event";

/// Reader of the `suricata-eve` dialect.
pub(super) struct SuricataEveReader {
    resolver: LocalTimeResolver,
}

impl SuricataEveReader {
    /// Creates a reader for one file.
    pub(super) fn new(time: &TimeContext) -> Self {
        Self { resolver: LocalTimeResolver::new(time) }
    }
}

/// Reads an RFC 3339 time, or an ISO 8601 time without an offset in the import zone.
fn event_time(text: &str, resolver: &mut LocalTimeResolver) -> Result<ResolvedTime, String> {
    if let Ok((ts_ns, _)) = parse_rfc3339(text) {
        return Ok(ResolvedTime { ts_ns, note: None });
    }
    let local = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
        .map_err(|_| format!("invalid timestamp {text:?}"))?;
    resolver.resolve_local(local)
}

/// Returns true when `line` is an eve.json event.
pub(super) fn is_eve_line(line: &str) -> bool {
    line.starts_with('{') && line.contains("\"event_type\"") && line.contains("\"timestamp\"")
}

fn text<'a>(event: &'a Value, key: &str) -> Option<&'a str> {
    event.get(key).and_then(Value::as_str)
}

fn address(event: &Value, key: &str) -> Result<IpAddr, String> {
    let value = text(event, key).ok_or_else(|| format!("missing {key}"))?;
    value.parse().map_err(|_| format!("invalid {key} {value:?}"))
}

fn small_number<T: TryFrom<u64>>(event: &Value, key: &str) -> Result<Option<T>, String> {
    match event.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => {
            let number = value.as_u64().ok_or_else(|| format!("invalid {key} {value}"))?;
            T::try_from(number).map(Some).map_err(|_| format!("{key} {number} is out of range"))
        }
    }
}

fn protocol(word: &str) -> Result<IpProtocol, String> {
    Ok(match word {
        "TCP" => IpProtocol::TCP,
        "UDP" => IpProtocol::UDP,
        "ICMP" => IpProtocol::ICMP,
        "IPv6-ICMP" | "ICMPv6" => IpProtocol::ICMPV6,
        "SCTP" => IpProtocol::SCTP,
        number => IpProtocol::from(number.parse::<u8>().map_err(|_| format!("unknown proto {word:?}"))?),
    })
}

/// Reads a flow's ORed TCP flags of one side, `tcp_flags_ts` (client) or `tcp_flags_tc`
/// (server), written in hex.
fn side_flags(event: &Value, key: &str) -> Result<Option<u8>, String> {
    let Some(hex) = event.get("tcp").and_then(|tcp| text(tcp, key)) else {
        return Ok(None);
    };
    u8::from_str_radix(hex, 16).map(Some).map_err(|_| format!("invalid tcp.{key} {hex:?}"))
}

/// Reads the client's TCP flags of a flow, as the module doc describes.
fn flow_flags(event: &Value) -> Result<Option<TcpFlags>, String> {
    let Some(bits) = side_flags(event, "tcp_flags_ts")? else {
        return Ok(None);
    };
    if bits & TcpFlags::SYN != 0 {
        return Ok(Some(TcpFlags(TcpFlags::SYN)));
    }
    Ok(Some(TcpFlags(bits)))
}

/// Reads the server's reply to a flow, as the module doc describes. Returns `None` when the
/// event has neither the server's TCP flags nor `flow.pkts_toclient`.
fn flow_summary(event: &Value, protocol: IpProtocol) -> Result<Option<ConnectionSummary>, String> {
    let flow = event.get("flow");
    let packets_to_client = match flow {
        Some(flow) => small_number::<u64>(flow, "pkts_toclient")?,
        None => None,
    };
    let payload_exchanged = text(event, "app_proto").is_some();
    if protocol != IpProtocol::TCP {
        let Some(packets) = packets_to_client else {
            return Ok(None);
        };
        let reply = if packets > 0 { ResponderReply::Open } else { ResponderReply::Unanswered };
        let summary = ConnectionSummary {
            payload_exchanged: payload_exchanged && protocol == IpProtocol::UDP,
            ..ConnectionSummary::with_reply(reply)
        };
        return Ok(Some(summary));
    }
    let client = side_flags(event, "tcp_flags_ts")?.unwrap_or(0);
    let server = side_flags(event, "tcp_flags_tc")?;
    let syn_ack = TcpFlags::SYN | TcpFlags::ACK;
    let reply = match (server, packets_to_client) {
        (Some(bits), _) if bits & syn_ack == syn_ack => ResponderReply::Open,
        (Some(bits), _) if bits & TcpFlags::RST != 0 => ResponderReply::Closed,
        (_, Some(0)) | (Some(0), None) => ResponderReply::Unanswered,
        (Some(_), _) | (None, Some(_)) => ResponderReply::Midstream,
        (None, None) => return Ok(None),
    };
    let mut summary = ConnectionSummary { payload_exchanged, ..ConnectionSummary::with_reply(reply) };
    if reply == ResponderReply::Open {
        summary.handshake_completed = client & TcpFlags::ACK != 0;
        summary.source_reset = client & TcpFlags::RST != 0 && !summary.handshake_completed;
    }
    Ok(Some(summary))
}

fn read_event(
    line: &str,
    locator: Locator,
    resolver: &mut LocalTimeResolver,
) -> Result<Option<(Observation, Option<String>)>, String> {
    let event: Value = serde_json::from_str(line).map_err(|error| format!("invalid JSON: {error}"))?;
    let event_type = text(&event, "event_type").ok_or("missing event_type")?;
    if !matches!(event_type, "alert" | "drop" | "flow") {
        return Ok(None);
    }
    let flow = event.get("flow");
    let time_text = match event_type {
        "flow" => flow.and_then(|flow| text(flow, "start")).or_else(|| text(&event, "timestamp")),
        _ => text(&event, "timestamp"),
    };
    let time_text = time_text.ok_or("missing timestamp")?;
    let ResolvedTime { ts_ns, note } = event_time(time_text, resolver)?;
    let src = address(&event, "src_ip")?;
    let dst = address(&event, "dest_ip")?;
    let protocol = protocol(text(&event, "proto").ok_or("missing proto")?)?;
    let mut observation = bare_observation(ts_ns, src, dst, protocol, locator);
    if protocol.has_ports() {
        observation.src_port = small_number(&event, "src_port")?;
        observation.dst_port = small_number(&event, "dest_port")?;
    }
    let icmp_type = small_number::<u8>(&event, "icmp_type")?;
    let icmp_code = small_number::<u8>(&event, "icmp_code")?;
    if let (Some(icmp_type), Some(code)) = (icmp_type, icmp_code) {
        observation.icmp = Some(IcmpInfo { icmp_type, code, quoted: None });
    }
    match event_type {
        "alert" => {
            let alert = event.get("alert").ok_or("alert event without an alert object")?;
            observation.action = Some(match text(alert, "action") {
                Some("allowed") => FirewallAction::Allow,
                Some("blocked") => FirewallAction::Drop,
                Some(other) => FirewallAction::Other(other.to_string()),
                None => FirewallAction::Log,
            });
            let sid = alert.get("signature_id").and_then(Value::as_u64).map_or("-".to_string(), |sid| sid.to_string());
            observation.rule = Some(format!("sid {sid}: {}", text(alert, "signature").unwrap_or("-")));
        }
        "drop" => observation.action = Some(FirewallAction::Drop),
        _ => {
            observation.action = Some(FirewallAction::Log);
            let state = flow.and_then(|flow| text(flow, "state")).unwrap_or("-");
            let reason = flow.and_then(|flow| text(flow, "reason")).unwrap_or("-");
            observation.rule = Some(format!("flow state {state}, reason {reason}"));
            if protocol == IpProtocol::TCP {
                observation.tcp_flags = flow_flags(&event)?;
            }
            observation.connection = flow_summary(&event, protocol)?;
        }
    }
    Ok(Some((observation, note)))
}

impl DialectReader for SuricataEveReader {
    fn dialect(&self) -> LogDialect {
        LogDialect::SuricataEve
    }

    fn read_line(&mut self, line: &str, locator: Locator) -> LineOutcome {
        if !line.trim_start().starts_with('{') {
            return LineOutcome::Skipped(SKIP_NOT_EVE);
        }
        match read_event(line.trim(), locator, &mut self.resolver) {
            Ok(Some((observation, note))) => {
                LineOutcome::Observation { observation: Box::new(observation), warnings: note.into_iter().collect() }
            }
            Ok(None) => LineOutcome::Skipped(SKIP_EVE_OTHER_EVENT),
            Err(message) => LineOutcome::Invalid(message),
        }
    }

    fn invalid_reason(&self) -> &'static str {
        SKIP_INVALID_EVE
    }

    fn time_assumption(&self) -> Option<String> {
        self.resolver.assumption()
    }
}
