//! Entry point for the syslog time fuzz target in `fuzz/`.
//!
//! The dialects are fuzzed through [`super::read_log`], but a dialect reader resolves a line's
//! time only after the rest of the line has passed its checks. This module exposes the syslog
//! header parser and the year and zone resolver on their own, so every input reaches them. It
//! is not part of the supported API and may change without notice.

use super::syslog_header::parse_header;
use super::syslog_time::LocalTimeResolver;
use super::{FirewallError, TimeContext};
use crate::model::TimestampNs;

/// Reader of the syslog header times of successive lines of one file. Like a dialect reader,
/// it carries the inferred year from one line to the next.
pub struct SyslogTimeReader {
    resolver: LocalTimeResolver,
}

impl SyslogTimeReader {
    /// Creates a reader for one file.
    ///
    /// # Errors
    ///
    /// [`FirewallError::ReferenceYearOutOfRange`] for the references that
    /// [`super::read_log`] rejects.
    pub fn new(time: &TimeContext) -> Result<Self, FirewallError> {
        super::check_reference_year(time)?;
        Ok(Self { resolver: LocalTimeResolver::new(time) })
    }

    /// Parses the syslog header time at the start of `line` and converts it to UTC
    /// nanoseconds, or returns the message a dialect reader would record for the line.
    pub fn read_time(&mut self, line: &str) -> Result<TimestampNs, String> {
        let header = parse_header(line)?;
        self.resolver.resolve_header(header.time).map(|resolved| resolved.ts_ns)
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::SyslogTimeReader;
    use crate::firewall::{FirewallError, ReferenceYear, TimeContext, MAX_YEAR};

    fn context(year: i32) -> TimeContext {
        TimeContext { zone: chrono_tz::UTC, reference: ReferenceYear::Explicit(year) }
    }

    #[test]
    fn syslog_time_reader_rejects_year_out_of_range() {
        let result = SyslogTimeReader::new(&context(MAX_YEAR + 1));
        assert!(matches!(result, Err(FirewallError::ReferenceYearOutOfRange { year }) if year == MAX_YEAR + 1));
    }

    #[test]
    fn syslog_time_reader_advances_year() {
        let mut reader = SyslogTimeReader::new(&context(2025)).expect("year in range");
        let december = reader.read_time("Dec 31 23:59:59 host kernel: a").expect("a time");
        let january = reader.read_time("Jan  1 00:00:01 host kernel: b").expect("a time");
        let expected = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 1).unwrap().timestamp_nanos_opt().unwrap();
        assert_eq!(january, expected);
        assert_eq!(january - december, 2_000_000_000);
    }

    #[test]
    fn syslog_time_reader_rejects_line_without_time() {
        let mut reader = SyslogTimeReader::new(&context(2025)).expect("year in range");
        assert!(reader.read_time("kernel: no time here").is_err());
    }
}
