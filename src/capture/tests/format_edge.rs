//! Imports of the format edge cases under `fixtures/capture/format_edge/`, compared field by
//! field with tshark's reading of the same file.
//!
//! Each capture has a `FILE.tshark.tsv` next to it, written by `make-goldens.sh` in that
//! folder with TShark 4.0.17 and IP reassembly off. Every frame that tshark decodes as IP
//! must be an observation with the same frame number, time to the nanosecond, addresses,
//! protocol, ports, TCP flags, window and option kinds, TTL and ICMP type and code. Frames
//! that tshark does not decode as IP must yield no observation. The damaged files, whose
//! reading is scancase's own decision, are checked one by one further down.

use std::collections::BTreeMap;
use std::net::IpAddr;

use super::*;
use crate::model::{IpProtocol, Locator};

/// Returns the path of a file under `fixtures/capture/format_edge/`.
fn edge_path(name: &str) -> PathBuf {
    fixture_path("format_edge").join(name)
}

fn import_edge(name: &str) -> Result<(ImportSummary, Vec<Observation>), CaptureError> {
    let path = edge_path(name);
    let file = std::fs::File::open(&path).unwrap_or_else(|err| panic!("cannot open {}: {err}", path.display()));
    let mut observations = Vec::new();
    let summary = read_capture(file, &mut observations)?;
    Ok((summary, observations))
}

fn import_edge_ok(name: &str) -> (ImportSummary, Vec<Observation>) {
    import_edge(name).unwrap_or_else(|err| panic!("import of {name} failed: {err}"))
}

/// IPv6 extension headers whose next-header field tshark lists separately.
const IPV6_HOP_BY_HOP: u8 = 0;
const IPV6_ROUTING: u8 = 43;
const IPV6_FRAGMENT: u8 = 44;
const IPV6_DESTINATION_OPTIONS: u8 = 60;

/// tshark's reading of one frame that it decoded as IP.
#[derive(Debug, Default)]
struct TsharkFrame {
    record: u64,
    /// `frame.time_epoch` as tshark prints it; none for a Simple Packet Block, which has no
    /// timestamp field.
    time_epoch: Option<String>,
    src: Option<IpAddr>,
    dst: Option<IpAddr>,
    protocol: Option<u8>,
    ttl: Option<u8>,
    ip_id: Option<u32>,
    src_port: Option<u16>,
    dst_port: Option<u16>,
    tcp_flags: Option<u8>,
    tcp_window: Option<u16>,
    tcp_option_kinds: Vec<u8>,
    icmp: Option<(u8, u8)>,
}

/// The columns of one line of a `.tshark.tsv` file, by field name. A field repeated in a
/// frame (tunnels, quoted packets) contains comma-separated values, outermost first.
struct TsvRow<'a> {
    fields: BTreeMap<&'a str, &'a str>,
}

impl<'a> TsvRow<'a> {
    fn all(&self, name: &str) -> Vec<&'a str> {
        let value = self.fields.get(name).unwrap_or_else(|| panic!("no column {name}"));
        value.split(',').filter(|part| !part.is_empty()).collect()
    }

    fn first(&self, name: &str) -> Option<&'a str> {
        self.all(name).first().copied()
    }

    fn number<T: TryFrom<u64>>(&self, name: &str) -> Option<T> {
        let text = self.first(name)?;
        let value = match text.strip_prefix("0x") {
            Some(hex) => u64::from_str_radix(hex, 16),
            None => text.parse(),
        }
        .unwrap_or_else(|err| panic!("column {name}: {text:?} is not a number: {err}"));
        Some(T::try_from(value).unwrap_or_else(|_| panic!("column {name}: {value} out of range")))
    }
}

/// Converts tshark's `frame.time_epoch` (seconds, a dot and nine digits) to nanoseconds.
fn epoch_ns(text: &str) -> TimestampNs {
    let (seconds, fraction) = text.split_once('.').unwrap_or((text, "0"));
    assert!(fraction.len() <= 9, "time {text} has more than nine fraction digits");
    let seconds: i64 = seconds.parse().unwrap_or_else(|err| panic!("time {text}: {err}"));
    let nanos: i64 = format!("{fraction:0<9}").parse().unwrap_or_else(|err| panic!("time {text}: {err}"));
    seconds * 1_000_000_000 + nanos
}

/// Reads `FILE.tshark.tsv` and returns the frames tshark decoded as IP, and the number of
/// frames it read.
fn tshark_frames(name: &str) -> (Vec<TsharkFrame>, u64) {
    let path = edge_path(&format!("{name}.tshark.tsv"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()));
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header line").split('\t').collect();
    let mut frames = Vec::new();
    let mut frame_count = 0;
    for line in lines {
        let row = TsvRow { fields: header.iter().copied().zip(line.split('\t')).collect() };
        frame_count += 1;
        if let Some(frame) = tshark_ip_frame(&row) {
            frames.push(frame);
        }
    }
    (frames, frame_count)
}

fn tshark_ip_frame(row: &TsvRow<'_>) -> Option<TsharkFrame> {
    let layers = row.first("frame.protocols").unwrap_or_default();
    let ip_layer = layers.split(':').find(|layer| *layer == "ip" || *layer == "ipv6")?;
    let mut frame = TsharkFrame {
        record: row.number("frame.number").expect("frame number"),
        time_epoch: row.first("frame.time_epoch").map(str::to_string),
        ..TsharkFrame::default()
    };

    let parse_addr = |text: &str| text.parse::<IpAddr>().unwrap_or_else(|err| panic!("address {text}: {err}"));
    // A header cut before the end of its addresses gives no observation in scancase.
    let address_fields = if ip_layer == "ip" { ("ip.src", "ip.dst") } else { ("ipv6.src", "ipv6.dst") };
    row.first(address_fields.0)?;
    row.first(address_fields.1)?;
    if ip_layer == "ip" {
        frame.src = row.first("ip.src").map(parse_addr);
        frame.dst = row.first("ip.dst").map(parse_addr);
        frame.protocol = row.number("ip.proto");
        frame.ttl = row.number("ip.ttl");
        frame.ip_id = row.number("ip.id");
    } else {
        frame.src = row.first("ipv6.src").map(parse_addr);
        frame.dst = row.first("ipv6.dst").map(parse_addr);
        frame.protocol = ipv6_upper_layer(row);
        frame.ttl = row.number("ipv6.hlim");
    }

    let (src_port, dst_port) = match frame.protocol.map(IpProtocol::from) {
        Some(IpProtocol::TCP) => ("tcp.srcport", "tcp.dstport"),
        Some(IpProtocol::UDP) => ("udp.srcport", "udp.dstport"),
        Some(IpProtocol::SCTP) => ("sctp.srcport", "sctp.dstport"),
        _ => ("", ""),
    };
    if !src_port.is_empty() {
        frame.src_port = row.number(src_port);
        frame.dst_port = row.number(dst_port);
    }

    if frame.protocol.map(IpProtocol::from) == Some(IpProtocol::TCP) {
        frame.tcp_flags = row.number::<u16>("tcp.flags").map(|flags| (flags & 0xff) as u8);
        frame.tcp_window = row.number("tcp.window_size_value");
        frame.tcp_option_kinds =
            row.all("tcp.option_kind").iter().map(|kind| kind.parse().expect("option kind")).collect();
    }

    let icmp_fields = match frame.protocol.map(IpProtocol::from) {
        Some(IpProtocol::ICMP) => Some(("icmp.type", "icmp.code")),
        Some(IpProtocol::ICMPV6) => Some(("icmpv6.type", "icmpv6.code")),
        _ => None,
    };
    if let Some((icmp_type, icmp_code)) = icmp_fields {
        frame.icmp = row.number(icmp_type).zip(row.number(icmp_code));
    }
    Some(frame)
}

/// Follows the IPv6 next-header chain through the extension headers tshark lists.
fn ipv6_upper_layer(row: &TsvRow<'_>) -> Option<u8> {
    let mut next_header: u8 = row.number("ipv6.nxt")?;
    for _ in 0..8 {
        let field = match next_header {
            IPV6_HOP_BY_HOP => "ipv6.hopopts.nxt",
            IPV6_ROUTING => "ipv6.routing.nxt",
            IPV6_FRAGMENT => "ipv6.fraghdr.nxt",
            IPV6_DESTINATION_OPTIONS => "ipv6.dstopts.nxt",
            protocol => return Some(protocol),
        };
        next_header = row.number(field)?;
    }
    None
}

/// Compares scancase's observations of a file with tshark's frames and returns every
/// difference, each naming the file, frame and field.
fn differences(name: &str, observations: &[Observation], frames: &[TsharkFrame], skip_time: bool) -> Vec<String> {
    // The golden files list IP packets only, so ARP observations are left out here; the
    // fixture tests check those.
    let observations: Vec<&Observation> = observations.iter().filter(|obs| obs.protocol != IpProtocol::ARP).collect();
    let by_record: BTreeMap<u64, &Observation> = observations.iter().map(|obs| (obs.locator.record, *obs)).collect();
    let mut found = Vec::new();
    let mut differ = |record: u64, field: &str, ours: String, tshark: String| {
        let is_known = KNOWN_DIFFERENCES.iter().any(|known| (known.0, known.1, known.2) == (name, record, field));
        if ours != tshark && !is_known {
            found.push(format!("{name} frame {record}: {field} is {ours}, tshark reads {tshark}"));
        }
    };
    for frame in frames {
        let Some(obs) = by_record.get(&frame.record) else {
            // A Simple Packet Block before any timestamp has no time, so scancase skips it.
            if frame.time_epoch.is_some() {
                differ(frame.record, "observation", "missing".into(), "an IP packet".into());
            }
            continue;
        };
        let record = frame.record;
        if let Some(time_epoch) = frame.time_epoch.as_deref().filter(|_| !skip_time) {
            differ(record, "time", obs.ts_ns.to_string(), epoch_ns(time_epoch).to_string());
        }
        differ(record, "src", format!("{:?}", Some(obs.src)), format!("{:?}", frame.src));
        differ(record, "dst", format!("{:?}", Some(obs.dst)), format!("{:?}", frame.dst));
        differ(record, "protocol", format!("{:?}", Some(obs.protocol.number())), format!("{:?}", frame.protocol));
        differ(record, "ttl", format!("{:?}", obs.ttl), format!("{:?}", frame.ttl));
        if frame.src.is_some_and(|src| src.is_ipv4()) {
            differ(record, "ip id", format!("{:?}", obs.ip_id), format!("{:?}", frame.ip_id));
        }
        differ(record, "src port", format!("{:?}", obs.src_port), format!("{:?}", frame.src_port));
        differ(record, "dst port", format!("{:?}", obs.dst_port), format!("{:?}", frame.dst_port));
        differ(record, "tcp flags", format!("{:?}", obs.tcp_flags.map(|f| f.0)), format!("{:?}", frame.tcp_flags));
        differ(record, "tcp window", format!("{:?}", obs.tcp_window), format!("{:?}", frame.tcp_window));
        // scancase keeps option kinds only from whole TCP headers; tshark also lists those
        // of a header the capture cut.
        if let Some(kinds) = obs.tcp_options {
            differ(record, "tcp options", format!("{:?}", kinds.as_slice()), format!("{:?}", frame.tcp_option_kinds));
        }
        let icmp = obs.icmp.map(|icmp| (icmp.icmp_type, icmp.code));
        differ(record, "icmp", format!("{icmp:?}"), format!("{:?}", frame.icmp));
    }
    let tshark_records: BTreeSet<u64> = frames.iter().map(|frame| frame.record).collect();
    for obs in observations {
        if !tshark_records.contains(&obs.locator.record) {
            found.push(format!("{name} frame {}: an observation, tshark reads no IP packet", obs.locator.record));
        }
    }
    found
}

use std::collections::BTreeSet;

/// Fields where scancase reads a damaged packet differently from tshark, on purpose:
/// (file, frame, field, why).
const KNOWN_DIFFERENCES: &[(&str, u64, &str, &str)] = &[
    (
        "tcpdump_tests/ip6_frag_asan.pcap",
        1,
        "protocol",
        "the capture cuts the IPv6 fragment header; tshark names no protocol, scancase keeps 44, the header it could not read",
    ),
    (
        "tcpdump_tests/ipv6_frag6_negative_len.pcap",
        1,
        "protocol",
        "tshark calls the fragment header malformed because the IPv6 payload length runs past the frame; scancase reads its next header, 2",
    ),
];

/// Every capture under `format_edge/` whose frames are compared with tshark's.
const COMPARED: &[&str] = &[
    "chrissanders/ip_frag_source.pcapng",
    "derived/tcp_syn-then-rst_misnamed.pcapng",
    "chrissanders/ipv6_fragments.pcapng",
    "dpkt/dpkt_truncated_dns.pcap",
    "dpkt/dpkt_truncated_dns_2.pcap",
    "libpcap_tests/libpcap_pcap-invalid-version-2.pcap",
    "rusticata/err-buffertoosmall.pcapng",
    "rusticata/modified-format.pcap",
    "suricata_verify/bug-6887-defrag-eth-vlan-ipv4-tcp-syn.pcap",
    "suricata_verify/bug-6887-defrag-eth-vlan-ipv6-tcp.pcap",
    "suricata_verify/bug-6887-defrag-ipv4-tcp-syn.pcap",
    "suricata_verify/bug-6887-defrag-ipv6-tcp.pcap",
    "suricata_verify/bug-6887-defrag-ppp-ipv4-tcp-syn.pcap",
    "suricata_verify/decode-sll2-01.pcap",
    "suricata_verify/decode-too-small_empty_tcp_udp.pcap",
    "suricata_verify/eve-flow-vlan-02_3vlan_ids.pcap",
    "suricata_verify/http-ipv6_linktype_null.pcap",
    "suricata_verify/ipv4-truncated.pcap",
    "suricata_verify/linktype-228_flow-test-01.pcap",
    "suricata_verify/pppoe.pcap",
    "tcpdump_tests/802.1ad_QinQ.pcap",
    "tcpdump_tests/LINKTYPE_IPV4.pcap",
    "tcpdump_tests/LINKTYPE_IPV6.pcap",
    "tcpdump_tests/LINKTYPE_IPV6_invalid.pcap",
    "tcpdump_tests/LINKTYPE_RAW_ipv4.pcap",
    "tcpdump_tests/LINKTYPE_RAW_ipv6.pcap",
    "tcpdump_tests/OSPFv2_Capture_FINAL.pcapng",
    "tcpdump_tests/empty.pcapng",
    "tcpdump_tests/icmp-length-zero.pcapng",
    "tcpdump_tests/ip6_frag_asan.pcap",
    "tcpdump_tests/ipv6_frag6_negative_len.pcap",
    "tcpdump_tests/isup.pcap",
    "tcpdump_tests/pptp.pcap",
    "tcpdump_tests/tcp-handshake-nano.pcap",
    "tcpdump_tests/tcp_rst_data-trunc.pcap",
    "tcpdump_tests/time_2106_overflow.pcapng",
    "tcpdump_tests/time_2107.pcapng",
    "tcpdump_tests/timestamp_invalid_micro.pcap",
    "tcpdump_tests/timestamp_invalid_nano.pcap",
    "zeek_testing/communityid_ipv6.pcap",
    "zeek_testing/empty.pcap",
    "zeek_testing/http-qinq-0.pcap",
    "zeek_testing/http-vlan-0.pcap",
    "zeek_testing/icmp_dot1q.pcap",
    "zeek_testing/ip-bogus-header-len.pcap",
    "zeek_testing/ipv4_fragmented-1.pcap",
    "zeek_testing/ipv4_fragmented-2.pcap",
    "zeek_testing/ipv4_fragmented-3.pcap",
    "zeek_testing/ipv4_fragmented-4.pcap",
    "zeek_testing/ipv4_fragmented-syn.pcap",
    "zeek_testing/ipv6-fragmented-dns.pcap",
    "zeek_testing/ipv6-http-atomic-frag.pcap",
    "zeek_testing/linux_dlt_sll2.pcap",
    "zeek_testing/linuxsll-arp.pcap",
    "zeek_testing/nflog-bad-tlv-len.pcap",
    "zeek_testing/pcapng-multi-interface.pcapng",
    "zeek_testing/q-in-q.pcap",
    "zeek_testing/tcp_syn-bad.pcap",
    "zeek_testing/tcp_syn-then-rst.pcap",
    "zeek_testing/tcp_truncated-header.pcap",
    "zeek_testing/trunc_ip4-tcp-bad-chksum.pcap",
    "zeek_testing/trunc_ip4-trunc.pcap",
    "zeek_testing/trunc_ip6-trunc.pcap",
    "zeek_testing/trunc_ipv4-truncated-broken-header.pcap",
    "zeek_testing/trunc_trunc-hdr.pcap",
    "zeek_testing/udp-contents-truncated-oob.pcap",
    "zeek_testing/vlan-pcp-dei.pcapng",
    "zeek_testing/vlan-qinqinq.pcap",
    "tcpdump_tests/nflog.pcap",
    "zeek_testing/nflog-http.pcap",
];

#[test]
fn format_edge_matches_tshark() {
    let mut found = Vec::new();
    for name in COMPARED.iter().copied().chain(pcapng_generator_files().iter().map(String::as_str)) {
        let (frames, tshark_frame_count) = tshark_frames(name);
        let (summary, observations) = match import_edge(name) {
            Ok(result) => result,
            Err(err) => {
                found.push(format!("{name}: import failed: {err}"));
                continue;
            }
        };
        if summary.records != tshark_frame_count {
            found.push(format!("{name}: {} frames read, tshark reads {tshark_frame_count}", summary.records));
        }
        let skip_time = INVALID_TIME_FILES.contains(&name);
        found.extend(differences(name, &observations, &frames, skip_time));
    }
    assert!(found.is_empty(), "{} differences from tshark:\n{}", found.len(), found.join("\n"));
}

/// Files whose pcap time fractions are a second or more, which tshark 4.0 prints
/// unnormalized (`1418145370.1000000000`); their times are checked in their own test.
const INVALID_TIME_FILES: &[&str] =
    &["tcpdump_tests/timestamp_invalid_micro.pcap", "tcpdump_tests/timestamp_invalid_nano.pcap"];

/// Returns the paths of the pcapng test generator's files, in both byte orders.
fn pcapng_generator_files() -> Vec<String> {
    let mut names = Vec::new();
    for order in ["output_le", "output_be"] {
        for (group, numbers) in [("basic", 1..=18), ("advanced", 100..=102), ("difficult", 200..=202)] {
            for number in numbers {
                names.push(format!("pcapng-test-generator/{order}/{group}/test{number:03}.pcapng"));
            }
        }
    }
    names
}

fn edge_bytes(name: &str) -> Vec<u8> {
    let path = edge_path(name);
    std::fs::read(&path).unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()))
}

fn header_error_message(result: Result<(ImportSummary, Vec<Observation>), CaptureError>) -> String {
    match result {
        Err(CaptureError::InvalidHeader { message }) => message,
        Err(other) => panic!("expected a file header error, got {other}"),
        Ok((summary, _)) => panic!("expected a file header error, the file was read: {summary:?}"),
    }
}

#[test]
fn truncated_inside_record_header() {
    // One DNS packet, then 7 of the 16 bytes of a record header.
    let (summary, observations) = import_edge_ok("dpkt/dpkt_truncated_dns_2.pcap");
    assert_eq!(summary.records, 1);
    assert_eq!(observations.len(), 1);
    assert_eq!(summary.anomalies.len(), 1);
    let anomaly = &summary.anomalies[0];
    assert_eq!(anomaly.locator, Locator { record: 0, byte_offset: 240 });
    assert!(anomaly.message.starts_with("capture truncated at byte 247"), "{}", anomaly.message);
}

#[test]
fn truncated_file_header_rejected() {
    let message = header_error_message(import_edge("libpcap_tests/libpcap_pcap-truncated-hdr-23.pcap"));
    assert!(message.contains("ends inside its pcap file header"), "{message}");
}

#[test]
fn unsupported_versions_rejected() {
    // libpcap 1.10 and tshark 4.0 reject these files too.
    let cases = [
        ("libpcap_tests/libpcap_pcap-invalid-version-1.pcap", "version 1.4"),
        ("libpcap_tests/libpcap_pcapng-invalid-vers-1.pcapng", "version is 0.1"),
        ("libpcap_tests/libpcap_pcapng-invalid-vers-2.pcapng", "version is 1.1"),
    ];
    for (name, expected) in cases {
        let message = header_error_message(import_edge(name));
        assert!(message.contains(expected), "{name}: {message}");
    }
    // Minor version 5 of pcap 2 changes nothing a reader relies on.
    let (summary, _) = import_edge_ok("libpcap_tests/libpcap_pcap-invalid-version-2.pcap");
    assert_eq!(summary.records, 1);
}

#[test]
fn reserved_link_type_bits_rejected() {
    let message = header_error_message(import_edge("libpcap_tests/libpcap_linktype-reserved-field-not-zero.pcap"));
    assert!(message.contains("0x00300000"), "{message}");
}

#[test]
fn corrupt_block_after_header_stops() {
    // The section header's option claims 12336 bytes, past its block; the block after it
    // cannot be located.
    let (summary, observations) = import_edge_ok("libpcap_tests/libpcap_shb-option-too-long.pcapng");
    assert!(observations.is_empty());
    assert_eq!(summary.anomalies.len(), 1);
    let anomaly = &summary.anomalies[0];
    assert_eq!(anomaly.locator.byte_offset, 52);
    assert!(anomaly.message.starts_with("corrupt record at byte 52"), "{}", anomaly.message);
}

#[test]
fn block_without_section_not_capture() {
    // An Enhanced Packet Block cut from a file: no Section Header Block, so no pcapng magic.
    let message = header_error_message(import_edge("rusticata/err-eof.bin"));
    assert!(message.contains("neither pcap nor pcapng"), "{message}");
}

#[test]
fn empty_captures_read_cleanly() {
    for name in [
        "zeek_testing/empty.pcap",
        "tcpdump_tests/empty.pcapng",
        "pcapng-test-generator/output_le/basic/test002.pcapng",
    ] {
        let (summary, observations) = import_edge_ok(name);
        assert_eq!(summary.records, 0, "{name}");
        assert!(observations.is_empty(), "{name}");
        assert!(summary.anomalies.is_empty(), "{name}: {:?}", summary.anomalies);
    }
}

/// Sets the captured length of the classic pcap record at `record_offset` (little-endian).
fn set_caplen(bytes: &mut [u8], record_offset: usize, caplen: u32) {
    bytes[record_offset + 8..record_offset + 12].copy_from_slice(&caplen.to_le_bytes());
}

#[test]
fn absurd_record_length_stops() {
    // Frame 2 of a SYN and its RST starts at byte 24 + 16 + 54 = 94.
    let original = edge_bytes("zeek_testing/tcp_syn-then-rst.pcap");
    for caplen in [300 * 1024, 0x7fff_ffff, u32::MAX] {
        let mut bytes = original.clone();
        set_caplen(&mut bytes, 94, caplen);
        let (summary, observations) = import_bytes(&bytes).expect("import");
        assert_eq!(observations.len(), 1, "caplen {caplen}: the frame before is kept");
        assert_eq!(summary.anomalies.len(), 1, "caplen {caplen}");
        let anomaly = &summary.anomalies[0];
        assert_eq!(anomaly.locator.byte_offset, 94, "caplen {caplen}");
        assert!(anomaly.message.starts_with("corrupt record at byte 94"), "{}", anomaly.message);
        assert!(anomaly.message.contains(&format!("captured length is {caplen} bytes")), "{}", anomaly.message);
    }
}

#[test]
fn absurd_block_length_stops() {
    // The first Enhanced Packet Block follows a 28-byte SHB and a 20-byte IDB... found by
    // walking the blocks, so that the test does not depend on option sizes.
    let mut bytes = edge_bytes("pcapng-test-generator/output_le/basic/test001.pcapng");
    let mut offset = 0;
    let epb_offset = loop {
        let block_type = u32::from_le_bytes(bytes[offset..offset + 4].try_into().expect("4 bytes"));
        let block_len = u32::from_le_bytes(bytes[offset + 4..offset + 8].try_into().expect("4 bytes"));
        if block_type == 6 {
            break offset;
        }
        offset += block_len as usize;
    };
    bytes[epb_offset + 4..epb_offset + 8].copy_from_slice(&0x7fff_fff0_u32.to_le_bytes());
    let (summary, observations) = import_bytes(&bytes).expect("import");
    assert!(observations.is_empty());
    assert_eq!(summary.anomalies.len(), 1);
    let anomaly = &summary.anomalies[0];
    assert_eq!(anomaly.locator.byte_offset, epb_offset as u64);
    assert!(anomaly.message.contains("block length is 2147483632 bytes"), "{}", anomaly.message);
}

#[test]
fn large_block_read_whole() {
    // pcap-parser's own test file for a block larger than a small read buffer.
    let (summary, observations) = import_edge_ok("rusticata/err-buffertoosmall.pcapng");
    assert_eq!(summary.records, 27);
    assert!(summary.anomalies.is_empty(), "{:?}", summary.anomalies);
    assert!(!observations.is_empty());
}

#[test]
fn caplen_above_snaplen_read_whole() {
    // The file's snapshot length is 1 and its record contains 8 bytes.
    let (summary, _) = import_edge_ok("zeek_testing/trunc_trunc-hdr.pcap");
    assert_eq!(summary.records, 1);
    let messages: Vec<&str> = summary.anomalies.iter().map(|anomaly| anomaly.message.as_str()).collect();
    assert!(messages.iter().any(|message| message.contains("exceeds the file's snapshot length 1")), "{messages:?}");
}

#[test]
fn fragmented_syn_first_fragment_only() {
    let (_, observations) = import_edge_ok("zeek_testing/ipv4_fragmented-syn.pcap");
    assert_eq!(observations.len(), 2);
    let (first, second) = (&observations[0], &observations[1]);
    assert_eq!((first.src_port, first.dst_port), (Some(12345), Some(80)));
    assert_eq!(first.tcp_flags, Some(TcpFlags(TcpFlags::SYN)));
    assert_eq!(second.protocol, IpProtocol::TCP);
    assert_eq!((second.src_port, second.dst_port, second.tcp_flags), (None, None, None));
}

#[test]
fn ppp_fragment_cut_before_flags() {
    // Over PPP, the first fragment carries 8 bytes of TCP header: the ports, not the flags.
    let (summary, observations) = import_edge_ok("suricata_verify/bug-6887-defrag-ppp-ipv4-tcp-syn.pcap");
    assert_eq!(summary.records, 3);
    assert_eq!(observations.len(), 3);
    assert_eq!((observations[0].src_port, observations[0].dst_port), (Some(12345), Some(8080)));
    assert_eq!(observations[0].tcp_flags, None);
    assert!(observations[1..].iter().all(|obs| obs.src_port.is_none() && obs.tcp_flags.is_none()));
}

#[test]
fn pppoe_control_frames_skipped() {
    // A PPPoE session set-up: discovery frames, then LCP, IPCP, IPv6CP and CCP inside PPP,
    // and no IP packet (tshark reads none either).
    let (summary, observations) = import_edge_ok("suricata_verify/pppoe.pcap");
    assert_eq!(summary.records, 37);
    assert!(observations.is_empty());
    assert_eq!(summary.skipped.get("non-IP frame (ethertype 0x8863)"), Some(&10), "{:?}", summary.skipped);
    for protocol in ["0xc021", "0x8021", "0x8057", "0x80fd"] {
        let reason = format!("non-IP frame (PPP protocol {protocol})");
        assert!(summary.skipped.contains_key(&reason), "{reason} missing from {:?}", summary.skipped);
    }
    assert!(summary.anomalies.is_empty(), "{:?}", summary.anomalies);
}

#[test]
fn cut_tcp_header_keeps_flags() {
    // Snapshot length 68 cuts the first SYN 34 bytes into its 40-byte TCP header.
    let (summary, observations) = import_edge_ok("zeek_testing/tcp_truncated-header.pcap");
    let first = &observations[0];
    assert_eq!(first.tcp_flags, Some(TcpFlags(TcpFlags::SYN | TcpFlags::ECE | TcpFlags::CWR)));
    assert_eq!(first.tcp_window, Some(5840));
    assert_eq!(first.tcp_options, None, "a cut option list is not kept");
    assert!(summary.anomalies.iter().any(|anomaly| anomaly.locator.record == 1));
}

#[test]
fn invalid_fraction_carries_over() {
    let (summary, observations) = import_edge_ok("tcpdump_tests/timestamp_invalid_micro.pcap");
    let times: Vec<TimestampNs> = observations.iter().map(|obs| obs.ts_ns).collect();
    // Fractions 999999, 1000000 and 2147483648 microseconds on 1418145369 and 1418145370 s.
    assert_eq!(times, vec![1_418_145_369_999_999_000, 1_418_145_371_000_000_000, 1_418_147_517_483_648_000]);
    assert_eq!(summary.anomalies.len(), 1, "reported once per file");
    assert_eq!(summary.anomalies[0].locator.record, 2);

    let (summary, observations) = import_edge_ok("tcpdump_tests/timestamp_invalid_nano.pcap");
    assert_eq!(observations.len(), 3);
    assert_eq!(summary.anomalies.len(), 1);
}

#[test]
fn simple_packets_without_time_skipped() {
    let (summary, observations) = import_edge_ok("pcapng-test-generator/output_be/basic/test010.pcapng");
    assert_eq!(summary.records, 4);
    assert!(observations.is_empty());
    assert_eq!(summary.skipped.get("simple packet block before any timestamp"), Some(&4));
}

#[test]
fn sections_switch_byte_order() {
    // Three sections: little-endian, big-endian, little-endian (test202.txt).
    let (summary, _) = import_edge_ok("pcapng-test-generator/output_le/difficult/test202.pcapng");
    assert_eq!(summary.records, 11);
    assert_eq!(summary.skipped.get("pcapng custom block"), Some(&3));
    assert!(summary.anomalies.iter().all(|anomaly| !anomaly.message.contains("corrupt")), "{:?}", summary.anomalies);
}

#[test]
fn nflog_packets_decoded() {
    let (summary, observations) = import_edge_ok("zeek_testing/nflog-http.pcap");
    assert_eq!(summary.records, 13);
    assert_eq!(observations.len(), 13);
    let (summary, observations) = import_edge_ok("zeek_testing/nflog-bad-tlv-len.pcap");
    assert!(observations.is_empty());
    assert_eq!(summary.skipped.get("undecodable headers"), Some(&1), "{:?}", summary.skipped);
}

#[test]
fn ipv6_link_type_requires_ipv6() {
    let (summary, observations) = import_edge_ok("tcpdump_tests/LINKTYPE_IPV6_invalid.pcap");
    assert!(observations.is_empty());
    assert!(summary.anomalies[0].message.contains("requires IPv6"), "{:?}", summary.anomalies);
}

/// One line of tcpdump's expected output as the tcpdump project's tests store it.
struct TcpdumpLine {
    record: u64,
    ts_ns: TimestampNs,
    src: IpAddr,
    src_port: Option<u16>,
    dst: IpAddr,
    dst_port: Option<u16>,
}

/// Splits tcpdump's `address.port` (or a bare address) into its parts.
fn tcpdump_endpoint(text: &str) -> (IpAddr, Option<u16>) {
    let text = text.trim_end_matches(':');
    if let Ok(address) = text.parse() {
        return (address, None);
    }
    let (address, port) = text.rsplit_once('.').unwrap_or_else(|| panic!("endpoint {text}"));
    (address.parse().unwrap_or_else(|err| panic!("address {address}: {err}")), Some(port.parse().expect("port")))
}

/// Reads `FILE.out.expected.txt`, written by `tcpdump -n -r FILE` with a date (`-tttt`) or
/// with epoch seconds (`-tt`), for its IP lines.
fn tcpdump_lines(name: &str) -> Vec<TcpdumpLine> {
    let text = std::fs::read_to_string(edge_path(name)).unwrap_or_else(|err| panic!("cannot read {name}: {err}"));
    let mut lines = Vec::new();
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        let record = words[0].parse().expect("frame number");
        let (ts_ns, rest) = if words[1].contains('-') {
            let time =
                chrono::NaiveDateTime::parse_from_str(&format!("{} {}", words[1], words[2]), "%Y-%m-%d %H:%M:%S%.f")
                    .unwrap_or_else(|err| panic!("time in {line}: {err}"));
            (time.and_utc().timestamp_nanos_opt().expect("in range"), &words[3..])
        } else {
            (epoch_ns(words[1]), &words[2..])
        };
        if !matches!(rest[0], "IP" | "IP6") {
            continue;
        }
        let (src, src_port) = tcpdump_endpoint(rest[1]);
        let (dst, dst_port) = tcpdump_endpoint(rest[3]);
        lines.push(TcpdumpLine { record, ts_ns, src, src_port, dst, dst_port });
    }
    lines
}

#[test]
fn upstream_tcpdump_outputs_agree() {
    // The tcpdump project's expected outputs for its own test captures, copied next to them.
    let cases = [
        ("tcpdump_tests/pptp.pcap", "tcpdump_tests/pptp.out.expected.txt", 23),
        ("tcpdump_tests/isup.pcap", "tcpdump_tests/isup.out.expected.txt", 6),
        ("tcpdump_tests/LINKTYPE_IPV4.pcap", "tcpdump_tests/LINKTYPE_IPV4.out.expected.txt", 1),
        ("tcpdump_tests/LINKTYPE_IPV6.pcap", "tcpdump_tests/LINKTYPE_IPV6.out.expected.txt", 1),
        ("tcpdump_tests/LINKTYPE_RAW_ipv4.pcap", "tcpdump_tests/LINKTYPE_RAW_ipv4.out.expected.txt", 1),
        ("tcpdump_tests/LINKTYPE_RAW_ipv6.pcap", "tcpdump_tests/LINKTYPE_RAW_ipv6.out.expected.txt", 1),
        ("tcpdump_tests/tcp-handshake-nano.pcap", "tcpdump_tests/tcp-handshake-nano-tt.out.expected.txt", 3),
    ];
    for (capture, expected, count) in cases {
        let lines = tcpdump_lines(expected);
        assert_eq!(lines.len(), count, "{expected}");
        let (_, observations) = import_edge_ok(capture);
        for line in lines {
            let obs = observations
                .iter()
                .find(|obs| obs.locator.record == line.record)
                .unwrap_or_else(|| panic!("{capture}: no observation of frame {}", line.record));
            let frame = format!("{capture} frame {}", line.record);
            assert_eq!(obs.ts_ns, line.ts_ns, "{frame}: time");
            assert_eq!((obs.src, obs.src_port), (line.src, line.src_port), "{frame}: source");
            assert_eq!((obs.dst, obs.dst_port), (line.dst, line.dst_port), "{frame}: destination");
        }
    }
}

#[test]
fn suricata_sll2_counts_agree() {
    // decode-sll2-01.test.yaml expects 5 SLL2 frames, 5 IPv4 packets and 5 TCP segments.
    let (summary, observations) = import_edge_ok("suricata_verify/decode-sll2-01.pcap");
    assert_eq!(summary.records, 5);
    assert_eq!(observations.iter().filter(|obs| obs.src.is_ipv4()).count(), 5);
    assert_eq!(observations.iter().filter(|obs| obs.protocol == IpProtocol::TCP).count(), 5);
}

#[test]
fn generator_block_counts_agree() {
    // Each testNNN.txt of the pcapng test generator lists the blocks of its file. Packet
    // blocks (EPB, SPB) and custom blocks (CB, DCB) are frames; the others are not.
    for name in pcapng_generator_files() {
        let description = edge_path(&name.replace(".pcapng", ".txt"));
        let text =
            std::fs::read_to_string(&description).unwrap_or_else(|err| panic!("{}: {err}", description.display()));
        let count = |block: &str| -> u64 {
            text.lines()
                .filter_map(|line| line.trim().strip_prefix(&format!("{block}: ")))
                .map(|value| value.parse::<u64>().expect("block count"))
                .sum()
        };
        let (summary, _) = import_edge_ok(&name);
        assert_eq!(summary.records, count("EPB") + count("SPB") + count("CB") + count("DCB"), "{name}");
        assert_eq!(
            summary.skipped.get("pcapng custom block").copied().unwrap_or(0),
            count("CB") + count("DCB"),
            "{name}"
        );
        assert!(
            summary.anomalies.iter().all(|anomaly| !anomaly.message.contains("corrupt")),
            "{name}: {:?}",
            summary.anomalies
        );
    }
}
