//! Scan analysis: from the observations of a case to scored, explained findings.
//!
//! The analysis reads the contacts of every evidence file in the case and merges the views
//! of the same contact ([`merge`]). It groups the contacts into vertical and horizontal scans
//! and ping sweeps ([`detect`]), joins the parts of block and distributed scans
//! ([`combine`]), splits each source's activity into campaigns at long quiet gaps
//! ([`campaign`]), suppresses what is ordinary use of NAT gateways, proxies and monitoring
//! ([`ordinary_use`]) and builds one finding per scan with its severity and confidence
//! ([`finding`], [`score`]). The results replace those of any earlier analysis of the case.

pub mod by_source;
pub mod campaign;
pub mod combine;
pub mod detect;
pub mod extra;
pub mod finding;
pub mod fingerprint;
pub mod merge;
pub mod ordinary_use;
pub mod score;
pub mod shared_work;
pub mod syn_builder;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use std::net::IpAddr;

use ipnet::IpNet;

use crate::case::{now_ns, AllowlistEntry, Case, CaseError};
use crate::job::{JobObserver, JobPart, Unobserved};
use crate::model::{AnalysisRun, Finding};

/// Detection thresholds of one analysis run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parameters {
    /// Distinct ports one source must probe on one host for a vertical scan.
    ///
    /// Default 6: in the labelled corpus the benign clients reach at most 5 distinct ports
    /// of one host (with payload on all but one, which this analysis does not count), and
    /// the smallest real scan probes 8.
    pub min_ports_vertical: usize,
    /// Distinct hosts one source must probe on the same port for a horizontal scan.
    ///
    /// Default 5: an ordinary client talks to a handful of servers on one service port
    /// with payload; probes without payload to five or more hosts are a sweep.
    pub min_hosts_horizontal: usize,
    /// Longest quiet time within one campaign of a source, in seconds; a longer gap starts a
    /// new finding.
    ///
    /// Default 86 400 (one day): slow scans space probes by up to an hour (nmap -T0 waits
    /// 5 minutes), and the slowest labelled scan in the test corpus has 3 hours between
    /// probes, so a day without probes separates scans an investigator would report apart.
    pub campaign_gap_s: u64,
    /// Most ICMP echo, timestamp or ARP requests per host for a ping sweep, on average over
    /// its hosts.
    ///
    /// Default 4: a sweep sends each host one or two requests (nmap 7.93 sends one echo and one
    /// timestamp request and retries once), while monitoring pings the same hosts every few
    /// minutes for as long as the evidence lasts.
    pub max_echo_requests_per_host: u64,
    /// Distinct addresses one source must ask for with ARP requests for an ARP sweep.
    ///
    /// Default 10, above [`Self::min_hosts_horizontal`] because every host sends ARP
    /// requests for its gateway and peers. In a public 28-minute capture of a LAN's background
    /// traffic the busiest host requested 5 addresses, while nmap -sn on a local link requests
    /// every address of the range (254 for a /24).
    pub min_hosts_arp_sweep: usize,
}

impl Default for Parameters {
    fn default() -> Self {
        Self {
            min_ports_vertical: 6,
            min_hosts_horizontal: 5,
            campaign_gap_s: 86_400,
            max_echo_requests_per_host: 4,
            min_hosts_arp_sweep: 10,
        }
    }
}

/// Names of the parameters a case can set, with a short description and unit of each, in the
/// order the settings show them.
pub const PARAMETER_NAMES: [(&str, &str); 5] = [
    ("min_ports_vertical", "distinct ports one source must probe on one host for a vertical scan"),
    ("min_hosts_horizontal", "distinct hosts one source must probe on one port for a horizontal scan"),
    ("campaign_gap_s", "longest quiet time within one scan, in seconds; a longer gap starts a new finding"),
    ("max_echo_requests_per_host", "most ICMP or ARP requests per host, on average, for a ping sweep"),
    ("min_hosts_arp_sweep", "distinct addresses one source must ask for with ARP requests for an ARP sweep"),
];

impl Parameters {
    /// Returns the value of a parameter by name, or `None` for an unknown name.
    pub fn get(&self, name: &str) -> Option<u64> {
        let value = match name {
            "min_ports_vertical" => self.min_ports_vertical as u64,
            "min_hosts_horizontal" => self.min_hosts_horizontal as u64,
            "campaign_gap_s" => self.campaign_gap_s,
            "max_echo_requests_per_host" => self.max_echo_requests_per_host,
            "min_hosts_arp_sweep" => self.min_hosts_arp_sweep as u64,
            _ => return None,
        };
        Some(value)
    }

    /// Sets a parameter by name. Fails with a message for an unknown name or a zero value,
    /// which would make every contact a scan or split every probe into its own finding.
    pub fn set(&mut self, name: &str, value: u64) -> Result<(), String> {
        if value == 0 {
            return Err(format!("{name} is 0; give a whole number of at least 1"));
        }
        let count = usize::try_from(value).unwrap_or(usize::MAX);
        match name {
            "min_ports_vertical" => self.min_ports_vertical = count,
            "min_hosts_horizontal" => self.min_hosts_horizontal = count,
            "campaign_gap_s" => self.campaign_gap_s = value,
            "max_echo_requests_per_host" => self.max_echo_requests_per_host = value,
            "min_hosts_arp_sweep" => self.min_hosts_arp_sweep = count,
            _ => {
                let known: Vec<&str> = PARAMETER_NAMES.iter().map(|(name, _)| *name).collect();
                return Err(format!("unknown parameter '{name}'; the parameters are {}", known.join(", ")));
            }
        }
        Ok(())
    }

    /// Returns the parameters by name, as recorded in the case and the report.
    pub fn to_map(&self) -> BTreeMap<String, String> {
        BTreeMap::from([
            ("min_ports_vertical".to_string(), self.min_ports_vertical.to_string()),
            ("min_hosts_horizontal".to_string(), self.min_hosts_horizontal.to_string()),
            ("campaign_gap_s".to_string(), self.campaign_gap_s.to_string()),
            ("max_echo_requests_per_host".to_string(), self.max_echo_requests_per_host.to_string()),
            ("min_hosts_arp_sweep".to_string(), self.min_hosts_arp_sweep.to_string()),
            ("time_window".to_string(), "none (whole case)".to_string()),
        ])
    }
}

/// Reads the analysis parameters of a case: the defaults, with the values set in the case's
/// settings. A stored name this build does not know is left out with a warning.
pub fn case_parameters(case: &Case) -> Result<Parameters, CaseError> {
    let mut parameters = Parameters::default();
    for (name, value) in case.settings()?.analysis_parameters {
        if let Err(problem) = parameters.set(&name, value) {
            log::warn!("{}: analysis parameter left at its default: {problem}", case.path().display());
        }
    }
    Ok(parameters)
}

/// Result of [`analyze_case`].
#[derive(Debug, Clone)]
pub struct AnalysisOutcome {
    /// Row id of the stored run.
    pub run_id: i64,
    /// Number of distinct contacts over all evidence.
    pub contacts: usize,
    /// The findings, without citations.
    pub findings: Vec<Finding>,
}

/// Analyzes every observation of the case and stores the contacts and findings.
pub fn analyze_case(
    case: &mut Case,
    parameters: &Parameters,
    actor: Option<&str>,
) -> Result<AnalysisOutcome, CaseError> {
    analyze_case_observed(case, parameters, actor, &mut Unobserved)
}

/// Outcome of a cancelled analysis, as its error states it.
const CANCELLED_ANALYSIS: &str = "the case keeps the findings of the previous analysis";

/// Analyzes the case as [`analyze_case`] does, reporting each part to `observer` and
/// stopping before the findings are stored when it cancels.
pub fn analyze_case_observed(
    case: &mut Case,
    parameters: &Parameters,
    actor: Option<&str>,
    observer: &mut dyn JobObserver,
) -> Result<AnalysisOutcome, CaseError> {
    let cancelled = |case: &Case| CaseError::Cancelled {
        path: case.path().to_path_buf(),
        job: "analysis",
        outcome: CANCELLED_ANALYSIS,
    };
    observer.progress(JobPart::ReadingContacts, 0, 1);
    let mut probe_times = case.probe_times()?;
    let first_probes = case.first_probe_shapes()?;
    let stored = case.contacts()?;
    if observer.is_cancelled() {
        return Err(cancelled(case));
    }
    observer.progress(JobPart::DetectingScans, 0, 1);
    let contacts = merge::merge(stored, &mut probe_times, &first_probes);
    let evidence_names: HashMap<i64, String> = case
        .evidence()?
        .into_iter()
        .map(|record| {
            let name = Path::new(&record.path).file_name().map(|n| n.to_string_lossy().into_owned());
            (record.id, name.unwrap_or(record.path))
        })
        .collect();
    let context =
        CaseContext { evidence_names, allowlist: case.allowlist()?, internal_networks: case.internal_networks()? };
    let findings = find_scans(&contacts, parameters, &context);
    if observer.is_cancelled() {
        return Err(cancelled(case));
    }

    observer.progress(JobPart::StoringFindings, 0, 1);
    let run = AnalysisRun { ran_at_ns: now_ns(), version: crate::VERSION.to_string(), parameters: parameters.to_map() };
    let run_id = case.replace_analysis(&run, &findings, actor)?;
    observer.progress(JobPart::StoringFindings, 1, 1);
    Ok(AnalysisOutcome {
        run_id,
        contacts: contacts.len(),
        findings: findings.into_iter().map(|(finding, _)| finding).collect(),
    })
}

/// Fewest sources outside every finding for the confidence to compare a finding's breadth
/// with theirs; with fewer, their 95th percentile says little.
pub const MIN_ORDINARY_SOURCES: usize = 5;

/// Detects scans among merged contacts and builds their findings, labelled `F-1`, `F-2`, ...
/// in order of the first probe. Each finding comes with the row ids of the stored contacts
/// whose probes it cites.
pub fn find_scans(
    contacts: &[merge::MergedContact],
    parameters: &Parameters,
    context: &CaseContext,
) -> Vec<(Finding, Vec<i64>)> {
    let by_source = by_source::ContactsBySource::new(contacts);
    let detections = detect::detect(contacts, parameters);
    // Ordinary use (a NAT gateway, a proxy, monitoring) gives a suppressed finding, so the
    // examiner still sees what was set aside and why.
    let ordinary: Vec<Option<ordinary_use::OrdinaryUse>> =
        detections.iter().map(|detection| ordinary_use::ordinary_use(detection, &by_source)).collect();
    for (detection, kind) in detections.iter().zip(&ordinary) {
        if let Some(kind) = kind {
            log::info!(
                "suppressing {} {} of {} ({} contacts): {}",
                detection.kind.as_str(),
                detection.technique.as_str(),
                detection.source,
                detection.contacts.len(),
                kind.describe()
            );
        }
    }
    // Sources set aside as ordinary use stay among the ordinary sources the confidence
    // compares a scan's breadth with.
    let scanning: HashSet<IpAddr> = detections
        .iter()
        .zip(&ordinary)
        .filter(|(_, kind)| kind.is_none())
        .flat_map(|(detection, _)| {
            std::iter::once(detection.source)
                .chain(detection.other_sources.iter().copied())
                .chain(detection.decoys.iter().copied())
        })
        .collect();
    let ordinary_p95 = by_source.ordinary_breadth_p95(&scanning, MIN_ORDINARY_SOURCES);
    detections
        .iter()
        .zip(&ordinary)
        .enumerate()
        .map(|(index, (detection, kind))| {
            let label = format!("F-{}", index + 1);
            let reason = kind.map(ordinary_use::OrdinaryUse::describe);
            finding::build(label, detection, &by_source, ordinary_p95, parameters, context, reason)
        })
        .collect()
}

/// Case data the analysis reads besides the contacts.
#[derive(Debug, Clone, Default)]
pub struct CaseContext {
    /// File name of each evidence file, by row id.
    pub evidence_names: HashMap<i64, String>,
    /// Sources whose findings are suppressed, with the reason.
    pub allowlist: Vec<AllowlistEntry>,
    /// The organisation's networks; empty means the private and local address ranges.
    pub internal_networks: Vec<IpNet>,
}

impl CaseContext {
    /// Returns true when `address` is inside the internal networks, or, when none were set,
    /// not a globally routed address.
    pub fn is_internal(&self, address: IpAddr) -> bool {
        if self.internal_networks.is_empty() {
            !finding::is_global(address)
        } else {
            self.internal_networks.iter().any(|network| network.contains(&address))
        }
    }

    /// Returns the allowlist entry that covers `address`, the most specific one first.
    pub fn allowlisted(&self, address: IpAddr) -> Option<&AllowlistEntry> {
        self.allowlist
            .iter()
            .filter(|entry| entry.network.contains(&address))
            .max_by_key(|entry| entry.network.prefix_len())
    }
}
