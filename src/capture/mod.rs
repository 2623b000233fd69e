//! Packet-capture importer: reads classic pcap and pcapng files into observations.
//!
//! [`read_capture`] streams a capture once, in constant memory, and pushes one
//! [`Observation`](crate::model::Observation) per IP packet into an
//! [`ObservationSink`] as soon as it is decoded. It returns an [`ImportSummary`] with the
//! frames read, the frames skipped by reason and the anomalies met. The caller (the import
//! pipeline) hashes the file, adds its path to errors and stores the results; this module
//! reads bytes only.
//!
//! Terms:
//! - a *frame* is a record that carries a packet. Its locator contains the 1-based frame
//!   number and the file offset of its record header or block;
//! - a *link type* is the `LINKTYPE_*` number that names a frame's first header;
//! - a frame is *skipped* when it yields no observation (not IP, unsupported link type,
//!   undecodable), and an *anomaly* records a problem with its locator without stopping
//!   the import. A truncated file and a corrupt record are anomalies that end the reading;
//!   a damaged file header is an error.
//!
//! Files: `reader.rs` walks the records with pcap-parser, `importer.rs` keeps the per-file
//! counters, `time.rs` converts timestamps, `link.rs` decodes link layers and `decode.rs`
//! the IP and transport headers.

mod decode;
#[doc(hidden)]
pub mod fuzzing;
mod importer;
mod link;
mod reader;
#[cfg(test)]
mod tests;
mod time;

use std::io::{self, Read};

use crate::model::{ImportSummary, ObservationSink, SinkError};

/// Length of the magic number that opens pcap and pcapng files, in bytes.
const MAGIC_LEN: usize = 4;

/// File magic numbers of classic pcap, as bytes on disk: the microsecond and nanosecond
/// formats of pcap-savefile(5) and the "modified" format with 24-byte record headers, each
/// little-endian then big-endian.
const PCAP_MAGICS: [[u8; MAGIC_LEN]; 6] = [
    [0xd4, 0xc3, 0xb2, 0xa1],
    [0xa1, 0xb2, 0xc3, 0xd4],
    [0x4d, 0x3c, 0xb2, 0xa1],
    [0xa1, 0xb2, 0x3c, 0x4d],
    [0x34, 0xcd, 0xb2, 0xa1],
    [0xa1, 0xb2, 0xcd, 0x34],
];

/// Magic of the big-endian modified pcap format, which pcap-parser 0.17 does not read.
const MODIFIED_PCAP_BIG_ENDIAN_MAGIC: [u8; MAGIC_LEN] = [0xa1, 0xb2, 0xcd, 0x34];

/// Block type of the pcapng Section Header Block, which opens every pcapng file; it reads
/// the same in both byte orders.
const PCAPNG_MAGIC: [u8; MAGIC_LEN] = [0x0a, 0x0d, 0x0d, 0x0a];

/// Container format of a capture file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaptureFormat {
    /// Classic libpcap format, including the nanosecond and modified variants.
    Pcap,
    /// pcapng (PCAP Next Generation).
    PcapNg,
}

impl CaptureFormat {
    /// Returns the format name stored in the import summary: `pcap` or `pcapng`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pcap => "pcap",
            Self::PcapNg => "pcapng",
        }
    }
}

/// Detects a capture file from its first bytes, or returns `None` when they are not a pcap
/// or pcapng magic number. Four bytes are enough.
///
/// Every pcap magic is recognised: microsecond `a1b2c3d4`, nanosecond `a1b23c4d` and
/// modified `a1b2cd34`, each in both byte orders; for pcapng, the block type `0a0d0d0a`.
pub fn detect_format(head: &[u8]) -> Option<CaptureFormat> {
    let magic: [u8; MAGIC_LEN] = *head.first_chunk()?;
    if magic == PCAPNG_MAGIC {
        Some(CaptureFormat::PcapNg)
    } else if PCAP_MAGICS.contains(&magic) {
        Some(CaptureFormat::Pcap)
    } else {
        None
    }
}

/// An error that stopped a capture import; the caller adds the file path.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    /// The file does not start with a pcap or pcapng header that this reader accepts.
    #[error("not a readable capture file: {message}")]
    InvalidHeader {
        /// Description of the problem, with the fix when one exists.
        message: String,
    },
    /// Reading the input failed.
    #[error("reading the capture failed at byte {byte_offset}")]
    Io {
        /// File offset of the failed read.
        byte_offset: u64,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// The observation sink did not accept an observation.
    #[error("storing the observation of frame {record} failed")]
    Sink {
        /// Frame number of the observation.
        record: u64,
        /// The sink's error.
        #[source]
        source: SinkError,
    },
}

/// Reads a pcap or pcapng capture from `reader` and pushes one observation per IP packet
/// into `sink`, in file order.
///
/// A file that ends inside a record, or whose record lengths, block types or section
/// versions become invalid, is not an error. Every complete frame before the damage is
/// imported, and the summary records a "capture truncated" or "corrupt record" anomaly with
/// the byte offset. Frames that yield no observation are counted in the summary by reason.
///
/// # Errors
///
/// [`CaptureError::InvalidHeader`] when the input is not a pcap or pcapng file or its file
/// header is damaged, [`CaptureError::Io`] when reading fails, and [`CaptureError::Sink`]
/// when the sink rejects an observation.
pub fn read_capture<R: Read>(mut reader: R, sink: &mut dyn ObservationSink) -> Result<ImportSummary, CaptureError> {
    let mut magic = [0u8; MAGIC_LEN];
    let magic_len =
        read_magic(&mut reader, &mut magic).map_err(|source| CaptureError::Io { byte_offset: 0, source })?;
    let head = &magic[..magic_len];

    let Some(format) = detect_format(head) else {
        let message = if head.len() < MAGIC_LEN {
            format!("the input has {} bytes, fewer than a {MAGIC_LEN}-byte magic number", head.len())
        } else {
            format!(
                "magic number {} is neither pcap nor pcapng; convert the file with `editcap -F pcapng` if Wireshark can open it",
                hex(head)
            )
        };
        return Err(CaptureError::InvalidHeader { message });
    };
    if magic == MODIFIED_PCAP_BIG_ENDIAN_MAGIC {
        let message = format!(
            "big-endian modified pcap (magic {}) is not supported; convert the file with `editcap -F pcapng`",
            hex(head)
        );
        return Err(CaptureError::InvalidHeader { message });
    }

    reader::read_records(head.chain(reader), format, sink)
}

/// Reads up to `magic.len()` bytes, fewer only at the end of input, and returns the count.
fn read_magic<R: Read>(reader: &mut R, magic: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < magic.len() {
        match reader.read(&mut magic[filled..]) {
            Ok(0) => break,
            Ok(count) => filled += count,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
    Ok(filled)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}
