//! Tool fingerprints: which scanner built a scan's probes, from several header fields at
//! once.
//!
//! Raw-packet scanners fill the IP and TCP headers of their probes from their own templates,
//! and each template differs. A tool is named only when every field of its profile matches,
//! and the finding lists the fields that did, because tools change between versions. Probes
//! that the operating system built (connect scans, ICMP and ARP requests) are not
//! fingerprinted.
//!
//! The profiles were checked against real captures: nmap 7.93 and hping3 3.0.0-alpha-2 in
//! the scan corpus, masscan 1.0.4 in a public capture. zmap's fixed IP identification of
//! 54321 and its 65535-byte window come from its probe template; no zmap capture was at
//! hand to check them. unicornscan's profile comes from its source code (see
//! [`UNICORNSCAN`]); no unicornscan capture was at hand either.

use std::collections::{BTreeMap, BTreeSet};

use super::merge::MergedContact;
use super::syn_builder::MIN_FRESH_SOURCE_PORT_SHARE;
use crate::model::{Fingerprint, IpProtocol, ProbeShape};

/// Fewest probes with header fields for a fingerprint: a few probes cannot show whether the
/// TTL varies or the source port stays fixed.
pub const MIN_FINGERPRINT_PROBES: usize = 8;

/// Share of probes that must carry the most common value of a field for it to count as fixed.
pub const FIXED_SHARE: f64 = 0.9;

/// Distinct TTLs among the probes from which the TTL counts as random: nmap 7.93 picks a new
/// TTL for every probe (37 to 59 in the corpus), other tools keep one.
pub const MIN_RANDOM_TTLS: usize = 4;

/// IPv4 identification that zmap writes in every probe.
const ZMAP_IP_ID: u32 = 54321;

/// Header fields summarised over a scan's probes; `None` where the evidence does not carry
/// the field (a firewall log without TCP options, for example).
#[derive(Debug, Clone, PartialEq)]
struct Summary {
    tcp: bool,
    window: Option<Option<u16>>,
    nmap_windows: Option<bool>,
    options: Option<Option<Vec<u8>>>,
    random_ttl: Option<bool>,
    ttl: Option<Option<u8>>,
    fresh_source_ports: Option<bool>,
    fixed_source_port: Option<bool>,
    few_source_ports: Option<bool>,
    zmap_ip_id: Option<bool>,
}

/// One field a tool profile expects: its description and the test, which returns `None`
/// when the evidence does not carry the field.
type Check = (&'static str, fn(&Summary) -> Option<bool>);

/// Fewest fields of a profile that must match, besides none failing, to name the tool. Two,
/// because a firewall log carries no TCP options for probes without them.
pub const MIN_MATCHED_FIELDS: usize = 2;

/// Most distinct source ports of a scan that "a few source ports" allows: nmap 7.93 sends a
/// scan from one base port and its retries from the next ports.
pub const MAX_FEW_SOURCE_PORTS: usize = 4;

/// TCP windows that nmap 7.93 writes in its raw probes.
const NMAP_WINDOWS: [u16; 4] = [1024, 2048, 3072, 4096];

const NMAP: &[Check] = &[
    ("TCP window 1024, 2048, 3072 or 4096", |s| tcp_field(s, s.nmap_windows)),
    ("TCP options MSS only or none", |s| {
        tcp_field(s, s.options.as_ref().map(|o| matches!(o.as_deref(), Some([] | [2]))))
    }),
    ("a new random TTL for each probe", |s| s.random_ttl),
    ("a few source ports for the whole scan", |s| s.few_source_ports),
];

const MASSCAN: &[Check] = &[
    ("TCP window 1024", |s| tcp_field(s, s.window.map(|w| w == Some(1024)))),
    ("no TCP options", |s| tcp_field(s, s.options.as_ref().map(|o| matches!(o.as_deref(), Some([]))))),
    ("one TTL for every probe", |s| s.random_ttl.map(|random| !random)),
    ("one source port for the whole scan", |s| s.fixed_source_port),
];

const HPING3: &[Check] =
    &[
        ("TCP window 512", |s| if s.tcp { s.window.map(|w| w == Some(512)) } else { Some(false) }),
        ("no TCP options", |s| {
            if s.tcp {
                s.options.as_ref().map(|o| matches!(o.as_deref(), Some([])))
            } else {
                Some(false)
            }
        }),
        ("one TTL for every probe", |s| s.random_ttl.map(|random| !random)),
    ];

const ZMAP: &[Check] = &[
    ("IP identification 54321 in every probe", |s| s.zmap_ip_id),
    ("TCP window 65535", |s| tcp_field(s, s.window.map(|w| w == Some(65535)))),
];

/// TCP option kinds of unicornscan's default SYN: MSS, NOP, NOP, SACK permitted, NOP, window
/// scale, NOP, NOP, timestamps.
const UNICORNSCAN_OPTIONS: [u8; 9] = [2, 1, 1, 4, 1, 3, 1, 1, 8];

/// unicornscan 0.4.7's default TCP probe, read from its source (repository
/// dneufeld/unicornscan): `etc/unicorn.conf.in` sets `fingerprint: 1` and `sourceport: -1`.
/// For fingerprint 1 (an OpenBSD 3.x SYN copied from p0f), `src/scan_progs/init_packet.c`
/// sets TTL 64, window 16384 and the options of [`UNICORNSCAN_OPTIONS`]. With source port -1,
/// `src/scan_progs/send_packet.c` draws a new random source port (4096 and up) and a new random
/// IP identification for every probe.
///
/// NOTE: a real OpenBSD host's SYNs match this template too, but its connect scans carry
/// the stack's options and are not fingerprinted, unless replies show half-open connections.
const UNICORNSCAN: &[Check] = &[
    ("TCP window 16384", |s| tcp_field(s, s.window.map(|w| w == Some(16384)))),
    ("TCP options MSS, NOP, NOP, SACK permitted, NOP, window scale, NOP, NOP, timestamps", |s| {
        tcp_field(s, s.options.as_ref().map(|o| o.as_deref() == Some(&UNICORNSCAN_OPTIONS[..])))
    }),
    ("TTL 64 in every probe", |s| s.ttl.map(|ttl| ttl == Some(64))),
    ("a new source port for most probes", |s| s.fresh_source_ports),
];

const PROFILES: &[(&str, &[Check])] =
    &[("nmap", NMAP), ("masscan", MASSCAN), ("hping3", HPING3), ("zmap", ZMAP), ("unicornscan", UNICORNSCAN)];

/// Returns a TCP field's test result, or `None` for UDP probes, where the field does not
/// apply.
fn tcp_field(summary: &Summary, result: Option<bool>) -> Option<bool> {
    if summary.tcp {
        result
    } else {
        None
    }
}

/// Returns the matched field descriptions when no field of the profile fails and enough
/// match.
fn matches_profile(checks: &[Check], summary: &Summary) -> Option<Vec<String>> {
    let mut matched = Vec::new();
    for (name, check) in checks {
        match check(summary) {
            Some(true) => matched.push(name.to_string()),
            Some(false) => return None,
            None => {}
        }
    }
    (matched.len() >= MIN_MATCHED_FIELDS.min(checks.len())).then_some(matched)
}

/// Fingerprints the probes of a scan's contacts; `None` when too few probes have header
/// fields or the probes are not built by a scanner.
pub fn fingerprint(contacts: &[&MergedContact], os_built: bool) -> Option<Fingerprint> {
    if os_built {
        return None;
    }
    let shapes: Vec<(IpProtocol, ProbeShape)> = contacts
        .iter()
        .filter(|c| matches!(c.contact.protocol, IpProtocol::TCP | IpProtocol::UDP))
        .filter_map(|c| c.first_probe.map(|shape| (c.contact.protocol, shape)))
        .collect();
    if shapes.len() < MIN_FINGERPRINT_PROBES {
        return None;
    }
    let summary = summarise(&shapes);
    let matching: Vec<(&str, Vec<String>)> = PROFILES
        .iter()
        .filter_map(|(tool, checks)| matches_profile(checks, &summary).map(|matched| (*tool, matched)))
        .collect();
    match matching.as_slice() {
        [(tool, matched)] => Some(Fingerprint { tool: tool.to_string(), matched: matched.clone() }),
        _ => Some(Fingerprint { tool: "unknown".to_string(), matched: Vec::new() }),
    }
}

fn summarise(shapes: &[(IpProtocol, ProbeShape)]) -> Summary {
    let tcp = shapes.iter().all(|(protocol, _)| *protocol == IpProtocol::TCP);
    let ttls: Vec<u8> = shapes.iter().filter_map(|(_, shape)| shape.ttl).collect();
    let distinct_ttls: BTreeSet<u8> = ttls.iter().copied().collect();
    let has_options = shapes.iter().any(|(_, shape)| shape.tcp_options.is_some());
    let options = dominant(shapes.iter().map(|(_, shape)| shape.tcp_options.map(|o| o.as_slice().to_vec())));
    let has_window = shapes.iter().any(|(_, shape)| shape.tcp_window.is_some());
    let has_ports = shapes.iter().any(|(_, shape)| shape.src_port.is_some());
    let has_ip_id = shapes.iter().any(|(_, shape)| shape.ip_id.is_some());
    Summary {
        tcp,
        window: has_window.then(|| dominant(shapes.iter().map(|(_, shape)| shape.tcp_window)).flatten()),
        nmap_windows: has_window.then(|| {
            let in_set = shapes.iter().filter(|(_, shape)| shape.tcp_window.is_some_and(|w| NMAP_WINDOWS.contains(&w)));
            in_set.count() as f64 >= FIXED_SHARE * shapes.len() as f64
        }),
        options: has_options.then(|| options.flatten()),
        random_ttl: (!ttls.is_empty()).then_some(distinct_ttls.len() >= MIN_RANDOM_TTLS),
        ttl: (!ttls.is_empty()).then(|| dominant(ttls.iter().copied())),
        fresh_source_ports: has_ports.then(|| {
            let ports: Vec<u16> = shapes.iter().filter_map(|(_, shape)| shape.src_port).collect();
            let distinct: BTreeSet<u16> = ports.iter().copied().collect();
            distinct.len() as f64 >= MIN_FRESH_SOURCE_PORT_SHARE * ports.len() as f64
        }),
        fixed_source_port: has_ports.then(|| is_fixed(shapes.iter().map(|(_, shape)| shape.src_port))),
        few_source_ports: has_ports.then(|| {
            let ports: BTreeSet<u16> = shapes.iter().filter_map(|(_, shape)| shape.src_port).collect();
            ports.len() <= MAX_FEW_SOURCE_PORTS
        }),
        zmap_ip_id: has_ip_id.then(|| is_fixed_at(shapes.iter().map(|(_, shape)| shape.ip_id), Some(ZMAP_IP_ID))),
    }
}

/// Returns the most common value when at least [`FIXED_SHARE`] of the values are it.
fn dominant<T: Ord + Clone>(values: impl Iterator<Item = T>) -> Option<T> {
    let mut counts: BTreeMap<T, usize> = BTreeMap::new();
    let mut total = 0;
    for value in values {
        *counts.entry(value).or_insert(0) += 1;
        total += 1;
    }
    let (value, count) = counts.into_iter().max_by_key(|(_, count)| *count)?;
    (count as f64 >= FIXED_SHARE * total as f64).then_some(value)
}

fn is_fixed<T: Ord + Clone>(values: impl Iterator<Item = Option<T>>) -> bool {
    matches!(dominant(values), Some(Some(_)))
}

fn is_fixed_at<T: Ord + Clone>(values: impl Iterator<Item = Option<T>>, expected: Option<T>) -> bool {
    dominant(values).is_some_and(|value| value == expected)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::merge::tests::merged_contact;
    use crate::model::TcpOptionKinds;

    fn contacts_with(shape: impl Fn(u16) -> ProbeShape) -> Vec<MergedContact> {
        (1..=20)
            .map(|port| {
                let mut contact = merged_contact("10.0.0.1", "10.0.0.9", port, i64::from(port));
                contact.first_probe = Some(shape(port));
                contact
            })
            .collect()
    }

    fn tool_of(contacts: &[MergedContact]) -> Option<String> {
        let refs: Vec<&MergedContact> = contacts.iter().collect();
        fingerprint(&refs, false).map(|f| f.tool)
    }

    #[test]
    fn zmap_fixed_ip_id() {
        let contacts = contacts_with(|port| ProbeShape {
            ttl: Some(255),
            ip_id: Some(54321),
            src_port: Some(40000 + port),
            tcp_window: Some(65535),
            tcp_options: Some(TcpOptionKinds::from_kinds([])),
        });
        assert_eq!(tool_of(&contacts).as_deref(), Some("zmap"));
    }

    #[test]
    fn unicornscan_default_template() {
        // unicornscan's defaults: TTL 64, window 16384, OpenBSD-style options, and a random
        // source port and IP identification for each probe.
        let contacts = contacts_with(|port| ProbeShape {
            ttl: Some(64),
            ip_id: Some(u32::from(port).wrapping_mul(40503) % 65536),
            src_port: Some(4096 + port.wrapping_mul(2957) % 60000),
            tcp_window: Some(16384),
            tcp_options: Some(TcpOptionKinds::from_kinds(UNICORNSCAN_OPTIONS)),
        });
        let refs: Vec<&MergedContact> = contacts.iter().collect();
        let found = fingerprint(&refs, false).expect("fingerprint");
        assert_eq!(found.tool, "unicornscan");
        assert_eq!(found.matched.len(), 4, "{:?}", found.matched);
    }

    #[test]
    fn unicornscan_needs_its_options() {
        // The same fields with Linux's option order are not unicornscan's template.
        let contacts = contacts_with(|port| ProbeShape {
            ttl: Some(64),
            ip_id: None,
            src_port: Some(4096 + port * 31),
            tcp_window: Some(16384),
            tcp_options: Some(TcpOptionKinds::from_kinds([2, 4, 8, 1, 3])),
        });
        assert_eq!(tool_of(&contacts).as_deref(), Some("unknown"));
    }

    #[test]
    fn disagreeing_fields_are_unknown() {
        // nmap's window and random TTL, but a new source port for every probe.
        let contacts = contacts_with(|port| ProbeShape {
            ttl: Some(37 + (port % 20) as u8),
            ip_id: Some(u32::from(port) * 7),
            src_port: Some(30000 + port),
            tcp_window: Some(1024),
            tcp_options: Some(TcpOptionKinds::from_kinds([2])),
        });
        assert_eq!(tool_of(&contacts).as_deref(), Some("unknown"));
    }

    #[test]
    fn too_few_probes_no_fingerprint() {
        let contacts: Vec<MergedContact> = contacts_with(|_| ProbeShape::default()).into_iter().take(5).collect();
        assert_eq!(tool_of(&contacts), None);
    }

    #[test]
    fn os_built_probes_not_fingerprinted() {
        let contacts = contacts_with(|_| ProbeShape { tcp_window: Some(1024), ..ProbeShape::default() });
        let refs: Vec<&MergedContact> = contacts.iter().collect();
        assert_eq!(fingerprint(&refs, true), None);
    }
}
