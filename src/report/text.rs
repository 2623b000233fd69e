//! Text formatting shared by the drafting code: times, durations, sizes, port and address
//! lists, and registered service names.

use std::net::IpAddr;

use chrono::DateTime;

use crate::model::{Technique, TimestampNs};

/// Maximum number of address groups written out in one list; the rest are counted.
const MAX_ADDRESS_GROUPS: usize = 64;

/// Maximum number of port groups written out in one list; the rest are counted.
const MAX_PORT_GROUPS: usize = 200;

/// Formats a UTC timestamp as RFC 3339 with microseconds, or nanoseconds when the
/// timestamp has sub-microsecond digits.
pub fn format_ts(ts_ns: TimestampNs) -> String {
    let secs = ts_ns.div_euclid(1_000_000_000);
    let nanos = ts_ns.rem_euclid(1_000_000_000) as u32;
    match DateTime::from_timestamp(secs, nanos) {
        Some(time) if nanos.is_multiple_of(1000) => time.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
        Some(time) => time.format("%Y-%m-%dT%H:%M:%S%.9fZ").to_string(),
        None => format!("{ts_ns} ns since the Unix epoch (outside the calendar range)"),
    }
}

/// Formats a span of nanoseconds for readers, for example `4 min 12.3 s`.
pub fn format_duration(span_ns: i64) -> String {
    let span_ns = span_ns.max(0);
    let total_ms = span_ns / 1_000_000;
    if span_ns < 1_000_000 {
        return format!("{} µs", span_ns / 1000);
    }
    if total_ms < 1000 {
        return format!("{total_ms} ms");
    }
    let secs = span_ns as f64 / 1e9;
    if secs < 60.0 {
        return format!("{secs:.1} s");
    }
    let total_secs = span_ns / 1_000_000_000;
    let (hours, minutes, seconds) = (total_secs / 3600, total_secs / 60 % 60, total_secs % 60);
    if hours == 0 {
        format!("{minutes} min {seconds} s")
    } else if hours < 48 {
        format!("{hours} h {minutes} min")
    } else {
        format!("{} days {} h", hours / 24, hours % 24)
    }
}

/// Formats a byte count with its binary-prefixed size, for example `1,536 bytes (1.5 KiB)`.
pub fn format_bytes(size_bytes: u64) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    let exact = format!("{} bytes", group_thousands(size_bytes));
    if size_bytes < 1024 {
        return exact;
    }
    let mut value = size_bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{exact} ({value:.1} {})", UNITS[unit])
}

/// Writes a number with commas between groups of three digits.
pub fn group_thousands(number: u64) -> String {
    let digits = number.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// Returns `singular` or `plural` for a count, with the count in front.
pub fn count_noun(count: u64, singular: &str, plural: &str) -> String {
    let noun = if count == 1 { singular } else { plural };
    format!("{} {noun}", group_thousands(count))
}

/// Compresses ports into ranges, for example `21-23, 25, 80`.
pub fn compress_ports(ports: &[u16]) -> String {
    if ports.is_empty() {
        return "none".to_string();
    }
    let mut sorted = ports.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let values: Vec<u128> = sorted.iter().map(|&port| u128::from(port)).collect();
    let groups: Vec<String> = consecutive_runs(&values)
        .into_iter()
        .map(|(start, end)| if start == end { start.to_string() } else { format!("{start}-{end}") })
        .collect();
    limit_groups(groups, MAX_PORT_GROUPS, "port ranges")
}

/// Compresses addresses into sorted ranges of consecutive addresses, for example
/// `10.0.0.1-10.0.0.254, 192.0.2.7`. IPv4 and IPv6 addresses never share a range.
pub fn compress_addresses(addresses: &[IpAddr]) -> String {
    if addresses.is_empty() {
        return "none".to_string();
    }
    let mut sorted = addresses.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let v4: Vec<u128> = sorted
        .iter()
        .filter_map(|address| match address {
            IpAddr::V4(v4) => Some(u128::from(u32::from(*v4))),
            IpAddr::V6(_) => None,
        })
        .collect();
    let v6: Vec<u128> = sorted
        .iter()
        .filter_map(|address| match address {
            IpAddr::V6(v6) => Some(u128::from(*v6)),
            IpAddr::V4(_) => None,
        })
        .collect();
    let mut groups = Vec::new();
    for (start, end) in consecutive_runs(&v4) {
        let first = std::net::Ipv4Addr::from(start as u32);
        let last = std::net::Ipv4Addr::from(end as u32);
        groups.push(if start == end { first.to_string() } else { format!("{first}-{last}") });
    }
    for (start, end) in consecutive_runs(&v6) {
        let first = std::net::Ipv6Addr::from(start);
        let last = std::net::Ipv6Addr::from(end);
        groups.push(if start == end { first.to_string() } else { format!("{first}-{last}") });
    }
    limit_groups(groups, MAX_ADDRESS_GROUPS, "address ranges")
}

/// Returns (start, end) pairs of runs of consecutive values in a sorted, deduplicated list.
fn consecutive_runs(values: &[u128]) -> Vec<(u128, u128)> {
    let mut runs: Vec<(u128, u128)> = Vec::new();
    for &value in values {
        match runs.last_mut() {
            Some((_, end)) if end.checked_add(1) == Some(value) => *end = value,
            _ => runs.push((value, value)),
        }
    }
    runs
}

/// Joins groups with commas, cutting the list after `max` groups with a count of the rest.
fn limit_groups(groups: Vec<String>, max: usize, what: &str) -> String {
    if groups.len() <= max {
        return groups.join(", ");
    }
    let rest = groups.len() - max;
    format!("{} and {rest} more {what} (all are stored with the finding in the case file)", groups[..max].join(", "))
}

/// Returns the transport protocol name a technique's probes use.
pub fn technique_protocol(technique: Technique) -> &'static str {
    match technique {
        Technique::Udp => "udp",
        Technique::IcmpEcho => "icmp",
        Technique::Arp => "arp",
        Technique::SctpInit => "sctp",
        // A protocol scan probes IP protocol numbers, which the finding lists apart from ports.
        Technique::IpProtocol => "ip",
        Technique::TcpSyn
        | Technique::TcpConnect
        | Technique::TcpFin
        | Technique::TcpNull
        | Technique::TcpXmas
        | Technique::TcpAck
        | Technique::TcpWindow
        | Technique::TcpMaimon => "tcp",
    }
}

/// Returns the IANA service name registered for a well-known port, for the ports scans
/// most often find open. The name says what the port is registered for, not which software
/// answered.
pub fn service_name(protocol: &str, port: u16) -> Option<&'static str> {
    let name = match (protocol, port) {
        (_, 20) => "ftp-data",
        (_, 21) => "ftp",
        (_, 22) => "ssh",
        (_, 23) => "telnet",
        (_, 25) => "smtp",
        (_, 53) => "domain",
        (_, 67) => "bootps",
        (_, 69) => "tftp",
        (_, 80) => "http",
        (_, 88) => "kerberos",
        (_, 110) => "pop3",
        (_, 111) => "sunrpc",
        (_, 123) => "ntp",
        (_, 135) => "epmap",
        (_, 137) => "netbios-ns",
        (_, 138) => "netbios-dgm",
        (_, 139) => "netbios-ssn",
        (_, 143) => "imap",
        (_, 161) => "snmp",
        (_, 389) => "ldap",
        (_, 443) => "https",
        (_, 445) => "microsoft-ds",
        ("tcp", 514) => "shell",
        ("udp", 514) => "syslog",
        (_, 587) => "submission",
        (_, 636) => "ldaps",
        (_, 993) => "imaps",
        (_, 995) => "pop3s",
        (_, 1433) => "ms-sql-s",
        (_, 2049) => "nfs",
        (_, 3306) => "mysql",
        (_, 3389) => "ms-wbt-server",
        (_, 5432) => "postgresql",
        (_, 5900) => "rfb",
        (_, 8080) => "http-alt",
        _ => return None,
    };
    Some(name)
}

/// Formats `protocol/port` with its registered service name when known, for example
/// `tcp/22 (ssh)`.
pub fn port_with_service(protocol: &str, port: u16) -> String {
    match service_name(protocol, port) {
        Some(name) => format!("{protocol}/{port} ({name})"),
        None => format!("{protocol}/{port}"),
    }
}

/// Returns `text`, or `fallback` when `text` is empty or only whitespace.
pub fn or_fallback(text: &str, fallback: &str) -> String {
    if text.trim().is_empty() {
        fallback.to_string()
    } else {
        text.trim().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocol_names_follow_technique() {
        assert_eq!(technique_protocol(Technique::SctpInit), "sctp");
        assert_eq!(technique_protocol(Technique::IpProtocol), "ip");
        assert_eq!(technique_protocol(Technique::TcpWindow), "tcp");
        assert_eq!(technique_protocol(Technique::Udp), "udp");
    }
}
