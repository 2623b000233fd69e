//! RFC 5424 syslog headers: `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD MSG`.
//!
//! Each header field is one word, and `-` is the nil value. The structured data (SD) is `-` or
//! one or more `[id name="value" ...]` elements, in which `\]`, `\"` and `\\` are escapes. The
//! message follows after one space and may start with a UTF-8 byte order mark. The timestamp is
//! an RFC 3339 time; a nil timestamp leaves the line without a wall-clock time and is an error.

use super::syslog_header::{head, parse_rfc3339, HeaderTime, Rfc5424Fields, SyslogHeader};

/// Returns the text after the version `1 ` when `line` (after its `<PRI>`) is an RFC 5424 line.
pub(super) fn strip_version(line: &str) -> Option<&str> {
    let after = line.strip_prefix("1 ")?;
    after.starts_with(|c: char| c.is_ascii_digit() || c == '-').then_some(after)
}

/// Splits off the next space-separated header field.
fn next_field(text: &str) -> Result<(Option<&str>, &str), String> {
    let (field, rest) = text.split_once(' ').ok_or_else(|| format!("RFC 5424 header {:?} ends early", head(text)))?;
    Ok(((field != "-").then_some(field), rest))
}

/// Returns the length in bytes of the structured data at the start of `text`.
fn structured_data_len(text: &str) -> Result<usize, String> {
    if text.starts_with('-') {
        return Ok(1);
    }
    let bytes = text.as_bytes();
    let mut pos = 0;
    while bytes.get(pos) == Some(&b'[') {
        pos += 1;
        let mut is_escaped = false;
        loop {
            let Some(&byte) = bytes.get(pos) else {
                return Err("RFC 5424 structured data has no closing ']'".into());
            };
            pos += 1;
            match byte {
                _ if is_escaped => is_escaped = false,
                b'\\' => is_escaped = true,
                b']' => break,
                _ => {}
            }
        }
    }
    if pos == 0 {
        return Err(format!("RFC 5424 structured data {:?} is neither '-' nor '[...]'", head(text)));
    }
    Ok(pos)
}

/// Parses the part of an RFC 5424 line after the version.
pub(super) fn parse_after_version(text: &str) -> Result<SyslogHeader<'_>, String> {
    let (timestamp, rest) = next_field(text)?;
    let Some(timestamp) = timestamp else {
        return Err("the RFC 5424 timestamp is nil ('-'), so the line has no wall-clock time".into());
    };
    let (ts_ns, consumed) = parse_rfc3339(timestamp)?;
    if consumed != timestamp.len() {
        return Err(format!("unexpected text after the RFC 5424 timestamp {timestamp:?}"));
    }
    let (hostname, rest) = next_field(rest)?;
    let (app_name, rest) = next_field(rest)?;
    let (_procid, rest) = next_field(rest)?;
    let (_msgid, rest) = next_field(rest)?;
    let sd_len = structured_data_len(rest)?;
    let message = rest[sd_len..].strip_prefix(' ').unwrap_or(&rest[sd_len..]);
    let message = message.strip_prefix('\u{feff}').unwrap_or(message);
    Ok(SyslogHeader {
        time: HeaderTime::Utc(ts_ns),
        rest: message,
        rfc5424: Some(Rfc5424Fields { hostname, app_name }),
    })
}
