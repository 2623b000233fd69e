//! Tests of the `panos-csv` dialect on PAN-OS CSV records from the Elastic and Wazuh test
//! suites and on a record with RFC 4180 quoting.

use chrono_tz::Tz;

use super::support::{explicit, fixture, ip, read_as, skipped, utc_ns};
use crate::firewall::{LogDialect, SKIP_INVALID_PANOS, SKIP_NOT_PANOS, SKIP_PANOS_NOT_TRAFFIC};
use crate::model::{FirewallAction, IpProtocol};

const DIALECT: LogDialect = LogDialect::PanosCsv;

#[test]
fn quoted_commas_do_not_shift_columns() {
    let bytes = fixture("panos-csv/BR-15.log");
    let (observations, summary) = read_as(&bytes, DIALECT, &explicit(Tz::UTC, 2025));
    assert_eq!(summary.format, "panos-csv");
    assert_eq!(summary.records, 3);
    assert_eq!(observations.len(), 2, "{summary:?}");
    assert_eq!(skipped(&summary, SKIP_PANOS_NOT_TRAFFIC), 1, "the SYSTEM record");
    assert_eq!(summary.anomalies_total, 0, "{:?}", summary.anomalies);

    // THREAT with a quoted URL that contains commas and doubled quotes.
    let threat = &observations[0];
    assert_eq!(threat.locator.record, 2);
    assert_eq!(threat.ts_ns, utc_ns("2024-01-02T03:04:03Z"));
    assert_eq!((threat.src, threat.dst), (ip("192.0.2.60"), ip("198.51.100.70")));
    assert_eq!((threat.src_port, threat.dst_port), (Some(61066), Some(80)));
    assert_eq!(threat.protocol, IpProtocol::TCP);
    assert_eq!(threat.action, Some(FirewallAction::Log));
    assert_eq!(threat.rule.as_deref(), Some("URL-Catch-All DMZ -> Outside; THREAT url (9999) alert"));

    // TRAFFIC behind a syslog header, with a `{...}` group of unquoted commas at the end.
    let traffic = &observations[1];
    assert_eq!(traffic.locator.record, 3);
    assert_eq!(traffic.ts_ns, utc_ns("2025-12-09T23:59:50Z"), "the session's start time");
    assert_eq!((traffic.src, traffic.dst), (ip("192.0.2.10"), ip("198.51.100.10")));
    assert_eq!((traffic.src_port, traffic.dst_port), (Some(51000), Some(443)));
    assert_eq!(traffic.action, Some(FirewallAction::Allow));
    assert_eq!(traffic.rule.as_deref(), Some("Allow-Web trust -> untrust"));
    assert_eq!(traffic.tcp_flags, None, "PAN-OS logs no TCP flags");
}

#[test]
fn traffic_sample_in_import_zone() {
    let bytes = fixture("panos-csv/elastic_panw_traffic_excerpt.log");
    let (observations, summary) = read_as(&bytes, DIALECT, &explicit(Tz::America__New_York, 2018));
    assert_eq!(summary.records, 34);
    assert_eq!(observations.len(), 34, "{summary:?}");
    assert_eq!(summary.anomalies_total, 0, "{:?}", summary.anomalies);
    let assumption = summary.time_assumption.as_deref().unwrap_or("");
    assert!(assumption.contains("America/New_York"), "{assumption}");

    // Start time 2018/11/30 15:59:04, EST (UTC-5).
    let first = &observations[0];
    assert_eq!(first.ts_ns, utc_ns("2018-11-30T20:59:04Z"));
    assert_eq!((first.src, first.src_port), (ip("192.168.15.207"), Some(55113)));
    assert_eq!((first.dst, first.dst_port), (ip("175.16.199.1"), Some(443)));
    assert_eq!(first.rule.as_deref(), Some("new_outbound_from_trust trust -> untrust"));

    let icmp = &observations[1];
    assert_eq!(icmp.protocol, IpProtocol::ICMP);
    assert_eq!((icmp.src_port, icmp.dst_port), (None, None));
    assert_eq!(icmp.ts_ns, utc_ns("2018-11-30T21:08:55Z"));

    let udp = &observations[4];
    assert_eq!(udp.protocol, IpProtocol::UDP);
    assert_eq!(udp.dst_port, Some(443));

    // The subtype column is empty on line 26, and the record is still read.
    assert_eq!(observations[25].src, ip("192.168.15.210"));
    assert_eq!(observations[25].dst_port, Some(53));
}

#[test]
fn other_types_and_damaged_records() {
    let bytes = fixture("panos-csv/wazuh_paloalto_csv.log");
    let (observations, summary) = read_as(&bytes, DIALECT, &explicit(Tz::UTC, 2021));
    assert_eq!(summary.records, 16);
    assert_eq!(skipped(&summary, SKIP_PANOS_NOT_TRAFFIC), 8);
    assert_eq!(skipped(&summary, SKIP_INVALID_PANOS), 6);
    assert_eq!(observations.len(), 2, "{summary:?}");
    let anomaly_lines: Vec<u64> = summary.anomalies.iter().map(|a| a.locator.record).collect();
    assert_eq!(anomaly_lines, vec![2, 4, 13, 14, 15, 16]);
    assert!(summary.anomalies[0].message.contains("5 columns"), "{}", summary.anomalies[0].message);
    assert!(summary.anomalies[2].message.contains("\"00.00.000.00\""), "{}", summary.anomalies[2].message);

    let threat = &observations[0];
    assert_eq!(threat.locator.record, 9);
    assert_eq!(threat.ts_ns, utc_ns("2021-07-12T09:46:00Z"));
    assert_eq!((threat.src, threat.dst, threat.dst_port), (ip("199.195.252.165"), ip("172.30.250.61"), Some(443)));
    assert_eq!(threat.action, Some(FirewallAction::Reject));
    let rule = threat.rule.as_deref().unwrap_or("");
    assert!(rule.contains("THREAT vulnerability DCS-2530L Unauthenticated Information Disclosure"), "{rule}");

    let denied = &observations[1];
    assert_eq!(denied.locator.record, 12);
    assert_eq!((denied.src_port, denied.dst_port), (Some(500), Some(500)));
    assert_eq!(denied.protocol, IpProtocol::UDP);
    assert_eq!(denied.action, Some(FirewallAction::Deny));
    assert_eq!(denied.rule.as_deref(), Some("DENY-ALL INSPECTION -> INSPECTION"));
}

#[test]
fn lines_of_other_programs_skipped() {
    // An sshd line, then line 24 of the Elastic sample.
    let text = "\
Nov 30 16:09:32 PA-220 sshd[811]: Accepted publickey for admin from 192.0.2.7 port 52110 ssh2
Nov 30 16:09:33 PA-220 1,2018/11/30 16:09:32,012801096514,TRAFFIC,drop,2049,2018/11/30 16:09:32,192.168.15.224,175.16.199.1,192.168.1.63,175.16.199.1,new_outbound_from_trust,,,incomplete,vsys1,trust,untrust,ethernet1/2,ethernet1/1,send_to_mac,2018/11/30 16:09:32,24090,1,52445,4282,49145,4282,0x400019,tcp,allow,624,624,0,8,2018/11/30 16:09:12,13,any,0,32091135,0x0,192.168.0.0-192.168.255.255,United States,0,8,0,aged-out,0,0,0,0,,PA-220,from-policy,,,0,,0,,N/A,0,0,0,0
";
    let (observations, summary) = read_as(text.as_bytes(), DIALECT, &explicit(Tz::UTC, 2018));
    assert_eq!(summary.records, 2);
    assert_eq!(skipped(&summary, SKIP_NOT_PANOS), 1);
    assert!(summary.anomalies.is_empty(), "{:?}", summary.anomalies);
    assert_eq!(observations.len(), 1);
    assert_eq!(observations[0].locator.record, 2);
    assert_eq!(observations[0].ts_ns, utc_ns("2018-11-30T16:09:12Z"));
    assert_eq!((observations[0].src_port, observations[0].dst_port), (Some(52445), Some(4282)));
    // The subtype is drop and the action column is allow. The action column is read.
    assert_eq!(observations[0].action, Some(FirewallAction::Allow));
}
