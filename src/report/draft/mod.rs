//! Drafting: turns a [`ReportInput`] into the eight sections of a [`Report`].
//!
//! [`Facts`] derives once the values that several sections need: the evidence time span,
//! all sources, the affected targets and the open ports. Each submodule then writes its
//! sections from the input and those facts. Nothing here invents text for what the evidence cannot tell:
//! such parts become [`ExaminerEntry`] blocks or say that the imported data hold no
//! evidence, naming the span the data cover.

mod appendices;
mod charts;
mod detection;
mod impact;
mod overview;
mod recommendations;
mod timeline;

pub use appendices::{attachment_heading, METHODOLOGY_HEADING};

use std::net::IpAddr;

use super::text::{format_ts, port_with_service, technique_protocol};
use super::{Block, Column, ExaminerEntry, Field, Report, ReportInput, ReviewStatus, Section, SectionKind, Table};
use crate::model::{Finding, TimestampNs};

/// Drafts every section in report order.
pub fn draft_report(input: &ReportInput) -> Report {
    let facts = Facts::derive(input);
    let sections = SectionKind::ALL
        .iter()
        .map(|&kind| {
            let blocks = match kind {
                SectionKind::ExecutiveSummary => overview::executive_summary(&facts),
                SectionKind::IncidentDetails => overview::incident_details(&facts),
                SectionKind::Timeline => timeline::timeline(&facts),
                SectionKind::DetectionAndAnalysis => detection::detection_and_analysis(&facts),
                SectionKind::ResponseActions => impact::response_actions(&facts),
                SectionKind::ImpactAssessment => impact::impact_assessment(&facts),
                SectionKind::LessonsLearned => recommendations::lessons_learned(&facts),
                SectionKind::Appendices => appendices::appendices(&facts),
            };
            Section { kind, title: kind.title().to_string(), blocks, edit: None }
        })
        .collect();
    Report {
        title: format!("Incident report: {}", input.case.name.trim()),
        case_name: input.case.name.trim().to_string(),
        examiner: input.case.examiner.clone().filter(|name| !name.trim().is_empty()),
        classification: trimmed(input.classification.as_deref()),
        organisation: trimmed(input.organisation.as_deref()),
        generated_at_ns: input.generated_at_ns,
        tool_version: crate::VERSION.to_string(),
        sections,
        review: ReviewStatus::default(),
        attachments: input.attachments.clone(),
    }
}

/// Returns `text` without surrounding white space, or `None` when nothing is left.
fn trimmed(text: Option<&str>) -> Option<String> {
    text.map(str::trim).filter(|text| !text.is_empty()).map(str::to_string)
}

/// A port that answered as open, with the sources it answered to.
pub(super) struct ExposedPort<'a> {
    /// The scanned host.
    pub target: IpAddr,
    /// `tcp` or `udp`.
    pub protocol: &'static str,
    /// The open port.
    pub port: u16,
    /// The finding that found it open.
    pub finding: &'a Finding,
}

/// Values derived once from the input for several sections.
pub(super) struct Facts<'a> {
    /// The input itself.
    pub input: &'a ReportInput,
    /// Earliest and latest record time over all evidence, when any record has a time.
    pub evidence_span: Option<(TimestampNs, TimestampNs)>,
    /// Every source address over all findings, sorted and deduplicated.
    pub sources: Vec<IpAddr>,
    /// Every probed host over all findings, excluding each finding's own sources.
    pub targets: Vec<IpAddr>,
    /// Time of the earliest probe over all findings.
    pub first_probe_ns: Option<TimestampNs>,
    /// Time of the latest probe over all findings.
    pub last_probe_ns: Option<TimestampNs>,
    /// The finding with the highest severity score (the first one on ties).
    pub most_severe: Option<&'a Finding>,
    /// Every open port over all findings, in finding order.
    pub exposed: Vec<ExposedPort<'a>>,
}

impl<'a> Facts<'a> {
    fn derive(input: &'a ReportInput) -> Self {
        let findings = &input.findings;
        let first = input.evidence.iter().filter_map(|e| e.summary.first_ts_ns).min();
        let last = input.evidence.iter().filter_map(|e| e.summary.last_ts_ns).max();
        let evidence_span = first.zip(last);

        let mut sources: Vec<IpAddr> = findings.iter().flat_map(|f| f.sources.clone()).collect();
        sources.sort_unstable();
        sources.dedup();
        let mut targets: Vec<IpAddr> = findings.iter().flat_map(affected_targets).collect();
        targets.sort_unstable();
        targets.dedup();

        let mut most_severe: Option<&Finding> = None;
        for finding in findings {
            if most_severe.is_none_or(|best| finding.severity.score > best.severity.score) {
                most_severe = Some(finding);
            }
        }

        let mut exposed = Vec::new();
        for finding in findings {
            let protocol = technique_protocol(finding.technique);
            let mut ports = finding.open_ports.clone();
            ports.sort_unstable();
            ports.dedup();
            for open in ports {
                exposed.push(ExposedPort { target: open.target, protocol, port: open.port, finding });
            }
        }

        Facts {
            input,
            evidence_span,
            sources,
            targets,
            first_probe_ns: findings.iter().map(|f| f.first_seen_ns).min(),
            last_probe_ns: findings.iter().map(|f| f.last_seen_ns).max(),
            most_severe,
            exposed,
        }
    }

    /// Returns what the imported evidence covers, for example
    /// `covering 2026-12-04T19:35:40.000000Z to 2026-12-04T19:40:00.000000Z`.
    pub fn coverage(&self) -> String {
        match (self.input.evidence.is_empty(), self.evidence_span) {
            (true, _) => "no evidence file has been imported".to_string(),
            (false, Some((first, last))) => {
                format!("covering {} to {}", format_ts(first), format_ts(last))
            }
            (false, None) => "the imported files contain no timestamped record".to_string(),
        }
    }

    /// Returns the sentence for an incident phase without evidence in the imported data.
    pub fn no_evidence(&self) -> String {
        format!("No evidence in the imported data ({}).", self.coverage())
    }
}

/// Returns a finding's targets without its own sources, so a scanning address is never
/// reported as affected by its own scan.
pub(super) fn affected_targets(finding: &Finding) -> Vec<IpAddr> {
    finding.targets.iter().copied().filter(|target| !finding.sources.contains(target)).collect()
}

/// Maximum number of open ports written out in running text; section 6 lists them all.
const MAX_OPEN_PORTS_IN_TEXT: usize = 12;

/// Lists open ports as `10.200.0.100 tcp/22 (ssh)`, cut after a few with a count of the
/// rest, or `none`.
pub(super) fn open_port_text<'a>(ports: impl Iterator<Item = &'a ExposedPort<'a>>) -> String {
    let all: Vec<String> =
        ports.map(|open| format!("{} {}", open.target, port_with_service(open.protocol, open.port))).collect();
    match all.len() {
        0 => "none".to_string(),
        count if count <= MAX_OPEN_PORTS_IN_TEXT => all.join(", "),
        count => format!(
            "{} and {} more (section 6 lists all)",
            all[..MAX_OPEN_PORTS_IN_TEXT].join(", "),
            count - MAX_OPEN_PORTS_IN_TEXT
        ),
    }
}

/// Builds a subheading block.
pub(super) fn subheading(level: u8, text: impl Into<String>) -> Block {
    Block::Subheading { level, text: text.into() }
}

/// Builds a paragraph block.
pub(super) fn paragraph(text: impl Into<String>) -> Block {
    Block::Paragraph { text: text.into() }
}

/// Builds a plain field.
pub(super) fn field(label: &str, value: impl Into<String>) -> Field {
    Field { label: label.to_string(), value: value.into(), monospace: false }
}

/// Builds a field set in a fixed-width font.
pub(super) fn code_field(label: &str, value: impl Into<String>) -> Field {
    Field { label: label.to_string(), value: value.into(), monospace: true }
}

/// Builds an examiner entry with no value.
pub(super) fn examiner(key: &str, label: &str, guidance: &str) -> Block {
    Block::ExaminerEntry(ExaminerEntry {
        key: key.to_string(),
        label: label.to_string(),
        guidance: guidance.to_string(),
        value: None,
    })
}

/// Builds a table; `columns` pairs each header with whether its cells are code-like.
pub(super) fn table(columns: &[(&str, bool)], rows: Vec<Vec<String>>) -> Block {
    Block::Table(Table {
        columns: columns.iter().map(|&(title, monospace)| Column { title: title.to_string(), monospace }).collect(),
        rows,
    })
}

/// Returns the scan kind with a description for readers who do not know the term.
pub(super) fn kind_description(finding: &Finding) -> String {
    let shape = match finding.kind {
        crate::model::ScanKind::Vertical => "one source, one target host, many ports",
        crate::model::ScanKind::Horizontal => "one source, many target hosts, few ports",
        crate::model::ScanKind::Block => "one source, many target hosts, many ports on each",
        crate::model::ScanKind::Distributed => "several sources sending the same probes to the same targets",
        crate::model::ScanKind::PingSweep => "one source testing which hosts of a range are up",
    };
    format!("{} ({shape})", finding.kind.as_str())
}
