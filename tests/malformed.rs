//! Malformed evidence. The cases are empty and random files, damaged capture headers and
//! length fields, a sparse 2 GiB capture, a gzip bomb, a 100 MB log line, invalid UTF-8 and
//! NUL bytes, mixed line ends, and timestamps at and beyond the edges of what can be stored.
//!
//! Every input is generated here. Each must end in one of two ways: a clear error that names
//! the file and the problem, with nothing of the file in the case, or an import whose
//! anomalies and skipped counts account for the damage. `docs/robustness.md` lists the cases
//! and the limits they rely on.

use std::io::Write;
use std::path::{Path, PathBuf};

use assert_cmd::cargo::cargo_bin_cmd;
use rusqlite::Connection;
use serde_json::Value;

fn scancase() -> assert_cmd::Command {
    let mut command = cargo_bin_cmd!("scancase");
    command.env("NO_COLOR", "1");
    command
}

fn stderr_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Deterministic pseudo-random bytes (SplitMix64), so every run reads the same input.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn bytes(&mut self, len: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(len + 8);
        while out.len() < len {
            out.extend_from_slice(&self.next_u64().to_le_bytes());
        }
        out.truncate(len);
        out
    }
}

// ---------------------------------------------------------------------------------------
// Capture generators

/// Classic pcap file header, little-endian, microsecond magic, snaplen 262144, Ethernet.
fn pcap_header() -> Vec<u8> {
    pcap_header_with_magic(0xa1b2_c3d4)
}

fn pcap_header_with_magic(magic: u32) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&magic.to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&4u16.to_le_bytes());
    out.extend_from_slice(&0i32.to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&262_144u32.to_le_bytes());
    out.extend_from_slice(&1u32.to_le_bytes());
    out
}

fn pcap_record(ts_sec: u32, ts_fraction: u32, frame: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&ts_sec.to_le_bytes());
    out.extend_from_slice(&ts_fraction.to_le_bytes());
    out.extend_from_slice(&(frame.len() as u32).to_le_bytes());
    out.extend_from_slice(&(frame.len() as u32).to_le_bytes());
    out.extend_from_slice(frame);
    out
}

/// Builds an Ethernet frame with an IPv4 TCP SYN from 192.0.2.10:40000 to 192.0.2.1 at `port`.
fn syn_frame(port: u16) -> Vec<u8> {
    let mut frame = Vec::new();
    frame.extend_from_slice(&[0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02, 0x08, 0x00]);
    let mut ip = vec![0x45, 0, 0, 40, 0x12, 0x34, 0, 0, 64, 6, 0, 0, 192, 0, 2, 10, 192, 0, 2, 1];
    let checksum = ipv4_checksum(&ip);
    ip[10..12].copy_from_slice(&checksum.to_be_bytes());
    frame.extend_from_slice(&ip);
    frame.extend_from_slice(&40000u16.to_be_bytes());
    frame.extend_from_slice(&port.to_be_bytes());
    frame.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0x04, 0x00, 0, 0, 0, 0]);
    frame
}

fn ipv4_checksum(header: &[u8]) -> u16 {
    let mut sum: u32 = header.chunks(2).map(|pair| u32::from(u16::from_be_bytes([pair[0], pair[1]]))).sum();
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// Builds a pcapng block: type, total length, body padded to 32 bits, total length again.
fn pcapng_block(block_type: u32, body: &[u8]) -> Vec<u8> {
    let padded = body.len().div_ceil(4) * 4;
    let total = (12 + padded) as u32;
    let mut out = Vec::new();
    out.extend_from_slice(&block_type.to_le_bytes());
    out.extend_from_slice(&total.to_le_bytes());
    out.extend_from_slice(body);
    out.resize(8 + padded, 0);
    out.extend_from_slice(&total.to_le_bytes());
    out
}

/// Section Header Block, little-endian, version 1.0, section length unknown.
fn pcapng_shb() -> Vec<u8> {
    let mut body = Vec::new();
    body.extend_from_slice(&0x1A2B_3C4Du32.to_le_bytes());
    body.extend_from_slice(&1u16.to_le_bytes());
    body.extend_from_slice(&0u16.to_le_bytes());
    body.extend_from_slice(&(-1i64).to_le_bytes());
    pcapng_block(0x0A0D_0D0A, &body)
}

/// Interface Description Block for Ethernet with `if_tsresol` 9 (nanoseconds) and, when
/// given, `if_tsoffset` in seconds.
fn pcapng_idb(if_tsoffset: Option<i64>) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend_from_slice(&1u16.to_le_bytes());
    body.extend_from_slice(&0u16.to_le_bytes());
    body.extend_from_slice(&262_144u32.to_le_bytes());
    // if_tsresol (code 9), one byte, padded.
    body.extend_from_slice(&9u16.to_le_bytes());
    body.extend_from_slice(&1u16.to_le_bytes());
    body.extend_from_slice(&[9, 0, 0, 0]);
    if let Some(offset) = if_tsoffset {
        // if_tsoffset (code 14), a signed 64-bit count of seconds.
        body.extend_from_slice(&14u16.to_le_bytes());
        body.extend_from_slice(&8u16.to_le_bytes());
        body.extend_from_slice(&offset.to_le_bytes());
    }
    // opt_endofopt.
    body.extend_from_slice(&[0, 0, 0, 0]);
    pcapng_block(1, &body)
}

/// Enhanced Packet Block on interface 0 with a 64-bit timestamp in the interface's ticks.
fn pcapng_epb(ticks: u64, frame: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend_from_slice(&0u32.to_le_bytes());
    body.extend_from_slice(&((ticks >> 32) as u32).to_le_bytes());
    body.extend_from_slice(&(ticks as u32).to_le_bytes());
    body.extend_from_slice(&(frame.len() as u32).to_le_bytes());
    body.extend_from_slice(&(frame.len() as u32).to_le_bytes());
    body.extend_from_slice(frame);
    pcapng_block(6, &body)
}

// ---------------------------------------------------------------------------------------
// Log generators

/// Returns a netfilter LOG line in RFC 3339 syslog, a SYN from 192.0.2.10 to 192.0.2.1 at `port`.
fn netfilter_line(time: &str, prefix: &str, port: u16) -> String {
    format!(
        "{time} fw kernel: [  761.925317] {prefix}IN=eth0 OUT= MAC=02:00:0a:c8:00:06:02:00:0a:c8:00:01:08:00 \
         SRC=192.0.2.10 DST=192.0.2.1 LEN=44 TOS=0x00 PREC=0x00 TTL=44 ID=31414 PROTO=TCP SPT=49013 \
         DPT={port} WINDOW=1024 RES=0x00 SYN URGP=0"
    )
}

const TIME: &str = "2024-03-01T10:00:00.000000+00:00";

// ---------------------------------------------------------------------------------------
// Case helpers

/// A temporary folder holding an empty case.
struct Workspace {
    dir: tempfile::TempDir,
    case: PathBuf,
}

impl Workspace {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("temporary folder");
        let case = dir.path().join("malformed.scancase");
        scancase().arg("new").arg(&case).assert().success();
        Workspace { dir, case }
    }

    fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, bytes).expect("write evidence");
        path
    }

    fn import(&self, evidence: &Path) -> std::process::Output {
        scancase().arg("import").arg(&self.case).arg(evidence).output().expect("run scancase")
    }

    /// Imports a file that must be accepted and returns its stored evidence row.
    fn import_ok(&self, evidence: &Path) -> StoredImport {
        let output = self.import(evidence);
        assert!(output.status.success(), "import of {} failed: {}", evidence.display(), stderr_of(&output));
        self.last_import()
    }

    /// Imports a file that must be rejected and checks that the error names the file and
    /// contains `problem`, and that nothing of it reached the case.
    fn import_rejected(&self, evidence: &Path, problem: &str) -> String {
        let output = self.import(evidence);
        let stderr = stderr_of(&output);
        assert!(!output.status.success(), "import of {} was accepted: {stderr}", evidence.display());
        assert!(stderr.contains(&evidence.display().to_string()), "error does not name the file: {stderr}");
        assert!(stderr.contains(problem), "error does not say '{problem}': {stderr}");
        self.assert_nothing_stored();
        stderr
    }

    fn connection(&self) -> Connection {
        Connection::open_with_flags(&self.case, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).expect("open case")
    }

    fn count(&self, table: &str) -> i64 {
        self.connection().query_row(&format!("SELECT count(*) FROM {table}"), [], |row| row.get(0)).expect("count")
    }

    fn assert_nothing_stored(&self) {
        for table in ["evidence", "anomaly", "contact", "probe", "probe_block"] {
            assert_eq!(self.count(table), 0, "table {table} holds rows of a rejected file");
        }
    }

    fn last_import(&self) -> StoredImport {
        let connection = self.connection();
        let (id, format, records, observations, skipped_json, anomalies_total) = connection
            .query_row(
                "SELECT id, format, records, observations, skipped_json, anomalies_total
                 FROM evidence ORDER BY id DESC LIMIT 1",
                [],
                |row| {
                    Ok((
                        row.get::<_, i64>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, i64>(2)?,
                        row.get::<_, i64>(3)?,
                        row.get::<_, String>(4)?,
                        row.get::<_, i64>(5)?,
                    ))
                },
            )
            .expect("evidence row");
        let mut statement = connection
            .prepare("SELECT record, byte_offset, message FROM anomaly WHERE evidence_id = ?1 ORDER BY id")
            .expect("anomaly query");
        let anomalies = statement
            .query_map([id], |row| Ok((row.get::<_, i64>(0)?, row.get::<_, i64>(1)?, row.get::<_, String>(2)?)))
            .expect("anomaly rows")
            .collect::<Result<Vec<_>, _>>()
            .expect("anomaly rows");
        let skipped: serde_json::Map<String, Value> = serde_json::from_str(&skipped_json).expect("skipped JSON");
        let skipped = skipped.into_iter().map(|(reason, count)| (reason, count.as_i64().expect("count"))).collect();
        StoredImport { format, records, observations, skipped, anomalies_total, anomalies }
    }
}

/// What the case stores about one import.
#[derive(Debug)]
struct StoredImport {
    format: String,
    records: i64,
    observations: i64,
    skipped: Vec<(String, i64)>,
    anomalies_total: i64,
    /// (record, byte offset, message) of each stored anomaly.
    anomalies: Vec<(i64, i64, String)>,
}

impl StoredImport {
    fn skipped_total(&self) -> i64 {
        self.skipped.iter().map(|(_, count)| count).sum()
    }

    fn skipped_for(&self, reason: &str) -> i64 {
        self.skipped.iter().find(|(name, _)| name == reason).map_or(0, |(_, count)| *count)
    }

    fn anomaly_containing(&self, text: &str) -> Option<&(i64, i64, String)> {
        self.anomalies.iter().find(|(_, _, message)| message.contains(text))
    }

    /// Checks that every record ended as an observation or a counted skip.
    fn assert_accounted(&self) {
        assert_eq!(self.records, self.observations + self.skipped_total(), "records unaccounted for: {self:?}");
    }
}

/// Runs `scancase inspect --json` and returns the parsed lines.
fn inspect_json(evidence: &Path) -> Vec<Value> {
    let output = scancase().arg("inspect").arg("--json").arg(evidence).output().expect("run scancase");
    assert!(output.status.success(), "inspect failed: {}", stderr_of(&output));
    String::from_utf8(output.stdout)
        .expect("UTF-8 output")
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|error| panic!("{error}: {line}")))
        .collect()
}

fn observations_of(lines: &[Value]) -> Vec<&Value> {
    lines.iter().filter(|line| line.get("ts").is_some()).collect()
}

// ---------------------------------------------------------------------------------------
// Empty and random files

#[test]
fn empty_file_rejected() {
    let workspace = Workspace::new();
    let evidence = workspace.write("empty.pcap", b"");
    workspace.import_rejected(&evidence, "the file is empty");
}

#[test]
fn random_bytes_rejected() {
    let workspace = Workspace::new();
    for seed in [1u64, 2, 3] {
        let bytes = SplitMix64(seed).bytes(8192);
        let evidence = workspace.write(&format!("random-{seed}.bin"), &bytes);
        workspace.import_rejected(&evidence, "not a recognised evidence format");
    }
}

#[test]
fn random_gzip_content_rejected() {
    let workspace = Workspace::new();
    let evidence = workspace.write("random.gz", &gzip(&SplitMix64(7).bytes(8192)));
    workspace.import_rejected(&evidence, "not a recognised evidence format");
}

#[test]
fn gzip_cut_short_rejected() {
    let workspace = Workspace::new();
    let mut content = pcap_header();
    for port in 0..2000u16 {
        content.extend_from_slice(&pcap_record(1_709_287_200, u32::from(port), &syn_frame(port)));
    }
    let compressed = gzip(&content);
    let evidence = workspace.write("cut.pcap.gz", &compressed[..compressed.len() / 2]);
    workspace.import_rejected(&evidence, "invalid capture");
}

// ---------------------------------------------------------------------------------------
// Valid headers followed by garbage, and absurd length fields

#[test]
fn pcap_header_then_garbage() {
    let workspace = Workspace::new();
    for seed in [11u64, 12, 13, 14] {
        let mut bytes = pcap_header();
        bytes.extend_from_slice(&SplitMix64(seed).bytes(4096));
        let evidence = workspace.write(&format!("garbage-{seed}.pcap"), &bytes);
        let stored = workspace.import_ok(&evidence);
        assert_eq!(stored.format, "pcap");
        let damage = stored.anomaly_containing("corrupt record").or_else(|| stored.anomaly_containing("truncated"));
        assert!(damage.is_some(), "no anomaly records the garbage: {stored:?}");
        stored.assert_accounted();
    }
}

#[test]
fn pcapng_header_then_garbage() {
    let workspace = Workspace::new();
    for seed in [21u64, 22, 23, 24] {
        let mut bytes = pcapng_shb();
        bytes.extend_from_slice(&pcapng_idb(None));
        bytes.extend_from_slice(&SplitMix64(seed).bytes(4096));
        let evidence = workspace.write(&format!("garbage-{seed}.pcapng"), &bytes);
        let stored = workspace.import_ok(&evidence);
        assert_eq!(stored.format, "pcapng");
        let damage = stored.anomaly_containing("corrupt record").or_else(|| stored.anomaly_containing("truncated"));
        assert!(damage.is_some(), "no anomaly records the garbage: {stored:?}");
        stored.assert_accounted();
    }
}

#[test]
fn pcap_incl_len_max() {
    let workspace = Workspace::new();
    let mut bytes = pcap_header();
    bytes.extend_from_slice(&pcap_record(1_709_287_200, 0, &syn_frame(80)));
    let second = bytes.len();
    bytes.extend_from_slice(&1_709_287_201u32.to_le_bytes());
    bytes.extend_from_slice(&0u32.to_le_bytes());
    bytes.extend_from_slice(&u32::MAX.to_le_bytes());
    bytes.extend_from_slice(&u32::MAX.to_le_bytes());
    bytes.extend_from_slice(&syn_frame(81));
    let evidence = workspace.write("incl_len.pcap", &bytes);

    let stored = workspace.import_ok(&evidence);
    assert_eq!(stored.observations, 1, "the record before the damage is imported");
    let (_, offset, message) = stored.anomaly_containing("corrupt record").expect("corrupt record anomaly");
    assert_eq!(*offset, second as i64);
    assert!(message.contains("4294967295"), "{message}");
}

#[test]
fn pcapng_block_length_huge() {
    let workspace = Workspace::new();
    let mut bytes = pcapng_shb();
    bytes.extend_from_slice(&pcapng_idb(None));
    bytes.extend_from_slice(&pcapng_epb(1_709_287_200_000_000_000, &syn_frame(80)));
    let damaged = bytes.len();
    let mut block = pcapng_epb(1_709_287_201_000_000_000, &syn_frame(81));
    block[4..8].copy_from_slice(&0xFFFF_FFF0u32.to_le_bytes());
    bytes.extend_from_slice(&block);
    let evidence = workspace.write("block_length.pcapng", &bytes);

    let stored = workspace.import_ok(&evidence);
    assert_eq!(stored.observations, 1, "the block before the damage is imported");
    let (_, offset, message) = stored.anomaly_containing("corrupt record").expect("corrupt record anomaly");
    assert_eq!(*offset, damaged as i64);
    assert!(message.contains("4294967280"), "{message}");
}

#[test]
fn pcapng_section_length_huge_rejected() {
    let workspace = Workspace::new();
    let mut bytes = pcapng_shb();
    bytes[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
    bytes.extend_from_slice(&pcapng_idb(None));
    let evidence = workspace.write("shb_length.pcapng", &bytes);
    workspace.import_rejected(&evidence, "invalid capture");
}

#[test]
fn sparse_two_gib_pcap() {
    let workspace = Workspace::new();
    let evidence = workspace.dir.path().join("sparse.pcap");
    let mut file = std::fs::File::create(&evidence).expect("create");
    file.write_all(&pcap_header()).expect("write header");
    file.write_all(&pcap_record(1_709_287_200, 0, &syn_frame(80))).expect("write record");
    // The rest of the 2 GiB is a hole that reads as zeros.
    file.set_len(2 << 30).expect("extend to 2 GiB");
    drop(file);

    let stored = workspace.import_ok(&evidence);
    assert_eq!(stored.observations, 1);
    let (_, offset, message) = stored.anomaly_containing("corrupt record").expect("corrupt record anomaly");
    assert_eq!(*offset, (24 + 16 + syn_frame(80).len()) as i64);
    assert!(message.contains("all zero bytes"), "{message}");
}

// ---------------------------------------------------------------------------------------
// Gzip bomb

/// Compresses `bytes` into one gzip member at the best compression level.
fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).expect("compress");
    encoder.finish().expect("compress")
}

/// Builds a gzip file of `head` followed by `count` copies of the member that compresses
/// `repeated`.
fn gzip_bomb(head: &[u8], repeated: &[u8], count: usize) -> Vec<u8> {
    let mut out = gzip(head);
    let member = gzip(repeated);
    for _ in 0..count {
        out.extend_from_slice(&member);
    }
    out
}

#[test]
fn gzip_bomb_log_rejected() {
    let workspace = Workspace::new();
    let head = format!("{}\n", netfilter_line(TIME, "IPT-IN ", 80));
    // 100 members of 1 MiB of NUL bytes each: 100 MiB from about 100 KiB, far more than
    // 200 times.
    let evidence = workspace.write("bomb.log.gz", &gzip_bomb(head.as_bytes(), &vec![0; 1 << 20], 100));
    let stderr = workspace.import_rejected(&evidence, "decompression bomb");
    assert!(stderr.contains("more than 200 times"), "{stderr}");
}

#[test]
fn gzip_bomb_capture_rejected() {
    let workspace = Workspace::new();
    let mut head = pcap_header();
    head.extend_from_slice(&pcap_record(1_709_287_200, 0, &syn_frame(80)));
    // Packets of 0xAA bytes, 4 per MiB, so the reader sees frames and not a zero header.
    let mut record = Vec::new();
    for index in 0..4u32 {
        let frame = vec![0xAA; (1 << 18) - 16];
        record.extend_from_slice(&pcap_record(1_709_287_201, index, &frame));
    }
    let evidence = workspace.write("bomb.pcap.gz", &gzip_bomb(&head, &record, 100));
    workspace.import_rejected(&evidence, "decompression bomb");
}

#[test]
fn gzip_log_below_limit_imported() {
    let workspace = Workspace::new();
    let mut text = String::new();
    for port in 1..=300u16 {
        text.push_str(&netfilter_line(TIME, "IPT-IN ", port));
        text.push('\n');
    }
    let evidence = workspace.write("small.log.gz", &gzip(text.as_bytes()));
    let stored = workspace.import_ok(&evidence);
    assert_eq!(stored.format, "netfilter-syslog+gzip");
    assert_eq!(stored.observations, 300);
}

// ---------------------------------------------------------------------------------------
// Log lines: length, encoding, line ends

#[test]
fn long_line_capped_and_counted() {
    let workspace = Workspace::new();
    let evidence = workspace.dir.path().join("long-line.log");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&evidence).expect("create"));
    writeln!(file, "{}", netfilter_line(TIME, "IPT-IN ", 80)).expect("write");
    // One line of 100 MB without a line end before its last byte.
    let block = vec![b'A'; 1 << 20];
    for _ in 0..100 {
        file.write_all(&block).expect("write");
    }
    writeln!(file).expect("write");
    writeln!(file, "{}", netfilter_line(TIME, "IPT-IN ", 81)).expect("write");
    drop(file);

    let stored = workspace.import_ok(&evidence);
    assert_eq!(stored.records, 3);
    assert_eq!(stored.observations, 2, "the lines around the long one are imported");
    assert_eq!(stored.skipped_for("line too long"), 1);
    assert_eq!(stored.anomalies_total, 1, "only the long line is an anomaly: {stored:?}");
    let (record, _, message) = stored.anomaly_containing("byte limit").expect("long line anomaly");
    assert_eq!(*record, 2);
    assert!(message.contains(&(100u64 * (1 << 20) + 1).to_string()), "{message}");
    stored.assert_accounted();
}

#[test]
fn invalid_utf8_and_nul_bytes() {
    let workspace = Workspace::new();
    let mut bytes = Vec::new();
    bytes.extend_from_slice(netfilter_line(TIME, "IPT-\u{1}\u{2}IN ", 80).as_bytes());
    bytes.push(b'\n');
    bytes.extend_from_slice(netfilter_line(TIME, "BAD-\u{0} ", 81).as_bytes());
    bytes.push(b'\n');
    // A block of NUL bytes, as a syslog file keeps after a crash, then the log goes on.
    bytes.extend_from_slice(&[0u8; 4096]);
    bytes.push(b'\n');
    // Invalid UTF-8 in the prefix: a lone continuation byte and an overlong `/`.
    let mut invalid = netfilter_line(TIME, "IPT-%% ", 83).into_bytes();
    let marker = invalid.windows(2).position(|pair| pair == b"%%").expect("marker");
    invalid.splice(marker..marker + 2, [0x80, 0xC0, 0xAF]);
    bytes.extend_from_slice(&invalid);
    bytes.push(b'\n');
    let evidence = workspace.write("encoding.log", &bytes);

    let stored = workspace.import_ok(&evidence);
    assert_eq!(stored.records, 4);
    stored.assert_accounted();
    assert_eq!(stored.observations, 3, "the lines with odd bytes in their prefix are read: {stored:?}");
    assert_eq!(stored.skipped_total(), 1, "the NUL block is counted as skipped: {stored:?}");
    let (record, _, _) = stored.anomaly_containing("invalid UTF-8").expect("invalid UTF-8 anomaly");
    assert_eq!(*record, 4);

    let lines = inspect_json(&evidence);
    let rules: Vec<&str> = observations_of(&lines).iter().filter_map(|line| line["rule"].as_str()).collect();
    assert_eq!(rules, ["IPT-\u{1}\u{2}IN", "BAD-\u{0}", "IPT-\u{FFFD}\u{FFFD}\u{FFFD}"]);
}

#[test]
fn mixed_line_ends() {
    let workspace = Workspace::new();
    let ends = ["\n", "\r\n", "\r", "\r\n", "\r", "\n"];
    let mut text = String::new();
    let mut offsets = Vec::new();
    for (index, end) in ends.iter().enumerate() {
        offsets.push(text.len() as u64);
        text.push_str(&netfilter_line(TIME, "IPT-IN ", 100 + index as u16));
        text.push_str(end);
    }
    let evidence = workspace.write("line-ends.log", text.as_bytes());

    let stored = workspace.import_ok(&evidence);
    assert_eq!(stored.records, ends.len() as i64);
    assert_eq!(stored.observations, ends.len() as i64);

    let lines = inspect_json(&evidence);
    let observations = observations_of(&lines);
    assert_eq!(observations.len(), ends.len());
    for (index, observation) in observations.iter().enumerate() {
        assert_eq!(observation["locator"]["record"], index as u64 + 1);
        assert_eq!(observation["locator"]["byte_offset"], offsets[index]);
        assert_eq!(observation["dport"], 100 + index as u64);
        assert_eq!(observation["rule"], "IPT-IN", "no line end left in the text");
    }
}

// ---------------------------------------------------------------------------------------
// Timestamps at the edges

#[test]
fn pcap_times_1970_and_2106() {
    let workspace = Workspace::new();
    let mut bytes = pcap_header();
    bytes.extend_from_slice(&pcap_record(0, 1, &syn_frame(80)));
    bytes.extend_from_slice(&pcap_record(u32::MAX, 999_999, &syn_frame(81)));
    let evidence = workspace.write("edges.pcap", &bytes);

    let lines = inspect_json(&evidence);
    let times: Vec<&str> = observations_of(&lines).iter().map(|line| line["ts"].as_str().expect("ts")).collect();
    assert_eq!(times, ["1970-01-01T00:00:00.000001000Z", "2106-02-07T06:28:15.999999000Z"]);
    let stored = workspace.import_ok(&evidence);
    assert_eq!(stored.observations, 2);
}

#[test]
fn pcap_fraction_over_one_second() {
    let workspace = Workspace::new();
    let mut bytes = pcap_header_with_magic(0xa1b2_3c4d);
    bytes.extend_from_slice(&pcap_record(u32::MAX, u32::MAX, &syn_frame(80)));
    let evidence = workspace.write("fraction.pcap", &bytes);

    let stored = workspace.import_ok(&evidence);
    assert_eq!(stored.observations, 1);
    assert!(stored.anomaly_containing("a second or more").is_some(), "{stored:?}");
    let lines = inspect_json(&evidence);
    // 4294967295 s plus 4.294967295 s.
    assert_eq!(observations_of(&lines)[0]["ts"], "2106-02-07T06:28:19.294967295Z");
}

#[test]
fn pcapng_time_past_2262_skipped() {
    let workspace = Workspace::new();
    let mut bytes = pcapng_shb();
    bytes.extend_from_slice(&pcapng_idb(None));
    bytes.extend_from_slice(&pcapng_epb(1_709_287_200_000_000_000, &syn_frame(80)));
    bytes.extend_from_slice(&pcapng_epb(u64::MAX, &syn_frame(81)));
    let evidence = workspace.write("far.pcapng", &bytes);

    let stored = workspace.import_ok(&evidence);
    assert_eq!(stored.observations, 1);
    assert_eq!(stored.skipped_for("timestamp out of range"), 1);
    let (record, _, _) = stored.anomaly_containing("outside 1677-09-21 to 2262-04-11").expect("anomaly");
    assert_eq!(*record, 2);
}

#[test]
fn pcapng_absurd_tsoffset() {
    let cases = [
        (i64::MAX, None),
        (i64::MIN, None),
        // 73000 days back from 2024-03-01T10:00:00Z, a time before 1970.
        (-200 * 365 * 86_400, Some("1824-04-19T10:00:00.000000000Z")),
    ];
    let workspace = Workspace::new();
    for (index, (offset, expected)) in cases.into_iter().enumerate() {
        let mut bytes = pcapng_shb();
        bytes.extend_from_slice(&pcapng_idb(Some(offset)));
        bytes.extend_from_slice(&pcapng_epb(1_709_287_200_000_000_000, &syn_frame(80)));
        let evidence = workspace.write(&format!("tsoffset-{index}.pcapng"), &bytes);

        let stored = workspace.import_ok(&evidence);
        stored.assert_accounted();
        match expected {
            None => {
                assert_eq!(stored.observations, 0, "offset {offset}");
                assert_eq!(stored.skipped_for("timestamp out of range"), 1, "offset {offset}");
                assert!(stored.anomaly_containing("outside 1677-09-21").is_some(), "offset {offset}: {stored:?}");
            }
            Some(time) => {
                assert_eq!(stored.observations, 1, "offset {offset}");
                let lines = inspect_json(&evidence);
                assert_eq!(observations_of(&lines)[0]["ts"], time, "offset {offset}");
            }
        }
    }
}

#[test]
fn syslog_time_edges() {
    let workspace = Workspace::new();
    let times = [
        "1970-01-01T00:00:00+00:00",
        "2107-01-01T00:00:00Z",
        "2024-03-01T10:00:00+99:99",
        "2024-03-01T10:00:00+24:00",
        "2024-03-01T10:00:00-23:59",
        "9999-12-31T23:59:59Z",
    ];
    let mut text = String::new();
    for (index, time) in times.iter().enumerate() {
        text.push_str(&netfilter_line(time, "IPT-IN ", 200 + index as u16));
        text.push('\n');
    }
    let evidence = workspace.write("syslog-times.log", text.as_bytes());

    let stored = workspace.import_ok(&evidence);
    assert_eq!(stored.records, times.len() as i64);
    stored.assert_accounted();

    let lines = inspect_json(&evidence);
    let by_port = |port: u64| observations_of(&lines).into_iter().find(|line| line["dport"] == port);
    assert_eq!(by_port(200).expect("1970 line")["ts"], "1970-01-01T00:00:00.000000000Z");
    assert_eq!(by_port(201).expect("2107 line")["ts"], "2107-01-01T00:00:00.000000000Z");
    assert_eq!(by_port(204).expect("-23:59 line")["ts"], "2024-03-02T09:59:00.000000000Z");
    for (port, what) in [(202, "+99:99"), (203, "+24:00"), (205, "year 9999")] {
        assert!(by_port(port).is_none(), "the line with {what} must not become an observation");
        let line_number = port - 199;
        let anomaly = lines
            .iter()
            .find(|line| line.get("anomaly").is_some() && line["record"] == line_number)
            .unwrap_or_else(|| panic!("no anomaly for the line with {what}"));
        assert!(anomaly["anomaly"].is_string());
    }
}

// ---------------------------------------------------------------------------------------
// Damaged captures from other readers' test suites

/// Counts the rows of the tables an import writes.
fn table_counts(case: &Path) -> [i64; 5] {
    let connection = Connection::open_with_flags(case, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).expect("open case");
    ["evidence", "anomaly", "contact", "probe", "probe_block"].map(|table| {
        connection.query_row(&format!("SELECT count(*) FROM {table}"), [], |row| row.get(0)).expect("count")
    })
}

#[test]
fn format_edge_captures_all_or_nothing() {
    use scancase::import::{import_file, ImportOptions, ImportResult, NoProgress};

    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/capture/format_edge");
    let mut captures = Vec::new();
    for source in std::fs::read_dir(&folder).expect("format_edge folder") {
        let source = source.expect("folder entry").path();
        if !source.is_dir() {
            continue;
        }
        for entry in std::fs::read_dir(&source).expect("source folder") {
            let path = entry.expect("folder entry").path();
            let name = path.to_string_lossy();
            if !(name.ends_with(".tshark.tsv") || name.ends_with(".tshark.err")) {
                captures.push(path);
            }
        }
    }
    captures.sort();
    assert!(captures.len() > 50, "format_edge captures missing: {}", captures.len());

    let dir = tempfile::tempdir().expect("temporary folder");
    let case_path = dir.path().join("edge.scancase");
    let mut case = scancase::case::Case::create(&case_path, "format edge", None).expect("create case");
    let (mut imported, mut rejected) = (0, 0);
    for capture in &captures {
        let before = table_counts(&case_path);
        let result = import_file(&mut case, capture, &ImportOptions::default(), &mut NoProgress);
        let after = table_counts(&case_path);
        match result {
            Ok(ImportResult::Imported(record)) => {
                imported += 1;
                assert_eq!(after[0], before[0] + 1, "{}: one evidence row", capture.display());
                let kept = record.summary.anomalies_total.min(scancase::model::MAX_ANOMALIES_KEPT as u64);
                assert_eq!(after[1] - before[1], kept as i64, "{}: anomaly rows", capture.display());
            }
            Ok(ImportResult::AlreadyImported { .. }) => {
                assert_eq!(after, before, "{}: a repeated file wrote rows", capture.display());
            }
            Err(error) => {
                rejected += 1;
                let message = format!("{error:#}");
                assert!(message.starts_with(&capture.display().to_string()), "error does not name the file: {message}");
                assert_eq!(after, before, "{}: a rejected file wrote rows ({message})", capture.display());
            }
        }
    }
    assert!(imported > 0, "expected some imports: {imported} imported, {rejected} rejected");
    assert!(rejected > 0, "expected some rejections: {imported} imported, {rejected} rejected");
}
