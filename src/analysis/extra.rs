//! Extra activity beside port probes: operating-system detection and service version
//! probing, read from the contacts of one source with one target.
//!
//! nmap's OS detection (`-O`, part of `-A`) sends, besides six SYNs to an open port, test
//! segments that no TCP stack sends in ordinary use. T2 is a segment without flags and T3 a
//! SYN with FIN, PSH and URG, both to the open port. T5 is a SYN and T7 a segment with FIN,
//! PSH and URG, both to a closed port. This is what nmap 7.93 sent in the `-sV -O` capture
//! made for the tests and what nmap sent in the public `-O` capture among the samples. The
//! analysis names OS detection when T3 and one of the other two appear on at least two
//! ports of the target. A packet generator that sends every flag combination to one port
//! shows the same flags on one port only, so it is not named.
//!
//! A version scan (nmap `-sV`, part of `-A`) connects to each open port that the port scan
//! found and sends data to read the service's banner. On the wire the port was first
//! half-opened (the source answered the SYN/ACK with RST) and then connected to with data,
//! which an ordinary client never does.
//!
//! NOTE: a later ordinary session of the same source to a port it had half-opened looks the
//! same as version probing of that port, so version probing is reported only from
//! [`MIN_SERVICE_PROBED_PORTS`] ports on.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use super::merge::MergedContact;
use crate::model::{ExtraActivity, ExtraActivityKind, IpProtocol, TcpFlags, Technique};

/// Fewest (target, port) pairs probed for versions for a finding to report version probing
/// and get ATT&CK T1595.002 (Active Scanning: Vulnerability Scanning), and for version
/// probing of fewer ports than the vertical threshold to make a finding of its own. A client never half-opens a port
/// and then connects to it, so a few ports suffice. Three, because one or two such ports
/// can come from a client's connection attempt that timed out before a late SYN/ACK.
pub const MIN_SERVICE_PROBED_PORTS: usize = 3;

/// Minimum number of ports of one target with OS-detection tests, because nmap probes an
/// open and a closed port.
pub const MIN_OS_DETECTION_PORTS: usize = 2;

/// Returns the signs of OS detection in one source's TCP contacts with one target, with the
/// ports they appeared on, or `None` when the pattern described in the module docs is not
/// complete.
pub fn os_detection(contacts: &[&MergedContact]) -> Option<(Vec<String>, BTreeSet<u16>)> {
    let mut syn_fin_ports = BTreeSet::new();
    let mut null_ports = BTreeSet::new();
    let mut xmas_ports = BTreeSet::new();
    for merged in contacts.iter().filter(|c| c.contact.protocol == IpProtocol::TCP) {
        let contact = &merged.contact;
        let Some(port) = contact.dst_port else {
            continue;
        };
        let flags = contact.flags_seen;
        // A log line without TCP options may mark a SYN as a connect probe by its length.
        let with_syn = [Technique::TcpSyn, Technique::TcpConnect].iter().any(|t| contact.techniques.contains_key(t));
        // The contact keeps the union of its probes' flags. SYN and FIN come from one probe
        // (T3) unless a FIN, Xmas or Maimon probe to the same port set the FIN.
        let fin_probes = [Technique::TcpFin, Technique::TcpXmas, Technique::TcpMaimon];
        let fin_from_syn = !fin_probes.iter().any(|technique| contact.techniques.contains_key(technique));
        if flags & TcpFlags::SYN != 0 && flags & TcpFlags::FIN != 0 && fin_from_syn {
            syn_fin_ports.insert(port);
        }
        if with_syn && contact.techniques.contains_key(&Technique::TcpNull) {
            null_ports.insert(port);
        }
        if with_syn && contact.techniques.contains_key(&Technique::TcpXmas) {
            xmas_ports.insert(port);
        }
    }
    if syn_fin_ports.is_empty() || null_ports.is_empty() && xmas_ports.is_empty() {
        return None;
    }
    let ports: BTreeSet<u16> = syn_fin_ports.iter().chain(&null_ports).chain(&xmas_ports).copied().collect();
    if ports.len() < MIN_OS_DETECTION_PORTS {
        return None;
    }
    let mut matched = vec![format!("a SYN with FIN set to {} (test T3)", port_list(&syn_fin_ports))];
    if !null_ports.is_empty() {
        matched.push(format!("a segment without flags to {}, also probed with SYN (test T2)", port_list(&null_ports)));
    }
    if !xmas_ports.is_empty() {
        matched.push(format!("SYN and FIN/PSH/URG segments to {} (tests T5 and T7)", port_list(&xmas_ports)));
    }
    Some((matched, ports))
}

/// Returns the TCP ports of one source's contacts with one target that were half-opened and
/// then connected to with data; see the module docs.
pub fn service_probed_ports(contacts: &[&MergedContact]) -> BTreeSet<u16> {
    contacts
        .iter()
        .map(|merged| &merged.contact)
        .filter(|c| c.protocol == IpProtocol::TCP && c.source_reset && c.handshake_completed && c.payload_exchanged)
        .filter_map(|c| c.dst_port)
        .collect()
}

/// Returns true when one source's contacts with one target show OS detection or version
/// probing of at least [`MIN_SERVICE_PROBED_PORTS`] ports: reconnaissance even when fewer
/// ports were probed than the vertical threshold.
pub fn is_host_reconnaissance(contacts: &[&MergedContact]) -> bool {
    os_detection(contacts).is_some() || service_probed_ports(contacts).len() >= MIN_SERVICE_PROBED_PORTS
}

/// Describes the extra activity toward `targets` of the source of `source_contacts` (all of
/// that source's contacts in the case). Also returns the number of (target, port) pairs
/// probed for versions.
pub fn extra_activity(targets: &BTreeSet<IpAddr>, source_contacts: &[&MergedContact]) -> (Vec<ExtraActivity>, usize) {
    let mut os_targets = BTreeSet::new();
    let mut os_ports = BTreeSet::new();
    let mut os_signs: Vec<String> = Vec::new();
    let mut probed_targets = BTreeSet::new();
    let mut probed_ports = BTreeSet::new();
    let mut probed_pairs = 0usize;
    let mut by_target: BTreeMap<IpAddr, Vec<&MergedContact>> = BTreeMap::new();
    for merged in source_contacts.iter().copied().filter(|c| targets.contains(&c.contact.dst)) {
        by_target.entry(merged.contact.dst).or_default().push(merged);
    }
    for (target, pair) in &by_target {
        if let Some((signs, ports)) = os_detection(pair) {
            os_targets.insert(*target);
            os_ports.extend(ports);
            for sign in signs {
                if !os_signs.contains(&sign) {
                    os_signs.push(sign);
                }
            }
        }
        let probed = service_probed_ports(pair);
        if !probed.is_empty() {
            probed_targets.insert(*target);
            probed_pairs += probed.len();
            probed_ports.extend(probed);
        }
    }

    let mut activity = Vec::new();
    if !os_targets.is_empty() {
        activity.push(ExtraActivity {
            kind: ExtraActivityKind::OsDetection,
            targets: os_targets.into_iter().collect(),
            ports: os_ports.into_iter().collect(),
            matched: os_signs,
        });
    }
    // One or two such ports are reported as follow-up sessions only, because an ordinary
    // session after the scan looks the same.
    if probed_pairs >= MIN_SERVICE_PROBED_PORTS {
        let pairs =
            if probed_pairs == 1 { "1 port".to_string() } else { format!("{probed_pairs} port and host pairs") };
        activity.push(ExtraActivity {
            kind: ExtraActivityKind::ServiceProbing,
            targets: probed_targets.into_iter().collect(),
            ports: probed_ports.into_iter().collect(),
            matched: vec![format!("{pairs} half-opened by the scan and then connected to with data")],
        });
    }
    (activity, probed_pairs)
}

fn port_list(ports: &BTreeSet<u16>) -> String {
    let words: Vec<String> = ports.iter().map(|p| p.to_string()).collect();
    match words.as_slice() {
        [one] => format!("port {one}"),
        many => format!("ports {}", many.join(", ")),
    }
}
