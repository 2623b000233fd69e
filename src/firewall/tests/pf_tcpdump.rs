//! Tests of the `pf-tcpdump` dialect on an OpenBSD pflog excerpt printed by tcpdump.

use chrono_tz::Tz;

use super::support::{explicit, fixture, ip, read_as, skipped, utc_ns};
use crate::firewall::{LogDialect, SKIP_INVALID_PF};
use crate::model::{FirewallAction, IpProtocol, TcpFlags};

#[test]
fn openbsd_block_in_lines() {
    let bytes = fixture("pf-tcpdump/openbsd_pflog_block_in.log");
    let (observations, summary) = read_as(&bytes, LogDialect::PfTcpdump, &explicit(Tz::UTC, 2016));
    assert_eq!(summary.format, "pf-tcpdump");
    assert_eq!(summary.records, 37);
    assert_eq!(observations.len(), 36, "{:?}", summary.anomalies);
    assert_eq!(skipped(&summary, SKIP_INVALID_PF), 1);
    // The sample's anonymised address lost its dot before the port on line 24.
    assert_eq!(summary.anomalies[0].locator.record, 24);
    assert!(summary.anomalies[0].message.contains("203.0.113.455358"), "{}", summary.anomalies[0].message);

    let first = &observations[0];
    assert_eq!(first.ts_ns, utc_ns("2016-08-29T15:41:11.757829Z"));
    assert_eq!((first.src, first.src_port), (ip("86.47.225.151"), Some(55806)));
    assert_eq!((first.dst, first.dst_port), (ip("203.0.113.45"), Some(23)));
    assert_eq!(first.protocol, IpProtocol::TCP);
    assert_eq!(first.tcp_flags, Some(TcpFlags(TcpFlags::SYN)));
    assert_eq!(first.action, Some(FirewallAction::Deny));
    assert_eq!(first.rule.as_deref(), Some("rule 0 (match) on vio0 in"));

    assert_eq!(observations[1].tcp_flags, Some(TcpFlags(TcpFlags::SYN | TcpFlags::ACK)), "old-style 'ack N'");
    assert_eq!(observations[5].tcp_flags, Some(TcpFlags(TcpFlags::RST)));
    let ecn_syn = TcpFlags::SYN | TcpFlags::CWR | TcpFlags::ECE;
    assert_eq!(observations[15].tcp_flags, Some(TcpFlags(ecn_syn)));
    let udp = &observations[17];
    assert_eq!(udp.protocol, IpProtocol::UDP);
    assert_eq!((udp.src_port, udp.dst_port), (Some(53510), Some(2362)));
    assert_eq!(udp.tcp_flags, None);
}

#[test]
fn tcpdump_new_style_and_dated_time() {
    // The sample's first packet as a newer tcpdump prints it with -tttt.
    let text = b"2016-08-29 15:41:11.757829 rule 0/(match) block in on vio0: 86.47.225.151.55806 > 203.0.113.45.23: Flags [S.], seq 757158343, win 52206, length 0\n";
    let (observations, summary) = read_as(text, LogDialect::PfTcpdump, &explicit(Tz::Europe__Berlin, 2000));
    assert_eq!(observations.len(), 1, "{:?}", summary.anomalies);
    assert_eq!(observations[0].ts_ns, utc_ns("2016-08-29T13:41:11.757829Z"));
    assert_eq!(observations[0].tcp_flags, Some(TcpFlags(TcpFlags::SYN | TcpFlags::ACK)));
}
