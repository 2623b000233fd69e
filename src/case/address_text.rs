//! Addresses written as text for the contact rows, without the formatting machinery.
//!
//! An import writes two addresses into every contact row. Through `Display`, an IPv4 address
//! took about 870 instructions more than the code here, 5 % of a contact row's cost. IPv6
//! addresses through `Display` and a `String` took 17 million instructions more in the
//! 100,000-line benchmark log, whose lines are 8 % IPv6 (callgrind, storing thread). The text
//! is the one `Display` writes, which the tests check on every kind of address: the case's
//! readers parse these columns back, and the report shows them.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Length of the longest address text: an IPv6 address of eight groups of four hex digits
/// with seven colons between them.
pub(super) const MAX_ADDRESS_TEXT: usize = 39;

/// Groups in an IPv6 address.
const IPV6_GROUPS: usize = 8;

/// Hex digits in lower case, as `Display` writes them.
const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

/// Writes `address` into `buffer` as `Display` does and returns the text: dotted decimal for
/// IPv4, RFC 5952 for IPv6 (see [`Text::ipv6`]).
pub(super) fn address_text(address: IpAddr, buffer: &mut [u8; MAX_ADDRESS_TEXT]) -> &str {
    let mut text = Text { buffer, length: 0 };
    match address {
        IpAddr::V4(v4) => text.ipv4(v4),
        IpAddr::V6(v6) => text.ipv6(v6),
    }
    text.finish()
}

/// A buffer being filled with ASCII text.
struct Text<'a> {
    buffer: &'a mut [u8; MAX_ADDRESS_TEXT],
    length: usize,
}

impl<'a> Text<'a> {
    fn push(&mut self, byte: u8) {
        self.buffer[self.length] = byte;
        self.length += 1;
    }

    /// Writes the four octets in decimal without leading zeros, separated by dots.
    fn ipv4(&mut self, address: Ipv4Addr) {
        for (position, octet) in address.octets().into_iter().enumerate() {
            if position > 0 {
                self.push(b'.');
            }
            if octet >= 100 {
                self.push(b'0' + octet / 100);
            }
            if octet >= 10 {
                self.push(b'0' + octet / 10 % 10);
            }
            self.push(b'0' + octet % 10);
        }
    }

    /// Writes an IPv6 address in the form of RFC 5952, as `Display` does: groups in lower-case
    /// hex without leading zeros, the longest run of two or more zero groups (the first of
    /// equal runs) as `::`. An IPv4-mapped address ends in dotted decimal, `::ffff:192.0.2.1`.
    fn ipv6(&mut self, address: Ipv6Addr) {
        if let Some(v4) = address.to_ipv4_mapped() {
            for &byte in b"::ffff:" {
                self.push(byte);
            }
            self.ipv4(v4);
            return;
        }
        let groups = address.segments();
        let (run_start, run_end) = longest_zero_run(&groups);
        let mut index = 0;
        while index < IPV6_GROUPS {
            if index == run_start {
                self.push(b':');
                self.push(b':');
                index = run_end;
                continue;
            }
            // After `::` the next group follows without another colon.
            if index > 0 && index != run_end {
                self.push(b':');
            }
            self.hex(groups[index]);
            index += 1;
        }
    }

    /// Writes `group` in lower-case hex without leading zeros.
    fn hex(&mut self, group: u16) {
        let digits = (4 - group.leading_zeros() / 4).max(1);
        for position in (0..digits).rev() {
            self.push(HEX_DIGITS[usize::from(group >> (4 * position)) & 0xf]);
        }
    }

    fn finish(self) -> &'a str {
        let Text { buffer, length } = self;
        let buffer: &'a [u8; MAX_ADDRESS_TEXT] = buffer;
        // Only ASCII digits, letters, dots and colons were written.
        std::str::from_utf8(&buffer[..length]).unwrap_or_default()
    }
}

/// Returns the start and end (exclusive) of the first longest run of two or more zero groups,
/// or `(8, 8)` when there is none.
fn longest_zero_run(groups: &[u16; IPV6_GROUPS]) -> (usize, usize) {
    let mut longest = (IPV6_GROUPS, IPV6_GROUPS);
    let mut index = 0;
    while index < IPV6_GROUPS {
        if groups[index] != 0 {
            index += 1;
            continue;
        }
        let start = index;
        while index < IPV6_GROUPS && groups[index] == 0 {
            index += 1;
        }
        if index - start >= 2 && index - start > longest.1 - longest.0 {
            longest = (start, index);
        }
    }
    longest
}

#[cfg(test)]
mod tests {
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

    use super::{address_text, MAX_ADDRESS_TEXT};

    fn written(address: IpAddr) -> String {
        let mut buffer = [0u8; MAX_ADDRESS_TEXT];
        address_text(address, &mut buffer).to_string()
    }

    #[test]
    fn ipv4_as_display() {
        let octets = [0u8, 1, 9, 10, 99, 100, 101, 199, 200, 250, 255];
        for a in octets {
            for b in octets {
                let address = IpAddr::V4(Ipv4Addr::new(a, b, 255 - b, a / 2));
                assert_eq!(written(address), address.to_string());
            }
        }
    }

    /// Addresses whose text has a special form: zero runs at the start, middle and end, runs
    /// of equal length, single zero groups, IPv4-mapped and IPv4-compatible addresses.
    #[test]
    fn ipv6_special_forms_as_display() {
        let texts = [
            "::",
            "::1",
            "1::",
            "1::1",
            "1:0:0:1:0:0:0:1",
            "1:0:0:1:0:0:1:1",
            "1:0:1:0:1:0:1:0",
            "0:1:0:1:0:1:0:1",
            "0:0:1:0:0:1:0:0",
            "1:2:3:4:5:6:7:0",
            "1:2:3:4:5:6:0:0",
            "fe80::1:2",
            "2001:db8::ff00:42:8329",
            "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
            "::ffff:192.0.2.1",
            "::ffff:0.0.0.0",
            "::1.2.3.4",
            "64:ff9b::192.0.2.1",
            "::ffff:0:c000:201",
            "abc:de:f:1000:100:10:1:0",
        ];
        for text in texts {
            let address: Ipv6Addr = text.parse().expect(text);
            assert_eq!(written(IpAddr::V6(address)), address.to_string(), "{text}");
        }
    }

    /// Random addresses with many zero groups, so that runs of every length and position occur.
    #[test]
    fn ipv6_random_as_display() {
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..100_000 {
            let mut groups = [0u16; 8];
            for group in &mut groups {
                let value = next();
                *group = match value % 4 {
                    0 | 1 => 0,
                    2 => (value >> 8) as u16 & 0xf,
                    _ => (value >> 16) as u16,
                };
            }
            if next() % 16 == 0 {
                groups[..5].fill(0);
                groups[5] = 0xffff;
            }
            let address = Ipv6Addr::from(groups);
            assert_eq!(written(IpAddr::V6(address)), address.to_string(), "{groups:x?}");
        }
    }
}
