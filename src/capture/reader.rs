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
//! *truncated* file ends inside its last record: every complete record is imported and an
//! anomaly is recorded. A *corrupt* record has an invalid length or block type, so no later
//! record can be found and reading stops with [`CaptureError::CorruptRecord`].

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
    let mut capacity = BUFFER_CAPACITY_BYTES;
    loop {
        let offset = blocks.consumed() as u64;
        let step = match blocks.next() {
            Ok((len, block)) => {
                handle_block(&mut importer, block, offset)?;
                Step::Consume(len)
            }
            Err(err) => Step::from_error(err),
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
                    grow(blocks.as_mut(), &mut capacity, offset)?;
                }
            }
            Step::BufferTooSmall => {
                grow(blocks.as_mut(), &mut capacity, offset)?;
                refill(blocks.as_mut(), offset, &io_error)?;
            }
            Step::Corrupt(message) => {
                return Err(CaptureError::CorruptRecord { byte_offset: offset, message });
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

/// Doubles the parse buffer, up to [`MAX_BUFFER_BYTES`].
fn grow(blocks: &mut dyn PcapReaderIterator, capacity: &mut usize, offset: u64) -> Result<(), CaptureError> {
    if *capacity >= MAX_BUFFER_BYTES {
        return Err(CaptureError::CorruptRecord {
            byte_offset: offset,
            message: format!("the record is longer than {MAX_BUFFER_BYTES} bytes, the largest this reader accepts"),
        });
    }
    *capacity = (*capacity * 2).min(MAX_BUFFER_BYTES);
    blocks.grow(*capacity);
    Ok(())
}

/// Passes one block to the importer, with its link type and timestamp.
fn handle_block(importer: &mut Importer<'_>, block: PcapBlockOwned<'_>, offset: u64) -> Result<(), CaptureError> {
    match block {
        PcapBlockOwned::LegacyHeader(header) => {
            importer.set_pcap_interface(pcap_interface(&header));
            Ok(())
        }
        PcapBlockOwned::Legacy(record) => {
            let locator = importer.next_frame(offset);
            let Some(interface) = importer.interface(0) else {
                return importer.skip_undeclared_interface(locator, 0);
            };
            let time = match interface.tick_rate {
                Some(rate) => {
                    rate.pcap_record_ns(record.ts_sec, record.ts_usec).map_or(FrameTime::OutOfRange, FrameTime::Known)
                }
                None => FrameTime::InvalidResolution,
            };
            importer.import_frame(locator, interface.link_type, time, record.data)
        }
        PcapBlockOwned::NG(Block::SectionHeader(_)) => {
            importer.start_section();
            Ok(())
        }
        PcapBlockOwned::NG(Block::InterfaceDescription(idb)) => {
            importer.add_interface(pcapng_interface(&idb), idb.if_tsresol, offset);
            Ok(())
        }
        PcapBlockOwned::NG(Block::EnhancedPacket(epb)) => {
            let locator = importer.next_frame(offset);
            let Some(interface) = importer.interface(epb.if_id) else {
                return importer.skip_undeclared_interface(locator, epb.if_id);
            };
            let ticks = (u64::from(epb.ts_high) << 32) | u64::from(epb.ts_low);
            let time = match interface.tick_rate {
                Some(rate) => {
                    rate.to_ns(ticks, interface.ts_offset_seconds).map_or(FrameTime::OutOfRange, FrameTime::Known)
                }
                None => FrameTime::InvalidResolution,
            };
            importer.import_frame(locator, interface.link_type, time, epb.packet_data())
        }
        PcapBlockOwned::NG(Block::SimplePacket(spb)) => {
            // A Simple Packet Block belongs to the section's first interface and has no
            // timestamp of its own.
            let locator = importer.next_frame(offset);
            let Some(interface) = importer.interface(0) else {
                return importer.skip_undeclared_interface(locator, 0);
            };
            let time = importer.simple_packet_time(locator);
            importer.import_frame(locator, interface.link_type, time, spb.packet_data())
        }
        // pcap-parser reads the type of an unknown block as little-endian in both byte orders.
        PcapBlockOwned::NG(Block::Unknown(unknown))
            if unknown.block_type == OBSOLETE_PACKET_BLOCK_TYPE
                || unknown.block_type == OBSOLETE_PACKET_BLOCK_TYPE.swap_bytes() =>
        {
            let locator = importer.next_frame(offset);
            importer.skip_obsolete_packet_block(locator);
            Ok(())
        }
        // Name resolution, statistics, secrets, custom and unknown blocks carry no packet.
        PcapBlockOwned::NG(_) => Ok(()),
    }
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
