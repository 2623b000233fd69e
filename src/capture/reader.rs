//! Streaming over the records of a capture file with pcap-parser.
//!
//! pcap-parser's readers parse from a fixed-size buffer that must hold one whole record. The
//! loop below requests the next block, refills the buffer when the block is incomplete and
//! consumes each block once it is decoded. Memory therefore stays at
//! [`BUFFER_CAPACITY_BYTES`], or up to [`MAX_BUFFER_BYTES`] while an oversized record passes,
//! whatever the size of the file.
//!
//! Terms used here:
//! - a *record* is a classic pcap record or a pcapng block, and its *offset* is the file
//!   position of its first byte;
//! - a *frame* is a record that carries a packet (pcap record, pcapng Enhanced or Simple
//!   Packet Block). Frames are numbered from 1 in file order, as Wireshark numbers them;
//! - an *interface* gives a frame its link type and clock: a pcapng Interface Description
//!   Block, or in a classic pcap file the file header.
//!
//! The reader distinguishes three ends of input. A clean end comes after the last record. A
//! *truncated* file ends inside its last record. A *corrupt* record has an invalid or absurd
//! length, block type or version, so no later record can be found. In both damaged cases
//! every complete record before the damage is imported and an anomaly names the byte offset
//! where reading stopped. Damage inside the file header instead rejects the file with
//! [`CaptureError::InvalidHeader`], because nothing in it can be read.

use std::cell::RefCell;
use std::io::{self, Read};
use std::rc::Rc;

use pcap_parser::pcapng::{Block, InterfaceDescriptionBlock, OptionCode, IDB_MAGIC};
use pcap_parser::traits::{PcapNGPacketBlock, PcapReaderIterator};
use pcap_parser::{LegacyPcapReader, Linktype, PcapBlockOwned, PcapError, PcapHeader, PcapNGReader};

use super::importer::{FrameTime, Importer, NO_FRAME};
use super::time::TickRate;
use super::{CaptureError, CaptureFormat};
use crate::model::{ImportSummary, Locator, ObservationSink};

/// Initial size of the parse buffer, in bytes: four packets of 262144 bytes, the snapshot
/// length that tcpdump 4.99 writes by default.
const BUFFER_CAPACITY_BYTES: usize = 1 << 20;

/// Largest record the parse buffer grows to hold, in bytes: 64 default-size packets, a margin
/// chosen for pcapng blocks with long options or name tables. A longer record is reported
/// as corrupt.
const MAX_BUFFER_BYTES: usize = 16 << 20;

/// Largest captured length of a classic pcap record, in bytes: 262144, libpcap's
/// `MAXIMUM_SNAPLEN` (pcap-int.h) and tcpdump 4.99's default snapshot length. A longer record
/// length is taken for a corrupt field rather than read as a packet.
// NOTE: libpcap allows longer records for a few link types that scancase does not decode;
// such a file stops at its first record longer than this, with a "corrupt record" anomaly.
const MAX_PCAP_CAPLEN: u32 = 262_144;

/// Block type of the pcapng Section Header Block, the same in both byte orders.
const SHB_BLOCK_TYPE: [u8; 4] = [0x0a, 0x0d, 0x0d, 0x0a];

/// pcapng Byte-Order Magic as written by a little-endian writer.
const PCAPNG_BOM_LITTLE_ENDIAN: [u8; 4] = [0x4d, 0x3c, 0x2b, 0x1a];

/// pcapng section versions this reader accepts: 1.0, the version the pcapng draft defines,
/// and 1.2, which tshark 4.0 reads as well. tshark rejects others, such as 0.1 and 1.1.
const PCAPNG_VERSIONS: [(u16, u16); 2] = [(1, 0), (1, 2)];

/// Classic pcap major version; pcap-savefile(5) describes 2.4, and minor versions before it
/// differ only in rarely used details.
const PCAP_MAJOR_VERSION: u16 = 2;

/// Bits 16 to 25 of the pcap header's link type field, which are reserved and zero
/// (pcap-savefile(5) and the IETF pcap draft). Bits 26 to 31 carry the FCS length.
const PCAP_LINKTYPE_RESERVED_BITS: u32 = 0x03FF_0000;

/// Skipped reasons of the pcapng blocks that tshark numbers as frames but that carry no
/// packet.
const SKIP_CUSTOM_BLOCK: &str = "pcapng custom block";
const SKIP_JOURNAL_ENTRY: &str = "pcapng systemd journal entry";

/// Block type of the obsolete pcapng Packet Block, which this reader does not decode.
const OBSOLETE_PACKET_BLOCK_TYPE: u32 = 0x0000_0002;

/// Bits of the pcap header's link type field that contain the link type. The upper 16 bits
/// carry the FCS length and flags (pcap-savefile(5)).
const PCAP_LINKTYPE_MASK: i32 = 0xFFFF;

/// Streams every record of `source`, a file of the given format, into `sink`.
pub(super) fn read_records<R: Read>(
    source: R,
    format: CaptureFormat,
    sink: &mut dyn ObservationSink,
) -> Result<ImportSummary, CaptureError> {
    let io_error = Rc::new(RefCell::new(None));
    let source = FillingReader { inner: source, error: Rc::clone(&io_error) };
    let mut blocks: Box<dyn PcapReaderIterator + '_> = match format {
        CaptureFormat::Pcap => Box::new(
            LegacyPcapReader::new(BUFFER_CAPACITY_BYTES, source).map_err(|err| header_error(err, format, &io_error))?,
        ),
        CaptureFormat::PcapNg => Box::new(
            PcapNGReader::new(BUFFER_CAPACITY_BYTES, source).map_err(|err| header_error(err, format, &io_error))?,
        ),
    };

    let mut importer = Importer::new(format, sink);
    let mut layout = RecordLayout::default();
    let mut capacity = BUFFER_CAPACITY_BYTES;
    loop {
        let offset = blocks.consumed() as u64;
        let step = match blocks.next() {
            Ok((len, block)) => match handle_block(&mut importer, &mut layout, block, offset)? {
                BlockEnd::Next => Step::Consume(len),
                BlockEnd::Corrupt(message) => Step::Corrupt(message),
            },
            Err(err) => Step::from_error(err),
        };
        // A record that declares an absurd length is corrupt, whether the file ends before
        // that length or not.
        let step = match step {
            Step::Truncated | Step::NeedMoreData | Step::BufferTooSmall => {
                layout.oversized_record(blocks.data()).map_or(step, Step::Corrupt)
            }
            other => other,
        };
        match step {
            Step::Consume(len) => blocks.consume(len),
            Step::End => break,
            Step::Truncated => {
                let file_len = offset + blocks.data().len() as u64;
                importer.record_truncation(offset, file_len);
                break;
            }
            Step::NeedMoreData => {
                let buffered = blocks.data().len();
                refill(blocks.as_mut(), offset, &io_error)?;
                // A refill that adds nothing without reaching the end means the buffer is
                // full, so treat it like pcap-parser's "buffer too small".
                if blocks.data().len() == buffered && !blocks.reader_exhausted() {
                    if let Err(message) = grow(blocks.as_mut(), &mut capacity) {
                        importer.record_corruption(offset, &message);
                        break;
                    }
                }
            }
            Step::BufferTooSmall => {
                if let Err(message) = grow(blocks.as_mut(), &mut capacity) {
                    importer.record_corruption(offset, &message);
                    break;
                }
                refill(blocks.as_mut(), offset, &io_error)?;
            }
            Step::Corrupt(message) => {
                importer.record_corruption(offset, &message);
                break;
            }
        }
    }
    Ok(importer.finish())
}

/// Next action of the read loop after one call to pcap-parser.
enum Step {
    Consume(usize),
    End,
    Truncated,
    NeedMoreData,
    BufferTooSmall,
    Corrupt(String),
}

impl Step {
    fn from_error(err: PcapError<&[u8]>) -> Step {
        match err {
            PcapError::Eof => Step::End,
            PcapError::UnexpectedEof => Step::Truncated,
            PcapError::Incomplete(_) => Step::NeedMoreData,
            PcapError::BufferTooSmall => Step::BufferTooSmall,
            PcapError::NomError(_, kind) | PcapError::OwnedNomError(_, kind) => {
                Step::Corrupt(format!("its length fields or block type are invalid (pcap-parser: {kind:?})"))
            }
            other => Step::Corrupt(format!("pcap-parser failed: {other}")),
        }
    }
}

/// Maps an error met while reading the file header.
fn header_error(err: PcapError<&[u8]>, format: CaptureFormat, io_error: &RefCell<Option<io::Error>>) -> CaptureError {
    let message = match err {
        PcapError::ReadError => return io_failure(0, io_error),
        PcapError::Eof | PcapError::UnexpectedEof | PcapError::Incomplete(_) => {
            format!("the file ends inside its {} file header", format.as_str())
        }
        other => format!("the {} file header is invalid ({other})", format.as_str()),
    };
    CaptureError::InvalidHeader { message }
}

/// Builds the I/O error for a failed read at `byte_offset`, with the cause kept by
/// [`FillingReader`].
fn io_failure(byte_offset: u64, io_error: &RefCell<Option<io::Error>>) -> CaptureError {
    let source = io_error
        .borrow_mut()
        .take()
        .unwrap_or_else(|| io::Error::other("pcap-parser reported a read error without a cause"));
    CaptureError::Io { byte_offset, source }
}

fn refill(
    blocks: &mut dyn PcapReaderIterator,
    offset: u64,
    io_error: &RefCell<Option<io::Error>>,
) -> Result<(), CaptureError> {
    let read_position = offset + blocks.data().len() as u64;
    blocks.refill().map_err(|_| io_failure(read_position, io_error))
}

/// Doubles the parse buffer so that the pending record fits, up to [`MAX_BUFFER_BYTES`], or
/// returns why the record cannot be read.
fn grow(blocks: &mut dyn PcapReaderIterator, capacity: &mut usize) -> Result<(), String> {
    if *capacity >= MAX_BUFFER_BYTES {
        return Err(format!("the record is longer than {MAX_BUFFER_BYTES} bytes, the largest this reader accepts"));
    }
    *capacity = (*capacity * 2).min(MAX_BUFFER_BYTES);
    blocks.grow(*capacity);
    Ok(())
}

/// Layout of the record headers that follow: the byte order of the file or of the current
/// pcapng section, and the snapshot length of a classic pcap file.
#[derive(Debug, Clone, Copy, Default)]
enum RecordLayout {
    /// Before the file header.
    #[default]
    Unknown,
    Pcap {
        is_big_endian: bool,
        snaplen: u32,
    },
    PcapNg {
        is_big_endian: bool,
    },
}

impl RecordLayout {
    /// Reads the length that the record at the start of `data` declares, and returns a
    /// message when it is too large to be real. A corrupt length field is so reported at
    /// once instead of being read as a record.
    fn oversized_record(self, data: &[u8]) -> Option<String> {
        match self {
            RecordLayout::Unknown => None,
            RecordLayout::Pcap { is_big_endian, .. } => {
                // Both record header layouts (16 and 24 bytes) keep caplen at bytes 8 to 12.
                let caplen = read_u32(data.get(8..12)?, is_big_endian);
                (caplen > MAX_PCAP_CAPLEN).then(|| caplen_message(caplen))
            }
            RecordLayout::PcapNg { is_big_endian } => {
                // A Section Header Block may switch the byte order, which its Byte-Order Magic gives.
                let is_big_endian = if data.get(0..4)? == SHB_BLOCK_TYPE {
                    data.get(8..12)? != PCAPNG_BOM_LITTLE_ENDIAN
                } else {
                    is_big_endian
                };
                let block_len = read_u32(data.get(4..8)?, is_big_endian);
                (usize::try_from(block_len).map_or(true, |len| len > MAX_BUFFER_BYTES)).then(|| {
                    format!(
                        "its block length is {block_len} bytes, more than the {MAX_BUFFER_BYTES} bytes this reader accepts"
                    )
                })
            }
        }
    }
}

fn read_u32(bytes: &[u8], is_big_endian: bool) -> u32 {
    let mut word = [0u8; 4];
    word.copy_from_slice(bytes);
    if is_big_endian {
        u32::from_be_bytes(word)
    } else {
        u32::from_le_bytes(word)
    }
}

fn caplen_message(caplen: u32) -> String {
    format!("its captured length is {caplen} bytes, more than the {MAX_PCAP_CAPLEN} bytes any pcap writer records")
}

/// Outcome of handling one block, for the read loop.
enum BlockEnd {
    Next,
    /// The block cannot be used and the records after it cannot be found, for the reason given.
    Corrupt(String),
}

/// Passes one block to the importer, with its link type and timestamp.
fn handle_block(
    importer: &mut Importer<'_>,
    layout: &mut RecordLayout,
    block: PcapBlockOwned<'_>,
    offset: u64,
) -> Result<BlockEnd, CaptureError> {
    match block {
        PcapBlockOwned::LegacyHeader(header) => {
            check_pcap_header(&header)?;
            *layout = RecordLayout::Pcap { is_big_endian: header.is_bigendian(), snaplen: header.snaplen };
            importer.set_pcap_interface(pcap_interface(&header));
        }
        PcapBlockOwned::Legacy(record) => {
            if record.caplen > MAX_PCAP_CAPLEN {
                return Ok(BlockEnd::Corrupt(caplen_message(record.caplen)));
            }
            // A packet has at least one byte on the wire, so a record header of only zero
            // bytes is no record. It marks a zero-filled part of the file, as a preallocated
            // or sparse file or a damaged disk leaves it, and reading it as a run of empty
            // frames would take one frame per 16 bytes of zeros.
            if record.ts_sec == 0 && record.ts_usec == 0 && record.caplen == 0 && record.origlen == 0 {
                return Ok(BlockEnd::Corrupt(
                    "its record header is all zero bytes, as in a zero-filled part of the file".to_string(),
                ));
            }
            let locator = importer.next_frame(offset);
            if let RecordLayout::Pcap { snaplen, .. } = *layout {
                if record.caplen > snaplen {
                    importer.note_caplen_above_snaplen(locator, record.caplen, snaplen);
                }
            }
            let Some(interface) = importer.interface(0) else {
                importer.skip_undeclared_interface(locator, 0);
                return Ok(BlockEnd::Next);
            };
            let time = match interface.tick_rate {
                Some(rate) => {
                    if rate.is_second_or_more(record.ts_usec) {
                        importer.note_fraction_of_second_or_more(locator, record.ts_usec);
                    }
                    rate.pcap_record_ns(record.ts_sec, record.ts_usec).map_or(FrameTime::OutOfRange, FrameTime::Known)
                }
                None => FrameTime::InvalidResolution,
            };
            importer.import_frame(locator, interface.link_type, time, record.data)?;
        }
        PcapBlockOwned::NG(Block::SectionHeader(shb)) => {
            let version = (shb.major_version, shb.minor_version);
            if !PCAPNG_VERSIONS.contains(&version) {
                let message = format!(
                    "its pcapng version is {}.{}; this reader accepts 1.0 and 1.2",
                    shb.major_version, shb.minor_version
                );
                if offset == 0 {
                    return Err(CaptureError::InvalidHeader {
                        message: format!("the section header is invalid: {message}"),
                    });
                }
                return Ok(BlockEnd::Corrupt(format!("section header {message}")));
            }
            *layout = RecordLayout::PcapNg { is_big_endian: shb.big_endian() };
            importer.start_section();
        }
        PcapBlockOwned::NG(Block::InterfaceDescription(idb)) => {
            importer.add_interface(pcapng_interface(&idb), idb.if_tsresol, offset);
        }
        PcapBlockOwned::NG(Block::EnhancedPacket(epb)) => {
            let locator = importer.next_frame(offset);
            let Some(interface) = importer.interface(epb.if_id) else {
                importer.skip_undeclared_interface(locator, epb.if_id);
                return Ok(BlockEnd::Next);
            };
            let ticks = (u64::from(epb.ts_high) << 32) | u64::from(epb.ts_low);
            let time = match interface.tick_rate {
                Some(rate) => {
                    rate.to_ns(ticks, interface.ts_offset_seconds).map_or(FrameTime::OutOfRange, FrameTime::Known)
                }
                None => FrameTime::InvalidResolution,
            };
            importer.import_frame(locator, interface.link_type, time, epb.packet_data())?;
        }
        PcapBlockOwned::NG(Block::SimplePacket(spb)) => {
            // A Simple Packet Block belongs to the section's first interface and has no
            // timestamp of its own.
            let locator = importer.next_frame(offset);
            let Some(interface) = importer.interface(0) else {
                importer.skip_undeclared_interface(locator, 0);
                return Ok(BlockEnd::Next);
            };
            let time = importer.simple_packet_time(locator);
            importer.import_frame(locator, interface.link_type, time, spb.packet_data())?;
        }
        // pcap-parser reads the type of an unknown block as little-endian in both byte orders.
        PcapBlockOwned::NG(Block::Unknown(unknown))
            if unknown.block_type == OBSOLETE_PACKET_BLOCK_TYPE
                || unknown.block_type == OBSOLETE_PACKET_BLOCK_TYPE.swap_bytes() =>
        {
            let locator = importer.next_frame(offset);
            importer.skip_obsolete_packet_block(locator);
        }
        // tshark 4.0 numbers custom blocks and systemd journal entries as frames, so they take
        // a frame number here too and keep the numbers of later frames equal to tshark's.
        PcapBlockOwned::NG(Block::Custom(_)) => {
            importer.next_frame(offset);
            importer.skip_non_packet(SKIP_CUSTOM_BLOCK);
        }
        PcapBlockOwned::NG(Block::SystemdJournalExport(_)) => {
            importer.next_frame(offset);
            importer.skip_non_packet(SKIP_JOURNAL_ENTRY);
        }
        // Name resolution, statistics, secrets, process and unknown blocks carry no packet.
        PcapBlockOwned::NG(_) => {}
    }
    Ok(BlockEnd::Next)
}

/// Rejects a classic pcap header that libpcap 1.10 and Wireshark 4.0 reject as well: a major
/// version other than 2, or reserved bits set in the link type field.
fn check_pcap_header(header: &PcapHeader) -> Result<(), CaptureError> {
    let message = if header.version_major != PCAP_MAJOR_VERSION {
        format!(
            "the pcap file header has version {}.{}; only version {PCAP_MAJOR_VERSION}.x is defined",
            header.version_major, header.version_minor
        )
    } else if header.network.0 as u32 & PCAP_LINKTYPE_RESERVED_BITS != 0 {
        format!(
            "the pcap file header's link type field 0x{:08x} has reserved bits set (mask 0x{PCAP_LINKTYPE_RESERVED_BITS:08x})",
            header.network.0 as u32
        )
    } else {
        return Ok(());
    };
    Err(CaptureError::InvalidHeader { message })
}

/// The link type and clock of the frames of one interface.
#[derive(Debug, Clone, Copy)]
pub(super) struct Interface {
    pub(super) link_type: u16,
    /// `None` when `if_tsresol` is out of range, so no timestamp can be computed.
    pub(super) tick_rate: Option<TickRate>,
    /// `if_tsoffset`: seconds added to every timestamp of the interface.
    pub(super) ts_offset_seconds: i64,
}

fn pcap_interface(header: &PcapHeader) -> Interface {
    let tick_rate = if header.is_nanosecond_precision() { TickRate::NANOSECONDS } else { TickRate::MICROSECONDS };
    // `thiszone` is ignored: pcap-savefile(5) requires readers to ignore it, and times are UTC.
    Interface { link_type: link_type_number(header.network), tick_rate: Some(tick_rate), ts_offset_seconds: 0 }
}

fn pcapng_interface(idb: &InterfaceDescriptionBlock<'_>) -> Interface {
    Interface {
        link_type: link_type_number(idb.linktype),
        tick_rate: TickRate::from_if_tsresol(idb.if_tsresol),
        ts_offset_seconds: if_tsoffset(idb),
    }
}

/// Returns the low 16 bits of a link type field, the link type proper.
fn link_type_number(linktype: Linktype) -> u16 {
    // The mask leaves a value in 0..=0xFFFF, so the conversion cannot fail.
    u16::try_from(linktype.0 & PCAP_LINKTYPE_MASK).unwrap_or(u16::MAX)
}

/// Reads `if_tsoffset` (option 14, a signed 64-bit count of seconds) in the byte order of
/// the block's section; pcap-parser 0.17 always reads it as little-endian.
fn if_tsoffset(idb: &InterfaceDescriptionBlock<'_>) -> i64 {
    let is_big_endian = idb.block_type != IDB_MAGIC;
    idb.options
        .iter()
        .filter(|option| option.code == OptionCode::IfTsoffset)
        .filter_map(|option| <[u8; 8]>::try_from(option.as_bytes().ok()?).ok())
        .map(|bytes| if is_big_endian { i64::from_be_bytes(bytes) } else { i64::from_le_bytes(bytes) })
        .next_back()
        .unwrap_or(0)
}

/// Reader adapter for pcap-parser that fills each buffer unless the input ends, and keeps
/// the first I/O error for [`io_failure`].
///
/// pcap-parser parses the result of its first `read` as the whole file header, so a short
/// read (a pipe, a slow disk) would fail a valid file. It also replaces every I/O error
/// with its own `ReadError`, dropping the cause.
struct FillingReader<R> {
    inner: R,
    error: Rc<RefCell<Option<io::Error>>>,
}

impl<R: Read> Read for FillingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.error.borrow().is_some() {
            return Err(io::Error::other("an earlier read failed"));
        }
        let mut filled = 0;
        while filled < buf.len() {
            match self.inner.read(&mut buf[filled..]) {
                Ok(0) => break,
                Ok(count) => filled += count,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                Err(err) => {
                    // Hand over the bytes read so far; the next call returns the error.
                    *self.error.borrow_mut() = Some(err);
                    break;
                }
            }
        }
        if filled == 0 && self.error.borrow().is_some() {
            return Err(io::Error::other("read failed"));
        }
        Ok(filled)
    }
}

/// Locator for anomalies that concern the file rather than one frame.
pub(super) fn file_locator(byte_offset: u64) -> Locator {
    Locator { record: NO_FRAME, byte_offset }
}
