//! Tests of the `sophos-xg` dialect on Sophos XG firewall messages from the Wazuh ruleset
//! tests.

use chrono_tz::Tz;

use super::support::{explicit, fixture, ip, read_as, skipped, utc_ns};
use crate::firewall::{LogDialect, SKIP_INVALID_SOPHOS, SKIP_SOPHOS_NOT_FIREWALL};
use crate::model::{FirewallAction, IpProtocol};

const DIALECT: LogDialect = LogDialect::SophosXg;

#[test]
fn firewall_rule_messages() {
    let bytes = fixture("sophos-xg/wazuh_sophos_fw.tail_removed.log");
    let (observations, summary) = read_as(&bytes, DIALECT, &explicit(Tz::UTC, 2019));
    assert_eq!(summary.format, "sophos-xg");
    assert_eq!(observations.len(), 10, "{summary:?}");
    assert_eq!(summary.anomalies_total, 0, "{:?}", summary.anomalies);

    let first = &observations[0];
    // 17:19:06 at timezone "+08".
    assert_eq!(first.ts_ns, utc_ns("2019-10-09T09:19:06Z"));
    assert_eq!((first.src, first.src_port), (ip("11.22.33.44"), Some(52667)));
    assert_eq!((first.dst, first.dst_port), (ip("44.33.22.11"), Some(10051)));
    assert_eq!(first.protocol, IpProtocol::TCP);
    assert_eq!(first.rule.as_deref(), Some("rule 14 Port3 -> Port2"));

    let actions: Vec<Option<FirewallAction>> = observations.iter().map(|o| o.action.clone()).collect();
    let other = |word: &str| Some(FirewallAction::Other(word.to_string()));
    assert_eq!(
        actions,
        vec![
            Some(FirewallAction::Deny),
            Some(FirewallAction::Allow),
            Some(FirewallAction::Log),
            Some(FirewallAction::Drop),
            other("Cleaned"),
            other("Virus"),
            other("Spam"),
            other("Admin"),
            other("Authentication"),
            other("System"),
        ]
    );
}

#[test]
fn damaged_tail_is_an_anomaly() {
    // As shipped, every line ends in `"Signature"th="No Heartbeat`: text glued to a closing
    // quote and a quote that is never closed.
    let bytes = fixture("sophos-xg/wazuh_sophos_fw.log");
    let (observations, summary) = read_as(&bytes, DIALECT, &explicit(Tz::UTC, 2019));
    assert!(observations.is_empty());
    assert_eq!(skipped(&summary, SKIP_INVALID_SOPHOS), 10);
    assert!(summary.anomalies[0].message.contains("appresolvedby"), "{}", summary.anomalies[0].message);
}

#[test]
fn zone_names_and_other_log_types() {
    // The first fixture line with a zone abbreviation in place of the offset, and with another
    // log type.
    let bytes = fixture("sophos-xg/wazuh_sophos_fw.tail_removed.log");
    let text = String::from_utf8(bytes).expect("UTF-8 fixture");
    let line = text.lines().next().expect("line 1");
    let named_zone = line.replace("timezone=\"+08\"", "timezone=\"IST\"");
    let content = line.replace("log_type=\"Firewall\"", "log_type=\"Content Filtering\"");
    let input = format!("{named_zone}\n{content}\n");

    let (observations, summary) = read_as(input.as_bytes(), DIALECT, &explicit(Tz::Asia__Kolkata, 2019));
    assert_eq!(skipped(&summary, SKIP_SOPHOS_NOT_FIREWALL), 1);
    assert_eq!(observations.len(), 1);
    // Read in the import zone, Asia/Kolkata (UTC+05:30), with an anomaly on the line.
    assert_eq!(observations[0].ts_ns, utc_ns("2019-10-09T11:49:06Z"));
    assert_eq!(summary.anomalies.len(), 1);
    assert!(summary.anomalies[0].message.contains("\"IST\""), "{}", summary.anomalies[0].message);
}
