//! Tests of the aggregator's bounded memory: flow state that expires in the evidence's time,
//! held ACK probes resolved when their flow expires, contacts finished once idle, and log texts
//! kept per contact.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};

use super::tests::{read_capture, read_log, run};
use super::{Aggregator, ProbeEvent, CONTACT_IDLE_TIMEOUT_NS, FLOW_IDLE_TIMEOUT_NS};
use crate::model::{Contact, IpProtocol, Observation, Technique};

/// Returns an observation that only moves the expiry clock: a protocol the aggregator does not
/// read, at `ts_ns`.
fn clock_tick(template: &Observation, ts_ns: i64) -> Observation {
    let mut tick = template.clone();
    tick.protocol = IpProtocol::SCTP;
    tick.ts_ns = ts_ns;
    tick
}

#[test]
fn held_acks_resolve_when_flows_expire() {
    let observations = read_capture("capture/scan_nmap_sA_vic1.pcap");
    let (expected_probes, expected_contacts) = run(Aggregator::new(), observations.clone());
    let ack_probes = expected_probes.iter().filter(|event| event.probe.technique == Technique::TcpAck).count();
    let ack_contacts = expected_contacts.iter().filter(|contact| contact.techniques.contains_key(&Technique::TcpAck));
    assert_eq!(ack_contacts.count(), 1000, "nmap -sA probed its 1000 default ports");

    // A packet three timeouts after the scan turns the generations twice, so the ACK probes are
    // resolved before the end of the file.
    let last = observations.last().expect("observations").clone();
    let mut aggregator = Aggregator::new();
    let mut probes = Vec::new();
    for observation in observations {
        aggregator.observe(observation, &mut probes);
    }
    let before_tick = probes.len();
    aggregator.observe(clock_tick(&last, last.ts_ns + 3 * FLOW_IDLE_TIMEOUT_NS), &mut probes);
    assert_eq!(probes.len() - before_tick, ack_probes, "the ACK probes are found when their flows expire");
    assert_eq!(aggregator.flow_entries(), 0, "every flow expired");
    aggregator.finish(&mut probes);
    let contacts: Vec<Contact> = aggregator.take_finished().into_iter().map(|(_, contact)| contact).collect();
    assert_eq!(probes, expected_probes);
    assert_eq!(contacts, expected_contacts);
}

#[test]
fn flow_state_stays_bounded_over_time() {
    let observations = read_capture("capture/scan_nmap_sT_vic1.pcap");
    let (_, one_replay) = run(Aggregator::new(), observations.clone());
    let scanner: IpAddr = "10.200.0.10".parse().expect("address");
    let start = observations.first().expect("observations").ts_ns;

    // Ten replays, each from its own scanner address and two timeouts after the previous one.
    let mut aggregator = Aggregator::new();
    let mut probes = Vec::new();
    let mut most_flow_entries = 0;
    for replay in 0..10u8 {
        let replay_scanner = IpAddr::V4(Ipv4Addr::new(10, 201, replay, 10));
        for mut observation in observations.iter().cloned() {
            observation.ts_ns += i64::from(replay) * 2 * FLOW_IDLE_TIMEOUT_NS;
            if observation.src == scanner {
                observation.src = replay_scanner;
            }
            if observation.dst == scanner {
                observation.dst = replay_scanner;
            }
            aggregator.observe(observation, &mut probes);
            most_flow_entries = most_flow_entries.max(aggregator.flow_entries());
        }
    }
    let one_replay_flows = {
        let mut single = Aggregator::new();
        let mut ignored = Vec::new();
        for observation in observations.iter().cloned() {
            single.observe(observation, &mut ignored);
        }
        single.flow_entries()
    };
    assert!(one_replay_flows > 1000, "{one_replay_flows} flows in one replay");
    assert!(
        most_flow_entries <= 2 * one_replay_flows,
        "{most_flow_entries} flow entries held, one replay has {one_replay_flows}"
    );
    assert!(observations.last().expect("observations").ts_ns - start < FLOW_IDLE_TIMEOUT_NS);

    aggregator.finish(&mut probes);
    let contacts: Vec<Contact> = aggregator.take_finished().into_iter().map(|(_, contact)| contact).collect();
    assert_eq!(contacts.len(), 10 * one_replay.len());
    for (replay, chunk) in contacts.chunks(one_replay.len()).enumerate() {
        for (contact, expected) in chunk.iter().zip(&one_replay) {
            let label = format!("replay {replay}, port {:?}", expected.dst_port);
            assert_eq!(contact.dst_port, expected.dst_port, "{label}");
            assert_eq!(contact.outcome, expected.outcome, "{label}");
            assert_eq!(contact.handshake_completed, expected.handshake_completed, "{label}");
            assert_eq!(contact.source_reset, expected.source_reset, "{label}");
            assert_eq!(contact.probes, expected.probes, "{label}");
        }
    }
}

/// Groups probes by contact, each group in (time, order found).
fn by_contact(probes: &[ProbeEvent]) -> BTreeMap<u64, Vec<&ProbeEvent>> {
    let mut groups: BTreeMap<u64, Vec<&ProbeEvent>> = BTreeMap::new();
    for event in probes {
        groups.entry(event.contact_index).or_default().push(event);
    }
    for group in groups.values_mut() {
        group.sort_by_key(|event| event.probe.ts_ns);
    }
    groups
}

#[test]
fn texts_kept_for_first_probes_of_contact() {
    let observations = read_log("fwlog/benign_curl_web_dns_vic1.log", 2026);
    let (all_texts, _) = run(Aggregator::new(), observations.clone());
    let (some_texts, _) = run(Aggregator::keeping_texts(20), observations);
    assert_eq!(some_texts.len(), all_texts.len());
    for (kept, full) in some_texts.iter().zip(&all_texts) {
        assert_eq!(kept.probe.locator, full.probe.locator);
        assert_eq!(kept.contact_index, full.contact_index);
        if let Some(text) = &kept.probe.source_text {
            assert_eq!(Some(text), full.probe.source_text.as_ref());
        }
    }
    let groups = by_contact(&some_texts);
    for (index, group) in &groups {
        for (rank, event) in group.iter().take(20).enumerate() {
            assert!(event.probe.source_text.is_some(), "contact {index}, probe {rank} by time has no text");
        }
    }
    let largest = groups.values().max_by_key(|group| group.len()).expect("contacts");
    assert_eq!(largest.len(), 405);
    let texts = largest.iter().filter(|event| event.probe.source_text.is_some()).count();
    assert_eq!(texts, 20, "a log in time order keeps 20 texts of its largest contact");
}

#[test]
fn texts_kept_for_probes_out_of_order() {
    // Read backwards, a probe earlier than those found before it may be among the first of its
    // contact, so it keeps its text. Probes of the same second still share one time.
    let forward = read_log("fwlog/benign_curl_web_dns_vic1.log", 2026);
    let mut backward = forward.clone();
    backward.reverse();
    let (forward_probes, _) = run(Aggregator::keeping_texts(20), forward);
    let (backward_probes, _) = run(Aggregator::keeping_texts(20), backward);
    let without_text = |probes: &[ProbeEvent]| probes.iter().filter(|event| event.probe.source_text.is_none()).count();
    assert!(
        without_text(&backward_probes) < without_text(&forward_probes),
        "{} probes without text backwards, {} forwards",
        without_text(&backward_probes),
        without_text(&forward_probes)
    );
    for (index, group) in &by_contact(&backward_probes) {
        for (rank, event) in group.iter().take(20).enumerate() {
            assert!(event.probe.source_text.is_some(), "contact {index}, probe {rank} by time has no text");
        }
    }
}

/// Returns `observations` moved by `shift_ns`, with the scanner's address replaced by
/// `replay_scanner`.
fn replay(observations: &[Observation], shift_ns: i64, scanner: IpAddr, replay_scanner: IpAddr) -> Vec<Observation> {
    let mut moved = observations.to_vec();
    for observation in &mut moved {
        observation.ts_ns += shift_ns;
        if observation.src == scanner {
            observation.src = replay_scanner;
        }
        if observation.dst == scanner {
            observation.dst = replay_scanner;
        }
    }
    moved
}

#[test]
fn contacts_finish_once_idle() {
    let observations = read_capture("capture/scan_nmap_sT_vic1.pcap");
    let (_, one_replay) = run(Aggregator::new(), observations.clone());
    assert!(one_replay.len() > 1000, "{} contacts in one replay", one_replay.len());
    let scanner: IpAddr = "10.200.0.10".parse().expect("address");

    // Ten replays, each from its own scanner address and one contact timeout after the
    // previous one. Contacts finished during the file are taken as they finish.
    let mut aggregator = Aggregator::new();
    let mut probes = Vec::new();
    let mut finished: Vec<(u64, Contact)> = Vec::new();
    let mut max_live_contacts = 0;
    for replay_number in 0..10u8 {
        let replay_scanner = IpAddr::V4(Ipv4Addr::new(10, 201, replay_number, 10));
        let shift = i64::from(replay_number) * CONTACT_IDLE_TIMEOUT_NS;
        for observation in replay(&observations, shift, scanner, replay_scanner) {
            aggregator.observe(observation, &mut probes);
            max_live_contacts = max_live_contacts.max(aggregator.contact_entries());
            finished.extend(aggregator.take_finished());
        }
    }
    assert!(finished.len() >= 8 * one_replay.len(), "{} contacts finished before the end", finished.len());
    assert!(
        max_live_contacts <= 2 * one_replay.len(),
        "{max_live_contacts} contacts held, one replay has {}",
        one_replay.len()
    );

    aggregator.finish(&mut probes);
    finished.extend(aggregator.take_finished());
    let indexes: Vec<u64> = finished.iter().map(|(index, _)| *index).collect();
    assert_eq!(indexes, (0..10 * one_replay.len() as u64).collect::<Vec<_>>(), "each index once, in order");
    for (replay_number, chunk) in finished.chunks(one_replay.len()).enumerate() {
        for ((_, contact), expected) in chunk.iter().zip(&one_replay) {
            let label = format!("replay {replay_number}, port {:?}", expected.dst_port);
            assert_eq!(contact.dst_port, expected.dst_port, "{label}");
            assert_eq!(contact.outcome, expected.outcome, "{label}");
            assert_eq!(contact.probes, expected.probes, "{label}");
        }
    }
}

#[test]
fn same_key_after_idle_gap_is_new_contact() {
    // The same scan from the same address twice, the second two contact timeouts later: the
    // second run's probes form new contacts, and every probe belongs to the run it came in.
    let observations = read_capture("capture/scan_nmap_sS_8ports_vic1.pcap");
    let (one_probes, one_contacts) = run(Aggregator::new(), observations.clone());
    let scanner: IpAddr = "10.200.0.10".parse().expect("address");
    let mut twice = observations.clone();
    twice.extend(replay(&observations, 2 * CONTACT_IDLE_TIMEOUT_NS, scanner, scanner));
    let (probes, contacts) = run(Aggregator::new(), twice);

    assert_eq!(contacts.len(), 2 * one_contacts.len());
    assert_eq!(probes.len(), 2 * one_probes.len());
    let first_run = one_contacts.len() as u64;
    for (number, event) in probes.iter().enumerate() {
        let in_second_run = number >= one_probes.len();
        assert_eq!(event.contact_index >= first_run, in_second_run, "probe {number} of {}", probes.len());
    }
    for (first, second) in contacts[..one_contacts.len()].iter().zip(&contacts[one_contacts.len()..]) {
        assert_eq!((first.src, first.dst, first.dst_port), (second.src, second.dst, second.dst_port));
        assert_eq!(first.probes, second.probes);
        assert_eq!(first.outcome, second.outcome);
        assert_eq!(second.first_ts_ns - first.first_ts_ns, 2 * CONTACT_IDLE_TIMEOUT_NS);
    }
}
