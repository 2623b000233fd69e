//! Writes a large benchmark capture by replaying the packets of real fixture captures.
//!
//! Usage: `gen_capture OUTPUT SIZE_MIB SEED BENIGN.pcap... -- SCAN.pcap...`
//!
//! The output is a classic little-endian microsecond pcap with Ethernet frames, the format
//! tcpdump writes. It is built in rounds until it contains at least SIZE_MIB MiB. Each round
//! interleaves, by time, four replays of benign captures and, in one round out of
//! [`SCAN_ROUND_PERIOD`], a replay of a scan capture. Every replay moves its IPv4 and IPv6
//! addresses to a fresh block so that each round looks like other hosts, and shifts its
//! times so that rounds follow one another: the file is in time order. Packet bytes are otherwise unchanged, except the
//! IPv4 header checksum, which is recomputed. The result is deterministic for a given seed.
//!
//! Built with `rustc -O` and std only (see `capture_bench.sh`), so it needs no dependency.

use std::env;
use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::process::ExitCode;

/// Benign replays interleaved in every round.
const BENIGN_PER_ROUND: usize = 4;
/// One round in this many also replays a scan capture.
const SCAN_ROUND_PERIOD: u64 = 8;
/// Pause between the last packet of a round and the first of the next, in microseconds.
const ROUND_GAP_US: u64 = 1_000_000;
/// Largest delay of a replay's first packet after its round's start, in microseconds.
const MAX_REPLAY_DELAY_US: usize = 2_000_000;
/// First packet time of the output: 2026-12-01T00:00:00Z, in microseconds.
const START_US: u64 = 1_796_083_200_000_000;
/// Length of an Ethernet header without VLAN tags.
const ETHERNET_HEADER_LEN: usize = 14;
const ETHERTYPE_IPV4: [u8; 2] = [0x08, 0x00];
const ETHERTYPE_IPV6: [u8; 2] = [0x86, 0xdd];
/// `LINKTYPE_ETHERNET`.
const LINKTYPE_ETHERNET: u32 = 1;

/// One packet of a fixture, with its time relative to the fixture's first packet.
struct Packet {
    offset_us: u64,
    original_len: u32,
    data: Vec<u8>,
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("gen_capture: error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> io::Result<()> {
    let args: Vec<String> = env::args().skip(1).collect();
    let usage = || io::Error::other("usage: gen_capture OUTPUT SIZE_MIB SEED BENIGN.pcap... -- SCAN.pcap...");
    let [output, size_mib, seed, inputs @ ..] = args.as_slice() else {
        return Err(usage());
    };
    let target_bytes = size_mib.parse::<u64>().map_err(|_| usage())? * 1024 * 1024;
    let mut random = Lcg(seed.parse::<u64>().map_err(|_| usage())?);
    let split = inputs.iter().position(|arg| arg == "--").ok_or_else(usage)?;
    let benign = inputs[..split].iter().map(|path| read_pcap(path)).collect::<io::Result<Vec<_>>>()?;
    let scans = inputs[split + 1..].iter().map(|path| read_pcap(path)).collect::<io::Result<Vec<_>>>()?;
    if benign.is_empty() || scans.is_empty() {
        return Err(usage());
    }

    let mut out = BufWriter::with_capacity(1 << 20, File::create(output)?);
    write_file_header(&mut out)?;
    let mut written = 24u64;
    let mut packets = 0u64;
    let mut round = 0u64;
    let mut round_start_us = START_US;
    while written < target_bytes {
        let mut replays: Vec<Replay<'_>> = Vec::new();
        for _ in 0..BENIGN_PER_ROUND {
            let source = &benign[random.below(benign.len())];
            replays.push(Replay::new(source, random.next(), random.below(MAX_REPLAY_DELAY_US) as u64));
        }
        if round % SCAN_ROUND_PERIOD == SCAN_ROUND_PERIOD - 1 {
            let source = &scans[random.below(scans.len())];
            replays.push(Replay::new(source, random.next(), random.below(MAX_REPLAY_DELAY_US) as u64));
        }
        let mut last_us = 0;
        // Merge the replays by time, so that their packets interleave as on a real link.
        while let Some(index) = replays
            .iter()
            .enumerate()
            .filter_map(|(index, replay)| replay.next_time_us().map(|time| (time, index)))
            .min()
            .map(|(_, index)| index)
        {
            let replay = &mut replays[index];
            let (time_us, data, original_len) = replay.take();
            written += write_record(&mut out, round_start_us + time_us, &data, original_len)?;
            packets += 1;
            last_us = time_us;
        }
        round_start_us += last_us + ROUND_GAP_US;
        round += 1;
    }
    out.flush()?;
    eprintln!("gen_capture: wrote {written} bytes, {packets} packets in {round} rounds to {output}");
    Ok(())
}

/// One replay of a fixture: its packets with moved addresses and a start delay.
struct Replay<'a> {
    packets: &'a [Packet],
    next: usize,
    address_key: u64,
    delay_us: u64,
}

impl<'a> Replay<'a> {
    fn new(packets: &'a [Packet], address_key: u64, delay_us: u64) -> Self {
        Self { packets, next: 0, address_key, delay_us }
    }

    fn next_time_us(&self) -> Option<u64> {
        self.packets.get(self.next).map(|packet| packet.offset_us + self.delay_us)
    }

    fn take(&mut self) -> (u64, Vec<u8>, u32) {
        let packet = &self.packets[self.next];
        self.next += 1;
        let mut data = packet.data.clone();
        move_addresses(&mut data, self.address_key);
        (packet.offset_us + self.delay_us, data, packet.original_len)
    }
}

/// Moves every IPv4 address a.b.c.d of the frame to 10.k1.(c xor k2).d and every IPv6
/// address to fd00:k3k4:k5k6:k7k8 with its interface identifier, where k1 to k8 are bytes of
/// `key`. Both ends of a conversation move the same way, so flows stay whole.
fn move_addresses(frame: &mut [u8], key: u64) {
    if frame.len() < ETHERNET_HEADER_LEN {
        return;
    }
    let ether_type = [frame[12], frame[13]];
    let ip = &mut frame[ETHERNET_HEADER_LEN..];
    if ether_type == ETHERTYPE_IPV4 && ip.len() >= 20 && ip[0] >> 4 == 4 {
        let header_len = usize::from(ip[0] & 0x0f) * 4;
        let network = key.to_le_bytes();
        for address in [12, 16] {
            ip[address] = 10;
            ip[address + 1] = network[0];
            ip[address + 2] ^= network[1];
        }
        if header_len >= 20 && ip.len() >= header_len {
            ip[10] = 0;
            ip[11] = 0;
            let checksum = internet_checksum(&ip[..header_len]);
            ip[10..12].copy_from_slice(&checksum.to_be_bytes());
        }
    } else if ether_type == ETHERTYPE_IPV6 && ip.len() >= 40 {
        let network = key.to_le_bytes();
        for address in [8, 24] {
            ip[address] = 0xfd;
            ip[address + 1] = 0x00;
            ip[address + 2..address + 8].copy_from_slice(&network[..6]);
        }
    }
}

/// Computes the RFC 1071 one's-complement checksum of a header whose checksum field is zero.
fn internet_checksum(header: &[u8]) -> u16 {
    let mut sum: u32 =
        header.chunks(2).map(|pair| u32::from(u16::from_be_bytes([pair[0], *pair.get(1).unwrap_or(&0)]))).sum();
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// Reads a classic pcap file with Ethernet frames (either byte order, micro- or nanosecond
/// times) into packets with times relative to its first packet.
fn read_pcap(path: &str) -> io::Result<Vec<Packet>> {
    let mut bytes = Vec::new();
    File::open(path)?.read_to_end(&mut bytes)?;
    let invalid = |what: &str| io::Error::other(format!("{path}: {what}"));
    let magic = bytes.get(0..4).ok_or_else(|| invalid("shorter than a pcap header"))?;
    let (is_big_endian, ticks_per_us) = match magic {
        [0xd4, 0xc3, 0xb2, 0xa1] => (false, 1),
        [0xa1, 0xb2, 0xc3, 0xd4] => (true, 1),
        [0x4d, 0x3c, 0xb2, 0xa1] => (false, 1000),
        [0xa1, 0xb2, 0x3c, 0x4d] => (true, 1000),
        _ => return Err(invalid("not a classic pcap file")),
    };
    let word = |at: usize| -> u32 {
        let field = [bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]];
        if is_big_endian {
            u32::from_be_bytes(field)
        } else {
            u32::from_le_bytes(field)
        }
    };
    if word(20) & 0xffff != LINKTYPE_ETHERNET {
        return Err(invalid("link type is not Ethernet"));
    }

    let mut packets = Vec::new();
    let mut first_us = None;
    let mut at = 24;
    while at + 16 <= bytes.len() {
        let time_us = u64::from(word(at)) * 1_000_000 + u64::from(word(at + 4)) / ticks_per_us;
        let caplen = word(at + 8) as usize;
        let original_len = word(at + 12);
        let data = bytes.get(at + 16..at + 16 + caplen).ok_or_else(|| invalid("truncated record"))?;
        let first = *first_us.get_or_insert(time_us);
        packets.push(Packet { offset_us: time_us.saturating_sub(first), original_len, data: data.to_vec() });
        at += 16 + caplen;
    }
    Ok(packets)
}

fn write_file_header(out: &mut impl Write) -> io::Result<()> {
    out.write_all(&0xa1b2_c3d4_u32.to_le_bytes())?;
    out.write_all(&2u16.to_le_bytes())?;
    out.write_all(&4u16.to_le_bytes())?;
    out.write_all(&[0; 8])?;
    out.write_all(&262_144u32.to_le_bytes())?;
    out.write_all(&LINKTYPE_ETHERNET.to_le_bytes())
}

/// Writes one record and returns its length in bytes.
fn write_record(out: &mut impl Write, time_us: u64, data: &[u8], original_len: u32) -> io::Result<u64> {
    let caplen = u32::try_from(data.len()).map_err(io::Error::other)?;
    let seconds = u32::try_from(time_us / 1_000_000).map_err(io::Error::other)?;
    out.write_all(&seconds.to_le_bytes())?;
    out.write_all(&((time_us % 1_000_000) as u32).to_le_bytes())?;
    out.write_all(&caplen.to_le_bytes())?;
    out.write_all(&original_len.to_le_bytes())?;
    out.write_all(data)?;
    Ok(16 + u64::from(caplen))
}

/// A 64-bit linear congruential generator (Knuth's MMIX constants): deterministic choices
/// from a seed, without a dependency.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 16
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }
}
