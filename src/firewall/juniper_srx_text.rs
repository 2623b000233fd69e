//! The `juniper-srx-text` dialect: Juniper SRX session messages in the non-structured syslog
//! format (`set security log format syslog`, the default), behind a BSD syslog header.
//!
//! `Sep 29 23:49:20 SRX-1 RT_FLOW: RT_FLOW_SESSION_DENY: session denied 10.0.0.1/54924->192.168.1.1/53 junos-dns-udp 17(0) default-deny(global) trust trust ...`
//!
//! The message is a sentence followed by values separated by spaces, in an order that depends
//! on the event and on the Junos release. Endpoints are `ADDRESS/PORT->ADDRESS/PORT`, split at
//! the last `/` so IPv6 addresses work. This file owns three events, each also with the `_LS`
//! suffix of a logical system:
//!
//! - `RT_FLOW_SESSION_CREATE: session created SRC->DST SERVICE NAT-SRC->NAT-DST ... PROTOCOL
//!   POLICY FROM-ZONE TO-ZONE SESSION-ID ...`: allow;
//! - `RT_FLOW_SESSION_CLOSE: session closed REASON: SRC->DST SERVICE NAT-SRC->NAT-DST ...
//!   PROTOCOL POLICY FROM-ZONE TO-ZONE SESSION-ID ...`: allow;
//! - `RT_FLOW_SESSION_DENY: session denied SRC->DST SERVICE PROTOCOL(ICMP-TYPE) POLICY
//!   FROM-ZONE TO-ZONE ...`: deny, because the log does not say whether the policy denied or
//!   rejected.
//!
//! Newer releases put a connection tag (`0x0`) after each endpoint pair and NAT rule types
//! before the NAT rule names. So the protocol of a create or close message is found as the
//! first decimal number after the NAT endpoints that is followed by three words (policy and
//! zones) and a decimal session ID. A deny message's protocol is the first `N(M)` value.
//!
//! The `RT_SCREEN_...` messages of screens (`RT_IDS: RT_SCREEN_TCP: Port scan! source: ...`)
//! are read by `juniper_srx_text_screen.rs`. Other `RT_FLOW_...` messages, and screen messages
//! without a packet, are skipped under [`SKIP_SRX_TEXT_NOT_SESSION`]. The time is the syslog
//! header's, year-less and in the import zone. The log has no TCP flags and no reply.

use std::net::IpAddr;

use super::juniper_srx_text_screen::screen_observation;
use super::outcome::{bare_observation, DialectReader, LineOutcome};
use super::syslog_header::parse_header;
use super::syslog_time::LocalTimeResolver;
use super::{LogDialect, TimeContext};
use crate::model::{FirewallAction, IpProtocol, Locator, Observation};

/// Skip reason for lines without an `RT_FLOW_...:` or `RT_SCREEN_...:` message tag.
pub const SKIP_NOT_SRX_TEXT: &str = "not a Juniper SRX non-structured message";
/// Skip reason for SRX messages other than session create, close and deny and packet screens.
pub const SKIP_SRX_TEXT_NOT_SESSION: &str = "Juniper SRX non-structured message other than a session or screen";
/// Skip reason for session and screen messages that could not be read. Each is also an anomaly.
pub const SKIP_INVALID_SRX_TEXT: &str = "invalid Juniper SRX non-structured session or screen message";

/// The three session events, screens, and every other tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Event {
    Create,
    Close,
    Deny,
    Screen,
    Other,
}

/// Finds the event tag and the text after it: `RT_FLOW_SESSION_CREATE: TEXT`.
fn find_message(line: &str) -> Option<(&str, &str)> {
    let start = line.find(" RT_FLOW_").or_else(|| line.find(" RT_SCREEN_"))? + 1;
    let (tag, text) = line[start..].split_once(": ")?;
    if !tag.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_') {
        return None;
    }
    Some((tag, text))
}

fn event(tag: &str) -> Event {
    match tag.strip_suffix("_LS").unwrap_or(tag) {
        "RT_FLOW_SESSION_CREATE" => Event::Create,
        "RT_FLOW_SESSION_CLOSE" => Event::Close,
        "RT_FLOW_SESSION_DENY" => Event::Deny,
        screen if screen.starts_with("RT_SCREEN_") => Event::Screen,
        _ => Event::Other,
    }
}

/// Returns true when `line` carries a non-structured SRX message. A structured-data message
/// (`[junos@...`) belongs to `juniper-srx`.
pub(super) fn is_srx_text_line(line: &str) -> bool {
    !line.contains(" [junos@") && find_message(line).is_some()
}

/// Reads `ADDRESS/PORT`.
fn endpoint(text: &str) -> Result<(IpAddr, u32), String> {
    let (address, port) = text.rsplit_once('/').ok_or_else(|| format!("endpoint {text:?} has no /PORT"))?;
    let address = address.parse().map_err(|_| format!("{address:?} is not an IP address"))?;
    let port = port.parse().map_err(|_| format!("invalid port in {text:?}"))?;
    Ok((address, port))
}

/// Reads `SRC/PORT->DST/PORT`.
fn endpoints(text: &str) -> Result<((IpAddr, u32), (IpAddr, u32)), String> {
    let (src, dst) = text.split_once("->").ok_or_else(|| format!("expected SRC/PORT->DST/PORT, found {text:?}"))?;
    Ok((endpoint(src)?, endpoint(dst)?))
}

fn is_decimal(word: &str) -> bool {
    !word.is_empty() && word.bytes().all(|b| b.is_ascii_digit())
}

/// The values of a session message that the observation needs.
struct Session<'a> {
    src: (IpAddr, u32),
    dst: (IpAddr, u32),
    protocol: u8,
    policy: Option<&'a str>,
    zones: Option<(&'a str, &'a str)>,
    reason: Option<&'a str>,
}

/// Reads the text after the tag of a create, close or deny message.
fn session(event: Event, text: &str) -> Result<Session<'_>, String> {
    let (reason, values) = match event {
        Event::Create => (None, text.strip_prefix("session created ").ok_or("missing \"session created\"")?),
        Event::Close => {
            let after = text.strip_prefix("session closed ").ok_or("missing \"session closed\"")?;
            let (reason, values) = after.split_once(": ").ok_or("missing the close reason before \": \"")?;
            (Some(reason), values)
        }
        _ => (None, text.strip_prefix("session denied ").ok_or("missing \"session denied\"")?),
    };
    let words: Vec<&str> = values.split(' ').filter(|word| !word.is_empty()).collect();
    let first = words.first().ok_or("missing the endpoints")?;
    let (src, dst) = endpoints(first)?;

    let protocol_at = if event == Event::Deny {
        words.iter().position(|word| word.ends_with(')') && word.split_once('(').is_some_and(|(n, _)| is_decimal(n)))
    } else {
        let nat = words.iter().skip(1).position(|word| word.contains("->")).map(|index| index + 1);
        let start = nat.ok_or("missing the NAT endpoints")? + 1;
        (start..words.len()).find(|&index| {
            is_decimal(words[index]) && words.get(index + 4).is_some_and(|session_id| is_decimal(session_id))
        })
    };
    let protocol_at = protocol_at.ok_or("missing the protocol number")?;
    let number = words[protocol_at].split('(').next().unwrap_or("");
    let protocol = number.parse().map_err(|_| format!("invalid protocol number {number:?}"))?;
    let policy = words.get(protocol_at + 1).copied();
    let zones = match (words.get(protocol_at + 2), words.get(protocol_at + 3)) {
        (Some(from), Some(to)) => Some((*from, *to)),
        _ => None,
    };
    Ok(Session { src, dst, protocol, policy, zones, reason })
}

/// Builds the observation of a session message, with time zero.
fn observation(event: Event, session: &Session<'_>, locator: Locator) -> Result<Observation, String> {
    let protocol = IpProtocol::from_ip_number(session.protocol);
    let mut observation = bare_observation(0, session.src.0, session.dst.0, protocol, locator);
    if protocol.has_ports() {
        let port = |value: u32| u16::try_from(value).map_err(|_| format!("port {value} is out of range"));
        observation.src_port = Some(port(session.src.1)?);
        observation.dst_port = Some(port(session.dst.1)?);
    }
    observation.action = Some(if event == Event::Deny { FirewallAction::Deny } else { FirewallAction::Allow });
    let mut parts = Vec::new();
    if let Some(policy) = session.policy {
        parts.push(format!("policy {policy}"));
    }
    if let Some((from, to)) = session.zones {
        parts.push(format!("{from} -> {to}"));
    }
    if let Some(reason) = session.reason {
        parts.push(format!("reason {reason}"));
    }
    observation.rule = (!parts.is_empty()).then(|| parts.join(" "));
    Ok(observation)
}

/// Reader of the `juniper-srx-text` dialect.
pub(super) struct JuniperSrxTextReader {
    resolver: LocalTimeResolver,
}

impl JuniperSrxTextReader {
    /// Creates a reader for one file.
    pub(super) fn new(time: &TimeContext) -> Self {
        Self { resolver: LocalTimeResolver::new(time) }
    }
}

impl DialectReader for JuniperSrxTextReader {
    fn dialect(&self) -> LogDialect {
        LogDialect::JuniperSrxText
    }

    fn read_line(&mut self, line: &str, locator: Locator) -> LineOutcome {
        if line.contains(" [junos@") {
            return LineOutcome::Skipped(SKIP_NOT_SRX_TEXT);
        }
        let Some((tag, text)) = find_message(line) else {
            return LineOutcome::Skipped(SKIP_NOT_SRX_TEXT);
        };
        let event = event(tag);
        if event == Event::Other {
            return LineOutcome::Skipped(SKIP_SRX_TEXT_NOT_SESSION);
        }
        let parsed = match event {
            Event::Screen => screen_observation(tag, text, locator),
            _ => session(event, text).and_then(|session| observation(event, &session, locator)).map(Some),
        };
        let mut observation = match parsed {
            Ok(Some(observation)) => observation,
            Ok(None) => return LineOutcome::Skipped(SKIP_SRX_TEXT_NOT_SESSION),
            Err(error) => return LineOutcome::Invalid(format!("{tag}: {error}")),
        };
        let resolved = parse_header(line).and_then(|header| self.resolver.resolve_header(header.time));
        match resolved {
            Ok(resolved) => {
                observation.ts_ns = resolved.ts_ns;
                LineOutcome::Observation {
                    observation: Box::new(observation),
                    warnings: resolved.note.into_iter().collect(),
                }
            }
            Err(error) => LineOutcome::Invalid(format!("{tag} without a readable syslog time: {error}")),
        }
    }

    fn invalid_reason(&self) -> &'static str {
        SKIP_INVALID_SRX_TEXT
    }

    fn time_assumption(&self) -> Option<String> {
        self.resolver.assumption()
    }
}
