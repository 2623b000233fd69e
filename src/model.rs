//! Shared types of the pipeline: observations, import summaries, contacts and findings.
//!
//! Everything above this module (importers, the case store, the analysis and the report)
//! speaks in these types. They carry no behaviour beyond small conversions, so that an
//! importer can be written and tested without knowing about SQLite or the analysis.
//!
//! Terms:
//! - an *observation* is one decoded packet or firewall log line, normalized;
//! - a *locator* points from an observation back to its record in the evidence file;
//! - a *contact* aggregates the observations of one (source, target, protocol, port);
//! - a *finding* is one scan incident with the numbers that explain it.

use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;

use serde::{Deserialize, Serialize};

/// Nanoseconds since the Unix epoch, UTC. Every stored time uses this unit.
pub type TimestampNs = i64;

/// IP protocol number as carried in the IPv4 `protocol` or IPv6 `next header` field, or
/// [`IpProtocol::ARP`] for ARP requests, which have no IP header.
///
/// An open newtype: numbers without a named constant stay representable. IP protocol
/// numbers fit in 8 bits, so the ARP value lies outside their range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct IpProtocol(u16);

impl From<u8> for IpProtocol {
    fn from(number: u8) -> Self {
        IpProtocol(u16::from(number))
    }
}

impl IpProtocol {
    /// Returns the protocol for an IP protocol number.
    pub const fn from_ip_number(number: u8) -> Self {
        IpProtocol(number as u16)
    }

    /// Returns the stored number: the IP protocol number, or 0x0806 for ARP.
    pub const fn number(self) -> u16 {
        self.0
    }

    /// Rebuilds a value from [`IpProtocol::number`], as stored in a case file; `None` for a
    /// number that is neither an IP protocol number nor ARP's.
    pub fn from_number(number: u16) -> Option<Self> {
        match u8::try_from(number) {
            Ok(ip_number) => Some(Self::from(ip_number)),
            Err(_) => (number == Self::ARP.0).then_some(Self::ARP),
        }
    }

    /// Address Resolution Protocol (RFC 826), stored as its EtherType 0x0806.
    pub const ARP: IpProtocol = IpProtocol(0x0806);
    /// Internet Control Message Protocol (RFC 792).
    pub const ICMP: IpProtocol = IpProtocol(1);
    /// Transmission Control Protocol (RFC 9293).
    pub const TCP: IpProtocol = IpProtocol(6);
    /// User Datagram Protocol (RFC 768).
    pub const UDP: IpProtocol = IpProtocol(17);
    /// ICMP for IPv6 (RFC 4443).
    pub const ICMPV6: IpProtocol = IpProtocol(58);
    /// Stream Control Transmission Protocol (RFC 9260).
    pub const SCTP: IpProtocol = IpProtocol(132);

    /// Parses an IP protocol keyword as firewalls write it (IANA keywords such as `tcp`,
    /// `ipv6-icmp` or `ospf`, in any case, plus the `icmp6` and `icmpv6` spellings) or a
    /// decimal protocol number; `None` for anything else.
    pub fn from_keyword(word: &str) -> Option<IpProtocol> {
        let number = match word.to_ascii_lowercase().as_str() {
            "icmp" => 1,
            "igmp" => 2,
            "tcp" => 6,
            "udp" => 17,
            "gre" => 47,
            "esp" => 50,
            "ah" => 51,
            "icmp6" | "icmpv6" | "ipv6-icmp" => 58,
            "ospf" => 89,
            "sctp" => 132,
            other => other.parse::<u8>().ok()?,
        };
        Some(IpProtocol::from_ip_number(number))
    }

    /// Returns the lower-case protocol name used in reports, or the number as text.
    pub fn name(self) -> String {
        match self {
            Self::ICMP => "icmp".to_string(),
            Self::TCP => "tcp".to_string(),
            Self::UDP => "udp".to_string(),
            Self::ICMPV6 => "icmpv6".to_string(),
            Self::SCTP => "sctp".to_string(),
            Self::ARP => "arp".to_string(),
            IpProtocol(other) => format!("ip-proto-{other}"),
        }
    }

    /// Returns true for protocols whose headers carry ports.
    pub fn has_ports(self) -> bool {
        matches!(self, Self::TCP | Self::UDP | Self::SCTP)
    }
}

impl fmt::Display for IpProtocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

/// The TCP control bits of one segment, in the order of the header's flags byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TcpFlags(pub u8);

impl TcpFlags {
    /// No more data from sender.
    pub const FIN: u8 = 0x01;
    /// Synchronize sequence numbers.
    pub const SYN: u8 = 0x02;
    /// Reset the connection.
    pub const RST: u8 = 0x04;
    /// Push function.
    pub const PSH: u8 = 0x08;
    /// Acknowledgment field is significant.
    pub const ACK: u8 = 0x10;
    /// Urgent pointer field is significant.
    pub const URG: u8 = 0x20;
    /// ECN echo (RFC 3168).
    pub const ECE: u8 = 0x40;
    /// Congestion window reduced (RFC 3168).
    pub const CWR: u8 = 0x80;

    /// Returns true when every bit of `mask` is set.
    pub fn contains(self, mask: u8) -> bool {
        self.0 & mask == mask
    }

    /// Returns the flags ignoring the two ECN bits, which scanners and stacks set freely.
    pub fn without_ecn(self) -> u8 {
        self.0 & !(Self::ECE | Self::CWR)
    }
}

impl fmt::Display for TcpFlags {
    /// Writes the flags as tcpdump letters, for example `S`, `SA`, `FPU`, or `none`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const LETTERS: [(u8, char); 8] = [
            (TcpFlags::FIN, 'F'),
            (TcpFlags::SYN, 'S'),
            (TcpFlags::RST, 'R'),
            (TcpFlags::PSH, 'P'),
            (TcpFlags::ACK, 'A'),
            (TcpFlags::URG, 'U'),
            (TcpFlags::ECE, 'E'),
            (TcpFlags::CWR, 'W'),
        ];
        if self.0 == 0 {
            return f.write_str("none");
        }
        for (bit, letter) in LETTERS {
            if self.0 & bit != 0 {
                write!(f, "{letter}")?;
            }
        }
        Ok(())
    }
}

/// The action a firewall took on a logged packet.
///
/// `Other` keeps vendor words that have no standard equivalent, so nothing is mapped to a
/// default silently.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FirewallAction {
    /// The packet was let through.
    Allow,
    /// The packet was denied (vendor did not say whether silently or with a reply).
    Deny,
    /// The packet was discarded without a reply.
    Drop,
    /// The packet was discarded and the sender was notified (RST or ICMP error).
    Reject,
    /// The packet was only logged; the log does not say what happened to it.
    Log,
    /// A vendor action word with no standard equivalent.
    Other(String),
}

impl FirewallAction {
    /// Returns true when the firewall stopped the packet.
    pub fn is_blocking(&self) -> bool {
        matches!(self, Self::Deny | Self::Drop | Self::Reject)
    }

    /// Returns the action for a name written by [`FirewallAction::as_str`].
    pub fn from_name(name: &str) -> Self {
        match name {
            "allow" => Self::Allow,
            "deny" => Self::Deny,
            "drop" => Self::Drop,
            "reject" => Self::Reject,
            "log" => Self::Log,
            other => Self::Other(other.to_string()),
        }
    }

    /// Returns the action's name as stored in the case file.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Allow => "allow",
            Self::Deny => "deny",
            Self::Drop => "drop",
            Self::Reject => "reject",
            Self::Log => "log",
            Self::Other(word) => word,
        }
    }
}

/// Position of an observation's record inside its evidence file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Locator {
    /// 1-based frame number (captures) or line number (logs).
    pub record: u64,
    /// Byte offset of the record's first byte in the (decompressed) file.
    pub byte_offset: u64,
}

/// The header of the packet quoted inside an ICMP error message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuotedPacket {
    /// Source address of the quoted (original) packet.
    pub src: IpAddr,
    /// Destination address of the quoted packet.
    pub dst: IpAddr,
    /// Protocol of the quoted packet.
    pub protocol: IpProtocol,
    /// Source port of the quoted packet, when its protocol has ports and they were quoted.
    pub src_port: Option<u16>,
    /// Destination port of the quoted packet.
    pub dst_port: Option<u16>,
}

/// Maximum TCP option kinds kept per segment. A TCP header has at most 40 bytes of
/// options; scanners and stacks send up to 10 (nmap's OS probes send 8).
pub const MAX_TCP_OPTION_KINDS: usize = 12;

/// The kinds of the TCP options of one segment, in the order they were sent (for example
/// MSS 2, SACK permitted 4, timestamps 8, NOP 1, window scale 3). Tools differ in which
/// options they send and in what order, so the list helps to fingerprint them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct TcpOptionKinds {
    kinds: [u8; MAX_TCP_OPTION_KINDS],
    len: u8,
}

impl TcpOptionKinds {
    /// Builds the list from option kinds in order; kinds beyond [`MAX_TCP_OPTION_KINDS`] are
    /// left out.
    pub fn from_kinds(kinds: impl IntoIterator<Item = u8>) -> Self {
        let mut list = Self::default();
        for kind in kinds.into_iter().take(MAX_TCP_OPTION_KINDS) {
            list.kinds[list.len as usize] = kind;
            list.len += 1;
        }
        list
    }

    /// Returns the option kinds in order.
    pub fn as_slice(&self) -> &[u8] {
        &self.kinds[..self.len as usize]
    }
}

impl Serialize for TcpOptionKinds {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.as_slice().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for TcpOptionKinds {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let kinds = Vec::<u8>::deserialize(deserializer)?;
        Ok(Self::from_kinds(kinds))
    }
}

/// ICMP or ICMPv6 message fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct IcmpInfo {
    /// ICMP type (for ICMPv6, the ICMPv6 type).
    pub icmp_type: u8,
    /// ICMP code.
    pub code: u8,
    /// The original packet quoted by an error message (destination unreachable, time
    /// exceeded), when present and decodable.
    pub quoted: Option<QuotedPacket>,
}

/// One normalized packet or firewall log line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Observation {
    /// Time of the packet or log line, UTC nanoseconds.
    pub ts_ns: TimestampNs,
    /// Source address.
    pub src: IpAddr,
    /// Destination address.
    pub dst: IpAddr,
    /// Transport protocol.
    pub protocol: IpProtocol,
    /// Source port (TCP, UDP, SCTP first fragments only).
    pub src_port: Option<u16>,
    /// Destination port.
    pub dst_port: Option<u16>,
    /// TCP flags, for TCP only.
    pub tcp_flags: Option<TcpFlags>,
    /// ICMP fields, for ICMP and ICMPv6 only.
    pub icmp: Option<IcmpInfo>,
    /// IPv4 TTL or IPv6 hop limit.
    pub ttl: Option<u8>,
    /// IPv4 identification, or the IPv6 fragment identification when present.
    pub ip_id: Option<u32>,
    /// TCP window size as sent (unscaled).
    pub tcp_window: Option<u16>,
    /// TCP option kinds in order, for TCP segments whose options were read.
    pub tcp_options: Option<TcpOptionKinds>,
    /// Transport payload length in bytes, when known.
    pub payload_len: Option<u32>,
    /// TCP header length in bytes, options included, derived from the IP length of a log line
    /// that gives the length but not the TCP options (the IP length less a 20-byte IPv4 or
    /// 40-byte IPv6 header). `None` for captures, whose options are read directly, and where
    /// IP options or IPv6 extension headers make the IP header longer.
    #[serde(default)]
    pub tcp_header_len: Option<u8>,
    /// ARP operation, for ARP packets (protocol [`IpProtocol::ARP`]) only.
    #[serde(default)]
    pub arp: Option<ArpOperation>,
    /// Type of the first chunk of an SCTP packet (RFC 9260: 1 is INIT, 2 INIT ACK, 6 ABORT),
    /// for captured SCTP packets only.
    #[serde(default)]
    pub sctp_chunk: Option<u8>,
    /// Firewall action, for log lines.
    pub action: Option<FirewallAction>,
    /// Firewall rule name, number or log prefix, for log lines.
    pub rule: Option<String>,
    /// The log line as written, for citation (at most [`MAX_SOURCE_TEXT_BYTES`]); `None`
    /// for captures.
    pub source_text: Option<String>,
    /// The responder's replies, for a sensor record that summarises a whole connection (Zeek
    /// conn.log, Suricata flow events). `None` for packets and firewall lines, whose replies
    /// are observations of their own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection: Option<ConnectionSummary>,
    /// Position of the record in the evidence file.
    pub locator: Locator,
}

/// The responder's reply to a connection, as a sensor that writes one record per connection
/// summarises it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResponderReply {
    /// The responder accepted: a SYN/ACK for TCP, any packet back for UDP and ICMP.
    Open,
    /// The responder refused the opening SYN with a RST.
    Closed,
    /// Nothing came back from the responder.
    Unanswered,
    /// The responder sent packets, but the record does not show the connection's opening
    /// (midstream traffic, or a responder that spoke but sent no SYN/ACK or RST). Such a record
    /// is part of a conversation, not a probe.
    Midstream,
}

impl ResponderReply {
    /// Returns the reply's name as `inspect` writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Closed => "closed",
            Self::Unanswered => "unanswered",
            Self::Midstream => "midstream",
        }
    }
}

/// The replies of one connection that a sensor record summarises, as the aggregator would
/// have learned them from the packets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionSummary {
    /// The responder's reply.
    pub reply: ResponderReply,
    /// The originator acknowledged the responder's SYN/ACK, completing the TCP handshake.
    pub handshake_completed: bool,
    /// The originator sent a RST after the responder's SYN/ACK, leaving the connection half
    /// open as a SYN scan does.
    pub source_reset: bool,
    /// Either side sent payload.
    pub payload_exchanged: bool,
}

impl ConnectionSummary {
    /// Returns a summary with the given reply and no handshake, reset or payload.
    pub fn with_reply(reply: ResponderReply) -> Self {
        Self { reply, handshake_completed: false, source_reset: false, payload_exchanged: false }
    }
}

/// Operation of an ARP packet (RFC 826).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArpOperation {
    /// "Who has the target address?": a request for the target's hardware address.
    Request,
    /// "The sender address is at this hardware address."
    Reply,
}

/// Longest log line kept in [`Observation::source_text`], in bytes; longer lines are cut at a
/// character boundary. Firewall lines are rarely over 1 KiB.
pub const MAX_SOURCE_TEXT_BYTES: usize = 2048;

/// A problem met in one record that did not stop the import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Anomaly {
    /// Position of the problem in the file.
    pub locator: Locator,
    /// Description of the problem, in one sentence.
    pub message: String,
}

/// Kind of evidence file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    /// A packet capture.
    Capture,
    /// A firewall or sensor log.
    FirewallLog,
}

impl EvidenceKind {
    /// Returns the name stored in the case file.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Capture => "capture",
            Self::FirewallLog => "firewall_log",
        }
    }
}

/// Maximum number of anomalies an import keeps one by one; further ones are only counted
/// (in [`ImportSummary::anomalies_total`]) so that a badly damaged file cannot fill the case.
pub const MAX_ANOMALIES_KEPT: usize = 1000;

/// Counts and anomalies of one importer run over one evidence file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ImportSummary {
    /// Detected format, for example `pcap`, `pcapng` or `netfilter-syslog`.
    pub format: String,
    /// Records read: frames of a capture or lines of a log.
    pub records: u64,
    /// Observations produced.
    pub observations: u64,
    /// Records that produced no observation, by reason (for example
    /// `"non-IP frame"` or `"not a netfilter LOG line"`). Their sum is the skipped total.
    pub skipped: BTreeMap<String, u64>,
    /// Earliest observation time.
    pub first_ts_ns: Option<TimestampNs>,
    /// Latest observation time.
    pub last_ts_ns: Option<TimestampNs>,
    /// The first [`MAX_ANOMALIES_KEPT`] anomalies.
    pub anomalies: Vec<Anomaly>,
    /// Number of anomalies met, including those not kept.
    pub anomalies_total: u64,
    /// Assumption used for times without a zone or year, when the format needed one.
    pub time_assumption: Option<String>,
}

impl ImportSummary {
    /// Creates an empty summary for a detected format.
    pub fn new(format: impl Into<String>) -> Self {
        Self { format: format.into(), ..Self::default() }
    }

    /// Counts one record that produced no observation.
    pub fn count_skipped(&mut self, reason: &str) {
        *self.skipped.entry(reason.to_string()).or_insert(0) += 1;
    }

    /// Returns the number of skipped records over all reasons.
    pub fn skipped_total(&self) -> u64 {
        self.skipped.values().sum()
    }

    /// Records an anomaly, keeping at most [`MAX_ANOMALIES_KEPT`] of them.
    pub fn add_anomaly(&mut self, locator: Locator, message: impl Into<String>) {
        self.anomalies_total += 1;
        if self.anomalies.len() < MAX_ANOMALIES_KEPT {
            self.anomalies.push(Anomaly { locator, message: message.into() });
        }
    }

    /// Widens the time span to include `ts_ns` and counts one observation.
    pub fn count_observation(&mut self, ts_ns: TimestampNs) {
        self.observations += 1;
        self.first_ts_ns = Some(self.first_ts_ns.map_or(ts_ns, |t| t.min(ts_ns)));
        self.last_ts_ns = Some(self.last_ts_ns.map_or(ts_ns, |t| t.max(ts_ns)));
    }
}

/// An error raised by an [`ObservationSink`]; it keeps the sink's own error as its source.
#[derive(Debug, thiserror::Error)]
#[error("could not store an observation")]
pub struct SinkError(#[source] pub Box<dyn std::error::Error + Send + Sync>);

/// Receives observations from an importer as they are decoded, so importers stream.
pub trait ObservationSink {
    /// Takes one observation.
    fn push(&mut self, observation: Observation) -> Result<(), SinkError>;
}

impl ObservationSink for Vec<Observation> {
    fn push(&mut self, observation: Observation) -> Result<(), SinkError> {
        Vec::push(self, observation);
        Ok(())
    }
}

/// State of one probed port, learned from the replies or the firewall.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The target replied as an open port does (SYN/ACK, a UDP reply).
    Open,
    /// The target replied as a closed port does (RST, ICMP port unreachable).
    Closed,
    /// An ICMP error other than port unreachable, typically administratively prohibited.
    Filtered,
    /// A firewall log records that the probe was dropped, denied or rejected.
    Blocked,
    /// No reply was seen in the evidence.
    Unanswered,
}

impl Outcome {
    /// Returns the outcome's information rank, from 0 (unanswered) to 4 (open). A reply ranks
    /// above a firewall verdict, which ranks above silence.
    pub fn strength(self) -> u8 {
        match self {
            Self::Open => 4,
            Self::Closed => 3,
            Self::Filtered => 2,
            Self::Blocked => 1,
            Self::Unanswered => 0,
        }
    }

    /// Returns the outcome's name as stored and reported.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Closed => "closed",
            Self::Filtered => "filtered",
            Self::Blocked => "blocked",
            Self::Unanswered => "unanswered",
        }
    }
}

/// One probe: a packet or log line that opened or tested a port, with the features that
/// later analysis uses to fingerprint the tool that sent it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Probe {
    /// Time of the probe, UTC nanoseconds.
    pub ts_ns: TimestampNs,
    /// Position of the record in the evidence file.
    pub locator: Locator,
    /// Technique the probe belongs to.
    pub technique: Technique,
    /// Source port.
    pub src_port: Option<u16>,
    /// TCP flags, for TCP probes.
    pub tcp_flags: Option<TcpFlags>,
    /// IPv4 TTL or IPv6 hop limit.
    pub ttl: Option<u8>,
    /// IPv4 identification.
    pub ip_id: Option<u32>,
    /// TCP window size.
    pub tcp_window: Option<u16>,
    /// TCP option kinds in order.
    pub tcp_options: Option<TcpOptionKinds>,
    /// Transport payload length in bytes.
    pub payload_len: Option<u32>,
    /// Firewall action, for log lines.
    pub action: Option<FirewallAction>,
    /// Firewall rule or log prefix, for log lines.
    pub rule: Option<String>,
    /// The log line as written, for log lines.
    pub source_text: Option<String>,
}

/// The header fields of one probe that tell the tools that build probes apart.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProbeShape {
    /// IPv4 TTL or IPv6 hop limit.
    pub ttl: Option<u8>,
    /// IPv4 identification.
    pub ip_id: Option<u32>,
    /// Source port.
    pub src_port: Option<u16>,
    /// TCP window size.
    pub tcp_window: Option<u16>,
    /// TCP option kinds in order.
    pub tcp_options: Option<TcpOptionKinds>,
}

/// A reply that set a contact's outcome, kept for citation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyRef {
    /// Time of the reply, UTC nanoseconds.
    pub ts_ns: TimestampNs,
    /// Position of the reply in the evidence file.
    pub locator: Locator,
}

/// The aggregate of the probes of one (source, target, protocol, port) in one evidence file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    /// Address that sent the probes.
    pub src: IpAddr,
    /// Address that was probed.
    pub dst: IpAddr,
    /// Transport protocol of the probes.
    pub protocol: IpProtocol,
    /// Destination port, for protocols with ports.
    pub dst_port: Option<u16>,
    /// Time of the first probe.
    pub first_ts_ns: TimestampNs,
    /// Time of the last probe.
    pub last_ts_ns: TimestampNs,
    /// Probe packets or log lines, retransmissions included.
    pub probes: u64,
    /// Bitwise OR of the TCP flags of the probes (0 for other protocols).
    pub flags_seen: u8,
    /// State of the port, learned from the replies or the firewall.
    pub outcome: Outcome,
    /// True when the source completed a TCP handshake with the port.
    pub handshake_completed: bool,
    /// True when the source replied to the target's SYN/ACK with a RST, as a live host with
    /// no such connection does. A spoofed or decoy source sends no reply.
    pub source_reset: bool,
    /// True when the two sides exchanged payload, which a bare scan probe does not do.
    pub payload_exchanged: bool,
    /// Probe counts by technique.
    pub techniques: BTreeMap<Technique, u64>,
    /// The reply that set the outcome, when a reply did.
    pub reply: Option<ReplyRef>,
}

/// Counts of contacts by outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutcomeCounts {
    /// Contacts answered as open.
    pub open: u64,
    /// Contacts answered as closed.
    pub closed: u64,
    /// Contacts answered with an ICMP error other than port unreachable.
    pub filtered: u64,
    /// Contacts a firewall log shows as blocked.
    pub blocked: u64,
    /// Contacts with no reply in the evidence.
    pub unanswered: u64,
}

impl OutcomeCounts {
    /// Counts one contact's outcome.
    pub fn add(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Open => self.open += 1,
            Outcome::Closed => self.closed += 1,
            Outcome::Filtered => self.filtered += 1,
            Outcome::Blocked => self.blocked += 1,
            Outcome::Unanswered => self.unanswered += 1,
        }
    }

    /// Returns the number of contacts counted.
    pub fn total(&self) -> u64 {
        self.open + self.closed + self.filtered + self.blocked + self.unanswered
    }
}

/// Shape of a scan: what varies across the probes of one finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScanKind {
    /// One source, one target host, many ports.
    Vertical,
    /// One source, many target hosts, one or a few ports.
    Horizontal,
    /// One source, many target hosts and many ports on each.
    Block,
    /// Several sources sending the same probes to the same target at the same time, as
    /// nmap's decoys do. The finding names the source that behaved as a live host.
    Distributed,
    /// One source testing which hosts are up: ICMP echo or timestamp requests or ARP
    /// requests across a range, with the TCP "ping" probes sent alongside them.
    PingSweep,
}

impl ScanKind {
    /// Returns the kind's name as used in JSON and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Vertical => "vertical",
            Self::Horizontal => "horizontal",
            Self::Block => "block",
            Self::Distributed => "distributed",
            Self::PingSweep => "ping_sweep",
        }
    }
}

/// Probe technique, read from the probes' flags and the replies to them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Technique {
    /// SYN probes, connections never completed by the source (half-open).
    TcpSyn,
    /// Full TCP handshakes made through the operating system's `connect()`.
    TcpConnect,
    /// Segments with only FIN set.
    TcpFin,
    /// Segments with no flag set.
    TcpNull,
    /// Segments with FIN, PSH and URG set.
    TcpXmas,
    /// Segments with only ACK set, outside any connection.
    TcpAck,
    /// Segments with FIN and ACK set outside any connection (Uriel Maimon's scan).
    TcpMaimon,
    /// Bare ACK probes whose RST replies tell ports apart by their window: some RSTs carry a
    /// zero window and others a non-zero one, which nmap's window scan (`-sW`) reads as
    /// closed and open. The probes are the same as an ACK scan's, so only the replies'
    /// windows can name it.
    TcpWindow,
    /// UDP datagrams.
    Udp,
    /// ICMP or ICMPv6 echo requests, and ICMP timestamp requests, that test whether a host
    /// is up.
    IcmpEcho,
    /// ARP requests that test whether an address on the local link is in use.
    Arp,
    /// Packets of many IP protocols to one host, testing which protocols it supports
    /// (nmap's protocol scan, `-sO`).
    IpProtocol,
    /// SCTP packets that open an association with an INIT chunk (nmap's `-sY`).
    SctpInit,
}

impl Technique {
    /// Every technique, in declaration order.
    pub const ALL: [Technique; 13] = [
        Self::TcpSyn,
        Self::TcpConnect,
        Self::TcpFin,
        Self::TcpNull,
        Self::TcpXmas,
        Self::TcpAck,
        Self::TcpMaimon,
        Self::TcpWindow,
        Self::Udp,
        Self::IcmpEcho,
        Self::Arp,
        Self::IpProtocol,
        Self::SctpInit,
    ];

    /// Returns the technique's name as used in JSON and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TcpSyn => "tcp_syn",
            Self::TcpConnect => "tcp_connect",
            Self::TcpFin => "tcp_fin",
            Self::TcpNull => "tcp_null",
            Self::TcpXmas => "tcp_xmas",
            Self::TcpAck => "tcp_ack",
            Self::TcpMaimon => "tcp_maimon",
            Self::TcpWindow => "tcp_window",
            Self::Udp => "udp",
            Self::IcmpEcho => "icmp_echo",
            Self::Arp => "arp",
            Self::IpProtocol => "ip_protocol",
            Self::SctpInit => "sctp_init",
        }
    }

    /// Returns a short description for readers who do not know the name.
    pub fn description(self) -> &'static str {
        match self {
            Self::TcpSyn => "TCP SYN (half-open) scan",
            Self::TcpConnect => "TCP connect scan (full handshakes)",
            Self::TcpFin => "TCP FIN scan",
            Self::TcpNull => "TCP NULL scan (no flags set)",
            Self::TcpXmas => "TCP Xmas scan (FIN, PSH and URG set)",
            Self::TcpAck => "TCP ACK scan (firewall rule mapping)",
            Self::TcpMaimon => "TCP Maimon scan (FIN and ACK set)",
            Self::TcpWindow => "TCP window scan (ACK probes, replies told apart by window)",
            Self::Udp => "UDP scan",
            Self::IcmpEcho => "ICMP echo (ping) sweep",
            Self::Arp => "ARP sweep of the local link",
            Self::IpProtocol => "IP protocol scan",
            Self::SctpInit => "SCTP INIT scan",
        }
    }
}

/// Severity level, from the score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum SeverityLevel {
    /// Score below 40.
    Low,
    /// Score 40 to 64.
    Medium,
    /// Score 65 to 84.
    High,
    /// Score 85 and above.
    Critical,
}

impl SeverityLevel {
    /// Returns the level for a score from 0 to 100.
    pub fn from_score(score: u8) -> Self {
        match score {
            0..=39 => Self::Low,
            40..=64 => Self::Medium,
            65..=84 => Self::High,
            _ => Self::Critical,
        }
    }

    /// Returns the level's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "Low",
            Self::Medium => "Medium",
            Self::High => "High",
            Self::Critical => "Critical",
        }
    }
}

/// A computed severity with the sentence that explains it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Severity {
    /// Score from 0 to 100.
    pub score: u8,
    /// Level derived from the score.
    pub level: SeverityLevel,
    /// How the score follows from the evidence.
    pub explanation: String,
}

/// A computed confidence that the activity is a scan, with its explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confidence {
    /// Percentage from 0 to 100.
    pub percent: u8,
    /// How the percentage follows from the evidence.
    pub explanation: String,
}

/// One target port that answered as open during a scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct OpenPort {
    /// The scanned host.
    pub target: IpAddr,
    /// The port that answered as open.
    pub port: u16,
}

/// A pointer from a finding to one probe that supports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Citation {
    /// Row id of the probe in the case file.
    pub probe_id: i64,
    /// Row id of the evidence the probe came from.
    pub evidence_id: i64,
    /// Position of the record in the evidence file.
    pub locator: Locator,
    /// One line describing the cited packet or log line.
    pub excerpt: String,
}

/// One scan incident.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Identifier, unique in the case, for example `F-1`.
    pub id: String,
    /// Shape of the scan.
    pub kind: ScanKind,
    /// How the probes were built.
    pub technique: Technique,
    /// Addresses that sent the probes. For a distributed finding with decoys, only the
    /// sources that behaved as live hosts.
    pub sources: Vec<IpAddr>,
    /// Addresses that sent the same probes as a source but never replied or held a session
    /// in the case, as nmap's decoys do (distributed findings only).
    #[serde(default)]
    pub decoys: Vec<IpAddr>,
    /// Addresses that were probed.
    pub targets: Vec<IpAddr>,
    /// Distinct destination ports probed, ascending.
    pub ports: Vec<u16>,
    /// Time of the first probe, UTC nanoseconds.
    pub first_seen_ns: TimestampNs,
    /// Time of the last probe, UTC nanoseconds.
    pub last_seen_ns: TimestampNs,
    /// Probe packets or log lines, retransmissions included.
    pub probes: u64,
    /// Distinct (target, port) pairs probed.
    pub contacts: u64,
    /// Contacts by outcome.
    pub outcomes: OutcomeCounts,
    /// Ports that answered as open.
    pub open_ports: Vec<OpenPort>,
    /// Median gap between consecutive probes, in milliseconds to microsecond precision.
    pub median_gap_ms: Option<f64>,
    /// Regularity of a paced scan's gaps (median gap of a second or more): true when a fixed
    /// scan delay could explain them. `None` for fast scans.
    #[serde(default)]
    pub regular_timing: Option<bool>,
    /// The ping sweep that found the scanned hosts just before the scan, when there was one.
    #[serde(default)]
    pub host_discovery: Option<HostDiscovery>,
    /// Clock offsets between evidence files that saw the same probes of this finding.
    #[serde(default)]
    pub clock_offsets: Vec<ClockOffsetEstimate>,
    /// The tool whose probe template the probes match, when enough probes show it.
    #[serde(default)]
    pub fingerprint: Option<Fingerprint>,
    /// IP protocol numbers tried by a protocol scan (`ip_protocol`), ascending; empty for
    /// other techniques.
    #[serde(default)]
    pub ip_protocols: Vec<u8>,
    /// Probes of the same source and targets that read more than whether a port is open:
    /// operating-system detection and service version probing.
    #[serde(default)]
    pub extra_activity: Vec<ExtraActivity>,
    /// Whether the source is inside the case's internal networks.
    #[serde(default)]
    pub internal_source: bool,
    /// Reason for suppressing the finding (its sources are on the case's allowlist), or
    /// `None`. A suppressed finding stays in the case and the reports.
    #[serde(default)]
    pub suppressed: Option<String>,
    /// Computed severity.
    pub severity: Severity,
    /// Computed confidence.
    pub confidence: Confidence,
    /// MITRE ATT&CK technique IDs.
    pub attack: Vec<String>,
    /// What happened, in plain words built from the numbers above.
    pub explanation: String,
    /// The first probes behind the finding, in time order (all are cited in the case file).
    pub citations: Vec<Citation>,
    /// Number of probes cited in the case file.
    pub citations_total: u64,
}

/// Kind of a finding's extra activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExtraActivityKind {
    /// Probes with the flag combinations of nmap's operating-system detection
    /// (`-O`, part of `-A`), which read how the target's TCP/IP stack answers.
    OsDetection,
    /// Connections with data to ports the source had first half-opened, as a version scan
    /// (nmap `-sV`, part of `-A`) makes to read each service's banner and version.
    ServiceProbing,
}

impl ExtraActivityKind {
    /// Returns the name as used in JSON and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OsDetection => "os_detection",
            Self::ServiceProbing => "service_probing",
        }
    }
}

/// Activity of a finding's source beside its port probes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtraActivity {
    /// Kind of activity.
    pub kind: ExtraActivityKind,
    /// Hosts it was aimed at.
    pub targets: Vec<IpAddr>,
    /// TCP ports it used, ascending.
    pub ports: Vec<u16>,
    /// The signs that identified it, in words.
    pub matched: Vec<String>,
}

/// The scanner that built a scan's probes, identified from their header fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprint {
    /// `nmap`, `masscan`, `hping3`, `zmap`, or `unknown` when no profile, or more than one,
    /// matches every field.
    pub tool: String,
    /// The fields of the tool's profile that the probes match, in words.
    pub matched: Vec<String>,
}

/// How far one evidence file's clock differs from a more precise file's, estimated from the
/// probes both recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClockOffsetEstimate {
    /// File name of the evidence with the more precise times, the reference clock.
    pub reference: String,
    /// File name of the other evidence.
    pub other: String,
    /// Median of the other file's first probe time minus the reference file's, per shared
    /// (target, port), in milliseconds to microsecond precision.
    pub offset_ms: f64,
    /// (target, port) pairs both files recorded.
    pub shared_contacts: u64,
    /// Resolution of the other file's times in milliseconds; the offset is known to within it.
    pub resolution_ms: f64,
}

/// A ping sweep that came before a port scan and found the hosts it scanned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HostDiscovery {
    /// Technique of the discovery requests (`icmp_echo` or `arp`).
    pub technique: Technique,
    /// Distinct addresses asked.
    pub addresses: u64,
    /// Addresses that replied.
    pub answered: u64,
    /// ICMP or ARP requests sent, retransmissions included (TCP ping probes are cited but
    /// not counted here).
    pub requests: u64,
    /// Time of the first request, UTC nanoseconds.
    pub first_seen_ns: TimestampNs,
    /// Time of the last request, UTC nanoseconds.
    pub last_seen_ns: TimestampNs,
}

/// One imported evidence file as stored in the case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvidenceRecord {
    /// Row id in the case file.
    pub id: i64,
    /// Path given at import, made absolute.
    pub path: String,
    /// File size in bytes.
    pub size_bytes: u64,
    /// SHA-256 of the file's bytes, lower-case hex, taken while the file was parsed.
    pub sha256: String,
    /// Capture or firewall log.
    pub kind: EvidenceKind,
    /// When the file was imported, UTC nanoseconds.
    pub imported_at_ns: TimestampNs,
    /// Examiner who imported it, when known.
    pub imported_by: Option<String>,
    /// Modification time of the file at import, UTC nanoseconds, when the file system had one.
    pub modified_ns: Option<TimestampNs>,
    /// What the importer read.
    pub summary: ImportSummary,
    /// The latest re-hash of the file, when one was made.
    pub verification: Option<Verification>,
    /// Chain of custody entries in the order they were entered.
    pub custody: Vec<CustodyEntry>,
}

/// Result of re-hashing one evidence file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerificationStatus {
    /// The file's SHA-256 equals the one taken at import.
    Match,
    /// The file's SHA-256 differs: the file changed since import.
    Mismatch,
    /// The file was not found (or could not be read) at the path checked.
    Missing,
}

impl VerificationStatus {
    /// Returns the status name as stored and reported.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Match => "match",
            Self::Mismatch => "mismatch",
            Self::Missing => "missing",
        }
    }
}

/// One verification of an evidence file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verification {
    /// When the file was re-hashed, UTC nanoseconds.
    pub verified_at_ns: TimestampNs,
    /// Path that was checked (the recorded path or a remapped one).
    pub path_checked: String,
    /// Outcome of the comparison.
    pub status: VerificationStatus,
    /// SHA-256 found, when the file could be read.
    pub sha256_found: Option<String>,
}

/// One chain-of-custody entry for an evidence file, entered by the examiner.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CustodyEntry {
    /// Person who acquired or received the evidence.
    pub acquired_by: Option<String>,
    /// When it was acquired or handed over, as the examiner wrote it.
    pub acquired_at: Option<String>,
    /// System or device the evidence came from.
    pub source_system: Option<String>,
    /// How it was acquired or transferred, for example "copied from the firewall's USB export".
    pub method: Option<String>,
    /// Where the original is stored.
    pub storage: Option<String>,
    /// Further notes.
    pub notes: Option<String>,
    /// Who entered this entry.
    pub recorded_by: Option<String>,
    /// When this entry was entered, UTC nanoseconds.
    pub recorded_at_ns: TimestampNs,
}

/// Case metadata.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseInfo {
    /// Case name, by default the case file's stem.
    pub name: String,
    /// Examiner responsible for the case, when entered.
    pub examiner: Option<String>,
    /// When the case was created, UTC nanoseconds.
    pub created_at_ns: TimestampNs,
    /// Version of scancase that created the case.
    pub created_by_version: String,
}

/// Settings and provenance of one analysis run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnalysisRun {
    /// When the analysis ran, UTC nanoseconds.
    pub ran_at_ns: TimestampNs,
    /// Version of scancase that ran it.
    pub version: String,
    /// Parameter names and values used, for the methodology appendix.
    pub parameters: BTreeMap<String, String>,
}

/// Formats UTC nanoseconds as RFC 3339 with microseconds and `Z`, for example
/// `2026-12-04T19:35:42.547877Z`; nanoseconds are shown only when they are not zero.
pub fn format_rfc3339(ts_ns: TimestampNs) -> String {
    let time = chrono::DateTime::<chrono::Utc>::from_timestamp_nanos(ts_ns);
    if ts_ns.rem_euclid(1_000) == 0 {
        time.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
    } else {
        time.format("%Y-%m-%dT%H:%M:%S%.9fZ").to_string()
    }
}
