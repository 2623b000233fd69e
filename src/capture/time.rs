//! Packet timestamps as integer UTC nanoseconds.
//!
//! A classic pcap record stores seconds and a fraction in microseconds, or in nanoseconds when
//! the file has the nanosecond magic `a1b23c4d`. A pcapng Enhanced Packet Block stores one
//! 64-bit count of clock *ticks*; the interface's `if_tsresol` option gives the tick length
//! and its `if_tsoffset` option a number of whole seconds added to every timestamp.
//!
//! All arithmetic uses 128-bit integers, so a timestamp never passes through a float and
//! stays exact to the nanosecond (ticks finer than a nanosecond are truncated).

use crate::model::TimestampNs;

/// Nanoseconds in one second.
const NANOS_PER_SECOND: i128 = 1_000_000_000;

/// Bit of `if_tsresol` that selects a tick of 2^-n seconds; when clear, the tick is 10^-n
/// seconds (pcapng specification, IDB option `if_tsresol`).
const TSRESOL_POWER_OF_TWO: u8 = 0x80;

/// Largest decimal `if_tsresol` exponent whose ticks per second (10^19) fit in a `u64`.
const MAX_DECIMAL_EXPONENT: u8 = 19;

/// Largest binary `if_tsresol` exponent whose ticks per second (2^63) fit in a `u64`.
const MAX_BINARY_EXPONENT: u8 = 63;

/// Length of one timestamp tick, stored as ticks per second.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct TickRate {
    ticks_per_second: u64,
}

impl TickRate {
    /// Microsecond ticks: classic pcap, and pcapng interfaces without `if_tsresol`.
    pub(super) const MICROSECONDS: TickRate = TickRate { ticks_per_second: 1_000_000 };

    /// Nanosecond ticks: classic pcap with the nanosecond magic.
    pub(super) const NANOSECONDS: TickRate = TickRate { ticks_per_second: 1_000_000_000 };

    /// Reads the raw `if_tsresol` byte, or returns `None` when its exponent is too large to
    /// be a real clock.
    ///
    /// pcap-parser 0.17 has `build_ts_resolution` for this, but its power-of-two branch
    /// tests the exponent before clearing the flag bit and so rejects every such value.
    pub(super) fn from_if_tsresol(if_tsresol: u8) -> Option<TickRate> {
        let exponent = if_tsresol & !TSRESOL_POWER_OF_TWO;
        let ticks_per_second = if if_tsresol & TSRESOL_POWER_OF_TWO == 0 {
            if exponent > MAX_DECIMAL_EXPONENT {
                return None;
            }
            10u64.pow(u32::from(exponent))
        } else {
            if exponent > MAX_BINARY_EXPONENT {
                return None;
            }
            1u64 << exponent
        };
        Some(TickRate { ticks_per_second })
    }

    /// Converts a tick count plus an offset in whole seconds to UTC nanoseconds, or returns
    /// `None` when the result does not fit in an `i64` (after the year 2262).
    pub(super) fn to_ns(self, ticks: u64, offset_seconds: i64) -> Option<TimestampNs> {
        let rate = i128::from(self.ticks_per_second);
        let ticks = i128::from(ticks);
        let whole_seconds = ticks / rate;
        let fraction_ns = (ticks % rate) * NANOS_PER_SECOND / rate;
        let total = (whole_seconds + i128::from(offset_seconds)) * NANOS_PER_SECOND + fraction_ns;
        TimestampNs::try_from(total).ok()
    }

    /// Returns true when a classic pcap fraction field counts a whole second or more.
    pub(super) fn is_second_or_more(self, ts_fraction: u32) -> bool {
        u64::from(ts_fraction) >= self.ticks_per_second
    }

    /// Converts a classic pcap record time (seconds and a fraction in this tick) to UTC
    /// nanoseconds.
    ///
    /// A fraction of a second or more is not rejected: it carries into the seconds, as the
    /// arithmetic sum of both fields.
    pub(super) fn pcap_record_ns(self, ts_sec: u32, ts_fraction: u32) -> Option<TimestampNs> {
        let ticks = u64::from(ts_sec).checked_mul(self.ticks_per_second)?.checked_add(u64::from(ts_fraction))?;
        self.to_ns(ticks, 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tsresol_decimal_and_binary() {
        assert_eq!(TickRate::from_if_tsresol(6), Some(TickRate::MICROSECONDS));
        assert_eq!(TickRate::from_if_tsresol(9), Some(TickRate::NANOSECONDS));
        assert_eq!(TickRate::from_if_tsresol(0x80 | 10), Some(TickRate { ticks_per_second: 1024 }));
        assert_eq!(TickRate::from_if_tsresol(20), None);
        assert_eq!(TickRate::from_if_tsresol(0x80 | 64), None);
    }

    #[test]
    fn ticks_convert_exactly() {
        let nanos = TickRate::NANOSECONDS.to_ns(1_704_164_645_123_456_789, 0);
        assert_eq!(nanos, Some(1_704_164_645_123_456_789));

        let micros = TickRate::MICROSECONDS.to_ns(1_704_164_645_123_456, 0);
        assert_eq!(micros, Some(1_704_164_645_123_456_000));

        // 1536 ticks of 2^-10 s are 1.5 s, and the offset adds 100 s.
        let binary = TickRate { ticks_per_second: 1024 };
        assert_eq!(binary.to_ns(1024 + 512, 100), Some(101_500_000_000));
    }

    #[test]
    fn offset_can_be_negative() {
        let ns = TickRate::MICROSECONDS.to_ns(2_000_000, -1);
        assert_eq!(ns, Some(1_000_000_000));
    }

    #[test]
    fn out_of_range_is_none() {
        assert_eq!(TickRate::NANOSECONDS.to_ns(u64::MAX, i64::MAX), None);
        assert_eq!(TickRate::MICROSECONDS.to_ns(u64::MAX, 0), None);
    }

    #[test]
    fn pcap_record_fields() {
        let ns = TickRate::MICROSECONDS.pcap_record_ns(1_796_412_942, 547_877);
        assert_eq!(ns, Some(1_796_412_942_547_877_000));

        let ns = TickRate::NANOSECONDS.pcap_record_ns(1_796_412_942, 547_877_123);
        assert_eq!(ns, Some(1_796_412_942_547_877_123));
    }
}
