//! Sensor records that summarise a whole connection (Zeek conn.log, Suricata flow events).
//!
//! Such a record is the connection's first packet and its replies in one line. The record
//! goes through the same path as a packet, which makes it a probe or conversation traffic by
//! its first segment. Then the record's [`ConnectionSummary`] sets what the replies would
//! have set: the contact's outcome, with the record itself cited as the reply, and whether
//! the handshake completed, the source reset it, or payload was exchanged.

use super::{Aggregator, ContactKey, Flow, ProbeEvent};
use crate::model::{ConnectionSummary, IpProtocol, Observation, Outcome, ReplyRef, ResponderReply, TcpFlags};

impl Aggregator {
    /// Takes one connection record; see the module docs.
    pub(super) fn observe_connection(
        &mut self,
        o: Observation,
        summary: ConnectionSummary,
        probes: &mut Vec<ProbeEvent>,
    ) {
        let key = ContactKey { src: o.src, dst: o.dst, protocol: o.protocol, dst_port: o.dst_port };
        let reply = ReplyRef { ts_ns: o.ts_ns, locator: o.locator };
        let flow = match (o.src_port, o.dst_port) {
            (Some(src_port), Some(dst_port)) => {
                Some(Flow { src: o.src, src_port, dst: o.dst, dst_port, protocol: o.protocol })
            }
            _ => None,
        };
        let opened_with_syn = o.tcp_flags.is_some_and(|flags| flags.contains(TcpFlags::SYN));
        let responder_spoke = matches!(summary.reply, ResponderReply::Open | ResponderReply::Midstream);
        if summary.reply == ResponderReply::Midstream
            || o.protocol == IpProtocol::TCP && responder_spoke && !opened_with_syn
        {
            // A conversation whose opening the record does not show: no probe, and bare ACKs
            // of the same flow in other records are its traffic too.
            if let Some(flow) = flow {
                self.spoke.get_or_insert_with(flow.reversed(), || ());
            }
            return;
        }

        let protocol = o.protocol;
        self.observe_packet(o, probes);

        if protocol == IpProtocol::TCP && !opened_with_syn && summary.reply == ResponderReply::Closed {
            // A bare ACK that drew a RST, as an ACK scan probe of an unfiltered port does. The
            // probe is held on its flow (see `tcp.rs`), so the reset is recorded there.
            if let Some(held) = flow.and_then(|flow| self.pending_ack.get_mut(&flow)) {
                held.reset.get_or_insert(reply);
            }
            return;
        }
        let Some(state) = self.contacts.get_mut(&key) else {
            return;
        };
        state.handshake_completed |= summary.handshake_completed;
        state.source_reset |= summary.source_reset;
        state.payload_exchanged |= summary.payload_exchanged;
        match summary.reply {
            ResponderReply::Open => self.set_outcome(key, Outcome::Open, reply),
            ResponderReply::Closed => self.set_outcome(key, Outcome::Closed, reply),
            ResponderReply::Unanswered | ResponderReply::Midstream => {}
        }
    }
}
