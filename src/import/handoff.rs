//! Hand-off of observations from the parsing thread to the thread that stores them.
//!
//! An import parses the evidence on the calling thread and aggregates and writes the case
//! file on a second thread, so parsing and SQLite run on two cores at once. The parser pushes
//! observations into a [`ChannelSink`], which sends them in batches through a bounded channel:
//! when the storing thread falls behind, the parser waits, so memory stays bounded. The
//! storing thread owns the case's transaction from start to commit, because an SQLite
//! transaction cannot move between threads.
//!
//! The parsing thread ends the hand-off with [`Message::Finish`], which carries the import
//! summary and the SHA-256. A channel closed without it means the parse failed or was
//! cancelled, and the storing thread rolls the import back.

use std::path::Path;
use std::sync::mpsc::{Receiver, SyncSender};

use crate::case::{Case, NewEvidence};
use crate::model::{ImportSummary, Observation, ObservationSink, SinkError};

use super::{ImportError, ImportResult};

/// Observations sent to the storing thread in one message. A batch amortises the channel's
/// locking over many observations; 1,024 observations of a log take about 400 KiB with their
/// line texts.
const OBSERVATIONS_PER_BATCH: usize = 1024;

/// Maximum number of batches queued in the channel before the parser waits for the storing
/// thread. Two cores run the two threads, so a short queue only smooths out bursts.
pub(super) const QUEUED_BATCHES: usize = 8;

/// A message from the parsing thread to the storing thread.
pub(super) enum Message {
    /// Observations in file order.
    Batch(Vec<Observation>),
    /// The end of the file: the importer's summary and the file's SHA-256.
    Finish { summary: ImportSummary, sha256: String },
}

/// A sink that sends observations to the storing thread.
pub(super) struct ChannelSink {
    sender: SyncSender<Message>,
    batch: Vec<Observation>,
}

/// The error a [`ChannelSink`] returns once the storing thread has stopped; that thread's own
/// result carries the cause.
#[derive(Debug, thiserror::Error)]
#[error("the thread storing the import stopped")]
pub(super) struct StoringStopped;

impl ChannelSink {
    pub(super) fn new(sender: SyncSender<Message>) -> Self {
        Self { sender, batch: Vec::with_capacity(OBSERVATIONS_PER_BATCH) }
    }

    /// Sends the observations still batched and then the end of the import.
    pub(super) fn finish(mut self, summary: ImportSummary, sha256: String) -> Result<(), StoringStopped> {
        self.send_batch()?;
        self.sender.send(Message::Finish { summary, sha256 }).map_err(|_| StoringStopped)
    }

    fn send_batch(&mut self) -> Result<(), StoringStopped> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(OBSERVATIONS_PER_BATCH));
        self.sender.send(Message::Batch(batch)).map_err(|_| StoringStopped)
    }
}

impl ObservationSink for ChannelSink {
    fn push(&mut self, observation: Observation) -> Result<(), SinkError> {
        self.batch.push(observation);
        if self.batch.len() < OBSERVATIONS_PER_BATCH {
            return Ok(());
        }
        self.send_batch().map_err(|error| SinkError(Box::new(error)))
    }
}

/// Cause of a stop of the storing thread before the commit.
pub(super) enum StoreFailure {
    /// The case could not start, check or commit the import.
    Import(ImportError),
    /// The case did not accept the observation of this record (line or frame number).
    Observation { record: u64, source: SinkError },
    /// The parsing thread closed the channel without [`Message::Finish`], and its own error
    /// gives the cause.
    Abandoned,
}

/// Stores the observations received until [`Message::Finish`] and commits the import, or rolls
/// it back when the channel closes first. Runs on the storing thread.
pub(super) fn store_observations(
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
            Message::Batch(observations) => {
                for observation in observations {
                    let record = observation.locator.record;
                    writer.push(observation).map_err(|source| StoreFailure::Observation { record, source })?;
                }
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
