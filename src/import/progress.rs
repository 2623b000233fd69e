//! Progress reporting and cancellation of an import.
//!
//! The pipeline wraps the evidence file in a [`ProgressReader`], which tells an
//! [`ImportObserver`] how many bytes of the file were read and stops the read with a
//! [`Cancelled`] error once the observer asks for cancellation. Importers need no knowledge of
//! either: they see an I/O error and stop, and the pipeline rolls the import back.

use std::io::Read;

/// Bytes between two progress reports: 4 MiB keeps the calls rare on fast disks and still
/// moves a progress bar several times a second on slow ones.
const REPORT_INTERVAL_BYTES: u64 = 4 * 1024 * 1024;

/// Step of an import that reads the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportPhase {
    /// Parsing the file into observations (its SHA-256 is taken at the same time).
    Reading,
}

/// Receives progress reports and decides on cancellation. Both methods have defaults that
/// report nothing and never cancel.
pub trait ImportObserver {
    /// Called with the bytes read so far and the file size.
    fn progress(&mut self, _phase: ImportPhase, _bytes_done: u64, _bytes_total: u64) {}

    /// Returns true when the import should stop and roll back.
    fn is_cancelled(&self) -> bool {
        false
    }
}

/// An observer that reports nothing and never cancels.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoProgress;

impl ImportObserver for NoProgress {}

/// The error a [`ProgressReader`] returns once the import is cancelled.
#[derive(Debug, thiserror::Error)]
#[error("the import was cancelled")]
pub struct Cancelled;

/// A reader that reports its progress to an observer and stops when it is cancelled.
pub struct ProgressReader<'a, R> {
    inner: R,
    phase: ImportPhase,
    total: u64,
    done: u64,
    last_report: u64,
    observer: &'a mut dyn ImportObserver,
}

impl<'a, R: Read> ProgressReader<'a, R> {
    /// Wraps `inner`, whose size is `total` bytes.
    pub fn new(inner: R, total: u64, phase: ImportPhase, observer: &'a mut dyn ImportObserver) -> Self {
        observer.progress(phase, 0, total);
        Self { inner, phase, total, done: 0, last_report: 0, observer }
    }
}

impl<R: Read> Read for ProgressReader<'_, R> {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        if self.observer.is_cancelled() {
            return Err(std::io::Error::other(Cancelled));
        }
        let read = self.inner.read(buffer)?;
        self.done += read as u64;
        if read == 0 || self.done - self.last_report >= REPORT_INTERVAL_BYTES {
            self.last_report = self.done;
            self.observer.progress(self.phase, self.done, self.total);
        }
        Ok(read)
    }
}
