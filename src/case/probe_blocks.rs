//! Probes stored as packed blocks instead of rows.
//!
//! A finding cites only the first probes of each contact ([`super::evidence`] keeps those as
//! rows of the `probe` table, with their header fields and log line). The others are needed
//! only for their count, their time and their place in the evidence, so they are packed into
//! blocks of the `probe_block` table, several hundred probes to a row. In the generated
//! benchmark log two probes in three come after the first 20 of their contact.
//!
//! A block is a sequence of probes, each three variable-length integers (unsigned LEB128,
//! 7 bits per byte). They are the differences of the probe's time in nanoseconds, record
//! number and byte offset from those of the probe before it in the block. Lines out of order
//! make a difference negative, so the differences are zigzag-encoded. The first probe of a
//! block is taken against zero, so a block is read without the others.

use crate::model::{Locator, TimestampNs};

/// Bytes a block is allowed to grow to before it is stored, so a contact probed millions of
/// times (a flood to one port) does not hold its probes in memory until it finishes. A probe
/// of a log read in order takes 4 to 10 bytes, so a full block holds several hundred.
pub const BLOCK_BYTES: usize = 4096;

/// Probes of one contact being packed into a block.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ProbeBlock {
    bytes: Vec<u8>,
    probes: u64,
    first_ts_ns: Option<TimestampNs>,
    previous: (i64, u64, u64),
}

impl ProbeBlock {
    /// Appends one probe.
    pub fn push(&mut self, ts_ns: TimestampNs, locator: Locator) {
        let (previous_ts, previous_record, previous_offset) = self.previous;
        write_varint(&mut self.bytes, zigzag(ts_ns.wrapping_sub(previous_ts)));
        write_varint(&mut self.bytes, zigzag(locator.record.wrapping_sub(previous_record) as i64));
        write_varint(&mut self.bytes, zigzag(locator.byte_offset.wrapping_sub(previous_offset) as i64));
        self.previous = (ts_ns, locator.record, locator.byte_offset);
        self.probes += 1;
        self.first_ts_ns.get_or_insert(ts_ns);
    }

    /// Returns the number of probes in the block.
    pub fn probes(&self) -> u64 {
        self.probes
    }

    /// Returns the time of the block's first probe, or `None` for an empty block.
    pub fn first_ts_ns(&self) -> Option<TimestampNs> {
        self.first_ts_ns
    }

    /// Returns the packed bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Returns true once the block has reached [`BLOCK_BYTES`].
    pub fn is_full(&self) -> bool {
        self.bytes.len() >= BLOCK_BYTES
    }
}

/// A block whose bytes end inside a probe or hold a number too large for its field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid packed probe block: {0}")]
pub struct InvalidBlock(&'static str);

/// Reads the probes of a block, in the order they were packed.
pub fn unpack(bytes: &[u8]) -> Result<Vec<(TimestampNs, Locator)>, InvalidBlock> {
    let mut probes = Vec::with_capacity(bytes.len() / 5);
    let mut position = 0;
    let (mut ts_ns, mut record, mut byte_offset) = (0i64, 0u64, 0u64);
    while position < bytes.len() {
        ts_ns = ts_ns.wrapping_add(unzigzag(read_varint(bytes, &mut position)?));
        record = record.wrapping_add(unzigzag(read_varint(bytes, &mut position)?) as u64);
        byte_offset = byte_offset.wrapping_add(unzigzag(read_varint(bytes, &mut position)?) as u64);
        probes.push((ts_ns, Locator { record, byte_offset }));
    }
    Ok(probes)
}

fn zigzag(value: i64) -> u64 {
    ((value << 1) ^ (value >> 63)) as u64
}

fn unzigzag(value: u64) -> i64 {
    ((value >> 1) as i64) ^ -((value & 1) as i64)
}

fn write_varint(bytes: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        bytes.push((value as u8 & 0x7f) | 0x80);
        value >>= 7;
    }
    bytes.push(value as u8);
}

fn read_varint(bytes: &[u8], position: &mut usize) -> Result<u64, InvalidBlock> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let Some(&byte) = bytes.get(*position) else {
            return Err(InvalidBlock("the bytes end inside a number"));
        };
        *position += 1;
        let bits = u64::from(byte & 0x7f);
        if shift == 63 && bits > 1 {
            return Err(InvalidBlock("a number has more than 64 bits"));
        }
        value |= bits << shift;
        if byte & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err(InvalidBlock("a number has more than 64 bits"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn locator(record: u64, byte_offset: u64) -> Locator {
        Locator { record, byte_offset }
    }

    #[test]
    fn block_round_trips() {
        let probes = [
            (1_764_000_000_000_000_000, locator(1, 0)),
            (1_764_000_000_000_000_000, locator(2, 301)),
            (1_764_000_001_500_000_000, locator(9, 2_417)),
            // A line out of order: its time and record are lower than the one before.
            (1_763_999_999_000_000_000, locator(4, 1_100)),
            (i64::MAX, locator(u64::MAX, u64::MAX)),
            (i64::MIN, locator(0, 0)),
        ];
        let mut block = ProbeBlock::default();
        for (ts_ns, locator) in probes {
            block.push(ts_ns, locator);
        }
        assert_eq!(block.probes(), probes.len() as u64);
        assert_eq!(block.first_ts_ns(), Some(probes[0].0));
        assert_eq!(unpack(block.as_bytes()), Ok(probes.to_vec()));
    }

    #[test]
    fn probes_in_order_pack_small() {
        let mut block = ProbeBlock::default();
        block.push(1_764_000_000_000_000_000, locator(1, 0));
        let first = block.as_bytes().len();
        block.push(1_764_000_000_000_000_000, locator(2, 290));
        assert_eq!(block.as_bytes().len() - first, 4, "same second, next line: 1 + 1 + 2 bytes");
    }

    #[test]
    fn block_fills_at_limit() {
        let mut block = ProbeBlock::default();
        let mut record = 0;
        while !block.is_full() {
            record += 1;
            block.push(record as i64 * 1_000_000_000, locator(record, record * 290));
        }
        assert!(block.as_bytes().len() >= BLOCK_BYTES);
        assert!(block.as_bytes().len() < BLOCK_BYTES + 30, "at most one probe past the limit");
    }

    #[test]
    fn truncated_block_is_invalid() {
        let mut block = ProbeBlock::default();
        block.push(1_764_000_000_000_000_000, locator(1, 0));
        let bytes = block.as_bytes();
        assert_eq!(unpack(&bytes[..bytes.len() - 1]), Err(InvalidBlock("the bytes end inside a number")));
        assert_eq!(unpack(&[0xff; 11]), Err(InvalidBlock("a number has more than 64 bits")));
        assert_eq!(unpack(&[]), Ok(Vec::new()));
    }
}
