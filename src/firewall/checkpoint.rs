//! The `checkpoint` dialect: Check Point Log Exporter records in its three text forms.
//!
//! Log Exporter sends one record per line in one of these forms:
//! - syslog structured data: `<134>1 2026-02-25T08:14:51Z fwmgt CheckPoint 10024 -
//!   [action:"Accept"; src:"10.0.0.1"; ...]`, pairs `key:"value"` separated by `; ` with the
//!   escapes of `key_value.rs`;
//! - a pipe-separated message: `... CheckPoint 20564 - - time=1685993296|action=Drop|...`, in
//!   which `\=`, `\|` and `\\` inside a value are escapes;
//! - JSON (NDJSON export): `{"action":"Accept","src":"10.172.0.0","proto":6,...}`.
//!
//! A record is recognised by the syslog APP-NAME `CheckPoint`, or by its `origin` field (the
//! gateway that logged it) together with `loguid`, `product` or `originsicname`. A record with
//! `src`, `dst` and `proto` becomes an observation. Records without them (management, VPN key
//! exchange, API audit) are skipped under [`SKIP_CHECKPOINT_NOT_TRAFFIC`].
//!
//! Fields: `src`, `dst`, `proto` (IP protocol number), `s_port` (source port) and `service`
//! (destination port, when it is a number) for TCP, UDP and SCTP, and `icmp_type`,
//! `icmp_code` for ICMP. The time is `time` (seconds since 1970, UTC), or the RFC 5424 header
//! time when the record has none. The log has no TCP flags.
//!
//! Actions: `Accept`, `Allow`, `Encrypt` and `Decrypt` (traffic let through a VPN) are allow,
//! `Block` and `Prevent` are deny, `Drop` is drop, `Reject` is reject, and `Detect`,
//! `Monitored`, `Flag` and `Inspect` are log. Other words (`Bypass`, `Key Install`) are kept as
//! vendor words. The rule is `rule_name` (in JSON exports the first `rule_name_._._match_table`
//! entry, in older logs `rule`), the layer, and the zones, where present.

use std::borrow::Cow;

use super::key_value::quoted_value;
use super::outcome::{bare_observation, DialectReader, LineOutcome};
use super::syslog_header::{head, parse_header};
use super::syslog_time::LocalTimeResolver;
use super::{LogDialect, TimeContext};
use crate::model::{FirewallAction, IcmpInfo, IpProtocol, Locator, Observation};

/// Skip reason for lines that are not Check Point Log Exporter records.
pub const SKIP_NOT_CHECKPOINT: &str = "not a Check Point log record";
/// Skip reason for records without a source address, a destination address or a protocol.
pub const SKIP_CHECKPOINT_NOT_TRAFFIC: &str = "Check Point record without source, destination and protocol";
/// Skip reason for records that could not be read. Each is also an anomaly.
pub const SKIP_INVALID_CHECKPOINT: &str = "invalid Check Point log record";

const NANOS_PER_SECOND: i64 = 1_000_000_000;

/// Text form of a Log Exporter record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    StructuredData,
    Pipe,
    Json,
}

/// Fields of one record as text, in the order written.
type Fields<'a> = Vec<(Cow<'a, str>, Cow<'a, str>)>;

fn field<'f>(fields: &'f Fields<'_>, key: &str) -> Option<&'f str> {
    fields.iter().find(|(name, _)| name == key).map(|(_, value)| value.as_ref()).filter(|value| !value.is_empty())
}

/// Returns the form and the record text of `line` when it looks like a Log Exporter record.
fn locate(line: &str) -> Option<(Form, &str)> {
    let (form, body) = if line.trim_start().starts_with('{') {
        (Form::Json, line.trim())
    } else if let Some(open) = line.find(" [").filter(|open| line[open + 2..].contains(":\"")) {
        (Form::StructuredData, &line[open + 2..])
    } else {
        let first_pair = line.find('=')?;
        let start = line[..first_pair].rfind(' ').map_or(0, |space| space + 1);
        (Form::Pipe, &line[start..])
    };
    let has_key = |key: &str| match form {
        Form::Json => body.contains(&format!("\"{key}\":")),
        Form::StructuredData => body.starts_with(&format!("{key}:\"")) || body.contains(&format!(" {key}:\"")),
        Form::Pipe => body.starts_with(&format!("{key}=")) || body.contains(&format!("|{key}=")),
    };
    let has_app_name = form != Form::Json && line.contains(" CheckPoint ");
    let is_checkpoint =
        has_app_name || has_key("origin") && (has_key("loguid") || has_key("product") || has_key("originsicname"));
    is_checkpoint.then_some((form, body))
}

/// Returns true when `line` looks like a Check Point Log Exporter record.
pub(super) fn is_checkpoint_line(line: &str) -> bool {
    locate(line).is_some()
}

/// Splits `[key:"value"; key:"value"]` text (after the `[`) into fields.
fn structured_data_fields(text: &str) -> Result<Fields<'_>, String> {
    let mut fields = Vec::new();
    let mut pos = 0;
    loop {
        let rest = &text[pos..];
        let skipped = rest.len() - rest.trim_start_matches([' ', ';']).len();
        pos += skipped;
        match text[pos..].chars().next() {
            None => return Err("structured data has no closing ']'".into()),
            Some(']') => return Ok(fields),
            Some(_) => {}
        }
        let separator = text[pos..]
            .find(":\"")
            .ok_or_else(|| format!("text {:?} is not a key:\"value\" pair", head(&text[pos..])))?;
        let key = &text[pos..pos + separator];
        if key.is_empty() || key.contains(['"', ';', ' ']) {
            return Err(format!("text {:?} is not a key:\"value\" pair", head(&text[pos..])));
        }
        let (value, end) = quoted_value(text, pos + separator + 2)
            .ok_or_else(|| format!("quoted value of {key} has no closing quote"))?;
        fields.push((Cow::Borrowed(key), value));
        pos = end;
    }
}

/// Splits `key=value|key=value` text into fields, resolving `\=`, `\|` and `\\`.
fn pipe_fields(text: &str) -> Result<Fields<'_>, String> {
    let mut fields = Vec::new();
    for part in split_unescaped(text, '|') {
        let Some(equals) = find_unescaped(part, '=') else {
            return Err(format!("text {:?} is not a key=value pair", head(part)));
        };
        fields.push((Cow::Owned(unescape(&part[..equals])), Cow::Owned(unescape(&part[equals + 1..]))));
    }
    Ok(fields)
}

fn find_unescaped(text: &str, wanted: char) -> Option<usize> {
    let mut is_escaped = false;
    for (index, character) in text.char_indices() {
        match character {
            _ if is_escaped => is_escaped = false,
            '\\' => is_escaped = true,
            _ if character == wanted => return Some(index),
            _ => {}
        }
    }
    None
}

fn split_unescaped(text: &str, separator: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut rest = text;
    while let Some(index) = find_unescaped(rest, separator) {
        parts.push(&rest[..index]);
        rest = &rest[index + 1..];
    }
    parts.push(rest);
    parts
}

fn unescape(text: &str) -> String {
    let mut output = String::with_capacity(text.len());
    let mut characters = text.chars();
    while let Some(character) = characters.next() {
        match (character, characters.clone().next()) {
            ('\\', Some(next @ ('=' | '|' | '\\'))) => {
                output.push(next);
                characters.next();
            }
            _ => output.push(character),
        }
    }
    output
}

/// Reads a JSON record's scalar fields as text. The first entry of an array is used, as JSON
/// exports put the matched rule in one-entry `..._match_table` arrays.
fn json_fields(text: &str) -> Result<Fields<'static>, String> {
    let object: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(text).map_err(|error| format!("invalid JSON record: {error}"))?;
    let mut fields = Vec::new();
    for (key, value) in object {
        let scalar = match &value {
            serde_json::Value::Array(items) => items.first().cloned().unwrap_or(serde_json::Value::Null),
            other => other.clone(),
        };
        let text = match scalar {
            serde_json::Value::String(text) => text,
            serde_json::Value::Number(number) => number.to_string(),
            serde_json::Value::Bool(flag) => flag.to_string(),
            _ => continue,
        };
        fields.push((Cow::Owned(key), Cow::Owned(text)));
    }
    Ok(fields)
}

/// Returns the action for a Check Point action word.
fn action(word: &str) -> FirewallAction {
    match word {
        "Accept" | "Allow" | "Encrypt" | "Decrypt" => FirewallAction::Allow,
        "Block" | "Prevent" => FirewallAction::Deny,
        "Drop" => FirewallAction::Drop,
        "Reject" => FirewallAction::Reject,
        "Detect" | "Monitored" | "Flag" | "Inspect" => FirewallAction::Log,
        other => FirewallAction::Other(other.to_string()),
    }
}

/// Reader of the `checkpoint` dialect.
pub(super) struct CheckpointReader {
    resolver: LocalTimeResolver,
}

impl CheckpointReader {
    /// Creates a reader for one file.
    pub(super) fn new(time: &TimeContext) -> Self {
        Self { resolver: LocalTimeResolver::new(time) }
    }
}

impl DialectReader for CheckpointReader {
    fn dialect(&self) -> LogDialect {
        LogDialect::Checkpoint
    }

    fn read_line(&mut self, line: &str, locator: Locator) -> LineOutcome {
        let Some((form, body)) = locate(line) else {
            return LineOutcome::Skipped(SKIP_NOT_CHECKPOINT);
        };
        let fields = match form {
            Form::StructuredData => structured_data_fields(body),
            Form::Pipe => pipe_fields(body),
            Form::Json => json_fields(body),
        };
        let fields = match fields {
            Ok(fields) => fields,
            Err(message) => return LineOutcome::Invalid(format!("Check Point record is damaged: {message}")),
        };
        if ["src", "dst", "proto"].iter().any(|key| field(&fields, key).is_none()) {
            return LineOutcome::Skipped(SKIP_CHECKPOINT_NOT_TRAFFIC);
        }
        let mut observation = match connection(&fields, locator) {
            Ok(observation) => observation,
            Err(message) => return LineOutcome::Invalid(message),
        };
        if let Some(time) = field(&fields, "time") {
            let seconds: Option<i64> = time.parse().ok();
            match seconds.and_then(|seconds| seconds.checked_mul(NANOS_PER_SECOND)) {
                Some(ts_ns) => observation.ts_ns = ts_ns,
                None => return LineOutcome::Invalid(format!("invalid time {time:?}; expected seconds since 1970")),
            }
            return LineOutcome::Observation { observation: Box::new(observation), warnings: Vec::new() };
        }
        let resolved = parse_header(line).and_then(|header| self.resolver.resolve_header(header.time));
        match resolved {
            Ok(resolved) => {
                observation.ts_ns = resolved.ts_ns;
                LineOutcome::Observation {
                    observation: Box::new(observation),
                    warnings: resolved.note.into_iter().collect(),
                }
            }
            Err(message) => {
                LineOutcome::Invalid(format!("Check Point record without time and without a syslog time: {message}"))
            }
        }
    }

    fn invalid_reason(&self) -> &'static str {
        SKIP_INVALID_CHECKPOINT
    }

    fn time_assumption(&self) -> Option<String> {
        self.resolver.assumption()
    }
}

/// Reads the connection fields into an observation whose time is still zero.
fn connection(fields: &Fields<'_>, locator: Locator) -> Result<Observation, String> {
    let address = |key: &str| {
        let value = field(fields, key).ok_or_else(|| format!("missing {key}"))?;
        value.parse().map_err(|_| format!("{key} {value:?} is not an IP address"))
    };
    let src = address("src")?;
    let dst = address("dst")?;
    let proto = field(fields, "proto").ok_or("missing proto")?;
    let protocol = IpProtocol::from_ip_number(proto.parse().map_err(|_| format!("invalid proto {proto:?}"))?);

    let mut observation = bare_observation(0, src, dst, protocol, locator);
    if protocol.has_ports() {
        observation.src_port = match field(fields, "s_port") {
            Some(port) => Some(port.parse().map_err(|_| format!("invalid s_port {port:?}"))?),
            None => None,
        };
        // `service` is a port number for TCP and UDP, and a name for some other services.
        observation.dst_port = field(fields, "service").and_then(|service| service.parse().ok());
    }
    if matches!(protocol, IpProtocol::ICMP | IpProtocol::ICMPV6) {
        if let (Some(icmp_type), Some(code)) = (field(fields, "icmp_type"), field(fields, "icmp_code")) {
            let icmp_type = icmp_type.parse().map_err(|_| format!("invalid icmp_type {icmp_type:?}"))?;
            let code = code.parse().map_err(|_| format!("invalid icmp_code {code:?}"))?;
            observation.icmp = Some(IcmpInfo { icmp_type, code, quoted: None });
        }
    }
    observation.action = field(fields, "action").map(action);
    observation.rule = rule_text(fields);
    Ok(observation)
}

/// Builds the rule text from the rule name, layer and zones.
fn rule_text(fields: &Fields<'_>) -> Option<String> {
    let mut parts = Vec::new();
    let name = ["rule_name", "rule_name_._._match_table", "rule"].iter().find_map(|key| field(fields, key));
    if let Some(name) = name {
        parts.push(format!("rule {name}"));
    }
    if let Some(layer) = ["layer_name", "layer_name_._._match_table"].iter().find_map(|key| field(fields, key)) {
        parts.push(format!("(layer {layer})"));
    }
    match (field(fields, "inzone"), field(fields, "outzone")) {
        (Some(from), Some(to)) => parts.push(format!("{from} -> {to}")),
        (Some(from), None) => parts.push(format!("from {from}")),
        _ => {}
    }
    (!parts.is_empty()).then(|| parts.join(" "))
}
