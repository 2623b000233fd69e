//! The syslog header reader that remembers the last time must read every line as
//! `parse_header` does, whatever came before it.

use std::path::{Path, PathBuf};

use crate::firewall::syslog_header::{parse_header, HeaderReader};

/// Returns every log file under the given folders, compressed ones left out.
fn log_files(folders: &[PathBuf]) -> Vec<PathBuf> {
    let mut pending = folders.to_vec();
    let mut files = Vec::new();
    while let Some(path) = pending.pop() {
        if path.is_dir() {
            pending.extend(std::fs::read_dir(&path).expect("folder").map(|entry| entry.expect("entry").path()));
        } else if path.extension().is_none_or(|extension| extension != "gz") {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// Reads `lines` in order with one reader and checks each result against `parse_header`.
/// Returns how many lines had a valid header.
fn check_in_order(lines: &[String]) -> usize {
    let mut reader = HeaderReader::default();
    let mut valid = 0;
    for line in lines {
        let remembered = reader.parse(line);
        assert_eq!(remembered, parse_header(line), "{line:?}");
        valid += usize::from(remembered.is_ok());
    }
    valid
}

#[test]
fn fixture_logs_read_as_parse_header() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut valid = 0;
    for file in log_files(&[root.join("fixtures/fwlog"), root.join("fixtures/samples/fwlog")]) {
        let text = String::from_utf8_lossy(&std::fs::read(&file).expect("log")).into_owned();
        let lines: Vec<String> = text.lines().map(str::to_string).collect();
        valid += check_in_order(&lines);
    }
    assert!(valid > 10_000, "{valid} lines with a valid header");
}

/// Lines that start with the text of the line before and differ right after it, or in a
/// byte the time reading looks at, read as `parse_header` reads them.
#[test]
fn changed_times_after_same_text() {
    let pairs = [
        ("Dec  4 19:35:42 vm kernel: a", "Dec  4 19:35:42.5 vm kernel: a"),
        ("Dec  4 19:35:42.5 vm kernel: a", "Dec  4 19:35:42.51 vm kernel: a"),
        ("Dec  4 19:35:42 vm kernel: a", "Dec  4 19:35:421 vm kernel: a"),
        ("Dec  4 19:35:42 vm kernel: a", "Dec  4 19:35:42"),
        ("Dec  4 19:35:42", "Dec  4 19:35:42 vm kernel: a"),
        ("Dec  4 19:35:42 vm kernel: a", "Dec  4 19:35:4"),
        ("Dec  4 19:35:42 vm kernel: a", "Dec  4 19:35:42x vm"),
        ("Dec  4 19:35:42 vm kernel: a", "<4>Dec  4 19:35:42 vm kernel: a"),
        ("<4>Dec  4 19:35:42 vm kernel: a", "<4><5>Dec  4 19:35:42 vm kernel: a"),
        ("Oct 04 2019 15:27:55: %ASA-4-106023: a", "Oct 04 2019 15:27:55: %ASA-4-106023: b"),
        ("Oct 04 2019 15:27:55: %ASA-4-106023: a", "Oct 04 2019 15:27:55 %ASA-4-106023: a"),
        ("Feb 29 00:00:00 vm kernel: a", "Feb 29 00:00:00 vm kernel: b"),
        ("Feb 30 00:00:00 vm kernel: a", "Feb 30 00:00:00 vm kernel: a"),
        ("Dec  4 19:35:42 vm kernel: a", "2026-12-04T19:35:42Z vm kernel: a"),
        ("Dec  4 19:35:42 vm kernel: a", "<13>1 2026-12-04T19:35:42Z vm app - - - a"),
        ("Dec  4 19:35:42 vm kernel: a", "Dec 4 19:35:42 vm kernel: a"),
        ("Dec  4 19:35:42 vm kernel: a", "dec  4 19:35:42 vm kernel: a"),
        ("Dec  4 19:35:42 vm kernel: é", "Dec  4 19:35:42 é"),
    ];
    for (first, second) in pairs {
        let lines = [first.to_string(), second.to_string(), first.to_string()];
        check_in_order(&lines);
    }
}

/// Every single-byte change of the first 20 bytes of fixture lines, read after the unchanged
/// line, reads as `parse_header` reads it.
#[test]
fn altered_lines_read_as_parse_header() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("fixtures/fwlog/scan_nmap_sS_8ports_vic1.log")).expect("log");
    let replacements = [b' ', b'.', b':', b'0', b'5', b'9', b'a', b'<', b'Z', b'-'];
    let mut checked = 0;
    for line in text.lines().take(3) {
        for position in 0..20.min(line.len()) {
            for &byte in &replacements {
                let mut altered = line.as_bytes().to_vec();
                altered[position] = byte;
                let altered = String::from_utf8(altered).expect("ASCII line");
                check_in_order(&[line.to_string(), altered.clone(), altered, line.to_string()]);
                checked += 1;
            }
        }
    }
    assert!(checked >= 600, "{checked} altered lines");
}
