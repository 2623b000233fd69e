//! Aggregation of one evidence file's observations into probes and contacts.
//!
//! Observations arrive in file order. Each one is either a *probe*, a *reply* to an earlier
//! probe, or traffic of a conversation:
//!
//! - probes open or test a port: a SYN, a FIN, NULL or Xmas segment, a bare ACK outside any
//!   connection, a UDP datagram that is not a reply, or an SCTP INIT. An ICMP echo or
//!   timestamp request and an ARP request are probes of the host itself, with no port, and
//!   the first packets of any other IP protocol are probes of that protocol;
//! - replies are a SYN/ACK, a RST, a UDP datagram back, an ICMP echo or timestamp reply, an
//!   ARP reply, or an ICMP error quoting the probe;
//! - conversation traffic is everything else on a flow whose start was seen.
//!
//! A sensor record that summarises a whole connection carries its replies with it
//! (`connection.rs`).
//!
//! Probes are grouped by (source, target, protocol, destination port) into contacts, and replies
//! set each contact's outcome. Probes are handed to the caller as they are found.
//!
//! Memory. The state of each flow expires once the flow has been idle for a while in the
//! evidence's time (`expiry.rs`), so memory does not grow with the number of packets or flows.
//! Bare ACK and Maimon probes wait in that flow state until their flow expires or the file
//! ends, whichever comes first. A contact is *finished* once it has been idle for
//! [`CONTACT_IDLE_TIMEOUT_NS`]: the caller takes it with [`Aggregator::take_finished`] and the
//! aggregator drops it, so memory grows with the contacts active at one time, not with the
//! file. A probe of the same key after that starts a new contact with its own index. One
//! evidence file can therefore hold several contacts of one key, at times more than
//! [`CONTACT_IDLE_TIMEOUT_NS`] apart, and readers fold them together (`analysis::merge`).
//!
//! Citable probes. An aggregator made with [`Aggregator::keeping_texts`] marks a probe as
//! citable ([`ProbeEvent::citable`]) and keeps its log text only when the probe can be among
//! the first `limit` probes of its contact in (time, order found). A probe is dropped from that set only when `limit` probes of its contact with an
//! earlier or equal time were found before it, so every probe in a contact's first `limit`
//! keeps its text. Any set of contacts' first `limit` probes is then among the kept ones.

mod connection;
mod contact_state;
mod expiry;
mod tcp;

use std::net::IpAddr;

use crate::model::{
    ArpOperation, Contact, IcmpInfo, IpProtocol, Observation, Outcome, Probe, ReplyRef, Technique, TimestampNs,
};
use contact_state::ContactState;
use expiry::Generations;
pub use expiry::{CONTACT_IDLE_TIMEOUT_NS, FLOW_IDLE_TIMEOUT_NS, MAX_FLOWS_PER_GENERATION};

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
    /// The initiator acknowledged the SYN/ACK, completing the handshake.
    completed: bool,
}

/// Bare ACK probes on one flow of unknown start, held until the flow expires or the file ends,
/// which shows whether the other side spoke (a conversation whose start was not captured) or
/// not (a probe).
#[derive(Debug, Default)]
struct PendingAck {
    probes: Vec<Probe>,
    /// The other side answered with RST, as a host does to an ACK probe of an unfiltered port.
    reset: Option<ReplyRef>,
    /// TCP window of that RST, when the evidence carries it.
    reset_window: Option<u16>,
}

/// Bare ACK probes kept per flow while waiting. An ACK scan sends one probe per port and
/// retransmits at most once, so two are enough. A longer run of bare ACKs on one flow is a
/// conversation, and the cap keeps its memory bounded.
const MAX_PENDING_ACKS_PER_FLOW: usize = 2;

/// A source endpoint that sent conversation segments (PSH, FIN, payload) to a host outside any
/// connection seen. Its bare ACKs to that host are the same conversation's tail, not probes:
/// an ACK scan sends bare ACKs only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct TailSender {
    src: IpAddr,
    src_port: u16,
    dst: IpAddr,
}

/// A probe found by the aggregator, with the index of its contact.
#[derive(Debug, Clone, PartialEq)]
pub struct ProbeEvent {
    /// Index of the contact in the order contacts were first seen, from 0.
    pub contact_index: u64,
    /// The probe.
    pub probe: Probe,
    /// The probe can be among the first probes of its contact that a finding cites; see the
    /// module docs. Always true for an aggregator made with [`Aggregator::new`].
    pub citable: bool,
}

/// Aggregates observations into contacts; see the module docs.
///
/// The maps use foldhash, which is faster than the standard library's SipHash for these
/// small keys. Like SipHash it is seeded at random per process, so crafted addresses in
/// evidence cannot force the same collisions on every run.
#[derive(Debug, Default)]
pub struct Aggregator {
    /// Contacts in memory, in generations that turn every [`CONTACT_IDLE_TIMEOUT_NS`].
    contacts: Generations<ContactKey, ContactState>,
    /// Index the next new contact gets.
    next_contact_index: u64,
    /// Time at which the current generation of contacts started.
    contact_generation_start_ns: TimestampNs,
    /// Contacts that left memory and wait for [`Self::take_finished`].
    finished: Vec<(u64, Contact)>,
    flows: Generations<Flow, FlowState>,
    pending_ack: Generations<Flow, PendingAck>,
    /// Flows of unknown start that carried segments other than RST.
    spoke: Generations<Flow, ()>,
    /// Endpoints that sent conversation tails; see [`TailSender`].
    tail_senders: Generations<TailSender, ()>,
    /// Latest observation time seen, the clock of flow expiry.
    latest_ns: Option<TimestampNs>,
    /// Time at which the current generation of flow state started.
    generation_start_ns: TimestampNs,
    /// Probes per contact whose log text is kept; `None` keeps every text.
    texts_per_contact: Option<u8>,
}

impl Aggregator {
    /// Creates an empty aggregator that keeps every probe's log text.
    pub fn new() -> Self {
        Self::default()
    }

    /// Creates an empty aggregator that keeps the log text only of the probes that can be among
    /// the first `limit` of their contact. The module docs give the rule.
    pub fn keeping_texts(limit: u8) -> Self {
        Self { texts_per_contact: Some(limit), ..Self::default() }
    }

    /// Takes one observation and appends the probes it is to `probes`. Probes held on flows
    /// that expire at this observation's time come first.
    pub fn observe(&mut self, observation: Observation, probes: &mut Vec<ProbeEvent>) {
        self.advance_clock(observation.ts_ns, probes);
        match observation.connection {
            Some(summary) => self.observe_connection(observation, summary, probes),
            None => self.observe_packet(observation, probes),
        }
    }

    /// Reads one packet, or the first packet of a connection record, by its protocol.
    fn observe_packet(&mut self, observation: Observation, probes: &mut Vec<ProbeEvent>) {
        match observation.protocol {
            IpProtocol::TCP => self.observe_tcp(observation, probes),
            IpProtocol::UDP => self.observe_udp(observation, probes),
            IpProtocol::ICMP | IpProtocol::ICMPV6 => self.observe_icmp(observation, probes),
            IpProtocol::ARP => self.observe_arp(observation, probes),
            IpProtocol::SCTP => self.observe_sctp(observation, probes),
            _ => self.observe_other_protocol(observation, probes),
        }
    }

    /// Resolves the held ACK probes at the end of the file, appending those that stay probes
    /// to `probes`, and finishes every contact. Call it once, after the last observation and
    /// before the last [`Self::take_finished`].
    pub fn finish(&mut self, probes: &mut Vec<ProbeEvent>) {
        let held: Vec<(Flow, PendingAck)> = self.pending_ack.drain_all().collect();
        self.resolve_held(held, probes);
        let finished = self.contacts.drain_all().map(|(key, state)| (state.index, state.to_contact(&key)));
        self.finished.extend(finished);
    }

    /// Returns true when contacts finished since the last [`Self::take_finished`].
    pub fn has_finished(&self) -> bool {
        !self.finished.is_empty()
    }

    /// Takes the contacts finished since the last call, with their indexes, in index order.
    /// The probes of a finished contact were all handed out before it finished.
    pub fn take_finished(&mut self) -> Vec<(u64, Contact)> {
        let mut finished = std::mem::take(&mut self.finished);
        finished.sort_unstable_by_key(|(index, _)| *index);
        finished
    }

    /// Returns the number of contacts held in memory, for tests of expiry.
    #[cfg(test)]
    fn contact_entries(&self) -> usize {
        self.contacts.len()
    }

    /// Returns the number of flow entries held in all flow tables, for tests of expiry.
    #[cfg(test)]
    fn flow_entries(&self) -> usize {
        self.flows.len() + self.pending_ack.len() + self.spoke.len() + self.tail_senders.len()
    }

    /// Moves the expiry clock to `ts_ns` and turns the generations of flows and contacts that
    /// are old enough. The clock never goes back, so lines out of order do not expire anything.
    fn advance_clock(&mut self, ts_ns: TimestampNs, probes: &mut Vec<ProbeEvent>) {
        let latest = match self.latest_ns {
            None => {
                self.generation_start_ns = ts_ns;
                self.contact_generation_start_ns = ts_ns;
                ts_ns
            }
            Some(latest) => latest.max(ts_ns),
        };
        self.latest_ns = Some(latest);
        self.turn_flow_generations(latest, probes);
        self.turn_contact_generations(latest);
    }

    /// Turns the generations of flow state when the current one is [`FLOW_IDLE_TIMEOUT_NS`]
    /// old or full, twice after a gap of two timeouts.
    fn turn_flow_generations(&mut self, latest: TimestampNs, probes: &mut Vec<ProbeEvent>) {
        let is_old = latest.saturating_sub(self.generation_start_ns) >= FLOW_IDLE_TIMEOUT_NS;
        let is_full = [
            self.flows.current_len(),
            self.pending_ack.current_len(),
            self.spoke.current_len(),
            self.tail_senders.current_len(),
        ]
        .into_iter()
        .any(|len| len >= MAX_FLOWS_PER_GENERATION);
        if is_old || is_full {
            self.turn_generations(probes);
            // The previous observation came less than one timeout after the generation
            // started, and every entry left was touched by then. Two timeouts after that
            // start they are all idle for more than one timeout, so they expire too.
            if latest.saturating_sub(self.generation_start_ns) >= 2 * FLOW_IDLE_TIMEOUT_NS {
                self.turn_generations(probes);
            }
            self.generation_start_ns = latest;
        }
    }

    /// Turns the generations of contacts when the current one is [`CONTACT_IDLE_TIMEOUT_NS`]
    /// old, twice after a gap of two timeouts, and moves the contacts of the dropped
    /// generation to the finished ones. Unlike flows, contacts turn by time only, because a
    /// contact finished before its reply arrived would lose its outcome.
    fn turn_contact_generations(&mut self, latest: TimestampNs) {
        let age = latest.saturating_sub(self.contact_generation_start_ns);
        if age < CONTACT_IDLE_TIMEOUT_NS {
            return;
        }
        let turns = if age >= 2 * CONTACT_IDLE_TIMEOUT_NS { 2 } else { 1 };
        for _ in 0..turns {
            let finished = &mut self.finished;
            self.contacts.turn(|key, state| finished.push((state.index, state.to_contact(&key))));
        }
        self.contact_generation_start_ns = latest;
    }

    /// Drops the oldest generation of flow state. Its held ACK probes are resolved first, while
    /// the state of the other tables is still there to show whether their flows spoke.
    fn turn_generations(&mut self, probes: &mut Vec<ProbeEvent>) {
        let mut expired = Vec::new();
        self.pending_ack.turn(|flow, held| expired.push((flow, held)));
        self.resolve_held(expired, probes);
        self.flows.turn(|_, _| {});
        self.spoke.turn(|_, _| {});
        self.tail_senders.turn(|_, _| {});
    }

    /// Adds the held ACK probes of flows that are not conversations, in the order of their
    /// first probe, and sets the outcome of those answered with RST.
    fn resolve_held(&mut self, mut held: Vec<(Flow, PendingAck)>, probes: &mut Vec<ProbeEvent>) {
        held.sort_by_key(|(_, pending)| pending.probes.first().map(|probe| (probe.ts_ns, probe.locator.record)));
        for (flow, pending) in held {
            if self.is_conversation(flow) {
                continue;
            }
            let key =
                ContactKey { src: flow.src, dst: flow.dst, protocol: IpProtocol::TCP, dst_port: Some(flow.dst_port) };
            let ack_probe = pending.probes.iter().all(|probe| probe.technique == Technique::TcpAck);
            for probe in pending.probes {
                self.add_probe(key, probe, probes);
            }
            if let Some(reset) = pending.reset {
                // Some stacks answer an ACK probe of an open port with a RST whose window is not
                // zero; a window scan reads that port as open.
                let window_open = ack_probe && pending.reset_window.is_some_and(|window| window > 0);
                let outcome = if window_open { Outcome::Open } else { Outcome::Closed };
                self.set_outcome(key, outcome, reset);
            }
        }
    }

    /// Returns true when the bare ACKs or FIN/ACKs on `flow` belong to a conversation: the
    /// other side spoke, or the sender sent a conversation tail to that host. Once true it stays
    /// true while the flow state is kept, so it may be asked as soon as a segment arrives.
    fn is_conversation(&self, flow: Flow) -> bool {
        let reversed = flow.reversed();
        self.spoke.contains(&reversed)
            || self.flows.peek(&reversed).is_some_and(|state| state.responder_spoke)
            || self.tail_senders.contains(&TailSender { src: flow.src, src_port: flow.src_port, dst: flow.dst })
    }

    fn observe_udp(&mut self, o: Observation, probes: &mut Vec<ProbeEvent>) {
        let (Some(src_port), Some(dst_port)) = (o.src_port, o.dst_port) else {
            return;
        };
        let flow = Flow { src: o.src, src_port, dst: o.dst, dst_port, protocol: IpProtocol::UDP };
        if let Some(state) = self.flows.get_mut(&flow.reversed()) {
            state.responder_spoke = true;
            let key = reply_key(&o, IpProtocol::UDP);
            self.set_outcome(key, Outcome::Open, ReplyRef { ts_ns: o.ts_ns, locator: o.locator });
            if o.payload_len.unwrap_or(0) > 0 {
                if let Some(state) = self.contacts.get_mut(&key) {
                    state.payload_exchanged = true;
                }
            }
            return;
        }
        if is_orphan_service_reply(src_port, dst_port) {
            // A server's response whose request is not in the evidence (one direction captured,
            // or the request sent before the capture started), so not a probe of the client.
            self.flows.get_or_insert_with(flow, FlowState::default).responder_spoke = true;
            return;
        }
        self.flows.get_or_insert_with(flow, FlowState::default);
        let key = ContactKey { src: o.src, dst: o.dst, protocol: o.protocol, dst_port: o.dst_port };
        self.add_probe(key, probe_from(o, Technique::Udp), probes);
    }

    /// Reads an ICMP or ICMPv6 message: a host-discovery request is a probe of the host, its
    /// reply marks the host as up, and an error that quotes a probe sets that probe's outcome.
    fn observe_icmp(&mut self, o: Observation, probes: &mut Vec<ProbeEvent>) {
        // NOTE: a session-log record of ICMP without a type is no probe here, so a blocked
        // ping sweep in a log that leaves the type out is not found.
        let Some(icmp) = o.icmp else {
            return;
        };
        let reply = ReplyRef { ts_ns: o.ts_ns, locator: o.locator };
        match icmp_query(o.protocol, icmp.icmp_type) {
            Some(IcmpQuery::Request) => {
                let key = ContactKey { src: o.src, dst: o.dst, protocol: o.protocol, dst_port: None };
                self.add_probe(key, probe_from(o, Technique::IcmpEcho), probes);
            }
            Some(IcmpQuery::Reply) => {
                let key = ContactKey { src: o.dst, dst: o.src, protocol: o.protocol, dst_port: None };
                self.set_outcome(key, Outcome::Open, reply);
            }
            None => self.observe_icmp_error(icmp, reply),
        }
    }

    /// Reads an ARP packet: a request is a probe of the target address, and a reply marks
    /// the address as in use.
    fn observe_arp(&mut self, o: Observation, probes: &mut Vec<ProbeEvent>) {
        match o.arp {
            Some(ArpOperation::Request) => {
                let key = ContactKey { src: o.src, dst: o.dst, protocol: IpProtocol::ARP, dst_port: None };
                self.add_probe(key, probe_from(o, Technique::Arp), probes);
            }
            Some(ArpOperation::Reply) => {
                let key = ContactKey { src: o.dst, dst: o.src, protocol: IpProtocol::ARP, dst_port: None };
                self.set_outcome(key, Outcome::Open, ReplyRef { ts_ns: o.ts_ns, locator: o.locator });
            }
            None => {}
        }
    }

    /// Reads an SCTP packet by its first chunk (RFC 9260 section 3.2): an INIT opens an
    /// association and is a probe of its port, an INIT ACK answers it (open) and an ABORT
    /// refuses it (closed). A COOKIE ECHO from the initiator completes the association and
    /// DATA is a real exchange. Packets whose chunk is unknown (firewall logs) are skipped,
    /// because their place in an association cannot be told.
    fn observe_sctp(&mut self, o: Observation, probes: &mut Vec<ProbeEvent>) {
        let (Some(src_port), Some(dst_port), Some(chunk)) = (o.src_port, o.dst_port, o.sctp_chunk) else {
            return;
        };
        let flow = Flow { src: o.src, src_port, dst: o.dst, dst_port, protocol: IpProtocol::SCTP };
        let reply = ReplyRef { ts_ns: o.ts_ns, locator: o.locator };
        match chunk {
            SCTP_INIT => {
                self.flows.get_or_insert_with(flow, FlowState::default);
                let key = ContactKey { src: o.src, dst: o.dst, protocol: IpProtocol::SCTP, dst_port: o.dst_port };
                self.add_probe(key, probe_from(o, Technique::SctpInit), probes);
            }
            SCTP_INIT_ACK | SCTP_ABORT if self.flows.contains(&flow.reversed()) => {
                let outcome = if chunk == SCTP_INIT_ACK { Outcome::Open } else { Outcome::Closed };
                self.set_outcome(reply_key(&o, IpProtocol::SCTP), outcome, reply);
            }
            _ => {
                let (initiator, from_initiator) = if self.flows.contains(&flow) {
                    (flow, true)
                } else if self.flows.contains(&flow.reversed()) {
                    (flow.reversed(), false)
                } else {
                    return;
                };
                let key = ContactKey {
                    src: initiator.src,
                    dst: initiator.dst,
                    protocol: IpProtocol::SCTP,
                    dst_port: Some(initiator.dst_port),
                };
                if let Some(state) = self.contacts.get_mut(&key) {
                    state.handshake_completed |= from_initiator && chunk == SCTP_COOKIE_ECHO;
                    state.payload_exchanged |= chunk == SCTP_DATA;
                }
            }
        }
    }

    /// Reads a packet of another IP protocol (IGMP, GRE, ESP, OSPF, or a bare IP header with
    /// any protocol number). Its first packets from a source to a host are probes of that
    /// protocol, as nmap's protocol scan sends them. A packet back in the same protocol
    /// marks the protocol as supported (open). More than [`MAX_PROTOCOL_PROBES`] packets,
    /// or packets both ways, are a conversation (a tunnel, a routing protocol), which the
    /// contact records as payload exchanged.
    fn observe_other_protocol(&mut self, o: Observation, probes: &mut Vec<ProbeEvent>) {
        let key = ContactKey { src: o.src, dst: o.dst, protocol: o.protocol, dst_port: None };
        let reverse = ContactKey { src: o.dst, dst: o.src, protocol: o.protocol, dst_port: None };
        if let Some(state) = self.contacts.get_mut(&reverse) {
            let reply = ReplyRef { ts_ns: o.ts_ns, locator: o.locator };
            let answered_probe = state.reply.is_none() && state.probes <= MAX_PROTOCOL_PROBES;
            if !answered_probe {
                state.payload_exchanged = true;
            }
            self.set_outcome(reverse, Outcome::Open, reply);
            return;
        }
        if let Some(state) = self.contacts.get_mut(&key) {
            if state.probes >= MAX_PROTOCOL_PROBES {
                state.payload_exchanged = true;
                return;
            }
        }
        self.add_probe(key, probe_from(o, Technique::IpProtocol), probes);
    }

    /// Reads an ICMP destination-unreachable message that quotes a probe.
    fn observe_icmp_error(&mut self, icmp: IcmpInfo, reply: ReplyRef) {
        let Some(quoted) = icmp.quoted else {
            return;
        };
        let outcome = if is_protocol_unreachable(&quoted, icmp.icmp_type, icmp.code) {
            // The host does not support the quoted protocol: closed, as a protocol scan reads it.
            Outcome::Closed
        } else {
            let Some(outcome) = unreachable_outcome(quoted.src.is_ipv4(), icmp.icmp_type, icmp.code) else {
                return;
            };
            outcome
        };
        let key = ContactKey { src: quoted.src, dst: quoted.dst, protocol: quoted.protocol, dst_port: quoted.dst_port };
        self.set_outcome(key, outcome, reply);
    }

    fn add_probe(&mut self, key: ContactKey, mut probe: Probe, probes: &mut Vec<ProbeEvent>) {
        let next_index = &mut self.next_contact_index;
        let state = self.contacts.get_or_insert_with(key, || {
            let index = *next_index;
            *next_index += 1;
            ContactState::new(index, probe.ts_ns, probe.technique)
        });
        let index = state.index;
        let mut citable = true;
        if let Some(limit) = self.texts_per_contact {
            // Read before the probe moves the contact's last time; see the module docs.
            citable = state.texts_kept < limit || probe.ts_ns < state.last_ts_ns;
            if citable {
                state.texts_kept = state.texts_kept.saturating_add(1);
            } else {
                probe.source_text = None;
            }
        }
        state.probes += 1;
        state.first_ts_ns = state.first_ts_ns.min(probe.ts_ns);
        state.last_ts_ns = state.last_ts_ns.max(probe.ts_ns);
        state.flags_seen |= probe.tcp_flags.map_or(0, |flags| flags.0);
        if probe.action.as_ref().is_some_and(|action| action.is_blocking()) && state.reply.is_none() {
            state.outcome = stronger(state.outcome, Outcome::Blocked);
        }
        state.count_technique(probe.technique);
        probes.push(ProbeEvent { contact_index: index, probe, citable });
    }

    fn set_outcome(&mut self, key: ContactKey, outcome: Outcome, reply: ReplyRef) {
        if let Some(state) = self.contacts.get_mut(&key) {
            let updated = stronger(state.outcome, outcome);
            if updated != state.outcome || state.reply.is_none() && updated == outcome {
                state.reply = Some(reply);
            }
            state.outcome = updated;
        }
    }
}

/// Builds a probe from the observation that carried it, moving its texts instead of
/// copying them, because every caller is done with the observation.
fn probe_from(o: Observation, technique: Technique) -> Probe {
    Probe {
        ts_ns: o.ts_ns,
        locator: o.locator,
        technique,
        src_port: o.src_port,
        tcp_flags: o.tcp_flags,
        ttl: o.ttl,
        ip_id: o.ip_id,
        tcp_window: o.tcp_window,
        tcp_options: o.tcp_options,
        payload_len: o.payload_len,
        action: o.action,
        rule: o.rule,
        source_text: o.source_text,
    }
}

/// Returns the key of the contact a reply belongs to: the reply's destination probed the
/// reply's source port.
fn reply_key(reply: &Observation, protocol: IpProtocol) -> ContactKey {
    ContactKey { src: reply.dst, dst: reply.src, protocol, dst_port: reply.src_port }
}

/// Keeps the more informative of two outcomes (see [`Outcome::strength`]).
fn stronger(current: Outcome, new: Outcome) -> Outcome {
    if new.strength() > current.strength() {
        new
    } else {
        current
    }
}

/// UDP service ports whose servers answer clients on the clients' ephemeral ports: DNS 53,
/// DHCP 67, NTP 123, NetBIOS name 137, SNMP 161, IKE 500, SSDP 1900 and mDNS 5353 (IANA
/// service names registry).
const UDP_SERVICE_PORTS: [u16; 8] = [53, 67, 123, 137, 161, 500, 1900, 5353];

/// Lowest ephemeral port: IANA's dynamic range starts at 49152, but Linux hands out ports
/// from 32768 and older systems from 1024, so every port from 1024 up counts.
const FIRST_EPHEMERAL_PORT: u16 = 1024;

/// Returns true for a UDP datagram from a service port to an ephemeral port: the answer of
/// a DNS, NTP or similar server, which a DNS server sends to many client ports without
/// scanning them.
///
/// NOTE: a scanner that sends from port 53 (nmap `-g 53`, to pass naive filters) to ports
/// from 1024 up is read as responses for those ports. Its probes to lower ports still count.
fn is_orphan_service_reply(src_port: u16, dst_port: u16) -> bool {
    UDP_SERVICE_PORTS.contains(&src_port) && dst_port >= FIRST_EPHEMERAL_PORT
}

/// SCTP chunk types (RFC 9260 section 3.2).
const SCTP_DATA: u8 = 0;
const SCTP_INIT: u8 = 1;
const SCTP_INIT_ACK: u8 = 2;
const SCTP_ABORT: u8 = 6;
const SCTP_COOKIE_ECHO: u8 = 10;

/// Maximum number of packets of a protocol other than TCP, UDP, SCTP, ICMP and ARP from one
/// source to one host that count as probes: one probe and nmap's default of at most 10
/// retransmissions (nmap 7.93 `--max-retries`). In the test capture of `nmap -sO` against
/// Linux, nmap sent the protocols that got no reply 11 times each. IGMP, OSPF, GRE and ESP
/// traffic repeats for as long as it runs.
pub const MAX_PROTOCOL_PROBES: u64 = 11;

/// Returns true for an ICMPv4 protocol-unreachable message (RFC 792 type 3 code 2) or an
/// ICMPv6 parameter problem for an unrecognized next header (RFC 4443 type 4 code 1) that
/// quotes a packet of a protocol without ports.
fn is_protocol_unreachable(quoted: &crate::model::QuotedPacket, icmp_type: u8, code: u8) -> bool {
    let ipv4 = quoted.src.is_ipv4();
    let without_ports = !quoted.protocol.has_ports();
    without_ports && (ipv4 && icmp_type == 3 && code == 2 || !ipv4 && icmp_type == 4 && code == 1)
}

/// Direction of an ICMP query used for host discovery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IcmpQuery {
    Request,
    Reply,
}

/// Classifies the ICMP queries that host discovery uses: echo (RFC 792 types 8 and 0,
/// RFC 4443 types 128 and 129) and, for ICMP only, timestamp (types 13 and 14). nmap sends
/// a timestamp request beside the echo request because some filters pass one and not the
/// other.
fn icmp_query(protocol: IpProtocol, icmp_type: u8) -> Option<IcmpQuery> {
    match (protocol, icmp_type) {
        (IpProtocol::ICMP, 8 | 13) | (IpProtocol::ICMPV6, 128) => Some(IcmpQuery::Request),
        (IpProtocol::ICMP, 0 | 14) | (IpProtocol::ICMPV6, 129) => Some(IcmpQuery::Reply),
        _ => None,
    }
}

/// Maps an ICMP or ICMPv6 destination-unreachable code to an outcome.
///
/// For ICMP (RFC 792 and RFC 1812), type 3 code 3 is port unreachable (closed), and codes 1, 2,
/// 9, 10 and 13 are host, protocol and administrative prohibitions (filtered). For ICMPv6
/// (RFC 4443), type 1 code 4 is port unreachable, and codes 1, 3, 5 and 6 are filtered.
fn unreachable_outcome(ipv4: bool, icmp_type: u8, code: u8) -> Option<Outcome> {
    match (ipv4, icmp_type, code) {
        (true, 3, 3) => Some(Outcome::Closed),
        (true, 3, 1 | 2 | 9 | 10 | 13) => Some(Outcome::Filtered),
        (false, 1, 4) => Some(Outcome::Closed),
        (false, 1, 1 | 3 | 5 | 6) => Some(Outcome::Filtered),
        _ => None,
    }
}
#[cfg(test)]
mod streaming_tests;
#[cfg(test)]
mod tests;
