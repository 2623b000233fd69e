//! The import pipeline: one evidence file into the case, all or nothing.
//!
//! For each file this module checks that it is a readable regular file, takes its SHA-256
//! before parsing, detects the format from the content (never from the file name), and
//! streams it through the capture or firewall importer into an [`EvidenceWriter`]
//! transaction. A file that fails at any step leaves nothing in the case. A file already
//! imported (same SHA-256) is not imported twice.
//!
//! [`EvidenceWriter`]: crate::case::EvidenceWriter

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::capture::{self, CaptureError};
use crate::case::{Case, CaseError, NewEvidence};
use crate::firewall::{self, FirewallError, ReferenceYear, TimeContext};
use crate::model::{EvidenceKind, EvidenceRecord};

/// Bytes read from the start of a file to detect its format. 64 KiB contains the capture
/// header and several hundred log lines.
const DETECTION_HEAD_BYTES: usize = 64 * 1024;

/// Buffer size for hashing and reading evidence, in bytes.
const READ_BUFFER_BYTES: usize = 1024 * 1024;

/// Settings an import needs beyond the file itself.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Time zone for log timestamps that carry none.
    pub zone: chrono_tz::Tz,
    /// Year for log timestamps that carry none; `None` takes it from the file's
    /// modification time.
    pub year: Option<i32>,
    /// Examiner doing the import, recorded with the evidence.
    pub examiner: Option<String>,
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self { zone: chrono_tz::UTC, year: None, examiner: None }
    }
}

/// Result of importing one evidence file.
#[derive(Debug, Clone)]
pub enum ImportResult {
    /// The file was imported.
    Imported(Box<EvidenceRecord>),
    /// A file with the same SHA-256 was imported earlier; nothing was written.
    AlreadyImported {
        /// Row id of the earlier import.
        evidence_id: i64,
        /// Path recorded by the earlier import.
        earlier_path: String,
    },
}

/// An error that rejected an evidence file. Nothing of the file was written to the case.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The path does not exist.
    #[error("{path}: file not found")]
    NotFound {
        /// Path given.
        path: PathBuf,
    },
    /// The path is a directory.
    #[error("{path}: is a directory; give the evidence files inside it")]
    IsDirectory {
        /// Path given.
        path: PathBuf,
    },
    /// The file could not be opened or read.
    #[error("{path}: cannot read the file")]
    Unreadable {
        /// Path given.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file is empty.
    #[error("{path}: the file is empty; there is nothing to import")]
    Empty {
        /// Path given.
        path: PathBuf,
    },
    /// The content matches no supported format.
    #[error(
        "{path}: not a recognised evidence format (expected a pcap or pcapng capture, or a Linux netfilter LOG syslog file)"
    )]
    UnrecognisedFormat {
        /// Path given.
        path: PathBuf,
    },
    /// The capture importer failed.
    #[error("{path}: invalid capture")]
    Capture {
        /// Path given.
        path: PathBuf,
        /// The importer's error.
        #[source]
        source: CaptureError,
    },
    /// The firewall log importer failed.
    #[error("{path}: invalid firewall log")]
    Firewall {
        /// Path given.
        path: PathBuf,
        /// The importer's error.
        #[source]
        source: FirewallError,
    },
    /// The case file could not store the import.
    #[error("{path}: could not store the import in the case")]
    Case {
        /// Path given.
        path: PathBuf,
        /// The case error.
        #[source]
        source: Box<CaseError>,
    },
}

/// Detected kind of an evidence file.
enum Detected {
    Capture(capture::CaptureFormat),
    Log(firewall::LogDialect),
}

/// Imports one evidence file into the case; see the module docs.
pub fn import_file(case: &mut Case, path: &Path, options: &ImportOptions) -> Result<ImportResult, ImportError> {
    let metadata = std::fs::metadata(path).map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => ImportError::NotFound { path: path.to_path_buf() },
        _ => ImportError::Unreadable { path: path.to_path_buf(), source },
    })?;
    if metadata.is_dir() {
        return Err(ImportError::IsDirectory { path: path.to_path_buf() });
    }
    let unreadable = |source| ImportError::Unreadable { path: path.to_path_buf(), source };
    let (sha256, size_bytes) = hash_file(path).map_err(unreadable)?;
    if size_bytes == 0 {
        return Err(ImportError::Empty { path: path.to_path_buf() });
    }
    let stored_error = |source| ImportError::Case { path: path.to_path_buf(), source: Box::new(source) };
    if let Some((evidence_id, earlier_path)) = case.find_evidence_by_hash(&sha256).map_err(stored_error)? {
        return Ok(ImportResult::AlreadyImported { evidence_id, earlier_path });
    }

    let head = read_head(path).map_err(unreadable)?;
    let detected = if let Some(format) = capture::detect_format(&head) {
        Detected::Capture(format)
    } else if let Some(dialect) = firewall::detect_dialect(&head) {
        Detected::Log(dialect)
    } else {
        return Err(ImportError::UnrecognisedFormat { path: path.to_path_buf() });
    };

    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let kind = match detected {
        Detected::Capture(_) => EvidenceKind::Capture,
        Detected::Log(_) => EvidenceKind::FirewallLog,
    };
    let evidence = NewEvidence {
        path: absolute.display().to_string(),
        size_bytes,
        sha256,
        kind,
        imported_by: options.examiner.clone(),
    };
    let file = File::open(path).map_err(unreadable)?;
    let reader = BufReader::with_capacity(READ_BUFFER_BYTES, file);

    let mut writer = case.begin_evidence(evidence).map_err(stored_error)?;
    let (format, summary) = match detected {
        Detected::Capture(format) => {
            let summary = capture::read_capture(reader, &mut writer)
                .map_err(|source| ImportError::Capture { path: path.to_path_buf(), source })?;
            (format.as_str().to_string(), summary)
        }
        Detected::Log(dialect) => {
            let time = time_context(options, &metadata);
            let summary = firewall::read_log(reader, dialect, &time, &mut writer)
                .map_err(|source| ImportError::Firewall { path: path.to_path_buf(), source })?;
            (dialect.as_str().to_string(), summary)
        }
    };
    let record = writer.finish(&format, summary).map_err(stored_error)?;
    Ok(ImportResult::Imported(Box::new(record)))
}

/// Builds the time context for a log: the given zone, and the given year or the file's
/// modification time as the reference for year-less timestamps.
fn time_context(options: &ImportOptions, metadata: &std::fs::Metadata) -> TimeContext {
    let reference = match options.year {
        Some(year) => ReferenceYear::Explicit(year),
        None => {
            let modified = metadata.modified().map(chrono::DateTime::<chrono::Utc>::from);
            // NOTE: a file system without modification times falls back to the current time.
            ReferenceYear::FileModified(modified.unwrap_or_else(|_| chrono::Utc::now()))
        }
    };
    TimeContext { zone: options.zone, reference }
}

/// Hashes a file with SHA-256 and returns the lower-case hex digest and the size in bytes.
fn hash_file(path: &Path) -> std::io::Result<(String, u64)> {
    let mut file = File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; READ_BUFFER_BYTES];
    let mut size = 0u64;
    loop {
        let read = file.read(&mut buffer)?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
        size += read as u64;
    }
    Ok((crate::case::hex_lower(&hasher.finalize()), size))
}

/// Reads up to [`DETECTION_HEAD_BYTES`] from the start of a file.
fn read_head(path: &Path) -> std::io::Result<Vec<u8>> {
    let file = File::open(path)?;
    let mut head = Vec::with_capacity(DETECTION_HEAD_BYTES);
    file.take(DETECTION_HEAD_BYTES as u64).read_to_end(&mut head)?;
    Ok(head)
}
