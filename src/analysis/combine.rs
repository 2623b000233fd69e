//! Joining detections that are parts of one scan. The parts are the TCP probes of a ping
//! sweep, the per-host parts of a block scan, the identical probes of a scanner and its
//! decoys, and the host discovery that came before a port scan.
//!
//! Detection first finds one vertical scan per (source, target, technique) and one
//! horizontal scan per (source, technique). An investigator expects one finding per scan,
//! so the functions here merge those parts back together before findings are built.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use super::detect::Detection;
use super::merge::MergedContact;
use super::Parameters;
use crate::model::{Outcome, ScanKind, Technique};

/// Most distinct ports a horizontal TCP scan may use and still be taken as the "ping" part
/// of a ping sweep from the same source. nmap 7.93's default host discovery sends a SYN to
/// port 443 and an ACK to port 80 beside its ICMP echo and timestamp requests.
pub const MAX_TCP_PING_PORTS: usize = 2;

/// Smallest share of a TCP ping part's targets that the ICMP sweep also reached, so that the
/// two are one sweep of one range.
pub const MIN_TCP_PING_TARGET_OVERLAP: f64 = 0.5;

/// Smallest Jaccard similarity of two sources' port sets on the same targets for their
/// probes to be taken as one scan sent from several addresses. nmap sends every probe from
/// each decoy and from the real address, so the sets are identical. The margin allows for
/// probes lost before the capture point.
pub const MIN_DECOY_PORT_SIMILARITY: f64 = 0.9;

/// Minimum number of hosts whose vertical scans by one source and technique are reported as one block
/// scan. An investigator counts one scan per campaign of a source: psad, for one, reports a
/// SYN scan of ports 1000-1500 on 4 hosts as one scan with 4 destinations, not as 4 scans.
pub const MIN_BLOCK_HOSTS: usize = 2;

/// Moves the TCP ping probes of a source into its ping sweep; see [`MAX_TCP_PING_PORTS`].
pub fn absorb_ping_probes(detections: Vec<Detection<'_>>) -> Vec<Detection<'_>> {
    let mut sweeps: Vec<Detection> = Vec::new();
    let mut others: Vec<Detection> = Vec::new();
    for detection in detections {
        if detection.kind == ScanKind::PingSweep {
            sweeps.push(detection);
        } else {
            others.push(detection);
        }
    }
    if sweeps.is_empty() {
        return others;
    }

    let mut result = Vec::new();
    for detection in others {
        let sweep = sweeps.iter_mut().find(|sweep| is_tcp_ping_part(sweep, &detection));
        match sweep {
            Some(sweep) => sweep.contacts.extend(detection.contacts),
            None => result.push(detection),
        }
    }
    result.extend(sweeps);
    result
}

/// Returns true when `detection` is the TCP ping part of an ICMP sweep: it started while
/// the sweep was still sending. A TCP scan that starts after the sweep ended is a port scan
/// of the hosts found, and ARP sweeps have no TCP ping part.
fn is_tcp_ping_part(sweep: &Detection<'_>, detection: &Detection<'_>) -> bool {
    let tcp_ping = matches!(detection.technique, Technique::TcpSyn | Technique::TcpAck | Technique::TcpConnect);
    let alongside = detection.first_ts_ns() <= sweep.last_ts_ns();
    if detection.kind != ScanKind::Horizontal
        || detection.source != sweep.source
        || sweep.technique != Technique::IcmpEcho
        || !tcp_ping
        || !alongside
    {
        return false;
    }
    if detection.ports().len() > MAX_TCP_PING_PORTS {
        return false;
    }
    let swept = sweep.targets();
    let targets = detection.targets();
    let shared = targets.intersection(&swept).count();
    shared as f64 >= MIN_TCP_PING_TARGET_OVERLAP * targets.len() as f64
}

/// Joins the vertical scans of one source and technique into one block scan when they cover
/// at least [`MIN_BLOCK_HOSTS`] hosts, together with that source's horizontal scan of the
/// same technique.
pub fn join_blocks<'a>(detections: Vec<Detection<'a>>) -> Vec<Detection<'a>> {
    let mut verticals: BTreeMap<(IpAddr, Technique), usize> = BTreeMap::new();
    for detection in &detections {
        if detection.kind == ScanKind::Vertical {
            *verticals.entry((detection.source, detection.technique)).or_insert(0) += 1;
        }
    }
    let block_keys: BTreeSet<(IpAddr, Technique)> =
        verticals.into_iter().filter(|(_, hosts)| *hosts >= MIN_BLOCK_HOSTS).map(|(key, _)| key).collect();
    if block_keys.is_empty() {
        return detections;
    }

    let mut blocks: BTreeMap<(IpAddr, Technique), Detection<'a>> = BTreeMap::new();
    let mut result = Vec::new();
    for detection in detections {
        let key = (detection.source, detection.technique);
        let joins = matches!(detection.kind, ScanKind::Vertical | ScanKind::Horizontal) && block_keys.contains(&key);
        if !joins {
            result.push(detection);
            continue;
        }
        blocks
            .entry(key)
            .or_insert_with(|| Detection::new(ScanKind::Block, detection.technique, detection.source, Vec::new()))
            .contacts
            .extend(detection.contacts);
    }
    result.extend(blocks.into_values());
    result
}

/// Joins scans that different sources sent to the same targets with the same ports at the
/// same time into one distributed scan, and separates the live sources from the decoys.
///
/// A source is live when any of its contacts in the case shows it received a reply: it
/// answered a SYN/ACK with a RST, completed a handshake or exchanged payload. A decoy
/// address sends probes that a scanner forged and never sees the replies.
pub fn join_decoys<'a>(detections: Vec<Detection<'a>>, all_contacts: &[MergedContact]) -> Vec<Detection<'a>> {
    let mut groups: Vec<Vec<Detection<'a>>> = Vec::new();
    for detection in detections {
        let joinable = matches!(detection.kind, ScanKind::Vertical | ScanKind::Block);
        let group = if joinable {
            groups.iter_mut().find(|group| {
                let first = &group[0];
                matches!(first.kind, ScanKind::Vertical | ScanKind::Block) && same_probes(first, &detection)
            })
        } else {
            None
        };
        match group {
            Some(group) => group.push(detection),
            None => groups.push(vec![detection]),
        }
    }

    let live: BTreeSet<IpAddr> = all_contacts
        .iter()
        .map(|merged| &merged.contact)
        .filter(|c| c.source_reset || c.handshake_completed || c.payload_exchanged)
        .map(|c| c.src)
        .collect();

    groups
        .into_iter()
        .map(|group| if group.len() == 1 { group.into_iter().next().unwrap() } else { distributed(group, &live) })
        .collect()
}

/// Returns true when two detections from different sources probed the same targets with
/// nearly the same ports, with overlapping time ranges.
fn same_probes(a: &Detection<'_>, b: &Detection<'_>) -> bool {
    if a.source == b.source || a.technique != b.technique || a.targets() != b.targets() {
        return false;
    }
    let overlap = a.first_ts_ns() <= b.last_ts_ns() && b.first_ts_ns() <= a.last_ts_ns();
    if !overlap {
        return false;
    }
    let (ports_a, ports_b) = (a.ports(), b.ports());
    let shared = ports_a.intersection(&ports_b).count();
    let union = ports_a.union(&ports_b).count();
    union > 0 && shared as f64 / union as f64 >= MIN_DECOY_PORT_SIMILARITY
}

fn distributed<'a>(group: Vec<Detection<'a>>, live: &BTreeSet<IpAddr>) -> Detection<'a> {
    let technique = group[0].technique;
    let mut sources: Vec<IpAddr> = group.iter().map(|d| d.source).collect();
    sources.sort();
    let (mut live_sources, mut decoys): (Vec<IpAddr>, Vec<IpAddr>) =
        sources.iter().partition(|source| live.contains(source));
    if live_sources.is_empty() {
        // No source shows a reply, so the real one cannot be identified and all are listed.
        live_sources = std::mem::take(&mut decoys);
    }
    let contacts = group.into_iter().flat_map(|d| d.contacts).collect();
    Detection {
        kind: ScanKind::Distributed,
        technique,
        source: live_sources[0],
        other_sources: live_sources[1..].to_vec(),
        decoys,
        contacts,
        discovery: Vec::new(),
        shared_work: false,
    }
}

/// Attaches each ping sweep to the port scan of the same source that followed it on the
/// hosts it found up, as the host discovery of that scan.
///
/// nmap and similar tools first ask which hosts of a range are up (ARP on a local link,
/// ICMP and TCP pings elsewhere) and then scan ports only on the hosts that replied. The
/// sweep is part of that scan, so it becomes the scan's discovery instead of a finding of
/// its own. The sweep must end at most [`Parameters::campaign_gap_s`] before the scan
/// starts, and at least half of the scan's targets must have answered the sweep.
pub fn attach_host_discovery<'a>(detections: Vec<Detection<'a>>, parameters: &Parameters) -> Vec<Detection<'a>> {
    let gap_ns = parameters.campaign_gap_s.saturating_mul(1_000_000_000) as i64;
    let (sweeps, mut scans): (Vec<Detection<'a>>, Vec<Detection<'a>>) =
        detections.into_iter().partition(|d| d.kind == ScanKind::PingSweep);
    let mut unattached_sweeps = Vec::new();
    for sweep in sweeps {
        let up: BTreeSet<IpAddr> =
            sweep.contacts.iter().filter(|c| c.contact.outcome == Outcome::Open).map(|c| c.contact.dst).collect();
        let follows = |scan: &Detection<'_>| {
            let targets = scan.targets();
            let found = targets.intersection(&up).count();
            scan.source == sweep.source
                && scan.discovery.is_empty()
                && scan.first_ts_ns() >= sweep.first_ts_ns()
                && scan.first_ts_ns().saturating_sub(sweep.last_ts_ns()) <= gap_ns
                && found > 0
                && 2 * found >= targets.len()
        };
        match scans.iter_mut().find(|scan| follows(scan)) {
            Some(scan) => scan.discovery = sweep.contacts,
            None => unattached_sweeps.push(sweep),
        }
    }
    scans.extend(unattached_sweeps);
    scans
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::detect::detect;
    use crate::analysis::merge::tests::merged_contact;
    use crate::model::Outcome;

    #[test]
    fn many_hosts_many_ports_is_one_block() {
        let mut contacts = Vec::new();
        for host in 1..=6 {
            for port in 1..=10 {
                contacts.push(merged_contact("10.0.0.1", &format!("10.0.1.{host}"), port, i64::from(port)));
            }
        }
        let detections = detect(&contacts, &Parameters::default());
        assert_eq!(detections.len(), 1, "{detections:#?}");
        assert_eq!(detections[0].kind, ScanKind::Block);
        assert_eq!(detections[0].targets().len(), 6);
        assert_eq!(detections[0].contacts.len(), 60);
    }

    #[test]
    fn two_hosts_join_one_block() {
        let mut contacts = Vec::new();
        for host in 1..=2 {
            for port in 1..=10 {
                contacts.push(merged_contact("10.0.0.1", &format!("10.0.1.{host}"), port, i64::from(port)));
            }
        }
        let detections = detect(&contacts, &Parameters::default());
        assert_eq!(detections.len(), 1, "{detections:#?}");
        assert_eq!(detections[0].kind, ScanKind::Block);
        assert_eq!(detections[0].targets().len(), 2);
    }

    #[test]
    fn one_host_stays_vertical() {
        let contacts: Vec<_> =
            (1..=10).map(|port| merged_contact("10.0.0.1", "10.0.1.1", port, i64::from(port))).collect();
        let detections = detect(&contacts, &Parameters::default());
        assert_eq!(detections.len(), 1);
        assert_eq!(detections[0].kind, ScanKind::Vertical);
    }

    #[test]
    fn decoys_without_replies_are_named() {
        let mut contacts = Vec::new();
        for source in ["10.0.0.1", "10.0.0.50", "10.0.0.51"] {
            for port in 1..=10 {
                let mut contact = merged_contact(source, "10.0.1.1", port, i64::from(port));
                if source == "10.0.0.1" && port == 3 {
                    contact.contact.outcome = Outcome::Open;
                    contact.contact.source_reset = true;
                }
                contacts.push(contact);
            }
        }
        let detections = detect(&contacts, &Parameters::default());
        assert_eq!(detections.len(), 1, "{detections:#?}");
        let detection = &detections[0];
        assert_eq!(detection.kind, ScanKind::Distributed);
        assert_eq!(detection.source.to_string(), "10.0.0.1");
        let decoys: Vec<String> = detection.decoys.iter().map(|d| d.to_string()).collect();
        assert_eq!(decoys, ["10.0.0.50", "10.0.0.51"]);
    }

    #[test]
    fn scans_at_different_times_are_not_decoys() {
        let mut contacts = Vec::new();
        for (source, start) in [("10.0.0.1", 0), ("10.0.0.2", 1_000_000)] {
            for port in 1..=10 {
                contacts.push(merged_contact(source, "10.0.1.1", port, start + i64::from(port)));
            }
        }
        let detections = detect(&contacts, &Parameters::default());
        assert_eq!(detections.len(), 2);
        assert!(detections.iter().all(|d| d.kind == ScanKind::Vertical));
    }
}
