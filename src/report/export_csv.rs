//! The indicator CSV: one row per source address, scanned port, scan technique and ATT&CK
//! technique of each finding, for import into a SIEM or a spreadsheet.
//!
//! Columns: `finding_id`, `indicator_type` (`ipv4-addr`, `ipv6-addr`, `port`,
//! `scan-technique`, `attack-technique`), `value`, `protocol` (ports only), `description`,
//! `first_seen` and `last_seen` (the finding's first and last probe, RFC 3339 UTC). A cell
//! that starts with `=`, `+`, `-`, `@`, tab or carriage return gets a leading `'`, so a
//! spreadsheet shows it as text instead of running it as a formula.

use std::net::IpAddr;

use super::attack::technique;
use super::text::{format_ts, service_name, technique_protocol};
use super::ReportInput;

/// Column names, in order.
pub const HEADER: [&str; 7] =
    ["finding_id", "indicator_type", "value", "protocol", "description", "first_seen", "last_seen"];

/// Writes the CSV of all findings, header first. Findings keep their order; within a
/// finding, rows go sources, ports (ascending), scan technique, ATT&CK techniques.
pub fn render(input: &ReportInput) -> Result<String, csv::Error> {
    let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    writer.write_record(HEADER)?;
    for finding in &input.findings {
        let first_seen = format_ts(finding.first_seen_ns);
        let last_seen = format_ts(finding.last_seen_ns);
        let mut row = |indicator_type: &str, value: String, protocol: &str, description: String| {
            let cells = [&finding.id, indicator_type, &value, protocol, &description, &first_seen, &last_seen];
            writer.write_record(cells.iter().map(|cell| guard_formula(cell)))
        };

        let mut sources = finding.sources.clone();
        sources.sort_unstable();
        sources.dedup();
        for source in sources {
            let kind = match source {
                IpAddr::V4(_) => "ipv4-addr",
                IpAddr::V6(_) => "ipv6-addr",
            };
            row(kind, source.to_string(), "", "address that sent the scan probes".to_string())?;
        }

        let protocol = technique_protocol(finding.technique);
        let mut ports = finding.ports.clone();
        ports.sort_unstable();
        ports.dedup();
        for port in ports {
            let mut description = match service_name(protocol, port) {
                Some(name) => format!("scanned port, registered for {name}"),
                None => "scanned port".to_string(),
            };
            let mut open_on: Vec<String> = finding
                .open_ports
                .iter()
                .filter(|open| open.port == port)
                .map(|open| open.target.to_string())
                .collect();
            open_on.sort_unstable();
            open_on.dedup();
            if !open_on.is_empty() {
                description.push_str(&format!("; answered open on {}", open_on.join(" ")));
            }
            row("port", port.to_string(), protocol, description)?;
        }

        row("scan-technique", finding.technique.as_str().to_string(), "", finding.technique.description().to_string())?;
        // NOTE: a tool fingerprint row belongs here once the finding model carries one.

        for id in &finding.attack {
            let id = id.trim();
            if id.is_empty() {
                continue;
            }
            let name = technique(id).map_or("not in the bundled ATT&CK table", |entry| entry.name);
            row("attack-technique", id.to_ascii_uppercase(), "", format!("MITRE ATT&CK: {name}"))?;
        }
    }
    let bytes = writer.into_inner().map_err(|error| error.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Prefixes a cell that a spreadsheet would read as a formula with `'`.
fn guard_formula(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_string(),
    }
}
