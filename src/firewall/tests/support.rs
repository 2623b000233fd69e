//! Helpers shared by the dialect tests: fixtures, time contexts and expected values.

use std::net::IpAddr;
use std::path::PathBuf;

use chrono::DateTime;
use chrono_tz::Tz;

use crate::firewall::{read_log, LogDialect, ReferenceYear, TimeContext};
use crate::model::{ImportSummary, Observation};

/// Reads `fixtures/fwlog/<name>`.
pub(super) fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/fwlog").join(name);
    std::fs::read(&path).unwrap_or_else(|error| panic!("cannot read fixture {}: {error}", path.display()))
}

/// A time context with an explicit reference year.
pub(super) fn explicit(zone: Tz, year: i32) -> TimeContext {
    TimeContext { zone, reference: ReferenceYear::Explicit(year) }
}

/// Reads `bytes` as `dialect` into a vector, expecting the import to succeed.
pub(super) fn read_as(bytes: &[u8], dialect: LogDialect, time: &TimeContext) -> (Vec<Observation>, ImportSummary) {
    let mut sink: Vec<Observation> = Vec::new();
    let summary = read_log(bytes, dialect, time, &mut sink).expect("import succeeds");
    (sink, summary)
}

/// Returns UTC nanoseconds of an RFC 3339 test time.
pub(super) fn utc_ns(text: &str) -> i64 {
    let instant = DateTime::parse_from_rfc3339(text).expect("valid test time");
    instant.timestamp_nanos_opt().expect("test time in range")
}

/// Parses a test address.
pub(super) fn ip(text: &str) -> IpAddr {
    text.parse().expect("valid test address")
}

/// Returns the number of observations with a skip count under `reason`.
pub(super) fn skipped(summary: &ImportSummary, reason: &str) -> u64 {
    summary.skipped.get(reason).copied().unwrap_or(0)
}
