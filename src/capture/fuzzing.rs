//! Entry point for the frame decoder fuzz target in `fuzz/`.
//!
//! The capture reader reaches the link and IP decoders only through a whole capture file, so
//! a fuzzer would spend most of its input on file headers. This module exposes the decoder of
//! one frame instead. It is not part of the supported API and may change without notice.

use super::decode::{decode_frame as decode, FrameOutcome};
use crate::model::{Locator, Observation};

/// Decodes one frame of link type `link_type` as the capture reader does, and returns its
/// observation when the frame is an IP packet. The frame gets time 0 and frame number 1.
pub fn decode_frame(link_type: u16, frame: &[u8]) -> Option<Observation> {
    let locator = Locator { record: 1, byte_offset: 0 };
    match decode(link_type, frame, 0, locator) {
        FrameOutcome::Packet { observation, .. } => Some(observation),
        FrameOutcome::NotIp(_) | FrameOutcome::UnsupportedLinkType | FrameOutcome::Invalid(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use etherparse::PacketBuilder;

    use super::decode_frame;

    /// `LINKTYPE_RAW`: the frame starts with an IP header.
    const LINKTYPE_RAW: u16 = 101;
    /// `LINKTYPE_USER0`, which the decoder does not support.
    const LINKTYPE_USER0: u16 = 147;

    fn tcp_syn() -> Vec<u8> {
        let mut packet = Vec::new();
        PacketBuilder::ipv4([10, 0, 0, 1], [10, 0, 0, 2], 64)
            .tcp(40000, 443, 1, 1024)
            .syn()
            .write(&mut packet, &[])
            .expect("build");
        packet
    }

    #[test]
    fn decode_frame_reads_ip_packet() {
        let observation = decode_frame(LINKTYPE_RAW, &tcp_syn()).expect("an observation");
        assert_eq!(observation.dst_port, Some(443));
        assert_eq!(observation.ttl, Some(64));
        assert_eq!(observation.locator.record, 1);
    }

    #[test]
    fn decode_frame_unsupported_link_type() {
        assert!(decode_frame(LINKTYPE_USER0, &tcp_syn()).is_none());
    }

    #[test]
    fn decode_frame_empty_frame() {
        assert!(decode_frame(LINKTYPE_RAW, &[]).is_none());
    }
}
