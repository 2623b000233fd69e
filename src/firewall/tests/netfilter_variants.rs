//! Tests of netfilter LOG lines in other framings (RFC 5424, journalctl text and JSON, Proxmox
//! VE) and of the prefixes of firewalld, Shorewall, SuSEfirewall2 and UniFi.

use chrono_tz::Tz;

use super::support::{explicit, fixture, ip, read_as, skipped};
use crate::firewall::{LogDialect, SKIP_NOT_NETFILTER};
use crate::model::{FirewallAction, IpProtocol, Observation, TcpFlags};

const NANOS_PER_SECOND: i64 = 1_000_000_000;

/// Reads the rsyslog RFC 3339 file the journalctl and RFC 5424 variants were derived from.
fn rfc3339_reference() -> Vec<Observation> {
    let (observations, _) =
        read_as(&fixture("scan_nmap_sS_8ports_vic1.rfc3339.log"), LogDialect::Netfilter, &explicit(Tz::UTC, 2026));
    assert_eq!(observations.len(), 9);
    observations
}

/// Asserts that two reads of the same packets agree on everything but time and source text.
fn assert_same_packets(observations: &[Observation], reference: &[Observation]) {
    assert_eq!(observations.len(), reference.len());
    for (observation, expected) in observations.iter().zip(reference) {
        assert_eq!(observation.src, expected.src);
        assert_eq!(observation.dst, expected.dst);
        assert_eq!(observation.protocol, expected.protocol);
        assert_eq!(observation.src_port, expected.src_port);
        assert_eq!(observation.dst_port, expected.dst_port);
        assert_eq!(observation.tcp_flags, expected.tcp_flags);
        assert_eq!(observation.ttl, expected.ttl);
        assert_eq!(observation.ip_id, expected.ip_id);
        assert_eq!(observation.action, expected.action);
        assert_eq!(observation.rule, expected.rule);
    }
}

#[test]
fn rfc5424_header_reads_like_rfc3339() {
    let reference = rfc3339_reference();
    let bytes = fixture("netfilter/scan_nmap_sS_8ports_vic1.rfc5424.log");
    let (observations, summary) = read_as(&bytes, LogDialect::Netfilter, &explicit(Tz::UTC, 2000));
    assert_eq!(summary.anomalies_total, 0, "{:?}", summary.anomalies);
    assert_same_packets(&observations, &reference);
    for (observation, expected) in observations.iter().zip(&reference) {
        assert_eq!(observation.ts_ns, expected.ts_ns);
    }
}

#[test]
fn journalctl_short_precise_keeps_microseconds() {
    let reference = rfc3339_reference();
    let bytes = fixture("netfilter/scan_nmap_sS_8ports_vic1.journal-short-precise.log");
    let (observations, summary) = read_as(&bytes, LogDialect::Netfilter, &explicit(Tz::UTC, 2026));
    assert_eq!(summary.anomalies_total, 0, "{:?}", summary.anomalies);
    assert_same_packets(&observations, &reference);
    for (observation, expected) in observations.iter().zip(&reference) {
        assert_eq!(observation.ts_ns, expected.ts_ns);
    }
}

#[test]
fn journalctl_short_iso_has_whole_seconds() {
    let reference = rfc3339_reference();
    let bytes = fixture("netfilter/scan_nmap_sS_8ports_vic1.journal-short-iso.log");
    let (observations, summary) = read_as(&bytes, LogDialect::Netfilter, &explicit(Tz::UTC, 2000));
    assert_eq!(summary.anomalies_total, 0, "{:?}", summary.anomalies);
    assert_same_packets(&observations, &reference);
    for (observation, expected) in observations.iter().zip(&reference) {
        assert_eq!(observation.ts_ns, expected.ts_ns - expected.ts_ns.rem_euclid(NANOS_PER_SECOND));
    }
}

#[test]
fn journalctl_json_uses_realtime_timestamp() {
    let reference = rfc3339_reference();
    let bytes = fixture("netfilter/scan_nmap_sS_8ports_vic1.journal-json.log");
    let (observations, summary) = read_as(&bytes, LogDialect::NetfilterJournalJson, &explicit(Tz::UTC, 2000));
    assert_eq!(summary.format, "netfilter-journal-json");
    assert_eq!(summary.anomalies_total, 0, "{:?}", summary.anomalies);
    assert_eq!(summary.time_assumption, None);
    assert_same_packets(&observations, &reference);
    for (observation, expected) in observations.iter().zip(&reference) {
        assert_eq!(observation.ts_ns, expected.ts_ns);
        let text = observation.source_text.as_deref().unwrap_or("");
        assert!(text.starts_with("{\"__REALTIME_TIMESTAMP\""), "{text}");
    }
}

#[test]
fn journal_entry_with_broken_json_is_an_anomaly() {
    let text = b"{\"__REALTIME_TIMESTAMP\":\"1\",\"MESSAGE\":\"IN=eth0 OUT= SRC=\n{\"MESSAGE\":\"systemd started\"}\n";
    let (observations, summary) = read_as(text, LogDialect::NetfilterJournalJson, &explicit(Tz::UTC, 2000));
    assert!(observations.is_empty());
    assert_eq!(skipped(&summary, crate::firewall::SKIP_INVALID_JOURNAL), 1);
    assert_eq!(skipped(&summary, SKIP_NOT_NETFILTER), 1);
    assert_eq!(summary.anomalies[0].locator.record, 1);
}

#[test]
fn proxmox_lines_with_offset_times() {
    let bytes = fixture("netfilter/proxmox-iptables.log");
    let (observations, summary) = read_as(&bytes, LogDialect::ProxmoxFirewall, &explicit(Tz::UTC, 2000));
    assert_eq!(summary.format, "proxmox-firewall");
    assert_eq!(summary.observations, 10, "{summary:?}");
    assert_eq!(summary.anomalies_total, 0);

    let drop = &observations[0];
    assert_eq!(drop.ts_ns, super::support::utc_ns("2022-06-20T11:09:14Z"));
    assert_eq!((drop.src, drop.dst), (ip("10.3.94.11"), ip("10.3.94.12")));
    assert_eq!(drop.protocol, IpProtocol::UDP);
    assert_eq!((drop.src_port, drop.dst_port), (Some(49152), Some(3784)));
    assert_eq!(drop.action, Some(FirewallAction::Drop));
    assert_eq!(drop.rule.as_deref(), Some("PVEFW-HOST-IN policy DROP"));

    let accept = &observations[1];
    assert_eq!(accept.action, Some(FirewallAction::Allow));
    assert_eq!(accept.dst_port, Some(8006));
    assert_eq!(accept.tcp_flags, Some(TcpFlags(TcpFlags::SYN)), "ACK=0 is the acknowledgment number, not the flag");
    assert_eq!(observations[2].action, Some(FirewallAction::Reject));
    assert_eq!(observations[3].rule.as_deref(), Some("tap101i0-IN REJECT"));
    assert_eq!(observations[5].action, Some(FirewallAction::Reject), "PVEFW-reject");
    assert_eq!(observations[7].rule.as_deref(), Some("PVEFW-HOST-OUT REJECT"), "line without IN=");
    assert_eq!(observations[8].rule.as_deref(), Some("GROUP-security1-IN"));
    assert_eq!(observations[8].action, Some(FirewallAction::Log), "no action text");
}

#[test]
fn unifi_rule_letter_decides_action() {
    let bytes = fixture("netfilter/unifi-logs.log");
    let (observations, summary) = read_as(&bytes, LogDialect::Netfilter, &explicit(Tz::UTC, 2023));
    assert_eq!(observations.len(), 3, "{summary:?}");
    assert_eq!(skipped(&summary, SKIP_NOT_NETFILTER), 1, "the sshd line");
    assert_eq!(observations[0].action, Some(FirewallAction::Drop));
    assert_eq!(
        observations[0].rule.as_deref(),
        Some("[WAN_LOCAL-D-2147483647] DESCR=\"[WAN_LOCAL]Block All Traffic\"")
    );
    assert_eq!(observations[1].action, Some(FirewallAction::Drop), "line with the host written twice");
    // The description reads "Block", but the rule tag's letter A marks the packet as accepted.
    assert_eq!(observations[2].action, Some(FirewallAction::Allow));
    assert_eq!(observations[2].src, ip("192.168.1.2"));
    assert_eq!(observations[2].dst_port, Some(54329));
}

#[test]
fn firewalld_final_reject() {
    let bytes = fixture("netfilter/firewalld_final_reject.log");
    let (observations, summary) = read_as(&bytes, LogDialect::Netfilter, &explicit(Tz::UTC, 2020));
    assert_eq!(observations.len(), 2, "{summary:?}");
    for observation in &observations {
        assert_eq!(observation.action, Some(FirewallAction::Reject));
        assert_eq!(observation.rule.as_deref(), Some("FINAL_REJECT:"));
        assert_eq!(observation.dst_port, Some(80));
        assert_eq!(observation.src, ip("192.168.1.201"));
    }
}

#[test]
fn firewall_manager_prefixes() {
    let cases = [
        ("FINAL_REJECT:", FirewallAction::Reject),
        ("filter_IN_public_REJECT:", FirewallAction::Reject),
        ("filter_IN_public_DROP:", FirewallAction::Drop),
        ("Shorewall:net2fw:DROP:", FirewallAction::Drop),
        ("Shorewall:FORWARD:REJECT:", FirewallAction::Reject),
        ("Shorewall:fw2net:ACCEPT:", FirewallAction::Allow),
        ("SFW2-INext-DROP-DEFLT", FirewallAction::Drop),
        ("SFW2-INext-ACC-TCP", FirewallAction::Allow),
        ("[LAN_IN-2000-A]", FirewallAction::Allow),
        ("[WAN_LOCAL-default-D]", FirewallAction::Drop),
        ("[WAN_IN-3000-R] DESCR=\"allow nothing\"", FirewallAction::Reject),
    ];
    for (prefix, expected) in cases {
        assert_eq!(crate::firewall::netfilter::action_from_prefix(prefix), expected, "prefix {prefix:?}");
    }
}
