//! Tests of the netfilter importer on real log files and on inline lines for rare shapes.

use std::collections::BTreeSet;
use std::io::{self, BufReader, Read};
use std::net::IpAddr;
use std::path::PathBuf;

use chrono::DateTime;
use chrono_tz::Tz;

use crate::firewall::*;
use crate::model::{FirewallAction, ImportSummary, IpProtocol, Observation, ObservationSink, TcpFlags};

const NANOS_PER_SECOND: i64 = 1_000_000_000;

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/fwlog").join(name);
    std::fs::read(&path).unwrap_or_else(|error| panic!("cannot read fixture {}: {error}", path.display()))
}

fn explicit(zone: Tz, year: i32) -> TimeContext {
    TimeContext { zone, reference: ReferenceYear::Explicit(year) }
}

fn file_modified(zone: Tz, modified: &str) -> TimeContext {
    let modified = DateTime::parse_from_rfc3339(modified).expect("valid test time").to_utc();
    TimeContext { zone, reference: ReferenceYear::FileModified(modified) }
}

fn read(bytes: &[u8], time: &TimeContext) -> (Vec<Observation>, ImportSummary) {
    let mut sink: Vec<Observation> = Vec::new();
    let summary = read_log(bytes, LogDialect::Netfilter, time, &mut sink).expect("import succeeds");
    (sink, summary)
}

fn utc_ns(text: &str) -> i64 {
    let instant = DateTime::parse_from_rfc3339(text).expect("valid test time");
    instant.timestamp_nanos_opt().expect("test time in range")
}

fn ip(text: &str) -> IpAddr {
    text.parse().expect("valid test address")
}

fn dst_ports(observations: &[Observation]) -> BTreeSet<u16> {
    observations.iter().filter_map(|observation| observation.dst_port).collect()
}

/// Builds a TCP SYN LOG line as iptables writes it, with the given syslog time and destination port.
fn syn_line(stamp: &str, dst_port: u16) -> String {
    format!(
        "{stamp} fw kernel: [ 100.000001] IPT-IN IN=eth0 OUT= MAC=02:00:00:00:00:02:02:00:00:00:00:01:08:00 \
         SRC=192.0.2.10 DST=192.0.2.20 LEN=44 TOS=0x00 PREC=0x00 TTL=50 ID=1000 PROTO=TCP SPT=40000 \
         DPT={dst_port} WINDOW=1024 RES=0x00 SYN URGP=0 "
    )
}

/// Reads one netfilter body after a fixed syslog header and returns its only observation.
fn read_body(body: &str) -> (Observation, ImportSummary) {
    let line = format!("Dec  4 19:00:00 fw kernel: [ 1.5] TEST IN=eth0 OUT= {body}\n");
    let (observations, summary) = read(line.as_bytes(), &explicit(Tz::UTC, 2026));
    assert_eq!(observations.len(), 1, "one observation from {body:?}: {summary:?}");
    (observations[0].clone(), summary)
}

#[test]
fn eight_port_syn_scan() {
    let bytes = fixture("scan_nmap_sS_8ports_vic1.log");
    let (observations, summary) = read(&bytes, &explicit(Tz::UTC, 2026));

    assert_eq!(summary.format, "netfilter-syslog");
    assert_eq!(summary.records, 9);
    assert_eq!(summary.observations, 9);
    assert_eq!(summary.skipped_total(), 0);
    assert_eq!(summary.anomalies_total, 0);
    assert_eq!(observations.len(), 9);
    for observation in &observations {
        assert_eq!(observation.src, ip("10.200.0.10"));
        assert_eq!(observation.dst, ip("10.200.0.100"));
        assert_eq!(observation.protocol, IpProtocol::TCP);
        assert_eq!(observation.tcp_flags, Some(TcpFlags(TcpFlags::SYN)));
        let (rule, action) = if observation.dst_port == Some(23) {
            ("IPT-DROP", FirewallAction::Drop)
        } else {
            ("IPT-IN", FirewallAction::Log)
        };
        assert_eq!(observation.rule.as_deref(), Some(rule));
        assert_eq!(observation.action, Some(action));
    }
    assert_eq!(dst_ports(&observations), BTreeSet::from([21, 22, 23, 25, 53, 80, 110, 443]));

    let first = &observations[0];
    assert_eq!(first.ts_ns, utc_ns("2026-12-04T19:35:42Z"));
    assert_eq!(first.src_port, Some(49013));
    assert_eq!(first.dst_port, Some(443));
    assert_eq!(first.ttl, Some(44));
    assert_eq!(first.ip_id, Some(31414));
    assert_eq!(first.tcp_window, Some(1024));
    assert_eq!(first.payload_len, None);
    assert_eq!(first.locator, Locator { record: 1, byte_offset: 0 });
    let second_line_offset = bytes.iter().position(|&byte| byte == b'\n').expect("newline") + 1;
    assert_eq!(observations[1].locator, Locator { record: 2, byte_offset: second_line_offset as u64 });

    assert_eq!(summary.first_ts_ns, Some(utc_ns("2026-12-04T19:35:42Z")));
    assert_eq!(summary.last_ts_ns, Some(utc_ns("2026-12-04T19:35:43Z")));
    let assumption = summary.time_assumption.expect("year-less lines need an assumption");
    assert!(assumption.contains("UTC"), "{assumption}");
    assert!(assumption.contains("2026"), "{assumption}");
}

#[test]
fn rfc3164_and_rfc3339_files_agree() {
    let time = explicit(Tz::UTC, 2026);
    let (traditional, _) = read(&fixture("scan_nmap_sS_8ports_vic1.log"), &time);
    let (precise, precise_summary) = read(&fixture("scan_nmap_sS_8ports_vic1.rfc3339.log"), &time);

    assert_eq!(traditional.len(), 9);
    assert_eq!(precise.len(), traditional.len());
    for (a, b) in traditional.iter().zip(&precise) {
        assert_eq!(a.src, b.src);
        assert_eq!(a.dst, b.dst);
        assert_eq!(a.src_port, b.src_port);
        assert_eq!(a.dst_port, b.dst_port);
        assert_eq!(a.ts_ns.div_euclid(NANOS_PER_SECOND), b.ts_ns.div_euclid(NANOS_PER_SECOND));
    }
    assert_eq!(precise[0].ts_ns, utc_ns("2026-12-04T19:35:42.551158Z"));
    assert_eq!(precise_summary.time_assumption, None);
}

#[test]
fn rfc3339_offset_spellings() {
    let (observations, summary) = read(&fixture("BR-19.log"), &explicit(Tz::UTC, 2000));

    assert_eq!(observations.len(), 7);
    for observation in &observations {
        assert_eq!(observation.ts_ns, utc_ns("2016-03-01T10:25:30Z"), "line {}", observation.locator.record);
    }
    let ports: Vec<Option<u16>> = observations.iter().map(|observation| observation.dst_port).collect();
    let expected = [22, 23, 25, 80, 110, 143, 443].map(Some);
    assert_eq!(ports, expected);
    assert_eq!(summary.time_assumption, None);
}

#[test]
fn rfc3339_keeps_nanoseconds() {
    let line = syn_line("2026-12-04T20:33:31.075147123+01:00", 22);
    let (observations, _) = read(line.as_bytes(), &explicit(Tz::UTC, 2000));

    assert_eq!(observations[0].ts_ns, utc_ns("2026-12-04T19:33:31.075147123Z"));
}

#[test]
fn berlin_summer_time_with_explicit_year() {
    let (observations, summary) = read(&fixture("BR-17.log"), &explicit(Tz::Europe__Berlin, 2018));

    assert_eq!(observations.len(), 5);
    assert_eq!(observations[0].ts_ns, utc_ns("2018-06-06T10:57:29Z"));
    for (index, observation) in observations.iter().enumerate() {
        assert_eq!(observation.ts_ns, observations[0].ts_ns + index as i64 * NANOS_PER_SECOND);
        assert_eq!(observation.action, Some(FirewallAction::Deny));
        assert_eq!(observation.rule.as_deref(), Some("[UFW BLOCK]"));
    }
    let assumption = summary.time_assumption.expect("year-less lines need an assumption");
    assert!(assumption.contains("Europe/Berlin"), "{assumption}");
    assert!(assumption.contains("2018"), "{assumption}");
}

#[test]
fn file_time_year_allows_lines_slightly_ahead() {
    let bytes = fixture("BR-17.log");
    let cases = [
        // Lines up to two hours after the modification time stay in its year.
        ("2018-06-06T09:00:00Z", "2018-06-06T10:57:29Z"),
        ("2018-12-01T00:00:00Z", "2018-06-06T10:57:29Z"),
        // Lines two days after it belong to the year before.
        ("2018-06-04T00:00:00Z", "2017-06-06T10:57:29Z"),
    ];
    for (modified, expected_first) in cases {
        let (observations, summary) = read(&bytes, &file_modified(Tz::Europe__Berlin, modified));
        assert_eq!(observations[0].ts_ns, utc_ns(expected_first), "modified {modified}");
        let assumption = summary.time_assumption.expect("year-less lines need an assumption");
        assert!(assumption.contains("modification time"), "{assumption}");
    }
}

#[test]
fn ufw_lines_over_two_years() {
    let (observations, summary) = read(&fixture("BR-09.log"), &explicit(Tz::UTC, 2020));

    assert_eq!(summary.records, 4);
    assert_eq!(observations.len(), 4);
    for observation in &observations {
        assert_eq!(observation.action, Some(FirewallAction::Deny));
        assert!(observation.action.as_ref().is_some_and(FirewallAction::is_blocking));
        assert_eq!(observation.rule.as_deref(), Some("[UFW BLOCK]"));
    }
    let times: Vec<i64> = observations.iter().map(|observation| observation.ts_ns).collect();
    let expected_times =
        ["2020-02-04T23:33:37Z", "2020-12-26T09:05:47Z", "2021-05-08T11:59:28Z", "2021-11-18T13:39:49Z"].map(utc_ns);
    assert_eq!(times, expected_times);

    // UDP: the IP LEN=103 comes first, the UDP LEN=83 second.
    let udp = &observations[0];
    assert_eq!(udp.protocol, IpProtocol::UDP);
    assert_eq!((udp.src_port, udp.dst_port), (Some(53), Some(36427)));
    assert_eq!(udp.payload_len, Some(83 - 8));
    assert_eq!(udp.ttl, Some(52));
    assert_eq!(udp.ip_id, Some(0));
    assert_eq!(udp.tcp_flags, None);

    let tcp = &observations[1];
    assert_eq!(tcp.tcp_flags, Some(TcpFlags(TcpFlags::CWR | TcpFlags::ECE | TcpFlags::SYN)));
    assert_eq!((tcp.src_port, tcp.dst_port), (Some(17833), Some(22)));
    assert_eq!(tcp.tcp_window, Some(8192));

    let igmp = &observations[3];
    assert_eq!(igmp.protocol, IpProtocol::from_ip_number(2));
    assert_eq!((igmp.src_port, igmp.dst_port), (None, None));
    assert_eq!(igmp.tcp_flags, None);
    assert_eq!(igmp.ttl, Some(1));
    assert_eq!(igmp.dst, ip("224.0.0.1"));
}

#[test]
fn ipv6_syn_scan() {
    let (observations, summary) = read(&fixture("scan_nmap_ipv6_sS_vic1_sll.log"), &explicit(Tz::UTC, 2026));

    assert_eq!(summary.records, 1002);
    assert_eq!(observations.len(), 1002);
    for observation in &observations {
        assert_eq!(observation.src, ip("fd00:200::10"));
        assert_eq!(observation.dst, ip("fd00:200::100"));
        assert_eq!(observation.protocol, IpProtocol::TCP);
        assert_eq!(observation.tcp_flags, Some(TcpFlags(TcpFlags::SYN)));
        assert_eq!(observation.ip_id, None);
    }
    assert_eq!(observations[0].ttl, Some(255));
    assert_eq!(dst_ports(&observations), (1..=1000).collect::<BTreeSet<u16>>());
}

#[test]
fn fin_scan() {
    let (observations, summary) = read(&fixture("scan_nmap_sF_vic1.log"), &explicit(Tz::UTC, 2026));

    assert_eq!(observations.len(), 1007);
    assert!(observations.iter().all(|observation| observation.tcp_flags == Some(TcpFlags(TcpFlags::FIN))));
    assert_eq!(dst_ports(&observations).len(), 1000);
    assert_eq!(summary.first_ts_ns, Some(utc_ns("2026-12-04T19:33:44Z")));
}

#[test]
fn udp_scan() {
    let (observations, _) = read(&fixture("scan_nmap_sU_vic1.log"), &explicit(Tz::UTC, 2026));

    assert_eq!(observations.len(), 52);
    let expected_ports = BTreeSet::from([53, 67, 69, 123, 137, 161, 500, 514, 1900, 5353]);
    assert_eq!(dst_ports(&observations), expected_ports);
    for observation in &observations {
        assert_eq!(observation.protocol, IpProtocol::UDP);
        assert_eq!(observation.tcp_flags, None);
        assert_eq!(observation.tcp_window, None);
        assert!(observation.payload_len.is_some(), "line {}", observation.locator.record);
    }
    // First line: IP LEN=220, UDP LEN=200.
    assert_eq!(observations[0].payload_len, Some(192));
}

#[test]
fn slow_scan_against_default_drop_host() {
    let (observations, summary) = read(&fixture("slow_T1_syn_vic3.log"), &explicit(Tz::UTC, 2026));

    assert_eq!(observations.len(), 16);
    assert!(observations.iter().all(|observation| observation.action == Some(FirewallAction::Drop)));
    assert!(observations.iter().all(|observation| observation.dst == ip("10.200.0.102")));
    // The host accepts SYNs to 22 and 80 without logging them.
    let expected_ports = BTreeSet::from([21, 23, 25, 110, 443, 445, 3389, 8080]);
    assert_eq!(dst_ports(&observations), expected_ports);
    let span_ns = summary.last_ts_ns.zip(summary.first_ts_ns).map(|(last, first)| last - first);
    assert_eq!(span_ns, Some(utc_ns("2026-12-04T19:38:03Z") - utc_ns("2026-12-04T19:34:02Z")));
}

#[test]
fn benign_client_traffic() {
    let bytes = fixture("benign_curl_web_dns_vic1.log");
    let (observations, summary) = read(&bytes, &explicit(Tz::UTC, 2026));

    assert_eq!(observations.len(), 440);
    assert_eq!(summary.anomalies_total, 0);
    let text = String::from_utf8(bytes).expect("fixture is UTF-8");
    let ipv6_lines = text.lines().filter(|line| line.contains("SRC=fd00:")).count();
    let ipv6_observations = observations.iter().filter(|observation| observation.src.is_ipv6()).count();
    assert!(ipv6_lines > 0);
    assert_eq!(ipv6_observations, ipv6_lines);
    // 15 DNS queries by dig.
    let dns: Vec<&Observation> =
        observations.iter().filter(|observation| observation.protocol == IpProtocol::UDP).collect();
    assert_eq!(dns.len(), 15);
    assert!(dns.iter().all(|observation| observation.dst_port == Some(53) && observation.payload_len.is_some()));
    assert!(observations.iter().all(|observation| observation.action == Some(FirewallAction::Log)));
}

#[test]
fn year_advances_at_turn_of_year_only() {
    let text = [
        syn_line("Dec 31 23:59:58", 1),
        syn_line("Jan  1 00:00:01", 2),
        syn_line("Nov 30 23:59:00", 3),
        syn_line("Dec  1 00:00:05", 4),
        // Delivered 6 seconds late across a month boundary: same year.
        syn_line("Nov 30 23:59:59", 5),
    ]
    .join("\n");
    let (observations, summary) = read(text.as_bytes(), &explicit(Tz::UTC, 2025));

    let times: Vec<i64> = observations.iter().map(|observation| observation.ts_ns).collect();
    let expected = [
        "2025-12-31T23:59:58Z",
        "2026-01-01T00:00:01Z",
        "2026-11-30T23:59:00Z",
        "2026-12-01T00:00:05Z",
        "2026-11-30T23:59:59Z",
    ]
    .map(utc_ns);
    assert_eq!(times, expected);
    let assumption = summary.time_assumption.expect("year-less lines need an assumption");
    assert!(assumption.contains("2025 to 2026"), "{assumption}");
}

#[test]
fn december_before_january_file_time() {
    let text = [syn_line("Dec 30 10:00:00", 1), syn_line("Jan  2 10:00:00", 2)].join("\n");
    let (observations, _) = read(text.as_bytes(), &file_modified(Tz::UTC, "2026-01-05T00:00:00Z"));

    assert_eq!(observations[0].ts_ns, utc_ns("2025-12-30T10:00:00Z"));
    assert_eq!(observations[1].ts_ns, utc_ns("2026-01-02T10:00:00Z"));
}

#[test]
fn repeated_hour_keeps_lines_in_order() {
    // Berlin set its clocks back from 03:00 CEST to 02:00 CET on 2024-10-27.
    let text =
        [syn_line("Oct 27 02:30:00", 1), syn_line("Oct 27 02:59:00", 2), syn_line("Oct 27 02:10:00", 3)].join("\n");
    let (observations, summary) = read(text.as_bytes(), &explicit(Tz::Europe__Berlin, 2024));

    let times: Vec<i64> = observations.iter().map(|observation| observation.ts_ns).collect();
    let expected = ["2024-10-27T00:30:00Z", "2024-10-27T00:59:00Z", "2024-10-27T01:10:00Z"].map(utc_ns);
    assert_eq!(times, expected);
    assert_eq!(summary.anomalies_total, 0);
}

#[test]
fn skipped_hour_uses_offset_before_change() {
    // Berlin set its clocks forward from 02:00 CET to 03:00 CEST on 2024-03-31.
    let text = syn_line("Mar 31 02:30:00", 1);
    let (observations, summary) = read(text.as_bytes(), &explicit(Tz::Europe__Berlin, 2024));

    assert_eq!(observations[0].ts_ns, utc_ns("2024-03-31T01:30:00Z"));
    assert_eq!(summary.anomalies_total, 1);
    assert!(summary.anomalies[0].message.contains("does not exist"), "{:?}", summary.anomalies);
}

#[test]
fn february_29_needs_leap_year() {
    let text = syn_line("Feb 29 12:00:00", 1);
    let (observations, summary) = read(text.as_bytes(), &explicit(Tz::UTC, 2023));
    assert!(observations.is_empty());
    assert_eq!(summary.skipped.get(SKIP_INVALID_NETFILTER), Some(&1));
    assert_eq!(summary.anomalies_total, 1);

    let (observations, _) = read(text.as_bytes(), &explicit(Tz::UTC, 2024));
    assert_eq!(observations[0].ts_ns, utc_ns("2024-02-29T12:00:00Z"));
}

#[test]
fn every_line_is_counted_by_reason() {
    let arp = "Dec  4 19:00:01 fw kernel: [ 2.0] ARP-IN IN=eth0 OUT= MAC=ff:ff:ff:ff:ff:ff:02:00:00:00:00:01:08:06 \
               ARP HTYPE=1 PTYPE=0x0800 OPCODE=1 MACSRC=02:00:00:00:00:01 IPSRC=192.0.2.1 \
               MACDST=00:00:00:00:00:00 IPDST=192.0.2.2";
    let bad_address = syn_line("Dec  4 19:00:02", 22).replace("SRC=192.0.2.10", "SRC=192.0.2.300");
    let bad_time = syn_line("Dec 32 19:00:02", 22);
    let text = [
        syn_line("Dec  4 19:00:00", 22).as_str(),
        "",
        "Dec  4 19:00:01 fw sshd[812]: Accepted publickey for root from 192.0.2.9 port 50000",
        arp,
        &bad_address,
        &bad_time,
        "   ",
        &syn_line("Dec  4 19:00:03", 23),
    ]
    .join("\r\n");
    let (observations, summary) = read(text.as_bytes(), &explicit(Tz::UTC, 2026));

    assert_eq!(summary.records, 8);
    assert_eq!(observations.len(), 2);
    assert_eq!(summary.skipped.get(SKIP_BLANK), Some(&2));
    assert_eq!(summary.skipped.get(SKIP_NOT_NETFILTER), Some(&1));
    assert_eq!(summary.skipped.get(SKIP_NO_IP_PACKET), Some(&1));
    assert_eq!(summary.skipped.get(SKIP_INVALID_NETFILTER), Some(&2));
    assert_eq!(summary.records, summary.observations + summary.skipped_total());
    let anomaly_lines: Vec<u64> = summary.anomalies.iter().map(|anomaly| anomaly.locator.record).collect();
    assert_eq!(anomaly_lines, [5, 6]);
    assert!(summary.anomalies[0].message.contains("192.0.2.300"), "{:?}", summary.anomalies[0]);
    // CRLF: the last line's port is read without a trailing carriage return.
    assert_eq!(observations[1].dst_port, Some(23));
    assert_eq!(observations[1].locator.record, 8);
}

#[test]
fn invalid_utf8_is_read_lossily() {
    let mut bytes = syn_line("Dec  4 19:00:00", 22).replace("IPT-IN", "IPT-\u{1}IN").into_bytes();
    let marker = bytes.iter().position(|&byte| byte == 1).expect("marker byte");
    bytes[marker] = 0xff;
    let (observations, summary) = read(&bytes, &explicit(Tz::UTC, 2026));

    assert_eq!(observations.len(), 1);
    assert_eq!(observations[0].rule.as_deref(), Some("IPT-\u{fffd}IN"));
    assert_eq!(summary.anomalies_total, 1);
    assert!(summary.anomalies[0].message.contains("UTF-8"));
}

#[test]
fn too_long_line_skipped() {
    let long_line = "x".repeat(MAX_LINE_BYTES + 10);
    let text = format!("{long_line}\n{}\n", syn_line("Dec  4 19:00:00", 22));
    let (observations, summary) = read(text.as_bytes(), &explicit(Tz::UTC, 2026));

    assert_eq!(summary.skipped.get(SKIP_TOO_LONG), Some(&1));
    assert_eq!(summary.anomalies_total, 1);
    assert_eq!(observations.len(), 1);
    let expected = Locator { record: 2, byte_offset: long_line.len() as u64 + 1 };
    assert_eq!(observations[0].locator, expected);
}

#[test]
fn fragments_carry_no_ports() {
    let ipv4 = "SRC=192.0.2.1 DST=192.0.2.2 LEN=1500 TOS=0x00 PREC=0x00 TTL=64 ID=4242";
    let (first, _) = read_body(&format!("{ipv4} MF PROTO=UDP SPT=5000 DPT=53 LEN=3000"));
    assert_eq!((first.src_port, first.dst_port), (Some(5000), Some(53)));
    assert_eq!(first.payload_len, Some(2992));

    let (later, _) = read_body(&format!("{ipv4} FRAG:185 PROTO=UDP"));
    assert_eq!(later.protocol, IpProtocol::UDP);
    assert_eq!((later.src_port, later.dst_port), (None, None));
    assert_eq!(later.payload_len, None);
    assert_eq!(later.ip_id, Some(4242));

    let (tcp_later, _) = read_body(&format!("{ipv4} FRAG:185 PROTO=TCP SPT=1 DPT=2"));
    assert_eq!((tcp_later.src_port, tcp_later.dst_port), (None, None));
    assert_eq!(tcp_later.tcp_flags, None);

    let ipv6 = "SRC=2001:0db8:0000:0000:0000:0000:0000:0001 DST=2001:0db8:0000:0000:0000:0000:0000:0002 \
                LEN=1280 TC=0 HOPLIMIT=64 FLOWLBL=0";
    let (ipv6_later, _) = read_body(&format!("{ipv6} FRAG:1232 INCOMPLETE ID:0000abcd PROTO=UDP"));
    assert_eq!(ipv6_later.dst, ip("2001:db8::2"));
    assert_eq!((ipv6_later.src_port, ipv6_later.dst_port), (None, None));
    assert_eq!(ipv6_later.ip_id, Some(0xabcd));
    assert_eq!(ipv6_later.ttl, Some(64));
}

#[test]
fn icmp_fields_and_quoted_packet() {
    let (echo, _) = read_body(
        "SRC=10.200.0.50 DST=10.200.0.100 LEN=84 TOS=0x00 PREC=0x00 TTL=64 ID=2452 DF PROTO=ICMP \
         TYPE=8 CODE=0 ID=19096 SEQ=1",
    );
    assert_eq!(echo.protocol, IpProtocol::ICMP);
    assert_eq!(echo.ip_id, Some(2452));
    let info = echo.icmp.expect("ICMP fields");
    assert_eq!((info.icmp_type, info.code, info.quoted), (8, 0, None));

    let (unreachable, summary) = read_body(
        "SRC=192.0.2.2 DST=192.0.2.1 LEN=56 TOS=0x00 PREC=0xC0 TTL=64 ID=9 PROTO=ICMP TYPE=3 CODE=3 \
         [SRC=192.0.2.1 DST=192.0.2.2 LEN=28 TOS=0x00 PREC=0x00 TTL=40 ID=7 PROTO=UDP SPT=5353 DPT=33434 LEN=8 ] ",
    );
    assert_eq!(summary.anomalies_total, 0);
    assert_eq!((unreachable.ttl, unreachable.ip_id), (Some(64), Some(9)));
    assert_eq!((unreachable.src_port, unreachable.dst_port), (None, None));
    let info = unreachable.icmp.expect("ICMP fields");
    assert_eq!((info.icmp_type, info.code), (3, 3));
    let quoted = info.quoted.expect("quoted packet");
    assert_eq!((quoted.src, quoted.dst), (ip("192.0.2.1"), ip("192.0.2.2")));
    assert_eq!(quoted.protocol, IpProtocol::UDP);
    assert_eq!((quoted.src_port, quoted.dst_port), (Some(5353), Some(33434)));

    let (echo6, _) = read_body(
        "SRC=fd00:0200:0000:0000:0000:0000:0000:0050 DST=fd00:0200:0000:0000:0000:0000:0000:0100 LEN=104 \
         TC=0 HOPLIMIT=64 FLOWLBL=1 PROTO=ICMPv6 TYPE=128 CODE=0 ID=5 SEQ=1",
    );
    assert_eq!(echo6.protocol, IpProtocol::ICMPV6);
    assert_eq!(echo6.icmp.map(|info| info.icmp_type), Some(128));
}

#[test]
fn incomplete_transport_header_has_no_flags() {
    let (observation, _) =
        read_body("SRC=192.0.2.1 DST=192.0.2.2 LEN=24 TOS=0x00 PREC=0x00 TTL=64 ID=1 PROTO=TCP INCOMPLETE [4 bytes] ");
    assert_eq!(observation.protocol, IpProtocol::TCP);
    assert_eq!(observation.tcp_flags, None);
    assert_eq!(observation.dst_port, None);
}

#[test]
fn actions_from_prefix_words() {
    let cases = [
        ("IPT-DROP", FirewallAction::Drop),
        ("INPUT_dropped:", FirewallAction::Drop),
        ("[UFW BLOCK]", FirewallAction::Deny),
        ("[UFW LIMIT BLOCK]", FirewallAction::Deny),
        ("nft denied:", FirewallAction::Deny),
        ("FW-REJECT", FirewallAction::Reject),
        ("[UFW ALLOW]", FirewallAction::Allow),
        ("ACCEPT-then-DROP", FirewallAction::Drop),
        ("[UFW AUDIT]", FirewallAction::Log),
        ("IPT-IN", FirewallAction::Log),
        ("", FirewallAction::Log),
    ];
    for (prefix, expected) in cases {
        assert_eq!(crate::firewall::netfilter::action_from_prefix(prefix), expected, "prefix {prefix:?}");
    }
}

#[test]
fn prefix_without_space_and_without_uptime() {
    let line = syn_line("Dec  4 19:00:00", 22).replace("[ 100.000001] IPT-IN IN=", "DROPIN=");
    let (observations, _) = read(line.as_bytes(), &explicit(Tz::UTC, 2026));

    assert_eq!(observations[0].rule.as_deref(), Some("DROP"));
    assert_eq!(observations[0].action, Some(FirewallAction::Drop));
}

struct FailingSink {
    accepted: usize,
}

impl ObservationSink for FailingSink {
    fn push(&mut self, _observation: Observation) -> Result<(), SinkError> {
        if self.accepted == 1 {
            return Err(SinkError(Box::new(io::Error::other("disk full"))));
        }
        self.accepted += 1;
        Ok(())
    }
}

#[test]
fn sink_error_stops_import() {
    let mut sink = FailingSink { accepted: 0 };
    let bytes = fixture("scan_nmap_sS_8ports_vic1.log");
    let result = read_log(bytes.as_slice(), LogDialect::Netfilter, &explicit(Tz::UTC, 2026), &mut sink);

    match result {
        Err(FirewallError::Sink { line, source }) => {
            assert_eq!(line, 2);
            assert_eq!(std::error::Error::source(&source).map(ToString::to_string).as_deref(), Some("disk full"));
        }
        other => panic!("expected a sink error, got {other:?}"),
    }
}

/// Reader that returns its bytes, then fails.
struct FailingReader {
    data: io::Cursor<Vec<u8>>,
}

impl Read for FailingReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.data.read(buf)? {
            0 => Err(io::Error::other("device removed")),
            n => Ok(n),
        }
    }
}

#[test]
fn read_error_names_the_line() {
    let text = format!("{}\n{}\n", syn_line("Dec  4 19:00:00", 22), syn_line("Dec  4 19:00:01", 23));
    let reader = BufReader::new(FailingReader { data: io::Cursor::new(text.into_bytes()) });
    let mut sink: Vec<Observation> = Vec::new();
    let result = read_log(reader, LogDialect::Netfilter, &explicit(Tz::UTC, 2026), &mut sink);

    match result {
        Err(FirewallError::Io { line, source }) => {
            assert_eq!(line, 3);
            assert_eq!(source.to_string(), "device removed");
        }
        other => panic!("expected an I/O error, got {other:?}"),
    }
    assert_eq!(sink.len(), 2);
}

#[test]
fn reference_year_out_of_range_is_rejected() {
    let mut sink: Vec<Observation> = Vec::new();
    let result = read_log(&b""[..], LogDialect::Netfilter, &explicit(Tz::UTC, 3000), &mut sink);
    assert!(matches!(result, Err(FirewallError::ReferenceYearOutOfRange { year: 3000 })), "{result:?}");
}

#[test]
fn dialect_detection() {
    assert_eq!(detect_dialect(&fixture("scan_nmap_sS_8ports_vic1.log")), Some(LogDialect::Netfilter));
    assert_eq!(detect_dialect(&fixture("BR-19.log")), Some(LogDialect::Netfilter));

    let mixed = format!("Dec  4 19:00:01 fw sshd[812]: Accepted\r\n{}\r\n", syn_line("Dec  4 19:00:02", 22));
    assert_eq!(detect_dialect(mixed.as_bytes()), Some(LogDialect::Netfilter));

    let other_syslog = b"Dec  4 19:00:01 fw sshd[812]: Accepted publickey\nDec  4 19:00:02 fw cron[1]: job\n";
    assert_eq!(detect_dialect(other_syslog), None);
    // Kernel ring buffer output has no wall-clock time to read.
    let dmesg = b"[  761.925317] IPT-IN IN=eth0 OUT= SRC=10.0.0.1 DST=10.0.0.2 LEN=44 PROTO=TCP SPT=1 DPT=2\n";
    assert_eq!(detect_dialect(dmesg), None);
    let pcap_head = [0xd4, 0xc3, 0xb2, 0xa1, 0x02, 0x00, 0x04, 0x00, 0x0a, 0xff, 0xfe, b'\n', 0x00];
    assert_eq!(detect_dialect(&pcap_head), None);
    assert_eq!(LogDialect::Netfilter.as_str(), "netfilter-syslog");
}

#[test]
fn tcp_options_read_from_opt() {
    let (observations, summary) = read(&fixture("scan_nmap_sT_vic1.log"), &explicit(chrono_tz::UTC, 2026));
    assert_eq!(summary.observations, 1003);
    let first = &observations[0];
    // OPT (020405B40402080A4DF28018000000000103030A): MSS, SACK permitted, timestamps, NOP,
    // window scale, as Linux builds a connect() SYN.
    let kinds = first.tcp_options.expect("options read").as_slice().to_vec();
    assert_eq!(kinds, [2, 4, 8, 1, 3]);
}

#[test]
fn tcp_options_damaged_give_warning() {
    let line = "Dec  4 19:33:37 vm kernel: [  637.0] IPT-IN IN=eth0 OUT= SRC=10.200.0.10 DST=10.200.0.100 LEN=60 TOS=0x00 PREC=0x00 TTL=64 ID=1 DF PROTO=TCP SPT=49582 DPT=22 WINDOW=64240 RES=0x00 SYN URGP=0 OPT (0204) \n";
    let (observations, summary) = read(line.as_bytes(), &explicit(chrono_tz::UTC, 2026));
    assert_eq!(observations.len(), 1, "the packet is kept without its options");
    assert_eq!(observations[0].tcp_options, None);
    assert_eq!(summary.anomalies.len(), 1, "{:?}", summary.anomalies);
    assert!(summary.anomalies[0].message.contains("TCP options ignored"), "{:?}", summary.anomalies);
}

#[test]
fn same_second_lines_read_as_alone() {
    // Lines of one second reuse the previous line's conversion; each must still get the time
    // it gets when read alone, in a zone with summer time and in one second with fractions
    // out of order.
    let mut bytes = fixture("netfilter/scan_nmap_sS_8ports_vic1.journal-short-precise.log");
    bytes.extend_from_slice(syn_line("Dec 04 19:35:42.000001", 7).as_bytes());
    bytes.push(b'\n');
    for zone in [Tz::UTC, Tz::Europe__Berlin, Tz::America__New_York] {
        let time = explicit(zone, 2026);
        let (together, _) = read(&bytes, &time);
        assert!(together.len() > 8, "{zone}: {} observations", together.len());
        for (observation, line) in together.iter().zip(bytes.split(|&byte| byte == b'\n')) {
            let (alone, _) = read(line, &time);
            assert_eq!(observation.ts_ns, alone[0].ts_ns, "{zone}: line {}", observation.locator.record);
        }
    }
}

#[test]
fn tcp_header_length_from_ip_length() {
    // A Linux connect() SYN over IPv6, logged without --log-tcp-options, as in psad's
    // ipv6_tcp_connect_nmap_default_scan: LEN=80 less the 40-byte IPv6 header.
    let ipv6 = "SRC=2001:db8::2 DST=2001:db8::1 LEN=80 TC=0 HOPLIMIT=64 FLOWLBL=0 PROTO=TCP SPT=46395 DPT=80 \
                WINDOW=5760 RES=0x00 SYN URGP=0 ";
    assert_eq!(read_body(ipv6).0.tcp_header_len, Some(40));

    // nmap's raw SYN over IPv4: LEN=44 less the 20-byte IPv4 header is an MSS-only header.
    let ipv4 = "SRC=192.0.2.10 DST=192.0.2.20 LEN=44 TOS=0x00 PREC=0x00 TTL=50 ID=1000 PROTO=TCP SPT=40000 \
                DPT=22 WINDOW=1024 RES=0x00 SYN URGP=0 ";
    assert_eq!(read_body(ipv4).0.tcp_header_len, Some(24));
}

#[test]
fn tcp_header_length_left_unknown() {
    // Logged TCP options give the header's content, so no length is derived.
    let with_options = "SRC=192.0.2.10 DST=192.0.2.20 LEN=44 TOS=0x00 PREC=0x00 TTL=50 ID=1000 PROTO=TCP \
                        SPT=40000 DPT=22 WINDOW=1024 RES=0x00 SYN URGP=0 OPT (020405B4) ";
    assert_eq!(read_body(with_options).0.tcp_header_len, None);

    // IPv6 extension headers (logged as OPT before PROTO=) make the IP header longer than 40.
    let extension_headers = "SRC=2012:1234:1234::1 DST=2012:1234:1234::2 LEN=132 TC=0 HOPLIMIT=64 FLOWLBL=0 \
                             OPT ( ) OPT ( ) PROTO=TCP SPT=58537 DPT=1234 WINDOW=8192 RES=0x00 SYN URGP=0 ";
    assert_eq!(read_body(extension_headers).0.tcp_header_len, None);

    // 92 bytes after the IPv6 header are more than the longest TCP header of 60 bytes.
    let too_long = "SRC=2012:1234:1234::1 DST=2012:1234:1234::2 LEN=132 TC=0 HOPLIMIT=64 FLOWLBL=0 PROTO=TCP \
                    SPT=58537 DPT=1234 WINDOW=8192 RES=0x00 SYN URGP=0 ";
    assert_eq!(read_body(too_long).0.tcp_header_len, None);

    let udp = "SRC=192.0.2.1 DST=192.0.2.2 LEN=48 TOS=0x00 PREC=0x00 TTL=64 ID=1 PROTO=UDP SPT=5000 DPT=53 LEN=28 ";
    assert_eq!(read_body(udp).0.tcp_header_len, None);
}
