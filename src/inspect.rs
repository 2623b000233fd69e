//! Inspecting one evidence file without a case: what scancase reads in it, record by record.
//!
//! [`inspect_file`] checks, hashes and detects the file as an import does, streams its
//! observations through an [`ObservationWriter`], then writes the anomalies and a summary.
//! Nothing is stored. Investigators use it to check a file quickly, and tests use it to
//! compare scancase's reading with tshark's.
//!
//! Two output styles exist. [`OutputStyle::JsonLines`] writes one JSON object per line: first
//! one per observation, then one per anomaly, then one summary object. Its fields are a
//! contract documented in `docs/inspect-json.md`. [`OutputStyle::Text`] writes the same
//! content as one readable line per observation, for a person at a terminal. Text taken
//! from the evidence (rule names, anomaly messages, the path) goes through
//! [`escape_invisible`] in that style, so control, bidirectional and zero-width characters
//! show as `\u{XXXX}`. The JSON style keeps them, escaped only as JSON requires.
//!
//! Terms: a *record* is a capture frame or a log line, numbered from 1 as tshark and text
//! editors number them. An *anomaly* is a problem the importer recorded without stopping.

use std::fmt;
use std::io::{self, Write};
use std::net::IpAddr;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::ser::Serializer;
use serde::Serialize;

use crate::import::source::hash_source_in_background;
use crate::import::{identify, read_evidence, EvidenceSource, ImportError, ImportObserver, ImportOptions};
use crate::model::{
    Anomaly, ArpOperation, EvidenceKind, ImportSummary, IpProtocol, Locator, Observation, ObservationSink, SinkError,
    TimestampNs,
};
use crate::text_escape::escape_invisible;

/// Nanoseconds in one second.
const NANOS_PER_SECOND: i64 = 1_000_000_000;

/// Days from 0001-01-01 (day 1 of chrono's common era count) to 1970-01-01.
const UNIX_EPOCH_DAYS_FROM_CE: i64 = 719_163;

/// Output style of [`inspect_file`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputStyle {
    /// One JSON object per line, as documented in `docs/inspect-json.md`.
    JsonLines,
    /// One readable line per observation.
    Text,
}

/// An error that stopped an inspection.
#[derive(Debug, thiserror::Error)]
pub enum InspectError {
    /// The file was rejected or could not be read; its observations may be partly written.
    #[error(transparent)]
    Import(#[from] ImportError),
    /// Writing the anomalies or the summary failed.
    #[error("writing the inspection output failed")]
    Write(#[source] io::Error),
}

/// Reads one evidence file and writes every observation, then every anomaly kept, then a
/// summary to `output`. Returns the importer's summary.
///
/// `options.format` overrides format detection as it does for an import; `options.zone` and
/// `options.year` set how log times without a zone or year are read.
///
/// # Errors
///
/// [`InspectError::Import`] when the file is missing, empty, of no known format or rejected
/// by its importer, and when writing an observation fails (the write error is the source of
/// the importer's sink error). [`InspectError::Write`] when writing the rest fails.
pub fn inspect_file(
    path: &Path,
    options: &ImportOptions,
    style: OutputStyle,
    observer: &mut dyn ImportObserver,
    output: &mut dyn Write,
) -> Result<ImportSummary, InspectError> {
    let mut source = identify(path, options.format.as_deref())?;
    let mut writer = ObservationWriter::new(io::BufWriter::new(output), style, source.format.kind());
    // The SHA-256 for the summary line is taken on a second thread while this one parses.
    let cancelled = AtomicBool::new(false);
    let (summary, hashed) = std::thread::scope(|scope| {
        let identified = &source;
        let hashing = scope.spawn(|| hash_source_in_background(identified, &cancelled));
        let summary = read_evidence(identified, options, observer, &mut writer);
        if summary.is_err() {
            cancelled.store(true, Ordering::Relaxed);
        }
        (summary, hashing.join().expect("the hashing thread does not panic"))
    });
    let summary = summary?;
    source.sha256 = hashed.map_err(|error| ImportError::Unreadable { path: path.to_path_buf(), source: error })?;
    writer.write_end(&source, &summary).map_err(InspectError::Write)?;
    Ok(summary)
}

/// An [`ObservationSink`] that writes each observation to a [`Write`] as it arrives, in the
/// chosen style, followed by [`ObservationWriter::write_end`] once the file is read.
pub struct ObservationWriter<W: Write> {
    output: W,
    style: OutputStyle,
    kind: EvidenceKind,
    /// The JSON line being written, kept to reuse its allocation.
    line: Vec<u8>,
}

impl<W: Write> ObservationWriter<W> {
    /// Creates a writer for observations of evidence of the given kind. Log observations
    /// carry the firewall action and rule, capture observations do not.
    pub fn new(output: W, style: OutputStyle, kind: EvidenceKind) -> Self {
        Self { output, style, kind, line: Vec::new() }
    }

    /// Writes one observation.
    ///
    /// # Errors
    ///
    /// Returns the error of the underlying writer.
    pub fn write_observation(&mut self, observation: &Observation) -> io::Result<()> {
        match self.style {
            OutputStyle::JsonLines => {
                self.line.clear();
                push_observation_json(&mut self.line, observation, self.kind)?;
                self.output.write_all(&self.line)
            }
            OutputStyle::Text => write_observation_text(&mut self.output, observation, self.kind),
        }
    }

    /// Writes the anomalies kept in `summary`, then the summary of `source`, and flushes.
    ///
    /// # Errors
    ///
    /// Returns the error of the underlying writer.
    pub fn write_end(&mut self, source: &EvidenceSource, summary: &ImportSummary) -> io::Result<()> {
        for anomaly in &summary.anomalies {
            self.write_anomaly(anomaly)?;
        }
        match self.style {
            OutputStyle::JsonLines => {
                let line = SummaryLine { summary: SummaryFields::new(source, summary) };
                serde_json::to_writer(&mut self.output, &line)?;
                self.output.write_all(b"\n")?;
            }
            OutputStyle::Text => write_summary_text(&mut self.output, source, summary, self.kind)?,
        }
        self.output.flush()
    }

    fn write_anomaly(&mut self, anomaly: &Anomaly) -> io::Result<()> {
        match self.style {
            OutputStyle::JsonLines => {
                let (headline, reason) = split_message(&anomaly.message);
                let line = AnomalyLine {
                    anomaly: headline,
                    reason,
                    record: record_number(anomaly.locator),
                    offset: anomaly.locator.byte_offset,
                };
                serde_json::to_writer(&mut self.output, &line)?;
                self.output.write_all(b"\n")
            }
            OutputStyle::Text => {
                write!(self.output, "anomaly at byte {}", anomaly.locator.byte_offset)?;
                if let Some(record) = record_number(anomaly.locator) {
                    write!(self.output, " ({} {record})", record_label(self.kind))?;
                }
                writeln!(self.output, ": {}", escape_invisible(&anomaly.message))
            }
        }
    }
}

impl<W: Write> ObservationSink for ObservationWriter<W> {
    fn push(&mut self, observation: Observation) -> Result<(), SinkError> {
        self.write_observation(&observation).map_err(|error| SinkError(Box::new(error)))
    }
}

/// Returns the record number of a locator, or `None` for a locator that points at a file
/// position rather than a record (record 0).
fn record_number(locator: Locator) -> Option<u64> {
    (locator.record != 0).then_some(locator.record)
}

fn record_label(kind: EvidenceKind) -> &'static str {
    match kind {
        EvidenceKind::Capture => "frame",
        EvidenceKind::FirewallLog => "line",
    }
}

/// Splits an anomaly message at its first `": "` into what happened and why. Importers
/// write messages that way, for example `capture truncated at byte 200: the record ...`; a
/// message without the separator has no separate reason.
fn split_message(message: &str) -> (&str, Option<&str>) {
    match message.split_once(": ") {
        Some((headline, reason)) => (headline, Some(reason)),
        None => (message, None),
    }
}

/// A UTC time written as RFC 3339 with exactly nine fraction digits and `Z`, for example
/// `2026-12-04T19:35:42.547877000Z`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rfc3339Nanos(pub TimestampNs);

impl Rfc3339Nanos {
    /// Returns the text as ASCII bytes, or `None` for a time chrono cannot place (none of an
    /// `i64` of nanoseconds, which spans the years 1677 to 2262).
    fn to_ascii(self) -> Option<[u8; 30]> {
        let seconds = self.0.div_euclid(NANOS_PER_SECOND);
        let nanos = self.0.rem_euclid(NANOS_PER_SECOND);
        let days = seconds.div_euclid(86_400);
        let second_of_day = seconds.rem_euclid(86_400);
        let date = i32::try_from(days + UNIX_EPOCH_DAYS_FROM_CE)
            .ok()
            .and_then(chrono::NaiveDate::from_num_days_from_ce_opt)?;

        use chrono::Datelike;
        let mut text = *b"0000-00-00T00:00:00.000000000Z";
        put_digits(&mut text[0..4], i64::from(date.year()));
        put_digits(&mut text[5..7], i64::from(date.month()));
        put_digits(&mut text[8..10], i64::from(date.day()));
        put_digits(&mut text[11..13], second_of_day / 3600);
        put_digits(&mut text[14..16], second_of_day / 60 % 60);
        put_digits(&mut text[17..19], second_of_day % 60);
        put_digits(&mut text[20..29], nanos);
        Some(text)
    }
}

impl fmt::Display for Rfc3339Nanos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.to_ascii().ok_or(fmt::Error)?;
        // Every byte is an ASCII digit or one of the template's ASCII characters.
        f.write_str(std::str::from_utf8(&text).map_err(|_| fmt::Error)?)
    }
}

/// Writes `value` as decimal digits into `slot`, zero-padded on the left. The value must fit.
fn put_digits(slot: &mut [u8], mut value: i64) {
    for byte in slot.iter_mut().rev() {
        // The remainder is in 0..10, so the cast cannot truncate.
        *byte = b'0' + (value % 10) as u8;
        value /= 10;
    }
}

/// Serializes a value through its `Display` text.
struct DisplayField<T>(T);

impl<T: fmt::Display> Serialize for DisplayField<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

/// Appends one observation as a JSON object and a newline to `line`. The keys are written in
/// the documented order, and `action` and `rule` only for log evidence.
///
/// The line is written by hand rather than through serde_json, which escapes every key and
/// value and so took most of the time of `inspect --json`: keys, numbers, addresses, times
/// and flag letters never need escaping. The action and rule, which come from the log, are
/// written through serde_json.
fn push_observation_json(line: &mut Vec<u8>, obs: &Observation, kind: EvidenceKind) -> io::Result<()> {
    line.extend_from_slice(b"{\"ts\":\"");
    line.extend_from_slice(&Rfc3339Nanos(obs.ts_ns).to_ascii().ok_or_else(|| io::Error::other("time out of range"))?);
    line.extend_from_slice(b"\",\"src\":");
    push_address(line, obs.src)?;
    line.extend_from_slice(b",\"sport\":");
    push_number(line, obs.src_port.map(u64::from));
    line.extend_from_slice(b",\"dst\":");
    push_address(line, obs.dst)?;
    line.extend_from_slice(b",\"dport\":");
    push_number(line, obs.dst_port.map(u64::from));
    line.extend_from_slice(b",\"proto\":");
    match protocol_name(obs.protocol) {
        Some(name) => {
            line.push(b'"');
            line.extend_from_slice(name.as_bytes());
            line.push(b'"');
        }
        None => push_number(line, Some(u64::from(obs.protocol.number()))),
    }
    line.extend_from_slice(b",\"tcp_flags\":");
    match obs.tcp_flags {
        Some(flags) => write!(line, "\"{flags}\"")?,
        None => line.extend_from_slice(b"null"),
    }
    line.extend_from_slice(b",\"tcp_options\":");
    match &obs.tcp_options {
        Some(kinds) => {
            line.push(b'[');
            for (index, kind) in kinds.as_slice().iter().enumerate() {
                if index > 0 {
                    line.push(b',');
                }
                push_number(line, Some(u64::from(*kind)));
            }
            line.push(b']');
        }
        None => line.extend_from_slice(b"null"),
    }
    line.extend_from_slice(b",\"tcp_window\":");
    push_number(line, obs.tcp_window.map(u64::from));
    line.extend_from_slice(b",\"ttl\":");
    push_number(line, obs.ttl.map(u64::from));
    line.extend_from_slice(b",\"ip_id\":");
    push_number(line, obs.ip_id.map(u64::from));
    line.extend_from_slice(b",\"payload_len\":");
    push_number(line, obs.payload_len.map(u64::from));
    line.extend_from_slice(b",\"icmp_type\":");
    push_number(line, obs.icmp.map(|icmp| u64::from(icmp.icmp_type)));
    line.extend_from_slice(b",\"icmp_code\":");
    push_number(line, obs.icmp.map(|icmp| u64::from(icmp.code)));
    line.extend_from_slice(b",\"arp_op\":");
    match obs.arp {
        Some(ArpOperation::Request) => line.extend_from_slice(b"\"request\""),
        Some(ArpOperation::Reply) => line.extend_from_slice(b"\"reply\""),
        None => line.extend_from_slice(b"null"),
    }
    line.extend_from_slice(b",\"locator\":{\"record\":");
    push_number(line, Some(obs.locator.record));
    line.extend_from_slice(b",\"byte_offset\":");
    push_number(line, Some(obs.locator.byte_offset));
    line.push(b'}');
    if kind == EvidenceKind::FirewallLog {
        line.extend_from_slice(b",\"action\":");
        serde_json::to_writer(&mut *line, &obs.action.as_ref().map(|action| action.as_str()))?;
        line.extend_from_slice(b",\"rule\":");
        serde_json::to_writer(&mut *line, &obs.rule)?;
        line.extend_from_slice(b",\"responder\":");
        match obs.connection {
            Some(summary) => write!(line, "\"{}\"", summary.reply.as_str())?,
            None => line.extend_from_slice(b"null"),
        }
    }
    line.extend_from_slice(b"}\n");
    Ok(())
}

/// Appends an address as a JSON string: IPv4 dotted, IPv6 in RFC 5952 form.
fn push_address(line: &mut Vec<u8>, address: IpAddr) -> io::Result<()> {
    line.push(b'"');
    match address {
        // Four numbers written directly cost a fraction of `Ipv4Addr`'s `Display`.
        IpAddr::V4(v4) => {
            for (index, octet) in v4.octets().into_iter().enumerate() {
                if index > 0 {
                    line.push(b'.');
                }
                push_number(line, Some(u64::from(octet)));
            }
        }
        IpAddr::V6(v6) => write!(line, "{v6}")?,
    }
    line.push(b'"');
    Ok(())
}

/// Appends a number in decimal, or `null`.
fn push_number(line: &mut Vec<u8>, value: Option<u64>) {
    let Some(mut value) = value else {
        line.extend_from_slice(b"null");
        return;
    };
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    loop {
        start -= 1;
        // The remainder is in 0..10, so the cast cannot truncate.
        digits[start] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    line.extend_from_slice(&digits[start..]);
}

/// Returns the contract's name of a protocol, or `None` when it is written as a number.
fn protocol_name(protocol: IpProtocol) -> Option<&'static str> {
    match protocol {
        IpProtocol::TCP => Some("tcp"),
        IpProtocol::UDP => Some("udp"),
        IpProtocol::ICMP => Some("icmp"),
        IpProtocol::ICMPV6 => Some("icmpv6"),
        IpProtocol::SCTP => Some("sctp"),
        IpProtocol::ARP => Some("arp"),
        _ => None,
    }
}

#[derive(Serialize)]
struct AnomalyLine<'a> {
    anomaly: &'a str,
    reason: Option<&'a str>,
    record: Option<u64>,
    offset: u64,
}

#[derive(Serialize)]
struct SummaryLine<'a> {
    summary: SummaryFields<'a>,
}

#[derive(Serialize)]
struct SummaryFields<'a> {
    path: String,
    format: &'a str,
    size_bytes: u64,
    sha256: &'a str,
    records: u64,
    observations: u64,
    skipped: u64,
    skipped_by_reason: &'a std::collections::BTreeMap<String, u64>,
    anomalies: u64,
    anomalies_listed: usize,
    first_ts: Option<DisplayField<Rfc3339Nanos>>,
    last_ts: Option<DisplayField<Rfc3339Nanos>>,
    time_assumption: Option<&'a str>,
}

impl<'a> SummaryFields<'a> {
    fn new(source: &'a EvidenceSource, summary: &'a ImportSummary) -> Self {
        Self {
            path: source.path.display().to_string(),
            format: &summary.format,
            size_bytes: source.size_bytes,
            sha256: &source.sha256,
            records: summary.records,
            observations: summary.observations,
            skipped: summary.skipped_total(),
            skipped_by_reason: &summary.skipped,
            anomalies: summary.anomalies_total,
            anomalies_listed: summary.anomalies.len(),
            first_ts: summary.first_ts_ns.map(|ts| DisplayField(Rfc3339Nanos(ts))),
            last_ts: summary.last_ts_ns.map(|ts| DisplayField(Rfc3339Nanos(ts))),
            time_assumption: summary.time_assumption.as_deref(),
        }
    }
}

/// Writes an address and port as `192.0.2.1:80` or `[2001:db8::1]:80`, or the bare address
/// when there is no port.
struct Endpoint(IpAddr, Option<u16>);

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.0, self.1) {
            (IpAddr::V4(address), Some(port)) => write!(f, "{address}:{port}"),
            (IpAddr::V6(address), Some(port)) => write!(f, "[{address}]:{port}"),
            (address, None) => write!(f, "{address}"),
        }
    }
}

fn write_observation_text(output: &mut impl Write, obs: &Observation, kind: EvidenceKind) -> io::Result<()> {
    write!(
        output,
        "{}  {} {} -> {}",
        Rfc3339Nanos(obs.ts_ns),
        obs.protocol,
        Endpoint(obs.src, obs.src_port),
        Endpoint(obs.dst, obs.dst_port)
    )?;
    if let Some(flags) = obs.tcp_flags {
        write!(output, " flags {flags}")?;
    }
    if let Some(icmp) = obs.icmp {
        write!(output, " type {} code {}", icmp.icmp_type, icmp.code)?;
    }
    match obs.arp {
        Some(ArpOperation::Request) => write!(output, " request")?,
        Some(ArpOperation::Reply) => write!(output, " reply")?,
        None => {}
    }
    if let Some(action) = &obs.action {
        write!(output, " {}", escape_invisible(action.as_str()))?;
    }
    if let Some(rule) = &obs.rule {
        write!(output, " rule {}", escape_invisible(rule))?;
    }
    if let Some(summary) = obs.connection {
        write!(output, " responder {}", summary.reply.as_str())?;
    }
    writeln!(output, "  ({} {}, byte {})", record_label(kind), obs.locator.record, obs.locator.byte_offset)
}

fn write_summary_text(
    output: &mut impl Write,
    source: &EvidenceSource,
    summary: &ImportSummary,
    kind: EvidenceKind,
) -> io::Result<()> {
    writeln!(
        output,
        "{}: {}, {} bytes, sha256 {}",
        escape_invisible(&source.path.display().to_string()),
        summary.format,
        source.size_bytes,
        source.sha256
    )?;
    writeln!(
        output,
        "{}s: {}, observations: {}, skipped: {}, anomalies: {}",
        record_label(kind),
        summary.records,
        summary.observations,
        summary.skipped_total(),
        summary.anomalies_total
    )?;
    for (reason, count) in &summary.skipped {
        writeln!(output, "skipped {count}: {}", escape_invisible(reason))?;
    }
    if let (Some(first), Some(last)) = (summary.first_ts_ns, summary.last_ts_ns) {
        writeln!(output, "first {}, last {}", Rfc3339Nanos(first), Rfc3339Nanos(last))?;
    }
    if let Some(assumption) = &summary.time_assumption {
        writeln!(output, "time assumption: {}", escape_invisible(assumption))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_nine_digits() {
        let cases = [
            (0, "1970-01-01T00:00:00.000000000Z"),
            (1_796_412_942_547_877_000, "2026-12-04T19:35:42.547877000Z"),
            (1_704_164_645_123_456_789, "2024-01-02T03:04:05.123456789Z"),
            (951_782_400_000_000_001, "2000-02-29T00:00:00.000000001Z"),
            (-1, "1969-12-31T23:59:59.999999999Z"),
            (i64::MAX, "2262-04-11T23:47:16.854775807Z"),
            (i64::MIN, "1677-09-21T00:12:43.145224192Z"),
        ];
        for (ts_ns, expected) in cases {
            assert_eq!(Rfc3339Nanos(ts_ns).to_string(), expected, "ts_ns {ts_ns}");
        }
    }

    #[test]
    fn rfc3339_matches_chrono() {
        // One instant per 97 days and a few seconds over 1677 to 2262.
        let step = 97 * 86_400 * NANOS_PER_SECOND + 3_123_456_789;
        let mut ts_ns = i64::MIN + 1;
        while let Some(next) = ts_ns.checked_add(step) {
            let expected = chrono::DateTime::from_timestamp_nanos(ts_ns).format("%Y-%m-%dT%H:%M:%S%.9fZ").to_string();
            assert_eq!(Rfc3339Nanos(ts_ns).to_string(), expected);
            ts_ns = next;
        }
    }

    #[test]
    fn message_split_at_first_colon() {
        assert_eq!(
            split_message("capture truncated at byte 200: the record starting at byte 164 is incomplete"),
            ("capture truncated at byte 200", Some("the record starting at byte 164 is incomplete"))
        );
        assert_eq!(
            split_message("frame not decoded: IP header invalid: bad length"),
            ("frame not decoded", Some("IP header invalid: bad length"))
        );
        assert_eq!(split_message("no separator here"), ("no separator here", None));
    }

    fn observation_json(obs: &Observation, kind: EvidenceKind) -> serde_json::Value {
        let mut line = Vec::new();
        push_observation_json(&mut line, obs, kind).expect("write");
        assert_eq!(line.pop(), Some(b'\n'), "a line ends with a newline");
        serde_json::from_slice(&line).unwrap_or_else(|err| panic!("{err}: {}", String::from_utf8_lossy(&line)))
    }

    fn sample_observation() -> Observation {
        Observation {
            ts_ns: 1_704_164_645_123_456_789,
            src: "2001:db8::1".parse().expect("address"),
            dst: "192.0.2.1".parse().expect("address"),
            protocol: IpProtocol::from_ip_number(89),
            src_port: None,
            dst_port: Some(65535),
            tcp_flags: Some(crate::model::TcpFlags(0)),
            icmp: None,
            ttl: Some(0),
            ip_id: Some(u32::MAX),
            tcp_window: None,
            tcp_options: Some(crate::model::TcpOptionKinds::from_kinds([2, 1, 0])),
            payload_len: None,
            tcp_header_len: None,
            arp: None,
            sctp_chunk: None,
            action: Some(crate::model::FirewallAction::Other("quote \" and \\ backslash".to_string())),
            rule: Some("line\nbreak \u{1}".to_string()),
            source_text: None,
            connection: None,
            locator: Locator { record: u64::MAX, byte_offset: 0 },
        }
    }

    #[test]
    fn observation_json_values() {
        let value = observation_json(&sample_observation(), EvidenceKind::FirewallLog);
        assert_eq!(value["ts"], "2024-01-02T03:04:05.123456789Z");
        assert_eq!(value["src"], "2001:db8::1");
        assert_eq!(value["dst"], "192.0.2.1");
        assert!(value["sport"].is_null());
        assert_eq!(value["dport"], 65535);
        assert_eq!(value["proto"], 89, "a protocol without a name is its number");
        assert_eq!(value["tcp_flags"], "none");
        assert_eq!(value["tcp_options"], serde_json::json!([2, 1, 0]));
        assert_eq!(value["ttl"], 0);
        assert_eq!(value["ip_id"], u64::from(u32::MAX));
        assert_eq!(value["locator"]["record"], u64::MAX);
        assert_eq!(value["action"], "quote \" and \\ backslash");
        assert_eq!(value["rule"], "line\nbreak \u{1}");
    }

    #[test]
    fn observation_json_key_order() {
        let mut line = Vec::new();
        push_observation_json(&mut line, &sample_observation(), EvidenceKind::Capture).expect("write");
        let text = String::from_utf8(line).expect("UTF-8");
        let keys = [
            "ts",
            "src",
            "sport",
            "dst",
            "dport",
            "proto",
            "tcp_flags",
            "tcp_options",
            "tcp_window",
            "ttl",
            "ip_id",
            "payload_len",
            "icmp_type",
            "icmp_code",
            "arp_op",
            "locator",
        ];
        let positions: Vec<usize> = keys
            .iter()
            .map(|key| text.find(&format!("\"{key}\":")).unwrap_or_else(|| panic!("key {key} missing: {text}")))
            .collect();
        assert!(positions.windows(2).all(|pair| pair[0] < pair[1]), "keys out of order: {text}");
        assert!(!text.contains("\"action\""), "captures have no action key");
    }

    #[test]
    fn protocol_names() {
        assert_eq!(protocol_name(IpProtocol::TCP), Some("tcp"));
        assert_eq!(protocol_name(IpProtocol::ICMPV6), Some("icmpv6"));
        assert_eq!(protocol_name(IpProtocol::SCTP), Some("sctp"));
        assert_eq!(protocol_name(IpProtocol::from_ip_number(89)), None);
    }
}
