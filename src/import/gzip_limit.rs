//! The expansion limit of gzip-compressed evidence, a guard against decompression bombs.
//!
//! A gzip file can hold far more than its size: deflate reaches about 1030 times for runs of
//! one byte, and concatenated members repeat that without end. Such a file would keep an
//! import busy for hours while it reads nothing of use. The import therefore counts the
//! compressed bytes read from the file and the bytes decompressed from them, and stops with
//! [`ExpansionLimitExceeded`] once the content is more than [`MAX_GZIP_EXPANSION_RATIO`]
//! times the compressed bytes read. Memory does not depend on the limit: decompression
//! streams either way.

use std::cell::Cell;
use std::io::{self, Read};
use std::rc::Rc;

/// Largest ratio of decompressed to compressed bytes accepted, once more than
/// [`GZIP_RATIO_FREE_BYTES`] are decompressed.
///
/// `gzip -9` (gzip 1.12) compresses the logs and captures in `fixtures/` 3 to 41 times, the
/// most for a netfilter log of an nmap IPv6 scan whose lines differ in a few digits. Deflate
/// cannot exceed about 1030 times. 200 leaves a margin of about 5 over the most repetitive
/// real evidence seen and stops a bomb of repeated bytes after a fifth of its expansion.
pub const MAX_GZIP_EXPANSION_RATIO: u64 = 200;

/// Decompressed bytes, 64 MiB, read before the ratio is checked. A small file may expand far
/// more than [`MAX_GZIP_EXPANSION_RATIO`] times (a header and a few repeated lines) without
/// costing anything, and a ratio over a few compressed bytes means little.
pub const GZIP_RATIO_FREE_BYTES: u64 = 64 * 1024 * 1024;

/// The error that stops an import of a gzip file whose content expands past the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "the gzip content expanded to {decompressed_bytes} bytes from {compressed_bytes} compressed bytes, more than {MAX_GZIP_EXPANSION_RATIO} times, so the file is rejected as a likely decompression bomb; if the file is genuine, decompress it (gzip -dk FILE) and import the result"
)]
pub struct ExpansionLimitExceeded {
    /// Compressed bytes read from the file when the import stopped.
    pub compressed_bytes: u64,
    /// Bytes decompressed from them.
    pub decompressed_bytes: u64,
}

/// A reader that adds the bytes read through it to a shared counter.
pub(super) struct CountingReader<R> {
    inner: R,
    count: Rc<Cell<u64>>,
}

impl<R: Read> CountingReader<R> {
    /// Wraps `inner` and returns the reader with its counter.
    pub(super) fn new(inner: R) -> (Self, Rc<Cell<u64>>) {
        let count = Rc::new(Cell::new(0));
        (Self { inner, count: Rc::clone(&count) }, count)
    }
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buffer)?;
        self.count.set(self.count.get() + read as u64);
        Ok(read)
    }
}

/// A reader over decompressed content that fails with [`ExpansionLimitExceeded`] (as the
/// inner error of an [`io::ErrorKind::InvalidData`] error) once the content passes the limit.
pub(super) struct ExpansionLimit<R> {
    inner: R,
    compressed_bytes: Rc<Cell<u64>>,
    decompressed_bytes: u64,
}

impl<R: Read> ExpansionLimit<R> {
    /// Wraps the decompressed stream `inner`, whose compressed bytes read so far are counted
    /// in `compressed_bytes`.
    pub(super) fn new(inner: R, compressed_bytes: Rc<Cell<u64>>) -> Self {
        Self { inner, compressed_bytes, decompressed_bytes: 0 }
    }
}

impl<R: Read> Read for ExpansionLimit<R> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buffer)?;
        self.decompressed_bytes += read as u64;
        let compressed_bytes = self.compressed_bytes.get();
        if self.decompressed_bytes > GZIP_RATIO_FREE_BYTES
            && self.decompressed_bytes > compressed_bytes.saturating_mul(MAX_GZIP_EXPANSION_RATIO)
        {
            let exceeded = ExpansionLimitExceeded { compressed_bytes, decompressed_bytes: self.decompressed_bytes };
            return Err(io::Error::new(io::ErrorKind::InvalidData, exceeded));
        }
        Ok(read)
    }
}

/// Returns the expansion limit error found in the chain of `error`, when the import stopped
/// because of it.
pub(super) fn find_in_chain(error: &(dyn std::error::Error + 'static)) -> Option<ExpansionLimitExceeded> {
    let mut cause = Some(error);
    while let Some(current) = cause {
        // `io::Error::source` skips the error it wraps, so look inside it here.
        let wrapped = current.downcast_ref::<io::Error>().and_then(|io_error| io_error.get_ref());
        if let Some(exceeded) = wrapped.and_then(|inner| inner.downcast_ref::<ExpansionLimitExceeded>()) {
            return Some(*exceeded);
        }
        cause = current.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_stops_past_ratio() {
        let (mut compressed, count) = CountingReader::new(io::repeat(0).take(1024));
        let mut sink = Vec::new();
        compressed.read_to_end(&mut sink).expect("read");
        assert_eq!(count.get(), 1024);

        let mut limited = ExpansionLimit::new(io::repeat(b'x').take(GZIP_RATIO_FREE_BYTES + 1), count);
        let error = io::copy(&mut limited, &mut io::sink()).expect_err("over the limit");
        assert_eq!(error.kind(), io::ErrorKind::InvalidData);
        let exceeded = find_in_chain(&error).expect("limit error in the chain");
        assert_eq!(exceeded.compressed_bytes, 1024);
        assert!(exceeded.decompressed_bytes > GZIP_RATIO_FREE_BYTES);
    }

    #[test]
    fn limit_allows_ratio_below() {
        let count = Rc::new(Cell::new(GZIP_RATIO_FREE_BYTES));
        let mut limited = ExpansionLimit::new(io::repeat(b'x').take(GZIP_RATIO_FREE_BYTES * 2), count);
        let copied = io::copy(&mut limited, &mut io::sink()).expect("below the ratio");
        assert_eq!(copied, GZIP_RATIO_FREE_BYTES * 2);
    }
}
