//! Merging the contacts of all evidence files into one view per (source, target, protocol,
//! port).
//!
//! The same probes can appear in several evidence files, for example in a capture and in the
//! firewall log of the same host. Merged counts therefore take the largest count any one
//! file saw instead of the sum, so a probe is not counted twice, and the outcome is the most
//! informative one any file shows.
//!
//! Times come from the file that wrote them most precisely: a capture to the microsecond or
//! nanosecond, a classic syslog line to the whole second. A less precise file's time is used
//! only where it lies outside the precise range by more than its own resolution, after
//! correcting it by the clock offset between the two files, so a syslog line written at
//! 19:35:42 never moves the first probe of a capture at 19:35:42.547877 earlier. Each file's
//! view is kept so that the clock offset between two files can be estimated from the
//! contacts they share ([`clock_offsets`]).
//!
//! One file can also store several contacts of one key, when the source came back to the port
//! after the contact had been idle for [`crate::aggregate::CONTACT_IDLE_TIMEOUT_NS`]. Those
//! parts hold different probes, so they are folded into one view first, with their counts
//! added ([`fold_file_parts`]).

use std::collections::{BTreeMap, HashMap};

use crate::aggregate::ContactKey;
use crate::case::StoredContact;
use crate::model::{Contact, ProbeShape, TimestampNs};

/// One (source, target, protocol, port) over all evidence files.
#[derive(Debug, Clone)]
pub struct MergedContact {
    /// The merged aggregate.
    pub contact: Contact,
    /// Row ids of the stored contacts merged here, one per evidence file.
    pub contact_ids: Vec<i64>,
    /// Probe times from the evidence file with the most probes for this contact, in order.
    pub probe_times: Vec<TimestampNs>,
    /// Header fields of the first probe, from the first evidence file that stored one.
    pub first_probe: Option<ProbeShape>,
    /// The contact as each evidence file saw it, finest time resolution first.
    pub views: Vec<EvidenceView>,
}

/// One evidence file's times for a merged contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EvidenceView {
    /// Row id of the evidence file.
    pub evidence_id: i64,
    /// First probe in this file.
    pub first_ts_ns: TimestampNs,
    /// Last probe in this file.
    pub last_ts_ns: TimestampNs,
    /// Resolution of this file's times, in nanoseconds.
    pub resolution_ns: i64,
}

/// Resolution of a file whose times are not all on whole seconds, in nanoseconds: treated
/// as exact.
const EXACT_NS: i64 = 1;

/// Nanoseconds per second: the resolution of syslog times without fractions.
const NANOS_PER_SECOND: i64 = 1_000_000_000;

/// Finds each evidence file's time resolution from its contacts: one second when every
/// first and last probe time falls on a whole second (as in RFC 3164 syslog), else exact.
pub fn time_resolutions(stored: &[StoredContact]) -> HashMap<i64, i64> {
    let mut whole_seconds: HashMap<i64, bool> = HashMap::new();
    for StoredContact { evidence_id, contact, .. } in stored {
        let whole = contact.first_ts_ns % NANOS_PER_SECOND == 0 && contact.last_ts_ns % NANOS_PER_SECOND == 0;
        *whole_seconds.entry(*evidence_id).or_insert(true) &= whole;
    }
    whole_seconds.into_iter().map(|(id, whole)| (id, if whole { NANOS_PER_SECOND } else { EXACT_NS })).collect()
}

/// Merges stored contacts by key; `probe_times` maps a stored contact id to its probe times
/// and `first_probes` to the header fields of its first probe.
pub fn merge(
    stored: Vec<StoredContact>,
    probe_times: &mut HashMap<i64, Vec<TimestampNs>>,
    first_probes: &HashMap<i64, ProbeShape>,
) -> Vec<MergedContact> {
    let resolutions = time_resolutions(&stored);
    let mut merged: BTreeMap<ContactKey, MergedContact> = BTreeMap::new();
    for part in fold_file_parts(stored, probe_times, first_probes) {
        let FilePart { ids, evidence_id, contact, times, first_probe } = part;
        let key = key_of(&contact);
        let view = EvidenceView {
            evidence_id,
            first_ts_ns: contact.first_ts_ns,
            last_ts_ns: contact.last_ts_ns,
            resolution_ns: resolutions.get(&evidence_id).copied().unwrap_or(EXACT_NS),
        };
        match merged.get_mut(&key) {
            None => {
                let entry =
                    MergedContact { contact, contact_ids: ids, probe_times: times, first_probe, views: vec![view] };
                merged.insert(key, entry);
            }
            Some(existing) => {
                existing.contact_ids.extend(ids);
                existing.first_probe = existing.first_probe.or(first_probe);
                existing.views.push(view);
                if times.len() > existing.probe_times.len() {
                    existing.probe_times = times;
                }
                absorb(&mut existing.contact, contact);
            }
        }
    }
    let mut merged: Vec<MergedContact> = merged.into_values().collect();
    for contact in &mut merged {
        contact.views.sort_by_key(|view| (view.resolution_ns, view.evidence_id));
    }
    let all: Vec<&MergedContact> = merged.iter().collect();
    let offsets: HashMap<(i64, i64), i64> = clock_offsets(&all)
        .into_iter()
        .map(|offset| ((offset.reference_evidence_id, offset.other_evidence_id), offset.offset_ns))
        .collect();
    for contact in &mut merged {
        set_times(contact, &offsets);
    }
    merged
}

/// One evidence file's stored contacts of one key, folded together.
struct FilePart {
    /// Row ids of the stored contacts, in row order.
    ids: Vec<i64>,
    evidence_id: i64,
    contact: Contact,
    /// Probe times of all the stored contacts, in order.
    times: Vec<TimestampNs>,
    /// Header fields of the first probe of the earliest stored contact that has one.
    first_probe: Option<ProbeShape>,
}

fn key_of(contact: &Contact) -> ContactKey {
    ContactKey { src: contact.src, dst: contact.dst, protocol: contact.protocol, dst_port: contact.dst_port }
}

/// Folds the stored contacts of each (key, evidence file) into one part, in the order of
/// their first row id. Row ids follow the order in which one file's contacts were first
/// seen, so the earliest part comes first.
fn fold_file_parts(
    stored: Vec<StoredContact>,
    probe_times: &mut HashMap<i64, Vec<TimestampNs>>,
    first_probes: &HashMap<i64, ProbeShape>,
) -> Vec<FilePart> {
    let mut parts: Vec<FilePart> = Vec::with_capacity(stored.len());
    let mut positions: HashMap<(ContactKey, i64), usize> = HashMap::with_capacity(stored.len());
    let mut unsorted: Vec<usize> = Vec::new();
    for StoredContact { id, evidence_id, contact } in stored {
        let times = probe_times.remove(&id).unwrap_or_default();
        let first_probe = first_probes.get(&id).copied();
        match positions.get(&(key_of(&contact), evidence_id)) {
            None => {
                positions.insert((key_of(&contact), evidence_id), parts.len());
                parts.push(FilePart { ids: vec![id], evidence_id, contact, times, first_probe });
            }
            Some(&position) => {
                let part = &mut parts[position];
                part.ids.push(id);
                part.first_probe = part.first_probe.or(first_probe);
                part.times.extend(times);
                continue_contact(&mut part.contact, contact);
                unsorted.push(position);
            }
        }
    }
    for position in unsorted {
        parts[position].times.sort_unstable();
    }
    parts
}

/// Folds a later contact of the same key from the same file into `into`. The two hold
/// different probes, so counts add up, unlike in [`absorb`].
fn continue_contact(into: &mut Contact, later: Contact) {
    into.probes += later.probes;
    into.first_ts_ns = into.first_ts_ns.min(later.first_ts_ns);
    into.last_ts_ns = into.last_ts_ns.max(later.last_ts_ns);
    add_signs(into, &later);
    for (technique, count) in later.techniques {
        *into.techniques.entry(technique).or_insert(0) += count;
    }
    let stronger = later.outcome.strength() > into.outcome.strength();
    let first_reply = later.outcome == into.outcome && into.reply.is_none();
    if stronger || first_reply {
        into.outcome = later.outcome;
        into.reply = later.reply.or(into.reply);
    }
}

/// Adds what `other` saw of the conversation to `into`: TCP flags, a completed handshake, a
/// reset from the source and payload. Any one view that saw them is enough.
fn add_signs(into: &mut Contact, other: &Contact) {
    into.flags_seen |= other.flags_seen;
    into.handshake_completed |= other.handshake_completed;
    into.source_reset |= other.source_reset;
    into.payload_exchanged |= other.payload_exchanged;
}

/// Sets the merged contact's first and last probe from its views; see the module docs.
/// Another file's times are first moved onto the finest file's clock by the offset
/// estimated over the whole case, so that a clock difference does not widen the range.
fn set_times(merged: &mut MergedContact, offsets: &HashMap<(i64, i64), i64>) {
    let finest = merged.views[0];
    let mut first = finest.first_ts_ns;
    let mut last = finest.last_ts_ns;
    for view in &merged.views[1..] {
        let offset = offsets.get(&(finest.evidence_id, view.evidence_id)).copied().unwrap_or(0);
        let (view_first, view_last) = (view.first_ts_ns - offset, view.last_ts_ns - offset);
        if view_first.saturating_add(view.resolution_ns) <= first {
            first = view_first;
        }
        if view_last.saturating_sub(view.resolution_ns) >= last {
            last = view_last;
        }
    }
    merged.contact.first_ts_ns = first;
    merged.contact.last_ts_ns = last;
}

/// Clock offset of one evidence file against a more precise one, from the contacts both saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClockOffset {
    /// The more precise file, whose clock is the reference.
    pub reference_evidence_id: i64,
    /// The other file.
    pub other_evidence_id: i64,
    /// Median of the other file's first probe time minus the reference file's, in
    /// nanoseconds.
    pub offset_ns: i64,
    /// Contacts both files saw.
    pub shared_contacts: u64,
    /// Resolution of the other file's times, in nanoseconds: the offset is known to within it.
    pub resolution_ns: i64,
}

/// Estimates the clock offset of each pair of evidence files that saw the same contacts.
///
/// A firewall log written to the whole second truncates each time, so its first-probe times
/// lie up to one second before the capture's even when both clocks agree. The offset is then
/// known only to within that second.
pub fn clock_offsets(contacts: &[&MergedContact]) -> Vec<ClockOffset> {
    let mut differences: BTreeMap<(i64, i64), (Vec<i64>, i64)> = BTreeMap::new();
    for merged in contacts {
        let reference = merged.views[0];
        for view in &merged.views[1..] {
            let entry = differences
                .entry((reference.evidence_id, view.evidence_id))
                .or_insert_with(|| (Vec::new(), view.resolution_ns));
            entry.0.push(view.first_ts_ns - reference.first_ts_ns);
        }
    }
    differences
        .into_iter()
        .map(|((reference, other), (mut offsets, resolution_ns))| {
            offsets.sort_unstable();
            ClockOffset {
                reference_evidence_id: reference,
                other_evidence_id: other,
                offset_ns: offsets[offsets.len() / 2],
                shared_contacts: offsets.len() as u64,
                resolution_ns,
            }
        })
        .collect()
}

/// Folds another file's view of the same contact into `into`; the times are set afterwards
/// from the views.
fn absorb(into: &mut Contact, other: Contact) {
    into.probes = into.probes.max(other.probes);
    add_signs(into, &other);
    for (technique, count) in other.techniques {
        let entry = into.techniques.entry(technique).or_insert(0);
        *entry = (*entry).max(count);
    }
    if other.outcome.strength() > into.outcome.strength() {
        into.outcome = other.outcome;
        into.reply = other.reply;
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::collections::{BTreeMap, HashMap};

    use crate::case::StoredContact;

    use super::MergedContact;
    use crate::model::{Contact, IpProtocol, Outcome, Technique};

    /// Builds a merged TCP SYN contact with one unanswered probe at `ts_ns`.
    pub(crate) fn merged_contact(src: &str, dst: &str, port: u16, ts_ns: i64) -> MergedContact {
        MergedContact {
            contact: Contact {
                src: src.parse().expect("source address"),
                dst: dst.parse().expect("target address"),
                protocol: IpProtocol::TCP,
                dst_port: Some(port),
                first_ts_ns: ts_ns,
                last_ts_ns: ts_ns,
                probes: 1,
                flags_seen: 0x02,
                outcome: Outcome::Unanswered,
                handshake_completed: false,
                source_reset: false,
                payload_exchanged: false,
                techniques: BTreeMap::from([(Technique::TcpSyn, 1)]),
                reply: None,
            },
            contact_ids: Vec::new(),
            probe_times: vec![ts_ns],
            first_probe: None,
            views: vec![super::EvidenceView {
                evidence_id: 1,
                first_ts_ns: ts_ns,
                last_ts_ns: ts_ns,
                resolution_ns: 1,
            }],
        }
    }

    fn stored(id: i64, evidence_id: i64, first: i64, last: i64) -> StoredContact {
        let mut contact = merged_contact("10.0.0.1", "10.0.0.9", 22, first).contact;
        contact.last_ts_ns = last;
        StoredContact { id, evidence_id, contact }
    }

    const SECOND: i64 = 1_000_000_000;

    #[test]
    fn whole_second_log_keeps_capture_times() {
        let capture = stored(1, 1, 10 * SECOND + 547_877_000, 11 * SECOND + 649_657_000);
        let log = stored(2, 2, 10 * SECOND, 11 * SECOND);
        let merged = super::merge(vec![capture, log], &mut HashMap::new(), &HashMap::new());
        assert_eq!(merged.len(), 1);
        assert_eq!(merged[0].contact.first_ts_ns, 10 * SECOND + 547_877_000);
        assert_eq!(merged[0].contact.last_ts_ns, 11 * SECOND + 649_657_000);
        assert_eq!(merged[0].views[0].evidence_id, 1, "the exact file comes first");
        assert_eq!(merged[0].views[1].resolution_ns, SECOND);
    }

    #[test]
    fn offset_corrected_before_widening() {
        // The second file's clock runs 2 s ahead and it also saw a probe 30 s after the last
        // one the first file recorded.
        let contacts =
            vec![stored(1, 1, 100 * SECOND + 5, 101 * SECOND + 5), stored(2, 2, 102 * SECOND + 5, 133 * SECOND + 5)];
        let merged = super::merge(contacts, &mut HashMap::new(), &HashMap::new());
        let offsets = super::clock_offsets(&merged.iter().collect::<Vec<_>>());
        assert_eq!(offsets.len(), 1);
        assert_eq!(offsets[0].reference_evidence_id, 1);
        assert_eq!(offsets[0].offset_ns, 2 * SECOND);
        assert_eq!(merged[0].contact.first_ts_ns, 100 * SECOND + 5, "no earlier probe once corrected");
        assert_eq!(merged[0].contact.last_ts_ns, 131 * SECOND + 5, "the later probe, on the first file's clock");
    }

    #[test]
    fn parts_of_one_file_fold() {
        // One file stored the contact twice, three hours apart, and a second file saw only
        // the first part.
        let hour = 3_600 * SECOND;
        let mut later = stored(7, 1, 3 * hour, 3 * hour + 5);
        later.contact.probes = 2;
        later.contact.techniques = BTreeMap::from([(Technique::TcpSyn, 2)]);
        later.contact.outcome = Outcome::Closed;
        let contacts = vec![stored(1, 1, 10, 20), stored(2, 2, 10, 20), later];
        let mut times = HashMap::from([(1, vec![10]), (2, vec![10]), (7, vec![3 * hour, 3 * hour + 5])]);
        let merged = super::merge(contacts, &mut times, &HashMap::new());

        assert_eq!(merged.len(), 1);
        let contact = &merged[0];
        assert_eq!(contact.contact_ids, vec![1, 7, 2]);
        assert_eq!(contact.contact.probes, 3, "the parts' probes add up, the other file's do not");
        assert_eq!(contact.contact.techniques, BTreeMap::from([(Technique::TcpSyn, 3)]));
        assert_eq!(contact.probe_times, vec![10, 3 * hour, 3 * hour + 5]);
        assert_eq!(contact.contact.outcome, Outcome::Closed);
        assert_eq!(contact.views.len(), 2, "one view per file");
        assert_eq!((contact.views[0].first_ts_ns, contact.views[0].last_ts_ns), (10, 3 * hour + 5));
        assert_eq!(contact.contact.last_ts_ns, 3 * hour + 5);
    }
}
