//! Tests of the `sonicwall` dialect on SonicWall messages from the Wazuh ruleset tests.

use chrono_tz::Tz;

use super::support::{explicit, fixture, ip, read_as, skipped, utc_ns};
use crate::firewall::{LogDialect, SKIP_NOT_SONICWALL, SKIP_SONICWALL_NOT_TRAFFIC};
use crate::model::{FirewallAction, IpProtocol};

const DIALECT: LogDialect = LogDialect::Sonicwall;

#[test]
fn connections_and_other_messages() {
    let bytes = fixture("sonicwall/wazuh_sonicwall.log");
    let (observations, summary) = read_as(&bytes, DIALECT, &explicit(Tz::Europe__Rome, 2019));
    assert_eq!(summary.format, "sonicwall");
    assert_eq!(summary.records, 11);
    assert_eq!(observations.len(), 8, "{summary:?}");
    // VPN decryption errors and an administrator login name no protocol.
    assert_eq!(skipped(&summary, SKIP_SONICWALL_NOT_TRAFFIC), 3);
    assert_eq!(summary.anomalies_total, 0, "{:?}", summary.anomalies);
    let by_line = |line: u64| observations.iter().find(|o| o.locator.record == line).expect("observation for line");

    // `src=10.12.14.9::X0-V500`: no port. Times ending in " UTC" are UTC.
    let nat = by_line(1);
    assert_eq!(nat.ts_ns, utc_ns("2019-02-27T12:55:40Z"));
    assert_eq!((nat.src, nat.dst), (ip("10.12.14.9"), ip("217.56.236.4")));
    assert_eq!(nat.protocol, IpProtocol::ICMP);
    assert_eq!(nat.action, Some(FirewallAction::Allow));
    assert_eq!(nat.rule.as_deref(), Some("m=1197 NAT Mapping; rule 17 (LAN->WAN)"));

    // IPv6 addresses in srcV6 and dstV6, ports in src and dst.
    let ipv6 = by_line(2);
    assert_eq!((ipv6.src, ipv6.src_port), (ip("fe80::9851:b780:9d9d:a29e"), Some(49702)));
    assert_eq!((ipv6.dst, ipv6.dst_port), (ip("ff02::1:3"), Some(5355)));
    assert_eq!(ipv6.protocol, IpProtocol::UDP);
    assert_eq!(ipv6.action, Some(FirewallAction::Drop));

    // No `proto`: the message text "TCP connection dropped" gives TCP. No zone: Europe/Rome.
    let dropped = by_line(3);
    assert_eq!(dropped.ts_ns, utc_ns("2004-04-01T08:39:35Z"));
    assert_eq!((dropped.src, dropped.src_port), (ip("67.101.200.27"), Some(4507)));
    assert_eq!((dropped.dst, dropped.dst_port), (ip("67.32.44.2"), Some(445)));
    assert_eq!(dropped.protocol, IpProtocol::TCP);
    assert_eq!(dropped.action, Some(FirewallAction::Drop));

    // A relay's syslog header before the body.
    let opened = by_line(5);
    assert_eq!(opened.ts_ns, utc_ns("2007-01-03T13:48:06Z"));
    assert_eq!((opened.src_port, opened.dst_port), (Some(36701), Some(50000)));
    assert_eq!(opened.action, Some(FirewallAction::Allow));

    // A host name after the interface is not an address; `tcp/https` names no port.
    let web = by_line(11);
    assert_eq!((web.src, web.src_port), (ip("192.168.0.46"), Some(59668)));
    assert_eq!((web.dst, web.dst_port), (ip("34.194.213.204"), Some(443)));
    assert_eq!(web.action, Some(FirewallAction::Deny));

    let assumption = summary.time_assumption.as_deref().unwrap_or("");
    assert!(assumption.contains("Europe/Rome"), "{assumption}");
}

#[test]
fn damaged_and_other_lines() {
    // Line 3 of the Wazuh sample, cut inside its msg value, a copy with a host name in place of
    // the source address, and an sshd line.
    let bytes = fixture("sonicwall/wazuh_sonicwall.log");
    let text = String::from_utf8(bytes).expect("UTF-8 fixture");
    let line_3 = text.lines().nth(2).expect("line 3");
    let cut = &line_3[..line_3.find("msg=\"").expect("msg") + 10];
    let named = line_3.replace("src=67.101.200.27:", "src=scanner.example.com:");
    let input = format!("{cut}\n{named}\nJan  3 13:45:36 192.168.5.1 sshd[99]: session opened\n");

    let (observations, summary) = read_as(input.as_bytes(), DIALECT, &explicit(Tz::UTC, 2004));
    assert!(observations.is_empty());
    assert_eq!(skipped(&summary, SKIP_NOT_SONICWALL), 1);
    let messages: Vec<&str> = summary.anomalies.iter().map(|a| a.message.as_str()).collect();
    assert_eq!(messages.len(), 2);
    assert!(messages[0].contains("closing quote"), "{}", messages[0]);
    assert!(messages[1].contains("\"scanner.example.com\" is not an IP address"), "{}", messages[1]);
}
