//! Tests of the `juniper-srx` dialect on SRX structured syslog from the Elastic and Wazuh test
//! suites.

use chrono_tz::Tz;

use super::support::{explicit, fixture, ip, read_as, skipped, utc_ns};
use crate::firewall::{LogDialect, SKIP_INVALID_SRX, SKIP_NOT_SRX, SKIP_SRX_APPTRACK, SKIP_SRX_NOT_TRAFFIC};
use crate::model::{FirewallAction, IpProtocol};

const DIALECT: LogDialect = LogDialect::JuniperSrx;

#[test]
fn rt_flow_create_close_deny() {
    let bytes = fixture("juniper-srx/elastic_test-flow.log");
    let (observations, summary) = read_as(&bytes, DIALECT, &explicit(Tz::UTC, 2020));
    assert_eq!(summary.format, "juniper-srx");
    assert_eq!(summary.records, 26);
    assert_eq!(observations.len(), 17, "{summary:?}");
    assert_eq!(skipped(&summary, SKIP_SRX_APPTRACK), 9);
    assert_eq!(summary.anomalies_total, 0, "{:?}", summary.anomalies);
    // Every RT_FLOW line has a UTC offset, and the offset-less lines are AppTrack lines.
    assert_eq!(summary.time_assumption, None);
    let by_line = |line: u64| observations.iter().find(|o| o.locator.record == line).expect("observation for line");

    let create = by_line(1);
    assert_eq!(create.ts_ns, utc_ns("2019-11-14T08:37:51.184Z"));
    assert_eq!((create.src, create.dst), (ip("10.0.0.1"), ip("67.43.156.13")));
    assert_eq!(create.protocol, IpProtocol::ICMP);
    assert_eq!((create.src_port, create.dst_port), (None, None), "ICMP has no ports");
    assert_eq!(create.action, Some(FirewallAction::Allow));
    assert_eq!(create.rule.as_deref(), Some("policy vpn_trust_permit-all vpn -> trust"));

    let deny = by_line(2);
    assert_eq!(deny.ts_ns, utc_ns("2019-11-14T10:12:46.573Z"));
    assert_eq!(deny.protocol, IpProtocol::UDP);
    assert_eq!((deny.src, deny.src_port), (ip("10.0.0.26"), Some(37233)));
    assert_eq!((deny.dst, deny.dst_port), (ip("67.43.156.13"), Some(161)));
    assert_eq!(deny.action, Some(FirewallAction::Deny));
    assert_eq!(
        deny.rule.as_deref(),
        Some("policy MgmtAccess-trust-cleanup trust -> junos-host reason Denied by policy")
    );

    let tcp_deny = by_line(3);
    assert_eq!(tcp_deny.ts_ns, utc_ns("2014-05-01T08:26:51.179Z"));
    assert_eq!((tcp_deny.protocol, tcp_deny.dst_port), (IpProtocol::TCP, Some(2003)));

    // An offset of +08:00.
    assert_eq!(by_line(6).ts_ns, utc_ns("2010-09-30T06:55:04.323Z"));

    let close = by_line(9);
    assert_eq!((close.dst, close.dst_port), (ip("172.16.1.19"), Some(445)));
    assert_eq!(close.action, Some(FirewallAction::Allow));
    assert_eq!(close.rule.as_deref(), Some("policy 35 Trust -> Trust reason TCP RST"));

    // Logical-system variants read like the plain messages.
    assert_eq!(by_line(19).action, Some(FirewallAction::Allow));
    assert_eq!(by_line(20).action, Some(FirewallAction::Deny));
    assert_eq!(by_line(20).dst_port, Some(161));
}

#[test]
fn screen_and_relay_header() {
    let bytes = fixture("juniper-srx/wazuh_junos.log");
    let (observations, summary) = read_as(&bytes, DIALECT, &explicit(Tz::UTC, 2017));
    assert_eq!(summary.records, 3);
    assert_eq!(observations.len(), 2, "{summary:?}");
    assert_eq!(skipped(&summary, SKIP_SRX_NOT_TRAFFIC), 1, "FLOW_MCAST_RPF_FAIL");

    let screen = &observations[0];
    assert_eq!(screen.ts_ns, utc_ns("2017-08-24T04:58:58.724Z"));
    assert_eq!((screen.src, screen.dst), (ip("1.1.1.1"), ip("1.1.1.1")));
    assert_eq!(screen.protocol, IpProtocol::UDP);
    assert_eq!((screen.src_port, screen.dst_port), (None, None), "the screen message names no ports");
    assert_eq!(screen.action, Some(FirewallAction::Drop));
    assert_eq!(screen.rule.as_deref(), Some("from mpls-untrust screen IP spoofing!"));

    let deny = &observations[1];
    assert_eq!(deny.ts_ns, utc_ns("2017-09-23T13:54:54.803Z"));
    assert_eq!((deny.src_port, deny.dst_port), (Some(1080), Some(8010)));
    assert_eq!(deny.action, Some(FirewallAction::Deny));
}

#[test]
fn offset_less_time_and_damaged_lines() {
    // Line 13 of the Elastic sample with its tag changed to RT_FLOW_SESSION_CREATE, so its time
    // has no UTC offset, then two RT_FLOW lines damaged by cutting them short.
    let lines = fixture("juniper-srx/elastic_test-flow.log");
    let text = String::from_utf8(lines).expect("UTF-8 fixture");
    let line_13 = text.lines().nth(12).expect("line 13");
    let line_2 = text.lines().nth(1).expect("line 2");
    let offset_less = line_13.replace("APPTRACK_SESSION_CREATE", "RT_FLOW_SESSION_CREATE");
    let cut_in_quote = &line_2[..line_2.find("destination-address=\"").expect("field") + 25];
    let cut_before_address = &line_2[..line_2.find(" destination-address").expect("field")];
    let input = format!(
        "{offset_less}\n{cut_in_quote}\n{cut_before_address}\nJan 19 15:18:17 SRX100HM sshd[99]: session opened\n"
    );

    let (observations, summary) = read_as(input.as_bytes(), DIALECT, &explicit(Tz::Europe__Berlin, 2013));
    assert_eq!(observations.len(), 1, "{summary:?}");
    assert_eq!(observations[0].ts_ns, utc_ns("2013-01-19T14:18:17.040Z"), "CET is UTC+1");
    let assumption = summary.time_assumption.as_deref().unwrap_or("");
    assert!(assumption.contains("Europe/Berlin"), "{assumption}");

    assert_eq!(skipped(&summary, SKIP_INVALID_SRX), 2);
    assert_eq!(skipped(&summary, SKIP_NOT_SRX), 1);
    assert!(summary.anomalies[0].message.contains("closing quote"), "{}", summary.anomalies[0].message);
    assert!(summary.anomalies[1].message.contains("missing destination-address"), "{}", summary.anomalies[1].message);
}

/// The first screen line of the Wazuh sample with its `action` field removed: screen messages
/// without one occur on real devices, and the line stays an observation with no action.
#[test]
fn screen_without_action() {
    let line = "Aug 24 04:58:58 192.168.1.1 junos-ids: 2017-08-24T04:58:58.724Z sis-srx-EUH-03 RT_IDS - \
                RT_SCREEN_IP [junos@1.1.1.1.2.1 attack-name=\"IP spoofing!\" source-address=\"1.1.1.1\" \
                destination-address=\"1.1.1.1\" protocol-id=\"17\" source-zone-name=\"mpls-untrust\" \
                interface-name=\"xxxx.111\"]\n";
    let (observations, summary) = read_as(line.as_bytes(), DIALECT, &explicit(Tz::UTC, 2017));
    assert_eq!(observations.len(), 1, "{summary:?}");
    assert_eq!(observations[0].action, None);
    assert_eq!(observations[0].rule.as_deref(), Some("from mpls-untrust screen IP spoofing!"));
}
