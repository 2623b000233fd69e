//! The `windows-pfirewall` dialect: Windows Defender Firewall's `pfirewall.log`.
//!
//! The file is in the W3C extended log format: header lines start with `#`, and the
//! `#Fields:` header names the space-separated columns of the lines that follow. Windows writes
//! `date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin
//! icmptype icmpcode info path`, and newer versions add `pid`. A `-` is an empty value, lines
//! may end in CRLF, and a line may have fewer columns than the header (the missing ones are
//! empty). Columns are found by name, so their order and the `pid` column do not matter; before
//! any `#Fields:` header the column list above is used.
//!
//! `date time` is local wall-clock time (`#Time Format: Local`) and is read in the zone of the
//! [`TimeContext`]. Actions: `ALLOW` is allow and `DROP` is drop (Windows drops silently).
//! `INFO-EVENTS-LOST` lines count lost events and carry no packet. The `path` column (`SEND`,
//! `RECEIVE`, `FORWARD`) becomes the observation's rule, since the log names no rule.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

use super::outcome::{bare_observation, tcp_flags_from_letters, DialectReader, LineOutcome};
use super::syslog_time::LocalTimeResolver;
use super::{LogDialect, TimeContext, SKIP_HEADER};
use crate::model::{FirewallAction, IcmpInfo, IpProtocol, Locator, Observation};

/// Skip reason for lines that are neither headers nor packet records.
pub const SKIP_NOT_PFIREWALL: &str = "not a pfirewall.log record";
/// Skip reason for `INFO-EVENTS-LOST` records, which count events the firewall did not log.
pub const SKIP_EVENTS_LOST: &str = "pfirewall.log events-lost record";
/// Skip reason for records that could not be read. Each is also an anomaly.
pub const SKIP_INVALID_PFIREWALL: &str = "invalid pfirewall.log record";

/// The columns Windows writes when the file has no `#Fields:` header yet.
const DEFAULT_FIELDS: &str = "date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn \
                              tcpack tcpwin icmptype icmpcode info path";

/// Positions of the columns read, from a `#Fields:` header.
#[derive(Debug, Clone, Default)]
struct Columns {
    date: Option<usize>,
    time: Option<usize>,
    action: Option<usize>,
    protocol: Option<usize>,
    src_ip: Option<usize>,
    dst_ip: Option<usize>,
    src_port: Option<usize>,
    dst_port: Option<usize>,
    tcp_flags: Option<usize>,
    tcp_window: Option<usize>,
    icmp_type: Option<usize>,
    icmp_code: Option<usize>,
    path: Option<usize>,
}

impl Columns {
    fn from_names(names: &str) -> Self {
        let mut columns = Self::default();
        for (index, name) in names.split_ascii_whitespace().enumerate() {
            let slot = match name {
                "date" => &mut columns.date,
                "time" => &mut columns.time,
                "action" => &mut columns.action,
                "protocol" => &mut columns.protocol,
                "src-ip" => &mut columns.src_ip,
                "dst-ip" => &mut columns.dst_ip,
                "src-port" => &mut columns.src_port,
                "dst-port" => &mut columns.dst_port,
                "tcpflags" => &mut columns.tcp_flags,
                "tcpwin" => &mut columns.tcp_window,
                "icmptype" => &mut columns.icmp_type,
                "icmpcode" => &mut columns.icmp_code,
                "path" => &mut columns.path,
                _ => continue,
            };
            *slot = Some(index);
        }
        columns
    }
}

/// Reader of the `windows-pfirewall` dialect.
pub(super) struct PfirewallReader {
    resolver: LocalTimeResolver,
    columns: Columns,
}

impl PfirewallReader {
    /// Creates a reader for one file.
    pub(super) fn new(time: &TimeContext) -> Self {
        Self { resolver: LocalTimeResolver::new(time), columns: Columns::from_names(DEFAULT_FIELDS) }
    }
}

impl DialectReader for PfirewallReader {
    fn dialect(&self) -> LogDialect {
        LogDialect::WindowsFirewall
    }

    fn read_line(&mut self, line: &str, locator: Locator) -> LineOutcome {
        if let Some(header) = line.strip_prefix('#') {
            if let Some(names) = header.strip_prefix("Fields:") {
                self.columns = Columns::from_names(names);
            }
            return LineOutcome::Skipped(SKIP_HEADER);
        }
        if !is_record(line) {
            return LineOutcome::Skipped(SKIP_NOT_PFIREWALL);
        }
        let values: Vec<&str> = line.split_ascii_whitespace().collect();
        let value = |index: Option<usize>| index.and_then(|index| values.get(index).copied()).filter(|v| *v != "-");
        if value(self.columns.action) == Some("INFO-EVENTS-LOST") {
            return LineOutcome::Skipped(SKIP_EVENTS_LOST);
        }
        let mut observation = match parse_record(&self.columns, &value, locator) {
            Ok(observation) => observation,
            Err(message) => return LineOutcome::Invalid(message),
        };
        let local = match local_time(value(self.columns.date), value(self.columns.time)) {
            Ok(local) => local,
            Err(message) => return LineOutcome::Invalid(message),
        };
        match self.resolver.resolve_local(local) {
            Ok(resolved) => {
                observation.ts_ns = resolved.ts_ns;
                LineOutcome::Observation {
                    observation: Box::new(observation),
                    warnings: resolved.note.into_iter().collect(),
                }
            }
            Err(message) => LineOutcome::Invalid(message),
        }
    }

    fn invalid_reason(&self) -> &'static str {
        SKIP_INVALID_PFIREWALL
    }

    fn time_assumption(&self) -> Option<String> {
        self.resolver.assumption()
    }
}

/// Returns true when `line` starts with `YYYY-MM-DD HH:MM:SS `, as every record does.
fn is_record(line: &str) -> bool {
    let bytes = line.as_bytes();
    let shape = b"0000-00-00 00:00:00 ";
    bytes.len() > shape.len()
        && shape.iter().zip(bytes).all(|(want, got)| if *want == b'0' { got.is_ascii_digit() } else { want == got })
}

/// Returns true when `line` is a `pfirewall.log` header or record.
pub(super) fn is_pfirewall_line(line: &str) -> bool {
    if line.starts_with("#Software: Microsoft Windows Firewall") || line.starts_with("#Fields: date time action") {
        return true;
    }
    is_record(line) && {
        let action = line.split_ascii_whitespace().nth(2).unwrap_or("");
        matches!(action, "ALLOW" | "DROP" | "INFO-EVENTS-LOST")
    }
}

fn local_time(date: Option<&str>, time: Option<&str>) -> Result<NaiveDateTime, String> {
    let date = date.ok_or("missing date column")?;
    let time = time.ok_or("missing time column")?;
    let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| format!("invalid date {date:?}"))?;
    let time = NaiveTime::parse_from_str(time, "%H:%M:%S%.f").map_err(|_| format!("invalid time {time:?}"))?;
    Ok(date.and_time(time))
}

fn number<T: std::str::FromStr>(value: Option<&str>, name: &str) -> Result<Option<T>, String> {
    value.map(|value| value.parse().map_err(|_| format!("invalid {name} {value:?}"))).transpose()
}

/// Returns the protocol for a `protocol` value: a name Windows writes or a number.
fn protocol(value: &str) -> Result<IpProtocol, String> {
    match value {
        "TCP" => Ok(IpProtocol::TCP),
        "UDP" => Ok(IpProtocol::UDP),
        "ICMP" => Ok(IpProtocol::ICMP),
        "ICMPv6" | "ICMPV6" => Ok(IpProtocol::ICMPV6),
        number => number.parse().map(IpProtocol::from_ip_number).map_err(|_| format!("unknown protocol {number:?}")),
    }
}

/// Reads the packet columns of one record into an observation whose time is still zero.
fn parse_record<'a>(
    columns: &Columns,
    value: &dyn Fn(Option<usize>) -> Option<&'a str>,
    locator: Locator,
) -> Result<Observation, String> {
    let src = value(columns.src_ip).ok_or("missing src-ip column")?;
    let dst = value(columns.dst_ip).ok_or("missing dst-ip column")?;
    let src = src.parse().map_err(|_| format!("invalid src-ip {src:?}"))?;
    let dst = dst.parse().map_err(|_| format!("invalid dst-ip {dst:?}"))?;
    let protocol = protocol(value(columns.protocol).ok_or("missing protocol column")?)?;
    let mut observation = bare_observation(0, src, dst, protocol, locator);
    observation.action = value(columns.action).map(|action| match action {
        "ALLOW" => FirewallAction::Allow,
        "DROP" => FirewallAction::Drop,
        other => FirewallAction::Other(other.to_ascii_lowercase()),
    });
    observation.rule = value(columns.path).map(str::to_string);
    if protocol.has_ports() {
        observation.src_port = number(value(columns.src_port), "src-port")?;
        observation.dst_port = number(value(columns.dst_port), "dst-port")?;
    }
    if protocol == IpProtocol::TCP {
        observation.tcp_window = number(value(columns.tcp_window), "tcpwin")?;
        if let Some(flags) = value(columns.tcp_flags) {
            observation.tcp_flags =
                Some(tcp_flags_from_letters(flags).ok_or_else(|| format!("invalid tcpflags {flags:?}"))?);
        }
    }
    let icmp_type = number::<u8>(value(columns.icmp_type), "icmptype")?;
    let icmp_code = number::<u8>(value(columns.icmp_code), "icmpcode")?;
    if let (Some(icmp_type), Some(code)) = (icmp_type, icmp_code) {
        observation.icmp = Some(IcmpInfo { icmp_type, code, quoted: None });
    }
    Ok(observation)
}
