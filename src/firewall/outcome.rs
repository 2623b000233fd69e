//! Line outcomes and the trait every dialect reader implements.
//!
//! The driver in [`super::read_log`] reads lines, counts them, sets each observation's
//! `source_text` and hands each line to a [`DialectReader`]. The reader returns a
//! [`LineOutcome`]: an observation, a skip under a named reason, or an invalid line (a line of
//! the dialect that could not be read, counted under the reader's reason and stored as an
//! anomaly with its message).

use super::LogDialect;
use std::net::IpAddr;

use crate::model::{IpProtocol, Locator, Observation, TcpFlags, TimestampNs, MAX_SOURCE_TEXT_BYTES};

/// Result of reading one line.
#[derive(Debug)]
pub(super) enum LineOutcome {
    /// A packet or connection, with problems that did not stop the line.
    Observation { observation: Box<Observation>, warnings: Vec<String> },
    /// A line without a packet, counted under the given reason.
    Skipped(&'static str),
    /// A line of the dialect that names a packet or connection the model cannot hold (an
    /// endpoint given as a name, not an address), counted under `reason` and stored as an
    /// anomaly with `message`.
    SkippedWithAnomaly { reason: &'static str, message: String },
    /// A line of the dialect that could not be read, with the reason in one sentence. It is
    /// counted under the reader's [`DialectReader::invalid_reason`].
    Invalid(String),
}

/// A reader of one log dialect, fed one line at a time. A reader keeps the state its dialect
/// needs across lines: the year reached by year-less times, or the columns of a header line.
pub(super) trait DialectReader {
    /// Returns the dialect this reader reads.
    fn dialect(&self) -> LogDialect;

    /// Reads one line (line ending removed). `locator` points at the line.
    fn read_line(&mut self, line: &str, locator: Locator) -> LineOutcome;

    /// Returns the skip reason under which [`LineOutcome::Invalid`] lines are counted.
    fn invalid_reason(&self) -> &'static str;

    /// Returns one sentence on how zone-less or year-less times were read, when any were.
    fn time_assumption(&self) -> Option<String>;
}

/// Returns `line` cut to at most [`MAX_SOURCE_TEXT_BYTES`] at a character boundary.
pub(super) fn source_text(line: &str) -> String {
    if line.len() <= MAX_SOURCE_TEXT_BYTES {
        return line.to_string();
    }
    let mut end = MAX_SOURCE_TEXT_BYTES;
    while !line.is_char_boundary(end) {
        end -= 1;
    }
    line[..end].to_string()
}

/// Returns an observation with the given time, addresses and protocol and every optional field
/// empty, for a dialect to fill.
pub(super) fn bare_observation(
    ts_ns: TimestampNs,
    src: IpAddr,
    dst: IpAddr,
    protocol: IpProtocol,
    locator: Locator,
) -> Observation {
    Observation {
        ts_ns,
        src,
        dst,
        protocol,
        src_port: None,
        dst_port: None,
        tcp_flags: None,
        icmp: None,
        ttl: None,
        ip_id: None,
        tcp_window: None,
        tcp_options: None,
        payload_len: None,
        tcp_header_len: None,
        arp: None,
        sctp_chunk: None,
        action: None,
        rule: None,
        source_text: None,
        connection: None,
        locator,
    }
}

/// Length in bytes of an IPv4 header without options (RFC 791).
const IPV4_HEADER_BYTES: u32 = 20;

/// Length in bytes of the IPv6 fixed header (RFC 8200).
const IPV6_HEADER_BYTES: u32 = 40;

/// Shortest TCP header in bytes: no options (RFC 9293 section 3.1).
const MIN_TCP_HEADER_BYTES: u32 = 20;

/// Longest TCP header in bytes: a data offset of 15 words (RFC 9293 section 3.1).
const MAX_TCP_HEADER_BYTES: u32 = 60;

/// Returns the TCP header length of a segment without payload, such as a SYN probe, from the IP
/// packet length a log line gives: the length less the IPv4 or IPv6 header. `None` when the
/// rest is not a whole TCP header (shorter than 20 bytes, longer than 60, or not a multiple
/// of 4 bytes), as when IPv6 extension headers or payload follow.
///
/// NOTE: IPv4 options or IPv6 extension headers that the log does not show make the header
/// look longer by their size.
pub(super) fn tcp_header_len_from_ip_len(src: IpAddr, ip_len: u32) -> Option<u8> {
    let ip_header = if src.is_ipv4() { IPV4_HEADER_BYTES } else { IPV6_HEADER_BYTES };
    let tcp_header = ip_len.checked_sub(ip_header)?;
    let whole = (MIN_TCP_HEADER_BYTES..=MAX_TCP_HEADER_BYTES).contains(&tcp_header) && tcp_header % 4 == 0;
    whole.then_some(tcp_header as u8)
}

/// Returns the TCP flags written as letters (`S`, `SA`, `FPU`), as pf, tcpdump and Zeek do:
/// F, S, R, P, A, U, E (ECN echo) and W (CWR). Returns `None` for any other letter.
pub(super) fn tcp_flags_from_letters(letters: &str) -> Option<TcpFlags> {
    let mut flags = 0;
    for letter in letters.chars() {
        flags |= match letter {
            'F' => TcpFlags::FIN,
            'S' => TcpFlags::SYN,
            'R' => TcpFlags::RST,
            'P' => TcpFlags::PSH,
            'A' => TcpFlags::ACK,
            'U' => TcpFlags::URG,
            'E' => TcpFlags::ECE,
            'W' | 'C' => TcpFlags::CWR,
            _ => return None,
        };
    }
    Some(TcpFlags(flags))
}
