//! Tests of the `windows-pfirewall` dialect on Windows Defender Firewall logs.

use chrono_tz::Tz;

use super::support::{explicit, fixture, ip, read_as, skipped, utc_ns};
use crate::firewall::{LogDialect, SKIP_BLANK, SKIP_HEADER, SKIP_INVALID_PFIREWALL};
use crate::model::{FirewallAction, IpProtocol};

const DIALECT: LogDialect = LogDialect::WindowsFirewall;

#[test]
fn pid_column_and_local_time_in_berlin() {
    let bytes = fixture("windows-pfirewall/pfirewall_win11_with_pid_column.log");
    let (observations, summary) = read_as(&bytes, DIALECT, &explicit(Tz::Europe__Berlin, 2000));
    assert_eq!(summary.format, "windows-pfirewall");
    assert_eq!(summary.records, 10);
    assert_eq!(summary.observations, 5, "{summary:?}");
    assert_eq!(skipped(&summary, SKIP_HEADER), 4);
    assert_eq!(skipped(&summary, SKIP_BLANK), 1);
    assert_eq!(summary.anomalies_total, 0, "{:?}", summary.anomalies);
    let assumption = summary.time_assumption.as_deref().unwrap_or("");
    assert!(assumption.contains("Europe/Berlin"), "{assumption}");

    for (index, observation) in observations.iter().enumerate() {
        // 22:27:57 in Berlin winter time (UTC+1).
        assert_eq!(observation.ts_ns, utc_ns("2023-11-26T21:27:57Z"));
        assert_eq!(observation.src, ip("192.168.10.106"));
        assert_eq!(observation.dst, ip("192.229.221.95"));
        assert_eq!(observation.protocol, IpProtocol::TCP);
        assert_eq!(observation.src_port, Some(65457 + index as u16));
        assert_eq!(observation.dst_port, Some(80));
        assert_eq!(observation.action, Some(FirewallAction::Drop));
        assert_eq!(observation.rule.as_deref(), Some("SEND"));
        assert_eq!(observation.tcp_flags, None, "tcpflags is '-'");
        assert_eq!(observation.tcp_window, Some(0));
        assert_eq!(observation.locator.record, 6 + index as u64);
    }
}

#[test]
fn crlf_file_without_pid_and_short_line() {
    let bytes = fixture("windows-pfirewall/pfirewall_azure_stack_edge_msdocs.crlf.log");
    let (observations, summary) = read_as(&bytes, DIALECT, &explicit(Tz::America__New_York, 2000));
    assert_eq!(summary.records, 19);
    assert_eq!(summary.observations, 14, "{summary:?}");
    assert_eq!(skipped(&summary, SKIP_INVALID_PFIREWALL), 0);
    let first = &observations[0];
    // 12:35:19 in New York after the end of summer time (UTC-5).
    assert_eq!(first.ts_ns, utc_ns("2019-11-06T17:35:19Z"));
    assert_eq!((first.src, first.dst), (ip("5.5.3.197"), ip("224.0.0.251")));
    assert_eq!(first.protocol, IpProtocol::UDP);
    assert_eq!((first.src_port, first.dst_port), (Some(5353), Some(5353)));
    assert_eq!(first.rule.as_deref(), Some("RECEIVE"));
    assert_eq!(observations[1].src, ip("fe80::3680:dff:fe01:9e88"));
    // Line 4 of the records ends before the path column.
    assert_eq!(observations[3].rule, None);
    assert_eq!(observations[3].dst_port, Some(5353));
    let text = first.source_text.as_deref().unwrap_or("");
    assert!(!text.ends_with('\r'), "line ending removed from {text:?}");
}

#[test]
fn fields_header_decides_column_order() {
    let text = b"#Fields: date time src-ip dst-ip action protocol dst-port src-port\r\n\
                 2024-03-01 08:00:01 192.0.2.1 192.0.2.2 ALLOW TCP 443 50000\r\n\
                 2024-03-01 08:00:02 192.0.2.1 192.0.2.2 INFO-EVENTS-LOST TCP - -\r\n";
    let (observations, summary) = read_as(text, DIALECT, &explicit(Tz::UTC, 2000));
    assert_eq!(observations.len(), 1, "{summary:?}");
    assert_eq!(observations[0].ts_ns, utc_ns("2024-03-01T08:00:01Z"));
    assert_eq!(observations[0].dst_port, Some(443));
    assert_eq!(observations[0].src_port, Some(50000));
    assert_eq!(observations[0].action, Some(FirewallAction::Allow));
    assert_eq!(skipped(&summary, crate::firewall::SKIP_EVENTS_LOST), 1);
}

#[test]
fn invalid_address_is_an_anomaly() {
    let text = b"2024-03-01 08:00:01 DROP TCP 192.0.2.300 192.0.2.2 1 2 0 - 0 0 0 - - - RECEIVE\n";
    let (observations, summary) = read_as(text, DIALECT, &explicit(Tz::UTC, 2000));
    assert!(observations.is_empty());
    assert_eq!(skipped(&summary, SKIP_INVALID_PFIREWALL), 1);
    assert_eq!(summary.anomalies[0].locator.record, 1);
    assert!(summary.anomalies[0].message.contains("192.0.2.300"), "{}", summary.anomalies[0].message);
}
