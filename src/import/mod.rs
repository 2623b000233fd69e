//! The import pipeline: one evidence file into the case, all or nothing.
//!
//! For each file the pipeline checks that it is a readable regular file and takes its SHA-256
//! before parsing. It then detects the format from the content, never from the file name
//! ([`source`]). Finally it streams the file through the capture or firewall importer into an
//! [`EvidenceWriter`] transaction. A file that fails or is cancelled at any step leaves nothing
//! in the case, and a file already imported (same SHA-256) is not imported twice. Progress and
//! cancellation go through an [`ImportObserver`] ([`progress`]).
//!
//! [`EvidenceWriter`]: crate::case::EvidenceWriter

pub mod gzip_limit;
mod handoff;
pub mod progress;
pub mod source;
mod writeback;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

use crate::capture::CaptureError;
use crate::case::{Case, CaseError, NewEvidence};
use crate::firewall::{self, FirewallError, ReferenceYear, TimeContext};
use crate::model::{EvidenceKind, EvidenceRecord, ImportSummary, ObservationSink};

pub use gzip_limit::{ExpansionLimitExceeded, GZIP_RATIO_FREE_BYTES, MAX_GZIP_EXPANSION_RATIO};
pub use progress::{ImportObserver, ImportPhase, NoProgress};
pub use source::{identify, EvidenceFormat, EvidenceSource};

/// Settings an import needs beyond the file itself.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Time zone for log timestamps that carry none; `None` takes the case's default time
    /// zone, or UTC when the case has none.
    pub zone: Option<chrono_tz::Tz>,
    /// Year for log timestamps that carry none; `None` takes it from the file's
    /// modification time.
    pub year: Option<i32>,
    /// Format name that overrides detection, for example `pcapng` or `netfilter-syslog`.
    pub format: Option<String>,
    /// Examiner doing the import, recorded with the evidence.
    pub examiner: Option<String>,
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
        "{path}: not a recognised evidence format (expected a pcap or pcapng capture, possibly gzip-compressed, or a firewall log in a supported dialect; see docs/log-formats.md)"
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
    /// The gzip stream could not be decompressed.
    #[error("{path}: invalid gzip compression")]
    Decompress {
        /// Path given.
        path: PathBuf,
        /// The decompression error.
        #[source]
        source: std::io::Error,
    },
    /// The gzip content expanded past the limit of [`gzip_limit`]; nothing of the file was
    /// written.
    #[error("{path}: rejected")]
    ExpansionLimit {
        /// Path given.
        path: PathBuf,
        /// The limit that was passed.
        #[source]
        source: ExpansionLimitExceeded,
    },
    /// The format named with `--format` does not match the content.
    #[error("{path}: the content is not in the requested format {requested} (detected: {})", detected.as_deref().unwrap_or("no known format"))]
    FormatMismatch {
        /// Path given.
        path: PathBuf,
        /// Format name requested.
        requested: String,
        /// Format detected from the content, if any.
        detected: Option<String>,
    },
    /// The import was cancelled; nothing of the file was written.
    #[error("{path}: import cancelled; nothing of the file was written to the case")]
    Cancelled {
        /// Path given.
        path: PathBuf,
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

/// Imports one evidence file into the case; see the module docs.
pub fn import_file(
    case: &mut Case,
    path: &Path,
    options: &ImportOptions,
    observer: &mut dyn ImportObserver,
) -> Result<ImportResult, ImportError> {
    let source = identify(path, options.format.as_deref())?;
    let stored_error = |source| ImportError::Case { path: path.to_path_buf(), source: Box::new(source) };
    let mut options = options.clone();
    if options.zone.is_none() {
        options.zone = case.settings().map_err(stored_error)?.default_zone;
    }
    let options = &options;
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let evidence = NewEvidence {
        path: absolute.display().to_string(),
        size_bytes: source.size_bytes,
        sha256: String::new(),
        kind: source.format.kind(),
        imported_by: options.examiner.clone(),
        modified_ns: source.modified.and_then(|time| time.timestamp_nanos_opt()),
    };

    // Three threads share the work: this one parses and aggregates, a second takes the SHA-256
    // of the same bytes, and a third writes the probes and contacts to the case file
    // ([`handoff`]). The machines this runs on have two or more cores, and the hashing thread
    // needs far less time than the other two. A fourth thread, mostly waiting for the disk,
    // writes the case file's new pages out early ([`writeback`]).
    let cancelled = AtomicBool::new(false);
    let kind = evidence.kind;
    let case_path = case.path().to_path_buf();
    std::thread::scope(|scope| {
        let hashing = scope.spawn(|| source::hash_source_in_background(&source, &cancelled));
        let (transaction_ended, writeback_end) = mpsc::channel::<()>();
        let writeback = scope.spawn(move || writeback::write_back_until_ended(&case_path, writeback_end));
        let (sender, receiver) = mpsc::sync_channel(handoff::QUEUED_BATCHES);
        let storing = scope.spawn(move || {
            let stored = handoff::store_found(case, evidence, path, receiver);
            // The import's transaction has ended here, committed or rolled back, so the
            // writeback handle may close. A panic in store_found drops the sender after the
            // transaction too, as this closure unwinds.
            drop(transaction_ended);
            stored
        });

        let mut sink = handoff::ChannelSink::new(sender);
        let parsed = read_evidence(&source, options, observer, &mut sink);
        if parsed.is_err() {
            cancelled.store(true, Ordering::Relaxed);
        }
        let hashed = hashing.join().expect("the hashing thread does not panic");
        let parse_error = match (parsed, hashed) {
            (Ok(summary), Ok(sha256)) => {
                // A send fails only when the storing thread has stopped, and its result gives the cause.
                let _ = sink.finish(summary, sha256);
                None
            }
            // Dropping the sink closes the channel, so the storing thread rolls the import back.
            (Err(error), _) => {
                drop(sink);
                Some(error)
            }
            (Ok(_), Err(error)) => {
                drop(sink);
                Some(ImportError::Unreadable { path: path.to_path_buf(), source: error })
            }
        };
        let stored = storing.join().expect("the storing thread does not panic");
        writeback.join().expect("the writeback thread does not panic");
        match stored {
            Ok(result) => Ok(result),
            // The storing thread abandons the import only after a parse error, so the fallback
            // is never taken.
            Err(handoff::StoreFailure::Abandoned) => {
                Err(parse_error.unwrap_or_else(|| ImportError::Cancelled { path: path.to_path_buf() }))
            }
            Err(handoff::StoreFailure::Import(error)) => Err(error),
            Err(handoff::StoreFailure::Observation { record, source }) => Err(match kind {
                EvidenceKind::Capture => {
                    ImportError::Capture { path: path.to_path_buf(), source: CaptureError::Sink { record, source } }
                }
                EvidenceKind::FirewallLog => ImportError::Firewall {
                    path: path.to_path_buf(),
                    source: FirewallError::Sink { line: record, source },
                },
            }),
        }
    })
}

/// Streams an identified evidence file into a sink and returns the importer's summary.
///
/// The summary's format names the content and, for a gzip file, adds `+gzip`.
pub fn read_evidence(
    source: &EvidenceSource,
    options: &ImportOptions,
    observer: &mut dyn ImportObserver,
    sink: &mut dyn ObservationSink,
) -> Result<ImportSummary, ImportError> {
    let path = &source.path;
    let result = {
        let content = source::open_content(source, observer)
            .map_err(|error| ImportError::Unreadable { path: path.clone(), source: error })?;
        match source.format {
            EvidenceFormat::Capture(_) => crate::capture::read_capture(content, sink)
                .map_err(|error| ImportError::Capture { path: path.clone(), source: error }),
            EvidenceFormat::Log(dialect) => {
                let time = time_context(options, source);
                firewall::read_log(content, dialect, &time, sink)
                    .map_err(|error| ImportError::Firewall { path: path.clone(), source: error })
            }
        }
    };
    if observer.is_cancelled() {
        return Err(ImportError::Cancelled { path: path.clone() });
    }
    if let Err(error) = &result {
        if let Some(exceeded) = gzip_limit::find_in_chain(error) {
            return Err(ImportError::ExpansionLimit { path: path.clone(), source: exceeded });
        }
    }
    let mut summary = result?;
    summary.format =
        if source.gzip { format!("{}+gzip", source.format.as_str()) } else { source.format.as_str().to_string() };
    Ok(summary)
}

/// Builds the time context for a log: the given zone or UTC, and the given year or the file's
/// modification time as the reference for year-less timestamps.
fn time_context(options: &ImportOptions, source: &EvidenceSource) -> TimeContext {
    let reference = match options.year {
        Some(year) => ReferenceYear::Explicit(year),
        // NOTE: a file system without modification times falls back to the current time.
        None => ReferenceYear::FileModified(source.modified.unwrap_or_else(chrono::Utc::now)),
    };
    TimeContext { zone: options.zone.unwrap_or(chrono_tz::UTC), reference }
}
