//! Fuzz target: a whole pcap or pcapng file through `read_capture`.
//!
//! The input is the file. The reader picks the format from the magic number, so one target
//! covers both formats, and the seed corpus contains files of each. Besides the absence of
//! panics, it checks the summary's contract: every frame ends as one observation or one
//! skipped count, and the sink got every observation the summary counts.

#![no_main]

use libfuzzer_sys::fuzz_target;
use scancase::capture::read_capture;
use scancase::model::Observation;

fuzz_target!(|data: &[u8]| {
    let mut observations: Vec<Observation> = Vec::new();
    let Ok(summary) = read_capture(data, &mut observations) else {
        return;
    };
    assert_eq!(summary.observations, observations.len() as u64, "observations counted but not pushed");
    assert_eq!(summary.records, summary.observations + summary.skipped_total(), "frame neither observed nor skipped");
    assert!(summary.first_ts_ns <= summary.last_ts_ns, "first time after last time");
});
