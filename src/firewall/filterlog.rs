//! The `pfsense-filterlog` dialect: pfSense and OPNsense `filterlog` CSV lines in syslog.
//!
//! `filterlog` writes one comma-separated line per logged packet, behind a BSD (RFC 3164) or
//! RFC 5424 syslog header whose program is `filterlog`. The columns, as pfSense documents them
//! ("Filter Log Format") and `filterlog.c` writes them, are:
//!
//! - common: `rule, sub-rule, anchor, tracker, interface, reason, action, direction, ip-version`;
//! - IPv4: `tos, ecn, ttl, id, offset, flags, protocol-id, protocol-text, length, src, dst`;
//! - IPv6: `class, flow-label, hop-limit, protocol-text, protocol-id, length, src, dst`;
//! - then by protocol: TCP `src-port, dst-port, data-length, flags, seq, ack, window, urg,
//!   options`; UDP `src-port, dst-port, data-length`; ICMP a type word and its values (see
//!   [`icmp_info`]); other protocols nothing, IPv6 extension headers their option names, or
//!   `datalength=N`.
//!
//! An IPv4 fragment with an offset above zero has no transport header, so its ports are never
//! read. Actions: `pass` is allow, `block` is deny (the log does not say whether the rule was
//! `block drop` or `block return`), `synproxy-drop` is drop, `match` (a rule that only logs)
//! is log, and any other word (`rdr`, `nat`, `scrub`) is kept as a vendor word. The observation's rule is
//! `rule N[.sub] (tracker T) on IFACE DIR`, so the interface and direction stay with it.

use std::net::IpAddr;

use super::outcome::{bare_observation, tcp_flags_from_letters, DialectReader, LineOutcome};
use super::syslog_header::{parse_header, split_tag, SyslogHeader};
use super::syslog_time::LocalTimeResolver;
use super::{LogDialect, TimeContext};
use crate::model::{FirewallAction, IcmpInfo, IpProtocol, Locator, Observation, QuotedPacket, TcpOptionKinds};

/// Skip reason for lines of other programs in a file read as `pfsense-filterlog`.
pub const SKIP_NOT_FILTERLOG: &str = "not a filterlog line";
/// Skip reason for `filterlog` lines that could not be read. Each is also an anomaly.
pub const SKIP_INVALID_FILTERLOG: &str = "invalid filterlog line";

/// The syslog program name of pfSense's and OPNsense's packet filter logger.
const PROGRAM: &str = "filterlog";

/// Number of common columns before the IP header columns.
const COMMON_COLUMNS: usize = 9;
/// Number of IPv4 header columns.
const IPV4_COLUMNS: usize = 11;
/// Number of IPv6 header columns.
const IPV6_COLUMNS: usize = 8;

/// Reader of the `pfsense-filterlog` dialect.
pub(super) struct FilterlogReader {
    resolver: LocalTimeResolver,
}

impl FilterlogReader {
    /// Creates a reader for one file.
    pub(super) fn new(time: &TimeContext) -> Self {
        Self { resolver: LocalTimeResolver::new(time) }
    }
}

impl DialectReader for FilterlogReader {
    fn dialect(&self) -> LogDialect {
        LogDialect::PfsenseFilterlog
    }

    fn read_line(&mut self, line: &str, locator: Locator) -> LineOutcome {
        let Some((header, csv)) = filterlog_message(line) else {
            return LineOutcome::Skipped(SKIP_NOT_FILTERLOG);
        };
        let mut observation = match parse_csv(csv, locator) {
            Ok(observation) => observation,
            Err(message) => return LineOutcome::Invalid(message),
        };
        match self.resolver.resolve_header(header.time) {
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
        SKIP_INVALID_FILTERLOG
    }

    fn time_assumption(&self) -> Option<String> {
        self.resolver.assumption()
    }
}

/// Returns the syslog header and the CSV message when `line` is a `filterlog` line.
fn filterlog_message(line: &str) -> Option<(SyslogHeader<'_>, &str)> {
    if !line.contains(PROGRAM) {
        return None;
    }
    let header = parse_header(line).ok()?;
    let message = match header.rfc5424 {
        Some(fields) => (fields.app_name == Some(PROGRAM)).then_some(header.rest)?,
        None => {
            let tagged = split_tag(header.rest);
            (tagged.program == Some(PROGRAM)).then_some(tagged.message)?
        }
    };
    Some((header, message))
}

/// Returns true when `line` is a `filterlog` line with a readable syslog time.
pub(super) fn is_filterlog_line(line: &str) -> bool {
    filterlog_message(line).is_some()
}

/// Returns the action for a `filterlog` action word.
fn action(word: &str) -> FirewallAction {
    match word {
        "pass" => FirewallAction::Allow,
        "block" => FirewallAction::Deny,
        "synproxy-drop" => FirewallAction::Drop,
        "match" => FirewallAction::Log,
        other => FirewallAction::Other(other.to_string()),
    }
}

/// Returns column `index`, or an error naming it.
fn column<'a>(columns: &[&'a str], index: usize, name: &str) -> Result<&'a str, String> {
    columns.get(index).copied().ok_or_else(|| format!("missing {name} column (column {})", index + 1))
}

fn number<T: std::str::FromStr>(value: &str, name: &str) -> Result<T, String> {
    value.parse().map_err(|_| format!("invalid {name} {value:?}"))
}

/// Parses an optional numeric column; empty means absent.
fn optional<T: std::str::FromStr>(value: Option<&str>, name: &str) -> Result<Option<T>, String> {
    match value {
        None | Some("") => Ok(None),
        Some(value) => number(value, name).map(Some),
    }
}

fn address(value: &str, name: &str) -> Result<IpAddr, String> {
    value.parse().map_err(|_| format!("invalid {name} address {value:?}"))
}

/// Builds the rule text from the common columns.
fn rule_text(common: &[&str]) -> String {
    let mut rule = format!("rule {}", common[0]);
    if !common[1].is_empty() {
        rule.push('.');
        rule.push_str(common[1]);
    }
    if !common[2].is_empty() {
        rule.push_str(&format!(" anchor {}", common[2]));
    }
    if !common[3].is_empty() {
        rule.push_str(&format!(" (tracker {})", common[3]));
    }
    rule.push_str(&format!(" on {} {}", common[4], common[7]));
    rule
}

/// Parses one CSV message into an observation whose time is still zero.
fn parse_csv(csv: &str, locator: Locator) -> Result<Observation, String> {
    let columns: Vec<&str> = csv.split(',').collect();
    if columns.len() < COMMON_COLUMNS {
        return Err(format!(
            "filterlog line has {} columns, fewer than the {COMMON_COLUMNS} common ones",
            columns.len()
        ));
    }
    let common = &columns[..COMMON_COLUMNS];
    let ip_version = common[8];
    let ip = &columns[COMMON_COLUMNS..];

    // (ttl, id, fragment offset, protocol id, src, dst, first protocol column)
    let (ttl, ip_id, fragment_offset, protocol, src, dst, rest) = match ip_version {
        "4" => {
            if ip.len() < IPV4_COLUMNS {
                return Err(format!("IPv4 filterlog line has {} IP columns, fewer than {IPV4_COLUMNS}", ip.len()));
            }
            let offset: u32 = optional(Some(ip[4]), "fragment offset")?.unwrap_or(0);
            (
                optional::<u8>(Some(ip[2]), "TTL")?,
                optional::<u16>(Some(ip[3]), "IP ID")?.map(u32::from),
                offset,
                number::<u8>(ip[6], "protocol id")?,
                address(ip[9], "source")?,
                address(ip[10], "destination")?,
                &ip[IPV4_COLUMNS..],
            )
        }
        "6" => {
            if ip.len() < IPV6_COLUMNS {
                return Err(format!("IPv6 filterlog line has {} IP columns, fewer than {IPV6_COLUMNS}", ip.len()));
            }
            (
                optional::<u8>(Some(ip[2]), "hop limit")?,
                None,
                0,
                number::<u8>(ip[4], "protocol id")?,
                address(ip[6], "source")?,
                address(ip[7], "destination")?,
                &ip[IPV6_COLUMNS..],
            )
        }
        other => return Err(format!("unknown IP version {other:?} in column 9")),
    };

    let protocol = IpProtocol::from(protocol);
    let mut observation = bare_observation(0, src, dst, protocol, locator);
    observation.ttl = ttl;
    observation.ip_id = ip_id;
    observation.action = Some(action(common[6]));
    observation.rule = Some(rule_text(common));

    let is_later_fragment = fragment_offset > 0;
    if let Some(length) = rest.first().and_then(|value| value.strip_prefix("datalength=")) {
        observation.payload_len = Some(number(length, "datalength")?);
        return Ok(observation);
    }
    match protocol {
        IpProtocol::TCP if !is_later_fragment && rest.len() >= 2 && !rest[0].is_empty() => {
            observation.src_port = Some(number(rest[0], "source port")?);
            observation.dst_port = Some(number(rest[1], "destination port")?);
            observation.payload_len = optional(rest.get(2).copied(), "TCP data length")?;
            let flags = column(rest, 3, "TCP flags")?;
            observation.tcp_flags =
                Some(tcp_flags_from_letters(flags).ok_or_else(|| format!("invalid TCP flags {flags:?}"))?);
            observation.tcp_window = optional(rest.get(6).copied(), "TCP window")?;
            observation.tcp_options = rest.get(8).and_then(|options| tcp_option_kinds(options));
        }
        IpProtocol::UDP if !is_later_fragment && rest.len() >= 2 && !rest[0].is_empty() => {
            observation.src_port = Some(number(rest[0], "source port")?);
            observation.dst_port = Some(number(rest[1], "destination port")?);
            observation.payload_len = optional(rest.get(2).copied(), "UDP data length")?;
        }
        IpProtocol::ICMP if !is_later_fragment => observation.icmp = icmp_info(rest, dst)?,
        _ => {}
    }
    Ok(observation)
}

/// Returns the option kinds for pf's option names (`mss;sackOK;TS;nop;wscale`), or `None` when
/// the column is empty or names an option without a known kind.
fn tcp_option_kinds(options: &str) -> Option<TcpOptionKinds> {
    if options.is_empty() {
        return None;
    }
    let mut kinds = Vec::new();
    for name in options.split(';') {
        kinds.push(match name {
            "eol" => 0,
            "nop" => 1,
            "mss" => 2,
            "wscale" => 3,
            "sackOK" => 4,
            "sack" => 5,
            "TS" => 8,
            "md5" => 19,
            _ => return None,
        });
    }
    Some(TcpOptionKinds::from_kinds(kinds))
}

/// Reads the ICMP columns: a type word, then values that depend on it. Only words whose ICMP
/// type and code are both fixed give an [`IcmpInfo`]: `request` (8/0), `reply` (0/0),
/// `unreachproto` (3/2, quoted destination and protocol), `unreachport` (3/3, quoted destination,
/// protocol and port), `needfrag` (3/4), `tstamp` (13/0), `tstampreply` (14/0) and `maskreply`
/// (18/0). `unreach`, `timexceed`, `paramprob` and `redirect` do not give the code.
fn icmp_info(columns: &[&str], error_dst: IpAddr) -> Result<Option<IcmpInfo>, String> {
    let Some(word) = columns.first() else {
        return Ok(None);
    };
    let (icmp_type, code) = match *word {
        "request" => (8, 0),
        "reply" => (0, 0),
        "unreachproto" => (3, 2),
        "unreachport" => (3, 3),
        "needfrag" => (3, 4),
        "tstamp" => (13, 0),
        "tstampreply" => (14, 0),
        "maskreply" => (18, 0),
        _ => return Ok(None),
    };
    let quoted = if matches!(*word, "unreachproto" | "unreachport") {
        let quoted_dst = address(column(columns, 1, "quoted destination")?, "quoted destination")?;
        let quoted_protocol =
            IpProtocol::from(number::<u8>(column(columns, 2, "quoted protocol")?, "quoted protocol")?);
        let dst_port = if *word == "unreachport" { optional(columns.get(3).copied(), "quoted port")? } else { None };
        // The quoted packet was sent by the host the ICMP error goes to.
        Some(QuotedPacket { src: error_dst, dst: quoted_dst, protocol: quoted_protocol, src_port: None, dst_port })
    } else {
        None
    };
    Ok(Some(IcmpInfo { icmp_type, code, quoted }))
}
