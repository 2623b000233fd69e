//! The case file: one SQLite database per investigation.
//!
//! This module owns opening and creating case files, the connection settings, and the
//! tables' read and write functions. It does not parse evidence or analyze anything: the
//! importers hand it observations through [`EvidenceWriter`], and the analysis hands it
//! contacts and findings through [`Case::replace_analysis`].
//!
//! A case file is recognised by its `application_id`; its schema version is
//! `user_version` (see [`schema`]). A case made by a newer scancase is rejected rather than
//! misread.

mod address_text;
mod assembly;
mod attachments;
mod audit;
mod contacts;
mod evidence;
mod findings;
mod import_keys;
mod import_rows;
mod integrity;
mod location;
pub mod probe_blocks;
#[cfg(test)]
mod read_path_tests;
mod review;
mod revisions;
pub mod schema;
mod settings;
#[cfg(test)]
mod settings_tests;
mod withdrawals;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, OptionalExtension};

pub use assembly::{NewTimelineEvent, SectionTextAction, MAX_EVENT_TEXT_CHARS};
pub use attachments::{NewAttachment, MAX_SCREENSHOT_BYTES, MAX_SCREENSHOT_SIDE_PX, MAX_STATEMENT_BYTES};
pub use audit::{hex_lower, AuditEntry, AuditLog};
pub use contacts::{StoredContact, StoredProbe};
pub use evidence::{import_aggregator, EvidenceWriter, NewEvidence};
pub use findings::StoredAnalysis;
pub use integrity::{remapped_path, EvidenceCheck, PathRemap};
pub use location::sibling as sibling_path;
pub use review::{EntryRevision, ReviewAction, ReviewStep};
pub use revisions::{ApprovedReport, ReportBasis, RevisionSummary};
pub use settings::{AllowlistEntry, CaseSettings, SettingsChange, MAX_SETTING_TEXT_CHARS};
pub use withdrawals::{WithdrawableKind, Withdrawal, MAX_WITHDRAWAL_REASON_CHARS};

use crate::model::{CaseInfo, TimestampNs};

/// Milliseconds a writer waits for another connection's lock before giving up.
const BUSY_TIMEOUT_MS: u64 = 5_000;

/// Page size of new case files, in bytes (SQLite's default is 4,096). An import writes its
/// pages with a system call for each, so larger pages make fewer calls. The 1 million line
/// benchmark log imported in 1.62 s with 16 KiB pages and in 1.87 s with 4 KiB pages (WAL
/// mode, before [`JOURNAL_MODE`]). Case files made with other sizes keep theirs.
const PAGE_SIZE_BYTES: i64 = 16 * 1024;

/// SQLite journal mode of case files: a rollback journal, deleted at each commit.
///
/// A case file is what investigators copy, archive and hand on, so a committed change is in
/// the file itself at once, not in a WAL file beside it that a copy of the case alone would
/// lack. An import also writes its rows once: new pages at the end of the file need no
/// journal, where WAL mode writes every page to the WAL and copies it into the file at the
/// checkpoint. The 1 million line benchmark log imported in 1.49 to 1.71 s against 1.68 to
/// 1.83 s in WAL mode, in five alternated runs each. The 4 million line log imported in 5.30
/// to 5.85 s against 7.99 and 8.28 s (`benches/fwlog_bench.sh`, docs/benchmarks.md). The price is
/// that a reader in another process waits while an import writes ([`CaseError::Busy`] after
/// [`BUSY_TIMEOUT_MS`]). The desktop app and the command line use one connection per case.
const JOURNAL_MODE: &str = "DELETE";

/// Error context of a read-only open of a case beside which an interrupted write left its
/// journal.
const UNFINISHED_WRITE: &str = "could not read the case: an interrupted write left its rollback journal beside the file; open the case once for writing (without --read-only, on writable media) to roll that write back";

/// Upper bound of SQLite's page cache per connection, in KiB (SQLite's default is 2,000 KiB).
/// An import writes all its rows in one transaction. With the default cache, SQLite spills
/// the dirty index pages of a large import to disk and reads them back at every insert.
/// The cache grows only as pages are used, so small cases stay small. With 16 KiB pages,
/// 16 MiB imported the 1 and 4 million line benchmark logs as fast as 64 MiB did, with half
/// the peak memory (60 against 110 MiB), and analysed them as fast.
const PAGE_CACHE_KIB: i64 = 16 * 1024;

/// An error while opening, reading or writing a case file.
#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    /// The case file does not exist.
    #[error("case file {path} not found; create it with `scancase new {path}`")]
    NotFound {
        /// Path of the missing case.
        path: PathBuf,
    },
    /// `scancase new` was given a path that exists already.
    #[error("{path} already exists; choose another path or open the existing case")]
    AlreadyExists {
        /// Path that exists.
        path: PathBuf,
    },
    /// The file is an SQLite database or some other file, but not a scancase case.
    #[error("{path} is not a scancase case file (application_id {found:#010x})")]
    NotACase {
        /// Path of the file.
        path: PathBuf,
        /// The `application_id` found.
        found: i32,
    },
    /// The case was written by a newer scancase with a schema this build does not know.
    #[error(
        "{path} has case schema version {found}, newer than version {supported} known to scancase {version}; open it with a newer scancase"
    )]
    NewerSchema {
        /// Path of the case.
        path: PathBuf,
        /// Schema version found.
        found: i32,
        /// Newest schema version this build supports.
        supported: i32,
        /// This build's version.
        version: &'static str,
    },
    /// SQLite failed.
    #[error("case file {path}: {context}")]
    Sqlite {
        /// Path of the case.
        path: PathBuf,
        /// The operation that failed.
        context: String,
        /// The SQLite error.
        #[source]
        source: rusqlite::Error,
    },
    /// Another connection kept the case locked for longer than [`BUSY_TIMEOUT_MS`], as an
    /// import or analysis in another process does while it writes.
    #[error(
        "case file {path}: {context}: another process is writing the case, such as an import or analysis in another window or terminal; try again when it has finished"
    )]
    Busy {
        /// Path of the case.
        path: PathBuf,
        /// The operation that timed out waiting for the lock.
        context: String,
        /// The SQLite error.
        #[source]
        source: rusqlite::Error,
    },
    /// A long step was cancelled by its caller before it stored its result.
    #[error("{path}: the {job} was cancelled; {outcome}")]
    Cancelled {
        /// Path of the case.
        path: PathBuf,
        /// The step, such as "analysis".
        job: &'static str,
        /// Outcome for the case and the file system after the cancellation.
        outcome: &'static str,
    },
    /// A change was requested on a case opened read-only.
    #[error("case file {path} is open read-only ({reason}); work on a writable copy to change it")]
    ReadOnly {
        /// Path of the case.
        path: PathBuf,
        /// Reason the case is read-only.
        reason: String,
    },
    /// No evidence has the given id.
    #[error("case file {path} has no evidence with id {evidence_id}")]
    EvidenceNotFound {
        /// Path of the case.
        path: PathBuf,
        /// The id requested.
        evidence_id: i64,
    },
    /// No allowlist entry has the given network.
    #[error("case file {path} has no allowlist entry for {network}; list them with `scancase allowlist list`")]
    AllowlistEntryNotFound {
        /// Path of the case.
        path: PathBuf,
        /// The network requested.
        network: String,
    },
    /// A case setting is invalid: an unknown analysis parameter, a value out of range, a
    /// text too long or with control characters.
    #[error("case file {path}: invalid {setting}: {problem}; nothing was changed")]
    InvalidSetting {
        /// Path of the case.
        path: PathBuf,
        /// Setting given, for example "analysis parameter campaign_gap_s".
        setting: String,
        /// Problem found, with how to fix it.
        problem: String,
    },
    /// A review step that does not follow from the report's current state.
    #[error("case file {path}: cannot {step} a report that is {state}; {hint}")]
    InvalidReviewStep {
        /// Path of the case.
        path: PathBuf,
        /// The step requested: submit, approve, reopen, edit or change.
        step: &'static str,
        /// The current state.
        state: &'static str,
        /// Next step for the user.
        hint: &'static str,
    },
    /// Something the examiner added to the report is invalid: an attachment, an event or a
    /// section text.
    #[error("case file {path}: {subject}: {problem}; nothing was stored")]
    InvalidReportInput {
        /// Path of the case.
        path: PathBuf,
        /// Item given, for example "attachment shot.png".
        subject: String,
        /// Problem found, with how to fix it.
        problem: String,
    },
    /// A stored JSON value could not be read or written.
    #[error("case file {path}: {context}")]
    Json {
        /// Path of the case.
        path: PathBuf,
        /// The operation that failed.
        context: String,
        /// The JSON error.
        #[source]
        source: serde_json::Error,
    },
}

/// How to open a case file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    /// Read and write; falls back to read-only when the file or its folder cannot be written.
    ReadWrite,
    /// Read only: nothing is written to the case or beside it.
    ReadOnly,
}

/// An open case file.
pub struct Case {
    conn: Connection,
    path: PathBuf,
    /// Reason the case is read-only, when it is.
    read_only: Option<String>,
}

/// Returns the current time as UTC nanoseconds.
pub fn now_ns() -> TimestampNs {
    chrono::Utc::now().timestamp_nanos_opt().unwrap_or(i64::MAX)
}

/// Threading mode of every case connection: SQLite's multi-thread mode, without the mutex
/// that serialized mode takes around each call. A connection is used by one thread at a time,
/// because rusqlite's `Connection` cannot be shared between threads. Same as rusqlite's default.
const NO_MUTEX: OpenFlags = OpenFlags::SQLITE_OPEN_NO_MUTEX;

impl Case {
    /// Creates a new case file at `path`, which must not exist yet.
    pub fn create(path: &Path, name: &str, examiner: Option<&str>) -> Result<Case, CaseError> {
        if path.exists() {
            return Err(CaseError::AlreadyExists { path: path.to_path_buf() });
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags)
            .map_err(|source| sqlite_error(path, "could not create the file", source))?;
        let mut case = Case { conn, path: path.to_path_buf(), read_only: None };
        // The page size is fixed when the first table is written.
        case.conn
            .pragma_update(None, "page_size", PAGE_SIZE_BYTES)
            .map_err(|source| case.sqlite("could not set the page size", source))?;
        case.configure()?;
        case.conn
            .pragma_update(None, "application_id", schema::APPLICATION_ID)
            .map_err(|source| case.sqlite("could not mark the file as a case", source))?;
        case.migrate()?;

        let created_at_ns = now_ns();
        let tx = case.transaction("could not start writing the case metadata")?;
        tx.execute(
            "INSERT INTO case_info (id, name, examiner, created_at_ns, created_by_version)
             VALUES (1, ?1, ?2, ?3, ?4)",
            rusqlite::params![name, examiner, created_at_ns, crate::VERSION],
        )
        .map_err(|source| sqlite_error(path, "could not write the case metadata", source))?;
        audit::append(
            &tx,
            path,
            examiner,
            "case_created",
            serde_json::json!({ "name": name, "version": crate::VERSION }),
        )?;
        tx.commit().map_err(|source| sqlite_error(path, "could not save the case metadata", source))?;
        Ok(case)
    }

    /// Opens an existing case file for reading and writing, or read-only when the file or its
    /// folder cannot be written.
    pub fn open(path: &Path) -> Result<Case, CaseError> {
        Case::open_with(path, OpenMode::ReadWrite)
    }

    /// Opens an existing case file in the given mode.
    ///
    /// A read-only case without journal, WAL and shared-memory files beside it (closed cleanly,
    /// or a copy on read-only media) is opened as immutable, so that SQLite creates no files
    /// beside it.
    pub fn open_with(path: &Path, mode: OpenMode) -> Result<Case, CaseError> {
        if !path.is_file() {
            return Err(CaseError::NotFound { path: path.to_path_buf() });
        }
        if let Some(fs_type) = location::network_file_system(path) {
            log::warn!(
                "{} is on a network file system ({fs_type}), where SQLite locking is unreliable; copy the case to a local disk, work on the copy and copy it back",
                path.display()
            );
        }
        let read_only = match mode {
            OpenMode::ReadOnly => Some("opened with --read-only".to_string()),
            OpenMode::ReadWrite if location::is_read_only(path) => {
                log::info!("{} or its folder cannot be written; opening the case read-only", path.display());
                Some("the file or its folder cannot be written".to_string())
            }
            OpenMode::ReadWrite => None,
        };
        let conn = match &read_only {
            None => Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE | NO_MUTEX),
            Some(_) => {
                // Without journal or WAL files no writer has the case open or left an
                // unfinished transaction, and SQLite need not lock or read anything beside it.
                // With a rollback journal left by an interrupted import, a normal read-only
                // connection rejects the file instead of reading the unfinished rows.
                let immutable = location::journal_files_absent(path);
                let uri = sqlite_uri(path, immutable);
                Connection::open_with_flags(
                    uri,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI | NO_MUTEX,
                )
            }
        }
        .map_err(|source| sqlite_error(path, "could not open the file", source))?;

        let mut case = Case { conn, path: path.to_path_buf(), read_only };
        let application_id: i32 =
            case.conn.pragma_query_value(None, "application_id", |row| row.get(0)).map_err(|source| {
                match source.sqlite_error_code() {
                    Some(rusqlite::ErrorCode::DatabaseBusy) => sqlite_error(path, "could not read the case", source),
                    // A read-only connection cannot roll back a journal left by an interrupted
                    // write, so SQLite rejects the file.
                    Some(rusqlite::ErrorCode::ReadOnly) if location::sibling(path, "-journal").exists() => {
                        sqlite_error(path, UNFINISHED_WRITE, source)
                    }
                    _ => CaseError::NotACase { path: path.to_path_buf(), found: 0 },
                }
            })?;
        if application_id != schema::APPLICATION_ID {
            return Err(CaseError::NotACase { path: path.to_path_buf(), found: application_id });
        }
        case.configure()?;
        case.migrate()?;
        Ok(case)
    }

    /// Returns why the case is read-only, or `None` when it can be written.
    pub fn read_only_reason(&self) -> Option<&str> {
        self.read_only.as_deref()
    }

    /// Returns the path the case was opened from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Returns who is acting, for the audit log: the case's examiner, else the operating
    /// system user from `USER` or `LOGNAME`.
    pub fn actor(&self) -> Option<String> {
        let examiner = self.info().ok().and_then(|info| info.examiner);
        examiner.or_else(|| std::env::var("USER").ok()).or_else(|| std::env::var("LOGNAME").ok())
    }

    /// Reads the case metadata.
    pub fn info(&self) -> Result<CaseInfo, CaseError> {
        self.conn
            .query_row(
                "SELECT name, examiner, created_at_ns, created_by_version FROM case_info WHERE id = 1",
                [],
                |row| {
                    Ok(CaseInfo {
                        name: row.get(0)?,
                        examiner: row.get(1)?,
                        created_at_ns: row.get(2)?,
                        created_by_version: row.get(3)?,
                    })
                },
            )
            .map_err(|source| self.sqlite("could not read the case metadata", source))
    }

    /// Sets the examiner responsible for the case, when none is recorded yet.
    pub fn set_examiner_if_missing(&mut self, examiner: &str) -> Result<(), CaseError> {
        let path = self.path.clone();
        let tx = self.transaction("could not start updating the examiner")?;
        let changed = tx
            .execute("UPDATE case_info SET examiner = ?1 WHERE id = 1 AND examiner IS NULL", [examiner])
            .map_err(|source| sqlite_error(&path, "could not update the examiner", source))?;
        if changed > 0 {
            audit::append(&tx, &path, Some(examiner), "examiner_set", serde_json::json!({ "examiner": examiner }))?;
        }
        tx.commit().map_err(|source| sqlite_error(&path, "could not save the examiner", source))
    }

    /// Applies the connection settings every case connection uses.
    ///
    /// A case file may come from someone else, so it is treated as untrusted: schema-defined
    /// functions and extension loading are off and defensive mode is on.
    fn configure(&mut self) -> Result<(), CaseError> {
        self.conn
            .busy_timeout(std::time::Duration::from_millis(BUSY_TIMEOUT_MS))
            .map_err(|source| self.sqlite("could not set the busy timeout", source))?;
        self.conn
            .set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true)
            .map_err(|source| self.sqlite("could not enable defensive mode", source))?;
        self.conn
            .set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_TRUSTED_SCHEMA, false)
            .map_err(|source| self.sqlite("could not disable trusted schema", source))?;
        // Extension loading stays off: SQLite disables it by default, and this build leaves out
        // rusqlite's `load_extension` feature, so no call can turn it on.
        self.conn
            .execute_batch("PRAGMA foreign_keys = ON;")
            .map_err(|source| self.sqlite("could not enable foreign keys", source))?;
        self.conn
            .pragma_update(None, "cache_size", -PAGE_CACHE_KIB)
            .map_err(|source| self.sqlite("could not set the page cache size", source))?;
        // SQLite's temporary files stay in memory. The statement journals of an import's
        // grouped inserts took 7 times as many writes as the WAL on disk, before `OR FAIL`
        // removed most of them (import_rows.rs). The case's queries read through indexes, so
        // they sort little.
        self.conn
            .pragma_update(None, "temp_store", "MEMORY")
            .map_err(|source| self.sqlite("could not keep temporary storage in memory", source))?;
        if self.read_only.is_none() {
            self.use_rollback_journal()?;
        }
        Ok(())
    }

    /// Keeps the case in one file: SQLite's rollback journal ([`JOURNAL_MODE`]) with a full
    /// sync at each commit. A case file made in WAL mode is switched to this mode when it is
    /// opened for writing. While another connection has it open, SQLite reports it locked at
    /// once and the case stays in WAL mode until the next open.
    fn use_rollback_journal(&mut self) -> Result<(), CaseError> {
        let mode: Result<String, _> =
            self.conn.pragma_update_and_check(None, "journal_mode", JOURNAL_MODE, |row| row.get(0));
        match mode {
            Ok(mode) if mode.eq_ignore_ascii_case(JOURNAL_MODE) => {}
            Ok(mode) => log::info!(
                "{}: could not switch to the rollback journal; {mode} journal mode kept until the next open",
                self.path.display()
            ),
            Err(error) => log::info!(
                "{}: could not switch to the rollback journal ({error}); journal mode kept until the next open",
                self.path.display()
            ),
        }
        self.conn
            .pragma_update(None, "synchronous", "FULL")
            .map_err(|source| self.sqlite("could not apply the connection settings", source))
    }

    /// Applies the migrations this file lacks, each in its own transaction.
    fn migrate(&mut self) -> Result<(), CaseError> {
        let found: i32 = self
            .conn
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .map_err(|source| self.sqlite("could not read the schema version", source))?;
        let supported = schema::current_version();
        if found < supported && self.read_only.is_some() {
            return Err(CaseError::ReadOnly {
                path: self.path.clone(),
                reason: format!("schema version {found} needs an upgrade to {supported}, which writes"),
            });
        }
        if found > supported {
            return Err(CaseError::NewerSchema { path: self.path.clone(), found, supported, version: crate::VERSION });
        }
        for (index, sql) in schema::MIGRATIONS.iter().enumerate().skip(found as usize) {
            let path = self.path.clone();
            let tx = self.transaction("could not start a schema migration")?;
            tx.execute_batch(sql)
                .map_err(|source| sqlite_error(&path, &format!("schema migration {} failed", index + 1), source))?;
            tx.pragma_update(None, "user_version", index as i32 + 1)
                .map_err(|source| sqlite_error(&path, "could not record the schema version", source))?;
            tx.commit().map_err(|source| sqlite_error(&path, "could not save a schema migration", source))?;
        }
        Ok(())
    }

    fn transaction(&mut self, context: &str) -> Result<rusqlite::Transaction<'_>, CaseError> {
        self.check_writable()?;
        let path = self.path.clone();
        self.conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|source| sqlite_error(&path, context, source))
    }

    /// Returns [`CaseError::ReadOnly`] when the case was opened read-only.
    fn check_writable(&self) -> Result<(), CaseError> {
        match &self.read_only {
            Some(reason) => Err(CaseError::ReadOnly { path: self.path.clone(), reason: reason.clone() }),
            None => Ok(()),
        }
    }

    fn sqlite(&self, context: &str, source: rusqlite::Error) -> CaseError {
        sqlite_error(&self.path, context, source)
    }

    /// Returns the id and path of the evidence already imported with this SHA-256, if any.
    pub fn find_evidence_by_hash(&self, sha256: &str) -> Result<Option<(i64, String)>, CaseError> {
        self.conn
            .query_row("SELECT id, path FROM evidence WHERE sha256 = ?1", [sha256], |row| {
                Ok((row.get(0)?, row.get(1)?))
            })
            .optional()
            .map_err(|source| self.sqlite("could not look up evidence by hash", source))
    }
}

/// Builds an SQLite `file:` URI for a read-only open, with `immutable=1` when requested.
fn sqlite_uri(path: &Path, immutable: bool) -> String {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut encoded = String::new();
    for byte in absolute.to_string_lossy().bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => encoded.push(byte as char),
            other => encoded.push_str(&format!("%{other:02X}")),
        }
    }
    let mut uri = format!("file:{encoded}?mode=ro");
    if immutable {
        uri.push_str("&immutable=1");
    }
    uri
}

/// Wraps an SQLite error with the case path and what was being done. A lock held by another
/// connection past the busy timeout becomes [`CaseError::Busy`].
fn sqlite_error(path: &Path, context: &str, source: rusqlite::Error) -> CaseError {
    let path = path.to_path_buf();
    let context = context.to_string();
    match source.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DatabaseBusy) => CaseError::Busy { path, context, source },
        _ => CaseError::Sqlite { path, context, source },
    }
}

/// Wraps a JSON error with the case path and what was being done.
fn json_error(path: &Path, context: &str, source: serde_json::Error) -> CaseError {
    CaseError::Json { path: path.to_path_buf(), context: context.to_string(), source }
}
