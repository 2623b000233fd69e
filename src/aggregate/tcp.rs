//! TCP segments: probes, replies and conversation traffic.

use super::{
    probe_from, reply_key, Aggregator, ContactKey, Flow, FlowState, PendingAck, ProbeEvent, TailSender,
    MAX_PENDING_ACKS_PER_FLOW,
};
use crate::model::{FirewallAction, IpProtocol, Observation, Outcome, Probe, ReplyRef, TcpFlags, Technique};

/// Lowest port of the ephemeral range that Linux hands out (32768 to 60999; Windows uses
/// 49152 and up). A FIN/ACK to a port from here up is far more often the late FIN of a
/// client's connection than a Maimon probe, so only lower ports count as probed.
const FIRST_EPHEMERAL_PORT: u16 = 32768;

/// Shortest TCP header, in bytes, of a SYN that an operating system's stack built for
/// `connect()`: 12 bytes of options. Windows sends MSS, window scale and SACK permitted with
/// padding (32 bytes), Linux adds timestamps (40) and macOS sends 44. Raw-packet scanners send
/// 20 (hping3, masscan 1.0.4, no options) or 24 (nmap 7.93, MSS only).
const MIN_OS_STACK_TCP_HEADER: u8 = 32;

/// Returns the technique of a SYN probe: a connect probe when the options are unknown but the
/// header length a log line implies is that of an operating system's SYN, else a SYN probe.
/// The analysis weighs this per-probe hint against the whole scan's source ports and windows.
fn syn_probe_technique(o: &Observation) -> Technique {
    let os_stack_length = o.tcp_header_len.is_some_and(|length| length >= MIN_OS_STACK_TCP_HEADER);
    if o.tcp_options.is_none() && os_stack_length {
        Technique::TcpConnect
    } else {
        Technique::TcpSyn
    }
}

impl Aggregator {
    /// Takes a TCP record without flags, as session-based firewalls write them (FortiGate,
    /// PAN-OS, Juniper SRX, Cisco ASA 106023, Check Point, SonicWall, Sophos). A stateful
    /// firewall logs a new session from its first packet, a SYN, so a record the firewall
    /// blocked is a connection attempt that never got through: it counts as a SYN probe whose
    /// flags the log did not give. Allowed sessions stay observations only, because their
    /// records show neither which side opened them nor whether a handshake completed.
    ///
    /// NOTE: a firewall that logs blocked mid-session packets under the same message would
    /// have those counted as probes too. No sample of the supported dialects shows this.
    fn observe_tcp_session_record(&mut self, o: Observation, probes: &mut Vec<ProbeEvent>) {
        if !o.action.as_ref().is_some_and(FirewallAction::is_blocking) {
            return;
        }
        let key = ContactKey { src: o.src, dst: o.dst, protocol: IpProtocol::TCP, dst_port: o.dst_port };
        self.add_probe(key, probe_from(o, Technique::TcpSyn), probes);
    }

    pub(super) fn observe_tcp(&mut self, o: Observation, probes: &mut Vec<ProbeEvent>) {
        let (Some(src_port), Some(dst_port)) = (o.src_port, o.dst_port) else {
            return;
        };
        let Some(flags) = o.tcp_flags else {
            self.observe_tcp_session_record(o, probes);
            return;
        };
        let flow = Flow { src: o.src, src_port, dst: o.dst, dst_port, protocol: IpProtocol::TCP };
        let bits = flags.without_ecn();
        let syn = bits & TcpFlags::SYN != 0;
        let ack = bits & TcpFlags::ACK != 0;
        let rst = bits & TcpFlags::RST != 0;
        let reply = ReplyRef { ts_ns: o.ts_ns, locator: o.locator };
        let key = ContactKey { src: o.src, dst: o.dst, protocol: IpProtocol::TCP, dst_port: o.dst_port };

        if syn && !ack {
            self.flows.get_or_insert_with(flow, FlowState::default);
            let technique = syn_probe_technique(&o);
            self.add_probe(key, probe_from(o, technique), probes);
            return;
        }
        if syn && ack {
            if let Some(state) = self.flows.get_mut(&flow.reversed()) {
                state.syn_acked = true;
                state.responder_spoke = true;
            }
            self.set_outcome(reply_key(&o, IpProtocol::TCP), Outcome::Open, reply);
            return;
        }
        if rst {
            // A RST answers a probe toward this port: the port is closed (or, for ACK probes,
            // reachable through the firewall). A RST from the prober itself ends its own
            // half-open attempt and matches no contact.
            self.set_outcome(reply_key(&o, IpProtocol::TCP), Outcome::Closed, reply);
            if let Some(held) = self.pending_ack.get_mut(&flow.reversed()) {
                if held.reset.is_none() {
                    held.reset = Some(reply);
                    held.reset_window = o.tcp_window;
                }
            }
            // Only a RST in place of the handshake's ACK leaves the connection half open; a
            // RST after a completed handshake closes a connection.
            if self.flows.get_mut(&flow).is_some_and(|state| state.syn_acked && !state.completed) {
                if let Some(state) = self.contacts.get_mut(&key) {
                    state.source_reset = true;
                }
            }
            return;
        }

        // A segment without SYN or RST: part of a known conversation, or an out-of-state probe.
        if let Some(state) = self.flows.get_mut(&flow.reversed()) {
            state.responder_spoke = true;
            let syn_acked = state.syn_acked;
            self.note_session_traffic(flow.reversed(), &o, syn_acked, false);
            return;
        }
        if let Some(state) = self.flows.get_mut(&flow) {
            state.completed |= state.syn_acked;
            let syn_acked = state.syn_acked;
            self.note_session_traffic(flow, &o, syn_acked, true);
            return;
        }
        let technique = match bits {
            0 => Some(Technique::TcpNull),
            b if b == TcpFlags::FIN => Some(Technique::TcpFin),
            b if b == TcpFlags::FIN | TcpFlags::PSH | TcpFlags::URG => Some(Technique::TcpXmas),
            _ => None,
        };
        if let Some(technique) = technique {
            self.flows.get_or_insert_with(flow, FlowState::default);
            self.add_probe(key, probe_from(o, technique), probes);
            return;
        }
        let no_payload = o.payload_len.unwrap_or(0) == 0;
        if bits == TcpFlags::FIN | TcpFlags::ACK && no_payload && dst_port < FIRST_EPHEMERAL_PORT {
            // A Maimon probe, or the FIN of a conversation whose start is not in the evidence:
            // held like a bare ACK until the end shows whether the other side ever spoke.
            self.hold(flow, probe_from(o, Technique::TcpMaimon));
            return;
        }
        self.spoke.get_or_insert_with(flow, || ());
        let bare_ack = bits == TcpFlags::ACK && o.payload_len.unwrap_or(0) == 0;
        if !bare_ack {
            // PSH, FIN or payload outside any known connection: the tail of a conversation whose
            // start is not in the evidence, as a stateful firewall logs after the state expired.
            self.tail_senders.get_or_insert_with(TailSender { src: o.src, src_port, dst: o.dst }, || ());
        }
        if bare_ack {
            self.hold(flow, probe_from(o, Technique::TcpAck));
        }
    }

    /// Holds a bare ACK or FIN/ACK probe on its flow until the flow shows whether it is a
    /// conversation. A flow that already is one holds nothing, because that cannot change.
    fn hold(&mut self, flow: Flow, probe: Probe) {
        if self.is_conversation(flow) {
            self.pending_ack.remove(&flow);
            return;
        }
        let held = self.pending_ack.get_or_insert_with(flow, PendingAck::default);
        if held.probes.len() < MAX_PENDING_ACKS_PER_FLOW {
            held.probes.push(probe);
        }
    }

    /// Records a segment of a flow that began with a SYN: the initiator's ACK after a SYN/ACK
    /// completes the handshake, and payload from either side shows a real exchange.
    fn note_session_traffic(&mut self, initiator_flow: Flow, o: &Observation, syn_acked: bool, from_initiator: bool) {
        let key = ContactKey {
            src: initiator_flow.src,
            dst: initiator_flow.dst,
            protocol: IpProtocol::TCP,
            dst_port: Some(initiator_flow.dst_port),
        };
        let Some(state) = self.contacts.get_mut(&key) else {
            return;
        };
        if from_initiator && syn_acked {
            state.handshake_completed = true;
        }
        if o.payload_len.unwrap_or(0) > 0 {
            state.payload_exchanged = true;
        }
    }
}
