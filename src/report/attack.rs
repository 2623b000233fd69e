//! The bundled MITRE ATT&CK data the report needs: names, tactics and mitigations of the
//! techniques the analysis assigns to scans.
//!
//! The report must work offline, so this small table replaces a lookup in the ATT&CK
//! knowledge base. Names and mitigation IDs follow the Enterprise ATT&CK technique pages
//! (attack.mitre.org); an ID missing here is still reported, marked as not in the table.

/// One ATT&CK technique or sub-technique.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttackTechnique {
    /// Technique ID, for example `T1046` or `T1595.001`.
    pub id: &'static str,
    /// Name as ATT&CK writes it (sub-techniques without their parent's name).
    pub name: &'static str,
    /// The tactic the technique serves.
    pub tactic: &'static str,
    /// IDs of the mitigations ATT&CK lists for it, looked up in [`MITIGATIONS`].
    pub mitigations: &'static [&'static str],
    /// ATT&CK's note when it lists no mitigation.
    pub no_mitigation_note: Option<&'static str>,
}

/// One ATT&CK mitigation, with what it means for a scan incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttackMitigation {
    /// Mitigation ID, for example `M1031`.
    pub id: &'static str,
    /// Name as ATT&CK writes it.
    pub name: &'static str,
    /// Meaning of the mitigation against scans, in one sentence.
    pub advice: &'static str,
}

/// The techniques the analysis assigns to scan findings.
pub const TECHNIQUES: &[AttackTechnique] = &[
    AttackTechnique {
        id: "T1046",
        name: "Network Service Discovery",
        tactic: "Discovery",
        mitigations: &["M1042", "M1031", "M1030"],
        no_mitigation_note: None,
    },
    AttackTechnique {
        id: "T1595",
        name: "Active Scanning",
        tactic: "Reconnaissance",
        mitigations: &["M1056"],
        no_mitigation_note: None,
    },
    AttackTechnique {
        id: "T1595.001",
        name: "Active Scanning: Scanning IP Blocks",
        tactic: "Reconnaissance",
        mitigations: &["M1056"],
        no_mitigation_note: None,
    },
    AttackTechnique {
        id: "T1595.002",
        name: "Active Scanning: Vulnerability Scanning",
        tactic: "Reconnaissance",
        mitigations: &["M1056"],
        no_mitigation_note: None,
    },
    AttackTechnique {
        id: "T1595.003",
        name: "Active Scanning: Wordlist Scanning",
        tactic: "Reconnaissance",
        mitigations: &["M1056"],
        no_mitigation_note: None,
    },
    AttackTechnique {
        id: "T1018",
        name: "Remote System Discovery",
        tactic: "Discovery",
        mitigations: &[],
        no_mitigation_note: Some(
            "ATT&CK lists no preventive mitigation because the technique uses normal system \
             and network features.",
        ),
    },
];

/// The mitigations referenced by [`TECHNIQUES`].
pub const MITIGATIONS: &[AttackMitigation] = &[
    AttackMitigation {
        id: "M1030",
        name: "Network Segmentation",
        advice: "Let each service be reachable only from the networks that need it, so a \
                 scanning host sees only what it is allowed to use.",
    },
    AttackMitigation {
        id: "M1031",
        name: "Network Intrusion Prevention",
        advice: "Detect and block scan traffic at the network boundary with intrusion \
                 prevention signatures or rate limits.",
    },
    AttackMitigation {
        id: "M1042",
        name: "Disable or Remove Feature or Program",
        advice: "Turn off or uninstall services that do not need to listen on the network.",
    },
    AttackMitigation {
        id: "M1056",
        name: "Pre-compromise",
        advice: "The scan happens before any compromise and outside the organisation's \
                 control; reduce what exposed systems reveal to outside parties.",
    },
];

/// Returns the bundled entry for an ATT&CK technique ID (case-insensitive).
pub fn technique(id: &str) -> Option<&'static AttackTechnique> {
    TECHNIQUES.iter().find(|entry| entry.id.eq_ignore_ascii_case(id.trim()))
}

/// Returns the bundled entry for an ATT&CK mitigation ID.
pub fn mitigation(id: &str) -> Option<&'static AttackMitigation> {
    MITIGATIONS.iter().find(|entry| entry.id == id)
}

/// Formats a technique ID with its name, for example `T1046 Network Service Discovery`.
pub fn technique_label(id: &str) -> String {
    match technique(id) {
        Some(entry) => format!("{} {}", entry.id, entry.name),
        None => format!("{} (not in scancase's bundled ATT&CK table)", id.trim()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_mitigation_reference_resolves() {
        for entry in TECHNIQUES {
            for id in entry.mitigations {
                assert!(mitigation(id).is_some(), "{} references unknown {id}", entry.id);
            }
            assert!(
                !entry.mitigations.is_empty() || entry.no_mitigation_note.is_some(),
                "{} has neither mitigations nor a note",
                entry.id
            );
        }
    }

    #[test]
    fn technique_lookup_ignores_case() {
        assert_eq!(technique("t1595.001").map(|entry| entry.id), Some("T1595.001"));
        assert!(technique("T9999").is_none());
        assert!(technique_label("T9999").contains("not in"));
    }
}
