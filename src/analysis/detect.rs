//! Scan detection: groups of scan-like contacts that make a vertical or horizontal scan or a
//! ping sweep.
//!
//! A contact is *scan-like* when it contains at least one probe and, for TCP, no payload was
//! exchanged on it, because a TCP port scan tests ports and does not use them. UDP probes
//! carry payload by design (nmap sends a DNS query to port 53, an NTP request to 123), so a
//! UDP reply does not make a contact ordinary use. There is no time window:
//! all of a source's contacts in the case are considered together, so a scan spread over
//! hours is one scan.
//!
//! Vertical scans are found first, per (source, target, technique family); the contacts
//! they use are not counted again for horizontal scans, which are found per (source,
//! technique family) over the ports that reached enough hosts.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::IpAddr;

use super::merge::MergedContact;
use super::{campaign, combine, extra, shared_work, syn_builder, Parameters};
use crate::model::{IpProtocol, Outcome, ScanKind, Technique};

/// Scan-like contacts of one (source, target, technique family), with their indexes.
type HostGroups<'a> = BTreeMap<(IpAddr, IpAddr, Technique), Vec<(usize, &'a MergedContact)>>;

/// Scan-like contacts of one (source, technique family), by destination port.
type PortGroups<'a> = BTreeMap<(IpAddr, Technique), HashMap<Option<u16>, Vec<&'a MergedContact>>>;

/// One detected group of contacts, before scoring.
#[derive(Debug, Clone)]
pub struct Detection<'a> {
    /// Shape of the scan.
    pub kind: ScanKind,
    /// Technique of the probes.
    pub technique: Technique,
    /// The source that sent the probes; for a distributed scan, the first live source.
    pub source: IpAddr,
    /// Further sources of a distributed scan that behaved as live hosts.
    pub other_sources: Vec<IpAddr>,
    /// Sources of a distributed scan that sent the same probes but never behaved as live
    /// hosts: decoys.
    pub decoys: Vec<IpAddr>,
    /// The contacts of the scan.
    pub contacts: Vec<&'a MergedContact>,
    /// Contacts of the ping sweep that found the scanned hosts just before the scan, when
    /// there was one; see [`combine::attach_host_discovery`].
    pub discovery: Vec<&'a MergedContact>,
    /// True for a distributed scan whose sources each probed their own part of the ports or
    /// hosts; see [`shared_work`].
    pub shared_work: bool,
}

impl<'a> Detection<'a> {
    /// Creates a detection of one source.
    pub fn new(kind: ScanKind, technique: Technique, source: IpAddr, contacts: Vec<&'a MergedContact>) -> Self {
        Self {
            kind,
            technique,
            source,
            other_sources: Vec::new(),
            decoys: Vec::new(),
            contacts,
            discovery: Vec::new(),
            shared_work: false,
        }
    }

    /// Returns the time of the first probe.
    pub fn first_ts_ns(&self) -> i64 {
        self.contacts.iter().map(|c| c.contact.first_ts_ns).min().unwrap_or(0)
    }

    /// Returns the time of the last probe.
    pub fn last_ts_ns(&self) -> i64 {
        self.contacts.iter().map(|c| c.contact.last_ts_ns).max().unwrap_or(0)
    }

    /// Returns the distinct targets.
    pub fn targets(&self) -> BTreeSet<IpAddr> {
        self.contacts.iter().map(|c| c.contact.dst).collect()
    }

    /// Returns the distinct destination ports.
    pub fn ports(&self) -> BTreeSet<Option<u16>> {
        self.contacts.iter().map(|c| c.contact.dst_port).collect()
    }
}

/// Techniques that produce the same probe on the wire are one family: SYN and connect
/// scans both open with a SYN and differ only in how the handshake ends.
fn family(technique: Technique) -> Technique {
    match technique {
        Technique::TcpConnect => Technique::TcpSyn,
        other => other,
    }
}

/// Returns the technique most of a contact's probes used.
fn dominant_technique(builder: &MergedContact) -> Technique {
    builder
        .contact
        .techniques
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
        .map(|(technique, _)| *technique)
        .unwrap_or(Technique::TcpSyn)
}

/// Returns true for a contact that tested a port without using it; see the module docs.
///
/// A TCP port that the source half-opened (it answered the SYN/ACK with RST) was tested,
/// even when the source connected to it with data later, as a version scan does.
fn is_scan_like(builder: &MergedContact) -> bool {
    let contact = &builder.contact;
    match contact.protocol {
        IpProtocol::UDP => contact.probes > 0,
        IpProtocol::TCP => contact.probes > 0 && (!contact.payload_exchanged || contact.source_reset),
        _ => contact.probes > 0 && !contact.payload_exchanged,
    }
}

/// Returns true when echo or ARP requests per host stay within what a sweep sends; see
/// [`Parameters::max_echo_requests_per_host`].
fn is_sweep_rate(members: &[&MergedContact], parameters: &Parameters) -> bool {
    let requests: u64 = members.iter().map(|b| b.contact.probes).sum();
    requests <= parameters.max_echo_requests_per_host * members.len().max(1) as u64
}

/// Names the technique of a group of the SYN family.
///
/// A source that answered a SYN/ACK with a RST left its connections half open (SYN scan),
/// even when it connected to some ports later, as a version scan does. Otherwise a source
/// that completed any handshake used full connections (connect scan). Without replies,
/// as in a firewall log of SYNs only, the shape of the SYNs decides: see [`syn_builder`].
fn group_technique(technique: Technique, contacts: &[&MergedContact]) -> Technique {
    if technique == Technique::TcpAck {
        return ack_group_technique(contacts);
    }
    if technique != Technique::TcpSyn {
        return technique;
    }
    if contacts.iter().any(|c| c.contact.source_reset) {
        return Technique::TcpSyn;
    }
    if contacts.iter().any(|c| c.contact.handshake_completed) {
        return Technique::TcpConnect;
    }
    if syn_builder::is_os_built(contacts) {
        Technique::TcpConnect
    } else {
        Technique::TcpSyn
    }
}

/// Names a group of SYN probes sent beside OS-detection probes, which only a raw-packet
/// tool can build: a SYN scan, unless the source completed handshakes without leaving any
/// half open (a connect scan run with OS detection). The OS-detection SYNs carry the
/// options of an operating system's stack, so [`syn_builder::is_os_built`] does not apply.
fn raw_syn_technique(contacts: &[&MergedContact]) -> Technique {
    let half_open = contacts.iter().any(|c| c.contact.source_reset);
    let completed = contacts.iter().any(|c| c.contact.handshake_completed);
    if completed && !half_open {
        Technique::TcpConnect
    } else {
        Technique::TcpSyn
    }
}

/// Names a group of bare ACK probes: a window scan when the targets' RST replies tell ports
/// apart by their window (some read open, others closed; see the aggregator), else an ACK
/// scan. Without replies, as in a firewall log or a capture of one direction, the two cannot
/// be told apart and the group is an ACK scan.
///
/// NOTE: a stack whose RSTs all carry a non-zero window makes every port read open, and the
/// group stays an ACK scan with open outcomes.
fn ack_group_technique(contacts: &[&MergedContact]) -> Technique {
    let open = contacts.iter().any(|c| c.contact.outcome == Outcome::Open);
    let closed = contacts.iter().any(|c| c.contact.outcome == Outcome::Closed);
    if open && closed {
        Technique::TcpWindow
    } else {
        Technique::TcpAck
    }
}

/// Finds vertical and horizontal scans among the contacts.
pub fn detect<'a>(contacts: &'a [MergedContact], parameters: &Parameters) -> Vec<Detection<'a>> {
    let mut detections = Vec::new();
    let scan_like: Vec<(usize, &MergedContact, Technique)> = contacts
        .iter()
        .enumerate()
        .filter(|(_, builder)| is_scan_like(builder))
        .map(|(index, builder)| (index, builder, family(dominant_technique(builder))))
        .collect();

    // Vertical: distinct ports per (source, target, family).
    let mut by_host: HostGroups = BTreeMap::new();
    for (index, builder, technique) in &scan_like {
        by_host.entry((builder.contact.src, builder.contact.dst, *technique)).or_default().push((*index, builder));
    }
    let mut tcp_by_pair: HashMap<(IpAddr, IpAddr), Vec<&MergedContact>> = HashMap::new();
    for merged in contacts.iter().filter(|c| c.contact.protocol == IpProtocol::TCP) {
        tcp_by_pair.entry((merged.contact.src, merged.contact.dst)).or_default().push(merged);
    }
    // OS detection or version probing of a host is reconnaissance even below the threshold.
    let host_reconnaissance = |source: IpAddr, target: IpAddr| {
        tcp_by_pair.get(&(source, target)).is_some_and(|pair| extra::is_host_reconnaissance(pair))
    };
    let os_detection = |source: IpAddr, target: IpAddr| {
        tcp_by_pair.get(&(source, target)).is_some_and(|pair| extra::os_detection(pair).is_some())
    };
    let mut used: BTreeSet<usize> = BTreeSet::new();
    for ((source, target, technique), group) in &by_host {
        // A protocol scan's probes have no ports, so its breadth is the protocols it tried.
        let ports: BTreeSet<(IpProtocol, Option<u16>)> =
            group.iter().map(|(_, b)| (b.contact.protocol, b.contact.dst_port)).collect();
        let members: Vec<&MergedContact> = group.iter().map(|(_, b)| *b).collect();
        let broad = ports.len() >= parameters.min_ports_vertical;
        if broad || *technique == Technique::TcpSyn && host_reconnaissance(*source, *target) {
            used.extend(group.iter().map(|(index, _)| *index));
            let raw_probes = *technique == Technique::TcpSyn && os_detection(*source, *target);
            let named = if raw_probes { raw_syn_technique(&members) } else { group_technique(*technique, &members) };
            detections.push(Detection::new(ScanKind::Vertical, named, *source, members));
        }
    }

    // Horizontal: per (source, family), the ports that reached enough distinct hosts.
    let mut by_source: PortGroups = BTreeMap::new();
    for (index, builder, technique) in &scan_like {
        // NOTE: one protocol sent to many hosts is not reported as a sweep, because hosts
        // send IGMP, VRRP and similar packets to many group addresses in ordinary use.
        if used.contains(index) || *technique == Technique::IpProtocol {
            continue;
        }
        by_source
            .entry((builder.contact.src, *technique))
            .or_default()
            .entry(builder.contact.dst_port)
            .or_default()
            .push(builder);
    }
    for ((source, technique), by_port) in by_source {
        let mut members: Vec<&MergedContact> = Vec::new();
        for group in by_port.values() {
            let hosts: BTreeSet<IpAddr> = group.iter().map(|b| b.contact.dst).collect();
            if hosts.len() >= parameters.min_hosts_horizontal {
                members.extend(group.iter().copied());
            }
        }
        let host_probe = matches!(technique, Technique::IcmpEcho | Technique::Arp);
        if host_probe && !is_sweep_rate(&members, parameters) {
            continue;
        }
        if technique == Technique::Arp && members.len() < parameters.min_hosts_arp_sweep {
            continue;
        }
        if !members.is_empty() {
            members.sort_by_key(|b| (b.contact.first_ts_ns, b.contact.dst, b.contact.dst_port));
            let kind = if host_probe { ScanKind::PingSweep } else { ScanKind::Horizontal };
            detections.push(Detection::new(kind, group_technique(technique, &members), source, members));
        }
    }

    let detections = combine::absorb_ping_probes(detections);
    let detections = combine::join_blocks(detections);
    let detections = combine::join_decoys(detections, contacts);
    let detections = shared_work::join_shared_work(detections);
    let detections = campaign::split_campaigns(detections, parameters);
    let mut detections = combine::attach_host_discovery(detections, parameters);
    detections.sort_by_key(|d| (d.first_ts_ns(), d.source, d.technique));
    detections
}
