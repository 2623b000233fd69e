//! Splitting a source's scan into campaigns at long quiet gaps.
//!
//! State is kept over the whole case, so a slow scan with hours between probes stays one
//! scan. A source that scans again days later starts a new campaign, and each campaign is a
//! finding of its own. A part too small to be a scan by itself stays with the campaign
//! before it (or after it, for the first part), so no probe leaves a finding.

use std::collections::BTreeSet;

use super::detect::Detection;
use super::Parameters;
use crate::model::ScanKind;

/// Splits every detection at quiet gaps longer than [`Parameters::campaign_gap_s`].
pub fn split_campaigns<'a>(detections: Vec<Detection<'a>>, parameters: &Parameters) -> Vec<Detection<'a>> {
    detections.into_iter().flat_map(|detection| split(detection, parameters)).collect()
}

fn split<'a>(detection: Detection<'a>, parameters: &Parameters) -> Vec<Detection<'a>> {
    let gap_ns = parameters.campaign_gap_s.saturating_mul(1_000_000_000) as i64;
    let mut contacts = detection.contacts.clone();
    contacts.sort_by_key(|c| (c.contact.first_ts_ns, c.contact.dst, c.contact.dst_port));

    let mut parts: Vec<Detection<'a>> = Vec::new();
    let mut last_ts_ns = i64::MIN;
    for contact in contacts {
        let quiet = last_ts_ns != i64::MIN && contact.contact.first_ts_ns.saturating_sub(last_ts_ns) > gap_ns;
        if parts.is_empty() || quiet {
            parts.push(Detection { contacts: Vec::new(), ..detection.clone() });
        }
        last_ts_ns = last_ts_ns.max(contact.contact.last_ts_ns);
        parts.last_mut().expect("a part was pushed").contacts.push(contact);
    }

    let mut campaigns: Vec<Detection<'a>> = Vec::new();
    for part in parts {
        match campaigns.last_mut() {
            Some(previous) if !meets_threshold(&part, parameters) => previous.contacts.extend(part.contacts),
            _ => campaigns.push(part),
        }
    }
    if campaigns.len() > 1 && !meets_threshold(&campaigns[0], parameters) {
        let first = campaigns.remove(0);
        campaigns[0].contacts.splice(0..0, first.contacts);
    }
    campaigns
}

/// Returns true when a part on its own reaches the detection threshold of its kind.
fn meets_threshold(part: &Detection<'_>, parameters: &Parameters) -> bool {
    match part.kind {
        // A distributed scan splits one host's ports or one range's hosts.
        ScanKind::Distributed => {
            part.ports().len() >= parameters.min_ports_vertical
                || part.targets().len() >= parameters.min_hosts_horizontal
        }
        ScanKind::Vertical | ScanKind::Block => part.ports().len() >= parameters.min_ports_vertical,
        ScanKind::Horizontal | ScanKind::PingSweep => {
            let hosts: BTreeSet<_> = part.contacts.iter().map(|c| c.contact.dst).collect();
            hosts.len() >= parameters.min_hosts_horizontal
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::merge::tests::merged_contact;
    use crate::model::Technique;

    const HOUR_NS: i64 = 3_600_000_000_000;

    fn vertical<'a>(contacts: &'a [crate::analysis::merge::MergedContact]) -> Detection<'a> {
        Detection::new(ScanKind::Vertical, Technique::TcpSyn, contacts[0].contact.src, contacts.iter().collect())
    }

    #[test]
    fn long_gap_starts_new_campaign() {
        let mut contacts: Vec<_> = (1..=8).map(|port| merged_contact("10.0.0.1", "10.0.0.9", port, 0)).collect();
        contacts.extend((100..=107).map(|port| merged_contact("10.0.0.1", "10.0.0.9", port, 48 * HOUR_NS)));
        let campaigns = split(vertical(&contacts), &Parameters::default());
        assert_eq!(campaigns.len(), 2);
        assert_eq!(campaigns[0].contacts.len(), 8);
        assert_eq!(campaigns[1].first_ts_ns(), 48 * HOUR_NS);
    }

    #[test]
    fn slow_scan_stays_one_campaign() {
        // One probe every three hours, as in the stretched scan of the test corpus.
        let contacts: Vec<_> =
            (1..=8).map(|port| merged_contact("10.0.0.1", "10.0.0.9", port, port as i64 * 3 * HOUR_NS)).collect();
        let campaigns = split(vertical(&contacts), &Parameters::default());
        assert_eq!(campaigns.len(), 1);
        assert_eq!(campaigns[0].contacts.len(), 8);
    }

    #[test]
    fn small_part_stays_with_neighbour() {
        let mut contacts: Vec<_> = (1..=2).map(|port| merged_contact("10.0.0.1", "10.0.0.9", port, 0)).collect();
        contacts.extend((100..=107).map(|port| merged_contact("10.0.0.1", "10.0.0.9", port, 72 * HOUR_NS)));
        contacts.push(merged_contact("10.0.0.1", "10.0.0.9", 200, 200 * HOUR_NS));
        let campaigns = split(vertical(&contacts), &Parameters::default());
        assert_eq!(campaigns.len(), 1, "parts below the threshold join the campaign beside them");
        assert_eq!(campaigns[0].contacts.len(), 11);
    }
}
