//! Tests of the `juniper-srx-text` dialect on the non-structured SRX lines of the
//! logstash-patterns-core test suite, whose expected fields the comments quote.

use chrono_tz::Tz;

use super::support::{explicit, fixture, ip, read_as, skipped, utc_ns};
use crate::firewall::{LogDialect, SKIP_INVALID_SRX_TEXT, SKIP_NOT_SRX_TEXT, SKIP_SRX_TEXT_NOT_SESSION};
use crate::model::{FirewallAction, IpProtocol};

const DIALECT: LogDialect = LogDialect::JuniperSrxText;

#[test]
fn session_close_create_deny() {
    let bytes = fixture("juniper-srx-text/logstash_junos_spec.log");
    let (observations, summary) = read_as(&bytes, DIALECT, &explicit(Tz::UTC, 2016));
    assert_eq!(summary.format, "juniper-srx-text");
    assert_eq!(summary.records, 3);
    assert_eq!(observations.len(), 3, "{summary:?}");
    assert_eq!(summary.anomalies_total, 0, "{:?}", summary.anomalies);

    // Expected: close-reason "session closed TCP FIN", src 10.10.10.2/53836, dst
    // 10.10.10.1/22, protocol-id 6, policy log-host-traffic, zones untrust -> junos-host.
    let close = &observations[0];
    assert_eq!(close.ts_ns, utc_ns("2016-12-17T08:05:30Z"));
    assert_eq!((close.src, close.src_port), (ip("10.10.10.2"), Some(53836)));
    assert_eq!((close.dst, close.dst_port), (ip("10.10.10.1"), Some(22)));
    assert_eq!(close.protocol, IpProtocol::TCP);
    assert_eq!(close.action, Some(FirewallAction::Allow));
    assert_eq!(close.rule.as_deref(), Some("policy log-host-traffic untrust -> junos-host reason TCP FIN"));

    let create = &observations[1];
    assert_eq!(create.ts_ns, utc_ns("2016-12-17T08:04:45Z"));
    assert_eq!((create.src_port, create.dst_port), (Some(53836), Some(22)));
    assert_eq!(create.action, Some(FirewallAction::Allow));
    assert_eq!(create.rule.as_deref(), Some("policy log-host-traffic untrust -> junos-host"));

    // Expected: src 10.0.0.1/54924, dst 192.168.1.1/53, protocol 17, zones trust -> trust.
    let deny = &observations[2];
    assert_eq!((deny.src, deny.src_port), (ip("10.0.0.1"), Some(54924)));
    assert_eq!((deny.dst, deny.dst_port), (ip("192.168.1.1"), Some(53)));
    assert_eq!(deny.protocol, IpProtocol::UDP);
    assert_eq!(deny.action, Some(FirewallAction::Deny));
    assert_eq!(deny.rule.as_deref(), Some("policy default-deny(global) trust -> trust"));
}

#[test]
fn newer_release_fields_and_other_messages() {
    // Constructed lines, not from a device: a create message with the connection tags (0x0)
    // and NAT rule types of newer Junos releases and IPv6 endpoints, an ICMP deny, a name in
    // place of an address, another RT_FLOW message and another program's line.
    let lines = concat!(
        "Mar  3 10:00:01 srx01 RT_FLOW: RT_FLOW_SESSION_CREATE: session created 2001:db8::10/50000->2001:db8:1::5/443 0x0 junos-https 2001:db8::10/50000->2001:db8:1::5/443 0x0 N/A N/A N/A N/A 6 allow-web trust untrust 12345 N/A(N/A) ge-0/0/1.0 UNKNOWN UNKNOWN UNKNOWN N/A N/A -1\n",
        "Mar  3 10:00:02 srx01 RT_FLOW: RT_FLOW_SESSION_DENY: session denied 192.0.2.7/0->198.51.100.9/2048 0x0 icmp 1(8) deny-all untrust trust UNKNOWN UNKNOWN N/A(N/A) ge-0/0/0.0 No policy deny\n",
        "Mar  3 10:00:03 srx01 RT_FLOW: RT_FLOW_SESSION_DENY: session denied 192.0.2.7/1->not-an-address/80 junos-http 6(0) deny-all untrust trust\n",
        "Mar  3 10:00:04 srx01 RT_FLOW: RT_FLOW_NAT_SRC_RULE_MATCH: session nat rule match\n",
        "Mar  3 10:00:05 srx01 sshd[100]: Accepted publickey for admin\n",
    );
    let (observations, summary) = read_as(lines.as_bytes(), DIALECT, &explicit(Tz::UTC, 2020));
    assert_eq!(observations.len(), 2, "{summary:?}");
    assert_eq!(skipped(&summary, SKIP_INVALID_SRX_TEXT), 1);
    assert_eq!(summary.anomalies[0].locator.record, 3);
    assert_eq!(skipped(&summary, SKIP_SRX_TEXT_NOT_SESSION), 1);
    assert_eq!(skipped(&summary, SKIP_NOT_SRX_TEXT), 1);

    let create = &observations[0];
    assert_eq!((create.src, create.dst), (ip("2001:db8::10"), ip("2001:db8:1::5")));
    assert_eq!((create.src_port, create.dst_port), (Some(50000), Some(443)));
    assert_eq!(create.protocol, IpProtocol::TCP);
    assert_eq!(create.rule.as_deref(), Some("policy allow-web trust -> untrust"));

    let icmp = &observations[1];
    assert_eq!(icmp.protocol, IpProtocol::ICMP);
    assert_eq!((icmp.src_port, icmp.dst_port), (None, None), "ICMP has no ports");
    assert_eq!(icmp.action, Some(FirewallAction::Deny));
}

#[test]
fn screen_messages_of_device_output() {
    // Message texts of RT_SCREEN_TCP as a device wrote them, behind a syslog header added
    // here (fixtures/README.md gives the origin). Only the SYN flood message has an action.
    let bytes = fixture("juniper-srx-text/configrouter_rt_screen_tcp.log");
    assert_eq!(crate::firewall::detect_dialect(&bytes), Some(DIALECT));
    let (observations, summary) = read_as(&bytes, DIALECT, &explicit(Tz::UTC, 2020));
    assert_eq!(summary.records, 5);
    assert_eq!(observations.len(), 5, "{summary:?}");
    assert_eq!(summary.anomalies_total, 0, "{:?}", summary.anomalies);

    let port_scan = &observations[0];
    assert_eq!(port_scan.ts_ns, utc_ns("2020-03-03T10:00:01Z"));
    assert_eq!((port_scan.src, port_scan.src_port), (ip("50.50.50.2"), Some(31235)));
    assert_eq!((port_scan.dst, port_scan.dst_port), (ip("40.40.40.2"), Some(95)));
    assert_eq!(port_scan.protocol, IpProtocol::TCP);
    assert_eq!(port_scan.action, None, "the message has no action field");
    assert_eq!(port_scan.rule.as_deref(), Some("screen Port scan! from scrzone"));

    // IPv6 endpoints end in :PORT after the address's own colons.
    let winnuke = &observations[1];
    assert_eq!((winnuke.src, winnuke.src_port), (ip("2000::2"), Some(3240)));
    assert_eq!((winnuke.dst, winnuke.dst_port), (ip("2001::2"), Some(139)));

    let syn_flood = &observations[2];
    assert_eq!(syn_flood.action, Some(FirewallAction::Drop));
    assert_eq!(syn_flood.rule.as_deref(), Some("screen SYN flood! from trustZone"));
    assert_eq!((syn_flood.src, syn_flood.dst_port), (ip("1.1.1.2"), Some(50010)));

    let source_based = &observations[4];
    assert_eq!(source_based.rule.as_deref(), Some("screen SYN flood Src-IP based! from outside"));
    assert_eq!(source_based.dst_port, Some(22));
}

#[test]
fn screen_actions_protocols_and_errors() {
    // Constructed lines, not from a device: the alarm actions, an ICMP and an IP screen in the
    // spelling of their structured fields, a screen without a packet, and two broken messages.
    let lines = concat!(
        "Mar  3 10:00:01 srx01 RT_IDS: RT_SCREEN_UDP: UDP flood! source: 192.0.2.1:5353, destination: 198.51.100.2:53, zone name: untrust, interface name: ge-0/0/0.0, action: alarm-without-drop\n",
        "Mar  3 10:00:02 srx01 RT_IDS: RT_SCREEN_ICMP: ICMP flood! source: 2001:db8::1, destination: 2001:db8::2, zone name: untrust, interface name: ge-0/0/0.0, action: alarm\n",
        "Mar  3 10:00:03 srx01 RT_IDS: RT_SCREEN_IP: IP spoofing! source: 192.0.2.9, destination: 198.51.100.9, protocol-id: 47, zone name: untrust, interface name: ge-0/0/0.0, action: drop-and-log\n",
        "Mar  3 10:00:04 srx01 RT_IDS: RT_SCREEN_SESSION_LIMIT: Dst IP session limit! destination: 198.51.100.9, zone name: untrust, interface name: ge-0/0/0.0, action: drop\n",
        "Mar  3 10:00:05 srx01 RT_IDS: RT_SCREEN_TCP: Port scan! source: 192.0.2.1, destination: 198.51.100.2:80, zone name: untrust, interface name: ge-0/0/0.0\n",
        "Mar  3 10:00:06 srx01 RT_IDS: RT_SCREEN_IP: IP spoofing! source: 192.0.2.9, destination: 198.51.100.9, zone name: untrust, interface name: ge-0/0/0.0\n",
    );
    let (observations, summary) = read_as(lines.as_bytes(), DIALECT, &explicit(Tz::UTC, 2020));
    assert_eq!(observations.len(), 3, "{summary:?}");
    assert_eq!(skipped(&summary, SKIP_SRX_TEXT_NOT_SESSION), 1);
    assert_eq!(skipped(&summary, SKIP_INVALID_SRX_TEXT), 2);
    let invalid_lines: Vec<u64> = summary.anomalies.iter().map(|anomaly| anomaly.locator.record).collect();
    assert_eq!(invalid_lines, [5, 6]);
    assert!(summary.anomalies[0].message.contains("has no :PORT"), "{}", summary.anomalies[0].message);
    assert!(summary.anomalies[1].message.contains("missing protocol-id"), "{}", summary.anomalies[1].message);

    let udp = &observations[0];
    assert_eq!(udp.protocol, IpProtocol::UDP);
    assert_eq!(udp.action, Some(FirewallAction::Log));

    let icmp = &observations[1];
    assert_eq!(icmp.protocol, IpProtocol::ICMPV6);
    assert_eq!((icmp.src_port, icmp.dst_port), (None, None));
    assert_eq!(icmp.action, Some(FirewallAction::Log));

    let ip_screen = &observations[2];
    assert_eq!(ip_screen.protocol, IpProtocol::from_ip_number(47));
    assert_eq!(ip_screen.action, Some(FirewallAction::Other("drop-and-log".to_string())));
}
