//! Case settings: the examiner, organisation, classification label, default time zone and
//! analysis parameters of the case, the allowlist and the internal networks.
//!
//! The organisation and the classification label appear on the report. The default time
//! zone reads log timestamps that carry no zone when an import names none. The analysis
//! parameters are stored by name as whole numbers. This module checks that each is above
//! zero, but it does not know which names the analysis reads: `workflow::change_settings`
//! checks the names against `analysis::Parameters` before they reach this module.
//!
//! An allowlist entry names a source network and the reason its scans are expected (a
//! vulnerability scanner, a monitoring system). Findings from such sources stay in the case
//! and the reports, marked as suppressed, so the decision stays visible. The internal networks
//! tell the analysis which sources are inside the organisation: an internal scanner suggests
//! a compromised host. Every change is recorded in the audit log.

use std::collections::BTreeMap;
use std::path::Path;

use ipnet::IpNet;
use rusqlite::params;
use serde::{Deserialize, Serialize};

use super::{audit, now_ns, sqlite_error, Case, CaseError};

/// Maximum length of the examiner, organisation or classification text, in characters. Each
/// is one line on the report's cover. 200 characters fill about three lines of the PDF cover
/// (an estimate), far more than a real name or label needs (`TLP:AMBER+STRICT` has 16).
pub const MAX_SETTING_TEXT_CHARS: usize = 200;

/// The settings of a case besides the allowlist and the internal networks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseSettings {
    /// Examiner responsible for the case.
    pub examiner: Option<String>,
    /// Organisation the investigation is for.
    pub organisation: Option<String>,
    /// Classification label of the case, for example `TLP:AMBER`, shown on the report.
    pub classification: Option<String>,
    /// Time zone of log timestamps that carry none, used when an import names no zone.
    pub default_zone: Option<chrono_tz::Tz>,
    /// Analysis parameters set for this case, by name; the others keep their defaults.
    pub analysis_parameters: BTreeMap<String, u64>,
}

/// A change of the case settings: each field left `None` stays as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SettingsChange {
    /// New examiner; `Some(None)` or an empty text removes it.
    pub examiner: Option<Option<String>>,
    /// New organisation; `Some(None)` or an empty text removes it.
    pub organisation: Option<Option<String>>,
    /// New classification label; `Some(None)` or an empty text removes it.
    pub classification: Option<Option<String>>,
    /// New default time zone; `Some(None)` removes it, so imports without a zone read UTC.
    pub default_zone: Option<Option<chrono_tz::Tz>>,
    /// Analysis parameters to set, by name; each value must be above zero.
    pub set_parameters: BTreeMap<String, u64>,
    /// Analysis parameters to return to their defaults, by name.
    pub reset_parameters: Vec<String>,
}

impl SettingsChange {
    /// Returns true when the change changes nothing.
    pub fn is_empty(&self) -> bool {
        self == &SettingsChange::default()
    }

    /// Checks the texts and the parameter values (not the parameter names) of the change
    /// for the case at `case_path`; see [`Case::change_settings`].
    pub fn check(&self, case_path: &Path) -> Result<(), CaseError> {
        let invalid = |setting: &str, problem: String| CaseError::InvalidSetting {
            path: case_path.to_path_buf(),
            setting: setting.to_string(),
            problem,
        };
        for (label, value) in [
            ("examiner", &self.examiner),
            ("organisation", &self.organisation),
            ("classification label", &self.classification),
        ] {
            if let Some(value) = value {
                clean_text(value.as_deref()).map_err(|problem| invalid(label, problem))?;
            }
        }
        for (name, value) in &self.set_parameters {
            if *value == 0 || *value > i64::MAX as u64 {
                return Err(invalid(
                    &format!("analysis parameter {name}"),
                    format!("{value} is out of range; give a whole number from 1 to {}", i64::MAX),
                ));
            }
        }
        Ok(())
    }
}

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
    /// Reads the case settings.
    pub fn settings(&self) -> Result<CaseSettings, CaseError> {
        let fail = |source| self.sqlite("could not read the case settings", source);
        let (examiner, organisation, classification, zone): (
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
        ) = self
            .conn
            .query_row(
                "SELECT examiner, organisation, classification, default_zone FROM case_info WHERE id = 1",
                [],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
            )
            .map_err(fail)?;
        let default_zone = match zone {
            None => None,
            Some(name) => Some(name.parse::<chrono_tz::Tz>().map_err(|_| CaseError::InvalidSetting {
                path: self.path.clone(),
                setting: "default time zone".to_string(),
                problem: format!("the case stores the unknown time zone '{name}'; set a valid one with `scancase settings --default-tz`"),
            })?),
        };
        let mut statement =
            self.conn.prepare("SELECT name, value FROM analysis_parameter ORDER BY name").map_err(fail)?;
        let rows =
            statement.query_map([], |row| Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?))).map_err(fail)?;
        let mut analysis_parameters = BTreeMap::new();
        for row in rows {
            let (name, value) = row.map_err(fail)?;
            // The schema keeps every value above zero.
            analysis_parameters.insert(name, value.max(1) as u64);
        }
        Ok(CaseSettings { examiner, organisation, classification, default_zone, analysis_parameters })
    }

    /// Applies a change of the case settings in one transaction and records the fields it
    /// changed in the audit log. Texts are trimmed, and an empty text removes the value.
    ///
    /// Fails with [`CaseError::InvalidSetting`] on a text longer than
    /// [`MAX_SETTING_TEXT_CHARS`] or with control characters, and on a parameter value of
    /// zero or above `i64::MAX`. Nothing is changed then.
    pub fn change_settings(&mut self, change: &SettingsChange, actor: Option<&str>) -> Result<CaseSettings, CaseError> {
        let path = self.path.clone();
        change.check(&path)?;
        let mut texts: Vec<(&'static str, Option<String>)> = Vec::new();
        for (column, value) in [
            ("examiner", &change.examiner),
            ("organisation", &change.organisation),
            ("classification", &change.classification),
        ] {
            if let Some(value) = value {
                texts.push((column, clean_text(value.as_deref()).unwrap_or_default()));
            }
        }

        let mut details = serde_json::Map::new();
        let tx = self.transaction("could not start changing the case settings")?;
        for (column, value) in &texts {
            // The column names come from the fixed list above, never from the caller.
            tx.execute(&format!("UPDATE case_info SET {column} = ?1 WHERE id = 1"), [value])
                .map_err(|source| sqlite_error(&path, "could not store a case setting", source))?;
            details.insert((*column).to_string(), serde_json::json!(value));
        }
        if let Some(zone) = &change.default_zone {
            let name = zone.map(|zone| zone.name().to_string());
            tx.execute("UPDATE case_info SET default_zone = ?1 WHERE id = 1", [&name])
                .map_err(|source| sqlite_error(&path, "could not store the default time zone", source))?;
            details.insert("default_zone".to_string(), serde_json::json!(name));
        }
        for (name, value) in &change.set_parameters {
            tx.execute(
                "INSERT INTO analysis_parameter (name, value) VALUES (?1, ?2)
                 ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                params![name, *value as i64],
            )
            .map_err(|source| sqlite_error(&path, "could not store an analysis parameter", source))?;
        }
        for name in &change.reset_parameters {
            tx.execute("DELETE FROM analysis_parameter WHERE name = ?1", [name])
                .map_err(|source| sqlite_error(&path, "could not reset an analysis parameter", source))?;
        }
        if !change.set_parameters.is_empty() {
            details.insert("analysis_parameters_set".to_string(), serde_json::json!(change.set_parameters));
        }
        if !change.reset_parameters.is_empty() {
            details.insert("analysis_parameters_reset".to_string(), serde_json::json!(change.reset_parameters));
        }
        if !details.is_empty() {
            audit::append(&tx, &path, actor, "settings_changed", serde_json::Value::Object(details))?;
        }
        tx.commit().map_err(|source| sqlite_error(&path, "could not save the case settings", source))?;
        self.settings()
    }

    /// Reads the allowlist, in the order the entries were added.
    pub fn allowlist(&self) -> Result<Vec<AllowlistEntry>, CaseError> {
        let fail = |source| self.sqlite("could not read the allowlist", source);
        let mut statement = self
            .conn
            .prepare("SELECT network, reason, added_by, added_at_ns FROM allowlist ORDER BY id")
            .map_err(fail)?;
        let rows = statement
            .query_map([], |row| {
                let network: String = row.get(0)?;
                Ok((network, row.get(1)?, row.get(2)?, row.get(3)?))
            })
            .map_err(fail)?;
        let mut entries = Vec::new();
        for row in rows {
            let (network, reason, added_by, added_at_ns) = row.map_err(fail)?;
            let network =
                parse_stored_network(&network).map_err(|source| self.sqlite("invalid allowlist network", source))?;
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
            networks
                .push(parse_stored_network(&text).map_err(|source| self.sqlite("invalid internal network", source))?);
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

/// Trims a setting's text and checks it; an empty text becomes `None`.
fn clean_text(value: Option<&str>) -> Result<Option<String>, String> {
    let Some(text) = value.map(str::trim).filter(|text| !text.is_empty()) else {
        return Ok(None);
    };
    let length = text.chars().count();
    if length > MAX_SETTING_TEXT_CHARS {
        return Err(format!("the text has {length} characters; shorten it to at most {MAX_SETTING_TEXT_CHARS}"));
    }
    if let Some(control) = text.chars().find(|character| character.is_control()) {
        return Err(format!(
            "the text contains the control character U+{:04X}; enter it on one line without control characters",
            control as u32
        ));
    }
    Ok(Some(text.to_string()))
}

/// Parses a network stored by this module; a failure means the case file was changed by
/// something else.
fn parse_stored_network(text: &str) -> Result<IpNet, rusqlite::Error> {
    text.parse::<IpNet>()
        .map_err(|error| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(error)))
}
