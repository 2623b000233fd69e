//! The builder of a group's SYN probes: an operating system's TCP stack for `connect()`
//! (a connect scan) or a raw-packet tool (a SYN scan), when no reply shows how the handshakes
//! ended.
//!
//! Where the evidence carries the TCP options, their kinds decide ([`has_os_stack_options`]).
//! Where a log gives no options, three features of the probes decide together:
//!
//! - the TCP header length the importer derived from the IP length, kept as a per-probe
//!   `tcp_connect` hint when it is as long as an operating system's SYN;
//! - the source ports: the kernel takes a new ephemeral port for every `connect()`, while raw
//!   scanners send a whole scan from one or a few ports;
//! - the TCP window: raw scanners write small fixed windows that no current stack offers.
//!
//! The header length must show an operating system's SYN on most contacts, and neither the
//! source ports nor the windows may show a raw-packet tool. A log that gives neither options
//! nor a usable length reads as a SYN scan, as before: a new source port per probe alone does
//! not tell, because hping3 and topera change the source port with every probe too.

use std::collections::BTreeSet;

use super::merge::MergedContact;
use crate::model::{TcpOptionKinds, Technique};

/// Smallest share of distinct source ports among a group's first probes for the ports to
/// count as fresh for each connection.
///
/// Default 0.5. In psad's log of an nmap connect scan over IPv6, 979 of 1002 SYNs (0.98) had
/// their own source port; nmap 7.93's raw SYN scans send all probes from one or two ports.
pub const MIN_FRESH_SOURCE_PORT_SHARE: f64 = 0.5;

/// TCP windows that raw-packet scanners write in their SYN probes: hping3 3.0.0-alpha-2 sends
/// 512, nmap 7.93 sends 1024, 2048, 3072 or 4096 (both in the labelled scan corpus), and
/// masscan 1.0.4 sends 1024 (a public capture). Operating systems offer larger windows
/// (Linux 5760 to 64240, Windows 8192 and 64240, macOS 65535).
pub const RAW_SCANNER_WINDOWS: [u16; 5] = [512, 1024, 2048, 3072, 4096];

/// Returns true when the shape of a group's SYNs shows that an operating system's stack
/// built them, so the group is a connect scan; see the module docs.
pub fn is_os_built(contacts: &[&MergedContact]) -> bool {
    let with_options: Vec<TcpOptionKinds> =
        contacts.iter().filter_map(|c| c.first_probe.and_then(|probe| probe.tcp_options)).collect();
    if !with_options.is_empty() {
        let os_stack = with_options.iter().filter(|options| has_os_stack_options(options)).count();
        return 2 * os_stack > with_options.len();
    }
    let hinted = contacts.iter().filter(|c| c.contact.techniques.contains_key(&Technique::TcpConnect)).count();
    2 * hinted > contacts.len() && !reuses_source_ports(contacts) && !has_raw_scanner_window(contacts)
}

/// Returns true when fewer than [`MIN_FRESH_SOURCE_PORT_SHARE`] of the first probes that carry a
/// source port have a port of their own. A group with fewer than two such probes shows no reuse.
pub fn reuses_source_ports(contacts: &[&MergedContact]) -> bool {
    let ports: Vec<u16> = contacts.iter().filter_map(|c| c.first_probe.and_then(|probe| probe.src_port)).collect();
    if ports.len() < 2 {
        return false;
    }
    let distinct: BTreeSet<u16> = ports.iter().copied().collect();
    (distinct.len() as f64) < MIN_FRESH_SOURCE_PORT_SHARE * ports.len() as f64
}

/// Returns true when most first probes that carry a TCP window carry one of
/// [`RAW_SCANNER_WINDOWS`].
pub fn has_raw_scanner_window(contacts: &[&MergedContact]) -> bool {
    let windows: Vec<u16> = contacts.iter().filter_map(|c| c.first_probe.and_then(|probe| probe.tcp_window)).collect();
    let raw = windows.iter().filter(|window| RAW_SCANNER_WINDOWS.contains(window)).count();
    2 * raw > windows.len()
}

/// Returns true for the options of a SYN that an operating system's TCP stack built for
/// `connect()`: both SACK permitted (kind 4) and window scale (kind 3).
///
/// Linux sends MSS, SACK permitted, timestamps, NOP and window scale; Windows and macOS also
/// send both kinds. Raw-packet scanners build shorter SYNs: nmap 7.93's SYN scan sends MSS
/// only, and masscan and hping3 send MSS only or no options.
///
/// NOTE: a raw-packet scanner that copies an operating system's options is read as a
/// connect scan when the evidence contains no reply to tell them apart.
pub fn has_os_stack_options(options: &TcpOptionKinds) -> bool {
    let kinds = options.as_slice();
    kinds.contains(&4) && kinds.contains(&3)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::analysis::merge::tests::merged_contact;
    use crate::model::ProbeShape;

    /// Builds 20 logged SYNs without options, marked as connect probes when `os_length` is
    /// true, with the source port and window that `shape` gives for each destination port.
    fn logged_syns(os_length: bool, shape: impl Fn(u16) -> (u16, u16)) -> Vec<MergedContact> {
        (1..=20)
            .map(|port| {
                let mut contact = merged_contact("2001:db8::2", "2001:db8::1", port, i64::from(port));
                if os_length {
                    contact.contact.techniques = BTreeMap::from([(Technique::TcpConnect, 1)]);
                }
                let (src_port, window) = shape(port);
                contact.first_probe =
                    Some(ProbeShape { src_port: Some(src_port), tcp_window: Some(window), ..ProbeShape::default() });
                contact
            })
            .collect()
    }

    fn os_built(contacts: &[MergedContact]) -> bool {
        let refs: Vec<&MergedContact> = contacts.iter().collect();
        is_os_built(&refs)
    }

    #[test]
    fn kernel_length_fresh_ports_connect() {
        // As in psad's IPv6 connect-scan log: window 5760 and a new port for each SYN.
        assert!(os_built(&logged_syns(true, |port| (40000 + port * 7, 5760))));
    }

    #[test]
    fn reused_source_port_stays_syn() {
        assert!(!os_built(&logged_syns(true, |_| (56247, 5760))));
    }

    #[test]
    fn raw_scanner_window_stays_syn() {
        assert!(!os_built(&logged_syns(true, |port| (40000 + port, 1024))));
    }

    #[test]
    fn unknown_length_stays_syn() {
        // topera's IPv6 SYNs: a new port for each probe and window 8192, but extension headers
        // hide the TCP header length.
        assert!(!os_built(&logged_syns(false, |port| (58000 + port, 8192))));
    }

    #[test]
    fn logged_options_decide_over_length() {
        let mut contacts = logged_syns(true, |port| (40000 + port, 5760));
        for contact in &mut contacts {
            if let Some(shape) = contact.first_probe.as_mut() {
                shape.tcp_options = Some(TcpOptionKinds::from_kinds([2]));
            }
        }
        assert!(!os_built(&contacts));
    }

    #[test]
    fn source_port_reuse_share() {
        let fresh = logged_syns(true, |port| (40000 + port, 5760));
        let refs: Vec<&MergedContact> = fresh.iter().collect();
        assert!(!reuses_source_ports(&refs));

        // nmap's raw scan: a base port and one more for retries.
        let reused = logged_syns(true, |port| (56247 + port % 2, 5760));
        let refs: Vec<&MergedContact> = reused.iter().collect();
        assert!(reuses_source_ports(&refs));
    }
}
