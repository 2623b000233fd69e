//! scancase: offline forensics and reporting for network scan incidents.
//!
//! The library holds everything the `scancase` command and the desktop shell do:
//!
//! - [`capture`] reads packet captures (pcap, pcapng) into observations;
//! - [`firewall`] reads firewall logs into observations;
//! - [`case`] stores evidence, observations, contacts, findings and the report in one
//!   SQLite case file;
//! - [`import`] runs an evidence file through detection, hashing and an importer into the
//!   case, all or nothing;
//! - [`analysis`] aggregates observations into contacts and finds scans;
//! - [`report`] drafts the incident report and writes it as Markdown and PDF;
//! - [`contract`] is the findings JSON shape other tools read;
//! - [`workflow`] drafts and exports the report of a case for the CLI and the desktop shell.
//!
//! The shared types of the pipeline live in [`model`]. Nothing here knows about the
//! command line or a user interface.

#![warn(missing_docs)]

pub mod analysis;
pub mod capture;
pub mod case;
pub mod contract;
pub mod firewall;
pub mod import;
pub mod model;
pub mod report;
pub mod workflow;

/// Version of this build, recorded in case files and reports.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
