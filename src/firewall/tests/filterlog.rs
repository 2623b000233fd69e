//! Tests of the `pfsense-filterlog` dialect on pfSense and OPNsense lines.

use chrono_tz::Tz;

use super::support::{explicit, fixture, ip, read_as, skipped, utc_ns};
use crate::firewall::{LogDialect, SKIP_NOT_FILTERLOG};
use crate::model::{FirewallAction, IpProtocol, TcpFlags, MAX_SOURCE_TEXT_BYTES};

const DIALECT: LogDialect = LogDialect::PfsenseFilterlog;

#[test]
fn replay_ipv6_igmp_fragment_and_tcp_lines() {
    let bytes = fixture("pfsense-filterlog/BR-13.log");
    let (observations, summary) = read_as(&bytes, DIALECT, &explicit(Tz::UTC, 2024));
    assert_eq!(summary.format, "pfsense-filterlog");
    assert_eq!(summary.records, 8);
    assert_eq!(summary.observations, 8, "{summary:?}");
    assert_eq!(summary.anomalies_total, 0, "{:?}", summary.anomalies);
    assert_eq!(observations.len(), 8);

    // (source, destination, protocol, ports, action, rule)
    let expected: [(&str, &str, u8, Option<(u16, u16)>, FirewallAction, &str); 8] = [
        (
            "fe80::200:5eff:fe00:5310",
            "ff02::fb",
            17,
            Some((5353, 5353)),
            FirewallAction::Deny,
            "rule 5 (tracker 1000000003) on igb0 in",
        ),
        (
            "fe80::200:5eff:fe00:5310",
            "ff02::2",
            58,
            None,
            FirewallAction::Deny,
            "rule 5 (tracker 1000000003) on igb0 in",
        ),
        ("fe80::200:5eff:fe00:5311", "ff02::1", 0, None, FirewallAction::Deny, "rule 5 (tracker 1000000003) on em0 in"),
        (
            "fe80::200:5eff:fe00:5311",
            "ff02::d",
            103,
            None,
            FirewallAction::Deny,
            "rule 5 (tracker 1000000003) on em0 in",
        ),
        ("192.0.2.1", "224.0.0.1", 2, None, FirewallAction::Deny, "rule 9 (tracker 1000000103) on em0 in"),
        ("198.51.100.14", "192.0.2.2", 17, None, FirewallAction::Deny, "rule 9 (tracker 1000000103) on em0 in"),
        (
            "fe80::200:5eff:fe00:5312",
            "2001:db8:d08:bb00::f114",
            58,
            None,
            FirewallAction::Allow,
            "rule 22 (tracker 0) on igb1 in",
        ),
        (
            "192.0.2.2",
            "198.51.100.22",
            6,
            Some((12780, 443)),
            FirewallAction::Allow,
            "rule 48 (tracker 1000005911) on em0 out",
        ),
    ];
    for (observation, (src, dst, protocol, ports, action, rule)) in observations.iter().zip(expected) {
        assert_eq!(observation.src, ip(src), "line {}", observation.locator.record);
        assert_eq!(observation.dst, ip(dst), "line {}", observation.locator.record);
        assert_eq!(observation.protocol, IpProtocol::from(protocol), "line {}", observation.locator.record);
        assert_eq!(observation.src_port.zip(observation.dst_port), ports, "line {}", observation.locator.record);
        assert_eq!(observation.action, Some(action), "line {}", observation.locator.record);
        assert_eq!(observation.rule.as_deref(), Some(rule), "line {}", observation.locator.record);
    }

    assert_eq!(observations[0].ts_ns, utc_ns("2024-06-03T14:52:46Z"));
    assert_eq!(observations[0].ttl, Some(255));
    assert_eq!(observations[0].payload_len, Some(86));
    assert_eq!(observations[4].payload_len, Some(12), "IGMP datalength=");
    assert_eq!(observations[5].ip_id, Some(5929));
    assert_eq!(observations[5].payload_len, None, "a later fragment has no UDP header");
    let tcp = &observations[7];
    assert_eq!(tcp.tcp_flags, Some(TcpFlags(TcpFlags::SYN)));
    assert_eq!(tcp.tcp_window, Some(64240));
    assert_eq!(tcp.ttl, Some(64));
    assert_eq!(tcp.tcp_options.map(|kinds| kinds.as_slice().to_vec()), Some(vec![2, 4, 8, 1, 3]));
    // June and November 2024, then April: the year advances once, and September stays in 2025.
    assert_eq!(observations[6].ts_ns, utc_ns("2025-04-24T13:10:29Z"));
    assert_eq!(tcp.ts_ns, utc_ns("2025-09-23T13:24:36Z"));
}

#[test]
fn rfc5424_lines_keep_microseconds() {
    let bytes = fixture("pfsense-filterlog/pfsense-rfc5424-filterlog.log");
    let (observations, summary) = read_as(&bytes, DIALECT, &explicit(Tz::UTC, 2000));
    assert_eq!(summary.observations, 4);
    assert_eq!(summary.anomalies_total, 0, "{:?}", summary.anomalies);
    assert_eq!(summary.time_assumption, None, "RFC 5424 times need no assumption");
    let first = &observations[0];
    assert_eq!(first.ts_ns, utc_ns("2025-11-06T11:32:42.868451Z"));
    assert_eq!((first.src, first.dst), (ip("192.168.5.6"), ip("192.168.1.100")));
    assert_eq!((first.src_port, first.dst_port), (Some(42970), Some(80)));
    assert_eq!(first.ip_id, Some(19008));
    assert_eq!(first.rule.as_deref(), Some("rule 7 (tracker 1000000102) on vtnet0.5 in"));
    let ipv6 = &observations[2];
    assert_eq!(ipv6.src, ip("fdfd:ace:ace:10:d8:cdbf:f6f8:6d69"));
    assert_eq!(ipv6.protocol, IpProtocol::TCP);
    assert_eq!(ipv6.dst_port, Some(443));
    assert_eq!(ipv6.tcp_options.map(|kinds| kinds.as_slice().to_vec()), Some(vec![2, 1, 3, 1, 1, 8, 4, 0]));
    for observation in &observations {
        assert_eq!(observation.action, Some(FirewallAction::Deny));
        let text = observation.source_text.as_deref().expect("source text");
        assert!(text.starts_with("<134>1 2025-11-06T"), "{text}");
        assert!(text.len() <= MAX_SOURCE_TEXT_BYTES);
    }
}

#[test]
fn icmp_and_udp_lines_of_wazuh_samples() {
    let bytes = fixture("pfsense-filterlog/wazuh_pfsense.log");
    let (observations, summary) = read_as(&bytes, DIALECT, &explicit(Tz::UTC, 2020));
    assert_eq!(summary.observations, 2, "{summary:?}");
    let icmp = &observations[0];
    assert_eq!(icmp.protocol, IpProtocol::ICMP);
    assert_eq!(icmp.payload_len, Some(36));
    assert_eq!(icmp.action, Some(FirewallAction::Allow));
    assert_eq!(icmp.rule.as_deref(), Some("rule 65 (tracker 0) on vmx1 out"));
    let udp = &observations[1];
    assert_eq!((udp.src_port, udp.dst_port), (Some(17500), Some(17600)));
    assert_eq!(udp.payload_len, Some(166));
    assert_eq!(udp.ttl, Some(128));
    // Jan 22 then Nov 8: same year, months go forward.
    assert_eq!(udp.ts_ns, utc_ns("2020-11-08T12:37:34Z"));
}

#[test]
fn other_programs_are_skipped() {
    let bytes = fixture("pfsense-filterlog/mixed_with_firewalld_daemon.log");
    let (observations, summary) = read_as(&bytes, DIALECT, &explicit(Tz::UTC, 2020));
    assert_eq!(observations.len(), 2);
    assert_eq!(skipped(&summary, SKIP_NOT_FILTERLOG), 3);
    assert_eq!(summary.anomalies_total, 0);
}

#[test]
fn short_line_is_an_anomaly_with_its_number() {
    let text = b"Nov  8 12:37:34 pfSense filterlog: 5,,,1000102433,em0,match,block,in,4,0x0,,128\n\
                 Nov  8 12:37:35 pfSense filterlog: 5,,,1000102433,em0,match,block,in,7,0x0\n";
    let (observations, summary) = read_as(text, DIALECT, &explicit(Tz::UTC, 2020));
    assert!(observations.is_empty());
    assert_eq!(summary.anomalies_total, 2);
    assert_eq!(summary.anomalies[0].locator.record, 1);
    assert!(summary.anomalies[0].message.contains("fewer than 11"), "{}", summary.anomalies[0].message);
    assert!(summary.anomalies[1].message.contains("IP version \"7\""), "{}", summary.anomalies[1].message);
    assert_eq!(skipped(&summary, crate::firewall::SKIP_INVALID_FILTERLOG), 2);
}
