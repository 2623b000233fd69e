//! Fuzz target: syslog header times, line after line, through the header parser and the
//! year and zone resolver.
//!
//! The first input byte selects the time context as in the `firewall_log` target: bits 0 to
//! 2 the zone, bits 3 and 4 the reference year. The rest is split into lines, which one
//! reader reads in order, so the year inference carries across lines.

#![no_main]

use chrono::{TimeZone, Utc};
use chrono_tz::Tz;
use libfuzzer_sys::fuzz_target;
use scancase::firewall::fuzzing::SyslogTimeReader;
use scancase::firewall::{ReferenceYear, TimeContext, MAX_YEAR, MIN_YEAR};

const ZONES: [Tz; 8] = [
    chrono_tz::UTC,
    chrono_tz::Europe::Berlin,
    chrono_tz::America::New_York,
    chrono_tz::Australia::Lord_Howe,
    chrono_tz::Pacific::Chatham,
    chrono_tz::America::Sao_Paulo,
    chrono_tz::Asia::Kolkata,
    chrono_tz::Pacific::Kiritimati,
];

fn reference(selector: u8) -> ReferenceYear {
    match selector % 4 {
        0 => ReferenceYear::Explicit(2024),
        1 => ReferenceYear::Explicit(MIN_YEAR),
        2 => ReferenceYear::Explicit(MAX_YEAR),
        _ => ReferenceYear::FileModified(Utc.with_ymd_and_hms(2025, 1, 1, 0, 30, 0).unwrap()),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, text)) = data.split_first() else {
        return;
    };
    let time = TimeContext { zone: ZONES[usize::from(selector & 0x07)], reference: reference(selector >> 3) };
    let mut reader = SyslogTimeReader::new(&time).expect("every reference above is in range");
    for line in String::from_utf8_lossy(text).lines() {
        let _ = reader.read_time(line);
    }
});
