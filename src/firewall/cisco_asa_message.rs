//! Texts of the Cisco ASA traffic messages, read into observations.
//!
//! Terms: an *endpoint* is `[interface:]address[/port]` (106100 writes
//! `interface/address(port)`). The interface name may itself contain colons (`v1:outside`), so
//! the address is the longest colon-separated tail that parses as an IP address. Parenthesised
//! *decorations* may follow an endpoint, glued to it or after a space: a mapped address
//! `(192.0.2.1/22)`, a host name `(srv01.example.com)`, a user or `(type 8, code 0)`. Host and
//! user names are kept in the rule text, mapped addresses are ignored (the real address is the
//! one before them), and ICMP type and code are read.
//!
//! Message layouts, as Cisco's "ASA Series Syslog Messages" guide gives them:
//!
//! - 106001 `Inbound TCP connection denied from A/P to B/P flags FLAGS on interface I`
//! - 106006 `Deny inbound UDP from A/P to B/P on interface I`
//! - 106007 `Deny inbound UDP from A/P to B/P due to DNS {Query|Response}`
//! - 106014 `Deny {inbound|outbound} icmp src I:A dst I:B (type T, code C)`
//! - 106015 `Deny TCP (no connection) from A/P to B/P flags FLAGS on interface I`
//! - 106023 `Deny PROTO src I:A/P dst I:B/P [(type T, code C)] by access-group "ACL" [...]`
//! - 106100 `access-list ACL {permitted|denied|est-allowed} PROTO I/A(P) -> I/B(P) hit-cnt N ...`
//! - 302013, 302015 `Built {inbound|outbound} {TCP|UDP} connection ID for I:A/P (M/P) to I:B/P (M/P)`
//! - 302020 `Built {inbound|outbound} ICMP connection for faddr A/N gaddr G/N laddr B/N [type T code C]`
//! - 710003 `{TCP|UDP} access denied by ACL from A/P to I:B/P`
//!
//! Direction of Built messages: the endpoint after `for` (and `faddr`) is on the lower-security
//! interface. An inbound connection was opened from it, an outbound one towards it, so for
//! outbound messages the source is the second endpoint.

use std::net::IpAddr;

use super::outcome::bare_observation;
use crate::model::{FirewallAction, IcmpInfo, IpProtocol, Locator, Observation, TcpFlags};

/// Result of reading one message text.
#[derive(Debug)]
pub(super) enum Parsed {
    /// A packet or connection; the time is still zero.
    Observation(Box<Observation>),
    /// A message ID that describes neither a packet nor a connection.
    NotTraffic,
    /// A connection teardown.
    Teardown,
    /// A threat-detection rate message.
    ThreatRate,
    /// A traffic message with a name in place of an address, with the anomaly message.
    NamedEndpoint(String),
    /// A traffic message that could not be read, with the reason.
    Invalid(String),
}

/// The host part of an endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Host<'a> {
    Address(IpAddr),
    /// An object name, host name or anonymised value in place of an address.
    Name(&'a str),
}

/// One endpoint as written.
#[derive(Debug, Clone)]
struct Endpoint<'a> {
    interface: Option<&'a str>,
    host: Host<'a>,
    port: Option<&'a str>,
    /// Decorations that are names (host names, users), not mapped addresses.
    names: Vec<&'a str>,
    /// ICMP type and code from a `(type T, code C)` decoration.
    icmp: Option<(u8, u8)>,
}

/// Reads a message text. `tag` is `ASA-4-106023`, used in rule texts and messages.
pub(super) fn parse_body(tag: &str, id: u32, body: &str, locator: Locator) -> Parsed {
    let result = match id {
        106001 | 106006 | 106007 | 106015 | 710003 => from_to_message(tag, id, body, locator),
        106014 | 106023 => src_dst_message(tag, body, locator),
        106100 => access_list_message(tag, body, locator),
        302013 | 302015 => built_message(tag, body, locator),
        302020 => built_icmp_message(tag, body, locator),
        302014 | 302016 | 302021 => return Parsed::Teardown,
        733100 => return Parsed::ThreatRate,
        _ => return Parsed::NotTraffic,
    };
    match result {
        Ok(observation) => Parsed::Observation(Box::new(observation)),
        Err(Problem::Named(message)) => Parsed::NamedEndpoint(message),
        Err(Problem::Invalid(message)) => Parsed::Invalid(format!("{tag}: {message}")),
    }
}

/// Why a message gave no observation.
enum Problem {
    Named(String),
    Invalid(String),
}

impl From<String> for Problem {
    fn from(message: String) -> Self {
        Problem::Invalid(message)
    }
}

/// Returns the text after `word ` at the start of `text`.
fn after<'a>(text: &'a str, word: &str) -> Result<&'a str, String> {
    text.trim_start()
        .strip_prefix(word)
        .and_then(|rest| rest.strip_prefix(' '))
        .map(str::trim_start)
        .ok_or_else(|| format!("expected {word:?} before {:?}", head(text)))
}

fn head(text: &str) -> &str {
    super::syslog_header::head(text)
}

/// Splits off the first word.
fn word(text: &str) -> (&str, &str) {
    let text = text.trim_start();
    text.split_once(' ').map_or((text, ""), |(first, rest)| (first, rest.trim_start()))
}

/// Returns the protocol for an ASA protocol word or number.
fn protocol(word: &str) -> Result<IpProtocol, String> {
    let protocol = match word.to_ascii_lowercase().as_str() {
        "icmp" => IpProtocol::ICMP,
        "igmp" => IpProtocol::from_ip_number(2),
        "tcp" => IpProtocol::TCP,
        "udp" => IpProtocol::UDP,
        "gre" => IpProtocol::from_ip_number(47),
        "esp" => IpProtocol::from_ip_number(50),
        "ah" => IpProtocol::from_ip_number(51),
        "icmp6" | "icmpv6" => IpProtocol::ICMPV6,
        "sctp" => IpProtocol::SCTP,
        number => IpProtocol::from(number.parse::<u8>().map_err(|_| format!("unknown protocol {word:?}"))?),
    };
    Ok(protocol)
}

/// Reads an endpoint and its decorations from the start of `text`; returns the rest.
fn endpoint(text: &str, port_in_parentheses: bool) -> Result<(Endpoint<'_>, &str), String> {
    let text = text.trim_start();
    let core_end = text.find([' ', '(']).unwrap_or(text.len());
    let core = text[..core_end].trim_end_matches([',', '.']);
    if core.is_empty() {
        return Err(format!("missing endpoint before {:?}", head(text)));
    }
    let mut rest = &text[core_end..];
    let mut groups = Vec::new();
    loop {
        let trimmed = rest.trim_start();
        let Some(inner) = trimmed.strip_prefix('(') else {
            break;
        };
        let close = inner.find(')').ok_or_else(|| format!("unclosed '(' in {:?}", head(trimmed)))?;
        groups.push(&inner[..close]);
        rest = &inner[close + 1..];
    }

    let (interface_and_host, mut port) = if port_in_parentheses {
        let (interface, host) = core.split_once('/').map_or((None, core), |(i, h)| (Some(i), h));
        let port = if groups.is_empty() { None } else { Some(groups.remove(0)) };
        ((interface, host), port)
    } else {
        let (left, port) = core.rsplit_once('/').map_or((core, None), |(l, p)| (l, Some(p)));
        (split_interface(left), port)
    };
    port = port.filter(|port| !port.is_empty());
    let (interface, host_text) = interface_and_host;
    let host = host_text.parse().map_or(Host::Name(host_text), Host::Address);

    let mut names = Vec::new();
    let mut icmp = None;
    for group in groups {
        if let Some(type_code) = icmp_decoration(group) {
            icmp = Some(type_code?);
        } else if !is_mapped_address(group) {
            names.push(group.trim());
        }
    }
    Ok((Endpoint { interface, host, port, names, icmp }, rest))
}

/// Splits `[interface:]address` at the colon after which the rest is an IP address; a value
/// that never parses is a name after the last colon.
fn split_interface(text: &str) -> (Option<&str>, &str) {
    if text.parse::<IpAddr>().is_ok() {
        return (None, text);
    }
    for (index, _) in text.match_indices(':') {
        if text[index + 1..].parse::<IpAddr>().is_ok() {
            return (Some(&text[..index]), &text[index + 1..]);
        }
    }
    text.rsplit_once(':').map_or((None, text), |(interface, name)| (Some(interface), name))
}

/// Returns true for a mapped-address decoration `address/port`.
fn is_mapped_address(group: &str) -> bool {
    let address = group.split_once('/').map_or(group, |(address, _)| address);
    address.trim().parse::<IpAddr>().is_ok()
}

/// Reads `type T, code C` (or `type T code C`); `None` when the group is something else.
fn icmp_decoration(group: &str) -> Option<Result<(u8, u8), String>> {
    let rest = group.trim().strip_prefix("type ")?;
    let (icmp_type, code) = rest.split_once("code ")?;
    let icmp_type = icmp_type.trim().trim_end_matches(',').trim();
    let parsed = icmp_type.parse().ok().zip(code.trim().parse().ok());
    Some(parsed.ok_or_else(|| format!("invalid ICMP type and code {group:?}")))
}

/// Reads a `flags SYN ACK ...` word list into flags.
fn tcp_flags(words: &str) -> Result<Option<TcpFlags>, String> {
    let mut flags = 0;
    let mut any = false;
    for word in words.split_ascii_whitespace() {
        flags |= match word {
            "SYN" => TcpFlags::SYN,
            "ACK" => TcpFlags::ACK,
            "FIN" => TcpFlags::FIN,
            "RST" => TcpFlags::RST,
            "PSH" => TcpFlags::PSH,
            "URG" => TcpFlags::URG,
            "ECE" => TcpFlags::ECE,
            "CWR" => TcpFlags::CWR,
            other => return Err(format!("unknown TCP flag {other:?}")),
        };
        any = true;
    }
    Ok(any.then_some(TcpFlags(flags)))
}

/// Builds the observation from two endpoints, or reports a named endpoint.
fn observation(
    tag: &str,
    src: &Endpoint<'_>,
    dst: &Endpoint<'_>,
    protocol: IpProtocol,
    action: FirewallAction,
    rule_detail: Option<String>,
    locator: Locator,
) -> Result<Observation, Problem> {
    let (src_address, dst_address) = match (&src.host, &dst.host) {
        (Host::Address(src), Host::Address(dst)) => (*src, *dst),
        (Host::Name(name), _) | (_, Host::Name(name)) => {
            let side = if matches!(src.host, Host::Name(_)) { "source" } else { "destination" };
            return Err(Problem::Named(format!(
                "{tag} names the {side} as {name:?}, not an address; the line is kept as text and gives no observation"
            )));
        }
    };
    let mut observation = bare_observation(0, src_address, dst_address, protocol, locator);
    observation.action = Some(action);
    if protocol.has_ports() {
        observation.src_port = port_number(src.port, "source")?;
        observation.dst_port = port_number(dst.port, "destination")?;
    }
    if protocol == IpProtocol::ICMP || protocol == IpProtocol::ICMPV6 {
        if let Some((icmp_type, code)) = src.icmp.or(dst.icmp) {
            observation.icmp = Some(IcmpInfo { icmp_type, code, quoted: None });
        }
    }
    observation.rule = Some(rule_text(tag, src, dst, rule_detail));
    Ok(observation)
}

/// Reads a port. A service name such as `ssh` is left empty, because the ASA's name table is
/// configurable.
fn port_number(port: Option<&str>, side: &str) -> Result<Option<u16>, Problem> {
    match port {
        None => Ok(None),
        Some(port) if port.bytes().all(|b| b.is_ascii_digit()) => {
            port.parse().map(Some).map_err(|_| Problem::Invalid(format!("invalid {side} port {port:?}")))
        }
        // NOTE: a port written as a service name gives no port number.
        Some(_) => Ok(None),
    }
}

/// Builds `ASA-4-106023; access-group X; outside -> dmz; dst name srv01`.
fn rule_text(tag: &str, src: &Endpoint<'_>, dst: &Endpoint<'_>, detail: Option<String>) -> String {
    let mut parts = vec![tag.to_string()];
    parts.extend(detail);
    match (src.interface, dst.interface) {
        (Some(from), Some(to)) => parts.push(format!("{from} -> {to}")),
        (Some(from), None) => parts.push(format!("from {from}")),
        (None, Some(to)) => parts.push(format!("to {to}")),
        (None, None) => {}
    }
    for (side, endpoint) in [("src", src), ("dst", dst)] {
        for name in &endpoint.names {
            parts.push(format!("{side} name {name}"));
        }
        if let Some(port) = endpoint.port.filter(|port| !port.bytes().all(|b| b.is_ascii_digit())) {
            parts.push(format!("{side} service {port}"));
        }
    }
    parts.join("; ")
}

/// 106001, 106006, 106007, 106015 and 710003: `... from A/P to B/P [flags F] [on interface I]`.
fn from_to_message(tag: &str, id: u32, body: &str, locator: Locator) -> Result<Observation, Problem> {
    let (protocol_word, from) = match id {
        106001 => ("TCP", body.strip_prefix("Inbound TCP connection denied ")),
        106006 | 106007 => ("UDP", body.strip_prefix("Deny inbound UDP ")),
        106015 => ("TCP", body.strip_prefix("Deny TCP (no connection) ")),
        _ => {
            let (word, rest) = word(body);
            (word, rest.strip_prefix("access denied by ACL "))
        }
    };
    let from = from.ok_or_else(|| format!("unexpected text {:?}", head(body)))?;
    let protocol = protocol(protocol_word)?;
    let (src, rest) = endpoint(after(from, "from")?, false)?;
    let (dst, rest) = endpoint(after(rest, "to")?, false)?;
    let mut rest = rest.trim();
    let mut observation = observation(tag, &src, &dst, protocol, FirewallAction::Deny, None, locator)?;
    if let Some(flags) = rest.strip_prefix("flags") {
        let (words, tail) = flags.split_once(" on interface").unwrap_or((flags, ""));
        observation.tcp_flags = tcp_flags(words)?;
        rest = tail.trim();
    } else if let Some(tail) = rest.strip_prefix("on interface") {
        rest = tail.trim();
    } else if rest == "on" {
        // PIX can end the message after "on", without the interface name.
        rest = "";
    }
    let interface = rest.trim_end_matches('.').trim();
    if !interface.is_empty() && !rest.starts_with("due to") {
        if let Some(rule) = observation.rule.as_mut() {
            rule.push_str(&format!("; on {interface}"));
        }
    }
    Ok(observation)
}

/// 106014 and 106023: `Deny [inbound|outbound] PROTO src I:A dst I:B ... [by access-group "X"]`.
fn src_dst_message(tag: &str, body: &str, locator: Locator) -> Result<Observation, Problem> {
    let rest = after(body, "Deny")?;
    let rest = rest.strip_prefix("inbound ").or_else(|| rest.strip_prefix("outbound ")).unwrap_or(rest);
    let (protocol_word, rest) = word(rest);
    let protocol = protocol(protocol_word)?;
    let (src, rest) = endpoint(after(rest, "src")?, false)?;
    let (dst, rest) = endpoint(after(rest, "dst")?, false)?;
    let acl = rest
        .split_once("access-group ")
        .map(|(_, acl)| acl.split_whitespace().next().unwrap_or("").trim_matches('"'))
        .map(|acl| format!("access-group {acl}"));
    observation(tag, &src, &dst, protocol, FirewallAction::Deny, acl, locator)
}

/// 106100: `access-list ACL ACTION PROTO I/A(P) -> I/B(P) hit-cnt N ...`.
fn access_list_message(tag: &str, body: &str, locator: Locator) -> Result<Observation, Problem> {
    let (acl, rest) = word(after(body, "access-list")?);
    let (verdict, rest) = word(rest);
    let action = match verdict {
        "permitted" | "est-allowed" => FirewallAction::Allow,
        "denied" => FirewallAction::Deny,
        other => return Err(format!("unknown access-list verdict {other:?}").into()),
    };
    let (protocol_word, rest) = word(rest);
    let protocol = protocol(protocol_word)?;
    let (src, rest) = endpoint(rest, true)?;
    let (dst, _) = endpoint(after(rest.trim_start(), "->")?, true)?;
    let detail = format!("access-list {acl} {verdict}");
    observation(tag, &src, &dst, protocol, action, Some(detail), locator)
}

/// Reads `inbound` or `outbound`.
fn direction(word: &str) -> Result<bool, String> {
    match word {
        "inbound" => Ok(true),
        "outbound" => Ok(false),
        other => Err(format!("unknown direction {other:?}")),
    }
}

/// 302013 and 302015: `Built DIR PROTO connection ID for I:A/P (M/P) to I:B/P (M/P)`.
fn built_message(tag: &str, body: &str, locator: Locator) -> Result<Observation, Problem> {
    let (direction_word, rest) = word(after(body, "Built")?);
    let is_inbound = direction(direction_word)?;
    let (protocol_word, rest) = word(rest);
    let protocol = protocol(protocol_word)?;
    let (_, rest) = word(after(rest, "connection")?);
    let (outer, rest) = endpoint(after(rest, "for")?, false)?;
    let (inner, _) = endpoint(after(rest.trim_start(), "to")?, false)?;
    let (src, dst) = if is_inbound { (&outer, &inner) } else { (&inner, &outer) };
    let detail = format!("built {direction_word}");
    observation(tag, src, dst, protocol, FirewallAction::Allow, Some(detail), locator)
}

/// 302020: `Built DIR ICMP connection for faddr A/N gaddr G/N laddr B/N [type T code C]`.
fn built_icmp_message(tag: &str, body: &str, locator: Locator) -> Result<Observation, Problem> {
    let (direction_word, rest) = word(after(body, "Built")?);
    let is_inbound = direction(direction_word)?;
    let (protocol_word, rest) = word(rest);
    let protocol = protocol(protocol_word)?;
    let rest = after(after(rest, "connection")?, "for")?;
    let (foreign, rest) = endpoint(after(rest, "faddr")?, false)?;
    let (_, rest) = endpoint(after(rest.trim_start(), "gaddr")?, false)?;
    let (local, rest) = endpoint(after(rest.trim_start(), "laddr")?, false)?;
    let (src, dst) = if is_inbound { (&foreign, &local) } else { (&local, &foreign) };
    let detail = format!("built {direction_word}");
    let mut observation = observation(tag, src, dst, protocol, FirewallAction::Allow, Some(detail), locator)?;
    // The number after each ICMP address is an identifier or type, not a port.
    observation.src_port = None;
    observation.dst_port = None;
    let type_code = rest.find("type ").and_then(|start| icmp_decoration(&rest[start..]));
    if let Some(type_code) = type_code {
        let (icmp_type, code) = type_code?;
        observation.icmp = Some(IcmpInfo { icmp_type, code, quoted: None });
    }
    Ok(observation)
}
