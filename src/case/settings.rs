//! Case settings that the analysis reads: the allowlist and the internal networks.
//!
//! An allowlist entry names a source network and the reason its scans are expected (a
//! vulnerability scanner, a monitoring system). Findings from such sources stay in the case
//! and the reports, marked as suppressed, so the decision stays visible. The internal networks
//! tell the analysis which sources are inside the organisation: an internal scanner suggests
//! a compromised host. Every change is recorded in the audit log.

use ipnet::IpNet;
use rusqlite::params;
use serde::{Deserialize, Serialize};

use super::{audit, now_ns, sqlite_error, Case, CaseError};

/// One allowlisted source network with the reason it is allowed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllowlistEntry {
    /// Source network, for example `192.0.2.10/32`.
    pub network: IpNet,
    /// Why scans from this network are expected.
    pub reason: String,
    /// Examiner who added the entry, when known.
    pub added_by: Option<String>,
    /// When the entry was added, UTC nanoseconds.
    pub added_at_ns: i64,
}

impl Case {
    /// Reads the allowlist, in the order the entries were added.
    pub fn allowlist(&self) -> Result<Vec<AllowlistEntry>, CaseError> {
        let fail = |source| self.sqlite("could not read the allowlist", source);
        let mut statement =
            self.conn.prepare("SELECT network, reason, added_by, added_at_ns FROM allowlist ORDER BY id").map_err(fail)?;
        let rows = statement
            .query_map([], |row| {
                let network: String = row.get(0)?;
                Ok((network, row.get(1)?, row.get(2)?, row.get(3)?))
            })
            .map_err(fail)?;
        let mut entries = Vec::new();
        for row in rows {
            let (network, reason, added_by, added_at_ns) = row.map_err(fail)?;
            let network = parse_stored_network(&network).map_err(|source| self.sqlite("invalid allowlist network", source))?;
            entries.push(AllowlistEntry { network, reason, added_by, added_at_ns });
        }
        Ok(entries)
    }

    /// Adds a network to the allowlist, or replaces the reason of one already on it.
    pub fn allow(&mut self, network: IpNet, reason: &str, actor: Option<&str>) -> Result<(), CaseError> {
        let path = self.path.clone();
        let network = network.trunc();
        let tx = self.transaction("could not start changing the allowlist")?;
        tx.execute(
            "INSERT INTO allowlist (network, reason, added_by, added_at_ns) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (network) DO UPDATE SET reason = excluded.reason, added_by = excluded.added_by,
                 added_at_ns = excluded.added_at_ns",
            params![network.to_string(), reason, actor, now_ns()],
        )
        .map_err(|source| sqlite_error(&path, "could not store the allowlist entry", source))?;
        let details = serde_json::json!({ "network": network.to_string(), "reason": reason });
        audit::append(&tx, &path, actor, "allowlist_added", details)?;
        tx.commit().map_err(|source| sqlite_error(&path, "could not save the allowlist", source))
    }

    /// Removes a network from the allowlist.
    pub fn disallow(&mut self, network: IpNet, actor: Option<&str>) -> Result<(), CaseError> {
        let path = self.path.clone();
        let network = network.trunc();
        let tx = self.transaction("could not start changing the allowlist")?;
        let removed = tx
            .execute("DELETE FROM allowlist WHERE network = ?1", [network.to_string()])
            .map_err(|source| sqlite_error(&path, "could not remove the allowlist entry", source))?;
        if removed == 0 {
            return Err(CaseError::AllowlistEntryNotFound { path, network: network.to_string() });
        }
        audit::append(&tx, &path, actor, "allowlist_removed", serde_json::json!({ "network": network.to_string() }))?;
        tx.commit().map_err(|source| sqlite_error(&path, "could not save the allowlist", source))
    }

    /// Reads the internal networks; empty when none were set.
    pub fn internal_networks(&self) -> Result<Vec<IpNet>, CaseError> {
        let fail = |source| self.sqlite("could not read the internal networks", source);
        let mut statement = self.conn.prepare("SELECT network FROM internal_network ORDER BY id").map_err(fail)?;
        let rows = statement.query_map([], |row| row.get::<_, String>(0)).map_err(fail)?;
        let mut networks = Vec::new();
        for row in rows {
            let text = row.map_err(fail)?;
            networks.push(parse_stored_network(&text).map_err(|source| self.sqlite("invalid internal network", source))?);
        }
        Ok(networks)
    }

    /// Replaces the internal networks; an empty list restores the default (private and
    /// local address ranges).
    pub fn set_internal_networks(&mut self, networks: &[IpNet], actor: Option<&str>) -> Result<(), CaseError> {
        let path = self.path.clone();
        let tx = self.transaction("could not start changing the internal networks")?;
        tx.execute("DELETE FROM internal_network", [])
            .map_err(|source| sqlite_error(&path, "could not clear the internal networks", source))?;
        let mut stored: Vec<String> = Vec::new();
        for network in networks {
            let text = network.trunc().to_string();
            tx.execute("INSERT OR IGNORE INTO internal_network (network) VALUES (?1)", [&text])
                .map_err(|source| sqlite_error(&path, "could not store an internal network", source))?;
            stored.push(text);
        }
        audit::append(&tx, &path, actor, "internal_networks_set", serde_json::json!({ "networks": stored }))?;
        tx.commit().map_err(|source| sqlite_error(&path, "could not save the internal networks", source))
    }
}

/// Parses a network stored by this module; a failure means the case file was changed by
/// something else.
fn parse_stored_network(text: &str) -> Result<IpNet, rusqlite::Error> {
    text.parse::<IpNet>().map_err(|error| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(error))
    })
}
