//! The `proxmox-firewall` dialect: Proxmox VE's `/var/log/pve-firewall.log`.
//!
//! `pvefw-logger` writes one line per logged packet without a syslog header:
//! `VMID LEVEL CHAIN DD/Mon/YYYY:HH:MM:SS +ZZZZ ACTION: IN=... SRC=...`, for example
//! `0 3 PVEFW-HOST-IN 20/Jun/2022:13:09:14 +0200 policy DROP: IN=vmbr0.94 MAC=... SRC=...`.
//! The VMID is 0 for the host. The time carries its UTC offset. The text between the time and
//! the packet dump (`ACCEPT:`, `REJECT:`, `policy DROP:`, or nothing) gives the action by the
//! netfilter prefix table. The dump is the kernel's and starts at `IN=`, `OUT=` or `SRC=`:
//! unlike kernel LOG lines, host lines may lack `IN=` or `OUT=`. The observation's rule is the chain and that text, such as
//! `PVEFW-HOST-IN policy DROP`.

use chrono::DateTime;

use super::netfilter::{packet_outcome, LogText};
use super::outcome::{DialectReader, LineOutcome};
use super::LogDialect;
use crate::model::Locator;

/// Skip reason for lines that are not pve-firewall packet lines.
pub const SKIP_NOT_PROXMOX: &str = "not a pve-firewall packet line";
/// Skip reason for pve-firewall packet lines that could not be read. Each is also an anomaly.
pub const SKIP_INVALID_PROXMOX: &str = "invalid pve-firewall line";

/// The parts of one line before the packet dump.
struct LineHead<'a> {
    chain: &'a str,
    time: &'a str,
    action: &'a str,
    body: &'a str,
}

/// Splits a line into its head fields and the packet dump starting at `IN=`.
fn split_line(line: &str) -> Option<LineHead<'_>> {
    let mut words = line.splitn(6, ' ');
    let vmid = words.next()?;
    let level = words.next()?;
    let chain = words.next()?;
    let date = words.next()?;
    let offset = words.next()?;
    let rest = words.next()?;
    let is_number = |word: &str| !word.is_empty() && word.bytes().all(|byte| byte.is_ascii_digit());
    if !is_number(vmid) || !is_number(level) || date.len() < 20 || !offset.starts_with(['+', '-']) {
        return None;
    }
    let body_start = ["IN=", "OUT=", "SRC="].iter().filter_map(|key| body_position(rest, key)).min()?;
    let time_len = date.len() + 1 + offset.len();
    let time_start = vmid.len() + level.len() + chain.len() + 3;
    Some(LineHead {
        chain,
        time: &line[time_start..time_start + time_len],
        action: rest[..body_start].trim().trim_end_matches(':'),
        body: &rest[body_start..],
    })
}

/// Returns the position of the word that starts with `key` in `text`.
fn body_position(text: &str, key: &str) -> Option<usize> {
    if text.starts_with(key) {
        return Some(0);
    }
    text.find(&format!(" {key}")).map(|position| position + 1)
}

/// Returns true when `line` is a pve-firewall packet line.
pub(super) fn is_proxmox_line(line: &str) -> bool {
    split_line(line).is_some_and(|head| DateTime::parse_from_str(head.time, "%d/%b/%Y:%H:%M:%S %z").is_ok())
}

/// Reader of the `proxmox-firewall` dialect.
pub(super) struct ProxmoxReader;

impl DialectReader for ProxmoxReader {
    fn dialect(&self) -> LogDialect {
        LogDialect::ProxmoxFirewall
    }

    fn read_line(&mut self, line: &str, locator: Locator) -> LineOutcome {
        let Some(head) = split_line(line) else {
            return LineOutcome::Skipped(SKIP_NOT_PROXMOX);
        };
        let time = match DateTime::parse_from_str(head.time, "%d/%b/%Y:%H:%M:%S %z") {
            Ok(time) => time,
            Err(error) => return LineOutcome::Invalid(format!("invalid time {:?}: {error}", head.time)),
        };
        let Some(ts_ns) = time.timestamp_nanos_opt() else {
            return LineOutcome::Invalid(format!("time {:?} is outside the supported range", head.time));
        };
        let rule = format!("{} {}", head.chain, head.action);
        let rule = rule.trim_end();
        packet_outcome(LogText { prefix: rule, body: head.body }, ts_ns, None, locator)
    }

    fn invalid_reason(&self) -> &'static str {
        SKIP_INVALID_PROXMOX
    }

    fn time_assumption(&self) -> Option<String> {
        None
    }
}
