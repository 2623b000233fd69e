//! The probe and contact rows an import writes, inserted several rows per statement.
//!
//! An import of a million log lines inserts hundreds of thousands of rows. Rows go in groups
//! through statements with several `VALUES` groups, which took 9 % fewer instructions on the
//! storing thread than one statement run per row (callgrind, 100,000-line benchmark log). Rows
//! keep their order, so row ids come out as with one insert per row.

use std::net::IpAddr;
use std::sync::LazyLock;

use rusqlite::{Statement, Transaction};

use super::address_text::{address_text, MAX_ADDRESS_TEXT};
use crate::model::{Contact, Probe};

/// Rows inserted by one run of an insert statement, largest first. Rows go in groups of the
/// first size while that many are left, then of the next. The largest group binds 608 values
/// at 19 columns, below SQLite's default limit of 32,766 parameters per statement.
const GROUP_SIZES: [usize; 3] = [32, 8, 1];

// `OR FAIL` keeps rows that a statement inserted before a failed constraint instead of
// undoing the statement alone. SQLite then needs no statement journal, which cost a tenth of
// the storing thread's instructions (callgrind, 100,000-line benchmark log). An import stops at
// the first error and rolls back its whole transaction, so no row of a failed import remains.
const PROBE_INSERT: &str = "INSERT OR FAIL INTO probe (contact_id, ts_ns, record, byte_offset, technique, src_port,
    tcp_flags, ttl, ip_id, tcp_window, tcp_options, payload_len, action, rule, source_text) VALUES ";
const PROBE_COLUMNS: usize = 15;

const CONTACT_INSERT: &str = "INSERT OR FAIL INTO contact (id, evidence_id, src, dst, protocol, dst_port, first_ts_ns,
    last_ts_ns, probes, flags_seen, outcome, handshake_completed, payload_exchanged, techniques_json, reply_ts_ns,
    reply_record, reply_byte_offset, source_reset, packed_probes) VALUES ";
const CONTACT_COLUMNS: usize = 19;

/// A probe row: the row id of its contact and the probe.
pub(super) struct ProbeRow<'a> {
    pub contact_id: i64,
    pub probe: &'a Probe,
}

/// A contact row with the values the aggregator does not hold.
pub(super) struct ContactRow {
    pub id: i64,
    pub evidence_id: i64,
    pub contact: Contact,
    /// The probe techniques, encoded as JSON.
    pub techniques_json: String,
    /// Probes packed into blocks rather than stored as rows.
    pub packed_probes: u64,
}

/// The SQL text of a table's insert statements, one for each of the [`GROUP_SIZES`].
type GroupedInserts = [String; GROUP_SIZES.len()];

/// SQL text of the probe inserts, built once. Building it for every batch took 5 % of the
/// storing thread's instructions (callgrind, 100,000-line benchmark log).
static PROBE_INSERTS: LazyLock<GroupedInserts> =
    LazyLock::new(|| GROUP_SIZES.map(|size| insert_sql(PROBE_INSERT, PROBE_COLUMNS, size)));

/// SQL text of the contact inserts, built once.
static CONTACT_INSERTS: LazyLock<GroupedInserts> =
    LazyLock::new(|| GROUP_SIZES.map(|size| insert_sql(CONTACT_INSERT, CONTACT_COLUMNS, size)));

/// Inserts probe rows in order.
pub(super) fn insert_probes(tx: &Transaction<'_>, rows: &[ProbeRow<'_>]) -> rusqlite::Result<()> {
    insert_rows(tx, &PROBE_INSERTS, PROBE_COLUMNS, rows, bind_probe)
}

/// Inserts contact rows in order.
pub(super) fn insert_contacts(tx: &Transaction<'_>, rows: &[ContactRow]) -> rusqlite::Result<()> {
    insert_rows(tx, &CONTACT_INSERTS, CONTACT_COLUMNS, rows, bind_contact)
}

/// Inserts `rows` in order, in groups of the [`GROUP_SIZES`], each group through the statement
/// of its size in `inserts`. `bind` binds one row's values from the given zero-based parameter
/// offset.
fn insert_rows<T>(
    tx: &Transaction<'_>,
    inserts: &GroupedInserts,
    columns: usize,
    rows: &[T],
    bind: impl Fn(&mut Statement<'_>, usize, &T) -> rusqlite::Result<()>,
) -> rusqlite::Result<()> {
    let mut rest = rows;
    for (size, sql) in GROUP_SIZES.into_iter().zip(inserts) {
        if rest.len() < size {
            continue;
        }
        let mut statement = tx.prepare_cached(sql)?;
        let mut groups = rest.chunks_exact(size);
        for group in &mut groups {
            for (position, row) in group.iter().enumerate() {
                bind(&mut statement, position * columns, row)?;
            }
            statement.raw_execute()?;
        }
        rest = groups.remainder();
    }
    Ok(())
}

/// Returns `head` followed by `rows` groups of `columns` numbered placeholders.
fn insert_sql(head: &str, columns: usize, rows: usize) -> String {
    let mut sql = String::from(head);
    for row in 0..rows {
        sql.push_str(if row == 0 { "(" } else { ", (" });
        for column in 0..columns {
            if column > 0 {
                sql.push_str(", ");
            }
            sql.push('?');
            sql.push_str(&(row * columns + column + 1).to_string());
        }
        sql.push(')');
    }
    sql
}

fn bind_probe(statement: &mut Statement<'_>, offset: usize, row: &ProbeRow<'_>) -> rusqlite::Result<()> {
    let probe = row.probe;
    statement.raw_bind_parameter(offset + 1, row.contact_id)?;
    statement.raw_bind_parameter(offset + 2, probe.ts_ns)?;
    statement.raw_bind_parameter(offset + 3, probe.locator.record as i64)?;
    statement.raw_bind_parameter(offset + 4, probe.locator.byte_offset as i64)?;
    statement.raw_bind_parameter(offset + 5, probe.technique.as_str())?;
    statement.raw_bind_parameter(offset + 6, probe.src_port)?;
    statement.raw_bind_parameter(offset + 7, probe.tcp_flags.map(|flags| flags.0))?;
    statement.raw_bind_parameter(offset + 8, probe.ttl)?;
    statement.raw_bind_parameter(offset + 9, probe.ip_id)?;
    statement.raw_bind_parameter(offset + 10, probe.tcp_window)?;
    statement.raw_bind_parameter(offset + 11, probe.tcp_options.as_ref().map(|options| options.as_slice()))?;
    statement.raw_bind_parameter(offset + 12, probe.payload_len)?;
    statement.raw_bind_parameter(offset + 13, probe.action.as_ref().map(|action| action.as_str()))?;
    statement.raw_bind_parameter(offset + 14, probe.rule.as_deref())?;
    statement.raw_bind_parameter(offset + 15, probe.source_text.as_deref())
}

fn bind_contact(statement: &mut Statement<'_>, offset: usize, row: &ContactRow) -> rusqlite::Result<()> {
    let contact = &row.contact;
    statement.raw_bind_parameter(offset + 1, row.id)?;
    statement.raw_bind_parameter(offset + 2, row.evidence_id)?;
    bind_address(statement, offset + 3, contact.src)?;
    bind_address(statement, offset + 4, contact.dst)?;
    statement.raw_bind_parameter(offset + 5, contact.protocol.number())?;
    statement.raw_bind_parameter(offset + 6, contact.dst_port)?;
    statement.raw_bind_parameter(offset + 7, contact.first_ts_ns)?;
    statement.raw_bind_parameter(offset + 8, contact.last_ts_ns)?;
    statement.raw_bind_parameter(offset + 9, contact.probes as i64)?;
    statement.raw_bind_parameter(offset + 10, contact.flags_seen)?;
    statement.raw_bind_parameter(offset + 11, contact.outcome.as_str())?;
    statement.raw_bind_parameter(offset + 12, contact.handshake_completed)?;
    statement.raw_bind_parameter(offset + 13, contact.payload_exchanged)?;
    statement.raw_bind_parameter(offset + 14, row.techniques_json.as_str())?;
    statement.raw_bind_parameter(offset + 15, contact.reply.map(|reply| reply.ts_ns))?;
    statement.raw_bind_parameter(offset + 16, contact.reply.map(|reply| reply.locator.record as i64))?;
    statement.raw_bind_parameter(offset + 17, contact.reply.map(|reply| reply.locator.byte_offset as i64))?;
    statement.raw_bind_parameter(offset + 18, contact.source_reset)?;
    statement.raw_bind_parameter(offset + 19, row.packed_probes as i64)
}

/// Binds an address as text, written without the formatting machinery
/// ([`address_text`]).
fn bind_address(statement: &mut Statement<'_>, index: usize, address: IpAddr) -> rusqlite::Result<()> {
    let mut buffer = [0u8; MAX_ADDRESS_TEXT];
    statement.raw_bind_parameter(index, address_text(address, &mut buffer))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::insert_sql;
    use crate::case::Case;
    use crate::import::{import_file, ImportOptions, NoProgress};

    /// A constraint that fails inside a group of probe rows: the rows the statement inserted
    /// before it stay until the import rolls back, and then none is left.
    #[test]
    fn failed_group_leaves_nothing() {
        let folder = tempfile::tempdir().expect("temporary folder");
        let mut case = Case::create(&folder.path().join("case.scancase"), "failed insert", None).expect("case");
        case.conn
            .execute_batch(
                "CREATE TEMP TRIGGER fail_probe_45 BEFORE INSERT ON main.probe
                 WHEN (SELECT COUNT(*) FROM main.probe) >= 45
                 BEGIN SELECT RAISE(FAIL, 'probe 46 rejected'); END;",
            )
            .expect("trigger created");
        let capture = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/capture/scan_nmap_sS_vic1.pcap");

        let imported = import_file(&mut case, &capture, &ImportOptions::default(), &mut NoProgress);

        let error = imported.expect_err("the import fails");
        assert!(format!("{error:?}").contains("probe 46 rejected"), "{error:?}");
        for table in ["evidence", "contact", "probe", "probe_block"] {
            let rows: i64 =
                case.conn.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |row| row.get(0)).expect("count");
            assert_eq!(rows, 0, "{table}");
        }
    }

    #[test]
    fn placeholders_numbered_across_groups() {
        assert_eq!(insert_sql("INSERT INTO t (a, b) VALUES ", 2, 1), "INSERT INTO t (a, b) VALUES (?1, ?2)");
        assert_eq!(insert_sql("V ", 2, 3), "V (?1, ?2), (?3, ?4), (?5, ?6)");
    }
}
