//! Writes a large benchmark firewall log by replaying real netfilter LOG lines.
//!
//! Usage: `gen_fwlog OUTPUT LINES SEED BENIGN.log... -- SCAN.log...`
//!
//! The inputs are kernel LOG lines in RFC 3164 syslog form, as rsyslog writes them:
//! `Dec  4 19:33:31 vm kernel: [  630.450851] IPT-IN IN=eth0 ... SRC=... DST=... PROTO=TCP ...`.
//! The output has the same form and exactly LINES lines. It is built in rounds. Each round
//! interleaves, by time, [`BENIGN_PER_ROUND`] replays of the benign logs and one replay of a
//! scan log, taken in turn. Every replay moves its addresses to a fresh block (IPv4: a
//! 10.x.y.0/24, IPv6: a fd00:200:x::/48), so that each replay looks like other hosts. Times
//! are shifted so that rounds follow one another from [`START_SECONDS`] on: the header times
//! and kernel uptimes of the output never go back. The rest of each line is unchanged. The
//! result is deterministic for a given seed.
//!
//! Built with `rustc -O` and std only (see `fwlog_bench.sh`), so it needs no dependency.

use std::env;
use std::fs;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

/// Benign replays interleaved in every round.
const BENIGN_PER_ROUND: usize = 4;
/// Pause between the last line of a round and the first of the next, in microseconds. With
/// it, a million lines of the fixtures span about two days.
const ROUND_GAP_US: u64 = 300_000_000;
/// Maximum delay of a replay's first line after its round's start, in microseconds.
const MAX_REPLAY_DELAY_US: u64 = 120_000_000;
/// Time of the first line: 2026-11-29T00:00:00Z, in seconds since 1970. Both benchmark sizes
/// cross into December.
const START_SECONDS: u64 = 1_795_910_400;
/// Kernel uptime at [`START_SECONDS`], in microseconds.
const START_UPTIME_US: u64 = 600_000_000;
/// Maximum number of replays, because the address block number has 16 bits.
const MAX_REPLAYS: u64 = 1 << 16;
const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// One line of a sample log.
struct Line {
    /// Kernel uptime relative to the first line of the log, in microseconds.
    offset_us: u64,
    /// Hostname and program, for example `vm kernel:`.
    host_program: String,
    /// Everything after the uptime, without the leading space.
    message: String,
}

/// One sample log, its lines in file order.
struct Sample {
    lines: Vec<Line>,
    span_us: u64,
}

/// A line of a round, before it is written.
struct Pending<'a> {
    time_us: u64,
    replay: u64,
    line: &'a Line,
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("gen_fwlog: error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> io::Result<()> {
    let args: Vec<String> = env::args().skip(1).collect();
    let usage = || io::Error::other("usage: gen_fwlog OUTPUT LINES SEED BENIGN.log... -- SCAN.log...");
    let [output, line_count, seed, inputs @ ..] = args.as_slice() else {
        return Err(usage());
    };
    let target_lines = line_count.parse::<u64>().map_err(|_| usage())?;
    let mut random = SplitMix64(seed.parse::<u64>().map_err(|_| usage())?);
    let separator = inputs.iter().position(|arg| arg == "--").ok_or_else(usage)?;
    let benign = read_samples(&inputs[..separator])?;
    let scans = read_samples(&inputs[separator + 1..])?;
    if benign.is_empty() || scans.is_empty() {
        return Err(io::Error::other("at least one non-empty benign log and one non-empty scan log are required"));
    }

    let mut out = BufWriter::with_capacity(1 << 20, File::create(output)?);
    let mut written = 0u64;
    let mut replay = 0u64;
    let mut round = 0usize;
    let mut round_start_us = 0u64;
    while written < target_lines {
        let mut chosen: Vec<&Sample> =
            (0..BENIGN_PER_ROUND).map(|index| &benign[(round * BENIGN_PER_ROUND + index) % benign.len()]).collect();
        chosen.push(&scans[round % scans.len()]);

        let mut pending = Vec::new();
        let mut round_end_us = round_start_us;
        for sample in chosen {
            if replay >= MAX_REPLAYS {
                return Err(io::Error::other(format!("{target_lines} lines need more than {MAX_REPLAYS} replays (one address block each); request fewer lines")));
            }
            let start_us = round_start_us + random.next() % MAX_REPLAY_DELAY_US;
            round_end_us = round_end_us.max(start_us + sample.span_us);
            pending.extend(sample.lines.iter().map(|line| Pending {
                time_us: start_us + line.offset_us,
                replay,
                line,
            }));
            replay += 1;
        }
        // A stable sort keeps each replay's lines in file order when times are equal.
        pending.sort_by_key(|entry| entry.time_us);

        for entry in &pending {
            if written == target_lines {
                break;
            }
            write_line(&mut out, entry)?;
            written += 1;
        }
        round += 1;
        round_start_us = round_end_us + ROUND_GAP_US;
    }
    out.flush()?;
    eprintln!("gen_fwlog: {written} lines, {round} rounds, {replay} replays");
    Ok(())
}

/// Reads the given logs and skips empty ones.
fn read_samples(paths: &[String]) -> io::Result<Vec<Sample>> {
    let mut samples = Vec::new();
    for path in paths {
        let text = fs::read_to_string(path)?;
        let mut lines = Vec::new();
        let mut first_uptime_us = None;
        for (index, raw) in text.lines().enumerate() {
            let invalid = |reason: &str| io::Error::other(format!("{path}:{}: {reason}", index + 1));
            let (host_program, uptime_us, message) =
                split_line(raw).ok_or_else(|| invalid("expected `Mmm dd hh:mm:ss HOST kernel: [UPTIME] MESSAGE`"))?;
            let first = *first_uptime_us.get_or_insert(uptime_us);
            let offset_us = uptime_us.checked_sub(first).ok_or_else(|| invalid("kernel uptime goes back"))?;
            lines.push(Line { offset_us, host_program: host_program.to_owned(), message: message.to_owned() });
        }
        if let Some(last) = lines.last() {
            let span_us = last.offset_us;
            samples.push(Sample { lines, span_us });
        }
    }
    Ok(samples)
}

/// Splits a kernel line after its 15-byte RFC 3164 time into the hostname and program, the
/// kernel uptime in microseconds and the message.
fn split_line(line: &str) -> Option<(&str, u64, &str)> {
    let rest = line.get(15..)?.strip_prefix(' ')?;
    let open = rest.find(" [")?;
    let close = open + rest[open..].find("] ")?;
    let (seconds, fraction) = rest[open + 2..close].trim_start().split_once('.')?;
    if fraction.len() != 6 {
        return None;
    }
    let uptime_us = seconds.parse::<u64>().ok()? * 1_000_000 + fraction.parse::<u64>().ok()?;
    Some((&rest[..open], uptime_us, &rest[close + 2..]))
}

/// Writes one line with its new time, uptime and addresses.
fn write_line(out: &mut impl Write, entry: &Pending) -> io::Result<()> {
    let seconds = START_SECONDS + entry.time_us / 1_000_000;
    let (month, day, hour, minute, second) = civil_time(seconds);
    let uptime_us = START_UPTIME_US + entry.time_us;
    write!(
        out,
        "{} {day:>2} {hour:02}:{minute:02}:{second:02} {} [{:>5}.{:06}] ",
        MONTHS[month - 1],
        entry.line.host_program,
        uptime_us / 1_000_000,
        uptime_us % 1_000_000
    )?;
    write_message(out, &entry.line.message, entry.replay)?;
    out.write_all(b"\n")
}

/// Writes the message with every `SRC=` and `DST=` address moved to the replay's block. This
/// includes the addresses of a packet that an ICMP error quotes in brackets.
fn write_message(out: &mut impl Write, message: &str, replay: u64) -> io::Result<()> {
    let mut rest = message;
    while let Some(position) = find_address_key(rest) {
        let value_start = position + 4;
        let value_end = rest[value_start..].find([' ', ']']).map_or(rest.len(), |end| value_start + end);
        out.write_all(&rest.as_bytes()[..value_start])?;
        write_address(out, &rest[value_start..value_end], replay)?;
        rest = &rest[value_end..];
    }
    out.write_all(rest.as_bytes())
}

/// Returns the position of the next `SRC=` or `DST=` that starts a field.
fn find_address_key(text: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(found) = text[from..].find('=').map(|index| from + index) {
        if found >= 3 {
            let key = &text[found - 3..found];
            let starts_field = found == 3 || matches!(text.as_bytes()[found - 4], b' ' | b'[');
            if (key == "SRC" || key == "DST") && starts_field {
                return Some(found - 3);
            }
        }
        from = found + 1;
    }
    None
}

/// Writes an address moved to the replay's block, keeping its host part: the last octet of
/// an IPv4 address, the last group of an IPv6 address in the kernel's full form
/// (`fd00:0200:0000:0000:0000:0000:0000:0010`). Other values are written unchanged.
fn write_address(out: &mut impl Write, address: &str, replay: u64) -> io::Result<()> {
    let octets: Vec<&str> = address.split('.').collect();
    if octets.len() == 4 && octets.iter().all(|octet| octet.parse::<u8>().is_ok()) {
        return write!(out, "10.{}.{}.{}", replay >> 8, replay & 0xff, octets[3]);
    }
    let groups: Vec<&str> = address.split(':').collect();
    if groups.len() == 8 && groups.iter().all(|group| group.len() == 4) {
        return write!(out, "fd00:0200:{replay:04x}:0000:0000:0000:0000:{}", groups[7]);
    }
    out.write_all(address.as_bytes())
}

/// Converts seconds since 1970 (UTC) to month, day, hour, minute and second, using the
/// days-to-civil-date conversion of the proleptic Gregorian calendar.
fn civil_time(seconds: u64) -> (usize, u64, u64, u64, u64) {
    let days = seconds / 86_400;
    let time_of_day = seconds % 86_400;
    // Days since 0000-03-01, so that the leap day ends each 4-year cycle.
    let shifted = days + 719_468;
    let era = shifted / 146_097;
    let day_of_era = shifted - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 { month_from_march + 3 } else { month_from_march - 9 };
    (month as usize, day, time_of_day / 3600, time_of_day % 3600 / 60, time_of_day % 60)
}

/// SplitMix64, a small seeded generator for the replay delays.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}
