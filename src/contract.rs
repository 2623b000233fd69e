//! The findings JSON contract: the shape `scancase findings --json` prints.
//!
//! Later versions add fields and never remove or rename one; `docs/findings-json.md`
//! documents every field. Times are RFC 3339 in UTC, addresses are strings, ports are
//! numbers.

use serde::Serialize;

use crate::model::{
    format_rfc3339, ClockOffsetEstimate, ExtraActivity, Finding, Fingerprint, HostDiscovery, OpenPort, OutcomeCounts,
};

/// The top-level object: `{"findings": [...]}`.
#[derive(Debug, Serialize)]
pub struct FindingsDocument {
    /// Every finding of the latest analysis.
    pub findings: Vec<FindingJson>,
}

/// One finding as printed.
#[derive(Debug, Serialize)]
pub struct FindingJson {
    /// Identifier unique in the case, for example `F-1`.
    pub id: String,
    /// `vertical`, `horizontal`, `block`, `distributed` or `ping_sweep`.
    pub kind: &'static str,
    /// Technique name, for example `tcp_syn`.
    pub technique: &'static str,
    /// Addresses that sent the probes (for a distributed scan with decoys, the live ones).
    pub sources: Vec<String>,
    /// Addresses that sent the same probes but never behaved as live hosts (distributed
    /// scans only; empty otherwise).
    pub decoys: Vec<String>,
    /// Addresses that were probed.
    pub targets: Vec<String>,
    /// Distinct destination ports probed.
    pub ports: Vec<u16>,
    /// First probe, RFC 3339 UTC.
    pub first_seen: String,
    /// Last probe, RFC 3339 UTC.
    pub last_seen: String,
    /// Probe packets or log lines, retransmissions included.
    pub probes: u64,
    /// Severity score, level and explanation.
    pub severity: SeverityJson,
    /// Confidence in percent.
    pub confidence: u8,
    /// Explanation of the confidence from the evidence.
    pub confidence_explanation: String,
    /// MITRE ATT&CK technique IDs.
    pub attack: Vec<String>,
    /// Plain-words explanation.
    pub explanation: String,
    /// Distinct (target, port) pairs probed.
    pub contacts: u64,
    /// Contacts by outcome.
    pub outcomes: OutcomeCounts,
    /// Ports that answered as open.
    pub open_ports: Vec<OpenPortJson>,
    /// Median gap between probes in milliseconds, when there were two or more.
    pub median_gap_ms: Option<f64>,
    /// Observations cited by the finding in the case file.
    pub citations: u64,
    /// The ping sweep that found the scanned hosts just before the scan, or null.
    pub host_discovery: Option<HostDiscoveryJson>,
    /// Clock offsets between evidence files that recorded the same probes.
    pub clock_offsets: Vec<ClockOffsetEstimate>,
    /// The scanner whose probe template the probes match, or null.
    pub fingerprint: Option<Fingerprint>,
    /// For a paced scan, whether its gaps were regular; null for fast scans.
    pub regular_timing: Option<bool>,
    /// Whether the source is inside the case's internal networks.
    pub internal_source: bool,
    /// Reason for suppressing the finding (allowlisted sources), or null.
    pub suppressed: Option<String>,
    /// IP protocol numbers tried by a protocol scan (`ip_protocol`); empty otherwise.
    pub ip_protocols: Vec<u8>,
    /// OS detection and service version probing by the same source of the same targets.
    pub extra_activity: Vec<ExtraActivityJson>,
}

/// Extra activity as printed.
#[derive(Debug, Serialize)]
pub struct ExtraActivityJson {
    /// `os_detection` or `service_probing`.
    pub kind: &'static str,
    /// Hosts it was aimed at.
    pub targets: Vec<String>,
    /// TCP ports it used.
    pub ports: Vec<u16>,
    /// The signs that identified it, in words.
    pub matched: Vec<String>,
}

impl From<&ExtraActivity> for ExtraActivityJson {
    fn from(activity: &ExtraActivity) -> Self {
        Self {
            kind: activity.kind.as_str(),
            targets: activity.targets.iter().map(|a| a.to_string()).collect(),
            ports: activity.ports.clone(),
            matched: activity.matched.clone(),
        }
    }
}

/// Host discovery as printed.
#[derive(Debug, Serialize)]
pub struct HostDiscoveryJson {
    /// `icmp_echo` or `arp`.
    pub technique: &'static str,
    /// Distinct addresses asked.
    pub addresses: u64,
    /// Addresses that replied.
    pub answered: u64,
    /// ICMP or ARP requests sent.
    pub requests: u64,
    /// First request, RFC 3339 UTC.
    pub first_seen: String,
    /// Last request, RFC 3339 UTC.
    pub last_seen: String,
}

impl From<&HostDiscovery> for HostDiscoveryJson {
    fn from(d: &HostDiscovery) -> Self {
        Self {
            technique: d.technique.as_str(),
            addresses: d.addresses,
            answered: d.answered,
            requests: d.requests,
            first_seen: format_rfc3339(d.first_seen_ns),
            last_seen: format_rfc3339(d.last_seen_ns),
        }
    }
}

/// Severity as printed.
#[derive(Debug, Serialize)]
pub struct SeverityJson {
    /// Score from 0 to 100.
    pub score: u8,
    /// `Low`, `Medium`, `High` or `Critical`.
    pub level: &'static str,
    /// Explanation of the score from the evidence.
    pub explanation: String,
}

/// An open port as printed.
#[derive(Debug, Serialize)]
pub struct OpenPortJson {
    /// Host address.
    pub target: String,
    /// Port number.
    pub port: u16,
}

impl From<&OpenPort> for OpenPortJson {
    fn from(open: &OpenPort) -> Self {
        Self { target: open.target.to_string(), port: open.port }
    }
}

impl From<&Finding> for FindingJson {
    fn from(f: &Finding) -> Self {
        Self {
            id: f.id.clone(),
            kind: f.kind.as_str(),
            technique: f.technique.as_str(),
            sources: f.sources.iter().map(|a| a.to_string()).collect(),
            decoys: f.decoys.iter().map(|a| a.to_string()).collect(),
            targets: f.targets.iter().map(|a| a.to_string()).collect(),
            ports: f.ports.clone(),
            first_seen: format_rfc3339(f.first_seen_ns),
            last_seen: format_rfc3339(f.last_seen_ns),
            probes: f.probes,
            severity: SeverityJson {
                score: f.severity.score,
                level: f.severity.level.as_str(),
                explanation: f.severity.explanation.clone(),
            },
            confidence: f.confidence.percent,
            confidence_explanation: f.confidence.explanation.clone(),
            attack: f.attack.clone(),
            explanation: f.explanation.clone(),
            contacts: f.contacts,
            outcomes: f.outcomes,
            open_ports: f.open_ports.iter().map(OpenPortJson::from).collect(),
            median_gap_ms: f.median_gap_ms,
            citations: f.citations_total,
            host_discovery: f.host_discovery.as_ref().map(HostDiscoveryJson::from),
            clock_offsets: f.clock_offsets.clone(),
            fingerprint: f.fingerprint.clone(),
            regular_timing: f.regular_timing,
            internal_source: f.internal_source,
            suppressed: f.suppressed.clone(),
            ip_protocols: f.ip_protocols.clone(),
            extra_activity: f.extra_activity.iter().map(ExtraActivityJson::from).collect(),
        }
    }
}

/// Builds the document for a list of findings.
pub fn findings_document(findings: &[Finding]) -> FindingsDocument {
    FindingsDocument { findings: findings.iter().map(FindingJson::from).collect() }
}
