//! Request and response types of the workspace commands ([`crate::workspace_commands`]): the
//! new-case form, recent cases, case settings, chain of custody and verification, the probe
//! chart of a finding, the allowlist and the timeline.
//!
//! The JSON is camelCase, as in [`crate::dto`]. Every type derives `ts_rs::TS`, and the front
//! end imports the generated TypeScript declarations from `ui/src/api/generated/`. Times are
//! RFC 3339 UTC strings; chart and timeline positions are also sent as milliseconds since
//! the Unix epoch, which a JavaScript number represents exactly.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The new-case form.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NewCaseRequest {
    /// Path of the case file to create.
    pub path: String,
    /// Case name.
    pub name: String,
    /// Examiner responsible for the case; empty for none.
    pub examiner: String,
    /// Organisation the investigation is for; empty for none.
    pub organisation: String,
    /// Classification label, for example `TLP:AMBER`; empty for none.
    pub classification: String,
    /// Default IANA time zone of imports; empty for none (imports then read UTC).
    pub default_zone: String,
    /// The organisation's networks in CIDR notation or as single addresses; empty for the
    /// private and local address ranges.
    pub internal_networks: Vec<String>,
}

/// A case on the recent-cases list.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RecentCaseView {
    /// Path of the case file.
    pub path: String,
    /// Case name when it was last opened.
    pub name: String,
    /// When it was last opened.
    pub opened_at: String,
    /// True when no file is at the path any more.
    pub missing: bool,
}

/// One analysis parameter with its default.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ParameterView {
    /// Name, for example `campaign_gap_s`.
    pub name: String,
    /// Value the next analysis uses.
    pub value: u64,
    /// Value of the analysis when the case sets none.
    pub default_value: u64,
    /// True when the case sets the value.
    pub is_set: bool,
    /// Description of the parameter, with its unit.
    pub description: String,
}

/// The case settings.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SettingsView {
    /// Examiner responsible for the case.
    pub examiner: Option<String>,
    /// Organisation the investigation is for.
    pub organisation: Option<String>,
    /// Classification label shown on the report.
    pub classification: Option<String>,
    /// Default IANA time zone of imports.
    pub default_zone: Option<String>,
    /// The organisation's networks; empty means the private and local address ranges.
    pub internal_networks: Vec<String>,
    /// The analysis parameters in display order.
    pub parameters: Vec<ParameterView>,
    /// Reason the case is read-only, when it is; settings cannot be changed then.
    pub read_only_reason: Option<String>,
}

/// A parameter value in a settings change.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ParameterValue {
    /// Parameter name.
    pub name: String,
    /// Value to set; `null` returns the parameter to its default.
    pub value: Option<u64>,
}

/// The settings form as saved: every field contains the requested value, and only the fields that
/// differ from the stored settings are changed and audited.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SettingsRequest {
    /// Examiner; empty removes it.
    pub examiner: String,
    /// Organisation; empty removes it.
    pub organisation: String,
    /// Classification label; empty removes it.
    pub classification: String,
    /// Default IANA time zone; empty removes it.
    pub default_zone: String,
    /// Internal networks; empty restores the private and local address ranges.
    pub internal_networks: Vec<String>,
    /// Analysis parameters; a parameter left out keeps its stored value.
    pub parameters: Vec<ParameterValue>,
}

/// One chain-of-custody entry.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CustodyView {
    /// Person who acquired or received the evidence.
    pub acquired_by: Option<String>,
    /// When it was acquired or handed over, as the examiner wrote it.
    pub acquired_at: Option<String>,
    /// System or device the evidence came from.
    pub source_system: Option<String>,
    /// Acquisition or transfer method.
    pub method: Option<String>,
    /// Storage place of the original.
    pub storage: Option<String>,
    /// Further notes.
    pub notes: Option<String>,
    /// Examiner who recorded the entry.
    pub recorded_by: Option<String>,
    /// When it was recorded.
    pub recorded_at: String,
}

/// A new chain-of-custody entry; empty fields are left out, and at least one must be given.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CustodyRequest {
    /// Person who acquired or received the evidence.
    pub acquired_by: String,
    /// When it was acquired or handed over, as free text.
    pub acquired_at: String,
    /// System or device the evidence came from.
    pub source_system: String,
    /// Acquisition or transfer method.
    pub method: String,
    /// Storage place of the original.
    pub storage: String,
    /// Further notes.
    pub notes: String,
}

/// The latest re-hash of an evidence file.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct VerificationView {
    /// `match`, `mismatch` or `missing`.
    pub status: String,
    /// When the file was re-hashed.
    pub verified_at: String,
    /// Path that was read.
    pub path_checked: String,
    /// SHA-256 found, when the file could be read.
    pub sha256_found: Option<String>,
}

/// Chain of custody and verification state of one evidence file.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EvidenceIntegrityView {
    /// Row id of the evidence.
    pub evidence_id: i64,
    /// Custody entries in the order entered.
    pub custody: Vec<CustodyView>,
    /// The latest re-hash, when one was made.
    pub verification: Option<VerificationView>,
}

/// One probe in a finding's chart.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ChartPoint {
    /// When the probe was sent, milliseconds since the Unix epoch (UTC).
    pub at_ms: f64,
    /// Destination port.
    pub port: u16,
}

/// The probes of a finding for its time-against-port chart.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProbeChartView {
    /// Finding ID, for example `F-1`.
    pub finding_id: String,
    /// Points sent, in time order; at most `MAX_CHART_POINTS`, spread evenly over the probes.
    pub points: Vec<ChartPoint>,
    /// Probes with a port that the finding cites.
    pub points_total: u64,
}

/// One allowlisted source network.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AllowlistView {
    /// Network in CIDR notation.
    pub network: String,
    /// Reason scans from it are expected.
    pub reason: String,
    /// Examiner who added it.
    pub added_by: Option<String>,
    /// When it was added.
    pub added_at: String,
}

/// Kind of a timeline entry.
#[derive(Debug, Clone, Copy, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum TimelineKind {
    /// A finding of the latest analysis, placed at its first probe.
    Finding,
    /// A response event the examiner entered for the report.
    Event,
}

/// One entry of the case timeline.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TimelineEntry {
    /// Finding or examiner event.
    pub kind: TimelineKind,
    /// Finding ID (`F-1`) or event ID (`EV-3`).
    pub id: String,
    /// Start, milliseconds since the Unix epoch (UTC).
    pub at_ms: f64,
    /// Start as RFC 3339.
    pub at: String,
    /// End of a finding (its last probe); `null` for an event.
    pub until: Option<String>,
    /// One line: the scan's kind and technique, or the event's phase and actor.
    pub title: String,
    /// The finding's explanation or the event's description.
    pub detail: String,
    /// Source addresses; empty for an event.
    pub sources: Vec<String>,
    /// Target addresses; empty for an event.
    pub targets: Vec<String>,
    /// Severity level of a finding, for example `High`; `null` for an event.
    pub severity_level: Option<String>,
    /// Reason a finding is suppressed, when it is.
    pub suppressed: Option<String>,
}

/// The case timeline, in time order.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TimelineView {
    /// Whether the case was ever analyzed.
    pub analyzed: bool,
    /// Entries in time order.
    pub entries: Vec<TimelineEntry>,
}
