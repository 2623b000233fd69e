//! The `cisco-asa` dialect: Cisco ASA, PIX and Firepower Threat Defense syslog messages.
//!
//! Every message has the form `%ASA-S-NNNNNN: text` (or `%PIX-` and `%FTD-`), where `S` is the
//! severity and `NNNNNN` the message ID, behind a syslog header: `Dec  6 10:15:01 asa01 : `,
//! `<165>Oct 04 2019 15:27:55: ` (the device's own time with a year, no zone) or an RFC 3339
//! time. The header time is read as for the other syslog dialects: a time without an offset
//! is in the import zone. A message without any syslog time is an anomaly.
//!
//! Only messages that describe one packet or one connection become observations, parsed in
//! `cisco_asa_message.rs`: 106001, 106006, 106007, 106014, 106015, 106023, 106100, 302013,
//! 302015, 302020 and 710003. Teardown messages (302014, 302016, 302021) do not say which side
//! opened the connection and repeat the matching Built message, so they are skipped under
//! [`SKIP_ASA_TEARDOWN`]. Threat-detection rate messages (733100) count packets per object
//! without endpoints and are skipped under [`SKIP_ASA_THREAT_RATE`]. Other ASA messages are
//! skipped under [`SKIP_ASA_NOT_TRAFFIC`].
//!
//! An endpoint written as an object name or host name in place of an address is never turned
//! into an address. Such a line is skipped under [`SKIP_ASA_NAMED_ENDPOINT`] and stored as an
//! anomaly that names the endpoint, because an observation needs two addresses.
//! `message repeated N times: [ ... ]` wrappers are read as the inner message, once, with an
//! anomaly giving the count.

use super::cisco_asa_message::{parse_body, Parsed};
use super::outcome::{DialectReader, LineOutcome};
use super::syslog_header::parse_header;
use super::syslog_time::LocalTimeResolver;
use super::{LogDialect, TimeContext};
use crate::model::Locator;

/// Skip reason for lines without a `%ASA-`, `%PIX-` or `%FTD-` message.
pub const SKIP_NOT_ASA: &str = "not a Cisco ASA message";
/// Skip reason for ASA messages that describe neither a packet nor a connection.
pub const SKIP_ASA_NOT_TRAFFIC: &str = "Cisco ASA message without a packet or connection";
/// Skip reason for connection teardown messages (302014, 302016, 302021).
pub const SKIP_ASA_TEARDOWN: &str = "Cisco ASA connection teardown";
/// Skip reason for threat-detection rate messages (733100), which carry no endpoints.
pub const SKIP_ASA_THREAT_RATE: &str = "Cisco ASA threat-detection rate message";
/// Skip reason for traffic messages with an object or host name in place of an address. Each
/// is also an anomaly.
pub const SKIP_ASA_NAMED_ENDPOINT: &str = "Cisco ASA message with a name in place of an address";
/// Skip reason for traffic messages that could not be read. Each is also an anomaly.
pub const SKIP_INVALID_ASA: &str = "invalid Cisco ASA message";

/// Message prefixes of the three product lines, which share message IDs and texts.
const FACILITIES: [&str; 3] = ["%ASA-", "%PIX-", "%FTD-"];

/// The start of an ASA message found in a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct MessageTag<'a> {
    /// `ASA-4-106023`, the tag without `%` and colon.
    pub tag: &'a str,
    /// The six-digit message ID.
    pub id: u32,
    /// The text after `: `.
    pub body: &'a str,
}

/// Finds the first `%ASA-S-NNNNNN:` (or PIX, FTD) tag in `line`.
pub(super) fn find_message(line: &str) -> Option<MessageTag<'_>> {
    for facility in FACILITIES {
        let mut search_from = 0;
        while let Some(found) = line[search_from..].find(facility) {
            let start = search_from + found;
            if let Some(tag) = tag_at(line, start) {
                return Some(tag);
            }
            search_from = start + facility.len();
        }
    }
    None
}

/// Reads `%XXX-S-NNNNNN:` at `start`.
fn tag_at(line: &str, start: usize) -> Option<MessageTag<'_>> {
    // "%ASA-" (5 bytes), severity digit, '-', six digits, ':'.
    let bytes = line.as_bytes();
    let tag_end = start + 13;
    if bytes.len() < tag_end + 1 {
        return None;
    }
    let severity_ok = bytes[start + 5].is_ascii_digit() && bytes[start + 6] == b'-';
    let id_digits = &bytes[start + 7..start + 13];
    if !severity_ok || !id_digits.iter().all(u8::is_ascii_digit) || bytes[tag_end] != b':' {
        return None;
    }
    let id = line[start + 7..tag_end].parse().ok()?;
    Some(MessageTag { tag: &line[start + 1..tag_end], id, body: line[tag_end + 1..].trim() })
}

/// Returns true when `line` contains an ASA, PIX or FTD message tag.
pub(super) fn is_asa_line(line: &str) -> bool {
    find_message(line).is_some()
}

/// Removes a `message repeated N times: [ ... ]` wrapper and returns the inner text and N.
fn unwrap_repeated(body: &str) -> (&str, Option<&str>) {
    let Some(rest) = body.strip_prefix("message repeated ") else {
        return (body, None);
    };
    let Some((count, inner)) = rest.split_once(" times: [") else {
        return (body, None);
    };
    let inner = inner.trim();
    (inner.strip_suffix(']').unwrap_or(inner).trim(), Some(count))
}

/// Reader of the `cisco-asa` dialect.
pub(super) struct CiscoAsaReader {
    resolver: LocalTimeResolver,
}

impl CiscoAsaReader {
    /// Creates a reader for one file.
    pub(super) fn new(time: &TimeContext) -> Self {
        Self { resolver: LocalTimeResolver::new(time) }
    }
}

impl DialectReader for CiscoAsaReader {
    fn dialect(&self) -> LogDialect {
        LogDialect::CiscoAsa
    }

    fn read_line(&mut self, line: &str, locator: Locator) -> LineOutcome {
        let Some(message) = find_message(line) else {
            return LineOutcome::Skipped(SKIP_NOT_ASA);
        };
        let (body, repeated) = unwrap_repeated(message.body);
        let mut observation = match parse_body(message.tag, message.id, body, locator) {
            Parsed::Observation(observation) => observation,
            Parsed::NotTraffic => return LineOutcome::Skipped(SKIP_ASA_NOT_TRAFFIC),
            Parsed::Teardown => return LineOutcome::Skipped(SKIP_ASA_TEARDOWN),
            Parsed::ThreatRate => return LineOutcome::Skipped(SKIP_ASA_THREAT_RATE),
            Parsed::NamedEndpoint(message) => {
                return LineOutcome::SkippedWithAnomaly { reason: SKIP_ASA_NAMED_ENDPOINT, message }
            }
            Parsed::Invalid(message) => return LineOutcome::Invalid(message),
        };
        let header = match parse_header(line) {
            Ok(header) => header,
            Err(reason) => {
                return LineOutcome::Invalid(format!(
                    "{} message without a readable syslog time: {reason}",
                    message.tag
                ))
            }
        };
        let mut warnings = Vec::new();
        if let Some(count) = repeated {
            warnings.push(format!("{} repeated {count} times; stored as one observation", message.tag));
        }
        match self.resolver.resolve_header(header.time) {
            Ok(resolved) => {
                observation.ts_ns = resolved.ts_ns;
                warnings.extend(resolved.note);
                LineOutcome::Observation { observation, warnings }
            }
            Err(message) => LineOutcome::Invalid(message),
        }
    }

    fn invalid_reason(&self) -> &'static str {
        SKIP_INVALID_ASA
    }

    fn time_assumption(&self) -> Option<String> {
        self.resolver.assumption()
    }
}
