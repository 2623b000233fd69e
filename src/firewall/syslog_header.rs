//! Syslog line headers: the timestamp at the start of a line and the text after it.
//!
//! Three header forms are read, each optionally behind a `<PRI>` part:
//!
//! - RFC 3164 (traditional BSD syslog, `journalctl -o short` and `short-precise`):
//!   `Dec  4 19:35:42 host kernel: ...`. The day is padded with a space or a zero, seconds may
//!   carry a fraction, and there is no year and no zone. Cisco devices insert a year and end the
//!   time with a colon: `Oct 04 2019 15:27:55: %ASA-...`.
//! - RFC 3339 (rsyslog's high-precision template, `journalctl -o short-iso`):
//!   `2026-12-04T19:35:42.551158+00:00 host kernel: ...`. The offset may be written `Z`,
//!   `+01:00`, `+0100` or `+01`, and the fraction has 0 to 9 digits (further digits, below
//!   one nanosecond, are ignored).
//! - RFC 5424: `<134>1 2025-11-06T11:32:42.868451+00:00 host app procid msgid [sd] message`,
//!   read in `syslog_rfc5424.rs`.
//!
//! An RFC 3339 time is absolute and is converted to UTC here. An RFC 3164 time is a *year-less*
//! (or, with the Cisco year, a *zone-less*) local wall-clock time, which [`super::syslog_time`]
//! places in a year and a zone.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Timelike};

use crate::model::TimestampNs;

const NANOS_PER_SECOND: i64 = 1_000_000_000;

const MONTH_NAMES: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// A syslog header time as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum HeaderTime {
    /// An RFC 3339 time, converted to UTC.
    Utc(TimestampNs),
    /// An RFC 3164 local time without a year.
    YearLess(YearLessTime),
    /// A local time with a year but without a zone.
    Local(NaiveDateTime),
}

/// An RFC 3164 local time. The day is valid for the month in a leap year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct YearLessTime {
    pub month: u32,
    pub day: u32,
    pub time: NaiveTime,
}

impl YearLessTime {
    /// Returns the local date and time in `year`, or `None` for 29 February of a common year.
    pub(super) fn in_year(self, year: i32) -> Option<NaiveDateTime> {
        NaiveDate::from_ymd_opt(year, self.month, self.day).map(|date| date.and_time(self.time))
    }

    /// Returns the local date and time in the leap year 2000, which every valid value has.
    pub(super) fn in_leap_year(self) -> Option<NaiveDateTime> {
        self.in_year(2000)
    }
}

/// A parsed syslog header: the time and the text after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct SyslogHeader<'a> {
    pub time: HeaderTime,
    /// For RFC 3164 and RFC 3339 headers the host, tag and message; for RFC 5424 the message.
    pub rest: &'a str,
    /// The header fields of an RFC 5424 line.
    pub rfc5424: Option<Rfc5424Fields<'a>>,
}

/// Header fields of an RFC 5424 line; `None` where the line has the nil value `-`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Rfc5424Fields<'a> {
    pub hostname: Option<&'a str>,
    pub app_name: Option<&'a str>,
}

/// The host, program and message of an RFC 3164 or RFC 3339 line after its time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct TaggedMessage<'a> {
    pub host: Option<&'a str>,
    /// The tag without its `[pid]` and colon; `None` when the line has no tag.
    pub program: Option<&'a str>,
    pub message: &'a str,
}

/// Splits `host tag: message`, `tag: message`, `host : message` and `host message`.
///
/// A tag is a word that ends with a colon, optionally with a `[pid]` before the colon.
pub(super) fn split_tag(rest: &str) -> TaggedMessage<'_> {
    let rest = rest.trim_start_matches([' ', ':']);
    let is_tag = |word: &str| word.len() > 1 && word.ends_with(':');
    let (first, after_first) = rest.split_once(' ').unwrap_or((rest, ""));
    if is_tag(first) {
        let program = first.trim_end_matches(':');
        return TaggedMessage { host: None, program: Some(strip_pid(program)), message: after_first.trim_start() };
    }
    let after_first = after_first.trim_start();
    let (second, after_second) = after_first.split_once(' ').unwrap_or((after_first, ""));
    if second == ":" {
        return TaggedMessage { host: Some(first), program: None, message: after_second.trim_start() };
    }
    if is_tag(second) {
        let program = second.trim_end_matches(':');
        return TaggedMessage {
            host: Some(first),
            program: Some(strip_pid(program)),
            message: after_second.trim_start(),
        };
    }
    TaggedMessage { host: Some(first), program: None, message: after_first }
}

/// Removes a `[pid]` suffix from a syslog tag.
fn strip_pid(tag: &str) -> &str {
    match tag.find('[') {
        Some(open) if tag.ends_with(']') => &tag[..open],
        _ => tag,
    }
}

/// Parses the timestamp at the start of a syslog line.
///
/// Returns an error message when the line does not start with an RFC 3164 or RFC 3339 time or
/// when the time's values are invalid.
pub(super) fn parse_header(line: &str) -> Result<SyslogHeader<'_>, String> {
    let line = strip_priority(line);
    if let Some(after_version) = super::syslog_rfc5424::strip_version(line) {
        return super::syslog_rfc5424::parse_after_version(after_version);
    }
    let (time, consumed) = if looks_like_rfc3339(line) {
        let (ts_ns, consumed) = parse_rfc3339(line)?;
        (HeaderTime::Utc(ts_ns), consumed)
    } else {
        parse_rfc3164(line)?
    };
    header_after_time(line, time, consumed)
}

/// A reader of syslog headers that remembers the last RFC 3164 time it read, by its text.
///
/// The lines of a scan share their second: 98 % of the lines of the 1 million line benchmark
/// log start with the same time as the line before. A time whose text and the byte after it
/// equal the last one's is taken from memory instead of being read again. That took 7 % off
/// the parsing thread's instructions (callgrind, 100,000-line benchmark log). Reading an
/// RFC 3164 time looks at no byte beyond the one after its text, so the result is the same as
/// [`parse_header`]'s.
#[derive(Debug, Default)]
pub(super) struct HeaderReader {
    last: Option<LastTime>,
}

/// The last RFC 3164 time read: its text, the byte after it, and its value.
#[derive(Debug)]
struct LastTime {
    text: String,
    next: Option<u8>,
    time: HeaderTime,
}

impl HeaderReader {
    /// Parses the header of `line` as [`parse_header`] does.
    pub(super) fn parse<'a>(&mut self, whole_line: &'a str) -> Result<SyslogHeader<'a>, String> {
        let line = strip_priority(whole_line);
        if let Some(time) = self.remembered(line) {
            let consumed = self.last.as_ref().map_or(0, |last| last.text.len());
            return header_after_time(line, time, consumed);
        }
        if super::syslog_rfc5424::strip_version(line).is_some() || looks_like_rfc3339(line) {
            return parse_header(whole_line);
        }
        let (time, consumed) = parse_rfc3164(line)?;
        let next = line.as_bytes().get(consumed).copied();
        self.last = Some(LastTime { text: line[..consumed].to_string(), next, time });
        header_after_time(line, time, consumed)
    }

    /// Returns the last time when `line` starts with its text followed by the same byte.
    fn remembered(&self, line: &str) -> Option<HeaderTime> {
        let last = self.last.as_ref()?;
        let bytes = line.as_bytes();
        let same = bytes.starts_with(last.text.as_bytes()) && bytes.get(last.text.len()).copied() == last.next;
        same.then_some(last.time)
    }
}

/// Returns true when `line` starts like an RFC 3339 time: four digits and a hyphen.
fn looks_like_rfc3339(line: &str) -> bool {
    let bytes = line.as_bytes();
    bytes.len() > 4 && bytes[..4].iter().all(u8::is_ascii_digit) && bytes[4] == b'-'
}

/// Returns the header of `line` whose time, `consumed` bytes long, has been read.
fn header_after_time(line: &str, time: HeaderTime, consumed: usize) -> Result<SyslogHeader<'_>, String> {
    let mut rest = &line[consumed..];
    if matches!(time, HeaderTime::Local(_)) {
        // Cisco writes a colon after a time with a year.
        rest = rest.strip_prefix(':').unwrap_or(rest);
    }
    if !rest.is_empty() && !rest.starts_with(' ') {
        return Err(format!("unexpected text right after the syslog time: {:?}", head(rest)));
    }
    Ok(SyslogHeader { time, rest: rest.trim_start_matches(' '), rfc5424: None })
}

/// Removes an RFC 3164 `<PRI>` part (1 to 3 digits in angle brackets), which some receivers keep.
fn strip_priority(line: &str) -> &str {
    let Some(inner) = line.strip_prefix('<') else {
        return line;
    };
    match inner.split_once('>') {
        Some((digits, rest)) if (1..=3).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) => rest,
        _ => line,
    }
}

/// Returns the first characters of `text`, for error messages.
pub(super) fn head(text: &str) -> &str {
    let end = text.char_indices().nth(24).map_or(text.len(), |(index, _)| index);
    &text[..end]
}

/// A position in a header being parsed.
struct Cursor<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn new(text: &'a str) -> Self {
        Self { text, pos: 0 }
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn eat(&mut self, byte: u8) -> bool {
        let matched = self.peek() == Some(byte);
        if matched {
            self.pos += 1;
        }
        matched
    }

    fn expect(&mut self, byte: u8, expected: &str) -> Result<(), String> {
        if self.eat(byte) {
            Ok(())
        } else {
            Err(format!("invalid syslog time {:?}: expected {expected}", head(self.text)))
        }
    }

    /// Reads `min` to `max` ASCII digits as a number.
    fn number(&mut self, min: usize, max: usize, field: &str) -> Result<u32, String> {
        let start = self.pos;
        while self.pos - start < max && self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
        let digits = &self.text[start..self.pos];
        if digits.len() < min {
            return Err(format!("invalid syslog time {:?}: expected {field}", head(self.text)));
        }
        digits.parse().map_err(|_| format!("invalid {field} {digits:?} in syslog time"))
    }

    /// Reads an optional `.fraction` as nanoseconds, ignoring digits beyond the ninth.
    fn fraction_nanos(&mut self) -> Result<u32, String> {
        if !self.eat(b'.') {
            return Ok(0);
        }
        let mut nanos: u32 = 0;
        let mut digits = 0;
        while let Some(byte) = self.peek().filter(u8::is_ascii_digit) {
            if digits < 9 {
                nanos = nanos * 10 + u32::from(byte - b'0');
            }
            digits += 1;
            self.pos += 1;
        }
        if digits == 0 {
            return Err(format!("invalid syslog time {:?}: no digits after '.'", head(self.text)));
        }
        for _ in digits..9 {
            nanos *= 10;
        }
        Ok(nanos)
    }

    /// Reads `HH:MM:SS[.fraction]`.
    fn clock_time(&mut self) -> Result<NaiveTime, String> {
        let hour = self.number(2, 2, "hour")?;
        self.expect(b':', "':' after the hour")?;
        let minute = self.number(2, 2, "minute")?;
        self.expect(b':', "':' after the minute")?;
        let second = self.number(2, 2, "second")?;
        let nanos = self.fraction_nanos()?;
        NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)
            .ok_or_else(|| format!("invalid time of day {hour:02}:{minute:02}:{second:02} in syslog time"))
    }
}

/// Parses `Mon DD [YYYY] HH:MM:SS[.fraction]` and returns it with the number of bytes read.
fn parse_rfc3164(line: &str) -> Result<(HeaderTime, usize), String> {
    let name = line.get(..3).unwrap_or("");
    let Some(month_index) = MONTH_NAMES.iter().position(|month| month.eq_ignore_ascii_case(name)) else {
        return Err(
            "the line does not start with an RFC 3164 or RFC 3339 syslog time, so it has no wall-clock time".into()
        );
    };
    let mut cursor = Cursor::new(line);
    cursor.pos = 3;
    cursor.expect(b' ', "a space after the month")?;
    cursor.eat(b' ');
    let day = cursor.number(1, 2, "day of month")?;
    cursor.expect(b' ', "a space after the day")?;
    let bytes = line.as_bytes();
    let has_year = bytes.len() > cursor.pos + 4
        && bytes[cursor.pos..cursor.pos + 4].iter().all(u8::is_ascii_digit)
        && bytes[cursor.pos + 4] == b' ';
    let year = if has_year {
        let year = cursor.number(4, 4, "year")?;
        cursor.expect(b' ', "a space after the year")?;
        Some(year)
    } else {
        None
    };
    let time = cursor.clock_time()?;
    let month = month_index as u32 + 1;
    let stamp = YearLessTime { month, day, time };
    let header_time = match year {
        // The year has four digits, so the cast cannot wrap.
        Some(year) => HeaderTime::Local(
            stamp.in_year(year as i32).ok_or_else(|| format!("invalid date {name} {day} {year} in syslog time"))?,
        ),
        None if stamp.in_leap_year().is_none() => return Err(format!("invalid date {name} {day} in syslog time")),
        None => HeaderTime::YearLess(stamp),
    };
    Ok((header_time, cursor.pos))
}

/// Parses an RFC 3339 time and returns it in UTC nanoseconds with the number of bytes read.
pub(super) fn parse_rfc3339(line: &str) -> Result<(TimestampNs, usize), String> {
    let mut cursor = Cursor::new(line);
    let year = cursor.number(4, 4, "year")?;
    cursor.expect(b'-', "'-' after the year")?;
    let month = cursor.number(2, 2, "month")?;
    cursor.expect(b'-', "'-' after the month")?;
    let day = cursor.number(2, 2, "day")?;
    if !(cursor.eat(b'T') || cursor.eat(b't')) {
        return Err(format!("invalid syslog time {:?}: expected 'T'", head(line)));
    }
    let time = cursor.clock_time()?;
    let offset_seconds = parse_offset(&mut cursor)?;

    // The year has four digits, so the cast cannot wrap.
    let date = NaiveDate::from_ymd_opt(year as i32, month, day)
        .ok_or_else(|| format!("invalid date {year:04}-{month:02}-{day:02} in syslog time"))?;
    let local_seconds = date.and_time(time).and_utc().timestamp();
    let ts_ns = (local_seconds - offset_seconds)
        .checked_mul(NANOS_PER_SECOND)
        .and_then(|ns| ns.checked_add(i64::from(time.nanosecond())))
        .ok_or_else(|| format!("syslog time {:?} is outside the supported range", head(line)))?;
    Ok((ts_ns, cursor.pos))
}

/// Reads `Z`, `+HH:MM`, `+HHMM` or `+HH` (or `-`) and returns the offset east of UTC in seconds.
fn parse_offset(cursor: &mut Cursor<'_>) -> Result<i64, String> {
    if cursor.eat(b'Z') || cursor.eat(b'z') {
        return Ok(0);
    }
    let sign = if cursor.eat(b'+') {
        1
    } else if cursor.eat(b'-') {
        -1
    } else {
        return Err(format!("syslog time {:?} has no UTC offset", head(cursor.text)));
    };
    let hours = cursor.number(2, 2, "offset hours")?;
    let minutes = if cursor.eat(b':') || cursor.peek().is_some_and(|b| b.is_ascii_digit()) {
        cursor.number(2, 2, "offset minutes")?
    } else {
        0
    };
    if hours > 23 || minutes > 59 {
        return Err(format!("invalid UTC offset {hours:02}:{minutes:02} in syslog time"));
    }
    Ok(sign * i64::from(hours * 3600 + minutes * 60))
}
