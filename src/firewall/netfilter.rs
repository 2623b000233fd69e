//! The `netfilter-syslog` dialect: one Linux netfilter LOG line to one observation.
//!
//! Such a line is `<syslog time> <host> kernel: [<uptime>] <prefix>IN=<if> OUT=<if> ...`,
//! written by the kernel for iptables and ip6tables `LOG` rules, nftables `log` statements and
//! ufw, and stored by a syslog daemon. The host may be missing, the `kernel:` tag is optional
//! (ulogd's LOGEMU output has none) and so is the bracketed uptime in seconds since boot, which
//! is not used. The *prefix* is the free text the rule gives (`--log-prefix`, `log prefix`). The
//! kernel writes it directly before `IN=`, so the *anchor* of a LOG line is an `IN=<interface>`
//! followed by ` OUT=`.
//!
//! The time comes from the syslog header (`syslog_header.rs`, `syslog_time.rs`), the packet
//! fields from the key=value body (`netfilter_body.rs`), and the action from the prefix words by
//! the table in the [`crate::firewall`] module doc.

use super::netfilter_body::{parse_body, Body};
use super::syslog_header::{parse_header, HeaderTime};
use super::syslog_time::LocalTimeResolver;
use super::{SKIP_BLANK, SKIP_NOT_NETFILTER, SKIP_NO_IP_PACKET};
use crate::model::{FirewallAction, Locator, Observation};

/// Result of reading one line.
#[derive(Debug)]
pub(super) enum LineOutcome {
    /// A packet, with problems that did not stop the line.
    Observation { observation: Box<Observation>, warnings: Vec<String> },
    /// A line without a packet, counted under the given reason.
    Skipped(&'static str),
    /// A netfilter LOG line that could not be read, with the reason in one sentence.
    Invalid(String),
}

/// The LOG text of a syslog message: the rule's prefix and the key=value body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct LogText<'a> {
    prefix: &'a str,
    body: &'a str,
}

/// Returns the byte position of the anchor `IN=<interface> OUT=` in `text`.
fn find_anchor(text: &str) -> Option<usize> {
    let mut search_from = 0;
    while let Some(found) = text[search_from..].find("IN=") {
        let start = search_from + found;
        let after = &text[start + "IN=".len()..];
        let interface_end = after.find(' ').unwrap_or(after.len());
        if after[interface_end..].starts_with(" OUT=") {
            return Some(start);
        }
        search_from = start + "IN=".len();
    }
    None
}

/// Splits the message part of a syslog line (after the time) into prefix and body.
fn split_log_text(message: &str) -> Option<LogText<'_>> {
    let mut rest = message;
    if let Some((host, after)) = rest.split_once(' ') {
        if host != "kernel:" && !host.contains('=') {
            rest = after;
        }
    }
    rest = rest.trim_start_matches(' ');
    if let Some(after) = rest.strip_prefix("kernel:") {
        rest = after.trim_start_matches(' ');
    }
    if let Some(after_bracket) = rest.strip_prefix('[') {
        if let Some((inside, after)) = after_bracket.split_once(']') {
            let uptime = inside.trim_start_matches(' ');
            let is_uptime = !uptime.is_empty() && uptime.bytes().all(|byte| byte.is_ascii_digit() || byte == b'.');
            if is_uptime {
                rest = after.trim_start_matches(' ');
            }
        }
    }
    let anchor = find_anchor(rest)?;
    Some(LogText { prefix: rest[..anchor].trim(), body: &rest[anchor..] })
}

/// Returns true when `line` is a netfilter LOG line with a readable syslog time.
pub(super) fn is_netfilter_line(line: &str) -> bool {
    find_anchor(line).is_some() && parse_header(line).is_ok_and(|header| split_log_text(header.rest).is_some())
}

/// Prefix words and the action they name, highest precedence first, as in the table of the
/// [`crate::firewall`] module doc.
const ACTION_WORDS: [(&[&str], FirewallAction); 4] = [
    (&["REJECT", "REJECTED"], FirewallAction::Reject),
    (&["DROP", "DROPPED"], FirewallAction::Drop),
    (&["BLOCK", "BLOCKED", "DENY", "DENIED"], FirewallAction::Deny),
    (&["ALLOW", "ALLOWED", "ACCEPT", "ACCEPTED"], FirewallAction::Allow),
];

/// Returns the action a LOG prefix names, or [`FirewallAction::Log`] when no word names one.
pub(super) fn action_from_prefix(prefix: &str) -> FirewallAction {
    let words = || prefix.split(|c: char| !c.is_ascii_alphanumeric()).filter(|word| !word.is_empty());
    for (names, action) in ACTION_WORDS {
        if words().any(|word| names.iter().any(|name| word.eq_ignore_ascii_case(name))) {
            return action;
        }
    }
    FirewallAction::Log
}

/// Reads one line (line ending removed) into an observation or a skip reason.
pub(super) fn read_line(line: &str, locator: Locator, resolver: &mut LocalTimeResolver) -> LineOutcome {
    if line.trim().is_empty() {
        return LineOutcome::Skipped(SKIP_BLANK);
    }
    if find_anchor(line).is_none() {
        return LineOutcome::Skipped(SKIP_NOT_NETFILTER);
    }
    let header = match parse_header(line) {
        Ok(header) => header,
        Err(message) => return LineOutcome::Invalid(message),
    };
    let Some(log) = split_log_text(header.rest) else {
        return LineOutcome::Invalid("the IN= and OUT= fields are not in the message part of the syslog line".into());
    };
    let mut fields = match parse_body(log.body) {
        Ok(Body::Packet(fields)) => fields,
        Ok(Body::NoIpPacket) => return LineOutcome::Skipped(SKIP_NO_IP_PACKET),
        Err(message) => return LineOutcome::Invalid(message),
    };
    let mut warnings = std::mem::take(&mut fields.warnings);
    let ts_ns = match header.time {
        HeaderTime::Utc(ts_ns) => ts_ns,
        HeaderTime::YearLess(stamp) => match resolver.resolve(stamp) {
            Ok(resolved) => {
                warnings.extend(resolved.note);
                resolved.ts_ns
            }
            Err(message) => return LineOutcome::Invalid(message),
        },
    };

    let observation = Observation {
        ts_ns,
        src: fields.src,
        dst: fields.dst,
        protocol: fields.protocol,
        src_port: fields.src_port,
        dst_port: fields.dst_port,
        tcp_flags: fields.tcp_flags,
        icmp: fields.icmp,
        ttl: fields.ttl,
        ip_id: fields.ip_id,
        tcp_window: fields.tcp_window,
        tcp_options: None,
        source_text: None,
        payload_len: fields.payload_len,
        action: Some(action_from_prefix(log.prefix)),
        rule: (!log.prefix.is_empty()).then(|| log.prefix.to_string()),
        locator,
    };
    LineOutcome::Observation { observation: Box::new(observation), warnings }
}
