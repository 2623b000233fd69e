//! scancase: offline forensics and reporting for network scan incidents.
//!
//! The library holds everything the `scancase` command and the desktop shell do:
//!
//! - [`capture`] reads packet captures (pcap, pcapng) into observations;
//! - [`firewall`] reads firewall logs into observations;
//! - [`aggregate`] turns one evidence file's observations into probes and contacts;
//! - [`case`] stores evidence, probes, contacts, findings and the report in one SQLite case
//!   file;
//! - [`import`] runs an evidence file through detection, hashing and an importer into the
//!   case, all or nothing;
//! - [`analysis`] finds scans among the contacts of all evidence and scores them;
//! - [`report`] drafts the incident report and writes it as Markdown and PDF;
//! - [`contract`] is the findings JSON shape other tools read;
//! - [`evaluation`] measures the analysis against a labelled corpus;
//! - [`text_escape`] makes control, bidirectional and zero-width characters of evidence
//!   text visible for terminals and reports;
//! - [`workflow`] drafts and exports the report of a case for the CLI and the desktop shell.
//! - [`job`] reports the progress of the analysis and the report exports and lets a caller
//!   cancel them.
//!
//! The shared types of the pipeline live in [`model`]. Nothing here knows about the
//! command line or a user interface.

#![warn(missing_docs)]

pub mod aggregate;
pub mod analysis;
pub mod capture;
pub mod case;
pub mod contract;
pub mod evaluation;
pub mod firewall;
pub mod import;
pub mod inspect;
pub mod job;
pub mod model;
pub mod report;
pub mod text_escape;
pub mod workflow;

/// Version of this build, recorded in case files and reports.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
