//! Detection over every fixture: each file must be detected as the dialect it was copied as.

use crate::firewall::{detect_dialect, LogDialect};

use super::support::fixture;

/// Number of bytes of a file the import pipeline passes to detection.
const HEAD_BYTES: usize = 64 * 1024;

/// Every log fixture with the dialect it belongs to.
const EXPECTED: &[(&str, LogDialect)] = &[
    ("scan_nmap_sS_8ports_vic1.log", LogDialect::Netfilter),
    ("scan_nmap_sS_8ports_vic1.rfc3339.log", LogDialect::Netfilter),
    ("scan_nmap_sF_vic1.log", LogDialect::Netfilter),
    ("scan_nmap_ipv6_sS_vic1_sll.log", LogDialect::Netfilter),
    ("scan_nmap_sU_vic1.log", LogDialect::Netfilter),
    ("slow_T1_syn_vic3.log", LogDialect::Netfilter),
    ("benign_curl_web_dns_vic1.log", LogDialect::Netfilter),
    ("BR-09.log", LogDialect::Netfilter),
    ("BR-17.log", LogDialect::Netfilter),
    ("BR-19.log", LogDialect::Netfilter),
    ("netfilter/scan_nmap_sS_8ports_vic1.rfc5424.log", LogDialect::Netfilter),
    ("netfilter/scan_nmap_sS_8ports_vic1.journal-short-iso.log", LogDialect::Netfilter),
    ("netfilter/scan_nmap_sS_8ports_vic1.journal-short-precise.log", LogDialect::Netfilter),
    ("netfilter/scan_nmap_sS_8ports_vic1.journal-json.log", LogDialect::NetfilterJournalJson),
    ("netfilter/proxmox-iptables.log", LogDialect::ProxmoxFirewall),
    ("netfilter/unifi-logs.log", LogDialect::Netfilter),
    ("netfilter/firewalld_final_reject.log", LogDialect::Netfilter),
    ("pfsense-filterlog/BR-13.log", LogDialect::PfsenseFilterlog),
    ("pfsense-filterlog/pfsense-rfc5424-filterlog.log", LogDialect::PfsenseFilterlog),
    ("pfsense-filterlog/wazuh_pfsense.log", LogDialect::PfsenseFilterlog),
    ("pfsense-filterlog/mixed_with_firewalld_daemon.log", LogDialect::PfsenseFilterlog),
    ("windows-pfirewall/pfirewall_win11_with_pid_column.log", LogDialect::WindowsFirewall),
    ("windows-pfirewall/pfirewall_azure_stack_edge_msdocs.crlf.log", LogDialect::WindowsFirewall),
    ("cisco-asa/BR-11.log", LogDialect::CiscoAsa),
    ("cisco-asa/elastic_repeat_deny.log", LogDialect::CiscoAsa),
    ("cisco-asa/elastic_106023_iface_with_prefix.headed.log", LogDialect::CiscoAsa),
    ("cisco-asa/wazuh_asa_pix_traffic.headed.log", LogDialect::CiscoAsa),
    ("cisco-asa/wazuh_asa_object_name.log", LogDialect::CiscoAsa),
    ("cisco-asa/logstash_302013_outbound.log", LogDialect::CiscoAsa),
    ("zeek-conn/logstash_bro_spec_conn.tsv.log", LogDialect::ZeekConn),
    ("zeek-conn/elastic_test-conn.json.log", LogDialect::ZeekConn),
    ("suricata-eve/crowdsec_suricata-logs-evelog.log", LogDialect::SuricataEve),
    ("suricata-eve/wijungle_eve_ET_SCAN_excerpt.log", LogDialect::SuricataEve),
    ("pf-tcpdump/openbsd_pflog_block_in.log", LogDialect::PfTcpdump),
    ("fortigate/tenzir_fortigate_inputs.log", LogDialect::Fortigate),
    ("fortigate/wazuh_fortigate.log", LogDialect::Fortigate),
    ("panos-csv/BR-15.log", LogDialect::PanosCsv),
    ("panos-csv/elastic_panw_traffic_excerpt.log", LogDialect::PanosCsv),
    ("panos-csv/wazuh_paloalto_csv.log", LogDialect::PanosCsv),
    ("panos-leef/wazuh_paloalto_leef.log", LogDialect::PanosLeef),
    ("juniper-srx/elastic_test-flow.log", LogDialect::JuniperSrx),
    ("juniper-srx/wazuh_junos.log", LogDialect::JuniperSrx),
    ("juniper-srx-text/logstash_junos_spec.log", LogDialect::JuniperSrxText),
    ("zeek-conn/derived_scan_nmap_sS_8ports_vic1.conn.log", LogDialect::ZeekConn),
    ("suricata-eve/derived_scan_nmap_sS_8ports_vic1.eve.json", LogDialect::SuricataEve),
    ("checkpoint/tenzir_checkpoint_syslog.log", LogDialect::Checkpoint),
    ("checkpoint/tenzir_checkpoint.ndjson.log", LogDialect::Checkpoint),
    ("checkpoint/wazuh_checkpoint_smart1.log", LogDialect::Checkpoint),
    ("sonicwall/wazuh_sonicwall.log", LogDialect::Sonicwall),
    ("mikrotik/crowdsec_mikrotik-logs.log", LogDialect::Mikrotik),
    ("mikrotik/crowdsec_mikrotik-scan-multi_ports.log", LogDialect::Mikrotik),
    ("sophos-xg/wazuh_sophos_fw.log", LogDialect::SophosXg),
    ("sophos-xg/wazuh_sophos_fw.tail_removed.log", LogDialect::SophosXg),
];

#[test]
fn every_fixture_detected_as_its_dialect() {
    for (name, expected) in EXPECTED {
        let bytes = fixture(name);
        let head = &bytes[..bytes.len().min(HEAD_BYTES)];
        assert_eq!(detect_dialect(head), Some(*expected), "fixture {name}");
    }
}

#[test]
fn every_dialect_has_a_fixture() {
    for dialect in LogDialect::ALL {
        assert!(EXPECTED.iter().any(|(_, expected)| *expected == dialect), "no fixture for {}", dialect.as_str());
    }
}

#[test]
fn dialect_names_are_distinct_lower_case() {
    let mut names: Vec<&str> = LogDialect::ALL.iter().map(|dialect| dialect.as_str()).collect();
    for name in &names {
        assert!(name.chars().all(|c| c.is_ascii_lowercase() || c == '-'), "name {name}");
    }
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), LogDialect::ALL.len());
}
