//! The key=value body of a netfilter LOG message: `IN=... OUT=... SRC=... DST=... PROTO=...`.
//!
//! The kernel (`nf_log_syslog.c`) writes one packet dump in this order:
//!
//! 1. interfaces and MAC address;
//! 2. the IP header: `SRC DST LEN TOS PREC TTL ID`, flags `CE DF MF` and `FRAG:offset` (in
//!    8-byte units) for IPv4, or `SRC DST LEN TC HOPLIMIT FLOWLBL` and an optional fragment
//!    header `FRAG:offset [INCOMPLETE] ID:hex` (offset in bytes) for IPv6;
//! 3. `PROTO=`;
//! 4. the transport header: `SPT DPT WINDOW RES`, flag words and `URGP` for TCP, `SPT DPT LEN`
//!    for UDP, `TYPE CODE` for ICMP.
//!
//! Keys repeat across layers (`LEN`, `ID`), so each key is read in its layer. Before `PROTO=` it
//! belongs to the IP header, after it to the transport header. An ICMP error quotes the offending packet's headers in
//! brackets, `[SRC=... DST=... PROTO=TCP SPT=... DPT=... ]`, read as a second dump.
//!
//! `INCOMPLETE [N bytes]` after `PROTO=` means the transport header was cut short. Fragments with
//! an offset above zero carry no transport header, and their ports are never reported.

mod kernel_order;

use std::net::{IpAddr, Ipv6Addr};
use std::str::FromStr;

use super::outcome::tcp_header_len_from_ip_len;
use crate::model::{IcmpInfo, IpProtocol, QuotedPacket, TcpFlags, TcpOptionKinds, MAX_TCP_OPTION_KINDS};

/// Size of the UDP header in bytes (RFC 768), subtracted from the UDP `LEN=` for the payload.
const UDP_HEADER_BYTES: u32 = 8;

/// IP protocol number of UDP-Lite (RFC 3828), which the kernel logs as `PROTO=UDPLITE`.
const UDPLITE: IpProtocol = IpProtocol::from_ip_number(136);

/// The packet fields read from one LOG message.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct PacketFields {
    pub src: IpAddr,
    pub dst: IpAddr,
    pub protocol: IpProtocol,
    pub src_port: Option<u16>,
    pub dst_port: Option<u16>,
    pub tcp_flags: Option<TcpFlags>,
    pub icmp: Option<IcmpInfo>,
    pub ttl: Option<u8>,
    pub ip_id: Option<u32>,
    pub tcp_window: Option<u16>,
    pub tcp_options: Option<TcpOptionKinds>,
    pub payload_len: Option<u32>,
    /// TCP header length derived from the IP `LEN=` when the line shows no TCP options and no
    /// IP options or IPv6 extension headers.
    pub tcp_header_len: Option<u8>,
    /// Problems that did not stop the line, one sentence each.
    pub warnings: Vec<String>,
}

/// Content of a LOG message body.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Body {
    /// An IPv4 or IPv6 packet.
    Packet(PacketFields),
    /// A message without an IP header, such as an ARP packet or a truncated frame.
    NoIpPacket,
}

/// The raw values of one header dump, each the first occurrence of its key in its layer.
#[derive(Debug, Default, PartialEq)]
struct Dump<'a> {
    src: Option<&'a str>,
    dst: Option<&'a str>,
    ttl: Option<&'a str>,
    hop_limit: Option<&'a str>,
    ipv4_id: Option<&'a str>,
    ipv6_fragment_id: Option<&'a str>,
    fragment_offset: Option<&'a str>,
    /// IP `LEN=`: the IPv4 total length, or for IPv6 the payload length plus the 40-byte header.
    ip_len: Option<&'a str>,
    /// True when `OPT` appears before `PROTO=`: IPv4 options or IPv6 extension headers, logged
    /// with `--log-ip-options`.
    has_ip_options: bool,
    proto: Option<&'a str>,
    src_port: Option<&'a str>,
    dst_port: Option<&'a str>,
    udp_len: Option<&'a str>,
    window: Option<&'a str>,
    icmp_type: Option<&'a str>,
    icmp_code: Option<&'a str>,
    /// Hex digits of the TCP options, written as `OPT (020405B4...)` when the LOG rule
    /// has `--log-tcp-options` (nftables `flags tcp options`).
    tcp_options: Option<&'a str>,
    flags: u8,
    is_transport_incomplete: bool,
}

fn keep_first<'a>(slot: &mut Option<&'a str>, value: &'a str) {
    if slot.is_none() {
        *slot = Some(value);
    }
}

/// Returns the TCP flag bit for a flag word as the kernel writes it.
fn tcp_flag_bit(word: &str) -> Option<u8> {
    let bit = match word {
        "CWR" => TcpFlags::CWR,
        "ECE" => TcpFlags::ECE,
        "URG" => TcpFlags::URG,
        "ACK" => TcpFlags::ACK,
        "PSH" => TcpFlags::PSH,
        "RST" => TcpFlags::RST,
        "SYN" => TcpFlags::SYN,
        "FIN" => TcpFlags::FIN,
        _ => return None,
    };
    Some(bit)
}

impl<'a> Dump<'a> {
    fn has_proto(&self) -> bool {
        self.proto.is_some()
    }

    /// Takes one space-separated token that is not an `INCOMPLETE` marker or a bracket.
    fn take(&mut self, token: &'a str) {
        match split_key_value(token) {
            Some((key, value)) => self.take_key_value(key, value),
            None => self.take_word(token),
        }
    }

    /// Takes the key and value of a `KEY=value` token.
    fn take_key_value(&mut self, key: &'a str, value: &'a str) {
        if self.proto.is_none() {
            match key {
                "SRC" => keep_first(&mut self.src, value),
                "DST" => keep_first(&mut self.dst, value),
                "TTL" => keep_first(&mut self.ttl, value),
                "HOPLIMIT" => keep_first(&mut self.hop_limit, value),
                "ID" => keep_first(&mut self.ipv4_id, value),
                "LEN" => keep_first(&mut self.ip_len, value),
                "PROTO" => self.proto = Some(value),
                _ => {}
            }
        } else {
            match key {
                "SPT" => keep_first(&mut self.src_port, value),
                "DPT" => keep_first(&mut self.dst_port, value),
                "LEN" => keep_first(&mut self.udp_len, value),
                "WINDOW" => keep_first(&mut self.window, value),
                "TYPE" => keep_first(&mut self.icmp_type, value),
                "CODE" => keep_first(&mut self.icmp_code, value),
                _ => {}
            }
        }
    }

    /// Takes a token without `=`: an IPv4 fragment offset or IPv6 fragment ID before `PROTO=`,
    /// a TCP flag after it.
    fn take_word(&mut self, token: &'a str) {
        if self.proto.is_none() {
            if let Some(offset) = token.strip_prefix("FRAG:") {
                keep_first(&mut self.fragment_offset, offset);
            } else if let Some(id) = token.strip_prefix("ID:") {
                keep_first(&mut self.ipv6_fragment_id, id);
            }
        } else if let Some(bit) = tcp_flag_bit(token) {
            self.flags |= bit;
        }
    }

    /// Marks `INCOMPLETE`. After `PROTO=` it means the transport header is cut short. Before it,
    /// in an IPv6 fragment header, it only means that more fragments follow.
    fn mark_incomplete(&mut self) {
        if self.proto.is_some() {
            self.is_transport_incomplete = true;
        }
    }

    /// Returns true when the packet is a fragment with an offset above zero.
    fn is_later_fragment(&self) -> Result<bool, String> {
        match self.fragment_offset {
            Some(offset) => Ok(parse_number::<u32>("FRAG", offset)? > 0),
            None => Ok(false),
        }
    }
}

/// Splits a `KEY=value` token at its first `=`.
fn split_key_value(token: &str) -> Option<(&str, &str)> {
    // A plain byte loop: tokens are a few bytes long, too short for memchr's vector search to
    // pay for its call, and `split_once('=')` goes through the generic char searcher. Both
    // cost more instructions per token (callgrind).
    let at = token.bytes().position(|byte| byte == b'=')?;
    Some((&token[..at], &token[at + 1..]))
}

/// Splits the body into the packet's dump, `outer`, and the dump quoted by an ICMP error, if
/// any.
fn split_dumps<'a>(body: &'a str, outer: &mut Dump<'a>, quoted: &mut Option<Dump<'a>>) {
    let mut in_quote = false;
    let mut tokens = body.split_ascii_whitespace().peekable();
    while let Some(mut token) = tokens.next() {
        // Most tokens are `KEY=value` outside a quoted packet, and go straight to the packet's
        // dump. Only tokens that open a bracket or carry option bytes need the checks below.
        // Skipping them took 12 % of the parsing thread's instructions (callgrind, 100,000-line
        // benchmark log).
        let plain = !in_quote && !token.starts_with(['[', '(']) && !token.ends_with(')');
        if plain {
            if let Some((key, value)) = split_key_value(token) {
                outer.take_key_value(key, value);
                continue;
            }
        }
        if token == "INCOMPLETE" {
            let dump = if in_quote { quoted.get_or_insert_with(Dump::default) } else { &mut *outer };
            dump.mark_incomplete();
            // "INCOMPLETE [N bytes]": skip the byte count.
            let counts_bytes = tokens.peek().is_some_and(|next| {
                next.strip_prefix('[').is_some_and(|n| n.starts_with(|c: char| c.is_ascii_digit()))
            });
            if counts_bytes {
                for skipped in tokens.by_ref() {
                    if skipped.ends_with(']') {
                        break;
                    }
                }
            }
            continue;
        }
        if !in_quote && quoted.is_none() && outer.has_proto() {
            if let Some(inner) = token.strip_prefix('[') {
                in_quote = true;
                token = inner;
            }
        }
        let closes_quote = in_quote && token.ends_with(']');
        if closes_quote {
            token = &token[..token.len() - 1];
        }
        let dump = if in_quote { quoted.get_or_insert_with(Dump::default) } else { &mut *outer };
        let is_option_bytes = token == "OPT" || token.starts_with('(') || token.ends_with(')');
        if token == "OPT" && !dump.has_proto() {
            dump.has_ip_options = true;
        }
        if !token.is_empty() && !is_option_bytes {
            dump.take(token);
        }
        let option_hex = token.strip_prefix('(').and_then(|hex| hex.strip_suffix(')'));
        if let (Some(hex), true) = (option_hex, dump.has_proto()) {
            keep_first(&mut dump.tcp_options, hex);
        }
        if closes_quote {
            in_quote = false;
        }
    }
}

fn parse_number<T: FromStr>(key: &str, value: &str) -> Result<T, String> {
    value.parse().map_err(|_| format!("invalid {key}= value {value:?}"))
}

fn parse_optional<T: FromStr>(key: &str, value: Option<&str>) -> Result<Option<T>, String> {
    value.map(|value| parse_number(key, value)).transpose()
}

fn parse_address(key: &str, value: Option<&str>) -> Result<IpAddr, String> {
    let value = value.ok_or_else(|| format!("missing {key}= field"))?;
    if let Some(address) = full_form_ipv6(value) {
        return Ok(IpAddr::V6(address));
    }
    value.parse().map_err(|_| format!("invalid {key}= address {value:?}"))
}

/// Length of an IPv6 address in full form: eight groups of four hex digits and seven colons.
const FULL_FORM_IPV6_LEN: usize = 39;

/// Reads an IPv6 address in the full form the kernel's LOG target writes,
/// `fd00:0200:0000:0000:0000:0000:0000:0010`: eight groups of four hex digits, nothing left
/// out. The standard parser took about 1,750 instructions for such an address (callgrind,
/// 100,000-line benchmark log). Returns `None` for any other text, which the caller gives to
/// the standard parser. That parser reads every text read here as the same address.
fn full_form_ipv6(text: &str) -> Option<Ipv6Addr> {
    let bytes = text.as_bytes();
    if bytes.len() != FULL_FORM_IPV6_LEN {
        return None;
    }
    let mut groups = [0u16; 8];
    for (index, group) in groups.iter_mut().enumerate() {
        let start = index * 5;
        if index > 0 && bytes[start - 1] != b':' {
            return None;
        }
        for &digit in &bytes[start..start + 4] {
            let value = HEX_DIGIT_VALUES[usize::from(digit)];
            if value > 0x0F {
                return None;
            }
            *group = *group << 4 | u16::from(value);
        }
    }
    Some(Ipv6Addr::from(groups))
}

/// Returns the protocol number for a `PROTO=` value: a name the kernel writes or a number.
fn parse_protocol(value: Option<&str>) -> Result<IpProtocol, String> {
    let value = value.ok_or("missing PROTO= field")?;
    let protocol = match value {
        "TCP" => IpProtocol::TCP,
        "UDP" => IpProtocol::UDP,
        "UDPLITE" => UDPLITE,
        "ICMP" => IpProtocol::ICMP,
        "ICMPv6" => IpProtocol::ICMPV6,
        "SCTP" => IpProtocol::SCTP,
        "AH" => IpProtocol::from_ip_number(51),
        "ESP" => IpProtocol::from_ip_number(50),
        number => IpProtocol::from(number.parse::<u8>().map_err(|_| format!("unknown PROTO= value {number:?}"))?),
    };
    Ok(protocol)
}

/// Returns the source and destination ports, or none for a later fragment.
fn parse_ports(dump: &Dump<'_>) -> Result<(Option<u16>, Option<u16>), String> {
    if dump.is_later_fragment()? {
        return Ok((None, None));
    }
    Ok((parse_optional("SPT", dump.src_port)?, parse_optional("DPT", dump.dst_port)?))
}

/// Reads the headers quoted by an ICMP error.
fn parse_quoted(dump: &Dump<'_>) -> Result<QuotedPacket, String> {
    let (src_port, dst_port) = parse_ports(dump)?;
    Ok(QuotedPacket {
        src: parse_address("SRC", dump.src)?,
        dst: parse_address("DST", dump.dst)?,
        protocol: parse_protocol(dump.proto)?,
        src_port,
        dst_port,
    })
}

/// Parses a LOG message body starting at `IN=`.
///
/// Returns an error message naming the field when a value is missing or invalid.
pub(super) fn parse_body(body: &str) -> Result<Body, String> {
    // The dumps are filled in place, because returning them by value copied them twice per
    // line.
    let mut quoted = None;
    let mut outer = Dump::default();
    if !kernel_order::read(body, &mut outer) {
        outer = Dump::default();
        split_dumps(body, &mut outer, &mut quoted);
    }
    if outer.src.is_none() {
        return Ok(Body::NoIpPacket);
    }
    let mut warnings = Vec::new();
    let src = parse_address("SRC", outer.src)?;
    let dst = parse_address("DST", outer.dst)?;
    let protocol = parse_protocol(outer.proto)?;
    let is_later_fragment = outer.is_later_fragment()?;
    let (src_port, dst_port) = parse_ports(&outer)?;
    let has_transport_header = !is_later_fragment && !outer.is_transport_incomplete;

    let is_tcp = protocol == IpProtocol::TCP;
    let tcp_flags = (is_tcp && has_transport_header && outer.src_port.is_some()).then_some(TcpFlags(outer.flags));
    let tcp_window = if is_tcp { parse_optional("WINDOW", outer.window)? } else { None };
    let tcp_options = match outer.tcp_options.filter(|_| is_tcp && has_transport_header) {
        Some(hex) => match tcp_option_kinds(hex) {
            Ok(kinds) => Some(kinds),
            Err(message) => {
                warnings.push(format!("TCP options ignored: {message}"));
                None
            }
        },
        None => None,
    };

    let ip_len: Option<u32> = parse_optional("LEN", outer.ip_len)?;
    let plain_ip_header = !outer.has_ip_options && outer.fragment_offset.is_none();
    let tcp_header_len = match (ip_len, tcp_options.is_none() && outer.tcp_options.is_none()) {
        (Some(len), true) if is_tcp && has_transport_header && plain_ip_header => tcp_header_len_from_ip_len(src, len),
        _ => None,
    };

    let ttl = match outer.ttl {
        Some(ttl) => Some(parse_number("TTL", ttl)?),
        None => parse_optional("HOPLIMIT", outer.hop_limit)?,
    };
    let ip_id = match (outer.ipv4_id, outer.ipv6_fragment_id) {
        (Some(id), _) => Some(u32::from(parse_number::<u16>("ID", id)?)),
        (None, Some(id)) => Some(u32::from_str_radix(id, 16).map_err(|_| format!("invalid fragment ID:{id:?}"))?),
        (None, None) => None,
    };

    let is_udp = protocol == IpProtocol::UDP || protocol == UDPLITE;
    let udp_len: Option<u32> =
        if is_udp && has_transport_header { parse_optional("LEN", outer.udp_len)? } else { None };
    let payload_len = udp_len.and_then(|len| len.checked_sub(UDP_HEADER_BYTES));
    if let (Some(len), None) = (udp_len, payload_len) {
        warnings.push(format!("UDP LEN={len} is shorter than the {UDP_HEADER_BYTES}-byte UDP header"));
    }

    let is_icmp = protocol == IpProtocol::ICMP || protocol == IpProtocol::ICMPV6;
    let icmp = match (is_icmp, outer.icmp_type) {
        (true, Some(icmp_type)) => {
            let quoted = match quoted.as_ref().map(parse_quoted) {
                Some(Ok(packet)) => Some(packet),
                Some(Err(message)) => {
                    warnings.push(format!("quoted packet of the ICMP message ignored: {message}"));
                    None
                }
                None => None,
            };
            let code = outer.icmp_code.ok_or("missing CODE= field after TYPE=")?;
            Some(IcmpInfo { icmp_type: parse_number("TYPE", icmp_type)?, code: parse_number("CODE", code)?, quoted })
        }
        _ => None,
    };

    Ok(Body::Packet(PacketFields {
        src,
        dst,
        protocol,
        src_port,
        dst_port,
        tcp_flags,
        icmp,
        ttl,
        ip_id,
        tcp_window,
        tcp_options,
        payload_len,
        tcp_header_len,
        warnings,
    }))
}

/// Reads the option kinds, in order, from the hex bytes of a TCP options field (RFC 9293
/// section 3.1). Kind 0 ends the list and kind 1 is a one-byte NOP. Every other kind is
/// followed by a length byte that counts the kind and length bytes too.
fn tcp_option_kinds(hex: &str) -> Result<TcpOptionKinds, String> {
    let digits = hex.as_bytes();
    // One pass without branches: any byte that is not a hex digit sets the high bits.
    let all_digits = digits.iter().fold(0u8, |seen, &digit| seen | HEX_DIGIT_VALUES[usize::from(digit)]);
    if !digits.len().is_multiple_of(2) || all_digits > 0x0F {
        return Err(format!("OPT ({hex}) is not a whole number of hex bytes"));
    }
    let byte_count = digits.len() / 2;
    let digit_value = |index: usize| HEX_DIGIT_VALUES[usize::from(digits[index])];
    let byte_at = |index: usize| (digit_value(2 * index) << 4) | digit_value(2 * index + 1);
    // Only the first MAX_TCP_OPTION_KINDS kinds are kept, but every option is checked.
    let mut kinds = [0u8; MAX_TCP_OPTION_KINDS];
    let mut kind_count = 0;
    let mut at = 0;
    while at < byte_count {
        let kind = byte_at(at);
        if kind_count < MAX_TCP_OPTION_KINDS {
            kinds[kind_count] = kind;
            kind_count += 1;
        }
        match kind {
            0 => break,
            1 => at += 1,
            _ => {
                if at + 1 >= byte_count {
                    return Err(format!("option kind {kind} has no length byte"));
                }
                let len = byte_at(at + 1);
                if len < 2 {
                    return Err(format!("option kind {kind} has invalid length {len}"));
                }
                at += usize::from(len);
            }
        }
    }
    if at > byte_count {
        return Err(format!("the last option runs past the {byte_count} option bytes"));
    }
    Ok(TcpOptionKinds::from_kinds(kinds[..kind_count].iter().copied()))
}

/// Value of each byte as an ASCII hex digit, or `0xFF` for a byte that is not one. Checking
/// and converting the options' digits by comparisons took 5.8 % of the parsing thread's
/// instructions, and 3.8 % with this table (callgrind, 100,000-line benchmark log).
const HEX_DIGIT_VALUES: [u8; 256] = {
    let mut values = [0xFF; 256];
    let mut digit = 0;
    while digit < 16 {
        let value = digit as u8;
        values[b"0123456789abcdef"[digit] as usize] = value;
        values[b"0123456789ABCDEF"[digit] as usize] = value;
        digit += 1;
    }
    values
};

#[cfg(test)]
mod tests {
    use std::net::Ipv6Addr;

    use super::{full_form_ipv6, tcp_option_kinds};

    fn kinds(hex: &str) -> Result<Vec<u8>, String> {
        tcp_option_kinds(hex).map(|kinds| kinds.as_slice().to_vec())
    }

    #[test]
    fn option_kinds_from_hex_digits() {
        assert_eq!(kinds("020405B40402080A4DF28018000000000103030A"), Ok(vec![2, 4, 8, 1, 3]));
        assert_eq!(kinds("020405b40402080a4df28018000000000103030a"), Ok(vec![2, 4, 8, 1, 3]));
        assert_eq!(kinds("01010000"), Ok(vec![1, 1, 0]));
        assert_eq!(kinds(""), Ok(vec![]));
    }

    #[test]
    fn option_hex_damaged_rejected() {
        for hex in ["0204 5B4", "02g405B4", "0204:5B4", "0204\u{e9}5B", "020405B", "0204G5B4", "0x0405B4"] {
            let error = kinds(hex).expect_err(hex);
            assert!(error.contains("not a whole number of hex bytes"), "{hex}: {error}");
        }
        assert!(kinds("0204").expect_err("cut").contains("runs past"));
        assert!(kinds("02").expect_err("no length").contains("no length byte"));
        assert!(kinds("0201").expect_err("short length").contains("invalid length 1"));
    }

    /// Full-form addresses read as the standard parser reads them, in both cases of hex digits.
    #[test]
    fn full_form_ipv6_as_standard_parser() {
        let texts = [
            "fd00:0200:0000:0000:0000:0000:0000:0010",
            "FE80:0000:0000:0000:0202:B3FF:FE1E:8329",
            "0000:0000:0000:0000:0000:0000:0000:0000",
            "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
            "0000:0000:0000:0000:0000:ffff:c000:0201",
        ];
        for text in texts {
            assert_eq!(full_form_ipv6(text), text.parse::<Ipv6Addr>().ok(), "{text}");
            assert!(full_form_ipv6(text).is_some(), "{text}");
        }
    }

    /// Every single-byte change of a full-form address is either read as the standard parser
    /// reads it or left to that parser, and other spellings are always left to it.
    #[test]
    fn other_texts_left_to_standard_parser() {
        let base = "fd00:0200:0000:0000:0000:0000:0000:0010";
        let replacements = [b'0', b'9', b'a', b'f', b'A', b'F', b'g', b':', b'.', b' ', b'x', 0xC3];
        let mut read_here = 0;
        for position in 0..base.len() {
            for &byte in &replacements {
                let mut bytes = base.as_bytes().to_vec();
                bytes[position] = byte;
                let Ok(text) = String::from_utf8(bytes) else {
                    continue;
                };
                if let Some(address) = full_form_ipv6(&text) {
                    assert_eq!(Ok(address), text.parse::<Ipv6Addr>(), "{text}");
                    read_here += 1;
                }
            }
        }
        // Six of the replacements are hex digits, for each of the 32 digits, and a colon
        // replacing one of the 7 colons leaves the address as it was.
        assert_eq!(read_here, 32 * 6 + 7);
        let others = [
            "fd00:200::10",
            "fd00:0200:0000:0000:0000:0000:0000:001",
            "fd00:0200:0000:0000:0000:0000:0000:00100",
            "fd00:0200:0000:0000:0000:0000:0000::010",
            "::ffff:192.0.2.1",
            "0000:0000:0000:0000:0000:ffff:192.0.2.1",
            "fd00:0200:0000:0000:0000:0000:0000:0010%eth0",
            "10.0.0.1",
            "",
        ];
        for text in others {
            assert_eq!(full_form_ipv6(text), None, "{text}");
        }
    }
}
