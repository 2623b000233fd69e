//! Merging the contacts of all evidence files into one view per (source, target, protocol,
//! port).
//!
//! The same probes can appear in several evidence files, for example in a capture and in the
//! firewall log of the same host. Merged counts therefore take the largest count any one
//! file saw instead of the sum, so a probe is not counted twice; times span all files, and
//! the outcome is the most informative one any file shows.

use std::collections::{BTreeMap, HashMap};

use crate::aggregate::ContactKey;
use crate::case::StoredContact;
use crate::model::{Contact, TcpOptionKinds, TimestampNs};

/// One (source, target, protocol, port) over all evidence files.
#[derive(Debug, Clone)]
pub struct MergedContact {
    /// The merged aggregate.
    pub contact: Contact,
    /// Row ids of the stored contacts merged here, one per evidence file.
    pub contact_ids: Vec<i64>,
    /// Probe times from the evidence file with the most probes for this contact, in order.
    pub probe_times: Vec<TimestampNs>,
    /// TCP option kinds of the first probe that carried them, from any evidence file.
    pub first_options: Option<TcpOptionKinds>,
}

/// Merges stored contacts by key; `probe_times` maps a stored contact id to its probe times
/// and `first_options` to the option kinds of its first probe.
pub fn merge(
    stored: Vec<StoredContact>,
    probe_times: &mut HashMap<i64, Vec<TimestampNs>>,
    first_options: &HashMap<i64, TcpOptionKinds>,
) -> Vec<MergedContact> {
    let mut merged: BTreeMap<ContactKey, MergedContact> = BTreeMap::new();
    for StoredContact { id, contact, .. } in stored {
        let key =
            ContactKey { src: contact.src, dst: contact.dst, protocol: contact.protocol, dst_port: contact.dst_port };
        let times = probe_times.remove(&id).unwrap_or_default();
        let options = first_options.get(&id).copied();
        match merged.get_mut(&key) {
            None => {
                let entry =
                    MergedContact { contact, contact_ids: vec![id], probe_times: times, first_options: options };
                merged.insert(key, entry);
            }
            Some(existing) => {
                existing.contact_ids.push(id);
                existing.first_options = existing.first_options.or(options);
                if times.len() > existing.probe_times.len() {
                    existing.probe_times = times;
                }
                absorb(&mut existing.contact, contact);
            }
        }
    }
    merged.into_values().collect()
}

/// Folds another file's view of the same contact into `into`.
///
/// NOTE: times are merged as they are, so a syslog time written to the whole second can move
/// `first_ts_ns` before the capture's exact time of the same probe. Neither the precision nor
/// the clock offset between the files is estimated yet.
fn absorb(into: &mut Contact, other: Contact) {
    into.first_ts_ns = into.first_ts_ns.min(other.first_ts_ns);
    into.last_ts_ns = into.last_ts_ns.max(other.last_ts_ns);
    into.probes = into.probes.max(other.probes);
    into.flags_seen |= other.flags_seen;
    into.handshake_completed |= other.handshake_completed;
    into.source_reset |= other.source_reset;
    into.payload_exchanged |= other.payload_exchanged;
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
    use std::collections::BTreeMap;

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
            first_options: None,
        }
    }
}
