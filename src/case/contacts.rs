//! Reading contacts and probes back for the analysis and for citations.

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;

use rusqlite::Row;

use super::{json_error, probe_blocks, Case, CaseError};
use crate::model::{
    Contact, EvidenceKind, FirewallAction, IpProtocol, Locator, Outcome, Probe, ProbeShape, ReplyRef, TcpFlags,
    TcpOptionKinds, Technique, TimestampNs,
};

/// A contact as stored, with its row id and evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredContact {
    /// Row id of the contact.
    pub id: i64,
    /// Row id of the evidence it was aggregated from.
    pub evidence_id: i64,
    /// The contact.
    pub contact: Contact,
}

/// A probe as stored, with what a citation needs.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredProbe {
    /// Row id of the probe.
    pub id: i64,
    /// Row id of the evidence.
    pub evidence_id: i64,
    /// Kind of the evidence, which decides how the locator reads (frame or line).
    pub evidence_kind: EvidenceKind,
    /// Source address of the probe's contact.
    pub src: IpAddr,
    /// Target address of the probe's contact.
    pub dst: IpAddr,
    /// Protocol of the probe's contact.
    pub protocol: IpProtocol,
    /// Destination port of the probe's contact.
    pub dst_port: Option<u16>,
    /// The probe.
    pub probe: Probe,
}

const CONTACT_COLUMNS: &str = "id, evidence_id, src, dst, protocol, dst_port, first_ts_ns, last_ts_ns, probes,
    flags_seen, outcome, handshake_completed, payload_exchanged, techniques_json, reply_ts_ns, reply_record,
    reply_byte_offset, source_reset";

impl Case {
    /// Reads every contact of every evidence file, in row order.
    pub fn contacts(&self) -> Result<Vec<StoredContact>, CaseError> {
        let mut statement = self
            .conn
            .prepare(&format!("SELECT {CONTACT_COLUMNS} FROM contact ORDER BY id"))
            .map_err(|source| self.sqlite("could not read contacts", source))?;
        let rows = statement
            .query_map([], |row| Ok((contact_from_row(row)?, row.get::<_, String>(13)?)))
            .map_err(|source| self.sqlite("could not read contacts", source))?;
        let mut contacts = Vec::new();
        for row in rows {
            let (mut stored, techniques_json) =
                row.map_err(|source| self.sqlite("could not read a contact", source))?;
            stored.contact.techniques = serde_json::from_str::<BTreeMap<Technique, u64>>(&techniques_json)
                .map_err(|source| json_error(&self.path, "could not read probe techniques", source))?;
            contacts.push(stored);
        }
        Ok(contacts)
    }

    /// Reads the probe times of every contact, from its rows and its packed blocks, each list
    /// in time order.
    pub fn probe_times(&self) -> Result<HashMap<i64, Vec<TimestampNs>>, CaseError> {
        let mut statement = self
            .conn
            .prepare("SELECT contact_id, ts_ns FROM probe ORDER BY contact_id, ts_ns")
            .map_err(|source| self.sqlite("could not read probe times", source))?;
        let mut rows = statement.query([]).map_err(|source| self.sqlite("could not read probe times", source))?;
        let mut times: HashMap<i64, Vec<TimestampNs>> = HashMap::new();
        while let Some(row) = rows.next().map_err(|source| self.sqlite("could not read probe times", source))? {
            let contact_id: i64 = row.get(0).map_err(|source| self.sqlite("could not read probe times", source))?;
            let ts_ns: i64 = row.get(1).map_err(|source| self.sqlite("could not read probe times", source))?;
            times.entry(contact_id).or_default().push(ts_ns);
        }
        let packed = self.packed_probes()?;
        for (contact_id, probes) in &packed {
            let contact_times = times.entry(*contact_id).or_default();
            contact_times.extend(probes.iter().map(|(ts_ns, _)| *ts_ns));
            contact_times.sort_unstable();
        }
        Ok(times)
    }

    /// Reads every contact's packed probes (time and locator), by contact row id, each list in
    /// the order the probes were found.
    pub fn packed_probes(&self) -> Result<HashMap<i64, Vec<(TimestampNs, Locator)>>, CaseError> {
        let fail = |source| self.sqlite("could not read packed probes", source);
        let mut statement =
            self.conn.prepare("SELECT contact_id, data FROM probe_block ORDER BY contact_id, id").map_err(fail)?;
        let mut rows = statement.query([]).map_err(fail)?;
        let mut packed: HashMap<i64, Vec<(TimestampNs, Locator)>> = HashMap::new();
        while let Some(row) = rows.next().map_err(fail)? {
            let contact_id: i64 = row.get(0).map_err(fail)?;
            let data: Vec<u8> = row.get(1).map_err(fail)?;
            let probes = probe_blocks::unpack(&data).map_err(|error| self.invalid_block(contact_id, error))?;
            packed.entry(contact_id).or_default().extend(probes);
        }
        Ok(packed)
    }

    /// Reads one contact's packed probes (time and locator), in the order they were found.
    pub(super) fn packed_probes_of(&self, contact_id: i64) -> Result<Vec<(TimestampNs, Locator)>, CaseError> {
        let fail = |source| self.sqlite("could not read packed probes", source);
        let mut statement =
            self.conn.prepare_cached("SELECT data FROM probe_block WHERE contact_id = ?1 ORDER BY id").map_err(fail)?;
        let mut rows = statement.query([contact_id]).map_err(fail)?;
        let mut probes = Vec::new();
        while let Some(row) = rows.next().map_err(fail)? {
            let data: Vec<u8> = row.get(0).map_err(fail)?;
            probes.extend(probe_blocks::unpack(&data).map_err(|error| self.invalid_block(contact_id, error))?);
        }
        Ok(probes)
    }

    fn invalid_block(&self, contact_id: i64, error: probe_blocks::InvalidBlock) -> CaseError {
        let source = rusqlite::Error::FromSqlConversionFailure(1, rusqlite::types::Type::Blob, Box::new(error));
        self.sqlite(&format!("could not read the packed probes of contact {contact_id}"), source)
    }

    /// Reads the header fields of each contact's first stored probe, by contact row id.
    pub fn first_probe_shapes(&self) -> Result<HashMap<i64, ProbeShape>, CaseError> {
        let fail = |source| self.sqlite("could not read probe fields", source);
        let mut statement = self
            .conn
            .prepare(
                "SELECT contact_id, ttl, ip_id, src_port, tcp_window, tcp_options FROM probe
                 WHERE id IN (SELECT min(id) FROM probe GROUP BY contact_id)",
            )
            .map_err(fail)?;
        let mut rows = statement.query([]).map_err(fail)?;
        let mut shapes: HashMap<i64, ProbeShape> = HashMap::new();
        while let Some(row) = rows.next().map_err(fail)? {
            let contact_id: i64 = row.get(0).map_err(fail)?;
            let options: Option<Vec<u8>> = row.get(5).map_err(fail)?;
            let shape = ProbeShape {
                ttl: row.get(1).map_err(fail)?,
                ip_id: row.get(2).map_err(fail)?,
                src_port: row.get(3).map_err(fail)?,
                tcp_window: row.get(4).map_err(fail)?,
                tcp_options: options.map(TcpOptionKinds::from_kinds),
            };
            shapes.insert(contact_id, shape);
        }
        Ok(shapes)
    }

    /// Reads probes by row id, in the order of the query that produced the ids.
    pub(super) fn probes_where(
        &self,
        condition: &str,
        parameters: impl rusqlite::Params,
    ) -> Result<Vec<StoredProbe>, CaseError> {
        let sql = format!(
            "SELECT probe.id, contact.evidence_id, evidence.kind, contact.src, contact.dst, contact.protocol,
                    contact.dst_port, probe.ts_ns, probe.record, probe.byte_offset, probe.technique, probe.src_port,
                    probe.tcp_flags, probe.ttl, probe.ip_id, probe.tcp_window, probe.tcp_options, probe.payload_len,
                    probe.action, probe.rule, probe.source_text
             FROM probe JOIN contact ON contact.id = probe.contact_id JOIN evidence ON evidence.id = contact.evidence_id
             WHERE {condition}"
        );
        let mut statement = self.conn.prepare(&sql).map_err(|source| self.sqlite("could not read probes", source))?;
        let rows = statement
            .query_map(parameters, probe_from_row)
            .map_err(|source| self.sqlite("could not read probes", source))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|source| self.sqlite("could not read a probe", source))
    }
}

fn parse_address(text: String, column: usize) -> rusqlite::Result<IpAddr> {
    text.parse().map_err(|error| {
        rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, Box::new(error))
    })
}

fn invalid_text(column: usize, value: &str) -> rusqlite::Error {
    let message = format!("unknown value '{value}'");
    rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, message.into())
}

fn outcome_from_name(name: &str, column: usize) -> rusqlite::Result<Outcome> {
    [Outcome::Open, Outcome::Closed, Outcome::Filtered, Outcome::Blocked, Outcome::Unanswered]
        .into_iter()
        .find(|outcome| outcome.as_str() == name)
        .ok_or_else(|| invalid_text(column, name))
}

fn technique_from_name(name: &str, column: usize) -> rusqlite::Result<Technique> {
    Technique::ALL.into_iter().find(|technique| technique.as_str() == name).ok_or_else(|| invalid_text(column, name))
}

fn contact_from_row(row: &Row<'_>) -> rusqlite::Result<StoredContact> {
    let outcome: String = row.get(10)?;
    let reply_ts_ns: Option<i64> = row.get(14)?;
    let reply = match (reply_ts_ns, row.get::<_, Option<i64>>(15)?, row.get::<_, Option<i64>>(16)?) {
        (Some(ts_ns), Some(record), Some(byte_offset)) => {
            Some(ReplyRef { ts_ns, locator: Locator { record: record as u64, byte_offset: byte_offset as u64 } })
        }
        _ => None,
    };
    Ok(StoredContact {
        id: row.get(0)?,
        evidence_id: row.get(1)?,
        contact: Contact {
            src: parse_address(row.get(2)?, 2)?,
            dst: parse_address(row.get(3)?, 3)?,
            protocol: protocol_from_number(row.get(4)?, 4)?,
            dst_port: row.get(5)?,
            first_ts_ns: row.get(6)?,
            last_ts_ns: row.get(7)?,
            probes: row.get::<_, i64>(8)? as u64,
            flags_seen: row.get(9)?,
            outcome: outcome_from_name(&outcome, 10)?,
            handshake_completed: row.get(11)?,
            source_reset: row.get(17)?,
            payload_exchanged: row.get(12)?,
            techniques: BTreeMap::new(),
            reply,
        },
    })
}

fn probe_from_row(row: &Row<'_>) -> rusqlite::Result<StoredProbe> {
    let kind = match row.get::<_, String>(2)?.as_str() {
        "capture" => EvidenceKind::Capture,
        _ => EvidenceKind::FirewallLog,
    };
    let technique: String = row.get(10)?;
    let action: Option<String> = row.get(18)?;
    let options: Option<Vec<u8>> = row.get(16)?;
    Ok(StoredProbe {
        id: row.get(0)?,
        evidence_id: row.get(1)?,
        evidence_kind: kind,
        src: parse_address(row.get(3)?, 3)?,
        dst: parse_address(row.get(4)?, 4)?,
        protocol: protocol_from_number(row.get(5)?, 5)?,
        dst_port: row.get(6)?,
        probe: Probe {
            ts_ns: row.get(7)?,
            locator: Locator { record: row.get::<_, i64>(8)? as u64, byte_offset: row.get::<_, i64>(9)? as u64 },
            technique: technique_from_name(&technique, 10)?,
            src_port: row.get(11)?,
            tcp_flags: row.get::<_, Option<u8>>(12)?.map(TcpFlags),
            ttl: row.get(13)?,
            ip_id: row.get(14)?,
            tcp_window: row.get(15)?,
            tcp_options: options.map(TcpOptionKinds::from_kinds),
            payload_len: row.get(17)?,
            action: action.map(|word| FirewallAction::from_name(&word)),
            rule: row.get(19)?,
            source_text: row.get(20)?,
        },
    })
}

/// Reads a stored protocol number; a number that is neither an IP protocol nor ARP means the
/// case file was changed by something else.
fn protocol_from_number(number: u16, column: usize) -> rusqlite::Result<IpProtocol> {
    IpProtocol::from_number(number).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            column,
            rusqlite::types::Type::Integer,
            format!("invalid protocol number {number}").into(),
        )
    })
}
