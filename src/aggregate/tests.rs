//! Aggregation tests on real captures and logs from the fixtures.

use std::collections::BTreeMap;
use std::net::IpAddr;

use super::{Aggregator, ProbeEvent};
use crate::firewall::{ReferenceYear, TimeContext};
use crate::model::{Contact, IpProtocol, Observation, Outcome, TcpFlags, Technique};

pub(super) fn read_capture(relative: &str) -> Vec<Observation> {
    let path = format!("{}/fixtures/{relative}", env!("CARGO_MANIFEST_DIR"));
    let file = std::fs::File::open(&path).expect("fixture exists");
    let mut observations = Vec::new();
    crate::capture::read_capture(file, &mut observations).expect("fixture reads");
    observations
}

pub(super) fn read_log(relative: &str, year: i32) -> Vec<Observation> {
    let path = format!("{}/fixtures/{relative}", env!("CARGO_MANIFEST_DIR"));
    let file = std::io::BufReader::new(std::fs::File::open(&path).expect("fixture exists"));
    let dialect = crate::firewall::detect_dialect(&std::fs::read(&path).expect("fixture exists")).expect("dialect");
    let time = TimeContext { zone: chrono_tz::UTC, reference: ReferenceYear::Explicit(year) };
    let mut observations = Vec::new();
    crate::firewall::read_log(file, dialect, &time, &mut observations).expect("fixture reads");
    observations
}

fn aggregate(observations: Vec<Observation>) -> (Vec<ProbeEvent>, Vec<Contact>) {
    run(Aggregator::new(), observations)
}

/// Feeds `observations` to `aggregator` and returns the probes and contacts it produced.
pub(super) fn run(mut aggregator: Aggregator, observations: Vec<Observation>) -> (Vec<ProbeEvent>, Vec<Contact>) {
    let mut probes = Vec::new();
    for observation in observations {
        aggregator.observe(observation, &mut probes);
    }
    aggregator.finish(&mut probes);
    let contacts = aggregator.take_finished().into_iter().map(|(_, contact)| contact).collect();
    (probes, contacts)
}

/// Leaves out the ARP requests and contacts, which the captures hold beside their scans.
fn ip_only((probes, contacts): (Vec<ProbeEvent>, Vec<Contact>)) -> (Vec<ProbeEvent>, Vec<Contact>) {
    let probes = probes.into_iter().filter(|event| event.probe.technique != Technique::Arp).collect();
    let contacts = contacts.into_iter().filter(|contact| contact.protocol != IpProtocol::ARP).collect();
    (probes, contacts)
}

fn outcomes_by_port(contacts: &[Contact]) -> BTreeMap<u16, Outcome> {
    contacts.iter().filter_map(|c| c.dst_port.map(|port| (port, c.outcome))).collect()
}

#[test]
fn syn_scan_outcomes_from_replies() {
    let (probes, contacts) = ip_only(aggregate(read_capture("capture/scan_nmap_sS_8ports_vic1.pcap")));
    assert_eq!(probes.len(), 9);
    assert_eq!(contacts.len(), 8);
    let outcomes = outcomes_by_port(&contacts);
    for port in [22, 25, 80] {
        assert_eq!(outcomes[&port], Outcome::Open, "port {port}");
    }
    for port in [21, 53, 110, 443] {
        assert_eq!(outcomes[&port], Outcome::Closed, "port {port}");
    }
    assert_eq!(outcomes[&23], Outcome::Unanswered);
    let telnet = contacts.iter().find(|c| c.dst_port == Some(23)).expect("port 23");
    assert_eq!(telnet.probes, 2, "port 23 got one retransmission");
    let source: IpAddr = "10.200.0.10".parse().expect("address");
    assert!(contacts.iter().all(|c| c.src == source));
    assert!(contacts.iter().all(|c| !c.handshake_completed && !c.payload_exchanged));
}

#[test]
fn reply_is_cited_by_locator() {
    let (_, contacts) = aggregate(read_capture("capture/scan_nmap_sS_8ports_vic1.pcap"));
    let https = contacts.iter().find(|c| c.dst_port == Some(443)).expect("port 443");
    let reply = https.reply.expect("RST reply recorded");
    // Frame 3 is the SYN to 443 and frame 4 the RST/ACK sent back for it.
    assert_eq!(reply.locator.record, 4);
}

#[test]
fn connect_scan_completes_handshakes() {
    let (_, contacts) = ip_only(aggregate(read_capture("capture/scan_nmap_sT_vic1.pcap")));
    let open: Vec<&Contact> = contacts.iter().filter(|c| c.outcome == Outcome::Open).collect();
    assert!(!open.is_empty());
    assert!(open.iter().all(|c| c.handshake_completed), "nmap -sT completes every open handshake");
    assert!(open.iter().all(|c| !c.payload_exchanged));
}

#[test]
fn ack_scan_probes_kept_with_resets() {
    let observations = read_capture("capture/scan_nmap_sA_vic1.pcap");
    let scanner: IpAddr = "10.200.0.10".parse().expect("address");
    let sent: std::collections::BTreeSet<u16> = observations
        .iter()
        .filter(|o| o.src == scanner && o.tcp_flags == Some(TcpFlags(TcpFlags::ACK)))
        .filter_map(|o| o.dst_port)
        .collect();
    assert_eq!(sent.len(), 1000, "nmap -sA probed its 1000 default ports");

    let reset: std::collections::BTreeSet<u16> = observations
        .iter()
        .filter(|o| o.dst == scanner && o.tcp_flags.is_some_and(|flags| flags.contains(TcpFlags::RST)))
        .filter_map(|o| o.src_port)
        .collect();
    // The victim drops tcp 23, 445 and 3389 and resets every other ACK probe.
    assert_eq!(sent.difference(&reset).copied().collect::<Vec<u16>>(), [23, 445, 3389]);

    let (probes, contacts) = ip_only(aggregate(observations));
    assert!(probes.iter().all(|event| event.probe.technique == Technique::TcpAck));
    let probed: std::collections::BTreeSet<u16> = contacts.iter().filter_map(|c| c.dst_port).collect();
    assert_eq!(probed, sent);
    for contact in &contacts {
        let port = contact.dst_port.expect("TCP port");
        let expected = if reset.contains(&port) { Outcome::Closed } else { Outcome::Unanswered };
        assert_eq!(contact.outcome, expected, "port {port}");
    }
}

#[test]
fn mid_stream_capture_gives_no_probes() {
    // The benign capture without its SYN segments looks like a capture started after the
    // connections were opened: only conversation traffic is left.
    let observations: Vec<Observation> = read_capture("capture/benign_curl_web_dns_vic1_first2000.pcap")
        .into_iter()
        .filter(|o| o.tcp_flags.is_none_or(|flags| !flags.contains(TcpFlags::SYN)))
        .filter(|o| o.protocol == crate::model::IpProtocol::TCP)
        .collect();
    assert!(observations.len() > 1000);
    let (probes, _) = aggregate(observations);
    assert!(probes.is_empty(), "{} probes from conversation traffic", probes.len());
}

#[test]
fn late_segments_after_close_are_not_probes() {
    let (probes, _) = aggregate(read_log("fwlog/BR-21.log", 2024));
    assert!(probes.is_empty(), "{:?}", probes.iter().map(|p| p.probe.locator.record).collect::<Vec<_>>());
}

#[test]
fn blocked_syn_probes_from_log() {
    let (probes, contacts) = aggregate(read_log("fwlog/BR-21b.log", 2024));
    assert_eq!(probes.len(), 15);
    assert_eq!(contacts.len(), 15);
    assert!(contacts.iter().all(|c| c.outcome == Outcome::Blocked));
}

#[test]
fn udp_outcomes_from_icmp_and_replies() {
    let (_, contacts) = aggregate(read_capture("capture/scan_nmap_sU_vic1.pcap"));
    let outcomes = outcomes_by_port(&contacts);
    assert_eq!(outcomes[&53], Outcome::Open, "DNS answered");
    for port in [500, 123, 161, 67, 137, 69, 5353] {
        assert_eq!(outcomes[&port], Outcome::Closed, "ICMP port unreachable for {port}");
    }
}

#[test]
fn arp_requests_probe_addresses() {
    let (probes, contacts) = aggregate(read_capture("capture/sweep_nmap_sn_arp_range_br.pcap"));
    let scanner: IpAddr = "10.200.0.10".parse().expect("address");
    let requested: Vec<&Contact> =
        contacts.iter().filter(|c| c.protocol == IpProtocol::ARP && c.src == scanner).collect();
    assert_eq!(requested.len(), 126, "one contact per address requested");
    assert!(requested.iter().all(|c| c.dst_port.is_none()));
    let up = requested.iter().filter(|c| c.outcome == Outcome::Open).count();
    assert_eq!(up, 7, "seven hosts answered the ARP requests");
    let scanner_contacts: std::collections::BTreeSet<u64> = contacts
        .iter()
        .enumerate()
        .filter(|(_, c)| c.protocol == IpProtocol::ARP && c.src == scanner)
        .map(|(index, _)| index as u64)
        .collect();
    let requests = probes.iter().filter(|event| scanner_contacts.contains(&event.contact_index)).count();
    assert_eq!(requests, 248, "the scanner's who-has requests, retries included");
}

#[test]
fn icmp_echo_probes_hosts() {
    let observations = read_capture("capture/sweep_nmap_sn_routed.pcap");
    let replies = observations.iter().filter(|o| o.icmp.is_some_and(|icmp| icmp.icmp_type == 0)).count();
    let (probes, contacts) = aggregate(observations);
    let echo: Vec<&Contact> = contacts.iter().filter(|c| c.protocol == IpProtocol::ICMP).collect();
    assert_eq!(echo.len(), 20, "every address of 10.98.0.1-20 was probed");
    assert_eq!(echo.iter().filter(|c| c.outcome == Outcome::Open).count(), 8);
    assert!(replies >= 8, "the capture holds the echo replies");
    assert!(probes.iter().any(|event| event.probe.technique == Technique::IcmpEcho));
    assert!(contacts.iter().all(|c| c.protocol != IpProtocol::ARP));
}

#[test]
fn decoy_source_never_resets() {
    let (_, contacts) = aggregate(read_capture("capture/scan_nmap_sS_decoys.pcap"));
    let reset_by = |source: &str| {
        let source: IpAddr = source.parse().expect("address");
        contacts.iter().any(|c| c.src == source && c.source_reset)
    };
    assert!(reset_by("10.99.0.1"), "the real scanner resets the SYN/ACK from port 80");
    for decoy in ["10.99.0.50", "10.99.0.51", "10.99.0.52"] {
        assert!(!reset_by(decoy), "decoy {decoy} never answers");
    }
}

#[test]
fn dns_answers_without_queries_are_not_probes() {
    // A DNS server answering one client on 30 ephemeral ports, with the queries not in the
    // evidence: a one-direction capture must not read that as a UDP scan of the client.
    let template = read_capture("capture/scan_nmap_sU_vic1.pcap")
        .into_iter()
        .find(|o| o.protocol == crate::model::IpProtocol::UDP)
        .expect("a UDP datagram");
    let server: IpAddr = "10.200.0.53".parse().expect("address");
    let client: IpAddr = "10.200.0.50".parse().expect("address");
    let answers: Vec<Observation> = (0..30)
        .map(|i| Observation {
            src: server,
            dst: client,
            src_port: Some(53),
            dst_port: Some(40000 + i),
            payload_len: Some(80),
            tcp_header_len: None,
            ts_ns: template.ts_ns + i64::from(i),
            ..template.clone()
        })
        .collect();
    let (probes, contacts) = aggregate(answers);
    assert!(probes.is_empty(), "{probes:?}");
    assert!(contacts.is_empty());
}

#[test]
fn late_fin_ack_to_ephemeral_ports_not_probes() {
    // The same FIN/ACK segments as a Maimon scan, but sent to ports of the ephemeral range:
    // the late FINs of client connections that a stateful firewall logs after the state ended.
    let observations: Vec<Observation> = read_capture("capture/scan_nmap_sM_linux.pcap")
        .into_iter()
        .map(|mut o| {
            let victim: IpAddr = "10.98.0.2".parse().expect("address");
            if o.protocol == IpProtocol::TCP && o.dst == victim {
                o.dst_port = o.dst_port.map(|port| 40000 + port);
            }
            if o.protocol == IpProtocol::TCP && o.src == victim {
                o.src_port = o.src_port.map(|port| 40000 + port);
            }
            o
        })
        .collect();
    let (probes, _) = aggregate(observations);
    assert!(probes.iter().all(|event| event.probe.technique != Technique::TcpMaimon), "{probes:?}");
}

#[test]
fn maimon_probes_held_until_reset() {
    let (probes, contacts) = ip_only(aggregate(read_capture("capture/scan_nmap_sM_linux.pcap")));
    let maimon = probes.iter().filter(|event| event.probe.technique == Technique::TcpMaimon).count();
    assert_eq!(maimon, 100);
    let tcp: Vec<&Contact> = contacts.iter().filter(|c| c.protocol == IpProtocol::TCP).collect();
    assert_eq!(tcp.len(), 100);
    assert!(tcp.iter().all(|c| c.outcome == Outcome::Closed), "Linux resets every FIN/ACK");
}

#[test]
fn repeated_protocol_packets_are_conversation() {
    // The same GRE probe repeated 30 times, as a tunnel sends packets: only the first
    // MAX_PROTOCOL_PROBES are probes, and the contact is marked as a conversation.
    let template = read_capture("capture/scan_nmap_sO_linux.pcap")
        .into_iter()
        .find(|o| o.protocol == IpProtocol::from(47))
        .expect("a GRE probe");
    let packets: Vec<Observation> =
        (0..30).map(|i| Observation { ts_ns: template.ts_ns + i, ..template.clone() }).collect();
    let (probes, contacts) = aggregate(packets);
    assert_eq!(probes.len(), super::MAX_PROTOCOL_PROBES as usize);
    assert!(probes.iter().all(|event| event.probe.technique == Technique::IpProtocol));
    assert_eq!(contacts.len(), 1);
    assert!(contacts[0].payload_exchanged);
}

#[test]
fn protocol_unreachable_closes_protocol() {
    let (probes, contacts) = ip_only(aggregate(read_capture("capture/scan_nmap_sO_linux.pcap")));
    let protocol_probes = probes.iter().filter(|event| event.probe.technique == Technique::IpProtocol).count();
    assert!(protocol_probes >= 245, "{protocol_probes} protocol probes");
    let gre = contacts.iter().find(|c| c.protocol == IpProtocol::from(47)).expect("GRE contact");
    assert_eq!(gre.outcome, Outcome::Closed);
    assert!(!gre.payload_exchanged);
}

#[test]
fn sctp_init_chunks_are_probes() {
    let (probes, contacts) = ip_only(aggregate(read_capture("capture/scan_nmap_sY_linux.pcap")));
    assert!(probes.iter().all(|event| event.probe.technique == Technique::SctpInit), "{probes:?}");
    let mut ports: Vec<Option<u16>> = contacts.iter().map(|c| c.dst_port).collect();
    ports.sort();
    assert_eq!(ports, (1..=30).map(Some).collect::<Vec<_>>());
    assert!(contacts.iter().all(|c| c.protocol == IpProtocol::SCTP));
}

#[test]
fn reset_after_handshake_not_half_open() {
    // nmap's connect scan completes the handshake on open ports and then closes with RST/ACK,
    // which ends a connection and leaves nothing half open.
    let (_, contacts) = ip_only(aggregate(read_capture("capture/scan_nmap_sT_vic1.pcap")));
    let completed: Vec<&Contact> = contacts.iter().filter(|c| c.handshake_completed).collect();
    assert!(completed.len() >= 3, "{} completed handshakes", completed.len());
    for contact in completed {
        assert!(!contact.source_reset, "{contact:?}");
    }
}

/// Returns each TCP contact's outcome and flags by target and port.
fn tcp_contact_states(contacts: &[Contact]) -> BTreeMap<(IpAddr, u16), (Outcome, bool, bool)> {
    contacts
        .iter()
        .filter(|c| c.protocol == IpProtocol::TCP)
        .filter_map(|c| c.dst_port.map(|port| ((c.dst, port), (c.outcome, c.handshake_completed, c.source_reset))))
        .collect()
}

#[test]
fn sensor_records_match_capture_outcomes() {
    // The Zeek and Suricata records were derived from these captures (fixtures/README.md), so
    // each contact must end with the outcome that the captured replies give it.
    for name in ["scan_nmap_sS_8ports_vic1", "scan_nmap_sT_vic1"] {
        let (_, from_packets) = aggregate(read_capture(&format!("capture/{name}.pcap")));
        let expected = tcp_contact_states(&from_packets);
        assert!(expected.values().any(|(outcome, _, _)| *outcome == Outcome::Open), "{name}: no open port");
        for log in
            [format!("fwlog/zeek-conn/derived_{name}.conn.log"), format!("fwlog/suricata-eve/derived_{name}.eve.json")]
        {
            let (_, from_log) = aggregate(read_log(&log, 2026));
            assert_eq!(tcp_contact_states(&from_log), expected, "{log}");
        }
    }
}

#[test]
fn sensor_records_of_benign_traffic() {
    // Completed connections with payload are conversations in the capture and in the records.
    let name = "benign_mixed_services_vic1_first2000";
    let (_, from_packets) = aggregate(read_capture(&format!("capture/{name}.pcap")));
    let scan_like = |contacts: &[Contact]| {
        contacts.iter().filter(|c| c.protocol == IpProtocol::TCP && !c.payload_exchanged).count()
    };
    for log in
        [format!("fwlog/zeek-conn/derived_{name}.conn.log"), format!("fwlog/suricata-eve/derived_{name}.eve.json")]
    {
        let (_, from_log) = aggregate(read_log(&log, 2026));
        assert_eq!(scan_like(&from_log), scan_like(&from_packets), "{log}");
        let open = from_log.iter().filter(|c| c.outcome == Outcome::Open).count();
        assert!(open > 0, "{log}: the services answered");
    }
}

/// The FortiGate sample's traffic lines carry no TCP flags: its allowed sessions stay
/// observations, while the same records marked as denied become one SYN probe each.
#[test]
fn blocked_session_records_are_probes() {
    let observations = read_log("fwlog/fortigate/tenzir_fortigate_inputs.log", 2019);
    let tcp_records: Vec<Observation> = observations
        .into_iter()
        .filter(|o| o.protocol == IpProtocol::TCP && o.tcp_flags.is_none() && o.src_port.is_some())
        .filter(|o| !o.action.as_ref().is_some_and(|action| action.is_blocking()))
        .collect();
    assert!(!tcp_records.is_empty(), "the sample has allowed TCP traffic lines without flags");
    let (probes, _) = aggregate(tcp_records.clone());
    assert!(probes.is_empty(), "an allowed session record became a probe");

    let denied: Vec<Observation> = tcp_records
        .into_iter()
        .map(|mut o| {
            o.action = Some(crate::model::FirewallAction::Deny);
            o
        })
        .collect();
    let count = denied.len();
    let (probes, contacts) = aggregate(denied);
    assert_eq!(probes.len(), count);
    assert!(probes.iter().all(|event| event.probe.technique == Technique::TcpSyn));
    assert!(contacts.iter().all(|c| !c.handshake_completed));
}

#[test]
fn denied_session_log_gives_probes() {
    let observations = read_log("fwlog/fortigate/derived_deny_scan_26ports.log", 2019);
    let (probes, contacts) = aggregate(observations);
    assert_eq!(probes.len(), 26);
    assert_eq!(contacts.len(), 26);
    let source: IpAddr = "203.0.113.9".parse().expect("address");
    assert!(contacts.iter().all(|c| c.src == source && c.protocol == IpProtocol::TCP));
}
