//! The state the aggregator keeps for each contact while the contact is active.
//!
//! A busy log has many contacts active at once, so the state is kept small: the key fields
//! live only in the map's key, and the common case of one probe technique per contact needs
//! no allocation. [`ContactState::to_contact`] builds the full [`Contact`] when the contact
//! finishes.

use std::collections::BTreeMap;

use super::ContactKey;
use crate::model::{Contact, Outcome, ReplyRef, Technique, TimestampNs};

/// Probe counts by technique. Nearly every contact sees one technique only.
#[derive(Debug, Clone)]
pub(super) enum TechniqueCounts {
    /// One technique and its count.
    One(Technique, u64),
    /// Two or more techniques. The box keeps the enum, and so every contact's state, at the
    /// size of the one-technique case.
    #[allow(clippy::box_collection)]
    Many(Box<BTreeMap<Technique, u64>>),
}

impl TechniqueCounts {
    fn add(&mut self, technique: Technique) {
        match self {
            Self::One(only, count) if *only == technique => *count += 1,
            Self::One(only, count) => {
                let counts = BTreeMap::from([(*only, *count), (technique, 1)]);
                *self = Self::Many(Box::new(counts));
            }
            Self::Many(counts) => *counts.entry(technique).or_insert(0) += 1,
        }
    }

    fn to_map(&self) -> BTreeMap<Technique, u64> {
        match self {
            Self::One(technique, count) => BTreeMap::from([(*technique, *count)]),
            Self::Many(counts) => (**counts).clone(),
        }
    }
}

/// A contact being built; see the module docs.
#[derive(Debug, Clone)]
pub(super) struct ContactState {
    /// Index of the contact among the file's contacts, in the order they were first seen.
    pub index: u64,
    pub first_ts_ns: TimestampNs,
    pub last_ts_ns: TimestampNs,
    pub probes: u64,
    pub reply: Option<ReplyRef>,
    pub techniques: TechniqueCounts,
    pub flags_seen: u8,
    pub outcome: Outcome,
    pub handshake_completed: bool,
    pub source_reset: bool,
    pub payload_exchanged: bool,
    /// Probes of this contact whose log text was kept, up to 255.
    pub texts_kept: u8,
}

impl ContactState {
    /// Creates the state of contact `index` whose first probe has the given time and
    /// technique. The probe itself is counted by the caller.
    pub(super) fn new(index: u64, ts_ns: TimestampNs, technique: Technique) -> Self {
        Self {
            index,
            first_ts_ns: ts_ns,
            last_ts_ns: ts_ns,
            probes: 0,
            reply: None,
            techniques: TechniqueCounts::One(technique, 0),
            flags_seen: 0,
            outcome: Outcome::Unanswered,
            handshake_completed: false,
            source_reset: false,
            payload_exchanged: false,
            texts_kept: 0,
        }
    }

    /// Counts one probe of `technique`.
    pub(super) fn count_technique(&mut self, technique: Technique) {
        self.techniques.add(technique);
    }

    /// Builds the contact from its key and this state.
    pub(super) fn to_contact(&self, key: &ContactKey) -> Contact {
        Contact {
            src: key.src,
            dst: key.dst,
            protocol: key.protocol,
            dst_port: key.dst_port,
            first_ts_ns: self.first_ts_ns,
            last_ts_ns: self.last_ts_ns,
            probes: self.probes,
            flags_seen: self.flags_seen,
            outcome: self.outcome,
            handshake_completed: self.handshake_completed,
            source_reset: self.source_reset,
            payload_exchanged: self.payload_exchanged,
            techniques: self.techniques.to_map(),
            reply: self.reply,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn technique_counts_grow_to_map() {
        let mut state = ContactState::new(0, 5, Technique::TcpSyn);
        state.count_technique(Technique::TcpSyn);
        state.count_technique(Technique::TcpSyn);
        assert!(matches!(state.techniques, TechniqueCounts::One(Technique::TcpSyn, 2)));
        state.count_technique(Technique::TcpAck);
        let expected = BTreeMap::from([(Technique::TcpSyn, 2), (Technique::TcpAck, 1)]);
        assert_eq!(state.techniques.to_map(), expected);
    }
}
