//! Tests of the capture importer. `fixtures` reads the real captures under
//! `fixtures/capture/`, and `format_edge` compares the format edge cases under
//! `fixtures/capture/format_edge/` with tshark. `built` reads inputs derived from them or
//! built with etherparse, and `pcapng` reads pcapng files written block by block for clock
//! and interface cases.

mod built;
mod fixtures;
mod format_edge;
mod pcapng;

use std::collections::BTreeSet;
use std::net::IpAddr;
use std::path::PathBuf;

use super::{read_capture, CaptureError};
use crate::model::{ImportSummary, Observation, TcpFlags, TimestampNs};

/// Returns the path of a file under `fixtures/capture/`.
fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/capture").join(name)
}

/// Returns the bytes of a file under `fixtures/capture/`.
fn fixture_bytes(name: &str) -> Vec<u8> {
    let path = fixture_path(name);
    std::fs::read(&path).unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()))
}

/// Imports a fixture file through `std::fs::File`, as the import pipeline does.
fn import_fixture(name: &str) -> (ImportSummary, Vec<Observation>) {
    let path = fixture_path(name);
    let file = std::fs::File::open(&path).unwrap_or_else(|err| panic!("cannot open {}: {err}", path.display()));
    let mut observations = Vec::new();
    let summary = read_capture(file, &mut observations).unwrap_or_else(|err| panic!("import of {name} failed: {err}"));
    (summary, observations)
}

/// Imports an in-memory capture.
fn import_bytes(bytes: &[u8]) -> Result<(ImportSummary, Vec<Observation>), CaptureError> {
    let mut observations = Vec::new();
    let summary = read_capture(bytes, &mut observations)?;
    Ok((summary, observations))
}

fn addr(text: &str) -> IpAddr {
    text.parse().unwrap_or_else(|err| panic!("bad address {text}: {err}"))
}

/// Converts an RFC 3339 time, as the corpus labels write it, to UTC nanoseconds.
fn label_ns(text: &str) -> TimestampNs {
    chrono::DateTime::parse_from_rfc3339(text)
        .ok()
        .and_then(|time| time.timestamp_nanos_opt())
        .unwrap_or_else(|| panic!("bad label time {text}"))
}

/// Returns the TCP segments from `src` to `dst` whose flags byte is exactly `flags`.
fn tcp_with_flags<'a>(observations: &'a [Observation], src: &str, dst: &str, flags: u8) -> Vec<&'a Observation> {
    let (src, dst) = (addr(src), addr(dst));
    observations
        .iter()
        .filter(|obs| obs.src == src && obs.dst == dst && obs.tcp_flags == Some(TcpFlags(flags)))
        .collect()
}

fn dst_ports(observations: &[&Observation]) -> BTreeSet<u16> {
    observations.iter().filter_map(|obs| obs.dst_port).collect()
}

fn src_ports(observations: &[&Observation]) -> BTreeSet<u16> {
    observations.iter().filter_map(|obs| obs.src_port).collect()
}

/// Returns the file offset of every record of a little-endian classic pcap file, found by
/// walking the 16-byte record headers (caplen at bytes 8..12) independently of the reader.
fn pcap_record_offsets(bytes: &[u8]) -> Vec<u64> {
    const FILE_HEADER_LEN: usize = 24;
    const RECORD_HEADER_LEN: usize = 16;
    let mut offsets = Vec::new();
    let mut offset = FILE_HEADER_LEN;
    while offset + RECORD_HEADER_LEN <= bytes.len() {
        offsets.push(offset as u64);
        let caplen_bytes: [u8; 4] = bytes[offset + 8..offset + 12].try_into().expect("4 bytes");
        offset += RECORD_HEADER_LEN + u32::from_le_bytes(caplen_bytes) as usize;
    }
    offsets
}
