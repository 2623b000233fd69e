//! Severity and confidence of a finding, each with the sentence that explains it.
//!
//! Both are sums of named parts so that the explanation can list every part with its
//! points. The weights are this project's own judgement, not taken from another tool; they
//! are documented in `docs/findings-json.md` and shown in every report's methodology.
//!
//! - *Severity* measures how much the scan matters: how much it covered, whether it found open
//!   ports, whether it used probes meant to slip past filters, and whether the source went on
//!   to hold a session with a scanned host.
//! - *Confidence* measures how sure the analysis is that the activity is a scan and not
//!   ordinary use. Its parts are how far the breadth exceeds the detection threshold, a
//!   sequential likelihood ratio over failed and successful first contacts, and the breadth
//!   against the case's ordinary clients. Probe flags that ordinary TCP stacks never send,
//!   regular timing, a tool fingerprint and agreement between evidence files add to it.

use crate::model::{Confidence, ScanKind, Severity, SeverityLevel, Technique};

/// Points every finding starts with: any scan is reconnaissance worth recording.
pub const SEVERITY_BASE: f64 = 15.0;
/// Points per tenfold of distinct (target, port) contacts, so 10 contacts give 10 points
/// and 1000 give 30.
pub const SEVERITY_BREADTH_PER_DECADE: f64 = 10.0;
/// Maximum points for breadth.
pub const SEVERITY_BREADTH_MAX: f64 = 30.0;
/// Points when at least one port answered as open: the source learned of a service.
pub const SEVERITY_OPEN_FOUND: f64 = 15.0;
/// Extra points when at least [`SEVERITY_MANY_OPEN`] ports answered as open.
pub const SEVERITY_MANY_OPEN_EXTRA: f64 = 5.0;
/// Number of open ports from which [`SEVERITY_MANY_OPEN_EXTRA`] applies.
pub const SEVERITY_MANY_OPEN: u64 = 5;
/// Points for FIN, NULL, Xmas and ACK probes, which are built to pass or map filters.
pub const SEVERITY_EVASIVE_TECHNIQUE: f64 = 10.0;
/// Points when the source is inside the case's internal networks: scans from inside are
/// rarer than the background of Internet scanning and suggest a compromised host.
pub const SEVERITY_INTERNAL_SOURCE: f64 = 15.0;
/// Points when the source later exchanged payload with a scanned host: a possible next step.
pub const SEVERITY_FOLLOW_UP_SESSION: f64 = 25.0;
/// Points when an open port is one of [`SENSITIVE_TCP_PORTS`]: the scan found a service that
/// gives remote control of a host or direct access to data.
pub const SEVERITY_SENSITIVE_SERVICE: f64 = 10.0;
/// Points taken off when a firewall blocked every probe: nothing reached the targets.
pub const SEVERITY_ALL_BLOCKED: f64 = -10.0;
/// TCP ports of remote-access, file-sharing and database services (IANA service names): FTP
/// 21, SSH 22, Telnet 23, MS RPC 135, NetBIOS session 139, SMB 445, MS SQL 1433, Oracle 1521,
/// NFS 2049, Docker API 2375, MySQL 3306, RDP 3389, PostgreSQL 5432, VNC 5900, WinRM 5985 and
/// 5986, Redis 6379, Elasticsearch 9200, MongoDB 27017. This project's list of services whose
/// exposure an incident report should name.
pub const SENSITIVE_TCP_PORTS: [u16; 19] =
    [21, 22, 23, 135, 139, 445, 1433, 1521, 2049, 2375, 3306, 3389, 5432, 5900, 5985, 5986, 6379, 9200, 27017];

/// Confidence when the breadth equals the detection threshold, in percent.
pub const CONFIDENCE_AT_THRESHOLD: f64 = 55.0;
/// Percentage points per doubling of the breadth above the threshold.
pub const CONFIDENCE_PER_DOUBLING: f64 = 8.0;
/// Maximum percentage from breadth alone.
pub const CONFIDENCE_BREADTH_MAX: f64 = 85.0;
/// Percentage points, up or down, from the sequential likelihood-ratio test over first
/// contacts (the test behind Threshold Random Walk scan detection): full points once the
/// ratio reaches [`TRW_DECISION_RATIO`] either way, less before.
pub const CONFIDENCE_SEQUENTIAL_TEST: f64 = 10.0;
/// Probability that a first contact of an ordinary client succeeds (reaches an open port).
/// This project's choice: clients connect to services they know exist.
pub const TRW_ORDINARY_SUCCESS: f64 = 0.8;
/// Probability that a first contact of a scanner succeeds. This project's choice: most of
/// the ports and hosts a scanner tries are closed, filtered or absent.
pub const TRW_SCANNER_SUCCESS: f64 = 0.2;
/// Likelihood ratio at which the sequential test decides, either way: odds of 99 to 1.
pub const TRW_DECISION_RATIO: f64 = 99.0;
/// Percentage points when the finding probed at least [`ORDINARY_BREADTH_FACTOR`] times as
/// many port and host pairs as 95 % of the case's ordinary clients.
pub const CONFIDENCE_WIDER_THAN_ORDINARY: f64 = 5.0;
/// Percentage points taken off when the finding probed no more pairs than 95 % of the case's
/// ordinary clients: breadth alone does not set it apart.
pub const CONFIDENCE_LIKE_ORDINARY: f64 = -10.0;
/// How many times the ordinary clients' 95th percentile a finding's breadth must reach for
/// [`CONFIDENCE_WIDER_THAN_ORDINARY`].
pub const ORDINARY_BREADTH_FACTOR: u64 = 10;
/// Percentage points when the probes came at regular intervals, a tool's fixed delay.
pub const CONFIDENCE_REGULAR_TIMING: f64 = 5.0;
/// Percentage points when the probes are in more than one evidence file (for example a
/// capture and a firewall log), which agree on them.
pub const CONFIDENCE_EVIDENCE_AGREES: f64 = 5.0;
/// Percentage points for FIN, NULL or Xmas probes, which no ordinary TCP stack sends.
pub const CONFIDENCE_ABNORMAL_FLAGS: f64 = 10.0;
/// Percentage points when the probes match a known scanner's probe template.
pub const CONFIDENCE_TOOL_FINGERPRINT: f64 = 5.0;
/// Upper bound of any confidence, in percent: evidence never makes a verdict certain.
pub const CONFIDENCE_MAX: f64 = 99.0;

/// The numbers a score is computed from.
#[derive(Debug, Clone)]
pub struct ScoreInput {
    /// Vertical or horizontal.
    pub kind: ScanKind,
    /// Technique of the probes.
    pub technique: Technique,
    /// Distinct (target, port) pairs probed.
    pub contacts: u64,
    /// Distinct ports (vertical, block) or hosts (horizontal): the quantity compared to the
    /// threshold.
    pub breadth: u64,
    /// The detection threshold for `breadth`.
    pub threshold: u64,
    /// Contacts answered as open.
    pub open: u64,
    /// Whether the source later exchanged payload with a scanned host.
    pub follow_up_session: bool,
    /// The scanner whose probe template the probes match, when one does.
    pub tool: Option<String>,
    /// Whether the source is inside the case's internal networks.
    pub internal_source: bool,
    /// Open ports that are in [`SENSITIVE_TCP_PORTS`], ascending, without repeats.
    pub sensitive_open: Vec<u16>,
    /// Contacts a firewall log shows as blocked.
    pub blocked: u64,
    /// Whether the probes came at regular intervals.
    pub regular_timing: bool,
    /// Number of evidence files the probes are in.
    pub evidence_files: usize,
    /// 95th percentile of the distinct (target, port) pairs of the case's sources that are in
    /// no finding, when the case has at least [`super::MIN_ORDINARY_SOURCES`] of them.
    pub ordinary_breadth_p95: Option<u64>,
}

fn is_evasive(technique: Technique) -> bool {
    matches!(
        technique,
        Technique::TcpFin
            | Technique::TcpNull
            | Technique::TcpXmas
            | Technique::TcpAck
            | Technique::TcpMaimon
            | Technique::TcpWindow
    )
}

fn has_abnormal_flags(technique: Technique) -> bool {
    matches!(technique, Technique::TcpFin | Technique::TcpNull | Technique::TcpXmas)
}

/// Computes the severity and its explanation.
pub fn severity(input: &ScoreInput) -> Severity {
    let mut parts: Vec<String> = vec![format!("{SEVERITY_BASE:.0} points for reconnaissance")];
    let mut score = SEVERITY_BASE;

    let breadth = (SEVERITY_BREADTH_PER_DECADE * (input.contacts.max(1) as f64).log10()).min(SEVERITY_BREADTH_MAX);
    score += breadth;
    parts.push(format!("{breadth:.0} for {} probed port and host pairs", input.contacts));

    if input.open > 0 {
        let mut points = SEVERITY_OPEN_FOUND;
        if input.open >= SEVERITY_MANY_OPEN {
            points += SEVERITY_MANY_OPEN_EXTRA;
        }
        score += points;
        parts.push(format!("{points:.0} because {} answered as open", plural(input.open, "port", "ports")));
    } else {
        parts.push("0 for open ports, since none answered as open".to_string());
    }
    if is_evasive(input.technique) {
        score += SEVERITY_EVASIVE_TECHNIQUE;
        parts.push(format!(
            "{SEVERITY_EVASIVE_TECHNIQUE:.0} for {} probes, built to pass or map filters",
            technique_word(input.technique)
        ));
    }
    if input.internal_source {
        score += SEVERITY_INTERNAL_SOURCE;
        parts.push(format!(
            "{SEVERITY_INTERNAL_SOURCE:.0} because the source is inside the organisation's networks, where a scanner suggests a compromised host"
        ));
    }
    if !input.sensitive_open.is_empty() {
        score += SEVERITY_SENSITIVE_SERVICE;
        let ports: Vec<String> = input.sensitive_open.iter().map(|port| format!("{port}/tcp")).collect();
        parts.push(format!(
            "{SEVERITY_SENSITIVE_SERVICE:.0} because open ports include remote-access or data services ({})",
            ports.join(", ")
        ));
    }
    if input.follow_up_session {
        score += SEVERITY_FOLLOW_UP_SESSION;
        parts.push(format!(
            "{SEVERITY_FOLLOW_UP_SESSION:.0} because the source later exchanged data with a scanned host"
        ));
    }
    if input.contacts > 0 && input.blocked == input.contacts {
        score += SEVERITY_ALL_BLOCKED;
        parts.push(format!("{SEVERITY_ALL_BLOCKED:.0} because a firewall blocked every probe"));
    }
    let score = score.round().clamp(0.0, 100.0) as u8;
    let level = SeverityLevel::from_score(score);
    let explanation = match parts.split_last() {
        Some((last, [])) => format!("The sum of {last}."),
        Some((last, rest)) => format!("The sum of {}, and {last}.", rest.join(", ")),
        None => String::new(),
    };
    Severity { score, level, explanation }
}

/// Computes the confidence and its explanation.
pub fn confidence(input: &ScoreInput, failed: u64) -> Confidence {
    let unit = match input.kind {
        ScanKind::Vertical => "ports on one host",
        ScanKind::Horizontal => "hosts on the same port",
        ScanKind::Block => "ports on several hosts",
        ScanKind::Distributed => "ports on the same targets",
        ScanKind::PingSweep => "hosts asked whether they were up",
    };
    let ratio = input.breadth as f64 / input.threshold.max(1) as f64;
    let breadth =
        (CONFIDENCE_AT_THRESHOLD + CONFIDENCE_PER_DOUBLING * ratio.max(1.0).log2()).min(CONFIDENCE_BREADTH_MAX);
    let mut percent = breadth;
    let mut sentence = format!(
        "The sum of {breadth:.0} points for {} distinct {unit} ({ratio:.1} times the detection threshold of {})",
        input.breadth, input.threshold,
    );
    let (test_points, test_words) = sequential_test(failed, input.open);
    percent += test_points;
    sentence.push_str(&format!(", {test_points:+.0} points because {test_words}"));
    if let Some(p95) = input.ordinary_breadth_p95 {
        if input.contacts <= p95 {
            percent += CONFIDENCE_LIKE_ORDINARY;
            sentence.push_str(&format!(
                ", {CONFIDENCE_LIKE_ORDINARY:+.0} points because 95 % of the case's other sources probed up to {p95} port and host pairs, as many as this one ({})",
                input.contacts
            ));
        } else if input.contacts >= p95.max(1) * ORDINARY_BREADTH_FACTOR {
            percent += CONFIDENCE_WIDER_THAN_ORDINARY;
            sentence.push_str(&format!(
                ", {CONFIDENCE_WIDER_THAN_ORDINARY:+.0} points because 95 % of the case's other sources probed at most {p95} port and host pairs and this one {}",
                input.contacts
            ));
        }
    }
    if has_abnormal_flags(input.technique) {
        percent += CONFIDENCE_ABNORMAL_FLAGS;
        sentence.push_str(&format!(
            ", plus {CONFIDENCE_ABNORMAL_FLAGS:.0} points because ordinary TCP stacks never send {} probes",
            technique_word(input.technique)
        ));
    }
    if let Some(tool) = &input.tool {
        percent += CONFIDENCE_TOOL_FINGERPRINT;
        sentence.push_str(&format!(
            ", plus {CONFIDENCE_TOOL_FINGERPRINT:.0} points because the probes match {tool}'s probe template"
        ));
    }
    if input.regular_timing {
        percent += CONFIDENCE_REGULAR_TIMING;
        sentence.push_str(&format!(
            ", plus {CONFIDENCE_REGULAR_TIMING:.0} points because the probes came at regular intervals, a tool's fixed delay"
        ));
    }
    if input.evidence_files > 1 {
        percent += CONFIDENCE_EVIDENCE_AGREES;
        sentence.push_str(&format!(
            ", plus {CONFIDENCE_EVIDENCE_AGREES:.0} points because {} evidence files show the same probes",
            input.evidence_files
        ));
    }
    let uncapped = percent;
    let percent = percent.round().clamp(0.0, CONFIDENCE_MAX) as u8;
    let capped = if uncapped > CONFIDENCE_MAX {
        format!(", capped at {CONFIDENCE_MAX:.0} % because evidence never makes a verdict certain")
    } else {
        String::new()
    };
    Confidence { percent, explanation: format!("{sentence}{capped}.") }
}

/// Returns the points and the reason from the sequential likelihood-ratio test over first
/// contacts: each failed contact multiplies the ratio of "scanner" to "ordinary client" by
/// (1 - [`TRW_SCANNER_SUCCESS`]) / (1 - [`TRW_ORDINARY_SUCCESS`]), each successful one by
/// [`TRW_SCANNER_SUCCESS`] / [`TRW_ORDINARY_SUCCESS`]. The points scale with the log of the
/// ratio up to the decision bound [`TRW_DECISION_RATIO`] in either direction.
fn sequential_test(failed: u64, succeeded: u64) -> (f64, String) {
    let log_ratio = sequential_log_ratio(failed, succeeded);
    let bound = TRW_DECISION_RATIO.ln();
    let progress = (log_ratio / bound).clamp(-1.0, 1.0);
    let points = CONFIDENCE_SEQUENTIAL_TEST * progress;
    let outcome = if progress >= 1.0 {
        "which a sequential likelihood-ratio test (Threshold Random Walk) decides as a scanner"
    } else if progress <= -1.0 {
        "which a sequential likelihood-ratio test (Threshold Random Walk) decides as an ordinary client"
    } else {
        "too few for a sequential likelihood-ratio test (Threshold Random Walk) to decide"
    };
    let words = format!(
        "{} failed and {} succeeded as first contacts, {outcome}",
        plural(failed, "contact", "contacts"),
        succeeded
    );
    (points.round(), words)
}

/// Returns the natural log of the sequential test's likelihood ratio of "scanner" to
/// "ordinary client" after `failed` failed and `succeeded` successful first contacts.
fn sequential_log_ratio(failed: u64, succeeded: u64) -> f64 {
    let per_failure = ((1.0 - TRW_SCANNER_SUCCESS) / (1.0 - TRW_ORDINARY_SUCCESS)).ln();
    let per_success = (TRW_SCANNER_SUCCESS / TRW_ORDINARY_SUCCESS).ln();
    failed as f64 * per_failure + succeeded as f64 * per_success
}

/// Returns true when the sequential likelihood-ratio test decides "ordinary client": the
/// successful first contacts outweigh the failed ones until the ratio reaches
/// 1 / [`TRW_DECISION_RATIO`]. With the default probabilities, that takes 4 more successes
/// than failures.
pub fn decides_ordinary(failed: u64, succeeded: u64) -> bool {
    sequential_log_ratio(failed, succeeded) <= -TRW_DECISION_RATIO.ln()
}

fn technique_word(technique: Technique) -> &'static str {
    match technique {
        Technique::TcpFin => "FIN",
        Technique::TcpNull => "NULL",
        Technique::TcpXmas => "Xmas",
        Technique::TcpAck => "ACK",
        Technique::TcpMaimon => "FIN/ACK",
        Technique::TcpWindow => "ACK (window)",
        Technique::TcpSyn => "SYN",
        Technique::TcpConnect => "connect",
        Technique::Udp => "UDP",
        Technique::IcmpEcho => "ICMP echo",
        Technique::Arp => "ARP",
        Technique::IpProtocol => "IP protocol",
        Technique::SctpInit => "SCTP INIT",
    }
}

/// Formats a count with the singular or plural noun.
pub fn plural(count: u64, singular: &str, plural: &str) -> String {
    if count == 1 {
        format!("1 {singular}")
    } else {
        format!("{count} {plural}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(technique: Technique, contacts: u64, open: u64) -> ScoreInput {
        ScoreInput {
            kind: ScanKind::Vertical,
            technique,
            contacts,
            breadth: contacts,
            threshold: 6,
            open,
            follow_up_session: false,
            tool: None,
            internal_source: false,
            sensitive_open: Vec::new(),
            blocked: 0,
            regular_timing: false,
            evidence_files: 1,
            ordinary_breadth_p95: None,
        }
    }

    #[test]
    fn severity_grows_with_breadth() {
        let small = severity(&input(Technique::TcpSyn, 8, 4));
        let large = severity(&input(Technique::TcpSyn, 1000, 4));
        assert!(large.score > small.score, "{} <= {}", large.score, small.score);
        assert!(large.explanation.contains("1000 probed port and host pairs"));
    }

    #[test]
    fn severity_follow_up_session_raises_level() {
        let mut with_session = input(Technique::TcpSyn, 1000, 4);
        with_session.follow_up_session = true;
        let plain = severity(&input(Technique::TcpSyn, 1000, 4));
        let raised = severity(&with_session);
        assert_eq!(raised.score, plain.score + SEVERITY_FOLLOW_UP_SESSION as u8);
        assert!(raised.level > plain.level);
    }

    #[test]
    fn confidence_explains_numbers() {
        let result = confidence(&input(Technique::TcpFin, 1000, 0), 1000);
        assert_eq!(result.percent, CONFIDENCE_MAX as u8);
        assert!(result.explanation.contains("1000 distinct ports on one host"));
        assert!(result.explanation.contains("ordinary TCP stacks never send FIN probes"));
    }

    #[test]
    fn confidence_near_threshold_is_moderate() {
        // As many failures as successes leave the sequential test where it started.
        let result = confidence(&input(Technique::TcpSyn, 6, 3), 3);
        assert_eq!(result.percent, CONFIDENCE_AT_THRESHOLD as u8);
        assert!(result.explanation.contains("too few for a sequential likelihood-ratio test"));
    }

    #[test]
    fn sequential_test_decides_both_ways() {
        let scanner = confidence(&input(Technique::TcpSyn, 20, 0), 20);
        let client = confidence(&input(Technique::TcpSyn, 20, 20), 0);
        assert_eq!(i32::from(scanner.percent) - i32::from(client.percent), 2 * CONFIDENCE_SEQUENTIAL_TEST as i32);
        assert!(scanner.explanation.contains("decides as a scanner"));
        assert!(client.explanation.contains("decides as an ordinary client"));
    }

    #[test]
    fn ordinary_decision_needs_four_net_successes() {
        assert!(!decides_ordinary(0, 3));
        assert!(decides_ordinary(0, 4));
        assert!(decides_ordinary(8, 56));
        assert!(!decides_ordinary(993, 4));
    }

    #[test]
    fn sequential_test_needs_net_failures() {
        // With success probabilities 0.8 and 0.2, each failure multiplies the ratio by 4 and
        // each success divides it by 4, so odds of 99 take four more failures than successes.
        assert_eq!(sequential_test(3, 0).0, (CONFIDENCE_SEQUENTIAL_TEST * 3.0 * 4f64.ln() / 99f64.ln()).round());
        assert_eq!(sequential_test(4, 0).0, CONFIDENCE_SEQUENTIAL_TEST);
        assert_eq!(sequential_test(7, 3).0, CONFIDENCE_SEQUENTIAL_TEST);
        assert_eq!(sequential_test(3, 7).0, -CONFIDENCE_SEQUENTIAL_TEST);
    }

    #[test]
    fn ordinary_clients_set_the_bar() {
        let base = confidence(&input(Technique::TcpSyn, 40, 0), 40).percent;

        let mut like_ordinary = input(Technique::TcpSyn, 40, 0);
        like_ordinary.ordinary_breadth_p95 = Some(50);
        let lowered = confidence(&like_ordinary, 40);
        assert_eq!(i32::from(lowered.percent), i32::from(base) + CONFIDENCE_LIKE_ORDINARY as i32);
        assert!(lowered.explanation.contains("up to 50 port and host pairs"));

        let mut wider = input(Technique::TcpSyn, 40, 0);
        wider.ordinary_breadth_p95 = Some(4);
        let raised = confidence(&wider, 40);
        assert_eq!(i32::from(raised.percent), i32::from(base) + CONFIDENCE_WIDER_THAN_ORDINARY as i32);

        let mut between = input(Technique::TcpSyn, 40, 0);
        between.ordinary_breadth_p95 = Some(10);
        assert_eq!(confidence(&between, 40).percent, base);
    }

    #[test]
    fn timing_and_agreement_add_points() {
        let base = confidence(&input(Technique::TcpSyn, 12, 0), 12).percent;
        let mut both = input(Technique::TcpSyn, 12, 0);
        both.regular_timing = true;
        both.evidence_files = 2;
        let result = confidence(&both, 12);
        let added = CONFIDENCE_REGULAR_TIMING + CONFIDENCE_EVIDENCE_AGREES;
        assert_eq!(i32::from(result.percent), i32::from(base) + added as i32);
        assert!(result.explanation.contains("regular intervals"));
        assert!(result.explanation.contains("2 evidence files show the same probes"));
    }

    #[test]
    fn severity_names_sensitive_services() {
        let plain = severity(&input(Technique::TcpSyn, 100, 2));
        let mut sensitive = input(Technique::TcpSyn, 100, 2);
        sensitive.sensitive_open = vec![22, 3389];
        let raised = severity(&sensitive);
        assert_eq!(raised.score, plain.score + SEVERITY_SENSITIVE_SERVICE as u8);
        assert!(raised.explanation.contains("(22/tcp, 3389/tcp)"));
    }

    #[test]
    fn severity_lowered_when_all_blocked() {
        let plain = severity(&input(Technique::TcpSyn, 100, 0));
        let mut blocked = input(Technique::TcpSyn, 100, 0);
        blocked.blocked = 100;
        let lowered = severity(&blocked);
        assert_eq!(i32::from(lowered.score), i32::from(plain.score) + SEVERITY_ALL_BLOCKED as i32);
        assert!(lowered.explanation.contains("blocked every probe"));

        blocked.blocked = 99;
        assert_eq!(severity(&blocked).score, plain.score);
    }
}
