//! Imports of the real captures under `fixtures/capture/`.
//!
//! Expected values come from the corpus labels written when each scan was captured: ports,
//! probe counts, and first and last probe to the microsecond. The BR-* values come from the
//! notes on those files, and nanosecond digits and packet counts from tshark 4.0.

use std::collections::BTreeSet;

use super::*;
use crate::model::{ArpOperation, IpProtocol, Locator};

const ATTACKER: &str = "10.200.0.10";
const VICTIM_1: &str = "10.200.0.100";

const SYN: u8 = TcpFlags::SYN;
const SYN_ACK: u8 = TcpFlags::SYN | TcpFlags::ACK;
const RST: u8 = TcpFlags::RST;
const RST_ACK: u8 = TcpFlags::RST | TcpFlags::ACK;

#[test]
fn syn_8ports_probes_and_times() {
    let (summary, observations) = import_fixture("scan_nmap_sS_8ports_vic1.pcap");
    assert_eq!(summary.format, "pcap");
    assert_eq!(summary.records, 21);
    assert_eq!(summary.observations, 21);
    assert_eq!(summary.skipped_total(), 0);
    assert!(summary.anomalies.is_empty(), "{:?}", summary.anomalies);
    assert_eq!(observations.len(), 21);

    // Frames 1 and 2: the attacker asks for the victim's hardware address and gets it.
    let (request, reply) = (&observations[0], &observations[1]);
    assert_eq!((request.protocol, request.arp), (IpProtocol::ARP, Some(ArpOperation::Request)));
    assert_eq!((request.src, request.dst), (addr(ATTACKER), addr(VICTIM_1)));
    assert_eq!((reply.protocol, reply.arp), (IpProtocol::ARP, Some(ArpOperation::Reply)));
    assert_eq!((reply.src, reply.dst), (addr(VICTIM_1), addr(ATTACKER)));

    let probes = tcp_with_flags(&observations, ATTACKER, VICTIM_1, SYN);
    assert_eq!(probes.len(), 9);
    assert_eq!(dst_ports(&probes), BTreeSet::from([21, 22, 23, 25, 53, 80, 110, 443]));
    assert_eq!(probes[0].ts_ns, label_ns("2026-12-04T19:35:42.547877Z"));
    assert_eq!(probes[8].ts_ns, label_ns("2026-12-04T19:35:43.649657Z"));
    assert_eq!(summary.first_ts_ns, Some(request.ts_ns), "the ARP request comes first");
    assert!(request.ts_ns < probes[0].ts_ns);
    assert_eq!(summary.last_ts_ns, Some(probes[8].ts_ns));
}

#[test]
fn syn_8ports_probe_fields() {
    let (_, observations) = import_fixture("scan_nmap_sS_8ports_vic1.pcap");
    let first = observations.iter().find(|obs| obs.protocol != IpProtocol::ARP).expect("an IP packet");
    // Frame 3 in tshark: ttl 44, id 0x7ab6, 49013 -> 443, window 1024, no payload.
    assert_eq!(first.protocol, IpProtocol::TCP);
    assert_eq!(first.src_port, Some(49013));
    assert_eq!(first.dst_port, Some(443));
    assert_eq!(first.ttl, Some(44));
    assert_eq!(first.ip_id, Some(0x7ab6));
    assert_eq!(first.tcp_window, Some(1024));
    assert_eq!(first.payload_len, Some(0));
    assert_eq!(first.icmp, None);
    assert_eq!(first.action, None);
    assert_eq!(first.rule, None);
}

#[test]
fn syn_8ports_reply_flags() {
    let (_, observations) = import_fixture("scan_nmap_sS_8ports_vic1.pcap");
    // nmap reported 22, 25 and 80 open, 21, 53, 110 and 443 closed and 23 filtered.
    let syn_acks = tcp_with_flags(&observations, VICTIM_1, ATTACKER, SYN_ACK);
    assert_eq!(src_ports(&syn_acks), BTreeSet::from([22, 25, 80]));
    let rst_acks = tcp_with_flags(&observations, VICTIM_1, ATTACKER, RST_ACK);
    assert_eq!(src_ports(&rst_acks), BTreeSet::from([21, 53, 110, 443]));
    // The attacker's kernel never opened these connections, so it resets each one answered.
    let resets = tcp_with_flags(&observations, ATTACKER, VICTIM_1, RST);
    assert_eq!(dst_ports(&resets), BTreeSet::from([22, 25, 80]));
    let replied: BTreeSet<u16> = syn_acks.iter().chain(&rst_acks).filter_map(|obs| obs.src_port).collect();
    assert!(!replied.contains(&23), "filtered port 23 must have no reply");
}

#[test]
fn syn_8ports_locators() {
    let bytes = fixture_bytes("scan_nmap_sS_8ports_vic1.pcap");
    let offsets = pcap_record_offsets(&bytes);
    assert_eq!(offsets.len(), 21);
    let (_, observations) = import_fixture("scan_nmap_sS_8ports_vic1.pcap");
    // Every frame is an observation, ARP frames 1 and 2 included, in file order.
    for (index, obs) in observations.iter().enumerate() {
        let frame = index as u64 + 1;
        let expected = Locator { record: frame, byte_offset: offsets[index] };
        assert_eq!(obs.locator, expected, "observation {index}");
    }
}

#[test]
fn fin_scan_counts() {
    let (summary, observations) = import_fixture("scan_nmap_sF_vic1.pcap");
    assert_eq!(summary.records, 2003);
    assert_eq!(summary.observations, 2003, "IP packets and 3 ARP requests and replies");
    assert_eq!(summary.skipped_total(), 0);
    assert!(summary.anomalies.is_empty(), "{:?}", summary.anomalies);

    let probes = tcp_with_flags(&observations, ATTACKER, VICTIM_1, TcpFlags::FIN);
    assert_eq!(probes.len(), 1007);
    assert_eq!(dst_ports(&probes).len(), 1000);
    assert_eq!(probes[0].ts_ns, label_ns("2026-12-04T19:33:44.175952Z"));
    assert_eq!(probes[1006].ts_ns, label_ns("2026-12-04T19:33:45.277649Z"));
    let closed = tcp_with_flags(&observations, VICTIM_1, ATTACKER, RST_ACK);
    assert_eq!(closed.len(), 993);
}

#[test]
fn xmas_nsec_exact_times() {
    let (summary, observations) = import_fixture("scan_nmap_sX_vic1_nsec.pcap");
    assert_eq!(summary.records, 2002);
    let xmas = TcpFlags::FIN | TcpFlags::PSH | TcpFlags::URG;
    let probes = tcp_with_flags(&observations, ATTACKER, VICTIM_1, xmas);
    assert_eq!(probes.len(), 1007);
    // The labels give microseconds; the nanosecond digits are tshark's reading.
    assert_eq!(probes[0].ts_ns / 1000, label_ns("2026-12-04T19:33:57.284105Z") / 1000);
    assert_eq!(probes[0].ts_ns, 1_796_412_837_284_105_022);
    assert_eq!(probes[1006].ts_ns, 1_796_412_838_389_891_051);
    assert!(observations.iter().any(|obs| obs.ts_ns % 1000 != 0));
}

#[test]
fn ipv6_sll2_syn_scan() {
    let (summary, observations) = import_fixture("scan_nmap_ipv6_sS_vic1_sll.pcap");
    assert_eq!(summary.records, 2005);
    assert_eq!(summary.observations, 2005);
    assert!(summary.anomalies.is_empty(), "{:?}", summary.anomalies);

    let (attacker, victim) = ("fd00:200::10", "fd00:200::100");
    let probes = tcp_with_flags(&observations, attacker, victim, SYN);
    assert_eq!(probes.len(), 1002);
    assert_eq!(dst_ports(&probes), (1..=1000).collect());
    assert_eq!(probes[0].ts_ns, label_ns("2026-12-04T19:34:52.027867Z"));
    assert_eq!(probes[0].ttl, Some(255), "hop limit");
    assert_eq!(probes[0].ip_id, None, "no fragment header");
    let open = tcp_with_flags(&observations, victim, attacker, SYN_ACK);
    assert_eq!(src_ports(&open), BTreeSet::from([22, 25, 80]));

    let neighbor_solicitation =
        observations.iter().find(|obs| obs.protocol == IpProtocol::ICMPV6).and_then(|obs| obs.icmp);
    assert_eq!(neighbor_solicitation.map(|icmp| icmp.icmp_type), Some(135));
}

#[test]
fn slow_pcapng_syn_probes() {
    let (summary, observations) = import_fixture("slow_T1_syn_vic3.pcapng");
    assert_eq!(summary.format, "pcapng");
    assert_eq!(summary.records, 70);
    assert_eq!(summary.observations, 70, "29 IP packets and 41 ARP requests and replies");
    let arp_requests = observations.iter().filter(|obs| obs.arp == Some(ArpOperation::Request)).count();
    assert_eq!(arp_requests, 29);
    assert!(summary.anomalies.is_empty(), "{:?}", summary.anomalies);

    let probes = tcp_with_flags(&observations, ATTACKER, "10.200.0.102", SYN);
    assert_eq!(probes.len(), 19);
    let ports = BTreeSet::from([21, 22, 23, 25, 80, 110, 443, 445, 3389, 8080]);
    assert_eq!(dst_ports(&probes), ports);
    // dumpcap writes nanosecond clocks; the labels keep microseconds.
    assert_eq!(probes[0].ts_ns / 1000, label_ns("2026-12-04T19:33:47.099287Z") / 1000);
    assert_eq!(probes[0].ts_ns, 1_796_412_827_099_287_043);
    assert_eq!(probes[18].ts_ns, 1_796_413_098_334_169_595);
}

#[test]
fn derived_pcapng_open_ports() {
    let (summary, observations) = import_fixture("derived_scan_nmap_sS_vic1.pcapng");
    assert_eq!(summary.records, 2007);
    assert_eq!(summary.observations, 2007, "IP packets and 3 ARP requests and replies");
    let probes = tcp_with_flags(&observations, ATTACKER, VICTIM_1, SYN);
    assert_eq!(probes.len(), 1003);
    assert_eq!(dst_ports(&probes).len(), 1000);
    assert_eq!(probes[0].ts_ns, label_ns("2026-12-04T19:33:31.073364Z"));
    assert_eq!(probes[1002].ts_ns, label_ns("2026-12-04T19:33:32.191857Z"));
    let open = tcp_with_flags(&observations, VICTIM_1, ATTACKER, SYN_ACK);
    assert_eq!(src_ports(&open), BTreeSet::from([22, 25, 80, 8080]));
}

#[test]
fn udp_scan_port_unreachable_quotes() {
    let (summary, observations) = import_fixture("scan_nmap_sU_vic1.pcap");
    assert_eq!(summary.records, 69);
    assert_eq!(summary.observations, 69, "IP packets and 2 ARP requests and replies");

    let (attacker, victim) = (addr(ATTACKER), addr(VICTIM_1));
    let probes: Vec<&Observation> = observations
        .iter()
        .filter(|obs| obs.protocol == IpProtocol::UDP && obs.src == attacker && obs.dst == victim)
        .collect();
    assert_eq!(probes.len(), 53);
    assert_eq!(dst_ports(&probes), BTreeSet::from([53, 67, 69, 123, 137, 161, 500, 514, 1900, 5353]));
    assert_eq!(probes[0].ts_ns, label_ns("2026-12-04T19:34:23.555895Z"));

    let unreachable: Vec<&Observation> =
        observations.iter().filter(|obs| obs.src == victim && obs.protocol == IpProtocol::ICMP).collect();
    assert_eq!(unreachable.len(), 10);
    let mut quoted_ports = BTreeSet::new();
    for obs in &unreachable {
        let icmp = obs.icmp.expect("ICMP fields");
        assert_eq!((icmp.icmp_type, icmp.code), (3, 3), "port unreachable");
        let quoted = icmp.quoted.expect("quoted probe");
        assert_eq!(quoted.src, attacker);
        assert_eq!(quoted.dst, victim);
        assert_eq!(quoted.protocol, IpProtocol::UDP);
        // The quoted source port is the one of a probe sent to the quoted port.
        let answered =
            probes.iter().any(|probe| probe.src_port == quoted.src_port && probe.dst_port == quoted.dst_port);
        assert!(answered, "quote {quoted:?} matches no probe");
        quoted_ports.extend(quoted.dst_port);
    }
    // nmap reported exactly these ports closed.
    assert_eq!(quoted_ports, BTreeSet::from([67, 69, 123, 137, 161, 500, 5353]));

    let dns_reply = observations.iter().find(|obs| obs.src == victim && obs.src_port == Some(53)).expect("DNS reply");
    assert_eq!(dns_reply.protocol, IpProtocol::UDP);
    assert!(dns_reply.payload_len.is_some_and(|len| len > 0));
}

#[test]
fn br01_interface_resolutions() {
    let (summary, observations) = import_fixture("BR-01.pcapng");
    assert_eq!(summary.format, "pcapng");
    assert_eq!(summary.records, 2);
    let times: Vec<TimestampNs> = observations.iter().map(|obs| obs.ts_ns).collect();
    assert_eq!(times, vec![1_704_164_645_123_456_000, 1_704_164_645_123_456_789]);
    assert!(summary.anomalies.is_empty(), "{:?}", summary.anomalies);
}

#[test]
fn br03_truncated_mid_record() {
    let (summary, observations) = import_fixture("BR-03.pcap");
    assert_eq!(summary.records, 2);
    assert_eq!(dst_ports(&observations.iter().collect::<Vec<_>>()), BTreeSet::from([20, 21]));
    assert_eq!(summary.anomalies.len(), 1);
    let anomaly = &summary.anomalies[0];
    assert!(anomaly.message.starts_with("capture truncated at byte 200"), "{}", anomaly.message);
    // 24-byte file header and two records of 16 + 54 bytes.
    assert_eq!(anomaly.locator.byte_offset, 164);
}

#[test]
fn br03b_truncated_mid_header() {
    let (summary, observations) = import_fixture("BR-03b.pcap");
    assert_eq!(summary.records, 2);
    assert_eq!(observations.len(), 2);
    assert_eq!(summary.anomalies.len(), 1);
    let anomaly = &summary.anomalies[0];
    assert!(anomaly.message.starts_with("capture truncated at byte 170"), "{}", anomaly.message);
    assert_eq!(anomaly.locator.byte_offset, 164);
}

#[test]
fn br05_modified_pcap() {
    let (summary, observations) = import_fixture("BR-05.pcap");
    assert_eq!(summary.format, "pcap");
    assert_eq!(observations.len(), 2);
    assert!(summary.anomalies.is_empty(), "{:?}", summary.anomalies);
    for (obs, (port, ts_ns)) in
        observations.iter().zip([(80, 1_704_164_645_123_456_000), (81, 1_704_164_646_123_456_000)])
    {
        assert_eq!(obs.dst_port, Some(port));
        assert_eq!(obs.ts_ns, ts_ns);
        assert_eq!(obs.tcp_flags, Some(TcpFlags(SYN)));
    }
}

#[test]
fn br07_sll2_icmp_echo() {
    let (summary, observations) = import_fixture("BR-07.pcap");
    assert_eq!(summary.records, 1);
    assert_eq!(observations.len(), 1);
    let echo = &observations[0];
    assert_eq!(echo.src, addr("192.0.2.10"));
    assert_eq!(echo.dst, addr("192.0.2.1"));
    assert_eq!(echo.protocol, IpProtocol::ICMP);
    assert_eq!(echo.icmp.map(|icmp| (icmp.icmp_type, icmp.code)), Some((8, 0)));
    assert_eq!(echo.ts_ns, 1_704_164_645_000_000_000);
    assert_eq!(echo.src_port, None);
}

#[test]
fn nmap_syn_options_mss_only() {
    let (_, observations) = import_fixture("scan_nmap_sS_8ports_vic1.pcap");
    let probes = tcp_with_flags(&observations, ATTACKER, VICTIM_1, SYN);
    assert_eq!(probes.len(), 9);
    // nmap's raw SYN probes carry one option, MSS (kind 2); tshark lists the same.
    for probe in &probes {
        assert_eq!(probe.tcp_options.map(|kinds| kinds.as_slice().to_vec()), Some(vec![2]), "{:?}", probe.locator);
    }
}

#[test]
fn linux_connect_syn_options() {
    let (_, observations) = import_fixture("scan_nmap_sT_vic1.pcap");
    let probes = tcp_with_flags(&observations, ATTACKER, VICTIM_1, SYN);
    assert!(!probes.is_empty());
    // A connect scan's SYNs come from the Linux kernel: MSS, SACK permitted, timestamps,
    // NOP, window scale (tshark frames 3, 5 and 7).
    for probe in &probes {
        let kinds = probe.tcp_options.expect("options read");
        assert_eq!(kinds.as_slice(), [2, 4, 8, 1, 3], "{:?}", probe.locator);
    }
    let replies = tcp_with_flags(&observations, VICTIM_1, ATTACKER, RST_ACK);
    assert!(replies.iter().all(|reply| reply.tcp_options.is_some_and(|kinds| kinds.as_slice().is_empty())));
}
