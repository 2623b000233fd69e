//! Tests of the `mikrotik` dialect on RouterOS firewall lines from the CrowdSec hub tests.

use chrono_tz::Tz;

use super::support::{explicit, fixture, ip, read_as, skipped, utc_ns};
use crate::firewall::{LogDialect, SKIP_INVALID_MIKROTIK, SKIP_NOT_MIKROTIK};
use crate::model::{FirewallAction, IpProtocol, TcpFlags};

const DIALECT: LogDialect = LogDialect::Mikrotik;

#[test]
fn prefixes_ipv6_and_other_topics() {
    let bytes = fixture("mikrotik/crowdsec_mikrotik-logs.log");
    let (observations, summary) = read_as(&bytes, DIALECT, &explicit(Tz::UTC, 2023));
    assert_eq!(summary.format, "mikrotik");
    assert_eq!(summary.records, 7);
    assert_eq!(observations.len(), 6, "{summary:?}");
    assert_eq!(skipped(&summary, SKIP_NOT_MIKROTIK), 1, "the system,error login line");
    assert_eq!(summary.anomalies_total, 0, "{:?}", summary.anomalies);

    let udp = &observations[0];
    assert_eq!(udp.ts_ns, utc_ns("2023-03-18T19:35:05.734637Z"));
    assert_eq!((udp.src, udp.src_port), (ip("186.26.78.68"), Some(44355)));
    assert_eq!((udp.dst, udp.dst_port), (ip("81.82.202.145"), Some(53)));
    assert_eq!(udp.protocol, IpProtocol::UDP);
    assert_eq!(udp.action, Some(FirewallAction::Drop), "prefix drop-in");
    assert_eq!(udp.rule.as_deref(), Some("drop-in input: in:ether1-WAN out:(unknown 0)"));

    let syn = &observations[1];
    assert_eq!(syn.tcp_flags, Some(TcpFlags(TcpFlags::SYN)));
    assert_eq!(syn.dst_port, Some(23));

    // IPv6 in brackets and no prefix, so the packet was only logged.
    let ipv6 = &observations[2];
    assert_eq!(ipv6.locator.record, 4);
    assert_eq!(ipv6.ts_ns, utc_ns("2026-05-30T22:04:27.696749Z"));
    assert_eq!((ipv6.src, ipv6.src_port), (ip("2001:db8:1234::1"), Some(40384)));
    assert_eq!((ipv6.dst, ipv6.dst_port), (ip("2001:db8:1234::2"), Some(20461)));
    assert_eq!(ipv6.action, Some(FirewallAction::Log));
    assert_eq!(ipv6.rule.as_deref(), Some("input: in:WAN out:(unknown 0)"));

    assert_eq!(observations[3].rule.as_deref(), Some("forward: in:WAN out:LAN"));
    // A line without src-mac.
    assert_eq!((observations[4].src, observations[4].dst_port), (ip("192.0.2.1"), Some(36228)));
}

#[test]
fn port_scan_lines() {
    let bytes = fixture("mikrotik/crowdsec_mikrotik-scan-multi_ports.log");
    let (observations, summary) = read_as(&bytes, DIALECT, &explicit(Tz::UTC, 2023));
    assert_eq!(observations.len(), 19, "{summary:?}");
    for observation in &observations {
        assert_eq!(observation.src, ip("36.97.161.219"));
        assert_eq!(observation.dst, ip("80.82.202.145"));
        assert_eq!(observation.action, Some(FirewallAction::Drop));
        assert_eq!(observation.tcp_flags, Some(TcpFlags(TcpFlags::SYN)));
        // `len 40` less the 20-byte IPv4 header: a SYN without TCP options.
        assert_eq!(observation.tcp_header_len, Some(20));
    }
    let mut ports: Vec<u16> = observations.iter().filter_map(|o| o.dst_port).collect();
    ports.dedup();
    assert_eq!(ports, (23..=39).collect::<Vec<u16>>());
}

#[test]
fn damaged_lines_and_icmp() {
    // Line 2 of the CrowdSec sample with a damaged flag list, then with a damaged address, then
    // rewritten as an ICMP echo request with its details written `(type 8, code 0)`.
    let bytes = fixture("mikrotik/crowdsec_mikrotik-logs.log");
    let text = String::from_utf8(bytes).expect("UTF-8 fixture");
    let line_2 = text.lines().nth(1).expect("line 2");
    let bad_flag = line_2.replace("(SYN)", "(SYN,XYZ)");
    let bad_address = line_2.replace("36.97.161.219:59388", "36.97.161:59388");
    let icmp = line_2.replace(
        "proto TCP (SYN), 36.97.161.219:59388->81.82.202.145:23",
        "proto ICMP (type 8, code 0), 36.97.161.219->81.82.202.145",
    );
    let input = format!("{bad_flag}\n{bad_address}\n{icmp}\n");

    let (observations, summary) = read_as(input.as_bytes(), DIALECT, &explicit(Tz::UTC, 2023));
    assert_eq!(skipped(&summary, SKIP_INVALID_MIKROTIK), 2);
    assert!(summary.anomalies[0].message.contains("\"XYZ\""), "{}", summary.anomalies[0].message);
    assert!(summary.anomalies[1].message.contains("36.97.161:59388"), "{}", summary.anomalies[1].message);
    assert_eq!(observations.len(), 1);
    assert_eq!(observations[0].protocol, IpProtocol::ICMP);
    let icmp = observations[0].icmp.expect("ICMP type and code");
    assert_eq!((icmp.icmp_type, icmp.code), (8, 0));
    assert_eq!((observations[0].src_port, observations[0].dst_port), (None, None));
}
