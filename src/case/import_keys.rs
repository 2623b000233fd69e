//! The foreign keys of an import's rows, checked once before the commit instead of at every
//! insert.
//!
//! With the connection's foreign keys on, SQLite looks up a probe's contact at every probe
//! insert, the probes of a contact at every contact insert and the evidence of a contact at
//! every contact insert. That took 18 % of the storing thread's instructions (callgrind,
//! 100,000-line benchmark log).
//!
//! An import therefore switches the foreign keys off for its own transaction ([`KeysOff`]) and
//! checks the rows it added in one query before it commits ([`check_new_rows`]). The check
//! finds what the foreign keys would have rejected, so a wrong reference still fails the import
//! and leaves nothing in the case. The keys are on again once the transaction has ended,
//! committed or rolled back.

use rusqlite::{params, Connection, Transaction};

/// The connection's foreign keys, off until this value is dropped.
///
/// SQLite ignores the `foreign_keys` setting inside a transaction, so the keys go off before
/// the import's transaction begins, and this value must be dropped after the transaction has
/// ended: declare it after the transaction in a struct, whose fields drop in order.
pub(super) struct KeysOff<'conn> {
    conn: &'conn Connection,
}

impl<'conn> KeysOff<'conn> {
    /// Switches the foreign keys of `conn` off. Call outside a transaction.
    pub(super) fn new(conn: &'conn Connection) -> rusqlite::Result<Self> {
        conn.execute_batch("PRAGMA foreign_keys = OFF")?;
        Ok(Self { conn })
    }
}

impl Drop for KeysOff<'_> {
    fn drop(&mut self) {
        // Outside a transaction this sets a flag of the connection and does not touch the file.
        if let Err(error) = self.conn.execute_batch("PRAGMA foreign_keys = ON") {
            log::error!("could not switch the case's foreign keys back on after an import: {error}");
        }
    }
}

/// The first row id of each table an import adds rows to with its keys off. Rows with these
/// ids or higher are the import's own: SQLite gives a new row the largest id plus one.
#[derive(Debug, Clone, Copy)]
pub(super) struct FirstNewRows {
    pub contact: i64,
    pub probe: i64,
    pub probe_block: i64,
    pub anomaly: i64,
}

impl FirstNewRows {
    /// Reads the next row id of each table, before the import adds any row.
    pub(super) fn read(tx: &Transaction<'_>) -> rusqlite::Result<Self> {
        tx.query_row(
            "SELECT (SELECT COALESCE(MAX(id), 0) + 1 FROM contact), (SELECT COALESCE(MAX(id), 0) + 1 FROM probe),
                    (SELECT COALESCE(MAX(id), 0) + 1 FROM probe_block), (SELECT COALESCE(MAX(id), 0) + 1 FROM anomaly)",
            [],
            |row| Ok(Self { contact: row.get(0)?, probe: row.get(1)?, probe_block: row.get(2)?, anomaly: row.get(3)? }),
        )
    }
}

/// Returns an error naming the first kind of reference that fails among the rows the import
/// added: a probe or packed block whose contact was not stored, or a contact or anomaly of
/// another evidence file. `evidence_id` is the import's evidence row.
///
/// An import gives its contacts the ids from `first.contact` up without gaps, so the check
/// first proves that the new contact ids are such a range (their count equals the span of
/// their ids). A probe of the import then names a stored contact exactly when its contact id
/// is in that range. Comparing with the range took less than half the instructions of
/// looking each probe's contact up (callgrind, 100,000-line benchmark log).
pub(super) fn check_new_rows(tx: &Transaction<'_>, first: FirstNewRows, evidence_id: i64) -> rusqlite::Result<()> {
    let (contacts, last_contact, other_evidence): (i64, i64, i64) = tx.query_row(
        "SELECT COUNT(*), COALESCE(MAX(id), ?1 - 1), COUNT(*) FILTER (WHERE evidence_id <> ?2)
         FROM contact WHERE id >= ?1",
        params![first.contact, evidence_id],
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
    )?;
    let gaps = last_contact - first.contact + 1 - contacts;
    let (probes, blocks, anomalies): (i64, i64, i64) = tx.query_row(
        "SELECT
            (SELECT COUNT(*) FROM probe WHERE id >= ?1 AND contact_id NOT BETWEEN ?4 AND ?5),
            (SELECT COUNT(*) FROM probe_block WHERE id >= ?2 AND contact_id NOT BETWEEN ?4 AND ?5),
            (SELECT COUNT(*) FROM anomaly WHERE id >= ?3 AND evidence_id <> ?6)",
        params![first.probe, first.probe_block, first.anomaly, first.contact, last_contact, evidence_id],
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
    )?;
    let failed = [
        (gaps, "contact ids missing from the import's range"),
        (other_evidence, "contact rows of another evidence file"),
        (probes, "probe rows whose contact was not stored"),
        (blocks, "blocks of packed probes whose contact was not stored"),
        (anomalies, "anomalies of another evidence file"),
    ];
    match failed.into_iter().find(|(count, _)| *count > 0) {
        None => Ok(()),
        Some((count, what)) => Err(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY),
            Some(format!("{what}: {count}")),
        )),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use rusqlite::{params, Transaction, TransactionBehavior};

    use super::{check_new_rows, FirstNewRows};
    use crate::case::{Case, OpenMode};
    use crate::import::{import_file, ImportOptions, ImportResult, NoProgress};

    fn foreign_keys_on(case: &Case) -> bool {
        case.conn.query_row("PRAGMA foreign_keys", [], |row| row.get(0)).expect("pragma read")
    }

    fn evidence_row(tx: &Transaction<'_>, sha256: &str) -> i64 {
        tx.execute(
            "INSERT INTO evidence (path, size_bytes, sha256, kind, format, imported_at_ns) VALUES ('e', 1, ?1, 'capture', '', 0)",
            params![sha256],
        )
        .expect("evidence row");
        tx.last_insert_rowid()
    }

    fn contact_row(tx: &Transaction<'_>, id: i64, evidence_id: i64) {
        tx.execute(
            "INSERT INTO contact (id, evidence_id, src, dst, protocol, first_ts_ns, last_ts_ns, probes, flags_seen,
                                  outcome, handshake_completed, payload_exchanged, techniques_json)
             VALUES (?1, ?2, '192.0.2.1', '192.0.2.2', 6, 0, 0, 1, 0, 'no_reply', 0, 0, '{}')",
            params![id, evidence_id],
        )
        .expect("contact row");
    }

    fn probe_row(tx: &Transaction<'_>, contact_id: i64) {
        tx.execute(
            "INSERT INTO probe (contact_id, ts_ns, record, byte_offset, technique) VALUES (?1, 0, 1, 0, 'tcp_syn')",
            params![contact_id],
        )
        .expect("probe row");
    }

    /// Each kind of wrong reference among the new rows fails the check with its own message,
    /// and rows of an earlier import are not checked again.
    #[test]
    fn wrong_references_found() {
        let folder = tempfile::tempdir().expect("temporary folder");
        let case = Case::create(&folder.path().join("case.scancase"), "keys", None).expect("case");
        case.conn.execute_batch("PRAGMA foreign_keys = OFF").expect("keys off");

        let earlier = {
            let tx = Transaction::new_unchecked(&case.conn, TransactionBehavior::Immediate).expect("transaction");
            let evidence_id = evidence_row(&tx, "a");
            contact_row(&tx, 1, evidence_id);
            contact_row(&tx, 2, evidence_id);
            tx.commit().expect("commit");
            evidence_id
        };

        type Damage = fn(&Transaction<'_>, i64, i64);
        let cases: [(&str, Damage); 6] = [
            ("", |_, _, _| {}),
            ("probe rows whose contact was not stored: 1", |tx, _, _| probe_row(tx, 4)),
            ("probe rows whose contact was not stored: 1", |tx, _, _| probe_row(tx, 1)),
            ("contact ids missing from the import's range: 1", |tx, evidence, _| contact_row(tx, 5, evidence)),
            ("contact rows of another evidence file: 1", |tx, _, earlier| contact_row(tx, 4, earlier)),
            ("blocks of packed probes whose contact was not stored: 1", |tx, _, _| {
                tx.execute(
                    "INSERT INTO probe_block (contact_id, probes, first_ts_ns, data) VALUES (9, 1, 0, x'00')",
                    [],
                )
                .expect("block row");
            }),
        ];

        for (expected, damage) in cases {
            let tx = Transaction::new_unchecked(&case.conn, TransactionBehavior::Immediate).expect("transaction");
            let evidence_id = evidence_row(&tx, "b");
            let first = FirstNewRows::read(&tx).expect("first rows");
            assert_eq!(first.contact, 3);
            contact_row(&tx, 3, evidence_id);
            probe_row(&tx, 3);
            damage(&tx, evidence_id, earlier);
            let checked = check_new_rows(&tx, first, evidence_id);
            match checked {
                Ok(()) => assert_eq!(expected, "", "the check passed"),
                Err(error) => {
                    assert!(!expected.is_empty(), "the check failed: {error}");
                    assert!(error.to_string().contains(expected), "{expected}: {error}");
                }
            }
            drop(tx);
        }

        let anomaly = Transaction::new_unchecked(&case.conn, TransactionBehavior::Immediate).expect("transaction");
        let evidence_id = evidence_row(&anomaly, "c");
        let first = FirstNewRows::read(&anomaly).expect("first rows");
        anomaly
            .execute(
                "INSERT INTO anomaly (evidence_id, record, byte_offset, message) VALUES (?1, 1, 0, 'x')",
                [earlier],
            )
            .expect("anomaly row");
        let error = check_new_rows(&anomaly, first, evidence_id).expect_err("anomaly of another file");
        assert!(error.to_string().contains("anomalies of another evidence file: 1"), "{error}");
    }

    /// An import into a case opened read-only is rejected before anything is written, with
    /// the foreign keys left on.
    #[test]
    fn read_only_case_rejected() {
        let folder = tempfile::tempdir().expect("temporary folder");
        let path = folder.path().join("case.scancase");
        drop(Case::create(&path, "read only", None).expect("case"));
        let mut case = Case::open_with(&path, OpenMode::ReadOnly).expect("case opened read-only");
        let log = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/fwlog/scan_nmap_sS_8ports_vic1.log");
        let options = ImportOptions { year: Some(2026), ..ImportOptions::default() };

        let error = import_file(&mut case, &log, &options, &mut NoProgress).expect_err("import rejected");

        assert!(format!("{error:?}").contains("ReadOnly"), "{error:?}");
        assert!(foreign_keys_on(&case));
        let writable = Case::open(&path).expect("case");
        let evidence: i64 =
            writable.conn.query_row("SELECT COUNT(*) FROM evidence", [], |row| row.get(0)).expect("count");
        assert_eq!(evidence, 0);
    }

    /// The connection's foreign keys are on again after an import that committed, after one
    /// that failed, and after a file already imported.
    #[test]
    fn keys_on_after_every_import() {
        let folder = tempfile::tempdir().expect("temporary folder");
        let mut case = Case::create(&folder.path().join("case.scancase"), "keys", None).expect("case");
        let log = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/fwlog/scan_nmap_sS_8ports_vic1.log");
        let options = ImportOptions { year: Some(2026), ..ImportOptions::default() };
        assert!(foreign_keys_on(&case));

        let imported = import_file(&mut case, &log, &options, &mut NoProgress).expect("import");
        assert!(matches!(imported, ImportResult::Imported(_)));
        assert!(foreign_keys_on(&case));

        let again = import_file(&mut case, &log, &options, &mut NoProgress).expect("second import");
        assert!(matches!(again, ImportResult::AlreadyImported { .. }));
        assert!(foreign_keys_on(&case));

        case.conn
            .execute_batch(
                "CREATE TEMP TRIGGER fail_contact BEFORE INSERT ON main.contact
                 BEGIN SELECT RAISE(FAIL, 'contact rejected'); END;",
            )
            .expect("trigger created");
        let capture = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/capture/scan_nmap_sS_vic1.pcap");
        let failed = import_file(&mut case, &capture, &ImportOptions::default(), &mut NoProgress);
        assert!(format!("{:?}", failed.err()).contains("contact rejected"));
        assert!(foreign_keys_on(&case));
        let evidence: i64 = case.conn.query_row("SELECT COUNT(*) FROM evidence", [], |row| row.get(0)).expect("count");
        assert_eq!(evidence, 1);
    }
}
