//! Per-file import state: frame numbers, interfaces, the summary's counters and anomalies,
//! and the hand-off of each observation to the sink.
//!
//! Every frame ends in exactly one place: an observation, or one skipped reason in
//! [`ImportSummary::skipped`]. Problems worth a reader's attention also become anomalies.
//! An anomaly that would repeat for every frame of a kind, such as an unsupported link type,
//! is recorded once.

use std::collections::BTreeSet;

use super::decode::{decode_frame, FrameOutcome};
use super::reader::{file_locator, Interface};
use super::{CaptureError, CaptureFormat};
use crate::model::{ImportSummary, Locator, ObservationSink, TimestampNs};

/// Record number of a locator that points at a file position rather than a frame; frames
/// are numbered from 1.
pub(super) const NO_FRAME: u64 = 0;

/// Skipped reason of frames whose link or IP header could not be decoded.
const SKIP_UNDECODABLE: &str = "undecodable headers";
/// Skipped reason of frames whose time does not fit in `i64` nanoseconds.
const SKIP_TIME_OUT_OF_RANGE: &str = "timestamp out of range";
/// Skipped reason of frames on an interface whose `if_tsresol` is unusable.
const SKIP_INVALID_TSRESOL: &str = "interface with an invalid if_tsresol";
/// Skipped reason of Simple Packet Blocks met before any timestamped packet.
const SKIP_NO_TIME: &str = "simple packet block before any timestamp";
/// Skipped reason of packets whose interface ID has no Interface Description Block.
const SKIP_UNDECLARED_INTERFACE: &str = "packet of an undeclared interface";
/// Skipped reason of obsolete pcapng Packet Blocks (block type 2).
const SKIP_OBSOLETE_PACKET_BLOCK: &str = "obsolete pcapng Packet Block";

/// The timestamp of a frame, or why it has none.
pub(super) enum FrameTime {
    Known(TimestampNs),
    /// Before 1677-09-21 or after 2262-04-11, the range of `i64` nanoseconds since 1970,
    /// for example through an absurd `if_tsoffset`.
    OutOfRange,
    /// The interface's `if_tsresol` is out of range.
    InvalidResolution,
    /// A Simple Packet Block with no earlier timestamp to borrow.
    Missing,
}

/// Import state of one capture file.
pub(super) struct Importer<'s> {
    sink: &'s mut dyn ObservationSink,
    summary: ImportSummary,
    /// Interfaces of the current pcapng section, by interface ID; one for classic pcap.
    interfaces: Vec<Interface>,
    frames: u64,
    /// Time of the latest frame with a timestamp, lent to Simple Packet Blocks.
    last_ts_ns: Option<TimestampNs>,
    /// Keys of the anomalies recorded only once per file.
    reported: BTreeSet<String>,
}

impl<'s> Importer<'s> {
    pub(super) fn new(format: CaptureFormat, sink: &'s mut dyn ObservationSink) -> Self {
        Importer {
            sink,
            summary: ImportSummary::new(format.as_str()),
            interfaces: Vec::new(),
            frames: 0,
            last_ts_ns: None,
            reported: BTreeSet::new(),
        }
    }

    pub(super) fn finish(self) -> ImportSummary {
        self.summary
    }

    /// Counts a frame starting at `byte_offset` and returns its locator.
    pub(super) fn next_frame(&mut self, byte_offset: u64) -> Locator {
        self.frames += 1;
        self.summary.records += 1;
        Locator { record: self.frames, byte_offset }
    }

    pub(super) fn interface(&self, interface_id: u32) -> Option<Interface> {
        let index = usize::try_from(interface_id).ok()?;
        self.interfaces.get(index).copied()
    }

    pub(super) fn set_pcap_interface(&mut self, interface: Interface) {
        self.interfaces = vec![interface];
    }

    /// Drops the interfaces of the previous section, as a Section Header Block requires.
    pub(super) fn start_section(&mut self) {
        self.interfaces.clear();
    }

    pub(super) fn add_interface(&mut self, interface: Interface, if_tsresol: u8, byte_offset: u64) {
        if interface.tick_rate.is_none() {
            let message = format!(
                "interface {} has if_tsresol 0x{if_tsresol:02x}, a clock finer than a 64-bit count can hold; its packets are skipped",
                self.interfaces.len()
            );
            self.summary.add_anomaly(file_locator(byte_offset), message);
        }
        self.interfaces.push(interface);
    }

    pub(super) fn skip_undeclared_interface(&mut self, locator: Locator, interface_id: u32) {
        self.summary.count_skipped(SKIP_UNDECLARED_INTERFACE);
        let message = format!(
            "packet names interface {interface_id}, but its section declares {} interfaces",
            self.interfaces.len()
        );
        self.summary.add_anomaly(locator, message);
    }

    /// Records, once per file, a classic pcap record longer than the file's snapshot length.
    /// The record is still read whole, as tcpdump and Wireshark read it.
    pub(super) fn note_caplen_above_snaplen(&mut self, locator: Locator, caplen: u32, snaplen: u32) {
        let message =
            format!("record length {caplen} exceeds the file's snapshot length {snaplen}; such records are read whole");
        self.report_once("caplen above snaplen".to_string(), locator, message);
    }

    /// Records, once per file, a classic pcap timestamp whose fraction field counts a second
    /// or more, which pcap-savefile(5) does not allow.
    // NOTE: such a fraction is added to the seconds unchanged. tcpdump 4.99 prints these
    // times as "(invalid)" and Wireshark 4.0 prints them unnormalized, so no reader agrees
    // on a correct time for them.
    pub(super) fn note_fraction_of_second_or_more(&mut self, locator: Locator, fraction: u32) {
        let message = format!(
            "timestamp fraction {fraction} is a second or more; the times of such frames are the seconds plus the whole fraction"
        );
        self.report_once("fraction of a second or more".to_string(), locator, message);
    }

    /// Counts a frame that carries no packet by design, such as a pcapng custom block.
    pub(super) fn skip_non_packet(&mut self, reason: &str) {
        self.summary.count_skipped(reason);
    }

    pub(super) fn skip_obsolete_packet_block(&mut self, locator: Locator) {
        self.summary.count_skipped(SKIP_OBSOLETE_PACKET_BLOCK);
        self.report_once(
            SKIP_OBSOLETE_PACKET_BLOCK.to_string(),
            locator,
            "obsolete pcapng Packet Blocks (type 2) are not decoded; convert the file with `editcap -F pcapng` to read them".to_string(),
        );
    }

    /// Returns the time given to a Simple Packet Block, which has no timestamp field.
    // NOTE: the frame takes the time of the latest timestamped frame before it, so its time
    // is only a lower bound. An anomaly records this once per file.
    pub(super) fn simple_packet_time(&mut self, locator: Locator) -> FrameTime {
        let Some(ts_ns) = self.last_ts_ns else {
            return FrameTime::Missing;
        };
        self.report_once(
            "simple packet block time".to_string(),
            locator,
            "Simple Packet Blocks carry no timestamp; this frame and later ones take the time of the frame before them"
                .to_string(),
        );
        FrameTime::Known(ts_ns)
    }

    /// Decodes one frame and hands its observation to the sink, or counts why it has none.
    pub(super) fn import_frame(
        &mut self,
        locator: Locator,
        link_type: u16,
        time: FrameTime,
        frame: &[u8],
    ) -> Result<(), CaptureError> {
        let ts_ns = match time {
            FrameTime::Known(ts_ns) => ts_ns,
            FrameTime::OutOfRange => {
                self.summary.count_skipped(SKIP_TIME_OUT_OF_RANGE);
                self.summary.add_anomaly(
                    locator,
                    "timestamp is outside 1677-09-21 to 2262-04-11, the range of times this tool can store",
                );
                return Ok(());
            }
            FrameTime::InvalidResolution => {
                self.summary.count_skipped(SKIP_INVALID_TSRESOL);
                return Ok(());
            }
            FrameTime::Missing => {
                self.summary.count_skipped(SKIP_NO_TIME);
                self.report_once(
                    SKIP_NO_TIME.to_string(),
                    locator,
                    "Simple Packet Block before any timestamped frame has no time; it is skipped".to_string(),
                );
                return Ok(());
            }
        };
        self.last_ts_ns = Some(ts_ns);

        match decode_frame(link_type, frame, ts_ns, locator) {
            FrameOutcome::Packet { observation, problem } => {
                if let Some(problem) = problem {
                    self.summary.add_anomaly(locator, format!("packet partly decoded: {problem}"));
                }
                self.summary.count_observation(ts_ns);
                self.sink.push(observation).map_err(|source| CaptureError::Sink { record: locator.record, source })?;
            }
            FrameOutcome::NotIp(reason) => self.summary.count_skipped(&reason),
            FrameOutcome::UnsupportedLinkType => {
                let reason = format!("unsupported link type {link_type}");
                self.summary.count_skipped(&reason);
                let message = format!(
                    "link type {link_type} is not supported (see tcpdump.org/linktypes.html); every frame of it is counted as skipped"
                );
                self.report_once(reason, locator, message);
            }
            FrameOutcome::Invalid(message) => {
                self.summary.count_skipped(SKIP_UNDECODABLE);
                self.summary.add_anomaly(locator, format!("frame not decoded: {message}"));
            }
        }
        Ok(())
    }

    /// Records that the record starting at `record_offset` is corrupt, so reading stopped
    /// there, for the reason given.
    pub(super) fn record_corruption(&mut self, record_offset: u64, reason: &str) {
        let message = format!(
            "corrupt record at byte {record_offset}: {reason}; the records after it cannot be located and were not read"
        );
        self.summary.add_anomaly(file_locator(record_offset), message);
    }

    /// Records that the file ends inside the record starting at `record_offset`.
    pub(super) fn record_truncation(&mut self, record_offset: u64, file_len: u64) {
        let message = format!(
            "capture truncated at byte {file_len}: the record starting at byte {record_offset} is incomplete and was not read"
        );
        self.summary.add_anomaly(file_locator(record_offset), message);
    }

    fn report_once(&mut self, key: String, locator: Locator, message: String) {
        if self.reported.insert(key) {
            self.summary.add_anomaly(locator, message);
        }
    }
}
