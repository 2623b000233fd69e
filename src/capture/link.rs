//! Link layer: from a frame's bytes and its link type to the network layer.
//!
//! A *link type* is the `LINKTYPE_*` number of a pcap file header or a pcapng Interface
//! Description Block; it names the first header of every frame (list at
//! <https://www.tcpdump.org/linktypes.html>). This file maps the supported link types to an
//! [`etherparse::LaxSlicedPacket`], whose `net` field then contains the IPv4 or IPv6 header.
//! Everything above the link layer is decoded in `decode.rs`.
//!
//! Supported link types:
//! - Ethernet (1), with up to three 802.1Q / 802.1ad VLAN tags, through etherparse;
//! - Linux cooked capture v1 (113) and v2 (276), through pcap-parser's `data` module;
//! - raw IP (101, the `DLT_RAW` numbers 12 and 14, 228 IPv4, 229 IPv6), through etherparse;
//! - BSD loopback (0 null, 108 loop), through a 4-byte address family decoder in this file.

use etherparse::{EtherType, LaxSlicedPacket};
use pcap_parser::data::{get_packetdata_linux_sll, get_packetdata_linux_sll2, PacketData};

/// `LINKTYPE_NULL`: BSD loopback, a 4-byte address family in the writer's byte order.
const LINKTYPE_NULL: u16 = 0;
/// `LINKTYPE_ETHERNET`: IEEE 802.3 Ethernet.
const LINKTYPE_ETHERNET: u16 = 1;
/// `DLT_RAW` as some BSDs number it; files written there may carry it in place of 101.
const DLT_RAW_BSD: u16 = 12;
/// `DLT_RAW` as OpenBSD numbers it; files written there may carry it in place of 101.
const DLT_RAW_OPENBSD: u16 = 14;
/// `LINKTYPE_RAW`: the frame starts with an IPv4 or IPv6 header.
const LINKTYPE_RAW: u16 = 101;
/// `LINKTYPE_LOOP`: BSD loopback with the 4-byte address family in big-endian byte order.
const LINKTYPE_LOOP: u16 = 108;
/// `LINKTYPE_LINUX_SLL`: Linux cooked capture v1 (16-byte header).
const LINKTYPE_LINUX_SLL: u16 = 113;
/// `LINKTYPE_IPV4`: the frame starts with an IPv4 header.
const LINKTYPE_IPV4: u16 = 228;
/// `LINKTYPE_IPV6`: the frame starts with an IPv6 header.
const LINKTYPE_IPV6: u16 = 229;
/// `LINKTYPE_LINUX_SLL2`: Linux cooked capture v2 (20-byte header), which `tcpdump -i any`
/// writes with libpcap 1.10.
const LINKTYPE_LINUX_SLL2: u16 = 276;

/// Length of the Linux cooked capture v1 header, in bytes, as pcap-parser 0.17 decodes it.
const LINUX_SLL_HEADER_LEN: usize = 16;
/// Length of the Linux cooked capture v2 header, in bytes, as pcap-parser 0.17 decodes it.
const LINUX_SLL2_HEADER_LEN: usize = 20;
/// Length of the BSD loopback header, in bytes.
const NULL_HEADER_LEN: usize = 4;

/// Address family of IPv4 in BSD loopback headers, on every system (tcpdump.org, LINKTYPE_NULL).
const AF_INET: u32 = 2;
/// Address families of IPv6 in BSD loopback headers, which differ between BSDs: the three
/// values that tcpdump.org lists for `LINKTYPE_NULL` and `LINKTYPE_LOOP`.
const AF_INET6_VALUES: [u32; 3] = [24, 28, 30];

/// Smallest value of an Ethernet type/length field that is an EtherType (1536). Smaller
/// values are IEEE 802.3 frame lengths.
const MIN_ETHERTYPE: u16 = 0x0600;

/// Result of decoding the link header of one frame.
// Returned once per frame and matched at once, so boxing the large variant would only add
// an allocation per frame.
#[allow(clippy::large_enum_variant)]
pub(super) enum LinkLayer<'a> {
    /// The link header was decoded. The network layer is in the packet's `net` field, which
    /// is `None` when the payload is not IP or could not be decoded.
    Decoded(LaxSlicedPacket<'a>),
    /// The frame carries no IP packet; the text is the skipped reason.
    NotIp(String),
    /// The link type is not one this reader decodes.
    Unsupported,
    /// The link header is damaged or cut short, as the text describes.
    Invalid(String),
}

/// Decodes the link header of `frame` for link type `link_type`.
pub(super) fn decode_link(link_type: u16, frame: &[u8]) -> LinkLayer<'_> {
    match link_type {
        LINKTYPE_ETHERNET => match LaxSlicedPacket::from_ethernet(frame) {
            Ok(packet) => LinkLayer::Decoded(packet),
            Err(err) => LinkLayer::Invalid(format!("Ethernet header invalid: {err}")),
        },
        LINKTYPE_RAW | DLT_RAW_BSD | DLT_RAW_OPENBSD | LINKTYPE_IPV4 | LINKTYPE_IPV6 => decode_ip(frame),
        LINKTYPE_NULL | LINKTYPE_LOOP => decode_bsd_loopback(frame),
        LINKTYPE_LINUX_SLL => {
            decode_linux_cooked(get_packetdata_linux_sll(frame, frame.len()), frame, LINUX_SLL_HEADER_LEN)
        }
        LINKTYPE_LINUX_SLL2 => {
            decode_linux_cooked(get_packetdata_linux_sll2(frame, frame.len()), frame, LINUX_SLL2_HEADER_LEN)
        }
        _ => LinkLayer::Unsupported,
    }
}

/// Returns the skipped reason for a frame whose network layer has this EtherType.
pub(super) fn non_ip_reason(ether_type: EtherType) -> String {
    if ether_type.0 < MIN_ETHERTYPE {
        "non-IP frame (IEEE 802.3 length field, LLC)".to_string()
    } else {
        format!("non-IP frame (ethertype 0x{:04x})", ether_type.0)
    }
}

/// Decodes a frame that starts with an IPv4 or IPv6 header.
fn decode_ip(bytes: &[u8]) -> LinkLayer<'_> {
    match LaxSlicedPacket::from_ip(bytes) {
        Ok(packet) => LinkLayer::Decoded(packet),
        Err(err) => LinkLayer::Invalid(format!("IP header invalid: {err}")),
    }
}

/// Decodes the BSD loopback header: one 32-bit address family, then the IP packet.
///
/// `LINKTYPE_NULL` stores the family in the byte order of the capturing machine and
/// `LINKTYPE_LOOP` in big-endian order. Both are read in either order, because families are
/// below 65536: a larger value was written in the other byte order. pcap-parser 0.17 reads
/// only little-endian `LINKTYPE_NULL` and not `LINKTYPE_LOOP`, hence this decoder.
fn decode_bsd_loopback(frame: &[u8]) -> LinkLayer<'_> {
    let Some((header, packet)) = frame.split_first_chunk::<NULL_HEADER_LEN>() else {
        return LinkLayer::Invalid(format!(
            "BSD loopback header needs {NULL_HEADER_LEN} bytes, the frame has {}",
            frame.len()
        ));
    };
    let mut family = u32::from_le_bytes(*header);
    if family > u32::from(u16::MAX) {
        family = family.swap_bytes();
    }
    if family == AF_INET || AF_INET6_VALUES.contains(&family) {
        decode_ip(packet)
    } else {
        LinkLayer::NotIp(format!("non-IP frame (address family {family})"))
    }
}

/// Turns pcap-parser's reading of a Linux cooked capture header into a link layer.
///
/// etherparse 0.21 decodes only v1 headers and rejects ARPHRD types such as loopback (772)
/// that `tcpdump -i any` captures, so both versions use pcap-parser, which maps every ARPHRD
/// type except GRE, netlink and radiotap to "protocol field is an EtherType".
fn decode_linux_cooked<'a>(data: Option<PacketData<'a>>, frame: &'a [u8], header_len: usize) -> LinkLayer<'a> {
    match data {
        Some(PacketData::L3(ether_type, payload)) => {
            LinkLayer::Decoded(LaxSlicedPacket::from_ether_type(EtherType(ether_type), payload))
        }
        Some(PacketData::L4(..)) => LinkLayer::NotIp("non-IP frame (Linux cooked capture of a GRE device)".to_string()),
        Some(PacketData::L2(_) | PacketData::Unsupported(_)) => {
            LinkLayer::NotIp("non-IP frame (Linux cooked capture, unknown payload)".to_string())
        }
        None if frame.len() < header_len => LinkLayer::Invalid(format!(
            "Linux cooked capture header needs {header_len} bytes, the frame has {}",
            frame.len()
        )),
        None => LinkLayer::NotIp("non-IP frame (Linux cooked capture of a netlink or radiotap device)".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An IPv4 header (20 bytes) carrying an empty UDP datagram from 192.0.2.1 to 192.0.2.2.
    const IPV4_UDP: [u8; 28] =
        [0x45, 0, 0, 28, 0, 1, 0, 0, 64, 17, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2, 0x30, 0x39, 0, 53, 0, 8, 0, 0];

    fn loopback_frame(family: [u8; 4]) -> Vec<u8> {
        let mut frame = family.to_vec();
        frame.extend_from_slice(&IPV4_UDP);
        frame
    }

    #[test]
    fn loopback_family_both_orders() {
        for family in [[2, 0, 0, 0], [0, 0, 0, 2]] {
            let frame = loopback_frame(family);
            let LinkLayer::Decoded(packet) = decode_link(LINKTYPE_NULL, &frame) else {
                panic!("family {family:?} not decoded as IPv4");
            };
            assert!(packet.net.is_some(), "family {family:?} has no network layer");
        }
    }

    #[test]
    fn loopback_other_family_not_ip() {
        let frame = loopback_frame([0, 0, 0, 7]);
        let LinkLayer::NotIp(reason) = decode_link(LINKTYPE_LOOP, &frame) else {
            panic!("family 7 was not reported as non-IP");
        };
        assert_eq!(reason, "non-IP frame (address family 7)");
    }

    #[test]
    fn short_cooked_header_invalid() {
        let LinkLayer::Invalid(message) = decode_link(LINKTYPE_LINUX_SLL2, &[0; 10]) else {
            panic!("10-byte SLL2 frame was not rejected");
        };
        assert!(message.contains("20 bytes"), "{message}");
    }

    #[test]
    fn unknown_link_type_unsupported() {
        assert!(matches!(decode_link(147, &IPV4_UDP), LinkLayer::Unsupported));
    }

    #[test]
    fn ethertype_reason_text() {
        assert_eq!(non_ip_reason(EtherType::ARP), "non-IP frame (ethertype 0x0806)");
        assert_eq!(non_ip_reason(EtherType(0x0026)), "non-IP frame (IEEE 802.3 length field, LLC)");
    }
}
