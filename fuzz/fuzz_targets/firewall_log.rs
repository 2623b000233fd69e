//! Fuzz target: a firewall log through `read_log`, in one dialect, and through dialect
//! detection.
//!
//! The first input byte selects the dialect from `LogDialect::ALL` (the byte modulo its
//! length). The second selects the time context: bits 0 to 2 the zone from `ZONES`, bits 3
//! and 4 the reference year through `reference`. The rest is the log. One target serves every
//! dialect, so a fuzzing session of fixed length covers them all. The seed corpus contains
//! each sample log behind each dialect's first byte.

#![no_main]

use chrono::{TimeZone, Utc};
use chrono_tz::Tz;
use libfuzzer_sys::fuzz_target;
use scancase::firewall::{detect_dialect, read_log, LogDialect, ReferenceYear, TimeContext, MAX_YEAR, MIN_YEAR};
use scancase::model::Observation;

/// Zones with unusual rules: none, a one-hour summer time in each hemisphere, a 30-minute
/// shift (Lord Howe) and a 45-minute offset (Chatham).
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
    let [dialect_selector, time_selector, log @ ..] = data else {
        return;
    };
    let dialect = LogDialect::ALL[usize::from(*dialect_selector) % LogDialect::ALL.len()];
    let time = TimeContext { zone: ZONES[usize::from(time_selector & 0x07)], reference: reference(time_selector >> 3) };

    let _ = detect_dialect(log);
    let mut observations: Vec<Observation> = Vec::new();
    let summary = read_log(log, dialect, &time, &mut observations)
        .expect("a Vec sink and an in-range reference year cannot fail");
    assert_eq!(summary.observations, observations.len() as u64, "observations counted but not pushed");
    assert_eq!(summary.records, summary.observations + summary.skipped_total(), "line neither observed nor skipped");
});
