//! Turning a detection into a finding: its numbers, scores, ATT&CK techniques and the
//! plain-words explanation.

use std::collections::{BTreeSet, HashMap};
use std::net::IpAddr;

use super::by_source::ContactsBySource;
use super::detect::Detection;
use super::merge::{self, MergedContact};
use super::score::{self, plural, ScoreInput};
use super::{extra, fingerprint, shared_work};
use super::{CaseContext, Parameters};
use crate::model::{
    format_rfc3339, ClockOffsetEstimate, Contact, ExtraActivity, ExtraActivityKind, Finding, HostDiscovery, IpProtocol,
    OpenPort, Outcome, OutcomeCounts, ScanKind, Technique,
};

/// ATT&CK T1046 Network Service Discovery: listing services on hosts, which every port scan does.
const ATTACK_NETWORK_SERVICE_DISCOVERY: &str = "T1046";
/// ATT&CK T1595.001 Active Scanning: Scanning IP Blocks, for sweeps from outside addresses.
const ATTACK_SCANNING_IP_BLOCKS: &str = "T1595.001";
/// ATT&CK T1595 Active Scanning, for scans of one host from outside addresses.
const ATTACK_ACTIVE_SCANNING: &str = "T1595";
/// ATT&CK T1595.002 Active Scanning: Vulnerability Scanning, for reading service versions
/// at scale (see [`extra::MIN_SERVICE_PROBED_PORTS`]), from inside or outside.
const ATTACK_VULNERABILITY_SCANNING: &str = "T1595.002";

/// Builds the finding for one detection; returns it with the row ids of the stored contacts
/// whose probes it cites. `ordinary_use` names the ordinary use the detection shows, if any,
/// which suppresses the finding unless the allowlist already does.
pub fn build(
    label: String,
    detection: &Detection<'_>,
    by_source: &ContactsBySource<'_>,
    ordinary_breadth_p95: Option<u64>,
    parameters: &Parameters,
    context: &CaseContext,
    ordinary_use: Option<&str>,
) -> (Finding, Vec<i64>) {
    let contacts = &detection.contacts;
    let targets: BTreeSet<IpAddr> = contacts.iter().map(|c| c.contact.dst).collect();
    let ports: BTreeSet<u16> = contacts.iter().filter_map(|c| c.contact.dst_port).collect();
    let ip_protocols: BTreeSet<u8> = contacts
        .iter()
        .filter(|c| {
            detection.technique == Technique::IpProtocol && c.contact.techniques.contains_key(&Technique::IpProtocol)
        })
        .filter_map(|c| u8::try_from(c.contact.protocol.number()).ok())
        .collect();
    let first_seen_ns = contacts.iter().map(|c| c.contact.first_ts_ns).min().unwrap_or(0);
    let last_seen_ns = contacts.iter().map(|c| c.contact.last_ts_ns).max().unwrap_or(0);
    let probes: u64 = contacts.iter().map(|c| c.contact.probes).sum();

    let mut outcomes = OutcomeCounts::default();
    let mut open_ports = Vec::new();
    for builder in contacts {
        outcomes.add(builder.contact.outcome);
        if builder.contact.outcome == Outcome::Open {
            if let Some(port) = builder.contact.dst_port {
                open_ports.push(OpenPort { target: builder.contact.dst, port });
            }
        }
    }
    open_ports.sort();
    open_ports.dedup();

    let mut probe_times: Vec<i64> = contacts.iter().flat_map(|c| c.probe_times.iter().copied()).collect();
    probe_times.sort_unstable();
    let median_gap_ms = median_gap_ms(&probe_times);
    let regular_timing = regular_timing(&probe_times);

    let mut sources = vec![detection.source];
    sources.extend(detection.other_sources.iter().copied());
    let mut follow_up = Vec::new();
    for source in &sources {
        follow_up.extend(follow_up_sessions(&targets, first_seen_ns, by_source.of(*source)));
    }
    let (extra_activity, service_probed_pairs) = extra::extra_activity(&targets, by_source.of(detection.source));
    let (breadth, threshold) = match detection.kind {
        ScanKind::Vertical | ScanKind::Distributed if detection.technique == Technique::IpProtocol => {
            (ip_protocols.len() as u64, parameters.min_ports_vertical as u64)
        }
        // Sources that shared a range's hosts probed few ports on many hosts.
        ScanKind::Distributed if targets.len() > 1 && ports.len() < parameters.min_ports_vertical => {
            (targets.len() as u64, parameters.min_hosts_horizontal as u64)
        }
        ScanKind::Vertical | ScanKind::Distributed | ScanKind::Block => {
            (ports.len() as u64, parameters.min_ports_vertical as u64)
        }
        ScanKind::Horizontal | ScanKind::PingSweep => (targets.len() as u64, parameters.min_hosts_horizontal as u64),
    };
    let os_built = detection.technique == Technique::TcpConnect;
    let source_contacts: Vec<&MergedContact> =
        contacts.iter().copied().filter(|c| c.contact.src == detection.source).collect();
    let fingerprint = fingerprint::fingerprint(&source_contacts, os_built);
    let input = ScoreInput {
        kind: detection.kind,
        technique: detection.technique,
        contacts: contacts.len() as u64,
        breadth,
        threshold,
        open: outcomes.open,
        follow_up_session: !follow_up.is_empty(),
        tool: fingerprint.as_ref().map(|f| f.tool.clone()).filter(|tool| tool != "unknown"),
        internal_source: context.is_internal(detection.source),
        sensitive_open: {
            let mut sensitive: Vec<u16> = contacts
                .iter()
                .filter(|c| c.contact.outcome == Outcome::Open && c.contact.protocol == IpProtocol::TCP)
                .filter_map(|c| c.contact.dst_port)
                .filter(|port| score::SENSITIVE_TCP_PORTS.contains(port))
                .collect();
            sensitive.sort_unstable();
            sensitive.dedup();
            sensitive
        },
        blocked: outcomes.blocked,
        regular_timing: regular_timing == Some(true),
        evidence_files: contacts
            .iter()
            .flat_map(|c| c.views.iter().map(|view| view.evidence_id))
            .collect::<BTreeSet<i64>>()
            .len(),
        ordinary_breadth_p95,
    };
    let severity = score::severity(&input);
    let confidence = score::confidence(&input, outcomes.total() - outcomes.open);

    let mut attack = vec![ATTACK_NETWORK_SERVICE_DISCOVERY.to_string()];
    if !input.internal_source {
        let external = match detection.kind {
            ScanKind::Horizontal | ScanKind::Block | ScanKind::PingSweep => ATTACK_SCANNING_IP_BLOCKS,
            ScanKind::Vertical | ScanKind::Distributed => ATTACK_ACTIVE_SCANNING,
        };
        attack.push(external.to_string());
    }
    if service_probed_pairs >= extra::MIN_SERVICE_PROBED_PORTS {
        attack.push(ATTACK_VULNERABILITY_SCANNING.to_string());
    }

    let mut cited: Vec<i64> =
        contacts.iter().chain(detection.discovery.iter()).flat_map(|c| c.contact_ids.iter().copied()).collect();
    cited.sort_unstable();
    cited.dedup();

    let suppressed = suppression(&sources, context)
        .or_else(|| ordinary_use.map(|reason| format!("ordinary use, not a scan: {reason}")));
    let finding = Finding {
        id: label,
        kind: detection.kind,
        technique: detection.technique,
        sources,
        decoys: detection.decoys.clone(),
        targets: targets.iter().copied().collect(),
        ports: ports.iter().copied().collect(),
        first_seen_ns,
        last_seen_ns,
        probes,
        contacts: contacts.len() as u64,
        outcomes,
        open_ports,
        median_gap_ms,
        regular_timing,
        host_discovery: host_discovery(&detection.discovery),
        clock_offsets: clock_offsets(contacts, &context.evidence_names),
        fingerprint,
        ip_protocols: ip_protocols.into_iter().collect(),
        extra_activity,
        internal_source: input.internal_source,
        suppressed,
        severity,
        confidence,
        attack,
        explanation: String::new(),
        citations: Vec::new(),
        citations_total: 0,
    };
    let host_probes: u64 = contacts
        .iter()
        .filter(|c| matches!(c.contact.protocol, IpProtocol::ICMP | IpProtocol::ICMPV6 | IpProtocol::ARP))
        .map(|c| c.contact.probes)
        .sum();
    let shared_parts = detection.shared_work.then(|| shared_work::describe_parts(detection));
    let explanation = explain(&finding, &follow_up, host_probes, shared_parts.as_deref());
    (Finding { explanation, ..finding }, cited)
}

/// Returns why the finding is suppressed: every source is on the allowlist.
fn suppression(sources: &[IpAddr], context: &CaseContext) -> Option<String> {
    let entries: Vec<String> = sources
        .iter()
        .map(|source| context.allowlisted(*source).map(|entry| format!("{} ({})", entry.network, entry.reason)))
        .collect::<Option<Vec<String>>>()?;
    Some(format!("source allowlisted: {}", entries.join(", ")))
}

/// Estimates the clock offsets between the evidence files that saw the finding's contacts.
fn clock_offsets(contacts: &[&MergedContact], evidence_names: &HashMap<i64, String>) -> Vec<ClockOffsetEstimate> {
    let name = |id: i64| evidence_names.get(&id).cloned().unwrap_or_else(|| format!("evidence {id}"));
    merge::clock_offsets(contacts)
        .into_iter()
        .map(|offset| ClockOffsetEstimate {
            reference: name(offset.reference_evidence_id),
            other: name(offset.other_evidence_id),
            offset_ms: (offset.offset_ns / 1_000) as f64 / 1_000.0,
            shared_contacts: offset.shared_contacts,
            resolution_ms: (offset.resolution_ns / 1_000) as f64 / 1_000.0,
        })
        .collect()
}

/// Summarises the ping sweep attached to a scan as its host discovery.
fn host_discovery(contacts: &[&MergedContact]) -> Option<HostDiscovery> {
    let sweep: Vec<&Contact> = contacts
        .iter()
        .map(|c| &c.contact)
        .filter(|c| matches!(c.protocol, IpProtocol::ICMP | IpProtocol::ICMPV6 | IpProtocol::ARP))
        .collect();
    let first = sweep.first()?;
    let technique = if first.protocol == IpProtocol::ARP { Technique::Arp } else { Technique::IcmpEcho };
    let addresses: BTreeSet<IpAddr> = sweep.iter().map(|c| c.dst).collect();
    let answered: BTreeSet<IpAddr> = sweep.iter().filter(|c| c.outcome == Outcome::Open).map(|c| c.dst).collect();
    Some(HostDiscovery {
        technique,
        addresses: addresses.len() as u64,
        answered: answered.len() as u64,
        requests: sweep.iter().map(|c| c.probes).sum(),
        first_seen_ns: contacts.iter().map(|c| c.contact.first_ts_ns).min().unwrap_or(0),
        last_seen_ns: contacts.iter().map(|c| c.contact.last_ts_ns).max().unwrap_or(0),
    })
}

/// Returns the median gap between consecutive probe times, in milliseconds rounded to the
/// microsecond.
fn median_gap_ms(sorted_times: &[i64]) -> Option<f64> {
    if sorted_times.len() < 2 {
        return None;
    }
    let mut gaps: Vec<i64> = sorted_times.windows(2).map(|pair| pair[1] - pair[0]).collect();
    gaps.sort_unstable();
    Some((gaps[gaps.len() / 2] / 1_000) as f64 / 1_000.0)
}

/// Median gap from which a scan counts as paced, in milliseconds. Faster scans send as fast
/// as the tool can, so their gaps reveal no setting.
pub const MIN_PACED_GAP_MS: i64 = 1_000;

/// Fewest gaps for judging regularity.
pub const MIN_GAPS_FOR_REGULARITY: usize = 5;

/// Largest spread of the middle gaps (10th to 90th percentile) around the median, as a
/// share of the median, for the gaps to count as regular. nmap -T1 waits 15 s between
/// probes, and its gaps in the corpus capture stay within a few percent of that. A person or a
/// random delay varies far more.
pub const MAX_REGULAR_SPREAD: f64 = 0.2;

/// Returns whether a paced scan's gaps are regular, as a fixed scan delay makes them, or
/// `None` for a fast scan or too few gaps.
fn regular_timing(sorted_times: &[i64]) -> Option<bool> {
    if sorted_times.len() < MIN_GAPS_FOR_REGULARITY + 1 {
        return None;
    }
    let mut gaps: Vec<i64> = sorted_times.windows(2).map(|pair| pair[1] - pair[0]).collect();
    gaps.sort_unstable();
    let median = gaps[gaps.len() / 2];
    if median < MIN_PACED_GAP_MS * 1_000_000 {
        return None;
    }
    let low = gaps[gaps.len() / 10];
    let high = gaps[gaps.len() * 9 / 10];
    let spread = (high - low) as f64 / median as f64;
    Some(spread <= MAX_REGULAR_SPREAD)
}

/// Lists the TCP (target, port) pairs on which the source of `source_contacts` completed a
/// handshake and exchanged payload with a scanned host at or after the first probe. UDP
/// replies are left out because UDP probes carry payload themselves.
fn follow_up_sessions(
    targets: &BTreeSet<IpAddr>,
    first_probe_ns: i64,
    source_contacts: &[&MergedContact],
) -> Vec<OpenPort> {
    source_contacts
        .iter()
        .map(|builder| &builder.contact)
        .filter(|c| targets.contains(&c.dst) && c.protocol == IpProtocol::TCP)
        .filter(|c| c.handshake_completed && c.payload_exchanged && c.last_ts_ns >= first_probe_ns)
        .filter_map(|c| c.dst_port.map(|port| OpenPort { target: c.dst, port }))
        .collect()
}

/// Returns true for addresses routed on the public internet: not private, loopback,
/// link-local, unique-local, documentation or unspecified.
pub(super) fn is_global(address: IpAddr) -> bool {
    match address {
        IpAddr::V4(v4) => {
            !(v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_documentation()
                || v4.is_broadcast()
                || v4.octets()[0] == 100 && (v4.octets()[1] & 0xc0) == 64)
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || first == 0x2001 && v6.segments()[1] == 0x0db8)
        }
    }
}

/// Writes the plain-words explanation of a finding from its numbers.
/// `shared_parts` describes how the sources of a distributed scan split the work, when they
/// did.
fn explain(finding: &Finding, follow_up: &[OpenPort], host_probes: u64, shared_parts: Option<&str>) -> String {
    let mut source = finding.sources.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(", ");
    if !finding.decoys.is_empty() {
        source.push_str(&format!(" and its {}", plural(finding.decoys.len() as u64, "decoy", "decoys")));
    }
    let mut text = String::new();
    if finding.kind == ScanKind::Distributed {
        match shared_parts {
            Some(parts) => text.push_str(parts),
            None => text.push_str(&describe_sources(finding)),
        }
    }
    let targets = match finding.targets.as_slice() {
        [one] => one.to_string(),
        many => format!("{} hosts", many.len()),
    };
    let duration_s = (finding.last_seen_ns - finding.first_seen_ns) as f64 / 1e9;
    let reach = if finding.kind == ScanKind::PingSweep {
        format!("{targets} to test which hosts were up")
    } else if finding.technique == Technique::IpProtocol {
        format!("{} on {targets}", plural(finding.ip_protocols.len() as u64, "IP protocol", "IP protocols"))
    } else {
        format!("{} on {targets}", plural(finding.ports.len() as u64, "port", "ports"))
    };
    let host_probes = if finding.kind == ScanKind::PingSweep { host_probes } else { finding.probes };
    text.push_str(&format!(
        "{source} sent {} {} to {reach} between {} and {} ({}).",
        host_probes,
        probe_word(finding.technique, host_probes),
        format_rfc3339(finding.first_seen_ns),
        format_rfc3339(finding.last_seen_ns),
        describe_duration(duration_s),
    ));
    if finding.kind == ScanKind::PingSweep && !finding.ports.is_empty() {
        text.push_str(&format!(
            " {} to {} of the same hosts were sent alongside, as host discovery does.",
            plural(finding.probes - host_probes, "TCP probe", "TCP probes"),
            plural(finding.ports.len() as u64, "port", "ports")
        ));
    }
    if let Some(discovery) = &finding.host_discovery {
        text.push_str(&format!(
            " Before the scan, from {} to {}, the source sent {} {} to {} to learn which hosts were up; {} answered.",
            format_rfc3339(discovery.first_seen_ns),
            format_rfc3339(discovery.last_seen_ns),
            discovery.requests,
            probe_word(discovery.technique, discovery.requests),
            plural(discovery.addresses, "address", "addresses"),
            discovery.answered
        ));
    }
    for offset in &finding.clock_offsets {
        text.push_str(&describe_offset(offset));
    }
    if let Some(fingerprint) = finding.fingerprint.as_ref().filter(|f| f.tool != "unknown") {
        text.push_str(&format!(
            " The probes' header fields match {}'s probe template: {}.",
            fingerprint.tool,
            fingerprint.matched.join(", ")
        ));
    }
    for activity in &finding.extra_activity {
        text.push_str(&describe_extra_activity(activity));
    }
    if let Some(gap) = finding.median_gap_ms {
        text.push_str(&format!(" The median gap between probes was {gap} ms."));
    }
    match finding.regular_timing {
        Some(true) => text.push_str(
            " The gaps were regular, the sign of a scan delay set in a tool rather than of a person at work.",
        ),
        Some(false) => text.push_str(" The gaps varied, as a random delay or a person makes them."),
        None => {}
    }
    let o = &finding.outcomes;
    text.push_str(&format!(
        " Of {} probed port and host pairs, {} answered as open, {} as closed, {} with an ICMP prohibition, {} were blocked by a firewall and {} got no reply in the evidence.",
        o.total(),
        o.open,
        o.closed,
        o.filtered,
        o.blocked,
        o.unanswered
    ));
    if !finding.open_ports.is_empty() {
        let shown: Vec<String> =
            finding.open_ports.iter().take(10).map(|p| format_endpoint(p.target, p.port)).collect();
        let more = finding.open_ports.len().saturating_sub(shown.len());
        text.push_str(&format!(" Open: {}", shown.join(", ")));
        if more > 0 {
            text.push_str(&format!(" and {more} more"));
        }
        text.push('.');
    }
    let version_probes = finding.extra_activity.iter().any(|a| a.kind == ExtraActivityKind::ServiceProbing);
    text.push_str(match finding.technique {
        Technique::TcpSyn if version_probes => {
            " The source answered the targets' SYN/ACKs with RST, the pattern of a half-open SYN scan; its later handshakes carried the version probes."
        }
        Technique::TcpSyn => " The source never completed a handshake, the pattern of a half-open SYN scan.",
        Technique::TcpConnect => {
            " The source completed handshakes without sending data, the pattern of a connect scan."
        }
        Technique::TcpWindow => {
            " The targets' RST replies differ in window size, which tells open from closed ports as a window scan reads them; the probes themselves are the same as an ACK scan's."
        }
        _ => "",
    });
    if finding.internal_source {
        text.push_str(" The source is inside the organisation's networks.");
    }
    if let Some(reason) = &finding.suppressed {
        text.push_str(&format!(" The finding is suppressed: {reason}."));
    }
    if !follow_up.is_empty() {
        let shown: Vec<String> = follow_up.iter().take(5).map(|p| format_endpoint(p.target, p.port)).collect();
        text.push_str(&format!(
            " Afterwards the source exchanged data with {}, a possible next step after the scan.",
            shown.join(", ")
        ));
    }
    text
}

/// Describes one extra activity of a finding's source.
fn describe_extra_activity(activity: &ExtraActivity) -> String {
    let targets = match activity.targets.as_slice() {
        [one] => one.to_string(),
        many => format!("{} hosts", many.len()),
    };
    let what = match activity.kind {
        ExtraActivityKind::OsDetection => "operating-system detection probes, as nmap -O sends them",
        ExtraActivityKind::ServiceProbing => "service version probes, as nmap -sV sends them",
    };
    format!(" The source also sent {what}, to {targets}: {}.", activity.matched.join(", "))
}

/// Describes the clock offset between two files that recorded the same probes.
fn describe_offset(offset: &ClockOffsetEstimate) -> String {
    let seconds = offset.offset_ms / 1_000.0;
    let direction = if seconds >= 0.0 { "later" } else { "earlier" };
    let mut text = format!(
        " The same probes are in {} and {}: {}'s times are {:.3} s {direction} than {}'s (median over {}).",
        offset.reference,
        offset.other,
        offset.other,
        seconds.abs(),
        offset.reference,
        plural(offset.shared_contacts, "shared port and host pair", "shared port and host pairs")
    );
    if offset.resolution_ms >= 1.0 {
        text.pop();
        text.push_str(&format!(
            "; {} writes times to {} ms, so the offset is known only to within that.",
            offset.other, offset.resolution_ms
        ));
    }
    text
}

/// Describes the sources of a distributed scan and which of them were decoys.
fn describe_sources(finding: &Finding) -> String {
    let list = |addresses: &[IpAddr]| addresses.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(", ");
    if finding.decoys.is_empty() {
        return format!(
            "{} sent the same probes to the same targets at the same time; none of them can be told apart as the real scanner. ",
            plural(finding.sources.len() as u64, "source", "sources")
        );
    }
    format!(
        "The same probes also came from {} ({}), which never answered a reply or held a session in the evidence, the pattern of decoy addresses forged by the scanner. ",
        plural(finding.decoys.len() as u64, "other address", "other addresses"),
        list(&finding.decoys)
    )
}

fn probe_word(technique: Technique, count: u64) -> String {
    let asks = matches!(technique, Technique::IcmpEcho | Technique::Arp);
    let noun = match (asks, count == 1) {
        (true, true) => "request",
        (true, false) => "requests",
        (false, true) => "probe",
        (false, false) => "probes",
    };
    let adjective = match technique {
        Technique::TcpSyn | Technique::TcpConnect => "TCP SYN",
        Technique::TcpFin => "TCP FIN",
        Technique::TcpNull => "TCP NULL",
        Technique::TcpXmas => "TCP Xmas",
        Technique::TcpAck => "TCP ACK",
        Technique::TcpMaimon => "TCP FIN/ACK",
        Technique::TcpWindow => "TCP ACK",
        Technique::Udp => "UDP",
        Technique::IcmpEcho => "ICMP echo or timestamp",
        Technique::Arp => "ARP",
        Technique::IpProtocol => "IP protocol",
        Technique::SctpInit => "SCTP INIT",
    };
    format!("{adjective} {noun}")
}

fn format_endpoint(address: IpAddr, port: u16) -> String {
    match address {
        IpAddr::V6(v6) => format!("[{v6}]:{port}"),
        IpAddr::V4(v4) => format!("{v4}:{port}"),
    }
}

fn describe_duration(seconds: f64) -> String {
    if seconds < 120.0 {
        format!("{seconds:.1} s")
    } else if seconds < 7200.0 {
        format!("{:.1} min", seconds / 60.0)
    } else {
        format!("{:.1} h", seconds / 3600.0)
    }
}
