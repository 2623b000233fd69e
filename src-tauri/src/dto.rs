//! Request and response types of the commands, in the camelCase JSON the front end receives.
//!
//! Each response type is built from a library type by a `From` conversion, so the commands
//! stay one-line adapters. Times are RFC 3339 UTC strings, sizes are bytes, and evidence
//! content never appears here: evidence files are named by path and the back end reads them.
//! Every type derives [`TS`], and `src/bindings.rs` writes their TypeScript declarations to
//! `ui/src/api/generated/`, so the front end compiles against the same shapes.

use scancase::case::Case;
use scancase::contract::ExtraActivityJson;
use scancase::contract::FindingJson;
use scancase::model::{format_rfc3339, Anomaly, Citation, EvidenceRecord, Finding, Fingerprint, OutcomeCounts};
use scancase::text_escape::escape_invisible;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::CommandError;

/// Anomalies sent with each evidence file; the case keeps up to the importer's own limit.
pub const ANOMALIES_SENT: usize = 100;

/// The open case.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CaseSummary {
    /// Path of the case file.
    pub path: String,
    /// Case name.
    pub name: String,
    /// Examiner responsible for the case, when entered.
    pub examiner: Option<String>,
    /// When the case was created.
    pub created_at: String,
    /// Version of scancase that created it.
    pub created_by_version: String,
    /// Reason the case is read-only, when it is.
    pub read_only_reason: Option<String>,
    /// Number of evidence files imported.
    pub evidence_count: usize,
}

impl CaseSummary {
    /// Reads the summary of an open case.
    pub fn read(case: &Case) -> Result<Self, CommandError> {
        let info = case.info()?;
        Ok(Self {
            path: case.path().display().to_string(),
            name: info.name,
            examiner: info.examiner,
            created_at: format_rfc3339(info.created_at_ns),
            created_by_version: info.created_by_version,
            read_only_reason: case.read_only_reason().map(str::to_string),
            evidence_count: case.evidence()?.len(),
        })
    }
}

/// How to read timestamps of an evidence file that carry no zone or year.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ImportRequest {
    /// IANA time zone name, for example `UTC` or `Europe/Berlin`; empty takes the case's
    /// default time zone, else UTC.
    pub zone: String,
    /// Year of timestamps that carry none; `None` takes it from the file's modification time.
    pub year: Option<i32>,
}

/// One progress report of an import, sent over the command's channel.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ImportProgress {
    /// The job id the UI gave the import.
    pub job_id: String,
    /// `reading`: the file is parsed and hashed in one pass.
    #[ts(type = "\"reading\"")]
    pub phase: &'static str,
    /// Bytes of the file read so far in this phase.
    pub bytes_done: u64,
    /// Size of the file in bytes.
    pub bytes_total: u64,
}

/// One progress report of an analysis, an evidence verification or a report export, sent
/// over the command's channel.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct JobProgress {
    /// The job id the UI gave the command.
    pub job_id: String,
    /// The part of the job now running. The analysis reads contacts, detects scans and stores
    /// findings. An export verifies the evidence, drafts, renders and writes the report.
    #[ts(
        type = "\"readingContacts\" | \"detectingScans\" | \"storingFindings\" | \"verifyingEvidence\" | \"draftingReport\" | \"renderingReport\" | \"writingReport\""
    )]
    pub part: &'static str,
    /// Units of the part done so far: bytes while verifying evidence, else 0 or 1.
    pub done: u64,
    /// Units of the whole part.
    pub total: u64,
}

/// Result of importing one evidence file.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase", tag = "status")]
pub enum ImportOutcome {
    /// The file was imported.
    #[serde(rename = "imported")]
    Imported {
        /// The stored evidence record.
        evidence: Box<EvidenceView>,
    },
    /// The same file (same SHA-256) was imported earlier; nothing was written.
    #[serde(rename = "alreadyImported", rename_all = "camelCase")]
    AlreadyImported {
        /// Row id of the earlier import.
        evidence_id: i64,
        /// Path recorded by the earlier import.
        earlier_path: String,
    },
}

/// Records of one reason that produced no observation.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SkippedCount {
    /// Reason the records produced no observation.
    pub reason: String,
    /// Number of records.
    pub count: u64,
}

/// A parsing anomaly with its position in the file.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AnomalyView {
    /// Frame or line number, from 1.
    pub record: u64,
    /// Byte offset of the record in the (decompressed) file.
    pub byte_offset: u64,
    /// Description of the problem.
    pub message: String,
}

impl From<&Anomaly> for AnomalyView {
    fn from(anomaly: &Anomaly) -> Self {
        Self {
            record: anomaly.locator.record,
            byte_offset: anomaly.locator.byte_offset,
            message: visible(&anomaly.message),
        }
    }
}

/// One imported evidence file.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EvidenceView {
    /// Row id in the case.
    pub id: i64,
    /// Absolute path recorded at import.
    pub path: String,
    /// `capture` or `firewall_log`.
    pub kind: &'static str,
    /// Detected format, for example `pcap` or `netfilter-syslog`.
    pub format: String,
    /// File size in bytes.
    pub size_bytes: u64,
    /// SHA-256, lower-case hex.
    pub sha256: String,
    /// When the file was imported.
    pub imported_at: String,
    /// Examiner who imported it.
    pub imported_by: Option<String>,
    /// Earliest observation, when there was one.
    pub first_seen: Option<String>,
    /// Latest observation, when there was one.
    pub last_seen: Option<String>,
    /// Frames or lines read.
    pub records: u64,
    /// Observations produced.
    pub observations: u64,
    /// Records that produced no observation, by reason.
    pub skipped: Vec<SkippedCount>,
    /// Anomalies met, including those not sent.
    pub anomalies_total: u64,
    /// The first [`ANOMALIES_SENT`] anomalies.
    pub anomalies: Vec<AnomalyView>,
    /// Assumption used to read times without a zone or year.
    pub time_assumption: Option<String>,
    /// Result of the latest re-hash (`match`, `mismatch`, `missing`), when one was made.
    #[ts(type = "\"match\" | \"mismatch\" | \"missing\" | null")]
    pub verification: Option<&'static str>,
}

impl From<&EvidenceRecord> for EvidenceView {
    fn from(record: &EvidenceRecord) -> Self {
        let summary = &record.summary;
        Self {
            id: record.id,
            path: record.path.clone(),
            kind: record.kind.as_str(),
            format: summary.format.clone(),
            size_bytes: record.size_bytes,
            sha256: record.sha256.clone(),
            imported_at: format_rfc3339(record.imported_at_ns),
            imported_by: record.imported_by.clone(),
            first_seen: summary.first_ts_ns.map(format_rfc3339),
            last_seen: summary.last_ts_ns.map(format_rfc3339),
            records: summary.records,
            observations: summary.observations,
            skipped: summary
                .skipped
                .iter()
                .map(|(reason, count)| SkippedCount { reason: reason.clone(), count: *count })
                .collect(),
            anomalies_total: summary.anomalies_total,
            anomalies: summary.anomalies.iter().take(ANOMALIES_SENT).map(AnomalyView::from).collect(),
            time_assumption: summary.time_assumption.clone(),
            verification: record.verification.as_ref().map(|check| check.status.as_str()),
        }
    }
}

/// Result of an analysis run.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AnalysisSummary {
    /// Distinct contacts over all evidence.
    pub contacts: usize,
    /// Findings made.
    pub findings: usize,
}

/// The findings of the latest analysis.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FindingsView {
    /// Whether the case was ever analyzed.
    pub analyzed: bool,
    /// When the latest analysis ran.
    pub analyzed_at: Option<String>,
    /// The findings, in label order.
    pub findings: Vec<FindingView>,
}

/// An open port of a finding.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OpenPortView {
    /// Host address.
    pub target: String,
    /// Port number.
    pub port: u16,
}

/// A cited observation with its evidence locator.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CitationView {
    /// Row id of the evidence.
    pub evidence_id: i64,
    /// Frame or line number, from 1.
    pub record: u64,
    /// Byte offset of the record.
    pub byte_offset: u64,
    /// The log line as written, or a tcpdump-style line for a packet.
    pub excerpt: String,
}

impl From<&Citation> for CitationView {
    fn from(citation: &Citation) -> Self {
        Self {
            evidence_id: citation.evidence_id,
            record: citation.locator.record,
            byte_offset: citation.locator.byte_offset,
            excerpt: visible(&citation.excerpt),
        }
    }
}

/// Contacts of a finding by outcome.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OutcomeCountsView {
    /// Contacts answered as open.
    pub open: u64,
    /// Contacts answered as closed.
    pub closed: u64,
    /// Contacts answered with an ICMP error other than port unreachable.
    pub filtered: u64,
    /// Contacts a firewall log shows as blocked.
    pub blocked: u64,
    /// Contacts with no reply in the evidence.
    pub unanswered: u64,
}

impl From<&OutcomeCounts> for OutcomeCountsView {
    fn from(counts: &OutcomeCounts) -> Self {
        Self {
            open: counts.open,
            closed: counts.closed,
            filtered: counts.filtered,
            blocked: counts.blocked,
            unanswered: counts.unanswered,
        }
    }
}

/// The scanning tool a finding's probes match.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FingerprintView {
    /// `nmap`, `masscan`, `hping3`, `zmap` or `unknown`.
    pub tool: String,
    /// The fields of the tool's profile that the probes match, in words.
    pub matched: Vec<String>,
}

impl From<&Fingerprint> for FingerprintView {
    fn from(fingerprint: &Fingerprint) -> Self {
        Self { tool: fingerprint.tool.clone(), matched: fingerprint.matched.clone() }
    }
}

/// OS detection or service version probing that came with a scan.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ExtraActivityView {
    /// `os_detection` or `service_probing`.
    pub kind: String,
    /// Hosts it was aimed at.
    pub targets: Vec<String>,
    /// TCP ports it used.
    pub ports: Vec<u16>,
    /// The signs that identified it, in words.
    pub matched: Vec<String>,
}

impl From<&ExtraActivityJson> for ExtraActivityView {
    fn from(activity: &ExtraActivityJson) -> Self {
        Self {
            kind: activity.kind.to_string(),
            targets: activity.targets.clone(),
            ports: activity.ports.clone(),
            matched: activity.matched.iter().map(|sign| visible(sign)).collect(),
        }
    }
}

/// One finding: the findings JSON contract in camelCase, plus the cited observations.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FindingView {
    /// Identifier unique in the case, for example `F-1`.
    pub id: String,
    /// Scan shape, for example `vertical`.
    pub kind: &'static str,
    /// Technique, for example `tcp_syn`.
    pub technique: &'static str,
    /// Addresses that sent the probes.
    pub sources: Vec<String>,
    /// Addresses that were probed.
    pub targets: Vec<String>,
    /// Distinct destination ports probed.
    pub ports: Vec<u16>,
    /// First probe.
    pub first_seen: String,
    /// Last probe.
    pub last_seen: String,
    /// Probe packets or log lines.
    pub probes: u64,
    /// Distinct (target, port) pairs probed.
    pub contacts: u64,
    /// Contacts by outcome.
    pub outcomes: OutcomeCountsView,
    /// Severity score from 0 to 100.
    pub severity_score: u8,
    /// `Low`, `Medium`, `High` or `Critical`.
    pub severity_level: &'static str,
    /// Explanation of the severity from the evidence.
    pub severity_explanation: String,
    /// Confidence in percent.
    pub confidence: u8,
    /// Explanation of the confidence from the evidence.
    pub confidence_explanation: String,
    /// MITRE ATT&CK technique IDs.
    pub attack: Vec<String>,
    /// Plain-words explanation.
    pub explanation: String,
    /// Ports that answered as open.
    pub open_ports: Vec<OpenPortView>,
    /// Median gap between probes in milliseconds.
    pub median_gap_ms: Option<f64>,
    /// Probes cited in the case file.
    pub citations_total: u64,
    /// The first cited probes, in time order.
    pub citations: Vec<CitationView>,
    /// Addresses that sent the same probes but never behaved as live hosts.
    pub decoys: Vec<String>,
    /// The scanner the probes' header fields match, with the fields that matched.
    pub fingerprint: Option<FingerprintView>,
    /// Reason for suppressing the finding (allowlisted sources), if it is suppressed.
    pub suppressed: Option<String>,
    /// Whether the source is inside the case's internal networks.
    pub internal_source: bool,
    /// For a paced scan, whether its gaps were regular.
    pub regular_timing: Option<bool>,
    /// The ping sweep that found the scanned hosts before the scan, in one sentence.
    pub host_discovery: Option<String>,
    /// IP protocol numbers tried by a protocol scan (`ip_protocol`); empty otherwise.
    pub ip_protocols: Vec<u8>,
    /// OS detection and service version probing by the same source of the same targets.
    pub extra_activity: Vec<ExtraActivityView>,
}

impl From<&Finding> for FindingView {
    fn from(finding: &Finding) -> Self {
        let json = FindingJson::from(finding);
        Self {
            id: json.id,
            kind: json.kind,
            technique: json.technique,
            sources: json.sources,
            targets: json.targets,
            ports: json.ports,
            first_seen: json.first_seen,
            last_seen: json.last_seen,
            probes: json.probes,
            contacts: json.contacts,
            outcomes: OutcomeCountsView::from(&json.outcomes),
            severity_score: json.severity.score,
            severity_level: json.severity.level,
            severity_explanation: json.severity.explanation,
            confidence: json.confidence,
            confidence_explanation: json.confidence_explanation,
            attack: json.attack,
            explanation: visible(&json.explanation),
            open_ports: json
                .open_ports
                .into_iter()
                .map(|open| OpenPortView { target: open.target, port: open.port })
                .collect(),
            median_gap_ms: json.median_gap_ms,
            citations_total: json.citations,
            citations: finding.citations.iter().map(CitationView::from).collect(),
            decoys: json.decoys,
            fingerprint: json.fingerprint.as_ref().map(FingerprintView::from),
            suppressed: json.suppressed.as_deref().map(visible),
            internal_source: json.internal_source,
            regular_timing: json.regular_timing,
            host_discovery: json.host_discovery.map(|discovery| {
                format!(
                    "{} {} requests to {} addresses, {} answered, from {} to {}",
                    discovery.requests,
                    discovery.technique,
                    discovery.addresses,
                    discovery.answered,
                    discovery.first_seen,
                    discovery.last_seen
                )
            }),
            ip_protocols: json.ip_protocols,
            extra_activity: json.extra_activity.iter().map(ExtraActivityView::from).collect(),
        }
    }
}

/// Shows control, bidirectional and zero-width characters as `\u{...}` codes, as the CLI and
/// the exports do, so that evidence text cannot reorder or hide the text around it. React
/// already inserts every string as text, never as HTML.
pub(crate) fn visible(text: &str) -> String {
    escape_invisible(text).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invisible_characters_shown_as_codes() {
        assert_eq!(visible("rule evil\u{202E}txt.exe\u{200B} end"), "rule evil\\u{202E}txt.exe\\u{200B} end");
    }
}
