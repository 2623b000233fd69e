//! Hand-off of an import's probes and contacts from the parsing thread to the thread that
//! stores them.
//!
//! An import parses and aggregates the evidence on the calling thread and writes the case file
//! on a second thread, so parsing and SQLite run on two cores at once. The parser pushes
//! observations into a [`ChannelSink`], which aggregates them into probes and contacts and
//! sends those in batches through a bounded channel: when the storing thread falls behind, the
//! parser waits, so memory stays bounded. The storing thread owns the case's transaction from
//! start to commit, because an SQLite transaction cannot move between threads.
//!
//! The parsing thread ends the hand-off with [`Message::Finish`], which carries the import
//! summary and the SHA-256. A channel closed without it means the parse failed or was
//! cancelled, and the storing thread rolls the import back.

use std::path::Path;
use std::sync::mpsc::{Receiver, SyncSender};

use crate::aggregate::{Aggregator, ProbeEvent};
use crate::case::{import_aggregator, Case, NewEvidence};
use crate::model::{Contact, ImportSummary, Observation, ObservationSink, SinkError};

use super::{ImportError, ImportResult};

/// Probes sent to the storing thread in one message, unless contacts finish first. A batch
/// spreads the channel's locking over many probes. 256 probes of a log take an estimated
/// 100 KiB with their line texts.
const PROBES_PER_BATCH: usize = 256;

/// Maximum number of batches queued in the channel before the parser waits for the storing
/// thread. Two cores run the two threads, so a short queue only smooths out bursts.
pub(super) const QUEUED_BATCHES: usize = 32;

/// A message from the parsing thread to the storing thread.
pub(super) enum Message {
    /// Probes found, then contacts finished, in the aggregator's order.
    Found {
        probes: Vec<ProbeEvent>,
        finished: Vec<(u64, Contact)>,
        /// Record (line or frame number) of the observation that completed the batch, named
        /// when the batch cannot be stored.
        record: u64,
    },
    /// The end of the file: the importer's summary and the file's SHA-256.
    Finish { summary: ImportSummary, sha256: String },
}

/// A sink that aggregates observations and sends what it finds to the storing thread.
pub(super) struct ChannelSink {
    sender: SyncSender<Message>,
    aggregator: Aggregator,
    probes: Vec<ProbeEvent>,
    /// Record of the last observation pushed.
    record: u64,
}

/// The error a [`ChannelSink`] returns once the storing thread has stopped; that thread's own
/// result carries the cause.
#[derive(Debug, thiserror::Error)]
#[error("the thread storing the import stopped")]
pub(super) struct StoringStopped;

impl ChannelSink {
    pub(super) fn new(sender: SyncSender<Message>) -> Self {
        Self { sender, aggregator: import_aggregator(), probes: Vec::with_capacity(PROBES_PER_BATCH), record: 0 }
    }

    /// Finishes the aggregation, sends what it found and then the end of the import.
    pub(super) fn finish(mut self, summary: ImportSummary, sha256: String) -> Result<(), StoringStopped> {
        self.aggregator.finish(&mut self.probes);
        self.send_found()?;
        self.sender.send(Message::Finish { summary, sha256 }).map_err(|_| StoringStopped)
    }

    fn send_found(&mut self) -> Result<(), StoringStopped> {
        let finished = self.aggregator.take_finished();
        if self.probes.is_empty() && finished.is_empty() {
            return Ok(());
        }
        let probes = std::mem::replace(&mut self.probes, Vec::with_capacity(PROBES_PER_BATCH));
        self.sender.send(Message::Found { probes, finished, record: self.record }).map_err(|_| StoringStopped)
    }
}

impl ObservationSink for ChannelSink {
    /// Aggregates one observation. Found probes are sent once a batch is complete. Contacts
    /// finish in groups when the aggregator's generations turn, once an hour of evidence time,
    /// and are sent at once so that memory holds only the active ones.
    fn push(&mut self, observation: Observation) -> Result<(), SinkError> {
        self.record = observation.locator.record;
        self.aggregator.observe(observation, &mut self.probes);
        if self.probes.len() < PROBES_PER_BATCH && !self.aggregator.has_finished() {
            return Ok(());
        }
        self.send_found().map_err(|error| SinkError(Box::new(error)))
    }
}

/// Cause of a stop of the storing thread before the commit.
pub(super) enum StoreFailure {
    /// The case could not start, check or commit the import.
    Import(ImportError),
    /// The case did not store what was found up to this record (line or frame number).
    Observation { record: u64, source: SinkError },
    /// The parsing thread closed the channel without [`Message::Finish`], and its own error
    /// gives the cause.
    Abandoned,
}

/// Stores the probes and contacts received until [`Message::Finish`] and commits the import,
/// or rolls it back when the channel closes first. Runs on the storing thread.
pub(super) fn store_found(
    case: &mut Case,
    evidence: NewEvidence,
    path: &Path,
    messages: Receiver<Message>,
) -> Result<ImportResult, StoreFailure> {
    let stored_error =
        |source| StoreFailure::Import(ImportError::Case { path: path.to_path_buf(), source: Box::new(source) });
    let mut writer = case.begin_evidence(evidence).map_err(stored_error)?;
    loop {
        let Ok(message) = messages.recv() else {
            return Err(StoreFailure::Abandoned);
        };
        let (summary, sha256) = match message {
            Message::Found { probes, finished, record } => {
                writer
                    .store(&probes, finished)
                    .map_err(|error| StoreFailure::Observation { record, source: SinkError(Box::new(error)) })?;
                continue;
            }
            Message::Finish { summary, sha256 } => (summary, sha256),
        };
        if let Some((evidence_id, earlier_path)) = writer.find_duplicate(&sha256).map_err(stored_error)? {
            return Ok(ImportResult::AlreadyImported { evidence_id, earlier_path });
        }
        writer.set_sha256(&sha256).map_err(stored_error)?;
        let format = summary.format.clone();
        let record = writer.finish(&format, summary).map_err(stored_error)?;
        return Ok(ImportResult::Imported(Box::new(record)));
    }
}
