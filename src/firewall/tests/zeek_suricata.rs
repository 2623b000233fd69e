//! Tests of the `zeek-conn` and `suricata-eve` sensor dialects on lines from public test suites.

use chrono_tz::Tz;

use super::support::{explicit, fixture, ip, read_as, skipped};
use crate::firewall::{LogDialect, SKIP_EVE_OTHER_EVENT, SKIP_HEADER, SKIP_INVALID_ZEEK_CONN};
use crate::model::{FirewallAction, IpProtocol, ResponderReply, TcpFlags};

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

/// Returns the responder reply of an observation, failing when it has none.
fn reply_of(observation: &crate::model::Observation) -> ResponderReply {
    observation.connection.map(|summary| summary.reply).unwrap_or_else(|| panic!("no reply: {observation:?}"))
}

#[test]
fn zeek_real_records_give_replies() {
    let bytes = fixture("zeek-conn/logstash_bro_spec_conn.tsv.log");
    let (observations, _) = read_as(&bytes, LogDialect::ZeekConn, &explicit(Tz::UTC, 2000));

    // DNS over UDP, "SF" with history "Dd": the server answered with payload.
    let dns = observations[0].connection.expect("summary");
    assert_eq!(dns.reply, ResponderReply::Open);
    assert!(dns.payload_exchanged);

    // "SHR" with "^hCadcCfA": the originator's SYN is not in the record.
    assert_eq!(reply_of(&observations[1]), ResponderReply::Midstream);

    // "SF" with "ShADadfF": a full TLS connection.
    let tls = observations[2].connection.expect("summary");
    assert_eq!(tls.reply, ResponderReply::Open);
    assert!(tls.handshake_completed);
    assert!(!tls.source_reset);
    assert!(tls.payload_exchanged);

    let bytes = fixture("zeek-conn/elastic_test-conn.json.log");
    let (observations, _) = read_as(&bytes, LogDialect::ZeekConn, &explicit(Tz::UTC, 2000));
    // Line 5: "OTH" with history "C" and resp_pkts 0: nothing came back.
    assert_eq!(reply_of(&observations[4]), ResponderReply::Unanswered);
    // Line 9: UDP "SHR" with "Cd" and resp_pkts 1: the DNS server answered.
    assert_eq!(reply_of(&observations[8]), ResponderReply::Open);
}

#[test]
fn zeek_history_of_syn_scan() {
    let bytes = fixture("zeek-conn/derived_scan_nmap_sS_8ports_vic1.conn.log");
    let (observations, summary) = read_as(&bytes, LogDialect::ZeekConn, &explicit(Tz::UTC, 2000));
    assert_eq!(observations.len(), 9, "{summary:?}");
    for observation in &observations {
        let summary = observation.connection.expect("summary");
        let state = observation.rule.as_deref().unwrap_or("");
        // The corpus capture shows 22, 25 and 80 open, 23 dropped and the rest reset.
        match observation.dst_port {
            Some(22 | 25 | 80) => {
                assert_eq!(summary.reply, ResponderReply::Open, "{state}");
                assert!(summary.source_reset, "nmap resets the half-open connection: {state}");
                assert!(!summary.handshake_completed, "{state}");
            }
            Some(23) => assert_eq!(summary.reply, ResponderReply::Unanswered, "{state}"),
            _ => assert_eq!(summary.reply, ResponderReply::Closed, "{state}"),
        }
    }
}

#[test]
fn zeek_state_without_history() {
    // The same records with the history column unset: conn_state alone decides.
    let text = String::from_utf8(fixture("zeek-conn/derived_scan_nmap_sS_8ports_vic1.conn.log")).expect("UTF-8");
    let unset: String = text
        .lines()
        .map(|line| {
            let mut columns: Vec<&str> = line.split('\t').collect();
            if !line.starts_with('#') {
                columns[15] = "-";
            }
            columns.join("\t") + "\n"
        })
        .collect();
    let (observations, _) = read_as(unset.as_bytes(), LogDialect::ZeekConn, &explicit(Tz::UTC, 2000));
    let by_state = |state: &str| {
        observations.iter().filter(|o| o.rule.as_deref().is_some_and(|rule| rule.starts_with(state))).count()
    };
    let replies = |reply: ResponderReply| observations.iter().filter(|o| reply_of(o) == reply).count();
    assert_eq!(replies(ResponderReply::Open), by_state("conn_state RSTO,"));
    assert_eq!(replies(ResponderReply::Closed), by_state("conn_state REJ,"));
    assert_eq!(replies(ResponderReply::Unanswered), by_state("conn_state S0,"));
    assert!(observations.iter().all(|o| !o.connection.is_some_and(|summary| summary.source_reset)));
}

#[test]
fn suricata_real_flow_is_closed() {
    let bytes = fixture("suricata-eve/crowdsec_suricata-logs-evelog.log");
    let (observations, _) = read_as(&bytes, LogDialect::SuricataEve, &explicit(Tz::UTC, 2000));
    // The server's flags 0x14 are RST and ACK, without SYN: the port is closed.
    assert_eq!(reply_of(&observations[2]), ResponderReply::Closed);
    // Alerts describe one packet, not a whole flow.
    assert_eq!(observations[0].connection, None);
}

#[test]
fn suricata_flows_of_connect_scan() {
    let bytes = fixture("suricata-eve/derived_scan_nmap_sT_vic1.eve.json");
    let (observations, _) = read_as(&bytes, LogDialect::SuricataEve, &explicit(Tz::UTC, 2000));
    let open: Vec<_> = observations.iter().filter(|o| reply_of(o) == ResponderReply::Open).collect();
    assert!(!open.is_empty());
    for flow in open {
        let summary = flow.connection.expect("summary");
        assert!(summary.handshake_completed, "nmap -sT completes each open port's handshake: {flow:?}");
        assert!(!summary.source_reset);
    }
}
