//! Year-less syslog times placed in a year and a zone, line after line.
//!
//! An RFC 3164 time ([`YearLessTime`]) has neither year nor zone: [`LocalTimeResolver`] converts
//! it to UTC with the zone and reference year of a [`TimeContext`]. A local time that has a year
//! but no zone (Cisco's `Mon DD YYYY HH:MM:SS`, `pfirewall.log`) is converted in the zone alone,
//! with the same daylight-saving rules.
//!
//! Year inference. With [`ReferenceYear::Explicit`] the first year-less line is in that year.
//! With [`ReferenceYear::FileModified`] it gets the latest year that puts it no later than the
//! modification time plus [`REFERENCE_SLACK_SECONDS`], so lines slightly ahead of the file's
//! time are not pushed back a year. Each later line keeps the previous line's year unless its
//! month is earlier than the previous line's month (December to January), in which case the year
//! advances by one. A step back of at most [`MAX_OUT_OF_ORDER_SECONDS`] is read as lines
//! delivered out of order and keeps the year.
//!
//! Daylight saving time. A local time that occurs twice (clock set back) is read with the earlier
//! UTC instant, unless the previous year-less line is already later than that instant. Then the
//! later instant is used, so a log written through the repeated hour stays in order. A local
//! time that does not exist (clock set forward) is read with the UTC offset in force before the
//! change, as a clock that had not yet been set forward would write it, and the line gets an
//! anomaly.

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDateTime, Offset, SecondsFormat, TimeZone, Timelike, Utc,
};
use chrono_tz::Tz;

use super::syslog_header::{HeaderTime, YearLessTime};
use super::{ReferenceYear, TimeContext};
use crate::model::TimestampNs;

/// How far the first year-less line may lie after the file's modification time and still be
/// placed in that time's year, in seconds. One day covers any UTC offset (at most 14 hours) plus
/// clock skew between the logging host and the file system.
pub const REFERENCE_SLACK_SECONDS: i64 = 24 * 3600;

/// How far a line may step back in local time across a month boundary and still be read as the
/// same year, in seconds. Syslog relays can deliver lines slightly out of order, while a real
/// turn of the year steps back about eleven months.
pub const MAX_OUT_OF_ORDER_SECONDS: i64 = 24 * 3600;

/// How many years before the reference the search for the first line's year goes. A 29 February
/// can be eight years away from the previous one (1896 to 1904).
const MAX_YEARS_BACK: i32 = 8;

const NANOS_PER_SECOND: i64 = 1_000_000_000;

/// A year-less time converted to UTC, with a note when the reading needed a choice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ResolvedTime {
    pub ts_ns: TimestampNs,
    pub note: Option<String>,
}

/// The year reached so far while reading a file.
#[derive(Debug, Clone, Copy)]
struct YearState {
    year: i32,
    previous: YearLessTime,
    previous_ts_ns: TimestampNs,
}

/// Places year-less local times in years and converts them to UTC, line after line.
#[derive(Debug)]
pub(super) struct LocalTimeResolver {
    zone: Tz,
    reference: ReferenceYear,
    first_year: Option<i32>,
    state: Option<YearState>,
    /// True once a zone-less time with a year was read in the zone.
    has_zone_less_times: bool,
    /// UTC time of the previous zone-less time with a year, for repeated hours.
    previous_local_ts_ns: Option<TimestampNs>,
    /// UTC time of the start of the previous year-less line's second, when the zone gave that
    /// second one UTC offset. Lines of the same second then need no zone look-up.
    previous_second_utc_ns: Option<TimestampNs>,
}

impl LocalTimeResolver {
    /// Creates a resolver for one file.
    pub(super) fn new(time: &TimeContext) -> Self {
        Self {
            zone: time.zone,
            reference: time.reference,
            first_year: None,
            state: None,
            has_zone_less_times: false,
            previous_local_ts_ns: None,
            previous_second_utc_ns: None,
        }
    }

    /// Converts a syslog header time to UTC: an RFC 3339 time as it is, a zone-less time in the
    /// zone, and a year-less time by [`Self::resolve`].
    pub(super) fn resolve_header(&mut self, time: HeaderTime) -> Result<ResolvedTime, String> {
        match time {
            HeaderTime::Utc(ts_ns) => Ok(ResolvedTime { ts_ns, note: None }),
            HeaderTime::YearLess(stamp) => self.resolve(stamp),
            HeaderTime::Local(local) => self.resolve_local(local),
        }
    }

    /// Converts a zone-less local time that has a year to UTC in the zone.
    pub(super) fn resolve_local(&mut self, local: NaiveDateTime) -> Result<ResolvedTime, String> {
        self.has_zone_less_times = true;
        let previous_ts_ns = self.previous_local_ts_ns;
        let resolved = self.to_utc(local, previous_ts_ns)?;
        self.previous_local_ts_ns = Some(resolved.ts_ns);
        Ok(resolved)
    }

    /// Places the next year-less line's time and converts it to UTC.
    pub(super) fn resolve(&mut self, stamp: YearLessTime) -> Result<ResolvedTime, String> {
        if let (Some(state), Some(second_utc_ns)) = (self.state, self.previous_second_utc_ns) {
            // The same second as the previous line: same month, so the same year, and the
            // same single UTC offset.
            if same_second(state.previous, stamp) {
                let ts_ns = second_utc_ns + i64::from(stamp.time.nanosecond());
                self.state = Some(YearState { previous: stamp, previous_ts_ns: ts_ns, ..state });
                return Ok(ResolvedTime { ts_ns, note: None });
            }
        }
        let (year, previous_ts_ns) = match self.state {
            None => (self.first_line_year(stamp)?, None),
            Some(state) if turns_year(state.previous, stamp) => (state.year + 1, Some(state.previous_ts_ns)),
            Some(state) => (state.year, Some(state.previous_ts_ns)),
        };
        let local = stamp
            .in_year(year)
            .ok_or_else(|| format!("29 February does not exist in {year}, the year inferred for this line"))?;
        let (resolved, has_one_offset) = self.to_utc_with_kind(local, previous_ts_ns)?;
        self.previous_second_utc_ns = has_one_offset.then(|| resolved.ts_ns - i64::from(stamp.time.nanosecond()));
        self.first_year.get_or_insert(year);
        self.state = Some(YearState { year, previous: stamp, previous_ts_ns: resolved.ts_ns });
        Ok(resolved)
    }

    /// Returns the year of the first line, from the reference year.
    ///
    /// NOTE: only the first line is placed against the modification time, because the file is
    /// read once. A log that spans a turn of the year can therefore end after that time.
    fn first_line_year(&self, stamp: YearLessTime) -> Result<i32, String> {
        let modified = match self.reference {
            ReferenceYear::Explicit(year) => return Ok(year),
            ReferenceYear::FileModified(modified) => modified,
        };
        let limit_ns = modified
            .timestamp_nanos_opt()
            .and_then(|ns| ns.checked_add(REFERENCE_SLACK_SECONDS * NANOS_PER_SECOND))
            .ok_or_else(|| format!("file modification time {modified} is outside the supported range"))?;
        let newest = modified.year() + 1;
        for year in (newest - MAX_YEARS_BACK..=newest).rev() {
            let Some(local) = stamp.in_year(year) else {
                continue;
            };
            match self.to_utc(local, None) {
                Ok(resolved) if resolved.ts_ns <= limit_ns => return Ok(year),
                _ => {}
            }
        }
        Err(format!("no year up to {MAX_YEARS_BACK} years before the file modification time {modified} fits this line"))
    }

    /// Converts a local time in the zone to UTC, choosing as the module doc describes.
    fn to_utc(&self, local: NaiveDateTime, previous_ts_ns: Option<TimestampNs>) -> Result<ResolvedTime, String> {
        self.to_utc_with_kind(local, previous_ts_ns).map(|(resolved, _)| resolved)
    }

    /// Converts like [`Self::to_utc`] and also returns true when the zone has exactly one UTC
    /// offset for the local time.
    fn to_utc_with_kind(
        &self,
        local: NaiveDateTime,
        previous_ts_ns: Option<TimestampNs>,
    ) -> Result<(ResolvedTime, bool), String> {
        let out_of_range = || format!("local time {local} is outside the supported range");
        match self.zone.from_local_datetime(&local) {
            LocalResult::Single(instant) => {
                let ts_ns = instant.timestamp_nanos_opt().ok_or_else(out_of_range)?;
                Ok((ResolvedTime { ts_ns, note: None }, true))
            }
            LocalResult::Ambiguous(earlier, later) => {
                let earlier_ns = earlier.timestamp_nanos_opt().ok_or_else(out_of_range)?;
                let later_ns = later.timestamp_nanos_opt().ok_or_else(out_of_range)?;
                let after_previous = previous_ts_ns.is_some_and(|previous| previous > earlier_ns);
                let ts_ns = if after_previous { later_ns } else { earlier_ns };
                Ok((ResolvedTime { ts_ns, note: None }, false))
            }
            LocalResult::None => {
                // The offset a day earlier is the one in force before the clock was set forward.
                let no_offset = || format!("no UTC offset is known for {local} in {}", self.zone);
                let day_before = local.checked_sub_signed(Duration::days(1)).ok_or_else(no_offset)?;
                let offset = self.zone.offset_from_local_datetime(&day_before).earliest().ok_or_else(no_offset)?.fix();
                let utc = local
                    .checked_sub_signed(Duration::seconds(i64::from(offset.local_minus_utc())))
                    .ok_or_else(out_of_range)?;
                let ts_ns = utc.and_utc().timestamp_nanos_opt().ok_or_else(out_of_range)?;
                let note = format!(
                    "local time {local} does not exist in {} (clock set forward); \
                     read with the UTC offset in force before the change, {offset}",
                    self.zone
                );
                Ok((ResolvedTime { ts_ns, note: Some(note) }, false))
            }
        }
    }

    /// Returns one sentence on how year-less times were read, or `None` when there were none.
    pub(super) fn assumption(&self) -> Option<String> {
        let zone_less = self
            .has_zone_less_times
            .then(|| format!("Times without a UTC offset were read as {} local time.", self.zone));
        let Some(first) = self.first_year else {
            return zone_less;
        };
        let last = self.state.map_or(first, |state| state.year);
        let years = if last == first { format!("{first}") } else { format!("{first} to {last}") };
        let start = match self.reference {
            ReferenceYear::Explicit(year) => format!("the given year {year}"),
            ReferenceYear::FileModified(modified) => format!(
                "the latest year that puts the first line no later than the file modification time {} plus {} hours",
                format_utc(modified),
                REFERENCE_SLACK_SECONDS / 3600
            ),
        };
        let year_less = format!(
            "Year-less syslog times were read as {} local time in {years}, starting in {start} \
             and advancing the year each time the month goes back.",
            self.zone
        );
        Some(match zone_less {
            Some(zone_less) => format!("{year_less} {zone_less}"),
            None => year_less,
        })
    }
}

/// Returns true when two year-less times fall in the same whole second.
fn same_second(previous: YearLessTime, next: YearLessTime) -> bool {
    previous.month == next.month
        && previous.day == next.day
        && previous.time.num_seconds_from_midnight() == next.time.num_seconds_from_midnight()
}

/// Returns true when `next` follows `previous` across a turn of the year.
fn turns_year(previous: YearLessTime, next: YearLessTime) -> bool {
    if next.month >= previous.month {
        return false;
    }
    match (previous.in_leap_year(), next.in_leap_year()) {
        (Some(previous), Some(next)) => (previous - next).num_seconds() > MAX_OUT_OF_ORDER_SECONDS,
        _ => true,
    }
}

fn format_utc(instant: DateTime<Utc>) -> String {
    instant.to_rfc3339_opts(SecondsFormat::Secs, true)
}
