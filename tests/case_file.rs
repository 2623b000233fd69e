//! Tests of the case file as evidence: integrity checks, the audit chain, refusal of foreign
//! or newer files, read-only opening and crash safety of imports.

use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::cargo::cargo_bin_cmd;
use rusqlite::Connection;

fn fixture(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(relative)
}

fn scancase() -> assert_cmd::Command {
    cargo_bin_cmd!("scancase")
}

/// Creates a case in `dir` holding one imported copy of a fixture; returns the case path and
/// the evidence copy's path.
fn case_with_copy(dir: &Path, fixture_name: &str) -> (PathBuf, PathBuf) {
    let evidence = dir.join("evidence.pcap");
    std::fs::copy(fixture(fixture_name), &evidence).expect("copy fixture");
    let case = dir.join("c.scancase");
    scancase().arg("new").arg(&case).args(["--examiner", "Test Examiner"]).assert().success();
    scancase().arg("import").arg(&case).arg(&evidence).assert().success();
    (case, evidence)
}

fn stdout_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn verify_reports_match_mismatch_missing() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let (case, evidence) = case_with_copy(dir.path(), "capture/scan_nmap_sS_8ports_vic1.pcap");

    let output = scancase().arg("verify").arg(&case).output().expect("run scancase");
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert!(stdout_of(&output).contains("E1  match"), "{}", stdout_of(&output));

    let mut bytes = std::fs::read(&evidence).expect("read copy");
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(&evidence, &bytes).expect("tamper copy");
    let output = scancase().arg("verify").arg(&case).output().expect("run scancase");
    assert!(!output.status.success());
    assert!(stdout_of(&output).contains("E1  mismatch"), "{}", stdout_of(&output));
    assert!(stderr_of(&output).contains("did not match"), "{}", stderr_of(&output));

    let moved_dir = dir.path().join("moved");
    std::fs::create_dir(&moved_dir).expect("create folder");
    std::fs::copy(fixture("capture/scan_nmap_sS_8ports_vic1.pcap"), moved_dir.join("evidence.pcap")).expect("copy");
    std::fs::remove_file(&evidence).expect("remove copy");
    let output = scancase().arg("verify").arg(&case).output().expect("run scancase");
    assert!(stdout_of(&output).contains("E1  missing"), "{}", stdout_of(&output));

    let remap = format!("{}={}", dir.path().display(), moved_dir.display());
    let output = scancase().arg("verify").arg(&case).args(["--path", &remap]).output().expect("run scancase");
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert!(stdout_of(&output).contains("E1  match"), "{}", stdout_of(&output));
    assert!(stdout_of(&output).contains("moved/evidence.pcap"), "{}", stdout_of(&output));
}

#[test]
fn report_shows_verification_and_custody() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let (case, _) = case_with_copy(dir.path(), "capture/scan_nmap_sS_8ports_vic1.pcap");
    scancase()
        .arg("custody")
        .arg(&case)
        .arg("E1")
        .args(["--acquired-by", "Jürgen Weiß", "--source-system", "fw01 mirror port", "--storage", "locker 7"])
        .assert()
        .success();
    scancase().arg("analyze").arg(&case).assert().success();
    let output = scancase().arg("report").arg(&case).args(["--format", "md"]).output().expect("run scancase");
    assert!(output.status.success(), "{}", stderr_of(&output));
    let markdown = stdout_of(&output);
    assert!(markdown.contains("Jürgen Weiß"), "custody entry missing from the report");
    assert!(markdown.contains("locker 7"), "custody storage missing from the report");
    assert!(!markdown.contains("Not yet verified"), "the export should verify the evidence first");

    let case = scancase::case::Case::open(&case).expect("open case");
    let actions: Vec<String> = case.audit_log().expect("audit").entries.into_iter().map(|e| e.action).collect();
    assert!(actions.contains(&"custody_recorded".to_string()), "{actions:?}");
    assert!(actions.contains(&"evidence_verified".to_string()), "{actions:?}");
}

#[test]
fn custody_for_unknown_evidence_fails() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let (case, _) = case_with_copy(dir.path(), "capture/scan_nmap_sS_8ports_vic1.pcap");
    let output = scancase().arg("custody").arg(&case).arg("E7").args(["--notes", "x"]).output().expect("run");
    assert!(!output.status.success());
    assert!(stderr_of(&output).contains("no evidence with id 7"), "{}", stderr_of(&output));
}

#[test]
fn audit_rows_cannot_be_changed() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let (case, _) = case_with_copy(dir.path(), "capture/scan_nmap_sS_8ports_vic1.pcap");
    let connection = Connection::open(&case).expect("open with SQLite");
    let update = connection.execute("UPDATE audit_log SET actor = 'someone else' WHERE id = 1", []);
    assert!(update.unwrap_err().to_string().contains("append-only"));
    let delete = connection.execute("DELETE FROM audit_log WHERE id = 1", []);
    assert!(delete.unwrap_err().to_string().contains("append-only"));
}

#[test]
fn tampered_audit_row_is_named() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let (case, _) = case_with_copy(dir.path(), "capture/scan_nmap_sS_8ports_vic1.pcap");
    scancase().arg("audit").arg(&case).arg("--verify").assert().success();

    // Someone with direct SQLite access removes the trigger and edits the import entry.
    let connection = Connection::open(&case).expect("open with SQLite");
    connection.execute_batch("DROP TRIGGER audit_log_no_update;").expect("drop trigger");
    connection
        .execute("UPDATE audit_log SET details_json = replace(details_json, 'sha256', 'sha-256') WHERE id = 2", [])
        .expect("tamper");
    drop(connection);

    let output = scancase().arg("audit").arg(&case).arg("--verify").output().expect("run scancase");
    assert!(!output.status.success());
    assert!(stderr_of(&output).contains("entry 2 does not match"), "{}", stderr_of(&output));
}

#[test]
fn newer_case_is_rejected_with_version() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let (case, _) = case_with_copy(dir.path(), "capture/scan_nmap_sS_8ports_vic1.pcap");
    Connection::open(&case).expect("open").pragma_update(None, "user_version", 99).expect("set version");
    let output = scancase().arg("findings").arg(&case).output().expect("run scancase");
    assert!(!output.status.success());
    let stderr = stderr_of(&output);
    assert!(stderr.contains("schema version 99"), "{stderr}");
    assert!(stderr.contains("newer scancase"), "{stderr}");
}

#[test]
fn foreign_sqlite_file_is_rejected() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let foreign = dir.path().join("browser-history.sqlite");
    Connection::open(&foreign).expect("create").execute_batch("CREATE TABLE t (x);").expect("table");
    let output = scancase().arg("findings").arg(&foreign).output().expect("run scancase");
    assert!(!output.status.success());
    let stderr = stderr_of(&output);
    assert!(stderr.contains("browser-history.sqlite is not a scancase case file"), "{stderr}");
}

fn sha256_of(path: &Path) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha256::digest(std::fs::read(path).expect("read file")).to_vec()
}

#[test]
fn read_only_option_writes_nothing() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let (case, _) = case_with_copy(dir.path(), "capture/scan_nmap_sS_8ports_vic1.pcap");
    scancase().arg("analyze").arg(&case).assert().success();
    let before = sha256_of(&case);
    let entries_before = scancase::case::Case::open(&case).expect("open").audit_log().expect("audit").entries.len();

    scancase().arg("findings").arg(&case).arg("--read-only").assert().success();
    let output = scancase().arg("report").arg(&case).args(["--read-only", "--format", "md"]).output().expect("run");
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert!(stdout_of(&output).contains("10.200.0.10"));
    let output = scancase().arg("analyze").arg(&case).arg("--read-only").output().expect("run scancase");
    assert!(!output.status.success());
    assert!(stderr_of(&output).contains("read-only"), "{}", stderr_of(&output));

    assert_eq!(sha256_of(&case), before, "the case file changed");
    assert!(!dir.path().join("c.scancase-wal").exists());
    let entries_after = scancase::case::Case::open(&case).expect("open").audit_log().expect("audit").entries.len();
    assert_eq!(entries_after, entries_before);
}

/// Runs scancase inside a private mount namespace where `folder` is bind-mounted read-only
/// at `view`, as on read-only media; returns `None` when this machine cannot do that.
fn run_on_read_only_mount(folder: &Path, view: &Path, arguments: &str) -> Option<std::process::Output> {
    let binary = assert_cmd::cargo::cargo_bin!("scancase");
    let script =
        format!("mount --bind -o ro '{}' '{}' && '{}' {arguments}", folder.display(), view.display(), binary.display());
    let output = Command::new("unshare").args(["--mount", "sh", "-c", &script]).output().ok()?;
    let stderr = stderr_of(&output);
    if stderr.contains("unshare failed") || stderr.contains("Operation not permitted") && !output.status.success() {
        return None;
    }
    Some(output)
}

#[test]
fn read_only_folder_opens_immutable() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let folder = dir.path().join("media");
    std::fs::create_dir(&folder).expect("create folder");
    let (case, _) = case_with_copy(&folder, "capture/scan_nmap_sS_8ports_vic1.pcap");
    scancase().arg("analyze").arg(&case).assert().success();
    assert!(!folder.join("c.scancase-wal").exists(), "a clean close removes the WAL file");
    let before = sha256_of(&case);

    let view = dir.path().join("view");
    std::fs::create_dir(&view).expect("create folder");
    let arguments = format!("findings '{}' --json", view.join("c.scancase").display());
    let output = match run_on_read_only_mount(&folder, &view, &arguments) {
        Some(output) => output,
        None => {
            // Without mount namespaces (not root), permissions make the folder read-only.
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o555)).expect("chmod");
            let output = scancase().arg("findings").arg(&case).arg("--json").output().expect("run scancase");
            std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o755)).expect("chmod");
            output
        }
    };
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert!(stdout_of(&output).contains("\"tcp_syn\""), "{}", stdout_of(&output));
    assert!(stderr_of(&output).contains("read-only"), "{}", stderr_of(&output));
    assert_eq!(sha256_of(&case), before);
}

/// Writes a classic pcap that repeats the packets of a fixture until it holds at least
/// `min_bytes`, shifting each copy's timestamps by one second so the times keep increasing.
fn write_large_capture(path: &Path, min_bytes: usize) {
    let source = std::fs::read(fixture("capture/scan_nmap_sS_vic1.pcap")).expect("read fixture");
    assert_eq!(&source[..4], &[0xd4, 0xc3, 0xb2, 0xa1], "the generator expects a little-endian microsecond pcap");
    let (header, records) = source.split_at(24);
    let mut output = header.to_vec();
    let mut copy = 0u32;
    while output.len() < min_bytes {
        let mut offset = 0;
        while offset + 16 <= records.len() {
            let captured = u32::from_le_bytes(records[offset + 8..offset + 12].try_into().expect("4 bytes")) as usize;
            let seconds = u32::from_le_bytes(records[offset..offset + 4].try_into().expect("4 bytes")) + copy;
            output.extend_from_slice(&seconds.to_le_bytes());
            output.extend_from_slice(&records[offset + 4..offset + 16 + captured]);
            offset += 16 + captured;
        }
        copy += 1;
    }
    std::fs::write(path, output).expect("write capture");
}

#[test]
fn killed_import_leaves_no_partial_evidence() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let capture = dir.path().join("large.pcap");
    write_large_capture(&capture, 24 * 1024 * 1024);
    let binary = assert_cmd::cargo::cargo_bin!("scancase");

    // One import to completion gives the expected counts and the range of kill times.
    let reference_case = dir.path().join("reference.scancase");
    scancase().arg("new").arg(&reference_case).assert().success();
    let started = std::time::Instant::now();
    scancase().arg("import").arg(&reference_case).arg(&capture).assert().success();
    let full_import = started.elapsed();
    let expected = scancase::case::Case::open(&reference_case).expect("open").evidence().expect("evidence")[0]
        .summary
        .observations;

    let mut seed: u64 = 0x5ca9_ca5e;
    for attempt in 0..20 {
        let case = dir.path().join(format!("killed-{attempt}.scancase"));
        scancase().arg("new").arg(&case).assert().success();
        // A fixed pseudo-random sequence of kill times over the whole import, from its start
        // (hashing) to its end (commit).
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let fraction = (seed >> 33) as f64 / (1u64 << 31) as f64;
        let delay = full_import.mul_f64(fraction * 1.1);

        let mut child = Command::new(binary)
            .arg("import")
            .arg(&case)
            .arg(&capture)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start import");
        std::thread::sleep(delay);
        let _ = child.kill();
        let _ = child.wait();

        let connection = Connection::open(&case).expect("open killed case");
        let integrity: String = connection.query_row("PRAGMA integrity_check", [], |row| row.get(0)).expect("check");
        assert_eq!(integrity, "ok", "attempt {attempt}");
        let rows: Vec<(i64, i64)> = connection
            .prepare("SELECT observations, (SELECT COUNT(*) FROM probe) FROM evidence")
            .expect("query")
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
            .expect("rows")
            .collect::<Result<_, _>>()
            .expect("read rows");
        drop(connection);
        match rows.as_slice() {
            [] => {
                let probes: i64 = Connection::open(&case)
                    .expect("open")
                    .query_row("SELECT COUNT(*) FROM probe", [], |row| row.get(0))
                    .expect("count probes");
                assert_eq!(probes, 0, "attempt {attempt}: probes without evidence");
                scancase().arg("import").arg(&case).arg(&capture).assert().success();
            }
            [(observations, _)] => assert_eq!(*observations as u64, expected, "attempt {attempt}: partial evidence"),
            more => panic!("attempt {attempt}: {} evidence rows", more.len()),
        }
        let case = scancase::case::Case::open(&case).expect("open");
        let evidence = case.evidence().expect("evidence");
        assert_eq!(evidence.len(), 1, "attempt {attempt}");
        assert_eq!(evidence[0].summary.observations, expected, "attempt {attempt}");
    }
}

#[test]
fn approval_through_library_locks_revision() {
    use scancase::case::{Case, ReviewAction};
    use scancase::workflow::{self, WorkflowError};

    let dir = tempfile::tempdir().expect("temporary folder");
    let (case_path, _) = case_with_copy(dir.path(), "capture/scan_nmap_sS_8ports_vic1.pcap");
    scancase().arg("analyze").arg(&case_path).assert().success();
    let mut case = Case::open(&case_path).expect("open the case");
    let actor = Some("Test Examiner");

    workflow::review_report(&mut case, ReviewAction::Submit, actor, None).expect("submit");
    let blocked = workflow::review_report(&mut case, ReviewAction::Approve, Some("Reviewer"), None)
        .expect_err("entries are empty");
    let WorkflowError::ApprovalBlocked { count, items } = blocked else { panic!("unexpected error {blocked}") };
    assert_eq!(count, items.split("; ").count(), "{items}");
    assert!(items.contains("examiner entry detection.root_cause is empty"), "{items}");

    workflow::review_report(&mut case, ReviewAction::Reopen, actor, None).expect("reopen");
    let keys: Vec<String> = workflow::prepare_report(&mut case, actor)
        .expect("draft")
        .report
        .examiner_entries()
        .iter()
        .map(|entry| entry.key.clone())
        .collect();
    for key in &keys {
        workflow::set_examiner_entry(&mut case, key, "Not applicable.", actor).expect("fill the entry");
    }
    workflow::review_report(&mut case, ReviewAction::Submit, actor, None).expect("submit");
    let status = workflow::review_report(&mut case, ReviewAction::Approve, Some("Reviewer"), None).expect("approve");
    assert_eq!(status.revision, 1);
    let approved = case.approved_report().expect("read").expect("an approved report is stored");
    assert_eq!(approved.revision, 1);

    case.set_report_entry("impact.damages", "None known.", actor).expect("an edit after approval");
    let revisions = case.report_revisions().expect("revisions");
    assert_eq!(revisions.len(), 2);
    assert!(revisions[0].approved_sha256.is_some(), "revision 1 keeps its approved report");
    assert_eq!(case.review_status().expect("status").revision, 2);
    drop(case);

    let connection = Connection::open(&case_path).expect("open with SQLite");
    let update = connection.execute("UPDATE report_approval SET content_json = '{}'", []);
    assert!(update.unwrap_err().to_string().contains("never changed"));
    let delete = connection.execute("DELETE FROM report_revision", []);
    assert!(delete.unwrap_err().to_string().contains("never deleted"));
}

/// Returns the journal mode SQLite reports for a case file, in lower case.
fn journal_mode(case: &Path) -> String {
    let connection = Connection::open(case).expect("open case");
    let mode: String = connection.query_row("PRAGMA journal_mode", [], |row| row.get(0)).expect("journal mode");
    mode.to_ascii_lowercase()
}

#[test]
fn case_single_file_after_commands() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let (case, _) = case_with_copy(dir.path(), "capture/scan_nmap_sS_8ports_vic1.pcap");
    scancase().arg("analyze").arg(&case).assert().success();
    assert_eq!(journal_mode(&case), "delete");
    for suffix in ["-journal", "-wal", "-shm"] {
        assert!(!dir.path().join(format!("c.scancase{suffix}")).exists(), "{suffix} file left beside the case");
    }
}

#[test]
fn wal_case_converted_on_open() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let (case, _) = case_with_copy(dir.path(), "capture/scan_nmap_sS_8ports_vic1.pcap");
    // Case files made by earlier versions are in WAL mode.
    let connection = Connection::open(&case).expect("open case");
    let mode: String = connection.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0)).expect("set WAL");
    assert_eq!(mode, "wal");
    drop(connection);

    scancase().arg("analyze").arg(&case).assert().success();
    assert_eq!(journal_mode(&case), "delete");
    assert!(!dir.path().join("c.scancase-wal").exists());
    let output = scancase().arg("findings").arg(&case).output().expect("run scancase");
    assert!(stdout_of(&output).contains("10.200.0.10"), "{}", stdout_of(&output));
}

/// Returns how many anomalies of the case's first evidence file have the given message, read
/// through scancase in the given mode.
fn anomalies_with_message(
    case: &Path,
    mode: scancase::case::OpenMode,
    message: &str,
) -> Result<usize, scancase::case::CaseError> {
    let evidence = scancase::case::Case::open_with(case, mode)?.evidence()?;
    Ok(evidence[0].summary.anomalies.iter().filter(|anomaly| anomaly.message == message).count())
}

#[test]
fn unfinished_write_copy_not_read() {
    use scancase::case::OpenMode;
    let dir = tempfile::tempdir().expect("temporary folder");
    let (case, _) = case_with_copy(dir.path(), "capture/scan_nmap_sS_8ports_vic1.pcap");
    let rows = 20_000usize;
    let mut writer = Connection::open(&case).expect("open case");
    let tx = writer.transaction().expect("begin");
    for record in 0..rows {
        tx.execute(
            "INSERT INTO anomaly (evidence_id, record, byte_offset, message) VALUES (1, ?1, 0, 'committed row')",
            [record as i64],
        )
        .expect("insert");
    }
    tx.commit().expect("commit");

    // A writer in the middle of a large change: with a small page cache SQLite has written
    // changed pages into the file and kept their earlier content in the journal. Copying both
    // files now gives what a crash leaves behind.
    writer.execute_batch("PRAGMA cache_size = 8").expect("small cache");
    let tx = writer.transaction().expect("begin");
    tx.execute("UPDATE anomaly SET message = 'unfinished change'", []).expect("update");
    let copy_folder = dir.path().join("copy");
    std::fs::create_dir(&copy_folder).expect("create folder");
    let journal = dir.path().join("c.scancase-journal");
    assert!(journal.exists(), "the writer has a rollback journal");
    std::fs::copy(&case, copy_folder.join("c.scancase")).expect("copy case");
    std::fs::copy(&journal, copy_folder.join("c.scancase-journal")).expect("copy journal");
    drop(tx);
    drop(writer);

    // Read-only, the copy is rejected or read as it was before the change.
    let copy = copy_folder.join("c.scancase");
    match anomalies_with_message(&copy, OpenMode::ReadOnly, "unfinished change") {
        Ok(count) => assert_eq!(count, 0, "the read-only copy shows rows of the unfinished change"),
        Err(error) => assert!(format!("{error:#}").contains("rollback journal"), "{error:#}"),
    }
    // Opened for writing, the unfinished change is rolled back.
    assert_eq!(anomalies_with_message(&copy, OpenMode::ReadWrite, "committed row").expect("read copy"), rows);
    assert!(!copy_folder.join("c.scancase-journal").exists());
}

#[test]
fn locked_case_names_other_writer() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let (case, _) = case_with_copy(dir.path(), "capture/scan_nmap_sS_8ports_vic1.pcap");
    // An import in another process holds the lock this way once its changes outgrow the page
    // cache, until it commits.
    let writer = Connection::open(&case).expect("open case");
    writer.execute_batch("BEGIN EXCLUSIVE").expect("lock the case");

    let output = scancase().arg("findings").arg(&case).output().expect("run scancase");

    assert!(!output.status.success());
    assert!(stderr_of(&output).contains("another process is writing the case"), "{}", stderr_of(&output));
    writer.execute_batch("ROLLBACK").expect("unlock the case");
}
