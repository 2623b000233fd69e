//! Per-flow state that expires, so the aggregator's memory does not grow with the file.
//!
//! [`Generations`] is a hash map split in two generations, *current* and *previous*. Inserts
//! and refreshing lookups put an entry in the current generation. When the aggregator turns
//! the generations ([`Generations::turn`]), the previous generation is dropped and the current
//! one becomes the previous. An entry therefore lives from one to two generations after it was
//! last touched, and the map never holds more than two generations of entries.
//!
//! The aggregator turns the generations of flow state every [`FLOW_IDLE_TIMEOUT_NS`] of log
//! time, or sooner when the current generation reaches [`MAX_FLOWS_PER_GENERATION`] entries,
//! and those of contacts every [`CONTACT_IDLE_TIMEOUT_NS`].

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::hash::Hash;

use foldhash::fast::RandomState;

use crate::model::TimestampNs;

/// Time in the evidence after which the state of an idle flow may be dropped, in nanoseconds:
/// 300 seconds. A reply to a probe arrives within seconds. Linux connection tracking forgets an
/// unanswered SYN after 120 s (`nf_conntrack_tcp_timeout_syn_sent`) and a UDP flow after 30 s,
/// or 120 s once both sides spoke (`nf_conntrack_udp_timeout_stream`, kernel documentation
/// `networking/nf_conntrack-sysctl.rst`). State is kept between one and two timeouts.
pub const FLOW_IDLE_TIMEOUT_NS: TimestampNs = 300 * 1_000_000_000;

/// Time in the evidence after which an idle contact leaves the aggregator's memory, in
/// nanoseconds: 3,600 seconds. It is longer than the two [`FLOW_IDLE_TIMEOUT_NS`] that flow
/// state lives at most after the probe, so a reply, the handshake and the first payload of
/// a connection reach the contact while it is in memory. It is also twelve times the 300 s that nmap's `-T0` template waits
/// between probes (the option map on nmap.org), so a paranoid scan's retransmission of a port still joins
/// the port's contact. A probe after a longer gap starts a second contact of the same key.
pub const CONTACT_IDLE_TIMEOUT_NS: TimestampNs = 3_600 * 1_000_000_000;

/// Entries a generation of one flow table holds before the generations turn early, so that a
/// log with more new flows than this within [`FLOW_IDLE_TIMEOUT_NS`] still keeps bounded
/// memory. At 10,000 new flows a second the state is still kept for 6.5 seconds, far longer
/// than a reply takes. A full generation of the flow table takes about 5.5 MiB (42-byte
/// entries in 131,072 buckets). Held ACK probes are larger, up to about 40 MiB per full
/// generation with their log lines.
pub const MAX_FLOWS_PER_GENERATION: usize = 1 << 16;

/// A hash map of two generations; see the module docs.
#[derive(Debug)]
pub(super) struct Generations<K, V> {
    current: HashMap<K, V, RandomState>,
    previous: HashMap<K, V, RandomState>,
}

impl<K, V> Default for Generations<K, V> {
    fn default() -> Self {
        Self { current: HashMap::default(), previous: HashMap::default() }
    }
}

impl<K: Eq + Hash + Copy, V> Generations<K, V> {
    /// Returns the entry for `key` without refreshing it.
    pub(super) fn peek(&self, key: &K) -> Option<&V> {
        self.current.get(key).or_else(|| self.previous.get(key))
    }

    /// Returns true when `key` has an entry, without refreshing it.
    pub(super) fn contains(&self, key: &K) -> bool {
        self.current.contains_key(key) || self.previous.contains_key(key)
    }

    /// Returns the entry for `key` and moves it to the current generation.
    pub(super) fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        match self.current.entry(*key) {
            Entry::Occupied(entry) => Some(entry.into_mut()),
            Entry::Vacant(entry) => Some(entry.insert(self.previous.remove(key)?)),
        }
    }

    /// Returns the entry for `key`, inserted with `make` when missing, in the current
    /// generation.
    pub(super) fn get_or_insert_with(&mut self, key: K, make: impl FnOnce() -> V) -> &mut V {
        match self.current.entry(key) {
            Entry::Occupied(entry) => entry.into_mut(),
            Entry::Vacant(entry) => entry.insert(self.previous.remove(&key).unwrap_or_else(make)),
        }
    }

    /// Removes the entry for `key` from both generations.
    pub(super) fn remove(&mut self, key: &K) -> Option<V> {
        self.current.remove(key).or_else(|| self.previous.remove(key))
    }

    /// Returns the number of entries in both generations.
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.current.len() + self.previous.len()
    }

    /// Returns the number of entries in the current generation.
    pub(super) fn current_len(&self) -> usize {
        self.current.len()
    }

    /// Drops the previous generation, passing each of its entries to `expired`, and makes the
    /// current generation the previous one. The emptied map keeps its capacity for reuse.
    pub(super) fn turn(&mut self, mut expired: impl FnMut(K, V)) {
        for (key, value) in self.previous.drain() {
            expired(key, value);
        }
        std::mem::swap(&mut self.current, &mut self.previous);
    }

    /// Removes every entry of both generations, oldest generation first.
    pub(super) fn drain_all(&mut self) -> impl Iterator<Item = (K, V)> + '_ {
        self.previous.drain().chain(self.current.drain())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_lives_one_to_two_turns() {
        let mut map: Generations<u32, &str> = Generations::default();
        map.get_or_insert_with(1, || "one");
        map.turn(|_, _| panic!("nothing is old enough to expire"));
        assert_eq!(map.peek(&1), Some(&"one"));
        let mut expired = Vec::new();
        map.turn(|key, value| expired.push((key, value)));
        assert_eq!(expired, vec![(1, "one")]);
        assert!(!map.contains(&1));
    }

    #[test]
    fn lookup_refreshes_entry() {
        let mut map: Generations<u32, u32> = Generations::default();
        map.get_or_insert_with(7, || 0);
        map.turn(|_, _| {});
        *map.get_mut(&7).expect("entry") += 1;
        map.turn(|_, _| panic!("the entry was refreshed"));
        assert_eq!(map.peek(&7), Some(&1));
        assert_eq!(map.current_len(), 0);
    }

    #[test]
    fn peek_does_not_refresh() {
        let mut map: Generations<u32, u32> = Generations::default();
        map.get_or_insert_with(3, || 9);
        map.turn(|_, _| {});
        assert_eq!(map.peek(&3), Some(&9));
        let mut expired = Vec::new();
        map.turn(|key, _| expired.push(key));
        assert_eq!(expired, vec![3]);
    }

    #[test]
    fn drain_all_returns_oldest_first() {
        let mut map: Generations<u32, u32> = Generations::default();
        map.get_or_insert_with(1, || 1);
        map.turn(|_, _| {});
        map.get_or_insert_with(2, || 2);
        let drained: Vec<u32> = map.drain_all().map(|(key, _)| key).collect();
        assert_eq!(drained, vec![1, 2]);
        assert!(!map.contains(&1) && !map.contains(&2));
    }
}
