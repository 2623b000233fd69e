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
//!   ordinary use: how far the breadth exceeds the detection threshold, how many probes
//!   failed, and whether the probes have flag combinations that ordinary TCP stacks never send.

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

/// Confidence when the breadth equals the detection threshold, in percent.
pub const CONFIDENCE_AT_THRESHOLD: f64 = 55.0;
/// Percentage points per doubling of the breadth above the threshold.
pub const CONFIDENCE_PER_DOUBLING: f64 = 8.0;
/// Maximum percentage from breadth alone.
pub const CONFIDENCE_BREADTH_MAX: f64 = 85.0;
/// Percentage points when every contact failed (closed, filtered, blocked or unanswered),
/// scaled by the share that failed. Ordinary clients mostly reach open services.
pub const CONFIDENCE_FAILED_SHARE: f64 = 10.0;
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
    /// Distinct ports (vertical) or hosts (horizontal): the quantity compared to the threshold.
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
    if input.follow_up_session {
        score += SEVERITY_FOLLOW_UP_SESSION;
        parts.push(format!(
            "{SEVERITY_FOLLOW_UP_SESSION:.0} because the source later exchanged data with a scanned host"
        ));
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
        ScanKind::Block => "hosts with many ports each",
        ScanKind::Distributed => "ports on the same targets",
        ScanKind::PingSweep => "hosts asked whether they were up",
    };
    let ratio = input.breadth as f64 / input.threshold.max(1) as f64;
    let breadth =
        (CONFIDENCE_AT_THRESHOLD + CONFIDENCE_PER_DOUBLING * ratio.max(1.0).log2()).min(CONFIDENCE_BREADTH_MAX);
    let failed_share = if input.contacts == 0 { 0.0 } else { failed as f64 / input.contacts as f64 };
    let failed_points = CONFIDENCE_FAILED_SHARE * failed_share;
    let mut percent = breadth + failed_points;
    let mut sentence = format!(
        "The sum of {breadth:.0} points for {} distinct {unit} ({ratio:.1} times the detection threshold of {}) and {failed_points:.0} points because {failed} of {} probed port and host pairs ({:.0} %) were closed, filtered, blocked or unanswered",
        input.breadth,
        input.threshold,
        input.contacts,
        failed_share * 100.0
    );
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
    let uncapped = percent;
    let percent = percent.round().clamp(0.0, CONFIDENCE_MAX) as u8;
    let capped = if uncapped > CONFIDENCE_MAX {
        format!(", capped at {CONFIDENCE_MAX:.0} % because evidence never makes a verdict certain")
    } else {
        String::new()
    };
    Confidence { percent, explanation: format!("{sentence}{capped}.") }
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
        let result = confidence(&input(Technique::TcpSyn, 6, 3), 3);
        assert_eq!(result.percent, 60);
    }
}
