//! Screen messages of the `juniper-srx-text` dialect: `RT_SCREEN_...` from `RT_IDS`.
//!
//! A screen is an SRX check for an attack pattern (a port scan, a sweep, a flood, a malformed
//! packet) applied to a zone. In the non-structured format its message is the attack name and
//! comma-separated `NAME: VALUE` fields:
//!
//! `RT_IDS: RT_SCREEN_TCP: SYN flood! source: 1.1.1.2:40001, destination: 2.2.2.2:50010, zone name: trustZone, interface name: ge-0/0/1.0, action: drop`
//!
//! The tag names the protocol. `RT_SCREEN_TCP` (6) and `RT_SCREEN_UDP` (17) have
//! `ADDRESS:PORT` endpoints, split at the last `:` so that IPv6 addresses work.
//! `RT_SCREEN_ICMP` (1, or 58 for IPv6 endpoints) has bare addresses. `RT_SCREEN_IP` has bare
//! addresses and a `protocol-id: N` field. Other `RT_SCREEN_...` tags (session limits and the
//! like) carry no packet and are skipped.
//!
//! The action is read as in the structured dialect: `drop` is drop, `alarm` and
//! `alarm-without-drop` are logged only, any other word is kept as written. Many messages end
//! at the interface name without an `action:` field. Their action stays empty, because the
//! screen may have dropped the packet or only raised an alarm, and the message does not say
//! which.
//!
//! The rule is `screen ATTACK-NAME` and `from ZONE`, in the words of the structured dialect.
//!
//! NOTE: the `RT_SCREEN_ICMP` and `RT_SCREEN_IP` spellings (bare addresses, `protocol-id: N`)
//! follow the fields of their structured form; no non-structured sample of them was at hand.

use std::net::IpAddr;

use super::outcome::bare_observation;
use crate::model::{FirewallAction, IpProtocol, Locator, Observation};

/// Reads the text after an `RT_SCREEN_...` tag into an observation whose time is still zero.
/// Returns `Ok(None)` for a screen tag whose message has no packet.
pub(super) fn screen_observation(tag: &str, text: &str, locator: Locator) -> Result<Option<Observation>, String> {
    let kind = match tag.strip_suffix("_LS").unwrap_or(tag) {
        "RT_SCREEN_TCP" => ScreenKind::Ports(IpProtocol::TCP),
        "RT_SCREEN_UDP" => ScreenKind::Ports(IpProtocol::UDP),
        "RT_SCREEN_ICMP" => ScreenKind::Icmp,
        "RT_SCREEN_IP" => ScreenKind::Ip,
        _ => return Ok(None),
    };
    let fields_at = text.find(" source: ").ok_or("missing \"source: \" after the attack name")?;
    let attack = &text[..fields_at];
    let fields = Fields::parse(&text[fields_at + 1..])?;

    let source = fields.get("source").ok_or("missing the source")?;
    let destination = fields.get("destination").ok_or("missing the destination")?;
    let (src, src_port, dst, dst_port) = match kind {
        ScreenKind::Ports(_) => {
            let (src, src_port) = address_and_port(source)?;
            let (dst, dst_port) = address_and_port(destination)?;
            (src, Some(src_port), dst, Some(dst_port))
        }
        ScreenKind::Icmp | ScreenKind::Ip => (address(source)?, None, address(destination)?, None),
    };
    let protocol = match kind {
        ScreenKind::Ports(protocol) => protocol,
        ScreenKind::Icmp if dst.is_ipv6() => IpProtocol::ICMPV6,
        ScreenKind::Icmp => IpProtocol::ICMP,
        ScreenKind::Ip => {
            let number = fields.get("protocol-id").ok_or("missing protocol-id")?;
            IpProtocol::from_ip_number(number.parse().map_err(|_| format!("invalid protocol-id {number:?}"))?)
        }
    };

    let mut observation = bare_observation(0, src, dst, protocol, locator);
    observation.src_port = src_port;
    observation.dst_port = dst_port;
    observation.action = fields.get("action").map(|word| match word {
        "drop" => FirewallAction::Drop,
        "alarm" | "alarm-without-drop" => FirewallAction::Log,
        other => FirewallAction::Other(other.to_string()),
    });
    let mut rule = format!("screen {}", attack.trim());
    if let Some(zone) = fields.get("zone name") {
        rule.push_str(&format!(" from {zone}"));
    }
    observation.rule = Some(rule);
    Ok(Some(observation))
}

/// Protocol and endpoint spelling of a screen tag.
#[derive(Debug, Clone, Copy)]
enum ScreenKind {
    /// TCP or UDP screens: `ADDRESS:PORT` endpoints.
    Ports(IpProtocol),
    /// ICMP screens: bare addresses.
    Icmp,
    /// IP screens: bare addresses and a `protocol-id` field.
    Ip,
}

/// The `NAME: VALUE` fields of a screen message, in order.
struct Fields<'a>(Vec<(&'a str, &'a str)>);

impl<'a> Fields<'a> {
    fn parse(text: &'a str) -> Result<Self, String> {
        let mut fields = Vec::new();
        for field in text.split(", ") {
            let (name, value) = field.split_once(": ").ok_or_else(|| format!("field {field:?} is not NAME: VALUE"))?;
            fields.push((name, value.trim()));
        }
        Ok(Fields(fields))
    }

    fn get(&self, name: &str) -> Option<&'a str> {
        self.0.iter().find(|(field, _)| *field == name).map(|(_, value)| *value)
    }
}

fn address(text: &str) -> Result<IpAddr, String> {
    text.parse().map_err(|_| format!("{text:?} is not an IP address"))
}

/// Reads `ADDRESS:PORT`, where an IPv6 address keeps its own colons.
fn address_and_port(text: &str) -> Result<(IpAddr, u16), String> {
    let (address_text, port) = text.rsplit_once(':').ok_or_else(|| format!("endpoint {text:?} has no :PORT"))?;
    let port = port.parse().map_err(|_| format!("invalid port in {text:?}"))?;
    Ok((address(address_text)?, port))
}
