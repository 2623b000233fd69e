//! Evaluation of the analysis against a labelled corpus of captures and firewall logs.
//!
//! A labels file is a JSON array with one object per capture: `file`, `kind` (`scan`, `benign`
//! or `mixed`), `technique` (as the labeller wrote it, for example `SYN` or `Xmas`),
//! `attacker`, and optionally `fwlog` (the firewall log of the same run), `start` (first probe,
//! RFC 3339) and `psad` (psad's verdict on the log); other fields, such as a `note` with the
//! source of the expectation, are ignored. Each capture and each non-empty log is
//! imported into a fresh temporary case, analyzed with the given parameters, and compared
//! with its label:
//!
//! - a labelled scan is *found* when a finding names the attacker among its sources;
//! - every finding whose sources do not include the attacker is a *false positive*;
//! - the technique is *right* when the attacker's finding has the labelled technique.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::analysis::{self, Parameters};
use crate::case::Case;
use crate::import::{import_file, ImportOptions, NoProgress};
use crate::model::{Finding, ScanKind, Technique};

/// One labelled capture, as read from the labels file; fields not listed are ignored.
#[derive(Debug, Clone, Deserialize)]
pub struct Label {
    /// Capture path relative to the labels file's folder.
    pub file: String,
    /// `scan`, `benign` or `mixed`.
    pub kind: String,
    /// Technique as the labeller wrote it.
    #[serde(default)]
    pub technique: Option<String>,
    /// Address of the real scanner, for scans.
    #[serde(default)]
    pub attacker: Option<String>,
    /// Firewall log of the same run, relative to the labels file's folder.
    #[serde(default)]
    pub fwlog: Option<String>,
    /// First probe, RFC 3339, which gives the year of year-less log lines.
    #[serde(default)]
    pub start: Option<String>,
    /// psad's verdict on the log.
    #[serde(default)]
    pub psad: Option<PsadVerdict>,
}

/// psad's result on one log.
#[derive(Debug, Clone, Deserialize)]
pub struct PsadVerdict {
    /// Sources psad rated, with their danger level.
    #[serde(default)]
    pub attackers: Vec<PsadAttacker>,
}

/// One source in psad's result.
#[derive(Debug, Clone, Deserialize)]
pub struct PsadAttacker {
    /// Source address.
    pub src: String,
    /// psad danger level, 1 to 5.
    pub danger_level: u8,
}

/// The result of evaluating one evidence file.
#[derive(Debug, Clone)]
pub struct FileResult {
    /// Evidence path relative to the labels folder.
    pub file: String,
    /// Label kind.
    pub kind: String,
    /// Labelled technique.
    pub expected_technique: Option<String>,
    /// Labelled attacker.
    pub attacker: Option<String>,
    /// Findings made, or the import error.
    pub findings: Result<Vec<Finding>, String>,
    /// Probes (in time order) the attacker's first finding needed before its distinct ports
    /// or hosts reached the detection threshold.
    pub probes_to_detect: Option<usize>,
    /// psad's rating of the attacker and of other sources, for the same log.
    pub psad: Option<String>,
}

impl FileResult {
    /// Returns true when a finding names the attacker.
    pub fn found(&self) -> bool {
        self.attacker_finding().is_some()
    }

    /// Returns the first finding that names the attacker among its sources and is not
    /// suppressed.
    pub fn attacker_finding(&self) -> Option<&Finding> {
        let attacker = self.attacker.as_deref()?;
        self.reported().find(|f| f.sources.iter().any(|s| s.to_string() == attacker))
    }

    /// Returns the number of findings that do not name the attacker and are not suppressed.
    pub fn false_positives(&self) -> usize {
        let attacker = self.attacker.as_deref();
        self.reported().filter(|f| !f.sources.iter().any(|s| Some(s.to_string().as_str()) == attacker)).count()
    }

    /// Returns the number of suppressed findings (ordinary use such as a NAT gateway or
    /// monitoring), which the report leaves out.
    pub fn suppressed(&self) -> usize {
        self.findings.as_ref().map_or(0, |findings| findings.iter().filter(|f| f.suppressed.is_some()).count())
    }

    /// Returns the findings a report covers: those not suppressed.
    fn reported(&self) -> impl Iterator<Item = &Finding> {
        self.findings.as_deref().unwrap_or_default().iter().filter(|f| f.suppressed.is_none())
    }

    /// Returns whether the attacker's finding has the labelled technique, when both exist.
    pub fn technique_right(&self) -> Option<bool> {
        let expected = technique_name(self.expected_technique.as_deref()?)?;
        Some(self.attacker_finding()?.technique.as_str() == expected)
    }
}

/// Maps a labeller's technique word to scancase's technique name, or `None` for words it
/// does not know.
pub fn technique_name(label: &str) -> Option<&'static str> {
    let word = label.split([' ', '+']).next().unwrap_or(label);
    match word {
        "SYN" => Some("tcp_syn"),
        "connect" => Some("tcp_connect"),
        "FIN" => Some("tcp_fin"),
        "NULL" => Some("tcp_null"),
        "Xmas" => Some("tcp_xmas"),
        "ACK" => Some("tcp_ack"),
        "Maimon" => Some("tcp_maimon"),
        "UDP" => Some("udp"),
        "ARP" => Some("arp"),
        "ICMP" => Some("icmp_echo"),
        "IP" if label.starts_with("IP protocol") => Some("ip_protocol"),
        "Window" => Some("tcp_window"),
        "SCTP" => Some("sctp_init"),
        _ => None,
    }
}

/// An error that stops the whole evaluation.
#[derive(Debug, thiserror::Error)]
pub enum EvaluationError {
    /// The labels file could not be read.
    #[error("cannot read the labels file {path}")]
    Read {
        /// Path of the labels file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The labels file is not the expected JSON.
    #[error("invalid labels file {path}")]
    Parse {
        /// Path of the labels file.
        path: PathBuf,
        /// The JSON error.
        #[source]
        source: serde_json::Error,
    },
}

/// Evaluates every labelled capture and its firewall log.
pub fn evaluate(labels_path: &Path, parameters: &Parameters) -> Result<Vec<FileResult>, EvaluationError> {
    let text = std::fs::read_to_string(labels_path)
        .map_err(|source| EvaluationError::Read { path: labels_path.to_path_buf(), source })?;
    let labels: Vec<Label> = serde_json::from_str(&text)
        .map_err(|source| EvaluationError::Parse { path: labels_path.to_path_buf(), source })?;
    let root = labels_path.parent().unwrap_or(Path::new("."));

    let mut results = Vec::new();
    for label in &labels {
        let year = label.start.as_deref().and_then(|start| start.get(..4)).and_then(|year| year.parse().ok());
        let mut files = vec![(label.file.clone(), None)];
        if let Some(log) = &label.fwlog {
            let non_empty = std::fs::metadata(root.join(log)).map(|m| m.len() > 0).unwrap_or(false);
            if non_empty {
                files.push((log.clone(), label.psad.as_ref().map(|verdict| describe_psad(verdict, label))));
            }
        }
        for (file, psad) in files {
            let (findings, probes_to_detect) = match run_one(&root.join(&file), year, parameters, label) {
                Ok((findings, probes)) => (Ok(findings), probes),
                Err(message) => (Err(message), None),
            };
            results.push(FileResult {
                file,
                kind: label.kind.clone(),
                expected_technique: label.technique.clone(),
                attacker: label.attacker.clone(),
                findings,
                probes_to_detect,
                psad,
            });
        }
    }
    Ok(results)
}

fn describe_psad(verdict: &PsadVerdict, label: &Label) -> String {
    if verdict.attackers.is_empty() {
        return "no source rated".to_string();
    }
    let parts: Vec<String> = verdict
        .attackers
        .iter()
        .map(|attacker| {
            let same = |a: &str, b: &str| match (a.parse::<IpAddr>(), b.parse::<IpAddr>()) {
                (Ok(a), Ok(b)) => a == b,
                _ => a == b,
            };
            let is_scanner = label.attacker.as_deref().is_some_and(|scanner| same(&attacker.src, scanner));
            let role = if is_scanner { "" } else { " (not the scanner)" };
            format!("{} DL{}{role}", attacker.src, attacker.danger_level)
        })
        .collect();
    parts.join(", ")
}

/// Imports one file into a temporary case, analyzes it and returns the findings.
fn run_one(
    path: &Path,
    year: Option<i32>,
    parameters: &Parameters,
    label: &Label,
) -> Result<(Vec<Finding>, Option<usize>), String> {
    static RUNS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let run = RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let folder = std::env::temp_dir().join(format!("scancase-eval-{}-{run}", std::process::id()));
    std::fs::create_dir_all(&folder).map_err(|error| error.to_string())?;
    let case_path = folder.join("evaluation.scancase");
    for suffix in ["", "-journal", "-wal", "-shm"] {
        let _ = std::fs::remove_file(crate::case::sibling_path(&case_path, suffix));
    }
    let result = (|| {
        let mut case = Case::create(&case_path, "evaluation", None).map_err(|error| format!("{error:#}"))?;
        let options = ImportOptions { year, ..ImportOptions::default() };
        import_file(&mut case, path, &options, &mut NoProgress).map_err(|error| error_chain(&error))?;
        let outcome = analysis::analyze_case(&mut case, parameters, None).map_err(|error| format!("{error:#}"))?;
        let probes = probes_to_detect(&case, outcome.run_id, &outcome.findings, label, parameters);
        Ok((outcome.findings, probes))
    })();
    let _ = std::fs::remove_dir_all(&folder);
    result
}

/// Counts the attacker's probes in time order until the distinct ports (vertical and
/// distributed) or hosts (other kinds) of its first finding reach the detection threshold.
fn probes_to_detect(
    case: &Case,
    run_id: i64,
    findings: &[Finding],
    label: &Label,
    parameters: &Parameters,
) -> Option<usize> {
    let attacker = label.attacker.as_deref()?;
    let finding = findings.iter().find(|f| f.sources.iter().any(|s| s.to_string() == attacker))?;
    if finding.technique == Technique::IpProtocol {
        return protocol_probes_to_detect(case, finding, parameters);
    }
    let points = case.probe_points(run_id).ok()?;
    let by_ports = matches!(finding.kind, ScanKind::Vertical | ScanKind::Distributed | ScanKind::Block);
    let threshold = match finding.technique {
        _ if by_ports => parameters.min_ports_vertical,
        Technique::Arp => parameters.min_hosts_arp_sweep,
        _ => parameters.min_hosts_horizontal,
    };
    // A port scan's host discovery is cited with it but does not count toward its threshold.
    let counts = |port: &Option<u16>| finding.kind == ScanKind::PingSweep || port.is_some();
    let mut ports = std::collections::BTreeSet::new();
    let mut targets = std::collections::BTreeSet::new();
    let cited = points.iter().filter(|(id, _, _, port)| *id == finding.id && counts(port));
    for (index, (_, _, target, port)) in cited.enumerate() {
        ports.insert(*port);
        targets.insert(target.clone());
        let reached = if by_ports { ports.len() >= threshold } else { targets.len() >= threshold };
        if reached {
            return Some(index + 1);
        }
    }
    None
}

/// Counts a protocol scan's probes in time order until the distinct IP protocols reach the
/// vertical threshold. Protocol probes have no port, so the protocol of each probe's contact
/// is read instead of the cited ports.
fn protocol_probes_to_detect(case: &Case, finding: &Finding, parameters: &Parameters) -> Option<usize> {
    let contacts = case.contacts().ok()?;
    let times = case.probe_times().ok()?;
    let mut probes: Vec<(i64, u16)> = contacts
        .iter()
        .filter(|stored| finding.sources.contains(&stored.contact.src) && finding.targets.contains(&stored.contact.dst))
        .filter(|stored| stored.contact.techniques.contains_key(&Technique::IpProtocol))
        .flat_map(|stored| {
            let protocol = stored.contact.protocol.number();
            times.get(&stored.id).into_iter().flatten().map(move |ts| (*ts, protocol))
        })
        .collect();
    probes.sort_unstable();
    let mut protocols = std::collections::BTreeSet::new();
    for (index, (_, protocol)) in probes.iter().enumerate() {
        protocols.insert(*protocol);
        if protocols.len() >= parameters.min_ports_vertical {
            return Some(index + 1);
        }
    }
    None
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Totals over all evaluated files.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Totals {
    /// Labelled scans (files whose label names an attacker).
    pub scans: usize,
    /// Labelled scans found.
    pub found: usize,
    /// Findings that name the attacker.
    pub true_positives: usize,
    /// Findings that do not.
    pub false_positives: usize,
    /// Found scans with a nameable technique.
    pub technique_checked: usize,
    /// Of those, the ones with the right technique.
    pub technique_right: usize,
}

impl Totals {
    /// Sums the results.
    pub fn of(results: &[FileResult]) -> Self {
        let mut totals = Totals::default();
        for result in results {
            if result.attacker.is_some() {
                totals.scans += 1;
                if result.found() {
                    totals.found += 1;
                    totals.true_positives += 1;
                }
            }
            totals.false_positives += result.false_positives();
            if let Some(right) = result.technique_right() {
                totals.technique_checked += 1;
                totals.technique_right += usize::from(right);
            }
        }
        totals
    }

    /// Returns precision: findings naming the attacker over all findings.
    pub fn precision(&self) -> f64 {
        let all = self.true_positives + self.false_positives;
        if all == 0 {
            1.0
        } else {
            self.true_positives as f64 / all as f64
        }
    }

    /// Returns recall: labelled scans found over labelled scans.
    pub fn recall(&self) -> f64 {
        if self.scans == 0 {
            1.0
        } else {
            self.found as f64 / self.scans as f64
        }
    }
}

/// Writes the results as a Markdown table with totals.
pub fn to_markdown(results: &[FileResult], parameters: &Parameters) -> String {
    let mut text = String::from(
        "| File | Kind | Expected | Found | Technique | Other findings | Probes to detect | psad on the same log |\n\
         |---|---|---|---|---|---|---|---|\n",
    );
    for result in results {
        let expected = match (&result.attacker, &result.expected_technique) {
            (Some(attacker), Some(technique)) => format!("{attacker}, {technique}"),
            (Some(attacker), None) => attacker.clone(),
            _ => "no scan".to_string(),
        };
        let found = match (&result.findings, result.attacker_finding()) {
            (Err(message), _) => format!("import failed: {message}"),
            (Ok(_), Some(finding)) => format!("yes ({} {})", finding.kind.as_str(), finding.technique.as_str()),
            (Ok(_), None) if result.attacker.is_some() => "**missed**".to_string(),
            (Ok(_), None) => "-".to_string(),
        };
        let technique = match result.technique_right() {
            Some(true) => "right",
            Some(false) => "**wrong**",
            None => "-",
        };
        let others = match (result.false_positives(), result.suppressed()) {
            (0, 0) => "0".to_string(),
            (0, suppressed) => format!("0 ({suppressed} suppressed)"),
            (others, 0) => format!("**{others}**"),
            (others, suppressed) => format!("**{others}** ({suppressed} suppressed)"),
        };
        let probes = result.probes_to_detect.map_or("-".to_string(), |count| count.to_string());
        let psad = result.psad.clone().unwrap_or_else(|| "-".to_string());
        text.push_str(&format!(
            "| `{}` | {} | {expected} | {found} | {technique} | {others} | {probes} | {psad} |\n",
            result.file, result.kind
        ));
    }
    let totals = Totals::of(results);
    text.push_str(&format!(
        "\nLabelled scans found: {} of {} (recall {:.2}). Findings naming the scanner: {}, other findings: {} (precision {:.2}). Technique right: {} of {}.\n\nParameters: {}.\n",
        totals.found,
        totals.scans,
        totals.recall(),
        totals.true_positives,
        totals.false_positives,
        totals.precision(),
        totals.technique_right,
        totals.technique_checked,
        parameters.to_map().iter().map(|(key, value)| format!("{key} = {value}")).collect::<Vec<_>>().join(", ")
    ));
    text
}
