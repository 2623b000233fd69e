//! Tests of the `zeek-conn` and `suricata-eve` sensor dialects on lines from public test suites.

use chrono_tz::Tz;

use super::support::{explicit, fixture, ip, read_as, skipped};
use crate::firewall::{LogDialect, SKIP_EVE_OTHER_EVENT, SKIP_HEADER, SKIP_INVALID_ZEEK_CONN};
use crate::model::{FirewallAction, IpProtocol, TcpFlags};

#[test]
fn zeek_tsv_follows_each_fields_header() {
    let bytes = fixture("zeek-conn/logstash_bro_spec_conn.tsv.log");
    let (observations, summary) = read_as(&bytes, LogDialect::ZeekConn, &explicit(Tz::UTC, 2000));
    assert_eq!(summary.format, "zeek-conn");
    assert_eq!(summary.records, 15);
    assert_eq!(skipped(&summary, SKIP_HEADER), 12);
    assert_eq!(observations.len(), 3, "{summary:?}");
    assert_eq!(summary.anomalies_total, 0, "{:?}", summary.anomalies);

    let dns = &observations[0];
    assert_eq!(dns.ts_ns, 1_300_475_168_853_899_000);
    assert_eq!((dns.src, dns.src_port), (ip("141.142.220.118"), Some(43927)));
    assert_eq!((dns.dst, dns.dst_port), (ip("141.142.2.2"), Some(53)));
    assert_eq!(dns.protocol, IpProtocol::UDP);
    assert_eq!(dns.action, Some(FirewallAction::Log));
    assert_eq!(dns.rule.as_deref(), Some("conn_state SF, history Dd"));

    // History "^hCadcCfA": the responder's SYN-ACK came first, so the originator's flags are unknown.
    assert_eq!(observations[1].tcp_flags, None);
    assert_eq!(observations[1].rule.as_deref(), Some("conn_state SHR, history ^hCadcCfA"));

    // The second #fields header has no local_resp column; a stale header would misplace history.
    let tls = &observations[2];
    assert_eq!(tls.ts_ns, 1_541_350_796_901_974_000);
    assert_eq!(tls.tcp_flags, Some(TcpFlags(TcpFlags::SYN)));
    assert_eq!((tls.dst, tls.dst_port), (ip("54.85.115.89"), Some(443)));
}

#[test]
fn zeek_json_epoch_and_iso_times() {
    let bytes = fixture("zeek-conn/elastic_test-conn.json.log");
    let (observations, summary) = read_as(&bytes, LogDialect::ZeekConn, &explicit(Tz::UTC, 2000));
    assert_eq!(summary.records, 18);
    assert_eq!(observations.len(), 18, "{:?}", summary.anomalies);
    assert_eq!(skipped(&summary, SKIP_INVALID_ZEEK_CONN), 0);
    assert_eq!(observations[0].ts_ns, 1_547_188_415_857_497_000);
    assert_eq!(observations[0].dst_port, Some(53));

    let icmp = &observations[3];
    assert_eq!(icmp.protocol, IpProtocol::ICMP);
    assert_eq!((icmp.src_port, icmp.dst_port), (None, None));
    let info = icmp.icmp.as_ref().expect("ICMP type and code from the port columns");
    assert_eq!((info.icmp_type, info.code), (3, 3));

    let iso = &observations[16];
    assert_eq!(iso.ts_ns, super::support::utc_ns("2021-06-09T20:55:13.160328Z"));
    assert_eq!((iso.src, iso.dst_port), (ip("10.0.2.15"), Some(80)));
    assert_eq!(iso.tcp_flags, None, "history C is a checksum mark, not a flag");
}

#[test]
fn suricata_alerts_and_flows() {
    let bytes = fixture("suricata-eve/crowdsec_suricata-logs-evelog.log");
    let (observations, summary) = read_as(&bytes, LogDialect::SuricataEve, &explicit(Tz::UTC, 2000));
    assert_eq!(summary.format, "suricata-eve");
    assert_eq!(summary.records, 8);
    assert_eq!(observations.len(), 6, "{:?}", summary.anomalies);
    assert_eq!(skipped(&summary, SKIP_EVE_OTHER_EVENT), 2);
    assert_eq!(summary.time_assumption, None);

    let alert = &observations[0];
    assert_eq!(alert.ts_ns, super::support::utc_ns("2022-07-10T23:50:05.533101Z"));
    assert_eq!((alert.src, alert.src_port), (ip("1.2.3.4"), Some(52812)));
    assert_eq!((alert.dst, alert.dst_port), (ip("127.0.0.1"), Some(80)));
    assert_eq!(alert.action, Some(FirewallAction::Allow));
    let rule = alert.rule.as_deref().unwrap_or("");
    assert!(rule.starts_with("sid 2024468: ET WEB_SPECIFIC_APPS OGNL"), "{rule}");

    let flow = &observations[2];
    assert_eq!(flow.ts_ns, super::support::utc_ns("2022-07-11T05:48:21.714860Z"), "flow.start");
    assert_eq!(flow.tcp_flags, Some(TcpFlags(TcpFlags::SYN)), "client flags 0x06 include SYN");
    assert_eq!(flow.action, Some(FirewallAction::Log));
    assert_eq!(flow.rule.as_deref(), Some("flow state closed, reason timeout"));
    assert_eq!(flow.dst_port, Some(2352));
}

#[test]
fn suricata_times_without_offset_use_zone() {
    let bytes = fixture("suricata-eve/wijungle_eve_ET_SCAN_excerpt.log");
    let (observations, summary) = read_as(&bytes, LogDialect::SuricataEve, &explicit(Tz::Europe__Berlin, 2000));
    assert_eq!(observations.len(), 11, "{:?}", summary.anomalies);
    // 03:50:09.097718 in Berlin winter time (UTC+1).
    assert_eq!(observations[0].ts_ns, super::support::utc_ns("2019-01-02T02:50:09.097718Z"));
    assert_eq!((observations[0].src, observations[0].dst_port), (ip("8.42.77.171"), Some(3306)));
    let assumption = summary.time_assumption.as_deref().unwrap_or("");
    assert!(assumption.contains("Europe/Berlin"), "{assumption}");
}
