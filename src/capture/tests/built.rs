//! Imports of inputs derived from the fixtures (patched, cut, read in small pieces) or built
//! with etherparse's `PacketBuilder`, for cases the real captures do not contain.

use std::io::{self, Read};

use etherparse::{
    icmpv4, icmpv6, Icmpv4Type, Icmpv6Type, IpFragOffset, IpNumber, Ipv4Header, Ipv6FragmentHeader, Ipv6Header,
    PacketBuilder, TcpHeader, VlanId,
};

use super::*;
use crate::capture::{detect_format, CaptureFormat};
use crate::model::{IcmpInfo, IpProtocol, ObservationSink, QuotedPacket, SinkError};

const LINKTYPE_ETHERNET: u32 = 1;
const LINKTYPE_RAW: u32 = 101;
const LINKTYPE_LINUX_SLL: u32 = 113;
const SCTP: IpNumber = IpNumber(132);

/// Writes a little-endian microsecond pcap file with one record per frame, one second
/// apart from 1704164645 s.
fn pcap_file(link_type: u32, frames: &[Vec<u8>]) -> Vec<u8> {
    let mut file = Vec::new();
    file.extend_from_slice(&0xa1b2_c3d4_u32.to_le_bytes());
    file.extend_from_slice(&2u16.to_le_bytes());
    file.extend_from_slice(&4u16.to_le_bytes());
    file.extend_from_slice(&[0; 8]);
    file.extend_from_slice(&262_144u32.to_le_bytes());
    file.extend_from_slice(&link_type.to_le_bytes());
    for (index, frame) in frames.iter().enumerate() {
        let len = u32::try_from(frame.len()).expect("small frame");
        file.extend_from_slice(&(1_704_164_645 + index as u32).to_le_bytes());
        file.extend_from_slice(&0u32.to_le_bytes());
        file.extend_from_slice(&len.to_le_bytes());
        file.extend_from_slice(&len.to_le_bytes());
        file.extend_from_slice(frame);
    }
    file
}

/// Decodes one raw-IP frame through a whole import and returns its observation.
fn import_raw_ip(packet: Vec<u8>) -> (ImportSummary, Observation) {
    let (summary, mut observations) = import_bytes(&pcap_file(LINKTYPE_RAW, &[packet])).expect("import");
    assert_eq!(observations.len(), 1, "{summary:?}");
    (summary, observations.remove(0))
}

fn tcp_syn_packet(src: [u8; 4], dst: [u8; 4], src_port: u16, dst_port: u16) -> Vec<u8> {
    let mut packet = Vec::new();
    PacketBuilder::ipv4(src, dst, 64).tcp(src_port, dst_port, 1, 1024).syn().write(&mut packet, &[]).expect("build");
    packet
}

#[test]
fn detect_format_magics() {
    let cases: [(&[u8], Option<CaptureFormat>); 10] = [
        (&[0xd4, 0xc3, 0xb2, 0xa1], Some(CaptureFormat::Pcap)),
        (&[0xa1, 0xb2, 0xc3, 0xd4], Some(CaptureFormat::Pcap)),
        (&[0x4d, 0x3c, 0xb2, 0xa1], Some(CaptureFormat::Pcap)),
        (&[0xa1, 0xb2, 0x3c, 0x4d, 0, 2], Some(CaptureFormat::Pcap)),
        (&[0x34, 0xcd, 0xb2, 0xa1], Some(CaptureFormat::Pcap)),
        (&[0xa1, 0xb2, 0xcd, 0x34], Some(CaptureFormat::Pcap)),
        (&[0x0a, 0x0d, 0x0d, 0x0a, 0x1c], Some(CaptureFormat::PcapNg)),
        (b"\x7fELF", None),
        (b"Dec  4 19:33:58 vm kernel:", None),
        (&[0xd4, 0xc3, 0xb2], None),
    ];
    for (head, expected) in cases {
        assert_eq!(detect_format(head), expected, "head {head:02x?}");
    }
    assert_eq!(CaptureFormat::Pcap.as_str(), "pcap");
    assert_eq!(CaptureFormat::PcapNg.as_str(), "pcapng");
}

#[test]
fn non_capture_input_rejected() {
    for input in [&b""[..], b"ab", b"Dec  4 19:33:58 vm kernel: IPT-IN", &[0xa1, 0xb2, 0xcd, 0x34, 0, 2]] {
        let err = import_bytes(input).expect_err("not a capture");
        assert!(matches!(err, CaptureError::InvalidHeader { .. }), "{input:02x?}: {err}");
    }
    let pcap_header_cut = &fixture_bytes("BR-05.pcap")[..10];
    let err = import_bytes(pcap_header_cut).expect_err("cut header");
    assert!(err.to_string().contains("ends inside its pcap file header"), "{err}");
}

#[test]
fn unsupported_link_type_counted() {
    let mut bytes = fixture_bytes("scan_nmap_sS_8ports_vic1.pcap");
    bytes[20..24].copy_from_slice(&147u32.to_le_bytes());
    let (summary, observations) = import_bytes(&bytes).expect("import");
    assert!(observations.is_empty());
    assert_eq!(summary.records, 21);
    assert_eq!(summary.skipped.get("unsupported link type 147"), Some(&21));
    assert_eq!(summary.anomalies.len(), 1);
    assert!(summary.anomalies[0].message.contains("link type 147"));
    assert_eq!(summary.anomalies[0].locator.record, 1);
}

/// A reader that returns at most `chunk` bytes per call and fails after `fail_after` bytes.
struct TrickleReader {
    bytes: Vec<u8>,
    position: usize,
    chunk: usize,
    fail_after: Option<usize>,
}

impl Read for TrickleReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.fail_after.is_some_and(|limit| self.position >= limit) {
            return Err(io::Error::new(io::ErrorKind::ConnectionReset, "device removed"));
        }
        let end = (self.position + self.chunk.min(buf.len())).min(self.bytes.len());
        let end = self.fail_after.map_or(end, |limit| end.min(limit));
        let count = end - self.position;
        buf[..count].copy_from_slice(&self.bytes[self.position..end]);
        self.position = end;
        Ok(count)
    }
}

#[test]
fn short_reads_same_result() {
    for name in ["derived_scan_nmap_sS_vic1.pcapng", "scan_nmap_sU_vic1.pcap", "BR-03.pcap"] {
        let bytes = fixture_bytes(name);
        let (expected_summary, expected) = import_bytes(&bytes).expect("import");
        let reader = TrickleReader { bytes, position: 0, chunk: 3, fail_after: None };
        let mut observations = Vec::new();
        let summary = read_capture(reader, &mut observations).expect("import in pieces");
        assert_eq!(summary, expected_summary, "{name}");
        assert_eq!(observations, expected, "{name}");
    }
}

#[test]
fn io_error_keeps_offset_and_source() {
    let bytes = fixture_bytes("scan_nmap_sF_vic1.pcap");
    let reader = TrickleReader { bytes, position: 0, chunk: 4096, fail_after: Some(50_000) };
    let mut observations = Vec::new();
    let err = read_capture(reader, &mut observations).expect_err("read fails");
    let CaptureError::Io { byte_offset, source } = &err else {
        panic!("expected an I/O error, got {err}");
    };
    assert_eq!(*byte_offset, 50_000);
    assert_eq!(source.kind(), io::ErrorKind::ConnectionReset);
    assert!(!observations.is_empty(), "frames before the failure are pushed");
}

/// A sink that rejects the observation after `accepted` ones.
struct FailingSink {
    accepted: usize,
}

impl ObservationSink for FailingSink {
    fn push(&mut self, _observation: Observation) -> Result<(), SinkError> {
        if self.accepted == 0 {
            return Err(SinkError(Box::new(io::Error::other("disk full"))));
        }
        self.accepted -= 1;
        Ok(())
    }
}

#[test]
fn sink_error_names_frame() {
    let file = std::fs::File::open(fixture_path("scan_nmap_sS_8ports_vic1.pcap")).expect("open");
    let err = read_capture(file, &mut FailingSink { accepted: 4 }).expect_err("sink fails");
    // Frames 1 to 4 (two ARP frames, then two TCP segments) are accepted, frame 5 is rejected.
    assert!(matches!(err, CaptureError::Sink { record: 5, .. }), "{err}");
    assert!(std::error::Error::source(&err).is_some());
}

#[test]
fn corrupt_block_length_stops_reading() {
    let mut bytes = fixture_bytes("BR-01.pcapng");
    let total = bytes.len();
    let trailer: [u8; 4] = bytes[total - 4..].try_into().expect("4 bytes");
    let last_block_len = u32::from_le_bytes(trailer) as usize;
    bytes[total - 4..].copy_from_slice(&0xdead_u32.to_le_bytes());
    let (summary, observations) = import_bytes(&bytes).expect("import");
    assert_eq!(observations.len(), 1, "the packet before the corrupt block is kept");
    assert_eq!(summary.anomalies.len(), 1);
    let anomaly = &summary.anomalies[0];
    let block_offset = (total - last_block_len) as u64;
    assert_eq!(anomaly.locator.byte_offset, block_offset);
    assert!(anomaly.message.starts_with(&format!("corrupt record at byte {block_offset}")), "{}", anomaly.message);
}

#[test]
fn truncated_pcapng_keeps_first_packet() {
    let bytes = fixture_bytes("BR-01.pcapng");
    let (summary, observations) = import_bytes(&bytes[..bytes.len() - 10]).expect("import");
    assert_eq!(observations.len(), 1);
    assert_eq!(summary.anomalies.len(), 1);
    let expected = format!("capture truncated at byte {}", bytes.len() - 10);
    assert!(summary.anomalies[0].message.starts_with(&expected), "{:?}", summary.anomalies);
}

#[test]
fn damaged_ip_header_skipped() {
    let mut bytes = fixture_bytes("scan_nmap_sS_8ports_vic1.pcap");
    let offsets = pcap_record_offsets(&bytes);
    // Frame 3: IP version and header length sit after the 16-byte record header and the
    // 14-byte Ethernet header. A header length of 4 words is invalid.
    let frame_3 = offsets[2];
    bytes[frame_3 as usize + 16 + 14] = 0x44;
    let (summary, observations) = import_bytes(&bytes).expect("import");
    assert_eq!(summary.records, 21);
    assert_eq!(observations.len(), 20);
    assert_eq!(summary.skipped.get("undecodable headers"), Some(&1));
    assert_eq!(summary.anomalies.len(), 1);
    assert_eq!(summary.anomalies[0].locator, crate::model::Locator { record: 3, byte_offset: frame_3 });
    let records: Vec<u64> = observations.iter().take(3).map(|obs| obs.locator.record).collect();
    assert_eq!(records, [1, 2, 4], "frame 3 is skipped, the ARP frames before it are not");
}

#[test]
fn vlan_tagged_frame_decoded() {
    let mut frame = Vec::new();
    PacketBuilder::ethernet2([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2])
        .single_vlan(VlanId::try_new(100).expect("vlan id"))
        .ipv4([10, 0, 0, 1], [10, 0, 0, 2], 64)
        .tcp(40000, 22, 1, 1024)
        .syn()
        .write(&mut frame, &[])
        .expect("build");
    let (summary, observations) = import_bytes(&pcap_file(LINKTYPE_ETHERNET, &[frame])).expect("import");
    assert_eq!(summary.observations, 1);
    assert_eq!(observations[0].dst_port, Some(22));
    assert_eq!(observations[0].tcp_flags, Some(TcpFlags(TcpFlags::SYN)));
}

#[test]
fn linux_sll_v1_loopback() {
    // Linux cooked v1 header: outgoing (4), ARPHRD_LOOPBACK (772), no address, IPv4.
    let mut frame = vec![0, 4, 0x03, 0x04, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x00];
    frame.extend(tcp_syn_packet([127, 0, 0, 1], [127, 0, 0, 1], 40000, 8080));
    let (summary, observations) = import_bytes(&pcap_file(LINKTYPE_LINUX_SLL, &[frame])).expect("import");
    assert_eq!(summary.observations, 1, "{summary:?}");
    assert_eq!(observations[0].dst_port, Some(8080));
}

#[test]
fn all_tcp_flag_bits_kept() {
    let mut header = TcpHeader::new(40000, 80, 1, 1024);
    header.syn = true;
    header.ece = true;
    header.cwr = true;
    let mut packet = Vec::new();
    PacketBuilder::ipv4([10, 0, 0, 1], [10, 0, 0, 2], 64)
        .tcp_header(header)
        .write(&mut packet, b"hello")
        .expect("build");
    let (_, obs) = import_raw_ip(packet);
    assert_eq!(obs.tcp_flags, Some(TcpFlags(TcpFlags::SYN | TcpFlags::ECE | TcpFlags::CWR)));
    assert_eq!(obs.payload_len, Some(5));
}

/// Builds an IPv4 packet carrying `payload` with the given fragment offset (in 8-byte
/// units) and more-fragments flag.
fn ipv4_fragment(protocol: IpNumber, payload: &[u8], offset_units: u16, more: bool) -> Vec<u8> {
    let len = u16::try_from(payload.len()).expect("small payload");
    let mut header = Ipv4Header::new(len, 64, protocol, [10, 0, 0, 1], [10, 0, 0, 2]).expect("header");
    header.identification = 0x1234;
    header.fragment_offset = IpFragOffset::try_new(offset_units).expect("offset");
    header.more_fragments = more;
    let mut packet = header.to_bytes().to_vec();
    packet.extend_from_slice(payload);
    packet
}

#[test]
fn fragments_and_ports() {
    let mut segment = TcpHeader::new(40000, 443, 1, 1024);
    segment.syn = true;
    let segment = segment.to_bytes().to_vec();

    let (_, first) = import_raw_ip(ipv4_fragment(IpNumber::TCP, &segment, 0, true));
    assert_eq!((first.src_port, first.dst_port), (Some(40000), Some(443)));
    assert_eq!(first.payload_len, None, "a fragment's transport length is unknown");

    let (summary, later) = import_raw_ip(ipv4_fragment(IpNumber::TCP, &segment, 185, false));
    assert_eq!(later.protocol, IpProtocol::TCP);
    assert_eq!((later.src_port, later.dst_port, later.tcp_flags), (None, None, None));
    assert_eq!(later.ip_id, Some(0x1234));
    assert!(summary.anomalies.is_empty(), "{:?}", summary.anomalies);
}

#[test]
fn ipv6_fragment_id_no_ports() {
    let fragment =
        Ipv6FragmentHeader::new(IpNumber::UDP, IpFragOffset::try_new(10).expect("offset"), false, 0xabcd_0001);
    let payload = [0u8; 16];
    let header = Ipv6Header {
        payload_length: 8 + 16,
        next_header: IpNumber::IPV6_FRAGMENTATION_HEADER,
        hop_limit: 57,
        source: [0xfd, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10],
        destination: [0xfd, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0],
        ..Ipv6Header::default()
    };
    let mut packet = header.to_bytes().to_vec();
    packet.extend_from_slice(&fragment.to_bytes());
    packet.extend_from_slice(&payload);
    let (_, obs) = import_raw_ip(packet);
    assert_eq!(obs.protocol, IpProtocol::UDP);
    assert_eq!(obs.ip_id, Some(0xabcd_0001));
    assert_eq!(obs.ttl, Some(57));
    assert_eq!(obs.src_port, None);
}

#[test]
fn sctp_ports_read() {
    let common_header = [0x0b, 0xb8, 0x0b, 0xb9, 0, 0, 0, 0, 0, 0, 0, 0];
    let (_, obs) = import_raw_ip(ipv4_fragment(SCTP, &common_header, 0, false));
    assert_eq!(obs.protocol, IpProtocol::SCTP);
    assert_eq!((obs.src_port, obs.dst_port), (Some(3000), Some(3001)));
}

#[test]
fn icmpv4_short_quote_ports() {
    // A router quotes the IP header and only the first 8 bytes of the TCP header.
    let probe = tcp_syn_packet([10, 0, 0, 1], [198, 51, 100, 7], 40000, 443);
    let quote = &probe[..20 + 8];
    let mut packet = Vec::new();
    PacketBuilder::ipv4([192, 0, 2, 254], [10, 0, 0, 1], 255)
        .icmpv4(Icmpv4Type::TimeExceeded(icmpv4::TimeExceededCode::TtlExceededInTransit))
        .write(&mut packet, quote)
        .expect("build");
    let (_, obs) = import_raw_ip(packet);
    let expected = IcmpInfo {
        icmp_type: icmpv4::TYPE_TIME_EXCEEDED,
        code: 0,
        quoted: Some(QuotedPacket {
            src: addr("10.0.0.1"),
            dst: addr("198.51.100.7"),
            protocol: IpProtocol::TCP,
            src_port: Some(40000),
            dst_port: Some(443),
        }),
    };
    assert_eq!(obs.icmp, Some(expected));
}

#[test]
fn icmpv6_unreachable_quotes_probe() {
    let (src, dst) = (addr("fd00:200::10"), addr("fd00:200::100"));
    let (IpAddr::V6(src_v6), IpAddr::V6(dst_v6)) = (src, dst) else { unreachable!() };
    let mut probe = Vec::new();
    PacketBuilder::ipv6(src_v6.octets(), dst_v6.octets(), 64)
        .udp(50000, 161)
        .write(&mut probe, b"probe")
        .expect("build");
    let mut packet = Vec::new();
    PacketBuilder::ipv6(dst_v6.octets(), src_v6.octets(), 64)
        .icmpv6(Icmpv6Type::DestinationUnreachable(icmpv6::DestUnreachableCode::Port))
        .write(&mut packet, &probe)
        .expect("build");
    let (_, obs) = import_raw_ip(packet);
    assert_eq!(obs.protocol, IpProtocol::ICMPV6);
    let icmp = obs.icmp.expect("ICMPv6 fields");
    assert_eq!((icmp.icmp_type, icmp.code), (icmpv6::TYPE_DST_UNREACH, 4));
    let quoted = icmp.quoted.expect("quoted probe");
    assert_eq!((quoted.src, quoted.dst, quoted.protocol), (src, dst, IpProtocol::UDP));
    assert_eq!((quoted.src_port, quoted.dst_port), (Some(50000), Some(161)));
}

#[test]
fn damaged_arp_still_non_ip() {
    let bytes = fixture_bytes("scan_nmap_sS_8ports_vic1.pcap");
    let arp_start = pcap_record_offsets(&bytes)[0] as usize + 16;
    // Ethernet header plus 6 of the 28 ARP bytes.
    let damaged_arp = bytes[arp_start..arp_start + 20].to_vec();
    let (summary, observations) = import_bytes(&pcap_file(LINKTYPE_ETHERNET, &[damaged_arp])).expect("import");
    assert!(observations.is_empty());
    assert_eq!(summary.skipped.get("non-IP frame (ethertype 0x0806)"), Some(&1));
    assert!(summary.anomalies.is_empty(), "{:?}", summary.anomalies);
}

#[test]
fn damaged_ipv6_extension_kept() {
    // A hop-by-hop header (8 bytes) announces destination options, of which only 2 bytes
    // follow. etherparse's extension iterator reads past the slice on such input.
    let header = Ipv6Header {
        payload_length: 8 + 2,
        next_header: IpNumber::IPV6_HEADER_HOP_BY_HOP,
        hop_limit: 64,
        source: [0xfd, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10],
        destination: [0xfd, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0],
        ..Ipv6Header::default()
    };
    let mut packet = header.to_bytes().to_vec();
    packet.extend_from_slice(&[IpNumber::IPV6_DESTINATION_OPTIONS.0, 0, 0, 0, 0, 0, 0, 0]);
    packet.extend_from_slice(&[0xab, 0xcd]);
    let (summary, obs) = import_raw_ip(packet);
    assert_eq!(obs.ip_id, None);
    assert_eq!(obs.src_port, None);
    assert_eq!(summary.anomalies.len(), 1, "{:?}", summary.anomalies);
    assert!(summary.anomalies[0].message.starts_with("packet partly decoded"), "{:?}", summary.anomalies);
}

/// Builds an Ethernet frame holding an ARP packet for IPv4 addresses (RFC 826 layout).
fn arp_frame(operation: u16, sender: [u8; 4], target: [u8; 4]) -> Vec<u8> {
    let mut frame = vec![0xff; 6];
    frame.extend_from_slice(&[0x02, 0, 0, 0, 0, 0x01]);
    frame.extend_from_slice(&0x0806u16.to_be_bytes());
    frame.extend_from_slice(&1u16.to_be_bytes());
    frame.extend_from_slice(&0x0800u16.to_be_bytes());
    frame.extend_from_slice(&[6, 4]);
    frame.extend_from_slice(&operation.to_be_bytes());
    frame.extend_from_slice(&[0x02, 0, 0, 0, 0, 0x01]);
    frame.extend_from_slice(&sender);
    frame.extend_from_slice(&[0; 6]);
    frame.extend_from_slice(&target);
    frame
}

#[test]
fn arp_announcements_and_probes_skipped() {
    let frames = vec![
        arp_frame(1, [10, 0, 0, 5], [10, 0, 0, 9]),
        arp_frame(1, [10, 0, 0, 5], [10, 0, 0, 5]),
        arp_frame(1, [0, 0, 0, 0], [10, 0, 0, 7]),
        arp_frame(3, [10, 0, 0, 5], [10, 0, 0, 9]),
    ];
    let (summary, observations) = import_bytes(&pcap_file(LINKTYPE_ETHERNET, &frames)).expect("import");
    assert_eq!(observations.len(), 1, "only the request about another host: {observations:?}");
    assert_eq!(observations[0].protocol, IpProtocol::ARP);
    assert_eq!(observations[0].arp, Some(crate::model::ArpOperation::Request));
    assert_eq!(observations[0].dst, addr("10.0.0.9"));
    // An announcement, an address probe and a RARP request stay non-IP frames.
    assert_eq!(summary.skipped.get("non-IP frame (ethertype 0x0806)"), Some(&3));
}
