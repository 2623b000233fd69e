//! Aggregation of observations into contacts, with each probe's outcome read from replies.
//!
//! Observations arrive in time order. Each one is either a *probe* (a packet that opens or
//! tests a port: a SYN, a FIN, NULL or Xmas segment, an ACK outside any connection, a UDP
//! datagram that is not a reply), a *reply* to an earlier probe (SYN/ACK, RST, a UDP
//! datagram back, an ICMP error quoting the probe), or traffic of an established session.
//! Probes are grouped by (source, target, protocol, destination port) into contacts; replies
//! set the contact's outcome.
//!
//! The aggregation keeps one entry per contact and per TCP or UDP flow, so memory grows with
//! the number of distinct conversations, not with the number of packets.

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;

use crate::model::{Contact, IcmpInfo, IpProtocol, Observation, Outcome, TcpFlags, Technique, TimestampNs};

/// Key of one contact: source, target, protocol and destination port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ContactKey {
    /// Address that sent the probes.
    pub src: IpAddr,
    /// Address that was probed.
    pub dst: IpAddr,
    /// Transport protocol.
    pub protocol: IpProtocol,
    /// Destination port, when the protocol has ports.
    pub dst_port: Option<u16>,
}

/// One direction of a TCP or UDP conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Flow {
    src: IpAddr,
    src_port: u16,
    dst: IpAddr,
    dst_port: u16,
    protocol: IpProtocol,
}

impl Flow {
    fn reversed(self) -> Flow {
        Flow { src: self.dst, src_port: self.dst_port, dst: self.src, dst_port: self.src_port, protocol: self.protocol }
    }
}

/// State of a flow whose first packet was seen.
#[derive(Debug, Clone, Copy, Default)]
struct FlowState {
    /// The responder answered the opening SYN with SYN/ACK.
    syn_acked: bool,
    /// The responder sent something other than RST, so this is a conversation, not a probe.
    responder_spoke: bool,
}

/// A contact being built.
#[derive(Debug, Clone)]
pub struct ContactBuilder {
    /// The contact so far.
    pub contact: Contact,
    /// Probe counts by technique, to name the finding's technique.
    pub techniques: HashMap<Technique, u64>,
    /// Row ids of the probe observations, for citations.
    pub probe_ids: Vec<i64>,
    /// Times of the probes, in arrival order.
    pub probe_times: Vec<TimestampNs>,
}

/// Source port below which an out-of-state ACK toward a higher port is read as the tail of
/// a finished connection from a server, not as a probe. 1024 is the end of the well-known
/// port range (IANA, RFC 6335).
const SERVICE_PORT_LIMIT: u16 = 1024;

/// Aggregates observations into contacts; feed them in time order with [`Aggregator::observe`].
#[derive(Debug, Default)]
pub struct Aggregator {
    contacts: HashMap<ContactKey, ContactBuilder>,
    flows: HashMap<Flow, FlowState>,
    /// Out-of-state ACK probes waiting for the end of input: a reply other than RST on the
    /// reverse flow shows they belonged to a conversation whose start was not captured.
    pending_ack: HashMap<Flow, Vec<(i64, Observation)>>,
    /// Flows of unknown start that carried segments other than RST.
    spoke: HashSet<Flow>,
}

impl Aggregator {
    /// Creates an empty aggregator.
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes one observation with its row id.
    pub fn observe(&mut self, id: i64, observation: Observation) {
        match observation.protocol {
            IpProtocol::TCP => self.observe_tcp(id, observation),
            IpProtocol::UDP => self.observe_udp(id, observation),
            IpProtocol::ICMP | IpProtocol::ICMPV6 => {
                if let Some(icmp) = observation.icmp {
                    self.observe_icmp_error(icmp);
                }
            }
            _ => {}
        }
    }

    /// Finishes the aggregation and returns the contacts, ordered by key.
    pub fn finish(mut self) -> Vec<ContactBuilder> {
        let pending = std::mem::take(&mut self.pending_ack);
        for (flow, probes) in pending {
            let answered_in_conversation = self.spoke.contains(&flow.reversed())
                || self.flows.get(&flow.reversed()).is_some_and(|state| state.responder_spoke);
            if answered_in_conversation {
                continue;
            }
            for (id, observation) in probes {
                self.add_probe(id, &observation, Technique::TcpAck);
            }
        }
        let mut contacts: Vec<(ContactKey, ContactBuilder)> = self.contacts.into_iter().collect();
        contacts.sort_by_key(|(key, _)| *key);
        contacts.into_iter().map(|(_, builder)| builder).collect()
    }

    fn observe_tcp(&mut self, id: i64, o: Observation) {
        let (Some(src_port), Some(dst_port), Some(flags)) = (o.src_port, o.dst_port, o.tcp_flags) else {
            return;
        };
        let flow = Flow { src: o.src, src_port, dst: o.dst, dst_port, protocol: IpProtocol::TCP };
        let bits = flags.without_ecn();
        let syn = bits & TcpFlags::SYN != 0;
        let ack = bits & TcpFlags::ACK != 0;
        let rst = bits & TcpFlags::RST != 0;

        if syn && !ack {
            self.flows.entry(flow).or_default();
            self.add_probe(id, &o, Technique::TcpSyn);
            return;
        }
        if syn && ack {
            if let Some(state) = self.flows.get_mut(&flow.reversed()) {
                state.syn_acked = true;
                state.responder_spoke = true;
            }
            self.set_outcome(reply_key(&o, IpProtocol::TCP), Outcome::Open);
            return;
        }
        if rst {
            // A RST answers a probe toward this port: the port is closed (or, for ACK probes,
            // reachable through the firewall). A RST from the prober itself ends its own
            // half-open attempt and names no port of the target.
            self.set_outcome(reply_key(&o, IpProtocol::TCP), Outcome::Closed);
            return;
        }

        // A segment without SYN or RST: part of a known conversation, or an out-of-state probe.
        if let Some(state) = self.flows.get(&flow.reversed()).copied() {
            self.note_session_traffic(flow.reversed(), &o, state, false);
            if let Some(reverse) = self.flows.get_mut(&flow.reversed()) {
                reverse.responder_spoke = true;
            }
            return;
        }
        if let Some(state) = self.flows.get(&flow).copied() {
            self.note_session_traffic(flow, &o, state, true);
            return;
        }
        let technique = match bits & !(TcpFlags::CWR | TcpFlags::ECE) {
            0 => Some(Technique::TcpNull),
            b if b == TcpFlags::FIN => Some(Technique::TcpFin),
            b if b == TcpFlags::FIN | TcpFlags::PSH | TcpFlags::URG => Some(Technique::TcpXmas),
            _ => None,
        };
        if let Some(technique) = technique {
            self.flows.entry(flow).or_default();
            self.add_probe(id, &o, technique);
            return;
        }
        let bare_ack = bits == TcpFlags::ACK && o.payload_len.unwrap_or(0) == 0;
        let looks_like_server_tail = src_port < SERVICE_PORT_LIMIT && dst_port > src_port;
        self.spoke.insert(flow);
        if bare_ack && !looks_like_server_tail {
            self.pending_ack.entry(flow).or_default().push((id, o));
        }
    }

    /// Records a segment of a flow that began with a SYN: the initiator's ACK after a SYN/ACK
    /// completes the handshake, and payload from either side shows a real exchange.
    fn note_session_traffic(&mut self, initiator_flow: Flow, o: &Observation, state: FlowState, from_initiator: bool) {
        let key = ContactKey {
            src: initiator_flow.src,
            dst: initiator_flow.dst,
            protocol: IpProtocol::TCP,
            dst_port: Some(initiator_flow.dst_port),
        };
        let Some(builder) = self.contacts.get_mut(&key) else {
            return;
        };
        if from_initiator && state.syn_acked {
            builder.contact.handshake_completed = true;
        }
        if o.payload_len.unwrap_or(0) > 0 {
            builder.contact.payload_exchanged = true;
        }
    }

    fn observe_udp(&mut self, id: i64, o: Observation) {
        let (Some(src_port), Some(dst_port)) = (o.src_port, o.dst_port) else {
            return;
        };
        let flow = Flow { src: o.src, src_port, dst: o.dst, dst_port, protocol: IpProtocol::UDP };
        if let Some(state) = self.flows.get_mut(&flow.reversed()) {
            state.responder_spoke = true;
            let key = reply_key(&o, IpProtocol::UDP);
            self.set_outcome(key, Outcome::Open);
            if let Some(builder) = self.contacts.get_mut(&key) {
                if o.payload_len.unwrap_or(0) > 0 {
                    builder.contact.payload_exchanged = true;
                }
            }
            return;
        }
        self.flows.entry(flow).or_default();
        self.add_probe(id, &o, Technique::Udp);
    }

    /// Reads an ICMP destination-unreachable message that quotes a probe.
    fn observe_icmp_error(&mut self, icmp: IcmpInfo) {
        let Some(quoted) = icmp.quoted else {
            return;
        };
        let outcome = match unreachable_outcome(quoted.src.is_ipv4(), icmp.icmp_type, icmp.code) {
            Some(outcome) => outcome,
            None => return,
        };
        let key = ContactKey { src: quoted.src, dst: quoted.dst, protocol: quoted.protocol, dst_port: quoted.dst_port };
        self.set_outcome(key, outcome);
    }

    fn add_probe(&mut self, id: i64, o: &Observation, technique: Technique) {
        let key = ContactKey { src: o.src, dst: o.dst, protocol: o.protocol, dst_port: o.dst_port };
        let builder = self.contacts.entry(key).or_insert_with(|| ContactBuilder {
            contact: Contact {
                src: o.src,
                dst: o.dst,
                protocol: o.protocol,
                dst_port: o.dst_port,
                first_ts_ns: o.ts_ns,
                last_ts_ns: o.ts_ns,
                probes: 0,
                flags_seen: 0,
                outcome: Outcome::Unanswered,
                handshake_completed: false,
                payload_exchanged: false,
            },
            techniques: HashMap::new(),
            probe_ids: Vec::new(),
            probe_times: Vec::new(),
        });
        let contact = &mut builder.contact;
        contact.probes += 1;
        contact.first_ts_ns = contact.first_ts_ns.min(o.ts_ns);
        contact.last_ts_ns = contact.last_ts_ns.max(o.ts_ns);
        contact.flags_seen |= o.tcp_flags.map_or(0, |flags| flags.0);
        if o.action.as_ref().is_some_and(|action| action.is_blocking()) {
            contact.outcome = stronger(contact.outcome, Outcome::Blocked);
        }
        *builder.techniques.entry(technique).or_insert(0) += 1;
        builder.probe_ids.push(id);
        builder.probe_times.push(o.ts_ns);
    }

    fn set_outcome(&mut self, key: ContactKey, outcome: Outcome) {
        if let Some(builder) = self.contacts.get_mut(&key) {
            builder.contact.outcome = stronger(builder.contact.outcome, outcome);
        }
    }
}

/// Returns the key of the contact a reply answers: the reply's destination probed the
/// reply's source port.
fn reply_key(reply: &Observation, protocol: IpProtocol) -> ContactKey {
    ContactKey { src: reply.dst, dst: reply.src, protocol, dst_port: reply.src_port }
}

/// Keeps the more informative of two outcomes: a reply seen beats a firewall verdict, which
/// beats silence, and an open port stays open.
fn stronger(current: Outcome, new: Outcome) -> Outcome {
    fn rank(outcome: Outcome) -> u8 {
        match outcome {
            Outcome::Open => 4,
            Outcome::Closed => 3,
            Outcome::Filtered => 2,
            Outcome::Blocked => 1,
            Outcome::Unanswered => 0,
        }
    }
    if rank(new) > rank(current) {
        new
    } else {
        current
    }
}

/// Maps an ICMP or ICMPv6 destination-unreachable code to an outcome.
///
/// ICMP (RFC 792, RFC 1812): type 3 code 3 is port unreachable (closed); codes 1, 2, 9, 10
/// and 13 are host, protocol and administrative prohibitions (filtered). ICMPv6 (RFC 4443):
/// type 1 code 4 is port unreachable; codes 1 (administratively prohibited), 3 (address
/// unreachable), 5 and 6 (policy) are filtered.
fn unreachable_outcome(ipv4: bool, icmp_type: u8, code: u8) -> Option<Outcome> {
    match (ipv4, icmp_type, code) {
        (true, 3, 3) => Some(Outcome::Closed),
        (true, 3, 1 | 2 | 9 | 10 | 13) => Some(Outcome::Filtered),
        (false, 1, 4) => Some(Outcome::Closed),
        (false, 1, 1 | 3 | 5 | 6) => Some(Outcome::Filtered),
        _ => None,
    }
}
