//! The `juniper-srx` dialect: Juniper SRX structured syslog (`RT_FLOW` and `RT_IDS`).
//!
//! In structured-data mode (`set system syslog ... structured-data`) the SRX writes an
//! RFC 5424 line whose message ID is the event tag and whose structured data holds the fields:
//! `<14>1 2019-11-14T11:12:46.573+01:00 SRX-GW1 RT_FLOW - RT_FLOW_SESSION_DENY
//! [junos@2636.1.1.1.2.39 source-address="10.0.0.26" source-port="37233" ...]`. A relay may put
//! a BSD syslog header before it (`Sep 23 13:54:55 192.168.1.1 junos-flow: 2017-09-23T...`).
//! The structured data is read with the `key=value` reader of `key_value.rs`. Values are
//! quoted, and `\"` and `\\` are escapes, as in RFC 5424 section 6.3.3. Its third escape, `\]`,
//! is kept as written.
//!
//! Events read as observations, each also with the `_LS` suffix of a logical system:
//! - `RT_FLOW_SESSION_CREATE` (a policy permitted a session): allow;
//! - `RT_FLOW_SESSION_CLOSE` (a permitted session ended; `reason` says why): allow;
//! - `RT_FLOW_SESSION_DENY` (a policy denied or rejected the first packet): deny, because the
//!   log does not say whether the policy was `deny` or `reject`;
//! - `RT_SCREEN_*` from `RT_IDS` (a screen such as a port scan, a sweep or a flood matched):
//!   `action="drop"` is drop, `alarm-without-drop` and `alarm` are log, and a message without
//!   an `action` field has no action.
//!
//! `APPTRACK_SESSION_*` messages repeat a session the `RT_FLOW` messages already have and are
//! skipped under [`SKIP_SRX_APPTRACK`]; other Junos messages (`FLOW_MCAST_RPF_FAIL`, ...) under
//! [`SKIP_SRX_NOT_TRAFFIC`].
//!
//! NOTE: a session logged at both create and close gives two observations of the same
//! endpoints. A policy may log at create, at close or both, and a close without its create is
//! the only record of that session, so closes are kept.
//!
//! Fields: `source-address`, `destination-address`, `source-port`, `destination-port` (TCP,
//! UDP, SCTP), `protocol-id`, `icmp-type` (ICMP, without a code, so it is not stored). The
//! rule is `policy-name`, the zones, and `reason` (close, deny) or `attack-name` (screen). NAT fields
//! are not read. The time is the RFC 5424 timestamp; one without an offset
//! (`2013-01-19T15:18:17.040`) is local time in the import zone. The log has no TCP flags.

use chrono::NaiveDateTime;

use super::key_value::{parse_pairs, Pairs};
use super::outcome::{bare_observation, DialectReader, LineOutcome};
use super::syslog_header::{parse_header, parse_rfc3339};
use super::syslog_time::LocalTimeResolver;
use super::{LogDialect, TimeContext};
use crate::model::{FirewallAction, IpProtocol, Locator, Observation, TimestampNs};

/// Skip reason for lines without a Junos structured-data message.
pub const SKIP_NOT_SRX: &str = "not a Juniper SRX structured syslog message";
/// Skip reason for AppTrack messages, which repeat an `RT_FLOW` session.
pub const SKIP_SRX_APPTRACK: &str = "Juniper SRX AppTrack message";
/// Skip reason for Junos messages other than `RT_FLOW` sessions and `RT_IDS` screens.
pub const SKIP_SRX_NOT_TRAFFIC: &str = "Juniper SRX message other than a session or screen";
/// Skip reason for session and screen messages that could not be read. Each is also an anomaly.
pub const SKIP_INVALID_SRX: &str = "invalid Juniper SRX session or screen message";

/// Start of the structured-data element of Junos messages.
const SD_START: &str = " [junos@";

/// Handling of an SRX event tag: the kind of observation, or a skip.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Event {
    SessionCreate,
    SessionClose,
    SessionDeny,
    Screen,
    AppTrack,
    Other,
}

fn event(tag: &str) -> Event {
    let tag = tag.strip_suffix("_LS").unwrap_or(tag);
    match tag {
        "RT_FLOW_SESSION_CREATE" => Event::SessionCreate,
        "RT_FLOW_SESSION_CLOSE" => Event::SessionClose,
        "RT_FLOW_SESSION_DENY" => Event::SessionDeny,
        _ if tag.starts_with("RT_SCREEN_") => Event::Screen,
        _ if tag.starts_with("APPTRACK_SESSION_") => Event::AppTrack,
        _ => Event::Other,
    }
}

/// A Junos structured-data message found in a line.
struct Message<'a> {
    /// The words before the event tag: `... TIMESTAMP HOST APP-NAME PROCID`.
    before_tag: &'a str,
    tag: &'a str,
    /// The element's parameters, without `[junos@ID ` and the closing `]`.
    parameters: &'a str,
}

/// Finds the `TAG [junos@ID ...]` part of `line`.
fn find_message(line: &str) -> Option<Message<'_>> {
    let sd = line.find(SD_START)?;
    let before_sd = &line[..sd];
    let tag_start = before_sd.rfind(' ').map_or(0, |index| index + 1);
    let tag = &before_sd[tag_start..];
    if tag.is_empty() || !tag.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_') {
        return None;
    }
    let element = &line[sd + SD_START.len()..];
    let parameters_start = element.find(' ').map_or(element.len(), |index| index + 1);
    let parameters = &element[parameters_start..];
    let parameters = &parameters[..element_end(parameters)];
    Some(Message { before_tag: before_sd[..tag_start].trim_end(), tag, parameters })
}

/// Returns the position of the `]` that closes a structured-data element: the first one
/// outside quoted values. The message text after it is not read. Without a closing `]` the
/// whole text is returned, so a line cut short fails as a damaged element.
fn element_end(parameters: &str) -> usize {
    let mut is_quoted = false;
    let mut is_escaped = false;
    for (index, byte) in parameters.bytes().enumerate() {
        match byte {
            _ if is_escaped => is_escaped = false,
            b'\\' => is_escaped = true,
            b'"' => is_quoted = !is_quoted,
            b']' if !is_quoted => return index,
            _ => {}
        }
    }
    parameters.len()
}

/// Returns true when `line` carries a Junos structured-data message.
pub(super) fn is_srx_line(line: &str) -> bool {
    find_message(line).is_some()
}

/// Reader of the `juniper-srx` dialect.
pub(super) struct JuniperSrxReader {
    resolver: LocalTimeResolver,
}

impl JuniperSrxReader {
    /// Creates a reader for one file.
    pub(super) fn new(time: &TimeContext) -> Self {
        Self { resolver: LocalTimeResolver::new(time) }
    }

    /// Reads the RFC 5424 timestamp, four words before the tag, or else the syslog header.
    fn message_time(&mut self, line: &str, message: &Message<'_>) -> Result<(TimestampNs, Option<String>), String> {
        let words: Vec<&str> = message.before_tag.split(' ').collect();
        let timestamp = words.len().checked_sub(4).map(|index| words[index]).unwrap_or("");
        let is_rfc3339 = timestamp.len() >= 19 && timestamp.as_bytes()[4] == b'-' && timestamp.as_bytes()[10] == b'T';
        if is_rfc3339 {
            if let Ok((ts_ns, consumed)) = parse_rfc3339(timestamp) {
                if consumed == timestamp.len() {
                    return Ok((ts_ns, None));
                }
            }
            let local = NaiveDateTime::parse_from_str(timestamp, "%Y-%m-%dT%H:%M:%S%.f")
                .map_err(|_| format!("invalid timestamp {timestamp:?}"))?;
            let resolved = self.resolver.resolve_local(local)?;
            return Ok((resolved.ts_ns, resolved.note));
        }
        let header = parse_header(line)?;
        let resolved = self.resolver.resolve_header(header.time)?;
        Ok((resolved.ts_ns, resolved.note))
    }
}

impl DialectReader for JuniperSrxReader {
    fn dialect(&self) -> LogDialect {
        LogDialect::JuniperSrx
    }

    fn read_line(&mut self, line: &str, locator: Locator) -> LineOutcome {
        let Some(message) = find_message(line) else {
            return LineOutcome::Skipped(SKIP_NOT_SRX);
        };
        let event = event(message.tag);
        match event {
            Event::AppTrack => return LineOutcome::Skipped(SKIP_SRX_APPTRACK),
            Event::Other => return LineOutcome::Skipped(SKIP_SRX_NOT_TRAFFIC),
            _ => {}
        }
        let parsed = parse_pairs(message.parameters)
            .map_err(|error| format!("{} structured data is damaged: {error}", message.tag))
            .and_then(|pairs| connection(&pairs, event, locator).map_err(|error| format!("{}: {error}", message.tag)));
        let mut observation = match parsed {
            Ok(observation) => observation,
            Err(error) => return LineOutcome::Invalid(error),
        };
        match self.message_time(line, &message) {
            Ok((ts_ns, note)) => {
                observation.ts_ns = ts_ns;
                LineOutcome::Observation { observation: Box::new(observation), warnings: note.into_iter().collect() }
            }
            Err(error) => LineOutcome::Invalid(format!("{} without a readable time: {error}", message.tag)),
        }
    }

    fn invalid_reason(&self) -> &'static str {
        SKIP_INVALID_SRX
    }

    fn time_assumption(&self) -> Option<String> {
        self.resolver.assumption()
    }
}

/// Reads the session or screen fields into an observation whose time is still zero.
fn connection(pairs: &Pairs<'_>, event: Event, locator: Locator) -> Result<Observation, String> {
    let address = |key: &str| {
        let value = pairs.get(key).ok_or_else(|| format!("missing {key}"))?;
        value.parse().map_err(|_| format!("{key} {value:?} is not an IP address"))
    };
    let src = address("source-address")?;
    let dst = address("destination-address")?;
    let protocol_id = pairs.non_empty("protocol-id").ok_or("missing protocol-id")?;
    let protocol =
        IpProtocol::from_ip_number(protocol_id.parse().map_err(|_| format!("invalid protocol-id {protocol_id:?}"))?);

    let mut observation = bare_observation(0, src, dst, protocol, locator);
    if protocol.has_ports() {
        observation.src_port = port(pairs, "source-port")?;
        observation.dst_port = port(pairs, "destination-port")?;
    }
    // Screen messages without an `action` field occur on real devices; the action then stays
    // empty, as in the non-structured dialect.
    observation.action = match event {
        Event::SessionCreate | Event::SessionClose => Some(FirewallAction::Allow),
        Event::SessionDeny => Some(FirewallAction::Deny),
        _ => match pairs.get("action") {
            Some("drop") => Some(FirewallAction::Drop),
            Some("alarm" | "alarm-without-drop") => Some(FirewallAction::Log),
            Some(other) => Some(FirewallAction::Other(other.to_string())),
            None => None,
        },
    };
    observation.rule = rule_text(pairs);
    Ok(observation)
}

fn port(pairs: &Pairs<'_>, key: &str) -> Result<Option<u16>, String> {
    match pairs.get(key) {
        None | Some("") => Ok(None),
        Some(value) => value.parse().map(Some).map_err(|_| format!("invalid {key} {value:?}")),
    }
}

/// Builds the rule text from the policy, zones, close or deny reason and screen name.
fn rule_text(pairs: &Pairs<'_>) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(policy) = pairs.non_empty("policy-name") {
        parts.push(format!("policy {policy}"));
    }
    match (pairs.non_empty("source-zone-name"), pairs.non_empty("destination-zone-name")) {
        (Some(from), Some(to)) => parts.push(format!("{from} -> {to}")),
        (Some(from), None) => parts.push(format!("from {from}")),
        _ => {}
    }
    if let Some(reason) = pairs.non_empty("reason") {
        parts.push(format!("reason {reason}"));
    }
    if let Some(attack) = pairs.non_empty("attack-name") {
        parts.push(format!("screen {attack}"));
    }
    (!parts.is_empty()).then(|| parts.join(" "))
}
