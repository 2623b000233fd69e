//! Tests of the `fortigate` dialect on FortiGate log lines from the Tenzir library and the
//! Wazuh ruleset tests.

use chrono_tz::Tz;

use super::support::{explicit, fixture, ip, read_as, skipped, utc_ns};
use crate::firewall::{
    LogDialect, SKIP_FORTIGATE_EVENT, SKIP_FORTIGATE_PROFILE, SKIP_INVALID_FORTIGATE, SKIP_NOT_FORTIGATE,
};
use crate::model::{FirewallAction, IpProtocol};

const DIALECT: LogDialect = LogDialect::Fortigate;

#[test]
fn fortios_6_traffic_ips_and_anomaly() {
    let bytes = fixture("fortigate/tenzir_fortigate_inputs.log");
    let (observations, summary) = read_as(&bytes, DIALECT, &explicit(Tz::UTC, 2019));
    assert_eq!(summary.format, "fortigate");
    assert_eq!(summary.records, 58);
    assert_eq!(observations.len(), 14, "{summary:?}");
    assert_eq!(skipped(&summary, SKIP_FORTIGATE_EVENT), 24);
    assert_eq!(skipped(&summary, SKIP_FORTIGATE_PROFILE), 20);
    assert_eq!(summary.anomalies_total, 0, "{:?}", summary.anomalies);
    // Every line has eventtime, so no time was read in the import zone.
    assert_eq!(summary.time_assumption, None);
    let by_line = |line: u64| observations.iter().find(|o| o.locator.record == line).expect("observation for line");

    let forward = by_line(25);
    assert_eq!(forward.ts_ns, utc_ns("2019-05-10T18:37:47.369913239Z"));
    assert_eq!((forward.src, forward.dst), (ip("10.1.100.11"), ip("23.59.154.35")));
    assert_eq!((forward.src_port, forward.dst_port), (Some(58012), Some(80)));
    assert_eq!(forward.protocol, IpProtocol::TCP);
    assert_eq!(forward.action, Some(FirewallAction::Allow), "action close ends an accepted session");
    assert_eq!(forward.rule.as_deref(), Some("policy 1 (policy) port12 -> port11"));
    assert_eq!(forward.tcp_flags, None);
    assert!(forward.source_text.as_deref().unwrap_or("").starts_with("date=2019-05-10 time=11:37:47"));

    // An eventtime in whole seconds.
    let seconds = by_line(29);
    assert_eq!(seconds.ts_ns, utc_ns("2019-05-16T01:03:39Z"));
    assert_eq!(seconds.action, Some(FirewallAction::Allow));

    let local_in = by_line(34);
    assert_eq!(local_in.dst_port, Some(443));
    assert_eq!(local_in.rule.as_deref(), Some("policy 0 (local-in-policy) port11 -> vdom1"));

    let multicast = by_line(35);
    assert_eq!(multicast.protocol, IpProtocol::UDP);
    assert_eq!((multicast.dst, multicast.dst_port), (ip("230.1.1.2"), Some(7878)));

    let anomaly = by_line(37);
    assert_eq!(anomaly.ts_ns, utc_ns("2019-05-14T00:05:59.461869329Z"));
    assert_eq!(anomaly.protocol, IpProtocol::ICMP);
    assert_eq!((anomaly.src_port, anomaly.dst_port), (None, None));
    let icmp = anomaly.icmp.expect("ICMP type and code");
    assert_eq!((icmp.icmp_type, icmp.code), (8, 0));
    assert_eq!(anomaly.action, Some(FirewallAction::Drop));
    assert_eq!(anomaly.rule.as_deref(), Some("policy 1 (DoS-policy) from port12 attack icmp_flood"));

    let ips = by_line(46);
    assert_eq!(ips.ts_ns, utc_ns("2019-05-16T00:56:41Z"));
    assert_eq!((ips.src, ips.dst, ips.dst_port), (ip("10.1.100.22"), ip("172.16.200.55"), Some(80)));
    assert_eq!(ips.action, Some(FirewallAction::Drop));
    let rule = ips.rule.as_deref().unwrap_or("");
    assert!(rule.ends_with("attack Adobe.Flash.newfunction.Handling.Code.Execution"), "{rule}");
}

#[test]
fn older_fortios_and_syslog_prefixes() {
    let bytes = fixture("fortigate/wazuh_fortigate.log");
    let (observations, summary) = read_as(&bytes, DIALECT, &explicit(Tz::Europe__Berlin, 2016));
    assert_eq!(summary.records, 46);
    assert_eq!(observations.len(), 10, "{summary:?}");
    assert_eq!(skipped(&summary, SKIP_FORTIGATE_EVENT), 16);
    assert_eq!(skipped(&summary, SKIP_FORTIGATE_PROFILE), 15);
    assert_eq!(skipped(&summary, SKIP_INVALID_FORTIGATE), 5);
    let anomaly_lines: Vec<u64> = summary.anomalies.iter().map(|a| a.locator.record).collect();
    assert_eq!(anomaly_lines, vec![11, 12, 13, 14, 15]);
    // FortiOS 3 lines with a space inside the time value are reported, never read.
    assert!(summary.anomalies[0].message.contains("\"13:03\""), "{}", summary.anomalies[0].message);
    let assumption = summary.time_assumption.as_deref().unwrap_or("");
    assert!(assumption.contains("Europe/Berlin"), "{assumption}");
    let by_line = |line: u64| observations.iter().find(|o| o.locator.record == line).expect("observation for line");

    // FortiOS 5 without eventtime: date and time in the import zone (CEST, UTC+2).
    let reset = by_line(5);
    assert_eq!(reset.ts_ns, utc_ns("2016-06-15T07:41:35Z"));
    assert_eq!((reset.src, reset.src_port), (ip("192.168.10.8"), Some(62216)));
    assert_eq!((reset.dst, reset.dst_port), (ip("157.55.235.162"), Some(80)));
    assert_eq!(reset.action, Some(FirewallAction::Reject));

    let denied = by_line(16);
    assert_eq!(denied.action, Some(FirewallAction::Deny), "utmaction does not replace action");
    assert_eq!((denied.src, denied.dst_port), (ip("7.3.8.5"), Some(80)));
    assert_eq!(denied.rule.as_deref(), Some("policy 8 internal1 -> wan1"));

    // A relay's syslog header comes before the body. March is CET (UTC+1).
    let detected = by_line(24);
    assert_eq!(detected.ts_ns, utc_ns("2016-03-22T18:20:46Z"));
    assert_eq!((detected.src, detected.dst), (ip("10.10.10.35"), ip("10.10.10.84")));
    assert_eq!((detected.src_port, detected.dst_port), (Some(32835), Some(2960)));
    assert_eq!(detected.action, Some(FirewallAction::Log));

    // The anomaly log names no ports: they stay empty.
    let dropped = by_line(25);
    assert_eq!((dropped.src_port, dropped.dst_port), (None, None));
    assert_eq!(dropped.action, Some(FirewallAction::Drop));
}

#[test]
fn other_lines_and_damaged_messages() {
    let text = "\
Dec  6 10:15:01 host sshd[811]: Accepted publickey for root from 192.0.2.7 port 52110 ssh2
date=2019-05-10 time=11:37:47 logid=\"0000000013\" type=\"traffic\" srcip=10.1.100.11 dstip=23.59.154.35 proto=6 msg=\"unterminated
date=2019-05-10 time=11:37:47 logid=\"0000000013\" type=\"traffic\" srcip=fw-lan-host dstip=23.59.154.35 proto=6
date=2019-05-10 time=11:37:47 logid=\"0000000013\" type=\"traffic\" srcip=10.1.100.11 dstip=23.59.154.35 proto=6 eventtime=15575134673699
date=2019-05-10 time=11:37:47 logid=\"0000000013\" type=\"traffic\" tz=\"-0700\" srcip=10.1.100.11 dstip=23.59.154.35 proto=17 srcport=53 dstport=5353 action=\"ip-conn\"
";
    let (observations, summary) = read_as(text.as_bytes(), DIALECT, &explicit(Tz::UTC, 2019));
    assert_eq!(skipped(&summary, SKIP_NOT_FORTIGATE), 1);
    assert_eq!(skipped(&summary, SKIP_INVALID_FORTIGATE), 3);
    let messages: Vec<&str> = summary.anomalies.iter().map(|a| a.message.as_str()).collect();
    assert!(messages[0].contains("closing quote"), "{}", messages[0]);
    assert!(messages[1].contains("\"fw-lan-host\" is not an IP address"), "{}", messages[1]);
    assert!(messages[2].contains("14 digits"), "{}", messages[2]);

    assert_eq!(observations.len(), 1);
    let offset = &observations[0];
    assert_eq!(offset.ts_ns, utc_ns("2019-05-10T18:37:47Z"));
    assert_eq!((offset.src_port, offset.dst_port), (Some(53), Some(5353)));
    assert_eq!(offset.action, Some(FirewallAction::Other("ip-conn".to_string())));
    assert_eq!(offset.rule, None);
}
