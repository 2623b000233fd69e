//! The PDF's structure: byte identity of two renders, the cover, the table of contents and
//! its page numbers, running headers, tables continued across pages, charts and the note
//! on characters the fonts cannot draw.

use std::ffi::OsStr;

use super::golden::sample_input;
use super::*;
use crate::report::pdf_save::{parse_source_date_epoch, CreationTime};

/// 2026-01-01T00:00:00Z.
const FIXED_EPOCH: i64 = 1_767_225_600;

fn render_fixed(report: &Report) -> Vec<u8> {
    crate::report::pdf::render(report, CreationTime { epoch_seconds: FIXED_EPOCH }).expect("PDF")
}

/// Splits pdftotext output into pages.
fn pages(text: &str) -> Vec<&str> {
    let mut pages: Vec<&str> = text.split('\u{c}').collect();
    if pages.last().is_some_and(|page| page.trim().is_empty()) {
        pages.pop();
    }
    pages
}

#[test]
fn pdf_renders_identical_bytes() {
    let report = draft(&sample_input());
    let first = render_fixed(&report);
    let second = render_fixed(&report);
    assert!(first == second, "two renders of one report differ");
    let text = String::from_utf8_lossy(&first);
    assert!(text.contains("D:20260101000000+00'00'"), "creation date not taken from the fixed time");

    let later = crate::report::pdf::render(&report, CreationTime { epoch_seconds: FIXED_EPOCH + 1 }).expect("PDF");
    assert!(later != first, "the creation time does not reach the file");
}

#[test]
fn source_date_epoch_parsing() {
    let parse = |value: &str| parse_source_date_epoch(Some(OsStr::new(value)));
    assert_eq!(parse("1767225600").expect("valid"), Some(CreationTime { epoch_seconds: FIXED_EPOCH }));
    assert_eq!(parse(" 0 ").expect("valid"), Some(CreationTime { epoch_seconds: 0 }));
    assert_eq!(parse("").expect("empty means unset"), None);
    assert_eq!(parse_source_date_epoch(None).expect("unset"), None);
    for invalid in ["abc", "-5", "1.5", "99999999999999999999"] {
        let error = parse(invalid).expect_err(invalid).to_string();
        assert!(error.contains("SOURCE_DATE_EPOCH"), "{error}");
    }
}

#[test]
fn pdf_cover_and_page_count() {
    let report = draft(&sample_input());
    let pdf = render_fixed(&report);
    if let Ok(path) = std::env::var("SCANCASE_REPORT_EXAMPLE") {
        std::fs::write(&path, &pdf).expect("write example PDF");
    }
    let text = pdftotext(&pdf, &[]);
    let pages = pages(&text);
    // Cover, contents, and the sections of the sample case.
    assert_eq!(pages.len(), 9, "page count of the sample report changed");
    let cover = pages[0].replace('\n', " ");
    for expected in [
        "INCIDENT REPORT",
        "Incident report: Lab scan December",
        "TLP:AMBER",
        "Ελένη Παπαδοπούλου",
        "Review state",
        "Draft",
        "2026-12-05T08:05:00.000000Z",
    ] {
        assert!(cover.contains(expected), "cover lacks {expected}");
    }
    assert!(!cover.contains("Page 1 of"), "the cover has a footer");
    for (index, page) in pages.iter().enumerate().skip(1) {
        assert!(page.contains(&format!("Page {} of {}", index + 1, pages.len())), "page {} footer", index + 1);
        assert_eq!(page.matches("TLP:AMBER").count(), 2, "page {} header and footer label", index + 1);
    }
}

#[test]
fn toc_page_numbers_point_to_headings() {
    let report = draft(&sample_input());
    let text = pdftotext(&render_fixed(&report), &["-layout"]);
    let pages = pages(&text);
    assert!(pages[1].contains("Contents"));
    let mut checked = 0;
    for (index, kind) in SectionKind::ALL.iter().enumerate() {
        let title = format!("{}. {}", index + 1, kind.title());
        let line = pages[1].lines().find(|line| line.trim_start().starts_with(&title)).expect("contents line");
        let page: usize = line.split_whitespace().last().and_then(|n| n.parse().ok()).expect("page number");
        let body = pages[page - 1];
        assert!(body.lines().any(|l| l.trim_start().starts_with(&title)), "{title} not on page {page}");
        checked += 1;
    }
    assert_eq!(checked, 8);
    assert!(pages[1].contains("E. Methodology"), "first-level parts are listed");
}

#[test]
fn long_table_repeats_header() {
    let mut report = draft(&sample_input());
    let rows: Vec<Vec<String>> = (1..=160).map(|i| vec![format!("row-{i:03}"), format!("payload {i}")]).collect();
    report.sections[2].blocks.push(Block::Table(Table {
        columns: vec![
            Column { title: "Marker column".to_string(), monospace: true },
            Column { title: "Payload".to_string(), monospace: false },
        ],
        rows,
    }));
    let text = pdftotext(&render_fixed(&report), &[]);
    let with_rows: Vec<&str> = pages(&text).into_iter().filter(|page| page.contains("row-")).collect();
    assert!(with_rows.len() >= 2, "the table should span pages");
    for page in &with_rows {
        assert!(page.contains("Marker column"), "a continued page lacks the header row");
    }
    assert!(text.contains("row-001"), "first row lost");
    assert!(text.contains("row-160"), "last row lost");
}

#[test]
fn charts_drawn_from_probe_points() {
    let report = draft(&sample_input());
    let text = pdftotext(&render_fixed(&report), &[]);
    assert!(text.contains("Probe timeline of F-1: 16 probes"));
    assert!(text.contains("Most-probed ports of F-1"));
    assert!(text.contains("tcp/22 (ssh)"));
    assert!(text.contains("time since the first probe at 2026-12-04T19:35:42.547877Z"));

    let without = draft(&input_with(vec![scan_finding()]));
    let text = pdftotext(&render_fixed(&without), &[]);
    assert!(text.contains("No probe data for F-1 in this report, so no probe chart is drawn."));
    assert!(!text.contains("Probe timeline of"));
}

#[test]
fn missing_glyphs_listed_once() {
    let mut input = sample_input();
    input.case.examiner = Some("王小明".to_string());
    input.findings[0].explanation = "Seen by 王小明 and 王小明 again.".to_string();
    let text = pdftotext(&render_fixed(&draft(&input)), &[]);
    let flat = text.replace('\n', " ");
    let note = "3 characters could not be shown in this PDF: U+5C0F, U+660E, U+738B.";
    assert_eq!(flat.matches(note).count(), 1, "note missing or repeated in: {flat}");
    let note_at = flat.find(note).expect("note");
    let methodology = flat.rfind("E. Methodology").expect("methodology heading");
    let audit = flat.rfind("F. Audit log").expect("audit heading");
    assert!(methodology < note_at, "note comes before the methodology appendix");
    assert!(note_at < audit, "note comes after the methodology appendix");
    assert!(text.contains('\u{FFFD}'), "missing characters are not marked in place");

    let clean = pdftotext(&render_fixed(&draft(&sample_input())), &[]);
    assert!(!clean.contains("could not be shown"));
}

#[test]
fn large_scan_chart_is_sampled() {
    let mut finding = scan_finding();
    finding.ports = (1..=1000).collect();
    let start = ts(FIRST_PROBE);
    let mut input = input_with(vec![finding]);
    input.probe_points = (0..5000_u16)
        .map(|i| ProbePoint {
            finding_id: "F-1".to_string(),
            ts_ns: start + i64::from(i) * 3_000_000,
            port: (i % 1000) + 1,
        })
        .collect();
    let report = draft(&input);
    let pdf = render_fixed(&report);
    if let Ok(path) = std::env::var("SCANCASE_REPORT_LARGE_EXAMPLE") {
        std::fs::write(&path, &pdf).expect("write example PDF");
    }
    let text = pdftotext(&pdf, &[]).replace('\n', " ");
    assert!(text.contains("Probe timeline of F-1: 5,000 probes, 2,000 of them drawn, sampled evenly in time order"));
    assert!(text.contains("tcp/1 "), "ties are broken in port order");
}
