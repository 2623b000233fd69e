//! Tests of the `checkpoint` dialect on Log Exporter records from the Tenzir library and the
//! Wazuh ruleset tests, in the structured-data, pipe-separated and JSON forms.

use chrono_tz::Tz;

use super::support::{explicit, fixture, ip, read_as, skipped, utc_ns};
use crate::firewall::{LogDialect, SKIP_CHECKPOINT_NOT_TRAFFIC, SKIP_INVALID_CHECKPOINT};
use crate::model::{FirewallAction, IpProtocol};

const DIALECT: LogDialect = LogDialect::Checkpoint;

#[test]
fn structured_data_and_pipe_forms() {
    let bytes = fixture("checkpoint/tenzir_checkpoint_syslog.log");
    let (observations, summary) = read_as(&bytes, DIALECT, &explicit(Tz::UTC, 2026));
    assert_eq!(summary.format, "checkpoint");
    assert_eq!(observations.len(), 2, "{summary:?}");
    assert_eq!(summary.anomalies_total, 0, "{:?}", summary.anomalies);

    // The record's own `time` (seconds, UTC), not the later syslog header time.
    let accept = &observations[0];
    assert_eq!(accept.ts_ns, utc_ns("2026-02-18T08:14:51Z"));
    assert_eq!((accept.src, accept.src_port), (ip("10.0.0.1"), Some(12345)));
    assert_eq!((accept.dst, accept.dst_port), (ip("10.0.0.2"), Some(443)));
    assert_eq!(accept.protocol, IpProtocol::TCP);
    assert_eq!(accept.action, Some(FirewallAction::Allow));
    assert_eq!(accept.rule, None, "the record names no rule or zone");

    // Pipe-separated, with `\=` escapes inside originsicname.
    let drop = &observations[1];
    assert_eq!(drop.ts_ns, utc_ns("2023-06-05T19:28:16Z"));
    assert_eq!((drop.src, drop.src_port), (ip("192.168.14.10"), Some(138)));
    assert_eq!((drop.dst, drop.dst_port), (ip("192.168.14.255"), Some(138)));
    assert_eq!(drop.protocol, IpProtocol::UDP);
    assert_eq!(drop.action, Some(FirewallAction::Drop));
    assert_eq!(drop.rule.as_deref(), Some("External -> Local"));
}

#[test]
fn json_export_records() {
    let bytes = fixture("checkpoint/tenzir_checkpoint.ndjson.log");
    let (observations, summary) = read_as(&bytes, DIALECT, &explicit(Tz::UTC, 2026));
    assert_eq!(observations.len(), 4, "{summary:?}");
    assert_eq!(summary.anomalies_total, 0, "{:?}", summary.anomalies);

    let accept = &observations[0];
    assert_eq!(accept.ts_ns, utc_ns("2026-02-17T14:37:09Z"));
    assert_eq!((accept.src, accept.dst, accept.dst_port), (ip("10.172.0.0"), ip("10.7.0.0"), Some(443)));
    assert_eq!(accept.action, Some(FirewallAction::Allow));
    assert_eq!(accept.rule.as_deref(), Some("rule vpn-internal -> Ressources (layer Network) Internal -> Internal"));

    assert_eq!(observations[1].action, Some(FirewallAction::Drop));
    assert_eq!(observations[1].dst_port, Some(3260));

    let detect = &observations[2];
    assert_eq!(detect.protocol, IpProtocol::ICMP);
    assert_eq!((detect.src_port, detect.dst_port), (None, None));
    assert_eq!(detect.action, Some(FirewallAction::Log));

    let reject = &observations[3];
    assert_eq!(reject.ts_ns, utc_ns("2026-02-17T14:35:28Z"));
    assert_eq!((reject.src_port, reject.dst_port), (Some(61011), Some(8880)));
    assert_eq!(reject.action, Some(FirewallAction::Reject));
}

#[test]
fn cut_records_and_vpn_daemon_records() {
    let bytes = fixture("checkpoint/wazuh_checkpoint_smart1.log");
    let (observations, summary) = read_as(&bytes, DIALECT, &explicit(Tz::UTC, 2019));
    assert_eq!(summary.records, 18);
    assert_eq!(observations.len(), 1, "{summary:?}");
    // Key exchange records name two gateways but no protocol.
    assert_eq!(skipped(&summary, SKIP_CHECKPOINT_NOT_TRAFFIC), 3);
    // Records cut short by the test file ("...") or without their closing ']'.
    assert_eq!(skipped(&summary, SKIP_INVALID_CHECKPOINT), 14);
    let anomaly_lines: Vec<u64> = summary.anomalies.iter().map(|a| a.locator.record).collect();
    assert_eq!(anomaly_lines, vec![3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17]);
    assert!(summary.anomalies[1].message.contains("no closing ']'"), "{}", summary.anomalies[1].message);

    let dropped = &observations[0];
    assert_eq!(dropped.locator.record, 1);
    assert_eq!(dropped.ts_ns, utc_ns("2019-05-15T16:25:50Z"));
    assert_eq!((dropped.src, dropped.src_port), (ip("11.22.33.77"), Some(55036)));
    assert_eq!((dropped.dst, dropped.dst_port), (ip("11.22.33.55"), Some(1514)));
    assert_eq!(dropped.protocol, IpProtocol::UDP);
    assert_eq!(dropped.action, Some(FirewallAction::Drop));
    assert_eq!(dropped.rule.as_deref(), Some("rule CleanUp Rule (layer FW-INT-TR Security) Internal -> Internal"));
}
