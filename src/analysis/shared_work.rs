//! Scans that several sources share without sending the same probes: each source probes its
//! own part of one target's ports, or of one range's hosts, in the same period and with the
//! same tool. They are joined into one distributed finding that lists every source.
//!
//! Decoy scans, where every source sends the same probes, are joined by
//! [`super::combine::join_decoys`] before this step. Two parts join only when all of these
//! hold, so that unrelated scanners of the same target stay apart:
//!
//! - the same technique and the same tool fingerprint, which must name a tool
//!   (not `unknown`, and not missing for lack of probes);
//! - the same period: the parts overlap in time, or the later one started at most
//!   [`MAX_SHARED_GAP_S`] after the earlier one ended;
//! - for vertical or block parts, the same targets and nearly disjoint ports; for horizontal
//!   parts, the same ports and nearly disjoint hosts inside one range (a /24 for IPv4, a /64
//!   for IPv6).

use std::collections::BTreeSet;
use std::net::IpAddr;

use super::detect::Detection;
use super::fingerprint;
use crate::model::{ScanKind, Technique};

/// Largest share of the smaller part's ports (or hosts) that the other part may also have
/// probed for the two to count as disjoint shares of the work.
///
/// Default 0.1: a split of the work leaves the parts disjoint, and the margin allows a few
/// ports that two workers both tried, for example ports that every worker checks first.
pub const MAX_SHARED_OVERLAP: f64 = 0.1;

/// Longest gap, in seconds, between the end of one part and the start of the next for the
/// two to count as one period's work.
///
/// Default 5: the workers of one scan start when one command reaches them, within a
/// second or two of each other. In the fixture `scan_nmap_sS_shared_3src.pcap` three nmap
/// runs started 40 ms apart and each sent its 300 probes in 3 ms, so they did not overlap. A
/// scan that starts half a minute after another ended is a separate run.
pub const MAX_SHARED_GAP_S: i64 = 5;

/// Prefix length of the IPv4 range whose hosts horizontal parts may share: a /24.
pub const SHARED_RANGE_PREFIX_V4: u8 = 24;

/// Prefix length of the IPv6 range whose hosts horizontal parts may share: a /64, one subnet.
pub const SHARED_RANGE_PREFIX_V6: u8 = 64;

/// Joins the detections whose sources shared one scan's work into distributed detections;
/// see the module docs.
pub fn join_shared_work<'a>(detections: Vec<Detection<'a>>) -> Vec<Detection<'a>> {
    let tools: Vec<Option<String>> = detections.iter().map(tool_of).collect();
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for index in 0..detections.len() {
        let group = groups.iter_mut().find(|group| {
            group.iter().all(|&member| {
                shares_work(&detections[member], &detections[index])
                    && tools[member].is_some()
                    && tools[member] == tools[index]
            })
        });
        match group {
            Some(group) => group.push(index),
            None => groups.push(vec![index]),
        }
    }
    if groups.iter().all(|group| group.len() == 1) {
        return detections;
    }

    let mut slots: Vec<Option<Detection<'a>>> = detections.into_iter().map(Some).collect();
    groups
        .into_iter()
        .map(|group| {
            let mut parts: Vec<Detection<'a>> = group.iter().filter_map(|&index| slots[index].take()).collect();
            if parts.len() == 1 {
                return parts.remove(0);
            }
            joined(parts)
        })
        .collect()
}

/// Returns the tool a single-source scan's probes match, or `None` when no fingerprint names
/// one or the detection is not a single-source port scan.
fn tool_of(detection: &Detection<'_>) -> Option<String> {
    let single = detection.other_sources.is_empty() && detection.decoys.is_empty();
    let port_scan = matches!(detection.kind, ScanKind::Vertical | ScanKind::Block | ScanKind::Horizontal);
    if !single || !port_scan {
        return None;
    }
    let os_built = detection.technique == Technique::TcpConnect;
    let found = fingerprint::fingerprint(&detection.contacts, os_built)?;
    (found.tool != "unknown").then_some(found.tool)
}

/// Returns true when two detections from different sources split one scan's work.
fn shares_work(a: &Detection<'_>, b: &Detection<'_>) -> bool {
    if a.source == b.source || a.technique != b.technique {
        return false;
    }
    // Negative when the two overlap.
    let gap_ns = a.first_ts_ns().max(b.first_ts_ns()) - a.last_ts_ns().min(b.last_ts_ns());
    if gap_ns > MAX_SHARED_GAP_S * 1_000_000_000 {
        return false;
    }
    let vertical = |d: &Detection<'_>| matches!(d.kind, ScanKind::Vertical | ScanKind::Block);
    if vertical(a) && vertical(b) {
        return a.targets() == b.targets() && nearly_disjoint(&a.ports(), &b.ports());
    }
    if a.kind == ScanKind::Horizontal && b.kind == ScanKind::Horizontal {
        let targets: BTreeSet<IpAddr> = a.targets().union(&b.targets()).copied().collect();
        return a.ports() == b.ports() && nearly_disjoint(&a.targets(), &b.targets()) && in_one_range(&targets);
    }
    false
}

/// Returns true when the two sets share at most [`MAX_SHARED_OVERLAP`] of the smaller one.
fn nearly_disjoint<T: Ord>(a: &BTreeSet<T>, b: &BTreeSet<T>) -> bool {
    let smaller = a.len().min(b.len());
    let shared = a.intersection(b).count();
    smaller > 0 && shared as f64 <= MAX_SHARED_OVERLAP * smaller as f64
}

/// Returns true when all addresses lie in one /24 (IPv4) or /64 (IPv6).
fn in_one_range(addresses: &BTreeSet<IpAddr>) -> bool {
    let networks: BTreeSet<Option<ipnet::IpNet>> = addresses
        .iter()
        .map(|address| {
            let prefix = if address.is_ipv4() { SHARED_RANGE_PREFIX_V4 } else { SHARED_RANGE_PREFIX_V6 };
            ipnet::IpNet::new(*address, prefix).ok().map(|network| network.trunc())
        })
        .collect();
    networks.len() == 1 && networks.iter().all(Option::is_some)
}

/// Builds one distributed detection from the parts, its sources in address order.
fn joined(mut parts: Vec<Detection<'_>>) -> Detection<'_> {
    parts.sort_by_key(|part| part.source);
    let technique = parts[0].technique;
    let sources: Vec<IpAddr> = parts.iter().map(|part| part.source).collect();
    let mut contacts = Vec::new();
    for part in parts {
        contacts.extend(part.contacts);
    }
    Detection {
        kind: ScanKind::Distributed,
        technique,
        source: sources[0],
        other_sources: sources[1..].to_vec(),
        decoys: Vec::new(),
        contacts,
        discovery: Vec::new(),
        shared_work: true,
    }
}

/// Describes how the sources of a shared scan split the work: each source with the number of
/// ports and hosts it probed, in address order.
pub fn describe_parts(detection: &Detection<'_>) -> String {
    let mut sources = vec![detection.source];
    sources.extend(detection.other_sources.iter().copied());
    let parts: Vec<String> = sources
        .iter()
        .map(|source| {
            let own = detection.contacts.iter().filter(|c| c.contact.src == *source);
            let ports: BTreeSet<Option<u16>> = own.clone().map(|c| c.contact.dst_port).collect();
            let hosts: BTreeSet<IpAddr> = own.map(|c| c.contact.dst).collect();
            format!("{source} {} on {}", plural(ports.len(), "port", "ports"), plural(hosts.len(), "host", "hosts"))
        })
        .collect();
    format!(
        "{} shared the work in the same period, with the same tool's probes, each probing its own part: {}. ",
        plural(sources.len(), "source", "sources"),
        parts.join(", ")
    )
}

fn plural(count: usize, one: &str, many: &str) -> String {
    super::score::plural(count as u64, one, many)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::merge::tests::merged_contact;
    use crate::analysis::merge::MergedContact;
    use crate::model::{ProbeShape, TcpOptionKinds};

    /// Builds SYN probes from `source` to `target` on `ports`, one every millisecond from
    /// `start_ns`, with nmap 7.93's raw SYN template when `nmap` is true and hping3's
    /// otherwise.
    fn part(
        source: &str,
        target: &str,
        ports: std::ops::RangeInclusive<u16>,
        start_ns: i64,
        nmap: bool,
    ) -> Vec<MergedContact> {
        ports
            .enumerate()
            .map(|(index, port)| {
                let mut contact = merged_contact(source, target, port, start_ns + 1_000_000 * index as i64);
                contact.first_probe = Some(if nmap {
                    ProbeShape {
                        ttl: Some(37 + (port % 20) as u8),
                        ip_id: None,
                        src_port: Some(56000),
                        tcp_window: Some(1024),
                        tcp_options: Some(TcpOptionKinds::from_kinds([2])),
                    }
                } else {
                    ProbeShape {
                        ttl: Some(64),
                        ip_id: None,
                        src_port: Some(2000 + port),
                        tcp_window: Some(512),
                        tcp_options: Some(TcpOptionKinds::from_kinds([])),
                    }
                });
                contact
            })
            .collect()
    }

    fn vertical<'a>(contacts: &'a [MergedContact]) -> Detection<'a> {
        Detection::new(ScanKind::Vertical, Technique::TcpSyn, contacts[0].contact.src, contacts.iter().collect())
    }

    fn horizontal<'a>(contacts: &'a [MergedContact]) -> Detection<'a> {
        Detection::new(ScanKind::Horizontal, Technique::TcpSyn, contacts[0].contact.src, contacts.iter().collect())
    }

    #[test]
    fn three_sources_split_ports() {
        let a = part("10.95.0.11", "10.95.0.2", 1..=300, 0, true);
        let b = part("10.95.0.12", "10.95.0.2", 301..=600, 5_000_000, true);
        let c = part("10.95.0.13", "10.95.0.2", 601..=900, 9_000_000, true);
        let joined = join_shared_work(vec![vertical(&a), vertical(&b), vertical(&c)]);
        assert_eq!(joined.len(), 1);
        assert_eq!(joined[0].kind, ScanKind::Distributed);
        assert_eq!(joined[0].source, "10.95.0.11".parse::<IpAddr>().expect("address"));
        assert_eq!(joined[0].other_sources.len(), 2);
        assert!(joined[0].decoys.is_empty());
        assert_eq!(joined[0].ports().len(), 900);
    }

    #[test]
    fn different_tools_stay_apart() {
        let a = part("10.95.0.11", "10.95.0.2", 1..=300, 0, true);
        let b = part("10.95.0.12", "10.95.0.2", 301..=600, 0, false);
        assert_eq!(join_shared_work(vec![vertical(&a), vertical(&b)]).len(), 2);
    }

    #[test]
    fn different_times_stay_apart() {
        let a = part("10.95.0.11", "10.95.0.2", 1..=300, 0, true);
        // Starts 30 s after the first part ended.
        let b = part("10.95.0.12", "10.95.0.2", 301..=600, 330_000_000_000, true);
        assert_eq!(join_shared_work(vec![vertical(&a), vertical(&b)]).len(), 2);
    }

    #[test]
    fn overlapping_ports_stay_apart() {
        // Two scans of the same ports are not a split of the work (decoys are joined before).
        let a = part("10.95.0.11", "10.95.0.2", 1..=300, 0, true);
        let b = part("10.95.0.12", "10.95.0.2", 1..=300, 0, true);
        assert_eq!(join_shared_work(vec![vertical(&a), vertical(&b)]).len(), 2);
    }

    #[test]
    fn range_split_into_hosts() {
        // nmap's template with a new TTL for each host, the same period for both parts.
        let hosts = |source: &str, first: u8| -> Vec<MergedContact> {
            let mut contacts: Vec<MergedContact> = (first..first + 10)
                .flat_map(|host| part(source, &format!("10.95.1.{host}"), 22..=22, i64::from(host - first), true))
                .collect();
            for (index, contact) in contacts.iter_mut().enumerate() {
                if let Some(shape) = contact.first_probe.as_mut() {
                    shape.ttl = Some(37 + index as u8);
                }
            }
            contacts
        };
        let a = hosts("10.95.0.11", 1);
        let b = hosts("10.95.0.12", 101);
        let joined = join_shared_work(vec![horizontal(&a), horizontal(&b)]);
        assert_eq!(joined.len(), 1);
        assert_eq!(joined[0].targets().len(), 20);
    }
}
