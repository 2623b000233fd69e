//! The `pf-tcpdump` dialect: OpenBSD and FreeBSD pf log packets as `tcpdump -n -e -ttt -r pflog`
//! prints them.
//!
//! A line is `TIME rule N/(REASON) ACTION DIR on IFACE: SRC > DST: DETAILS`. With `-e` tcpdump
//! prints the pflog header (rule, reason, action, direction, interface). Times: OpenBSD's
//! `-ttt` writes `Aug 29 15:41:11.757829` (year-less local time) and `-tttt` writes
//! `2016-08-29 15:41:11.757829` (local time); both are read in the import zone. FreeBSD's
//! `-ttt` writes the delta to the previous packet, which has no wall-clock time and makes the
//! line invalid.
//!
//! Addresses end in `.PORT` for TCP and UDP (`192.0.2.1.55806`, `2001:db8::1.443`). Details:
//! TCP in the old style (`S 757158343:757158343(0) ack 1 win 52206`, flag letters `SFRPWE`, `.`
//! for none, and `ack N` meaning ACK is set) or the new style (`Flags [S.], seq ...`, where `.`
//! is ACK); UDP as `udp 14` or `UDP, length 14`; ICMP as `icmp: ...` or `ICMP ...`.
//! Actions: `pass` allow, `block` deny (the log does not say whether the rule drops or
//! returns), `match` log, other words kept. The rule is `rule N (REASON) on IFACE DIR`.

use std::net::IpAddr;

use chrono::NaiveDateTime;

use super::outcome::{bare_observation, tcp_flags_from_letters, DialectReader, LineOutcome};
use super::syslog_header::parse_header;
use super::syslog_time::LocalTimeResolver;
use super::{LogDialect, TimeContext};
use crate::model::{FirewallAction, IpProtocol, Locator, Observation, TcpFlags};

/// Skip reason for lines that are not pf log packets.
pub const SKIP_NOT_PF: &str = "not a pf log packet line";
/// Skip reason for pf log packet lines that could not be read. Each is also an anomaly.
pub const SKIP_INVALID_PF: &str = "invalid pf log packet line";

/// Returns the pflog header text after `rule ` and the text before it, when `line` has one.
fn split_rule(line: &str) -> Option<(&str, &str)> {
    let index = line.find(" rule ")?;
    let rest = &line[index + " rule ".len()..];
    rest.contains(" on ").then_some((&line[..index], rest))
}

/// Returns true when `line` is a pf log packet line.
pub(super) fn is_pf_line(line: &str) -> bool {
    split_rule(line).is_some_and(|(_, rest)| {
        let words: Vec<&str> = rest.split_whitespace().take(4).collect();
        words.len() == 4
            && words[0].contains("/(")
            && matches!(words[1], "pass" | "block" | "match" | "nat" | "rdr" | "binat" | "scrub")
            && matches!(words[2], "in" | "out")
            && words[3] == "on"
    })
}

/// Reader of the `pf-tcpdump` dialect.
pub(super) struct PfTcpdumpReader {
    resolver: LocalTimeResolver,
}

impl PfTcpdumpReader {
    /// Creates a reader for one file.
    pub(super) fn new(time: &TimeContext) -> Self {
        Self { resolver: LocalTimeResolver::new(time) }
    }

    fn resolve(&mut self, time: &str) -> Result<(i64, Option<String>), String> {
        let resolved = match NaiveDateTime::parse_from_str(time, "%Y-%m-%d %H:%M:%S%.f") {
            Ok(local) => self.resolver.resolve_local(local)?,
            Err(_) => {
                let header = parse_header(time).map_err(|reason| format!("unreadable time {time:?}: {reason}"))?;
                self.resolver.resolve_header(header.time)?
            }
        };
        Ok((resolved.ts_ns, resolved.note))
    }
}

/// Splits `ADDRESS.PORT`; `has_port` says whether the protocol has ports.
fn endpoint(text: &str, has_port: bool) -> Result<(IpAddr, Option<u16>), String> {
    if !has_port {
        return text.parse().map(|address| (address, None)).map_err(|_| format!("invalid address {text:?}"));
    }
    let (address, port) = text.rsplit_once('.').ok_or_else(|| format!("missing port in {text:?}"))?;
    let address = address.parse().map_err(|_| format!("invalid address {address:?} in {text:?}"))?;
    let port = port.parse().map_err(|_| format!("invalid port {port:?} in {text:?}"))?;
    Ok((address, Some(port)))
}

/// Returns the protocol and TCP flags from the details after `SRC > DST: `.
fn details(text: &str) -> Result<(IpProtocol, Option<TcpFlags>), String> {
    let first = text.split_whitespace().next().unwrap_or("").trim_end_matches([',', ':']);
    let protocol = match first {
        "udp" | "UDP" => return Ok((IpProtocol::UDP, None)),
        "icmp" | "ICMP" => return Ok((IpProtocol::ICMP, None)),
        "icmp6" | "ICMP6" => return Ok((IpProtocol::ICMPV6, None)),
        "igmp" | "IGMP" => return Ok((IpProtocol::from_ip_number(2), None)),
        "Flags" => {
            let inner = text.split_once('[').and_then(|(_, rest)| rest.split_once(']')).map(|(flags, _)| flags);
            let inner = inner.ok_or_else(|| format!("unreadable TCP flags in {text:?}"))?;
            let has_ack = inner.contains('.');
            let letters: String = inner.chars().filter(|c| *c != '.').collect();
            let mut flags = tcp_flags_from_letters(&letters).ok_or_else(|| format!("invalid TCP flags {inner:?}"))?;
            if has_ack {
                flags.0 |= TcpFlags::ACK;
            }
            return Ok((IpProtocol::TCP, Some(flags)));
        }
        letters => letters,
    };
    let letters = protocol.trim_matches('.');
    let mut flags =
        tcp_flags_from_letters(letters).ok_or_else(|| format!("unknown protocol or TCP flags {protocol:?}"))?;
    if text.contains(" ack ") {
        flags.0 |= TcpFlags::ACK;
    }
    Ok((IpProtocol::TCP, Some(flags)))
}

/// Reads the part after `rule ` into an observation whose time is still zero.
fn parse_packet(rest: &str, locator: Locator) -> Result<Observation, String> {
    let (header, packet) = rest.split_once(": ").ok_or("missing ': ' after the pflog header")?;
    let words: Vec<&str> = header.split_whitespace().collect();
    let [rule_reason, action_word, direction, "on", interface, ..] = words.as_slice() else {
        return Err(format!("unreadable pflog header {header:?}"));
    };
    let (rule_number, reason) = rule_reason.split_once("/(").ok_or_else(|| format!("invalid rule {rule_reason:?}"))?;
    let reason = reason.trim_end_matches(')');

    let (addresses, detail_text) = packet.split_once(": ").unwrap_or((packet, ""));
    let (src_text, dst_text) = addresses.split_once(" > ").ok_or_else(|| format!("missing ' > ' in {addresses:?}"))?;
    let (protocol, flags) = details(detail_text)?;
    let (src, src_port) = endpoint(src_text.trim(), protocol.has_ports())?;
    let (dst, dst_port) = endpoint(dst_text.trim(), protocol.has_ports())?;
    let protocol = match protocol {
        IpProtocol::ICMP if src.is_ipv6() => IpProtocol::ICMPV6,
        other => other,
    };

    let mut observation = bare_observation(0, src, dst, protocol, locator);
    observation.src_port = src_port;
    observation.dst_port = dst_port;
    observation.tcp_flags = flags;
    observation.action = Some(match *action_word {
        "pass" => FirewallAction::Allow,
        "block" => FirewallAction::Deny,
        "match" => FirewallAction::Log,
        other => FirewallAction::Other(other.to_string()),
    });
    observation.rule = Some(format!("rule {rule_number} ({reason}) on {interface} {direction}"));
    Ok(observation)
}

impl DialectReader for PfTcpdumpReader {
    fn dialect(&self) -> LogDialect {
        LogDialect::PfTcpdump
    }

    fn read_line(&mut self, line: &str, locator: Locator) -> LineOutcome {
        let Some((time, rest)) = split_rule(line).filter(|_| is_pf_line(line)) else {
            return LineOutcome::Skipped(SKIP_NOT_PF);
        };
        let mut observation = match parse_packet(rest, locator) {
            Ok(observation) => observation,
            Err(message) => return LineOutcome::Invalid(message),
        };
        match self.resolve(time.trim()) {
            Ok((ts_ns, note)) => {
                observation.ts_ns = ts_ns;
                LineOutcome::Observation { observation: Box::new(observation), warnings: note.into_iter().collect() }
            }
            Err(message) => LineOutcome::Invalid(message),
        }
    }

    fn invalid_reason(&self) -> &'static str {
        SKIP_INVALID_PF
    }

    fn time_assumption(&self) -> Option<String> {
        self.resolver.assumption()
    }
}
