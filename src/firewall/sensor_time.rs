//! Times written by network sensors: decimal epoch seconds and the raw text of a JSON number.
//!
//! Zeek writes `ts` as seconds since 1970 with a fraction (`1547188415.857497`). The value is
//! read from its text into integer nanoseconds, never through `f64`, so microsecond and
//! nanosecond digits are exact.

use crate::model::TimestampNs;

const NANOS_PER_SECOND: i64 = 1_000_000_000;

/// Parses `SECONDS[.FRACTION]` since 1970 (UTC) into nanoseconds. Digits beyond the ninth
/// fraction digit are ignored. Exponents and signs are rejected.
pub(super) fn epoch_seconds_ns(text: &str) -> Result<TimestampNs, String> {
    let (seconds, fraction) = text.split_once('.').unwrap_or((text, ""));
    let is_digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    if seconds.is_empty() || !is_digits(seconds) || !is_digits(fraction) {
        return Err(format!("invalid epoch time {text:?}"));
    }
    let seconds: i64 = seconds.parse().map_err(|_| format!("epoch time {text:?} is out of range"))?;
    let mut nanos: i64 = 0;
    for (index, digit) in fraction.bytes().take(9).enumerate() {
        nanos += i64::from(digit - b'0') * 10_i64.pow(8 - index as u32);
    }
    seconds
        .checked_mul(NANOS_PER_SECOND)
        .and_then(|ns| ns.checked_add(nanos))
        .ok_or_else(|| format!("epoch time {text:?} is out of range"))
}

/// Returns the text of the JSON value of top-level or nested key `key` in `line`, when the value
/// is a number. A quoted key followed by a colon only occurs as an object key, because quotes
/// inside JSON strings are escaped.
pub(super) fn raw_json_number<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let quoted = format!("\"{key}\"");
    let mut search_from = 0;
    while let Some(found) = line[search_from..].find(&quoted) {
        let after_key = search_from + found + quoted.len();
        let rest = line[after_key..].trim_start();
        if let Some(value) = rest.strip_prefix(':') {
            let value = value.trim_start();
            let end = value
                .find(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E')))
                .unwrap_or(value.len());
            return (end > 0).then(|| &value[..end]);
        }
        search_from = after_key;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_fraction_is_exact() {
        assert_eq!(epoch_seconds_ns("1547188415.857497"), Ok(1_547_188_415_857_497_000));
        assert_eq!(epoch_seconds_ns("1300475168.8538991234"), Ok(1_300_475_168_853_899_123));
        assert_eq!(epoch_seconds_ns("12"), Ok(12_000_000_000));
        assert!(epoch_seconds_ns("1.5e9").is_err());
        assert!(epoch_seconds_ns("-1.0").is_err());
    }

    #[test]
    fn raw_number_of_key() {
        let line = r#"{"uid":"C\"ts\":1","ts":1547188415.857497,"x":2}"#;
        assert_eq!(raw_json_number(line, "ts"), Some("1547188415.857497"));
        assert_eq!(raw_json_number(r#"{"ts":"2021-06-09T20:55:13Z"}"#, "ts"), None);
    }
}
