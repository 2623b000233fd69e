//! Tests of the `panos-leef` dialect on PAN-OS 11.1 LEEF records from the Wazuh test suite.

use chrono_tz::Tz;

use super::support::{explicit, fixture, ip, read_as, skipped, utc_ns};
use crate::firewall::{LogDialect, SKIP_INVALID_LEEF, SKIP_LEEF_NOT_TRAFFIC, SKIP_NOT_LEEF};
use crate::model::{FirewallAction, IpProtocol};

const DIALECT: LogDialect = LogDialect::PanosLeef;

#[test]
fn traffic_and_threat_records() {
    let bytes = fixture("panos-leef/wazuh_paloalto_leef.log");
    let (observations, summary) = read_as(&bytes, DIALECT, &explicit(Tz::UTC, 2026));
    assert_eq!(summary.format, "panos-leef");
    assert_eq!(summary.records, 9);
    assert_eq!(observations.len(), 4, "{summary:?}");
    assert_eq!(skipped(&summary, SKIP_LEEF_NOT_TRAFFIC), 5, "SYSTEM, IPTAG, USERID and HIPMATCH");
    assert_eq!(summary.anomalies_total, 0, "{:?}", summary.anomalies);

    // A host-sweep alert: devTime is UTC ("GMT"); the syslog header's 22:20:59 is local time.
    let sweep = &observations[0];
    assert_eq!(sweep.ts_ns, utc_ns("2026-02-24T18:20:58Z"));
    assert_eq!((sweep.src, sweep.src_port), (ip("137.184.174.149"), Some(36774)));
    assert_eq!((sweep.dst, sweep.dst_port), (ip("172.16.50.36"), Some(443)));
    assert_eq!(sweep.protocol, IpProtocol::TCP);
    assert_eq!(sweep.action, Some(FirewallAction::Log), "action=alert");
    let rule = sweep.rule.as_deref().unwrap_or("");
    assert!(rule.starts_with("- Untrust-DMZ -> Trust-DMZ; THREAT scan SCAN: Host Sweep(8002) alert"), "{rule}");

    assert_eq!(observations[1].action, Some(FirewallAction::Reject), "action=reset-both");
    assert!(observations[1].rule.as_deref().unwrap_or("").starts_with("DMZ  Incoming "));

    // TRAFFIC records carry no action attribute: the event ID is the action.
    let allowed = &observations[2];
    assert_eq!(allowed.ts_ns, utc_ns("2026-03-09T08:50:55Z"));
    assert_eq!(allowed.protocol, IpProtocol::UDP);
    assert_eq!((allowed.src_port, allowed.dst_port), (Some(54448), Some(53)));
    assert_eq!(allowed.action, Some(FirewallAction::Allow));
    assert_eq!(allowed.rule.as_deref(), Some("Branches-to-HO-False positive Untrust-Int-GW -> Trust-Int-GW"));
    assert_eq!(observations[3].action, Some(FirewallAction::Deny));
}

#[test]
fn damaged_and_foreign_lines() {
    let lines = concat!(
        "LEEF:2.0|Palo Alto Networks|PAN-OS Syslog Integration|11.1|allow|x7C|cat=TRAFFIC|src=fw-name|dst=192.0.2.1|proto=tcp\n",
        "LEEF:2.0|Palo Alto Networks|PAN-OS Syslog Integration|11.1|allow|zz|cat=TRAFFIC\n",
        "LEEF:2.0|Other Vendor|Product|1.0|event|x7C|cat=TRAFFIC|src=192.0.2.2\n",
        "LEEF:1.0|Palo Alto Networks|PAN-OS Syslog Integration|9.1|deny|cat=TRAFFIC\tsrc=192.0.2.3\tdst=192.0.2.4\tproto=tcp\tsrcPort=40000\tdstPort=22\tdevTime=Jan 02 2024 03:04:05 GMT\n",
    );
    let (observations, summary) = read_as(lines.as_bytes(), DIALECT, &explicit(Tz::UTC, 2024));
    assert_eq!(skipped(&summary, SKIP_INVALID_LEEF), 2);
    let records: Vec<u64> = summary.anomalies.iter().map(|anomaly| anomaly.locator.record).collect();
    assert_eq!(records, [1, 2]);
    assert!(summary.anomalies[0].message.contains("fw-name"), "{}", summary.anomalies[0].message);
    assert_eq!(skipped(&summary, SKIP_NOT_LEEF), 1);

    // LEEF 1.0 has no delimiter field and separates attributes with tabs.
    assert_eq!(observations.len(), 1);
    assert_eq!(observations[0].ts_ns, utc_ns("2024-01-02T03:04:05Z"));
    assert_eq!(observations[0].dst_port, Some(22));
    assert_eq!(observations[0].action, Some(FirewallAction::Deny));
}
