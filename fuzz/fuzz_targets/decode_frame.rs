//! Fuzz target: one frame through the link, IP and transport decoders.
//!
//! The first input byte selects the link type from `LINK_TYPES` (the byte modulo the table's
//! length) and the rest is the frame.

#![no_main]

use libfuzzer_sys::fuzz_target;
use scancase::capture::fuzzing::decode_frame;

/// Every link type the decoder supports, then one it does not (147, `LINKTYPE_USER0`).
const LINK_TYPES: [u16; 15] = [0, 1, 9, 12, 14, 50, 51, 101, 108, 113, 228, 229, 239, 276, 147];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, frame)) = data.split_first() else {
        return;
    };
    let link_type = LINK_TYPES[usize::from(selector) % LINK_TYPES.len()];
    if let Some(observation) = decode_frame(link_type, frame) {
        assert!(observation.ttl.is_some(), "an IP packet always has a TTL or hop limit");
    }
});
