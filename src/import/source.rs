//! Opening an evidence file: checks, hashing, and format detection from the content.
//!
//! A gzip-compressed file is detected by its magic bytes and decompressed as a stream, and the
//! format inside it is detected the same way as for a plain file. Its content may expand only
//! up to the ratio that `gzip_limit.rs` sets. File names and extensions are
//! never used for detection because evidence is often renamed.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use flate2::bufread::MultiGzDecoder;
use sha2::{Digest, Sha256};

use super::gzip_limit::{CountingReader, ExpansionLimit};
use std::sync::atomic::{AtomicBool, Ordering};

use super::progress::{ImportObserver, ImportPhase, ProgressReader};
use super::ImportError;
use crate::capture::{self, CaptureFormat};
use crate::firewall::{self, LogDialect};
use crate::model::EvidenceKind;

/// Bytes read from the start of a file (after decompression) to detect its format. 64 KiB
/// contains a capture's header and several hundred log lines.
const DETECTION_HEAD_BYTES: usize = 64 * 1024;

/// Buffer size for hashing and reading evidence, in bytes.
pub(super) const READ_BUFFER_BYTES: usize = 1024 * 1024;

/// First two bytes of a gzip member (RFC 1952, section 2.3.1).
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Format of an evidence file's content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvidenceFormat {
    /// A packet capture.
    Capture(CaptureFormat),
    /// A firewall or sensor log.
    Log(LogDialect),
}

impl EvidenceFormat {
    /// Returns the format name stored with the evidence, for example `pcapng`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Capture(format) => format.as_str(),
            Self::Log(dialect) => dialect.as_str(),
        }
    }

    /// Returns whether the evidence is a capture or a log.
    pub fn kind(self) -> EvidenceKind {
        match self {
            Self::Capture(_) => EvidenceKind::Capture,
            Self::Log(_) => EvidenceKind::FirewallLog,
        }
    }
}

/// An evidence file that passed the checks, with its hash and detected format.
#[derive(Debug, Clone)]
pub struct EvidenceSource {
    /// Path as given.
    pub path: PathBuf,
    /// Size in bytes.
    pub size_bytes: u64,
    /// SHA-256 of the file's bytes (compressed bytes for a gzip file), lower-case hex, once
    /// [`hash_source`] has taken it; [`identify`] leaves it empty, so that the import can hash
    /// on a second core while it parses.
    pub sha256: String,
    /// Detected format of the (decompressed) content.
    pub format: EvidenceFormat,
    /// True when the file is gzip-compressed.
    pub gzip: bool,
    /// Modification time of the file, when the file system records one.
    pub modified: Option<chrono::DateTime<chrono::Utc>>,
}

/// Checks that `path` is a readable, non-empty regular file and detects its format; the
/// SHA-256 is taken separately by [`hash_source`].
///
/// `format_name` overrides detection with a format name (`pcap`, `pcapng`, or a log dialect
/// name); see [`forced_format`] for when the content must still match it.
pub fn identify(path: &Path, format_name: Option<&str>) -> Result<EvidenceSource, ImportError> {
    let metadata = std::fs::metadata(path).map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => ImportError::NotFound { path: path.to_path_buf() },
        _ => ImportError::Unreadable { path: path.to_path_buf(), source },
    })?;
    if metadata.is_dir() {
        return Err(ImportError::IsDirectory { path: path.to_path_buf() });
    }
    let unreadable = |source| ImportError::Unreadable { path: path.to_path_buf(), source };
    let size_bytes = metadata.len();
    if size_bytes == 0 {
        return Err(ImportError::Empty { path: path.to_path_buf() });
    }

    let mut raw = BufReader::new(File::open(path).map_err(unreadable)?);
    let gzip = raw.fill_buf().map_err(unreadable)?.starts_with(&GZIP_MAGIC);
    let head = if gzip {
        read_head(MultiGzDecoder::new(raw))
            .map_err(|source| ImportError::Decompress { path: path.to_path_buf(), source })?
    } else {
        read_head(raw).map_err(unreadable)?
    };
    let format = match format_name {
        Some(name) => forced_format(path, name, &head)?,
        None => detect(&head).ok_or_else(|| ImportError::UnrecognisedFormat { path: path.to_path_buf() })?,
    };
    let modified = metadata.modified().ok().map(chrono::DateTime::<chrono::Utc>::from);
    Ok(EvidenceSource { path: path.to_path_buf(), size_bytes, sha256: String::new(), format, gzip, modified })
}

/// Detects the format of a file's first bytes.
fn detect(head: &[u8]) -> Option<EvidenceFormat> {
    if let Some(format) = capture::detect_format(head) {
        return Some(EvidenceFormat::Capture(format));
    }
    firewall::detect_dialect(head).map(EvidenceFormat::Log)
}

/// Checks a format named by the examiner against the content.
///
/// A log dialect overrides detection for any text file: detection reads only the first
/// [`DETECTION_HEAD_BYTES`], and a syslog file may hold its first firewall line after other
/// programs' lines. Lines that are not of the dialect are then counted as such. A capture
/// format must match the content, because a binary file read in another format is garbage.
fn forced_format(path: &Path, name: &str, head: &[u8]) -> Result<EvidenceFormat, ImportError> {
    let detected = detect(head);
    let is_capture = matches!(detected, Some(EvidenceFormat::Capture(_)));
    // A NUL byte never occurs in a text log, so its presence marks a binary file.
    let is_text = !head.contains(&0);
    if let Some(dialect) = LogDialect::ALL.into_iter().find(|dialect| dialect.as_str() == name) {
        if !is_capture && is_text {
            return Ok(EvidenceFormat::Log(dialect));
        }
    }
    let matches = detected.is_some_and(|format| format.as_str() == name);
    match detected {
        Some(format) if matches => Ok(format),
        _ => Err(ImportError::FormatMismatch {
            path: path.to_path_buf(),
            requested: name.to_string(),
            detected: detected.map(|format| format.as_str().to_string()),
        }),
    }
}

/// Opens the file for reading its content, counting the (compressed) bytes read for progress
/// and cancellation. Gzip content is decompressed under the expansion limit of
/// [`gzip_limit`](super::gzip_limit).
pub(super) fn open_content<'a>(
    source: &EvidenceSource,
    observer: &'a mut dyn ImportObserver,
) -> std::io::Result<Box<dyn BufRead + 'a>> {
    let file = File::open(&source.path)?;
    let (file, compressed_bytes) = CountingReader::new(file);
    let counted = ProgressReader::new(file, source.size_bytes, ImportPhase::Reading, observer);
    let buffered = BufReader::with_capacity(READ_BUFFER_BYTES, counted);
    if source.gzip {
        let limited = ExpansionLimit::new(MultiGzDecoder::new(buffered), compressed_bytes);
        Ok(Box::new(BufReader::with_capacity(READ_BUFFER_BYTES, limited)))
    } else {
        Ok(Box::new(buffered))
    }
}

/// Nice value of the thread that hashes an evidence file beside the parse: the lowest
/// priority (setpriority(2)). The parsing thread of a log import is the busiest, and the storing
/// thread leaves about a third of its core idle. At this priority the hash runs mostly in that
/// idle time instead of taking turns with the parser. The 1 million line benchmark log
/// imported in 1.23 to 1.43 s (median 1.26 s) against 1.34 to 1.48 s (median 1.37 s) at the
/// default priority, five alternated runs each.
#[cfg(target_os = "linux")]
const HASHING_NICE: i32 = 19;

/// Hashes an evidence file as [`hash_source`] does, at the lowest priority ([`HASHING_NICE`] on
/// Linux, where the nice value is per thread). The priority stays lowered, so call it only on
/// a thread started for the hash.
pub fn hash_source_in_background(source: &EvidenceSource, cancelled: &AtomicBool) -> std::io::Result<String> {
    lower_thread_priority();
    hash_source(source, cancelled)
}

/// Hashes an identified evidence file with SHA-256 and returns the lower-case hex digest.
///
/// Runs on its own thread beside the parse, so it takes no progress observer; `cancelled`
/// stops it early (the result is then an error). The size read must equal the size
/// [`identify`] saw, else the file changed during the import.
pub fn hash_source(source: &EvidenceSource, cancelled: &AtomicBool) -> std::io::Result<String> {
    let mut file = File::open(&source.path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; READ_BUFFER_BYTES];
    let mut size = 0u64;
    loop {
        if cancelled.load(Ordering::Relaxed) {
            return Err(std::io::Error::new(std::io::ErrorKind::Interrupted, "hashing cancelled"));
        }
        let read = file.read(&mut buffer)?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
        size += read as u64;
    }
    if size != source.size_bytes {
        return Err(std::io::Error::other(format!(
            "the file changed during the import: {size} bytes hashed, {} bytes when it was opened",
            source.size_bytes
        )));
    }
    Ok(crate::case::hex_lower(&hasher.finalize()))
}

/// Lowers the calling thread's priority to [`HASHING_NICE`]. A failure only leaves the thread at
/// its priority, so it is logged, not returned.
fn lower_thread_priority() {
    #[cfg(target_os = "linux")]
    {
        let thread = Some(rustix::thread::gettid());
        if let Err(error) = rustix::process::setpriority_process(thread, HASHING_NICE) {
            log::debug!("could not lower the priority of the hashing thread: {error}");
        }
    }
}

/// Reads up to [`DETECTION_HEAD_BYTES`] from a reader. A gzip stream that ends early still
/// yields what it decompressed so far, so a truncated archive is detected and then reported
/// by the importer.
fn read_head(reader: impl Read) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(DETECTION_HEAD_BYTES);
    let mut limited = reader.take(DETECTION_HEAD_BYTES as u64);
    match limited.read_to_end(&mut head) {
        Ok(_) => Ok(head),
        Err(error) if error.kind() == std::io::ErrorKind::UnexpectedEof && !head.is_empty() => Ok(head),
        Err(error) => Err(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    fn hashing_thread_gets_lowest_priority() {
        let priority_in_thread = || {
            let thread = Some(rustix::thread::gettid());
            let before = rustix::process::getpriority_process(thread).expect("read the priority");
            lower_thread_priority();
            (before, rustix::process::getpriority_process(thread).expect("read the priority"))
        };
        let (before, after) = std::thread::spawn(priority_in_thread).join().expect("thread runs");
        assert_eq!(after, HASHING_NICE);

        // Only the hashing thread is lowered, not the process.
        let calling_thread =
            rustix::process::getpriority_process(Some(rustix::thread::gettid())).expect("read the priority");
        assert_eq!(calling_thread, before);
    }
}
