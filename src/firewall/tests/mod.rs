//! Tests of the firewall log importers, one file per dialect, on lines copied from real logs
//! into `fixtures/fwlog/`.

mod detection;
mod filterlog;
mod netfilter;
mod netfilter_variants;
mod pfirewall;
mod support;
