//! pcapng files written block by block in the tests, in both byte orders, for interface
//! clocks, Simple Packet Blocks and interface IDs that the real captures do not exercise.

use etherparse::PacketBuilder;

use super::*;

const LINKTYPE_RAW: u16 = 101;
const SHB_TYPE: u32 = 0x0a0d_0d0a;
const IDB_TYPE: u32 = 0x0000_0001;
const SPB_TYPE: u32 = 0x0000_0003;
const EPB_TYPE: u32 = 0x0000_0006;
const BYTE_ORDER_MAGIC: u32 = 0x1a2b_3c4d;
const OPTION_IF_TSRESOL: u16 = 9;
const OPTION_IF_TSOFFSET: u16 = 14;

/// Writes pcapng blocks in one byte order.
struct PcapngWriter {
    is_big_endian: bool,
    bytes: Vec<u8>,
}

impl PcapngWriter {
    fn new(is_big_endian: bool) -> Self {
        let mut writer = PcapngWriter { is_big_endian, bytes: Vec::new() };
        writer.section_header();
        writer
    }

    fn u16_bytes(&self, value: u16) -> [u8; 2] {
        if self.is_big_endian {
            value.to_be_bytes()
        } else {
            value.to_le_bytes()
        }
    }

    fn u32_bytes(&self, value: u32) -> [u8; 4] {
        if self.is_big_endian {
            value.to_be_bytes()
        } else {
            value.to_le_bytes()
        }
    }

    fn block(&mut self, block_type: u32, mut body: Vec<u8>) {
        body.resize(body.len().next_multiple_of(4), 0);
        let total = self.u32_bytes(u32::try_from(body.len() + 12).expect("small block"));
        let block_type = self.u32_bytes(block_type);
        self.bytes.extend_from_slice(&block_type);
        self.bytes.extend_from_slice(&total);
        self.bytes.extend_from_slice(&body);
        self.bytes.extend_from_slice(&total);
    }

    fn section_header(&mut self) {
        let mut body = self.u32_bytes(BYTE_ORDER_MAGIC).to_vec();
        body.extend_from_slice(&self.u16_bytes(1));
        body.extend_from_slice(&self.u16_bytes(0));
        body.extend_from_slice(&[0xff; 8]); // section length unknown
        self.block(SHB_TYPE, body);
    }

    fn interface(&mut self, if_tsresol: Option<u8>, if_tsoffset: Option<i64>) {
        let mut body = self.u16_bytes(LINKTYPE_RAW).to_vec();
        body.extend_from_slice(&[0, 0, 0, 0, 0, 0]); // reserved, snaplen 0 (no limit)
        let mut options: Vec<(u16, Vec<u8>)> = Vec::new();
        if let Some(resolution) = if_tsresol {
            options.push((OPTION_IF_TSRESOL, vec![resolution]));
        }
        if let Some(offset) = if_tsoffset {
            let value = if self.is_big_endian { offset.to_be_bytes() } else { offset.to_le_bytes() };
            options.push((OPTION_IF_TSOFFSET, value.to_vec()));
        }
        for (code, mut value) in options {
            body.extend_from_slice(&self.u16_bytes(code));
            body.extend_from_slice(&self.u16_bytes(u16::try_from(value.len()).expect("short")));
            value.resize(value.len().next_multiple_of(4), 0);
            body.extend_from_slice(&value);
        }
        body.extend_from_slice(&[0; 4]); // opt_endofopt
        self.block(IDB_TYPE, body);
    }

    fn enhanced_packet(&mut self, interface_id: u32, ticks: u64, packet: &[u8]) {
        let len = u32::try_from(packet.len()).expect("small packet");
        let mut body = self.u32_bytes(interface_id).to_vec();
        body.extend_from_slice(&self.u32_bytes((ticks >> 32) as u32));
        body.extend_from_slice(&self.u32_bytes(ticks as u32));
        body.extend_from_slice(&self.u32_bytes(len));
        body.extend_from_slice(&self.u32_bytes(len));
        body.extend_from_slice(packet);
        self.block(EPB_TYPE, body);
    }

    fn simple_packet(&mut self, packet: &[u8]) {
        let mut body = self.u32_bytes(u32::try_from(packet.len()).expect("small")).to_vec();
        body.extend_from_slice(packet);
        self.block(SPB_TYPE, body);
    }
}

fn syn_packet(dst_port: u16) -> Vec<u8> {
    let mut packet = Vec::new();
    PacketBuilder::ipv4([192, 0, 2, 10], [198, 51, 100, 20], 64)
        .tcp(40000, dst_port, 1, 1024)
        .syn()
        .write(&mut packet, &[])
        .expect("build");
    packet
}

#[test]
fn binary_tsresol_and_offset() {
    for is_big_endian in [false, true] {
        let mut writer = PcapngWriter::new(is_big_endian);
        // Ticks of 2^-10 s, plus 1_700_000_000 s: 5.25 s of ticks is 5 * 1024 + 256.
        writer.interface(Some(0x80 | 10), Some(1_700_000_000));
        writer.enhanced_packet(0, 5 * 1024 + 256, &syn_packet(22));
        let (summary, observations) = import_bytes(&writer.bytes).expect("import");
        assert_eq!(summary.format, "pcapng");
        assert_eq!(observations.len(), 1, "big-endian {is_big_endian}: {summary:?}");
        assert_eq!(observations[0].ts_ns, 1_700_000_005_250_000_000, "big-endian {is_big_endian}");
        assert_eq!(observations[0].dst_port, Some(22));
    }
}

#[test]
fn simple_packet_borrows_time() {
    let mut writer = PcapngWriter::new(false);
    writer.interface(Some(9), None);
    writer.simple_packet(&syn_packet(21));
    writer.enhanced_packet(0, 1_704_164_645_123_456_789, &syn_packet(22));
    writer.simple_packet(&syn_packet(23));
    let (summary, observations) = import_bytes(&writer.bytes).expect("import");
    assert_eq!(summary.records, 3);
    assert_eq!(summary.skipped.get("simple packet block before any timestamp"), Some(&1));
    let ports: Vec<Option<u16>> = observations.iter().map(|obs| obs.dst_port).collect();
    assert_eq!(ports, vec![Some(22), Some(23)]);
    assert_eq!(observations[1].ts_ns, observations[0].ts_ns);
    assert_eq!(observations[1].locator.record, 3);
    let borrowed = summary.anomalies.iter().filter(|a| a.message.contains("no timestamp")).count();
    assert_eq!(borrowed, 1, "{:?}", summary.anomalies);
}

#[test]
fn undeclared_interface_skipped() {
    let mut writer = PcapngWriter::new(false);
    writer.interface(None, None);
    writer.enhanced_packet(3, 1_000_000, &syn_packet(22));
    // A new section drops the interfaces of the one before.
    writer.section_header();
    writer.enhanced_packet(0, 1_000_000, &syn_packet(23));
    let (summary, observations) = import_bytes(&writer.bytes).expect("import");
    assert!(observations.is_empty());
    assert_eq!(summary.records, 2);
    assert_eq!(summary.skipped.get("packet of an undeclared interface"), Some(&2));
    let records: Vec<u64> = summary.anomalies.iter().map(|a| a.locator.record).collect();
    assert_eq!(records, vec![1, 2]);
}

#[test]
fn invalid_tsresol_reported() {
    let mut writer = PcapngWriter::new(false);
    writer.interface(Some(0x7f), None);
    writer.interface(None, None);
    writer.enhanced_packet(0, 1_000_000, &syn_packet(22));
    writer.enhanced_packet(1, 1_000_000, &syn_packet(23));
    let (summary, observations) = import_bytes(&writer.bytes).expect("import");
    assert_eq!(observations.len(), 1);
    assert_eq!(observations[0].ts_ns, 1_000_000_000);
    assert_eq!(summary.skipped.get("interface with an invalid if_tsresol"), Some(&1));
    assert_eq!(summary.anomalies.len(), 1);
    assert!(summary.anomalies[0].message.contains("0x7f"), "{:?}", summary.anomalies);
}

#[test]
fn obsolete_packet_block_counted() {
    const OBSOLETE_PACKET_BLOCK_TYPE: u32 = 2;
    for is_big_endian in [false, true] {
        let mut writer = PcapngWriter::new(is_big_endian);
        writer.interface(None, None);
        // Interface ID, drops count, timestamp, lengths: the body is not decoded.
        let mut body = vec![0; 20];
        body.extend(syn_packet(22));
        writer.block(OBSOLETE_PACKET_BLOCK_TYPE, body);
        writer.enhanced_packet(0, 1_000_000, &syn_packet(23));
        let (summary, observations) = import_bytes(&writer.bytes).expect("import");
        assert_eq!(summary.records, 2, "big-endian {is_big_endian}");
        assert_eq!(summary.skipped.get("obsolete pcapng Packet Block"), Some(&1), "big-endian {is_big_endian}");
        assert_eq!(observations.len(), 1);
        assert_eq!(observations[0].locator.record, 2);
        assert_eq!(summary.anomalies.len(), 1, "{:?}", summary.anomalies);
    }
}
