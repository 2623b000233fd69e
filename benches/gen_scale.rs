//! Writes a capture that gives a case millions of contacts, for the case-file scale benchmark.
//!
//! Usage: `gen_scale OUTPUT HOSTS_LOG2 PORTS`
//!
//! A case's contact count is dominated by wide scans: one scanner sweeping a /16 on a list of
//! ports leaves one contact per address and port. The capture models that:
//!
//! - One scanner, 198.51.100.7, sends a TCP SYN to every pair of 2^HOSTS_LOG2 addresses in
//!   10.20.0.0/16 and the first PORTS entries of [`PORTS_BY_FREQUENCY`], in a pseudo-random
//!   order (masscan and zmap also permute their targets). One probe every
//!   [`PROBE_INTERVAL_US`].
//! - One address in [`LIVE_HOST_PERIOD`] exists and answers: SYN/ACK on an open port (one
//!   pair in [`OPEN_PORT_PERIOD`]), RST/ACK otherwise. The others never answer, as in a real
//!   sweep where most addresses are unused.
//! - Background: every [`BACKGROUND_PERIOD`] scanner probes, one of 4,096 other sources in
//!   198.18.0.0/15 (the benchmarking range) sends a SYN to one address and port. Each such
//!   source ends up with a few contacts, below any scan threshold.
//!
//! With HOSTS_LOG2 = 16 and PORTS = 153 the capture holds 10,027,008 scanner contacts and
//! about 20,000 background contacts. The output is a classic little-endian microsecond pcap
//! with Ethernet frames; IPv4 and TCP checksums are correct. The result is deterministic.
//!
//! Built with `rustc -O` and std only (see `scale_bench.sh`), so it needs no dependency.

use std::env;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

/// The 160 TCP ports with the highest open frequency in nmap 7.93's `nmap-services` file, most
/// frequent first, so that a scan of the first N ports probes what `nmap --top-ports N` would.
const PORTS_BY_FREQUENCY: [u16; 160] = [
    80, 23, 443, 21, 22, 25, 3389, 110, 445, 139, 143, 53, 135, 3306, 8080, 1723, 111, 995, 993,
    5900, 1025, 587, 8888, 199, 1720, 465, 548, 113, 81, 6001, 10000, 514, 5060, 179, 1026,
    2000, 8443, 8000, 32768, 554, 26, 1433, 49152, 2001, 515, 8008, 49154, 1027, 5666, 646,
    5000, 5631, 631, 49153, 8081, 2049, 88, 79, 5800, 106, 2121, 1110, 49155, 6000, 513, 990,
    5357, 427, 49156, 543, 544, 5101, 144, 7, 389, 8009, 3128, 444, 9999, 5009, 7070, 5190,
    3000, 5432, 3986, 1900, 13, 1029, 9, 6646, 5051, 49157, 1028, 873, 1755, 2717, 4899, 9100,
    119, 37, 1000, 3001, 5001, 82, 10010, 1030, 9090, 2107, 1024, 2103, 6004, 1801, 5050, 19,
    8031, 1041, 255, 3703, 2967, 1065, 1064, 1056, 1054, 1053, 1049, 1048, 17, 808, 3689, 1031,
    1071, 1044, 5901, 9102, 100, 9000, 8010, 5120, 4001, 2869, 1039, 2105, 636, 1038, 2601,
    7000, 1, 1069, 1066, 625, 311, 280, 254, 4000, 5003, 1761, 2002, 2005, 1998, 1032,
];
/// Time between two scanner probes, in microseconds (a rate of 125 probes per second).
const PROBE_INTERVAL_US: u64 = 8_000;
/// One address in this many answers the scanner.
const LIVE_HOST_PERIOD: u64 = 64;
/// One (live address, port) pair in this many is open.
const OPEN_PORT_PERIOD: u64 = 97;
/// A background probe follows every this many scanner probes.
const BACKGROUND_PERIOD: u64 = 500;
/// Number of background sources.
const BACKGROUND_SOURCES: u64 = 4_096;
/// Delay of an answer after its probe, in microseconds.
const ANSWER_DELAY_US: u64 = 300;
/// First packet time of the output: 2026-12-01T00:00:00Z, in microseconds.
const START_US: u64 = 1_796_083_200_000_000;
/// `LINKTYPE_ETHERNET`.
const LINKTYPE_ETHERNET: u32 = 1;
const SCANNER: [u8; 4] = [198, 51, 100, 7];
const SCANNER_PORT: u16 = 61_000;
const TCP_SYN: u8 = 0x02;
const TCP_RST_ACK: u8 = 0x14;
const TCP_SYN_ACK: u8 = 0x12;

fn main() -> ExitCode {
    match run() {
        Ok(count) => {
            eprintln!("gen_scale: wrote {count} packets");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("gen_scale: error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> io::Result<u64> {
    let args: Vec<String> = env::args().skip(1).collect();
    let usage = || io::Error::other("usage: gen_scale OUTPUT HOSTS_LOG2 PORTS (HOSTS_LOG2 at most 16, PORTS at most 160)");
    let [output, hosts_log2, ports] = args.as_slice() else {
        return Err(usage());
    };
    let hosts_log2: u32 = hosts_log2.parse().map_err(|_| usage())?;
    let ports: u64 = ports.parse().map_err(|_| usage())?;
    if hosts_log2 > 16 || ports == 0 || ports > PORTS_BY_FREQUENCY.len() as u64 {
        return Err(usage());
    }
    let hosts = 1u64 << hosts_log2;
    let pairs = hosts * ports;

    let mut out = BufWriter::with_capacity(1 << 20, File::create(output)?);
    write_file_header(&mut out)?;
    let mut packets = 0u64;
    let mut random = Lcg(0x5ca1_ab1e);
    let step = coprime_step(pairs);
    let mut time_us = START_US;
    for index in 0..pairs {
        // A step coprime with the pair count visits every pair once, in an order that jumps
        // between addresses and ports.
        let pair = (index * step) % pairs;
        let host = pair % hosts;
        let port = PORTS_BY_FREQUENCY[(pair / hosts) as usize];
        let target = [10, 20, (host >> 8) as u8, host as u8];
        let scanner_ip_id = (index as u16).wrapping_mul(31);
        let probe = Segment { src: SCANNER, dst: target, src_port: SCANNER_PORT, dst_port: port, flags: TCP_SYN };
        write_tcp(&mut out, time_us, &probe, scanner_ip_id, 1024, None)?;
        packets += 1;
        if host % LIVE_HOST_PERIOD == 0 {
            let flags = if pair % OPEN_PORT_PERIOD == 0 { TCP_SYN_ACK } else { TCP_RST_ACK };
            let window = if flags == TCP_SYN_ACK { 64_240 } else { 0 };
            let answer = Segment { src: target, dst: SCANNER, src_port: port, dst_port: SCANNER_PORT, flags };
            write_tcp(&mut out, time_us + ANSWER_DELAY_US, &answer, 0, window, Some(time_us as u32))?;
            packets += 1;
        }
        if index % BACKGROUND_PERIOD == BACKGROUND_PERIOD - 1 {
            let source_index = random.next() % BACKGROUND_SOURCES;
            let source = [198, 18 + (source_index >> 8) as u8 % 2, (source_index >> 1) as u8, 1 + source_index as u8 % 250];
            let target_host = random.next() % hosts;
            let target = [10, 20, (target_host >> 8) as u8, target_host as u8];
            let port = PORTS_BY_FREQUENCY[(random.next() % 20) as usize];
            let source_port = 32_768 + (random.next() % 28_000) as u16;
            let probe = Segment { src: source, dst: target, src_port: source_port, dst_port: port, flags: TCP_SYN };
            write_tcp(&mut out, time_us + 1, &probe, random.next() as u16, 29_200, None)?;
            packets += 1;
        }
        time_us += PROBE_INTERVAL_US;
    }
    out.flush()?;
    Ok(packets)
}

/// Returns a step near 0.618 of `n` that shares no factor with it, so that multiplying the
/// index by it modulo `n` is a permutation.
fn coprime_step(n: u64) -> u64 {
    let mut step = n * 618 / 1000 | 1;
    while gcd(step, n) != 1 {
        step += 2;
    }
    step
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// A 64-bit linear congruential generator (Knuth's MMIX constants); enough for spreading
/// background probes, and deterministic.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

fn write_file_header(out: &mut impl Write) -> io::Result<()> {
    out.write_all(&0xa1b2_c3d4u32.to_le_bytes())?;
    out.write_all(&2u16.to_le_bytes())?;
    out.write_all(&4u16.to_le_bytes())?;
    out.write_all(&0i32.to_le_bytes())?;
    out.write_all(&0u32.to_le_bytes())?;
    out.write_all(&65_535u32.to_le_bytes())?;
    out.write_all(&LINKTYPE_ETHERNET.to_le_bytes())
}

/// Addresses, ports and flags of one TCP segment.
struct Segment {
    src: [u8; 4],
    dst: [u8; 4],
    src_port: u16,
    dst_port: u16,
    flags: u8,
}

/// Writes one Ethernet/IPv4/TCP frame without payload, with correct checksums. The sequence
/// number is the packet time's low 32 bits; an answer acknowledges its probe's sequence
/// number (`answers_seq`) plus one.
fn write_tcp(
    out: &mut impl Write,
    time_us: u64,
    segment: &Segment,
    ip_id: u16,
    window: u16,
    answers_seq: Option<u32>,
) -> io::Result<()> {
    let Segment { src, dst, src_port, dst_port, flags } = *segment;
    let mut frame = [0u8; 54];
    frame[0..6].copy_from_slice(&[0x02, 0, 0, 0, 0, 0x02]);
    frame[6..12].copy_from_slice(&[0x02, 0, 0, 0, 0, 0x01]);
    frame[12..14].copy_from_slice(&[0x08, 0x00]);

    let ip = &mut frame[14..34];
    ip[0] = 0x45;
    ip[2..4].copy_from_slice(&40u16.to_be_bytes());
    ip[4..6].copy_from_slice(&ip_id.to_be_bytes());
    ip[8] = if flags == TCP_SYN { 44 } else { 64 };
    ip[9] = 6;
    ip[12..16].copy_from_slice(&src);
    ip[16..20].copy_from_slice(&dst);
    let checksum = internet_checksum(ip, 0);
    ip[10..12].copy_from_slice(&checksum.to_be_bytes());

    let tcp = &mut frame[34..54];
    tcp[0..2].copy_from_slice(&src_port.to_be_bytes());
    tcp[2..4].copy_from_slice(&dst_port.to_be_bytes());
    tcp[4..8].copy_from_slice(&(time_us as u32).to_be_bytes());
    if let Some(seq) = answers_seq {
        tcp[8..12].copy_from_slice(&seq.wrapping_add(1).to_be_bytes());
    }
    tcp[12] = 5 << 4;
    tcp[13] = flags;
    tcp[14..16].copy_from_slice(&window.to_be_bytes());
    // The TCP checksum covers a pseudo-header: addresses, protocol and TCP length.
    let mut pseudo = 0u32;
    for pair in src.chunks(2).chain(dst.chunks(2)) {
        pseudo += u32::from(u16::from_be_bytes([pair[0], pair[1]]));
    }
    pseudo += 6 + 20;
    let checksum = internet_checksum(tcp, pseudo);
    tcp[16..18].copy_from_slice(&checksum.to_be_bytes());

    out.write_all(&((time_us / 1_000_000) as u32).to_le_bytes())?;
    out.write_all(&((time_us % 1_000_000) as u32).to_le_bytes())?;
    out.write_all(&(frame.len() as u32).to_le_bytes())?;
    out.write_all(&(frame.len() as u32).to_le_bytes())?;
    out.write_all(&frame)
}

/// Computes the RFC 1071 ones'-complement checksum of `bytes`, starting from `initial`.
fn internet_checksum(bytes: &[u8], initial: u32) -> u16 {
    let mut sum = initial;
    for pair in bytes.chunks(2) {
        let high = u32::from(pair[0]) << 8;
        let low = pair.get(1).map_or(0, |&byte| u32::from(byte));
        sum += high | low;
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}
