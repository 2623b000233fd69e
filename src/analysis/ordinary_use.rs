//! Ordinary use that detection can mistake for a scan, and whose finding is suppressed.
//!
//! - A NAT gateway or proxy: one address with many clients behind it reaches many hosts and
//!   ports. A few of those contacts fail (a closed port, a host that is down), and across
//!   many clients the failures can reach a detection threshold. But most of the address's
//!   first contacts in the same period are sessions that carried data. The sequential
//!   likelihood-ratio test over all of them ([`score::decides_ordinary`]) then decides
//!   "ordinary client", and the failures give a suppressed finding.
//! - Monitoring and health checks: one source checks the same few ports on many hosts in
//!   rounds, every N seconds, and each check is answered. A scan tries each port of each host
//!   once, with a retry or two where nothing answers. Contacts that were each tried in
//!   [`MIN_CHECK_ROUNDS`] or more rounds, all answered as open and none half-opened give a
//!   suppressed finding. A version scan also connects to each open port several times, but it
//!   half-opens each port first.
//!
//! A suppressed finding stays in the case with its reason, as an allowlisted one does: the
//! report leaves it out and lists it among the findings it does not cover.
//!
//! NOTE: a scanner that holds more sessions than it has failed probes in the same period
//! (for example a crawler that also probes a few closed ports) is taken for a busy client.

use super::by_source::ContactsBySource;
use super::detect::Detection;
use super::merge::MergedContact;
use super::score;
use crate::model::{IpProtocol, Outcome};

/// Fewest probes per contact, on average, for a group of answered contacts to count as
/// checked in rounds.
///
/// Default 3: a scan sends one probe to a port that answers (nmap 7.93, hping3 and masscan
/// do not retry an answered port), while a health checker repeats its check for as long as
/// the evidence lasts (8 rounds in the fixture `benign_monitoring_tcp_checks.pcap`).
pub const MIN_CHECK_ROUNDS: u64 = 3;

/// Kind of ordinary use a detection shows, named in the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrdinaryUse {
    /// Most of the source's first contacts in the period were sessions with data.
    BusyClient,
    /// The same answered contacts were checked in rounds.
    Monitoring,
}

impl OrdinaryUse {
    /// Returns a short description for log messages.
    pub fn describe(self) -> &'static str {
        match self {
            Self::BusyClient => {
                "most of its first contacts in the period were sessions with data (NAT gateway or proxy)"
            }
            Self::Monitoring => "it checked the same answered ports in rounds (monitoring)",
        }
    }
}

/// Returns the kind of ordinary use a detection is, or `None` for a scan; see the module docs.
pub fn ordinary_use(detection: &Detection<'_>, by_source: &ContactsBySource<'_>) -> Option<OrdinaryUse> {
    if is_checked_in_rounds(&detection.contacts) {
        return Some(OrdinaryUse::Monitoring);
    }
    let (first, last) = (detection.first_ts_ns(), detection.last_ts_ns());
    let in_period = by_source
        .of(detection.source)
        .iter()
        .filter(|c| c.contact.first_ts_ns <= last && c.contact.last_ts_ns >= first);
    let (mut failed, mut succeeded) = (0, 0);
    for merged in in_period {
        if is_session(merged) {
            succeeded += 1;
        } else if is_failed(merged) {
            failed += 1;
        }
    }
    score::decides_ordinary(failed, succeeded).then_some(OrdinaryUse::BusyClient)
}

/// Returns true for a TCP session that carried data and that the source did not half-open
/// first, as a version scan does.
fn is_session(merged: &MergedContact) -> bool {
    let contact = &merged.contact;
    contact.protocol == IpProtocol::TCP
        && contact.handshake_completed
        && contact.payload_exchanged
        && !contact.source_reset
}

/// Returns true for a contact that reached no service.
fn is_failed(merged: &MergedContact) -> bool {
    merged.contact.outcome != Outcome::Open && !merged.contact.payload_exchanged
}

/// Returns true when every contact answered as open without being half-opened, and the
/// contacts got at least [`MIN_CHECK_ROUNDS`] probes each on average.
fn is_checked_in_rounds(contacts: &[&MergedContact]) -> bool {
    let checked = |c: &&MergedContact| c.contact.outcome == Outcome::Open && !c.contact.source_reset;
    if contacts.is_empty() || !contacts.iter().all(checked) {
        return false;
    }
    let probes: u64 = contacts.iter().map(|c| c.contact.probes).sum();
    probes >= MIN_CHECK_ROUNDS * contacts.len() as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::merge::tests::merged_contact;
    use crate::model::ScanKind;

    /// Builds `count` contacts from `source` to ports from `first_port` on, one every `step`
    /// nanoseconds, each with `probes` probes and `outcome`.
    fn spaced(
        source: &str,
        first_port: u16,
        count: u16,
        step: i64,
        probes: u64,
        outcome: Outcome,
    ) -> Vec<MergedContact> {
        (0..count)
            .map(|offset| {
                let ts_ns = 1_000 + step * i64::from(offset);
                let mut merged = merged_contact(source, "10.96.1.2", first_port + offset, ts_ns);
                merged.contact.probes = probes;
                merged.contact.outcome = outcome;
                merged
            })
            .collect()
    }

    fn contacts(source: &str, first_port: u16, count: u16, probes: u64, outcome: Outcome) -> Vec<MergedContact> {
        spaced(source, first_port, count, 1, probes, outcome)
    }

    fn with_sessions(mut merged: Vec<MergedContact>) -> Vec<MergedContact> {
        for contact in &mut merged {
            contact.contact.handshake_completed = true;
            contact.contact.payload_exchanged = true;
        }
        merged
    }

    #[test]
    fn nat_failures_among_sessions() {
        // Eight failures spread over the time of forty sessions.
        let failed = spaced("10.96.0.1", 9000, 8, 5, 1, Outcome::Closed);
        let sessions = with_sessions(contacts("10.96.0.1", 1, 40, 1, Outcome::Open));
        let all: Vec<MergedContact> = failed.iter().chain(&sessions).cloned().collect();
        let by_source = ContactsBySource::new(&all);
        let detection = Detection::new(
            ScanKind::Horizontal,
            crate::model::Technique::TcpConnect,
            "10.96.0.1".parse().expect("address"),
            all[..8].iter().collect(),
        );
        assert_eq!(ordinary_use(&detection, &by_source), Some(OrdinaryUse::BusyClient));
    }

    #[test]
    fn scan_with_few_sessions() {
        let failed = contacts("10.95.0.11", 1, 300, 1, Outcome::Closed);
        let sessions = with_sessions(contacts("10.95.0.11", 1000, 3, 1, Outcome::Open));
        let all: Vec<MergedContact> = failed.iter().chain(&sessions).cloned().collect();
        let by_source = ContactsBySource::new(&all);
        let detection = Detection::new(
            ScanKind::Vertical,
            crate::model::Technique::TcpSyn,
            "10.95.0.11".parse().expect("address"),
            all[..300].iter().collect(),
        );
        assert_eq!(ordinary_use(&detection, &by_source), None);
    }

    #[test]
    fn answered_checks_in_rounds() {
        let checks = contacts("10.96.0.3", 80, 20, 8, Outcome::Open);
        let by_source = ContactsBySource::new(&checks);
        let detection = Detection::new(
            ScanKind::Horizontal,
            crate::model::Technique::TcpConnect,
            "10.96.0.3".parse().expect("address"),
            checks.iter().collect(),
        );
        assert_eq!(ordinary_use(&detection, &by_source), Some(OrdinaryUse::Monitoring));
    }

    #[test]
    fn one_pass_connect_scan_of_open_ports() {
        // A connect scan of ports that all answer tries each once: not monitoring.
        let probes = contacts("10.96.0.3", 80, 20, 1, Outcome::Open);
        let by_source = ContactsBySource::new(&probes);
        let detection = Detection::new(
            ScanKind::Vertical,
            crate::model::Technique::TcpConnect,
            "10.96.0.3".parse().expect("address"),
            probes.iter().collect(),
        );
        assert_eq!(ordinary_use(&detection, &by_source), None);
    }

    #[test]
    fn version_scan_not_monitoring() {
        // A SYN scan with version probing half-opens each open port, then connects again.
        let mut probes = contacts("10.200.0.10", 22, 4, 5, Outcome::Open);
        for probe in &mut probes {
            probe.contact.source_reset = true;
        }
        let by_source = ContactsBySource::new(&probes);
        let detection = Detection::new(
            ScanKind::Vertical,
            crate::model::Technique::TcpSyn,
            "10.200.0.10".parse().expect("address"),
            probes.iter().collect(),
        );
        assert_eq!(ordinary_use(&detection, &by_source), None);
    }

    #[test]
    fn retried_unanswered_ports_not_monitoring() {
        let probes = contacts("10.96.0.3", 80, 20, 4, Outcome::Unanswered);
        let by_source = ContactsBySource::new(&probes);
        let detection = Detection::new(
            ScanKind::Vertical,
            crate::model::Technique::TcpSyn,
            "10.96.0.3".parse().expect("address"),
            probes.iter().collect(),
        );
        assert_eq!(ordinary_use(&detection, &by_source), None);
    }
}
