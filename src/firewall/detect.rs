//! Dialect detection from the first lines of a file.
//!
//! Each line of the head is offered to every dialect's recogniser. The dialect that recognises
//! the most lines wins, and a tie goes to the dialect listed first in [`LogDialect::ALL`]. Lines
//! of other programs in a mixed syslog file do not count for any dialect, so one firewall line
//! among many others is enough.

use super::{
    checkpoint, cisco_asa, filterlog, fortigate, juniper_srx, juniper_srx_text, mikrotik, netfilter, netfilter_journal,
    panos, panos_leef, pf_tcpdump, pfirewall, proxmox, sonicwall, sophos, suricata_eve, zeek_conn, LogDialect,
};

/// Returns true when `line` belongs to `dialect`.
fn recognises(dialect: LogDialect, line: &str) -> bool {
    match dialect {
        LogDialect::Netfilter => netfilter::is_netfilter_line(line),
        LogDialect::NetfilterJournalJson => netfilter_journal::is_journal_line(line),
        LogDialect::ProxmoxFirewall => proxmox::is_proxmox_line(line),
        LogDialect::PfsenseFilterlog => filterlog::is_filterlog_line(line),
        LogDialect::WindowsFirewall => pfirewall::is_pfirewall_line(line),
        LogDialect::CiscoAsa => cisco_asa::is_asa_line(line),
        LogDialect::ZeekConn => zeek_conn::is_zeek_conn_line(line),
        LogDialect::SuricataEve => suricata_eve::is_eve_line(line),
        LogDialect::PfTcpdump => pf_tcpdump::is_pf_line(line),
        LogDialect::Fortigate => fortigate::is_fortigate_line(line),
        LogDialect::PanosCsv => panos::is_panos_line(line),
        LogDialect::PanosLeef => panos_leef::is_leef_line(line),
        LogDialect::JuniperSrx => juniper_srx::is_srx_line(line),
        LogDialect::JuniperSrxText => juniper_srx_text::is_srx_text_line(line),
        LogDialect::Checkpoint => checkpoint::is_checkpoint_line(line),
        LogDialect::Sonicwall => sonicwall::is_sonicwall_line(line),
        LogDialect::Mikrotik => mikrotik::is_mikrotik_line(line),
        LogDialect::SophosXg => sophos::is_sophos_line(line),
    }
}

/// Returns the dialect most lines of `head` belong to.
pub(super) fn detect(head: &[u8]) -> Option<LogDialect> {
    let mut counts = [0_usize; LogDialect::ALL.len()];
    // The same line ends as the line reader's: LF, CRLF and a lone CR. A CRLF leaves an
    // empty piece between its two bytes, which counts as blank.
    for raw in head.split(|&byte| byte == b'\n' || byte == b'\r') {
        let text = String::from_utf8_lossy(raw);
        let line = text.as_ref();
        if line.trim().is_empty() {
            continue;
        }
        for (index, dialect) in LogDialect::ALL.iter().enumerate() {
            if recognises(*dialect, line) {
                counts[index] += 1;
            }
        }
    }
    let mut best: Option<(usize, LogDialect)> = None;
    for (index, dialect) in LogDialect::ALL.iter().enumerate() {
        let count = counts[index];
        if count > 0 && best.is_none_or(|(best_count, _)| count > best_count) {
            best = Some((count, *dialect));
        }
    }
    best.map(|(_, dialect)| dialect)
}
