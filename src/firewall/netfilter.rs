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
//! The header may be RFC 3164 (also `journalctl -o short` and `short-precise`), RFC 3339
//! (`journalctl -o short-iso`, rsyslog's precise template) or RFC 5424. In an RFC 5424 line the
//! message part holds only the optional uptime, the prefix and the body.
//!
//! The time comes from the syslog header (`syslog_header.rs`, `syslog_time.rs`), the packet
//! fields from the key=value body (`netfilter_body.rs`), and the action from the prefix
//! ([`action_from_prefix`]).
//!
//! Action from the prefix. A UniFi rule tag `[CHAIN-X-N]` or `[CHAIN-N-X]` names the action by
//! its letter X (`A` allow, `D` drop, `R` reject). Its `DESCR="..."` is free text, so it is not
//! read for words. Otherwise the prefix is split into words at anything but letters and digits,
//! compared in any case, and the highest row whose word occurs wins:
//!
//! | prefix word | action | examples |
//! |---|---|---|
//! | `REJECT`, `REJECTED` | reject | `FINAL_REJECT:`, `filter_IN_public_REJECT:`, `Shorewall:net2fw:REJECT:` |
//! | `DROP`, `DROPPED` | drop | `IPT-DROP`, `filter_IN_public_DROP:`, `Shorewall:net2fw:DROP:`, `SFW2-INext-DROP-DEFLT` |
//! | `BLOCK`, `BLOCKED`, `DENY`, `DENIED` | deny | `[UFW BLOCK]`, `[UFW LIMIT BLOCK]` |
//! | `ALLOW`, `ALLOWED`, `ACCEPT`, `ACCEPTED`, `ACC` | allow | `[UFW ALLOW]`, `Shorewall:fw2net:ACCEPT:`, `SFW2-INext-ACC-TCP` |
//! | `AUDIT`, any other word, no prefix | log | `[UFW AUDIT]`, `IPT-IN` |
//!
//! ufw's BLOCK is read as deny because ufw's own term does not say whether a reply was sent.

use std::sync::LazyLock;

use memchr::memmem;

use super::lines::{is_blank, trim_white_space};
use super::netfilter_body::{parse_body, Body, PacketFields};
use super::outcome::{DialectReader, LineOutcome};
use super::syslog_header::{parse_header, HeaderReader};
use super::syslog_time::LocalTimeResolver;
use super::{LogDialect, TimeContext, SKIP_BLANK, SKIP_INVALID_NETFILTER, SKIP_NOT_NETFILTER, SKIP_NO_IP_PACKET};
use crate::model::{FirewallAction, Locator, Observation, TimestampNs};

/// Reader of the `netfilter-syslog` dialect.
pub(super) struct NetfilterReader {
    resolver: LocalTimeResolver,
    /// The syslog header reader, which remembers the previous line's time.
    headers: HeaderReader,
    /// The previous line's prefix and its action: most lines of a log share a few prefixes.
    last_action: Option<(String, FirewallAction)>,
}

impl NetfilterReader {
    /// Creates a reader for one file.
    pub(super) fn new(time: &TimeContext) -> Self {
        Self { resolver: LocalTimeResolver::new(time), headers: HeaderReader::default(), last_action: None }
    }
}

/// Returns the action of `prefix`, taken from `last` when that contains the same prefix.
fn cached_action(last: &mut Option<(String, FirewallAction)>, prefix: &str) -> FirewallAction {
    match last {
        Some((last_prefix, action)) if last_prefix == prefix => action.clone(),
        _ => {
            let action = action_from_prefix(prefix);
            *last = Some((prefix.to_string(), action.clone()));
            action
        }
    }
}

impl DialectReader for NetfilterReader {
    fn dialect(&self) -> LogDialect {
        LogDialect::Netfilter
    }

    fn read_line(&mut self, line: &str, locator: Locator) -> LineOutcome {
        read_line(line, locator, self)
    }

    fn invalid_reason(&self) -> &'static str {
        SKIP_INVALID_NETFILTER
    }

    fn time_assumption(&self) -> Option<String> {
        self.resolver.assumption()
    }
}

/// The LOG text of a syslog message: the rule's prefix and the key=value body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct LogText<'a> {
    pub prefix: &'a str,
    pub body: &'a str,
}

/// Returns true when `text` contains the anchor `IN=<interface> OUT=`.
pub(super) fn has_anchor(text: &str) -> bool {
    find_anchor(text).is_some()
}

/// Searcher for `IN=`, built once. `str::find` with a string pattern runs the generic Two-Way
/// searcher, and this one takes 7 % fewer instructions on the parsing thread of a netfilter
/// log import (callgrind, `benches/gen_fwlog.rs` log of 100,000 lines).
static IN_FINDER: LazyLock<memmem::Finder<'static>> = LazyLock::new(|| memmem::Finder::new(b"IN="));

/// Returns the byte position of the anchor `IN=<interface> OUT=` in `text`.
fn find_anchor(text: &str) -> Option<usize> {
    let mut search_from = 0;
    while let Some(found) = IN_FINDER.find(&text.as_bytes()[search_from..]) {
        let start = search_from + found;
        let after = &text[start + "IN=".len()..];
        let interface_end = memchr::memchr(b' ', after.as_bytes()).unwrap_or(after.len());
        if after[interface_end..].starts_with(" OUT=") {
            return Some(start);
        }
        search_from = start + "IN=".len();
    }
    None
}

/// Position of a line's first anchor, found by searching the whole line.
#[derive(Debug, Clone, Copy)]
struct LineAnchor<'a> {
    line: &'a str,
    position: usize,
}

/// Returns the position of the first anchor in `text`. When `text` is a suffix of the line of
/// `known` and contains that anchor, no search is needed. An anchor depends only on the text
/// after it, so the line's first anchor is also the suffix's first. Searching again took 2 % of
/// the parsing thread's instructions (callgrind, 100,000-line benchmark log).
fn find_anchor_reusing(text: &str, known: Option<LineAnchor<'_>>) -> Option<usize> {
    if let Some(LineAnchor { line, position }) = known {
        if let Some(start) = line.len().checked_sub(text.len()) {
            let is_suffix = line.as_bytes()[start..].as_ptr() == text.as_ptr();
            if is_suffix && position >= start {
                return Some(position - start);
            }
        }
    }
    find_anchor(text)
}

/// Splits the part of a syslog line after the time into prefix and body. With `has_host_and_tag`
/// the text may start with a host and a `kernel:` tag, as in RFC 3164 and RFC 3339 lines.
/// `known` is the line's anchor, when it has been searched for already.
fn split_log_text<'a>(message: &'a str, has_host_and_tag: bool, known: Option<LineAnchor<'_>>) -> Option<LogText<'a>> {
    let mut rest = message;
    if has_host_and_tag {
        if let Some((host, after)) = split_at_byte(rest, b' ') {
            if host != "kernel:" && !host.as_bytes().contains(&b'=') {
                rest = after;
            }
        }
        rest = rest.trim_start_matches(' ');
        if let Some(after) = rest.strip_prefix("kernel:") {
            rest = after.trim_start_matches(' ');
        }
    }
    split_message_reusing(rest, known)
}

/// Splits a kernel message, `[uptime] PREFIX IN=...` with an optional uptime, into prefix and
/// body.
pub(super) fn split_kernel_message(message: &str) -> Option<LogText<'_>> {
    split_message_reusing(message, None)
}

/// Splits a kernel message as [`split_kernel_message`] does, reusing `known`, the line's
/// anchor, when it is given.
fn split_message_reusing<'a>(message: &'a str, known: Option<LineAnchor<'_>>) -> Option<LogText<'a>> {
    let mut rest = message.trim_start_matches(' ');
    if let Some(after_bracket) = rest.strip_prefix('[') {
        if let Some((inside, after)) = split_at_byte(after_bracket, b']') {
            let uptime = inside.trim_start_matches(' ');
            let is_uptime = !uptime.is_empty() && uptime.bytes().all(|byte| byte.is_ascii_digit() || byte == b'.');
            if is_uptime {
                rest = after.trim_start_matches(' ');
            }
        }
    }
    let anchor = find_anchor_reusing(rest, known)?;
    Some(LogText { prefix: trim_white_space(&rest[..anchor]), body: &rest[anchor..] })
}

/// Splits `text` at the first `byte`, an ASCII character. memchr finds it in fewer
/// instructions than `split_once` with a char pattern (callgrind).
fn split_at_byte(text: &str, byte: u8) -> Option<(&str, &str)> {
    let at = memchr::memchr(byte, text.as_bytes())?;
    Some((&text[..at], &text[at + 1..]))
}

/// Returns true when `line` is a netfilter LOG line with a readable syslog time.
pub(super) fn is_netfilter_line(line: &str) -> bool {
    let Some(position) = find_anchor(line) else {
        return false;
    };
    let known = Some(LineAnchor { line, position });
    parse_header(line).is_ok_and(|header| split_log_text(header.rest, header.rfc5424.is_none(), known).is_some())
}

/// Prefix words and the action they name, highest precedence first, as in the table of the
/// module doc.
const ACTION_WORDS: [(&[&str], FirewallAction); 4] = [
    (&["REJECT", "REJECTED"], FirewallAction::Reject),
    (&["DROP", "DROPPED"], FirewallAction::Drop),
    (&["BLOCK", "BLOCKED", "DENY", "DENIED"], FirewallAction::Deny),
    (&["ALLOW", "ALLOWED", "ACCEPT", "ACCEPTED", "ACC"], FirewallAction::Allow),
];

/// Returns the action of a UniFi rule tag such as `[WAN_LOCAL-D-2147483647]` or
/// `[LAN_IN-2000-A]`, the first bracketed part of the prefix.
fn unifi_action(prefix: &str) -> Option<FirewallAction> {
    let start = prefix.find('[')?;
    let inside = prefix[start + 1..].split(']').next()?;
    let mut parts = inside.split('-');
    parts.next()?;
    parts.find_map(|part| match part {
        "A" => Some(FirewallAction::Allow),
        "D" => Some(FirewallAction::Drop),
        "R" => Some(FirewallAction::Reject),
        _ => None,
    })
}

/// Returns the action a LOG prefix names, or [`FirewallAction::Log`] when no word names one.
pub(super) fn action_from_prefix(prefix: &str) -> FirewallAction {
    if let Some(action) = unifi_action(prefix) {
        return action;
    }
    let words = || prefix.split(|c: char| !c.is_ascii_alphanumeric()).filter(|word| !word.is_empty());
    for (names, action) in ACTION_WORDS {
        if words().any(|word| names.iter().any(|name| word.eq_ignore_ascii_case(name))) {
            return action;
        }
    }
    FirewallAction::Log
}

/// Reads one line (line ending removed) into an observation or a skip reason.
fn read_line(line: &str, locator: Locator, reader: &mut NetfilterReader) -> LineOutcome {
    if is_blank(line) {
        return LineOutcome::Skipped(SKIP_BLANK);
    }
    let Some(position) = find_anchor(line) else {
        return LineOutcome::Skipped(SKIP_NOT_NETFILTER);
    };
    let header = match reader.headers.parse(line) {
        Ok(header) => header,
        Err(message) => return LineOutcome::Invalid(message),
    };
    let known = LineAnchor { line, position };
    let Some(log) = split_log_text(header.rest, header.rfc5424.is_none(), Some(known)) else {
        return LineOutcome::Invalid("the IN= and OUT= fields are not in the message part of the syslog line".into());
    };
    // The time is resolved only for packet lines, so lines without an IP packet do not move
    // the year inference.
    let fields = match parse_body(log.body) {
        Ok(Body::Packet(fields)) => fields,
        Ok(Body::NoIpPacket) => return LineOutcome::Skipped(SKIP_NO_IP_PACKET),
        Err(message) => return LineOutcome::Invalid(message),
    };
    match reader.resolver.resolve_header(header.time) {
        Ok(resolved) => {
            let action = cached_action(&mut reader.last_action, log.prefix);
            build_outcome(log.prefix, action, fields, resolved.ts_ns, resolved.note, locator)
        }
        Err(message) => LineOutcome::Invalid(message),
    }
}

/// Builds the outcome of a LOG message whose time is known.
pub(super) fn packet_outcome(
    log: LogText<'_>,
    ts_ns: TimestampNs,
    note: Option<String>,
    locator: Locator,
) -> LineOutcome {
    match parse_body(log.body) {
        Ok(Body::Packet(fields)) => {
            build_outcome(log.prefix, action_from_prefix(log.prefix), fields, ts_ns, note, locator)
        }
        Ok(Body::NoIpPacket) => LineOutcome::Skipped(SKIP_NO_IP_PACKET),
        Err(message) => LineOutcome::Invalid(message),
    }
}

/// Builds the observation of one packet dump.
fn build_outcome(
    prefix: &str,
    action: FirewallAction,
    mut fields: PacketFields,
    ts_ns: TimestampNs,
    note: Option<String>,
    locator: Locator,
) -> LineOutcome {
    let mut warnings = std::mem::take(&mut fields.warnings);
    warnings.extend(note);
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
        tcp_options: fields.tcp_options,
        source_text: None,
        connection: None,
        payload_len: fields.payload_len,
        tcp_header_len: fields.tcp_header_len,
        arp: None,
        sctp_chunk: None,
        action: Some(action),
        rule: (!prefix.is_empty()).then(|| prefix.to_string()),
        locator,
    };
    LineOutcome::Observation { observation: Box::new(observation), warnings }
}

#[cfg(test)]
mod tests {
    use super::{find_anchor, find_anchor_reusing, LineAnchor};

    #[test]
    fn line_anchor_reused_in_suffix() {
        let line = "Dec  4 19:33:37 fw kernel: [ 1.0] DROP IN=eth0 OUT= SRC=10.0.0.1 DST=10.0.0.2";
        let position = find_anchor(line).expect("anchor");
        let known = Some(LineAnchor { line, position });
        for start in [0, 16, 27, 35, position] {
            let suffix = &line[start..];
            assert_eq!(find_anchor_reusing(suffix, known), Some(position - start), "{suffix}");
        }
        // A copy has the same text but is not a suffix of the line, so it is searched.
        let copy = line[27..].to_string();
        assert_eq!(find_anchor_reusing(&copy, known), find_anchor(&copy));
        // A suffix that starts after the anchor has none.
        assert_eq!(find_anchor_reusing(&line[position + 1..], known), None);
    }

    #[test]
    fn later_anchor_found_in_suffix() {
        // The host name looks like an anchor, so the line's first anchor lies before the
        // message, and the message is searched again.
        let line = "Dec  4 19:33:37 IN=x OUT= kernel: DROP IN=eth0 OUT= SRC=10.0.0.1 DST=10.0.0.2";
        let position = find_anchor(line).expect("anchor");
        assert_eq!(position, 16);
        let message = &line[26..];
        let expected = find_anchor(message);
        assert_eq!(expected, Some(13));
        assert_eq!(find_anchor_reusing(message, Some(LineAnchor { line, position })), expected);
    }
}
