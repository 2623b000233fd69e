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
//! - raw IP (101 and the `DLT_RAW` numbers 12 and 14 with either version, 228 IPv4 only,
//!   229 IPv6 only), through etherparse;
//! - BSD loopback (0 null, 108 loop), through a 4-byte address family decoder in this file;
//! - PPP (9), PPP in HDLC-like framing (50) and PPPoE (51), and PPPoE sessions inside
//!   Ethernet or Linux cooked frames (EtherType 0x8864), through the PPP decoder in this file;
//! - Linux NFLOG (239), through the TLV decoder in this file.

use etherparse::{EtherType, LaxSlicedPacket};
use pcap_parser::data::{get_packetdata_linux_sll, get_packetdata_linux_sll2, PacketData};

/// `LINKTYPE_NULL`: BSD loopback, a 4-byte address family in the writer's byte order.
const LINKTYPE_NULL: u16 = 0;
/// `LINKTYPE_ETHERNET`: IEEE 802.3 Ethernet.
const LINKTYPE_ETHERNET: u16 = 1;
/// `LINKTYPE_PPP`: a PPP header, with or without the HDLC-like address and control bytes.
const LINKTYPE_PPP: u16 = 9;
/// `DLT_RAW` as some BSDs number it; files written there may carry it in place of 101.
const DLT_RAW_BSD: u16 = 12;
/// `DLT_RAW` as OpenBSD numbers it; files written there may carry it in place of 101.
const DLT_RAW_OPENBSD: u16 = 14;
/// `LINKTYPE_PPP_HDLC`: PPP in HDLC-like framing (RFC 1662).
const LINKTYPE_PPP_HDLC: u16 = 50;
/// `LINKTYPE_PPP_ETHER`: the frame starts with a PPPoE header (RFC 2516).
const LINKTYPE_PPP_ETHER: u16 = 51;
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
/// `LINKTYPE_NFLOG`: Linux netfilter log messages (`iptables -j NFLOG`, nftables `log group`).
const LINKTYPE_NFLOG: u16 = 239;
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

/// EtherType of PPPoE session frames, which carry PPP (RFC 2516). Discovery frames (0x8863)
/// carry no IP and are skipped like any other non-IP EtherType.
const ETHERTYPE_PPPOE_SESSION: EtherType = EtherType(0x8864);
/// Length of the PPPoE header: version and type, code, session ID and length (RFC 2516).
const PPPOE_HEADER_LEN: usize = 6;
/// Address and control bytes that open a PPP frame in HDLC-like framing (RFC 1662).
const PPP_HDLC_ADDRESS_CONTROL: [u8; 2] = [0xff, 0x03];
/// First bytes (address) of a Cisco HDLC frame, which `LINKTYPE_PPP_HDLC` files may hold in
/// place of PPP; its protocol field is an EtherType (RFC 1547 section 4.3.1).
const CISCO_HDLC_UNICAST: u8 = 0x0f;
const CISCO_HDLC_BROADCAST: u8 = 0x8f;
/// PPP protocol numbers of IPv4 and IPv6 (RFC 1332, RFC 5072).
const PPP_PROTOCOL_IPV4: u16 = 0x0021;
const PPP_PROTOCOL_IPV6: u16 = 0x0057;

/// Length of the NFLOG header: address family, version and resource ID.
const NFLOG_HEADER_LEN: usize = 4;
/// Length of an NFLOG TLV header: length and type, both 16 bits.
const NFLOG_TLV_HEADER_LEN: usize = 4;
/// NFLOG TLV type `NFULA_PAYLOAD`, whose value is the logged packet from its network header.
const NFULA_PAYLOAD: u16 = 9;
/// Bits of an NFLOG TLV type that are the type; the top two are netlink flags.
const NFLOG_TLV_TYPE_MASK: u16 = 0x3fff;
/// Linux address families of IPv4 and IPv6 in the NFLOG header.
const NFLOG_AF_INET: u8 = 2;
const NFLOG_AF_INET6: u8 = 10;

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
            Ok(packet) => match packet.ether_payload() {
                // etherparse 0.21 does not decode PPPoE, so its payload is left to this file.
                Some(payload) if payload.ether_type == ETHERTYPE_PPPOE_SESSION => decode_pppoe(payload.payload),
                _ => LinkLayer::Decoded(packet),
            },
            Err(err) => LinkLayer::Invalid(format!("Ethernet header invalid: {err}")),
        },
        LINKTYPE_RAW | DLT_RAW_BSD | DLT_RAW_OPENBSD => decode_ip(frame),
        LINKTYPE_IPV4 => decode_ip_version(frame, 4),
        LINKTYPE_IPV6 => decode_ip_version(frame, 6),
        LINKTYPE_NFLOG => decode_nflog(frame),
        LINKTYPE_NULL | LINKTYPE_LOOP => decode_bsd_loopback(frame),
        LINKTYPE_PPP => decode_ppp(frame),
        LINKTYPE_PPP_HDLC => match frame {
            [CISCO_HDLC_UNICAST | CISCO_HDLC_BROADCAST, _, high, low, payload @ ..] => LinkLayer::Decoded(
                LaxSlicedPacket::from_ether_type(EtherType(u16::from_be_bytes([*high, *low])), payload),
            ),
            _ => decode_ppp(frame),
        },
        LINKTYPE_PPP_ETHER => decode_pppoe(frame),
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

/// Decodes a frame that must start with an IP header of the given version, as
/// `LINKTYPE_IPV4` and `LINKTYPE_IPV6` require.
fn decode_ip_version(bytes: &[u8], version: u8) -> LinkLayer<'_> {
    match bytes.first().map(|first| first >> 4) {
        Some(found) if found == version => decode_ip(bytes),
        Some(found) => {
            LinkLayer::Invalid(format!("the link type requires IPv{version}, the frame holds IP version {found}"))
        }
        None => LinkLayer::Invalid("the frame is empty".to_string()),
    }
}

/// Decodes an NFLOG frame: a 4-byte header, then TLVs, one of which (`NFULA_PAYLOAD`) contains
/// the logged packet (tcpdump.org, LINKTYPE_NFLOG).
///
/// TLV lengths and types are in the byte order of the machine that logged the packet, which
/// a capture file does not record. The first TLV's length gives the order, because it counts
/// at least its own 4-byte header and usually fits in the frame in only one of the two
/// orders. When both readings fit, little-endian (x86 and most ARM systems) is taken.
fn decode_nflog(frame: &[u8]) -> LinkLayer<'_> {
    let Some((&[family, ..], tlvs)) = frame.split_first_chunk::<NFLOG_HEADER_LEN>() else {
        return LinkLayer::Invalid(format!(
            "NFLOG header needs {NFLOG_HEADER_LEN} bytes, the frame has {}",
            frame.len()
        ));
    };
    if family != NFLOG_AF_INET && family != NFLOG_AF_INET6 {
        return LinkLayer::NotIp(format!("non-IP frame (NFLOG address family {family})"));
    }
    let read_u16 = |bytes: [u8; 2], is_big_endian: bool| {
        if is_big_endian {
            u16::from_be_bytes(bytes)
        } else {
            u16::from_le_bytes(bytes)
        }
    };
    let fits = |len: u16| (NFLOG_TLV_HEADER_LEN..=tlvs.len()).contains(&usize::from(len));
    let is_big_endian = match tlvs {
        [low, high, ..] => !fits(read_u16([*low, *high], false)) && fits(read_u16([*low, *high], true)),
        _ => false,
    };

    let mut rest = tlvs;
    while let Some((&[len_0, len_1, type_0, type_1], _)) = rest.split_first_chunk::<NFLOG_TLV_HEADER_LEN>() {
        let len = usize::from(read_u16([len_0, len_1], is_big_endian));
        let tlv_type = read_u16([type_0, type_1], is_big_endian) & NFLOG_TLV_TYPE_MASK;
        if len < NFLOG_TLV_HEADER_LEN || len > rest.len() {
            return LinkLayer::Invalid(format!("NFLOG TLV of type {tlv_type} has length {len}, outside the frame"));
        }
        if tlv_type == NFULA_PAYLOAD {
            return decode_ip(&rest[NFLOG_TLV_HEADER_LEN..len]);
        }
        // Each TLV is padded to a multiple of 4 bytes.
        rest = rest.get(len.next_multiple_of(4)..).unwrap_or_default();
    }
    LinkLayer::NotIp("non-IP frame (NFLOG message without a packet)".to_string())
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
        Some(PacketData::L3(ether_type, payload)) if EtherType(ether_type) == ETHERTYPE_PPPOE_SESSION => {
            decode_pppoe(payload)
        }
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

/// Decodes a PPPoE session header (RFC 2516) and the PPP frame it carries.
fn decode_pppoe(bytes: &[u8]) -> LinkLayer<'_> {
    match bytes.get(PPPOE_HEADER_LEN..) {
        Some(ppp) => decode_ppp(ppp),
        None => {
            LinkLayer::Invalid(format!("PPPoE header needs {PPPOE_HEADER_LEN} bytes, the frame has {}", bytes.len()))
        }
    }
}

/// Decodes a PPP header and returns the IP packet it carries.
///
/// The frame may start with the HDLC-like address and control bytes `ff 03` (RFC 1662) or
/// directly with the protocol field. That field is one byte when the sender compressed it
/// (RFC 1661 section 6.5): a protocol number's first byte is always even and its last byte
/// odd, so an odd first byte is a whole one-byte protocol field.
fn decode_ppp(frame: &[u8]) -> LinkLayer<'_> {
    let bytes = frame.strip_prefix(&PPP_HDLC_ADDRESS_CONTROL[..]).unwrap_or(frame);
    let (protocol, payload) = match bytes {
        [first, rest @ ..] if first & 1 == 1 => (u16::from(*first), rest),
        [high, low, rest @ ..] => (u16::from_be_bytes([*high, *low]), rest),
        _ => {
            return LinkLayer::Invalid(format!("PPP header cut short: the frame has {} bytes", frame.len()));
        }
    };
    match protocol {
        PPP_PROTOCOL_IPV4 | PPP_PROTOCOL_IPV6 => decode_ip(payload),
        other => LinkLayer::NotIp(format!("non-IP frame (PPP protocol 0x{other:04x})")),
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
    fn ppp_header_forms() {
        // HDLC-like framing, bare two-byte protocol, and compressed one-byte protocol.
        for header in [&[0xff, 0x03, 0x00, 0x21][..], &[0x00, 0x21], &[0x21]] {
            let mut frame = header.to_vec();
            frame.extend_from_slice(&IPV4_UDP);
            let LinkLayer::Decoded(packet) = decode_link(LINKTYPE_PPP, &frame) else {
                panic!("PPP header {header:02x?} not decoded as IPv4");
            };
            assert!(packet.net.is_some(), "PPP header {header:02x?} has no network layer");
        }
    }

    #[test]
    fn ppp_control_protocol_not_ip() {
        let LinkLayer::NotIp(reason) = decode_link(LINKTYPE_PPP_HDLC, &[0xff, 0x03, 0xc0, 0x21, 1, 1, 0, 4]) else {
            panic!("LCP frame was not reported as non-IP");
        };
        assert_eq!(reason, "non-IP frame (PPP protocol 0xc021)");
    }

    #[test]
    fn pppoe_session_in_ethernet() {
        let mut frame = vec![0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x88, 0x64];
        frame.extend_from_slice(&[0x11, 0x00, 0x00, 0x01, 0x00, 30, 0x00, 0x21]);
        frame.extend_from_slice(&IPV4_UDP);
        let LinkLayer::Decoded(packet) = decode_link(LINKTYPE_ETHERNET, &frame) else {
            panic!("PPPoE session frame not decoded");
        };
        assert!(packet.net.is_some());
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
