//! The `netfilter-journal-json` dialect: netfilter LOG messages in `journalctl -o json` output.
//!
//! Each line is one journal entry as a JSON object. The fields read are `MESSAGE`, the kernel
//! message (`PREFIX IN=... OUT=...`, a string, or an array of bytes when the message is not valid
//! UTF-8), and `__REALTIME_TIMESTAMP`, the wall-clock time in microseconds since 1970 (UTC) as a
//! decimal string. Entries whose message is not a LOG message are skipped. The prefix and body
//! are read as in the `netfilter-syslog` dialect, with the same action table.

use serde_json::Value;

use super::netfilter::{has_anchor, packet_outcome, split_kernel_message};
use super::outcome::{DialectReader, LineOutcome};
use super::{LogDialect, SKIP_NOT_NETFILTER};
use crate::model::{Locator, TimestampNs};

/// Skip reason for journal entries that could not be read. Each is also an anomaly.
pub const SKIP_INVALID_JOURNAL: &str = "invalid journal JSON entry";

/// Name of the journal field with the wall-clock time in microseconds.
const REALTIME_FIELD: &str = "__REALTIME_TIMESTAMP";

const NANOS_PER_MICRO: i64 = 1_000;

/// Reader of the `netfilter-journal-json` dialect.
pub(super) struct JournalReader;

impl DialectReader for JournalReader {
    fn dialect(&self) -> LogDialect {
        LogDialect::NetfilterJournalJson
    }

    fn read_line(&mut self, line: &str, locator: Locator) -> LineOutcome {
        if !line.trim_start().starts_with('{') {
            return LineOutcome::Skipped(SKIP_NOT_NETFILTER);
        }
        let entry: Value = match serde_json::from_str(line) {
            Ok(entry) => entry,
            Err(error) => return LineOutcome::Invalid(format!("invalid JSON: {error}")),
        };
        let Some(message) = message_text(&entry) else {
            return LineOutcome::Skipped(SKIP_NOT_NETFILTER);
        };
        let Some(log) = split_kernel_message(&message) else {
            return LineOutcome::Skipped(SKIP_NOT_NETFILTER);
        };
        match realtime_ns(&entry) {
            Ok(ts_ns) => packet_outcome(log, ts_ns, None, locator),
            Err(message) => LineOutcome::Invalid(message),
        }
    }

    fn invalid_reason(&self) -> &'static str {
        SKIP_INVALID_JOURNAL
    }

    fn time_assumption(&self) -> Option<String> {
        None
    }
}

/// Returns true when `line` looks like a journal JSON entry of a netfilter LOG message.
pub(super) fn is_journal_line(line: &str) -> bool {
    line.starts_with('{') && line.contains(REALTIME_FIELD) && has_anchor(line)
}

/// Returns the `MESSAGE` field as text: a string, or an array of bytes read lossily.
fn message_text(entry: &Value) -> Option<String> {
    match entry.get("MESSAGE")? {
        Value::String(text) => Some(text.clone()),
        Value::Array(items) => {
            let bytes: Option<Vec<u8>> =
                items.iter().map(|item| item.as_u64().and_then(|byte| u8::try_from(byte).ok())).collect();
            Some(String::from_utf8_lossy(&bytes?).into_owned())
        }
        _ => None,
    }
}

/// Returns `__REALTIME_TIMESTAMP` in nanoseconds.
fn realtime_ns(entry: &Value) -> Result<TimestampNs, String> {
    let value = entry.get(REALTIME_FIELD).ok_or_else(|| format!("missing {REALTIME_FIELD} field"))?;
    let micros: i64 = match value {
        Value::String(text) => text.parse().map_err(|_| format!("invalid {REALTIME_FIELD} {text:?}"))?,
        Value::Number(number) => number.as_i64().ok_or_else(|| format!("invalid {REALTIME_FIELD} {number}"))?,
        other => return Err(format!("invalid {REALTIME_FIELD} {other}")),
    };
    micros
        .checked_mul(NANOS_PER_MICRO)
        .ok_or_else(|| format!("{REALTIME_FIELD} {micros} is outside the supported range"))
}
