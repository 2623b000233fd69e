//! Tests of the `cisco-asa` dialect on ASA and PIX messages from public parser test suites.

use chrono_tz::Tz;

use super::support::{explicit, fixture, ip, read_as, skipped, utc_ns};
use crate::firewall::{LogDialect, SKIP_ASA_NAMED_ENDPOINT, SKIP_ASA_TEARDOWN, SKIP_ASA_THREAT_RATE, SKIP_INVALID_ASA};
use crate::model::{FirewallAction, IpProtocol, TcpFlags};

const DIALECT: LogDialect = LogDialect::CiscoAsa;

#[test]
fn hostname_decoration_and_object_name() {
    let bytes = fixture("cisco-asa/BR-11.log");
    let (observations, summary) = read_as(&bytes, DIALECT, &explicit(Tz::UTC, 2024));
    assert_eq!(summary.format, "cisco-asa");
    assert_eq!(summary.records, 4);
    assert_eq!(observations.len(), 3, "{summary:?}");
    assert_eq!(skipped(&summary, SKIP_ASA_NAMED_ENDPOINT), 1);
    assert_eq!(summary.anomalies_total, 1);
    assert_eq!(summary.anomalies[0].locator.record, 3);
    assert!(summary.anomalies[0].message.contains("WEB-FARM-01-192.0.2.149"), "{}", summary.anomalies[0].message);

    let first = &observations[0];
    assert_eq!(first.ts_ns, utc_ns("2024-12-06T10:15:01Z"));
    assert_eq!((first.src, first.dst), (ip("203.0.113.50"), ip("192.0.2.15")));
    assert_eq!((first.src_port, first.dst_port), (Some(56444), Some(51635)));
    assert_eq!(first.protocol, IpProtocol::TCP);
    assert_eq!(first.action, Some(FirewallAction::Deny));
    let rule = first.rule.as_deref().unwrap_or("");
    assert!(rule.contains("access-group global_access_1"), "{rule}");
    assert!(rule.contains("outside -> dmz"), "{rule}");
    assert!(rule.contains("dst name srv01.example.com"), "{rule}");
    assert_eq!(observations[1].dst_port, Some(22));

    // The object name's address-like tail is never read as an address.
    assert!(observations.iter().all(|o| o.locator.record != 3));
    let last = &observations[2];
    assert_eq!(last.locator.record, 4);
    assert_eq!(last.ts_ns, utc_ns("2019-10-04T15:27:56Z"));
    assert_eq!((last.src, last.dst), (ip("192.0.2.149"), ip("198.51.100.242")));
    assert_eq!((last.src_port, last.dst_port), (Some(27219), Some(53)));
    assert_eq!(last.action, Some(FirewallAction::Deny));
    let rule = last.rule.as_deref().unwrap_or("");
    assert!(rule.contains("access-list AL-DMZ-LB-IN denied"), "{rule}");
    assert!(rule.contains("LB-DMZ -> OUTSIDE"), "{rule}");
}

#[test]
fn traffic_message_ids_of_asa_and_pix() {
    let bytes = fixture("cisco-asa/wazuh_asa_pix_traffic.headed.log");
    let (observations, summary) = read_as(&bytes, DIALECT, &explicit(Tz::UTC, 2018));
    assert_eq!(summary.records, 16);
    assert_eq!(observations.len(), 10, "{summary:?}");
    assert_eq!(skipped(&summary, SKIP_ASA_THREAT_RATE), 1);
    assert_eq!(skipped(&summary, SKIP_ASA_TEARDOWN), 2);
    assert_eq!(skipped(&summary, SKIP_ASA_NAMED_ENDPOINT), 2);
    assert_eq!(skipped(&summary, SKIP_INVALID_ASA), 1);
    assert_eq!(summary.anomalies_total, 3, "{:?}", summary.anomalies);
    let by_line = |line: u64| observations.iter().find(|o| o.locator.record == line).expect("observation for line");

    let inbound_syn = by_line(1);
    assert_eq!(inbound_syn.ts_ns, utc_ns("2018-10-03T17:34:08Z"));
    assert_eq!((inbound_syn.src, inbound_syn.dst), (ip("111.93.241.59"), ip("116.6.127.122")));
    assert_eq!(inbound_syn.dst_port, Some(1433));
    assert_eq!(inbound_syn.tcp_flags, Some(TcpFlags(TcpFlags::SYN)));
    assert_eq!(inbound_syn.action, Some(FirewallAction::Deny));

    let udp = by_line(2);
    assert_eq!(udp.protocol, IpProtocol::UDP);
    assert_eq!((udp.src_port, udp.dst_port), (Some(53306), Some(53413)));

    let icmp = by_line(4);
    assert_eq!(icmp.protocol, IpProtocol::ICMP);
    let icmp_info = icmp.icmp.as_ref().expect("ICMP type and code");
    assert_eq!((icmp_info.icmp_type, icmp_info.code), (3, 2));

    // Built outbound: the source is the inside endpoint after "to".
    let built = by_line(9);
    assert_eq!(built.action, Some(FirewallAction::Allow));
    assert_eq!((built.src, built.src_port), (ip("10.1.1.2"), Some(53496)));
    assert_eq!((built.dst, built.dst_port), (ip("10.1.2.1"), Some(22)));

    // A service name in place of a port leaves the port empty and stays in the rule.
    let service = by_line(11);
    assert_eq!(service.dst, ip("62.192.113.98"));
    assert_eq!(service.dst_port, None);
    assert!(service.rule.as_deref().unwrap_or("").contains("dst service ssh"));

    assert_eq!(by_line(15).tcp_flags, None, "106001 with an empty flag list");
    let built_udp = by_line(16);
    assert_eq!(built_udp.protocol, IpProtocol::UDP);
    assert_eq!((built_udp.src, built_udp.dst_port), (ip("192.168.1.2"), Some(1514)));

    let invalid = summary.anomalies.iter().find(|a| a.locator.record == 10).expect("anomaly on line 10");
    assert!(invalid.message.contains("tcp_flags"), "{}", invalid.message);
    let named: Vec<u64> = summary.anomalies.iter().map(|a| a.locator.record).filter(|line| *line != 10).collect();
    assert_eq!(named, vec![12, 14]);
}

#[test]
fn interface_names_with_colons() {
    let bytes = fixture("cisco-asa/elastic_106023_iface_with_prefix.headed.log");
    let (observations, summary) = read_as(&bytes, DIALECT, &explicit(Tz::UTC, 2020));
    assert_eq!(observations.len(), 9, "{summary:?}");
    for observation in &observations {
        assert_eq!((observation.src, observation.dst), (ip("10.8.1.9"), ip("172.16.1.3")));
        assert_eq!(observation.protocol, IpProtocol::UDP);
    }
    let ports: Vec<(Option<u16>, Option<u16>)> = observations.iter().map(|o| (o.src_port, o.dst_port)).collect();
    assert_eq!(ports[0], (Some(54864), Some(53)));
    assert_eq!(ports[3], (None, Some(53)));
    assert_eq!(ports[8], (Some(54864), None));
    let rule = observations[2].rule.as_deref().unwrap_or("");
    assert!(rule.contains("v1:outside -> v2:inside"), "{rule}");
}

#[test]
fn repeated_message_and_built_outbound() {
    let bytes = fixture("cisco-asa/elastic_repeat_deny.log");
    let (observations, summary) = read_as(&bytes, DIALECT, &explicit(Tz::UTC, 2020));
    assert_eq!(observations.len(), 1, "{summary:?}");
    assert_eq!((observations[0].src, observations[0].dst), (ip("192.168.2.66"), ip("10.1.2.42")));
    assert_eq!(observations[0].dst_port, Some(137));
    assert_eq!(observations[0].ts_ns, utc_ns("2020-01-23T15:10:55Z"));
    assert!(summary.anomalies[0].message.contains("repeated 2 times"), "{:?}", summary.anomalies);

    let bytes = fixture("cisco-asa/logstash_302013_outbound.log");
    let (observations, _) = read_as(&bytes, DIALECT, &explicit(Tz::UTC, 2020));
    assert_eq!(observations.len(), 1);
    assert_eq!((observations[0].src, observations[0].src_port), (ip("100.100.100.111"), Some(51444)));
    assert_eq!((observations[0].dst, observations[0].dst_port), (ip("10.125.126.86"), Some(2010)));
    assert_eq!(observations[0].action, Some(FirewallAction::Allow));
}

#[test]
fn object_name_and_missing_time() {
    let bytes = fixture("cisco-asa/wazuh_asa_object_name.log");
    let (observations, summary) = read_as(&bytes, DIALECT, &explicit(Tz::Europe__Berlin, 2020));
    assert!(observations.is_empty());
    assert_eq!(skipped(&summary, SKIP_ASA_NAMED_ENDPOINT), 1);
    assert!(summary.anomalies[0].message.contains("Server_Windows"), "{:?}", summary.anomalies);

    // The elastic test line as shipped: a facility prefix, no time.
    let text = b"LOCAL4.WARNING: fw-1 %ASA-4-106023: Deny udp src v1:outside:10.8.1.9/54864 dst inside:172.16.1.3/53 by access-group \"outside_acl\" [0x0, 0x0]\n";
    let (observations, summary) = read_as(text, DIALECT, &explicit(Tz::UTC, 2020));
    assert!(observations.is_empty());
    assert_eq!(skipped(&summary, SKIP_INVALID_ASA), 1);
    assert!(summary.anomalies[0].message.contains("syslog time"), "{:?}", summary.anomalies);
}
