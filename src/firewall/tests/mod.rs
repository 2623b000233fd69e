//! Tests of the firewall log importers, one file per dialect, on lines copied from real logs
//! into `fixtures/fwlog/`.

mod checkpoint;
mod cisco_asa;
mod detection;
mod filterlog;
mod fortigate;
mod header_reader;
mod juniper_srx;
mod juniper_srx_text;
mod mikrotik;
mod netfilter;
mod netfilter_variants;
mod panos;
mod panos_leef;
mod pf_tcpdump;
mod pfirewall;
mod sonicwall;
mod sophos;
mod support;
mod zeek_suricata;
