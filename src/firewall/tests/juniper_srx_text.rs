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
