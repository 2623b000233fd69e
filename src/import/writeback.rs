//! Early writeback of the case file while an import stores its rows.
//!
//! SQLite writes an import's new pages into the case file whenever its page cache fills, and
//! the operating system keeps them in memory until the commit's fsync, which then waits for
//! all of them at once. A writeback thread syncs the file every [`WRITEBACK_INTERVAL`] while
//! the import still parses, so the commit's fsync waits only for the pages of the last
//! interval. The extra syncs change nothing in SQLite's commit protocol: they make pages
//! durable earlier than the commit would.
//!
//! The thread syncs through a handle of the case file that it opens itself. On Linux, closing
//! any handle of a file releases every POSIX advisory lock the process has on that file,
//! SQLite's own locks included. The handle is therefore kept open, also after a failed sync,
//! until the storing thread reports the end of the import's transaction by closing the
//! channel.
//!
//! Only Linux gets the early writeback ([`EARLY_WRITEBACK`]).

use std::fs::File;
use std::path::Path;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::Duration;

/// Time between two syncs of the case file during an import. The commit's fsync of the
/// 150 MB case written by the 1 million line benchmark log took 84 to 104 ms (strace, four
/// runs). With a sync every 100 ms it writes only the pages of the last 100 ms. An import
/// that ends within the first interval syncs only at its commit.
pub(super) const WRITEBACK_INTERVAL: Duration = Duration::from_millis(100);

/// True where the early writeback runs: on Linux, where `fdatasync` writes the file's pages
/// and returns. On macOS the standard library syncs with `F_FULLFSYNC`, and on Windows with
/// `FlushFileBuffers`, which also flush the drive's own write cache. Ten of those a second
/// were not measured, so those systems sync at the commit only.
const EARLY_WRITEBACK: bool = cfg!(target_os = "linux");

/// Syncs the case file at `case_path` every [`WRITEBACK_INTERVAL`] until `ended` is closed or
/// receives a message, where [`EARLY_WRITEBACK`] is true. Call it on a thread of its own, and
/// close `ended` only once the import's transaction has been committed or rolled back.
pub(super) fn write_back_until_ended(case_path: &Path, ended: Receiver<()>) {
    if !EARLY_WRITEBACK {
        return;
    }
    // fdatasync on Linux accepts a file opened for reading.
    let file = match File::open(case_path) {
        Ok(file) => file,
        Err(error) => {
            log::debug!("{}: no early writeback during the import: {error}", case_path.display());
            return;
        }
    };
    if let Err(error) = sync_until_ended(&file, &ended) {
        log::debug!("{}: early writeback stopped: {error}", case_path.display());
        // Wait for the end of the transaction before the handle closes; see the module docs.
        let _ = ended.recv();
    }
}

/// Syncs `file` every interval until `ended` is closed or receives a message, or until a sync
/// fails.
fn sync_until_ended(file: &File, ended: &Receiver<()>) -> std::io::Result<()> {
    while let Err(RecvTimeoutError::Timeout) = ended.recv_timeout(WRITEBACK_INTERVAL) {
        file.sync_data()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::process::Command;
    use std::sync::mpsc;
    use std::time::Duration;

    use rusqlite::{Connection, ErrorCode};

    use super::{write_back_until_ended, WRITEBACK_INTERVAL};

    /// Set in the child process of [`case_stays_locked_during_writeback`] to the database it
    /// tries to write.
    const CHILD_DATABASE: &str = "SCANCASE_TEST_WRITEBACK_CHILD_DATABASE";

    /// Printed by the child process when the database was locked against it.
    const LOCKED_MARKER: &str = "database locked against the child process";

    /// A write transaction stays locked against other processes while the writeback thread
    /// syncs the file, because the thread keeps its handle open until the transaction has
    /// ended. The test runs itself as the other process.
    #[test]
    fn case_stays_locked_during_writeback() {
        if let Ok(database) = std::env::var(CHILD_DATABASE) {
            try_write_from_child(Path::new(&database));
            return;
        }
        let folder = tempfile::tempdir().expect("temporary folder");
        let database = folder.path().join("case.scancase");
        let conn = Connection::open(&database).expect("database");
        conn.execute_batch("CREATE TABLE row (value INTEGER); BEGIN IMMEDIATE; INSERT INTO row VALUES (1);")
            .expect("write transaction");
        let (ended, end) = mpsc::channel::<()>();
        let writeback_path = database.clone();
        let writeback = std::thread::spawn(move || write_back_until_ended(&writeback_path, end));
        std::thread::sleep(WRITEBACK_INTERVAL * 3);

        let child = Command::new(std::env::current_exe().expect("test binary"))
            .args(["--exact", "import::writeback::tests::case_stays_locked_during_writeback", "--nocapture"])
            .env(CHILD_DATABASE, &database)
            .output()
            .expect("child process");
        conn.execute_batch("COMMIT").expect("commit");
        drop(ended);
        writeback.join().expect("writeback thread");

        let output = String::from_utf8_lossy(&child.stdout);
        assert!(child.status.success(), "{output}{}", String::from_utf8_lossy(&child.stderr));
        assert!(output.contains(LOCKED_MARKER), "{output}");
    }

    /// Tries to start a write transaction on `database` at once, and prints
    /// [`LOCKED_MARKER`] when it is locked.
    fn try_write_from_child(database: &Path) {
        let conn = Connection::open(database).expect("child database");
        conn.busy_timeout(Duration::ZERO).expect("no waiting");
        let error = conn.execute_batch("BEGIN IMMEDIATE").expect_err("the parent holds the write lock");
        assert_eq!(error.sqlite_error_code(), Some(ErrorCode::DatabaseBusy), "{error}");
        println!("{LOCKED_MARKER}");
    }

    /// The writeback ends soon after the transaction ends, and not before.
    #[cfg(target_os = "linux")]
    #[test]
    fn writeback_runs_until_transaction_ends() {
        let folder = tempfile::tempdir().expect("temporary folder");
        let file = folder.path().join("case.scancase");
        std::fs::write(&file, b"case").expect("file");
        let (ended, end) = mpsc::channel::<()>();
        let writeback = std::thread::spawn(move || write_back_until_ended(&file, end));
        std::thread::sleep(WRITEBACK_INTERVAL * 2);
        assert!(!writeback.is_finished());
        drop(ended);
        writeback.join().expect("writeback thread");
    }

    /// A case file that cannot be opened gets no early writeback, and the function returns at
    /// once.
    #[test]
    fn missing_file_ends_writeback() {
        let folder = tempfile::tempdir().expect("temporary folder");
        let (_ended, end) = mpsc::channel::<()>();
        write_back_until_ended(&folder.path().join("missing.scancase"), end);
    }
}
