//! Network and transport layers: from one frame to one [`Observation`].
//!
//! Terms used here:
//! - the *IP payload* is what follows the IP header and its extension headers;
//! - the *transport payload* is what follows the TCP, UDP or ICMP header;
//! - a *non-first fragment* has a fragment offset other than 0, so its bytes are the middle
//!   of the transport data: it keeps its protocol but never yields ports or flags;
//! - a *quoted packet* is the start of the original datagram that an ICMP or ICMPv6 error
//!   (destination unreachable, time exceeded) carries back to its sender.
//!
//! Headers are decoded with etherparse's lax slicing, which accepts frames cut by the capture's
//! snapshot length. The one exception is [`leading_ports`], which reads the port pair where
//! etherparse has no decoder (SCTP) or the header is cut short.

use std::net::{IpAddr, Ipv4Addr};

use etherparse::err::Layer;
use etherparse::{
    icmpv4, icmpv6, ip_number, ArpOperation, ArpPacketSlice, EtherType, Icmpv4Slice, Icmpv6Slice, IpAuthHeaderSlice,
    Ipv6ExtensionsSlice, Ipv6FragmentHeaderSlice, Ipv6RawExtHeaderSlice, LaxIpPayloadSlice, LaxIpSlice, LaxIpv4Slice,
    LaxIpv6Slice, LaxNetSlice, LaxSlicedPacket, TcpSlice, UdpHeader, UdpSlice,
};

use super::link::{decode_link, non_ip_reason, LinkLayer};
use crate::model::{
    ArpOperation as ModelArpOperation, IcmpInfo, IpProtocol, Locator, Observation, QuotedPacket, TcpFlags,
    TcpOptionKinds, TimestampNs,
};

/// Length of the source and destination port fields that open a TCP, UDP or SCTP header.
const PORT_PAIR_LEN: usize = 4;

/// Position of the TCP flags byte (CWR to FIN, the order of [`TcpFlags`]) in a TCP header.
const TCP_FLAGS_OFFSET: usize = 13;
/// Position of the 16-bit TCP window field in a TCP header.
const TCP_WINDOW_OFFSET: usize = 14;
/// TCP option kind 0, end of option list.
const TCP_OPTION_END: u8 = 0;
/// TCP option kind 1, no-operation: a single byte used as padding.
const TCP_OPTION_NOP: u8 = 1;

/// Result of decoding one frame.
// Returned once per frame and matched at once, so boxing the observation would only add
// an allocation per frame.
#[allow(clippy::large_enum_variant)]
pub(super) enum FrameOutcome {
    /// An IP packet. `problem` describes the part that could not be decoded, if any.
    Packet { observation: Observation, problem: Option<String> },
    /// Not an IP packet; the text is the skipped reason.
    NotIp(String),
    /// The frame's link type is not supported.
    UnsupportedLinkType,
    /// The link or IP header could not be decoded, for the reason in the text.
    Invalid(String),
}

/// Decodes one frame of link type `link_type` captured at `ts_ns`.
pub(super) fn decode_frame(link_type: u16, frame: &[u8], ts_ns: TimestampNs, locator: Locator) -> FrameOutcome {
    let packet = match decode_link(link_type, frame) {
        LinkLayer::Decoded(packet) => packet,
        LinkLayer::NotIp(reason) => return FrameOutcome::NotIp(reason),
        LinkLayer::Unsupported => return FrameOutcome::UnsupportedLinkType,
        LinkLayer::Invalid(message) => return FrameOutcome::Invalid(message),
    };

    // etherparse also slices the transport layer, but `decode_transport` does that again
    // to handle first fragments, so only errors below the transport layer count here.
    let network_problem =
        packet.stop_err.as_ref().filter(|(_, layer)| !is_transport_layer(*layer)).map(|(err, _)| err.to_string());

    let ip = match &packet.net {
        Some(LaxNetSlice::Ipv4(ipv4)) => ipv4_layer(ipv4),
        Some(LaxNetSlice::Ipv6(ipv6)) => ipv6_layer(ipv6),
        Some(LaxNetSlice::Arp(arp)) => return arp_frame(arp, ts_ns, locator),
        None => return missing_network(&packet, network_problem),
    };

    let (transport, transport_problem) = decode_transport(&ip);
    let problem = match (network_problem, transport_problem) {
        (Some(network), Some(transport)) => Some(format!("{network}; {transport}")),
        (network, transport) => network.or(transport),
    };
    let observation = Observation {
        ts_ns,
        src: ip.src,
        dst: ip.dst,
        protocol: ip.protocol,
        src_port: transport.src_port,
        dst_port: transport.dst_port,
        tcp_flags: transport.tcp_flags,
        icmp: transport.icmp,
        ttl: Some(ip.ttl),
        ip_id: ip.ip_id,
        tcp_window: transport.tcp_window,
        tcp_options: transport.tcp_options,
        source_text: None,
        connection: None,
        payload_len: transport.payload_len,
        tcp_header_len: None,
        arp: None,
        sctp_chunk: transport.sctp_chunk,
        action: None,
        rule: None,
        locator,
    };
    FrameOutcome::Packet { observation, problem }
}

/// Turns an ARP request or reply for IPv4 addresses into an observation between the two
/// protocol addresses.
///
/// Frames that ask about no other host stay non-IP frames: announcements (sender and target
/// address equal) and address probes (sender address 0.0.0.0, RFC 5227), and ARP for other
/// protocols or with other operations.
fn arp_frame(arp: &ArpPacketSlice<'_>, ts_ns: TimestampNs, locator: Locator) -> FrameOutcome {
    let operation = match arp.operation() {
        ArpOperation::REQUEST => ModelArpOperation::Request,
        ArpOperation::REPLY => ModelArpOperation::Reply,
        _ => return FrameOutcome::NotIp(non_ip_reason(EtherType::ARP)),
    };
    let (Ok(sender), Ok(target)) =
        (<[u8; 4]>::try_from(arp.sender_protocol_addr()), <[u8; 4]>::try_from(arp.target_protocol_addr()))
    else {
        return FrameOutcome::NotIp(non_ip_reason(EtherType::ARP));
    };
    let (src, dst) = (Ipv4Addr::from(sender), Ipv4Addr::from(target));
    if arp.proto_addr_type() != EtherType::IPV4 || src.is_unspecified() || src == dst {
        return FrameOutcome::NotIp(non_ip_reason(EtherType::ARP));
    }
    let observation = Observation {
        ts_ns,
        src: IpAddr::V4(src),
        dst: IpAddr::V4(dst),
        protocol: IpProtocol::ARP,
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
        arp: Some(operation),
        sctp_chunk: None,
        action: None,
        rule: None,
        source_text: None,
        connection: None,
        locator,
    };
    FrameOutcome::Packet { observation, problem: None }
}

/// Returns true for the etherparse layers that `decode_transport` decodes itself.
fn is_transport_layer(layer: Layer) -> bool {
    matches!(
        layer,
        Layer::TcpHeader
            | Layer::UdpHeader
            | Layer::UdpPayload
            | Layer::Icmpv4
            | Layer::Icmpv4Timestamp
            | Layer::Icmpv4TimestampReply
            | Layer::Icmpv6
            | Layer::Igmp
    )
}

/// Classifies a decoded link layer that led to no network header.
///
/// A damaged ARP packet is still a non-IP frame, so only errors in other payloads make the
/// frame invalid.
fn missing_network(packet: &LaxSlicedPacket<'_>, problem: Option<String>) -> FrameOutcome {
    let ether_type = packet.ether_payload().map(|payload| payload.ether_type);
    if ether_type == Some(EtherType::ARP) {
        return FrameOutcome::NotIp(non_ip_reason(EtherType::ARP));
    }
    if let Some(problem) = problem {
        return FrameOutcome::Invalid(problem);
    }
    match ether_type {
        Some(EtherType::IPV4 | EtherType::IPV6) => {
            FrameOutcome::Invalid("IP header missing after the link header".to_string())
        }
        Some(other) => FrameOutcome::NotIp(non_ip_reason(other)),
        None => FrameOutcome::NotIp("non-IP frame (no EtherType, for example MACsec)".to_string()),
    }
}

/// The network-layer fields that IPv4 and IPv6 share.
struct IpLayer<'a> {
    src: IpAddr,
    dst: IpAddr,
    protocol: IpProtocol,
    /// IPv4 TTL or IPv6 hop limit.
    ttl: u8,
    /// IPv4 identification, or the identification of an IPv6 fragment header.
    ip_id: Option<u32>,
    /// True for every fragment, the first one included.
    fragmented: bool,
    non_first_fragment: bool,
    /// The captured IP payload, possibly cut by the snapshot length.
    payload: &'a [u8],
    /// Length of the IP payload as sent, when known.
    payload_len: Option<usize>,
}

fn ipv4_layer<'a>(ipv4: &LaxIpv4Slice<'a>) -> IpLayer<'a> {
    let header = ipv4.header();
    let payload = ipv4.payload();
    let auth_len = ipv4.extensions().auth.map_or(0, |auth| auth.slice().len());
    let declared_len = header.payload_len().ok().map(|len| usize::from(len).saturating_sub(auth_len));
    IpLayer {
        src: IpAddr::V4(header.source_addr()),
        dst: IpAddr::V4(header.destination_addr()),
        protocol: IpProtocol::from(payload.ip_number.0),
        ttl: header.ttl(),
        ip_id: Some(u32::from(header.identification())),
        fragmented: payload.fragmented,
        non_first_fragment: header.fragments_offset().value() != 0,
        payload: payload.payload,
        payload_len: sent_payload_len(payload, declared_len),
    }
}

fn ipv6_layer<'a>(ipv6: &LaxIpv6Slice<'a>) -> IpLayer<'a> {
    let header = ipv6.header();
    let payload = ipv6.payload();
    let extensions = ipv6.extensions();
    let fragment = ipv6_fragment_header(extensions);
    // A payload length of 0 means a jumbogram (RFC 2675), whose length is elsewhere.
    let declared_len = match header.payload_length() {
        0 => None,
        len => Some(usize::from(len).saturating_sub(extensions.slice().len())),
    };
    IpLayer {
        src: IpAddr::V6(header.source_addr()),
        dst: IpAddr::V6(header.destination_addr()),
        protocol: IpProtocol::from(payload.ip_number.0),
        ttl: header.hop_limit(),
        ip_id: fragment.as_ref().map(|fragment| fragment.identification()),
        fragmented: payload.fragmented,
        non_first_fragment: fragment.is_some_and(|fragment| fragment.fragment_offset().value() != 0),
        payload: payload.payload,
        payload_len: sent_payload_len(payload, declared_len),
    }
}

/// Finds the fragment header among the IPv6 extension headers that etherparse validated.
///
/// etherparse 0.21's own iterator over `Ipv6ExtensionsSlice` must not be used here: after a
/// lax parse that stopped on a damaged extension header, it decodes that header without
/// bounds checks and reads past the slice. This walk uses the checked decoders instead.
fn ipv6_fragment_header<'a>(extensions: &Ipv6ExtensionsSlice<'a>) -> Option<Ipv6FragmentHeaderSlice<'a>> {
    let mut next_header = extensions.first_header()?;
    let mut rest = extensions.slice();
    loop {
        let header_len = match next_header {
            ip_number::IPV6_FRAG => return Ipv6FragmentHeaderSlice::from_slice(rest).ok(),
            ip_number::IPV6_HOP_BY_HOP | ip_number::IPV6_ROUTE | ip_number::IPV6_DEST_OPTIONS => {
                let header = Ipv6RawExtHeaderSlice::from_slice(rest).ok()?;
                next_header = header.next_header();
                header.slice().len()
            }
            ip_number::AUTH => {
                let header = IpAuthHeaderSlice::from_slice(rest).ok()?;
                next_header = header.next_header();
                header.slice().len()
            }
            _ => return None,
        };
        // Every extension header is at least 8 bytes long, so the walk always ends.
        rest = rest.get(header_len..)?;
    }
}

/// Returns the IP payload length as sent: the captured length unless the capture cut it.
fn sent_payload_len(payload: &LaxIpPayloadSlice<'_>, declared_len: Option<usize>) -> Option<usize> {
    if payload.incomplete {
        declared_len
    } else {
        Some(payload.payload.len())
    }
}

/// The transport-layer fields of an observation.
#[derive(Default)]
struct Transport {
    src_port: Option<u16>,
    dst_port: Option<u16>,
    tcp_flags: Option<TcpFlags>,
    tcp_window: Option<u16>,
    tcp_options: Option<TcpOptionKinds>,
    icmp: Option<IcmpInfo>,
    payload_len: Option<u32>,
    sctp_chunk: Option<u8>,
}

/// Length of the SCTP common header (ports, verification tag, checksum; RFC 9260 section
/// 3.1); the first chunk's type follows it.
const SCTP_COMMON_HEADER_LEN: usize = 12;

/// Decodes the transport header of `ip`, returning what could be read and, when part of it
/// could not, a description of the problem.
fn decode_transport(ip: &IpLayer<'_>) -> (Transport, Option<String>) {
    if ip.non_first_fragment {
        return (Transport::default(), None);
    }
    // A fragment carries only part of the transport payload, so it gets no payload length.
    let payload_after = |header_len: usize| -> Option<u32> {
        let ip_payload_len = ip.payload_len.filter(|_| !ip.fragmented)?;
        u32::try_from(ip_payload_len.saturating_sub(header_len)).ok()
    };
    match ip.protocol {
        IpProtocol::TCP => match TcpSlice::from_slice(ip.payload) {
            Ok(tcp) => {
                let transport = Transport {
                    src_port: Some(tcp.source_port()),
                    dst_port: Some(tcp.destination_port()),
                    tcp_flags: Some(tcp_flags(&tcp)),
                    tcp_window: Some(tcp.window_size()),
                    tcp_options: Some(TcpOptionKinds::from_kinds(OptionKinds { rest: tcp.options() })),
                    payload_len: payload_after(tcp.header_slice().len()),
                    ..Transport::default()
                };
                (transport, None)
            }
            Err(err) => {
                let transport = cut_tcp_header(ip.payload);
                let problem = format!("TCP header not decoded, options unknown: {err}");
                (transport, Some(problem))
            }
        },
        IpProtocol::UDP => match UdpSlice::from_slice_lax(ip.payload) {
            Ok(udp) => {
                let transport = Transport {
                    src_port: Some(udp.source_port()),
                    dst_port: Some(udp.destination_port()),
                    payload_len: payload_after(UdpHeader::LEN),
                    ..Transport::default()
                };
                (transport, None)
            }
            Err(err) => (ports_only(ip.payload), Some(format!("UDP header not decoded: {err}"))),
        },
        IpProtocol::SCTP => {
            let mut transport = ports_only(ip.payload);
            transport.sctp_chunk = ip.payload.get(SCTP_COMMON_HEADER_LEN).copied();
            let problem = transport
                .src_port
                .is_none()
                .then(|| format!("SCTP header shorter than its {PORT_PAIR_LEN} port bytes"));
            (transport, problem)
        }
        IpProtocol::ICMP => match Icmpv4Slice::from_slice(ip.payload) {
            Ok(icmp) => {
                let transport = Transport {
                    icmp: Some(icmpv4_info(&icmp)),
                    payload_len: payload_after(icmp.header_len()),
                    ..Transport::default()
                };
                (transport, None)
            }
            Err(err) => (Transport::default(), Some(format!("ICMP header not decoded: {err}"))),
        },
        IpProtocol::ICMPV6 => match Icmpv6Slice::from_slice(ip.payload) {
            Ok(icmp) => {
                let transport = Transport {
                    icmp: Some(icmpv6_info(&icmp)),
                    payload_len: payload_after(icmp.header_len()),
                    ..Transport::default()
                };
                (transport, None)
            }
            Err(err) => (Transport::default(), Some(format!("ICMPv6 header not decoded: {err}"))),
        },
        _ => (Transport::default(), None),
    }
}

/// Reads the fixed fields of a TCP header that etherparse rejected, as far as they were
/// captured: ports, then the flags byte, then the window (RFC 9293 section 3.1).
///
/// A header is rejected when the capture cut it (an old snapshot length of 68 bytes cuts
/// a Linux SYN inside its options) or when its data offset is below 5. Its options stay
/// unknown, because a partial list would mislead a tool fingerprint.
fn cut_tcp_header(bytes: &[u8]) -> Transport {
    let mut transport = ports_only(bytes);
    transport.tcp_flags = bytes.get(TCP_FLAGS_OFFSET).map(|flags| TcpFlags(*flags));
    transport.tcp_window =
        bytes.get(TCP_WINDOW_OFFSET..TCP_WINDOW_OFFSET + 2).map(|window| u16::from_be_bytes([window[0], window[1]]));
    transport
}

/// The kinds of the options in a TCP header's option bytes, in order (RFC 9293 section 3.2).
///
/// Kinds 0 (end of option list) and 1 (no-operation) are one byte long, and every other
/// option carries its whole length in its second byte. The zero bytes that pad the header
/// after an end of option list are listed as kind 0 each, as tshark 4.0 lists them, because
/// their count differs between TCP stacks (`2,1,3,1,1,8,4,0,0` in the SYNs of the
/// `http-vlan-0.pcap` fixture). An option whose length is missing, below 2 or past the end
/// is listed and ends the walk.
struct OptionKinds<'a> {
    rest: &'a [u8],
}

impl Iterator for OptionKinds<'_> {
    type Item = u8;

    fn next(&mut self) -> Option<u8> {
        let (&kind, after_kind) = self.rest.split_first()?;
        self.rest = match kind {
            TCP_OPTION_END | TCP_OPTION_NOP => after_kind,
            _ => match self.rest.get(1).map(|len| usize::from(*len)) {
                Some(len) if len >= 2 && len <= self.rest.len() => &self.rest[len..],
                _ => &[],
            },
        };
        Some(kind)
    }
}

/// Returns a transport holding only the ports read by [`leading_ports`], if there are any.
fn ports_only(bytes: &[u8]) -> Transport {
    let ports = leading_ports(bytes);
    Transport { src_port: ports.map(|(src, _)| src), dst_port: ports.map(|(_, dst)| dst), ..Transport::default() }
}

/// Reads the source and destination ports that open a TCP, UDP or SCTP header.
///
/// All three start with these two 16-bit fields in network byte order (RFC 9293, RFC 768,
/// RFC 9260). This serves SCTP, which etherparse does not decode, and headers cut short:
/// an ICMPv4 error may quote as little as the first 8 bytes of the original datagram's
/// payload (RFC 792), which is less than a TCP header.
fn leading_ports(bytes: &[u8]) -> Option<(u16, u16)> {
    let (ports, _) = bytes.split_first_chunk::<PORT_PAIR_LEN>()?;
    let [src_high, src_low, dst_high, dst_low] = *ports;
    Some((u16::from_be_bytes([src_high, src_low]), u16::from_be_bytes([dst_high, dst_low])))
}

/// Collects the eight TCP control bits, ECE and CWR included, into one flags byte.
fn tcp_flags(tcp: &TcpSlice<'_>) -> TcpFlags {
    let bits = [
        (tcp.fin(), TcpFlags::FIN),
        (tcp.syn(), TcpFlags::SYN),
        (tcp.rst(), TcpFlags::RST),
        (tcp.psh(), TcpFlags::PSH),
        (tcp.ack(), TcpFlags::ACK),
        (tcp.urg(), TcpFlags::URG),
        (tcp.ece(), TcpFlags::ECE),
        (tcp.cwr(), TcpFlags::CWR),
    ];
    TcpFlags(bits.iter().filter(|(is_set, _)| *is_set).fold(0, |flags, (_, bit)| flags | bit))
}

fn icmpv4_info(icmp: &Icmpv4Slice<'_>) -> IcmpInfo {
    let is_error = matches!(icmp.type_u8(), icmpv4::TYPE_DEST_UNREACH | icmpv4::TYPE_TIME_EXCEEDED);
    IcmpInfo {
        icmp_type: icmp.type_u8(),
        code: icmp.code_u8(),
        quoted: if is_error { quoted_packet(icmp.payload()) } else { None },
    }
}

fn icmpv6_info(icmp: &Icmpv6Slice<'_>) -> IcmpInfo {
    // A parameter problem quotes the packet it rejects; code 1 (unrecognized next header) is
    // how a host answers a protocol it does not support.
    let is_error = matches!(
        icmp.type_u8(),
        icmpv6::TYPE_DST_UNREACH | icmpv6::TYPE_TIME_EXCEEDED | icmpv6::TYPE_PARAMETER_PROBLEM
    );
    IcmpInfo {
        icmp_type: icmp.type_u8(),
        code: icmp.code_u8(),
        quoted: if is_error { quoted_packet(icmp.payload()) } else { None },
    }
}

/// Decodes the packet quoted in an ICMP error, or returns `None` when its IP header is
/// missing or damaged.
fn quoted_packet(bytes: &[u8]) -> Option<QuotedPacket> {
    let (ip_slice, _) = LaxIpSlice::from_slice(bytes).ok()?;
    let ip = match &ip_slice {
        LaxIpSlice::Ipv4(ipv4) => ipv4_layer(ipv4),
        LaxIpSlice::Ipv6(ipv6) => ipv6_layer(ipv6),
    };
    let ports =
        if ip.protocol.has_ports() && !ip.non_first_fragment { quoted_ports(ip.protocol, ip.payload) } else { None };
    Some(QuotedPacket {
        src: ip.src,
        dst: ip.dst,
        protocol: ip.protocol,
        src_port: ports.map(|(src, _)| src),
        dst_port: ports.map(|(_, dst)| dst),
    })
}

/// Reads the ports of a quoted transport header, through etherparse when the quote contains a
/// whole header.
fn quoted_ports(protocol: IpProtocol, bytes: &[u8]) -> Option<(u16, u16)> {
    let decoded = match protocol {
        IpProtocol::TCP => TcpSlice::from_slice(bytes).ok().map(|tcp| (tcp.source_port(), tcp.destination_port())),
        IpProtocol::UDP => UdpSlice::from_slice_lax(bytes).ok().map(|udp| (udp.source_port(), udp.destination_port())),
        _ => None,
    };
    decoded.or_else(|| leading_ports(bytes))
}
